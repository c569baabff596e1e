//! What the app was asked to look at and show when it starts.
//!
//! Command line first, then environment, then the platform default: on macOS the real
//! system root, elsewhere the simulated Mac that `scripts/run` prepares.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::Parser;

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
}

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
}

/// The environment variables that matter to [`Launch`], read once so parsing stays pure.
#[derive(Debug, Default, Clone)]
pub struct LaunchEnv {
    pub earshot_root: Option<OsString>,
    pub earshot_open: Option<OsString>,
    pub xdg_state_home: Option<OsString>,
    pub home: Option<OsString>,
}

impl LaunchEnv {
    pub fn from_process() -> Self {
        Self {
            earshot_root: std::env::var_os("EARSHOT_ROOT"),
            earshot_open: std::env::var_os("EARSHOT_OPEN"),
            xdg_state_home: std::env::var_os("XDG_STATE_HOME"),
            home: std::env::var_os("HOME"),
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
        }
    }
}

impl Launch {
    /// The simulated Mac to read and whose helper to talk to; `None` for this Mac
    /// (root `/`).
    pub fn sys_root(&self) -> Option<PathBuf> {
        (self.root != Path::new("/")).then(|| self.root.clone())
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
