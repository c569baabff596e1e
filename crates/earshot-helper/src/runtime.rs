//! What the daemon plugs into the keeper: the machine and the grammar.

use std::path::Path;
use std::sync::Arc;

use audit_control::{AuditControl, ClassTable, Document, ExpireAfter};
use earshot_api::{Change, Diagnostic, DiagnosticSeverity, Risk};

use crate::platform::{Assessment, Assessor, Platform};
use crate::system::{open_simulated, SimHost, SystemPlatform};

/// The trials this helper ran, in its state folder (0600): the latest rates
/// of each class side, for its plans.
pub const TRIALS_FILE: &str = "trials.json";

/// The machine this run guards: the simulated Mac in `root` (its auditd hosted
/// here unless another process hosts it), or the real Mac. Trail summaries are
/// cached under `state_dir`.
pub fn platform(
    root: Option<&Path>,
    state_dir: &Path,
) -> anyhow::Result<(Arc<dyn Platform>, Option<SimHost>)> {
    let cache = state_dir.join("cache");
    let trials = state_dir.join(TRIALS_FILE);
    match root {
        Some(root) => {
            let (sys, mac, host) = open_simulated(root)?;
            let mut platform = SystemPlatform::new(sys, "simulated", cache)
                .with_simulated(mac)
                .with_trials(trials);
            if let Some(h) = &host {
                platform = platform.with_hosted(h.auditd());
            }
            Ok((Arc::new(platform), host))
        }
        None => Ok((
            Arc::new(
                SystemPlatform::new(Arc::new(earshot_system::MacOs::new()), "macos", cache)
                    .with_trials(trials),
            ),
            None,
        )),
    }
}

/// The audit_control grammar (Apple dialect, Apple's class table).
pub fn assessor() -> Arc<dyn Assessor> {
    Arc::new(GrammarAssessor {
        classes: ClassTable::apple(),
    })
}

/// Validation by `audit_control::check`; the semantic diff and the risks that
/// need a named acknowledgement from the typed reading of both files.
#[derive(Debug)]
pub struct GrammarAssessor {
    classes: ClassTable,
}

fn read(bytes: &[u8], classes: &ClassTable) -> AuditControl {
    AuditControl::read(&Document::parse(bytes), classes)
}

fn risk(id: &str, message: &str) -> Risk {
    Risk {
        id: id.to_string(),
        message: message.to_string(),
    }
}

fn expire_text(x: &Option<ExpireAfter>) -> Option<String> {
    x.as_ref().map(audit_control::reading::describe_expire)
}

impl Assessor for GrammarAssessor {
    fn assess(&self, old: &[u8], new: &[u8]) -> Assessment {
        let diagnostics = audit_control::check(new, &self.classes)
            .into_iter()
            .map(|d| Diagnostic {
                line: d.line,
                column: d.column,
                severity: match d.severity {
                    audit_control::Severity::Error => DiagnosticSeverity::Error,
                    audit_control::Severity::Warning => DiagnosticSeverity::Warning,
                    audit_control::Severity::Info => DiagnosticSeverity::Info,
                },
                code: d.code,
                message: d.message,
                hint: d.hint,
            })
            .collect();
        let (a, b) = (read(old, &self.classes), read(new, &self.classes));
        // Old and new values per key for the UI; the sentence and the risks come
        // from audit-control's semantic diff, the one source of risk ids.
        let join = |v: Vec<String>| (!v.is_empty()).then(|| v.join(", "));
        let mask = |m: Option<audit_control::ClassMask>| {
            m.map(|m| audit_control::format_mask(m, &self.classes))
        };
        let values = |key: &str| -> (Option<String>, Option<String>) {
            match key {
                "dir" => (join(a.dirs()), join(b.dirs())),
                "flags" => (mask(a.flags()), mask(b.flags())),
                "naflags" => (mask(a.naflags()), mask(b.naflags())),
                "minfree" => (
                    a.minfree().map(|m| m.percent.to_string()),
                    b.minfree().map(|m| m.percent.to_string()),
                ),
                "policy" => (
                    a.policy().map(|p| p.words().join(",")),
                    b.policy().map(|p| p.words().join(",")),
                ),
                "filesz" => (
                    a.filesz().map(|n| n.to_string()),
                    b.filesz().map(|n| n.to_string()),
                ),
                "expire-after" => (
                    expire_text(&a.expire_after()),
                    expire_text(&b.expire_after()),
                ),
                "host" => (a.host(), b.host()),
                _ => (None, None),
            }
        };
        let mut changes = Vec::new();
        let mut risks: Vec<Risk> = Vec::new();
        for c in audit_control::semantic_diff(&a, &b) {
            let (old, new) = values(&c.key);
            for r in &c.risks {
                if !risks.iter().any(|known| known.id == r.id) {
                    risks.push(risk(r.id, &r.message));
                }
            }
            changes.push(Change {
                key: c.key,
                old,
                new,
                summary: c.text,
            });
        }
        Assessment {
            diagnostics,
            changes,
            risks,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Apple's shipped audit_control (repo copy of spec/etc/apple/audit_control).
    const APPLE: &[u8] = audit_control::files::apple::AUDIT_CONTROL.as_bytes();

    fn ids(old: &[u8], new: &str) -> Vec<String> {
        let mut ids: Vec<_> = assessor()
            .assess(old, new.as_bytes())
            .risks
            .into_iter()
            .map(|r| r.id)
            .collect();
        ids.sort();
        ids
    }

    fn apple_with(from: &str, to: &str) -> String {
        let text = String::from_utf8(APPLE.to_vec()).unwrap();
        assert!(text.contains(from), "fixture lacks {from:?}");
        text.replace(from, to)
    }

    #[test]
    fn the_shipped_file_is_valid_and_unchanged_against_itself() {
        let a = assessor().assess(APPLE, APPLE);
        assert!(!a.has_errors(), "{:?}", a.diagnostics);
        assert!(a.changes.is_empty() && a.risks.is_empty());
    }

    #[test]
    fn each_risky_change_names_its_risk() {
        let cases = [
            ("policy:cnt,argv", "policy:argv", "drop-cnt"),
            ("policy:cnt,argv", "policy:cnt,ahlt,argv", "add-ahlt"),
            ("policy:cnt,argv", "policy:cnt,argv,arge", "add-arge"),
            ("\nflags:lo,aa", "\nflags:lo,aa,na", "na-in-flags"),
            ("minfree:5", "minfree:60", "minfree-out-of-range"),
            ("minfree:5", "minfree:2", "minfree-out-of-range"),
            ("filesz:2M", "filesz:0", "filesz-zero"),
            ("expire-after:10M\n", "", "no-expire-after"),
            ("dir:/var/audit", "dir:/var/audit2", "dir-change"),
        ];
        for (from, to, id) in cases {
            assert_eq!(ids(APPLE, &apple_with(from, to)), [id], "{from} → {to}");
        }
    }

    #[test]
    fn benign_changes_need_no_acknowledgement_but_are_described() {
        let new = apple_with("\nflags:lo,aa", "\nflags:lo,aa,ad,-fr");
        let a = assessor().assess(APPLE, new.as_bytes());
        assert!(a.risks.is_empty(), "{:?}", a.risks);
        assert_eq!(a.changes.len(), 1);
        assert_eq!(a.changes[0].key, "flags");
        assert!(!a.has_errors());
    }

    #[test]
    fn an_unknown_class_is_an_error() {
        let new = apple_with("\nflags:lo,aa", "\nflags:lo,aa,zz");
        assert!(assessor().assess(APPLE, new.as_bytes()).has_errors());
    }
}
