//! Issue 6 §3: on the simulated Mac, the planner's prediction and what then
//! happens agree within ±15 %.
//!
//! A laptop on Apple's default audit_control is followed up the ladder: the
//! storage steps are applied, then `+ad` (the ladder's step) and then a target
//! class, `-fr`, each predicted from a **trial measurement** (the simulator's
//! auditpipe, no config change), applied (`audit -s`, then a re-login so the
//! session gets the new mask), soaked for simulated days on a virtual clock, and
//! compared with what the trails then show (the 24 h rate window, i.e. what
//! `earshot status` reports) and with the forecast computed from them.
//!
//! Run with `--nocapture` to see the figures (recorded in docs/tuning-guide.md).

use std::path::Path;
use std::time::{Duration, SystemTime};

use audit_control::ClassTable;
use earshot_compliance::{ServiceFacts, View};
use earshot_core::forecast::{MinfreeOutlook, SteadyState};
use earshot_core::status::{self, StatusOptions};
use earshot_sim::SimulatedMac;
use earshot_sim::{AuditingSetup, InitOptions, SimAuditd};
use earshot_system::{from_unix, AuditCmd, System, VirtualClock};
use earshot_tuning::measure::{self, Trial};
use earshot_tuning::plan::{
    self, add_flag_item, cost, Current, Measurements, PlanOptions, Prediction, Side, Source,
    StepKind, Target,
};

/// 2026-03-02T00:00:00Z.
const T0: u64 = 1_772_409_600;
const DAY: f64 = 86_400.0;
const SLACK: f64 = 0.15;
/// Below this many events in the compared day, Poisson noise alone (1/√n)
/// exceeds a few per cent and a ±15 % check says nothing; such sides are
/// checked against a 5σ Poisson band instead (and printed as such).
const MIN_EVENTS: f64 = 400.0;

fn at(t: f64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs_f64(t)
}

struct Bench {
    mac: SimulatedMac,
    clock: VirtualClock,
    d: SimAuditd,
    classes: ClassTable,
    t: f64,
}

impl Bench {
    fn control(&self) -> Vec<u8> {
        self.mac
            .read_file(Path::new("/etc/security/audit_control"))
            .unwrap()
    }

    fn status(&self) -> status::Status {
        self.d.mac().clock();
        status::collect(&self.mac, "simulated", &StatusOptions { cache_dir: None }).unwrap()
    }

    fn measurements(&self) -> Measurements {
        measure::from_status(&self.status(), Some(&self.control()), &self.classes)
    }

    /// `helper apply` on the simulated Mac: write the file, `audit -s`.
    fn apply(&mut self, after: &[u8]) {
        self.mac
            .write_file_atomically(Path::new("/etc/security/audit_control"), after, 0o440)
            .unwrap();
        self.d.command(AuditCmd::Sync, at(self.t)).unwrap();
    }

    fn run_for(&mut self, secs: f64) {
        let end = self.t + secs;
        while self.t < end {
            self.t = (self.t + DAY / 4.0).min(end);
            self.d.step_to(self.t).unwrap();
        }
        self.d.save().unwrap();
        self.clock.set(at(self.t));
    }

    /// A trial of the sides `after` adds to `before`, for `secs`.
    fn trial(&self, before: &[u8], after: &[u8], secs: u64) -> measure::Measurement {
        let b = View::read(before, &self.classes);
        let a = View::read(after, &self.classes);
        let mask = |v: &View, na: bool| {
            let s = if na { &v.naflags } else { &v.flags };
            match s {
                earshot_compliance::Setting::Valid(l) => l.mask,
                _ => Default::default(),
            }
        };
        let added = |na: bool| {
            let (x, y) = (mask(&a, na), mask(&b, na));
            audit_control::ClassMask {
                success: x.success & !y.success,
                failure: x.failure & !y.failure,
            }
        };
        let trial = Trial {
            flags: added(false),
            naflags: added(true),
            duration_secs: secs,
        };
        earshot_sim::trial::simulate(&self.d, &trial, 0x7e57_5eed).unwrap()
    }
}

fn current(bytes: Vec<u8>) -> Current {
    Current {
        audit_control: Some(bytes),
        example: None,
        service: ServiceFacts {
            launchd_job_loaded: Some(true),
            kernel_auditing: Some(true),
        },
    }
}

