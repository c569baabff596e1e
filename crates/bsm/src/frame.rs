//! Record framing shared by the reader and the statistics scan: where does
//! the next item start and end, and is it trustworthy?
//!
//! A record is trusted only when its header decodes, its byte count covers at
//! least a header and a trailer (and at most [`MAX_RECORD_LEN`]), and the
//! trailer at `start + byte_count - 7` carries the magic `0xb105` and the
//! *same* byte count (and its milliseconds are below 1000, as every writer
//! of BSM sets them). That triple check is what makes resynchronisation after
//! damage safe: a random `0x14` byte in junk almost never has a matching
//! trailer exactly where its count says. A file token is trusted only when its
//! milliseconds are below 1000 and its name is printable UTF-8 ending in its
//! one NUL, as libbsm's `au_to_file` writes it.
//!
//! Resynchronisation is linear in the input whatever it holds: candidates are
//! found with `memchr` (each byte looked at a bounded number of times), and
//! every candidate is decided in constant time from its own bytes and the four
//! at its claimed end.

use crate::token::{decode_header, DecodeError, Header};
use crate::wire::{be16, be32, id, TRAILER_LEN, TRAILER_MAGIC};

/// Smallest possible record: header32 (18 bytes) + trailer.
pub(crate) const MIN_RECORD: usize = 18 + TRAILER_LEN;
/// Fixed part of the file token: id, sec, msec, name length.
const FILE_FIXED: usize = 11;
/// The longest file-token name trusted, NUL included: macOS's `PATH_MAX`.
const MAX_FILE_NAME: u16 = 1024;

/// The longest record any reader of this crate accepts: 4 MiB.
///
/// A Mac's kernel writes records of at most `MAXAUDITDATA` (32767 bytes, xnu
/// `bsd/bsm/audit.h`), and `audit(2)` refuses longer ones from user space, so
/// a real trail never comes near this; it is 128 times that, for trails
/// written by other tools. A header claiming more is reported as
/// [`crate::read::DamageKind::Oversized`] and skipped: accepting any `u32`
/// length would let one damaged header make a streaming reader hold 4 GiB.
/// (praudit has no limit: it allocates whatever the header claims.)
pub const MAX_RECORD_LEN: usize = 4 << 20;

/// Whether more bytes may follow the buffer being framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// The buffer is the whole input: an item it ends inside is cut short.
    Final,
    /// More may follow (a chunk of a longer read): an item the buffer ends
    /// inside is undecided, and framing stops in front of it.
    More,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Frame {
    /// A trusted record of `len` bytes.
    Record { len: usize, header: Header },
    /// A plausible file token of `len` bytes.
    File { len: usize },
    /// Looks like the start of a record or file token that the buffer ends
    /// in the middle of; `expected` is the full length when known.
    Partial { expected: Option<u64> },
    /// A record header claiming more than [`MAX_RECORD_LEN`] bytes.
    Oversized { claimed: u64 },
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
    #[cfg(test)]
    work::add(1);
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
        if len > MAX_RECORD_LEN {
            return Frame::Oversized {
                claimed: u64::from(bc),
            };
        }
        // The header first: it lies next to `pos`, the trailer may be far.
        let header = match decode_header(&rest[..len.min(rest.len())]) {
            // libbsm and xnu write `tv_usec / 1000` (or `tv_nsec / 1000000`):
            // checking it costs nothing and spares most junk the look at a
            // trailer that may lie megabytes away.
            Ok(h) if h.msec_field >= 1000 => return Frame::Junk,
            Ok(h) if h.encoded_len() + TRAILER_LEN <= len => h,
            Err(DecodeError::Short) if len > rest.len() => {
                return Frame::Partial {
                    expected: Some(u64::from(bc)),
                }
            }
            _ => return Frame::Junk,
        };
        if len > rest.len() {
            return Frame::Partial {
                expected: Some(u64::from(bc)),
            };
        }
        let t = len - TRAILER_LEN;
        if rest[t] != id::TRAILER
            || be16(rest, t + 1) != Some(TRAILER_MAGIC)
            || be32(rest, t + 3) != Some(bc)
        {
            return Frame::Junk;
        }
        Frame::Record { len, header }
    } else if tid == id::OTHER_FILE32 {
        // libbsm writes `tv_usec / 1000`: a random 0x11 almost never passes.
        match be32(rest, 5) {
            None => return Frame::Partial { expected: None },
            Some(msec) if msec >= 1000 => return Frame::Junk,
            Some(_) => {}
        }
        let Some(n) = be16(rest, 9) else {
            return Frame::Partial { expected: None };
        };
        // At least one character and the NUL, and no longer than a path
        // (auditd names the trail file; PATH_MAX is 1024 on macOS). The cap
        // also bounds what checking one candidate's name can cost.
        if !(2..=MAX_FILE_NAME).contains(&n) {
            return Frame::Junk;
        }
        let len = FILE_FIXED + usize::from(n);
        let Some(name) = rest.get(FILE_FIXED..len) else {
            return Frame::Partial {
                expected: Some(len as u64),
            };
        };
        if file_name_ok(name) {
            Frame::File { len }
        } else {
            Frame::Junk
        }
    } else {
        Frame::Junk
    }
}

