//! The [`Glance`]: everything the tray and the popover show, built from the
//! helper's [`StatusReport`] (and its `detail`, the `earshot status --json`
//! document described in docs/status-json.md).
//!
//! Rule carried through every field: a state that could not be observed is
//! `unknown`/`null`, never "ok" or zero — a dead connection shows the unknown
//! glyph even if the last report said healthy.

use std::collections::BTreeMap;

use earshot_api::{HealthLevel, PendingConfirm, StatusReport};
use serde::{Deserialize, Serialize};

use crate::prefs::Preferences;
use crate::title;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionState {
    Connected,
    Connecting,
    Unavailable,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    pub state: ConnectionState,
    /// Why it is not connected (the client error, in words).
    pub reason: Option<String>,
}

impl Connection {
    pub fn connected() -> Self {
        Connection {
            state: ConnectionState::Connected,
            reason: None,
        }
    }

    pub fn connecting() -> Self {
        Connection {
            state: ConnectionState::Connecting,
            reason: None,
        }
    }

    pub fn unavailable(reason: impl Into<String>) -> Self {
        Connection {
            state: ConnectionState::Unavailable,
            reason: Some(reason.into()),
        }
    }
}

/// Health severity, which is also the tray glyph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Ok,
    Warning,
    Error,
    Off,
    Unknown,
}

impl Severity {
    /// The status document's `health.severity`; anything unexpected is unknown,
    /// never ok.
    fn parse(s: &str) -> Severity {
        match s {
            "ok" => Severity::Ok,
            "warning" => Severity::Warning,
            "error" => Severity::Error,
            "off" => Severity::Off,
            _ => Severity::Unknown,
        }
    }

