//! One drawing routine, two outputs: the same `Painter` draws into an SVG string or
//! an RGB buffer that is then encoded as PNG.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::style::{ensure_fonts, Appearance, Theme};
use crate::ticks::KeyedAxis;
use crate::{ChartError, Format, Rendered, MAX_DIMENSION};

/// Something that can draw itself on any plotters backend.
pub(crate) trait Painter {
    fn paint<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError>;
}

/// Turns a plotters error (generic over the backend) into ours.
pub(crate) fn draw_err<E: std::error::Error + Send + Sync>(
    e: DrawingAreaErrorKind<E>,
) -> ChartError {
    ChartError::Draw(e.to_string())
}

pub(crate) fn check_size(width: u32, height: u32) -> Result<(), ChartError> {
    if width == 0 || height == 0 || width > MAX_DIMENSION || height > MAX_DIMENSION {
        return Err(ChartError::Size { width, height });
    }
    Ok(())
}

/// Fonts the SVG asks for: the Mac's own UI font first (the app's web view and
/// Safari have it), DejaVu Sans (what the layout was measured with) after it.
const SVG_FONTS: &str =
    "-apple-system, BlinkMacSystemFont, 'Helvetica Neue', 'DejaVu Sans', Arial, sans-serif";

pub(crate) fn render(
    painter: &impl Painter,
    width: u32,
    height: u32,
    format: Format,
    appearance: Appearance,
    title: &str,
) -> Result<Rendered, ChartError> {
    let background = appearance.colors().background;
    check_size(width, height)?;
    ensure_fonts()?;
    match format {
        Format::Svg => {
            let mut svg = String::new();
            {
                let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
                root.fill(&background).map_err(draw_err)?;
                painter.paint(&root)?;
                root.present().map_err(draw_err)?;
            }
            Ok(Rendered::Svg(finish_svg(svg, title)))
        }
        Format::Png => {
            // Drawn at twice the size and averaged down: plotters places glyphs and
            // line ends on whole pixels, which at 1× gives uneven letter spacing
            // and jagged slopes. Very large charts are drawn at 1× (memory).
            let factor: u32 = if u64::from(width) * u64::from(height) <= SUPERSAMPLE_MAX_PIXELS {
                2
            } else {
                1
            };
            let (bw, bh) = (width * factor, height * factor);
            let mut rgb = vec![0u8; bw as usize * bh as usize * 3];
            {
                let root = BitMapBackend::with_buffer(&mut rgb, (bw, bh)).into_drawing_area();
                root.fill(&background).map_err(draw_err)?;
                painter.paint(&root)?;
                root.present().map_err(draw_err)?;
            }
            let rgb = if factor == 2 {
                downsample_2x(&rgb, width, height)
            } else {
                rgb
            };
            Ok(Rendered::Png(encode_png(&rgb, width, height)?))
        }
    }
}

/// Charts up to this many pixels are supersampled (4096 × 4096 → a 200 MiB buffer).
const SUPERSAMPLE_MAX_PIXELS: u64 = 4096 * 4096;

/// Averages each 2 × 2 block of a (2w × 2h) RGB buffer into one pixel.
fn downsample_2x(src: &[u8], width: u32, height: u32) -> Vec<u8> {
    let (w, h) = (width as usize, height as usize);
    let sw = w * 2;
    let mut out = vec![0u8; w * h * 3];
    for y in 0..h {
        for x in 0..w {
            for c in 0..3 {
                let at =
                    |dx: usize, dy: usize| u16::from(src[((2 * y + dy) * sw + 2 * x + dx) * 3 + c]);
                let sum = at(0, 0) + at(1, 0) + at(0, 1) + at(1, 1);
                out[(y * w + x) * 3 + c] = ((sum + 2) / 4) as u8;
            }
        }
    }
    out
}

