//! Inventory of trail folders: which files are trails, in which state, how big, and
//! which one `current` points at. Reads directory entries and metadata only.

use std::fs;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::Serialize;

use super::name::{TrailEnd, TrailName, TrailNameError};
use earshot_model::time::Timestamp;

/// The state of a trail as far as names and the `current` link tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TrailState {
    /// `START.END`: rotated or terminated normally.
    Closed,
    /// `START.not_terminated` that `current` points at: auditd is writing it.
    Active,
    /// `START.not_terminated` without `current` pointing at it: auditd is not running
    /// or died; auditd will rename it `crash_recovery` at its next start.
    NotTerminated,
    /// `START.crash_recovery`: left behind by a crash and renamed by auditd.
    CrashRecovery,
}

impl TrailState {
    pub fn as_str(self) -> &'static str {
        match self {
            TrailState::Closed => "closed",
            TrailState::Active => "active",
            TrailState::NotTerminated => "not_terminated",
            TrailState::CrashRecovery => "crash_recovery",
        }
    }
}

/// One trail file.
#[derive(Debug, Clone, Serialize)]
pub struct Trail {
    pub path: PathBuf,
    pub name: TrailName,
    pub size: u64,
    /// Modification time (part of the summary cache key).
    #[serde(skip)]
    pub modified: Option<SystemTime>,
    /// Whether the folder's `current` link resolves to this file.
    pub is_current: bool,
    pub state: TrailState,
    /// UTC start from the name.
    pub start: Timestamp,
    /// UTC end from the name, for closed trails.
    pub end: Option<Timestamp>,
}

/// A folder entry that is not a trail, with the reason.
#[derive(Debug, Clone, Serialize)]
pub struct UnknownEntry {
    pub path: PathBuf,
    pub reason: String,
}

/// Where a folder's `current` link points.
#[derive(Debug, Clone, Serialize)]
pub struct CurrentLink {
    pub link: PathBuf,
    /// The link's target made absolute (auditd writes an absolute path).
    pub target: PathBuf,
    /// False when the link dangles (auditd crashed and the file was removed, or
    /// the link is stale after a manual cleanup).
    pub target_exists: bool,
}

/// Everything found in the folders scanned.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Inventory {
    /// Trails sorted by start time, then name.
    pub trails: Vec<Trail>,
    pub current: Vec<CurrentLink>,
    pub unknown: Vec<UnknownEntry>,
}

#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
    #[error("cannot read trail folder {}: {source}", dir.display())]
    ReadDir { dir: PathBuf, source: io::Error },
    #[error("cannot read {}: {source}", path.display())]
    Stat { path: PathBuf, source: io::Error },
    #[error("{} is not a trail: {source}", path.display())]
    NotATrail {
        path: PathBuf,
        source: TrailNameError,
    },
}

