//! Lossless model of an `audit_control` file.
//!
//! The file is kept as its physical lines, byte for byte (any bytes: CRLF, invalid
//! UTF-8, NULs, no final newline), so [`Document::to_bytes`] always reproduces the
//! input exactly and edits touch only the lines they replace. How libbsm *reads*
//! the file is a separate view ([`Document::entries`]): `fgets(256)` chunks, so a
//! physical line longer than 255 bytes is read as several pieces, comment only when
//! the chunk's first byte is `#`, trailing `\n`/space/tab trimmed, key =
//! first `strtok_r(":")` token.

use crate::cstr;

/// How a physical line ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LineEnding {
    /// `\n`
    Lf,
    /// `\r\n` — libbsm never strips the `\r`, so it becomes part of the value.
    CrLf,
    /// Last line of a file without a final newline.
    None,
}

impl LineEnding {
    pub fn as_bytes(self) -> &'static [u8] {
        match self {
            LineEnding::Lf => b"\n",
            LineEnding::CrLf => b"\r\n",
            LineEnding::None => b"",
        }
    }
}

/// One physical line, raw bytes including its terminator.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Line {
    raw: Vec<u8>,
}

impl Line {
    /// The line exactly as in the file, terminator included.
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// The line without `\n` / `\r\n`.
    pub fn content(&self) -> &[u8] {
        let len = self.raw.len() - self.ending().as_bytes().len();
        &self.raw[..len]
    }

    pub fn ending(&self) -> LineEnding {
        if self.raw.ends_with(b"\r\n") {
            LineEnding::CrLf
        } else if self.raw.ends_with(b"\n") {
            LineEnding::Lf
        } else {
            LineEnding::None
        }
    }
}

/// The file as physical lines.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Document {
    lines: Vec<Line>,
}

/// One record as libbsm's `getstrfromtype_locked` sees it: an `fgets(256)` chunk
/// that is not a comment, with trailing newline/space/tab removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry<'a> {
    /// 0-based index of the physical line the chunk belongs to.
    pub line_index: usize,
    /// 0-based byte offset of the chunk inside its physical line (non-zero only for
    /// the pieces of an over-long line after the first).
    pub offset: usize,
    /// The chunk as C sees it (cut at a NUL), trimmed of trailing `\n`, ` `, `\t`.
    pub text: &'a [u8],
    /// Byte range of the key token in `text` (`None` for a blank/only-colons chunk).
    pub key: Option<(usize, usize)>,
    /// Index in `text` just past the `:` that ended the key (`None` when the key ran
    /// to the end of the text — "no colon").
    pub rest: Option<usize>,
}

impl<'a> Entry<'a> {
    /// 1-based line number.
    pub fn line(&self) -> u32 {
        u32::try_from(self.line_index + 1).unwrap_or(u32::MAX)
    }

    /// 1-based column of byte `i` of `text`.
    pub fn column_of(&self, i: usize) -> u32 {
        u32::try_from(self.offset + i + 1).unwrap_or(u32::MAX)
    }

    pub fn key_bytes(&self) -> Option<&'a [u8]> {
        self.key.map(|(s, e)| &self.text[s..e])
    }

    /// Whether this chunk is the continuation of an over-long physical line.
    pub fn is_continuation(&self) -> bool {
        self.offset > 0
    }
}

/// A physical line of a document, classified for display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// First byte `#`.
    Comment,
    /// Empty or only blanks (ignored by libbsm).
    Blank,
    /// Anything else: libbsm reads a key from it.
    Setting,
}

impl Document {
    /// Splits any bytes into physical lines. Never fails.
    pub fn parse(bytes: &[u8]) -> Document {
        let lines = bytes
            .split_inclusive(|&b| b == b'\n')
            .map(|l| Line { raw: l.to_vec() })
            .collect();
        Document { lines }
    }

    /// The file, byte-identical to what was parsed (plus any edits).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.lines.iter().map(|l| l.raw.len()).sum());
        for l in &self.lines {
            out.extend_from_slice(&l.raw);
        }
        out
    }

    pub fn lines(&self) -> &[Line] {
        &self.lines
    }

    /// The line ending new lines should use: CRLF only when the file already uses
    /// it on most lines (we keep the user's style; CRLF is itself a finding).
    pub fn line_ending_style(&self) -> LineEnding {
        let crlf = self
            .lines
            .iter()
            .filter(|l| l.ending() == LineEnding::CrLf)
            .count();
        let lf = self
            .lines
            .iter()
            .filter(|l| l.ending() == LineEnding::Lf)
            .count();
        if crlf > lf {
            LineEnding::CrLf
        } else {
            LineEnding::Lf
        }
    }

    /// How a physical line reads at a glance (by its first `fgets` piece).
    pub fn line_kind(&self, index: usize) -> Option<LineKind> {
        let l = self.lines.get(index)?;
        let c = l.content();
        Some(if c.first() == Some(&b'#') {
            LineKind::Comment
        } else if c.iter().all(|&b| b == b' ' || b == b'\t') {
            LineKind::Blank
        } else {
            LineKind::Setting
        })
    }

    /// Every non-comment `fgets` record, in file order, as libbsm reads them.
    pub fn entries(&self) -> Vec<Entry<'_>> {
        let mut out = Vec::new();
        for (line_index, line) in self.lines.iter().enumerate() {
            for chunk in cstr::fgets_chunks(&line.raw) {
                let raw = &line.raw[chunk.start..chunk.end];
                if raw.first() == Some(&b'#') {
                    continue;
                }
                let mut text = cstr::c_string(raw);
                while let Some((&last, rest)) = text.split_last() {
                    if matches!(last, b'\n' | b' ' | b'\t') {
                        text = rest;
                    } else {
                        break;
                    }
                }
                let tok = cstr::strtok(text, 0, b":");
                out.push(Entry {
                    line_index,
                    offset: chunk.start,
                    text,
                    key: tok.map(|t| (t.start, t.end)),
                    rest: tok.and_then(|t| t.rest),
                });
            }
        }
        out
    }

    /// Replaces physical line `index` (its terminator included) with `raw`.
    pub(crate) fn replace_line(&mut self, index: usize, raw: Vec<u8>) {
        if let Some(l) = self.lines.get_mut(index) {
            l.raw = raw;
        }
    }

    /// Inserts a physical line before `index` (`index == len` appends).
    pub(crate) fn insert_line(&mut self, index: usize, raw: Vec<u8>) {
        let index = index.min(self.lines.len());
        self.lines.insert(index, Line { raw });
    }

    pub(crate) fn remove_line(&mut self, index: usize) {
        if index < self.lines.len() {
            self.lines.remove(index);
        }
    }

    /// Makes sure the last line ends with a newline before something is appended
    /// after it (otherwise the new line would be glued onto it).
    pub(crate) fn terminate_last_line(&mut self, ending: LineEnding) {
        if let Some(last) = self.lines.last_mut() {
            if last.ending() == LineEnding::None {
                last.raw.extend_from_slice(ending.as_bytes());
            }
        }
    }
}
