//! The event files shippers tail (spec/fleet.md §5): `events.ndjson`, appended
//! in whole lines only, rotated by rename-then-create, every file beginning
//! with a line unique to it, the rotated files capped in size and age (the
//! oldest dropped first, counted), mode 0640, root:admin on a Mac.
//!
//! The spool is also the follower's checkpoint: the last trail record a file
//! holds is where the follower resumes, so a kill at any moment neither skips
//! nor repeats a record (the batch is one `write(2)` followed by `fsync`;
//! `write` to a regular file is not torn by a signal).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The file shippers follow.
pub const ACTIVE: &str = "events.ndjson";
/// Rotated files: `events-<UTC stamp>-<sequence>.ndjson`.
pub const ROTATED_PREFIX: &str = "events-";
/// Mode of the event files: root and the admin group (macOS) read them.
pub const MODE: u32 = 0o640;
/// Mode of the spool folder.
pub const DIR_MODE: u32 = 0o750;

/// Limits of the spool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The active file is rotated at this size…
    pub file_bytes: u64,
    /// …or once it is this old (seconds; a quiet Mac still rotates daily).
    pub file_age_secs: u64,
    /// All files together stay under this: the oldest rotated file goes first.
    pub total_bytes: u64,
}

impl Limits {
    /// From a total cap in MiB: files of an eighth of it (1 MiB to 64 MiB).
    pub fn from_total_mb(mb: u32) -> Limits {
        let total = u64::from(mb.max(8)) << 20;
        Limits {
            file_bytes: (total / 8).clamp(1 << 20, 64 << 20).min(total),
            file_age_secs: 86_400,
            total_bytes: total,
        }
    }
}

/// What the spool did that status reports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counters {
    pub files_dropped: u64,
    pub bytes_dropped: u64,
}

/// Writes the line a new spool file begins with, given the time (unix
/// seconds) and the file's sequence number.
pub type FirstLine = Box<dyn FnMut(u64, u64) -> Vec<u8> + Send>;

/// The spool folder.
pub struct Spool {
    dir: PathBuf,
    limits: Limits,
    active: File,
    /// Length of the active file (what has been written whole).
    len: u64,
    /// When the active file was created (unix seconds).
    created: u64,
    sequence: u64,
    first_line: FirstLine,
    pub counters: Counters,
}

impl std::fmt::Debug for Spool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spool")
            .field("dir", &self.dir)
            .field("len", &self.len)
            .field("sequence", &self.sequence)
            .finish()
    }
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn utc_stamp(unix: u64) -> String {
    let (y, mo, d, h, mi, sec) = earshot_model::time::to_civil(unix);
    format!("{y:04}{mo:02}{d:02}T{h:02}{mi:02}{sec:02}Z")
}

fn open_active(path: &Path) -> io::Result<File> {
    let f = OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .mode(MODE)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)?;
    admin_group(&f)?;
    Ok(f)
}

/// On a Mac, the files and the folder belong to root:admin, so a shipper
/// running as an administrator reads them (a new file takes its folder's
/// group there, and /var/log is root:wheel). Elsewhere they keep root's group.
fn admin_group(f: &File) -> io::Result<()> {
    #[cfg(target_os = "macos")]
    std::os::unix::fs::fchown(f, Some(0), Some(crate::snapshot::ADMIN_GID))?;
    let _ = f;
    Ok(())
}

impl Spool {
    /// Opens (or creates) the spool in `dir`. A partial last line (a write cut
    /// short by a full disk, or by a SIGKILL between two pages of a `write`)
    /// is cut off, so the file holds whole lines only, and the lines go on in
    /// a new file: a shipper that keeps the start of an unfinished line until
    /// its newline comes (rsyslog's imfile does) would otherwise join it to
    /// the next line written, and lose that event in an unreadable line.
    /// `first_line(now, sequence)` writes the line a new file begins with.
    pub fn open(dir: &Path, limits: Limits, first_line: FirstLine) -> io::Result<Spool> {
        // The spool's clock is the real one: it names and ages real files.
        let now = unix_now();
        fs::create_dir_all(dir)?;
        admin_group(&File::open(dir)?)?;
        fs::set_permissions(dir, fs::Permissions::from_mode(DIR_MODE))?;
        let sequence = rotated_files(dir)?
            .last()
            .and_then(|(name, _)| sequence_of(name))
            .map_or(0, |s| s + 1);
        let path = dir.join(ACTIVE);
        let mut active = open_active(&path)?;
        let mut len = active.metadata()?.len();
        let whole = whole_lines_len(&mut active, len)?;
        let cut = whole != len;
        if cut {
            active.set_len(whole)?;
            len = whole;
            if len == 0 {
                // Nothing whole in it: a new file (a new inode) in its place.
                fs::remove_file(&path)?;
                active = open_active(&path)?;
            }
        }
        // The age clock starts when this helper opens the file: after a
        // restart a file may outlive its age by the helper's downtime, never
        // by more.
        let created = now;
        let mut spool = Spool {
            dir: dir.to_path_buf(),
            limits,
            active,
            len,
            created,
            sequence,
            first_line,
            counters: Counters::default(),
        };
        if len == 0 {
            let line = (spool.first_line)(now, spool.sequence);
            spool.write_raw(&line)?;
        } else if cut {
            spool.rotate(now)?;
        }
        Ok(spool)
    }

