//! Health: every state from hand-made observations (the pure state machine), and
//! the same states produced end to end by simulated Macs through the `System`.

use std::path::Path;

use earshot_core::headroom::Headroom;
use earshot_core::health::{assess, CurrentTrail, HealthState, Observations, Severity};
use earshot_core::status::{collect, StatusOptions};
use earshot_sim::{AuditingSetup, InitOptions, SimAuditd};
use earshot_sim::{SimulatedMac, VolumeModel};
use earshot_system::{
    from_unix, AuditCondition, LaunchdJob, MacOsVersion, System, VirtualClock, VolumeStats,
};

const NOW: u64 = 1_772_409_600;

fn roomy() -> Headroom {
    let v = VolumeStats {
        block_size: 4096,
        blocks: 1_000_000,
        blocks_free: 500_000,
        blocks_available: 500_000,
    };
    earshot_core::headroom::compute("/var/audit", &v, Some(5), Some((1000, 1, 1)))
}

fn healthy() -> Observations {
    Observations {
        now_secs: NOW,
        macos: MacOsVersion::parse("15.1"),
        audit_control_present: Some(true),
        audit_control_example_present: Some(true),
        launchd_disabled: Some(false),
        launchd_job: Some(LaunchdJob::Loaded {
            running: false,
            state: "not running".into(),
            pid: None,
            program: None,
        }),
        condition: Some(AuditCondition::Auditing),
        current_trail: Some(Some(CurrentTrail {
            path: "/var/audit/20260301000000.not_terminated".into(),
            size: 4096,
            mtime_secs: NOW as i64 - 5,
        })),
        mean_record_interval_secs: Some(2.0),
        last_crash_recovery_secs: None,
        headroom: vec![roomy()],
    }
}

#[test]
fn auditing_and_writing_is_ok() {
    let h = assess(&healthy());
    assert_eq!(h.state, HealthState::Auditing);
    assert_eq!(h.severity, Severity::Ok);
    assert!(h.fix.is_none());
    assert!(h
        .evidence
        .iter()
        .any(|e| e.source == "audit -c" && e.observation == "AUC_AUDITING"));
}

#[test]
fn missing_audit_control_on_sonoma_is_not_configured() {
    let mut o = healthy();
    o.audit_control_present = Some(false);
    o.macos = MacOsVersion::parse("14.5");
    let h = assess(&o);
    assert_eq!(h.state, HealthState::NotConfigured);
    assert_eq!(h.severity, Severity::Off);
    assert!(h.summary.contains("macOS 14"));
    assert!(h.fix.unwrap().contains("audit_control.example"));
}

#[test]
fn disabled_job_is_disabled_in_launchd() {
    let mut o = healthy();
    o.launchd_disabled = Some(true);
    let h = assess(&o);
    assert_eq!(h.state, HealthState::DisabledInLaunchd);
    assert!(h
        .fix
        .unwrap()
        .contains("launchctl enable system/com.apple.auditd"));
}

#[test]
fn kernel_not_auditing_is_configured_not_auditing() {
    let mut o = healthy();
    o.condition = Some(AuditCondition::NoAudit);
    o.current_trail = Some(None);
    let h = assess(&o);
    assert_eq!(h.state, HealthState::ConfiguredNotAuditing);
    assert_eq!(h.severity, Severity::Error);
    assert!(h.fix.unwrap().contains("audit -i"));
}

#[test]
fn silent_trail_is_stalled_but_a_quiet_one_is_not() {
    let mut o = healthy();
    // One record every 2 s on average, nothing for an hour.
    o.current_trail = Some(Some(CurrentTrail {
        path: "/var/audit/x".into(),
        size: 1,
        mtime_secs: NOW as i64 - 3600,
    }));
    assert_eq!(assess(&o).state, HealthState::Stalled);
    // A laptop with lo,aa: one record every 10 minutes; an hour of silence is normal.
    o.mean_record_interval_secs = Some(600.0);
    assert_eq!(assess(&o).state, HealthState::Auditing);
    // Unknown rate: no stall claim either way.
    o.mean_record_interval_secs = None;
    assert_eq!(assess(&o).state, HealthState::Auditing);
}

#[test]
fn recent_crash_recovery_is_a_warning() {
    let mut o = healthy();
    o.last_crash_recovery_secs = Some(NOW as i64 - 3600);
    let h = assess(&o);
    assert_eq!(h.state, HealthState::RecoveredFromCrash);
    assert_eq!(h.severity, Severity::Warning);
    o.last_crash_recovery_secs = Some(NOW as i64 - 3 * 86_400);
    assert_eq!(assess(&o).state, HealthState::Auditing);
}

#[test]
fn below_minfree_is_low_space_and_below_hard_limit_is_stopped() {
    let mut o = healthy();
    let v = VolumeStats {
        block_size: 4096,
        blocks: 1000,
        blocks_free: 40,
        blocks_available: 40,
    };
    o.headroom = vec![earshot_core::headroom::compute(
        "/var/audit",
        &v,
        Some(5),
        None,
    )];
    assert_eq!(assess(&o).state, HealthState::LowSpace);
    let v = VolumeStats {
        blocks_free: 3,
        blocks_available: 3,
        ..v
    };
    o.headroom = vec![earshot_core::headroom::compute(
        "/var/audit",
        &v,
        Some(5),
        None,
    )];
    assert_eq!(assess(&o).state, HealthState::StoppedForSpace);
    o.condition = Some(AuditCondition::NoAudit);
    let h = assess(&o);
    assert_eq!(h.state, HealthState::StoppedForSpace);
    assert_eq!(h.severity, Severity::Error);
}

