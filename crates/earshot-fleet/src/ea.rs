//! Inventory attributes for MDMs (`earshot ea FIELD --format …`): one value
//! per call, read from the snapshot alone — no trail scan, no socket — in the
//! shape each MDM keeps (spec/fleet.md §1):
//!
//! - Jamf Pro: `<result>VALUE</result>` (dates `YYYY-MM-DD hh:mm:ss`, UTC);
//! - Intune: the bare value (dates ISO-8601);
//! - Kandji: one line, exit 0 when healthy and 1 when not;
//! - JSON: `{"field", "value", "stale", "generated_at"}`.
//!
//! A snapshot older than three refreshes answers `Stale`, a missing or
//! unreadable one `Error` — never a wait.

use earshot_model::snapshot::{Snapshot, SNAPSHOT_SCHEMA};
use earshot_model::time::Timestamp;

/// A snapshot is stale after this many missed refreshes…
pub const STALE_AFTER_REFRESHES: u64 = 3;
/// …and never sooner than this (seconds): a reader racing a refresh is not stale.
pub const MIN_STALE_SECS: u64 = 600;
/// `days-to-minfree` when minfree is never reached (expiry caps the folder, or
/// nothing grows): a number Smart Group "less than" criteria can compare.
pub const NEVER_DAYS: u64 = 36_500;

/// What an MDM stores the value as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataType {
    String,
    Integer,
    Date,
}

impl DataType {
    /// Jamf's `dataType` word (Intune's is the same but `dateTime`).
    pub fn jamf(self) -> &'static str {
        match self {
            DataType::String => "string",
            DataType::Integer => "integer",
            DataType::Date => "date",
        }
    }

    pub fn intune(self) -> &'static str {
        match self {
            DataType::String => "string",
            DataType::Integer => "integer",
            DataType::Date => "dateTime",
        }
    }
}

/// One attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// The command-line name.
    pub name: &'static str,
    /// What an inventory shows as its name.
    pub display: &'static str,
    pub data_type: DataType,
    pub description: &'static str,
}

pub const FIELDS: &[Field] = &[
    Field {
        name: "auditing",
        display: "Earshot - Auditing",
        data_type: DataType::String,
        description: "Running (audit_control present, auditd loaded, the kernel auditing), Stopped, or Not configured (the macOS 14+ default).",
    },
    Field {
        name: "health",
        display: "Earshot - Audit health",
        data_type: DataType::String,
        description: "Earshot's health state: auditing, not_configured, disabled_in_launchd, configured_not_auditing, stalled, recovered_from_crash, low_space, stopped_for_space or unknown.",
    },
    Field {
        name: "compliant",
        display: "Earshot - Baseline compliance",
        data_type: DataType::String,
        description: "Compliant or Non-compliant with the baseline in force (the profile's Baseline, else CIS Level 1), with the organisation's ODVs and exemptions.",
    },
    Field {
        name: "failed-count",
        display: "Earshot - Failed audit rules",
        data_type: DataType::Integer,
        description: "How many mSCP audit rules of the baseline fail (exempt rules do not count).",
    },
    Field {
        name: "failed-rules",
        display: "Earshot - Failed audit rule ids",
        data_type: DataType::String,
        description: "The mSCP ids of the failing rules, one a line.",
    },
    Field {
        name: "days-to-minfree",
        display: "Earshot - Days to minfree",
        data_type: DataType::Integer,
        description: "Whole days until the trail volume reaches minfree at the last day's rate; 0 when already below; 36500 when never (expiry caps the trails, or nothing grows).",
    },
    Field {
        name: "last-write",
        display: "Earshot - Last audit trail write",
        data_type: DataType::Date,
        description: "When the active audit trail was last written (UTC); empty when there is none.",
    },
    Field {
        name: "baseline",
        display: "Earshot - Baseline",
        data_type: DataType::String,
        description: "The baseline in force (cis-l2, stig-26, …), with `tailored` when the organisation's ODVs or exemptions apply.",
    },
    Field {
        name: "soaking",
        display: "Earshot - Tuning step soaking",
        data_type: DataType::String,
        description: "The tuning step being measured, in one line, or None.",
    },
    Field {
        name: "version",
        display: "Earshot - Version",
        data_type: DataType::String,
        description: "The Earshot version that wrote the snapshot.",
    },
    Field {
        name: "snapshot-age",
        display: "Earshot - Snapshot age (seconds)",
        data_type: DataType::Integer,
        description: "Seconds since the helper last refreshed the snapshot.",
    },
    Field {
        name: "summary",
        display: "Earshot - Summary",
        data_type: DataType::String,
        description: "One line: auditing, compliance, headroom and any soaking step.",
    },
];

