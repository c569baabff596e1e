//! `earshot trail export --ocsf` end to end: one OCSF event per selected record,
//! ids from the trail's own name, the filters and exit codes of `export`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/bsm")
        .join(name)
}

fn export(args: &[&str]) -> Output {
    let cache = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_earshot"))
        .args(["trail", "export", "--ocsf", "--hostname", "mac.local"])
        .args(args)
        .env("EARSHOT_CACHE_DIR", cache.path())
        .output()
        .expect("run earshot")
}

/// One OCSF event per line, each checked against its class's schema.
fn lines(out: &[u8]) -> Vec<Value> {
    crate::common::ocsf_lines(out)
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn ocsf_export_writes_one_event_per_record() {
    let dir = tempfile::tempdir().unwrap();
    let out_file = dir.path().join("events.ndjson");
    let out = export(&[
        "--host-uid",
        "4C4C4544-TEST",
        "--os-version",
        "15.1",
        "--model",
        "MacBookAir10,1",
        "--out",
        path(&out_file),
        path(&fixture("mixed_sample.bsm")),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let evs = lines(&std::fs::read(&out_file).unwrap());
    assert_eq!(evs.len(), 400);
    for ev in &evs {
        let class = ev["class_uid"].as_u64().unwrap();
        assert_eq!(
            ev["type_uid"].as_u64().unwrap(),
            class * 100 + ev["activity_id"].as_u64().unwrap()
        );
        assert_eq!(ev["metadata"]["version"], "1.9.0-dev");
        assert_eq!(ev["metadata"]["product"]["name"], "Earshot");
        assert_eq!(ev["device"]["hostname"], "mac.local");
        assert_eq!(ev["device"]["type"], "Laptop", "from the model");
        assert_eq!(ev["device"]["os"]["version"], "15.1");
        let uid = ev["metadata"]["uid"].as_str().unwrap();
        assert!(uid.starts_with("4C4C4544-TEST:mixed_sample.bsm:"), "{uid}");
    }
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["events.ndjson"], "no temporary file is left behind");
}

/// `--out` naming a pipe or a device writes into it: renaming a finished file
/// over it would put a plain file where the pipe (or, as root, /dev/null) was.
#[test]
fn ocsf_export_writes_into_a_fifo_and_dev_null_without_replacing_them() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("shipper.pipe");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };
    let out = export(&["--out", path(&fifo), path(&fixture("mixed_sample.bsm"))]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Checked before joining: had the pipe been replaced, the reader would
    // wait for a writer forever.
    let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
    assert!(kind.is_fifo(), "the pipe is still a pipe");
    assert_eq!(lines(&reader.join().unwrap()).len(), 400);

    let out = export(&["--out", "/dev/null", path(&fixture("mixed_sample.bsm"))]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let kind = std::fs::symlink_metadata("/dev/null").unwrap().file_type();
    assert!(kind.is_char_device(), "/dev/null is still the device");
    assert!(!Path::new("/dev/null.earshot-partial").exists());
}

#[test]
fn ocsf_export_reads_folders_and_names_events_by_trail() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(fixture("macos_login_session.bsm")).unwrap();
    std::fs::write(dir.path().join("20240314091500.20240314092501"), &bytes).unwrap();
    let out = export(&["--out", "-", path(dir.path())]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let evs = lines(&out.stdout);
    assert_eq!(evs.len(), 18);
    assert_eq!(evs[0]["metadata"]["uid"], "mac.local:20240314091500:0");
    assert_eq!(evs[0]["metadata"]["original_event_uid"], "20240314091500:0");
    let su = evs
        .iter()
        .find(|e| e["metadata"]["event_code"] == "AUE_su")
        .unwrap();
    assert_eq!(su["class_name"], "Authentication");
    assert_eq!(su["status_code"], "EPERM");
}

#[test]
fn ocsf_export_applies_the_filters() {
    let all = lines(&export(&["--out", "-", path(&fixture("mixed_sample.bsm"))]).stdout);
    let lo = export(&[
        "--class",
        "lo",
        "--out",
        "-",
        path(&fixture("mixed_sample.bsm")),
    ]);
    assert_eq!(lo.status.code(), Some(0));
    let lo = lines(&lo.stdout);
    assert!(!lo.is_empty() && lo.len() < all.len());
    for ev in &lo {
        assert_eq!(ev["class_uid"], 3002, "lo holds logins and logouts: {ev}");
    }
    let failed = lines(
        &export(&[
            "--failure",
            "--out",
            "-",
            path(&fixture("mixed_sample.bsm")),
        ])
        .stdout,
    );
    assert!(failed.iter().all(|e| e["status_id"] != 1));
}

#[test]
fn ocsf_export_reports_damage_and_keeps_going() {
    let out = export(&["--out", "-", path(&fixture("corrupt_midstream.bsm"))]);
    assert_eq!(out.status.code(), Some(1), "damage means exit 1");
    assert!(String::from_utf8_lossy(&out.stderr).contains("damage in"));
    let evs = lines(&out.stdout);
    assert_eq!(
        evs.len(),
        5,
        "every readable record, the one after the junk too"
    );
    assert!(evs.iter().any(|e| e["metadata"]["is_truncated"] == true));
}

#[test]
fn ocsf_export_can_keep_the_raw_record() {
    let out = export(&["--raw", "--out", "-", path(&fixture("macos_network.bsm"))]);
    assert_eq!(out.status.code(), Some(0));
    let evs = lines(&out.stdout);
    let bytes = std::fs::read(fixture("macos_network.bsm")).unwrap();
    let first = bsm::Reader::new(&bytes)
        .find_map(|i| match i {
            bsm::Item::Record(r) => Some(r.bytes.len()),
            _ => None,
        })
        .unwrap();
    let raw = evs[0]["unmapped"]["bsm"]["raw"].as_str().unwrap();
    assert_eq!(
        raw.len(),
        first.div_ceil(3) * 4,
        "base64 of the record's bytes"
    );
}

#[test]
fn ocsf_and_bsm_output_exclude_each_other() {
    let out = export(&["--bsm", "--out", "-", path(&fixture("mixed_sample.bsm"))]);
    assert_eq!(out.status.code(), Some(2));
    let cache = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_earshot"))
        .args(["trail", "export", "--hostname", "x", "--out", "-"])
        .arg(fixture("mixed_sample.bsm"))
        .env("EARSHOT_CACHE_DIR", cache.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "--hostname needs --ocsf");
}
