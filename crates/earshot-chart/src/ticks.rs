//! Axis ticks and labels: UTC clock and calendar times without a date library,
//! and "nice" 1-2-5 steps for rates and binary-unit steps for sizes.

use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};

use bsm::text::civil_from_days;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// "Nov 24".
pub(crate) fn month_day(sec: u64) -> String {
    let (_, m, d) = civil_from_days((sec / 86_400) as i64);
    format!("{} {d}", MONTHS[(m as usize).saturating_sub(1) % 12])
}

/// "22:30".
pub(crate) fn clock(sec: u64) -> String {
    let s = sec % 86_400;
    format!("{:02}:{:02}", s / 3600, s % 3600 / 60)
}

/// "2026-11-24 22:30".
/// A time axis label: the date at midnight or when ticks are a day or more
/// apart, the time of day otherwise.
pub(crate) fn time_label(sec: u64, step: u64) -> String {
    if step >= 86_400 || sec % 86_400 == 0 {
        month_day(sec)
    } else {
        clock(sec)
    }
}

/// A byte axis label in the unit [`byte_ticks`] chose.
pub(crate) fn byte_label(y: f64, (unit, unit_bytes, dec): (&str, f64, usize)) -> String {
    if y == 0.0 {
        "0".to_string()
    } else {
        format!("{:.dec$} {unit}", y / unit_bytes)
    }
}

