//! Is auditing on, running and writing? A small state machine over observations,
//! each state carrying its evidence and the fix in plain words.
//!
//! Observations are gathered through the `System` (see [`Observations::gather`]) but
//! the decision is a pure function, so every state is unit-tested from hand-made
//! observations. The rule that matters most: a question we could not answer never
//! turns into "healthy" — missing evidence leads to `Unknown`.

use std::path::Path;
use std::time::SystemTime;

pub use earshot_model::status::{Evidence, Health, HealthState, Severity};

use crate::headroom::Headroom;
use earshot_system::{
    parse_audit_condition, parse_launchctl_print, parse_print_disabled, parse_sw_vers, unix_secs,
    AuditCmd, AuditCondition, Command, LaunchdJob, MacOsVersion, System, AUDIT_CONTROL,
    AUDIT_CONTROL_EXAMPLE, CURRENT_LINK,
};

/// The active trail as seen on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentTrail {
    pub path: String,
    pub size: u64,
    pub mtime_secs: i64,
}

/// `Some(x)` = observed x; `None` = could not observe (permission, command missing).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Observations {
    pub now_secs: u64,
    pub macos: Option<MacOsVersion>,
    pub audit_control_present: Option<bool>,
    pub audit_control_example_present: Option<bool>,
    /// `Some(true)` = launchd lists the job as disabled.
    pub launchd_disabled: Option<bool>,
    pub launchd_job: Option<LaunchdJob>,
    pub condition: Option<AuditCondition>,
    /// `Some(None)` = we could read /var/audit and there is no current link.
    pub current_trail: Option<Option<CurrentTrail>>,
    /// Mean seconds between records over the last day; `None` if unknown.
    pub mean_record_interval_secs: Option<f64>,
    /// Newest `.crash_recovery` trail's modification time.
    pub last_crash_recovery_secs: Option<i64>,
    pub headroom: Vec<Headroom>,
}

/// A stall is declared when the trail has been silent for this many mean intervals
/// (Poisson silence that long has probability e^-10 ≈ 0.005 %)...
pub const STALL_INTERVALS: f64 = 10.0;
/// ...and at least this long, so a quiet laptop is not called stalled.
pub const STALL_MIN_SECS: f64 = 900.0;
/// A crash recovery younger than this is still worth a warning.
pub const RECENT_CRASH_SECS: i64 = 86_400;

fn ev(source: &str, observation: impl Into<String>) -> Evidence {
    Evidence {
        source: source.to_string(),
        observation: observation.into(),
    }
}

impl Observations {
    /// Asks the system. Each probe that fails becomes `None` (with no guessing).
    /// `last_crash` is the newest `.crash_recovery` trail's mtime, from the caller's
    /// listing of the trail folders (they are listed once per status).
    pub fn gather(
        sys: &dyn System,
        headroom: Vec<Headroom>,
        mean_record_interval_secs: Option<f64>,
        last_crash: Option<i64>,
    ) -> Observations {
        let now_secs = unix_secs(sys.now());
        let macos = sys
            .run(Command::SwVers)
            .ok()
            .filter(|o| o.success())
            .and_then(|o| parse_sw_vers(&o.stdout_text()));
        let exists = |p: &str| match sys.metadata(Path::new(p)) {
            Ok(_) => Some(true),
            Err(e) if e.is_not_found() => Some(false),
            Err(_) => None,
        };
        let launchd_disabled = sys
            .run(Command::LaunchctlPrintDisabled)
            .ok()
            .filter(|o| o.success())
            .map(|o| parse_print_disabled(&o.stdout_text()));
        let launchd_disabled = launchd_disabled.flatten();
        let launchd_job = sys
            .run(Command::LaunchctlPrint)
            .ok()
            .map(|o| parse_launchctl_print(&o));
        let condition = sys
            .run(Command::Audit(AuditCmd::Check))
            .ok()
            .map(|o| parse_audit_condition(&o));
        let current_trail = match sys.read_link(Path::new(CURRENT_LINK)) {
            Ok(target) => match sys.metadata(&target) {
                Ok(m) => Some(Some(CurrentTrail {
                    path: target.display().to_string(),
                    size: m.len,
                    mtime_secs: m.mtime_secs,
                })),
                // A dangling link: auditd is not writing there.
                Err(e) if e.is_not_found() => Some(None),
                Err(_) => None,
            },
            Err(e) if e.is_not_found() => Some(None),
            Err(_) => None,
        };
        Observations {
            now_secs,
            macos,
            audit_control_present: exists(AUDIT_CONTROL),
            audit_control_example_present: exists(AUDIT_CONTROL_EXAMPLE),
            launchd_disabled,
            launchd_job,
            condition,
            current_trail,
            mean_record_interval_secs,
            last_crash_recovery_secs: last_crash,
            headroom,
        }
    }
}

