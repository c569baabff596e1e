//! What an `expire-after` setting means, and when one keeps at least as much as another.
//!
//! auditd (upstream `auditd_expire_trails`, same logic on macOS) walks closed trails
//! oldest first after each rotation and deletes a trail when
//!
//! * OR:  (size limit set and the running total of all trails > size) or
//!   (age limit set and the trail ended longer ago than age);
//! * AND: both limits set and both conditions hold (one limit missing ⇒ nothing is
//!   ever deleted).
//!
//! A baseline's ODV such as `60d OR 5G` is read the same way: the organisation accepts
//! that a trail is deleted once it is older than 60 days *or* the trails together
//! exceed 5 GiB. A configuration **meets** the ODV when it never deletes a trail that
//! the ODV would keep — i.e. its deletion condition implies the ODV's. So `90d OR 5G`,
//! `60d`, `60d OR 10G` and `60d AND 5G` meet `60d OR 5G`; `30d OR 5G`, `60d OR 1G`
//! and the shipped `10M` do not. A missing or zero `expire-after` keeps everything
//! only until the disk fills, at which point auditd (with `cnt`) stops recording new
//! events — retention is then decided by the disk, not configured — so Earshot treats
//! it as not meeting any ODV.

use serde::Serialize;

/// The two ways of combining the limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Op {
    And,
    Or,
}

/// A parsed `expire-after` value in Earshot's own terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Expiry {
    pub age_secs: Option<u64>,
    pub size_bytes: Option<u64>,
    pub op: Op,
}

/// A situation (trail age, total trail size) in which `config` deletes a trail that
/// the ODV keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Counterexample {
    pub age_secs: u64,
    pub total_bytes: u64,
}

impl Expiry {
    pub fn from_audit_control(e: &audit_control::values::ExpireAfter) -> Expiry {
        Expiry {
            age_secs: e.age_secs.filter(|&a| a > 0),
            size_bytes: e.size_bytes.filter(|&s| s > 0),
            op: match e.op {
                audit_control::values::ExpireOp::And => Op::And,
                audit_control::values::ExpireOp::Or => Op::Or,
            },
        }
    }

    /// Whether a trail whose end is `age` seconds old is deleted while all trails
    /// together hold `total` bytes.
    pub fn deletes(&self, age: u64, total: u64) -> bool {
        let by_size = self.size_bytes.map(|s| total > s);
        let by_age = self.age_secs.map(|a| age > a);
        match self.op {
            Op::Or => by_size == Some(true) || by_age == Some(true),
            Op::And => by_size == Some(true) && by_age == Some(true),
        }
    }

    /// Whether no situation ever leads to a deletion (`0`, or AND with a missing part).
    pub fn never_deletes(&self) -> bool {
        match self.op {
            Op::Or => self.age_secs.is_none() && self.size_bytes.is_none(),
            Op::And => self.age_secs.is_none() || self.size_bytes.is_none(),
        }
    }

    /// `Ok(())` when `self` never deletes a trail that `odv` would keep; otherwise a
    /// situation where it does.
    ///
    /// Both conditions are thresholds (`>`) on two integer axes, so the deletion sets
    /// are unions/intersections of half-planes; they only change at the thresholds,
    /// and checking every threshold, threshold + 1, 0 and the maximum on each axis
    /// covers every region.
    pub fn retains_at_least(&self, odv: &Expiry) -> Result<(), Counterexample> {
        let axis = |a: Option<u64>, b: Option<u64>| {
            let mut v = vec![0, u64::MAX];
            for t in [a, b].into_iter().flatten() {
                v.push(t);
                v.push(t.saturating_add(1));
            }
            // Ascending, so the counterexample found first is the smallest one.
            v.sort_unstable();
            v.dedup();
            v
        };
        let ages = axis(self.age_secs, odv.age_secs);
        let sizes = axis(self.size_bytes, odv.size_bytes);
        for &age in &ages {
            for &total in &sizes {
                if self.deletes(age, total) && !odv.deletes(age, total) {
                    return Err(Counterexample {
                        age_secs: age,
                        total_bytes: total,
                    });
                }
            }
        }
        Ok(())
    }

