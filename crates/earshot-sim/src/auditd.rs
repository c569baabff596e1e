//! The simulated auditd (and the slice of the kernel that feeds it): preselects events
//! from a workload profile, appends real BSM records to the active trail, rotates at
//! `filesz`, expires per `expire-after` only at rotation, reacts to low space and runs
//! out of space like the kernel does, and answers `audit -s/-n/-e/-i/-t`.
//!
//! All of its state lives in the simulated Mac's folder (the trails, the `current`
//! link, the state file), so it can be loaded, driven and dropped by a one-shot
//! command, by `earshot sim run`, or hosted in the privileged helper's process.
//! Time only moves through [`SimAuditd::step`], so tests drive it on a virtual clock.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use earshot_trail::{stamp, TrailEnd, TrailName};

use super::profile::{self, Profile};
use super::records::{self, RecordContext, SimEvent};
use super::rng::SimRng;
use crate::simulated::{SimulatedMac, SimulatedState};
use earshot_core::headroom::HARD_LIMIT_FREE_BLOCKS;
use earshot_system::{
    unix_f64, AuditCmd, AuditSettings, ExpiryOp, FileKind, PolicySettings, System, SystemError,
    CURRENT_LINK,
};

/// `AUE_audit_startup`, `AUE_audit_shutdown`, `AUE_audit_recovery`.
pub const AUE_AUDIT_STARTUP: u16 = 45000;
pub const AUE_AUDIT_SHUTDOWN: u16 = 45001;
pub const AUE_AUDIT_RECOVERY: u16 = 45029;
/// `AUE_lw_login` / `AUE_lw_logout` (loginwindow), `AUE_openssh`, `AUE_logout`.
pub const AUE_LW_LOGIN: u16 = 45021;
pub const AUE_LW_LOGOUT: u16 = 45022;
pub const AUE_OPENSSH: u16 = 32800;
pub const AUE_LOGOUT: u16 = 6153;

/// The kernel's view of the audit configuration, as last applied by auditd
/// (at start or `audit -s`). `flags` is not here: it lives in each session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct KernelSettings {
    pub naflags_success: u32,
    pub naflags_failure: u32,
    pub policy: PolicySettings,
    /// 0 = no size rotation.
    pub filesz: u64,
    /// Percent; 0 = no soft limit.
    pub minfree: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionKind {
    Console,
    Ssh,
}

/// A login session: its preselection mask was fixed at login from the `flags` line
/// of audit_control at that moment — later edits do not reach it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub asid: u32,
    pub auid: u32,
    pub kind: SessionKind,
    pub mask_success: u32,
    pub mask_failure: u32,
    pub started: f64,
    /// `None` for sessions that stay open.
    pub ends: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AuditdCounters {
    pub records_written: u64,
    pub bytes_written: u64,
    /// Records the kernel dropped because auditing was suspended for space.
    pub records_dropped: u64,
    pub rotations: u64,
    pub expired_files: u64,
    pub expired_bytes: u64,
    pub crashes: u64,
}

/// Persisted daemon + kernel state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditdState {
    /// auditd has a trail open and the kernel is auditing into it.
    pub running: bool,
    /// The kernel suspended auditing (`cnt`) after the volume fell under the hard limit.
    pub suspended_for_space: bool,
    /// The daemon died with a trail open; the next start recovers it.
    pub crashed: bool,
    /// The kernel's low-space trigger has fired and not yet cleared.
    pub low_space: bool,
    /// Simulated time up to which the workload has been generated (Unix seconds).
    pub sim_time: f64,
    pub rng: SimRng,
    pub kernel: KernelSettings,
    pub sessions: Vec<Session>,
    pub next_asid: u32,
    /// When the next ssh login happens.
    pub next_ssh_login: f64,
    pub counters: AuditdCounters,
    /// Whether the profile's persistent sessions were created.
    pub booted: bool,
    /// Every rate of the profile is multiplied by this (`earshot sim ctl DIR
    /// workload 3`: a Mac three times busier than its profile, to test what a
    /// review says of a step that costs more than predicted).
    #[serde(default = "one")]
    pub workload_scale: f64,
}

fn one() -> f64 {
    1.0
}

impl AuditdState {
    pub fn new(seed: u64, start: f64) -> Self {
        AuditdState {
            running: false,
            suspended_for_space: false,
            crashed: false,
            low_space: false,
            sim_time: start,
            rng: SimRng::seeded(seed),
            kernel: KernelSettings {
                // Kernel boot defaults (K audit_init): no policy (reported as cnt),
                // filesz 0, minfree 20 %, NA mask 0.
                policy: PolicySettings {
                    cnt: true,
                    ..PolicySettings::default()
                },
                minfree: 20,
                ..KernelSettings::default()
            },
            sessions: Vec::new(),
            next_asid: 100_001,
            next_ssh_login: NEVER,
            counters: AuditdCounters::default(),
            booted: false,
            workload_scale: 1.0,
        }
    }

    /// What `audit -c` reports: AUC_AUDITING only with a trail open and not suspended.
    pub fn auditing(&self) -> bool {
        self.running && !self.suspended_for_space && !self.crashed
    }
}

/// Who generates an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Session(usize),
    System,
}

#[derive(Debug, Clone, Copy)]
struct Channel {
    event: usize,
    success: bool,
    source: Source,
}

