//! A step's soak as the helper keeps it: the step applied, how long it soaks
//! and why, what it has cost so far against its prediction, and — once the
//! soak is over — the review and what to do next (docs/tuning-guide.md).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::change::StepToken;
use crate::plan::{Plan, Range, Risk, StepKind};
use crate::review::Review;

/// Where a soak stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SoakState {
    /// Still measuring: the next step waits (unless the user skips the soak).
    Soaking,
    /// Over; the review is made (see `review`).
    Reviewed,
    /// Ended before its review: an outside edit or a change through Earshot
    /// altered what is audited, or the step was rolled back (`ended_by`).
    Ended,
}

/// The soaking (or last soaked) step, as status, the popover and the wizard
/// show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SoakStatus {
    /// The revision the step made.
    pub revision: u64,
    /// The step's place in the user's plan (1 = the first step Earshot applied).
    pub number: u32,
    pub step: StepKind,
    pub title: String,
    pub started_unix: u64,
    pub ends_unix: u64,
    pub soak_days: f64,
    /// Why it soaks this long.
    pub soak_reason: String,
    /// Days since the step, at most `soak_days` (hundredths).
    pub days_observed: f64,
    pub state: SoakState,
    /// Why it ended before its review.
    pub ended_by: Option<String>,
    /// The step's predicted trail volume, bytes per day.
    pub predicted: Range,
    /// Measured since the step (over the trails that cover the time since);
    /// `None` until an hour has been recorded.
    pub measured_bytes_per_day: Option<f64>,
    /// `measured / predicted.typical`.
    pub ratio: Option<f64>,
    /// Set when the measured volume leaves the predicted band badly enough to
    /// matter (docs/tuning-guide.md, "Soaking"): the sentence saying so.
    pub over_budget: Option<String>,
    /// The review, once made.
    pub review: Option<Review>,
    /// One line: "flags: add ad — day 1 of 3 — 1.04× the predicted volume so far".
    pub summary: String,
}

/// A change the review proposes: itself a planned step with its predicted
/// cost, applied through `apply_step` with its token and soaked in its turn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Tweak {
    /// `retention` (size expire-after for the measured rate) or `drop:<class>`
    /// (stop auditing a class the step added).
    pub id: String,
    pub title: String,
    pub why: String,
    pub plan: Plan,
    pub risks: Vec<Risk>,
    pub token: StepToken,
}

/// What the wizard shows at the end of a soak: the verdict with its reasons,
/// and every action it offers in one click.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct StepReview {
    pub soak: SoakStatus,
    pub review: Review,
    /// The next rung toward `next` (when the verdict allows it).
    pub next: Option<Plan>,
    pub next_risks: Vec<Risk>,
    pub next_token: Option<StepToken>,
    pub tweaks: Vec<Tweak>,
    /// The revision a roll back of the step restores (the one before it).
    pub rollback_to: Option<u64>,
}

/// The step's trail volume over its soak, for the wizard's chart: bytes per
/// day in buckets, against the predicted band.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SoakSeries {
    pub start: u64,
    pub end: u64,
    pub bucket_secs: u64,
    /// (bucket start, bytes per day over the bucket), ascending; buckets no
    /// trail covers are left out.
    pub points: Vec<(u64, f64)>,
    pub predicted: Range,
}