pub fn field(name: &str) -> Option<&'static Field> {
    FIELDS.iter().find(|f| f.name == name)
}

/// The output shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jamf,
    Intune,
    Kandji,
    Json,
}

/// What reading the snapshot gave.
#[derive(Debug, Clone, PartialEq)]
pub enum Read {
    Fresh(Box<Snapshot>),
    /// Older than three refreshes: its age in seconds.
    Stale(Box<Snapshot>, u64),
    /// Missing, unreadable, not a snapshot, or from an unknown schema.
    Error(String),
}

/// Reads snapshot bytes (`None`: no file) at `now`.
pub fn read(bytes: Option<&[u8]>, now_unix: u64) -> Read {
    let Some(bytes) = bytes else {
        return Read::Error(
            "no snapshot yet (is the Earshot helper installed and running?)".into(),
        );
    };
    let snap: Snapshot = match serde_json::from_slice(bytes) {
        Ok(s) => s,
        Err(e) => return Read::Error(format!("the snapshot does not parse: {e}")),
    };
    if snap.schema != SNAPSHOT_SCHEMA {
        return Read::Error(format!(
            "snapshot schema {} (this earshot reads {SNAPSHOT_SCHEMA})",
            snap.schema
        ));
    }
    let age = now_unix.saturating_sub(snap.generated_unix);
    let limit = (u64::from(snap.refresh_secs) * STALE_AFTER_REFRESHES).max(MIN_STALE_SECS);
    if age > limit {
        Read::Stale(Box::new(snap), age)
    } else {
        Read::Fresh(Box::new(snap))
    }
}

/// A field's value: text, a number, a time or a list.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Number(u64),
    Time(Option<Timestamp>),
    List(Vec<String>),
}

/// `field`'s value in `snap`, `now_unix` for the age.
pub fn value(field: &Field, snap: &Snapshot, now_unix: u64) -> Value {
    match field.name {
        "auditing" => Value::Text(
            if snap.auditing.running {
                "Running"
            } else if snap.auditing.configured {
                "Stopped"
            } else {
                "Not configured"
            }
            .into(),
        ),
        "health" => Value::Text(snap.health.state.clone()),
        "compliant" => Value::Text(
            if snap.baseline.compliant {
                "Compliant"
            } else {
                "Non-compliant"
            }
            .into(),
        ),
        "failed-count" => Value::Number(snap.baseline.failed as u64),
        "failed-rules" => Value::List(snap.baseline.failed_rules.clone()),
        "days-to-minfree" => Value::Number(days_to_minfree(snap)),
        "last-write" => Value::Time(snap.last_trail_write),
        "baseline" => Value::Text(if snap.baseline.tailored {
            format!("{} (tailored)", snap.baseline.name)
        } else {
            snap.baseline.name.clone()
        }),
        "soaking" => Value::Text(
            snap.soak
                .as_ref()
                .filter(|s| s.state == "soaking")
                .map_or_else(|| "None".to_string(), |s| s.summary.clone()),
        ),
        "version" => Value::Text(snap.earshot_version.clone()),
        "snapshot-age" => Value::Number(now_unix.saturating_sub(snap.generated_unix)),
        _ => Value::Text(summary(snap)),
    }
}

fn days_to_minfree(snap: &Snapshot) -> u64 {
    match &snap.forecast {
        Some(f) if f.outlook == "already_below" => 0,
        Some(f) => f
            .days_to_minfree
            .filter(|d| d.is_finite() && *d >= 0.0)
            .map_or(NEVER_DAYS, |d| (d.floor() as u64).min(NEVER_DAYS)),
        None => NEVER_DAYS,
    }
}

