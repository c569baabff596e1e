//! Charts for Earshot: per-class event rates over the last hour or day, the trail
//! folder's size with its forecast towards `minfree`, a soaking step's volume
//! against its prediction, and a tiny per-class sparkline for the menu-bar
//! popover.
//!
//! Everything is drawn with `plotters` and comes out as SVG (for the app's web view
//! and for docs) or PNG (for people without the app). Text is laid out and, for
//! PNG, rasterised with an embedded DejaVu Sans (see `fonts/LICENSE-DejaVu.txt`),
//! so the output never depends on the fonts installed on the machine and the same
//! input always gives the same bytes.
//!
//! The inputs are plain data ([`RateSeries`], [`ForecastView`]) from
//! `earshot-model` (re-exported here): the privileged helper computes them
//! (`earshot_core::series`) without linking any drawing code, and this crate
//! draws them without knowing anything of a Mac.
#![forbid(unsafe_code)]

mod draw;
mod forecast_chart;
mod rates_chart;
mod soak_chart;
mod sparkline;
mod style;
mod ticks;

use std::path::Path;

pub use earshot_model::series::{
    self as series, ClassSeries, ForecastView, RateSeries, RateSpan, TrailExtent,
};
pub use forecast_chart::forecast_chart;
pub use rates_chart::rates_chart;
pub use soak_chart::soak_chart;
pub use sparkline::{sparkline, SparklineOptions};
pub use style::Appearance;

/// Largest width or height accepted: an 8192 × 8192 RGB buffer is already 192 MiB.
pub const MAX_DIMENSION: u32 = 8192;

#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("chart size {width}×{height} is out of range (1 to {MAX_DIMENSION} pixels each way)")]
    Size { width: u32, height: u32 },
    #[error("the embedded chart font could not be loaded")]
    Font,
    #[error("drawing the chart: {0}")]
    Draw(String),
    #[error("encoding PNG: {0}")]
    Png(#[from] png::EncodingError),
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Svg,
    Png,
}

impl Format {
    /// The format a file name asks for (`.svg` / `.png`, any case).
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "svg" => Some(Format::Svg),
            "png" => Some(Format::Png),
            _ => None,
        }
    }
}

/// Size and format of a full chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChartOptions {
    pub width: u32,
    pub height: u32,
    pub format: Format,
    /// Light or dark window background (the sparkline needs none: it uses
    /// `currentColor`).
    pub appearance: Appearance,
}

impl Default for ChartOptions {
    /// 960 × 480 SVG: readable on a laptop screen and in the dashboard window.
    fn default() -> Self {
        ChartOptions {
            width: 960,
            height: 480,
            format: Format::Svg,
            appearance: Appearance::Light,
        }
    }
}

/// A rendered chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rendered {
    Svg(String),
    Png(Vec<u8>),
}

impl Rendered {
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Rendered::Svg(s) => s.as_bytes(),
            Rendered::Png(b) => b,
        }
    }

    pub fn format(&self) -> Format {
        match self {
            Rendered::Svg(_) => Format::Svg,
            Rendered::Png(_) => Format::Png,
        }
    }
}
