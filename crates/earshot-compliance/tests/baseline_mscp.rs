//! The mSCP false results of spec/mscp_rules.md §3, each as a case where Earshot's
//! semantic verdict is right and the literal mSCP check (reproduced) is wrong — plus
//! baseline membership facts.

use std::collections::BTreeMap;

use audit_control::ClassTable;
use earshot_compliance::{
    evaluate, Baseline, BaselineRules, DirEntry, DirFacts, FileFacts, FileKind, FileMeta, Observed,
    Report, Status,
};

fn observed(ac: &str) -> Observed {
    Observed {
        audit_control: Some(ac.as_bytes().to_vec()),
        ..Observed::default()
    }
}

fn run(b: Baseline, obs: &Observed) -> Report {
    evaluate(b, obs, &ClassTable::apple())
}

/// (Earshot status, mSCP literal verdict) for one rule.
fn verdicts<'a>(report: &'a Report, id: &str) -> (Status, &'a str) {
    let r = report
        .result(id)
        .unwrap_or_else(|| panic!("{id} not in {}", report.baseline.name()));
    let lit = r
        .mscp_literal
        .as_ref()
        .map_or("none", |l| l.verdict.as_str());
    (r.status, lit)
}

fn disagreement(report: &Report, id: &str) -> String {
    report
        .result(id)
        .and_then(|r| r.disagreement.clone())
        .unwrap_or_default()
}

// CIS for macOS 26 (mSCP tahoe_rev3) retains 30 days: `expire-after:30d`.
const CIS_L2_FULL: &str = "dir:/var/audit\nflags:lo,aa,ad,-ex,-fr,-fw,-fm\nminfree:5\nnaflags:lo,aa\npolicy:cnt,argv\nfilesz:2M\nexpire-after:30d\n";

#[test]
fn a_literal_cis_l2_file_passes_both_ways() {
    let r = run(Baseline::CisL2, &observed(CIS_L2_FULL));
    for id in [
        "audit_flags_lo_configure",
        "audit_flags_aa_configure",
        "audit_flags_ad_configure",
        "audit_flags_ex_configure",
        "audit_flags_fr_configure",
        "audit_flags_fw_configure",
        "audit_flags_fm_failed_configure",
        "audit_retention_configure",
    ] {
        assert_eq!(verdicts(&r, id), (Status::Pass, "pass"), "{id}");
        assert!(disagreement(&r, id).is_empty());
    }
}

#[test]
fn minus_all_covers_failure_classes_but_mscp_does_not_recognise_it() {
    let r = run(
        Baseline::CisL2,
        &observed("flags:lo,aa,ad,-all\nexpire-after:30d\n"),
    );
    for id in [
        "audit_flags_ex_configure",
        "audit_flags_fr_configure",
        "audit_flags_fw_configure",
        "audit_flags_fm_failed_configure",
    ] {
        assert_eq!(verdicts(&r, id), (Status::Pass, "fail"), "{id}");
        assert!(disagreement(&r, id).contains("all"), "{id}");
    }
}

#[test]
fn caret_minus_fr_after_all_removes_fr_but_mscp_counts_it() {
    let r = run(Baseline::CisL2, &observed("flags:lo,aa,ad,-all,^-fr\n"));
    assert_eq!(
        verdicts(&r, "audit_flags_fr_configure"),
        (Status::Fail, "pass")
    );
    assert!(disagreement(&r, "audit_flags_fr_configure").contains("REMOVES"));
    // The other failure classes are still covered by -all.
    assert_eq!(verdicts(&r, "audit_flags_fw_configure").0, Status::Pass);
}

#[test]
fn fr_then_caret_fr_is_removed_left_to_right() {
    let r = run(Baseline::CisL2, &observed("flags:lo,aa,ad,-fr,^-fr\n"));
    let (status, lit) = verdicts(&r, "audit_flags_fr_configure");
    assert_eq!(status, Status::Fail);
    // Two tokens match `-fr`; mSCP wants exactly one, so it fails too — for the wrong reason.
    assert_eq!(lit, "fail");
}

