// The trail browser: filters (time range, class, event, user, outcome) become one
// trail_page query; results come a page at a time with the backend's cursor (the
// engine streams the trails, it never loads them whole), and a click on a record shows
// who did it, what it returned, the paths and the arguments.
//
// The helper examines at most ~256 MiB per request: a filter that matches little comes
// back as a short page marked `partial` with a cursor. The browser keeps asking — one
// request at a time — until the page is full or the trail ends, showing how much has
// been scanned, and Stop ends the search after the request in flight, keeping what was
// found; Continue picks it up from the cursor.

import type { Backend, Outcome, TrailCursor, TrailPage, TrailQuery, TrailRecord } from "../backend";
import { advice, toBackendError } from "../backend";
import { button, h, note } from "../dom";
import { bytes } from "../format";

export const PAGE_SIZE = 50;
const UNSET_AUID = 4294967295;

function list(text: string): string[] {
  return text
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** `2026-11-18T09:30` from a datetime-local input, read as UTC → unix seconds. */
export function utcInput(value: string): number | null {
  if (!value) return null;
  const withSeconds = value.length === 16 ? `${value}:00` : value;
  const ms = Date.parse(`${withSeconds}Z`);
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000);
}

export interface TrailFilters {
  since: string;
  until: string;
  classes: string;
  events: string;
  user: string;
  outcome: Outcome;
}

/** The query the filters ask for (first page). */
export function buildQuery(f: TrailFilters, cursor: TrailCursor | null = null, pageSize = PAGE_SIZE): TrailQuery {
  return {
    since: utcInput(f.since),
    until: utcInput(f.until),
    classes: list(f.classes),
    events: list(f.events),
    user: f.user.trim() === "" ? null : f.user.trim(),
    outcome: f.outcome,
    cursor,
    pageSize,
  };
}

function auid(n: number): string {
  return n === UNSET_AUID ? "unset" : String(n);
}

function gist(r: TrailRecord): string {
  if (r.omitted) return r.omitted;
  if (r.exec_args && r.exec_args.length > 0) return r.exec_args.join(" ");
  if (r.paths && r.paths.length > 0) return r.paths[0]!;
  if (r.text && r.text.length > 0) return r.text.join(" · ");
  return "";
}

export class TrailBrowser {
  private filters: TrailFilters = { since: "", until: "", classes: "", events: "", user: "", outcome: "any" };
  /** The filters of the search being paged (the form may change meanwhile). */
  private searched: TrailFilters = { ...this.filters };
  /** Cursors of the pages before the current one (Previous pops). */
  private previous: (TrailCursor | null)[] = [];
  private cursor: TrailCursor | null = null;
  /**
   * The page shown: the records of every answer gathered for it so far, the last
   * answer's `next` and `partial`, and the bytes all of them scanned.
   */
  private page: TrailPage | null = null;
  /** Bumped by each new gathering, so an older one's late answer is dropped. */
  private generation = 0;
  /** Set by Stop: the gathering ends when the request in flight answers. */
  private stopping = false;
  /** The request in flight, if any: a new one waits for it (one at a time). */
  private inflight: Promise<unknown> | null = null;
  private error: string | null = null;
  private loading = false;
  private selected: TrailRecord | null = null;
  private filterError: string | null = null;

  constructor(
    private root: HTMLElement,
    private backend: Backend,
  ) {}

  async search(): Promise<void> {
    const bad = (["since", "until"] as const).find((k) => this.filters[k] && utcInput(this.filters[k]) === null);
    if (bad) {
      this.filterError = `“${this.filters[bad]}” is not a time`;
      this.paint();
      return;
    }
    this.filterError = null;
    this.searched = { ...this.filters };
    this.previous = [];
    this.cursor = null;
    await this.gather(null);
  }

