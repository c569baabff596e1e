//! Forecast invariants over arbitrary inputs: never a panic, and the steady state
//! respects the shape of auditd's expiry (peak ≥ one trail; AND keeps at least as
//! much as OR; a larger size limit never keeps less).

use earshot_core::forecast::{Forecast, ForecastInput, MinfreeOutlook, SteadyState};
use earshot_system::{ExpiryOp, ExpiryRule};
use proptest::prelude::*;

fn input(rate: f64, filesz: u64, rule: Option<ExpiryRule>, headroom: u64) -> ForecastInput {
    ForecastInput {
        bytes_per_sec: rate,
        filesz,
        expire_after: rule,
        folder_bytes: 0,
        bytes_above_minfree: headroom,
        below_minfree: false,
        mean_record_bytes: 150.0,
    }
}

fn kept(f: &Forecast) -> Option<u64> {
    match f.steady_state {
        SteadyState::Capped { trails_kept, .. } => Some(trails_kept),
        _ => None,
    }
}

proptest! {
    #[test]
    fn never_panics(rate in proptest::num::f64::ANY, filesz in any::<u64>(), age in proptest::option::of(any::<u64>()),
                    size in proptest::option::of(any::<u64>()), and in any::<bool>(), headroom in any::<u64>(),
                    folder in any::<u64>(), below in any::<bool>(), rec in proptest::num::f64::ANY) {
        let rule = ExpiryRule { age_secs: age, size_bytes: size, op: if and { ExpiryOp::And } else { ExpiryOp::Or } };
        let f = earshot_core::forecast::compute(&ForecastInput {
            bytes_per_sec: rate, filesz, expire_after: Some(rule), folder_bytes: folder,
            bytes_above_minfree: headroom, below_minfree: below, mean_record_bytes: rec,
        });
        if let MinfreeOutlook::Reached { days } = f.minfree {
            prop_assert!(days >= 0.0);
        }
    }

    #[test]
    fn expiry_shape(rate in 1.0f64..1e7, filesz in 524_288u64..(64 << 20), age in 3600u64..(400 * 86_400),
                    size in (1u64 << 20)..(100u64 << 30), extra in 0u64..(10u64 << 30)) {
        let or = earshot_core::forecast::compute(&input(rate, filesz, Some(ExpiryRule { age_secs: Some(age), size_bytes: Some(size), op: ExpiryOp::Or }), u64::MAX));
        let and = earshot_core::forecast::compute(&input(rate, filesz, Some(ExpiryRule { age_secs: Some(age), size_bytes: Some(size), op: ExpiryOp::And }), u64::MAX));
        prop_assert!(kept(&and).unwrap() >= kept(&or).unwrap());
        if let SteadyState::Capped { peak_bytes, .. } = or.steady_state {
            prop_assert!(peak_bytes >= filesz);
        }
        let small = earshot_core::forecast::compute(&input(rate, filesz, Some(ExpiryRule { age_secs: None, size_bytes: Some(size), op: ExpiryOp::Or }), u64::MAX));
        let big = earshot_core::forecast::compute(&input(rate, filesz, Some(ExpiryRule { age_secs: None, size_bytes: Some(size + extra), op: ExpiryOp::Or }), u64::MAX));
        prop_assert!(kept(&big).unwrap() >= kept(&small).unwrap());
        // filesz:0 never expires, whatever the rule.
        let none = earshot_core::forecast::compute(&input(rate, 0, Some(ExpiryRule { age_secs: Some(age), size_bytes: Some(size), op: ExpiryOp::Or }), u64::MAX));
        let is_unbounded = matches!(none.steady_state, SteadyState::Unbounded { .. });
        prop_assert!(is_unbounded);
    }
}