/// SVG touches plotters cannot do itself: the system font stack and an
/// accessible `<title>` (what VoiceOver reads for the image).
pub(crate) fn finish_svg(svg: String, title: &str) -> String {
    let svg = svg.replace(
        "font-family=\"sans-serif\"",
        &format!("font-family=\"{SVG_FONTS}\""),
    );
    let title = format!("<title>{}</title>\n", escape_xml(title));
    match svg
        .find("<svg")
        .and_then(|i| svg[i..].find('>').map(|j| i + j + 1))
    {
        Some(at) => {
            let mut out = String::with_capacity(svg.len() + title.len() + 1);
            out.push_str(&svg[..at]);
            out.push('\n');
            out.push_str(&title);
            out.push_str(svg[at..].trim_start_matches('\n'));
            out
        }
        None => svg,
    }
}

pub(crate) fn escape_xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

fn encode_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, ChartError> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, width, height);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        // Tell viewers the pixels are sRGB (the colours were picked as sRGB).
        enc.set_source_srgb(png::SrgbRenderingIntent::Perceptual);
        let mut w = enc.write_header()?;
        w.write_image_data(rgb)?;
        w.finish()?;
    }
    Ok(out)
}

/// Draws "No data yet" and a reason in the middle of `area`.
pub(crate) fn no_data<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    theme: &crate::style::Theme,
    reason: &str,
) -> Result<(), ChartError> {
    let (w, h) = area.dim_in_pixel();
    let (cx, cy) = (w as i32 / 2, h as i32 / 2);
    let center = |s: plotters::style::TextStyle<'static>| {
        s.pos(plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Center,
            plotters::style::text_anchor::VPos::Center,
        ))
    };
    area.draw(&Text::new(
        "No data yet",
        (cx, cy - theme.px(12.0)),
        center(theme.bold(15.0, theme.c.text)),
    ))
    .map_err(draw_err)?;
    area.draw(&Text::new(
        reason.to_string(),
        (cx, cy + theme.px(12.0)),
        center(theme.text(11.5, theme.c.secondary)),
    ))
    .map_err(draw_err)?;
    Ok(())
}

/// Title and subtitle across the top of a chart.
pub(crate) fn header<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    theme: &crate::style::Theme,
    title: &str,
    subtitle: &str,
) -> Result<(), ChartError> {
    let x = theme.px(20.0);
    area.draw(&Text::new(
        title.to_string(),
        (x, theme.px(14.0)),
        theme.bold(15.0, theme.c.text),
    ))
    .map_err(draw_err)?;
    area.draw(&Text::new(
        subtitle.to_string(),
        (x, theme.px(36.0)),
        theme.text(11.0, theme.c.secondary),
    ))
    .map_err(draw_err)?;
    Ok(())
}

/// One legend row.
pub(crate) struct LegendEntry {
    pub color: RGBColor,
    pub dashed: bool,
    pub label: String,
    /// Right-aligned next to the label (e.g. a mean rate).
    pub value: String,
    /// Second line, in grey (e.g. the class description).
    pub detail: String,
}

/// Width of `text` in pixels as laid out with the embedded font (the same on
/// every machine, so truncation and wrapping are deterministic).
fn text_width<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle<'_>,
) -> i32 {
    area.estimate_text_size(text, style)
        .map(|(w, _)| w as i32)
        // Unmeasurable text: assume a generous 0.6 em per character.
        .unwrap_or_else(|_| (text.chars().count() as f64 * style.font.get_size() * 0.6) as i32)
}

/// `text`, shortened with an ellipsis until it fits in `max` pixels.
fn fit<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle<'_>,
    max: i32,
) -> String {
    if text_width(area, text, style) <= max {
        return text.to_string();
    }
    let mut chars: Vec<char> = text.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let candidate: String = chars.iter().collect::<String>().trim_end().to_string() + "…";
        if text_width(area, &candidate, style) <= max {
            return candidate;
        }
    }
    String::new()
}

