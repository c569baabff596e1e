//! Earshot's own events: what the helper sees besides the records themselves.
//! Each function takes plain values the helper fills and appends one line.

use std::path::Path;
use std::time::SystemTime;

use crate::class::{self, Class};
use crate::event::{self, millis};
use crate::json::{self, key, lit};
use crate::record::Mapper;

/// Who asked for a change (the helper's client), as far as it is known.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Requester {
    /// The client's user id.
    pub uid: Option<u32>,
    pub pid: Option<u32>,
    /// The client program (`actor.app_name`), e.g. `Earshot.app` or `earshot`.
    pub app: Option<String>,
}

/// Why audit_control changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeOrigin {
    /// A change made through Earshot.
    Earshot,
    /// A roll back to an earlier revision.
    Rollback,
    /// Earshot undid a change that broke auditing (the auto-revert timer).
    AutoRevert,
    /// Someone edited the file outside Earshot; Earshot recorded what it found.
    Outside,
}

impl ChangeOrigin {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeOrigin::Earshot => "earshot",
            ChangeOrigin::Rollback => "rollback",
            ChangeOrigin::AutoRevert => "auto-revert",
            ChangeOrigin::Outside => "outside",
        }
    }
}

/// A new revision in the audit_control history (its off-host copy).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigChange {
    pub time: SystemTime,
    pub revision: u64,
    pub previous_revision: Option<u64>,
    /// The history chain hash of this revision.
    pub chain_hash: String,
    pub origin: ChangeOrigin,
    /// One line per change, e.g. `flags: +ex`.
    pub summaries: Vec<String>,
    pub requester: Option<Requester>,
}

/// A health transition of auditing on the Mac.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HealthTransition {
    AuditingStopped,
    AuditingStarted,
    BelowMinfree,
    AboveMinfree,
}

impl HealthTransition {
    fn as_str(self) -> &'static str {
        match self {
            HealthTransition::AuditingStopped => "auditing_stopped",
            HealthTransition::AuditingStarted => "auditing_started",
            HealthTransition::BelowMinfree => "below_minfree",
            HealthTransition::AboveMinfree => "above_minfree",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthChange {
    pub time: SystemTime,
    pub transition: HealthTransition,
    /// A sentence for people (`message`); a plain default when absent.
    pub message: Option<String>,
    /// Free bytes on the trail volume, when known.
    pub free_bytes: Option<u64>,
}

/// What happened to a trail file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrailAction {
    /// auditd closed it and opened the next (rotation).
    Rotated,
    /// auditd deleted it (`expire-after`).
    Expired,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrailChange {
    pub time: SystemTime,
    pub action: TrailAction,
    /// The trail: for a rotation the closed file (its final name), for an
    /// expiry the deleted one.
    pub path: String,
    pub size: Option<u64>,
    /// For a rotation, the trail auditd writes now.
    pub next: Option<String>,
}

/// Records Earshot never read: the trail expired before the follower got to them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordsLost {
    pub time: SystemTime,
    pub path: String,
    /// How many records (an estimate when the trail was never read: the helper's call).
    pub lost_records: u64,
    /// Bytes of the trail not read.
    pub lost_bytes: Option<u64>,
}

/// The first line of each new file of Earshot's event spool: unique to that
/// file, so shippers that fingerprint a file's start tell files apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpoolStart {
    pub time: SystemTime,
    /// The new spool file.
    pub path: String,
    /// The spool's file counter (never reused on this host).
    pub sequence: u64,
    /// The file it follows, when there is one.
    pub previous: Option<String>,
}

/// A compliance rule's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComplianceStatus {
    Pass,
    Warning,
    Fail,
}

impl ComplianceStatus {
    fn id(self) -> u8 {
        match self {
            ComplianceStatus::Pass => 1,
            ComplianceStatus::Warning => 2,
            ComplianceStatus::Fail => 3,
        }
    }

    fn caption(self) -> &'static str {
        match self {
            ComplianceStatus::Pass => "Pass",
            ComplianceStatus::Warning => "Warning",
            ComplianceStatus::Fail => "Fail",
        }
    }
}

/// A rule's result when it changes (the first result, a different one, or the
/// rule leaving the baseline).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplianceChange {
    pub time: SystemTime,
    /// The mSCP rule id (`compliance.control`), e.g. `audit_flags_lo_configure`.
    pub rule_id: String,
    pub title: Option<String>,
    pub status: ComplianceStatus,
    /// The result before; `None` for the rule's first result (activity Create).
    pub previous: Option<ComplianceStatus>,
    /// The rule is no longer evaluated (activity Close).
    pub closed: bool,
    /// Benchmarks the rule belongs to, e.g. `CIS macOS 15 Level 1`.
    pub standards: Vec<String>,
    /// Controls it satisfies, e.g. `NIST 800-53r5 AU-12`.
    pub requirements: Vec<String>,
    /// Why it has this result (`compliance.status_detail`).
    pub detail: Option<String>,
    /// How to fix it (`remediation.desc`).
    pub remediation: Option<String>,
}