  /** True while the shown page stopped short with more to search (Stop, or a request failed). */
  private get unfinished(): boolean {
    return !!this.page?.partial && !!this.page.next && this.page.records.length < PAGE_SIZE;
  }

  /**
   * Fills the page that starts at `this.cursor`: from `from` (the cursor, or where a
   * stopped search left off) with `base` gathered so far, asking again while the helper
   * answers partial pages, until the page is full, the trail ends or Stop.
   */
  private async gather(base: TrailPage | null, from: TrailCursor | null = this.cursor): Promise<void> {
    const generation = ++this.generation;
    this.stopping = false;
    this.loading = true;
    this.selected = null;
    this.page = base;
    this.error = null;
    this.paint();
    let page: TrailPage = base ?? { records: [], next: null, scanned_bytes: 0, partial: false };
    let cursor = from;
    try {
      for (;;) {
        // One request at a time: a search started while another's request is in flight
        // waits for that answer (and drops it) before asking.
        while (this.inflight) await this.inflight.catch(() => undefined);
        if (generation !== this.generation) return;
        const request = this.backend.trailPage(buildQuery(this.searched, cursor, PAGE_SIZE - page.records.length));
        this.inflight = request;
        let answer: TrailPage;
        try {
          answer = await request;
        } finally {
          this.inflight = null;
        }
        if (generation !== this.generation) return;
        page = {
          records: [...page.records, ...answer.records],
          next: answer.next,
          scanned_bytes: page.scanned_bytes + answer.scanned_bytes,
          partial: !!answer.partial && answer.next !== null,
        };
        this.page = page;
        if (!this.unfinished || this.stopping) break;
        cursor = answer.next;
        this.paint();
      }
    } catch (err) {
      if (generation !== this.generation) return;
      const e = toBackendError(err);
      this.page = null;
      this.error = `${e.message}${advice(e.code) ? ` — ${advice(e.code)}` : ""}`;
    }
    this.loading = false;
    this.stopping = false;
    this.paint();
  }

  /** Ends the search after the request in flight; what was found stays, Continue goes on. */
  stop(): void {
    if (!this.loading || this.stopping) return;
    this.stopping = true;
    this.paint();
  }

  async next(): Promise<void> {
    if (!this.page?.next || this.loading) return;
    if (this.unfinished) {
      // Continue the stopped search into the same page.
      await this.gather(this.page, this.page.next);
      return;
    }
    this.previous.push(this.cursor);
    this.cursor = this.page.next;
    await this.gather(null);
  }

  async prev(): Promise<void> {
    if (this.previous.length === 0 || this.loading) return;
    this.cursor = this.previous.pop() ?? null;
    await this.gather(null);
  }

  paint(): void {
    const scroll = this.root.querySelector(".records-wrap")?.scrollTop ?? 0;
    this.root.replaceChildren(
      h("div", { class: "trail", "data-state": this.loading ? "loading" : this.error ? "error" : "ready" }, this.form(), this.results(), this.detail()),
    );
    const wrap = this.root.querySelector(".records-wrap");
    if (wrap) wrap.scrollTop = scroll;
  }

