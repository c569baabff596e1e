//! Disk headroom of a trail folder: how far the volume is from the `minfree` soft
//! limit, computed the way the kernel and auditd compute it (audit_control.md §7).
//!
//! Both use `f_bfree` (free blocks including the root reserve). The kernel's
//! low-space trigger fires when `f_bfree < f_blocks / (100 / minfree)` with integer
//! division, i.e. at 100/⌊100/minfree⌋ percent (30 → 33.3 %, 40 → 50 %); auditd's own
//! "soft" test is the exact percentage. The earlier (higher) of the two is the one
//! that matters first, so "bytes left above minfree" uses it.

use std::path::Path;

pub use earshot_model::status::Headroom;

use earshot_system::{DirEntry, FileKind, System, SystemError, VolumeStats};

/// Kernel minfree when audit_control never set one (K `AU_FS_MINFREE`).
pub const KERNEL_DEFAULT_MINFREE: u32 = 20;
/// Fewer free blocks than this and the kernel's write path fails.
pub const HARD_LIMIT_FREE_BLOCKS: u64 = 4;

/// Blocks under which the kernel sends the low-space trigger. 0 disables it; values
/// over 100 are rejected by the kernel (EINVAL), so they yield `None`.
pub fn kernel_threshold_blocks(blocks: u64, minfree: u32) -> Option<u64> {
    match minfree {
        0 => Some(0),
        1..=100 => Some(blocks / u64::from(100 / minfree)),
        _ => None,
    }
}

/// The effective kernel threshold in percent: 100 / ⌊100 / minfree⌋.
pub fn kernel_threshold_percent(minfree: u32) -> Option<f64> {
    match minfree {
        0 => Some(0.0),
        1..=100 => Some(100.0 / f64::from(100 / minfree)),
        _ => None,
    }
}

/// Blocks under which auditd calls a directory "soft" (exact percentage).
pub fn auditd_threshold_blocks(blocks: u64, minfree: u32) -> u64 {
    (u128::from(blocks) * u128::from(minfree.min(100)) / 100) as u64
}

/// Pure computation from a statvfs and folder totals.
pub fn compute(
    dir: &str,
    vol: &VolumeStats,
    minfree: Option<u32>,
    folder: Option<(u64, u64, u64)>,
) -> Headroom {
    let effective = minfree.unwrap_or(KERNEL_DEFAULT_MINFREE);
    let kernel_blocks = kernel_threshold_blocks(vol.blocks, effective).unwrap_or(vol.blocks);
    let auditd_blocks = auditd_threshold_blocks(vol.blocks, effective);
    let threshold = kernel_blocks.max(auditd_blocks);
    let free_percent = if vol.blocks == 0 {
        0.0
    } else {
        vol.blocks_free as f64 * 100.0 / vol.blocks as f64
    };
    Headroom {
        dir: dir.to_string(),
        volume_bytes: vol.total_bytes(),
        free_bytes: vol.free_bytes(),
        free_percent,
        minfree_percent: minfree,
        kernel_threshold_percent: kernel_threshold_percent(effective).unwrap_or(100.0),
        kernel_threshold_bytes: kernel_blocks.saturating_mul(vol.block_size),
        auditd_threshold_bytes: auditd_blocks.saturating_mul(vol.block_size),
        bytes_above_minfree: vol
            .blocks_free
            .saturating_sub(threshold)
            .saturating_mul(vol.block_size),
        below_minfree: effective > 0 && vol.blocks_free < threshold,
        below_hard_limit: vol.blocks_free < HARD_LIMIT_FREE_BLOCKS,
        folder_bytes: folder.map(|f| f.0),
        file_count: folder.map(|f| f.1),
        trail_count: folder.map(|f| f.2),
    }
}

/// Measures one trail folder through the `System`.
pub fn measure(sys: &dyn System, dir: &str, minfree: Option<u32>) -> Result<Headroom, SystemError> {
    let vol = sys.statvfs(Path::new(dir))?;
    let folder = match sys.list_dir(Path::new(dir)) {
        Ok(entries) => {
            let mut bytes = 0;
            let mut files = 0;
            let mut trails = 0;
            for e in entries.iter().filter(|e| e.meta.kind == FileKind::File) {
                bytes += e.meta.len;
                files += 1;
                if e.name.to_str().is_some_and(earshot_trail::is_trail_name) {
                    trails += 1;
                }
            }
            Some((bytes, files, trails))
        }
        Err(e) if e.is_permission_denied() => None,
        Err(e) => return Err(e),
    };
    Ok(crate::headroom::compute(dir, &vol, minfree, folder))
}

/// (bytes, regular files, trails) of a folder listing.
pub fn folder_totals(entries: &[DirEntry]) -> (u64, u64, u64) {
    let mut bytes = 0;
    let mut files = 0;
    let mut trails = 0;
    for e in entries.iter().filter(|e| e.meta.kind == FileKind::File) {
        bytes += e.meta.len;
        files += 1;
        if e.name.to_str().is_some_and(earshot_trail::is_trail_name) {
            trails += 1;
        }
    }
    (bytes, files, trails)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_quantization_matches_spec_table() {
        // audit_control.md §7: 5→5 %, 7→7.14 %, 25→25 %, 30→33.3 %, 40→50 %, 51…100→100 %.
        let p = |m| kernel_threshold_percent(m).unwrap();
        assert_eq!(p(5), 5.0);
        assert!((p(7) - 100.0 / 14.0).abs() < 1e-9);
        assert_eq!(p(25), 25.0);
        assert!((p(30) - 100.0 / 3.0).abs() < 1e-9);
        assert_eq!(p(40), 50.0);
        assert_eq!(p(51), 100.0);
        assert_eq!(p(100), 100.0);
        assert_eq!(p(0), 0.0);
        assert_eq!(kernel_threshold_percent(101), None);
        assert_eq!(kernel_threshold_blocks(1000, 30), Some(333));
        assert_eq!(auditd_threshold_blocks(1000, 30), 300);
    }

    #[test]
    fn bytes_above_uses_the_higher_threshold() {
        let vol = VolumeStats {
            block_size: 4096,
            blocks: 1000,
            blocks_free: 400,
            blocks_available: 400,
        };
        let h = crate::headroom::compute("/var/audit", &vol, Some(30), Some((10, 2, 2)));
        assert_eq!(h.kernel_threshold_bytes, 333 * 4096);
        assert_eq!(h.auditd_threshold_bytes, 300 * 4096);
        assert_eq!(h.bytes_above_minfree, 67 * 4096);
        assert!(!h.below_minfree);
        assert!((h.free_percent - 40.0).abs() < 1e-9);
        let low = crate::headroom::compute(
            "/var/audit",
            &VolumeStats {
                blocks_free: 320,
                blocks_available: 320,
                ..vol
            },
            Some(30),
            None,
        );
        // Above auditd's 30 % but under the kernel's 33.3 %: the trigger fires.
        assert!(low.below_minfree);
        assert_eq!(low.bytes_above_minfree, 0);
        assert_eq!(low.folder_bytes, None);
    }

    #[test]
    fn missing_minfree_uses_kernel_default() {
        let vol = VolumeStats {
            block_size: 512,
            blocks: 100,
            blocks_free: 3,
            blocks_available: 3,
        };
        let h = crate::headroom::compute("/var/audit", &vol, None, None);
        assert_eq!(h.kernel_threshold_percent, 20.0);
        assert!(h.below_minfree);
        assert!(h.below_hard_limit);
    }
}
