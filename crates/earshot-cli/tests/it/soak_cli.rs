//! Guided tuning over days from the command line, on a simulated Mac whose
//! clock the test moves ahead (`earshot sim advance`) while the helper hosts
//! its auditd: a step soaks, the next waits (refused with `soaking`), the
//! review comes when the soak ends, and its action is applied.

use crate::common;

use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use common::{run, sim_init, start_helper, text};
use serde_json::Value;

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", text(&out.stdout), text(&out.stderr)))
}

/// The helper's soak as `earshot status --json` reports it.
fn soak(home: &Path, root: &str) -> Value {
    let st = json(&run(home, &["--root", root, "status", "--json"]));
    assert_eq!(st["source"], "helper", "{st}");
    st["helper"]["soak"].clone()
}

/// Polls status until `done` holds of the helper's answer (the helper measures
/// and reviews on its beat, once a second).
fn wait_status(home: &Path, root: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let t0 = Instant::now();
    loop {
        let st = json(&run(home, &["--root", root, "status", "--json"]));
        if done(&st["helper"]) {
            return st["helper"].clone();
        }
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "waited a minute for {what}: {}",
            st["helper"]
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}

fn advance(home: &Path, mac: &str, by: &str) {
    ok(run(home, &["sim", "advance", mac, by]));
}

#[test]
fn a_step_soaks_the_next_waits_and_follows_the_review() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path();
    let mac = sim_init(home, "3");
    let root = mac.to_str().unwrap();
    let _helper = start_helper(&mac);

    // Step 1: a storage step (retention), which soaks one daily cycle.
    let said = ok(run(home, &["--root", root, "apply", "--plan"]));
    assert!(said.contains("Step: expire-after:"), "{said}");
    assert!(
        said.contains("It soaks 24 hours (adds no class: one daily cycle"),
        "{said}"
    );
    let s = soak(home, root);
    assert_eq!(s["state"], "soaking", "{s}");
    assert_eq!(s["revision"], 2);
    assert_eq!(s["soak_days"], 1.0);

    // The next step is refused while it soaks: code, time left, what was seen.
    let out = run(home, &["--root", root, "apply", "--plan", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let refused = json(&out);
    assert_eq!(refused["error"]["code"], "soaking", "{refused}");
    let reason = refused["error"]["reason"].as_str().unwrap();
    assert!(reason.contains("(revision 2) is soaking"), "{reason}");
    assert!(reason.contains("left"), "{reason}");
    assert!(text(&out.stderr).contains("--skip-soak"));
    // `earshot status` says so.
    let said = text(&run(home, &["--root", root, "status"]).stdout);
    assert!(
        said.contains("tuning: expire-after:") && said.contains("day 1 of 1"),
        "{said}"
    );
    assert!(
        said.contains("the next step waits for its review"),
        "{said}"
    );

    // Three days pass with the simulated auditd writing: the soak ends and
    // the helper reviews it.
    advance(home, root, "3d");
    let h = wait_status(home, root, "the review", |h| {
        h["soak"]["state"] == "reviewed"
    });
    assert_eq!(h["level"], "ok", "{h}");
    let r = json(&run(home, &["--root", root, "plan", "--review", "--json"]));
    assert_eq!(r["review"]["verdict"], "next-step", "{r}");
    let ratio = r["soak"]["ratio"].as_f64().unwrap();
    assert!((0.85..1.15).contains(&ratio), "{r}");
    assert_eq!(r["next"]["title"], "flags: add ad", "{r}");
    assert!(r["tweaks"].as_array().unwrap().is_empty(), "{r}");
    let said = ok(run(home, &["--root", root, "plan", "--review"]));
    assert!(said.contains("Verdict: take the next step"), "{said}");
    assert!(said.contains("as predicted"), "{said}");

    // The next step applies, and soaks in its turn (ad from reference
    // figures: 70 events a day at least → three days).
    let said = ok(run(home, &["--root", root, "apply", "--plan"]));
    assert!(said.contains("Step: flags: add ad"), "{said}");
    assert!(said.contains("applied: revision 3"), "{said}");
    assert!(said.contains("It soaks 3 days"), "{said}");
    let s = soak(home, root);
    assert_eq!(
        (s["revision"].as_u64(), s["state"].as_str()),
        (Some(3), Some("soaking"))
    );

    // Going on anyway is the user's choice, and it is recorded.
    let out = run(
        home,
        &["--root", root, "apply", "--plan", "--skip-soak", "--json"],
    );
    let done = json(&out);
    assert!(out.status.success(), "{done}");
    assert_eq!(done["record"]["skipped_soak"]["revision"], 3, "{done}");
    let said = text(&run(home, &["--root", root, "history"]).stdout);
    assert!(said.contains("history chain: intact"), "{said}");
}

#[test]
fn three_times_the_prediction_warns_before_the_end_then_the_review_acts() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path();
    let mac = sim_init(home, "3");
    let root = mac.to_str().unwrap();
    let _helper = start_helper(&mac);

    // A trial of ad first, so the step's prediction is this Mac's own figures
    // (a tight band); the user asks for a three-day soak.
    ok(run(
        home,
        &["--root", root, "measure", "--classes", "ad", "--for", "30m"],
    ));
    let said = ok(run(
        home,
        &["--root", root, "apply", "--plan", "--soak-days", "3"],
    ));
    assert!(said.contains("Step: flags: add ad"), "{said}");
    assert!(
        said.contains("It soaks 3 days (the user chose 3 days)"),
        "{said}"
    );
    ok(run(home, &["sim", "relogin", root]));
    // The Mac grows three times busier than when the step was planned.
    ok(run(home, &["sim", "workload", root, "3"]));
    advance(home, root, "1d");

    // Before the soak ends: the warning, with the ratio and its sentence.
    let h = wait_status(home, root, "the over-budget warning", |h| {
        !h["soak"]["over_budget"].is_null()
    });
    assert_eq!(h["soak"]["state"], "soaking", "{h}");
    assert_eq!(h["level"], "warning", "{h}");
    let finding = h["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "soak-over-budget")
        .unwrap_or_else(|| panic!("{h}"));
    let message = finding["message"].as_str().unwrap();
    assert!(message.contains("above its predicted"), "{message}");
    let ratio = h["soak"]["ratio"].as_f64().unwrap();
    assert!((2.5..3.5).contains(&ratio), "{h}");

    // The soak ends: the verdict is a tweak, with the figures.
    advance(home, root, "3d");
    wait_status(home, root, "the review", |h| {
        h["soak"]["state"] == "reviewed"
    });
    let r = json(&run(home, &["--root", root, "plan", "--review", "--json"]));
    assert_eq!(r["review"]["verdict"], "tweak", "{r}");
    let reasons = r["review"]["reasons"].to_string();
    assert!(reasons.contains("× the prediction"), "{reasons}");
    assert!(reasons.contains("above the predicted range"), "{reasons}");
    // ad itself stays quiet on this Mac: the review says whose volume it is.
    assert!(
        reasons.contains("the rest of the Mac writes more"),
        "{reasons}"
    );
    assert!(r["next"].is_null(), "no next step on a tweak: {r}");
    // Dropping ad would save nothing, so the review offers no drop; the
    // action is the roll back.
    assert!(
        !r["tweaks"].to_string().contains("drop:ad"),
        "{}",
        r["tweaks"]
    );
    assert_eq!(r["rollback_to"], 1, "{r}");
    let said = ok(run(home, &["--root", root, "plan", "--review"]));
    assert!(said.contains("Verdict: tweak"), "{said}");
    assert!(said.contains("earshot rollback 1"), "{said}");

    // The action works: the roll back restores the config before the step
    // and ends the soak, saying why.
    ok(run(home, &["--root", root, "rollback", "1"]));
    let s = soak(home, root);
    assert_eq!(s["state"], "ended", "{s}");
    assert!(
        s["ended_by"]
            .as_str()
            .unwrap()
            .contains("rolled back to revision 1"),
        "{s}"
    );
    let ac = std::fs::read_to_string(mac.join("etc/security/audit_control")).unwrap();
    assert!(ac.contains("flags:lo,aa\n"), "{ac}");
}
