//! Changes made through the helper, shared by the commands and the tray menu.
//! Each is a short sequence of helper requests; what to write comes from the
//! helper too (`next_step`: the ladder's step and what applying it takes), so
//! the app never reads the Mac's audit files itself.

use std::sync::Arc;

use earshot_api::{
    AppliedReport, Change, ChangeTerms, ClientError, ErrorCode, NextStepReport, PendingConfirm,
    Request, Response, StepAction,
};
use serde::Serialize;
use tauri::{AppHandle, Manager};

use crate::error::{CmdResult, CommandError};
use crate::live::Live;
use crate::{tray, windows};

/// What apply, rollback and enable return to the UI (docs/app-commands.md).
#[derive(Debug, Clone, Serialize)]
pub struct ApplyResult {
    pub revision: u64,
    pub unchanged: bool,
    pub pending_confirm: Option<PendingConfirm>,
    pub changes: Vec<Change>,
    pub reload_warning: Option<String>,
}

impl From<AppliedReport> for ApplyResult {
    fn from(r: AppliedReport) -> Self {
        ApplyResult {
            revision: r.revision,
            unchanged: r.unchanged,
            pending_confirm: r.pending,
            changes: r.changes,
            reload_warning: r.reload_warning,
        }
    }
}

fn unexpected(what: &str, r: &Response) -> CommandError {
    CommandError::internal(format!("unexpected answer to {what}: {r:?}"))
}

/// The hash of audit_control now, as the helper reads it.
async fn config_hash(live: &Live) -> CmdResult<String> {
    match live.call(Request::ReadConfig).await? {
        Response::Config(c) => Ok(c.hash),
        other => Err(unexpected("read_config", &other)),
    }
}

/// Restores the bytes of `revision`.
pub async fn rollback(live: &Live, revision: u64, acks: Vec<String>) -> CmdResult<ApplyResult> {
    let base_hash = config_hash(live).await?;
    let terms = ChangeTerms {
        base_hash,
        acks,
        reason: format!("Earshot app: roll back to revision {revision}"),
        confirm_within_secs: None,
    };
    match live.call(Request::Rollback { revision, terms }).await? {
        Response::Applied(r) => Ok(r.into()),
        other => Err(unexpected("rollback", &other)),
    }
}

/// The revision before the newest one: what "roll back last change" restores.
async fn revision_before_last(live: &Live) -> CmdResult<u64> {
    let revisions = match live
        .call(Request::History {
            limit: Some(2),
            before: None,
        })
        .await?
    {
        Response::History(h) => h.revisions,
        other => return Err(unexpected("history", &other)),
    };
    revisions
        .get(1)
        .map(|r| r.number)
        .ok_or_else(|| CommandError::invalid("there is no earlier revision to roll back to"))
}

/// Restores the revision before the newest one.
pub async fn rollback_last(live: &Live, acks: Vec<String>) -> CmdResult<ApplyResult> {
    let revision = revision_before_last(live).await?;
    rollback(live, revision, acks).await
}

/// The ladder's next step toward `target` as the helper plans it. An unknown
/// target is the caller's mistake (`invalid`).
pub async fn next_step(live: &Live, target: String) -> CmdResult<NextStepReport> {
    match live.call(Request::NextStep { target }).await {
        Ok(Response::NextStep(step)) => Ok(step),
        Ok(other) => Err(unexpected("next_step", &other)),
        Err(ClientError::Api(api)) if api.code == ErrorCode::InvalidRequest => {
            Err(CommandError::invalid(api.reason))
        }
        Err(e) => Err(e.into()),
    }
}

