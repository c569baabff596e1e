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
pub use earshot_model::change::{
    AppliedReport, ChangeTerms, EnableReport, NextStepReport, PendingConfirm, PlanReport,
    StepApplied, StepRecord, StepToken,
};
pub use earshot_model::compliance::Report as ComplianceReport;
pub use earshot_model::compliance::{OdvValue, Tailoring};
pub use earshot_model::config::{ConfigText, Diagnostic, DiagnosticSeverity};
pub use earshot_model::history::{
    Change, Confirmation, HistoryReport, RevisionInfo, RevisionSource,
};
pub use earshot_model::measure::{ClassCount, Measurement, SideCount};
pub use earshot_model::plan::Risk;
pub use earshot_model::series::{ForecastView, RateSeries};
pub use earshot_model::soak::{SoakSeries, SoakState, SoakStatus, StepReview, Tweak};
pub use earshot_model::status::{Finding, HealthLevel, StatusReport};
pub use earshot_model::trail::{
    Cursor, OutcomeChoice, TrailFile, TrailPage, TrailQuery, TrailStatsReport, MAX_TRAIL_PAGE,
    TRAIL_PAGE_BYTES,
};

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
    /// The newest steps applied with `apply_step`, newest first, each with
    /// the prediction kept for its review.
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
    /// name), with the token that applies exactly it.
    NextStep { target: String },
    /// Apply the step `step` names, in the helper, under its lock: plan it
    /// again on the file as it is, refuse if that is not the step reviewed,
    /// check the acknowledgements (the planner's risks and the grammar's),
    /// apply it (or turn auditing on), and keep the prediction with the
    /// revision for the step's review — one action, so a step and its record
    /// cannot be separated.
    ApplyStep {
        step: StepToken,
        #[serde(default)]
        acks: Vec<String>,
        /// Revert automatically unless confirmed within this many seconds.
        #[serde(default)]
        confirm_within_secs: Option<u64>,
        /// How long the step soaks before its review (default: the rule of
        /// docs/tuning-guide.md for the step).
        #[serde(default)]
        soak_days: Option<f64>,
        /// Go on although the previous step is still soaking (the user
        /// acknowledged that its review is skipped; recorded with the step).
        #[serde(default)]
        skip_soak: bool,
    },
    /// The last step's soak and its review: the verdict with its reasons, the
    /// next step, the tweaks and the roll back, each ready to apply.
    ReviewStep {},
    /// The last step's trail volume over its soak, for the wizard's chart.
    SoakSeries {},
}

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
    Confirmed { revision: u64 },
    Rotated,
    Expired,
    AuditingEnabled(EnableReport),
    Measured(Measurement),
    AppliedSteps { steps: Vec<StepRecord> },
    RateSeries { series: RateSeries },
    ForecastView { view: ForecastView },
    TrailPage(TrailPage),
    Compliance { report: ComplianceReport },
    NextStep(Box<NextStepReport>),
    StepApplied(Box<StepApplied>),
    StepReview(Box<StepReview>),
    SoakSeries(SoakSeries),
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
