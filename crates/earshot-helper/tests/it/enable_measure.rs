//! Enabling auditing on a simulated macOS 15 (off by default, like Apple ships
//! it) through the keeper, and trial measurements through it: in-process, over
//! the same platform the daemon uses.

use std::path::Path;
use std::sync::Arc;
use std::time::SystemTime;

use earshot_api::{ChangeTerms, ErrorCode, HealthLevel};
use earshot_helper::fault::Faults;
use earshot_helper::keeper::{Caller, Keeper};
use earshot_helper::runtime;
use earshot_helper::system::SimHost;
use earshot_sim::{AuditingSetup, InitOptions};
use earshot_tuning::plan::StepKind;

fn admin() -> Caller {
    Caller {
        uid: 501,
        user: "admin".into(),
    }
}

fn sonoma_and_later(root: &Path, on: bool) {
    earshot_sim::init(
        root,
        &InitOptions {
            macos_version: "15.1".into(),
            days: if on { 0.5 } else { 0.0 },
            profile: "laptop".into(),
            seed: 15,
            auditing: if on {
                AuditingSetup::On
            } else {
                AuditingSetup::AppleDefault
            },
            now: SystemTime::now(),
            audit_control: None,
        },
    )
    .unwrap();
}

fn keeper(root: &Path) -> (Keeper, Option<SimHost>) {
    let state = root.join("var/db/earshot");
    let (platform, host) = runtime::platform(Some(root), &state).unwrap();
    let k = Keeper::open(platform, runtime::assessor(), &state, Faults::default()).unwrap();
    (k, host)
}

#[test]
fn enable_auditing_on_macos_15_creates_the_file_starts_auditd_and_can_be_undone() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    sonoma_and_later(root, false);
    let (k, host) = keeper(root);
    let host = host.expect("the helper hosts the simulated auditd");
    let before = k.status().unwrap();
    assert_eq!(before.level, HealthLevel::Off, "{before:?}");
    assert!(!k.read_config().unwrap().exists);

    let report = k.enable_auditing(&admin()).unwrap();
    let created = report.created_revision.expect("audit_control was created");
    assert_eq!(created, 2, "revision 1 is the original: no file");
    let joined = report.steps.join("\n");
    for step in [
        "created /etc/security/audit_control from /etc/security/audit_control.example",
        "/bin/launchctl enable system/com.apple.auditd",
        "/bin/launchctl bootstrap system /System/Library/LaunchDaemons/com.apple.auditd.plist",
        "/usr/sbin/audit -i",
    ] {
        assert!(joined.contains(step), "missing {step:?} in\n{joined}");
    }
    assert!(report.auditing);
    assert!(report.relogin_needed);
    assert!(report.notes.iter().any(|n| n.contains("No reboot")));
    // The file is the example, byte for byte, with the mode CIS wants.
    let example = std::fs::read(root.join("etc/security/audit_control.example")).unwrap();
    let control = root.join("etc/security/audit_control");
    assert_eq!(std::fs::read(&control).unwrap(), example);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&control).unwrap().permissions().mode() & 0o7777,
        0o440
    );
    // Health read back: auditing and writing.
    host.tick().unwrap();
    let finding = &report.findings[0];
    assert_eq!(finding.code, "auditing", "{finding:?}");
    assert_eq!(finding.level, HealthLevel::Ok);
    assert_eq!(k.status().unwrap().level, HealthLevel::Ok);
    assert!(std::fs::read_link(root.join("var/audit/current")).is_ok());

    // Enabling again changes nothing and runs nothing twice.
    let again = k.enable_auditing(&admin()).unwrap();
    assert_eq!(again.created_revision, None);
    assert!(
        again.steps.iter().all(|s| !s.contains("bootstrap")),
        "{:?}",
        again.steps
    );

    // Rolling back to the revision before removes the file again.
    let terms = ChangeTerms {
        base_hash: k.read_config().unwrap().hash,
        acks: Vec::new(),
        reason: "undo enable".into(),
        confirm_within_secs: None,
    };
    k.rollback(created - 1, &terms, &admin()).unwrap();
    assert!(!control.exists());
    assert!(!k.read_config().unwrap().exists);
    host.stop();
}

