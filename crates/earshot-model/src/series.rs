//! The plain data the charts draw (earshot-chart renders it): event rates per class
//! over a window, and the trail folder's size history with its forecast. The
//! helper, which can read the trails, computes it; the app draws it.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::status::Forecast;

/// The two windows the rate chart shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RateSpan {
    Hour,
    Day,
}

impl RateSpan {
    pub fn secs(self) -> u64 {
        match self {
            RateSpan::Hour => 3600,
            RateSpan::Day => 86_400,
        }
    }

    /// Width of one plotted bucket: a minute over an hour (60 points), a quarter of
    /// an hour over a day (96 points) — enough detail to see bursts without a
    /// 1440-point line that is mostly noise at chart width.
    pub fn bucket_secs(self) -> u64 {
        match self {
            RateSpan::Hour => 60,
            RateSpan::Day => 900,
        }
    }

    /// "1h" / "24h", as the CLI's `--window` spells it.
    pub fn label(self) -> &'static str {
        match self {
            RateSpan::Hour => "1h",
            RateSpan::Day => "24h",
        }
    }

    pub fn parse(s: &str) -> Option<RateSpan> {
        match s.trim().to_ascii_lowercase().as_str() {
            "1h" | "hour" | "60m" => Some(RateSpan::Hour),
            "24h" | "1d" | "day" => Some(RateSpan::Day),
            _ => None,
        }
    }
}

/// One class's rate over time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ClassSeries {
    /// Class name from audit_class (`lo`, `aa`, ...).
    pub name: String,
    /// Its description from audit_class (may be empty).
    pub description: String,
    /// (bucket start in Unix seconds, events per second over the bucket), ascending.
    pub points: Vec<(u64, f64)>,
}

impl ClassSeries {
    /// Mean events/s over the points (0 with no points).
    pub fn mean(&self) -> f64 {
        if self.points.is_empty() {
            return 0.0;
        }
        self.points.iter().map(|p| p.1).sum::<f64>() / self.points.len() as f64
    }

    pub fn max(&self) -> f64 {
        self.points.iter().map(|p| p.1).fold(0.0, f64::max)
    }
}

/// Events per second per class over a window.
///
/// Classes overlap (an event counts towards every class its mask touches, as in
/// `earshot status`), so the lines are never stacked: a stack would add the same
/// events twice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RateSeries {
    pub span: RateSpan,
    /// Window start, Unix seconds (inclusive).
    pub start: u64,
    /// Window end, Unix seconds (exclusive): the end of the last complete bucket, so
    /// a half-elapsed bucket never shows as a dip.
    pub end: u64,
    pub bucket_secs: u64,
    /// Busiest class first; classes without a single event in the window are left
    /// out.
    pub classes: Vec<ClassSeries>,
}

/// One trail file as the folder-size history needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TrailExtent {
    /// When its first record was written (from the name).
    pub start: u64,
    /// When it was closed (from the name), or last written (mtime) for an open one.
    pub end: u64,
    pub bytes: u64,
}

/// The trail folder's past and future, ready to draw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ForecastView {
    /// Unix seconds.
    pub now: u64,
    /// (Unix seconds, folder bytes), ascending, ending at `now`.
    pub history: Vec<(u64, u64)>,
    /// The trail folder's size now.
    pub folder_bytes: u64,
    /// Free bytes above the minfree threshold now (the folder may grow this much).
    pub bytes_above_minfree: u64,
    /// `minfree` from audit_control (`None`: unset, the kernel keeps 20 %).
    pub minfree_percent: Option<u32>,
    /// `None` when nothing could be measured (folder unreadable, no trails).
    pub forecast: Option<Forecast>,
}

impl RateSeries {
    /// A window with no data (the chart then says so).
    pub fn empty(span: RateSpan, now: u64) -> RateSeries {
        let bucket = span.bucket_secs();
        let end = now / bucket * bucket;
        RateSeries {
            span,
            start: end.saturating_sub(span.secs()),
            end,
            bucket_secs: bucket,
            classes: Vec::new(),
        }
    }

    /// Whether any class has a non-zero rate anywhere in the window.
    pub fn has_data(&self) -> bool {
        self.classes
            .iter()
            .any(|c| c.points.iter().any(|p| p.1 > 0.0 && p.1.is_finite()))
    }
}

/// Samples of the folder-size history.
const HISTORY_SAMPLES: u64 = 160;

impl ForecastView {
    /// The folder's size over time from the trails it holds now: each trail is
    /// taken to have grown evenly from its start to its end. Trails already
    /// expired are gone, so this is the history *of what is kept*, which is what
    /// decides how fast the folder fills.
    pub fn history_from(extents: &[TrailExtent], now: u64) -> Vec<(u64, u64)> {
        let Some(first) = extents.iter().map(|e| e.start.min(e.end)).min() else {
            return Vec::new();
        };
        let first = first.min(now);
        let span = now - first;
        let size_at = |t: u64| -> u64 {
            let mut total = 0u128;
            for e in extents {
                let (s, end) = (e.start.min(e.end), e.end.max(e.start));
                if t >= end {
                    total += u128::from(e.bytes);
                } else if t > s {
                    total += u128::from(e.bytes) * u128::from(t - s) / u128::from(end - s);
                }
            }
            total.min(u128::from(u64::MAX)) as u64
        };
        if span == 0 {
            return vec![(now, size_at(now))];
        }
        let mut out: Vec<(u64, u64)> = (0..=HISTORY_SAMPLES)
            .map(|i| {
                let t =
                    first + (u128::from(span) * u128::from(i) / u128::from(HISTORY_SAMPLES)) as u64;
                (t, size_at(t))
            })
            .collect();
        out.dedup_by_key(|p| p.0);
        out
    }
}
