//! The trail browser: a filtered page of records at a time, oldest first.
//!
//! Fast on large trails because it reads as little as a page needs:
//! - files whose time span (from their names) lies outside the query's range
//!   are skipped without opening them;
//! - a file is read in bounded chunks from the cursor's offset, records the
//!   header test rejects are framed but not decoded (`bsm::scan::scan_select`);
//! - reading stops at the first chunk in which the page filled up;
//! - one request examines at most about [`SCAN_BUDGET`] bytes: a filter that
//!   matches little answers with what it found so far, `partial` set and `next`
//!   where it stopped, so the browser can show progress, go on, or stop.
//!
//! The cursor is (file name, byte offset of the next record to consider), so the
//! next page starts exactly where this one stopped, even while the current trail
//! grows; a cursor whose file has since expired continues with the next file.
//!
//! The helper runs this as root for any admitted client, so the cursor is data,
//! never a path: its file must be a bare trail file name (`TrailName::parse`),
//! and it is only compared with the names of the helper's own listing of the
//! trail folders. A page is also bounded in bytes ([`TRAIL_PAGE_BYTES`]) so the
//! answer always fits one protocol frame.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;

use bsm::read::{Item, Reader};
use earshot_api::{Cursor, OutcomeChoice, TrailPage, TrailQuery, MAX_TRAIL_PAGE, TRAIL_PAGE_BYTES};
use earshot_trail::{Filter, FilterSpec, Inventory, Outcome, Tables, Trail, TrailName};

/// Largest page a caller may ask for: a page is rendered as one JSON message.
pub const MAX_PAGE: usize = MAX_TRAIL_PAGE;

/// Bytes read per step. Small enough that a page that fills early costs little,
/// large enough that a sparse filter scans at full speed. One request scans at
/// most its budget plus one chunk (the budget is checked between chunks).
pub const CHUNK: usize = 1 << 20;

/// Bytes one request may examine before it answers with a partial page.
///
/// Measured (docs/performance.md, "Trail browser"): the pager scans 6.4 GB/s
/// when the header test rejects records and 3.3 GB/s when each record's
/// subject must be read (user, outcome), on a shared 2-core VM with the page
/// cache warm. 256 MiB is then 40–80 ms of scanning, plus the folder listing:
/// roughly 100 ms per answer at worst, short enough for a Stop button to feel
/// immediate and for other requests on the helper not to wait long, and long
/// enough that the round trip and listing stay a small part of each answer.
/// Measured with the budget: 52–58 ms per request with a header-rejected
/// filter, 90–108 ms with a user filter, 4.55 GB in 17 requests.
/// Bytes, not time, so an answer (and every test of it) is deterministic.
pub const SCAN_BUDGET: u64 = 256 << 20;

/// A chunk that holds no complete item grows up to this size: enough to decide
/// any item the framing accepts (a record of `bsm::MAX_RECORD_LEN`, a file token
/// of 64 KiB), so the last-resort skip below never cuts a readable record.
const MAX_WINDOW: usize = bsm::MAX_RECORD_LEN + (64 << 10);

