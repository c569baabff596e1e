//! Following the trails into the spool, record by record, exactly once.
//!
//! Position: the trail (by its start stamp, which survives auditd's rename of
//! `S.not_terminated` to `S.E` on rotation) and the offset of the last record
//! written. It is read back from the spool itself on start, so it is exactly
//! what is durably in the files shippers read: a kill between two batches
//! resumes after the last record written, a kill inside a batch loses the
//! whole batch's `write` or none of it. Closed trails ahead of the position
//! are caught up in order; the growing one is polled.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use earshot_trail::{TrailEnd, TrailName};

use super::spool::Spool;

/// Where a record comes from: its trail's start stamp (14 digits) and offset.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub stamp: String,
    /// Offset of the last record written from that trail.
    pub offset: u64,
}

/// Reads `"<stamp>:<offset>"` — the `metadata.original_event_uid` every
/// trail record's event carries — out of one spool line.
pub fn position_of(line: &[u8]) -> Option<Position> {
    const KEY: &[u8] = b"\"original_event_uid\":\"";
    let at = line.windows(KEY.len()).position(|w| w == KEY)? + KEY.len();
    let rest = &line[at..];
    let end = rest.iter().position(|b| *b == b'"')?;
    let text = std::str::from_utf8(&rest[..end]).ok()?;
    let (stamp, offset) = text.split_once(':')?;
    (stamp.len() == 14 && stamp.bytes().all(|b| b.is_ascii_digit())).then_some(())?;
    Some(Position {
        stamp: stamp.to_string(),
        offset: offset.parse().ok()?,
    })
}

/// One trail file as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrailFile {
    pub path: PathBuf,
    pub name: String,
    pub stamp: String,
    pub closed: bool,
}

/// The trails in `dirs`, oldest first (by start stamp, then name).
pub fn list_trails(dirs: &[PathBuf]) -> Vec<TrailFile> {
    let mut out = Vec::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let Ok(parsed) = TrailName::parse(&name) else {
                continue;
            };
            if e.file_type().map(|t| !t.is_file()).unwrap_or(true) {
                continue;
            }
            out.push(TrailFile {
                path: e.path(),
                stamp: name[..14].to_string(),
                closed: !matches!(parsed.end, TrailEnd::NotTerminated),
                name,
            });
        }
    }
    out.sort_by(|a, b| (&a.stamp, &a.name).cmp(&(&b.stamp, &b.name)));
    out
}

/// What a step did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Progress {
    pub records: u64,
    pub bytes: u64,
    /// Trails that vanished (expired) before the follower finished them:
    /// (stamp, records lost when known).
    pub lost: Vec<(String, Option<u64>)>,
}

/// Maps one record (its bytes, its source) to one event line, appended to
/// the buffer with its newline.
pub type MapRecord<'m> = dyn FnMut(&mut Vec<u8>, &[u8], &TrailFile, u64) + 'm;

/// The follower's state between steps.
#[derive(Debug, Default)]
pub struct Follower {
    pub position: Option<Position>,
    /// Records counted in closed trails ahead of the position (so a trail
    /// expired before it was read is reported with its count).
    ahead: BTreeMap<String, u64>,
    /// Records of the trail at the position already written (for the lost count).
    done_in_current: u64,
    /// The trails seen by the last step (to notice rotations and expiry).
    pub seen: Vec<TrailFile>,
}

impl Follower {
    /// Starts at the last record the spool holds (`None`: from the oldest trail).
    pub fn resume(spool: &Spool) -> std::io::Result<Follower> {
        let position = spool
            .last_lines(256 << 10)?
            .iter()
            .find_map(|l| position_of(l));
        Ok(Follower {
            position,
            ..Follower::default()
        })
    }

