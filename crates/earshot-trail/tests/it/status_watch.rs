//! The live tail: new trail bytes arrive through `notify` events on a real folder,
//! across a rotation (rename + `current` repointed), with no polling loop.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use bsm::write::{RecordBuilder, SubjectInfo};
use earshot_trail::rates::{RecordSample, TrailWatcher};

fn record(event: u16, sec: u32, ok: bool) -> Vec<u8> {
    let mut b = RecordBuilder::new(event, sec, 0);
    b.path("/etc/hosts");
    b.subject32(&SubjectInfo {
        auid: 501,
        euid: 501,
        egid: 20,
        ruid: 501,
        rgid: 20,
        pid: 77,
        sid: 100_010,
        port: 0,
        addr: bsm::token::Addr::V4([0, 0, 0, 0]),
    });
    if ok {
        b.return32(0, 3);
    } else {
        b.return32(2, u32::MAX);
    }
    b.finish()
}

fn append(path: &Path, bytes: &[u8]) {
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .unwrap();
    f.write_all(bytes).unwrap();
}

fn point_current(dir: &Path, target: &Path) {
    let tmp = dir.join(".current.tmp");
    let _ = std::fs::remove_file(&tmp);
    std::os::unix::fs::symlink(target, &tmp).unwrap();
    std::fs::rename(&tmp, dir.join("current")).unwrap();
}

/// Waits for events until `want` samples arrived; bounded so a broken watcher
/// fails the test instead of hanging it.
fn collect(w: &mut TrailWatcher, want: usize) -> Vec<RecordSample> {
    collect_rounds(w, want, 50)
}

fn collect_rounds(w: &mut TrailWatcher, want: usize, rounds: usize) -> Vec<RecordSample> {
    let mut got = Vec::new();
    for _ in 0..rounds {
        got.extend(w.wait(Duration::from_millis(200)).unwrap());
        if got.len() >= want {
            break;
        }
    }
    got
}

#[test]
fn watcher_follows_appends_and_rotation() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = std::fs::canonicalize(tmp.path()).unwrap();
    let first = dir.join("20260301000000.not_terminated");
    append(&first, &record(72, 1_772_323_200, true));
    point_current(&dir, &first);

    // Start at the end of what is there: the existing record is not "new".
    let mut w = TrailWatcher::new(std::slice::from_ref(&dir), dir.join("current"), None).unwrap();

    let mut batch = Vec::new();
    for i in 0..5 {
        batch.extend(record(72, 1_772_323_201 + i, i % 2 == 0));
    }
    append(&first, &batch);
    let got = collect(&mut w, 5);
    assert_eq!(got.len(), 5, "{got:?}");
    assert_eq!(got.iter().filter(|s| s.success == Some(false)).count(), 2);
    assert!(got.iter().all(|s| s.event == 72 && s.bytes > 0));

    // Rotation: one last record lands in the old trail, which auditd renames; the
    // new trail gets two records and `current` moves to it.
    append(&first, &record(72, 1_772_323_300, true));
    let closed = dir.join("20260301000000.20260301000140");
    std::fs::rename(&first, &closed).unwrap();
    let second = dir.join("20260301000140.not_terminated");
    append(
        &second,
        &[
            record(23, 1_772_323_301, true),
            record(23, 1_772_323_302, false),
        ]
        .concat(),
    );
    point_current(&dir, &second);
    let got = collect(&mut w, 3);
    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!(got.iter().filter(|s| s.event == 23).count(), 2);

    // A record split across two writes is reported once, when complete.
    let r = record(72, 1_772_323_400, true);
    append(&second, &r[..10]);
    // The write's event arrives; the half record must not be reported.
    let got = collect_rounds(&mut w, 1, 3);
    assert!(got.is_empty(), "{got:?}");
    append(&second, &r[10..]);
    let got = collect(&mut w, 1);
    assert_eq!(got.len(), 1);
}