#[test]
fn duplicate_tokens_fail_the_count_of_exactly_one() {
    let r = run(Baseline::CisL2, &observed("flags:lo,aa,ad,lo\n"));
    assert_eq!(
        verdicts(&r, "audit_flags_lo_configure"),
        (Status::Pass, "fail")
    );
    assert!(disagreement(&r, "audit_flags_lo_configure").contains("exactly one"));
}

#[test]
fn prefixes_are_counted_loosely_for_aa_and_ad() {
    // `-aa` audits failures only; `+ad` successes only. mSCP's `aa` / `ad` patterns
    // match anywhere in the token and count them.
    let r = run(Baseline::CisL2, &observed("flags:lo,-aa,+ad\n"));
    assert_eq!(
        verdicts(&r, "audit_flags_aa_configure"),
        (Status::Fail, "pass")
    );
    assert_eq!(
        verdicts(&r, "audit_flags_ad_configure"),
        (Status::Fail, "pass")
    );
    assert!(disagreement(&r, "audit_flags_aa_configure").contains("failures only"));
    // `lo` must start the token: `+lo` is not counted, and is not enough anyway.
    let r = run(Baseline::CisL2, &observed("flags:+lo,aa,ad\n"));
    assert_eq!(
        verdicts(&r, "audit_flags_lo_configure"),
        (Status::Fail, "fail")
    );
}

#[test]
fn a_blank_after_a_comma_invalidates_the_list_but_mscp_counts_the_token() {
    let r = run(Baseline::CisL2, &observed("flags:lo, aa,ad\n"));
    assert_eq!(
        verdicts(&r, "audit_flags_aa_configure"),
        (Status::Fail, "pass")
    );
    assert_eq!(
        verdicts(&r, "audit_flags_lo_configure"),
        (Status::Fail, "pass")
    );
    assert!(disagreement(&r, "audit_flags_aa_configure").contains("blank"));
}

#[test]
fn apple_reads_flags_up_to_the_next_colon_and_only_the_first_line() {
    // Apple: value `lo` (":aa" dropped); mSCP prints `$NF` = `aa`.
    let r = run(Baseline::CisL2, &observed("flags:lo:aa\n"));
    assert_eq!(
        verdicts(&r, "audit_flags_lo_configure"),
        (Status::Pass, "fail")
    );
    assert_eq!(
        verdicts(&r, "audit_flags_aa_configure"),
        (Status::Fail, "pass")
    );
    // First flags line wins for auditd; mSCP reads every line starting `flags`.
    let r = run(Baseline::CisL2, &observed("flags:lo,aa\nflags:ad\n"));
    assert_eq!(
        verdicts(&r, "audit_flags_ad_configure"),
        (Status::Fail, "pass")
    );
}

#[test]
fn retention_blank_after_colon_fails_literally_only() {
    let r = run(Baseline::CisL1, &observed("expire-after: 30d\n"));
    assert_eq!(
        verdicts(&r, "audit_retention_configure"),
        (Status::Pass, "fail")
    );
    assert!(disagreement(&r, "audit_retention_configure").contains("blank"));
}

#[test]
fn commented_expire_after_line_breaks_the_literal_check() {
    let r = run(
        Baseline::CisL1,
        &observed("#expire-after:10M\nexpire-after:30d\n"),
    );
    assert_eq!(
        verdicts(&r, "audit_retention_configure"),
        (Status::Pass, "fail")
    );
    assert!(disagreement(&r, "audit_retention_configure").contains("2 lines"));
}

