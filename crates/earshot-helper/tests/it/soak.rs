//! The soak as the helper keeps it, in-process over the daemon's own platform
//! on a simulated Mac whose clock the test moves ahead: it survives a restart,
//! an outside edit ends it (or not) and says which, a roll back is never held
//! by it, skipping it is recorded, and a forged tweak token is refused.

use std::path::Path;
use std::time::SystemTime;

use earshot_api::{ChangeTerms, ErrorCode, SoakState, StepToken};
use earshot_helper::fault::Faults;
use earshot_helper::keeper::{Caller, Keeper, Settle};
use earshot_helper::runtime;
use earshot_helper::system::SimHost;
use earshot_sim::{AuditingSetup, InitOptions, SimulatedMac};

fn admin() -> Caller {
    Caller {
        uid: 501,
        user: "admin".into(),
    }
}

fn laptop(root: &Path) {
    earshot_sim::init(
        root,
        &InitOptions {
            macos_version: "15.1".into(),
            days: 2.0,
            profile: "laptop".into(),
            seed: 13,
            auditing: AuditingSetup::On,
            now: SystemTime::now(),
            audit_control: None,
        },
    )
    .unwrap();
}

fn keeper(root: &Path) -> (Keeper, SimHost) {
    let state = root.join("var/db/earshot");
    let (platform, host) = runtime::platform(Some(root), &state).unwrap();
    let k = Keeper::open(platform, runtime::assessor(), &state, Faults::default())
        .unwrap()
        .with_settle(Settle {
            quiet: std::time::Duration::ZERO,
            max: std::time::Duration::ZERO,
        });
    (k, host.expect("the helper hosts the simulated auditd"))
}

/// Moves the simulated clock ahead with auditd writing, then lets the keeper
/// measure (and review, when due) as its beat would.
fn advance(root: &Path, host: &SimHost, k: &Keeper, secs: u64) {
    // This process hosts the daemon: the line goes straight into the control
    // file the host reads (what `earshot sim advance` queues from outside).
    let control = SimulatedMac::open(root).unwrap().control_path();
    std::fs::write(control, format!("advance {secs}\n")).unwrap();
    host.tick().unwrap();
    k.soak_tick().unwrap();
}

fn next(k: &Keeper) -> StepToken {
    k.machine()
        .unwrap()
        .next_step("next")
        .unwrap()
        .token
        .expect("a next step")
}

fn terms(k: &Keeper, reason: &str) -> ChangeTerms {
    ChangeTerms {
        base_hash: k.read_config().unwrap().hash,
        acks: Vec::new(),
        reason: reason.into(),
        confirm_within_secs: None,
    }
}

#[test]
fn a_soak_survives_a_restart_and_holds_the_next_step_until_skipped_knowingly() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    laptop(root);
    let (k, host) = keeper(root);
    let first = k
        .apply_step(&next(&k), &[], None, None, false, &admin())
        .unwrap();
    assert_eq!(first.record.soak_days, 1.0, "a storage step soaks a day");
    let rev = first.applied.revision;
    advance(root, &host, &k, 3 * 3600);
    host.stop();
    drop(k);

    // A restart: the soak is still there, measured, and still holds.
    let (k, host) = keeper(root);
    let s = k.status().unwrap().soak.expect("the soak survived");
    assert_eq!((s.revision, s.state), (rev, SoakState::Soaking));
    assert!(s.measured_bytes_per_day.is_some(), "{s:?}");
    let e = k
        .apply_step(&next(&k), &[], None, None, false, &admin())
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Soaking, "{e}");
    assert!(
        e.reason.contains(&format!("(revision {rev}) is soaking")),
        "{e}"
    );
    assert!(e.reason.contains("so far it writes"), "{e}");

    // Going on anyway is recorded with the step it let through.
    let second = k
        .apply_step(&next(&k), &[], None, None, true, &admin())
        .unwrap();
    let skipped = second.record.skipped_soak.clone().expect("recorded");
    assert_eq!(skipped.revision, rev);
    assert!(
        skipped.days_observed > 0.1 && skipped.days_observed < 1.0,
        "{skipped:?}"
    );
    let steps = k.applied_steps(Some(1)).unwrap();
    assert_eq!(steps[0].record.skipped_soak, Some(skipped));
    let s = k.status().unwrap().soak.unwrap();
    assert_eq!(s.revision, second.applied.revision);
    assert_eq!(s.number, 2, "the second step of the plan");
    host.stop();
}