    /// Reads everything new in the trails of `dirs` into the spool, in
    /// batches of about `batch_bytes` of output, each made durable before the
    /// next. `map` turns a record into its line.
    pub fn step(
        &mut self,
        dirs: &[PathBuf],
        spool: &mut Spool,
        batch_bytes: usize,
        map: &mut MapRecord<'_>,
    ) -> std::io::Result<Progress> {
        let trails = list_trails(dirs);
        let mut progress = Progress::default();
        // A trail at or past the position that is gone while later ones exist
        // was expired before it was finished.
        if let Some(pos) = &self.position {
            let here = trails.iter().any(|t| t.stamp == pos.stamp);
            let later = trails.iter().any(|t| t.stamp > pos.stamp);
            if !here && later {
                let count = self
                    .ahead
                    .remove(&pos.stamp)
                    .map(|total| total.saturating_sub(self.done_in_current));
                progress.lost.push((pos.stamp.clone(), count));
                // Resume at the next trail, from its start.
                let next = trails.iter().find(|t| t.stamp > pos.stamp);
                self.position = next.map(|t| Position {
                    stamp: t.stamp.clone(),
                    offset: u64::MAX,
                });
                self.done_in_current = 0;
            }
        }
        // Count closed trails ahead (cheap: framing only) so an expiry of one
        // the follower has not reached is reported with its size in records.
        for t in trails.iter().filter(|t| t.closed) {
            if self.position.as_ref().is_some_and(|p| t.stamp <= p.stamp) {
                continue;
            }
            if !self.ahead.contains_key(&t.stamp) {
                if let Ok(mut f) = File::open(&t.path) {
                    let mut n = 0u64;
                    if earshot_trail::stream_records(&mut f, 0, |_, _| n += 1).is_ok() {
                        self.ahead.insert(t.stamp.clone(), n);
                    }
                }
            }
        }
        let mut lost_ahead: Vec<String> = self
            .ahead
            .keys()
            .filter(|s| !trails.iter().any(|t| &t.stamp == *s))
            .cloned()
            .collect();
        for s in lost_ahead.drain(..) {
            let n = self.ahead.remove(&s);
            progress.lost.push((s, n));
        }
        let mut buf: Vec<u8> = Vec::with_capacity(batch_bytes + (64 << 10));
        for t in &trails {
            // The trail at the position resumes after its last written record;
            // earlier trails are done; later ones start at 0.
            let (start, skip) = match &self.position {
                Some(p) if t.stamp < p.stamp => continue,
                Some(p) if t.stamp == p.stamp && p.offset == u64::MAX => (0, None),
                Some(p) if t.stamp == p.stamp => (p.offset, Some(p.offset)),
                _ => (0, None),
            };
            let Ok(mut file) = File::open(&t.path) else {
                continue;
            };
            let mut last: Option<u64> = None;
            let mut flush_err = None;
            let mut written_here = 0u64;
            let end = earshot_trail::stream_records(&mut file, start, |rs, bytes| {
                if flush_err.is_some() || Some(rs.offset) == skip {
                    return;
                }
                // One line, with its newline.
                map(&mut buf, bytes, t, rs.offset);
                last = Some(rs.offset);
                written_here += 1;
                progress.records += 1;
                if buf.len() >= batch_bytes {
                    if let Err(e) = spool.append(&buf) {
                        flush_err = Some(e);
                        return;
                    }
                    progress.bytes += buf.len() as u64;
                    buf.clear();
                }
            });
            if let Some(e) = flush_err {
                // What was written is durable and will be found on resume;
                // the rest is read again then.
                self.position = spool
                    .last_lines(256 << 10)?
                    .iter()
                    .find_map(|l| position_of(l));
                return Err(e);
            }
            end?;
            if !buf.is_empty() {
                spool.append(&buf)?;
                progress.bytes += buf.len() as u64;
                buf.clear();
            }
            if let Some(offset) = last {
                if self.position.as_ref().map(|p| &p.stamp) != Some(&t.stamp) {
                    self.done_in_current = 0;
                }
                self.done_in_current += written_here;
                self.position = Some(Position {
                    stamp: t.stamp.clone(),
                    offset,
                });
                self.ahead.remove(&t.stamp);
            } else if self.position.is_none() {
                // An empty first trail: remember it so later ones follow it.
                self.position = Some(Position {
                    stamp: t.stamp.clone(),
                    offset: u64::MAX,
                });
            }
            let newest = trails.last().is_some_and(|n| n.stamp == t.stamp);
            if !t.closed && newest {
                // The growing trail: wait for more. (A not-terminated trail
                // with newer ones after it was left by a crashed auditd and
                // grows no more: read on.)
                break;
            }
        }
        self.seen = trails;
        Ok(progress)
    }
}

