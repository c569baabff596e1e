//! Streaming a trail file through `bsm::scan` in fixed-size chunks.
//!
//! Why chunks and not one big buffer or a plain mmap: peak memory must stay far
//! below 64 MiB whatever the trail's size, and a mapped file's touched pages count
//! in the process's RSS. A 4 MiB `read()` buffer costs one memcpy from the page
//! cache (≈10 GB/s), small next to the scan itself.
//!
//! A record may straddle two chunks. `bsm::scan` reports where the last complete
//! item ends (`complete_bytes`); bytes past it are carried into the next chunk.
//! Damage found past that point is provisional until end of file, because it may
//! only be the cut at the chunk's edge.

use std::fs::File;
use std::io::{self, Read};

use bsm::read::{Damage, DamageKind};
use bsm::scan::{scan_select, RecordSummary, ScanEnd};
use serde::{Deserialize, Serialize};

/// Bytes read per chunk.
pub const CHUNK: usize = 4 << 20;

/// Damage in a trail, as stored in summaries and shown to people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DamageNote {
    /// Absolute byte offset in the file where the damage starts.
    pub offset: u64,
    /// Bytes affected.
    pub len: u64,
    /// Machine-readable kind (`truncated_tail`, `unknown_token`, `resync`, …).
    pub kind: String,
    /// Plain sentence from the reader.
    pub message: String,
}

impl DamageNote {
    pub(crate) fn from_bsm(d: &bsm::read::Damage, base: u64) -> DamageNote {
        // The message names byte offsets too: make them absolute before rendering.
        let abs = Damage {
            offset: base + d.offset,
            ..*d
        };
        DamageNote {
            offset: abs.offset,
            len: abs.len,
            kind: damage_kind_name(&abs.kind),
            message: abs.to_string(),
        }
    }
}

/// `snake_case` of the kind's variant name, stable across `Debug` field changes.
fn damage_kind_name(kind: &impl std::fmt::Debug) -> String {
    let dbg = format!("{kind:?}");
    let head: String = dbg
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    let mut out = String::with_capacity(head.len() + 4);
    for (i, c) in head.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// What streaming a file found, apart from the records themselves.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamEnd {
    /// Absolute offset just past the last complete item: where an incremental
    /// reader resumes.
    pub complete_bytes: u64,
    /// Absolute offset up to which the file was read (its size at the time).
    pub read_bytes: u64,
    /// Damage before `complete_bytes`: final, whatever is appended later.
    pub damage: Vec<DamageNote>,
    /// What lies after `complete_bytes` (a cut-off last record, trailing junk).
    /// For a closed trail this is damage; for a growing one it is usually the
    /// record being written and is re-read on the next pass.
    pub tail: Vec<DamageNote>,
}

impl StreamEnd {
    /// All damage, settled and tail, for a file that will not grow.
    pub fn all_damage(&self) -> impl Iterator<Item = &DamageNote> {
        self.damage.iter().chain(self.tail.iter())
    }
}

/// When a whole chunk holds no complete item (a header claiming an impossible
/// length, followed by more junk than a chunk), scanning goes on from the
/// chunk's last `RESYNC_WINDOW` bytes, so memory stays bounded whatever the
/// input. The window exceeds the longest item the framing can trust that a Mac
/// writes or that junk can imitate — a record of MAXAUDITDATA (32767 bytes, xnu
/// `bsd/bsm/audit.h`) or a file token (11 + 65535 bytes) — so an item that starts
/// inside it and continues in the next chunk is not lost.
const RESYNC_WINDOW: usize = 72 << 10;

/// Streams `file` from absolute offset `start` to its end, calling `on_record`
/// for every complete record with its summary (offset made absolute) and bytes.
pub fn stream_records<F>(file: &mut File, start: u64, on_record: F) -> io::Result<StreamEnd>
where
    F: FnMut(&RecordSummary, &[u8]),
{
    stream_selected(file, start, |_, _, _| true, on_record)
}

