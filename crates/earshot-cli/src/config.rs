//! `earshot config …` — owned by the audit-control helper.

use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum Args {}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args {}
}