#[test]
fn an_outside_edit_of_what_is_audited_ends_the_soak_and_a_comment_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    laptop(root);
    let (k, host) = keeper(root);
    let step = k
        .apply_step(&next(&k), &[], None, None, false, &admin())
        .unwrap();
    let control = root.join("etc/security/audit_control");
    let text = std::fs::read_to_string(&control).unwrap();

    // A comment: the audited set is unchanged, the soak runs on.
    std::fs::write(&control, format!("# reviewed by the auditors\n{text}")).unwrap();
    k.check_drift().unwrap().expect("recorded");
    assert_eq!(k.status().unwrap().soak.unwrap().state, SoakState::Soaking);

    // flags changed behind Earshot's back: the soak ends and says which.
    let edited = text.replace("flags:lo,aa\n", "flags:lo,aa,ex\n");
    assert_ne!(edited, text);
    std::fs::write(&control, edited).unwrap();
    let outside = k.check_drift().unwrap().expect("recorded");
    let s = k.status().unwrap().soak.unwrap();
    assert_eq!(s.state, SoakState::Ended);
    assert_eq!(
        s.ended_by.as_deref(),
        Some(
            format!(
                "an outside edit (revision {}) changed what is audited",
                outside.number
            )
            .as_str()
        )
    );
    assert!(s.summary.contains("soak ended"), "{}", s.summary);
    // An ended soak holds nothing.
    assert!(step.applied.revision < outside.number);
    k.apply_step(&next(&k), &[], None, None, false, &admin())
        .unwrap();
    host.stop();
}

#[test]
fn a_roll_back_is_never_held_by_a_soak_and_ends_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    laptop(root);
    let (k, host) = keeper(root);
    let step = k
        .apply_step(&next(&k), &[], None, None, false, &admin())
        .unwrap();
    // While it soaks (the next step would be refused), the roll back goes through.
    let before = step.applied.revision - 1;
    let back = k.rollback(before, &terms(&k, "not now"), &admin()).unwrap();
    // Even a step that left the audited set alone (retention) is gone once
    // its revision is rolled back: its soak ends, saying so.
    assert!(back.revision > step.applied.revision);
    let s = k.status().unwrap().soak.unwrap();
    assert_eq!(s.state, SoakState::Ended, "{s:?}");
    assert_eq!(
        s.ended_by.as_deref(),
        Some(
            format!(
                "rolled back to revision {before} (now revision {})",
                back.revision
            )
            .as_str()
        )
    );
    host.stop();
}

#[test]
fn forged_tweak_tokens_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    laptop(root);
    let (k, host) = keeper(root);
    k.apply_step(&next(&k), &[], None, None, false, &admin())
        .unwrap();
    let base = k.read_config().unwrap().hash;
    // No review offers a tweak while the step costs what was predicted.
    let review = k.review_step().unwrap();
    assert!(review.tweaks.is_empty(), "{:?}", review.tweaks);
    for id in ["retention", "drop:aa", "drop:../../etc/passwd", ""] {
        let token = StepToken {
            target: format!("tweak:{id}"),
            base_hash: base.clone(),
            after_hash: "0".repeat(64),
        };
        let e = k
            .apply_step(&token, &[], None, None, false, &admin())
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidRequest, "{id}: {e}");
    }
    // A made-up ladder target is refused the same way.
    let token = StepToken {
        target: "everything".into(),
        base_hash: base,
        after_hash: "0".repeat(64),
    };
    let e = k
        .apply_step(&token, &[], None, None, true, &admin())
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidRequest, "{e}");
    host.stop();
}