#[test]
fn retention_is_compared_as_parsed_values() {
    for (text, earshot, literal) in [
        // CIS for macOS 26 (mSCP tahoe_rev3 ODV `30d`): age only, so any size
        // cap joined with OR can delete a trail younger than 30 days.
        ("30d", Status::Pass, "pass"),
        ("720h", Status::Pass, "fail"),
        ("30d AND 5G", Status::Pass, "fail"),
        ("29d", Status::Fail, "fail"),
        ("60d OR 5G", Status::Fail, "fail"),
        ("60d or 5G", Status::Fail, "fail"),
        ("60dOR5G", Status::Fail, "fail"),
        ("90d OR 10G", Status::Fail, "fail"),
        ("60d", Status::Pass, "fail"),
        ("5G AND 60d", Status::Pass, "fail"),
        ("60d OR 5120M", Status::Fail, "fail"),
        ("30d OR 5G", Status::Fail, "fail"),
        ("60d OR 1G", Status::Fail, "fail"),
        ("10M", Status::Fail, "fail"),
        ("0", Status::Fail, "fail"),
        ("60D", Status::Fail, "fail"),
    ] {
        let r = run(
            Baseline::CisL2,
            &observed(&format!("expire-after:{text}\n")),
        );
        assert_eq!(
            verdicts(&r, "audit_retention_configure"),
            (earshot, literal),
            "expire-after:{text}"
        );
    }
    // STIG/800-53 want 7 days: a 5G size cap can delete younger trails.
    let r = run(Baseline::Stig26, &observed("expire-after:60d OR 5G\n"));
    assert_eq!(
        verdicts(&r, "audit_retention_configure"),
        (Status::Fail, "fail")
    );
    let r = run(Baseline::Stig26, &observed("expire-after:30d\n"));
    assert_eq!(
        verdicts(&r, "audit_retention_configure"),
        (Status::Pass, "fail")
    );
}

#[test]
fn missing_expire_after_is_not_retention() {
    let r = run(Baseline::CisL1, &observed("flags:lo,aa\n"));
    assert_eq!(
        verdicts(&r, "audit_retention_configure"),
        (Status::Fail, "fail")
    );
}

#[test]
fn minfree_is_read_like_atoi() {
    for (text, earshot, literal) in [
        ("25", Status::Pass, "pass"),
        ("25%", Status::Pass, "fail"),
        (" 25", Status::Pass, "fail"),
        ("30", Status::Pass, "fail"),
        ("20", Status::Fail, "fail"),
        ("75", Status::Fail, "fail"),
    ] {
        let r = run(Baseline::Stig26, &observed(&format!("minfree:{text}\n")));
        assert_eq!(
            verdicts(&r, "audit_configure_capacity_notify"),
            (earshot, literal),
            "minfree:{text}"
        );
    }
}

#[test]
fn mscp_ahlt_fix_with_a_blank_is_not_applied() {
    let r = run(Baseline::Nist53Moderate, &observed("policy: ahlt,argv\n"));
    assert_eq!(verdicts(&r, "audit_failure_halt"), (Status::Fail, "pass"));
    assert!(disagreement(&r, "audit_failure_halt").contains("blank"));
    let r = run(
        Baseline::Nist53Moderate,
        &observed("policy:cnt,ahlt,argv\n"),
    );
    assert_eq!(verdicts(&r, "audit_failure_halt"), (Status::Pass, "pass"));
    // A word the kernel rejects makes the whole policy refused.
    let r = run(Baseline::Nist53Moderate, &observed("policy:cnt,ahlt,seq\n"));
    assert_eq!(verdicts(&r, "audit_failure_halt"), (Status::Fail, "pass"));
}

fn meta(kind: FileKind, uid: u32, gid: u32, mode: u32) -> FileMeta {
    FileMeta {
        kind,
        uid,
        gid,
        mode,
        has_acl: Some(false),
    }
}

fn trail(name: &str, mode: u32) -> DirEntry {
    DirEntry {
        name: name.into(),
        meta: meta(FileKind::File, 0, 0, mode),
    }
}

fn facts(dirs: Vec<(&str, FileMeta, Vec<DirEntry>)>) -> FileFacts {
    let mut map = BTreeMap::new();
    for (d, m, entries) in dirs {
        map.insert(
            d.to_string(),
            DirFacts {
                meta: Some(m),
                entries,
            },
        );
    }
    FileFacts {
        gathered: true,
        audit_control: Some(meta(FileKind::File, 0, 0, 0o440)),
        dirs: map,
    }
}

