//! The status snapshot the helper keeps for fleet tools (docs/snapshot.md):
//! the Mac's audit posture in one small JSON document at a fixed path, read by
//! MDM inventory scripts (`earshot ea`), Fleet/osquery (`parse_json`) and
//! anything else that must never wait on the helper or scan a trail.
//!
//! Flat where a fleet query needs it (`baseline/compliant`, `auditing/running`),
//! every value of one type, no nulls where a query compares: Fleet's
//! `parse_json` drops nulls and stringifies the rest.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::compliance::Status as RuleStatus;
use crate::time::Timestamp;

/// The schema version; a reader refuses a document whose major version it
/// does not know.
pub const SNAPSHOT_SCHEMA: u32 = 1;

/// Where the helper writes the snapshot (a macOS path; under the root of a
/// simulated Mac there). Not in /Library/Preferences, where mSCP's result
/// files (`org.*.audit.plist`) live and the common extension attributes look.
pub const SNAPSHOT_PATH: &str = "/Library/Application Support/Earshot/snapshot.json";

/// Refreshed at least this often (seconds) unless a profile says otherwise.
pub const DEFAULT_REFRESH_SECS: u32 = 300;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Snapshot {
    pub schema: u32,
    pub generated_at: Timestamp,
    pub generated_unix: u64,
    /// How often the helper refreshes it (it also does on every change): a
    /// reader calls it stale after three missed refreshes.
    pub refresh_secs: u32,
    pub earshot_version: String,
    /// `macos` or `simulated`.
    pub system: String,
    pub macos_version: Option<String>,
    pub health: SnapshotHealth,
    pub auditing: SnapshotAuditing,
    /// audit_control as macOS reads it (the first line of each key wins).
    pub config: Option<SnapshotConfig>,
    /// The trail volume closest to its minfree limit.
    pub headroom: Option<SnapshotHeadroom>,
    pub forecast: Option<SnapshotForecast>,
    pub rates: Option<SnapshotRates>,
    /// When the active trail was last written.
    pub last_trail_write: Option<Timestamp>,
    pub baseline: SnapshotBaseline,
    /// The tuning step soaking (or last soaked).
    pub soak: Option<SnapshotSoak>,
    pub history: SnapshotHistory,
    pub managed: SnapshotManaged,
    /// The helper's findings (warnings and errors), as status reports them.
    pub findings: Vec<SnapshotFinding>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SnapshotHealth {
    /// `auditing`, `not_configured`, `stalled`, … (docs/status-json.md).
    pub state: String,
    /// `ok`, `off`, `warning`, `error`, `unknown`.
    pub severity: String,
    pub summary: String,
    pub fix: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SnapshotAuditing {
    /// audit_control exists.
    pub configured: bool,
    /// launchd has com.apple.auditd loaded.
    pub launchd_loaded: Option<bool>,
    /// The kernel reports AUC_AUDITING.
    pub kernel_auditing: Option<bool>,
    /// Configured, loaded and auditing: the one a Smart Group wants.
    pub running: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SnapshotConfig {
    pub dir: Vec<String>,
    /// Canonical (`lo,aa,ad`); `null` when missing or invalid.
    pub flags: Option<String>,
    pub naflags: Option<String>,
    pub policy: String,
    pub minfree: Option<u32>,
    pub filesz_bytes: Option<u64>,
    /// As written (`60d OR 5G`).
    pub expire_after: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SnapshotHeadroom {
    pub dir: String,
    pub free_bytes: u64,
    pub bytes_above_minfree: u64,
    pub free_percent: f64,
    pub minfree_percent: Option<u32>,
    pub below_minfree: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SnapshotForecast {
    pub bytes_per_day: f64,
    /// `reached`, `never` (expiry caps the folder), `no_growth`, `already_below`.
    pub outlook: String,
    /// Days until minfree at the current rate (only with `reached`; 0 when
    /// already below).
    pub days_to_minfree: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SnapshotRates {
    /// Over the last minute.
    pub events_per_sec: f64,
    /// Over the last 24 hours.
    pub events_per_day: f64,
    pub bytes_per_day: f64,
    /// Events a day per class over the last 24 hours.
    pub by_class: std::collections::BTreeMap<String, f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SnapshotBaseline {
    /// `cis-l2`, `stig-26`, … (as on the command line).
    pub name: String,
    pub title: String,
    /// `managed` (a profile's `Baseline`) or `default` (Earshot's: cis-l1).
    pub source: String,
    pub mscp_release: String,
    /// An organisation's ODVs or exemptions were applied.
    pub tailored: bool,
    /// No rule failed (exempt, unknown and manual rules do not fail).
    pub compliant: bool,
    pub passed: usize,
    pub failed: usize,
    pub exempt: usize,
    pub unknown: usize,
    /// mSCP rule ids that failed, in catalogue order.
    pub failed_rules: Vec<String>,
    pub exempt_rules: Vec<String>,
    /// Rules where mSCP's literal check would say otherwise.
    pub mscp_disagreements: usize,
    pub rules: Vec<SnapshotRule>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SnapshotRule {
    pub id: String,
    pub status: RuleStatus,
    /// mSCP's literal verdict (`pass` / `fail`), when it can be reproduced.
    pub mscp: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SnapshotSoak {
    pub revision: u64,
    pub title: String,
    /// `soaking`, `reviewed`, `ended`.
    pub state: String,
    pub summary: String,
    pub ratio: Option<f64>,
    pub over_budget: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SnapshotHistory {
    pub head_revision: Option<u64>,
    pub chain_intact: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SnapshotManaged {
    /// A configuration profile delivers keys for Earshot.
    pub profile: bool,
    /// The keys it forces that Earshot took.
    pub keys: Vec<String>,
    /// Keys it set that were ignored, and why.
    pub problems: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SnapshotFinding {
    pub code: String,
    /// `warning` or `error`.
    pub level: String,
    pub message: String,
}
