//! The audit rules of the macOS Security Compliance Project (mSCP), as data.
//!
//! Source: `usnistgov/macos_security`, the `tahoe` release branch at tag
//! `tahoe_rev3` (cf656e84, 2026-06-22; rule files `rules/audit/*.yaml`),
//! summarised in `spec/mscp_rules.md` with its correction (the CIS retention
//! ODV is `30d` in that release, not `main`'s `60d OR 5G`). Each rule
//! keeps its mSCP id, the CIS benchmark section, the DISA STIG ids for macOS 15 and 26,
//! and the NIST 800-53r5 controls it cites. Which baseline contains which rule (and with
//! which organisation-defined value) is decided in [`super::Baseline::membership`].

use serde::Serialize;

/// What a rule inspects; decides which evaluator runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum RuleKind {
    /// Rule 1: launchd job, audit_control present, kernel auditing on.
    AuditingEnabled,
    /// A `flags` requirement: `class` audited for success and/or failure.
    /// `pattern` is the literal regex mSCP greps for in the `flags` tokens.
    Flag {
        class: &'static str,
        success: bool,
        failure: bool,
        pattern: &'static str,
    },
    /// `expire-after` (ODV: retention string).
    Retention,
    /// `minfree` (ODV: percent).
    CapacityNotify,
    /// `policy` contains `ahlt`.
    FailureHalt,
    /// `/etc/security/audit_warn` calls `logger -s`.
    FailureNotify,
    ControlOwner,
    ControlGroup,
    ControlMode,
    ControlAcl,
    FolderOwner,
    FolderGroup,
    FolderMode,
    FolderAcl,
    FilesOwner,
    FilesGroup,
    FilesMode,
    FilesAcl,
    /// No technical check exists: the rule is met by the platform or cannot be met.
    Manual {
        disposition: Disposition,
    },
}

/// How mSCP classifies a rule without a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Disposition {
    /// Met by the operating system itself (tools exist, crypto is built in).
    Inherent,
    /// "The technology does not support this requirement": an applicable,
    /// does-not-meet finding that no setting can fix.
    Permanent,
}

/// One mSCP audit rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// Position in the spec's rule table (1–31; the two `os_*` rules are 32 and 33).
    pub number: u8,
    /// mSCP rule id, e.g. `audit_flags_lo_configure`.
    pub id: &'static str,
    pub title: &'static str,
    pub kind: RuleKind,
    /// CIS Apple macOS benchmark section (same numbering on 14, 15 and 26).
    pub cis: Option<&'static str>,
    /// DISA STIG id for macOS 26 (Tahoe).
    pub stig_26: Option<&'static str>,
    /// DISA STIG id for macOS 15 (Sequoia).
    pub stig_15: Option<&'static str>,
    /// NIST SP 800-53 rev. 5 controls cited by the rule.
    pub nist_800_53: &'static [&'static str],
    /// The mSCP check command, verbatim (empty for manual rules).
    pub mscp_check: &'static str,
    /// mSCP's fix in brief (what an admin would run).
    pub fix: &'static str,
}

const FLAG_CHECK: &str =
    "/usr/bin/awk -F':' '/^flags/ { print $NF }' /etc/security/audit_control | /usr/bin/tr ',' '\\n' | /usr/bin/grep -Ec '<pattern>'";
const FILE_53: &[&str] = &["AC-2(12)", "AU-12", "AU-2", "AU-9", "CM-5(1)", "MA-4(1)"];
const AU9: &[&str] = &["AU-9"];

