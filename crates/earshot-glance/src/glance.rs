//! The [`Glance`]: everything the tray and the popover show, built from the
//! helper's [`StatusReport`] (and its `detail`, the `earshot status --json`
//! document described in docs/status-json.md).
//!
//! Rule carried through every field: a state that could not be observed is
//! `unknown`/`null`, never "ok" or zero — a dead connection shows the unknown
//! glyph even if the last report said healthy.

use std::collections::BTreeMap;

use earshot_api::{HealthLevel, StatusReport};
pub use earshot_model::glance::{
    ClassRate, Connection, ConnectionState, Evidence, Forecast, Glance, Headroom, Health,
    MinfreeKind, Rates, Severity, Tray, Warning,
};
use earshot_model::status::{self as doc, MinfreeOutlook, SteadyState, WarningLevel, WindowSpan};

use crate::prefs::Preferences;
use crate::title;

/// The status document's severity. `Unknown` stays unknown, never ok.
fn severity_of(s: doc::Severity) -> Severity {
    match s {
        doc::Severity::Ok => Severity::Ok,
        doc::Severity::Warning => Severity::Warning,
        doc::Severity::Error => Severity::Error,
        doc::Severity::Off => Severity::Off,
        doc::Severity::Unknown => Severity::Unknown,
    }
}