/// Decides the state.
pub fn assess(o: &Observations) -> Health {
    let mut evidence = Vec::new();
    if let Some(v) = &o.macos {
        evidence.push(ev(
            "sw_vers",
            format!("{} {}", v.product_name, v.product_version),
        ));
    }
    let make = |state: HealthState,
                summary: String,
                evidence: Vec<Evidence>,
                fix: Option<String>| Health {
        state,
        severity: state.severity(),
        summary,
        evidence,
        fix,
    };

    // 1. Configuration file.
    match o.audit_control_present {
        Some(false) => {
            evidence.push(ev(AUDIT_CONTROL, "does not exist"));
            if o.audit_control_example_present == Some(true) {
                evidence.push(ev(
                    AUDIT_CONTROL_EXAMPLE,
                    "exists (Apple ships this instead since macOS 14)",
                ));
            }
            let fix = "Copy /etc/security/audit_control.example to /etc/security/audit_control, run `launchctl enable system/com.apple.auditd`, then `launchctl bootstrap system /System/Library/LaunchDaemons/com.apple.auditd.plist` and `audit -i` (or reboot).";
            let summary = if o
                .macos
                .as_ref()
                .is_some_and(|v| v.audit_disabled_by_default())
            {
                "Auditing is off: audit_control is missing, as Apple ships macOS 14 and later."
            } else {
                "Auditing is off: /etc/security/audit_control is missing."
            };
            return make(
                HealthState::NotConfigured,
                summary.into(),
                evidence,
                Some(fix.into()),
            );
        }
        Some(true) => evidence.push(ev(AUDIT_CONTROL, "exists")),
        None => evidence.push(ev(AUDIT_CONTROL, "could not be checked")),
    }

    // 2. launchd.
    match o.launchd_disabled {
        Some(true) => {
            evidence.push(ev(
                "launchctl print-disabled system",
                "\"com.apple.auditd\" => disabled",
            ));
            return make(
                HealthState::DisabledInLaunchd,
                "Auditing is off: the audit daemon is disabled in launchd.".into(),
                evidence,
                Some("Run `launchctl enable system/com.apple.auditd`, then `launchctl bootstrap system /System/Library/LaunchDaemons/com.apple.auditd.plist` and `audit -i` (or reboot).".into()),
            );
        }
        Some(false) => evidence.push(ev(
            "launchctl print-disabled system",
            "\"com.apple.auditd\" => enabled",
        )),
        None => {}
    }
    match &o.launchd_job {
        Some(LaunchdJob::NotLoaded) => evidence.push(ev(
            "launchctl print system/com.apple.auditd",
            "service not loaded in the system domain",
        )),
        Some(LaunchdJob::Loaded { state, .. }) => evidence.push(ev(
            "launchctl print system/com.apple.auditd",
            format!("loaded, state = {state} (auditd runs on demand; not running is normal)"),
        )),
        Some(LaunchdJob::Unreadable { reason }) => evidence.push(ev(
            "launchctl print system/com.apple.auditd",
            format!("unreadable: {reason}"),
        )),
        None => {}
    }

    // 3. Kernel condition, or failing that the current trail.
    let trail = o.current_trail.clone();
    let kernel_says = match &o.condition {
        Some(AuditCondition::Auditing) => {
            evidence.push(ev("audit -c", "AUC_AUDITING"));
            Some(true)
        }
        Some(AuditCondition::NoAudit) | Some(AuditCondition::Disabled) => {
            evidence.push(ev("audit -c", "AUC_NOAUDIT"));
            Some(false)
        }
        Some(AuditCondition::PermissionDenied) => {
            evidence.push(ev("audit -c", "needs root; kernel state not queried"));
            None
        }
        Some(AuditCondition::Unrecognized { output }) => {
            evidence.push(ev("audit -c", format!("unrecognised output: {output}")));
            None
        }
        None => None,
    };
    match &trail {
        Some(Some(t)) => evidence.push(ev(
            CURRENT_LINK,
            format!(
                "→ {} ({} bytes, last written {} s ago)",
                t.path,
                t.size,
                (o.now_secs as i64 - t.mtime_secs).max(0)
            ),
        )),
        Some(None) => evidence.push(ev(CURRENT_LINK, "no active trail")),
        None => evidence.push(ev(CURRENT_LINK, "could not be read (needs root)")),
    }
    let hard = o.headroom.iter().find(|h| h.below_hard_limit);
    let low = o.headroom.iter().find(|h| h.below_minfree);

    let auditing = match kernel_says {
        Some(v) => v,
        // Without the kernel's word, an active trail that keeps growing is the only
        // acceptable proof; anything less is unknown, never healthy.
        None => match &trail {
            Some(Some(t)) if !is_stalled(o, t) && o.mean_record_interval_secs.is_some() => {
                evidence.push(ev("inference", "the active trail is growing at its usual rate"));
                true
            }
            Some(None) if o.launchd_job == Some(LaunchdJob::NotLoaded) => false,
            _ => {
                return make(
                    HealthState::Unknown,
                    "Cannot tell whether auditing is on without more access.".into(),
                    evidence,
                    Some("Install or approve the Earshot helper so it can query the kernel (`audit -c` needs root).".into()),
                )
            }
        },
    };

    if !auditing {
        if let Some(h) = hard {
            evidence.push(ev(
                &h.dir,
                format!("{} bytes free: under the kernel's hard limit", h.free_bytes),
            ));
            return make(
                HealthState::StoppedForSpace,
                "Auditing stopped: the trail volume ran out of space.".into(),
                evidence,
                Some(format!("Free space on the volume holding {} (or lower expire-after so old trails are deleted), then run `audit -i`.", h.dir)),
            );
        }
        return make(
            HealthState::ConfiguredNotAuditing,
            "Auditing is configured and enabled but the kernel is not auditing.".into(),
            evidence,
            Some("Run `audit -i` to start auditing; if it does not start, check audit_control with `earshot config check`.".into()),
        );
    }

    // Auditing: look for trouble, worst first.
    if let Some(h) = hard {
        evidence.push(ev(
            &h.dir,
            format!("{} bytes free: under the kernel's hard limit", h.free_bytes),
        ));
        return make(
            HealthState::StoppedForSpace,
            "Auditing is about to stop: the trail volume is out of space.".into(),
            evidence,
            Some(format!("Free space on the volume holding {} now.", h.dir)),
        );
    }
    if let Some(Some(t)) = &trail {
        if is_stalled(o, t) {
            let silent = o.now_secs as i64 - t.mtime_secs;
            evidence.push(ev(
                "rates",
                format!(
                    "one record every {:.0} s on average over the last day, but nothing for {silent} s",
                    o.mean_record_interval_secs.unwrap_or(0.0)
                ),
            ));
            return make(
                HealthState::Stalled,
                "Auditing is on but the trail has stopped growing.".into(),
                evidence,
                Some("Rotate with `audit -n`; if the trail still does not grow, restart auditing with `audit -t` then `audit -i`.".into()),
            );
        }
    }
    if let Some(h) = low {
        evidence.push(ev(
            &h.dir,
            format!(
                "{:.1} % free, below the minfree limit of {:.1} %",
                h.free_percent, h.kernel_threshold_percent
            ),
        ));
        return make(
            HealthState::LowSpace,
            "Auditing, but the trail volume is below minfree.".into(),
            evidence,
            Some("Free space on the trail volume, or lower expire-after so auditd deletes older trails at the next rotation.".into()),
        );
    }
    if let Some(c) = o.last_crash_recovery_secs {
        if o.now_secs as i64 - c < RECENT_CRASH_SECS {
            evidence.push(ev(
                "trail folder",
                format!(
                    "a .crash_recovery trail from {} s ago",
                    o.now_secs as i64 - c
                ),
            ));
            return make(
                HealthState::RecoveredFromCrash,
                "Auditing, after recovering from an auditd crash.".into(),
                evidence,
                Some("Records written just before the crash may be missing; review the .crash_recovery trail.".into()),
            );
        }
    }
    make(
        HealthState::Auditing,
        "Auditing is on and the trail is growing.".into(),
        evidence,
        None,
    )
}

fn is_stalled(o: &Observations, t: &CurrentTrail) -> bool {
    let Some(mean) = o.mean_record_interval_secs else {
        return false;
    };
    let silent = o.now_secs as f64 - t.mtime_secs as f64;
    silent > (mean * STALL_INTERVALS).max(STALL_MIN_SECS)
}

/// Seconds since `t`, for display.
pub fn age_secs(now: SystemTime, t: SystemTime) -> u64 {
    now.duration_since(t).map(|d| d.as_secs()).unwrap_or(0)
}
