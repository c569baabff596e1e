//! The facts the tuning ladder ([`crate::plan`]) and the compliance check
//! ([`earshot_compliance`]) read from a Mac, gathered one way for every client:
//! the helper (which answers the app's wizard and dashboard) and the CLI's
//! `earshot plan` / `earshot compliance`.
//!
//! Also the small lookups the trail browser needs on the same Mac: its trail
//! folders, its audit tables and its users.

use std::path::{Path, PathBuf};

use audit_control::ClassTable;

use crate::plan::review::Observation;
use crate::plan::{self, Current, Measurements, Plan, PlanOptions, Target};
use earshot_compliance::{gather, Baseline, Observed, Report};
use earshot_core::status::{self, Status, StatusOptions};
use earshot_system as sys_mod;
use earshot_system::System;
use earshot_trail::Tables;

#[derive(Debug, thiserror::Error)]
pub enum TuningError {
    #[error("reading the audit files: {0}")]
    Gather(String),
    #[error("unknown target {0:?}: use `next` or one of {targets}", targets = baseline_names())]
    Target(String),
    #[error("unknown baseline {0:?}: use one of {names}", names = baseline_names())]
    Baseline(String),
}

/// The baseline names [`Baseline::parse`] accepts, for error messages.
pub fn baseline_names() -> String {
    Baseline::NAMES.join(", ")
}

/// Everything the planner and the compliance check read.
#[derive(Debug, Clone)]
pub struct Facts {
    pub observed: Observed,
    pub classes: ClassTable,
    /// Health and rates (`None` when status could not be collected: the
    /// enable rungs are then unknown and the cost model has no measurements).
    pub status: Option<Status>,
    /// `/etc/security/audit_control.example`, when readable.
    pub example: Option<Vec<u8>>,
}

/// The Mac's own audit_class (it may define classes), else Apple's.
pub fn machine_classes(sys: &dyn System) -> ClassTable {
    sys.read_file(Path::new(sys_mod::AUDIT_CLASS))
        .map(|b| ClassTable::parse(&b))
        .unwrap_or_else(|_| ClassTable::apple())
}

/// The Mac's audit_event and audit_class, for naming trail records — read the same
/// way as `earshot status` and the charts, so every screen agrees on class names.
pub fn machine_tables(sys: &dyn System) -> Tables {
    Tables::of_system(sys)
}

/// Real paths of the trail folders audit_control names (`/var/audit` without one).
pub fn trail_dirs(sys: &dyn System) -> Vec<PathBuf> {
    let dirs = sys_mod::AuditSettings::read(sys)
        .ok()
        .flatten()
        .map(|s| s.dirs)
        .unwrap_or_else(|| vec![sys_mod::DEFAULT_TRAIL_DIR.to_string()]);
    dirs.iter()
        .filter_map(|d| sys.resolve(Path::new(d)).ok())
        .collect()
}

/// A user name's uid from the Mac's /etc/passwd (simulated Macs and local
/// accounts; directory-service users are given by number instead).
pub fn user_id(sys: &dyn System, name: &str) -> Option<u32> {
    let passwd = sys.read_file(Path::new("/etc/passwd")).ok()?;
    String::from_utf8_lossy(&passwd).lines().find_map(|l| {
        let mut f = l.split(':');
        (f.next()? == name).then_some(())?;
        f.nth(1)?.parse().ok()
    })
}

/// Reads the facts from `sys`; `kind` is what `status::collect` takes
/// (`"macos"` or `"simulated"`).
pub fn observe(
    sys: &dyn System,
    kind: &'static str,
    opts: &StatusOptions,
) -> Result<Facts, TuningError> {
    let classes = machine_classes(sys);
    let mut observed =
        gather::gather(sys, &classes).map_err(|e| TuningError::Gather(e.to_string()))?;
    // Health gives the service state; without it the enable rungs are unknown.
    let st = status::collect(sys, kind, opts).ok();
    if let Some(st) = &st {
        observed.service = gather::service_from_health(st.health.state);
    }
    let example = sys
        .read_file(Path::new(sys_mod::AUDIT_CONTROL_EXAMPLE))
        .ok();
    Ok(Facts {
        observed,
        classes,
        status: st,
        example,
    })
}

pub fn parse_target(target: &str) -> Result<Target, TuningError> {
    Target::parse(target).map_err(|_| TuningError::Target(target.to_string()))
}

/// What the planner's cost model reads from `facts` (the measured rates).
pub fn measurements(facts: &Facts) -> Measurements {
    match &facts.status {
        Some(st) => {
            crate::measure::from_status(st, facts.observed.audit_control.as_deref(), &facts.classes)
        }
        None => Measurements::default(),
    }
}

/// The planner's view of the file and the service now.
pub fn current(facts: &Facts) -> Current {
    Current {
        audit_control: facts.observed.audit_control.clone(),
        example: facts.example.clone(),
        service: facts.observed.service,
    }
}

/// The ladder's next step toward `target`, or `None` when it is met.
pub fn next_step(facts: &Facts, target: Target, opts: &PlanOptions) -> Option<Plan> {
    plan::next_step(
        &current(facts),
        target,
        &measurements(facts),
        &facts.classes,
        opts,
    )
}

pub fn compliance(facts: &Facts, baseline: &str) -> Result<Report, TuningError> {
    let b = Baseline::parse(baseline).map_err(|_| TuningError::Baseline(baseline.to_string()))?;
    Ok(earshot_compliance::evaluate(
        b,
        &facts.observed,
        &facts.classes,
    ))
}

/// Risk ids of `plan` not in `acks`.
pub fn missing_acks(plan: &Plan, acks: &[String]) -> Vec<String> {
    plan.risks
        .iter()
        .filter(|r| !acks.contains(&r.id))
        .map(|r| r.id.to_string())
        .collect()
}

/// What was measured since a step, for its review: the trail volume a day
/// (`measured`, over the soak, when known; else the last 24 hours), the
/// class rates, the disk, and whether auditing was suspended for space.
pub fn observation(facts: &Facts, now: u64, measured: Option<f64>) -> Observation {
    let m = measurements(facts);
    let day = facts.status.as_ref().and_then(|st| {
        st.rates
            .iter()
            .find(|w| w.span == earshot_model::status::WindowSpan::Day)
    });
    Observation {
        now,
        events_per_day: day.map_or(0.0, |w| w.total.events_per_sec * 86_400.0),
        bytes_per_day: measured
            .unwrap_or_else(|| day.map_or(0.0, |w| w.total.bytes_per_sec * 86_400.0)),
        classes: m.classes.clone(),
        disk: m.disk,
        trail_bytes: m.trail_bytes,
        auditing_suspended: facts.status.as_ref().is_some_and(|st| {
            st.health.state == earshot_model::status::HealthState::StoppedForSpace
        }),
        dropped_records: 0,
    }
}
