// GENERATED from the Rust types (earshot-model, earshot-glance) by
// crates/earshot-glance/tests/it/typescript.rs — do not edit by hand;
// regenerate with `EARSHOT_BLESS=1 cargo test -p earshot-glance --test it typescript`.

/** earshot_model::glance::AlertPrefs */
export type AlertPrefs = { 
/**
 * Auditing stopped (not auditing although configured, stalled, stopped for space).
 */
stopped: boolean, 
/**
 * A trail volume is below minfree.
 */
below_minfree: boolean, 
/**
 * Alert when the forecast reaches minfree within this many days; `None` = never.
 */
forecast_days_threshold: number | null, 
/**
 * audit_control was edited outside Earshot.
 */
drift: boolean, 
/**
 * A tuning step's soak is over and its review is ready.
 */
soak: boolean, };

/** earshot_model::plan::Alternative */
export type Alternative = { title: string, explanation: string, after: string, diff: Array<PlanChange>, risks: Array<Risk>, };

/** earshot_model::glance::ApplyResult */
export type ApplyResult = { revision: number, unchanged: boolean, pending_confirm: PendingConfirm | null, changes: Array<ConfigChange>, reload_warning: string | null, };

/** earshot_model::compliance::Baseline */
export type Baseline = "cis-l1" | "cis-l2" | "stig-15" | "stig-26" | "800-53-low" | "800-53-moderate" | "800-53-high" | "all";

/** earshot_model::plan::ClassCost */
export type ClassCost = { class: string, side: Side, events_per_day: Range, bytes_per_day: Range, source: FigureSource, 
/**
 * Audited after the step but not before.
 */
added: boolean, };

/** earshot_model::measure::ClassCount */
export type ClassCount = { class: string, success: SideCount | null, failure: SideCount | null, };

/** earshot_model::glance::ClassRate */
export type ClassRate = { class: string, eps: number, bytes_per_s: number, };

/** earshot_glance::error::CommandCode */
export type CommandCode = "unavailable" | "refused" | "invalid" | "internal";

/** earshot_glance::error::CommandError */
export type CommandError = { code: CommandCode, reason: string, 
/**
 * The helper's error code (`ack-required`, `base-changed`, …) when it refused.
 */
helper_code?: string, missing_acks?: Array<Risk>, diagnostics?: Array<Diagnostic>, };

/** earshot_model::compliance::Report */
export type ComplianceReport = { baseline: Baseline, title: string, 
/**
 * The mSCP release the rules and their release ODVs follow.
 */
mscp_release: string, 
/**
 * The organisation's tailoring applied (`None`: the release as published).
 */
tailoring: Tailoring | null, results: Array<RuleResult>, summary: Summary, };

/** earshot_model::history::Change */
export type ConfigChange = { key: string, old: string | null, new: string | null, 
/**
 * A sentence, e.g. `flags: adds fr (file read)`.
 */
summary: string, };

/** earshot_model::config::ConfigReport */
export type ConfigReport = { "status": "checked", path: string, diagnostics: Array<Diagnostic>, } | { "status": "missing", path: string, } | { "status": "unreadable", path: string, reason: string, };

/** earshot_model::history::Confirmation */
export type Confirmation = "pending" | "confirmed" | "reverted";

/** earshot_model::glance::Confirmed */
export type Confirmed = { revision: number, };

/** earshot_model::glance::Connection */
export type Connection = { state: ConnectionState, 
/**
 * Why it is not connected (the client error, in words).
 */
reason: string | null, };

/** earshot_model::glance::ConnectionState */
export type ConnectionState = "connected" | "connecting" | "unavailable";

/** earshot_model::trail::Cursor */
export type Cursor = { file: string, offset: number, };

/** earshot_model::config::Diagnostic */
export type Diagnostic = { line: number, column: number, severity: DiagnosticSeverity, code: string, message: string, hint: string, };

/** earshot_model::config::DiagnosticSeverity */
export type DiagnosticSeverity = "error" | "warning" | "info";

