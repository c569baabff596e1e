// The tuning wizard: one rung of the ladder at a time (docs/tuning-guide.md §2). It
// shows the step, why, the change as a readable diff, the predicted cost, retention and
// time to minfree, the risks (each needing its own acknowledgement), an optional trial
// measurement, then Apply through the helper and a confirm-or-auto-revert countdown.
// An applied step then soaks (docs/tuning-guide.md §6): while it does, the wizard shows
// what it has cost so far and holds the next step back unless the user skips the soak
// knowingly; once the helper has reviewed it, the verdict with its one-click actions.
// Under an organisation's profile (glance.managed) what it locks — Apply and the steps a
// review offers, or the roll backs — stays on screen, disabled, with why.

import type {
  Applied,
  Backend,
  Diagnostic,
  Managed,
  Measurement,
  Plan,
  PlanTarget,
  Review,
  Risk,
  SoakStatus,
  StepKind,
  StepReview,
  StepToken,
  Tweak,
} from "../backend";
import { advice, toBackendError } from "../backend";
import { lineDiff } from "../diff";
import { button, chartSvg, h, note, withCode } from "../dom";
import { binaryBytes, bytes, clock, count, days, utc } from "../format";
import { type Lock, lockControl, lockNote, readManaged, rollbackLock, sameManaged, tuningLock } from "../managed";
import { soakWhen } from "../soak";
import { ConnectionBadge } from "./connection";
import { appearance } from "./dashboard";
import { riskChecks } from "./risks";

export const TARGETS: { value: PlanTarget; label: string }[] = [
  { value: "next", label: "Earshot's recommendation" },
  { value: "cis-l1", label: "CIS Level 1" },
  { value: "cis-l2", label: "CIS Level 2" },
  { value: "stig-26", label: "DISA STIG (macOS 26)" },
  { value: "800-53-moderate", label: "NIST 800-53 moderate" },
  { value: "800-53-high", label: "NIST 800-53 high" },
];

/** Seconds the helper waits for "Keep" before it reverts by itself. */
export const CONFIRM_WITHIN = 120;

/** How often a soaking step is asked for again while the window is visible (the helper
 *  measures it every minute). */
export const SOAK_REFRESH_MS = 60_000;

/** Steps that change `flags`: running sessions keep their old mask until the next login. */
const FLAGS_STEPS: StepKind[] = ["base-flags", "add-flag"];

const DURATIONS = [
  { secs: 60, label: "1 minute" },
  { secs: 600, label: "10 minutes" },
  { secs: 3600, label: "1 hour" },
];

export interface WizardOptions {
  /** Unix seconds now (tests pin it). */
  now?: () => number;
}

type Phase =
  | { kind: "loading" }
  | { kind: "error"; text: string; code: string }
  | { kind: "done" }
  | { kind: "soaking"; review: StepReview }
  | { kind: "verdict"; review: StepReview }
  | { kind: "rolled-back"; text: string; warning: string | null; flags: boolean }
  | { kind: "plan"; plan: Plan }
  | { kind: "applying"; plan: Plan }
  | { kind: "countdown"; plan: Plan; applied: Applied }
  | { kind: "finished"; plan: Plan; applied: Applied; kept: boolean; text: string };

/** "1.5k (50–40k)": the typical figure, then the range when it is one. */
function range(r: { low: number; typical: number; high: number }, fmt: (n: number) => string): string {
  const typical = fmt(r.typical);
  return fmt(r.low) === fmt(r.high) ? typical : `${typical} (${fmt(r.low)}–${fmt(r.high)})`;
}

/** A flags item per added class side (`+ad`, `-fr`, `ad` when both sides are added). */
export function addedClasses(plan: Plan): string {
  const sides = new Map<string, Set<string>>();
  for (const c of plan.prediction.classes) {
    if (!c.added) continue;
    const s = sides.get(c.class) ?? new Set<string>();
    s.add(c.side);
    sides.set(c.class, s);
  }
  return [...sides]
    .map(([cls, s]) => (s.size === 2 ? cls : s.has("success") ? `+${cls}` : `-${cls}`))
    .join(",");
}

/**
 * Where a soaking step stands, as the wizard's line says it: "Step 2 of your plan —
 * day 1 of 3 — 0.53× the predicted volume so far" (a soak under a day counts hours).
 */
export function soakLine(s: SoakStatus): string {
  const sofar = s.ratio === null ? "measuring (under an hour recorded)" : `${s.ratio.toFixed(2)}× the predicted volume so far`;
  return `Step ${s.number} of your plan — ${soakWhen(s)} — ${sofar}`;
}

/** The verdict in one sentence, above its reasons. */
export function verdictHeadline(r: Review): string {
  switch (r.verdict) {
    case "next-step":
      // The helper also says "next step" above the range while storage holds.
      if (r.ratio !== null && r.ratio < 0.85) return "It cost less than predicted: take the next step";
      if (r.ratio !== null && r.ratio > 1.15) return "It cost more than predicted, but storage holds: take the next step";
      return "It cost what was predicted: take the next step";
    case "tweak":
      return "Tweak it before the next step";
    case "roll-back":
      return "Roll it back";
    case "keep-soaking":
      return "Keep soaking";
  }
}

/** A test id part from a tweak id (`drop:ad` → `drop-ad`). */
function tweakId(t: Tweak): string {
  return t.id.replaceAll(":", "-");
}

/** `control` disabled under `lock` (as it is without one), for building in place. */
function locked(control: HTMLButtonElement, lock: Lock | null, noteId: string): HTMLButtonElement {
  lockControl(control, lock, noteId);
  return control;
}

/** Bytes a day in binary units, as the helper's sentences beside them say it. */
function perDay(n: number): string {
  return `${binaryBytes(n)}/day`;
}

