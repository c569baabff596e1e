//! Printing and exporting records: praudit `-ln` lines, NDJSON, and raw BSM.
//!
//! Records are found by the fast scan (which also feeds the filter: event, time,
//! auid, status) and only the selected ones are decoded and rendered, so a
//! narrow filter costs little more than `trail stats`. Records whose header
//! already fails the filter are not even walked; token damage inside them is
//! therefore not reported (framing damage always is). File tokens lie between
//! records; they are printed (unfiltered output only) by reading the gaps the
//! scan steps over.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

use bsm::names::EventNames;
use bsm::read::{Item, Reader};
use bsm::scan::{scan_select, ScanEnd};

use super::filter::Filter;
use super::stream::{stream_chunks, DamageNote, StreamEnd};
use super::summary::TrailError;
use super::tables::Tables;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `praudit -ln`: one line per record, numeric ids.
    Praudit,
    /// One JSON object per record (NDJSON), plus `"type":"damage"` lines.
    Json,
    /// One `<audit>` document; a file's damage follows its records as
    /// `<damage>` elements.
    Xml,
    /// The selected records' bytes, unchanged: a trail again, like auditreduce.
    Bsm,
}

/// Renders records of one file after another into `out`.
pub struct Renderer<'a, W: Write> {
    out: W,
    format: Format,
    filter: &'a Filter,
    names: &'a (dyn EventNames + Sync),
    line: Vec<u8>,
    xml: String,
    /// Whether the document prologue (XML) has been written.
    started: bool,
    /// Records written so far.
    pub records: u64,
}

