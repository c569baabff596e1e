//! The OCSF event export (docs/ocsf.md): the trails as OCSF 1.9 events, one
//! JSON object a line, in a spool folder log shippers tail — with Earshot's
//! own events (every audit_control revision, health transitions, trail
//! rotation and expiry, compliance results) in the same stream.
//!
//! It runs in the helper, on a thread of its own: the helper is already root,
//! already reads the trails and the managed configuration, and already knows
//! every revision as it is recorded — a second root daemon would have to be
//! installed, secured and kept in step for nothing (docs/security.md).

pub mod follower;
pub mod spool;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use earshot_api::Event;
use earshot_model::compliance::Status as RuleStatus;
use earshot_model::history::RevisionSource;
use earshot_model::status::ExportStatus;
use earshot_ocsf::{
    ChangeOrigin, ComplianceChange, ComplianceStatus, ConfigChange, HealthChange, HealthTransition,
    Host, Mapper, RecordsLost, Requester, SpoolStart, TrailAction, TrailChange, TrailId,
};
use tokio::sync::broadcast::error::TryRecvError;

use crate::keeper::Keeper;
use follower::{Follower, TrailFile};
use spool::{Limits, Spool};

/// Where the spool goes unless a profile (`EventExportPath`) or the helper's
/// command line says otherwise (a macOS path; under a simulated Mac's root).
pub const DEFAULT_DIR: &str = "/var/log/earshot/events";
/// The spool's cap unless a profile (`EventExportMaxMB`) says otherwise.
pub const DEFAULT_MAX_MB: u32 = 512;
/// Output bytes per durable batch.
const BATCH_BYTES: usize = 256 << 10;
/// How often the health and the compliance results are looked at.
const HEALTH_EVERY: Duration = Duration::from_secs(15);
const COMPLIANCE_EVERY: Duration = Duration::from_secs(60);
/// The last compliance results written, so a restart does not repeat them.
const COMPLIANCE_STATE: &str = "export-compliance.json";
/// The newest revision written to the spool: every revision reaches it, even
/// one recorded while the export was off or the helper was being killed.
const REVISION_STATE: &str = "export-revision";
/// How often the export's configuration (the profile) is read again.
const CONFIG_EVERY: Duration = Duration::from_secs(2);
/// How often history is looked at without a revision event to wake it.
const REVISIONS_EVERY: Duration = Duration::from_secs(10);

/// What the helper's command line says about the export.
#[derive(Debug, Clone, Default)]
pub struct ExportArgs {
    /// `--export`: on unless a profile turns it off.
    pub enabled: bool,
    /// `--export-dir`: the spool folder (a macOS path).
    pub dir: Option<String>,
    /// `--export-max-mb`.
    pub max_mb: Option<u32>,
}

/// The export's configuration in force: the profile's keys win over the
/// command line (an organisation's choice is not the local admin's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportConfig {
    /// The spool folder, as a macOS path.
    pub dir: String,
    pub max_mb: u32,
}

pub fn config(args: &ExportArgs, m: &earshot_model::managed::Managed) -> Option<ExportConfig> {
    let enabled = m.event_export_enabled.unwrap_or(args.enabled);
    enabled.then(|| ExportConfig {
        dir: m
            .event_export_path
            .clone()
            .or_else(|| args.dir.clone())
            .unwrap_or_else(|| DEFAULT_DIR.to_string()),
        max_mb: m
            .event_export_max_mb
            .or(args.max_mb)
            .unwrap_or(DEFAULT_MAX_MB),
    })
}

/// This Mac for the events' `device` and their ids: the hostname, and an id
/// made once and kept in the state folder (it survives renaming the Mac).
fn host(state_dir: &Path) -> Host {
    let hostname = nix::unistd::gethostname()
        .ok()
        .and_then(|h| h.into_string().ok())
        .unwrap_or_default();
    let path = state_dir.join("host-id");
    let uid = std::fs::read_to_string(&path)
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| s.len() == 36)
        .or_else(|| {
            let mut b = earshot_api::auth::random_bytes::<16>().ok()?;
            // A version 4 (random) UUID.
            b[6] = (b[6] & 0x0f) | 0x40;
            b[8] = (b[8] & 0x3f) | 0x80;
            let id = bsm::text::uuid(&b);
            crate::fsutil::write_atomic(&path, id.as_bytes(), 0o600).ok()?;
            Some(id)
        });
    Host {
        hostname,
        uid,
        ..Host::default()
    }
}

