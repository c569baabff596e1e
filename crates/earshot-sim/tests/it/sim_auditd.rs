//! The simulated Mac and its auditd, checked against the behaviour the spec gives for
//! the real ones (audit_control.md §3.3, §3.4, §6, §7; macos_ops.md §5), reading the
//! trails back with the independent `bsm` reader.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use bsm::{Item, Reader, Token};
use earshot_sim::SimulatedMac;
use earshot_sim::{AuditingSetup, InitOptions, SimAuditd, AUE_AUDIT_RECOVERY, AUE_AUDIT_STARTUP};
use earshot_system::{
    from_unix, parse_audit_condition, parse_launchctl_print, parse_print_disabled, AuditCmd,
    AuditCondition, Command, LaunchdJob, System, VirtualClock,
};
use earshot_trail::{stamp, TrailEnd, TrailName};

/// 2026-03-02T00:00:00Z.
const T0: u64 = 1_772_409_600;
const DAY: f64 = 86_400.0;

fn init_mac(
    dir: &Path,
    profile: &str,
    control: Option<&str>,
    days: f64,
    seed: u64,
) -> SimulatedMac {
    let opts = InitOptions {
        macos_version: "15.1".into(),
        days,
        profile: profile.into(),
        seed,
        auditing: AuditingSetup::On,
        now: from_unix(T0),
        audit_control: control.map(str::to_string),
    };
    earshot_sim::init(dir, &opts).unwrap();
    SimulatedMac::open(dir)
        .unwrap()
        .with_clock(VirtualClock::at_unix(T0))
}

fn trail_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir.join("var/audit"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| TrailName::parse(p.file_name().unwrap().to_str().unwrap()).is_ok())
        .collect();
    v.sort();
    v
}

/// (event, auid, sid, has exec_args) of every record of a file; panics on damage.
fn records(path: &Path) -> Vec<(u16, u32, u32, bool)> {
    let bytes = std::fs::read(path).unwrap();
    let mut out = Vec::new();
    for item in Reader::new(&bytes) {
        match item {
            Item::Record(r) => {
                assert!(r.damage().is_none(), "damaged record in {}", path.display());
                let mut subj = (u32::MAX, 0);
                let mut exec_args = false;
                for t in r.tokens() {
                    match t {
                        Token::Subject(s) => subj = (s.auid, s.sid),
                        Token::ExecArgs(_) => exec_args = true,
                        _ => {}
                    }
                }
                out.push((r.header.event, subj.0, subj.1, exec_args));
            }
            Item::FileToken(_) => {}
            Item::Damage(d) => panic!("damage in {}: {d}", path.display()),
        }
    }
    out
}

#[test]
fn apple_default_on_sonoma_and_later_is_off() {
    let dir = tempfile::tempdir().unwrap();
    let opts = InitOptions {
        macos_version: "14.5".into(),
        days: 3.0,
        profile: "laptop".into(),
        seed: 1,
        auditing: AuditingSetup::AppleDefault,
        now: from_unix(T0),
        audit_control: None,
    };
    let report = earshot_sim::init(dir.path(), &opts).unwrap();
    assert!(!report.auditing);
    let mac = SimulatedMac::open(dir.path()).unwrap();
    assert!(mac
        .metadata(Path::new("/etc/security/audit_control"))
        .unwrap_err()
        .is_not_found());
    assert!(mac
        .metadata(Path::new("/etc/security/audit_control.example"))
        .is_ok());
    assert!(trail_files(dir.path()).is_empty());
    let print = mac.run(Command::LaunchctlPrint).unwrap();
    assert_eq!(parse_launchctl_print(&print), LaunchdJob::NotLoaded);
    let disabled = mac.run(Command::LaunchctlPrintDisabled).unwrap();
    assert_eq!(parse_print_disabled(&disabled.stdout_text()), Some(true));
    let cond = mac.run(Command::Audit(AuditCmd::Check)).unwrap();
    assert_eq!(parse_audit_condition(&cond), AuditCondition::NoAudit);
    // audit(8) cannot reach a daemon launchd does not know.
    assert!(!mac.run(Command::Audit(AuditCmd::Init)).unwrap().success());
}

