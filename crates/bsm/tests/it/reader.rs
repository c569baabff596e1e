//! Reader and scan against the praudit-derived JSON summaries of every
//! fixture, plus the damage each damaged fixture is known to contain.

use crate::common;

use bsm::read::{DamageKind, Item, Reader};
use bsm::scan::scan;
use bsm::token::Token;
use common::{bsm, json, FIXTURES};

/// Every complete record praudit printed must come out of the reader with the
/// same offset, event, modifier, time and length.
#[test]
fn records_match_praudit_summaries() {
    for stem in FIXTURES {
        let buf = bsm(stem);
        let j = json(stem);
        let items: Vec<Item> = Reader::new(&buf).collect();
        let mut ours = items.iter().filter_map(|i| match i {
            Item::Record(r) => Some((r.offset, Some(r.header))),
            Item::FileToken(f) => Some((f.offset, None)),
            Item::Damage(_) => None,
        });
        for e in j["entries"].as_array().unwrap() {
            let (off, h) = ours.next().unwrap_or_else(|| panic!("{stem}: missing {e}"));
            let kind = if h.is_some() { "record" } else { "file_token" };
            assert_eq!(e["kind"].as_str().unwrap(), kind, "{stem} {e}");
            assert_eq!(e["offset"].as_u64().unwrap(), off, "{stem} {e}");
            if let Some(h) = h {
                assert_eq!(e["event"].as_u64().unwrap(), u64::from(h.event), "{stem}");
                assert_eq!(e["modifier"].as_u64().unwrap(), u64::from(h.modifier));
                assert_eq!(e["msec"].as_u64().unwrap(), u64::from(h.msec));
                assert_eq!(e["byte_length"].as_u64().unwrap(), u64::from(h.byte_count));
                // praudit -r truncates 64-bit seconds; the iso_time is right.
                assert_eq!(
                    e["iso_time"].as_str().unwrap(),
                    bsm::text::iso8601(h.sec, h.msec),
                    "{stem}"
                );
            }
        }
    }
}

fn damage(stem: &str) -> Vec<bsm::Damage> {
    Reader::new(&bsm(stem))
        .filter_map(|i| match i {
            Item::Damage(d) => Some(d),
            _ => None,
        })
        .collect()
}

#[test]
fn clean_fixtures_have_no_damage() {
    for stem in FIXTURES {
        if ["truncated", "corrupt_midstream"].contains(stem) {
            continue;
        }
        assert_eq!(damage(stem), vec![], "{stem}");
    }
}

#[test]
fn truncated_tail_is_reported_where_the_file_ends() {
    let buf = bsm("truncated");
    let d = damage("truncated");
    assert_eq!(d.len(), 1);
    // 7 records of 126 bytes, then 40 bytes of the 8th.
    assert_eq!(d[0].offset, 882);
    assert_eq!(d[0].len, 40);
    assert!(matches!(d[0].kind, DamageKind::TruncatedTail { expected: Some(e) } if e > 40));
    assert_eq!(d[0].offset + d[0].len, buf.len() as u64);
    let records = Reader::new(&buf)
        .filter(|i| matches!(i, Item::Record(_)))
        .count();
    assert_eq!(records, 7);
    let text = d[0].to_string();
    assert!(
        text.contains("ends early") && text.contains("882"),
        "{text}"
    );
}

#[test]
fn corrupt_midstream_reads_past_every_damage() {
    let buf = bsm("corrupt_midstream");
    let items: Vec<Item> = Reader::new(&buf).collect();
    let records: Vec<_> = items
        .iter()
        .filter_map(|i| match i {
            Item::Record(r) => Some(r),
            _ => None,
        })
        .collect();
    // All five records, including the one after the junk byte praudit never prints.
    assert_eq!(records.len(), 5);
    assert_eq!(records[4].offset, 375);
    let paths: Vec<Vec<u8>> = records[4]
        .tokens()
        .filter_map(|t| match t {
            Token::Path(p) => Some(bsm::token::cstr(p).to_vec()),
            _ => None,
        })
        .collect();
    assert_eq!(paths, vec![b"/tmp/e-after-junk".to_vec()]);
    let d = damage("corrupt_midstream");
    assert_eq!(d.len(), 3, "{d:?}");
    // rec 2: text token with length 0x400 overruns its 72-byte record.
    assert_eq!(d[0].kind, DamageKind::MalformedToken { id: 0x28 });
    assert_eq!(d[0].offset, 129 + 28);
    // rec 3: unknown token 0x99; rest kept raw up to the trailer.
    assert_eq!(d[1].kind, DamageKind::UnknownToken { id: 0x99 });
    assert_eq!(d[1].offset, 201 + 28);
    assert_eq!(d[1].len, 9);
    // the stray NUL at 374.
    assert_eq!(
        (d[2].offset, d[2].len, d[2].kind),
        (374, 1, DamageKind::Skipped)
    );
    let unknown = records[2].tokens().find_map(|t| match t {
        Token::Unknown { id, data } => Some((id, data.to_vec())),
        _ => None,
    });
    assert_eq!(unknown, Some((0x99, vec![0xde, 0xad, 0x27, 0, 0, 0, 0, 0])));
    assert!(matches!(
        records[2].tokens().last(),
        Some(Token::Trailer { count: 44, .. })
    ));
}

