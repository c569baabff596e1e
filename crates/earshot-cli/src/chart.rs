//! `earshot chart`: the dashboard's charts as SVG or PNG files, for people without
//! the app (and for docs).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Parser, ValueEnum};
use earshot_chart::{Appearance, ChartOptions, Format, RateSpan, Rendered, SparklineOptions};
use earshot_core::series::source;

use crate::output::Output;
use crate::status::{open_system, root_or_env, status_options};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Kind {
    /// Events per second per class over the last hour or day.
    Rates,
    /// Trail folder size: history, forecast, expire-after cap and minfree.
    Forecast,
    /// The popover's tiny per-class rate sparkline (SVG only, drawn in currentColor).
    Sparkline,
    /// The last tuning step's volume since it was applied, against its
    /// predicted band (asks the helper, which keeps the soak).
    Soak,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum AppearanceArg {
    Light,
    Dark,
}

#[derive(Debug, Parser)]
pub struct Args {
    #[arg(value_enum)]
    pub kind: Kind,
    /// Read a simulated Mac in DIR instead of this machine (also $EARSHOT_ROOT).
    #[arg(long)]
    pub root: Option<PathBuf>,
    /// Rates window: 1h or 24h (default 24h for rates, 1h for the sparkline).
    #[arg(long, value_parser = parse_window)]
    pub window: Option<RateSpan>,
    /// Output file; the format follows the extension (.svg or .png).
    #[arg(long, short)]
    pub out: PathBuf,
    /// Width in pixels (default 960, sparkline 280; text and lines scale with the size).
    #[arg(long)]
    pub width: Option<u32>,
    /// Height in pixels (default 480, sparkline 48).
    #[arg(long)]
    pub height: Option<u32>,
    /// Window background: light or dark (rates, forecast, soak; the sparkline follows
    /// the page's text colour).
    #[arg(long, value_enum, default_value = "light")]
    pub appearance: AppearanceArg,
    /// Where per-trail rate buckets are cached (default: $XDG_CACHE_HOME/earshot).
    #[arg(long)]
    pub cache_dir: Option<PathBuf>,
    /// Do not read or write the cache.
    #[arg(long)]
    pub no_cache: bool,
}

fn parse_window(s: &str) -> Result<RateSpan, String> {
    RateSpan::parse(s).ok_or_else(|| format!("unknown window {s:?}: use 1h or 24h"))
}

pub fn run(args: Args) -> Result<ExitCode> {
    let Some(format) = Format::from_path(&args.out) else {
        bail!(
            "{}: the output name must end in .svg or .png",
            args.out.display()
        );
    };
    if matches!(args.kind, Kind::Sparkline) && format != Format::Svg {
        bail!("the sparkline is SVG only (it is drawn in the text colour of the page it sits in)");
    }
    if args.window.is_some() && matches!(args.kind, Kind::Forecast | Kind::Soak) {
        bail!("--window applies to `earshot chart rates` only");
    }
    let root = root_or_env(args.root.clone());
    let (sys, kind) = open_system(root.as_deref())?;
    let opts = status_options(args.cache_dir.clone(), args.no_cache);
    let defaults = match args.kind {
        Kind::Sparkline => {
            let d = SparklineOptions::default();
            (d.width, d.height)
        }
        _ => {
            let d = ChartOptions::default();
            (d.width, d.height)
        }
    };
    let (width, height) = (
        args.width.unwrap_or(defaults.0),
        args.height.unwrap_or(defaults.1),
    );
    let chart_opts = ChartOptions {
        width,
        height,
        format,
        appearance: match args.appearance {
            AppearanceArg::Light => Appearance::Light,
            AppearanceArg::Dark => Appearance::Dark,
        },
    };
    let rendered = match args.kind {
        Kind::Rates => {
            let span = args.window.unwrap_or(RateSpan::Day);
            let series = source::rate_series(sys.as_ref(), span, &opts)
                .context("reading event rates from the trails")?;
            earshot_chart::rates_chart(&series, &chart_opts).context("drawing the rates chart")?
        }
        Kind::Sparkline => {
            let span = args.window.unwrap_or(RateSpan::Hour);
            let series = source::rate_series(sys.as_ref(), span, &opts)
                .context("reading event rates from the trails")?;
            let svg = earshot_chart::sparkline(
                &series,
                &SparklineOptions {
                    width,
                    height,
                    ..SparklineOptions::default()
                },
            )
            .context("drawing the sparkline")?;
            Rendered::Svg(svg)
        }
        Kind::Soak => {
            let Some(mut client) = crate::helper_client::try_connect(root.as_deref()) else {
                bail!(
                    "the soak chart needs the helper (it keeps the soaking step); is it running?"
                );
            };
            let series = client
                .soak_series()
                .context("asking the helper for the soaking step's volume")?;
            earshot_chart::soak_chart(&series, &chart_opts).context("drawing the soak chart")?
        }
        Kind::Forecast => {
            let view = source::forecast_view(sys.as_ref(), kind, &opts)
                .context("measuring the trail folder")?;
            earshot_chart::forecast_chart(&view, &chart_opts)
                .context("drawing the forecast chart")?
        }
    };
    // Written whole then renamed, so a viewer watching the file never shows
    // half a chart.
    Output::write(&args.out, rendered.as_bytes())?;
    println!(
        "wrote {} ({}×{} {})",
        args.out.display(),
        width,
        height,
        match format {
            Format::Svg => "SVG",
            Format::Png => "PNG",
        }
    );
    Ok(ExitCode::SUCCESS)
}
