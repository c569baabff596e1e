//! What the app was asked to look at and show when it starts.
//!
//! Command line first, then environment, then the platform default: on macOS the real
//! system root, elsewhere the simulated Mac that `scripts/run` prepares.
//!
//! One app per root: a second launch for the same root (a script, a keyboard launcher,
//! the command line) hands what it was asked to show to the running app over a local
//! socket and exits ([`claim`]). On macOS, Finder, Spotlight and `open -a` do not start
//! a second process at all: they send the running app a "reopen" event (main.rs).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::Parser;
use serde::{Deserialize, Serialize};

/// Command line of `earshot-app`.
#[derive(Debug, Parser)]
#[command(name = "earshot-app", version, about = "Earshot menu-bar app")]
struct Cli {
    /// Root of the Mac to look at: the app reads ROOT/etc/security/audit_control.
    /// Defaults to $EARSHOT_ROOT, then `/` on macOS, then the simulated Mac of
    /// `scripts/run` (${XDG_STATE_HOME:-~/.local/state}/earshot/sim) elsewhere.
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,

    /// Open the dashboard window at start (also EARSHOT_OPEN=dashboard). A menu-bar app
    /// normally starts with only its tray item; the demo and the end-to-end test ask for
    /// the window so there is something to look at and drive.
    #[arg(long)]
    show_dashboard: bool,

    /// Open the popover at start, at the top right of the screen (also
    /// EARSHOT_OPEN=popover; EARSHOT_OPEN takes a comma-separated list).
    #[arg(long)]
    show_popover: bool,

    /// Open these windows at start, in order (popover, dashboard, wizard, history,
    /// preferences); repeatable or comma-separated. EARSHOT_OPEN takes the same list.
    /// The end-to-end test uses it to land on the screen it drives.
    #[arg(long, value_name = "WINDOW", value_delimiter = ',')]
    open: Vec<String>,

    /// Show the popover if it is hidden, hide it if it is shown — what a click on the
    /// menu-bar item does. Meant for a second launch while Earshot runs (a keyboard
    /// launcher, a script): the running app does it and this process exits at once.
    #[arg(long, value_name = "WINDOW", value_parser = ["popover"])]
    toggle: Option<String>,

    /// Seconds a hidden popover is kept before its webview is destroyed (its WebKit
    /// processes hold ~260 MiB); the next click then makes it anew (~220 ms instead
    /// of ~15 ms). 0 keeps it for good.
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_POPOVER_GRACE_SECS)]
    popover_grace: u64,
}

/// A user who looks again within five minutes gets the warm popover; one who glanced
/// once gets the memory back.
pub const DEFAULT_POPOVER_GRACE_SECS: u64 = 300;

/// Windows that may be opened at start.
pub const WINDOWS: [&str; 5] = ["popover", "dashboard", "wizard", "history", "preferences"];

/// The resolved start-up settings, kept in Tauri's managed state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Launch {
    pub root: PathBuf,
    pub show_dashboard: bool,
    pub show_popover: bool,
    /// Every window to open at start, in order (includes the two above).
    pub open: Vec<&'static str>,
    /// `--toggle popover`.
    pub toggle_popover: bool,
    /// How long a hidden popover is kept (`None`: for good).
    pub popover_grace: Option<std::time::Duration>,
}

/// The environment variables that matter to [`Launch`], read once so parsing stays pure.
#[derive(Debug, Default, Clone)]
pub struct LaunchEnv {
    pub earshot_root: Option<OsString>,
    pub earshot_open: Option<OsString>,
    /// Read only off macOS, for the simulated Mac's default root.
    #[cfg_attr(
        target_os = "macos",
        expect(dead_code, reason = "only the non-macOS default_root reads it")
    )]
    pub xdg_state_home: Option<OsString>,
    pub xdg_runtime_dir: Option<OsString>,
    #[cfg_attr(
        target_os = "macos",
        expect(dead_code, reason = "only the non-macOS default_root reads it")
    )]
    pub home: Option<OsString>,
    /// The per-user temporary folder (`$TMPDIR`; on macOS a private folder per user).
    pub temp_dir: PathBuf,
}

