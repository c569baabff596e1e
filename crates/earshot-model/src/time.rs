//! UTC timestamps for trail names, record times and filters.
//!
//! Trail names and BSM headers are both UTC (auditd names files with `gmtime`), so
//! this module never consults a time zone. The civil-date arithmetic is Howard
//! Hinnant's `days_from_civil` / `civil_from_days` (`bsm::text`, the repo's one copy,
//! also behind praudit's dates), exact for the whole proleptic Gregorian range we can
//! meet (header64 seconds go far beyond 2038).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use ts_rs::TS;

/// A point in time with millisecond precision, as a BSM header records it.
///
/// Ordered by (seconds, milliseconds); serialised as ISO-8601 UTC with milliseconds
/// (`2024-03-14T09:15:00.035Z`) because that is what people and `jq` read.
/// Serialised as ISO-8601 UTC with milliseconds (`2024-03-14T09:15:00.035Z`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, TS)]
#[ts(type = "string")]
pub struct Timestamp {
    /// Seconds since the Unix epoch (unsigned, as in the BSM header).
    pub sec: u64,
    /// Milliseconds within the second. Headers may carry values ≥ 1000 (the field
    /// is 32-bit); we keep them as written rather than normalising.
    pub msec: u32,
}

/// A time string that is neither ISO-8601 nor `YYYYMMDD[hhmmss]`, or names an
/// impossible date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{text:?} is not a UTC time (use 2024-03-14, 2024-03-14T09:15:00Z or 20240314091500): {why}"
)]
pub struct TimeParseError {
    pub text: String,
    pub why: &'static str,
}

impl Timestamp {
    pub const fn new(sec: u64, msec: u32) -> Self {
        Timestamp { sec, msec }
    }

    /// Milliseconds since the epoch, used for range comparisons in filters.
    /// Saturates rather than wrapping: a corrupt 64-bit header must not alias a
    /// plausible time.
    pub fn as_millis(self) -> u128 {
        u128::from(self.sec) * 1000 + u128::from(self.msec)
    }

    /// Parses the forms auditreduce users type plus ISO-8601:
    /// `YYYYMMDD`, `YYYYMMDDhhmmss`, `YYYY-MM-DD`, `YYYY-MM-DDThh:mm[:ss[.fff]][Z]`
    /// (a space may replace `T`). Always UTC; an explicit offset other than `Z`
    /// or `+00:00` is rejected rather than silently misapplied.
    pub fn parse(text: &str) -> Result<Timestamp, TimeParseError> {
        let err = |why| TimeParseError {
            text: text.to_string(),
            why,
        };
        let t = text.trim();
        if t.bytes().all(|b| b.is_ascii_digit()) {
            return match t.len() {
                8 => civil(num(&t[0..4]), num(&t[4..6]), num(&t[6..8]), 0, 0, 0)
                    .map(|s| Timestamp::new(s, 0))
                    .ok_or_else(|| err("no such date")),
                14 => compact(t)
                    .map(|s| Timestamp::new(s, 0))
                    .ok_or_else(|| err("no such date or time")),
                _ => Err(err("digits-only times must be YYYYMMDD or YYYYMMDDhhmmss")),
            };
        }
        let b = t.as_bytes();
        if b.len() < 10
            || b[4] != b'-'
            || b[7] != b'-'
            || !digits(&b[0..4])
            || !digits(&b[5..7])
            || !digits(&b[8..10])
        {
            return Err(err("expected YYYY-MM-DD at the start"));
        }
        let (y, mo, d) = (num(&t[0..4]), num(&t[5..7]), num(&t[8..10]));
        let mut rest = &t[10..];
        let (mut h, mut mi, mut s, mut ms) = (0, 0, 0, 0u32);
        if let Some(r) = rest.strip_prefix('T').or_else(|| rest.strip_prefix(' ')) {
            let rb = r.as_bytes();
            if rb.len() < 5 || rb[2] != b':' || !digits(&rb[0..2]) || !digits(&rb[3..5]) {
                return Err(err("expected hh:mm after the date"));
            }
            h = num(&r[0..2]);
            mi = num(&r[3..5]);
            rest = &r[5..];
            if let Some(r) = rest.strip_prefix(':') {
                let rb = r.as_bytes();
                if rb.len() < 2 || !digits(&rb[0..2]) {
                    return Err(err("expected two digits of seconds"));
                }
                s = num(&r[0..2]);
                rest = &r[2..];
                if let Some(r) = rest.strip_prefix('.') {
                    let n = r.bytes().take_while(u8::is_ascii_digit).count();
                    if n == 0 {
                        return Err(err("expected digits after the decimal point"));
                    }
                    // Only milliseconds matter (BSM precision); extra digits truncate.
                    let frac = &r[..n];
                    let mut v = 0u32;
                    for (i, c) in frac.bytes().take(3).enumerate() {
                        v += u32::from(c - b'0') * [100, 10, 1][i];
                    }
                    ms = v;
                    rest = &r[n..];
                }
            }
        }
        match rest {
            "" | "Z" | "z" | "+00:00" | "+0000" | "-00:00" => {}
            _ => return Err(err("only UTC is accepted (end with Z or nothing)")),
        }
        civil(y, mo, d, h, mi, s)
            .map(|sec| Timestamp::new(sec, ms))
            .ok_or_else(|| err("no such date or time"))
    }

