//! earshot-ocsf's integration tests, linked as one binary.

mod common;

mod checker;
mod fixtures;
mod ids;
mod own_events;
mod sim;
mod table;
