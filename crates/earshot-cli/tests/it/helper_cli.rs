//! `earshot --root DIR COMMAND` over a running `earshot-helper --root DIR`:
//! apply (refused, then acknowledged), confirm, rollback, history, rotate.

use crate::common;

use std::path::Path;
use std::process::{Command, Output};

use common::{earshot, start_helper, text};

fn run(config: &Path, args: &[&str]) -> Output {
    Command::new(earshot())
        .args(args)
        .env("XDG_CONFIG_HOME", config)
        .env_remove("EARSHOT_ROOT")
        .output()
        .expect("earshot runs")
}

#[test]
fn the_cli_changes_and_undoes_audit_control_through_the_helper() {
    let tmp = tempfile::tempdir().unwrap();
    let mac = tmp.path().join("mac");
    let config = tmp.path().join("config");
    let root = mac.to_str().unwrap();
    let out = run(
        &config,
        &["sim", "init", "--days", "0.05", "--seed", "3", root],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));

    let _helper = start_helper(&mac);

    let control = mac.join("etc/security/audit_control");
    let original = std::fs::read_to_string(&control).unwrap();
    let proposed = tmp.path().join("proposed");
    std::fs::write(
        &proposed,
        original.replace("policy:cnt,argv", "policy:argv"),
    )
    .unwrap();
    let proposed = proposed.to_str().unwrap();

    // First contact pairs automatically (the secret file is ours to read).
    let out = run(&config, &["--root", root, "history", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let h: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(h["revisions"].as_array().unwrap().len(), 1);
    assert_eq!(h["chain_intact"], true);

    let out = run(&config, &["--root", root, "apply", proposed]);
    assert_eq!(out.status.code(), Some(1), "unacknowledged risk refused");
    assert!(
        text(&out.stderr).contains("--ack drop-cnt"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&control).unwrap(), original);

    let out = run(
        &config,
        &[
            "--root",
            root,
            "apply",
            proposed,
            "--ack",
            "drop-cnt",
            "--confirm-within",
            "600",
            "--reason",
            "test",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("applied: revision 2"),
        "{}",
        text(&out.stdout)
    );
    assert!(text(&out.stdout).contains("earshot confirm 2"));
    assert!(!std::fs::read_to_string(&control).unwrap().contains("cnt"));

    let out = run(&config, &["--root", root, "confirm"]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    let out = run(&config, &["--root", root, "rollback"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(std::fs::read_to_string(&control).unwrap(), original);

    let out = run(&config, &["--root", root, "history", "--diff"]);
    let shown = text(&out.stdout);
    assert!(out.status.success());
    assert!(
        shown.contains("rollback") && shown.contains("[confirmed]"),
        "{shown}"
    );
    assert!(shown.contains("acknowledged: drop-cnt"), "{shown}");
    assert!(shown.contains("history chain: intact"), "{shown}");

    let out = run(&config, &["--root", root, "rotate"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
}
