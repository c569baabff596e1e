//! `earshot-helper`: the privileged daemon.
//!
//! On macOS it runs as root (launchd, registered with `SMAppService.daemon`),
//! guards `/etc/security/audit_control` and listens on
//! `/var/run/earshot/helper.sock`. On Linux, `earshot-helper --root DIR` serves
//! the simulated Mac in DIR as the invoking user.
#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::Parser;
use earshot_api::auth::InstallSecret;
use earshot_api::paths;
use earshot_helper::fault::Faults;
use earshot_helper::keeper::Keeper;
use earshot_helper::peer::{gid_of, PeerPolicy};
use earshot_helper::server::{Limits, Server};
use tokio::net::UnixListener;

#[derive(Parser, Debug)]
#[command(
    name = "earshot-helper",
    version,
    about = "Earshot's privileged helper"
)]
struct Args {
    /// Serve the simulated Mac in this folder (Linux demo, tests), as the
    /// current user. Without it the helper guards the real Mac and must be root.
    #[arg(long)]
    root: Option<PathBuf>,
    /// Also admit this uid (the console user the app runs as). Repeatable.
    #[arg(long = "user")]
    users: Vec<u32>,
    /// Admit members of this group (default on macOS: admin).
    #[arg(long)]
    admin_group: Option<String>,
    /// Close authenticated connections silent for this long.
    #[arg(long, default_value_t = 300)]
    idle_timeout_secs: u64,
    /// Authenticated connections at once (beyond it the longest-idle one of
    /// the uid holding the most is closed).
    #[arg(long, alias = "max-connections", default_value_t = Limits::default().max_authenticated)]
    max_clients: usize,
    /// Authenticated connections of one uid at once.
    #[arg(long, default_value_t = Limits::default().max_per_uid)]
    max_per_uid: usize,
    /// Connections still in the handshake at once (beyond it the oldest is
    /// closed to make room).
    #[arg(long, default_value_t = Limits::default().max_unauthenticated)]
    max_handshakes: usize,
    /// Export the trails as OCSF events for log shippers (docs/ocsf.md), unless
    /// a configuration profile sets EventExportEnabled to false.
    #[arg(long)]
    export: bool,
    /// The event spool folder, a macOS path (default /var/log/earshot/events;
    /// a profile's EventExportPath wins).
    #[arg(long, value_name = "DIR")]
    export_dir: Option<String>,
    /// The spool's size cap in MiB (default 512; a profile's EventExportMaxMB wins).
    #[arg(long, value_name = "MB")]
    export_max_mb: Option<u32>,
}

/// Where things live for this run.
struct Layout {
    socket: PathBuf,
    state: PathBuf,
    socket_mode: u32,
    policy: PeerPolicy,
}

fn my_uid() -> u32 {
    nix::unistd::getuid().as_raw()
}

fn layout(args: &Args) -> Result<Layout> {
    let admin_gid = match &args.admin_group {
        Some(name) => Some(gid_of(name).with_context(|| format!("no group named {name}"))?),
        None if args.root.is_none() => gid_of("admin"),
        None => None,
    };
    match &args.root {
        Some(root) => {
            let root = std::fs::canonicalize(root)
                .with_context(|| format!("simulated Mac folder {}", root.display()))?;
            let mut users = args.users.clone();
            users.push(my_uid());
            Ok(Layout {
                socket: paths::socket(Some(&root)),
                state: paths::state(Some(&root)),
                // Only the user serving the simulated Mac needs the socket.
                socket_mode: 0o600,
                policy: PeerPolicy {
                    allow_root: true,
                    users,
                    admin_gid,
                },
            })
        }
        None => {
            if !cfg!(target_os = "macos") {
                bail!("on this system run `earshot-helper --root DIR` to serve a simulated Mac");
            }
            if my_uid() != 0 {
                bail!("the helper guards /etc/security/audit_control and must run as root");
            }
            Ok(Layout {
                socket: paths::socket(None),
                state: paths::state(None),
                // Any local process may knock; admission is by peer credentials
                // and the install secret, checked on every connection.
                socket_mode: 0o666,
                policy: PeerPolicy {
                    allow_root: true,
                    users: args.users.clone(),
                    admin_gid,
                },
            })
        }
    }
}