/// Greedy word wrap to `max` pixels (a word longer than a line gets one of its own).
fn wrap<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle<'_>,
    max: i32,
) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if !line.is_empty() && text_width(area, &candidate, style) > max {
            lines.push(std::mem::replace(&mut line, word.to_string()));
        } else {
            line = candidate;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// The legend panel to the right of the plot: an optional coloured headline, a
/// heading, one row per series, and footnotes.
pub(crate) fn legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    theme: &crate::style::Theme,
    lead: Option<(&str, RGBColor)>,
    heading: &str,
    entries: &[LegendEntry],
    footer: &[String],
) -> Result<(), ChartError> {
    use plotters::style::text_anchor::{HPos, Pos, VPos};
    let (w, h) = area.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let left = theme.px(8.0);
    let right = w - theme.px(16.0);
    let mut y = theme.px(12.0);
    if let Some((text, color)) = lead {
        // The headline (e.g. "Minfree reached in 12 days"), wrapped to the panel.
        let style = theme.bold(12.5, color);
        for line in wrap(area, text, &style, right - left) {
            area.draw(&Text::new(line, (left, y), style.clone()))
                .map_err(draw_err)?;
            y += theme.px(18.0);
        }
        y += theme.px(14.0);
    }
    if entries.is_empty() {
        // A heading over nothing would look like a rendering fault.
        return Ok(());
    }
    area.draw(&Text::new(
        heading.to_string(),
        (left, y),
        theme.bold(10.0, theme.c.secondary),
    ))
    .map_err(draw_err)?;
    y += theme.px(22.0);
    let row = theme.px(if entries.iter().any(|e| !e.detail.is_empty()) {
        36.0
    } else {
        22.0
    });
    let label_style = theme.bold(11.0, theme.c.text);
    let value_style = theme.text(11.0, theme.c.text);
    let detail_style = theme.text(10.0, theme.c.secondary);
    for e in entries {
        if y + row > h - theme.px(8.0) {
            break;
        }
        let sy = y + theme.px(7.0);
        let sw = theme.px(16.0);
        let stroke = e.color.stroke_width(theme.upx(2.5));
        if e.dashed {
            let seg = theme.px(5.0);
            let mut x = left;
            while x < left + sw {
                area.draw(&PathElement::new(
                    vec![(x, sy), ((x + seg).min(left + sw), sy)],
                    stroke,
                ))
                .map_err(draw_err)?;
                x += seg + theme.px(3.0);
            }
        } else {
            area.draw(&PathElement::new(vec![(left, sy), (left + sw, sy)], stroke))
                .map_err(draw_err)?;
        }
        let tx = left + sw + theme.px(7.0);
        let value_w = if e.value.is_empty() {
            0
        } else {
            text_width(area, &e.value, &value_style) + theme.px(8.0)
        };
        area.draw(&Text::new(
            fit(area, &e.label, &label_style, right - tx - value_w),
            (tx, y),
            label_style.clone(),
        ))
        .map_err(draw_err)?;
        if !e.value.is_empty() {
            area.draw(&Text::new(
                e.value.clone(),
                (right, y),
                value_style.clone().pos(Pos::new(HPos::Right, VPos::Top)),
            ))
            .map_err(draw_err)?;
        }
        if !e.detail.is_empty() {
            area.draw(&Text::new(
                fit(area, &e.detail, &detail_style, right - tx),
                (tx, y + theme.px(16.0)),
                detail_style.clone(),
            ))
            .map_err(draw_err)?;
        }
        y += row;
    }
    y += theme.px(6.0);
    for para in footer {
        for line in wrap(area, para, &detail_style, right - left) {
            if y + theme.px(16.0) > h {
                break;
            }
            area.draw(&Text::new(line, (left, y), detail_style.clone()))
                .map_err(draw_err)?;
            y += theme.px(14.0);
        }
        y += theme.px(6.0);
    }
    Ok(())
}

/// The grid, axes and labels every time chart shares: grid lines at the keyed
/// ticks only, the theme's axis and label styles, and the two axis captions.
pub(crate) fn mesh<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<KeyedAxis, KeyedAxis>>,
    theme: &Theme,
    xfmt: &dyn Fn(&f64) -> String,
    yfmt: &dyn Fn(&f64) -> String,
    (x_desc, y_desc): (&str, &str),
) -> Result<(), ChartError> {
    chart
        .configure_mesh()
        .bold_line_style(theme.c.grid.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(theme.c.axis.stroke_width(1))
        .set_all_tick_mark_size(theme.px(4.0))
        .x_label_formatter(xfmt)
        .y_label_formatter(yfmt)
        .label_style(theme.text(10.5, theme.c.secondary))
        .axis_desc_style(theme.text(11.0, theme.c.secondary))
        .x_desc(x_desc)
        .y_desc(y_desc)
        .draw()
        .map_err(draw_err)
}
