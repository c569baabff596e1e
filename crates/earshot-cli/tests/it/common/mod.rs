//! Shared by the CLI tests that run against a real `earshot-helper`.
#![allow(dead_code)] // each test binary uses part of it

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub fn earshot() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_earshot"))
}

/// The helper binary lives next to `earshot` in the target folder; build it if
/// this test run has not.
pub fn helper_binary() -> PathBuf {
    let path = earshot().with_file_name("earshot-helper");
    if !path.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "-p", "earshot-helper", "--bin", "earshot-helper"])
            .status()
            .expect("cargo runs");
        assert!(status.success(), "building earshot-helper");
    }
    path
}

/// A running helper, killed when dropped.
pub struct Helper(pub Child);

impl Drop for Helper {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `earshot-helper --root mac` and waits until its socket answers.
pub fn start_helper(mac: &Path) -> Helper {
    let mut helper = Helper(
        Command::new(helper_binary())
            .args(["--root", mac.to_str().unwrap()])
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let socket = mac.join("run/earshot/helper.sock");
    for _ in 0..4000 {
        assert!(helper.0.try_wait().unwrap().is_none(), "helper exited");
        if std::os::unix::net::UnixStream::connect(&socket).is_ok() {
            return helper;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    panic!("helper never listened");
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}
