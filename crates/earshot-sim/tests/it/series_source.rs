//! Chart data read from a simulated Mac with real BSM trails, checked against an
//! independent count made here with `bsm::scan` over the same files.

use std::path::Path;
use std::time::{Duration, SystemTime};

use earshot_core::series::{source, RateSpan};
use earshot_core::status::StatusOptions;
use earshot_sim::SimulatedMac;
use earshot_sim::{AuditingSetup, InitOptions};
use earshot_system::{unix_secs, System};
use earshot_trail::{Tables, TrailName};

fn simulated_mac(dir: &Path, profile: &str, days: f64) -> SimulatedMac {
    let opts = InitOptions {
        macos_version: "15.1".into(),
        days,
        profile: profile.into(),
        seed: 7,
        auditing: AuditingSetup::On,
        now: SystemTime::now() - Duration::from_secs(30),
        audit_control: None,
    };
    earshot_sim::init(dir, &opts).expect("simulated Mac");
    SimulatedMac::open(dir).expect("open")
}

/// Records per class in [start, end), counted straight from the trail bytes.
fn count_by_class(trail_dir: &Path, start: u64, end: u64, class: &str) -> u64 {
    let tables = Tables::apple();
    let mask = tables.classes().mask_of(class).expect("class");
    let mut n = 0;
    for entry in std::fs::read_dir(trail_dir).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if TrailName::parse(&name).is_err() || entry.file_type().unwrap().is_symlink() {
            continue;
        }
        let bytes = std::fs::read(entry.path()).unwrap();
        bsm::scan::scan(&bytes, |r| {
            if r.sec >= start && r.sec < end && tables.class_mask(r.event) & mask != 0 {
                n += 1;
            }
        });
    }
    n
}

#[test]
fn rate_series_agrees_with_an_independent_count() {
    let dir = tempfile::tempdir().unwrap();
    let mac = simulated_mac(dir.path(), "laptop", 2.0);
    let trail_dir = dir.path().join("var/audit");
    for span in [RateSpan::Day, RateSpan::Hour] {
        let s = source::rate_series(&mac, span, &StatusOptions::default()).unwrap();
        assert_eq!(s.end - s.start, span.secs());
        assert!(s.end <= unix_secs(mac.now()));
        assert!(
            s.has_data(),
            "{span:?}: a laptop writes aa records every hour"
        );
        // Apple's default flags are lo,aa; fa etc. are not audited.
        assert!(s.classes.iter().any(|c| c.name == "aa"));
        assert!(s.classes.iter().all(|c| c.name != "fa"));
        for c in &s.classes {
            let from_chart: f64 = c.points.iter().map(|p| p.1 * s.bucket_secs as f64).sum();
            let truth = count_by_class(&trail_dir, s.start, s.end, &c.name);
            assert_eq!(
                from_chart.round() as u64,
                truth,
                "{span:?} class {}",
                c.name
            );
            assert!(c
                .points
                .windows(2)
                .all(|w| w[1].0 == w[0].0 + s.bucket_secs));
        }
    }
}

#[test]
fn forecast_view_history_ends_at_the_folder_size() {
    let dir = tempfile::tempdir().unwrap();
    let mac = simulated_mac(dir.path(), "laptop", 3.0);
    let v = source::forecast_view(&mac, "simulated", &StatusOptions::default()).unwrap();
    let on_disk: u64 = std::fs::read_dir(dir.path().join("var/audit"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().map(|t| t.is_file()).unwrap_or(false))
        .filter(|e| TrailName::parse(&e.file_name().to_string_lossy()).is_ok())
        .map(|e| e.metadata().unwrap().len())
        .sum();
    assert_eq!(v.folder_bytes, on_disk);
    assert_eq!(v.history.last().map(|p| p.1), Some(on_disk));
    assert!(v.history.first().unwrap().0 <= v.now - 2 * 86_400);
    assert_eq!(v.minfree_percent, Some(5));
    let f = v.forecast.expect("a forecast from three days of trails");
    assert!(f.bytes_per_sec > 0.0);
    assert!(v.bytes_above_minfree > 0);
}

#[test]
fn a_mac_with_auditing_off_has_no_data() {
    let dir = tempfile::tempdir().unwrap();
    let opts = InitOptions {
        macos_version: "15.1".into(),
        days: 0.0,
        profile: "laptop".into(),
        seed: 1,
        auditing: AuditingSetup::AppleDefault,
        now: SystemTime::now(),
        audit_control: None,
    };
    earshot_sim::init(dir.path(), &opts).unwrap();
    let mac = SimulatedMac::open(dir.path()).unwrap();
    let s = source::rate_series(&mac, RateSpan::Hour, &StatusOptions::default()).unwrap();
    assert!(!s.has_data());
    let v = source::forecast_view(&mac, "simulated", &StatusOptions::default()).unwrap();
    assert!(v.history.is_empty());
    // Rendering what there is must not fail.
    earshot_chart::rates_chart(&s, &Default::default()).unwrap();
    earshot_chart::forecast_chart(&v, &Default::default()).unwrap();
}

/// Bytes of the records in [start, end), counted straight from the trail bytes.
fn bytes_between(trail_dir: &Path, start: u64, end: u64) -> u64 {
    let mut n = 0;
    for entry in std::fs::read_dir(trail_dir).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if TrailName::parse(&name).is_err() || entry.file_type().unwrap().is_symlink() {
            continue;
        }
        let bytes = std::fs::read(entry.path()).unwrap();
        bsm::scan::scan(&bytes, |r| {
            if r.sec >= start && r.sec < end {
                n += u64::from(r.len);
            }
        });
    }
    n
}

/// A soaking step's volume (what the helper measures every minute and the
/// wizard charts) agrees with the bytes counted independently since the step,
/// over the whole soak and bucket by bucket.
#[test]
fn volume_since_a_step_agrees_with_an_independent_count() {
    let dir = tempfile::tempdir().unwrap();
    let mac = simulated_mac(dir.path(), "laptop", 2.0);
    let trail_dir = dir.path().join("var/audit");
    let now = unix_secs(mac.now());
    // A step applied 30 hours ago, mid-hour.
    let since = now - 30 * 3600 - 1234;
    let v = source::volume_since(&mac, since, 3600, &StatusOptions::default()).unwrap();
    let (points, measured) = (v.points, v.bytes_per_day);
    // Minute resolution: the step's own minute counts whole.
    let start = since / 60 * 60;
    let counted = bytes_between(&trail_dir, start, now + 1);
    let expect = counted as f64 * 86_400.0 / (now - start) as f64;
    let measured = measured.expect("30 hours are measured");
    assert!(
        (measured - expect).abs() <= expect * 0.01,
        "measured {measured}, counted {expect}"
    );
    // 30 h 20 min from mid-hour: 31 or 32 hour buckets, by where "now" falls.
    assert!((31..=32).contains(&points.len()), "{points:?}");
    // The first bucket starts mid-hour: its rate is over the part after the step.
    let (t0, first) = points[0];
    assert!(t0 <= since && since < t0 + 3600);
    let first_bytes = bytes_between(&trail_dir, start, t0 + 3600) as f64;
    let expect_first = first_bytes * 86_400.0 / (t0 + 3600 - start) as f64;
    assert!(
        (first - expect_first).abs() <= expect_first * 0.01 + 1.0,
        "first bucket {first}, counted {expect_first}"
    );
    // Under an hour since the step: no figure yet.
    let young = source::volume_since(&mac, now - 600, 3600, &StatusOptions::default()).unwrap();
    assert_eq!(young.bytes_per_day, None);
}
