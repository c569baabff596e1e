//! A simulated Mac: a root folder holding `etc/security/` and `var/audit/`, plus a
//! small JSON state file for what is not a file on a real Mac (launchd job state, the
//! kernel audit condition, the macOS version, the size of the simulated volume).
//!
//! Commands answer in the same documented text formats the real tools print, so the
//! status code goes through the very parsers that [`earshot_system::MacOs`] uses.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::{AuditdState, SimAuditd};
use earshot_system::{
    real_list_dir, real_metadata, write_atomically_at, AuditCmd, Clock, Command, CommandOutput,
    DirEntry, FileMeta, System, SystemError, VirtualClock, VolumeStats,
};

/// Name of the state file in the simulated root.
pub const STATE_FILE: &str = "simulated-mac.json";
/// Requests for a `earshot sim run` process hosting the simulated auditd, one per
/// line (`sync`, `rotate`, `expire`, `init`, `terminate`, `crash`).
pub const CONTROL_FILE: &str = "simulated-mac.control";
/// Lock taken (flock) around every read-modify-write of the state file, so two
/// processes (the helper hosting auditd, `earshot sim`, a chflags) never lose
/// each other's updates.
pub const LOCK_FILE: &str = "simulated-mac.lock";

/// Files in the simulated root that are bookkeeping, not part of the Mac.
fn is_bookkeeping(name: &std::ffi::OsStr) -> bool {
    name == STATE_FILE || name == CONTROL_FILE || name == LOCK_FILE
}

/// The simulated volume: its size and how much of it is used by things other than the
/// files in the simulated root. Free space = size − other − Σ(files under root,
/// rounded up to blocks), so trails really eat into it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VolumeModel {
    pub size_bytes: u64,
    pub other_used_bytes: u64,
    pub block_size: u64,
}

impl Default for VolumeModel {
    fn default() -> Self {
        // A 500 GB laptop SSD that is 60 % full of other things.
        VolumeModel {
            size_bytes: 500_000_000_000,
            other_used_bytes: 300_000_000_000,
            block_size: 4096,
        }
    }
}

/// Everything about the simulated Mac that is not a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimulatedState {
    /// `sw_vers` ProductVersion, e.g. "15.1".
    pub macos_version: String,
    pub build_version: String,
    /// `launchctl print-disabled system` says enabled.
    pub launchd_enabled: bool,
    /// The job is bootstrapped in the system domain.
    pub launchd_loaded: bool,
    pub volume: VolumeModel,
    /// Profile the trails were generated from (see docs/simulated-mac.md).
    pub profile: String,
    pub seed: u64,
    /// BSD file flags (e.g. uchg) set on simulated paths, keyed by macOS path.
    #[serde(default)]
    pub file_flags: BTreeMap<String, u32>,
    /// macOS paths that carry an extended ACL (none on a stock simulated Mac).
    #[serde(default)]
    pub file_acls: BTreeSet<String>,
    /// Process id of an `earshot sim run` hosting the daemon, if any; audit commands
    /// are then queued in the control file for it instead of being run in-process.
    #[serde(default)]
    pub host_pid: Option<u32>,
    /// The simulated auditd and kernel audit state.
    pub auditd: AuditdState,
}

/// A Mac simulated over a root folder.
#[derive(Clone)]
pub struct SimulatedMac {
    root: PathBuf,
    clock: Clock,
    /// A simulated auditd hosted in this process (by the privileged helper or a
    /// test); audit commands go straight to it.
    hosted: Option<Arc<Mutex<SimAuditd>>>,
}

impl std::fmt::Debug for SimulatedMac {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimulatedMac")
            .field("root", &self.root)
            .field("clock", &self.clock)
            .field("hosted", &self.hosted.is_some())
            .finish()
    }
}

impl SimulatedMac {
    /// Whether process `pid` exists (`kill(pid, 0)`, which works on every Unix;
    /// macOS has no /proc). Tells a live host of the simulated auditd from a
    /// stale pid in the state file.
    pub fn process_alive(pid: u32) -> bool {
        process_alive(pid)
    }

    /// Opens an existing simulated Mac (one made by `earshot sim init`), on the wall
    /// clock.
    pub fn open(root: impl AsRef<Path>) -> Result<Self, SystemError> {
        let root = root.as_ref();
        let root = std::fs::canonicalize(root).map_err(|e| SystemError::io(root, e))?;
        let state = root.join(STATE_FILE);
        if !state.is_file() {
            return Err(SystemError::State {
                path: state,
                message: "missing: this folder is not a simulated Mac (run `earshot sim init`)"
                    .into(),
            });
        }
        Ok(SimulatedMac {
            root,
            clock: Clock::Real,
            hosted: None,
        })
    }

