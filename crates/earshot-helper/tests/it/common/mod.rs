//! Shared fixture: a helper serving a folder-backed Mac on a socket in a temp dir.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;

use earshot_api::auth::{InstallSecret, Secret};
use earshot_api::{Change, Client, ClientError, Diagnostic, Risk};
use earshot_helper::fault::Faults;
use earshot_helper::folder::FolderPlatform;
use earshot_helper::keeper::Keeper;
use earshot_helper::peer::PeerPolicy;
use earshot_helper::platform::{Assessment, Assessor};
use earshot_helper::server::{Limits, Server};
use tokio::net::{UnixListener, UnixStream};

pub const ORIGINAL: &str = "dir:/var/audit\nflags:lo,aa\nminfree:5\nnaflags:lo,aa\npolicy:cnt,argv\nfilesz:2M\nexpire-after:10M\nsuperuser-set-sflags-mask:has_authenticated,has_console_access\n";

/// A deliberately small stand-in for the audit_control grammar: a line
/// `bogus` is an error; `ahlt` appearing is the `add-ahlt` risk; `cnt`
/// disappearing is `drop-cnt`. The real grammar is tested in audit-control.
#[derive(Debug, Default)]
pub struct LineAssessor;

impl Assessor for LineAssessor {
    fn assess(&self, old: &[u8], new: &[u8]) -> Assessment {
        let old = String::from_utf8_lossy(old);
        let new = String::from_utf8_lossy(new);
        let mut a = Assessment::default();
        for (i, line) in new.lines().enumerate() {
            if line.trim() == "bogus" {
                a.diagnostics.push(Diagnostic {
                    line: i as u32 + 1,
                    column: 1,
                    severity: earshot_api::DiagnosticSeverity::Error,
                    code: "unknown-key".into(),
                    message: "unknown key".into(),
                    hint: String::new(),
                });
            }
        }
        if new.contains("ahlt") && !old.contains("ahlt") {
            a.risks.push(Risk {
                id: "add-ahlt".into(),
                message: "halts the Mac when a trail cannot be written".into(),
            });
        }
        if old.contains("cnt") && !new.contains("cnt") {
            a.risks.push(Risk {
                id: "drop-cnt".into(),
                message: "processes block when the audit volume is full".into(),
            });
        }
        let olds: Vec<_> = old.lines().collect();
        for line in new.lines().filter(|l| !olds.contains(l)) {
            a.changes.push(Change {
                key: line.split(':').next().unwrap_or("").to_string(),
                old: None,
                new: Some(line.to_string()),
                summary: format!("adds {line}"),
            });
        }
        a
    }
}

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub socket: PathBuf,
    pub secret: InstallSecret,
    pub keeper: Arc<Keeper>,
    pub platform: Arc<FolderPlatform>,
    pub clock: Arc<AtomicU64>,
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
}

pub fn mac_folder(root: &Path, text: &str) {
    std::fs::create_dir_all(root.join("etc/security")).unwrap();
    std::fs::write(root.join("etc/security/audit_control"), text).unwrap();
}

/// A simulated Mac (auditing on, a day of trails) as `earshot sim init` makes it.
pub fn simulated_mac(root: &Path) {
    use earshot_sim::{init, AuditingSetup, InitOptions};
    init(
        root,
        &InitOptions {
            macos_version: "15.1".into(),
            days: 0.05,
            profile: "laptop".into(),
            seed: 7,
            auditing: AuditingSetup::On,
            now: std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_800_000_000),
            audit_control: None,
        },
    )
    .expect("simulated Mac");
}

pub fn my_uid() -> u32 {
    nix::unistd::getuid().as_raw()
}

pub fn default_policy() -> PeerPolicy {
    PeerPolicy {
        allow_root: true,
        users: vec![my_uid()],
        admin_gid: None,
    }
}

pub fn open_keeper(root: &Path, clock: Arc<AtomicU64>) -> (Arc<Keeper>, Arc<FolderPlatform>) {
    let platform = Arc::new(FolderPlatform::new(root).with_clock(clock));
    let keeper = Keeper::open(
        platform.clone(),
        Arc::new(LineAssessor),
        &root.join("var/db/earshot"),
        Faults::default(),
    )
    .expect("keeper opens")
    // In-process tests check drift by hand, right after each edit; the
    // settling of outside edits has its own test against a real helper.
    .with_settle(earshot_helper::keeper::Settle {
        quiet: Duration::ZERO,
        max: Duration::ZERO,
    });
    (Arc::new(keeper), platform)
}

pub async fn start(policy: PeerPolicy, limits: Limits) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    mac_folder(&root, ORIGINAL);
    let clock = Arc::new(AtomicU64::new(1_800_000_000));
    let (keeper, platform) = open_keeper(&root, clock.clone());
    let secret = InstallSecret::generate().unwrap();
    let socket = root.join("helper.sock");
    let listener = UnixListener::bind(&socket).unwrap();
    let server = Server::new(keeper.clone(), secret.clone(), policy, limits);
    let task = tokio::spawn(server.serve(listener));
    Fixture {
        dir,
        socket,
        secret,
        keeper,
        platform,
        clock,
        task,
    }
}

pub async fn start_default() -> Fixture {
    start(default_policy(), Limits::default()).await
}

pub fn long_limits() -> Limits {
    Limits {
        handshake_timeout: Duration::from_secs(120),
        frame_timeout: Duration::from_secs(120),
        idle_timeout: Duration::from_secs(120),
        // Stress tests run fifty clients of one uid; the per-uid cap has
        // its own tests (and the hostile ones run with the defaults).
        max_per_uid: 64,
        ..Limits::default()
    }
}

impl Fixture {
    pub async fn client_with(&self, secret: Secret) -> Result<Client, ClientError> {
        let stream = UnixStream::connect(&self.socket).await.unwrap();
        Client::handshake(stream, move |_| Ok(secret)).await
    }

    pub async fn client(&self) -> Client {
        self.client_with(self.secret.secret.clone())
            .await
            .expect("authenticates")
    }

    pub fn control_bytes(&self) -> Vec<u8> {
        std::fs::read(self.dir.path().join("etc/security/audit_control")).unwrap()
    }
}

/// The real `earshot-helper` binary serving `root`; killed when dropped.
pub struct Daemon {
    pub child: Child,
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the daemon on the simulated Mac `root` and returns it with a client
/// that completed the handshake with the install's secret.
pub async fn start_daemon(root: &Path) -> (Daemon, Client) {
    let child = Command::new(env!("CARGO_BIN_EXE_earshot-helper"))
        .arg("--root")
        .arg(root)
        .stdin(Stdio::null())
        // Not the test's own stdout: a helper left behind by a failed test
        // would hold the pipe of whoever reads the test output.
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut daemon = Daemon { child };
    let socket = root.join("run/earshot/helper.sock");
    for _ in 0..4000 {
        assert!(daemon.child.try_wait().unwrap().is_none(), "helper exited");
        if let Ok(stream) = UnixStream::connect(&socket).await {
            let secret = InstallSecret::read(&root.join("var/db/earshot/secret")).unwrap();
            let client = Client::handshake(stream, move |_| Ok(secret.secret))
                .await
                .unwrap();
            return (daemon, client);
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("helper never listened");
}
