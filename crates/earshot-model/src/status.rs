//! The status document: is auditing on, running and writing; headroom of each trail
//! folder above `minfree`; event rates; where the folder is heading. What
//! `earshot status --json` prints (docs/status-json.md, pinned by a snapshot test:
//! add fields, never rename them) and the helper's `status` carries as `detail`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::change::PendingConfirm;
use crate::time::Timestamp;

/// Version of the JSON layout (bumped only for incompatible changes).
pub const STATUS_SCHEMA: u32 = 1;

/// audit_control in brief, as the status shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ConfigSummary {
    pub dirs: Vec<String>,
    /// Canonical flags text (`lo,aa`), `null` when missing or invalid.
    pub flags: Option<String>,
    pub naflags: Option<String>,
    pub policy: Vec<String>,
    pub minfree_percent: Option<u32>,
    pub filesz_bytes: Option<u64>,
    pub expire_after: Option<ExpiryRule>,
}

/// The trails across all configured folders.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TrailsSummary {
    pub count: u64,
    pub total_bytes: u64,
    pub oldest_start: Option<Timestamp>,
    pub crash_recovery_count: u64,
    /// The active trail (target of /var/audit/current).
    pub current: Option<CurrentTrailInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CurrentTrailInfo {
    pub path: String,
    pub size_bytes: u64,
    pub started: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(rename = "StatusDocument")]
pub struct Status {
    pub schema: u32,
    pub generated_at: Timestamp,
    /// "macos" or "simulated".
    pub system: String,
    pub macos_version: Option<String>,
    pub health: Health,
    pub config: Option<ConfigSummary>,
    pub headroom: Vec<Headroom>,
    /// `null` when the trail folder cannot be read (unprivileged on a real Mac).
    pub trails: Option<TrailsSummary>,
    /// 1 min, 1 h and 24 h windows; empty when trails cannot be read.
    pub rates: Vec<RateWindow>,
    /// `null` without trails to measure a rate from.
    pub forecast: Option<Forecast>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum HealthState {
    /// No audit_control (the macOS 14+ default).
    NotConfigured,
    /// launchd has com.apple.auditd disabled.
    DisabledInLaunchd,
    /// Configured and enabled, but the kernel is not auditing.
    ConfiguredNotAuditing,
    /// Auditing, and the trail grows as expected.
    Auditing,
    /// Auditing is on but the trail has not grown for far longer than the rate says.
    Stalled,
    /// Auditing, after auditd recovered a trail from a crash recently.
    RecoveredFromCrash,
    /// Auditing, but the trail volume is below the minfree soft limit.
    LowSpace,
    /// The volume fell under the hard limit and the kernel suspended auditing.
    StoppedForSpace,
    /// Not enough evidence to say.
    #[serde(other)]
    Unknown,
}

/// What the tray glyph shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename = "StatusSeverity")]
pub enum Severity {
    Ok,
    Off,
    Warning,
    Error,
    /// Also any word this version does not know: never ok.
    #[serde(other)]
    Unknown,
}

impl HealthState {
    pub fn severity(self) -> Severity {
        match self {
            HealthState::Auditing => Severity::Ok,
            HealthState::NotConfigured | HealthState::DisabledInLaunchd => Severity::Off,
            HealthState::RecoveredFromCrash | HealthState::LowSpace => Severity::Warning,
            HealthState::ConfiguredNotAuditing
            | HealthState::Stalled
            | HealthState::StoppedForSpace => Severity::Error,
            HealthState::Unknown => Severity::Unknown,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            HealthState::NotConfigured => "not_configured",
            HealthState::DisabledInLaunchd => "disabled_in_launchd",
            HealthState::ConfiguredNotAuditing => "configured_not_auditing",
            HealthState::Auditing => "auditing",
            HealthState::Stalled => "stalled",
            HealthState::RecoveredFromCrash => "recovered_from_crash",
            HealthState::LowSpace => "low_space",
            HealthState::StoppedForSpace => "stopped_for_space",
            HealthState::Unknown => "unknown",
        }
    }
}

/// One fact that led to the verdict, with where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Evidence {
    /// The command or path consulted.
    pub source: String,
    pub observation: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(rename = "StatusHealth")]