export class Wizard {
  private phase: Phase = { kind: "loading" };
  private target: PlanTarget = "next";
  /** Names exactly the step shown, for apply (from planNext). */
  private token: StepToken | null = null;
  private acks = new Set<string>();
  private autoRevert = true;
  private measurement: Measurement | null = null;
  private measuring = false;
  private measureError: string | null = null;
  private trialClasses = "";
  private trialSecs = 600;
  private applyError: { code: string; text: string; missing: Risk[]; diagnostics: Diagnostic[] } | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  /** A soak that ended before its review (an edit, a roll back): noted above the plan. */
  private ended: SoakStatus | null = null;
  /** Why the last step's soak could not be read (other than "no step yet"). */
  private soakError: string | null = null;
  /** How the plan on screen was reached: planned, the review's next step, one of its
   *  tweaks, or past a soak the user chose to skip. */
  private origin: "plan" | "review" | "tweak" | "skip" = "plan";
  /** The soak the user chose to skip: Apply sends skip_soak (the helper records it). */
  private skipping: SoakStatus | null = null;
  private skipTicked = false;
  /** The soak chart on screen (the SVG, or why there is none), kept across repaints. */
  private chartNode: Element | null = null;
  private refreshTimer: ReturnType<typeof setInterval> | null = null;
  private watching = false;
  private readonly onVisibility = () => this.visibilityChanged();
  /** Stops listening to pushed glances (set while a step soaks). */
  private unlisten: Promise<() => void> | null = null;
  /** Risks the helper wants acknowledged before it rolls the step back. */
  private rollbackRisks: Risk[] = [];
  private rollbackAcks = new Set<string>();
  private rollbackError: string | null = null;
  private rollingBack = false;
  /** What the organisation's profile forces (null: nothing, or not known yet). */
  private managed: Managed | null = null;
  /** Whether `managed` came from a connected helper (before, "nothing forced" is a guess). */
  private managedSure = false;
  /** The first glance and the push subscription that keeps `managed` current. */
  private managedWatch: Promise<void> | null = null;
  private now: () => number;
  readonly connection: ConnectionBadge;

  constructor(
    private root: HTMLElement,
    private backend: Backend,
    options: WizardOptions = {},
  ) {
    this.now = options.now ?? (() => Date.now() / 1000);
    this.connection = new ConnectionBadge(backend);
    // The soak chart is drawn for one appearance: redraw it when macOS switches.
    root.ownerDocument.defaultView
      ?.matchMedia?.("(prefers-color-scheme: dark)")
      .addEventListener?.("change", () => void this.drawChart());
  }

  /**
   * Starts over: the last step's soak first (the helper keeps it), then, with no step
   * soaking or awaiting its review, the next step toward the goal.
   */
  async load(): Promise<void> {
    this.stopTimer();
    this.phase = { kind: "loading" };
    this.acks.clear();
    this.measurement = null;
    this.measureError = null;
    this.applyError = null;
    this.ended = null;
    this.soakError = null;
    this.origin = "plan";
    this.skipping = null;
    this.skipTicked = false;
    this.chartNode = null;
    this.rollbackRisks = [];
    this.rollbackAcks.clear();
    this.rollbackError = null;
    this.rollingBack = false;
    this.paint();
    // Beside the soak, not after it: a locked Apply must be locked from its first paint.
    const learning = this.learnManaged();
    let review: StepReview | null = null;
    try {
      review = await this.backend.reviewStep();
    } catch (err) {
      const e = toBackendError(err);
      // not-found: no step was ever applied. Any other failure must not keep the user
      // from planning: the helper itself refuses a step while another soaks.
      if (e.code !== "not-found") this.soakError = e.message;
    }
    await learning;
    if (review?.soak.state === "soaking") return this.showReview({ kind: "soaking", review });
    if (review?.soak.state === "reviewed") return this.showReview({ kind: "verdict", review });
    if (review?.soak.state === "ended") this.ended = review.soak;
    await this.plan();
  }

  /**
   * What the profile forces, once per window: one glance, then the helper's pushes
   * (a profile installed or removed applies within a second). Cheap: the glance is
   * held in memory by the shell.
   */
  private learnManaged(): Promise<void> {
    this.managedWatch ??= (async () => {
      await this.backend
        .onGlance((g) => {
          // Only the helper knows what is forced: a glance without it keeps the last word.
          if (g.connection.state !== "connected") return;
          this.managedSure = true;
          this.managedChanged(g.managed ?? null);
        })
        .catch(() => {});
      await this.readManaged();
    })();
    return this.managedWatch;
  }

  /** Asks for the managed state now (after the first glance, only when it matters). */
  private async readManaged(): Promise<void> {
    const now = await readManaged(this.backend);
    if (!now.connected) return;
    this.managedSure = true;
    this.managed = now.managed;
  }

  private managedChanged(managed: Managed | null): void {
    if (sameManaged(managed, this.managed)) return;
    this.managed = managed;
    if (this.phase.kind !== "loading") this.paint();
  }

  /** Plans the next step toward the goal and shows it. */
  private async plan(): Promise<void> {
    try {
      const step = await this.backend.planNext(this.target);
      const plan = step.plan;
      // A plan means the helper answers: if the first glance came before it did (the
      // app still connecting), ask again so the step is never shown unlocked by mistake.
      if (plan && !this.managedSure) await this.readManaged();
      this.token = step.token;
      this.phase = plan ? { kind: "plan", plan } : { kind: "done" };
      if (plan) this.trialClasses = addedClasses(plan);
    } catch (err) {
      const e = toBackendError(err);
      this.phase = { kind: "error", text: e.message, code: e.code };
    }
    this.paint();
  }

  private async showReview(phase: Extract<Phase, { kind: "soaking" | "verdict" }>): Promise<void> {
    this.phase = phase;
    this.paint();
    await this.drawChart();
  }

  /** A step the review offers (its next step, a tweak): the plan view, applied with its token. */
  private showPlan(plan: Plan, token: StepToken, origin: "review" | "tweak"): void {
    this.phase = { kind: "plan", plan };
    this.token = token;
    this.origin = origin;
    this.acks.clear();
    this.measurement = null;
    this.measureError = null;
    this.applyError = null;
    this.trialClasses = addedClasses(plan);
    this.paint();
    this.root.querySelector<HTMLElement>("[data-testid=wizard-step-title]")?.scrollIntoView?.({ block: "nearest" });
  }

  paint(): void {
    const header = h(
      "header",
      { class: "screen-header" },
      h("div", {}, h("h1", {}, "Tune Auditing"), h("p", { class: "subtitle" }, "One small step at a time, each measured before the next.")),
      h("div", { class: "header-tools" }, this.connection.element, this.targetPicker()),
    );
    this.root.replaceChildren(
      h("main", { class: "screen wizard", "data-phase": this.phase.kind }, header, ...this.body()),
    );
    this.syncWatch();
  }

  private targetPicker(): HTMLElement {
    const select = h("select", { id: "target", "data-testid": "wizard-target" });
    for (const t of TARGETS) {
      const o = h("option", { value: t.value }, t.label);
      if (t.value === this.target) o.selected = true;
      select.append(o);
    }
    select.disabled = this.phase.kind === "applying" || this.phase.kind === "countdown";
    select.addEventListener("change", () => {
      this.target = select.value as PlanTarget;
      this.goalChanged();
    });
    return h("div", { class: "field inline" }, h("label", { for: "target" }, "Goal"), select);
  }