fn severity_of_level(level: HealthLevel) -> Severity {
    match level {
        HealthLevel::Ok => Severity::Ok,
        HealthLevel::Warning => Severity::Warning,
        HealthLevel::Error => Severity::Error,
        HealthLevel::Off => Severity::Off,
    }
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

/// The glance for `inputs`; `ledger` dates the warnings.
pub fn build(inputs: Inputs<'_>, ledger: &mut WarningLedger) -> Glance {
    let Inputs {
        connection,
        report,
        prefs,
        drift,
        now_unix,
    } = inputs;
    let detail = report.and_then(|r| r.detail.as_deref());
    let health = match (report, detail.map(|d| &d.health)) {
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
            state: h.state.as_str().to_string(),
            severity: severity_of(h.severity),
            summary: h.summary.clone(),
            evidence: h.evidence.clone(),
            fix: h.fix.clone(),
        },
        // Pushes carry no detail: fall back to the report's own verdict.
        (Some(r), None) => Health {
            state: "unknown".into(),
            severity: severity_of_level(r.level),
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
    let headroom = detail.and_then(|d| tightest_headroom(&d.headroom));
    let forecast = detail
        .and_then(|d| d.forecast.as_ref())
        .map(forecast_glance);
    let rates = detail.and_then(|d| minute_rates(&d.rates));
    let mut warnings = Vec::new();
    if let Some(r) = report {
        for f in &r.findings {
            if f.level != HealthLevel::Ok {
                warnings.push(Warning {
                    id: f.code.clone(),
                    level: level_word(f.level),
                    text: f.message.clone(),
                    since: 0,
                });
            }
        }
    }
    if let Some(fc) = detail.and_then(|d| d.forecast.as_ref()) {
        for w in &fc.warnings {
            let id = w.code.replace('_', "-");
            if !warnings.iter().any(|x| x.id == id) {
                warnings.push(Warning {
                    id,
                    level: w.level,
                    text: w.message.clone(),
                    since: 0,
                });
            }
        }
    }
    if drift {
        warnings.push(Warning {
            id: "drift".into(),
            level: WarningLevel::Warning,
            text: "audit_control was changed outside Earshot; review it in History.".into(),
            since: 0,
        });
    }
    let warnings = ledger.stamp(warnings, now_unix);
    // The glyph is the worse of the trail's health and the helper's verdict,
    // whose findings (a step badly over budget, a broken history chain) the
    // health document does not see.
    let glyph = match (connection.state, report) {
        (ConnectionState::Connected, Some(r)) => worse(health.severity, severity_of_level(r.level)),
        (ConnectionState::Connected, None) => health.severity,
        _ => Severity::Unknown,
    };
    let title = title::text(prefs.title, rates.as_ref(), headroom.as_ref());
    let managed = report.and_then(|r| r.managed.as_deref().cloned());
    Glance {
        tray: Tray {
            glyph,
            title,
            visible: managed
                .as_ref()
                .and_then(|m| m.enable_menu_item)
                .unwrap_or(!prefs.hide_menu_item),
        },
        health,
        headroom,
        forecast,
        rates,
        warnings,
        pending_confirm: report.and_then(|r| r.pending.clone()),
        head_revision: report.and_then(|r| r.head_revision),
        drift,
        soak: report.and_then(|r| r.soak.as_deref().cloned()),
        managed,
        simulated: report.is_some_and(|r| r.simulated),
        updated_unix: now_unix,
        connection,
    }
}

/// The severity that needs more attention; an unknown state never hides a
/// known problem, and never looks healthy.
fn worse(a: Severity, b: Severity) -> Severity {
    let rank = |s: Severity| match s {
        Severity::Ok => 0,
        Severity::Off => 1,
        Severity::Warning => 2,
        Severity::Unknown => 3,
        Severity::Error => 4,
    };
    if rank(b) > rank(a) {
        b
    } else {
        a
    }
}

fn level_word(level: HealthLevel) -> WarningLevel {
    match level {
        HealthLevel::Ok | HealthLevel::Off => WarningLevel::Info,
        HealthLevel::Warning => WarningLevel::Warning,
        HealthLevel::Error => WarningLevel::Error,
    }
}

/// The folder closest to its minfree limit is the one that matters.
fn tightest_headroom(all: &[doc::Headroom]) -> Option<Headroom> {
    let h = all
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
fn minute_rates(windows: &[doc::RateWindow]) -> Option<Rates> {
    let r = windows.iter().find(|r| r.span == WindowSpan::Minute)?;
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
        window: "minute".into(),
        covered_secs: r.covered_secs,
        total_eps: r.total.events_per_sec,
        total_bytes_per_s: r.total.bytes_per_sec,
        by_class,
    })
}

fn forecast_glance(f: &doc::Forecast) -> Forecast {
    let (minfree, minfree_days, cap_bytes) = match f.minfree {
        MinfreeOutlook::Never { cap_bytes } => (MinfreeKind::Never, None, Some(cap_bytes)),
        MinfreeOutlook::Reached { days } => (MinfreeKind::Reached, Some(days), None),
        MinfreeOutlook::AlreadyBelow => (MinfreeKind::AlreadyBelow, None, None),
        MinfreeOutlook::NoGrowth => (MinfreeKind::NoGrowth, None, None),
    };
    Forecast {
        bytes_per_day: f.bytes_per_day,
        minfree,
        minfree_days,
        cap_bytes,
        retention_secs: match f.steady_state {
            SteadyState::Capped { retention_secs, .. } => Some(retention_secs),
            _ => None,
        },
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
        let detail: doc::Status = serde_json::from_value(doc).expect("detail parses");
        forecast_glance(&detail.forecast.expect("document has a forecast"))
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
        assert_eq!(serde_json::to_value(f.minfree).unwrap(), "never");
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
        assert_eq!(
            (serde_json::to_value(f.minfree).unwrap(), f.minfree_days),
            (serde_json::json!("reached"), Some(3.5))
        );
        assert_eq!(f.cap_bytes, None);
        assert!(serde_json::to_value(&f).unwrap()["cap_bytes"].is_null());
        // A `never` without its cap (an older helper) never becomes a zero cap:
        // the typed document refuses it, and a status that does not parse
        // leaves the glance unknown.
        doc["forecast"]["minfree"] = serde_json::json!({"kind": "never"});
        assert!(serde_json::from_value::<doc::Status>(doc).is_err());
    }
}