impl LaunchEnv {
    pub fn from_process() -> Self {
        Self {
            earshot_root: std::env::var_os("EARSHOT_ROOT"),
            earshot_open: std::env::var_os("EARSHOT_OPEN"),
            xdg_state_home: std::env::var_os("XDG_STATE_HOME"),
            xdg_runtime_dir: std::env::var_os("XDG_RUNTIME_DIR"),
            home: std::env::var_os("HOME"),
            temp_dir: std::env::temp_dir(),
        }
    }
}

impl Launch {
    /// Parses the command line (exits with clap's usage message on bad arguments, as any
    /// command-line program does) and resolves defaults from `env`.
    pub fn from_args<I, T>(args: I, env: &LaunchEnv) -> Self
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        let cli = Cli::parse_from(args);
        let root = cli
            .root
            .or_else(|| non_empty(&env.earshot_root).map(PathBuf::from))
            .unwrap_or_else(|| default_root(env));
        let opens = |window: &str| {
            env.earshot_open.as_deref().is_some_and(|v| {
                v.to_string_lossy()
                    .split(',')
                    .any(|w| w.trim().eq_ignore_ascii_case(window))
            })
        };
        let show_dashboard = cli.show_dashboard || opens("dashboard");
        let show_popover = cli.show_popover || opens("popover");
        let mut open: Vec<&'static str> = Vec::new();
        let mut add = |w: &str| {
            if let Some(known) = WINDOWS.iter().find(|k| k.eq_ignore_ascii_case(w.trim())) {
                if !open.contains(known) {
                    open.push(known);
                }
            } else if !w.trim().is_empty() {
                eprintln!(
                    "earshot-app: no window {w:?} to open (one of {})",
                    WINDOWS.join(", ")
                );
            }
        };
        for w in &cli.open {
            add(w);
        }
        if let Some(v) = env.earshot_open.as_deref() {
            for w in v.to_string_lossy().split(',') {
                add(w);
            }
        }
        if show_dashboard {
            add("dashboard");
        }
        if show_popover {
            add("popover");
        }
        Self {
            root,
            show_dashboard: open.contains(&"dashboard"),
            show_popover: open.contains(&"popover"),
            open,
            toggle_popover: cli.toggle.is_some(),
            popover_grace: (cli.popover_grace > 0)
                .then(|| std::time::Duration::from_secs(cli.popover_grace)),
        }
    }
}

impl Launch {
    /// The simulated Mac to read and whose helper to talk to; `None` for this Mac
    /// (root `/`).
    pub fn sys_root(&self) -> Option<PathBuf> {
        (self.root != Path::new("/")).then(|| self.root.clone())
    }

    /// What this launch asks of an app already running for the same root.
    pub fn request(&self) -> Request {
        Request {
            open: self.open.iter().map(|w| (*w).to_string()).collect(),
            toggle_popover: self.toggle_popover,
        }
    }
}

/// What a later launch asks the running app to show: one JSON line on the socket.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Request {
    /// Windows to show, in order (`--open`, `--show-*`, `EARSHOT_OPEN`).
    pub open: Vec<String>,
    /// `--toggle popover`: what a click on the menu-bar item does.
    pub toggle_popover: bool,
}

impl Request {
    /// Launched again with nothing asked (the command line, a launcher): the person
    /// wants to see Earshot, perhaps because the menu-bar item is hidden (behind the
    /// notch, or by a menu-bar manager). Show the popover.
    pub fn is_plain(&self) -> bool {
        self.open.is_empty() && !self.toggle_popover
    }
}

