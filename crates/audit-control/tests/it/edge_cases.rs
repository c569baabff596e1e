//! spec/audit_control.md §9: every numbered edge case, its interpretation (Apple
//! dialect unless a case says otherwise, upstream where the spec gives "U") and
//! the diagnostic Earshot reports for it.

use audit_control::{
    AuditControl, ClassMask, ClassTable, Diagnostic, Dialect, Document, EffectivePolicy,
    ExpireAfter, ExpireOp, Setting, Severity,
};

const LO: u32 = 0x1000;
const AA: u32 = 0x2000;
const DAY: u64 = 86_400;
const MIB: u64 = 1 << 20;
const GIB: u64 = 1 << 30;

fn read(bytes: &[u8]) -> AuditControl {
    AuditControl::read(&Document::parse(bytes), &ClassTable::apple())
}

fn read_up(bytes: &[u8]) -> AuditControl {
    AuditControl::read_with(
        &Document::parse(bytes),
        &ClassTable::apple(),
        Dialect::Upstream,
    )
}

fn find<'a>(ac: &'a AuditControl, code: &str, line: u32) -> &'a Diagnostic {
    ac.diagnostics()
        .iter()
        .find(|d| d.code == code && d.line == line)
        .unwrap_or_else(|| panic!("no {code} on line {line}: {:#?}", ac.diagnostics()))
}

fn find_msg<'a>(ac: &'a AuditControl, code: &str, line: u32, needle: &str) -> &'a Diagnostic {
    ac.diagnostics()
        .iter()
        .find(|d| d.code == code && d.line == line && d.message.contains(needle))
        .unwrap_or_else(|| {
            panic!(
                "no {code} on line {line} with {needle:?}: {:#?}",
                ac.diagnostics()
            )
        })
}

fn has(ac: &AuditControl, code: &str) -> bool {
    ac.diagnostics().iter().any(|d| d.code == code)
}

fn errors_on(ac: &AuditControl, line: u32) -> Vec<&str> {
    ac.diagnostics()
        .iter()
        .filter(|d| d.line == line && d.severity == Severity::Error)
        .map(|d| d.code.as_str())
        .collect()
}

fn mask(s: u32, f: u32) -> Option<ClassMask> {
    Some(ClassMask {
        success: s,
        failure: f,
    })
}

#[test]
fn edge_01_flags_lo_aa() {
    let ac = read(b"flags:lo,aa\n");
    assert_eq!(ac.flags(), mask(0x3000, 0x3000));
    assert!(errors_on(&ac, 1).is_empty());
}

#[test]
fn edge_02_empty_items_skipped() {
    for f in [&b"flags:lo,aa,\n"[..], b"flags:lo,,aa\n"] {
        let ac = read(f);
        assert_eq!(ac.flags(), mask(LO | AA, LO | AA));
        assert!(errors_on(&ac, 1).is_empty());
    }
}

#[test]
fn edge_03_leading_blank_invalidates_list() {
    let ac = read(b"flags: lo,aa\n");
    assert_eq!(ac.flags(), None);
    assert!(matches!(ac.flags_setting(), Setting::Invalid { .. }));
    let d = find(&ac, "AC-FLAGS-BLANK", 1);
    assert_eq!((d.column, d.severity), (7, Severity::Error));
    assert!(d.message.contains("whole flags list is invalid"));
}

#[test]
fn edge_04_blank_after_comma() {
    let ac = read(b"flags:lo, aa\n");
    assert_eq!(ac.flags(), None);
    assert_eq!(find(&ac, "AC-FLAGS-BLANK", 1).column, 10);
}

#[test]
fn edge_05_class_names_case_sensitive() {
    let ac = read(b"flags:LO\n");
    assert_eq!(ac.flags(), None);
    assert!(find(&ac, "AC-FLAGS-CASE", 1).hint.contains("`lo`"));
}

#[test]
fn edge_06_key_case_sensitive() {
    let ac = read(b"Flags:lo\n");
    assert_eq!(ac.flags(), None);
    assert_eq!(*ac.flags_setting(), Setting::Missing);
    assert!(find(&ac, "AC-KEY-UNKNOWN", 1)
        .message
        .contains("case-sensitive"));
    find_msg(&ac, "AC-KEY-MISSING", 0, "`flags`");
}

