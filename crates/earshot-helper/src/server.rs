//! The socket side: admission, handshake, bounded frames, timeouts, dispatch.
//!
//! Each connection gets a reader (this task) and a writer task fed through a
//! channel, so pushed events never interrupt a half-read frame. Every read has
//! a deadline: the whole handshake must finish within `handshake_timeout` of
//! the accept (however slowly its bytes trickle in), a frame once started
//! within `frame_timeout`, and an authenticated client may stay silent for
//! `idle_timeout`.
//!
//! Slots are planned so that no one allowed to connect can lock the others
//! out (see [`Slots`]): peers that have not authenticated share a pool of
//! their own, and when it is full the oldest of them (of the process holding
//! the most) is closed with `busy` to make room, so a new client always gets
//! its handshake; authenticated clients have a total and a per-uid cap, and when
//! one is reached the longest-idle connection of the uid holding the most is
//! closed instead. A connection in the middle of a request is never evicted.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use earshot_api::auth::{InstallSecret, Nonce, NonceLedger, Transcript};
use earshot_api::frame::{decode, encode, read_body, read_len, FrameError};
use earshot_api::{
    ApiError, ClientFrame, ErrorCode, Outcome, Request, Response, ServerFrame, PROTOCOL_VERSION,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::unix::OwnedReadHalf;
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{mpsc, Notify};
use tokio::time::Instant;

use crate::keeper::{Caller, Keeper};
use crate::peer::PeerPolicy;
use crate::platform::AuditOp;

/// Bounds on what connections may cost.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Connections that have not finished the handshake, all uids together.
    pub max_unauthenticated: usize,
    /// Authenticated connections, all uids together.
    pub max_authenticated: usize,
    /// Authenticated connections of one uid (the app needs two or three;
    /// the CLI one per command).
    pub max_per_uid: usize,
    pub handshake_timeout: Duration,
    pub frame_timeout: Duration,
    pub idle_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_unauthenticated: 128,
            max_authenticated: 64,
            max_per_uid: 32,
            handshake_timeout: Duration::from_secs(5),
            frame_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(300),
        }
    }
}

impl Limits {
    /// The most descriptors connections can hold at once (for RLIMIT_NOFILE).
    pub fn max_descriptors(&self) -> usize {
        self.max_unauthenticated + self.max_authenticated
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    /// Accepted; no complete hello yet.
    Opened,
    /// A valid hello arrived; waiting for the proof.
    Greeted,
    Authenticated,
}

#[derive(Debug)]
struct Slot {
    uid: u32,
    /// The connecting process (`SO_PEERCRED` / `LOCAL_PEERPID`), when the
    /// kernel says: the handshake pool is shared out per process, because an
    /// attacker and the legitimate app usually run as the same user.
    pid: Option<i32>,
    stage: Stage,
    since: Instant,
    last_active: Instant,
    /// A request is being answered: never evicted then.
    busy: bool,
    evict: Arc<Notify>,
}

/// Who holds a connection slot, and whom to close when a pool is full.
#[derive(Debug, Default)]
struct Slots {
    next: u64,
    held: HashMap<u64, Slot>,
}

impl Slots {
    fn count(&self, authenticated: bool, uid: Option<u32>) -> usize {
        self.held
            .values()
            .filter(|s| (s.stage == Stage::Authenticated) == authenticated)
            .filter(|s| uid.is_none_or(|u| s.uid == u))
            .count()
    }

    /// The uid holding the most authenticated slots.
    fn greediest_uid(&self) -> Option<u32> {
        let mut per: HashMap<u32, usize> = HashMap::new();
        for s in self.held.values() {
            if s.stage == Stage::Authenticated {
                *per.entry(s.uid).or_default() += 1;
            }
        }
        per.into_iter()
            .max_by_key(|&(uid, n)| (n, uid))
            .map(|(u, _)| u)
    }

    /// The process (uid and pid) holding the most handshake slots.
    fn greediest_process(&self) -> Option<(u32, Option<i32>)> {
        let mut per: HashMap<(u32, Option<i32>), usize> = HashMap::new();
        for s in self.held.values() {
            if s.stage != Stage::Authenticated {
                *per.entry((s.uid, s.pid)).or_default() += 1;
            }
        }
        per.into_iter()
            .max_by_key(|&(who, n)| (n, who))
            .map(|(who, _)| who)
    }

