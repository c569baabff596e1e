//! The integration tests of this crate, linked as one binary (link time on two
//! cores is most of a test build); each module was a test file of its own.

mod common;

mod chart_cli;
mod config_cli;
mod export_cli;
mod fleet_cli;
// Needs the bundled SQLite, whose C does not build for the macOS type-check.
#[cfg(not(target_os = "macos"))]
mod fleet_policy;
mod helper_cli;
mod soak_cli;
mod trail_cli;
mod trail_ocsf_cli;
mod tuning_cli;