struct OpenTrail {
    /// Simulated time of the last append: the file's mtime, as on a real Mac.
    last_write: f64,
    start: u64,
    real: PathBuf,
    file: BufWriter<File>,
    size: u64,
}

/// What one [`SimAuditd::step`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StepReport {
    pub records: u64,
    pub bytes: u64,
    pub dropped: u64,
    pub rotations: u64,
}

/// The simulated audit daemon over a [`SimulatedMac`].
pub struct SimAuditd {
    mac: SimulatedMac,
    state: SimulatedState,
    profile: &'static Profile,
    events: Vec<SimEvent>,
    channels: Vec<Channel>,
    cumulative: Vec<f64>,
    total_rate: f64,
    channels_dirty: bool,
    trail: Option<OpenTrail>,
    /// Free bytes at the last statvfs minus bytes written since (so the space check
    /// does not walk the folder for every record).
    free_estimate: i128,
    block_size: u64,
    blocks: u64,
    next_space_check: f64,
    warnings: Vec<String>,
}

fn sim_err(msg: impl Into<String>) -> SystemError {
    SystemError::Simulator(msg.into())
}

impl SimAuditd {
    /// Loads the daemon state from the simulated Mac's folder.
    pub fn load(mac: SimulatedMac) -> Result<SimAuditd, SystemError> {
        let state = mac.load_state()?;
        let profile = profile::profile(&state.profile)
            .ok_or_else(|| sim_err(format!("unknown profile {:?}", state.profile)))?;
        let mut d = SimAuditd {
            mac,
            state,
            profile,
            events: Vec::new(),
            channels: Vec::new(),
            cumulative: Vec::new(),
            total_rate: 0.0,
            channels_dirty: true,
            trail: None,
            free_estimate: 0,
            block_size: 4096,
            blocks: 0,
            next_space_check: f64::NEG_INFINITY,
            warnings: Vec::new(),
        };
        d.load_event_map();
        if d.state.auditd.running && !d.state.auditd.crashed {
            d.reopen_current()?;
        }
        Ok(d)
    }

    pub fn mac(&self) -> &SimulatedMac {
        &self.mac
    }

    pub fn state(&self) -> &AuditdState {
        &self.state.auditd
    }

    pub fn simulated(&self) -> &SimulatedState {
        &self.state
    }

    /// Records which process hosts the daemon (so other processes queue commands in
    /// the control file instead of acting on the folder themselves).
    /// Scales the profile's workload from now on (1 = the profile as defined).
    pub fn set_workload(&mut self, scale: f64) {
        self.state.auditd.workload_scale = if scale.is_finite() && scale > 0.0 {
            scale
        } else {
            1.0
        };
        self.load_event_map();
    }

    pub fn set_host_pid(&mut self, pid: Option<u32>) {
        self.state.host_pid = pid;
    }

    /// Messages auditd would have sent to `audit_warn` since the last call.
    pub fn take_warnings(&mut self) -> Vec<String> {
        std::mem::take(&mut self.warnings)
    }

    /// Writes buffered records and the daemon's part of the state file.
    ///
    /// Only the fields the daemon owns (`auditd`, `host_pid`) are written; the
    /// rest (BSD flags, ACLs, launchd job state) is re-read under the state lock
    /// and adopted, so a `chflags` or `launchctl enable` made by another process
    /// between two saves is not overwritten by this process's older copy.
    pub fn save(&mut self) -> Result<(), SystemError> {
        self.flush()?;
        let auditd = &self.state.auditd;
        let host_pid = self.state.host_pid;
        let merged = self.mac.update_state(|s| {
            s.auditd = auditd.clone();
            s.host_pid = host_pid;
        })?;
        self.state = merged;
        Ok(())
    }

    pub fn flush(&mut self) -> Result<(), SystemError> {
        if let Some(t) = &mut self.trail {
            t.file.flush().map_err(|e| SystemError::io(&t.real, e))?;
            set_mtime(t.file.get_ref(), &t.real, t.last_write)?;
        }
        Ok(())
    }

    /// Runs one `audit(8)` operation at time `now` (catching the workload up first).
    pub fn command(&mut self, cmd: AuditCmd, now: SystemTime) -> Result<(), SystemError> {
        self.step(now)?;
        let t = unix_f64(now);
        match cmd {
            AuditCmd::Check => {}
            AuditCmd::Init => self.start(t)?,
            AuditCmd::Sync => self.reload(t)?,
            AuditCmd::Rotate => self.rotate(t)?,
            AuditCmd::Expire => self.expire(t)?,
            AuditCmd::Terminate => self.terminate(t)?,
        }
        self.flush()
    }

    /// The audit_event map the kernel uses, from the simulated Mac's files (Apple's
    /// embedded tables when they are missing).
    fn load_event_map(&mut self) {
        let (_, table) = earshot_system::audit_tables(&self.mac);
        let scale = self.state.auditd.workload_scale;
        self.events = self
            .profile
            .events
            .iter()
            .filter_map(|r| {
                let e = table.by_name(r.event)?;
                Some(SimEvent {
                    number: e.number,
                    name: r.event,
                    class_mask: e.class_mask,
                    user_rate: r.user_per_hour * self.profile.user_scale * scale / 3600.0,
                    system_rate: r.system_per_hour * self.profile.system_scale * scale / 3600.0,
                    failure: r.failure.clamp(0.0, 1.0),
                })
            })
            .collect();
        self.channels_dirty = true;
    }

