//! Trial measurement: what a set of classes *would* cost on this Mac, measured
//! without changing audit_control or the trails.
//!
//! - On a Mac: `/dev/auditpipe` in local preselection mode (macos_ops.md §6).
//!   The pipe gets its own `flags`/`naflags` masks, the kernel copies every record
//!   those masks select into the pipe's queue, and Earshot counts them for the
//!   chosen duration. Only the ioctl and read calls are macOS-specific
//!   ([`auditpipe`]); the counting ([`Tally`]) works on bytes and is tested here.
//! - On a simulated Mac: `earshot_sim::trial` runs the profile's workload
//!   generator with the trial masks on an independent random stream, on virtual
//!   time (an hour's trial returns at once), and its records go through the same
//!   [`Tally`].
//!
//! An event counts toward every class it belongs to (per audit_event), like the
//! kernel's preselection and like the trail statistics; a class side is reported
//! only when the trial masks select the whole class on that side, so a partial
//! overlap never passes for a measurement.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use audit_control::{format_mask, parse_flags, ClassMask, ClassTable, EventTable};
use serde::{Deserialize, Serialize};

use crate::plan::{ClassRates, Measurements};
pub use earshot_model::measure::{ClassCount, Measurement, SideCount};
use earshot_system::{unix_f64, SystemError};

/// The longest trial Earshot runs: a trial holds a pipe (and a helper thread)
/// for its whole duration, and an hour already smooths a working day's bursts.
pub const MAX_TRIAL_SECS: u64 = 3600;

#[derive(Debug, thiserror::Error)]
pub enum MeasureError {
    #[error("{0:?} is not a duration like 90s, 10m or 1h")]
    BadDuration(String),
    #[error("a trial lasts 1 second to {max} seconds (asked for {asked})", max = MAX_TRIAL_SECS)]
    DurationOutOfRange { asked: u64 },
    #[error("class list {list:?}: {message}")]
    BadClasses { list: String, message: String },
    #[error("the trial selects no class (give --classes, e.g. ad or -fr)")]
    NothingSelected,
    #[error("auditing is off: the kernel creates records (for trails and pipes alike) only while auditing is on; enable auditing first")]
    NotAuditing,
    #[error("{0}")]
    System(#[from] SystemError),
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
    #[error("trial measurement needs /dev/auditpipe, which only macOS has")]
    Unsupported,
}

/// Parses `90s`, `10m`, `1h`, `2h30m` or a plain number of seconds.
pub fn parse_duration(text: &str) -> Result<u64, MeasureError> {
    let bad = || MeasureError::BadDuration(text.to_string());
    let t = text.trim();
    if t.is_empty() {
        return Err(bad());
    }
    if let Ok(n) = t.parse::<u64>() {
        return Ok(n);
    }
    let mut total: u64 = 0;
    let mut digits = String::new();
    for c in t.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => return Err(bad()),
        };
        let n: u64 = digits.parse().map_err(|_| bad())?;
        digits.clear();
        total = n
            .checked_mul(unit)
            .and_then(|x| total.checked_add(x))
            .ok_or_else(bad)?;
    }
    if !digits.is_empty() {
        return Err(bad());
    }
    Ok(total)
}

/// What a trial preselects: `flags` for events with an audit user, `naflags` for
/// those without (auditpipe local mode uses exactly this split).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trial {
    pub flags: ClassMask,
    pub naflags: ClassMask,
    pub duration_secs: u64,
}

fn parse_list(list: &str, classes: &ClassTable) -> Result<ClassMask, MeasureError> {
    if list.trim().is_empty() {
        return Ok(ClassMask::default());
    }
    parse_flags(list.as_bytes(), classes)
        .map(|l| l.mask)
        .map_err(|e| MeasureError::BadClasses {
            list: list.to_string(),
            message: format!("{e}"),
        })
}

impl Trial {
    /// Class lists in audit_control syntax (`ad,-fr`, `^-fa` …); the duration is
    /// checked against [`MAX_TRIAL_SECS`].
    pub fn parse(
        flags: &str,
        naflags: &str,
        duration_secs: u64,
        classes: &ClassTable,
    ) -> Result<Trial, MeasureError> {
        if duration_secs == 0 || duration_secs > MAX_TRIAL_SECS {
            return Err(MeasureError::DurationOutOfRange {
                asked: duration_secs,
            });
        }
        let trial = Trial {
            flags: parse_list(flags, classes)?,
            naflags: parse_list(naflags, classes)?,
            duration_secs,
        };
        if trial.selected(classes).is_empty() {
            return Err(MeasureError::NothingSelected);
        }
        Ok(trial)
    }

