//! The tuning ladder: next steps, paths to baselines, predictions and reviews.

use std::collections::BTreeMap;

use audit_control::ClassTable;
use earshot_compliance::{evaluate, Baseline, Observed, RuleKind, ServiceFacts, Status};
use earshot_tuning::plan::review::{review, AppliedStep, Observation, Verdict};
use earshot_tuning::plan::{
    add_flag_item, next_step, path, AhltVariant, ClassRates, Current, Disk, Measurements,
    PlanOptions, Rate, Source, StepKind, Target, DEFAULT_EXAMPLE,
};

const MIB: f64 = 1024.0 * 1024.0;
const GIB: u64 = 1 << 30;

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

#[test]
fn a_mac_without_audit_control_starts_by_enabling_auditing() {
    let plan = next_step(
        &Current::default(),
        Target::Next,
        &Measurements::default(),
        &classes(),
        &PlanOptions::default(),
    )
    .expect("a step");
    assert_eq!(plan.step, StepKind::EnableAuditing);
    assert_eq!(plan.after, DEFAULT_EXAMPLE);
    assert!(plan.before.is_none());
    let act = plan.activation.join("\n");
    assert!(act.contains("launchctl enable system/com.apple.auditd"));
    assert!(act.contains(
        "launchctl bootstrap system /System/Library/LaunchDaemons/com.apple.auditd.plist"
    ));
    assert!(act.contains("audit -i"));
    assert!(plan.needs_relogin);
    // The example's cost: lo and aa, from reference figures, clearly labelled.
    assert!(plan.prediction.uses_reference_figures);
    assert!(plan
        .prediction
        .classes
        .iter()
        .all(|c| c.source == Source::Reference && (c.class == "lo" || c.class == "aa")));
}

#[test]
fn a_stopped_service_is_started_without_touching_the_file() {
    let mut cur = enabled(DEFAULT_EXAMPLE);
    cur.service.kernel_auditing = Some(false);
    let plan = next_step(
        &cur,
        Target::Next,
        &Measurements::default(),
        &classes(),
        &PlanOptions::default(),
    )
    .unwrap();
    assert_eq!(plan.step, StepKind::StartAuditd);
    assert_eq!(plan.before.as_deref(), Some(plan.after.as_str()));
    assert!(plan.diff.is_empty());
}

#[test]
fn next_from_the_example_is_retention_then_ad_then_na() {
    let steps = path(
        &enabled(DEFAULT_EXAMPLE),
        Target::Next,
        &Measurements::default(),
        &classes(),
        &PlanOptions::default(),
    );
    let kinds: Vec<StepKind> = steps.iter().map(|p| p.step).collect();
    assert_eq!(
        kinds,
        vec![StepKind::Retention, StepKind::AddFlag, StepKind::NaflagsNa],
        "{:#?}",
        steps.iter().map(|p| &p.title).collect::<Vec<_>>()
    );
    // 10M → 60d OR 5G (no volume known: Earshot's own 5G fallback budget).
    assert!(steps[0].after.contains("\nexpire-after:60d OR 5G\n"));
    assert!(steps[1].after.contains("\nflags:lo,aa,ad\n"));
    assert!(steps[1].needs_relogin);
    assert!(steps[2].after.contains("\nnaflags:lo,aa,na\n"));
    assert!(!steps[2].warnings.is_empty());
    // Comments and Apple's session-flag lines survive every step.
    let last = &steps.last().unwrap().after;
    assert!(last
        .starts_with("#\n# $P4: //depot/projects/trustedbsd/openbsm/etc/audit_control#8 $\n#\n"));
    assert!(last.contains("member-set-sflags-mask:\n"));
}

#[test]
fn each_step_changes_exactly_one_concern() {
    for target in [
        Target::Next,
        Target::Baseline(Baseline::CisL1),
        Target::Baseline(Baseline::CisL2),
        Target::Baseline(Baseline::Stig26),
        Target::Baseline(Baseline::Stig15),
        Target::Baseline(Baseline::Nist53Low),
        Target::Baseline(Baseline::Nist53Moderate),
        Target::Baseline(Baseline::Nist53High),
    ] {
        for p in path(
            &Current::default(),
            target,
            &Measurements::default(),
            &classes(),
            &PlanOptions::default(),
        ) {
            if p.step == StepKind::EnableAuditing {
                continue;
            }
            assert_eq!(
                p.diff.len(),
                1,
                "{} {}: {:?}",
                target.name(),
                p.title,
                p.diff
            );
            assert_eq!(p.diff[0].key, p.concern, "{}", p.title);
        }
    }
}