#[test]
fn ventura_default_is_apples_audit_control() {
    let dir = tempfile::tempdir().unwrap();
    let opts = InitOptions {
        macos_version: "13.6".into(),
        days: 1.0,
        profile: "hardened-laptop".into(),
        seed: 1,
        auditing: AuditingSetup::AppleDefault,
        now: from_unix(T0),
        audit_control: None,
    };
    assert!(earshot_sim::init(dir.path(), &opts).unwrap().auditing);
    let text = std::fs::read_to_string(dir.path().join("etc/security/audit_control")).unwrap();
    let apple = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../audit-control/data/apple/audit_control"),
    )
    .unwrap();
    assert_eq!(text, apple);
    let class = std::fs::read(dir.path().join("etc/security/audit_class")).unwrap();
    let apple_class = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../audit-control/data/apple/audit_class"),
    )
    .unwrap();
    assert_eq!(class, apple_class);
}

#[test]
fn trails_are_named_sized_and_moded_like_a_macs() {
    let dir = tempfile::tempdir().unwrap();
    let control = "dir:/var/audit\nflags:lo,aa,ex\nminfree:5\nnaflags:lo,aa,ex\npolicy:cnt,argv\nfilesz:512K\nexpire-after:0\n";
    let mac = init_mac(dir.path(), "laptop", Some(control), 2.0, 7);
    let files = trail_files(dir.path());
    assert!(files.len() >= 3, "{files:?}");
    let mut prev_end = None;
    for (i, f) in files.iter().enumerate() {
        let name = f.file_name().unwrap().to_str().unwrap();
        let parsed = TrailName::parse(name).unwrap();
        let meta = std::fs::metadata(f).unwrap();
        assert_eq!(meta.permissions().mode() & 0o7777, 0o440, "{name}");
        // Names are contiguous: each trail starts when the previous one closed.
        if let Some(end) = prev_end {
            assert_eq!(parsed.start.sec, end, "{name}");
        }
        let recs = records(f);
        assert!(!recs.is_empty());
        if i + 1 < files.len() {
            let TrailEnd::Closed(end) = parsed.end else {
                panic!("{name} should be closed")
            };
            prev_end = Some(end.sec);
            // Rotation happens on the record that reaches filesz.
            assert!(
                meta.len() >= 512 * 1024 && meta.len() < 512 * 1024 + 32_767,
                "{name} {}",
                meta.len()
            );
        } else {
            assert_eq!(parsed.end, TrailEnd::NotTerminated);
        }
    }
    assert_eq!(records(&files[0])[0].0, AUE_AUDIT_STARTUP);
    let current = mac.read_link(Path::new("/var/audit/current")).unwrap();
    assert_eq!(
        Path::new("/var/audit").join(files.last().unwrap().file_name().unwrap()),
        current
    );
    // The trail's mtime is simulated time, not the host's.
    let mtime = mac.metadata(&current).unwrap().mtime_secs;
    assert!((T0 as i64 - 120..=T0 as i64).contains(&mtime), "{mtime}");
}

