//! Safe access to audit_control: every operation is relative to a folder
//! reached from a trusted root without following any link.
//!
//! The helper runs as root and the file's folder may be writable by someone
//! less trusted (a simulated Mac's owner; on a real Mac, anyone who gained
//! root once and left a trap). So:
//! - the folder is reached component by component with `O_NOFOLLOW`: no
//!   folder on the way may be a symbolic link (on macOS the walk starts at `/`
//!   and goes through `private/etc/security`, because `/etc` itself is a link);
//! - the file is opened `O_NOFOLLOW | O_NONBLOCK`, so a link is refused and a
//!   FIFO cannot hang the open; it must be a regular file;
//! - it is at most [`MAX_CONTROL_LEN`] bytes (real files are under 1 KiB);
//! - temp files, the rename and the removal happen relative to the folder's
//!   descriptor, so swapping a folder for a link mid-change does not redirect
//!   the write.

use std::io::Read;
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};

use earshot_api::{ApiError, ErrorCode, Finding, HealthLevel, MAX_CONTROL_LEN};
use rustix::fs::{AtFlags, FileType, Mode, OFlags};
use rustix::io::Errno;

/// Where audit_control lives: a trusted root and the path below it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlLocation {
    /// Opened by path: `/` on a Mac, the (canonical) simulated root otherwise.
    pub root: PathBuf,
    /// The folders from the root to the file's folder, e.g.
    /// `["private", "etc", "security"]`.
    pub folders: Vec<String>,
    /// The file's name in that folder (`audit_control`).
    pub name: String,
}

impl ControlLocation {
    /// `root/etc/security/audit_control` (the simulated Mac, test folders).
    pub fn under(root: &Path) -> ControlLocation {
        ControlLocation {
            root: root.to_path_buf(),
            folders: vec!["etc".into(), "security".into()],
            name: "audit_control".into(),
        }
    }

    /// The real Mac: `/etc` is a link to `/private/etc`, so the walk names
    /// the real folders.
    pub fn mac() -> ControlLocation {
        ControlLocation {
            root: PathBuf::from("/"),
            folders: vec!["private".into(), "etc".into(), "security".into()],
            name: "audit_control".into(),
        }
    }

    /// The path a person would type (for messages only; never opened).
    pub fn display_path(&self) -> PathBuf {
        let mut p = self.root.clone();
        p.extend(&self.folders);
        p.push(&self.name);
        p
    }
}

/// Why audit_control was not read or written.
#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    #[error("{path} is a symbolic link; Earshot does not read or write through links. Replace it with a regular file (root:wheel 0440) or remove it")]
    FileIsLink { path: PathBuf },
    #[error("the folder {path} is a symbolic link (or not a folder); Earshot reaches audit_control only through real folders. Put the real folder back in its place")]
    FolderIsLink { path: PathBuf },
    #[error("{path} is a {kind}, not a regular file; Earshot will not read from it. Remove it and restore audit_control (roll back, or copy audit_control.example)")]
    NotRegular { path: PathBuf, kind: &'static str },
    #[error("{path} is {size} bytes; a real audit_control is under 1 KiB and Earshot reads at most {MAX_CONTROL_LEN}. Check who wrote it, then roll back to a recorded revision")]
    TooLarge { path: PathBuf, size: u64 },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl ControlError {
    /// The status finding code: one per kind of refusal, so an MDM or the UI
    /// can branch on it.
    pub fn finding_code(&self) -> &'static str {
        match self {
            ControlError::FileIsLink { .. } => "audit-control-link",
            ControlError::FolderIsLink { .. } => "audit-control-folder-link",
            ControlError::NotRegular { .. } => "audit-control-not-regular",
            ControlError::TooLarge { .. } => "audit-control-too-large",
            ControlError::Io { .. } => "audit-control-unreadable",
        }
    }

    pub fn to_api(&self) -> ApiError {
        let code = match self {
            ControlError::Io { .. } => ErrorCode::Io,
            _ => ErrorCode::UnsafeConfig,
        };
        ApiError::new(code, self.to_string())
    }

    pub fn finding(&self) -> Finding {
        Finding {
            level: HealthLevel::Error,
            code: self.finding_code().into(),
            message: self.to_string(),
        }
    }

    /// True for refusals of what is there (as opposed to an I/O failure).
    pub fn is_refusal(&self) -> bool {
        !matches!(self, ControlError::Io { .. })
    }
}

