//! The popover's tiny per-class rate sparkline.
//!
//! Drawn in `currentColor` so it follows the popover's text colour in light and
//! dark mode: the busiest class is an opaque line over a faint fill, the next ones
//! progressively fainter lines.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::draw::{check_size, draw_err, escape_xml};
use crate::series::RateSeries;
use crate::style::ensure_fonts;
use crate::ChartError;

/// A colour no real chart uses, swapped for `currentColor` once plotters is done
/// (plotters only knows RGB).
const INK: RGBColor = RGBColor(0x01, 0x02, 0x03);
const INK_SVG: &str = "#010203";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SparklineOptions {
    pub width: u32,
    pub height: u32,
    /// Classes drawn, busiest first (more than 3–4 turn into a tangle at this size).
    pub max_classes: usize,
}

impl Default for SparklineOptions {
    fn default() -> Self {
        SparklineOptions {
            width: 280,
            height: 48,
            max_classes: 3,
        }
    }
}

/// Internal drawing scale (see `sparkline`).
const K: u32 = 4;
const KI: i32 = K as i32;

/// Opacity of the n-th class's line.
const OPACITY: [f64; 4] = [1.0, 0.55, 0.38, 0.26];

/// An SVG sparkline of `series`: no axes, no text except "No data yet" when the
/// window has no records, transparent background.
pub fn sparkline(series: &RateSeries, opts: &SparklineOptions) -> Result<String, ChartError> {
    check_size(opts.width, opts.height)?;
    ensure_fonts()?;
    // plotters' SVG coordinates are whole numbers: at 48 px high a line would
    // move in visible steps, so it draws at 4× and the viewBox scales it back.
    let (w4, h4) = (opts.width.saturating_mul(K), opts.height.saturating_mul(K));
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w4, h4)).into_drawing_area();
        paint(&root, series, opts)?;
        root.present().map_err(draw_err)?;
    }
    let svg = svg.replacen(
        &format!("width=\"{w4}\" height=\"{h4}\""),
        &format!("width=\"{}\" height=\"{}\"", opts.width, opts.height),
        1,
    );
    let names: Vec<&str> = series
        .classes
        .iter()
        .take(opts.max_classes)
        .map(|c| c.name.as_str())
        .collect();
    let title = if names.is_empty() {
        format!("No audit events in the last {}", series.span.label())
    } else {
        format!(
            "Events per second over the last {}: {}",
            series.span.label(),
            names.join(", ")
        )
    };
    let svg = svg.replace(INK_SVG, "currentColor");
    // The accessible name, as the first child (what VoiceOver reads).
    let svg = match svg
        .find("<svg")
        .and_then(|i| svg[i..].find('>').map(|j| i + j + 1))
    {
        Some(at) => format!(
            "{}\n<title>{}</title>{}",
            &svg[..at],
            escape_xml(&title),
            &svg[at..]
        ),
        None => svg,
    };
    Ok(svg.replace(
        "font-family=\"sans-serif\"",
        "font-family=\"-apple-system, BlinkMacSystemFont, 'Helvetica Neue', sans-serif\"",
    ))
}

fn paint<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    series: &RateSeries,
    opts: &SparklineOptions,
) -> Result<(), ChartError> {
    let (w, h) = (opts.width as i32 * KI, opts.height as i32 * KI);
    // Room for the stroke so a peak is not clipped in half.
    let pad = 2 * KI;
    let area = root.margin(pad, pad, pad, pad);
    let x0 = series.start as f64;
    let x1 = series.end.max(series.start.saturating_add(1)) as f64;
    let drawn: Vec<_> = series
        .classes
        .iter()
        .take(opts.max_classes.max(1))
        .collect();
    let max = drawn
        .iter()
        .flat_map(|c| c.points.iter().map(|p| p.1))
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    if !series.has_data() {
        // A dotted baseline keeps the popover's layout; the words say why it is flat.
        let y = h - pad - KI;
        let mut x = pad;
        while x < w - pad {
            root.draw(&PathElement::new(
                vec![(x, y), ((x + 3 * KI).min(w - pad), y)],
                INK.mix(0.35).stroke_width(K),
            ))
            .map_err(draw_err)?;
            x += 6 * KI;
        }
        let size = (f64::from(opts.height) * 0.28).clamp(8.0, 14.0) * 1.24 * f64::from(K);
        root.draw(&Text::new(
            "No data yet",
            (w / 2, h / 2),
            ("sans-serif", size).into_font().color(&INK.mix(0.6)).pos(
                plotters::style::text_anchor::Pos::new(
                    plotters::style::text_anchor::HPos::Center,
                    plotters::style::text_anchor::VPos::Center,
                ),
            ),
        ))
        .map_err(draw_err)?;
        return Ok(());
    }
    let mut chart = ChartBuilder::on(&area)
        .build_cartesian_2d(x0..x1, 0f64..if max > 0.0 { max * 1.08 } else { 1.0 })
        .map_err(draw_err)?;
    let half = series.bucket_secs as f64 / 2.0;
    for (i, c) in drawn.iter().enumerate().rev() {
        let pts: Vec<(f64, f64)> = c
            .points
            .iter()
            .filter(|p| p.1.is_finite())
            .map(|p| (p.0 as f64 + half, p.1))
            .collect();
        if i == 0 {
            chart
                .draw_series(AreaSeries::new(
                    pts.iter().copied(),
                    0.0,
                    INK.mix(0.12).filled(),
                ))
                .map_err(draw_err)?;
        }
        let alpha = OPACITY[i.min(OPACITY.len() - 1)];
        let width = if i == 0 { 2 * K } else { K };
        chart
            .draw_series(LineSeries::new(pts, INK.mix(alpha).stroke_width(width)))
            .map_err(draw_err)?;
    }
    Ok(())
}
