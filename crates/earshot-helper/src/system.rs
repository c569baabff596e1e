//! The keeper's [`Platform`] over `earshot_system::System`: the real Mac
//! ([`earshot_system::MacOs`]) or a simulated one, whose auditd this
//! process may host ([`SimHost`]).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use earshot_api::{Finding, HealthLevel, Measurement, TrailFile, TrailStatsReport};
use earshot_core::health::Severity;
use earshot_core::status::Status;
use earshot_core::status::{collect, StatusOptions};
use earshot_sim::{Control, SimAuditd, SimulatedMac};
use earshot_system::{
    parse_audit_condition, parse_launchctl_print, parse_print_disabled, unix_f64, unix_secs,
    AuditCmd, AuditCondition, AuditSettings, Command, CommandOutput, LaunchdJob, System,
    VirtualClock, AUDIT_CONTROL, AUDIT_CONTROL_EXAMPLE,
};
use earshot_trail::{Inventory, SummaryCache};
use earshot_tuning::measure::{MeasureError, Store, Trial};

use crate::platform::{AuditOp, MeasureFailure, Platform};

/// A [`System`] seen through the keeper's narrow needs.
pub struct SystemPlatform {
    sys: Arc<dyn System>,
    /// `"macos"` or `"simulated"` (as `earshot_core::status` names them).
    kind: &'static str,
    cache_dir: PathBuf,
    /// The simulated Mac, whose BSD flags live in its state file.
    sim: Option<SimulatedMac>,
    /// The simulated auditd when this process hosts it (trials sample it).
    hosted: Option<Arc<Mutex<SimAuditd>>>,
    /// Where the trials this helper runs are kept for its plans.
    trials_file: Option<PathBuf>,
}

impl std::fmt::Debug for SystemPlatform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SystemPlatform")
            .field("kind", &self.kind)
            .finish()
    }
}

impl SystemPlatform {
    /// `cache_dir` holds trail summaries (inside the helper's state folder).
    pub fn new(sys: Arc<dyn System>, kind: &'static str, cache_dir: PathBuf) -> SystemPlatform {
        SystemPlatform {
            sys,
            kind,
            cache_dir,
            sim: None,
            hosted: None,
            trials_file: None,
        }
    }

    /// Keep each trial's rates in `file`, so the next steps this helper plans
    /// (and tokens it checks) use them, as `earshot plan` does.
    pub fn with_trials(mut self, file: PathBuf) -> SystemPlatform {
        self.trials_file = Some(file);
        self
    }

    /// Trials on the simulated Mac sample this hosted daemon.
    pub fn with_hosted(mut self, auditd: Arc<Mutex<SimAuditd>>) -> SystemPlatform {
        self.hosted = Some(auditd);
        self
    }

    /// Runs a fixed command and insists on success; the error is what it said.
    fn must(&self, cmd: Command) -> Result<CommandOutput, String> {
        let out = self.sys.run(cmd).map_err(|e| e.to_string())?;
        if out.success() {
            return Ok(out);
        }
        let said = [out.stderr_text(), out.stdout_text()]
            .into_iter()
            .map(|t| t.trim().to_string())
            .find(|t| !t.is_empty())
            .unwrap_or_else(|| format!("exited with {:?}", out.status));
        Err(format!("`{cmd}`: {said}"))
    }

    fn run_trial(&self, trial: &Trial) -> Result<Measurement, MeasureError> {
        if let Some(auditd) = &self.hosted {
            let d = auditd.lock().unwrap_or_else(|e| e.into_inner());
            // A different sample for each trial, reproducible for a given state.
            let seed = d.simulated().seed ^ d.state().sim_time.to_bits() ^ 0x0071_21a1;
            return earshot_sim::trial::simulate(&d, trial, seed);
        }
        if let Some(mac) = &self.sim {
            return earshot_sim::trial::simulate_mac(mac, trial);
        }
        self.pipe_trial(trial)
    }

    #[cfg(target_os = "macos")]
    fn pipe_trial(&self, trial: &Trial) -> Result<Measurement, MeasureError> {
        let (classes, events) = earshot_system::audit_tables(&*self.sys);
        earshot_tuning::measure::auditpipe::measure(trial, &classes, events)
    }

    #[cfg(not(target_os = "macos"))]
    fn pipe_trial(&self, _trial: &Trial) -> Result<Measurement, MeasureError> {
        Err(MeasureError::Unsupported)
    }
}

/// The protocol's form of a core measurement (same fields).
impl SystemPlatform {
    /// Route `chflags` to the simulated Mac's flag table.
    pub fn with_simulated(mut self, mac: SimulatedMac) -> SystemPlatform {
        self.sim = Some(mac);
        self
    }