  /**
   * A new goal. The review's next step is toward Earshot's recommendation, and a
   * reviewed soak stays on record until the next step: past a review, a goal plans
   * toward itself (the review one click back). While a step soaks nothing is planned
   * until the user skips the soak, which then plans toward the goal.
   */
  private goalChanged(): void {
    const { kind } = this.phase;
    if (kind === "soaking") return;
    const fromReview = kind === "verdict" || ((kind === "plan" || kind === "done" || kind === "error") && this.origin !== "plan");
    if (!fromReview) {
      void this.load();
      return;
    }
    if (this.origin !== "skip") this.origin = "review";
    this.phase = { kind: "loading" };
    this.acks.clear();
    this.measurement = null;
    this.measureError = null;
    this.applyError = null;
    this.paint();
    void this.plan();
  }

  private body(): (HTMLElement | null)[] {
    const p = this.phase;
    switch (p.kind) {
      case "loading":
        return [note("loading", "Planning the next step…")];
      case "error":
        return [
          h(
            "div",
            { class: "failure", role: "alert", "data-testid": "wizard-error" },
            h("p", { class: "failure-title" }, "Cannot plan the next step"),
            h("p", { "data-testid": "error-code" }, p.text),
            advice(p.code) ? h("p", {}, advice(p.code)) : null,
            button("Try Again", {}, () => void this.load()),
          ),
        ];
      case "soaking":
        return [this.applyErrorPanel(), this.soakLive(p.review), this.skipCard(p.review.soak)];
      case "verdict":
        return [this.applyErrorPanel(), this.verdictCard(p.review), this.verdictActions(p.review)];
      case "rolled-back":
        return [
          h(
            "div",
            { class: "result-panel ok", role: "status" },
            h("p", { class: "empty-title", "data-testid": "wizard-result" }, p.text),
            p.warning ? h("p", { class: "warning-text" }, p.warning) : null,
            h(
              "p",
              {},
              "The step's soak has ended." +
                (p.flags ? " flags changes revert at the next login: log out and back in (or restart)." : ""),
            ),
            button("Plan Again", { class: "primary", "data-testid": "wizard-next" }, () => void this.load()),
          ),
        ];
      case "done":
        return [
          ...this.planNotes(),
          h(
            "div",
            { class: "empty", "data-testid": "wizard-done" },
            h("p", { class: "empty-title" }, "Nothing left to do"),
            h("p", {}, "This Mac already meets the goal. Pick another goal above, or check the compliance report in the Dashboard."),
          ),
        ];
      case "plan":
      case "applying":
        return this.planView(p.plan, p.kind === "applying");
      case "countdown":
        return [this.stepCard(p.plan), this.countdown(p.applied)];
      case "finished": {
        // Every step written soaks; one already in place wrote nothing.
        const soaks = p.kept && !p.applied.unchanged;
        return [
          this.stepCard(p.plan),
          h(
            "div",
            { class: `result-panel ${p.kept ? "ok" : "warning"}`, role: "status" },
            h("p", { class: "empty-title", "data-testid": "wizard-result" }, p.text),
            p.plan.needs_relogin && p.kept
              ? h("p", {}, "flags apply at the next login: log out and back in (or restart) so your sessions are audited with the new flags.")
              : null,
            soaks ? h("p", {}, "It now soaks: Earshot measures what it really costs and tells you when its review is ready.") : null,
            // Reloading lands on the soak the helper has just started.
            button(soaks ? "Watch the Soak" : "Plan Next Step", { class: "primary", "data-testid": "wizard-next" }, () => void this.load()),
          ),
        ];
      }
    }
  }

  /** What the plan view says before the step: how it was reached, and about the last soak. */
  private planNotes(applying = false): HTMLElement[] {
    const out: HTMLElement[] = [];
    if (this.origin !== "plan" && !applying) {
      out.push(
        h(
          "div",
          { class: "row back-row" },
          button(this.origin === "skip" ? "‹ Back to the Soak" : "‹ Back to the Review", { class: "link", "data-testid": "wizard-back" }, () =>
            void this.load(),
          ),
        ),
      );
    }
    if (this.skipping) {
      out.push(
        h(
          "p",
          { class: "notice warning", "data-testid": "skip-soak-note" },
          `Applied before “${this.skipping.title}” has soaked: its review is skipped (recorded).`,
        ),
      );
    }
    if (this.ended) {
      out.push(
        h(
          "p",
          { class: "notice", "data-testid": "soak-ended" },
          this.ended.ended_by
            ? `The soak of “${this.ended.title}” ended early: ${this.ended.ended_by}.`
            : `The soak of “${this.ended.title}” ended early.`,
        ),
      );
    }
    if (this.soakError) out.push(note("error", `Could not read the last step's soak: ${this.soakError}`, "soak-error"));
    return out;
  }

  /** An apply refused, shown where the wizard went back to (base-changed plans again). */
  private applyErrorPanel(): HTMLElement | null {
    const err = this.applyError;
    if (!err) return null;
    return h(
      "div",
      { class: "failure", role: "alert", "data-testid": "wizard-error" },
      h("p", { class: "failure-title" }, "Not applied"),
      h("p", { "data-testid": "error-code" }, err.text),
      advice(err.code) ? h("p", {}, advice(err.code)) : null,
    );
  }

  // ---- the soak --------------------------------------------------------------------

  /** The soaking step: what it has cost so far, and what to do when it costs too much.
   *  Replaced as a whole when the minute's refresh comes; the skip card below stays. */
  private soakLive(r: StepReview): HTMLElement {
    const s = r.soak;
    return h(
      "div",
      { class: "soak-live", "data-testid": "soak-live" },
      h(
        "section",
        { class: "card soak", "data-testid": "wizard-soak", "aria-labelledby": "soak-title" },
        h("p", { class: "eyebrow" }, `Step ${s.number} of your plan · soaking`),
        h("h2", { id: "soak-title", "data-testid": "wizard-soak-title" }, s.title),
        h("p", { class: "soak-summary", "data-testid": "soak-summary" }, soakLine(s)),
        h(
          "p",
          { class: "hint" },
          "Earshot measures what the step really costs before the next one stacks on it, and tells you when its review is ready.",
        ),
        this.soakFigures(s),
      ),
      s.over_budget ? this.overBudget(r) : null,
    );
  }