#[derive(Debug, thiserror::Error)]
pub enum PageError {
    #[error("page size {0} is out of range (1..={MAX_PAGE})")]
    PageSize(usize),
    #[error("no audit user {0:?} (give a number or a known user name)")]
    UnknownUser(String),
    #[error("the time range is empty: since {since} is not before until {until}")]
    EmptyRange { since: u64, until: u64 },
    #[error("the cursor's file {0:?} is not a trail file name (a page continues from a name the helper listed)")]
    Cursor(String),
    #[error(transparent)]
    Filter(#[from] earshot_trail::FilterError),
    #[error("cannot list the trail folders: {0}")]
    Inventory(#[from] earshot_trail::InventoryError),
    #[error("cannot read trail {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Where and how to read.
pub struct Source<'a> {
    /// Real paths of the trail folders.
    pub dirs: &'a [PathBuf],
    pub tables: &'a Tables,
    /// Maps a user name to an auid (the caller knows the Mac's accounts).
    pub user_id: &'a dyn Fn(&str) -> Option<u32>,
}

/// How much one request reads: the helper uses [`ScanLimits::HELPER`]; tests
/// use small figures to cross chunk and budget boundaries on small trails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanLimits {
    /// Bytes examined before a page that is not full is answered as it is
    /// (checked between chunks; 0 is taken as 1, so every request moves on).
    pub budget: u64,
    /// Bytes read per step (a record longer than this grows the window).
    pub chunk: usize,
}

impl ScanLimits {
    pub const HELPER: ScanLimits = ScanLimits {
        budget: SCAN_BUDGET,
        chunk: CHUNK,
    };
}

/// One page of records matching `q`, scanning at most about [`SCAN_BUDGET`] bytes.
pub fn page(src: &Source<'_>, q: &TrailQuery) -> Result<TrailPage, PageError> {
    page_with(src, q, ScanLimits::HELPER)
}

/// [`page`] within `limits`: once `limits.budget` bytes were examined and the
/// page is not full, the page is answered as it is, with `partial` set and
/// `next` at the first byte not examined (the start of an item, or of the next
/// file to read). An answer examines less than budget + one chunk (more only
/// when a single record is longer than a chunk).
pub fn page_with(
    src: &Source<'_>,
    q: &TrailQuery,
    limits: ScanLimits,
) -> Result<TrailPage, PageError> {
    let budget = limits.budget.max(1);
    let chunk = limits.chunk.clamp(1, MAX_WINDOW / 2);
    let size = q.page_size.unwrap_or(100);
    if size == 0 || size > MAX_PAGE {
        return Err(PageError::PageSize(size));
    }
    if let (Some(since), Some(until)) = (q.since, q.until) {
        if since >= until {
            return Err(PageError::EmptyRange { since, until });
        }
    }
    if let Some(c) = &q.cursor {
        // Names only: no separators, no `..`, and the shape auditd gives trails.
        // The name is then only compared with listed names, never opened.
        if c.file.contains(['/', '\\', '\0']) || TrailName::parse(&c.file).is_err() {
            return Err(PageError::Cursor(c.file.clone()));
        }
    }
    let users = match q.user.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        None => Vec::new(),
        Some(u) => vec![u
            .parse::<u32>()
            .ok()
            .or_else(|| (src.user_id)(u))
            .ok_or_else(|| PageError::UnknownUser(u.to_string()))?],
    };
    let spec = FilterSpec {
        since: None,
        until: None,
        classes: q.classes.clone(),
        events: q.events.clone(),
        users,
        outcome: match q.outcome {
            OutcomeChoice::Any => Outcome::Any,
            OutcomeChoice::Success => Outcome::Success,
            OutcomeChoice::Failure => Outcome::Failure,
        },
    };
    let filter = Filter::compile(&spec, src.tables)?;
    let range = Range {
        since_ms: q.since.map(|s| u128::from(s) * 1000),
        until_ms: q.until.map(|u| u128::from(u) * 1000),
    };

    let mut trails = Inventory::scan(src.dirs)?.trails;
    // Names begin with the start time (YYYYMMDDhhmmss), so name order is time
    // order, and the same order the cursor's file name is compared in.
    trails.sort_by_key(file_name);

    let mut out = Builder {
        page: TrailPage {
            records: Vec::with_capacity(size.min(128)),
            next: None,
            scanned_bytes: 0,
            partial: false,
        },
        json_bytes: 0,
        size,
        budget,
        chunk,
    };
    for t in &trails {
        let name = file_name(t);
        let start = match &q.cursor {
            // Files before the cursor's were read by earlier pages.
            Some(c) if name.as_str() < c.file.as_str() => continue,
            Some(c) if name == c.file => c.offset,
            _ => 0,
        };
        if !range.may_overlap(t) {
            continue;
        }
        if out.page.scanned_bytes >= budget {
            // Spent between files: the next request starts with this one. If it
            // expires meanwhile, name order still resumes with the file after it.
            out.page.next = Some(Cursor {
                file: name,
                offset: start,
            });
            out.page.partial = out.page.records.len() < out.size;
            break;
        }
        match read_file(t, &name, start, &filter, &range, src.tables, &mut out)? {
            Stop::EndOfFile => {}
            Stop::PageFull(next) => {
                out.page.next = Some(next);
                break;
            }
            Stop::Budget(next) => {
                out.page.next = Some(next);
                // A page that filled on the budget's last chunk is simply full.
                out.page.partial = out.page.records.len() < out.size;
                break;
            }
        }
    }
    Ok(out.page)
}

/// Why reading one file ended.
enum Stop {
    /// Every complete item was read; go on with the next file.
    EndOfFile,
    /// The page is full; it continues from the cursor.
    PageFull(Cursor),
    /// The scan budget is spent; the page continues from the cursor.
    Budget(Cursor),
}

/// A page being filled, with the two limits that end it.
struct Builder {
    page: TrailPage,
    /// Encoded JSON bytes of the records so far.
    json_bytes: usize,
    /// Records asked for.
    size: usize,
    /// Bytes this request may examine (`page.scanned_bytes` counts them).
    budget: u64,
    /// Bytes read per step.
    chunk: usize,
}

