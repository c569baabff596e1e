//! `earshot`: the command line over the Earshot crates and the helper's API.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod chart;
mod compliance;
mod config;
mod fleet;
mod forecast;
mod helper_client;
mod measure;
mod output;
mod plan;
mod sim;
mod status;
mod trail;

#[derive(Parser)]
#[command(
    name = "earshot",
    version,
    about = "Keep macOS security auditing (OpenBSM) healthy and well tuned"
)]
struct Cli {
    /// Work on the simulated Mac in DIR (sets $EARSHOT_ROOT for every command).
    #[arg(long, value_name = "DIR")]
    root: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Read, check, explain, diff and edit audit_control.
    #[command(subcommand)]
    Config(config::Args),
    /// List, summarise, print and export audit trails.
    #[command(subcommand)]
    Trail(trail::Args),
    /// Create and run a simulated Mac (the default on Linux).
    #[command(subcommand)]
    Sim(sim::Args),
    /// Is auditing on, running and writing? Health, headroom, rates, forecast.
    Status(status::Args),
    /// Steady-state trail folder size and when the volume reaches minfree.
    Forecast(forecast::Args),
    /// Draw the rates or forecast chart to an SVG or PNG file.
    Chart(chart::Args),
    /// The next tuning step (or every step to a baseline), with its predicted cost.
    Plan(plan::Args),
    /// What some classes would cost, measured without changing audit_control.
    Measure(measure::Args),
    /// Check the audit rules of CIS, STIG or NIST 800-53 (exit 1 when any fails).
    Compliance(compliance::Args),
    /// One inventory value for an MDM (Jamf, Intune, Kandji), from the helper's
    /// snapshot: never scans trails or waits on the helper.
    Ea(fleet::EaArgs),
    /// What the organisation's configuration profile forces (show, validate).
    #[command(subcommand)]
    Managed(fleet::ManagedArgs),
    /// Changes through the privileged helper (apply, confirm, rollback, history, ...).
    #[command(flatten)]
    Helper(helper_client::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(root) = &cli.root {
        // Single-threaded here, before any command runs.
        std::env::set_var("EARSHOT_ROOT", root);
    }
    let result = match cli.command {
        Command::Config(args) => config::run(args),
        Command::Trail(args) => trail::run(args),
        Command::Sim(args) => sim::run(args),
        Command::Status(args) => status::run(args),
        Command::Forecast(args) => forecast::run(args),
        Command::Chart(args) => chart::run(args),
        Command::Plan(args) => plan::run(args),
        Command::Measure(args) => measure::run(args),
        Command::Compliance(args) => compliance::run(args),
        Command::Ea(args) => fleet::run_ea(args),
        Command::Managed(args) => fleet::run_managed(args),
        Command::Helper(args) => helper_client::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("earshot: {err:#}");
            ExitCode::from(2)
        }
    }
}
