//! The damage-tolerant record reader.
//!
//! `praudit` stops silently at the first damaged byte. [`Reader`] instead
//! yields every record it can trust and a [`Damage`] item for every byte range
//! it could not, then carries on:
//!
//! * a record cut short at the end of the buffer → [`DamageKind::TruncatedTail`];
//! * a token id it does not know, or a token whose fields overrun the record
//!   → the record is still yielded (its [`Record::tokens`] keep the rest of
//!   the record raw) followed by [`DamageKind::UnknownToken`] /
//!   [`DamageKind::MalformedToken`];
//! * junk or a bad record length → [`DamageKind::Skipped`] for the bytes up to
//!   the next header whose byte count and trailer agree;
//! * a header claiming more than [`crate::frame::MAX_RECORD_LEN`] bytes →
//!   [`DamageKind::Oversized`] for the same range.

use std::fmt;

use crate::frame::{frame_at, resync, Ending, Frame, Resync, MAX_RECORD_LEN};
use crate::token::{self, Header, Token, Tokens};
use crate::wire::be32;

/// What kind of damage a [`Damage`] item reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DamageKind {
    /// The buffer ends inside a record (or file token) that claims
    /// `expected` bytes in total.
    TruncatedTail { expected: Option<u64> },
    /// A token id Earshot does not know; the rest of the record is kept raw.
    UnknownToken { id: u8 },
    /// A known token whose fields overrun the record or hold an impossible
    /// value; the rest of the record is kept raw.
    MalformedToken { id: u8 },
    /// Bytes that are not part of any trustworthy record; reading resumed at
    /// the next header whose byte count and trailer agree.
    Skipped,
    /// A record header claiming `claimed` bytes, more than
    /// [`crate::frame::MAX_RECORD_LEN`]: skipped like junk up to the next
    /// trusted item.
    Oversized { claimed: u64 },
}

/// A damaged byte range: `len` bytes from `offset` (relative to the start of
/// the buffer given to the reader, plus any base offset).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Damage {
    pub offset: u64,
    pub len: u64,
    #[serde(flatten)]
    pub kind: DamageKind,
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

impl std::error::Error for Damage {}

impl fmt::Display for Damage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (o, n) = (self.offset, self.len);
        match self.kind {
            DamageKind::TruncatedTail { expected: Some(e) } => write!(
                f,
                "the file ends early: the record at byte {o} needs {e} bytes but only {n} byte{} remain",
                plural(n)
            ),
            DamageKind::TruncatedTail { expected: None } => write!(
                f,
                "the file ends early: {n} byte{} at byte {o} are the start of an incomplete record",
                plural(n)
            ),
            DamageKind::UnknownToken { id } => write!(
                f,
                "unknown token 0x{id:02x} at byte {o}: the remaining {n} byte{} of that record are kept undecoded",
                plural(n)
            ),
            DamageKind::MalformedToken { id } => write!(
                f,
                "malformed token 0x{id:02x} at byte {o}: it does not fit its record, so the remaining {n} byte{} of that record are kept undecoded",
                plural(n)
            ),
            DamageKind::Skipped => write!(
                f,
                "skipped {n} damaged byte{} at bytes {o}..{}: no valid record starts there; reading resumed at the next record whose length and trailer agree",
                plural(n),
                o + n
            ),
            DamageKind::Oversized { claimed } => write!(
                f,
                "skipped {n} byte{} at bytes {o}..{}: the record header there claims {claimed} bytes, more than the {MAX_RECORD_LEN} bytes Earshot reads as one record (a Mac's kernel writes at most 32767); reading resumed at the next record whose length and trailer agree",
                plural(n),
                o + n
            ),
        }
    }
}

/// One complete, trusted record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record<'a> {
    pub offset: u64,
    /// The whole record, header to trailer.
    pub bytes: &'a [u8],
    pub header: Header,
}

