//! The audit_class / audit_event readers against the real files (data/, the
//! copies the crate embeds) and classes_events.md §1–2.

use std::collections::{BTreeMap, BTreeSet};

use audit_control::{ClassTable, EventTable, Severity};

fn fixture(rel: &str) -> Vec<u8> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/").to_string() + rel;
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

const CLASSES: &[(u32, &str, &str)] = &[
    (0x0000_0000, "no", "invalid class"),
    (0x0000_0001, "fr", "file read"),
    (0x0000_0002, "fw", "file write"),
    (0x0000_0004, "fa", "file attribute access"),
    (0x0000_0008, "fm", "file attribute modify"),
    (0x0000_0010, "fc", "file create"),
    (0x0000_0020, "fd", "file delete"),
    (0x0000_0040, "cl", "file close"),
    (0x0000_0080, "pc", "process"),
    (0x0000_0100, "nt", "network"),
    (0x0000_0200, "ip", "ipc"),
    (0x0000_0400, "na", "non attributable"),
    (0x0000_0800, "ad", "administrative"),
    (0x0000_1000, "lo", "login_logout"),
    (0x0000_2000, "aa", "authentication and authorization"),
    (0x0000_4000, "ap", "application"),
    (0x2000_0000, "io", "ioctl"),
    (0x4000_0000, "ex", "exec"),
    (0x8000_0000, "ot", "miscellaneous"),
    (0xffff_ffff, "all", "all flags set"),
];

#[test]
fn class_tables_match_spec_table_1_2() {
    for (label, table, file) in [
        ("apple", ClassTable::apple(), "apple/audit_class"),
        ("upstream", ClassTable::upstream(), "upstream/audit_class"),
    ] {
        assert_eq!(
            table,
            ClassTable::parse(&fixture(file)),
            "{label}: embedded copy differs"
        );
        assert!(
            table.diagnostics().is_empty(),
            "{label}: {:?}",
            table.diagnostics()
        );
        let got: Vec<(u32, &str, &str)> = table
            .classes()
            .iter()
            .map(|c| (c.mask, c.name.as_str(), c.description.as_str()))
            .collect();
        assert_eq!(got, CLASSES, "{label}");
    }
}

#[test]
fn class_lookup_is_exact_and_first_wins() {
    let t = ClassTable::parse(b"0x1:fr:file read\n0x2:fr:again\n0x1000:lo:login\n");
    assert_eq!(t.mask_of("fr"), Some(1));
    assert_eq!(t.mask_of("FR"), None);
    assert_eq!(t.mask_of("lo"), Some(0x1000));
    assert_eq!(t.diagnostics().len(), 1);
    assert_eq!(t.diagnostics()[0].code, "CLASS-DUPLICATE-NAME");
    assert_eq!(t.diagnostics()[0].line, 2);
}

#[test]
fn class_blank_line_ends_enumeration() {
    let t = ClassTable::parse(b"0x1:fr:file read\n\n0x1000:lo:login\n");
    assert_eq!(t.classes().len(), 1);
    assert_eq!(t.mask_of("lo"), None);
    let d = &t.diagnostics()[0];
    assert_eq!(
        (d.line, d.code.as_str(), d.severity),
        (2, "CLASS-LINE-ENDS-TABLE", Severity::Error)
    );
}

#[test]
fn class_field_rules() {
    // Empty fields collapse (strtok), masks are strtoul base 0, comments only in column 1.
    let t = ClassTable::parse(b"#0x1:zz:comment\n010::oct:octal\n 0x20 :fd:delete:extra\n");
    assert_eq!(t.mask_of("zz"), None);
    assert_eq!(t.mask_of("oct"), Some(8));
    assert_eq!(t.mask_of("fd"), Some(0x20));
    assert_eq!(t.get("oct").unwrap().description, "octal");
    // Name of 8 bytes is too long and ends the table.
    let t = ClassTable::parse(b"0x1:abcdefgh:x\n0x2:fw:y\n");
    assert!(t.classes().is_empty());
    assert_eq!(t.diagnostics()[0].code, "CLASS-LINE-ENDS-TABLE");
    let t = ClassTable::parse(b"0x1:abcdefg:x\n");
    assert_eq!(t.mask_of("abcdefg"), Some(1));
    // Description of 72 bytes ends the table, 71 is fine.
    let ok = format!("0x1:a:{}\n", "d".repeat(71));
    assert_eq!(ClassTable::parse(ok.as_bytes()).classes().len(), 1);
    let bad = format!("0x1:a:{}\n", "d".repeat(72));
    assert_eq!(ClassTable::parse(bad.as_bytes()).classes().len(), 0);
    // Missing description ends the table.
    assert!(ClassTable::parse(b"0x1:fr\n0x2:fw:w\n")
        .classes()
        .is_empty());
    // Mask wider than 32 bits is truncated like the C assignment.
    assert_eq!(
        ClassTable::parse(b"0x100000001:x:y\n").mask_of("x"),
        Some(1)
    );
}