#[test]
fn same_seed_same_trails_other_seed_other_trails() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let c = tempfile::tempdir().unwrap();
    init_mac(a.path(), "laptop", None, 1.0, 42);
    init_mac(b.path(), "laptop", None, 1.0, 42);
    init_mac(c.path(), "laptop", None, 1.0, 43);
    let read_all = |d: &Path| -> Vec<(String, Vec<u8>)> {
        trail_files(d)
            .iter()
            .map(|f| {
                (
                    f.file_name().unwrap().to_str().unwrap().to_string(),
                    std::fs::read(f).unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(read_all(a.path()), read_all(b.path()));
    assert_ne!(read_all(a.path()), read_all(c.path()));
}

/// Puts trail files with chosen names, sizes and mtimes in /var/audit.
fn place(dir: &Path, name: &str, size: usize, mtime: u64) {
    let p = dir.join("var/audit").join(name);
    std::fs::write(&p, vec![0u8; size]).unwrap();
    let f = std::fs::File::options().write(true).open(&p).unwrap();
    f.set_modified(from_unix(mtime)).unwrap();
}

fn set_control(mac: &SimulatedMac, text: &str) {
    mac.write_file_atomically(
        Path::new("/etc/security/audit_control"),
        text.as_bytes(),
        0o440,
    )
    .unwrap();
}

fn remaining(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = trail_files(dir)
        .iter()
        .map(|p| p.file_name().unwrap().to_str().unwrap().to_string())
        .filter(|n| !n.ends_with("not_terminated"))
        .collect();
    v.sort();
    v
}

/// A Mac whose active trail was started at T0 and is nearly empty, plus old trails.
fn expiry_mac(dir: &Path, expire: &str) -> SimAuditd {
    let control = format!("dir:/var/audit\nflags:lo\nminfree:0\nnaflags:lo\npolicy:cnt\nfilesz:0\nexpire-after:{expire}\n");
    let mac = init_mac(dir, "laptop", Some(&control), 0.0, 1);
    // Closed trails 1 MiB each, ending 10, 8, 6, 4 and 2 days before T0.
    for (k, days) in [10u64, 8, 6, 4, 2].iter().enumerate() {
        let end = T0 - days * 86_400;
        let name = format!("{}.{}", stamp(end - 3600), stamp(end));
        place(dir, &name, 1 << 20, end);
        let _ = k;
    }
    // A crash_recovery trail: dated by its mtime (9 days ago).
    place(
        dir,
        &format!("{}.crash_recovery", stamp(T0 - 9 * 86_400 - 60)),
        1 << 20,
        T0 - 9 * 86_400,
    );
    // Not a trail (no '.' at offset 14): never touched.
    place(dir, "notes.txt", 5 << 20, T0 - 30 * 86_400);
    SimAuditd::load(mac).unwrap()
}

#[test]
fn expiry_by_size_deletes_oldest_while_total_exceeds() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = expiry_mac(dir.path(), "3M");
    d.expire(T0 as f64).unwrap();
    // 6 MiB of closed trails plus the active one, which counts towards the total
    // but is never deleted: after 10d, crash(9d) and 8d go the total is still
    // 3 MiB + the active trail's bytes > 3 MiB, so 6d goes too.
    assert_eq!(
        remaining(dir.path()).len(),
        2,
        "{:?}",
        remaining(dir.path())
    );
    assert!(remaining(dir.path()).iter().all(|n| !n.contains("crash")));
    assert!(dir.path().join("var/audit/notes.txt").exists());
}

#[test]
fn expiry_by_age_uses_end_time_and_mtime() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = expiry_mac(dir.path(), "5d");
    d.expire(T0 as f64).unwrap();
    // Ended 10, 9 (crash, mtime), 8, 6 days ago: gone; 4 and 2 stay.
    assert_eq!(
        remaining(dir.path()).len(),
        2,
        "{:?}",
        remaining(dir.path())
    );
}

#[test]
fn expiry_and_needs_both_or_needs_either() {
    let dir = tempfile::tempdir().unwrap();
    // AND: older than 7d AND total > 1 MiB → 10d, 9d, 8d qualify on age; size holds.
    let mut d = expiry_mac(dir.path(), "7d AND 1M");
    d.expire(T0 as f64).unwrap();
    assert_eq!(remaining(dir.path()).len(), 3);

    let dir = tempfile::tempdir().unwrap();
    // AND with a 100 MiB size limit: never over size, nothing goes.
    let mut d = expiry_mac(dir.path(), "1d AND 100M");
    d.expire(T0 as f64).unwrap();
    assert_eq!(remaining(dir.path()).len(), 6);

    let dir = tempfile::tempdir().unwrap();
    // OR: 9d age takes 10d; 4M size then takes crash(9d) and 8d.
    let mut d = expiry_mac(dir.path(), "9d OR 4M");
    d.expire(T0 as f64).unwrap();
    assert_eq!(
        remaining(dir.path()).len(),
        3,
        "{:?}",
        remaining(dir.path())
    );

    let dir = tempfile::tempdir().unwrap();
    // AND with only one part set never deletes (spec §9 #45).
    let mut d = expiry_mac(dir.path(), "60d AND 30d");
    d.expire(T0 as f64).unwrap();
    assert_eq!(remaining(dir.path()).len(), 6);
}

#[test]
fn expiry_runs_only_at_rotation_and_never_with_filesz_zero() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = expiry_mac(dir.path(), "1M");
    // A day of writing with filesz:0: no rotation, so nothing expires.
    d.step_to(T0 as f64 + DAY).unwrap();
    assert_eq!(remaining(dir.path()).len(), 6);
    // A manual rotation (`audit -n`) expires.
    d.rotate(T0 as f64 + DAY).unwrap();
    assert!(
        remaining(dir.path()).len() <= 2,
        "{:?}",
        remaining(dir.path())
    );
}

