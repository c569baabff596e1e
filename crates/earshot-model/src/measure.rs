//! A trial measurement: what auditing some classes *would* record, counted per
//! class over a trial (the audit pipe on a Mac, the simulator on a simulated one).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::plan::{ClassRates, Rate};

/// Events and bytes of one class side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub struct SideCount {
    pub events: u64,
    pub bytes: u64,
}

/// One class of a trial; a side is `None` when the trial did not select it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ClassCount {
    pub class: String,
    pub success: Option<SideCount>,
    pub failure: Option<SideCount>,
}

/// The result of a trial (the same fields as the helper protocol's
/// `Measurement`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Measurement {
    pub flags: String,
    pub naflags: String,
    pub duration_secs: u64,
    pub records: u64,
    pub bytes: u64,
    pub classes: Vec<ClassCount>,
    /// `auditpipe` or `simulator`.
    pub method: String,
    /// Records the pipe dropped; the counts are then a floor.
    pub dropped: u64,
}

impl Measurement {
    /// Per-day rates of the measured class sides, for the planner.
    pub fn rates(&self) -> BTreeMap<String, ClassRates> {
        let per_day = 86_400.0 / self.duration_secs.max(1) as f64;
        let rate = |c: SideCount| Rate {
            events_per_day: c.events as f64 * per_day,
            bytes_per_day: c.bytes as f64 * per_day,
        };
        self.classes
            .iter()
            .map(|c| {
                (
                    c.class.clone(),
                    ClassRates {
                        success: c.success.map(rate),
                        failure: c.failure.map(rate),
                    },
                )
            })
            .collect()
    }
}
