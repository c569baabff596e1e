//! Where the trail folder is heading: its steady-state size under `expire-after`,
//! and when (if ever) the volume reaches `minfree` at the current byte rate.
//!
//! The model follows auditd exactly (audit_control.md §3.4): expiry runs only right
//! after a rotation, so with `filesz:0` nothing ever expires; at each rotation the
//! closed trails are walked oldest first and deleted while the total (active trail
//! included) exceeds the size limit (SIZE), or when their end time is older than the
//! age limit (AGE); OR deletes when either holds, AND only when both do.
//!
//! With trails of `filesz` bytes written at `r` bytes/s, a trail closes every
//! T = filesz / r seconds. Right after a rotation the folder keeps N closed trails:
//!   SIZE: N = ⌊size / filesz⌋ (their total may not exceed the limit);
//!   AGE:  N = ⌊age / T⌋ + 1 (trail j from the newest ended j·T ago);
//!   OR:   min of the two;  AND: max of the two.
//! The folder then grows by one trail before the next rotation, so its peak is
//! (N + 1) · filesz and its average (N + ½) · filesz.

pub use earshot_model::format::{human_bytes, human_secs};
pub use earshot_model::status::{
    Forecast, ForecastWarning, MinfreeOutlook, SteadyState, WarningLevel,
};

use earshot_system::{ExpiryOp, ExpiryRule};

/// What the forecast needs to know.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ForecastInput {
    /// Trail growth, bytes per second (the 24 h window is the steadiest).
    pub bytes_per_sec: f64,
    /// `filesz` in force; 0 = no size rotation.
    pub filesz: u64,
    pub expire_after: Option<ExpiryRule>,
    /// Current size of the trail folder(s).
    pub folder_bytes: u64,
    /// Free bytes above the minfree threshold now.
    pub bytes_above_minfree: u64,
    /// Already under the threshold.
    pub below_minfree: bool,
    /// Average record size (0 if unknown). A trail closes on the record that
    /// crosses filesz, so it ends half a record over it on average, and at expiry
    /// time the new active trail already holds a record that counts towards the
    /// size limit — together enough to keep one trail fewer when the limit is an
    /// exact multiple of filesz, as with Apple's default 2M/10M.
    pub mean_record_bytes: f64,
}

