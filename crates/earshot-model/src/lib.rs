//! `earshot_model`: the plain serde types that cross a boundary — the helper's
//! protocol, the app's commands and events, the CLI's `--json` — so that every
//! side reads the same shape. Core crates produce them; `earshot-api` carries
//! them; `ui/src/backend/model.ts` is generated from them (see
//! `crates/earshot-glance/tests/it/typescript.rs`;
//! `EARSHOT_BLESS=1 cargo test -p earshot-glance --test it typescript`
//! regenerates it).
//!
//! Plain data only: no I/O, no knowledge of a Mac. Methods here are the ones
//! that need nothing but the data itself.
#![forbid(unsafe_code)]

pub mod change;
pub mod compliance;
pub mod config;
pub mod error;
pub mod format;
pub mod glance;
pub mod history;
pub mod managed;
pub mod measure;
pub mod plan;
pub mod review;
pub mod series;
pub mod snapshot;
pub mod soak;
pub mod status;
pub mod time;
pub mod trail;

pub use format::{human_bytes, human_secs};
pub use time::{TimeParseError, Timestamp};