    /// The classes whose every bit the trial selects, with which sides.
    pub fn selected(&self, classes: &ClassTable) -> Vec<(String, u32, bool, bool)> {
        let success = self.flags.success | self.naflags.success;
        let failure = self.flags.failure | self.naflags.failure;
        classes
            .classes()
            .iter()
            .filter(|c| c.mask != 0 && c.mask != u32::MAX)
            .filter_map(|c| {
                let s = success & c.mask == c.mask;
                let f = failure & c.mask == c.mask;
                (s || f).then(|| (c.name.clone(), c.mask, s, f))
            })
            .collect()
    }
}

/// Adds the trial's rates to `m` for class sides `m` has no figure for: a
/// rate measured from the trail (the class is already audited) covers a whole
/// day and wins over a sample.
pub fn fill(trial: &Measurement, m: &mut Measurements) {
    for (class, rates) in trial.rates() {
        let e = m.classes.entry(class).or_default();
        if e.success.is_none() {
            e.success = rates.success;
        }
        if e.failure.is_none() {
            e.failure = rates.failure;
        }
    }
}

/// Counts records per class from raw BSM bytes (a pipe's reads, a simulator's
/// records). Feed it any chunking: a record split across two reads is kept until
/// its rest arrives.
#[derive(Debug)]
pub struct Tally {
    events: EventTable,
    selected: Vec<(String, u32, bool, bool)>,
    counts: Vec<[SideCount; 2]>,
    pending: Vec<u8>,
    records: u64,
    bytes: u64,
    /// Bytes that were not records (a damaged stream), skipped.
    pub skipped_bytes: u64,
}

impl Tally {
    pub fn new(trial: &Trial, classes: &ClassTable, events: EventTable) -> Tally {
        let selected = trial.selected(classes);
        let counts = vec![[SideCount::default(); 2]; selected.len()];
        Tally {
            events,
            selected,
            counts,
            pending: Vec::new(),
            records: 0,
            bytes: 0,
            skipped_bytes: 0,
        }
    }

    /// Counts one record of `event` (`success` per its return token), `len` bytes.
    pub fn count(&mut self, event: u16, success: bool, len: u64) {
        self.records += 1;
        self.bytes += len;
        // The kernel's map (later line for the same number wins).
        let mask = self.events.get(event).map_or(0, |e| e.class_mask);
        if mask == 0 {
            return;
        }
        let side = usize::from(!success);
        for (i, (_, cmask, s, f)) in self.selected.iter().enumerate() {
            let wanted = if success { *s } else { *f };
            if wanted && mask & cmask != 0 {
                if let Some(c) = self.counts.get_mut(i).and_then(|c| c.get_mut(side)) {
                    c.events += 1;
                    c.bytes += len;
                }
            }
        }
    }

    /// Feeds raw bytes; complete records are counted, an incomplete tail is kept.
    pub fn feed(&mut self, chunk: &[u8]) {
        self.pending.extend_from_slice(chunk);
        let buf = std::mem::take(&mut self.pending);
        let mut found = Vec::new();
        let end = bsm::scan::scan(&buf, |r| {
            // Status 0 (or no return token) is success, as auditreduce reads it.
            found.push((r.event, r.status.is_none_or(|s| s == 0), u64::from(r.len)));
        });
        for (event, success, len) in found {
            self.count(event, success, len);
        }
        self.skipped_bytes += end.damage.iter().map(|d| d.len).sum::<u64>();
        let done = usize::try_from(end.complete_bytes)
            .unwrap_or(buf.len())
            .min(buf.len());
        self.pending = buf[done..].to_vec();
    }

    pub fn records(&self) -> u64 {
        self.records
    }

