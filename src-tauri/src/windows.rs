//! The app's two windows, both created lazily (a hidden WebKit view still costs memory
//! and CPU, so nothing exists until the user asks for it):
//!
//! - `dashboard`: a normal window with the diagnostics screen (later: charts, trails).
//! - `popover`: a small borderless window toggled by a left click on the tray item,
//!   placed under the item and hidden when it loses focus.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use tauri::{
    AppHandle, Manager, PhysicalPosition, Rect, WebviewUrl, WebviewWindow, WebviewWindowBuilder,
    WindowEvent,
};

pub const DASHBOARD: &str = "dashboard";
pub const POPOVER: &str = "popover";

const POPOVER_WIDTH: f64 = 340.0;
const POPOVER_HEIGHT: f64 = 200.0;

/// A click on the tray item takes focus from the popover *before* the click handler
/// runs, so the blur has already hidden it. If the popover was hidden by a blur this
/// recently, the click meant "close", not "open again" (no flicker, no reopen).
const BLUR_CLICK_WINDOW: Duration = Duration::from_millis(250);

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

/// Shows the dashboard, creating it on first use.
pub fn open_dashboard(app: &AppHandle) -> tauri::Result<()> {
    let window = match app.get_webview_window(DASHBOARD) {
        Some(w) => w,
        None => {
            let w = WebviewWindowBuilder::new(
                app,
                DASHBOARD,
                WebviewUrl::App("index.html?view=dashboard".into()),
            )
            .title("Earshot")
            .inner_size(880.0, 620.0)
            .min_inner_size(560.0, 380.0)
            .build()?;
            w.on_window_event({
                let app = app.clone();
                move |event| {
                    if let WindowEvent::Destroyed = event {
                        set_dock_icon(&app, false);
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
pub fn toggle_popover(app: &AppHandle, icon: Rect) -> tauri::Result<()> {
    if let Some(w) = app.get_webview_window(POPOVER) {
        if w.is_visible()? {
            return w.hide();
        }
        if app.state::<PopoverBlur>().just_hidden() {
            return Ok(());
        }
        return show_popover(&w, icon);
    }
    show_popover(&create_popover(app)?, icon)
}

/// Opens the popover without a tray click to anchor it (`--show-popover`: Linux tray
/// hosts deliver no clicks, and screenshots need it): top right of the primary screen,
/// where it would hang under a menu-bar item.
pub fn open_popover_unanchored(app: &AppHandle) -> tauri::Result<()> {
    let w = match app.get_webview_window(POPOVER) {
        Some(w) => w,
        None => create_popover(app)?,
    };
    w.show()?;
    if let Some(monitor) = w.primary_monitor()? {
        let scale = monitor.scale_factor();
        let margin = 8.0 * scale;
        let x = f64::from(monitor.position().x) + f64::from(monitor.size().width)
            - POPOVER_WIDTH * scale
            - margin;
        let y = f64::from(monitor.position().y) + 24.0 * scale + margin;
        w.set_position(PhysicalPosition::new(x, y))?;
    }
    w.set_focus()
}

fn create_popover(app: &AppHandle) -> tauri::Result<WebviewWindow> {
    let w = WebviewWindowBuilder::new(
        app,
        POPOVER,
        WebviewUrl::App("index.html?view=popover".into()),
    )
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
        move |event| {
            if let WindowEvent::Focused(false) = event {
                app.state::<PopoverBlur>().mark();
                // Hiding can only fail if the window is already gone; nothing to do then.
                let _ = w.hide();
            }
        }
    });
    Ok(w)
}

/// Esc in the popover (the user is done with it).
pub fn hide_popover(app: &AppHandle) -> tauri::Result<()> {
    match app.get_webview_window(POPOVER) {
        Some(w) => w.hide(),
        None => Ok(()),
    }
}

/// Show first, then position (a hidden window moved to another monitor keeps the old
/// monitor's scale), then focus so that a click elsewhere hides it again.
fn show_popover(w: &WebviewWindow, icon: Rect) -> tauri::Result<()> {
    w.show()?;
    let scale = w.scale_factor()?;
    // The window's own size is not known until it is mapped (0 on GTK right after
    // show), so place it by the size it was built with.
    let width = POPOVER_WIDTH * scale;
    let icon_pos = icon.position.to_physical::<f64>(scale);
    let icon_size = icon.size.to_physical::<f64>(scale);
    let mut x = icon_pos.x + icon_size.width / 2.0 - width / 2.0;
    let y = icon_pos.y + icon_size.height;
    // Keep it on the screen of the icon that was clicked.
    if let Some(monitor) = w.monitor_from_point(icon_pos.x, icon_pos.y)? {
        let left = f64::from(monitor.position().x);
        let right = left + f64::from(monitor.size().width) - width;
        x = x.min(right).max(left);
    }
    w.set_position(PhysicalPosition::new(x, y))?;
    w.set_focus()
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
