//! A tuning step as the ladder plans it: what changes and why, what it risks, and
//! what it is predicted to cost (events and bytes a day, retention, days to
//! minfree), with the low / typical / high ranges of the prediction.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A change in meaning, as audit-control's semantic diff words it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SemanticChange {
    pub key: String,
    /// e.g. "flags: +ad", "expire-after: 10M → 60d OR 5G".
    pub text: String,
    pub risks: Vec<Risk>,
}

/// A low / typical / high estimate.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, TS)]
pub struct Range {
    pub low: f64,
    pub typical: f64,
    pub high: f64,
}

impl std::ops::Add for Range {
    type Output = Range;
    fn add(self, o: Range) -> Range {
        Range::new(
            self.low + o.low,
            self.typical + o.typical,
            self.high + o.high,
        )
    }
}

impl std::ops::Sub for Range {
    type Output = Range;
    fn sub(self, o: Range) -> Range {
        Range::new(
            self.low - o.low,
            self.typical - o.typical,
            self.high - o.high,
        )
    }
}

impl Range {
    pub const ZERO: Range = Range {
        low: 0.0,
        typical: 0.0,
        high: 0.0,
    };

    pub fn new(low: f64, typical: f64, high: f64) -> Range {
        Range { low, typical, high }
    }

    pub fn scale(self, k: f64) -> Range {
        Range::new(self.low * k, self.typical * k, self.high * k)
    }

    /// Whether `x` lies within the range widened by `slack` (0.15 = ±15 %).
    pub fn contains_with(&self, x: f64, slack: f64) -> bool {
        x >= self.low * (1.0 - slack) && x <= self.high * (1.0 + slack)
    }
}

/// Which half of a class mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Success,
    Failure,
}

/// A measured rate.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, TS)]
#[ts(rename = "DailyRate")]
pub struct Rate {
    pub events_per_day: f64,
    pub bytes_per_day: f64,
}

/// Measured rates of one class, per side.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, TS)]
pub struct ClassRates {
    pub success: Option<Rate>,
    pub failure: Option<Rate>,
}

impl ClassRates {
    pub fn get(&self, side: Side) -> Option<Rate> {
        match side {
            Side::Success => self.success,
            Side::Failure => self.failure,
        }
    }
}

/// The trail volume.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Disk {
    pub total_bytes: u64,
    pub free_bytes: u64,
}

/// Where a figure comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
#[ts(rename = "FigureSource")]
pub enum Source {
    Measured,
    Reference,
    /// A class with neither a measurement nor a reference figure (counted as 0).
    Unknown,
}

/// Predicted cost of one class side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ClassCost {
    pub class: String,
    pub side: Side,
    pub events_per_day: Range,
    pub bytes_per_day: Range,
    pub source: Source,
    /// Audited after the step but not before.
    pub added: bool,
}

/// The predicted cost of a configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Prediction {
    pub classes: Vec<ClassCost>,
    pub events_per_day: Range,
    pub bytes_per_day: Range,
    /// Against the configuration before the step.
    pub change_bytes_per_day: Range,
    /// History kept by expire-after, in days (`None`: unbounded — until minfree/disk).
    pub retention_days: Option<Range>,
    pub retention: String,
    /// Days until the trail volume reaches minfree (`None`: not reached, or unknown).
    pub time_to_minfree_days: Option<Range>,
    pub minfree: String,
    /// Whether any figure is a reference figure rather than a measurement.
    pub uses_reference_figures: bool,
    pub notes: Vec<String>,
}

/// One rung.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum StepKind {
    EnableAuditing,
    StartAuditd,
    BaseFlags,
    BaseNaflags,
    Policy,
    Rotation,
    Retention,
    Minfree,
    AddFlag,
    NaflagsNa,
    FailureHalt,
    Arge,
    SpellOutForMscp,
}

/// A change of one key, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(rename = "PlanChange")]
pub struct Change {
    pub key: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub meaning: String,
}

/// Something the user must acknowledge before the step is applied. Ids follow the
/// audit-control crate's semantic-diff risks (`drop-cnt`, `add-ahlt`, `add-arge`,
/// `na-in-flags`, `minfree-out-of-range`, `filesz-zero`, `no-expire-after`,
/// `dir-change`) plus the planner's `expire-shortens`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Risk {
    pub id: String,
    pub message: String,
}

/// Another way to take the same step (e.g. `ahlt` without `cnt`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Alternative {
    pub title: String,
    pub explanation: String,
    pub after: String,
    pub diff: Vec<Change>,
    pub risks: Vec<Risk>,
}

/// A planned step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Plan {
    pub step: StepKind,
    /// The key (or service) the step changes: its one concern.
    pub concern: String,
    pub title: String,
    pub why: String,
    /// audit_control before (`None`: the file does not exist).
    pub before: Option<String>,
    /// audit_control after the step (unchanged for a service-only step), as text for
    /// display and JSON; [`Plan::after_bytes`] has the exact bytes to write.
    pub after: String,
    /// The exact new file (lossless even for bytes that are not UTF-8).
    #[serde(skip)]
    #[ts(skip)]
    pub after_raw: Vec<u8>,
    pub diff: Vec<Change>,
    /// audit-control's semantic diff of the same change (its wording and risk ids).
    pub semantic_diff: Vec<SemanticChange>,
    /// Must be acknowledged before applying: the planner's risks plus every risk of
    /// audit-control's semantic diff (same ids, merged).
    pub risks: Vec<Risk>,
    /// Worth reading, no acknowledgement needed.
    pub warnings: Vec<String>,
    /// Commands to run / what makes the change take effect.
    pub activation: Vec<String>,
    /// `flags` changed: running sessions keep their old mask until the user logs in
    /// again (or the Mac restarts).
    pub needs_relogin: bool,
    pub prediction: Prediction,
    pub alternatives: Vec<Alternative>,
}

impl Plan {
    /// The exact bytes to write.
    pub fn after_bytes(&self) -> &[u8] {
        &self.after_raw
    }
}
