//! What a configuration costs: events and bytes per day per class, the history that
//! `expire-after` keeps, and the time until the trail volume reaches `minfree`.
//!
//! Measured rates win. For a class that has not been measured Earshot falls back to
//! **reference figures** — its own order-of-magnitude planning assumptions for one
//! interactive Mac over a working day, documented with their reasoning in
//! docs/tuning-guide.md. They are labelled as such everywhere they are used, and their
//! ranges are deliberately wide (one to two orders of magnitude): they exist to rank the
//! steps and to size a first soak, not to replace a measurement.

use std::collections::BTreeMap;

use audit_control::ClassTable;
use serde::{Deserialize, Serialize};

use earshot_compliance::{Setting, View};

/// What has been measured on this Mac (all optional).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Measurements {
    /// Keyed by class name (`lo`, `fr`, …).
    pub classes: BTreeMap<String, ClassRates>,
    pub disk: Option<Disk>,
    /// Bytes currently held by trails (counts against an expire-after size cap).
    pub trail_bytes: Option<u64>,
}

/// One reference figure.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Reference {
    pub class: &'static str,
    pub side: Side,
    pub events_per_day: Range,
    pub bytes_per_event: f64,
}

const fn r(
    class: &'static str,
    side: Side,
    low: f64,
    typical: f64,
    high: f64,
    bytes: f64,
) -> Reference {
    Reference {
        class,
        side,
        events_per_day: Range { low, typical, high },
        bytes_per_event: bytes,
    }
}

pub use earshot_model::plan::{ClassCost, ClassRates, Disk, Prediction, Range, Rate, Side, Source};
use Side::{Failure as F, Success as S};

/// Earshot's reference figures (see docs/tuning-guide.md, "What each class costs").
/// Bytes per event: header + subject + return + trailer ≈ 75 bytes, plus the tokens
/// the class's events carry (paths ≈ 60–120 bytes, text, attributes).
pub const REFERENCE: &[Reference] = &[
    r("lo", S, 5.0, 40.0, 400.0, 150.0),
    r("lo", F, 0.5, 3.0, 50.0, 150.0),
    r("aa", S, 20.0, 300.0, 5_000.0, 190.0),
    r("aa", F, 1.0, 10.0, 300.0, 190.0),
    r("ad", S, 50.0, 1_500.0, 40_000.0, 170.0),
    r("ad", F, 20.0, 800.0, 30_000.0, 170.0),
    r("na", S, 1.0, 5.0, 50.0, 120.0),
    r("na", F, 0.1, 1.0, 10.0, 120.0),
    r("ex", S, 500.0, 4_000.0, 40_000.0, 260.0),
    r("ex", F, 1.0, 30.0, 1_000.0, 220.0),
    r("pc", S, 5_000.0, 80_000.0, 1_500_000.0, 150.0),
    r("pc", F, 100.0, 3_000.0, 60_000.0, 150.0),
    r("fr", S, 100_000.0, 2_000_000.0, 40_000_000.0, 200.0),
    r("fr", F, 300.0, 15_000.0, 400_000.0, 190.0),
    r("fw", S, 30_000.0, 500_000.0, 10_000_000.0, 200.0),
    r("fw", F, 50.0, 2_000.0, 80_000.0, 190.0),
    r("fa", S, 100_000.0, 4_000_000.0, 80_000_000.0, 190.0),
    r("fa", F, 10_000.0, 300_000.0, 6_000_000.0, 190.0),
    r("fm", S, 3_000.0, 80_000.0, 2_000_000.0, 210.0),
    r("fm", F, 20.0, 600.0, 30_000.0, 200.0),
    r("fc", S, 2_000.0, 40_000.0, 800_000.0, 200.0),
    r("fc", F, 50.0, 1_500.0, 50_000.0, 190.0),
    r("fd", S, 1_000.0, 25_000.0, 600_000.0, 190.0),
    r("fd", F, 10.0, 300.0, 10_000.0, 180.0),
    r("cl", S, 100_000.0, 3_000_000.0, 60_000_000.0, 110.0),
    r("cl", F, 10.0, 500.0, 20_000.0, 110.0),
    r("nt", S, 1_000.0, 40_000.0, 1_500_000.0, 200.0),
    r("nt", F, 100.0, 5_000.0, 200_000.0, 190.0),
    r("ip", S, 500.0, 15_000.0, 800_000.0, 150.0),
    r("ip", F, 10.0, 500.0, 20_000.0, 150.0),
    r("io", S, 10_000.0, 400_000.0, 15_000_000.0, 130.0),
    r("io", F, 1_000.0, 40_000.0, 1_500_000.0, 130.0),
    r("ap", S, 0.0, 1.0, 20.0, 150.0),
    r("ap", F, 0.0, 0.1, 5.0, 150.0),
    r("ot", S, 10.0, 500.0, 20_000.0, 150.0),
    r("ot", F, 1.0, 50.0, 2_000.0, 150.0),
];