    /// Same folder, on a virtual clock (tests, time-accelerated runs).
    pub fn with_clock(mut self, clock: VirtualClock) -> Self {
        self.clock = Clock::Virtual(clock);
        self
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Host the simulated auditd in this process: audit commands are answered by it.
    pub fn host(&mut self, auditd: Arc<Mutex<SimAuditd>>) {
        self.hosted = Some(auditd);
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn state_path(&self) -> PathBuf {
        self.root.join(STATE_FILE)
    }

    pub fn control_path(&self) -> PathBuf {
        self.root.join(CONTROL_FILE)
    }

    pub fn load_state(&self) -> Result<SimulatedState, SystemError> {
        let path = self.state_path();
        let bytes = std::fs::read(&path).map_err(|e| SystemError::io(&path, e))?;
        serde_json::from_slice(&bytes).map_err(|e| SystemError::State {
            path,
            message: e.to_string(),
        })
    }

    pub fn save_state(&self, state: &SimulatedState) -> Result<(), SystemError> {
        let path = self.state_path();
        let mut bytes = serde_json::to_vec_pretty(state).map_err(|e| SystemError::State {
            path: path.clone(),
            message: e.to_string(),
        })?;
        bytes.push(b'\n');
        write_atomically_at(&path, &bytes, 0o644)
    }

    /// Read-modify-write of the state file under an exclusive lock: `edit` sees
    /// what is on disk now (not a copy read earlier), so fields other processes
    /// own survive. Returns the state as written.
    pub fn update_state(
        &self,
        edit: impl FnOnce(&mut SimulatedState),
    ) -> Result<SimulatedState, SystemError> {
        let lock_path = self.root.join(LOCK_FILE);
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| SystemError::io(&lock_path, e))?;
        rustix::fs::flock(&lock, rustix::fs::FlockOperation::LockExclusive)
            .map_err(|e| SystemError::io(&lock_path, e.into()))?;
        let mut state = self.load_state()?;
        edit(&mut state);
        self.save_state(&state)?;
        // Dropping `lock` closes the descriptor, which releases the flock.
        Ok(state)
    }

    /// Creates the state file of a new simulated Mac (used by `sim init`).
    pub fn create(root: &Path, state: &SimulatedState) -> Result<Self, SystemError> {
        std::fs::create_dir_all(root).map_err(|e| SystemError::io(root, e))?;
        let root = std::fs::canonicalize(root).map_err(|e| SystemError::io(root, e))?;
        let mac = SimulatedMac {
            root,
            clock: Clock::Real,
            hosted: None,
        };
        mac.save_state(state)?;
        Ok(mac)
    }

    /// The key the state file records a macOS path's flags and ACL under: the
    /// path as given, once it is known to resolve inside the simulated Mac.
    fn state_key(&self, mac_path: &Path) -> Result<String, SystemError> {
        let key = mac_path
            .to_str()
            .ok_or_else(|| SystemError::NotAbsolute {
                path: mac_path.to_path_buf(),
            })?
            .to_string();
        self.resolve(mac_path)?;
        Ok(key)
    }

    /// `chflags` on the simulated Mac: records BSD flags (e.g. [`earshot_system::UF_IMMUTABLE`])
    /// for a macOS path; 0 clears them.
    pub fn set_flags(&self, mac_path: &Path, flags: u32) -> Result<(), SystemError> {
        let key = self.state_key(mac_path)?;
        self.update_state(|state| {
            if flags == 0 {
                state.file_flags.remove(&key);
            } else {
                state.file_flags.insert(key, flags);
            }
        })
        .map(drop)
    }

    /// `chmod +a` / `chmod -N` on the simulated Mac: whether `mac_path` carries an
    /// extended ACL.
    pub fn set_acl(&self, mac_path: &Path, present: bool) -> Result<(), SystemError> {
        let key = self.state_key(mac_path)?;
        self.update_state(|state| {
            if present {
                state.file_acls.insert(key);
            } else {
                state.file_acls.remove(&key);
            }
        })
        .map(drop)
    }

    fn flags_of(&self, mac_path: &Path) -> u32 {
        match (self.load_state(), mac_path.to_str()) {
            (Ok(state), Some(p)) => state.file_flags.get(p).copied().unwrap_or(0),
            _ => 0,
        }
    }

    /// Inverse of [`System::resolve`]: the macOS path of a host path under the root.
    pub fn to_mac_path(&self, real: &Path) -> Option<PathBuf> {
        let rel = real.strip_prefix(&self.root).ok()?;
        Some(Path::new("/").join(rel))
    }

    /// Bytes used by files under the root, counted in whole blocks as a filesystem
    /// would. The state and control files are bookkeeping, not part of the Mac.
    fn used_by_files(&self, block: u64) -> Result<u64, SystemError> {
        fn walk(dir: &Path, block: u64, top: bool, total: &mut u64) -> std::io::Result<()> {
            for entry in std::fs::read_dir(dir)? {
                let entry = entry?;
                let name = entry.file_name();
                if top && is_bookkeeping(&name) {
                    continue;
                }
                let ft = match entry.file_type() {
                    Ok(ft) => ft,
                    Err(_) => continue,
                };
                if ft.is_dir() {
                    walk(&entry.path(), block, false, total)?;
                } else if ft.is_file() {
                    match entry.metadata() {
                        Ok(m) => *total += m.len().div_ceil(block) * block,
                        // Expiry may delete a file while we walk.
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                        Err(e) => return Err(e),
                    }
                }
            }
            Ok(())
        }
        let mut total = 0;
        walk(&self.root, block.max(1), true, &mut total)
            .map_err(|e| SystemError::io(&self.root, e))?;
        Ok(total)
    }

    /// The simulated volume's statvfs given its model (shared with the simulator,
    /// which keeps its own running count between full walks).
    pub fn volume_stats(model: &VolumeModel, used_by_files: u64) -> VolumeStats {
        let block = model.block_size.max(1);
        let blocks = model.size_bytes / block;
        let used = model.other_used_bytes.saturating_add(used_by_files) / block;
        let free = blocks.saturating_sub(used);
        VolumeStats {
            block_size: block,
            blocks,
            blocks_free: free,
            // APFS keeps no root reserve, so bavail = bfree.
            blocks_available: free,
        }
    }

    /// If another live process (`earshot sim run`) hosts the daemon, appends `word`
    /// to the control file for it and returns true; false when nobody hosts it.
    pub fn queue_for_host(&self, word: &str) -> Result<bool, SystemError> {
        use std::io::Write;
        let state = self.load_state()?;
        let Some(pid) = state.host_pid.filter(|p| process_alive(*p)) else {
            return Ok(false);
        };
        if pid == std::process::id() {
            return Ok(false);
        }
        let path = self.control_path();
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| SystemError::io(&path, e))?;
        writeln!(f, "{word}").map_err(|e| SystemError::io(&path, e))?;
        Ok(true)
    }

