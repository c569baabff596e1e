//! The small JSON writer every event goes through: bytes appended to a `Vec<u8>`,
//! no value tree. Objects are opened and closed by hand; [`key!`] writes the
//! comma a member needs by looking at the byte before it, so a member can be
//! left out without any bookkeeping.

/// Which bytes a JSON string cannot hold as they are: control characters, `"`
/// and `\`.
static ESCAPE: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = true;
        i += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t
};

/// A comma unless the member is the first of its object or array.
#[inline]
pub(crate) fn comma(out: &mut Vec<u8>) {
    match out.last() {
        Some(b'{') | Some(b'[') | None => {}
        _ => out.push(b','),
    }
}

/// `,"name":` (the comma only when needed), from a literal key.
macro_rules! key {
    ($out:expr, $k:literal) => {{
        $crate::json::comma($out);
        $out.extend_from_slice(concat!("\"", $k, "\":").as_bytes());
    }};
}
pub(crate) use key;

/// `,"name":` for a member known to follow another one. [`key!`] finds out
/// by reading back the byte before, which costs a stall when that byte was
/// just written by a `memcpy` of a remembered fragment (the store has not
/// reached the cache yet); the hot members after such copies use this.
macro_rules! next_key {
    ($out:expr, $k:literal) => {{
        $out.extend_from_slice(concat!(",\"", $k, "\":").as_bytes());
    }};
}
pub(crate) use next_key;

/// A member whose value is a string literal known to need no escaping.
macro_rules! lit {
    ($out:expr, $k:literal, $v:literal) => {{
        $crate::json::comma($out);
        $out.extend_from_slice(concat!("\"", $k, "\":\"", $v, "\"").as_bytes());
    }};
}
pub(crate) use lit;

static PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// A number in decimal. Ids, statuses, ports and group ids in a trail are
/// mostly below 1000 (0 above all): those are pushed digit by digit, which
/// costs less than formatting into a buffer and copying it.
#[inline(always)]
pub(crate) fn u64(out: &mut Vec<u8>, v: u64) {
    if v < 10 {
        out.push(b'0' + v as u8);
    } else if v < 100 {
        let p = v as usize * 2;
        out.extend_from_slice(&PAIRS[p..p + 2]);
    } else if v < 1000 {
        let p = (v % 100) as usize * 2;
        out.push(b'0' + (v / 100) as u8);
        out.extend_from_slice(&PAIRS[p..p + 2]);
    } else {
        long(out, v);
    }
}

/// Numbers from 1000 on (inodes, file system ids, offsets, sessions). The
/// digits are made in a register, eight per word (no loop over them), and
/// each word is appended whole and the excess cut off: a copy of known size
/// is one store, where one of the digits' own length is a call to `memcpy` —
/// and digits written to a buffer byte by byte and then copied out stall
/// that copy.
#[inline(never)]
fn long(out: &mut Vec<u8>, v: u64) {
    const E8: u64 = 100_000_000;
    if v < E8 {
        let n = decimal_len(v as u32);
        word(out, eight_digits(v as u32) >> (8 * (8 - n)), n);
    } else if v < 10 * E8 {
        // Nine digits (offsets in large trails): the first alone.
        out.push(b'0' + (v / E8) as u8);
        word(out, eight_digits((v % E8) as u32), 8);
    } else if v < E8 * E8 {
        let (hi, lo) = ((v / E8) as u32, (v % E8) as u32);
        let n = decimal_len(hi);
        word(out, eight_digits(hi) >> (8 * (8 - n)), n);
        word(out, eight_digits(lo), 8);
    } else {
        let mut b = itoa::Buffer::new();
        out.extend_from_slice(b.format(v).as_bytes());
    }
}

