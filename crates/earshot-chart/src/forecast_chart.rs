//! The trail folder's size over time: what the kept trails add up to so far, where
//! the current byte rate takes it, the `expire-after` cap if there is one, and the
//! size at which the volume reaches `minfree`.

use earshot_model::format::{human_bytes, human_days, human_secs};
use earshot_model::status::{MinfreeOutlook, SteadyState};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::draw::{self, draw_err, LegendEntry, Painter};
use crate::series::ForecastView;
use crate::style::{faded, Colors, Theme};
use crate::ticks;
use crate::{ChartError, ChartOptions, Rendered};

const DAY: f64 = 86_400.0;
/// Projections further out than this are guesses about a rate nobody can vouch for.
const MAX_HORIZON: f64 = 120.0 * DAY;
/// Points of the projected line (a straight line with a knee at the cap).
const PROJECTION_SAMPLES: u32 = 120;

/// Renders the folder-size history and forecast. Without a forecast (folder
/// unreadable, nothing measured yet) it says "No data yet".
pub fn forecast_chart(view: &ForecastView, opts: &ChartOptions) -> Result<Rendered, ChartError> {
    let plan = Plan::new(view, opts.appearance.colors());
    let title = format!("Trail folder size and forecast: {}", plan.headline.0);
    draw::render(
        &ForecastPainter {
            view,
            plan,
            appearance: opts.appearance,
        },
        opts.width,
        opts.height,
        opts.format,
        opts.appearance,
        &title,
    )
}

