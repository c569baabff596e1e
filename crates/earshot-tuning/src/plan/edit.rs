//! Line edits of audit_control that keep every other byte.
//!
//! The planner changes one key per step. A key's *first* line is the one libbsm reads,
//! so that is the line replaced; comments, blank lines, order, unknown keys, Apple's
//! session-flag lines and the file's line endings stay as they were. A missing key is
//! added after the last setting line (before any trailing comments), written the way
//! spec/audit_control.md §10 recommends: `key:value`, no blanks, no inline comment, LF.

use audit_control::{ClassTable, Document, LineEnding};

/// Sets `key` to `value` through audit-control's validated edit (which re-reads the
/// result and refuses an edit macOS would not read as intended); when it refuses —
/// typically a CRLF file, where a copied `\r\n` ending would corrupt the value — the
/// line is written with LF by [`set_lf`], which does read correctly.
pub fn set(bytes: &[u8], key: &str, value: &str, classes: &ClassTable) -> Vec<u8> {
    let mut doc = Document::parse(bytes);
    match doc.set(key, value, classes) {
        Ok(()) => doc.to_bytes(),
        Err(_) => set_lf(bytes, key, value),
    }
}

/// Replaces the first line macOS reads for `key` (or adds one), always with LF.
pub fn set_lf(bytes: &[u8], key: &str, value: &str) -> Vec<u8> {
    let doc = Document::parse(bytes);
    let mut lines: Vec<Vec<u8>> = doc.lines().iter().map(|l| l.raw().to_vec()).collect();
    // Always LF: with CRLF the `\r` becomes part of the value and libbsm rejects it,
    // so copying a CRLF style would write a broken line.
    let ending = LineEnding::Lf;
    let entries = doc.entries();
    let target = entries
        .iter()
        .find(|e| !e.is_continuation() && e.key_bytes() == Some(key.as_bytes()))
        .map(|e| e.line_index);
    let mut new_line = format!("{key}:{value}").into_bytes();
    match target {
        Some(i) => {
            let old_ending = doc.lines()[i].ending();
            new_line.extend_from_slice(match old_ending {
                LineEnding::None => b"",
                _ => ending.as_bytes(),
            });
            lines[i] = new_line;
        }
        None => {
            // After the last line libbsm reads a key from; at the end otherwise.
            let after = entries
                .iter()
                .filter(|e| e.key.is_some())
                .map(|e| e.line_index)
                .max();
            let at = after.map(|i| i + 1).unwrap_or(lines.len());
            if at > 0 {
                if let Some(prev) = lines.get_mut(at - 1) {
                    if !prev.ends_with(b"\n") {
                        prev.extend_from_slice(ending.as_bytes());
                    }
                }
            }
            new_line.extend_from_slice(ending.as_bytes());
            lines.insert(at, new_line);
        }
    }
    lines.concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_first_line_keeps_the_rest() {
        let src = b"#\n# $P4$\n#\ndir:/var/audit\nflags:lo,aa\nminfree:5\nflags:ignored\n";
        let out = set(src, "flags", "lo,aa,ad", &ClassTable::apple());
        assert_eq!(
            out,
            b"#\n# $P4$\n#\ndir:/var/audit\nflags:lo,aa,ad\nminfree:5\nflags:ignored\n".to_vec()
        );
    }

    #[test]
    fn adds_missing_key_after_last_setting() {
        let src = b"dir:/var/audit\nflags:lo\n# trailing comment\n";
        let out = set_lf(src, "expire-after", "7d");
        assert_eq!(
            out,
            b"dir:/var/audit\nflags:lo\nexpire-after:7d\n# trailing comment\n".to_vec()
        );
        assert_eq!(set_lf(b"", "flags", "lo,aa"), b"flags:lo,aa\n".to_vec());
        assert_eq!(
            set_lf(b"dir:/var/audit", "flags", "lo"),
            b"dir:/var/audit\nflags:lo\n".to_vec()
        );
    }

    #[test]
    fn writes_lf_even_in_a_crlf_file() {
        let out = set(
            b"dir:/var/audit\r\nflags:lo\r\n",
            "flags",
            "lo,aa",
            &ClassTable::apple(),
        );
        assert_eq!(out, b"dir:/var/audit\r\nflags:lo,aa\n".to_vec());
    }
}

/// A flags or naflags value without the items that name `class` (`ad`, `+ad`,
/// `-ad`, `^ad`, `^+ad`, `^-ad`), the rest in order. Used by the review's
/// "drop the class" tweak; the value stays as written otherwise.
pub fn remove_class(value: &str, class: &str) -> String {
    value
        .split(',')
        .filter(|item| {
            let name = item
                .trim()
                .trim_start_matches('^')
                .trim_start_matches(['+', '-']);
            name != class
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod remove_tests {
    use super::remove_class;

    #[test]
    fn every_spelling_of_the_class_goes_and_the_rest_stays() {
        assert_eq!(remove_class("lo,aa,ad", "ad"), "lo,aa");
        assert_eq!(remove_class("lo,+ad,-fr,^-ad", "ad"), "lo,-fr");
        assert_eq!(remove_class("lo,aa", "ad"), "lo,aa");
        assert_eq!(remove_class("lo,na", "na"), "lo");
    }
}
