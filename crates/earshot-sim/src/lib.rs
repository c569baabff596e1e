//! The simulated Mac: `init` lays out `etc/security/` and `var/audit/` with days of
//! realistic trails, and [`SimAuditd`] keeps writing them. See docs/simulated-mac.md.
//! [`SimulatedMac`] is its `System`, [`trial`] its trial measurements.
#![forbid(unsafe_code)]

mod auditd;
pub mod profile;
pub mod records;
pub mod rng;
mod simulated;
pub mod trial;

pub use auditd::{
    control_word, parse_control, parse_control_word, AuditdCounters, AuditdState, Control,
    KernelSettings, Session, SessionKind, SimAuditd, StepReport, AUE_AUDIT_RECOVERY,
    AUE_AUDIT_SHUTDOWN, AUE_AUDIT_STARTUP,
};
pub use profile::{profile, Profile, PROFILES};
pub use simulated::{SimulatedMac, SimulatedState, VolumeModel};

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::SystemTime;

use earshot_system::{unix_f64, MacOsVersion, SystemError, VirtualClock};

/// Apple's files as shipped (the repo's one copy is audit-control's).
pub use audit_control::files::apple::{
    AUDIT_CLASS as APPLE_AUDIT_CLASS, AUDIT_EVENT as APPLE_AUDIT_EVENT,
};
use audit_control::files::apple::{AUDIT_USER as APPLE_AUDIT_USER, AUDIT_WARN as APPLE_AUDIT_WARN};

/// Whether the simulated admin turned auditing on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditingSetup {
    /// audit_control in place (the profile's), auditd enabled and started — what an
    /// admin has after following the man page's re-enable steps.
    On,
    /// What Apple ships for that version: on (Apple's audit_control) up to macOS 13;
    /// off (only audit_control.example, job disabled) from macOS 14.
    AppleDefault,
}

#[derive(Debug, Clone)]
pub struct InitOptions {
    pub macos_version: String,
    pub days: f64,
    pub profile: String,
    pub seed: u64,
    pub auditing: AuditingSetup,
    /// The moment the history ends (the wall clock for the CLI; fixed in tests).
    pub now: SystemTime,
    /// audit_control text to use instead of the profile's (with `AuditingSetup::On`).
    pub audit_control: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct InitReport {
    pub auditing: bool,
    pub records: u64,
    pub bytes: u64,
    pub rotations: u64,
    pub expired_files: u64,
}

fn write(path: &Path, text: &str, mode: u32) -> Result<(), SystemError> {
    std::fs::write(path, text).map_err(|e| SystemError::io(path, e))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|e| SystemError::io(path, e))
}

/// Creates a simulated Mac in `dir` (which must be absent or empty).
pub fn init(dir: &Path, opts: &InitOptions) -> Result<InitReport, SystemError> {
    let version = MacOsVersion::parse(&opts.macos_version).ok_or_else(|| {
        SystemError::Simulator(format!(
            "{:?} is not a macOS version like 15.1",
            opts.macos_version
        ))
    })?;
    let prof = profile(&opts.profile).ok_or_else(|| {
        let names: Vec<&str> = PROFILES.iter().map(|p| p.name).collect();
        SystemError::Simulator(format!(
            "unknown profile {:?} (known: {})",
            opts.profile,
            names.join(", ")
        ))
    })?;
    if !opts.days.is_finite() || opts.days < 0.0 {
        return Err(SystemError::Simulator("--days must be zero or more".into()));
    }
    if let Ok(mut entries) = std::fs::read_dir(dir) {
        if entries.next().is_some() {
            return Err(SystemError::Simulator(format!(
                "{} is not empty; a simulated Mac needs a fresh folder",
                dir.display()
            )));
        }
    }
    let etc = dir.join("etc/security");
    let audit = dir.join("var/audit");
    std::fs::create_dir_all(&etc).map_err(|e| SystemError::io(&etc, e))?;
    std::fs::create_dir_all(&audit).map_err(|e| SystemError::io(&audit, e))?;
    std::fs::set_permissions(&audit, std::fs::Permissions::from_mode(0o700))
        .map_err(|e| SystemError::io(&audit, e))?;
    write(&etc.join("audit_class"), APPLE_AUDIT_CLASS, 0o444)?;
    write(&etc.join("audit_event"), APPLE_AUDIT_EVENT, 0o444)?;
    write(&etc.join("audit_user"), APPLE_AUDIT_USER, 0o440)?;
    write(&etc.join("audit_warn"), APPLE_AUDIT_WARN, 0o555)?;
    write(
        &etc.join("audit_control.example"),
        profile::APPLE_AUDIT_CONTROL,
        0o444,
    )?;

    let auditing = match opts.auditing {
        AuditingSetup::On => true,
        AuditingSetup::AppleDefault => !version.audit_disabled_by_default(),
    };
    if auditing {
        let text = match (opts.auditing, &opts.audit_control) {
            (AuditingSetup::On, Some(custom)) => custom.as_str(),
            (AuditingSetup::On, None) => prof.audit_control,
            (AuditingSetup::AppleDefault, _) => profile::APPLE_AUDIT_CONTROL,
        };
        write(&etc.join("audit_control"), text, 0o440)?;
    }
    let now = unix_f64(opts.now);
    let start = now - opts.days * 86_400.0;
    let state = SimulatedState {
        macos_version: opts.macos_version.clone(),
        build_version: build_for(&version).into(),
        launchd_enabled: auditing,
        launchd_loaded: auditing,
        volume: prof.volume,
        profile: prof.name.into(),
        seed: opts.seed,
        file_flags: Default::default(),
        file_acls: Default::default(),
        host_pid: None,
        auditd: AuditdState::new(opts.seed, start),
    };
    let mac = SimulatedMac::create(dir, &state)?;
    if !auditing {
        return Ok(InitReport {
            auditing,
            records: 0,
            bytes: 0,
            rotations: 0,
            expired_files: 0,
        });
    }
    let clock = VirtualClock::new(
        SystemTime::UNIX_EPOCH + std::time::Duration::from_secs_f64(start.max(0.0)),
    );
    let mac = mac.with_clock(clock);
    let mut d = SimAuditd::load(mac)?;
    d.start(start)?;
    // Save once a simulated day so an interrupted init still leaves a usable Mac.
    let mut t = start;
    while t < now {
        t = (t + 86_400.0).min(now);
        d.step_to(t)?;
        d.save()?;
    }
    d.save()?;
    let c = d.state().counters;
    Ok(InitReport {
        auditing,
        records: c.records_written,
        bytes: c.bytes_written,
        rotations: c.rotations,
        expired_files: c.expired_files,
    })
}

/// A plausible build string for the version (sw_vers prints one).
fn build_for(v: &MacOsVersion) -> &'static str {
    match v.major {
        26 => "25A354",
        15 => "24B83",
        14 => "23H222",
        13 => "22H221",
        12 => "21H1222",
        11 => "20G1427",
        _ => "19H2026",
    }
}
