//! `praudit -l` / `-ln` compatible one-line rendering.
//!
//! Output is bytes, not `String`: praudit copies string fields to stdout byte
//! for byte (dropping only NULs), and trails contain whatever bytes processes
//! put in their paths and arguments.
//!
//! Earshot matches praudit byte for byte except where praudit is wrong (see
//! the deviation table in `tests/praudit.rs`):
//! * 64-bit `data` units print all 64 bits (praudit passes a `u_int64_t` to
//!   `%x`/`%d` and prints the low half);
//! * `iport` prints the real port (praudit prints it byte-swapped on
//!   little-endian machines);
//! * the macOS identity token is decoded (`identity,...`) instead of being
//!   dumped as `unknown,0x...` together with every token after it;
//! * a token that overruns its record prints as `malformed,...` followed by
//!   the trailer, and reading continues with the next record, where praudit
//!   drops the rest of the record, and stops silently at junk or truncation;
//! * user and group ids are always numeric (`-n`): there is no user database
//!   to consult for a trail copied from another Mac.

use std::io::{self, Write};

use crate::errno;
use crate::names::EventNames;
use crate::read::{Damage, FileToken, Item, Reader, Record};
use crate::text::{ctime, hex_mem, ipv4, ipv6};
use crate::token::{Addr, Data, HeaderKind, Subject, SubjectKind, Token};

/// Field delimiter (praudit's default `-d`).
pub const DELIM: u8 = b',';

/// `write!` into the line buffer; writing to a `Vec` cannot fail.
macro_rules! wr {
    ($out:expr, $($arg:tt)*) => {{
        let _ = write!($out, $($arg)*);
    }};
}

fn put(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(s.as_bytes());
}

thread_local! {
    /// Records arrive many per second: format each second's date once.
    static CTIME: std::cell::RefCell<(i64, String)> =
        const { std::cell::RefCell::new((i64::MIN, String::new())) };
}

fn cached_ctime(out: &mut Vec<u8>, sec: i64) {
    CTIME.with(|c| {
        let mut c = c.borrow_mut();
        if c.0 != sec {
            *c = (sec, ctime(sec));
        }
        out.extend_from_slice(c.1.as_bytes());
    });
}

fn delim(out: &mut Vec<u8>) {
    out.push(DELIM);
}

/// praudit's `print_string`: every byte except NUL — but a line break is
/// written as `\n` / `\r`, where praudit writes it raw: one record is one line,
/// whatever its strings hold (a deliberate difference from praudit, which lets a
/// text token split its record across lines).
fn string(out: &mut Vec<u8>, s: &[u8]) {
    for &b in s {
        match b {
            0 => {}
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b => out.push(b),
        }
    }
}

/// C's `%#x`: no prefix for zero.
fn alt_hex(v: u64) -> String {
    if v == 0 {
        "0".to_string()
    } else {
        format!("{v:#x}")
    }
}

fn ip_ex(a: &Addr) -> String {
    match *a {
        Addr::V4(b) => ipv4(b),
        Addr::V6(b) => ipv6(b),
    }
}

/// praudit prints ids with `%d` of a `u_int32_t`, so auid -1 shows as `-1`.
fn id(v: u32) -> String {
    (v as i32).to_string()
}

fn subject_fields(out: &mut Vec<u8>, s: &Subject) {
    for v in [s.auid, s.euid, s.egid, s.ruid, s.rgid] {
        delim(out);
        wr!(out, "{}", v as i32);
    }
    delim(out);
    wr!(out, "{}", s.pid);
    delim(out);
    wr!(out, "{}", s.sid);
    delim(out);
    // 32-bit forms print the 4-byte port with %u, 64-bit forms with %llu:
    // the stored width already bounds the value either way.
    wr!(out, "{}", s.port);
    delim(out);
    match s.addr {
        Addr::V4(a) => wr!(out, "{}.{}.{}.{}", a[0], a[1], a[2], a[3]),
        Addr::V6(a) => put(out, &ipv6(a)),
    }
}

fn data_items(out: &mut Vec<u8>, d: &Data<'_>) {
    let size = Data::unit_size(d.unit).unwrap_or(1);
    for v in d.values() {
        // Mimic printf's int promotion: narrower units are non-negative,
        // int32 prints signed with %d, int64 prints all 64 bits (correct
        // value, see module docs).
        let signed: i64 = match size {
            4 => i64::from(v as u32 as i32),
            8 => v as i64,
            _ => v as i64,
        };
        match d.how {
            0 => {
                out.push(b' ');
                out.push(v as u8);
            }
            1 => wr!(out, " {v:o}"),
            2 => wr!(out, " {signed}"),
            3 => wr!(out, " {v:x}"),
            4 => out.push(v as u8),
            _ => {}
        }
    }
}

