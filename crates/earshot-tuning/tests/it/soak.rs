//! Soaking: how long each step soaks (the rule of docs/tuning-guide.md), when
//! its volume is "badly" over budget, what the review proposes, and which
//! changes a soak survives.

use std::collections::BTreeMap;

use audit_control::ClassTable;
use earshot_compliance::{Baseline, ServiceFacts};
use earshot_tuning::plan::review::{review, AppliedStep, Observation, Verdict};
use earshot_tuning::plan::soak::{
    chosen_soak_days, keeps_audited_set, over_budget, progress, soak_days, summary, tweaks,
    MAX_SOAK_DAYS,
};
use earshot_tuning::plan::{
    next_step, path, ClassRates, Current, Disk, Measurements, Plan, PlanOptions, Rate, StepKind,
    Target,
};

const GIB: u64 = 1 << 30;
const LO_AA: &str = "dir:/var/audit\nflags:lo,aa\nminfree:5\nnaflags:lo,aa\npolicy:cnt,argv\nfilesz:2M\nexpire-after:60d OR 5G\n";

fn enabled(ac: &str) -> Current {
    Current {
        audit_control: Some(ac.as_bytes().to_vec()),
        example: None,
        service: ServiceFacts {
            launchd_job_loaded: Some(true),
            kernel_auditing: Some(true),
        },
    }
}

fn classes() -> ClassTable {
    ClassTable::apple()
}

fn add_ad(m: &Measurements) -> Plan {
    let p = next_step(
        &enabled(LO_AA),
        Target::Next,
        m,
        &classes(),
        &PlanOptions::default(),
    )
    .unwrap();
    assert_eq!(p.title, "flags: add ad");
    p
}

/// Measured lo and aa (what a Mac running Apple's defaults shows), so the
/// prediction of a step is the measured volume plus what it adds.
fn measured() -> Measurements {
    let mut m = Measurements::default();
    for (class, events, bytes) in [("lo", 40.0, 6_000.0), ("aa", 4_000.0, 760_000.0)] {
        m.classes.insert(
            class.into(),
            ClassRates {
                success: Some(Rate {
                    events_per_day: events,
                    bytes_per_day: bytes,
                }),
                failure: Some(Rate {
                    events_per_day: events / 20.0,
                    bytes_per_day: bytes / 20.0,
                }),
            },
        );
    }
    m.disk = Some(Disk {
        total_bytes: 500 * GIB,
        free_bytes: 200 * GIB,
    });
    m
}

#[test]
fn a_step_that_adds_no_class_soaks_one_daily_cycle() {
    let p = next_step(
        &enabled("dir:/var/audit\nflags:lo,aa\nminfree:5\nnaflags:lo,aa\npolicy:cnt,argv\nfilesz:2M\nexpire-after:10M\n"),
        Target::Next,
        &measured(),
        &classes(),
        &PlanOptions::default(),
    )
    .unwrap();
    assert_eq!(p.step, StepKind::Retention, "{}", p.title);
    let (days, why) = soak_days(&p);
    assert_eq!(days, 1.0);
    assert!(why.contains("adds no class"), "{why}");
}

#[test]
fn a_busy_class_soaks_days_and_a_rare_one_weeks() {
    // ad from reference figures: at least 50 + 20 events a day → 171 events
    // in 2.4 days → 3 days.
    let (days, why) = soak_days(&add_ad(&Measurements::default()));
    assert_eq!(days, 3.0, "{why}");
    assert!(why.contains("+ad,-ad"), "{why}");
    assert!(why.contains("70.0 events a day"), "{why}");
    assert!(why.contains("2.4 days"), "{why}");

    // The same step with ad measured busy (thousands a day): two daily cycles.
    let mut m = measured();
    m.classes.insert(
        "ad".into(),
        ClassRates {
            success: Some(Rate {
                events_per_day: 3_000.0,
                bytes_per_day: 500_000.0,
            }),
            failure: Some(Rate {
                events_per_day: 100.0,
                bytes_per_day: 17_000.0,
            }),
        },
    );
    let (days, why) = soak_days(&add_ad(&m));
    assert_eq!(days, 2.0, "{why}");
    assert!(why.contains("at least two daily cycles"), "{why}");

    // Along the ladder from reference figures: -fr (300 a day at least) two
    // days, -fw (50) 3.4 days → a week, na (1.1) the longest, two weeks.
    let days_of = |target: Target, class: &str| {
        let steps = path(
            &enabled(LO_AA),
            target,
            &Measurements::default(),
            &classes(),
            &PlanOptions::default(),
        );
        let step = steps
            .iter()
            .find(|p| {
                p.prediction
                    .classes
                    .iter()
                    .any(|c| c.added && c.class == class)
            })
            .unwrap_or_else(|| panic!("a step that adds {class}"));
        soak_days(step)
    };
    assert_eq!(days_of(Target::Baseline(Baseline::CisL2), "fr").0, 2.0);
    let (days, why) = days_of(Target::Baseline(Baseline::CisL2), "fw");
    assert_eq!(days, 7.0, "{why}");
    assert!(why.contains("rounded up to whole weeks"), "{why}");
    let (days, why) = days_of(Target::Next, "na");
    assert_eq!(days, MAX_SOAK_DAYS, "{why}");
    assert!(
        why.contains("+na,-na, expected at 1.1 events a day"),
        "{why}"
    );
}

