//! Trail file names as auditd makes them: `YYYYMMDDhhmmss.YYYYMMDDhhmmss` (start.end,
//! UTC via gmtime), `START.not_terminated` for the active trail and
//! `START.crash_recovery` after a crash; with `host:` set a `.host` suffix follows.

/// Second-resolution UTC stamp `YYYYMMDDhhmmss`.
pub fn stamp(unix: u64) -> String {
    let days = (unix / 86_400) as i64;
    let rem = unix % 86_400;
    let (y, m, d) = bsm::text::civil_from_days(days);
    format!(
        "{y:04}{m:02}{d:02}{:02}{:02}{:02}",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

/// Parses a 14-digit stamp back to Unix seconds.
pub fn parse_stamp(s: &str) -> Option<u64> {
    if s.len() != 14 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| s[r].parse::<u32>().ok();
    let (y, mo, d, h, mi, se) = (
        n(0..4)?,
        n(4..6)?,
        n(6..8)?,
        n(8..10)?,
        n(10..12)?,
        n(12..14)?,
    );
    if !(1..=12).contains(&mo) || d == 0 || d > days_in_month(y, mo) || h > 23 || mi > 59 || se > 60
    {
        return None;
    }
    let days = bsm::text::days_from_civil(i64::from(y), mo, d);
    u64::try_from(days * 86_400 + i64::from(h * 3600 + mi * 60 + se)).ok()
}

/// What a trail's name says about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrailEnd {
    /// Closed at this time.
    Closed(u64),
    /// The active trail.
    NotTerminated,
    /// Renamed at startup after auditd died with this trail open.
    CrashRecovery,
    /// Something after the dot we do not recognise.
    Other,
}

/// A trail name split into its parts, or `None` if it is not a trail name at all
/// (auditd's own test: a `.` at offset 14).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrailName {
    pub start: Option<u64>,
    pub end: TrailEnd,
}

pub fn parse_trail_name(name: &str) -> Option<TrailName> {
    let b = name.as_bytes();
    if b.len() < 15 || b[14] != b'.' {
        return None;
    }
    let start = parse_stamp(&name[..14]);
    let rest = &name[15..];
    let end = if rest.starts_with("not_terminated") {
        TrailEnd::NotTerminated
    } else if rest.starts_with("crash_recovery") {
        TrailEnd::CrashRecovery
    } else if let Some(t) = rest.get(..14).and_then(parse_stamp) {
        TrailEnd::Closed(t)
    } else {
        TrailEnd::Other
    };
    Some(TrailName { start, end })
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_round_trip() {
        // 1710407700 = 2024-03-14T09:15:00Z (the bsm fixtures' base time).
        assert_eq!(stamp(1_710_407_700), "20240314091500");
        assert_eq!(parse_stamp("20240314091500"), Some(1_710_407_700));
        assert_eq!(stamp(0), "19700101000000");
        assert_eq!(parse_stamp("20240230000000"), None);
        for t in [951_782_400u64, 1_709_164_800, 4_102_444_800] {
            assert_eq!(parse_stamp(&stamp(t)), Some(t));
        }
    }

    #[test]
    fn trail_names() {
        let n = parse_trail_name("20240314091500.20240314101500").unwrap();
        assert_eq!(n.start, Some(1_710_407_700));
        assert_eq!(n.end, TrailEnd::Closed(1_710_411_300));
        assert_eq!(
            parse_trail_name("20240314091500.not_terminated")
                .unwrap()
                .end,
            TrailEnd::NotTerminated
        );
        assert_eq!(
            parse_trail_name("20240314091500.crash_recovery")
                .unwrap()
                .end,
            TrailEnd::CrashRecovery
        );
        assert_eq!(
            parse_trail_name("20240314091500.20240314101500.host.example")
                .unwrap()
                .end,
            TrailEnd::Closed(1_710_411_300)
        );
        assert!(parse_trail_name("current").is_none());
        assert!(parse_trail_name("audit_control").is_none());
    }
}
