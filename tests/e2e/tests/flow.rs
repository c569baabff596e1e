//! The tuning flow as a person does it, over days, on the real app under Xvfb
//! against a real helper serving a temporary simulated Mac: open the popover, go
//! to the wizard, apply the first ladder step; the wizard then shows it soaking;
//! the simulated clock moves three days ahead (`earshot sim advance`, auditd
//! writing meanwhile) and the wizard turns to the review on its own; its "take
//! the next step" applies `+ad` through the helper. Then roll back from the
//! history window with one click and see the file restored byte for byte.
//!
//! Needs what tests/app.rs needs (a display, tauri-driver, WebKitWebDriver, the app
//! built) plus the `earshot` and `earshot-helper` binaries (`EARSHOT_CLI`,
//! `EARSHOT_HELPER`, else next to the app). `scripts/test` provides all of that.

use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use earshot_e2e::{binary, free_port, private_env, save_screenshot, wait_until, Group};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

/// One app session through tauri-driver, landing on `windows` (`--open`).
async fn session(home: &Path, root: &Path, windows: &str) -> (Group, Client) {
    let port = free_port();
    let bin = std::env::var_os("TAURI_DRIVER").unwrap_or_else(|| "tauri-driver".into());
    let mut cmd = Command::new(&bin);
    cmd.args(["--port", &port.to_string()])
        .args(["--native-port", &free_port().to_string()]);
    private_env(&mut cmd, home);
    let driver = Group::spawn(
        &mut cmd,
        "tauri-driver (cargo install tauri-driver --locked)",
    );
    wait_until("tauri-driver to listen", || {
        TcpStream::connect(("127.0.0.1", port)).is_ok()
    })
    .await;
    let app = binary("EARSHOT_APP", "earshot-app");
    let mut caps = serde_json::Map::new();
    caps.insert(
        "tauri:options".into(),
        json!({ "application": app, "args": ["--root", root, "--open", windows] }),
    );
    let client = ClientBuilder::native()
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("WebDriver session with the app (is WebKitWebDriver installed?)");
    (driver, client)
}

/// The UI re-renders on every pushed glance, so an element found a moment ago may be
/// gone by the time it is read or clicked ("node not found"): find it again and retry.
const ATTEMPTS: usize = 300;

