//! Workload profiles for the simulated Mac: how often each audit event *happens*
//! (whether or not it is audited). Preselection then decides which of them become
//! records, exactly as the kernel does: an event is written when its classes (from
//! audit_event) intersect the process's success or failure mask.
//!
//! The numbers are documented in docs/simulated-mac.md; they are plausible orders of
//! magnitude for the named machine, not measurements of any particular Mac.

use crate::simulated::VolumeModel;

/// How often one event happens.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EventRate {
    /// `AUE_*` name from audit_event.
    pub event: &'static str,
    /// Per hour, per active login session (attributable: auid set).
    pub user_per_hour: f64,
    /// Per hour, system-wide, by daemons whose auid is unset (non-attributable).
    pub system_per_hour: f64,
    /// Fraction that fail (ENOENT, EACCES, denied authorizations...).
    pub failure: f64,
}

const fn ev(event: &'static str, user: f64, system: f64, failure: f64) -> EventRate {
    EventRate {
        event,
        user_per_hour: user,
        system_per_hour: system,
        failure,
    }
}

/// The base activity of a macOS desktop: one interactive user plus the usual daemons.
pub const DESKTOP_EVENTS: &[EventRate] = &[
    // aa: authentication and authorization
    ev("AUE_auth_user", 4.0, 2.0, 0.10),
    ev("AUE_ssauthorize", 30.0, 120.0, 0.05),
    ev("AUE_ssauthmech", 10.0, 20.0, 0.02),
    ev("AUE_sudo", 3.0, 0.0, 0.05),
    // ad: administrative
    ev("AUE_SETTIMEOFDAY", 0.0, 1.0, 0.0),
    ev("AUE_MOUNT", 0.0, 0.5, 0.0),
    ev("AUE_modify_password", 0.01, 0.0, 0.0),
    // pc / ex: processes
    ev("AUE_EXECVE", 900.0, 600.0, 0.02),
    ev("AUE_POSIX_SPAWN", 600.0, 1500.0, 0.01),
    ev("AUE_FORK", 300.0, 600.0, 0.0),
    ev("AUE_EXIT", 1500.0, 2100.0, 0.0),
    ev("AUE_KILL", 50.0, 200.0, 0.2),
    // fr / fw / fc / fd / fa / fm: files
    ev("AUE_OPEN_R", 40000.0, 90000.0, 0.2),
    ev("AUE_OPEN_RW", 3000.0, 8000.0, 0.05),
    ev("AUE_OPEN_WC", 1500.0, 5000.0, 0.03),
    ev("AUE_OPEN_RWTC", 800.0, 2500.0, 0.03),
    ev("AUE_READLINK", 2000.0, 6000.0, 0.3),
    ev("AUE_STAT", 30000.0, 80000.0, 0.35),
    ev("AUE_LSTAT", 15000.0, 40000.0, 0.3),
    ev("AUE_ACCESS", 8000.0, 20000.0, 0.4),
    ev("AUE_GETATTRLIST", 20000.0, 60000.0, 0.2),
    ev("AUE_CHMOD", 100.0, 300.0, 0.05),
    ev("AUE_SETATTRLIST", 300.0, 1200.0, 0.02),
    ev("AUE_UTIMES", 200.0, 800.0, 0.02),
    ev("AUE_UNLINK", 1200.0, 4000.0, 0.15),
    ev("AUE_RENAME", 600.0, 2500.0, 0.02),
    ev("AUE_MKDIR", 200.0, 600.0, 0.3),
    ev("AUE_RMDIR", 80.0, 200.0, 0.1),
    // cl
    ev("AUE_CLOSE", 45000.0, 100000.0, 0.0),
    // nt
    ev("AUE_CONNECT", 1500.0, 6000.0, 0.08),
    ev("AUE_SOCKET", 1500.0, 6000.0, 0.0),
    ev("AUE_BIND", 50.0, 400.0, 0.02),
    // io / ip / ot
    ev("AUE_IOCTL", 5000.0, 15000.0, 0.1),
    ev("AUE_PIPE", 400.0, 900.0, 0.0),
    ev("AUE_SYSCTL", 3000.0, 9000.0, 0.01),
];