/** earshot_model::status::Evidence */
export type Evidence = { 
/**
 * The command or path consulted.
 */
source: string, observation: string, };

/** earshot_model::plan::Source */
export type FigureSource = "measured" | "reference" | "unknown";

/** earshot_model::glance::Forecast */
export type Forecast = { bytes_per_day: number, minfree: MinfreeKind, minfree_days: number | null, 
/**
 * Set when minfree = `never` because expiry stops the folder growing: the
 * largest size the trail folder reaches (earshot-core `MinfreeOutlook::Never`).
 */
cap_bytes: number | null, retention_secs: number | null, };

/** earshot_model::glance::Glance */
export type Glance = { connection: Connection, health: Health, tray: Tray, headroom: Headroom | null, forecast: Forecast | null, rates: Rates | null, warnings: Array<GlanceWarning>, pending_confirm: PendingConfirm | null, head_revision: number | null, 
/**
 * The newest revision is an edit made outside Earshot.
 */
drift: boolean, 
/**
 * The last tuning step's soak (or its review, or why it ended).
 */
soak: SoakStatus | null, 
/**
 * What the organisation's configuration profile forces (`None` without
 * one): the app locks those controls and says why.
 */
managed: Managed | null, simulated: boolean, updated_unix: number, };

/** earshot_model::glance::Warning */
export type GlanceWarning = { id: string, level: WarningLevel, text: string, 
/**
 * When the app first saw it (unix seconds).
 */
since: number, };

/** earshot_model::glance::Headroom */
export type Headroom = { dir: string, volume_bytes: number, free_bytes: number, free_percent: number, 
/**
 * The minfree mark on the bar: the higher of the kernel's and auditd's limits,
 * as a percentage of the volume.
 */
threshold_percent: number, minfree_percent: number | null, below_minfree: boolean, bytes_above_minfree: number, };

/** earshot_model::glance::Health */
export type Health = { 
/**
 * `health.state` of the status document (`auditing`, `stalled`, …, `unknown`).
 */
state: string, severity: HealthSeverity, summary: string, evidence: Array<Evidence>, fix: string | null, };

/** earshot_model::glance::Severity */
export type HealthSeverity = "ok" | "warning" | "error" | "off" | "unknown";

/** earshot_model::history::HistoryReport */
export type HistoryReport = { revisions: Array<RevisionInfo>, 
/**
 * False when a stored revision or the chain linking them was altered.
 */
chain_intact: boolean, 
/**
 * Human account of the first break, when `chain_intact` is false.
 */
chain_problem: string | null, 
/**
 * Pass as `before` for the next, older page; absent on the last page.
 */
next_before?: number, };

/** earshot_model::managed::Managed */
export type Managed = { 
/**
 * Whether any profile delivers keys for [`DOMAIN`].
 */
profile: boolean, 
/**
 * `EnableMenuItem`: the menu-bar item is shown (false hides it).
 */
enable_menu_item: boolean | null, 
/**
 * `AllowUserTuning`: people at this Mac may change audit_control through
 * Earshot (apply, tuning steps, enabling auditing).
 */
allow_user_tuning: boolean | null, 
/**
 * `AllowRollback`: people at this Mac may roll back a change.
 */
allow_rollback: boolean | null, 
/**
 * `Baseline`: the baseline the organisation requires.
 */
baseline: Baseline | null, 
/**
 * `ODV` and `Exemptions`: the organisation's tailoring.
 */
tailoring: Tailoring, 
/**
 * `SnapshotIntervalSecs`: how often the helper refreshes the snapshot.
 */
snapshot_interval_secs: number | null, 
/**
 * `EventExportEnabled`: stream the trail as OCSF events.
 */
event_export_enabled: boolean | null, 
/**
 * `EventExportPath`: the folder of the event files.
 */
event_export_path: string | null, 
/**
 * `EventExportMaxMB`: the cap on the event files together.
 */
event_export_max_mb: number | null, 
/**
 * Keys that were ignored, and why (unknown, wrong type, out of range).
 */
problems: Array<ManagedProblem>, };

