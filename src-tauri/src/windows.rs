//! The app's windows, all created lazily (a hidden WebKit view still costs memory
//! and CPU, so nothing exists until the user asks for it):
//!
//! - `popover`: a small borderless window toggled by a left click on the tray item,
//!   placed under the item (positioner plugin) and hidden when it loses focus; kept
//!   hidden for a grace period (a later click is instant), then destroyed.
//! - `dashboard`, `wizard`, `history`, `preferences`: normal windows; closing one
//!   destroys it (it is rebuilt on the next open) and never quits the app.
//!
//! The popover loads `popover.html` (only the popover's code: it is opened most, and
//! its first paint is budgeted, docs/performance.md); the others `index.html?view=<label>`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tauri::{
    AppHandle, Manager, PhysicalPosition, WebviewUrl, WebviewWindow, WebviewWindowBuilder,
    WindowEvent,
};
use tauri_plugin_positioner::{Position, WindowExt};

use crate::launch::Launch;
use crate::live::Live;

pub const POPOVER: &str = "popover";
pub const DASHBOARD: &str = "dashboard";
pub const WIZARD: &str = "wizard";
pub const HISTORY: &str = "history";
pub const PREFERENCES: &str = "preferences";

/// Full windows: (label, title, width, height).
const FULL: [(&str, &str, f64, f64); 4] = [
    (DASHBOARD, "Earshot", 960.0, 680.0),
    (WIZARD, "Tune Auditing — Earshot", 760.0, 640.0),
    (HISTORY, "History — Earshot", 820.0, 600.0),
    (PREFERENCES, "Preferences — Earshot", 480.0, 420.0),
];

const POPOVER_WIDTH: f64 = 340.0;
const POPOVER_HEIGHT: f64 = 420.0;

/// A click on the tray item takes focus from the popover *before* the click handler
/// runs, so the blur has already hidden it. If the popover was hidden by a blur this
/// recently, the click meant "close", not "open again" (no flicker, no reopen).
const BLUR_CLICK_WINDOW: Duration = Duration::from_millis(200);

/// When the popover was last hidden because it lost focus.
#[derive(Default)]
pub struct PopoverBlur(Mutex<Option<Instant>>);

impl PopoverBlur {
    fn mark(&self) {
        if let Ok(mut at) = self.0.lock() {
            *at = Some(Instant::now());
        }
    }

    fn just_hidden(&self) -> bool {
        self.0
            .lock()
            .ok()
            .and_then(|at| *at)
            .is_some_and(|at| at.elapsed() < BLUR_CLICK_WINDOW)
    }
}

/// When each window was last asked to show, for the first-paint measurement
/// (docs/app-commands.md, scripts/bench-app).
#[derive(Default)]
pub struct PaintClock(Mutex<HashMap<String, Instant>>);

impl PaintClock {
    fn shown(&self, label: &str) {
        if let Ok(mut m) = self.0.lock() {
            m.insert(label.to_string(), Instant::now());
        }
    }

    /// Time from the last show of `label` to now, once per show.
    pub fn painted(&self, label: &str) -> Option<Duration> {
        self.0.lock().ok()?.remove(label).map(|t| t.elapsed())
    }
}

fn url(label: &str) -> WebviewUrl {
    if label == POPOVER {
        return WebviewUrl::App("popover.html".into());
    }
    WebviewUrl::App(format!("index.html?view={label}").into())
}

/// The popover's shows and hides, counted, so that a grace timer started by a hide
/// knows whether anything happened since (src-tauri keeps the popover hidden, not
/// destroyed, but not forever: see [`popover_hidden`]).
#[derive(Default)]
pub struct PopoverLife(AtomicU64);

impl PopoverLife {
    fn bump(&self) -> u64 {
        self.0.fetch_add(1, Ordering::SeqCst) + 1
    }

