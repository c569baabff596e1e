//! An organisation's tailoring of the mSCP baselines: its own ODVs and the rules
//! it exempts. Checked here against the catalogue, so a profile that names a rule
//! that does not exist, gives a rule without an ODV a value, or writes a value
//! neither auditd nor mSCP's check could ever accept is reported (with what to
//! fix) instead of silently producing false failures on every tailored Mac.

use earshot_model::compliance::{Membership, Odv, OdvSource, OdvValue, Tailoring};

use crate::catalogue::{RuleKind, RULES};
use crate::{parse_expiry, BaselineRules};

/// One problem with a tailoring, for `earshot managed validate` and the
/// compliance report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TailoringProblem {
    #[error(
        "ODV for `{0}`: no such mSCP audit rule (rule ids look like `audit_retention_configure`)"
    )]
    UnknownRule(String),
    #[error(
        "exemption for `{0}`: no such mSCP audit rule (rule ids look like `audit_failure_halt`)"
    )]
    UnknownExemption(String),
    #[error("ODV for `{0}`: this rule has no organisation-defined value (only audit_retention_configure and audit_configure_capacity_notify do)")]
    NoOdv(String),
    #[error("ODV `{value}` for audit_retention_configure: {why} (write it as mSCP does, e.g. `30d`, `7d`, `60d OR 5G`)")]
    BadRetention { value: String, why: String },
    #[error("ODV `{0}` for audit_configure_capacity_notify: minfree is a whole percent from 1 to 100 (mSCP's range); 25 is the baseline value")]
    BadMinfree(String),
    #[error(
        "exemption for `{0}` gives no reason: auditors need one (mSCP records it as exempt_reason)"
    )]
    NoReason(String),
}

/// mSCP's own pattern for a retention ODV: `^\d+[shdyBKMG](\s(AND|OR)\s\d+[shdyBKMG])?$`.
/// A value outside it can never pass mSCP's literal check, whatever auditd does.
fn mscp_retention_shape(text: &str) -> bool {
    let term = |t: &str| {
        let Some(unit) = t.chars().last() else {
            return false;
        };
        let digits = &t[..t.len() - unit.len_utf8()];
        "shdyBKMG".contains(unit)
            && !digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit())
    };
    let parts: Vec<&str> = text.split(' ').collect();
    match parts.as_slice() {
        [one] => term(one),
        [a, op, b] => (*op == "AND" || *op == "OR") && term(a) && term(b),
        _ => false,
    }
}

/// The ODV a tailored value gives `kind`, or why it cannot.
fn odv_of(kind: RuleKind, value: &OdvValue) -> Result<Odv, TailoringProblem> {
    match kind {
        RuleKind::Retention => {
            let text = value.to_string();
            if !mscp_retention_shape(&text) {
                return Err(TailoringProblem::BadRetention {
                    value: text,
                    why: "mSCP accepts a number and a unit (s, h, d, y, B, K, M, G), optionally `AND`/`OR` another".into(),
                });
            }
            if parse_expiry(&text).is_none() {
                return Err(TailoringProblem::BadRetention {
                    value: text,
                    why: "auditd cannot parse it".into(),
                });
            }
            Ok(Odv::Retention(text))
        }
        RuleKind::CapacityNotify => {
            let n = match value {
                OdvValue::Number(n) => Some(*n),
                OdvValue::Text(t) => t.trim().parse::<u32>().ok(),
            };
            match n {
                Some(n @ 1..=100) => Ok(Odv::Minfree(n)),
                _ => Err(TailoringProblem::BadMinfree(value.to_string())),
            }
        }
        _ => Err(TailoringProblem::NoOdv(String::new())),
    }
}

/// Every problem of `t`, in rule-id order. An empty list means every value is
/// usable.
pub fn validate(t: &Tailoring) -> Vec<TailoringProblem> {
    let mut out = Vec::new();
    for (id, value) in &t.odv {
        let Some(rule) = RULES.iter().find(|r| r.id == id) else {
            out.push(TailoringProblem::UnknownRule(id.clone()));
            continue;
        };
        match odv_of(rule.kind, value) {
            Ok(_) => {}
            Err(TailoringProblem::NoOdv(_)) => out.push(TailoringProblem::NoOdv(id.clone())),
            Err(e) => out.push(e),
        }
    }
    for (id, reason) in &t.exemptions {
        if !RULES.iter().any(|r| r.id == id) {
            out.push(TailoringProblem::UnknownExemption(id.clone()));
        } else if reason.trim().is_empty() {
            out.push(TailoringProblem::NoReason(id.clone()));
        }
    }
    out
}

/// A rule's membership in `baseline` once `t` is applied: the organisation's
/// ODV in place of the release's (an unusable one is ignored — `validate`
/// reports it), never adding a rule the baseline does not hold.
pub fn membership(
    baseline: earshot_model::compliance::Baseline,
    rule: &crate::Rule,
    t: &Tailoring,
) -> Option<(Membership, OdvSource, Option<Odv>)> {
    let m = baseline.membership(rule)?;
    let tailored = t
        .odv
        .get(rule.id)
        .filter(|_| m.odv.is_some())
        .and_then(|v| odv_of(rule.kind, v).ok());
    Some(match tailored {
        Some(odv) => {
            let release = m.odv.clone();
            (
                Membership {
                    severity: m.severity,
                    odv: Some(odv),
                },
                OdvSource::Organisation,
                release,
            )
        }
        None => (m, OdvSource::Release, None),
    })
}

/// The exemption reason of `rule_id`, when exempt (a blank reason exempts
/// nothing: `validate` reports it).
pub fn exemption<'t>(t: &'t Tailoring, rule_id: &str) -> Option<&'t str> {
    t.exemptions
        .get(rule_id)
        .map(String::as_str)
        .filter(|r| !r.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mscp_shapes() {
        for ok in ["30d", "7d", "60d OR 5G", "1y", "5G AND 30d", "720h"] {
            assert!(mscp_retention_shape(ok), "{ok}");
        }
        for bad in [
            "30 days",
            "60d or 5G",
            "60dOR5G",
            "d",
            "30",
            "",
            "30d  OR 5G",
            "30x",
        ] {
            assert!(!mscp_retention_shape(bad), "{bad}");
        }
    }
}