/// Like [`stream_records`], but `want(event, sec, msec)` is asked first: records
/// it rejects are framed but not walked (their subject/return are never read),
/// which is most of the per-record cost. The price: token damage inside
/// rejected records is not reported (framing damage always is).
pub fn stream_selected<W, F>(
    file: &mut File,
    start: u64,
    mut want: W,
    mut on_record: F,
) -> io::Result<StreamEnd>
where
    W: FnMut(u16, u64, u32) -> bool,
    F: FnMut(&RecordSummary, &[u8]),
{
    stream_chunks(file, start, |data, base| {
        Some(scan_select(data, 0, &mut want, |rs| {
            let from = rs.offset as usize;
            // The scan only reports complete records inside `data`; the guard keeps a
            // bsm bug from becoming a panic here.
            if let Some(bytes) = data.get(from..from + rs.len as usize) {
                let mut abs = *rs;
                abs.offset += base;
                on_record(&abs, bytes);
            }
        }))
    })
}

/// The chunking loop shared by statistics and rendering. `process(data, base)`
/// scans `data` (which starts at absolute offset `base`), handles the complete
/// records in it, and returns the scan's end with offsets relative to `data`,
/// or None to stop reading (the consumer failed, e.g. a closed pipe).
pub(crate) fn stream_chunks<P>(file: &mut File, start: u64, process: P) -> io::Result<StreamEnd>
where
    P: FnMut(&[u8], u64) -> Option<ScanEnd>,
{
    stream_chunks_with(file, start, CHUNK, RESYNC_WINDOW, process)
}

/// `stream_chunks` with another chunk size (the resync window stays the same).
pub(crate) fn stream_chunks_sized<R, P>(
    file: &mut R,
    start: u64,
    chunk: usize,
    process: P,
) -> io::Result<StreamEnd>
where
    R: Read,
    P: FnMut(&[u8], u64) -> Option<ScanEnd>,
{
    stream_chunks_with(file, start, chunk, RESYNC_WINDOW.min(chunk / 2), process)
}