/// `au_to_file` writes `strlen(name) + 1` bytes: the name (a trail's path)
/// and its NUL. Demanding printable UTF-8 before that one NUL keeps stray
/// bytes from passing as a file token, and a line of output from breaking.
fn file_name_ok(name: &[u8]) -> bool {
    let Some((&0, text)) = name.split_last() else {
        return false;
    };
    !text.iter().any(|&b| b < 0x20 || b == 0x7f) && std::str::from_utf8(text).is_ok()
}

/// Where reading can resume after an untrustworthy byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Resync {
    /// A trusted record or file token starts here.
    Item(usize),
    /// A record or file token that the buffer ends in the middle of starts
    /// here: with [`Ending::More`], the first candidate that cannot be
    /// decided yet; with [`Ending::Final`], the first one the input ends
    /// inside, when no trusted item follows anywhere.
    Partial(usize),
    /// Nothing usable up to the end of the buffer.
    Nothing,
}

/// The bytes an item can start with: the four header ids and the file token.
const CANDIDATE: [bool; 256] = {
    let mut t = [false; 256];
    t[id::HEADER32 as usize] = true;
    t[id::HEADER32_EX as usize] = true;
    t[id::HEADER64 as usize] = true;
    t[id::HEADER64_EX as usize] = true;
    t[id::OTHER_FILE32 as usize] = true;
    t
};

/// The offset of the next byte in `rest` that may start an item.
///
/// A table lookup per byte, a few GB/s, and never a byte looked at twice:
/// memchr finds at most three needles at once, and searching the remainder for
/// the other two at every step (as an earlier version did) made damaged input
/// quadratic. Eight bytes are tested per step while none of them is a candidate
/// (the usual case inside junk, such as the zeros a crash leaves).
#[inline]
fn next_candidate(rest: &[u8]) -> Option<usize> {
    let found = next_candidate_unmetered(rest);
    #[cfg(test)]
    work::add(found.map_or(rest.len(), |p| p + 1));
    found
}

#[inline]
fn next_candidate_unmetered(rest: &[u8]) -> Option<usize> {
    let mut at = 0;
    let mut blocks = rest.chunks_exact(8);
    for block in &mut blocks {
        if block.iter().any(|&b| CANDIDATE[b as usize]) {
            break;
        }
        at += 8;
    }
    rest[at..]
        .iter()
        .position(|&b| CANDIDATE[b as usize])
        .map(|p| at + p)
}

/// Search from `from` for the next trusted record or file token.
pub(crate) fn resync(buf: &[u8], from: usize, ending: Ending) -> Resync {
    let mut p = from;
    let mut partial = None;
    while p < buf.len() {
        let Some(step) = next_candidate(&buf[p..]) else {
            break;
        };
        p += step;
        match frame_at(buf, p) {
            Frame::Record { .. } | Frame::File { .. } => return Resync::Item(p),
            // Whether a trusted item follows can only be known once this
            // candidate is decided, so stop in front of it.
            Frame::Partial { .. } if ending == Ending::More => return Resync::Partial(p),
            Frame::Partial { .. } if partial.is_none() => partial = Some(p),
            _ => {}
        }
        p += 1;
    }
    partial.map_or(Resync::Nothing, Resync::Partial)
}

/// Test builds count the bytes the resync search looks at and the candidates
/// it decides, so linearity is checked by counting work, not by timing it.
#[cfg(test)]
pub(crate) mod work {
    use std::cell::Cell;

    thread_local!(static DONE: Cell<u64> = const { Cell::new(0) });

    pub fn add(n: usize) {
        DONE.with(|d| d.set(d.get() + n as u64));
    }

    /// The work done by `f`.
    pub fn of(f: impl FnOnce()) -> u64 {
        let before = DONE.with(Cell::get);
        f();
        DONE.with(Cell::get) - before
    }
}

#[cfg(test)]
mod linear_resync {
    use super::work;
    use crate::read::Reader;
    use crate::scan::scan;

    /// The hostile shapes of docs/performance.md "Resync": bytes that each
    /// look like the start of a record, at n bytes.
    fn hostile(n: usize) -> Vec<(&'static str, Vec<u8>)> {
        let mut every5 = Vec::with_capacity(n);
        while every5.len() < n {
            // header32 claiming 1 MiB, then junk
            every5.extend_from_slice(&[0x14, 0x00, 0x10, 0x00, 0x00]);
        }
        every5.truncate(n);
        vec![
            ("all 0x14", vec![0x14; n]),
            ("all 0x79", vec![0x79; n]),
            ("all 0x11", vec![0x11; n]),
            ("headers every 5 bytes", every5),
        ]
    }

    /// Before the table scan, each step searched the rest of the input for
    /// the other candidate bytes: 4 MiB of 0x14 took ~237 s. Now every byte
    /// is looked at a bounded number of times, whatever the input.
    #[test]
    fn resync_work_grows_linearly_with_hostile_input() {
        for n in [64 << 10, 256 << 10] {
            for (name, buf) in hostile(n) {
                let read = work::of(|| Reader::new(&buf).for_each(drop));
                let scanned = work::of(|| {
                    scan(&buf, |_| {});
                });
                for (how, w) in [("Reader", read), ("scan", scanned)] {
                    assert!(
                        w <= 3 * n as u64,
                        "{how} over {n} bytes of {name}: {w} units of work, more than 3 per byte"
                    );
                }
            }
        }
    }
}