/// Failure while rendering: reading the trail or writing the output.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error(transparent)]
    Read(#[from] TrailError),
    #[error("cannot write output: {0}")]
    Write(#[source] io::Error),
}

impl<'a, W: Write> Renderer<'a, W> {
    pub fn new(
        out: W,
        format: Format,
        filter: &'a Filter,
        names: &'a (dyn EventNames + Sync),
    ) -> Self {
        Renderer {
            out,
            format,
            filter,
            names,
            line: Vec::with_capacity(4096),
            xml: String::new(),
            started: false,
            records: 0,
        }
    }

    /// Renders every selected record of `path`. `growing` says whether auditd may
    /// still append to the file (a cut-off last record is then not damage).
    /// In JSON, the file's damage follows its records as `"type":"damage"` lines.
    pub fn file(&mut self, path: &Path, growing: bool) -> Result<StreamEnd, RenderError> {
        let io_err = |source| TrailError::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut file = File::open(path).map_err(io_err)?;
        self.start().map_err(RenderError::Write)?;
        let mut write_err: Option<io::Error> = None;
        let end = stream_chunks(&mut file, 0, |data, base| {
            if write_err.is_some() {
                return None;
            }
            match self.chunk(data, base) {
                Ok(end) => Some(end),
                Err(e) => {
                    write_err = Some(e);
                    None
                }
            }
        })
        .map_err(io_err)?;
        if let Some(e) = write_err {
            return Err(RenderError::Write(e));
        }
        let tail: &[DamageNote] = if growing { &[] } else { &end.tail };
        if self.format == Format::Xml {
            for d in end.damage.iter().chain(tail) {
                writeln!(
                    self.out,
                    "<damage file=\"{}\" kind=\"{}\" offset=\"{}\" len=\"{}\">{}</damage>",
                    bsm::xml::escape(path.as_os_str().as_encoded_bytes()),
                    d.kind,
                    d.offset,
                    d.len,
                    bsm::xml::escape(d.message.as_bytes())
                )
                .map_err(RenderError::Write)?;
            }
        }
        if self.format == Format::Json {
            for d in end.damage.iter().chain(tail) {
                let v = serde_json::json!({
                    "type": "damage",
                    "file": path,
                    "offset": d.offset,
                    "len": d.len,
                    "kind": d.kind,
                    "message": d.message,
                });
                serde_json::to_writer(&mut self.out, &v)
                    .map_err(|e| RenderError::Write(e.into()))?;
                self.out.write_all(b"\n").map_err(RenderError::Write)?;
            }
        }
        Ok(end)
    }

    fn chunk(&mut self, data: &[u8], base: u64) -> io::Result<ScanEnd> {
        let mut err: Option<io::Error> = None;
        let mut pos = 0usize;
        let with_file_tokens = self.filter.is_all() && self.format != Format::Bsm;
        let filter = self.filter;
        // Records the header alone rules out are framed but never walked.
        let end = scan_select(
            data,
            0,
            |e, s, m| filter.header_passes(e, s, m),
            |rs| {
                if err.is_some() {
                    return;
                }
                let at = rs.offset as usize;
                let Some(bytes) = data.get(at..at + rs.len as usize) else {
                    return;
                };
                if with_file_tokens && at > pos {
                    if let Err(e) = self.gap(&data[pos..at], base + pos as u64) {
                        err = Some(e);
                        return;
                    }
                }
                pos = at + bytes.len();
                if self
                    .filter
                    .matches(rs.event, rs.sec, rs.msec, rs.auid, rs.status)
                {
                    if let Err(e) = self.record(bytes, base + at as u64) {
                        err = Some(e);
                    }
                }
            },
        );
        if let Some(e) = err {
            return Err(e);
        }
        let complete = (end.complete_bytes as usize).min(data.len());
        if with_file_tokens && complete > pos {
            self.gap(&data[pos..complete], base + pos as u64)?;
        }
        Ok(end)
    }

    fn record(&mut self, bytes: &[u8], offset: u64) -> io::Result<()> {
        self.records += 1;
        if self.format == Format::Bsm {
            return self.out.write_all(bytes);
        }
        // One record's bytes: the reader yields it first (then, at most, the
        // damage inside it, which the scan has already reported).
        let Some(Item::Record(rec)) = Reader::with_base(bytes, offset).next() else {
            return Ok(());
        };
        self.line.clear();
        match self.format {
            Format::Praudit => bsm::praudit::record(&mut self.line, &rec, self.names),
            Format::Json => {
                let v = bsm::json::record_value(&rec, self.names);
                serde_json::to_writer(&mut self.line, &v)?;
                self.line.push(b'\n');
            }
            Format::Xml => {
                self.xml.clear();
                bsm::xml::record(&mut self.xml, &rec, self.names);
                return self.out.write_all(self.xml.as_bytes());
            }
            Format::Bsm => {}
        }
        self.out.write_all(&self.line)
    }

    /// Bytes between records: file tokens (damage there is reported by the scan).
    fn gap(&mut self, bytes: &[u8], offset: u64) -> io::Result<()> {
        for item in Reader::with_base(bytes, offset) {
            if let Item::FileToken(f) = item {
                self.line.clear();
                match self.format {
                    Format::Praudit => bsm::praudit::file_token(&mut self.line, &f, self.names),
                    Format::Json => {
                        serde_json::to_writer(&mut self.line, &bsm::json::file_token_value(&f))?;
                        self.line.push(b'\n');
                    }
                    Format::Xml => {
                        self.xml.clear();
                        bsm::xml::token(&mut self.xml, &f.as_token(), self.names);
                        self.xml.push('\n');
                        self.line.extend_from_slice(self.xml.as_bytes());
                    }
                    Format::Bsm => {}
                }
                self.out.write_all(&self.line)?;
            }
        }
        Ok(())
    }

    /// Ends the output (closing wrappers where the format has them) and flushes.
    pub fn finish(&mut self) -> io::Result<()> {
        self.start()?;
        if self.format == Format::Xml {
            self.out.write_all(b"</audit>\n")?;
        }
        self.out.flush()
    }

    fn start(&mut self) -> io::Result<()> {
        if !self.started {
            self.started = true;
            if self.format == Format::Xml {
                self.out
                    .write_all(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<audit>\n")?;
            }
        }
        Ok(())
    }
}

/// What a worker sends for one file: rendered bytes in order, then the end.
enum Piece {
    Bytes(Vec<u8>),
    Done(Result<StreamEnd, RenderError>),
}

/// Rendered bytes travel in pieces of about this size; with `PIECES_IN_FLIGHT`
/// per file and one file per worker ahead of the writer, memory stays a few
/// MiB per worker whatever the trails' sizes.
const PIECE: usize = 1 << 20;
const PIECES_IN_FLIGHT: usize = 4;

/// A `Write` that hands full pieces to the ordered writer.
struct PieceWriter {
    buf: Vec<u8>,
    tx: SyncSender<Piece>,
}

impl PieceWriter {
    fn send(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let piece = std::mem::replace(&mut self.buf, Vec::with_capacity(PIECE + 64 * 1024));
        // The writer hung up (output failed, e.g. a closed pipe): stop rendering.
        self.tx
            .send(Piece::Bytes(piece))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "output closed"))
    }
}

