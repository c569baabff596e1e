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
use std::path::PathBuf;

use earshot_trail::{TrailEnd, TrailName};

use super::spool::Spool;

/// Where a record comes from: its trail's start stamp (14 digits) and offset.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub stamp: String,
    /// Offset of the last record written from that trail.
    pub offset: u64,
}

/// `<stamp>:<offset>` as status shows it; the stamp alone for a trail none
/// of whose records is written yet.
impl std::fmt::Display for Position {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.offset == u64::MAX {
            f.write_str(&self.stamp)
        } else {
            write!(f, "{}:{}", self.stamp, self.offset)
        }
    }
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

/// The trails in `dirs`, oldest first (by start stamp, then name). A folder
/// that cannot be listed is an error, not an empty folder: its trails would
/// look expired. One that does not exist (yet) holds no trails.
pub fn list_trails(dirs: &[PathBuf]) -> std::io::Result<Vec<TrailFile>> {
    let mut out = Vec::new();
    for dir in dirs {
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                return Err(std::io::Error::new(
                    e.kind(),
                    format!("trail folder {}: {e}", dir.display()),
                ))
            }
        };
        for e in entries {
            let e = e?;
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
    Ok(out)
}

/// What a step did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Progress {
    pub records: u64,
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
    /// Records not yet written of the closed trails at and after the position
    /// (so a trail expired before it was read is reported with its count).
    ahead: BTreeMap<String, u64>,
    /// The trail at the position is closed and was read to its end: its
    /// expiry loses nothing.
    finished: bool,
    /// The trails seen by the last step (to notice rotations and expiry).
    pub seen: Vec<TrailFile>,
}