    /// Takes the queued control lines (for the process hosting the daemon). The file
    /// is renamed first, so lines appended meanwhile land in a fresh file, not lost.
    pub fn take_control_lines(&self) -> Vec<String> {
        let path = self.control_path();
        // A name of this process's own: two hosts racing never read one file twice.
        let taken = path.with_extension(format!("taken.{}", std::process::id()));
        if std::fs::rename(&path, &taken).is_err() {
            return Vec::new();
        }
        let text = std::fs::read_to_string(&taken).unwrap_or_default();
        let _ = std::fs::remove_file(&taken);
        text.lines().map(str::to_string).collect()
    }

    fn run_audit(&self, cmd: AuditCmd) -> Result<CommandOutput, SystemError> {
        let state = self.load_state()?;
        if cmd == AuditCmd::Check {
            // A daemon hosted here knows more than the state file it last saved.
            let auditing = match &self.hosted {
                Some(h) => h
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .state()
                    .auditing(),
                None => state.auditd.auditing(),
            };
            return Ok(if auditing {
                ok_output("AUC_AUDITING\n")
            } else {
                CommandOutput {
                    status: Some(1),
                    stdout: b"AUC_NOAUDIT\n".to_vec(),
                    stderr: Vec::new(),
                }
            });
        }
        // The audit tool reaches auditd through launchd's Mach port; an unloaded or
        // disabled job cannot be started on demand.
        if !state.launchd_loaded || !state.launchd_enabled {
            return Ok(CommandOutput {
                status: Some(1),
                stdout: Vec::new(),
                stderr:
                    b"audit: Could not communicate with auditd: com.apple.auditd is not loaded\n"
                        .to_vec(),
            });
        }
        if let Some(hosted) = &self.hosted {
            let mut auditd = hosted.lock().unwrap_or_else(|e| e.into_inner());
            auditd.command(cmd, self.now())?;
            // Other processes (`earshot status`, `audit -c` from another shell)
            // read the state file: a start or stop must show there at once, as
            // it would in the kernel, not at the host's next periodic save.
            auditd.save()?;
            return Ok(ok_output(""));
        }
        if self.queue_for_host(crate::control_word(cmd))? {
            return Ok(ok_output(""));
        }
        // No daemon process: like launchd starting auditd on demand, load it from the
        // folder, act, and let it go.
        let mut auditd = SimAuditd::load(self.clone())?;
        auditd.command(cmd, self.now())?;
        auditd.save()?;
        Ok(ok_output(""))
    }
}

