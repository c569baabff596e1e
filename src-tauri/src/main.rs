//! Earshot's menu-bar app: a thin Tauri shell. It owns the tray item and the windows and
//! forwards the UI's requests to the Earshot crates; what it shows and decides lives in
//! earshot-glance, what it changes goes through the helper (earshot-api).

// No console window next to the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod actions;
mod commands;
mod error;
mod glyph;
mod launch;
mod live;
mod report;
mod tray;
mod windows;

use std::process::ExitCode;
use std::sync::Arc;

use tauri::{Manager, RunEvent};

use crate::launch::{Launch, LaunchEnv};
use crate::live::Live;

fn main() -> ExitCode {
    let launch = Launch::from_args(std::env::args_os(), &LaunchEnv::from_process());

    #[cfg(target_os = "linux")]
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        // libayatana-appindicator falls back to an XEmbed icon without a session bus;
        // the app works, the item is just only visible to an XEmbed tray host.
        eprintln!("earshot-app: warning: no D-Bus session bus; the tray item may not be visible");
    }

    let app = tauri::Builder::default()
        .plugin(tauri_plugin_positioner::init())
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            None,
        ))
        .manage(launch)
        .manage(windows::PopoverBlur::default())
        .manage(windows::PaintClock::default())
        .invoke_handler(tauri::generate_handler![
            commands::config_diagnostics,
            commands::glance,
            commands::sparkline,
            commands::chart,
            commands::trail_page,
            commands::compliance,
            commands::plan_next,
            commands::measure,
            commands::apply_plan,
            commands::confirm,
            commands::history,
            commands::rollback,
            commands::rollback_last,
            commands::rotate,
            commands::get_preferences,
            commands::set_preferences,
            commands::open_dashboard,
            commands::open_window,
            commands::close_popover,
            commands::first_paint,
        ])
        .setup(|app| {
            // A menu-bar utility: no Dock icon until a full window is open.
            #[cfg(target_os = "macos")]
            app.set_activation_policy(tauri::ActivationPolicy::Accessory);

            let launch = app.state::<Launch>().inner().clone();
            let prefs_path = app
                .path()
                .app_config_dir()?
                .join(earshot_glance::prefs::FILE_NAME);
            let live = Arc::new(Live::new(launch.sys_root(), prefs_path));
            app.manage(live.clone());
            let tray = tray::Tray::create(app.handle())?;
            app.manage(tray);
            live.publish(app.handle());
            tauri::async_runtime::spawn(live.clone().watch(app.handle().clone()));
            tauri::async_runtime::spawn(live.tick(app.handle().clone()));
            for label in &launch.open {
                windows::open(app.handle(), label)?;
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