/// The export thread's state.
struct Export {
    cfg: ExportConfig,
    real_dir: PathBuf,
    spool: Spool,
    follower: Follower,
    mapper: Mapper,
    status: ExportStatus,
    last_health: Option<(bool, bool)>,
    /// Trails lost whose events are not written yet: (stamp, records).
    pending_lost: Vec<(String, Option<u64>)>,
    health_at: Option<Instant>,
    compliance_at: Option<Instant>,
    revisions_at: Option<Instant>,
    /// The newest revision written (from REVISION_STATE, read once).
    revision_last: Option<u64>,
    /// The rule results last written (from COMPLIANCE_STATE, read once).
    compliance_last: Option<BTreeMap<String, RuleStatus>>,
}

/// The first line of each spool file: an Event Log Activity "Rotate" event
/// unique to the file (its sequence and time), for shippers that fingerprint
/// a file by its first bytes.
fn first_line(mapper: Mapper, dir: &Path) -> spool::FirstLine {
    let path = dir.join(spool::ACTIVE).to_string_lossy().into_owned();
    Box::new(move |now, sequence| {
        let mut out = Vec::new();
        mapper.spool_start(
            &mut out,
            &SpoolStart {
                time: SystemTime::UNIX_EPOCH + Duration::from_secs(now),
                path: path.clone(),
                sequence,
                previous: None,
            },
        );
        out
    })
}

impl Export {
    fn open(keeper: &Keeper, cfg: ExportConfig) -> Result<Export, String> {
        let machine = keeper.machine().map_err(|e| e.reason)?;
        let real_dir = machine
            .sys
            .resolve(Path::new(&cfg.dir))
            .map_err(|e| e.to_string())?;
        let (_, events) = earshot_system::audit_tables(machine.sys);
        let mapper = Mapper::new(&events, host(keeper.state_dir()));
        let spool = Spool::open(
            &real_dir,
            Limits::from_total_mb(cfg.max_mb),
            first_line(mapper.clone(), &real_dir),
        )
        .map_err(|e| format!("{}: {e}", real_dir.display()))?;
        let follower = Follower::resume(&spool).map_err(|e| e.to_string())?;
        let status = ExportStatus {
            dir: cfg.dir.clone(),
            position: follower.position.as_ref().map(ToString::to_string),
            ..ExportStatus::default()
        };
        Ok(Export {
            cfg,
            real_dir,
            spool,
            follower,
            mapper,
            status,
            last_health: None,
            pending_lost: Vec::new(),
            health_at: None,
            compliance_at: None,
            revisions_at: None,
            revision_last: None,
            compliance_last: None,
        })
    }

    fn write(&mut self, line: Vec<u8>) -> std::io::Result<()> {
        self.spool.append(&line)?;
        self.status.events_written += 1;
        Ok(())
    }

