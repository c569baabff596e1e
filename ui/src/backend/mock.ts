// A scripted, stateful backend: the tests' stand-in for Rust, and what the screenshot
// build shows. It behaves like the helper where the UI depends on it: applies need
// every risk acknowledged, an apply with a deadline stays pending until confirmed,
// rollbacks add revisions, the trail pages through its records with a cursor, an
// applied step soaks and holds the next one back unless its soak is skipped, and what
// the glance's managed profile locks is refused with `managed`.

import type { Backend } from "./index";
import { BackendError } from "./error";
import * as data from "./mock-data";
import type {
  Appearance,
  Applied,
  ChartKind,
  ChartWindow,
  ComplianceReport,
  ConfigReport,
  Glance,
  History,
  Measurement,
  MeasureRequest,
  NextStepReport,
  Plan,
  PlanTarget,
  Preferences,
  RevisionInfo,
  SoakStatus,
  StepReview,
  StepToken,
  TrailPage,
  TrailQuery,
  TrailRecord,
  WindowName,
} from "./types";

/** A stand-in for the helper's sha256 of a planned file: equal texts, equal tokens. */
function mockHash(text: string): string {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) >>> 0;
  return h.toString(16).padStart(8, "0");
}

export interface MockState {
  report: ConfigReport;
  glance: Glance;
  plan: Plan | null;
  /**
   * What review_step answers: the last step's soak and its review. null: no step was
   * ever applied (review_step is refused with `not-found`, as the helper does).
   */
  review: StepReview | null;
  history: History;
  prefs: Preferences;
  records: TrailRecord[];
  /**
   * SVG markup per chart: `sparkline`, `rates`, `forecast`, `soak`, optionally refined by
   * window and appearance (`rates:hour`, `forecast:dark`, `rates:hour:dark`).
   */
  charts: Record<string, string>;
  /** Commands that fail, by Backend method name. */
  failures: Partial<Record<keyof Backend, BackendError | Error>>;
  /** Commands that never answer (to show loading states). */
  hang: Partial<Record<keyof Backend, true>>;
  /** The mock's clock, unix seconds. */
  now: () => number;
  /** Risk ids that restoring a revision carries (it must be acknowledged), by revision. */
  rollbackRisks: Record<number, string[]>;
  /**
   * Record bytes one trail_page answer may examine, like the helper's scan budget: past
   * it, a page that is not full comes back as it is with `partial: true`. Infinity (the
   * default) reads to the end, as a helper without a budget did.
   */
  trailScanBudget: number;
}

const SIMPLE_SVG = (title: string) =>
  `<svg width="280" height="48" viewBox="0 0 280 48" xmlns="http://www.w3.org/2000/svg"><title>${title}</title>` +
  `<polyline fill="none" stroke="currentColor" stroke-width="1.5" points="0,40 40,30 80,34 120,12 160,28 200,20 240,26 280,18"/></svg>`;

export function defaultState(): MockState {
  return {
    report: structuredClone(data.configChecked),
    glance: structuredClone(data.glanceOk),
    plan: structuredClone(data.planAddAd),
    review: null,
    history: structuredClone(data.history),
    prefs: structuredClone(data.preferences),
    records: data.trailRecords(),
    charts: {
      sparkline: SIMPLE_SVG("Events per second over the last 24h: aa, ad, lo"),
      rates: SIMPLE_SVG("Audit events per second by class, last 24 hours"),
      forecast: SIMPLE_SVG("Trail folder size and free space forecast"),
      soak: SIMPLE_SVG("Step volume since it was applied, against its predicted band"),
    },
    failures: {},
    hang: {},
    trailScanBudget: Number.POSITIVE_INFINITY,
    now: () => Math.floor(Date.now() / 1000),
    rollbackRisks: {},
  };
}

export class MockBackend implements Backend {
  readonly state: MockState;
  /** Every call with its arguments, in order. */
  readonly log: { method: keyof Backend; args: unknown[] }[] = [];
  private glanceHandlers: ((g: Glance) => void)[] = [];

