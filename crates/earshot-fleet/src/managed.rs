//! The managed keys: one typed table (Santa's pattern). A value is taken only
//! when a profile forces it and it has the right type and range; anything else
//! is a [`ManagedProblem`] for `earshot managed validate`, and the key falls
//! back to the user's choice or Earshot's default.

use earshot_model::compliance::{Baseline, OdvValue};
use earshot_model::managed::{Managed, ManagedProblem, DOMAIN};
use earshot_system::{System, SystemError};
use plist::{Dictionary, Value};

/// What a key holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    Bool,
    /// A whole number within the range.
    Integer {
        min: u64,
        max: u64,
    },
    String,
    /// A dictionary of rule id → string or integer (ODVs).
    OdvDict,
    /// A dictionary of rule id → reason (exemptions).
    ReasonDict,
}

/// One managed key, as the admin files (mobileconfig, Jamf schema) and the
/// docs describe it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ManagedKey {
    pub name: &'static str,
    pub kind: KeyType,
    pub title: &'static str,
    pub description: &'static str,
    /// Earshot's behaviour when the key is not forced.
    pub default: &'static str,
}

/// Every key Earshot reads from [`DOMAIN`].
pub const KEYS: &[ManagedKey] = &[
    ManagedKey {
        name: "EnableMenuItem",
        kind: KeyType::Bool,
        title: "Show the menu-bar item",
        description: "false hides Earshot's menu-bar item (auditing and the helper keep running; the user's own choice applies only while this is not set).",
        default: "true (the user may hide it)",
    },
    ManagedKey {
        name: "AllowUserTuning",
        kind: KeyType::Bool,
        title: "Allow changes at this Mac",
        description: "false: nobody at this Mac may change audit_control through Earshot (apply, tuning steps, turning auditing on); the helper refuses with the code `managed`.",
        default: "true",
    },
    ManagedKey {
        name: "AllowRollback",
        kind: KeyType::Bool,
        title: "Allow roll backs at this Mac",
        description: "false: the one-click roll back and History's roll back are refused with the code `managed`.",
        default: "true",
    },
    ManagedKey {
        name: "Baseline",
        kind: KeyType::String,
        title: "Required baseline",
        description: "The baseline the organisation requires: cis_lvl1, cis_lvl2, disa_stig, 800-53r5_low, 800-53r5_moderate, 800-53r5_high (mSCP's names) or Earshot's (cis-l2, stig-26, …). The snapshot, the extension attributes and the wizard report against it, and its steps never wait for a soak.",
        default: "cis-l1",
    },
    ManagedKey {
        name: "ODV",
        kind: KeyType::OdvDict,
        title: "Organisation-defined values",
        description: "mSCP rule id → the organisation's value, e.g. audit_retention_configure = 90d, audit_configure_capacity_notify = 15. Used by the compliance report, the plan to a baseline, the snapshot and the extension attributes.",
        default: "the mSCP release's values",
    },
    ManagedKey {
        name: "Exemptions",
        kind: KeyType::ReasonDict,
        title: "Exempt rules",
        description: "mSCP rule id → why it is exempt. An exempt rule is still checked and reported as exempt, never as a pass, and the plan takes no step for it.",
        default: "none",
    },
    ManagedKey {
        name: "SnapshotIntervalSecs",
        kind: KeyType::Integer { min: 60, max: 86_400 },
        title: "Snapshot refresh (seconds)",
        description: "How often the helper refreshes the status snapshot the extension attributes and Fleet read (it also does after every change).",
        default: "300",
    },
    ManagedKey {
        name: "EventExportEnabled",
        kind: KeyType::Bool,
        title: "Export events for a SIEM",
        description: "true: the helper streams the audit trail as OCSF events (one JSON object a line) for a log shipper to tail.",
        default: "false",
    },
    ManagedKey {
        name: "EventExportPath",
        kind: KeyType::String,
        title: "Event folder",
        description: "The absolute folder the OCSF event files are written to.",
        default: "/var/log/earshot/events",
    },
    ManagedKey {
        name: "EventExportMaxMB",
        kind: KeyType::Integer { min: 8, max: 1_048_576 },
        title: "Event files cap (MB)",
        description: "The event files together never exceed this: the oldest rotated file goes first.",
        default: "512",
    },
];