/// `stream_chunks` with the chunk and resync-window sizes as parameters, so tests
/// can put chunk edges everywhere. `window < chunk` is required.
fn stream_chunks_with<R, P>(
    file: &mut R,
    start: u64,
    chunk: usize,
    window: usize,
    mut process: P,
) -> io::Result<StreamEnd>
where
    R: Read,
    P: FnMut(&[u8], u64) -> Option<ScanEnd>,
{
    let mut buf = vec![0u8; chunk];
    let mut filled = 0usize;
    let mut base = start;
    let mut end = StreamEnd {
        complete_bytes: start,
        read_bytes: start,
        ..StreamEnd::default()
    };
    let mut eof = false;
    // (offset, claimed length) of a header whose record is longer than a chunk.
    let mut pending: Option<(u64, Option<u64>)> = None;
    loop {
        // Fill the buffer completely unless the file ends: fewer, larger scans.
        while !eof && filled < buf.len() {
            match file.read(&mut buf[filled..]) {
                Ok(0) => eof = true,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        end.read_bytes = base + filled as u64;
        if filled == 0 {
            break;
        }
        let data = &buf[..filled];
        let Some(scanned) = process(data, base) else {
            break;
        };
        let complete = (scanned.complete_bytes as usize).min(filled);

        // A record header claiming more bytes than a chunk holds, with nothing
        // trusted after it in the chunk, was seen earlier (`pending`): its fate
        // depends on what comes next. A trusted item later means it was junk (one
        // skipped range up to that item, as a whole-file scan says); end of file
        // first means the file ends inside it (a truncated tail).
        if let Some((at, expected)) = pending {
            // The chunk starts inside the claimed record, so the scan begins with a
            // skipped range; a trusted item follows it iff `complete` passes it.
            let skip = match scanned.damage.first() {
                Some(d) if d.offset == 0 && d.kind == DamageKind::Skipped => d.len as usize,
                _ => 0,
            };
            if complete > skip {
                pending = None;
                let d = Damage {
                    offset: 0,
                    len: base - at,
                    kind: DamageKind::Skipped,
                };
                // Adjacent to the chunk's own first skipped range: merged below.
                push_merged(&mut end.damage, DamageNote::from_bsm(&d, at));
            } else if eof {
                let d = Damage {
                    offset: 0,
                    len: base + filled as u64 - at,
                    kind: DamageKind::TruncatedTail { expected },
                };
                end.tail.push(DamageNote::from_bsm(&d, at));
                end.complete_bytes = at;
                break;
            } else {
                let keep_from = filled - window;
                buf.copy_within(keep_from..filled, 0);
                filled -= keep_from;
                base += keep_from as u64;
                continue;
            }
        }

        for d in scanned
            .damage
            .iter()
            .filter(|d| (d.offset as usize) < complete)
        {
            push_merged(&mut end.damage, DamageNote::from_bsm(d, base));
        }
        if eof {
            // Everything after the last complete item is the tail: junk, or a
            // record cut short (the scan leaves reporting that to us).
            for d in scanned
                .damage
                .iter()
                .filter(|d| (d.offset as usize) >= complete)
            {
                push_merged(&mut end.tail, DamageNote::from_bsm(d, base));
            }
            if scanned.partial_tail {
                let at = end
                    .tail
                    .last()
                    .map_or(complete, |d| (d.offset + d.len - base) as usize);
                if at < filled {
                    let d = Damage {
                        offset: at as u64,
                        len: (filled - at) as u64,
                        kind: DamageKind::TruncatedTail {
                            expected: claimed_len(&data[at..]),
                        },
                    };
                    end.tail.push(DamageNote::from_bsm(&d, base));
                }
            }
            end.complete_bytes = base + complete as u64;
            break;
        }
        // Carry what follows the last complete item into the next chunk (usually a
        // record straddling the edge); damage past it is provisional and will be
        // seen again with more context.
        let keep_from = if complete == 0 {
            // Nothing complete in a whole chunk: the scan stopped at a header that
            // claims more than the chunk. Remember it and read on from the last
            // `window` bytes (a real record, at most MAXAUDITDATA long, that starts
            // there is still found whole), so memory stays bounded.
            pending = Some((base, claimed_len(data)));
            filled - window
        } else {
            complete
        };
        buf.copy_within(keep_from..filled, 0);
        filled -= keep_from;
        base += keep_from as u64;
        end.complete_bytes = pending.map_or(base, |(at, _)| at);
    }
    Ok(end)
}

/// The byte count a header at the start of `data` claims, if readable.
fn claimed_len(data: &[u8]) -> Option<u64> {
    match data.first()? {
        0x14 | 0x15 | 0x74 | 0x79 => {
            let b: [u8; 4] = data.get(1..5)?.try_into().ok()?;
            Some(u64::from(u32::from_be_bytes(b)))
        }
        _ => None,
    }
}

/// Appends damage, joining it to the previous note when they touch and are of the
/// same kind (a junk region seen across chunk boundaries, or our one-byte skip
/// followed by the scan's resync, is one region).
fn push_merged(list: &mut Vec<DamageNote>, note: DamageNote) {
    if let Some(prev) = list.last_mut() {
        if prev.kind == note.kind && prev.kind == "skipped" && prev.offset + prev.len == note.offset
        {
            prev.len += note.len;
            prev.message = Damage {
                offset: prev.offset,
                len: prev.len,
                kind: DamageKind::Skipped,
            }
            .to_string();
            return;
        }
    }
    list.push(note);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fixture(name: &str) -> Vec<u8> {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/bsm")
            .join(name);
        std::fs::read(p).unwrap()
    }

    /// (record offsets, damage as merged (offset, len, kind) ranges) of a whole-buffer
    /// scan: the reference the chunked reader must reproduce.
    type Seen = (Vec<u64>, Vec<(u64, u64, String)>);

    /// Damage normalised for comparison: ranges sorted and touching ranges joined.
    /// Skipped bytes and a truncated tail are both "bytes outside any record" and
    /// compare as one kind: which of the two a stretch of junk ending the file is
    /// depends on how far ahead a reader looks (a chunk that ends inside a
    /// header's claimed length cannot know yet that the header is junk), and only
    /// the bytes covered must agree. Token damage keeps its exact kind.
    fn merged(v: Vec<(u64, u64, String)>) -> Vec<(u64, u64, String)> {
        let mut v: Vec<(u64, u64, String)> = v
            .into_iter()
            .map(|(o, l, k)| match k.as_str() {
                "skipped" | "truncated_tail" => (o, l, "outside_records".to_string()),
                _ => (o, l, k),
            })
            .collect();
        v.sort();
        let mut out: Vec<(u64, u64, String)> = Vec::new();
        for d in v {
            match out.last_mut() {
                Some(p) if p.2 == d.2 && p.0 + p.1 == d.0 => p.1 += d.1,
                _ => out.push(d),
            }
        }
        out
    }

    fn whole(data: &[u8]) -> Seen {
        let mut recs = Vec::new();
        let end = scan_select(data, 0, |_, _, _| true, |r| recs.push(r.offset));
        let mut dmg: Vec<(u64, u64, String)> = end
            .damage
            .iter()
            .map(|d| DamageNote::from_bsm(d, 0))
            .map(|d| (d.offset, d.len, d.kind))
            .collect();
        if end.partial_tail {
            let at = end.complete_bytes;
            dmg.push((at, data.len() as u64 - at, "truncated_tail".into()));
        }
        (recs, merged(dmg))
    }

    fn chunked(data: &[u8], chunk: usize, window: usize) -> Seen {
        let mut recs = Vec::new();
        let mut reader = data;
        let end = stream_chunks_with(&mut reader, 0, chunk, window, |d, base| {
            Some(scan_select(
                d,
                0,
                |_, _, _| true,
                |r| recs.push(base + r.offset),
            ))
        })
        .unwrap();
        let dmg = end
            .all_damage()
            .map(|d| (d.offset, d.len, d.kind.clone()))
            .collect();
        (recs, merged(dmg))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(100))]

        /// Fixture records with junk, cuts and bad lengths spliced in, read in chunks
        /// of every size: the same records and the same damage as reading it whole.
        #[test]
        fn chunked_reading_equals_whole_reading(
            picks in proptest::collection::vec((0usize..6, 0usize..4, any::<u8>()), 1..16),
            chunk in 150_000usize..300_000,
        ) {
            // No fixture with stand-alone file tokens: after a header claiming more
            // than a chunk, bsm's resync lets only a trusted *record* end the
            // damage (so a record straddling a chunk edge is not broken by a file
            // token embedded in it), while a reader that restarts inside that
            // damage accepts a file token it meets. Records come out the same
            // either way; only whether such a file token counts as damage differs.
            // (odd_tokens keeps its file token *inside* a record.)
            let sources = [
                fixture("mixed_sample.bsm"),
                fixture("macos_network.bsm"),
                fixture("odd_tokens.bsm"),
                fixture("macos_login_session.bsm"),
                fixture("header_variants.bsm"),
                fixture("corrupt_midstream.bsm"),
            ];
            let mut data = Vec::new();
            for (src, how, byte) in picks {
                let s = &sources[src];
                let take = &s[..];
                match how {
                    0 => data.extend_from_slice(take),
                    // A cut record: everything up to an arbitrary byte.
                    1 => data.extend_from_slice(&take[..(byte as usize * 7).min(take.len())]),
                    // Junk: short runs of any byte but the file-token id 0x11 (a run
                    // of it reads as a chain of overlapping file-token candidates,
                    // and whether one is trusted can depend on how far the reader
                    // sees: bsm lets only a trusted record, not a file token,
                    // overrule a cut-off item), and now and then more zeros than a
                    // whole chunk, as a crash leaves them. (Long runs of header-id
                    // bytes would only make this test slow: every byte is a
                    // candidate the scan must check.)
                    2 if byte % 8 == 0 => {
                        data.extend(std::iter::repeat_n(0u8, 150_000 + byte as usize * 1553))
                    }
                    2 => {
                        let b = if byte == 0x11 { 0x12 } else { byte };
                        data.extend(std::iter::repeat_n(b, 1 + (byte as usize * 41) % 9000))
                    }
                    // A header claiming a length far beyond the data.
                    _ => data.extend_from_slice(&[0x14, 0x00, 0x10, byte, 0, 11, 0, 23, 0, 0, 0x65, 0xf2, 0xc0, 0x14, 0, 0, 0, 0]),
                }
            }
            // Chunks and window as large as the longest item framing can trust (a
            // file token of 65546 bytes, which junk can imitate): the real sizes
            // scaled down, so edges still fall everywhere.
            prop_assert_eq!(chunked(&data, chunk, RESYNC_WINDOW), whole(&data));
        }
    }

    #[test]
    fn no_input_panics_or_loops() {
        for len in [0usize, 1, 5, 17, 4096] {
            for fill in [0u8, 0x14, 0xff, 0x11, 0x13] {
                let data = vec![fill; len];
                let _ = chunked(&data, 4 * RESYNC_WINDOW, RESYNC_WINDOW);
            }
        }
    }
}
