//! What the app shows, read by the helper: on a Mac the audit files
//! (audit_control 0400 root, /var/audit 0700 root) are root's only, so the
//! charts' data, the trail browser, the compliance report and the wizard's next
//! step are computed here and sent as data; the app only renders.
//!
//! Every input is checked before any file is read: windows, baselines and
//! targets are names from fixed lists, a trail page's size, range and user are
//! bounded, and its cursor names a file only by a trail name matched against
//! this helper's own listing (see [`crate::pager`]). Every answer is made to fit
//! one frame.

use std::path::Path;

use earshot_api::{
    ApiError, ErrorCode, NextStepReport, StepToken, TrailPage, TrailQuery, MAX_FRAME_LEN,
};
use earshot_compliance::Report;
use earshot_core::series::{source, ForecastView, RateSeries, RateSpan};
use earshot_core::status::StatusOptions;
use earshot_system::System;
use earshot_tuning::facts::{self, Facts, TuningError};
use earshot_tuning::measure::Store;
use earshot_tuning::plan::{Measurements, Plan, PlanOptions};

use crate::history::state_hash;
use crate::pager::{self, PageError, Source};

/// The Mac the views read: its `System`, its kind for `status::collect`
/// (`"macos"` / `"simulated"`) and the helper's cache folder (trail summaries
/// and per-minute rates, so repeated charts do not rescan closed trails).
#[derive(Clone, Copy)]
pub struct Machine<'a> {
    pub sys: &'a dyn System,
    pub kind: &'static str,
    pub cache_dir: &'a Path,
    /// The trials this helper ran (`measure`), kept so its plans use them.
    pub trials: Option<&'a Path>,
}

impl std::fmt::Debug for Machine<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Machine").field("kind", &self.kind).finish()
    }
}

/// The windows `rate_series` accepts.
pub const WINDOWS: [&str; 2] = ["hour", "day"];

fn invalid(reason: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::InvalidRequest, reason)
}

