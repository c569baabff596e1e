// The shapes the Rust side sends. ConfigReport mirrors src-tauri/src/report.rs; the
// rest follow docs/app-commands.md (the app's commands), docs/status-json.md (headroom,
// forecast), docs/protocol.md (revisions) and earshot_core's plan/baseline types.
// Fields the UI can live without are optional, so an older shell degrades, not crashes.

export type Severity = "error" | "warning" | "info";

export interface Diagnostic {
  /** 1-based; 0 means the finding is about the file as a whole. */
  line: number;
  /** 1-based byte column of the physical line; 0 with line 0. */
  column: number;
  severity: Severity;
  /** Stable identifier such as AC-FLAGS-UNKNOWN-CLASS. */
  code: string;
  message: string;
  hint: string;
}

export type ConfigReport =
  | { status: "checked"; path: string; diagnostics: Diagnostic[] }
  | { status: "missing"; path: string }
  | { status: "unreadable"; path: string; reason: string };

// ---- glance (popover, tray) -------------------------------------------------------

/** What the tray glyph shows. `unknown` is never drawn as ok. */
export type HealthSeverity = "ok" | "warning" | "error" | "off" | "unknown";

export interface Evidence {
  source: string;
  observation: string;
}

export interface Health {
  state: string;
  severity: HealthSeverity;
  summary: string;
  evidence: Evidence[];
  fix: string | null;
}

/** One trail folder's room on its volume (docs/app-commands.md `Glance.headroom`). */
export interface Headroom {
  dir: string;
  volume_bytes: number;
  free_bytes: number;
  free_percent: number;
  /** The higher of the kernel's and auditd's limits, as a % of the volume: the minfree mark. */
  threshold_percent?: number;
  /** status-json spelling of the kernel's limit (older shells). */
  kernel_threshold_percent?: number;
  minfree_percent: number | null;
  bytes_above_minfree: number;
  below_minfree: boolean;
}

export type MinfreeKind = "never" | "reached" | "already_below" | "no_growth";

/** docs/app-commands.md `Glance.forecast`. */
export interface Forecast {
  bytes_per_day: number;
  minfree: MinfreeKind;
  /** Set when minfree = "reached". */
  minfree_days?: number | null;
  /** Set when minfree = "never" because expire-after caps the folder. */
  cap_bytes?: number | null;
  /** Steady-state history kept, when capped. */
  retention_secs?: number | null;
}

export interface ClassRate {
  class: string;
  eps: number;
  bytes_per_s: number;
}

export interface Rates {
  /** "minute", "hour", "day" (or "1h"/"24h"). */
  window: string;
  covered_secs?: number;
  total_eps: number;
  total_bytes_per_s?: number;
  by_class: ClassRate[];
}

export interface GlanceWarning {
  id: string;
  level: "info" | "warning" | "error";
  text: string;
  /** Unix seconds, or an ISO time. */
  since: number | string | null;
}

export interface PendingConfirm {
  revision: number;
  deadline_unix: number;
}

export interface Glance {
  connection: { state: "connected" | "connecting" | "unavailable"; reason?: string | null };
  health: Health;
  tray?: { glyph: string; title: string | null };
  headroom: Headroom | null;
  forecast: Forecast | null;
  rates: Rates | null;
  warnings: GlanceWarning[];
  pending_confirm: PendingConfirm | null;
  head_revision: number | null;
  simulated?: boolean;
  updated_unix?: number;
}

// ---- trail browser ---------------------------------------------------------------

export type Outcome = "any" | "success" | "failure";

/** An opaque position in the trails; sent back as it came. */
export type TrailCursor = unknown;

export interface TrailQuery {
  /** Unix seconds, inclusive; null for unbounded. */
  since: number | null;
  /** Unix seconds, exclusive. */
  until: number | null;
  classes: string[];
  events: string[];
  /** auid as a number or a user name; null for any. */
  user: string | null;
  outcome: Outcome;
  cursor: TrailCursor | null;
  pageSize: number;
}

/** One record as bsm::json renders it. */
export interface TrailRecord {
  type: "record";
  offset: number;
  length: number;
  time: string;
  event: { number: number; name: string | null; description?: string | null; classes: string[] };
  modifier?: number;
  version?: number;
  subject: {
    kind?: string;
    auid: number;
    euid: number;
    egid: number;
    ruid: number;
    rgid: number;
    pid: number;
    session: number;
    terminal?: { port: number; address: string };
  } | null;
  return: {
    status: number;
    success: boolean;
    value: number;
    errno?: string | null;
    error?: string | null;
  } | null;
  paths?: string[];
  args?: { num: number; value: number; text: string }[];
  exec_args?: string[];
  exec_env?: string[];
  text?: string[];
  sockets?: unknown[];
  other?: unknown[];
  /** Trail file and offset the record came from (added by the app's trail_page). */
  trail_file?: string;
  trail_offset?: number;
  /** Set when the record was too large to send: its tokens are left out and this says why. */
  omitted?: string;
}