/// Everything computed before drawing (pure numbers, so it is easy to reason about).
struct Plan {
    x0: u64,
    x1: u64,
    now: u64,
    history: Vec<(f64, f64)>,
    projection: Vec<(f64, f64)>,
    /// Folder size at which the volume reaches minfree.
    threshold: f64,
    show_threshold: bool,
    cap: Option<f64>,
    /// When the projection meets the threshold, if on the chart.
    crossing: Option<f64>,
    ytop: f64,
    yticks: Vec<f64>,
    yunit: (&'static str, f64, usize),
    headline: (String, RGBColor),
}

impl Plan {
    fn new(v: &ForecastView, c: &Colors) -> Plan {
        let now = v.now;
        let folder = v.folder_bytes as f64;
        let threshold = folder + v.bytes_above_minfree as f64;
        let history: Vec<(f64, f64)> = v
            .history
            .iter()
            .filter(|p| p.0 <= now)
            .map(|p| (p.0 as f64, p.1 as f64))
            .collect();
        let hist_start = v.history.first().map(|p| p.0.min(now)).unwrap_or(now);
        let hist_span = (now - hist_start) as f64;

        let (rate, cap, outlook) = match &v.forecast {
            Some(f) => (
                if f.bytes_per_sec.is_finite() {
                    f.bytes_per_sec.max(0.0)
                } else {
                    0.0
                },
                match f.steady_state {
                    SteadyState::Capped { peak_bytes, .. } => Some(peak_bytes as f64),
                    _ => None,
                },
                Some(&f.minfree),
            ),
            None => (0.0, None, None),
        };
        let reached_secs = match outlook {
            Some(MinfreeOutlook::Reached { days }) if days.is_finite() && *days >= 0.0 => {
                Some(days * DAY)
            }
            _ => None,
        };
        let horizon = match (reached_secs, cap) {
            (Some(r), _) if r <= MAX_HORIZON => (r * 1.25).max(DAY),
            (_, Some(c)) if rate > 0.0 => {
                let to_cap = (c - folder).max(0.0) / rate;
                (to_cap * 1.5).max(hist_span * 0.5).clamp(DAY, MAX_HORIZON)
            }
            (Some(_), None) => (hist_span * 0.5).clamp(30.0 * DAY, MAX_HORIZON),
            _ => (hist_span * 0.5).clamp(DAY, 30.0 * DAY),
        };
        let below = matches!(outlook, Some(MinfreeOutlook::AlreadyBelow));
        let size_at = |dt: f64| -> f64 {
            if below || rate == 0.0 {
                // auditd stops writing below minfree; no rate, no growth.
                return folder;
            }
            let grown = folder + rate * dt;
            match cap {
                Some(c) => grown.min(c.max(folder)),
                None => grown.min(threshold.max(folder)),
            }
        };
        let projection: Vec<(f64, f64)> = if v.forecast.is_some() {
            (0..=PROJECTION_SAMPLES)
                .map(|i| {
                    let dt = horizon * f64::from(i) / f64::from(PROJECTION_SAMPLES);
                    (now as f64 + dt, size_at(dt))
                })
                .collect()
        } else {
            Vec::new()
        };
        let crossing = reached_secs
            .filter(|r| *r <= horizon)
            .map(|r| now as f64 + r);

        let base = history
            .iter()
            .chain(projection.iter())
            .map(|p| p.1)
            .chain(cap)
            .chain(std::iter::once(folder))
            .fold(0.0, f64::max);
        // A threshold far above the data would flatten it to a line on the floor;
        // then the legend states it in words instead.
        let show_threshold =
            v.forecast.is_some() && (crossing.is_some() || below || threshold <= base * 3.0);
        let top = if show_threshold {
            base.max(threshold)
        } else {
            base
        };
        let (ytop, yticks, yunit) = ticks::byte_ticks(top * 1.08, 5);

        let x1 = now.saturating_add(horizon as u64);
        let x0 = if hist_span >= DAY {
            hist_start
        } else {
            now.saturating_sub(DAY as u64)
        };

        let headline = match (outlook, &v.forecast) {
            (Some(MinfreeOutlook::Reached { days }), _) => {
                let color = if *days < 7.0 {
                    c.red
                } else if *days < 30.0 {
                    c.orange
                } else {
                    c.text
                };
                (format!("Minfree reached in {}", human_days(*days)), color)
            }
            (Some(MinfreeOutlook::Never { cap_bytes }), _) => (
                format!(
                    "Minfree never reached: expiry caps the folder at {}",
                    human_bytes(*cap_bytes)
                ),
                c.green,
            ),
            (Some(MinfreeOutlook::AlreadyBelow), _) => (
                "Already below minfree: auditd stops writing".to_string(),
                c.red,
            ),
            (Some(MinfreeOutlook::NoGrowth), _) => (
                "No trail growth measured: minfree is not approaching".to_string(),
                c.secondary,
            ),
            (None, _) => ("No data yet".to_string(), c.secondary),
        };

        Plan {
            x0,
            x1: x1.max(x0.saturating_add(1)),
            now,
            history,
            projection,
            threshold,
            show_threshold,
            cap,
            crossing,
            ytop,
            yticks,
            yunit,
            headline,
        }
    }
}

struct ForecastPainter<'a> {
    view: &'a ForecastView,
    plan: Plan,
    appearance: crate::Appearance,
}

