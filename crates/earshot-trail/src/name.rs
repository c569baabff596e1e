//! Trail file names as auditd writes them (macos_ops.md §5):
//! `START.END`, `START.not_terminated`, `START.crash_recovery`, each optionally
//! followed by `.HOST` when audit_control sets `host:`. Times are UTC `YYYYMMDDhhmmss`.

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

use earshot_model::time::{compact, Timestamp};
use earshot_system::{DirEntry, FileKind};

/// How a trail file ended, read from its name alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrailEnd {
    /// Renamed on rotation or `audit -t`: the end time is known.
    Closed(Timestamp),
    /// Still being written, or auditd died without renaming it.
    NotTerminated,
    /// Renamed by auditd at start-up because `current` still pointed at it:
    /// the previous auditd crashed (or the machine did) while writing it.
    CrashRecovery,
}

/// A parsed trail file name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TrailName {
    pub start: Timestamp,
    pub end: TrailEnd,
    /// The `.host` suffix from audit_control's `host:`; may itself contain dots.
    pub host: Option<String>,
}

/// Why a file name is not a trail name. Each variant says which part is wrong so
/// `trail ls` can explain stray files instead of just hiding them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrailNameError {
    #[error("{name:?} does not start with a 14-digit YYYYMMDDhhmmss start time")]
    NoStart { name: String },
    #[error("{name:?} starts with {text:?}, which is not a real UTC date and time")]
    BadStart { name: String, text: String },
    #[error("{name:?} has no '.' after the start time")]
    NoEnd { name: String },
    #[error("{name:?} ends with {text:?}; expected an end time, not_terminated or crash_recovery")]
    BadEnd { name: String, text: String },
    #[error("{name:?} has an empty host suffix")]
    EmptyHost { name: String },
}

/// The regular files of a folder listing whose names are trail names, with the
/// name and its parse. Anything else in a trail folder (the `current` link, a
/// stray file, a sub-folder) is not a trail and is skipped.
pub fn trail_files(entries: &[DirEntry]) -> impl Iterator<Item = (&DirEntry, &str, TrailName)> {
    entries
        .iter()
        .filter(|e| e.meta.kind == FileKind::File)
        .filter_map(|e| {
            let name = e.name.to_str()?;
            TrailName::parse(name).ok().map(|parsed| (e, name, parsed))
        })
}

impl TrailName {
    pub fn parse(name: &str) -> Result<TrailName, TrailNameError> {
        let owned = || name.to_string();
        let b = name.as_bytes();
        if b.len() < 14 || !b[..14].iter().all(u8::is_ascii_digit) {
            return Err(TrailNameError::NoStart { name: owned() });
        }
        // The 14 bytes are ASCII digits, so slicing on byte indices is on char boundaries.
        let start = compact(&name[..14]).ok_or_else(|| TrailNameError::BadStart {
            name: owned(),
            text: name[..14].to_string(),
        })?;
        let rest = name[14..]
            .strip_prefix('.')
            .ok_or_else(|| TrailNameError::NoEnd { name: owned() })?;
        let (end_text, host) = match rest.split_once('.') {
            Some((e, h)) => (e, Some(h)),
            None => (rest, None),
        };
        let end = match end_text {
            "not_terminated" => TrailEnd::NotTerminated,
            "crash_recovery" => TrailEnd::CrashRecovery,
            t => match compact(t) {
                Some(sec) => TrailEnd::Closed(Timestamp::new(sec, 0)),
                None => {
                    return Err(TrailNameError::BadEnd {
                        name: owned(),
                        text: t.to_string(),
                    })
                }
            },
        };
        let host = match host {
            Some("") => return Err(TrailNameError::EmptyHost { name: owned() }),
            Some(h) => Some(h.to_string()),
            None => None,
        };
        Ok(TrailName {
            start: Timestamp::new(start, 0),
            end,
            host,
        })
    }

    /// End time when the name carries one.
    pub fn end_time(&self) -> Option<Timestamp> {
        match self.end {
            TrailEnd::Closed(t) => Some(t),
            _ => None,
        }
    }

    pub fn is_not_terminated(&self) -> bool {
        self.end == TrailEnd::NotTerminated
    }
}

