//! The plain data the charts draw (earshot-chart renders it), and its
//! construction from the per-minute buckets and trail listings.
//!
//! Plain data with serde both ways: the privileged helper, which can read the
//! trails, computes it ([`source`]) and sends it to the app as JSON; the app
//! renders it. The helper therefore never links the drawing code.

pub mod source;

use std::collections::BTreeMap;

pub use earshot_model::series::{ClassSeries, ForecastView, RateSeries, RateSpan, TrailExtent};
use earshot_trail::rates::MinuteBuckets;
use earshot_trail::Tables;

/// Builds the rate series from per-minute buckets (of any number of trail files;
/// minutes present in several are added up).
///
/// `observed_since` is when the trails begin (the oldest trail's start): buckets
/// before it are left out rather than drawn as zero, since nothing was recorded
/// then. `None` takes the first minute that has records.
pub fn rate_series<'a>(
    buckets: impl IntoIterator<Item = &'a MinuteBuckets>,
    tables: &Tables,
    span: RateSpan,
    now: u64,
    observed_since: Option<u64>,
) -> RateSeries {
    let mut series = RateSeries::empty(span, now);
    let bucket = series.bucket_secs;
    // bucket start → event → records
    let mut per_bucket: BTreeMap<u64, BTreeMap<u16, u64>> = BTreeMap::new();
    let mut first_minute: Option<u64> = None;
    for b in buckets {
        for (minute, events) in b.minutes.range(series.start / 60..series.end.div_ceil(60)) {
            let sec = minute.saturating_mul(60);
            if sec < series.start || sec >= series.end {
                continue;
            }
            let slot = per_bucket.entry(sec / bucket * bucket).or_default();
            for (event, counts) in events {
                let n = counts.records();
                if n > 0 {
                    *slot.entry(*event).or_default() += n;
                    first_minute = Some(first_minute.map_or(sec, |f: u64| f.min(sec)));
                }
            }
        }
    }
    let since = match observed_since.or(first_minute) {
        Some(s) => s,
        None => return series,
    };
    // First bucket wholly inside the observed time.
    let begin = since
        .div_ceil(bucket)
        .saturating_mul(bucket)
        .max(series.start);
    if begin >= series.end {
        return series;
    }

    // `no` (0) and `all` (every bit) would only repeat nothing or the total.
    let classes: Vec<(u32, &str, &str)> = tables
        .classes()
        .classes()
        .iter()
        .filter(|c| c.mask != 0 && c.mask != u32::MAX)
        .map(|c| (c.mask, c.name.as_str(), c.description.as_str()))
        .collect();
    let mut counts: Vec<BTreeMap<u64, u64>> = vec![BTreeMap::new(); classes.len()];
    for (start, events) in per_bucket.range(begin..series.end) {
        for (event, n) in events {
            let mask = tables.class_mask(*event);
            if mask == 0 {
                continue;
            }
            for (i, (cm, _, _)) in classes.iter().enumerate() {
                if mask & cm != 0 {
                    *counts[i].entry(*start).or_default() += n;
                }
            }
        }
    }
    let mut out: Vec<(u64, ClassSeries)> = Vec::new();
    for (i, (_, name, description)) in classes.iter().enumerate() {
        let total: u64 = counts[i].values().sum();
        if total == 0 {
            continue;
        }
        // A class listed twice in audit_class keeps its first entry (as libbsm).
        if out.iter().any(|(_, c)| c.name == *name) {
            continue;
        }
        let points = (begin..series.end)
            .step_by(bucket as usize)
            .map(|t| {
                let n = counts[i].get(&t).copied().unwrap_or(0);
                (t, n as f64 / bucket as f64)
            })
            .collect();
        out.push((
            total,
            ClassSeries {
                name: (*name).to_string(),
                description: (*description).to_string(),
                points,
            },
        ));
    }
    // Busiest first; ties by name so the order (and colours) never wobble.
    out.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.name.cmp(&b.1.name)));
    series.classes = out.into_iter().map(|(_, c)| c).collect();
    series
}

#[cfg(test)]
mod tests {
    use super::*;
    use earshot_trail::rates::RecordSample;

    fn tables() -> Tables {
        Tables::apple()
    }

    /// An event in exactly one class, found from the table itself.
    fn event_of_class(t: &Tables, class: &str) -> u16 {
        let mask = t.classes().mask_of(class).unwrap();
        (1..=u16::MAX)
            .find(|e| t.class_mask(*e) == mask)
            .expect("an event of that class")
    }

    #[test]
    fn buckets_become_per_class_rates() {
        let t = tables();
        let lo = event_of_class(&t, "lo");
        let now = 1_700_000_000 - 1_700_000_000 % 3600 + 3600; // on the hour
        let mut b = MinuteBuckets::default();
        // 120 `lo` records in the minute 10 minutes before now: 2 ev/s.
        for _ in 0..120 {
            b.add(&RecordSample {
                sec: now - 600 + 5,
                event: lo,
                bytes: 100,
                success: Some(true),
            });
        }
        let s = crate::series::rate_series([&b], &t, RateSpan::Hour, now, Some(now - 7200));
        assert_eq!(s.start, now - 3600);
        assert_eq!(s.end, now);
        assert_eq!(s.classes.len(), 1);
        let c = &s.classes[0];
        assert_eq!(c.name, "lo");
        assert_eq!(c.points.len(), 60);
        assert_eq!(
            c.points.iter().find(|p| p.0 == now - 600),
            Some(&(now - 600, 2.0))
        );
        assert_eq!(c.points.iter().filter(|p| p.1 > 0.0).count(), 1);
    }

    #[test]
    fn time_before_the_first_trail_is_not_drawn_as_zero() {
        let t = tables();
        let lo = event_of_class(&t, "lo");
        let now = 1_700_006_400;
        let mut b = MinuteBuckets::default();
        b.add(&RecordSample {
            sec: now - 100,
            event: lo,
            bytes: 1,
            success: None,
        });
        // Trails began 30 min 10 s ago: the first whole bucket is 30 min ago.
        let s = crate::series::rate_series([&b], &t, RateSpan::Hour, now, Some(now - 1810));
        assert_eq!(s.classes[0].points.len(), 30);
        assert_eq!(s.classes[0].points[0].0, now - 1800);
    }

    #[test]
    fn no_records_is_no_data() {
        let s = crate::series::rate_series(
            [&MinuteBuckets::default()],
            &tables(),
            RateSpan::Day,
            1_700_000_000,
            None,
        );
        assert!(s.classes.is_empty());
        assert!(!s.has_data());
        assert_eq!(s.end - s.start, 86_400);
    }

    #[test]
    fn history_grows_with_each_trail() {
        let ex = [
            TrailExtent {
                start: 1000,
                end: 2000,
                bytes: 1000,
            },
            TrailExtent {
                start: 2000,
                end: 3000,
                bytes: 500,
            },
        ];
        let h = ForecastView::history_from(&ex, 3000);
        assert_eq!(h.first(), Some(&(1000, 0)));
        assert_eq!(h.last(), Some(&(3000, 1500)));
        assert!(h.windows(2).all(|w| w[0].1 <= w[1].1 && w[0].0 < w[1].0));
        assert!(h.contains(&(2000, 1000)));
        assert!(ForecastView::history_from(&[], 5).is_empty());
    }
}
