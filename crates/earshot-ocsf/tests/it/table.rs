//! The name table against Apple's audit_event and the OCSF captions.

use audit_control::tables::EventTable;
use earshot_ocsf::table::{self, ActivityName};

use crate::common::*;

#[test]
fn every_row_names_a_real_class_and_activity() {
    let captions = &ocsf().captions;
    for (name, rule) in table::rules() {
        let class = &captions["classes"][rule.class.uid.to_string()];
        assert_eq!(class["caption"], rule.class.name, "{name}");
        assert_eq!(class["category_name"], rule.class.category_name, "{name}");
        let caption = &class["attributes"]["activity_id"][rule.activity_id.to_string()];
        assert!(caption.is_string(), "{name}: activity {}", rule.activity_id);
        if rule.activity_id != 99 {
            assert_eq!(rule.activity_name, ActivityName::Caption, "{name}");
        }
    }
}

#[test]
fn the_crates_captions_are_the_schemas() {
    let captions = &ocsf().captions;
    for class in earshot_ocsf::class::ALL {
        let c = &captions["classes"][class.uid.to_string()];
        assert_eq!(c["caption"], class.name);
        assert_eq!(c["category_uid"], class.category_uid);
        for id in 0..=99u8 {
            let want = c["attributes"]["activity_id"][id.to_string()].as_str();
            assert_eq!(
                class.activity_caption(id),
                want,
                "{} activity {id}",
                class.uid
            );
        }
    }
    assert_eq!(
        captions["classes"]["3001"]["deprecated"]["since"], "1.9.0",
        "Account Change is deprecated (F1): emitted because 3007 has no schema here"
    );
}

#[test]
fn every_apple_event_in_the_mapped_classes_has_a_row() {
    let mapped = [
        "lo", "aa", "ad", "ex", "pc", "fr", "fw", "fc", "fd", "fa", "fm", "nt",
    ];
    let rules = table::rules();
    let events = EventTable::apple();
    let mut missing = Vec::new();
    for e in events.events() {
        if e.class_names.iter().any(|c| mapped.contains(&c.as_str()))
            && !rules.contains_key(&e.name)
        {
            missing.push(e.name.clone());
        }
    }
    assert!(missing.is_empty(), "not in events.tsv: {missing:?}");
}
