//! The integration tests of this crate, linked as one binary (link time on two
//! cores is most of a test build); each module was a test file of its own.

mod common;
#[path = "common/siege.rs"]
mod siege;

mod concurrency;
mod daemon;
mod enable_measure;
mod faults;
mod hardening;
mod keeper;
mod pager;
mod server;
mod soak;
mod views;
