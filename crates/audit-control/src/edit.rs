//! Comment-preserving edits of an `audit_control` document.
//!
//! An edit validates the new value with the same parsers the reading uses,
//! replaces only the line macOS reads for the key (or inserts one line next to
//! related keys), keeps every other byte, and then re-reads the result to prove
//! macOS will read exactly the intended value — so a CRLF file, for example, can
//! never silently receive a `flags` line that macOS would throw away.

use crate::cstr;
use crate::document::{Document, LineEnding};
use crate::flags::parse_flags;
use crate::reading::{AuditControl, Setting};
use crate::tables::ClassTable;
use crate::values::{parse_expire_after, parse_policy, parse_size, MIN_AUDIT_FILE_SIZE};

/// Keys Earshot edits. `dir` and the sflags keys are left to the user: the first
/// is a move of the whole trail store, the others are inert on macOS 14+.
pub const EDITABLE_KEYS: &[&str] = &[
    "flags",
    "naflags",
    "policy",
    "minfree",
    "filesz",
    "expire-after",
];

/// The order of the default file, used to place a key that is missing.
const FILE_ORDER: &[&str] = &[
    "dir",
    "flags",
    "minfree",
    "naflags",
    "policy",
    "filesz",
    "expire-after",
];

/// Why an edit was refused. The document is unchanged when an error is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("`{0}` cannot be edited (editable keys: flags, naflags, policy, minfree, filesz, expire-after)")]
    UnsupportedKey(String),
    #[error("invalid {key} value `{value}`: {reason}")]
    InvalidValue {
        key: String,
        value: String,
        reason: String,
    },
    #[error("line {line} sets `{key}` only as the tail of an over-long line; fix that line by hand first")]
    OverLongLine { key: String, line: u32 },
    #[error("after the edit macOS would not read `{key}` as `{value}` ({reason}); the file is left unchanged")]
    WouldNotRead {
        key: String,
        value: String,
        reason: String,
    },
}

fn invalid(key: &str, value: &str, reason: impl Into<String>) -> EditError {
    EditError::InvalidValue {
        key: key.to_string(),
        value: value.to_string(),
        reason: reason.into(),
    }
}

/// Checks a value for `key` and returns the text to write. Rejects anything the
/// reading would flag as an error, plus risky forms the writer should never
/// produce (colons, `#`, control characters, blanks inside lists).
pub fn validate_value(key: &str, value: &str, classes: &ClassTable) -> Result<String, EditError> {
    if !EDITABLE_KEYS.contains(&key) {
        return Err(EditError::UnsupportedKey(key.to_string()));
    }
    let v = value.trim();
    if v.is_empty() {
        return Err(invalid(
            key,
            value,
            "the value is empty (use `remove` to delete the key)",
        ));
    }
    if let Some(c) = v.chars().find(|c| c.is_control()) {
        return Err(invalid(
            key,
            value,
            format!("it contains the control character {:?}", c),
        ));
    }
    if v.contains(':') {
        return Err(invalid(key, value, "macOS stops reading a value at `:`"));
    }
    if v.contains('#') {
        return Err(invalid(
            key,
            value,
            "there are no inline comments; `#` would become part of the value",
        ));
    }
    if v.len() > 200 {
        return Err(invalid(
            key,
            value,
            "it is too long for one audit_control line",
        ));
    }
    match key {
        "flags" | "naflags" => {
            if v.contains([' ', '\t']) {
                return Err(invalid(
                    key,
                    value,
                    "blanks are not allowed in a flags list (write `lo,aa`)",
                ));
            }
            parse_flags(v.as_bytes(), classes).map_err(|e| invalid(key, value, e.to_string()))?;
            if key == "naflags" && v.len() > crate::values::NAFLAGS_MAX_LEN {
                return Err(invalid(key, value, "auditd accepts at most 127 bytes"));
            }
        }
        "policy" => {
            let p = parse_policy(v.as_bytes()).map_err(|e| invalid(key, value, e.to_string()))?;
            if !p.rejected_words.is_empty() {
                return Err(invalid(
                    key,
                    value,
                    format!(
                        "the macOS kernel rejects {} and would keep its previous policy (use only cnt, ahlt, argv, arge)",
                        p.rejected_words.join(", ")
                    ),
                ));
            }
        }
        "minfree" => {
            if !v.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid(
                    key,
                    value,
                    "write a whole percentage from 0 to 100, digits only",
                ));
            }
            match v.parse::<u32>() {
                Ok(n) if n <= 100 => {}
                _ => return Err(invalid(key, value, "the kernel accepts only 0–100")),
            }
        }
        "filesz" => {
            let s = parse_size(v.as_bytes()).map_err(|e| invalid(key, value, e.to_string()))?;
            if s.wrapped || v.starts_with(['-', '+']) {
                return Err(invalid(
                    key,
                    value,
                    "write a plain positive size such as 2M",
                ));
            }
            if s.end != v.len() {
                return Err(invalid(
                    key,
                    value,
                    format!(
                        "`{}` after the unit would be ignored",
                        &v[s.end.min(v.len())..]
                    ),
                ));
            }
            if s.bytes != 0 && s.bytes < MIN_AUDIT_FILE_SIZE {
                return Err(invalid(
                    key,
                    value,
                    "use 0 (no size rotation) or at least 512K",
                ));
            }
        }
        "expire-after" => {
            let p =
                parse_expire_after(v.as_bytes()).map_err(|e| invalid(key, value, e.to_string()))?;
            if let Some((s, _)) = p.ignored_tail {
                return Err(invalid(
                    key,
                    value,
                    format!(
                        "`{}` would be silently ignored",
                        cstr::show(&v.as_bytes()[s..])
                    ),
                ));
            }
            if p.same_dimension {
                return Err(invalid(
                    key,
                    value,
                    "both conditions have the same dimension; the second would replace the first",
                ));
            }
            if p.wrapped {
                return Err(invalid(key, value, "a number is negative or too large"));
            }
        }
        _ => return Err(EditError::UnsupportedKey(key.to_string())),
    }
    Ok(v.to_string())
}

