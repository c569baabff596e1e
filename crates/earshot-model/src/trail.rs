//! The trail browser's query and pages, and the trail folder's statistics, as the
//! helper serves them.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Largest trail page a client may ask for (records).
pub const MAX_TRAIL_PAGE: usize = 1000;

/// A trail page stops taking records once their JSON reaches this many bytes,
/// so the answer always fits one frame ([`crate::MAX_FRAME_LEN`]) with room
/// for the envelope; `next` then points at the first record left out.
pub const TRAIL_PAGE_BYTES: usize = 768 * 1024;

/// Where a trail page continues: a trail file *name* (never a path; the
/// helper matches it against its own listing of the trail folders) and the
/// byte offset of the next record to consider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Cursor {
    pub file: String,
    pub offset: u64,
}

/// Which outcomes a trail page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeChoice {
    #[default]
    Any,
    Success,
    Failure,
}

/// The trail browser's filter. Empty lists match anything.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(default, deny_unknown_fields)]
pub struct TrailQuery {
    /// Unix seconds, inclusive.
    pub since: Option<u64>,
    /// Unix seconds, exclusive.
    pub until: Option<u64>,
    /// Class names (`lo`, `ad`, …) from the Mac's audit_class.
    pub classes: Vec<String>,
    /// Event names (`AUE_open_r`, …) from the Mac's audit_event.
    pub events: Vec<String>,
    /// Audit user (auid): a number, or a name from the Mac's /etc/passwd.
    pub user: Option<String>,
    pub outcome: OutcomeChoice,
    /// Continue after an earlier page (its `next`); `None` starts at the oldest record.
    pub cursor: Option<Cursor>,
    /// 1 to [`MAX_TRAIL_PAGE`]; `None` means 100.
    pub page_size: Option<usize>,
}

/// One page of trail records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TrailPage {
    /// `bsm::json` record objects with `trail_file` and `trail_offset` added.
    ///
    /// The one opaque payload of the protocol: records are the BSM format
    /// crate's own NDJSON objects (`bsm::json`, documented in docs/protocol.md),
    /// written straight from the trail, passed through untouched; the UI reads
    /// them as `TrailRecord` (ui/src/backend/types.ts).
    #[ts(type = "Array<unknown>")]
    pub records: Vec<serde_json::Value>,
    /// Where the next page starts; `None` at the end.
    pub next: Option<Cursor>,
    /// Bytes examined for this page.
    pub scanned_bytes: u64,
    /// The helper stopped on its per-request scan budget before the page was
    /// full (it may even hold no records): more may follow from `next`, which
    /// is then always set. `false` for a full page and at the end. Absent from
    /// older helpers' answers, which scanned to the end instead.
    #[serde(default)]
    pub partial: bool,
}

/// Trail folder statistics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TrailStatsReport {
    pub files: Vec<TrailFile>,
    pub total_bytes: u64,
    pub total_records: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TrailFile {
    /// File name only (never a path a client could reuse).
    pub name: String,
    pub bytes: u64,
    pub records: u64,
    /// True for the trail auditd is writing now.
    pub current: bool,
    /// Bytes the reader could not decode.
    pub damaged_bytes: u64,
}
