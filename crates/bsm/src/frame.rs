//! Record framing shared by the reader and the statistics scan: where does
//! the next item start and end, and is it trustworthy?
//!
//! A record is trusted only when its header decodes, its byte count covers at
//! least a header and a trailer, and the trailer at `start + byte_count - 7`
//! carries the magic `0xb105` and the *same* byte count. That triple check is
//! what makes resynchronisation after damage safe: a random `0x14` byte in
//! junk almost never has a matching trailer exactly where its count says.

use crate::token::{decode_header, DecodeError, Header};
use crate::wire::{be16, be32, id, TRAILER_LEN, TRAILER_MAGIC};

/// Smallest possible record: header32 (18 bytes) + trailer.
pub(crate) const MIN_RECORD: usize = 18 + TRAILER_LEN;
/// Fixed part of the file token: id, sec, msec, name length.
const FILE_FIXED: usize = 11;

#[derive(Debug, Clone, Copy)]
pub(crate) enum Frame {
    /// A trusted record of `len` bytes.
    Record { len: usize, header: Header },
    /// A plausible file token of `len` bytes.
    File { len: usize },
    /// Looks like the start of a record or file token that the buffer ends
    /// in the middle of; `expected` is the full length when known.
    Partial { expected: Option<u64> },
    /// Not the start of anything trustworthy.
    Junk,
}

#[inline]
fn is_header_id(b: u8) -> bool {
    matches!(
        b,
        id::HEADER32 | id::HEADER32_EX | id::HEADER64 | id::HEADER64_EX
    )
}

#[inline]
pub(crate) fn frame_at(buf: &[u8], pos: usize) -> Frame {
    let rest = match buf.get(pos..) {
        Some(r) if !r.is_empty() => r,
        _ => return Frame::Junk,
    };
    let tid = rest[0];
    if is_header_id(tid) {
        let Some(bc) = be32(rest, 1) else {
            return Frame::Partial { expected: None };
        };
        let len = bc as usize;
        if len < MIN_RECORD {
            return Frame::Junk;
        }
        if len > rest.len() {
            // Only the header is decodable here; a header that cannot even
            // be decoded from the bytes we have may still be a partial one.
            return match decode_header(rest) {
                Ok(h) if h.encoded_len() + TRAILER_LEN <= len => Frame::Partial {
                    expected: Some(u64::from(bc)),
                },
                Err(DecodeError::Short) => Frame::Partial {
                    expected: Some(u64::from(bc)),
                },
                _ => Frame::Junk,
            };
        }
        let rec = &rest[..len];
        let t = len - TRAILER_LEN;
        if rec[t] != id::TRAILER
            || be16(rec, t + 1) != Some(TRAILER_MAGIC)
            || be32(rec, t + 3) != Some(bc)
        {
            return Frame::Junk;
        }
        match decode_header(rec) {
            Ok(header) if header.encoded_len() + TRAILER_LEN <= len => {
                Frame::Record { len, header }
            }
            _ => Frame::Junk,
        }
    } else if tid == id::OTHER_FILE32 {
        let Some(n) = be16(rest, 9) else {
            return Frame::Partial { expected: None };
        };
        let len = FILE_FIXED + usize::from(n);
        if n == 0 {
            return Frame::Junk;
        }
        if len > rest.len() {
            return Frame::Partial {
                expected: Some(len as u64),
            };
        }
        // libbsm's au_to_file always writes strlen + 1 bytes ending in NUL;
        // demanding the NUL keeps stray 0x11 bytes from passing as tokens.
        if rest[len - 1] != 0 {
            return Frame::Junk;
        }
        Frame::File { len }
    } else {
        Frame::Junk
    }
}

/// Where reading can resume after an untrustworthy byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Resync {
    /// A trusted record or file token starts here.
    Item(usize),
    /// No trusted item follows, but a record or file token that the buffer
    /// ends in the middle of starts here (the growing end of a live trail,
    /// or the cut of a chunked read).
    Partial(usize),
    /// Nothing usable up to the end of the buffer.
    Nothing,
}

/// Search from `from` for the next trusted record or file token; failing
/// that, for the first plausible partial one.
///
/// `records_only` is set when resynchronising *inside* a plausible partial
/// record: a file token's check (a NUL-terminated name) is too weak to
/// overrule that record's header — a record may legitimately embed a file
/// token — so only a record whose length and trailer agree does.
pub(crate) fn resync(buf: &[u8], from: usize, records_only: bool) -> Resync {
    let mut p = from;
    let mut partial = None;
    while p < buf.len() {
        let rest = &buf[p..];
        // Jump between candidate id bytes instead of testing every offset.
        let Some(step) = memchr::memchr3(id::HEADER32, id::OTHER_FILE32, id::HEADER64, rest)
            .into_iter()
            .chain(memchr::memchr2(id::HEADER32_EX, id::HEADER64_EX, rest))
            .min()
        else {
            break;
        };
        p += step;
        match frame_at(buf, p) {
            Frame::Record { .. } => return Resync::Item(p),
            Frame::File { .. } if !records_only => return Resync::Item(p),
            Frame::Partial { .. } if partial.is_none() => partial = Some(p),
            _ => {}
        }
        p += 1;
    }
    partial.map_or(Resync::Nothing, Resync::Partial)
}
