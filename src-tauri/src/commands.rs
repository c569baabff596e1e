//! The Tauri commands (docs/app-commands.md). Each is a thin call into
//! earshot-api (through [`Live`]), earshot-glance or earshot-chart. Everything
//! read from the Mac's audit files comes from the helper (on a Mac they are
//! root's only); the app renders charts from the helper's data on the blocking
//! pool so the UI thread never waits on drawing.

use std::sync::Arc;

use earshot_api::{
    verbs, ClientError, ComplianceReport, Cursor, ErrorCode, HistoryReport, Measurement,
    NextStepReport, OutcomeChoice, StepReview, StepToken, TrailPage, TrailQuery,
};
use earshot_chart::{Appearance, ChartOptions, ForecastView, RateSeries, SparklineOptions};
use earshot_glance::actions::{self, ApplyResult};
use earshot_glance::{Glance, Preferences, PreferencesFile};
use earshot_model::glance::Confirmed;
use tauri::{AppHandle, Manager, State};
use tauri_plugin_autostart::ManagerExt;

use crate::error::{tauri_error, CmdResult, CommandError};
use crate::launch::{audit_control_path, Launch};
use crate::live::Live;
use crate::windows;

type LiveState<'a> = State<'a, Arc<Live>>;

/// Runs `f` on the blocking pool (chart rendering).
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> CmdResult<T> + Send + 'static,
) -> CmdResult<T> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| CommandError::internal(e.to_string()))?
}

/// A view request the helper refused as out of range (unknown window, target or
/// baseline, page size 0, …) is the caller's bad argument: `invalid`, as when
/// the app checked these itself; anything else keeps the usual mapping.
fn view_error(e: ClientError) -> CommandError {
    match e {
        ClientError::Api(api) if api.code == ErrorCode::InvalidRequest => {
            CommandError::invalid(api.reason)
        }
        other => other.into(),
    }
}

#[tauri::command]
pub async fn config_diagnostics(
    live: LiveState<'_>,
    launch: State<'_, Launch>,
) -> CmdResult<earshot_glance::report::ConfigReport> {
    let path = audit_control_path(&launch.root).display().to_string();
    let read = verbs::read_config(&**live).await;
    Ok(earshot_glance::report::config_report(path, read))
}

#[tauri::command]
pub fn glance(live: LiveState<'_>) -> Glance {
    live.glance()
}

/// The chart window the UI asked for, "hour" by default. The helper checks the
/// name (and refuses others as `invalid`, see [`view_error`]).
fn window_name(window: Option<String>) -> String {
    window.unwrap_or_else(|| "hour".to_string())
}

/// The helper's rate series for `window`, typed.
async fn rate_series(live: &Live, window: String) -> CmdResult<RateSeries> {
    verbs::rate_series(live, window).await.map_err(view_error)
}

async fn forecast_view(live: &Live) -> CmdResult<ForecastView> {
    verbs::forecast_view(live).await.map_err(view_error)
}

#[tauri::command]
pub async fn sparkline(live: LiveState<'_>, window: Option<String>) -> CmdResult<String> {
    let window = window_name(window);
    let series = rate_series(&live, window).await?;
    blocking(move || {
        earshot_chart::sparkline(&series, &SparklineOptions::default())
            .map_err(|e| CommandError::internal(e.to_string()))
    })
    .await
}

#[tauri::command]
pub async fn chart(
    live: LiveState<'_>,
    kind: String,
    window: Option<String>,
    appearance: Option<String>,
) -> CmdResult<String> {
    let window = window_name(window);
    let appearance = match appearance.as_deref().unwrap_or("light") {
        "light" => Appearance::Light,
        "dark" => Appearance::Dark,
        other => {
            return Err(CommandError::invalid(format!(
                "appearance {other:?}: use \"light\" or \"dark\""
            )))
        }
    };
    let opts = ChartOptions {
        appearance,
        ..ChartOptions::default()
    };
    let internal = |e: &dyn std::fmt::Display| CommandError::internal(e.to_string());
    let rendered = match kind.as_str() {
        "rates" => {
            let series = rate_series(&live, window).await?;
            blocking(move || earshot_chart::rates_chart(&series, &opts).map_err(|e| internal(&e)))
                .await?
        }
        "forecast" => {
            let view = forecast_view(&live).await?;
            blocking(move || earshot_chart::forecast_chart(&view, &opts).map_err(|e| internal(&e)))
                .await?
        }
        "soak" => {
            let series = verbs::soak_series(&**live).await.map_err(view_error)?;
            blocking(move || earshot_chart::soak_chart(&series, &opts).map_err(|e| internal(&e)))
                .await?
        }
        other => {
            return Err(CommandError::invalid(format!(
                "chart kind {other:?}: use \"rates\", \"forecast\" or \"soak\""
            )))
        }
    };
    String::from_utf8(rendered.as_bytes().to_vec()).map_err(|e| internal(&e))
}

