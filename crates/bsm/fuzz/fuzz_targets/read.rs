//! Any byte string: the reader, scan and every renderer must not panic, the
//! items must tile the input, and every record must re-encode to its bytes.
#![no_main]

use bsm::names::NoNames;
use bsm::read::{DamageKind, Item, Reader};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut pos = 0u64;
    let mut records = 0usize;
    for item in Reader::new(data) {
        match item {
            Item::Record(r) => {
                assert_eq!(r.offset, pos);
                pos += r.bytes.len() as u64;
                records += 1;
                let mut line = Vec::new();
                bsm::praudit::record(&mut line, &r, &NoNames);
                let mut x = String::new();
                bsm::xml::record(&mut x, &r, &NoNames);
                let _ = bsm::json::record_value(&r, &NoNames);
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
                DamageKind::UnknownToken { .. } | DamageKind::MalformedToken { .. } => {}
                _ => {
                    assert_eq!(d.offset, pos);
                    pos += d.len;
                }
            },
        }
    }
    assert_eq!(pos, data.len() as u64);
    let mut n = 0usize;
    let end = bsm::scan(data, |_| n += 1);
    assert_eq!(n, records);
    assert!(end.complete_bytes <= data.len() as u64);
});