/// Compares the prediction with one observed day; returns the lines printed.
fn compare(label: &str, p: &Prediction, observed: &Measurements, soak_days: f64) -> Vec<String> {
    let mut lines = vec![format!(
        "{label}: class   predicted ev/day  observed ev/day   predicted MB/day  observed MB/day  source"
    )];
    let mb = |b: f64| b / 1_000_000.0;
    let mut pred_total = 0.0;
    let mut obs_total = 0.0;
    for c in &p.classes {
        let obs = observed
            .classes
            .get(&c.class)
            .and_then(|r| r.get(c.side))
            .unwrap_or_default();
        let (pe, pb) = (c.events_per_day.typical, c.bytes_per_day.typical);
        let name = format!(
            "{}{}",
            if c.side == Side::Failure { "-" } else { "+" },
            c.class
        );
        pred_total += pb;
        obs_total += obs.bytes_per_day;
        let checked = if pe >= MIN_EVENTS {
            let ev_err = (obs.events_per_day - pe) / pe;
            let by_err = (obs.bytes_per_day - pb) / pb;
            assert!(
                ev_err.abs() <= SLACK && by_err.abs() <= SLACK,
                "{label} {name}: predicted {pe:.0} ev/day {pb:.0} B/day, observed {:.0} ev/day {:.0} B/day",
                obs.events_per_day,
                obs.bytes_per_day
            );
            format!(
                "events {:+.1} %, bytes {:+.1} %",
                ev_err * 100.0,
                by_err * 100.0
            )
        } else {
            // Too rare for a percentage: the observed count must lie in a 5σ
            // Poisson band around the predicted one (plus one event).
            let n = pe * soak_days.min(1.0);
            let band = 5.0 * n.sqrt() + 1.0;
            assert!(
                (obs.events_per_day - pe).abs() <= band,
                "{label} {name}: predicted {pe:.2} ev/day, observed {:.2}",
                obs.events_per_day
            );
            format!("rare (≤ {MIN_EVENTS:.0}/day): within the Poisson band ±{band:.1}")
        };
        lines.push(format!(
            "{label}: {name:<6} {pe:>16.0} {:>16.0} {:>18.3} {:>16.3}  {:?}; {checked}",
            obs.events_per_day,
            mb(pb),
            mb(obs.bytes_per_day),
            c.source
        ));
    }
    let err = (obs_total - pred_total) / pred_total;
    assert!(
        err.abs() <= SLACK,
        "{label} total: predicted {pred_total:.0} B/day, observed {obs_total:.0}"
    );
    lines.push(format!(
        "{label}: total MB/day predicted {:.3}, observed {:.3} ({:+.1} %)",
        mb(pred_total),
        mb(obs_total),
        err * 100.0
    ));
    lines
}

/// The plan's retention and time to minfree against the forecast that
/// `earshot status` computes from the soaked trails.
fn compare_storage(label: &str, p: &Prediction, st: &status::Status) -> Vec<String> {
    let f = st.forecast.as_ref().expect("a forecast after the soak");
    let mut lines = Vec::new();
    match (&p.retention_days, &f.steady_state) {
        (
            Some(r),
            SteadyState::Capped {
                retention_secs,
                limited_by,
                ..
            },
        ) => {
            let observed = retention_secs / DAY;
            let err = (observed - r.typical) / r.typical;
            assert!(
                err.abs() <= SLACK,
                "{label}: retention predicted {:.2} days, forecast {observed:.2} days",
                r.typical
            );
            lines.push(format!(
                "{label}: retention predicted {:.2} days, forecast from the trails {observed:.2} days ({limited_by}-limited, {:+.1} %)",
                r.typical,
                err * 100.0
            ));
        }
        (None, SteadyState::Unbounded { .. }) => {
            lines.push(format!("{label}: retention unbounded in both"));
        }
        (r, s) => panic!("{label}: retention predicted {r:?}, forecast {s:?}"),
    }
    match (&p.time_to_minfree_days, &f.minfree) {
        (None, MinfreeOutlook::Never { cap_bytes }) => lines.push(format!(
            "{label}: minfree never reached in both (expiry caps the trails at {:.1} MB)",
            *cap_bytes as f64 / 1e6
        )),
        (Some(r), MinfreeOutlook::Reached { days }) => {
            let err = (days - r.typical) / r.typical;
            assert!(err.abs() <= SLACK, "{label}: minfree in {r:?} vs {days}");
            lines.push(format!(
                "{label}: minfree predicted in {:.1} days, forecast {days:.1} days ({:+.1} %)",
                r.typical,
                err * 100.0
            ));
        }
        (r, o) => panic!("{label}: time to minfree predicted {r:?}, forecast {o:?}"),
    }
    lines
}

