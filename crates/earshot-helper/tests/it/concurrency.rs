//! Fifty clients applying at once: every change lands, one at a time.

use crate::common;

use common::*;
use earshot_api::{ChangeTerms, ErrorCode};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_appliers_are_serialized_without_lost_updates() {
    let fx = start(default_policy(), long_limits()).await;
    let mut tasks = Vec::new();
    for i in 0..50 {
        let mut client = fx.client().await;
        tasks.push(tokio::spawn(async move {
            loop {
                let cfg = client.read_config().await.unwrap();
                let text = format!("{}# client {i}\n", cfg.text);
                let terms = ChangeTerms {
                    base_hash: cfg.hash,
                    reason: format!("client {i}"),
                    ..ChangeTerms::default()
                };
                match client.apply(text, terms).await {
                    Ok(report) => return report.revision,
                    // Someone else got in first: re-read and try again, which is
                    // exactly what a UI does with `base-changed`.
                    Err(e) if e.code() == Some(ErrorCode::BaseChanged) => continue,
                    Err(e) => panic!("client {i}: {e}"),
                }
            }
        }));
    }
    let mut revisions = Vec::new();
    for t in tasks {
        revisions.push(t.await.unwrap());
    }
    revisions.sort_unstable();
    assert_eq!(
        revisions,
        (2..=51).collect::<Vec<u64>>(),
        "one revision each, no gaps"
    );
    let text = String::from_utf8(fx.control_bytes()).unwrap();
    for i in 0..50 {
        assert_eq!(
            text.matches(&format!("# client {i}\n")).count(),
            1,
            "client {i}'s change is in the file exactly once"
        );
    }
    let mut c = fx.client().await;
    let h = c.history(Some(100)).await.unwrap();
    assert!(h.chain_intact);
    assert_eq!(h.revisions.len(), 51);
    // Each revision's bytes are its predecessor's plus one line: serialized.
    for pair in h.revisions.windows(2) {
        let newer = fx.keeper.revision_bytes(pair[0].number).unwrap();
        let older = fx.keeper.revision_bytes(pair[1].number).unwrap();
        assert!(newer.starts_with(&older));
        assert_eq!(
            newer.iter().filter(|&&b| b == b'\n').count(),
            older.iter().filter(|&&b| b == b'\n').count() + 1
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn status_is_answered_while_an_apply_holds_the_mutation_lock() {
    let fx = start(default_policy(), long_limits()).await;
    let release = fx.platform.hold_reloads();
    let mut a = fx.client().await;
    let cfg = a.read_config().await.unwrap();
    let first = tokio::spawn(async move {
        let text = format!("{}# first\n", cfg.text);
        let terms = ChangeTerms {
            base_hash: cfg.hash,
            confirm_within_secs: Some(600),
            ..ChangeTerms::default()
        };
        a.apply(text, terms).await
    });
    // Wait until the first apply is inside the pipeline (its reload started).
    while fx.platform.ops().is_empty() {
        tokio::task::yield_now().await;
    }
    // Reads are answered meanwhile...
    let mut b = fx.client().await;
    let status = b.status().await.unwrap();
    assert_eq!(
        status.head_revision,
        Some(1),
        "the apply is not recorded yet"
    );
    assert!(b.history(None).await.is_ok());
    // ...while a second mutation waits for the lock.
    let mut c = fx.client().await;
    let second = tokio::spawn(async move { c.confirm(None).await });
    for _ in 0..100 {
        tokio::task::yield_now().await;
    }
    assert!(!second.is_finished(), "confirm cannot pass a held lock");
    release.send(()).unwrap();
    let applied = first.await.unwrap().unwrap();
    assert_eq!(applied.revision, 2);
    // The confirm ran after the whole apply: it saw the pending revision.
    assert_eq!(second.await.unwrap().unwrap(), 2);
    drop(release);
}
