//! The tray item's state glyphs: monochrome template images from `icons/tray/`.
//!
//! State is carried by shape, never colour (template images are tinted by macOS), and
//! `Unknown` has its own hollow, dotted glyph so "no data" never looks healthy. Which
//! glyph to show is decided in earshot-glance (health severity, unknown when the
//! helper is unreachable); this module only holds the pictures.

use earshot_glance::Severity;
use tauri::image::Image;

/// The @2x (44 px) PNG: macOS scales it to the menu bar's 22 pt, crisp on Retina.
fn png(glyph: Severity) -> &'static [u8] {
    match glyph {
        Severity::Ok => include_bytes!("../../icons/tray/ok@2x.png"),
        Severity::Warning => include_bytes!("../../icons/tray/warning@2x.png"),
        Severity::Error => include_bytes!("../../icons/tray/error@2x.png"),
        Severity::Off => include_bytes!("../../icons/tray/off@2x.png"),
        Severity::Unknown => include_bytes!("../../icons/tray/unknown@2x.png"),
    }
}

pub fn image(glyph: Severity) -> tauri::Result<Image<'static>> {
    Image::from_bytes(png(glyph))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Severity; 5] = [
        Severity::Ok,
        Severity::Warning,
        Severity::Error,
        Severity::Off,
        Severity::Unknown,
    ];

    #[test]
    fn every_glyph_is_a_44px_black_and_alpha_template() {
        for g in ALL {
            let img = image(g).expect("decodes");
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
                    image(*a).expect("a").rgba(),
                    image(*b).expect("b").rgba(),
                    "{a:?} and {b:?} look the same"
                );
            }
        }
    }
}
