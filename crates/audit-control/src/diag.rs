//! Findings about a file: where, how bad, a stable code, what it means, how to fix it.

use serde::Serialize;

/// How bad a finding is.
///
/// `Error`: macOS will not read the setting the way the file seems to say (a list
/// thrown away, a value rejected, auditd unable to start). `Warning`: read as
/// written but risky or probably not what was meant. `Info`: worth knowing, no
/// action needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding. `line` and `column` are 1-based (column counts bytes of the
/// physical line); `line == 0` means the finding is about the file as a whole
/// (for example a key that is missing), and then `column` is 0 too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub line: u32,
    pub column: u32,
    pub severity: Severity,
    /// Stable identifier, e.g. `AC-FLAGS-UNKNOWN-CLASS`; see the table in the crate docs.
    pub code: String,
    pub message: String,
    pub hint: String,
}

impl Diagnostic {
    pub(crate) fn new(
        line: u32,
        column: u32,
        severity: Severity,
        code: &str,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        Diagnostic {
            line,
            column,
            severity,
            code: code.to_string(),
            message: message.into(),
            hint: hint.into(),
        }
    }
}

/// Sorts findings by position, then severity (worst first), then code, so output
/// is deterministic.
pub(crate) fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (a.line, a.column, std::cmp::Reverse(a.severity), &a.code).cmp(&(
            b.line,
            b.column,
            std::cmp::Reverse(b.severity),
            &b.code,
        ))
    });
}
