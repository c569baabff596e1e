//! Typed errors that cross the wire.
//!
//! The UI branches on [`ErrorCode`], never on the human `reason`: keep the set
//! small and add a code only when a client does something different for it.

use std::fmt;

use serde::{Deserialize, Serialize};

use ts_rs::TS;

use crate::config::Diagnostic;
use crate::plan::Risk;

/// What went wrong, in a form a client can branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
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
    /// audit_control (or a folder above it) is not something the helper will
    /// read or write through: a symbolic link, a FIFO or device, or far larger
    /// than any real audit_control. The reason says which and how to fix it.
    UnsafeConfig,
    /// The previous tuning step is still soaking: the reason says how long is
    /// left and what it has cost so far; `apply_step` with `skip_soak` goes on
    /// anyway (and records that choice).
    Soaking,
    /// The organisation's configuration profile does not allow this here
    /// (`AllowUserTuning`, `AllowRollback`); the reason names the key.
    Managed,
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
            ErrorCode::UnsafeConfig => "unsafe-config",
            ErrorCode::Soaking => "soaking",
            ErrorCode::Managed => "managed",
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, thiserror::Error)]
#[error("{code}: {reason}")]
pub struct ApiError {
    pub code: ErrorCode,
    pub reason: String,
    /// For `validation`: the diagnostics that block the change.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<_>", optional)]
    pub diagnostics: Vec<Diagnostic>,
    /// For `ack-required`: the risks still to acknowledge.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<_>", optional)]
    pub missing_acks: Vec<Risk>,
}

/// The longest reason an error carries (bytes). Reasons are sentences; one
/// that grew past this quotes something it should not have, and an error
/// frame must always fit in one frame, or the peer gets no answer at all.
pub const MAX_ERROR_REASON: usize = 1024;

/// The most characters of client input an error quotes.
pub const MAX_QUOTED: usize = 48;

impl ApiError {
    /// An error; a reason longer than [`MAX_ERROR_REASON`] is cut (on a
    /// character boundary) and says how much was left out.
    pub fn new(code: ErrorCode, reason: impl Into<String>) -> Self {
        ApiError {
            code,
            reason: bound_reason(reason.into()),
            diagnostics: Vec::new(),
            missing_acks: Vec::new(),
        }
    }
}

fn bound_reason(mut reason: String) -> String {
    if reason.len() <= MAX_ERROR_REASON {
        return reason;
    }
    let mut cut = MAX_ERROR_REASON - 64;
    while !reason.is_char_boundary(cut) {
        cut -= 1;
    }
    let left_out = reason.len() - cut;
    reason.truncate(cut);
    reason.push_str(&format!("… ({left_out} more bytes not shown)"));
    reason
}

/// Client input as an error may quote it: at most [`MAX_QUOTED`] characters,
/// escaped (control characters, quotes, non-ASCII spelled out), in double
/// quotes, with `…` when cut. An error never echoes what a client sent back
/// at it: a 1 MiB field would make the error frame itself too large.
pub fn quote(input: &str) -> String {
    let mut out = String::from("\"");
    for (i, c) in input.chars().enumerate() {
        if i == MAX_QUOTED {
            out.push('…');
            break;
        }
        out.extend(c.escape_default());
    }
    out.push('"');
    out
}

/// A serde message with every backtick-quoted piece of input shortened (serde
/// quotes unknown variants and fields verbatim: "unknown variant `…`").
pub fn shorten_quoted(message: &str) -> String {
    let mut out = String::new();
    for (i, piece) in message.split('`').enumerate() {
        if i % 2 == 1 {
            out.push('`');
            if piece.chars().count() > MAX_QUOTED {
                out.extend(
                    piece
                        .chars()
                        .take(MAX_QUOTED)
                        .flat_map(char::escape_default),
                );
                out.push('…');
            } else {
                out.extend(piece.chars().flat_map(char::escape_default));
            }
            out.push('`');
        } else {
            out.push_str(piece);
        }
    }
    bound_reason(out)
}

#[cfg(test)]
mod bounds {
    use super::*;

    #[test]
    fn quoting_is_short_escaped_and_says_when_it_cut() {
        assert_eq!(quote("cis-l1"), "\"cis-l1\"");
        assert_eq!(quote("a\nb\u{7}\"c"), "\"a\\nb\\u{7}\\\"c\"");
        let long = quote(&"x".repeat(1 << 20));
        assert!(long.len() < 60 && long.ends_with("…\""), "{long}");
    }

    #[test]
    fn reasons_are_bounded_on_a_character_boundary() {
        let e = ApiError::new(ErrorCode::Malformed, "é".repeat(1 << 19));
        assert!(e.reason.len() <= MAX_ERROR_REASON, "{}", e.reason.len());
        assert!(e.reason.ends_with("more bytes not shown)"));
        let short = ApiError::new(ErrorCode::Malformed, "fine");
        assert_eq!(short.reason, "fine");
    }

    #[test]
    fn serde_quotes_are_shortened() {
        let m = format!("unknown variant `{}`, expected `status`", "z".repeat(5000));
        let s = shorten_quoted(&m);
        assert!(s.len() < 200, "{s}");
        assert!(s.ends_with("expected `status`"));
    }
}
