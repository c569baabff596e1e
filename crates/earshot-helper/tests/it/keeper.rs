//! The apply pipeline, history, rollback, drift and auto-revert, in-process.

use crate::common;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use common::*;
use earshot_api::{content_hash, ChangeTerms, Confirmation, ErrorCode, Event, RevisionSource};
use earshot_helper::fault::Fault;
use earshot_helper::keeper::{Caller, Keeper};
use earshot_helper::platform::AuditOp;

struct Mac {
    dir: tempfile::TempDir,
    clock: Arc<AtomicU64>,
}

impl Mac {
    fn new() -> Mac {
        let dir = tempfile::tempdir().unwrap();
        mac_folder(dir.path(), ORIGINAL);
        Mac {
            dir,
            clock: Arc::new(AtomicU64::new(1_800_000_000)),
        }
    }
    fn control(&self) -> std::path::PathBuf {
        self.dir.path().join("etc/security/audit_control")
    }
    fn bytes(&self) -> Vec<u8> {
        std::fs::read(self.control()).unwrap()
    }
    fn open(&self) -> (Arc<Keeper>, Arc<earshot_helper::folder::FolderPlatform>) {
        open_keeper(self.dir.path(), self.clock.clone())
    }
}

fn alice() -> Caller {
    Caller {
        uid: 501,
        user: "alice".into(),
    }
}

fn terms(base: &[u8]) -> ChangeTerms {
    ChangeTerms {
        base_hash: content_hash(base),
        acks: vec![],
        reason: "test".into(),
        confirm_within_secs: None,
    }
}

fn with_flags(flags: &str) -> String {
    ORIGINAL.replace("flags:lo,aa\nminfree", &format!("flags:{flags}\nminfree"))
}

#[test]
fn apply_replaces_the_file_keeping_owner_and_mode_and_records_a_revision() {
    let mac = Mac::new();
    std::fs::set_permissions(mac.control(), std::fs::Permissions::from_mode(0o440)).unwrap();
    let is_root = my_uid() == 0;
    if is_root {
        std::os::unix::fs::chown(mac.control(), Some(1234), Some(5678)).unwrap();
    }
    let (keeper, platform) = mac.open();
    let new = with_flags("lo,aa,ad");
    let report = keeper
        .apply(&new, &terms(ORIGINAL.as_bytes()), &alice())
        .unwrap();
    assert_eq!(report.revision, 2);
    assert!(!report.unchanged);
    assert_eq!(mac.bytes(), new.as_bytes());
    let meta = std::fs::metadata(mac.control()).unwrap();
    assert_eq!(meta.mode() & 0o7777, 0o440, "mode kept");
    if is_root {
        assert_eq!((meta.uid(), meta.gid()), (1234, 5678), "owner kept");
    }
    assert_eq!(platform.ops(), vec![AuditOp::Sync], "reloaded once");
    let h = keeper.history(None).unwrap();
    assert!(h.chain_intact);
    assert_eq!(h.revisions.len(), 2);
    assert_eq!(h.revisions[0].source, RevisionSource::Apply);
    assert_eq!(h.revisions[0].user, "alice");
    assert_eq!(h.revisions[0].hash, content_hash(new.as_bytes()));
    assert_eq!(h.revisions[1].source, RevisionSource::Original);
    // No temp file left next to audit_control.
    let names: Vec<_> = std::fs::read_dir(mac.control().parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec!["audit_control"]);
}

#[test]
fn a_stale_base_is_refused_and_the_outside_edit_is_kept_as_a_revision() {
    let mac = Mac::new();
    let (keeper, _) = mac.open();
    let outside = with_flags("lo,aa,ex");
    std::fs::write(mac.control(), &outside).unwrap();
    let err = keeper
        .apply(&with_flags("lo"), &terms(ORIGINAL.as_bytes()), &alice())
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::BaseChanged);
    assert_eq!(mac.bytes(), outside.as_bytes(), "nothing lost");
    let h = keeper.history(None).unwrap();
    assert_eq!(h.revisions[0].source, RevisionSource::External);
    assert_eq!(
        keeper.revision_bytes(h.revisions[0].number).unwrap(),
        outside.as_bytes()
    );
}

