//! Gathering compliance facts and measured rates from a simulated Mac, end to end.

use std::time::{Duration, SystemTime};

use audit_control::ClassTable;
use earshot_compliance::{evaluate, gather, Baseline, FileKind, Status};
use earshot_core::status::{collect, StatusOptions};
use earshot_sim::SimulatedMac;
use earshot_sim::{init, AuditingSetup, InitOptions};
use earshot_trail::rates::WindowSpan;
use earshot_tuning::plan::{
    next_step, Current, Measurements, PlanOptions, Source, StepKind, Target,
};

fn sim(auditing: AuditingSetup) -> (tempfile::TempDir, SimulatedMac) {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("mac");
    init(
        &root,
        &InitOptions {
            macos_version: "15.1".into(),
            days: 2.0,
            profile: "laptop".into(),
            seed: 7,
            auditing,
            now: SystemTime::UNIX_EPOCH + Duration::from_secs(1_790_000_000),
            audit_control: None,
        },
    )
    .expect("sim init");
    let mac = SimulatedMac::open(&root).expect("open sim");
    (dir, mac)
}

#[test]
fn a_fresh_macos_15_has_no_audit_control_and_fails_cis_l1() {
    let (_d, mac) = sim(AuditingSetup::AppleDefault);
    let classes = ClassTable::apple();
    let obs = gather::gather(&mac, &classes).unwrap();
    assert!(obs.audit_control.is_none());
    assert!(obs.files.gathered);
    let r = evaluate(Baseline::CisL1, &obs, &classes);
    assert_eq!(
        r.result("audit_auditd_enabled").unwrap().status,
        Status::Fail
    );
    assert_eq!(
        r.result("audit_retention_configure").unwrap().status,
        Status::Fail
    );
    // The planner's first step is enabling auditing, from the Mac's own example.
    let example = std::fs::read(mac.root().join("etc/security/audit_control.example")).ok();
    let plan = next_step(
        &Current {
            audit_control: None,
            example: example.clone(),
            service: obs.service,
        },
        Target::Baseline(Baseline::CisL1),
        &Measurements::default(),
        &classes,
        &PlanOptions::default(),
    )
    .unwrap();
    assert_eq!(plan.step, StepKind::EnableAuditing);
    if let Some(e) = example {
        assert_eq!(plan.after.as_bytes(), e.as_slice());
    }
}

#[test]
fn an_auditing_sim_yields_file_facts_and_measured_rates() {
    let (_d, mac) = sim(AuditingSetup::On);
    let classes = ClassTable::apple();
    let mut obs = gather::gather(&mac, &classes).unwrap();
    assert!(obs.audit_control.is_some());
    let var_audit = &obs.files.dirs["/var/audit"];
    assert_eq!(var_audit.meta.unwrap().kind, FileKind::Dir);
    assert!(var_audit
        .entries
        .iter()
        .any(|e| e.name == "current" && e.meta.kind == FileKind::Symlink));
    assert!(var_audit
        .entries
        .iter()
        .any(|e| e.meta.kind == FileKind::File));

    let st = collect(&mac, "simulated", &StatusOptions { cache_dir: None }).unwrap();
    obs.service = gather::service_from_health(st.health.state);
    let r = evaluate(Baseline::CisL1, &obs, &classes);
    for id in [
        "audit_folder_owner_configure",
        "audit_folders_mode_configure",
        "audit_files_mode_configure",
        "audit_files_owner_configure",
    ] {
        let s = r.result(id).unwrap().status;
        assert!(matches!(s, Status::Pass | Status::Fail), "{id}: {s:?}");
    }
    // ACLs are not visible through the System boundary: unknown, not guessed.
    assert_eq!(
        r.result("audit_acls_folders_configure").unwrap().status,
        Status::Unknown
    );

    // Rates measured from the trails feed the planner, for audited sides only.
    let day = st.rates.iter().find(|w| w.span == WindowSpan::Day).unwrap();
    let view = earshot_compliance::View::read(obs.audit_control.as_deref().unwrap(), &classes);
    let m = Measurements::from_rate_window(day, &view, &classes);
    assert!(!m.classes.is_empty());
    let audited = earshot_tuning::plan::cost::audited_sides(&view, &classes);
    for (class, rates) in &m.classes {
        for (side, rate) in [
            (earshot_tuning::plan::Side::Success, rates.success),
            (earshot_tuning::plan::Side::Failure, rates.failure),
        ] {
            if rate.is_some() {
                assert!(
                    audited.contains(&(class.clone(), side)),
                    "{class} {side:?} is not audited"
                );
            }
        }
    }
    let plan = next_step(
        &Current {
            audit_control: obs.audit_control.clone(),
            example: None,
            service: obs.service,
        },
        Target::Baseline(Baseline::Stig26),
        &m,
        &classes,
        &PlanOptions::default(),
    )
    .unwrap();
    assert!(plan
        .prediction
        .classes
        .iter()
        .filter(|c| !c.added)
        .all(|c| c.source == Source::Measured));
}
