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
use std::io::{self, Read, Seek, SeekFrom};

use bsm::read::{Damage, DamageKind, Record};
use bsm::scan::{scan_records, scan_select, Ending, RecordSummary, ScanEnd};
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
    /// For `oversized`: the length the header claimed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claimed: Option<u64>,
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
            claimed: match abs.kind {
                DamageKind::Oversized { claimed } => Some(claimed),
                _ => None,
            },
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
    /// Settled damage beyond the first [`MAX_DAMAGE_NOTES`] ranges, counted
    /// rather than listed, so a trail damaged everywhere costs constant memory.
    #[serde(default, skip_serializing_if = "DamageTally::is_empty")]
    pub unlisted: DamageTally,
}

/// Damage ranges counted but not listed one by one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DamageTally {
    pub ranges: u64,
    pub bytes: u64,
}

impl DamageTally {
    pub fn is_empty(&self) -> bool {
        self.ranges == 0
    }

    /// One note standing for the unlisted ranges (`None` when there are none).
    pub fn note(&self) -> Option<DamageNote> {
        (!self.is_empty()).then(|| DamageNote {
            offset: 0,
            len: self.bytes,
            kind: "more_damage".into(),
            message: format!(
                "and {} more damaged range{} ({} bytes) not listed one by one: only the first {MAX_DAMAGE_NOTES} of a file are",
                self.ranges,
                if self.ranges == 1 { "" } else { "s" },
                self.bytes
            ),
            claimed: None,
        })
    }
}

/// How many damage ranges of one file are listed; the rest are counted.
pub const MAX_DAMAGE_NOTES: usize = 1000;

impl StreamEnd {
    /// All damage, settled and tail, for a file that will not grow.
    pub fn all_damage(&self) -> impl Iterator<Item = &DamageNote> {
        self.damage.iter().chain(self.tail.iter())
    }

