//! Event and byte rates per class and per event over the last minute, hour and day,
//! with successes and failures kept apart.
//!
//! macOS has no kernel audit statistics (`A_GETSTAT` is ENOSYS), so rates come from
//! the trails themselves: closed trails are bucketed per minute once and cached by
//! (path, size, mtime); the active trail is followed incrementally with
//! [`crate::TrailTail`], woken by `notify` events on the trail folder
//! ([`TrailWatcher`]) rather than by polling.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, UNIX_EPOCH};

use bsm::scan::RecordSummary;
use serde::{Deserialize, Serialize};

pub use earshot_model::status::{Rate, RateWindow, WindowSpan};

use crate::{stream_records, Tables, TailError, Trail, TrailTail};

/// One record, reduced to what rates need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordSample {
    pub sec: u64,
    pub event: u16,
    pub bytes: u32,
    /// From the return token: `Some(true)` status 0, `Some(false)` non-zero, `None`
    /// when the record has no return token.
    pub success: Option<bool>,
}

impl From<&RecordSummary> for RecordSample {
    fn from(r: &RecordSummary) -> Self {
        RecordSample {
            sec: r.sec,
            event: r.event,
            bytes: r.len,
            success: r.status.map(|s| s == 0),
        }
    }
}

/// Counters for one event in one bucket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub successes: u64,
    pub failures: u64,
    /// Records without a return token.
    pub other: u64,
    pub bytes: u64,
}

impl Counts {
    pub fn records(&self) -> u64 {
        self.successes + self.failures + self.other
    }

    fn add(&mut self, o: &Counts) {
        self.successes += o.successes;
        self.failures += o.failures;
        self.other += o.other;
        self.bytes += o.bytes;
    }

    fn add_sample(&mut self, s: &RecordSample) {
        match s.success {
            Some(true) => self.successes += 1,
            Some(false) => self.failures += 1,
            None => self.other += 1,
        }
        self.bytes += u64::from(s.bytes);
    }
}

/// Per-minute, per-event counts of one trail file (what the rate cache stores).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinuteBuckets {
    /// minute (Unix seconds / 60) → event → counts.
    pub minutes: BTreeMap<u64, BTreeMap<u16, Counts>>,
    /// Offset just past the last complete record that was counted.
    pub complete_bytes: u64,
}

impl MinuteBuckets {
    pub fn add(&mut self, s: &RecordSample) {
        self.minutes
            .entry(s.sec / 60)
            .or_default()
            .entry(s.event)
            .or_default()
            .add_sample(s);
    }

    /// Counts every complete record of a trail file from `start`.
    pub fn scan_file(
        path: &Path,
        start: u64,
    ) -> std::io::Result<(MinuteBuckets, Vec<RecordSample>)> {
        let mut file = fs::File::open(path)?;
        let mut b = MinuteBuckets::default();
        let mut samples = Vec::new();
        let end = stream_records(&mut file, start, |rs, _| {
            let s = RecordSample::from(rs);
            b.add(&s);
            samples.push(s);
        })?;
        b.complete_bytes = end.complete_bytes;
        Ok((b, samples))
    }
}

fn rate_from_counts(c: &Counts, secs: f64) -> Rate {
    Rate {
        records: c.records(),
        successes: c.successes,
        failures: c.failures,
        bytes: c.bytes,
        events_per_sec: c.records() as f64 / secs,
        bytes_per_sec: c.bytes as f64 / secs,
    }
}

/// Rolling per-second (last minute) and per-minute (last day) buckets.
#[derive(Debug, Clone, Default)]
pub struct RateWindows {
    seconds: BTreeMap<u64, BTreeMap<u16, Counts>>,
    minutes: BTreeMap<u64, BTreeMap<u16, Counts>>,
    /// Trails are known to exist from this second on.
    observed_since: Option<u64>,
    /// (records, first second, last second) of the active trail when loaded: the
    /// usual pace even when the last day saw nothing (a stall longer than a day).
    current_activity: Option<(u64, u64, u64)>,
}

impl RateWindows {
    pub fn new() -> Self {
        Self::default()
    }

    /// Marks the start of the data (the oldest trail's start time).
    pub fn set_observed_since(&mut self, sec: u64) {
        self.observed_since = Some(self.observed_since.map_or(sec, |s| s.min(sec)));
    }

    pub fn observed_since(&self) -> Option<u64> {
        self.observed_since
    }