    pub fn finish(
        &self,
        trial: &Trial,
        classes: &ClassTable,
        method: &str,
        dropped: u64,
    ) -> Measurement {
        let class_counts = self
            .selected
            .iter()
            .zip(&self.counts)
            .map(|((name, _, s, f), c)| ClassCount {
                class: name.clone(),
                success: s.then_some(c[0]),
                failure: f.then_some(c[1]),
            })
            .collect();
        // An empty mask is "" (not libbsm's class name `no`): nothing was asked.
        let text = |m: ClassMask| {
            if m.success == 0 && m.failure == 0 {
                String::new()
            } else {
                format_mask(m, classes)
            }
        };
        Measurement {
            flags: text(trial.flags),
            naflags: text(trial.naflags),
            duration_secs: trial.duration_secs,
            records: self.records,
            bytes: self.bytes,
            classes: class_counts,
            method: method.to_string(),
            dropped,
        }
    }
}

/// What a status says the current configuration costs, for the planner: the
/// 24 h rate per audited class side, the trail volume and the trails' size.
pub fn from_status(
    st: &earshot_core::status::Status,
    audit_control: Option<&[u8]>,
    classes: &ClassTable,
) -> Measurements {
    let mut m = Measurements::default();
    if let (Some(day), Some(bytes)) = (
        st.rates
            .iter()
            .find(|w| w.span == earshot_trail::rates::WindowSpan::Day),
        audit_control,
    ) {
        m = Measurements::from_rate_window(
            day,
            &earshot_compliance::View::read(bytes, classes),
            classes,
        );
    }
    if let Some(h) = st.headroom.first() {
        m.disk = Some(crate::plan::Disk {
            total_bytes: h.volume_bytes,
            free_bytes: h.free_bytes,
        });
    }
    m.trail_bytes = st.trails.as_ref().map(|t| t.total_bytes);
    m
}

/// Where the CLI keeps the latest trial of each class side for a machine, so
/// `earshot plan` can use them: `<cache>/measurements/<machine>.json`.
pub fn store_path(cache_dir: &Path, machine: &str) -> PathBuf {
    cache_dir
        .join("measurements")
        .join(format!("{machine}.json"))
}

/// The latest trial rates per class side, with when they were measured.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Store {
    pub classes: BTreeMap<String, StoredRates>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StoredRates {
    pub rates: ClassRates,
    /// Unix seconds of the trial (the machine's clock: virtual on a simulated Mac).
    pub measured_unix: f64,
    pub duration_secs: u64,
    pub method: String,
}