#[test]
fn names_in_for_display() {
    let t = ClassTable::apple();
    assert_eq!(t.names_in(0x3000), vec!["lo", "aa"]);
    assert_eq!(t.names_in(u32::MAX), vec!["all"]);
    assert_eq!(t.names_in(0x1000_0000), vec!["res"]);
    assert!(t.names_in(0).is_empty());
}

fn count_lines(bytes: &[u8]) -> usize {
    bytes
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty() && l[0] != b'#')
        .count()
}

#[test]
fn event_tables_read_every_line_of_the_real_files() {
    for (label, table, file) in [
        ("apple", EventTable::apple(), "apple/audit_event"),
        ("upstream", EventTable::upstream(), "upstream/audit_event"),
    ] {
        let bytes = fixture(file);
        assert_eq!(
            table,
            EventTable::parse(&bytes),
            "{label}: embedded copy differs"
        );
        // No line ends the enumeration in either real file.
        assert!(
            table
                .diagnostics()
                .iter()
                .all(|d| d.code != "EVENT-LINE-ENDS-TABLE"),
            "{label}"
        );
        assert_eq!(table.len(), count_lines(&bytes), "{label}");
    }
    // classes_events.md §2.2: upstream has 677 entries. Apple's file has 616 lines
    // for 612 distinct numbers (the spec's "612" counts numbers: 616 − 4 duplicates;
    // its own range rows add up to 616).
    let up = EventTable::upstream();
    assert_eq!(up.len(), 677);
    let apple = EventTable::apple();
    assert_eq!(apple.len(), 616);
    assert_eq!(apple.effective().count(), 612);
    assert_eq!(up.effective().count(), 673);
}

#[test]
fn event_ranges_and_duplicates_match_spec_2_2() {
    for (label, table, expect) in [
        (
            "upstream",
            EventTable::upstream(),
            [1, 332, 69, 255, 19, 1, 40],
        ),
        ("apple", EventTable::apple(), [1, 331, 69, 195, 19, 1, 38]),
    ] {
        let n = |f: &dyn Fn(u16) -> bool| table.events().filter(|e| f(e.number)).count();
        let got = [
            n(&|x| x == 0),
            n(&|x| (1..=2047).contains(&x)),
            n(&|x| (6000..=9999).contains(&x)),
            n(&|x| (43000..=44999).contains(&x)),
            n(&|x| (45000..=46999).contains(&x)),
            n(&|x| x >= 32768 && !(43000..=46999).contains(&x)),
            table.events().filter(|e| e.class_names.len() > 1).count(),
        ];
        assert_eq!(got, expect, "{label}");
        let mut seen = BTreeSet::new();
        let dups: BTreeSet<u16> = table
            .events()
            .map(|e| e.number)
            .filter(|n| !seen.insert(*n))
            .collect();
        assert_eq!(dups, BTreeSet::from([301, 6168, 6171, 6172]), "{label}");
    }
}

#[test]
fn per_class_counts_match_spec_2_2() {
    let expected: &[(&str, usize, usize)] = &[
        ("ad", 143, 143),
        ("pc", 115, 95),
        ("fa", 90, 87),
        ("fm", 89, 82),
        ("ip", 74, 63),
        ("no", 49, 36),
        ("fc", 36, 36),
        ("nt", 33, 26),
        ("fw", 32, 31),
        ("fr", 30, 29),
        ("fd", 23, 22),
        ("ot", 21, 21),
        ("lo", 21, 21),
        ("aa", 10, 10),
        ("cl", 7, 6),
        ("ex", 5, 4),
        ("na", 4, 4),
        ("ap", 4, 4),
        ("ua", 2, 2),
        ("io", 1, 1),
    ];
    for (label, table, col) in [
        ("upstream", EventTable::upstream(), 0),
        ("apple", EventTable::apple(), 1),
    ] {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for e in table.events() {
            for c in &e.class_names {
                *counts.entry(c.clone()).or_default() += 1;
            }
        }
        for &(class, up, ap) in expected {
            let want = if col == 0 { up } else { ap };
            assert_eq!(
                counts.get(class).copied().unwrap_or(0),
                want,
                "{label} {class}"
            );
        }
        assert_eq!(counts.len(), expected.len(), "{label}: {counts:?}");
    }
}

