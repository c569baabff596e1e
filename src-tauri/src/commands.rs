//! The Tauri commands (docs/app-commands.md). Each is a thin call into
//! earshot-api (through [`Live`]), earshot-glance or earshot-chart; work that
//! reads files runs on the blocking pool so the UI thread never waits on a disk.

use std::sync::Arc;

use earshot_api::{HistoryReport, MeasureReport, Request, Response};
use earshot_chart::{source, Appearance, ChartOptions, RateSpan, SparklineOptions};
use earshot_core::status::StatusOptions;
use earshot_glance::pager::{self, Cursor, OutcomeChoice, Source, TrailPage, TrailQuery};
use earshot_glance::{wizard, Glance, Preferences};
use tauri::{AppHandle, Manager, State};
use tauri_plugin_autostart::ManagerExt;

use crate::actions::{self, launch_kind, ApplyResult};
use crate::error::{CmdResult, CommandError};
use crate::launch::Launch;
use crate::live::Live;
use crate::report::ConfigReport;
use crate::windows;

type LiveState<'a> = State<'a, Arc<Live>>;

/// Runs `f` on the blocking pool (file reads, chart rendering).
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> CmdResult<T> + Send + 'static,
) -> CmdResult<T> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| CommandError::internal(e.to_string()))?
}

fn unexpected(what: &str, r: &Response) -> CommandError {
    CommandError::internal(format!("unexpected answer to {what}: {r:?}"))
}

#[tauri::command]
pub fn config_diagnostics(launch: State<'_, Launch>) -> ConfigReport {
    ConfigReport::for_root(&launch.root)
}

#[tauri::command]
pub fn glance(live: LiveState<'_>) -> Glance {
    live.glance()
}

fn rate_span(window: Option<&str>) -> CmdResult<RateSpan> {
    match window.unwrap_or("hour") {
        "hour" => Ok(RateSpan::Hour),
        "day" => Ok(RateSpan::Day),
        other => Err(CommandError::invalid(format!(
            "window {other:?}: use \"hour\" or \"day\""
        ))),
    }
}

#[tauri::command]
pub async fn sparkline(launch: State<'_, Launch>, window: Option<String>) -> CmdResult<String> {
    let span = rate_span(window.as_deref())?;
    let root = launch.sys_root();
    blocking(move || {
        let sys = wizard::open_system(root.as_deref())?;
        let series = source::rate_series(sys.as_ref(), span, &StatusOptions { cache_dir: None })
            .map_err(|e| CommandError::internal(e.to_string()))?;
        earshot_chart::sparkline(&series, &SparklineOptions::default())
            .map_err(|e| CommandError::internal(e.to_string()))
    })
    .await
}

#[tauri::command]
pub async fn chart(
    launch: State<'_, Launch>,
    kind: String,
    window: Option<String>,
    appearance: Option<String>,
) -> CmdResult<String> {
    let span = rate_span(window.as_deref())?;
    let appearance = match appearance.as_deref().unwrap_or("light") {
        "light" => Appearance::Light,
        "dark" => Appearance::Dark,
        other => {
            return Err(CommandError::invalid(format!(
                "appearance {other:?}: use \"light\" or \"dark\""
            )))
        }
    };
    let root = launch.sys_root();
    blocking(move || {
        let sys = wizard::open_system(root.as_deref())?;
        let opts = ChartOptions {
            appearance,
            ..ChartOptions::default()
        };
        let status_opts = StatusOptions { cache_dir: None };
        let internal = |e: &dyn std::fmt::Display| CommandError::internal(e.to_string());
        let rendered = match kind.as_str() {
            "rates" => {
                let series = source::rate_series(sys.as_ref(), span, &status_opts)
                    .map_err(|e| internal(&e))?;
                earshot_chart::rates_chart(&series, &opts).map_err(|e| internal(&e))?
            }
            "forecast" => {
                let view =
                    source::forecast_view(sys.as_ref(), launch_kind(root.as_deref()), &status_opts)
                        .map_err(|e| internal(&e))?;
                earshot_chart::forecast_chart(&view, &opts).map_err(|e| internal(&e))?
            }
            other => {
                return Err(CommandError::invalid(format!(
                    "chart kind {other:?}: use \"rates\" or \"forecast\""
                )))
            }
        };
        String::from_utf8(rendered.as_bytes().to_vec()).map_err(|e| internal(&e))
    })
    .await
}

/// Arguments flat, as the UI sends them (docs/app-commands.md `TrailQuery`).
#[tauri::command]
#[allow(clippy::too_many_arguments)] // one per query field: the command's JSON shape
pub async fn trail_page(
    launch: State<'_, Launch>,
    since: Option<u64>,
    until: Option<u64>,
    classes: Option<Vec<String>>,
    events: Option<Vec<String>>,
    user: Option<String>,
    outcome: Option<OutcomeChoice>,
    cursor: Option<Cursor>,
    page_size: Option<usize>,
) -> CmdResult<TrailPage> {
    let query = TrailQuery {
        since,
        until,
        classes: classes.unwrap_or_default(),
        events: events.unwrap_or_default(),
        user,
        outcome: outcome.unwrap_or_default(),
        cursor,
        page_size,
    };
    let root = launch.sys_root();
    blocking(move || {
        let sys = wizard::open_system(root.as_deref())?;
        let dirs = wizard::trail_dirs(sys.as_ref());
        let tables = wizard::machine_tables(sys.as_ref());
        let user_id = |name: &str| wizard::user_id(sys.as_ref(), name);
        let src = Source {
            dirs: &dirs,
            tables: &tables,
            user_id: &user_id,
        };
        pager::page(&src, &query).map_err(|e| match e {
            pager::PageError::Read { .. } | pager::PageError::Inventory(_) => {
                CommandError::internal(e.to_string())
            }
            _ => CommandError::invalid(e.to_string()),
        })
    })
    .await
}

