//! Generates a large, realistic macOS-like BSM trail for benchmarks, with the
//! `bsm` writer (libbsm-identical bytes).
//!
//! The event mix and token shapes follow `tests/fixtures/bsm/mixed_sample.bsm`
//! (itself the first 400 records of such a mix): execve with exec_args + two
//! paths + attr, open/close/read/write with path + attr, connect/accept over
//! IPv4 and IPv6, fork/exit, socket, bind over unix sockets, Security-server
//! authorisations, user authentication, ssh/loginwindow/sudo logins, and a few
//! header32_ex / zonename + seq records. Output is deterministic for a seed.
//!
//! Usage: gen_trail --out PATH --mb N [--seed S] [--files K]
//!   K = 1 (default): PATH is one trail file.
//!   K > 1: PATH is a folder; K consecutive trails named START.END (UTC) as
//!   auditd names rotated files, N MB in all.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use bsm::token::{Addr, Token};
use bsm::write::{RecordBuilder, SubjectInfo};

/// SplitMix64: tiny, fast, and the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const BINARIES: &[(&str, &[&str])] = &[
    ("/usr/bin/grep", &["grep", "-r", "kern.osversion", "/etc"]),
    ("/bin/ls", &["ls", "-la", "/Users/alice/Documents"]),
    ("/usr/bin/git", &["git", "status", "--porcelain"]),
    (
        "/usr/bin/xcrun",
        &["xcrun", "swift", "build", "-c", "release"],
    ),
    ("/bin/zsh", &["zsh", "-l"]),
    ("/usr/sbin/sysctl", &["sysctl", "-n", "hw.memsize"]),
    (
        "/usr/bin/codesign",
        &["codesign", "-dv", "--verbose=4", "/Applications/Safari.app"],
    ),
    (
        "/usr/bin/curl",
        &["curl", "-fsSL", "https://example.com/install.sh"],
    ),
    (
        "/usr/libexec/xpcproxy",
        &[
            "xpcproxy",
            "com.apple.mdworker.shared.0B000000-0000-0000-0000-000000000000",
        ],
    ),
    (
        "/usr/bin/python3",
        &["python3", "-m", "pip", "install", "--user", "requests"],
    ),
];

const FILES: &[&str] = &[
    "/etc/passwd",
    "/private/var/db/mds/messages/se_SecurityMessages",
    "/Users/alice/Library/Preferences/com.apple.finder.plist",
    "/System/Library/CoreServices/SystemVersion.plist",
    "/Users/alice/Documents/report.txt",
    "/private/var/folders/zz/zyxvpxvq6csfxvn_n0000000000000/T/tmp.8Kz1",
    "/usr/lib/dyld",
    "/Library/Preferences/com.apple.security.plist",
    "/dev/null",
    "/Users/alice/Library/Caches/com.apple.Safari/Cache.db",
];

const RIGHTS: &[&str] = &[
    "system.preferences",
    "system.privilege.admin",
    "com.apple.ServiceManagement.daemons.modify",
    "system.login.console",
    "com.apple.security.sudo",
];

struct Gen {
    rng: Rng,
    sec: u32,
    msec: u32,
    pid: u32,
}

impl Gen {
    fn subject(&mut self, user: u32) -> SubjectInfo {
        let (auid, uid, gid) = match user {
            0 => (501, 501, 20),
            1 => (u32::MAX, 0, 0),
            2 => (501, 0, 0),
            _ => (u32::MAX, 92, 92),
        };
        SubjectInfo {
            auid,
            euid: uid,
            egid: gid,
            ruid: uid,
            rgid: gid,
            pid: self.pid,
            sid: 100_004,
            port: 50_331_650,
            addr: Addr::V4([0, 0, 0, 0]),
        }
    }

    fn attr(&mut self, b: &mut RecordBuilder) {
        let node = 12_000_000 + self.rng.below(500_000);
        b.attr32(0o100644, 501, 20, 16_777_232, node, 0);
    }

    fn ret(&mut self, b: &mut RecordBuilder, fail_percent: u64, ok_value: u32) {
        if self.rng.chance(fail_percent) {
            // ENOENT, EACCES, EPERM: the failures a Mac logs most.
            let status = *self.rng.pick(&[2u8, 13, 1]);
            b.return32(status, u32::MAX);
        } else {
            b.return32(0, ok_value);
        }
    }

