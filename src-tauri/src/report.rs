//! The payload of the `config_diagnostics` command: which file was read and what
//! `audit_control::check` says about it.
//!
//! Pure glue — the helper reads the file (on a Mac it is root's only), the library
//! judges its text, and this wraps the outcome so the UI can tell "checked" from
//! "missing" from "unreadable". Every judgement about the file's content comes
//! from `audit_control::check`.

use audit_control::tables::ClassTable;
use audit_control::Diagnostic;
use earshot_api::{ClientError, ConfigText};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "status", rename_all = "camelCase")]
pub enum ConfigReport {
    /// The file was read and checked; `diagnostics` may be empty.
    #[serde(rename_all = "camelCase")]
    Checked {
        path: String,
        diagnostics: Vec<Diagnostic>,
    },
    /// There is no audit_control at `path` (the macOS 14+ default: auditing is off).
    #[serde(rename_all = "camelCase")]
    Missing { path: String },
    /// The file could not be read (the helper failed to, or is not reachable).
    #[serde(rename_all = "camelCase")]
    Unreadable { path: String, reason: String },
}

impl ConfigReport {
    /// Checks what the helper's `read_config` answered against Apple's class
    /// table. `path` is only shown. A file that is not UTF-8 arrives with
    /// U+FFFD in place of the bad bytes (`lossy`); the check then reads that
    /// text, which is also what an edit through the app would write.
    pub fn from_helper(path: String, read: Result<ConfigText, ClientError>) -> Self {
        match read {
            Ok(c) if !c.exists => Self::Missing { path },
            Ok(c) => Self::Checked {
                path,
                diagnostics: audit_control::check(c.text.as_bytes(), &ClassTable::apple()),
            },
            Err(e) => Self::Unreadable {
                path,
                reason: e.to_string(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use earshot_api::{ApiError, ErrorCode};

    fn config(text: Option<&str>) -> ConfigText {
        ConfigText {
            text: text.unwrap_or_default().to_string(),
            hash: text.map_or("absent".into(), |t| earshot_api::content_hash(t.as_bytes())),
            lossy: false,
            exists: text.is_some(),
        }
    }

    const PATH: &str = "/etc/security/audit_control";

    #[test]
    fn missing_file_is_reported_with_its_path() {
        match ConfigReport::from_helper(PATH.into(), Ok(config(None))) {
            ConfigReport::Missing { path } => assert_eq!(path, PATH),
            other => panic!("expected Missing, got {other:?}"),
        }
    }

    #[test]
    fn a_helper_refusal_is_unreadable_with_its_reason() {
        let e = ClientError::Api(ApiError::new(
            ErrorCode::Io,
            "reading audit_control: EISDIR",
        ));
        match ConfigReport::from_helper(PATH.into(), Err(e)) {
            ConfigReport::Unreadable { reason, .. } => assert!(reason.contains("EISDIR")),
            other => panic!("expected Unreadable, got {other:?}"),
        }
    }

    #[test]
    fn checked_file_carries_exactly_the_library_diagnostics() {
        let content = "dir:/var/audit\nflags:lo,aa # comment\nminfree:70\n";
        let expected = audit_control::check(content.as_bytes(), &ClassTable::apple());
        assert!(!expected.is_empty(), "the sample has something to say");
        let report = ConfigReport::from_helper(PATH.into(), Ok(config(Some(content))));
        let ConfigReport::Checked { diagnostics, .. } = &report else {
            panic!("expected Checked, got {report:?}");
        };
        assert_eq!(
            serde_json::to_value(diagnostics).expect("json"),
            serde_json::to_value(&expected).expect("json")
        );
    }

    #[test]
    fn serialized_shape_is_what_the_ui_reads() {
        let json = serde_json::to_value(ConfigReport::from_helper(PATH.into(), Ok(config(None))))
            .expect("json");
        assert_eq!(json["status"], "missing");
        assert!(json["path"].is_string());
    }
}
