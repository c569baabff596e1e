//! The socket side: admission, handshake, bounded frames, timeouts, dispatch.
//!
//! Each connection gets a reader (this task) and a writer task fed through a
//! channel, so pushed events never interrupt a half-read frame. Every read has
//! a deadline: the handshake must finish within `handshake_timeout`, a started
//! frame within `frame_timeout`, and an authenticated client may stay silent
//! for `idle_timeout`. Slow, broken or hostile peers therefore cost one task and
//! one permit for a bounded time, and never hold the mutation lock.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use earshot_api::auth::{InstallSecret, Nonce, NonceLedger, Transcript};
use earshot_api::frame::{decode, encode, read_body, read_len, write_message, FrameError};
use earshot_api::{
    ApiError, ClientFrame, ErrorCode, Outcome, Request, Response, ServerFrame, PROTOCOL_VERSION,
};
use tokio::io::AsyncWriteExt;
use tokio::net::unix::OwnedReadHalf;
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{mpsc, Semaphore};

use crate::keeper::{Caller, Keeper};
use crate::peer::PeerPolicy;
use crate::platform::AuditOp;

/// Bounds on what one connection may cost.
#[derive(Debug, Clone)]
pub struct Limits {
    pub max_connections: usize,
    pub handshake_timeout: Duration,
    pub frame_timeout: Duration,
    pub idle_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: 64,
            handshake_timeout: Duration::from_secs(5),
            frame_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(300),
        }
    }
}

/// Everything a connection needs.
pub struct Server {
    keeper: Arc<Keeper>,
    secret: InstallSecret,
    policy: PeerPolicy,
    limits: Limits,
    ledger: Mutex<NonceLedger>,
    permits: Arc<Semaphore>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("install_id", &self.secret.install_id)
            .field("policy", &self.policy)
            .field("limits", &self.limits)
            .finish()
    }
}

impl Server {
    pub fn new(
        keeper: Arc<Keeper>,
        secret: InstallSecret,
        policy: PeerPolicy,
        limits: Limits,
    ) -> Arc<Server> {
        Arc::new(Server {
            keeper,
            secret,
            policy,
            permits: Arc::new(Semaphore::new(limits.max_connections)),
            limits,
            ledger: Mutex::new(NonceLedger::new(1 << 16)),
        })
    }

    pub fn keeper(&self) -> &Arc<Keeper> {
        &self.keeper
    }