  /** The figures beside the chart: predicted, measured, ratio, how long and why, when. */
  private soakFigures(s: SoakStatus): HTMLElement {
    const p = s.predicted;
    const soaking = s.state === "soaking";
    const rows: [string, string, string][] = [
      ["Predicted", `${perDay(p.typical)} (${binaryBytes(p.low)}–${binaryBytes(p.high)})`, "predicted"],
      [
        soaking ? "Measured so far" : "Measured",
        s.measured_bytes_per_day === null ? "nothing yet (under an hour recorded)" : perDay(s.measured_bytes_per_day),
        "measured",
      ],
      ["Ratio", s.ratio === null ? "not measured yet" : `${s.ratio.toFixed(2)}× the typical prediction`, "ratio"],
      ["Soak", `${days(s.soak_days)}: ${s.soak_reason}`, "soak"],
      [soaking ? "Review due" : "Soak ended", utc(s.ends_unix), "due"],
    ];
    return h(
      "div",
      { class: "soak-body" },
      h(
        "table",
        { class: "grid figures", "data-testid": "soak-figures" },
        h(
          "tbody",
          {},
          ...rows.map(([label, value, key]) =>
            h("tr", {}, h("th", { scope: "row" }, label), h("td", { "data-testid": `figure-${key}` }, value)),
          ),
        ),
      ),
      h("div", { class: "chart soak-chart", "data-testid": "soak-chart" }, this.chartNode ?? note("loading", "Drawing…", "soak-chart-loading")),
    );
  }

  /** Draws the step's volume against its predicted band into the chart's place. A chart
   *  that fails says so in that place; the rest of the view stands. */
  private async drawChart(): Promise<void> {
    if (this.phase.kind !== "soaking" && this.phase.kind !== "verdict") return;
    let node: Element;
    try {
      const svg = chartSvg(await this.backend.chart("soak", "day", appearance()), "The step's volume against its predicted band");
      if (!svg) throw new Error("the chart is not valid SVG");
      node = svg;
    } catch (err) {
      node = note("error", `No chart of the soak: ${toBackendError(err).message}`, "soak-chart-error");
    }
    if (this.phase.kind !== "soaking" && this.phase.kind !== "verdict") return;
    this.chartNode = node;
    this.root.querySelector("[data-testid=soak-chart]")?.replaceChildren(node);
  }

  /** Badly over budget before the soak ends: say so, and offer the review's tweaks now. */
  private overBudget(r: StepReview): HTMLElement {
    const lock = r.tweaks.length > 0 ? tuningLock(this.managed) : null;
    return h(
      "section",
      { class: "alert-panel warning", role: "alert", "data-testid": "soak-over-budget" },
      h("p", { class: "failure-title" }, "It costs more than predicted"),
      h("p", {}, withCode(r.soak.over_budget ?? "")),
      r.tweaks.length > 0
        ? h("p", {}, "No need to wait for the review: a tweak is a step of its own, applied now.")
        : h("p", {}, "The review at the end of the soak says what to do; History rolls the step back at any time."),
      lock ? lockNote(lock, "lock-over-budget") : null,
      ...r.tweaks.map((t) => this.tweakCard(t, lock, "lock-over-budget")),
    );
  }

  private skipCard(s: SoakStatus): HTMLElement {
    const lock = tuningLock(this.managed);
    const box = h("input", { type: "checkbox", id: "skip-soak", "data-testid": "wizard-skip-soak" });
    box.checked = this.skipTicked;
    const go = button("Plan the Next Step Anyway", { "data-testid": "wizard-skip-plan" }, () => void this.skipSoak(s));
    go.disabled = !this.skipTicked;
    // The next step could not be applied here anyway.
    lockControl(box, lock, "lock-skip");
    lockControl(go, lock, "lock-skip");
    box.addEventListener("change", () => {
      // In place: the box stays under the user's hand.
      this.skipTicked = box.checked;
      go.disabled = !box.checked || lock !== null;
    });
    return h(
      "section",
      { class: "card skip", "data-testid": "skip-soak", "aria-labelledby": "skip-soak-title" },
      h("h3", { id: "skip-soak-title" }, "Go on without waiting"),
      h(
        "div",
        { class: "check" },
        box,
        h(
          "label",
          { for: "skip-soak" },
          `Skip the rest of this soak. The next step's cost will stack on one not yet measured, and “${s.title}” will not be reviewed — Earshot records that you skipped it.`,
        ),
      ),
      lock ? lockNote(lock, "lock-skip") : null,
      h("div", { class: "row end" }, go),
    );
  }

  /** Plans the next step past a soak the user chose to skip; Apply then says so. */
  private async skipSoak(s: SoakStatus): Promise<void> {
    this.skipping = s;
    this.origin = "skip";
    this.phase = { kind: "loading" };
    this.paint();
    await this.plan();
  }

  /** Refreshes a soaking step every minute while the window is visible, and only then. */
  private syncWatch(): void {
    const soaking = this.phase.kind === "soaking";
    const doc = this.root.ownerDocument;
    if (soaking && !this.watching) {
      this.watching = true;
      doc.addEventListener("visibilitychange", this.onVisibility);
      if (doc.visibilityState !== "hidden") this.startRefresh();
      // The helper pushes a glance when the soak changes (its review made, or
      // the soak ended by an outside edit): show that at once, not a minute later.
      this.unlisten = this.backend
        .onGlance((g) => {
          const p = this.phase;
          if (p.kind !== "soaking" || !g.soak) return;
          if (g.soak.state !== "soaking" || g.soak.revision !== p.review.soak.revision) void this.refreshSoak();
        })
        .catch(() => () => {});
    } else if (!soaking && this.watching) {
      this.watching = false;
      doc.removeEventListener("visibilitychange", this.onVisibility);
      this.stopRefresh();
      const unlisten = this.unlisten;
      this.unlisten = null;
      void unlisten?.then((stop) => stop());
    }
  }

  private visibilityChanged(): void {
    if (this.root.ownerDocument.visibilityState === "hidden") {
      this.stopRefresh();
    } else if (!this.refreshTimer) {
      // Back in view: what was shown may be a while old.
      void this.refreshSoak();
      this.startRefresh();
    }
  }

  private startRefresh(): void {
    this.stopRefresh();
    this.refreshTimer = setInterval(() => void this.refreshSoak(), SOAK_REFRESH_MS);
  }