impl Write for PieceWriter {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(b);
        if self.buf.len() >= PIECE {
            self.send()?;
        }
        Ok(b.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}

/// Renders `inputs` (path, may-still-grow) into `out` in order, as consecutive
/// `Renderer::file` calls would, but with up to `threads` files rendered at once:
/// trails split naturally by file, and decoding plus formatting (not reading)
/// is the cost of print/export. Returns each file's `StreamEnd`, or the first
/// error in file order after writing everything before it.
pub fn render_files<W: Write>(
    inputs: &[(PathBuf, bool)],
    format: Format,
    filter: &Filter,
    names: &(dyn EventNames + Sync),
    mut out: W,
    threads: usize,
) -> Result<Vec<StreamEnd>, RenderError> {
    let threads = threads.clamp(1, inputs.len().max(1));
    if threads == 1 {
        let mut r = Renderer::new(out, format, filter, names);
        let mut ends = Vec::with_capacity(inputs.len());
        for (path, growing) in inputs {
            ends.push(r.file(path, *growing)?);
        }
        r.finish().map_err(RenderError::Write)?;
        return Ok(ends);
    }

    let (senders, receivers): (Vec<SyncSender<Piece>>, Vec<Receiver<Piece>>) = inputs
        .iter()
        .map(|_| sync_channel(PIECES_IN_FLIGHT))
        .unzip();
    let mut senders: Vec<Option<SyncSender<Piece>>> = senders.into_iter().map(Some).collect();
    // Worker w renders files w, w + threads, … in turn; the writer drains files in
    // order, so a worker only ever waits for files before its own (no deadlock).
    let mut plans: Vec<Vec<(usize, SyncSender<Piece>)>> =
        (0..threads).map(|_| Vec::new()).collect();
    for (i, tx) in senders.iter_mut().enumerate() {
        if let Some(tx) = tx.take() {
            plans[i % threads].push((i, tx));
        }
    }
    std::thread::scope(|s| {
        for plan in plans {
            s.spawn(move || {
                for (i, tx) in plan {
                    let (path, growing) = &inputs[i];
                    let mut w = PieceWriter {
                        buf: Vec::with_capacity(PIECE + 64 * 1024),
                        tx: tx.clone(),
                    };
                    let mut r = Renderer::new(&mut w, format, filter, names);
                    // The writer owns the document prologue and epilogue.
                    r.started = true;
                    let result = r.file(path, *growing);
                    drop(r);
                    let result = match w.send() {
                        Ok(()) => result,
                        Err(e) => result.and(Err(RenderError::Write(e))),
                    };
                    let failed = result.is_err();
                    if tx.send(Piece::Done(result)).is_err() || failed {
                        // Writer gone, or this file failed: later files would
                        // never be written, so stop.
                        return;
                    }
                }
            });
        }

        // Moved in, so an early return below drops them before the scope joins the
        // workers: a worker blocked on a full channel then sees the hang-up.
        let receivers = receivers;
        let mut ends = Vec::with_capacity(inputs.len());
        let write = |out: &mut W, b: &[u8]| out.write_all(b).map_err(RenderError::Write);
        if format == Format::Xml {
            write(
                &mut out,
                b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<audit>\n",
            )?;
        }
        for rx in &receivers {
            loop {
                match rx.recv() {
                    Ok(Piece::Bytes(b)) => write(&mut out, &b)?,
                    Ok(Piece::Done(r)) => {
                        ends.push(r?);
                        break;
                    }
                    // A worker stopped early after an error it already reported
                    // for an earlier file; that error was returned above.
                    Err(_) => {
                        return Err(RenderError::Write(io::Error::other(
                            "a render worker stopped unexpectedly",
                        )))
                    }
                }
            }
        }
        if format == Format::Xml {
            write(&mut out, b"</audit>\n")?;
        }
        out.flush().map_err(RenderError::Write)?;
        Ok(ends)
    })
}

/// Tables name events the way praudit does (first audit_event line for a
/// number) and give classes for JSON.
impl EventNames for Tables {
    fn event_name(&self, number: u16) -> Option<&str> {
        self.events().event_name(number)
    }

    fn event_desc(&self, number: u16) -> Option<&str> {
        self.events().event_desc(number)
    }

    fn event_classes(&self, number: u16) -> Option<u32> {
        self.events().event_classes(number)
    }

    fn class_names(&self, mask: u32) -> Vec<String> {
        self.classes()
            .names_in(mask)
            .into_iter()
            .map(str::to_string)
            .collect()
    }
}