    fn record(&mut self, out: &mut Vec<u8>) {
        // Time moves ~18 ms per record on average, as on a busy Mac with `fr,fw,ex,lo,aa,nt,pc`.
        let step = 1 + self.rng.below(35) as u32;
        self.msec += step;
        self.sec += self.msec / 1000;
        self.msec %= 1000;
        if self.rng.chance(10) {
            self.pid = 400 + self.rng.below(90_000) as u32;
        }
        let roll = self.rng.below(1000);
        let user = if self.rng.chance(80) {
            0
        } else {
            self.rng.below(4) as u32
        };
        let subj = self.subject(user);
        let (sec, msec) = (self.sec, self.msec);
        let mut b;
        match roll {
            0..=209 => {
                // execve: exec_args, executable path twice (as given and resolved), attr.
                b = RecordBuilder::new(23, sec, msec);
                let (bin, argv) = *self.rng.pick(BINARIES);
                b.exec_args(argv).path(bin).path(bin);
                self.attr(&mut b);
                b.subject32(&subj);
                self.ret(&mut b, 1, 0);
            }
            210..=459 => {
                // open (read or read/write/create/truncate) with flags, path, attr.
                let rw = roll >= 370;
                b = RecordBuilder::new(if rw { 83 } else { 72 }, sec, msec);
                b.arg32(2, if rw { 0x602 } else { 0 }, "flags")
                    .path(self.rng.pick::<&str>(FILES));
                let fails = self.rng.chance(3);
                if !fails {
                    self.attr(&mut b);
                }
                b.subject32(&subj);
                if fails {
                    b.return32(2, u32::MAX);
                } else {
                    b.return32(0, 3 + self.rng.below(60) as u32);
                }
            }
            460..=549 => {
                b = RecordBuilder::new(112, sec, msec);
                b.arg32(1, 3 + self.rng.below(60) as u32, "fd")
                    .path(self.rng.pick::<&str>(FILES));
                self.attr(&mut b);
                b.subject32(&subj);
                b.return32(0, 0);
            }
            550..=629 => {
                let write = roll >= 590;
                b = RecordBuilder::new(if write { 4 } else { 3 }, sec, msec);
                b.arg32(1, 3 + self.rng.below(60) as u32, "fd")
                    .path(self.rng.pick::<&str>(FILES));
                self.attr(&mut b);
                b.subject32(&subj);
                b.return32(0, self.rng.below(65536) as u32);
            }
            630..=729 => {
                // connect / accept, IPv4 mostly, IPv6 a fifth of the time.
                let accept = roll >= 710;
                b = RecordBuilder::new(if accept { 33 } else { 32 }, sec, msec);
                b.arg32(1, 3 + self.rng.below(60) as u32, "fd");
                let port = *self.rng.pick(&[443u16, 80, 53, 5223, 22, 993]);
                if self.rng.chance(20) {
                    let mut a = [0u8; 16];
                    a[..4].copy_from_slice(&[0x26, 0x20, 0x01, 0x49]);
                    a[15] = self.rng.below(255) as u8;
                    b.socket_inet(26, port, Addr::V6(a));
                } else {
                    b.socket_inet(2, port, Addr::V4([17, 253, 144, self.rng.below(255) as u8]));
                }
                b.subject32(&subj);
                self.ret(&mut b, 5, 0);
            }
            730..=799 => {
                b = RecordBuilder::new(2, sec, msec);
                b.arg32(0, self.pid + 1, "child PID");
                b.subject32(&subj);
                b.return32(0, self.pid + 1);
            }
            800..=859 => {
                b = RecordBuilder::new(1, sec, msec);
                b.token(&Token::Exit { status: 0, ret: 0 });
                b.subject32(&subj);
                b.return32(0, 0);
            }
            860..=889 => {
                b = RecordBuilder::new(183, sec, msec);
                b.arg32(1, 30, "domain")
                    .arg32(2, 1, "type")
                    .arg32(3, 0, "protocol");
                b.subject32(&subj);
                b.return32(0, 3 + self.rng.below(60) as u32);
            }
            890..=899 => {
                b = RecordBuilder::new(34, sec, msec);
                b.arg32(1, 3, "fd");
                b.token(&Token::SockUnix {
                    family: 1,
                    path: b"/var/run/mDNSResponder\0",
                });
                b.subject32(&subj);
                b.return32(0, 0);
            }
            900..=954 => {
                // Security server authorisation (AUE_ssauthorize).
                b = RecordBuilder::new(45025, sec, msec);
                b.subject32(&subj);
                let right = *self.rng.pick(RIGHTS);
                b.text(right)
                    .text("client /usr/libexec/UserEventAgent")
                    .text("creator /usr/libexec/UserEventAgent");
                self.ret(&mut b, 4, 0);
            }
            955..=974 => {
                // User authentication: real Macs log failures as status 255 / 5000.
                b = RecordBuilder::new(45023, sec, msec);
                b.subject32(&subj);
                b.text("Verify password for record type Users 'alice' node '/Local/Default'");
                if self.rng.chance(15) {
                    b.return32(255, 5000);
                } else {
                    b.return32(0, 0);
                }
            }
            975..=984 => {
                // sudo with its command line.
                b = RecordBuilder::new(45028, sec, msec);
                b.subject32_ex(&subj);
                b.exec_args(&[
                    "sudo",
                    "launchctl",
                    "kickstart",
                    "-k",
                    "system/com.apple.auditd",
                ]);
                self.ret(&mut b, 10, 0);
            }
            985..=991 => {
                // OpenSSH login, from a header32_ex host now and then.
                b = RecordBuilder::new(32800, sec, msec);
                if self.rng.chance(40) {
                    b = b.host(Addr::V4([192, 168, 1, 10]));
                }
                let mut s = subj;
                s.addr = Addr::V4([192, 168, 1, 20 + self.rng.below(20) as u8]);
                b.subject32_ex(&s);
                if self.rng.chance(20) {
                    b.text("invalid user root from 192.168.1.23");
                    b.return32(1, u32::MAX);
                } else {
                    b.text("successful login alice");
                    b.return32(0, 0);
                }
            }
            992..=995 => {
                let login = roll <= 993;
                b = RecordBuilder::new(if login { 6153 } else { 6154 }, sec, msec);
                b.subject32_ex(&subj);
                b.return32(0, 0);
            }
            _ => {
                // Zonename + sequence records (some MDM-configured policies add seq).
                b = RecordBuilder::new(4, sec, msec);
                b.token(&Token::Zonename(b"global\0"));
                b.token(&Token::Seq(self.rng.below(1 << 30) as u32));
                b.subject32(&subj);
                b.return32(0, 0);
            }
        }
        b.finish_into(out);
    }
}