#[test]
fn validation_errors_block_and_leave_the_file_alone() {
    let mac = Mac::new();
    let (keeper, platform) = mac.open();
    let err = keeper
        .apply(
            &format!("{ORIGINAL}bogus\n"),
            &terms(ORIGINAL.as_bytes()),
            &alice(),
        )
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Validation);
    assert_eq!(err.diagnostics.len(), 1);
    assert_eq!(err.diagnostics[0].line, 9);
    assert_eq!(mac.bytes(), ORIGINAL.as_bytes());
    assert!(platform.ops().is_empty());
}

#[test]
fn risky_changes_need_a_named_acknowledgement() {
    let mac = Mac::new();
    let (keeper, _) = mac.open();
    let risky = ORIGINAL.replace("policy:cnt,argv", "policy:ahlt,argv");
    let err = keeper
        .apply(&risky, &terms(ORIGINAL.as_bytes()), &alice())
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::AckRequired);
    let mut ids: Vec<_> = err.missing_acks.iter().map(|r| r.id.as_str()).collect();
    ids.sort();
    assert_eq!(ids, ["add-ahlt", "drop-cnt"]);

    let mut t = terms(ORIGINAL.as_bytes());
    t.acks = vec!["add-ahlt".into()];
    let err = keeper.apply(&risky, &t, &alice()).unwrap_err();
    assert_eq!(
        err.code,
        ErrorCode::AckRequired,
        "every risk needs its own ack"
    );
    assert_eq!(err.missing_acks.len(), 1);
    assert_eq!(mac.bytes(), ORIGINAL.as_bytes());

    t.acks.push("drop-cnt".into());
    let report = keeper.apply(&risky, &t, &alice()).unwrap();
    assert_eq!(mac.bytes(), risky.as_bytes());
    let h = keeper.history(Some(1)).unwrap();
    assert_eq!(h.revisions[0].number, report.revision);
    assert_eq!(h.revisions[0].acks, ["add-ahlt", "drop-cnt"]);
}

#[test]
fn plan_changes_nothing() {
    let mac = Mac::new();
    let (keeper, platform) = mac.open();
    let plan = keeper.plan(&format!("{ORIGINAL}bogus\n")).unwrap();
    assert!(!plan.valid);
    assert_eq!(plan.base_hash, content_hash(ORIGINAL.as_bytes()));
    assert_eq!(mac.bytes(), ORIGINAL.as_bytes());
    assert!(platform.ops().is_empty());
    assert_eq!(keeper.history(None).unwrap().revisions.len(), 1);
}

#[test]
fn rollback_applies_an_old_revision_through_the_pipeline() {
    let mac = Mac::new();
    let (keeper, platform) = mac.open();
    let a = with_flags("lo,aa,ad");
    keeper
        .apply(&a, &terms(ORIGINAL.as_bytes()), &alice())
        .unwrap();
    let b = with_flags("lo,aa,ad,fr");
    keeper.apply(&b, &terms(a.as_bytes()), &alice()).unwrap();

    let err = keeper
        .rollback(1, &terms(a.as_bytes()), &alice())
        .unwrap_err();
    assert_eq!(
        err.code,
        ErrorCode::BaseChanged,
        "rollback checks the base too"
    );
    let err = keeper
        .rollback(99, &terms(b.as_bytes()), &alice())
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);

    let report = keeper.rollback(1, &terms(b.as_bytes()), &alice()).unwrap();
    assert_eq!(report.revision, 4);
    assert_eq!(mac.bytes(), ORIGINAL.as_bytes());
    let h = keeper.history(None).unwrap();
    assert_eq!(h.revisions[0].source, RevisionSource::Rollback);
    assert!(h.chain_intact);
    assert_eq!(platform.ops().len(), 3, "every step reloaded");
}

