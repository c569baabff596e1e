//! The status snapshot on disk (docs/snapshot.md): written atomically at
//! [`SNAPSHOT_PATH`] (under the simulated Mac's root there), mode 0640, owned
//! root:admin on a Mac — MDM scripts and fleetd run as root, admins may read
//! it, standard users may not learn which audit rules fail.

use std::path::Path;

use earshot_model::snapshot::{Snapshot, SNAPSHOT_PATH};
use earshot_system::System;

use crate::fsutil::write_atomic;

/// The snapshot file's mode.
pub const MODE: u32 = 0o640;

/// The `admin` group on macOS.
#[cfg(target_os = "macos")]
pub(crate) const ADMIN_GID: u32 = 80;

/// Writes `snap` where fleet tools read it.
pub fn write(sys: &dyn System, snap: &Snapshot) -> Result<(), String> {
    let path = Path::new(SNAPSHOT_PATH);
    let real = sys.resolve(path).map_err(|e| e.to_string())?;
    if let Some(dir) = real.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let mut bytes = serde_json::to_vec_pretty(snap).map_err(|e| e.to_string())?;
    bytes.push(b'\n');
    write_atomic(&real, &bytes, MODE).map_err(|e| e.to_string())?;
    #[cfg(target_os = "macos")]
    std::os::unix::fs::chown(&real, Some(0), Some(ADMIN_GID))
        .map_err(|e| format!("{}: {e}", real.display()))?;
    Ok(())
}