fn count_events(files: &[PathBuf], f: impl Fn(&(u16, u32, u32, bool)) -> bool) -> usize {
    files
        .iter()
        .map(|p| records(p).iter().filter(|r| f(r)).count())
        .sum()
}

#[test]
fn flags_change_reaches_only_new_sessions_naflags_immediately() {
    let dir = tempfile::tempdir().unwrap();
    let before = "dir:/var/audit\nflags:lo\nminfree:0\nnaflags:lo\npolicy:cnt\nfilesz:0\n";
    let mac = init_mac(dir.path(), "build-server", Some(before), 0.0, 5);
    let mut d = SimAuditd::load(mac.clone()).unwrap();
    d.step_to(T0 as f64 + 3600.0).unwrap();
    let persistent = d
        .state()
        .sessions
        .iter()
        .find(|s| s.ends.is_none())
        .unwrap()
        .asid;
    set_control(
        &mac,
        "dir:/var/audit\nflags:lo,pc\nminfree:0\nnaflags:lo,pc\npolicy:cnt\nfilesz:0\n",
    );
    d.reload(T0 as f64 + 3600.0).unwrap();
    d.step_to(T0 as f64 + 4.0 * 3600.0).unwrap();
    d.save().unwrap();
    let files = trail_files(dir.path());
    // AUE_FORK (2) is class pc.
    let fork_in = |auid_ok: &dyn Fn(u32, u32) -> bool| {
        count_events(&files, |r| r.0 == 2 && auid_ok(r.1, r.2))
    };
    assert_eq!(
        fork_in(&|_, sid| sid == persistent),
        0,
        "the session that logged in before the change keeps its mask"
    );
    assert!(
        fork_in(&|auid, sid| auid == 502 && sid != persistent) > 0,
        "new ssh sessions pick up flags"
    );
    assert!(
        fork_in(&|auid, _| auid == u32::MAX) > 0,
        "naflags apply at audit -s"
    );
    // Nothing of class pc before the reload (the first trail).
    assert_eq!(records(&files[0]).iter().filter(|r| r.0 == 2).count(), 0);
}

#[test]
fn argv_policy_adds_exec_args() {
    for (policy, want) in [("cnt,argv", true), ("cnt", false)] {
        let dir = tempfile::tempdir().unwrap();
        let control = format!(
            "dir:/var/audit\nflags:lo,ex\nminfree:0\nnaflags:lo,ex\npolicy:{policy}\nfilesz:0\n"
        );
        init_mac(dir.path(), "laptop", Some(&control), 0.1, 3);
        let files = trail_files(dir.path());
        let execs = count_events(&files, |r| r.0 == 23);
        let with_args = count_events(&files, |r| r.0 == 23 && r.3);
        assert!(execs > 10, "{execs}");
        assert_eq!(
            with_args == execs,
            want,
            "policy {policy}: {with_args}/{execs}"
        );
        assert_eq!(with_args == 0, !want);
    }
}

#[test]
fn crash_leaves_trail_and_next_start_recovers_it() {
    let dir = tempfile::tempdir().unwrap();
    let mac = init_mac(dir.path(), "laptop", None, 0.5, 9);
    let mut d = SimAuditd::load(mac.clone()).unwrap();
    let before = mac.read_link(Path::new("/var/audit/current")).unwrap();
    d.crash().unwrap();
    d.save().unwrap();
    // Nothing is written while auditd is dead, and the kernel reports not auditing.
    let size = std::fs::metadata(mac.resolve(&before).unwrap())
        .unwrap()
        .len();
    d.step_to(T0 as f64 + 600.0).unwrap();
    assert_eq!(
        std::fs::metadata(mac.resolve(&before).unwrap())
            .unwrap()
            .len(),
        size
    );
    let cond = mac.run(Command::Audit(AuditCmd::Check)).unwrap();
    assert_eq!(parse_audit_condition(&cond), AuditCondition::NoAudit);
    // `audit -i` through the System: the crashed trail becomes START.crash_recovery.
    let clock = VirtualClock::at_unix(T0 + 900);
    let mac = mac.with_clock(clock);
    assert!(mac.run(Command::Audit(AuditCmd::Init)).unwrap().success());
    let start = &before.file_name().unwrap().to_str().unwrap()[..14];
    assert!(dir
        .path()
        .join(format!("var/audit/{start}.crash_recovery"))
        .exists());
    let now = mac.read_link(Path::new("/var/audit/current")).unwrap();
    assert_ne!(now, before);
    let recs = records(&mac.resolve(&now).unwrap());
    assert_eq!(recs[0].0, AUE_AUDIT_RECOVERY);
    assert_eq!(recs[1].0, AUE_AUDIT_STARTUP);
    let cond = mac.run(Command::Audit(AuditCmd::Check)).unwrap();
    assert_eq!(parse_audit_condition(&cond), AuditCondition::Auditing);
}