#[test]
fn the_user_may_shorten_or_lengthen_a_soak_within_the_practice() {
    let p = add_ad(&Measurements::default());
    assert_eq!(chosen_soak_days(&p, Some(5.0)).0, 5.0);
    assert!(chosen_soak_days(&p, Some(5.0)).1.contains("the user chose"));
    assert_eq!(chosen_soak_days(&p, Some(90.0)).0, MAX_SOAK_DAYS);
    assert_eq!(chosen_soak_days(&p, Some(0.001)).0, 1.0 / 24.0);
    // Nonsense falls back to the rule.
    assert_eq!(chosen_soak_days(&p, Some(f64::NAN)).0, 3.0);
    assert_eq!(chosen_soak_days(&p, Some(-2.0)).0, 3.0);
    assert_eq!(chosen_soak_days(&p, None).0, 3.0);
}

fn applied(m: &Measurements) -> AppliedStep {
    let p = add_ad(m);
    let mut a = AppliedStep::record(&p, 1_000_000);
    a.soak_days = soak_days(&p).0;
    a
}

#[test]
fn badly_over_budget_is_a_ratio_or_a_disk_consequence() {
    let c = classes();
    // Predicted from measured lo/aa and a trial of ad (tight band).
    let mut m = measured();
    m.classes.insert(
        "ad".into(),
        ClassRates {
            success: Some(Rate {
                events_per_day: 3_000.0,
                bytes_per_day: 500_000.0,
            }),
            failure: Some(Rate {
                events_per_day: 100.0,
                bytes_per_day: 17_000.0,
            }),
        },
    );
    let a = applied(&m);
    let p = a.prediction.bytes_per_day;
    // In the band: nothing to say.
    assert_eq!(over_budget(&a, p.typical, Some(100 * GIB), &c), None);
    // Just above the band, storage fine: above, but not badly.
    let just = p.high * 1.2;
    assert!(just / p.typical < 2.0);
    assert_eq!(over_budget(&a, just, Some(100 * GIB), &c), None);
    // The same volume with minfree 20 days away: badly.
    let room = (just * 20.0) as u64;
    let said = over_budget(&a, just, Some(room), &c).expect("minfree within a month");
    assert!(said.contains("minfree in 20 days"), "{said}");
    // Three times the prediction: badly, with the ratio.
    let said = over_budget(&a, p.typical * 3.0, Some(100 * GIB), &c).expect("3×");
    assert!(said.contains("3.0× the predicted volume"), "{said}");
    assert!(said.starts_with("flags: add ad writes"), "{said}");

    // Progress and the popover's line.
    let pr = progress(&a, 1_000_000 + 36 * 3600, Some(p.typical * 1.04), None, &c);
    assert_eq!(pr.days_observed, 1.5);
    assert_eq!(pr.over_budget, None);
    assert_eq!(
        summary(&a, &pr),
        format!(
            "flags: add ad — day 2 of {} — 1.04× the predicted volume so far",
            a.soak_days
        )
    );
    let pr = progress(&a, 1_000_000 + 600, None, None, &c);
    assert!(summary(&a, &pr).ends_with("measuring (under an hour recorded)"));
}

