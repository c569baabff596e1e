//! Value grammars beyond the numbered edge cases: the exact `sscanf` behaviour
//! of `filesz` and `expire-after` (spec §3.3, §3.4), policy words (§5).

use audit_control::values::{parse_expire_after, parse_policy, parse_size, ExpireOp, POLICY_WORDS};
use audit_control::{check, AuditControl, ClassTable, Document};

const DAY: u64 = 86_400;
const GIB: u64 = 1 << 30;

#[test]
fn size_units_are_binary_and_upper_case() {
    assert_eq!(parse_size(b"7").unwrap().bytes, 7);
    assert_eq!(parse_size(b"7B").unwrap().bytes, 7);
    assert_eq!(parse_size(b"3K").unwrap().bytes, 3072);
    assert_eq!(parse_size(b"1G").unwrap().bytes, GIB);
    assert!(parse_size(b"1T").is_err());
    assert!(parse_size(b"1k").is_err());
    assert!(parse_size(b"").is_err());
    assert!(parse_size(b"M").is_err());
    // %ju skips any C whitespace before the number, getacfilesz only blanks.
    assert_eq!(parse_size(b"\t 4M").unwrap().bytes, 4 << 20);
    assert_eq!(parse_size(b"+4M").unwrap().bytes, 4 << 20);
    // A tab is the suffix character here, and not a valid one.
    assert!(parse_size(b"2\tM").is_err());
    // Multiplication wraps like size_t.
    assert_eq!(
        parse_size(b"-1K").unwrap().bytes,
        u64::MAX.wrapping_mul(1024)
    );
}

#[test]
fn expire_after_sscanf_field_counts() {
    // 4 fields (second number without unit) is an error.
    assert!(parse_expire_after(b"60d OR 5").is_err());
    // %lu skips a \r before the second number.
    let p = parse_expire_after(b"60d OR\r5G").unwrap();
    assert_eq!(
        (p.value.age_secs, p.value.size_bytes),
        (Some(60 * DAY), Some(5 * GIB))
    );
    // Upper-case words, no spaces, size first.
    let p = parse_expire_after(b"5GAND60d").unwrap();
    assert_eq!(p.value.op, ExpireOp::And);
    // A separator containing both: AND is tested first.
    assert_eq!(
        parse_expire_after(b"60d andor 5G").unwrap().value.op,
        ExpireOp::And
    );
    // Any run of a/d/n/o/r counts as separator text.
    assert!(parse_expire_after(b"60d adr 5G").is_err());
    assert_eq!(
        parse_expire_after(b"60d door 5G").unwrap().value.op,
        ExpireOp::Or
    );
    // Units: s, h, y.
    assert_eq!(parse_expire_after(b"90s").unwrap().value.age_secs, Some(90));
    assert_eq!(
        parse_expire_after(b"12h").unwrap().value.age_secs,
        Some(12 * 3600)
    );
    assert_eq!(
        parse_expire_after(b"8y").unwrap().value.age_secs,
        Some((8 * 364 + 2) * DAY)
    );
    // A space as unit means bytes; the rest is ignored when it is no separator…
    let p = parse_expire_after(b"60 x").unwrap();
    assert_eq!((p.value.size_bytes, p.fields), (Some(60), 2));
    // …but `d` after the space is read as separator text: 3 fields, an error.
    assert!(parse_expire_after(b"60 d").is_err());
    // Leading blanks are skipped.
    assert_eq!(
        parse_expire_after(b" \t60d").unwrap().value.age_secs,
        Some(60 * DAY)
    );
    assert!(parse_expire_after(b"").is_err());
    assert!(parse_expire_after(b"d").is_err());
    // `0d OR 0` has 4 fields (error); with a unit it parses and never deletes.
    assert!(parse_expire_after(b"0d OR 0").is_err());
    assert!(!parse_expire_after(b"0d OR 0B")
        .unwrap()
        .value
        .deletes_anything());
}

#[test]
fn policy_table_has_14_words_and_strsep_semantics() {
    assert_eq!(POLICY_WORDS.len(), 14);
    let p = parse_policy(b"cnt,ahlt,argv,arge").unwrap();
    assert_eq!(p.bits(), 0xf);
    assert!(p.rejected_words.is_empty());
    let p =
        parse_policy(b"seq,group,trail,path,windata,user,scnt,public,zonename,perzone").unwrap();
    assert_eq!(p.rejected_words.len(), 10);
    assert!(parse_policy(b"cnt,").is_err());
    assert!(parse_policy(b",cnt").is_err());
    assert!(parse_policy(b"").is_err());
}

#[test]
fn blank_crlf_lines_are_quiet() {
    let diags = check(b"dir:/var/audit\r\n\r\n\x0c\n", &ClassTable::apple());
    assert!(
        !diags.iter().any(|d| d.code == "AC-KEY-UNKNOWN"),
        "{diags:#?}"
    );
}

#[test]
fn sflags_unknown_name_is_noted() {
    let ac = AuditControl::read(
        &Document::parse(b"member-clear-sflags-mask:has_tty,bogus\n"),
        &ClassTable::apple(),
    );
    let d = ac
        .diagnostics()
        .iter()
        .find(|d| d.code == "AC-SFLAGS-UNKNOWN-NAME")
        .unwrap();
    assert_eq!(d.column, 34);
}