impl Builder {
    /// Takes `v` unless the page is full (by count, or by bytes: then the
    /// record is left for the next page). A single record too large for any
    /// page is replaced by a stand-in record saying so, so paging always moves on.
    fn offer(&mut self, v: serde_json::Value) -> bool {
        if self.page.records.len() >= self.size {
            return false;
        }
        let len = json_len(&v);
        if self.json_bytes + len > TRAIL_PAGE_BYTES {
            if !self.page.records.is_empty() {
                return false;
            }
            // Still a record to the browser: where, when, what and who, without
            // the tokens that made it too large (`earshot trail print` shows them).
            let stand_in = serde_json::json!({
                "type": "record",
                "trail_file": v["trail_file"],
                "trail_offset": v["trail_offset"],
                "offset": v["offset"],
                "length": v["length"],
                "time": v["time"],
                "event": v["event"],
                "subject": v["subject"],
                "return": v["return"],
                "omitted": format!(
                    "record of {len} bytes of JSON is too large to send; `earshot trail print` shows it"
                ),
            });
            self.json_bytes += json_len(&stand_in);
            self.page.records.push(stand_in);
            return true;
        }
        self.json_bytes += len + 1;
        self.page.records.push(v);
        true
    }
}

/// Bytes `v` takes as JSON (without building the string).
fn json_len(v: &serde_json::Value) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut c = Count(0);
    // Writing a Value into a counter cannot fail.
    let _ = serde_json::to_writer(&mut c, v);
    c.0
}

#[derive(Clone, Copy)]
struct Range {
    since_ms: Option<u128>,
    until_ms: Option<u128>,
}

impl Range {
    fn contains(&self, sec: u64, msec: u32) -> bool {
        let t = u128::from(sec) * 1000 + u128::from(msec);
        self.since_ms.is_none_or(|s| t >= s) && self.until_ms.is_none_or(|u| t < u)
    }

    /// From the file's name alone. Conservative: names have second resolution
    /// and a trail still being written (or left unterminated by a crash) has no
    /// end, so only a span that certainly misses the range is skipped.
    fn may_overlap(&self, t: &Trail) -> bool {
        let start_ms = t.start.as_millis();
        if self.until_ms.is_some_and(|u| start_ms >= u) {
            return false;
        }
        match (t.end, self.since_ms) {
            (Some(end), Some(s)) => end.as_millis() + 1000 > s,
            _ => true,
        }
    }
}