#[test]
fn an_unconfirmed_change_reverts_at_its_deadline_and_a_confirmed_one_stays() {
    let mac = Mac::new();
    let (keeper, _) = mac.open();
    let a = with_flags("lo,aa,ad");
    let mut t = terms(ORIGINAL.as_bytes());
    t.confirm_within_secs = Some(60);
    let report = keeper.apply(&a, &t, &alice()).unwrap();
    let pending = report.pending.expect("pending");
    assert_eq!(pending.deadline_unix, 1_800_000_060);
    assert_eq!(keeper.status().unwrap().pending, Some(pending.clone()));

    mac.clock.store(1_800_000_059, Ordering::SeqCst);
    assert!(keeper.revert_if_due().unwrap().is_none(), "not yet");
    mac.clock.store(1_800_000_060, Ordering::SeqCst);
    let reverted = keeper.revert_if_due().unwrap().expect("reverted");
    assert_eq!(mac.bytes(), ORIGINAL.as_bytes());
    let h = keeper.history(None).unwrap();
    assert_eq!(h.revisions[0].number, reverted.revision);
    assert_eq!(h.revisions[0].source, RevisionSource::AutoRevert);
    assert_eq!(h.revisions[1].confirmation, Some(Confirmation::Reverted));
    assert_eq!(keeper.status().unwrap().pending, None);
    assert_eq!(keeper.confirm(None).unwrap_err().code, ErrorCode::NotFound);

    // Confirmed in time: stays.
    let mut t = terms(ORIGINAL.as_bytes());
    t.confirm_within_secs = Some(60);
    let report = keeper.apply(&a, &t, &alice()).unwrap();
    assert_eq!(
        keeper.confirm(Some(report.revision)).unwrap(),
        report.revision
    );
    mac.clock.store(1_900_000_000, Ordering::SeqCst);
    assert!(keeper.revert_if_due().unwrap().is_none());
    assert_eq!(mac.bytes(), a.as_bytes());
    let h = keeper.history(Some(1)).unwrap();
    assert_eq!(h.revisions[0].confirmation, Some(Confirmation::Confirmed));
}

#[test]
fn auto_revert_survives_a_helper_restart() {
    let mac = Mac::new();
    {
        let (keeper, _) = mac.open();
        let mut t = terms(ORIGINAL.as_bytes());
        t.confirm_within_secs = Some(30);
        keeper.apply(&with_flags("lo,aa,ad"), &t, &alice()).unwrap();
    }
    // The helper is gone; time passes; it starts again.
    mac.clock.store(1_800_000_031, Ordering::SeqCst);
    let (keeper, _) = mac.open();
    assert!(
        keeper.pending_deadline().is_some(),
        "pending survived the restart"
    );
    keeper
        .revert_if_due()
        .unwrap()
        .expect("reverts after restart");
    assert_eq!(mac.bytes(), ORIGINAL.as_bytes());
}

#[test]
fn history_keeps_well_over_a_hundred_revisions_and_the_original() {
    let mac = Mac::new();
    let (keeper, _) = mac.open();
    let mut base = ORIGINAL.to_string();
    for i in 0..120 {
        let next = format!("{ORIGINAL}# change {i}\n");
        keeper
            .apply(&next, &terms(base.as_bytes()), &alice())
            .unwrap();
        base = next;
    }
    let h = keeper.history(Some(200)).unwrap();
    assert!(h.chain_intact, "{:?}", h.chain_problem);
    assert_eq!(h.revisions.len(), 121);
    assert_eq!(h.next_before, None, "one page holds them all");
    let first = h.revisions.last().unwrap();
    assert_eq!((first.number, first.source), (1, RevisionSource::Original));
    assert_eq!(keeper.revision_bytes(1).unwrap(), ORIGINAL.as_bytes());
}

#[test]
fn tampering_with_history_shows_in_history_and_status() {
    let mac = Mac::new();
    let (keeper, _) = mac.open();
    keeper
        .apply(&with_flags("lo"), &terms(ORIGINAL.as_bytes()), &alice())
        .unwrap();
    let rec = mac
        .dir
        .path()
        .join("var/db/earshot/history/revisions/00000002.json");
    let text = std::fs::read_to_string(&rec)
        .unwrap()
        .replace("alice", "mallory");
    std::fs::write(&rec, text).unwrap();
    let h = keeper.history(None).unwrap();
    assert!(!h.chain_intact);
    assert!(h.chain_problem.unwrap().contains("revision 2"));
    let status = keeper.status().unwrap();
    assert!(status.findings.iter().any(|f| f.code == "history-tampered"));
    assert_eq!(status.level, earshot_api::HealthLevel::Error);
}

