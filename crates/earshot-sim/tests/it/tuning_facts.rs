//! The tuning facts of a simulated Mac: what `earshot_tuning::facts` reads off
//! it, and the ladder and compliance it feeds (moved here from the tuning
//! crate's unit tests: they need a simulated Mac).

use std::path::Path;

use earshot_compliance::Observed;
use earshot_core::status::StatusOptions;
use earshot_sim::{init, AuditingSetup, InitOptions, SimulatedMac};
use earshot_tuning::facts::{
    compliance, missing_acks, next_step, observe, parse_target, user_id, Facts, TuningError,
};
use earshot_tuning::plan::{PlanOptions, Target};

use std::time::{Duration, UNIX_EPOCH};

fn mac(dir: &Path) -> SimulatedMac {
    init(
        dir,
        &InitOptions {
            macos_version: "15.1".into(),
            days: 0.2,
            profile: "laptop".into(),
            seed: 1,
            auditing: AuditingSetup::On,
            now: UNIX_EPOCH + Duration::from_secs(1_780_000_000),
            audit_control: None,
        },
    )
    .unwrap();
    SimulatedMac::open(dir).unwrap()
}

fn no_cache() -> StatusOptions {
    StatusOptions { cache_dir: None }
}

#[test]
fn the_next_ladder_ends_and_adds_ad_on_the_way() {
    let tmp = tempfile::tempdir().unwrap();
    let sys = mac(tmp.path());
    let facts = observe(&sys, "simulated", &no_cache()).unwrap();
    let on_disk = std::fs::read(tmp.path().join("etc/security/audit_control")).unwrap();
    assert_eq!(facts.observed.audit_control.as_deref(), Some(&on_disk[..]));
    // Walk the ladder in memory; it ends, and `ad` is among the flags on the way.
    let mut bytes = on_disk;
    let mut saw_ad = false;
    let mut ended = false;
    for _ in 0..40 {
        let f = Facts {
            observed: Observed {
                audit_control: Some(bytes.clone()),
                ..facts.observed.clone()
            },
            status: None,
            example: None,
            ..facts.clone()
        };
        let Some(p) = next_step(&f, Target::Next, &PlanOptions::default()) else {
            ended = true;
            break;
        };
        assert_ne!(p.after_bytes(), &bytes[..], "a step changes the file");
        bytes = p.after_bytes().to_vec();
        saw_ad |= String::from_utf8_lossy(&bytes)
            .lines()
            .any(|l| l.starts_with("flags:") && l.split([':', ',']).any(|w| w == "ad"));
    }
    assert!(ended, "the ladder ends");
    assert!(saw_ad, "the `next` ladder adds ad");
}

#[test]
fn acknowledging_every_risk_leaves_none_missing() {
    let tmp = tempfile::tempdir().unwrap();
    let facts = observe(&mac(tmp.path()), "simulated", &no_cache()).unwrap();
    let p = next_step(&facts, Target::Next, &PlanOptions::default()).expect("a step");
    let all: Vec<String> = p.risks.iter().map(|r| r.id.to_string()).collect();
    assert!(missing_acks(&p, &all).is_empty());
    assert_eq!(missing_acks(&p, &[]), all);
}

#[test]
fn unknown_targets_and_baselines_are_errors_naming_the_valid_ones() {
    let e = parse_target("everything").unwrap_err();
    assert!(e.to_string().contains("cis-l1"), "{e}");
    let tmp = tempfile::tempdir().unwrap();
    let facts = observe(&mac(tmp.path()), "simulated", &no_cache()).unwrap();
    let e = compliance(&facts, "nope").unwrap_err();
    assert!(matches!(e, TuningError::Baseline(_)));
    assert!(e.to_string().contains("stig"), "{e}");
    let r = compliance(&facts, "cis-lvl1").unwrap();
    assert!(serde_json::to_value(&r).unwrap().is_object());
}

#[test]
fn users_resolve_from_the_macs_passwd() {
    let tmp = tempfile::tempdir().unwrap();
    let sys = mac(tmp.path());
    assert_eq!(user_id(&sys, "alice"), None, "no passwd: no names");
    std::fs::write(
        tmp.path().join("etc/passwd"),
        "# comment\nroot:*:0:0:System Administrator:/var/root:/bin/sh\nalice:*:501:20:Alice:/Users/alice:/bin/zsh\n",
    )
    .unwrap();
    assert_eq!(user_id(&sys, "alice"), Some(501));
    assert_eq!(user_id(&sys, "root"), Some(0));
    assert_eq!(user_id(&sys, "ali"), None);
}
