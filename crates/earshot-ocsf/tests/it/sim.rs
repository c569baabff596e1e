//! The simulated Mac's workloads: every record of a few simulated hours, per
//! profile, is one valid event.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use audit_control::tables::EventTable;
use earshot_ocsf::Mapper;
use earshot_sim::{AuditingSetup, InitOptions};

use crate::common::*;

fn profile(name: &str, hours: f64) -> BTreeMap<(u64, u64), usize> {
    let dir = tempfile::tempdir().unwrap();
    let report = earshot_sim::init(
        dir.path(),
        &InitOptions {
            macos_version: "15.1".into(),
            days: hours / 24.0,
            profile: name.into(),
            seed: 11,
            auditing: AuditingSetup::On,
            now: SystemTime::UNIX_EPOCH + Duration::from_secs(1_790_000_000),
            audit_control: None,
        },
    )
    .unwrap();
    // The Mac's own audit_event, as the helper would pass it.
    let table =
        EventTable::parse(&std::fs::read(dir.path().join("etc/security/audit_event")).unwrap());
    let mapper = Mapper::new(&table, host());
    let mut seen = BTreeMap::new();
    let mut records = 0u64;
    let mut files: Vec<_> = std::fs::read_dir(dir.path().join("var/audit"))
        .unwrap()
        .map(|e| e.unwrap().path())
        // `current` is a link to the trail being written: read that once.
        .filter(|p| p.is_file() && !p.is_symlink())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{name}: trails written");
    for f in files {
        for (_, ev) in map_file(&mapper, &f) {
            records += 1;
            let key = (
                ev["class_uid"].as_u64().unwrap(),
                ev["activity_id"].as_u64().unwrap(),
            );
            *seen.entry(key).or_default() += 1;
        }
    }
    assert!(records > 0, "{name}: records mapped");
    assert!(
        records <= report.records,
        "{name}: {records} events for {} records written (some expired)",
        report.records
    );
    seen
}

#[test]
fn laptop_workload() {
    let seen = profile("laptop", 3.0);
    assert!(seen.keys().any(|(c, _)| *c == 3002), "logins: {seen:?}");
}

#[test]
fn hardened_laptop_workload() {
    let seen = profile("hardened-laptop", 3.0);
    for class in [3002, 1001] {
        assert!(seen.keys().any(|(c, _)| *c == class), "{class}: {seen:?}");
    }
}

#[test]
fn build_server_workload() {
    let seen = profile("build-server", 3.0);
    assert!(seen.keys().any(|(c, _)| *c == 3002), "ssh jobs: {seen:?}");
}
