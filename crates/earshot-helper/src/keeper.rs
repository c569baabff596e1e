//! The keeper of audit_control: the apply pipeline, history, drift and
//! auto-revert. Every mutation runs under one lock, in this order:
//!
//! 1. validate (errors block) and compare the client's base hash with the file;
//! 2. require an acknowledgement for each risky change;
//! 3. `snapshot`: the old and new bytes go into history's blob store;
//! 4. `journal`: the intent (the revision to record) is written durably;
//! 5. `write` / `temp-written`: a temp file in the same folder, with the
//!    original owner and mode, fsynced;
//! 6. `renamed`: `uchg` cleared if set, `rename(2)`, `uchg` restored;
//! 7. `dir-synced`: the folder fsynced so the rename survives a crash;
//! 8. `reloaded`: `audit -s`;
//! 9. `verified`: the file read back and compared;
//! 10. `recorded`: the revision appended to the hash chain, then the journal removed.
//!
//! A crash anywhere leaves the file exactly old or exactly new (rename is
//! atomic); on the next start [`Keeper::open`] finishes or discards the
//! journalled step so history always describes the file.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use earshot_api::{
    content_hash, ApiError, AppliedReport, ChangeTerms, ConfigText, Confirmation, EnableReport,
    ErrorCode, Event, Finding, HealthLevel, HistoryReport, Measurement, PendingConfirm, PlanReport,
    RevisionInfo, RevisionSource, StatusReport, StepRecord, TrailStatsReport, HISTORY_PAGE,
    HISTORY_PAGE_BYTES, MAX_CONTROL_LEN, MAX_HISTORY_PAGE, MAX_MEASURE_SECS, MAX_REASON_CHARS,
};
use earshot_api::{quote, DiagnosticSeverity, Risk, StepApplied, StepToken};
use earshot_tuning::plan::{review::AppliedStep, StepKind};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use crate::control::{ControlDir, ControlError};
use crate::fault::Faults;
use crate::fsutil::{create_private_dir, sync_dir, write_atomic, StateError};
use crate::history::{state_hash, History, Revision};
use crate::platform::{
    severity_rank, Assessor, AuditOp, MeasureFailure, Platform, SF_IMMUTABLE, UF_IMMUTABLE,
};
use crate::soak::SoakRecord;
use earshot_tuning::plan::soak::ProposedTweak;

/// Prefix of the temp files the pipeline creates next to audit_control.
const TEMP_PREFIX: &str = ".audit_control.earshot-tmp.";

/// Why steps 5–7 did not happen.
enum Replace {
    /// The file or its folder is not something to write through.
    Unsafe(ControlError),
    /// I/O failed before the rename: the old file is intact.
    Before(std::io::Error),
}

fn too_long(len: usize) -> ApiError {
    ApiError::new(
        ErrorCode::InvalidRequest,
        format!("the proposed audit_control is {len} bytes; Earshot takes at most {MAX_CONTROL_LEN} (a real one is under 1 KiB)"),
    )
}

/// Who asked for a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub uid: u32,
    pub user: String,
}

/// A change that reverts at `deadline_unix` unless confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    pub revision: u64,
    pub deadline_unix: u64,
    /// The revision whose bytes a revert restores.
    pub restores: u64,
}

/// The durable intent of an in-flight change.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Journal {
    revision: Revision,
    old_hash: String,
    pending: Option<Pending>,
}

/// BSD flags the last change could not put back on audit_control (restoring
/// `uchg` failed after the rename); retried on every beat until they stick.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct OwedFlags {
    flags: u32,
    revision: u64,
}

/// How long an outside edit must stay put before it becomes a revision.
#[derive(Debug, Clone, Copy)]
pub struct Settle {
    /// Unchanged this long and valid: recorded.
    pub quiet: std::time::Duration,
    /// Unchanged this long: recorded even when it does not parse (someone
    /// meant it; history must show it).
    pub max: std::time::Duration,
}

impl Default for Settle {
    fn default() -> Self {
        // An editor that truncates, writes, pauses and writes again is done
        // well within 2 s; 30 s bounds how long a real but broken edit goes
        // unrecorded.
        Settle {
            quiet: std::time::Duration::from_secs(2),
            max: std::time::Duration::from_secs(30),
        }
    }
}

/// The most diagnostics and changes one answer carries: a 64 KiB file of
/// nonsense yields thousands, and one frame must hold them with the rest.
const MAX_DIAGNOSTICS: usize = 100;
const MAX_CHANGES: usize = 200;
/// A change's old/new values and summary as history shows them (characters).
const MAX_CHANGE_TEXT: usize = 512;

/// Cut the lists of an assessment, saying what was left out in the last entry.
fn bound_assessment(mut a: crate::platform::Assessment) -> crate::platform::Assessment {
    if a.diagnostics.len() > MAX_DIAGNOSTICS {
        let more = a.diagnostics.len() - (MAX_DIAGNOSTICS - 1);
        // Keep the errors first: they are what blocks the change.
        a.diagnostics
            .sort_by_key(|d| d.severity != DiagnosticSeverity::Error);
        a.diagnostics.truncate(MAX_DIAGNOSTICS - 1);
        a.diagnostics.push(earshot_api::Diagnostic {
            line: 0,
            column: 0,
            severity: DiagnosticSeverity::Info,
            code: "more-diagnostics".into(),
            message: format!("{more} more diagnostics not shown"),
            hint: "fix the ones above and plan again".into(),
        });
    }
    a.changes = bound_changes(std::mem::take(&mut a.changes));
    a
}

fn bound_changes(mut changes: Vec<earshot_api::Change>) -> Vec<earshot_api::Change> {
    if changes.len() > MAX_CHANGES {
        let more = changes.len() - (MAX_CHANGES - 1);
        changes.truncate(MAX_CHANGES - 1);
        changes.push(earshot_api::Change {
            key: String::new(),
            old: None,
            new: None,
            summary: format!("{more} more changes not shown"),
        });
    }
    for c in &mut changes {
        for text in [&mut c.summary, &mut c.key]
            .into_iter()
            .chain(c.old.as_mut())
            .chain(c.new.as_mut())
        {
            if text.chars().count() > MAX_CHANGE_TEXT {
                *text = text.chars().take(MAX_CHANGE_TEXT).collect::<String>() + "…";
            }
        }
    }
    changes
}

/// How a change is made, beyond its terms.
#[derive(Debug, Clone, Default)]
struct Intent {
    source_is_auto_revert: bool,
    skip_acks: bool,
    /// The tuning step this change is, recorded with its revision.
    step: Option<AppliedStep>,
}

pub struct Keeper {
    platform: Arc<dyn Platform>,
    assessor: Arc<dyn Assessor>,
    history: History,
    state_dir: PathBuf,
    lock: Mutex<()>,
    events: broadcast::Sender<Event>,
    /// The last state pushed, so periodic pushes only go out on a change.
    last_state: Mutex<Option<StatusReport>>,
    /// The last chain verification for status: (head number, when, verdict).
    /// Status is polled; walking every record each time would cost the idle
    /// helper more than the rest of its work. `history` always verifies afresh.
    verified: Mutex<Option<(u64, std::time::Instant, Option<String>)>>,
    /// An outside edit seen but not yet settled: its hash and when first seen.
    unsettled: Mutex<Option<(String, std::time::Instant)>>,
    settle: Settle,
    /// The last tuning step's soak (`soak.json`).
    soak: Mutex<Option<SoakRecord>>,
    pub faults: Faults,
    /// Something the snapshot shows changed since it was last written.
    snapshot_dirty: std::sync::atomic::AtomicBool,
    /// When the snapshot was last written.
    snapshot_at: Mutex<Option<std::time::Instant>>,
    /// The managed configuration the last snapshot saw: a profile installed,
    /// changed or removed is picked up on the next beat, without a restart.
    snapshot_managed: Mutex<Option<earshot_model::managed::Managed>>,
    /// The event export's state, as its thread last reported it.
    export: Mutex<Option<earshot_model::status::ExportStatus>>,
}

impl std::fmt::Debug for Keeper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keeper")
            .field("state_dir", &self.state_dir)
            .field("control", &self.platform.control_path())
            .finish()
    }
}

/// The refusal of a step while the previous one soaks: how long is left and
/// what it has cost so far.
fn soaking_error(s: &SoakRecord, now: u64) -> ApiError {
    let left = s.ends_unix().saturating_sub(now) as f64 / 86_400.0;
    let seen = match (s.measured, s.step.prediction.bytes_per_day.typical) {
        (Some(m), p) if p > 0.0 => format!(
            "so far it writes {}/day, {:.2}× the predicted {}/day",
            earshot_model::format::human_bytes_f64(m),
            m / p,
            earshot_model::format::human_bytes_f64(p)
        ),
        _ => "too little has been recorded yet to compare with the prediction".to_string(),
    };
    ApiError::new(
        ErrorCode::Soaking,
        format!(
            "\"{}\" (revision {}) is soaking: {} of {} observed, {} left; {seen}. Review it when the soak ends, or apply anyway with skip_soak (the skipped soak is recorded).",
            s.step.title,
            s.revision,
            earshot_model::format::human_days(s.days_observed(now)),
            earshot_model::format::human_days(s.step.soak_days),
            earshot_model::format::human_days(left),
        ),
    )
}

