//! The files admins upload to their MDM and Fleet (`deploy/` in the repo),
//! generated from the tables that define the fields and keys
//! ([`crate::ea::FIELDS`], [`crate::managed::KEYS`]) so they cannot drift:
//! a test regenerates them and fails when the repo's copies differ
//! (`EARSHOT_BLESS=1` rewrites them).

use crate::ea::{DataType, FIELDS};
use crate::managed::{KeyType, KEYS};
use earshot_model::managed::DOMAIN;
use earshot_model::snapshot::SNAPSHOT_PATH;

/// Where the installer puts the command line tool on a Mac.
pub const CLI_PATH: &str = "/usr/local/bin/earshot";

/// One generated file: its path under `deploy/` and its text.
pub struct File {
    pub path: String,
    pub text: String,
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The script every MDM runs for `field` in `format`: the tool answers from
/// the snapshot at once; a Mac without Earshot answers `Error` rather than
/// leaving the inventory blank.
fn script(field: &str, format: &str, missing: &str, exit: u8) -> String {
    format!(
        "#!/bin/sh\n# Earshot: `{field}` for {format}, read from the helper's snapshot\n# ({SNAPSHOT_PATH}); never scans trails or waits on the helper.\nEARSHOT={CLI_PATH}\nif [ ! -x \"$EARSHOT\" ]; then\n  echo \"{missing}\"\n  exit {exit}\nfi\nexec \"$EARSHOT\" ea {field} --format {format}\n"
    )
}

/// Every file of `deploy/` Earshot generates.
pub fn files() -> Vec<File> {
    let mut out = Vec::new();
    for f in FIELDS {
        let body = script(f.name, "jamf", "<result>Error</result>", 0);
        out.push(File {
            path: format!("jamf/earshot-{}.xml", f.name),
            text: format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<extensionAttribute>\n<displayName>{}</displayName>\n<displayInCategory>Earshot</displayInCategory>\n<dataType>{}</dataType>\n<description>{}</description>\n<scriptContentsMac>{}</scriptContentsMac>\n</extensionAttribute>\n",
                xml(f.display),
                f.data_type.jamf(),
                xml(f.description),
                xml(&body)
            ),
        });
        out.push(File {
            path: format!("intune/earshot-{}.sh", f.name),
            text: format!(
                "{}# Intune custom attribute: data type {}; run as system (the snapshot is root:admin 0640).\n",
                script(f.name, "intune", "Error", 0),
                f.data_type.intune()
            ),
        });
    }
    out.push(File {
        path: "kandji/earshot-audit-health.sh".into(),
        text: format!(
            "{}# Kandji custom script: exit 0 = auditing runs, the baseline is met and nothing is\n# below minfree; any other exit raises an alert with the line printed above.\n",
            script("summary", "kandji", "Earshot: Error — the earshot tool is not installed", 1)
        ),
    });
    out.push(File {
        path: "fleet/earshot-policies.yml".into(),
        text: fleet_policies(),
    });
    out.push(File {
        path: format!("profiles/{DOMAIN}.mobileconfig"),
        text: mobileconfig(),
    });
    out.push(File {
        path: "profiles/jamf-custom-settings-schema.json".into(),
        text: jamf_schema(),
    });
    out
}

/// A Fleet policy: it passes when its query returns a row.
pub struct Policy {
    pub name: &'static str,
    pub description: &'static str,
    pub resolution: &'static str,
    pub query: String,
}

fn row(fullkey: &str, value: &str) -> String {
    format!(
        "SELECT 1 FROM parse_json WHERE path = '{SNAPSHOT_PATH}' AND fullkey = '{fullkey}' AND value = '{value}';"
    )
}

