//! The payload of the app's `config_diagnostics` command: which file was read
//! and what the audit_control grammar says about it — both from the helper
//! (on a Mac the file is root's only, and the helper judges it with the same
//! library as every other reader), wrapped so the UI can tell "checked" from
//! "missing" from "unreadable".

use earshot_api::{ClientError, ConfigText};
pub use earshot_model::config::ConfigReport;

/// The report for what the helper's `read_config` answered. `path` is only
/// shown.
pub fn config_report(path: String, read: Result<ConfigText, ClientError>) -> ConfigReport {
    match read {
        Ok(c) if !c.exists => ConfigReport::Missing { path },
        Ok(c) => ConfigReport::Checked {
            path,
            diagnostics: c.diagnostics,
        },
        Err(e) => ConfigReport::Unreadable {
            path,
            reason: e.to_string(),
        },
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
            diagnostics: Vec::new(),
        }
    }

    const PATH: &str = "/etc/security/audit_control";

    #[test]
    fn missing_file_is_reported_with_its_path() {
        match config_report(PATH.into(), Ok(config(None))) {
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
        match config_report(PATH.into(), Err(e)) {
            ConfigReport::Unreadable { reason, .. } => assert!(reason.contains("EISDIR")),
            other => panic!("expected Unreadable, got {other:?}"),
        }
    }

    #[test]
    fn a_checked_file_carries_the_helpers_diagnostics() {
        let mut c = config(Some("minfree:70\n"));
        c.diagnostics = vec![earshot_api::Diagnostic {
            line: 1,
            column: 9,
            severity: earshot_api::DiagnosticSeverity::Warning,
            code: "AC-MINFREE-HIGH".into(),
            message: "m".into(),
            hint: "h".into(),
        }];
        let want = c.diagnostics.clone();
        match config_report(PATH.into(), Ok(c)) {
            ConfigReport::Checked { diagnostics, path } => {
                assert_eq!(diagnostics, want);
                assert_eq!(path, PATH);
            }
            other => panic!("expected Checked, got {other:?}"),
        }
    }

    #[test]
    fn serialized_shape_is_what_the_ui_reads() {
        let json =
            serde_json::to_value(config_report(PATH.into(), Ok(config(None)))).expect("json");
        assert_eq!(json["status"], "missing");
        assert!(json["path"].is_string());
    }
}
