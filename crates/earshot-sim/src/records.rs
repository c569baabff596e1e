//! Real BSM records for the simulated Mac, shaped like xnu's kernel records
//! (`kaudit_to_bsm`: header, event-specific argument/path/attribute tokens, then
//! subject, return and trailer) and auditd's own text records, written with the
//! `bsm` crate's libbsm-exact writer.

use bsm::token::Addr;
use bsm::write::{RecordBuilder, SubjectInfo};

use super::rng::SimRng;
use earshot_system::PolicySettings;

/// An event the workload can produce, resolved against audit_event.
#[derive(Debug, Clone, PartialEq)]
pub struct SimEvent {
    pub number: u16,
    pub name: &'static str,
    pub class_mask: u32,
    /// Per second, per session.
    pub user_rate: f64,
    /// Per second, system-wide.
    pub system_rate: f64,
    pub failure: f64,
}

/// Who and when.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RecordContext {
    /// Unix seconds with fraction.
    pub time: f64,
    /// `u32::MAX` (AU_DEFAUDITID) for non-attributable activity.
    pub auid: u32,
    pub asid: u32,
    pub success: bool,
    pub policy: PolicySettings,
}

const USER_PATHS: &[&str] = &[
    "/Users/dev/src/earshot/Cargo.toml",
    "/Users/dev/src/earshot/target/debug/deps",
    "/Users/dev/.zshrc",
    "/Users/dev/Library/Preferences/com.apple.Terminal.plist",
    "/Users/dev/Library/Caches/com.apple.Safari/Cache.db",
    "/Users/dev/Documents/notes.md",
    "/usr/lib/libSystem.B.dylib",
    "/System/Library/Frameworks/Foundation.framework/Foundation",
    "/private/tmp/cargo-install.lock",
    "/opt/homebrew/bin/git",
];

const SYSTEM_PATHS: &[&str] = &[
    "/private/var/db/mds/system/mds.lock",
    "/private/var/log/system.log",
    "/Library/Preferences/com.apple.loginwindow.plist",
    "/System/Library/CoreServices/SystemVersion.plist",
    "/private/var/db/analyticsd/Analytics.db",
    "/usr/libexec/xpcproxy",
    "/private/var/folders/zz/zyxvpxvq6csfxvn_n0000000000000/C/com.apple.mds",
    "/Library/Apple/System/Library/CoreServices/XProtect.bundle",
];

const PROGRAMS: &[(&str, &[&str])] = &[
    ("/usr/bin/git", &["git", "status", "--porcelain"]),
    ("/opt/homebrew/bin/cargo", &["cargo", "build", "--release"]),
    ("/bin/zsh", &["-zsh"]),
    ("/usr/bin/xcrun", &["xcrun", "--show-sdk-path"]),
    (
        "/usr/libexec/xpcproxy",
        &["xpcproxy", "com.apple.mdworker.shared"],
    ),
    ("/usr/bin/ssh", &["ssh", "-T", "git@github.com"]),
    ("/bin/ls", &["ls", "-la"]),
];

/// errno values for failures, as BSM numbers them on disk (the same as
/// macOS below 35; see bsm::errno).
const ENOENT: u8 = 2;
const EACCES: u8 = 13;
const EPERM: u8 = 1;
/// On disk BSM carries its own numbers where they differ from macOS's
/// (ECONNREFUSED is 61 on macOS, 146 in a trail: see bsm::errno).
const ECONNREFUSED: u8 = 146;
const ESRCH: u8 = 3;
const EEXIST: u8 = 17;

fn split_time(t: f64) -> (u32, u32) {
    let sec = t.floor().clamp(0.0, f64::from(u32::MAX));
    let msec = ((t - sec) * 1000.0).floor().clamp(0.0, 999.0);
    (sec as u32, msec as u32)
}