#[test]
fn an_outside_edit_becomes_an_external_revision_and_subscribers_hear_of_it() {
    let mac = Mac::new();
    let (keeper, _) = mac.open();
    let mut events = keeper.subscribe();
    assert!(keeper.check_drift().unwrap().is_none(), "no drift yet");
    let outside = with_flags("lo,aa,ex");
    std::fs::write(mac.control(), &outside).unwrap();
    let rev = keeper.check_drift().unwrap().expect("drift recorded");
    assert_eq!(rev.source, RevisionSource::External);
    assert_eq!(
        keeper.revision_bytes(rev.number).unwrap(),
        outside.as_bytes()
    );
    match events.try_recv().unwrap() {
        Event::Revision(info) => assert_eq!(info.number, rev.number),
        other => panic!("expected a revision event, got {other:?}"),
    }
    assert!(keeper.check_drift().unwrap().is_none(), "recorded once");
}

#[test]
fn the_original_is_recorded_once_and_an_edit_while_stopped_is_external() {
    let mac = Mac::new();
    drop(mac.open());
    std::fs::write(mac.control(), with_flags("lo,ex")).unwrap();
    let (keeper, _) = mac.open();
    let h = keeper.history(None).unwrap();
    assert_eq!(h.revisions.len(), 2);
    assert_eq!(h.revisions[1].source, RevisionSource::Original);
    assert_eq!(h.revisions[0].source, RevisionSource::External);
}

#[test]
fn a_failed_reload_is_reported_but_the_change_is_recorded() {
    let mac = Mac::new();
    let (keeper, platform) = mac.open();
    platform.set_reload_fails(true);
    let r = keeper
        .apply(&with_flags("lo"), &terms(ORIGINAL.as_bytes()), &alice())
        .unwrap();
    assert!(r.reload_warning.unwrap().contains("auditd"));
    assert_eq!(
        keeper.history(Some(1)).unwrap().revisions[0].number,
        r.revision
    );
}

#[test]
fn enospc_and_eio_in_the_write_leave_the_old_file_and_history_intact() {
    for errno in [libc::ENOSPC, libc::EIO] {
        let mac = Mac::new();
        let (keeper, platform) = mac.open();
        keeper.faults.set("write", Fault::Errno(errno));
        let err = keeper
            .apply(&with_flags("lo"), &terms(ORIGINAL.as_bytes()), &alice())
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::Io);
        let expected = std::io::Error::from_raw_os_error(errno).to_string();
        assert!(
            err.reason.contains(&expected),
            "{} lacks {expected}",
            err.reason
        );
        assert!(err.reason.contains("old file is intact"));
        assert_eq!(mac.bytes(), ORIGINAL.as_bytes());
        assert!(platform.ops().is_empty(), "no reload after a failed write");
        let h = keeper.history(None).unwrap();
        assert!(h.chain_intact);
        assert_eq!(h.revisions.len(), 1);
        let leftovers: Vec<_> = std::fs::read_dir(mac.control().parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, vec!["audit_control"]);
        assert!(!mac.dir.path().join("var/db/earshot/journal.json").exists());
        // And the next apply works.
        keeper.faults.set("write", Fault::Errno(0));
        keeper
            .apply(&with_flags("lo"), &terms(ORIGINAL.as_bytes()), &alice())
            .unwrap();
    }
}

#[test]
fn state_files_are_private() {
    let mac = Mac::new();
    let (keeper, _) = mac.open();
    keeper
        .apply(&with_flags("lo"), &terms(ORIGINAL.as_bytes()), &alice())
        .unwrap();
    let state = mac.dir.path().join("var/db/earshot");
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().mode() & 0o777;
    assert_eq!(mode(&state), 0o700);
    for sub in ["history/revisions", "history/blobs"] {
        for e in std::fs::read_dir(state.join(sub)).unwrap() {
            assert_eq!(mode(&e.unwrap().path()), 0o600);
        }
    }
}

#[test]
fn a_mac_without_audit_control_can_get_one_and_roll_back_to_none() {
    let mac = Mac::new();
    std::fs::remove_file(mac.control()).unwrap();
    let (keeper, _) = mac.open();
    let cfg = keeper.read_config().unwrap();
    assert!(!cfg.exists);
    assert_eq!(cfg.hash, "absent");
    let h = keeper.history(None).unwrap();
    assert_eq!(h.revisions[0].source, RevisionSource::Original);
    assert_eq!(h.revisions[0].hash, "absent");

    let report = keeper
        .apply(
            ORIGINAL,
            &ChangeTerms {
                base_hash: cfg.hash,
                ..ChangeTerms::default()
            },
            &alice(),
        )
        .unwrap();
    assert_eq!(mac.bytes(), ORIGINAL.as_bytes());
    let mode = std::fs::metadata(mac.control()).unwrap().mode() & 0o7777;
    assert_eq!(mode, 0o440, "a new audit_control is created 0440");
    assert_eq!(report.revision, 2);

    keeper
        .rollback(1, &terms(ORIGINAL.as_bytes()), &alice())
        .unwrap();
    assert!(!mac.control().exists(), "rolled back to no file");
    assert!(keeper.history(None).unwrap().chain_intact);
}