/// The forecast for one set of inputs.
pub fn compute(input: &ForecastInput) -> Forecast {
    let rate = if input.bytes_per_sec.is_finite() && input.bytes_per_sec > 0.0 {
        input.bytes_per_sec
    } else {
        0.0
    };
    let mut warnings = Vec::new();
    let f = input.filesz;
    let rotation_interval_secs = (f > 0 && rate > 0.0).then(|| f as f64 / rate);

    let steady_state = if rate == 0.0 {
        SteadyState::NoGrowth
    } else if f == 0 {
        let reason = "filesz is 0: trails never rotate, and auditd expires only at rotation, so nothing is ever deleted".to_string();
        warnings.push(ForecastWarning {
            level: WarningLevel::Warning,
            code: "never_rotates".into(),
            message: reason.clone(),
        });
        SteadyState::Unbounded { reason }
    } else {
        match input.expire_after {
            None => {
                let reason = "no expire-after: closed trails are kept forever".to_string();
                warnings.push(ForecastWarning {
                    level: WarningLevel::Warning,
                    code: "never_expires".into(),
                    message: reason.clone(),
                });
                SteadyState::Unbounded { reason }
            }
            Some(rule) if !rule.can_expire() => {
                let reason = "expire-after uses AND but sets only one of age and size: auditd then deletes nothing".to_string();
                warnings.push(ForecastWarning {
                    level: WarningLevel::Warning,
                    code: "never_expires".into(),
                    message: reason.clone(),
                });
                SteadyState::Unbounded { reason }
            }
            Some(rule) => capped(rule, f, rate, input.mean_record_bytes),
        }
    };

    if let Some(t) = rotation_interval_secs {
        if t < 60.0 {
            warnings.push(ForecastWarning {
                level: WarningLevel::Warning,
                code: "rotates_too_often".into(),
                message: format!(
                    "a new trail every {} at this rate: raise filesz (auditd cannot start two trails in the same second, so trails will overshoot)",
                    human_secs(t)
                ),
            });
        }
    }
    if let SteadyState::Capped {
        trails_kept,
        retention_secs,
        ..
    } = &steady_state
    {
        if *trails_kept == 0 {
            warnings.push(ForecastWarning {
                level: WarningLevel::Warning,
                code: "keeps_no_history".into(),
                message: "the expire-after size is smaller than one trail: every rotation deletes all closed trails".into(),
            });
        } else if *retention_secs < 7.0 * 86_400.0 {
            warnings.push(ForecastWarning {
                level: WarningLevel::Info,
                code: "short_retention".into(),
                message: format!(
                    "at this rate the trails keep only {} of history",
                    human_secs(*retention_secs)
                ),
            });
        }
    }

    let minfree = if input.below_minfree {
        warnings.push(ForecastWarning {
            level: WarningLevel::Error,
            code: "below_minfree".into(),
            message: "the trail volume is already below minfree".into(),
        });
        MinfreeOutlook::AlreadyBelow
    } else if rate == 0.0 {
        MinfreeOutlook::NoGrowth
    } else {
        let cap = match &steady_state {
            SteadyState::Capped { peak_bytes, .. } => Some(*peak_bytes),
            _ => None,
        };
        let growth_left = cap.map(|c| c.saturating_sub(input.folder_bytes));
        match (cap, growth_left) {
            (Some(cap_bytes), Some(g)) if g < input.bytes_above_minfree => {
                MinfreeOutlook::Never { cap_bytes }
            }
            _ => {
                let days = input.bytes_above_minfree as f64 / rate / 86_400.0;
                let (level, code) = if days < 7.0 {
                    (WarningLevel::Error, "minfree_soon")
                } else if days < 30.0 {
                    (WarningLevel::Warning, "minfree_within_month")
                } else {
                    (WarningLevel::Info, "minfree_eventually")
                };
                warnings.push(ForecastWarning {
                    level,
                    code: code.into(),
                    message: format!(
                        "at {}/day the volume reaches minfree in {}",
                        human_bytes((rate * 86_400.0) as u64),
                        human_secs(days * 86_400.0)
                    ),
                });
                MinfreeOutlook::Reached { days }
            }
        }
    };

    Forecast {
        bytes_per_sec: rate,
        bytes_per_day: rate * 86_400.0,
        rotation_interval_secs,
        steady_state,
        minfree,
        warnings,
    }
}