    /// Mean seconds between records of the active trail as loaded (`None` with
    /// fewer than two records).
    pub fn current_trail_interval(&self) -> Option<f64> {
        let (n, first, last) = self.current_activity?;
        (n >= 2 && last > first).then(|| (last - first) as f64 / (n - 1) as f64)
    }

    /// Adds one record (live tail).
    pub fn add(&mut self, s: &RecordSample) {
        self.seconds
            .entry(s.sec)
            .or_default()
            .entry(s.event)
            .or_default()
            .add_sample(s);
        self.minutes
            .entry(s.sec / 60)
            .or_default()
            .entry(s.event)
            .or_default()
            .add_sample(s);
        if self.observed_since.is_none() {
            self.observed_since = Some(s.sec);
        }
    }

    /// Adds a cached file's minute buckets (second resolution is not needed for
    /// files that closed more than a minute ago).
    pub fn add_minutes(&mut self, b: &MinuteBuckets) {
        for (m, events) in &b.minutes {
            let slot = self.minutes.entry(*m).or_default();
            for (e, c) in events {
                slot.entry(*e).or_default().add(c);
            }
        }
    }

    /// Adds samples at second resolution only (their minutes came via `add_minutes`).
    pub fn add_seconds(&mut self, samples: &[RecordSample]) {
        for s in samples {
            self.seconds
                .entry(s.sec)
                .or_default()
                .entry(s.event)
                .or_default()
                .add_sample(s);
        }
    }

    /// Drops buckets older than a day before `now`.
    pub fn prune(&mut self, now: u64) {
        let min_sec = now.saturating_sub(120);
        self.seconds = self.seconds.split_off(&min_sec);
        let min_minute = now.saturating_sub(86_400 + 120) / 60;
        self.minutes = self.minutes.split_off(&min_minute);
    }

    /// Rates over `span` ending at `now`.
    pub fn window(&self, span: WindowSpan, now: u64, tables: &Tables) -> RateWindow {
        let secs = span.secs();
        let from = now.saturating_sub(secs);
        let mut per_event: BTreeMap<u16, Counts> = BTreeMap::new();
        let mut fold = |events: &BTreeMap<u16, Counts>| {
            for (e, c) in events {
                per_event.entry(*e).or_default().add(c);
            }
        };
        match span {
            WindowSpan::Minute => {
                for (_, ev) in self.seconds.range(from + 1..=now) {
                    fold(ev);
                }
            }
            _ => {
                // Whole minutes whose start lies inside (now − span, now].
                for (_, ev) in self.minutes.range(from.div_ceil(60)..=now / 60) {
                    fold(ev);
                }
            }
        }
        let covered = match self.observed_since {
            Some(since) if since > from => now.saturating_sub(since).max(1),
            Some(_) => secs,
            None => secs,
        };
        let d = covered as f64;
        let mut total = Counts::default();
        let mut by_class: BTreeMap<String, Counts> = BTreeMap::new();
        let mut by_event = BTreeMap::new();
        let classes: Vec<(u32, &str)> = tables
            .classes()
            .classes()
            .iter()
            // `no` (0) and `all` (every bit) would only repeat the total.
            .filter(|c| c.mask != 0 && c.mask != u32::MAX)
            .map(|c| (c.mask, c.name.as_str()))
            .collect();
        for (e, c) in &per_event {
            total.add(c);
            let mask = tables.class_mask(*e);
            for (cm, name) in &classes {
                if mask & cm != 0 {
                    by_class.entry((*name).to_string()).or_default().add(c);
                }
            }
            by_event.insert(tables.event_name(*e), rate_from_counts(c, d));
        }
        RateWindow {
            span,
            span_secs: secs,
            covered_secs: covered,
            total: rate_from_counts(&total, d),
            by_class: by_class
                .into_iter()
                .map(|(k, c)| (k, rate_from_counts(&c, d)))
                .collect(),
            by_event,
        }
    }