/// The rule kinds the planner is responsible for.
fn planned(kind: RuleKind) -> bool {
    matches!(
        kind,
        RuleKind::Flag { .. }
            | RuleKind::Retention
            | RuleKind::CapacityNotify
            | RuleKind::FailureHalt
    )
}

#[test]
fn the_path_to_every_baseline_ends_compliant_literally_too() {
    for b in [
        Baseline::CisL1,
        Baseline::CisL2,
        Baseline::Stig15,
        Baseline::Stig26,
        Baseline::Nist53Low,
        Baseline::Nist53Moderate,
        Baseline::Nist53High,
    ] {
        for start in [Current::default(), enabled(DEFAULT_EXAMPLE)] {
            let fresh = start.audit_control.is_none();
            let steps = path(
                &start,
                Target::Baseline(b),
                &Measurements::default(),
                &classes(),
                &PlanOptions::default(),
            );
            // From nothing: enable first, then the rest — never one jump.
            assert!(steps.len() >= if fresh { 2 } else { 1 }, "{}", b.name());
            let last = steps.last().unwrap().after.clone();
            let report = evaluate(
                b,
                &Observed {
                    audit_control: Some(last.clone().into_bytes()),
                    ..Observed::default()
                },
                &classes(),
            );
            for r in &report.results {
                let rule = earshot_compliance::catalogue::rule(&r.id).unwrap();
                if planned(rule.kind) {
                    assert_eq!(
                        r.status,
                        Status::Pass,
                        "{}: {} — {}\n{last}",
                        b.name(),
                        r.id,
                        r.found
                    );
                    assert_eq!(
                        r.mscp_literal.as_ref().unwrap().verdict,
                        "pass",
                        "{}: {}",
                        b.name(),
                        r.id
                    );
                }
            }
            // Nothing left to do.
            let mut cur = enabled(&last);
            cur.example = None;
            assert!(next_step(
                &cur,
                Target::Baseline(b),
                &Measurements::default(),
                &classes(),
                &PlanOptions::default()
            )
            .is_none());
        }
    }
}

#[test]
fn stig_26_has_no_ahlt_step_but_stig_15_and_800_53_do() {
    let opts = PlanOptions::default();
    let has_halt = |b| {
        path(
            &enabled(DEFAULT_EXAMPLE),
            Target::Baseline(b),
            &Measurements::default(),
            &classes(),
            &opts,
        )
        .iter()
        .any(|p| p.step == StepKind::FailureHalt)
    };
    assert!(!has_halt(Baseline::Stig26));
    assert!(!has_halt(Baseline::CisL2));
    assert!(has_halt(Baseline::Stig15));
    assert!(has_halt(Baseline::Nist53Moderate));
}

#[test]
fn ahlt_needs_acknowledgement_and_offers_the_fail_stop_alternative() {
    let steps = path(
        &enabled(DEFAULT_EXAMPLE),
        Target::Baseline(Baseline::Nist53High),
        &Measurements::default(),
        &classes(),
        &PlanOptions::default(),
    );
    let halt = steps
        .iter()
        .find(|p| p.step == StepKind::FailureHalt)
        .unwrap();
    assert!(halt.after.contains("\npolicy:cnt,ahlt,argv\n"));
    assert_eq!(
        halt.risks.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        vec!["add-ahlt"]
    );
    assert!(halt.why.contains("PANIC"));
    let alt = &halt.alternatives[0];
    assert!(alt.after.contains("\npolicy:ahlt,argv\n"));
    let ids: Vec<_> = alt.risks.iter().map(|r| r.id.as_str()).collect();
    assert!(ids.contains(&"drop-cnt") && ids.contains(&"add-ahlt"));
    // Choosing fail-stop up front swaps them.
    let opts = PlanOptions {
        ahlt: AhltVariant::FailStop,
        ..PlanOptions::default()
    };
    let steps = path(
        &enabled(DEFAULT_EXAMPLE),
        Target::Baseline(Baseline::Nist53High),
        &Measurements::default(),
        &classes(),
        &opts,
    );
    let halt = steps
        .iter()
        .find(|p| p.step == StepKind::FailureHalt)
        .unwrap();
    assert!(halt.after.contains("\npolicy:ahlt,argv\n"));
}

