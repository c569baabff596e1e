//! Per-file summaries: one streaming pass with `bsm::scan`, counted by `TallyBuilder`.

use std::fs::File;
use std::io::{self, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::cache::SummaryCache;
use super::filter::Filter;
use super::stream::{stream_records, stream_selected, DamageNote, StreamEnd};
use super::tables::Tables;
use super::tally::{Tally, TallyBuilder};

/// What one trail file holds (or, with a filter, what of it matched).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrailSummary {
    pub path: PathBuf,
    /// File size when read.
    pub size: u64,
    pub tally: Tally,
    /// Where reading stopped and what damage it met.
    pub end: StreamEnd,
    /// True when this came from the cache without reading the file (or only its
    /// new tail).
    #[serde(skip)]
    pub from_cache: bool,
}

impl TrailSummary {
    /// Records per class name, from the event counts and the given tables (an
    /// event in several classes counts in each). Derived on demand so a cached
    /// summary never disagrees with edited audit_class/audit_event files.
    pub fn by_class(&self, tables: &Tables) -> std::collections::BTreeMap<String, u64> {
        tables.class_counts(&self.tally)
    }

    /// Records per event name (praudit's naming), from the given tables.
    pub fn by_event_name(&self, tables: &Tables) -> std::collections::BTreeMap<String, u64> {
        tables.event_counts(&self.tally)
    }

    /// Damage to report: settled damage, plus the tail unless the file may still grow
    /// (then the tail is usually the record auditd is writing).
    /// Past [`super::stream::MAX_DAMAGE_NOTES`] ranges, one `more_damage` note
    /// stands for the rest.
    pub fn damage(&self, growing: bool) -> Vec<DamageNote> {
        let mut v: Vec<DamageNote> = self.end.damage.clone();
        if !growing {
            v.extend(self.end.tail.iter().cloned());
        }
        v.extend(self.end.unlisted.note());
        v
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TrailError {
    #[error("cannot read trail {}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
}

/// Reads and counts a whole file.
pub fn summarise_file(path: &Path, filter: &Filter) -> Result<TrailSummary, TrailError> {
    summarise_from(path, 0, filter)
}

/// Reads from `start` (an offset where a record begins) to the end.
pub(crate) fn summarise_from(
    path: &Path,
    start: u64,
    filter: &Filter,
) -> Result<TrailSummary, TrailError> {
    let io_err = |source| TrailError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = File::open(path).map_err(io_err)?;
    if start > 0 {
        file.seek(SeekFrom::Start(start)).map_err(io_err)?;
    }
    let mut tally = TallyBuilder::new();
    // Two loops so the unfiltered common case carries no per-record filter test.
    let end = if filter.is_all() {
        stream_records(&mut file, start, |r, _| {
            tally.add(r.event, r.sec, r.msec, r.len, r.status)
        })
    } else {
        stream_selected(
            &mut file,
            start,
            |e, s, m| filter.header_passes(e, s, m),
            |r, _| {
                if filter.matches(r.event, r.sec, r.msec, r.auid, r.status) {
                    tally.add(r.event, r.sec, r.msec, r.len, r.status)
                }
            },
        )
    }
    .map_err(io_err)?;
    Ok(TrailSummary {
        path: path.to_path_buf(),
        size: end.read_bytes,
        tally: tally.finish(),
        end,
        from_cache: false,
    })
}

/// Summarises many files on all cores (one file per task: trails split naturally
/// by file, and one file's scan is memory-bandwidth-light). Results keep the
/// input order. `cache` is consulted only for unfiltered summaries.
pub fn summarise_many(
    paths: &[PathBuf],
    filter: &Filter,
    cache: Option<&SummaryCache>,
    threads: usize,
) -> Vec<Result<TrailSummary, TrailError>> {
    let threads = threads.clamp(1, paths.len().max(1));
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<TrailSummary, TrailError>>>> =
        Mutex::new((0..paths.len()).map(|_| None).collect());
    let work = || loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(path) = paths.get(i) else { break };
        let r = match cache {
            Some(c) if filter.is_all() => c.summary(path),
            _ => summarise_file(path, filter),
        };
        // A poisoned lock only means another worker panicked; the data is still ours.
        let mut guard = results.lock().unwrap_or_else(|p| p.into_inner());
        guard[i] = Some(r);
    };
    if threads == 1 {
        work();
    } else {
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(work);
            }
        });
    }
    results
        .into_inner()
        .unwrap_or_else(|p| p.into_inner())
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            r.unwrap_or_else(|| {
                Err(TrailError::Io {
                    path: paths[i].clone(),
                    source: io::Error::other("worker thread stopped before reading this file"),
                })
            })
        })
        .collect()
}

/// Default parallelism: the machine's cores.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