/// The policy pack: Earshot's own parsed verdicts through fleetd's
/// `parse_json` (spec/fleet.md §4), not substring matches on audit_control.
pub fn policies() -> Vec<Policy> {
    vec![
        Policy {
            name: "Earshot - BSM auditing is running",
            description: "audit_control exists, launchd has com.apple.auditd loaded and the kernel reports AUC_AUDITING (Earshot's snapshot).",
            resolution: "Open Earshot's Tune Auditing on the Mac (step 1 turns auditing on), or run `earshot apply --plan` as an admin.",
            query: row("auditing/running", "true"),
        },
        Policy {
            name: "Earshot - compliant with the required baseline",
            description: "No mSCP audit rule of the baseline in force fails, with the organisation's ODVs and exemptions applied (Earshot's verdict on meaning).",
            resolution: "See `earshot compliance --baseline <name>` (or the Dashboard's Compliance tab) for each failing rule and its fix.",
            query: row("baseline/compliant", "true"),
        },
        Policy {
            name: "Earshot - trail volume above minfree",
            description: "The audit trail volume is above its minfree limit and the forecast does not reach it within 7 days.",
            resolution: "Free space on the volume, or shorten expire-after so the trails are capped (Earshot's retention step sizes it).",
            query: format!(
                "SELECT 1 FROM parse_json AS h WHERE h.path = '{SNAPSHOT_PATH}' AND h.fullkey = 'headroom/below_minfree' AND h.value = 'false' AND NOT EXISTS (SELECT 1 FROM parse_json AS f WHERE f.path = '{SNAPSHOT_PATH}' AND f.fullkey = 'forecast/days_to_minfree' AND CAST(f.value AS REAL) < 7);"
            ),
        },
        Policy {
            name: "Earshot - change history intact",
            description: "Earshot's hash-chained history of audit_control verifies (no record edited or removed).",
            resolution: "Investigate: someone with root altered /var/db/earshot/history. Compare with the changes your SIEM received.",
            query: row("history/chain_intact", "true"),
        },
        Policy {
            name: "Earshot - snapshot is current",
            description: "The helper refreshed its snapshot within three refresh intervals (else every other Earshot policy reads old data).",
            resolution: "Check that the Earshot helper runs: `sudo launchctl print system/org.earshot.helper`.",
            query: format!(
                "SELECT 1 FROM parse_json AS g, parse_json AS r WHERE g.path = '{SNAPSHOT_PATH}' AND r.path = '{SNAPSHOT_PATH}' AND g.fullkey = 'generated_unix' AND r.fullkey = 'refresh_secs' AND CAST(g.value AS INTEGER) + MAX(3 * CAST(r.value AS INTEGER), 600) >= CAST(strftime('%s', 'now') AS INTEGER);"
            ),
        },
    ]
}

fn yaml_quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn fleet_policies() -> String {
    let mut out = String::from(
        "# Earshot policies for Fleet (fleetctl apply -f earshot-policies.yml). Each asks\n# Earshot's own verdicts from its snapshot through fleetd's parse_json table; a\n# policy passes when its query returns a row. Needs fleetd (Fleet's osquery).\n",
    );
    for p in policies() {
        out.push_str(&format!(
            "---\napiVersion: v1\nkind: policy\nspec:\n  name: {}\n  platform: darwin\n  description: {}\n  resolution: {}\n  query: {}\n  purpose: Informational\n  tags: compliance, earshot, audit\n",
            yaml_quote(p.name),
            yaml_quote(p.description),
            yaml_quote(p.resolution),
            yaml_quote(&p.query)
        ));
    }
    out
}

/// An example value for each key, as a plist fragment.
fn example(k: &crate::managed::ManagedKey) -> String {
    match (k.name, k.kind) {
        ("EnableMenuItem", _) => "<true/>".into(),
        ("AllowUserTuning", _) => "<false/>".into(),
        ("AllowRollback", _) => "<true/>".into(),
        ("Baseline", _) => "<string>cis_lvl2</string>".into(),
        ("ODV", _) => "<dict>\n\t\t\t\t<key>audit_retention_configure</key>\n\t\t\t\t<string>90d</string>\n\t\t\t</dict>".into(),
        ("Exemptions", _) => "<dict>\n\t\t\t\t<key>audit_failure_halt</key>\n\t\t\t\t<string>A kernel panic on an audit write error is not acceptable on kiosks (risk accepted by the CISO, 2026-11)</string>\n\t\t\t</dict>".into(),
        ("SnapshotIntervalSecs", _) => "<integer>300</integer>".into(),
        ("EventExportEnabled", _) => "<false/>".into(),
        ("EventExportPath", _) => "<string>/var/log/earshot/events</string>".into(),
        ("EventExportMaxMB", _) => "<integer>512</integer>".into(),
        (_, KeyType::Bool) => "<false/>".into(),
        _ => "<string></string>".into(),
    }
}