/// How many decimal digits `v` (below 10⁸) has, without a branch: from its
/// bit length (log₁₀ 2 ≈ 1233 / 4096), corrected by one comparison — the
/// lengths of inodes, ids and offsets vary too much for a chain of branches.
#[inline(always)]
fn decimal_len(v: u32) -> usize {
    const POW10: [u32; 10] = [
        1,
        10,
        100,
        1000,
        10_000,
        100_000,
        1_000_000,
        10_000_000,
        100_000_000,
        1_000_000_000,
    ];
    let v = v | 1;
    let t = ((32 - v.leading_zeros()) * 1233) >> 12;
    t as usize + usize::from(v >= POW10[t as usize])
}

/// The first `n` bytes of `w` (little-endian).
#[inline(always)]
fn word(out: &mut Vec<u8>, w: u64, n: usize) {
    let len = out.len();
    out.extend_from_slice(&w.to_le_bytes());
    out.truncate(len + n);
}

/// `v` (below 10⁸) as eight ASCII digits with leading zeros, the first digit
/// in the lowest byte (its little-endian bytes read in order). Divisions by
/// 10⁴, 100 and 10 run on all lanes of the word at once, by multiplying with
/// a reciprocal: ⌊x·10486 / 2²⁰⌋ = ⌊x / 100⌋ for x < 10⁴, and
/// ⌊x·103 / 2¹⁰⌋ = ⌊x / 10⌋ for x < 100; no lane's product reaches the next.
#[inline(always)]
fn eight_digits(v: u32) -> u64 {
    let v = u64::from(v);
    // 32-bit lanes: the first four digits, then the last four.
    let x = (v / 10_000) | ((v % 10_000) << 32);
    let q = ((x * 10_486) >> 20) & 0x0000_007F_0000_007F;
    // 16-bit lanes: two digits each.
    let x = q | ((x - q * 100) << 16);
    let q = ((x * 103) >> 10) & 0x000F_000F_000F_000F;
    // Bytes: one digit each.
    let x = q | ((x - q * 10) << 8);
    x | 0x3030_3030_3030_3030
}

#[inline]
pub(crate) fn i64(out: &mut Vec<u8>, v: i64) {
    if v < 0 {
        out.push(b'-');
    }
    u64(out, v.unsigned_abs());
}

/// A number as a JSON string (`"501"`): OCSF `uid`s are strings.
#[inline]
pub(crate) fn u64_str(out: &mut Vec<u8>, v: u64) {
    out.push(b'"');
    u64(out, v);
    out.push(b'"');
}

pub(crate) fn bool(out: &mut Vec<u8>, v: bool) {
    out.extend_from_slice(if v { b"true" } else { b"false" });
}

/// A quoted JSON string from text that is already valid UTF-8.
#[inline]
pub(crate) fn str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    escaped(out, s.as_bytes());
    out.push(b'"');
}

/// A caption from the schema's own tables (plain ASCII): quoted, unchecked.
#[inline]
pub(crate) fn caption(out: &mut Vec<u8>, s: &'static str) {
    debug_assert!(plain(s.as_bytes()), "{s:?}");
    plain_str(out, s.as_bytes());
}

/// A quoted JSON string from bytes [`plain`] has accepted.
#[inline]
pub(crate) fn plain_str(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'"');
    out.extend_from_slice(s);
    out.push(b'"');
}

/// A quoted JSON string from bytes of unknown encoding: valid UTF-8 as is,
/// anything else with U+FFFD for each invalid sequence (as
/// `String::from_utf8_lossy`, and as `bsm::json` renders the same fields).
#[inline]
pub(crate) fn bytes(out: &mut Vec<u8>, b: &[u8]) {
    out.push(b'"');
    bytes_inner(out, b);
    out.push(b'"');
}