#[test]
fn mscp_broken_ahlt_fix_is_repaired_first() {
    let ac = DEFAULT_EXAMPLE.replace("policy:cnt,argv", "policy: ahlt,argv");
    let plan = next_step(
        &enabled(&ac),
        Target::Baseline(Baseline::Nist53Moderate),
        &Measurements::default(),
        &classes(),
        &PlanOptions::default(),
    )
    .unwrap();
    assert_eq!(plan.step, StepKind::Policy);
    assert!(plan.after.contains("\npolicy:cnt,argv\n"));
}

#[test]
fn arge_only_when_asked_and_acknowledged() {
    let all = path(
        &enabled(DEFAULT_EXAMPLE),
        Target::Baseline(Baseline::Stig26),
        &Measurements::default(),
        &classes(),
        &PlanOptions::default(),
    );
    assert!(all.iter().all(|p| !p.after.contains("arge")));
    let opts = PlanOptions {
        want_arge: true,
        ..PlanOptions::default()
    };
    let all = path(
        &enabled(DEFAULT_EXAMPLE),
        Target::Baseline(Baseline::Stig26),
        &Measurements::default(),
        &classes(),
        &opts,
    );
    let arge = all.iter().find(|p| p.step == StepKind::Arge).unwrap();
    assert!(arge.after.contains("\npolicy:cnt,argv,arge\n"));
    assert_eq!(
        arge.risks.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        vec!["add-arge"]
    );
}

#[test]
fn minus_all_gets_literal_tokens_for_the_auditor_without_changing_meaning() {
    let ac = DEFAULT_EXAMPLE
        .replace("flags:lo,aa\n", "flags:lo,aa,ad,-all\n")
        .replace("expire-after:10M", "expire-after:30d");
    let steps = path(
        &enabled(&ac),
        Target::Baseline(Baseline::CisL2),
        &Measurements::default(),
        &classes(),
        &PlanOptions::default(),
    );
    let last = steps.last().unwrap();
    assert_eq!(last.step, StepKind::SpellOutForMscp);
    assert!(
        last.after
            .contains("\nflags:lo,aa,ad,-all,-ex,-fm,-fr,-fw\n"),
        "{}",
        last.after
    );
    assert!(last.prediction.change_bytes_per_day.typical.abs() < 1e-6);
}

#[test]
fn adding_a_class_drops_an_item_that_would_cancel_it() {
    let c = classes();
    assert_eq!(
        add_flag_item("lo,aa,-all,^-fr", "-fr", &c),
        "lo,aa,-all,-fr"
    );
    assert_eq!(add_flag_item("lo,aa,^fr", "-fr", &c), "lo,aa,-fr");
    assert_eq!(add_flag_item("lo,aa,^+fr", "-fr", &c), "lo,aa,^+fr,-fr");
    assert_eq!(add_flag_item("lo", "aa", &c), "lo,aa");
}

#[test]
fn classes_are_added_cheapest_first_from_measurements() {
    // Measured: failed reads are rare on this Mac, failed writes common.
    let mut m = Measurements::default();
    m.classes.insert(
        "fr".into(),
        ClassRates {
            success: None,
            failure: Some(Rate {
                events_per_day: 10.0,
                bytes_per_day: 2_000.0,
            }),
        },
    );
    m.classes.insert(
        "fw".into(),
        ClassRates {
            success: None,
            failure: Some(Rate {
                events_per_day: 50_000.0,
                bytes_per_day: 9_000_000.0,
            }),
        },
    );
    let ac = DEFAULT_EXAMPLE
        .replace("flags:lo,aa\n", "flags:lo,aa,ad,-ex,-fm\n")
        .replace("expire-after:10M", "expire-after:30d");
    let plan = next_step(
        &enabled(&ac),
        Target::Baseline(Baseline::CisL2),
        &m,
        &classes(),
        &PlanOptions::default(),
    )
    .unwrap();
    assert_eq!(plan.title, "flags: add -fr");
    let fr = plan
        .prediction
        .classes
        .iter()
        .find(|c| c.class == "fr")
        .unwrap();
    assert_eq!(fr.source, Source::Measured);
    assert!(fr.added);
    assert!((fr.bytes_per_day.typical - 2_000.0).abs() < 1e-9);
}