  constructor(state: Partial<MockState> = {}) {
    this.state = { ...defaultState(), ...state };
  }

  /** How many times a method was called. */
  count(method: keyof Backend): number {
    return this.log.filter((c) => c.method === method).length;
  }

  /** The arguments of the last call of a method. */
  lastArgs(method: keyof Backend): unknown[] | undefined {
    return [...this.log].reverse().find((c) => c.method === method)?.args;
  }

  /** Pushes a glance as the helper subscription would. */
  push(glance: Glance): void {
    this.state.glance = glance;
    for (const h of this.glanceHandlers) h(structuredClone(glance));
  }

  private async enter(method: keyof Backend, args: unknown[]): Promise<void> {
    this.log.push({ method, args });
    if (this.state.hang[method]) await new Promise(() => {});
    const failure = this.state.failures[method];
    if (failure) throw failure;
  }

  async configDiagnostics(): Promise<ConfigReport> {
    await this.enter("configDiagnostics", []);
    return structuredClone(this.state.report);
  }
  async openDashboard(): Promise<void> {
    await this.enter("openDashboard", []);
  }
  async closePopover(): Promise<void> {
    await this.enter("closePopover", []);
  }
  async openWindow(name: WindowName): Promise<void> {
    await this.enter("openWindow", [name]);
  }

  async glance(): Promise<Glance> {
    await this.enter("glance", []);
    return structuredClone(this.state.glance);
  }
  async onGlance(handler: (glance: Glance) => void): Promise<() => void> {
    await this.enter("onGlance", []);
    this.glanceHandlers.push(handler);
    return () => {
      this.glanceHandlers = this.glanceHandlers.filter((h) => h !== handler);
    };
  }
  async sparkline(window: ChartWindow): Promise<string> {
    await this.enter("sparkline", [window]);
    return this.state.charts.sparkline ?? "";
  }
  async chart(kind: ChartKind, window: ChartWindow, appearance: Appearance): Promise<string> {
    await this.enter("chart", [kind, window, appearance]);
    const c = this.state.charts;
    return (
      c[`${kind}:${window}:${appearance}`] ?? c[`${kind}:${appearance}`] ?? c[`${kind}:${window}`] ?? c[kind] ?? ""
    );
  }
  async firstPaint(view: string): Promise<void> {
    await this.enter("firstPaint", [view]);
  }

  async trailPage(query: TrailQuery): Promise<TrailPage> {
    await this.enter("trailPage", [structuredClone(query)]);
    // Cursors are opaque to the UI; the shell's are {file, offset}, the mock's the same.
    const cursor = query.cursor as { file?: string; offset?: number } | null;
    const start = cursor ? Number(cursor.offset) : 0;
    if (!Number.isInteger(start) || start < 0) {
      throw new BackendError("invalid", `cursor ${JSON.stringify(query.cursor)} does not parse`);
    }
    if (query.pageSize < 1 || query.pageSize > 1000) throw new BackendError("invalid", "page size must be 1 to 1000");
    // Cursors index the whole trail (not the matches), like the helper's byte offsets,
    // so a page can stop part-way through a stretch without matches.
    const all = this.state.records;
    const budget = Math.max(this.state.trailScanBudget, 1);
    const records: TrailRecord[] = [];
    let scanned = 0;
    let i = start;
    for (; i < all.length && records.length < query.pageSize && scanned < budget; i++) {
      scanned += all[i]!.length;
      if (matches(all[i]!, query)) records.push(all[i]!);
    }
    const full = records.length === query.pageSize;
    // A full page points past itself only if something matches further on (the mock
    // can tell; the helper cannot, and may end with an empty page).
    const more = full ? all.slice(i).some((r) => matches(r, query)) : i < all.length;
    return {
      records: structuredClone(records),
      next: more ? { file: "mock", offset: i } : null,
      scanned_bytes: scanned,
      partial: more && !full,
    };
  }

  async compliance(baseline: string): Promise<ComplianceReport> {
    await this.enter("compliance", [baseline]);
    // As the helper: the profile's tailoring applies to every baseline's report.
    return data.complianceReport(baseline, this.state.glance.managed?.tailoring ?? null);
  }

