//! `earshot trail …` end to end on the BSM fixtures, against praudit's output and
//! the fixtures' JSON summaries.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures/bsm").join(name)
}

/// Upstream tables: the fixtures were printed by praudit with upstream's audit_event.
fn upstream_tables() -> Vec<String> {
    let etc = root().join("crates/audit-control/data/upstream");
    vec![
        "--events".into(),
        etc.join("audit_event").display().to_string(),
        "--classes".into(),
        etc.join("audit_class").display().to_string(),
    ]
}

fn earshot(args: &[&str], extra: &[String]) -> Output {
    let cache = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_earshot"))
        .args(args)
        .args(extra)
        .env("EARSHOT_CACHE_DIR", cache.path())
        .output()
        .expect("run earshot")
}

const FIXTURES: [&str; 11] = [
    "corrupt_midstream",
    "empty_trail",
    "header_variants",
    "macos_identity_token",
    "macos_login_session",
    "macos_network",
    "macos_process_file",
    "mixed_sample",
    "odd_tokens",
    "truncated",
    "zero_bytes",
];

/// Lines where Earshot deliberately differs from praudit, each a bug the fixture
/// README documents: (fixture, 1-based line of our output, reason).
const DEVIATIONS: [(&str, usize, &str); 9] = [
    (
        "corrupt_midstream",
        2,
        "praudit drops the rest of a record after a token overrunning it",
    ),
    (
        "corrupt_midstream",
        5,
        "praudit stops at the stray NUL; Earshot resyncs and prints record 5",
    ),
    (
        "macos_identity_token",
        1,
        "praudit hex-dumps the identity token 0xed as unknown",
    ),
    ("macos_identity_token", 2, "identity token decoded"),
    ("macos_identity_token", 3, "identity token decoded"),
    (
        "macos_identity_token",
        4,
        "praudit's unknown dump swallows the tokens after identity",
    ),
    (
        "macos_network",
        12,
        "praudit prints iport byte-swapped on little-endian",
    ),
    (
        "odd_tokens",
        2,
        "praudit prints iport byte-swapped on little-endian",
    ),
    (
        "odd_tokens",
        5,
        "praudit prints only the low half of 64-bit data units",
    ),
];

/// The first seven comma fields: token name, length, version, event, modifier, time.
fn header_fields(line: &[u8]) -> Vec<Vec<u8>> {
    line.splitn(8, |&b| b == b',')
        .take(7)
        .map(<[u8]>::to_vec)
        .collect()
}

#[test]
fn print_matches_praudit_ln_except_documented_bugs() {
    let mut differing = Vec::new();
    for stem in FIXTURES {
        let path = fixture(&format!("{stem}.bsm"));
        let out = earshot(
            &["trail", "print", path.to_str().unwrap()],
            &upstream_tables(),
        );
        let want = std::fs::read(fixture(&format!("{stem}.ln.txt"))).unwrap();
        let ours: Vec<&[u8]> = out.stdout.split(|&b| b == b'\n').collect();
        let theirs: Vec<&[u8]> = want.split(|&b| b == b'\n').collect();
        for (i, line) in ours.iter().enumerate() {
            // The empty piece after the final newline is not a line.
            if line.is_empty() && i + 1 == ours.len() {
                continue;
            }
            if theirs.get(i) != Some(line) {
                differing.push((stem, i + 1));
                // Still the same record: where praudit printed a line, the header
                // fields agree.
                if let Some(t) = theirs.get(i).filter(|t| !t.is_empty()) {
                    assert_eq!(header_fields(line), header_fields(t), "{stem}:{}", i + 1);
                }
            }
        }
        // Earshot never prints fewer lines than praudit.
        assert!(ours.len() >= theirs.len(), "{stem}");
        let code = out.status.code();
        match stem {
            "truncated" | "corrupt_midstream" => {
                assert_eq!(code, Some(1), "{stem}: damage means exit 1")
            }
            _ => assert_eq!(
                code,
                Some(0),
                "{stem}: {}",
                String::from_utf8_lossy(&out.stderr)
            ),
        }
    }
    let documented: Vec<(&str, usize)> = DEVIATIONS.iter().map(|d| (d.0, d.1)).collect();
    assert_eq!(differing, documented);
}