#[test]
fn a_symlinked_audit_control_is_never_written_through() {
    let mac = Mac::new();
    let (keeper, _) = mac.open();
    // Someone swaps the file for a link to a file the helper must not touch.
    let victim = mac.dir.path().join("victim");
    std::fs::write(&victim, "precious\n").unwrap();
    std::fs::remove_file(mac.control()).unwrap();
    std::os::unix::fs::symlink(&victim, mac.control()).unwrap();
    let base = std::fs::read(mac.control()).unwrap();
    let err = keeper
        .apply(&with_flags("lo"), &terms(&base), &alice())
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::UnsafeConfig);
    assert!(err.reason.contains("symbolic link"), "{}", err.reason);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
    assert!(std::fs::symlink_metadata(mac.control())
        .unwrap()
        .file_type()
        .is_symlink());
}

#[test]
fn an_auto_revert_restores_even_a_previous_file_the_grammar_rejects() {
    let mac = Mac::new();
    // The file as found already has an error (the test grammar rejects `bogus`).
    let flawed = format!("{ORIGINAL}bogus\n");
    std::fs::write(mac.control(), &flawed).unwrap();
    let (keeper, _) = mac.open();
    let mut t = terms(flawed.as_bytes());
    t.confirm_within_secs = Some(10);
    keeper.apply(ORIGINAL, &t, &alice()).unwrap();
    mac.clock.store(1_800_000_010, Ordering::SeqCst);
    keeper.revert_if_due().unwrap().expect("reverted");
    assert_eq!(mac.bytes(), flawed.as_bytes());
    // Asking for what is already there writes nothing and needs no checks.
    let same = keeper
        .rollback(1, &terms(flawed.as_bytes()), &alice())
        .unwrap();
    assert!(same.unchanged);
    // A manual rollback to it, from elsewhere, is validated like any change.
    keeper
        .apply(ORIGINAL, &terms(flawed.as_bytes()), &alice())
        .unwrap();
    let err = keeper
        .rollback(1, &terms(ORIGINAL.as_bytes()), &alice())
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Validation);
    assert_eq!(mac.bytes(), ORIGINAL.as_bytes());
}

#[test]
fn uchg_is_cleared_for_the_rename_and_restored_after() {
    use earshot_helper::platform::{SF_IMMUTABLE, UF_IMMUTABLE};
    let mac = Mac::new();
    let (keeper, platform) = mac.open();
    platform.put_flags(UF_IMMUTABLE);
    let new = with_flags("lo,aa,ad");
    keeper
        .apply(&new, &terms(ORIGINAL.as_bytes()), &alice())
        .unwrap();
    assert_eq!(mac.bytes(), new.as_bytes());
    let (now, sets) = platform.flag_history();
    assert_eq!(sets, vec![0, UF_IMMUTABLE], "cleared, then restored");
    assert_eq!(now, Some(UF_IMMUTABLE));

    // schg cannot be cleared on a running system: refuse, file untouched.
    platform.put_flags(SF_IMMUTABLE);
    let err = keeper
        .apply(&with_flags("lo"), &terms(new.as_bytes()), &alice())
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Io);
    assert!(err.reason.contains("schg"), "{}", err.reason);
    assert_eq!(mac.bytes(), new.as_bytes());
    assert_eq!(platform.flag_history().0, Some(SF_IMMUTABLE));
}