  private stopRefresh(): void {
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    this.refreshTimer = null;
  }

  private async refreshSoak(): Promise<void> {
    let review: StepReview;
    try {
      review = await this.backend.reviewStep();
    } catch {
      return; // What is shown stays; the next minute asks again.
    }
    const p = this.phase;
    if (p.kind !== "soaking") return;
    if (review.soak.state !== "soaking") {
      // Reviewed (the verdict) or ended (the plan, with why).
      await this.load();
      return;
    }
    this.phase = { kind: "soaking", review };
    const live = this.root.querySelector("[data-testid=soak-live]");
    if (live && review.soak.revision === p.review.soak.revision) live.replaceWith(this.soakLive(review));
    else this.paint();
    await this.drawChart();
  }

  // ---- the review ------------------------------------------------------------------

  private verdictCard(r: StepReview): HTMLElement {
    const s = r.soak;
    const verdict = r.review.verdict;
    return h(
      "section",
      { class: "card soak verdict", "data-testid": "wizard-verdict", "data-verdict": verdict, "aria-labelledby": "soak-title" },
      h("p", { class: "eyebrow" }, `Step ${s.number} of your plan · review`),
      h("h2", { id: "soak-title", "data-testid": "wizard-soak-title" }, s.title),
      h("p", { class: `headline ${verdict}`, "data-testid": "verdict-headline" }, verdictHeadline({ ...r.review, ratio: r.review.ratio ?? s.ratio })),
      h("ul", { class: "plain reasons", "data-testid": "verdict-reasons" }, ...r.review.reasons.map((x) => h("li", {}, withCode(x)))),
      this.soakFigures(s),
    );
  }

  /** Every action the review offers, one click each. */
  private verdictActions(r: StepReview): HTMLElement {
    const verdict = r.review.verdict;
    const section = h("section", { class: "card actions-card", "aria-labelledby": "verdict-actions" }, h("h3", { id: "verdict-actions" }, "What to do"));
    // One explanation for the steps the review offers, above them.
    const lock = (r.next && r.next_token) || r.tweaks.length > 0 ? tuningLock(this.managed) : null;
    if (lock) section.append(lockNote(lock, "lock-verdict"));
    if (r.next && r.next_token) {
      const next = r.next;
      const token = r.next_token;
      section.append(
        h(
          "div",
          { class: "action" },
          h("div", { class: "action-text" }, h("p", {}, h("strong", {}, next.title)), h("p", { class: "hint" }, withCode(next.why))),
          locked(button("Take the Next Step", { class: "primary", "data-testid": "verdict-next" }, () => this.showPlan(next, token, "review")), lock, "lock-verdict"),
        ),
      );
    }
    for (const t of r.tweaks) section.append(this.tweakCard(t, lock, "lock-verdict"));
    if (r.rollback_to !== null) section.append(this.rollbackAction(r.rollback_to, verdict === "roll-back"));
    if (verdict === "keep-soaking") {
      section.append(
        h(
          "div",
          { class: "action" },
          h("p", { class: "action-text hint" }, "The helper reviews the step again as it soaks on."),
          button("Check Again", { "data-testid": "verdict-refresh" }, () => void this.load()),
        ),
      );
    }
    if (section.querySelector(".action") === null) {
      section.append(h("p", { class: "hint", "data-testid": "verdict-none" }, "Nothing is left toward Earshot's recommendation: pick another goal above to plan toward it."));
    }
    return section;
  }

  /** A tweak the review proposes: itself a step (diff, cost, risks, apply, countdown);
   *  under `lock`, its button is disabled and described by the note `lockId`. */
  private tweakCard(t: Tweak, lock: Lock | null, lockId: string): HTMLElement {
    const id = tweakId(t);
    return h(
      "div",
      { class: "action tweak", "data-testid": `tweak-${id}` },
      h(
        "div",
        { class: "action-text" },
        h("p", {}, h("strong", {}, t.title)),
        h("p", { class: "hint" }, withCode(t.why)),
        h(
          "ul",
          { class: "semantic" },
          ...t.plan.diff.map((d) => h("li", {}, h("code", {}, `${d.key}: ${d.before ?? "(not set)"} → ${d.after ?? "(not set)"}`))),
        ),
        h("p", { class: "hint", "data-testid": "tweak-predicted" }, `Predicted after the tweak: ${perDay(t.plan.prediction.bytes_per_day.typical)}`),
      ),
      locked(button("Apply Tweak", { class: "primary", "data-testid": `verdict-tweak-${id}` }, () => this.showPlan(t.plan, t.token, "tweak")), lock, lockId),
    );
  }

  private rollbackAction(revision: number, recommended: boolean): HTMLElement {
    const lock = rollbackLock(this.managed);
    const go = button(this.rollingBack ? "Rolling Back…" : `Roll Back to Revision ${revision}`, {
      class: recommended ? "primary destructive" : "",
      "data-testid": "verdict-rollback",
    }, () => void this.rollback(revision));
    const blocked = () => lock !== null || this.rollingBack || this.rollbackRisks.some((x) => !this.rollbackAcks.has(x.id));
    go.disabled = blocked();
    lockControl(go, lock, "lock-rollback");
    return h(
      "div",
      { class: "action rollback" },
      h(
        "div",
        { class: "action-text" },
        h("p", {}, h("strong", {}, "Roll back the step")),
        h("p", { class: "hint" }, `Restores revision ${revision}, audit_control as it was before the step, and ends its soak. The roll back is recorded as a revision too.`),
        this.rollbackRisks.length > 0
          ? h("p", { class: "warning-text" }, `The file of revision ${revision} carries ${this.rollbackRisks.length === 1 ? "a risk" : "risks"}: acknowledge to restore it.`)
          : null,
        this.rollbackRisks.length > 0 ? riskChecks("rollback", this.rollbackRisks, this.rollbackAcks, () => (go.disabled = blocked())) : null,
        lock ? lockNote(lock, "lock-rollback") : null,
        this.rollbackError ? note("error", this.rollbackError, "verdict-rollback-error") : null,
      ),
      go,
    );
  }

