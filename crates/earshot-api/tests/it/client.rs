//! The client's side of the handshake against hand-written helpers.

use earshot_api::auth::{Nonce, Secret, Transcript};
use earshot_api::frame::{read_message, write_message};
use earshot_api::{Client, ClientError, ClientFrame, ErrorCode, ServerFrame};
use tokio::net::UnixStream;

/// A helper that runs the handshake with `helper_secret` and answers status.
async fn helper(mut s: UnixStream, helper_secret: Secret) {
    let ClientFrame::Hello { client_nonce, .. } = read_message(&mut s).await.unwrap() else {
        panic!("hello expected")
    };
    let t = Transcript {
        server_nonce: Nonce::fresh().unwrap(),
        client_nonce: Nonce::from_hex(&client_nonce).unwrap(),
        version: 1,
        peer_uid: 501,
    };
    let challenge = ServerFrame::Challenge {
        version: 1,
        server_nonce: t.server_nonce.to_hex(),
        install_id: "00aa".into(),
        peer_uid: 501,
    };
    write_message(&mut s, &challenge).await.unwrap();
    let Ok(ClientFrame::Authenticate { .. }) = read_message(&mut s).await else {
        return;
    };
    let welcome = ServerFrame::Welcome {
        server_proof: helper_secret.server_proof(&t),
        helper: "impostor".into(),
        simulated: true,
    };
    let _ = write_message(&mut s, &welcome).await;
}

#[tokio::test]
async fn a_helper_that_cannot_prove_the_secret_is_not_trusted() {
    let (client_end, helper_end) = UnixStream::pair().unwrap();
    tokio::spawn(helper(helper_end, Secret::from_bytes([2; 32])));
    let err = Client::handshake(client_end, |_| Ok(Secret::from_bytes([1; 32])))
        .await
        .unwrap_err();
    assert!(matches!(err, ClientError::HelperNotAuthentic), "{err}");
}

#[tokio::test]
async fn the_genuine_helper_is_accepted_and_its_install_id_selects_the_secret() {
    let (client_end, helper_end) = UnixStream::pair().unwrap();
    tokio::spawn(helper(helper_end, Secret::from_bytes([1; 32])));
    let client = Client::handshake(client_end, |install_id| {
        assert_eq!(install_id, "00aa");
        Ok(Secret::from_bytes([1; 32]))
    })
    .await
    .unwrap();
    assert_eq!(client.session().peer_uid, 501);
}

#[tokio::test]
async fn a_refusal_during_the_handshake_carries_its_code() {
    let (client_end, mut helper_end) = UnixStream::pair().unwrap();
    tokio::spawn(async move {
        let _: ClientFrame = read_message(&mut helper_end).await.unwrap();
        let error = earshot_api::ApiError::new(ErrorCode::WrongUser, "uid 502 is not allowed");
        write_message(&mut helper_end, &ServerFrame::Error { error })
            .await
            .unwrap();
    });
    let err = Client::handshake(client_end, |_| unreachable!("no secret needed"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::WrongUser));
}
