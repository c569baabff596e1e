//! The live link to the helper: one connection subscribed to state pushes, one
//! for requests, reconnecting with backoff; and the glance built from what the
//! helper says, pushed to the tray, the windows (`glance-changed`) and the
//! notification centre.
//!
//! Timers: while nothing is visible and no tray title is shown, the only timers
//! are the reconnect backoff and, once after the popover hides, its retirement
//! (windows.rs); the app otherwise sleeps until the helper pushes.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use earshot_api::{
    Client, ClientError, Event, KeyStore, Request, Response, RevisionSource, StatusReport,
};
use earshot_glance::{
    AlertChange, AlertWatch, Backoff, Connection, ConnectionState, Glance, Inputs, Preferences,
    PreferencesFile, WarningLedger,
};
use tauri::{AppHandle, Emitter, Manager};
use tokio::sync::Notify;

use crate::{notices, tray};

/// Event name the UI listens to (docs/app-commands.md).
pub const GLANCE_CHANGED: &str = "glance-changed";

/// The tray title changes at most this often (the menu bar re-lays out on each change).
const TITLE_INTERVAL: Duration = Duration::from_secs(1);

struct Shared {
    connection: Connection,
    report: Option<StatusReport>,
    drift: bool,
    prefs: Preferences,
    ledger: WarningLedger,
    alerts: AlertWatch,
    glance: Option<Glance>,
    /// The title the tray shows now (`None` = never set) and when it was set.
    title_shown: Option<Option<String>>,
    title_set_at: Option<Instant>,
}

pub struct Live {
    /// The simulated Mac the helper serves (`None`: this Mac).
    pub root: Option<PathBuf>,
    keys: Result<KeyStore, String>,
    requests: tokio::sync::Mutex<Option<Client>>,
    /// A second connection for the views (charts, trail pages, compliance, the
    /// wizard's step): the helper answers one connection in order, so a long
    /// trail scan here never holds up a status refresh or a change there.
    views: tokio::sync::Mutex<Option<Client>>,
    shared: Mutex<Shared>,
    /// Wakes the 1 Hz refresh when a window opens or the title preference changes.
    wake: Notify,
    pub prefs_path: PathBuf,
}

impl Live {
    pub fn new(root: Option<PathBuf>, prefs_path: PathBuf) -> Self {
        let prefs = Preferences::load(&prefs_path).unwrap_or_else(|e| {
            // A broken file must not keep the app from starting; the next save replaces it.
            eprintln!("earshot-app: {e}; using default preferences");
            Preferences::default()
        });
        Live {
            root,
            keys: KeyStore::platform().map_err(|e| e.to_string()),
            requests: tokio::sync::Mutex::new(None),
            views: tokio::sync::Mutex::new(None),
            shared: Mutex::new(Shared {
                connection: Connection::connecting(),
                report: None,
                drift: false,
                prefs,
                ledger: WarningLedger::default(),
                alerts: AlertWatch::default(),
                glance: None,
                title_shown: None,
                title_set_at: None,
            }),
            wake: Notify::new(),
            prefs_path,
        }
    }

    fn shared(&self) -> MutexGuard<'_, Shared> {
        self.shared
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    async fn connect(&self) -> Result<Client, ClientError> {
        let keys = self
            .keys
            .as_ref()
            .map_err(|e| ClientError::Protocol(format!("no keyring: {e}")))?;
        Client::connect_paired(self.root.as_deref(), keys).await
    }

    /// One request on the request connection (the views on theirs), connecting
    /// it first if needed. A broken connection is dropped so the next request
    /// reconnects.
    pub async fn call(&self, request: Request) -> Result<Response, ClientError> {
        let view = matches!(
            request,
            Request::RateSeries { .. }
                | Request::ForecastView {}
                | Request::TrailPage { .. }
                | Request::Compliance { .. }
                | Request::NextStep { .. }
        );
        let mut guard = if view {
            self.views.lock().await
        } else {
            self.requests.lock().await
        };
        // A kept connection may have died with a helper restart; a read-only request
        // is then retried once on a fresh one. Changes are not retried: the helper
        // may have applied one whose answer was lost.
        let retry = guard.is_some()
            && (view
                || matches!(
                    request,
                    Request::Status
                        | Request::History { .. }
                        | Request::ReadConfig
                        | Request::TrailStats
                ));
        for attempt in 0..2 {
            let client = match guard.as_mut() {
                Some(c) => c,
                None => guard.insert(self.connect().await?),
            };
            let result = client.call(request.clone()).await;
            if matches!(&result, Err(e) if e.code().is_none()) {
                *guard = None;
                if retry && attempt == 0 {
                    continue;
                }
            }
            return result;
        }
        unreachable!("the loop returns on its last attempt")
    }

    pub fn prefs(&self) -> Preferences {
        self.shared().prefs.clone()
    }

    pub fn set_prefs(&self, app: &AppHandle, prefs: Preferences) {
        self.shared().prefs = prefs;
        self.publish(app);
        self.wake.notify_one();
    }

    /// A window became visible: start the 1 Hz refresh if it was idle.
    pub fn window_shown(&self) {
        self.wake.notify_one();
    }

    /// The current glance (built now if nothing was published yet).
    pub fn glance(&self) -> Glance {
        let mut s = self.shared();
        if let Some(g) = &s.glance {
            return g.clone();
        }
        let g = build(&mut s);
        s.glance = Some(g.clone());
        g
    }

