//! `/dev/auditpipe` on macOS: a private pipe in local preselection mode with its
//! own `flags`/`naflags` masks, read for a while. The kernel copies every record
//! those masks select into the pipe's queue (macos_ops.md §6); what the records
//! mean is the caller's business (earshot-tuning counts them). Needs root (the
//! device is 0600). Only the ioctls and reads live here.

use std::io::Read;
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

/// `au_mask_t`: the success and failure halves of a class mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(C)]
pub struct Mask {
    pub success: libc::c_uint,
    pub failure: libc::c_uint,
}

/// What failed, and the OS's error.
#[derive(Debug)]
pub struct PipeError {
    /// The step: `opening /dev/auditpipe (root only)`, `SET_PRESELECT_FLAGS`, …
    pub what: String,
    pub source: std::io::Error,
}

// <security/audit/audit_ioctl.h>: _IOW/_IOR('A', nr, type) with macOS's
// encoding (IOC_IN 0x80000000, IOC_OUT 0x40000000, size << 16, 'A' << 8).
const SET_QLIMIT: libc::c_ulong = 0x8004_4103; // _IOW('A', 3, u_int)
const GET_QLIMIT_MAX: libc::c_ulong = 0x4004_4105; // _IOR('A', 5, u_int)
const SET_PRESELECT_FLAGS: libc::c_ulong = 0x8008_4107; // _IOW('A', 7, au_mask_t)
const SET_PRESELECT_NAFLAGS: libc::c_ulong = 0x8008_4109; // _IOW('A', 9, au_mask_t)
const SET_PRESELECT_MODE: libc::c_ulong = 0x8004_410f; // _IOW('A', 15, int)
const FLUSH: libc::c_ulong = 0x2000_4110; // _IO('A', 16)
const GET_DROPS: libc::c_ulong = 0x4008_4166; // _IOR('A', 102, u_int64_t)
const PRESELECT_MODE_LOCAL: libc::c_int = 2;

// The argument sizes encoded in the request numbers above (bits 16..29).
const _: () = assert!(
    std::mem::size_of::<Mask>() == 8
        && std::mem::size_of::<libc::c_uint>() == 4
        && std::mem::size_of::<libc::c_int>() == 4
);

fn ioctl<T>(fd: libc::c_int, req: libc::c_ulong, arg: *mut T, what: &str) -> Result<(), PipeError> {
    // SAFETY: `arg` points to a live value of the type the request expects.
    let rc = unsafe { libc::ioctl(fd, req, arg) };
    if rc == -1 {
        return Err(PipeError {
            what: what.to_string(),
            source: std::io::Error::last_os_error(),
        });
    }
    Ok(())
}

/// Opens a pipe selecting `flags` (attributable) and `naflags`
/// (non-attributable), hands every chunk it reads to `on_bytes` for
/// `duration` of wall time, and returns how many records the kernel dropped
/// meanwhile (queue overflow: the counts are then a floor).
pub fn read_local(
    flags: Mask,
    naflags: Mask,
    duration: Duration,
    on_bytes: &mut dyn FnMut(&[u8]),
) -> Result<u64, PipeError> {
    let mut pipe = std::fs::File::open("/dev/auditpipe").map_err(|e| PipeError {
        what: "opening /dev/auditpipe (root only)".into(),
        source: e,
    })?;
    let fd = pipe.as_raw_fd();
    let mut max: libc::c_uint = 0;
    ioctl(fd, GET_QLIMIT_MAX, &mut max, "GET_QLIMIT_MAX")?;
    // The largest queue the kernel allows: bursts between reads are then
    // less likely to overflow it (drops are reported, not hidden).
    ioctl(fd, SET_QLIMIT, &mut max, "SET_QLIMIT")?;
    let (mut flags, mut naflags) = (flags, naflags);
    ioctl(fd, SET_PRESELECT_FLAGS, &mut flags, "SET_PRESELECT_FLAGS")?;
    ioctl(
        fd,
        SET_PRESELECT_NAFLAGS,
        &mut naflags,
        "SET_PRESELECT_NAFLAGS",
    )?;
    let mut mode = PRESELECT_MODE_LOCAL;
    ioctl(fd, SET_PRESELECT_MODE, &mut mode, "SET_PRESELECT_MODE")?;
    // Records queued under the default (trail) selection before the switch.
    ioctl(fd, FLUSH, std::ptr::null_mut::<u8>(), "FLUSH")?;
    // The drop counter counts from the pipe's opening and FLUSH does not reset
    // it; only drops after the switch to the trial's masks belong to the trial.
    // xnu writes only 32 bits into the 64-bit argument: start from zero.
    let mut drops_before: u64 = 0;
    ioctl(fd, GET_DROPS, &mut drops_before, "GET_DROPS")?;
    let deadline = Instant::now() + duration;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        let mut pfd = libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        };
        let ms = left.as_millis().min(1000) as libc::c_int;
        // SAFETY: one valid pollfd.
        let rc = unsafe { libc::poll(&mut pfd, 1, ms) };
        if rc < 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return Err(PipeError {
                what: "polling /dev/auditpipe".into(),
                source: e,
            });
        }
        if rc == 0 {
            continue;
        }
        let n = pipe.read(&mut buf).map_err(|e| PipeError {
            what: "reading /dev/auditpipe".into(),
            source: e,
        })?;
        on_bytes(&buf[..n]);
    }
    let mut drops: u64 = 0;
    ioctl(fd, GET_DROPS, &mut drops, "GET_DROPS")?;
    // The kernel's counter is a 32-bit `u_int`: subtract in its width, so a
    // wrap during the trial still gives the right difference.
    Ok(u64::from((drops as u32).wrapping_sub(drops_before as u32)))
}