fn bind(socket: &Path, mode: u32) -> Result<UnixListener> {
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};
    let dir = socket.parent().context("socket path has no folder")?;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755))
        .with_context(|| format!("securing {}", dir.display()))?;
    match std::fs::symlink_metadata(socket) {
        // A socket left by a previous run; anything else is not ours to remove.
        Ok(m) if m.file_type().is_socket() => {
            if std::os::unix::net::UnixStream::connect(socket).is_ok() {
                bail!(
                    "another helper is already listening on {}",
                    socket.display()
                );
            }
            std::fs::remove_file(socket)
                .with_context(|| format!("removing stale {}", socket.display()))?
        }
        Ok(_) => bail!("{} exists and is not a socket", socket.display()),
        Err(_) => {}
    }
    let listener =
        UnixListener::bind(socket).with_context(|| format!("binding {}", socket.display()))?;
    std::fs::set_permissions(socket, std::fs::Permissions::from_mode(mode))
        .with_context(|| format!("setting the mode of {}", socket.display()))?;
    Ok(listener)
}

/// Revert overdue changes and pick up outside edits, on a steady beat and
/// whenever the file's folder changes.
fn spawn_watchers(keeper: Arc<Keeper>, control: PathBuf) -> Result<notify::RecommendedWatcher> {
    use notify::Watcher;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<()>(1);
    let name = control.file_name().map(|n| n.to_os_string());
    let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        if let Ok(event) = res {
            if event
                .paths
                .iter()
                .any(|p| p.file_name().map(|n| n.to_os_string()) == name)
            {
                // A full channel already means "check soon".
                let _ = tx.try_send(());
            }
        }
    })
    .context("starting the file watcher")?;
    let dir = control.parent().context("audit_control has no folder")?;
    watcher
        .watch(dir, notify::RecursiveMode::NonRecursive)
        .with_context(|| format!("watching {}", dir.display()))?;
    tokio::spawn(async move {
        let mut beat = tokio::time::interval(Duration::from_secs(1));
        let mut beats: u64 = 0;
        loop {
            tokio::select! {
                _ = beat.tick() => beats += 1,
                Some(()) = rx.recv() => {
                    // Let a non-atomic writer (truncate, then write) finish, so
                    // the half-written moment is not recorded as a revision.
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    while rx.try_recv().is_ok() {}
                }
            }
            if beats % 10 == 0 {
                earshot_system::process::give_back_freed_memory();
            }
            let k = keeper.clone();
            // Status is the expensive part (it reads trails): every 5 s is
            // plenty for a tray icon, and only when someone subscribed.
            let push = beats % 5 == 0;
            let _ = tokio::task::spawn_blocking(move || {
                if let Err(e) = k.check_drift() {
                    eprintln!("earshot-helper: drift check: {e}");
                }
                if let Err(e) = k.snapshot_tick() {
                    eprintln!("earshot-helper: the status snapshot: {e}");
                }
                match k.soak_tick() {
                    Ok(true) => {
                        k.push_state_if_changed();
                    }
                    Ok(false) => {}
                    Err(e) => eprintln!("earshot-helper: measuring the soaking step: {e}"),
                }
                if push {
                    k.push_state_if_changed();
                }
                if let Some(Err(e)) = k.retry_owed_flags() {
                    eprintln!("earshot-helper: restoring audit_control's flags: {e}");
                }
                match k.revert_if_due() {
                    Ok(Some(r)) => eprintln!(
                        "earshot-helper: reverted unconfirmed change (now revision {})",
                        r.revision
                    ),
                    Ok(None) => {}
                    Err(e) => eprintln!("earshot-helper: auto-revert: {e}"),
                }
            })
            .await;
        }
    });
    Ok(watcher)
}