    /// Start of the UTC hour containing this time.
    pub fn hour_start(self) -> u64 {
        self.sec - self.sec % 3600
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, mo, d, h, mi, s) = to_civil(self.sec);
        write!(
            f,
            "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{:03}Z",
            self.msec
        )
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        // Round-trips our own Display, including msec ≥ 1000 written as 4 digits.
        parse_own(&s).ok_or_else(|| serde::de::Error::custom(format!("bad timestamp {s:?}")))
    }
}

/// Inverse of `Display` (exact, including out-of-range milliseconds).
fn parse_own(s: &str) -> Option<Timestamp> {
    let body = s.strip_suffix('Z')?;
    let (main, frac) = body.rsplit_once('.')?;
    let msec: u32 = frac.parse().ok()?;
    let base = Timestamp::parse(&format!("{main}Z")).ok()?;
    Some(Timestamp::new(base.sec, msec))
}

/// `YYYYMMDDhhmmss` → seconds since the epoch, or None for an impossible time.
pub fn compact(t: &str) -> Option<u64> {
    if t.len() != 14 || !digits(t.as_bytes()) {
        return None;
    }
    civil(
        num(&t[0..4]),
        num(&t[4..6]),
        num(&t[6..8]),
        num(&t[8..10]),
        num(&t[10..12]),
        num(&t[12..14]),
    )
}

fn digits(b: &[u8]) -> bool {
    b.iter().all(u8::is_ascii_digit)
}

/// Callers pass ASCII digits only, so this cannot fail; saturate defensively.
fn num(s: &str) -> u32 {
    s.parse().unwrap_or(u32::MAX)
}

fn is_leap(y: u32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Seconds since the epoch for a UTC civil time; None if any field is out of range
/// or the time is before 1970 (BSM seconds are unsigned).
pub fn civil(y: u32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Option<u64> {
    if !(1970..=9999).contains(&y) || !(1..=12).contains(&mo) || d == 0 || d > days_in_month(y, mo)
    {
        return None;
    }
    if h > 23 || mi > 59 || s > 59 {
        return None;
    }
    let days = bsm::text::days_from_civil(i64::from(y), mo, d);
    u64::try_from(days * 86_400 + i64::from(h) * 3600 + i64::from(mi) * 60 + i64::from(s)).ok()
}

/// UTC civil fields for seconds since the epoch. Years past 9999 print with more
/// digits rather than wrapping (a header64 can hold any u64).
pub fn to_civil(sec: u64) -> (u64, u32, u32, u32, u32, u32) {
    let rem = sec % 86_400;
    // sec / 86 400 < 2^48: exact as i64, and its year is positive.
    let (y, m, d) = bsm::text::civil_from_days((sec / 86_400) as i64);
    let y = y.unsigned_abs();
    (
        y,
        m,
        d,
        (rem / 3600) as u32,
        (rem % 3600 / 60) as u32,
        (rem % 60) as u32,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixture_base_time_round_trips() {
        // README of the BSM fixtures: 1710407700 = 2024-03-14T09:15:00Z.
        let t = Timestamp::parse("2024-03-14T09:15:00Z").unwrap();
        assert_eq!(t.sec, 1_710_407_700);
        assert_eq!(Timestamp::parse("20240314091500").unwrap(), t);
        assert_eq!(
            Timestamp::new(1_710_407_700, 35).to_string(),
            "2024-03-14T09:15:00.035Z"
        );
    }

    #[test]
    fn far_times_from_header_variants() {
        // 4102444800 = 2100-01-01T00:00:00Z; 5000000000 = 2128-06-11T08:53:20Z.
        assert_eq!(
            Timestamp::new(4_102_444_800, 0).to_string(),
            "2100-01-01T00:00:00.000Z"
        );
        assert_eq!(
            Timestamp::new(5_000_000_000, 0).to_string(),
            "2128-06-11T08:53:20.000Z"
        );
        assert_eq!(Timestamp::new(0, 0).to_string(), "1970-01-01T00:00:00.000Z");
    }

    #[test]
    fn rejects_impossible_and_zoned() {
        for bad in [
            "20230229",
            "2024-02-30",
            "2024-03-14T24:00",
            "20240314",
            "2024-03-14T09:15+02:00",
            "yesterday",
            "2024031409",
        ] {
            let r = Timestamp::parse(bad);
            if bad == "20240314" {
                assert!(r.is_ok());
            } else {
                assert!(r.is_err(), "{bad} accepted");
            }
        }
        assert_eq!(Timestamp::parse("2024-02-29").unwrap().sec, 1_709_164_800);
        assert_eq!(
            Timestamp::parse("2024-03-14T09:15:00.5Z").unwrap().msec,
            500
        );
    }

    #[test]
    fn civil_round_trip_every_day_for_decades() {
        let mut sec = 0u64;
        while sec < 4_200_000_000 {
            let (y, m, d, h, mi, s) = to_civil(sec);
            assert_eq!(civil(y as u32, m, d, h, mi, s), Some(sec));
            sec += 86_400 + 3_601;
        }
    }
}