fn subject(ctx: &RecordContext, rng: &mut SimRng) -> SubjectInfo {
    let attributable = ctx.auid != u32::MAX;
    let (uid, gid) = if attributable {
        (ctx.auid, 20)
    } else {
        // Daemons: root, _mdnsresponder, _spotlight...
        [(0, 0), (65, 65), (89, 89), (0, 0)][rng.below(4) as usize]
    };
    SubjectInfo {
        auid: ctx.auid,
        euid: uid,
        egid: gid,
        ruid: uid,
        rgid: gid,
        pid: 300 + rng.below(60_000) as u32,
        sid: ctx.asid,
        port: 0,
        addr: Addr::V4([0, 0, 0, 0]),
    }
}

/// A kernel record for one occurrence of `ev`.
pub fn event_record(rng: &mut SimRng, ev: &SimEvent, ctx: &RecordContext) -> Vec<u8> {
    let (sec, msec) = split_time(ctx.time);
    let mut b = RecordBuilder::new(ev.number, sec, msec);
    let attributable = ctx.auid != u32::MAX;
    let paths = if attributable {
        USER_PATHS
    } else {
        SYSTEM_PATHS
    };
    let path = paths[rng.below(paths.len() as u64) as usize];
    let mut fail_errno = ENOENT;
    let mut ok_value = 0u32;
    match ev.name {
        "AUE_EXECVE" | "AUE_POSIX_SPAWN" => {
            let (prog, args) = PROGRAMS[rng.below(PROGRAMS.len() as u64) as usize];
            if ctx.policy.argv {
                b.exec_args(args);
            }
            if ctx.policy.arge {
                b.exec_env(&["PATH=/usr/bin:/bin:/usr/sbin:/sbin", "LANG=en_US.UTF-8"]);
            }
            b.path(prog);
            if ctx.success {
                b.attr32(
                    0o100755,
                    0,
                    0,
                    16_777_220,
                    1_152_921_500_311_000_000 + rng.below(100_000),
                    0,
                );
            }
        }
        "AUE_FORK" | "AUE_EXIT" => {
            ok_value = if ev.name == "AUE_FORK" {
                1000 + rng.below(60_000) as u32
            } else {
                0
            };
            b.arg32(1, ok_value, "child PID");
        }
        "AUE_KILL" => {
            b.arg32(1, 300 + rng.below(60_000) as u32, "pid");
            b.arg32(2, 15, "signal");
            fail_errno = ESRCH;
        }
        "AUE_CONNECT" | "AUE_BIND" => {
            b.arg32(1, 3 + rng.below(60) as u32, "fd");
            let addr = Addr::V4([17, 253, 144, 10 + rng.below(5) as u8]);
            b.socket_inet(2, [443u16, 80, 22][rng.below(3) as usize], addr);
            fail_errno = ECONNREFUSED;
        }
        "AUE_SOCKET" => {
            b.arg32(1, 2, "domain");
            b.arg32(2, 1, "type");
            b.arg32(3, 0, "protocol");
            ok_value = 3 + rng.below(60) as u32;
        }
        "AUE_CLOSE" | "AUE_IOCTL" | "AUE_PIPE" | "AUE_SYSCTL" => {
            b.arg32(
                1,
                3 + rng.below(200) as u32,
                if ev.name == "AUE_IOCTL" { "cmd" } else { "fd" },
            );
        }
        "AUE_CHMOD" | "AUE_SETATTRLIST" | "AUE_UTIMES" => {
            b.arg32(2, 0o644, "new file mode");
            b.path(path);
            b.attr32(
                0o100644,
                ctx.auid.min(501),
                20,
                16_777_220,
                1_152_921_500_311_000_000 + rng.below(100_000),
                0,
            );
            fail_errno = EPERM;
        }
        "AUE_MKDIR" => {
            b.arg32(2, 0o755, "mode");
            b.path(path);
            fail_errno = EEXIST;
        }
        "AUE_RENAME" => {
            b.path(path);
            b.path(paths[rng.below(paths.len() as u64) as usize]);
        }
        "AUE_SETTIMEOFDAY" | "AUE_MOUNT" => {
            b.text(if ev.name == "AUE_MOUNT" {
                "apfs"
            } else {
                "timed"
            });
            fail_errno = EPERM;
        }
        name if name.starts_with("AUE_OPEN") => {
            b.arg32(2, 0, "flags");
            b.path(path);
            if ctx.success {
                b.attr32(
                    0o100644,
                    0,
                    0,
                    16_777_220,
                    1_152_921_500_311_000_000 + rng.below(100_000),
                    0,
                );
            }
            ok_value = 3 + rng.below(200) as u32;
            fail_errno = if rng.chance(0.3) { EACCES } else { ENOENT };
        }
        name if name.starts_with("AUE_")
            && name.chars().nth(4).is_some_and(|c| c.is_ascii_lowercase()) =>
        {
            // User-space records (auth, sudo, password): text tokens like Apple's.
            b.text(match name {
                "AUE_sudo" => "sudo: command=/usr/bin/true",
                "AUE_auth_user" => "Authentication for user <dev>",
                "AUE_ssauthorize" => "system.privilege.admin",
                "AUE_ssauthmech" => "builtin:authenticate",
                _ => "user record",
            });
            fail_errno = 255;
        }
        _ => {
            // stat/lstat/access/readlink/unlink/rmdir/getattrlist and friends.
            b.path(path);
            if ctx.success {
                b.attr32(
                    0o100644,
                    0,
                    0,
                    16_777_220,
                    1_152_921_500_311_000_000 + rng.below(100_000),
                    0,
                );
            }
        }
    }
    let subj = subject(ctx, rng);
    b.subject32(&subj);
    if ctx.success {
        b.return32(0, ok_value);
    } else {
        b.return32(fail_errno, u32::MAX);
    }
    b.finish()
}