#[test]
fn storage_is_sized_from_rate_and_disk() {
    // 1 TB volume, 400 GB free, measured 300 MiB/day of lo/aa.
    let mut m = Measurements::default();
    m.classes.insert(
        "lo".into(),
        ClassRates {
            success: Some(Rate {
                events_per_day: 1e6,
                bytes_per_day: 200.0 * MIB,
            }),
            failure: None,
        },
    );
    m.classes.insert(
        "aa".into(),
        ClassRates {
            success: Some(Rate {
                events_per_day: 1e5,
                bytes_per_day: 100.0 * MIB,
            }),
            failure: None,
        },
    );
    m.disk = Some(Disk {
        total_bytes: 1_000 * GIB,
        free_bytes: 400 * GIB,
    });
    let ac = "dir:/var/audit\nflags:lo,aa\nminfree:5\nnaflags:lo,aa\npolicy:cnt,argv\nfilesz:0\nexpire-after:10M\n";
    let steps = path(
        &enabled(ac),
        Target::Next,
        &m,
        &classes(),
        &PlanOptions::default(),
    );
    let rot = steps.iter().find(|p| p.step == StepKind::Rotation).unwrap();
    // ~12.5 MiB per hour → 16M files.
    assert!(rot.after.contains("\nfilesz:16M\n"), "{}", rot.after);
    let ret = steps
        .iter()
        .find(|p| p.step == StepKind::Retention)
        .unwrap();
    // Budget: min(10% of 1000 GiB, half of (400 − 50) GiB) = 100 GiB.
    assert!(
        ret.after.contains("\nexpire-after:60d OR 100G\n"),
        "{}",
        ret.after
    );
    let days = ret.prediction.retention_days.unwrap();
    // 100 GiB at 300 MiB/day (lo+aa only; the planner sized for +ad) ≈ 60 days cap by age.
    assert!(days.typical <= 60.0 + 1e-9 && days.low > 30.0, "{days:?}");
    // Expiry caps trails well below the room above minfree.
    assert!(
        ret.prediction.time_to_minfree_days.is_none(),
        "{}",
        ret.prediction.minfree
    );
    assert!(ret.risks.iter().all(|r| r.id != "no-expire-after"));
}

#[test]
fn time_to_minfree_without_expiry() {
    let mut m = Measurements::default();
    m.classes.insert(
        "lo".into(),
        ClassRates {
            success: Some(Rate {
                events_per_day: 1.0,
                bytes_per_day: 1.0 * GIB as f64,
            }),
            failure: Some(Rate::default()),
        },
    );
    m.classes.insert(
        "aa".into(),
        ClassRates {
            success: Some(Rate::default()),
            failure: Some(Rate::default()),
        },
    );
    m.disk = Some(Disk {
        total_bytes: 100 * GIB,
        free_bytes: 30 * GIB,
    });
    // minfree 20: 10 GiB of room at 1 GiB/day → 10 days.
    let ac = "dir:/var/audit\nflags:lo,aa\nminfree:20\nnaflags:lo,aa\npolicy:cnt\nfilesz:2M\n";
    let plan = next_step(
        &enabled(ac),
        Target::Next,
        &m,
        &classes(),
        &PlanOptions::default(),
    )
    .unwrap();
    assert_eq!(plan.step, StepKind::Policy);
    let t = plan.prediction.time_to_minfree_days.unwrap();
    assert!((t.typical - 10.0).abs() < 1e-9, "{t:?}");
    assert!(t.low < t.typical && t.high > t.typical);
}

#[test]
fn review_cadence() {
    let c = classes();
    let plan = next_step(&enabled("dir:/var/audit\nflags:lo,aa\nminfree:5\nnaflags:lo,aa\npolicy:cnt,argv\nfilesz:2M\nexpire-after:60d OR 5G\n"), Target::Next, &Measurements::default(), &c, &PlanOptions::default()).unwrap();
    assert_eq!(plan.title, "flags: add ad");
    let applied = AppliedStep::record(&plan, 1_000_000);
    assert_eq!(applied.soak_days, 3.0);
    let p = plan.prediction.bytes_per_day;
    let mut per_class = BTreeMap::new();
    for cl in ["lo", "aa", "ad"] {
        per_class.insert(
            cl.to_string(),
            ClassRates {
                success: Some(Rate {
                    events_per_day: 10.0,
                    bytes_per_day: 1.0,
                }),
                failure: Some(Rate {
                    events_per_day: 10.0,
                    bytes_per_day: 1.0,
                }),
            },
        );
    }
    let obs = |days: f64, bytes: f64| Observation {
        now: 1_000_000 + (days * 86_400.0) as u64,
        bytes_per_day: bytes,
        events_per_day: 0.0,
        classes: per_class.clone(),
        disk: Some(Disk {
            total_bytes: 500 * GIB,
            free_bytes: 200 * GIB,
        }),
        ..Observation::default()
    };
    assert_eq!(
        review(&applied, &obs(1.0, p.typical), &c).verdict,
        Verdict::KeepSoaking
    );
    let r = review(&applied, &obs(3.5, p.typical), &c);
    assert_eq!(r.verdict, Verdict::NextStep, "{:?}", r.reasons);
    assert!((r.ratio.unwrap() - 1.0).abs() < 1e-9);
    // Suspended auditing rolls back at once, soak or not.
    let mut o = obs(0.5, p.typical);
    o.auditing_suspended = true;
    assert_eq!(review(&applied, &o, &c).verdict, Verdict::RollBack);
    // Heavier than predicted so the 5G cap keeps < 7 days: tweak storage.
    let r = review(&applied, &obs(4.0, 1.0 * GIB as f64), &c);
    assert_eq!(r.verdict, Verdict::Tweak, "{:?}", r.reasons);
    // Even heavier on a nearly full volume: the 5G cap is above the 5 GiB of room
    // left over minfree, reached within hours: roll back.
    let mut o = obs(4.0, 60.0 * GIB as f64);
    o.disk = Some(Disk {
        total_bytes: 500 * GIB,
        free_bytes: 30 * GIB,
    });
    assert_eq!(
        review(&applied.clone().with_soak_days(3.0), &o, &c).verdict,
        Verdict::RollBack
    );
    // The new class is silent: flags not in effect yet.
    let mut o = obs(3.5, p.typical);
    o.classes.remove("ad");
    let r = review(&applied, &o, &c);
    assert_eq!(r.verdict, Verdict::Tweak);
    assert!(r.reasons[0].contains("log out"));
}