#[test]
fn scan_agrees_with_reader_on_every_fixture() {
    for stem in FIXTURES {
        let buf = bsm(stem);
        let mut summaries = vec![];
        let end = scan(&buf, |s| summaries.push(*s));
        let mut expected = vec![];
        let mut reader_damage = vec![];
        for item in Reader::new(&buf) {
            match item {
                Item::Record(r) => {
                    let mut auid = None;
                    let mut euid = None;
                    let mut status = None;
                    for t in r.tokens() {
                        match t {
                            Token::Subject(s) if auid.is_none() => {
                                auid = Some(s.auid);
                                euid = Some(s.euid);
                            }
                            Token::Return { status: st, .. } if status.is_none() => {
                                status = Some(st)
                            }
                            _ => {}
                        }
                    }
                    expected.push((r.offset, r.header.event, r.header.sec, auid, euid, status));
                }
                Item::Damage(d) if !matches!(d.kind, DamageKind::TruncatedTail { .. }) => {
                    reader_damage.push(d)
                }
                Item::Damage(_) => assert!(end_is_partial(&buf)),
                Item::FileToken(_) => {}
            }
        }
        let got: Vec<_> = summaries
            .iter()
            .map(|s| (s.offset, s.event, s.sec, s.auid, s.euid, s.status))
            .collect();
        assert_eq!(got, expected, "{stem}");
        assert_eq!(end.damage, reader_damage, "{stem}");
        if *stem == "truncated" {
            assert!(end.partial_tail);
            assert_eq!(end.complete_bytes, 882);
        } else {
            assert!(!end.partial_tail, "{stem}");
            assert_eq!(end.complete_bytes, buf.len() as u64, "{stem}");
        }
    }
}

fn end_is_partial(buf: &[u8]) -> bool {
    scan(buf, |_| {}).partial_tail
}

#[test]
fn identity_token_is_decoded_with_xnu_layout() {
    let buf = bsm("macos_identity_token");
    let rec = Reader::new(&buf)
        .filter_map(|i| match i {
            Item::Record(r) => Some(r),
            _ => None,
        })
        .nth(3)
        .unwrap();
    let ids: Vec<u8> = rec.tokens().map(|t| t.id()).collect();
    // praudit sees 14 3c ed 13; the bytes hold 14 3c ed 23 24 27 13.
    assert_eq!(ids, vec![0x14, 0x3c, 0xed, 0x23, 0x24, 0x27, 0x13]);
    let ident = rec
        .tokens()
        .find_map(|t| match t {
            Token::Identity(i) => Some(i),
            _ => None,
        })
        .unwrap();
    assert_eq!(ident.signer_type, 2);
    assert_eq!(bsm::token::cstr(ident.signing_id), b"com.example.tool");
    assert_eq!(bsm::token::cstr(ident.team_id), b"ABCDE12345");
    assert_eq!(ident.cdhash.len(), 20);
}

/// Reading a trail in chunks — as the growing trail is read, restarting
/// each time at `complete_bytes` — sees exactly what one whole read sees.
#[test]
fn chunked_scan_equals_whole_scan() {
    for stem in FIXTURES {
        let buf = bsm(stem);
        let mut whole = vec![];
        let whole_end = scan(&buf, |s| whole.push(*s));
        for chunk in [1usize, 7, 50, 126, 333, 1000] {
            let mut got = vec![];
            let mut damage = vec![];
            let mut start = 0u64;
            let mut avail = 0usize;
            loop {
                avail = (avail + chunk).min(buf.len());
                let slice = &buf[start as usize..avail];
                let ending = if avail == buf.len() {
                    bsm::Ending::Final
                } else {
                    bsm::Ending::More
                };
                let end = bsm::scan::scan_at(slice, start, ending, |s| got.push(*s));
                damage.extend(end.damage);
                start = end.complete_bytes;
                if avail == buf.len() {
                    assert_eq!(end.partial_tail, whole_end.partial_tail, "{stem}");
                    break;
                }
            }
            assert_eq!(got, whole, "{stem} chunk {chunk}");
            assert_eq!(damage, whole_end.damage, "{stem} chunk {chunk}");
            assert_eq!(start, whole_end.complete_bytes, "{stem} chunk {chunk}");
        }
    }
}