#[test]
fn terminate_closes_the_trail_and_removes_current() {
    let dir = tempfile::tempdir().unwrap();
    let mac = init_mac(dir.path(), "laptop", None, 0.2, 9);
    assert!(mac
        .run(Command::Audit(AuditCmd::Terminate))
        .unwrap()
        .success());
    assert!(mac.read_link(Path::new("/var/audit/current")).is_err());
    let files = trail_files(dir.path());
    let last = files.last().unwrap();
    assert!(matches!(
        TrailName::parse(last.file_name().unwrap().to_str().unwrap())
            .unwrap()
            .end,
        TrailEnd::Closed(_)
    ));
    assert_eq!(
        records(last).last().unwrap().0,
        earshot_sim::AUE_AUDIT_SHUTDOWN
    );
    let cond = mac.run(Command::Audit(AuditCmd::Check)).unwrap();
    assert_eq!(parse_audit_condition(&cond), AuditCondition::NoAudit);
}

#[test]
fn rotate_and_sync_through_the_system_boundary() {
    let dir = tempfile::tempdir().unwrap();
    let mac = init_mac(dir.path(), "laptop", None, 0.2, 2);
    let n = trail_files(dir.path()).len();
    let mac = mac.with_clock(VirtualClock::at_unix(T0 + 60));
    assert!(mac.run(Command::Audit(AuditCmd::Rotate)).unwrap().success());
    assert_eq!(trail_files(dir.path()).len(), n + 1);
    let mac = mac.with_clock(VirtualClock::at_unix(T0 + 120));
    assert!(mac.run(Command::Audit(AuditCmd::Sync)).unwrap().success());
    assert_eq!(trail_files(dir.path()).len(), n + 2);
    // Same second as the last rotation: auditd refuses a second trail name.
    assert!(mac.run(Command::Audit(AuditCmd::Rotate)).unwrap().success());
    assert_eq!(trail_files(dir.path()).len(), n + 2);
}

#[test]
fn hosted_daemon_answers_commands_in_process() {
    let dir = tempfile::tempdir().unwrap();
    let mac = init_mac(dir.path(), "laptop", None, 0.1, 2);
    let clock = VirtualClock::at_unix(T0);
    let mut mac = mac.with_clock(clock.clone());
    let daemon = Arc::new(Mutex::new(SimAuditd::load(mac.clone()).unwrap()));
    mac.host(daemon.clone());
    clock.advance(std::time::Duration::from_secs(3600));
    let n = trail_files(dir.path()).len();
    assert!(mac.run(Command::Audit(AuditCmd::Rotate)).unwrap().success());
    assert_eq!(trail_files(dir.path()).len(), n + 1);
    // The hosted daemon caught up with the hour before rotating.
    let d = daemon.lock().unwrap();
    assert!((d.state().sim_time - (T0 + 3600) as f64).abs() < 1e-6);
    let print = mac.run(Command::LaunchctlPrint).unwrap();
    assert!(matches!(
        parse_launchctl_print(&print),
        LaunchdJob::Loaded { running: true, .. }
    ));
}