fn io(path: &Path, e: impl Into<std::io::Error>) -> ControlError {
    ControlError::Io {
        path: path.to_path_buf(),
        source: e.into(),
    }
}

fn kind_name(t: FileType) -> &'static str {
    match t {
        FileType::Fifo => "FIFO (named pipe)",
        FileType::CharacterDevice => "character device",
        FileType::BlockDevice => "block device",
        FileType::Socket => "socket",
        FileType::Directory => "folder",
        FileType::Symlink => "symbolic link",
        _ => "special file",
    }
}

/// Permission bits of a `st_mode` (`u16` on macOS, `u32` on Linux).
#[allow(clippy::unnecessary_cast)]
fn mode_bits(mode: rustix::fs::RawMode) -> u32 {
    mode as u32 & 0o7777
}

/// Owner, group and permission bits of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ownership {
    pub uid: u32,
    pub gid: u32,
    pub mode: u32,
}

/// audit_control's folder, opened safely.
#[derive(Debug)]
pub struct ControlDir {
    fd: OwnedFd,
    loc: ControlLocation,
    folder: PathBuf,
}

impl ControlDir {
    /// Walk from the root to the folder without following links.
    pub fn open(loc: &ControlLocation) -> Result<ControlDir, ControlError> {
        let dir_flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC | OFlags::NOFOLLOW;
        let mut fd =
            rustix::fs::open(&loc.root, dir_flags, Mode::empty()).map_err(|e| match e {
                Errno::LOOP | Errno::NOTDIR => ControlError::FolderIsLink {
                    path: loc.root.clone(),
                },
                e => io(&loc.root, e),
            })?;
        let mut folder = loc.root.clone();
        for part in &loc.folders {
            folder.push(part);
            fd = rustix::fs::openat(&fd, part.as_str(), dir_flags, Mode::empty()).map_err(|e| {
                match e {
                    Errno::LOOP | Errno::NOTDIR => ControlError::FolderIsLink {
                        path: folder.clone(),
                    },
                    e => io(&folder, e),
                }
            })?;
        }
        Ok(ControlDir {
            fd,
            loc: loc.clone(),
            folder,
        })
    }

    pub fn path(&self) -> PathBuf {
        self.folder.join(&self.loc.name)
    }

    /// The file's bytes; `None` when there is none.
    pub fn read(&self) -> Result<Option<Vec<u8>>, ControlError> {
        let path = self.path();
        // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
        // writer, with the change lock held. It does not affect regular files.
        let flags =
            OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC | OFlags::NOCTTY;
        let fd = match rustix::fs::openat(&self.fd, self.loc.name.as_str(), flags, Mode::empty()) {
            Ok(fd) => fd,
            Err(Errno::NOENT) => return Ok(None),
            Err(Errno::LOOP) => return Err(ControlError::FileIsLink { path }),
            // Linux refuses O_NOFOLLOW on a link to a folder with ENOTDIR in
            // some cases; it is still a link.
            Err(e) => {
                if self.is_link() {
                    return Err(ControlError::FileIsLink { path });
                }
                return Err(io(&path, e));
            }
        };
        let st = rustix::fs::fstat(&fd).map_err(|e| io(&path, e))?;
        let t = FileType::from_raw_mode(st.st_mode);
        if t != FileType::RegularFile {
            return Err(ControlError::NotRegular {
                path,
                kind: kind_name(t),
            });
        }
        let size = st.st_size as u64;
        if size > MAX_CONTROL_LEN as u64 {
            return Err(ControlError::TooLarge { path, size });
        }
        let mut bytes = Vec::with_capacity(size as usize);
        // Read one byte past the limit: a file growing under us is caught too.
        std::fs::File::from(fd)
            .take(MAX_CONTROL_LEN as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| io(&path, e))?;
        if bytes.len() > MAX_CONTROL_LEN {
            return Err(ControlError::TooLarge {
                path,
                size: bytes.len() as u64,
            });
        }
        Ok(Some(bytes))
    }

