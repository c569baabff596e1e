//! Named failure points in the apply pipeline, compiled in only with the
//! `fault-injection` feature (which only the test build enables).
//!
//! `EARSHOT_FAULT=STEP:ACTION` makes the helper process act at `STEP`:
//! `kill` sends itself SIGKILL (a power cut as far as the files are concerned),
//! `enospc` / `eio` make that step fail with that errno. Tests in-process use
//! [`Faults::set`] instead of the environment.

use std::sync::Mutex;

/// The steps of [`crate::keeper::Keeper`]'s pipeline, in order. One more
/// point, `restore-flags` (putting `uchg` back after the rename), is reached
/// only when the file had the flag, so it is not in this list.
pub const STEPS: &[&str] = &[
    "snapshot",
    "journal",
    "write",
    "temp-written",
    "renamed",
    "dir-sync",
    "dir-synced",
    "reloaded",
    "verified",
    "recorded",
    "done",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Kill,
    Errno(i32),
}

/// The faults armed for one keeper.
#[derive(Debug, Default)]
pub struct Faults {
    #[cfg_attr(not(feature = "fault-injection"), allow(dead_code))]
    armed: Mutex<Option<(String, Fault)>>,
}

impl Faults {
    /// Arm `fault` at `step` (in-process tests).
    #[cfg(feature = "fault-injection")]
    pub fn set(&self, step: &str, fault: Fault) {
        *self.armed.lock().unwrap_or_else(|e| e.into_inner()) = Some((step.to_string(), fault));
    }

    /// Arm from `EARSHOT_FAULT`, if set.
    #[cfg(feature = "fault-injection")]
    pub fn from_env() -> Faults {
        let faults = Faults::default();
        if let Ok(spec) = std::env::var("EARSHOT_FAULT") {
            if let Some((step, action)) = spec.split_once(':') {
                let fault = match action {
                    "kill" => Some(Fault::Kill),
                    "enospc" => Some(Fault::Errno(libc::ENOSPC)),
                    "eio" => Some(Fault::Errno(libc::EIO)),
                    _ => None,
                };
                if let Some(fault) = fault {
                    faults.set(step, fault);
                }
            }
        }
        faults
    }

    #[cfg(not(feature = "fault-injection"))]
    pub fn from_env() -> Faults {
        Faults::default()
    }

    /// Called at each named step; a no-op unless armed for this step.
    #[cfg(feature = "fault-injection")]
    pub fn hit(&self, step: &str) -> std::io::Result<()> {
        let armed = *self
            .armed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .filter(|(s, _)| s == step)
            .map(|(_, f)| f)
            .unwrap_or(&Fault::Errno(0));
        match armed {
            Fault::Kill => {
                let _ = nix::sys::signal::kill(nix::unistd::getpid(), nix::sys::signal::SIGKILL);
                Ok(())
            }
            Fault::Errno(0) => Ok(()),
            Fault::Errno(errno) => Err(std::io::Error::from_raw_os_error(errno)),
        }
    }

    #[cfg(not(feature = "fault-injection"))]
    #[inline(always)]
    pub fn hit(&self, _step: &str) -> std::io::Result<()> {
        Ok(())
    }
}
