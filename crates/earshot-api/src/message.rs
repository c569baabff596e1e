//! Every message of protocol version 1.
//!
//! Client → helper frames are [`ClientFrame`]s, helper → client frames are
//! [`ServerFrame`]s. After the handshake (`hello` → `challenge` →
//! `authenticate` → `welcome`) the client sends numbered [`Request`]s and the
//! helper answers each with a `response` carrying the same id; `push` frames
//! (after `subscribe`) may arrive between responses.
//!
//! No request carries a path, a shell string or a command: the helper only
//! ever writes audit_control and its own state folder, and reads what the
//! status, charts, trail browser and planner need (a trail page's cursor names
//! a file only by its name, matched against the helper's own listing).

use serde::{Deserialize, Serialize};

use crate::error::ApiError;

/// A frame sent by the client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientFrame {
    /// First frame: the versions the client speaks and its fresh nonce (64 hex digits).
    Hello {
        versions: Vec<u32>,
        client_nonce: String,
        /// Free text for logs, e.g. `earshot-cli 0.1.0`.
        client: String,
    },
    /// Second frame: HMAC-SHA256 proof over the challenge (64 hex digits).
    Authenticate { proof: String },
    /// Any later frame.
    Request { id: u64, request: Request },
}

/// A frame sent by the helper.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    /// Answer to `hello`: the chosen version and what the proof must cover.
    Challenge {
        version: u32,
        server_nonce: String,
        /// Names the per-install secret (the client's keyring account).
        install_id: String,
        /// The uid the kernel reported for this connection; the proof binds it.
        peer_uid: u32,
    },
    /// The proof verified; requests may follow.
    Welcome {
        /// The helper's own proof, so the client knows it reached the real helper.
        server_proof: String,
        helper: String,
        /// True when the helper serves a simulated Mac (`--root DIR`).
        simulated: bool,
    },
    /// The answer to request `id`.
    Response { id: u64, result: Outcome },
    /// A state change the client subscribed to.
    Push { event: Event },
    /// A connection-level refusal; the helper closes the connection after it.
    Error { error: ApiError },
}

/// Success or failure of one request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Ok(Response),
    Error(ApiError),
}

/// What a client may ask for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Request {
    /// Health of auditing on this Mac.
    Status,
    /// Receive `push` frames on this connection from now on.
    Subscribe,
    /// Sizes and record counts of the trail files.
    TrailStats,
    /// The current audit_control text and the hash to send back as `base_hash`.
    ReadConfig,
    /// Dry run: diagnostics, semantic diff and risks of `text`; changes nothing.
    Plan { text: String },
    /// Replace audit_control with `text` through the apply pipeline.
    Apply { text: String, terms: ChangeTerms },
    /// Apply the bytes of revision `revision` through the same pipeline.
    Rollback { revision: u64, terms: ChangeTerms },
    /// Revisions, newest first, one page at a time: at most `limit`
    /// (default [`HISTORY_PAGE`], at most [`MAX_HISTORY_PAGE`]) and at most
    /// [`HISTORY_PAGE_BYTES`] of JSON, older than revision `before` when set.
    /// The answer's `next_before` continues.
    History {
        #[serde(default)]
        limit: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        before: Option<u64>,
    },
    /// Keep a change applied with `confirm_within_secs` (stops the auto-revert).
    Confirm {
        /// The pending revision; `None` confirms whatever is pending.
        #[serde(default)]
        revision: Option<u64>,
    },
    /// Close the current trail and start a new one (`audit -n`).
    Rotate,
    /// Remove trails per `expire-after` (`audit -e`).
    Expire,
    /// Turn auditing on the way mSCP does it: create audit_control from
    /// audit_control.example when it is missing (a recorded revision that can
    /// be rolled back to "no file"), `launchctl enable`, `launchctl bootstrap`,
    /// `audit -i`, then read health back.
    EnableAuditing,
    /// Trial measurement: what auditing `flags` (attributable events) and
    /// `naflags` (non-attributable ones) *would* record over `duration_secs`,
    /// counted per class, without touching audit_control or the trails. On a
    /// Mac: `/dev/auditpipe` in local preselection mode. `flags`/`naflags` are
    /// class lists in audit_control syntax (`ad,-fr`); at most
    /// [`MAX_MEASURE_SECS`] seconds, else `invalid-request`.
    Measure {
        flags: String,
        #[serde(default)]
        naflags: String,
        duration_secs: u64,
    },
    /// Keep a planner's record of an applied step (its prediction, as JSON, at
    /// most [`MAX_STEP_RECORD`] bytes) next to revision `revision`, for a later
    /// review. Opaque to the helper apart from being a JSON object.
    RecordStep { revision: u64, record: String },
    /// The newest recorded steps, newest first.
    AppliedSteps {
        #[serde(default)]
        limit: Option<u32>,
    },
    /// Events per second per class over the last `window` (`hour` or `day`),
    /// from the trails: the data of the app's rate chart and sparkline.
    RateSeries { window: String },
    /// The trail folder's size history and its forecast toward `minfree`.
    /// (A struct variant, so an unknown field is refused as on the others.)
    ForecastView {},
    /// One filtered page of trail records, oldest first (the trail browser).
    TrailPage { query: TrailQuery },
    /// This Mac against a compliance baseline (`cis-l1`, `800-53-moderate`,
    /// `stig`, … as `earshot compliance` accepts).
    Compliance { baseline: String },
    /// The tuning ladder's next step toward `target` (`next` or a baseline
    /// name), with what applying it asks of the helper.
    NextStep { target: String },
}

