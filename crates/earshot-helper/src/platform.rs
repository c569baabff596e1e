//! What the helper needs from the machine it guards, and from the audit_control
//! grammar, as two narrow traits.
//!
//! The keeper (apply pipeline, history, drift, auto-revert) is written against
//! these traits so it is tested on plain temporary folders; the daemon plugs in
//! the real Mac or the simulated one through `earshot_system::System`.

use std::path::PathBuf;

use earshot_api::{Change, Diagnostic, Finding, HealthLevel, Measurement, Risk, TrailStatsReport};

/// The `audit(8)` operations a client may trigger, and nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditOp {
    /// `audit -s`: re-read audit_control.
    Sync,
    /// `audit -n`: start a new trail.
    Rotate,
    /// `audit -e`: expire trails per `expire-after`.
    Expire,
    /// `audit -i`: start auditing.
    Enable,
}

/// The machine: where audit_control really is, how to poke auditd, what time it is.
pub trait Platform: Send + Sync + 'static {
    /// The real location of audit_control (`/etc/security/audit_control` on a
    /// Mac, under the root folder on a simulated one). Never client-supplied.
    fn control_path(&self) -> PathBuf;
    /// The same file as a trusted root and the folders below it, for
    /// [`crate::control::ControlDir`]: every read and write walks this way.
    fn control_location(&self) -> crate::control::ControlLocation;
    /// Run one audit operation; `Err` carries what the tool said.
    fn audit(&self, op: AuditOp) -> Result<(), String>;
    /// Seconds since the epoch (virtual on a simulated Mac under test).
    fn now_unix(&self) -> u64;
    /// True on the simulated Mac.
    fn simulated(&self) -> bool;
    /// Health findings beyond what the keeper knows (auditd running, headroom...).
    fn findings(&self) -> Vec<Finding>;
    fn trail_stats(&self) -> Result<TrailStatsReport, String>;
    /// BSD flags of audit_control (`None` where the system has none).
    fn control_flags(&self) -> Option<u32> {
        earshot_system::process::file_flags(&self.control_path())
    }
    /// Set audit_control's BSD flags (`chflags`).
    fn set_control_flags(&self, flags: u32) -> std::io::Result<()> {
        earshot_system::process::set_file_flags(&self.control_path(), flags)
    }
    /// The full status document (`earshot status --json`), when the platform
    /// can produce one.
    fn status_json(&self) -> Option<earshot_core::status::Status> {
        None
    }
    /// [`Platform::findings`] and [`Platform::status_json`] from one look at
    /// the Mac: a status request pays for reading the trails once, not twice.
    fn findings_and_status_json(&self) -> (Vec<Finding>, Option<earshot_core::status::Status>) {
        (self.findings(), self.status_json())
    }
    /// The shipped `/etc/security/audit_control.example` (`None` when absent).
    fn example_control(&self) -> Option<Vec<u8>> {
        None
    }
    /// Turn the audit daemon on once audit_control exists: the launchd part of
    /// the mSCP sequence (`launchctl enable`, `launchctl bootstrap`) where
    /// needed, then `audit -i`. Returns what was done, in words; `Err` carries
    /// what the failing tool said.
    fn start_auditing(&self) -> Result<Vec<String>, String> {
        self.audit(AuditOp::Enable)
            .map(|()| vec!["audit -i".to_string()])
    }
    /// Whether the kernel is auditing now (`audit -c`); `None` when unknown.
    fn auditing(&self) -> Option<bool> {
        None
    }
    /// A trial measurement (auditpipe / the simulator's equivalent) of
    /// `flags`/`naflags` class lists for `duration_secs`. Blocks for the
    /// duration on a real Mac.
    fn measure(
        &self,
        flags: &str,
        naflags: &str,
        duration_secs: u64,
    ) -> Result<Measurement, MeasureFailure> {
        let _ = (flags, naflags, duration_secs);
        Err(MeasureFailure::Unsupported(
            "trial measurement is not available on this system".into(),
        ))
    }
    /// The user name for a uid, for history (falls back to the number).
    fn user_name(&self, uid: u32) -> String {
        uid.to_string()
    }
    /// The Mac itself, for what the app shows (charts, trail pages, the
    /// planner and compliance); `None` where there is no `System` behind the
    /// platform (then those requests are `unsupported`).
    fn machine(&self) -> Option<crate::views::Machine<'_>> {
        None
    }
}

/// Why a trial measurement could not run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MeasureFailure {
    /// The request is out of range or names unknown classes.
    Invalid(String),
    /// No auditpipe here (or auditing is off, so there is nothing to see).
    Unsupported(String),
    /// Opening or reading the pipe failed.
    Io(String),
}

/// The audit_control grammar's verdict on a proposed change.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Assessment {
    pub diagnostics: Vec<Diagnostic>,
    pub changes: Vec<Change>,
    pub risks: Vec<Risk>,
}

impl Assessment {
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == earshot_api::DiagnosticSeverity::Error)
    }
}

/// Validates a proposed file and explains how it differs from the current one.
pub trait Assessor: Send + Sync + 'static {
    fn assess(&self, old: &[u8], new: &[u8]) -> Assessment;
}

/// `UF_IMMUTABLE` (`uchg`) from `<sys/stat.h>`.
pub const UF_IMMUTABLE: u32 = 0x0000_0002;
/// `SF_IMMUTABLE` (`schg`).
pub const SF_IMMUTABLE: u32 = 0x0002_0000;

/// Map a health level to its severity rank (higher is worse) for sorting.
pub fn severity_rank(level: HealthLevel) -> u8 {
    match level {
        HealthLevel::Ok => 0,
        HealthLevel::Off => 1,
        HealthLevel::Warning => 2,
        HealthLevel::Error => 3,
    }
}