/// Every audit rule (1–31) plus the two related `os_*` rules, in table order.
pub const RULES: &[Rule] = &[
    Rule {
        number: 1,
        id: "audit_auditd_enabled",
        title: "Enable security auditing",
        kind: RuleKind::AuditingEnabled,
        cis: Some("3.1"),
        stig_26: Some("APPL-26-001003"),
        stig_15: Some("APPL-15-001003"),
        nist_800_53: &[
            "AU-3", "AU-3(1)", "AU-8", "AU-12", "AU-12(1)", "AU-12(3)", "AU-14(1)", "MA-4(1)",
            "CM-5(1)",
        ],
        mscp_check: "launchctl print system | grep -c -E '\\tcom.apple.auditd' == 1 && -e /etc/security/audit_control && audit -c | grep -c AUC_AUDITING == 1",
        fix: "cp /etc/security/audit_control.example /etc/security/audit_control (if missing); launchctl enable system/com.apple.auditd; launchctl bootstrap system /System/Library/LaunchDaemons/com.apple.auditd.plist; audit -i",
    },
    flag_rule(2, "audit_flags_lo_configure", "Audit all log in and log out events (lo)", "lo", true, true, "^lo",
        Some("3.2"), Some(("APPL-26-001002", "APPL-15-001002")), &["AC-2(12)", "AU-12", "AC-17(1)", "AU-2", "MA-4(1)"]),
    flag_rule(3, "audit_flags_aa_configure", "Audit all authorization and authentication events (aa)", "aa", true, true, "aa",
        Some("3.2"), Some(("APPL-26-001044", "APPL-15-001044")), &["AC-2(12)", "AU-12", "AU-2", "MA-4(1)", "CM-5(1)"]),
    flag_rule(4, "audit_flags_ad_configure", "Audit all administrative action events (ad)", "ad", true, true, "ad",
        Some("3.2"), Some(("APPL-26-001001", "APPL-15-001001")), &["AC-2(12)", "AC-6(9)", "AU-12", "AC-2(4)", "AU-2", "MA-4(1)", "CM-5(1)"]),
    flag_rule(5, "audit_flags_ex_configure", "Audit all failed program execution (-ex)", "ex", false, true, "-ex",
        Some("3.2"), Some(("APPL-26-001024", "APPL-15-001024")), &["AC-2(12)", "AU-12", "AU-2", "CM-5(1)"]),
    flag_rule(6, "audit_flags_fd_configure", "Audit all failed deletions of objects (-fd)", "fd", false, true, "-fd",
        None, Some(("APPL-26-001020", "APPL-15-001020")), FILE_53),
    flag_rule(7, "audit_flags_fm_configure", "Audit all changes of object attributes (fm)", "fm", true, true, "^fm",
        None, Some(("APPL-26-001021", "APPL-15-001021")), FILE_53),
    flag_rule(8, "audit_flags_fm_failed_configure", "Audit all failed changes of object attributes (-fm)", "fm", false, true, "-fm",
        Some("3.2"), None, FILE_53),
    flag_rule(9, "audit_flags_fr_configure", "Audit all failed read actions (-fr)", "fr", false, true, "-fr",
        Some("3.2"), Some(("APPL-26-001022", "APPL-15-001022")), FILE_53),
    flag_rule(10, "audit_flags_fw_configure", "Audit all failed write actions (-fw)", "fw", false, true, "-fw",
        Some("3.2"), Some(("APPL-26-001023", "APPL-15-001023")), FILE_53),
    Rule {
        number: 11,
        id: "audit_retention_configure",
        title: "Configure audit retention (expire-after)",
        kind: RuleKind::Retention,
        cis: Some("3.4"),
        stig_26: Some("APPL-26-001029"),
        stig_15: Some("APPL-15-001029"),
        nist_800_53: &["AU-11", "AU-4"],
        mscp_check: "/usr/bin/awk -F: '/expire-after/{print $2}' /etc/security/audit_control",
        fix: "set the expire-after line to expire-after:<ODV>; audit -s",
    },
    Rule {
        number: 12,
        id: "audit_configure_capacity_notify",
        title: "Configure audit capacity warning (minfree)",
        kind: RuleKind::CapacityNotify,
        cis: None,
        stig_26: Some("APPL-26-001030"),
        stig_15: Some("APPL-15-001030"),
        nist_800_53: &["AU-5(1)"],
        mscp_check: "/usr/bin/awk -F: '/^minfree/{print $2}' /etc/security/audit_control",
        fix: "set minfree:<ODV>; audit -s",
    },
    Rule {
        number: 13,
        id: "audit_failure_halt",
        title: "Shut down upon audit failure (policy ahlt)",
        kind: RuleKind::FailureHalt,
        cis: None,
        stig_26: None,
        stig_15: Some("APPL-15-001010"),
        nist_800_53: &["AU-5"],
        mscp_check: "/usr/bin/awk -F':' '/^policy/ {print $NF}' /etc/security/audit_control | /usr/bin/tr ',' '\\n' | /usr/bin/grep -Ec 'ahlt'",
        fix: "policy:cnt,ahlt,argv (Earshot) — mSCP writes `policy: ahlt,argv`, which drops cnt and whose leading blank makes the list invalid; audit -s",
    },
    Rule {
        number: 14,
        id: "audit_settings_failure_notify",
        title: "Configure audit failure notification (audit_warn uses logger -s)",
        kind: RuleKind::FailureNotify,
        cis: None,
        stig_26: Some("APPL-26-001031"),
        stig_15: Some("APPL-15-001031"),
        nist_800_53: &["AU-5(2)", "AU-5"],
        mscp_check: "/usr/bin/grep -c \"logger -s -p\" /etc/security/audit_warn",
        fix: "change `logger -p` to `logger -s -p` in /etc/security/audit_warn; audit -s",
    },
    file_rule(15, "audit_control_owner_configure", "audit_control owned by root", RuleKind::ControlOwner, ("APPL-26-001120", "APPL-15-001120"),
        "/bin/ls -dn /etc/security/audit_control | /usr/bin/awk '{print $3}'", "chown root /etc/security/audit_control"),
    file_rule(16, "audit_control_group_configure", "audit_control group wheel", RuleKind::ControlGroup, ("APPL-26-001110", "APPL-15-001110"),
        "/bin/ls -dn /etc/security/audit_control | /usr/bin/awk '{print $4}'", "chgrp wheel /etc/security/audit_control"),
    file_rule(17, "audit_control_mode_configure", "audit_control mode 440 or less permissive", RuleKind::ControlMode, ("APPL-26-001130", "APPL-15-001130"),
        "/bin/ls -l /etc/security/audit_control | /usr/bin/awk '!/-r--[r-]-----|current|total/{print $1}' | /usr/bin/wc -l", "chmod 440 /etc/security/audit_control"),
    file_rule(18, "audit_control_acls_configure", "audit_control without ACLs", RuleKind::ControlAcl, ("APPL-26-001140", "APPL-15-001140"),
        "/bin/ls -le /etc/security/audit_control | /usr/bin/awk '{print $1}' | /usr/bin/grep -c \":\"", "chmod -N /etc/security/audit_control"),
    file_rule(19, "audit_folder_owner_configure", "Audit log folders owned by root", RuleKind::FolderOwner, ("APPL-26-001013", "APPL-15-001013"),
        "/bin/ls -dn $(grep '^dir' /etc/security/audit_control | awk -F: '{print $2}') | awk '{print $3}'", "chown root /var/audit"),
    file_rule(20, "audit_folder_group_configure", "Audit log folders group wheel", RuleKind::FolderGroup, ("APPL-26-001015", "APPL-15-001015"),
        "/bin/ls -dn $(grep '^dir' /etc/security/audit_control | awk -F: '{print $2}') | awk '{print $4}'", "chgrp wheel /var/audit"),
    file_rule(21, "audit_folders_mode_configure", "Audit log folders mode 700 or less permissive", RuleKind::FolderMode, ("APPL-26-001017", "APPL-15-001017"),
        "/usr/bin/stat -f %A $(grep '^dir' /etc/security/audit_control | awk -F: '{print $2}')", "chmod 700 /var/audit"),
    file_rule(22, "audit_acls_folders_configure", "Audit log folder without ACLs", RuleKind::FolderAcl, ("APPL-26-000031", "APPL-15-000031"),
        "/bin/ls -lde /var/audit | /usr/bin/awk '{print $1}' | /usr/bin/grep -c \":\"", "chmod -N /var/audit"),
    file_rule(23, "audit_files_owner_configure", "Audit log files owned by root", RuleKind::FilesOwner, ("APPL-26-001012", "APPL-15-001012"),
        "/bin/ls -n $(grep '^dir' /etc/security/audit_control | awk -F: '{print $2}') | awk '{s+=$3} END {print s}'", "chown -R root /var/audit/*"),
    file_rule(24, "audit_files_group_configure", "Audit log files group wheel", RuleKind::FilesGroup, ("APPL-26-001014", "APPL-15-001014"),
        "/bin/ls -n $(grep '^dir' /etc/security/audit_control | awk -F: '{print $2}') | awk '{s+=$4} END {print s}'", "chgrp -R wheel /var/audit/*"),
    file_rule(25, "audit_files_mode_configure", "Audit log files mode 440 or less permissive", RuleKind::FilesMode, ("APPL-26-001016", "APPL-15-001016"),
        "/bin/ls -l $(grep '^dir' /etc/security/audit_control | awk -F: '{print $2}') | awk '!/-r--r-----|current|total/{print $1}' | wc -l", "chmod 440 /var/audit/*"),
    file_rule(26, "audit_acls_files_configure", "Audit log files without ACLs", RuleKind::FilesAcl, ("APPL-26-000030", "APPL-15-000030"),
        "/bin/ls -le $(grep '^dir' /etc/security/audit_control | awk -F: '{print $2}') | awk '{print $1}' | grep -c \":\"", "chmod -RN /var/audit"),
    manual_rule(27, "audit_off_load_records", "Off-load audit records to a different system", Disposition::Permanent, &["AU-4(1)"],
        "macOS cannot send BSM audit records to another system by itself; an external log collector (e.g. a SIEM agent reading /var/audit or /dev/auditpipe) is needed."),
    manual_rule(28, "audit_alert_processing_fail", "Alert on audit processing failure", Disposition::Permanent, &[],
        "mSCP: the technology does not support this requirement (applicable, does not meet). auditd's audit_warn script is the closest mechanism; Earshot's monitor can alert on suspended auditing and low space."),
    manual_rule(29, "audit_enforce_dual_auth", "Enforce dual authorization for audit changes", Disposition::Permanent, &["AU-9(5)"],
        "macOS has no two-person control for audit configuration; root can change audit_control alone."),
    manual_rule(30, "audit_record_reduction_report_generation", "Audit record reduction and report generation", Disposition::Inherent, &["AU-7"],
        "Inherent: macOS ships praudit and auditreduce (and Earshot reads trails directly)."),
    manual_rule(31, "audit_records_processing", "Process audit records for events of interest", Disposition::Permanent, &["AU-7(1)"],
        "mSCP: the technology does not support automatic processing of audit records for events of interest (applicable, does not meet)."),
    manual_rule(32, "os_limit_auditable_events", "Limit auditable events to those authorised", Disposition::Inherent, &[],
        "Inherent: only root can change what is audited (audit_control, audit_class, audit_event are root-owned)."),
    manual_rule(33, "os_crypto_audit", "Protect audit information with cryptography", Disposition::Inherent, &["AU-9(3)"],
        "Inherent: the audit volume is protected by the platform's FileVault / data-protection encryption."),
];

