//! The tray menu's changes, run in the background with their outcome as a
//! notification. What a change does lives in `earshot_glance::actions`
//! (testable without Tauri); this file only wires it to the menu.

use std::sync::Arc;

use earshot_api::verbs;
use earshot_glance::actions::{self, ActionError};
use tauri::{AppHandle, Manager};

use crate::live::Live;
use crate::{tray, windows};

/// Tray menu: rotate in the background, report the outcome as a notification.
pub fn spawn_rotate(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let live = app.state::<Arc<Live>>().inner().clone();
        let text = match verbs::rotate(&mut &*live).await {
            Ok(()) => "A new trail was started.".to_string(),
            Err(e) => format!(
                "Could not rotate: {}",
                crate::error::CommandError::from(e).reason
            ),
        };
        notify(&app, "Rotate Trail", &text);
        live.refresh(&app).await;
    });
}

/// Tray menu: roll back the last change in the background, report the outcome.
pub fn spawn_rollback_last(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let live = app.state::<Arc<Live>>().inner().clone();
        let text = match actions::revision_before_last(&mut &*live).await {
            Err(e) => format!("Could not roll back: {e}"),
            Ok(revision) => match actions::rollback(&mut &*live, revision, Vec::new()).await {
                Ok(r) => format!("audit_control restored (revision {}).", r.revision),
                Err(ActionError::Client(e))
                    if e.code() == Some(earshot_api::ErrorCode::AckRequired) =>
                {
                    // The revision carries risks the user must acknowledge, which a
                    // menu item cannot ask: History opens at that roll-back's
                    // confirmation, with the risks one click away.
                    let at = app.clone();
                    let shown = app.run_on_main_thread(move || {
                        tray::report(windows::open_history_rollback(&at, revision));
                    });
                    match shown {
                        Ok(()) => return,
                        Err(_) => format!("Could not roll back: {e}"),
                    }
                }
                Err(e) => format!("Could not roll back: {e}"),
            },
        };
        notify(&app, "Roll Back Last Change", &text);
        live.refresh(&app).await;
    });
}

fn notify(app: &AppHandle, title: &str, body: &str) {
    use tauri_plugin_notification::NotificationExt;
    if let Err(e) = app.notification().builder().title(title).body(body).show() {
        eprintln!("earshot-app: {title}: {body} ({e})");
    }
}