/// The soak's review: the one made when it ended, or one of the soak so far.
/// Under an hour after the step nothing describes it yet (the last day's rate
/// is mostly the configuration before it), so there is no ratio to judge.
fn review_so_far(
    s: &SoakRecord,
    facts: &earshot_tuning::facts::Facts,
    now: u64,
) -> earshot_model::review::Review {
    if let Some(r) = &s.review {
        return r.clone();
    }
    if s.measured.is_none() && !s.due(now) {
        let days = now.saturating_sub(s.step.applied_at) as f64 / 86_400.0;
        return earshot_model::review::Review {
            verdict: earshot_model::review::Verdict::KeepSoaking,
            reasons: vec![
                format!(
                    "soaking: {} of {} observed",
                    earshot_model::format::human_days(days),
                    earshot_model::format::human_days(s.step.soak_days)
                ),
                "under an hour recorded since the step: nothing to compare with the prediction yet"
                    .into(),
            ],
            days_observed: days,
            ratio: None,
        };
    }
    let obs = earshot_tuning::facts::observation(facts, now, s.measured);
    earshot_tuning::plan::review::review(&s.step, &obs, &facts.classes)
}

fn io_err(what: &str, e: impl std::fmt::Display) -> ApiError {
    ApiError::new(ErrorCode::Io, format!("{what}: {e}"))
}

fn state_err(e: StateError) -> ApiError {
    match e {
        StateError::Corrupt(m) => ApiError::new(ErrorCode::Internal, m),
        e => io_err("helper state", e),
    }
}

impl Keeper {
    /// Open the state folder, finish or discard an interrupted change, record
    /// the original file on first use, and record any edit made while the
    /// helper was not running.
    pub fn open(
        platform: Arc<dyn Platform>,
        assessor: Arc<dyn Assessor>,
        state_dir: &Path,
        faults: Faults,
    ) -> Result<Keeper, ApiError> {
        create_private_dir(state_dir).map_err(state_err)?;
        let history = History::open(state_dir).map_err(state_err)?;
        let (events, _) = broadcast::channel(64);
        let keeper = Keeper {
            platform,
            assessor,
            history,
            state_dir: state_dir.to_path_buf(),
            lock: Mutex::new(()),
            events,
            last_state: Mutex::new(None),
            verified: Mutex::new(None),
            unsettled: Mutex::new(None),
            settle: Settle::default(),
            soak: Mutex::new(crate::soak::load(state_dir)),
            faults,
            snapshot_dirty: std::sync::atomic::AtomicBool::new(true),
            snapshot_at: Mutex::new(None),
            snapshot_managed: Mutex::new(None),
            export: Mutex::new(None),
        };
        {
            let guard = keeper.guard();
            keeper.remove_stale_temps();
            keeper.recover(&guard)?;
            if keeper.history.head().map_err(state_err)?.is_none() {
                let content = keeper.read_control()?;
                let hash = keeper.history.put_content(&content).map_err(state_err)?;
                let rev = keeper.draft(
                    hash,
                    RevisionSource::Original,
                    "audit_control as found before Earshot's first change",
                    &Caller {
                        uid: 0,
                        user: "system".into(),
                    },
                );
                let rev = keeper.history.next(rev).map_err(state_err)?;
                keeper.history.append(&rev).map_err(state_err)?;
            }
            // An edit made while the helper was stopped is as settled as it
            // will get.
            keeper.drift_locked(&guard, true)?;
        }
        Ok(keeper)
    }

    /// How long outside edits must stay put before they are recorded.
    pub fn with_settle(mut self, settle: Settle) -> Keeper {
        self.settle = settle;
        self
    }

