//! Byte-exact emulation of the handful of libc routines libbsm uses to read its
//! configuration files (`fgets`, `strtok_r`, `atoi`, `strtoul`, `sscanf("%ju%c")`).
//!
//! Every quirk of the real files (values cut at 255 bytes, `\r` kept, empty fields
//! collapsing, `atoi("25%") == 25`, `-1` wrapping to 2⁶⁴−1) comes from these routines,
//! so they are reproduced here once and everything else builds on them. Nothing in
//! this module can panic on any input.

/// `AU_LINE_MAX`: libbsm reads every configuration file with `fgets(buf, 256, fp)`.
pub(crate) const AU_LINE_MAX: usize = 256;

/// A piece of the file as one `fgets(256)` call returns it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Chunk {
    /// Byte offset of the chunk in the file.
    pub start: usize,
    /// Byte offset just past the chunk (includes the `\n` when the chunk has one).
    pub end: usize,
}

/// Splits `bytes` exactly the way successive `fgets(buf, 256, fp)` calls do: each
/// call returns at most 255 bytes, stopping after a `\n`. A line of exactly 255
/// bytes therefore yields the 255 bytes and then a chunk holding only `\n`.
pub(crate) fn fgets_chunks(bytes: &[u8]) -> Vec<Chunk> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < bytes.len() {
        let limit = (pos + AU_LINE_MAX - 1).min(bytes.len());
        let end = match bytes[pos..limit].iter().position(|&b| b == b'\n') {
            Some(i) => pos + i + 1,
            None => limit,
        };
        out.push(Chunk { start: pos, end });
        pos = end;
    }
    out
}

/// The chunk as C string functions see it: up to the first NUL byte.
pub(crate) fn c_string(chunk: &[u8]) -> &[u8] {
    match chunk.iter().position(|&b| b == 0) {
        Some(i) => &chunk[..i],
        None => chunk,
    }
}

/// A token found by [`strtok`], as a byte range of the scanned slice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token {
    pub start: usize,
    pub end: usize,
    /// Where the next `strtok_r(NULL, …)` call resumes: just past the delimiter that
    /// ended this token, or `None` when the token ran to the end of the string (BSD
    /// `strtok_r` then stores NULL in `*last`).
    pub rest: Option<usize>,
}

/// One `strtok_r` step over `s` starting at `from`: skips leading delimiters, then
/// takes bytes up to the next delimiter. Returns `None` when only delimiters remain.
pub(crate) fn strtok(s: &[u8], from: usize, delim: &[u8]) -> Option<Token> {
    let mut i = from;
    while i < s.len() && delim.contains(&s[i]) {
        i += 1;
    }
    if i >= s.len() {
        return None;
    }
    let start = i;
    while i < s.len() && !delim.contains(&s[i]) {
        i += 1;
    }
    let rest = if i < s.len() { Some(i + 1) } else { None };
    Some(Token {
        start,
        end: i,
        rest,
    })
}

/// All tokens `strtok_r` would return for `s`.
pub(crate) fn strtok_all(s: &[u8], delim: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut from = Some(0);
    while let Some(f) = from {
        match strtok(s, f, delim) {
            Some(t) => {
                out.push((t.start, t.end));
                from = t.rest;
            }
            None => break,
        }
    }
    out
}

/// C `isspace` in the "C" locale.
pub(crate) fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// Result of scanning an unsigned decimal number the way `strtoumax`/`%ju` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Scanned {
    /// The value, already negated modulo 2⁶⁴ when a `-` sign was present and
    /// saturated to `u64::MAX` on overflow (what BSD/glibc `strtoumax` do).
    pub value: u64,
    /// Index just past the last digit.
    pub end: usize,
    /// Whether the decimal digits overflowed 64 bits.
    pub overflow: bool,
}

/// `strtoul`-family decimal scan from `from`: optional C whitespace, optional sign,
/// at least one digit. `None` when there is no digit (a matching failure).
pub(crate) fn scan_unsigned(s: &[u8], from: usize) -> Option<Scanned> {
    let mut i = from;
    while i < s.len() && is_c_space(s[i]) {
        i += 1;
    }
    let mut negative = false;
    if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
        negative = s[i] == b'-';
        i += 1;
    }
    let digits_start = i;
    let mut value: u64 = 0;
    let mut overflow = false;
    while i < s.len() && s[i].is_ascii_digit() {
        let d = u64::from(s[i] - b'0');
        match value.checked_mul(10).and_then(|v| v.checked_add(d)) {
            Some(v) => value = v,
            None => overflow = true,
        }
        i += 1;
    }
    if i == digits_start {
        return None;
    }
    if overflow {
        value = u64::MAX;
    } else if negative {
        value = value.wrapping_neg();
    }
    Some(Scanned {
        value,
        end: i,
        overflow,
    })
}