  private async rollback(revision: number): Promise<void> {
    const p = this.phase;
    if (this.rollingBack || p.kind !== "verdict") return;
    this.rollingBack = true;
    this.rollbackError = null;
    this.paint();
    try {
      const applied = await this.backend.rollback(revision, [...this.rollbackAcks]);
      this.phase = {
        kind: "rolled-back",
        text: applied.unchanged
          ? `audit_control already matches revision ${revision}: nothing was written.`
          : `Rolled back: recorded as revision ${applied.revision}.`,
        warning: applied.reload_warning,
        flags: FLAGS_STEPS.includes(p.review.soak.step),
      };
    } catch (err) {
      const e = toBackendError(err);
      if (e.code === "ack-required" && e.missingAcks.length > 0) {
        // Ask for exactly what the helper wants, then the same button again.
        this.rollbackRisks = e.missingAcks;
        for (const r of e.missingAcks) this.rollbackAcks.delete(r.id);
      } else {
        this.rollbackError = `Roll back failed: ${e.message}${advice(e.code) ? ` — ${advice(e.code)}` : ""}`;
        // A profile the wizard did not know of yet: show its lock from now on.
        if (e.code === "managed") await this.readManaged();
      }
    }
    this.rollingBack = false;
    this.paint();
  }

  private stepCard(plan: Plan): HTMLElement {
    const applied = this.phase.kind === "countdown" || this.phase.kind === "finished";
    return h(
      "section",
      { class: "card step" },
      h("p", { class: "eyebrow" }, `${applied ? "Applied step" : this.origin === "tweak" ? "Tweak" : "Next step"} · ${plan.concern}`),
      h("h2", { "data-testid": "wizard-step-title" }, plan.title),
      h("p", { class: "why", "data-testid": "why" }, withCode(plan.why)),
    );
  }

  private planView(plan: Plan, applying: boolean): HTMLElement[] {
    const sections: HTMLElement[] = [...this.planNotes(applying), this.stepCard(plan)];

    // The change: old/new lines of the file and the semantic diff in words.
    const diff = h(
      "section",
      { class: "card" },
      h("h3", {}, "Proposed change"),
      h(
        "ul",
        { class: "semantic", "data-testid": "semantic-diff" },
        ...plan.semantic_diff.map((c) => h("li", {}, h("code", {}, c.text))),
        ...plan.diff.map((c) => h("li", { class: "meaning" }, withCode(c.meaning))),
      ),
      h(
        "pre",
        { class: "diff", "data-testid": "wizard-diff", "aria-label": "audit_control before and after" },
        ...lineDiff(plan.before, plan.after).map((l) =>
          h(
            "span",
            { class: `line ${l.kind}`, "data-kind": l.kind },
            l.kind === "del" ? "− " : l.kind === "add" ? "+ " : "  ",
            l.text,
            "\n",
          ),
        ),
      ),
      plan.before === null ? h("p", { class: "hint" }, "audit_control does not exist yet: the helper creates it.") : null,
    );
    sections.push(diff);
    sections.push(this.costCard(plan));

    if (plan.warnings.length > 0 || plan.activation.length > 0 || plan.needs_relogin) {
      sections.push(
        h(
          "section",
          { class: "card" },
          h("h3", {}, "Good to know"),
          h(
            "ul",
            { class: "plain" },
            ...plan.warnings.map((w) => h("li", { class: "warning-text" }, withCode(w))),
            ...plan.activation.map((a) => h("li", {}, withCode(a))),
            plan.needs_relogin && !plan.activation.some((a) => a.includes("login"))
              ? h("li", {}, "flags changes apply at your next login.")
              : null,
          ),
        ),
      );
    }

    if (plan.alternatives && plan.alternatives.length > 0) {
      sections.push(
        h(
          "section",
          { class: "card", "data-testid": "alternatives" },
          h("h3", {}, "Other ways to take this step"),
          ...plan.alternatives.map((a) =>
            h(
              "div",
              { class: "alternative" },
              h("p", {}, h("strong", {}, a.title)),
              h("p", { class: "hint" }, withCode(a.explanation)),
              h("ul", { class: "semantic" }, ...a.diff.map((d) => h("li", {}, h("code", {}, `${d.key}: ${d.before ?? "(not set)"} → ${d.after ?? "(not set)"}`)))),
              a.risks.length > 0 ? h("p", { class: "hint" }, "Risks: ", ...a.risks.map((r) => h("code", { class: "risk-id" }, `${r.id} `))) : null,
            ),
          ),
          h("p", { class: "hint" }, "Shown for comparison: Apply takes the step above."),
        ),
      );
    }
    if (plan.risks.length > 0) sections.push(this.risksCard(plan, applying));
    sections.push(this.trialCard(applying));
    sections.push(this.applyBar(plan, applying));
    return sections;
  }

  private costCard(plan: Plan): HTMLElement {
    const pr = plan.prediction;
    const rows = pr.classes.map((c) =>
      h(
        "tr",
        { class: c.added ? "added" : "", "data-testid": "cost-row" },
        h("td", {}, h("code", {}, `${c.side === "success" ? "+" : "-"}${c.class}`), c.added ? h("span", { class: "tag new" }, "new") : null),
        h("td", { class: "num" }, range(c.events_per_day, count)),
        h("td", { class: "num" }, range(c.bytes_per_day, bytes)),
        h("td", {}, h("span", { class: `tag ${c.source}`, "data-testid": "source" }, c.source)),
      ),
    );
    return h(
      "section",
      { class: "card" },
      h("h3", {}, "Predicted cost"),
      h(
        "table",
        { class: "grid cost", "data-testid": "cost" },
        h(
          "thead",
          {},
          h("tr", {}, h("th", {}, "Class"), h("th", { class: "num" }, "Events/day"), h("th", { class: "num" }, "Per day"), h("th", {}, "Figure")),
        ),
        h("tbody", {}, ...rows),
        h(
          "tfoot",
          {},
          h(
            "tr",
            {},
            h("th", {}, "After the step"),
            h("td", { class: "num" }, range(pr.events_per_day, count)),
            h("td", { class: "num", "data-testid": "total-bytes" }, range(pr.bytes_per_day, bytes)),
            h("td", {}, pr.uses_reference_figures ? h("span", { class: "tag reference" }, "reference") : h("span", { class: "tag measured" }, "measured")),
          ),
          h(
            "tr",
            {},
            h("th", {}, "Change"),
            h("td", {}),
            h(
              "td",
              { class: "num", "data-testid": "change-bytes" },
              // A tweak that drops a class saves: its change is negative and says so.
              `${pr.change_bytes_per_day.typical < 0 ? "" : "+"}${range(pr.change_bytes_per_day, bytes)}`,
            ),
            h("td", {}),
          ),
        ),
      ),
      h(
        "dl",
        { class: "facts" },
        h("dt", {}, "Retention"),
        h("dd", { "data-testid": "retention" }, pr.retention),
        h("dt", {}, "Time to minfree"),
        h("dd", { "data-testid": "minfree" }, pr.minfree),
      ),
      ...pr.notes.map((n) => h("p", { class: "hint" }, withCode(n))),
      pr.uses_reference_figures
        ? h("p", { class: "hint" }, "Reference figures are planning assumptions for one interactive Mac, not measurements: a trial measurement below or the first soak replaces them.")
        : null,
    );
  }

