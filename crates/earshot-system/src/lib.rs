//! The `System` boundary: everything Earshot needs from the operating system, behind
//! one narrow trait so the same domain code runs against a real Mac ([`MacOs`]) and a
//! simulated one (`earshot_sim::SimulatedMac`).
//!
//! This crate is also the one place with macOS FFI — ACLs and BSD flags of a file,
//! `statfs`, the audit pipe ([`auditpipe`]), the Keychain ([`keystore`]) — so a
//! Mac review reads this crate, and every other crate forbids `unsafe`.
//!
//! The trait is deliberately small and typed. Commands are an enum with fixed argv —
//! there is no way to pass a free string to a shell through it — because the
//! privileged helper will sit on top of this trait and must never become a generic
//! "run anything as root" service.

#[cfg(target_os = "macos")]
pub mod auditpipe;
mod clock;
mod macos;
pub mod process;
mod settings;

pub use clock::{from_unix, unix_f64, unix_secs, Clock, VirtualClock};
pub use macos::{
    parse_audit_condition, parse_launchctl_print, parse_print_disabled, parse_sw_vers,
    AuditCondition, LaunchdJob, MacOs, MacOsVersion,
};
pub use settings::{AuditSettings, ExpiryOp, ExpiryRule, PolicySettings};

use std::ffi::OsString;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

/// Where `auditd` keeps the link to the active trail, whatever `dir:` says
/// (upstream `AUDIT_CURRENT_LINK`).
pub const CURRENT_LINK: &str = "/var/audit/current";
/// The default trail folder.
pub const DEFAULT_TRAIL_DIR: &str = "/var/audit";
pub const AUDIT_CONTROL: &str = "/etc/security/audit_control";
pub const AUDIT_CONTROL_EXAMPLE: &str = "/etc/security/audit_control.example";
pub const AUDIT_CLASS: &str = "/etc/security/audit_class";
pub const AUDIT_EVENT: &str = "/etc/security/audit_event";
/// The machine's own audit_class and audit_event tables, read through `sys` —
/// Apple's embedded copies where a file cannot be read. Every reader of trails
/// and configs on a Mac (status, charts, measurements, the simulator) goes through
/// this one function so they all agree on class names and event classes.
pub fn audit_tables(
    sys: &dyn System,
) -> (
    audit_control::tables::ClassTable,
    audit_control::tables::EventTable,
) {
    use audit_control::tables::{ClassTable, EventTable};
    let classes = sys
        .read_file(Path::new(AUDIT_CLASS))
        .map(|b| ClassTable::parse(&b))
        .unwrap_or_else(|_| ClassTable::apple());
    let events = sys
        .read_file(Path::new(AUDIT_EVENT))
        .map(|b| EventTable::parse_with_classes(&b, &classes))
        .unwrap_or_else(|_| EventTable::apple());
    (classes, events)
}

/// launchd label of the audit daemon.
pub const AUDITD_LABEL: &str = "com.apple.auditd";

/// BSD file flag `uchg` (user immutable), `UF_IMMUTABLE` in `<sys/stat.h>`.
pub const UF_IMMUTABLE: u32 = 0x0000_0002;
/// BSD file flag `schg` (system immutable), `SF_IMMUTABLE`.
pub const SF_IMMUTABLE: u32 = 0x0002_0000;

/// Something the `System` could not do, with the macOS path it concerned.
#[derive(Debug, thiserror::Error)]
pub enum SystemError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{path} is not an absolute macOS path")]
    NotAbsolute { path: PathBuf },
    #[error("{path} leaves the simulated Mac's root folder")]
    OutsideRoot { path: PathBuf },
    #[error("could not run `{command}`: {source}")]
    Spawn {
        command: String,
        #[source]
        source: io::Error,
    },
    #[error("simulated Mac state file {path}: {message}")]
    State { path: PathBuf, message: String },
    #[error("simulated auditd: {0}")]
    Simulator(String),
}

impl SystemError {
    pub fn io(path: impl Into<PathBuf>, source: io::Error) -> Self {
        SystemError::Io {
            path: path.into(),
            source,
        }
    }

    /// True when the error means "there is nothing there" — callers treat that as an
    /// observation (file absent) rather than a failure to observe.
    pub fn is_not_found(&self) -> bool {
        matches!(self, SystemError::Io { source, .. } if source.kind() == io::ErrorKind::NotFound)
    }

