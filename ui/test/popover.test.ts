import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { BackendError } from "../src/backend";
import { MockBackend } from "../src/backend/mock";
import * as data from "../src/backend/mock-data";
import { Popover, forecastText, mountPopover, shownSeverity, soakText } from "../src/views/popover";

let root: HTMLElement;
const q = <T extends HTMLElement = HTMLElement>(sel: string) => root.querySelector<T>(sel);
const text = (sel: string) => q(sel)?.textContent ?? null;

beforeEach(() => {
  document.body.innerHTML = "";
  root = document.createElement("div");
  document.body.append(root);
});
afterEach(() => vi.useRealTimers());

async function shown(backend: MockBackend, now = () => data.NOW): Promise<Popover> {
  const p = new Popover(root, backend, { now });
  await p.refresh();
  return p;
}

describe("popover", () => {
  it("shows a healthy Mac: state, headroom with the minfree mark, forecast, rates, no warnings", async () => {
    await shown(new MockBackend({ glance: data.glanceOk }));
    expect(q("main")?.dataset.severity).toBe("ok");
    expect(text("[data-testid=connection-state]")).toBe("connected");
    expect(text("[data-testid=health] h1")).toBe("Healthy");
    expect(text("[data-testid=health-summary]")).toBe("Auditing is on and the trail is growing.");
    expect(q("[data-testid=fix]")).toBeNull();
    expect(text("[data-testid=headroom]")).toBe("181 GB free of 494 GB (36.6 %) · minfree 5 %");
    // The bar fills the used share; the minfree mark sits at 100 − threshold.
    expect(q(".headroom .fill")!.style.width).toBe(`${100 - 36.6}%`);
    expect(q(".headroom .minfree-mark")!.style.left).toBe("95%");
    expect(text("[data-testid=forecast]")).toBe("Minfree: never — expiry caps the folder at 5 GiB");
    expect(text("[data-testid=total-eps]")).toBe("0.061/s · last hour");
    const classes = Array.from(root.querySelectorAll("[data-testid=class-rates] li"), (li) => li.textContent);
    expect(classes).toEqual(["aa 0.052/s", "ad 0.007/s", "lo 0.0021/s"]);
    expect(q("svg.sparkline")).not.toBeNull();
    expect(text("[data-testid=warnings-empty]")).toBe("No warnings.");
  });

  it("shows a warning with its reason, fix and the latest warnings", async () => {
    await shown(new MockBackend({ glance: data.glanceWarning }));
    expect(q("main")?.dataset.severity).toBe("warning");
    expect(text("[data-testid=health-summary]")).toContain("below minfree");
    expect(text("[data-testid=fix]")).toMatch(/^Fix: Free space/);
    expect(q(".headroom .fill")!.classList.contains("low")).toBe(true);
    expect(text("[data-testid=forecast]")).toBe("Already below minfree");
    const warnings = Array.from(root.querySelectorAll("[data-testid=warning]"));
    expect(warnings).toHaveLength(3);
    expect(warnings[0]!.className).toBe("error");
    expect(warnings[0]!.querySelector("time")!.textContent).toBe("Nov 18");
    expect(warnings[0]!.querySelector("time")!.getAttribute("title")).toBe("2026-11-18 10:06 UTC");
  });

  it("says when minfree will be reached", () => {
    expect(forecastText(data.glanceMinfreeSoon.forecast)).toBe("Minfree in 12 days at this rate");
    expect(forecastText({ bytes_per_day: 0, minfree: "reached", minfree_days: 0.25, cap_bytes: null, retention_secs: null })).toBe(
      "Minfree in 6 hours at this rate",
    );
    expect(forecastText({ bytes_per_day: 0, minfree: "no_growth", minfree_days: null, cap_bytes: null, retention_secs: null })).toContain("never");
    // Without the cap the sentence still says why, without inventing a number.
    expect(forecastText({ bytes_per_day: 1, minfree: "never", minfree_days: null, cap_bytes: null, retention_secs: null })).toBe(
      "Minfree: never — expiry caps the folder below it",
    );
    expect(forecastText({ bytes_per_day: 1, minfree: "never", minfree_days: null, cap_bytes: null, retention_secs: 60 * 86_400 })).toBe(
      "Minfree: never — expiry caps the folder (about 60 days kept)",
    );
    expect(forecastText(null)).toBeNull();
  });

  it("shows the cap expiry holds the folder at, as the glance of a capped Mac carries it", async () => {
    // The forecast part of crates/earshot-glance/tests/data/status-auditing.json as the
    // glance serialises it: 10 485 995 bytes is the folder's peak just before a
    // rotation, 10.0 MiB.
    const capped = {
      ...data.glanceOk,
      forecast: { bytes_per_day: 438_984, minfree: "never" as const, minfree_days: null, cap_bytes: 10_485_995, retention_secs: 1_651_066.96 },
    };
    await shown(new MockBackend({ glance: capped }));
    expect(text("[data-testid=forecast]")).toBe("Minfree: never — expiry caps the folder at 10 MiB");
    expect(q("[data-testid=forecast]")!.classList.contains("bad")).toBe(false);
    // A cap above a GiB keeps one decimal.
    expect(forecastText({ ...capped.forecast, cap_bytes: 1.5 * 1024 ** 3 })).toBe(
      "Minfree: never — expiry caps the folder at 1.5 GiB",
    );
  });

  it("never looks healthy when the helper is unreachable, whatever the glance says", async () => {
    const lying = { ...data.glanceOk, connection: { state: "unavailable" as const, reason: "socket gone" } };
    expect(shownSeverity(lying)).toBe("unknown");
    await shown(new MockBackend({ glance: lying }));
    expect(q("main")?.dataset.severity).toBe("unknown");
    expect(text("[data-testid=health] h1")).toBe("Status unknown");
    expect(q(".glyph.ok")).toBeNull();
    expect(q(".glyph.unknown")).not.toBeNull();
    expect(text("[data-testid=health-summary]")).toContain("socket gone");
  });

  it("shows the unknown state with nothing that reads as fine", async () => {
    await shown(new MockBackend({ glance: data.glanceUnknown }));
    expect(q("main")?.dataset.severity).toBe("unknown");
    expect(text("[data-testid=connection-state]")).toBe("unavailable");
    expect(text("[data-testid=headroom]")).toBe("No headroom data.");
    expect(text("[data-testid=forecast]")).toBe("Forecast unavailable");
    expect(text("[data-testid=class-rates]")).toBe("No rate data.");
    expect(q("svg.sparkline")).toBeNull();
    expect(text("[data-testid=warnings-empty]")).toContain("Unknown");
    expect(q<HTMLButtonElement>("[data-testid=rollback-last]")!.disabled).toBe(true);
  });

  it("treats an unknown severity string as unknown", () => {
    const odd = { ...data.glanceOk, health: { ...data.glanceOk.health, severity: "purple" as never } };
    expect(shownSeverity(odd)).toBe("unknown");
  });

  it("shows loading, then an error with its code and reason", async () => {
    const backend = new MockBackend({
      failures: { glance: new BackendError("unauthenticated", "proof did not verify") },
    });
    const p = new Popover(root, backend);
    p.paint();
    expect(q("main")?.dataset.state).toBe("loading");
    expect(text("[data-testid=health] h1")).toBe("Loading…");
    await p.refresh();
    expect(q("main")?.dataset.state).toBe("error");
    expect(q("main")?.dataset.severity).toBe("unknown");
    expect(text("[data-testid=health-summary]")).toBe("unauthenticated: proof did not verify");
  });

  it("opens the wizard and the dashboard", async () => {
    const backend = new MockBackend();
    await shown(backend);
    q("[data-testid=open-wizard]")!.click();
    q("[data-testid=open-dashboard]")!.click();
    q("[data-testid=open-history]")!.click();
    q("[data-testid=open-preferences]")!.click();
    expect(backend.log.filter((c) => c.method === "openWindow").map((c) => c.args[0])).toEqual([
      "wizard",
      "dashboard",
      "history",
      "preferences",
    ]);
  });

  it("rolls back the last change only after a confirmation that says what is restored", async () => {
    const backend = new MockBackend();
    await shown(backend);
    q("[data-testid=rollback-last]")!.click();
    await vi.waitFor(() => expect(q("[data-testid=rollback-confirm]")).not.toBeNull());
    expect(backend.count("rollbackLast")).toBe(0);
    const confirm = text("[data-testid=rollback-confirm]")!;
    expect(confirm).toContain("Undo revision 3 (edited outside Earshot");
    expect(confirm).toContain("restore revision 2");
    expect(confirm).toContain("minfree: 10 → 5");

    q("[data-testid=cancel-rollback]")!.click();
    expect(q("[data-testid=rollback-confirm]")).toBeNull();
    expect(backend.count("rollbackLast")).toBe(0);

    q("[data-testid=rollback-last]")!.click();
    await vi.waitFor(() => expect(q("[data-testid=rollback-confirm-go]")).not.toBeNull());
    q("[data-testid=rollback-confirm-go]")!.click();
    await vi.waitFor(() => expect(text("[data-testid=result]")).toBe("Rolled back: recorded as revision 4."));
    expect(backend.count("rollbackLast")).toBe(1);
    expect(backend.state.history.revisions[0]!.source).toBe("rollback");
  });

  it("asks for acknowledgements when the restored file carries risks", async () => {
    const backend = new MockBackend({ rollbackRisks: { 2: ["drop-cnt"] } });
    await shown(backend);
    q("[data-testid=rollback-last]")!.click();
    await vi.waitFor(() => expect(q("[data-testid=rollback-confirm-go]")).not.toBeNull());
    q("[data-testid=rollback-confirm-go]")!.click();
    await vi.waitFor(() => expect(q("[data-testid=rollback-ack-drop-cnt]")).not.toBeNull());
    expect(text("[data-testid=rollback-risks]")).toContain("without cnt");
    expect(q<HTMLButtonElement>("[data-testid=rollback-confirm-go]")!.disabled).toBe(true);
    q("[data-testid=rollback-ack-drop-cnt]")!.click();
    q("[data-testid=rollback-confirm-go]")!.click();
    await vi.waitFor(() => expect(text("[data-testid=result]")).toBe("Rolled back: recorded as revision 4."));
    expect(backend.lastArgs("rollbackLast")).toEqual([["drop-cnt"]]);
  });

  it("shows why a roll back failed", async () => {
    const backend = new MockBackend({
      failures: { rollbackLast: new BackendError("base-changed", "audit_control changed since it was read") },
    });
    await shown(backend);
    q("[data-testid=rollback-last]")!.click();
    await vi.waitFor(() => expect(q("[data-testid=rollback-confirm-go]")).not.toBeNull());
    q("[data-testid=rollback-confirm-go]")!.click();
    await vi.waitFor(() =>
      expect(text("[data-testid=result]")).toBe(
        "Roll back failed: base-changed: audit_control changed since it was read",
      ),
    );
  });

  it("counts down a pending change and keeps it", async () => {
    vi.useFakeTimers();
    let now = data.NOW;
    const backend = new MockBackend({
      glance: { ...data.glanceOk, pending_confirm: { revision: 4, deadline_unix: data.NOW + 90 } },
    });
    await shown(backend, () => now);
    expect(text("[data-testid=pending-countdown]")).toBe("1:30");
    now += 31;
    vi.advanceTimersByTime(1000);
    expect(text("[data-testid=pending-countdown]")).toBe("0:59");
    backend.state.glance = { ...backend.state.glance, pending_confirm: { revision: 4, deadline_unix: data.NOW + 90 } };
    q("[data-testid=keep]")!.click();
    await vi.waitFor(() => expect(text("[data-testid=result]")).toBe("Change kept."));
    expect(backend.count("confirm")).toBe(1);
    expect(q("[data-testid=pending]")).toBeNull();
  });

  it("follows pushed glances, closes on Esc, refetches when shown, reports first paint", async () => {
    const backend = new MockBackend();
    const popover = await mountPopover(root, window, backend, { now: () => data.NOW });
    expect(q("main")?.dataset.severity).toBe("ok");
    await vi.waitFor(() => expect(backend.lastArgs("firstPaint")).toEqual(["popover"]));

    backend.push(data.glanceWarning);
    expect(q("main")?.dataset.severity).toBe("warning");

    document.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter" }));
    expect(backend.count("closePopover")).toBe(0);
    document.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape" }));
    expect(backend.count("closePopover")).toBe(1);

    backend.state.glance = data.glanceUnknown;
    window.dispatchEvent(new FocusEvent("blur"));
    window.dispatchEvent(new FocusEvent("focus"));
    await vi.waitFor(() => expect(q("main")?.dataset.severity).toBe("unknown"));
    expect(backend.count("glance")).toBe(2);
    void popover;
  });

  it("paints the glance without waiting for the sparkline, which then takes its kept place", async () => {
    // The sparkline answers only when the test says so (it needs the trail history).
    class SlowSparkline extends MockBackend {
      release: () => void = () => {};
      override async sparkline(window: "hour" | "day"): Promise<string> {
        const svg = await super.sparkline(window);
        await new Promise<void>((resolve) => (this.release = resolve));
        return svg;
      }
    }
    const backend = new SlowSparkline({ glance: data.glanceWarning });
    const p = new Popover(root, backend, { now: () => data.NOW });
    let painted = 0;
    const done = p.refresh(() => painted++);
    await vi.waitFor(() => expect(painted).toBe(1));
    // What the first paint must show: health, headroom bar, warnings.
    expect(q("main")?.dataset.state).toBe("ready");
    expect(text("[data-testid=health] h1")).toBe("Warning");
    expect(q(".headroom .bar")).not.toBeNull();
    expect(root.querySelectorAll("[data-testid=warning]")).toHaveLength(3);
    expect(q(".sparkline.placeholder")).not.toBeNull();
    expect(q("svg.sparkline")).toBeNull();

    // The rest of the popover is not repainted when the sparkline comes.
    const evidence = q<HTMLDetailsElement>("details.evidence")!;
    evidence.open = true;
    backend.release();
    await done;
    expect(q("svg.sparkline")).not.toBeNull();
    expect(q(".sparkline.placeholder")).toBeNull();
    expect(q("details.evidence")).toBe(evidence);
    expect(evidence.open).toBe(true);
    expect(painted).toBe(1);
  });

  it("fetches and reports a paint once per show, however many signs of it come", async () => {
    const backend = new MockBackend();
    await mountPopover(root, window, backend, { now: () => data.NOW });
    // The window's focus and visibility of the same first show, during and after the load.
    window.dispatchEvent(new FocusEvent("focus"));
    document.dispatchEvent(new Event("visibilitychange"));
    await vi.waitFor(() => expect(backend.count("firstPaint")).toBe(1));
    expect(backend.count("glance")).toBe(1);
    expect(backend.count("sparkline")).toBe(1);

    // Hidden (it lost focus), then shown again: one fetch and one report for both signs.
    window.dispatchEvent(new FocusEvent("blur"));
    backend.state.glance = data.glanceWarning;
    expect(document.visibilityState).toBe("visible");
    document.dispatchEvent(new Event("visibilitychange"));
    window.dispatchEvent(new FocusEvent("focus"));
    await vi.waitFor(() => expect(backend.count("firstPaint")).toBe(2));
    expect(q("main")?.dataset.severity).toBe("warning");
    expect(backend.count("glance")).toBe(2);
    expect(backend.count("sparkline")).toBe(2);
  });

  it("paints the glance handed over with the page first; later shows ask", async () => {
    const backend = new MockBackend({ glance: data.glanceWarning });
    const painted: string[] = [];
    const seen = new MutationObserver(() => painted.push(q("main")?.dataset.severity ?? "none"));
    seen.observe(root, { childList: true });
    await mountPopover(root, window, backend, { now: () => data.NOW, initial: data.glanceWarning });
    seen.disconnect();
    // Painted from what came with the page; the one question once listening found no news.
    expect(painted).toEqual(["warning"]);
    expect(backend.count("glance")).toBe(1);
    await vi.waitFor(() => expect(backend.count("firstPaint")).toBe(1));

    backend.state.glance = data.glanceOk;
    window.dispatchEvent(new FocusEvent("blur"));
    document.dispatchEvent(new Event("visibilitychange"));
    await vi.waitFor(() => expect(backend.count("firstPaint")).toBe(2));
    expect(backend.count("glance")).toBe(2);
    expect(q("main")?.dataset.severity).toBe("ok");
  });

  it("catches up with a push sent before the page listened", async () => {
    // Made while connecting; the helper's first status was pushed while the page loaded.
    const connecting = { ...data.glanceOk, connection: { state: "connecting" as const, reason: null } };
    const backend = new MockBackend({ glance: data.glanceOk });
    await mountPopover(root, window, backend, { now: () => data.NOW, initial: connecting });
    expect(text("[data-testid=health] h1")).toBe("Healthy");
    await vi.waitFor(() => expect(backend.count("firstPaint")).toBe(1));
  });

  it("reports the first paint only once it shows a state, not while connecting", async () => {
    const connecting = { ...data.glanceOk, connection: { state: "connecting" as const, reason: null } };
    const backend = new MockBackend({ glance: connecting });
    await mountPopover(root, window, backend, { now: () => data.NOW, initial: connecting });
    expect(text("[data-testid=health] h1")).toBe("Connecting…");
    // Two frames pass: nothing is reported for a wait.
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    await new Promise((resolve) => requestAnimationFrame(resolve));
    expect(backend.count("firstPaint")).toBe(0);

    backend.push(data.glanceOk);
    expect(text("[data-testid=health] h1")).toBe("Healthy");
    await vi.waitFor(() => expect(backend.count("firstPaint")).toBe(1));
    backend.push(data.glanceWarning);
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    expect(backend.count("firstPaint")).toBe(1);
  });

  it("shows a soaking step in one line that opens the wizard", async () => {
    const backend = new MockBackend({ glance: data.glanceSoaking });
    await shown(backend);
    const line = q<HTMLButtonElement>("[data-testid=soak-line]")!;
    expect(line.tagName).toBe("BUTTON");
    expect(line.dataset.state).toBe("soaking");
    expect(line.classList.contains("warning")).toBe(false);
    expect(text("[data-testid=soak-line] .soak-label")).toBe("Tuning");
    // The title gives way before the figures in the narrow column; the label says it all.
    expect(text("[data-testid=soak-line] .soak-text")).toBe("flags: add ad");
    expect(text("[data-testid=soak-line] .soak-tail")).toBe("day 1 of 3 — 0.53×");
    expect(line.title).toBe("flags: add ad — day 1 of 3 — 0.53× the predicted volume so far");
    expect(line.getAttribute("aria-label")).toBe(
      "Tuning: flags: add ad — day 1 of 3 — 0.53× the predicted volume so far. Opens Tune Auditing.",
    );
    // Right under the health, above the disk.
    expect(q("[data-testid=health]")!.nextElementSibling).toBe(line);
    expect(q("main")?.dataset.severity).toBe("ok");
    line.click();
    expect(backend.lastArgs("openWindow")).toEqual(["wizard"]);
  });

  it("shows a step badly over budget as a warning, as the tray glyph does", async () => {
    await shown(new MockBackend({ glance: data.glanceSoakOver }));
    const line = q<HTMLButtonElement>("[data-testid=soak-line]")!;
    expect(line.classList.contains("warning")).toBe(true);
    expect(text("[data-testid=soak-line] .soak-tail")).toBe("day 2 of 3 — 2.94×");
    expect(line.title).toBe(
      "flags: add ad — day 2 of 3 — 2.94× the predicted volume so far. flags: add ad writes 1.2 MiB/day, above its predicted 340.6 KiB–532.2 KiB: 2.9× the predicted volume",
    );
    // The trail is healthy, the helper's verdict is a warning: the popover says the worse.
    expect(data.glanceSoakOver.health.severity).toBe("ok");
    expect(q("main")?.dataset.severity).toBe("warning");
    expect(text("[data-testid=health] h1")).toBe("Warning");
    expect(text("[data-testid=warning]")).toContain("review the step (Tune Auditing) before it costs more");
  });

  it("says when a step's review is ready, and nothing for a soak that ended", async () => {
    const backend = new MockBackend({ glance: data.glanceSoakReviewed });
    await shown(backend);
    expect(q("[data-testid=soak-line]")!.dataset.state).toBe("reviewed");
    expect(text("[data-testid=soak-line] .soak-text")).toBe("Review ready: flags: add ad");
    expect(q("[data-testid=soak-line] .soak-tail")).toBeNull();
    expect(q("[data-testid=soak-line]")!.title).toBe(
      "Review ready: flags: add ad. flags: add ad — soaked 3 days: review says take the next step",
    );
    q("[data-testid=soak-line]")!.click();
    expect(backend.lastArgs("openWindow")).toEqual(["wizard"]);

    const ended = { ...data.soakingAd, state: "ended" as const, ended_by: "rolled back to revision 4 (now revision 6)" };
    expect(soakText(ended)).toBeNull();
    expect(soakText({ ...data.soakingAd, soak_days: 0.5, ratio: null })!.tail).toBe("soaking 12 h — measuring");
    expect(soakText(null)).toBeNull();
    await shown(new MockBackend({ glance: { ...data.glanceOk, soak: ended } }));
    expect(q("[data-testid=soak-line]")).toBeNull();
    await shown(new MockBackend());
    expect(q("[data-testid=soak-line]")).toBeNull();
  });

  it("never shows a better state than the tray glyph", () => {
    expect(shownSeverity({ ...data.glanceOk, tray: { glyph: "error", title: null, visible: true } })).toBe("error");
    expect(shownSeverity({ ...data.glanceWarning, tray: { glyph: "ok", title: null, visible: true } })).toBe("warning");
    expect(shownSeverity({ ...data.glanceOff })).toBe("off");
  });

  it("Esc cancels a pending confirmation before it closes the popover", async () => {
    const backend = new MockBackend();
    const popover = await shown(backend);
    q("[data-testid=rollback-last]")!.click();
    await vi.waitFor(() => expect(q("[data-testid=rollback-confirm]")).not.toBeNull());
    popover.escape();
    expect(q("[data-testid=rollback-confirm]")).toBeNull();
    expect(backend.count("closePopover")).toBe(0);
    popover.escape();
    expect(backend.count("closePopover")).toBe(1);
  });
});