    fn current(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// The popover was hidden: unless it is shown again within the grace period, its
/// webview is destroyed and WebKit's processes exit (the memory a menu-bar app
/// holds all day matters more than the first click after a long pause).
fn popover_hidden(app: &AppHandle) {
    let Some(grace) = app.state::<Launch>().popover_grace else {
        return;
    };
    let hid = app.state::<PopoverLife>().bump();
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(grace).await;
        if app.state::<PopoverLife>().current() != hid {
            return; // shown (or hidden again, with its own timer) since
        }
        if let Some(w) = app.get_webview_window(POPOVER) {
            if !w.is_visible().unwrap_or(true) {
                if let Err(e) = w.destroy() {
                    eprintln!("earshot-app: cannot retire the hidden popover: {e}");
                }
            }
        }
    });
}

fn note_shown(app: &AppHandle, label: &str) {
    if label == POPOVER {
        app.state::<PopoverLife>().bump();
    }
    app.state::<PaintClock>().shown(label);
    app.state::<std::sync::Arc<Live>>().window_shown();
}

/// Shows a window by label, creating it on first use.
pub fn open(app: &AppHandle, label: &str) -> tauri::Result<()> {
    if label == POPOVER {
        return open_popover_unanchored(app);
    }
    open_full(app, label, None)
}

/// Shows the History window with the roll-back confirmation of `revision` open
/// (the tray's "Roll Back Last Change" when the helper wants risks acknowledged:
/// a menu item cannot show checkboxes). An open History window is reloaded there.
pub fn open_history_rollback(app: &AppHandle, revision: u64) -> tauri::Result<()> {
    let query = format!("view={HISTORY}&rollback={revision}");
    if let Some(w) = app.get_webview_window(HISTORY) {
        let mut at = w.url()?;
        at.set_query(Some(&query));
        w.navigate(at)?;
    }
    open_full(app, HISTORY, Some(&query))
}

fn open_full(app: &AppHandle, label: &str, query: Option<&str>) -> tauri::Result<()> {
    let Some(&(_, title, width, height)) = FULL.iter().find(|(l, ..)| *l == label) else {
        return Err(tauri::Error::WindowNotFound);
    };
    let window = match app.get_webview_window(label) {
        Some(w) => w,
        None => {
            note_shown(app, label);
            let url = match query {
                Some(q) => WebviewUrl::App(format!("index.html?{q}").into()),
                None => url(label),
            };
            let w = WebviewWindowBuilder::new(app, label, url)
                .title(title)
                .inner_size(width, height)
                .min_inner_size(420.0, 320.0)
                .build()?;
            w.on_window_event({
                let app = app.clone();
                move |event| {
                    if let WindowEvent::Destroyed = event {
                        let others = FULL
                            .iter()
                            .filter_map(|(l, ..)| app.get_webview_window(l))
                            .count();
                        // The window being destroyed may still be listed.
                        set_dock_icon(&app, others > 1);
                    }
                }
            });
            w
        }
    };
    // A full window must be reachable with Cmd-Tab while open: become a regular app.
    set_dock_icon(app, true);
    window.show()?;
    window.unminimize()?;
    window.set_focus()
}

/// Left click on the tray item: open the popover under the item, or close it.
pub fn toggle_popover(app: &AppHandle) -> tauri::Result<()> {
    let w = match app.get_webview_window(POPOVER) {
        Some(w) => {
            if w.is_visible()? {
                w.hide()?;
                popover_hidden(app);
                return Ok(());
            }
            if app.state::<PopoverBlur>().just_hidden() {
                return Ok(());
            }
            note_shown(app, POPOVER);
            w
        }
        None => {
            // The clock starts before the webview is made: the first click waits for it.
            note_shown(app, POPOVER);
            create_popover(app)?
        }
    };
    w.show()?;
    // Show first, then position (a hidden window moved to another monitor keeps the
    // old monitor's scale), then focus so that a click elsewhere hides it again.
    if w.move_window(Position::TrayBottomCenter).is_err() {
        // The tray host reported no position (some Linux hosts): top right instead.
        place_top_right(&w)?;
    }
    w.set_focus()
}

