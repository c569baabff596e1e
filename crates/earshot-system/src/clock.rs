//! Time source for a `System`: the wall clock, or a virtual clock tests and the
//! time-accelerated simulator move by hand (tests never sleep).

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// A manually advanced clock shared by everything that holds a clone.
#[derive(Debug, Clone)]
pub struct VirtualClock(Arc<Mutex<SystemTime>>);

impl VirtualClock {
    pub fn new(start: SystemTime) -> Self {
        VirtualClock(Arc::new(Mutex::new(start)))
    }

    pub fn at_unix(secs: u64) -> Self {
        Self::new(SystemTime::UNIX_EPOCH + Duration::from_secs(secs))
    }

    pub fn now(&self) -> SystemTime {
        // A poisoned lock only means another thread panicked mid-update of a Copy
        // value; the value itself is still whole.
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn set(&self, t: SystemTime) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = t;
    }

    pub fn advance(&self, by: Duration) {
        let mut g = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *g += by;
    }
}

#[derive(Debug, Clone, Default)]
pub enum Clock {
    #[default]
    Real,
    Virtual(VirtualClock),
}

impl Clock {
    pub fn now(&self) -> SystemTime {
        match self {
            Clock::Real => SystemTime::now(),
            Clock::Virtual(v) => v.now(),
        }
    }
}

/// Seconds since the epoch, clamped at 0 for times before 1970.
pub fn unix_secs(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Seconds since the epoch as f64 (sub-second precision for rate arithmetic).
pub fn unix_f64(t: SystemTime) -> f64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

pub fn from_unix(secs: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
}