impl FromStr for TrailName {
    type Err = TrailNameError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TrailName::parse(s)
    }
}

/// Formats back to the exact auditd spelling (used in cache keys and messages).
impl fmt::Display for TrailName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_compact(f, self.start)?;
        f.write_str(".")?;
        match self.end {
            TrailEnd::Closed(t) => write_compact(f, t)?,
            TrailEnd::NotTerminated => f.write_str("not_terminated")?,
            TrailEnd::CrashRecovery => f.write_str("crash_recovery")?,
        }
        if let Some(h) = &self.host {
            write!(f, ".{h}")?;
        }
        Ok(())
    }
}

impl Serialize for TrailName {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

fn write_compact(f: &mut fmt::Formatter<'_>, t: Timestamp) -> fmt::Result {
    f.write_str(&stamp(t.sec))
}

/// The second-resolution UTC stamp auditd writes into trail names
/// (`YYYYMMDDhhmmss`, via gmtime), for Unix seconds.
pub fn stamp(unix: u64) -> String {
    let (y, mo, d, h, mi, s) = earshot_model::time::to_civil(unix);
    format!("{y:04}{mo:02}{d:02}{h:02}{mi:02}{s:02}")
}

/// auditd's own test of a trail file name: a `.` at offset 14. Looser than
/// [`TrailName::parse`] on purpose, to count what auditd itself would count
/// (and expire) in a trail folder.
pub fn is_trail_name(name: &str) -> bool {
    name.as_bytes().get(14) == Some(&b'.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_name() {
        let n = TrailName::parse("20240314091500.20240314101500").unwrap();
        assert_eq!(n.start.sec, 1_710_407_700);
        assert_eq!(n.end_time().unwrap().sec, 1_710_407_700 + 3600);
        assert_eq!(n.host, None);
        assert_eq!(n.to_string(), "20240314091500.20240314101500");
    }

    #[test]
    fn states_and_host_with_dots() {
        let n = TrailName::parse("20240314091500.not_terminated").unwrap();
        assert!(n.is_not_terminated());
        let n = TrailName::parse("20240314091500.crash_recovery.mac.example.com").unwrap();
        assert_eq!(n.end, TrailEnd::CrashRecovery);
        assert_eq!(n.host.as_deref(), Some("mac.example.com"));
        assert_eq!(
            n.to_string(),
            "20240314091500.crash_recovery.mac.example.com"
        );
    }

    #[test]
    fn bad_names_say_why() {
        assert!(matches!(
            TrailName::parse("current"),
            Err(TrailNameError::NoStart { .. })
        ));
        assert!(matches!(
            TrailName::parse("20241314091500.not_terminated"),
            Err(TrailNameError::BadStart { .. })
        ));
        assert!(matches!(
            TrailName::parse("20240314091500"),
            Err(TrailNameError::NoEnd { .. })
        ));
        assert!(matches!(
            TrailName::parse("20240314091500.terminated"),
            Err(TrailNameError::BadEnd { .. })
        ));
        assert!(matches!(
            TrailName::parse("20240314091500.not_terminated."),
            Err(TrailNameError::EmptyHost { .. })
        ));
        // Multi-byte UTF-8 right after the digits must not panic on slicing.
        assert!(TrailName::parse("20240314091500é").is_err());
        assert!(TrailName::parse("2024031409150é").is_err());
    }

    #[test]
    fn stamps_round_trip() {
        // 1710407700 = 2024-03-14T09:15:00Z (the bsm fixtures' base time).
        assert_eq!(stamp(1_710_407_700), "20240314091500");
        assert_eq!(compact("20240314091500"), Some(1_710_407_700));
        assert_eq!(stamp(0), "19700101000000");
        assert_eq!(compact("20240230000000"), None);
        for t in [951_782_400u64, 1_709_164_800, 4_102_444_800] {
            assert_eq!(compact(&stamp(t)), Some(t));
        }
    }

    #[test]
    fn auditd_counts_any_name_with_a_dot_at_14() {
        assert!(is_trail_name("20240314091500.not_terminated"));
        assert!(is_trail_name("20240314091500.whatever"));
        assert!(!is_trail_name("current"));
        assert!(!is_trail_name("audit_control"));
    }
}