/// Where the app for `root` takes later launches' requests: a socket in the user's
/// runtime folder (`$XDG_RUNTIME_DIR`; else the per-user temporary folder, which is
/// private on macOS), named by a hash of the root so that apps looking at different
/// simulated Macs (tests, demos) never take each other's requests. The hash is
/// FNV-1a: stable across builds, unlike std's hasher. Short enough for the 104-byte
/// limit of socket paths on macOS.
pub fn socket_path(root: &Path, env: &LaunchEnv) -> PathBuf {
    let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in root.as_os_str().as_encoded_bytes() {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    let dir = non_empty(&env.xdg_runtime_dir)
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .unwrap_or_else(|| env.temp_dir.clone());
    // A folder of its own, made private in `claim`: the runtime folder is private
    // already, but a shared /tmp (no XDG_RUNTIME_DIR) is not.
    dir.join("earshot-app").join(format!("{hash:016x}.sock"))
}

/// The outcome of [`claim`].
pub enum Claim {
    /// This process is the app for its root: it serves later launches.
    #[cfg(unix)]
    First(instance::Listener),
    /// An app for this root already runs and has the request: this process exits.
    Forwarded,
    /// Cannot listen (or cannot tell): run on without taking requests, and say why.
    Alone(String),
}

/// Becomes the app for the socket's root, or hands `request` to the one that is.
#[cfg(unix)]
pub fn claim(socket: &Path, request: &Request) -> Claim {
    instance::claim(socket, request)
}

#[cfg(not(unix))]
pub fn claim(_socket: &Path, _request: &Request) -> Claim {
    Claim::Alone("later launches are not forwarded on this platform".into())
}

#[cfg(unix)]
pub mod instance {
    //! The socket between the running app and later launches. Blocking std I/O on
    //! one thread that sleeps in `accept`: it costs nothing while nobody launches.

    use std::io::{self, BufRead, BufReader, Read, Write};
    use std::os::unix::fs::DirBuilderExt;
    use std::os::unix::net::{UnixListener, UnixStream};
    use std::path::{Path, PathBuf};
    use std::time::Duration;

    use super::{Claim, Request};

    /// A later launch that connects but never finishes its line must not keep the
    /// next one waiting for long.
    const IO_TIMEOUT: Duration = Duration::from_secs(2);
    /// Larger requests are not ours.
    const MAX_REQUEST: u64 = 64 * 1024;

    /// The bound socket of the running app.
    pub struct Listener {
        listener: UnixListener,
        path: PathBuf,
    }

    impl Listener {
        pub fn path(&self) -> &Path {
            &self.path
        }

        /// Answers later launches on a thread of its own, handing each request to
        /// `handle`; a malformed request is refused and logged, never fatal.
        pub fn serve(self, handle: impl Fn(Request) + Send + 'static) -> io::Result<()> {
            std::thread::Builder::new()
                .name("earshot-instance".into())
                .spawn(move || {
                    for stream in self.listener.incoming() {
                        match stream {
                            Ok(stream) => answer(stream, &handle),
                            Err(err) => eprintln!("earshot-app: later launch: {err}"),
                        }
                    }
                })
                .map(drop)
        }
    }

    fn answer(stream: UnixStream, handle: &impl Fn(Request)) {
        let reply = match read_request(&stream) {
            Ok(request) => {
                handle(request);
                "ok\n".to_string()
            }
            Err(err) => {
                eprintln!("earshot-app: ignored a request from a later launch: {err}");
                format!("error: {err}\n")
            }
        };
        // The launch may have given up waiting; nothing to do about it.
        let _ = (&stream).write_all(reply.as_bytes());
    }

    fn read_request(stream: &UnixStream) -> io::Result<Request> {
        stream.set_read_timeout(Some(IO_TIMEOUT))?;
        stream.set_write_timeout(Some(IO_TIMEOUT))?;
        let mut line = String::new();
        BufReader::new(stream.take(MAX_REQUEST)).read_line(&mut line)?;
        serde_json::from_str(line.trim_end()).map_err(io::Error::other)
    }

    /// Sends `request` to the app listening on `socket` and waits for its "ok".
    pub fn forward(socket: &Path, request: &Request) -> io::Result<()> {
        let mut stream = UnixStream::connect(socket)?;
        stream.set_read_timeout(Some(IO_TIMEOUT))?;
        stream.set_write_timeout(Some(IO_TIMEOUT))?;
        let mut line = serde_json::to_string(request).map_err(io::Error::other)?;
        line.push('\n');
        stream.write_all(line.as_bytes())?;
        let mut reply = String::new();
        BufReader::new(stream.take(MAX_REQUEST)).read_line(&mut reply)?;
        match reply.trim_end() {
            "ok" => Ok(()),
            "" => Err(io::Error::other("the running app closed the connection")),
            other => Err(io::Error::other(other.to_string())),
        }
    }

    /// Makes `dir` (mode 0700) or checks it is still private: anyone who can reach the
    /// socket can open Earshot's windows, and anyone who could put a socket there
    /// could take a later launch's request and keep the app from starting.
    fn private_folder(dir: &Path) -> Result<(), String> {
        use std::os::unix::fs::PermissionsExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|err| format!("cannot create {}: {err}", dir.display()))?;
        let meta = std::fs::symlink_metadata(dir)
            .map_err(|err| format!("cannot read {}: {err}", dir.display()))?;
        if !meta.is_dir() || meta.permissions().mode() & 0o077 != 0 {
            return Err(format!(
                "{} is not a folder only this user can use",
                dir.display()
            ));
        }
        Ok(())
    }

    pub(super) fn claim(socket: &Path, request: &Request) -> Claim {
        if let Some(dir) = socket.parent() {
            if let Err(why) = private_folder(dir) {
                return Claim::Alone(why);
            }
        }
        let bind = || {
            UnixListener::bind(socket).map(|listener| {
                Claim::First(Listener {
                    listener,
                    path: socket.to_path_buf(),
                })
            })
        };
        // Binding first (not connecting first) leaves no gap in which two launches
        // starting together could both decide they are the first.
        match bind() {
            Ok(first) => return first,
            Err(err) if err.kind() == io::ErrorKind::AddrInUse => {}
            Err(err) => {
                return Claim::Alone(format!("cannot listen on {}: {err}", socket.display()))
            }
        }
        match forward(socket, request) {
            Ok(()) => Claim::Forwarded,
            Err(err)
                if matches!(
                    err.kind(),
                    io::ErrorKind::ConnectionRefused | io::ErrorKind::NotFound
                ) =>
            {
                // Left behind by an app that did not exit cleanly (killed, crashed).
                let _ = std::fs::remove_file(socket);
                bind().unwrap_or_else(|err| {
                    Claim::Alone(format!("cannot listen on {}: {err}", socket.display()))
                })
            }
            Err(err) => Claim::Alone(format!(
                "an Earshot app for this root seems to run but did not answer ({err}); \
                 starting another"
            )),
        }
    }
}

