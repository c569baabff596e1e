//! A soaking step's trail volume against its prediction: bytes per day in
//! hourly buckets since the step, over the predicted band (low–high) and the
//! typical line, so the wizard shows at a glance whether the step costs what
//! was planned.

use earshot_model::format::{human_bytes, human_days};
use earshot_model::soak::SoakSeries;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::draw::{self, draw_err, LegendEntry, Painter};
use crate::style::{faded, Theme};
use crate::ticks;
use crate::{ChartError, ChartOptions, Rendered};

const DAY: u64 = 86_400;
/// Above the band by more than this (the review's tolerance) reads as "over".
const TOLERANCE: f64 = 0.15;

/// Renders the step's volume since `series.start` against its predicted band.
/// With no bucket yet (the first hour) it says so.
pub fn soak_chart(series: &SoakSeries, opts: &ChartOptions) -> Result<Rendered, ChartError> {
    let measured = mean(series);
    let title = match measured {
        Some(m) => format!(
            "Step volume since it was applied: {}/day, {:.2}× the prediction",
            human_bytes(m as u64),
            ratio(m, series)
        ),
        None => "Step volume since it was applied: nothing measured yet".to_string(),
    };
    draw::render(
        &SoakPainter {
            s: series,
            measured,
            appearance: opts.appearance,
        },
        opts.width,
        opts.height,
        opts.format,
        opts.appearance,
        &title,
    )
}

/// The mean of the hourly buckets (the helper's own figure weighs the last,
/// partial hour by its length; over a day or more they agree).
fn mean(s: &SoakSeries) -> Option<f64> {
    if s.points.is_empty() {
        return None;
    }
    let total: f64 = s.points.iter().map(|p| p.1).sum();
    Some(total / s.points.len() as f64)
}

fn ratio(m: f64, s: &SoakSeries) -> f64 {
    if s.predicted.typical > 0.0 {
        m / s.predicted.typical
    } else {
        0.0
    }
}

struct SoakPainter<'a> {
    s: &'a SoakSeries,
    measured: Option<f64>,
    appearance: crate::Appearance,
}