  /** The helper's refusal when the profile does not allow `key` here (keeper.rs). */
  private refuseManaged(key: "AllowUserTuning" | "AllowRollback"): void {
    const m = this.state.glance.managed;
    const locked = key === "AllowUserTuning" ? m?.allow_user_tuning === false : m?.allow_rollback === false;
    if (locked) throw new BackendError("managed", data.lockedReason(key, "false"));
  }

  async planNext(target: PlanTarget): Promise<NextStepReport> {
    await this.enter("planNext", [target]);
    const plan = structuredClone(this.state.plan);
    return {
      plan,
      risks: plan?.risks ?? [],
      token: plan ? { target, base_hash: "mock-base", after_hash: mockHash(plan.after) } : null,
    };
  }

  async reviewStep(): Promise<StepReview> {
    await this.enter("reviewStep", []);
    if (!this.state.review) {
      throw new BackendError("not-found", "no tuning step has been applied yet: apply one, let it soak, then review it");
    }
    return structuredClone(this.state.review);
  }

  async measure(request: MeasureRequest): Promise<Measurement> {
    await this.enter("measure", [request]);
    const items = request.classes.split(",").map((s) => s.trim()).filter(Boolean);
    if (items.length === 0) throw new BackendError("invalid-request", "empty selection");
    const classes = items.map((item, i) => {
      const failureOnly = item.startsWith("-");
      const successOnly = item.startsWith("+");
      const events = Math.round(((i + 3) * 37 * request.seconds) / 600);
      const side = (n: number) => ({ events: n, bytes: n * 170 });
      return {
        class: item.replace(/^[-+]/, ""),
        success: failureOnly ? null : side(events),
        failure: successOnly ? null : side(Math.round(events / 3)),
      };
    });
    const records = classes.reduce((n, c) => n + (c.success?.events ?? 0) + (c.failure?.events ?? 0), 0);
    return {
      flags: request.classes,
      naflags: "",
      duration_secs: request.seconds,
      records,
      bytes: records * 170,
      classes,
      method: "simulator",
      dropped: 0,
    };
  }

  async applyPlan(token: StepToken, acks: string[], confirmWithin: number | null, skipSoak = false): Promise<Applied> {
    await this.enter("applyPlan", [token, [...acks], confirmWithin, skipSoak]);
    this.refuseManaged("AllowUserTuning");
    // As the helper: a soaking step holds the next one back (a tweak, its remedy, never
    // waits), before anything else is checked.
    const soak = this.state.review?.soak;
    const now = this.state.now();
    if (soak && soak.state === "soaking" && now < soak.ends_unix && !skipSoak && !token.target.startsWith("tweak:")) {
      throw new BackendError("soaking", soakingReason(soak, now));
    }
    const plan = this.planFor(token);
    const missing = plan.risks.filter((r) => !acks.includes(r.id));
    if (missing.length > 0) {
      throw new BackendError(
        "ack-required",
        `acknowledge: ${missing.map((r) => r.id).join(", ")}`,
        missing.map((r) => ({ id: r.id, message: "" })),
      );
    }
    const changes = plan.diff.map((d) => ({
      key: d.key,
      old: d.before,
      new: d.after,
      summary: plan.semantic_diff.find((s) => s.key === d.key)?.text ?? `${d.key}: ${d.before} → ${d.after}`,
    }));
    const pending = confirmWithin
      ? { revision: this.nextRevision(), deadline_unix: this.state.now() + confirmWithin }
      : null;
    const before = this.state.history.revisions[0]?.number ?? null;
    const rev = this.record("apply", plan.title, changes, acks, pending ? "pending" : null);
    this.startSoak(plan, rev.number, before);
    this.state.glance = { ...this.state.glance, pending_confirm: pending, head_revision: rev.number };
    return { revision: rev.number, pending_confirm: pending, changes, unchanged: false, reload_warning: null };
  }

