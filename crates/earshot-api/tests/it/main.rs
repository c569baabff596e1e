//! The integration tests of this crate, linked as one binary (link time on two
//! cores is most of a test build); each module was a test file of its own.

mod client;
mod frame_props;
mod protocol_docs;
mod views;
