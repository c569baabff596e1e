//! The client side: connect, prove, ask.
//!
//! [`Client`] is async (tokio) for the app; [`BlockingClient`] wraps it with a
//! private single-threaded runtime for the CLI.

use std::collections::VecDeque;
use std::path::Path;

use tokio::net::UnixStream;

use crate::auth::{Nonce, Secret, Transcript};
use crate::error::{ApiError, ErrorCode};
use crate::frame::{read_message, write_message, FrameError};
use crate::keystore::{KeyStore, KeyStoreError};
use crate::message::*;
use crate::PROTOCOL_VERSION;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("cannot reach the helper at {path}: {source}")]
    Connect {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("helper connection: {0}")]
    Frame(#[from] FrameError),
    #[error("the helper refused: {0}")]
    Api(#[from] ApiError),
    #[error("no secret for helper install {install_id} in the keyring (pair this user with the helper first)")]
    NoSecret { install_id: String },
    #[error(transparent)]
    KeyStore(#[from] KeyStoreError),
    #[error("the helper failed to prove it holds the install secret; not trusting it")]
    HelperNotAuthentic,
    #[error("the helper broke the protocol: {0}")]
    Protocol(String),
    #[error("cannot start the client runtime: {0}")]
    Runtime(std::io::Error),
}

impl ClientError {
    /// The helper's error code, when the helper refused.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            ClientError::Api(e) => Some(e.code),
            _ => None,
        }
    }
}

/// What the handshake established.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub version: u32,
    pub install_id: String,
    pub helper: String,
    pub simulated: bool,
    pub peer_uid: u32,
}

/// An authenticated connection to the helper.
#[derive(Debug)]
pub struct Client {
    stream: UnixStream,
    next_id: u64,
    events: VecDeque<Event>,
    session: Session,
}

/// How long [`Client::connect_with`] keeps knocking while the helper is busy.
pub const BUSY_RETRY: std::time::Duration = std::time::Duration::from_secs(2);

impl Client {
    /// Connect to the socket at `path` and authenticate with the secret the
    /// keyring holds for the helper's install id.
    pub async fn connect(path: &Path, keys: &KeyStore) -> Result<Client, ClientError> {
        Client::connect_with(path, |install_id| {
            keys.load(install_id)?.ok_or_else(|| ClientError::NoSecret {
                install_id: install_id.to_string(),
            })
        })
        .await
    }

    /// Connect and authenticate, retrying for up to [`BUSY_RETRY`] while the
    /// helper answers `busy`: under a flood of connections it closes the
    /// oldest handshakes to make room, and a client caught by that simply
    /// knocks again.
    pub async fn connect_with(
        path: &Path,
        secret_for: impl Fn(&str) -> Result<Secret, ClientError>,
    ) -> Result<Client, ClientError> {
        let started = std::time::Instant::now();
        let mut pause = std::time::Duration::from_millis(5);
        loop {
            let stream = match UnixStream::connect(path).await {
                Ok(stream) => stream,
                // A full listen queue: Linux answers a non-blocking connect to a
                // Unix socket with EAGAIN (macOS with ECONNREFUSED, which cannot
                // be told from "no helper" and is not retried). The helper is
                // busy accepting a flood; knock again like on `busy`.
                Err(e)
                    if e.kind() == std::io::ErrorKind::WouldBlock
                        && started.elapsed() < BUSY_RETRY =>
                {
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(std::time::Duration::from_millis(100));
                    continue;
                }
                Err(source) => {
                    return Err(ClientError::Connect {
                        path: path.display().to_string(),
                        source,
                    })
                }
            };
            match Client::handshake(stream, &secret_for).await {
                // `busy`, or the connection closed mid-handshake (evicted
                // before the refusal could be read): knock again.
                Err(ClientError::Api(e))
                    if e.code == crate::ErrorCode::Busy && started.elapsed() < BUSY_RETRY =>
                {
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(std::time::Duration::from_millis(100));
                }
                Err(ClientError::Frame(_)) if started.elapsed() < BUSY_RETRY => {
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(std::time::Duration::from_millis(100));
                }
                other => return other,
            }
        }
    }

    /// Connect to the helper serving `root` (a simulated Mac) or the real Mac.
    /// For a simulated Mac whose secret file this user can read (the user runs
    /// that helper), a missing keyring entry is filled from the file first —
    /// the same pairing `earshot pair` does. The CLI and the app both use this.
    pub async fn connect_paired(
        root: Option<&Path>,
        keys: &KeyStore,
    ) -> Result<Client, ClientError> {
        let socket = crate::paths::socket(root);
        match Client::connect(&socket, keys).await {
            Err(ClientError::NoSecret { .. }) if root.is_some() => {
                keys.import(&crate::paths::secret(root))?;
                Client::connect(&socket, keys).await
            }
            other => other,
        }
    }