#[test]
fn a_failure_after_the_rename_is_reported_truthfully_and_the_flag_is_owed() {
    use earshot_helper::platform::UF_IMMUTABLE;
    let mac = Mac::new();
    let (keeper, platform) = mac.open();
    platform.put_flags(UF_IMMUTABLE);
    keeper.faults.set("restore-flags", Fault::Errno(libc::EIO));
    let new = with_flags("lo,aa,ad");
    let r = keeper
        .apply(&new, &terms(ORIGINAL.as_bytes()), &alice())
        .expect("the change is made: the rename happened");
    assert_eq!(mac.bytes(), new.as_bytes());
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("uchg") && w.contains("retrying")),
        "{:?}",
        r.warnings
    );
    // Recorded, not left to be misread as an outside edit later.
    let h = keeper.history(None).unwrap();
    assert_eq!(h.revisions[0].number, r.revision);
    assert_eq!(h.revisions[0].source, RevisionSource::Apply);
    assert!(keeper.check_drift().unwrap().is_none());
    let status = keeper.status().unwrap();
    assert!(status
        .findings
        .iter()
        .any(|f| f.code == "audit-control-flags-owed"));
    // Retried until it sticks.
    assert!(matches!(keeper.retry_owed_flags(), Some(Err(_))));
    keeper.faults.set("restore-flags", Fault::Errno(0));
    assert_eq!(keeper.retry_owed_flags(), Some(Ok(())));
    assert_eq!(platform.flag_history().0, Some(UF_IMMUTABLE));
    assert!(!keeper
        .status()
        .unwrap()
        .findings
        .iter()
        .any(|f| f.code == "audit-control-flags-owed"));

    // A failed folder sync after the rename: made, recorded, said.
    keeper.faults.set("dir-sync", Fault::Errno(libc::EIO));
    let newer = with_flags("lo");
    let r = keeper
        .apply(&newer, &terms(new.as_bytes()), &alice())
        .expect("made");
    assert!(r.warnings.iter().any(|w| w.contains("syncing its folder")));
    assert!(!r.warnings.iter().any(|w| w.contains("intact")));
    assert_eq!(
        keeper.history(Some(1)).unwrap().revisions[0].number,
        r.revision
    );
}

/// Another tool rewriting audit_control (osquery's audit publisher here) is
/// recorded with what it changed and who it looks like, and once it keeps at
/// it the helper raises one `other-writer` finding — not one per rewrite.
#[test]
fn a_tool_that_keeps_rewriting_the_file_is_named_once() {
    let mac = Mac::new();
    let (keeper, _) = mac.open();
    let osquery = ORIGINAL
        .replace("flags:lo,aa\nminfree", "flags:lo,aa,ex,pc\nminfree")
        .replace("policy:cnt,argv", "policy:cnt,argv,arge");
    assert_ne!(osquery, ORIGINAL);
    std::fs::write(mac.control(), &osquery).unwrap();
    let rev = keeper.check_drift().unwrap().expect("recorded");
    let h = keeper.history(None).unwrap();
    let recorded = h.revisions.iter().find(|r| r.number == rev.number).unwrap();
    assert!(
        recorded.reason.starts_with("edited outside Earshot: "),
        "{}",
        recorded.reason
    );
    assert!(
        recorded
            .reason
            .contains("looks like osquery's audit publisher"),
        "{}",
        recorded.reason
    );
    // Once is drift, not yet a fight.
    let st = keeper.status().unwrap();
    assert!(!st.findings.iter().any(|f| f.code == "other-writer"));
    // Earshot's user puts it back; the tool rewrites it; twice more.
    for round in 0..2 {
        let back = keeper
            .apply(ORIGINAL, &terms(osquery.as_bytes()), &alice())
            .unwrap();
        assert!(back.revision > rev.number + round);
        mac.clock.fetch_add(600, Ordering::SeqCst);
        std::fs::write(mac.control(), &osquery).unwrap();
        keeper.check_drift().unwrap().expect("recorded");
    }
    let st = keeper.status().unwrap();
    let found: Vec<_> = st
        .findings
        .iter()
        .filter(|f| f.code == "other-writer")
        .collect();
    assert_eq!(found.len(), 1, "{:?}", st.findings);
    assert!(found[0]
        .message
        .contains("rewritten from outside 3 times in the last day"));
    assert!(found[0].message.contains("osquery"), "{}", found[0].message);
    // A day later the fight is history.
    mac.clock.fetch_add(2 * 86_400, Ordering::SeqCst);
    let st = keeper.status().unwrap();
    assert!(!st.findings.iter().any(|f| f.code == "other-writer"));
}
