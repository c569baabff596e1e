//! The trail engine: what is in `/var/audit`, and what the trails say.
//!
//! - [`Inventory`] lists trail folders: parsed names ([`TrailName`]), states, sizes,
//!   the `current` link, and files that are not trails.
//! - [`summarise_file`] / [`summarise_many`] count records per class, event, hour and
//!   outcome in one streaming pass ([`TrailSummary`]); [`SummaryCache`] keeps those
//!   summaries on disk so unchanged files cost a `stat`.
//! - [`TrailTail`] follows the growing trail from a saved offset.
//! - [`Filter`] is the auditreduce-style selection shared by stats, print and export.
//! - [`render`] prints and exports records (praudit lines, NDJSON, XML, raw BSM);
//!   [`render::render_files`] spreads the work over all cores, output in order.
//! - [`StatsReport`] merges summaries and names them with [`Tables`]
//!   (audit_event / audit_class) for `trail stats`.
//! - [`rates`]: events and bytes per class and event over the last minute, hour and
//!   day, from per-minute buckets of each trail (cached) and the live tail.
#![forbid(unsafe_code)]

mod cache;
mod filter;
mod inventory;
mod name;
pub mod rates;
pub mod render;
mod report;
mod stream;
mod summary;
mod tables;
mod tail;
mod tally;

pub use cache::SummaryCache;
pub use earshot_model::time::{TimeParseError, Timestamp};
pub use filter::{Filter, FilterError, FilterSpec, Outcome};
pub use inventory::{CurrentLink, Inventory, InventoryError, Trail, TrailState, UnknownEntry};
pub use name::{is_trail_name, stamp, trail_files, TrailEnd, TrailName, TrailNameError};
pub use report::{FileDamage, FileStats, StatsReport};
pub use stream::{stream_records, stream_selected, stream_whole, DamageNote, StreamEnd, CHUNK};
pub use summary::{default_threads, summarise_file, summarise_many, TrailError, TrailSummary};
pub use tables::{Tables, UNLISTED_EVENT_CLASS};
pub use tail::{TailBatch, TailError, TrailTail};
pub use tally::{Tally, TallyBuilder};
