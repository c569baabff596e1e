// The tuning wizard: one rung of the ladder at a time (docs/tuning-guide.md §2). It
// shows the step, why, the change as a readable diff, the predicted cost, retention and
// time to minfree, the risks (each needing its own acknowledgement), an optional trial
// measurement, then Apply through the helper and a confirm-or-auto-revert countdown.

import type { Applied, Backend, Diagnostic, Measurement, Plan, PlanTarget, Risk, StepToken } from "../backend";
import { advice, toBackendError } from "../backend";
import { lineDiff } from "../diff";
import { button, h, note, withCode } from "../dom";
import { bytes, clock, count } from "../format";
import { ConnectionBadge } from "./connection";

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
  private now: () => number;
  readonly connection: ConnectionBadge;

  constructor(
    private root: HTMLElement,
    private backend: Backend,
    options: WizardOptions = {},
  ) {
    this.now = options.now ?? (() => Date.now() / 1000);
    this.connection = new ConnectionBadge(backend);
  }

  async load(): Promise<void> {
    this.stopTimer();
    this.phase = { kind: "loading" };
    this.acks.clear();
    this.measurement = null;
    this.measureError = null;
    this.applyError = null;
    this.paint();
    try {
      const step = await this.backend.planNext(this.target);
      const plan = step.plan;
      this.token = step.token;
      this.phase = plan ? { kind: "plan", plan } : { kind: "done" };
      if (plan) this.trialClasses = addedClasses(plan);
    } catch (err) {
      const e = toBackendError(err);
      this.phase = { kind: "error", text: e.message, code: e.code };
    }
    this.paint();
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
      void this.load();
    });
    return h("div", { class: "field inline" }, h("label", { for: "target" }, "Goal"), select);
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
      case "done":
        return [
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
      case "finished":
        return [
          this.stepCard(p.plan),
          h(
            "div",
            { class: `result-panel ${p.kept ? "ok" : "warning"}`, role: "status" },
            h("p", { class: "empty-title", "data-testid": "wizard-result" }, p.text),
            p.plan.needs_relogin && p.kept
              ? h("p", {}, "flags apply at the next login: log out and back in (or restart) so your sessions are audited with the new flags.")
              : null,
            p.kept ? h("p", {}, "Let it soak for a few days, then come back for the next step.") : null,
            button("Plan Next Step", { class: "primary", "data-testid": "wizard-next" }, () => void this.load()),
          ),
        ];
    }
  }

  private stepCard(plan: Plan): HTMLElement {
    const applied = this.phase.kind === "countdown" || this.phase.kind === "finished";
    return h(
      "section",
      { class: "card step" },
      h("p", { class: "eyebrow" }, `${applied ? "Applied step" : "Next step"} · ${plan.concern}`),
      h("h2", { "data-testid": "wizard-step-title" }, plan.title),
      h("p", { class: "why", "data-testid": "why" }, withCode(plan.why)),
    );
  }

  private planView(plan: Plan, applying: boolean): HTMLElement[] {
    const sections: HTMLElement[] = [this.stepCard(plan)];

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
            h("td", { class: "num", "data-testid": "change-bytes" }, `+${range(pr.change_bytes_per_day, bytes)}`),
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

  /** "Acknowledge 2 risks to apply", or null when nothing is missing. */
  private ackHint(plan: Plan): string | null {
    const missing = plan.risks.filter((r) => !this.acks.has(r.id)).length;
    return missing > 0 ? `Acknowledge ${missing} ${missing === 1 ? "risk" : "risks"} to apply` : null;
  }

  /** Enables Apply and updates the hint after an acknowledgement changed. */
  private syncApply(plan: Plan): void {
    const hint = this.ackHint(plan);
    const apply = this.root.querySelector<HTMLButtonElement>("[data-testid=wizard-apply]");
    if (apply) apply.disabled = this.phase.kind === "applying" || hint !== null;
    const el = this.root.querySelector<HTMLElement>("[data-testid=ack-hint]");
    if (el) {
      el.textContent = hint ?? "";
      el.hidden = hint === null;
    }
  }

  private applyBar(plan: Plan, applying: boolean): HTMLElement {
    const hint = this.ackHint(plan);
    const apply = button(applying ? "Applying…" : "Apply", { class: "primary", "data-testid": "wizard-apply" }, () => void this.apply(plan));
    apply.disabled = applying || hint !== null;
    const auto = h("input", { type: "checkbox", id: "auto-revert", "data-testid": "wizard-auto-revert" });
    auto.checked = this.autoRevert;
    auto.disabled = applying;
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
      this.phase = { kind: "plan", plan };
      this.paint();
    }
  }

  private countdown(applied: Applied): HTMLElement {
    const left = (applied.pending_confirm?.deadline_unix ?? 0) - this.now();
    const keep = button("Keep Change", { class: "primary", "data-testid": "wizard-keep" }, () => void this.keep());
    const revert = button("Revert Now", { "data-testid": "wizard-revert" }, () => void this.revertNow());
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
