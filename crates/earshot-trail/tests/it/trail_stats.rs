//! Statistics against independent truth: the fixtures' JSON summaries (derived from
//! praudit's `-r`/`-sn`/`-xn` output), praudit's `-ln` lines, and the fixture README.

// In a `trail` module so `cargo test -p earshot-core trail` selects these too.
mod trail {
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    use audit_control::tables::{ClassTable, EventTable};
    use earshot_trail::{
        summarise_file, Filter, FilterSpec, Outcome, StatsReport, Tables, Timestamp,
    };
    use serde_json::Value;

    fn fixture(name: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/bsm")
            .join(name)
    }

    fn fixture_json(stem: &str) -> Value {
        serde_json::from_slice(&std::fs::read(fixture(&format!("{stem}.json"))).unwrap()).unwrap()
    }

    /// (event, sec, msec) of every record entry in the fixture JSON.
    fn entries(stem: &str) -> Vec<(u16, u64, u32)> {
        fixture_json(stem)["entries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "record")
            .map(|e| {
                (
                    e["event"].as_u64().unwrap() as u16,
                    e["sec"].as_u64().unwrap(),
                    e["msec"].as_u64().unwrap() as u32,
                )
            })
            .collect()
    }

    fn upstream() -> Tables {
        Tables::new(EventTable::upstream(), ClassTable::upstream())
    }

    const CLEAN: [&str; 7] = [
        "macos_login_session",
        "macos_process_file",
        "macos_network",
        "header_variants",
        "odd_tokens",
        "macos_identity_token",
        "mixed_sample",
    ];

    #[test]
    fn clean_fixtures_match_praudit_counts_events_and_times() {
        for stem in CLEAN {
            let s = summarise_file(&fixture(&format!("{stem}.bsm")), &Filter::all()).unwrap();
            let want = entries(stem);
            let json = fixture_json(stem);
            assert_eq!(s.tally.records, json["records"].as_u64().unwrap(), "{stem}");
            assert_eq!(s.tally.records as usize, want.len(), "{stem}");
            assert_eq!(s.size, json["size"].as_u64().unwrap(), "{stem}");
            assert!(
                s.end.damage.is_empty() || stem == "macos_identity_token",
                "{stem}: {:?}",
                s.end.damage
            );
            assert!(s.end.tail.is_empty(), "{stem}: {:?}", s.end.tail);

            let mut by_event: BTreeMap<u16, u64> = BTreeMap::new();
            let mut by_hour: BTreeMap<u64, u64> = BTreeMap::new();
            for &(e, sec, _) in &want {
                *by_event.entry(e).or_default() += 1;
                *by_hour.entry(sec - sec % 3600).or_default() += 1;
            }
            assert_eq!(s.tally.by_event, by_event, "{stem}");
            assert_eq!(s.tally.by_hour, by_hour, "{stem}");
            let first = want.iter().map(|&(_, s, m)| Timestamp::new(s, m)).min();
            let last = want.iter().map(|&(_, s, m)| Timestamp::new(s, m)).max();
            assert_eq!((s.tally.first, s.tally.last), (first, last), "{stem}");
        }
    }

    /// Success/failure from praudit's own lines: the first return token of each record.
    #[test]
    fn outcomes_match_praudit_return_tokens() {
        for stem in [
            "mixed_sample",
            "macos_network",
            "macos_process_file",
            "macos_login_session",
        ] {
            let text = std::fs::read_to_string(fixture(&format!("{stem}.ln.txt"))).unwrap();
            let (mut ok, mut fail, mut none) = (0, 0, 0);
            // header32_ex records print as `header_ex`.
            for line in text.lines().filter(|l| l.starts_with("header")) {
                match line.split_once(",return,") {
                    Some((_, rest)) if rest.starts_with("success") => ok += 1,
                    Some(_) => fail += 1,
                    None => none += 1,
                }
            }
            let s = summarise_file(&fixture(&format!("{stem}.bsm")), &Filter::all()).unwrap();
            assert_eq!(
                (s.tally.successes, s.tally.failures, s.tally.without_return),
                (ok, fail, none),
                "{stem}"
            );
        }
    }

    /// Class counts agree with audit_control's own per-event class names: every
    /// class an event is in gets that event's records.
    #[test]
    fn class_counts_follow_event_table() {
        let tables = upstream();
        let s = summarise_file(&fixture("mixed_sample.bsm"), &Filter::all()).unwrap();
        let report = StatsReport::new(std::slice::from_ref(&s), |_| false, &tables);
        let mut want: BTreeMap<String, u64> = BTreeMap::new();
        for (e, _, _) in entries("mixed_sample") {
            match tables.events().get(e) {
                Some(ev) if ev.class_names.is_empty() => *want.entry("no".into()).or_default() += 1,
                Some(ev) => {
                    for c in &ev.class_names {
                        *want.entry(c.clone()).or_default() += 1;
                    }
                }
                None => {
                    *want
                        .entry(earshot_trail::UNLISTED_EVENT_CLASS.into())
                        .or_default() += 1
                }
            }
        }
        assert_eq!(report.by_class, want);
        assert_eq!(s.by_class(&tables), want);
        // AUE_EXECVE is in both pc and ex: it must count in each.
        let execs = entries("mixed_sample").iter().filter(|e| e.0 == 23).count() as u64;
        assert!(execs > 0);
        assert!(report.by_class["ex"] >= execs && report.by_class["pc"] >= execs);
        assert_eq!(report.by_event["AUE_EXECVE"], execs);
    }

    #[test]
    fn truncated_trail_counts_complete_records_and_reports_the_cut() {
        let s = summarise_file(&fixture("truncated.bsm"), &Filter::all()).unwrap();
        assert_eq!(s.tally.records, 7);
        assert!(s.end.damage.is_empty());
        // README: the 8th record is cut 40 bytes in; praudit accounts for 882 bytes.
        assert_eq!(s.end.complete_bytes, 882);
        assert_eq!(s.end.tail.len(), 1);
        assert_eq!((s.end.tail[0].offset, s.end.tail[0].len), (882, 40));
        assert_eq!(s.end.tail[0].kind, "truncated_tail");
        // A growing file's cut-off record is not damage; a finished one's is.
        assert!(s.damage(true).is_empty());
        assert_eq!(s.damage(false).len(), 1);
    }

    #[test]
    fn corrupt_midstream_reads_past_what_praudit_drops() {
        let s = summarise_file(&fixture("corrupt_midstream.bsm"), &Filter::all()).unwrap();
        // README: five records were written; praudit shows four and never the fifth,
        // which follows one junk NUL byte at offset 374.
        assert_eq!(s.tally.records, 5);
        assert_eq!(s.end.complete_bytes, 515);
        let skipped: Vec<_> = s
            .end
            .damage
            .iter()
            .filter(|d| d.kind == "skipped")
            .collect();
        assert_eq!(skipped.len(), 1, "{:?}", s.end.damage);
        assert_eq!((skipped[0].offset, skipped[0].len), (374, 1));
        // Record 2's overrunning text token and record 3's unknown token 0x99.
        assert!(s
            .end
            .damage
            .iter()
            .any(|d| d.kind == "malformed_token" && (129..201).contains(&d.offset)));
        assert!(s
            .end
            .damage
            .iter()
            .any(|d| d.kind == "unknown_token" && (201..245).contains(&d.offset)));
    }

    #[test]
    fn empty_and_zero_byte_trails() {
        for stem in ["empty_trail", "zero_bytes"] {
            let s = summarise_file(&fixture(&format!("{stem}.bsm")), &Filter::all()).unwrap();
            assert_eq!(s.tally.records, 0, "{stem}");
            assert_eq!((s.tally.first, s.tally.last), (None, None));
            assert!(s.end.damage.is_empty() && s.end.tail.is_empty(), "{stem}");
            assert_eq!(s.end.complete_bytes, s.size, "{stem}");
        }
    }

    #[test]
    fn filters_select_like_auditreduce() {
        let tables = upstream();
        let path = fixture("mixed_sample.bsm");
        let all = entries("mixed_sample");
        let count = |spec: FilterSpec| {
            let f = Filter::compile(&spec, &tables).unwrap();
            summarise_file(&path, &f).unwrap().tally.records
        };
        // Events by name and by number.
        let execs = all.iter().filter(|e| e.0 == 23).count() as u64;
        let spec = |events: &[&str]| FilterSpec {
            events: events.iter().map(|s| s.to_string()).collect(),
            ..FilterSpec::default()
        };
        assert_eq!(count(spec(&["AUE_EXECVE"])), execs);
        assert_eq!(count(spec(&["23"])), execs);
        // Classes: `lo` selects events whose mask shares lo's bit.
        let lo = tables.classes().mask_of("lo").unwrap();
        let want_lo = all
            .iter()
            .filter(|e| {
                tables
                    .events()
                    .get(e.0)
                    .is_some_and(|ev| ev.class_mask & lo != 0)
            })
            .count() as u64;
        assert!(want_lo > 0);
        assert_eq!(
            count(FilterSpec {
                classes: vec!["lo".into()],
                ..FilterSpec::default()
            }),
            want_lo
        );
        // Time window: --since inclusive, --until exclusive.
        let mid = all[200];
        let t = |s: u64, m: u32| Timestamp::new(s, m).to_string();
        let before = all.iter().filter(|e| (e.1, e.2) < (mid.1, mid.2)).count() as u64;
        assert_eq!(
            count(FilterSpec {
                until: Some(t(mid.1, mid.2)),
                ..FilterSpec::default()
            }),
            before
        );
        assert_eq!(
            count(FilterSpec {
                since: Some(t(mid.1, mid.2)),
                ..FilterSpec::default()
            }),
            all.len() as u64 - before
        );
        // Outcomes partition the records that have a return token.
        let ok = count(FilterSpec {
            outcome: Outcome::Success,
            ..FilterSpec::default()
        });
        let fail = count(FilterSpec {
            outcome: Outcome::Failure,
            ..FilterSpec::default()
        });
        assert_eq!((ok, fail), (393, 7));
        // Unknown names are errors, not silent empty results.
        assert!(Filter::compile(&spec(&["AUE_NOPE"]), &tables).is_err());
        assert!(Filter::compile(
            &FilterSpec {
                classes: vec!["zz".into()],
                ..FilterSpec::default()
            },
            &tables
        )
        .is_err());
    }

    #[test]
    fn user_filter_uses_auid() {
        // auid 501 (alice) in praudit's subject: `subject,501,...` (first field = auid).
        let text = std::fs::read_to_string(fixture("mixed_sample.ln.txt")).unwrap();
        // The first subject token decides; subject32_ex/subject64_ex print as `subject_ex`.
        let first_subject_auid = |l: &str| {
            let a = l.find(",subject,").map(|i| i + ",subject,".len());
            let b = l.find(",subject_ex,").map(|i| i + ",subject_ex,".len());
            let at = match (a, b) {
                (Some(a), Some(b)) => a.min(b),
                (a, b) => a.or(b)?,
            };
            l[at..].split(',').next().map(str::to_string)
        };
        let want = text
            .lines()
            .filter(|l| first_subject_auid(l).as_deref() == Some("501"))
            .count() as u64;
        assert!(want > 0);
        let f = Filter::compile(
            &FilterSpec {
                users: vec![501],
                ..FilterSpec::default()
            },
            &upstream(),
        )
        .unwrap();
        let s = summarise_file(&fixture("mixed_sample.bsm"), &f).unwrap();
        assert_eq!(s.tally.records, want);
    }
}