fn file_name(path: &str) -> &str {
    Path::new(path)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(path)
}

impl Mapper {
    /// Opens an own event: classification, `metadata` (with `uid`,
    /// `event_code`, provider Earshot) and `device`.
    #[allow(clippy::too_many_arguments)]
    fn own_head(
        &self,
        out: &mut Vec<u8>,
        class: &Class,
        activity_id: u8,
        activity_name: Option<&str>,
        severity: u8,
        time: SystemTime,
        uid: &[&str],
        event_code: &str,
        sequence: Option<u64>,
    ) {
        event::head(out, class, activity_id, activity_name, severity);
        json::i64(out, millis(time));
        let f = self.fixed();
        f.open_metadata(out);
        key!(out, "uid");
        out.push(b'"');
        out.extend_from_slice(&f.host_id);
        for part in uid {
            out.push(b':');
            json::escaped(out, part.as_bytes());
        }
        out.push(b'"');
        key!(out, "event_code");
        json::str(out, event_code);
        lit!(out, "log_provider", "Earshot");
        if let Some(s) = sequence {
            key!(out, "sequence");
            json::u64(out, s);
        }
        out.push(b'}');
        f.device(out);
    }

    /// An audit_control change, roll back, auto-revert or outside edit:
    /// Device Config State Change 5019 / Log.
    pub fn config_change(&self, out: &mut Vec<u8>, c: &ConfigChange) {
        let severity = match c.origin {
            ChangeOrigin::Earshot => 1,
            _ => 3,
        };
        let revision = c.revision.to_string();
        self.own_head(
            out,
            &class::DEVICE_CONFIG_STATE_CHANGE,
            1,
            None,
            severity,
            c.time,
            &["audit_control", &revision],
            &format!("audit_control.{}", c.origin.as_str()),
            None,
        );
        success(out);
        if let Some(r) = &c.requester {
            requester(out, r);
        }
        key!(out, "message");
        if c.summaries.is_empty() {
            json::str(
                out,
                &format!(
                    "audit_control revision {} ({})",
                    c.revision,
                    c.origin.as_str()
                ),
            );
        } else {
            json::str(out, &c.summaries.join("; "));
        }
        key!(out, "unmapped");
        out.push(b'{');
        key!(out, "earshot");
        out.push(b'{');
        key!(out, "revision");
        json::u64(out, c.revision);
        if let Some(p) = c.previous_revision {
            key!(out, "previous_revision");
            json::u64(out, p);
        }
        key!(out, "chain_hash");
        json::str(out, &c.chain_hash);
        key!(out, "origin");
        json::str(out, c.origin.as_str());
        key!(out, "changes");
        out.push(b'[');
        for s in &c.summaries {
            json::comma(out);
            json::str(out, s);
        }
        out.push(b']');
        out.extend_from_slice(b"}}}\n");
    }

    /// Auditing stopped / started again, the trail volume below / above
    /// minfree: Event Log Activity 1008 (7 Stop, 6 Start, 99 "Below minfree" /
    /// "Above minfree").
    pub fn health_change(&self, out: &mut Vec<u8>, h: &HealthChange) {
        let (activity, name, severity, default) = match h.transition {
            HealthTransition::AuditingStopped => (7, None, 4, "Auditing stopped"),
            HealthTransition::AuditingStarted => (6, None, 1, "Auditing started again"),
            HealthTransition::BelowMinfree => (
                99,
                Some("Below minfree"),
                3,
                "The trail volume is below minfree",
            ),
            HealthTransition::AboveMinfree => (
                99,
                Some("Above minfree"),
                1,
                "The trail volume is above minfree again",
            ),
        };
        let ms = millis(h.time).to_string();
        self.own_head(
            out,
            &class::EVENT_LOG_ACTIVITY,
            activity,
            name,
            severity,
            h.time,
            &["health", h.transition.as_str(), &ms],
            &format!("earshot.{}", h.transition.as_str()),
            None,
        );
        success(out);
        audit_log(out);
        key!(out, "message");
        json::str(out, h.message.as_deref().unwrap_or(default));
        key!(out, "unmapped");
        out.push(b'{');
        key!(out, "earshot");
        out.push(b'{');
        key!(out, "transition");
        json::str(out, h.transition.as_str());
        if let Some(b) = h.free_bytes {
            key!(out, "free_bytes");
            json::u64(out, b);
        }
        out.extend_from_slice(b"}}}\n");
    }

