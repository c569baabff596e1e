//! Fast statistics scan: one pass over a trail that extracts what the
//! statistics need (event, time, auid/euid, return status) from every record
//! without allocating.
//!
//! Speed comes from doing as little as possible per record: the record is
//! framed by its header byte count (checked once against the trailer), and
//! tokens are *skipped* by their computed length until the first subject and
//! the first return token have been seen — nothing is decoded into a
//! [`crate::token::Token`].

pub use crate::frame::Ending;
use crate::frame::{frame_at, resync, Frame, Resync};
use crate::read::{Damage, DamageKind, FileToken, Record};
use crate::token;
use crate::wire::{be16, be32, id, AU_IPV4, AU_IPV6, TRAILER_LEN};

/// What the statistics need from one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RecordSummary {
    pub offset: u64,
    pub len: u32,
    pub event: u16,
    pub modifier: u16,
    pub sec: u64,
    pub msec: u32,
    /// From the first subject token, if any.
    pub auid: Option<u32>,
    pub euid: Option<u32>,
    /// BSM status byte of the first return token (0 = success), if any.
    pub status: Option<u8>,
}

/// How a scan ended.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ScanEnd {
    /// Offset (including the base) just past the last complete item or
    /// skipped damaged range — where a partial tail, if any, starts. A
    /// follow-up scan of a growing file (or the next chunk of a chunked
    /// read) starts here and neither loses nor repeats anything.
    pub complete_bytes: u64,
    /// The buffer ends inside a record or file token starting at
    /// `complete_bytes` (with [`Ending::More`]: one that cannot be decided
    /// until more bytes arrive). This is *not* listed in `damage`: for the
    /// live trail it is simply a record still being written. A caller reading
    /// a finished trail reports it as [`DamageKind::TruncatedTail`] itself.
    pub partial_tail: bool,
    /// Skipped ranges and unknown/malformed tokens, in file order.
    pub damage: Vec<Damage>,
}

/// Scan `buf` as a whole trail (offsets start at 0).
pub fn scan(buf: &[u8], f: impl FnMut(&RecordSummary)) -> ScanEnd {
    scan_at(buf, 0, Ending::Final, f)
}

/// Scan `buf`, which starts `base` bytes into the file (for incremental
/// reads); reported offsets include `base`. With [`Ending::More`] the scan
/// stops in front of the first item it cannot decide without the bytes
/// that follow, so scanning again from `complete_bytes` with more data sees
/// exactly what one scan of the whole sees.
pub fn scan_at(buf: &[u8], base: u64, ending: Ending, f: impl FnMut(&RecordSummary)) -> ScanEnd {
    scan_select(buf, base, ending, |_, _, _| true, f)
}

/// Like [`scan_at`], but asks `want(event, sec, msec)` first: records it
/// rejects are still framed (trailer-checked, `complete_bytes` advanced) but
/// their tokens are not walked and `f` does not see them — so their token
/// damage goes unreported. For filters that need nothing beyond the header
/// (event, class, time), this skips most of the per-record work.
pub fn scan_select(
    buf: &[u8],
    base: u64,
    ending: Ending,
    want: impl FnMut(u16, u64, u32) -> bool,
    f: impl FnMut(&RecordSummary),
) -> ScanEnd {
    scan_items(buf, base, ending, want, f, |_| {})
}

/// Like [`scan_select`], and `on_file` sees every stand-alone file token (its
/// offset relative to `buf`), so a renderer needs no second pass to find them.
pub fn scan_items(
    buf: &[u8],
    base: u64,
    ending: Ending,
    mut want: impl FnMut(u16, u64, u32) -> bool,
    mut f: impl FnMut(&RecordSummary),
    on_file: impl FnMut(&FileToken<'_>),
) -> ScanEnd {
    let on_record = |rec: Record<'_>, damage: &mut Vec<Damage>| {
        let h = &rec.header;
        if want(h.event, h.sec, h.msec) {
            let (s, d) = summarise(&rec);
            damage.extend(d);
            f(&s);
        }
    };
    scan_frames(buf, base, ending, on_record, on_file)
}

/// Frames `buf` as [`scan_select`] does and hands each record `want`
/// accepts to `f` whole, with its decoded header, without walking its tokens:
/// for a consumer that decodes every token anyway (the OCSF mapper). `f`
/// returns whether it found one damaged; only then are the tokens walked, to
/// report that damage where [`scan_items`] would (see [`summarise`]).
pub fn scan_records(
    buf: &[u8],
    base: u64,
    ending: Ending,
    mut want: impl FnMut(u16, u64, u32) -> bool,
    mut f: impl FnMut(Record<'_>) -> bool,
) -> ScanEnd {
    let on_record = |rec: Record<'_>, damage: &mut Vec<Damage>| {
        let h = &rec.header;
        if want(h.event, h.sec, h.msec) && f(rec) {
            damage.extend(summarise(&rec).1);
        }
    };
    scan_frames(buf, base, ending, on_record, |_| {})
}