fn capped(rule: ExpiryRule, filesz: u64, rate: f64, record: f64) -> SteadyState {
    let record = if record.is_finite() && record > 0.0 {
        record
    } else {
        0.0
    };
    // A closed trail's real size: filesz plus half a record of overshoot.
    let trail = filesz as f64 + record / 2.0;
    let t = trail / rate;
    let by_size = rule
        .size_bytes
        .map(|s| ((s as f64 - record).max(0.0) / trail).floor() as u64);
    let by_age = rule
        .age_secs
        .map(|a| (a as f64 / t).floor().min(u64::MAX as f64 / 2.0) as u64 + 1);
    let (kept, limited_by) = match (rule.op, by_size, by_age) {
        (_, Some(s), None) => (s, "size"),
        (_, None, Some(a)) => (a, "age"),
        (ExpiryOp::Or, Some(s), Some(a)) => {
            if s <= a {
                (s, "size")
            } else {
                (a, "age")
            }
        }
        (ExpiryOp::And, Some(s), Some(a)) => {
            if s >= a {
                (s, "size")
            } else {
                (a, "age")
            }
        }
        // can_expire() ruled this out; keep a sane answer anyway.
        (_, None, None) => (0, "size"),
    };
    SteadyState::Capped {
        peak_bytes: ((kept as f64 + 1.0) * trail) as u64,
        mean_bytes: ((kept as f64 + 0.5) * trail) as u64,
        trails_kept: kept,
        retention_secs: kept as f64 * t,
        limited_by: limited_by.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1 << 20;

    fn input(rate: f64, filesz: u64, rule: Option<ExpiryRule>) -> ForecastInput {
        ForecastInput {
            bytes_per_sec: rate,
            filesz,
            expire_after: rule,
            folder_bytes: 0,
            bytes_above_minfree: 100 * 1024 * MIB,
            below_minfree: false,
            mean_record_bytes: 0.0,
        }
    }

    fn size(s: u64) -> Option<ExpiryRule> {
        Some(ExpiryRule {
            age_secs: None,
            size_bytes: Some(s),
            op: ExpiryOp::Or,
        })
    }

    #[test]
    fn apple_default_caps_at_ten_mib_plus_one_trail() {
        // filesz:2M, expire-after:10M → 5 closed trails kept, peak 12 MiB.
        let f = crate::forecast::compute(&input(100.0, 2 * MIB, size(10 * MIB)));
        match f.steady_state {
            SteadyState::Capped {
                peak_bytes,
                trails_kept,
                limited_by,
                ..
            } => {
                assert_eq!(trails_kept, 5);
                assert_eq!(peak_bytes, 12 * MIB);
                assert_eq!(limited_by, "size");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            f.minfree,
            MinfreeOutlook::Never {
                cap_bytes: 12 * MIB
            }
        );
    }

    #[test]
    fn overshoot_keeps_one_trail_fewer_at_exact_multiples() {
        let mut i = input(100.0, 2 * MIB, size(10 * MIB));
        i.mean_record_bytes = 120.0;
        match crate::forecast::compute(&i).steady_state {
            SteadyState::Capped {
                trails_kept,
                peak_bytes,
                ..
            } => {
                assert_eq!(trails_kept, 4);
                assert_eq!(peak_bytes, 5 * (2 * MIB + 60));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn filesz_zero_never_expires() {
        let f = crate::forecast::compute(&input(1000.0, 0, size(10 * MIB)));
        assert!(matches!(f.steady_state, SteadyState::Unbounded { .. }));
        let days = 100.0 * 1024.0 * MIB as f64 / 1000.0 / 86_400.0;
        assert_eq!(f.minfree, MinfreeOutlook::Reached { days });
        assert!(f.warnings.iter().any(|w| w.code == "never_rotates"));
    }

    #[test]
    fn age_or_size_takes_the_smaller_and_takes_the_larger() {
        // 2 MiB trails at 2 MiB/h: T = 1 h. 60d → 1441 trails; 5G → 2560 trails.
        let rate = 2.0 * MIB as f64 / 3600.0;
        let rule = |op| {
            Some(ExpiryRule {
                age_secs: Some(60 * 86_400),
                size_bytes: Some(5 << 30),
                op,
            })
        };
        let or = crate::forecast::compute(&input(rate, 2 * MIB, rule(ExpiryOp::Or)));
        let and = crate::forecast::compute(&input(rate, 2 * MIB, rule(ExpiryOp::And)));
        match (or.steady_state, and.steady_state) {
            (
                SteadyState::Capped {
                    trails_kept: a,
                    limited_by: la,
                    ..
                },
                SteadyState::Capped {
                    trails_kept: b,
                    limited_by: lb,
                    ..
                },
            ) => {
                assert_eq!((a, la), (1441, "age".into()));
                assert_eq!((b, lb), (2560, "size".into()));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn and_with_one_part_never_expires() {
        let rule = Some(ExpiryRule {
            age_secs: Some(86_400),
            size_bytes: None,
            op: ExpiryOp::And,
        });
        let f = crate::forecast::compute(&input(10.0, 2 * MIB, rule));
        assert!(matches!(f.steady_state, SteadyState::Unbounded { .. }));
    }

    #[test]
    fn cap_beyond_headroom_reaches_minfree() {
        let mut i = input(MIB as f64, 2 * MIB, size(10 << 30));
        i.bytes_above_minfree = 864 * MIB; // 864 s of growth = 0.01 day
        let f = crate::forecast::compute(&i);
        match f.minfree {
            MinfreeOutlook::Reached { days } => assert!((days - 0.01).abs() < 1e-9),
            other => panic!("{other:?}"),
        }
        assert!(f
            .warnings
            .iter()
            .any(|w| w.code == "minfree_soon" && w.level == WarningLevel::Error));
    }

    #[test]
    fn zero_rate_is_no_growth_not_a_division() {
        let f = crate::forecast::compute(&input(0.0, 2 * MIB, size(MIB)));
        assert_eq!(f.steady_state, SteadyState::NoGrowth);
        assert_eq!(f.minfree, MinfreeOutlook::NoGrowth);
        let f = crate::forecast::compute(&input(f64::NAN, 2 * MIB, size(MIB)));
        assert_eq!(f.minfree, MinfreeOutlook::NoGrowth);
    }
}