/// The ladder's next step toward `target`, applied through the helper.
pub async fn apply_plan(
    live: &Live,
    target: String,
    acks: Vec<String>,
    confirm_within: Option<u64>,
) -> CmdResult<ApplyResult> {
    let step = next_step(live, target).await?;
    let (Some(plan), Some(action)) = (&step.plan, step.action) else {
        return Err(CommandError::invalid(
            "nothing to apply: the target is already met",
        ));
    };
    let missing: Vec<_> = step
        .risks
        .into_iter()
        .filter(|r| !acks.contains(&r.id))
        .collect();
    if !missing.is_empty() {
        return Err(CommandError::needs_acks(missing));
    }
    let title = plan
        .get("title")
        .and_then(|t| t.as_str())
        .unwrap_or("next step");
    let result = match action {
        StepAction::EnableAuditing { read_hash } => {
            let now = match live.call(Request::ReadConfig).await? {
                Response::Config(c) => c,
                other => return Err(unexpected("read_config", &other)),
            };
            let same = match &read_hash {
                None => !now.exists,
                Some(h) => now.exists && &now.hash == h,
            };
            if !same {
                return Err(CommandError::invalid(
                    "audit_control changed since the plan read it; plan again",
                ));
            }
            match live.call(Request::EnableAuditing).await? {
                Response::AuditingEnabled(r) => {
                    let revision = match r.created_revision {
                        Some(rev) => rev,
                        None => head_revision(live).await?,
                    };
                    ApplyResult {
                        revision,
                        unchanged: r.created_revision.is_none(),
                        pending_confirm: None,
                        changes: Vec::new(),
                        reload_warning: (!r.auditing).then(|| {
                            "auditing did not start; see the health in the popover".into()
                        }),
                    }
                }
                other => return Err(unexpected("enable_auditing", &other)),
            }
        }
        StepAction::Write { text, base_hash } => {
            let terms = ChangeTerms {
                base_hash,
                acks,
                reason: format!("Earshot app: {title}"),
                confirm_within_secs: confirm_within,
            };
            match live.call(Request::Apply { text, terms }).await? {
                Response::Applied(r) => ApplyResult::from(r),
                other => return Err(unexpected("apply", &other)),
            }
        }
    };
    if let (false, Some(record)) = (result.unchanged, step.step_record) {
        // Keep the prediction next to the revision for a later review (`earshot
        // plan --review`); losing it only loses that review, not the change.
        let req = Request::RecordStep {
            revision: result.revision,
            record,
        };
        if let Err(e) = live.call(req).await {
            eprintln!("earshot-app: could not record the step's prediction: {e}");
        }
    }
    Ok(result)
}

async fn head_revision(live: &Live) -> CmdResult<u64> {
    match live
        .call(Request::History {
            limit: Some(1),
            before: None,
        })
        .await?
    {
        Response::History(h) => Ok(h.revisions.first().map_or(0, |r| r.number)),
        other => Err(unexpected("history", &other)),
    }
}

pub async fn rotate(live: &Live) -> CmdResult<()> {
    match live.call(Request::Rotate).await? {
        Response::Rotated => Ok(()),
        other => Err(unexpected("rotate", &other)),
    }
}

/// Tray menu: rotate in the background, report the outcome as a notification.
pub fn spawn_rotate(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let live = app.state::<Arc<Live>>().inner().clone();
        let text = match rotate(&live).await {
            Ok(()) => "A new trail was started.".to_string(),
            Err(e) => format!("Could not rotate: {}", e.reason),
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
        let text = match revision_before_last(&live).await {
            Err(e) => format!("Could not roll back: {}", e.reason),
            Ok(revision) => match rollback(&live, revision, Vec::new()).await {
                Ok(r) => format!("audit_control restored (revision {}).", r.revision),
                Err(e) if e.helper_code.as_deref() == Some("ack-required") => {
                    // The revision carries risks the user must acknowledge, which a
                    // menu item cannot ask: History opens at that roll-back's
                    // confirmation, with the risks one click away.
                    let at = app.clone();
                    let shown = app.run_on_main_thread(move || {
                        tray::report(windows::open_history_rollback(&at, revision));
                    });
                    match shown {
                        Ok(()) => return,
                        Err(_) => format!("Could not roll back: {}", e.reason),
                    }
                }
                Err(e) => format!("Could not roll back: {}", e.reason),
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