async fn text(client: &Client, testid: &str) -> String {
    let css = format!("[data-testid={testid}]");
    let mut last = String::new();
    for _ in 0..ATTEMPTS {
        match client.find(Locator::Css(&css)).await {
            Ok(el) => match el.text().await {
                Ok(t) => return t,
                Err(e) => last = e.to_string(),
            },
            Err(e) => last = e.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no readable {testid} on screen: {last}");
}

async fn click(client: &Client, testid: &str) {
    let css = format!("[data-testid={testid}]");
    let mut last = String::new();
    for _ in 0..ATTEMPTS {
        match client.find(Locator::Css(&css)).await {
            Ok(el) => match el.click().await {
                Ok(()) => return,
                Err(e) => last = e.to_string(),
            },
            Err(e) => last = e.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("cannot click {testid}: {last}");
}

async fn present(client: &Client, testid: &str) -> bool {
    client
        .find(Locator::Css(&format!("[data-testid={testid}]")))
        .await
        .is_ok()
}

/// Waits until the connection badge says the app talks to the helper.
async fn connected(client: &Client) {
    for _ in 0..300 {
        if text(client, "connection-state").await.trim() == "connected" {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the app never connected to the helper");
}

/// Waits for one of `ids` to appear; returns which.
async fn first_of(client: &Client, ids: &[&str]) -> String {
    for _ in 0..600 {
        for id in ids {
            if present(client, id).await {
                return (*id).to_string();
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("none of {ids:?} appeared");
}

/// Acknowledges every risk of the step on screen, applies it, keeps it when a
/// countdown asks, and returns its title once the wizard reports the revision.
async fn apply_shown_step(client: &Client) -> String {
    let title = text(client, "wizard-step-title").await;
    let mut ids = Vec::new();
    for ack in client
        .find_all(Locator::Css("input[data-testid^=wizard-ack-]"))
        .await
        .expect("acknowledgements")
    {
        if let Ok(Some(id)) = ack.attr("data-testid").await {
            ids.push(id);
        }
    }
    for id in ids {
        let css = format!("input[data-testid={id}]");
        let checked = client
            .find(Locator::Css(&css))
            .await
            .expect("acknowledgement")
            .is_selected()
            .await
            .unwrap_or(false);
        if !checked {
            click(client, &id).await;
        }
    }
    click(client, "wizard-apply").await;
    let outcome = first_of(client, &["wizard-keep", "wizard-next", "wizard-error"]).await;
    assert_ne!(
        outcome,
        "wizard-error",
        "step {title:?}: {}",
        text(client, "wizard-error").await
    );
    if outcome == "wizard-keep" {
        click(client, "wizard-keep").await;
    }
    let result = text(client, "wizard-result").await;
    assert!(result.contains("revision"), "step {title:?}: {result}");
    title
}

fn flags_line(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .lines()
        .find(|l| l.starts_with("flags:"))
        .unwrap_or("")
        .to_string()
}

fn has_ad(bytes: &[u8]) -> bool {
    flags_line(bytes)
        .trim_start_matches("flags:")
        .split(',')
        .any(|c| c.trim() == "ad")
}

/// The helper's history, as the CLI prints it (an independent reader).
fn history(cli: &Path, root: &Path, home: &Path) -> Value {
    let mut cmd = Command::new(cli);
    cmd.arg("--root").arg(root).args(["history", "--json"]);
    private_env(&mut cmd, home);
    let out = cmd.output().expect("run earshot history");
    assert!(
        out.status.success(),
        "earshot history failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("history JSON")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_soaks_its_review_leads_to_the_next_and_history_rolls_back() {
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "no DISPLAY: run under xvfb-run (scripts/test does)"
    );
    let cli = binary("EARSHOT_CLI", "earshot");
    let helper_bin = binary("EARSHOT_HELPER", "earshot-helper");
    let work = tempfile::tempdir().expect("temp folder");
    let home = work.path().join("home");
    let root = work.path().join("sim");

    let mut init = Command::new(&cli);
    init.args(["sim", "init", "--days", "1", "--auditing", "on"])
        .arg(&root);
    private_env(&mut init, &home);
    let out = init.output().expect("run earshot sim init");
    assert!(
        out.status.success(),
        "sim init: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let control = root.join("etc/security/audit_control");
    let original = std::fs::read(&control).expect("audit_control of the simulated Mac");
    assert!(
        !has_ad(&original),
        "the test needs a Mac without ad: {}",
        flags_line(&original)
    );

    let mut cmd = Command::new(&helper_bin);
    cmd.arg("--root").arg(&root);
    private_env(&mut cmd, &home);
    let _helper = Group::spawn(&mut cmd, "earshot-helper");
    let socket = root.join("run/earshot/helper.sock");
    wait_until("the helper's socket", || socket.exists()).await;

    // --- popover → wizard -----------------------------------------------------------
    let (driver, client) = session(&home, &root, "popover").await;
    connected(&client).await;
    let summary = text(&client, "health-summary").await;
    assert!(
        !summary.trim().is_empty(),
        "the popover shows a health summary"
    );
    save_screenshot(
        &client.screenshot().await.expect("screenshot"),
        "flow-popover.png",
    );
    let popover = client.window().await.expect("popover handle");
    click(&client, "open-wizard").await;
    let mut wizard = None;
    for _ in 0..100 {
        let handles = client.windows().await.expect("window handles");
        if let Some(h) = handles.into_iter().find(|h| *h != popover) {
            wizard = Some(h);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    client
        .switch_to_window(wizard.expect("the wizard window opens"))
        .await
        .expect("switch to the wizard");

    let mut applied = Vec::new();

    // --- step 1, applied -------------------------------------------------------------
    let shown = first_of(
        &client,
        &["wizard-step-title", "wizard-done", "wizard-error"],
    )
    .await;
    assert_eq!(
        shown,
        "wizard-step-title",
        "{}",
        text(&client, &shown).await
    );
    let title = apply_shown_step(&client).await;
    let after = std::fs::read(&control).expect("audit_control after step 1");
    assert_ne!(after, original, "step 1 changed the file on disk");
    applied.push(title.clone());

    // --- it soaks: the wizard shows it, and holds the next step ----------------------
    click(&client, "wizard-next").await;
    let shown = first_of(
        &client,
        &["wizard-soak", "wizard-step-title", "wizard-error"],
    )
    .await;
    assert_eq!(
        shown,
        "wizard-soak",
        "after step 1: {}",
        text(&client, &shown).await
    );
    let summary = text(&client, "soak-summary").await;
    assert!(
        summary.starts_with("Step 1 of your plan — day 1 of 1"),
        "{summary}"
    );
    assert!(present(&client, "wizard-skip-soak").await);
    save_screenshot(
        &client.screenshot().await.expect("screenshot"),
        "flow-soaking.png",
    );

    // --- three days pass on the simulated Mac ----------------------------------------
    let mut advance = Command::new(&cli);
    advance.args(["sim", "advance"]).arg(&root).arg("3d");
    private_env(&mut advance, &home);
    let out = advance.output().expect("run earshot sim advance");
    assert!(
        out.status.success(),
        "sim advance: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The helper reviews the step on its beat and pushes it; the wizard turns to
    // the verdict without being asked.
    let shown = first_of(&client, &["wizard-verdict", "soak-ended", "wizard-error"]).await;
    assert_eq!(shown, "wizard-verdict", "{}", text(&client, &shown).await);
    let verdict = client
        .find(Locator::Css("[data-testid=wizard-verdict]"))
        .await
        .expect("the verdict")
        .attr("data-verdict")
        .await
        .expect("its verdict");
    let reasons = text(&client, "verdict-reasons").await;
    assert_eq!(verdict.as_deref(), Some("next-step"), "{reasons}");
    assert!(reasons.contains("as predicted"), "{reasons}");
    save_screenshot(
        &client.screenshot().await.expect("screenshot"),
        "flow-verdict.png",
    );

    // --- the verdict's action: the next step, applied --------------------------------
    click(&client, "verdict-next").await;
    let shown = first_of(&client, &["wizard-step-title", "wizard-error"]).await;
    assert_eq!(
        shown,
        "wizard-step-title",
        "{}",
        text(&client, &shown).await
    );
    let title = apply_shown_step(&client).await;
    applied.push(title.clone());
    // Every applied step is a revision in the helper's history, and the original
    // file is revision `original` (recorded before the first change).
    let h = history(&cli, &root, &home);
    let revisions = h["revisions"].as_array().expect("revisions").clone();
    assert!(h["chain_intact"].as_bool().unwrap_or(false), "{h}");
    let applies = revisions.iter().filter(|r| r["source"] == "apply").count();
    assert!(
        applies >= applied.len(),
        "{applies} apply revisions for {} steps: {h}",
        applied.len()
    );
    let original_rev = revisions
        .iter()
        .find(|r| r["source"] == "original")
        .and_then(|r| r["number"].as_u64())
        .expect("the original file is recorded as a revision");
    client.close().await.expect("end the wizard session");
    drop(driver);

    // --- history: one click back to the original -------------------------------------
    let (driver, client) = session(&home, &root, "history").await;
    connected(&client).await;
    click(&client, &format!("history-rollback-{original_rev}")).await;
    if first_of(
        &client,
        &[
            "history-confirm-rollback",
            "history-result",
            "history-error",
        ],
    )
    .await
        == "history-confirm-rollback"
    {
        click(&client, "history-confirm-rollback").await;
    }
    let shown = first_of(&client, &["history-result", "history-error"]).await;
    let result = text(&client, &shown).await;
    assert_eq!(shown, "history-result", "rollback refused: {result}");
    assert!(result.contains("revision"), "{result}");
    let restored = std::fs::read(&control).expect("audit_control after the rollback");
    assert_eq!(restored, original, "the file is restored byte for byte");
    let h = history(&cli, &root, &home);
    assert_eq!(h["revisions"][0]["source"], "rollback", "{h}");
    save_screenshot(
        &client.screenshot().await.expect("screenshot"),
        "flow-history.png",
    );
    client.close().await.expect("end the history session");
    drop(driver);
}

/// A configuration profile that forbids changes at this Mac: the real app, on a
/// simulated Mac whose `Library/Managed Preferences` holds the profile, shows
/// the wizard's Apply disabled with the explanation (the helper would refuse
/// anyway: the CLI tests cover that).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profile_locks_apply_and_the_wizard_says_why() {
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "no DISPLAY: run under xvfb-run (scripts/test does)"
    );
    let cli = binary("EARSHOT_CLI", "earshot");
    let helper_bin = binary("EARSHOT_HELPER", "earshot-helper");
    let work = tempfile::tempdir().expect("temp folder");
    let home = work.path().join("home");
    let root = work.path().join("sim");
    let mut init = Command::new(&cli);
    init.args(["sim", "init", "--days", "1", "--auditing", "on"])
        .arg(&root);
    private_env(&mut init, &home);
    assert!(init.output().expect("sim init").status.success());
    let managed = root.join("Library/Managed Preferences");
    std::fs::create_dir_all(&managed).expect("managed preferences folder");
    std::fs::write(
        managed.join("org.earshot.Earshot.plist"),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\"><dict><key>AllowUserTuning</key><false/></dict></plist>\n",
    )
    .expect("a profile");

    let mut cmd = Command::new(&helper_bin);
    cmd.arg("--root").arg(&root);
    private_env(&mut cmd, &home);
    let _helper = Group::spawn(&mut cmd, "earshot-helper");
    let socket = root.join("run/earshot/helper.sock");
    wait_until("the helper's socket", || socket.exists()).await;

    let (driver, client) = session(&home, &root, "wizard").await;
    connected(&client).await;
    let shown = first_of(&client, &["wizard-step-title", "wizard-error"]).await;
    assert_eq!(
        shown,
        "wizard-step-title",
        "{}",
        text(&client, &shown).await
    );
    // Disabled from the first paint of the plan, with the reason beside it.
    let mut disabled = false;
    for _ in 0..100 {
        if let Ok(apply) = client
            .find(Locator::Css("[data-testid=wizard-apply]"))
            .await
        {
            if !apply.is_enabled().await.unwrap_or(true) {
                disabled = true;
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(disabled, "Apply stays enabled under AllowUserTuning=false");
    let why = text(&client, "managed-lock").await;
    assert!(why.contains("Managed by your organisation"), "{why}");
    assert!(why.contains("AllowUserTuning"), "{why}");
    save_screenshot(
        &client.screenshot().await.expect("screenshot"),
        "flow-managed.png",
    );
    client.close().await.expect("end the session");
    drop(driver);
}
