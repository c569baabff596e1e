//! Drives the real Earshot app under Xvfb: tauri-driver + WebKitWebDriver start the
//! binary on a temporary simulated Mac whose audit_control has known problems, and the
//! test reads the diagnostics screen as a person would see it. The app reads the file
//! through the helper (on a Mac it is root's only), so a helper serves the simulated Mac.
//!
//! Needs: a display (run under `xvfb-run`), `tauri-driver` and `WebKitWebDriver` on
//! PATH, and the app, helper and CLI built (`EARSHOT_APP`, `EARSHOT_HELPER`,
//! `EARSHOT_CLI`, else `<target>/debug/…`). `scripts/test` provides all of that.

use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use audit_control::tables::ClassTable;
use audit_control::Diagnostic;
use earshot_e2e::{binary, private_env, wait_until, Group};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

/// Apple's shipped audit_control with two classic mistakes: a trailing comment on the
/// flags line (macOS reads "aa # comment" as a class name) and a very high minfree.
const FLAGS_LINE: u32 = 9;
const MINFREE_LINE: u32 = 10;
const AUDIT_CONTROL: &str = "\
#
# $FreeBSD: src/contrib/openbsm/etc/audit_control,v 1.6 2006/11/08 10:03:05 rwatson Exp $
#
# Earshot end-to-end test: known problems on the flags and minfree lines.
#
# (blank line below on purpose)

dir:/var/audit
flags:lo,aa # comment
minfree:70
naflags:lo,aa
policy:cnt,argv
filesz:2M
expire-after:10M
superuser-set-sflags-mask:has_authenticated,has_console_access
superuser-clear-sflags-mask:has_authenticated,has_console_access
member-set-sflags-mask:
member-clear-sflags-mask:has_authenticated
";

/// One row of the diagnostics table, as shown: position, severity, code, message.
#[derive(Debug, PartialEq, Eq)]
struct Row {
    position: String,
    severity: String,
    code: String,
    message: String,
}

impl Row {
    fn expected(d: &Diagnostic) -> Self {
        Row {
            position: match (d.line, d.column) {
                (0, _) => "file".to_string(),
                (line, 0) => line.to_string(),
                (line, column) => format!("{line}:{column}"),
            },
            severity: d.severity.to_string(),
            code: d.code.clone(),
            message: displayed(&d.message),
        }
    }

    fn line(&self) -> Option<u32> {
        self.position.split(':').next()?.parse().ok()
    }
}

