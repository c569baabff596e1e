import { beforeEach, describe, expect, it, vi } from "vitest";

import { BackendError, type TrailQuery } from "../src/backend";
import { MockBackend, matches } from "../src/backend/mock";
import { trailRecords } from "../src/backend/mock-data";
import { PAGE_SIZE, TrailBrowser, buildQuery, utcInput } from "../src/views/trail";

let root: HTMLElement;
const q = <T extends HTMLElement = HTMLElement>(sel: string) => root.querySelector<T>(sel);
const text = (sel: string) => q(sel)?.textContent ?? null;

beforeEach(() => {
  document.body.innerHTML = "";
  root = document.createElement("div");
  document.body.append(root);
});

function fill(testid: string, value: string): void {
  const el = q<HTMLInputElement | HTMLSelectElement>(`[data-testid=${testid}]`)!;
  el.value = value;
  el.dispatchEvent(new Event(el instanceof HTMLSelectElement ? "change" : "input"));
}

const lastQuery = (b: MockBackend) => b.lastArgs("trailPage")![0] as TrailQuery;

/** Waits for the n-th page request to be answered and painted. */
async function settled(b: MockBackend, n: number): Promise<void> {
  await vi.waitFor(() => {
    expect(b.count("trailPage")).toBe(n);
    expect(q(".trail")?.dataset.state).toBe("ready");
  });
}