    /// How long a trail survives given `bytes_per_day` of new audit data, in days
    /// (`None`: forever, i.e. until the disk fills).
    pub fn history_days(&self, bytes_per_day: f64) -> Option<f64> {
        let by_age = self.age_secs.map(|a| a as f64 / 86_400.0);
        let by_size = self.size_bytes.map(|s| {
            if bytes_per_day > 0.0 {
                s as f64 / bytes_per_day
            } else {
                f64::INFINITY
            }
        });
        let days = match self.op {
            // Whichever limit is reached first deletes.
            Op::Or => match (by_age, by_size) {
                (Some(a), Some(s)) => Some(a.min(s)),
                (a, s) => a.or(s),
            },
            // Both must be exceeded: the later one decides.
            Op::And => match (by_age, by_size) {
                (Some(a), Some(s)) => Some(a.max(s)),
                _ => None,
            },
        };
        days.filter(|d| d.is_finite())
    }

    /// The largest total trail size this setting lets accumulate at `bytes_per_day`
    /// (`None`: unbounded).
    pub fn steady_bytes(&self, bytes_per_day: f64) -> Option<f64> {
        self.history_days(bytes_per_day).map(|d| d * bytes_per_day)
    }
}

/// Renders a size in the audit_control spelling (largest exact binary unit).
pub fn format_size(bytes: u64) -> String {
    const G: u64 = 1 << 30;
    const M: u64 = 1 << 20;
    const K: u64 = 1 << 10;
    if bytes > 0 && bytes % G == 0 {
        format!("{}G", bytes / G)
    } else if bytes > 0 && bytes % M == 0 {
        format!("{}M", bytes / M)
    } else if bytes > 0 && bytes % K == 0 {
        format!("{}K", bytes / K)
    } else {
        format!("{bytes}B")
    }
}

/// Renders an age in the audit_control spelling (`60d`, `12h`, `90s`).
pub fn format_age(secs: u64) -> String {
    if secs > 0 && secs % 86_400 == 0 {
        format!("{}d", secs / 86_400)
    } else if secs > 0 && secs % 3_600 == 0 {
        format!("{}h", secs / 3_600)
    } else {
        format!("{secs}s")
    }
}

impl std::fmt::Display for Expiry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let op = match self.op {
            Op::And => "AND",
            Op::Or => "OR",
        };
        match (self.age_secs, self.size_bytes) {
            (Some(a), Some(s)) => write!(f, "{} {op} {}", format_age(a), format_size(s)),
            (Some(a), None) => write!(f, "{}", format_age(a)),
            (None, Some(s)) => write!(f, "{}", format_size(s)),
            (None, None) => write!(f, "0 (never)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: u64 = 86_400;
    const G: u64 = 1 << 30;

    fn or(a: Option<u64>, s: Option<u64>) -> Expiry {
        Expiry {
            age_secs: a,
            size_bytes: s,
            op: Op::Or,
        }
    }

    #[test]
    fn cis_odv_semantics() {
        let odv = or(Some(60 * D), Some(5 * G));
        assert!(or(Some(90 * D), Some(5 * G)).retains_at_least(&odv).is_ok());
        assert!(or(Some(60 * D), Some(10 * G))
            .retains_at_least(&odv)
            .is_ok());
        assert!(or(Some(60 * D), None).retains_at_least(&odv).is_ok());
        let and = Expiry { op: Op::And, ..odv };
        assert!(and.retains_at_least(&odv).is_ok());
        assert!(or(Some(30 * D), Some(5 * G))
            .retains_at_least(&odv)
            .is_err());
        assert!(or(Some(60 * D), Some(G)).retains_at_least(&odv).is_err());
        assert!(or(None, Some(10 << 20)).retains_at_least(&odv).is_err());
    }

    #[test]
    fn size_cap_can_break_an_age_only_odv() {
        let stig = or(Some(7 * D), None);
        let cis = or(Some(60 * D), Some(5 * G));
        let ce = cis.retains_at_least(&stig).unwrap_err();
        assert!(ce.age_secs <= 7 * D && ce.total_bytes > 5 * G);
        assert!(or(Some(30 * D), None).retains_at_least(&stig).is_ok());
    }

    #[test]
    fn history() {
        let e = or(Some(60 * D), Some(5 * G));
        // 100 MiB/day: 5 GiB lasts 51.2 days, before 60 days.
        let h = e.history_days(100.0 * (1 << 20) as f64).unwrap();
        assert!((h - 51.2).abs() < 0.01);
        assert_eq!(or(None, None).history_days(1.0), None);
    }

    #[test]
    fn display() {
        assert_eq!(or(Some(60 * D), Some(5 * G)).to_string(), "60d OR 5G");
        assert_eq!(or(None, Some(10 << 20)).to_string(), "10M");
    }
}
