//! The user's preferences, stored as JSON in the app's config directory.
//!
//! Reading is forgiving (missing fields take defaults, so a file written by an
//! older version still loads); writing is atomic (temporary file in the same
//! directory, fsync, rename) so a crash never leaves half a file behind.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

pub use earshot_model::glance::{AlertPrefs, Preferences, TitleContent, MAX_FORECAST_DAYS};

/// The file name inside the app config directory.
pub const FILE_NAME: &str = "preferences.json";

#[derive(Debug, thiserror::Error)]
pub enum PrefsError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not valid preferences JSON: {source}")]
    Parse {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("forecast alert threshold {0} days is out of range (0..={MAX_FORECAST_DAYS})")]
    Threshold(u32),
}

/// Preferences as the app keeps them: validated, loaded, saved atomically.
pub trait PreferencesFile: Sized {
    /// Checks values a hand-edited file or a UI could get wrong.
    fn validate(&self) -> Result<(), PrefsError>;
    /// Loads `path`; a missing file gives the defaults (first start).
    fn load(path: &Path) -> Result<Self, PrefsError>;
    /// Writes `path` atomically, creating its directory.
    fn save(&self, path: &Path) -> Result<(), PrefsError>;
}

impl PreferencesFile for Preferences {
    fn validate(&self) -> Result<(), PrefsError> {
        match self.alerts.forecast_days_threshold {
            Some(d) if d > MAX_FORECAST_DAYS => Err(PrefsError::Threshold(d)),
            _ => Ok(()),
        }
    }

    fn load(path: &Path) -> Result<Preferences, PrefsError> {
        let bytes = match fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Preferences::default()),
            Err(source) => {
                return Err(PrefsError::Read {
                    path: path.to_path_buf(),
                    source,
                })
            }
        };
        let prefs: Preferences =
            serde_json::from_slice(&bytes).map_err(|source| PrefsError::Parse {
                path: path.to_path_buf(),
                source,
            })?;
        prefs.validate()?;
        Ok(prefs)
    }

    fn save(&self, path: &Path) -> Result<(), PrefsError> {
        self.validate()?;
        let werr = |source| PrefsError::Write {
            path: path.to_path_buf(),
            source,
        };
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        fs::create_dir_all(dir).map_err(werr)?;
        let mut json = serde_json::to_vec_pretty(self).map_err(|e| werr(e.into()))?;
        json.push(b'\n');
        // Same directory as the target so the rename cannot cross file systems.
        let tmp = dir.join(format!(".{FILE_NAME}.{}.tmp", std::process::id()));
        let write = || -> std::io::Result<()> {
            let mut f = fs::File::create(&tmp)?;
            f.write_all(&json)?;
            f.sync_all()?;
            fs::rename(&tmp, path)
        };
        write().map_err(|e| {
            // Best effort: a leftover temporary file is harmless but untidy.
            let _ = fs::remove_file(&tmp);
            werr(e)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_file_gives_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let p = Preferences::load(&dir.path().join(FILE_NAME)).unwrap();
        assert_eq!(p, Preferences::default());
        assert_eq!(p.title, TitleContent::None);
        assert!(!p.launch_at_login, "launch at login is opt-in");
        assert_eq!(p.alerts.forecast_days_threshold, Some(7));
    }

    #[test]
    fn save_then_load_round_trips_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/config").join(FILE_NAME);
        let prefs = Preferences {
            title: TitleContent::Free,
            alerts: AlertPrefs {
                stopped: false,
                below_minfree: true,
                forecast_days_threshold: None,
                drift: false,
                soak: false,
            },
            launch_at_login: true,
            hide_menu_item: true,
        };
        prefs.save(&path).unwrap();
        assert_eq!(Preferences::load(&path).unwrap(), prefs);
        let names: Vec<_> = fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, [FILE_NAME]);
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains("\"title\": \"free\""), "{text}");
        assert!(text.contains("\"forecast_days_threshold\": null"), "{text}");
    }

    #[test]
    fn partial_file_takes_defaults_for_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        fs::write(&path, r#"{"title":"events","alerts":{"drift":false}}"#).unwrap();
        let p = Preferences::load(&path).unwrap();
        assert_eq!(p.title, TitleContent::Events);
        assert!(!p.alerts.drift);
        assert!(p.alerts.stopped);
        assert!(
            p.alerts.soak,
            "a file from before soak alerts turns them on"
        );
        assert_eq!(p.alerts.forecast_days_threshold, Some(7));
    }

    #[test]
    fn corrupt_or_out_of_range_files_are_errors_not_panics() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        fs::write(&path, b"{\"title\": 12").unwrap();
        assert!(matches!(
            Preferences::load(&path),
            Err(PrefsError::Parse { .. })
        ));
        fs::write(&path, r#"{"title":"sometimes"}"#).unwrap();
        assert!(matches!(
            Preferences::load(&path),
            Err(PrefsError::Parse { .. })
        ));
        fs::write(&path, r#"{"alerts":{"forecast_days_threshold":4000}}"#).unwrap();
        assert!(matches!(
            Preferences::load(&path),
            Err(PrefsError::Threshold(4000))
        ));
    }

    #[test]
    fn invalid_preferences_are_not_saved_over_good_ones() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        Preferences::default().save(&path).unwrap();
        let mut bad = Preferences::default();
        bad.alerts.forecast_days_threshold = Some(MAX_FORECAST_DAYS + 1);
        assert!(bad.save(&path).is_err());
        assert_eq!(Preferences::load(&path).unwrap(), Preferences::default());
    }
}