#[test]
fn missing_evidence_is_unknown_never_healthy() {
    let mut o = healthy();
    o.condition = Some(AuditCondition::PermissionDenied);
    o.current_trail = None; // /var/audit unreadable
    let h = assess(&o);
    assert_eq!(h.state, HealthState::Unknown);
    assert_eq!(h.severity, Severity::Unknown);
    // A growing trail is acceptable proof without root...
    o.current_trail = healthy().current_trail;
    assert_eq!(assess(&o).state, HealthState::Auditing);
    // ...but not when its usual rate is unknown.
    o.mean_record_interval_secs = None;
    assert_eq!(assess(&o).state, HealthState::Unknown);
    // Nothing observed at all.
    let nothing = Observations {
        now_secs: NOW,
        ..Observations::default()
    };
    assert_eq!(assess(&nothing).state, HealthState::Unknown);
    // Unrecognised `audit -c` output is not taken as either answer.
    let mut o = healthy();
    o.condition = Some(AuditCondition::Unrecognized {
        output: "??".into(),
    });
    o.current_trail = None;
    assert_eq!(assess(&o).state, HealthState::Unknown);
}

// End to end on simulated Macs.

fn sim_mac(dir: &Path, version: &str, setup: AuditingSetup, days: f64) -> SimulatedMac {
    let opts = InitOptions {
        macos_version: version.into(),
        days,
        profile: "laptop".into(),
        seed: 1,
        auditing: setup,
        now: from_unix(NOW),
        audit_control: None,
    };
    earshot_sim::init(dir, &opts).unwrap();
    SimulatedMac::open(dir).unwrap()
}

fn state_at(mac: &SimulatedMac, t: u64) -> HealthState {
    let m = mac.clone().with_clock(VirtualClock::at_unix(t));
    collect(&m, "simulated", &StatusOptions::default())
        .unwrap()
        .health
        .state
}

#[test]
fn simulated_macs_walk_through_the_states() {
    let dir = tempfile::tempdir().unwrap();
    let mac = sim_mac(dir.path(), "14.5", AuditingSetup::AppleDefault, 1.0);
    assert_eq!(state_at(&mac, NOW), HealthState::NotConfigured);

    let dir = tempfile::tempdir().unwrap();
    let mac = sim_mac(dir.path(), "15.1", AuditingSetup::On, 1.0);
    assert_eq!(state_at(&mac, NOW), HealthState::Auditing);
    // Nobody runs the simulated auditd for a day: the trail stops growing.
    assert_eq!(state_at(&mac, NOW + 86_400), HealthState::Stalled);

    // Crash and recovery.
    let mut d = SimAuditd::load(mac.clone()).unwrap();
    d.crash().unwrap();
    d.save().unwrap();
    assert_eq!(state_at(&mac, NOW + 60), HealthState::ConfiguredNotAuditing);
    let mut d = SimAuditd::load(mac.clone()).unwrap();
    d.start((NOW + 120) as f64).unwrap();
    d.step_to((NOW + 600) as f64).unwrap();
    d.save().unwrap();
    assert_eq!(state_at(&mac, NOW + 600), HealthState::RecoveredFromCrash);

    // Disabled in launchd.
    let mut s = mac.load_state().unwrap();
    s.launchd_enabled = false;
    mac.save_state(&s).unwrap();
    assert_eq!(state_at(&mac, NOW + 600), HealthState::DisabledInLaunchd);
    s.launchd_enabled = true;

    // A full volume: low space, then stopped.
    let used = dir_bytes(dir.path());
    s.volume = VolumeModel {
        size_bytes: 100 << 20,
        other_used_bytes: (100 << 20) - used - (4 << 20),
        block_size: 4096,
    };
    mac.save_state(&s).unwrap();
    assert_eq!(state_at(&mac, NOW + 600), HealthState::LowSpace);
    s.volume.other_used_bytes = (100 << 20) - used - 4096 * 2 - 4096;
    mac.save_state(&s).unwrap();
    assert_eq!(state_at(&mac, NOW + 600), HealthState::StoppedForSpace);
}

fn dir_bytes(root: &Path) -> u64 {
    fn walk(p: &Path, top: bool) -> u64 {
        let mut t = 0;
        for e in std::fs::read_dir(p).unwrap().flatten() {
            let ft = e.file_type().unwrap();
            if top
                && e.file_name()
                    .to_str()
                    .is_some_and(|n| n.starts_with("simulated-mac"))
            {
                continue;
            }
            if ft.is_dir() {
                t += walk(&e.path(), false);
            } else if ft.is_file() {
                t += e.metadata().unwrap().len().div_ceil(4096) * 4096;
            }
        }
        t
    }
    walk(root, true)
}

#[test]
fn the_mac_on_this_machine_is_never_called_healthy_without_evidence() {
    // On Linux there is no sw_vers/launchctl/audit: whatever MacOs finds, it must not
    // claim auditing is healthy.
    let mac = earshot_system::MacOs::new();
    if mac.metadata(Path::new("/usr/sbin/audit")).is_ok() {
        return; // a real Mac: nothing to assert about its configuration here
    }
    let st = collect(&mac, "macos", &StatusOptions::default()).unwrap();
    assert_ne!(st.health.severity, Severity::Ok, "{:?}", st.health);
}