impl Painter for ForecastPainter<'_> {
    fn paint<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError> {
        let (v, p) = (self.view, &self.plan);
        let (w, h) = root.dim_in_pixel();
        let theme = Theme::new(w, h, self.appearance);

        let subtitle = match &v.forecast {
            Some(f) => format!(
                "{}/day · folder {} now · {} free above minfree · UTC",
                human_bytes(f.bytes_per_day.max(0.0) as u64),
                human_bytes(v.folder_bytes),
                human_bytes(v.bytes_above_minfree),
            ),
            None => "The trail folder could not be read, or holds no trails yet".to_string(),
        };
        let (head, body) = root.split_vertically(theme.px(58.0));
        draw::header(
            &head,
            &theme,
            "Trail folder size: history and forecast",
            &subtitle,
        )?;
        let legend_w = theme.px(210.0).min(w as i32 / 3);
        let (plot, legend_area) = body.split_horizontally(w as i32 - legend_w);

        let max_xticks = (plot.dim_in_pixel().0 as f64 / f64::from(theme.upx(90.0))) as usize;
        let (xstep, xticks) = ticks::time_ticks(p.x0, p.x1, max_xticks);
        let xticks: Vec<f64> = xticks.into_iter().map(|t| t as f64).collect();

        let mut chart = ChartBuilder::on(&plot)
            .margin_top(theme.px(6.0))
            .margin_right(theme.px(18.0))
            .margin_left(theme.px(8.0))
            .margin_bottom(theme.px(6.0))
            .x_label_area_size(theme.px(44.0))
            .y_label_area_size(theme.px(70.0))
            .build_cartesian_2d(
                ticks::KeyedAxis::new(p.x0 as f64, p.x1 as f64, xticks),
                ticks::KeyedAxis::new(0.0, p.ytop, p.yticks.clone()),
            )
            .map_err(draw_err)?;
        let xfmt = |x: &f64| ticks::time_label(x.max(0.0) as u64, xstep);
        let yfmt = |y: &f64| ticks::byte_label(*y, p.yunit);
        draw::mesh(
            &mut chart,
            &theme,
            &xfmt,
            &yfmt,
            ("Date (UTC)", "Trail folder size"),
        )?;

        if v.forecast.is_none() {
            draw::no_data(
                &chart.plotting_area().strip_coord_spec(),
                &theme,
                "The trail folder could not be read, or holds no trails yet.",
            )?;
            draw::legend(&legend_area, &theme, None, "LEGEND", &[], &[])?;
            return Ok(());
        }

        // Pixel positions for labels, taken before drawing borrows the chart.
        let (px1, _) = chart.backend_coord(&(p.x1 as f64, 0.0));
        let (_, ty) = chart.backend_coord(&(p.x1 as f64, p.threshold));
        let cap_y = p.cap.map(|c| chart.backend_coord(&(p.x1 as f64, c)).1);
        let now = p.now as f64;
        let (nx, ny) = chart.backend_coord(&(now, p.ytop));
        let crossing_px = p.crossing.map(|t| chart.backend_coord(&(t, p.threshold)));
        let label_at = |py: i32| (px1 - theme.px(6.0), py - theme.px(3.0));
        let right_bottom = Pos::new(HPos::Right, VPos::Bottom);

        // Reference lines first, so the data is drawn over them.
        if p.show_threshold {
            chart
                .draw_series(LineSeries::new(
                    [(p.x0 as f64, p.threshold), (p.x1 as f64, p.threshold)],
                    theme.c.red.stroke_width(theme.upx(1.5)),
                ))
                .map_err(draw_err)?;
            let pct = match v.minfree_percent {
                Some(m) => format!("minfree {m} %"),
                None => "minfree (kernel default 20 %)".to_string(),
            };
            root.draw(&Text::new(
                format!("{pct} reached"),
                label_at(ty),
                theme.text(10.5, theme.c.red).pos(right_bottom),
            ))
            .map_err(draw_err)?;
        }
        if let Some(cap) = p.cap {
            chart
                .draw_series(DashedLineSeries::new(
                    [(p.x0 as f64, cap), (p.x1 as f64, cap)],
                    theme.px(6.0),
                    theme.px(4.0),
                    theme.c.orange.stroke_width(theme.upx(1.5)),
                ))
                .map_err(draw_err)?;
            // Below the line when the threshold label sits just above it.
            let cy = cap_y.unwrap_or(ty);
            let clash = p.show_threshold && (cy - ty).abs() < theme.px(18.0);
            let pos = if clash {
                (px1 - theme.px(6.0), cy + theme.px(4.0))
            } else {
                label_at(cy)
            };
            let anchor = if clash {
                Pos::new(HPos::Right, VPos::Top)
            } else {
                right_bottom
            };
            root.draw(&Text::new(
                format!("expire-after cap {}", human_bytes(cap as u64)),
                pos,
                theme.text(10.5, theme.c.orange).pos(anchor),
            ))
            .map_err(draw_err)?;
        }

        // "Now" divides what was measured from what is projected.
        chart
            .draw_series(DashedLineSeries::new(
                [(now, 0.0), (now, p.ytop)],
                theme.px(3.0),
                theme.px(3.0),
                theme.c.gray.stroke_width(1),
            ))
            .map_err(draw_err)?;
        root.draw(&Text::new(
            "now",
            (nx + theme.px(4.0), ny + theme.px(2.0)),
            theme.text(10.0, theme.c.secondary),
        ))
        .map_err(draw_err)?;

        if p.history.len() >= 2 {
            chart
                .draw_series(AreaSeries::new(
                    p.history.iter().copied(),
                    0.0,
                    faded(theme.c.blue, 0.12).filled(),
                ))
                .map_err(draw_err)?;
            chart
                .draw_series(LineSeries::new(
                    p.history.iter().copied(),
                    theme.c.blue.stroke_width(theme.upx(2.0)),
                ))
                .map_err(draw_err)?;
        }
        if p.projection.len() >= 2 {
            chart
                .draw_series(AreaSeries::new(
                    p.projection.iter().copied(),
                    0.0,
                    faded(theme.c.blue, 0.05).filled(),
                ))
                .map_err(draw_err)?;
            chart
                .draw_series(DashedLineSeries::new(
                    p.projection.iter().copied(),
                    theme.px(7.0),
                    theme.px(4.0),
                    theme.c.blue.stroke_width(theme.upx(2.0)),
                ))
                .map_err(draw_err)?;
        }
        if let (Some(t), Some((cx, cy))) = (p.crossing, crossing_px) {
            chart
                .draw_series(std::iter::once(Circle::new(
                    (t, p.threshold),
                    theme.upx(4.5),
                    theme.c.red.filled(),
                )))
                .map_err(draw_err)?;
            // Below and to the right: the projection arrives from the lower left
            // and runs flat along the threshold afterwards, so that corner is free.
            root.draw(&Text::new(
                ticks::month_day(t as u64),
                (cx + theme.px(6.0), cy + theme.px(8.0)),
                theme
                    .bold(10.5, theme.c.red)
                    .pos(Pos::new(HPos::Left, VPos::Top)),
            ))
            .map_err(draw_err)?;
        }

        let mut entries = vec![
            LegendEntry {
                color: theme.c.blue,
                dashed: false,
                label: "History".into(),
                value: human_bytes(v.folder_bytes),
                detail: "trails on disk, as written".into(),
            },
            LegendEntry {
                color: theme.c.blue,
                dashed: true,
                label: "Forecast".into(),
                value: String::new(),
                detail: "at the last 24 h byte rate".into(),
            },
        ];
        if let Some(cap) = p.cap {
            entries.push(LegendEntry {
                color: theme.c.orange,
                dashed: true,
                label: "Expiry cap".into(),
                value: human_bytes(cap as u64),
                detail: "peak under expire-after".into(),
            });
        }
        entries.push(LegendEntry {
            color: theme.c.red,
            dashed: false,
            label: "Minfree threshold".into(),
            value: v
                .minfree_percent
                .map(|m| format!("{m} %"))
                .unwrap_or_else(|| "20 %".into()),
            detail: if p.show_threshold {
                "size at which minfree is hit".into()
            } else {
                "off the scale (see below)".into()
            },
        });
        let mut footer = Vec::new();
        if !p.show_threshold {
            footer.push(format!(
                "The volume reaches minfree only after {} more of trails.",
                human_bytes(v.bytes_above_minfree)
            ));
        }
        if let Some(f) = &v.forecast {
            if let Some(t) = f.rotation_interval_secs {
                footer.push(format!("A new trail every {}.", human_secs(t)));
            }
        }
        let (lead, color) = &p.headline;
        draw::legend(
            &legend_area,
            &theme,
            Some((lead.as_str(), *color)),
            "LEGEND",
            &entries,
            &footer,
        )?;
        Ok(())
    }
}
