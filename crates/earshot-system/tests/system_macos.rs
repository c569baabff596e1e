//! `MacOs` output parsers against recorded outputs (testdata/macos, written from the
//! documented formats — see its README), plus the fixed-argv command table.

use std::path::Path;

use earshot_system::{
    parse_audit_condition, parse_launchctl_print, parse_print_disabled, parse_sw_vers, AuditCmd,
    AuditCondition, Command, CommandOutput, LaunchdJob, MacOs, MacOsVersion, System,
};

fn data(name: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/macos")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn text(name: &str) -> String {
    String::from_utf8(data(name)).unwrap()
}

fn out(status: i32, stdout: &[u8], stderr: &[u8]) -> CommandOutput {
    CommandOutput {
        status: Some(status),
        stdout: stdout.to_vec(),
        stderr: stderr.to_vec(),
    }
}

#[test]
fn launchctl_print_idle_on_demand_daemon() {
    let job = parse_launchctl_print(&out(
        0,
        &data("launchctl_print_auditd_not_running.txt"),
        b"",
    ));
    assert_eq!(
        job,
        LaunchdJob::Loaded {
            running: false,
            state: "not running".into(),
            pid: None,
            program: Some("/usr/sbin/auditd".into()),
        }
    );
}

#[test]
fn launchctl_print_running_daemon_has_pid() {
    let job = parse_launchctl_print(&out(0, &data("launchctl_print_auditd_running.txt"), b""));
    match job {
        LaunchdJob::Loaded { running, pid, .. } => {
            assert!(running);
            assert_eq!(pid, Some(3127));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn launchctl_print_unknown_service_is_not_loaded() {
    let job = parse_launchctl_print(&out(
        113,
        b"",
        &data("launchctl_print_auditd_not_found.stderr.txt"),
    ));
    assert_eq!(job, LaunchdJob::NotLoaded);
}

#[test]
fn launchctl_print_garbage_is_unreadable_not_running() {
    for o in [
        out(0, b"", b""),
        out(0, b"something else entirely\n", b""),
        out(1, b"", b"Unrecognized target specifier.\n"),
        out(0, &[0xff, 0xfe, 0x00, b'{'], b""),
    ] {
        assert!(
            matches!(parse_launchctl_print(&o), LaunchdJob::Unreadable { .. }),
            "{o:?}"
        );
    }
}

#[test]
fn print_disabled_forms() {
    assert_eq!(
        parse_print_disabled(&text("launchctl_print_disabled_sonoma.txt")),
        Some(true)
    );
    assert_eq!(
        parse_print_disabled(&text("launchctl_print_disabled_enabled.txt")),
        Some(false)
    );
    assert_eq!(
        parse_print_disabled(&text("launchctl_print_disabled_legacy.txt")),
        Some(false)
    );
    assert_eq!(
        parse_print_disabled(&text("launchctl_print_disabled_unlisted.txt")),
        None
    );
    assert_eq!(parse_print_disabled(""), None);
    // A label that merely contains ours must not match.
    assert_eq!(
        parse_print_disabled("\t\"com.apple.auditd.helper\" => disabled\n"),
        None
    );
}

#[test]
fn sw_vers_versions() {
    let v = parse_sw_vers(&text("sw_vers_sequoia.txt")).unwrap();
    assert_eq!((v.major, v.minor, v.patch), (15, 1, 0));
    assert_eq!(v.build.as_deref(), Some("24B83"));
    assert!(v.audit_disabled_by_default());
    let v = parse_sw_vers(&text("sw_vers_sonoma.txt")).unwrap();
    assert_eq!((v.major, v.minor), (14, 5));
    assert!(v.audit_disabled_by_default());
    let v = parse_sw_vers(&text("sw_vers_catalina.txt")).unwrap();
    assert_eq!(v.product_name, "Mac OS X");
    assert_eq!((v.major, v.minor, v.patch), (10, 15, 7));
    assert!(!v.audit_disabled_by_default());
    assert_eq!(parse_sw_vers("ProductName: macOS\n"), None);
    assert_eq!(parse_sw_vers("ProductVersion: fifteen\n"), None);
    assert_eq!(MacOsVersion::parse("13.6.1.2"), None);
    assert_eq!(MacOsVersion::parse("26").map(|v| v.major), Some(26));
}

#[test]
fn audit_condition_forms() {
    assert_eq!(
        parse_audit_condition(&out(0, &data("audit_c_auditing.txt"), b"")),
        AuditCondition::Auditing
    );
    assert_eq!(
        parse_audit_condition(&out(1, &data("audit_c_noaudit.txt"), b"")),
        AuditCondition::NoAudit
    );
    assert_eq!(
        parse_audit_condition(&out(1, b"", &data("audit_c_not_root.stderr.txt"))),
        AuditCondition::PermissionDenied
    );
    // Silent output: the exit status is the documented signal.
    assert_eq!(
        parse_audit_condition(&out(0, b"", b"")),
        AuditCondition::Auditing
    );
    assert_eq!(
        parse_audit_condition(&out(1, b"", b"")),
        AuditCondition::NoAudit
    );
    // A longer constant containing ours is not ours.
    assert!(matches!(
        parse_audit_condition(&out(0, b"AUC_AUDITING_MAYBE\n", b"")),
        AuditCondition::Unrecognized { .. }
    ));
}

#[test]
fn commands_have_fixed_absolute_argv() {
    let all = [
        Command::Audit(AuditCmd::Check),
        Command::Audit(AuditCmd::Sync),
        Command::Audit(AuditCmd::Rotate),
        Command::Audit(AuditCmd::Expire),
        Command::Audit(AuditCmd::Init),
        Command::Audit(AuditCmd::Terminate),
        Command::LaunchctlPrint,
        Command::LaunchctlPrintDisabled,
        Command::SwVers,
    ];
    let flags: Vec<String> = all[..6].iter().map(|c| c.args()[1].to_string()).collect();
    assert_eq!(flags, ["-c", "-s", "-n", "-e", "-i", "-t"]);
    for c in all {
        assert!(c.args()[0].starts_with('/'), "{c}");
    }
    assert_eq!(
        Command::LaunchctlPrint.to_string(),
        "/bin/launchctl print system/com.apple.auditd"
    );
    assert_eq!(Command::SwVers.args(), ["/usr/bin/sw_vers"]);
}

#[test]
fn macos_refuses_relative_paths_and_reads_real_files() {
    let mac = MacOs::new();
    assert!(mac.metadata(Path::new("etc/passwd")).is_err());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("audit_control");
    mac.write_file_atomically(&file, b"flags:lo\n", 0o440)
        .unwrap();
    let meta = mac.metadata(&file).unwrap();
    assert_eq!(meta.mode, 0o440);
    assert_eq!(mac.read_file(&file).unwrap(), b"flags:lo\n");
    // Replacing keeps it atomic and leaves no temporary files behind.
    mac.write_file_atomically(&file, b"flags:lo,aa\n", 0o400)
        .unwrap();
    assert_eq!(mac.read_file(&file).unwrap(), b"flags:lo,aa\n");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    let v = mac.statvfs(dir.path()).unwrap();
    assert!(v.blocks >= v.blocks_free && v.block_size > 0);
    assert!(mac
        .metadata(&dir.path().join("missing"))
        .unwrap_err()
        .is_not_found());
}

mod never_panic {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn parsers_accept_any_bytes(stdout in proptest::collection::vec(any::<u8>(), 0..400),
                                    stderr in proptest::collection::vec(any::<u8>(), 0..100),
                                    status in proptest::option::of(-1i32..200)) {
            let o = CommandOutput { status, stdout: stdout.clone(), stderr };
            let _ = parse_launchctl_print(&o);
            let _ = parse_audit_condition(&o);
            let text = String::from_utf8_lossy(&stdout);
            let _ = parse_print_disabled(&text);
            let _ = parse_sw_vers(&text);
        }

        #[test]
        fn launchctl_lines_in_any_order(state in "(running|not running|spawn scheduled)", pid in proptest::option::of(1u32..99_999)) {
            let mut s = format!("system/com.apple.auditd = {{\n\tstate = {state}\n");
            if let Some(p) = pid {
                s += &format!("\tpid = {p}\n");
            }
            s += "\tendpoints = {\n\t\t\"x\" = {\n\t\t\tstate = bogus\n\t\t}\n\t}\n}\n";
            let o = CommandOutput { status: Some(0), stdout: s.into_bytes(), stderr: vec![] };
            match parse_launchctl_print(&o) {
                LaunchdJob::Loaded { running, state: st, pid: p, .. } => {
                    prop_assert_eq!(running, state == "running");
                    prop_assert_eq!(st, state);
                    prop_assert_eq!(p, pid);
                }
                other => prop_assert!(false, "{:?}", other),
            }
        }
    }
}
