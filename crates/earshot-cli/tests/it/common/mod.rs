//! Shared by the CLI tests that run against a real `earshot-helper`.
#![allow(dead_code)] // each test binary uses part of it

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub fn earshot() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_earshot"))
}

/// The helper binary lives next to `earshot` in the target folder; build it if
/// this test run has not.
///
/// Built only when missing: `cargo test --workspace` builds it (with the
/// workspace's features: its own tests need fault injection compiled in, so
/// rebuilding it here with other features would break them). After changing
/// the helper, run `cargo build -p earshot-helper` before `cargo test -p
/// earshot-cli` alone, or these tests run the old helper.
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

/// `earshot ARGS` with its configuration and cache under `home` (and no
/// `EARSHOT_ROOT` from the environment).
pub fn run(home: &Path, args: &[&str]) -> std::process::Output {
    Command::new(earshot())
        .args(args)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env_remove("EARSHOT_ROOT")
        .output()
        .expect("earshot runs")
}

/// A simulated Mac in `home/mac` with `days` of history (`earshot sim init`).
pub fn sim_init(home: &Path, days: &str) -> PathBuf {
    let mac = home.join("mac");
    let root = mac.to_str().unwrap();
    let out = run(home, &["sim", "init", "--days", days, root]);
    assert!(out.status.success(), "sim init: {}", text(&out.stderr));
    mac
}

/// Starts `earshot-helper --root mac` and waits until its socket answers.
pub fn start_helper(mac: &Path) -> Helper {
    start_helper_with(mac, &[])
}

/// [`start_helper`] with more arguments for the helper.
pub fn start_helper_with(mac: &Path, args: &[&str]) -> Helper {
    let mut helper = Helper(
        Command::new(helper_binary())
            .args(["--root", mac.to_str().unwrap()])
            .args(args)
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

/// Every line of `ndjson` checked as an OCSF event (its class's JSON Schema,
/// no nulls, `type_uid` and captions: `earshot_ocsf::validate`), with the
/// repo's copy of the OCSF tree; a failure names the line.
pub fn ocsf_lines(ndjson: &[u8]) -> Vec<serde_json::Value> {
    static SCHEMAS: std::sync::OnceLock<earshot_ocsf::validate::Schemas> =
        std::sync::OnceLock::new();
    let schemas = SCHEMAS.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/ocsf/1.9.0-dev");
        earshot_ocsf::validate::Schemas::load(&dir).unwrap_or_else(|e| panic!("{e}"))
    });
    ndjson
        .split_inclusive(|&b| b == b'\n')
        .enumerate()
        .map(|(i, line)| {
            schemas.check_line(line).unwrap_or_else(|p| {
                panic!("line {}: {p}\n{}", i + 1, String::from_utf8_lossy(line))
            })
        })
        .collect()
}