    /// Adds settled damage found by a later read of the same file (an
    /// incremental scan of a grown trail), within the same bound.
    pub fn absorb_damage(&mut self, later: StreamEnd) {
        for note in later.damage {
            push_merged(&mut self.damage, &mut self.unlisted, note);
        }
        self.unlisted.ranges += later.unlisted.ranges;
        self.unlisted.bytes += later.unlisted.bytes;
    }
}

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
    stream_chunks(file, start, |data, base, ending| {
        Some(scan_select(data, 0, ending, &mut want, |rs| {
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

/// Like [`stream_selected`], but each record `want` accepts is handed whole,
/// its header decoded and its offset absolute, and its tokens are not walked:
/// for a consumer that decodes every token itself (the OCSF export).
/// `on_record` returns whether it found one damaged, and the end lists that
/// damage as [`stream_selected`] would ([`bsm::scan::scan_records`]).
pub fn stream_whole<W, F>(
    file: &mut File,
    start: u64,
    mut want: W,
    mut on_record: F,
) -> io::Result<StreamEnd>
where
    W: FnMut(u16, u64, u32) -> bool,
    F: FnMut(Record<'_>) -> bool,
{
    stream_chunks(file, start, |data, base, ending| {
        Some(scan_records(data, 0, ending, &mut want, |rec| {
            on_record(Record {
                offset: rec.offset + base,
                ..rec
            })
        }))
    })
}

/// The chunking loop shared by statistics and rendering. `process(data, base,
/// ending)` scans `data` (which starts at absolute offset `base`; `ending` says
/// whether the file ends with it), handles the complete records in it, and
/// returns the scan's end with offsets relative to `data`, or None to stop
/// reading (the consumer failed, e.g. a closed pipe).
pub(crate) fn stream_chunks<P>(file: &mut File, start: u64, process: P) -> io::Result<StreamEnd>
where
    P: FnMut(&[u8], u64, Ending) -> Option<ScanEnd>,
{
    // The file's position is wherever the caller left it; the offsets this
    // reports are absolute, so reading must begin at `start` itself.
    file.seek(SeekFrom::Start(start))?;
    // A growing trail polled every few hundred milliseconds has a few KiB to
    // read: a buffer for what is there (plus a byte to see the end), not a
    // zeroed 4 MiB one each time. The loop grows it if the file grows.
    let left = file
        .metadata()
        .map_or(u64::MAX, |m| m.len().saturating_sub(start));
    let chunk = usize::try_from(left.saturating_add(1)).map_or(CHUNK, |l| l.clamp(64 << 10, CHUNK));
    stream_chunks_sized(file, start, chunk, process)
}

/// The chunking loop with another chunk size (tests put chunk edges everywhere).
///
/// Before the end of the file, a chunk is scanned with [`Ending::More`]: the
/// scan stops in front of the first item it cannot decide (a record straddling
/// the edge, or a header in junk whose claimed end lies beyond it), and reading
/// goes on from there, so a chunked read frames exactly as a whole-file read.
/// The buffer then holds the carried bytes plus at least one more chunk, and
/// the whole claimed item (at most [`bsm::MAX_RECORD_LEN`]): every refill
/// reads a chunk of new bytes and decides what was carried, so any input is
/// read in linear time with memory bounded by `MAX_RECORD_LEN + chunk`.
pub(crate) fn stream_chunks_sized<R, P>(
    file: &mut R,
    start: u64,
    chunk: usize,
    mut process: P,
) -> io::Result<StreamEnd>
where
    R: Read,
    P: FnMut(&[u8], u64, Ending) -> Option<ScanEnd>,
{
    let chunk = chunk.max(64);
    let mut buf = vec![0u8; chunk];
    let mut filled = 0usize;
    let mut base = start;
    let mut end = StreamEnd {
        complete_bytes: start,
        read_bytes: start,
        ..StreamEnd::default()
    };
    let mut eof = false;
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
        let ending = if eof { Ending::Final } else { Ending::More };
        let Some(scanned) = process(data, base, ending) else {
            break;
        };
        let complete = (scanned.complete_bytes as usize).min(filled);
        for d in scanned
            .damage
            .iter()
            .filter(|d| (d.offset as usize) < complete)
        {
            push_merged(
                &mut end.damage,
                &mut end.unlisted,
                DamageNote::from_bsm(d, base),
            );
        }
        if eof {
            // Everything after the last complete item is the tail: a record cut
            // short (the scan leaves reporting that to us).
            for d in scanned
                .damage
                .iter()
                .filter(|d| (d.offset as usize) >= complete)
            {
                push_merged(
                    &mut end.tail,
                    &mut end.unlisted,
                    DamageNote::from_bsm(d, base),
                );
            }
            if scanned.partial_tail && complete < filled {
                let d = Damage {
                    offset: complete as u64,
                    len: (filled - complete) as u64,
                    kind: DamageKind::TruncatedTail {
                        expected: claimed_len(&data[complete..]),
                    },
                };
                end.tail.push(DamageNote::from_bsm(&d, base));
            }
            end.complete_bytes = base + complete as u64;
            break;
        }
        // Carry the undecided item into the next read, with room for all it claims.
        let carried = filled - complete;
        let claimed = claimed_len(&data[complete..])
            .and_then(|l| usize::try_from(l).ok())
            .filter(|&l| l <= bsm::MAX_RECORD_LEN)
            .unwrap_or(0);
        buf.copy_within(complete..filled, 0);
        filled = carried;
        base += complete as u64;
        let room = (carried + chunk).max(claimed);
        if buf.len() < room {
            buf.resize(room, 0);
        } else if buf.len() > chunk && room <= chunk {
            // A long record has passed: give its memory back.
            buf.truncate(chunk);
            buf.shrink_to_fit();
        }
        end.complete_bytes = base;
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
        // A file token: fixed part and name.
        0x11 => {
            let b: [u8; 2] = data.get(9..11)?.try_into().ok()?;
            Some(11 + u64::from(u16::from_be_bytes(b)))
        }
        _ => None,
    }
}

/// Appends damage, joining it to the previous note when they touch and the
/// second only continues the first: a junk region seen across chunk boundaries
/// (or our one-byte skip followed by the scan's resync) is one region, and so is
/// an oversized header with the junk after it up to the next trusted item.
fn push_merged(list: &mut Vec<DamageNote>, unlisted: &mut DamageTally, note: DamageNote) {
    if let Some(prev) = list.last_mut() {
        // A chunk stops in front of a header it cannot judge yet; when the next
        // finds it oversized, a whole-file read would have skipped it as junk.
        let skips = |k: &str| k == "skipped" || k == "oversized";
        let continues = skips(&note.kind) && skips(&prev.kind);
        if continues && prev.offset + prev.len == note.offset {
            prev.len += note.len;
            let kind = match prev.claimed {
                Some(claimed) if prev.kind == "oversized" => DamageKind::Oversized { claimed },
                _ => DamageKind::Skipped,
            };
            prev.message = Damage {
                offset: prev.offset,
                len: prev.len,
                kind,
            }
            .to_string();
            return;
        }
    }
    if list.len() < MAX_DAMAGE_NOTES {
        list.push(note);
    } else {
        unlisted.ranges += 1;
        unlisted.bytes += note.len;
    }
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

    /// Damage as the chunked reader reports it: in file order, a skipped or
    /// oversized range joined to the skipped or oversized range it touches (the
    /// whole-buffer scan may report one region as two: junk up to a cut-off
    /// header, then that header). Every kind, truncated tails included, must
    /// agree exactly.
    fn merged(v: Vec<(u64, u64, String)>) -> Vec<(u64, u64, String)> {
        let mut out: Vec<(u64, u64, String)> = Vec::new();
        for d in v {
            match out.last_mut() {
                Some(p)
                    if ["skipped", "oversized"].contains(&d.2.as_str())
                        && ["skipped", "oversized"].contains(&p.2.as_str())
                        && p.0 + p.1 == d.0 =>
                {
                    p.1 += d.1
                }
                _ => out.push(d),
            }
        }
        out
    }

    fn whole(data: &[u8]) -> Seen {
        let mut recs = Vec::new();
        let end = scan_select(
            data,
            0,
            Ending::Final,
            |_, _, _| true,
            |r| recs.push(r.offset),
        );
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

    fn chunked(data: &[u8], chunk: usize) -> Seen {
        let mut recs = Vec::new();
        let mut reader = data;
        let end = stream_chunks_sized(&mut reader, 0, chunk, |d, base, ending| {
            Some(scan_select(
                d,
                0,
                ending,
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

        /// Fixture records with junk, cuts, oversized and far-reaching headers
        /// spliced in, read in chunks of every size (from a few bytes, so every
        /// item straddles an edge, to a few hundred KiB): the same records and the
        /// same damage as reading it whole.
        #[test]
        fn chunked_reading_equals_whole_reading(
            picks in proptest::collection::vec((0usize..8, 0usize..5, any::<u8>()), 1..16),
            chunk in prop_oneof![64usize..4096, 150_000usize..300_000],
        ) {
            let sources = [
                fixture("mixed_sample.bsm"),
                fixture("macos_network.bsm"),
                fixture("odd_tokens.bsm"),
                fixture("macos_login_session.bsm"),
                fixture("header_variants.bsm"),
                fixture("corrupt_midstream.bsm"),
                // Stand-alone file tokens at the start and the end.
                fixture("macos_process_file.bsm"),
                fixture("empty_trail.bsm"),
            ];
            let mut data = Vec::new();
            for (src, how, byte) in picks {
                let s = &sources[src];
                let take = &s[..];
                match how {
                    0 => data.extend_from_slice(take),
                    // A cut record: everything up to an arbitrary byte.
                    1 => data.extend_from_slice(&take[..(byte as usize * 7).min(take.len())]),
                    // Junk: runs of any byte, and now and then more zeros than a
                    // whole chunk, as a crash leaves them.
                    2 if byte % 8 == 0 => {
                        data.extend(std::iter::repeat_n(0u8, 150_000 + byte as usize * 1553))
                    }
                    2 => data.extend(std::iter::repeat_n(byte, 1 + (byte as usize * 41) % 9000)),
                    // A header claiming a length far beyond the data.
                    3 => data.extend_from_slice(&[0x14, 0x00, 0x10, byte, 0, 11, 0, 23, 0, 0, 0x65, 0xf2, 0xc0, 0x14, 0, 0, 0, 0]),
                    // A header claiming more than any record may hold.
                    _ => data.extend_from_slice(&[0x74, 0x7f, byte, 0, 0, 11, 0, 23, 0, 0]),
                }
            }
            prop_assert_eq!(chunked(&data, chunk), whole(&data));
        }
    }

    #[test]
    fn no_input_panics_or_loops() {
        for len in [0usize, 1, 5, 17, 4096] {
            for fill in [0u8, 0x14, 0xff, 0x11, 0x13] {
                let data = vec![fill; len];
                for chunk in [64, 1000, 1 << 20] {
                    assert_eq!(chunked(&data, chunk), whole(&data), "{fill:#x} x {len}");
                }
            }
        }
    }

    /// A header claiming a record longer than a chunk but within the limit is
    /// read whole, in any chunk size; one claiming more than the limit is
    /// reported as oversized, once, and reading goes on after it.
    #[test]
    fn long_records_are_read_whole_and_oversized_ones_skipped_with_their_claim() {
        let mut long = bsm::write::RecordBuilder::new(23, 1_700_000_000, 0);
        let text = "x".repeat(60_000);
        for _ in 0..5 {
            long.text(&text);
        }
        let long = long.finish();
        assert!(long.len() > 300_000);
        let short = bsm::write::RecordBuilder::new(23, 1_700_000_001, 0).finish();
        // An oversized header (5 MiB claimed) with a little of "its" body.
        let mut oversized = vec![0x14, 0x00, 0x50, 0x00, 0x00, 11, 0, 23, 0, 0];
        oversized.extend(std::iter::repeat_n(0xab, 500));
        let mut data = long.clone();
        data.extend_from_slice(&oversized);
        data.extend_from_slice(&short);
        data.extend_from_slice(&long);
        for chunk in [64, 4096, 1 << 16, 4 << 20] {
            let (recs, damage) = chunked(&data, chunk);
            let o = long.len() as u64;
            assert_eq!(
                recs,
                [
                    0,
                    o + oversized.len() as u64,
                    o + (oversized.len() + short.len()) as u64
                ],
                "chunk {chunk}"
            );
            assert_eq!(
                damage,
                [(o, oversized.len() as u64, "oversized".to_string())]
            );
        }
        let mut note = None;
        let mut reader = &data[..];
        let end = stream_chunks_sized(&mut reader, 0, 4096, |d, _, ending| {
            Some(scan_select(d, 0, ending, |_, _, _| true, |_| {}))
        })
        .unwrap();
        if let Some(d) = end.damage.first() {
            note = Some(d.clone());
        }
        let note = note.expect("the oversized header is reported");
        assert_eq!(note.claimed, Some(0x0050_0000));
        assert!(
            note.message
                .contains("claims 5242880 bytes, more than the 4194304 bytes"),
            "{}",
            note.message
        );
    }

    /// A read from `start` on a freshly opened file (position 0) reports the
    /// records at and after `start`, each once, at their own offsets — what a
    /// follower resuming in a growing trail relies on.
    #[test]
    fn streaming_from_an_offset_reads_from_that_offset() {
        let data = fixture("mixed_sample.bsm");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t");
        std::fs::write(&path, &data).unwrap();
        let (all, _) = whole(&data);
        assert!(all.len() > 4);
        let start = all[all.len() / 2];
        let mut file = File::open(&path).unwrap();
        let mut seen = Vec::new();
        stream_records(&mut file, start, |r, bytes| {
            assert_eq!(&data[r.offset as usize..][..bytes.len()], bytes);
            seen.push(r.offset)
        })
        .unwrap();
        let want: Vec<u64> = all.into_iter().filter(|&o| o >= start).collect();
        assert_eq!(seen, want);
    }
}