/// One line for Kandji and people.
pub fn summary(snap: &Snapshot) -> String {
    let auditing = if snap.auditing.running {
        "auditing running".to_string()
    } else {
        format!("auditing NOT running ({})", snap.health.state)
    };
    let b = &snap.baseline;
    let compliance = format!(
        "{} {}: {} ({} failed{})",
        b.name,
        if b.tailored {
            "tailored"
        } else {
            "as published"
        },
        if b.compliant {
            "compliant"
        } else {
            "NON-COMPLIANT"
        },
        b.failed,
        if b.exempt > 0 {
            format!(", {} exempt", b.exempt)
        } else {
            String::new()
        }
    );
    let d = days_to_minfree(snap);
    let room = if d >= NEVER_DAYS {
        "minfree not approaching".to_string()
    } else if d == 0 {
        "BELOW minfree".to_string()
    } else {
        format!("minfree in {d} days")
    };
    let mut line = format!("Earshot: {auditing}; {compliance}; {room}");
    if let Some(s) = snap.soak.as_ref().filter(|s| s.state == "soaking") {
        line.push_str(&format!("; soaking: {}", s.summary));
    }
    line
}

/// Healthy for Kandji: auditing runs, the baseline is met, no error finding.
pub fn healthy(snap: &Snapshot) -> bool {
    snap.auditing.running
        && snap.baseline.compliant
        && !snap.findings.iter().any(|f| f.level == "error")
        && days_to_minfree(snap) > 0
}

/// `YYYY-MM-DD hh:mm:ss` (Jamf) or ISO-8601 (the others), UTC.
fn date(t: Timestamp, jamf: bool) -> String {
    let iso = t.to_string();
    // Timestamp prints `2026-12-06T14:00:00.000Z`.
    let whole = iso.split('.').next().unwrap_or(&iso).to_string();
    if jamf {
        whole.replace('T', " ")
    } else {
        format!("{whole}Z")
    }
}

/// The text to print and the exit code, for `field` in `format`.
pub fn render(field: &Field, read: &Read, format: Format, now_unix: u64) -> (String, u8) {
    let (text, json_value, ok, stale): (String, serde_json::Value, bool, Option<u64>) = match read {
        // The MDM value says `Error`; JSON and Kandji also say why (below).
        Read::Error(_) => ("Error".into(), serde_json::Value::Null, false, None),
        Read::Stale(_, age) => ("Stale".into(), serde_json::Value::Null, false, Some(*age)),
        Read::Fresh(snap) => {
            let v = value(field, snap, now_unix);
            let (t, j) = match &v {
                Value::Text(s) => (s.clone(), serde_json::Value::from(s.clone())),
                Value::Number(n) => (n.to_string(), serde_json::Value::from(*n)),
                Value::Time(Some(t)) => (
                    date(*t, format == Format::Jamf),
                    serde_json::Value::from(date(*t, false)),
                ),
                Value::Time(None) => (String::new(), serde_json::Value::Null),
                Value::List(l) => (l.join("\n"), serde_json::Value::from(l.clone())),
            };
            (t, j, healthy(snap), None)
        }
    };
    match format {
        Format::Jamf => (format!("<result>{}</result>", xml_escape(&text)), 0),
        Format::Intune => (text, 0),
        Format::Kandji => {
            let line = match read {
                Read::Fresh(snap) if field.name == "summary" => summary(snap),
                Read::Fresh(_) => format!("Earshot {}: {}", field.name, text.replace('\n', ", ")),
                Read::Stale(_, age) => format!(
                    "Earshot: Stale — the snapshot is {} old (is the helper running?)",
                    earshot_model::format::human_secs(*age as f64)
                ),
                Read::Error(why) => format!("Earshot: Error — {why}"),
            };
            (line, if ok { 0 } else { 1 })
        }
        Format::Json => {
            let mut obj = serde_json::json!({
                "field": field.name,
                "value": json_value,
                "stale": stale.is_some(),
            });
            match read {
                Read::Fresh(s) | Read::Stale(s, _) => {
                    obj["generated_at"] = serde_json::Value::from(date(s.generated_at, false));
                }
                Read::Error(why) => obj["error"] = serde_json::Value::from(why.clone()),
            }
            if let Some(age) = stale {
                obj["age_secs"] = serde_json::Value::from(age);
            }
            (obj.to_string(), 0)
        }
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
