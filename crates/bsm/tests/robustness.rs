//! No input makes the reader, scan or renderers panic, and what they report
//! always covers the buffer exactly: records, file tokens and damage tile the
//! input with no gaps or overlaps.

mod common;

use bsm::names::NoNames;
use bsm::read::{DamageKind, Item, Reader};
use common::{bsm, FIXTURES};
use proptest::prelude::*;

fn check(buf: &[u8]) {
    // Items tile the buffer.
    let mut pos = 0u64;
    let mut records = 0usize;
    for item in Reader::new(buf) {
        match item {
            Item::Record(r) => {
                assert_eq!(r.offset, pos);
                pos += r.bytes.len() as u64;
                records += 1;
                // Every renderer handles every record.
                let mut line = Vec::new();
                bsm::praudit::record(&mut line, &r, &NoNames);
                let mut x = String::new();
                bsm::xml::record(&mut x, &r, &NoNames);
                let _ = bsm::json::record_value(&r, &NoNames);
                // And the writer round-trips it.
                let mut out = Vec::new();
                for t in r.tokens() {
                    bsm::write::encode(&mut out, &t);
                }
                assert_eq!(out, r.bytes);
            }
            Item::FileToken(f) => {
                assert_eq!(f.offset, pos);
                pos += f.bytes.len() as u64;
            }
            Item::Damage(d) => match d.kind {
                // Token damage lies inside the record just yielded.
                DamageKind::UnknownToken { .. } | DamageKind::MalformedToken { .. } => {
                    assert!(d.offset < pos)
                }
                _ => {
                    assert_eq!(d.offset, pos);
                    assert!(d.len > 0);
                    pos += d.len;
                }
            },
        }
    }
    assert_eq!(pos, buf.len() as u64);
    // The scan sees the same records.
    let mut n = 0usize;
    let end = bsm::scan(buf, |_| n += 1);
    assert_eq!(n, records);
    assert!(end.complete_bytes <= buf.len() as u64);
    let mut sink = Vec::new();
    bsm::xml::print_trail(buf, &NoNames, &mut sink).unwrap();
    let text = String::from_utf8(sink).unwrap();
    roxmltree::Document::parse(&text).expect("XML stays well-formed on any input");
}

fn corpus() -> Vec<u8> {
    let mut all = Vec::new();
    for stem in FIXTURES {
        all.extend(bsm(stem));
    }
    all
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(buf in proptest::collection::vec(any::<u8>(), 0..2048)) {
        check(&buf);
    }

    /// Real trails with bytes flipped, cut and spliced: the interesting
    /// inputs are almost-valid ones.
    #[test]
    fn mutated_fixtures_never_panic(
        start in 0usize..60_000,
        len in 0usize..4096,
        flips in proptest::collection::vec((any::<u16>(), any::<u8>()), 0..16),
        cut in any::<u16>(),
    ) {
        let all = corpus();
        let start = start % all.len();
        let mut buf = all[start..(start + len).min(all.len())].to_vec();
        for (at, v) in flips {
            if !buf.is_empty() {
                let i = usize::from(at) % buf.len();
                buf[i] = v;
            }
        }
        check(&buf);
        let c = usize::from(cut) % (buf.len() + 1);
        check(&buf[..c]);
        check(&buf[c..]);
    }
}

#[test]
fn every_fixture_and_every_prefix() {
    for stem in FIXTURES {
        let buf = bsm(stem);
        check(&buf);
        // Every truncation point of the small fixtures.
        if buf.len() < 4000 {
            for cut in 0..buf.len() {
                check(&buf[..cut]);
            }
        }
    }
}
