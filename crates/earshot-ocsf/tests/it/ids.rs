//! Stable event ids: a record keeps its id when auditd renames its trail.

use earshot_ocsf::TrailId;

use crate::common::*;

#[test]
fn a_record_keeps_its_id_across_the_rename() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(bsm_fixture("macos_login_session.bsm")).unwrap();
    let open = dir.path().join("20240314091500.not_terminated");
    std::fs::write(&open, &bytes).unwrap();
    let mapper = mapper();
    let before = map_file(&mapper, &open);
    let closed = dir.path().join("20240314091500.20240314092501");
    std::fs::rename(&open, &closed).unwrap();
    let after = map_file(&mapper, &closed);
    assert_eq!(before.len(), after.len());
    for ((o1, a), (o2, b)) in before.iter().zip(&after) {
        assert_eq!(o1, o2);
        assert_eq!(a["metadata"]["uid"], b["metadata"]["uid"]);
        assert_eq!(a, b, "the whole event is the same");
        assert_eq!(
            a["metadata"]["uid"],
            format!("4C4C4544-0000-1000-8000-B1C04F4D4E31:20240314091500:{o1}")
        );
        assert_eq!(
            a["metadata"]["original_event_uid"],
            format!("20240314091500:{o1}")
        );
    }
    let uids: std::collections::BTreeSet<String> = before
        .iter()
        .map(|(_, e)| e["metadata"]["uid"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(uids.len(), before.len(), "every record has its own id");
    assert_eq!(
        mapper.event_uid(&TrailId::from_path(&closed), before[3].0),
        before[3].1["metadata"]["uid"]
    );
}

#[test]
fn the_host_part_falls_back_to_the_hostname() {
    let mut host = host();
    host.uid = None;
    let mapper = earshot_ocsf::Mapper::new(&audit_control::tables::EventTable::apple(), host);
    let evs = map_bytes(
        &mapper,
        &std::fs::read(bsm_fixture("macos_network.bsm")).unwrap(),
        &TrailId::from_name("20240314091500.crash_recovery"),
    );
    assert_eq!(
        evs[0].1["metadata"]["uid"],
        "alice-mbp.local:20240314091500:0"
    );
    assert!(evs[0].1["device"].get("uid").is_none());
}
