//! Chart data from a Mac (real or simulated) through earshot-core's `System`.
//!
//! The rate series reads per-minute buckets of the trails that overlap the window,
//! from the same on-disk rate cache `earshot status` fills; the forecast view takes
//! the status's own trail listing and forecast, so the chart and `earshot forecast`
//! always tell the same story.

use std::path::Path;

use crate::status::{self, StatusError, StatusOptions, TrailView};
use earshot_system::{unix_secs, AuditSettings, System, DEFAULT_TRAIL_DIR};
use earshot_trail::rates::{MinuteBuckets, RateCache, RateError};
use earshot_trail::{trail_files, Tables, TrailEnd};

use super::{ForecastView, RateSeries, RateSpan, TrailExtent};

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("reading the trail folders: {0}")]
    Status(#[from] StatusError),
    #[error("reading per-minute rates: {0}")]
    Rates(#[from] RateError),
}

fn trail_view(
    sys: &dyn System,
    opts: &StatusOptions,
) -> Result<(Option<AuditSettings>, TrailView), SourceError> {
    // An unreadable or missing audit_control still has a trail folder: auditd's
    // default, which is what a Mac with auditing off would use once turned on.
    let settings = AuditSettings::read(sys).ok().flatten();
    let dirs = settings
        .as_ref()
        .map(|s| s.dirs.clone())
        .unwrap_or_else(|| vec![DEFAULT_TRAIL_DIR.to_string()]);
    let view = status::load_trails(sys, &dirs, opts)?;
    Ok((settings, view))
}

/// Per-minute buckets of the trails that overlap a window.
struct TrailBuckets {
    buckets: Vec<MinuteBuckets>,
    /// The oldest trail's start (what expiry left).
    oldest: Option<u64>,
}

/// Per-minute buckets of the trails on `sys` that overlap `[since, …)`; `None`
/// when no trail folder could be read.
fn buckets_since(
    sys: &dyn System,
    since: u64,
    opts: &StatusOptions,
) -> Result<Option<TrailBuckets>, SourceError> {
    let settings = AuditSettings::read(sys).ok().flatten();
    let dirs = settings
        .as_ref()
        .map(|s| s.dirs.clone())
        .unwrap_or_else(|| vec![DEFAULT_TRAIL_DIR.to_string()]);
    let cache = opts
        .cache_dir
        .as_ref()
        .map(|d| RateCache::new(d.join("rates")));
    let mut buckets: Vec<MinuteBuckets> = Vec::new();
    let mut oldest: Option<u64> = None;
    let mut readable = false;
    for dir in &dirs {
        // A `dir:` that does not resolve, is missing or unreadable (not root on a
        // real Mac) has nothing to draw; the health check reports why.
        let (Ok(real), Ok(entries)) = (sys.resolve(Path::new(dir)), sys.list_dir(Path::new(dir)))
        else {
            continue;
        };
        readable = true;
        for (e, name, parsed) in trail_files(&entries) {
            oldest = Some(oldest.map_or(parsed.start.sec, |o| o.min(parsed.start.sec)));
            let relevant = match parsed.end {
                TrailEnd::Closed(end) => end.sec >= since,
                _ => e.meta.mtime_secs >= since as i64,
            };
            if !relevant {
                continue;
            }
            let path = real.join(name);
            // A growing trail changes between calls; caching it would only churn
            // the cache, so it is always scanned.
            let b = match (&cache, parsed.is_not_terminated()) {
                (Some(c), false) => c.buckets(&path)?,
                _ => read_buckets(&path)?,
            };
            buckets.push(b);
        }
    }
    Ok(readable.then_some(TrailBuckets { buckets, oldest }))
}

/// Events per second per class over the last hour or day on `sys`.
///
/// Lists the trail folders itself rather than through `status::load_trails`, which
/// would also scan the last day into rate windows this chart does not use.
pub fn rate_series(
    sys: &dyn System,
    span: RateSpan,
    opts: &StatusOptions,
) -> Result<RateSeries, SourceError> {
    let now = unix_secs(sys.now());
    let window_start = now.saturating_sub(span.secs() + span.bucket_secs());
    let Some(TrailBuckets { buckets, oldest }) = buckets_since(sys, window_start, opts)? else {
        return Ok(RateSeries::empty(span, now));
    };
    Ok(crate::series::rate_series(
        &buckets,
        &Tables::of_system(sys),
        span,
        now,
        oldest,
    ))
}

/// A soaking step's trail volume since it was applied.
#[derive(Debug, Clone, PartialEq)]
pub struct StepVolume {
    /// (bucket start, bytes per day over the part of the bucket after the
    /// step), ascending; buckets no trail covers are left out.
    pub points: Vec<(u64, f64)>,
    /// Bytes per day over all the time the trails cover since the step;
    /// `None` under an hour.
    pub bytes_per_day: Option<f64>,
}

/// The trail volume since `since` on `sys`, in buckets of `bucket_secs` — what
/// a soaking step has cost so far, however much expiry deleted meanwhile.
pub fn volume_since(
    sys: &dyn System,
    since: u64,
    bucket_secs: u64,
    opts: &StatusOptions,
) -> Result<StepVolume, SourceError> {
    let now = unix_secs(sys.now());
    let bucket = bucket_secs.max(60);
    let empty = StepVolume {
        points: Vec::new(),
        bytes_per_day: None,
    };
    let Some(TrailBuckets { buckets, oldest }) = buckets_since(sys, since, opts)? else {
        return Ok(empty);
    };
    // Minute resolution (the buckets are per minute): the step's own minute
    // counts whole. The time covered runs from there, or from the oldest trail
    // kept when expiry deleted the first ones.
    let start = since / 60 * 60;
    let from = start.max(oldest.map_or(start, |o| o / 60 * 60));
    // minute → bytes (minutes in several trails add up)
    let mut minutes: std::collections::BTreeMap<u64, u64> = std::collections::BTreeMap::new();
    for b in &buckets {
        for (minute, events) in b.minutes.range(start / 60..now.div_ceil(60)) {
            let bytes: u64 = events.values().map(|c| c.bytes).sum();
            *minutes.entry(*minute).or_default() += bytes;
        }
    }
    if minutes.is_empty() {
        return Ok(empty);
    }
    let mut points: std::collections::BTreeMap<u64, u64> = std::collections::BTreeMap::new();
    let mut total = 0u64;
    for (minute, bytes) in &minutes {
        let t = minute * 60;
        *points.entry(t / bucket * bucket).or_default() += bytes;
        total += bytes;
    }
    let covered = now.saturating_sub(from);
    let per_day = |bytes: u64, secs: u64| bytes as f64 * 86_400.0 / secs.max(1) as f64;
    // Each bucket over the part of it that lies between the step and now (the
    // first starts mid-bucket, the last is still filling).
    let series = points
        .into_iter()
        .map(|(t, bytes)| {
            let covered = (t + bucket).min(now).saturating_sub(t.max(from));
            (t, per_day(bytes, covered.max(60)))
        })
        .collect();
    Ok(StepVolume {
        points: series,
        bytes_per_day: (covered >= 3600).then(|| per_day(total, covered)),
    })
}

fn read_buckets(path: &Path) -> Result<MinuteBuckets, RateError> {
    MinuteBuckets::scan_file(path, 0)
        .map(|(b, _)| b)
        .map_err(|source| RateError::Read {
            path: path.to_path_buf(),
            source,
        })
}

/// The trail folder's history and forecast on `sys`. `system_kind` is what
/// `status::collect` takes ("macos" or "simulated").
pub fn forecast_view(
    sys: &dyn System,
    system_kind: &'static str,
    opts: &StatusOptions,
) -> Result<ForecastView, SourceError> {
    let (settings, view) = trail_view(sys, opts)?;
    let st = status::assemble(sys, system_kind, settings.as_ref(), &view);
    let now = st.generated_at.sec;
    let mut extents = Vec::new();
    for folder in &view.folders {
        for (e, _, parsed) in trail_files(folder.entries.as_deref().unwrap_or_default()) {
            let mtime = u64::try_from(e.meta.mtime_secs).unwrap_or(0);
            let end = match parsed.end {
                TrailEnd::Closed(t) => t.sec,
                _ => mtime.max(parsed.start.sec).min(now),
            };
            extents.push(TrailExtent {
                start: parsed.start.sec,
                end,
                bytes: e.meta.len,
            });
        }
    }
    // Only the trail files: the history should end at the same size the forecast
    // starts from, so both come from the trail listing.
    let folder_bytes = extents.iter().map(|e| e.bytes).sum();
    let h = st.headroom.first();
    Ok(ForecastView {
        now,
        history: ForecastView::history_from(&extents, now),
        folder_bytes,
        bytes_above_minfree: h.map(|h| h.bytes_above_minfree).unwrap_or(0),
        minfree_percent: h.and_then(|h| h.minfree_percent),
        forecast: st.forecast,
    })
}