impl Trail {
    /// A trail from an explicit path (the file need not be in an inventoried folder).
    /// `is_current` is left false; `Inventory::scan` fills it from the folder's link.
    pub fn from_path(path: &Path) -> Result<Trail, InventoryError> {
        let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let name = TrailName::parse(file_name).map_err(|source| InventoryError::NotATrail {
            path: path.to_path_buf(),
            source,
        })?;
        let meta = fs::metadata(path).map_err(|source| InventoryError::Stat {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(Trail::with_meta(path.to_path_buf(), name, &meta, false))
    }

    fn with_meta(path: PathBuf, name: TrailName, meta: &fs::Metadata, is_current: bool) -> Trail {
        let state = match name.end {
            TrailEnd::Closed(_) => TrailState::Closed,
            TrailEnd::NotTerminated if is_current => TrailState::Active,
            TrailEnd::NotTerminated => TrailState::NotTerminated,
            TrailEnd::CrashRecovery => TrailState::CrashRecovery,
        };
        Trail {
            path,
            start: name.start,
            end: name.end_time(),
            name,
            size: meta.len(),
            modified: meta.modified().ok(),
            is_current,
            state,
        }
    }

    /// Whether the file may still grow (read it incrementally, never cache it as final).
    pub fn is_growing(&self) -> bool {
        self.is_current || self.name.is_not_terminated()
    }
}

/// The file a folder's `current` link resolves to, and how to tell a listed trail
/// is that file without resolving every trail's path.
///
/// A trail is current when its path and the link's target canonicalize to the same
/// path, so `/var/audit/…` and `/private/var/audit/…` (macOS's /var → /private/var
/// link), a relative link target or a relative folder argument still match. But
/// canonicalizing costs one `readlink` per path component per file — ~9 µs per
/// trail, 22 ms per listing of a 30-day folder (docs/performance.md, "Trail
/// browser") — so it is done only for a trail whose (device, inode), from the
/// metadata the listing reads anyway, is the target's: a path that canonicalizes
/// to the target is necessarily that file, so no other trail can match.
///
/// The canonical comparison is kept for the trails that pass the inode test
/// because a hard link to the target is the same file under another name, which
/// the inode alone cannot tell from the name `current` points at. Only the name
/// the link points at is current: it is the name auditd writes through and
/// renames at rotation; the other name keeps the state its own name gives.
struct CurrentTarget {
    target: PathBuf,
    /// (device, inode) of the file the link resolves to; `None` when it dangles.
    id: Option<(u64, u64)>,
    /// The target canonicalized, resolved once on the first inode match.
    canonical: Option<Option<PathBuf>>,
}

impl CurrentTarget {
    fn new(target: PathBuf, meta: Option<&fs::Metadata>) -> CurrentTarget {
        CurrentTarget {
            target,
            id: meta.map(|m| (m.dev(), m.ino())),
            canonical: None,
        }
    }

    /// Whether the link resolves to the trail at `path`, whose metadata (links
    /// followed) is `meta`.
    fn is_reached_by(&mut self, path: &Path, meta: &fs::Metadata) -> bool {
        if self.id != Some((meta.dev(), meta.ino())) {
            return false;
        }
        let target = &self.target;
        let canonical = self
            .canonical
            .get_or_insert_with(|| fs::canonicalize(target).ok());
        canonical.is_some() && fs::canonicalize(path).ok() == *canonical
    }
}

impl Inventory {
    /// Scans each folder (non-recursive). A folder that cannot be listed is an error;
    /// a single entry that cannot be inspected becomes an `UnknownEntry`, because one
    /// unreadable file should not hide the rest of the trail.
    pub fn scan<P: AsRef<Path>>(dirs: &[P]) -> Result<Inventory, InventoryError> {
        let mut inv = Inventory::default();
        for dir in dirs {
            inv.scan_one(dir.as_ref())?;
        }
        inv.trails
            .sort_by(|a, b| (a.start, a.path.as_path()).cmp(&(b.start, b.path.as_path())));
        inv.unknown.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(inv)
    }

    fn scan_one(&mut self, dir: &Path) -> Result<(), InventoryError> {
        let read_err = |source| InventoryError::ReadDir {
            dir: dir.to_path_buf(),
            source,
        };
        let link_path = dir.join("current");
        let mut current = None;
        if let Ok(target) = fs::read_link(&link_path) {
            let target = if target.is_absolute() {
                target
            } else {
                dir.join(target)
            };
            // One `stat` (following every link) both tells whether the link dangles
            // and gives the identity trails are compared by below.
            let target_meta = fs::metadata(&target).ok();
            let link = CurrentLink {
                link: link_path.clone(),
                target,
                target_exists: target_meta.is_some(),
            };
            self.current.push(link.clone());
            current = Some(CurrentTarget::new(link.target, target_meta.as_ref()));
        }

        for entry in fs::read_dir(dir).map_err(read_err)? {
            let entry = entry.map_err(read_err)?;
            let path = entry.path();
            let file_name = entry.file_name();
            let Some(name_str) = file_name.to_str() else {
                self.unknown.push(UnknownEntry {
                    path,
                    reason: "file name is not UTF-8".into(),
                });
                continue;
            };
            if name_str == "current" && current.is_some() {
                continue;
            }
            let name = match TrailName::parse(name_str) {
                Ok(n) => n,
                Err(e) => {
                    self.unknown.push(UnknownEntry {
                        path,
                        reason: e.to_string(),
                    });
                    continue;
                }
            };
            // Follow symlinks: a trail symlinked into the folder is still a trail.
            let meta = match fs::metadata(&path) {
                Ok(m) if m.is_file() => m,
                Ok(_) => {
                    self.unknown.push(UnknownEntry {
                        path,
                        reason: "has a trail name but is not a regular file".into(),
                    });
                    continue;
                }
                Err(e) => {
                    self.unknown.push(UnknownEntry {
                        path,
                        reason: format!("cannot read metadata: {e}"),
                    });
                    continue;
                }
            };
            let is_current = current
                .as_mut()
                .is_some_and(|c| c.is_reached_by(&path, &meta));
            self.trails
                .push(Trail::with_meta(path, name, &meta, is_current));
        }
        Ok(())
    }

    /// Total bytes of all trails.
    pub fn total_bytes(&self) -> u64 {
        self.trails.iter().map(|t| t.size).sum()
    }
}