  private risksCard(plan: Plan, applying: boolean): HTMLElement {
    const missing = new Set(this.applyError?.missing.map((r) => r.id) ?? []);
    return h(
      "section",
      { class: "card risks", "data-testid": "risks" },
      h("h3", {}, `Risks (${plan.risks.length}) — acknowledge each to apply`),
      ...plan.risks.map((r) => {
        const id = `ack-${r.id}`;
        const box = h("input", { type: "checkbox", id, "data-testid": `wizard-ack-${r.id}`, "data-risk": r.id });
        box.checked = this.acks.has(r.id);
        box.disabled = applying;
        box.addEventListener("change", () => {
          if (box.checked) this.acks.add(r.id);
          else this.acks.delete(r.id);
          // Update in place: a repaint would replace the checkboxes under the user's
          // (or a WebDriver's) hand.
          box.closest(".risk")?.classList.remove("missing");
          this.syncApply(plan);
        });
        return h(
          "div",
          { class: `risk${missing.has(r.id) ? " missing" : ""}` },
          box,
          h("label", { for: id }, h("strong", {}, "I understand: "), withCode(r.message), " ", h("code", { class: "risk-id" }, r.id)),
        );
      }),
    );
  }

  private trialCard(applying: boolean): HTMLElement {
    const classes = h("input", { type: "text", id: "trial-classes", value: this.trialClasses, placeholder: "ad,-fr", spellcheck: "false", "data-testid": "trial-classes" });
    classes.addEventListener("input", () => (this.trialClasses = classes.value));
    const dur = h("select", { id: "trial-duration", "data-testid": "trial-duration" });
    for (const d of DURATIONS) {
      const o = h("option", { value: String(d.secs) }, d.label);
      if (d.secs === this.trialSecs) o.selected = true;
      dur.append(o);
    }
    dur.addEventListener("change", () => (this.trialSecs = Number(dur.value)));
    const run = button(this.measuring ? "Measuring…" : "Measure", { "data-testid": "measure" }, () => void this.measure());
    run.disabled = this.measuring || applying;
    const card = h(
      "details",
      { class: "card trial", ...(this.measurement || this.measuring || this.measureError ? { open: "" } : {}) },
      h("summary", {}, h("h3", {}, "Trial measurement (optional)")),
      h("p", { class: "hint" }, "Counts what these classes would record, without changing audit_control or the trails."),
      h(
        "div",
        { class: "row" },
        h("div", { class: "field" }, h("label", { for: "trial-classes" }, "Classes"), classes),
        h("div", { class: "field" }, h("label", { for: "trial-duration" }, "For"), dur),
        run,
      ),
    );
    if (this.measureError) card.append(note("error", this.measureError, "measure-error"));
    const m = this.measurement;
    if (m) {
      const perDay = 86_400 / m.duration_secs;
      card.append(
        h(
          "table",
          { class: "grid", "data-testid": "measurement" },
          h("thead", {}, h("tr", {}, h("th", {}, "Class"), h("th", { class: "num" }, "Events"), h("th", { class: "num" }, "≈ per day"), h("th", { class: "num" }, "≈ bytes/day"))),
          h(
            "tbody",
            {},
            ...m.classes.flatMap((c) =>
              (
                [
                  ["+", c.success],
                  ["-", c.failure],
                ] as const
              )
                .filter(([, s]) => s !== null)
                .map(([sign, s]) =>
                  h(
                    "tr",
                    {},
                    h("td", {}, h("code", {}, `${sign}${c.class}`)),
                    h("td", { class: "num" }, String(s!.events)),
                    h("td", { class: "num" }, count(s!.events * perDay)),
                    h("td", { class: "num" }, bytes(s!.bytes * perDay)),
                  ),
                ),
            ),
          ),
        ),
        h(
          "p",
          { class: "hint" },
          `${m.records} records, ${bytes(m.bytes)} in ${clock(m.duration_secs)} (${m.method})` +
            (m.dropped > 0 ? `; ${m.dropped} dropped, so the counts are a floor` : ""),
        ),
      );
    }
    return card;
  }

  /** "Acknowledge 2 risks to apply", or null when nothing is missing (or nothing can be
   *  applied here: the lock says why instead). */
  private ackHint(plan: Plan): string | null {
    if (tuningLock(this.managed)) return null;
    const missing = plan.risks.filter((r) => !this.acks.has(r.id)).length;
    return missing > 0 ? `Acknowledge ${missing} ${missing === 1 ? "risk" : "risks"} to apply` : null;
  }

  /** Enables Apply and updates the hint after an acknowledgement changed. */
  private syncApply(plan: Plan): void {
    const hint = this.ackHint(plan);
    const apply = this.root.querySelector<HTMLButtonElement>("[data-testid=wizard-apply]");
    if (apply) apply.disabled = this.phase.kind === "applying" || hint !== null || tuningLock(this.managed) !== null;
    const el = this.root.querySelector<HTMLElement>("[data-testid=ack-hint]");
    if (el) {
      el.textContent = hint ?? "";
      el.hidden = hint === null;
    }
  }

