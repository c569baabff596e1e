//! Changing audit_control through the helper: the terms of a change, the dry run,
//! what an apply did, turning auditing on, and the tuning ladder's next step.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::config::Diagnostic;
use crate::history::Change;
use crate::plan::{Plan, Risk};
use crate::review::AppliedStep;
use crate::status::Finding;

/// Terms common to apply and rollback.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, TS)]
#[serde(deny_unknown_fields)]
pub struct ChangeTerms {
    /// sha256 (hex) of the audit_control bytes the client based its change on.
    pub base_hash: String,
    /// Risk ids the user acknowledged, e.g. `drop-cnt`.
    #[serde(default)]
    pub acks: Vec<String>,
    /// Why; recorded in history.
    #[serde(default)]
    pub reason: String,
    /// Revert automatically unless confirmed within this many seconds.
    #[serde(default)]
    pub confirm_within_secs: Option<u64>,
}

/// The dry-run answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PlanReport {
    /// False when any diagnostic is an error (apply would refuse).
    pub valid: bool,
    pub diagnostics: Vec<Diagnostic>,
    pub changes: Vec<Change>,
    pub risks: Vec<Risk>,
    /// Hash of the file now: the `base_hash` an apply of this plan should send.
    pub base_hash: String,
    /// Hash the file will have after the apply.
    pub new_hash: String,
}

/// What an apply or rollback did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AppliedReport {
    pub revision: u64,
    pub hash: String,
    pub changes: Vec<Change>,
    /// Set when the change reverts unless confirmed.
    pub pending: Option<PendingConfirm>,
    /// True when the file was already exactly `text` (nothing written).
    pub unchanged: bool,
    /// Set when the file was written but `audit -s` failed (e.g. auditing is
    /// off): the change takes effect when auditd next starts.
    #[serde(default)]
    pub reload_warning: Option<String>,
    /// What went wrong after the new file was already in place (restoring
    /// `uchg`, syncing the folder): the change is made and recorded, and the
    /// helper keeps retrying what it owes (see status).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<_>", optional)]
    pub warnings: Vec<String>,
}

/// A change that reverts by itself at `deadline_unix` unless confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PendingConfirm {
    pub revision: u64,
    pub deadline_unix: u64,
}

/// What `enable_auditing` did and what health says afterwards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct EnableReport {
    /// The revision that created audit_control from the example (`None` when
    /// the file already existed). Rolling back to the revision before it
    /// removes the file again.
    pub created_revision: Option<u64>,
    /// What was done, in order, in words (`launchctl enable system/com.apple.auditd`).
    pub steps: Vec<String>,
    /// True when `audit -c` answers AUC_AUDITING afterwards.
    pub auditing: bool,
    /// Health read back after the sequence.
    pub findings: Vec<Finding>,
    /// Sessions that logged in while auditing was off keep an empty mask until
    /// their user logs out and in again (or the Mac restarts).
    pub relogin_needed: bool,
    pub notes: Vec<String>,
}

/// Names one planned step exactly, so `apply_step` applies the step the user
/// reviewed and nothing else: the helper plans again under its lock and
/// refuses (`base-changed`) if the file or the step differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct StepToken {
    /// `next` or a baseline name, as `next_step` took it.
    pub target: String,
    /// sha256 of the audit_control the step was planned on (`absent` when
    /// there was none).
    pub base_hash: String,
    /// sha256 of the audit_control the step writes (its `after`).
    pub after_hash: String,
}

/// The answer to `next_step`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct NextStepReport {
    /// The step; `None` when the target is met.
    pub plan: Option<Plan>,
    /// The risks applying it needs acknowledged (ids as in `apply_step`'s `acks`).
    pub risks: Vec<Risk>,
    /// What to send back in `apply_step` (`None` with no step).
    pub token: Option<StepToken>,
}

/// What `apply_step` did: the change (or the start of auditing) and the record
/// kept with its revision for the step's review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct StepApplied {
    /// The revision the step made (for a step that only starts auditd, the
    /// revision in force, with `unchanged`).
    pub applied: AppliedReport,
    /// Set when the step turned auditing on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub enabled: Option<EnableReport>,
    /// The prediction kept with the revision, for the review.
    pub record: AppliedStep,
}

/// A step record as the helper keeps it: part of the revision the step made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct StepRecord {
    pub revision: u64,
    /// When the step was applied (the helper's clock; virtual on a simulated Mac).
    pub recorded_unix: u64,
    pub record: AppliedStep,
}
