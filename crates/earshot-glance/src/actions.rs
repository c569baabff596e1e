//! The app's changes, as the user asks for them: a tuning step, a roll back to a
//! revision, a roll back of the last change. Each is one call of the helper or a
//! short sequence that the helper's base hash keeps safe (a change made
//! meanwhile is refused, never overwritten). Generic over [`Call`], so the
//! Tauri shell passes its reconnecting connection and the tests a plain client.

use earshot_api::{verbs, Call, ChangeTerms, ClientError, StepToken};
pub use earshot_model::glance::ApplyResult;

/// Why an action did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error("there is no earlier revision to roll back to")]
    NoEarlierRevision,
}

/// Applies exactly the step `token` names (from `next_step`, or a tweak of the
/// review), with the risks the user acknowledged, as the helper's one
/// `apply_step` action. `skip_soak`: the user chose to go on while the previous
/// step is still soaking.
pub async fn apply_step<C: Call + Send>(
    c: &mut C,
    token: StepToken,
    acks: Vec<String>,
    confirm_within_secs: Option<u64>,
    skip_soak: bool,
) -> Result<ApplyResult, ActionError> {
    let done = verbs::apply_step(c, token, acks, confirm_within_secs, None, skip_soak).await?;
    Ok(ApplyResult::from(done.applied))
}

/// Restores the bytes of `revision`, based on the file as the helper reads it now.
pub async fn rollback<C: Call + Send>(
    c: &mut C,
    revision: u64,
    acks: Vec<String>,
) -> Result<ApplyResult, ActionError> {
    let base_hash = verbs::read_config(&mut *c).await?.hash;
    let terms = ChangeTerms {
        base_hash,
        acks,
        reason: format!("Earshot app: roll back to revision {revision}"),
        confirm_within_secs: None,
    };
    Ok(verbs::rollback(c, revision, terms).await?.into())
}

/// The revision before the newest one: what "roll back last change" restores.
pub async fn revision_before_last<C: Call + Send>(c: &mut C) -> Result<u64, ActionError> {
    let h = verbs::history(c, Some(2)).await?;
    h.revisions
        .get(1)
        .map(|r| r.number)
        .ok_or(ActionError::NoEarlierRevision)
}

/// Restores the revision before the newest one.
pub async fn rollback_last<C: Call + Send>(
    c: &mut C,
    acks: Vec<String>,
) -> Result<ApplyResult, ActionError> {
    let revision = revision_before_last(&mut *c).await?;
    rollback(c, revision, acks).await
}
