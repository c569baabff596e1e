//! `audit_control`: the `/etc/security/audit_control` file exactly as macOS reads it.
//!
//! Lossless document model, typed macOS reading, diagnostics, comment-preserving edits,
//! semantic diff, and the `audit_class` / `audit_event` tables.

mod cstr;
pub mod diag;
pub mod flags;
pub mod tables;

pub use diag::{Diagnostic, Severity};
pub use flags::{format_mask, parse_flags, ClassMask, FlagItem, FlagsError, FlagsList, Selector};
pub use tables::{Class, ClassTable, Event, EventTable};