  /** The plan a token names: the review's next step, one of its tweaks, or planNext's. */
  private planFor(token: StepToken): Plan {
    const review = this.state.review;
    const same = (a: StepToken | null | undefined) =>
      !!a && a.target === token.target && a.base_hash === token.base_hash && a.after_hash === token.after_hash;
    if (token.target.startsWith("tweak:")) {
      const tweak = review?.tweaks.find((t) => same(t.token));
      if (!tweak) throw new BackendError("invalid-request", `no tweak ${token.target.slice("tweak:".length)} is proposed for the step`);
      return tweak.plan;
    }
    if (review?.next && same(review.next_token)) return review.next;
    const plan = this.state.plan;
    if (!plan) throw new BackendError("invalid-request", "nothing to apply: the target is already met");
    if (token.after_hash !== mockHash(plan.after)) {
      throw new BackendError("base-changed", "the next step is not the one you reviewed; review it again");
    }
    return plan;
  }

  /** The applied step's soak, as the helper starts it: measuring, nothing to review yet. */
  private startSoak(plan: Plan, revision: number, previous: number | null): void {
    const adds = plan.prediction.classes.some((c) => c.added);
    const days = adds ? 3 : 1;
    const now = this.state.now();
    const soak: SoakStatus = {
      revision,
      number: (this.state.review?.soak.number ?? 0) + 1,
      step: plan.step,
      title: plan.title,
      started_unix: now,
      ends_unix: now + days * 86_400,
      soak_days: days,
      soak_reason: adds
        ? `it adds ${addedSides(plan)}: 171 events (the step's volume to ±15 %) take about ${days} days`
        : "adds no class: one daily cycle shows what the change costs",
      days_observed: 0,
      state: "soaking",
      ended_by: null,
      predicted: plan.prediction.bytes_per_day,
      measured_bytes_per_day: null,
      ratio: null,
      over_budget: null,
      review: null,
      summary: `${plan.title} — ${adds ? `day 1 of ${days}` : "soaking 24 hours"} — measuring (under an hour recorded)`,
    };
    this.state.review = {
      soak,
      review: {
        verdict: "keep-soaking",
        reasons: [
          `soaking: 0 minutes of ${humanDays(days)} observed`,
          "under an hour recorded since the step: nothing to compare with the prediction yet",
        ],
        days_observed: 0,
        ratio: null,
      },
      next: null,
      next_risks: [],
      next_token: null,
      tweaks: [],
      rollback_to: previous,
    };
    this.state.glance = { ...this.state.glance, soak: structuredClone(soak) };
  }

  /** A change that restores another revision ends the soak: its figures no longer describe the step. */
  private endSoak(why: string): void {
    const review = this.state.review;
    if (!review || review.soak.state === "ended") return;
    const soak: SoakStatus = { ...review.soak, state: "ended", ended_by: why, summary: `${review.soak.title} — soak ended: ${why}` };
    this.state.review = { ...review, soak };
    this.state.glance = { ...this.state.glance, soak: structuredClone(soak) };
  }

  async confirm(): Promise<void> {
    await this.enter("confirm", []);
    const pending = this.state.glance.pending_confirm;
    if (!pending) throw new BackendError("not-found", "nothing is awaiting confirmation");
    const rev = this.state.history.revisions.find((r) => r.number === pending.revision);
    if (rev) rev.confirmation = "confirmed";
    this.state.glance = { ...this.state.glance, pending_confirm: null };
  }

  /** Pages like the helper does, with a small page so paging shows. */
  async history(before?: number): Promise<History> {
    await this.enter("history", before === undefined ? [] : [before]);
    const all = structuredClone(this.state.history);
    const older = all.revisions.filter((r) => before === undefined || r.number < before);
    const page = older.slice(0, this.historyPage);
    const last = page[page.length - 1];
    const next = older.length > page.length && last ? { next_before: last.number } : {};
    return { ...all, revisions: page, ...next };
  }

  /** Revisions per history page (the helper's default is 50). */
  historyPage = 50;

  async rollback(revision: number, acks: string[] = []): Promise<Applied> {
    await this.enter("rollback", [revision, [...acks]]);
    this.refuseManaged("AllowRollback");
    return this.rollbackTo(revision, acks);
  }

