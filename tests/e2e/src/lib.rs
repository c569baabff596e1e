//! Helpers shared by the end-to-end tests in `tests/`: finding the binaries, private
//! XDG folders, process groups that die with the test, screenshots.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// `<target>/debug`, where the builds of scripts/test land.
pub fn target_debug() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"))
        .join("debug")
}

/// A built binary: `$env`, else `<target>/debug/name`.
pub fn binary(env: &str, name: &str) -> PathBuf {
    let p = std::env::var_os(env)
        .map(PathBuf::from)
        .unwrap_or_else(|| target_debug().join(name));
    assert!(
        p.is_file(),
        "{name} not found at {}: build it (scripts/test does) or set {env}",
        p.display()
    );
    p
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("no free local port")
}

/// Environment that keeps WebKit's, the keyring's and the app's files in the test's folder.
pub fn private_env(cmd: &mut Command, home: &Path) {
    for (var, name) in [
        ("XDG_DATA_HOME", "data"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_STATE_HOME", "state"),
        ("TMPDIR", "tmp"),
    ] {
        let dir = home.join(name);
        std::fs::create_dir_all(&dir).expect("create private folder");
        cmd.env(var, dir);
    }
}

/// A child in its own process group, killed with its children when dropped (also
/// when the test fails half-way).
pub struct Group(Child);

impl Group {
    pub fn spawn(cmd: &mut Command, what: &str) -> Group {
        Group(
            cmd.stdin(Stdio::null())
                .process_group(0)
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {what}: {e}")),
        )
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let _ = self.0.wait();
    }
}

/// Polls `ok` every 50 ms.
pub async fn wait_until(what: &str, mut ok: impl FnMut() -> bool) {
    // Bounded only so that a broken setup fails instead of hanging the suite.
    for _ in 0..600 {
        if ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

/// Saves `png` as `name` in `$EARSHOT_SCREENSHOT_DIR`, when set.
pub fn save_screenshot(png: &[u8], name: &str) {
    if let Some(dir) = std::env::var_os("EARSHOT_SCREENSHOT_DIR") {
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir).expect("screenshot folder");
        std::fs::write(dir.join(name), png).expect("write screenshot");
    }
}
