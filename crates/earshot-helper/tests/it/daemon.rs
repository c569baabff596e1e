//! The real daemon over a simulated Mac: status, apply with reload, rotate,
//! trail stats, and drift pushed to subscribers.

use crate::common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::{simulated_mac, start_daemon};
use earshot_api::{ChangeTerms, ErrorCode, Event, RevisionSource};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daemon_serves_a_simulated_mac() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    simulated_mac(root);
    let (_daemon, mut c) = start_daemon(root).await;
    assert!(c.session().simulated);

    let status = c.status().await.unwrap();
    assert!(status.simulated);
    assert_eq!(status.head_revision, Some(1));
    assert!(
        !status.findings.is_empty(),
        "health comes from earshot-core"
    );

    let stats = c.call(earshot_api::Request::TrailStats).await.unwrap();
    let earshot_api::Response::TrailStats(stats) = stats else {
        panic!("trail stats expected")
    };
    assert!(!stats.files.is_empty(), "the simulated Mac has trails");
    assert!(stats.files.iter().any(|f| f.current));
    assert!(stats.total_records > 0);
    assert!(
        stats.files.iter().all(|f| !f.name.contains('/')),
        "names only"
    );

    // A risky change without its acknowledgement is refused; with it, applied.
    let cfg = c.read_config().await.unwrap();
    assert!(cfg.exists);
    let text = cfg.text.replace("policy:cnt,argv", "policy:argv");
    assert_ne!(text, cfg.text, "the profile's policy has cnt");
    let terms = ChangeTerms {
        base_hash: cfg.hash.clone(),
        reason: "test".into(),
        ..ChangeTerms::default()
    };
    let err = c.apply(text.clone(), terms.clone()).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::AckRequired));
    let plan = c.plan(text.clone()).await.unwrap();
    assert!(plan.valid);
    assert_eq!(plan.risks.len(), 1);
    assert_eq!(plan.risks[0].id, "drop-cnt");
    let report = c
        .apply(
            text.clone(),
            ChangeTerms {
                acks: vec!["drop-cnt".into()],
                ..terms
            },
        )
        .await
        .unwrap();
    assert_eq!(report.revision, 2);
    assert_eq!(
        report.reload_warning, None,
        "the hosted auditd took audit -s"
    );
    assert_eq!(
        std::fs::read_to_string(root.join("etc/security/audit_control")).unwrap(),
        text
    );
    assert!(matches!(
        c.call(earshot_api::Request::Rotate).await.unwrap(),
        earshot_api::Response::Rotated
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outside_edit_is_pushed_to_subscribers() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    simulated_mac(root);
    let (_daemon, mut c) = start_daemon(root).await;
    c.subscribe().await.unwrap();
    let control = root.join("etc/security/audit_control");
    let edited = format!(
        "{}# edited by hand\n",
        std::fs::read_to_string(&control).unwrap()
    );
    std::fs::write(&control, &edited).unwrap();
    // The watcher (or the one-second beat) notices; wait for the push, with a
    // generous bound so a stuck helper fails the test instead of hanging it.
    // A watcher may also see the moment between truncate and write (recorded
    // too: bytes are kept); the edit's final state must arrive.
    let wanted = earshot_api::content_hash(edited.as_bytes());
    let revision = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            if let Event::Revision(r) = c.next_event().await.unwrap() {
                if r.hash == wanted {
                    return r;
                }
            }
        }
    })
    .await
    .expect("a revision event");
    assert_eq!(revision.source, RevisionSource::External);
    assert_eq!(revision.hash, earshot_api::content_hash(edited.as_bytes()));
    let h = c.history(None).await.unwrap();
    assert!(h.chain_intact);
    assert_eq!(h.revisions[0].number, revision.number);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_helper_does_not_steal_the_socket() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    simulated_mac(root);
    let (_daemon, mut c) = start_daemon(root).await;
    let out = Command::new(env!("CARGO_BIN_EXE_earshot-helper"))
        .arg("--root")
        .arg(root)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already listening"));
    assert!(c.status().await.is_ok(), "the first helper still serves");
}

/// A simulated Mac copied elsewhere is served: `current` is relative (as
/// macOS resolves it), and an old absolute one into the original folder is
/// read as the trail of the same name beside the link.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copied_simulated_mac_can_be_served() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    simulated_mac(&a);
    let link = std::fs::read_link(a.join("var/audit/current")).unwrap();
    assert!(link.is_relative(), "{}", link.display());
    let b = dir.path().join("b");
    let copied = Command::new("cp")
        .arg("-a")
        .arg(&a)
        .arg(&b)
        .status()
        .unwrap();
    assert!(copied.success());
    // As an older simulator wrote it: an absolute path into `a`.
    let current = b.join("var/audit/current");
    std::fs::remove_file(&current).unwrap();
    std::os::unix::fs::symlink(a.join("var/audit").join(&link), &current).unwrap();
    std::fs::remove_dir_all(&a).unwrap();
    let (_daemon, mut c) = start_daemon(&b).await;
    let status = c.status().await.unwrap();
    assert!(
        status
            .findings
            .iter()
            .all(|f| f.level != earshot_api::HealthLevel::Error),
        "{:?}",
        status.findings
    );
}

/// The app shows audit_control's diagnostics as the helper reads and judges
/// the file (it is root's only on a Mac): exactly what the audit_control
/// library says of it, with Apple's class table.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_config_carries_exactly_the_librarys_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    simulated_mac(root);
    let content = "dir:/var/audit\nflags:lo,aa # comment\nminfree:70\n";
    std::fs::write(root.join("etc/security/audit_control"), content).unwrap();
    let (_daemon, mut c) = start_daemon(root).await;
    let cfg = c.read_config().await.unwrap();
    assert_eq!(cfg.text, content);
    let expected = audit_control::check(
        content.as_bytes(),
        &audit_control::tables::ClassTable::apple(),
    );
    assert!(!expected.is_empty(), "the sample has something to say");
    assert_eq!(
        serde_json::to_value(&cfg.diagnostics).unwrap(),
        serde_json::to_value(&expected).unwrap()
    );
}
