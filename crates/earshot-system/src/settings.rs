//! The audit settings in force on a Mac, read from its audit_control with the
//! `audit_control` crate's macOS semantics, in the shape the simulator, the forecast
//! and the status need.

use std::path::Path;

use audit_control::{ClassMask, ClassTable};
use serde::{Deserialize, Serialize};

pub use earshot_model::status::{ExpiryOp, ExpiryRule};

use super::{System, SystemError, AUDIT_CLASS, AUDIT_CONTROL, DEFAULT_TRAIL_DIR};

/// The `policy` words macOS honours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PolicySettings {
    pub cnt: bool,
    pub ahlt: bool,
    pub argv: bool,
    pub arge: bool,
}

/// audit_control as auditd and the login programs would use it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditSettings {
    /// `dir` lines in order; `/var/audit` when none is usable.
    pub dirs: Vec<String>,
    /// Attributable mask (`flags`), `None` if missing or invalid.
    pub flags: Option<ClassMask>,
    /// Non-attributable mask (`naflags`).
    pub naflags: Option<ClassMask>,
    /// `minfree` percent as written (kernel quantization is applied in headroom).
    pub minfree_percent: Option<u32>,
    pub policy: PolicySettings,
    /// `filesz` in bytes; `Some(0)` = no size rotation.
    pub filesz: Option<u64>,
    pub expire_after: Option<ExpiryRule>,
    pub host: Option<String>,
}

impl AuditSettings {
    /// Reads `/etc/security/audit_control` (and `audit_class` for class names; the
    /// embedded Apple table when that file is unreadable). `Ok(None)` when
    /// audit_control does not exist — the macOS 14+ default.
    pub fn read(sys: &dyn System) -> Result<Option<AuditSettings>, SystemError> {
        let bytes = match sys.read_file(Path::new(AUDIT_CONTROL)) {
            Ok(b) => b,
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => return Err(e),
        };
        let classes = match sys.read_file(Path::new(AUDIT_CLASS)) {
            Ok(b) => ClassTable::parse(&b),
            Err(_) => ClassTable::apple(),
        };
        Ok(Some(AuditSettings::from_bytes(&bytes, &classes)))
    }

    /// Interprets audit_control text (Apple dialect).
    pub fn from_bytes(bytes: &[u8], classes: &ClassTable) -> AuditSettings {
        let doc = audit_control::Document::parse(bytes);
        let ac = audit_control::AuditControl::read(&doc, classes);
        let mut dirs: Vec<String> = ac.dirs().into_iter().map(|d| d.to_string()).collect();
        if dirs.is_empty() {
            dirs.push(DEFAULT_TRAIL_DIR.to_string());
        }
        let policy = match ac.policy() {
            Some(p) => PolicySettings {
                cnt: p.cnt,
                ahlt: p.ahlt,
                argv: p.argv,
                arge: p.arge,
            },
            // auditd forces `cnt` alone when the list is missing or unparseable.
            None => PolicySettings {
                cnt: true,
                ..PolicySettings::default()
            },
        };
        let expire_after = ac.expire_after().map(|e| ExpiryRule {
            age_secs: e.age_secs,
            size_bytes: e.size_bytes,
            op: match e.op {
                audit_control::ExpireOp::And => ExpiryOp::And,
                audit_control::ExpireOp::Or => ExpiryOp::Or,
            },
        });
        AuditSettings {
            dirs,
            flags: ac.flags(),
            naflags: ac.naflags(),
            minfree_percent: ac.minfree().map(|m| m.percent),
            policy,
            filesz: ac.filesz(),
            expire_after,
            host: ac.host(),
        }
    }
}