#[test]
fn event_lookups_and_quirks() {
    let t = EventTable::apple();
    // Later line wins in the kernel map; praudit's getauevnum sees the first.
    assert_eq!(t.get(6171).unwrap().name, "AUE_DARWIN_audit_startup");
    assert_eq!(t.get(6171).unwrap().class_mask, 0x800);
    assert_eq!(t.get_first(6171).unwrap().name, "AUE_ftpd_logout");
    assert_eq!(t.get(6172).unwrap().name, "AUE_DARWIN_audit_shutdown");
    // Empty field collapses: 43082:AUE_RTPRIO::rtprio(2):pc.
    let rt = t.get(43082).unwrap();
    assert_eq!(
        (rt.name.as_str(), rt.description.as_str(), rt.class_mask),
        ("AUE_RTPRIO", "rtprio(2)", 0x80)
    );
    // posix_spawn is pc only; execve is pc,ex.
    assert_eq!(t.by_name("AUE_POSIX_SPAWN").unwrap().class_mask, 0x80);
    assert_eq!(t.get(23).unwrap().class_mask, 0x4000_0080);
    // Upstream's `ua` class is undefined: class 0 and a warning.
    let up = EventTable::upstream();
    let k = up.get(6214).unwrap();
    assert_eq!(
        (k.class_mask, k.class_names.clone()),
        (0, vec!["ua".to_string()])
    );
    let warned: Vec<u32> = up
        .diagnostics()
        .iter()
        .filter(|d| d.code == "EVENT-CLASS-INVALID")
        .map(|d| d.line)
        .collect();
    assert_eq!(warned.len(), 2);
    // Event numbers differ between Apple and upstream (43187).
    assert_eq!(t.get(43187).unwrap().name, "AUE_CAP_GETRIGHTS");
    assert_eq!(up.get(43187).unwrap().name, "AUE_CAP_RIGHTS_GET");
}

#[test]
fn event_parse_rules() {
    let t =
        EventTable::parse(b"1:AUE_A:a:lo\n2:AUE_B\n3:AUE_C:c\n4:AUE_D:d:+lo,-aa\n\n5:AUE_E:e:lo\n");
    assert_eq!(t.len(), 4);
    assert_eq!(t.get(2).unwrap().description, "");
    assert_eq!(t.get(3).unwrap().class_mask, 0);
    // Only the success half of the list is kept.
    assert_eq!(t.get(4).unwrap().class_mask, 0x1000);
    assert!(t.get(5).is_none());
    let d = t
        .diagnostics()
        .iter()
        .find(|d| d.code == "EVENT-LINE-ENDS-TABLE")
        .unwrap();
    assert_eq!(d.line, 5);
    // Number via atoi into a 16-bit value; name < 30 bytes; description < 50 bytes.
    let t = EventTable::parse(b"65537:AUE_WRAP:w:lo\n");
    assert_eq!(t.events().next().unwrap().number, 1);
    let long_name = format!("7:{}:d:lo\n8:AUE_OK:d:lo\n", "N".repeat(30));
    assert!(EventTable::parse(long_name.as_bytes()).is_empty());
    let long_desc = format!("7:AUE_X:{}:lo\n", "d".repeat(50));
    assert!(EventTable::parse(long_desc.as_bytes()).is_empty());
    // A class list with a trailing \r (CRLF file) is invalid => class 0.
    assert_eq!(
        EventTable::parse(b"9:AUE_CR:cr:lo\r\n")
            .get(9)
            .unwrap()
            .class_mask,
        0
    );
    // Custom class table resolves names.
    let classes = ClassTable::parse(b"0x8000:zz:custom\n");
    let t = EventTable::parse_with_classes(b"9:AUE_Z:z:zz\n", &classes);
    assert_eq!(t.get(9).unwrap().class_mask, 0x8000);
}

#[test]
fn default_class_events_match_spec() {
    let t = EventTable::apple();
    let lo: Vec<u16> = t
        .events()
        .filter(|e| e.class_names.iter().any(|c| c == "lo"))
        .map(|e| e.number)
        .collect();
    assert_eq!(
        lo,
        vec![
            6152, 6153, 6154, 6155, 6158, 6159, 6162, 6163, 6164, 6165, 6166, 6171, 6172, 6173,
            6212, 6213, 6600, 6601, 32800, 45021, 45022
        ]
    );
    let aa: Vec<u16> = t
        .events()
        .filter(|e| e.class_mask == 0x2000)
        .map(|e| e.number)
        .collect();
    assert_eq!(
        aa,
        vec![7000, 7001, 7002, 7003, 45023, 45024, 45025, 45026, 45028, 45030]
    );
}
