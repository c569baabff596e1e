//! Counting records: the hot loop of `trail stats`.
//!
//! `Tally` is what the cache stores and what merges across files. It holds only
//! facts read from the trail (event numbers, times, outcomes) and nothing derived
//! from audit_event/audit_class, so editing those tables never makes a cached
//! summary wrong: per-class counts are derived from `by_event` when shown
//! (see `Tables::class_counts`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use earshot_model::time::Timestamp;

/// Counts over a set of records.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub records: u64,
    /// Sum of the records' byte counts (excludes file tokens and damaged bytes).
    pub record_bytes: u64,
    /// Records whose return token has status 0.
    pub successes: u64,
    /// Records whose return token has a non-zero status.
    pub failures: u64,
    /// Records with no return token (e.g. some user-space records).
    pub without_return: u64,
    /// Earliest and latest record time (not file order: clocks can step back).
    pub first: Option<Timestamp>,
    pub last: Option<Timestamp>,
    /// Records per event number.
    pub by_event: BTreeMap<u16, u64>,
    /// Records per UTC hour, keyed by the hour's start in seconds since the epoch.
    pub by_hour: BTreeMap<u64, u64>,
}

impl Tally {
    /// Adds another tally (another file, another chunk).
    pub fn merge(&mut self, other: &Tally) {
        self.records += other.records;
        self.record_bytes += other.record_bytes;
        self.successes += other.successes;
        self.failures += other.failures;
        self.without_return += other.without_return;
        self.first = min_opt(self.first, other.first);
        self.last = max_opt(self.last, other.last);
        for (k, v) in &other.by_event {
            *self.by_event.entry(*k).or_default() += v;
        }
        for (k, v) in &other.by_hour {
            *self.by_hour.entry(*k).or_default() += v;
        }
    }
}

fn min_opt(a: Option<Timestamp>, b: Option<Timestamp>) -> Option<Timestamp> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

fn max_opt(a: Option<Timestamp>, b: Option<Timestamp>) -> Option<Timestamp> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

/// The mutable counter behind a `Tally`, laid out for speed: a dense array for
/// events (65536 × u64 = 512 KiB, touched sparsely, so only a few pages are
/// resident) and a run-length cache for the hour, because consecutive records
/// almost always fall in the same hour.
pub struct TallyBuilder {
    records: u64,
    record_bytes: u64,
    successes: u64,
    failures: u64,
    without_return: u64,
    first_key: u128,
    last_key: u128,
    by_event: Box<[u64]>,
    by_hour: BTreeMap<u64, u64>,
    cur_hour: u64,
    cur_hour_count: u64,
}

impl Default for TallyBuilder {
    fn default() -> Self {
        TallyBuilder::new()
    }
}

impl TallyBuilder {
    pub fn new() -> Self {
        TallyBuilder {
            records: 0,
            record_bytes: 0,
            successes: 0,
            failures: 0,
            without_return: 0,
            first_key: u128::MAX,
            last_key: 0,
            by_event: vec![0u64; 1 << 16].into_boxed_slice(),
            by_hour: BTreeMap::new(),
            cur_hour: 0,
            cur_hour_count: 0,
        }
    }

    /// Counts one record. `status` is the return token's status (None = no return token).
    #[inline]
    pub fn add(&mut self, event: u16, sec: u64, msec: u32, len: u32, status: Option<u8>) {
        self.records += 1;
        self.record_bytes += u64::from(len);
        match status {
            Some(0) => self.successes += 1,
            Some(_) => self.failures += 1,
            None => self.without_return += 1,
        }
        // Packing (sec, msec) into one integer keeps min/max branch-light.
        let key = (u128::from(sec) << 32) | u128::from(msec);
        self.first_key = self.first_key.min(key);
        self.last_key = self.last_key.max(key);
        self.by_event[usize::from(event)] += 1;
        // Range test first: a 64-bit division per record is measurable at 2M+
        // records per second, and nearly every record is in the current hour.
        if sec.wrapping_sub(self.cur_hour) >= 3600 || self.cur_hour_count == 0 {
            self.flush_hour();
            self.cur_hour = sec - sec % 3600;
        }
        self.cur_hour_count += 1;
    }

    fn flush_hour(&mut self) {
        if self.cur_hour_count > 0 {
            *self.by_hour.entry(self.cur_hour).or_default() += self.cur_hour_count;
            self.cur_hour_count = 0;
        }
    }

    pub fn records(&self) -> u64 {
        self.records
    }

    pub fn finish(mut self) -> Tally {
        self.flush_hour();
        let unkey = |k: u128| Timestamp::new((k >> 32) as u64, k as u32);
        Tally {
            records: self.records,
            record_bytes: self.record_bytes,
            successes: self.successes,
            failures: self.failures,
            without_return: self.without_return,
            first: (self.records > 0).then(|| unkey(self.first_key)),
            last: (self.records > 0).then(|| unkey(self.last_key)),
            by_event: self
                .by_event
                .iter()
                .enumerate()
                .filter(|(_, n)| **n > 0)
                .map(|(e, n)| (e as u16, *n))
                .collect(),
            by_hour: self.by_hour,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_outcomes_hours_and_extremes() {
        let mut b = TallyBuilder::new();
        b.add(23, 1_710_407_700, 35, 100, Some(0));
        b.add(72, 1_710_407_699, 999, 50, Some(2));
        b.add(23, 1_710_411_300, 0, 10, None);
        b.add(23, 1_710_407_800, 0, 10, Some(255));
        let t = b.finish();
        assert_eq!(t.records, 4);
        assert_eq!(t.record_bytes, 170);
        assert_eq!((t.successes, t.failures, t.without_return), (1, 2, 1));
        assert_eq!(t.first, Some(Timestamp::new(1_710_407_699, 999)));
        assert_eq!(t.last, Some(Timestamp::new(1_710_411_300, 0)));
        assert_eq!(t.by_event[&23], 3);
        // 09:14:59 and 09:15:00 are both in the 09:00 hour; 10:15 is in 10:00;
        // the run-length cache must not lose the hour that recurs after a change.
        assert_eq!(t.by_hour[&1_710_406_800], 3);
        assert_eq!(t.by_hour[&1_710_410_400], 1);
    }

    #[test]
    fn merge_is_addition() {
        let mut a = TallyBuilder::new();
        a.add(1, 10, 0, 5, Some(0));
        let mut b = TallyBuilder::new();
        b.add(1, 5, 0, 5, Some(1));
        b.add(2, 7200, 0, 5, None);
        let mut t = a.finish();
        t.merge(&b.finish());
        assert_eq!(t.records, 3);
        assert_eq!(t.by_event[&1], 2);
        assert_eq!(t.first, Some(Timestamp::new(5, 0)));
        assert_eq!(t.last, Some(Timestamp::new(7200, 0)));
        assert_eq!(t.by_hour[&0], 2);
    }
}
