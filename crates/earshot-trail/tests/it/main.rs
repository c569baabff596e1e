//! The integration tests of this crate, linked as one binary (link time on two
//! cores is most of a test build); each module was a test file of its own.

mod inventory_current;
mod status_watch;
mod trail_files;
mod trail_render;
mod trail_stats;