  async rollbackLast(acks: string[] = []): Promise<Applied> {
    await this.enter("rollbackLast", [[...acks]]);
    this.refuseManaged("AllowRollback");
    const previous = this.state.history.revisions[1];
    if (!previous) throw new BackendError("not-found", "there is no earlier revision");
    return this.rollbackTo(previous.number, acks);
  }

  async getPreferences(): Promise<Preferences> {
    await this.enter("getPreferences", []);
    return structuredClone(this.state.prefs);
  }
  async setPreferences(prefs: Preferences): Promise<Preferences> {
    await this.enter("setPreferences", [structuredClone(prefs)]);
    this.state.prefs = structuredClone(prefs);
    // The menu-bar item follows the user's choice unless a profile forces EnableMenuItem.
    const forced = this.state.glance.managed?.enable_menu_item ?? null;
    this.state.glance = { ...this.state.glance, tray: { ...this.state.glance.tray, visible: forced ?? !prefs.hide_menu_item } };
    return structuredClone(prefs);
  }

  private nextRevision(): number {
    return (this.state.history.revisions[0]?.number ?? 0) + 1;
  }

  private record(
    source: RevisionInfo["source"],
    reason: string,
    changes: RevisionInfo["changes"],
    acks: string[],
    confirmation: RevisionInfo["confirmation"],
  ): RevisionInfo {
    const rev: RevisionInfo = {
      number: this.nextRevision(),
      time_unix: this.state.now(),
      uid: 501,
      user: "alice",
      source,
      reason,
      hash: `mock${this.nextRevision()}`.padEnd(64, "0"),
      chain: `chain${this.nextRevision()}`.padEnd(64, "0"),
      changes,
      acks: [...acks],
      confirmation,
    };
    // A new revision supersedes a pending one, which then stays (docs/protocol.md).
    for (const r of this.state.history.revisions) if (r.confirmation === "pending") r.confirmation = "confirmed";
    this.state.history.revisions.unshift(rev);
    return rev;
  }

  private rollbackTo(revision: number, acks: string[]): Applied {
    const target = this.state.history.revisions.find((r) => r.number === revision);
    if (!target) throw new BackendError("not-found", `no revision ${revision}`);
    const missing = (this.state.rollbackRisks[revision] ?? []).filter((id) => !acks.includes(id));
    if (missing.length > 0) {
      throw new BackendError("ack-required", `acknowledge: ${missing.join(", ")}`, missing.map((id) => ({ id, message: "" })));
    }
    const head = this.state.history.revisions[0]!;
    const changes = head.changes.map((c) => ({
      key: c.key,
      old: c.new,
      new: c.old,
      summary: `${c.key}: ${c.new ?? "(not set)"} → ${c.old ?? "(not set)"}`,
    }));
    const rev = this.record("rollback", `roll back to revision ${revision}`, changes, [], null);
    this.state.glance = { ...this.state.glance, pending_confirm: null, head_revision: rev.number };
    this.endSoak(`rolled back to revision ${revision} (now revision ${rev.number})`);
    return { revision: rev.number, pending_confirm: null, changes, unchanged: false, reload_warning: null };
  }
}

/** The class sides a plan adds, as the soak reason names them: "+ad,-ad". */
function addedSides(plan: Plan): string {
  const sides = plan.prediction.classes.filter((c) => c.added).map((c) => `${c.side === "success" ? "+" : "-"}${c.class}`);
  return [...new Set(sides)].join(",");
}

/** earshot_model::format::human_days: "15 hours", "3 days", "40 minutes". */
function humanDays(d: number): string {
  if (d >= 2) return `${Math.round(d)} days`;
  if (d * 24 >= 1) return `${Math.round(d * 24)} hours`;
  return `${Math.round(d * 24 * 60)} minutes`;
}