impl Machine<'_> {
    fn status_opts(&self) -> StatusOptions {
        StatusOptions {
            cache_dir: Some(self.cache_dir.to_path_buf()),
        }
    }

    /// Per-class rates over the last hour or day.
    pub fn rate_series(&self, window: &str) -> Result<RateSeries, ApiError> {
        let span = match window {
            "hour" => RateSpan::Hour,
            "day" => RateSpan::Day,
            other => {
                return Err(invalid(format!(
                    "window {other:?}: use one of {}",
                    WINDOWS.join(", ")
                )))
            }
        };
        let series = source::rate_series(self.sys, span, &self.status_opts())
            .map_err(|e| ApiError::new(ErrorCode::Io, e.to_string()))?;
        fitting(series, "the rate series")
    }

    /// The trail folder's history and forecast.
    pub fn forecast_view(&self) -> Result<ForecastView, ApiError> {
        let view = source::forecast_view(self.sys, self.kind, &self.status_opts())
            .map_err(|e| ApiError::new(ErrorCode::Io, e.to_string()))?;
        fitting(view, "the forecast view")
    }

    /// One page of the trail browser.
    pub fn trail_page(&self, query: &TrailQuery) -> Result<TrailPage, ApiError> {
        let dirs = facts::trail_dirs(self.sys);
        let tables = facts::machine_tables(self.sys);
        let user_id = |name: &str| facts::user_id(self.sys, name);
        let src = Source {
            dirs: &dirs,
            tables: &tables,
            user_id: &user_id,
        };
        pager::page(&src, query).map_err(|e| match e {
            PageError::Read { .. } | PageError::Inventory(_) => {
                ApiError::new(ErrorCode::Io, e.to_string())
            }
            PageError::PageSize(_)
            | PageError::UnknownUser(_)
            | PageError::EmptyRange { .. }
            | PageError::Cursor(_)
            | PageError::Filter(_) => invalid(e.to_string()),
        })
    }

    /// The Mac's tuning facts (its files, health and measured rates).
    pub fn facts(&self) -> Result<Facts, ApiError> {
        facts::observe(self.sys, self.kind, &self.status_opts()).map_err(tuning_error)
    }

    /// The Mac against `baseline`.
    pub fn compliance(&self, baseline: &str) -> Result<Report, ApiError> {
        // Checked before reading anything.
        let b = earshot_compliance::Baseline::parse(baseline)
            .map_err(|_| tuning_error(TuningError::Baseline(baseline.to_string())))?;
        let facts = self.facts()?;
        let report = earshot_compliance::evaluate_tailored(
            b,
            &facts.observed,
            &facts.classes,
            &self.managed().tailoring,
        );
        fitting(report, "the compliance report")
    }

    /// What the organisation's configuration profile forces on this Mac.
    pub fn managed(&self) -> earshot_model::managed::Managed {
        earshot_fleet::managed::read(self.sys)
    }

    /// The planner's options here: the organisation's tailoring.
    fn plan_options(&self) -> PlanOptions {
        PlanOptions {
            tailoring: self.managed().tailoring,
            ..PlanOptions::default()
        }
    }

    /// A soaking step's volume: bytes a day over the trails since `since`
    /// (`None` under an hour), and the room left above minfree on the tightest
    /// trail volume (`None` when unknown).
    pub fn soak_volume(&self, since: u64) -> Result<(Option<f64>, Option<u64>), ApiError> {
        let measured = source::volume_since(self.sys, since, 3600, &self.status_opts())
            .map_err(|e| ApiError::new(ErrorCode::Io, e.to_string()))?
            .bytes_per_day;
        let room = earshot_system::AuditSettings::read(self.sys)
            .ok()
            .flatten()
            .and_then(|s| {
                s.dirs
                    .iter()
                    .filter_map(|d| {
                        earshot_core::headroom::measure(self.sys, d, s.minfree_percent).ok()
                    })
                    .map(|h| h.bytes_above_minfree)
                    .min()
            });
        Ok((measured, room))
    }

    /// The step's volume over its soak, in hourly buckets, for the chart.
    pub fn soak_series(
        &self,
        since: u64,
        predicted: earshot_model::plan::Range,
    ) -> Result<earshot_model::soak::SoakSeries, ApiError> {
        let points = source::volume_since(self.sys, since, 3600, &self.status_opts())
            .map_err(|e| ApiError::new(ErrorCode::Io, e.to_string()))?
            .points;
        Ok(earshot_model::soak::SoakSeries {
            start: since,
            end: earshot_system::unix_secs(self.sys.now()),
            bucket_secs: 3600,
            points,
            predicted,
        })
    }

    /// The ladder's next step toward `target`, planned on the Mac as it is
    /// now, with the hash of the audit_control it was planned on (`None`
    /// when the target is met).
    pub fn plan_step(&self, target: &str) -> Result<Option<(Plan, String)>, ApiError> {
        let target = facts::parse_target(target).map_err(tuning_error)?;
        let facts = self.facts()?;
        let base = state_hash(&facts.observed.audit_control);
        Ok(earshot_tuning::plan::next_step(
            &facts::current(&facts),
            target,
            &self.measurements(&facts),
            &facts.classes,
            &self.plan_options(),
        )
        .map(|p| (p, base)))
    }

    /// What the planner knows of this Mac's costs: the trail's rates, then the
    /// trials this helper ran for class sides the trail cannot show. A damaged
    /// trials file costs only the trials (reported), never the plan.
    pub fn measurements(&self, facts: &Facts) -> Measurements {
        let mut m = facts::measurements(facts);
        if let Some(path) = self.trials {
            match Store::load(path) {
                Ok(store) => store.fill(&mut m),
                Err(e) => eprintln!(
                    "earshot-helper: ignoring the trials in {}: {e}",
                    path.display()
                ),
            }
        }
        m
    }

    /// The ladder's next step toward `target`, with the token that applies
    /// exactly it (`apply_step`).
    pub fn next_step(&self, target: &str) -> Result<NextStepReport, ApiError> {
        let Some((plan, base_hash)) = self.plan_step(target)? else {
            return Ok(NextStepReport {
                plan: None,
                risks: Vec::new(),
                token: None,
            });
        };
        let token = StepToken {
            target: target.to_string(),
            base_hash,
            after_hash: earshot_api::content_hash(plan.after_bytes()),
        };
        let risks = plan.risks.clone();
        let plan = fitting(plan, "the plan")?;
        Ok(NextStepReport {
            plan: Some(plan),
            risks,
            token: Some(token),
        })
    }
}

fn tuning_error(e: TuningError) -> ApiError {
    match e {
        TuningError::Target(_) | TuningError::Baseline(_) => invalid(e.to_string()),
        TuningError::Gather(_) => ApiError::new(ErrorCode::Io, e.to_string()),
    }
}

/// Room left in a frame for a payload once the envelope (`response`, id,
/// `kind`, field name) is around it.
pub const PAYLOAD_LIMIT: usize = MAX_FRAME_LEN - 4096;

/// `value` unless its JSON would not fit one frame (then `internal`: a bound
/// this code should have kept, reported rather than sent as a frame the
/// client must refuse).
fn fitting<T: serde::Serialize>(value: T, what: &str) -> Result<T, ApiError> {
    let len = serde_json::to_vec(&value).map_or(usize::MAX, |v| v.len());
    if len > PAYLOAD_LIMIT {
        return Err(ApiError::new(
            ErrorCode::Internal,
            format!("{what} takes {len} bytes, more than one frame carries ({PAYLOAD_LIMIT})"),
        ));
    }
    Ok(value)
}
