//! Following the trail auditd is writing.
//!
//! auditd appends whole records with `write(2)`, but a reader can still see a
//! record half-written, so each poll reads from the last complete record's end
//! and leaves any partial last record for the next poll.

use std::fs::File;
use std::io::{Seek, SeekFrom};
use std::path::{Path, PathBuf};

use bsm::scan::RecordSummary;

use bsm::scan::scan_at;

use super::stream::{stream_chunks_sized, DamageNote, CHUNK};
use super::summary::TrailError;

/// An incremental reader over one growing trail file.
#[derive(Debug)]
pub struct TrailTail {
    path: PathBuf,
    file: File,
    offset: u64,
}

/// What one `poll` found.
#[derive(Debug, Clone, Default)]
pub struct TailBatch {
    /// Records completed since the previous poll, offsets absolute.
    pub records: Vec<RecordSummary>,
    /// Damage among those bytes (never the unfinished last record).
    pub damage: Vec<DamageNote>,
    /// Bytes after the last complete record, held back for the next poll.
    pub pending_bytes: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum TailError {
    #[error(transparent)]
    Read(#[from] TrailError),
    #[error("{} shrank to {size} bytes below the saved offset {offset}; it was replaced or truncated", path.display())]
    Shrank {
        path: PathBuf,
        size: u64,
        offset: u64,
    },
}

impl TrailTail {
    /// Starts at the beginning of the file.
    pub fn open(path: &Path) -> Result<TrailTail, TailError> {
        TrailTail::resume(path, 0)
    }

    /// Starts at a saved offset (a value `offset()` returned earlier for this file).
    /// The handle stays open, so polls keep following the same file after auditd
    /// renames it on rotation.
    pub fn resume(path: &Path, offset: u64) -> Result<TrailTail, TailError> {
        let file = File::open(path).map_err(|source| TrailError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(TrailTail {
            path: path.to_path_buf(),
            file,
            offset,
        })
    }

    /// Offset just past the last complete record read: save it to resume later.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads what was appended since the last poll.
    pub fn poll(&mut self) -> Result<TailBatch, TailError> {
        let io_err = |source| TrailError::Io {
            path: self.path.clone(),
            source,
        };
        let size = self.file.metadata().map_err(io_err)?.len();
        if size < self.offset {
            return Err(TailError::Shrank {
                path: self.path.clone(),
                size,
                offset: self.offset,
            });
        }
        if size == self.offset {
            return Ok(TailBatch::default());
        }
        self.file
            .seek(SeekFrom::Start(self.offset))
            .map_err(io_err)?;
        let mut records = Vec::new();
        // Polls are frequent and usually find a few KiB: size the buffer to what
        // was appended instead of a full 4 MiB chunk each time.
        let chunk = usize::try_from(size - self.offset)
            .unwrap_or(CHUNK)
            .clamp(256 << 10, CHUNK);
        let end = stream_chunks_sized(&mut self.file, self.offset, chunk, |data, base, ending| {
            Some(scan_at(data, 0, ending, |r| {
                let mut abs = *r;
                abs.offset += base;
                records.push(abs);
            }))
        })
        .map_err(io_err)?;
        self.offset = end.complete_bytes;
        Ok(TailBatch {
            records,
            damage: end.damage,
            pending_bytes: end.read_bytes - end.complete_bytes,
        })
    }
}
