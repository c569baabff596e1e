//! Hash-chained revisions of audit_control, kept in the helper's state folder.
//!
//! ```text
//! history/revisions/00000001.json   one record per revision (written atomically)
//! history/blobs/<sha256>            the file bytes of each revision, by content
//! history/head.json                  the newest revision's number and chain
//! ```
//! Each record carries `prev_chain` and `chain = sha256("earshot-revision-v1" 0x00
//! prev_chain 0x00 json(record without chain))`, so editing, removing or
//! reordering a record, or altering a blob, shows up in [`History::verify`].
//! Revision 1 is the file as it was before Earshot first touched it; it is never
//! pruned. Besides it, the newest [`DEFAULT_RETAIN`] revisions are kept; older
//! ones (and bytes no kept revision needs) are removed oldest first, so the
//! only gap pruning can leave is right after revision 1, followed by at least
//! the retention count of contiguous revisions. Any other gap is reported.
//!
//! Removing the newest records leaves a chain that still links; the head
//! (written after every record, and kept in memory while the helper runs)
//! names the revision history must reach, so a shortened history shows too.

use std::path::{Path, PathBuf};

use earshot_api::{content_hash, Change, RevisionSource};
use earshot_model::change::StepRecord;
use earshot_model::review::AppliedStep;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::fsutil::{write_atomic, StateError};

/// The `hash` of a revision in which audit_control did not exist (the macOS
/// 14+ default). Never a sha256, so it cannot collide with real content.
pub const ABSENT: &str = "absent";

/// The hash naming `content` (`None` = no file).
pub fn state_hash(content: &Option<Vec<u8>>) -> String {
    content
        .as_deref()
        .map_or_else(|| ABSENT.to_string(), content_hash)
}

/// How many revisions besides the original are kept.
pub const DEFAULT_RETAIN: usize = 1000;

/// The chain value before revision 1.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One revision as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Revision {
    pub number: u64,
    pub time_unix: u64,
    pub uid: u32,
    pub user: String,
    pub source: RevisionSource,
    pub reason: String,
    /// sha256 of the file bytes (the blob name).
    pub hash: String,
    pub changes: Vec<Change>,
    pub acks: Vec<String>,
    /// Set when applied with an auto-revert deadline.
    pub confirm_within_secs: Option<u64>,
    /// For rollbacks and auto-reverts: the revision whose bytes were restored.
    pub restores: Option<u64>,
    pub prev_chain: String,
    pub chain: String,
    /// For a tuning step (`apply_step`): the step and its prediction, kept in
    /// the chained record itself so a step and its record are never apart.
    /// Absent from other revisions, whose records (and chains) are as before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<AppliedStep>,
}

impl Revision {
    /// The chain value this record should carry.
    pub fn compute_chain(&self) -> String {
        let mut body = self.clone();
        body.chain = String::new();
        // serde_json writes struct fields in declaration order: deterministic.
        let json = serde_json::to_vec(&body).unwrap_or_default();
        let mut h = Sha256::new();
        h.update(b"earshot-revision-v1\0");
        h.update(self.prev_chain.as_bytes());
        h.update(b"\0");
        h.update(&json);
        hex::encode(h.finalize())
    }
}

/// The newest revision as last recorded: what a shortened history is
/// measured against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    pub number: u64,
    pub chain: String,
}