    fn from_level(level: HealthLevel) -> Severity {
        match level {
            HealthLevel::Ok => Severity::Ok,
            HealthLevel::Warning => Severity::Warning,
            HealthLevel::Error => Severity::Error,
            HealthLevel::Off => Severity::Off,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub source: String,
    pub observation: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// `health.state` of the status document (`auditing`, `stalled`, …, `unknown`).
    pub state: String,
    pub severity: Severity,
    pub summary: String,
    pub evidence: Vec<Evidence>,
    pub fix: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tray {
    pub glyph: Severity,
    pub title: Option<String>,
}

/// The tightest trail folder's volume.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Headroom {
    pub dir: String,
    pub volume_bytes: u64,
    pub free_bytes: u64,
    pub free_percent: f64,
    /// The minfree mark on the bar: the higher of the kernel's and auditd's limits,
    /// as a percentage of the volume.
    pub threshold_percent: f64,
    pub minfree_percent: Option<u32>,
    pub below_minfree: bool,
    pub bytes_above_minfree: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forecast {
    pub bytes_per_day: f64,
    /// `never`, `reached`, `already_below`, `no_growth`.
    pub minfree: String,
    pub minfree_days: Option<f64>,
    /// Set when minfree = `never` because expiry stops the folder growing: the
    /// largest size the trail folder reaches (earshot-core `MinfreeOutlook::Never`).
    pub cap_bytes: Option<u64>,
    pub retention_secs: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassRate {
    pub class: String,
    pub eps: f64,
    pub bytes_per_s: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rates {
    pub window: String,
    pub covered_secs: u64,
    pub total_eps: f64,
    pub total_bytes_per_s: f64,
    /// Busiest first.
    pub by_class: Vec<ClassRate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    pub id: String,
    /// `info`, `warning`, `error`.
    pub level: String,
    pub text: String,
    /// When the app first saw it (unix seconds).
    pub since: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Glance {
    pub connection: Connection,
    pub health: Health,
    pub tray: Tray,
    pub headroom: Option<Headroom>,
    pub forecast: Option<Forecast>,
    pub rates: Option<Rates>,
    pub warnings: Vec<Warning>,
    pub pending_confirm: Option<PendingConfirm>,
    pub head_revision: Option<u64>,
    /// The newest revision is an edit made outside Earshot.
    pub drift: bool,
    pub simulated: bool,
    pub updated_unix: u64,
}

/// What a glance is made from.
pub struct Inputs<'a> {
    pub connection: Connection,
    /// The latest report; kept while reconnecting so the popover still shows
    /// the last numbers (the glyph goes unknown regardless).
    pub report: Option<&'a StatusReport>,
    pub prefs: &'a Preferences,
    /// The newest revision came from an edit outside Earshot.
    pub drift: bool,
    pub now_unix: u64,
}

/// Remembers when each warning was first seen, so "since" survives refreshes and
/// a warning that goes away and comes back is dated anew.
#[derive(Debug, Default, Clone)]
pub struct WarningLedger {
    first_seen: BTreeMap<String, u64>,
}

impl WarningLedger {
    fn stamp(&mut self, mut warnings: Vec<Warning>, now: u64) -> Vec<Warning> {
        self.first_seen
            .retain(|id, _| warnings.iter().any(|w| &w.id == id));
        for w in &mut warnings {
            w.since = *self.first_seen.entry(w.id.clone()).or_insert(now);
        }
        warnings
    }
}

impl Glance {
    pub fn build(inputs: Inputs<'_>, ledger: &mut WarningLedger) -> Glance {
        let Inputs {
            connection,
            report,
            prefs,
            drift,
            now_unix,
        } = inputs;
        let detail: Detail = report
            .and_then(|r| r.detail.as_ref())
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .unwrap_or_default();
        let health = match (report, &detail.health) {
            (None, _) => Health {
                state: "unknown".into(),
                severity: Severity::Unknown,
                summary: match &connection.reason {
                    Some(r) => format!("Earshot's helper is unavailable: {r}"),
                    None => "Connecting to Earshot's helper…".into(),
                },
                evidence: Vec::new(),
                fix: (connection.state == ConnectionState::Unavailable).then(|| {
                    "Start the Earshot helper (on Linux: scripts/run starts one on a simulated Mac)."
                        .into()
                }),
            },
            (Some(_), Some(h)) => Health {
                state: h.state.clone(),
                severity: Severity::parse(&h.severity),
                summary: h.summary.clone(),
                evidence: h.evidence.clone(),
                fix: h.fix.clone(),
            },
            // Pushes carry no detail: fall back to the report's own verdict.
            (Some(r), None) => Health {
                state: "unknown".into(),
                severity: Severity::from_level(r.level),
                summary: r.summary.clone(),
                evidence: r
                    .findings
                    .iter()
                    .map(|f| Evidence {
                        source: f.code.clone(),
                        observation: f.message.clone(),
                    })
                    .collect(),
                fix: None,
            },
        };
        let headroom = detail.tightest_headroom();
        let forecast = detail.forecast.as_ref().map(DetailForecast::to_glance);
        let rates = detail.minute_rates();
        let mut warnings = Vec::new();
        if let Some(r) = report {
            for f in &r.findings {
                if f.level != HealthLevel::Ok {
                    warnings.push(Warning {
                        id: f.code.clone(),
                        level: level_word(f.level).into(),
                        text: f.message.clone(),
                        since: 0,
                    });
                }
            }
        }
        if let Some(fc) = &detail.forecast {
            for w in &fc.warnings {
                let id = w.code.replace('_', "-");
                if !warnings.iter().any(|x| x.id == id) {
                    warnings.push(Warning {
                        id,
                        level: w.level.clone(),
                        text: w.message.clone(),
                        since: 0,
                    });
                }
            }
        }
        if drift {
            warnings.push(Warning {
                id: "drift".into(),
                level: "warning".into(),
                text: "audit_control was changed outside Earshot; review it in History.".into(),
                since: 0,
            });
        }
        let warnings = ledger.stamp(warnings, now_unix);
        let glyph = if connection.state == ConnectionState::Connected {
            health.severity
        } else {
            Severity::Unknown
        };
        let title = title::text(prefs.title, rates.as_ref(), headroom.as_ref());
        Glance {
            tray: Tray { glyph, title },
            health,
            headroom,
            forecast,
            rates,
            warnings,
            pending_confirm: report.and_then(|r| r.pending.clone()),
            head_revision: report.and_then(|r| r.head_revision),
            drift,
            simulated: report.is_some_and(|r| r.simulated),
            updated_unix: now_unix,
            connection,
        }
    }
}

fn level_word(level: HealthLevel) -> &'static str {
    match level {
        HealthLevel::Ok | HealthLevel::Off => "info",
        HealthLevel::Warning => "warning",
        HealthLevel::Error => "error",
    }
}

// ---- the parts of docs/status-json.md the glance reads ----------------------
// Every field defaults, so a document from a newer helper with fields added (or
// one that could observe less) still gives a glance; what is absent shows as null.

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Detail {
    health: Option<DetailHealth>,
    headroom: Vec<DetailHeadroom>,
    rates: Vec<DetailRates>,
    forecast: Option<DetailForecast>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DetailHealth {
    state: String,
    severity: String,
    summary: String,
    evidence: Vec<Evidence>,
    fix: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DetailHeadroom {
    dir: String,
    volume_bytes: u64,
    free_bytes: u64,
    free_percent: f64,
    minfree_percent: Option<u32>,
    kernel_threshold_bytes: u64,
    auditd_threshold_bytes: u64,
    bytes_above_minfree: u64,
    below_minfree: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DetailRates {
    span: String,
    covered_secs: u64,
    total: DetailCount,
    by_class: BTreeMap<String, DetailCount>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DetailCount {
    events_per_sec: f64,
    bytes_per_sec: f64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DetailForecast {
    bytes_per_day: f64,
    steady_state: DetailSteady,
    minfree: DetailMinfree,
    warnings: Vec<DetailWarning>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DetailSteady {
    kind: String,
    retention_secs: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DetailMinfree {
    kind: String,
    days: Option<f64>,
    cap_bytes: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DetailWarning {
    level: String,
    code: String,
    message: String,
}

impl Detail {
    /// The folder closest to its minfree limit is the one that matters.
    fn tightest_headroom(&self) -> Option<Headroom> {
        let h = self
            .headroom
            .iter()
            .filter(|h| h.volume_bytes > 0)
            .min_by_key(|h| (!h.below_minfree, h.bytes_above_minfree))?;
        let limit = h.kernel_threshold_bytes.max(h.auditd_threshold_bytes);
        Some(Headroom {
            dir: h.dir.clone(),
            volume_bytes: h.volume_bytes,
            free_bytes: h.free_bytes,
            free_percent: h.free_percent,
            threshold_percent: limit as f64 / h.volume_bytes as f64 * 100.0,
            minfree_percent: h.minfree_percent,
            below_minfree: h.below_minfree,
            bytes_above_minfree: h.bytes_above_minfree,
        })
    }

    /// The one-minute window: what "now" means for the title and the popover.
    fn minute_rates(&self) -> Option<Rates> {
        let r = self.rates.iter().find(|r| r.span == "minute")?;
        if r.covered_secs == 0 {
            // No trail covers the last minute: the rate is unknown, not zero.
            return None;
        }
        let mut by_class: Vec<ClassRate> = r
            .by_class
            .iter()
            .map(|(class, c)| ClassRate {
                class: class.clone(),
                eps: c.events_per_sec,
                bytes_per_s: c.bytes_per_sec,
            })
            .collect();
        by_class.sort_by(|a, b| b.eps.total_cmp(&a.eps).then(a.class.cmp(&b.class)));
        Some(Rates {
            window: r.span.clone(),
            covered_secs: r.covered_secs,
            total_eps: r.total.events_per_sec,
            total_bytes_per_s: r.total.bytes_per_sec,
            by_class,
        })
    }
}

impl DetailForecast {
    fn to_glance(&self) -> Forecast {
        Forecast {
            bytes_per_day: self.bytes_per_day,
            minfree: self.minfree.kind.clone(),
            minfree_days: (self.minfree.kind == "reached")
                .then_some(self.minfree.days)
                .flatten(),
            cap_bytes: (self.minfree.kind == "never")
                .then_some(self.minfree.cap_bytes)
                .flatten(),
            retention_secs: (self.steady_state.kind == "capped")
                .then_some(self.steady_state.retention_secs)
                .flatten(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real `earshot status --json` document of a simulated Mac whose expiry caps
    /// the trail folder (the same one tests/glance.rs reads).
    fn document() -> serde_json::Value {
        serde_json::from_str(include_str!("../tests/data/status-auditing.json"))
            .expect("test document is JSON")
    }

    fn forecast_of(doc: serde_json::Value) -> Forecast {
        let detail: Detail = serde_json::from_value(doc).expect("detail parses");
        detail
            .forecast
            .expect("document has a forecast")
            .to_glance()
    }

    #[test]
    fn never_carries_the_cap_expiry_holds_the_folder_at() {
        let doc = document();
        // Independent truth: the core's steady state peaks at the same size the
        // minfree outlook says the folder is capped at.
        let peak = doc["forecast"]["steady_state"]["peak_bytes"]
            .as_u64()
            .unwrap();
        let f = forecast_of(doc);
        assert_eq!(f.minfree, "never");
        assert_eq!(f.cap_bytes, Some(10_485_995));
        assert_eq!(f.cap_bytes, Some(peak));
        let v = serde_json::to_value(&f).unwrap();
        assert_eq!(v["cap_bytes"], 10_485_995);
    }

    #[test]
    fn cap_is_null_unless_minfree_is_never() {
        let mut doc = document();
        doc["forecast"]["minfree"] = serde_json::json!({"kind": "reached", "days": 3.5});
        let f = forecast_of(doc.clone());
        assert_eq!((f.minfree.as_str(), f.minfree_days), ("reached", Some(3.5)));
        assert_eq!(f.cap_bytes, None);
        assert!(serde_json::to_value(&f).unwrap()["cap_bytes"].is_null());
        // A `never` from an older helper without the field: unknown, not zero.
        doc["forecast"]["minfree"] = serde_json::json!({"kind": "never"});
        assert_eq!(forecast_of(doc).cap_bytes, None);
    }
}