/// C `atoi` (implemented as `(int)strtol(s, NULL, 10)` on BSD/macOS): whitespace,
/// sign, digits; no digits gives 0; `long` saturation then truncation to `int`.
pub(crate) fn atoi(s: &[u8]) -> i32 {
    let mut i = 0;
    while i < s.len() && is_c_space(s[i]) {
        i += 1;
    }
    let mut negative = false;
    if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
        negative = s[i] == b'-';
        i += 1;
    }
    let mut value: i64 = 0;
    let mut saturated = false;
    while i < s.len() && s[i].is_ascii_digit() {
        let d = i64::from(s[i] - b'0');
        match value.checked_mul(10).and_then(|v| v.checked_add(d)) {
            Some(v) => value = v,
            None => saturated = true,
        }
        i += 1;
    }
    let long = match (saturated, negative) {
        (true, false) => i64::MAX,
        (true, true) => i64::MIN,
        (false, false) => value,
        (false, true) => -value,
    };
    // Truncation to `int` is what the (int) cast in atoi does on LP64.
    long as i32
}

/// C `strtoul(s, NULL, 0)` on LP64: whitespace, sign, `0x`/`0X` hex, leading `0`
/// octal, otherwise decimal; stops at the first byte that is not a digit of the
/// base; saturates to `ULONG_MAX` on overflow; no digits gives 0.
pub(crate) fn strtoul0(s: &[u8]) -> u64 {
    let mut i = 0;
    while i < s.len() && is_c_space(s[i]) {
        i += 1;
    }
    let mut negative = false;
    if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
        negative = s[i] == b'-';
        i += 1;
    }
    let base: u64 = if i + 1 < s.len()
        && s[i] == b'0'
        && (s[i + 1] == b'x' || s[i + 1] == b'X')
        && s.get(i + 2).is_some_and(|b| b.is_ascii_hexdigit())
    {
        i += 2;
        16
    } else if i < s.len() && s[i] == b'0' {
        8
    } else {
        10
    };
    let mut value: u64 = 0;
    let mut overflow = false;
    while i < s.len() {
        let d = match (s[i] as char).to_digit(base as u32) {
            Some(d) => u64::from(d),
            None => break,
        };
        match value.checked_mul(base).and_then(|v| v.checked_add(d)) {
            Some(v) => value = v,
            None => overflow = true,
        }
        i += 1;
    }
    if overflow {
        u64::MAX
    } else if negative {
        value.wrapping_neg()
    } else {
        value
    }
}

/// Renders bytes for a human message: printable ASCII as is, everything else
/// escaped (`\r`, `\t`, `\xNN`), so an invisible `\r` or a NUL is visible.
pub(crate) fn show(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fgets_splits_long_lines_at_255_bytes() {
        let mut line = vec![b'a'; 300];
        line.push(b'\n');
        let chunks = fgets_chunks(&line);
        assert_eq!(chunks.len(), 2);
        assert_eq!(chunks[0], Chunk { start: 0, end: 255 });
        assert_eq!(
            chunks[1],
            Chunk {
                start: 255,
                end: 301
            }
        );
    }

    #[test]
    fn fgets_exactly_255_bytes_then_lone_newline() {
        let mut line = vec![b'a'; 255];
        line.push(b'\n');
        let chunks = fgets_chunks(&line);
        assert_eq!(
            chunks,
            vec![
                Chunk { start: 0, end: 255 },
                Chunk {
                    start: 255,
                    end: 256
                }
            ]
        );
    }

    #[test]
    fn strtok_skips_leading_and_repeated_delimiters() {
        assert_eq!(strtok_all(b":flags::lo:", b":"), vec![(1, 6), (8, 10)]);
        let t = strtok(b"flags", 0, b":").unwrap();
        assert_eq!(t.rest, None);
        let t = strtok(b"flags:", 0, b":").unwrap();
        assert_eq!(t.rest, Some(6));
        assert!(strtok(b":::", 0, b":").is_none());
    }

    #[test]
    fn atoi_matches_libc() {
        assert_eq!(atoi(b" 25"), 25);
        assert_eq!(atoi(b"25%"), 25);
        assert_eq!(atoi(b"abc"), 0);
        assert_eq!(atoi(b"-5"), -5);
        assert_eq!(atoi(b"\r\n 7"), 7);
        assert_eq!(atoi(b"99999999999999999999"), -1);
        assert_eq!(atoi(b"4294967297"), 1);
    }

    #[test]
    fn strtoul_base0() {
        assert_eq!(strtoul0(b"0x00001000"), 0x1000);
        assert_eq!(strtoul0(b"0xffffffff"), 0xffff_ffff);
        assert_eq!(strtoul0(b"010"), 8);
        assert_eq!(strtoul0(b"12"), 12);
        assert_eq!(strtoul0(b"zz"), 0);
        assert_eq!(strtoul0(b"-1"), u64::MAX);
        assert_eq!(strtoul0(b"0x"), 0);
        assert_eq!(strtoul0(b"0x1ffffffffffffffff"), u64::MAX);
    }

    #[test]
    fn scan_unsigned_sign_and_overflow() {
        assert_eq!(scan_unsigned(b" -1", 0).unwrap().value, u64::MAX);
        assert_eq!(scan_unsigned(b"2M", 0).unwrap().end, 1);
        assert!(scan_unsigned(b"-", 0).is_none());
        assert!(scan_unsigned(b"", 0).is_none());
        assert!(
            scan_unsigned(b"99999999999999999999999", 0)
                .unwrap()
                .overflow
        );
    }
}
