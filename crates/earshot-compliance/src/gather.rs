//! Filling [`Observed`] from the `System` boundary (a real Mac through `MacOs`, or a
//! simulated Mac), so the CLI, the helper and the app evaluate the same facts.

use std::collections::BTreeMap;
use std::path::Path;

use earshot_core::health::HealthState;
use earshot_system::System;

use super::facts::{DirEntry, DirFacts, FileFacts, FileKind, FileMeta, Observed, ServiceFacts};
use super::view::View;

const AUDIT_WARN: &str = "/etc/security/audit_warn";

fn meta(m: &earshot_system::FileMeta) -> FileMeta {
    FileMeta {
        kind: match m.kind {
            earshot_system::FileKind::File => FileKind::File,
            earshot_system::FileKind::Dir => FileKind::Dir,
            earshot_system::FileKind::Symlink => FileKind::Symlink,
            earshot_system::FileKind::Other => FileKind::Other,
        },
        uid: m.uid,
        gid: m.gid,
        mode: m.mode,
        // `lstat` does not report extended ACLs; the boundary has no ACL query yet,
        // so the ACL rules say "unknown" instead of guessing.
        has_acl: None,
    }
}

/// What the health check concluded, as the two facts rule 1 needs.
pub fn service_from_health(state: HealthState) -> ServiceFacts {
    match state {
        HealthState::NotConfigured | HealthState::Unknown => ServiceFacts::default(),
        HealthState::DisabledInLaunchd => ServiceFacts {
            launchd_job_loaded: Some(false),
            kernel_auditing: None,
        },
        HealthState::ConfiguredNotAuditing | HealthState::StoppedForSpace => ServiceFacts {
            launchd_job_loaded: None,
            kernel_auditing: Some(false),
        },
        HealthState::Auditing
        | HealthState::Stalled
        | HealthState::RecoveredFromCrash
        | HealthState::LowSpace => ServiceFacts {
            launchd_job_loaded: Some(true),
            kernel_auditing: Some(true),
        },
    }
}

/// audit_control exists but cannot be read: nothing can be evaluated without it.
#[derive(Debug, thiserror::Error)]
#[error("cannot read {path}: {source} (after hardening it is root:wheel 0440 — run as root or through the helper)")]
pub struct GatherError {
    pub path: &'static str,
    #[source]
    pub source: earshot_system::SystemError,
}

/// Reads audit_control, audit_warn and the ownership/mode facts of the audit files.
/// Other unreadable things stay unknown (not an error): an unprivileged process on a
/// real Mac cannot list `/var/audit`, and the report says so per rule.
pub fn gather(
    sys: &dyn System,
    classes: &audit_control::ClassTable,
) -> Result<Observed, GatherError> {
    let audit_control = match sys.read_file(Path::new(earshot_system::AUDIT_CONTROL)) {
        Ok(b) => Some(b),
        Err(e) if e.is_not_found() => None,
        Err(source) => {
            return Err(GatherError {
                path: earshot_system::AUDIT_CONTROL,
                source,
            })
        }
    };
    let (audit_warn, audit_warn_known) = match sys.read_file(Path::new(AUDIT_WARN)) {
        Ok(b) => (Some(b), true),
        Err(e) if e.is_not_found() => (None, true),
        Err(_) => (None, false),
    };
    let mut files = FileFacts {
        gathered: true,
        audit_control: None,
        dirs: BTreeMap::new(),
    };
    match sys.metadata(Path::new(earshot_system::AUDIT_CONTROL)) {
        Ok(m) => files.audit_control = Some(meta(&m)),
        Err(e) if e.is_not_found() => {}
        Err(_) => files.gathered = false,
    }
    // Every directory either Earshot (absolute `dir:` values) or mSCP (word-split
    // `dir` fields) looks at, plus /var/audit.
    let mut dirs: Vec<String> = vec![earshot_system::DEFAULT_TRAIL_DIR.to_string()];
    if let Some(bytes) = &audit_control {
        dirs.extend(View::read(bytes, classes).usable_dirs());
        dirs.extend(super::mscp::literal_dirs(bytes));
    }
    dirs.sort();
    dirs.dedup();
    for d in dirs.into_iter().filter(|d| d.starts_with('/')) {
        let p = Path::new(&d);
        let dir_meta = match sys.metadata(p) {
            Ok(m) => Some(meta(&m)),
            Err(e) if e.is_not_found() => None,
            Err(_) => {
                files.gathered = false;
                continue;
            }
        };
        let mut entries = Vec::new();
        if dir_meta.is_some_and(|m| m.kind == FileKind::Dir) {
            match sys.list_dir(p) {
                Ok(list) => {
                    for e in list {
                        let name = e.name.to_string_lossy().into_owned();
                        // `ls` hides dot-files; so do the mSCP checks.
                        if !name.starts_with('.') {
                            entries.push(DirEntry {
                                name,
                                meta: meta(&e.meta),
                            });
                        }
                    }
                }
                Err(_) => files.gathered = false,
            }
        }
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        files.dirs.insert(
            d,
            DirFacts {
                meta: dir_meta,
                entries,
            },
        );
    }
    Ok(Observed {
        audit_control,
        audit_warn,
        audit_warn_known,
        files,
        service: ServiceFacts::default(),
    })
}