/// Opens the popover without a tray click to anchor it (`--show-popover`,
/// `open_window({name: "popover"})`: Linux tray hosts deliver no clicks, and tests
/// and screenshots need it): top right of the primary screen, where it would hang
/// under a menu-bar item.
pub fn open_popover_unanchored(app: &AppHandle) -> tauri::Result<()> {
    note_shown(app, POPOVER);
    let w = match app.get_webview_window(POPOVER) {
        Some(w) => w,
        None => create_popover(app)?,
    };
    w.show()?;
    place_top_right(&w)?;
    w.set_focus()
}

fn place_top_right(w: &WebviewWindow) -> tauri::Result<()> {
    if let Some(monitor) = w.primary_monitor()? {
        let scale = monitor.scale_factor();
        let margin = 8.0 * scale;
        let x = f64::from(monitor.position().x) + f64::from(monitor.size().width)
            - POPOVER_WIDTH * scale
            - margin;
        let y = f64::from(monitor.position().y) + 24.0 * scale + margin;
        w.set_position(PhysicalPosition::new(x, y))?;
    }
    Ok(())
}

/// The page's first glance, handed over with the page itself (a script that runs
/// before the popover's code): its first paint then waits for no round trip to Rust,
/// which on a cold show, with the main thread busy making the window, took ~50 ms
/// (docs/performance.md). Later shows and pushes go through `glance` as usual.
fn first_glance_script(app: &AppHandle) -> Option<String> {
    let glance = app.try_state::<std::sync::Arc<Live>>()?.glance();
    // JSON is a JavaScript expression; nothing in it can end the script early.
    let json = serde_json::to_string(&glance).ok()?;
    Some(format!("window.__EARSHOT_GLANCE__ = {json};"))
}

fn create_popover(app: &AppHandle) -> tauri::Result<WebviewWindow> {
    let mut builder = WebviewWindowBuilder::new(app, POPOVER, url(POPOVER));
    if let Some(script) = first_glance_script(app) {
        builder = builder.initialization_script(script);
    }
    let w = builder
        .title("Earshot")
        .inner_size(POPOVER_WIDTH, POPOVER_HEIGHT)
        .resizable(false)
        .decorations(false)
        .always_on_top(true)
        .skip_taskbar(true)
        .visible(false)
        .build()?;
    w.on_window_event({
        let w = w.clone();
        let app = app.clone();
        move |event| match event {
            WindowEvent::Focused(false) => {
                app.state::<PopoverBlur>().mark();
                // Hiding can only fail if the window is already gone; nothing to do then.
                if w.hide().is_ok() {
                    popover_hidden(&app);
                }
            }
            // The popover is reused: closing it (Cmd-W) only hides it.
            WindowEvent::CloseRequested { api, .. } => {
                api.prevent_close();
                if w.hide().is_ok() {
                    popover_hidden(&app);
                }
            }
            _ => {}
        }
    });
    Ok(w)
}

/// Esc in the popover (the user is done with it).
pub fn hide_popover(app: &AppHandle) -> tauri::Result<()> {
    match app.get_webview_window(POPOVER) {
        Some(w) => {
            w.hide()?;
            popover_hidden(app);
            Ok(())
        }
        None => Ok(()),
    }
}

/// macOS only: a menu-bar utility has no Dock icon, except while a full window is open.
#[cfg(target_os = "macos")]
fn set_dock_icon(app: &AppHandle, visible: bool) {
    let policy = if visible {
        tauri::ActivationPolicy::Regular
    } else {
        tauri::ActivationPolicy::Accessory
    };
    if let Err(err) = app.set_activation_policy(policy) {
        eprintln!("earshot-app: cannot change the activation policy: {err}");
    }
}

#[cfg(not(target_os = "macos"))]
fn set_dock_icon(_app: &AppHandle, _visible: bool) {}