#[test]
fn edge_07_blanks_around_key() {
    for f in [&b" flags:lo\n"[..], b"flags :lo\n"] {
        let ac = read(f);
        assert_eq!(*ac.flags_setting(), Setting::Missing);
        let d = find(&ac, "AC-KEY-UNKNOWN", 1);
        assert_eq!(d.severity, Severity::Warning);
        assert!(d.message.contains("blanks around a key"));
    }
}

#[test]
fn edge_08_leading_colon_skipped() {
    let ac = read(b":flags:lo\n");
    assert_eq!(ac.flags(), mask(LO, LO));
    assert_eq!(
        find(&ac, "AC-KEY-LEADING-COLON", 1).severity,
        Severity::Info
    );
}

#[test]
fn edge_09_colon_inside_value() {
    let ac = read(b"flags:lo:aa\n");
    assert_eq!(ac.flags(), mask(LO, LO));
    let d = find(&ac, "AC-VALUE-COLON", 1);
    assert_eq!(d.severity, Severity::Error);
    assert!(d.message.contains("macOS reads only `lo`"));
    let up = read_up(b"flags:lo:aa\n");
    assert_eq!(up.flags(), None);
    assert!(has(&up, "AC-FLAGS-UNKNOWN-CLASS"));
}

#[test]
fn edge_10_double_colon() {
    let ac = read(b"flags::lo\n");
    assert_eq!(ac.flags(), mask(LO, LO));
    // Nothing after the value is lost on macOS: a warning, not an error.
    assert_eq!(find(&ac, "AC-VALUE-COLON", 1).severity, Severity::Warning);
    // A trailing colon loses nothing either.
    assert_eq!(
        find(&read(b"flags:lo,aa:\n"), "AC-VALUE-COLON", 1).severity,
        Severity::Warning
    );
    let up = read_up(b"flags::lo\n");
    assert_eq!(up.flags(), None);
    assert!(has(&up, "AC-FLAGS-UNKNOWN-CLASS"));
}

#[test]
fn edge_11_flags_colon_no_value() {
    let ac = read(b"flags:\n");
    assert_eq!(ac.flags(), None);
    assert_eq!(*ac.flags_setting(), Setting::NoValue { line: 1 });
    let d = find(&ac, "AC-VALUE-MISSING", 1);
    assert!(d.message.contains("EINVAL"));
    let up = read_up(b"flags:\n");
    assert_eq!(up.flags(), Some(ClassMask::NONE));
    assert_eq!(find(&up, "AC-FLAGS-EMPTY", 1).severity, Severity::Info);
}

#[test]
fn edge_12_flags_without_colon() {
    let ac = read(b"flags\n");
    assert_eq!(*ac.flags_setting(), Setting::NoValue { line: 1 });
    assert!(has(&ac, "AC-VALUE-MISSING"));
    assert_eq!(read_up(b"flags\n").flags(), Some(ClassMask::NONE));
}

#[test]
fn edge_13_first_line_wins() {
    let ac = read(b"flags:lo\nflags:aa\n");
    assert_eq!(ac.flags(), mask(LO, LO));
    assert!(find(&ac, "AC-KEY-DUPLICATE", 2).message.contains("line 1"));
}

#[test]
fn edge_14_comment_only_in_column_1() {
    let ac = read(b"#flags:all\n");
    assert_eq!(*ac.flags_setting(), Setting::Missing);
    assert!(ac.diagnostics().iter().all(|d| d.line != 1));
    let ac = read(b"  #flags:all\n");
    assert_eq!(*ac.flags_setting(), Setting::Missing);
    assert_eq!(find(&ac, "AC-KEY-NOT-COMMENT", 1).column, 3);
}

#[test]
fn edge_15_no_inline_comments() {
    let ac = read(b"flags:lo,aa # login+auth\n");
    assert_eq!(ac.flags(), None);
    assert_eq!(find(&ac, "AC-FLAGS-INLINE-COMMENT", 1).column, 10);
}

#[test]
fn edge_16_trailing_blanks_trimmed() {
    let ac = read(b"flags:lo,aa\t \n");
    assert_eq!(ac.flags(), mask(LO | AA, LO | AA));
    assert!(errors_on(&ac, 1).is_empty());
}