/// The trail files' folders, resolved on this machine.
pub fn trail_dirs(sys: &dyn earshot_system::System) -> Vec<PathBuf> {
    let dirs = earshot_system::AuditSettings::read(sys)
        .ok()
        .flatten()
        .map(|s| s.dirs)
        .unwrap_or_else(|| vec!["/var/audit".to_string()]);
    dirs.iter()
        .filter_map(|d| sys.resolve(Path::new(d)).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_position_is_read_back_from_an_event_line() {
        let line = br#"{"class_uid":1001,"metadata":{"uid":"h:20261206150220:4242","original_event_uid":"20261206150220:4242","version":"1.9.0-dev"}}"#;
        assert_eq!(
            position_of(line),
            Some(Position {
                stamp: "20261206150220".into(),
                offset: 4242
            })
        );
        assert_eq!(
            position_of(br#"{"metadata":{"original_event_uid":"earshot:revision:7"}}"#),
            None
        );
        assert_eq!(position_of(b"garbage"), None);
    }

    /// auditd appends to the growing trail between steps, the helper is
    /// killed (a new follower resumes from the spool alone), and the trail is
    /// renamed on rotation with a new one begun: every record reaches the
    /// spool once, under its own offset.
    #[test]
    fn a_growing_trail_is_followed_through_a_kill_and_a_rotation_exactly_once() {
        use super::super::spool::Limits;
        let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/bsm/mixed_sample.bsm");
        let bytes = std::fs::read(&fixture).unwrap();
        let mut offsets = Vec::new();
        earshot_trail::stream_records(&mut File::open(&fixture).unwrap(), 0, |r, _| {
            offsets.push(r.offset)
        })
        .unwrap();
        assert!(offsets.len() > 8);
        let tmp = tempfile::tempdir().unwrap();
        let trails = tmp.path().join("audit");
        std::fs::create_dir(&trails).unwrap();
        let dirs = vec![trails.clone()];
        let first_line: fn() -> super::super::spool::FirstLine =
            || Box::new(|_, seq| format!("{{\"first\":{seq}}}\n").into_bytes());
        let open_spool = || {
            Spool::open(
                &tmp.path().join("spool"),
                Limits::from_total_mb(64),
                first_line(),
            )
        };
        let mut map = |buf: &mut Vec<u8>, _: &[u8], t: &TrailFile, offset: u64| {
            buf.extend_from_slice(
                format!(
                    "{{\"metadata\":{{\"original_event_uid\":\"{}:{offset}\"}}}}\n",
                    t.stamp
                )
                .as_bytes(),
            )
        };
        let growing = trails.join("20261206150000.not_terminated");
        // A cut inside a record: the follower takes only the complete ones.
        let cut = offsets[offsets.len() / 3] as usize + 7;
        std::fs::write(&growing, &bytes[..cut]).unwrap();
        let mut spool = open_spool().unwrap();
        let mut f = Follower::resume(&spool).unwrap();
        f.step(&dirs, &mut spool, 4096, &mut map).unwrap();
        let mut more = std::fs::OpenOptions::new()
            .append(true)
            .open(&growing)
            .unwrap();
        std::io::Write::write_all(&mut more, &bytes[cut..2 * cut]).unwrap();
        f.step(&dirs, &mut spool, 4096, &mut map).unwrap();
        f.step(&dirs, &mut spool, 4096, &mut map).unwrap();
        // Killed: all that survives is the spool.
        drop((f, spool));
        std::io::Write::write_all(&mut more, &bytes[2 * cut..]).unwrap();
        std::fs::rename(&growing, trails.join("20261206150000.20261206160000")).unwrap();
        std::fs::write(trails.join("20261206160000.not_terminated"), &bytes).unwrap();
        let mut spool = open_spool().unwrap();
        let mut f = Follower::resume(&spool).unwrap();
        let p = f.step(&dirs, &mut spool, 4096, &mut map).unwrap();
        assert!(p.lost.is_empty(), "{:?}", p.lost);
        f.step(&dirs, &mut spool, 4096, &mut map).unwrap();

        let text = std::fs::read_to_string(tmp.path().join("spool/events.ndjson")).unwrap();
        let got: Vec<String> = text
            .lines()
            .filter_map(|l| position_of(l.as_bytes()))
            .map(|p| format!("{}:{}", p.stamp, p.offset))
            .collect();
        let want: Vec<String> = ["20261206150000", "20261206160000"]
            .iter()
            .flat_map(|s| offsets.iter().map(move |o| format!("{s}:{o}")))
            .collect();
        assert_eq!(got, want);
    }
}
