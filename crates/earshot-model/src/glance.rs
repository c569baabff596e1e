//! What the menu-bar app shows: the [`Glance`] every view renders (tray glyph from
//! health severity, headroom, forecast, rates, warnings), and the user's
//! [`Preferences`]. Built by `earshot-glance` from the helper's status.
//!
//! Rule carried through every field: a state that could not be observed is
//! `unknown`/`null`, never "ok" or zero.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::change::PendingConfirm;
pub use crate::status::{Evidence, WarningLevel};

/// When the trail volume reaches minfree, in a word (the popover's line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum MinfreeKind {
    /// Expiry caps the folder before minfree (`cap_bytes`).
    Never,
    /// In `minfree_days` at the current rate.
    Reached,
    AlreadyBelow,
    NoGrowth,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionState {
    Connected,
    Connecting,
    Unavailable,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Connection {
    pub state: ConnectionState,
    /// Why it is not connected (the client error, in words).
    pub reason: Option<String>,
}

impl Connection {
    pub fn connected() -> Self {
        Connection {
            state: ConnectionState::Connected,
            reason: None,
        }
    }

    pub fn connecting() -> Self {
        Connection {
            state: ConnectionState::Connecting,
            reason: None,
        }
    }

    pub fn unavailable(reason: impl Into<String>) -> Self {
        Connection {
            state: ConnectionState::Unavailable,
            reason: Some(reason.into()),
        }
    }
}

/// Health severity, which is also the tray glyph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename = "HealthSeverity")]
pub enum Severity {
    Ok,
    Warning,
    Error,
    Off,
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Health {
    /// `health.state` of the status document (`auditing`, `stalled`, …, `unknown`).
    pub state: String,
    pub severity: Severity,
    pub summary: String,
    pub evidence: Vec<Evidence>,
    pub fix: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Tray {
    pub glyph: Severity,
    pub title: Option<String>,
    /// Whether the menu-bar item shows: the profile's `EnableMenuItem` when it
    /// forces one, else the user's choice.
    pub visible: bool,
}

/// The tightest trail folder's volume.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Headroom {
    pub dir: String,
    pub volume_bytes: u64,
    pub free_bytes: u64,
    pub free_percent: f64,
    /// The minfree mark on the bar: the higher of the kernel's and auditd's limits,
    /// as a percentage of the volume.
    pub threshold_percent: f64,
    pub minfree_percent: Option<u32>,
    pub below_minfree: bool,
    pub bytes_above_minfree: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Forecast {
    pub bytes_per_day: f64,
    pub minfree: MinfreeKind,
    pub minfree_days: Option<f64>,
    /// Set when minfree = `never` because expiry stops the folder growing: the
    /// largest size the trail folder reaches (earshot-core `MinfreeOutlook::Never`).
    pub cap_bytes: Option<u64>,
    pub retention_secs: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ClassRate {
    pub class: String,
    pub eps: f64,
    pub bytes_per_s: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Rates {
    pub window: String,
    pub covered_secs: u64,
    pub total_eps: f64,
    pub total_bytes_per_s: f64,
    /// Busiest first.
    pub by_class: Vec<ClassRate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(rename = "GlanceWarning")]
pub struct Warning {
    pub id: String,
    pub level: WarningLevel,
    pub text: String,
    /// When the app first saw it (unix seconds).
    pub since: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Glance {
    pub connection: Connection,
    pub health: Health,
    pub tray: Tray,
    pub headroom: Option<Headroom>,
    pub forecast: Option<Forecast>,
    pub rates: Option<Rates>,
    pub warnings: Vec<Warning>,
    pub pending_confirm: Option<PendingConfirm>,
    pub head_revision: Option<u64>,
    /// The newest revision is an edit made outside Earshot.
    pub drift: bool,
    /// The last tuning step's soak (or its review, or why it ended).
    pub soak: Option<crate::soak::SoakStatus>,
    /// What the organisation's configuration profile forces (`None` without
    /// one): the app locks those controls and says why.
    pub managed: Option<crate::managed::Managed>,
    pub simulated: bool,
    pub updated_unix: u64,
}

/// The longest forecast horizon an alert may watch (a year): beyond that the
/// forecast's rate is too uncertain to act on.
pub const MAX_FORECAST_DAYS: u32 = 365;

/// What the tray item shows next to its glyph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TitleContent {
    /// Glyph only (the default: the menu bar is crowded).
    #[default]
    None,
    /// Records per second over the last minute.
    Events,
    /// Free space above minfree on the tightest trail volume.
    Free,
}

/// Which action-needed states raise a notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct AlertPrefs {
    /// Auditing stopped (not auditing although configured, stalled, stopped for space).
    pub stopped: bool,
    /// A trail volume is below minfree.
    pub below_minfree: bool,
    /// Alert when the forecast reaches minfree within this many days; `None` = never.
    pub forecast_days_threshold: Option<u32>,
    /// audit_control was edited outside Earshot.
    pub drift: bool,
    /// A tuning step's soak is over and its review is ready.
    pub soak: bool,
}

impl Default for AlertPrefs {
    fn default() -> Self {
        AlertPrefs {
            stopped: true,
            below_minfree: true,
            forecast_days_threshold: Some(7),
            drift: true,
            soak: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct Preferences {
    pub title: TitleContent,
    pub alerts: AlertPrefs,
    /// Start the app at login (opt-in).
    pub launch_at_login: bool,
    /// The user hid the menu-bar item (ignored while a profile forces
    /// `EnableMenuItem`).
    pub hide_menu_item: bool,
}

/// What applying a step, a rollback or turning auditing on returns to the UI
/// (docs/app-commands.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ApplyResult {
    pub revision: u64,
    pub unchanged: bool,
    pub pending_confirm: Option<PendingConfirm>,
    pub changes: Vec<crate::history::Change>,
    pub reload_warning: Option<String>,
}

impl From<crate::change::AppliedReport> for ApplyResult {
    fn from(r: crate::change::AppliedReport) -> Self {
        ApplyResult {
            revision: r.revision,
            unchanged: r.unchanged,
            pending_confirm: r.pending,
            changes: r.changes,
            reload_warning: r.reload_warning,
        }
    }
}

/// The answer to the app's `confirm`: the revision that stays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Confirmed {
    pub revision: u64,
}
