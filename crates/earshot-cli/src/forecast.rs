//! `earshot forecast`: steady-state folder size and the road to minfree.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;
use earshot_core::status;
use serde::Serialize;

use crate::status::{open_system, render_forecast, root_or_env, status_options};

#[derive(Debug, Parser)]
pub struct Args {
    /// Read a simulated Mac in DIR instead of this machine (also $EARSHOT_ROOT).
    #[arg(long)]
    pub root: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
    #[arg(long)]
    pub cache_dir: Option<PathBuf>,
    #[arg(long)]
    pub no_cache: bool,
}

#[derive(Serialize)]
struct ForecastJson<'a> {
    schema: u32,
    generated_at: earshot_trail::Timestamp,
    config: Option<&'a status::ConfigSummary>,
    headroom: &'a [earshot_core::headroom::Headroom],
    forecast: Option<&'a earshot_core::forecast::Forecast>,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let (sys, kind) = open_system(root_or_env(args.root.clone()).as_deref())?;
    let opts = status_options(args.cache_dir, args.no_cache);
    let st = status::collect(sys.as_ref(), kind, &opts).context("collecting status")?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if args.json {
        serde_json::to_writer_pretty(
            &mut out,
            &ForecastJson {
                schema: st.schema,
                generated_at: st.generated_at,
                config: st.config.as_ref(),
                headroom: &st.headroom,
                forecast: st.forecast.as_ref(),
            },
        )?;
        writeln!(out)?;
    } else {
        match &st.forecast {
            Some(f) => out.write_all(render_forecast(f).trim_start().as_bytes())?,
            None => writeln!(
                out,
                "no forecast: the trail folder could not be read or has no trails"
            )?,
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
