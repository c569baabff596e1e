//! What the compliance check looks at, gathered by someone else.
//!
//! The baseline evaluator is pure: it never touches the file system. The CLI (for
//! `--root`) or the `System` boundary (helper, simulated Mac) fills these structs, so
//! the same evaluation runs on a real Mac, a simulated root or a test fixture.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The kind of a directory entry, as `lstat` sees it (links are not followed: the
/// `current` link in `/var/audit` is reported as a link).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    File,
    Dir,
    Symlink,
    Other,
}

/// Ownership and permission facts of one path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileMeta {
    pub kind: FileKind,
    pub uid: u32,
    pub gid: u32,
    /// Permission bits including set-id and sticky (`st_mode & 0o7777`).
    pub mode: u32,
    /// Whether an extended ACL is attached; `None` when the gatherer cannot tell
    /// (e.g. a simulated root on Linux), which makes the ACL rules "unknown".
    pub has_acl: Option<bool>,
}

impl FileMeta {
    /// A root:wheel regular file / directory with the given mode and no ACL; handy for
    /// fixtures and for the simulated Mac.
    pub fn root_wheel(kind: FileKind, mode: u32) -> FileMeta {
        FileMeta {
            kind,
            uid: 0,
            gid: 0,
            mode,
            has_acl: Some(false),
        }
    }

    /// The `ls -l` mode string (`-r--r-----`, `drwx------`, with `+` for an ACL),
    /// which is what the mSCP checks pattern-match on.
    pub fn ls_mode_string(&self) -> String {
        let mut s = String::with_capacity(11);
        s.push(match self.kind {
            FileKind::File => '-',
            FileKind::Dir => 'd',
            FileKind::Symlink => 'l',
            FileKind::Other => '?',
        });
        let m = self.mode;
        let triplet = |r: u32, w: u32, x: u32, special: u32, set: char, unset: char| {
            let mut t = String::with_capacity(3);
            t.push(if m & r != 0 { 'r' } else { '-' });
            t.push(if m & w != 0 { 'w' } else { '-' });
            t.push(match (m & x != 0, m & special != 0) {
                (true, true) => set,
                (false, true) => unset,
                (true, false) => 'x',
                (false, false) => '-',
            });
            t
        };
        s.push_str(&triplet(0o400, 0o200, 0o100, 0o4000, 's', 'S'));
        s.push_str(&triplet(0o040, 0o020, 0o010, 0o2000, 's', 'S'));
        s.push_str(&triplet(0o004, 0o002, 0o001, 0o1000, 't', 'T'));
        if self.has_acl == Some(true) {
            s.push('+');
        }
        s
    }
}

/// One entry of an audit trail directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirEntry {
    pub name: String,
    pub meta: FileMeta,
}

/// A trail directory: its own facts and (when it could be listed) its entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirFacts {
    /// `None`: the directory does not exist.
    pub meta: Option<FileMeta>,
    /// Entries other than `.` and `..`, dot-files excluded as `ls` does.
    pub entries: Vec<DirEntry>,
}

/// Ownership/mode/ACL facts for the files the baselines care about.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileFacts {
    /// Whether anyone gathered file facts at all. `false` (the default) makes every
    /// owner/mode/ACL rule "unknown" instead of failing on absent data.
    pub gathered: bool,
    /// `/etc/security/audit_control`; `None`: missing.
    pub audit_control: Option<FileMeta>,
    /// Keyed by absolute path: every `dir:` of audit_control and `/var/audit`.
    /// A configured directory absent from the map does not exist.
    pub dirs: BTreeMap<String, DirFacts>,
}

/// The state of the auditd service, as only root can see it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceFacts {
    /// `com.apple.auditd` is listed by `launchctl print system` (loaded/enabled).
    pub launchd_job_loaded: Option<bool>,
    /// `audit -c` reports `AUC_AUDITING` (kernel auditing on, trail open).
    pub kernel_auditing: Option<bool>,
}

/// Everything a baseline evaluation reads.
#[derive(Debug, Clone, Default)]
pub struct Observed {
    /// Bytes of `/etc/security/audit_control`; `None` when the file does not exist
    /// (the macOS 14+ default).
    pub audit_control: Option<Vec<u8>>,
    /// Bytes of `/etc/security/audit_warn`; `None` when unknown or missing — see
    /// `audit_warn_known`.
    pub audit_warn: Option<Vec<u8>>,
    /// Whether `audit_warn` was looked at (so `None` means "missing", not "not read").
    pub audit_warn_known: bool,
    pub files: FileFacts,
    pub service: ServiceFacts,
}
