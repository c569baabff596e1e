//! The soak of the last tuning step, kept by the helper (`soak.json` in its
//! state folder, 0600): which step, when, how long it soaks and why, what it
//! has cost so far, why it ended early if it did, and the review once made.
//! It survives restarts; an outside edit or a change through Earshot that
//! alters what is audited ends it (and says which); one that does not (a
//! comment, retention, minfree) leaves it running.

use std::path::{Path, PathBuf};

use earshot_model::plan::Range;
use earshot_model::review::{AppliedStep, Review};
use earshot_model::soak::{SoakState, SoakStatus};
use serde::{Deserialize, Serialize};

use crate::fsutil::{write_atomic, StateError};

/// The file, in the helper's state folder.
pub const SOAK_FILE: &str = "soak.json";

/// How often a soak's measurement is refreshed from the trails (it reads the
/// per-minute buckets since the step; the popover needs no finer a figure).
pub const MEASURE_EVERY_SECS: u64 = 60;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SoakRecord {
    /// The revision the step made.
    pub revision: u64,
    pub step: AppliedStep,
    /// The step's place in the user's plan: how many steps history records
    /// up to and including it.
    #[serde(default)]
    pub number: u32,
    /// Why it ended before its review, when it did.
    #[serde(default)]
    pub ended_by: Option<String>,
    /// The review, once the soak is over.
    #[serde(default)]
    pub review: Option<Review>,
    /// The last measurement: bytes a day since the step, when (helper clock),
    /// and whether it was badly over budget (the sentence).
    #[serde(default)]
    pub measured: Option<f64>,
    #[serde(default)]
    pub measured_at: u64,
    #[serde(default)]
    pub over_budget: Option<String>,
}

impl SoakRecord {
    pub fn new(revision: u64, step: AppliedStep, number: u32) -> SoakRecord {
        SoakRecord {
            revision,
            step,
            number,
            ended_by: None,
            review: None,
            measured: None,
            measured_at: 0,
            over_budget: None,
        }
    }

    pub fn ends_unix(&self) -> u64 {
        self.step.applied_at + (self.step.soak_days * 86_400.0).round() as u64
    }

    pub fn state(&self) -> SoakState {
        if self.ended_by.is_some() {
            SoakState::Ended
        } else if self.review.is_some() {
            SoakState::Reviewed
        } else {
            SoakState::Soaking
        }
    }

    /// Soaking and not yet due: the next step waits.
    pub fn blocks(&self, now: u64) -> bool {
        self.state() == SoakState::Soaking && now < self.ends_unix()
    }

    /// Soaking and due for its review.
    pub fn due(&self, now: u64) -> bool {
        self.state() == SoakState::Soaking && now >= self.ends_unix()
    }

    pub fn days_observed(&self, now: u64) -> f64 {
        let d = now.saturating_sub(self.step.applied_at) as f64 / 86_400.0;
        (d.min(self.step.soak_days) * 100.0).floor() / 100.0
    }

    /// What status, the popover and the wizard show.
    pub fn status(&self, now: u64) -> SoakStatus {
        let predicted: Range = self.step.prediction.bytes_per_day;
        let ratio = self
            .measured
            .filter(|_| predicted.typical > 0.0)
            .map(|m| m / predicted.typical);
        let progress = earshot_tuning::plan::soak::Progress {
            days_observed: self.days_observed(now),
            measured_bytes_per_day: self.measured,
            ratio,
            over_budget: self.over_budget.clone(),
        };
        let summary = match (self.state(), &self.ended_by, &self.review) {
            (SoakState::Ended, Some(why), _) => format!("{} — soak ended: {why}", self.step.title),
            (SoakState::Reviewed, _, Some(r)) => format!(
                "{} — soaked {}: review says {}",
                self.step.title,
                earshot_model::format::human_days(self.step.soak_days),
                verdict_words(r)
            ),
            _ => earshot_tuning::plan::soak::summary(&self.step, &progress),
        };
        SoakStatus {
            revision: self.revision,
            number: self.number.max(1),
            step: self.step.step,
            title: self.step.title.clone(),
            started_unix: self.step.applied_at,
            ends_unix: self.ends_unix(),
            soak_days: self.step.soak_days,
            soak_reason: self.step.soak_reason.clone(),
            days_observed: progress.days_observed,
            state: self.state(),
            ended_by: self.ended_by.clone(),
            predicted,
            measured_bytes_per_day: self.measured,
            ratio,
            over_budget: self.over_budget.clone(),
            review: self.review.clone(),
            summary,
        }
    }
}

/// The verdict in a few words.
pub fn verdict_words(r: &Review) -> &'static str {
    use earshot_model::review::Verdict;
    match r.verdict {
        Verdict::KeepSoaking => "keep soaking",
        Verdict::NextStep => "take the next step",
        Verdict::Tweak => "tweak",
        Verdict::RollBack => "roll back",
    }
}

pub fn path(state_dir: &Path) -> PathBuf {
    state_dir.join(SOAK_FILE)
}

/// The soak on record; a damaged file is no soak (reported, not fatal: the
/// worst it costs is one step applied without waiting).
pub fn load(state_dir: &Path) -> Option<SoakRecord> {
    let bytes = std::fs::read(path(state_dir)).ok()?;
    match serde_json::from_slice(&bytes) {
        Ok(r) => Some(r),
        Err(e) => {
            eprintln!("earshot-helper: ignoring a damaged {SOAK_FILE}: {e}");
            None
        }
    }
}

pub fn save(state_dir: &Path, record: &SoakRecord) -> Result<(), StateError> {
    let json = serde_json::to_vec(record)
        .map_err(|e| StateError::Corrupt(format!("cannot encode the soak: {e}")))?;
    write_atomic(&path(state_dir), &json, 0o600)
}