    /// Asks the helper for a full status (with the detail document) and publishes.
    pub async fn refresh(&self, app: &AppHandle) {
        match earshot_api::verbs::status(self).await {
            Ok(report) => {
                let mut s = self.shared();
                s.report = Some(report);
                s.connection = Connection::connected();
            }
            Err(e) if e.code().is_none() => {
                self.shared().connection = Connection::unavailable(e.to_string());
            }
            Err(e) => eprintln!("earshot-app: status refused: {e}"),
        }
        self.publish(app);
    }

    fn set_connection(&self, app: &AppHandle, c: Connection) {
        if c.state == ConnectionState::Connected {
            // The 1 Hz refresh waits while disconnected.
            self.wake.notify_one();
        }
        let changed = {
            let mut s = self.shared();
            let changed = s.connection != c;
            s.connection = c;
            changed
        };
        if changed {
            self.publish(app);
        }
    }

    /// Rebuilds the glance and sends it everywhere it shows.
    pub fn publish(&self, app: &AppHandle) {
        let (glance, changes, set_title) = {
            let mut s = self.shared();
            let g = build(&mut s);
            let alerts = s.prefs.alerts.clone();
            let changes = s.alerts.observe(&g, &alerts);
            let title_due = s.title_set_at.is_none_or(|t| t.elapsed() >= TITLE_INTERVAL);
            let title_changed = s.title_shown.as_ref() != Some(&g.tray.title);
            // Turning the title off is never held back; a skipped change is caught by
            // the next 1 Hz refresh (which runs whenever a title is shown).
            let set_title = title_changed && (title_due || g.tray.title.is_none());
            if set_title {
                s.title_set_at = Some(Instant::now());
                s.title_shown = Some(g.tray.title.clone());
            }
            s.glance = Some(g.clone());
            (g, changes, set_title)
        };
        tray::show_glance(app, &glance, set_title);
        if let Err(e) = app.emit(GLANCE_CHANGED, &glance) {
            eprintln!("earshot-app: cannot emit {GLANCE_CHANGED}: {e}");
        }
        for change in changes {
            match change {
                AlertChange::Raise(alert) => notices::raise(app, &alert),
                AlertChange::Clear(kind) => notices::withdraw(app, kind),
            }
        }
    }

    /// The subscription: connect, subscribe, refresh on every push; on failure
    /// show "unavailable" with the reason and retry with backoff.
    pub async fn watch(self: Arc<Self>, app: AppHandle) {
        let mut backoff = Backoff::default();
        loop {
            match self.connect().await {
                Ok(mut sub) => match sub.subscribe().await {
                    Ok(()) => {
                        backoff.reset();
                        self.set_connection(&app, Connection::connected());
                        self.check_drift().await;
                        self.refresh(&app).await;
                        let reason = loop {
                            match sub.next_event().await {
                                Ok(Event::State(_)) => self.refresh(&app).await,
                                Ok(Event::Revision(info)) => {
                                    self.shared().drift = info.source == RevisionSource::External;
                                    self.refresh(&app).await;
                                }
                                Err(e) => break e.to_string(),
                            }
                        };
                        self.set_connection(&app, Connection::unavailable(reason));
                    }
                    Err(e) => self.set_connection(&app, Connection::unavailable(e.to_string())),
                },
                Err(e) => self.set_connection(&app, Connection::unavailable(e.to_string())),
            }
            tokio::time::sleep(backoff.next_delay()).await;
        }
    }

    /// Drift = the newest revision is an edit made outside Earshot.
    async fn check_drift(&self) {
        if let Ok(h) = earshot_api::verbs::history(self, Some(1)).await {
            self.shared().drift = h
                .revisions
                .first()
                .is_some_and(|r| r.source == RevisionSource::External);
        }
    }

    /// The ≤ 1 Hz refresh, only while a title is shown or a window is visible
    /// (rates change every second but are not pushed); otherwise it waits.
    pub async fn tick(self: Arc<Self>, app: AppHandle) {
        loop {
            let title = self.shared().prefs.title;
            let connected = self.shared().connection.state == ConnectionState::Connected;
            if connected && earshot_glance::title::needs_ticks(title, visible_windows(&app)) {
                tokio::time::sleep(Duration::from_secs(1)).await;
                self.refresh(&app).await;
            } else {
                self.wake.notified().await;
            }
        }
    }
}

fn build(s: &mut Shared) -> Glance {
    let now_unix = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let Shared {
        connection,
        report,
        drift,
        prefs,
        ledger,
        ..
    } = s;
    earshot_glance::glance::build(
        Inputs {
            connection: connection.clone(),
            report: report.as_ref(),
            prefs,
            drift: *drift,
            now_unix,
        },
        ledger,
    )
}

fn visible_windows(app: &AppHandle) -> usize {
    app.webview_windows()
        .values()
        .filter(|w| w.is_visible().unwrap_or(false))
        .count()
}

/// The app's connections answer typed verbs (`earshot_api::verbs`) and the
/// actions of `earshot_glance::actions` like any client.
impl earshot_api::Call for &Live {
    fn call(
        &mut self,
        request: Request,
    ) -> impl std::future::Future<Output = Result<Response, ClientError>> + Send {
        Live::call(self, request)
    }
}
