//! The integration tests of this crate, linked as one binary (link time on two
//! cores is most of a test build); each module was a test file of its own.

mod common;

mod json;
mod praudit;
mod reader;
mod robustness;
mod write;
mod xml;
