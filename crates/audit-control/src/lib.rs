//! `audit_control`: the `/etc/security/audit_control` file exactly as macOS reads it.
//!
//! Lossless document model, typed macOS reading, diagnostics, comment-preserving edits,
//! semantic diff, and the `audit_class` / `audit_event` tables.

mod cstr;
pub mod diag;
pub mod document;
pub mod flags;
pub mod reading;
pub mod tables;
pub mod values;

pub use diag::{Diagnostic, Severity};
pub use document::{Document, Entry, Line, LineEnding, LineKind};
pub use flags::{format_mask, parse_flags, ClassMask, FlagItem, FlagsError, FlagsList, Selector};
pub use reading::{
    check, describe_expire, describe_mask, describe_policy, AuditControl, Dialect, DirEntry,
    EffectivePolicy, Setting, KNOWN_KEYS,
};
pub use tables::{Class, ClassTable, Event, EventTable};
pub use values::{ExpireAfter, ExpireOp, Minfree, Policy};