    fn settings(&self) -> Option<AuditSettings> {
        AuditSettings::read(&self.mac).ok().flatten()
    }

    /// `audit -i` / daemon start: recover a crashed trail, apply the configuration,
    /// open a trail and record the startup.
    pub fn start(&mut self, t: f64) -> Result<(), SystemError> {
        if self.state.auditd.running && !self.state.auditd.crashed {
            return Ok(());
        }
        let Some(settings) = self.settings() else {
            return Err(sim_err(
                "auditd cannot start: /etc/security/audit_control does not exist",
            ));
        };
        let recovered = self.recover_crashed_trail(t)?;
        self.apply_kernel_settings(&settings);
        self.load_event_map();
        self.state.auditd.crashed = false;
        self.state.auditd.suspended_for_space = false;
        self.state.auditd.sim_time = self.state.auditd.sim_time.max(t);
        self.open_trail(t, &settings)?;
        self.state.auditd.running = true;
        if recovered {
            self.write_text_record(AUE_AUDIT_RECOVERY, t, "auditd::Audit crash recovery")?;
        }
        self.write_text_record(AUE_AUDIT_STARTUP, t, "auditd::Audit startup")?;
        if !self.state.auditd.booted {
            self.boot_sessions(t)?;
        }
        self.refresh_space(t)?;
        Ok(())
    }

    /// upstream `auditd_new_curlink`: if `current` still points at an existing file,
    /// rename it `START.crash_recovery` and remove the link.
    fn recover_crashed_trail(&mut self, _t: f64) -> Result<bool, SystemError> {
        let link = Path::new(CURRENT_LINK);
        let target = match self.mac.read_link(link) {
            Ok(t) => t,
            Err(_) => return Ok(false),
        };
        self.trail = None;
        let real_link = self.mac.resolve(link)?;
        let real_target = self.mac.resolve(&target)?;
        let mut recovered = false;
        if real_target.is_file() {
            let name = target
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_string();
            let start = name.get(..14).unwrap_or("00000000000000");
            let new = real_target.with_file_name(format!("{start}.crash_recovery"));
            std::fs::rename(&real_target, &new).map_err(|e| SystemError::io(&real_target, e))?;
            recovered = true;
        }
        std::fs::remove_file(&real_link).map_err(|e| SystemError::io(&real_link, e))?;
        Ok(recovered)
    }

    fn apply_kernel_settings(&mut self, s: &AuditSettings) {
        let k = &mut self.state.auditd.kernel;
        // Each key keeps the previous kernel value when the line is missing or
        // invalid, as auditd does for naflags/filesz; policy falls back to cnt.
        if let Some(na) = s.naflags {
            k.naflags_success = na.success;
            k.naflags_failure = na.failure;
        }
        k.policy = s.policy;
        if let Some(f) = s.filesz {
            if f == 0 || f >= 512 * 1024 {
                k.filesz = f;
            }
        }
        if let Some(m) = s.minfree_percent {
            if m <= 100 {
                k.minfree = m;
            }
        }
        self.channels_dirty = true;
    }

    fn flags_now(&self) -> (u32, u32) {
        // Login programs read `flags` from the file at login time.
        match self.settings().and_then(|s| s.flags) {
            Some(m) => (m.success, m.failure),
            None => (0, 0),
        }
    }

    /// The profile's long-lived sessions log in when the simulated Mac boots.
    fn boot_sessions(&mut self, t: f64) -> Result<(), SystemError> {
        let sm = self.profile.sessions;
        let (succ, fail) = self.flags_now();
        for _ in 0..sm.persistent {
            let asid = self.state.auditd.next_asid;
            self.state.auditd.next_asid += 1;
            let s = Session {
                asid,
                auid: sm.auid,
                kind: if sm.persistent_console {
                    SessionKind::Console
                } else {
                    SessionKind::Ssh
                },
                mask_success: succ,
                mask_failure: fail,
                started: t,
                ends: None,
            };
            let event = if s.kind == SessionKind::Console {
                AUE_LW_LOGIN
            } else {
                AUE_OPENSSH
            };
            self.session_record(&s, event, t, true)?;
            self.state.auditd.sessions.push(s);
        }
        let rate = sm.ssh_logins_per_day / 86_400.0;
        self.state.auditd.next_ssh_login =
            finite_or_never(t + self.state.auditd.rng.exponential(rate));
        self.state.auditd.booted = true;
        self.channels_dirty = true;
        Ok(())
    }