/// Arguments flat, as the UI sends them (docs/app-commands.md `TrailQuery`).
#[tauri::command]
#[allow(clippy::too_many_arguments)] // one per query field: the command's JSON shape
pub async fn trail_page(
    live: LiveState<'_>,
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
    verbs::trail_page(&**live, query).await.map_err(view_error)
}

#[tauri::command]
pub async fn compliance(live: LiveState<'_>, baseline: String) -> CmdResult<ComplianceReport> {
    verbs::compliance(&**live, baseline)
        .await
        .map_err(view_error)
}

/// The ladder's next step toward `target`: the plan to show, its risks, and
/// the token `apply_plan` sends back so exactly this step is applied.
#[tauri::command]
pub async fn plan_next(live: LiveState<'_>, target: String) -> CmdResult<NextStepReport> {
    verbs::next_step(&**live, target).await.map_err(view_error)
}

/// The last step's soak and review, with every action's token (the wizard
/// opens on it while a step soaks or once its review is ready).
#[tauri::command]
pub async fn review_step(live: LiveState<'_>) -> CmdResult<StepReview> {
    verbs::review_step(&**live).await.map_err(view_error)
}

#[tauri::command]
pub async fn measure(live: LiveState<'_>, classes: String, seconds: u64) -> CmdResult<Measurement> {
    Ok(verbs::measure(&**live, classes, String::new(), seconds).await?)
}

#[tauri::command]
pub async fn apply_plan(
    app: AppHandle,
    live: LiveState<'_>,
    token: StepToken,
    acks: Vec<String>,
    confirm_within: Option<u64>,
    skip_soak: Option<bool>,
) -> CmdResult<ApplyResult> {
    let r = actions::apply_step(
        &mut &**live,
        token,
        acks,
        confirm_within,
        skip_soak.unwrap_or(false),
    )
    .await?;
    live.refresh(&app).await;
    Ok(r)
}

#[tauri::command]
pub async fn confirm(app: AppHandle, live: LiveState<'_>) -> CmdResult<Confirmed> {
    let revision = verbs::confirm(&**live, None).await?;
    live.refresh(&app).await;
    Ok(Confirmed { revision })
}

#[tauri::command]
pub async fn history(live: LiveState<'_>, before: Option<u64>) -> CmdResult<HistoryReport> {
    // One page (the helper bounds it); the view asks for older ones with the
    // page's `next_before`.
    Ok(verbs::history_page(&**live, None, before).await?)
}

#[tauri::command]
pub async fn rollback(
    app: AppHandle,
    live: LiveState<'_>,
    revision: u64,
    acks: Option<Vec<String>>,
) -> CmdResult<ApplyResult> {
    let r = actions::rollback(&mut &**live, revision, acks.unwrap_or_default()).await?;
    live.refresh(&app).await;
    Ok(r)
}

#[tauri::command]
pub async fn rollback_last(
    app: AppHandle,
    live: LiveState<'_>,
    acks: Option<Vec<String>>,
) -> CmdResult<ApplyResult> {
    let r = actions::rollback_last(&mut &**live, acks.unwrap_or_default()).await?;
    live.refresh(&app).await;
    Ok(r)
}

#[tauri::command]
pub async fn rotate(app: AppHandle, live: LiveState<'_>) -> CmdResult<()> {
    verbs::rotate(&**live).await?;
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
    windows::open(&app, windows::DASHBOARD).map_err(tauri_error)
}

#[tauri::command]
pub fn open_window(app: AppHandle, name: String) -> CmdResult<()> {
    windows::open(&app, &name).map_err(|e| match e {
        tauri::Error::WindowNotFound => CommandError::invalid(format!(
            "no window {name:?} (popover, dashboard, wizard, history, preferences)"
        )),
        e => tauri_error(e),
    })
}

#[tauri::command]
pub fn close_popover(app: AppHandle) -> CmdResult<()> {
    windows::hide_popover(&app).map_err(tauri_error)
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