#[test]
fn low_space_rotates_and_expires_hard_limit_suspends() {
    let dir = tempfile::tempdir().unwrap();
    let control = "dir:/var/audit\nflags:lo,aa,ex,pc,fr\nminfree:25\nnaflags:lo,aa,ex,pc,fr\npolicy:cnt,argv\nfilesz:1M\nexpire-after:0\n";
    let mac = init_mac(dir.path(), "laptop", Some(control), 0.0, 4);
    // Shrink the simulated volume to leave ~3 MiB above a 25 % soft limit.
    let mut state = mac.load_state().unwrap();
    let used = state.volume.other_used_bytes;
    let size = 64u64 << 20;
    state.volume = earshot_sim::VolumeModel {
        size_bytes: size,
        other_used_bytes: size - size / 4 - (3 << 20),
        block_size: 4096,
    };
    assert!(used > 0);
    mac.save_state(&state).unwrap();
    let mut d = SimAuditd::load(mac.clone()).unwrap();
    d.start(T0 as f64).unwrap();
    d.step_to(T0 as f64 + 6.0 * 3600.0).unwrap();
    d.save().unwrap();
    let warnings = d.take_warnings();
    assert!(
        warnings.iter().any(|w| w.starts_with("soft")),
        "{warnings:?}"
    );
    assert!(
        warnings.iter().any(|w| w.starts_with("allhard")),
        "{warnings:?}"
    );
    assert!(d.state().suspended_for_space);
    assert!(d.state().counters.records_dropped > 0);
    let cond = mac.run(Command::Audit(AuditCmd::Check)).unwrap();
    assert_eq!(parse_audit_condition(&cond), AuditCondition::NoAudit);
    let v = mac.statvfs(Path::new("/var/audit")).unwrap();
    assert!(v.blocks_free < 4 + 8, "free blocks {}", v.blocks_free);
}

#[test]
fn simulated_paths_stay_inside_the_root() {
    let dir = tempfile::tempdir().unwrap();
    let mac = init_mac(dir.path(), "laptop", None, 0.0, 1);
    assert!(mac.resolve(Path::new("/var/../../etc/passwd")).is_err());
    assert!(mac.resolve(Path::new("var/audit")).is_err());
    let root = std::fs::canonicalize(dir.path()).unwrap();
    assert_eq!(
        mac.resolve(Path::new("/var/audit")).unwrap(),
        root.join("var/audit")
    );
    // The state file is bookkeeping, not part of the Mac.
    let names: Vec<_> = mac
        .list_dir(Path::new("/"))
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert_eq!(names, ["etc", "var"]);
    // The owner of the simulated root plays root:wheel.
    let m = mac
        .metadata(Path::new("/etc/security/audit_control"))
        .unwrap();
    assert_eq!((m.uid, m.gid, m.mode), (0, 0, 0o440));
}

#[test]
fn broken_state_or_folder_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    assert!(
        SimulatedMac::open(dir.path()).is_err(),
        "an empty folder is not a simulated Mac"
    );
    let mac = init_mac(dir.path(), "laptop", None, 0.0, 1);
    std::fs::write(dir.path().join("simulated-mac.json"), b"{ not json").unwrap();
    assert!(mac.run(Command::SwVers).is_err());
    assert!(mac.run(Command::Audit(AuditCmd::Rotate)).is_err());
    assert!(SimAuditd::load(mac.clone()).is_err());
    // init refuses a non-empty folder rather than mixing two Macs.
    let opts = InitOptions {
        macos_version: "15.1".into(),
        days: 0.0,
        profile: "laptop".into(),
        seed: 1,
        auditing: AuditingSetup::On,
        now: from_unix(T0),
        audit_control: None,
    };
    assert!(earshot_sim::init(dir.path(), &opts).is_err());
    let empty = tempfile::tempdir().unwrap();
    let bad = |f: &dyn Fn(&mut InitOptions)| {
        let mut o = opts.clone();
        f(&mut o);
        earshot_sim::init(empty.path(), &o).is_err()
    };
    assert!(bad(&|o| o.profile = "mainframe".into()));
    assert!(bad(&|o| o.macos_version = "fifteen".into()));
    assert!(bad(&|o| o.days = -1.0));
    assert!(bad(&|o| o.days = f64::NAN));
}

#[test]
fn immutable_files_cannot_be_replaced_like_on_macos() {
    let dir = tempfile::tempdir().unwrap();
    let mac = init_mac(dir.path(), "laptop", None, 0.0, 1);
    let ac = Path::new("/etc/security/audit_control");
    assert_eq!(mac.metadata(ac).unwrap().flags, Some(0));
    mac.set_flags(ac, earshot_system::UF_IMMUTABLE).unwrap();
    let m = mac.metadata(ac).unwrap();
    assert!(m.is_immutable());
    match mac.write_file_atomically(ac, b"flags:lo\n", 0o440) {
        Err(earshot_system::SystemError::Io { source, .. }) => {
            assert_eq!(source.raw_os_error(), Some(1), "EPERM")
        }
        other => panic!("{other:?}"),
    }
    mac.set_flags(ac, 0).unwrap();
    mac.write_file_atomically(ac, b"flags:lo\n", 0o440).unwrap();
    assert_eq!(mac.read_file(ac).unwrap(), b"flags:lo\n");
}