fn non_empty(value: &Option<OsString>) -> Option<&OsString> {
    value.as_ref().filter(|v| !v.is_empty())
}

#[cfg(target_os = "macos")]
fn default_root(_env: &LaunchEnv) -> PathBuf {
    PathBuf::from("/")
}

/// Off macOS there is no real audit_control to read: default to the simulated Mac that
/// `scripts/run` creates, following the XDG base-directory rules for state.
#[cfg(not(target_os = "macos"))]
fn default_root(env: &LaunchEnv) -> PathBuf {
    let state = non_empty(&env.xdg_state_home)
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| non_empty(&env.home).map(|h| Path::new(h).join(".local/state")))
        .unwrap_or_else(|| PathBuf::from(".local/state"));
    state.join("earshot").join("sim")
}

/// Where the audit_control of a root lives. Pure path glue: reading and judging the file
/// belong to the `audit-control` crate.
pub fn audit_control_path(root: &Path) -> PathBuf {
    root.join("etc").join("security").join("audit_control")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> LaunchEnv {
        LaunchEnv {
            home: Some("/home/ada".into()),
            ..LaunchEnv::default()
        }
    }

    #[test]
    fn toggle_and_open_travel_in_the_request() {
        let l = Launch::from_args(["earshot-app", "--toggle", "popover"], &env());
        assert!(l.toggle_popover);
        assert_eq!(
            l.request(),
            Request {
                open: vec![],
                toggle_popover: true
            }
        );
        assert!(!l.request().is_plain());
        let l = Launch::from_args(["earshot-app", "--open", "history,dashboard"], &env());
        assert_eq!(l.request().open, ["history", "dashboard"]);
        assert!(Launch::from_args(["earshot-app"], &env())
            .request()
            .is_plain());
        // Only the popover toggles; a window is opened, not toggled.
        assert!(Cli::try_parse_from(["earshot-app", "--toggle", "dashboard"]).is_err());
    }

    #[test]
    fn socket_is_one_per_root_in_the_runtime_folder() {
        let mut e = env();
        e.temp_dir = PathBuf::from("/tmp/user");
        let a = socket_path(Path::new("/nonexistent/sim-a"), &e);
        assert_eq!(a.parent(), Some(Path::new("/tmp/user/earshot-app")));
        assert_eq!(a, socket_path(Path::new("/nonexistent/sim-a"), &e));
        assert_ne!(a, socket_path(Path::new("/nonexistent/sim-b"), &e));
        e.xdg_runtime_dir = Some("/run/user/501".into());
        let b = socket_path(Path::new("/nonexistent/sim-a"), &e);
        assert_eq!(b.parent(), Some(Path::new("/run/user/501/earshot-app")));
        assert_eq!(b.file_name(), a.file_name());
        // Within macOS's 104-byte limit for socket paths under a typical $TMPDIR.
        e.xdg_runtime_dir = None;
        e.temp_dir = PathBuf::from("/var/folders/zz/zyxvpxvq6csfxvn_n0000000000000/T/");
        assert!(socket_path(Path::new("/"), &e).as_os_str().len() < 104);
    }

    #[cfg(unix)]
    mod instance {
        use std::io::{BufRead, BufReader, Write};
        use std::os::unix::net::{UnixListener, UnixStream};
        use std::sync::mpsc;
        use std::time::Duration;

        use super::super::*;

        fn request(open: &[&str], toggle: bool) -> Request {
            Request {
                open: open.iter().map(|s| s.to_string()).collect(),
                toggle_popover: toggle,
            }
        }

        /// The first claim serves; requests of later claims reach it unchanged.
        fn serving(socket: &Path) -> mpsc::Receiver<Request> {
            let listener = match claim(socket, &request(&[], false)) {
                Claim::First(listener) => listener,
                Claim::Forwarded => panic!("the first launch must become the app: forwarded"),
                Claim::Alone(why) => panic!("the first launch must become the app: {why}"),
            };
            assert_eq!(listener.path(), socket);
            let (tx, rx) = mpsc::channel();
            listener
                .serve(move |r| {
                    let _ = tx.send(r);
                })
                .unwrap();
            rx
        }

        // A guard against hanging the test run, not a timing assertion.
        const GUARD: Duration = Duration::from_secs(30);

        #[test]
        fn a_later_launch_hands_its_request_to_the_running_app() {
            let dir = tempfile::tempdir().unwrap();
            let socket = dir.path().join("run/app.sock");
            let rx = serving(&socket);
            assert!(matches!(
                claim(&socket, &request(&[], true)),
                Claim::Forwarded
            ));
            assert_eq!(rx.recv_timeout(GUARD).unwrap(), request(&[], true));
            assert!(matches!(
                claim(&socket, &request(&["wizard", "popover"], false)),
                Claim::Forwarded
            ));
            assert_eq!(
                rx.recv_timeout(GUARD).unwrap(),
                request(&["wizard", "popover"], false)
            );
        }

        #[test]
        fn a_socket_left_by_a_dead_app_is_taken_over() {
            use std::os::unix::fs::DirBuilderExt;
            let dir = tempfile::tempdir().unwrap();
            let socket = dir.path().join("run/app.sock");
            std::fs::DirBuilder::new()
                .mode(0o700)
                .create(dir.path().join("run"))
                .unwrap();
            // Bound and dropped: the file stays, nobody listens (as after a kill).
            drop(UnixListener::bind(&socket).unwrap());
            assert!(socket.exists());
            let rx = serving(&socket);
            assert!(matches!(
                claim(&socket, &request(&["history"], false)),
                Claim::Forwarded
            ));
            assert_eq!(rx.recv_timeout(GUARD).unwrap().open, ["history"]);
        }

        #[test]
        fn a_folder_others_can_use_is_not_trusted() {
            use std::os::unix::fs::PermissionsExt;
            let dir = tempfile::tempdir().unwrap();
            let folder = dir.path().join("earshot-app");
            std::fs::create_dir(&folder).unwrap();
            std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o777)).unwrap();
            let socket = folder.join("app.sock");
            let Claim::Alone(why) = claim(&socket, &request(&[], false)) else {
                panic!("a world-writable folder must not hold the socket");
            };
            assert!(why.contains("only this user"), "{why}");
            assert!(!socket.exists());
            // Made by claim itself, the folder is private.
            let private = dir.path().join("own/earshot-app");
            drop(serving(&private.join("app.sock")));
            let mode = std::fs::metadata(&private).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700);
        }

        #[test]
        fn garbage_is_refused_and_the_app_keeps_serving() {
            let dir = tempfile::tempdir().unwrap();
            let socket = dir.path().join("run/app.sock");
            let rx = serving(&socket);
            let mut raw = UnixStream::connect(&socket).unwrap();
            raw.set_read_timeout(Some(GUARD)).unwrap();
            raw.write_all(b"{not json\n").unwrap();
            let mut reply = String::new();
            BufReader::new(&raw).read_line(&mut reply).unwrap();
            assert!(reply.starts_with("error: "), "{reply}");
            assert!(matches!(
                claim(&socket, &request(&["popover"], false)),
                Claim::Forwarded
            ));
            assert_eq!(rx.recv_timeout(GUARD).unwrap().open, ["popover"]);
        }
    }

    #[test]
    fn flag_beats_environment() {
        let mut e = env();
        e.earshot_root = Some("/from/env".into());
        let l = Launch::from_args(["earshot-app", "--root", "/from/flag"], &e);
        assert_eq!(l.root, PathBuf::from("/from/flag"));
        assert!(!l.show_dashboard);
    }

    #[test]
    fn environment_beats_default_and_empty_is_unset() {
        let mut e = env();
        e.earshot_root = Some("/from/env".into());
        assert_eq!(
            Launch::from_args(["earshot-app"], &e).root,
            PathBuf::from("/from/env")
        );
        e.earshot_root = Some("".into());
        assert_ne!(
            Launch::from_args(["earshot-app"], &e).root,
            PathBuf::from("")
        );
    }

    #[cfg(not(target_os = "macos"))]
    #[test]
    fn default_root_is_the_simulated_mac_in_xdg_state() {
        assert_eq!(
            Launch::from_args(["earshot-app"], &env()).root,
            PathBuf::from("/home/ada/.local/state/earshot/sim")
        );
        let mut e = env();
        e.xdg_state_home = Some("/xdg/state".into());
        assert_eq!(
            Launch::from_args(["earshot-app"], &e).root,
            PathBuf::from("/xdg/state/earshot/sim")
        );
        // The XDG spec says relative values are invalid and must be ignored.
        e.xdg_state_home = Some("relative/state".into());
        assert_eq!(
            Launch::from_args(["earshot-app"], &e).root,
            PathBuf::from("/home/ada/.local/state/earshot/sim")
        );
    }

    #[test]
    fn dashboard_opens_by_flag_or_environment() {
        assert!(Launch::from_args(["earshot-app", "--show-dashboard"], &env()).show_dashboard);
        let mut e = env();
        e.earshot_open = Some("Dashboard".into());
        assert!(Launch::from_args(["earshot-app"], &e).show_dashboard);
        e.earshot_open = Some("popover".into());
        let l = Launch::from_args(["earshot-app"], &e);
        assert!(!l.show_dashboard);
        assert!(l.show_popover);
        e.earshot_open = Some("dashboard, popover".into());
        let l = Launch::from_args(["earshot-app"], &e);
        assert!(l.show_dashboard && l.show_popover);
        let l = Launch::from_args(["earshot-app", "--show-popover"], &env());
        assert!(!l.show_dashboard && l.show_popover);
    }

    #[test]
    fn a_hidden_popover_is_kept_five_minutes_unless_told_otherwise() {
        let l = Launch::from_args(["earshot-app"], &env());
        assert_eq!(
            l.popover_grace,
            Some(std::time::Duration::from_secs(DEFAULT_POPOVER_GRACE_SECS))
        );
        assert_eq!(DEFAULT_POPOVER_GRACE_SECS, 300);
        let l = Launch::from_args(["earshot-app", "--popover-grace", "5"], &env());
        assert_eq!(l.popover_grace, Some(std::time::Duration::from_secs(5)));
        let l = Launch::from_args(["earshot-app", "--popover-grace", "0"], &env());
        assert_eq!(l.popover_grace, None, "0 keeps it for good");
    }

    #[test]
    fn open_lists_known_windows_in_order_once() {
        let mut e = env();
        e.earshot_open = Some("history,nonsense".into());
        let l = Launch::from_args(
            [
                "earshot-app",
                "--open",
                "wizard,popover",
                "--open",
                "WIZARD",
                "--show-dashboard",
            ],
            &e,
        );
        assert_eq!(l.open, ["wizard", "popover", "history", "dashboard"]);
        assert!(l.show_popover && l.show_dashboard);
    }

    #[test]
    fn audit_control_lives_under_etc_security() {
        assert_eq!(
            audit_control_path(Path::new("/sim")),
            PathBuf::from("/sim/etc/security/audit_control")
        );
    }
}
