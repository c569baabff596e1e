// The compliance report for one baseline: every audit rule with its ids, Earshot's
// verdict, what was found, what mSCP's own script would say (and why it disagrees),
// and the fix. Rules and values follow the mSCP release the report names; an
// organisation's tailoring (its own values, its exemptions) is said as such: whose
// value a rule is checked against, and why an exempt rule is exempt — never a pass.

import type { Backend, Baseline, ComplianceReport, RuleResult, Tailoring } from "../backend";
import { advice, toBackendError } from "../backend";
import { h, note, withCode } from "../dom";
import { readManaged } from "../managed";

export const BASELINES: { value: string; label: string }[] = [
  { value: "cis-l1", label: "CIS Level 1" },
  { value: "cis-l2", label: "CIS Level 2" },
  { value: "stig-26", label: "DISA STIG (macOS 26)" },
  { value: "800-53-moderate", label: "NIST 800-53 moderate" },
  { value: "800-53-high", label: "NIST 800-53 high" },
];

const STATUS_LABEL: Record<string, string> = {
  pass: "Pass",
  fail: "Fail",
  "not-applicable": "N/A",
  manual: "Manual",
  inherent: "Inherent",
  unknown: "Unknown",
  exempt: "Exempt",
};

/** "1 value", "2 exemptions". */
function counted(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "Tailored by your organisation (managed:org.earshot.Earshot): 1 value, 1 exemption". */
export function tailoringText(t: Tailoring): string {
  const parts = [
    Object.keys(t.odv).length > 0 ? counted(Object.keys(t.odv).length, "value", "values") : null,
    Object.keys(t.exemptions).length > 0 ? counted(Object.keys(t.exemptions).length, "exemption", "exemptions") : null,
  ].filter(Boolean);
  return `Tailored by your organisation${t.source ? ` (${t.source})` : ""}${parts.length > 0 ? `: ${parts.join(", ")}` : ""}`;
}

/** A rule's value and whose it is: "90d (your organisation's; mSCP tahoe_rev3 says 30d)". */
export function odvText(r: RuleResult, release: string): string | null {
  if (r.odv === null) return null;
  if (r.odv_source !== "organisation") return r.odv;
  return r.release_odv ? `${r.odv} (your organisation's; mSCP ${release} says ${r.release_odv})` : `${r.odv} (your organisation's)`;
}

export class ComplianceView {
  baseline = "cis-l1";
  private report: ComplianceReport | null = null;
  private error: string | null = null;
  private loading = false;
  /** Show only the rules that need work (fail, unknown). */
  private problemsOnly = false;
  /** The baseline the organisation's profile requires: the one shown first. */
  private required: Baseline | null = null;
  private requiredRead = false;

  constructor(
    private root: HTMLElement,
    private backend: Backend,
  ) {}

  async load(): Promise<void> {
    this.loading = true;
    this.paint();
    if (!this.requiredRead) {
      // Once, before the first report: a managed Mac opens on the baseline it is held to.
      this.requiredRead = true;
      const required = (await readManaged(this.backend)).managed?.baseline ?? null;
      if (required && BASELINES.some((b) => b.value === required)) this.baseline = this.required = required;
    }
    try {
      this.report = await this.backend.compliance(this.baseline);
      this.error = null;
    } catch (err) {
      const e = toBackendError(err);
      this.report = null;
      this.error = `${e.message}${advice(e.code) ? ` — ${advice(e.code)}` : ""}`;
    }
    this.loading = false;
    this.paint();
  }

  paint(): void {
    const picker = h("select", { id: "baseline", "data-testid": "baseline" });
    for (const b of BASELINES) {
      const o = h("option", { value: b.value }, b.value === this.required ? `${b.label} (required by your organisation)` : b.label);
      o.selected = b.value === this.baseline;
      picker.append(o);
    }
    picker.addEventListener("change", () => {
      this.baseline = picker.value;
      void this.load();
    });
    const top = h("div", { class: "row" }, h("div", { class: "field inline" }, h("label", { for: "baseline" }, "Baseline"), picker));
    const body: (HTMLElement | null)[] = [];
    if (this.error !== null) {
      body.push(h("div", { class: "failure", role: "alert", "data-testid": "error" }, h("p", { class: "failure-title" }, "Cannot check compliance"), h("p", {}, this.error)));
    } else if (!this.report || this.loading) {
      body.push(note("loading", "Checking the rules…"));
    } else {
      const r = this.report;
      const s = r.summary;
      top.append(
        h(
          "p",
          { class: "summary", "data-testid": "compliance-summary" },
          h("span", { class: "count pass" }, `${s.pass} pass`),
          " · ",
          h("span", { class: "count fail" }, `${s.fail} fail`),
          // Exempt rules are neither: counted apart, and only when there are any.
          s.exempt > 0 ? ` · ${s.exempt} exempt` : "",
          ` · ${s.unknown} unknown · ${s.manual + s.inherent} manual/inherent`,
          s.mscp_disagreements > 0 ? ` · ${s.mscp_disagreements} mSCP disagreement${s.mscp_disagreements === 1 ? "" : "s"}` : "",
        ),
      );
      const only = h("input", { type: "checkbox", id: "problems-only", "data-testid": "problems-only" });
      only.checked = this.problemsOnly;
      only.addEventListener("change", () => {
        this.problemsOnly = only.checked;
        this.paint();
        this.root.querySelector<HTMLInputElement>("[data-testid=problems-only]")?.focus();
      });
      body.push(
        h(
          "div",
          { class: "row" },
          h("h2", { class: "report-title" }, r.title),
          h("span", { class: "tag release", "data-testid": "mscp-release", title: "The mSCP release the rules and their values follow" }, `mSCP ${r.mscp_release}`),
          h("div", { class: "check push-right" }, only, h("label", { for: "problems-only" }, "Only rules that need work")),
        ),
      );
      if (r.tailoring) {
        body.push(
          h(
            "p",
            { class: "notice tailoring", role: "note", "data-testid": "tailoring" },
            tailoringText(r.tailoring),
            h("span", { class: "hint block" }, "Rules are checked against the organisation's values; an exempt rule is still checked, and never counted as a pass."),
          ),
        );
      }
      const shown = this.problemsOnly ? r.results.filter((x) => x.status === "fail" || x.status === "unknown") : r.results;
      if (r.results.length === 0) body.push(note("empty", "This baseline has no audit rules.", "empty"));
      else if (shown.length === 0) body.push(note("empty", "Every rule passes or has no technical check.", "empty"));
      else body.push(h("ol", { class: "rules", "data-testid": "rules" }, ...shown.map((x) => this.rule(x, r.mscp_release))));
    }
    this.root.replaceChildren(h("div", { class: "compliance", "data-state": this.error ? "error" : this.report ? "ready" : "loading" }, top, ...body));
  }

  private rule(r: RuleResult, release: string): HTMLElement {
    const ids = [r.cis ? `CIS ${r.cis}` : null, r.stig, r.nist_800_53.length ? r.nist_800_53.join(", ") : null].filter(Boolean).join(" · ");
    const odv = odvText(r, release);
    const exempt = r.status === "exempt";
    return h(
      "li",
      { class: `rule status-${r.status}`, "data-testid": "rule", "data-status": r.status, "data-id": r.id },
      h(
        "div",
        { class: "rule-head" },
        h("span", { class: `tag status ${r.status}`, "data-testid": "status" }, STATUS_LABEL[r.status] ?? r.status),
        h("span", { class: "rule-title" }, `${r.number}. ${r.title}`),
      ),
      h(
        "p",
        { class: "ids" },
        h("code", {}, r.id),
        ids ? ` · ${ids}` : "",
        odv ? " · value " : "",
        odv ? h("span", { class: r.odv_source === "organisation" ? "odv organisation" : "odv", "data-testid": "odv" }, odv) : null,
      ),
      exempt
        ? h(
            "p",
            { class: "exempt-reason", "data-testid": "exempt-reason" },
            h("strong", {}, "Exempt by your organisation: "),
            r.exempt_reason ?? "no reason given",
            // What the checks saw still matters to an auditor, but it is not the verdict.
            r.checked ? h("span", { class: "hint block", "data-testid": "exempt-checked" }, `Checked anyway: ${(STATUS_LABEL[r.checked] ?? r.checked).toLowerCase()}.`) : null,
          )
        : null,
      h("dl", { class: "facts" }, h("dt", {}, "Found"), h("dd", { "data-testid": "found" }, withCode(r.found)), h("dt", {}, "Expected"), h("dd", {}, withCode(r.expected))),
      r.mscp_literal
        ? h(
            "p",
            { class: `mscp${r.disagreement ? " disagree" : ""}`, "data-testid": "mscp" },
            `mSCP's check: ${r.mscp_literal.verdict} (prints “${r.mscp_literal.output}”, wants “${r.mscp_literal.expected}”)`,
          )
        : null,
      r.disagreement ? h("p", { class: "disagreement", "data-testid": "disagreement" }, h("strong", {}, "Why mSCP disagrees: "), withCode(r.disagreement)) : null,
      r.status !== "pass" && !exempt && r.fix ? h("p", { class: "fix", "data-testid": "rule-fix" }, h("strong", {}, "Fix: "), withCode(r.fix)) : null,
    );
  }
}
