//! The integration tests of this crate, linked as one binary (link time on two
//! cores is most of a test build); each module was a test file of its own.

mod plan_ladder;
mod plan_properties;
mod soak;