    /// Health as one finding, and the whole status document when asked for.
    fn look(&self, document: bool) -> (Vec<Finding>, Option<Status>) {
        let opts = StatusOptions {
            cache_dir: Some(self.cache_dir.clone()),
        };
        match collect(&*self.sys, self.kind, &opts) {
            Ok(status) => {
                let h = &status.health;
                let message = match &h.fix {
                    Some(fix) => format!("{} {fix}", h.summary),
                    None => h.summary.clone(),
                };
                let finding = Finding {
                    level: level(h.severity),
                    code: h.state.as_str().replace('_', "-"),
                    message,
                };
                (vec![finding], document.then_some(status))
            }
            Err(e) => (
                vec![Finding {
                    level: HealthLevel::Warning,
                    code: "status-unavailable".into(),
                    message: format!("auditing status could not be read: {e}"),
                }],
                None,
            ),
        }
    }

    fn trail_dirs(&self) -> Vec<PathBuf> {
        let dirs = AuditSettings::read(&*self.sys)
            .ok()
            .flatten()
            .map(|s| s.dirs)
            .unwrap_or_else(|| vec!["/var/audit".to_string()]);
        dirs.iter()
            .filter_map(|d| self.sys.resolve(Path::new(d)).ok())
            .collect()
    }
}

fn level(s: Severity) -> HealthLevel {
    match s {
        Severity::Ok => HealthLevel::Ok,
        Severity::Off => HealthLevel::Off,
        Severity::Warning | Severity::Unknown => HealthLevel::Warning,
        Severity::Error => HealthLevel::Error,
    }
}

impl Platform for SystemPlatform {
    fn control_location(&self) -> crate::control::ControlLocation {
        match &self.sim {
            Some(mac) => crate::control::ControlLocation::under(mac.root()),
            None => crate::control::ControlLocation::mac(),
        }
    }

    fn control_path(&self) -> PathBuf {
        // Resolving a fixed absolute path cannot escape the simulated root.
        self.sys
            .resolve(Path::new(AUDIT_CONTROL))
            .unwrap_or_else(|_| PathBuf::from(AUDIT_CONTROL))
    }

    fn audit(&self, op: AuditOp) -> Result<(), String> {
        let cmd = match op {
            AuditOp::Sync => AuditCmd::Sync,
            AuditOp::Rotate => AuditCmd::Rotate,
            AuditOp::Expire => AuditCmd::Expire,
            AuditOp::Enable => AuditCmd::Init,
        };
        let out = self
            .sys
            .run(Command::Audit(cmd))
            .map_err(|e| e.to_string())?;
        if out.success() {
            return Ok(());
        }
        let said = [out.stderr_text(), out.stdout_text()]
            .into_iter()
            .map(|t| t.trim().to_string())
            .find(|t| !t.is_empty())
            .unwrap_or_else(|| format!("audit {} exited with {:?}", cmd.flag(), out.status));
        Err(said)
    }

    fn now_unix(&self) -> u64 {
        unix_secs(self.sys.now())
    }

    fn simulated(&self) -> bool {
        self.kind == "simulated"
    }

    fn findings(&self) -> Vec<Finding> {
        self.look(false).0
    }

    fn findings_and_status_json(&self) -> (Vec<Finding>, Option<Status>) {
        self.look(true)
    }

    fn trail_stats(&self) -> Result<TrailStatsReport, String> {
        let inventory = Inventory::scan(&self.trail_dirs()).map_err(|e| e.to_string())?;
        let cache = SummaryCache::new(&self.cache_dir);
        let mut report = TrailStatsReport {
            files: Vec::new(),
            total_bytes: 0,
            total_records: 0,
        };
        for trail in &inventory.trails {
            let summary = cache.summary(&trail.path).map_err(|e| e.to_string())?;
            let damaged_bytes = summary
                .damage(trail.is_growing())
                .iter()
                .map(|d| d.len)
                .sum();
            report.total_bytes += trail.size;
            report.total_records += summary.tally.records;
            report.files.push(TrailFile {
                name: trail
                    .path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                bytes: trail.size,
                records: summary.tally.records,
                current: trail.is_current,
                damaged_bytes,
            });
        }
        Ok(report)
    }

    fn control_flags(&self) -> Option<u32> {
        self.sys
            .metadata(Path::new(AUDIT_CONTROL))
            .ok()
            .and_then(|m| m.flags)
    }