/// What the scan takes from one record — the statistics' summary — and the
/// first of its tokens that cannot be skipped, as [`scan_items`] reports it.
pub fn summarise(rec: &Record<'_>) -> (RecordSummary, Option<Damage>) {
    let h = &rec.header;
    let mut s = RecordSummary {
        offset: rec.offset,
        len: rec.bytes.len() as u32,
        event: h.event,
        modifier: h.modifier,
        sec: h.sec,
        msec: h.msec,
        ..RecordSummary::default()
    };
    let damage = walk(rec.bytes, h.encoded_len(), &mut s).map(|(at, tid)| {
        let kind = if is_known(tid) {
            DamageKind::MalformedToken { id: tid }
        } else {
            DamageKind::UnknownToken { id: tid }
        };
        let body = rec.bytes.len().saturating_sub(TRAILER_LEN);
        Damage {
            offset: rec.offset + at as u64,
            len: body.saturating_sub(at).max(1) as u64,
            kind,
        }
    });
    (s, damage)
}

/// The framing loop every scan shares: `on_record` sees each framed record
/// (and may add its damage), `on_file` each file token; damaged bytes are
/// skipped and reported.
fn scan_frames(
    buf: &[u8],
    base: u64,
    ending: Ending,
    mut on_record: impl FnMut(Record<'_>, &mut Vec<Damage>),
    mut on_file: impl FnMut(&FileToken<'_>),
) -> ScanEnd {
    let mut end = ScanEnd {
        complete_bytes: base,
        ..ScanEnd::default()
    };
    let mut pos = 0usize;
    while pos < buf.len() {
        match frame_at(buf, pos) {
            Frame::Record { len, header } => {
                let rec = Record {
                    offset: base + pos as u64,
                    bytes: &buf[pos..pos + len],
                    header,
                };
                on_record(rec, &mut end.damage);
                pos += len;
                end.complete_bytes = base + pos as u64;
            }
            Frame::File { len } => {
                on_file(&FileToken::framed(&buf[pos..pos + len], pos as u64));
                pos += len;
                end.complete_bytes = base + pos as u64;
            }
            Frame::Partial { .. } if ending == Ending::More => {
                end.partial_tail = true;
                return end;
            }
            frame => {
                let after = resync(buf, pos + 1, ending);
                let (stop, kind) = match (frame, after) {
                    // A trusted item further on means the cut-off header was junk.
                    (Frame::Partial { .. }, Resync::Item(q)) => (q, DamageKind::Skipped),
                    (Frame::Partial { .. }, _) => {
                        end.partial_tail = true;
                        return end;
                    }
                    (Frame::Oversized { claimed }, r) => {
                        (skip_to(r, buf.len()), DamageKind::Oversized { claimed })
                    }
                    (_, r) => (skip_to(r, buf.len()), DamageKind::Skipped),
                };
                end.damage.push(Damage {
                    offset: base + pos as u64,
                    len: (stop - pos) as u64,
                    kind,
                });
                pos = stop;
                // Skipped bytes are accounted for: a follow-up read must not
                // report them again.
                end.complete_bytes = base + pos as u64;
            }
        }
    }
    end
}

/// Where skipping damage stops: at the next item, trusted or undecided.
fn skip_to(r: Resync, len: usize) -> usize {
    match r {
        Resync::Item(q) | Resync::Partial(q) => q,
        Resync::Nothing => len,
    }
}

fn is_known(tid: u8) -> bool {
    // A single-byte probe: decoding just the id tells known from unknown.
    !matches!(token::decode(&[tid]), Err(token::DecodeError::UnknownId(_)))
}

/// Walk the tokens of `rec` from `at`, filling subject and return fields.
/// Returns the offset and id of the first token that could not be skipped.
/// The walk always goes to the trailer (rather than stopping once subject
/// and return are seen) so the scan reports exactly the token damage the
/// reader reports; return is nearly always the last token anyway.
#[inline]
fn walk(rec: &[u8], mut at: usize, s: &mut RecordSummary) -> Option<(usize, u8)> {
    let body_end = rec.len().saturating_sub(TRAILER_LEN);
    while at < body_end {
        let tid = rec[at];
        // Length first: a token that does not fit contributes nothing, as
        // in the reader, where it becomes `Token::Malformed`.
        let n = match skip(rec, at) {
            Some(n) if at + n <= body_end => n,
            _ => return Some((at, tid)),
        };
        match tid {
            id::SUBJECT32 | id::SUBJECT64 | id::SUBJECT32_EX | id::SUBJECT64_EX
                if s.auid.is_none() =>
            {
                s.auid = be32(rec, at + 1);
                s.euid = be32(rec, at + 5);
            }
            id::RETURN32 | id::RETURN64 if s.status.is_none() => {
                s.status = rec.get(at + 1).copied();
            }
            _ => {}
        }
        at += n;
    }
    None
}

/// Encoded length of the token at `rec[at]`, computed from its fixed layout
/// or length fields without decoding it.
#[inline]
fn skip(rec: &[u8], at: usize) -> Option<usize> {
    let tid = *rec.get(at)?;
    let ex = |off: usize| -> Option<usize> {
        match be32(rec, at + off)? {
            AU_IPV4 => Some(4),
            AU_IPV6 => Some(16),
            _ => None,
        }
    };
    let n16 = |off: usize| be16(rec, at + off).map(usize::from);
    Some(match tid {
        id::RETURN32 => 6,
        id::RETURN64 => 10,
        id::SUBJECT32 | id::PROCESS32 => 37,
        id::SUBJECT64 | id::PROCESS64 => 41,
        id::SUBJECT32_EX | id::PROCESS32_EX => 37 + ex(33)?,
        id::SUBJECT64_EX | id::PROCESS64_EX => 41 + ex(37)?,
        id::PATH | id::TEXT | id::OPAQUE | id::ZONENAME => 3 + n16(1)?,
        id::ARG32 => 8 + n16(6)?,
        id::ARG64 => 12 + n16(10)?,
        id::ATTR32 => 29,
        id::ATTR64 => 33,
        id::EXIT => 9,
        id::SOCKINET32 => 9,
        id::SOCKINET128 => 21,
        id::SEQ | id::IN_ADDR => 5,
        id::IPORT => 3,
        id::IPC => 6,
        // Everything else (strings lists, identity, data, ...) is rarer;
        // the full decoder computes its length.
        _ => token::decode(rec.get(at..)?).ok()?.1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::{Token, Tokens};

    /// A record whose path token claims exactly the trailer's bytes as its
    /// own: read on into the trailer it decodes; the scan calls it malformed,
    /// and so do the body's tokens and the damage scan_records reports.
    #[test]
    fn a_token_running_into_the_trailer_is_damage_for_every_reader() {
        let mut r = crate::write::RecordBuilder::new(72, 1_710_407_700, 0);
        r.path("/etc/hosts");
        let mut rec = r.finish();
        let header_len = crate::token::decode_header(&rec).unwrap().encoded_len();
        // The path's length field (after its id) grows by the trailer's size.
        let len_at = header_len + 1;
        let claimed = u16::from_be_bytes([rec[len_at], rec[len_at + 1]]) + TRAILER_LEN as u16;
        rec[len_at..len_at + 2].copy_from_slice(&claimed.to_be_bytes());
        assert!(matches!(
            Tokens::at(&rec, header_len).next(),
            Some(Token::Path(_))
        ));
        assert!(matches!(
            Tokens::body(&rec, header_len).collect::<Vec<_>>()[..],
            [Token::Malformed { id: 0x23, .. }]
        ));
        let mut items = vec![];
        let walked = scan_items(
            &rec,
            0,
            Ending::Final,
            |_, _, _| true,
            |s| items.push(*s),
            |_| {},
        );
        let mut seen = 0;
        let whole = scan_records(
            &rec,
            0,
            Ending::Final,
            |_, _, _| true,
            |rec| {
                seen += 1;
                Tokens::body(rec.bytes, rec.header.encoded_len())
                    .any(|t| matches!(t, Token::Malformed { .. } | Token::Unknown { .. }))
            },
        );
        assert_eq!((items.len(), seen), (1, 1));
        assert_eq!(walked.damage.len(), 1, "{:?}", walked.damage);
        assert_eq!(whole.damage, walked.damage);
        assert_eq!(walked.damage[0].offset, header_len as u64);
    }

    #[test]
    fn select_skips_rejected_records() {
        let buf = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/fixtures/bsm/macos_process_file.bsm"
        ))
        .unwrap();
        let mut all = vec![];
        let whole = scan(&buf, |s| all.push(*s));
        let mut some = vec![];
        let sel = scan_select(
            &buf,
            0,
            Ending::Final,
            |ev, _, _| ev == 72,
            |s| some.push(*s),
        );
        let want: Vec<_> = all.iter().filter(|s| s.event == 72).copied().collect();
        assert_eq!(some, want);
        assert_eq!(some.len(), 3);
        assert_eq!(sel.complete_bytes, whole.complete_bytes);
    }

    #[test]
    fn empty_buffer_is_complete() {
        let end = scan(&[], |_| panic!("no records"));
        assert_eq!(end, ScanEnd::default());
    }
}
