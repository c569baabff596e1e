//! Inventory of trail folders: which files are trails, in which state, how big, and
//! which one `current` points at. Reads directory entries and metadata only.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::Serialize;

use super::name::{TrailEnd, TrailName, TrailNameError};
use super::time::Timestamp;

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
        let current = match fs::read_link(&link_path) {
            Ok(target) => {
                let target = if target.is_absolute() {
                    target
                } else {
                    dir.join(target)
                };
                let target_exists = target.exists();
                let link = CurrentLink {
                    link: link_path.clone(),
                    target,
                    target_exists,
                };
                self.current.push(link.clone());
                Some(link)
            }
            Err(_) => None,
        };
        // Compare by canonical path so `/var/audit` vs `/private/var/audit` (macOS's
        // firmlink) or a relative folder argument still match the link's target.
        let current_canon = current
            .as_ref()
            .and_then(|c| fs::canonicalize(&c.target).ok());

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
            let is_current = current_canon
                .as_ref()
                .is_some_and(|c| fs::canonicalize(&path).ok().as_ref() == Some(c));
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