  private applyBar(plan: Plan, applying: boolean): HTMLElement {
    const hint = this.ackHint(plan);
    const lock = tuningLock(this.managed);
    const apply = button(applying ? "Applying…" : "Apply", { class: "primary", "data-testid": "wizard-apply" }, () => void this.apply(plan));
    apply.disabled = applying || hint !== null;
    const auto = h("input", { type: "checkbox", id: "auto-revert", "data-testid": "wizard-auto-revert" });
    auto.checked = this.autoRevert;
    auto.disabled = applying;
    // The step stays readable (an administrator may want to see it); taking it is theirs.
    lockControl(apply, lock, "lock-apply");
    lockControl(auto, lock, "lock-apply");
    auto.addEventListener("change", () => (this.autoRevert = auto.checked));
    const err = this.applyError;
    return h(
      "section",
      { class: "apply-bar" },
      err
        ? h(
            "div",
            { class: "failure", role: "alert", "data-testid": "wizard-error" },
            h("p", { class: "failure-title" }, "Not applied"),
            h("p", { "data-testid": "error-code" }, err.text),
            advice(err.code) ? h("p", {}, advice(err.code)) : null,
            err.code === "soaking"
              ? button("Show the Soak", { "data-testid": "wizard-show-soak" }, () => void this.load())
              : null,
            err.diagnostics.length > 0
              ? h(
                  "ul",
                  { class: "plain", "data-testid": "apply-diagnostics" },
                  ...err.diagnostics.map((d) =>
                    h("li", {}, h("code", {}, `${d.line}:${d.column} ${d.code}`), " ", withCode(d.message), d.hint ? h("span", { class: "hint block" }, withCode(d.hint)) : null),
                  ),
                )
              : null,
          )
        : null,
      h(
        "div",
        { class: "row end" },
        h("div", { class: "check" }, auto, h("label", { for: "auto-revert" }, `Revert automatically unless I keep it within ${clock(CONFIRM_WITHIN)}`)),
        h("span", { class: "hint", "data-testid": "ack-hint", ...(hint === null ? { hidden: "" } : {}) }, hint ?? ""),
        // Beside the button it explains, where the acknowledgement hint would be.
        lock ? lockNote(lock, "lock-apply") : null,
        apply,
      ),
    );
  }

  private async measure(): Promise<void> {
    this.measuring = true;
    this.measureError = null;
    this.paint();
    try {
      this.measurement = await this.backend.measure({ classes: this.trialClasses.trim(), seconds: this.trialSecs });
    } catch (err) {
      const e = toBackendError(err);
      this.measureError = `${e.message}${advice(e.code) ? ` — ${advice(e.code)}` : ""}`;
    }
    this.measuring = false;
    this.paint();
  }

  private async apply(plan: Plan): Promise<void> {
    const token = this.token;
    if (!token) return;
    this.phase = { kind: "applying", plan };
    this.applyError = null;
    this.paint();
    try {
      const applied = await this.backend.applyPlan(
        token,
        plan.risks.map((r) => r.id).filter((id) => this.acks.has(id)),
        this.autoRevert ? CONFIRM_WITHIN : null,
        this.skipping !== null,
      );
      if (applied.pending_confirm) {
        this.phase = { kind: "countdown", plan, applied };
        this.startTimer();
      } else {
        this.phase = {
          kind: "finished",
          plan,
          applied,
          kept: true,
          text: applied.unchanged ? "Already in place: nothing was written." : `Applied as revision ${applied.revision}.`,
        };
      }
      this.paint();
    } catch (err) {
      const e = toBackendError(err);
      this.applyError = { code: e.code, text: e.message, missing: e.missingAcks, diagnostics: e.diagnostics };
      if (e.code === "base-changed") {
        // The file moved under us: the old plan is stale, plan again and say why.
        const saved = this.applyError;
        await this.load();
        this.applyError = saved;
        this.paint();
        return;
      }
      for (const r of e.missingAcks) this.acks.delete(r.id);
      // A profile the wizard did not know of yet: show its lock from now on.
      if (e.code === "managed") await this.readManaged();
      this.phase = { kind: "plan", plan };
      this.paint();
    }
  }

  private countdown(applied: Applied): HTMLElement {
    const left = (applied.pending_confirm?.deadline_unix ?? 0) - this.now();
    const keep = button("Keep Change", { class: "primary", "data-testid": "wizard-keep" }, () => void this.keep());
    const revert = button("Revert Now", { "data-testid": "wizard-revert" }, () => void this.revertNow());
    // Reverting now is a roll back; the helper's own revert at the deadline is not.
    const lock = rollbackLock(this.managed);
    lockControl(revert, lock, "lock-revert");
    queueMicrotask(() => {
      if (!this.root.contains(document.activeElement) || document.activeElement === document.body) keep.focus();
    });
    return h(
      "section",
      { class: "countdown-panel", role: "alertdialog", "aria-label": "Keep the change?", "data-testid": "countdown-panel" },
      h("p", { class: "empty-title", "data-testid": "wizard-result" }, `Applied as revision ${applied.revision}.`),
      h(
        "p",
        {},
        "Check that the Mac still works as expected. The change reverts by itself in ",
        h("strong", { class: "countdown", "data-testid": "wizard-countdown", "aria-live": "polite" }, clock(left)),
        " unless you keep it.",
      ),
      applied.reload_warning ? h("p", { class: "warning-text" }, applied.reload_warning) : null,
      lock ? lockNote(lock, "lock-revert") : null,
      h("div", { class: "buttons" }, revert, keep),
    );
  }

  private startTimer(): void {
    this.stopTimer();
    this.timer = setInterval(() => {
      const p = this.phase;
      if (p.kind !== "countdown") return this.stopTimer();
      const left = (p.applied.pending_confirm?.deadline_unix ?? 0) - this.now();
      if (left <= 0) {
        this.stopTimer();
        this.phase = {
          ...p,
          kind: "finished",
          kept: false,
          text: `Not kept in time: the helper reverted revision ${p.applied.revision}.`,
        };
        this.paint();
        return;
      }
      const el = this.root.querySelector("[data-testid=wizard-countdown]");
      if (el) el.textContent = clock(left);
    }, 1000);
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async keep(): Promise<void> {
    const p = this.phase;
    if (p.kind !== "countdown") return;
    this.stopTimer();
    try {
      await this.backend.confirm();
      this.phase = { ...p, kind: "finished", kept: true, text: `Kept: revision ${p.applied.revision} stays.` };
    } catch (err) {
      const e = toBackendError(err);
      this.phase = { ...p, kind: "finished", kept: false, text: `Could not keep revision ${p.applied.revision}: ${e.message}` };
    }
    this.paint();
  }

  private async revertNow(): Promise<void> {
    const p = this.phase;
    if (p.kind !== "countdown") return;
    this.stopTimer();
    try {
      const back = await this.backend.rollbackLast();
      this.phase = { ...p, kind: "finished", kept: false, text: `Reverted: recorded as revision ${back.revision}.` };
    } catch (err) {
      this.phase = { ...p, kind: "finished", kept: false, text: `Revert failed: ${toBackendError(err).message}` };
    }
    this.paint();
  }
}

export async function mountWizard(root: HTMLElement, backend: Backend, options: WizardOptions = {}): Promise<Wizard> {
  const wizard = new Wizard(root, backend, options);
  await wizard.load();
  await wizard.connection.start();
  return wizard;
}
