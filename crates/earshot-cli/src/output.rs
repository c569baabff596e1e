//! Where `--out` writes.
//!
//! A regular file (new or existing) is written beside itself under a temporary
//! name and renamed into place at the end, so an interrupted export or a viewer
//! watching the file never sees half of it. Anything else that already exists
//! under the name — `/dev/null`, `/dev/stdout`, a FIFO a shipper reads — is
//! opened and written as it is: renaming over it would replace a device node or
//! a pipe with a plain file (as root, `--out /dev/null` would have replaced the
//! machine's /dev/null).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// An output being written; [`Output::commit`] makes it visible under its name.
/// Dropped without a commit, a temporary file is removed.
pub struct Output {
    file: File,
    /// `(temporary, final)` when the output replaces a regular file.
    rename: Option<(PathBuf, PathBuf)>,
}

impl Output {
    /// Opens `path` for writing (see the module's note for how).
    pub fn create(path: &Path) -> Result<Output> {
        match fs::metadata(path) {
            Ok(m) if !m.is_file() && !m.is_dir() => {
                let file = OpenOptions::new()
                    .write(true)
                    .open(path)
                    .with_context(|| format!("cannot open {} for writing", path.display()))?;
                return Ok(Output { file, rename: None });
            }
            Ok(m) if m.is_dir() => {
                anyhow::bail!("{} is a folder: name a file to write", path.display())
            }
            _ => {}
        }
        // A link to a regular file: replace the file it names, keep the link.
        let target = match fs::symlink_metadata(path) {
            Ok(m) if m.file_type().is_symlink() => fs::canonicalize(path)
                .with_context(|| format!("cannot resolve {}", path.display()))?,
            _ => path.to_path_buf(),
        };
        let mut tmp_name = target
            .file_name()
            .map(|n| n.to_os_string())
            .unwrap_or_else(|| "output".into());
        tmp_name.push(format!(".earshot-partial-{}", std::process::id()));
        let tmp = target.with_file_name(tmp_name);
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .with_context(|| format!("cannot create {}", tmp.display()))?;
        Ok(Output {
            file,
            rename: Some((tmp, target)),
        })
    }

    /// Writes `bytes` to `path` and commits.
    pub fn write(path: &Path, bytes: &[u8]) -> Result<()> {
        let mut out = Output::create(path)?;
        out.write_all(bytes)
            .with_context(|| format!("cannot write {}", path.display()))?;
        out.commit()
    }

    /// Flushes and, for a replaced file, renames it into place.
    pub fn commit(mut self) -> Result<()> {
        self.file.flush()?;
        if let Some((tmp, target)) = self.rename.take() {
            if let Err(e) = fs::rename(&tmp, &target) {
                let _ = fs::remove_file(&tmp);
                return Err(e).with_context(|| {
                    format!("cannot rename {} to {}", tmp.display(), target.display())
                });
            }
        }
        Ok(())
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        if let Some((tmp, _)) = &self.rename {
            let _ = fs::remove_file(tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_regular_file_is_replaced_only_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.ndjson");
        fs::write(&path, b"old\n").unwrap();
        let mut out = Output::create(&path).unwrap();
        out.write_all(b"new\n").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"old\n");
        out.commit().unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new\n");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn an_abandoned_output_leaves_the_old_file_and_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.ndjson");
        fs::write(&path, b"old\n").unwrap();
        let mut out = Output::create(&path).unwrap();
        out.write_all(b"half").unwrap();
        drop(out);
        assert_eq!(fs::read(&path).unwrap(), b"old\n");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_link_keeps_pointing_at_the_replaced_file() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("2026-12-06.ndjson");
        let link = dir.path().join("latest.ndjson");
        fs::write(&real, b"old\n").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        Output::write(&link, b"new\n").unwrap();
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(fs::read(&real).unwrap(), b"new\n");
    }

    #[test]
    fn a_fifo_is_written_as_it_is_and_stays_a_fifo() {
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("to-shipper");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || fs::read(fifo).unwrap())
        };
        Output::write(&fifo, b"event\n").unwrap();
        assert_eq!(reader.join().unwrap(), b"event\n");
        assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn dev_null_is_written_not_replaced() {
        use std::os::unix::fs::FileTypeExt;
        Output::write(Path::new("/dev/null"), b"nothing\n").unwrap();
        let m = fs::symlink_metadata("/dev/null").unwrap();
        assert!(m.file_type().is_char_device());
    }

    #[test]
    fn a_folder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let err = Output::create(dir.path()).err().unwrap();
        assert!(err.to_string().contains("is a folder"), "{err}");
    }
}