    fn is_link(&self) -> bool {
        rustix::fs::statat(&self.fd, self.loc.name.as_str(), AtFlags::SYMLINK_NOFOLLOW)
            .is_ok_and(|st| FileType::from_raw_mode(st.st_mode) == FileType::Symlink)
    }

    /// Owner and mode of the file, `None` when it does not exist; anything
    /// other than a regular file is refused.
    pub fn ownership(&self) -> Result<Option<Ownership>, ControlError> {
        let path = self.path();
        match rustix::fs::statat(&self.fd, self.loc.name.as_str(), AtFlags::SYMLINK_NOFOLLOW) {
            Ok(st) => match FileType::from_raw_mode(st.st_mode) {
                FileType::RegularFile => Ok(Some(Ownership {
                    uid: st.st_uid,
                    gid: st.st_gid,
                    mode: mode_bits(st.st_mode),
                })),
                FileType::Symlink => Err(ControlError::FileIsLink { path }),
                t => Err(ControlError::NotRegular {
                    path,
                    kind: kind_name(t),
                }),
            },
            Err(Errno::NOENT) => Ok(None),
            Err(e) => Err(io(&path, e)),
        }
    }

    /// Owner of the folder itself (a new file is owned like its folder).
    pub fn folder_ownership(&self) -> std::io::Result<Ownership> {
        let st = rustix::fs::fstat(&self.fd)?;
        Ok(Ownership {
            uid: st.st_uid,
            gid: st.st_gid,
            mode: mode_bits(st.st_mode),
        })
    }

    /// Create `name` exclusively (never through a link) for writing.
    pub fn create_new(&self, name: &str) -> std::io::Result<std::fs::File> {
        let flags =
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let fd = rustix::fs::openat(&self.fd, name, flags, Mode::from_raw_mode(0o600))?;
        Ok(std::fs::File::from(fd))
    }

    /// `rename(from, audit_control)` inside the folder.
    pub fn replace_with(&self, from: &str) -> std::io::Result<()> {
        Ok(rustix::fs::renameat(
            &self.fd,
            from,
            &self.fd,
            self.loc.name.as_str(),
        )?)
    }

    /// Remove `name` from the folder (`NotFound` is success).
    pub fn remove(&self, name: &str) -> std::io::Result<()> {
        match rustix::fs::unlinkat(&self.fd, name, AtFlags::empty()) {
            Ok(()) | Err(Errno::NOENT) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Remove audit_control itself.
    pub fn remove_control(&self) -> std::io::Result<()> {
        let name = self.loc.name.clone();
        self.remove(&name)
    }

    /// fsync the folder, so a rename or removal in it survives a crash.
    pub fn sync(&self) -> std::io::Result<()> {
        Ok(rustix::fs::fsync(&self.fd)?)
    }

    /// Names in the folder starting with `prefix`.
    pub fn names_with_prefix(&self, prefix: &str) -> Vec<String> {
        let Ok(dup) = rustix::fs::openat(
            &self.fd,
            ".",
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        ) else {
            return Vec::new();
        };
        let Ok(dir) = rustix::fs::Dir::read_from(dup.as_fd()) else {
            return Vec::new();
        };
        dir.filter_map(Result::ok)
            .filter_map(|e| e.file_name().to_str().ok().map(str::to_string))
            .filter(|n| n.starts_with(prefix))
            .collect()
    }
}