    fn reopen_current(&mut self) -> Result<(), SystemError> {
        let target = self.mac.read_link(Path::new(CURRENT_LINK))?;
        let real = self.mac.resolve(&target)?;
        let name = target
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| sim_err("current link has no file name"))?
            .to_string();
        let start = TrailName::parse(&name)
            .ok()
            .map(|n| n.start.sec)
            .ok_or_else(|| sim_err(format!("current trail {name} has no start time")))?;
        let file = open_append(&real)?;
        let meta = file.metadata().map_err(|e| SystemError::io(&real, e))?;
        let size = meta.len();
        let last_write = meta.modified().ok().map(unix_f64).unwrap_or(start as f64);
        self.trail = Some(OpenTrail {
            last_write,
            start,
            real,
            file: BufWriter::with_capacity(64 * 1024, file),
            size,
        });
        Ok(())
    }

    /// The folder for a new trail: the first configured dir that exists and is not
    /// over the hard limit (they all share the simulated volume).
    fn choose_dir(&self, settings: &AuditSettings) -> Result<String, SystemError> {
        for d in &settings.dirs {
            if self
                .mac
                .metadata(Path::new(d))
                .is_ok_and(|m| m.kind == FileKind::Dir)
            {
                return Ok(d.clone());
            }
        }
        Err(sim_err(
            "all audit log directories over hard limit (no configured dir exists)",
        ))
    }

    fn trail_suffix(settings: &AuditSettings) -> String {
        settings
            .host
            .as_deref()
            .map(|h| format!(".{h}"))
            .unwrap_or_default()
    }

    fn open_trail(&mut self, t: f64, settings: &AuditSettings) -> Result<(), SystemError> {
        let dir = self.choose_dir(settings)?;
        let start = t.floor() as u64;
        let name = format!(
            "{}.not_terminated{}",
            stamp(start),
            Self::trail_suffix(settings)
        );
        let mac_path = PathBuf::from(&dir).join(&name);
        let real = self.mac.resolve(&mac_path)?;
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&real)
            .map_err(|e| SystemError::io(&real, e))?;
        // auditd creates 0400 then fchmods 0440; the descriptor stays writable.
        file.set_permissions(std::fs::Permissions::from_mode(0o440))
            .map_err(|e| SystemError::io(&real, e))?;
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        self.set_current_link(&real)?;
        self.trail = Some(OpenTrail {
            last_write: start as f64,
            start,
            real,
            file: BufWriter::with_capacity(64 * 1024, file),
            size,
        });
        Ok(())
    }

    fn set_current_link(&self, real_target: &Path) -> Result<(), SystemError> {
        let link = self.mac.resolve(Path::new(CURRENT_LINK))?;
        let tmp = link.with_file_name(".current.earshot-tmp");
        let _ = std::fs::remove_file(&tmp);
        // Relative, so the simulated Mac still works when its folder is
        // copied or moved (an absolute host path would point into the old one).
        let target = relative_to(link.parent().unwrap_or(Path::new("/")), real_target);
        std::os::unix::fs::symlink(&target, &tmp).map_err(|e| SystemError::io(&tmp, e))?;
        std::fs::rename(&tmp, &link).map_err(|e| SystemError::io(&link, e))
    }

    /// Closes the active trail: rename `START.not_terminated` to `START.END`.
    fn close_trail(&mut self, t: f64, settings: Option<&AuditSettings>) -> Result<(), SystemError> {
        let Some(mut trail) = self.trail.take() else {
            return Ok(());
        };
        trail
            .file
            .flush()
            .map_err(|e| SystemError::io(&trail.real, e))?;
        let end = (t.floor() as u64).max(trail.start);
        set_mtime(trail.file.get_ref(), &trail.real, t)?;
        let suffix = settings.map(Self::trail_suffix).unwrap_or_default();
        let closed =
            trail
                .real
                .with_file_name(format!("{}.{}{}", stamp(trail.start), stamp(end), suffix));
        std::fs::rename(&trail.real, &closed).map_err(|e| SystemError::io(&trail.real, e))?;
        Ok(())
    }

    /// Rotation (kernel filesz trigger, `audit -n`, `audit -s`, low space): close,
    /// open the next trail, then expire.
    pub fn rotate(&mut self, t: f64) -> Result<(), SystemError> {
        if !self.state.auditd.running || self.state.auditd.crashed {
            return Ok(());
        }
        // Upstream auditd refuses a new trail whose name would carry the same start
        // second as the current one; the trail then overshoots filesz.
        if let Some(cur) = &self.trail {
            if cur.start == t.floor() as u64 {
                return Ok(());
            }
        }
        let settings = self.settings();
        self.close_trail(t, settings.as_ref())?;
        let settings = match settings {
            Some(s) => s,
            None => {
                // audit_control vanished: auditd cannot read dirs and stops.
                self.state.auditd.running = false;
                let link = self.mac.resolve(Path::new(CURRENT_LINK))?;
                let _ = std::fs::remove_file(link);
                return Err(sim_err(
                    "audit_control missing at rotation; auditing stopped",
                ));
            }
        };
        self.open_trail(t, &settings)?;
        self.state.auditd.counters.rotations += 1;
        self.expire_with(t, &settings)?;
        Ok(())
    }

    /// `audit -s`: re-apply naflags/policy/filesz/minfree and the event map (not
    /// `flags`: sessions keep the mask they logged in with), then rotate.
    pub fn reload(&mut self, t: f64) -> Result<(), SystemError> {
        if !self.state.auditd.running || self.state.auditd.crashed {
            return Ok(());
        }
        if let Some(s) = self.settings() {
            self.apply_kernel_settings(&s);
        }
        self.load_event_map();
        self.rotate(t)
    }

    /// `audit -e`: expiry without rotation.
    pub fn expire(&mut self, t: f64) -> Result<(), SystemError> {
        if let Some(s) = self.settings() {
            self.expire_with(t, &s)?;
        }
        Ok(())
    }

    /// upstream `auditd_expire_trails` (audit_control.md §3.4).
    fn expire_with(&mut self, t: f64, settings: &AuditSettings) -> Result<(), SystemError> {
        let Some(rule) = settings.expire_after else {
            return Ok(());
        };
        if !rule.can_expire() {
            return Ok(());
        }
        let active = self.trail.as_ref().map(|tr| tr.real.clone());
        struct Candidate {
            real: PathBuf,
            size: u64,
            time: f64,
        }
        let mut total: u64 = 0;
        let mut candidates = Vec::new();
        for dir in &settings.dirs {
            let Ok(entries) = self.mac.list_dir(Path::new(dir)) else {
                continue;
            };
            for e in entries {
                let Some(name) = e.name.to_str() else {
                    continue;
                };
                if e.meta.kind != FileKind::File || !earshot_trail::is_trail_name(name) {
                    continue;
                }
                total += e.meta.len;
                let real = self.mac.resolve(&Path::new(dir).join(name))?;
                if active.as_ref() == Some(&real) {
                    continue;
                }
                // End time from the name; mtime for not_terminated/crash_recovery.
                let time = match TrailName::parse(name).map(|n| n.end) {
                    Ok(TrailEnd::Closed(end)) => end.sec as f64,
                    _ => e.meta.mtime_secs as f64,
                };
                candidates.push(Candidate {
                    real,
                    size: e.meta.len,
                    time,
                });
            }
        }
        candidates.sort_by(|a, b| a.time.total_cmp(&b.time));
        for c in candidates {
            let over_size = rule.size_bytes.is_some_and(|s| total > s);
            let too_old = rule.age_secs.is_some_and(|a| c.time < t - a as f64);
            let delete = match rule.op {
                ExpiryOp::Or => over_size || too_old,
                ExpiryOp::And => over_size && too_old,
            };
            if delete {
                std::fs::remove_file(&c.real).map_err(|e| SystemError::io(&c.real, e))?;
                total = total.saturating_sub(c.size);
                self.state.auditd.counters.expired_files += 1;
                self.state.auditd.counters.expired_bytes += c.size;
                self.free_estimate += i128::from(c.size);
                self.warnings.push(format!("expired {}", c.real.display()));
            }
        }
        Ok(())
    }

    /// `audit -t`: record the shutdown, close and rename the trail, remove `current`.
    pub fn terminate(&mut self, t: f64) -> Result<(), SystemError> {
        if !self.state.auditd.running || self.state.auditd.crashed {
            return Ok(());
        }
        self.write_text_record(AUE_AUDIT_SHUTDOWN, t, "auditd::Audit shutdown")?;
        let settings = self.settings();
        self.close_trail(t, settings.as_ref())?;
        let link = self.mac.resolve(Path::new(CURRENT_LINK))?;
        let _ = std::fs::remove_file(link);
        self.state.auditd.running = false;
        Ok(())
    }

    /// The daemon dies: buffered records are written (the kernel had them), the
    /// trail stays `not_terminated` and `current` keeps pointing at it. Nothing is
    /// audited until the next start, which performs crash recovery.
    pub fn crash(&mut self) -> Result<(), SystemError> {
        self.flush()?;
        self.trail = None;
        if self.state.auditd.running {
            self.state.auditd.crashed = true;
            self.state.auditd.running = false;
            self.state.auditd.counters.crashes += 1;
        }
        Ok(())
    }

    fn refresh_space(&mut self, t: f64) -> Result<(), SystemError> {
        let v = self.mac.statvfs(Path::new("/var/audit"))?;
        self.block_size = v.block_size.max(1);
        self.blocks = v.blocks;
        self.free_estimate = i128::from(v.free_bytes());
        // The simulated statvfs walks the whole root (thousands of trails after a
        // month), and the estimate is kept exact between walks (appends subtract,
        // expiry adds back), so a walk per simulated hour only picks up outside
        // changes such as a test filling the volume.
        self.next_space_check = t + 3600.0;
        Ok(())
    }

    /// The kernel's per-record space checks (K `audit_worker.c`): hard limit ⇒ with
    /// `cnt` drop and suspend; soft limit (minfree, integer-quantized) ⇒ low-space
    /// trigger, which makes auditd rotate and expire.
    fn check_space(&mut self, t: f64) -> Result<(), SystemError> {
        if t >= self.next_space_check {
            self.refresh_space(t)?;
        }
        let free_blocks = (self.free_estimate.max(0) as u128 / u128::from(self.block_size)) as u64;
        if free_blocks < HARD_LIMIT_FREE_BLOCKS {
            if !self.state.auditd.suspended_for_space {
                self.state.auditd.suspended_for_space = true;
                self.warnings.push(if self.state.auditd.kernel.policy.cnt {
                    "allhard: audit suspended, volume out of space".into()
                } else {
                    "allhard: out of space without cnt (a real Mac would panic here)".into()
                });
            }
            return Ok(());
        }
        let minfree = self.state.auditd.kernel.minfree;
        let low = minfree > 0 && free_blocks < self.blocks / u64::from((100 / minfree).max(1));
        if low && !self.state.auditd.low_space {
            // Edge-triggered here; the kernel re-sends the trigger at most once per
            // second and auditd's answer (rotate + expire) is the same each time.
            self.state.auditd.low_space = true;
            self.warnings
                .push("soft: trail volume below minfree".into());
            self.rotate(t)?;
            self.refresh_space(t)?;
        } else if !low {
            self.state.auditd.low_space = false;
        }
        Ok(())
    }

    fn rebuild_channels(&mut self) {
        self.channels.clear();
        self.cumulative.clear();
        let mut acc = 0.0;
        let k = self.state.auditd.kernel;
        let mut push = |rate: f64, ch: Channel, channels: &mut Vec<Channel>, cum: &mut Vec<f64>| {
            if rate > 0.0 {
                acc += rate;
                channels.push(ch);
                cum.push(acc);
            }
        };
        for (i, e) in self.events.iter().enumerate() {
            for (si, s) in self.state.auditd.sessions.iter().enumerate() {
                if s.mask_success & e.class_mask != 0 {
                    push(
                        e.user_rate * (1.0 - e.failure),
                        Channel {
                            event: i,
                            success: true,
                            source: Source::Session(si),
                        },
                        &mut self.channels,
                        &mut self.cumulative,
                    );
                }
                if s.mask_failure & e.class_mask != 0 {
                    push(
                        e.user_rate * e.failure,
                        Channel {
                            event: i,
                            success: false,
                            source: Source::Session(si),
                        },
                        &mut self.channels,
                        &mut self.cumulative,
                    );
                }
            }
            if k.naflags_success & e.class_mask != 0 {
                push(
                    e.system_rate * (1.0 - e.failure),
                    Channel {
                        event: i,
                        success: true,
                        source: Source::System,
                    },
                    &mut self.channels,
                    &mut self.cumulative,
                );
            }
            if k.naflags_failure & e.class_mask != 0 {
                push(
                    e.system_rate * e.failure,
                    Channel {
                        event: i,
                        success: false,
                        source: Source::System,
                    },
                    &mut self.channels,
                    &mut self.cumulative,
                );
            }
        }
        self.total_rate = acc;
        self.channels_dirty = false;
    }

    /// Generates the workload from the last simulated instant up to `until`.
    pub fn step(&mut self, until: SystemTime) -> Result<StepReport, SystemError> {
        self.step_to(unix_f64(until))
    }

    pub fn step_to(&mut self, until: f64) -> Result<StepReport, SystemError> {
        let before = self.state.auditd.counters;
        loop {
            let now = self.state.auditd.sim_time;
            if now >= until {
                break;
            }
            if !self.state.auditd.running || self.state.auditd.crashed {
                self.state.auditd.sim_time = until;
                break;
            }
            if self.channels_dirty {
                self.rebuild_channels();
            }
            let next_end = self
                .state
                .auditd
                .sessions
                .iter()
                .filter_map(|s| s.ends)
                .fold(f64::INFINITY, f64::min);
            let next_session_change = next_end.min(self.state.auditd.next_ssh_login);
            let horizon = next_session_change.min(until);
            let dt = self.state.auditd.rng.exponential(self.total_rate);
            if now + dt >= horizon {
                // Arrivals are memoryless, so dropping the overshooting draw and
                // redrawing after the change keeps the process exact.
                self.state.auditd.sim_time = horizon;
                if next_session_change <= until {
                    self.session_change(horizon)?;
                }
                continue;
            }
            let t = now + dt;
            self.state.auditd.sim_time = t;
            let pick = self.state.auditd.rng.unit() * self.total_rate;
            let idx = self.cumulative.partition_point(|c| *c <= pick);
            // A draw can only happen with a positive total rate, i.e. with channels;
            // `get` keeps a surprise from becoming a panic.
            let Some(ch) = self
                .channels
                .get(idx.min(self.channels.len().saturating_sub(1)))
                .copied()
            else {
                continue;
            };
            let (auid, asid) = match ch.source {
                Source::Session(i) => match self.state.auditd.sessions.get(i) {
                    Some(s) => (s.auid, s.asid),
                    None => {
                        self.channels_dirty = true;
                        continue;
                    }
                },
                Source::System => (u32::MAX, 0),
            };
            let ctx = RecordContext {
                time: t,
                auid,
                asid,
                success: ch.success,
                policy: self.state.auditd.kernel.policy,
            };
            let Some(event) = self.events.get(ch.event) else {
                self.channels_dirty = true;
                continue;
            };
            let bytes = records::event_record(&mut self.state.auditd.rng, event, &ctx);
            self.append(&bytes, t)?;
        }
        let after = self.state.auditd.counters;
        Ok(StepReport {
            records: after.records_written - before.records_written,
            bytes: after.bytes_written - before.bytes_written,
            dropped: after.records_dropped - before.records_dropped,
            rotations: after.rotations - before.rotations,
        })
    }

    /// The simulator's auditpipe in local preselection mode: generates what the
    /// workload would produce over `seconds` from the current simulated instant
    /// if attributable events were preselected by `flags` and non-attributable
    /// ones by `naflags` (both `(success, failure)` masks), and hands each record's
    /// bytes to `sink`. Nothing is written and the daemon's state (clock, random
    /// stream, trails, audit_control) is untouched: an independent random stream
    /// seeded with `seed` drives the trial, so it is a fresh sample of the same
    /// workload. Time is virtual: an hour's trial returns at once.
    ///
    /// Like a real pipe, it sees nothing while the kernel is not auditing, and it
    /// sees the sessions open when it starts (logins during a trial are rare and
    /// their own records are `lo`, which the trail already measures).
    pub fn trial(
        &self,
        flags: (u32, u32),
        naflags: (u32, u32),
        seconds: f64,
        seed: u64,
        mut sink: impl FnMut(&[u8]),
    ) -> u64 {
        if !self.state.auditd.auditing() || seconds.is_nan() || seconds <= 0.0 {
            return 0;
        }
        let start = self.state.auditd.sim_time;
        let sessions: Vec<&Session> = self
            .state
            .auditd
            .sessions
            .iter()
            .filter(|s| s.ends.is_none_or(|e| e > start))
            .collect();
        // (event index, success, auid, asid, rate) for every preselected stream.
        let mut streams: Vec<(usize, bool, u32, u32)> = Vec::new();
        let mut cumulative: Vec<f64> = Vec::new();
        let mut total = 0.0;
        let mut push = |rate: f64, stream: (usize, bool, u32, u32)| {
            if rate > 0.0 {
                total += rate;
                streams.push(stream);
                cumulative.push(total);
            }
        };
        for (i, e) in self.events.iter().enumerate() {
            for s in &sessions {
                if flags.0 & e.class_mask != 0 {
                    push(e.user_rate * (1.0 - e.failure), (i, true, s.auid, s.asid));
                }
                if flags.1 & e.class_mask != 0 {
                    push(e.user_rate * e.failure, (i, false, s.auid, s.asid));
                }
            }
            if naflags.0 & e.class_mask != 0 {
                push(e.system_rate * (1.0 - e.failure), (i, true, u32::MAX, 0));
            }
            if naflags.1 & e.class_mask != 0 {
                push(e.system_rate * e.failure, (i, false, u32::MAX, 0));
            }
        }
        if total <= 0.0 {
            return 0;
        }
        let mut rng = SimRng::seeded(seed);
        let policy = self.state.auditd.kernel.policy;
        let end = start + seconds;
        let mut t = start;
        let mut n = 0u64;
        loop {
            t += rng.exponential(total);
            if t.is_nan() || t >= end {
                break;
            }
            let pick = rng.unit() * total;
            let idx = cumulative
                .partition_point(|c| *c <= pick)
                .min(streams.len() - 1);
            let Some(&(ev, success, auid, asid)) = streams.get(idx) else {
                continue;
            };
            let Some(event) = self.events.get(ev) else {
                continue;
            };
            let ctx = RecordContext {
                time: t,
                auid,
                asid,
                success,
                policy,
            };
            sink(&records::event_record(&mut rng, event, &ctx));
            n += 1;
        }
        n
    }

    /// Every open session logs out and straight back in at `t` (what "log out and
    /// back in, or restart" does after a `flags` change): the new sessions get the
    /// mask audit_control's `flags` has now.
    pub fn relogin(&mut self, t: f64) -> Result<(), SystemError> {
        self.step_to(t)?;
        let (succ, fail) = self.flags_now();
        let old = std::mem::take(&mut self.state.auditd.sessions);
        for s in old {
            let (out, back) = match s.kind {
                SessionKind::Console => (AUE_LW_LOGOUT, AUE_LW_LOGIN),
                SessionKind::Ssh => (AUE_LOGOUT, AUE_OPENSSH),
            };
            self.session_record(&s, out, t, true)?;
            let asid = self.state.auditd.next_asid;
            self.state.auditd.next_asid += 1;
            let new = Session {
                asid,
                mask_success: succ,
                mask_failure: fail,
                started: t,
                ..s
            };
            self.session_record(&new, back, t, true)?;
            self.state.auditd.sessions.push(new);
        }
        self.channels_dirty = true;
        Ok(())
    }

    /// Session end or ssh login at time `t`.
    fn session_change(&mut self, t: f64) -> Result<(), SystemError> {
        let ended: Vec<Session> = {
            let (gone, keep): (Vec<Session>, Vec<Session>) =
                std::mem::take(&mut self.state.auditd.sessions)
                    .into_iter()
                    .partition(|s| s.ends.is_some_and(|e| e <= t));
            self.state.auditd.sessions = keep;
            gone
        };
        for s in ended {
            let ev = match s.kind {
                SessionKind::Console => AUE_LW_LOGOUT,
                SessionKind::Ssh => AUE_LOGOUT,
            };
            self.session_record(&s, ev, t, true)?;
            self.channels_dirty = true;
        }
        if self.state.auditd.next_ssh_login <= t {
            let sm = self.profile.sessions;
            let (succ, fail) = self.flags_now();
            let asid = self.state.auditd.next_asid;
            self.state.auditd.next_asid += 1;
            let len = self
                .state
                .auditd
                .rng
                .exponential(1.0 / (sm.ssh_session_hours * 3600.0));
            let s = Session {
                asid,
                auid: sm.auid,
                kind: SessionKind::Ssh,
                mask_success: succ,
                mask_failure: fail,
                started: t,
                ends: Some(t + len.max(1.0)),
            };
            self.session_record(&s, AUE_OPENSSH, t, true)?;
            self.state.auditd.sessions.push(s);
            let rate = sm.ssh_logins_per_day / 86_400.0;
            self.state.auditd.next_ssh_login =
                finite_or_never(t + self.state.auditd.rng.exponential(rate));
            self.channels_dirty = true;
        }
        Ok(())
    }

    /// Login/logout records are attributable to the session and class `lo`.
    fn session_record(
        &mut self,
        s: &Session,
        event: u16,
        t: f64,
        success: bool,
    ) -> Result<(), SystemError> {
        let lo = 0x1000;
        let selected = if success {
            s.mask_success & lo != 0
        } else {
            s.mask_failure & lo != 0
        };
        if !selected {
            return Ok(());
        }
        let ctx = RecordContext {
            time: t,
            auid: s.auid,
            asid: s.asid,
            success,
            policy: self.state.auditd.kernel.policy,
        };
        let bytes = records::session_record(event, &ctx, s.kind == SessionKind::Ssh);
        self.append(&bytes, t)
    }

    fn write_text_record(&mut self, event: u16, t: f64, text: &str) -> Result<(), SystemError> {
        let bytes = records::daemon_record(event, t, text);
        self.append(&bytes, t)
    }

    /// Appends one record to the active trail, then applies the kernel's filesz and
    /// space rules.
    fn append(&mut self, bytes: &[u8], t: f64) -> Result<(), SystemError> {
        if self.state.auditd.suspended_for_space {
            self.state.auditd.counters.records_dropped += 1;
            return Ok(());
        }
        let Some(trail) = &mut self.trail else {
            self.state.auditd.counters.records_dropped += 1;
            return Ok(());
        };
        trail
            .file
            .write_all(bytes)
            .map_err(|e| SystemError::io(&trail.real, e))?;
        trail.size += bytes.len() as u64;
        trail.last_write = t;
        let size = trail.size;
        self.free_estimate -= bytes.len() as i128;
        self.state.auditd.counters.records_written += 1;
        self.state.auditd.counters.bytes_written += bytes.len() as u64;
        let filesz = self.state.auditd.kernel.filesz;
        if filesz > 0 && size >= filesz {
            self.rotate(t)?;
        }
        self.check_space(t)
    }
}