/// The key names, for [`System::managed_preferences`].
pub fn key_names() -> Vec<&'static str> {
    KEYS.iter().map(|k| k.name).collect()
}

fn type_words(kind: KeyType) -> String {
    match kind {
        KeyType::Bool => "a boolean (<true/> or <false/>)".into(),
        KeyType::Integer { min, max } => format!("an integer from {min} to {max}"),
        KeyType::String => "a string".into(),
        KeyType::OdvDict => "a dictionary of rule id → string or integer".into(),
        KeyType::ReasonDict => "a dictionary of rule id → reason (string)".into(),
    }
}

fn problem(key: &str, message: impl Into<String>) -> ManagedProblem {
    ManagedProblem {
        key: key.to_string(),
        message: message.into(),
    }
}

/// Reads the forced keys of `dict` (a profile's payload for [`DOMAIN`]).
pub fn parse(dict: Option<&Dictionary>) -> Managed {
    let mut m = Managed::default();
    let Some(dict) = dict else {
        return m;
    };
    m.profile = true;
    for (name, value) in dict {
        let Some(key) = KEYS.iter().find(|k| k.name == name) else {
            // Profiles carry their own bookkeeping keys (PayloadUUID & co. do
            // not reach the domain, but some tools add comments): report, ignore.
            m.problems.push(problem(
                name,
                format!("unknown key (Earshot reads: {})", key_names().join(", ")),
            ));
            continue;
        };
        let wrong = || problem(name, format!("must be {}; ignored", type_words(key.kind)));
        match (key.kind, value) {
            (KeyType::Bool, Value::Boolean(b)) => match key.name {
                "EnableMenuItem" => m.enable_menu_item = Some(*b),
                "AllowUserTuning" => m.allow_user_tuning = Some(*b),
                "AllowRollback" => m.allow_rollback = Some(*b),
                "EventExportEnabled" => m.event_export_enabled = Some(*b),
                _ => {}
            },
            (KeyType::Integer { min, max }, Value::Integer(i)) => {
                match i.as_unsigned().filter(|v| (min..=max).contains(v)) {
                    Some(v) => {
                        let v = u32::try_from(v).unwrap_or(u32::MAX);
                        match key.name {
                            "SnapshotIntervalSecs" => m.snapshot_interval_secs = Some(v),
                            "EventExportMaxMB" => m.event_export_max_mb = Some(v),
                            _ => {}
                        }
                    }
                    None => m.problems.push(problem(
                        name,
                        format!(
                            "{i} is out of range: must be {}; ignored",
                            type_words(key.kind)
                        ),
                    )),
                }
            }
            (KeyType::String, Value::String(s)) => match key.name {
                "Baseline" => match Baseline::parse(s) {
                    Ok(b) => m.baseline = Some(b),
                    Err(e) => m.problems.push(problem(name, format!("{e}; ignored"))),
                },
                "EventExportPath" => {
                    if s.starts_with('/') && !s.split('/').any(|c| c == "..") {
                        m.event_export_path = Some(s.clone());
                    } else {
                        m.problems.push(problem(
                            name,
                            format!("{s:?} must be an absolute folder without `..`; ignored"),
                        ));
                    }
                }
                _ => {}
            },
            (KeyType::OdvDict, Value::Dictionary(d)) => {
                for (rule, v) in d {
                    let value = match v {
                        Value::String(s) => OdvValue::Text(s.clone()),
                        Value::Integer(i) => {
                            match i.as_unsigned().and_then(|n| u32::try_from(n).ok()) {
                                Some(n) => OdvValue::Number(n),
                                None => {
                                    m.problems.push(problem(
                                        &format!("ODV.{rule}"),
                                        format!("{i} is not a usable value; ignored"),
                                    ));
                                    continue;
                                }
                            }
                        }
                        _ => {
                            m.problems.push(problem(
                                &format!("ODV.{rule}"),
                                "must be a string or an integer; ignored",
                            ));
                            continue;
                        }
                    };
                    m.tailoring.odv.insert(rule.clone(), value);
                }
            }
            (KeyType::ReasonDict, Value::Dictionary(d)) => {
                for (rule, v) in d {
                    match v {
                        Value::String(reason) => {
                            m.tailoring.exemptions.insert(rule.clone(), reason.clone());
                        }
                        _ => m.problems.push(problem(
                            &format!("Exemptions.{rule}"),
                            "must be a string (why the rule is exempt); ignored",
                        )),
                    }
                }
            }
            _ => m.problems.push(wrong()),
        }
    }
    // Values the catalogue cannot use are reported like wrong types, and left
    // out of the tailoring (compliance would ignore them anyway).
    let bad = earshot_compliance::tailoring::validate(&m.tailoring);
    for p in bad {
        let (key, rule) = match &p {
            earshot_compliance::tailoring::TailoringProblem::UnknownExemption(r)
            | earshot_compliance::tailoring::TailoringProblem::NoReason(r) => {
                ("Exemptions", r.clone())
            }
            earshot_compliance::tailoring::TailoringProblem::UnknownRule(r)
            | earshot_compliance::tailoring::TailoringProblem::NoOdv(r) => ("ODV", r.clone()),
            earshot_compliance::tailoring::TailoringProblem::BadRetention { .. } => {
                ("ODV", "audit_retention_configure".to_string())
            }
            earshot_compliance::tailoring::TailoringProblem::BadMinfree(_) => {
                ("ODV", "audit_configure_capacity_notify".to_string())
            }
        };
        if key == "ODV" {
            m.tailoring.odv.remove(&rule);
        } else {
            m.tailoring.exemptions.remove(&rule);
        }
        m.problems
            .push(problem(&format!("{key}.{rule}"), p.to_string()));
    }
    if !m.tailoring.is_empty() {
        m.tailoring.source = Some(format!("managed:{DOMAIN}"));
    }
    m
}

