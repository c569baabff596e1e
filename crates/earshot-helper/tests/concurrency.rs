//! Fifty clients applying at once: every change lands, one at a time.

mod common;

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
    let h = c.history(None).await.unwrap();
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