    /// Reads the trails on; returns how many records it wrote.
    fn follow(&mut self, keeper: &Keeper, now: SystemTime) -> std::io::Result<u64> {
        let Ok(machine) = keeper.machine() else {
            return Ok(0);
        };
        let dirs = earshot_tuning::facts::trail_dirs(machine.sys);
        let before = self.follower.seen.clone();
        let mapper = &self.mapper;
        let mut map = |out: &mut Vec<u8>, bytes: &[u8], t: &TrailFile, offset: u64| {
            let mut reader = bsm::read::Reader::with_base(bytes, offset);
            if let Some(bsm::read::Item::Record(rec)) = reader.next() {
                mapper.record(out, &rec, &TrailId::from_name(&t.name));
            }
        };
        let progress = self
            .follower
            .step(&dirs, &mut self.spool, BATCH_BYTES, &mut map)?;
        self.status.events_written += progress.records;
        // The follower has moved past them: their events are kept until
        // written (a full disk), and counted once they are.
        self.pending_lost.extend(progress.lost);
        while let Some((stamp, count)) = self.pending_lost.first().cloned() {
            let mut line = Vec::new();
            self.mapper.records_lost(
                &mut line,
                &RecordsLost {
                    time: now,
                    path: format!("{stamp}.*"),
                    lost_records: count.unwrap_or(0),
                    lost_bytes: None,
                },
            );
            self.write(line)?;
            self.pending_lost.remove(0);
            match count {
                Some(n) => self.status.lost_records += n,
                None => self.status.lost_trails_uncounted += 1,
            }
        }
        self.trail_changes(&before, now)?;
        self.status.position = self.follower.position.as_ref().map(ToString::to_string);
        Ok(progress.records)
    }

    /// Rotations and expiries auditd made since the last look.
    fn trail_changes(&mut self, before: &[TrailFile], now: SystemTime) -> std::io::Result<()> {
        if before.is_empty() {
            return Ok(());
        }
        let after = self.follower.seen.clone();
        let newest = after.last().map(|t| t.path.to_string_lossy().into_owned());
        for old in before {
            let now_file = after.iter().find(|t| t.stamp == old.stamp);
            let change = match now_file {
                Some(n) if !old.closed && n.closed => Some(TrailChange {
                    time: now,
                    action: TrailAction::Rotated,
                    path: n.path.to_string_lossy().into_owned(),
                    size: std::fs::metadata(&n.path).ok().map(|m| m.len()),
                    next: newest.clone(),
                }),
                None => Some(TrailChange {
                    time: now,
                    action: TrailAction::Expired,
                    path: old.path.to_string_lossy().into_owned(),
                    size: None,
                    next: None,
                }),
                _ => None,
            };
            if let Some(c) = change {
                let mut line = Vec::new();
                self.mapper.trail_change(&mut line, &c);
                self.write(line)?;
            }
        }
        Ok(())
    }

    /// Every revision recorded since the last one written, oldest first: the
    /// off-host copy of the history and its chain head. The number written
    /// last is kept in the state folder after the spool has it, so a kill in
    /// between writes one revision again (same `metadata.uid`), never none.
    fn revisions(&mut self, keeper: &Keeper, woken: bool) -> std::io::Result<()> {
        if !woken
            && self
                .revisions_at
                .is_some_and(|t| t.elapsed() < REVISIONS_EVERY)
        {
            return Ok(());
        }
        self.revisions_at = Some(Instant::now());
        let state_path = keeper.state_dir().join(REVISION_STATE);
        let mut last = *self.revision_last.get_or_insert_with(|| {
            std::fs::read_to_string(&state_path)
                .ok()
                .and_then(|s| s.trim().parse().ok())
                .unwrap_or(0)
        });
        loop {
            let Ok(batch) = keeper.revisions_after(last, 64) else {
                return Ok(());
            };
            let Some(newest) = batch.last().map(|r| r.number) else {
                return Ok(());
            };
            let mut lines = Vec::new();
            for info in &batch {
                self.revision(&mut lines, info);
            }
            self.spool.append(&lines)?;
            self.status.events_written += batch.len() as u64;
            last = newest;
            self.revision_last = Some(last);
            crate::fsutil::write_atomic(&state_path, last.to_string().as_bytes(), 0o600)
                .map_err(|e| std::io::Error::other(e.to_string()))?;
        }
    }