#[test]
fn trail_files_0400_are_less_permissive_but_fail_the_literal_check() {
    let mut obs = observed("dir:/var/audit\n");
    obs.files = facts(vec![(
        "/var/audit",
        meta(FileKind::Dir, 0, 0, 0o700),
        vec![
            trail("20261101000000.20261102000000", 0o400),
            trail("20261102000000.not_terminated", 0o440),
            DirEntry {
                name: "current".into(),
                meta: meta(FileKind::Symlink, 0, 0, 0o755),
            },
        ],
    )]);
    let r = run(Baseline::CisL1, &obs);
    assert_eq!(
        verdicts(&r, "audit_files_mode_configure"),
        (Status::Pass, "fail")
    );
    assert_eq!(
        verdicts(&r, "audit_files_owner_configure"),
        (Status::Pass, "pass")
    );
    assert_eq!(
        verdicts(&r, "audit_folders_mode_configure"),
        (Status::Pass, "pass")
    );
    // 0644 is more permissive: both fail.
    obs.files.dirs.get_mut("/var/audit").unwrap().entries[0]
        .meta
        .mode = 0o644;
    let r = run(Baseline::CisL1, &obs);
    assert_eq!(
        verdicts(&r, "audit_files_mode_configure"),
        (Status::Fail, "fail")
    );
}

#[test]
fn folder_mode_0500_is_less_permissive_than_700() {
    let mut obs = observed("dir:/var/audit\n");
    obs.files = facts(vec![(
        "/var/audit",
        meta(FileKind::Dir, 0, 0, 0o500),
        vec![],
    )]);
    let r = run(Baseline::Stig26, &obs);
    assert_eq!(
        verdicts(&r, "audit_folders_mode_configure"),
        (Status::Pass, "fail")
    );
}

#[test]
fn audit_group_on_trails_fails_group_rule() {
    let mut obs = observed("dir:/var/audit\n");
    let mut t = trail("20261101000000.20261102000000", 0o440);
    t.meta.gid = 20;
    obs.files = facts(vec![(
        "/var/audit",
        meta(FileKind::Dir, 0, 0, 0o700),
        vec![t],
    )]);
    let r = run(Baseline::CisL1, &obs);
    assert_eq!(
        verdicts(&r, "audit_files_group_configure"),
        (Status::Fail, "fail")
    );
}

#[test]
fn hard_coded_var_audit_misses_the_configured_folder() {
    // Trails live on another volume whose folder carries an ACL; mSCP's ACL check
    // looks at /var/audit only.
    let mut obs = observed("dir:/Volumes/Audit/trails\n");
    let mut acl_dir = meta(FileKind::Dir, 0, 0, 0o700);
    acl_dir.has_acl = Some(true);
    obs.files = facts(vec![
        ("/Volumes/Audit/trails", acl_dir, vec![]),
        ("/var/audit", meta(FileKind::Dir, 0, 0, 0o700), vec![]),
    ]);
    let r = run(Baseline::CisL1, &obs);
    assert_eq!(
        verdicts(&r, "audit_acls_folders_configure"),
        (Status::Fail, "pass")
    );
}

#[test]
fn two_trail_folders_break_the_single_line_checks() {
    let mut obs = observed("dir:/var/audit\ndir:/Volumes/Audit/trails\n");
    obs.files = facts(vec![
        (
            "/Volumes/Audit/trails",
            meta(FileKind::Dir, 0, 0, 0o700),
            vec![],
        ),
        ("/var/audit", meta(FileKind::Dir, 0, 0, 0o700), vec![]),
    ]);
    let r = run(Baseline::CisL1, &obs);
    assert_eq!(
        verdicts(&r, "audit_folder_owner_configure"),
        (Status::Pass, "fail")
    );
    assert_eq!(
        verdicts(&r, "audit_folders_mode_configure"),
        (Status::Pass, "fail")
    );
    assert_eq!(
        verdicts(&r, "audit_files_mode_configure"),
        (Status::Pass, "fail")
    );
    assert_eq!(
        verdicts(&r, "audit_acls_files_configure"),
        (Status::Pass, "fail")
    );
    // Sums of uids are not disturbed by headers.
    assert_eq!(
        verdicts(&r, "audit_files_owner_configure"),
        (Status::Pass, "pass")
    );
}