/// Largest trail page a client may ask for (records).
pub const MAX_TRAIL_PAGE: usize = 1000;

/// A trail page stops taking records once their JSON reaches this many bytes,
/// so the answer always fits one frame ([`crate::MAX_FRAME_LEN`]) with room
/// for the envelope; `next` then points at the first record left out.
pub const TRAIL_PAGE_BYTES: usize = 768 * 1024;

/// Where a trail page continues: a trail file *name* (never a path; the
/// helper matches it against its own listing of the trail folders) and the
/// byte offset of the next record to consider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cursor {
    pub file: String,
    pub offset: u64,
}

/// Which outcomes a trail page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeChoice {
    #[default]
    Any,
    Success,
    Failure,
}

/// The trail browser's filter. Empty lists match anything.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrailQuery {
    /// Unix seconds, inclusive.
    pub since: Option<u64>,
    /// Unix seconds, exclusive.
    pub until: Option<u64>,
    /// Class names (`lo`, `ad`, …) from the Mac's audit_class.
    pub classes: Vec<String>,
    /// Event names (`AUE_open_r`, …) from the Mac's audit_event.
    pub events: Vec<String>,
    /// Audit user (auid): a number, or a name from the Mac's /etc/passwd.
    pub user: Option<String>,
    pub outcome: OutcomeChoice,
    /// Continue after an earlier page (its `next`); `None` starts at the oldest record.
    pub cursor: Option<Cursor>,
    /// 1 to [`MAX_TRAIL_PAGE`]; `None` means 100.
    pub page_size: Option<usize>,
}

/// One page of trail records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrailPage {
    /// `bsm::json` record objects with `trail_file` and `trail_offset` added.
    pub records: Vec<serde_json::Value>,
    /// Where the next page starts; `None` at the end.
    pub next: Option<Cursor>,
    /// Bytes examined for this page.
    pub scanned_bytes: u64,
    /// The helper stopped on its per-request scan budget before the page was
    /// full (it may even hold no records): more may follow from `next`, which
    /// is then always set. `false` for a full page and at the end. Absent from
    /// older helpers' answers, which scanned to the end instead.
    #[serde(default)]
    pub partial: bool,
}

/// What applying a ladder step asks of the helper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StepAction {
    /// Send `enable_auditing`. `read_hash` is the hash of the audit_control the
    /// step was planned on (`None`: there was none), to refuse if it changed.
    EnableAuditing { read_hash: Option<String> },
    /// Send `apply` with `text`, based on the file whose hash is `base_hash`.
    Write { text: String, base_hash: String },
}

/// The answer to `next_step`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NextStepReport {
    /// The step (`earshot_core::plan::Plan` as JSON); `None` when the target is met.
    pub plan: Option<serde_json::Value>,
    /// What applying it asks of the helper (`None` with no step).
    pub action: Option<StepAction>,
    /// The risks applying it needs acknowledged (ids as in `apply`'s `acks`).
    pub risks: Vec<Risk>,
    /// The planner's record of the step (`earshot_core::plan::review::AppliedStep`
    /// as JSON), for `record_step` once it is applied (`None` with no step).
    pub step_record: Option<String>,
}

/// The largest step record the helper keeps.
pub const MAX_STEP_RECORD: usize = 256 * 1024;

/// The longest trial measurement the helper runs (one hour): a request blocks a
/// helper thread (and on a Mac an auditpipe) for its whole duration.
pub const MAX_MEASURE_SECS: u64 = 3600;

/// Revisions in one history page when the client does not say.
pub const HISTORY_PAGE: u32 = 50;
/// The most revisions one history page carries.
pub const MAX_HISTORY_PAGE: u32 = 200;
/// The JSON bytes of revisions one history page carries at most (half a
/// frame, so the page's other fields and a chain problem always fit).
pub const HISTORY_PAGE_BYTES: usize = 512 * 1024;
/// The longest `reason` a change may carry (characters).
pub const MAX_REASON_CHARS: usize = 512;
/// The largest audit_control the helper reads or writes: real files are well
/// under 1 KiB (a dozen short lines), so 64 KiB is generous for comments and
/// still refuses a runaway or hostile file before it costs memory or history.
pub const MAX_CONTROL_LEN: usize = 64 * 1024;

