//! The payload of the `config_diagnostics` command: which file was read and what
//! `audit_control::check` says about it.
//!
//! Pure glue — read bytes, hand them to the library, wrap the outcome so the UI can tell
//! "checked" from "missing" from "unreadable". Every judgement about the file's content
//! comes from `audit_control::check`.

use std::io::ErrorKind;
use std::path::Path;

use audit_control::tables::ClassTable;
use audit_control::Diagnostic;
use serde::Serialize;

use crate::launch::audit_control_path;

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
    /// The file exists but could not be read (permissions, a folder in its place…).
    #[serde(rename_all = "camelCase")]
    Unreadable { path: String, reason: String },
}

impl ConfigReport {
    /// Reads `ROOT/etc/security/audit_control` and checks it against Apple's class table.
    pub fn for_root(root: &Path) -> Self {
        let path = audit_control_path(root);
        let shown = path.display().to_string();
        match std::fs::read(&path) {
            Ok(bytes) => Self::Checked {
                path: shown,
                diagnostics: audit_control::check(&bytes, &ClassTable::apple()),
            },
            Err(err) if err.kind() == ErrorKind::NotFound => Self::Missing { path: shown },
            Err(err) => Self::Unreadable {
                path: shown,
                reason: err.to_string(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root_with(content: Option<&[u8]>) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("tempdir");
        if let Some(bytes) = content {
            let etc = dir.path().join("etc/security");
            std::fs::create_dir_all(&etc).expect("mkdir");
            std::fs::write(etc.join("audit_control"), bytes).expect("write");
        }
        dir
    }

    #[test]
    fn missing_file_is_reported_with_its_path() {
        let dir = root_with(None);
        match ConfigReport::for_root(dir.path()) {
            ConfigReport::Missing { path } => {
                assert!(path.ends_with("etc/security/audit_control"), "{path}")
            }
            other => panic!("expected Missing, got {other:?}"),
        }
    }

    #[test]
    fn a_folder_in_place_of_the_file_is_unreadable() {
        let dir = root_with(None);
        std::fs::create_dir_all(dir.path().join("etc/security/audit_control")).expect("mkdir");
        assert!(matches!(
            ConfigReport::for_root(dir.path()),
            ConfigReport::Unreadable { .. }
        ));
    }

    #[test]
    fn checked_file_carries_exactly_the_library_diagnostics() {
        let content = b"dir:/var/audit\nflags:lo,aa # comment\nminfree:70\n";
        let dir = root_with(Some(content));
        let expected = audit_control::check(content, &ClassTable::apple());
        let report = ConfigReport::for_root(dir.path());
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
        let dir = root_with(None);
        let json = serde_json::to_value(ConfigReport::for_root(dir.path())).expect("json");
        assert_eq!(json["status"], "missing");
        assert!(json["path"].is_string());
    }
}
