//! The glance: health, headroom, rates and forecast in one structure, which the CLI
//! prints (`earshot status`, `earshot forecast`) and serialises as JSON. Field names
//! are documented in docs/status-json.md and pinned by a snapshot test; add fields,
//! never rename them.

use std::path::{Path, PathBuf};

use audit_control::{format_mask, ClassTable, EventTable};
use serde::Serialize;

use crate::forecast::{Forecast, ForecastInput};
use crate::headroom::Headroom;
use crate::health::{assess, Health, Observations};
use crate::rates::{RateCache, RateError, RateWindow, RateWindows, WindowSpan};
use crate::system::{
    unix_secs, AuditSettings, ExpiryRule, System, SystemError, AUDIT_CLASS, AUDIT_EVENT,
    CURRENT_LINK, DEFAULT_TRAIL_DIR,
};
use crate::trail::{Inventory, InventoryError, Tables, Timestamp};

/// Version of the JSON layout (bumped only for incompatible changes).
pub const STATUS_SCHEMA: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum StatusError {
    #[error(transparent)]
    System(#[from] SystemError),
    #[error(transparent)]
    Inventory(#[from] InventoryError),
    #[error(transparent)]
    Rates(#[from] RateError),
}

/// audit_control in brief, as the status shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfigSummary {
    pub dirs: Vec<String>,
    /// Canonical flags text (`lo,aa`), `null` when missing or invalid.
    pub flags: Option<String>,
    pub naflags: Option<String>,
    pub policy: Vec<&'static str>,
    pub minfree_percent: Option<u32>,
    pub filesz_bytes: Option<u64>,
    pub expire_after: Option<ExpiryRule>,
}

/// The trails across all configured folders.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrailsSummary {
    pub count: u64,
    pub total_bytes: u64,
    pub oldest_start: Option<Timestamp>,
    pub crash_recovery_count: u64,
    /// The active trail (target of /var/audit/current).
    pub current: Option<CurrentTrailInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CurrentTrailInfo {
    pub path: String,
    pub size_bytes: u64,
    pub started: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Status {
    pub schema: u32,
    pub generated_at: Timestamp,
    /// "macos" or "simulated".
    pub system: &'static str,
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

/// Where caches go; `None` = no caching (every run rescans).
#[derive(Debug, Clone, Default)]
pub struct StatusOptions {
    pub cache_dir: Option<PathBuf>,
}

/// Everything the status needs that came from the trails, kept so `--watch` can
/// update the rates without starting over.
pub struct TrailView {
    pub tables: Tables,
    pub windows: RateWindows,
    pub inventory: Option<Inventory>,
    pub real_dirs: Vec<PathBuf>,
    /// Active trail and the offset the live tail should resume at.
    pub resume: Option<(PathBuf, u64)>,
}

fn tables(sys: &dyn System) -> Tables {
    let classes = sys
        .read_file(Path::new(AUDIT_CLASS))
        .map(|b| ClassTable::parse(&b))
        .unwrap_or_else(|_| ClassTable::apple());
    let events = sys
        .read_file(Path::new(AUDIT_EVENT))
        .map(|b| EventTable::parse_with_classes(&b, &classes))
        .unwrap_or_else(|_| EventTable::apple());
    Tables::new(events, classes)
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
            policy.push(word);
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

/// Reads the trails: inventory plus rate windows.
pub fn load_trails(
    sys: &dyn System,
    dirs: &[String],
    opts: &StatusOptions,
) -> Result<TrailView, StatusError> {
    let tables = tables(sys);
    let now = unix_secs(sys.now());
    let mut real_dirs = Vec::new();
    for d in dirs {
        real_dirs.push(sys.resolve(Path::new(d))?);
    }
    let mut windows = RateWindows::new();
    let readable: Vec<PathBuf> = real_dirs
        .iter()
        .filter(|d| std::fs::read_dir(d).is_ok())
        .cloned()
        .collect();
    if readable.is_empty() {
        return Ok(TrailView {
            tables,
            windows,
            inventory: None,
            real_dirs,
            resume: None,
        });
    }
    let inventory = Inventory::scan(&readable)?;
    let cache = opts
        .cache_dir
        .as_ref()
        .map(|d| RateCache::new(d.join("rates")));
    let resume = windows.load(&inventory.trails, now, cache.as_ref())?;
    Ok(TrailView {
        tables,
        windows,
        inventory: Some(inventory),
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
    Ok(assemble(sys, system_kind, settings.as_ref(), &dirs, &view))
}

/// Builds the status from already-loaded trail data (used again by `--watch`).
pub fn assemble(
    sys: &dyn System,
    system_kind: &'static str,
    settings: Option<&AuditSettings>,
    dirs: &[String],
    view: &TrailView,
) -> Status {
    let now = unix_secs(sys.now());
    let minfree = settings.and_then(|s| s.minfree_percent);
    let headroom: Vec<Headroom> = dirs
        .iter()
        .filter_map(|d| Headroom::measure(sys, d, minfree).ok())
        .collect();

    let rates: Vec<RateWindow> = if view.inventory.is_some() {
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

    let obs = Observations::gather(sys, headroom.clone(), mean_interval);
    let macos_version = obs.macos.as_ref().map(|v| v.product_version.clone());
    let health = assess(&obs);

    let trails = view.inventory.as_ref().map(|inv| {
        let current = inv
            .trails
            .iter()
            .find(|t| t.is_current)
            .map(|t| CurrentTrailInfo {
                path: mac_path(sys, &t.path),
                size_bytes: t.size,
                started: t.start,
            });
        TrailsSummary {
            count: inv.trails.len() as u64,
            total_bytes: inv.total_bytes(),
            oldest_start: inv.trails.iter().map(|t| t.start).min(),
            crash_recovery_count: inv
                .trails
                .iter()
                .filter(|t| t.state == crate::trail::TrailState::CrashRecovery)
                .count() as u64,
            current,
        }
    });

    let forecast = match (day, headroom.first()) {
        (Some(day), Some(h)) => Some(Forecast::compute(&ForecastInput {
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
        system: system_kind,
        macos_version,
        health,
        config: settings.map(|s| config_summary(s, view.tables.classes())),
        headroom,
        trails,
        rates,
        forecast,
    }
}

/// A real path under a simulated root shown as the macOS path it stands for.
fn mac_path(sys: &dyn System, real: &Path) -> String {
    match sys.resolve(Path::new("/")) {
        Ok(root) if root != Path::new("/") => match real.strip_prefix(&root) {
            Ok(rel) => Path::new("/").join(rel).display().to_string(),
            Err(_) => real.display().to_string(),
        },
        _ => real.display().to_string(),
    }
}

/// The `current` link's real path (for the watcher).
pub fn current_link_real(sys: &dyn System) -> Result<PathBuf, SystemError> {
    sys.resolve(Path::new(CURRENT_LINK))
}
