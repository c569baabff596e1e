//! What an organisation forces on Earshot through a configuration profile
//! (managed preferences, domain [`DOMAIN`]): typed, each key taken only when
//! forced and of the right type, with the problems of the rest reported.
//! `None` means "not forced": the user's own choice (or Earshot's default)
//! applies.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::compliance::{Baseline, Tailoring};

/// The managed-preferences domain (the app's bundle identifier): profiles
/// deliver `/Library/Managed Preferences/org.earshot.Earshot.plist`.
pub const DOMAIN: &str = "org.earshot.Earshot";

/// The managed configuration in force.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Managed {
    /// Whether any profile delivers keys for [`DOMAIN`].
    pub profile: bool,
    /// `EnableMenuItem`: the menu-bar item is shown (false hides it).
    pub enable_menu_item: Option<bool>,
    /// `AllowUserTuning`: people at this Mac may change audit_control through
    /// Earshot (apply, tuning steps, enabling auditing).
    pub allow_user_tuning: Option<bool>,
    /// `AllowRollback`: people at this Mac may roll back a change.
    pub allow_rollback: Option<bool>,
    /// `Baseline`: the baseline the organisation requires.
    pub baseline: Option<Baseline>,
    /// `ODV` and `Exemptions`: the organisation's tailoring.
    pub tailoring: Tailoring,
    /// `SnapshotIntervalSecs`: how often the helper refreshes the snapshot.
    pub snapshot_interval_secs: Option<u32>,
    /// `EventExportEnabled`: stream the trail as OCSF events.
    pub event_export_enabled: Option<bool>,
    /// `EventExportPath`: the folder of the event files.
    pub event_export_path: Option<String>,
    /// `EventExportMaxMB`: the cap on the event files together.
    pub event_export_max_mb: Option<u32>,
    /// Keys that were ignored, and why (unknown, wrong type, out of range).
    pub problems: Vec<ManagedProblem>,
}

/// A key the profile sets that Earshot could not take.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ManagedProblem {
    pub key: String,
    pub message: String,
}

impl Managed {
    /// Whether people at this Mac may change audit_control through Earshot.
    pub fn tuning_allowed(&self) -> bool {
        self.allow_user_tuning != Some(false)
    }

    /// Whether people at this Mac may roll back.
    pub fn rollback_allowed(&self) -> bool {
        self.allow_rollback != Some(false)
    }

    /// The sentence a refusal or a locked control shows for `key`.
    pub fn locked_reason(key: &str, value: &str) -> String {
        format!(
            "Managed by your organisation: the configuration profile for {DOMAIN} sets {key} to {value}. Ask your Mac administrator."
        )
    }
}