    fn set_control_flags(&self, flags: u32) -> std::io::Result<()> {
        match &self.sim {
            Some(mac) => mac
                .set_flags(Path::new(AUDIT_CONTROL), flags)
                .map_err(std::io::Error::other),
            None => earshot_system::process::set_file_flags(&self.control_path(), flags),
        }
    }

    fn user_name(&self, uid: u32) -> String {
        crate::peer::user_name(uid)
    }

    fn status_json(&self) -> Option<Status> {
        self.findings_and_status_json().1
    }

    fn machine(&self) -> Option<crate::views::Machine<'_>> {
        Some(crate::views::Machine {
            sys: &*self.sys,
            kind: self.kind,
            cache_dir: &self.cache_dir,
            trials: self.trials_file.as_deref(),
        })
    }

    fn example_control(&self) -> Option<Vec<u8>> {
        self.sys.read_file(Path::new(AUDIT_CONTROL_EXAMPLE)).ok()
    }

    /// The mSCP sequence, each step only when needed, so enabling twice is
    /// harmless (a second `launchctl bootstrap` would fail with EIO).
    fn start_auditing(&self) -> Result<Vec<String>, String> {
        let mut done = Vec::new();
        let listed = self
            .sys
            .run(Command::LaunchctlPrintDisabled)
            .map(|o| parse_print_disabled(&o.stdout_text()))
            .unwrap_or(None);
        // Not listed means launchd's default (enabled); enabling is then a no-op
        // but makes the state explicit, so only an explicit "enabled" skips it.
        if listed != Some(false) {
            self.must(Command::LaunchctlEnable)?;
            done.push(Command::LaunchctlEnable.to_string());
        }
        let job = self
            .sys
            .run(Command::LaunchctlPrint)
            .map(|o| parse_launchctl_print(&o))
            .map_err(|e| e.to_string())?;
        if job == LaunchdJob::NotLoaded {
            self.must(Command::LaunchctlBootstrap)?;
            done.push(Command::LaunchctlBootstrap.to_string());
        }
        if self.auditing() == Some(true) {
            done.push("auditd was already auditing (audit -i not needed)".into());
        } else {
            self.must(Command::Audit(AuditCmd::Init))?;
            done.push(Command::Audit(AuditCmd::Init).to_string());
        }
        Ok(done)
    }

    fn auditing(&self) -> Option<bool> {
        let out = self.sys.run(Command::Audit(AuditCmd::Check)).ok()?;
        match parse_audit_condition(&out) {
            AuditCondition::Auditing => Some(true),
            AuditCondition::NoAudit | AuditCondition::Disabled => Some(false),
            _ => None,
        }
    }

    fn measure(
        &self,
        flags: &str,
        naflags: &str,
        duration_secs: u64,
    ) -> Result<Measurement, MeasureFailure> {
        let (classes, _) = earshot_system::audit_tables(&*self.sys);
        let trial = Trial::parse(flags, naflags, duration_secs, &classes)
            .map_err(|e| MeasureFailure::Invalid(e.to_string()))?;
        match self.run_trial(&trial) {
            Ok(m) => {
                if let Some(path) = &self.trials_file {
                    // The trial stands even when it cannot be kept: the
                    // caller has it, and the planner falls back to references.
                    let kept = Store::load(path).and_then(|mut store| {
                        store.record(&m, self.sys.now());
                        store.save(path)
                    });
                    if let Err(e) = kept {
                        eprintln!(
                            "earshot-helper: keeping the trial in {}: {e}",
                            path.display()
                        );
                    }
                }
                Ok(m)
            }
            Err(e @ (MeasureError::NotAuditing | MeasureError::Unsupported)) => {
                Err(MeasureFailure::Unsupported(e.to_string()))
            }
            Err(e) => Err(MeasureFailure::Io(e.to_string())),
        }
    }
}

/// The simulated auditd, hosted in the helper process when nobody else hosts it.
pub struct SimHost {
    auditd: Arc<Mutex<SimAuditd>>,
    mac: SimulatedMac,
    clock: VirtualClock,
    wall_start: Instant,
    sim_start: f64,
    /// Simulated seconds added by `advance` control lines.
    skipped: Mutex<f64>,
}

impl std::fmt::Debug for SimHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimHost")
            .field("root", &self.mac.root())
            .finish()
    }
}

fn alive(pid: u32) -> bool {
    i32::try_from(pid)
        .is_ok_and(|p| nix::sys::signal::kill(nix::unistd::Pid::from_raw(p), None).is_ok())
}