/// Let the process hold every connection the limits allow, plus files: a
/// launchd daemon starts with a soft limit of 256 descriptors.
fn raise_descriptor_limit(needed: usize) {
    use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
    let want = (needed as u64 + 256).max(1024);
    let now = getrlimit(Resource::Nofile);
    if now.current.is_some_and(|c| c >= want) {
        return;
    }
    // macOS refuses more than OPEN_MAX (10240) however high the hard limit.
    let target = now.maximum.map_or(want, |max| max.min(want)).min(10240);
    let _ = setrlimit(
        Resource::Nofile,
        Rlimit {
            current: Some(target),
            maximum: now.maximum,
        },
    );
}

fn main() -> Result<()> {
    earshot_system::process::bound_malloc_arenas();
    let args = Args::parse();
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        // Every request runs on a blocking thread (file I/O, `audit`); bound
        // them so a burst of clients queues instead of growing the process.
        // Trials block one thread for up to an hour, hence not fewer.
        .max_blocking_threads(16)
        .thread_keep_alive(Duration::from_secs(10))
        .enable_all()
        .build()
        .context("starting the runtime")?
        .block_on(serve(args))
}

async fn serve(args: Args) -> Result<()> {
    let layout = layout(&args)?;
    earshot_helper::fsutil::create_private_dir(&layout.state)
        .with_context(|| format!("state folder {}", layout.state.display()))?;
    let secret = InstallSecret::load_or_create(&layout.state.join("secret"))
        .context("loading the install secret")?;
    let (platform, sim_host) =
        earshot_helper::runtime::platform(args.root.as_deref(), &layout.state)?;
    let sim_host = sim_host.map(Arc::new);
    if let Some(host) = &sim_host {
        // The hosted simulated auditd writes records as simulated time passes.
        let host = host.clone();
        tokio::spawn(async move {
            let mut beat = tokio::time::interval(Duration::from_secs(1));
            loop {
                beat.tick().await;
                let h = host.clone();
                if let Ok(Err(e)) = tokio::task::spawn_blocking(move || h.tick()).await {
                    eprintln!("earshot-helper: simulated auditd: {e}");
                }
            }
        });
    }
    let control = platform.control_path();
    let keeper = Keeper::open(
        platform,
        earshot_helper::runtime::assessor(),
        &layout.state,
        Faults::from_env(),
    )
    .map_err(|e| anyhow::anyhow!("{e}"))
    .context("opening the helper state")?;
    let keeper = Arc::new(keeper);
    let limits = Limits {
        max_authenticated: args.max_clients,
        max_per_uid: args.max_per_uid,
        max_unauthenticated: args.max_handshakes,
        idle_timeout: Duration::from_secs(args.idle_timeout_secs),
        ..Limits::default()
    };
    raise_descriptor_limit(limits.max_descriptors());
    let listener = bind(&layout.socket, layout.socket_mode)?;
    let _watcher = spawn_watchers(keeper.clone(), control)?;
    {
        // The export runs on a thread of its own (it blocks on file I/O and
        // fsync); it idles until enabled by --export or a profile.
        let k = keeper.clone();
        let export = earshot_helper::export::ExportArgs {
            enabled: args.export,
            dir: args.export_dir.clone(),
            max_mb: args.export_max_mb,
        };
        std::thread::Builder::new()
            .name("export".into())
            .spawn(move || earshot_helper::export::run(k, export))
            .context("starting the event export")?;
    }
    let server = Server::new(keeper, secret, layout.policy, limits);
    eprintln!("earshot-helper: listening on {}", layout.socket.display());
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("installing the SIGTERM handler")?;
    tokio::select! {
        r = server.serve(listener) => r.context("accepting connections")?,
        _ = term.recv() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    let _ = std::fs::remove_file(&layout.socket);
    if let Some(host) = sim_host {
        host.stop();
    }
    Ok(())
}