/// Who logs in, how often, for how long.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SessionModel {
    /// Sessions already open when the simulation starts and never closed (the
    /// laptop owner stays logged in across weeks; a CI agent's session).
    pub persistent: u32,
    /// `true`: persistent sessions are loginwindow (console) logins; `false`: ssh.
    pub persistent_console: bool,
    /// New ssh logins per day (Poisson).
    pub ssh_logins_per_day: f64,
    /// Mean length of an ssh session (exponential).
    pub ssh_session_hours: f64,
    /// auid of the interactive user.
    pub auid: u32,
}

/// A documented simulated machine.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Profile {
    pub name: &'static str,
    pub description: &'static str,
    /// The audit_control the admin has in place when auditing is on.
    pub audit_control: &'static str,
    pub volume: VolumeModel,
    pub sessions: SessionModel,
    /// Multipliers on [`DESKTOP_EVENTS`] user and system rates.
    pub user_scale: f64,
    pub system_scale: f64,
    pub events: &'static [EventRate],
}

/// Apple's shipped audit_control (the `.example` on macOS 14+).
pub const APPLE_AUDIT_CONTROL: &str = audit_control::files::apple::AUDIT_CONTROL;

/// The mSCP / CIS-style configuration a hardened fleet deployed from mSCP's
/// `main` branch (`expire-after:60d OR 5G`): since the `tahoe_rev3` release CIS
/// wants `30d`, so this file fails CIS retention — as it does on the many
/// fleets that deployed the older value (a realistic starting point).
pub const HARDENED_AUDIT_CONTROL: &str = "#\n# Hardened per CIS 3.2 / mSCP audit rules\n#\ndir:/var/audit\nflags:lo,aa,ad,fd,fm,-all\nminfree:25\nnaflags:lo,aa\npolicy:cnt,argv\nfilesz:2M\nexpire-after:60d OR 5G\nsuperuser-set-sflags-mask:has_authenticated,has_console_access\nsuperuser-clear-sflags-mask:has_authenticated,has_console_access\nmember-set-sflags-mask:\nmember-clear-sflags-mask:has_authenticated\n";

pub const PROFILES: &[Profile] = &[
    Profile {
        name: "laptop",
        description: "a developer laptop with Apple's default audit_control (lo,aa; 2M trails; 10M kept)",
        audit_control: APPLE_AUDIT_CONTROL,
        volume: VolumeModel {
            size_bytes: 500_000_000_000,
            other_used_bytes: 310_000_000_000,
            block_size: 4096,
        },
        sessions: SessionModel {
            persistent: 1,
            persistent_console: true,
            ssh_logins_per_day: 0.5,
            ssh_session_hours: 1.0,
            auid: 501,
        },
        user_scale: 1.0,
        system_scale: 1.0,
        events: DESKTOP_EVENTS,
    },
    Profile {
        name: "hardened-laptop",
        description: "the same laptop under the CIS/mSCP flags (lo,aa,ad,fd,fm,-all; 60d OR 5G)",
        audit_control: HARDENED_AUDIT_CONTROL,
        volume: VolumeModel {
            size_bytes: 500_000_000_000,
            other_used_bytes: 310_000_000_000,
            block_size: 4096,
        },
        sessions: SessionModel {
            persistent: 1,
            persistent_console: true,
            ssh_logins_per_day: 0.5,
            ssh_session_hours: 1.0,
            auid: 501,
        },
        user_scale: 1.0,
        system_scale: 1.0,
        events: DESKTOP_EVENTS,
    },
    Profile {
        name: "build-server",
        description: "a Mac mini CI builder under the CIS/mSCP flags: a CI agent session plus frequent ssh jobs",
        audit_control: HARDENED_AUDIT_CONTROL,
        volume: VolumeModel {
            size_bytes: 250_000_000_000,
            other_used_bytes: 120_000_000_000,
            block_size: 4096,
        },
        sessions: SessionModel {
            persistent: 1,
            persistent_console: false,
            ssh_logins_per_day: 48.0,
            ssh_session_hours: 0.25,
            auid: 502,
        },
        user_scale: 1.0,
        system_scale: 1.5,
        events: DESKTOP_EVENTS,
    },
];

pub fn profile(name: &str) -> Option<&'static Profile> {
    PROFILES.iter().find(|p| p.name == name)
}