/// Terms common to apply and rollback.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ChangeTerms {
    /// sha256 (hex) of the audit_control bytes the client based its change on.
    pub base_hash: String,
    /// Risk ids the user acknowledged, e.g. `drop-cnt`.
    #[serde(default)]
    pub acks: Vec<String>,
    /// Why; recorded in history.
    #[serde(default)]
    pub reason: String,
    /// Revert automatically unless confirmed within this many seconds.
    #[serde(default)]
    pub confirm_within_secs: Option<u64>,
}

/// The answer to a successful request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Response {
    Status(StatusReport),
    Subscribed,
    TrailStats(TrailStatsReport),
    Config(ConfigText),
    Plan(PlanReport),
    Applied(AppliedReport),
    History(HistoryReport),
    Confirmed {
        revision: u64,
    },
    Rotated,
    Expired,
    AuditingEnabled(EnableReport),
    Measured(MeasureReport),
    StepRecorded {
        revision: u64,
    },
    AppliedSteps {
        steps: Vec<StepRecord>,
    },
    /// `earshot_core::series::RateSeries` as JSON.
    RateSeries {
        series: serde_json::Value,
    },
    /// `earshot_core::series::ForecastView` as JSON.
    ForecastView {
        view: serde_json::Value,
    },
    TrailPage(TrailPage),
    /// `earshot_core::baseline::Report` as JSON.
    Compliance {
        report: serde_json::Value,
    },
    NextStep(NextStepReport),
}

/// A step record as the helper keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepRecord {
    pub revision: u64,
    /// When the helper stored it (its clock; virtual on a simulated Mac).
    pub recorded_unix: u64,
    /// The client's JSON, as sent.
    pub record: String,
}

/// What `enable_auditing` did and what health says afterwards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnableReport {
    /// The revision that created audit_control from the example (`None` when
    /// the file already existed). Rolling back to the revision before it
    /// removes the file again.
    pub created_revision: Option<u64>,
    /// What was done, in order, in words (`launchctl enable system/com.apple.auditd`).
    pub steps: Vec<String>,
    /// True when `audit -c` answers AUC_AUDITING afterwards.
    pub auditing: bool,
    /// Health read back after the sequence.
    pub findings: Vec<Finding>,
    /// Sessions that logged in while auditing was off keep an empty mask until
    /// their user logs out and in again (or the Mac restarts).
    pub relogin_needed: bool,
    pub notes: Vec<String>,
}

/// Counts of one class side over a trial.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct SideCount {
    pub events: u64,
    pub bytes: u64,
}

/// One class in a trial measurement. An event counts toward every class it
/// belongs to (audit_event), as the kernel's preselection does. A side is
/// `null` when the trial did not select the whole class on that side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassCount {
    pub class: String,
    pub success: Option<SideCount>,
    pub failure: Option<SideCount>,
}

/// The answer to `measure`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasureReport {
    /// The masks measured, as audit_control would spell them.
    pub flags: String,
    pub naflags: String,
    /// Seconds the trial covered (simulated seconds on a simulated Mac).
    pub duration_secs: u64,
    /// Every record seen, whatever its classes.
    pub records: u64,
    pub bytes: u64,
    /// Per class, only classes named in `flags`/`naflags`.
    pub classes: Vec<ClassCount>,
    /// `auditpipe` on a Mac, `simulator` on a simulated one.
    pub method: String,
    /// Records the pipe dropped (queue overflow) — the counts are then a floor.
    pub dropped: u64,
}

/// Health of auditing, as a UI shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusReport {
    /// ok | warning | error | off
    pub level: HealthLevel,
    /// One line for the tray tooltip.
    pub summary: String,
    /// Every finding, most severe first.
    #[serde(default)]
    pub findings: Vec<Finding>,
    /// sha256 of audit_control now.
    pub config_hash: String,
    /// Newest revision in history.
    pub head_revision: Option<u64>,
    /// A change waiting for `confirm`, if any.
    pub pending: Option<PendingConfirm>,
    pub simulated: bool,
    /// The full `earshot status --json` document as the helper (root) reads it
    /// (docs/status-json.md). Only in answers to `status`, never in pushes:
    /// it changes every second (rates, time) and would defeat "push on change".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HealthLevel {
    Ok,
    Warning,
    Error,
    Off,
}