    /// One revision's event.
    fn revision(&self, out: &mut Vec<u8>, info: &earshot_model::history::RevisionInfo) {
        let origin = match info.source {
            RevisionSource::Rollback => ChangeOrigin::Rollback,
            RevisionSource::AutoRevert => ChangeOrigin::AutoRevert,
            RevisionSource::External | RevisionSource::Original => ChangeOrigin::Outside,
            _ => ChangeOrigin::Earshot,
        };
        self.mapper.config_change(
            out,
            &ConfigChange {
                time: SystemTime::UNIX_EPOCH + Duration::from_secs(info.time_unix),
                revision: info.number,
                previous_revision: info.number.checked_sub(1).filter(|n| *n > 0),
                chain_hash: info.chain.clone(),
                origin,
                summaries: if info.changes.is_empty() {
                    vec![info.reason.clone()]
                } else {
                    info.changes.iter().map(|c| c.summary.clone()).collect()
                },
                requester: Some(Requester {
                    uid: Some(info.uid),
                    pid: None,
                    app: None,
                }),
            },
        );
    }

    /// Auditing stopped or started, the volume below minfree or back above.
    fn health(&mut self, keeper: &Keeper, now: SystemTime) -> std::io::Result<()> {
        if self.health_at.is_some_and(|t| t.elapsed() < HEALTH_EVERY) {
            return Ok(());
        }
        self.health_at = Some(Instant::now());
        let Ok(st) = keeper.status() else {
            return Ok(());
        };
        let code = |c: &str| st.findings.iter().any(|f| f.code == c);
        let auditing = ["auditing", "low-space", "recovered-from-crash", "stalled"]
            .iter()
            .any(|c| code(c));
        let below = code("low-space") || code("stopped-for-space");
        let state = (auditing, below);
        let Some(last) = self.last_health.replace(state) else {
            return Ok(());
        };
        let mut transitions = Vec::new();
        if last.0 != auditing {
            transitions.push(if auditing {
                HealthTransition::AuditingStarted
            } else {
                HealthTransition::AuditingStopped
            });
        }
        if last.1 != below {
            transitions.push(if below {
                HealthTransition::BelowMinfree
            } else {
                HealthTransition::AboveMinfree
            });
        }
        for transition in transitions {
            let mut line = Vec::new();
            self.mapper.health_change(
                &mut line,
                &HealthChange {
                    time: now,
                    transition,
                    message: Some(st.summary.clone()),
                    free_bytes: None,
                },
            );
            self.write(line)?;
        }
        Ok(())
    }

    /// Compliance results per rule, when they change, from the snapshot the
    /// helper keeps (docs/snapshot.md).
    fn compliance(&mut self, keeper: &Keeper, now: SystemTime) -> std::io::Result<()> {
        if self
            .compliance_at
            .is_some_and(|t| t.elapsed() < COMPLIANCE_EVERY)
        {
            return Ok(());
        }
        self.compliance_at = Some(Instant::now());
        let Ok(machine) = keeper.machine() else {
            return Ok(());
        };
        let Ok(bytes) = machine
            .sys
            .read_file(Path::new(earshot_model::snapshot::SNAPSHOT_PATH))
        else {
            return Ok(());
        };
        let Ok(snap) = serde_json::from_slice::<earshot_model::snapshot::Snapshot>(&bytes) else {
            return Ok(());
        };
        let state_path = keeper.state_dir().join(COMPLIANCE_STATE);
        let last = self.compliance_last.get_or_insert_with(|| {
            std::fs::read(&state_path)
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok())
                .unwrap_or_default()
        });
        // The rule results a finding can carry (the rest are not findings).
        let word = |s: RuleStatus| match s {
            RuleStatus::Pass => Some(ComplianceStatus::Pass),
            RuleStatus::Fail => Some(ComplianceStatus::Fail),
            RuleStatus::Unknown => Some(ComplianceStatus::Warning),
            _ => None,
        };
        let mut lines = Vec::new();
        let mut changed = Vec::new();
        for rule in &snap.baseline.rules {
            let Some(status) = word(rule.status) else {
                continue;
            };
            let before = last.get(&rule.id).copied();
            if before == Some(rule.status) {
                continue;
            }
            self.mapper.compliance_change(
                &mut lines,
                &ComplianceChange {
                    time: now,
                    rule_id: rule.id.clone(),
                    title: None,
                    status,
                    previous: before.and_then(word),
                    closed: false,
                    standards: vec![format!(
                        "{} (mSCP {})",
                        snap.baseline.title, snap.baseline.mscp_release
                    )],
                    requirements: Vec::new(),
                    detail: None,
                    remediation: None,
                },
            );
            changed.push((rule.id.clone(), rule.status));
        }
        if changed.is_empty() {
            return Ok(());
        }
        self.spool.append(&lines)?;
        self.status.events_written += changed.len() as u64;
        last.extend(changed);
        let json = serde_json::to_vec(&*last).unwrap_or_default();
        let _ = crate::fsutil::write_atomic(&state_path, &json, 0o600);
        Ok(())
    }
}

