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
        DamageNote {
            offset: base + d.offset,
            len: d.len,
            kind: damage_kind_name(&d.kind),
            message: d.to_string(),
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

/// When a whole chunk holds no complete record (megabytes of junk, such as the
/// zero-filled blocks a crash can leave), all but its last `RESYNC_WINDOW` bytes
/// are settled as skipped and scanning goes on from there, so memory stays
/// bounded whatever the input. The window exceeds the largest record a Mac
/// writes (MAXAUDITDATA, 32767 bytes, xnu `bsd/bsm/audit.h`), so a record that
/// starts inside it and continues in the next chunk is not lost.
const RESYNC_WINDOW: usize = 64 << 10;

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
pub(crate) fn stream_chunks<P>(file: &mut File, start: u64, mut process: P) -> io::Result<StreamEnd>
where
    P: FnMut(&[u8], u64) -> Option<ScanEnd>,
{
    let mut buf = vec![0u8; CHUNK];
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
        let Some(scanned) = process(data, base) else {
            break;
        };
        let complete = (scanned.complete_bytes as usize).min(filled);
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
            let cut = filled - RESYNC_WINDOW;
            let d = Damage {
                offset: 0,
                len: cut as u64,
                kind: DamageKind::Skipped,
            };
            push_merged(&mut end.damage, DamageNote::from_bsm(&d, base));
            cut
        } else {
            complete
        };
        buf.copy_within(keep_from..filled, 0);
        filled -= keep_from;
        base += keep_from as u64;
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