    /// True when the error means "not allowed to look" — the menu-bar app runs
    /// unprivileged and meets this for `/var/audit` (mode 0700 root:wheel).
    pub fn is_permission_denied(&self) -> bool {
        matches!(self, SystemError::Io { source, .. } if source.kind() == io::ErrorKind::PermissionDenied)
    }
}

/// Free and total space of the volume holding a path (`statvfs`; `statfs` on macOS),
/// in the units the kernel and auditd use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VolumeStats {
    /// The unit of the block counts: `f_frsize` of `statvfs` (`f_bsize` of
    /// `statfs` on macOS).
    pub block_size: u64,
    /// Total blocks (`f_blocks`).
    pub blocks: u64,
    /// Free blocks including those reserved for root (`f_bfree`) — what both the
    /// kernel's and auditd's minfree checks use.
    pub blocks_free: u64,
    /// Free blocks available to unprivileged users (`f_bavail`).
    pub blocks_available: u64,
}

impl VolumeStats {
    pub fn total_bytes(&self) -> u64 {
        self.blocks.saturating_mul(self.block_size)
    }

    pub fn free_bytes(&self) -> u64 {
        self.blocks_free.saturating_mul(self.block_size)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    File,
    Dir,
    Symlink,
    Other,
}

/// What `lstat(2)` says about a path (links are not followed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileMeta {
    pub kind: FileKind,
    pub len: u64,
    /// Permission bits only (`st_mode & 07777`).
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    /// Modification time, seconds since the epoch (may be negative on odd volumes).
    pub mtime_secs: i64,
    pub mtime_nanos: u32,
    /// BSD file flags (`st_flags`, e.g. [`UF_IMMUTABLE`]); `None` where the platform
    /// has no such field (Linux) and no simulated value was recorded.
    pub flags: Option<u32>,
    /// Whether an extended ACL is attached (what `ls -le` lists; mSCP wants none on
    /// audit_control, the trail folder and the trails). `None` where it cannot be
    /// determined (not macOS, or the query failed).
    pub has_acl: Option<bool>,
}

impl FileMeta {
    pub fn mtime(&self) -> SystemTime {
        if self.mtime_secs >= 0 {
            SystemTime::UNIX_EPOCH
                + std::time::Duration::new(self.mtime_secs.unsigned_abs(), self.mtime_nanos)
        } else {
            SystemTime::UNIX_EPOCH - std::time::Duration::from_secs(self.mtime_secs.unsigned_abs())
        }
    }

    pub fn is_immutable(&self) -> bool {
        self.flags
            .is_some_and(|f| f & (UF_IMMUTABLE | SF_IMMUTABLE) != 0)
    }
}

/// One entry of a directory listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirEntry {
    pub name: OsString,
    pub meta: FileMeta,
}

/// The `audit(8)` operations Earshot may run. Each maps to exactly one fixed argv.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditCmd {
    /// `audit -c`: ask the kernel whether auditing is on.
    Check,
    /// `audit -s`: re-read audit_control, rotate, expire.
    Sync,
    /// `audit -n`: rotate to a new trail, expire.
    Rotate,
    /// `audit -e`: expire old trails without rotating.
    Expire,
    /// `audit -i`: start auditing (launchd mode).
    Init,
    /// `audit -t`: stop auditing, close and rename the trail.
    Terminate,
}

impl AuditCmd {
    pub fn flag(self) -> &'static str {
        match self {
            AuditCmd::Check => "-c",
            AuditCmd::Sync => "-s",
            AuditCmd::Rotate => "-n",
            AuditCmd::Expire => "-e",
            AuditCmd::Init => "-i",
            AuditCmd::Terminate => "-t",
        }
    }
}

/// A command with a fixed argv. No variant carries a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Command {
    Audit(AuditCmd),
    /// `launchctl print system/com.apple.auditd`
    LaunchctlPrint,
    /// `launchctl print-disabled system`
    LaunchctlPrintDisabled,
    /// `launchctl enable system/com.apple.auditd`: clear the job's disabled
    /// override (macOS 14+ ships it disabled). Persistent across reboots.
    LaunchctlEnable,
    /// `launchctl bootstrap system /System/Library/LaunchDaemons/com.apple.auditd.plist`:
    /// load the job into the system domain so `audit -i` can reach auditd.
    LaunchctlBootstrap,
    /// `sw_vers`
    SwVers,
}

/// The launchd plist of auditd (fixed; never client-supplied).
pub const AUDITD_PLIST: &str = "/System/Library/LaunchDaemons/com.apple.auditd.plist";

