//! `bsm`: the OpenBSM binary audit trail format as macOS writes it.
//!
//! * [`token`] — zero-copy decoding of every token in the OpenBSM corpus and
//!   macOS trails: header32/64 and their `_ex` forms, subject/process 32/64
//!   (`_ex`), return32/64, path, attr32/64, arg32/64, exec_args/env, text,
//!   socket-inet(6), socket_ex, sock_unix, in_addr(_ex), iport, ip, ipc,
//!   ipc_perm, seq, zonename, opaque, data, newgroups, exit, upriv, privset,
//!   arg_uuid/ret_uuid, the file token and Apple's identity token (0xed).
//! * [`read::Reader`] — records, file tokens and [`read::Damage`]: it reads
//!   past truncation, unknown or overrunning tokens and junk, resyncing at
//!   the next header whose byte count and trailer agree, and says what it
//!   skipped (praudit stops silently).
//! * [`scan::scan`] — the allocation-free statistics pass (event, time,
//!   auid/euid, status per record), several GB/s on one core
//!   (`cargo run --release -p bsm --example scanbench`).
//! * [`praudit`] — `praudit -l`/`-ln` lines, byte-exact against the fixtures
//!   except for praudit's documented bugs; [`json`] — NDJSON; [`xml`] —
//!   well-formed XML.
//! * [`mod@write`] — records whose bytes equal libbsm's, for the simulated Mac.
//!
//! Nothing in this crate panics on input: every read is bounds-checked,
//! which a proptest and a cargo-fuzz target (`crates/bsm/fuzz`) exercise.
#![forbid(unsafe_code)]

pub mod errno;
mod frame;
pub mod json;
pub mod names;
pub mod praudit;
pub mod read;
pub mod scan;
pub mod text;
pub mod token;
pub mod wire;
pub mod write;
pub mod xml;

pub use frame::{Ending, MAX_RECORD_LEN};
pub use names::{Catalog, EventNames};
pub use read::{Damage, DamageKind, FileToken, Item, Reader, Record};
pub use scan::{scan, scan_at, scan_items, scan_select, RecordSummary, ScanEnd};
pub use token::{Header, Token};