/// Extra bytes per exec record with `argv` (a typical command line) and `arge` (a
/// typical environment of 30–60 variables).
pub const ARGV_BYTES: f64 = 150.0;
pub const ARGE_BYTES: f64 = 2_500.0;

pub fn reference(class: &str, side: Side) -> Option<&'static Reference> {
    REFERENCE
        .iter()
        .find(|r| r.class == class && r.side == side)
}

/// The class sides a configuration audits (flags ∪ naflags), by class name.
pub fn audited_sides(view: &View, classes: &ClassTable) -> Vec<(String, Side)> {
    let mut success = 0u32;
    let mut failure = 0u32;
    for s in [&view.flags, &view.naflags] {
        if let Setting::Valid(list) = s {
            success |= list.mask.success;
            failure |= list.mask.failure;
        }
    }
    let mut out = Vec::new();
    for c in classes.classes() {
        if c.mask == 0 || c.mask == u32::MAX {
            continue;
        }
        if success & c.mask == c.mask {
            out.push((c.name.clone(), Side::Success));
        }
        if failure & c.mask == c.mask {
            out.push((c.name.clone(), Side::Failure));
        }
    }
    out
}

/// Measured figures are widened by day-to-day variation (−20 % / +25 %).
const MEASURED_LOW: f64 = 0.8;
const MEASURED_HIGH: f64 = 1.25;

fn class_cost(class: &str, side: Side, view: &View, m: &Measurements) -> (Range, Range, Source) {
    if let Some(rate) = m.classes.get(class).and_then(|c| c.get(side)) {
        let ev = Range::new(
            rate.events_per_day * MEASURED_LOW,
            rate.events_per_day,
            rate.events_per_day * MEASURED_HIGH,
        );
        let by = Range::new(
            rate.bytes_per_day * MEASURED_LOW,
            rate.bytes_per_day,
            rate.bytes_per_day * MEASURED_HIGH,
        );
        return (ev, by, Source::Measured);
    }
    match reference(class, side) {
        Some(r) => {
            let mut per_event = r.bytes_per_event;
            // Exec records grow with the argv/arge policies.
            if side == Side::Success && matches!(class, "ex" | "pc") {
                if let Setting::Valid(p) = &view.policy {
                    if p.argv {
                        per_event += ARGV_BYTES;
                    }
                    if p.arge {
                        per_event += ARGE_BYTES;
                    }
                }
            }
            (
                r.events_per_day,
                r.events_per_day.scale(per_event),
                Source::Reference,
            )
        }
        None => (Range::ZERO, Range::ZERO, Source::Unknown),
    }
}