fn mobileconfig() -> String {
    let mut keys = String::new();
    for k in KEYS {
        keys.push_str(&format!(
            "\t\t\t<!-- {}: {} Default: {}. -->\n\t\t\t<key>{}</key>\n\t\t\t{}\n",
            xml(k.title),
            xml(k.description).replace("--", "- -"),
            xml(k.default),
            k.name,
            example(k)
        ));
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n<!-- A sample profile for Earshot's managed preferences (domain {DOMAIN}).\n     Every key is optional: remove the ones you do not force. Replace the UUIDs\n     before use. macOS materialises the keys in\n     /Library/Managed Preferences/{DOMAIN}.plist; `earshot managed validate`\n     reports unknown or wrong-typed keys. -->\n<plist version=\"1.0\">\n<dict>\n\t<key>PayloadContent</key>\n\t<array>\n\t\t<dict>\n\t\t\t<key>PayloadType</key>\n\t\t\t<string>{DOMAIN}</string>\n\t\t\t<key>PayloadIdentifier</key>\n\t\t\t<string>{DOMAIN}.settings</string>\n\t\t\t<key>PayloadUUID</key>\n\t\t\t<string>6F1D6F34-1C2B-4E8E-9B3A-0E5A4C2B7D11</string>\n\t\t\t<key>PayloadVersion</key>\n\t\t\t<integer>1</integer>\n\t\t\t<key>PayloadDisplayName</key>\n\t\t\t<string>Earshot settings</string>\n{keys}\t\t</dict>\n\t</array>\n\t<key>PayloadDisplayName</key>\n\t<string>Earshot (macOS security auditing)</string>\n\t<key>PayloadIdentifier</key>\n\t<string>{DOMAIN}.profile</string>\n\t<key>PayloadScope</key>\n\t<string>System</string>\n\t<key>PayloadType</key>\n\t<string>Configuration</string>\n\t<key>PayloadUUID</key>\n\t<string>2A7C9E10-5B4D-4F2A-8C61-3D9E0B1F4A22</string>\n\t<key>PayloadVersion</key>\n\t<integer>1</integer>\n</dict>\n</plist>\n"
    )
}

fn jamf_schema() -> String {
    let mut props = serde_json::Map::new();
    for k in KEYS {
        let mut p = serde_json::json!({
            "title": k.title,
            "description": format!("{} Default: {}.", k.description, k.default),
        });
        match k.kind {
            KeyType::Bool => p["type"] = "boolean".into(),
            KeyType::Integer { min, max } => {
                p["type"] = "integer".into();
                p["minimum"] = min.into();
                p["maximum"] = max.into();
            }
            KeyType::String if k.name == "Baseline" => {
                p["type"] = "string".into();
                p["enum"] = serde_json::json!([
                    "cis_lvl1",
                    "cis_lvl2",
                    "disa_stig",
                    "800-53r5_low",
                    "800-53r5_moderate",
                    "800-53r5_high"
                ]);
            }
            KeyType::String => p["type"] = "string".into(),
            KeyType::OdvDict => {
                p["type"] = "object".into();
                p["properties"] = serde_json::json!({
                    "audit_retention_configure": {
                        "title": "Retention (expire-after)",
                        "type": "string",
                        "pattern": "^[0-9]+[shdyBKMG]( (AND|OR) [0-9]+[shdyBKMG])?$"
                    },
                    "audit_configure_capacity_notify": {
                        "title": "Capacity warning (minfree, percent)",
                        "type": "integer",
                        "minimum": 1,
                        "maximum": 100
                    }
                });
                p["additionalProperties"] = false.into();
            }
            KeyType::ReasonDict => {
                p["type"] = "object".into();
                p["additionalProperties"] = serde_json::json!({"type": "string", "minLength": 1});
            }
        }
        props.insert(k.name.to_string(), p);
    }
    let doc = serde_json::json!({
        "title": format!("Earshot ({DOMAIN})"),
        "description": "Managed settings for Earshot, the macOS security auditing tool. Upload under Application & Custom Settings, preference domain org.earshot.Earshot.",
        "type": "object",
        "properties": props,
        "additionalProperties": false,
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// The data type words, for docs.
pub fn data_type_word(t: DataType) -> &'static str {
    t.jamf()
}
