//! A step as applied (with its prediction), what was observed since, and the
//! review's verdict: keep soaking, take the next step, tweak, or roll back.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::plan::{ClassRates, Disk, Plan, Prediction, StepKind};

/// The default soak period, in days.
pub const DEFAULT_SOAK_DAYS: f64 = 3.0;

/// A step as applied, with what was predicted for it. Serialized (with the
/// applied audit_control as text) so the helper can keep it for the review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AppliedStep {
    pub step: StepKind,
    pub title: String,
    /// Unix seconds.
    pub applied_at: u64,
    pub soak_days: f64,
    /// The audit_control that was applied.
    #[serde(with = "lossy_text")]
    #[ts(as = "String")]
    pub config: Vec<u8>,
    pub prediction: Prediction,
    /// Why the soak lasts `soak_days` (the rule of docs/tuning-guide.md, or the
    /// user's choice).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[ts(as = "Option<String>", optional)]
    pub soak_reason: String,
    /// This step was applied while the previous one was still soaking: the
    /// user chose to go on without its review.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub skipped_soak: Option<SkippedSoak>,
}

/// A soak cut short by the user (`skip_soak`), as recorded with the step that
/// followed it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SkippedSoak {
    /// The revision whose soak was skipped.
    pub revision: u64,
    pub days_observed: f64,
    pub soak_days: f64,
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
            soak_reason: String::new(),
            skipped_soak: None,
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
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Review {
    pub verdict: Verdict,
    pub reasons: Vec<String>,
    pub days_observed: f64,
    /// Measured bytes/day divided by the predicted typical figure.
    pub ratio: Option<f64>,
}