fn ok_output(stdout: &str) -> CommandOutput {
    CommandOutput {
        status: Some(0),
        stdout: stdout.as_bytes().to_vec(),
        stderr: Vec::new(),
    }
}

fn process_alive(pid: u32) -> bool {
    let Ok(pid) = i32::try_from(pid) else {
        return false;
    };
    match rustix::process::Pid::from_raw(pid) {
        Some(p) => rustix::process::test_kill_process(p).is_ok(),
        None => false,
    }
}

impl System for SimulatedMac {
    fn resolve(&self, mac_path: &Path) -> Result<PathBuf, SystemError> {
        if !mac_path.is_absolute() {
            return Err(SystemError::NotAbsolute {
                path: mac_path.to_path_buf(),
            });
        }
        let mut out = self.root.clone();
        for c in mac_path.components() {
            match c {
                Component::RootDir | Component::CurDir => {}
                Component::Normal(n) => out.push(n),
                // `..` could climb out of the root; macOS paths we use never need it.
                Component::ParentDir | Component::Prefix(_) => {
                    return Err(SystemError::OutsideRoot {
                        path: mac_path.to_path_buf(),
                    })
                }
            }
        }
        Ok(out)
    }

    fn statvfs(&self, mac_path: &Path) -> Result<VolumeStats, SystemError> {
        let real = self.resolve(mac_path)?;
        // statvfs of a missing path fails on a Mac too.
        std::fs::metadata(&real).map_err(|e| SystemError::io(&real, e))?;
        let state = self.load_state()?;
        let used = self.used_by_files(state.volume.block_size)?;
        Ok(Self::volume_stats(&state.volume, used))
    }

    fn metadata(&self, mac_path: &Path) -> Result<FileMeta, SystemError> {
        let real = self.resolve(mac_path)?;
        let mut meta = real_metadata(&real).map_err(|e| SystemError::io(&real, e))?;
        // Whoever owns the simulated root plays root:wheel, so a simulated Mac made by
        // an unprivileged user still looks like a stock Mac to ownership checks.
        if let Ok(root_meta) = real_metadata(&self.root) {
            if meta.uid == root_meta.uid {
                meta.uid = 0;
                meta.gid = 0;
            }
        }
        if let Ok(state) = self.load_state() {
            let key = mac_path.to_str();
            meta.flags = Some(
                key.and_then(|p| state.file_flags.get(p))
                    .copied()
                    .unwrap_or(0),
            );
            meta.has_acl = Some(key.is_some_and(|p| state.file_acls.contains(p)));
        }
        Ok(meta)
    }

    fn read_file(&self, mac_path: &Path) -> Result<Vec<u8>, SystemError> {
        let real = self.resolve(mac_path)?;
        earshot_system::read_regular(&real).map_err(|e| SystemError::io(real, e))
    }

    fn read_link(&self, mac_path: &Path) -> Result<PathBuf, SystemError> {
        let real = self.resolve(mac_path)?;
        let target = std::fs::read_link(&real).map_err(|e| SystemError::io(&real, e))?;
        let mac_dir = mac_path.parent().unwrap_or(Path::new("/"));
        if target.is_relative() {
            // What the simulator writes now (as macOS resolves it: from the
            // link's folder). `..` cannot climb above the simulated root.
            let mut out = mac_dir.to_path_buf();
            for c in target.components() {
                match c {
                    Component::ParentDir => {
                        out.pop();
                    }
                    Component::Normal(n) => out.push(n),
                    _ => {}
                }
            }
            return Ok(out);
        }
        // Older simulated Macs wrote host-absolute targets. Inside this root:
        // the macOS path it stands for; outside (the folder was copied or
        // moved since): the same file name beside the link.
        Ok(match self.to_mac_path(&target) {
            Some(mac) => mac,
            None => match target.file_name() {
                Some(name) => mac_dir.join(name),
                None => target,
            },
        })
    }