#[test]
fn damage_is_reported_in_plain_words_with_file_and_offset() {
    let out = earshot(
        &["trail", "print", fixture("truncated.bsm").to_str().unwrap()],
        &[],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("truncated.bsm at byte 882"), "{err}");
    assert!(err.contains("ends early"), "{err}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 7);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn stats_json_counts_match_fixture_summaries() {
    for stem in FIXTURES {
        let path = fixture(&format!("{stem}.bsm"));
        let out = earshot(
            &[
                "trail",
                "stats",
                "--json",
                "--no-cache",
                path.to_str().unwrap(),
            ],
            &upstream_tables(),
        );
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        let truth: Value =
            serde_json::from_slice(&std::fs::read(fixture(&format!("{stem}.json"))).unwrap())
                .unwrap();
        let records: Vec<&Value> = truth["entries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "record")
            .collect();
        // README: corrupt_midstream holds a fifth record praudit never printed.
        let extra = u64::from(stem == "corrupt_midstream");
        assert_eq!(
            v["records"].as_u64().unwrap(),
            records.len() as u64 + extra,
            "{stem}"
        );
        assert_eq!(v["bytes"], truth["size"], "{stem}");
        if extra == 0 {
            // Event counts by name, from praudit's own names (upstream table);
            // events it could not name count under their number.
            let mut want = serde_json::Map::new();
            for e in &records {
                let name = e["event_name"]
                    .as_str()
                    .map_or_else(|| e["event"].to_string(), str::to_string);
                let n = want.get(&name).and_then(Value::as_u64).unwrap_or(0);
                want.insert(name, Value::from(n + 1));
            }
            assert_eq!(v["by_event"], Value::Object(want), "{stem}");
            let complete = records.iter().filter(|e| e["complete"] == true).count() as u64;
            assert_eq!(complete, v["records"].as_u64().unwrap(), "{stem}");
        }
        for key in [
            "first",
            "last",
            "by_class",
            "by_hour",
            "successes",
            "failures",
            "damage",
        ] {
            assert!(v.get(key).is_some(), "{stem}: {key}");
        }
        let damaged = !v["damage"].as_array().unwrap().is_empty();
        assert_eq!(out.status.code(), Some(i32::from(damaged)), "{stem}");
    }
}

#[test]
fn stats_of_a_folder_sums_its_trails_and_uses_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let trails = dir.path().join("audit");
    std::fs::create_dir(&trails).unwrap();
    std::fs::copy(
        fixture("mixed_sample.bsm"),
        trails.join("20240314091500.20240314091600"),
    )
    .unwrap();
    std::fs::copy(
        fixture("macos_network.bsm"),
        trails.join("20240314091600.not_terminated"),
    )
    .unwrap();
    let cache = dir.path().join("cache");
    let run = || {
        let args = [
            "trail",
            "stats",
            "--json",
            "--cache-dir",
            cache.to_str().unwrap(),
            trails.to_str().unwrap(),
        ];
        let out = earshot(&args, &[]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let a = run();
    assert_eq!(a["records"], 412);
    assert_eq!(a["files"][0]["cached"], false);
    let b = run();
    assert_eq!(b["records"], 412);
    assert_eq!(b["files"][0]["cached"], true);
    assert_eq!(a["by_event"], b["by_event"]);
}

#[test]
fn filters_are_shared_by_stats_print_and_export() {
    let f = fixture("mixed_sample.bsm");
    let f = f.to_str().unwrap();
    let truth: Value =
        serde_json::from_slice(&std::fs::read(fixture("mixed_sample.json")).unwrap()).unwrap();
    let entries = truth["entries"].as_array().unwrap();
    let execs = entries
        .iter()
        .filter(|e| e["event_name"] == "AUE_EXECVE")
        .count();
    assert!(execs > 0);

    let stats = earshot(
        &["trail", "stats", "--json", "--event", "AUE_EXECVE", f],
        &[],
    );
    let v: Value = serde_json::from_slice(&stats.stdout).unwrap();
    assert_eq!(v["records"].as_u64().unwrap() as usize, execs);

    let print = earshot(&["trail", "print", "--event", "23", f], &[]);
    assert_eq!(
        String::from_utf8_lossy(&print.stdout).lines().count(),
        execs
    );

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("execs.ndjson");
    let export = earshot(
        &[
            "trail",
            "export",
            "--class",
            "ex",
            "--out",
            out.to_str().unwrap(),
            f,
        ],
        &[],
    );
    assert_eq!(export.status.code(), Some(0));
    let text = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), execs);
    assert!(lines
        .iter()
        .all(|l| l["event"]["name"] == "AUE_EXECVE" && l["type"] == "record"));

    // A raw BSM export is a trail again: its stats equal the filtered stats.
    let bsm = dir.path().join("failures.bsm");
    let export = earshot(
        &[
            "trail",
            "export",
            "--failure",
            "--bsm",
            "--out",
            bsm.to_str().unwrap(),
            f,
        ],
        &[],
    );
    assert_eq!(export.status.code(), Some(0));
    let again: Value = serde_json::from_slice(
        &earshot(
            &[
                "trail",
                "stats",
                "--json",
                "--no-cache",
                bsm.to_str().unwrap(),
            ],
            &[],
        )
        .stdout,
    )
    .unwrap();
    let direct: Value =
        serde_json::from_slice(&earshot(&["trail", "stats", "--json", "--failure", f], &[]).stdout)
            .unwrap();
    assert_eq!(again["records"], 7);
    assert_eq!(again["failures"], 7);
    assert_eq!(again["by_event"], direct["by_event"]);

    let count = |args: &[&str]| {
        let mut a = vec!["trail", "stats", "--json"];
        a.extend_from_slice(args);
        a.push(f);
        let v: Value = serde_json::from_slice(&earshot(&a, &[]).stdout).unwrap();
        v["records"].as_u64().unwrap()
    };
    assert_eq!(count(&["--success"]) + count(&["--failure"]), 400);
    let first_second = entries.iter().filter(|e| e["sec"] == 1_710_407_700).count() as u64;
    assert_eq!(
        count(&[
            "--since",
            "2024-03-14T09:15:00Z",
            "--until",
            "20240314091501"
        ]),
        first_second
    );
    // praudit shows 45 records whose subject auid is -1 (never set).
    assert_eq!(count(&["--user", "-1"]), 45);
    assert!(count(&["--user", "501"]) > 0);
}

#[test]
fn bad_input_is_exit_2_with_a_message() {
    let f = fixture("mixed_sample.bsm");
    let f = f.to_str().unwrap();
    for args in [
        vec!["trail", "stats", "/nonexistent/trail"],
        vec!["trail", "stats", "--since", "yesterday", f],
        vec!["trail", "stats", "--class", "nosuchclass", f],
        vec!["trail", "print", "--event", "AUE_NOPE", f],
        vec!["trail", "ls", "/nonexistent/dir"],
    ] {
        let out = earshot(&args, &[]);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).starts_with("earshot: "),
            "{args:?}"
        );
    }
}