/// Simulated history must carry simulated times: expiry falls back to mtime and the
/// stall check compares it with the clock.
fn set_mtime(file: &File, real: &Path, t: f64) -> Result<(), SystemError> {
    let when = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs_f64(t.max(0.0));
    file.set_modified(when)
        .map_err(|e| SystemError::io(real, e))
}

fn open_append(real: &Path) -> Result<File, SystemError> {
    match OpenOptions::new().append(true).open(real) {
        Ok(f) => Ok(f),
        // The trail is 0440: as a non-root user we must lift the mode to reopen it.
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            std::fs::set_permissions(real, std::fs::Permissions::from_mode(0o640))
                .map_err(|e| SystemError::io(real, e))?;
            let f = OpenOptions::new()
                .append(true)
                .open(real)
                .map_err(|e| SystemError::io(real, e));
            let _ = std::fs::set_permissions(real, std::fs::Permissions::from_mode(0o440));
            f
        }
        Err(e) => Err(SystemError::io(real, e)),
    }
}

/// "Never" as a finite number, because the state file is JSON (no infinity).
const NEVER: f64 = f64::MAX;

fn finite_or_never(t: f64) -> f64 {
    if t.is_finite() {
        t
    } else {
        NEVER
    }
}

/// The word a control-file line uses for a command.
pub fn control_word(cmd: AuditCmd) -> &'static str {
    match cmd {
        AuditCmd::Check => "check",
        AuditCmd::Sync => "sync",
        AuditCmd::Rotate => "rotate",
        AuditCmd::Expire => "expire",
        AuditCmd::Init => "init",
        AuditCmd::Terminate => "terminate",
    }
}