/** earshot_model::managed::ManagedProblem */
export type ManagedProblem = { key: string, message: string, };

/** earshot_model::measure::Measurement */
export type Measurement = { flags: string, naflags: string, duration_secs: number, records: number, bytes: number, classes: Array<ClassCount>, 
/**
 * `auditpipe` or `simulator`.
 */
method: string, 
/**
 * Records the pipe dropped; the counts are then a floor.
 */
dropped: number, };

/** earshot_model::glance::MinfreeKind */
export type MinfreeKind = "never" | "reached" | "already_below" | "no_growth";

/** earshot_model::compliance::MscpLiteral */
export type MscpLiteral = { 
/**
 * `pass` or `fail`.
 */
verdict: string, output: string, expected: string, };

/** earshot_model::change::NextStepReport */
export type NextStepReport = { 
/**
 * The step; `None` when the target is met.
 */
plan: Plan | null, 
/**
 * The risks applying it needs acknowledged (ids as in `apply_step`'s `acks`).
 */
risks: Array<Risk>, 
/**
 * What to send back in `apply_step` (`None` with no step).
 */
token: StepToken | null, };

/** earshot_model::compliance::OdvSource */
export type OdvSource = "release" | "organisation";

/** earshot_model::compliance::OdvValue */
export type OdvValue = number | string;

/** earshot_model::trail::OutcomeChoice */
export type OutcomeChoice = "any" | "success" | "failure";

/** earshot_model::change::PendingConfirm */
export type PendingConfirm = { revision: number, deadline_unix: number, };

/** earshot_model::plan::Plan */
export type Plan = { step: StepKind, 
/**
 * The key (or service) the step changes: its one concern.
 */
concern: string, title: string, why: string, 
/**
 * audit_control before (`None`: the file does not exist).
 */
before: string | null, 
/**
 * audit_control after the step (unchanged for a service-only step), as text for
 * display and JSON; [`Plan::after_bytes`] has the exact bytes to write.
 */
after: string, diff: Array<PlanChange>, 
/**
 * audit-control's semantic diff of the same change (its wording and risk ids).
 */
semantic_diff: Array<SemanticChange>, 
/**
 * Must be acknowledged before applying: the planner's risks plus every risk of
 * audit-control's semantic diff (same ids, merged).
 */
risks: Array<Risk>, 
/**
 * Worth reading, no acknowledgement needed.
 */
warnings: Array<string>, 
/**
 * Commands to run / what makes the change take effect.
 */
activation: Array<string>, 
/**
 * `flags` changed: running sessions keep their old mask until the user logs in
 * again (or the Mac restarts).
 */
needs_relogin: boolean, prediction: Prediction, alternatives: Array<Alternative>, };

/** earshot_model::plan::Change */
export type PlanChange = { key: string, before: string | null, after: string | null, meaning: string, };

/** earshot_model::plan::Prediction */
export type Prediction = { classes: Array<ClassCost>, events_per_day: Range, bytes_per_day: Range, 
/**
 * Against the configuration before the step.
 */
change_bytes_per_day: Range, 
/**
 * History kept by expire-after, in days (`None`: unbounded — until minfree/disk).
 */
retention_days: Range | null, retention: string, 
/**
 * Days until the trail volume reaches minfree (`None`: not reached, or unknown).
 */
time_to_minfree_days: Range | null, minfree: string, 
/**
 * Whether any figure is a reference figure rather than a measurement.
 */
uses_reference_figures: boolean, notes: Array<string>, };

/** earshot_model::glance::Preferences */
export type Preferences = { title: TitleContent, alerts: AlertPrefs, 
/**
 * Start the app at login (opt-in).
 */
launch_at_login: boolean, 
/**
 * The user hid the menu-bar item (ignored while a profile forces
 * `EnableMenuItem`).
 */
hide_menu_item: boolean, };

/** earshot_model::plan::Range */
export type Range = { low: number, typical: number, high: number, };

