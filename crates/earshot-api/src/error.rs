//! Typed errors that cross the wire.
//!
//! The UI branches on [`ErrorCode`], never on the human `reason`: keep the set
//! small and add a code only when a client does something different for it.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::message::{Diagnostic, Risk};

/// What went wrong, in a form a client can branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorCode {
    /// The handshake proof did not verify (wrong secret, no secret, or a
    /// request before the handshake finished).
    Unauthenticated,
    /// A nonce was presented a second time.
    Replay,
    /// The peer's uid is neither root, an admin-group member nor the configured user.
    WrongUser,
    /// A frame announced more than [`crate::MAX_FRAME_LEN`] bytes.
    FrameTooLarge,
    /// A frame was empty, not JSON, or not a message we know.
    Malformed,
    /// The peer was idle (or sent half a frame) for longer than allowed.
    Timeout,
    /// The proposed audit_control has errors; see `diagnostics`.
    Validation,
    /// The file changed since the client read it; re-read and re-plan.
    BaseChanged,
    /// A risky change was not acknowledged; see `missing_acks`.
    AckRequired,
    /// The helper is at its connection limit.
    Busy,
    /// Reading or writing a file, or running `audit`, failed.
    Io,
    /// No protocol version in common.
    UnsupportedVersion,
    /// No such revision, or nothing pending to confirm.
    NotFound,
    /// The operation is not available on this system.
    Unsupported,
    /// A request field is out of range or does not parse (e.g. a measurement
    /// longer than an hour, an unknown class).
    InvalidRequest,
    /// A bug in the helper; the reason says where.
    Internal,
}

impl ErrorCode {
    /// The wire spelling, e.g. `"base-changed"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::Replay => "replay",
            ErrorCode::WrongUser => "wrong-user",
            ErrorCode::FrameTooLarge => "frame-too-large",
            ErrorCode::Malformed => "malformed",
            ErrorCode::Timeout => "timeout",
            ErrorCode::Validation => "validation",
            ErrorCode::BaseChanged => "base-changed",
            ErrorCode::AckRequired => "ack-required",
            ErrorCode::Busy => "busy",
            ErrorCode::Io => "io",
            ErrorCode::UnsupportedVersion => "unsupported-version",
            ErrorCode::NotFound => "not-found",
            ErrorCode::Unsupported => "unsupported",
            ErrorCode::InvalidRequest => "invalid-request",
            ErrorCode::Internal => "internal",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error as the helper reports it: a code, a sentence for humans, and for
/// two codes the structured facts a UI needs to offer a fix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[error("{code}: {reason}")]
pub struct ApiError {
    pub code: ErrorCode,
    pub reason: String,
    /// For `validation`: the diagnostics that block the change.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub diagnostics: Vec<Diagnostic>,
    /// For `ack-required`: the risks still to acknowledge.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing_acks: Vec<Risk>,
}

impl ApiError {
    pub fn new(code: ErrorCode, reason: impl Into<String>) -> Self {
        ApiError {
            code,
            reason: reason.into(),
            diagnostics: Vec::new(),
            missing_acks: Vec::new(),
        }
    }
}
