//! Events per second per class over the last hour or day.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::draw::{self, draw_err, LegendEntry, Painter};
use crate::series::{RateSeries, RateSpan};
use crate::style::Theme;
use crate::ticks;
use crate::{ChartError, ChartOptions, Rendered};

/// Renders `series` as one line per class (lines, not a stack: classes overlap),
/// with a legend of class names and mean rates, events/s on the y axis and UTC
/// time on the x axis. A window without any record says "No data yet".
pub fn rates_chart(series: &RateSeries, opts: &ChartOptions) -> Result<Rendered, ChartError> {
    let title = format!(
        "Audit events per second by class, last {}",
        span_words(series.span)
    );
    draw::render(
        &RatesPainter {
            series,
            appearance: opts.appearance,
        },
        opts.width,
        opts.height,
        opts.format,
        opts.appearance,
        &title,
    )
}

fn span_words(span: RateSpan) -> &'static str {
    match span {
        RateSpan::Hour => "hour",
        RateSpan::Day => "24 hours",
    }
}

/// A rate for people: three significant digits, never "0.000" for a non-zero rate.
pub(crate) fn fmt_rate(v: f64) -> String {
    if !v.is_finite() || v <= 0.0 {
        "0".into()
    } else if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else if v >= 1.0 {
        format!("{v:.2}")
    } else if v >= 0.001 {
        format!("{v:.3}")
    } else {
        "<0.001".into()
    }
}

struct RatesPainter<'a> {
    series: &'a RateSeries,
    appearance: crate::Appearance,
}

impl Painter for RatesPainter<'_> {
    fn paint<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError> {
        let s = self.series;
        let (w, h) = root.dim_in_pixel();
        let theme = Theme::new(w, h, self.appearance);
        let bucket = s.bucket_secs.max(1);
        let buckets = match bucket {
            60 => "One-minute buckets".to_string(),
            b if b % 60 == 0 => format!("{}-minute buckets", b / 60),
            b => format!("{b}-second buckets"),
        };
        let subtitle = format!(
            "{buckets} · {} – {} UTC",
            ticks::date_time(s.start),
            ticks::date_time(s.end),
        );
        let (head, body) = root.split_vertically(theme.px(58.0));
        draw::header(
            &head,
            &theme,
            &format!(
                "Audit events per second by class, last {}",
                span_words(s.span)
            ),
            &subtitle,
        )?;

        let legend_w = theme.px(190.0).min(w as i32 / 3);
        let (plot, legend_area) = body.split_horizontally(w as i32 - legend_w);

        let drawn: Vec<_> = s.classes.iter().take(theme.c.palette.len()).collect();
        let has_data = s.has_data();
        let max = drawn
            .iter()
            .flat_map(|c| c.points.iter().map(|p| p.1))
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max);
        let (ytop, yticks) = ticks::linear_ticks(max * 1.05, 5);
        let ystep = yticks.get(1).copied().unwrap_or(1.0);
        let ydec = ticks::decimals_for(ystep);

        // A window of zero length would make plotters divide by zero.
        let (x0, x1) = (s.start, s.end.max(s.start.saturating_add(1)));
        let max_xticks = (plot.dim_in_pixel().0 as f64 / f64::from(theme.upx(95.0))) as usize;
        let (xstep, xticks) = ticks::time_ticks(x0, x1, max_xticks);
        let xticks: Vec<f64> = xticks.into_iter().map(|t| t as f64).collect();

        let mut chart = ChartBuilder::on(&plot)
            .margin_top(theme.px(6.0))
            .margin_right(theme.px(18.0))
            .margin_left(theme.px(8.0))
            .margin_bottom(theme.px(6.0))
            .x_label_area_size(theme.px(44.0))
            .y_label_area_size(theme.px(62.0))
            .build_cartesian_2d(
                ticks::KeyedAxis::new(x0 as f64, x1 as f64, xticks),
                ticks::KeyedAxis::new(0.0, ytop, yticks),
            )
            .map_err(draw_err)?;
        let day_ticks = xstep >= 86_400 || s.span == RateSpan::Day;
        let xfmt = |x: &f64| {
            let t = x.max(0.0) as u64;
            if day_ticks && t % 86_400 == 0 {
                ticks::month_day(t)
            } else {
                ticks::clock(t)
            }
        };
        let yfmt = |y: &f64| {
            if *y == 0.0 {
                "0".to_string()
            } else {
                format!("{y:.ydec$}")
            }
        };
        draw::mesh(
            &mut chart,
            &theme,
            &xfmt,
            &yfmt,
            ("Time (UTC)", "Events per second"),
        )?;

        if !has_data {
            draw::no_data(
                &chart.plotting_area().strip_coord_spec(),
                &theme,
                &format!(
                    "No audit records were written in the last {}.",
                    span_words(s.span)
                ),
            )?;
        } else {
            let half = bucket as f64 / 2.0;
            // Drawn in reverse so the busiest class ends up on top.
            for (i, c) in drawn.iter().enumerate().rev() {
                let color = theme.c.palette[i % theme.c.palette.len()];
                let pts: Vec<(f64, f64)> = c
                    .points
                    .iter()
                    .filter(|p| p.1.is_finite())
                    .map(|p| (p.0 as f64 + half, p.1))
                    .collect();
                if pts.len() == 1 {
                    // One bucket is a point, not a line.
                    chart
                        .draw_series(std::iter::once(Circle::new(
                            pts[0],
                            theme.upx(3.0),
                            color.filled(),
                        )))
                        .map_err(draw_err)?;
                } else {
                    chart
                        .draw_series(LineSeries::new(pts, color.stroke_width(theme.upx(2.0))))
                        .map_err(draw_err)?;
                }
            }
        }

        let entries: Vec<LegendEntry> = drawn
            .iter()
            .enumerate()
            .map(|(i, c)| LegendEntry {
                color: theme.c.palette[i % theme.c.palette.len()],
                dashed: false,
                label: c.name.clone(),
                value: format!("{}/s", fmt_rate(c.mean())),
                detail: c.description.clone(),
            })
            .collect();
        let mut footer = Vec::new();
        if s.classes.len() > drawn.len() {
            footer.push(format!(
                "+{} quieter classes not drawn",
                s.classes.len() - drawn.len()
            ));
        }
        if !s.classes.is_empty() {
            footer.push(
                "An event counts towards every class it belongs to, so classes overlap."
                    .to_string(),
            );
        }
        draw::legend(
            &legend_area,
            &theme,
            None,
            "CLASS · MEAN RATE",
            &entries,
            &footer,
        )?;
        Ok(())
    }
}
