import { describe, expect, it } from "vitest";

import { BackendError, advice, toBackendError } from "../src/backend";
import { lineDiff } from "../src/diff";
import { svgFrom } from "../src/dom";
import { binaryBytes, bytes, clock, count, days, rate, utc } from "../src/format";

describe("line diff", () => {
  it("shows the changed line as old/new with one line of context and gaps", () => {
    const before = "a\nb\nc\nd\ne\nf\n";
    const after = "a\nb\nc\nD\ne\nf\n";
    expect(lineDiff(before, after).map((l) => `${l.kind}:${l.text}`)).toEqual([
      "gap:…",
      "same:c",
      "del:d",
      "add:D",
      "same:e",
      "gap:…",
    ]);
  });

  it("shows a created file as all additions and keeps line numbers", () => {
    const d = lineDiff(null, "dir:/var/audit\nflags:lo,aa\n");
    expect(d.map((l) => [l.kind, l.line])).toEqual([
      ["add", 1],
      ["add", 2],
    ]);
  });

  it("handles added and removed lines", () => {
    expect(lineDiff("x\ny\n", "x\n").map((l) => l.kind)).toEqual(["same", "del"]);
    expect(lineDiff("x\n", "x\nz\n").map((l) => l.kind)).toEqual(["same", "add"]);
    expect(lineDiff("same\n", "same\n")).toEqual([{ kind: "gap", text: "…", line: null }]);
  });
});

describe("formatting", () => {
  it("formats disk sizes in decimal units and audit_control sizes in binary units", () => {
    expect(bytes(0)).toBe("0 B");
    expect(bytes(999)).toBe("999 B");
    expect(bytes(181e9)).toBe("181 GB");
    expect(bytes(1.25e6)).toBe("1.3 MB");
    expect(bytes(null)).toBe("—");
    expect(binaryBytes(5 * 1024 ** 3)).toBe("5 GiB");
    expect(binaryBytes(10 * 1024 ** 2)).toBe("10 MiB");
    expect(binaryBytes(1.5 * 1024 ** 3)).toBe("1.5 GiB");
  });

  it("formats rates with two significant digits", () => {
    expect(rate(12.34)).toBe("12");
    expect(rate(0.0521)).toBe("0.052");
    expect(rate(0.007)).toBe("0.007");
    expect(rate(250.4)).toBe("250");
    expect(rate(0)).toBe("0");
    expect(rate(0.00001)).toBe("<0.001");
  });

  it("formats counts, days, times and countdowns", () => {
    expect(count(38)).toBe("38");
    expect(count(1500)).toBe("1.5k");
    expect(count(40000)).toBe("40k");
    expect(count(1.2e6)).toBe("1.2M");
    expect(days(12.4)).toBe("12 days");
    expect(days(1)).toBe("1 day");
    expect(days(0.25)).toBe("6 hours");
    expect(utc(0)).toBe("1970-01-01 00:00 UTC");
    expect(clock(120)).toBe("2:00");
    expect(clock(59.2)).toBe("1:00");
    expect(clock(-3)).toBe("0:00");
  });
});

describe("errors", () => {
  it("normalises what a rejected command carries", () => {
    expect(toBackendError({ code: "internal", reason: "boom" }).message).toBe("internal: boom");
    expect(toBackendError('{"code":"busy","reason":"retry"}').code).toBe("busy");
    expect(toBackendError("{not json").reason).toBe("{not json");
    expect(toBackendError(new Error("x")).message).toBe("x");
    expect(toBackendError(42).message).toBe("42");
    const missing = toBackendError({ code: "ack-required", reason: "r", missing_acks: [{ id: "drop-cnt", message: "m" }] });
    expect(missing.missingAcks).toEqual([{ id: "drop-cnt", message: "m" }]);
    const e = new BackendError("x", "y");
    expect(toBackendError(e)).toBe(e);
  });

  it("says what to do for the codes a user can act on", () => {
    expect(advice("base-changed")).toContain("review it again");
    expect(advice("stale-base")).toContain("review it again");
    expect(advice("unavailable")).toContain("not reachable");
    expect(advice("something-new")).toBeNull();
  });
});

describe("svgFrom", () => {
  it("adopts SVG and refuses anything else", () => {
    expect(svgFrom('<svg xmlns="http://www.w3.org/2000/svg"><title>t</title></svg>')?.querySelector("title")?.textContent).toBe("t");
    expect(svgFrom("<html></html>")).toBeNull();
    expect(svgFrom("<svg")).toBeNull();
  });

  it("drops foreign objects", () => {
    const svg = svgFrom('<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject></svg>')!;
    expect(svg.querySelector("foreignObject")).toBeNull();
  });
});
