//! Any bytes as audit_control (and as audit_class / audit_event): parse, render,
//! read in both dialects, check, explain, edit, diff. Nothing may panic, the
//! document must round-trip byte for byte, and a successful edit must read back.
#![no_main]

use audit_control::{
    check, semantic_diff, AuditControl, ClassTable, Dialect, Document, EventTable,
};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static CLASSES: OnceLock<ClassTable> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let doc = Document::parse(data);
    assert_eq!(doc.to_bytes(), data);
    let classes = CLASSES.get_or_init(ClassTable::apple);
    let apple = AuditControl::read_with(&doc, classes, Dialect::Apple);
    let upstream = AuditControl::read_with(&doc, classes, Dialect::Upstream);
    for ac in [&apple, &upstream] {
        for d in ac.diagnostics() {
            assert!(d.line as usize <= doc.lines().len());
        }
        for line in 0..=doc.lines().len() as u32 {
            let _ = ac.notes_for(line);
        }
        let _ = ac.effective_policy();
    }
    let _ = check(data, classes);
    for (key, value) in [
        ("flags", "lo,aa,-ex"),
        ("naflags", "lo"),
        ("policy", "cnt,argv"),
        ("minfree", "10"),
        ("filesz", "2M"),
        ("expire-after", "60d OR 5G"),
    ] {
        let mut edited = doc.clone();
        if edited.set(key, value, classes).is_ok() {
            let again = AuditControl::read(&Document::parse(&edited.to_bytes()), classes);
            let ok = match key {
                "flags" => again.flags().is_some(),
                "naflags" => again.naflags().is_some(),
                "policy" => again.policy().is_some(),
                "minfree" => again.minfree().is_some(),
                "filesz" => again.filesz().is_some(),
                _ => again.expire_after().is_some(),
            };
            assert!(ok, "{key} does not read back after a successful edit");
            let _ = semantic_diff(&apple, &again);
        }
        let mut removed = doc.clone();
        let _ = removed.remove(key);
    }
    // The same bytes as tables: the class table feeds the reading too.
    let own = ClassTable::parse(data);
    let _ = EventTable::parse_with_classes(data, &own);
    let _ = AuditControl::read(&doc, &own);
});
