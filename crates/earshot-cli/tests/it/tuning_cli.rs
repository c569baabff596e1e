//! The tuning loop from the command line on a simulated macOS 15 (auditing off,
//! as Apple ships it): `status` through the helper, `apply --plan` (enable, then
//! a storage step), `measure` (a trial, kept for the planner), `plan` labelling
//! the trial `measured`, `plan --review`; then the same without a helper.

use crate::common;

use std::process::Output;

use common::{run, start_helper, text};

fn json(out: &Output) -> serde_json::Value {
    assert!(
        out.status.code().is_some_and(|c| c != 2),
        "{}",
        text(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out.stdout)))
}

#[test]
fn enable_measure_plan_apply_and_review_from_the_cli() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path();
    let mac = home.join("mac");
    let root = mac.to_str().unwrap();
    let out = run(
        home,
        &["sim", "init", "--days", "0", "--auditing", "default", root],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));

    let helper = start_helper(&mac);
    let st = json(&run(home, &["--root", root, "status", "--json"]));
    assert_eq!(st["source"], "helper", "{st}");
    assert_eq!(st["helper"]["level"], "off");
    assert_eq!(st["health"]["state"], "not_configured");

    // A trial needs auditing on: refused with the reason.
    let out = run(
        home,
        &[
            "--root",
            root,
            "measure",
            "--classes",
            "-fr",
            "--for",
            "10m",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(text(&out.stderr).contains("auditing is off"));

    // Step 1 of the ladder: enable auditing, through the helper.
    let out = run(home, &["--root", root, "apply", "--plan"]);
    let said = text(&out.stdout);
    assert!(out.status.success(), "{said}{}", text(&out.stderr));
    assert!(said.contains("Step: Enable auditing"), "{said}");
    assert!(said.contains("launchctl bootstrap system"), "{said}");
    assert!(
        said.contains("Prediction recorded with revision 2"),
        "{said}"
    );
    assert!(mac.join("etc/security/audit_control").exists());

    // A trial of ad and failed reads, kept for the planner.
    let m = json(&run(
        home,
        &[
            "--root",
            root,
            "measure",
            "--classes",
            "ad,-fr",
            "--for",
            "30m",
            "--json",
        ],
    ));
    assert_eq!(m["method"], "simulator");
    assert_eq!(m["duration_secs"], 1800);
    let fr = m["classes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["class"] == "fr")
        .unwrap();
    assert!(fr["success"].is_null());
    assert!(fr["failure"]["events"].as_u64().unwrap() > 100, "{m}");

    // The whole way to CIS Level 2: the ad and -fr steps use the trial.
    let plan = json(&run(
        home,
        &[
            "--root",
            root,
            "plan",
            "--target",
            "cis-l2",
            "--all-steps",
            "--json",
        ],
    ));
    let steps = plan["steps"].as_array().unwrap();
    let source_of = |class: &str, side: &str| {
        steps
            .iter()
            .flat_map(|s| s["prediction"]["classes"].as_array().unwrap())
            .find(|c| c["class"] == class && c["side"] == side && c["added"] == true)
            .map(|c| c["source"].as_str().unwrap().to_string())
    };
    assert_eq!(source_of("ad", "success").as_deref(), Some("measured"));
    assert_eq!(source_of("fr", "failure").as_deref(), Some("measured"));

    // The next step (a storage rung) waits for step 1's soak (soak_cli.rs
    // follows that through); here the user goes on knowingly.
    let out = run(home, &["--root", root, "apply", "--plan"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(text(&out.stderr).contains("is soaking"));
    let out = run(home, &["--root", root, "apply", "--plan", "--skip-soak"]);
    let said = text(&out.stdout);
    assert!(out.status.success(), "{said}{}", text(&out.stderr));
    assert!(said.contains("applied: revision 3"), "{said}");

    let out = run(home, &["--root", root, "plan", "--review"]);
    let said = text(&out.stdout);
    assert!(out.status.success(), "{said}{}", text(&out.stderr));
    assert!(said.contains("Review of revision 3"), "{said}");
    assert!(said.contains("Verdict: keep soaking"), "{said}");

    // Without a helper: status and measure read the simulated Mac directly.
    drop(helper);
    let st = json(&run(home, &["--root", root, "status", "--json"]));
    assert_eq!(st["source"], "direct", "{st}");
    let m = json(&run(
        home,
        &[
            "--root",
            root,
            "measure",
            "--classes",
            "-fw",
            "--for",
            "5m",
            "--json",
        ],
    ));
    assert_eq!(m["flags"], "-fw");
    let out = run(
        home,
        &["--root", root, "measure", "--classes", "-fw", "--for", "2h"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("1 second to 3600 seconds"));
    // The review still finds the recorded step in the helper's folder.
    let out = run(home, &["--root", root, "plan", "--review", "--json"]);
    let r = json(&out);
    assert_eq!(r["review"]["verdict"], "keep-soaking", "{r}");
}
