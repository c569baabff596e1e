//! The managed keys as a profile delivers them: typed, forced-only, every
//! mistake reported with what is wrong and the key falling back.

use earshot_fleet::managed::{parse, read};
use earshot_model::compliance::{Baseline, OdvValue};
use plist::{Dictionary, Value};

fn dict(pairs: &[(&str, Value)]) -> Dictionary {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

#[test]
fn no_profile_forces_nothing() {
    let m = parse(None);
    assert!(!m.profile);
    assert!(m.tuning_allowed() && m.rollback_allowed());
    assert!(m.problems.is_empty());
}

#[test]
fn typed_values_are_taken_and_wrong_ones_reported() {
    let mut odv = Dictionary::new();
    odv.insert(
        "audit_retention_configure".into(),
        Value::String("90d".into()),
    );
    odv.insert(
        "audit_configure_capacity_notify".into(),
        Value::Integer(15.into()),
    );
    odv.insert(
        "audit_flags_lo_configure".into(),
        Value::String("lo".into()),
    );
    let mut ex = Dictionary::new();
    ex.insert("audit_failure_halt".into(), Value::String("kiosks".into()));
    ex.insert("audit_no_such_rule".into(), Value::String("typo".into()));
    ex.insert("audit_flags_ad_configure".into(), Value::Boolean(true));
    let m = parse(Some(&dict(&[
        ("AllowUserTuning", Value::Boolean(false)),
        ("AllowRollback", Value::String("no".into())),
        ("Baseline", Value::String("800-53r5_high".into())),
        ("ODV", Value::Dictionary(odv)),
        ("Exemptions", Value::Dictionary(ex)),
        ("SnapshotIntervalSecs", Value::Integer(5.into())),
        ("EventExportPath", Value::String("../escape".into())),
        ("Comment", Value::String("set by Jamf".into())),
    ])));
    assert!(m.profile);
    assert_eq!(m.allow_user_tuning, Some(false));
    assert!(!m.tuning_allowed());
    assert_eq!(m.allow_rollback, None, "a string is not a boolean");
    assert!(m.rollback_allowed());
    assert_eq!(m.baseline, Some(Baseline::Nist53High));
    assert_eq!(
        m.tailoring.odv.get("audit_retention_configure"),
        Some(&OdvValue::Text("90d".into()))
    );
    assert_eq!(
        m.tailoring.odv.get("audit_configure_capacity_notify"),
        Some(&OdvValue::Number(15))
    );
    assert!(!m.tailoring.odv.contains_key("audit_flags_lo_configure"));
    assert_eq!(m.tailoring.exemptions.len(), 1);
    assert_eq!(
        m.tailoring.source.as_deref(),
        Some("managed:org.earshot.Earshot")
    );
    assert_eq!(m.snapshot_interval_secs, None);
    assert_eq!(m.event_export_path, None);
    let said: Vec<String> = m
        .problems
        .iter()
        .map(|p| format!("{}: {}", p.key, p.message))
        .collect();
    for expected in [
        "AllowRollback: must be a boolean",
        "SnapshotIntervalSecs: 5 is out of range",
        "EventExportPath: \"../escape\" must be an absolute folder",
        "Comment: unknown key",
        "ODV.audit_flags_lo_configure: ODV for `audit_flags_lo_configure`: this rule has no organisation-defined value",
        "Exemptions.audit_no_such_rule: exemption for `audit_no_such_rule`: no such mSCP audit rule",
        "Exemptions.audit_flags_ad_configure: must be a string",
    ] {
        assert!(
            said.iter().any(|s| s.starts_with(expected)),
            "{expected:?} not in {said:#?}"
        );
    }
}

#[test]
fn odv_values_neither_auditd_nor_mscp_could_accept_are_refused() {
    for (value, ok) in [
        (Value::String("30d".into()), true),
        (Value::String("60d OR 5G".into()), true),
        (Value::String("30 days".into()), false),
        (Value::String("60d or 5G".into()), false),
        (Value::Integer(30.into()), false),
    ] {
        let mut odv = Dictionary::new();
        odv.insert("audit_retention_configure".into(), value.clone());
        let m = parse(Some(&dict(&[("ODV", Value::Dictionary(odv))])));
        assert_eq!(m.problems.is_empty(), ok, "{value:?}: {:?}", m.problems);
        assert_eq!(m.tailoring.odv.is_empty(), !ok, "{value:?}");
    }
    for (n, ok) in [(1, true), (100, true), (0, false), (101, false)] {
        let mut odv = Dictionary::new();
        odv.insert(
            "audit_configure_capacity_notify".into(),
            Value::Integer(n.into()),
        );
        let m = parse(Some(&dict(&[("ODV", Value::Dictionary(odv))])));
        assert_eq!(m.problems.is_empty(), ok, "minfree {n}: {:?}", m.problems);
    }
}

#[test]
fn a_simulated_mac_reads_its_profile_from_its_root_and_a_damaged_one_is_a_problem() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    earshot_sim::init(
        root,
        &earshot_sim::InitOptions {
            macos_version: "15.1".into(),
            days: 0.0,
            profile: "laptop".into(),
            seed: 1,
            auditing: earshot_sim::AuditingSetup::AppleDefault,
            now: std::time::SystemTime::now(),
            audit_control: None,
        },
    )
    .unwrap();
    let mac = earshot_sim::SimulatedMac::open(root).unwrap();
    assert!(!read(&mac).profile);
    let folder = root.join("Library/Managed Preferences");
    std::fs::create_dir_all(&folder).unwrap();
    let file = folder.join("org.earshot.Earshot.plist");
    plist::Value::Dictionary(dict(&[("EnableMenuItem", Value::Boolean(false))]))
        .to_file_binary(&file)
        .unwrap();
    let m = read(&mac);
    assert_eq!(m.enable_menu_item, Some(false));
    std::fs::write(&file, b"<plist><dict><key>Broken").unwrap();
    let m = read(&mac);
    assert!(m.profile);
    assert_eq!(m.enable_menu_item, None);
    assert!(
        m.problems[0].message.contains("not a property list"),
        "{:?}",
        m.problems
    );
}
