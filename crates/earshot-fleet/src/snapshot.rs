//! Building the status snapshot (docs/snapshot.md) from what the helper
//! already knows: the status document, the compliance report of the baseline
//! in force, the soak, history's head and the managed configuration.

use earshot_model::compliance::{Report, Status as RuleStatus};
use earshot_model::managed::Managed;
use earshot_model::snapshot::{
    Snapshot, SnapshotAuditing, SnapshotBaseline, SnapshotConfig, SnapshotFinding,
    SnapshotForecast, SnapshotHeadroom, SnapshotHealth, SnapshotHistory, SnapshotManaged,
    SnapshotRates, SnapshotRule, SnapshotSoak, SNAPSHOT_SCHEMA,
};
use earshot_model::soak::{SoakState, SoakStatus};
use earshot_model::status::{Finding, HealthLevel, MinfreeOutlook, Status, WindowSpan};
use earshot_model::time::Timestamp;

/// What a snapshot is made of.
pub struct Inputs<'a> {
    pub now_unix: u64,
    pub refresh_secs: u32,
    pub earshot_version: &'a str,
    /// `macos` or `simulated`.
    pub system: &'a str,
    /// The status document (`None` when it could not be collected).
    pub status: Option<&'a Status>,
    pub configured: bool,
    pub launchd_loaded: Option<bool>,
    pub kernel_auditing: Option<bool>,
    /// The compliance report of the baseline in force, tailored.
    pub report: &'a Report,
    /// `managed` or `default`.
    pub baseline_source: &'a str,
    pub soak: Option<&'a SoakStatus>,
    pub head_revision: Option<u64>,
    pub chain_intact: bool,
    pub managed: &'a Managed,
    pub findings: &'a [Finding],
    pub last_trail_write: Option<Timestamp>,
}