export interface TrailPage {
  records: TrailRecord[];
  next: TrailCursor | null;
  scanned_bytes: number;
  /**
   * The helper stopped on its per-request scan budget (~256 MiB) before the page was
   * full: more may follow from `next` (always set then). Absent from older helpers.
   */
  partial?: boolean;
}

// ---- compliance ------------------------------------------------------------------

export type BaselineName =
  | "cis-l1"
  | "cis-l2"
  | "stig-26"
  | "stig-15"
  | "800-53-low"
  | "800-53-moderate"
  | "800-53-high"
  | "all";

export type RuleStatus = "pass" | "fail" | "not-applicable" | "manual" | "inherent" | "unknown";

export interface RuleResult {
  number: number;
  id: string;
  title: string;
  cis: string | null;
  stig: string | null;
  nist_800_53: string[];
  severity: string | null;
  odv: string | null;
  status: RuleStatus;
  found: string;
  expected: string;
  mscp_literal: { verdict: "pass" | "fail"; output: string; expected: string } | null;
  disagreement: string | null;
  mscp_check: string;
  fix: string;
}

export interface ComplianceReport {
  baseline: string;
  title: string;
  results: RuleResult[];
  summary: {
    pass: number;
    fail: number;
    not_applicable: number;
    manual: number;
    inherent: number;
    unknown: number;
    mscp_disagreements: number;
  };
}

// ---- the tuning plan (earshot_core::plan::Plan) -----------------------------------

export interface Range {
  low: number;
  typical: number;
  high: number;
}

export interface PlanChange {
  key: string;
  before: string | null;
  after: string | null;
  meaning: string;
}

export interface SemanticChange {
  key: string;
  text: string;
  risks: { id: string; message: string }[];
}

export interface Risk {
  id: string;
  message: string;
}

export interface ClassCost {
  class: string;
  side: "success" | "failure";
  events_per_day: Range;
  bytes_per_day: Range;
  source: "measured" | "reference" | "unknown";
  added: boolean;
}

export interface Prediction {
  classes: ClassCost[];
  events_per_day: Range;
  bytes_per_day: Range;
  change_bytes_per_day: Range;
  retention_days: Range | null;
  retention: string;
  time_to_minfree_days: Range | null;
  minfree: string;
  uses_reference_figures: boolean;
  notes: string[];
}

export interface Plan {
  step: string;
  concern: string;
  title: string;
  why: string;
  before: string | null;
  after: string;
  diff: PlanChange[];
  semantic_diff: SemanticChange[];
  risks: Risk[];
  warnings: string[];
  activation: string[];
  needs_relogin: boolean;
  prediction: Prediction;
  alternatives?: Alternative[];
}

/** Another way to take the same step (e.g. `ahlt` without `cnt`). */
export interface Alternative {
  title: string;
  explanation: string;
  after: string;
  diff: PlanChange[];
  risks: Risk[];
}

export type PlanTarget = "next" | BaselineName;

export interface MeasureRequest {
  classes: string;
  seconds: number;
}

export interface Measurement {
  flags: string;
  naflags?: string;
  duration_secs: number;
  records: number;
  bytes: number;
  classes: {
    class: string;
    success: { events: number; bytes: number } | null;
    failure: { events: number; bytes: number } | null;
  }[];
  method: string;
  dropped: number;
}

export interface Applied {
  revision: number;
  pending_confirm: PendingConfirm | null;
  changes?: { key: string; old: string | null; new: string | null; summary: string }[];
  unchanged?: boolean;
  reload_warning?: string | null;
}

// ---- history ---------------------------------------------------------------------

export type RevisionSource = "original" | "apply" | "rollback" | "auto_revert" | "external";

export interface RevisionInfo {
  number: number;
  time_unix: number;
  uid: number;
  user: string;
  source: RevisionSource;
  reason: string;
  hash: string;
  chain?: string;
  changes: { key: string; old: string | null; new: string | null; summary: string }[];
  acks: string[];
  confirmation: "pending" | "confirmed" | "reverted" | null;
}

export interface History {
  revisions: RevisionInfo[];
  chain_intact: boolean;
  chain_problem: string | null;
  /** Set when older revisions remain: pass as `before` for the next page. */
  next_before?: number;
}

// ---- preferences -----------------------------------------------------------------

export interface Preferences {
  title: "none" | "events" | "free";
  alerts: {
    stopped: boolean;
    below_minfree: boolean;
    /** Alert when the forecast reaches minfree within this many days; null = off. */
    forecast_days_threshold: number | null;
    drift: boolean;
  };
  launch_at_login: boolean;
}

export type WindowName = "popover" | "dashboard" | "wizard" | "history" | "preferences";

/** Time windows the chart commands take. */
export type ChartWindow = "minute" | "hour" | "day";

export type ChartKind = "rates" | "forecast";
export type Appearance = "light" | "dark";