/// Runs the export until the process ends: picks up the configuration (and
/// its changes) each turn, follows the trails, writes Earshot's own events,
/// rotates and caps the spool, and reports its state to the keeper.
pub fn run(keeper: Arc<Keeper>, args: ExportArgs) {
    let mut events = keeper.subscribe();
    let mut export: Option<Export> = None;
    let mut paused_until: Option<Instant> = None;
    let mut cfg: Option<ExportConfig> = None;
    let mut cfg_at: Option<Instant> = None;
    loop {
        // The profile is read every couple of seconds, not every turn.
        if cfg_at.is_none_or(|t| t.elapsed() >= CONFIG_EVERY) {
            cfg = config(&args, &keeper.managed());
            cfg_at = Some(Instant::now());
        }
        if export.as_ref().map(|e| &e.cfg) != cfg.as_ref() {
            export = None;
            keeper.set_export_status(None);
        }
        let Some(cfg) = cfg.clone() else {
            std::thread::sleep(CONFIG_EVERY);
            continue;
        };
        if paused_until.is_some_and(|t| Instant::now() < t) {
            std::thread::sleep(Duration::from_millis(250));
            continue;
        }
        if export.is_none() {
            match Export::open(&keeper, cfg.clone()) {
                Ok(e) => export = Some(e),
                Err(why) => {
                    keeper.set_export_status(Some(ExportStatus {
                        dir: cfg.dir.clone(),
                        paused: Some(why),
                        ..ExportStatus::default()
                    }));
                    paused_until = Some(Instant::now() + Duration::from_secs(5));
                    continue;
                }
            }
        }
        let Some(x) = export.as_mut() else { continue };
        let now = keeper
            .machine()
            .map(|m| m.sys.now())
            .unwrap_or_else(|_| SystemTime::now());
        // Revisions first: they happened before the records read now. An
        // event only wakes the catch-up; what is written comes from history.
        let mut woken = false;
        loop {
            match events.try_recv() {
                Ok(Event::Revision(_)) | Err(TryRecvError::Lagged(_)) => woken = true,
                Ok(_) => {}
                Err(_) => break,
            }
        }
        let mut result: std::io::Result<u64> = x.revisions(&keeper, woken).map(|()| 0);
        if result.is_ok() {
            result = x.follow(&keeper, now);
        }
        if result.is_ok() {
            result = x.health(&keeper, now).map(|()| 0);
        }
        if result.is_ok() {
            result = x.compliance(&keeper, now).map(|()| 0);
        }
        if result.is_ok() {
            // Size rotations happen as batches are written; this catches age.
            result = x.spool.rotate_if_due().map(|_| 0);
        }
        x.status.files_dropped = x.spool.counters.files_dropped;
        x.status.bytes_dropped = x.spool.counters.bytes_dropped;
        let busy = match result {
            Ok(n) => {
                x.status.paused = None;
                n > 0
            }
            Err(e) => {
                // A full disk, an unwritable folder, a trail folder that
                // cannot be listed: nothing was half written, and the
                // follower stands where the spool does; try again later.
                x.status.paused = Some(format!("{}: {e}", x.real_dir.display()));
                paused_until = Some(Instant::now() + Duration::from_secs(5));
                false
            }
        };
        keeper.set_export_status(Some(x.status.clone()));
        if !busy {
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}
