//! NDJSON rendering: checked against the praudit-derived fixture summaries
//! (independent truth), then pinned by golden files that only regenerate
//! with `EARSHOT_BLESS=1` (review the diff before committing).

use crate::common;

use bsm::names::Catalog;
use common::{bsm, json, FIXTURES};
use serde_json::Value;

fn ndjson(stem: &str, cat: &Catalog) -> (Vec<u8>, Vec<Value>) {
    let mut out = Vec::new();
    bsm::json::print_trail(&bsm(stem), cat, &mut out).unwrap();
    let vals = out
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).expect("each line is one JSON object"))
        .collect();
    (out, vals)
}

#[test]
fn records_agree_with_praudit_summaries() {
    let cat = Catalog::upstream();
    for stem in FIXTURES {
        let (_, vals) = ndjson(stem, &cat);
        let mut ours = vals.iter().filter(|v| v["type"] != "damage");
        for e in json(stem)["entries"].as_array().unwrap() {
            let v = ours.next().unwrap();
            assert_eq!(v["offset"], e["offset"], "{stem}");
            if e["kind"] == "record" {
                assert_eq!(v["type"], "record");
                assert_eq!(v["time"], e["iso_time"], "{stem}");
                assert_eq!(v["event"]["number"], e["event"], "{stem}");
                // 44901-44904 are not in upstream's table: praudit printed the number.
                let name = e["event_name"].as_str().filter(|n| n.starts_with("AUE_"));
                assert_eq!(v["event"]["name"].as_str(), name, "{stem} {e}");
            } else {
                assert_eq!(v["type"], "file");
            }
        }
    }
}

#[test]
fn fields_people_query_are_present() {
    let cat = Catalog::apple();
    let (_, v) = ndjson("macos_process_file", &cat);
    // fork: arg + subject + return
    let fork = &v[1];
    assert_eq!(fork["event"]["name"], "AUE_FORK");
    assert_eq!(fork["event"]["classes"], serde_json::json!(["pc"]));
    assert_eq!(fork["subject"]["auid"], 501);
    assert_eq!(fork["subject"]["session"], 100004);
    assert_eq!(fork["subject"]["terminal"]["address"], "0.0.0.0");
    assert_eq!(fork["return"]["value"], 2402);
    assert_eq!(fork["args"][0]["text"], "child PID");
    let exec = &v[2];
    assert_eq!(
        exec["exec_args"],
        serde_json::json!(["/bin/ls", "-la", "/Users/alice/Documents"])
    );
    assert_eq!(exec["exec_env"][0], "PATH=/usr/bin:/bin:/usr/sbin:/sbin");
    assert_eq!(exec["paths"], serde_json::json!(["/bin/ls", "/bin/ls"]));
    let enoent = &v[4];
    assert_eq!(enoent["return"]["success"], false);
    assert_eq!(enoent["return"]["errno"], "ENOENT");
    assert_eq!(enoent["return"]["error"], "No such file or directory");
    assert_eq!(enoent["return"]["value"], -1);
    assert_eq!(v[0]["type"], "file");
    assert_eq!(v[0]["name"], "20240314091500.not_terminated");

    let (_, net) = ndjson("macos_network", &cat);
    assert_eq!(net[2]["return"]["error"], "Connection refused");
    assert_eq!(
        net[4]["sockets"][0]["address"],
        "2606:2800:220:1:248:1893:25c8:1946"
    );
    assert_eq!(net[4]["sockets"][0]["port"], 443);

    let (_, id) = ndjson("macos_identity_token", &cat);
    assert_eq!(id[3]["identity"]["signing_id"], "com.example.tool");
    assert_eq!(id[3]["identity"]["team_id"], "ABCDE12345");
    assert_eq!(
        id[3]["identity"]["cdhash"],
        "023e2436839a72573bd0007c9173f298d9f094f8"
    );
    assert_eq!(id[3]["paths"][0], "/usr/bin/nc");

    let (_, login) = ndjson("macos_login_session", &cat);
    // AUE_SESSION_START is in neither embedded table (see the fixture README).
    assert_eq!(login[2]["event"]["number"], 44901);
    assert_eq!(login[2]["event"]["name"], serde_json::Value::Null);
    assert_eq!(login[4]["return"]["error"], "Unknown error: 255");
}

#[test]
fn damage_is_reported_in_stream_and_in_records() {
    let (_, v) = ndjson("corrupt_midstream", &Catalog::upstream());
    assert_eq!(v[1]["damage"]["kind"], "malformed_token");
    assert_eq!(v[2]["damage"]["kind"], "unknown_token");
    assert_eq!(v[4]["type"], "damage");
    assert_eq!(v[4]["kind"], "skipped");
    assert_eq!(v[4]["offset"], 374);
    assert_eq!(v[5]["paths"][0], "/tmp/e-after-junk");
    let (_, t) = ndjson("truncated", &Catalog::upstream());
    let last = t.last().unwrap();
    assert_eq!(last["type"], "damage");
    assert_eq!(last["kind"], "truncated_tail");
    assert_eq!(last["offset"], 882);
}

#[test]
fn golden_ndjson() {
    let cat = Catalog::upstream();
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let bless = std::env::var_os("EARSHOT_BLESS").is_some();
    for stem in FIXTURES {
        let (out, _) = ndjson(stem, &cat);
        let path = dir.join(format!("{stem}.ndjson"));
        if bless {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &out).unwrap();
            continue;
        }
        let want = std::fs::read(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (run with EARSHOT_BLESS=1 to create)",
                path.display()
            )
        });
        assert!(
            want == out,
            "{stem}: NDJSON differs from {} (EARSHOT_BLESS=1 regenerates; review the diff)",
            path.display()
        );
    }
}
