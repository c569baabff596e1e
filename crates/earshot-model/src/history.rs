//! Revisions of audit_control as the helper's history keeps them, one page at a
//! time, and what each changed.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// History, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct HistoryReport {
    pub revisions: Vec<RevisionInfo>,
    /// False when a stored revision or the chain linking them was altered.
    pub chain_intact: bool,
    /// Human account of the first break, when `chain_intact` is false.
    pub chain_problem: Option<String>,
    /// Pass as `before` for the next, older page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub next_before: Option<u64>,
}

/// Who made a revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RevisionSource {
    /// The file as it was before Earshot first touched it; never dropped.
    Original,
    /// An apply through the helper.
    Apply,
    /// A rollback through the helper.
    Rollback,
    /// An unconfirmed change reverted by the deadline.
    AutoRevert,
    /// An edit made outside Earshot, noticed by the drift watch.
    External,
}

/// One revision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RevisionInfo {
    pub number: u64,
    pub time_unix: u64,
    pub uid: u32,
    pub user: String,
    pub source: RevisionSource,
    pub reason: String,
    /// sha256 of the file bytes of this revision.
    pub hash: String,
    /// Hash linking this revision to the one before it.
    pub chain: String,
    pub changes: Vec<Change>,
    pub acks: Vec<String>,
    /// For revisions applied with `confirm_within_secs`: pending, confirmed or reverted.
    pub confirmation: Option<Confirmation>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Confirmation {
    Pending,
    Confirmed,
    Reverted,
}

/// One line of a semantic diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(rename = "ConfigChange")]
pub struct Change {
    pub key: String,
    pub old: Option<String>,
    pub new: Option<String>,
    /// A sentence, e.g. `flags: adds fr (file read)`.
    pub summary: String,
}
