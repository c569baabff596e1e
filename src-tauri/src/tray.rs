//! The menu-bar item: created once at start-up and kept alive in managed state
//! (dropping the handle removes the item). Left click toggles the popover, right click
//! opens a short native menu that works even if a webview is slow.

use std::sync::Mutex;

use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIcon, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Manager};

use crate::glyph::Glyph;
use crate::windows;

const MENU_OPEN_DASHBOARD: &str = "open-dashboard";
const MENU_QUIT: &str = "quit";

/// The one tray item and the glyph it shows.
pub struct Tray {
    icon: TrayIcon,
    glyph: Mutex<Glyph>,
}

impl Tray {
    pub fn create(app: &AppHandle, glyph: Glyph) -> tauri::Result<Self> {
        let menu = Menu::with_items(
            app,
            &[
                &MenuItem::with_id(
                    app,
                    MENU_OPEN_DASHBOARD,
                    "Open Dashboard",
                    true,
                    None::<&str>,
                )?,
                &PredefinedMenuItem::separator(app)?,
                &MenuItem::with_id(app, MENU_QUIT, "Quit Earshot", true, None::<&str>)?,
            ],
        )?;
        let icon = TrayIconBuilder::with_id("main")
            .icon(glyph.image()?)
            .icon_as_template(true)
            .tooltip(format!("Earshot — {}", glyph.summary()))
            .menu(&menu)
            .show_menu_on_left_click(false)
            .on_menu_event(|app, event| match event.id().as_ref() {
                MENU_OPEN_DASHBOARD => report(windows::open_dashboard(app)),
                MENU_QUIT => app.exit(0),
                _ => {}
            })
            .on_tray_icon_event(|tray, event| {
                if let TrayIconEvent::Click {
                    button: MouseButton::Left,
                    button_state: MouseButtonState::Up,
                    rect,
                    ..
                } = event
                {
                    report(windows::toggle_popover(tray.app_handle(), rect));
                }
            })
            .build(app)?;
        Ok(Self {
            icon,
            glyph: Mutex::new(glyph),
        })
    }

    /// Switches the glyph. Icon and template flag are always set together: `set_icon`
    /// resets the template flag on macOS, and a lone template change may not repaint.
    pub fn show(&self, glyph: Glyph) -> tauri::Result<()> {
        let mut current = self
            .glyph
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if *current == glyph {
            return Ok(());
        }
        self.icon.set_icon(Some(glyph.image()?))?;
        self.icon.set_icon_as_template(true)?;
        self.icon
            .set_tooltip(Some(format!("Earshot — {}", glyph.summary())))?;
        *current = glyph;
        Ok(())
    }
}

/// Errors from UI event handlers have nowhere to go but the log.
fn report(result: tauri::Result<()>) {
    if let Err(err) = result {
        eprintln!("earshot-app: {err}");
    }
}

/// Updates the tray glyph if the tray exists (it may not, in tests or before setup).
pub fn show_glyph(app: &AppHandle, glyph: Glyph) {
    if let Some(tray) = app.try_state::<Tray>() {
        report(tray.show(glyph));
    }
}