#[test]
fn xml_output_is_one_document() {
    let a = fixture("odd_tokens.bsm");
    let b = fixture("truncated.bsm");
    let out = earshot(
        &[
            "trail",
            "print",
            "--xml",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
        ],
        &[],
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<audit>\n"));
    assert!(text.ends_with("</audit>\n"));
    assert_eq!(text.matches("<record ").count(), 16);
    assert_eq!(text.matches("</record>").count(), 16);
    assert!(text.contains("<damage file=") && text.contains("kind=\"truncated_tail\""));
}

#[test]
fn ls_lists_names_states_and_stray_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(
        fixture("mixed_sample.bsm"),
        d.join("20240314091500.20240314101500"),
    )
    .unwrap();
    std::fs::write(d.join("20240314101500.not_terminated"), b"").unwrap();
    std::fs::write(d.join("notes.txt"), b"x").unwrap();
    std::os::unix::fs::symlink(d.join("20240314101500.not_terminated"), d.join("current")).unwrap();
    let out = earshot(&["trail", "ls", d.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find(|l| l.starts_with("20240314091500.20240314101500"))
        .unwrap();
    for want in [
        "closed",
        "51.0 KiB",
        "2024-03-14T09:15:00Z",
        "2024-03-14T10:15:00Z",
    ] {
        assert!(line.contains(want), "{line}");
    }
    assert!(text
        .lines()
        .any(|l| l.starts_with("20240314101500.not_terminated") && l.contains("active")));
    assert!(text.contains("not a trail:") && text.contains("notes.txt"));

    let out = earshot(&["trail", "ls", "--json", d.to_str().unwrap()], &[]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["trails"][0]["size"], 52252);
    assert_eq!(v["trails"][0]["state"], "closed");
    assert_eq!(v["trails"][1]["state"], "active");
    assert_eq!(v["trails"][0]["start"], "2024-03-14T09:15:00.000Z");
    let target = v["current"][0]["target"].as_str().unwrap();
    assert!(Path::new(target).ends_with("20240314101500.not_terminated"));
}

#[test]
fn the_trail_being_written_has_no_damage_for_its_unfinished_record() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // truncated.bsm ends inside a record: damage in a closed trail, but only the
    // record auditd is still writing in the active one.
    std::fs::copy(
        fixture("truncated.bsm"),
        d.join("20240314091500.20240314092000"),
    )
    .unwrap();
    std::fs::copy(
        fixture("truncated.bsm"),
        d.join("20240314092000.not_terminated"),
    )
    .unwrap();
    std::os::unix::fs::symlink(d.join("20240314092000.not_terminated"), d.join("current")).unwrap();
    let stats = |p: &Path| {
        let out = earshot(
            &[
                "trail",
                "stats",
                "--json",
                "--no-cache",
                p.to_str().unwrap(),
            ],
            &[],
        );
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        (
            out.status.code(),
            v["records"].as_u64().unwrap(),
            v["damage"].as_array().unwrap().len(),
        )
    };
    assert_eq!(stats(&d.join("current")), (Some(0), 7, 0));
    assert_eq!(
        stats(&d.join("20240314092000.not_terminated")),
        (Some(0), 7, 0)
    );
    assert_eq!(
        stats(&d.join("20240314091500.20240314092000")),
        (Some(1), 7, 1)
    );
    assert_eq!(stats(d), (Some(1), 14, 1));
}

#[test]
fn many_files_render_in_parallel_in_order() {
    let files: Vec<String> = FIXTURES
        .iter()
        .map(|s| fixture(&format!("{s}.bsm")).display().to_string())
        .collect();
    for format in [None, Some("--json"), Some("--xml")] {
        let run = |threads: &str| {
            let mut args = vec!["trail", "print", "--threads", threads];
            args.extend(format);
            args.extend(files.iter().map(String::as_str));
            let out = earshot(&args, &[]);
            (
                out.status.code(),
                out.stdout,
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        };
        let one = run("1");
        let two = run("2");
        assert_eq!(one.0, Some(1), "damaged fixtures are among them");
        assert_eq!(one, two, "{format:?}");
        assert!(!one.1.is_empty());
    }
    // And the same bytes as printing each file on its own.
    let mut each = Vec::new();
    for f in &files {
        each.extend(earshot(&["trail", "print", f], &[]).stdout);
    }
    let mut args = vec!["trail", "print", "--threads", "2"];
    args.extend(files.iter().map(String::as_str));
    assert_eq!(earshot(&args, &[]).stdout, each);
}

#[test]
fn a_missing_file_is_an_error_before_anything_is_printed() {
    let a = fixture("macos_network.bsm");
    let args = [
        "trail",
        "print",
        "--threads",
        "2",
        a.to_str().unwrap(),
        "/nonexistent/x.bsm",
    ];
    let out = earshot(&args, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/x.bsm"));
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    use std::io::Read;
    let f = fixture("mixed_sample.bsm");
    let f = f.to_str().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_earshot"))
        .args(["trail", "print", "--threads", "2", f, f, f, f, f, f, f, f])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 100];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
}

/// One record limit for every reader: a 2 MiB record is printed and counted
/// alike; a header claiming 5 MiB (more than Earshot reads as one record) is
/// reported as oversized, with its claim, by both.
#[test]
fn print_and_stats_agree_on_long_and_oversized_records() {
    let mut long = bsm::write::RecordBuilder::new(23, 1_700_000_000, 0);
    let text = "y".repeat(60_000);
    for _ in 0..35 {
        long.text(&text);
    }
    let long = long.finish();
    assert!(long.len() > 2 << 20);
    let short = bsm::write::RecordBuilder::new(23, 1_700_000_001, 0).finish();
    let mut oversized = vec![0x14, 0x00, 0x50, 0x00, 0x00, 11, 0, 23, 0, 0];
    oversized.extend(std::iter::repeat_n(0xab, 500));
    let mut data = long.clone();
    data.extend_from_slice(&oversized);
    data.extend_from_slice(&short);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("20231114221320.20231114221321");
    std::fs::write(&path, &data).unwrap();
    let path = path.to_str().unwrap();

    let print = earshot(&["trail", "print", path], &[]);
    let out = String::from_utf8_lossy(&print.stdout);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "both records, one line each");
    assert!(lines[0].len() > 2 << 20, "the long record is printed whole");
    let err = String::from_utf8_lossy(&print.stderr);
    assert!(
        err.contains(&format!("at byte {}", long.len()))
            && err.contains("claims 5242880 bytes, more than the 4194304"),
        "{err}"
    );
    assert_eq!(print.status.code(), Some(1));

    let stats = earshot(&["trail", "stats", "--json", "--no-cache", path], &[]);
    let v: Value = serde_json::from_slice(&stats.stdout).unwrap();
    assert_eq!(v["records"], 2);
    let damage = v["damage"].as_array().unwrap();
    assert_eq!(damage.len(), 1, "{damage:?}");
    assert_eq!(damage[0]["offset"], long.len() as u64);
    assert_eq!(damage[0]["kind"], "oversized");
    assert_eq!(stats.status.code(), Some(1));
}
