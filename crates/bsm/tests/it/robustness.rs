//! No input makes the reader, scan or renderers panic, and what they report
//! always covers the buffer exactly: records, file tokens and damage tile the
//! input with no gaps or overlaps.

use crate::common;

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
    // One line per record and file token, whatever the bytes: a string never
    // breaks its line, and a file token is trusted only with a printable name.
    let mut lines = Vec::new();
    bsm::praudit::print_trail(buf, &NoNames, &mut lines).unwrap();
    let items = Reader::new(buf)
        .filter(|i| !matches!(i, Item::Damage(_)))
        .count();
    assert_eq!(lines.iter().filter(|&&b| b == b'\n').count(), items);
    for item in Reader::new(buf) {
        if let Item::FileToken(f) = item {
            let mut line = Vec::new();
            bsm::praudit::file_token(&mut line, &f, &NoNames);
            let line = String::from_utf8(line).expect("a file token line is text");
            assert!(
                !line.chars().any(|c| c.is_control() && c != '\n'),
                "{line:?}"
            );
            assert!(f.msec < 1000, "{line}");
        }
    }
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

/// Random bytes rich in file-token ids (0x11) and the length bytes that make a
/// short name plausible: no file token is believed unless libbsm could have
/// written it (milliseconds below 1000, a printable UTF-8 name ending in its one
/// NUL).
#[test]
fn random_bytes_do_not_pass_as_file_tokens() {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut buf = Vec::with_capacity(1 << 20);
    while buf.len() < 1 << 20 {
        let r = next();
        match r % 4 {
            0 => buf.push(0x11),
            1 => buf.extend_from_slice(&[0, 2]),
            _ => buf.push((r >> 8) as u8),
        }
    }
    let tokens = Reader::new(&buf)
        .filter(|i| matches!(i, Item::FileToken(_)))
        .count();
    assert_eq!(tokens, 0);
    check(&buf);
}