pub(crate) fn date_time(sec: u64) -> String {
    let (y, m, d) = civil_from_days((sec / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02} {}", clock(sec))
}

/// UTC-aligned tick positions in `[start, end]` at the smallest step from a fixed
/// ladder that gives at most `max_ticks` ticks.
pub(crate) fn time_ticks(start: u64, end: u64, max_ticks: usize) -> (u64, Vec<u64>) {
    const STEPS: [u64; 16] = [
        60,
        300,
        600,
        900,
        1800,
        3600,
        7200,
        10_800,
        21_600,
        43_200,
        86_400,
        172_800,
        7 * 86_400,
        14 * 86_400,
        28 * 86_400,
        91 * 86_400,
    ];
    let span = end.saturating_sub(start);
    let max_ticks = max_ticks.max(2) as u64;
    let step = STEPS
        .iter()
        .copied()
        .find(|s| span / s < max_ticks)
        // Beyond the ladder (centuries of data, or garbage times): whole years, as
        // many as it takes to stay within max_ticks.
        .unwrap_or_else(|| {
            let year = 365 * 86_400;
            (span / max_ticks / year + 1).saturating_mul(year)
        });
    let Some(first) = start.div_ceil(step).checked_mul(step) else {
        return (step, Vec::new());
    };
    let ticks = (first..=end).step_by(step as usize).collect();
    (step, ticks)
}

/// A 1-2-5 step (no 2.5: quarter steps of MiB or events/s read as noise) so that `max / step` is at most `target` (`max` > 0).
pub(crate) fn nice_step(max: f64, target: usize) -> f64 {
    let target = target.max(1) as f64;
    let raw = max / target;
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let mag = 10f64.powf(raw.log10().floor());
    for m in [1.0, 2.0, 5.0, 10.0] {
        if mag * m >= raw {
            return mag * m;
        }
    }
    mag * 10.0
}

/// Ticks 0, step, 2·step … up to the first at or above `max`; returns (axis top, ticks).
pub(crate) fn linear_ticks(max: f64, target: usize) -> (f64, Vec<f64>) {
    let max = if max.is_finite() && max > 0.0 {
        max
    } else {
        1.0
    };
    let step = nice_step(max, target);
    let n = (max / step).ceil().max(1.0) as usize;
    let ticks: Vec<f64> = (0..=n).map(|i| i as f64 * step).collect();
    (n as f64 * step, ticks)
}

/// Decimals needed to print multiples of `step` exactly enough.
pub(crate) fn decimals_for(step: f64) -> usize {
    if !(step.is_finite() && step > 0.0) {
        return 0;
    }
    if step >= 1.0 {
        return usize::from(step.fract() > 1e-9);
    }
    (-step.log10().floor()) as usize
        + usize::from((step * 10f64.powf(-step.log10().floor())).fract() > 1e-9)
}

const UNITS: [(&str, u64); 5] = [
    ("B", 1),
    ("KiB", 1 << 10),
    ("MiB", 1 << 20),
    ("GiB", 1 << 30),
    ("TiB", 1 << 40),
];

/// Binary unit for an axis whose top is `max` bytes: the largest unit not bigger
/// than it, so labels read "2 MiB, 4 MiB" rather than "2097152".
pub(crate) fn byte_unit(max: f64) -> (&'static str, f64) {
    let mut unit = UNITS[0];
    for u in UNITS {
        if max >= u.1 as f64 {
            unit = u;
        }
    }
    (unit.0, unit.1 as f64)
}

/// Size ticks in whole steps of a binary unit: (axis top in bytes, ticks in bytes,
/// label formatter data (unit name, unit bytes, decimals)).
pub(crate) fn byte_ticks(max: f64, target: usize) -> (f64, Vec<f64>, (&'static str, f64, usize)) {
    let max = if max.is_finite() && max > 0.0 {
        max
    } else {
        1024.0
    };
    let (name, unit) = byte_unit(max);
    let (top, ticks) = linear_ticks(max / unit, target);
    let step = ticks.get(1).copied().unwrap_or(1.0);
    let dec = decimals_for(step);
    (
        top * unit,
        ticks.into_iter().map(|t| t * unit).collect(),
        (name, unit, dec),
    )
}

/// A linear f64 axis whose ticks (and grid lines) are exactly `keys`.
///
/// plotters' own `with_key_points` wrapper cannot take label formatters, and its
/// automatic ticks know nothing of UTC hours or binary units.
#[derive(Debug, Clone)]
pub(crate) struct KeyedAxis {
    pub start: f64,
    pub end: f64,
    pub keys: Vec<f64>,
}

impl KeyedAxis {
    pub(crate) fn new(start: f64, end: f64, keys: Vec<f64>) -> KeyedAxis {
        // A zero-width axis would divide by zero in `map`.
        let end = if end > start { end } else { start + 1.0 };
        let keys = keys
            .into_iter()
            .filter(|k| *k >= start && *k <= end)
            .collect();
        KeyedAxis { start, end, keys }
    }
}

impl Ranged for KeyedAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let frac = (*value - self.start) / (self.end - self.start);
        let len = f64::from(limit.1 - limit.0);
        if !frac.is_finite() {
            return limit.0;
        }
        // Clamped far outside the canvas so a wild value cannot overflow i32.
        (f64::from(limit.0) + (len * frac + 1e-3).floor()).clamp(-1e6, 1e6) as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.keys.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.start..self.end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_matches_known_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        // 2000-02-29 (leap day of a year divisible by 400) and 2026-11-24.
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(1_795_996_800 / 86_400), (2026, 11, 30));
        assert_eq!(month_day(1_795_996_800), "Nov 30");
        assert_eq!(
            date_time(1_795_996_800 + 3600 * 22 + 60 * 5),
            "2026-11-30 22:05"
        );
    }

    #[test]
    fn time_ticks_are_utc_aligned() {
        let (step, t) = time_ticks(1000, 1000 + 3600, 8);
        assert_eq!(step, 600);
        assert!(t.iter().all(|x| x % 600 == 0));
        let (step, t) = time_ticks(0, 86_400, 9);
        assert_eq!(step, 10_800);
        assert_eq!(t.len(), 9);
        // Absurd spans stay within the tick budget.
        let (_, t) = time_ticks(0, u64::MAX / 2, 8);
        assert!(t.len() <= 9, "{}", t.len());
        let (_, t) = time_ticks(u64::MAX - 10, u64::MAX, 8);
        assert!(t.len() <= 9);
    }

    #[test]
    fn nice_steps() {
        assert_eq!(linear_ticks(0.053, 5).0, 0.06);
        assert_eq!(linear_ticks(7.0, 5).1, vec![0.0, 2.0, 4.0, 6.0, 8.0]);
        assert_eq!(linear_ticks(0.0, 5).0, 1.0);
        assert_eq!(linear_ticks(f64::NAN, 5).0, 1.0);
        assert_eq!(decimals_for(0.02), 2);
        assert_eq!(decimals_for(0.25), 2);
        assert_eq!(decimals_for(2.5), 1);
        assert_eq!(decimals_for(2.0), 0);
        let (top, ticks, (unit, _, dec)) = byte_ticks(11.0 * 1048576.0, 6);
        assert_eq!(unit, "MiB");
        assert_eq!(top, 12.0 * 1048576.0);
        assert_eq!(ticks.len(), 7);
        assert_eq!(dec, 0);
    }
}