    /// Appends whole lines (`lines` ends with `\n`) durably: one `write`, then
    /// `fsync`. On a short write (a full disk) the file is cut back to where it
    /// was, so no shipper ever sees half a line, and the error is returned.
    pub fn append(&mut self, lines: &[u8]) -> io::Result<()> {
        if lines.is_empty() {
            return Ok(());
        }
        debug_assert!(lines.ends_with(b"\n"));
        self.write_raw(lines)?;
        if self.len >= self.limits.file_bytes {
            self.rotate(unix_now())?;
        }
        Ok(())
    }

    fn write_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        let before = self.len;
        let r = self.active.write(bytes);
        match r {
            Ok(n) if n == bytes.len() => {
                // The bytes are in the file (if not yet durable) either way.
                self.len += n as u64;
                self.active.sync_data()
            }
            Ok(n) => {
                let _ = self.active.set_len(before);
                Err(io::Error::new(
                    io::ErrorKind::StorageFull,
                    format!("wrote {n} of {} bytes (disk full?)", bytes.len()),
                ))
            }
            Err(e) => {
                let _ = self.active.set_len(before);
                Err(e)
            }
        }
    }

    /// Rotates when the active file is full or old: rename it to
    /// `events-<stamp>-<sequence>.ndjson`, create a new `events.ndjson` that
    /// begins with `first_line`, then drop the oldest rotated files beyond the
    /// caps. Returns whether it rotated.
    pub fn rotate_if_due(&mut self) -> io::Result<bool> {
        let now = unix_now();
        let full = self.len >= self.limits.file_bytes;
        let old = now.saturating_sub(self.created) >= self.limits.file_age_secs;
        if !(full || old) || self.len == 0 {
            return Ok(false);
        }
        self.rotate(now)?;
        Ok(true)
    }

    fn rotate(&mut self, now: u64) -> io::Result<()> {
        let name = format!(
            "{ROTATED_PREFIX}{}-{:06}.ndjson",
            utc_stamp(now),
            self.sequence
        );
        fs::rename(self.dir.join(ACTIVE), self.dir.join(&name))?;
        self.sequence += 1;
        self.active = open_active(&self.dir.join(ACTIVE))?;
        self.len = 0;
        self.created = now;
        let line = (self.first_line)(now, self.sequence);
        self.write_raw(&line)?;
        self.enforce_caps(now)
    }

    /// Drops the oldest rotated files while the spool exceeds its size cap or
    /// a rotated file is older than seven file ages.
    fn enforce_caps(&mut self, now: u64) -> io::Result<()> {
        let mut files = rotated_files(&self.dir)?;
        let mut total: u64 = self.len + files.iter().map(|(_, len)| len).sum::<u64>();
        let max_age = self.limits.file_age_secs.saturating_mul(7);
        while let Some((name, len)) = files.first().cloned() {
            let age_over = fs::metadata(self.dir.join(&name))
                .ok()
                .and_then(|m| m.modified().ok())
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .is_some_and(|t| now.saturating_sub(t.as_secs()) > max_age);
            if total <= self.limits.total_bytes && !age_over {
                break;
            }
            fs::remove_file(self.dir.join(&name))?;
            total -= len;
            self.counters.files_dropped += 1;
            self.counters.bytes_dropped += len;
            files.remove(0);
        }
        Ok(())
    }

    /// The newest line of the spool for which `f` gives a value, newest file
    /// first: where the follower finds the last record it wrote (Earshot's own
    /// events may follow it, or fill whole files). A file's tail is read
    /// first; the whole file only when the tail does not have it.
    pub fn find_last<T>(&self, mut f: impl FnMut(&[u8]) -> Option<T>) -> io::Result<Option<T>> {
        const TAIL: u64 = 256 << 10;
        let mut paths = vec![self.dir.join(ACTIVE)];
        for (name, _) in rotated_files(&self.dir)?.into_iter().rev() {
            paths.push(self.dir.join(name));
        }
        for path in paths {
            let Ok(mut file) = File::open(&path) else {
                continue;
            };
            let len = file.metadata()?.len();
            let mut window = TAIL.min(len);
            loop {
                let from = len - window;
                file.seek(SeekFrom::Start(from))?;
                let mut buf = Vec::new();
                (&mut file).take(window).read_to_end(&mut buf)?;
                let mut lines = buf.split(|b| *b == b'\n').filter(|l| !l.is_empty());
                if from > 0 {
                    // The first piece may be the middle of a line.
                    lines.next();
                }
                if let Some(v) = lines.rev().find_map(&mut f) {
                    return Ok(Some(v));
                }
                if from == 0 {
                    break;
                }
                window = len;
            }
        }
        Ok(None)
    }
}