#[tauri::command]
pub async fn compliance(
    launch: State<'_, Launch>,
    baseline: String,
) -> CmdResult<serde_json::Value> {
    let root = launch.sys_root();
    blocking(move || {
        let sys = wizard::open_system(root.as_deref())?;
        let facts = wizard::observe(sys.as_ref(), launch_kind(root.as_deref()))?;
        let report = wizard::compliance(&facts, &baseline)?;
        serde_json::to_value(report).map_err(|e| CommandError::internal(e.to_string()))
    })
    .await
}

#[tauri::command]
pub async fn plan_next(launch: State<'_, Launch>, target: String) -> CmdResult<serde_json::Value> {
    let target = wizard::parse_target(&target)?;
    let root = launch.sys_root();
    blocking(move || {
        let sys = wizard::open_system(root.as_deref())?;
        let facts = wizard::observe(sys.as_ref(), launch_kind(root.as_deref()))?;
        serde_json::to_value(wizard::next_step(&facts, target))
            .map_err(|e| CommandError::internal(e.to_string()))
    })
    .await
}

#[tauri::command]
pub async fn measure(
    live: LiveState<'_>,
    classes: String,
    seconds: u64,
) -> CmdResult<MeasureReport> {
    let req = Request::Measure {
        flags: classes,
        naflags: String::new(),
        duration_secs: seconds,
    };
    match live.call(req).await? {
        Response::Measured(m) => Ok(m),
        other => Err(unexpected("measure", &other)),
    }
}

#[tauri::command]
pub async fn apply_plan(
    app: AppHandle,
    live: LiveState<'_>,
    launch: State<'_, Launch>,
    target: String,
    acks: Vec<String>,
    confirm_within: Option<u64>,
) -> CmdResult<ApplyResult> {
    let r = actions::apply_plan(&live, &launch, &target, acks, confirm_within).await?;
    live.refresh(&app).await;
    Ok(r)
}

#[tauri::command]
pub async fn confirm(app: AppHandle, live: LiveState<'_>) -> CmdResult<serde_json::Value> {
    match live.call(Request::Confirm { revision: None }).await? {
        Response::Confirmed { revision } => {
            live.refresh(&app).await;
            Ok(serde_json::json!({ "revision": revision }))
        }
        other => Err(unexpected("confirm", &other)),
    }
}

#[tauri::command]
pub async fn history(live: LiveState<'_>) -> CmdResult<HistoryReport> {
    match live.call(Request::History { limit: None }).await? {
        Response::History(h) => Ok(h),
        other => Err(unexpected("history", &other)),
    }
}

#[tauri::command]
pub async fn rollback(
    app: AppHandle,
    live: LiveState<'_>,
    revision: u64,
    acks: Option<Vec<String>>,
) -> CmdResult<ApplyResult> {
    let r = actions::rollback(&live, revision, acks.unwrap_or_default()).await?;
    live.refresh(&app).await;
    Ok(r)
}

#[tauri::command]
pub async fn rollback_last(
    app: AppHandle,
    live: LiveState<'_>,
    acks: Option<Vec<String>>,
) -> CmdResult<ApplyResult> {
    let r = actions::rollback_last(&live, acks.unwrap_or_default()).await?;
    live.refresh(&app).await;
    Ok(r)
}

#[tauri::command]
pub async fn rotate(app: AppHandle, live: LiveState<'_>) -> CmdResult<()> {
    actions::rotate(&live).await?;
    live.refresh(&app).await;
    Ok(())
}

#[tauri::command]
pub fn get_preferences(live: LiveState<'_>) -> Preferences {
    live.prefs()
}

#[tauri::command]
pub fn set_preferences(
    app: AppHandle,
    live: LiveState<'_>,
    prefs: Preferences,
) -> CmdResult<Preferences> {
    prefs.save(&live.prefs_path).map_err(|e| match e {
        earshot_glance::PrefsError::Threshold(_) => CommandError::invalid(e.to_string()),
        _ => CommandError::internal(e.to_string()),
    })?;
    // Launch at login follows the saved preference; failing to register is
    // reported but the other preferences stay saved.
    let autolaunch = app.autolaunch();
    let registered = autolaunch.is_enabled().unwrap_or(false);
    if prefs.launch_at_login != registered {
        let r = if prefs.launch_at_login {
            autolaunch.enable()
        } else {
            autolaunch.disable()
        };
        if let Err(e) = r {
            live.set_prefs(&app, prefs);
            return Err(CommandError::internal(format!("launch at login: {e}")));
        }
    }
    live.set_prefs(&app, prefs.clone());
    Ok(prefs)
}

#[tauri::command]
pub fn open_dashboard(app: AppHandle) -> CmdResult<()> {
    Ok(windows::open(&app, windows::DASHBOARD)?)
}

#[tauri::command]
pub fn open_window(app: AppHandle, name: String) -> CmdResult<()> {
    windows::open(&app, &name).map_err(|e| match e {
        tauri::Error::WindowNotFound => CommandError::invalid(format!(
            "no window {name:?} (popover, dashboard, wizard, history, preferences)"
        )),
        e => e.into(),
    })
}

#[tauri::command]
pub fn close_popover(app: AppHandle) -> CmdResult<()> {
    Ok(windows::hide_popover(&app)?)
}

/// The UI's first frame after a show (docs/app-commands.md "first-paint").
#[tauri::command]
pub fn first_paint(app: AppHandle, view: String) {
    if let Some(d) = app.state::<windows::PaintClock>().painted(&view) {
        eprintln!(
            "earshot-app: first-paint {view} {:.1} ms",
            d.as_secs_f64() * 1000.0
        );
    }
}
