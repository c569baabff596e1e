//! On-disk cache of unfiltered per-file summaries.
//!
//! Keyed by (absolute path, size, mtime, inode): a second pass over unchanged
//! trails costs one `stat` and one small JSON read per file. A trail that grew
//! (the `not_terminated` one auditd is writing) is not re-read from the start: the
//! cached summary records where its last complete record ended, and only the new
//! bytes are scanned and added.
//!
//! The cache is an optimisation only: a missing, unreadable, corrupt or
//! other-version entry means "recompute", never an error, and failure to write
//! an entry is ignored (read-only cache dirs, full disks).

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

use super::filter::Filter;
use super::name::TrailName;
use super::summary::{summarise_file, summarise_from, TrailError, TrailSummary};

/// Bump when the entry layout or the meaning of any counted field changes.
const CACHE_VERSION: u32 = 1;

/// A folder of cached summaries chosen by the caller (e.g. `~/Library/Caches/earshot/trails`).
#[derive(Debug, Clone)]
pub struct SummaryCache {
    dir: PathBuf,
    /// Absolute trail folders already canonicalized by this cache (and its
    /// clones), so a folder of trails costs one `realpath`, not one per file
    /// (see [`SummaryCache::canonical`]).
    folders: Arc<Mutex<HashMap<PathBuf, Option<PathBuf>>>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct FileKey {
    path: PathBuf,
    size: u64,
    mtime_ns: u128,
    dev: u64,
    ino: u64,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    version: u32,
    key: FileKey,
    summary: TrailSummary,
}

impl SummaryCache {
    /// Uses `dir`, creating it if needed. Creation failure is not fatal: lookups
    /// then simply miss.
    pub fn new(dir: impl Into<PathBuf>) -> SummaryCache {
        let dir = dir.into();
        let _ = fs::create_dir_all(&dir);
        SummaryCache {
            dir,
            folders: Arc::default(),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file's unfiltered summary, from the cache when its key still matches.
    pub fn summary(&self, path: &Path) -> Result<TrailSummary, TrailError> {
        let abs = self.canonical(path).unwrap_or_else(|| path.to_path_buf());
        let meta = fs::metadata(&abs).map_err(|source| TrailError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let key = key_of(&abs, &meta);
        let entry_path = self.entry_path(&abs);
        let cached = read_entry(&entry_path);

        if let Some(e) = &cached {
            if e.key == key {
                let mut s = e.summary.clone();
                s.path = path.to_path_buf();
                s.from_cache = true;
                return Ok(s);
            }
        }

        let summary = match cached {
            // Same file, grown, and the name says auditd may still append to it:
            // scan only what was added since the last complete record.
            Some(e)
                if may_grow(&abs)
                    && e.key.dev == key.dev
                    && e.key.ino == key.ino
                    && key.size >= e.summary.end.read_bytes
                    && e.summary.end.complete_bytes <= key.size =>
            {
                let mut new = summarise_from(&abs, e.summary.end.complete_bytes, &Filter::all())?;
                let mut merged = e.summary;
                merged.tally.merge(&new.tally);
                let tail = std::mem::take(&mut new.end.tail);
                merged.end.absorb_damage(new.end.clone());
                merged.end.tail = tail;
                merged.end.complete_bytes = new.end.complete_bytes;
                merged.end.read_bytes = new.end.read_bytes;
                merged.size = new.size;
                merged.from_cache = true;
                merged
            }
            _ => summarise_file(&abs, &Filter::all())?,
        };
        // The key must describe the bytes we read; if the file changed while we
        // read it, store the key of what we saw at the end so the next pass rescans
        // the difference rather than trusting a stale size.
        let key = fs::metadata(&abs).map(|m| key_of(&abs, &m)).unwrap_or(key);
        if key.size == summary.end.read_bytes {
            self.store(&entry_path, key, &summary);
        }
        let mut summary = summary;
        summary.path = path.to_path_buf();
        Ok(summary)
    }

    /// `fs::canonicalize(path)` (the key's path: the same trail reached as
    /// `/var/audit/…` or `/private/var/audit/…` shares one entry), without a
    /// `realpath` per file: that is one `readlink` per path component, ~9 µs a
    /// file, paid for every trail of a folder on every pass (docs/performance.md,
    /// "Trail browser", measured it on the inventory). When the file itself is not
    /// a link (one `lstat`), its canonical path is its folder's canonical path
    /// joined with its name, and the folder is canonicalized once per cache.
    /// Anything else (a linked trail, a relative folder — the working directory
    /// could change —, a name that is `..`) is canonicalized as it is.
    fn canonical(&self, path: &Path) -> Option<PathBuf> {
        let plain_file = path.is_absolute()
            && matches!(path.components().next_back(), Some(Component::Normal(_)))
            && fs::symlink_metadata(path).is_ok_and(|m| !m.file_type().is_symlink());
        let (Some(folder), Some(name), true) = (path.parent(), path.file_name(), plain_file) else {
            return fs::canonicalize(path).ok();
        };
        let folder_canon = match self.folders.lock() {
            Ok(mut folders) => folders
                .entry(folder.to_path_buf())
                .or_insert_with(|| fs::canonicalize(folder).ok())
                .clone(),
            // A thread panicked holding the lock: the memo is only a shortcut.
            Err(_) => fs::canonicalize(folder).ok(),
        };
        match folder_canon {
            Some(f) => Some(f.join(name)),
            None => fs::canonicalize(path).ok(),
        }
    }

    /// Removes entries whose trail no longer exists (expired by auditd, or renamed
    /// on rotation: a `.not_terminated` entry is dead once the file is closed).
    /// Unreadable or foreign files in the folder are left alone. Returns how many
    /// entries were removed.
    pub fn prune(&self) -> usize {
        let Ok(dir) = fs::read_dir(&self.dir) else {
            return 0;
        };
        let mut removed = 0;
        for entry in dir.flatten() {
            let path = entry.path();
            let ours = path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('v') && n.ends_with(".json"));
            if !ours {
                continue;
            }
            // Entries of another version are dead weight too.
            let dead = match read_entry(&path) {
                Some(e) => !e.key.path.exists(),
                None => fs::read(&path).is_ok(),
            };
            if dead && fs::remove_file(&path).is_ok() {
                removed += 1;
            }
        }
        removed
    }

    fn entry_path(&self, abs: &Path) -> PathBuf {
        let stem = abs
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // The hash keeps same-named trails from different folders (hosts) apart;
        // the name keeps the cache folder readable.
        self.dir.join(format!(
            "v{CACHE_VERSION}-{:016x}-{stem}.json",
            fnv1a(abs.as_os_str().as_encoded_bytes())
        ))
    }

    fn store(&self, entry_path: &Path, key: FileKey, summary: &TrailSummary) {
        let entry = Entry {
            version: CACHE_VERSION,
            key,
            summary: summary.clone(),
        };
        let Ok(bytes) = serde_json::to_vec(&entry) else {
            return;
        };
        // Write-then-rename so a concurrent reader never sees half an entry.
        let tmp = entry_path.with_extension(format!("tmp{}", std::process::id()));
        let ok = fs::File::create(&tmp)
            .and_then(|mut f| f.write_all(&bytes))
            .and_then(|()| fs::rename(&tmp, entry_path));
        if ok.is_err() {
            let _ = fs::remove_file(&tmp);
        }
    }
}

fn read_entry(path: &Path) -> Option<Entry> {
    let bytes = fs::read(path).ok()?;
    let e: Entry = serde_json::from_slice(&bytes).ok()?;
    (e.version == CACHE_VERSION).then_some(e)
}

fn may_grow(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| TrailName::parse(n).ok())
        .is_some_and(|n| n.is_not_terminated())
}

fn key_of(abs: &Path, meta: &fs::Metadata) -> FileKey {
    #[cfg(unix)]
    let (dev, ino) = {
        use std::os::unix::fs::MetadataExt;
        (meta.dev(), meta.ino())
    };
    #[cfg(not(unix))]
    let (dev, ino) = (0, 0);
    FileKey {
        path: abs.to_path_buf(),
        size: meta.len(),
        mtime_ns: meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos()),
        dev,
        ino,
    }
}

/// FNV-1a: a stable, dependency-free hash for file names (not for security).
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::symlink;

