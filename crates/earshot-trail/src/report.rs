//! The `trail stats` report: summaries of one or more files merged and named
//! with the audit tables, ready for JSON or a table.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;

use super::summary::TrailSummary;
use super::tables::Tables;
use super::tally::Tally;
use earshot_model::time::Timestamp;

/// Damage with the file it is in.
#[derive(Debug, Clone, Serialize)]
pub struct FileDamage {
    pub file: PathBuf,
    pub offset: u64,
    pub len: u64,
    pub kind: String,
    pub message: String,
}

/// One file's line in the report.
#[derive(Debug, Clone, Serialize)]
pub struct FileStats {
    pub path: PathBuf,
    pub bytes: u64,
    pub records: u64,
    pub first: Option<Timestamp>,
    pub last: Option<Timestamp>,
    pub damage: usize,
    pub cached: bool,
}

/// Statistics over every file given.
#[derive(Debug, Clone, Serialize)]
pub struct StatsReport {
    /// Records counted (after filtering).
    pub records: u64,
    /// File bytes read.
    pub bytes: u64,
    /// Bytes of the counted records.
    pub record_bytes: u64,
    pub first: Option<Timestamp>,
    pub last: Option<Timestamp>,
    pub successes: u64,
    pub failures: u64,
    pub without_return: u64,
    /// Records per class name; an event in several classes counts in each.
    pub by_class: BTreeMap<String, u64>,
    /// Records per event name (the number when audit_event does not list it).
    pub by_event: BTreeMap<String, u64>,
    /// Records per event number, for tools that prefer numbers.
    pub by_event_number: BTreeMap<u16, u64>,
    /// Records per UTC hour (`2024-03-14T09:00:00Z`).
    pub by_hour: BTreeMap<String, u64>,
    pub damage: Vec<FileDamage>,
    pub files: Vec<FileStats>,
}

impl StatsReport {
    /// `growing(path)` tells which files may still be written; their cut-off last
    /// record is not damage.
    pub fn new(
        summaries: &[TrailSummary],
        growing: impl Fn(&std::path::Path) -> bool,
        tables: &Tables,
    ) -> StatsReport {
        let mut tally = Tally::default();
        let mut bytes = 0;
        let mut damage = Vec::new();
        let mut files = Vec::new();
        for s in summaries {
            tally.merge(&s.tally);
            bytes += s.size;
            let dmg = s.damage(growing(&s.path));
            files.push(FileStats {
                path: s.path.clone(),
                bytes: s.size,
                records: s.tally.records,
                first: s.tally.first,
                last: s.tally.last,
                damage: dmg.len(),
                cached: s.from_cache,
            });
            damage.extend(dmg.into_iter().map(|d| FileDamage {
                file: s.path.clone(),
                offset: d.offset,
                len: d.len,
                kind: d.kind.clone(),
                message: d.message.clone(),
            }));
        }
        StatsReport {
            records: tally.records,
            bytes,
            record_bytes: tally.record_bytes,
            first: tally.first,
            last: tally.last,
            successes: tally.successes,
            failures: tally.failures,
            without_return: tally.without_return,
            by_class: tables.class_counts(&tally),
            by_event: tables.event_counts(&tally),
            by_event_number: tally.by_event.clone(),
            by_hour: tally
                .by_hour
                .iter()
                .map(|(h, n)| (hour_label(*h), *n))
                .collect(),
            damage,
            files,
        }
    }
}

fn hour_label(hour_start: u64) -> String {
    let t = Timestamp::new(hour_start, 0).to_string();
    // "2024-03-14T09:00:00.000Z" → "2024-03-14T09:00:00Z"
    format!("{}Z", &t[..t.len() - 5])
}