#[test]
fn edge_17_crlf_breaks_flags() {
    let ac = read(b"flags:lo,aa\r\n");
    assert_eq!(ac.flags(), None);
    let d = find(&ac, "AC-FLAGS-CR", 1);
    assert!(d.message.contains("aa\\r"));
    assert!(d.hint.contains("LF"));
    assert!(has(&ac, "AC-LINE-CRLF"));
}

#[test]
fn edge_18_success_and_failure_prefixes() {
    assert_eq!(read(b"flags:+lo\n").flags(), mask(LO, 0));
    assert_eq!(read(b"flags:-lo\n").flags(), mask(0, LO));
}

#[test]
fn edge_19_prefix_order() {
    assert_eq!(read(b"flags:^+lo\n").flags(), mask(0, 0));
    assert_eq!(read(b"flags:lo,^+lo\n").flags(), mask(0, LO));
    for bad in [&b"flags:-^lo\n"[..], b"flags:+-lo\n"] {
        let ac = read(bad);
        assert_eq!(ac.flags(), None);
        assert!(has(&ac, "AC-FLAGS-BAD-PREFIX"), "{:?}", ac.diagnostics());
    }
}

#[test]
fn edge_20_left_to_right() {
    assert_eq!(read(b"flags:lo,^lo\n").flags(), mask(0, 0));
    assert_eq!(read(b"flags:^lo,lo\n").flags(), mask(LO, LO));
}

#[test]
fn edge_21_all() {
    let ac = read(b"flags:all\n");
    assert_eq!(ac.flags(), mask(u32::MAX, u32::MAX));
    assert_eq!(find(&ac, "AC-FLAGS-ALL", 1).severity, Severity::Warning);
}

#[test]
fn edge_22_failure_of_all() {
    assert_eq!(read(b"flags:-all\n").flags(), mask(0, u32::MAX));
    assert_eq!(read(b"flags:-all,^-fr\n").flags(), mask(0, !1));
}

#[test]
fn edge_23_no() {
    let ac = read(b"flags:no\n");
    assert_eq!(ac.flags(), Some(ClassMask::NONE));
    assert!(errors_on(&ac, 1).is_empty());
}

#[test]
fn edge_24_ex_and_mscp_literal_checks() {
    let ac = read(b"flags:ex\n");
    assert_eq!(ac.flags(), mask(0x4000_0000, 0x4000_0000));
    assert!(find(&ac, "AC-MSCP-LITERAL-FLAGS", 1)
        .message
        .contains("`-ex`"));
    assert!(has(&ac, "AC-FLAGS-EX-NO-SPAWN"));
}

#[test]
fn edge_25_naflags() {
    let ac = read(b"naflags:lo,aa\n");
    assert_eq!(ac.naflags(), mask(0x3000, 0x3000));
}

#[test]
fn edge_26_naflags_empty() {
    let ac = read(b"naflags:\n");
    assert_eq!(ac.naflags(), None);
    assert!(find(&ac, "AC-VALUE-MISSING", 1)
        .message
        .contains("non-attributable mask unchanged"));
    assert_eq!(read_up(b"naflags:\n").naflags(), Some(ClassMask::NONE));
}

#[test]
fn edge_27_policy_cnt_argv() {
    let ac = read(b"policy:cnt,argv\n");
    let p = ac.policy().unwrap();
    assert!(p.cnt && p.argv && !p.ahlt && !p.arge);
    assert_eq!(p.bits(), 0x5);
    assert!(matches!(
        ac.effective_policy(),
        EffectivePolicy::Applied { .. }
    ));
    assert!(errors_on(&ac, 1).is_empty());
}

#[test]
fn edge_28_policy_blank_forces_cnt() {
    let ac = read(b"policy:cnt, argv\n");
    assert_eq!(ac.policy(), None);
    assert_eq!(ac.effective_policy(), EffectivePolicy::ForcedCnt);
    let d = find(&ac, "AC-POLICY-INVALID", 1);
    assert_eq!(d.column, 12);
    assert!(d.message.contains("`argv` is not applied"), "{}", d.message);
}