#[allow(clippy::too_many_arguments)]
const fn flag_rule(
    number: u8,
    id: &'static str,
    title: &'static str,
    class: &'static str,
    success: bool,
    failure: bool,
    pattern: &'static str,
    cis: Option<&'static str>,
    stig: Option<(&'static str, &'static str)>,
    nist: &'static [&'static str],
) -> Rule {
    let (stig_26, stig_15) = match stig {
        Some((s26, s15)) => (Some(s26), Some(s15)),
        None => (None, None),
    };
    Rule {
        number,
        id,
        title,
        kind: RuleKind::Flag {
            class,
            success,
            failure,
            pattern,
        },
        cis,
        stig_26,
        stig_15,
        nist_800_53: nist,
        mscp_check: FLAG_CHECK,
        fix: "add the flag to the flags line; takes effect at the next login (audit -s does not change running sessions)",
    }
}

const fn file_rule(
    number: u8,
    id: &'static str,
    title: &'static str,
    kind: RuleKind,
    stig: (&'static str, &'static str),
    check: &'static str,
    fix: &'static str,
) -> Rule {
    Rule {
        number,
        id,
        title,
        kind,
        cis: Some("3.5"),
        stig_26: Some(stig.0),
        stig_15: Some(stig.1),
        nist_800_53: AU9,
        mscp_check: check,
        fix,
    }
}

const fn manual_rule(
    number: u8,
    id: &'static str,
    title: &'static str,
    disposition: Disposition,
    nist: &'static [&'static str],
    explanation: &'static str,
) -> Rule {
    Rule {
        number,
        id,
        title,
        kind: RuleKind::Manual { disposition },
        cis: None,
        stig_26: None,
        stig_15: None,
        nist_800_53: nist,
        mscp_check: "",
        fix: explanation,
    }
}

/// Looks a rule up by its mSCP id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}