/** earshot_model::format::human_bytes_f64: "426.8 KiB", "1.2 MiB". */
function humanBytes(b: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = Math.abs(b);
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${b < 0 ? "-" : ""}${i === 0 ? v.toFixed(0) : v.toFixed(1)} ${units[i]}`;
}

/** The helper's refusal while a step soaks (earshot-helper keeper.rs soaking_error). */
function soakingReason(s: SoakStatus, now: number): string {
  const observed = Math.min((now - s.started_unix) / 86_400, s.soak_days);
  const left = Math.max(0, s.ends_unix - now) / 86_400;
  const seen =
    s.measured_bytes_per_day !== null && s.predicted.typical > 0
      ? `so far it writes ${humanBytes(s.measured_bytes_per_day)}/day, ${(s.measured_bytes_per_day / s.predicted.typical).toFixed(2)}× the predicted ${humanBytes(s.predicted.typical)}/day`
      : "too little has been recorded yet to compare with the prediction";
  return (
    `"${s.title}" (revision ${s.revision}) is soaking: ${humanDays(observed)} of ${humanDays(s.soak_days)} observed, ` +
    `${humanDays(left)} left; ${seen}. Review it when the soak ends, or apply anyway with skip_soak (the skipped soak is recorded).`
  );
}

/** The trail filter as the Rust side applies it (earshot trail export semantics). */
export function matches(r: TrailRecord, q: TrailQuery): boolean {
  const t = Date.parse(r.time) / 1000;
  if (q.since !== null && t < q.since) return false;
  if (q.until !== null && t >= q.until) return false;
  if (q.classes.length > 0 && !r.event.classes.some((c) => q.classes.includes(c))) return false;
  if (
    q.events.length > 0 &&
    !q.events.some((e) => e === r.event.name || e === String(r.event.number))
  ) {
    return false;
  }
  if (q.user !== null && r.subject) {
    const auid = r.subject.auid;
    if (q.user !== String(auid) && q.user !== data.userName(auid) && !(q.user === "-1" && auid === 4294967295)) {
      return false;
    }
  }
  if (q.outcome !== "any" && r.return) {
    if (r.return.success !== (q.outcome === "success")) return false;
  }
  return true;
}

/** A scenario whose step `flags: add ad` is revision 5; skipping its soak plans the
 * step after it. */
function soak(base: Partial<MockState>, glance: Glance, review: StepReview): Partial<MockState> {
  return {
    ...base,
    glance: structuredClone(glance),
    review: structuredClone(review),
    history: data.soakHistory(review.soak.started_unix),
    plan: structuredClone(data.planFailedEx),
  };
}

/** Named states for the screenshot build (`window.__EARSHOT_MOCK__ = "<scenario>"`). */
export function scenario(name: string, charts: MockState["charts"] = {}): Partial<MockState> {
  const base = { charts: { ...defaultState().charts, ...charts }, now: () => data.NOW };
  switch (name) {
    case "warning":
      return { ...base, glance: structuredClone(data.glanceWarning), plan: structuredClone(data.planAddAd) };
    case "unknown":
      return { ...base, glance: structuredClone(data.glanceUnknown) };
    case "off":
      return { ...base, glance: structuredClone(data.glanceOff) };
    case "minfree-soon":
      return { ...base, glance: structuredClone(data.glanceMinfreeSoon) };
    case "risks":
      return { ...base, plan: structuredClone(data.planAhlt) };
    case "soaking":
      return soak(base, data.glanceSoaking, data.reviewSoaking);
    case "soak-over":
      return soak(base, data.glanceSoakOver, data.reviewSoakingOver);
    case "soak-reviewed":
      return soak(base, data.glanceSoakReviewed, data.reviewAdNext);
    case "soak-tweak":
      return soak(base, data.glanceSoakTweak, data.reviewTweak);
    case "managed":
      // Auditing as on the laptop, but the profile keeps changes and roll backs with
      // the administrators; its tailoring shapes the compliance report.
      return { ...base, glance: structuredClone(data.glanceManaged) };
    case "tampered":
      return {
        ...base,
        history: {
          ...structuredClone(data.history),
          chain_intact: false,
          chain_problem: "revision 2: its stored bytes do not match its hash (altered after it was recorded)",
        },
      };
    default:
      return base;
  }
}
