//! The forecast against what the simulated Mac really does over a simulated week
//! (virtual clock, no sleeping): steady-state folder size under expire-after, and the
//! time to reach minfree, must agree within 10 %.

use std::path::Path;

use earshot_core::forecast::{Forecast, MinfreeOutlook, SteadyState};
use earshot_core::status::{collect, StatusOptions};
use earshot_sim::{AuditingSetup, InitOptions, SimAuditd};
use earshot_sim::{SimulatedMac, VolumeModel};
use earshot_system::{from_unix, VirtualClock};

const T0: u64 = 1_772_409_600;
const DAY: u64 = 86_400;

fn init(dir: &Path, control: &str, seed: u64) -> SimulatedMac {
    let opts = InitOptions {
        macos_version: "15.1".into(),
        days: 0.0,
        profile: "laptop".into(),
        seed,
        auditing: AuditingSetup::On,
        now: from_unix(T0),
        audit_control: Some(control.into()),
    };
    earshot_sim::init(dir, &opts).unwrap();
    SimulatedMac::open(dir).unwrap()
}

fn folder_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir.join("var/audit"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().map(|t| t.is_file()).unwrap_or(false))
        .map(|e| e.metadata().unwrap().len())
        .sum()
}

/// The status (and so the forecast) as `earshot status` computes it at `t`.
fn forecast_at(mac: &SimulatedMac, t: u64) -> Forecast {
    let m = mac.clone().with_clock(VirtualClock::at_unix(t));
    collect(&m, "simulated", &StatusOptions::default())
        .unwrap()
        .forecast
        .expect("trails are readable, so there is a forecast")
}

fn within(actual: f64, predicted: f64, tol: f64) -> bool {
    (actual - predicted).abs() <= tol * predicted
}

fn check_steady_state(control: &str, expect_limit: &str, seed: u64) {
    let dir = tempfile::tempdir().unwrap();
    let mac = init(dir.path(), control, seed);
    let mut d = SimAuditd::load(mac.clone()).unwrap();
    // Day 1 warms up the rate windows; the forecast is taken at the end of day 2.
    d.step_to((T0 + 2 * DAY) as f64).unwrap();
    d.save().unwrap();
    let f = forecast_at(&mac, T0 + 2 * DAY);
    let SteadyState::Capped {
        peak_bytes,
        mean_bytes,
        limited_by,
        ..
    } = f.steady_state
    else {
        panic!("expected a capped folder, got {:?}", f.steady_state);
    };
    assert_eq!(limited_by, expect_limit);
    // Then watch the folder for the rest of the week, every 5 simulated minutes.
    let mut max = 0u64;
    let mut sum = 0u128;
    let mut n = 0u128;
    let mut t = T0 + 2 * DAY;
    while t < T0 + 7 * DAY {
        t += 300;
        d.step_to(t as f64).unwrap();
        d.flush().unwrap();
        let b = folder_bytes(dir.path());
        if t >= T0 + 4 * DAY {
            max = max.max(b);
            sum += u128::from(b);
            n += 1;
        }
    }
    let mean = (sum / n) as u64;
    eprintln!("{expect_limit}: peak simulated {max} forecast {peak_bytes}; mean simulated {mean} forecast {mean_bytes}");
    assert!(
        within(max as f64, peak_bytes as f64, 0.10),
        "{control}: simulated peak {max} vs forecast {peak_bytes}"
    );
    assert!(
        within(mean as f64, mean_bytes as f64, 0.10),
        "{control}: simulated mean {mean} vs forecast {mean_bytes}"
    );
    assert!(d.state().counters.expired_files > 0);
}

#[test]
fn size_bound_steady_state_matches_a_simulated_week() {
    check_steady_state(
        "dir:/var/audit\nflags:lo,aa,pc,ex\nminfree:5\nnaflags:lo,aa,pc,ex\npolicy:cnt,argv\nfilesz:1M\nexpire-after:20M OR 30d\n",
        "size",
        11,
    );
}

#[test]
fn age_bound_steady_state_matches_a_simulated_week() {
    check_steady_state(
        "dir:/var/audit\nflags:lo,aa,pc,ex\nminfree:5\nnaflags:lo,aa,pc,ex\npolicy:cnt,argv\nfilesz:1M\nexpire-after:1d\n",
        "age",
        12,
    );
}

#[test]
fn days_until_minfree_matches_when_the_simulator_hits_it() {
    let dir = tempfile::tempdir().unwrap();
    // filesz:0: nothing ever expires, the folder grows until the soft limit.
    let control = "dir:/var/audit\nflags:lo,aa,pc,ex\nminfree:20\nnaflags:lo,aa,pc,ex\npolicy:cnt,argv\nfilesz:0\nexpire-after:1M\n";
    let mac = init(dir.path(), control, 13);
    let mut state = mac.load_state().unwrap();
    let size = 1u64 << 30;
    // 1 GiB volume, 20 % minfree, ~150 MiB above it.
    state.volume = VolumeModel {
        size_bytes: size,
        other_used_bytes: size - size / 5 - (150 << 20),
        block_size: 4096,
    };
    mac.save_state(&state).unwrap();
    let mut d = SimAuditd::load(mac.clone()).unwrap();
    d.step_to((T0 + DAY) as f64).unwrap();
    d.save().unwrap();
    let f = forecast_at(&mac, T0 + DAY);
    assert!(matches!(f.steady_state, SteadyState::Unbounded { .. }));
    let MinfreeOutlook::Reached { days } = f.minfree else {
        panic!("{:?}", f.minfree);
    };
    let predicted = (T0 + DAY) as f64 + days * DAY as f64;
    let mut t = T0 + DAY;
    let hit = loop {
        t += 300;
        assert!(t < T0 + 30 * DAY, "the simulator never reached minfree");
        d.step_to(t as f64).unwrap();
        if d.take_warnings().iter().any(|w| w.starts_with("soft")) {
            break t as f64;
        }
    };
    let elapsed_real = hit - (T0 + DAY) as f64;
    let elapsed_pred = predicted - (T0 + DAY) as f64;
    eprintln!("minfree: simulated after {elapsed_real} s, forecast {elapsed_pred} s");
    assert!(
        within(elapsed_real, elapsed_pred, 0.10),
        "minfree reached after {elapsed_real} s, forecast {elapsed_pred} s"
    );
}