    /// A trail rotated or expired, as Earshot saw it: Event Log Activity 1008
    /// (5 Rotate, 2 Delete), `file` = the trail.
    pub fn trail_change(&self, out: &mut Vec<u8>, t: &TrailChange) {
        let (activity, code, verb) = match t.action {
            TrailAction::Rotated => (5, "earshot.trail_rotated", "rotated"),
            TrailAction::Expired => (2, "earshot.trail_expired", "expired"),
        };
        let name = file_name(&t.path);
        self.own_head(
            out,
            &class::EVENT_LOG_ACTIVITY,
            activity,
            None,
            1,
            t.time,
            &["trail", verb, name],
            code,
            None,
        );
        success(out);
        audit_log(out);
        key!(out, "file");
        trail_file(out, &t.path, t.size);
        key!(out, "message");
        json::str(out, &format!("trail {name} {verb}"));
        if let Some(next) = &t.next {
            key!(out, "unmapped");
            out.push(b'{');
            key!(out, "earshot");
            out.push(b'{');
            key!(out, "next_trail");
            json::str(out, next);
            out.extend_from_slice(b"}}");
        }
        out.extend_from_slice(b"}\n");
    }

    /// Records lost: a trail deleted before the follower read it all. Event
    /// Log Activity 1008 / 2 Delete with the count.
    pub fn records_lost(&self, out: &mut Vec<u8>, l: &RecordsLost) {
        let name = file_name(&l.path);
        self.own_head(
            out,
            &class::EVENT_LOG_ACTIVITY,
            2,
            None,
            4,
            l.time,
            &["lost", name],
            "earshot.records_lost",
            None,
        );
        success(out);
        audit_log(out);
        key!(out, "file");
        trail_file(out, &l.path, None);
        key!(out, "message");
        json::str(
            out,
            &format!(
                "{} record{} lost: trail {name} was deleted before Earshot read {}",
                l.lost_records,
                if l.lost_records == 1 { "" } else { "s" },
                if l.lost_records == 1 { "it" } else { "them" },
            ),
        );
        key!(out, "unmapped");
        out.push(b'{');
        key!(out, "earshot");
        out.push(b'{');
        key!(out, "lost_records");
        json::u64(out, l.lost_records);
        if let Some(b) = l.lost_bytes {
            key!(out, "lost_bytes");
            json::u64(out, b);
        }
        out.extend_from_slice(b"}}}\n");
    }

    /// The first line of a new spool file: Event Log Activity 1008 / 5 Rotate,
    /// `log_provider` Earshot, an id no other line has.
    pub fn spool_start(&self, out: &mut Vec<u8>, s: &SpoolStart) {
        let seq = s.sequence.to_string();
        let ms = millis(s.time).to_string();
        self.own_head(
            out,
            &class::EVENT_LOG_ACTIVITY,
            5,
            None,
            1,
            s.time,
            &["spool", &seq, &ms],
            "earshot.spool_rotated",
            Some(s.sequence),
        );
        success(out);
        lit!(out, "log_provider", "Earshot");
        lit!(out, "log_name", "Earshot OCSF events");
        key!(out, "log_type_id");
        out.push(b'2');
        lit!(out, "log_type", "Application");
        key!(out, "file");
        trail_file(out, &s.path, None);
        key!(out, "message");
        json::str(
            out,
            &format!("Earshot event file {} started", file_name(&s.path)),
        );
        if let Some(prev) = &s.previous {
            key!(out, "unmapped");
            out.push(b'{');
            key!(out, "earshot");
            out.push(b'{');
            key!(out, "previous_file");
            json::str(out, prev);
            out.extend_from_slice(b"}}");
        }
        out.extend_from_slice(b"}\n");
    }