pub struct Health {
    pub state: HealthState,
    pub severity: Severity,
    /// One sentence for the popover.
    pub summary: String,
    pub evidence: Vec<Evidence>,
    /// What to do about it, in plain words; `None` when nothing needs doing.
    pub fix: Option<String>,
}

/// Headroom of one trail folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(rename = "StatusHeadroom")]
pub struct Headroom {
    /// The `dir:` path (macOS path).
    pub dir: String,
    pub volume_bytes: u64,
    /// `f_bfree × f_frsize`.
    pub free_bytes: u64,
    pub free_percent: f64,
    /// `minfree` as configured; `None` when audit_control has none (the kernel then
    /// keeps its default of 20 %).
    pub minfree_percent: Option<u32>,
    /// The percent actually in force for the kernel trigger (quantized).
    pub kernel_threshold_percent: f64,
    pub kernel_threshold_bytes: u64,
    /// auditd's exact-percentage soft limit.
    pub auditd_threshold_bytes: u64,
    /// Free bytes above the higher of the two thresholds (0 when below).
    pub bytes_above_minfree: u64,
    pub below_minfree: bool,
    /// Under the kernel's 4-block hard limit: auditing stops (with `cnt`).
    pub below_hard_limit: bool,
    /// Size of the regular files in the folder; `None` if the folder is unreadable
    /// (mode 0700 root:wheel and we are not root).
    pub folder_bytes: Option<u64>,
    pub file_count: Option<u64>,
    /// How many of those files are trails (name has a `.` at offset 14).
    pub trail_count: Option<u64>,
}

/// The three windows the menu bar and CLI show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum WindowSpan {
    Minute,
    Hour,
    Day,
}

impl WindowSpan {
    pub const ALL: [WindowSpan; 3] = [WindowSpan::Minute, WindowSpan::Hour, WindowSpan::Day];

    pub fn secs(self) -> u64 {
        match self {
            WindowSpan::Minute => 60,
            WindowSpan::Hour => 3600,
            WindowSpan::Day => 86_400,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            WindowSpan::Minute => "1m",
            WindowSpan::Hour => "1h",
            WindowSpan::Day => "24h",
        }
    }
}

/// Rates for one class or event inside a window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(rename = "WindowRate")]
pub struct Rate {
    pub records: u64,
    pub successes: u64,
    pub failures: u64,
    pub bytes: u64,
    pub events_per_sec: f64,
    pub bytes_per_sec: f64,
}

/// One window's rates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RateWindow {
    pub span: WindowSpan,
    pub span_secs: u64,
    /// Seconds of the window for which trails exist (rates divide by this, so a Mac
    /// that started auditing 10 minutes ago does not show a 24 h rate 144× too low).
    pub covered_secs: u64,
    pub total: Rate,
    /// Keyed by class name; an event counts towards every class it belongs to, so
    /// the classes do not add up to the total.
    pub by_class: BTreeMap<String, Rate>,
    /// Keyed by event name (`AUE_*`, or the number when audit_event does not list it).
    pub by_event: BTreeMap<String, Rate>,
}

/// `expire-after` (audit_control.md §3.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ExpiryRule {
    pub age_secs: Option<u64>,
    pub size_bytes: Option<u64>,
    pub op: ExpiryOp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum ExpiryOp {
    And,
    Or,
}

impl ExpiryRule {
    /// True when this rule can delete anything at all: AND needs both parts.
    pub fn can_expire(&self) -> bool {
        match self.op {
            ExpiryOp::Or => self.age_secs.is_some() || self.size_bytes.is_some(),
            ExpiryOp::And => self.age_secs.is_some() && self.size_bytes.is_some(),
        }
    }
}