describe("trail browser", () => {
  it("reads the time inputs as UTC unix seconds", () => {
    expect(utcInput("2026-11-18T09:30")).toBe(Date.UTC(2026, 10, 18, 9, 30) / 1000);
    expect(utcInput("2026-11-18T09:30:15")).toBe(Date.UTC(2026, 10, 18, 9, 30, 15) / 1000);
    expect(utcInput("")).toBeNull();
    expect(utcInput("yesterday")).toBeNull();
  });

  it("builds the query the filters ask for", () => {
    expect(
      buildQuery({
        since: "2026-11-18T00:00",
        until: "2026-11-18T12:00",
        classes: "lo, aa  ad",
        events: "AUE_EXECVE,72",
        user: " alice ",
        outcome: "failure",
      }),
    ).toEqual({
      since: Date.UTC(2026, 10, 18) / 1000,
      until: Date.UTC(2026, 10, 18, 12) / 1000,
      classes: ["lo", "aa", "ad"],
      events: ["AUE_EXECVE", "72"],
      user: "alice",
      outcome: "failure",
      cursor: null,
      pageSize: PAGE_SIZE,
    });
    expect(buildQuery({ since: "", until: "", classes: "", events: "", user: "", outcome: "any" })).toEqual({
      since: null,
      until: null,
      classes: [],
      events: [],
      user: null,
      outcome: "any",
      cursor: null,
      pageSize: PAGE_SIZE,
    });
  });

  it("sends the form's filters and shows only matching records", async () => {
    const backend = new MockBackend();
    const t = new TrailBrowser(root, backend);
    await t.search();
    fill("f-classes", "fr");
    fill("f-outcome", "failure");
    fill("f-user", "bob");
    q<HTMLButtonElement>("[data-testid=search]")!.click();
    await settled(backend, 2);
    expect(lastQuery(backend)).toMatchObject({ classes: ["fr"], outcome: "failure", user: "bob", cursor: null });
    const rows = Array.from(root.querySelectorAll("[data-testid=record]"));
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.children[1]!.textContent).toBe("AUE_OPEN_R");
      expect(r.children[3]!.textContent).toBe("502");
      expect(r.children[5]!.textContent).toBe("EACCES");
    }
  });

  it("pages forward with the backend's cursor and back again", async () => {
    const backend = new MockBackend();
    const t = new TrailBrowser(root, backend);
    await t.search();
    const first = Array.from(root.querySelectorAll("[data-testid=record] td.when"), (c) => c.textContent);
    expect(first).toHaveLength(PAGE_SIZE);
    expect(text("[data-testid=page-info]")).toMatch(/^Page 1 · 50 records/);
    expect(q<HTMLButtonElement>("[data-testid=prev]")!.disabled).toBe(true);

    q("[data-testid=next]")!.click();
    await settled(backend, 2);
    expect(text("[data-testid=page-info]")).toMatch(/^Page 2/);
    expect(lastQuery(backend).cursor).toEqual({ file: "mock", offset: PAGE_SIZE });
    const second = Array.from(root.querySelectorAll("[data-testid=record] td.when"), (c) => c.textContent);
    expect(second[0]! > first[first.length - 1]!).toBe(true);

    q("[data-testid=prev]")!.click();
    await settled(backend, 3);
    expect(text("[data-testid=page-info]")).toMatch(/^Page 1/);
    expect(lastQuery(backend).cursor).toBeNull();
  });

  it("says 'No more records' for the empty page that may end a run of full pages", async () => {
    const backend = new MockBackend({ records: trailRecords(PAGE_SIZE) });
    // An engine that cannot know a full page was the last one hands out a cursor anyway.
    const realPage = backend.trailPage.bind(backend);
    backend.trailPage = async (query) => {
      const page = await realPage(query);
      return query.cursor === null ? { ...page, next: { file: "mock", offset: PAGE_SIZE } } : page;
    };
    await new TrailBrowser(root, backend).search();
    q("[data-testid=next]")!.click();
    await settled(backend, 2);
    expect(text("[data-testid=empty]")).toBe("No more records.");
    expect(q<HTMLButtonElement>("[data-testid=prev]")!.disabled).toBe(false);
  });

  it("disables Next on the last page", async () => {
    const backend = new MockBackend({ records: trailRecords(30) });
    await new TrailBrowser(root, backend).search();
    expect(q<HTMLButtonElement>("[data-testid=next]")!.disabled).toBe(true);
  });

  it("shows a record's subject, return, paths and arguments on click", async () => {
    await new TrailBrowser(root, new MockBackend()).search();
    const exec = Array.from(root.querySelectorAll<HTMLElement>("[data-testid=record]")).find(
      (r) => r.children[1]!.textContent === "AUE_EXECVE",
    )!;
    exec.click();
    const detail = text("[data-testid=record-detail]")!;
    expect(detail).toContain("AUE_EXECVE (23) — execve(2)");
    expect(detail).toMatch(/auid (\d+|unset) · euid \d+ · egid 20/);
    expect(detail).toContain("/usr/bin/git");
    expect(detail).toContain("git -C /Users/alice/src/earshot status --short");
    expect(detail).toMatch(/Return(success|failure)/);

    const open = Array.from(root.querySelectorAll<HTMLElement>("[data-testid=record]")).find(
      (r) => r.children[1]!.textContent === "AUE_OPEN_R",
    )!;
    open.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter" }));
    const d2 = text("[data-testid=record-detail]")!;
    expect(d2).toContain("failure: EACCES Permission denied");
    expect(d2).toContain("arg2 flags = 0x0");
    q("[data-testid=close-detail]")!.click();
    expect(q("[data-testid=record-detail]")).toBeNull();
  });

  it("shows a record the helper sent without its tokens (too large for a page) and says why", async () => {
    const [first] = trailRecords(1);
    const omitted = "record of 900000 bytes of JSON is too large to send; `earshot trail print` shows it";
    // The helper's stand-in keeps where, when, what and who, and drops the tokens.
    const stub = { ...first!, paths: undefined, exec_args: undefined, text: undefined, args: undefined, omitted };
    await new TrailBrowser(root, new MockBackend({ records: [stub] })).search();
    const row = q("[data-testid=record]")!;
    expect(row.textContent).toContain(omitted);
    row.click();
    expect(text("[data-testid=record-detail]")).toContain(`Tokens${omitted}`);
  });

  it("has empty, error and bad-input states", async () => {
    const t = new TrailBrowser(root, new MockBackend());
    await t.search();
    fill("f-events", "AUE_NOTHING");
    q<HTMLButtonElement>("[data-testid=search]")!.click();
    await vi.waitFor(() => expect(text("[data-testid=empty]")).toBe("No records match these filters."));

    const failing = new TrailBrowser(root, new MockBackend({ failures: { trailPage: new BackendError("invalid", "page size must be 1 to 1000") } }));
    await failing.search();
    expect(text("[data-testid=error]")).toContain("invalid: page size must be 1 to 1000");

    const t3 = new TrailBrowser(root, new MockBackend());
    await t3.search();
    const since = q<HTMLInputElement>("[data-testid=f-since]")!;
    // jsdom keeps any string in a datetime-local input: the browser would not.
    Object.defineProperty(since, "value", { value: "not a time" });
    since.dispatchEvent(new Event("input"));
    q<HTMLButtonElement>("[data-testid=search]")!.click();
    await vi.waitFor(() => expect(text("[data-testid=filter-error]")).toContain("is not a time"));
  });

  it("the mock filters like the engine: classes overlap, events by name or number, unset auid", () => {
    const recs = trailRecords(60);
    const base: TrailQuery = { since: null, until: null, classes: [], events: [], user: null, outcome: "any", cursor: null, pageSize: 10 };
    const exec = recs.find((r) => r.event.name === "AUE_EXECVE")!;
    expect(matches(exec, { ...base, classes: ["ex"] })).toBe(true);
    expect(matches(exec, { ...base, classes: ["pc"] })).toBe(true);
    expect(matches(exec, { ...base, events: ["23"] })).toBe(true);
    expect(matches(exec, { ...base, events: ["AUE_OPEN_R"] })).toBe(false);
    const unset = recs.find((r) => r.subject?.auid === 4294967295)!;
    expect(matches(unset, { ...base, user: "-1" })).toBe(true);
    expect(matches(unset, { ...base, user: "501" })).toBe(false);
  });
});