    fn evict(&mut self, id: u64) {
        if let Some(slot) = self.held.remove(&id) {
            // Stored as a permit when the connection is not waiting yet.
            slot.evict.notify_one();
        }
    }

    /// A new connection: it always gets a slot; when the unauthenticated
    /// pool is full, the oldest of the process holding the most (peers that
    /// have not even said hello first) makes room. Grouping by process, not
    /// only by uid, keeps a flood from one program (the same user as the app)
    /// from closing the app's handshake: the flooder's own peers go first.
    fn open(&mut self, uid: u32, pid: Option<i32>, limits: &Limits) -> (u64, Arc<Notify>) {
        if self.count(false, None) >= limits.max_unauthenticated.max(1) {
            let who = self.greediest_process();
            let victim = self
                .held
                .iter()
                .filter(|(_, s)| s.stage != Stage::Authenticated && Some((s.uid, s.pid)) == who)
                .min_by_key(|(_, s)| (s.stage, s.since))
                .map(|(&id, _)| id);
            if let Some(id) = victim {
                self.evict(id);
            }
        }
        let id = self.next;
        self.next += 1;
        let now = Instant::now();
        let evict = Arc::new(Notify::new());
        self.held.insert(
            id,
            Slot {
                uid,
                pid,
                stage: Stage::Opened,
                since: now,
                last_active: now,
                busy: false,
                evict: evict.clone(),
            },
        );
        (id, evict)
    }

    fn greeted(&mut self, id: u64) {
        if let Some(s) = self.held.get_mut(&id) {
            s.stage = Stage::Greeted;
        }
    }

    /// Move to the authenticated pool, closing the longest-idle connection
    /// of this uid (at its cap) or of the uid holding the most (at the
    /// total) to make room. `Err` when everyone is mid-request.
    fn authenticate(&mut self, id: u64, limits: &Limits) -> Result<(), ApiError> {
        let Some(uid) = self.held.get(&id).map(|s| s.uid) else {
            return Err(evicted_error());
        };
        let crowded = if self.count(true, Some(uid)) >= limits.max_per_uid.max(1) {
            Some(uid)
        } else if self.count(true, None) >= limits.max_authenticated.max(1) {
            self.greediest_uid()
        } else {
            None
        };
        if let Some(crowded) = crowded {
            let victim = self
                .held
                .iter()
                .filter(|(_, s)| s.stage == Stage::Authenticated && s.uid == crowded && !s.busy)
                .min_by_key(|(_, s)| s.last_active)
                .map(|(&id, _)| id);
            match victim {
                Some(v) => self.evict(v),
                None => {
                    return Err(ApiError::new(
                        ErrorCode::Busy,
                        "every connection is answering a request; retry in a moment",
                    ))
                }
            }
        }
        if let Some(s) = self.held.get_mut(&id) {
            s.stage = Stage::Authenticated;
            s.last_active = Instant::now();
        }
        Ok(())
    }

    fn set_busy(&mut self, id: u64, busy: bool) {
        if let Some(s) = self.held.get_mut(&id) {
            s.busy = busy;
            s.last_active = Instant::now();
        }
    }