impl Command {
    /// The exact argv, program first, with absolute program paths so `PATH` cannot
    /// redirect a privileged caller.
    pub fn argv(self) -> [&'static str; 4] {
        match self {
            Command::Audit(cmd) => ["/usr/sbin/audit", cmd.flag(), "", ""],
            Command::LaunchctlPrint => ["/bin/launchctl", "print", "system/com.apple.auditd", ""],
            Command::LaunchctlPrintDisabled => ["/bin/launchctl", "print-disabled", "system", ""],
            Command::LaunchctlEnable => ["/bin/launchctl", "enable", "system/com.apple.auditd", ""],
            Command::LaunchctlBootstrap => ["/bin/launchctl", "bootstrap", "system", AUDITD_PLIST],
            Command::SwVers => ["/usr/bin/sw_vers", "", "", ""],
        }
    }

    /// The argv without the unused trailing slots.
    pub fn args(self) -> Vec<&'static str> {
        self.argv().into_iter().filter(|a| !a.is_empty()).collect()
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.args().join(" "))
    }
}

/// What a command printed and how it ended.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CommandOutput {
    /// Exit status; `None` when the process was killed by a signal.
    pub status: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl CommandOutput {
    pub fn success(&self) -> bool {
        self.status == Some(0)
    }

    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

/// The operating-system boundary. All paths are macOS paths (`/var/audit/...`);
/// implementations decide where they really live.
pub trait System: Send + Sync {
    /// Where a macOS path lives on this machine (identity on a Mac, under the root
    /// folder on a simulated one). Fails for relative paths and for paths that
    /// would escape the simulated root.
    fn resolve(&self, mac_path: &Path) -> Result<PathBuf, SystemError>;

    /// `statvfs(2)` of the volume holding `mac_path`.
    fn statvfs(&self, mac_path: &Path) -> Result<VolumeStats, SystemError>;

    /// `lstat(2)` of `mac_path`, with BSD flags where known.
    fn metadata(&self, mac_path: &Path) -> Result<FileMeta, SystemError>;

    fn read_file(&self, mac_path: &Path) -> Result<Vec<u8>, SystemError>;

    /// The target of a symbolic link, as a macOS path.
    fn read_link(&self, mac_path: &Path) -> Result<PathBuf, SystemError>;

    /// Entries of a directory (no `.`/`..`), sorted by name for stable output.
    fn list_dir(&self, mac_path: &Path) -> Result<Vec<DirEntry>, SystemError>;

    /// Replace `mac_path` with `bytes` atomically: a fresh temporary file in the same
    /// folder (`O_EXCL|O_NOFOLLOW`), mode set on the descriptor, fsync, `rename(2)`.
    /// The primitive the privileged helper uses to write audit_control.
    fn write_file_atomically(
        &self,
        mac_path: &Path,
        bytes: &[u8],
        mode: u32,
    ) -> Result<(), SystemError>;

    /// Run one of the fixed commands.
    fn run(&self, command: Command) -> Result<CommandOutput, SystemError>;

    /// The current time on this system (virtual on a simulated Mac under test).
    fn now(&self) -> SystemTime;

    /// The values an organisation forced for `domain` through configuration
    /// profiles (managed preferences), `None` without a profile. `keys` are
    /// the keys the caller knows.
    ///
    /// By default the device-level file macOS materialises,
    /// `/Library/Managed Preferences/<domain>.plist`, in which every key is
    /// forced (the simulated Mac holds it under its root). On macOS
    /// [`MacOs`] asks CFPreferences instead, key by key, taking a value only
    /// while it is forced (before and after copying it: `CopyAppValue` also
    /// searches the user's own defaults).
    fn managed_preferences(
        &self,
        domain: &str,
        keys: &[&str],
    ) -> Result<Option<plist::Dictionary>, SystemError> {
        let _ = keys;
        read_managed_file(self, domain)
    }
}

/// The folder macOS materialises device-level managed preferences in.
pub const MANAGED_PREFERENCES_DIR: &str = "/Library/Managed Preferences";

/// `<MANAGED_PREFERENCES_DIR>/<domain>.plist` parsed, `None` when absent.
pub fn read_managed_file(
    sys: &(impl System + ?Sized),
    domain: &str,
) -> Result<Option<plist::Dictionary>, SystemError> {
    if domain.is_empty() || domain.contains(['/', '\\']) || domain.starts_with('.') {
        return Err(SystemError::State {
            path: PathBuf::from(MANAGED_PREFERENCES_DIR),
            message: format!("{domain:?} is not a preferences domain"),
        });
    }
    let path = PathBuf::from(format!("{MANAGED_PREFERENCES_DIR}/{domain}.plist"));
    let bytes = match sys.read_file(&path) {
        Ok(b) => b,
        Err(e) if e.is_not_found() => return Ok(None),
        Err(e) => return Err(e),
    };
    match plist::Value::from_reader(std::io::Cursor::new(&bytes)) {
        Ok(plist::Value::Dictionary(d)) => Ok(Some(d)),
        Ok(_) => Err(SystemError::State {
            path,
            message: "a managed preferences file must hold a dictionary".into(),
        }),
        Err(e) => Err(SystemError::State {
            path,
            message: format!("not a property list: {e}"),
        }),
    }
}

/// Shared implementation of the atomic write over a real folder.
/// The largest file [`System::read_file`] reads (the biggest one Earshot
/// reads is audit_event, ~40 KiB; trails are streamed, never read whole).
pub const MAX_READ_FILE: u64 = 8 << 20;

/// `std::fs::read` that cannot hang or balloon: opened `O_NONBLOCK` (a FIFO
/// put where a config file belongs would otherwise block the reader until
/// someone writes to it), anything but a regular file refused, at most
/// [`MAX_READ_FILE`] bytes.
pub fn read_regular(real: &Path) -> io::Result<Vec<u8>> {
    use std::io::Read;
    use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
    let f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags((rustix::fs::OFlags::NONBLOCK | rustix::fs::OFlags::NOCTTY).bits() as i32)
        .open(real)?;
    let meta = f.metadata()?;
    let t = meta.file_type();
    if !t.is_file() {
        let kind = if t.is_fifo() {
            "a FIFO (named pipe)"
        } else if t.is_dir() {
            "a folder"
        } else if t.is_socket() {
            "a socket"
        } else {
            "a device or special file"
        };
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{kind}, not a regular file"),
        ));
    }
    if meta.len() > MAX_READ_FILE {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{} bytes, more than the {MAX_READ_FILE} Earshot reads from a configuration file",
                meta.len()
            ),
        ));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    f.take(MAX_READ_FILE).read_to_end(&mut bytes)?;
    Ok(bytes)
}

