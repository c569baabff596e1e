//! Earshot's menu-bar app: a thin Tauri shell. It owns the tray item and the windows and
//! forwards the UI's requests to the Earshot crates; it holds no audit logic itself.

// No console window next to the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod glyph;
mod launch;
mod report;
mod tray;
mod windows;

use std::process::ExitCode;

use tauri::{AppHandle, Manager, RunEvent, State};

use crate::glyph::Glyph;
use crate::launch::{Launch, LaunchEnv};
use crate::report::ConfigReport;

/// The diagnostics of the audit_control the app is looking at (the first real screen).
/// Also refreshes the tray glyph, so the item and the screen never disagree.
#[tauri::command]
fn config_diagnostics(app: AppHandle, launch: State<'_, Launch>) -> ConfigReport {
    let report = ConfigReport::for_root(&launch.root);
    tray::show_glyph(&app, Glyph::for_report(&report));
    report
}

#[tauri::command]
fn open_dashboard(app: AppHandle) -> Result<(), String> {
    windows::open_dashboard(&app).map_err(|e| e.to_string())
}

#[tauri::command]
fn close_popover(app: AppHandle) -> Result<(), String> {
    windows::hide_popover(&app).map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    let launch = Launch::from_args(std::env::args_os(), &LaunchEnv::from_process());

    #[cfg(target_os = "linux")]
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        // libayatana-appindicator falls back to an XEmbed icon without a session bus;
        // the app works, the item is just only visible to an XEmbed tray host.
        eprintln!("earshot-app: warning: no D-Bus session bus; the tray item may not be visible");
    }

    let app = tauri::Builder::default()
        .manage(launch)
        .manage(windows::PopoverBlur::default())
        .invoke_handler(tauri::generate_handler![
            config_diagnostics,
            open_dashboard,
            close_popover
        ])
        .setup(|app| {
            // A menu-bar utility: no Dock icon until a full window is open.
            #[cfg(target_os = "macos")]
            app.set_activation_policy(tauri::ActivationPolicy::Accessory);

            let launch = app.state::<Launch>();
            let glyph = Glyph::for_report(&ConfigReport::for_root(&launch.root));
            let tray = tray::Tray::create(app.handle(), glyph)?;
            app.manage(tray);
            if launch.show_dashboard {
                windows::open_dashboard(app.handle())?;
            }
            if launch.show_popover {
                windows::open_popover_unanchored(app.handle())?;
            }
            Ok(())
        })
        .build(tauri::generate_context!());

    let app = match app {
        Ok(app) => app,
        Err(err) => {
            eprintln!("earshot-app: cannot start: {err}");
            return ExitCode::FAILURE;
        }
    };
    app.run(|_app, event| {
        // Closing the last window must not quit a menu-bar app; only "Quit" (an explicit
        // exit with a code) does.
        if let RunEvent::ExitRequested {
            code: None, api, ..
        } = event
        {
            api.prevent_exit();
        }
    });
    ExitCode::SUCCESS
}
