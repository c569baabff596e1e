//! Earshot's menu-bar app: a thin Tauri shell. It owns the tray item and the windows and
//! forwards the UI's requests to the Earshot crates; what it shows and decides lives in
//! earshot-glance, what it changes goes through the helper (earshot-api).
#![forbid(unsafe_code)]
// No console window next to the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod actions;
mod commands;
mod error;
mod glyph;
mod launch;
mod live;
mod notices;
mod tray;
#[cfg(test)]
#[path = "../ui_dist.rs"]
mod ui_dist;
mod windows;

use std::process::ExitCode;
use std::sync::Arc;

use tauri::{AppHandle, Manager, RunEvent};

use crate::launch::{Claim, Launch, LaunchEnv, Request};
use crate::live::Live;

fn main() -> ExitCode {
    // Before any thread starts (setting the environment is only sound then).
    #[cfg(target_os = "linux")]
    render_without_gl_compositing();

    let env = LaunchEnv::from_process();
    let launch = Launch::from_args(std::env::args_os(), &env);

    // One app per root: a later launch hands over what it was asked to show and exits
    // before it starts any GUI (so it is quick, and never shows a second tray item).
    let socket = launch::socket_path(&launch.root, &env);
    #[cfg(unix)]
    let mut listener = None;
    match launch::claim(&socket, &launch.request()) {
        Claim::Forwarded => {
            eprintln!(
                "earshot-app: Earshot already runs for {}; handed the request to it",
                launch.root.display()
            );
            return ExitCode::SUCCESS;
        }
        Claim::Alone(why) => {
            eprintln!("earshot-app: note: later launches will start another app: {why}");
        }
        #[cfg(unix)]
        Claim::First(l) => listener = Some(l),
    }
    #[cfg(unix)]
    let owned_socket = listener.as_ref().map(|l| l.path().to_path_buf());

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
        .manage(windows::PopoverLife::default())
        .invoke_handler(tauri::generate_handler![
            commands::config_diagnostics,
            commands::glance,
            commands::sparkline,
            commands::chart,
            commands::trail_page,
            commands::compliance,
            commands::plan_next,
            commands::review_step,
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
            notices::listen(app.handle());
            let tray = tray::Tray::create(app.handle())?;
            app.manage(tray);
            live.publish(app.handle());
            tauri::async_runtime::spawn(live.clone().watch(app.handle().clone()));
            tauri::async_runtime::spawn(live.tick(app.handle().clone()));
            for label in &launch.open {
                windows::open(app.handle(), label)?;
            }
            if launch.toggle_popover {
                windows::toggle_popover(app.handle())?;
            }
            #[cfg(unix)]
            if let Some(listener) = listener {
                let handle = app.handle().clone();
                listener.serve(move |request| {
                    // Windows are made and shown on the main thread, as for a tray click.
                    let app = handle.clone();
                    tray::report(handle.run_on_main_thread(move || later_launch(&app, &request)));
                })?;
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
    app.run(move |_app, event| match event {
        // Closing the last window must not quit a menu-bar app; only "Quit" (an explicit
        // exit with a code) does.
        RunEvent::ExitRequested {
            code: None, api, ..
        } => api.prevent_exit(),
        // The next launch must not find a socket nobody answers.
        #[cfg(unix)]
        RunEvent::Exit => {
            if let Some(path) = &owned_socket {
                let _ = std::fs::remove_file(path);
            }
        }
        // Finder, Spotlight, `open -a` and the Dock do not start a second process on
        // macOS; they ask the running app to reopen. With nothing else showing, that is
        // the way back to Earshot when its menu-bar item is hidden (behind the notch).
        #[cfg(target_os = "macos")]
        RunEvent::Reopen {
            has_visible_windows: false,
            ..
        } => later_launch(_app, &Request::default()),
        _ => {}
    });
    ExitCode::SUCCESS
}

/// WebKitGTK composites every page with OpenGL by default. Earshot's pages are static
/// documents (text, tables, SVG charts; no video, WebGL or 3D transforms), which it
/// paints as well without: skipping the GL set-up in the UI and web processes took
/// ~70 ms off the popover's cold first paint under Xvfb (software GL) in
/// scripts/bench-app (docs/performance.md), and saves the GL contexts' memory. An
/// explicit setting in the environment (`WEBKIT_DISABLE_COMPOSITING_MODE=0` to keep
/// compositing) is left alone. macOS (WKWebView) has no such switch or cost.
#[cfg(target_os = "linux")]
fn render_without_gl_compositing() {
    const VAR: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";
    if std::env::var_os(VAR).is_none() {
        std::env::set_var(VAR, "1");
    }
}

/// What a later launch asked for, done by the running app.
fn later_launch(app: &AppHandle, request: &Request) {
    if request.is_plain() {
        tray::report(windows::open(app, windows::POPOVER));
        return;
    }
    if request.toggle_popover {
        tray::report(windows::toggle_popover(app));
    }
    for label in &request.open {
        tray::report(windows::open(app, label));
    }
}