#[test]
fn a_missing_audit_control_passes_the_literal_mode_check() {
    let obs = Observed {
        files: FileFacts {
            gathered: true,
            audit_control: None,
            dirs: BTreeMap::new(),
        },
        ..Observed::default()
    };
    let r = run(Baseline::CisL1, &obs);
    assert_eq!(
        verdicts(&r, "audit_control_mode_configure"),
        (Status::Fail, "pass")
    );
    assert_eq!(
        verdicts(&r, "audit_control_owner_configure"),
        (Status::Fail, "fail")
    );
    assert_eq!(verdicts(&r, "audit_auditd_enabled").0, Status::Fail);
}

#[test]
fn audit_control_0400_passes_both() {
    let mut obs = observed("flags:lo,aa\n");
    obs.files = facts(vec![]);
    obs.files.audit_control = Some(meta(FileKind::File, 0, 0, 0o400));
    let r = run(Baseline::CisL1, &obs);
    assert_eq!(
        verdicts(&r, "audit_control_mode_configure"),
        (Status::Pass, "pass")
    );
    obs.files.audit_control = Some(meta(FileKind::File, 0, 0, 0o444));
    let r = run(Baseline::CisL1, &obs);
    assert_eq!(
        verdicts(&r, "audit_control_mode_configure"),
        (Status::Fail, "fail")
    );
}

#[test]
fn without_file_facts_or_root_the_rules_are_unknown_not_failed() {
    let r = run(Baseline::CisL1, &observed(CIS_L2_FULL));
    assert_eq!(
        verdicts(&r, "audit_control_owner_configure"),
        (Status::Unknown, "none")
    );
    assert_eq!(
        verdicts(&r, "audit_auditd_enabled"),
        (Status::Unknown, "none")
    );
    assert!(r.passed());
}

#[test]
fn audit_warn_needs_logger_dash_s() {
    let mut obs = observed(CIS_L2_FULL);
    obs.audit_warn_known = true;
    obs.audit_warn =
        Some(b"#!/bin/sh\nlogger -p security.warning \"audit warning: $@\"\n".to_vec());
    let r = run(Baseline::Stig26, &obs);
    assert_eq!(
        verdicts(&r, "audit_settings_failure_notify"),
        (Status::Fail, "fail")
    );
    obs.audit_warn =
        Some(b"#!/bin/sh\nlogger -p security.warning -s \"audit warning: $@\"\n".to_vec());
    let r = run(Baseline::Stig26, &obs);
    assert_eq!(
        verdicts(&r, "audit_settings_failure_notify"),
        (Status::Pass, "fail")
    );
    obs.audit_warn = Some(
        b"#!/bin/sh\n# logger -s -p old\nlogger -s -p security.warning \"audit warning: $@\"\n"
            .to_vec(),
    );
    let r = run(Baseline::Stig26, &obs);
    assert_eq!(
        verdicts(&r, "audit_settings_failure_notify"),
        (Status::Pass, "fail")
    );
}