/// One fact behind the health level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub level: HealthLevel,
    /// Stable id for the UI, e.g. `auditd-not-running`.
    pub code: String,
    pub message: String,
}

/// A change that reverts by itself at `deadline_unix` unless confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingConfirm {
    pub revision: u64,
    pub deadline_unix: u64,
}

/// Trail folder statistics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrailStatsReport {
    pub files: Vec<TrailFile>,
    pub total_bytes: u64,
    pub total_records: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrailFile {
    /// File name only (never a path a client could reuse).
    pub name: String,
    pub bytes: u64,
    pub records: u64,
    /// True for the trail auditd is writing now.
    pub current: bool,
    /// Bytes the reader could not decode.
    pub damaged_bytes: u64,
}

/// audit_control as it is now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigText {
    /// The file as UTF-8 (invalid bytes replaced, see `lossy`).
    pub text: String,
    /// sha256 (hex) of the exact bytes; send it back as `base_hash`.
    pub hash: String,
    /// True when the file is not valid UTF-8: `text` shows U+FFFD where the
    /// invalid bytes are, and an apply of edited text replaces them too.
    pub lossy: bool,
    /// False when there is no audit_control (the macOS 14+ default); `hash`
    /// is then `"absent"` and an apply creates the file root:wheel 0440.
    #[serde(default = "yes")]
    pub exists: bool,
}

fn yes() -> bool {
    true
}

/// A problem in a proposed audit_control (mirrors `audit_control::Diagnostic`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub line: u32,
    pub column: u32,
    /// error | warning | info
    pub severity: String,
    pub code: String,
    pub message: String,
    #[serde(default)]
    pub hint: String,
}

/// A change that needs a named acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Risk {
    /// `drop-cnt`, `add-ahlt`, `add-arge`, `na-in-flags`, `minfree-out-of-range`,
    /// `filesz-zero`, `no-expire-after`, `dir-change`.
    pub id: String,
    pub message: String,
}

/// One line of a semantic diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub key: String,
    pub old: Option<String>,
    pub new: Option<String>,
    /// A sentence, e.g. `flags: adds fr (file read)`.
    pub summary: String,
}

/// The dry-run answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanReport {
    /// False when any diagnostic is an error (apply would refuse).
    pub valid: bool,
    pub diagnostics: Vec<Diagnostic>,
    pub changes: Vec<Change>,
    pub risks: Vec<Risk>,
    /// Hash of the file now: the `base_hash` an apply of this plan should send.
    pub base_hash: String,
    /// Hash the file will have after the apply.
    pub new_hash: String,
}

/// What an apply or rollback did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppliedReport {
    pub revision: u64,
    pub hash: String,
    pub changes: Vec<Change>,
    /// Set when the change reverts unless confirmed.
    pub pending: Option<PendingConfirm>,
    /// True when the file was already exactly `text` (nothing written).
    pub unchanged: bool,
    /// Set when the file was written but `audit -s` failed (e.g. auditing is
    /// off): the change takes effect when auditd next starts.
    #[serde(default)]
    pub reload_warning: Option<String>,
    /// What went wrong after the new file was already in place (restoring
    /// `uchg`, syncing the folder): the change is made and recorded, and the
    /// helper keeps retrying what it owes (see status).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// History, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryReport {
    pub revisions: Vec<RevisionInfo>,
    /// False when a stored revision or the chain linking them was altered.
    pub chain_intact: bool,
    /// Human account of the first break, when `chain_intact` is false.
    pub chain_problem: Option<String>,
    /// Pass as `before` for the next, older page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_before: Option<u64>,
}

/// Who made a revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RevisionSource {
    /// The file as it was before Earshot first touched it; never dropped.
    Original,
    /// An apply through the helper.
    Apply,
    /// A rollback through the helper.
    Rollback,
    /// An unconfirmed change reverted by the deadline.
    AutoRevert,
    /// An edit made outside Earshot, noticed by the drift watch.
    External,
}

/// One revision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RevisionInfo {
    pub number: u64,
    pub time_unix: u64,
    pub uid: u32,
    pub user: String,
    pub source: RevisionSource,
    pub reason: String,
    /// sha256 of the file bytes of this revision.
    pub hash: String,
    /// Hash linking this revision to the one before it.
    pub chain: String,
    pub changes: Vec<Change>,
    pub acks: Vec<String>,
    /// For revisions applied with `confirm_within_secs`: pending, confirmed or reverted.
    pub confirmation: Option<Confirmation>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confirmation {
    Pending,
    Confirmed,
    Reverted,
}

/// A pushed state change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// Fresh status (sent after every change and periodically).
    State(StatusReport),
    /// A new revision exists (apply, rollback, auto-revert or external edit).
    Revision(RevisionInfo),
}
