//! Earshot in a fleet (spec/fleet.md): what an organisation forces through a
//! configuration profile ([`managed`]), the status snapshot the helper keeps for
//! MDMs and Fleet ([`snapshot`]), the inventory attributes read from it
//! ([`ea`]), and the files admins upload, generated from the same tables
//! ([`deploy`]).
//!
//! No I/O beyond the [`earshot_system::System`] boundary: the helper writes
//! the snapshot, the CLI reads it.
#![forbid(unsafe_code)]

pub mod deploy;
pub mod ea;
pub mod managed;
pub mod snapshot;