#[test]
fn edge_29_mscp_ahlt_fix_is_ineffective() {
    for ac in [
        read(b"policy: ahlt,argv\n"),
        read_up(b"policy: ahlt,argv\n"),
    ] {
        assert_eq!(ac.effective_policy(), EffectivePolicy::ForcedCnt);
        let d = find(&ac, "AC-POLICY-INVALID", 1);
        assert!(d.message.contains("`ahlt`"), "{}", d.message);
        assert!(d.hint.contains("policy:cnt,argv"));
    }
}

#[test]
fn edge_30_ahlt_without_cnt() {
    let ac = read(b"policy:ahlt\n");
    let p = ac.policy().unwrap();
    assert!(p.ahlt && !p.cnt);
    assert!(find(&ac, "AC-POLICY-NO-CNT", 1).message.contains("panics"));
    assert!(find(&ac, "AC-POLICY-AHLT", 1).message.contains("panic"));
}

#[test]
fn edge_31_kernel_rejects_seq() {
    let ac = read(b"policy:cnt,seq\n");
    let p = ac.policy().unwrap();
    assert_eq!(p.rejected_words, vec!["seq".to_string()]);
    assert!(matches!(
        ac.effective_policy(),
        EffectivePolicy::KernelKeepsPrevious { .. }
    ));
    assert!(find(&ac, "AC-POLICY-KERNEL-REJECTS", 1)
        .message
        .contains("previous kernel policy"));
}

#[test]
fn edge_32_empty_or_missing_policy() {
    let ac = read(b"policy:\n");
    assert_eq!(ac.effective_policy(), EffectivePolicy::ForcedCnt);
    assert!(has(&ac, "AC-VALUE-MISSING"));
    let up = read_up(b"policy:\n");
    assert_eq!(up.effective_policy(), EffectivePolicy::ForcedCnt);
    assert!(has(&up, "AC-POLICY-INVALID"));
    let none = read(b"flags:lo\n");
    assert_eq!(none.effective_policy(), EffectivePolicy::ForcedCnt);
    find_msg(&none, "AC-KEY-MISSING", 0, "`cnt` alone");
}

#[test]
fn edge_33_policy_case() {
    let ac = read(b"policy:CNT\n");
    assert_eq!(ac.effective_policy(), EffectivePolicy::ForcedCnt);
    assert!(find(&ac, "AC-POLICY-INVALID", 1).hint.contains("`cnt`"));
}

#[test]
fn edge_34_minfree_atoi() {
    assert_eq!(read(b"minfree:25\n").minfree().unwrap().percent, 25);
    let ac = read(b"minfree: 25\n");
    assert_eq!(ac.minfree().unwrap().percent, 25);
    assert!(has(&ac, "AC-MSCP-LEADING-BLANK"));
    let ac = read(b"minfree:25%\n");
    assert_eq!(ac.minfree().unwrap().percent, 25);
    assert_eq!(find(&ac, "AC-MINFREE-TRAILING", 1).severity, Severity::Info);
}

#[test]
fn edge_35_minfree_not_number_or_out_of_range() {
    let ac = read(b"minfree:abc\n");
    assert_eq!(ac.minfree().unwrap().percent, 0);
    assert!(find(&ac, "AC-MINFREE-NOT-NUMBER", 1)
        .message
        .contains("as 0"));
    for bad in [&b"minfree:-5\n"[..], b"minfree:101\n"] {
        let ac = read(bad);
        assert_eq!(ac.minfree(), None);
        let d = find(&ac, "AC-MINFREE-RANGE", 1);
        assert!(d.message.contains("cannot start a trail"));
    }
}

#[test]
fn edge_36_minfree_kernel_quantization() {
    let ac = read(b"minfree:30\n");
    let m = ac.minfree().unwrap();
    assert_eq!(m.percent, 30);
    assert!((m.kernel_threshold_percent - 100.0 / 3.0).abs() < 1e-9);
    assert!(find(&ac, "AC-MINFREE-QUANTIZED", 1)
        .message
        .contains("33.3 %"));
}

#[test]
fn edge_37_filesz_units_and_minimum() {
    assert_eq!(read(b"filesz:2M\n").filesz(), Some(2_097_152));
    assert_eq!(read(b"filesz:512K\n").filesz(), Some(524_288));
    let ac = read(b"filesz:500K\n");
    assert_eq!(ac.filesz(), None);
    assert!(has(&ac, "AC-FILESZ-TOO-SMALL"));
}