#[test]
fn predictions_from_trial_measurements_match_the_soak_within_15_percent() {
    let dir = tempfile::tempdir().unwrap();
    let days_before = 2.0;
    earshot_sim::init(
        dir.path(),
        &InitOptions {
            macos_version: "15.1".into(),
            days: days_before,
            profile: "laptop".into(),
            seed: 20_260_302,
            auditing: AuditingSetup::On,
            now: from_unix(T0),
            audit_control: None,
        },
    )
    .unwrap();
    let clock = VirtualClock::at_unix(T0);
    let mac = SimulatedMac::open(dir.path())
        .unwrap()
        .with_clock(clock.clone());
    let d = SimAuditd::load(mac.clone()).unwrap();
    let mut b = Bench {
        mac,
        clock,
        d,
        classes: ClassTable::apple(),
        t: T0 as f64,
    };
    let opts = PlanOptions::default();
    let mut report = Vec::new();

    // 1. Up the ladder to +ad: storage steps first (they change no volume).
    let ad_plan = loop {
        let m = b.measurements();
        let p = plan::next_step(&current(b.control()), Target::Next, &m, &b.classes, &opts)
            .expect("the ladder has a next step");
        if p.step == StepKind::AddFlag {
            break p;
        }
        report.push(format!("applied {:?}: {}", p.step, p.title));
        b.apply(p.after_bytes());
        b.run_for(600.0);
    };
    assert!(ad_plan.after.contains("ad"), "{}", ad_plan.after);

    let soak = |b: &mut Bench, label: &str, plan_after: &[u8], target: Target| {
        let before = b.control();
        // (b) trial measurement of what the step adds: one simulated hour.
        let trial = b.trial(&before, plan_after, 3600);
        assert_eq!(trial.method, "simulator");
        let mut m = b.measurements();
        earshot_tuning::measure::fill(&trial, &mut m);
        let before_view = View::read(&before, &b.classes);
        let after_view = View::read(plan_after, &b.classes);
        let prediction = cost::predict(Some(&before_view), &after_view, &b.classes, &m);
        for c in prediction.classes.iter().filter(|c| c.added) {
            assert_eq!(
                c.source,
                Source::Measured,
                "{label}: {} is labelled measured after the trial",
                c.class
            );
        }
        // The ladder sees the same figures.
        if let Some(p) = plan::next_step(&current(before.clone()), target, &m, &b.classes, &opts) {
            if p.after_bytes() == plan_after {
                assert_eq!(p.prediction, prediction);
            }
        }
        // (c) apply, and log in again so the session carries the new flags.
        b.apply(plan_after);
        b.d.relogin(b.t).unwrap();
        // (d) soak: three simulated days.
        let soak_days = 3.0;
        b.run_for(soak_days * DAY);
        // (e) compare with the last day as `earshot status` measures it.
        let st = b.status();
        let observed = measure::from_status(&st, Some(plan_after), &b.classes);
        let mut lines = compare(label, &prediction, &observed, soak_days);
        lines.extend(compare_storage(label, &prediction, &st));
        lines
    };

    report.extend(soak(&mut b, "+ad", ad_plan.after_bytes(), Target::Next));

    // 2. A target class: -fr (CIS Level 2 and the STIG want failed reads).
    let before = b.control();
    let v = View::read(&before, &b.classes);
    let flags = add_flag_item(v.raw_flags.as_deref().unwrap_or(""), "-fr", &b.classes);
    let after = plan::edit::set(&before, "flags", &flags, &b.classes);
    report.extend(soak(&mut b, "-fr", &after, Target::Next));

    // 3. Storage tweaks (no new class): a size-bound expire-after, then none at
    // all — retention and the time to minfree against the forecast.
    let storage = |b: &mut Bench, label: &str, after: Vec<u8>| {
        let before = b.control();
        let m = b.measurements();
        let prediction = cost::predict(
            Some(&View::read(&before, &b.classes)),
            &View::read(&after, &b.classes),
            &b.classes,
            &m,
        );
        b.apply(&after);
        b.run_for(1.5 * DAY);
        let st = b.status();
        let observed = measure::from_status(&st, Some(&after), &b.classes);
        let mut lines = compare(label, &prediction, &observed, 1.5);
        lines.retain(|l| l.contains("total"));
        lines.extend(compare_storage(label, &prediction, &st));
        lines
    };
    let before = b.control();
    let capped = plan::edit::set(&before, "expire-after", "60d OR 100M", &b.classes);
    report.extend(storage(&mut b, "expire-after 60d OR 100M", capped.clone()));
    let text = String::from_utf8(capped).unwrap();
    let unbounded: String = text
        .lines()
        .filter(|l| !l.starts_with("expire-after"))
        .map(|l| format!("{l}\n"))
        .collect();
    report.extend(storage(&mut b, "no expire-after", unbounded.into_bytes()));

    println!("\n## prediction accuracy (simulated laptop, seed 20260302)");
    for l in &report {
        println!("{l}");
    }
}