impl Store {
    /// A missing file is an empty store; a damaged one is an error.
    pub fn load(path: &Path) -> Result<Store, MeasureError> {
        match std::fs::read(path) {
            Ok(b) => serde_json::from_slice(&b).map_err(|e| MeasureError::Io {
                what: path.display().to_string(),
                source: std::io::Error::other(e),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Store::default()),
            Err(e) => Err(MeasureError::Io {
                what: path.display().to_string(),
                source: e,
            }),
        }
    }

    pub fn save(&self, path: &Path) -> Result<(), MeasureError> {
        let io = |e| MeasureError::Io {
            what: path.display().to_string(),
            source: e,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let mut bytes =
            serde_json::to_vec_pretty(self).map_err(|e| io(std::io::Error::other(e)))?;
        bytes.push(b'\n');
        earshot_system::write_atomically_at(path, &bytes, 0o600).map_err(|e| MeasureError::Io {
            what: path.display().to_string(),
            source: std::io::Error::other(e),
        })
    }

    /// Records a trial: its sides replace earlier ones, other sides stay.
    pub fn record(&mut self, m: &Measurement, when: std::time::SystemTime) {
        for (class, rates) in m.rates() {
            let e = self.classes.entry(class).or_default();
            if rates.success.is_some() {
                e.rates.success = rates.success;
            }
            if rates.failure.is_some() {
                e.rates.failure = rates.failure;
            }
            e.measured_unix = unix_f64(when);
            e.duration_secs = m.duration_secs;
            e.method = m.method.clone();
        }
    }

    /// Fills class sides `m` has no figure for (see [`Measurement::fill`]).
    pub fn fill(&self, m: &mut Measurements) {
        for (class, stored) in &self.classes {
            let e = m.classes.entry(class.clone()).or_default();
            if e.success.is_none() {
                e.success = stored.rates.success;
            }
            if e.failure.is_none() {
                e.failure = stored.rates.failure;
            }
        }
    }
}

/// `/dev/auditpipe` on macOS: a pipe in local preselection mode with the
/// trial's masks, read for the duration (the pipe itself is
/// `earshot_system::auditpipe`). Needs root (the device is 0600).
#[cfg(target_os = "macos")]
pub mod auditpipe {
    use std::time::Duration;

    use earshot_system::auditpipe::{self as pipe, Mask};

    use super::*;

    /// The kernel makes records (for trails and pipes alike) only while a trail
    /// is open and auditing is not suspended (macos_ops.md §6): on a Mac that is
    /// not auditing the pipe stays silent, and a trial would pass zeros off as a
    /// measurement. `audit -c` answers only to root, like the pipe itself; when it
    /// cannot tell, opening the pipe is the check that explains itself.
    fn require_auditing() -> Result<(), MeasureError> {
        use earshot_system::{
            parse_audit_condition, AuditCmd, AuditCondition, Command, MacOs, System,
        };
        let out = MacOs::new().run(Command::Audit(AuditCmd::Check))?;
        match parse_audit_condition(&out) {
            AuditCondition::NoAudit | AuditCondition::Disabled => Err(MeasureError::NotAuditing),
            AuditCondition::Auditing
            | AuditCondition::PermissionDenied
            | AuditCondition::Unrecognized { .. } => Ok(()),
        }
    }

    /// Runs the trial for `trial.duration_secs` of wall time.
    pub fn measure(
        trial: &Trial,
        classes: &ClassTable,
        events: EventTable,
    ) -> Result<Measurement, MeasureError> {
        require_auditing()?;
        let mut tally = Tally::new(trial, classes, events);
        let dropped = pipe::read_local(
            Mask {
                success: trial.flags.success,
                failure: trial.flags.failure,
            },
            Mask {
                success: trial.naflags.success,
                failure: trial.naflags.failure,
            },
            Duration::from_secs(trial.duration_secs),
            &mut |bytes| tally.feed(bytes),
        )
        .map_err(|e| MeasureError::Io {
            what: format!("/dev/auditpipe {}", e.what),
            source: e.source,
        })?;
        Ok(tally.finish(trial, classes, "auditpipe", dropped))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Rate;
    use bsm::write::RecordBuilder;

    fn record(event: u16, status: u8, path: &str) -> Vec<u8> {
        let mut b = RecordBuilder::new(event, 1_772_409_600, 5);
        b.path(path);
        b.return32(status, 0);
        b.finish()
    }

    #[test]
    fn durations_parse_and_garbage_is_refused() {
        assert_eq!(parse_duration("600").unwrap(), 600);
        assert_eq!(parse_duration("10m").unwrap(), 600);
        assert_eq!(parse_duration("1h").unwrap(), 3600);
        assert_eq!(parse_duration("2h30m").unwrap(), 9000);
        assert_eq!(parse_duration("90s").unwrap(), 90);
        for bad in ["", "m", "10x", "10m5", "-3m", "99999999999999999999h"] {
            assert!(parse_duration(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn trials_are_bounded_and_must_select_something() {
        let c = ClassTable::apple();
        assert!(matches!(
            Trial::parse("ad", "", 3601, &c),
            Err(MeasureError::DurationOutOfRange { asked: 3601 })
        ));
        assert!(matches!(
            Trial::parse("ad", "", 0, &c),
            Err(MeasureError::DurationOutOfRange { .. })
        ));
        assert!(matches!(
            Trial::parse("zz", "", 60, &c),
            Err(MeasureError::BadClasses { .. })
        ));
        assert!(matches!(
            Trial::parse("", "", 60, &c),
            Err(MeasureError::NothingSelected)
        ));
        let t = Trial::parse("ad,-fr", "", 60, &c).unwrap();
        let sel = t.selected(&c);
        assert!(sel.iter().any(|(n, _, s, f)| n == "ad" && *s && *f));
        assert!(sel.iter().any(|(n, _, s, f)| n == "fr" && !*s && *f));
    }

    /// Counting on bytes: classes from audit_event (an event counts toward each
    /// of its classes), sides from the return token, unselected sides absent,
    /// records split across reads counted once.
    #[test]
    fn tally_counts_per_class_and_side_across_chunk_boundaries() {
        let classes = ClassTable::apple();
        let events = EventTable::apple();
        let trial = Trial::parse("-fr,fw", "", 60, &classes).unwrap();
        // AUE_OPEN_R (72: fr), AUE_OPEN_RW (80: fr,fw), AUE_OPEN_WC (77: fc,fw,fa,fm).
        let recs = [
            record(72, 2, "/a"),  // fr failure
            record(72, 0, "/b"),  // fr success: not selected for fr
            record(80, 13, "/c"), // fr,fw failure: counts for fr and fw failure
            record(80, 0, "/d"),  // fr,fw success: fw success
            record(77, 0, "/e"),  // fw success
            record(6, 0, "/f"),   // AUE_UNLINK (fd): no selected class
        ];
        let all: Vec<u8> = recs.concat();
        let mut tally = Tally::new(&trial, &classes, events.clone());
        // Feed in awkward pieces: 7 bytes at a time.
        for piece in all.chunks(7) {
            tally.feed(piece);
        }
        let m = tally.finish(&trial, &classes, "test", 0);
        assert_eq!(m.records, 6);
        assert_eq!(m.bytes, all.len() as u64);
        let fr = m.classes.iter().find(|c| c.class == "fr").unwrap();
        assert_eq!(fr.success, None);
        let frf = fr.failure.unwrap();
        assert_eq!(frf.events, 2);
        assert_eq!(frf.bytes, (recs[0].len() + recs[2].len()) as u64);
        let fw = m.classes.iter().find(|c| c.class == "fw").unwrap();
        assert_eq!(fw.success.unwrap().events, 2);
        // `fw` (no prefix) is both sides: the failed OPEN_RW counts there too.
        assert_eq!(fw.failure.unwrap().events, 1);
        assert_eq!(m.flags, format_mask(trial.flags, &classes));
        assert_eq!(m.naflags, "", "no naflags asked for");

        // Per day: 2 events in 60 s → 2880/day.
        let rates = m.rates();
        let r = rates["fr"].failure.unwrap();
        assert!((r.events_per_day - 2880.0).abs() < 1e-9);
        assert!(rates["fr"].success.is_none());

        // A trail-measured side wins over the trial; missing sides are filled.
        let mut plan_m = Measurements::default();
        plan_m.classes.insert(
            "fw".into(),
            ClassRates {
                success: Some(Rate {
                    events_per_day: 1.0,
                    bytes_per_day: 1.0,
                }),
                failure: None,
            },
        );
        fill(&m, &mut plan_m);
        assert_eq!(plan_m.classes["fw"].success.unwrap().events_per_day, 1.0);
        assert!(plan_m.classes["fr"].failure.is_some());
    }

    #[test]
    fn junk_between_records_is_skipped_not_counted() {
        let classes = ClassTable::apple();
        let trial = Trial::parse("fr", "", 60, &classes).unwrap();
        let mut tally = Tally::new(&trial, &classes, EventTable::apple());
        let mut bytes = record(72, 0, "/a");
        bytes.extend_from_slice(&[0xEE; 40]);
        bytes.extend(record(72, 0, "/b"));
        tally.feed(&bytes);
        let m = tally.finish(&trial, &classes, "test", 0);
        assert_eq!(m.classes[0].success.unwrap().events, 2);
        assert!(tally.skipped_bytes >= 40);
    }

    #[test]
    fn the_store_keeps_the_latest_side_and_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = store_path(dir.path(), "mac");
        assert_eq!(Store::load(&path).unwrap(), Store::default());
        let m = Measurement {
            flags: "-fr".into(),
            naflags: String::new(),
            duration_secs: 600,
            records: 10,
            bytes: 1000,
            classes: vec![ClassCount {
                class: "fr".into(),
                success: None,
                failure: Some(SideCount {
                    events: 10,
                    bytes: 1000,
                }),
            }],
            method: "simulator".into(),
            dropped: 0,
        };
        let mut store = Store::default();
        store.record(&m, std::time::SystemTime::UNIX_EPOCH);
        store.save(&path).unwrap();
        let back = Store::load(&path).unwrap();
        assert_eq!(back, store);
        let mut pm = Measurements::default();
        back.fill(&mut pm);
        assert!((pm.classes["fr"].failure.unwrap().events_per_day - 1440.0).abs() < 1e-9);
        std::fs::write(&path, b"{not json").unwrap();
        assert!(Store::load(&path).is_err());
    }
}