#[test]
fn edge_38_filesz_quirks() {
    let ac = read(b"filesz:0\n");
    assert_eq!(ac.filesz(), Some(0));
    assert!(has(&ac, "AC-FILESZ-ZERO"));
    let ac = read(b"filesz:2m\n");
    assert_eq!(ac.filesz(), None);
    assert!(find(&ac, "AC-FILESZ-INVALID", 1).hint.contains("2M"));
    let ac = read(b"filesz:2 M\n");
    assert_eq!(ac.filesz(), None);
    assert!(find(&ac, "AC-FILESZ-TOO-SMALL", 1)
        .message
        .contains("2 bytes"));
    let ac = read(b"filesz:2MB\n");
    assert_eq!(ac.filesz(), Some(2 * MIB));
    assert!(has(&ac, "AC-FILESZ-TRAILING"));
    assert_eq!(read(b"filesz:1.5G\n").filesz(), None);
    assert!(has(&read(b"filesz:1.5G\n"), "AC-FILESZ-INVALID"));
    assert_eq!(read(b"filesz:2M # x\n").filesz(), Some(2 * MIB));
    let ac = read(b"filesz: 2M\n");
    assert_eq!(ac.filesz(), Some(2 * MIB));
    assert!(has(&ac, "AC-MSCP-LEADING-BLANK"));
    let ac = read(b"filesz:-1\n");
    assert_eq!(ac.filesz(), Some(u64::MAX));
    assert!(has(&ac, "AC-FILESZ-WRAPS"));
}

fn expire(ac: &AuditControl) -> ExpireAfter {
    ac.expire_after()
        .unwrap_or_else(|| panic!("{:#?}", ac.diagnostics()))
}

#[test]
fn edge_39_10m_is_mebibytes() {
    let ac = read(b"expire-after:10M\n");
    assert_eq!(
        expire(&ac),
        ExpireAfter {
            age_secs: None,
            size_bytes: Some(10 * MIB),
            op: ExpireOp::Or
        }
    );
    assert!(find(&ac, "AC-EXPIRE-MIB", 1)
        .message
        .contains("not minutes"));
}

#[test]
fn edge_40_age_units() {
    assert_eq!(
        expire(&read(b"expire-after:60d\n")).age_secs,
        Some(60 * DAY)
    );
    for (bad, what) in [
        ("60D", "upper-case"),
        ("60m", "no minute"),
        ("2w", "no week"),
    ] {
        let ac = read(format!("expire-after:{bad}\n").as_bytes());
        assert_eq!(ac.expire_after(), None, "{bad}");
        assert!(
            find(&ac, "AC-EXPIRE-INVALID", 1).message.contains(what),
            "{bad}"
        );
    }
}

#[test]
fn edge_41_and_or_separators() {
    let or = ExpireAfter {
        age_secs: Some(60 * DAY),
        size_bytes: Some(5 * GIB),
        op: ExpireOp::Or,
    };
    for v in ["60d OR 5G", "60d or 5G", "60dOR5G"] {
        assert_eq!(
            expire(&read(format!("expire-after:{v}\n").as_bytes())),
            or,
            "{v}"
        );
    }
    let and = expire(&read(b"expire-after:5G AND 60d\n"));
    assert_eq!(
        and,
        ExpireAfter {
            op: ExpireOp::And,
            ..or
        }
    );
}

#[test]
fn edge_42_expire_errors() {
    for v in ["60d XOR 5G", "60d OR", "60d # two months", "60d 5G"] {
        let ac = read(format!("expire-after:{v}\n").as_bytes());
        assert_eq!(ac.expire_after(), None, "{v}");
        assert_eq!(
            find(&ac, "AC-EXPIRE-INVALID", 1).severity,
            Severity::Error,
            "{v}"
        );
    }
    let ac = read(b"expire-after:60d 5G\n");
    assert!(find(&ac, "AC-EXPIRE-INVALID", 1)
        .message
        .contains("neither AND nor OR"));
}

