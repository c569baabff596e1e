//! Earshot's own events: each writer gives one valid line with the fields the
//! helper's callers rely on.

use std::time::{Duration, SystemTime};

use earshot_ocsf::*;
use serde_json::Value;

use crate::common::*;

fn at(ms: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_millis(ms)
}

fn line(f: impl FnOnce(&Mapper, &mut Vec<u8>)) -> Value {
    let mut out = Vec::new();
    f(&mapper(), &mut out);
    parse_checked(&out)
}

#[test]
fn a_config_change_is_device_config_state_change() {
    for origin in [
        ChangeOrigin::Earshot,
        ChangeOrigin::Rollback,
        ChangeOrigin::AutoRevert,
        ChangeOrigin::Outside,
    ] {
        let ev = line(|m, o| {
            m.config_change(
                o,
                &ConfigChange {
                    time: at(1_710_407_700_123),
                    revision: 7,
                    previous_revision: Some(6),
                    chain_hash: "9f2c…e1".into(),
                    origin,
                    summaries: vec!["flags: +ex".into(), "filesz: 2M → 8M".into()],
                    requester: Some(Requester {
                        uid: Some(501),
                        pid: Some(4242),
                        app: Some("Earshot.app".into()),
                    }),
                },
            )
        });
        assert_eq!(ev["class_uid"], 5019);
        assert_eq!(ev["activity_name"], "Log");
        assert_eq!(ev["time"], 1_710_407_700_123_i64);
        assert_eq!(ev["message"], "flags: +ex; filesz: 2M → 8M");
        let e = &ev["unmapped"]["earshot"];
        assert_eq!(e["revision"], 7);
        assert_eq!(e["previous_revision"], 6);
        assert_eq!(e["chain_hash"], "9f2c…e1");
        assert_eq!(e["origin"], origin.as_str());
        assert_eq!(e["changes"].as_array().unwrap().len(), 2);
        assert_eq!(ev["actor"]["user"]["uid"], "501");
        assert_eq!(ev["actor"]["app_name"], "Earshot.app");
        assert_eq!(
            ev["metadata"]["uid"],
            "4C4C4544-0000-1000-8000-B1C04F4D4E31:audit_control:7"
        );
        assert_eq!(ev["metadata"]["log_provider"], "Earshot");
        let want_severity = if origin == ChangeOrigin::Earshot {
            1
        } else {
            3
        };
        assert_eq!(ev["severity_id"], want_severity);
    }
    // The least a caller may give.
    let ev = line(|m, o| {
        m.config_change(
            o,
            &ConfigChange {
                time: at(0),
                revision: 1,
                previous_revision: None,
                chain_hash: String::new(),
                origin: ChangeOrigin::Earshot,
                summaries: vec![],
                requester: None,
            },
        )
    });
    assert!(ev.get("actor").is_none());
    assert_eq!(ev["message"], "audit_control revision 1 (earshot)");
}

#[test]
fn health_transitions_are_event_log_activity() {
    for (t, id, name) in [
        (HealthTransition::AuditingStopped, 7, "Stop"),
        (HealthTransition::AuditingStarted, 6, "Start"),
        (HealthTransition::BelowMinfree, 99, "Below minfree"),
        (HealthTransition::AboveMinfree, 99, "Above minfree"),
    ] {
        let ev = line(|m, o| {
            m.health_change(
                o,
                &HealthChange {
                    time: at(1_000),
                    transition: t,
                    message: None,
                    free_bytes: Some(12_345),
                },
            )
        });
        assert_eq!(ev["class_uid"], 1008);
        assert_eq!(ev["activity_id"], id);
        assert_eq!(ev["activity_name"], name);
        assert_eq!(ev["log_provider"], "Earshot");
        assert_eq!(ev["unmapped"]["earshot"]["free_bytes"], 12_345);
        assert!(ev["message"].is_string());
    }
}

