//! Review cadence: an applied step records its prediction; after a soak (its
//! length by the rule of `soak::soak_days`, or the user's choice) Earshot compares what happened with what was predicted
//! and proposes the next step, a tweak, or a roll-back — with reasons.
//!
//! Pure logic: the measurements come from the trail statistics / helper.

use audit_control::ClassTable;

use super::cost::days_text;
use super::human_bytes;
use earshot_compliance::{Setting, View};
pub use earshot_model::review::{AppliedStep, Observation, Review, Verdict, DEFAULT_SOAK_DAYS};

/// Measurements within ±15 % of the predicted range count as "as predicted" (the
/// simulator's agreement target).
pub const TOLERANCE: f64 = 0.15;

/// Below this many days to minfree the step is rolled back.
pub const MIN_DAYS_TO_MINFREE: f64 = 7.0;

/// Below this many days of history a step needs a storage tweak.
pub const MIN_HISTORY_DAYS: f64 = 7.0;

/// A class the step added that shows no event where its low predicted rate
/// would have given at least this many is "silent" (flags not in effect).
pub const SILENT_AFTER_EVENTS: f64 = 10.0;

/// A step whose measured volume is at least this many times the typical
/// prediction is "badly" over budget: tweak it before the next step
/// (docs/tuning-guide.md, "Soaking").
pub const OVER_BUDGET_RATIO: f64 = 2.0;
/// At the measured rate, minfree reached within this many days is a cost that
/// matters: tweak before the next step.
pub const OVER_BUDGET_MINFREE_DAYS: f64 = 30.0;