#[test]
fn edge_43_tail_after_comma_ignored() {
    let ac = read(b"expire-after:60d, 5G\n");
    assert_eq!(
        expire(&ac),
        ExpireAfter {
            age_secs: Some(60 * DAY),
            size_bytes: None,
            op: ExpireOp::Or
        }
    );
    let d = find(&ac, "AC-EXPIRE-IGNORED-TAIL", 1);
    assert_eq!(d.column, 17);
    assert!(d.message.contains("`, 5G`"));
}

#[test]
fn edge_44_two_sizes_second_wins() {
    let ac = read(b"expire-after:60 OR 5G\n");
    assert_eq!(
        expire(&ac),
        ExpireAfter {
            age_secs: None,
            size_bytes: Some(5 * GIB),
            op: ExpireOp::Or
        }
    );
    assert!(has(&ac, "AC-EXPIRE-SAME-DIMENSION"));
}

#[test]
fn edge_45_and_with_one_dimension_never_deletes() {
    let ac = read(b"expire-after:60d AND 30d\n");
    let x = expire(&ac);
    assert_eq!(
        x,
        ExpireAfter {
            age_secs: Some(30 * DAY),
            size_bytes: None,
            op: ExpireOp::And
        }
    );
    assert!(!x.deletes_anything());
    assert!(has(&ac, "AC-EXPIRE-AND-NEVER"));
    assert!(has(&ac, "AC-EXPIRE-SAME-DIMENSION"));
}

#[test]
fn edge_46_years_and_zero() {
    assert_eq!(
        expire(&read(b"expire-after:1y\n")).age_secs,
        Some(364 * DAY)
    );
    assert_eq!(
        expire(&read(b"expire-after:1y\n")).age_secs,
        Some(31_449_600)
    );
    assert_eq!(
        expire(&read(b"expire-after:4y\n")).age_secs,
        Some(1457 * DAY)
    );
    let ac = read(b"expire-after:0\n");
    assert_eq!(expire(&ac), ExpireAfter::never());
    assert!(has(&ac, "AC-EXPIRE-NEVER"));
}

#[test]
fn edge_47_leading_blank_fails_mscp() {
    let ac = read(b"expire-after: 60d\n");
    assert_eq!(expire(&ac).age_secs, Some(60 * DAY));
    let d = find(&ac, "AC-MSCP-LEADING-BLANK", 1);
    assert_eq!(d.severity, Severity::Warning);
    assert!(d.hint.contains("`expire-after:60d`"));
}

#[test]
fn edge_48_cr_harmless_for_expire() {
    let ac = read(b"expire-after:60d\r\n");
    assert_eq!(expire(&ac).age_secs, Some(60 * DAY));
    assert!(!has(&ac, "AC-EXPIRE-IGNORED-TAIL"));
    assert!(errors_on(&ac, 1).is_empty());
}

#[test]
fn edge_49_two_dirs() {
    let ac = read(b"dir:/var/audit\ndir:/Volumes/Backup/audit\n");
    assert_eq!(ac.dirs(), vec!["/var/audit", "/Volumes/Backup/audit"]);
    assert!(ac.dir_entries().iter().all(|d| d.usable));
    assert!(!has(&ac, "AC-DIR-NONE"));
    assert_eq!(find(&ac, "AC-DIR-NOT-DEFAULT", 2).severity, Severity::Info);
}

#[test]
fn edge_50_dir_leading_blank() {
    let ac = read(b"dir: /var/audit\n");
    assert_eq!(ac.dirs(), vec![" /var/audit"]);
    assert!(!ac.dir_entries()[0].usable);
    assert!(has(&ac, "AC-DIR-BLANK"));
    assert!(has(&ac, "AC-DIR-NONE"));
}

#[test]
fn edge_51_dir_cr() {
    let ac = read(b"dir:/var/audit\r\n");
    assert_eq!(ac.dirs(), vec!["/var/audit\r"]);
    assert!(has(&ac, "AC-DIR-CR"));
    assert!(find(&ac, "AC-DIR-NONE", 0)
        .message
        .contains("cannot open a trail"));
}

#[test]
fn edge_52_dir_with_colon() {
    let ac = read(b"dir:/Volumes/My:Disk/audit\n");
    assert_eq!(ac.dirs(), vec!["/Volumes/My"]);
    assert_eq!(find(&ac, "AC-VALUE-COLON", 1).severity, Severity::Error);
    assert_eq!(
        read_up(b"dir:/Volumes/My:Disk/audit\n").dirs(),
        vec!["/Volumes/My:Disk/audit"]
    );
}

