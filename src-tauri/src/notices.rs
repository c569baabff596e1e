//! Alerts in the notification centre (earshot-glance decides when; this only
//! shows and withdraws). Each alert kind has one stable notification id, so a
//! recovered state withdraws exactly its own notification and a raised one is
//! never shown twice; a click on a notification opens the window where the user
//! acts on it (History for a drift, the dashboard otherwise).

use earshot_glance::{Alert, AlertKind};
use tauri::AppHandle;
use tauri_plugin_notification::NotificationExt;

use crate::{tray, windows};

/// The notification id of an alert kind: its place in [`AlertKind::ALL`], from 1
/// (0 is the plugin's "no id").
fn notification_id(kind: AlertKind) -> i32 {
    AlertKind::ALL
        .iter()
        .position(|k| *k == kind)
        .and_then(|i| i32::try_from(i + 1).ok())
        .unwrap_or(i32::MAX)
}

fn kind_of(id: i32) -> Option<AlertKind> {
    AlertKind::ALL
        .iter()
        .copied()
        .find(|k| notification_id(*k) == id)
}

/// Where a click on an alert's notification leads.
fn window_for(kind: AlertKind) -> &'static str {
    match kind {
        AlertKind::Drift => windows::HISTORY,
        // The wizard opens on the soaked step's review.
        AlertKind::SoakReviewed => windows::WIZARD,
        AlertKind::AuditingStopped | AlertKind::BelowMinfree | AlertKind::MinfreeSoon => {
            windows::DASHBOARD
        }
    }
}

/// Registers the click handler. Call once at start-up, before any alert: the
/// plugin reports clicks only for notifications shown after a handler exists.
pub fn listen(app: &AppHandle) {
    let handle = app.clone();
    let registered = app.notification().on_action(move |performed| {
        if performed.action_id() != "tap" {
            return;
        }
        let Some(kind) = performed.notification().and_then(|n| kind_of(n.id())) else {
            return;
        };
        // The handler runs on the plugin's thread; windows are made on the main one.
        let app = handle.clone();
        let ran = handle.run_on_main_thread(move || {
            tray::report(windows::open(&app, window_for(kind)));
        });
        if let Err(e) = ran {
            eprintln!("earshot-app: opening {}: {e}", window_for(kind));
        }
    });
    if let Err(e) = registered {
        eprintln!("earshot-app: notification clicks will not open a window: {e}");
    }
}

/// Shows `alert` in the notification centre.
pub fn raise(app: &AppHandle, alert: &Alert) {
    let shown = app
        .notification()
        .builder()
        .id(notification_id(alert.kind))
        .title(&alert.title)
        .body(&alert.body)
        .show();
    if let Err(e) = shown {
        eprintln!("earshot-app: notification {}: {e}", alert.kind.id());
    }
}

/// The state behind `kind` recovered: its notification leaves the notification
/// centre (the popover's warning is already gone).
pub fn withdraw(app: &AppHandle, kind: AlertKind) {
    // Linux and the BSDs: the plugin closes it over D-Bus (CloseNotification).
    if let Err(e) = app
        .notification()
        .remove_active(vec![notification_id(kind)])
    {
        eprintln!("earshot-app: withdrawing {}: {e}", kind.id());
    }
    #[cfg(target_os = "macos")]
    macos::withdraw_delivered(kind.title());
}

#[cfg(target_os = "macos")]
mod macos {
    #![allow(deprecated)] // NSUserNotificationCenter: the centre notify-rust posts to.

    use objc2_foundation::NSUserNotificationCenter;

    /// The plugin's `remove_active` does nothing on macOS (notify-rust keeps no
    /// handle there), but the notifications it posts through
    /// NSUserNotificationCenter are listed as this process's delivered ones.
    pub fn withdraw_delivered(title: &str) {
        let centre = NSUserNotificationCenter::defaultUserNotificationCenter();
        for n in centre.deliveredNotifications().iter() {
            if n.title().is_some_and(|t| t.to_string() == title) {
                centre.removeDeliveredNotification(&n);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_alert_kind_has_its_own_id_and_comes_back_from_it() {
        let ids: Vec<i32> = AlertKind::ALL.iter().map(|k| notification_id(*k)).collect();
        for (i, id) in ids.iter().enumerate() {
            assert!(*id > 0, "0 is the plugin's 'no id'");
            assert!(!ids[..i].contains(id), "ids are distinct: {ids:?}");
            assert_eq!(kind_of(*id), Some(AlertKind::ALL[i]));
        }
        assert_eq!(kind_of(0), None);
        assert_eq!(kind_of(99), None);
    }

    #[test]
    fn a_drift_click_opens_history_and_space_alerts_the_dashboard() {
        assert_eq!(window_for(AlertKind::Drift), windows::HISTORY);
        assert_eq!(window_for(AlertKind::BelowMinfree), windows::DASHBOARD);
        assert_eq!(window_for(AlertKind::AuditingStopped), windows::DASHBOARD);
        assert_eq!(window_for(AlertKind::SoakReviewed), windows::WIZARD);
    }
}