    use super::*;

    /// The shortcut must give exactly what `fs::canonicalize` gives, since the
    /// canonical path is the cache key and names the entry file.
    #[test]
    fn canonical_is_fs_canonicalize_for_every_spelling() {
        let tmp = tempfile::tempdir().unwrap();
        let private = tmp.path().join("private/var");
        let real = private.join("audit");
        fs::create_dir_all(&real).unwrap();
        // macOS: /var → /private/var.
        let alias = tmp.path().join("var");
        symlink(&private, &alias).unwrap();
        let store = tmp.path().join("store");
        fs::create_dir_all(&store).unwrap();
        let trail = "20240314111500.not_terminated";
        fs::write(real.join(trail), b"x").unwrap();
        fs::write(store.join("20240314121500.20240314131500"), b"y").unwrap();
        // A trail that is itself a link (its canonical path is the store's file).
        symlink(
            store.join("20240314121500.20240314131500"),
            real.join("20240314121500.20240314131500"),
        )
        .unwrap();

        let cache = SummaryCache::new(tmp.path().join("cache"));
        let paths = [
            real.join(trail),
            alias.join("audit").join(trail),
            alias.join("audit/./").join(trail),
            alias.join("audit/../audit").join(trail),
            real.join("20240314121500.20240314131500"),
            alias.join("audit/20240314121500.20240314131500"),
            alias.join("audit"),
            alias.join("audit/.."),
            real.join("missing.not_terminated"),
            PathBuf::from("relative/missing"),
        ];
        // Twice: the second pass is served by the folder memo.
        for _ in 0..2 {
            for p in &paths {
                assert_eq!(cache.canonical(p), fs::canonicalize(p).ok(), "{p:?}");
            }
        }
        assert_eq!(
            cache.canonical(&alias.join("audit").join(trail)),
            Some(fs::canonicalize(&real).unwrap().join(trail))
        );
    }

    #[test]
    fn one_entry_serves_the_trail_under_either_folder_spelling() {
        let tmp = tempfile::tempdir().unwrap();
        let private = tmp.path().join("private/var");
        let real = private.join("audit");
        fs::create_dir_all(&real).unwrap();
        let alias = tmp.path().join("var");
        symlink(&private, &alias).unwrap();
        let trail = "20240314091500.20240314101500";
        fs::write(real.join(trail), b"").unwrap();

        let cache = SummaryCache::new(tmp.path().join("cache"));
        let first = cache.summary(&real.join(trail)).unwrap();
        assert!(!first.from_cache);
        let again = SummaryCache::new(tmp.path().join("cache"));
        let second = again.summary(&alias.join("audit").join(trail)).unwrap();
        assert!(second.from_cache);
        // The summary names the path it was asked for, not the canonical one.
        assert_eq!(second.path, alias.join("audit").join(trail));
        assert_eq!(fs::read_dir(tmp.path().join("cache")).unwrap().count(), 1);
    }
}
