//! The socket boundary: who gets in, and what a hostile or broken peer costs.

use crate::common;

use std::time::Duration;

use common::*;
use earshot_api::auth::{Nonce, Secret, Transcript};
use earshot_api::frame::{encode, read_message};
use earshot_api::{ClientFrame, ErrorCode, Request, ServerFrame, MAX_FRAME_LEN, PROTOCOL_VERSION};
use earshot_helper::peer::PeerPolicy;
use earshot_helper::server::Limits;
use tokio::io::AsyncWriteExt;
use tokio::net::UnixStream;

async fn raw(fx: &Fixture) -> UnixStream {
    UnixStream::connect(&fx.socket).await.unwrap()
}

async fn send(s: &mut UnixStream, frame: &ClientFrame) {
    s.write_all(&encode(frame).unwrap()).await.unwrap();
}

async fn expect_error(s: &mut UnixStream) -> ErrorCode {
    match read_message::<_, ServerFrame>(s).await.expect("a frame") {
        ServerFrame::Error { error } => error.code,
        other => panic!("expected an error frame, got {other:?}"),
    }
}

fn hello(nonce: Nonce) -> ClientFrame {
    ClientFrame::Hello {
        versions: vec![PROTOCOL_VERSION],
        client_nonce: nonce.to_hex(),
        client: "test".into(),
    }
}

/// Run a full handshake by hand; returns the frames sent so they can be replayed.
async fn manual_handshake(fx: &Fixture, nonce: Nonce) -> (UnixStream, ClientFrame) {
    let mut s = raw(fx).await;
    send(&mut s, &hello(nonce)).await;
    let ServerFrame::Challenge {
        server_nonce,
        peer_uid,
        version,
        ..
    } = read_message(&mut s).await.unwrap()
    else {
        panic!("challenge expected")
    };
    assert_eq!(peer_uid, my_uid(), "the helper reports the kernel's uid");
    let t = Transcript {
        server_nonce: Nonce::from_hex(&server_nonce).unwrap(),
        client_nonce: nonce,
        version,
        peer_uid,
    };
    let auth = ClientFrame::Authenticate {
        proof: fx.secret.secret.client_proof(&t),
    };
    send(&mut s, &auth).await;
    let ServerFrame::Welcome { server_proof, .. } = read_message(&mut s).await.unwrap() else {
        panic!("welcome expected")
    };
    assert!(fx.secret.secret.verify_server(&t, &server_proof));
    (s, auth)
}

#[tokio::test]
async fn an_authenticated_client_gets_status() {
    let fx = start_default().await;
    let mut c = fx.client().await;
    assert_eq!(c.session().install_id, fx.secret.install_id);
    let status = c.status().await.unwrap();
    assert_eq!(status.head_revision, Some(1), "the original is revision 1");
    assert_eq!(
        status.config_hash,
        earshot_api::content_hash(ORIGINAL.as_bytes())
    );
}

#[tokio::test]
async fn a_wrong_secret_is_refused_with_unauthenticated() {
    let fx = start_default().await;
    let err = fx
        .client_with(Secret::from_bytes([9; 32]))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::Unauthenticated), "{err}");
}

#[tokio::test]
async fn a_replayed_handshake_is_refused_with_replay() {
    let fx = start_default().await;
    let nonce = Nonce::fresh().unwrap();
    let (_first, captured_auth) = manual_handshake(&fx, nonce).await;

    // The whole captured exchange, replayed verbatim.
    let mut s = raw(&fx).await;
    send(&mut s, &hello(nonce)).await;
    assert_eq!(expect_error(&mut s).await, ErrorCode::Replay);

    // The captured proof with a fresh nonce: it was bound to the old nonces.
    let mut s = raw(&fx).await;
    send(&mut s, &hello(Nonce::fresh().unwrap())).await;
    let ServerFrame::Challenge { .. } = read_message(&mut s).await.unwrap() else {
        panic!("challenge expected")
    };
    send(&mut s, &captured_auth).await;
    assert_eq!(expect_error(&mut s).await, ErrorCode::Unauthenticated);
}