#[test]
fn rotation_expiry_and_loss_name_the_trail() {
    let rotated = line(|m, o| {
        m.trail_change(
            o,
            &TrailChange {
                time: at(2_000),
                action: TrailAction::Rotated,
                path: "/var/audit/20240314091500.20240314092501".into(),
                size: Some(2_097_152),
                next: Some("/var/audit/20240314092501.not_terminated".into()),
            },
        )
    });
    assert_eq!(rotated["activity_name"], "Rotate");
    assert_eq!(rotated["file"]["name"], "20240314091500.20240314092501");
    assert_eq!(rotated["file"]["size"], 2_097_152);
    assert_eq!(
        rotated["unmapped"]["earshot"]["next_trail"],
        "/var/audit/20240314092501.not_terminated"
    );
    let expired = line(|m, o| {
        m.trail_change(
            o,
            &TrailChange {
                time: at(3_000),
                action: TrailAction::Expired,
                path: "/var/audit/20240301000000.20240302000000".into(),
                size: None,
                next: None,
            },
        )
    });
    assert_eq!(expired["activity_id"], 2);
    assert_eq!(expired["activity_name"], "Delete");
    assert!(expired.get("unmapped").is_none());

    let lost = line(|m, o| {
        m.records_lost(
            o,
            &RecordsLost {
                time: at(4_000),
                path: "/var/audit/20240301000000.20240302000000".into(),
                lost_records: 1234,
                lost_bytes: Some(99_000),
            },
        )
    });
    assert_eq!(lost["activity_name"], "Delete");
    assert_eq!(lost["unmapped"]["earshot"]["lost_records"], 1234);
    assert!(lost["message"]
        .as_str()
        .unwrap()
        .starts_with("1234 records lost"));
    assert_eq!(lost["file"]["parent_folder"], "/var/audit");
}

#[test]
fn each_spool_file_starts_with_its_own_line() {
    let first = |seq: u64, ms: u64| {
        line(|m, o| {
            m.spool_start(
                o,
                &SpoolStart {
                    time: at(ms),
                    path: format!("/var/db/earshot/ocsf/events-{seq}.ndjson"),
                    sequence: seq,
                    previous: (seq > 1).then(|| format!("events-{}.ndjson", seq - 1)),
                },
            )
        })
    };
    let a = first(1, 5_000);
    let b = first(2, 5_000);
    assert_eq!(a["activity_name"], "Rotate");
    assert_eq!(a["log_provider"], "Earshot");
    assert_eq!(a["log_type"], "Application");
    assert_eq!(a["file"]["name"], "events-1.ndjson");
    assert_ne!(a["metadata"]["uid"], b["metadata"]["uid"]);
    assert_ne!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&b).unwrap(),
        "no two spool files start alike"
    );
    assert_eq!(b["unmapped"]["earshot"]["previous_file"], "events-1.ndjson");
}

#[test]
fn compliance_results_are_findings_with_a_stable_id() {
    let change = |status, previous, closed| ComplianceChange {
        time: at(6_000),
        rule_id: "audit_retention_configure".into(),
        title: Some("Configure audit retention to 30 days".into()),
        status,
        previous,
        closed,
        standards: vec!["CIS macOS 15 Level 1".into()],
        requirements: vec!["NIST 800-53r5 AU-11".into()],
        detail: Some("expire-after:60d OR 5G".into()),
        remediation: Some("Set expire-after to 30d".into()),
    };
    let created = line(|m, o| m.compliance_change(o, &change(ComplianceStatus::Fail, None, false)));
    assert_eq!(created["class_uid"], 2003);
    assert_eq!(created["activity_name"], "Create");
    assert_eq!(created["status"], "New");
    assert_eq!(created["compliance"]["status_id"], 3);
    assert_eq!(created["compliance"]["status"], "Fail");
    assert_eq!(
        created["compliance"]["control"],
        "audit_retention_configure"
    );
    assert_eq!(created["severity"], "Medium");
    let fixed = line(|m, o| {
        m.compliance_change(
            o,
            &change(ComplianceStatus::Pass, Some(ComplianceStatus::Fail), false),
        )
    });
    assert_eq!(fixed["activity_name"], "Update");
    assert_eq!(fixed["status"], "Resolved");
    assert_eq!(fixed["compliance"]["status"], "Pass");
    let closed = line(|m, o| {
        m.compliance_change(
            o,
            &change(ComplianceStatus::Pass, Some(ComplianceStatus::Pass), true),
        )
    });
    assert_eq!(closed["activity_name"], "Close");
    for ev in [&created, &fixed, &closed] {
        assert_eq!(
            ev["finding_info"]["uid"],
            "4C4C4544-0000-1000-8000-B1C04F4D4E31:audit_retention_configure",
            "one finding per host and rule"
        );
    }
    let bare = line(|m, o| {
        m.compliance_change(
            o,
            &ComplianceChange {
                time: at(0),
                rule_id: "x".into(),
                title: None,
                status: ComplianceStatus::Warning,
                previous: None,
                closed: false,
                standards: vec![],
                requirements: vec![],
                detail: None,
                remediation: None,
            },
        )
    });
    assert_eq!(bare["finding_info"]["title"], "x");
}
