//! Crash safety of the real daemon process: SIGKILL at every named step of the
//! apply pipeline, 20 times each, then a clean restart.

use crate::common;

use std::path::Path;
use std::process::{Child, Command, Stdio};

use common::simulated_mac;
use earshot_api::auth::InstallSecret;
use earshot_api::{content_hash, ChangeTerms, Client, RevisionSource};
use earshot_helper::fault::STEPS;
use tokio::net::UnixStream;

const RUNS_PER_STEP: usize = 20;

fn spawn_helper(root: &Path, fault: Option<&str>) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_earshot-helper"));
    cmd.arg("--root")
        .arg(root)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    match fault {
        Some(f) => cmd.env("EARSHOT_FAULT", f),
        None => cmd.env_remove("EARSHOT_FAULT"),
    };
    cmd.spawn().expect("helper starts")
}

/// Connect once the helper is listening (it binds after recovering its state).
async fn connect(root: &Path, child: &mut Child) -> Client {
    let socket = root.join("run/earshot/helper.sock");
    for _ in 0..2000 {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("helper exited before listening: {status}");
        }
        if let Ok(stream) = UnixStream::connect(&socket).await {
            let secret = InstallSecret::read(&root.join("var/db/earshot/secret")).unwrap();
            return Client::handshake(stream, move |_| Ok(secret.secret))
                .await
                .expect("handshake");
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    panic!("helper never listened");
}

/// The invariants after any crash: history verifies and its newest revision
/// is exactly the file; no temp file or journal is left behind.
async fn check_consistent(root: &Path, client: &mut Client) -> Vec<u8> {
    let file = std::fs::read(root.join("etc/security/audit_control")).unwrap();
    let h = client.history(None).await.unwrap();
    assert!(h.chain_intact, "{:?}", h.chain_problem);
    assert_eq!(h.revisions[0].hash, content_hash(&file), "head is the file");
    assert!(
        h.revisions
            .iter()
            .all(|r| r.source != RevisionSource::External),
        "a crash must never look like an outside edit"
    );
    let temps: Vec<_> = std::fs::read_dir(root.join("etc/security"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.contains("earshot-tmp"))
        .collect();
    assert!(temps.is_empty(), "temp files left: {temps:?}");
    assert!(!root.join("var/db/earshot/journal.json").exists());
    file
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_at_every_step_leaves_old_or_new_bytes_and_a_consistent_history() {
    use std::os::unix::process::ExitStatusExt;
    let renamed_at = STEPS.iter().position(|s| *s == "renamed").unwrap();
    assert!(STEPS.len() >= 10);
    for (index, step) in STEPS.iter().enumerate() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        simulated_mac(root);
        for run in 0..RUNS_PER_STEP {
            let mut child = spawn_helper(root, Some(&format!("{step}:kill")));
            let mut client = connect(root, &mut child).await;
            // The previous run was killed mid-apply; this start recovered it.
            let old = check_consistent(root, &mut client).await;
            let new = format!("{}# {step} run {run}\n", String::from_utf8_lossy(&old));
            let terms = ChangeTerms {
                base_hash: content_hash(&old),
                reason: format!("{step} {run}"),
                ..ChangeTerms::default()
            };
            let result = client.apply(new.clone(), terms).await;
            assert!(result.is_err(), "the helper dies at {step}");
            let status = child.wait().unwrap();
            assert_eq!(status.signal(), Some(libc::SIGKILL), "{step}: {status}");
            let file = std::fs::read(root.join("etc/security/audit_control")).unwrap();
            if index >= renamed_at {
                assert_eq!(file, new.as_bytes(), "{step} run {run}: after the rename");
            } else {
                assert_eq!(file, old, "{step} run {run}: before the rename");
            }
        }
        let mut child = spawn_helper(root, None);
        let mut client = connect(root, &mut child).await;
        check_consistent(root, &mut client).await;
        let h = client.history(None).await.unwrap();
        let expected = if index >= renamed_at {
            RUNS_PER_STEP + 1
        } else {
            1
        };
        assert_eq!(
            h.revisions.len(),
            expected,
            "{step}: one revision per completed rename"
        );
        // The helper works normally afterwards.
        let cfg = client.read_config().await.unwrap();
        let terms = ChangeTerms {
            base_hash: cfg.hash,
            ..ChangeTerms::default()
        };
        client
            .apply(format!("{}# after {step}\n", cfg.text), terms)
            .await
            .expect("clean apply after recovery");
        child.kill().unwrap();
        child.wait().unwrap();
    }
}

/// A tuning step is one action: killed at any point of `apply_step`, the
/// helper leaves either no change and no record, or the change with its step
/// record in the revision it made — never a change without its prediction.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_killed_anywhere_leaves_no_change_or_a_change_with_its_record() {
    use std::os::unix::process::ExitStatusExt;
    let renamed_at = STEPS.iter().position(|s| *s == "renamed").unwrap();
    for (index, step) in STEPS.iter().enumerate() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        simulated_mac(root);
        for run in 0..3 {
            let mut child = spawn_helper(root, Some(&format!("{step}:kill")));
            let mut client = connect(root, &mut child).await;
            let old = check_consistent(root, &mut client).await;
            let before = client.history(None).await.unwrap().revisions[0].number;
            let next = client.next_step("next".into()).await.unwrap();
            let (Some(plan), Some(token)) = (next.plan, next.token) else {
                panic!("{step} run {run}: the simulated Mac has a next step")
            };
            let acks: Vec<String> = next.risks.iter().map(|r| r.id.clone()).collect();
            let result = client
                .apply_step(token.clone(), acks, None, None, true)
                .await;
            assert!(result.is_err(), "the helper dies at {step}");
            let status = child.wait().unwrap();
            assert_eq!(status.signal(), Some(libc::SIGKILL), "{step}: {status}");

            let mut child = spawn_helper(root, None);
            let mut client = connect(root, &mut child).await;
            let file = check_consistent(root, &mut client).await;
            let head = client.history(None).await.unwrap().revisions[0].number;
            let steps = client.applied_steps(Some(1)).await.unwrap();
            if index >= renamed_at {
                assert_eq!(
                    content_hash(&file),
                    token.after_hash,
                    "{step} run {run}: the step is in place"
                );
                assert_eq!(head, before + 1);
                let rec = steps.first().expect("the step's record");
                assert_eq!(
                    rec.revision, head,
                    "{step} run {run}: its record is in its revision"
                );
                assert_eq!(rec.record.title, plan.title);
            } else {
                assert_eq!(file, old, "{step} run {run}: nothing changed");
                assert_eq!(head, before, "{step} run {run}: no revision");
                assert!(
                    steps.first().is_none_or(|r| r.revision <= before),
                    "{step} run {run}: no record without its change"
                );
            }
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }
}
