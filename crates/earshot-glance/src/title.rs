//! The tray title: a short, fixed-width text next to the glyph.
//!
//! Fixed width because the menu bar re-lays out every item to the left when a
//! title changes length: "9 ev/s" → "10 ev/s" would make the neighbours jump
//! once a second. Numbers are padded with U+2007 FIGURE SPACE, which is as wide
//! as a digit in the system font (whose digits are tabular), so the width holds.

use crate::glance::{Headroom, Rates};
use crate::prefs::TitleContent;

/// As wide as one digit.
pub const FIGURE_SPACE: char = '\u{2007}';

/// Shown in place of a number that could not be observed (never "0").
const UNKNOWN: &str = "–";

/// The title for `content`, or `None` for glyph only.
pub fn text(
    content: TitleContent,
    rates: Option<&Rates>,
    headroom: Option<&Headroom>,
) -> Option<String> {
    match content {
        TitleContent::None => None,
        TitleContent::Events => {
            let n = rates.map_or_else(|| UNKNOWN.to_string(), |r| short_number(r.total_eps));
            Some(format!("{} ev/s", pad(&n, 4)))
        }
        TitleContent::Free => {
            let (n, unit) = match headroom {
                Some(h) => short_bytes(h.bytes_above_minfree),
                None => (UNKNOWN.to_string(), "GB"),
            };
            Some(format!("{} {unit} free", pad(&n, 4)))
        }
    }
}

/// Whether the app may run its 1 Hz refresh: only while something shows the
/// numbers (a title in the menu bar, or a visible window). Otherwise the app
/// waits for the helper's pushes and timers stay off, so an idle app costs no CPU.
pub fn needs_ticks(content: TitleContent, visible_windows: usize) -> bool {
    content != TitleContent::None || visible_windows > 0
}

/// Right-aligns `s` in `width` digit-widths.
fn pad(s: &str, width: usize) -> String {
    let n = s.chars().count();
    let mut out: String = std::iter::repeat_n(FIGURE_SPACE, width.saturating_sub(n)).collect();
    out.push_str(s);
    out
}

/// At most four characters: `0.4`, `9.5`, `12`, `999`, `1.2k`, `12k`, `120k`, `1.2M`.
pub fn short_number(v: f64) -> String {
    if !v.is_finite() || v < 0.0 {
        return UNKNOWN.to_string();
    }
    let scaled = |v: f64, suffix: &str| {
        if v < 9.95 {
            format!("{v:.1}{suffix}")
        } else {
            format!("{:.0}{suffix}", v.round())
        }
    };
    if v < 999.5 {
        if v < 9.95 {
            format!("{v:.1}")
        } else {
            format!("{:.0}", v.round())
        }
    } else if v < 999_500.0 {
        scaled(v / 1e3, "k")
    } else if v < 999_500_000.0 {
        scaled(v / 1e6, "M")
    } else {
        scaled((v / 1e9).min(999.0), "G")
    }
}

/// Decimal units as Finder shows them: (`4.1`, `GB`), (`512`, `MB`).
pub fn short_bytes(b: u64) -> (String, &'static str) {
    const UNITS: [(&str, f64); 4] = [("KB", 1e3), ("MB", 1e6), ("GB", 1e9), ("TB", 1e12)];
    let v = b as f64;
    for (i, (unit, size)) in UNITS.iter().enumerate() {
        let x = v / size;
        let last = i == UNITS.len() - 1;
        if x < 999.5 || last {
            let s = if x < 9.95 {
                format!("{x:.1}")
            } else {
                format!("{:.0}", x.round().min(999.0))
            };
            return (s, unit);
        }
    }
    unreachable!("the last unit always returns")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rates(eps: f64) -> Rates {
        Rates {
            window: "minute".into(),
            covered_secs: 60,
            total_eps: eps,
            total_bytes_per_s: 0.0,
            by_class: vec![],
        }
    }

    fn headroom(above: u64) -> Headroom {
        Headroom {
            dir: "/var/audit".into(),
            volume_bytes: 500_000_000_000,
            free_bytes: above,
            free_percent: 10.0,
            threshold_percent: 5.0,
            minfree_percent: Some(5),
            below_minfree: above == 0,
            bytes_above_minfree: above,
        }
    }

    fn width(s: &str) -> usize {
        s.chars().count()
    }

    #[test]
    fn events_title_reads_naturally() {
        let t = |v| text(TitleContent::Events, Some(&rates(v)), None).unwrap();
        assert_eq!(t(12.3), "\u{2007}\u{2007}12 ev/s");
        assert_eq!(t(0.04), "\u{2007}0.0 ev/s");
        assert_eq!(t(1234.0), "1.2k ev/s");
        assert_eq!(t(56_789.0), "\u{2007}57k ev/s");
    }

    #[test]
    fn free_title_reads_naturally() {
        let t = |b| text(TitleContent::Free, None, Some(&headroom(b))).unwrap();
        assert_eq!(t(4_100_000_000), "\u{2007}4.1 GB free");
        assert_eq!(t(512_000_000), "\u{2007}512 MB free");
        assert_eq!(t(0), "\u{2007}0.0 KB free");
    }

    #[test]
    fn title_width_is_fixed_across_magnitudes() {
        let mut widths = std::collections::BTreeSet::new();
        for v in [
            0.0, 0.5, 9.94, 9.96, 99.4, 999.4, 999.6, 12_345.0, 999_999.0, 1e8, 1e12,
        ] {
            widths.insert(width(
                &text(TitleContent::Events, Some(&rates(v)), None).unwrap(),
            ));
        }
        widths.insert(width(&text(TitleContent::Events, None, None).unwrap()));
        assert_eq!(widths.len(), 1, "{widths:?}");

        let mut widths = std::collections::BTreeSet::new();
        for b in [
            0,
            999,
            1_000,
            9_949_999,
            999_499_999,
            999_500_000,
            4_100_000_000,
            u64::MAX,
        ] {
            widths.insert(width(
                &text(TitleContent::Free, None, Some(&headroom(b))).unwrap(),
            ));
        }
        widths.insert(width(&text(TitleContent::Free, None, None).unwrap()));
        assert_eq!(widths.len(), 1, "{widths:?}");
    }

    #[test]
    fn unknown_rate_is_a_dash_never_zero() {
        let t = text(TitleContent::Events, None, None).unwrap();
        assert!(t.contains('–') && !t.contains('0'), "{t}");
        assert_eq!(short_number(f64::NAN), "–");
        assert_eq!(short_number(-1.0), "–");
    }

    #[test]
    fn no_title_when_none_is_chosen() {
        assert_eq!(
            text(TitleContent::None, Some(&rates(3.0)), Some(&headroom(9))),
            None
        );
    }

    #[test]
    fn ticks_only_while_something_shows_numbers() {
        assert!(!needs_ticks(TitleContent::None, 0));
        assert!(needs_ticks(TitleContent::None, 1));
        assert!(needs_ticks(TitleContent::Events, 0));
        assert!(needs_ticks(TitleContent::Free, 0));
    }
}