/// A login (`AUE_lw_login`, `AUE_openssh`) or logout record for a session.
pub fn session_record(event: u16, ctx: &RecordContext, remote: bool) -> Vec<u8> {
    let (sec, msec) = split_time(ctx.time);
    let mut b = RecordBuilder::new(event, sec, msec);
    let addr = if remote {
        Addr::V4([192, 0, 2, 10])
    } else {
        Addr::V4([0, 0, 0, 0])
    };
    b.subject32_ex(&SubjectInfo {
        auid: ctx.auid,
        euid: ctx.auid,
        egid: 20,
        ruid: ctx.auid,
        rgid: 20,
        pid: 400 + (ctx.asid % 50_000),
        sid: ctx.asid,
        port: 0,
        addr,
    });
    b.text(if remote {
        "successful login dev"
    } else {
        "loginwindow login"
    });
    if ctx.success {
        b.return32(0, 0);
    } else {
        b.return32(255, 5000);
    }
    b.finish()
}

/// auditd's own records (startup, shutdown, crash recovery): subject of auditd
/// (root, auid unset), a text token, success.
pub fn daemon_record(event: u16, time: f64, text: &str) -> Vec<u8> {
    let (sec, msec) = split_time(time);
    let mut b = RecordBuilder::new(event, sec, msec);
    b.subject32(&SubjectInfo {
        auid: u32::MAX,
        euid: 0,
        egid: 0,
        ruid: 0,
        rgid: 0,
        pid: 98,
        sid: 100_000,
        port: 0,
        addr: Addr::V4([0, 0, 0, 0]),
    });
    b.text(text);
    b.return32(0, 0);
    b.finish()
}

#[cfg(test)]
mod errno_tests {
    use super::*;

    #[test]
    fn failures_carry_bsm_numbers_with_the_right_names() {
        for (errno, name) in [
            (ENOENT, "ENOENT"),
            (EACCES, "EACCES"),
            (EPERM, "EPERM"),
            (ECONNREFUSED, "ECONNREFUSED"),
            (ESRCH, "ESRCH"),
            (EEXIST, "EEXIST"),
        ] {
            assert_eq!(bsm::errno::lookup(errno).map(|e| e.name), Some(name));
        }
        assert_eq!(
            bsm::errno::praudit_status(ECONNREFUSED),
            "failure : Connection refused"
        );
    }
}
