//! The one error shape every app command rejects with (docs/app-commands.md):
//! a small code the UI branches on, a sentence, and the helper's structured
//! facts when it refused (which risks to acknowledge, which diagnostics block).

use earshot_api::{ClientError, Diagnostic, Risk};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::actions::ActionError;

/// What kind of failure: the UI shows each differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CommandCode {
    /// The helper cannot be reached (not running, not paired).
    Unavailable,
    /// The helper refused; `helper_code` says why.
    Refused,
    /// The request itself was wrong (an unknown window, a bad argument).
    Invalid,
    /// A bug or an environment failure in the app.
    Internal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CommandError {
    pub code: CommandCode,
    pub reason: String,
    /// The helper's error code (`ack-required`, `base-changed`, …) when it refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub helper_code: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<_>", optional)]
    pub missing_acks: Vec<Risk>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<_>", optional)]
    pub diagnostics: Vec<Diagnostic>,
}

impl CommandError {
    fn plain(code: CommandCode, reason: impl Into<String>) -> Self {
        CommandError {
            code,
            reason: reason.into(),
            helper_code: None,
            missing_acks: Vec::new(),
            diagnostics: Vec::new(),
        }
    }

    pub fn invalid(reason: impl Into<String>) -> Self {
        Self::plain(CommandCode::Invalid, reason)
    }

    pub fn internal(reason: impl Into<String>) -> Self {
        Self::plain(CommandCode::Internal, reason)
    }

    pub fn unavailable(reason: impl Into<String>) -> Self {
        Self::plain(CommandCode::Unavailable, reason)
    }
}

impl From<ActionError> for CommandError {
    fn from(e: ActionError) -> Self {
        match e {
            ActionError::Client(c) => c.into(),
            other => CommandError::invalid(other.to_string()),
        }
    }
}

impl From<ClientError> for CommandError {
    fn from(e: ClientError) -> Self {
        match e {
            ClientError::Api(api) => CommandError {
                code: CommandCode::Refused,
                reason: api.reason.clone(),
                helper_code: Some(api.code.as_str().to_string()),
                missing_acks: api.missing_acks,
                diagnostics: api.diagnostics,
            },
            other => Self::unavailable(other.to_string()),
        }
    }
}

pub type CmdResult<T> = Result<T, CommandError>;