    fn guard(&self) -> MutexGuard<'_, ()> {
        // The lock guards no data, only ordering; a panic while held leaves
        // nothing half-updated in memory, so poisoning is ignored.
        self.lock.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.events.subscribe()
    }

    /// Push the current status to subscribers if it differs from the last one
    /// pushed (called on a steady beat by the daemon). Returns whether it pushed.
    pub fn push_state_if_changed(&self) -> bool {
        if self.events.receiver_count() == 0 {
            return false;
        }
        let Ok(status) = self.status() else {
            return false;
        };
        let mut last = self.last_state.lock().unwrap_or_else(|e| e.into_inner());
        if last.as_ref() == Some(&status) {
            return false;
        }
        *last = Some(status.clone());
        self.events.send(Event::State(status)).is_ok()
    }

    pub fn simulated(&self) -> bool {
        self.platform.simulated()
    }

    fn pending_path(&self) -> PathBuf {
        self.state_dir.join("pending.json")
    }

    fn journal_path(&self) -> PathBuf {
        self.state_dir.join("journal.json")
    }

    fn owed_flags_path(&self) -> PathBuf {
        self.state_dir.join("flags-owed.json")
    }

    /// audit_control's folder, reached without following links.
    fn control_dir(&self) -> Result<ControlDir, ControlError> {
        ControlDir::open(&self.platform.control_location())
    }

    /// The file now; `None` when it does not exist (macOS 14+ ships without
    /// one). Links, FIFOs, devices and oversized files are refused.
    fn read_control_checked(&self) -> Result<Option<Vec<u8>>, ControlError> {
        self.control_dir()?.read()
    }

    fn read_control(&self) -> Result<Option<Vec<u8>>, ApiError> {
        self.read_control_checked().map_err(|e| e.to_api())
    }

    fn draft(&self, hash: String, source: RevisionSource, reason: &str, who: &Caller) -> Revision {
        Revision {
            number: 0,
            time_unix: self.platform.now_unix(),
            uid: who.uid,
            user: who.user.clone(),
            source,
            reason: reason.to_string(),
            hash,
            changes: Vec::new(),
            acks: Vec::new(),
            confirm_within_secs: None,
            restores: None,
            prev_chain: String::new(),
            chain: String::new(),
            step: None,
        }
    }

    fn remove_stale_temps(&self) {
        let Ok(dir) = self.control_dir() else { return };
        for name in dir.names_with_prefix(TEMP_PREFIX) {
            let _ = dir.remove(&name);
        }
    }

    /// Finish or discard the journalled change of a previous run.
    fn recover(&self, _guard: &MutexGuard<'_, ()>) -> Result<(), ApiError> {
        let path = self.journal_path();
        let journal: Journal = match std::fs::read(&path) {
            Ok(bytes) => match serde_json::from_slice(&bytes) {
                Ok(j) => j,
                // A journal is written atomically, so a damaged one was never
                // acted on: the rename comes after it.
                Err(_) => {
                    let _ = std::fs::remove_file(&path);
                    return Ok(());
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(io_err("reading the journal", e)),
        };
        let now = state_hash(&self.read_control()?);
        if now == journal.revision.hash {
            // The rename happened: make history say so, then reload (the crash
            // may have come before `audit -s`).
            let head = self.history.head().map_err(state_err)?;
            if head.as_ref().map_or(0, |h| h.number) < journal.revision.number {
                self.history.append(&journal.revision).map_err(state_err)?;
                if let Some(step) = &journal.revision.step {
                    // A step killed after its rename: its soak starts as it would have.
                    self.set_soak(Some(self.new_soak(journal.revision.number, step.clone())))?;
                }
            }
            self.set_pending(journal.pending.as_ref())?;
            let _ = self.platform.audit(AuditOp::Sync);
        }
        // Otherwise the file is still the old one (or was changed by someone
        // else, which the drift check records): nothing happened.
        std::fs::remove_file(&path).map_err(|e| io_err("removing the journal", e))?;
        sync_dir(&self.state_dir).map_err(state_err)
    }

    fn load_pending(&self) -> Result<Option<Pending>, ApiError> {
        match std::fs::read(self.pending_path()) {
            Ok(bytes) => Ok(serde_json::from_slice(&bytes).ok()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_err("reading the pending change", e)),
        }
    }

    /// The pending change, if it still names the newest revision (anything
    /// applied since supersedes it).
    fn live_pending(&self) -> Result<Option<Pending>, ApiError> {
        let Some(p) = self.load_pending()? else {
            return Ok(None);
        };
        let head = self.history.head().map_err(state_err)?;
        Ok(head.filter(|h| h.number == p.revision).map(|_| p))
    }

    fn set_pending(&self, pending: Option<&Pending>) -> Result<(), ApiError> {
        match pending {
            Some(p) => {
                let json = serde_json::to_vec(p).map_err(|e| io_err("encoding", e))?;
                write_atomic(&self.pending_path(), &json, 0o600).map_err(state_err)
            }
            None => match std::fs::remove_file(self.pending_path()) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(io_err("removing the pending change", e)),
            },
        }
    }

    /// Record an outside edit as an `external` revision (bytes kept).
    /// An edit is recorded once it has settled (see [`Settle`]), so the
    /// half-written moment of a non-atomic editor never becomes a revision
    /// offered for rollback.
    pub fn check_drift(&self) -> Result<Option<RevisionInfo>, ApiError> {
        let guard = self.guard();
        self.drift_locked(&guard, false)
    }

    /// `force`: record whatever is there now (before a change, and at start).
    fn drift_locked(
        &self,
        _guard: &MutexGuard<'_, ()>,
        force: bool,
    ) -> Result<Option<RevisionInfo>, ApiError> {
        // An unreadable or unsafe file is reported by status; there is nothing
        // to record (and a FIFO cannot hang us: the read does not block).
        let Ok(content) = self.read_control() else {
            return Ok(None);
        };
        let Some(head) = self.history.head().map_err(state_err)? else {
            return Ok(None);
        };
        let hash = state_hash(&content);
        let mut unsettled = self.unsettled.lock().unwrap_or_else(|e| e.into_inner());
        if hash == head.hash {
            *unsettled = None;
            return Ok(None);
        }
        let old = self
            .history
            .content(&head.hash)
            .ok()
            .flatten()
            .unwrap_or_default();
        let assessment = bound_assessment(
            self.assessor
                .assess(&old, content.as_deref().unwrap_or_default()),
        );
        if !force {
            let since = match unsettled.as_ref() {
                Some((h, since)) if *h == hash => *since,
                _ => {
                    let now = std::time::Instant::now();
                    *unsettled = Some((hash.clone(), now));
                    now
                }
            };
            let stable = since.elapsed();
            let settled = (stable >= self.settle.quiet && !assessment.has_errors())
                || stable >= self.settle.max;
            if !settled {
                return Ok(None);
            }
        }
        *unsettled = None;
        drop(unsettled);
        self.history.put_content(&content).map_err(state_err)?;
        let owner = self
            .control_dir()
            .ok()
            .and_then(|d| d.ownership().ok().flatten())
            .map_or(0, |o| o.uid);
        let why = crate::writers::reason(&assessment.changes);
        let why: String = if why.chars().count() > 480 {
            format!("{}…", why.chars().take(479).collect::<String>())
        } else {
            why
        };
        let mut rev = self.draft(
            hash,
            RevisionSource::External,
            &why,
            &Caller {
                uid: owner,
                user: "outside Earshot".into(),
            },
        );
        rev.changes = assessment.changes;
        let rev = self.history.next(rev).map_err(state_err)?;
        self.history.append(&rev).map_err(state_err)?;
        self.soak_after_change(&content, false, || {
            format!(
                "an outside edit (revision {}) changed what is audited",
                rev.number
            )
        })?;
        let info = self.info(&rev)?;
        self.publish(&info);
        Ok(Some(info))
    }

    fn publish(&self, info: &RevisionInfo) {
        self.mark_snapshot_dirty();
        // No subscriber is not an error.
        let _ = self.events.send(Event::Revision(info.clone()));
        // Status walks the whole chain; only pay for it when someone listens.
        if self.events.receiver_count() == 0 {
            return;
        }
        if let Ok(status) = self.status() {
            *self.last_state.lock().unwrap_or_else(|e| e.into_inner()) = Some(status.clone());
            let _ = self.events.send(Event::State(status));
        }
    }

    pub fn read_config(&self) -> Result<ConfigText, ApiError> {
        let content = self.read_control()?;
        let bytes = content.as_deref().unwrap_or_default();
        let text = String::from_utf8_lossy(bytes).into_owned();
        // The grammar reads the text a client sees (U+FFFD for bad bytes),
        // which is also what an edit of it would write.
        let diagnostics = match &content {
            Some(_) => {
                bound_assessment(self.assessor.assess(text.as_bytes(), text.as_bytes())).diagnostics
            }
            None => Vec::new(),
        };
        Ok(ConfigText {
            hash: state_hash(&content),
            lossy: std::str::from_utf8(bytes).is_err(),
            exists: content.is_some(),
            text,
            diagnostics,
        })
    }

    /// Dry run.
    pub fn plan(&self, text: &str) -> Result<PlanReport, ApiError> {
        if text.len() > MAX_CONTROL_LEN {
            return Err(too_long(text.len()));
        }
        let old = self.read_control()?;
        let a = bound_assessment(
            self.assessor
                .assess(old.as_deref().unwrap_or_default(), text.as_bytes()),
        );
        Ok(PlanReport {
            valid: !a.has_errors(),
            diagnostics: a.diagnostics,
            changes: a.changes,
            risks: a.risks,
            base_hash: state_hash(&old),
            new_hash: content_hash(text.as_bytes()),
        })
    }

    pub fn apply(
        &self,
        text: &str,
        terms: &ChangeTerms,
        who: &Caller,
    ) -> Result<AppliedReport, ApiError> {
        if text.len() > MAX_CONTROL_LEN {
            return Err(too_long(text.len()));
        }
        self.require_tuning_allowed()?;
        let guard = self.guard();
        self.drift_locked(&guard, true)?;
        self.change_locked(
            &guard,
            Some(text.as_bytes().to_vec()),
            terms,
            who,
            RevisionSource::Apply,
            None,
            Intent::default(),
        )
    }

    /// Apply the bytes of revision `number` through the same pipeline.
    pub fn rollback(
        &self,
        number: u64,
        terms: &ChangeTerms,
        who: &Caller,
    ) -> Result<AppliedReport, ApiError> {
        if !self.managed().rollback_allowed() {
            return Err(ApiError::new(
                ErrorCode::Managed,
                earshot_model::managed::Managed::locked_reason("AllowRollback", "false"),
            ));
        }
        let guard = self.guard();
        self.drift_locked(&guard, true)?;
        let rev = self
            .history
            .get(number)
            .map_err(state_err)?
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound, format!("no revision {number}")))?;
        let bytes = self.history.content(&rev.hash).map_err(state_err)?;
        self.change_locked(
            &guard,
            bytes,
            terms,
            who,
            RevisionSource::Rollback,
            Some(number),
            Intent::default(),
        )
    }

    /// Keep the pending change.
    pub fn confirm(&self, revision: Option<u64>) -> Result<u64, ApiError> {
        let _guard = self.guard();
        match self.live_pending()? {
            Some(p) if revision.is_none_or(|r| r == p.revision) => {
                self.set_pending(None)?;
                Ok(p.revision)
            }
            _ => Err(ApiError::new(
                ErrorCode::NotFound,
                match revision {
                    Some(r) => format!("revision {r} is not waiting for confirmation"),
                    None => "no change is waiting for confirmation".to_string(),
                },
            )),
        }
    }

    /// The deadline of the pending change, if any.
    pub fn pending_deadline(&self) -> Option<u64> {
        self.live_pending().ok().flatten().map(|p| p.deadline_unix)
    }

    /// Revert the pending change if its deadline has passed.
    pub fn revert_if_due(&self) -> Result<Option<AppliedReport>, ApiError> {
        let guard = self.guard();
        let Some(p) = self.live_pending()? else {
            return Ok(None);
        };
        if self.platform.now_unix() < p.deadline_unix {
            return Ok(None);
        }
        let target = self
            .history
            .get(p.restores)
            .map_err(state_err)?
            .ok_or_else(|| ApiError::new(ErrorCode::Internal, "revert target vanished"))?;
        let bytes = self.history.content(&target.hash).map_err(state_err)?;
        let current = state_hash(&self.read_control()?);
        let terms = ChangeTerms {
            base_hash: current,
            acks: Vec::new(),
            reason: format!(
                "revision {} was not confirmed in time; restoring revision {}",
                p.revision, p.restores
            ),
            confirm_within_secs: None,
        };
        let report = self.change_locked(
            &guard,
            bytes,
            &terms,
            &Caller {
                uid: 0,
                user: "earshot (auto-revert)".into(),
            },
            RevisionSource::AutoRevert,
            Some(p.restores),
            Intent {
                source_is_auto_revert: true,
                skip_acks: true,
                step: None,
            },
        )?;
        self.set_pending(None)?;
        Ok(Some(report))
    }

    #[allow(clippy::too_many_arguments)]
    fn change_locked(
        &self,
        _guard: &MutexGuard<'_, ()>,
        new: Option<Vec<u8>>,
        terms: &ChangeTerms,
        who: &Caller,
        source: RevisionSource,
        restores: Option<u64>,
        intent: Intent,
    ) -> Result<AppliedReport, ApiError> {
        if terms.reason.chars().count() > MAX_REASON_CHARS {
            return Err(ApiError::new(
                ErrorCode::InvalidRequest,
                format!(
                    "a reason is at most {MAX_REASON_CHARS} characters (this one has {}); say why in a sentence",
                    terms.reason.chars().count()
                ),
            ));
        }
        let path = self.platform.control_path();
        let old = self.read_control()?;
        let old_hash = state_hash(&old);
        if terms.base_hash != old_hash {
            return Err(ApiError::new(
                ErrorCode::BaseChanged,
                "audit_control changed since it was read; read it again and re-plan",
            ));
        }
        let new_hash = state_hash(&new);
        let head = self
            .history
            .head()
            .map_err(state_err)?
            .ok_or_else(|| ApiError::new(ErrorCode::Internal, "history is empty"))?;
        if new_hash == old_hash {
            return Ok(AppliedReport {
                revision: head.number,
                hash: new_hash,
                changes: Vec::new(),
                pending: None,
                unchanged: true,
                reload_warning: None,
                warnings: Vec::new(),
            });
        }
        // (Nothing to write needs no validation or acknowledgement.)
        let assessment = match &new {
            Some(bytes) => bound_assessment(
                self.assessor
                    .assess(old.as_deref().unwrap_or_default(), bytes),
            ),
            // Restoring "no file" (a rollback to the macOS 14+ default): there
            // is no text to validate.
            None => crate::platform::Assessment::default(),
        };
        // An auto-revert restores the state the user had before; refusing it
        // because that older text has findings would defeat the safety net.
        if assessment.has_errors() && !intent.source_is_auto_revert {
            let mut e = ApiError::new(
                ErrorCode::Validation,
                "the proposed audit_control has errors",
            );
            e.diagnostics = assessment.diagnostics;
            return Err(e);
        }
        if !intent.skip_acks {
            let mut missing: Vec<_> = assessment
                .risks
                .iter()
                .filter(|r| !terms.acks.iter().any(|a| a == &r.id))
                .cloned()
                .collect();
            missing.dedup_by(|a, b| a.id == b.id);
            if !missing.is_empty() {
                let ids: Vec<_> = missing.iter().map(|r| r.id.as_str()).collect();
                let mut e = ApiError::new(
                    ErrorCode::AckRequired,
                    format!("acknowledge: {}", ids.join(", ")),
                );
                e.missing_acks = missing;
                return Err(e);
            }
        }
        // 3. snapshot
        self.history.put_content(&old).map_err(state_err)?;
        self.history.put_content(&new).map_err(state_err)?;
        self.faults
            .hit("snapshot")
            .map_err(|e| io_err("snapshot", e))?;

        // 4. journal
        let mut draft = self.draft(new_hash.clone(), source, &terms.reason, who);
        draft.changes = assessment.changes.clone();
        draft.acks = terms.acks.clone();
        draft.confirm_within_secs = terms.confirm_within_secs;
        draft.restores = restores;
        draft.step = intent.step.clone();
        let revision = self.history.next(draft).map_err(state_err)?;
        let pending = terms.confirm_within_secs.map(|secs| Pending {
            revision: revision.number,
            deadline_unix: self.platform.now_unix().saturating_add(secs),
            restores: head.number,
        });
        let journal = Journal {
            revision: revision.clone(),
            old_hash: old_hash.clone(),
            pending: pending.clone(),
        };
        let json = serde_json::to_vec(&journal).map_err(|e| io_err("encoding", e))?;
        write_atomic(&self.journal_path(), &json, 0o600).map_err(state_err)?;
        self.faults
            .hit("journal")
            .map_err(|e| io_err("journal", e))?;

        // 5–7. temp file, rename, folder sync
        let warnings = match self.replace_control(new.as_deref(), revision.number) {
            Ok(warnings) => warnings,
            Err(Replace::Unsafe(e)) => {
                let _ = std::fs::remove_file(self.journal_path());
                return Err(e.to_api());
            }
            Err(Replace::Before(e)) => {
                // Nothing was renamed: the journal describes a change that did
                // not happen. Drop it so a restart does not misread it.
                let _ = std::fs::remove_file(self.journal_path());
                return Err(io_err(
                    &format!("writing {} (the old file is intact)", path.display()),
                    e,
                ));
            }
        };

        // 8. reload. A failure is reported but does not undo the write: with
        // auditing off, `audit -s` cannot reach auditd, and editing the file
        // before turning auditing on is legitimate.
        let reload_warning = self.platform.audit(AuditOp::Sync).err();
        self.faults
            .hit("reloaded")
            .map_err(|e| io_err("reload", e))?;

        // 9. verify
        let back = self.read_control()?;
        if state_hash(&back) != new_hash {
            return Err(ApiError::new(
                ErrorCode::Io,
                "audit_control changed again right after the write; check history",
            ));
        }
        self.faults
            .hit("verified")
            .map_err(|e| io_err("verify", e))?;

        // 10. record
        self.history.append(&revision).map_err(state_err)?;
        self.faults
            .hit("recorded")
            .map_err(|e| io_err("record", e))?;
        if !intent.source_is_auto_revert {
            self.set_pending(pending.as_ref())?;
        }
        std::fs::remove_file(self.journal_path()).map_err(|e| io_err("removing the journal", e))?;
        self.faults.hit("done").map_err(|e| io_err("done", e))?;

        if intent.step.is_none() {
            let number = revision.number;
            // Restoring a revision from before the soaking step undoes the
            // step itself, whatever it changed: its soak ends.
            let undoes_step = matches!(
                source,
                RevisionSource::Rollback | RevisionSource::AutoRevert
            ) && restores
                .is_some_and(|to| self.soak_record().is_some_and(|s| to < s.revision));
            self.soak_after_change(&new, undoes_step, || match (source, restores) {
                (RevisionSource::Rollback, Some(to)) => {
                    format!("rolled back to revision {to} (now revision {number})")
                }
                (RevisionSource::AutoRevert, _) => {
                    format!("the change was reverted automatically (revision {number})")
                }
                _ => {
                    format!("a change through Earshot (revision {number}) changed what is audited")
                }
            })?;
        }
        let info = self.info(&revision)?;
        self.publish(&info);
        Ok(AppliedReport {
            revision: revision.number,
            hash: new_hash,
            changes: assessment.changes,
            pending: pending.map(|p| PendingConfirm {
                revision: p.revision,
                deadline_unix: p.deadline_unix,
            }),
            unchanged: false,
            reload_warning,
            warnings,
        })
    }

    /// Steps 5–7: replace the file keeping owner, mode and `uchg`; `None`
    /// removes it (restoring "no audit_control"). Every operation is relative
    /// to the folder reached without links. Failures before the rename leave
    /// the old file (`Err`); once renamed the change is made, so what fails
    /// afterwards (putting `uchg` back, syncing the folder) comes back as
    /// warnings, and flags not restored are owed and retried.
    fn replace_control(&self, bytes: Option<&[u8]>, revision: u64) -> Result<Vec<String>, Replace> {
        use std::os::unix::fs::PermissionsExt;
        let dir = self.control_dir().map_err(Replace::Unsafe)?;
        let own = match dir.ownership().map_err(Replace::Unsafe)? {
            Some(o) => o,
            // A new file: owned like its folder (root:wheel on a Mac) and 0440,
            // the mode CIS and STIG require.
            None => {
                let folder = dir.folder_ownership().map_err(Replace::Before)?;
                crate::control::Ownership {
                    mode: 0o440,
                    ..folder
                }
            }
        };
        let tmp = format!("{TEMP_PREFIX}{}", std::process::id());
        if let Some(bytes) = bytes {
            let _ = dir.remove(&tmp);
            let written = (|| {
                let mut f = dir.create_new(&tmp)?;
                self.faults.hit("write")?;
                f.write_all(bytes)?;
                // Owner before mode: chown clears set-id bits, and the final
                // mode must be exactly the original (root:wheel 0440 on macOS).
                std::os::unix::fs::fchown(&f, Some(own.uid), Some(own.gid))?;
                f.set_permissions(std::fs::Permissions::from_mode(own.mode))?;
                f.sync_all()
            })();
            if let Err(e) = written {
                let _ = dir.remove(&tmp);
                return Err(Replace::Before(e));
            }
        } else {
            self.faults.hit("write").map_err(Replace::Before)?;
        }
        if let Err(e) = self.faults.hit("temp-written") {
            let _ = dir.remove(&tmp);
            return Err(Replace::Before(e));
        }
        let cleared = match self.clear_user_immutable() {
            Ok(flags) => flags,
            Err(e) => {
                let _ = dir.remove(&tmp);
                return Err(Replace::Before(e));
            }
        };
        let swapped = match bytes {
            Some(_) => dir.replace_with(&tmp),
            None => dir.remove_control(),
        };
        if let Err(e) = swapped {
            let _ = dir.remove(&tmp);
            if let Some(f) = cleared {
                let _ = self.platform.set_control_flags(f);
            }
            return Err(Replace::Before(e));
        }
        // From here on the new state is on disk: nothing below may say the
        // old file is intact.
        let mut warnings = Vec::new();
        if let Err(e) = self.faults.hit("renamed") {
            warnings.push(format!("after the rename: {e}"));
        }
        // Flags owed from an earlier change are put back with this one.
        let owed = self.owed_flags().map(|o| o.flags);
        let restore = match (cleared, owed) {
            (Some(a), Some(b)) => Some(a | b),
            (a, b) => a.or(b),
        };
        if let (Some(f), true) = (restore, bytes.is_some()) {
            // rename(2) replaced the inode: the new file starts without flags.
            let restored = self
                .faults
                .hit("restore-flags")
                .and_then(|()| self.platform.set_control_flags(f));
            match restored {
                Ok(()) => self.set_owed_flags(None),
                Err(e) => {
                    warnings.push(format!(
                        "the new audit_control is in place, but its immutable flag (uchg) could not be put back: {e}; Earshot keeps retrying (status shows it until it succeeds)"
                    ));
                    self.set_owed_flags(Some(OwedFlags { flags: f, revision }));
                }
            }
        }
        if let Err(e) = self.faults.hit("dir-sync").and_then(|()| dir.sync()) {
            warnings.push(format!(
                "the new audit_control is in place, but syncing its folder failed ({e}): a power cut in the next seconds could bring the old file back; the change is recorded either way"
            ));
        }
        if let Err(e) = self.faults.hit("dir-synced") {
            warnings.push(format!("after the folder sync: {e}"));
        }
        Ok(warnings)
    }

    fn owed_flags(&self) -> Option<OwedFlags> {
        std::fs::read(self.owed_flags_path())
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
    }

    fn set_owed_flags(&self, owed: Option<OwedFlags>) {
        let path = self.owed_flags_path();
        let result = match owed {
            Some(o) => serde_json::to_vec(&o)
                .map_err(|e| StateError::Corrupt(e.to_string()))
                .and_then(|json| write_atomic(&path, &json, 0o600)),
            None => match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(StateError::io(&path, e)),
                _ => Ok(()),
            },
        };
        if let Err(e) = result {
            eprintln!("earshot-helper: remembering owed flags: {e}");
        }
    }

    /// Put back flags a change could not restore (called on the daemon's
    /// beat). Only while the file is still the revision that lost them:
    /// after an outside edit the admin's own flags stand.
    pub fn retry_owed_flags(&self) -> Option<Result<(), String>> {
        let _guard = self.guard();
        let owed = self.owed_flags()?;
        let head = self.history.head().ok().flatten()?;
        if head.number != owed.revision {
            self.set_owed_flags(None);
            return None;
        }
        let current = self.platform.control_flags().unwrap_or(0);
        let result = self
            .faults
            .hit("restore-flags")
            .and_then(|()| self.platform.set_control_flags(current | owed.flags));
        Some(match result {
            Ok(()) => {
                self.set_owed_flags(None);
                Ok(())
            }
            Err(e) => Err(e.to_string()),
        })
    }

    /// Clear `uchg` so the file can be replaced; returns the flags to put back
    /// afterwards (`None` when nothing was cleared). `schg` cannot be cleared
    /// by a running system (securelevel), so it is refused with EPERM, as the
    /// rename would be.
    fn clear_user_immutable(&self) -> std::io::Result<Option<u32>> {
        let Some(flags) = self.platform.control_flags() else {
            return Ok(None);
        };
        if flags & SF_IMMUTABLE != 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                "audit_control is system-immutable (schg); clear it in single-user mode first",
            ));
        }
        if flags & UF_IMMUTABLE == 0 {
            return Ok(None);
        }
        self.platform.set_control_flags(flags & !UF_IMMUTABLE)?;
        Ok(Some(flags))
    }

    fn confirmation(&self, rev: &Revision) -> Result<Option<Confirmation>, ApiError> {
        if rev.confirm_within_secs.is_none() {
            return Ok(None);
        }
        if self
            .live_pending()?
            .is_some_and(|p| p.revision == rev.number)
        {
            return Ok(Some(Confirmation::Pending));
        }
        // Reverted when the very next revision is the auto-revert of it.
        let next = self.history.get(rev.number + 1).map_err(state_err)?;
        Ok(Some(match next {
            Some(n) if n.source == RevisionSource::AutoRevert => Confirmation::Reverted,
            _ => Confirmation::Confirmed,
        }))
    }

    fn info(&self, rev: &Revision) -> Result<RevisionInfo, ApiError> {
        Ok(RevisionInfo {
            number: rev.number,
            time_unix: rev.time_unix,
            uid: rev.uid,
            user: rev.user.clone(),
            source: rev.source,
            // Records written before reasons were bounded may carry more.
            reason: if rev.reason.chars().count() > MAX_REASON_CHARS {
                rev.reason
                    .chars()
                    .take(MAX_REASON_CHARS)
                    .collect::<String>()
                    + "…"
            } else {
                rev.reason.clone()
            },
            hash: rev.hash.clone(),
            chain: rev.chain.clone(),
            changes: bound_changes(rev.changes.clone()),
            acks: rev.acks.clone(),
            confirmation: self.confirmation(rev)?,
        })
    }

    /// One page of history, newest first: at most `limit` revisions
    /// ([`HISTORY_PAGE`] by default, [`MAX_HISTORY_PAGE`] at most) older than
    /// `before`, and at most [`HISTORY_PAGE_BYTES`] of them as JSON, so every
    /// page fits in one frame however long the history or its records.
    pub fn history_page(
        &self,
        limit: Option<u32>,
        before: Option<u64>,
    ) -> Result<HistoryReport, ApiError> {
        let numbers = self.history.numbers().map_err(state_err)?;
        let limit = limit.unwrap_or(HISTORY_PAGE).clamp(1, MAX_HISTORY_PAGE) as usize;
        let older: Vec<u64> = numbers
            .iter()
            .rev()
            .copied()
            .filter(|&n| before.is_none_or(|b| n < b))
            .collect();
        let mut revisions = Vec::new();
        let mut bytes = 0;
        let mut next_before = None;
        for (i, &n) in older.iter().enumerate() {
            if revisions.len() == limit {
                next_before = Some(older[i - 1]);
                break;
            }
            let Some(rev) = self.history.get(n).map_err(state_err)? else {
                continue;
            };
            let info = self.info(&rev)?;
            let size = serde_json::to_vec(&info).map_or(0, |j| j.len());
            // The first revision of a page always goes in (it is bounded by
            // `info`), so paging always moves on.
            if !revisions.is_empty() && bytes + size > HISTORY_PAGE_BYTES {
                next_before = Some(older[i - 1]);
                break;
            }
            bytes += size;
            revisions.push(info);
        }
        let problem = self.history.verify().map_err(state_err)?;
        Ok(HistoryReport {
            revisions,
            chain_intact: problem.is_none(),
            chain_problem: problem,
            next_before,
        })
    }

    /// Up to `max` revisions numbered above `after`, oldest first, without
    /// verifying the chain (the export's catch-up: it runs every few seconds).
    pub fn revisions_after(&self, after: u64, max: usize) -> Result<Vec<RevisionInfo>, ApiError> {
        let numbers = self.history.numbers().map_err(state_err)?;
        let mut out = Vec::new();
        for n in numbers.into_iter().filter(|&n| n > after).take(max) {
            if let Some(rev) = self.history.get(n).map_err(state_err)? {
                out.push(self.info(&rev)?);
            }
        }
        Ok(out)
    }

    /// The newest page of history (see [`Keeper::history_page`]).
    pub fn history(&self, limit: Option<u32>) -> Result<HistoryReport, ApiError> {
        self.history_page(limit, None)
    }

    /// The bytes of revision `number`.
    pub fn revision_bytes(&self, number: u64) -> Result<Vec<u8>, ApiError> {
        let rev = self
            .history
            .get(number)
            .map_err(state_err)?
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound, format!("no revision {number}")))?;
        Ok(self
            .history
            .content(&rev.hash)
            .map_err(state_err)?
            .unwrap_or_default())
    }

    /// Health: the platform's findings plus the keeper's own.
    /// [`Keeper::status`] plus the full status document (for `Request::Status`).
    pub fn status_detailed(&self) -> Result<StatusReport, ApiError> {
        self.status_with(true)
    }

    pub fn status(&self) -> Result<StatusReport, ApiError> {
        self.status_with(false)
    }

    fn status_with(&self, detailed: bool) -> Result<StatusReport, ApiError> {
        // One look at the Mac for both (it reads the trails' summaries).
        let (mut findings, detail) = if detailed {
            self.platform.findings_and_status_json()
        } else {
            (self.platform.findings(), None)
        };
        let config_hash = match self.read_control_checked() {
            Ok(content) => state_hash(&content),
            Err(e) => {
                findings.push(e.finding());
                String::new()
            }
        };
        if let Some(owed) = self.owed_flags() {
            findings.push(Finding {
                level: HealthLevel::Warning,
                code: "audit-control-flags-owed".into(),
                message: format!(
                    "audit_control lost its immutable flag (uchg) in revision {}: putting it back failed; Earshot retries every second. If this stays, run `sudo chflags uchg /etc/security/audit_control`",
                    owed.revision
                ),
            });
        }
        let head = self.history.head().map_err(state_err)?;
        if let Some(problem) = self.chain_problem_cached(head.as_ref().map_or(0, |h| h.number))? {
            findings.push(Finding {
                level: HealthLevel::Error,
                code: "history-tampered".into(),
                message: format!("change history does not verify: {problem}"),
            });
        }
        let pending = self.live_pending()?.map(|p| PendingConfirm {
            revision: p.revision,
            deadline_unix: p.deadline_unix,
        });
        if let Some(p) = &pending {
            findings.push(Finding {
                level: HealthLevel::Warning,
                code: "change-awaiting-confirmation".into(),
                message: format!(
                    "revision {} reverts at {} unless confirmed",
                    p.revision, p.deadline_unix
                ),
            });
        }
        let soak = self
            .soak_record()
            .map(|r| r.status(self.platform.now_unix()));
        if let Some(line) = soak.as_ref().and_then(|s| s.over_budget.clone()) {
            findings.push(Finding {
                level: HealthLevel::Warning,
                code: "soak-over-budget".into(),
                message: format!("{line}: review the step (Tune Auditing) before it costs more"),
            });
        }
        if let Some(f) = self.other_writer_finding()? {
            findings.push(f);
        }
        let export = self.export_status();
        if let Some(x) = &export {
            if let Some(why) = &x.paused {
                findings.push(Finding {
                    level: HealthLevel::Warning,
                    code: "export-paused".into(),
                    message: format!("the event export is not writing: {why}; it resumes by itself, losing nothing"),
                });
            }
            if x.lost_records > 0 || x.lost_trails_uncounted > 0 {
                findings.push(Finding {
                    level: HealthLevel::Warning,
                    code: "export-lost-records".into(),
                    message: format!(
                        "expiry deleted trails before the event export read them: {} record(s) lost{}",
                        x.lost_records,
                        if x.lost_trails_uncounted > 0 {
                            format!(", and {} trail(s) of unknown size", x.lost_trails_uncounted)
                        } else {
                            String::new()
                        }
                    ),
                });
            }
            if x.files_dropped > 0 {
                findings.push(Finding {
                    level: HealthLevel::Warning,
                    code: "export-files-dropped".into(),
                    message: format!(
                        "the event spool reached its cap and dropped {} rotated file(s) ({}): is the log shipper running?",
                        x.files_dropped,
                        earshot_model::format::human_bytes(x.bytes_dropped)
                    ),
                });
            }
        }
        let managed = self.managed();
        if !managed.problems.is_empty() {
            findings.push(Finding {
                level: HealthLevel::Warning,
                code: "managed-profile-problems".into(),
                message: format!(
                    "the configuration profile for {} sets keys Earshot ignores ({}); `earshot managed validate` lists them",
                    earshot_model::managed::DOMAIN,
                    managed
                        .problems
                        .iter()
                        .map(|p| p.key.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
        findings.sort_by_key(|f| std::cmp::Reverse(severity_rank(f.level)));
        let level = findings.first().map_or(HealthLevel::Ok, |f| f.level);
        let summary = findings
            .first()
            .map_or_else(|| "Auditing is healthy".to_string(), |f| f.message.clone());
        Ok(StatusReport {
            level,
            summary,
            findings,
            config_hash,
            head_revision: head.map(|h| h.number),
            pending,
            simulated: self.platform.simulated(),
            soak: soak.map(Box::new),
            managed: managed.profile.then(|| Box::new(managed)),
            export: export.map(Box::new),
            detail: detail.map(Box::new),
        })
    }

    /// One finding when audit_control keeps being rewritten from outside
    /// (another tool fighting Earshot), instead of a notification per rewrite.
    fn other_writer_finding(&self) -> Result<Option<Finding>, ApiError> {
        let now = self.platform.now_unix();
        let numbers = self.history.numbers().map_err(state_err)?;
        let mut outside = Vec::new();
        // The newest revisions only: a day of rewrites fits well within them.
        for n in numbers.iter().rev().take(32) {
            let Some(rev) = self.history.get(*n).map_err(state_err)? else {
                continue;
            };
            if now.saturating_sub(rev.time_unix) > crate::writers::WINDOW_SECS {
                break;
            }
            if rev.source == RevisionSource::External {
                outside.push(rev);
            }
        }
        if outside.len() < crate::writers::REPEATED {
            return Ok(None);
        }
        let latest = &outside[0];
        let who = crate::writers::guess(&latest.changes)
            .map(|w| format!("it looks like {w}"))
            .unwrap_or_else(|| "an MDM script or another tool".into());
        Ok(Some(Finding {
            level: HealthLevel::Warning,
            code: "other-writer".into(),
            message: format!(
                "audit_control was rewritten from outside {} times in the last day (latest: revision {}; {who}). Each rewrite undoes changes made here: stop that writer, or make its settings and Earshot's agree.",
                outside.len(),
                latest.number
            ),
        }))
    }

    /// The helper's state folder.
    pub fn state_dir(&self) -> &Path {
        &self.state_dir
    }

    /// The event export's state (`None` while it is off).
    pub fn export_status(&self) -> Option<earshot_model::status::ExportStatus> {
        self.export
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The export thread reports its state here.
    pub fn set_export_status(&self, status: Option<earshot_model::status::ExportStatus>) {
        *self.export.lock().unwrap_or_else(|e| e.into_inner()) = status;
    }

    /// What the organisation's configuration profile forces (nothing without
    /// a Mac behind the platform).
    pub fn managed(&self) -> earshot_model::managed::Managed {
        self.platform
            .machine()
            .map(|m| m.managed())
            .unwrap_or_default()
    }

    /// Refuses a change when the profile does not allow changes here.
    fn require_tuning_allowed(&self) -> Result<(), ApiError> {
        if self.managed().tuning_allowed() {
            Ok(())
        } else {
            Err(ApiError::new(
                ErrorCode::Managed,
                earshot_model::managed::Managed::locked_reason("AllowUserTuning", "false"),
            ))
        }
    }

    /// The chain verdict, recomputed when the head moved or a minute passed.
    fn chain_problem_cached(&self, head: u64) -> Result<Option<String>, ApiError> {
        const FRESH: std::time::Duration = std::time::Duration::from_secs(60);
        let mut cached = self.verified.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((n, at, verdict)) = cached.as_ref() {
            if *n == head && at.elapsed() < FRESH {
                return Ok(verdict.clone());
            }
        }
        let verdict = self.history.verify().map_err(state_err)?;
        *cached = Some((head, std::time::Instant::now(), verdict.clone()));
        Ok(verdict)
    }

    /// The Mac behind the platform, for the read-only views; `unsupported`
    /// where there is none.
    pub fn machine(&self) -> Result<crate::views::Machine<'_>, ApiError> {
        self.platform.machine().ok_or_else(|| {
            ApiError::new(
                ErrorCode::Unsupported,
                "this helper has no audit trails or planner to read from",
            )
        })
    }

    pub fn trail_stats(&self) -> Result<TrailStatsReport, ApiError> {
        self.platform
            .trail_stats()
            .map_err(|e| io_err("reading trails", e))
    }

    /// Rotate, expire or enable: fixed operations, serialized with changes.
    pub fn audit(&self, op: AuditOp) -> Result<(), ApiError> {
        let _guard = self.guard();
        self.platform
            .audit(op)
            .map_err(|e| ApiError::new(ErrorCode::Io, format!("audit: {e}")))
    }

    /// Turn auditing on (mSCP's sequence for macOS 14+): create audit_control
    /// from audit_control.example when it is missing — through the apply
    /// pipeline, so it is a recorded revision and rolling back to the one
    /// before removes the file again — then the launchd job and `audit -i`
    /// ([`Platform::start_auditing`]), then read health back.
    pub fn enable_auditing(&self, who: &Caller) -> Result<EnableReport, ApiError> {
        self.require_tuning_allowed()?;
        let guard = self.guard();
        self.drift_locked(&guard, true)?;
        let report = self.enable_locked(&guard, who, None)?;
        drop(guard);
        Ok(self.enabled_report(report))
    }

    /// The locked part of turning auditing on; `step` is recorded with the
    /// revision that creates audit_control, when one is made.
    fn enable_locked(
        &self,
        guard: &MutexGuard<'_, ()>,
        who: &Caller,
        step: Option<AppliedStep>,
    ) -> Result<EnableReport, ApiError> {
        let mut steps = Vec::new();
        let mut notes = Vec::new();
        let mut created_revision = None;
        let current = self.read_control()?;
        if current.is_none() {
            let (bytes, from) = match self.platform.example_control() {
                Some(b) => (b, "/etc/security/audit_control.example"),
                None => {
                    notes.push("audit_control.example was missing: Earshot used its copy of the file macOS ships".to_string());
                    (
                        earshot_tuning::plan::DEFAULT_EXAMPLE.as_bytes().to_vec(),
                        "Earshot's copy of audit_control.example",
                    )
                }
            };
            let terms = ChangeTerms {
                base_hash: state_hash(&current),
                acks: Vec::new(),
                reason: format!("enable auditing: create audit_control from {from}"),
                confirm_within_secs: None,
            };
            // Against "no file" every key is new (a dir change, …): those are
            // not risks of enabling, so nothing needs acknowledging — errors in
            // the example would still block.
            let report = self.change_locked(
                guard,
                Some(bytes),
                &terms,
                who,
                RevisionSource::Apply,
                None,
                Intent {
                    source_is_auto_revert: false,
                    skip_acks: true,
                    step,
                },
            )?;
            created_revision = Some(report.revision);
            steps.push(format!(
                "created /etc/security/audit_control from {from} (root:wheel 0440; revision {}, roll back to revision {} to remove it again)",
                report.revision,
                report.revision.saturating_sub(1)
            ));
        }
        let started = self
            .platform
            .start_auditing()
            .map_err(|e| ApiError::new(ErrorCode::Io, format!("enabling auditing: {e}")))?;
        steps.extend(started);
        notes.push("No reboot is needed. Sessions that logged in while auditing was off keep an empty audit mask: log out and back in (or restart) so they are audited with the flags of audit_control.".to_string());
        Ok(EnableReport {
            created_revision,
            steps,
            auditing: false,
            findings: Vec::new(),
            relogin_needed: true,
            notes,
        })
    }

    /// Health read back after turning auditing on (outside the lock).
    fn enabled_report(&self, mut report: EnableReport) -> EnableReport {
        report.auditing = self.platform.auditing().unwrap_or(false);
        report.findings = self.platform.findings();
        self.push_state_if_changed();
        report
    }

    /// One tuning step as one action (`Request::ApplyStep`): under the lock,
    /// plan again on the file as it is, refuse unless that is exactly the
    /// step `token` names (the one the user reviewed), check every risk was
    /// acknowledged (the planner's and the grammar's), then apply it — or turn
    /// auditing on — with the prediction recorded in the revision itself.
    pub fn apply_step(
        &self,
        token: &StepToken,
        acks: &[String],
        confirm_within_secs: Option<u64>,
        soak_days: Option<f64>,
        skip_soak: bool,
        who: &Caller,
    ) -> Result<StepApplied, ApiError> {
        self.require_tuning_allowed()?;
        let machine = self.machine()?;
        let managed = machine.managed();
        let guard = self.guard();
        self.drift_locked(&guard, true)?;
        let now = self.platform.now_unix();
        let current = self.read_control()?;
        let base_hash = state_hash(&current);
        if base_hash != token.base_hash {
            return Err(ApiError::new(
                ErrorCode::BaseChanged,
                "audit_control changed since the step was planned; plan the step again",
            ));
        }
        // A stale token is base-changed whatever soaks; a fresh one waits for
        // the soak of the step before it.
        let soaking = self.soak_record().filter(|s| s.blocks(now));
        // A tweak is the review's remedy for the soaking step (proposed early
        // when it runs over budget): like a roll back, it never waits.
        let tweak = token.target.starts_with("tweak:");
        // A step toward the baseline the organisation requires never waits
        // for a soak either: compliance is not the user's budget to weigh.
        let required = managed.baseline.is_some_and(|b| {
            earshot_compliance::Baseline::parse(&token.target).is_ok_and(|t| t == b)
        });
        if let (Some(s), false) = (&soaking, skip_soak || tweak || required) {
            return Err(soaking_error(s, now));
        }
        let planned = match token.target.strip_prefix("tweak:") {
            Some(id) => self.tweak_plans(&machine).map(|(tweaks, base)| {
                tweaks
                    .into_iter()
                    .find(|t| t.id == id)
                    .map(|t| (t.plan, base))
            })?,
            None => machine.plan_step(&token.target)?,
        };
        let Some((plan, planned_on)) = planned else {
            if let Some(id) = token.target.strip_prefix("tweak:") {
                return Err(ApiError::new(
                    ErrorCode::InvalidRequest,
                    format!(
                        "the review proposes no tweak `{}` (any more): review the step again",
                        quote(id)
                    ),
                ));
            }
            return Err(ApiError::new(
                ErrorCode::InvalidRequest,
                format!(
                    "nothing to apply: the target `{}` is already met",
                    quote(&token.target)
                ),
            ));
        };
        if planned_on != base_hash || content_hash(plan.after_bytes()) != token.after_hash {
            return Err(ApiError::new(
                ErrorCode::BaseChanged,
                "the next step is not the one you reviewed (the measurements behind it changed); review it again",
            ));
        }
        let missing: Vec<Risk> = plan
            .risks
            .iter()
            .filter(|r| !acks.contains(&r.id))
            .cloned()
            .collect();
        if !missing.is_empty() {
            let ids: Vec<_> = missing.iter().map(|r| r.id.as_str()).collect();
            let mut e = ApiError::new(
                ErrorCode::AckRequired,
                format!("acknowledge: {}", ids.join(", ")),
            );
            e.missing_acks = missing;
            return Err(e);
        }
        let mut record = AppliedStep::record(&plan, now);
        let (days, why) = earshot_tuning::plan::soak::chosen_soak_days(&plan, soak_days);
        record.soak_days = days;
        record.soak_reason = why;
        record.skipped_soak = soaking
            .as_ref()
            .map(|s| earshot_model::review::SkippedSoak {
                revision: s.revision,
                days_observed: s.days_observed(now),
                soak_days: s.step.soak_days,
            });
        if matches!(plan.step, StepKind::EnableAuditing | StepKind::StartAuditd) {
            let enabled = self.enable_locked(&guard, who, Some(record.clone()))?;
            let head = self.history.head().map_err(state_err)?;
            drop(guard);
            let enabled = self.enabled_report(enabled);
            let revision = enabled
                .created_revision
                .or(head.as_ref().map(|h| h.number))
                .unwrap_or(0);
            self.set_soak(Some(self.new_soak(revision, record.clone())))?;
            return Ok(StepApplied {
                applied: AppliedReport {
                    revision,
                    hash: state_hash(&self.read_control()?),
                    changes: Vec::new(),
                    pending: None,
                    unchanged: enabled.created_revision.is_none(),
                    reload_warning: (!enabled.auditing)
                        .then(|| "auditing did not start; see the health".to_string()),
                    warnings: Vec::new(),
                },
                enabled: Some(enabled),
                record,
            });
        }
        let terms = ChangeTerms {
            base_hash,
            acks: acks.to_vec(),
            reason: format!("tuning step: {}", plan.title),
            confirm_within_secs,
        };
        let applied = self.change_locked(
            &guard,
            Some(plan.after_bytes().to_vec()),
            &terms,
            who,
            RevisionSource::Apply,
            None,
            Intent {
                step: Some(record.clone()),
                ..Intent::default()
            },
        )?;
        if !applied.unchanged {
            self.set_soak(Some(self.new_soak(applied.revision, record.clone())))?;
        }
        drop(guard);
        self.push_state_if_changed();
        Ok(StepApplied {
            applied,
            enabled: None,
            record,
        })
    }

    /// The newest steps applied with `apply_step`, newest first: the step
    /// records kept in the revisions themselves.
    pub fn applied_steps(&self, limit: Option<u32>) -> Result<Vec<StepRecord>, ApiError> {
        let limit = limit.unwrap_or(20).min(200) as usize;
        crate::history::applied_steps(&self.state_dir, limit).map_err(state_err)
    }

    /// The soak on record.
    pub fn soak_record(&self) -> Option<SoakRecord> {
        self.soak.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The soak of the step just recorded as `revision`, numbered by the steps
    /// history holds.
    fn new_soak(&self, revision: u64, step: AppliedStep) -> SoakRecord {
        let number = crate::history::applied_steps(&self.state_dir, usize::MAX)
            .map_or(1, |steps| steps.len().max(1));
        SoakRecord::new(revision, step, u32::try_from(number).unwrap_or(u32::MAX))
    }

    fn set_soak(&self, record: Option<SoakRecord>) -> Result<(), ApiError> {
        match &record {
            Some(r) => crate::soak::save(&self.state_dir, r).map_err(state_err)?,
            None => {
                let _ = std::fs::remove_file(crate::soak::path(&self.state_dir));
            }
        }
        *self.soak.lock().unwrap_or_else(|e| e.into_inner()) = record;
        self.mark_snapshot_dirty();
        Ok(())
    }

    fn mark_snapshot_dirty(&self) {
        self.snapshot_dirty
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// The snapshot of this Mac now (docs/snapshot.md): the baseline in force
    /// is the profile's, else CIS Level 1, tailored by the profile.
    pub fn snapshot(&self) -> Result<earshot_model::snapshot::Snapshot, ApiError> {
        let machine = self.machine()?;
        let managed = machine.managed();
        let facts = machine.facts()?;
        let baseline = managed
            .baseline
            .unwrap_or(earshot_compliance::Baseline::CisL1);
        let report = earshot_compliance::evaluate_tailored(
            baseline,
            &facts.observed,
            &facts.classes,
            &managed.tailoring,
        );
        let status = self.status()?;
        let now = self.platform.now_unix();
        let soak = self.soak_record().map(|r| r.status(now));
        let last_trail_write = facts
            .status
            .as_ref()
            .and_then(|s| s.trails.as_ref())
            .and_then(|t| t.current.as_ref())
            .and_then(|c| machine.sys.metadata(std::path::Path::new(&c.path)).ok())
            .map(|m| earshot_model::time::Timestamp::new(earshot_system::unix_secs(m.mtime()), 0));
        Ok(earshot_fleet::snapshot::build(
            &earshot_fleet::snapshot::Inputs {
                now_unix: now,
                refresh_secs: managed
                    .snapshot_interval_secs
                    .unwrap_or(earshot_model::snapshot::DEFAULT_REFRESH_SECS),
                earshot_version: env!("CARGO_PKG_VERSION"),
                system: machine.kind,
                status: facts.status.as_ref(),
                configured: facts.observed.audit_control.is_some(),
                launchd_loaded: facts.observed.service.launchd_job_loaded,
                kernel_auditing: facts.observed.service.kernel_auditing,
                report: &report,
                baseline_source: if managed.baseline.is_some() {
                    "managed"
                } else {
                    "default"
                },
                soak: soak.as_ref(),
                head_revision: status.head_revision,
                chain_intact: !status.findings.iter().any(|f| f.code == "history-tampered"),
                managed: &managed,
                findings: &status.findings,
                last_trail_write,
            },
        ))
    }

    /// Writes the snapshot when something changed or its refresh is due (the
    /// daemon calls this on its beat). Returns whether it wrote one.
    pub fn snapshot_tick(&self) -> Result<bool, ApiError> {
        let Some(machine) = self.platform.machine() else {
            return Ok(false);
        };
        let managed = machine.managed();
        let refresh = managed
            .snapshot_interval_secs
            .unwrap_or(earshot_model::snapshot::DEFAULT_REFRESH_SECS);
        {
            let mut seen = self
                .snapshot_managed
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            if seen.as_ref() != Some(&managed) {
                *seen = Some(managed);
                self.mark_snapshot_dirty();
            }
        }
        let due = self
            .snapshot_at
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_none_or(|at| at.elapsed().as_secs() >= u64::from(refresh));
        let dirty = self
            .snapshot_dirty
            .swap(false, std::sync::atomic::Ordering::Relaxed);
        if !due && !dirty {
            return Ok(false);
        }
        let snap = self.snapshot()?;
        crate::snapshot::write(machine.sys, &snap)
            .map_err(|e| io_err("writing the status snapshot", e))?;
        *self.snapshot_at.lock().unwrap_or_else(|e| e.into_inner()) =
            Some(std::time::Instant::now());
        Ok(true)
    }

    /// The Mac's class table (Apple's without a Mac behind the platform).
    fn classes(&self) -> audit_control::ClassTable {
        match self.platform.machine() {
            Some(m) => earshot_tuning::facts::machine_classes(m.sys),
            None => audit_control::ClassTable::apple(),
        }
    }

    /// After a change that was not a tuning step: a soak whose step no longer
    /// describes what is audited ends, saying why (`why`); one the change left
    /// alone (retention, minfree, a comment) keeps running.
    fn soak_after_change(
        &self,
        new: &Option<Vec<u8>>,
        undoes_step: bool,
        why: impl FnOnce() -> String,
    ) -> Result<(), ApiError> {
        let Some(mut s) = self.soak_record() else {
            return Ok(());
        };
        // A reviewed step ends too (a roll back is often its review's
        // action): the popover then stops showing the verdict as pending.
        if s.state() == earshot_model::soak::SoakState::Ended {
            return Ok(());
        }
        let kept = !undoes_step
            && new.as_deref().is_some_and(|n| {
                earshot_tuning::plan::soak::keeps_audited_set(&s.step.config, n, &self.classes())
            });
        if !kept {
            s.ended_by = Some(why());
            self.set_soak(Some(s))?;
        }
        Ok(())
    }

    /// The review's tweaks on the Mac as it is now, each with the hash of the
    /// audit_control it was planned on.
    fn tweak_plans(
        &self,
        machine: &crate::views::Machine<'_>,
    ) -> Result<(Vec<ProposedTweak>, String), ApiError> {
        let Some(s) = self.soak_record() else {
            return Ok((Vec::new(), String::new()));
        };
        let facts = machine.facts()?;
        let review = review_so_far(&s, &facts, self.platform.now_unix());
        let base = state_hash(&facts.observed.audit_control);
        let m = machine.measurements(&facts);
        let current = earshot_tuning::facts::current(&facts);
        let tweaks =
            earshot_tuning::plan::soak::tweaks(&current, &s.step, &review, &m, &facts.classes);
        Ok((tweaks, base))
    }

    /// The soak's measurement, at most every minute, and its review once it is
    /// due (the daemon calls this on its beat). Returns whether anything
    /// changed. Without a Mac behind the platform there is nothing to measure.
    pub fn soak_tick(&self) -> Result<bool, ApiError> {
        let Some(mut s) = self.soak_record() else {
            return Ok(false);
        };
        if s.state() != earshot_model::soak::SoakState::Soaking {
            return Ok(false);
        }
        let Some(machine) = self.platform.machine() else {
            return Ok(false);
        };
        let now = self.platform.now_unix();
        let due = s.due(now);
        if !due && now.saturating_sub(s.measured_at) < crate::soak::MEASURE_EVERY_SECS {
            return Ok(false);
        }
        let (measured, room) = machine.soak_volume(s.step.applied_at)?;
        let classes = self.classes();
        let p = earshot_tuning::plan::soak::progress(&s.step, now, measured, room, &classes);
        s.measured = p.measured_bytes_per_day;
        s.measured_at = now;
        s.over_budget = p.over_budget;
        if due {
            let facts = machine.facts()?;
            let obs = earshot_tuning::facts::observation(&facts, now, s.measured);
            s.review = Some(earshot_tuning::plan::review::review(
                &s.step,
                &obs,
                &facts.classes,
            ));
        }
        // The step may have ended meanwhile (a change recorded since the read).
        let _guard = self.guard();
        if self
            .soak_record()
            .is_some_and(|c| c.revision == s.revision && c.ended_by.is_none())
        {
            self.set_soak(Some(s))?;
        }
        Ok(true)
    }

    /// The last step's volume over its soak, for the wizard's chart.
    pub fn soak_series(&self) -> Result<earshot_model::soak::SoakSeries, ApiError> {
        let machine = self.machine()?;
        let Some(s) = self.soak_record() else {
            return Err(ApiError::new(
                ErrorCode::NotFound,
                "no tuning step has been applied yet",
            ));
        };
        machine.soak_series(s.step.applied_at, s.step.prediction.bytes_per_day)
    }

    /// What the wizard shows once a soak is over (or to look at one that is
    /// running): the verdict, the next step, the tweaks, each with its token,
    /// and the revision a roll back restores.
    pub fn review_step(&self) -> Result<earshot_model::soak::StepReview, ApiError> {
        let machine = self.machine()?;
        let Some(s) = self.soak_record() else {
            return Err(ApiError::new(
                ErrorCode::NotFound,
                "no tuning step has been applied yet: apply one, let it soak, then review it",
            ));
        };
        let now = self.platform.now_unix();
        let review = review_so_far(&s, &machine.facts()?, now);
        // The next rung only when the verdict says to take it: the wizard
        // offers what the review recommends, not a way around it.
        let (next, next_risks, next_token) = match review.verdict {
            earshot_model::review::Verdict::NextStep => match machine.next_step("next") {
                Ok(n) => (n.plan, n.risks, n.token),
                Err(_) => (None, Vec::new(), None),
            },
            _ => (None, Vec::new(), None),
        };
        let (tweaks, base) = self.tweak_plans(&machine)?;
        let tweaks = tweaks
            .into_iter()
            .map(|t| earshot_model::soak::Tweak {
                token: StepToken {
                    target: format!("tweak:{}", t.id),
                    base_hash: base.clone(),
                    after_hash: content_hash(t.plan.after_bytes()),
                },
                risks: t.plan.risks.clone(),
                id: t.id,
                title: t.title,
                why: t.why,
                plan: t.plan,
            })
            .collect();
        let rollback_to = self
            .history
            .numbers()
            .map_err(state_err)?
            .into_iter()
            .rfind(|n| *n < s.revision);
        Ok(earshot_model::soak::StepReview {
            soak: s.status(now),
            review,
            next,
            next_risks,
            next_token,
            tweaks,
            rollback_to,
        })
    }

    /// A trial measurement; not under the change lock (it may take an hour and
    /// touches no file).
    pub fn measure(
        &self,
        flags: &str,
        naflags: &str,
        duration_secs: u64,
    ) -> Result<Measurement, ApiError> {
        if duration_secs == 0 || duration_secs > MAX_MEASURE_SECS {
            return Err(ApiError::new(
                ErrorCode::InvalidRequest,
                format!(
                    "a trial lasts 1 to {MAX_MEASURE_SECS} seconds (asked for {duration_secs})"
                ),
            ));
        }
        self.platform
            .measure(flags, naflags, duration_secs)
            .map_err(|e| match e {
                MeasureFailure::Invalid(m) => ApiError::new(ErrorCode::InvalidRequest, m),
                MeasureFailure::Unsupported(m) => ApiError::new(ErrorCode::Unsupported, m),
                MeasureFailure::Io(m) => ApiError::new(ErrorCode::Io, m),
            })
    }
}
