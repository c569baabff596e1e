//! Colours, type and sizes, after macOS's light and dark appearances (system
//! colours on the window background, label and secondary-label greys, hairline
//! separators), scaled with
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

/// Light or dark, like the window the chart sits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Appearance {
    #[default]
    Light,
    Dark,
}

impl Appearance {
    pub(crate) fn colors(self) -> &'static Colors {
        match self {
            Appearance::Light => &LIGHT,
            Appearance::Dark => &DARK,
        }
    }
}

/// One appearance's colours: macOS's label/secondary-label greys and system
/// colours (the dark variants are the brighter ones Apple uses on dark windows).
#[derive(Debug)]
pub(crate) struct Colors {
    pub background: RGBColor,
    /// labelColor.
    pub text: RGBColor,
    /// secondaryLabelColor.
    pub secondary: RGBColor,
    /// Grid lines: fainter than separatorColor so the data stays in front.
    pub grid: RGBColor,
    pub axis: RGBColor,
    pub blue: RGBColor,
    pub red: RGBColor,
    pub orange: RGBColor,
    pub green: RGBColor,
    pub gray: RGBColor,
    /// Class colours, in an order where neighbours differ in hue and lightness
    /// (yellow is left out: it vanishes on white).
    pub palette: [RGBColor; 10],
}

pub(crate) const LIGHT: Colors = Colors {
    background: RGBColor(0xff, 0xff, 0xff),
    text: RGBColor(0x1d, 0x1d, 0x1f),
    secondary: RGBColor(0x6e, 0x6e, 0x73),
    grid: RGBColor(0xec, 0xec, 0xef),
    axis: RGBColor(0xc7, 0xc7, 0xcc),
    blue: RGBColor(0x00, 0x7a, 0xff),
    red: RGBColor(0xff, 0x3b, 0x30),
    orange: RGBColor(0xff, 0x95, 0x00),
    green: RGBColor(0x28, 0xa7, 0x45),
    gray: RGBColor(0x8e, 0x8e, 0x93),
    palette: [
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
    ],
};

pub(crate) const DARK: Colors = Colors {
    // windowBackgroundColor in dark mode.
    background: RGBColor(0x1e, 0x1e, 0x1e),
    text: RGBColor(0xf5, 0xf5, 0xf7),
    secondary: RGBColor(0x98, 0x98, 0x9d),
    grid: RGBColor(0x2c, 0x2c, 0x2e),
    axis: RGBColor(0x48, 0x48, 0x4a),
    blue: RGBColor(0x0a, 0x84, 0xff),
    red: RGBColor(0xff, 0x45, 0x3a),
    orange: RGBColor(0xff, 0x9f, 0x0a),
    green: RGBColor(0x30, 0xd1, 0x58),
    gray: RGBColor(0x98, 0x98, 0x9d),
    palette: [
        RGBColor(0x0a, 0x84, 0xff),
        RGBColor(0xff, 0x9f, 0x0a),
        RGBColor(0x30, 0xd1, 0x58),
        RGBColor(0xbf, 0x5a, 0xf2),
        RGBColor(0xff, 0x45, 0x3a),
        RGBColor(0x40, 0xc8, 0xe0),
        RGBColor(0x5e, 0x5c, 0xe6),
        RGBColor(0xff, 0x37, 0x5f),
        RGBColor(0xac, 0x8e, 0x68),
        RGBColor(0x98, 0x98, 0x9d),
    ],
};

/// Sizes for one chart.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Theme {
    scale: f64,
    pub c: &'static Colors,
}

impl Theme {
    /// Scale relative to the 960 × 480 design size, kept within reason so a
    /// thumbnail stays legible and a poster does not get giant type.
    pub(crate) fn new(width: u32, height: u32, appearance: Appearance) -> Theme {
        let s = (f64::from(width) / 960.0).min(f64::from(height) / 480.0);
        Theme {
            scale: s.clamp(0.75, 4.0),
            c: appearance.colors(),
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