#[test]
fn baseline_membership_follows_mscp() {
    let ids = |b: Baseline| -> Vec<&str> { b.rules().iter().map(|(r, _)| r.id).collect() };
    assert!(!ids(Baseline::Stig26).contains(&"audit_failure_halt"));
    assert!(ids(Baseline::Stig15).contains(&"audit_failure_halt"));
    assert_eq!(
        Baseline::Stig15
            .stig_id(earshot_compliance::catalogue::rule("audit_failure_halt").unwrap()),
        Some("APPL-15-001010")
    );
    assert!(ids(Baseline::Nist53Low).contains(&"audit_failure_halt"));
    assert!(!ids(Baseline::CisL1)
        .iter()
        .any(|i| i.starts_with("audit_flags")));
    assert!(ids(Baseline::CisL2).contains(&"audit_flags_fm_failed_configure"));
    assert!(!ids(Baseline::CisL2).contains(&"audit_flags_fm_configure"));
    assert!(ids(Baseline::Stig26).contains(&"audit_flags_fm_configure"));
    assert!(!ids(Baseline::Stig26).contains(&"audit_flags_fm_failed_configure"));
    assert!(ids(Baseline::Nist53High).contains(&"audit_configure_capacity_notify"));
    assert!(!ids(Baseline::Nist53Moderate).contains(&"audit_configure_capacity_notify"));
    assert!(!ids(Baseline::Nist53High).contains(&"audit_control_mode_configure"));
    // 27–31 appear as manual / inherent.
    let r = run(Baseline::All, &observed(CIS_L2_FULL));
    for (id, s) in [
        ("audit_off_load_records", Status::Manual),
        ("audit_alert_processing_fail", Status::Manual),
        ("audit_enforce_dual_auth", Status::Manual),
        ("audit_record_reduction_report_generation", Status::Inherent),
        ("audit_records_processing", Status::Manual),
    ] {
        assert_eq!(verdicts(&r, id).0, s, "{id}");
    }
    let r = run(Baseline::Nist53Moderate, &observed(CIS_L2_FULL));
    assert_eq!(
        verdicts(&r, "audit_record_reduction_report_generation").0,
        Status::Inherent
    );
    // ODVs.
    let odv = |b: Baseline| {
        run(b, &observed(""))
            .result("audit_retention_configure")
            .and_then(|r| r.odv.clone())
    };
    assert_eq!(odv(Baseline::CisL1).as_deref(), Some("30d"));
    assert_eq!(odv(Baseline::CisL2).as_deref(), Some("30d"));
    assert_eq!(odv(Baseline::All).as_deref(), Some("7d"));
    assert_eq!(odv(Baseline::Stig26).as_deref(), Some("7d"));
    assert_eq!(odv(Baseline::Nist53High).as_deref(), Some("7d"));
}

#[test]
fn names_round_trip() {
    for b in Baseline::ALL {
        assert_eq!(Baseline::parse(b.name()), Ok(b));
    }
    assert_eq!(Baseline::parse("stig"), Ok(Baseline::Stig26));
    // mSCP's own baseline names (spec/mscp_rules.md) are accepted as they are spelled there.
    assert_eq!(Baseline::parse("cis_lvl1"), Ok(Baseline::CisL1));
    assert_eq!(Baseline::parse("disa_stig"), Ok(Baseline::Stig26));
    assert_eq!(Baseline::parse("800-53r5_low"), Ok(Baseline::Nist53Low));
    assert_eq!(
        Baseline::parse("800-53r5_moderate"),
        Ok(Baseline::Nist53Moderate)
    );
    assert_eq!(Baseline::parse("800-53r5_high"), Ok(Baseline::Nist53High));
    assert!(Baseline::parse("iso-27001").is_err());
}

#[test]
fn garbage_never_panics() {
    let junk: &[&[u8]] = &[
        b"\xff\xfe\x00flags:\x00lo",
        b"flags",
        b"flags:",
        b":::::",
        b"expire-after:18446744073709551615G OR 99999999999999999999d",
        b"minfree:-99999999999999999999999",
        b"policy:,,,",
        b"dir",
    ];
    for j in junk {
        let obs = Observed {
            audit_control: Some(j.to_vec()),
            ..Observed::default()
        };
        for b in Baseline::ALL {
            let _ = run(b, &obs);
        }
    }
}

#[test]
fn a_blank_before_the_dir_path_makes_auditd_skip_it() {
    // mSCP's shell word splitting hides the blank; auditd's statfs(" /var/audit") fails.
    let mut obs = observed("dir: /var/audit\n");
    obs.files = facts(vec![(
        "/var/audit",
        meta(FileKind::Dir, 0, 0, 0o700),
        vec![],
    )]);
    let r = run(Baseline::CisL1, &obs);
    let owner = r.result("audit_folder_owner_configure").unwrap();
    assert_eq!(owner.status, Status::Pass);
    assert!(
        owner.found.contains("not an absolute path"),
        "{}",
        owner.found
    );
    assert_eq!(owner.mscp_literal.as_ref().unwrap().verdict, "pass");
}
