//! The tray item's state glyphs: monochrome template images from `icons/tray/`.
//!
//! State is carried by shape, never colour (template images are tinted by macOS), and
//! `Unknown` has its own hollow, dotted glyph so "no data" never looks healthy.

use audit_control::Severity;
use tauri::image::Image;

use crate::report::ConfigReport;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Glyph {
    Ok,
    Warning,
    Error,
    Off,
    Unknown,
}

impl Glyph {
    /// Until the status engine (issue 4) reports auditd's health, the tray reflects the
    /// configuration check: a missing audit_control means auditing is off (the macOS 14+
    /// default), an unreadable one is unknown.
    pub fn for_report(report: &ConfigReport) -> Self {
        match report {
            ConfigReport::Missing { .. } => Self::Off,
            ConfigReport::Unreadable { .. } => Self::Unknown,
            ConfigReport::Checked { .. } => match report.worst() {
                Some(Severity::Error) => Self::Error,
                Some(Severity::Warning) => Self::Warning,
                Some(Severity::Info) | None => Self::Ok,
            },
        }
    }

    /// The @2x (44 px) PNG: macOS scales it to the menu bar's 22 pt, crisp on Retina.
    fn png(self) -> &'static [u8] {
        match self {
            Self::Ok => include_bytes!("../../icons/tray/ok@2x.png"),
            Self::Warning => include_bytes!("../../icons/tray/warning@2x.png"),
            Self::Error => include_bytes!("../../icons/tray/error@2x.png"),
            Self::Off => include_bytes!("../../icons/tray/off@2x.png"),
            Self::Unknown => include_bytes!("../../icons/tray/unknown@2x.png"),
        }
    }

    pub fn image(self) -> tauri::Result<Image<'static>> {
        Image::from_bytes(self.png())
    }

    /// Short words for the tooltip and the menu's status line.
    pub fn summary(self) -> &'static str {
        match self {
            Self::Ok => "audit_control has no problems",
            Self::Warning => "audit_control has warnings",
            Self::Error => "audit_control has errors",
            Self::Off => "audit_control not found: auditing is off",
            Self::Unknown => "audit_control state unknown",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Glyph; 5] = [
        Glyph::Ok,
        Glyph::Warning,
        Glyph::Error,
        Glyph::Off,
        Glyph::Unknown,
    ];

    #[test]
    fn every_glyph_is_a_44px_black_and_alpha_template() {
        for g in ALL {
            let img = g.image().expect("decodes");
            assert_eq!((img.width(), img.height()), (44, 44), "{g:?}");
            let rgba = img.rgba();
            assert!(
                rgba.chunks_exact(4)
                    .all(|px| px[3] == 0 || (px[0], px[1], px[2]) == (0, 0, 0)),
                "{g:?} has a non-black visible pixel"
            );
            assert!(
                rgba.chunks_exact(4).any(|px| px[3] == 255),
                "{g:?} is empty"
            );
        }
    }

    #[test]
    fn glyphs_are_pairwise_distinct_in_shape() {
        for (i, a) in ALL.iter().enumerate() {
            for b in &ALL[i + 1..] {
                assert_ne!(
                    a.image().expect("a").rgba(),
                    b.image().expect("b").rgba(),
                    "{a:?} and {b:?} look the same"
                );
            }
        }
    }

    #[test]
    fn missing_file_is_off_and_unreadable_is_unknown_never_ok() {
        let missing = ConfigReport::Missing { path: "x".into() };
        assert_eq!(Glyph::for_report(&missing), Glyph::Off);
        let unreadable = ConfigReport::Unreadable {
            path: "x".into(),
            reason: "denied".into(),
        };
        assert_eq!(Glyph::for_report(&unreadable), Glyph::Unknown);
        let clean = ConfigReport::Checked {
            path: "x".into(),
            diagnostics: vec![],
        };
        assert_eq!(Glyph::for_report(&clean), Glyph::Ok);
    }
}