fn file_name(t: &Trail) -> String {
    t.path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Adds matching records of one file to `out`, from byte `start`, until the
/// file ends, the page fills or the scan budget is spent.
fn read_file(
    t: &Trail,
    name: &str,
    start: u64,
    filter: &Filter,
    range: &Range,
    tables: &Tables,
    out: &mut Builder,
) -> Result<Stop, PageError> {
    let rerr = |source| PageError::Read {
        path: t.path.clone(),
        source,
    };
    let mut file = match File::open(&t.path) {
        Ok(f) => f,
        // Expired between the listing and now: nothing left to show from it.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Stop::EndOfFile),
        Err(e) => return Err(rerr(e)),
    };
    file.seek(SeekFrom::Start(start)).map_err(rerr)?;
    let chunk = out.chunk;
    let mut buf: Vec<u8> = Vec::with_capacity(chunk);
    let mut base = start;
    let mut eof = false;
    loop {
        let want = if buf.len() >= chunk {
            MAX_WINDOW.min(buf.len() * 2)
        } else {
            chunk
        };
        let have = buf.len();
        buf.resize(want, 0);
        let mut filled = have;
        while !eof && filled < buf.len() {
            match file.read(&mut buf[filled..]) {
                Ok(0) => eof = true,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(rerr(e)),
            }
        }
        buf.truncate(filled);
        if buf.is_empty() {
            return Ok(Stop::EndOfFile);
        }
        let mut next: Option<u64> = None;
        let data = &buf[..];
        let ending = if eof {
            bsm::Ending::Final
        } else {
            bsm::Ending::More
        };
        let end = bsm::scan::scan_select(
            data,
            0,
            ending,
            |ev, sec, msec| filter.event_passes(ev) && range.contains(sec, msec),
            |rs| {
                if next.is_some()
                    || !range.contains(rs.sec, rs.msec)
                    || !filter.matches(rs.event, rs.sec, rs.msec, rs.auid, rs.status)
                {
                    return;
                }
                if out.page.records.len() == out.size {
                    next = Some(base + rs.offset);
                    return;
                }
                let from = rs.offset as usize;
                if let Some(bytes) = data.get(from..from + rs.len as usize) {
                    if let Some(v) = record_json(bytes, tables, name, base + rs.offset) {
                        if !out.offer(v) {
                            next = Some(base + rs.offset);
                        }
                    }
                }
            },
        );
        let consumed = end.complete_bytes as usize;
        let cursor = |offset: u64| Cursor {
            file: name.to_string(),
            offset,
        };
        if let Some(offset) = next {
            out.page.scanned_bytes += offset - base;
            return Ok(Stop::PageFull(cursor(offset)));
        }
        if eof {
            out.page.scanned_bytes += consumed as u64;
            // Whatever is left after the last complete item is a record still
            // being written (or a damaged tail): a later page re-reads it.
            // A full page continues after this file's last item; the following
            // page may turn out empty (then its `next` is None).
            let next_offset = base + consumed as u64;
            return Ok(if out.page.records.len() == out.size {
                Stop::PageFull(cursor(next_offset))
            } else {
                Stop::EndOfFile
            });
        }
        let consumed = if consumed == 0 && buf.len() >= MAX_WINDOW {
            // Nothing frames in the largest window: skip past it (keeping a tail
            // in case a record starts there) rather than grow without bound.
            buf.len() - chunk
        } else {
            consumed
        };
        out.page.scanned_bytes += consumed as u64;
        buf.drain(..consumed);
        base += consumed as u64;
        if out.page.scanned_bytes >= out.budget {
            // `base` is the first byte not yet examined: the start of an item
            // (unless unframeable bytes were just skipped); the bytes after it,
            // still in `buf`, are read again by the next request.
            return Ok(Stop::Budget(cursor(base)));
        }
    }
}

/// The `bsm::json` object of one record, with where it came from.
fn record_json(
    bytes: &[u8],
    tables: &Tables,
    file: &str,
    offset: u64,
) -> Option<serde_json::Value> {
    Reader::new(bytes).find_map(|item| match item {
        Item::Record(rec) => {
            let mut v = bsm::json::record_value(&rec, tables);
            if let Some(obj) = v.as_object_mut() {
                obj.insert("trail_file".into(), file.into());
                obj.insert("trail_offset".into(), offset.into());
            }
            Some(v)
        }
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builder(size: usize) -> Builder {
        Builder {
            page: TrailPage {
                records: Vec::new(),
                next: None,
                scanned_bytes: 0,
                partial: false,
            },
            json_bytes: 0,
            size,
            budget: SCAN_BUDGET,
            chunk: CHUNK,
        }
    }

    fn record(text_len: usize) -> serde_json::Value {
        serde_json::json!({
            "type": "record",
            "trail_file": "20261124000000.not_terminated",
            "trail_offset": 4096,
            "offset": 4096,
            "length": 120,
            "time": "2026-11-24T00:00:01.000Z",
            "event": {"number": 23, "name": "AUE_EXECVE", "classes": ["ex"]},
            "subject": {"auid": 501, "euid": 0, "egid": 0, "ruid": 0, "rgid": 0, "pid": 7, "session": 1},
            "return": {"status": 0, "success": true, "value": 0},
            "text": ["x".repeat(text_len)],
        })
    }

    #[test]
    fn a_record_too_large_for_any_page_comes_as_a_record_without_its_tokens() {
        let mut b = builder(100);
        assert!(b.offer(record(TRAIL_PAGE_BYTES + 10)));
        let stand_in = &b.page.records[0];
        assert!(stand_in.get("text").is_none(), "the tokens are left out");
        for key in [
            "type",
            "time",
            "event",
            "subject",
            "return",
            "trail_file",
            "trail_offset",
        ] {
            assert_eq!(stand_in[key], record(0)[key], "{key} is kept");
        }
        assert!(stand_in["omitted"].as_str().unwrap().contains("too large"));
        assert!(json_len(stand_in) < 4096);
    }

    #[test]
    fn a_page_ends_before_the_record_that_would_overflow_it() {
        let mut b = builder(100);
        assert!(b.offer(record(TRAIL_PAGE_BYTES / 2)));
        // The second half-page record would pass the byte bound: left for the next page.
        assert!(!b.offer(record(TRAIL_PAGE_BYTES / 2)));
        assert_eq!(b.page.records.len(), 1);
        assert!(b.page.records[0].get("omitted").is_none());
        let mut b = builder(1);
        assert!(b.offer(record(10)));
        assert!(!b.offer(record(10)), "and by count");
    }
}