/// Render one token (no trailing delimiter).
pub fn token(out: &mut Vec<u8>, tok: &Token<'_>, names: &dyn EventNames) {
    match tok {
        Token::Header(h) => {
            put(
                out,
                match h.kind {
                    HeaderKind::Header32 | HeaderKind::Header64 => "header",
                    HeaderKind::Header32Ex | HeaderKind::Header64Ex => "header_ex",
                },
            );
            delim(out);
            wr!(out, "{}", h.byte_count);
            delim(out);
            wr!(out, "{}", h.version);
            delim(out);
            match names.event_desc(h.event) {
                Some(d) => put(out, d),
                None => wr!(out, "{}", h.event),
            }
            delim(out);
            wr!(out, "{}", h.modifier);
            if let Some(host) = &h.host {
                delim(out);
                put(out, &ip_ex(host));
            }
            delim(out);
            cached_ctime(out, h.sec as i64);
            delim(out);
            wr!(out, " + {} msec", h.msec);
        }
        Token::Trailer { count, .. } => wr!(out, "trailer,{count}"),
        Token::Arg {
            num, value, text, ..
        } => {
            wr!(out, "argument,{num},0x{value:x},");
            string(out, text);
        }
        Token::Attr(a) => {
            put(
                out,
                &format!(
                    "attribute,{:o},{},{},{},{},{}",
                    a.mode,
                    id(a.uid),
                    id(a.gid),
                    a.fsid,
                    a.node as i64,
                    a.dev
                ),
            );
        }
        Token::Data(d) => {
            put(out, "arbitrary,");
            let how = match d.how {
                0 => "binary",
                1 => "octal",
                2 => "decimal",
                3 => "hex",
                4 => "string",
                // praudit prints nothing more for an unknown print format.
                _ => return,
            };
            let unit = match d.unit {
                0 => "byte",
                1 => "short",
                2 => "int",
                _ => "int64",
            };
            wr!(out, "{how},{unit},{},", d.count);
            data_items(out, d);
        }
        Token::Exit { status, ret } => wr!(out, "exit,Error {status},{ret}"),
        Token::ExecArgs(s) | Token::ExecEnv(s) => {
            put(
                out,
                if matches!(tok, Token::ExecArgs(_)) {
                    "exec arg"
                } else {
                    "exec env"
                },
            );
            for a in s.iter() {
                delim(out);
                string(out, a);
            }
        }
        Token::File(f) => {
            put(
                out,
                &format!("file,{}, + {} msec,", ctime(i64::from(f.sec)), f.msec),
            );
            string(out, f.name);
        }
        Token::NewGroups { raw } => {
            put(out, "group");
            for g in raw.chunks_exact(4) {
                delim(out);
                put(out, &id(u32::from_be_bytes([g[0], g[1], g[2], g[3]])));
            }
        }
        Token::InAddr(a) => wr!(out, "ip addr,{}", ipv4(*a)),
        Token::InAddrEx(a) => wr!(out, "ip addr ex,{}", ip_ex(a)),
        Token::Ip(ip) => put(
            out,
            &format!(
                "ip,0x{:02x},0x{:02x},{},{},{},0x{:02x},0x{:02x},{},{},{}",
                ip.version,
                ip.tos,
                ip.len,
                ip.id,
                ip.offset,
                ip.ttl,
                ip.protocol,
                ip.checksum,
                ipv4(ip.src),
                ipv4(ip.dst)
            ),
        ),
        Token::Ipc { kind, id } => {
            let k = match kind {
                1 => "Message IPC".to_string(),
                2 => "Semaphore IPC".to_string(),
                3 => "Shared Memory IPC".to_string(),
                other => other.to_string(),
            };
            wr!(out, "IPC,{k},{id}");
        }
        Token::IpcPerm(p) => put(
            out,
            &format!(
                "IPC perm,{},{},{},{},{:o},{},{}",
                id(p.uid),
                id(p.gid),
                id(p.creator_uid),
                id(p.creator_gid),
                p.mode,
                p.seq,
                p.key
            ),
        ),
        Token::IPort(raw) => put(
            out,
            &format!(
                "ip port,{}",
                alt_hex(u64::from(crate::token::iport_value(*raw)))
            ),
        ),
        Token::Opaque(d) => wr!(out, "opaque,{},{}", d.len(), hex_mem(d)),
        Token::Path(p) => {
            put(out, "path,");
            string(out, p);
        }
        Token::Process(s) | Token::Subject(s) => {
            let ex = matches!(s.kind, SubjectKind::S32Ex | SubjectKind::S64Ex);
            let name = match (matches!(tok, Token::Process(_)), ex) {
                (true, false) => "process",
                (true, true) => "process_ex",
                (false, false) => "subject",
                (false, true) => "subject_ex",
            };
            put(out, name);
            subject_fields(out, s);
        }
        Token::Return {
            wide,
            status,
            value,
        } => {
            if *status == 0 {
                put(out, "return,success,");
            } else {
                wr!(out, "return,{},", errno::praudit_status(*status));
            }
            if *wide {
                put(out, &(*value as i64).to_string());
            } else {
                wr!(out, "{}", value);
            }
        }
        Token::ArgUuid { num, uuid, text } | Token::RetUuid { num, uuid, text } => {
            let name = if matches!(tok, Token::ArgUuid { .. }) {
                "arg_uuid"
            } else {
                "ret_uuid"
            };
            wr!(out, "{name},{num},{},", crate::text::uuid(uuid));
            string(out, text);
        }
        Token::Seq(n) => wr!(out, "sequence,{n}"),
        Token::Socket {
            kind,
            lport,
            laddr,
            rport,
            raddr,
        } => put(
            out,
            &format!(
                "socket,{kind},{},{},{},{}",
                u16::from_be_bytes(*lport),
                ipv4(*laddr),
                u16::from_be_bytes(*rport),
                ipv4(*raddr)
            ),
        ),
        Token::SockInet { family, port, addr } => put(
            out,
            &format!(
                "{},{family},{},{}",
                match addr {
                    Addr::V4(_) => "socket-inet",
                    Addr::V6(_) => "socket-inet6",
                },
                u16::from_be_bytes(*port),
                ip_ex(addr)
            ),
        ),
        Token::SockUnix { family, path } => {
            wr!(out, "socket-unix,{family},");
            string(out, crate::token::cstr(path));
        }
        Token::SocketEx {
            domain,
            kind,
            lport,
            laddr,
            rport,
            raddr,
        } => put(
            out,
            &format!(
                "socket,{},{},{},{},{},{}",
                alt_hex(u64::from(*domain)),
                alt_hex(u64::from(*kind)),
                alt_hex(u64::from(u16::from_be_bytes(*lport))),
                ip_ex(laddr),
                alt_hex(u64::from(u16::from_be_bytes(*rport))),
                ip_ex(raddr)
            ),
        ),
        Token::Text(t) => {
            put(out, "text,");
            string(out, t);
        }
        Token::Zonename(z) => {
            put(out, "zone,");
            string(out, z);
        }
        Token::UPriv { success, name } => {
            put(
                out,
                if *success != 0 {
                    "use of privilege,successful use of priv,"
                } else {
                    "use of privilege,failed use of priv,"
                },
            );
            string(out, name);
        }
        Token::PrivSet { set, privs } => {
            put(out, "privilege,");
            string(out, set);
            delim(out);
            string(out, privs);
        }
        Token::Identity(i) => {
            let trunc = |t: u8| if t == 0 { "complete" } else { "truncated" };
            wr!(out, "identity,{},", i.signer_type);
            string(out, i.signing_id);
            wr!(out, ",{},", trunc(i.signing_id_truncated));
            string(out, i.team_id);
            put(
                out,
                &format!(",{},{}", trunc(i.team_id_truncated), hex_mem(i.cdhash)),
            );
        }
        Token::Unknown { data, .. } => wr!(out, "unknown,{}", hex_mem(data)),
        Token::Malformed { id, data } => {
            wr!(out, "malformed,0x{id:02x},{}", hex_mem(data))
        }
    }
}

/// Render one record as praudit -l does: every token followed by the
/// delimiter, then a newline.
pub fn record(out: &mut Vec<u8>, rec: &Record<'_>, names: &dyn EventNames) {
    for t in rec.tokens() {
        token(out, &t, names);
        delim(out);
    }
    out.push(b'\n');
}

/// Render a stand-alone file token line.
pub fn file_token(out: &mut Vec<u8>, f: &FileToken<'_>, names: &dyn EventNames) {
    token(out, &f.as_token(), names);
    delim(out);
    out.push(b'\n');
}

/// Print a whole trail to `w`; damage is not printed (praudit's format has no
/// place for it) but returned so the caller can report it, e.g. on stderr.
pub fn print_trail(
    buf: &[u8],
    names: &dyn EventNames,
    w: &mut impl Write,
) -> io::Result<Vec<Damage>> {
    let mut damage = Vec::new();
    let mut line = Vec::with_capacity(1024);
    for item in Reader::new(buf) {
        line.clear();
        match item {
            Item::Record(r) => record(&mut line, &r, names),
            Item::FileToken(f) => file_token(&mut line, &f, names),
            Item::Damage(d) => damage.push(d),
        }
        w.write_all(&line)?;
    }
    Ok(damage)
}
