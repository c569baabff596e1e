//! The menu-bar item: created once at start-up and kept alive in managed state
//! (dropping the handle removes the item). Left click toggles the popover, right click
//! opens a short native menu that works even if a webview is slow.

use std::sync::Mutex;

use earshot_glance::{Glance, Severity};
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIcon, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Manager};

use crate::{actions, glyph, windows};

const MENU_OPEN_DASHBOARD: &str = "open-dashboard";
const MENU_TUNE: &str = "tune";
const MENU_ROTATE: &str = "rotate";
const MENU_ROLLBACK: &str = "rollback-last";
const MENU_PREFERENCES: &str = "preferences";
const MENU_QUIT: &str = "quit";

/// The one tray item and what it shows.
pub struct Tray {
    icon: TrayIcon,
    glyph: Mutex<Option<Severity>>,
}

impl Tray {
    pub fn create(app: &AppHandle) -> tauri::Result<Self> {
        let item = |id: &str, text: &str| MenuItem::with_id(app, id, text, true, None::<&str>);
        let menu = Menu::with_items(
            app,
            &[
                &item(MENU_OPEN_DASHBOARD, "Open Dashboard")?,
                &item(MENU_TUNE, "Tune Auditing…")?,
                &PredefinedMenuItem::separator(app)?,
                &item(MENU_ROTATE, "Rotate Trail Now")?,
                &item(MENU_ROLLBACK, "Roll Back Last Change")?,
                &PredefinedMenuItem::separator(app)?,
                &item(MENU_PREFERENCES, "Preferences…")?,
                &item(MENU_QUIT, "Quit Earshot")?,
            ],
        )?;
        let icon = TrayIconBuilder::with_id("main")
            .icon(glyph::image(Severity::Unknown)?)
            .icon_as_template(true)
            .tooltip("Earshot — connecting to the helper")
            .menu(&menu)
            .show_menu_on_left_click(false)
            .on_menu_event(|app, event| match event.id().as_ref() {
                MENU_OPEN_DASHBOARD => report(windows::open(app, windows::DASHBOARD)),
                MENU_TUNE => report(windows::open(app, windows::WIZARD)),
                MENU_PREFERENCES => report(windows::open(app, windows::PREFERENCES)),
                MENU_ROTATE => actions::spawn_rotate(app),
                MENU_ROLLBACK => actions::spawn_rollback_last(app),
                MENU_QUIT => app.exit(0),
                _ => {}
            })
            .on_tray_icon_event(|tray, event| {
                // The positioner remembers where the item is, for TrayBottomCenter.
                tauri_plugin_positioner::on_tray_event(tray.app_handle(), &event);
                if let TrayIconEvent::Click {
                    button: MouseButton::Left,
                    button_state: MouseButtonState::Up,
                    ..
                } = event
                {
                    report(windows::toggle_popover(tray.app_handle()));
                }
            })
            .build(app)?;
        Ok(Self {
            icon,
            glyph: Mutex::new(None),
        })
    }

    /// Shows the glance's glyph and tooltip, and its title when `set_title`.
    /// Icon and template flag are always set together: `set_icon` resets the
    /// template flag on macOS, and a lone template change may not repaint.
    fn show(&self, glance: &Glance, set_title: bool) -> tauri::Result<()> {
        let mut current = self
            .glyph
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if *current != Some(glance.tray.glyph) {
            self.icon.set_icon(Some(glyph::image(glance.tray.glyph)?))?;
            self.icon.set_icon_as_template(true)?;
            *current = Some(glance.tray.glyph);
        }
        // Hidden when the profile's EnableMenuItem (or the user) says so; the
        // helper keeps auditing watched either way.
        self.icon.set_visible(glance.tray.visible)?;
        self.icon
            .set_tooltip(Some(format!("Earshot — {}", glance.health.summary)))?;
        if set_title {
            self.icon.set_title(glance.tray.title.as_deref())?;
        }
        Ok(())
    }
}

/// Errors from UI event handlers have nowhere to go but the log.
pub fn report(result: tauri::Result<()>) {
    if let Err(err) = result {
        eprintln!("earshot-app: {err}");
    }
}

/// Updates the tray item if it exists (it may not, in tests or before setup).
pub fn show_glance(app: &AppHandle, glance: &Glance, set_title: bool) {
    if let Some(tray) = app.try_state::<Tray>() {
        report(tray.show(glance, set_title));
    }
}