fn observation(days: f64, bytes_per_day: f64, ad: f64) -> Observation {
    let mut per_class = BTreeMap::new();
    for (cl, events) in [("lo", 40.0), ("aa", 4_000.0), ("ad", ad)] {
        per_class.insert(
            cl.to_string(),
            ClassRates {
                success: Some(Rate {
                    events_per_day: events,
                    bytes_per_day: events * 170.0,
                }),
                failure: Some(Rate::default()),
            },
        );
    }
    Observation {
        now: 1_000_000 + (days * 86_400.0) as u64,
        bytes_per_day,
        events_per_day: 0.0,
        classes: per_class,
        disk: Some(Disk {
            total_bytes: 500 * GIB,
            free_bytes: 200 * GIB,
        }),
        ..Observation::default()
    }
}

#[test]
fn three_times_the_prediction_is_a_tweak_with_the_figures_and_real_tweaks() {
    let c = classes();
    let mut m = measured();
    m.classes.insert(
        "ad".into(),
        ClassRates {
            success: Some(Rate {
                events_per_day: 3_000.0,
                bytes_per_day: 500_000.0,
            }),
            failure: Some(Rate {
                events_per_day: 100.0,
                bytes_per_day: 17_000.0,
            }),
        },
    );
    let a = applied(&m);
    let p = a.prediction.bytes_per_day;
    let r = review(&a, &observation(3.0, p.typical * 3.0, 9_000.0), &c);
    assert_eq!(r.verdict, Verdict::Tweak, "{:?}", r.reasons);
    assert!((r.ratio.unwrap() - 3.0).abs() < 1e-9);
    assert!(
        r.reasons.iter().any(|x| x.contains("3.0× the prediction")),
        "{:?}",
        r.reasons
    );
    // The tweaks, each a planned step on the Mac as it is now (ad added).
    let after = String::from_utf8(a.config.clone()).unwrap();
    let now = enabled(&after);
    let t = tweaks(&now, &a, &r, &m, &c);
    let drop = t
        .iter()
        .find(|t| t.id == "drop:ad")
        .expect("drop the class the step added");
    assert!(
        drop.plan.after.contains("flags:lo,aa\n"),
        "{}",
        drop.plan.after
    );
    assert!(drop.plan.prediction.bytes_per_day.typical < p.typical);

    // As predicted: no tweak, the next step.
    let r = review(&a, &observation(3.0, p.typical, 3_000.0), &c);
    assert_eq!(r.verdict, Verdict::NextStep, "{:?}", r.reasons);
    assert!(tweaks(&now, &a, &r, &m, &c).is_empty());
}

#[test]
fn a_quiet_failure_side_is_not_a_silent_class() {
    let c = classes();
    let a = applied(&Measurements::default());
    let p = a.prediction.bytes_per_day;
    // +ad seen, -ad never failed: as predicted, not "log out and back in".
    let r = review(&a, &observation(3.0, p.typical, 500.0), &c);
    assert_eq!(r.verdict, Verdict::NextStep, "{:?}", r.reasons);
    // Neither side seen in three days although at least 70 a day were
    // expected: the flags are not in effect.
    let r = review(&a, &observation(3.0, p.typical, 0.0), &c);
    assert_eq!(r.verdict, Verdict::Tweak);
    assert!(
        r.reasons[0].contains("no events seen for ad"),
        "{:?}",
        r.reasons
    );
}

#[test]
fn a_soak_survives_changes_that_leave_what_is_audited_alone() {
    let c = classes();
    let base = LO_AA.as_bytes();
    let comment = format!("# kept for the auditors\n{LO_AA}");
    assert!(keeps_audited_set(base, comment.as_bytes(), &c));
    let retention = LO_AA.replace("60d OR 5G", "30d");
    assert!(keeps_audited_set(base, retention.as_bytes(), &c));
    let reordered = LO_AA.replace("flags:lo,aa", "flags:aa,lo");
    assert!(keeps_audited_set(base, reordered.as_bytes(), &c));
    let more = LO_AA.replace("flags:lo,aa", "flags:lo,aa,ad");
    assert!(!keeps_audited_set(base, more.as_bytes(), &c));
    let argv = LO_AA.replace("cnt,argv", "cnt");
    assert!(!keeps_audited_set(base, argv.as_bytes(), &c));
    assert!(!keeps_audited_set(base, b"\xff\xfe garbage", &c));
}