/// The folder's long-run size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SteadyState {
    /// Expiry caps the folder.
    Capped {
        /// Largest size, just before a rotation.
        peak_bytes: u64,
        /// Time-average size.
        mean_bytes: u64,
        /// Closed trails kept after each expiry.
        trails_kept: u64,
        /// How much history that is at the current rate, in seconds.
        retention_secs: f64,
        /// Which part of expire-after binds: "size" or "age".
        limited_by: String,
    },
    /// Nothing ever expires.
    Unbounded { reason: String },
    /// No trail growth measured.
    NoGrowth,
}

/// When the volume reaches minfree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MinfreeOutlook {
    /// The folder stops growing before minfree: "never, expiry caps it at X".
    Never { cap_bytes: u64 },
    /// Reached after this many days at the current rate.
    Reached { days: f64 },
    /// Already below minfree.
    AlreadyBelow,
    /// No growth, so never (as long as the rate stays zero).
    NoGrowth,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum WarningLevel {
    Info,
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ForecastWarning {
    pub level: WarningLevel,
    /// Stable identifier (`never_expires`, `minfree_soon`, ...).
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(rename = "StatusForecast")]
pub struct Forecast {
    pub bytes_per_sec: f64,
    pub bytes_per_day: f64,
    /// Seconds between size rotations; `None` without size rotation or growth.
    pub rotation_interval_secs: Option<f64>,
    pub steady_state: SteadyState,
    pub minfree: MinfreeOutlook,
    pub warnings: Vec<ForecastWarning>,
}

/// Health of auditing, as a UI shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct StatusReport {
    /// ok | warning | error | off
    pub level: HealthLevel,
    /// One line for the tray tooltip.
    pub summary: String,
    /// Every finding, most severe first.
    #[serde(default)]
    pub findings: Vec<Finding>,
    /// sha256 of audit_control now.
    pub config_hash: String,
    /// Newest revision in history.
    pub head_revision: Option<u64>,
    /// A change waiting for `confirm`, if any.
    pub pending: Option<PendingConfirm>,
    /// The soaking (or last soaked) tuning step, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, as = "Option<crate::soak::SoakStatus>")]
    pub soak: Option<Box<crate::soak::SoakStatus>>,
    /// What a configuration profile forces (absent without a profile): the app
    /// locks those controls and says why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, as = "Option<crate::managed::Managed>")]
    pub managed: Option<Box<crate::managed::Managed>>,
    /// The OCSF event export (absent while it is off).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, as = "Option<ExportStatus>")]
    pub export: Option<Box<ExportStatus>>,
    pub simulated: bool,
    /// The full `earshot status --json` document as the helper (root) reads it
    /// (docs/status-json.md). Only in answers to `status`, never in pushes:
    /// it changes every second (rates, time) and would defeat "push on change".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub detail: Option<Box<Status>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum HealthLevel {
    Ok,
    Warning,
    Error,
    Off,
}

/// One fact behind the health level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Finding {
    pub level: HealthLevel,
    /// Stable id for the UI, e.g. `auditd-not-running`.
    pub code: String,
    pub message: String,
}

/// The OCSF event export (docs/ocsf.md, "The spool"): where it writes, how far
/// it has read the trails, and what it had to give up.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ExportStatus {
    /// The spool folder (a macOS path).
    pub dir: String,
    /// The last trail record written: `<trail start stamp>:<offset>` (the
    /// stamp alone for a trail none of whose records is written yet).
    pub position: Option<String>,
    /// Events written since the helper started.
    pub events_written: u64,
    /// Rotated spool files dropped by the size/age cap (a stalled shipper).
    pub files_dropped: u64,
    pub bytes_dropped: u64,
    /// Trail records lost because expiry deleted a trail before it was read.
    pub lost_records: u64,
    /// Trails lost whose record count was not known.
    pub lost_trails_uncounted: u64,
    /// Why the export is not writing (a full disk, an unwritable folder).
    pub paused: Option<String>,
}