    fn list_dir(&self, mac_path: &Path) -> Result<Vec<DirEntry>, SystemError> {
        let real = self.resolve(mac_path)?;
        let mut entries = real_list_dir(&real).map_err(|e| SystemError::io(&real, e))?;
        if real == self.root {
            entries.retain(|e| !is_bookkeeping(&e.name));
        }
        Ok(entries)
    }

    fn write_file_atomically(
        &self,
        mac_path: &Path,
        bytes: &[u8],
        mode: u32,
    ) -> Result<(), SystemError> {
        let real = self.resolve(mac_path)?;
        // macOS refuses to replace an immutable (uchg/schg) file: rename(2) gives
        // EPERM. The helper must see the same failure here.
        if self.flags_of(mac_path) & (earshot_system::UF_IMMUTABLE | earshot_system::SF_IMMUTABLE)
            != 0
        {
            return Err(SystemError::io(
                real,
                std::io::Error::from_raw_os_error(rustix::io::Errno::PERM.raw_os_error()),
            ));
        }
        write_atomically_at(&real, bytes, mode)
    }

    fn run(&self, command: Command) -> Result<CommandOutput, SystemError> {
        match command {
            Command::Audit(cmd) => self.run_audit(cmd),
            Command::SwVers => {
                let s = self.load_state()?;
                Ok(ok_output(&format!(
                    "ProductName:\t\tmacOS\nProductVersion:\t\t{}\nBuildVersion:\t\t{}\n",
                    s.macos_version, s.build_version
                )))
            }
            Command::LaunchctlEnable => {
                // Silent on success, like launchctl; the override persists.
                self.update_state(|s| s.launchd_enabled = true)?;
                Ok(ok_output(""))
            }
            Command::LaunchctlBootstrap => {
                let s = self.load_state()?;
                if !s.launchd_enabled {
                    return Ok(CommandOutput {
                        status: Some(119),
                        stdout: Vec::new(),
                        stderr: b"Bootstrap failed: 119: Service is disabled\n".to_vec(),
                    });
                }
                if s.launchd_loaded {
                    // What macOS 14+ answers for a job that is already loaded.
                    return Ok(CommandOutput {
                        status: Some(5),
                        stdout: Vec::new(),
                        stderr: b"Bootstrap failed: 5: Input/output error\n".to_vec(),
                    });
                }
                // Loading does not start auditd (the plist has no RunAtLoad):
                // `audit -i` does, through the job's Mach service.
                self.update_state(|s| s.launchd_loaded = true)?;
                Ok(ok_output(""))
            }
            Command::LaunchctlPrintDisabled => {
                let s = self.load_state()?;
                let word = if s.launchd_enabled {
                    "enabled"
                } else {
                    "disabled"
                };
                Ok(ok_output(&format!(
                    "disabled services = {{\n\t\"com.apple.ftp-proxy\" => disabled\n\t\"com.apple.auditd\" => {word}\n}}\n\nlogin item associations = {{\n}}\n"
                )))
            }
            Command::LaunchctlPrint => {
                let s = self.load_state()?;
                if !s.launchd_loaded {
                    return Ok(CommandOutput {
                        status: Some(113),
                        stdout: Vec::new(),
                        stderr:
                            b"Could not find service \"com.apple.auditd\" in domain for system\n"
                                .to_vec(),
                    });
                }
                let running = s.host_pid.is_some_and(process_alive) || self.hosted.is_some();
                let state_line = if running { "running" } else { "not running" };
                let pid_line = match (running, s.host_pid) {
                    (true, Some(pid)) => format!("\tpid = {pid}\n"),
                    _ => String::new(),
                };
                Ok(ok_output(&format!(
                    "system/com.apple.auditd = {{\n\tactive count = {}\n\tpath = /System/Library/LaunchDaemons/com.apple.auditd.plist\n\ttype = LaunchDaemon\n\tstate = {state_line}\n\n\tprogram = /usr/sbin/auditd\n\targuments = {{\n\t\t/usr/sbin/auditd\n\t\t-l\n\t}}\n\n{pid_line}\tdefault environment = {{\n\t\tPATH => /usr/bin:/bin:/usr/sbin:/sbin\n\t}}\n\n\tdomain = system\n\tminimum runtime = 10\n\texit timeout = 5\n\truns = 1\n}}\n",
                    u8::from(running)
                )))
            }
        }
    }

    fn now(&self) -> SystemTime {
        self.clock.now()
    }
}
