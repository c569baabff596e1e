//! `earshot_helper`: the privileged daemon behind earshot-api.
//!
//! - [`server`]: admission by peer credentials, the authenticated handshake,
//!   bounded frames and timeouts, request dispatch.
//! - [`keeper`]: the apply pipeline under one lock, history, drift, auto-revert.
//! - [`control`]: audit_control reached without following links, bounded.
//! - [`history`]: the hash-chained revision store.
//! - [`platform`]: the two narrow traits the keeper needs (the machine, the grammar).
//! - [`views`]: what the app shows, read here because the audit files are root's
//!   (chart data, trail pages via [`pager`], compliance, the planner's next step).
#![forbid(unsafe_code)]

pub mod control;
pub mod export;
pub mod fault;
pub mod folder;
pub mod fsutil;
pub mod history;
pub mod keeper;
pub mod pager;
pub mod peer;
pub mod platform;
pub mod runtime;
pub mod server;
pub mod snapshot;
pub mod soak;
pub mod system;
pub mod views;
pub mod writers;