#[test]
fn a_trial_measures_without_touching_the_config_or_the_trails() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    sonoma_and_later(root, true);
    let (k, host) = keeper(root);
    let host = host.unwrap();
    host.tick().unwrap();
    let config = k.read_config().unwrap();
    let trails = |r: &Path| {
        let mut v: Vec<_> = std::fs::read_dir(r.join("var/audit"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        v.sort();
        v
    };
    let before = trails(root);

    let m = k.measure("ad,-fr", "", 600).unwrap();
    assert_eq!(m.method, "simulator");
    assert_eq!(m.duration_secs, 600);
    let fr = m.classes.iter().find(|c| c.class == "fr").unwrap();
    assert!(fr.success.is_none(), "only failures were asked for");
    let f = fr.failure.unwrap();
    // The laptop profile: ~8 800 failed reads an hour by the logged-in user.
    assert!(f.events > 500 && f.events < 3000, "{f:?}");
    assert!(f.bytes > f.events * 60);
    assert!(m
        .classes
        .iter()
        .any(|c| c.class == "ad" && c.success.is_some()));

    assert_eq!(k.read_config().unwrap(), config, "audit_control untouched");
    assert_eq!(trails(root), before, "no trail written or rotated");

    for (flags, secs) in [("ad", 3601), ("ad", 0), ("zz", 60), ("", 60)] {
        let e = k.measure(flags, "", secs).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidRequest, "{flags} {secs}: {e}");
    }
    host.stop();
}

#[test]
fn a_trial_with_auditing_off_is_unsupported_not_an_empty_answer() {
    let dir = tempfile::tempdir().unwrap();
    sonoma_and_later(dir.path(), false);
    let (k, host) = keeper(dir.path());
    let e = k.measure("-fr", "", 60).unwrap_err();
    assert_eq!(e.code, ErrorCode::Unsupported);
    assert!(e.reason.contains("auditing is off"), "{e}");
    drop(Arc::new(()));
    if let Some(h) = host {
        h.stop();
    }
}

/// A tuning step is one action of the helper: it applies exactly the step the
/// user reviewed, or refuses; its prediction is part of the revision it made.
#[test]
fn a_step_applies_as_reviewed_with_its_record_in_the_revision() {
    let dir = tempfile::tempdir().unwrap();
    sonoma_and_later(dir.path(), false);
    let (k, host) = keeper(dir.path());
    assert!(k.applied_steps(None).unwrap().is_empty());
    let next = || k.machine().unwrap().next_step("next").unwrap();

    // Step 1 on a Mac as Apple ships it: turn auditing on.
    let first = next();
    let token = first.token.clone().expect("a step");
    assert_eq!(first.plan.as_ref().unwrap().step, StepKind::EnableAuditing);
    let done = k
        .apply_step(&token, &[], None, None, false, &admin())
        .unwrap();
    let enabled = done.enabled.expect("the step turned auditing on");
    assert!(enabled.auditing);
    assert_eq!(Some(done.applied.revision), enabled.created_revision);
    // Applying the same token again is refused: the file is not the one it was planned on.
    let again = k
        .apply_step(&token, &[], None, None, false, &admin())
        .unwrap_err();
    assert_eq!(again.code, ErrorCode::BaseChanged, "{again}");

    // Step 2 waits for step 1's soak: refused with `soaking`, saying what is
    // left, until the user skips the soak (recorded with step 2).
    let second = next();
    let token = second.token.clone().expect("a second step");
    let risks: Vec<String> = second.risks.iter().map(|r| r.id.clone()).collect();
    let e = k
        .apply_step(&token, &risks, None, None, false, &admin())
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Soaking, "{e}");
    assert!(
        e.reason.contains("left") && e.reason.contains("skip_soak"),
        "{e}"
    );
    // Step 2 needs its risks acknowledged, by the ids the plan named.
    if !risks.is_empty() {
        let e = k
            .apply_step(&token, &[], None, None, true, &admin())
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::AckRequired);
        let missing: Vec<String> = e.missing_acks.iter().map(|r| r.id.clone()).collect();
        assert_eq!(missing, risks);
    }
    // A token for another step (a forged after-hash) is refused.
    let mut forged = token.clone();
    forged.after_hash = "0".repeat(64);
    assert_eq!(
        k.apply_step(&forged, &risks, None, None, true, &admin())
            .unwrap_err()
            .code,
        ErrorCode::BaseChanged
    );
    let applied = k
        .apply_step(&token, &risks, None, None, true, &admin())
        .unwrap();
    let skipped = applied
        .record
        .skipped_soak
        .clone()
        .expect("the skipped soak is recorded");
    assert_eq!(skipped.revision, done.applied.revision);
    let after = std::fs::read(dir.path().join("etc/security/audit_control")).unwrap();
    assert_eq!(
        earshot_api::content_hash(&after),
        token.after_hash,
        "the file is the step the user reviewed"
    );
    assert_eq!(applied.record.title, second.plan.as_ref().unwrap().title);

    // Both steps are listed newest first, each with the revision it made.
    let steps = k.applied_steps(Some(5)).unwrap();
    let revisions: Vec<u64> = steps.iter().map(|s| s.revision).collect();
    assert_eq!(
        revisions,
        vec![applied.applied.revision, done.applied.revision]
    );
    assert_eq!(steps[0].record, applied.record);
    // The history still verifies with the step records in it.
    let h = k.history(None).unwrap();
    assert!(h.chain_intact, "{:?}", h.chain_problem);
    if let Some(h) = host {
        h.stop();
    }
}