#[test]
fn acls_are_recorded_on_the_simulated_mac() {
    let dir = tempfile::tempdir().unwrap();
    let mac = init_mac(dir.path(), "laptop", None, 0.0, 1);
    let audit = Path::new("/var/audit");
    assert_eq!(mac.metadata(audit).unwrap().has_acl, Some(false));
    mac.set_acl(audit, true).unwrap();
    assert_eq!(mac.metadata(audit).unwrap().has_acl, Some(true));
    mac.set_acl(audit, false).unwrap();
    assert_eq!(mac.metadata(audit).unwrap().has_acl, Some(false));
}

#[test]
fn commands_queue_for_a_daemon_hosted_by_another_process() {
    let dir = tempfile::tempdir().unwrap();
    let mac = init_mac(dir.path(), "laptop", None, 0.1, 2);
    // Any live process other than us stands in for `earshot sim run`.
    let mut host = std::process::Command::new("sleep")
        .arg("30")
        .spawn()
        .unwrap();
    let mut state = mac.load_state().unwrap();
    state.host_pid = Some(host.id());
    mac.save_state(&state).unwrap();
    let n = trail_files(dir.path()).len();
    assert!(mac.run(Command::Audit(AuditCmd::Rotate)).unwrap().success());
    assert!(mac.run(Command::Audit(AuditCmd::Sync)).unwrap().success());
    assert!(mac.queue_for_host("crash").unwrap());
    // Nothing happened here: the host acts on them.
    assert_eq!(trail_files(dir.path()).len(), n);
    assert_eq!(mac.take_control_lines(), ["rotate", "sync", "crash"]);
    assert!(mac.take_control_lines().is_empty());
    let words: Vec<_> = ["rotate", "sync", "crash", "bogus"]
        .iter()
        .map(|w| earshot_sim::parse_control_word(w))
        .collect();
    assert_eq!(
        words,
        [
            Some(Some(AuditCmd::Rotate)),
            Some(Some(AuditCmd::Sync)),
            Some(None),
            None
        ]
    );
    host.kill().unwrap();
    host.wait().unwrap();
    // The host is gone: the command runs in-process again.
    assert!(!mac.queue_for_host("rotate").unwrap());
    let mac = mac.with_clock(VirtualClock::at_unix(T0 + 30));
    assert!(mac.run(Command::Audit(AuditCmd::Rotate)).unwrap().success());
    assert_eq!(trail_files(dir.path()).len(), n + 1);
}

#[test]
fn launchctl_enable_then_bootstrap_then_init_turns_auditing_on() {
    let dir = tempfile::tempdir().unwrap();
    let opts = InitOptions {
        macos_version: "15.1".into(),
        days: 0.0,
        profile: "laptop".into(),
        seed: 3,
        auditing: AuditingSetup::AppleDefault,
        now: from_unix(T0),
        audit_control: None,
    };
    earshot_sim::init(dir.path(), &opts).unwrap();
    let mac = SimulatedMac::open(dir.path())
        .unwrap()
        .with_clock(VirtualClock::at_unix(T0));
    // Bootstrapping a disabled job fails as launchd says (119), and changes nothing.
    let refused = mac.run(Command::LaunchctlBootstrap).unwrap();
    assert_eq!(refused.status, Some(119), "{}", refused.stderr_text());
    assert_eq!(
        parse_launchctl_print(&mac.run(Command::LaunchctlPrint).unwrap()),
        LaunchdJob::NotLoaded
    );
    assert!(mac.run(Command::LaunchctlEnable).unwrap().success());
    let disabled = mac.run(Command::LaunchctlPrintDisabled).unwrap();
    assert_eq!(parse_print_disabled(&disabled.stdout_text()), Some(false));
    assert!(mac.run(Command::LaunchctlBootstrap).unwrap().success());
    // A second bootstrap of a loaded job is an error on macOS 14+.
    assert_eq!(
        mac.run(Command::LaunchctlBootstrap).unwrap().status,
        Some(5)
    );
    // Without audit_control auditd cannot start.
    assert!(mac.run(Command::Audit(AuditCmd::Init)).is_err());
    std::fs::copy(
        dir.path().join("etc/security/audit_control.example"),
        dir.path().join("etc/security/audit_control"),
    )
    .unwrap();
    assert!(mac.run(Command::Audit(AuditCmd::Init)).unwrap().success());
    let cond = mac.run(Command::Audit(AuditCmd::Check)).unwrap();
    assert_eq!(parse_audit_condition(&cond), AuditCondition::Auditing);
    assert_eq!(
        Command::LaunchctlBootstrap.args(),
        [
            "/bin/launchctl",
            "bootstrap",
            "system",
            "/System/Library/LaunchDaemons/com.apple.auditd.plist"
        ]
    );
}

