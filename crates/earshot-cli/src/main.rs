//! `earshot`: the command line over the Earshot core (and, later, the helper's API).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod config;
mod trail;

#[derive(Parser)]
#[command(
    name = "earshot",
    version,
    about = "Keep macOS security auditing (OpenBSM) healthy and well tuned"
)]
struct Cli {
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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Config(args) => config::run(args),
        Command::Trail(args) => trail::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("earshot: {err:#}");
            ExitCode::from(2)
        }
    }
}