fn word<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|j| j.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The snapshot of `i`.
pub fn build(i: &Inputs<'_>) -> Snapshot {
    let st = i.status;
    let health = match st {
        Some(s) => SnapshotHealth {
            state: s.health.state.as_str().to_string(),
            severity: word(&s.health.severity),
            summary: s.health.summary.clone(),
            fix: s.health.fix.clone(),
        },
        None => SnapshotHealth {
            state: "unknown".into(),
            severity: "unknown".into(),
            summary: "the helper could not read the Mac's audit status".into(),
            fix: None,
        },
    };
    let running = i.configured && i.launchd_loaded == Some(true) && i.kernel_auditing == Some(true);
    let config = st.and_then(|s| s.config.as_ref()).map(|c| SnapshotConfig {
        dir: c.dirs.clone(),
        flags: c.flags.clone(),
        naflags: c.naflags.clone(),
        policy: c.policy.join(","),
        minfree: c.minfree_percent,
        filesz_bytes: c.filesz_bytes,
        expire_after: c.expire_after.map(|e| expiry_text(&e)),
    });
    let headroom = st.and_then(|s| {
        s.headroom
            .iter()
            .filter(|h| h.volume_bytes > 0)
            .min_by_key(|h| (!h.below_minfree, h.bytes_above_minfree))
            .map(|h| SnapshotHeadroom {
                dir: h.dir.clone(),
                free_bytes: h.free_bytes,
                bytes_above_minfree: h.bytes_above_minfree,
                free_percent: round2(h.free_percent),
                minfree_percent: h.minfree_percent,
                below_minfree: h.below_minfree,
            })
    });
    let forecast = st.and_then(|s| s.forecast.as_ref()).map(|f| {
        let (outlook, days) = match &f.minfree {
            MinfreeOutlook::Reached { days } => ("reached", Some(round2(*days))),
            MinfreeOutlook::Never { .. } => ("never", None),
            MinfreeOutlook::NoGrowth => ("no_growth", None),
            MinfreeOutlook::AlreadyBelow => ("already_below", Some(0.0)),
        };
        SnapshotForecast {
            bytes_per_day: f.bytes_per_day.round(),
            outlook: outlook.into(),
            days_to_minfree: days,
        }
    });
    let rates = st.filter(|s| !s.rates.is_empty()).map(|s| {
        let window = |span| s.rates.iter().find(|w| w.span == span);
        let day = window(WindowSpan::Day);
        SnapshotRates {
            events_per_sec: round2(
                window(WindowSpan::Minute).map_or(0.0, |w| w.total.events_per_sec),
            ),
            events_per_day: day.map_or(0.0, |w| (w.total.events_per_sec * 86_400.0).round()),
            bytes_per_day: day.map_or(0.0, |w| (w.total.bytes_per_sec * 86_400.0).round()),
            by_class: day
                .map(|w| {
                    w.by_class
                        .iter()
                        .map(|(c, r)| (c.clone(), (r.events_per_sec * 86_400.0).round()))
                        .collect()
                })
                .unwrap_or_default(),
        }
    });
    let r = i.report;
    let ids = |status: RuleStatus| {
        r.results
            .iter()
            .filter(|x| x.status == status)
            .map(|x| x.id.clone())
            .collect::<Vec<_>>()
    };
    let baseline = SnapshotBaseline {
        name: r.baseline.name().to_string(),
        title: r.title.clone(),
        source: i.baseline_source.to_string(),
        mscp_release: r.mscp_release.clone(),
        tailored: r.tailoring.is_some(),
        compliant: r.passed(),
        passed: r.summary.pass,
        failed: r.summary.fail,
        exempt: r.summary.exempt,
        unknown: r.summary.unknown,
        failed_rules: ids(RuleStatus::Fail),
        exempt_rules: ids(RuleStatus::Exempt),
        mscp_disagreements: r.summary.mscp_disagreements,
        rules: r
            .results
            .iter()
            .map(|x| SnapshotRule {
                id: x.id.clone(),
                status: x.status,
                mscp: x.mscp_literal.as_ref().map(|l| l.verdict.clone()),
            })
            .collect(),
    };
    let soak = i.soak.map(|s| SnapshotSoak {
        revision: s.revision,
        title: s.title.clone(),
        state: match s.state {
            SoakState::Soaking => "soaking",
            SoakState::Reviewed => "reviewed",
            SoakState::Ended => "ended",
        }
        .into(),
        summary: s.summary.clone(),
        ratio: s.ratio.map(round2),
        over_budget: s.over_budget.is_some(),
    });
    Snapshot {
        schema: SNAPSHOT_SCHEMA,
        generated_at: Timestamp::new(i.now_unix, 0),
        generated_unix: i.now_unix,
        refresh_secs: i.refresh_secs,
        earshot_version: i.earshot_version.to_string(),
        system: i.system.to_string(),
        macos_version: st.and_then(|s| s.macos_version.clone()),
        health,
        auditing: SnapshotAuditing {
            configured: i.configured,
            launchd_loaded: i.launchd_loaded,
            kernel_auditing: i.kernel_auditing,
            running,
        },
        config,
        headroom,
        forecast,
        rates,
        last_trail_write: i.last_trail_write,
        baseline,
        soak,
        history: SnapshotHistory {
            head_revision: i.head_revision,
            chain_intact: i.chain_intact,
        },
        managed: SnapshotManaged {
            profile: i.managed.profile,
            keys: crate::managed::forced_keys(i.managed),
            problems: i
                .managed
                .problems
                .iter()
                .map(|p| format!("{}: {}", p.key, p.message))
                .collect(),
        },
        findings: i
            .findings
            .iter()
            .filter(|f| matches!(f.level, HealthLevel::Warning | HealthLevel::Error))
            .map(|f| SnapshotFinding {
                code: f.code.clone(),
                level: word(&f.level),
                message: f.message.clone(),
            })
            .collect(),
    }
}

fn round2(v: f64) -> f64 {
    if v.is_finite() {
        (v * 100.0).round() / 100.0
    } else {
        0.0
    }
}

/// `expire-after` in audit_control's own words (`60d OR 5G`).
fn expiry_text(e: &earshot_model::status::ExpiryRule) -> String {
    let age = e.age_secs.map(|s| {
        if s % 86_400 == 0 {
            format!("{}d", s / 86_400)
        } else if s % 3600 == 0 {
            format!("{}h", s / 3600)
        } else {
            format!("{s}s")
        }
    });
    let size = e.size_bytes.map(|b| {
        const G: u64 = 1 << 30;
        const M: u64 = 1 << 20;
        const K: u64 = 1 << 10;
        if b % G == 0 {
            format!("{}G", b / G)
        } else if b % M == 0 {
            format!("{}M", b / M)
        } else if b % K == 0 {
            format!("{}K", b / K)
        } else {
            format!("{b}B")
        }
    });
    match (age, size) {
        (Some(a), Some(s)) => format!(
            "{a} {} {s}",
            match e.op {
                earshot_model::status::ExpiryOp::And => "AND",
                earshot_model::status::ExpiryOp::Or => "OR",
            }
        ),
        (Some(a), None) => a,
        (None, Some(s)) => s,
        (None, None) => String::new(),
    }
}
