//! Small OS tunables of Earshot's own processes, kept here with the rest of
//! the unsafe code: file flags of one path, and glibc's allocator.

use std::path::Path;

/// BSD flags (`st_flags`) of `real`, without following a link (macOS only;
/// `None` elsewhere).
#[cfg(target_os = "macos")]
pub fn file_flags(real: &Path) -> Option<u32> {
    use std::os::macos::fs::MetadataExt;
    std::fs::symlink_metadata(real).ok().map(|m| m.st_flags())
}

#[cfg(not(target_os = "macos"))]
pub fn file_flags(_real: &Path) -> Option<u32> {
    None
}

/// `lchflags(2)`: set `real`'s BSD flags without following a link. Linux has
/// no BSD flags (the simulated Mac keeps its own); there this does nothing.
#[cfg(target_os = "macos")]
pub fn set_file_flags(real: &Path, flags: u32) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(real.as_os_str().as_bytes())
        .map_err(|_| std::io::Error::other("path contains NUL"))?;
    // SAFETY: `c` is a valid NUL-terminated path for the duration of the call.
    let rc = unsafe { libc::lchflags(c.as_ptr(), flags as _) };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "macos"))]
pub fn set_file_flags(_real: &Path, _flags: u32) -> std::io::Result<()> {
    Ok(())
}

/// glibc gives each thread that mallocs its own arena and keeps what they
/// once held: a burst of concurrent requests left the helper at ~200 MB for
/// good. Two arenas are plenty for a daemon that serialises its changes.
/// (macOS's malloc has no such arenas.) Call before any thread starts.
pub fn bound_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator tunable; called before any
    // thread is started.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

/// Return freed heap pages to the system: a burst of requests leaves tens of
/// megabytes free but resident, which glibc keeps unless asked. Cheap when
/// there is nothing to give back.
pub fn give_back_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory; no pointer is involved.
    unsafe {
        libc::malloc_trim(0);
    }
}