/// Reviews an applied step against what was measured.
pub fn review(applied: &AppliedStep, obs: &Observation, classes: &ClassTable) -> Review {
    let days = obs.now.saturating_sub(applied.applied_at) as f64 / 86_400.0;
    let predicted = applied.prediction.bytes_per_day;
    let ratio = (predicted.typical > 0.0).then(|| obs.bytes_per_day / predicted.typical);
    let view = View::read(&applied.config, classes);
    let mut reasons = Vec::new();
    let out = |verdict, reasons| Review {
        verdict,
        reasons,
        days_observed: days,
        ratio,
    };

    if obs.auditing_suspended {
        reasons.push("auditing was suspended (the audit volume filled or a write failed): events are being lost — roll back and re-size storage before trying again".into());
        return out(Verdict::RollBack, reasons);
    }
    if obs.dropped_records > 0 {
        reasons.push(format!(
            "{} records were dropped since the step: the system cannot keep up with this volume",
            obs.dropped_records
        ));
        return out(Verdict::RollBack, reasons);
    }

    // Disk safety at the measured rate, whatever the soak.
    let mut days_to_minfree = None;
    if let Some(d) = obs.disk {
        let pct = view.minfree.valid().copied().unwrap_or(0);
        let room = d.free_bytes as f64 - d.total_bytes as f64 * f64::from(pct) / 100.0;
        if room <= 0.0 {
            reasons.push(format!(
                "the trail volume is already below minfree ({pct}%)"
            ));
            return out(Verdict::RollBack, reasons);
        }
        let capped = view.expire_after.valid().and_then(|e| {
            let rotates = !matches!(view.filesz, Setting::Valid(0));
            (rotates && !e.never_deletes())
                .then(|| e.steady_bytes(obs.bytes_per_day))
                .flatten()
        });
        let grows_past = match capped {
            Some(steady) => steady - obs.trail_bytes.unwrap_or(0) as f64 >= room,
            None => true,
        };
        if grows_past && obs.bytes_per_day > 0.0 {
            let t = room / obs.bytes_per_day;
            days_to_minfree = Some(t);
            if t < MIN_DAYS_TO_MINFREE {
                reasons.push(format!(
                    "at the measured {}/day the volume reaches minfree in {} (less than {MIN_DAYS_TO_MINFREE:.0} days)",
                    human_bytes(obs.bytes_per_day),
                    days_text(t)
                ));
                return out(Verdict::RollBack, reasons);
            }
        }
    }

    if days < applied.soak_days {
        reasons.push(format!(
            "soaking: {} of {} observed",
            days_text(days),
            days_text(applied.soak_days)
        ));
        if let Some(r) = ratio {
            reasons.push(format!("so far {:.2}× the predicted typical volume", r));
        }
        return out(Verdict::KeepSoaking, reasons);
    }

    // A class the step added that produced nothing on any side it added,
    // although its low predicted rate would have shown some: most often flags
    // not yet in effect for the user's session. (One side alone at zero — no
    // failures, say — is just a quiet Mac.)
    if !obs.classes.is_empty() {
        let mut silent: Vec<String> = Vec::new();
        let added: Vec<_> = applied
            .prediction
            .classes
            .iter()
            .filter(|c| c.added)
            .collect();
        for class in added.iter().map(|c| c.class.as_str()) {
            if silent.iter().any(|s| s == class) {
                continue;
            }
            let sides: Vec<_> = added.iter().filter(|c| c.class == class).collect();
            let seen = sides.iter().any(|c| {
                obs.classes
                    .get(&c.class)
                    .and_then(|r| r.get(c.side))
                    .is_some_and(|r| r.events_per_day > 0.0)
            });
            let expected: f64 = sides.iter().map(|c| c.events_per_day.low * days).sum();
            if !seen && expected >= SILENT_AFTER_EVENTS {
                silent.push(class.to_string());
            }
        }
        if !silent.is_empty() {
            reasons.push(format!(
                "no events seen for {}: flags only apply to sessions started after the change — log out and back in (or restart), then soak again",
                silent.join(", ")
            ));
            return out(Verdict::Tweak, reasons);
        }
    }

    let Some(r) = ratio else {
        reasons.push("nothing was predicted to compare with; the measurements now replace the reference figures".into());
        return out(Verdict::NextStep, reasons);
    };
    if predicted.contains_with(obs.bytes_per_day, TOLERANCE) {
        reasons.push(format!(
            "measured {}/day, predicted {}–{}: as predicted ({r:.2}× typical)",
            human_bytes(obs.bytes_per_day),
            human_bytes(predicted.low),
            human_bytes(predicted.high)
        ));
        return out(Verdict::NextStep, reasons);
    }
    if obs.bytes_per_day > predicted.high * (1.0 + TOLERANCE) {
        reasons.push(format!(
            "measured {}/day is above the predicted range (up to {}): {r:.1}× typical",
            human_bytes(obs.bytes_per_day),
            human_bytes(predicted.high)
        ));
        if let Some(e) = view.expire_after.valid() {
            if let Some(h) = e.history_days(obs.bytes_per_day) {
                if h < MIN_HISTORY_DAYS {
                    reasons.push(format!(
                        "expire-after {e} now keeps only {} of history: raise its size part (the planner's retention step sizes it from these measurements) or drop the class",
                        days_text(h)
                    ));
                    return out(Verdict::Tweak, reasons);
                }
            }
        }
        if r >= OVER_BUDGET_RATIO {
            // Whose volume is it? The classes the step added, or the rest of
            // the Mac grown busier since the step was planned.
            let added: f64 = applied
                .prediction
                .classes
                .iter()
                .filter(|c| c.added)
                .filter_map(|c| obs.classes.get(&c.class).and_then(|r| r.get(c.side)))
                .map(|r| r.bytes_per_day)
                .sum();
            if !obs.classes.is_empty() && added < obs.bytes_per_day * 0.1 {
                reasons.push(format!(
                    "at {r:.1}× the prediction, yet the classes the step added write only {}/day: the rest of the Mac writes more than when the step was planned — size retention for the measured volume (or roll back, and plan again on the new figures)",
                    human_bytes(added)
                ));
            } else {
                reasons.push(format!(
                    "at {r:.1}× the prediction the step costs far more than planned: drop the class it added, or size retention for the measured volume, before stacking another step on it"
                ));
            }
            return out(Verdict::Tweak, reasons);
        }
        if let Some(t) = days_to_minfree.filter(|t| *t < OVER_BUDGET_MINFREE_DAYS) {
            reasons.push(format!(
                "at this rate the volume reaches minfree in {}: size retention before the next step",
                days_text(t)
            ));
            return out(Verdict::Tweak, reasons);
        }
        reasons.push("storage still holds at this rate: continue, with the measured rates replacing the reference figures".into());
        return out(Verdict::NextStep, reasons);
    }
    reasons.push(format!(
        "measured {}/day is below the predicted range (from {}): cheaper than expected ({r:.2}× typical) — continue",
        human_bytes(obs.bytes_per_day),
        human_bytes(predicted.low)
    ));
    out(Verdict::NextStep, reasons)
}
