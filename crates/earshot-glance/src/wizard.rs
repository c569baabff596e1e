//! The wizard's and dashboard's view of the Mac: the facts the tuning ladder
//! (earshot_core::plan) and the compliance check (earshot_core::baseline) read,
//! gathered the way `earshot plan` / `earshot compliance` gather them, and what
//! an applied step turns into for the helper.

use std::path::{Path, PathBuf};

use audit_control::ClassTable;
use earshot_core::baseline::{self, gather, Baseline, Observed, Report};
use earshot_core::plan::{self, Current, Measurements, Plan, PlanOptions, StepKind, Target};
use earshot_core::status::{self, Status, StatusOptions};
use earshot_core::system::{self as sys_mod, MacOs, SimulatedMac, System};
use earshot_core::trail::Tables;

#[derive(Debug, thiserror::Error)]
pub enum WizardError {
    #[error("cannot open the simulated Mac {path}: {reason}")]
    Open { path: PathBuf, reason: String },
    #[error("reading the audit files: {0}")]
    Gather(String),
    #[error("unknown target {0:?} (use `next` or a baseline name such as cis-lvl1, 800-53r5_moderate, stig)")]
    Target(String),
    #[error("the planned audit_control is not UTF-8 text")]
    NotText,
    #[error("the plan read no audit_control; plan again")]
    NoFile,
}

/// The Mac the app looks at: a simulated one under `root`, else this one.
pub fn open_system(root: Option<&Path>) -> Result<Box<dyn System>, WizardError> {
    match root {
        Some(r) => SimulatedMac::open(r)
            .map(|m| Box::new(m) as Box<dyn System>)
            .map_err(|e| WizardError::Open {
                path: r.to_path_buf(),
                reason: e.to_string(),
            }),
        None => Ok(Box::new(MacOs::new())),
    }
}

