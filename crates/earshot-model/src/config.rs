//! audit_control as the helper reads it, and the grammar's findings about a text.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// audit_control as it is now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
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
    /// What the audit_control grammar (Apple's dialect and class table) says
    /// of `text`, most severe first; empty when there is no file.
    #[serde(default)]
    pub diagnostics: Vec<Diagnostic>,
}

/// audit_control as the app's diagnostics screen shows it: which file, and
/// whether it was checked, is missing (the macOS 14+ default) or unreadable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "status", rename_all = "camelCase")]
pub enum ConfigReport {
    /// The file was read and checked; `diagnostics` may be empty.
    Checked {
        path: String,
        diagnostics: Vec<Diagnostic>,
    },
    /// There is no audit_control at `path` (auditing is off).
    Missing { path: String },
    /// The file could not be read (the helper failed to, or is not reachable).
    Unreadable { path: String, reason: String },
}

fn yes() -> bool {
    true
}

/// How bad a diagnostic is: an error blocks an apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum DiagnosticSeverity {
    Error,
    Warning,
    Info,
}

/// A problem in a proposed audit_control (mirrors `audit_control::Diagnostic`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Diagnostic {
    pub line: u32,
    pub column: u32,
    pub severity: DiagnosticSeverity,
    pub code: String,
    pub message: String,
    #[serde(default)]
    pub hint: String,
}

impl std::fmt::Display for DiagnosticSeverity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DiagnosticSeverity::Error => "error",
            DiagnosticSeverity::Warning => "warning",
            DiagnosticSeverity::Info => "info",
        })
    }
}
