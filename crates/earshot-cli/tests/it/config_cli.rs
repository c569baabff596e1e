//! `earshot config …` end to end, on the built binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn earshot(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_earshot"))
        .args(args)
        .output()
        .expect("run earshot")
}

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../audit-control/data")
        .join(rel)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn write(dir: &tempfile::TempDir, name: &str, text: &[u8]) -> PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn check_clean_file_exits_0() {
    let f = fixture("apple/audit_control");
    let o = earshot(&["config", "check", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains(":10:14: info[AC-EXPIRE-MIB]:"));
}

#[test]
fn check_warnings_exit_1_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let base = "dir:/var/audit\nflags:lo,aa\nminfree:5\nnaflags:lo,aa\npolicy:cnt,argv\nfilesz:2M\nexpire-after:10M\n";
    let warn = write(
        &dir,
        "warn",
        base.replace("policy:cnt,argv", "policy:argv").as_bytes(),
    );
    let o = earshot(&["config", "check", warn.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    assert!(
        text.contains(&format!(
            "{}:5:8: warning[AC-POLICY-NO-CNT]:",
            warn.display()
        )),
        "{text}"
    );
    assert!(text.contains("\n  hint: Keep `cnt`"));
    let err = write(
        &dir,
        "err",
        base.replace("flags:lo,aa\n", "flags: lo,aa\n").as_bytes(),
    );
    let o = earshot(&["config", "check", err.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).contains(":2:7: error[AC-FLAGS-BLANK]:"));
}

#[test]
fn check_json_shape() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(&dir, "ac", b"dir:/var/audit\nflags:lo,aa\r\n");
    let o = earshot(&["config", "check", f.to_str().unwrap(), "--json"]);
    assert_eq!(o.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["file"], f.to_str().unwrap());
    let diags = v["diagnostics"].as_array().unwrap();
    let cr = diags.iter().find(|d| d["code"] == "AC-FLAGS-CR").unwrap();
    assert_eq!(cr["line"], 2);
    assert_eq!(cr["column"], 10);
    assert_eq!(cr["severity"], "error");
    assert!(cr["message"].as_str().unwrap().contains("carriage return"));
    assert!(cr["hint"].as_str().unwrap().contains("LF"));
    for d in diags {
        for k in ["line", "column", "severity", "code", "message", "hint"] {
            assert!(d.get(k).is_some(), "{k} missing in {d}");
        }
    }
}

#[test]
fn check_upstream_dialect_and_own_classes() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(&dir, "ac", b"dir:/var/audit\nflags:lo:aa\n");
    let apple = earshot(&["config", "check", f.to_str().unwrap(), "--json"]);
    let up = earshot(&[
        "config",
        "check",
        f.to_str().unwrap(),
        "--json",
        "--dialect",
        "upstream",
    ]);
    let codes = |o: &Output| -> Vec<String> {
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["code"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(codes(&apple).contains(&"AC-VALUE-COLON".to_string()));
    assert!(codes(&up).contains(&"AC-FLAGS-UNKNOWN-CLASS".to_string()));
    // A class file with a blank line hides `aa`: the machine's own table is used.
    let classes = write(
        &dir,
        "audit_class",
        b"0x1000:lo:login_logout\n\n0x2000:aa:auth\n",
    );
    let g = write(&dir, "ac2", b"dir:/var/audit\nflags:lo,aa\n");
    let o = earshot(&[
        "config",
        "check",
        g.to_str().unwrap(),
        "--classes",
        classes.to_str().unwrap(),
    ]);
    let text = stdout(&o);
    assert!(
        text.contains(&format!(
            "{}:2:1: error[CLASS-LINE-ENDS-TABLE]",
            classes.display()
        )),
        "{text}"
    );
    assert!(text.contains("error[AC-FLAGS-UNKNOWN-CLASS]"));
}

#[test]
fn missing_file_error_names_it() {
    let o = earshot(&["config", "check", "/nonexistent/audit_control"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot read /nonexistent/audit_control"));
}

#[test]
fn explain_reads_each_line() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        &dir,
        "ac",
        b"# mine\ndir:/var/audit\nflags:lo,aa\n  #flags:all\nexpire-after:10M\n\npolicy:cnt,argv\n",
    );
    let o = earshot(&["config", "explain", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    let t = stdout(&o);
    assert!(t.contains("   1 | # mine\n     = comment (ignored)"), "{t}");
    assert!(t.contains(
        "lo (login_logout), aa (authentication and authorization) — on success and failure"
    ));
    assert!(t.contains("not a comment"));
    assert!(t.contains("all trails together exceed 10 MiB"));
    assert!(t.contains("   6 | \n     = blank line (ignored)"));
    assert!(t.contains("record command-line arguments"));
    assert!(t.contains("In effect:"));
    let o = earshot(&["config", "explain", f.to_str().unwrap(), "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["lines"][0]["kind"], "comment");
    assert_eq!(
        v["lines"][3]["diagnostics"][0]["code"],
        "AC-KEY-NOT-COMMENT"
    );
    assert_eq!(v["reading"]["flags"]["state"], "valid");
    assert_eq!(v["reading"]["flags"]["value"]["mask"]["success"], 0x3000);
    assert_eq!(
        v["reading"]["expire_after"]["value"]["size_bytes"],
        10 * 1024 * 1024
    );
}

#[test]
fn diff_human_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let old = fixture("apple/audit_control");
    let text = std::fs::read_to_string(&old).unwrap();
    let new = write(
        &dir,
        "new",
        text.replace("policy:cnt,argv", "policy:argv")
            .replace("\nflags:lo,aa", "\nflags:lo,aa,ad")
            .as_bytes(),
    );
    let o = earshot(&[
        "config",
        "diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o),
        "flags: +ad\npolicy: −cnt — a full disk now halts auditing and suspends processes\n  risk[drop-cnt]: without cnt a full or failing audit disk blocks audited processes and panics the kernel\n"
    );
    let o = earshot(&[
        "config",
        "diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["changes"][1]["risks"][0]["id"], "drop-cnt");
    let o = earshot(&[
        "config",
        "diff",
        old.to_str().unwrap(),
        old.to_str().unwrap(),
    ]);
    assert_eq!(stdout(&o), "No change in meaning.\n");
}

#[test]
fn set_prints_and_leaves_file_alone() {
    let dir = tempfile::tempdir().unwrap();
    let original = b"# keep me\r\ndir:/var/audit\nflags:lo,aa\nminfree:5\n";
    let f = write(&dir, "ac", original);
    let o = earshot(&[
        "config",
        "set",
        f.to_str().unwrap(),
        "flags=lo,aa,ad",
        "expire-after=60d OR 5G",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        o.stdout,
        b"# keep me\r\ndir:/var/audit\nflags:lo,aa,ad\nminfree:5\nexpire-after:60d OR 5G\n"
    );
    assert!(stderr(&o).contains("flags: +ad"));
    assert_eq!(std::fs::read(&f).unwrap(), original);
}

#[test]
fn set_in_place_is_atomic_and_keeps_mode() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let f = write(&dir, "audit_control", b"dir:/var/audit\npolicy:cnt,argv\n");
    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o440)).unwrap();
    let o = earshot(&[
        "config",
        "set",
        f.to_str().unwrap(),
        "policy=cnt",
        "--in-place",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("updated\npolicy: −argv"));
    assert_eq!(std::fs::read(&f).unwrap(), b"dir:/var/audit\npolicy:cnt\n");
    assert_eq!(
        std::fs::metadata(&f).unwrap().permissions().mode() & 0o777,
        0o440
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
    // --unset removes the key.
    let o = earshot(&[
        "config",
        "set",
        f.to_str().unwrap(),
        "--unset",
        "policy",
        "--in-place",
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(std::fs::read(&f).unwrap(), b"dir:/var/audit\n");
}

#[test]
fn set_refuses_invalid_values_and_symlinks() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(&dir, "ac", b"dir:/var/audit\nfilesz:2M\n");
    let o = earshot(&[
        "config",
        "set",
        f.to_str().unwrap(),
        "filesz=2m",
        "--in-place",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains(&format!("{}: cannot set filesz", f.display())),
        "{e}"
    );
    assert!(e.contains("upper-case"));
    assert_eq!(std::fs::read(&f).unwrap(), b"dir:/var/audit\nfilesz:2M\n");
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(&f, &link).unwrap();
    let o = earshot(&[
        "config",
        "set",
        link.to_str().unwrap(),
        "filesz=4M",
        "--in-place",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("symbolic link"));
    assert_eq!(std::fs::read(&f).unwrap(), b"dir:/var/audit\nfilesz:2M\n");
}

#[test]
fn events_for_a_class() {
    let o = earshot(&["config", "events", "--class", "aa", "--json"]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let numbers: Vec<u64> = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["number"].as_u64().unwrap())
        .collect();
    assert_eq!(
        numbers,
        vec![7000, 7001, 7002, 7003, 45023, 45024, 45025, 45026, 45028, 45030]
    );
    let o = earshot(&["config", "events", "--class", "-ex"]);
    let t = stdout(&o);
    assert!(t.contains("4 event(s) audited"), "{t}");
    assert!(t.contains("AUE_EXECVE") && t.contains("failure"));
    assert!(!t.contains("AUE_POSIX_SPAWN"));
    // The machine's own audit_event is used when given.
    let up = fixture("upstream/audit_event");
    let o = earshot(&[
        "config",
        "events",
        "--class",
        "ex",
        "--events",
        up.to_str().unwrap(),
    ]);
    assert!(stdout(&o).contains("5 event(s) audited"));
    let o = earshot(&["config", "events", "--class", "zz"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("`zz` is not a class name"));
}
