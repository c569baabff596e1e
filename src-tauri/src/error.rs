//! The one error shape every command rejects with (docs/app-commands.md):
//! `{code, reason}` plus the helper's structured facts when it refused.

use earshot_api::{ClientError, Diagnostic, Risk};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct CommandError {
    /// `unavailable`, `refused`, `invalid` or `internal`.
    pub code: &'static str,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub helper_code: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing_acks: Vec<Risk>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub diagnostics: Vec<Diagnostic>,
}

impl CommandError {
    fn plain(code: &'static str, reason: impl Into<String>) -> Self {
        CommandError {
            code,
            reason: reason.into(),
            helper_code: None,
            missing_acks: Vec::new(),
            diagnostics: Vec::new(),
        }
    }

    pub fn invalid(reason: impl Into<String>) -> Self {
        Self::plain("invalid", reason)
    }

    pub fn internal(reason: impl Into<String>) -> Self {
        Self::plain("internal", reason)
    }

    pub fn unavailable(reason: impl Into<String>) -> Self {
        Self::plain("unavailable", reason)
    }

    /// A step's risks not yet acknowledged (checked by the app before the helper
    /// would refuse the same way).
    pub fn needs_acks(missing: Vec<Risk>) -> Self {
        let ids: Vec<&str> = missing.iter().map(|r| r.id.as_str()).collect();
        CommandError {
            helper_code: Some("ack-required".into()),
            missing_acks: missing.clone(),
            ..Self::plain("refused", format!("acknowledge first: {}", ids.join(", ")))
        }
    }
}

impl From<ClientError> for CommandError {
    fn from(e: ClientError) -> Self {
        match e {
            ClientError::Api(api) => CommandError {
                code: "refused",
                reason: api.reason.clone(),
                helper_code: Some(api.code.as_str().to_string()),
                missing_acks: api.missing_acks,
                diagnostics: api.diagnostics,
            },
            other => Self::unavailable(other.to_string()),
        }
    }
}

impl From<tauri::Error> for CommandError {
    fn from(e: tauri::Error) -> Self {
        Self::internal(e.to_string())
    }
}

pub type CmdResult<T> = Result<T, CommandError>;