/// Rotated files, oldest first, with their sizes.
pub fn rotated_files(dir: &Path) -> io::Result<Vec<(String, u64)>> {
    let mut v = Vec::new();
    for e in fs::read_dir(dir)? {
        let e = e?;
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with(ROTATED_PREFIX) && name.ends_with(".ndjson") {
            v.push((name, e.metadata()?.len()));
        }
    }
    // The stamp then the sequence sort by time.
    v.sort();
    Ok(v)
}

fn sequence_of(name: &str) -> Option<u64> {
    name.strip_suffix(".ndjson")?
        .rsplit('-')
        .next()?
        .parse()
        .ok()
}

/// The length of `f` up to and including its last `\n`.
fn whole_lines_len(f: &mut File, len: u64) -> io::Result<u64> {
    if len == 0 {
        return Ok(0);
    }
    let mut pos = len;
    let mut buf = vec![0u8; 64 << 10];
    while pos > 0 {
        let step = (buf.len() as u64).min(pos);
        pos -= step;
        f.seek(SeekFrom::Start(pos))?;
        let chunk = &mut buf[..step as usize];
        f.read_exact(chunk)?;
        if let Some(i) = chunk.iter().rposition(|b| *b == b'\n') {
            return Ok(pos + i as u64 + 1);
        }
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first() -> FirstLine {
        Box::new(|_now, seq| format!("{{\"first\":{seq}}}\n").into_bytes())
    }

    #[test]
    fn whole_lines_rotation_by_rename_first_lines_and_caps() {
        let dir = tempfile::tempdir().unwrap();
        let limits = Limits {
            file_bytes: 100,
            file_age_secs: 3600,
            total_bytes: 400,
        };
        let mut s = Spool::open(dir.path(), limits, first()).unwrap();
        let active = dir.path().join(ACTIVE);
        assert_eq!(fs::read(&active).unwrap(), b"{\"first\":0}\n");
        let mode = fs::metadata(&active).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, MODE);
        for i in 0..80u64 {
            s.append(format!("{{\"n\":{i}}}\n").as_bytes()).unwrap();
        }
        let rotated = rotated_files(dir.path()).unwrap();
        assert!(!rotated.is_empty());
        // Every file begins with its own first line, and holds whole lines.
        for (name, _) in &rotated {
            let text = fs::read_to_string(dir.path().join(name)).unwrap();
            assert!(text.starts_with("{\"first\":"), "{name}: {text}");
            assert!(text.ends_with('\n'));
        }
        let total: u64 =
            rotated.iter().map(|(_, l)| l).sum::<u64>() + fs::metadata(&active).unwrap().len();
        assert!(total <= 400, "{total}");
        assert!(s.counters.files_dropped > 0);
        // The newest lines come back newest first.
        let last = s.find_last(|l| Some(l.to_vec())).unwrap();
        assert_eq!(last, Some(b"{\"n\":79}".to_vec()));
    }

    #[test]
    fn a_half_written_last_line_is_cut_on_open_and_the_lines_go_on_in_a_new_file() {
        let dir = tempfile::tempdir().unwrap();
        let active = dir.path().join(ACTIVE);
        fs::write(&active, b"{\"a\":1}\n{\"b\":2}\n{\"c\":").unwrap();
        let limits = Limits::from_total_mb(64);
        let mut s = Spool::open(dir.path(), limits, first()).unwrap();
        // The cut file keeps its whole lines, under a rotated name.
        let rotated = rotated_files(dir.path()).unwrap();
        assert_eq!(rotated.len(), 1, "{rotated:?}");
        assert_eq!(
            fs::read(dir.path().join(&rotated[0].0)).unwrap(),
            b"{\"a\":1}\n{\"b\":2}\n"
        );
        // The next line does not follow the cut one in the same file.
        s.append(b"{\"c\":3}\n").unwrap();
        assert_eq!(fs::read(&active).unwrap(), b"{\"first\":1}\n{\"c\":3}\n");
        let records = |l: &[u8]| (!l.starts_with(b"{\"first\"")).then(|| l.to_vec());
        assert_eq!(s.find_last(records).unwrap(), Some(b"{\"c\":3}".to_vec()));
    }

    #[test]
    fn a_file_with_no_whole_line_is_made_anew() {
        let dir = tempfile::tempdir().unwrap();
        let active = dir.path().join(ACTIVE);
        fs::write(&active, b"{\"first\":0,\"cut").unwrap();
        let s = Spool::open(dir.path(), Limits::from_total_mb(64), first()).unwrap();
        assert_eq!(fs::read(&active).unwrap(), b"{\"first\":0}\n");
        assert!(rotated_files(dir.path()).unwrap().is_empty());
        drop(s);
    }

    #[test]
    fn stamps_sort_by_time() {
        assert_eq!(utc_stamp(0), "19700101T000000Z");
        assert_eq!(
            sequence_of("events-20261206T150220Z-000012.ndjson"),
            Some(12)
        );
    }
}