/** earshot_model::glance::Rates */
export type Rates = { window: string, covered_secs: number, total_eps: number, total_bytes_per_s: number, 
/**
 * Busiest first.
 */
by_class: Array<ClassRate>, };

/** earshot_model::review::Review */
export type Review = { verdict: Verdict, reasons: Array<string>, days_observed: number, 
/**
 * Measured bytes/day divided by the predicted typical figure.
 */
ratio: number | null, };

/** earshot_model::history::RevisionInfo */
export type RevisionInfo = { number: number, time_unix: number, uid: number, user: string, source: RevisionSource, reason: string, 
/**
 * sha256 of the file bytes of this revision.
 */
hash: string, 
/**
 * Hash linking this revision to the one before it.
 */
chain: string, changes: Array<ConfigChange>, acks: Array<string>, 
/**
 * For revisions applied with `confirm_within_secs`: pending, confirmed or reverted.
 */
confirmation: Confirmation | null, };

/** earshot_model::history::RevisionSource */
export type RevisionSource = "original" | "apply" | "rollback" | "auto_revert" | "external";

/** earshot_model::plan::Risk */
export type Risk = { id: string, message: string, };

/** earshot_model::compliance::RuleResult */
export type RuleResult = { number: number, id: string, title: string, cis: string | null, stig: string | null, nist_800_53: Array<string>, severity: StigSeverity | null, odv: string | null, 
/**
 * Whose value `odv` is; with `Organisation`, `release_odv` is the one it
 * replaced.
 */
odv_source?: OdvSource, release_odv?: string, status: RuleStatus, 
/**
 * Why the organisation exempted the rule (status `exempt`); the checks
 * still ran, and `found` / `mscp_literal` say what they saw.
 */
exempt_reason?: string, 
/**
 * What the checks concluded for an exempt rule (`pass` / `fail` / …).
 */
checked?: RuleStatus, 
/**
 * What Earshot found, in words.
 */
found: string, 
/**
 * What the rule wants, in words.
 */
expected: string, 
/**
 * mSCP's literal verdict (`None` when the check cannot be reproduced from the
 * inputs, or the rule has no check).
 */
mscp_literal: MscpLiteral | null, 
/**
 * Why mSCP's literal check and Earshot disagree (only when they do).
 */
disagreement: string | null, 
/**
 * The mSCP check command the literal verdict reproduces (empty for manual rules).
 */
mscp_check: string, fix: string, };

/** earshot_model::compliance::Status */
export type RuleStatus = "pass" | "fail" | "not-applicable" | "manual" | "inherent" | "unknown" | "exempt";

/** earshot_model::plan::SemanticChange */
export type SemanticChange = { key: string, 
/**
 * e.g. "flags: +ad", "expire-after: 10M → 60d OR 5G".
 */
text: string, risks: Array<Risk>, };

/** earshot_model::plan::Side */
export type Side = "success" | "failure";

/** earshot_model::measure::SideCount */
export type SideCount = { events: number, bytes: number, };

/** earshot_model::soak::SoakState */
export type SoakState = "soaking" | "reviewed" | "ended";

/** earshot_model::soak::SoakStatus */
export type SoakStatus = { 
/**
 * The revision the step made.
 */
revision: number, 
/**
 * The step's place in the user's plan (1 = the first step Earshot applied).
 */
number: number, step: StepKind, title: string, started_unix: number, ends_unix: number, soak_days: number, 
/**
 * Why it soaks this long.
 */
soak_reason: string, 
/**
 * Days since the step, at most `soak_days` (hundredths).
 */
days_observed: number, state: SoakState, 
/**
 * Why it ended before its review.
 */
ended_by: string | null, 
/**
 * The step's predicted trail volume, bytes per day.
 */
predicted: Range, 
/**
 * Measured since the step (over the trails that cover the time since);
 * `None` until an hour has been recorded.
 */
measured_bytes_per_day: number | null, 
/**
 * `measured / predicted.typical`.
 */
ratio: number | null, 
/**
 * Set when the measured volume leaves the predicted band badly enough to
 * matter (docs/tuning-guide.md, "Soaking"): the sentence saying so.
 */
over_budget: string | null, 
/**
 * The review, once made.
 */
review: Review | null, 
/**
 * One line: "flags: add ad — day 1 of 3 — 1.04× the predicted volume so far".
 */
summary: string, };

