//! `bsm::xml` output must be well-formed for every fixture (praudit -x's is
//! not), and parsing it back must give the decoded values: escaping is
//! checked by comparing the parsed text with the token bytes.

use crate::common;

use bsm::names::Catalog;
use bsm::read::{Item, Reader};
use bsm::token::{cstr, Token};
use common::{bsm, FIXTURES};

fn xml(stem: &str) -> String {
    let mut out = Vec::new();
    bsm::xml::print_trail(&bsm(stem), &Catalog::upstream(), &mut out).unwrap();
    String::from_utf8(out).expect("XML output is UTF-8")
}

#[test]
fn every_fixture_is_well_formed_and_round_trips() {
    for stem in FIXTURES {
        let text = xml(stem);
        let doc = roxmltree::Document::parse(&text)
            .unwrap_or_else(|e| panic!("{stem}: not well-formed: {e}\n{text}"));
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "audit");
        let buf = bsm(stem);
        let records: Vec<_> = Reader::new(&buf)
            .filter_map(|i| match i {
                Item::Record(r) => Some(r),
                _ => None,
            })
            .collect();
        let elems: Vec<_> = root
            .children()
            .filter(|n| n.has_tag_name("record"))
            .collect();
        assert_eq!(elems.len(), records.len(), "{stem}");
        for (rec, el) in records.iter().zip(&elems) {
            let texts: Vec<String> = rec
                .tokens()
                .filter_map(|t| match t {
                    Token::Text(b) | Token::Path(b) => {
                        Some(String::from_utf8_lossy(cstr(b)).into_owned())
                    }
                    _ => None,
                })
                .collect();
            let parsed: Vec<String> = el
                .children()
                .filter(|n| n.has_tag_name("text") || n.has_tag_name("path"))
                .map(|n| n.text().unwrap_or("").to_string())
                .collect();
            assert_eq!(parsed, texts, "{stem} @{}", rec.offset);
            let args: Vec<String> = rec
                .tokens()
                .filter_map(|t| match t {
                    Token::ExecArgs(a) => Some(a),
                    _ => None,
                })
                .flat_map(|a| {
                    a.iter()
                        .map(|s| String::from_utf8_lossy(s).into_owned())
                        .collect::<Vec<_>>()
                })
                .collect();
            let parsed_args: Vec<String> = el
                .descendants()
                .filter(|n| n.has_tag_name("arg"))
                .map(|n| n.text().unwrap_or("").to_string())
                .collect();
            assert_eq!(parsed_args, args, "{stem} @{}", rec.offset);
        }
    }
}

#[test]
fn special_characters_survive() {
    let text = xml("odd_tokens");
    let doc = roxmltree::Document::parse(&text).unwrap();
    let t: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .collect();
    assert!(t.contains(&"a,b;c <tag attr=\"x\"> & 'quote' été"), "{t:?}");
    let ipc: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("IPC"))
        .collect();
    assert_eq!(ipc.len(), 3);
    assert_eq!(ipc[0].attribute("ipc-type"), Some("Message IPC"));
    let hdr = xml("header_variants");
    let doc = roxmltree::Document::parse(&hdr).unwrap();
    let hosts: Vec<_> = doc
        .descendants()
        .filter_map(|n| n.attribute("host"))
        .collect();
    assert_eq!(
        hosts,
        ["10.1.2.3", "2001:db8::1", "10.1.2.3", "2001:db8::1"]
    );
}

#[test]
fn damage_is_visible_and_records_closed() {
    let text = xml("corrupt_midstream");
    let doc = roxmltree::Document::parse(&text).unwrap();
    let dmg: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("damage"))
        .collect();
    assert_eq!(dmg.len(), 1);
    assert_eq!(dmg[0].attribute("offset"), Some("374"));
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name("record"))
            .count(),
        5
    );
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name("malformed"))
            .count(),
        1
    );
    let empty = xml("zero_bytes");
    assert_eq!(
        empty,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<audit>\n</audit>\n"
    );
}

#[test]
fn control_characters_are_written_visibly() {
    assert_eq!(
        bsm::xml::escape(b"a\x01b&<\"\n"),
        "a\\001b&amp;&lt;&quot;\n"
    );
    assert_eq!(bsm::xml::escape(b"\xff"), "\u{fffd}");
}