#[test]
fn never_panics_on_garbage_configs() {
    for junk in [
        "",
        "flags",
        ":::",
        "policy:,",
        "expire-after:60d OR",
        "minfree:999",
        "filesz:1k",
        "\u{0}\u{ff}flags:lo",
    ] {
        for t in [
            Target::Next,
            Target::Baseline(Baseline::Nist53High),
            Target::Baseline(Baseline::Stig26),
        ] {
            let steps = path(
                &enabled(junk),
                t,
                &Measurements::default(),
                &classes(),
                &PlanOptions::default(),
            );
            assert!(steps.len() < 40, "{junk:?} {}", t.name());
        }
    }
}

#[test]
fn same_meaning_different_spelling_is_rewritten_for_the_auditor() {
    let cis = DEFAULT_EXAMPLE
        .replace("flags:lo,aa\n", "flags:lo,aa,ad,-ex,-fr,-fw,-fm,lo\n")
        .replace("expire-after:10M", "expire-after: 30d");
    let steps = path(
        &enabled(&cis),
        Target::Baseline(Baseline::CisL2),
        &Measurements::default(),
        &classes(),
        &PlanOptions::default(),
    );
    let titles: Vec<&str> = steps.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(
        titles,
        vec![
            "flags: drop the repeated lo for mSCP's literal check",
            "expire-after: write `30d` exactly for mSCP's literal check",
        ]
    );
    assert!(steps.iter().all(|p| p.step == StepKind::SpellOutForMscp));
    let last = &steps[1].after;
    assert!(
        last.contains("\nflags:lo,aa,ad,-ex,-fr,-fw,-fm\n")
            && last.contains("\nexpire-after:30d\n")
    );
    let stig = DEFAULT_EXAMPLE.replace("minfree:5", "minfree:25%");
    let steps = path(
        &enabled(&stig),
        Target::Baseline(Baseline::Stig26),
        &Measurements::default(),
        &classes(),
        &PlanOptions::default(),
    );
    let m = steps.last().unwrap();
    assert_eq!(m.concern, "minfree");
    assert!(m.after.contains("\nminfree:25\n"));
}

#[test]
fn bytes_that_are_not_utf8_survive_a_step() {
    let mut ac = b"# caf\xe9 (latin-1 comment)\n".to_vec();
    ac.extend_from_slice(
        DEFAULT_EXAMPLE
            .replace("expire-after:10M", "expire-after:60d OR 5G")
            .as_bytes(),
    );
    let cur = Current {
        audit_control: Some(ac.clone()),
        example: None,
        service: ServiceFacts {
            launchd_job_loaded: Some(true),
            kernel_auditing: Some(true),
        },
    };
    let plan = next_step(
        &cur,
        Target::Next,
        &Measurements::default(),
        &classes(),
        &PlanOptions::default(),
    )
    .unwrap();
    assert_eq!(plan.title, "flags: add ad");
    let out = plan.after_bytes();
    assert!(out.starts_with(b"# caf\xe9 (latin-1 comment)\n"));
    assert_eq!(out.len(), ac.len() + 3);
}
