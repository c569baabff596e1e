//! A [`Platform`] over a plain folder laid out like a Mac (`ROOT/etc/security/
//! audit_control`), for tests and for running the helper where no simulated
//! auditd is wanted: audit operations are recorded, not performed.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use earshot_api::{Finding, TrailStatsReport};

use crate::platform::{AuditOp, Platform};

/// A folder standing in for a Mac.
#[derive(Debug)]
pub struct FolderPlatform {
    root: PathBuf,
    /// Seconds since the epoch; 0 means "use the wall clock".
    clock: Arc<AtomicU64>,
    ops: Mutex<Vec<AuditOp>>,
    fail_reload: std::sync::atomic::AtomicBool,
    /// When set, each `audit -s` waits for one message (tests hold an apply
    /// in the middle of the pipeline, with the mutation lock taken).
    reload_gate: Mutex<Option<std::sync::mpsc::Receiver<()>>>,
    /// audit_control's BSD flags, and every value `chflags` set, in order.
    flags: Mutex<(Option<u32>, Vec<u32>)>,
}

impl FolderPlatform {
    pub fn new(root: &Path) -> FolderPlatform {
        FolderPlatform {
            root: root.to_path_buf(),
            clock: Arc::new(AtomicU64::new(0)),
            ops: Mutex::new(Vec::new()),
            fail_reload: false.into(),
            reload_gate: Mutex::new(None),
            flags: Mutex::new((None, Vec::new())),
        }
    }

    /// A hand-moved clock shared with the caller (tests never sleep).
    pub fn with_clock(mut self, clock: Arc<AtomicU64>) -> FolderPlatform {
        self.clock = clock;
        self
    }

    /// The audit operations run so far.
    pub fn ops(&self) -> Vec<AuditOp> {
        self.ops.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// From now on each `audit -s` blocks until the returned sender sends one
    /// message (or is dropped).
    pub fn hold_reloads(&self) -> std::sync::mpsc::Sender<()> {
        let (tx, rx) = std::sync::mpsc::channel();
        *self.reload_gate.lock().unwrap_or_else(|e| e.into_inner()) = Some(rx);
        tx
    }

    /// Give audit_control BSD flags (as `chflags` by an admin would).
    pub fn put_flags(&self, flags: u32) {
        self.flags.lock().unwrap_or_else(|e| e.into_inner()).0 = Some(flags);
    }

    /// The flags now, and every value the keeper set, in order.
    pub fn flag_history(&self) -> (Option<u32>, Vec<u32>) {
        self.flags.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Make `audit -s` fail, as it does when auditd is not loaded.
    pub fn set_reload_fails(&self, fails: bool) {
        self.fail_reload.store(fails, Ordering::SeqCst);
    }
}

impl Platform for FolderPlatform {
    fn control_path(&self) -> PathBuf {
        self.root.join("etc/security/audit_control")
    }

    fn control_location(&self) -> crate::control::ControlLocation {
        crate::control::ControlLocation::under(&self.root)
    }

    fn audit(&self, op: AuditOp) -> Result<(), String> {
        self.ops.lock().unwrap_or_else(|e| e.into_inner()).push(op);
        if op == AuditOp::Sync {
            if let Some(gate) = self
                .reload_gate
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .as_ref()
            {
                let _ = gate.recv();
            }
        }
        if op == AuditOp::Sync && self.fail_reload.load(Ordering::SeqCst) {
            return Err("Could not communicate with auditd".into());
        }
        Ok(())
    }

    fn now_unix(&self) -> u64 {
        match self.clock.load(Ordering::SeqCst) {
            0 => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            t => t,
        }
    }

    fn simulated(&self) -> bool {
        true
    }

    fn findings(&self) -> Vec<Finding> {
        Vec::new()
    }

    fn control_flags(&self) -> Option<u32> {
        self.flags.lock().unwrap_or_else(|e| e.into_inner()).0
    }

    fn set_control_flags(&self, flags: u32) -> std::io::Result<()> {
        let mut f = self.flags.lock().unwrap_or_else(|e| e.into_inner());
        f.0 = Some(flags);
        f.1.push(flags);
        Ok(())
    }

    fn trail_stats(&self) -> Result<TrailStatsReport, String> {
        Ok(TrailStatsReport {
            files: Vec::new(),
            total_bytes: 0,
            total_records: 0,
        })
    }
}
