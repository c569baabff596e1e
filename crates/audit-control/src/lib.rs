//! `audit_control`: the `/etc/security/audit_control` file exactly as macOS reads it.
//!
//! * [`Document`] — lossless model: any bytes in, the same bytes out of
//!   [`Document::to_bytes`]; [`Document::entries`] is how libbsm reads it
//!   (`fgets(256)` pieces, `#` only in column 1, trailing `\n`/space/tab trimmed).
//! * [`AuditControl`] — the typed reading, Apple dialect by default
//!   ([`Dialect::Upstream`] for upstream OpenBSM), with every finding as a
//!   [`Diagnostic`]; [`check`] is the one-call form.
//! * [`Document::set`] / [`Document::remove`] — validated, comment-preserving edits;
//!   [`semantic_diff`] — what changed in meaning, with stable risk ids ([`diff::risk`]).
//! * [`ClassTable`] / [`EventTable`] — `audit_class` / `audit_event` with libbsm's
//!   quirks; [`audited_events`] — which events a mask records.
//!
//! Sources: `spec/audit_control.md` and `spec/classes_events.md` of the project.
//!
//! # Diagnostic codes
//!
//! Codes are stable; tools may key on them. Severity in parentheses (E error,
//! W warning, I info); `line 0` findings concern the whole file.
//!
//! | code | meaning |
//! |---|---|
//! | `AC-KEY-UNKNOWN` (W) | key macOS does not know (case, blanks around the key, typos); line ignored |
//! | `AC-KEY-NOT-COMMENT` (W) | `#` not in column 1: not a comment, an ignored unknown key |
//! | `AC-KEY-DUPLICATE` (W) | later line for a key; the first line wins |
//! | `AC-KEY-LEADING-COLON` (I) | `:flags:lo` — leading colons are skipped |
//! | `AC-KEY-MISSING` (E/W) | a key is absent (line 0); severity by consequence |
//! | `AC-LINE-TOO-LONG` (E/W) | line over 255 bytes: value cut, rest read as its own line |
//! | `AC-LINE-TAIL` (W) | that rest, read as a separate (ignored) line |
//! | `AC-LINE-CRLF` (W) | CRLF ending: the `\r` becomes part of the value |
//! | `AC-VALUE-MISSING` (E) | `key:` / `key` with no value (Apple: lookup error EINVAL) |
//! | `AC-VALUE-COLON` (E/W) | value contains `:` — Apple reads only up to it, upstream reads all |
//! | `AC-VALUE-TOO-LONG` (E) | `dir` > 254, `naflags`/`policy` > 127 bytes: rejected |
//! | `AC-MSCP-LEADING-BLANK` (W) | blank after `key:` — accepted, but literal compliance checks fail |
//! | `AC-MSCP-LITERAL-FLAGS` (I) | `ex`/`all` where mSCP checks look for literal `-ex` etc. |
//! | `AC-DIR-EMPTY` / `AC-DIR-BLANK` / `AC-DIR-CR` / `AC-DIR-RELATIVE` (E) | `dir` value auditd will skip |
//! | `AC-DIR-UNREACHED` (E) | `dir` line after the directory list stopped |
//! | `AC-DIR-NONE` (E) | no usable trail directory: auditd cannot open a trail |
//! | `AC-DIR-NOT-DEFAULT` (I) | trails outside /var/audit |
//! | `AC-FLAGS-*` / `AC-NAFLAGS-*` `UNKNOWN-CLASS`, `CASE`, `BLANK`, `CR`, `INLINE-COMMENT`, `BAD-PREFIX` (E) | invalid item: the whole list is thrown away |
//! | `AC-FLAGS-ALL` / `AC-NAFLAGS-ALL` (W) | `all`: extreme volume |
//! | `AC-FLAGS-EMPTY` / `AC-NAFLAGS-EMPTY` (I) | empty list (upstream reading) = mask 0 |
//! | `AC-FLAGS-NA` (W) | `na` in flags (belongs in naflags) |
//! | `AC-FLAGS-EX-NO-SPAWN` (I) | `ex` without `pc` misses posix_spawn |
//! | `AC-MINFREE-NOT-NUMBER` (E) | atoi reads 0: soft limit off |
//! | `AC-MINFREE-RANGE` (E) | outside 0–100: kernel EINVAL, auditd cannot start a trail |
//! | `AC-MINFREE-RISK` (W) | 0, or outside 5–50 |
//! | `AC-MINFREE-QUANTIZED` (I) | kernel trigger differs (100/⌊100/p⌋) |
//! | `AC-MINFREE-TRAILING` (I) | text after the number ignored |
//! | `AC-POLICY-INVALID` (E) | unparseable: auditd forces `cnt` alone |
//! | `AC-POLICY-KERNEL-REJECTS` (E) | words xnu refuses: previous kernel policy kept |
//! | `AC-POLICY-NO-CNT` / `AC-POLICY-AHLT` / `AC-POLICY-ARGE` (W) | fail-stop, panic on write error, secrets in records |
//! | `AC-FILESZ-INVALID` / `AC-FILESZ-TOO-SMALL` (E) | rejected size (units B K M G upper-case; 0 or ≥ 512K) |
//! | `AC-FILESZ-ZERO` / `AC-FILESZ-WRAPS` (W) | no size rotation |
//! | `AC-FILESZ-TRAILING` (I) | text after the unit ignored |
//! | `AC-EXPIRE-INVALID` (E) | rejected: nothing is ever expired |
//! | `AC-EXPIRE-MISSING` (W) | no expire-after: trails accumulate |
//! | `AC-EXPIRE-IGNORED-TAIL` / `AC-EXPIRE-SAME-DIMENSION` / `AC-EXPIRE-AND-NEVER` / `AC-EXPIRE-WRAPS` / `AC-EXPIRE-NO-ROTATION` (W) | read differently than it looks, or never deletes |
//! | `AC-EXPIRE-NEVER` / `AC-EXPIRE-MIB` (I) | `0` = never; `M` = MiB, not minutes |
//! | `AC-HOST-INVALID` (E) / `AC-HOST-DNS` (I) | host name with blank/CR; DNS dependency |
//! | `AC-QSIZE-IGNORED` / `AC-DIST-IGNORED` (I) | upstream-only keys ignored on macOS |
//! | `AC-QSIZE-INVALID` (E) | (upstream) qsize not above 10 |
//! | `AC-SFLAGS-INERT` / `AC-SFLAGS-UNKNOWN-NAME` (I) | `*-sflags-mask`: no effect on macOS 14+ |
//! | `CLASS-LINE-ENDS-TABLE` (E) / `CLASS-DUPLICATE-NAME` (W) | audit_class reading stopped / duplicate name |
//! | `EVENT-LINE-ENDS-TABLE` (E) / `EVENT-CLASS-INVALID` (W) | audit_event reading stopped / class list gives class 0 |
#![forbid(unsafe_code)]

mod cstr;
pub mod diag;
pub mod diff;
pub mod document;
pub mod edit;
pub mod events;
pub mod files;
pub mod flags;
pub mod reading;
pub mod tables;
pub mod values;

pub use diag::{Diagnostic, Severity};
pub use diff::{semantic_diff, Change, Risk};
pub use document::{Document, Entry, Line, LineEnding, LineKind};
pub use edit::{validate_value, EditError, EDITABLE_KEYS};
pub use events::{audited_events, events_in_class, AuditedEvent};
pub use flags::{format_mask, parse_flags, ClassMask, FlagItem, FlagsError, FlagsList, Selector};
pub use reading::{
    check, describe_expire, describe_mask, describe_policy, AuditControl, Dialect, DirEntry,
    EffectivePolicy, Setting, KNOWN_KEYS,
};
pub use tables::{Class, ClassTable, Event, EventTable};
pub use values::{ExpireAfter, ExpireOp, Minfree, Policy};
