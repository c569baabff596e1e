//! Colours, type and sizes, after macOS's light appearance (system colours on a
//! white window, label and secondary-label greys, hairline separators), scaled with
//! the chart so a 2× PNG is a sharp copy of the 1× one rather than the same text
//! on a bigger canvas.

use std::sync::OnceLock;

use plotters::style::{register_font, FontStyle, RGBColor, TextStyle};
use plotters::style::{Color, FontFamily, IntoFont};

use crate::ChartError;

static REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

/// Registers the embedded fonts with plotters once per process. Without them the
/// ab_glyph text renderer has no font at all (it never looks at system fonts).
pub(crate) fn ensure_fonts() -> Result<(), ChartError> {
    static DONE: OnceLock<bool> = OnceLock::new();
    let ok = *DONE.get_or_init(|| {
        register_font("sans-serif", FontStyle::Normal, REGULAR).is_ok()
            && register_font("sans-serif", FontStyle::Bold, BOLD).is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(ChartError::Font)
    }
}

pub(crate) const BACKGROUND: RGBColor = RGBColor(0xff, 0xff, 0xff);
/// labelColor.
pub(crate) const TEXT: RGBColor = RGBColor(0x1d, 0x1d, 0x1f);
/// secondaryLabelColor.
pub(crate) const SECONDARY: RGBColor = RGBColor(0x6e, 0x6e, 0x73);
/// Grid lines: lighter than separatorColor so the data stays in front.
pub(crate) const GRID: RGBColor = RGBColor(0xec, 0xec, 0xef);
pub(crate) const AXIS: RGBColor = RGBColor(0xc7, 0xc7, 0xcc);

pub(crate) const BLUE: RGBColor = RGBColor(0x00, 0x7a, 0xff);
pub(crate) const RED: RGBColor = RGBColor(0xff, 0x3b, 0x30);
pub(crate) const ORANGE: RGBColor = RGBColor(0xff, 0x95, 0x00);
pub(crate) const GREEN: RGBColor = RGBColor(0x28, 0xa7, 0x45);
pub(crate) const GRAY: RGBColor = RGBColor(0x8e, 0x8e, 0x93);

/// Class colours: macOS system colours in an order where neighbours differ in hue
/// and lightness (yellow is left out: it vanishes on white).
pub(crate) const PALETTE: [RGBColor; 10] = [
    RGBColor(0x00, 0x7a, 0xff), // blue
    RGBColor(0xff, 0x95, 0x00), // orange
    RGBColor(0x28, 0xa7, 0x45), // green
    RGBColor(0xaf, 0x52, 0xde), // purple
    RGBColor(0xff, 0x3b, 0x30), // red
    RGBColor(0x30, 0xb0, 0xc7), // teal
    RGBColor(0x58, 0x56, 0xd6), // indigo
    RGBColor(0xff, 0x2d, 0x55), // pink
    RGBColor(0xa2, 0x84, 0x5e), // brown
    RGBColor(0x8e, 0x8e, 0x93), // gray
];

/// Sizes for one chart.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Theme {
    scale: f64,
}

impl Theme {
    /// Scale relative to the 960 × 480 design size, kept within reason so a
    /// thumbnail stays legible and a poster does not get giant type.
    pub(crate) fn for_size(width: u32, height: u32) -> Theme {
        let s = (f64::from(width) / 960.0).min(f64::from(height) / 480.0);
        Theme {
            scale: s.clamp(0.75, 4.0),
        }
    }

    /// A length in pixels at this scale.
    pub(crate) fn px(&self, v: f64) -> i32 {
        (v * self.scale).round() as i32
    }

    pub(crate) fn upx(&self, v: f64) -> u32 {
        (v * self.scale).round().max(1.0) as u32
    }

    /// plotters' font size is the line height; 1.24 × the em size, as its SVG
    /// backend divides by 1.24 when writing `font-size`.
    fn font_px(&self, em: f64) -> f64 {
        em * 1.24 * self.scale
    }

    pub(crate) fn text(&self, em: f64, color: RGBColor) -> TextStyle<'static> {
        (FontFamily::SansSerif, self.font_px(em))
            .into_font()
            .color(&color)
    }

    pub(crate) fn bold(&self, em: f64, color: RGBColor) -> TextStyle<'static> {
        // The style must go in when the font is made: `FontDesc::style` keeps the
        // font data it was made with (the regular face).
        (FontFamily::SansSerif, self.font_px(em), FontStyle::Bold)
            .into_font()
            .color(&color)
    }
}

/// A colour at some opacity (for fills).
pub(crate) fn faded(c: RGBColor, alpha: f64) -> plotters::style::RGBAColor {
    c.mix(alpha)
}