/// [`bytes`] without the quotes (for strings built from several parts).
#[inline]
pub(crate) fn bytes_inner(out: &mut Vec<u8>, b: &[u8]) {
    if plain(b) {
        out.extend_from_slice(b);
        return;
    }
    match std::str::from_utf8(b) {
        Ok(s) => escape_slow(out, s.as_bytes()),
        Err(_) => escape_slow(out, String::from_utf8_lossy(b).as_bytes()),
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Whether 8 bytes may hold a byte JSON cannot take as it is, or a non-ASCII
/// byte (whose UTF-8 must be checked). False positives only cost the slow path.
#[inline]
fn special(w: u64) -> bool {
    let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
    let below_space = w.wrapping_sub(ONES * 0x20) & !w & HIGHS;
    (below_space
        | zero(w ^ (ONES * u64::from(b'"')))
        | zero(w ^ (ONES * u64::from(b'\\')))
        | (w & HIGHS))
        != 0
}

/// Printable ASCII without `"` and `\`: copied as it is. Eight bytes per
/// step, because paths, arguments and names are most of the output.
#[inline]
pub(crate) fn plain(s: &[u8]) -> bool {
    let mut chunks = s.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        if special(u64::from_le_bytes(w)) {
            return false;
        }
    }
    chunks
        .remainder()
        .iter()
        .all(|&b| !ESCAPE[usize::from(b)] && b < 0x80)
}

/// Appends valid UTF-8 with JSON escapes.
#[inline]
pub(crate) fn escaped(out: &mut Vec<u8>, s: &[u8]) {
    if plain(s) {
        out.extend_from_slice(s);
    } else {
        escape_slow(out, s);
    }
}

/// Escapes valid UTF-8, copying the runs between escapes whole.
fn escape_slow(out: &mut Vec<u8>, s: &[u8]) {
    let mut start = 0;
    for (i, &c) in s.iter().enumerate() {
        if !ESCAPE[usize::from(c)] {
            continue;
        }
        out.extend_from_slice(&s[start..i]);
        match c {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(c >> 4)]);
                out.push(HEX[usize::from(c & 15)]);
            }
        }
        start = i + 1;
    }
    out.extend_from_slice(&s[start..]);
}

/// Dotted IPv4 without allocating.
pub(crate) fn ipv4_inner(out: &mut Vec<u8>, a: [u8; 4]) {
    if a == [0; 4] {
        // The terminal address of every local subject.
        out.extend_from_slice(b"0.0.0.0");
        return;
    }
    for (i, b) in a.iter().enumerate() {
        if i > 0 {
            out.push(b'.');
        }
        u64(out, u64::from(*b));
    }
}

/// An address as a JSON string: IPv4 dotted, IPv6 as `inet_ntop` writes it
/// (the same text as praudit and `bsm::json`).
pub(crate) fn addr(out: &mut Vec<u8>, a: &bsm::token::Addr) {
    out.push(b'"');
    match *a {
        bsm::token::Addr::V4(b) => ipv4_inner(out, b),
        bsm::token::Addr::V6(b) => out.extend_from_slice(bsm::text::ipv6(b).as_bytes()),
    }
    out.push(b'"');
}

/// Lowercase hex of `data` inside quotes (`bsm::text::hex`, as bsm's JSON
/// renders hashes).
pub(crate) fn hex(out: &mut Vec<u8>, data: &[u8]) {
    str(out, &bsm::text::hex(data));
}