    /// A rule's compliance result when it changes: Compliance Finding 2003
    /// (1 Create, 2 Update, 3 Close). `status_id` is the finding's life cycle
    /// (F3), pass/fail is `compliance.status_id`.
    pub fn compliance_change(&self, out: &mut Vec<u8>, c: &ComplianceChange) {
        let activity = if c.closed {
            3
        } else if c.previous.is_none() {
            1
        } else {
            2
        };
        let severity = match c.status {
            ComplianceStatus::Pass => 1,
            ComplianceStatus::Warning => 2,
            ComplianceStatus::Fail => 3,
        };
        let ms = millis(c.time).to_string();
        self.own_head(
            out,
            &class::COMPLIANCE_FINDING,
            activity,
            None,
            severity,
            c.time,
            &["compliance", &c.rule_id, &ms],
            "earshot.compliance",
            None,
        );
        let (status_id, status) = match (activity, c.status) {
            (3, _) => (5, "Archived"),
            (1, _) => (1, "New"),
            (_, ComplianceStatus::Pass) => (4, "Resolved"),
            _ => (2, "In Progress"),
        };
        key!(out, "status_id");
        json::u64(out, status_id);
        key!(out, "status");
        json::str(out, status);
        key!(out, "finding_info");
        out.push(b'{');
        key!(out, "uid");
        out.push(b'"');
        out.extend_from_slice(&self.fixed().host_id);
        out.push(b':');
        json::escaped(out, c.rule_id.as_bytes());
        out.push(b'"');
        key!(out, "title");
        json::str(out, c.title.as_deref().unwrap_or(&c.rule_id));
        out.push(b'}');
        key!(out, "compliance");
        out.push(b'{');
        key!(out, "control");
        json::str(out, &c.rule_id);
        if !c.standards.is_empty() {
            key!(out, "standards");
            string_list(out, &c.standards);
        }
        if !c.requirements.is_empty() {
            key!(out, "requirements");
            string_list(out, &c.requirements);
        }
        key!(out, "status_id");
        json::u64(out, u64::from(c.status.id()));
        key!(out, "status");
        json::str(out, c.status.caption());
        if let Some(d) = &c.detail {
            key!(out, "status_detail");
            json::str(out, d);
        }
        out.push(b'}');
        if let Some(r) = &c.remediation {
            key!(out, "remediation");
            out.push(b'{');
            key!(out, "desc");
            json::str(out, r);
            out.push(b'}');
        }
        key!(out, "message");
        json::str(
            out,
            &match (c.closed, c.previous) {
                (true, _) => format!("{}: no longer evaluated", c.rule_id),
                (false, None) => format!("{}: {}", c.rule_id, c.status.caption()),
                (false, Some(p)) => format!(
                    "{}: {} (was {})",
                    c.rule_id,
                    c.status.caption(),
                    p.caption()
                ),
            },
        );
        if let Some(p) = c.previous {
            key!(out, "unmapped");
            out.push(b'{');
            key!(out, "earshot");
            out.push(b'{');
            key!(out, "previous_status");
            json::str(out, p.caption());
            out.extend_from_slice(b"}}");
        }
        out.extend_from_slice(b"}\n");
    }
}

fn success(out: &mut Vec<u8>) {
    key!(out, "status_id");
    out.push(b'1');
    lit!(out, "status", "Success");
}

/// The log an audit-trail event is about.
fn audit_log(out: &mut Vec<u8>) {
    lit!(out, "log_provider", "Earshot");
    lit!(out, "log_name", "BSM audit trail");
    key!(out, "log_type_id");
    out.push(b'1');
    lit!(out, "log_type", "OS");
}

fn trail_file(out: &mut Vec<u8>, path: &str, size: Option<u64>) {
    out.push(b'{');
    key!(out, "name");
    json::str(out, file_name(path));
    key!(out, "path");
    json::str(out, path);
    if let Some(parent) = Path::new(path)
        .parent()
        .and_then(|p| p.to_str())
        .filter(|p| !p.is_empty())
    {
        key!(out, "parent_folder");
        json::str(out, parent);
    }
    key!(out, "type_id");
    out.push(b'1');
    lit!(out, "type", "Regular File");
    if let Some(s) = size {
        key!(out, "size");
        json::u64(out, s);
    }
    out.push(b'}');
}

fn requester(out: &mut Vec<u8>, r: &Requester) {
    if r.uid.is_none() && r.pid.is_none() && r.app.is_none() {
        return;
    }
    key!(out, "actor");
    out.push(b'{');
    if let Some(pid) = r.pid {
        key!(out, "process");
        out.push(b'{');
        key!(out, "pid");
        json::u64(out, u64::from(pid));
        out.push(b'}');
    }
    if let Some(uid) = r.uid {
        key!(out, "user");
        out.push(b'{');
        crate::record::uid_members(out, uid);
        out.push(b'}');
    }
    if let Some(app) = &r.app {
        key!(out, "app_name");
        json::str(out, app);
    }
    out.push(b'}');
}

fn string_list(out: &mut Vec<u8>, items: &[String]) {
    out.push(b'[');
    for s in items {
        json::comma(out);
        json::str(out, s);
    }
    out.push(b']');
}