/// The newest tuning steps kept in the revisions of the history in
/// `state_dir`, newest first, at most `limit`: read only (the CLI reads a
/// simulated Mac's state this way while no helper runs; the helper's
/// `applied_steps` answers from the same function).
pub fn applied_steps(state_dir: &Path, limit: usize) -> Result<Vec<StepRecord>, StateError> {
    let dir = state_dir.join("history").join("revisions");
    let mut numbers = Vec::new();
    match std::fs::read_dir(&dir) {
        Ok(rd) => {
            for entry in rd {
                let entry = entry.map_err(|e| StateError::io(&dir, e))?;
                let name = entry.file_name();
                if let Some(n) = name
                    .to_string_lossy()
                    .strip_suffix(".json")
                    .and_then(|n| n.parse::<u64>().ok())
                {
                    numbers.push(n);
                }
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(StateError::io(&dir, e)),
    }
    numbers.sort_unstable_by(|a, b| b.cmp(a));
    let mut out = Vec::new();
    for n in numbers {
        if out.len() >= limit {
            break;
        }
        let path = dir.join(format!("{n:08}.json"));
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let rev: Revision = serde_json::from_slice(&bytes)
            .map_err(|e| StateError::Corrupt(format!("revision {n}: {e}")))?;
        if let Some(step) = rev.step {
            out.push(StepRecord {
                revision: rev.number,
                recorded_unix: rev.time_unix,
                record: step,
            });
        }
    }
    Ok(out)
}

/// The revision store.
#[derive(Debug)]
pub struct History {
    dir: PathBuf,
    retain: usize,
    /// The head this process wrote or found at open: deleting `head.json`
    /// together with the records does not hide anything while it runs.
    head: std::sync::Mutex<Option<Head>>,
}

impl History {
    pub fn open(state_dir: &Path) -> Result<History, StateError> {
        let dir = state_dir.join("history");
        for sub in ["revisions", "blobs"] {
            crate::fsutil::create_private_dir(&dir.join(sub))?;
        }
        let history = History {
            dir,
            retain: DEFAULT_RETAIN,
            head: std::sync::Mutex::new(None),
        };
        let head = match history.stored_head()? {
            Some(h) => Some(h),
            // First open (or history written before heads were kept): the
            // newest record is the head from now on.
            None => match history.head()? {
                Some(rev) => {
                    let h = Head {
                        number: rev.number,
                        chain: rev.chain,
                    };
                    history.write_head(&h)?;
                    Some(h)
                }
                None => None,
            },
        };
        *history.head.lock().unwrap_or_else(|e| e.into_inner()) = head;
        Ok(history)
    }

    fn head_path(&self) -> PathBuf {
        self.dir.join("head.json")
    }

    /// `head.json`, when present. A damaged one is reported by [`History::verify`].
    fn stored_head(&self) -> Result<Option<Head>, StateError> {
        let path = self.head_path();
        match std::fs::read(&path) {
            Ok(bytes) => Ok(serde_json::from_slice(&bytes).ok()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StateError::io(&path, e)),
        }
    }

    fn write_head(&self, head: &Head) -> Result<(), StateError> {
        let json = serde_json::to_vec(head)
            .map_err(|e| StateError::Corrupt(format!("cannot encode the head: {e}")))?;
        write_atomic(&self.head_path(), &json, 0o600)
    }

    /// The head as last recorded (memory first: it outlives a deleted file).
    pub fn recorded_head(&self) -> Option<Head> {
        self.head.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Keep `retain` revisions besides the original (at least 1).
    pub fn with_retention(mut self, retain: usize) -> History {
        self.retain = retain.max(1);
        self
    }

    fn record_path(&self, number: u64) -> PathBuf {
        self.dir.join("revisions").join(format!("{number:08}.json"))
    }

    fn blob_path(&self, hash: &str) -> PathBuf {
        self.dir.join("blobs").join(hash)
    }

    /// Store `bytes` by content (idempotent); returns the hash.
    pub fn put_blob(&self, bytes: &[u8]) -> Result<String, StateError> {
        let hash = content_hash(bytes);
        let path = self.blob_path(&hash);
        match std::fs::read(&path) {
            Ok(existing) if existing == bytes => {}
            _ => write_atomic(&path, bytes, 0o600)?,
        }
        Ok(hash)
    }

    /// Store a file state (`None` = no file); returns its hash.
    pub fn put_content(&self, content: &Option<Vec<u8>>) -> Result<String, StateError> {
        match content {
            Some(bytes) => self.put_blob(bytes),
            None => Ok(ABSENT.to_string()),
        }
    }

    /// The file state named by `hash`.
    pub fn content(&self, hash: &str) -> Result<Option<Vec<u8>>, StateError> {
        if hash == ABSENT {
            return Ok(None);
        }
        self.blob(hash).map(Some)
    }

    /// The bytes of a blob, checked against its name.
    pub fn blob(&self, hash: &str) -> Result<Vec<u8>, StateError> {
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(StateError::Corrupt(format!("bad blob name {hash:?}")));
        }
        let path = self.blob_path(hash);
        let bytes = std::fs::read(&path).map_err(|e| StateError::io(&path, e))?;
        if content_hash(&bytes) != hash {
            return Err(StateError::Corrupt(format!(
                "blob {hash} does not match its content"
            )));
        }
        Ok(bytes)
    }

    /// All revision numbers, ascending.
    pub fn numbers(&self) -> Result<Vec<u64>, StateError> {
        let dir = self.dir.join("revisions");
        let mut out = Vec::new();
        for entry in std::fs::read_dir(&dir).map_err(|e| StateError::io(&dir, e))? {
            let entry = entry.map_err(|e| StateError::io(&dir, e))?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if let Some(n) = name.strip_suffix(".json").and_then(|n| n.parse().ok()) {
                out.push(n);
            }
        }
        out.sort_unstable();
        Ok(out)
    }

    pub fn get(&self, number: u64) -> Result<Option<Revision>, StateError> {
        let path = self.record_path(number);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| StateError::Corrupt(format!("revision {number}: {e}"))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StateError::io(&path, e)),
        }
    }

    pub fn head(&self) -> Result<Option<Revision>, StateError> {
        match self.numbers()?.last() {
            Some(&n) => self.get(n),
            None => Ok(None),
        }
    }

    /// Build the next record (number, chain) without writing it.
    pub fn next(&self, mut draft: Revision) -> Result<Revision, StateError> {
        let head = self.head()?;
        draft.number = head.as_ref().map_or(1, |h| h.number + 1);
        draft.prev_chain = head.map_or_else(|| GENESIS.to_string(), |h| h.chain);
        draft.chain = draft.compute_chain();
        Ok(draft)
    }

    /// Write a record built by [`History::next`]. Refuses to overwrite.
    pub fn append(&self, rev: &Revision) -> Result<(), StateError> {
        let path = self.record_path(rev.number);
        if path.exists() {
            return Err(StateError::Corrupt(format!(
                "revision {} already exists",
                rev.number
            )));
        }
        let json = serde_json::to_vec_pretty(rev)
            .map_err(|e| StateError::Corrupt(format!("cannot encode revision: {e}")))?;
        write_atomic(&path, &json, 0o600)?;
        let head = Head {
            number: rev.number,
            chain: rev.chain.clone(),
        };
        // The record first, then the head: a crash between them leaves a head
        // one behind, which verify accepts (history is longer, not shorter).
        self.write_head(&head)?;
        *self.head.lock().unwrap_or_else(|e| e.into_inner()) = Some(head);
        self.prune()
    }

    /// Drop the oldest revisions beyond the retention (never revision 1), then
    /// the blobs no kept revision names.
    fn prune(&self) -> Result<(), StateError> {
        let numbers = self.numbers()?;
        if numbers.len() <= self.retain + 1 {
            return Ok(());
        }
        // Oldest first, so a crash mid-way still leaves one contiguous window.
        for &n in &numbers[1..numbers.len() - self.retain] {
            let path = self.record_path(n);
            std::fs::remove_file(&path).map_err(|e| StateError::io(&path, e))?;
        }
        let mut keep = std::collections::HashSet::new();
        for n in self.numbers()? {
            if let Some(rev) = self.get(n)? {
                keep.insert(rev.hash);
            }
        }
        let blobs = self.dir.join("blobs");
        for entry in std::fs::read_dir(&blobs).map_err(|e| StateError::io(&blobs, e))? {
            let entry = entry.map_err(|e| StateError::io(&blobs, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if !keep.contains(&name) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        Ok(())
    }

    /// Walk the chain from revision 1. `Ok(None)` when intact, otherwise a
    /// sentence naming the first break.
    pub fn verify(&self) -> Result<Option<String>, StateError> {
        let numbers = self.numbers()?;
        if let Some(problem) = self.check_head(&numbers)? {
            return Ok(Some(problem));
        }
        let mut prev = GENESIS.to_string();
        for (i, &n) in numbers.iter().enumerate() {
            let mut anchor = false;
            if i == 0 && n != 1 {
                return Ok(Some("revision 1 (the original file) is missing".into()));
            }
            if i > 0 && n != numbers[i - 1] + 1 {
                // Pruning leaves a gap only after revision 1, followed by at
                // least the retention count of revisions.
                if i != 1 || numbers.len() - 1 < self.retain {
                    return Ok(Some(format!("revision {} is missing", numbers[i - 1] + 1)));
                }
                anchor = true;
            }
            let rev = match self.get(n) {
                Ok(Some(rev)) => rev,
                Ok(None) => return Ok(Some(format!("revision {n} vanished"))),
                Err(e) => return Ok(Some(e.to_string())),
            };
            if rev.number != n {
                return Ok(Some(format!(
                    "revision file {n} claims number {}",
                    rev.number
                )));
            }
            if !anchor && rev.prev_chain != prev {
                return Ok(Some(format!(
                    "revision {n} does not link to revision {}",
                    n - 1
                )));
            }
            if rev.compute_chain() != rev.chain {
                return Ok(Some(format!(
                    "revision {n} was altered after it was recorded"
                )));
            }
            if let Err(e) = self.content(&rev.hash) {
                return Ok(Some(format!("revision {n}: {e}")));
            }
            prev = rev.chain;
        }
        Ok(None)
    }

    /// History must reach the recorded head, and the record there must be
    /// the one the head names.
    fn check_head(&self, numbers: &[u64]) -> Result<Option<String>, StateError> {
        let stored = self.stored_head()?;
        let path_exists = self.head_path().exists();
        let memory = self.recorded_head();
        if memory.is_some() && !path_exists {
            return Ok(Some(
                "history's head record (history/head.json) was removed".into(),
            ));
        }
        if path_exists && stored.is_none() {
            return Ok(Some(
                "history's head record (history/head.json) is damaged".into(),
            ));
        }
        // The later of the two: memory cannot be rewound from outside, the
        // file outlives restarts.
        let head = match (stored, memory) {
            (Some(a), Some(b)) => {
                if a.number < b.number {
                    return Ok(Some(format!(
                        "history's head record was rewound from revision {} to {}",
                        b.number, a.number
                    )));
                }
                a
            }
            (Some(h), None) | (None, Some(h)) => h,
            (None, None) => return Ok(None),
        };
        let last = numbers.last().copied().unwrap_or(0);
        if last < head.number {
            return Ok(Some(format!(
                "history ends at revision {last}, but revision {} was recorded: the newest {} record(s) were removed",
                head.number,
                head.number - last
            )));
        }
        match self.get(head.number) {
            Ok(Some(rev)) if rev.chain == head.chain => Ok(None),
            Ok(Some(_)) => Ok(Some(format!(
                "revision {} is not the one recorded as the head: history was rewritten from there",
                head.number
            ))),
            Ok(None) => Ok(Some(format!("revision {} vanished", head.number))),
            Err(e) => Ok(Some(e.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(hash: String, source: RevisionSource) -> Revision {
        Revision {
            number: 0,
            time_unix: 1_700_000_000,
            uid: 501,
            user: "alice".into(),
            source,
            reason: "test".into(),
            hash,
            changes: vec![],
            acks: vec![],
            confirm_within_secs: None,
            restores: None,
            prev_chain: String::new(),
            chain: String::new(),
            step: None,
        }
    }

    fn three(dir: &Path) -> History {
        let h = History::open(dir).unwrap();
        for (i, text) in ["a\n", "b\n", "c\n"].iter().enumerate() {
            let hash = h.put_blob(text.as_bytes()).unwrap();
            let source = if i == 0 {
                RevisionSource::Original
            } else {
                RevisionSource::Apply
            };
            let rev = h.next(draft(hash, source)).unwrap();
            assert_eq!(rev.number, i as u64 + 1);
            h.append(&rev).unwrap();
        }
        h
    }

    #[test]
    fn an_untouched_chain_verifies() {
        let dir = tempfile::tempdir().unwrap();
        let h = three(dir.path());
        assert_eq!(h.verify().unwrap(), None);
        assert_eq!(h.head().unwrap().unwrap().number, 3);
        assert_eq!(h.blob(&h.get(2).unwrap().unwrap().hash).unwrap(), b"b\n");
    }

    /// A step record's predicted figures read back bit for bit, so the chain
    /// verifies (serde_json's default float parser reads 15341.892227979273
    /// one ULP off: a real step record that once broke the chain).
    #[test]
    fn a_step_record_with_awkward_floats_verifies() {
        let dir = tempfile::tempdir().unwrap();
        let h = three(dir.path());
        let step: earshot_model::review::AppliedStep = serde_json::from_str(STEP).unwrap();
        let hash = h.put_blob(b"d\n").unwrap();
        let mut rev = draft(hash, RevisionSource::Apply);
        rev.step = Some(step);
        let rev = h.next(rev).unwrap();
        h.append(&rev).unwrap();
        assert_eq!(h.verify().unwrap(), None);
        assert_eq!(h.get(4).unwrap().unwrap(), rev);
    }

    const STEP: &str = r#"{"step": "retention", "title": "expire-after: 60d OR 46G", "applied_at": 1796566741, "soak_days": 1.0, "config": "flags:lo,aa\n", "prediction": {"classes": [{"class": "aa", "side": "failure", "events_per_day": {"low": 163.20000000000002, "typical": 204.0, "high": 255.0}, "bytes_per_day": {"low": 15341.892227979273, "typical": 19177.36528497409, "high": 23971.706606217613}, "source": "measured", "added": false}], "events_per_day": {"low": 3708.0, "typical": 4635.0, "high": 5793.75}, "bytes_per_day": {"low": 348581.60000000003, "typical": 435727.0, "high": 544658.75}, "change_bytes_per_day": {"low": 0.0, "typical": 0.0, "high": 0.0}, "retention_days": {"low": 60.0, "typical": 60.0, "high": 60.0}, "retention": "expire-after 60d OR 46G keeps about 60 days of history (range 60 days\u201360 days)", "time_to_minfree_days": null, "minfree": "does not reach minfree (5%) at the typical rate: 153.7 GiB of room, and expire-after caps the trails below it", "uses_reference_figures": false, "notes": []}, "soak_reason": "adds no class: one daily cycle shows what the change costs"}"#;

    #[test]
    fn editing_a_record_shows() {
        let dir = tempfile::tempdir().unwrap();
        let h = three(dir.path());
        let path = h.record_path(2);
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace("\"test\"", "\"innocent\"");
        std::fs::write(&path, text).unwrap();
        assert!(h
            .verify()
            .unwrap()
            .unwrap()
            .contains("revision 2 was altered"));
    }

    #[test]
    fn rechaining_a_forged_record_breaks_the_next_link() {
        let dir = tempfile::tempdir().unwrap();
        let h = three(dir.path());
        let mut rev = h.get(2).unwrap().unwrap();
        rev.reason = "forged".into();
        rev.chain = rev.compute_chain();
        std::fs::write(h.record_path(2), serde_json::to_vec(&rev).unwrap()).unwrap();
        assert!(h
            .verify()
            .unwrap()
            .unwrap()
            .contains("revision 3 does not link"));
    }

    #[test]
    fn altering_a_blob_or_removing_a_record_shows() {
        let dir = tempfile::tempdir().unwrap();
        let h = three(dir.path());
        let hash = h.get(1).unwrap().unwrap().hash;
        std::fs::write(h.blob_path(&hash), "evil\n").unwrap();
        assert!(h.verify().unwrap().unwrap().contains("revision 1"));

        let dir = tempfile::tempdir().unwrap();
        let h = three(dir.path());
        std::fs::remove_file(h.record_path(2)).unwrap();
        assert!(h
            .verify()
            .unwrap()
            .unwrap()
            .contains("revision 2 is missing"));
    }

    #[test]
    fn retention_keeps_the_original_and_the_newest_and_still_verifies() {
        let dir = tempfile::tempdir().unwrap();
        let h = History::open(dir.path()).unwrap().with_retention(5);
        for i in 0..20 {
            let hash = h.put_blob(format!("v{i}\n").as_bytes()).unwrap();
            let source = if i == 0 {
                RevisionSource::Original
            } else {
                RevisionSource::Apply
            };
            h.append(&h.next(draft(hash, source)).unwrap()).unwrap();
        }
        assert_eq!(h.numbers().unwrap(), [1, 16, 17, 18, 19, 20]);
        assert_eq!(h.verify().unwrap(), None);
        assert_eq!(h.blob(&h.get(1).unwrap().unwrap().hash).unwrap(), b"v0\n");
        let blobs = std::fs::read_dir(dir.path().join("history/blobs"))
            .unwrap()
            .count();
        assert_eq!(blobs, 6, "bytes of pruned revisions are gone");
        // Removing the oldest kept revision is not pruning: it shows.
        std::fs::remove_file(h.record_path(16)).unwrap();
        assert!(h
            .verify()
            .unwrap()
            .unwrap()
            .contains("revision 2 is missing"));
    }

    #[test]
    fn a_gap_inside_the_window_shows_even_after_pruning() {
        let dir = tempfile::tempdir().unwrap();
        let h = History::open(dir.path()).unwrap().with_retention(3);
        for i in 0..8 {
            let hash = h.put_blob(format!("v{i}\n").as_bytes()).unwrap();
            h.append(&h.next(draft(hash, RevisionSource::Apply)).unwrap())
                .unwrap();
        }
        assert_eq!(h.numbers().unwrap(), [1, 6, 7, 8]);
        std::fs::remove_file(h.record_path(7)).unwrap();
        // The window is now too short to be pruning's doing.
        assert!(h.verify().unwrap().is_some());
    }

    #[test]
    fn removing_the_newest_records_shows_even_after_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let h = three(dir.path());
        std::fs::remove_file(h.record_path(3)).unwrap();
        std::fs::remove_file(h.record_path(2)).unwrap();
        let problem = h.verify().unwrap().expect("a shortened history shows");
        assert!(problem.contains("ends at revision 1"), "{problem}");
        // A restarted helper reads the head from its file.
        let reopened = History::open(dir.path()).unwrap();
        assert!(reopened
            .verify()
            .unwrap()
            .unwrap()
            .contains("revision 3 was recorded"));
        // Removing the head file too is seen by the running process.
        std::fs::remove_file(dir.path().join("history/head.json")).unwrap();
        assert!(reopened
            .verify()
            .unwrap()
            .unwrap()
            .contains("head.json) was removed"));
    }

    #[test]
    fn records_are_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let h = three(dir.path());
        let again = h.get(3).unwrap().unwrap();
        assert!(h.append(&again).is_err());
    }
}
