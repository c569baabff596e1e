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
use std::sync::mpsc::sync_channel;

use bsm::names::EventNames;
use bsm::read::{Item, Reader};
use bsm::scan::{scan_items, scan_select, Ending, ScanEnd};

use super::filter::Filter;
use super::stream::{stream_chunks, stream_chunks_sized, DamageNote, StreamEnd};
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
        let end = stream_chunks(&mut file, 0, |data, base, ending| {
            if write_err.is_some() {
                return None;
            }
            match self.chunk(data, base, ending) {
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
        self.file_end(path, &end, growing)
            .map_err(RenderError::Write)?;
        Ok(end)
    }

    /// After a file's records: its damage, as `<damage>` elements (XML) or
    /// `"type":"damage"` lines (JSON); nothing in the other formats.
    fn file_end(&mut self, path: &Path, end: &StreamEnd, growing: bool) -> io::Result<()> {
        let tail: &[DamageNote] = if growing { &[] } else { &end.tail };
        let unlisted = end.unlisted.note();
        for d in end.damage.iter().chain(tail).chain(&unlisted) {
            match self.format {
                Format::Xml => writeln!(
                    self.out,
                    "<damage file=\"{}\" kind=\"{}\" offset=\"{}\" len=\"{}\">{}</damage>",
                    bsm::xml::escape(path.as_os_str().as_encoded_bytes()),
                    d.kind,
                    d.offset,
                    d.len,
                    bsm::xml::escape(d.message.as_bytes())
                )?,
                Format::Json => {
                    let v = serde_json::json!({
                        "type": "damage",
                        "file": path,
                        "offset": d.offset,
                        "len": d.len,
                        "kind": d.kind,
                        "message": d.message,
                    });
                    serde_json::to_writer(&mut self.out, &v)?;
                    self.out.write_all(b"\n")?;
                }
                Format::Praudit | Format::Bsm => return Ok(()),
            }
        }
        Ok(())
    }

    fn chunk(&mut self, data: &[u8], base: u64, ending: Ending) -> io::Result<ScanEnd> {
        let with_file_tokens = self.filter.is_all() && self.format != Format::Bsm;
        let filter = self.filter;
        // Both callbacks write, one at a time, in file order.
        let me = std::cell::RefCell::new((self, None::<io::Error>));
        // Records the header alone rules out are framed but never walked.
        let end = scan_items(
            data,
            0,
            ending,
            |e, s, m| filter.header_passes(e, s, m),
            |rs| {
                let (r, err) = &mut *me.borrow_mut();
                if err.is_some() {
                    return;
                }
                let at = rs.offset as usize;
                let Some(bytes) = data.get(at..at + rs.len as usize) else {
                    return;
                };
                if r.filter
                    .matches(rs.event, rs.sec, rs.msec, rs.auid, rs.status)
                {
                    if let Err(e) = r.record(bytes, base + at as u64) {
                        *err = Some(e);
                    }
                }
            },
            |f| {
                let (r, err) = &mut *me.borrow_mut();
                if with_file_tokens && err.is_none() {
                    let f = bsm::FileToken {
                        offset: base + f.offset,
                        ..*f
                    };
                    if let Err(e) = r.file_token(&f) {
                        *err = Some(e);
                    }
                }
            },
        );
        match me.into_inner().1 {
            Some(e) => Err(e),
            None => Ok(end),
        }
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

    /// A stand-alone file token (start and end of a trail).
    fn file_token(&mut self, f: &bsm::FileToken<'_>) -> io::Result<()> {
        self.line.clear();
        match self.format {
            Format::Praudit => bsm::praudit::file_token(&mut self.line, f, self.names),
            Format::Json => {
                serde_json::to_writer(&mut self.line, &bsm::json::file_token_value(f))?;
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
        self.out.write_all(&self.line)
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

/// Input bytes per rendering job in the parallel path: small, because each job
/// in flight holds its input and its rendered output.
const JOB_CHUNK: usize = 1 << 20;

/// A piece of the file streamed to a worker: complete items only, so it renders
/// on its own exactly as it would in the whole file.
struct Job {
    seq: u64,
    base: u64,
    bufs: Buffers,
}

/// A piece's input bytes and rendered output. The pair circulates producer →
/// worker → writer → producer, so the steady state allocates nothing (fresh
/// megabyte allocations cost a page fault per 4 KiB).
#[derive(Default)]
struct Buffers {
    input: Vec<u8>,
    output: Vec<u8>,
}

/// Renders `inputs` (path, may-still-grow) into `out` in order, exactly as
/// consecutive `Renderer::file` calls would, using up to `threads` cores.
///
/// Decoding and formatting, not reading, is the cost of print/export, and it
/// splits naturally into pieces of the trail: a reader thread streams each file,
/// cuts it after the last complete item of every 1 MiB, and hands the pieces to
/// workers; the calling thread puts the rendered pieces back in order. A fixed
/// number of pieces is in flight at any time, so memory stays bounded (a few
/// tens of MiB) whatever the trails' sizes. Returns each file's `StreamEnd`, or
/// the first error after writing everything before it.
pub fn render_files<W: Write>(
    inputs: &[(PathBuf, bool)],
    format: Format,
    filter: &Filter,
    names: &(dyn EventNames + Sync),
    out: W,
    threads: usize,
) -> Result<Vec<StreamEnd>, RenderError> {
    // Raw BSM output is a copy of bytes: nothing to share out.
    if threads <= 1 || format == Format::Bsm {
        let mut r = Renderer::new(out, format, filter, names);
        let mut ends = Vec::with_capacity(inputs.len());
        for (path, growing) in inputs {
            ends.push(r.file(path, *growing)?);
        }
        r.finish().map_err(RenderError::Write)?;
        return Ok(ends);
    }

    // Pieces in flight (queued, being rendered, or rendered and waiting for an
    // earlier one) are limited by tokens the writer hands back.
    let in_flight = 2 * threads;
    let (token_tx, token_rx) = sync_channel::<Buffers>(in_flight);
    for _ in 0..in_flight {
        // Cannot fail: the channel has room for every token and we hold the receiver.
        let _ = token_tx.send(Buffers::default());
    }
    let (job_tx, job_rx) = sync_channel::<Job>(threads);
    // Shared by the workers only: when the last worker ends, the receiver is
    // dropped and this thread's sends fail instead of blocking forever.
    let job_rx = std::sync::Arc::new(std::sync::Mutex::new(job_rx));
    let (done_tx, done_rx) = sync_channel::<(u64, io::Result<Buffers>)>(in_flight);

    std::thread::scope(|s| {
        for _ in 0..threads {
            let job_rx = std::sync::Arc::clone(&job_rx);
            let done_tx = done_tx.clone();
            s.spawn(move || {
                let mut r = Renderer::new(Vec::new(), format, filter, names);
                r.started = true;
                loop {
                    // A poisoned lock means another worker panicked; stop too.
                    let job = match job_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    let Ok(Job {
                        seq,
                        base,
                        mut bufs,
                    }) = job
                    else {
                        return;
                    };
                    r.out = std::mem::take(&mut bufs.output);
                    r.out.clear();
                    // A piece holds complete items only: nothing after it could
                    // change how it frames.
                    let result = r.chunk(&bufs.input, base, Ending::Final).map(|_| {
                        bufs.output = std::mem::take(&mut r.out);
                        bufs
                    });
                    if done_tx.send((seq, result)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(job_rx);

        // The producer (another thread): stream files, hand out pieces, and add
        // the parts only it knows (prologue, each file's damage, epilogue).
        let producer = s.spawn(move || -> Result<Vec<StreamEnd>, RenderError> {
            let mut seq = 0u64;
            let mut own = Renderer::new(Vec::new(), format, filter, names);
            let send_own = |own: &mut Renderer<'_, Vec<u8>>, seq: &mut u64| -> bool {
                let Ok(mut bufs) = token_rx.recv() else {
                    return false;
                };
                bufs.output.clear();
                bufs.output.append(&mut own.out);
                let ok = done_tx.send((*seq, Ok(bufs))).is_ok();
                *seq += 1;
                ok
            };
            let mut ends = Vec::with_capacity(inputs.len());
            let mut writer_gone = false;
            if format == Format::Xml {
                own.out
                    .extend_from_slice(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<audit>\n");
                writer_gone = !send_own(&mut own, &mut seq);
            }
            own.started = true;
            for (path, growing) in inputs {
                if writer_gone {
                    break;
                }
                let end = File::open(path).and_then(|mut file| {
                    stream_chunks_sized(&mut file, 0, JOB_CHUNK, |data, base, ending| {
                        let scanned = scan_select(
                            data,
                            0,
                            ending,
                            |e, s, m| filter.header_passes(e, s, m),
                            |_| {},
                        );
                        let complete = (scanned.complete_bytes as usize).min(data.len());
                        let Ok(mut bufs) = token_rx.recv() else {
                            writer_gone = true;
                            return None;
                        };
                        bufs.input.clear();
                        bufs.input.extend_from_slice(&data[..complete]);
                        if job_tx.send(Job { seq, base, bufs }).is_err() {
                            writer_gone = true;
                            return None;
                        }
                        seq += 1;
                        Some(scanned)
                    })
                });
                let end = end.map_err(|source| {
                    RenderError::Read(TrailError::Io {
                        path: path.clone(),
                        source,
                    })
                })?;
                if writer_gone {
                    break;
                }
                // Cannot fail: writing into a Vec.
                let _ = own.file_end(path, &end, *growing);
                writer_gone = !send_own(&mut own, &mut seq);
                ends.push(end);
            }
            if !writer_gone && format == Format::Xml {
                own.out.extend_from_slice(b"</audit>\n");
                send_own(&mut own, &mut seq);
            }
            // Returning drops the job and piece senders: the workers, then the
            // writer below, run out of work and finish.
            Ok(ends)
        });

        // This thread writes (the output need not be `Send`: stdout's lock is not),
        // putting pieces back in order.
        let mut out = out;
        let written = (|| -> io::Result<()> {
            let mut waiting: std::collections::BTreeMap<u64, Buffers> = Default::default();
            let mut next = 0u64;
            for (seq, piece) in done_rx.iter() {
                waiting.insert(seq, piece?);
                while let Some(b) = waiting.remove(&next) {
                    out.write_all(&b.output)?;
                    next += 1;
                    // The producer may be gone already (it stopped on an error).
                    let _ = token_tx.send(b);
                }
            }
            out.flush()
        })();
        // On a write error, hang up so the producer and workers stop instead of
        // waiting for room.
        drop(done_rx);
        drop(token_tx);
        let produced = producer.join().unwrap_or_else(|_| {
            Err(RenderError::Write(io::Error::other(
                "the trail reader thread panicked",
            )))
        });
        match (produced, written) {
            (Err(e), _) => Err(e),
            (Ok(_), Err(e)) => Err(RenderError::Write(e)),
            (Ok(ends), Ok(())) => Ok(ends),
        }
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
