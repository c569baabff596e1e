//! `bsm`: the OpenBSM binary audit trail format — token decoder, record reader that
//! survives damage, praudit-compatible / JSON / XML rendering, and a libbsm-exact writer.
//!
//! * [`read::Reader`] iterates records, file tokens and [`read::Damage`].
//! * [`scan::scan`] is the allocation-free statistics pass (≥ 1 GB/s).
//! * [`token`] decodes single tokens without copying.

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

pub use names::{Catalog, EventNames};
pub use read::{Damage, DamageKind, FileToken, Item, Reader, Record};
pub use scan::{scan, scan_at, scan_select, RecordSummary, ScanEnd};
pub use token::{Header, Token};