    /// Accept connections for as long as the task runs.
    pub async fn serve(self: Arc<Self>, listener: UnixListener) -> std::io::Result<()> {
        loop {
            let stream = match listener.accept().await {
                Ok((stream, _)) => stream,
                // Out of descriptors or a peer that vanished mid-accept: keep
                // serving the others rather than exit (launchd would restart
                // us, but every connected client would be dropped).
                Err(e) => {
                    eprintln!("earshot-helper: accept: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            let server = self.clone();
            match self.permits.clone().try_acquire_owned() {
                Ok(permit) => {
                    tokio::spawn(async move {
                        server.connection(stream).await;
                        drop(permit);
                    });
                }
                Err(_) => {
                    // Refuse without reading: a flood must not queue work.
                    tokio::spawn(async move {
                        let mut stream = stream;
                        let error = ApiError::new(ErrorCode::Busy, "too many connections; retry");
                        let _ = tokio::time::timeout(
                            server.limits.frame_timeout,
                            write_message(&mut stream, &ServerFrame::Error { error }),
                        )
                        .await;
                    });
                }
            }
        }
    }

    async fn connection(self: Arc<Self>, stream: UnixStream) {
        let cred = match stream.peer_cred() {
            Ok(c) => c,
            Err(_) => return,
        };
        let (uid, gid) = (cred.uid(), cred.gid());
        let (mut reader, mut writer) = stream.into_split();
        let (tx, mut rx) = mpsc::channel::<ServerFrame>(32);
        let frame_timeout = self.limits.frame_timeout;
        let writer_task = tokio::spawn(async move {
            while let Some(frame) = rx.recv().await {
                let Some(bytes) = encode_fitting(&frame) else {
                    break;
                };
                let sent = tokio::time::timeout(frame_timeout, async {
                    writer.write_all(&bytes).await?;
                    writer.flush().await
                })
                .await;
                if !matches!(sent, Ok(Ok(()))) {
                    break;
                }
            }
        });
        if !self.policy.admits(uid, gid) {
            let error = ApiError::new(
                ErrorCode::WrongUser,
                format!("uid {uid} is not allowed to use the Earshot helper"),
            );
            let _ = tx.send(ServerFrame::Error { error }).await;
        } else if let Err(error) = self.session(&mut reader, &tx, uid).await {
            let _ = tx.send(ServerFrame::Error { error }).await;
        }
        drop(tx);
        let _ = writer_task.await;
    }

    /// Read one frame: `wait` for its first byte, `frame_timeout` for the rest.
    async fn read_frame(
        &self,
        reader: &mut OwnedReadHalf,
        wait: Duration,
    ) -> Result<Option<ClientFrame>, ApiError> {
        let len = match tokio::time::timeout(wait, read_len(reader)).await {
            Err(_) => {
                return Err(ApiError::new(
                    ErrorCode::Timeout,
                    format!("no request for {} s; closing", wait.as_secs_f32()),
                ))
            }
            Ok(Err(FrameError::Closed)) => return Ok(None),
            Ok(Err(e)) => return Err(frame_error(e)),
            Ok(Ok(len)) => len,
        };
        let body =
            match tokio::time::timeout(self.limits.frame_timeout, read_body(reader, len)).await {
                Err(_) => {
                    return Err(ApiError::new(
                        ErrorCode::Timeout,
                        "frame not completed in time; closing",
                    ))
                }
                Ok(r) => r.map_err(frame_error)?,
            };
        decode(&body).map(Some).map_err(frame_error)
    }

    async fn session(
        &self,
        reader: &mut OwnedReadHalf,
        tx: &mpsc::Sender<ServerFrame>,
        uid: u32,
    ) -> Result<(), ApiError> {
        let deadline = tokio::time::Instant::now() + self.limits.handshake_timeout;
        let remaining = || deadline.saturating_duration_since(tokio::time::Instant::now());

        let (client_nonce, versions) = match self.read_frame(reader, remaining()).await? {
            Some(ClientFrame::Hello {
                versions,
                client_nonce,
                ..
            }) => (client_nonce, versions),
            Some(_) => return Err(unauthenticated("say hello first")),
            None => return Ok(()),
        };
        if !versions.contains(&PROTOCOL_VERSION) {
            return Err(ApiError::new(
                ErrorCode::UnsupportedVersion,
                format!("this helper speaks version {PROTOCOL_VERSION} only; client offered {versions:?}"),
            ));
        }
        let client_nonce = Nonce::from_hex(&client_nonce)
            .map_err(|e| ApiError::new(ErrorCode::Malformed, e.to_string()))?;
        let server_nonce = {
            let mut ledger = self.ledger.lock().unwrap_or_else(|e| e.into_inner());
            if !ledger.record(client_nonce) {
                return Err(ApiError::new(
                    ErrorCode::Replay,
                    "this client nonce was already used; refusing a replayed handshake",
                ));
            }
            // Our own nonces go in the same ledger, so neither side's nonce can
            // ever be accepted twice.
            loop {
                let n = Nonce::fresh()
                    .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?;
                if ledger.record(n) {
                    break n;
                }
            }
        };
        let transcript = Transcript {
            server_nonce,
            client_nonce,
            version: PROTOCOL_VERSION,
            peer_uid: uid,
        };
        send(
            tx,
            ServerFrame::Challenge {
                version: PROTOCOL_VERSION,
                server_nonce: server_nonce.to_hex(),
                install_id: self.secret.install_id.clone(),
                peer_uid: uid,
            },
        )
        .await?;
        let proof = match self.read_frame(reader, remaining()).await? {
            Some(ClientFrame::Authenticate { proof }) => proof,
            Some(_) => return Err(unauthenticated("authenticate before sending requests")),
            None => return Ok(()),
        };
        if !self.secret.secret.verify_client(&transcript, &proof) {
            return Err(unauthenticated(
                "the proof does not match this helper's secret (pair again?)",
            ));
        }
        send(
            tx,
            ServerFrame::Welcome {
                server_proof: self.secret.secret.server_proof(&transcript),
                helper: concat!("earshot-helper ", env!("CARGO_PKG_VERSION")).to_string(),
                simulated: self.keeper.simulated(),
            },
        )
        .await?;

        let caller = Caller {
            uid,
            user: crate::peer::user_name(uid),
        };
        let mut subscribed = false;
        loop {
            let frame = match self.read_frame(reader, self.limits.idle_timeout).await? {
                Some(frame) => frame,
                None => return Ok(()),
            };
            let (id, request) = match frame {
                ClientFrame::Request { id, request } => (id, request),
                _ => {
                    return Err(ApiError::new(
                        ErrorCode::Malformed,
                        "handshake frames are not valid after the handshake",
                    ))
                }
            };
            if matches!(request, Request::Subscribe) && !subscribed {
                subscribed = true;
                let mut events = self.keeper.subscribe();
                let push_tx = tx.clone();
                tokio::spawn(async move {
                    loop {
                        match events.recv().await {
                            Ok(event) => {
                                if push_tx.send(ServerFrame::Push { event }).await.is_err() {
                                    break;
                                }
                            }
                            // A slow subscriber misses intermediate states; the
                            // next push carries the current one.
                            Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                            Err(_) => break,
                        }
                    }
                });
            }
            let keeper = self.keeper.clone();
            let who = caller.clone();
            let result = tokio::task::spawn_blocking(move || dispatch(&keeper, request, &who))
                .await
                .unwrap_or_else(|e| {
                    Err(ApiError::new(
                        ErrorCode::Internal,
                        format!("request handler failed: {e}"),
                    ))
                });
            let just_subscribed = matches!(result, Ok(Response::Subscribed));
            let result = match result {
                Ok(r) => Outcome::Ok(r),
                Err(e) => Outcome::Error(e),
            };
            send(tx, ServerFrame::Response { id, result }).await?;
            if just_subscribed {
                // A new subscriber starts from the current state, not from the
                // next change.
                let keeper = self.keeper.clone();
                if let Ok(Ok(status)) = tokio::task::spawn_blocking(move || keeper.status()).await {
                    send(
                        tx,
                        ServerFrame::Push {
                            event: earshot_api::Event::State(status),
                        },
                    )
                    .await?;
                }
            }
        }
    }
}

/// The frame's bytes. An answer too large for one frame becomes an `internal`
/// refusal of that request, so the client gets a reason instead of a dropped
/// connection (the views bound their answers themselves; this is the last
/// line). `None` when the frame cannot be encoded at all.
fn encode_fitting(frame: &ServerFrame) -> Option<Vec<u8>> {
    match (encode(frame), frame) {
        (Ok(bytes), _) => Some(bytes),
        (Err(FrameError::TooLarge { len }), ServerFrame::Response { id, .. }) => {
            encode(&ServerFrame::Response {
                id: *id,
                result: Outcome::Error(ApiError::new(
                    ErrorCode::Internal,
                    format!(
                        "the answer takes {len} bytes, more than one frame carries ({}); ask for less",
                        earshot_api::MAX_FRAME_LEN
                    ),
                )),
            })
            .ok()
        }
        (Err(_), _) => None,
    }
}

fn unauthenticated(reason: &str) -> ApiError {
    ApiError::new(ErrorCode::Unauthenticated, reason)
}

fn frame_error(e: FrameError) -> ApiError {
    e.to_api_error()
        .unwrap_or_else(|| ApiError::new(ErrorCode::Io, e.to_string()))
}

async fn send(tx: &mpsc::Sender<ServerFrame>, frame: ServerFrame) -> Result<(), ApiError> {
    tx.send(frame)
        .await
        .map_err(|_| ApiError::new(ErrorCode::Io, "connection closed"))
}

/// Run one request (blocking: file I/O and `audit`).
pub fn dispatch(keeper: &Keeper, request: Request, who: &Caller) -> Result<Response, ApiError> {
    Ok(match request {
        Request::Status => Response::Status(keeper.status_detailed()?),
        Request::Subscribe => Response::Subscribed,
        Request::TrailStats => Response::TrailStats(keeper.trail_stats()?),
        Request::ReadConfig => Response::Config(keeper.read_config()?),
        Request::Plan { text } => Response::Plan(keeper.plan(&text)?),
        Request::Apply { text, terms } => Response::Applied(keeper.apply(&text, &terms, who)?),
        Request::Rollback { revision, terms } => {
            Response::Applied(keeper.rollback(revision, &terms, who)?)
        }
        Request::History { limit } => Response::History(keeper.history(limit)?),
        Request::Confirm { revision } => Response::Confirmed {
            revision: keeper.confirm(revision)?,
        },
        Request::Rotate => {
            keeper.audit(AuditOp::Rotate)?;
            Response::Rotated
        }
        Request::Expire => {
            keeper.audit(AuditOp::Expire)?;
            Response::Expired
        }
        Request::EnableAuditing => Response::AuditingEnabled(keeper.enable_auditing(who)?),
        Request::Measure {
            flags,
            naflags,
            duration_secs,
        } => Response::Measured(keeper.measure(&flags, &naflags, duration_secs)?),
        Request::RecordStep { revision, record } => Response::StepRecorded {
            revision: keeper.record_step(revision, &record)?,
        },
        Request::AppliedSteps { limit } => Response::AppliedSteps {
            steps: keeper.applied_steps(limit)?,
        },
        // Read-only views; like every request they run here on a blocking
        // thread, outside the change lock, so status and pushes keep flowing.
        Request::RateSeries { window } => Response::RateSeries {
            series: keeper.machine()?.rate_series(&window)?,
        },
        Request::ForecastView {} => Response::ForecastView {
            view: keeper.machine()?.forecast_view()?,
        },
        Request::TrailPage { query } => Response::TrailPage(keeper.machine()?.trail_page(&query)?),
        Request::Compliance { baseline } => Response::Compliance {
            report: keeper.machine()?.compliance(&baseline)?,
        },
        Request::NextStep { target } => Response::NextStep(keeper.machine()?.next_step(&target)?),
    })
}