  private form(): HTMLElement {
    const f = this.filters;
    const input = (key: keyof TrailFilters, label: string, attrs: Record<string, string>) => {
      const el = h("input", { id: `f-${key}`, name: key, "data-testid": `f-${key}`, spellcheck: "false", ...attrs });
      el.value = f[key];
      el.addEventListener("input", () => ((this.filters as unknown as Record<string, string>)[key] = el.value));
      return h("div", { class: "field" }, h("label", { for: `f-${key}` }, label), el);
    };
    const outcome = h("select", { id: "f-outcome", "data-testid": "f-outcome" });
    for (const [v, l] of [
      ["any", "Any"],
      ["success", "Success"],
      ["failure", "Failure"],
    ] as const) {
      const o = h("option", { value: v }, l);
      o.selected = f.outcome === v;
      outcome.append(o);
    }
    outcome.addEventListener("change", () => (this.filters.outcome = outcome.value as Outcome));
    const form = h(
      "form",
      { class: "filters", "data-testid": "trail-filters" },
      input("since", "From (UTC)", { type: "datetime-local", step: "1" }),
      input("until", "Until (UTC)", { type: "datetime-local", step: "1" }),
      input("classes", "Classes", { type: "text", placeholder: "lo,aa" }),
      input("events", "Events", { type: "text", placeholder: "AUE_EXECVE,72" }),
      input("user", "User (auid)", { type: "text", placeholder: "501 or alice" }),
      h("div", { class: "field" }, h("label", { for: "f-outcome" }, "Outcome"), outcome),
      h("button", { type: "submit", class: "primary", "data-testid": "search" }, "Search"),
    );
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.search();
    });
    return form;
  }

  private results(): HTMLElement {
    const out = h("div", { class: "results" });
    if (this.filterError) out.append(note("error", this.filterError, "filter-error"));
    if (this.error !== null) {
      out.append(h("div", { class: "failure", role: "alert", "data-testid": "error" }, h("p", { class: "failure-title" }, "Cannot read the trails"), h("p", {}, this.error)));
      return out;
    }
    if (!this.page) {
      out.append(note(this.loading ? "loading" : "empty", this.loading ? "Reading the trails…" : "Choose filters and search.", this.loading ? "loading" : "idle"));
      return out;
    }
    const page = this.page;
    const pageNo = this.previous.length + 1;
    const searching = this.loading;
    const unfinished = this.unfinished;
    const pager = h(
      "div",
      { class: "pager" },
      h("span", { class: "hint", "data-testid": "page-info" }, `Page ${pageNo} · ${page.records.length} records · ${bytes(page.scanned_bytes)} scanned`),
      button("‹ Previous", { "data-testid": "prev", ...(this.previous.length === 0 || searching ? { disabled: "" } : {}) }, () => void this.prev()),
      button(unfinished && !searching ? "Continue ›" : "Next ›", { "data-testid": "next", ...(!page.next || searching ? { disabled: "" } : {}) }, () => void this.next()),
    );
    if (searching) {
      // Partial answers so far: say how far the search got, and offer to stop it.
      out.append(
        h(
          "div",
          { class: "search-progress", role: "status", "aria-live": "polite", "data-testid": "search-progress" },
          h("span", {}, `Searching… ${bytes(page.scanned_bytes)} scanned · ${page.records.length} found`),
          button(this.stopping ? "Stopping…" : "Stop", { "data-testid": "stop", ...(this.stopping ? { disabled: "" } : {}) }, () => this.stop()),
        ),
      );
    } else if (unfinished) {
      out.append(
        note("empty", `Search stopped after ${bytes(page.scanned_bytes)}; Continue searches further.`, "stopped"),
      );
    }
    if (page.records.length === 0) {
      if (searching || unfinished) {
        out.append(pager);
        return out;
      }
      // The engine may end a run of full pages with one empty page.
      const text = this.previous.length > 0 ? "No more records." : "No records match these filters.";
      out.append(note("empty", text, "empty"), pager);
      return out;
    }
    const rows = page.records.map((r) => {
      const tr = h(
        "tr",
        {
          tabindex: "0",
          "data-testid": "record",
          class: `${r.return && !r.return.success ? "failed" : ""}${this.selected === r ? " selected" : ""}`,
          "aria-selected": String(this.selected === r),
        },
        h("td", { class: "when" }, r.time.replace("T", " ").replace(/\.\d+Z$/, "").replace("Z", "")),
        h("td", {}, h("code", {}, r.event.name ?? String(r.event.number))),
        h("td", {}, r.event.classes.join(",")),
        h("td", { class: "num" }, r.subject ? auid(r.subject.auid) : "—"),
        h("td", { class: "num" }, r.subject ? String(r.subject.pid) : "—"),
        h("td", {}, r.return ? (r.return.success ? "success" : r.return.errno ?? `error ${r.return.status}`) : "—"),
        h("td", { class: "gist" }, gist(r)),
      );
      const open = () => {
        this.selected = r;
        this.paint();
        this.root.querySelector<HTMLElement>("[data-testid=record-detail]")?.focus();
      };
      tr.addEventListener("click", open);
      tr.addEventListener("keydown", (e) => {
        if (e.key === "Enter" || e.key === " ") {
          e.preventDefault();
          open();
        }
      });
      return tr;
    });
    out.append(
      h(
        "div",
        { class: "records-wrap" },
        h(
          "table",
          { class: "grid records", "data-testid": "records" },
          h("thead", {}, h("tr", {}, ...["Time (UTC)", "Event", "Class", "auid", "PID", "Result", "Detail"].map((t) => h("th", {}, t)))),
          h("tbody", {}, ...rows),
        ),
      ),
      pager,
    );
    return out;
  }

  private detail(): HTMLElement | null {
    const r = this.selected;
    if (!r) return null;
    const row = (k: string, v: Node | string | null | undefined) => (v === null || v === undefined || v === "" ? null : [h("dt", {}, k), h("dd", {}, v)]);
    const s = r.subject;
    const items = [
      row("Time", r.time),
      row("Event", `${r.event.name ?? r.event.number} (${r.event.number})${r.event.description ? ` — ${r.event.description}` : ""}`),
      row("Classes", r.event.classes.join(", ")),
      s ? row("Subject", `auid ${auid(s.auid)} · euid ${s.euid} · egid ${s.egid} · ruid ${s.ruid} · rgid ${s.rgid}`) : row("Subject", "none"),
      s ? row("Process", `pid ${s.pid} · session ${s.session}${s.terminal ? ` · terminal ${s.terminal.address}:${s.terminal.port}` : ""}`) : null,
      r.return
        ? row("Return", r.return.success ? `success (value ${r.return.value})` : `failure: ${r.return.errno ?? r.return.status} ${r.return.error ?? ""} (value ${r.return.value})`)
        : row("Return", "none"),
      r.paths?.length ? row("Paths", h("ul", { class: "plain" }, ...r.paths.map((p) => h("li", {}, h("code", {}, p))))) : null,
      r.args?.length ? row("Arguments", h("ul", { class: "plain" }, ...r.args.map((a) => h("li", {}, h("code", {}, `arg${a.num} ${a.text} = 0x${a.value.toString(16)}`))))) : null,
      r.exec_args?.length ? row("Command line", h("code", {}, r.exec_args.join(" "))) : null,
      r.exec_env?.length ? row("Environment", h("ul", { class: "plain" }, ...r.exec_env.map((e) => h("li", {}, h("code", {}, e))))) : null,
      r.text?.length ? row("Text", r.text.join(" · ")) : null,
      r.omitted ? row("Tokens", r.omitted) : null,
      row("Where", `${r.trail_file ? `${r.trail_file}, ` : ""}offset ${r.trail_offset ?? r.offset}, ${r.length} bytes`),
    ].flat().filter((x): x is HTMLElement => !!x);
    const close = button("Close", { "data-testid": "close-detail" }, () => {
      this.selected = null;
      this.paint();
    });
    const panel = h(
      "aside",
      { class: "record-detail", tabindex: "-1", "data-testid": "record-detail", "aria-label": "Record detail" },
      h("div", { class: "row" }, h("h3", {}, "Record"), close),
      h("dl", { class: "facts" }, ...items),
      h("details", {}, h("summary", {}, "JSON"), h("pre", { class: "json" }, JSON.stringify(r, null, 2))),
    );
    panel.addEventListener("keydown", (e) => {
      if (e.key === "Escape") {
        this.selected = null;
        this.paint();
      }
    });
    return panel;
  }
}
