//! Lossless document model, the real default files, and robustness properties.

use audit_control::{
    check, AuditControl, ClassMask, ClassTable, Dialect, Document, EffectivePolicy, ExpireAfter,
    ExpireOp, LineEnding, Severity,
};
use proptest::prelude::*;

fn fixture(rel: &str) -> Vec<u8> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/").to_string() + rel;
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn real_default_files_read_as_the_spec_says() {
    for (file, dialect) in [
        ("apple/audit_control", Dialect::Apple),
        ("upstream/audit_control", Dialect::Upstream),
        ("upstream/audit_control", Dialect::Apple),
    ] {
        let bytes = fixture(file);
        let doc = Document::parse(&bytes);
        assert_eq!(doc.to_bytes(), bytes);
        let ac = AuditControl::read_with(&doc, &ClassTable::apple(), dialect);
        assert_eq!(ac.dirs(), vec!["/var/audit"]);
        let lo_aa = Some(ClassMask {
            success: 0x3000,
            failure: 0x3000,
        });
        assert_eq!(ac.flags(), lo_aa);
        assert_eq!(ac.naflags(), lo_aa);
        assert_eq!(ac.minfree().unwrap().percent, 5);
        assert!(
            matches!(ac.effective_policy(), EffectivePolicy::Applied { policy } if policy.cnt && policy.argv)
        );
        assert_eq!(ac.filesz(), Some(2 * 1024 * 1024));
        assert_eq!(
            ac.expire_after(),
            Some(ExpireAfter {
                age_secs: None,
                size_bytes: Some(10 * 1024 * 1024),
                op: ExpireOp::Or
            })
        );
        let worst = ac.diagnostics().iter().map(|d| d.severity).max();
        assert_eq!(
            worst,
            Some(Severity::Info),
            "{file}: {:#?}",
            ac.diagnostics()
        );
    }
}

#[test]
fn documented_macos_example_file_is_clean() {
    // The current macOS audit_control(.example) as reproduced in spec §8.
    let text = b"dir:/var/audit\nflags:lo,aa\nminfree:5\nnaflags:lo,aa\npolicy:cnt,argv\nfilesz:2M\nexpire-after:10M\nsuperuser-set-sflags-mask:has_authenticated,has_console_access\nsuperuser-clear-sflags-mask:has_authenticated,has_console_access\nmember-set-sflags-mask:\nmember-clear-sflags-mask:has_authenticated\n";
    let diags = check(text, &ClassTable::apple());
    assert!(
        diags.iter().all(|d| d.severity == Severity::Info),
        "{diags:#?}"
    );
    assert_eq!(
        diags.iter().filter(|d| d.code == "AC-SFLAGS-INERT").count(),
        4
    );
}

#[test]
fn lossless_on_awkward_input() {
    let samples: &[&[u8]] = &[
        b"",
        b"flags:lo",
        b"flags:lo\r\nminfree:5\r\n",
        b"  # not a comment\n\n\n   \t\n",
        b"\xff\xfe flags:\x00lo\n",
        b"policy:cnt\nflags:lo\nflags:aa\n\n",
    ];
    for s in samples {
        assert_eq!(Document::parse(s).to_bytes(), *s);
    }
    let mut long = b"flags:".to_vec();
    long.extend(std::iter::repeat_n(b'x', 1000));
    long.push(b'\n');
    let doc = Document::parse(&long);
    assert_eq!(doc.to_bytes(), long);
    assert_eq!(doc.lines().len(), 1);
    // Read as fgets(256) pieces: 255 + 255 + 255 + 241.
    let entries = doc.entries();
    assert_eq!(
        entries.iter().map(|e| e.offset).collect::<Vec<_>>(),
        vec![0, 255, 510, 765]
    );
    assert_eq!(
        Document::parse(b"a\r\nb\r\nc\n").line_ending_style(),
        LineEnding::CrLf
    );
    assert_eq!(Document::parse(b"a\nb").line_ending_style(), LineEnding::Lf);
}

#[test]
fn nul_byte_ends_the_c_string() {
    let ac = AuditControl::read(&Document::parse(b"flags:lo\x00,zz\n"), &ClassTable::apple());
    assert_eq!(
        ac.flags(),
        Some(ClassMask {
            success: 0x1000,
            failure: 0x1000
        })
    );
}

#[test]
fn table_that_ends_early_hides_classes() {
    // A blank line in audit_class hides every later class, so `aa` becomes unknown.
    let classes = ClassTable::parse(b"0x1000:lo:login_logout\n\n0x2000:aa:auth\n");
    let ac = AuditControl::read(&Document::parse(b"flags:lo,aa\n"), &classes);
    assert_eq!(ac.flags(), None);
    assert!(ac
        .diagnostics()
        .iter()
        .any(|d| d.code == "AC-FLAGS-UNKNOWN-CLASS"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_bytes_round_trip_and_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let doc = Document::parse(&bytes);
        prop_assert_eq!(doc.to_bytes(), bytes.clone());
        let classes = ClassTable::apple();
        for dialect in [Dialect::Apple, Dialect::Upstream] {
            let ac = AuditControl::read_with(&doc, &classes, dialect);
            for d in ac.diagnostics() {
                prop_assert!(d.line as usize <= doc.lines().len());
                prop_assert!(!d.code.is_empty() && !d.message.is_empty() && !d.hint.is_empty());
            }
        }
        let _ = check(&bytes, &classes);
        for (key, value) in [("flags", "lo,aa"), ("policy", "cnt,argv"), ("minfree", "5"), ("filesz", "2M"), ("expire-after", "60d OR 5G"), ("naflags", "lo")] {
            let mut edited = doc.clone();
            if edited.set(key, value, &classes).is_ok() {
                // A successful edit always reads back as a valid setting.
                let again = AuditControl::read(&Document::parse(&edited.to_bytes()), &classes);
                let valid = match key {
                    "flags" => again.flags().is_some(),
                    "naflags" => again.naflags().is_some(),
                    "policy" => again.policy().is_some(),
                    "minfree" => again.minfree().is_some(),
                    "filesz" => again.filesz().is_some(),
                    _ => again.expire_after().is_some(),
                };
                prop_assert!(valid, "{} not valid after edit", key);
            }
            let mut removed = doc.clone();
            let _ = removed.remove(key);
        }
        let _ = ClassTable::parse(&bytes);
        let _ = audit_control::EventTable::parse(&bytes);
    }

    #[test]
    fn config_like_text_round_trips(lines in proptest::collection::vec(
        prop_oneof![
            Just("flags:lo,aa".to_string()),
            Just("  #flags:all".to_string()),
            Just("policy: ahlt,argv".to_string()),
            Just("expire-after:60d OR 5G".to_string()),
            Just("".to_string()),
            "[a-z:,# \\t\\r-]{0,300}",
        ], 0..20)) {
        let text = lines.join("\n");
        let doc = Document::parse(text.as_bytes());
        prop_assert_eq!(doc.to_bytes(), text.as_bytes().to_vec());
        let _ = AuditControl::read(&doc, &ClassTable::apple());
    }
}