/// Predicts the cost of `after` (compared with `before`, when there is one).
pub fn predict(
    before: Option<&View>,
    after: &View,
    classes: &ClassTable,
    m: &Measurements,
) -> Prediction {
    let before_sides = before
        .map(|b| audited_sides(b, classes))
        .unwrap_or_default();
    let mut costs = Vec::new();
    let mut events = Range::ZERO;
    let mut bytes = Range::ZERO;
    let mut uses_reference = false;
    for (class, side) in audited_sides(after, classes) {
        let (ev, by, source) = class_cost(&class, side, after, m);
        uses_reference |= source == Source::Reference;
        events = events + ev;
        bytes = bytes + by;
        costs.push(ClassCost {
            added: !before_sides.contains(&(class.clone(), side)),
            class,
            side,
            events_per_day: ev,
            bytes_per_day: by,
            source,
        });
    }
    let before_bytes = before
        .map(|b| {
            audited_sides(b, classes)
                .into_iter()
                .map(|(c, s)| class_cost(&c, s, b, m).1)
                .fold(Range::ZERO, |a, b| a + b)
        })
        .unwrap_or(Range::ZERO);
    let mut notes = Vec::new();
    if uses_reference {
        notes.push("figures marked `reference` are Earshot's planning assumptions, not measurements of this Mac; a soak replaces them".to_string());
    }
    if matches!(after.flags, Setting::Valid(_)) && !matches!(after.naflags, Setting::Valid(_)) {
        notes.push(
            "naflags is not usable: daemons' non-attributable events are not counted".to_string(),
        );
    }

    // Retention: the slowest day keeps the longest history.
    let expiry = after.expire_after.valid().copied();
    let rotates = !matches!(after.filesz, Setting::Valid(0));
    let (retention_days, retention) = match expiry {
        Some(e) if e.never_deletes() => (
            None,
            "expire-after never deletes: trails grow until minfree/disk full".to_string(),
        ),
        Some(e) => {
            let h = |rate: f64| e.history_days(rate);
            match (h(bytes.high), h(bytes.typical), h(bytes.low)) {
                (Some(lo), Some(ty), Some(hi)) => {
                    let mut text = format!(
                        "expire-after {e} keeps about {} of history (range {}–{})",
                        days_text(ty),
                        days_text(lo),
                        days_text(hi)
                    );
                    if !rotates {
                        text.push_str(
                            "; but filesz:0 never rotates, and auditd only expires at rotation",
                        );
                    }
                    (Some(Range::new(lo, ty, hi)), text)
                }
                _ => (
                    None,
                    format!("expire-after {e}: history not bounded at these rates"),
                ),
            }
        }
        None => (
            None,
            "no usable expire-after: trails are never expired".to_string(),
        ),
    };

    // Time to minfree.
    let minfree_pct = after.minfree.valid().copied().unwrap_or(0);
    let (time_to_minfree_days, minfree) = match m.disk {
        None => (
            None,
            "volume size unknown: time to minfree not computed".to_string(),
        ),
        Some(d) => {
            let reserve = d.total_bytes as f64 * f64::from(minfree_pct) / 100.0;
            let room = d.free_bytes as f64 - reserve;
            let cap = match expiry {
                Some(e) if rotates && !e.never_deletes() => Some(e),
                _ => None,
            };
            if room <= 0.0 {
                (
                    Some(Range::ZERO),
                    format!("the volume is already below minfree ({minfree_pct}%)"),
                )
            } else {
                let existing = m.trail_bytes.unwrap_or(0) as f64;
                let days_at = |rate: f64| -> Option<f64> {
                    if rate <= 0.0 {
                        return None;
                    }
                    if let Some(steady) = cap.and_then(|e| e.steady_bytes(rate)) {
                        if steady - existing < room {
                            return None;
                        }
                    }
                    Some(room / rate)
                };
                match days_at(bytes.typical) {
                    None => (
                        None,
                        format!(
                            "does not reach minfree ({minfree_pct}%) at the typical rate: {} of room{}",
                            crate::plan::human_bytes(room),
                            if cap.is_some() { ", and expire-after caps the trails below it" } else { "" }
                        ),
                    ),
                    Some(ty) => {
                        let lo = days_at(bytes.high).unwrap_or(ty);
                        let hi = days_at(bytes.low).unwrap_or(f64::INFINITY);
                        (
                            Some(Range::new(lo, ty, hi)),
                            format!(
                                "reaches minfree ({minfree_pct}%) in about {} (range {}–{})",
                                days_text(ty),
                                days_text(lo),
                                if hi.is_finite() { days_text(hi) } else { "never".into() }
                            ),
                        )
                    }
                }
            }
        }
    };
    Prediction {
        classes: costs,
        events_per_day: events,
        bytes_per_day: bytes,
        change_bytes_per_day: bytes - before_bytes,
        retention_days,
        retention,
        time_to_minfree_days,
        minfree,
        uses_reference_figures: uses_reference,
        notes,
    }
}

pub use earshot_model::format::human_days as days_text;

impl Measurements {
    /// Per-class rates from a trail rate window (the 24 h one is the useful one),
    /// keeping only the class sides `view` actually preselects: an event counts toward
    /// every class it belongs to, so a class the configuration does not audit shows
    /// only the overlap with audited classes and must not pass for a measurement.
    /// Bytes are split between success and failure in proportion to the records.
    pub fn from_rate_window(
        window: &earshot_trail::rates::RateWindow,
        view: &View,
        classes: &ClassTable,
    ) -> Measurements {
        let mut m = Measurements::default();
        if window.covered_secs == 0 {
            return m;
        }
        let per_day = 86_400.0 / window.covered_secs as f64;
        for (class, side) in audited_sides(view, classes) {
            let Some(r) = window.by_class.get(&class) else {
                // Audited but silent in the window: a real zero.
                let e = m.classes.entry(class).or_default();
                let zero = Some(Rate::default());
                match side {
                    Side::Success => e.success = zero,
                    Side::Failure => e.failure = zero,
                }
                continue;
            };
            let records = r.records.max(1) as f64;
            let (n, share) = match side {
                Side::Success => (r.successes, r.successes as f64 / records),
                Side::Failure => (r.failures, r.failures as f64 / records),
            };
            let rate = Rate {
                events_per_day: n as f64 * per_day,
                bytes_per_day: r.bytes as f64 * share * per_day,
            };
            let e = m.classes.entry(class).or_default();
            match side {
                Side::Success => e.success = Some(rate),
                Side::Failure => e.failure = Some(rate),
            }
        }
        m
    }
}