/// Standard base64 (with padding) inside quotes.
pub(crate) fn base64(out: &mut Vec<u8>, data: &[u8]) {
    const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    out.push(b'"');
    let mut chunks = data.chunks_exact(3);
    for c in &mut chunks {
        let n = (u32::from(c[0]) << 16) | (u32::from(c[1]) << 8) | u32::from(c[2]);
        for shift in [18, 12, 6, 0] {
            out.push(B64[((n >> shift) & 63) as usize]);
        }
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let b1 = rest.get(1).copied().unwrap_or(0);
        let n = (u32::from(rest[0]) << 16) | (u32::from(b1) << 8);
        out.push(B64[((n >> 18) & 63) as usize]);
        out.push(B64[((n >> 12) & 63) as usize]);
        if rest.len() == 2 {
            out.push(B64[((n >> 6) & 63) as usize]);
        } else {
            out.push(b'=');
        }
        out.push(b'=');
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(f: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut v = Vec::new();
        f(&mut v);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn strings_escape_like_serde_json() {
        for text in [
            "plain",
            "quote \" back \\ slash",
            "ctl \u{1} \n \t \r \u{1f}",
            "utf-8 é ✓",
            "",
        ] {
            let ours = s(|o| str(o, text));
            assert_eq!(ours, serde_json::to_string(text).unwrap(), "{text:?}");
            let back: String = serde_json::from_str(&ours).unwrap();
            assert_eq!(back, text);
        }
    }

    #[test]
    fn the_fast_path_sees_every_byte_that_needs_care() {
        for b in 0..=255u8 {
            for at in 0..17 {
                let mut v = vec![b'a'; 17];
                v[at] = b;
                let needs = b < 0x20 || b == b'"' || b == b'\\' || b >= 0x80;
                assert_eq!(plain(&v), !needs, "byte {b:#x} at {at}");
            }
        }
    }

    #[test]
    fn eight_digits_in_a_word_are_the_zero_padded_number() {
        for v in (0..100_000_000u32)
            .step_by(997)
            .chain([99_999_999, 10_000, 9_999])
        {
            let w = eight_digits(v).to_le_bytes();
            assert_eq!(std::str::from_utf8(&w).unwrap(), format!("{v:08}"));
        }
    }

    #[test]
    fn numbers_print_like_display() {
        let mut cases = vec![
            0u64,
            9,
            10,
            99,
            100,
            999,
            1000,
            9999,
            10_000,
            65535,
            u64::MAX,
        ];
        cases.extend((0..20).map(|k| 10u64.pow(k)));
        cases.extend((1..20).map(|k| 10u64.pow(k) - 1));
        // Every length, from a fixed pseudo-random sequence.
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for i in 0..20_000 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            cases.push(x >> (i % 64));
        }
        cases.extend(0..20_000);
        for v in cases {
            assert_eq!(s(|o| u64(o, v)), v.to_string());
            let after = s(|o| {
                o.extend_from_slice(b"\"n\":");
                u64(o, v)
            });
            assert_eq!(after, format!("\"n\":{v}"), "after other output");
        }
        for v in [0i64, -1, -10, i64::MIN, i64::MAX, 1_710_407_700_381] {
            assert_eq!(s(|o| i64(o, v)), v.to_string());
        }
    }

    #[test]
    fn invalid_utf8_becomes_replacement_characters() {
        let out = s(|o| bytes(o, b"a\xffb\xc3"));
        assert_eq!(out, "\"a\u{fffd}b\u{fffd}\"");
    }

    #[test]
    fn members_get_commas_only_between_them() {
        let out = s(|o| {
            o.push(b'{');
            key!(o, "a");
            u64(o, 1);
            lit!(o, "b", "x");
            key!(o, "c");
            o.push(b'[');
            comma(o);
            u64(o, 2);
            comma(o);
            u64(o, 3);
            o.push(b']');
            o.push(b'}');
        });
        assert_eq!(out, r#"{"a":1,"b":"x","c":[2,3]}"#);
    }

    #[test]
    fn base64_matches_the_standard_alphabet() {
        for (input, want) in [
            (&b""[..], ""),
            (b"f", "Zg=="),
            (b"fo", "Zm8="),
            (b"foo", "Zm9v"),
            (b"foob", "Zm9vYg=="),
            (b"\xff\xfe\xfd", "//79"),
        ] {
            assert_eq!(s(|o| base64(o, input)), format!("\"{want}\""));
        }
    }

    #[test]
    fn addresses_print_as_praudit_does() {
        let v4 = bsm::token::Addr::V4([192, 0, 2, 10]);
        assert_eq!(s(|o| addr(o, &v4)), "\"192.0.2.10\"");
        let mut b = [0u8; 16];
        b[0] = 0x20;
        b[1] = 0x01;
        b[2] = 0x0d;
        b[3] = 0xb8;
        b[15] = 1;
        assert_eq!(s(|o| addr(o, &bsm::token::Addr::V6(b))), "\"2001:db8::1\"");
    }
}