fn compact(sec: u32) -> String {
    let rem = sec % 86_400;
    let (y, m, d) = bsm::text::civil_from_days(i64::from(sec / 86_400));
    format!(
        "{y:04}{m:02}{d:02}{:02}{:02}{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut out: Option<PathBuf> = None;
    let mut mb: u64 = 320;
    let mut seed: u64 = 12345;
    let mut files: u64 = 1;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--out" => out = Some(PathBuf::from(val()?)),
            "--mb" => mb = val()?.parse()?,
            "--seed" => seed = val()?.parse()?,
            "--files" => files = val()?.parse::<u64>()?.max(1),
            _ => {
                return Err(format!(
                "unknown argument {a}; usage: gen_trail --out PATH --mb N [--seed S] [--files K]"
            )
                .into())
            }
        }
    }
    let out = out.ok_or("--out PATH is required")?;
    let per_file = mb * 1_000_000 / files;
    let mut g = Gen {
        rng: Rng(seed),
        // 2024-03-14T09:15:00Z, the fixtures' base time.
        sec: 1_710_407_700,
        msec: 0,
        pid: 4242,
    };
    if files > 1 {
        fs::create_dir_all(&out)?;
    }
    let mut buf = Vec::with_capacity(1 << 20);
    let mut total_records = 0u64;
    for _ in 0..files {
        let start = g.sec;
        let tmp = if files > 1 {
            out.join("writing.tmp")
        } else {
            out.clone()
        };
        let mut w = BufWriter::with_capacity(1 << 20, fs::File::create(&tmp)?);
        let mut written = 0u64;
        while written < per_file {
            buf.clear();
            while buf.len() < (1 << 20) && written + (buf.len() as u64) < per_file {
                g.record(&mut buf);
                total_records += 1;
            }
            w.write_all(&buf)?;
            written += buf.len() as u64;
        }
        w.flush()?;
        if files > 1 {
            fs::rename(
                &tmp,
                out.join(format!("{}.{}", compact(start), compact(g.sec))),
            )?;
        }
    }
    eprintln!(
        "gen_trail: {total_records} records, {} MB in {files} file(s) at {}",
        mb,
        out.display()
    );
    Ok(())
}
