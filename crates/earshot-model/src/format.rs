//! Sizes and durations in words: the one formatter every Rust surface uses
//! (the CLI, the charts, the planner's and the helper's messages);
//! ui/src/format.ts follows the same rules for the app.

const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];

/// Human sizes in binary units, as audit_control's suffixes are binary:
/// `512 B`, `1.5 KiB`, `4.0 GiB`.
pub fn human_bytes(b: u64) -> String {
    if b < 1024 {
        return format!("{b} B");
    }
    human_bytes_f64(b as f64)
}

/// [`human_bytes`] for an estimate, which may be fractional or negative (a
/// predicted change per day): `-1.2 MiB`, `300 B`.
pub fn human_bytes_f64(b: f64) -> String {
    if !b.is_finite() {
        return "unknown".into();
    }
    let mut v = b.abs();
    let mut i = 0;
    while v >= 1024.0 && i < UNITS.len() - 1 {
        v /= 1024.0;
        i += 1;
    }
    let sign = if b < 0.0 { "-" } else { "" };
    if i == 0 {
        format!("{sign}{v:.0} B")
    } else {
        format!("{sign}{v:.1} {}", UNITS[i])
    }
}

/// Human durations: "40 s", "12 min", "3.5 h", "12.0 days".
pub fn human_secs(s: f64) -> String {
    if !s.is_finite() {
        "forever".into()
    } else if s < 120.0 {
        format!("{s:.0} s")
    } else if s < 7200.0 {
        format!("{:.0} min", s / 60.0)
    } else if s < 2.0 * 86_400.0 {
        format!("{:.1} h", s / 3600.0)
    } else {
        format!("{:.1} days", s / 86_400.0)
    }
}

/// Days in whole units, for headlines and advice: "12 days", "36 hours",
/// "20 minutes", "forever".
pub fn human_days(d: f64) -> String {
    if !d.is_finite() {
        "forever".into()
    } else if d >= 2.0 {
        format!("{:.0} days", d.round())
    } else if d * 24.0 >= 1.0 {
        format!("{:.0} hours", d * 24.0)
    } else {
        format!("{:.0} minutes", d * 24.0 * 60.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_durations_read_as_documented() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(5 << 30), "5.0 GiB");
        assert_eq!(human_bytes_f64(-1.25 * 1024.0 * 1024.0), "-1.2 MiB");
        assert_eq!(human_bytes_f64(300.4), "300 B");
        assert_eq!(human_secs(40.0), "40 s");
        assert_eq!(human_secs(3.5 * 3600.0), "3.5 h");
        assert_eq!(human_days(12.3), "12 days");
        assert_eq!(human_days(1.5), "36 hours");
        assert_eq!(human_days(f64::INFINITY), "forever");
    }
}