impl<'a> Record<'a> {
    /// Decoded tokens, header first and trailer last.
    pub fn tokens(&self) -> Tokens<'a> {
        Tokens::new(self.bytes)
    }

    /// The first unknown or malformed token in the record, as a [`Damage`].
    pub fn damage(&self) -> Option<Damage> {
        let mut pos = 0usize;
        while pos < self.bytes.len() {
            let rest = &self.bytes[pos..];
            match token::decode(rest) {
                Ok((_, n)) => pos += n,
                Err(e) => {
                    let end = self.bytes.len() - crate::wire::TRAILER_LEN;
                    let len = end.saturating_sub(pos).max(1) as u64;
                    let id = rest[0];
                    let kind = match e {
                        token::DecodeError::UnknownId(_) => DamageKind::UnknownToken { id },
                        _ => DamageKind::MalformedToken { id },
                    };
                    return Some(Damage {
                        offset: self.offset + pos as u64,
                        len,
                        kind,
                    });
                }
            }
        }
        None
    }
}

/// A file token standing between records (start and end of every trail).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileToken<'a> {
    pub offset: u64,
    pub bytes: &'a [u8],
    pub sec: u32,
    pub msec: u32,
    /// Name field as stored, with its NUL.
    pub name: &'a [u8],
}

impl<'a> FileToken<'a> {
    /// The file token in `bytes`, which the framing has trusted.
    pub(crate) fn framed(bytes: &'a [u8], offset: u64) -> FileToken<'a> {
        FileToken {
            offset,
            bytes,
            sec: be32(bytes, 1).unwrap_or(0),
            msec: be32(bytes, 5).unwrap_or(0),
            name: bytes.get(11..).unwrap_or(&[]),
        }
    }

    /// The name up to its NUL, lossily decoded.
    pub fn name_lossy(&self) -> String {
        String::from_utf8_lossy(token::cstr(self.name)).into_owned()
    }

    pub fn as_token(&self) -> Token<'_> {
        Token::File(token::File {
            sec: self.sec,
            msec: self.msec,
            name: self.name,
        })
    }
}

/// One item of a trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item<'a> {
    Record(Record<'a>),
    FileToken(FileToken<'a>),
    Damage(Damage),
}

/// Iterator over the items of a trail held in memory (or mapped).
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    base: u64,
    pos: usize,
    pending: Option<Damage>,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Reader::with_base(buf, 0)
    }

    /// A reader whose reported offsets start at `base` (for a buffer that
    /// begins part-way into a file).
    pub fn with_base(buf: &'a [u8], base: u64) -> Self {
        Reader {
            buf,
            base,
            pos: 0,
            pending: None,
        }
    }

    /// Offset (including the base) of the next byte to be read.
    pub fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }
}

impl<'a> Iterator for Reader<'a> {
    type Item = Item<'a>;

    fn next(&mut self) -> Option<Item<'a>> {
        if let Some(d) = self.pending.take() {
            return Some(Item::Damage(d));
        }
        if self.pos >= self.buf.len() {
            return None;
        }
        let at = self.pos;
        let offset = self.base + at as u64;
        match frame_at(self.buf, at) {
            Frame::Record { len, header } => {
                self.pos = at + len;
                let rec = Record {
                    offset,
                    bytes: &self.buf[at..at + len],
                    header,
                };
                self.pending = rec.damage();
                Some(Item::Record(rec))
            }
            Frame::File { len } => {
                self.pos = at + len;
                Some(Item::FileToken(FileToken::framed(
                    &self.buf[at..at + len],
                    offset,
                )))
            }
            frame => {
                let skip_to = |r: Resync| match r {
                    Resync::Item(q) | Resync::Partial(q) => q,
                    Resync::Nothing => self.buf.len(),
                };
                let after = resync(self.buf, at + 1, Ending::Final);
                let (end, kind) = match frame {
                    // A trusted item further on means the cut-off header was
                    // junk; otherwise the input ends inside it.
                    Frame::Partial { expected } => match after {
                        Resync::Item(q) => (q, DamageKind::Skipped),
                        _ => (self.buf.len(), DamageKind::TruncatedTail { expected }),
                    },
                    Frame::Oversized { claimed } => {
                        (skip_to(after), DamageKind::Oversized { claimed })
                    }
                    _ => (skip_to(after), DamageKind::Skipped),
                };
                self.pos = end;
                Some(Item::Damage(Damage {
                    offset,
                    len: (end - at) as u64,
                    kind,
                }))
            }
        }
    }
}