#[tokio::test]
async fn a_user_outside_the_policy_is_refused_with_wrong_user() {
    let fx = start(
        PeerPolicy {
            allow_root: false,
            users: vec![my_uid().wrapping_add(4242)],
            admin_gid: None,
        },
        Limits::default(),
    )
    .await;
    let err = fx.client_with(fx.secret.secret.clone()).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::WrongUser), "{err}");
}

#[tokio::test]
async fn requests_before_the_handshake_are_refused() {
    let fx = start_default().await;
    let mut s = raw(&fx).await;
    send(
        &mut s,
        &ClientFrame::Request {
            id: 1,
            request: Request::Status,
        },
    )
    .await;
    assert_eq!(expect_error(&mut s).await, ErrorCode::Unauthenticated);
}

#[tokio::test]
async fn an_unknown_version_is_refused() {
    let fx = start_default().await;
    let mut s = raw(&fx).await;
    send(
        &mut s,
        &ClientFrame::Hello {
            versions: vec![99],
            client_nonce: Nonce::fresh().unwrap().to_hex(),
            client: "future".into(),
        },
    )
    .await;
    assert_eq!(expect_error(&mut s).await, ErrorCode::UnsupportedVersion);
}

#[tokio::test]
async fn oversized_zero_length_and_garbage_frames_are_refused_with_codes() {
    let fx = start_default().await;
    let mut s = raw(&fx).await;
    s.write_all(&((MAX_FRAME_LEN as u32) + 1).to_be_bytes())
        .await
        .unwrap();
    assert_eq!(expect_error(&mut s).await, ErrorCode::FrameTooLarge);

    let mut s = raw(&fx).await;
    s.write_all(&[0, 0, 0, 0]).await.unwrap();
    assert_eq!(expect_error(&mut s).await, ErrorCode::Malformed);

    let mut s = raw(&fx).await;
    s.write_all(&[0, 0, 0, 5]).await.unwrap();
    s.write_all(b"hello").await.unwrap();
    assert_eq!(expect_error(&mut s).await, ErrorCode::Malformed);

    // After the handshake too.
    let (mut s, _) = manual_handshake(&fx, Nonce::fresh().unwrap()).await;
    s.write_all(&[0, 0, 0, 2]).await.unwrap();
    s.write_all(b"{}").await.unwrap();
    assert_eq!(expect_error(&mut s).await, ErrorCode::Malformed);
}

#[tokio::test]
async fn half_sent_and_idle_connections_time_out_with_a_code() {
    let short = Duration::from_millis(300);
    let fx = start(
        default_policy(),
        Limits {
            handshake_timeout: short,
            frame_timeout: short,
            ..long_limits()
        },
    )
    .await;
    // Says nothing at all.
    let mut silent = raw(&fx).await;
    // Announces 100 bytes, sends 3.
    let mut half = raw(&fx).await;
    half.write_all(&[0, 0, 0, 100]).await.unwrap();
    half.write_all(b"{\"t").await.unwrap();
    assert_eq!(expect_error(&mut silent).await, ErrorCode::Timeout);
    assert_eq!(expect_error(&mut half).await, ErrorCode::Timeout);

    // Authenticates (with all the time it needs), then idles.
    let fx = start(
        default_policy(),
        Limits {
            idle_timeout: short,
            ..long_limits()
        },
    )
    .await;
    let (mut idle, _) = manual_handshake(&fx, Nonce::fresh().unwrap()).await;
    assert_eq!(expect_error(&mut idle).await, ErrorCode::Timeout);
}

