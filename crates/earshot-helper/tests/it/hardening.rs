//! The hardening issue's attacks, at the level a user or an attacker meets
//! them: the real `earshot-helper` binary serving a simulated Mac, with its
//! default limits (128 handshaking peers, 64 clients, 32 per uid).

use crate::common;
use crate::siege;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

use common::{simulated_mac, start_daemon};
use earshot_api::frame::{encode, read_message};
use earshot_api::{ChangeTerms, ErrorCode, RevisionSource, ServerFrame};
use siege::{Attack, AttackerProcess, Target};
use tokio::io::AsyncWriteExt;

/// More hostile peers of each kind than any pool holds.
const HOSTILE: usize = 200;

fn control(root: &Path) -> std::path::PathBuf {
    root.join("etc/security/audit_control")
}

/// Sockets the helper process holds open (Linux: /proc).
fn helper_sockets(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .filter_map(|e| std::fs::read_link(e.unwrap().path()).ok())
        .filter(|t| t.to_string_lossy().starts_with("socket:"))
        .count()
}

/// Status for a legitimate client, however the helper is besieged. Bounded
/// by a generous guard so a regression fails instead of hanging; the time it
/// takes is measured by `cargo bench --bench siege`, not asserted here.
async fn status_ok(target: &Target, what: &str) {
    match tokio::time::timeout(Duration::from_secs(20), siege::time_to_status(target)).await {
        Ok(Ok(took)) => eprintln!("{what}: status in {took:?}"),
        Ok(Err(e)) => panic!("{what}: a legitimate client was refused: {e}"),
        Err(_) => panic!("{what}: no status within 20 s"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closed_subscriptions_free_their_slots_at_once() {
    let dir = tempfile::tempdir().unwrap();
    simulated_mac(dir.path());
    let (daemon, first) = start_daemon(dir.path()).await;
    drop(first);
    let pid = daemon.child.id();
    let target = Target::simulated(dir.path());
    tokio::time::sleep(Duration::from_millis(200)).await;
    let baseline = helper_sockets(pid);
    for _ in 0..100 {
        siege::peer(&target, Attack::SubscribeAndClose).await;
    }
    // Each closed peer's connection ends with it (give the last a moment).
    let mut held = usize::MAX;
    for _ in 0..50 {
        held = helper_sockets(pid);
        if held <= baseline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        held <= baseline,
        "after 100 closed subscriptions the helper still holds {} sockets more",
        held - baseline
    );
    status_ok(&target, "after closed subscriptions").await;
}

/// How the siege tests start this binary again as a hostile process.
const ATTACKER_ARGS: &[&str] = &[
    "hardening::hostile_process",
    "--exact",
    "--nocapture",
    "--test-threads=1",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_legitimate_client_gets_status_while_hostile_peers_hold_and_churn() {
    let dir = tempfile::tempdir().unwrap();
    simulated_mac(dir.path());
    let (_daemon, _first) = start_daemon(dir.path()).await;
    let target = Target::simulated(dir.path());
    for attack in Attack::ALL {
        // Held: 200 at once, more than the pool of their kind.
        let held = AttackerProcess::spawn(ATTACKER_ARGS, dir.path(), attack, HOSTILE, false);
        status_ok(&target, &format!("{HOSTILE} held {}", attack.name())).await;
        drop(held);
        // Churned: the attacker keeps replacing them while we ask.
        let churned = AttackerProcess::spawn(ATTACKER_ARGS, dir.path(), attack, HOSTILE, true);
        for _ in 0..5 {
            status_ok(&target, &format!("{HOSTILE} churned {}", attack.name())).await;
        }
        drop(churned);
    }
}

/// The hostile process of the siege tests: this binary run again with
/// `EARSHOT_SIEGE_ATTACKER` set (`siege::AttackerProcess`). Run plainly, it
/// checks what the siege rests on: a hostile process really fills the
/// handshake pool (128 sockets at the helper, the rest closed with `busy`),
/// and once it dies the helper lets every one of its sockets go.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_process() {
    if siege::run_attacker_from_env().await {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    simulated_mac(dir.path());
    let (daemon, first) = start_daemon(dir.path()).await;
    drop(first);
    let pid = daemon.child.id();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let baseline = helper_sockets(pid);
    let attacker =
        AttackerProcess::spawn(ATTACKER_ARGS, dir.path(), Attack::Silent, HOSTILE, false);
    let mut extra = 0;
    for _ in 0..100 {
        extra = helper_sockets(pid).saturating_sub(baseline);
        if extra == 128 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        extra, 128,
        "200 silent peers should fill exactly the handshake pool"
    );
    drop(attacker);
    let mut held = usize::MAX;
    for _ in 0..100 {
        held = helper_sockets(pid);
        if held <= baseline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        held <= baseline,
        "{} sockets of a dead process still held",
        held - baseline
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_control_traps_are_refused_with_a_code_and_status_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    simulated_mac(root);
    let original = std::fs::read(control(root)).unwrap();
    let (_daemon, mut c) = start_daemon(root).await;
    let cfg = c.read_config().await.unwrap();
    let blobs = || {
        std::fs::read_dir(root.join("var/db/earshot/history/blobs"))
            .unwrap()
            .count()
    };
    let blobs_before = blobs();

    let check = |what: &'static str, finding: &'static str| (what, finding);
    let traps = [
        check("a FIFO", "audit-control-not-regular"),
        check("a link to the helper's secret", "audit-control-link"),
        check("a 200 MB file", "audit-control-too-large"),
        check(
            "etc/security a link out of the root",
            "audit-control-folder-link",
        ),
    ];
    let outside = tempfile::tempdir().unwrap();
    for (i, (what, finding)) in traps.into_iter().enumerate() {
        let path = control(root);
        match i {
            0 => {
                std::fs::remove_file(&path).unwrap();
                nix_mkfifo(&path);
            }
            1 => {
                std::fs::remove_file(&path).unwrap();
                std::os::unix::fs::symlink(root.join("var/db/earshot/secret"), &path).unwrap();
            }
            2 => {
                std::fs::remove_file(&path).unwrap();
                let f = std::fs::File::create(&path).unwrap();
                f.set_len(200 << 20).unwrap();
            }
            _ => {
                std::fs::remove_file(&path).unwrap();
                let sec = root.join("etc/security");
                std::fs::rename(&sec, outside.path().join("security")).unwrap();
                std::os::unix::fs::symlink(outside.path().join("security"), &sec).unwrap();
                std::fs::write(outside.path().join("security/audit_control"), &original).unwrap();
            }
        }
        // Status answers (a FIFO does not hang it) and names the trap.
        let status = tokio::time::timeout(Duration::from_secs(20), c.status())
            .await
            .unwrap_or_else(|_| panic!("{what}: status hung"))
            .unwrap();
        let f = status
            .findings
            .iter()
            .find(|f| f.code == finding)
            .unwrap_or_else(|| panic!("{what}: no {finding} finding in {:?}", status.findings));
        assert!(
            f.message.len() > 40,
            "{what}: the finding says how to fix it"
        );
        assert_eq!(status.level, earshot_api::HealthLevel::Error);
        let err = c.read_config().await.unwrap_err();
        assert_eq!(err.code(), Some(ErrorCode::UnsafeConfig), "{what}: {err}");
        let err = c
            .apply(
                cfg.text.clone(),
                ChangeTerms {
                    base_hash: cfg.hash.clone(),
                    ..ChangeTerms::default()
                },
            )
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some(ErrorCode::UnsafeConfig), "{what}: {err}");
        // Nothing was written through it, and nothing of it was stored.
        assert_eq!(blobs(), blobs_before, "{what}: history stored its bytes");
        // Put things back for the next trap.
        if i == 3 {
            std::fs::remove_file(root.join("etc/security")).unwrap();
            std::fs::rename(outside.path().join("security"), root.join("etc/security")).unwrap();
            assert_eq!(
                std::fs::read(control(root)).unwrap(),
                original,
                "the file outside the root was not written"
            );
        } else {
            std::fs::remove_file(&path).unwrap();
            std::fs::write(&path, &original).unwrap();
        }
    }
    let h = c.history(None).await.unwrap();
    assert!(h.chain_intact, "{:?}", h.chain_problem);
    assert_eq!(h.revisions.len(), 1, "no trap became a revision");
}

fn nix_mkfifo(path: &Path) {
    // mkfifo(2) exists on both Linux and macOS (rustix's mknodat does not on macOS).
    nix::unistd::mkfifo(path, nix::sys::stat::Mode::from_bits_truncate(0o644)).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_error_never_echoes_a_megabyte_of_input() {
    let dir = tempfile::tempdir().unwrap();
    simulated_mac(dir.path());
    let (_daemon, mut c) = start_daemon(dir.path()).await;
    // A long reason is refused with a short answer.
    let cfg = c.read_config().await.unwrap();
    let err = c
        .apply(
            format!("{}# more\n", cfg.text),
            ChangeTerms {
                base_hash: cfg.hash,
                reason: "why ".repeat(200_000),
                ..ChangeTerms::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::InvalidRequest));
    assert!(
        err.to_string().len() < 1200,
        "{} bytes",
        err.to_string().len()
    );

    // A frame just under the limit naming an unknown operation gets an
    // error frame back (not a dropped connection), quoting a short prefix.
    let target = Target::simulated(dir.path());
    let mut raw = tokio::net::UnixStream::connect(&target.socket)
        .await
        .unwrap();
    let body = format!(
        "{{\"t\":\"hello\",\"versions\":[1],\"client_nonce\":\"{}\",\"client\":\"x\"}}",
        "z\n".repeat(500_000)
    );
    let mut frame = (body.len() as u32).to_be_bytes().to_vec();
    frame.extend_from_slice(body.as_bytes());
    raw.write_all(&frame).await.unwrap();
    match read_message::<_, ServerFrame>(&mut raw)
        .await
        .expect("an answer")
    {
        ServerFrame::Error { error } => {
            assert!(error.reason.len() < 1200, "{} bytes", error.reason.len());
            assert!(!error.reason.contains("zz"), "{}", error.reason);
        }
        other => panic!("an error frame, not {other:?}"),
    }
    let _ = encode(&());
}

/// Kill the helper, shorten its history and put the file back to an older
/// revision's bytes: the restarted helper says history was cut.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_history_tail_shows_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    simulated_mac(root);
    let (daemon, mut c) = start_daemon(root).await;
    for i in 0..2 {
        let cfg = c.read_config().await.unwrap();
        c.apply(
            format!("{}# change {i}\n", cfg.text),
            ChangeTerms {
                base_hash: cfg.hash,
                ..ChangeTerms::default()
            },
        )
        .await
        .unwrap();
    }
    drop(c);
    drop(daemon);
    let revisions = root.join("var/db/earshot/history/revisions");
    let rev2: serde_json::Value =
        serde_json::from_slice(&std::fs::read(revisions.join("00000002.json")).unwrap()).unwrap();
    let blob = root
        .join("var/db/earshot/history/blobs")
        .join(rev2["hash"].as_str().unwrap());
    std::fs::remove_file(revisions.join("00000003.json")).unwrap();
    std::fs::set_permissions(control(root), std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::write(control(root), std::fs::read(blob).unwrap()).unwrap();

    let (_daemon, mut c) = start_daemon(root).await;
    let h = c.history(None).await.unwrap();
    assert!(!h.chain_intact);
    let problem = h.chain_problem.unwrap();
    assert!(problem.contains("revision 3 was recorded"), "{problem}");
    let status = c.status().await.unwrap();
    assert!(status.findings.iter().any(|f| f.code == "history-tampered"));
    assert_eq!(status.level, earshot_api::HealthLevel::Error);
}

/// An editor that truncates, writes half, pauses 1.5 s and writes the rest:
/// only the finished file becomes a revision.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_half_written_outside_edit_never_becomes_a_revision() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    simulated_mac(root);
    let (_daemon, mut c) = start_daemon(root).await;
    let full = format!(
        "{}# edited by hand\n",
        std::fs::read_to_string(control(root)).unwrap()
    );
    std::fs::set_permissions(control(root), std::fs::Permissions::from_mode(0o644)).unwrap();
    {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(control(root))
            .unwrap();
        f.write_all(&full.as_bytes()[..full.len() / 2]).unwrap();
        f.flush().unwrap();
        std::thread::sleep(Duration::from_millis(1500));
        f.write_all(&full.as_bytes()[full.len() / 2..]).unwrap();
    }
    // Settled after 2 quiet seconds; allow for the beat.
    let mut h = c.history(None).await.unwrap();
    for _ in 0..100 {
        if h.revisions.len() > 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        h = c.history(None).await.unwrap();
    }
    // Give a wrongly recorded second revision time to appear too.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let h = c.history(None).await.unwrap();
    let external: Vec<_> = h
        .revisions
        .iter()
        .filter(|r| r.source == RevisionSource::External)
        .collect();
    assert_eq!(external.len(), 1, "{:#?}", h.revisions);
    assert_eq!(external[0].hash, earshot_api::content_hash(full.as_bytes()));
}

/// A thousand revisions with the longest reasons allowed and long changed
/// lines: every page fits one frame, and paging yields each revision once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_revision_history_pages_through_the_socket() {
    let fx = common::start_default().await;
    let reason = "r".repeat(earshot_api::MAX_REASON_CHARS);
    let mut base = common::ORIGINAL.to_string();
    let who = earshot_helper::keeper::Caller {
        uid: 501,
        user: "alice".into(),
    };
    for i in 0..1000 {
        let next = format!("{}# {i} {}\n", common::ORIGINAL, "x".repeat(4000));
        fx.keeper
            .apply(
                &next,
                &ChangeTerms {
                    base_hash: earshot_api::content_hash(base.as_bytes()),
                    reason: reason.clone(),
                    ..ChangeTerms::default()
                },
                &who,
            )
            .unwrap();
        base = next;
    }
    let mut c = fx.client().await;
    let mut seen = Vec::new();
    let mut before = None;
    loop {
        let page = c
            .history_page(Some(earshot_api::MAX_HISTORY_PAGE), before)
            .await
            .unwrap();
        assert!(page.chain_intact, "{:?}", page.chain_problem);
        assert!(!page.revisions.is_empty());
        let json = serde_json::to_vec(&page).unwrap().len();
        assert!(json < earshot_api::MAX_FRAME_LEN, "{json} bytes");
        seen.extend(page.revisions.iter().map(|r| r.number));
        before = page.next_before;
        if before.is_none() {
            break;
        }
    }
    assert_eq!(seen, (1..=1001).rev().collect::<Vec<u64>>());
}