/** earshot_model::plan::StepKind */
export type StepKind = "enable-auditing" | "start-auditd" | "base-flags" | "base-naflags" | "policy" | "rotation" | "retention" | "minfree" | "add-flag" | "naflags-na" | "failure-halt" | "arge" | "spell-out-for-mscp";

/** earshot_model::soak::StepReview */
export type StepReview = { soak: SoakStatus, review: Review, 
/**
 * The next rung toward `next` (when the verdict allows it).
 */
next: Plan | null, next_risks: Array<Risk>, next_token: StepToken | null, tweaks: Array<Tweak>, 
/**
 * The revision a roll back of the step restores (the one before it).
 */
rollback_to: number | null, };

/** earshot_model::change::StepToken */
export type StepToken = { 
/**
 * `next` or a baseline name, as `next_step` took it.
 */
target: string, 
/**
 * sha256 of the audit_control the step was planned on (`absent` when
 * there was none).
 */
base_hash: string, 
/**
 * sha256 of the audit_control the step writes (its `after`).
 */
after_hash: string, };

/** earshot_model::compliance::Severity */
export type StigSeverity = "low" | "medium" | "high";

/** earshot_model::compliance::Summary */
export type Summary = { pass: number, fail: number, not_applicable: number, manual: number, inherent: number, unknown: number, 
/**
 * Rules the organisation exempted (neither passes nor failures).
 */
exempt: number, 
/**
 * Rules where mSCP's literal check would say otherwise.
 */
mscp_disagreements: number, };

/** earshot_model::compliance::Tailoring */
export type Tailoring = { 
/**
 * Rule id → the organisation's value (`audit_retention_configure` → `90d`).
 */
odv: { [key in string]: OdvValue }, 
/**
 * Rule id → why it is exempt.
 */
exemptions: { [key in string]: string }, 
/**
 * Where it came from (`managed:<domain>`, `file:<path>`, `mscp:<plist>`).
 */
source?: string, };

/** earshot_model::glance::TitleContent */
export type TitleContent = "none" | "events" | "free";

/** earshot_model::trail::TrailPage */
export type TrailPage = { 
/**
 * `bsm::json` record objects with `trail_file` and `trail_offset` added.
 *
 * The one opaque payload of the protocol: records are the BSM format
 * crate's own NDJSON objects (`bsm::json`, documented in docs/protocol.md),
 * written straight from the trail, passed through untouched; the UI reads
 * them as `TrailRecord` (ui/src/backend/types.ts).
 */
records: Array<unknown>, 
/**
 * Where the next page starts; `None` at the end.
 */
next: Cursor | null, 
/**
 * Bytes examined for this page.
 */
scanned_bytes: number, 
/**
 * The helper stopped on its per-request scan budget before the page was
 * full (it may even hold no records): more may follow from `next`, which
 * is then always set. `false` for a full page and at the end. Absent from
 * older helpers' answers, which scanned to the end instead.
 */
partial: boolean, };

/** earshot_model::glance::Tray */
export type Tray = { glyph: HealthSeverity, title: string | null, 
/**
 * Whether the menu-bar item shows: the profile's `EnableMenuItem` when it
 * forces one, else the user's choice.
 */
visible: boolean, };

/** earshot_model::soak::Tweak */
export type Tweak = { 
/**
 * `retention` (size expire-after for the measured rate) or `drop:<class>`
 * (stop auditing a class the step added).
 */
id: string, title: string, why: string, plan: Plan, risks: Array<Risk>, token: StepToken, };

/** earshot_model::review::Verdict */
export type Verdict = "keep-soaking" | "next-step" | "tweak" | "roll-back";

/** earshot_model::status::WarningLevel */
export type WarningLevel = "info" | "warning" | "error";