/// The managed configuration in force on `sys`. A profile that cannot be
/// read at all is reported as one problem (and nothing is forced): the Mac
/// keeps working with the user's choices.
pub fn read(sys: &dyn System) -> Managed {
    match sys.managed_preferences(DOMAIN, &key_names()) {
        Ok(d) => parse(d.as_ref()),
        Err(e) => Managed {
            profile: true,
            problems: vec![problem(
                DOMAIN,
                format!("cannot read the profile's values: {e}"),
            )],
            ..Managed::default()
        },
    }
}

/// Every problem of the profile as delivered, for `earshot managed validate`:
/// on macOS CFPreferences hands over the known keys only, so the device-level
/// file is read too, to find keys Earshot does not know.
pub fn validate(sys: &dyn System) -> Result<Managed, SystemError> {
    let mut m = read(sys);
    if let Some(file) = earshot_system::read_managed_file(sys, DOMAIN)? {
        let from_file = parse(Some(&file));
        for p in from_file.problems {
            if !m.problems.contains(&p) {
                m.problems.push(p);
            }
        }
        m.profile = true;
    }
    Ok(m)
}

/// The names of the keys a profile forces (for the snapshot and the app).
pub fn forced_keys(m: &Managed) -> Vec<String> {
    let mut keys = Vec::new();
    let mut push = |set: bool, name: &str| {
        if set {
            keys.push(name.to_string());
        }
    };
    push(m.enable_menu_item.is_some(), "EnableMenuItem");
    push(m.allow_user_tuning.is_some(), "AllowUserTuning");
    push(m.allow_rollback.is_some(), "AllowRollback");
    push(m.baseline.is_some(), "Baseline");
    push(!m.tailoring.odv.is_empty(), "ODV");
    push(!m.tailoring.exemptions.is_empty(), "Exemptions");
    push(m.snapshot_interval_secs.is_some(), "SnapshotIntervalSecs");
    push(m.event_export_enabled.is_some(), "EventExportEnabled");
    push(m.event_export_path.is_some(), "EventExportPath");
    push(m.event_export_max_mb.is_some(), "EventExportMaxMB");
    keys
}
