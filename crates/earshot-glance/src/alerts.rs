//! Notifications, only for states that need the user to act: auditing stopped,
//! a trail volume below minfree, the forecast reaching minfree within the
//! user's threshold, audit_control edited outside Earshot, and a tuning step
//! whose soak is over (its review is waiting).
//!
//! Debounced: a state must be seen in `need` consecutive samples before it is
//! raised (one odd sample — a trail rotating, a status read racing a write — is
//! not worth a notification), and it is raised once until it clears. It clears
//! after `need` consecutive healthy samples. Samples taken while the helper is
//! unreachable say nothing either way and are ignored.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::glance::{ConnectionState, Glance};
use crate::prefs::AlertPrefs;

/// Default number of consecutive samples that raise or clear an alert.
pub const DEFAULT_SAMPLES: u32 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AlertKind {
    AuditingStopped,
    BelowMinfree,
    MinfreeSoon,
    Drift,
    SoakReviewed,
}

impl AlertKind {
    pub const ALL: [AlertKind; 5] = [
        AlertKind::AuditingStopped,
        AlertKind::BelowMinfree,
        AlertKind::MinfreeSoon,
        AlertKind::Drift,
        AlertKind::SoakReviewed,
    ];

    /// Stable id (also the notification id and the warning id).
    pub fn id(self) -> &'static str {
        match self {
            AlertKind::AuditingStopped => "auditing-stopped",
            AlertKind::BelowMinfree => "below-minfree",
            AlertKind::MinfreeSoon => "minfree-soon",
            AlertKind::Drift => "drift",
            AlertKind::SoakReviewed => "soak-reviewed",
        }
    }

    fn enabled(self, prefs: &AlertPrefs) -> bool {
        match self {
            AlertKind::AuditingStopped => prefs.stopped,
            AlertKind::BelowMinfree => prefs.below_minfree,
            AlertKind::MinfreeSoon => prefs.forecast_days_threshold.is_some(),
            AlertKind::Drift => prefs.drift,
            AlertKind::SoakReviewed => prefs.soak,
        }
    }

    /// Whether `g` shows this state; `None` when `g` cannot tell.
    fn present(self, g: &Glance, prefs: &AlertPrefs) -> Option<bool> {
        if g.connection.state != ConnectionState::Connected {
            return None;
        }
        match self {
            AlertKind::AuditingStopped => {
                if g.health.state == "unknown" {
                    return None;
                }
                Some(matches!(
                    g.health.state.as_str(),
                    "configured_not_auditing" | "stalled" | "stopped_for_space"
                ))
            }
            AlertKind::BelowMinfree => g.headroom.as_ref().map(|h| h.below_minfree),
            AlertKind::MinfreeSoon => {
                let limit = f64::from(prefs.forecast_days_threshold?);
                let f = g.forecast.as_ref()?;
                Some(
                    f.minfree == earshot_model::glance::MinfreeKind::Reached
                        && f.minfree_days.is_some_and(|d| d < limit),
                )
            }
            // A tool that keeps rewriting the file raises the helper's one
            // `other-writer` warning instead of a notification per rewrite.
            AlertKind::Drift => Some(g.drift && !g.warnings.iter().any(|w| w.id == "other-writer")),
            AlertKind::SoakReviewed => Some(
                g.soak
                    .as_ref()
                    .is_some_and(|s| s.state == earshot_model::soak::SoakState::Reviewed),
            ),
        }
    }

    /// The notification's title: fixed per kind, so a notification centre that
    /// can only withdraw by content finds it again.
    pub fn title(self) -> &'static str {
        match self {
            AlertKind::AuditingStopped => "Auditing stopped",
            AlertKind::BelowMinfree => "Audit trail volume below minfree",
            AlertKind::MinfreeSoon => "Audit trails will reach minfree soon",
            AlertKind::Drift => "audit_control changed outside Earshot",
            AlertKind::SoakReviewed => "A tuning step is ready for review",
        }
    }

    fn alert(self, g: &Glance) -> Alert {
        let body = match self {
            AlertKind::AuditingStopped => g.health.summary.clone(),
            AlertKind::BelowMinfree => match &g.headroom {
                Some(h) => format!(
                    "{} has {:.1}% free, under its minfree limit of {:.1}%; auditd is deleting old trails or will stop.",
                    h.dir, h.free_percent, h.threshold_percent
                ),
                None => "A trail volume is below its minfree limit.".into(),
            },
            AlertKind::MinfreeSoon => match g.forecast.as_ref().and_then(|f| f.minfree_days) {
                Some(d) => format!("At the current rate the trail volume reaches minfree in {d:.1} days."),
                None => "The trail volume will reach minfree soon.".into(),
            },
            AlertKind::Drift => "Review the change in History; one click rolls it back.".into(),
            AlertKind::SoakReviewed => match &g.soak {
                Some(s) => soak_body(s),
                None => "A tuning step's soak is over: review it in Tune Auditing.".into(),
            },
        };
        Alert {
            kind: self,
            title: self.title().into(),
            body,
        }
    }
}

/// "Review the change to flags: it cost 1.1× what was predicted" — the
/// setting the step changed (its title up to the colon) and the measured ratio.
fn soak_body(s: &earshot_model::soak::SoakStatus) -> String {
    let what = s
        .title
        .split_once(':')
        .map_or(s.title.as_str(), |(key, _)| key);
    match s.ratio {
        Some(r) => format!("Review the change to {what}: it cost {r:.1}× what was predicted."),
        None => format!("Review the change to {what}: its soak is over."),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alert {
    pub kind: AlertKind,
    pub title: String,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlertChange {
    /// Show a notification.
    Raise(Alert),
    /// The state recovered: withdraw the notification.
    Clear(AlertKind),
}

#[derive(Debug, Default, Clone, Copy)]
struct Track {
    active: bool,
    /// Consecutive samples disagreeing with `active`.
    streak: u32,
}

/// Debouncer over successive glances.
#[derive(Debug, Clone)]
pub struct AlertWatch {
    need: u32,
    tracks: BTreeMap<AlertKind, Track>,
}

impl Default for AlertWatch {
    fn default() -> Self {
        AlertWatch::new(DEFAULT_SAMPLES)
    }
}

impl AlertWatch {
    pub fn new(need: u32) -> Self {
        AlertWatch {
            need: need.max(1),
            tracks: BTreeMap::new(),
        }
    }

    /// Feeds one sample; returns what to raise or clear now.
    pub fn observe(&mut self, g: &Glance, prefs: &AlertPrefs) -> Vec<AlertChange> {
        let mut out = Vec::new();
        for kind in AlertKind::ALL {
            let track = self.tracks.entry(kind).or_default();
            if !kind.enabled(prefs) {
                // Turned off in preferences: withdraw at once, no debounce needed.
                if track.active {
                    out.push(AlertChange::Clear(kind));
                }
                *track = Track::default();
                continue;
            }
            let Some(present) = kind.present(g, prefs) else {
                continue;
            };
            if present == track.active {
                track.streak = 0;
                continue;
            }
            track.streak += 1;
            if track.streak >= self.need {
                track.active = present;
                track.streak = 0;
                out.push(if present {
                    AlertChange::Raise(kind.alert(g))
                } else {
                    AlertChange::Clear(kind)
                });
            }
        }
        out
    }

    /// The alerts currently raised.
    pub fn active(&self) -> Vec<AlertKind> {
        self.tracks
            .iter()
            .filter(|(_, t)| t.active)
            .map(|(k, _)| *k)
            .collect()
    }
}