pub fn write_atomically_at(real: &Path, bytes: &[u8], mode: u32) -> Result<(), SystemError> {
    use std::io::Write;
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};

    let dir = real
        .parent()
        .ok_or_else(|| SystemError::io(real, io::Error::other("path has no parent folder")))?;
    let name = real
        .file_name()
        .ok_or_else(|| SystemError::io(real, io::Error::other("path has no file name")))?;
    // A predictable temp name is fine because O_EXCL refuses to reuse anything that
    // already exists (including a planted symlink); retry a few suffixes.
    let mut last_err = None;
    for attempt in 0..16u32 {
        let mut tmp_name = OsString::from(".");
        tmp_name.push(name);
        tmp_name.push(format!(".earshot-tmp.{}.{attempt}", std::process::id()));
        let tmp = dir.join(&tmp_name);
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32)
            .open(&tmp);
        let mut file = match file {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                last_err = Some(e);
                continue;
            }
            Err(e) => return Err(SystemError::io(&tmp, e)),
        };
        let result = (|| {
            file.write_all(bytes)?;
            file.set_permissions(std::fs::Permissions::from_mode(mode & 0o7777))?;
            file.sync_all()?;
            std::fs::rename(&tmp, real)
        })();
        if let Err(e) = result {
            let _ = std::fs::remove_file(&tmp);
            return Err(SystemError::io(real, e));
        }
        // Make the rename itself durable.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        return Ok(());
    }
    Err(SystemError::io(
        real,
        last_err.unwrap_or_else(|| io::Error::other("no free temporary name")),
    ))
}

/// `lstat` of a real path into [`FileMeta`].
pub fn real_metadata(real: &Path) -> io::Result<FileMeta> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::symlink_metadata(real)?;
    let ft = m.file_type();
    let kind = if ft.is_symlink() {
        FileKind::Symlink
    } else if ft.is_dir() {
        FileKind::Dir
    } else if ft.is_file() {
        FileKind::File
    } else {
        FileKind::Other
    };
    Ok(FileMeta {
        kind,
        len: m.len(),
        mode: m.mode() & 0o7777,
        uid: m.uid(),
        gid: m.gid(),
        mtime_secs: m.mtime(),
        mtime_nanos: u32::try_from(m.mtime_nsec()).unwrap_or(0),
        flags: platform_flags(&m),
        has_acl: platform_acl(real),
    })
}

