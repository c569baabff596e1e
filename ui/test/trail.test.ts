import { beforeEach, describe, expect, it, vi } from "vitest";

import { BackendError, type TrailPage, type TrailQuery } from "../src/backend";
import { MockBackend, matches } from "../src/backend/mock";
import { trailRecords } from "../src/backend/mock-data";
import { bytes } from "../src/format";
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
  describe("partial pages (the helper's scan budget)", () => {
    const all = trailRecords(240);
    const base: TrailQuery = { since: null, until: null, classes: ["lo"], events: [], user: null, outcome: "any", cursor: null, pageSize: PAGE_SIZE };
    const logins = all.filter((r) => matches(r, base));

    /**
     * A mock whose answers wait for the test to let each one through (until `open`),
     * recording each query as it is sent and how many are in flight at once.
     */
    function gated(state: ConstructorParameters<typeof MockBackend>[0]) {
      const backend = new MockBackend(state);
      const real = backend.trailPage.bind(backend);
      const sent: TrailQuery[] = [];
      const answers: TrailPage[] = [];
      const waiting: (() => void)[] = [];
      let opened = false;
      let inFlight = 0;
      let maxInFlight = 0;
      backend.trailPage = async (query) => {
        sent.push(structuredClone(query));
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        if (!opened) await new Promise<void>((resolve) => waiting.push(resolve));
        const page = await real(query);
        answers.push(page);
        inFlight--;
        return page;
      };
      /** Lets the oldest waiting request through and waits for its answer. */
      const release = async () => {
        await vi.waitFor(() => expect(waiting.length).toBeGreaterThan(0));
        const n = answers.length;
        waiting.shift()!();
        await vi.waitFor(() => expect(answers.length).toBe(n + 1));
      };
      /** Answers everything from now on. */
      const open = () => {
        opened = true;
        waiting.splice(0).forEach((go) => go());
      };
      return { backend, sent, answers, release, open, maxInFlight: () => maxInFlight };
    }

    it("keeps asking until the page is full or the trail ends, and finds what one unbounded scan finds", async () => {
      expect(logins.length).toBeGreaterThan(3);
      expect(logins.length).toBeLessThan(PAGE_SIZE);
      const unbounded = await new MockBackend({ records: all }).trailPage(base);
      expect(unbounded.partial).toBe(false);
      // ~2 kB per answer: 10-odd records, so a search for logins takes many answers.
      const backend = new MockBackend({ records: all, trailScanBudget: 2000 });
      const answers: TrailPage[] = [];
      const real = backend.trailPage.bind(backend);
      backend.trailPage = async (query) => {
        const page = await real(query);
        answers.push(page);
        return page;
      };
      const t = new TrailBrowser(root, backend);
      t.paint();
      fill("f-classes", "lo");
      await t.search();
      expect(answers.length).toBeGreaterThan(5);
      expect(answers.slice(0, -1).every((a) => a.partial && a.next)).toBe(true);
      expect(answers.some((a) => a.records.length === 0)).toBe(true);
      expect(answers.at(-1)!.next).toBeNull();
      // Each request continues from the answer before it and asks only for what the page still lacks.
      const queries = backend.log.filter((c) => c.method === "trailPage").map((c) => c.args[0] as TrailQuery);
      let have = 0;
      queries.forEach((query, i) => {
        expect(query.cursor).toEqual(i === 0 ? null : answers[i - 1]!.next);
        expect(query.pageSize).toBe(PAGE_SIZE - have);
        have += answers[i]!.records.length;
      });
      const shown = Array.from(root.querySelectorAll("[data-testid=record] td.when"), (c) => c.textContent);
      expect(shown).toHaveLength(unbounded.records.length);
      expect(shown).toEqual(Array.from(unbounded.records, (r) => r.time.replace("T", " ").replace(/\.\d+Z$/, "")));
      const scanned = answers.reduce((n, a) => n + a.scanned_bytes, 0);
      expect(scanned).toBe(all.reduce((n, r) => n + r.length, 0));
      expect(text("[data-testid=page-info]")).toBe(`Page 1 · ${logins.length} records · ${bytes(scanned)} scanned`);
      expect(q("[data-testid=search-progress]")).toBeNull();
      expect(q<HTMLButtonElement>("[data-testid=next]")!.disabled).toBe(true);
    });

    it("fills a page across partial answers, then pages on from the last cursor", async () => {
      // Every login of a longer trail: more than a page of them.
      const many = trailRecords(1200);
      const backend = new MockBackend({ records: many, trailScanBudget: 3000 });
      const t = new TrailBrowser(root, backend);
      t.paint();
      fill("f-classes", "lo");
      await t.search();
      expect(root.querySelectorAll("[data-testid=record]")).toHaveLength(PAGE_SIZE);
      const lastAnswerNext = backend.count("trailPage");
      expect(lastAnswerNext).toBeGreaterThan(1);
      q("[data-testid=next]")!.click();
      await vi.waitFor(() => expect(q(".trail")?.dataset.state).toBe("ready"));
      expect(text("[data-testid=page-info]")).toMatch(/^Page 2 · /);
      const page2 = Array.from(root.querySelectorAll("[data-testid=record] td.when"), (c) => c.textContent);
      const want = many.filter((r) => matches(r, base)).slice(PAGE_SIZE, 2 * PAGE_SIZE);
      expect(page2).toEqual(want.map((r) => r.time.replace("T", " ").replace(/\.\d+Z$/, "")));
      q("[data-testid=prev]")!.click();
      await vi.waitFor(() => expect(text("[data-testid=page-info]")).toMatch(/^Page 1 · 50 records/));
    });

    it("shows progress, and Stop ends the search after the request in flight; Continue goes on", async () => {
      const g = gated({ records: all, trailScanBudget: 2000 });
      const t = new TrailBrowser(root, g.backend);
      t.paint();
      fill("f-classes", "lo");
      const done = t.search();
      await g.release();
      await vi.waitFor(() => expect(text("[data-testid=search-progress]")).toContain("Searching…"));
      expect(q(".trail")?.dataset.state).toBe("loading");
      await g.release();
      const twoScanned = () => g.answers[0]!.scanned_bytes + g.answers[1]!.scanned_bytes;
      await vi.waitFor(() => expect(text("[data-testid=search-progress]")).toContain(`${bytes(twoScanned())} scanned`));
      // The third request is in flight: Stop waits for it, then asks nothing more.
      q<HTMLButtonElement>("[data-testid=stop]")!.click();
      expect(text("[data-testid=stop]")).toBe("Stopping…");
      await g.release();
      await done;
      expect(g.backend.count("trailPage")).toBe(3);
      expect(q(".trail")?.dataset.state).toBe("ready");
      const found = g.answers.flatMap((a) => a.records);
      expect(root.querySelectorAll("[data-testid=record]")).toHaveLength(found.length);
      const scanned = g.answers.reduce((n, a) => n + a.scanned_bytes, 0);
      expect(text("[data-testid=stopped]")).toBe(`Search stopped after ${bytes(scanned)}; Continue searches further.`);
      const next = q<HTMLButtonElement>("[data-testid=next]")!;
      expect(next.textContent).toBe("Continue ›");
      expect(next.disabled).toBe(false);

      // Continue: the same page goes on filling from where the search stopped.
      g.open();
      await t.next();
      expect(q(".trail")?.dataset.state).toBe("ready");
      expect(g.sent[3]!.cursor).toEqual(g.answers[2]!.next);
      expect(g.sent[3]!.pageSize).toBe(PAGE_SIZE - found.length);
      expect(text("[data-testid=page-info]")).toMatch(new RegExp(`^Page 1 · ${logins.length} records`));
      expect(q("[data-testid=stopped]")).toBeNull();
      expect(g.maxInFlight()).toBe(1);
    });

    it("a stretch without matches shows progress, not 'no records', until the trail ends", async () => {
      const g = gated({ records: all, trailScanBudget: 2000 });
      const t = new TrailBrowser(root, g.backend);
      t.paint();
      fill("f-events", "AUE_NOTHING");
      const done = t.search();
      await g.release();
      await vi.waitFor(() => expect(q("[data-testid=search-progress]")).not.toBeNull());
      expect(q("[data-testid=empty]")).toBeNull();
      expect(text("[data-testid=page-info]")).toMatch(/^Page 1 · 0 records/);
      g.open();
      await done;
      expect(g.answers.at(-1)!.next).toBeNull();
      expect(text("[data-testid=empty]")).toBe("No records match these filters.");
    });

    it("a new search while one is in flight waits for that answer and drops it", async () => {
      const g = gated({ records: all, trailScanBudget: 2000 });
      const t = new TrailBrowser(root, g.backend);
      t.paint();
      fill("f-classes", "lo");
      const first = t.search();
      fill("f-classes", "fr");
      const second = t.search();
      await vi.waitFor(() => expect(g.sent).toHaveLength(1));
      await g.release();
      await first;
      // The second search's first request goes out only now, from the start.
      await vi.waitFor(() => expect(g.sent).toHaveLength(2));
      expect(g.sent[1]).toMatchObject({ classes: ["fr"], cursor: null, pageSize: PAGE_SIZE });
      g.open();
      await second;
      expect(q(".trail")?.dataset.state).toBe("ready");
      expect(g.maxInFlight()).toBe(1);
      for (const r of root.querySelectorAll("[data-testid=record]")) expect(r.children[2]!.textContent).toBe("fr");
    });
  });
});