    fn close(&mut self, id: u64) {
        self.held.remove(&id);
    }
}

fn evicted_error() -> ApiError {
    ApiError::new(
        ErrorCode::Busy,
        "closed to make room for other clients (the helper keeps the newest handshakes and the most recently active clients); reconnect",
    )
}

/// Aborts the task when dropped: a subscription's push task holds a sender
/// of the connection's writer, so it must end with the session, or the
/// writer (and the slot) would live until some push failed.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Everything a connection needs.
pub struct Server {
    keeper: Arc<Keeper>,
    secret: InstallSecret,
    policy: PeerPolicy,
    limits: Limits,
    ledger: Mutex<NonceLedger>,
    slots: Mutex<Slots>,
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

/// Where a connection is in its life, for the reads' deadlines.
#[derive(Clone, Copy)]
enum Phase {
    /// Everything must arrive before this instant (from the accept).
    Handshake(Instant),
    /// Authenticated: the first byte within `idle_timeout`, the rest of that
    /// frame within `frame_timeout`.
    Session,
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
            limits,
            ledger: Mutex::new(NonceLedger::new(1 << 16)),
            slots: Mutex::new(Slots::default()),
        })
    }

    pub fn keeper(&self) -> &Arc<Keeper> {
        &self.keeper
    }

    fn slots(&self) -> std::sync::MutexGuard<'_, Slots> {
        self.slots.lock().unwrap_or_else(|e| e.into_inner())
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
            let accepted = Instant::now();
            let Ok(cred) = stream.peer_cred() else {
                continue;
            };
            let (uid, gid) = (cred.uid(), cred.gid());
            if !self.policy.admits(uid, gid) {
                // Refused at the door: no slot, no task, no read. One small
                // frame fits any socket buffer; a peer that does not read it
                // loses nothing it was owed.
                let error = ApiError::new(
                    ErrorCode::WrongUser,
                    format!("uid {uid} is not allowed to use the Earshot helper"),
                );
                if let Ok(bytes) = encode(&ServerFrame::Error { error }) {
                    let _ = stream.try_write(&bytes);
                }
                continue;
            }
            let (id, evict) = self.slots().open(uid, cred.pid(), &self.limits);
            let server = self.clone();
            tokio::spawn(async move {
                server.connection(stream, id, uid, evict, accepted).await;
                server.slots().close(id);
            });
            // Let the new connection read what it was sent before the next
            // accept: under a flood the listener always has a connection
            // ready, and without this the loop would accept a whole
            // scheduling budget (128) of them — evicting a legitimate
            // newcomer before its hello was ever looked at.
            tokio::task::yield_now().await;
        }
    }

    async fn connection(
        self: &Arc<Self>,
        stream: UnixStream,
        id: u64,
        uid: u32,
        evict: Arc<Notify>,
        accepted: Instant,
    ) {
        let (mut reader, mut writer) = stream.into_split();
        let (tx, mut rx) = mpsc::channel::<ServerFrame>(32);
        let frame_timeout = self.limits.frame_timeout;
        let mut writer_task = tokio::spawn(async move {
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
        let conn = Conn {
            id,
            uid,
            evict,
            deadline: accepted + self.limits.handshake_timeout,
        };
        if let Err(error) = self.session(&mut reader, &tx, &conn).await {
            let _ =
                tokio::time::timeout(frame_timeout, tx.send(ServerFrame::Error { error })).await;
        }
        // The session (and any push task) is gone; the writer ends once what
        // is queued is written, and never later than one frame's deadline.
        drop(tx);
        if tokio::time::timeout(frame_timeout, &mut writer_task)
            .await
            .is_err()
        {
            writer_task.abort();
        }
    }

    /// Read one frame within the phase's deadlines, or give up the slot when
    /// evicted.
    async fn read_frame(
        &self,
        reader: &mut OwnedReadHalf,
        phase: Phase,
        evict: &Notify,
    ) -> Result<Option<ClientFrame>, ApiError> {
        tokio::select! {
            biased;
            () = evict.notified() => Err(evicted_error()),
            r = self.read_frame_timed(reader, phase) => r,
        }
    }

    async fn read_frame_timed(
        &self,
        reader: &mut OwnedReadHalf,
        phase: Phase,
    ) -> Result<Option<ClientFrame>, ApiError> {
        let first_by = match phase {
            Phase::Handshake(deadline) => deadline,
            Phase::Session => Instant::now() + self.limits.idle_timeout,
        };
        let mut prefix = [0u8; 4];
        let n = match tokio::time::timeout_at(first_by, reader.read(&mut prefix[..1])).await {
            Err(_) => {
                return Err(ApiError::new(
                    ErrorCode::Timeout,
                    match phase {
                        Phase::Handshake(_) => format!(
                            "handshake not completed within {} s of connecting; closing",
                            self.limits.handshake_timeout.as_secs_f32()
                        ),
                        Phase::Session => format!(
                            "no request for {} s; closing",
                            self.limits.idle_timeout.as_secs_f32()
                        ),
                    },
                ))
            }
            Ok(Err(e)) => return Err(ApiError::new(ErrorCode::Io, e.to_string())),
            Ok(Ok(n)) => n,
        };
        if n == 0 {
            return Ok(None);
        }
        let rest_by = match phase {
            Phase::Handshake(deadline) => deadline,
            Phase::Session => Instant::now() + self.limits.frame_timeout,
        };
        let rest = async {
            reader
                .read_exact(&mut prefix[1..])
                .await
                .map_err(|_| FrameError::Truncated {
                    expected: 4,
                    got: 1,
                })?;
            // The same checks as any frame: zero and oversized lengths.
            let len = read_len(&mut &prefix[..]).await?;
            read_body(reader, len).await
        };
        let body = match tokio::time::timeout_at(rest_by, rest).await {
            Err(_) => {
                return Err(ApiError::new(
                    ErrorCode::Timeout,
                    match phase {
                        Phase::Handshake(_) => format!(
                            "handshake not completed within {} s of connecting; closing",
                            self.limits.handshake_timeout.as_secs_f32()
                        ),
                        Phase::Session => format!(
                            "frame not completed within {} s; closing",
                            self.limits.frame_timeout.as_secs_f32()
                        ),
                    },
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
        conn: &Conn,
    ) -> Result<(), ApiError> {
        let uid = conn.uid;
        let handshake = Phase::Handshake(conn.deadline);
        let (client_nonce, versions) = match self.read_frame(reader, handshake, &conn.evict).await?
        {
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
                format!(
                    "this helper speaks version {PROTOCOL_VERSION} only; client offered {}",
                    earshot_api::quote(&format!("{versions:?}"))
                ),
            ));
        }
        let client_nonce = Nonce::from_hex(&client_nonce).map_err(|e| {
            ApiError::new(
                ErrorCode::Malformed,
                format!("client nonce {}: {e}", earshot_api::quote(&client_nonce)),
            )
        })?;
        self.slots().greeted(conn.id);
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
        let proof = match self.read_frame(reader, handshake, &conn.evict).await? {
            Some(ClientFrame::Authenticate { proof }) => proof,
            Some(_) => return Err(unauthenticated("authenticate before sending requests")),
            None => return Ok(()),
        };
        if !self.secret.secret.verify_client(&transcript, &proof) {
            return Err(unauthenticated(
                "the proof does not match this helper's secret (pair again?)",
            ));
        }
        self.slots().authenticate(conn.id, &self.limits)?;
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
        // Ends (aborted) with the session, whichever way it ends.
        let mut push: Option<AbortOnDrop> = None;
        loop {
            let frame = match self.read_frame(reader, Phase::Session, &conn.evict).await? {
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
            if matches!(request, Request::Subscribe) && push.is_none() {
                let mut events = self.keeper.subscribe();
                let push_tx = tx.clone();
                push = Some(AbortOnDrop(tokio::spawn(async move {
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
                })));
            }
            let keeper = self.keeper.clone();
            let who = caller.clone();
            self.slots().set_busy(conn.id, true);
            let result = tokio::task::spawn_blocking(move || dispatch(&keeper, request, &who))
                .await
                .unwrap_or_else(|e| {
                    Err(ApiError::new(
                        ErrorCode::Internal,
                        format!("request handler failed: {e}"),
                    ))
                });
            self.slots().set_busy(conn.id, false);
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

/// One connection's identity in [`Slots`] and its handshake deadline.
struct Conn {
    id: u64,
    uid: u32,
    evict: Arc<Notify>,
    deadline: Instant,
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
        Request::History { limit, before } => {
            Response::History(keeper.history_page(limit, before)?)
        }
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
        Request::NextStep { target } => {
            Response::NextStep(Box::new(keeper.machine()?.next_step(&target)?))
        }
        Request::ApplyStep {
            step,
            acks,
            confirm_within_secs,
            soak_days,
            skip_soak,
        } => Response::StepApplied(Box::new(keeper.apply_step(
            &step,
            &acks,
            confirm_within_secs,
            soak_days,
            skip_soak,
            who,
        )?)),
        Request::ReviewStep {} => Response::StepReview(Box::new(keeper.review_step()?)),
        Request::SoakSeries {} => Response::SoakSeries(keeper.soak_series()?),
    })
}