/// A line of the simulated Mac's control file, for the process hosting its
/// auditd.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Control {
    /// An `audit(8)` command.
    Audit(AuditCmd),
    /// The daemon dies with its trail open.
    Crash,
    /// Simulated time jumps ahead this many seconds (the workload fills them).
    Advance(f64),
    /// The workload is scaled by this factor from now on.
    Workload(f64),
    /// Every user logs out and back in: sessions take the current `flags`.
    Relogin,
}

/// Parses a control-file line: an audit word, `crash`, `relogin`, `advance
/// SECONDS` or `workload FACTOR`.
pub fn parse_control(line: &str) -> Option<Control> {
    let mut words = line.split_whitespace();
    let word = words.next()?;
    let number = |w: Option<&str>| {
        w.and_then(|n| n.parse::<f64>().ok())
            .filter(|n| n.is_finite() && *n > 0.0)
    };
    Some(match word {
        "advance" => Control::Advance(number(words.next())?),
        "workload" => Control::Workload(number(words.next())?),
        "crash" => Control::Crash,
        "relogin" => Control::Relogin,
        w => Control::Audit(parse_control_word(w)??),
    })
}

/// Parses a control-file word; `crash` is returned as `None` inside `Some`.
pub fn parse_control_word(word: &str) -> Option<Option<AuditCmd>> {
    Some(Some(match word.trim() {
        "check" => AuditCmd::Check,
        "sync" => AuditCmd::Sync,
        "rotate" => AuditCmd::Rotate,
        "expire" => AuditCmd::Expire,
        "init" => AuditCmd::Init,
        "terminate" => AuditCmd::Terminate,
        "crash" => return Some(None),
        _ => return None,
    }))
}

/// `target` as a path relative to the folder `from` (both absolute, under
/// the same root): `x` in the same folder, `../other/x` elsewhere.
fn relative_to(from: &Path, target: &Path) -> PathBuf {
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = target.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut rel = PathBuf::new();
    for _ in common..from.len() {
        rel.push("..");
    }
    for c in &to[common..] {
        rel.push(c);
    }
    rel
}

#[cfg(test)]
mod link_tests {
    use super::relative_to;
    use std::path::Path;

    #[test]
    fn links_are_relative_to_their_folder() {
        let same = relative_to(
            Path::new("/r/var/audit"),
            Path::new("/r/var/audit/x.not_terminated"),
        );
        assert_eq!(same, Path::new("x.not_terminated"));
        let other = relative_to(Path::new("/r/var/audit"), Path::new("/r/data/audit/x"));
        assert_eq!(other, Path::new("../../data/audit/x"));
    }
}