#[test]
fn a_daemon_save_keeps_flags_set_by_another_process_in_between() {
    let dir = tempfile::tempdir().unwrap();
    let mac = init_mac(dir.path(), "laptop", None, 0.1, 4);
    let mut d = SimAuditd::load(mac.clone()).unwrap();
    // Another process (the helper's chflags, `launchctl enable`) edits the state
    // file while this daemon holds an older copy in memory.
    let other = SimulatedMac::open(dir.path()).unwrap();
    other
        .set_flags(Path::new("/etc/security/audit_control"), 0x2)
        .unwrap();
    other.set_acl(Path::new("/var/audit"), true).unwrap();
    d.step(from_unix(T0 + 600)).unwrap();
    d.save().unwrap();
    let state = mac.load_state().unwrap();
    assert_eq!(
        state.file_flags.get("/etc/security/audit_control"),
        Some(&0x2)
    );
    assert!(state.file_acls.contains("/var/audit"));
    // …and the daemon's own progress is saved too.
    assert!(state.auditd.sim_time >= (T0 + 600) as f64);
    // The lock file is bookkeeping, not a file of the simulated Mac.
    let names: Vec<_> = mac
        .list_dir(Path::new("/"))
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert!(
        !names.iter().any(|n| n == "simulated-mac.lock"),
        "{names:?}"
    );
}

/// The simulator's auditpipe: a trial writes nothing, changes no daemon state,
/// is reproducible per seed, and counts what the profile's rates say (the
/// independent truth: Σ user rate × failure share of the events in `fr`, for
/// the one logged-in user).
#[test]
fn a_trial_changes_nothing_and_counts_what_the_profile_says() {
    use audit_control::{ClassTable, EventTable};
    use earshot_tuning::measure::Trial;
    let dir = tempfile::tempdir().unwrap();
    let mac = init_mac(dir.path(), "laptop", None, 0.2, 6);
    let d = SimAuditd::load(mac.clone()).unwrap();
    let before = d.state().clone();
    let files = trail_files(dir.path());
    let sizes: Vec<u64> = files
        .iter()
        .map(|f| std::fs::metadata(f).unwrap().len())
        .collect();
    let classes = ClassTable::apple();
    let trial = Trial::parse("-fr", "", 3600, &classes).unwrap();
    let a = earshot_sim::trial::simulate(&d, &trial, 1).unwrap();
    assert_eq!(a, earshot_sim::trial::simulate(&d, &trial, 1).unwrap());
    assert_ne!(a, earshot_sim::trial::simulate(&d, &trial, 2).unwrap());
    assert_eq!(d.state(), &before);
    assert_eq!(trail_files(dir.path()), files);
    let after: Vec<u64> = files
        .iter()
        .map(|f| std::fs::metadata(f).unwrap().len())
        .collect();
    assert_eq!(after, sizes, "no trail grew");

    let fr = classes.mask_of("fr").unwrap();
    let events = EventTable::apple();
    let sessions = d.state().sessions.len() as f64;
    let expected: f64 = earshot_sim::profile("laptop")
        .unwrap()
        .events
        .iter()
        .filter(|r| {
            events
                .by_name(r.event)
                .is_some_and(|e| e.class_mask & fr != 0)
        })
        .map(|r| r.user_per_hour * r.failure)
        .sum::<f64>()
        * sessions;
    let got = a.classes[0].failure.unwrap().events as f64;
    assert_eq!(a.classes[0].class, "fr");
    assert!(
        (got - expected).abs() <= 5.0 * expected.sqrt(),
        "trial {got} vs profile {expected} for {sessions} sessions"
    );
    assert_eq!(a.records, got as u64, "only fr failures were preselected");
}