    /// Loads the last day from trails: cached minute buckets for closed trails,
    /// a fresh scan (with per-second detail) for growing or just-closed ones.
    /// Returns, for the active trail, the path and offset the live tail resumes at.
    pub fn load(
        &mut self,
        trails: &[Trail],
        now: u64,
        cache: Option<&RateCache>,
    ) -> Result<Option<(PathBuf, u64)>, RateError> {
        let day_ago = now.saturating_sub(86_400);
        let mut resume = None;
        for t in trails {
            self.set_observed_since(t.start.sec);
            let end = t.end.map(|e| e.sec);
            let growing = t.is_growing();
            if !growing && end.is_some_and(|e| e < day_ago) {
                continue;
            }
            if t.state == crate::TrailState::CrashRecovery
                && t.modified
                    .and_then(|m| m.duration_since(UNIX_EPOCH).ok())
                    .is_some_and(|m| m.as_secs() < day_ago)
            {
                continue;
            }
            let recent = growing || end.is_some_and(|e| e + 120 >= now);
            if recent {
                let (b, samples) =
                    MinuteBuckets::scan_file(&t.path, 0).map_err(|source| RateError::Read {
                        path: t.path.clone(),
                        source,
                    })?;
                self.add_minutes(&b);
                let cut = now.saturating_sub(120);
                let recent_samples: Vec<RecordSample> =
                    samples.iter().filter(|s| s.sec >= cut).copied().collect();
                self.add_seconds(&recent_samples);
                if t.is_current {
                    resume = Some((t.path.clone(), b.complete_bytes));
                    let first = samples.iter().map(|s| s.sec).min();
                    let last = samples.iter().map(|s| s.sec).max();
                    if let (Some(f), Some(l)) = (first, last) {
                        self.current_activity = Some((samples.len() as u64, f, l));
                    }
                }
            } else {
                let b = match cache {
                    Some(c) => c.buckets(&t.path)?,
                    None => {
                        MinuteBuckets::scan_file(&t.path, 0)
                            .map_err(|source| RateError::Read {
                                path: t.path.clone(),
                                source,
                            })?
                            .0
                    }
                };
                self.add_minutes(&b);
            }
        }
        self.prune(now);
        Ok(resume)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RateError {
    #[error("reading trail {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("watching {}: {source}", path.display())]
    Watch {
        path: PathBuf,
        #[source]
        source: notify::Error,
    },
    #[error(transparent)]
    Tail(#[from] TailError),
}

/// On-disk cache of per-minute buckets of closed trails, keyed by (path, size,
/// mtime). Like the summary cache it is only an optimisation: anything wrong with
/// an entry means "rescan".
#[derive(Debug, Clone)]
pub struct RateCache {
    dir: PathBuf,
}

#[derive(Serialize, Deserialize)]
struct CacheEntry {
    version: u32,
    path: PathBuf,
    size: u64,
    mtime_ns: u128,
    buckets: MinuteBuckets,
}

const RATE_CACHE_VERSION: u32 = 1;

impl RateCache {
    pub fn new(dir: impl Into<PathBuf>) -> RateCache {
        let dir = dir.into();
        let _ = fs::create_dir_all(&dir);
        RateCache { dir }
    }

    fn entry_path(&self, path: &Path) -> PathBuf {
        // FNV-1a of the path: stable across runs and Rust versions (unlike
        // DefaultHasher), short enough for a file name.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in path.as_os_str().as_encoded_bytes() {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.dir.join(format!("{h:016x}.rates.json"))
    }

    pub fn buckets(&self, path: &Path) -> Result<MinuteBuckets, RateError> {
        let read_err = |source| RateError::Read {
            path: path.to_path_buf(),
            source,
        };
        let meta = fs::metadata(path).map_err(read_err)?;
        let mtime_ns = meta
            .modified()
            .ok()
            .and_then(|m| m.duration_since(UNIX_EPOCH).ok())
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let entry_path = self.entry_path(path);
        if let Ok(bytes) = fs::read(&entry_path) {
            if let Ok(e) = serde_json::from_slice::<CacheEntry>(&bytes) {
                if e.version == RATE_CACHE_VERSION
                    && e.path == path
                    && e.size == meta.len()
                    && e.mtime_ns == mtime_ns
                {
                    return Ok(e.buckets);
                }
            }
        }
        let (buckets, _) = MinuteBuckets::scan_file(path, 0).map_err(read_err)?;
        let entry = CacheEntry {
            version: RATE_CACHE_VERSION,
            path: path.to_path_buf(),
            size: meta.len(),
            mtime_ns,
            buckets,
        };
        if let Ok(bytes) = serde_json::to_vec(&entry) {
            // Write-then-rename so a concurrent reader never sees half an entry.
            let tmp = entry_path.with_extension(format!("tmp{}", std::process::id()));
            if fs::write(&tmp, bytes).is_ok() && fs::rename(&tmp, &entry_path).is_err() {
                let _ = fs::remove_file(&tmp);
            }
        }
        Ok(entry.buckets)
    }
}

/// Follows the active trail, woken by file-system events on the trail folder.
///
/// auditd appends to `START.not_terminated`, renames it at rotation and repoints
/// `current`; each of those is a notify event on the folder. After an event the
/// watcher reads the link: if it moved, the old trail is drained to its end (the
/// open handle survives the rename) and the new one followed from its start.
pub struct TrailWatcher {
    _watcher: notify::RecommendedWatcher,
    events: mpsc::Receiver<notify::Result<notify::Event>>,
    current_link: PathBuf,
    tail: Option<TrailTail>,
    target: Option<PathBuf>,
}

impl TrailWatcher {
    /// Watches `dirs` (real paths). `current_link` is the real path of
    /// `/var/audit/current`; `resume` is where to start in the active trail (from
    /// [`RateWindows::load`]), or `None` to start at its current end.
    pub fn new(
        dirs: &[PathBuf],
        current_link: PathBuf,
        resume: Option<(PathBuf, u64)>,
    ) -> Result<TrailWatcher, RateError> {
        use notify::Watcher;
        let (tx, rx) = mpsc::channel();
        let mut watcher = notify::recommended_watcher(move |ev| {
            // The receiver going away just means nobody listens any more.
            let _ = tx.send(ev);
        })
        .map_err(|source| RateError::Watch {
            path: current_link.clone(),
            source,
        })?;
        let mut watched = dirs.to_vec();
        if let Some(parent) = current_link.parent() {
            if !watched.iter().any(|d| d == parent) {
                watched.push(parent.to_path_buf());
            }
        }
        for d in &watched {
            watcher
                .watch(d, notify::RecursiveMode::NonRecursive)
                .map_err(|source| RateError::Watch {
                    path: d.clone(),
                    source,
                })?;
        }
        let mut w = TrailWatcher {
            _watcher: watcher,
            events: rx,
            current_link,
            tail: None,
            target: None,
        };
        match resume {
            Some((path, offset)) => {
                w.tail = Some(TrailTail::resume(&path, offset)?);
                w.target = fs::canonicalize(&path).ok();
            }
            None => {
                if let Some(target) = w.link_target() {
                    // Start at the end: only records written from now on are new.
                    // The size may fall mid-record; TrailTail's resync handles it.
                    let (_, _, end) = scan_end(&target)?;
                    w.tail = Some(TrailTail::resume(&target, end)?);
                    w.target = Some(target);
                }
            }
        }
        Ok(w)
    }

    fn link_target(&self) -> Option<PathBuf> {
        let t = fs::read_link(&self.current_link).ok()?;
        let t = if t.is_absolute() {
            t
        } else {
            self.current_link.parent()?.join(t)
        };
        fs::canonicalize(t).ok()
    }

    /// Blocks until the trail folder changes (or `timeout` passes), then returns
    /// the records written since the last call. An empty result after a timeout
    /// means nothing happened.
    pub fn wait(&mut self, timeout: Duration) -> Result<Vec<RecordSample>, RateError> {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.events.recv_timeout(left) {
                // Opening or reading the folder (our own status pass does) is not a
                // change; waking on it would make the watch loop feed itself.
                Ok(Ok(ev)) if matches!(ev.kind, notify::EventKind::Access(_)) => continue,
                Ok(_) | Err(mpsc::RecvTimeoutError::Timeout) => break,
                Err(mpsc::RecvTimeoutError::Disconnected) => return Ok(Vec::new()),
            }
        }
        // Coalesce a burst of events into one read.
        while self.events.try_recv().is_ok() {}
        self.read_new()
    }

    /// Reads whatever is new without waiting.
    pub fn read_new(&mut self) -> Result<Vec<RecordSample>, RateError> {
        let mut out = Vec::new();
        if let Some(tail) = &mut self.tail {
            out.extend(tail.poll()?.records.iter().map(RecordSample::from));
        }
        let now_target = self.link_target();
        if now_target.is_some() && now_target != self.target {
            // Rotation: the old handle was drained above; follow the new trail.
            let target = now_target.clone().unwrap_or_default();
            let mut tail = TrailTail::open(&target)?;
            out.extend(tail.poll()?.records.iter().map(RecordSample::from));
            self.tail = Some(tail);
            self.target = now_target;
        }
        Ok(out)
    }
}

fn scan_end(path: &Path) -> Result<(MinuteBuckets, Vec<RecordSample>, u64), RateError> {
    let (b, s) = MinuteBuckets::scan_file(path, 0).map_err(|source| RateError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let end = b.complete_bytes;
    Ok((b, s, end))
}
