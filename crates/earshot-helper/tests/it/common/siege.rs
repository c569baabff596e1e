//! Hostile peers of each kind, for the hardening tests and the siege bench:
//! they hold (or churn) connections against a helper's socket — from a
//! process of their own ([`AttackerProcess`]), as a hostile program would.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use earshot_api::auth::{InstallSecret, Nonce};
use earshot_api::frame::encode;
use earshot_api::{Client, ClientFrame, PROTOCOL_VERSION};
use tokio::io::AsyncWriteExt;
use tokio::net::UnixStream;

/// What a hostile peer does once connected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attack {
    /// Connects and says nothing.
    Silent,
    /// Announces a frame and sends its bytes one at a time, slowly.
    Trickle,
    /// Sends a valid hello and never authenticates.
    Greeted,
    /// Authenticates (it has the secret: a compromised app) and idles.
    IdleAuthenticated,
    /// Subscribes, reads the first push, closes; again and again.
    SubscribeAndClose,
}

impl Attack {
    fn from_name(name: &str) -> Option<Attack> {
        Attack::ALL.into_iter().find(|a| a.name() == name)
    }

    pub const ALL: [Attack; 5] = [
        Attack::Silent,
        Attack::Trickle,
        Attack::Greeted,
        Attack::IdleAuthenticated,
        Attack::SubscribeAndClose,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Attack::Silent => "silent sockets",
            Attack::Trickle => "trickling frames",
            Attack::Greeted => "hello, no proof",
            Attack::IdleAuthenticated => "idle authenticated",
            Attack::SubscribeAndClose => "subscribe and close",
        }
    }
}

pub struct Target {
    pub socket: PathBuf,
    pub secret: InstallSecret,
}

impl Target {
    pub fn simulated(root: &Path) -> Target {
        Target {
            socket: root.join("run/earshot/helper.sock"),
            secret: InstallSecret::read(&root.join("var/db/earshot/secret")).unwrap(),
        }
    }

    pub async fn client(&self) -> Result<Client, earshot_api::ClientError> {
        let stream = UnixStream::connect(&self.socket).await.map_err(|source| {
            earshot_api::ClientError::Connect {
                path: self.socket.display().to_string(),
                source,
            }
        })?;
        let secret = self.secret.secret.clone();
        Client::handshake(stream, move |_| Ok(secret)).await
    }
}

fn hello() -> Vec<u8> {
    encode(&ClientFrame::Hello {
        versions: vec![PROTOCOL_VERSION],
        client_nonce: Nonce::fresh().unwrap().to_hex(),
        client: "siege".into(),
    })
    .unwrap()
}

/// One hostile peer; returns what it holds open (dropped = closed).
pub async fn peer(target: &Target, attack: Attack) -> Option<Held> {
    match attack {
        Attack::Silent => UnixStream::connect(&target.socket)
            .await
            .ok()
            .map(Held::Raw),
        Attack::Trickle => {
            let mut s = UnixStream::connect(&target.socket).await.ok()?;
            let bytes = hello();
            // The length and one byte of the body; the rest "later".
            s.write_all(&bytes[..5]).await.ok()?;
            Some(Held::Raw(s))
        }
        Attack::Greeted => {
            let mut s = UnixStream::connect(&target.socket).await.ok()?;
            s.write_all(&hello()).await.ok()?;
            Some(Held::Raw(s))
        }
        Attack::IdleAuthenticated => target.client().await.ok().map(Held::Client),
        Attack::SubscribeAndClose => {
            let mut c = target.client().await.ok()?;
            c.subscribe().await.ok()?;
            let _ = tokio::time::timeout(Duration::from_secs(5), c.next_event()).await;
            None
        }
    }
}

pub enum Held {
    Raw(UnixStream),
    Client(Client),
}

/// Hold `n` peers of one kind (closing-kinds just repeat `n` times).
pub async fn hold(target: &Target, attack: Attack, n: usize) -> Vec<Held> {
    let mut held = Vec::new();
    for _ in 0..n {
        if let Some(h) = peer(target, attack).await {
            held.push(h);
        }
    }
    held
}

/// Keep replacing `n` peers of one kind until `stop` is set: each round
/// closes the oldest and opens a new one.
pub fn churn(
    target: std::sync::Arc<Target>,
    attack: Attack,
    n: usize,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> tokio::task::JoinHandle<usize> {
    tokio::spawn(async move {
        let mut held = std::collections::VecDeque::new();
        let mut opened = 0;
        while !stop.load(std::sync::atomic::Ordering::Relaxed) {
            if held.len() >= n {
                held.pop_front();
            }
            if let Some(h) = peer(&target, attack).await {
                held.push_back(h);
            }
            opened += 1;
            if opened % 16 == 0 {
                tokio::task::yield_now().await;
            }
        }
        opened
    })
}

/// A legitimate client's time to `status` (connect, handshake, request), as
/// the app and the CLI connect: knocking again while the helper says `busy`.
pub async fn time_to_status(target: &Target) -> Result<Duration, String> {
    let started = std::time::Instant::now();
    let secret = target.secret.secret.clone();
    let mut c = Client::connect_with(&target.socket, move |_| Ok(secret.clone()))
        .await
        .map_err(|e| e.to_string())?;
    c.status().await.map_err(|e| e.to_string())?;
    Ok(started.elapsed())
}

/// The environment variable that turns a re-executed test (or bench) binary
/// into a hostile process: `held|churned`, the attack's name, the count and
/// the simulated Mac's root, separated by `;`.
pub const ATTACKER_ENV: &str = "EARSHOT_SIEGE_ATTACKER";

/// Hostile peers run by another process. An attacker is another program,
/// and the helper shares its handshake pool out per process, so hostile
/// peers in the test's own process would be indistinguishable from the
/// legitimate client there. Killed on drop.
pub struct AttackerProcess {
    child: std::process::Child,
}

impl AttackerProcess {
    /// Re-executes this binary with `args` (for a test binary: the name of
    /// the test that calls [`run_attacker_from_env`], `--exact`) and waits
    /// until the attacker holds its peers (or churns its first round).
    pub fn spawn(args: &[&str], root: &Path, attack: Attack, n: usize, churn: bool) -> Self {
        use std::io::BufRead;
        let mode = if churn { "churned" } else { "held" };
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .args(args)
            .env(
                ATTACKER_ENV,
                format!("{mode};{};{n};{}", attack.name(), root.display()),
            )
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let ready = std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .any(|l| l.contains("attacker ready"));
        assert!(ready, "the attacker process never got ready");
        AttackerProcess { child }
    }
}

impl Drop for AttackerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// In a process started by [`AttackerProcess::spawn`]: attack until killed.
/// Returns `false` at once when this process is not an attacker.
pub async fn run_attacker_from_env() -> bool {
    let Ok(spec) = std::env::var(ATTACKER_ENV) else {
        return false;
    };
    let parts: Vec<&str> = spec.splitn(4, ';').collect();
    let [mode, name, n, root] = parts[..] else {
        panic!("bad {ATTACKER_ENV}: {spec}");
    };
    let attack = Attack::from_name(name).expect("a known attack");
    let n: usize = n.parse().expect("a count");
    let target = std::sync::Arc::new(Target::simulated(Path::new(root)));
    if mode == "held" {
        let _held = hold(&target, attack, n).await;
        println!("attacker ready");
        std::future::pending::<()>().await;
    } else {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let task = churn(target.clone(), attack, n, stop);
        tokio::time::sleep(Duration::from_millis(200)).await;
        println!("attacker ready");
        let _ = task.await;
    }
    true
}