/// HTML rendering collapses runs of white space; compare text the way it is displayed.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A message as the screen shows it: paired `backquotes` become code spans, so the
/// quotes themselves are not displayed (an odd count is shown as written).
fn displayed(message: &str) -> String {
    if message.matches('`').count() % 2 == 0 {
        squash(&message.replace('`', ""))
    } else {
        squash(message)
    }
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// The app binary under test.
fn app_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("EARSHOT_APP") {
        return PathBuf::from(p);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("debug/earshot-app")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("no free local port")
}

/// tauri-driver and everything it starts (WebKitWebDriver, the app), in one process
/// group so that the whole group goes away even if the test fails half-way.
struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    fn start(home: &Path) -> Self {
        let port = free_port();
        let native_port = free_port();
        let xdg = |name: &str| {
            let dir = home.join(name);
            std::fs::create_dir_all(&dir).expect("create XDG folder");
            dir
        };
        let bin = std::env::var_os("TAURI_DRIVER").unwrap_or_else(|| "tauri-driver".into());
        let child = Command::new(&bin)
            .args(["--port", &port.to_string()])
            .args(["--native-port", &native_port.to_string()])
            // WebKit, mesa and dconf write caches here; keep them in the test's folder.
            .env("XDG_DATA_HOME", xdg("data"))
            .env("XDG_CACHE_HOME", xdg("cache"))
            .env("XDG_CONFIG_HOME", xdg("config"))
            .env("XDG_STATE_HOME", xdg("state"))
            .env("TMPDIR", xdg("tmp"))
            .stdin(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start {bin:?} ({e}); install it with `cargo install tauri-driver --locked` (scripts/setup does)")
            });
        Driver { child, port }
    }

    /// Waits until tauri-driver accepts connections (it starts in well under a second;
    /// the bound only keeps a broken install from hanging the suite).
    async fn ready(&mut self) {
        for _ in 0..200 {
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("tauri-driver exited early: {status}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("tauri-driver did not listen on port {}", self.port);
    }

    async fn session(&mut self, app: &Path, root: &Path) -> Client {
        self.ready().await;
        let mut caps = serde_json::Map::new();
        caps.insert(
            "tauri:options".into(),
            json!({
                "application": app,
                "args": ["--root", root, "--show-dashboard"],
            }),
        );
        ClientBuilder::native()
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .expect("WebDriver session with the app (is WebKitWebDriver installed?)")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // Negative pid: the whole process group (tauri-driver, WebKitWebDriver, the app).
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let _ = self.child.wait();
    }
}

async fn text_of(row: &Element, field: &str) -> String {
    let cell = row
        .find(Locator::Css(&format!("[data-field={field}]")))
        .await
        .unwrap_or_else(|e| panic!("row has no {field}: {e}"));
    squash(&cell.text().await.expect("cell text"))
}

async fn shown_rows(client: &Client) -> Vec<Row> {
    let mut rows = Vec::new();
    for row in client
        .find_all(Locator::Css("[data-testid=diagnostic]"))
        .await
        .expect("diagnostic rows")
    {
        rows.push(Row {
            position: text_of(&row, "position").await,
            // The badge is upper-cased by CSS, and WebDriver returns rendered text.
            severity: text_of(&row, "severity").await.to_lowercase(),
            code: text_of(&row, "code").await,
            message: text_of(&row, "message").await,
        });
    }
    rows
}

fn save_screenshot(png: &[u8], name: &str) {
    if let Some(dir) = std::env::var_os("EARSHOT_SCREENSHOT_DIR") {
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir).expect("screenshot folder");
        std::fs::write(dir.join(name), png).expect("write screenshot");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnostics_screen_shows_what_the_library_reports() {
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "no DISPLAY: run under xvfb-run (scripts/test does)"
    );
    let app = app_binary();
    assert!(
        app.is_file(),
        "app binary {} not found: build it first (scripts/test does) or set EARSHOT_APP",
        app.display()
    );

    let work = tempfile::tempdir().expect("temp folder");
    let root = work.path().join("sim");
    let mut init = Command::new(binary("EARSHOT_CLI", "earshot"));
    init.args(["sim", "init", "--days", "0", "--auditing", "on"])
        .arg(&root);
    private_env(&mut init, work.path());
    let out = init.output().expect("run earshot sim init");
    assert!(
        out.status.success(),
        "sim init: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let etc = root.join("etc/security");
    std::fs::write(etc.join("audit_control"), AUDIT_CONTROL).expect("write audit_control");
    let mut helper = Command::new(binary("EARSHOT_HELPER", "earshot-helper"));
    helper.arg("--root").arg(&root);
    private_env(&mut helper, work.path());
    let _helper = Group::spawn(&mut helper, "earshot-helper");
    let socket = root.join("run/earshot/helper.sock");
    wait_until("the helper's socket", || socket.exists()).await;

    // The expectation comes from the library, not from strings copied here.
    let expected: Vec<Row> = audit_control::check(AUDIT_CONTROL.as_bytes(), &ClassTable::apple())
        .iter()
        .map(Row::expected)
        .collect();
    assert!(
        !expected.is_empty(),
        "the library reports no problem in a file made to have some"
    );

    let mut driver = Driver::start(work.path());
    let client = driver.session(&app, &root).await;

    client
        .wait()
        .for_element(Locator::Css("main[data-state=checked]"))
        .await
        .expect("the diagnostics screen appears");

    let path = client
        .find(Locator::Css("[data-testid=config-path]"))
        .await
        .expect("path")
        .text()
        .await
        .expect("path text");
    assert_eq!(path, etc.join("audit_control").display().to_string());

    let rows = shown_rows(&client).await;
    assert_eq!(
        rows, expected,
        "the screen must show exactly what check() reports"
    );

    // Literal positions, independent of the library: both planted problems are on screen.
    let lines: Vec<u32> = rows.iter().filter_map(Row::line).collect();
    assert!(
        lines.contains(&FLAGS_LINE),
        "no finding on the flags line 9: {rows:#?}"
    );
    assert!(
        lines.contains(&MINFREE_LINE),
        "no finding on the minfree line 10: {rows:#?}"
    );

    // macOS reads "aa # comment" as a class name and throws the whole flags list away:
    // that is an error whatever the wording (spec: audit_control.md, inline comments).
    assert!(
        rows.iter()
            .any(|r| r.line() == Some(FLAGS_LINE) && r.severity == "error"),
        "the flags line must show an error: {rows:#?}"
    );

    let count = |s: &str| expected.iter().filter(|r| r.severity == s).count();
    let summary = client
        .find(Locator::Css("[data-testid=summary]"))
        .await
        .expect("summary")
        .text()
        .await
        .expect("summary text");
    assert_eq!(
        summary,
        format!(
            "{}, {}, {} info",
            plural(count("error"), "error"),
            plural(count("warning"), "warning"),
            count("info")
        )
    );

    save_screenshot(
        &client.screenshot().await.expect("screenshot"),
        "diagnostics.png",
    );

    // The file disappears (auditing switched off): "Check again" shows the missing state.
    std::fs::remove_file(etc.join("audit_control")).expect("remove audit_control");
    client
        .find(Locator::Css("button.refresh"))
        .await
        .expect("Check again button")
        .click()
        .await
        .expect("click Check again");
    let failure = client
        .wait()
        .for_element(Locator::Css(
            "main[data-state=missing] [data-testid=failure]",
        ))
        .await
        .expect("the missing-file state appears")
        .text()
        .await
        .expect("failure text");
    assert!(failure.contains("audit_control not found"), "{failure}");
    assert!(
        client
            .find_all(Locator::Css("[data-testid=diagnostic]"))
            .await
            .expect("rows")
            .is_empty(),
        "no stale rows after the file is gone"
    );
    save_screenshot(
        &client.screenshot().await.expect("screenshot"),
        "missing.png",
    );

    client.close().await.expect("end the WebDriver session");
}