#[test]
fn edge_53_dir_without_colon_stops_enumeration() {
    for ac in [
        read(b"dir\ndir:/var/audit\n"),
        read_up(b"dir\ndir:/var/audit\n"),
    ] {
        assert!(ac.dirs().is_empty());
        assert!(has(&ac, "AC-VALUE-MISSING"));
        assert!(find(&ac, "AC-DIR-UNREACHED", 2).message.contains("line 1"));
        assert!(has(&ac, "AC-DIR-NONE"));
    }
}

#[test]
fn edge_54_host_name() {
    let ac = read(b"host:auditbox.example.com\n");
    assert_eq!(ac.host().as_deref(), Some("auditbox.example.com"));
    assert!(find(&ac, "AC-HOST-DNS", 1)
        .message
        .contains(".auditbox.example.com"));
}

#[test]
fn edge_55_host_ipv6_literal() {
    assert_eq!(
        read_up(b"host:fe80::1\n").host().as_deref(),
        Some("fe80::1")
    );
    let ac = read(b"host:fe80::1\n");
    assert_eq!(ac.host().as_deref(), Some("fe80"));
    assert_eq!(find(&ac, "AC-VALUE-COLON", 1).severity, Severity::Error);
}

#[test]
fn edge_56_sflags_inert() {
    let ac = read(b"superuser-set-sflags-mask:has_authenticated,has_console_access\n");
    assert_eq!(find(&ac, "AC-SFLAGS-INERT", 1).severity, Severity::Info);
    assert!(!has(&ac, "AC-SFLAGS-UNKNOWN-NAME"));
    assert!(!has(&ac, "AC-KEY-UNKNOWN"));
}

#[test]
fn edge_57_member_set_empty() {
    let ac = read(b"member-set-sflags-mask:\n");
    assert!(has(&ac, "AC-SFLAGS-INERT"));
    assert!(errors_on(&ac, 1).is_empty());
}

#[test]
fn edge_58_qsize_upstream_only() {
    let ac = read(b"qsize:100\n");
    assert!(has(&ac, "AC-QSIZE-IGNORED"));
    assert!(errors_on(&ac, 1).is_empty());
    assert_eq!(read_up(b"qsize:100\n").qsize(), Some(100));
    let up = read_up(b"qsize:10\n");
    assert_eq!(up.qsize(), None);
    assert!(has(&up, "AC-QSIZE-INVALID"));
}

#[test]
fn edge_59_dist_ignored_on_macos() {
    assert!(has(&read(b"dist:on\n"), "AC-DIST-IGNORED"));
    assert_eq!(read_up(b"dist:on\n").dist(), Some(true));
    assert_eq!(read_up(b"dist:off\n").dist(), Some(false));
}

#[test]
fn edge_60_unknown_key() {
    let ac = read(b"foo:bar\n");
    let d = find(&ac, "AC-KEY-UNKNOWN", 1);
    assert_eq!((d.severity, d.column), (Severity::Warning, 1));
}

#[test]
fn edge_61_over_long_flags_line() {
    // 6 + 75 × 4 = 306 bytes; byte 255 cuts the 63rd `all` after its `a`.
    let line = format!("flags:{}\n", "all,".repeat(75));
    let ac = read(line.as_bytes());
    assert_eq!(ac.flags(), None);
    let d = find(&ac, "AC-FLAGS-UNKNOWN-CLASS", 1);
    assert!(d.message.contains("`a`"), "{}", d.message);
    assert_eq!(d.column, 255);
    assert_eq!(find(&ac, "AC-LINE-TOO-LONG", 1).severity, Severity::Error);
    assert_eq!(find(&ac, "AC-LINE-TAIL", 1).column, 256);
}

#[test]
fn edge_62_blank_lines_ignored() {
    let ac = read(b"\n   \n\t\nflags:lo\n");
    assert_eq!(ac.flags(), mask(LO, LO));
    assert!(ac.diagnostics().iter().all(|d| !(1..=3).contains(&d.line)));
}