/// Everything the planner and the compliance check read.
pub struct Facts {
    pub observed: Observed,
    pub classes: ClassTable,
    pub status: Option<Status>,
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

pub fn observe(sys: &dyn System, kind: &'static str) -> Result<Facts, WizardError> {
    let classes = machine_classes(sys);
    let mut observed =
        gather::gather(sys, &classes).map_err(|e| WizardError::Gather(e.to_string()))?;
    // Health gives the service state; without it the enable rungs are unknown.
    let st = status::collect(sys, kind, &StatusOptions { cache_dir: None }).ok();
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

pub fn parse_target(target: &str) -> Result<Target, WizardError> {
    Target::parse(target).map_err(|_| WizardError::Target(target.to_string()))
}

/// The ladder's next step toward `target`, or `None` when it is met.
pub fn next_step(facts: &Facts, target: Target) -> Option<Plan> {
    let m = match &facts.status {
        Some(st) => earshot_core::measure::from_status(
            st,
            facts.observed.audit_control.as_deref(),
            &facts.classes,
        ),
        None => Measurements::default(),
    };
    let current = Current {
        audit_control: facts.observed.audit_control.clone(),
        example: facts.example.clone(),
        service: facts.observed.service,
    };
    plan::next_step(
        &current,
        target,
        &m,
        &facts.classes,
        &PlanOptions::default(),
    )
}

pub fn compliance(facts: &Facts, baseline: &str) -> Result<Report, WizardError> {
    let b = Baseline::parse(baseline).map_err(|_| WizardError::Target(baseline.to_string()))?;
    Ok(baseline::evaluate(b, &facts.observed, &facts.classes))
}

/// Risk ids of `plan` not in `acks`.
pub fn missing_acks(plan: &Plan, acks: &[String]) -> Vec<String> {
    plan.risks
        .iter()
        .filter(|r| !acks.iter().any(|a| a == r.id))
        .map(|r| r.id.to_string())
        .collect()
}

/// What applying a step asks of the helper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepAction {
    /// Turn auditing on (create audit_control from the example, launchd, `audit -i`).
    /// `read_hash` is the hash of the file the plan read (`None`: no file), to
    /// refuse if it changed meanwhile.
    EnableAuditing { read_hash: Option<String> },
    /// Write `text`, based on the file whose hash is `base_hash`.
    Write { text: String, base_hash: String },
}

pub fn action(plan: &Plan, facts: &Facts) -> Result<StepAction, WizardError> {
    let read = facts.observed.audit_control.as_deref();
    if matches!(plan.step, StepKind::EnableAuditing | StepKind::StartAuditd) {
        return Ok(StepAction::EnableAuditing {
            read_hash: read.map(earshot_api::content_hash),
        });
    }
    let read = read.ok_or(WizardError::NoFile)?;
    let text = String::from_utf8(plan.after_bytes().to_vec()).map_err(|_| WizardError::NotText)?;
    Ok(StepAction::Write {
        text,
        base_hash: earshot_api::content_hash(read),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use earshot_core::sim::{init, AuditingSetup, InitOptions};
    use std::time::{Duration, UNIX_EPOCH};

    fn mac(dir: &Path, audit_control: Option<&str>) -> Box<dyn System> {
        init(
            dir,
            &InitOptions {
                macos_version: "15.1".into(),
                days: 0.2,
                profile: "laptop".into(),
                seed: 1,
                auditing: AuditingSetup::On,
                now: UNIX_EPOCH + Duration::from_secs(1_780_000_000),
                audit_control: audit_control.map(str::to_string),
            },
        )
        .unwrap();
        open_system(Some(dir)).unwrap()
    }

    #[test]
    fn ladder_reaches_ad_and_the_write_is_based_on_the_file_read() {
        let tmp = tempfile::tempdir().unwrap();
        let sys = mac(tmp.path(), None);
        let facts = observe(sys.as_ref(), "simulated").unwrap();
        let target = parse_target("next").unwrap();
        let p = next_step(&facts, target).expect("the default file is not at `next` yet");
        let StepAction::Write { text, base_hash } = action(&p, &facts).unwrap() else {
            panic!("auditing is on: a write, not an enable");
        };
        let on_disk = std::fs::read(tmp.path().join("etc/security/audit_control")).unwrap();
        assert_eq!(base_hash, earshot_api::content_hash(&on_disk));
        assert_ne!(text.as_bytes(), &on_disk[..], "a step changes the file");
        assert_eq!(
            missing_acks(
                &p,
                &p.risks.iter().map(|r| r.id.to_string()).collect::<Vec<_>>()
            ),
            Vec::<String>::new()
        );
    }

    #[test]
    fn the_next_ladder_ends_and_adds_ad_on_the_way() {
        let tmp = tempfile::tempdir().unwrap();
        let sys = mac(tmp.path(), None);
        let facts = observe(sys.as_ref(), "simulated").unwrap();
        // Walk the ladder in memory; it ends, and `ad` is among the flags on the way.
        let mut bytes = facts.observed.audit_control.clone().unwrap();
        let mut saw_ad = false;
        for _ in 0..40 {
            let f = Facts {
                observed: Observed {
                    audit_control: Some(bytes.clone()),
                    ..facts.observed.clone()
                },
                classes: facts.classes.clone(),
                status: None,
                example: None,
            };
            let Some(p) = next_step(&f, Target::Next) else {
                break;
            };
            bytes = p.after_bytes().to_vec();
            saw_ad |= String::from_utf8_lossy(&bytes)
                .lines()
                .any(|l| l.starts_with("flags:") && l.split([':', ',']).any(|w| w == "ad"));
        }
        assert!(saw_ad, "the `next` ladder adds ad");
    }

    #[test]
    fn unknown_targets_and_baselines_are_errors() {
        assert!(matches!(
            parse_target("everything"),
            Err(WizardError::Target(_))
        ));
        let tmp = tempfile::tempdir().unwrap();
        let sys = mac(tmp.path(), None);
        let facts = observe(sys.as_ref(), "simulated").unwrap();
        assert!(compliance(&facts, "nope").is_err());
        let r = compliance(&facts, "cis-lvl1").unwrap();
        assert!(serde_json::to_value(&r).unwrap().is_object());
    }
}