    /// Authenticate over an open stream; `secret_for` maps the helper's install
    /// id to the secret.
    pub async fn handshake(
        mut stream: UnixStream,
        secret_for: impl FnOnce(&str) -> Result<Secret, ClientError>,
    ) -> Result<Client, ClientError> {
        let client_nonce = Nonce::fresh().map_err(|e| ClientError::Protocol(e.to_string()))?;
        write_message(
            &mut stream,
            &ClientFrame::Hello {
                versions: vec![PROTOCOL_VERSION],
                client_nonce: client_nonce.to_hex(),
                client: concat!("earshot-api ", env!("CARGO_PKG_VERSION")).to_string(),
            },
        )
        .await?;
        let (version, server_nonce, install_id, peer_uid) = match read_message(&mut stream).await? {
            ServerFrame::Challenge {
                version,
                server_nonce,
                install_id,
                peer_uid,
            } => (version, server_nonce, install_id, peer_uid),
            ServerFrame::Error { error } => return Err(error.into()),
            other => return Err(unexpected("challenge", &other)),
        };
        if version != PROTOCOL_VERSION {
            return Err(ClientError::Protocol(format!(
                "helper chose version {version}, which this client never offered"
            )));
        }
        let server_nonce =
            Nonce::from_hex(&server_nonce).map_err(|e| ClientError::Protocol(e.to_string()))?;
        let secret = secret_for(&install_id)?;
        let transcript = Transcript {
            server_nonce,
            client_nonce,
            version,
            peer_uid,
        };
        write_message(
            &mut stream,
            &ClientFrame::Authenticate {
                proof: secret.client_proof(&transcript),
            },
        )
        .await?;
        match read_message(&mut stream).await? {
            ServerFrame::Welcome {
                server_proof,
                helper,
                simulated,
            } => {
                if !secret.verify_server(&transcript, &server_proof) {
                    return Err(ClientError::HelperNotAuthentic);
                }
                Ok(Client {
                    stream,
                    next_id: 1,
                    events: VecDeque::new(),
                    session: Session {
                        version,
                        install_id,
                        helper,
                        simulated,
                        peer_uid,
                    },
                })
            }
            ServerFrame::Error { error } => Err(error.into()),
            other => Err(unexpected("welcome", &other)),
        }
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    /// Send one request and wait for its answer. Events that arrive meanwhile
    /// are kept for [`Client::next_event`].
    pub async fn call(&mut self, request: Request) -> Result<Response, ClientError> {
        let id = self.next_id;
        self.next_id += 1;
        write_message(&mut self.stream, &ClientFrame::Request { id, request }).await?;
        loop {
            match read_message(&mut self.stream).await? {
                ServerFrame::Response { id: got, result } if got == id => {
                    return match result {
                        Outcome::Ok(response) => Ok(response),
                        Outcome::Error(error) => Err(error.into()),
                    };
                }
                ServerFrame::Push { event } => self.events.push_back(event),
                ServerFrame::Error { error } => return Err(error.into()),
                other => return Err(unexpected("response", &other)),
            }
        }
    }

    /// The next pushed event (after `subscribe`).
    pub async fn next_event(&mut self) -> Result<Event, ClientError> {
        if let Some(event) = self.events.pop_front() {
            return Ok(event);
        }
        match read_message(&mut self.stream).await? {
            ServerFrame::Push { event } => Ok(event),
            ServerFrame::Error { error } => Err(error.into()),
            other => Err(unexpected("push", &other)),
        }
    }
}

fn unexpected(wanted: &str, got: &ServerFrame) -> ClientError {
    ClientError::Protocol(format!("expected a {wanted} frame, got {got:?}"))
}

/// A synchronous client for the CLI: the async [`Client`] driven by a private
/// current-thread runtime.
#[derive(Debug)]
pub struct BlockingClient {
    runtime: tokio::runtime::Runtime,
    inner: Client,
}

impl BlockingClient {
    pub fn connect(path: &Path, keys: &KeyStore) -> Result<BlockingClient, ClientError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(ClientError::Runtime)?;
        let inner = runtime.block_on(Client::connect(path, keys))?;
        Ok(BlockingClient { runtime, inner })
    }

    /// [`Client::connect_paired`], blocking.
    pub fn connect_paired(
        root: Option<&Path>,
        keys: &KeyStore,
    ) -> Result<BlockingClient, ClientError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(ClientError::Runtime)?;
        let inner = runtime.block_on(Client::connect_paired(root, keys))?;
        Ok(BlockingClient { runtime, inner })
    }

    pub fn session(&self) -> &Session {
        self.inner.session()
    }

    pub fn call(&mut self, request: Request) -> Result<Response, ClientError> {
        self.runtime.block_on(self.inner.call(request))
    }

    /// The runtime and the client, borrowed apart (for the typed verbs).
    pub(crate) fn parts(&mut self) -> (&tokio::runtime::Runtime, &mut Client) {
        (&self.runtime, &mut self.inner)
    }

    /// Run any async operation of the inner client, e.g.
    /// `client.run(|c| Box::pin(c.status()))`.
    pub fn run<T>(
        &mut self,
        f: impl for<'a> FnOnce(
            &'a mut Client,
        ) -> std::pin::Pin<
            Box<dyn std::future::Future<Output = Result<T, ClientError>> + 'a>,
        >,
    ) -> Result<T, ClientError> {
        self.runtime.block_on(f(&mut self.inner))
    }
}