impl Painter for SoakPainter<'_> {
    fn paint<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError> {
        let s = self.s;
        let (w, h) = root.dim_in_pixel();
        let theme = Theme::new(w, h, self.appearance);
        let band = s.predicted;
        let days = s.end.saturating_sub(s.start) as f64 / DAY as f64;
        let subtitle = format!(
            "{} since the step · predicted {}–{}/day · UTC",
            human_days(days),
            human_bytes(band.low.max(0.0) as u64),
            human_bytes(band.high.max(0.0) as u64),
        );
        let (head, body) = root.split_vertically(theme.px(58.0));
        draw::header(
            &head,
            &theme,
            "Soaking step: measured against predicted",
            &subtitle,
        )?;
        let legend_w = theme.px(210.0).min(w as i32 / 3);
        let (plot, legend_area) = body.split_horizontally(w as i32 - legend_w);

        // At least a day wide, so the first hours are not stretched edge to edge.
        let x0 = s.start;
        let x1 = s.end.max(s.start + DAY);
        // A band from reference figures can reach far above what is written;
        // drawn whole it would flatten the measured line onto the floor, so the
        // scale stops at twice the data and the legend states the rest.
        let data_peak = s
            .points
            .iter()
            .map(|p| p.1)
            .chain([band.typical])
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max);
        let high = if band.high.is_finite() {
            band.high
        } else {
            0.0
        };
        let band_clipped = high > data_peak * 2.0;
        let peak = if band_clipped {
            data_peak * 2.0
        } else {
            data_peak.max(high)
        };
        let (ytop, yticks, yunit) = ticks::byte_ticks(peak * 1.1, 5);
        let max_xticks = (plot.dim_in_pixel().0 as f64 / f64::from(theme.upx(90.0))) as usize;
        let (xstep, xticks) = ticks::time_ticks(x0, x1, max_xticks);
        let xticks: Vec<f64> = xticks.into_iter().map(|t| t as f64).collect();

        let mut chart = ChartBuilder::on(&plot)
            .margin_top(theme.px(6.0))
            .margin_right(theme.px(18.0))
            .margin_left(theme.px(8.0))
            .margin_bottom(theme.px(6.0))
            .x_label_area_size(theme.px(44.0))
            .y_label_area_size(theme.px(70.0))
            .build_cartesian_2d(
                ticks::KeyedAxis::new(x0 as f64, x1 as f64, xticks),
                ticks::KeyedAxis::new(0.0, ytop, yticks),
            )
            .map_err(draw_err)?;
        let xfmt = |x: &f64| ticks::time_label(x.max(0.0) as u64, xstep);
        let yfmt = |y: &f64| ticks::byte_label(*y, yunit);
        draw::mesh(
            &mut chart,
            &theme,
            &xfmt,
            &yfmt,
            ("Time (UTC)", "Trail volume per day"),
        )?;

        // The predicted band under everything, the typical figure dashed.
        let (bx0, bx1) = (x0 as f64, x1 as f64);
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(bx0, band.low.max(0.0)), (bx1, band.high.min(ytop))],
                faded(theme.c.green, 0.14).filled(),
            )))
            .map_err(draw_err)?;
        chart
            .draw_series(DashedLineSeries::new(
                [(bx0, band.typical), (bx1, band.typical)],
                theme.px(6.0),
                theme.px(4.0),
                theme.c.green.stroke_width(theme.upx(1.5)),
            ))
            .map_err(draw_err)?;

        if s.points.is_empty() {
            draw::no_data(
                &chart.plotting_area().strip_coord_spec(),
                &theme,
                "Under an hour since the step: nothing to compare yet.",
            )?;
        } else {
            let over = band.high * (1.0 + TOLERANCE);
            let line: Vec<(f64, f64)> = s.points.iter().map(|p| (p.0 as f64, p.1)).collect();
            chart
                .draw_series(LineSeries::new(
                    line.iter().copied(),
                    theme.c.blue.stroke_width(theme.upx(2.0)),
                ))
                .map_err(draw_err)?;
            // Buckets above the band stand out.
            chart
                .draw_series(
                    line.iter()
                        .filter(|p| p.1 > over)
                        .map(|p| Circle::new(*p, theme.upx(2.5), theme.c.red.filled())),
                )
                .map_err(draw_err)?;
        }

        let (lead, color) = match self.measured {
            Some(m) if m > band.high * (1.0 + TOLERANCE) => (
                format!("{:.1}× the prediction: above its range", ratio(m, s)),
                theme.c.red,
            ),
            Some(m) if m < band.low * (1.0 - TOLERANCE) => (
                format!("{:.2}× the prediction: cheaper than planned", ratio(m, s)),
                theme.c.text,
            ),
            Some(m) => (
                format!("{:.2}× the prediction: within its range", ratio(m, s)),
                theme.c.green,
            ),
            None => ("Measuring…".to_string(), theme.c.secondary),
        };
        let entries = [
            LegendEntry {
                color: theme.c.blue,
                dashed: false,
                label: "Measured".into(),
                value: self
                    .measured
                    .map(|m| format!("{}/day", human_bytes(m as u64)))
                    .unwrap_or_default(),
                detail: "trail bytes per day, hourly".into(),
            },
            LegendEntry {
                color: theme.c.green,
                dashed: true,
                label: "Predicted".into(),
                value: format!("{}/day", human_bytes(band.typical.max(0.0) as u64)),
                detail: "typical; the band is low–high".into(),
            },
        ];
        let footer = if band_clipped {
            vec![format!(
                "The predicted range reaches {}/day: off the scale.",
                human_bytes(high as u64)
            )]
        } else {
            Vec::new()
        };
        draw::legend(
            &legend_area,
            &theme,
            Some((lead.as_str(), color)),
            "LEGEND",
            &entries,
            &footer,
        )?;
        Ok(())
    }
}
