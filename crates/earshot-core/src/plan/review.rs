//! Review cadence: an applied step records its prediction; after a soak (3 days by
//! default, the user's choice) Earshot compares what happened with what was predicted
//! and proposes the next step, a tweak, or a roll-back — with reasons.
//!
//! Pure logic: the measurements come from the trail statistics / helper.

use std::collections::BTreeMap;

use audit_control::ClassTable;
use serde::{Deserialize, Serialize};

use super::cost::{days_text, ClassRates, Disk, Prediction, Side};
use super::{human_bytes, Plan, StepKind};
use crate::baseline::{Setting, View};

/// The default soak period, in days.
pub const DEFAULT_SOAK_DAYS: f64 = 3.0;

/// Measurements within ±15 % of the predicted range count as "as predicted" (the
/// simulator's agreement target).
pub const TOLERANCE: f64 = 0.15;

/// Below this many days to minfree the step is rolled back.
pub const MIN_DAYS_TO_MINFREE: f64 = 7.0;

/// Below this many days of history a step needs a storage tweak.
pub const MIN_HISTORY_DAYS: f64 = 7.0;

/// A step as applied, with what was predicted for it. Serialized (with the
/// applied audit_control as text) so the helper can keep it for the review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppliedStep {
    pub step: StepKind,
    pub title: String,
    /// Unix seconds.
    pub applied_at: u64,
    pub soak_days: f64,
    /// The audit_control that was applied.
    #[serde(with = "lossy_text")]
    pub config: Vec<u8>,
    pub prediction: Prediction,
}

/// audit_control is text; a stray non-UTF-8 byte is kept as U+FFFD rather
/// than making the record unreadable (the view of it is all the review needs).
mod lossy_text {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&String::from_utf8_lossy(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        Ok(String::deserialize(d)?.into_bytes())
    }
}

impl AppliedStep {
    /// Records `plan` as applied at `applied_at`, with the default soak.
    pub fn record(plan: &Plan, applied_at: u64) -> AppliedStep {
        AppliedStep {
            step: plan.step,
            title: plan.title.clone(),
            applied_at,
            soak_days: DEFAULT_SOAK_DAYS,
            config: plan.after_bytes().to_vec(),
            prediction: plan.prediction.clone(),
        }
    }

    pub fn with_soak_days(mut self, days: f64) -> AppliedStep {
        self.soak_days = if days.is_finite() && days > 0.0 {
            days
        } else {
            DEFAULT_SOAK_DAYS
        };
        self
    }
}

/// What was measured since the step was applied.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    /// Unix seconds.
    pub now: u64,
    pub events_per_day: f64,
    pub bytes_per_day: f64,
    /// Per class, when available.
    pub classes: BTreeMap<String, ClassRates>,
    pub disk: Option<Disk>,
    pub trail_bytes: Option<u64>,
    /// `audit -c` no longer reports AUC_AUDITING (no space, or failure).
    pub auditing_suspended: bool,
    /// Records lost (e.g. audit pipe drops, trail write failures).
    pub dropped_records: u64,
}

/// What to do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The soak is not over and nothing is wrong.
    KeepSoaking,
    /// The step behaved as predicted (or safely): take the next rung.
    NextStep,
    /// Keep the step but adjust (storage, or make it take effect).
    Tweak,
    /// Undo the step (re-apply the previous revision).
    RollBack,
}

/// The review's answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Review {
    pub verdict: Verdict,
    pub reasons: Vec<String>,
    pub days_observed: f64,
    /// Measured bytes/day divided by the predicted typical figure.
    pub ratio: Option<f64>,
}

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

    // A class the step added that produced nothing: most often flags not yet in
    // effect for the user's session.
    if !obs.classes.is_empty() {
        let silent: Vec<String> = applied
            .prediction
            .classes
            .iter()
            .filter(|c| c.added)
            .filter(|c| {
                obs.classes
                    .get(&c.class)
                    .and_then(|r| r.get(c.side))
                    .map(|r| r.events_per_day <= 0.0)
                    .unwrap_or(true)
            })
            .map(|c| {
                format!(
                    "{}{}",
                    if c.side == Side::Failure { "-" } else { "+" },
                    c.class
                )
            })
            .collect();
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
