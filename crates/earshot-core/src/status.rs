//! The glance: health, headroom, rates and forecast in one structure, which the CLI
//! prints (`earshot status`, `earshot forecast`) and serialises as JSON. Field names
//! are documented in docs/status-json.md and pinned by a snapshot test; add fields,
//! never rename them.

use std::path::{Path, PathBuf};

use audit_control::{format_mask, ClassTable};
pub use earshot_model::status::{
    ConfigSummary, CurrentTrailInfo, Status, TrailsSummary, STATUS_SCHEMA,
};

use crate::forecast::ForecastInput;
use crate::headroom::{folder_totals, Headroom};
use crate::health::{assess, Observations};
use earshot_system::{
    unix_secs, AuditSettings, DirEntry, System, SystemError, CURRENT_LINK, DEFAULT_TRAIL_DIR,
};
use earshot_trail::rates::{RateCache, RateError, RateWindow, RateWindows, WindowSpan};
use earshot_trail::{trail_files, Tables, Timestamp, Trail, TrailEnd};

#[derive(Debug, thiserror::Error)]
pub enum StatusError {
    #[error(transparent)]
    System(#[from] SystemError),
    #[error(transparent)]
    Rates(#[from] RateError),
}

/// Where caches go; `None` = no caching (every run rescans).
#[derive(Debug, Clone, Default)]
pub struct StatusOptions {
    pub cache_dir: Option<PathBuf>,
}

/// One trail folder as listed once per status (headroom, trail totals, crash
/// evidence and the choice of trails to read all come from this listing, so a
/// 2000-file folder is walked once).
pub struct FolderListing {
    /// The `dir:` path (macOS path).
    pub dir: String,
    /// Where it really is.
    pub real: PathBuf,
    /// `None` when the folder cannot be read (unprivileged on a real Mac).
    pub entries: Option<Vec<DirEntry>>,
}

/// Everything the status needs that came from the trails, kept so `--watch` can
/// update the rates without starting over.
pub struct TrailView {
    pub tables: Tables,
    pub windows: RateWindows,
    pub folders: Vec<FolderListing>,
    /// `None` when no folder could be read.
    pub summary: Option<TrailsSummary>,
    /// Newest `.crash_recovery` trail's mtime.
    pub last_crash: Option<i64>,
    pub real_dirs: Vec<PathBuf>,
    /// Active trail and the offset the live tail should resume at.
    pub resume: Option<(PathBuf, u64)>,
}

fn config_summary(s: &AuditSettings, classes: &ClassTable) -> ConfigSummary {
    let mut policy = Vec::new();
    for (on, word) in [
        (s.policy.cnt, "cnt"),
        (s.policy.ahlt, "ahlt"),
        (s.policy.argv, "argv"),
        (s.policy.arge, "arge"),
    ] {
        if on {
            policy.push(word.to_string());
        }
    }
    ConfigSummary {
        dirs: s.dirs.clone(),
        flags: s.flags.map(|m| format_mask(m, classes)),
        naflags: s.naflags.map(|m| format_mask(m, classes)),
        policy,
        minfree_percent: s.minfree_percent,
        filesz_bytes: s.filesz,
        expire_after: s.expire_after,
    }
}

/// Reads the trail folders once: totals, crash evidence, and rate windows from the
/// trails that can hold records of the last day.
pub fn load_trails(
    sys: &dyn System,
    dirs: &[String],
    opts: &StatusOptions,
) -> Result<TrailView, StatusError> {
    let tables = Tables::of_system(sys);
    let now = unix_secs(sys.now());
    let current_real = sys
        .read_link(Path::new(CURRENT_LINK))
        .ok()
        .and_then(|t| sys.resolve(&t).ok());
    let mut folders = Vec::new();
    for d in dirs {
        let real = sys.resolve(Path::new(d))?;
        let entries = sys.list_dir(Path::new(d)).ok();
        folders.push(FolderListing {
            dir: d.clone(),
            real,
            entries,
        });
    }
    let real_dirs = folders.iter().map(|f| f.real.clone()).collect();
    let mut windows = RateWindows::new();
    if folders.iter().all(|f| f.entries.is_none()) {
        return Ok(TrailView {
            tables,
            windows,
            folders,
            summary: None,
            last_crash: None,
            real_dirs,
            resume: None,
        });
    }
    let day_ago = now.saturating_sub(86_400 + 120);
    let mut summary = TrailsSummary {
        count: 0,
        total_bytes: 0,
        oldest_start: None,
        crash_recovery_count: 0,
        current: None,
    };
    let mut last_crash: Option<i64> = None;
    let mut recent = Vec::new();
    for f in &folders {
        for (e, name, parsed) in trail_files(f.entries.as_deref().unwrap_or_default()) {
            summary.count += 1;
            summary.total_bytes += e.meta.len;
            summary.oldest_start = Some(match summary.oldest_start {
                Some(o) => o.min(parsed.start),
                None => parsed.start,
            });
            if parsed.end == TrailEnd::CrashRecovery {
                summary.crash_recovery_count += 1;
                last_crash = last_crash.max(Some(e.meta.mtime_secs));
            }
            let real = f.real.join(name);
            let is_current = current_real.as_deref() == Some(real.as_path());
            if is_current {
                summary.current = Some(CurrentTrailInfo {
                    path: Path::new(&f.dir).join(name).display().to_string(),
                    size_bytes: e.meta.len,
                    started: parsed.start,
                });
            }
            // Only trails that can hold records of the last day are read.
            let relevant = match parsed.end {
                TrailEnd::Closed(end) => end.sec >= day_ago,
                _ => e.meta.mtime_secs >= day_ago as i64 || is_current,
            };
            if relevant {
                if let Ok(mut t) = Trail::from_path(&real) {
                    t.is_current = is_current;
                    recent.push(t);
                }
            }
        }
    }
    if let Some(oldest) = summary.oldest_start {
        windows.set_observed_since(oldest.sec);
    }
    recent.sort_by_key(|t| t.start);
    let cache = opts
        .cache_dir
        .as_ref()
        .map(|d| RateCache::new(d.join("rates")));
    let resume = windows.load(&recent, now, cache.as_ref())?;
    Ok(TrailView {
        tables,
        windows,
        folders,
        summary: Some(summary),
        last_crash,
        real_dirs,
        resume,
    })
}

/// Collects the whole status.
pub fn collect(
    sys: &dyn System,
    system_kind: &'static str,
    opts: &StatusOptions,
) -> Result<Status, StatusError> {
    let settings = AuditSettings::read(sys).ok().flatten();
    let dirs = settings
        .as_ref()
        .map(|s| s.dirs.clone())
        .unwrap_or_else(|| vec![DEFAULT_TRAIL_DIR.to_string()]);
    let view = load_trails(sys, &dirs, opts)?;
    Ok(assemble(sys, system_kind, settings.as_ref(), &view))
}

/// Builds the status from already-loaded trail data (used again by `--watch`).
pub fn assemble(
    sys: &dyn System,
    system_kind: &'static str,
    settings: Option<&AuditSettings>,
    view: &TrailView,
) -> Status {
    let now = unix_secs(sys.now());
    let minfree = settings.and_then(|s| s.minfree_percent);
    let headroom: Vec<Headroom> = view
        .folders
        .iter()
        .filter_map(|f| {
            let vol = sys.statvfs(Path::new(&f.dir)).ok()?;
            let totals = f.entries.as_deref().map(folder_totals);
            Some(crate::headroom::compute(&f.dir, &vol, minfree, totals))
        })
        .collect();

    let rates: Vec<RateWindow> = if view.summary.is_some() {
        WindowSpan::ALL
            .iter()
            .map(|s| view.windows.window(*s, now, &view.tables))
            .collect()
    } else {
        Vec::new()
    };
    let day = rates.iter().find(|r| r.span == WindowSpan::Day);
    // The usual pace: the last day's, or if the last day was silent (a long stall)
    // the active trail's own.
    let mean_interval = day
        .filter(|d| d.total.records > 0)
        .map(|d| d.covered_secs as f64 / d.total.records as f64)
        .or_else(|| view.windows.current_trail_interval());

    let obs = Observations::gather(sys, headroom.clone(), mean_interval, view.last_crash);
    let macos_version = obs.macos.as_ref().map(|v| v.product_version.clone());
    let health = assess(&obs);

    let forecast = match (day, headroom.first()) {
        (Some(day), Some(h)) => Some(crate::forecast::compute(&ForecastInput {
            bytes_per_sec: day.total.bytes_per_sec,
            filesz: settings.and_then(|s| s.filesz).unwrap_or(0),
            expire_after: settings.and_then(|s| s.expire_after),
            folder_bytes: headroom.iter().filter_map(|h| h.folder_bytes).sum(),
            bytes_above_minfree: h.bytes_above_minfree,
            below_minfree: h.below_minfree,
            mean_record_bytes: if day.total.records > 0 {
                day.total.bytes as f64 / day.total.records as f64
            } else {
                0.0
            },
        })),
        _ => None,
    };

    Status {
        schema: STATUS_SCHEMA,
        generated_at: Timestamp::new(now, 0),
        system: system_kind.to_string(),
        macos_version,
        health,
        config: settings.map(|s| config_summary(s, view.tables.classes())),
        headroom,
        trails: view.summary.clone(),
        rates,
        forecast,
    }
}

/// The `current` link's real path (for the watcher).
pub fn current_link_real(sys: &dyn System) -> Result<PathBuf, SystemError> {
    sys.resolve(Path::new(CURRENT_LINK))
}
