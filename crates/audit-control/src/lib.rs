//! `audit_control`: the `/etc/security/audit_control` file exactly as macOS reads it.
//!
//! Lossless document model, typed macOS reading, diagnostics, comment-preserving edits,
//! semantic diff, and the `audit_class` / `audit_event` tables.