#[tokio::test]
async fn status_is_answered_while_hostile_connections_hang() {
    let fx = start(default_policy(), long_limits()).await;
    let mut hanging = Vec::new();
    for _ in 0..10 {
        let mut half = raw(&fx).await;
        half.write_all(&[0, 0, 0, 200]).await.unwrap();
        half.write_all(b"{").await.unwrap();
        hanging.push(half);
        hanging.push(raw(&fx).await);
    }
    let mut c = fx.client().await;
    for _ in 0..5 {
        assert!(c.status().await.is_ok());
    }
    // None of the hanging peers was answered or dropped meanwhile: status did
    // not wait for them to be dealt with.
    for s in &hanging {
        let mut buf = [0u8; 1];
        assert!(matches!(
            s.try_read(&mut buf),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock
        ));
    }
}

#[tokio::test]
async fn beyond_the_caps_the_longest_idle_client_of_the_greediest_uid_makes_room() {
    let fx = start(
        default_policy(),
        Limits {
            max_authenticated: 2,
            max_per_uid: 2,
            ..long_limits()
        },
    )
    .await;
    let mut a = fx.client().await;
    let mut b = fx.client().await;
    assert!(b.status().await.is_ok(), "b was active last");
    // A third client gets in; `a`, idle the longest, is closed with busy.
    let mut c = fx.client().await;
    assert!(c.status().await.is_ok());
    match a.status().await {
        Err(e) => assert!(
            e.code() == Some(ErrorCode::Busy) || e.code().is_none(),
            "{e}"
        ),
        Ok(_) => panic!("the longest-idle client should have been closed"),
    }
    assert!(b.status().await.is_ok(), "the active one stays");
}

#[tokio::test]
async fn a_full_handshake_pool_closes_its_oldest_peer_not_the_newcomer() {
    let fx = start(
        default_policy(),
        Limits {
            max_unauthenticated: 4,
            ..long_limits()
        },
    )
    .await;
    let mut silent = Vec::new();
    for _ in 0..4 {
        silent.push(raw(&fx).await);
    }
    // The newcomer completes its handshake; the oldest silent peer was told.
    let mut c = fx.client().await;
    assert!(c.status().await.is_ok());
    assert_eq!(expect_error(&mut silent[0]).await, ErrorCode::Busy);
}

#[tokio::test]
async fn a_trickled_hello_must_still_finish_within_the_handshake_deadline() {
    let fx = start(
        default_policy(),
        Limits {
            handshake_timeout: Duration::from_millis(600),
            ..long_limits()
        },
    )
    .await;
    let mut s = raw(&fx).await;
    let bytes = encode(&hello(Nonce::fresh().unwrap())).unwrap();
    let started = std::time::Instant::now();
    // One byte every 100 ms: each read is quick, the whole is not.
    let mut answer = None;
    for b in &bytes {
        if s.write_all(&[*b]).await.is_err() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        let mut buf = [0u8; 1];
        if let Ok(n) = s.try_read(&mut buf) {
            answer = Some(n);
            break;
        }
    }
    assert!(answer.is_some(), "the helper closed the trickling hello");
    assert!(
        started.elapsed() < Duration::from_millis(100 * bytes.len() as u64),
        "closed before the hello was complete"
    );
}

#[tokio::test]
async fn a_subscriber_gets_the_current_state_then_each_change() {
    let fx = start_default().await;
    let mut c = fx.client().await;
    c.subscribe().await.unwrap();
    match c.next_event().await.unwrap() {
        earshot_api::Event::State(s) => assert_eq!(s.head_revision, Some(1)),
        other => panic!("state first, got {other:?}"),
    }
    // A change made by another client reaches this one.
    let mut other = fx.client().await;
    let cfg = other.read_config().await.unwrap();
    other
        .apply(
            format!("{}# more\n", cfg.text),
            earshot_api::ChangeTerms {
                base_hash: cfg.hash,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    match c.next_event().await.unwrap() {
        earshot_api::Event::Revision(r) => assert_eq!(r.number, 2),
        other => panic!("revision expected, got {other:?}"),
    }
    match c.next_event().await.unwrap() {
        earshot_api::Event::State(s) => assert_eq!(s.head_revision, Some(2)),
        other => panic!("state expected, got {other:?}"),
    }
    // Nothing changed since: the periodic push stays quiet.
    assert!(!fx.keeper.push_state_if_changed());
}