/// Open the simulated Mac in `root`. Unless another live process already hosts
/// its auditd (then `audit` commands are queued to it through the folder), the
/// daemon is loaded into this process and returned for [`SimHost::tick`].
pub fn open_simulated(
    root: &Path,
) -> anyhow::Result<(Arc<dyn System>, SimulatedMac, Option<SimHost>)> {
    use anyhow::Context;
    let mac = SimulatedMac::open(root)
        .with_context(|| format!("opening simulated Mac {}", root.display()))?;
    let state = mac
        .load_state()
        .context("reading the simulated Mac's state")?;
    if state
        .host_pid
        .is_some_and(|p| p != std::process::id() && alive(p))
    {
        return Ok((Arc::new(mac.clone()), mac, None));
    }
    // Simulated time continues from where the folder's history ends, or from
    // now if that lies in the past.
    let sim_start = unix_f64(SystemTime::now()).max(state.auditd.sim_time);
    let clock = VirtualClock::new(SystemTime::UNIX_EPOCH + Duration::from_secs_f64(sim_start));
    let mac = mac.with_clock(clock.clone());
    let mut auditd = SimAuditd::load(mac.clone()).context("loading the simulated auditd")?;
    auditd.set_host_pid(Some(std::process::id()));
    if !auditd.state().running && state.launchd_enabled && state.launchd_loaded {
        // Boot: launchd starts auditd and the system issues `audit -i`.
        if let Err(e) = auditd.command(AuditCmd::Init, clock.now()) {
            eprintln!("earshot-helper: simulated auditd did not start: {e}");
        }
    }
    auditd.save().context("saving the simulated auditd")?;
    let auditd = Arc::new(Mutex::new(auditd));
    let mut hosted = mac.clone();
    hosted.host(auditd.clone());
    Ok((
        Arc::new(hosted),
        mac.clone(),
        Some(SimHost {
            auditd,
            mac,
            clock,
            wall_start: Instant::now(),
            sim_start,
            skipped: Mutex::new(0.0),
        }),
    ))
}

impl SimHost {
    /// The hosted daemon (for trial measurements).
    pub fn auditd(&self) -> Arc<Mutex<SimAuditd>> {
        self.auditd.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SimAuditd> {
        self.auditd.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Advance simulated time to now: run queued commands (an `advance` jumps
    /// the clock and the workload fills the time skipped), write records, save.
    pub fn tick(&self) -> Result<(), String> {
        let mut d = self.lock();
        let lines = self.mac.take_control_lines();
        let mut skipped = self.skipped.lock().unwrap_or_else(|e| e.into_inner());
        for line in lines {
            let now = self.now(*skipped);
            self.clock.set(now);
            match earshot_sim::parse_control(&line) {
                Some(Control::Audit(cmd)) => {
                    if let Err(e) = d.command(cmd, now) {
                        eprintln!("earshot-helper: simulated audit {}: {e}", cmd.flag());
                    }
                }
                Some(Control::Crash) => d.crash().map_err(|e| e.to_string())?,
                Some(Control::Workload(scale)) => d.set_workload(scale),
                Some(Control::Relogin) => d.relogin(unix_f64(now)).map_err(|e| e.to_string())?,
                Some(Control::Advance(secs)) => {
                    *skipped += secs;
                    // Write the skipped time in daily steps, so rotation and
                    // expiry run as they would have.
                    // The clock moves only past records already on disk, so a
                    // reader (the soak's measurement) never sees time the trail
                    // does not cover yet.
                    let target = self.now(*skipped);
                    let mut t = now;
                    while t < target {
                        t = (t + Duration::from_secs(86_400)).min(target);
                        d.step(t).map_err(|e| e.to_string())?;
                        d.flush().map_err(|e| e.to_string())?;
                        self.clock.set(t);
                    }
                }
                None => eprintln!("earshot-helper: ignoring control line {line:?}"),
            }
        }
        let now = self.now(*skipped);
        d.step(now).map_err(|e| e.to_string())?;
        d.flush().map_err(|e| e.to_string())?;
        self.clock.set(now);
        for w in d.take_warnings() {
            eprintln!("audit_warn: {w}");
        }
        d.save().map_err(|e| e.to_string())
    }

    fn now(&self, skipped: f64) -> SystemTime {
        let t = self.sim_start + skipped + self.wall_start.elapsed().as_secs_f64();
        SystemTime::UNIX_EPOCH + Duration::from_secs_f64(t)
    }

    /// Hand the simulated auditd back to the folder.
    pub fn stop(&self) {
        let mut d = self.lock();
        d.set_host_pid(None);
        if let Err(e) = d.save() {
            eprintln!("earshot-helper: saving the simulated auditd: {e}");
        }
    }
}
