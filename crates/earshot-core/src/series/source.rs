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
    let settings = AuditSettings::read(sys).ok().flatten();
    let dirs = settings
        .as_ref()
        .map(|s| s.dirs.clone())
        .unwrap_or_else(|| vec![DEFAULT_TRAIL_DIR.to_string()]);
    let window_start = now.saturating_sub(span.secs() + span.bucket_secs());
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
                TrailEnd::Closed(end) => end.sec >= window_start,
                _ => e.meta.mtime_secs >= window_start as i64,
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
    if !readable {
        return Ok(RateSeries::empty(span, now));
    }
    Ok(crate::series::rate_series(
        &buckets,
        &Tables::of_system(sys),
        span,
        now,
        oldest,
    ))
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
