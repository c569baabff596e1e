//! Properties of the ladder over messy real-world files: whatever the starting point
//! (missing keys, invalid values, mSCP's broken fixes, comments), the path to a
//! baseline terminates, every step changes something, and the end state meets the
//! rules the planner is responsible for — on meaning.

use audit_control::ClassTable;
use earshot_compliance::{catalogue, evaluate, Baseline, Observed, RuleKind, ServiceFacts, Status};
use earshot_tuning::plan::{path, Current, Measurements, PlanOptions, Target};
use proptest::prelude::*;

const FLAGS: &[&str] = &[
    "",
    "flags:lo,aa\n",
    "flags:lo\n",
    "flags:lo, aa\n",
    "flags:-all\n",
    "flags:lo,aa,all,^-fr\n",
    "flags:+lo,-aa\n",
    "flags:\n",
    "flags:lo:aa\n",
    "flags:ex,fr,^lo\n",
];
const NAFLAGS: &[&str] = &["", "naflags:lo,aa\n", "naflags:\n", "naflags:bogus\n"];
const POLICY: &[&str] = &[
    "",
    "policy:cnt,argv\n",
    "policy: ahlt,argv\n",
    "policy:ahlt\n",
    "policy:cnt,seq\n",
    "policy:argv,arge\n",
];
const MINFREE: &[&str] = &[
    "",
    "minfree:5\n",
    "minfree:25%\n",
    "minfree:75\n",
    "minfree:abc\n",
    "minfree:0\n",
];
const FILESZ: &[&str] = &[
    "",
    "filesz:2M\n",
    "filesz:0\n",
    "filesz:1k\n",
    "filesz:1G\n",
];
const EXPIRE: &[&str] = &[
    "",
    "expire-after:10M\n",
    "expire-after:60d OR 5G\n",
    "expire-after: 7d\n",
    "expire-after:0\n",
    "expire-after:60m\n",
    "#expire-after:1d\n",
];

fn file() -> impl Strategy<Value = String> {
    (
        0..FLAGS.len(),
        0..NAFLAGS.len(),
        0..POLICY.len(),
        0..MINFREE.len(),
        0..FILESZ.len(),
        0..EXPIRE.len(),
        any::<bool>(),
    )
        .prop_map(|(f, n, p, m, z, e, comment)| {
            let mut s = String::new();
            if comment {
                s.push_str("# managed by hand\n");
            }
            s.push_str("dir:/var/audit\n");
            for part in [
                FLAGS[f], NAFLAGS[n], POLICY[p], MINFREE[m], FILESZ[z], EXPIRE[e],
            ] {
                s.push_str(part);
            }
            s
        })
}

const BASELINES: [Baseline; 7] = [
    Baseline::CisL1,
    Baseline::CisL2,
    Baseline::Stig15,
    Baseline::Stig26,
    Baseline::Nist53Low,
    Baseline::Nist53Moderate,
    Baseline::Nist53High,
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_path_ends_compliant(ac in file(), which in 0..BASELINES.len()) {
        let b = BASELINES[which];
        let classes = ClassTable::apple();
        let current = Current {
            audit_control: Some(ac.clone().into_bytes()),
            example: None,
            service: ServiceFacts { launchd_job_loaded: Some(true), kernel_auditing: Some(true) },
        };
        // Earshot's own goal terminates too, one concern per step.
        let next = path(&current, Target::Next, &Measurements::default(), &classes, &PlanOptions::default());
        prop_assert!(next.len() < 40);
        prop_assert!(next.iter().all(|s| s.diff.len() <= 1));
        let steps = path(&current, Target::Baseline(b), &Measurements::default(), &classes, &PlanOptions::default());
        prop_assert!(steps.len() < 40);
        let mut before = ac.clone();
        for s in &steps {
            prop_assert_ne!(&s.after, &before, "{} changed nothing", s.title);
            prop_assert!(s.diff.len() <= 1, "{}: {:?}", s.title, s.diff);
            before = s.after.clone();
        }
        let report = evaluate(b, &Observed { audit_control: Some(before.clone().into_bytes()), ..Observed::default() }, &classes);
        for r in &report.results {
            let kind = catalogue::rule(&r.id).map(|r| r.kind);
            if matches!(kind, Some(RuleKind::Flag { .. } | RuleKind::Retention | RuleKind::CapacityNotify | RuleKind::FailureHalt)) {
                prop_assert_eq!(r.status, Status::Pass, "{} from\n{}\nto\n{}\n{}", r.id, ac, before, r.found);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Arbitrary bytes (biased toward audit_control's alphabet) never panic the
    /// evaluator or the planner, and the planner always terminates.
    #[test]
    fn arbitrary_input_never_panics(
        ac in proptest::collection::vec(
            prop_oneof![
                Just(b'\n'), Just(b':'), Just(b','), Just(b' '), Just(b'^'), Just(b'-'), Just(b'+'),
                Just(b'#'), Just(b'\r'), Just(0xffu8), b'a'..=b'z', b'0'..=b'9',
                Just(b'G'), Just(b'M'),
            ],
            0..200,
        ),
        prefix in prop_oneof![Just(""), Just("flags:"), Just("expire-after:"), Just("policy:"), Just("minfree:"), Just("dir:")],
    ) {
        let mut bytes = prefix.as_bytes().to_vec();
        bytes.extend_from_slice(&ac);
        let classes = ClassTable::apple();
        for b in Baseline::ALL {
            let _ = evaluate(b, &Observed { audit_control: Some(bytes.clone()), ..Observed::default() }, &classes);
        }
        let current = Current { audit_control: Some(bytes), example: None, service: ServiceFacts::default() };
        for t in [Target::Next, Target::Baseline(Baseline::Stig15)] {
            let steps = path(&current, t, &Measurements::default(), &classes, &PlanOptions::default());
            prop_assert!(steps.len() < 40);
        }
    }
}
