//! Formatting helpers that reproduce the C library output praudit relies on
//! (`ctime_r`, `inet_ntoa`, `inet_ntop`), plus ISO-8601 for JSON.

use std::fmt::Write as _;

/// Civil date (year, month 1–12, day 1–31) from days since 1970-01-01, proleptic
/// Gregorian (H. Hinnant's `civil_from_days`), exact for every i64 day count a BSM
/// time can reach. Earshot's one copy: trail names, charts and the simulator use it.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Days since 1970-01-01 of a civil date (the inverse of [`civil_from_days`];
/// H. Hinnant's `days_from_civil`). The caller checks the fields are a real date.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = y - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

const WDAY: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MON: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `ctime_r()` in UTC without the trailing newline: `Thu Mar 14 09:15:00 2024`.
/// The fixtures were printed with `TZ=UTC`, and Earshot always prints UTC so
/// output does not depend on the viewer's zone.
pub fn ctime(sec: i64) -> String {
    let days = sec.div_euclid(86_400);
    let tod = sec.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let wday = (days + 4).rem_euclid(7) as usize;
    format!(
        "{} {}{:3} {:02}:{:02}:{:02} {}",
        WDAY[wday],
        MON[(m - 1) as usize],
        d,
        tod / 3600,
        tod % 3600 / 60,
        tod % 60,
        y
    )
}

/// ISO-8601 UTC with milliseconds, e.g. `2024-03-14T09:15:00.381Z`.
/// A millisecond field ≥ 1000 (never written by xnu) carries into seconds.
pub fn iso8601(sec: u64, msec: u32) -> String {
    let total_ms = i128::from(sec) * 1000 + i128::from(msec);
    let secs = (total_ms.div_euclid(1000)) as i64;
    let ms = total_ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let tod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        y,
        m,
        d,
        tod / 3600,
        tod % 3600 / 60,
        tod % 60,
        ms
    )
}

/// `inet_ntoa()` of four address bytes in network order.
pub fn ipv4(a: [u8; 4]) -> String {
    format!("{}.{}.{}.{}", a[0], a[1], a[2], a[3])
}

/// `inet_ntop(AF_INET6)` as in glibc and the BSDs (both use the ISC code):
/// longest run (≥ 2) of zero words becomes `::`, first run wins ties, and
/// `::a.b.c.d` / `::ffff:a.b.c.d` keep the embedded IPv4 dotted form.
pub fn ipv6(a: [u8; 16]) -> String {
    let mut words = [0u16; 8];
    for (i, w) in words.iter_mut().enumerate() {
        *w = u16::from_be_bytes([a[2 * i], a[2 * i + 1]]);
    }
    let (mut best_base, mut best_len) = (None::<usize>, 0usize);
    let (mut cur_base, mut cur_len) = (None::<usize>, 0usize);
    for (i, &w) in words.iter().enumerate() {
        if w == 0 {
            if cur_base.is_none() {
                cur_base = Some(i);
                cur_len = 1;
            } else {
                cur_len += 1;
            }
        } else if let Some(b) = cur_base.take() {
            if best_base.is_none() || cur_len > best_len {
                best_base = Some(b);
                best_len = cur_len;
            }
        }
    }
    if let Some(b) = cur_base {
        if best_base.is_none() || cur_len > best_len {
            best_base = Some(b);
            best_len = cur_len;
        }
    }
    if best_len < 2 {
        best_base = None;
    }
    let mut out = String::with_capacity(40);
    let mut i = 0;
    while i < 8 {
        if let Some(b) = best_base {
            if i >= b && i < b + best_len {
                if i == b {
                    out.push(':');
                }
                i += 1;
                continue;
            }
        }
        if i != 0 {
            out.push(':');
        }
        if i == 6
            && best_base == Some(0)
            && (best_len == 6 || (best_len == 5 && words[5] == 0xffff))
        {
            out.push_str(&ipv4([a[12], a[13], a[14], a[15]]));
            return out;
        }
        let _ = write!(out, "{:x}", words[i]);
        i += 1;
    }
    if let Some(b) = best_base {
        if b + best_len == 8 {
            out.push(':');
        }
    }
    out
}

/// praudit's `print_mem`: `0x` then two hex digits per byte; nothing at all
/// for an empty buffer.
pub fn hex_mem(data: &[u8]) -> String {
    let mut s = String::with_capacity(2 + data.len() * 2);
    if !data.is_empty() {
        s.push_str("0x");
        for b in data {
            let _ = write!(s, "{b:02x}");
        }
    }
    s
}

/// Plain lowercase hex without prefix (JSON/XML renderings of hashes).
pub fn hex(data: &[u8]) -> String {
    let mut s = String::with_capacity(data.len() * 2);
    for b in data {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Canonical UUID text of 16 big-endian bytes.
pub fn uuid(u: &[u8; 16]) -> String {
    let h = hex(u);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_match_the_calendar_and_invert() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29)); // a 400-year leap day
        assert_eq!(civil_from_days(47_541), (2100, 3, 1)); // 2100 is not a leap year
        assert_eq!(civil_from_days(2_932_896), (9999, 12, 31));
        // Every day from 1 BCE… to past 9999 maps back to itself, one day apart.
        let mut prev = civil_from_days(-720_000);
        for days in -719_999..3_000_000 {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
            assert!((y, m, d) > prev, "{days}: dates increase");
            assert!((1..=12).contains(&m) && (1..=31).contains(&d));
            prev = (y, m, d);
        }
    }

    #[test]
    fn ctime_matches_praudit_fixture_dates() {
        assert_eq!(ctime(1_710_407_700), "Thu Mar 14 09:15:00 2024");
        assert_eq!(ctime(0), "Thu Jan  1 00:00:00 1970");
        assert_eq!(ctime(4_102_444_800), "Fri Jan  1 00:00:00 2100");
        assert_eq!(ctime(5_000_000_000), "Fri Jun 11 08:53:20 2128");
        assert_eq!(ctime(-1), "Wed Dec 31 23:59:59 1969");
    }

    #[test]
    fn iso_has_millis() {
        assert_eq!(iso8601(1_710_407_700, 381), "2024-03-14T09:15:00.381Z");
        assert_eq!(iso8601(0, 1500), "1970-01-01T00:00:01.500Z");
    }

    #[test]
    fn ipv6_like_inet_ntop() {
        let p = |s: &str| s.parse::<std::net::Ipv6Addr>().unwrap().octets();
        for (addr, want) in [
            (
                "2001:db8:85a3::8a2e:370:7334",
                "2001:db8:85a3::8a2e:370:7334",
            ),
            ("::", "::"),
            ("::1", "::1"),
            ("fe80::1c2b:3aff:fe4d:5e6f", "fe80::1c2b:3aff:fe4d:5e6f"),
            ("::ffff:10.0.0.1", "::ffff:10.0.0.1"),
            ("::10.0.0.1", "::10.0.0.1"),
            ("2001:db8:0:1::", "2001:db8:0:1::"),
            ("2001:0:0:1:0:0:0:1", "2001:0:0:1::1"),
            ("1:0:2:0:3:0:4:0", "1:0:2:0:3:0:4:0"),
            (
                "2606:2800:220:1:248:1893:25c8:1946",
                "2606:2800:220:1:248:1893:25c8:1946",
            ),
        ] {
            assert_eq!(ipv6(p(addr)), want, "{addr}");
        }
    }
}