/// Whether two readings agree on `key`, and why not when they do not. Compared as
/// typed values, so a harmless trailing `\r` on `expire-after` still matches.
fn same_reading(got: &AuditControl, want: &AuditControl, key: &str) -> Result<(), String> {
    fn cmp<T: PartialEq>(got: &Setting<T>, want: Option<&T>) -> Result<(), String> {
        match (got, want) {
            (Setting::Valid { value, .. }, Some(w)) if value == w => Ok(()),
            (Setting::Valid { text, .. }, _) => {
                Err(format!("it would read `{}`", cstr::show(text.as_bytes())))
            }
            (Setting::Invalid { reason, .. }, _) => Err(reason.clone()),
            (Setting::NoValue { .. }, _) => Err("no value".into()),
            (Setting::Missing, _) => Err("the key is missing".into()),
        }
    }
    match key {
        "flags" => cmp(got.flags_setting(), want.flags_setting().value()),
        "naflags" => cmp(got.naflags_setting(), want.naflags_setting().value()),
        "policy" => cmp(got.policy_setting(), want.policy_setting().value()),
        "minfree" => cmp(got.minfree_setting(), want.minfree_setting().value()),
        "filesz" => cmp(got.filesz_setting(), want.filesz_setting().value()),
        "expire-after" => cmp(
            got.expire_after_setting(),
            want.expire_after_setting().value(),
        ),
        _ => Err("not editable".into()),
    }
}

impl Document {
    /// 0-based indexes of the physical lines whose first piece macOS reads as `key`.
    fn key_lines(&self, key: &str) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .entries()
            .iter()
            .filter(|e| e.offset == 0 && e.key_bytes() == Some(key.as_bytes()))
            .map(|e| e.line_index)
            .collect();
        out.dedup();
        out
    }

    /// Sets `key` to `value` (validated against `classes`), replacing the line
    /// macOS reads for it or inserting one near related keys. The line keeps its
    /// own line ending; a new line uses the file's style.
    pub fn set(&mut self, key: &str, value: &str, classes: &ClassTable) -> Result<(), EditError> {
        let value = validate_value(key, value, classes)?;
        let mut next = self.clone();
        let style = self.line_ending_style();
        let first = self
            .entries()
            .iter()
            .find(|e| e.key_bytes() == Some(key.as_bytes()))
            .map(|e| (e.line_index, e.offset));
        match first {
            Some((_, offset)) if offset > 0 => {
                return Err(EditError::OverLongLine {
                    key: key.to_string(),
                    line: u32::try_from(first.map_or(0, |f| f.0) + 1).unwrap_or(u32::MAX),
                })
            }
            Some((index, _)) => {
                let ending = self.lines()[index].ending();
                let mut raw = format!("{key}:{value}").into_bytes();
                raw.extend_from_slice(ending.as_bytes());
                next.replace_line(index, raw);
            }
            None => {
                let at = next.insertion_point(key);
                let mut raw = format!("{key}:{value}").into_bytes();
                if at >= next.lines().len() {
                    next.terminate_last_line(style);
                }
                raw.extend_from_slice(style.as_bytes());
                next.insert_line(at, raw);
            }
        }
        let got = AuditControl::read(&next, classes);
        let want = AuditControl::read(
            &Document::parse(format!("{key}:{value}\n").as_bytes()),
            classes,
        );
        match same_reading(&got, &want, key) {
            Ok(()) => {
                *self = next;
                Ok(())
            }
            Err(reason) => {
                let reason = if next.line_ending_style() == LineEnding::CrLf {
                    format!("{reason}; the file uses CRLF line endings and macOS keeps the carriage return in the value — convert the file to LF first")
                } else {
                    reason
                };
                Err(EditError::WouldNotRead {
                    key: key.to_string(),
                    value,
                    reason,
                })
            }
        }
    }

    /// Removes every line macOS reads as `key` (all of them, so an ignored
    /// duplicate does not silently take over). Returns how many lines went.
    pub fn remove(&mut self, key: &str) -> Result<usize, EditError> {
        if !EDITABLE_KEYS.contains(&key) {
            return Err(EditError::UnsupportedKey(key.to_string()));
        }
        let lines = self.key_lines(key);
        if let Some(e) = self
            .entries()
            .iter()
            .find(|e| e.offset > 0 && e.key_bytes() == Some(key.as_bytes()))
        {
            return Err(EditError::OverLongLine {
                key: key.to_string(),
                line: e.line(),
            });
        }
        for &i in lines.iter().rev() {
            self.remove_line(i);
        }
        Ok(lines.len())
    }

    /// Where a missing `key` goes: after the nearest preceding key of the default
    /// file order that is present (after the last `dir` line for `dir`), else
    /// before the nearest following one, else at the end of the file.
    fn insertion_point(&self, key: &str) -> usize {
        let pos = FILE_ORDER
            .iter()
            .position(|k| *k == key)
            .unwrap_or(FILE_ORDER.len());
        for k in FILE_ORDER[..pos].iter().rev() {
            if let Some(&last) = self.key_lines(k).last() {
                return last + 1;
            }
        }
        for k in FILE_ORDER.iter().skip(pos + 1) {
            if let Some(&first) = self.key_lines(k).first() {
                return first;
            }
        }
        self.lines().len()
    }
}