impl Follower {
    /// Starts at the last record the spool holds (`None`: from the oldest trail).
    pub fn resume(spool: &Spool) -> std::io::Result<Follower> {
        let position = spool.find_last(position_of)?;
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
        let trails = list_trails(dirs)?;
        let mut progress = Progress::default();
        // A trail at the position that is gone while later ones exist was
        // expired: before it was finished, unless it was.
        if let Some(pos) = &self.position {
            let here = trails.iter().any(|t| t.stamp == pos.stamp);
            let later = trails.iter().any(|t| t.stamp > pos.stamp);
            if !here && later {
                let count = self.ahead.remove(&pos.stamp);
                if !self.finished {
                    progress.lost.push((pos.stamp.clone(), count));
                }
                // Resume at the next trail, from its start.
                let next = trails.iter().find(|t| t.stamp > pos.stamp);
                self.position = next.map(|t| Position {
                    stamp: t.stamp.clone(),
                    offset: u64::MAX,
                });
                self.finished = false;
            }
        }
        // Count what is left to read of the closed trails (cheap: framing
        // only), so an expiry of one the follower has not finished is
        // reported with its size in records. The trail at the position is
        // counted from there (it is only ever left unfinished by a failed
        // write, e.g. a full disk, so this runs rarely).
        for t in trails.iter().filter(|t| t.closed) {
            let (from, skip) = match &self.position {
                Some(p) if t.stamp < p.stamp => continue,
                Some(p) if t.stamp == p.stamp && self.finished => continue,
                Some(p) if t.stamp == p.stamp && p.offset != u64::MAX => (p.offset, true),
                _ if self.ahead.contains_key(&t.stamp) => continue,
                _ => (0, false),
            };
            if let Ok(mut f) = File::open(&t.path) {
                let mut n = 0u64;
                if earshot_trail::stream_records(&mut f, from, |_, _| n += 1).is_ok() {
                    // The record at the position was written already.
                    let n = if skip { n.saturating_sub(1) } else { n };
                    self.ahead.insert(t.stamp.clone(), n);
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
            let end = earshot_trail::stream_records(&mut file, start, |rs, bytes| {
                if flush_err.is_some() || Some(rs.offset) == skip {
                    return;
                }
                // One line, with its newline.
                map(&mut buf, bytes, t, rs.offset);
                last = Some(rs.offset);
                progress.records += 1;
                if buf.len() >= batch_bytes {
                    if let Err(e) = spool.append(&buf) {
                        flush_err = Some(e);
                        return;
                    }
                    buf.clear();
                }
            });
            if let Some(e) = flush_err {
                // What was written is durable and will be found on resume;
                // the rest is read again then.
                if let Some(p) = spool.find_last(position_of)? {
                    // A trail before this one was read to its end.
                    self.finished = p.stamp != t.stamp;
                    self.position = Some(p);
                }
                return Err(e);
            }
            end?;
            if !buf.is_empty() {
                spool.append(&buf)?;
                buf.clear();
            }
            if let Some(offset) = last {
                self.position = Some(Position {
                    stamp: t.stamp.clone(),
                    offset,
                });
            } else if self.position.is_none() {
                // An empty first trail: remember it so later ones follow it.
                self.position = Some(Position {
                    stamp: t.stamp.clone(),
                    offset: u64::MAX,
                });
            }
            // Read to its end: a closed trail is done with.
            self.finished = t.closed;
            if t.closed {
                self.ahead.remove(&t.stamp);
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

    fn fixture_offsets() -> (Vec<u8>, Vec<u64>) {
        let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/bsm/mixed_sample.bsm");
        let bytes = std::fs::read(&fixture).unwrap();
        let mut offsets = Vec::new();
        earshot_trail::stream_records(&mut File::open(&fixture).unwrap(), 0, |r, _| {
            offsets.push(r.offset)
        })
        .unwrap();
        (bytes, offsets)
    }

    fn id_line(buf: &mut Vec<u8>, _: &[u8], t: &TrailFile, offset: u64) {
        buf.extend_from_slice(
            format!(
                "{{\"metadata\":{{\"original_event_uid\":\"{}:{offset}\"}}}}\n",
                t.stamp
            )
            .as_bytes(),
        )
    }

    /// A spool whose files rotate at 4 KiB, so records and Earshot's own
    /// events end up in different files.
    fn spool_in(dir: &std::path::Path) -> Spool {
        Spool::open(
            &dir.join("spool"),
            super::super::spool::Limits {
                file_bytes: 4096,
                file_age_secs: 86_400,
                total_bytes: 64 << 20,
            },
            Box::new(|_, seq| format!("{{\"first\":{seq}}}\n").into_bytes()),
        )
        .unwrap()
    }

    /// Earshot's own events after the last record (even a whole spool file
    /// of them) do not hide where the follower stood: a restart goes on from
    /// the last record, not from the oldest trail.
    #[test]
    fn own_events_after_the_last_record_do_not_send_the_trails_again() {
        let (bytes, offsets) = fixture_offsets();
        let tmp = tempfile::tempdir().unwrap();
        let trails = tmp.path().join("audit");
        std::fs::create_dir(&trails).unwrap();
        std::fs::write(trails.join("20261206150000.20261206160000"), &bytes).unwrap();
        let dirs = vec![trails];
        let mut spool = spool_in(tmp.path());
        let mut f = Follower::resume(&spool).unwrap();
        let p = f.step(&dirs, &mut spool, 4096, &mut id_line).unwrap();
        assert_eq!(p.records, offsets.len() as u64);
        // Own events: one long enough to rotate the file, then another, so
        // the active file holds its first line and an own event only.
        let long = format!("{{\"own\":\"{}\"}}\n", "x".repeat(5000));
        spool.append(long.as_bytes()).unwrap();
        spool.append(b"{\"own\":2}\n").unwrap();
        drop(spool);
        let mut spool = spool_in(tmp.path());
        let mut f = Follower::resume(&spool).unwrap();
        assert_eq!(
            f.position.as_ref().map(|p| p.offset),
            offsets.last().copied()
        );
        let p = f.step(&dirs, &mut spool, 4096, &mut id_line).unwrap();
        assert_eq!(p.records, 0);
    }

    /// A closed trail read to its end and then expired lost nothing; one
    /// expired before it was read is reported with its records; a trail
    /// folder that cannot be listed is an error, not an expiry of everything.
    #[test]
    fn expiry_reports_only_what_was_not_read_and_an_unlistable_folder_is_an_error() {
        let (bytes, offsets) = fixture_offsets();
        let tmp = tempfile::tempdir().unwrap();
        let trails = tmp.path().join("audit");
        std::fs::create_dir(&trails).unwrap();
        let first = trails.join("20261206150000.20261206160000");
        std::fs::write(&first, &bytes).unwrap();
        let dirs = vec![trails.clone()];
        let mut spool = spool_in(tmp.path());
        let mut f = Follower::resume(&spool).unwrap();
        f.step(&dirs, &mut spool, 4096, &mut id_line).unwrap();
        // Read to its end, then expired, with a newer trail begun.
        std::fs::remove_file(&first).unwrap();
        let growing = trails.join("20261206160000.not_terminated");
        std::fs::write(&growing, b"").unwrap();
        let p = f.step(&dirs, &mut spool, 4096, &mut id_line).unwrap();
        assert!(p.lost.is_empty(), "{:?}", p.lost);

        // A closed trail the follower has not reached, expired.
        let second = trails.join("20261206153000.20261206155900");
        std::fs::write(&second, &bytes).unwrap();
        // Counted while the follower stood before it (a full disk), then expired.
        let mut counted = Follower {
            position: Some(Position {
                stamp: "20261206160000".into(),
                offset: u64::MAX,
            }),
            ..Follower::default()
        };
        counted
            .ahead
            .insert("20261206153000".into(), offsets.len() as u64);
        std::fs::remove_file(&second).unwrap();
        let p = counted.step(&dirs, &mut spool, 4096, &mut id_line).unwrap();
        assert_eq!(
            p.lost,
            vec![("20261206153000".to_string(), Some(offsets.len() as u64))]
        );

        // The folder's path is now a file: listing fails, nothing is lost.
        std::fs::remove_dir_all(&trails).unwrap();
        std::fs::write(&trails, b"not a folder").unwrap();
        let err = counted
            .step(&dirs, &mut spool, 4096, &mut id_line)
            .unwrap_err();
        assert!(err.to_string().contains("trail folder"), "{err}");
    }
}