/// macOS keeps ACLs outside `stat`; libc's `acl_get_link_np` (no link following,
/// like `lstat`) returns NULL with ENOENT when there is none.
#[cfg(target_os = "macos")]
fn platform_acl(real: &Path) -> Option<bool> {
    use std::ffi::{c_char, c_int, c_void, CString};
    use std::os::unix::ffi::OsStrExt;
    extern "C" {
        fn acl_get_link_np(path: *const c_char, acl_type: c_int) -> *mut c_void;
        fn acl_get_entry(acl: *mut c_void, entry_id: c_int, entry: *mut *mut c_void) -> c_int;
        fn acl_free(obj: *mut c_void) -> c_int;
    }
    // <sys/acl.h>: ACL_TYPE_EXTENDED, ACL_FIRST_ENTRY.
    const ACL_TYPE_EXTENDED: c_int = 0x0000_0100;
    const ACL_FIRST_ENTRY: c_int = 0;
    let path = CString::new(real.as_os_str().as_bytes()).ok()?;
    // SAFETY: `path` is a valid NUL-terminated string for the duration of the call.
    let acl = unsafe { acl_get_link_np(path.as_ptr(), ACL_TYPE_EXTENDED) };
    if acl.is_null() {
        return match io::Error::last_os_error().raw_os_error() {
            Some(code) if code == rustix::io::Errno::NOENT.raw_os_error() => Some(false),
            _ => None,
        };
    }
    let mut entry: *mut c_void = std::ptr::null_mut();
    // SAFETY: `acl` is the non-null object libc returned; it is freed exactly once.
    let has_entry = unsafe { acl_get_entry(acl, ACL_FIRST_ENTRY, &mut entry) } == 0;
    unsafe { acl_free(acl) };
    Some(has_entry)
}

#[cfg(not(target_os = "macos"))]
fn platform_acl(_real: &Path) -> Option<bool> {
    None
}

#[cfg(target_os = "macos")]
fn platform_flags(m: &std::fs::Metadata) -> Option<u32> {
    use std::os::macos::fs::MetadataExt;
    Some(m.st_flags())
}

#[cfg(not(target_os = "macos"))]
fn platform_flags(_m: &std::fs::Metadata) -> Option<u32> {
    None
}

/// macOS: `statfs(2)`, the call the kernel's and auditd's free-space checks make
/// (macos_ops.md §4.2). Its `statvfs(3)` is no substitute there: it copies the 64-bit
/// block counts into a 32-bit `fsblkcnt_t`, so on a volume of 2^32 blocks or more
/// (16 TiB at 4 KiB) they wrap (CPython gh-87804, php-src #8054). `statfs` counts in
/// 64 bits, in units of `f_bsize`, the fundamental block size.
#[cfg(target_os = "macos")]
pub fn real_statvfs(real: &Path) -> io::Result<VolumeStats> {
    let s = rustix::fs::statfs(real).map_err(io::Error::from)?;
    Ok(VolumeStats {
        block_size: u64::from(s.f_bsize),
        blocks: s.f_blocks,
        blocks_free: s.f_bfree,
        blocks_available: s.f_bavail,
    })
}

#[cfg(not(target_os = "macos"))]
pub fn real_statvfs(real: &Path) -> io::Result<VolumeStats> {
    let s = rustix::fs::statvfs(real).map_err(io::Error::from)?;
    // f_frsize is the unit of f_blocks; some filesystems report 0, then f_bsize is it.
    let block_size = if s.f_frsize > 0 {
        s.f_frsize
    } else {
        s.f_bsize
    };
    Ok(VolumeStats {
        block_size,
        blocks: s.f_blocks,
        blocks_free: s.f_bfree,
        blocks_available: s.f_bavail,
    })
}

pub fn real_list_dir(real: &Path) -> io::Result<Vec<DirEntry>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(real)? {
        let entry = entry?;
        // An entry can vanish between readdir and lstat (expiry deleting a trail);
        // skip it rather than fail the whole listing.
        match real_metadata(&entry.path()) {
            Ok(meta) => out.push(DirEntry {
                name: entry.file_name(),
                meta,
            }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}
