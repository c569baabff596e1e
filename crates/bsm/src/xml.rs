//! Well-formed XML rendering, shaped like `praudit -x` (same element and
//! attribute names) without its defects: every string is escaped, the IPC
//! element has its space, header_ex records are proper elements, a record is
//! always closed, unknown tokens and damage are represented, and characters
//! XML 1.0 cannot carry are written C-style (`\001`) as `vis(3)` does for
//! praudit's exec args.

use std::fmt::Write as _;
use std::io::{self, Write};

use crate::errno;
use crate::names::EventNames;
use crate::read::{Damage, Item, Reader, Record};
use crate::text::{ctime, hex_mem, ipv4, ipv6};
use crate::token::{self, Addr, Subject, Token};

/// Escape text for element content or a double-quoted attribute.
pub fn escape(raw: &[u8]) -> String {
    let s = String::from_utf8_lossy(raw);
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(ch),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\{:03o}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

fn esc_str(s: &str) -> String {
    escape(s.as_bytes())
}

/// String field up to its NUL, escaped.
fn field(b: &[u8]) -> String {
    escape(token::cstr(b))
}

/// String field with every NUL dropped (praudit's print_string), escaped.
fn field_all(b: &[u8]) -> String {
    let v: Vec<u8> = token::without_nuls(b).collect();
    escape(&v)
}

fn addr(a: &Addr) -> String {
    match *a {
        Addr::V4(b) => ipv4(b),
        Addr::V6(b) => ipv6(b),
    }
}

fn id(v: u32) -> i32 {
    v as i32
}

fn subject_attrs(s: &Subject) -> String {
    format!(
        "audit-uid=\"{}\" uid=\"{}\" gid=\"{}\" ruid=\"{}\" rgid=\"{}\" pid=\"{}\" sid=\"{}\" tid=\"{} {}\"",
        id(s.auid),
        id(s.euid),
        id(s.egid),
        id(s.ruid),
        id(s.rgid),
        s.pid,
        s.sid,
        s.port,
        addr(&s.addr)
    )
}

/// One token as an XML element (the header opens `<record>`, the trailer
/// closes it).
pub fn token(out: &mut String, tok: &Token<'_>, names: &dyn EventNames) {
    let _ = match tok {
        Token::Header(h) => {
            let ev = names
                .event_desc(h.event)
                .map(esc_str)
                .unwrap_or_else(|| h.event.to_string());
            let host = h
                .host
                .map(|a| format!(" host=\"{}\"", addr(&a)))
                .unwrap_or_default();
            write!(
                out,
                "<record version=\"{}\" event=\"{}\" modifier=\"{}\"{} time=\"{}\" msec=\" + {} msec\">",
                h.version,
                ev,
                h.modifier,
                host,
                ctime(h.sec as i64),
                h.msec
            )
        }
        Token::Trailer { .. } => write!(out, "</record>"),
        Token::Arg {
            num, value, text, ..
        } => write!(
            out,
            "<argument arg-num=\"{num}\" value=\"0x{value:x}\" desc=\"{}\" />",
            field_all(text)
        ),
        Token::Attr(a) => write!(
            out,
            "<attribute mode=\"{:o}\" uid=\"{}\" gid=\"{}\" fsid=\"{}\" nodeid=\"{}\" device=\"{}\" />",
            a.mode,
            id(a.uid),
            id(a.gid),
            a.fsid,
            a.node as i64,
            a.dev
        ),
        Token::Data(d) => {
            let how = match d.how {
                0 => "binary",
                1 => "octal",
                2 => "decimal",
                3 => "hex",
                4 => "string",
                _ => "unknown",
            };
            let size = token::Data::unit_size(d.unit).unwrap_or(1);
            let vals: Vec<String> = d
                .values()
                .map(|v| match d.how {
                    1 => format!("{v:o}"),
                    2 if size == 4 => (v as u32 as i32).to_string(),
                    2 => (v as i64).to_string(),
                    0 | 4 => escape(&[v as u8]),
                    _ => format!("{v:x}"),
                })
                .collect();
            let sep = if d.how == 4 { "" } else { " " };
            write!(
                out,
                "<arbitrary print=\"{how}\" type=\"{size}\" count=\"{}\">{}</arbitrary>",
                d.count,
                vals.join(sep)
            )
        }
        Token::Exit { status, ret } => {
            write!(out, "<exit errval=\"Error {status}\" retval=\"{ret}\" />")
        }
        Token::ExecArgs(a) => {
            out.push_str("<exec_args>");
            for s in a.iter() {
                let _ = write!(out, "<arg>{}</arg>", escape(s));
            }
            write!(out, "</exec_args>")
        }
        Token::ExecEnv(a) => {
            out.push_str("<exec_env>");
            for s in a.iter() {
                let _ = write!(out, "<env>{}</env>", escape(s));
            }
            write!(out, "</exec_env>")
        }
        Token::File(f) => write!(
            out,
            "<file time=\"{}\" msec=\" + {} msec\">{}</file>",
            ctime(i64::from(f.sec)),
            f.msec,
            field_all(f.name)
        ),
        Token::NewGroups { raw } => {
            out.push_str("<group>");
            for g in raw.chunks_exact(4) {
                let _ = write!(
                    out,
                    "<gid>{}</gid>",
                    id(u32::from_be_bytes([g[0], g[1], g[2], g[3]]))
                );
            }
            write!(out, "</group>")
        }
        Token::InAddr(a) => write!(out, "<ip_address>{}</ip_address>", ipv4(*a)),
        Token::InAddrEx(a) => write!(out, "<ip_address>{}</ip_address>", addr(a)),
        Token::Ip(ip) => write!(
            out,
            "<ip version=\"0x{:02x}\" service_type=\"0x{:02x}\" len=\"{}\" id=\"{}\" offset=\"{}\" time_to_live=\"0x{:02x}\" protocol=\"0x{:02x}\" cksum=\"{}\" src_addr=\"{}\" dest_addr=\"{}\" />",
            ip.version, ip.tos, ip.len, ip.id, ip.offset, ip.ttl, ip.protocol, ip.checksum,
            ipv4(ip.src), ipv4(ip.dst)
        ),
        Token::Ipc { kind, id } => {
            let k = match kind {
                1 => "Message IPC".to_string(),
                2 => "Semaphore IPC".to_string(),
                3 => "Shared Memory IPC".to_string(),
                other => other.to_string(),
            };
            write!(out, "<IPC ipc-type=\"{k}\" ipc-id=\"{id}\" />")
        }
        Token::IpcPerm(p) => write!(
            out,
            "<IPC_perm uid=\"{}\" gid=\"{}\" creator-uid=\"{}\" creator-gid=\"{}\" mode=\"{:o}\" seq=\"{}\" key=\"{}\" />",
            id(p.uid), id(p.gid), id(p.creator_uid), id(p.creator_gid), p.mode, p.seq, p.key
        ),
        Token::IPort(raw) => write!(
            out,
            "<ip_port>{:#x}</ip_port>",
            token::iport_value(*raw)
        ),
        Token::Opaque(d) => write!(out, "<opaque>{}</opaque>", hex_mem(d)),
        Token::Path(p) => write!(out, "<path>{}</path>", field_all(p)),
        Token::Process(s) => write!(out, "<process {} />", subject_attrs(s)),
        Token::Subject(s) => write!(out, "<subject {} />", subject_attrs(s)),
        Token::Return {
            wide,
            status,
            value,
        } => {
            let v = if *wide {
                (*value as i64).to_string()
            } else {
                value.to_string()
            };
            write!(
                out,
                "<return errval=\"{}\" retval=\"{v}\" />",
                esc_str(&errno::praudit_status(*status))
            )
        }
        Token::ArgUuid { num, uuid, text } => write!(
            out,
            "<arg_uuid arg_uuid-num=\"{num}\" uuid=\"{}\" desc=\"{}\" />",
            crate::text::uuid(uuid),
            field_all(text)
        ),
        Token::RetUuid { num, uuid, text } => write!(
            out,
            "<ret_uuid ret_uuid-num=\"{num}\" uuid=\"{}\" desc=\"{}\" />",
            crate::text::uuid(uuid),
            field_all(text)
        ),
        Token::Seq(n) => write!(out, "<sequence seq-num=\"{n}\" />"),
        Token::Socket {
            kind,
            lport,
            laddr,
            rport,
            raddr,
        } => write!(
            out,
            "<socket sock_type=\"{kind}\" lport=\"{}\" laddr=\"{}\" fport=\"{}\" faddr=\"{}\" />",
            u16::from_be_bytes(*lport),
            ipv4(*laddr),
            u16::from_be_bytes(*rport),
            ipv4(*raddr)
        ),
        Token::SockInet { family, port, addr: a } => write!(
            out,
            "<{} type=\"{family}\" port=\"{}\" addr=\"{}\" />",
            if matches!(a, Addr::V4(_)) { "socket-inet" } else { "socket-inet6" },
            u16::from_be_bytes(*port),
            addr(a)
        ),
        Token::SockUnix { family, path } => write!(
            out,
            "<socket-unix type=\"{family}\" port=\"\" addr=\"{}\" />",
            field(path)
        ),
        Token::SocketEx {
            domain,
            kind,
            lport,
            laddr,
            rport,
            raddr,
        } => write!(
            out,
            "<socket sock_dom=\"{domain:#x}\" sock_type=\"{kind:#x}\" lport=\"{:#x}\" laddr=\"{}\" fport=\"{:#x}\" faddr=\"{}\" />",
            u16::from_be_bytes(*lport),
            addr(laddr),
            u16::from_be_bytes(*rport),
            addr(raddr)
        ),
        Token::Text(t) => write!(out, "<text>{}</text>", field_all(t)),
        Token::Zonename(z) => write!(out, "<zone name=\"{}\" />", field_all(z)),
        Token::UPriv { success, name } => write!(
            out,
            "<use_of_privilege status=\"{}\" name=\"{}\" />",
            if *success != 0 {
                "successful use of priv"
            } else {
                "failed use of priv"
            },
            field_all(name)
        ),
        Token::PrivSet { set, privs } => write!(
            out,
            "<privilege type=\"{}\" priv=\"{}\" />",
            field_all(set),
            field_all(privs)
        ),
        Token::Identity(i) => write!(
            out,
            "<identity signer-type=\"{}\" signing-id=\"{}\" signing-id-truncated=\"{}\" team-id=\"{}\" team-id-truncated=\"{}\" cdhash=\"{}\" />",
            i.signer_type,
            field(i.signing_id),
            i.signing_id_truncated != 0,
            field(i.team_id),
            i.team_id_truncated != 0,
            crate::text::hex(i.cdhash)
        ),
        Token::Unknown { id, data } => write!(
            out,
            "<unknown id=\"0x{id:02x}\">{}</unknown>",
            crate::text::hex(data)
        ),
        Token::Malformed { id, data } => write!(
            out,
            "<malformed id=\"0x{id:02x}\">{}</malformed>",
            crate::text::hex(data)
        ),
    };
}

/// One record: `<record ...>`, one element per token, `</record>`. The
/// record element always comes from the record's own header and is always
/// closed; a header or trailer token met *inside* a damaged record becomes a
/// self-closing `<header/>` / `<trailer/>` element, so any input stays
/// well-formed.
pub fn record(out: &mut String, rec: &Record<'_>, names: &dyn EventNames) {
    token(out, &Token::Header(rec.header), names);
    out.push('\n');
    for (i, t) in rec.tokens().enumerate() {
        match t {
            Token::Header(h) if i > 0 => {
                let _ = writeln!(
                    out,
                    "<header event=\"{}\" byte_count=\"{}\" />",
                    h.event, h.byte_count
                );
            }
            Token::Header(_) => {}
            Token::Trailer { magic, count } => {
                let _ = writeln!(out, "<trailer magic=\"0x{magic:04x}\" count=\"{count}\" />");
            }
            _ => {
                token(out, &t, names);
                out.push('\n');
            }
        }
    }
    out.push_str("</record>\n");
}

fn damage(out: &mut String, d: &Damage) {
    let kind = match d.kind {
        crate::DamageKind::TruncatedTail { .. } => "truncated_tail",
        crate::DamageKind::UnknownToken { .. } => "unknown_token",
        crate::DamageKind::MalformedToken { .. } => "malformed_token",
        crate::DamageKind::Skipped => "skipped",
        crate::DamageKind::Oversized { .. } => "oversized",
    };
    let _ = writeln!(
        out,
        "<damage kind=\"{kind}\" offset=\"{}\" len=\"{}\">{}</damage>",
        d.offset,
        d.len,
        esc_str(&d.to_string())
    );
}

/// Print a whole trail as one XML document. Damage ranges between records
/// appear as `<damage>` elements; damage is also returned.
pub fn print_trail(
    buf: &[u8],
    names: &dyn EventNames,
    w: &mut impl Write,
) -> io::Result<Vec<Damage>> {
    let mut all = Vec::new();
    w.write_all(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<audit>\n")?;
    let mut out = String::with_capacity(4096);
    for item in Reader::new(buf) {
        out.clear();
        match item {
            Item::Record(r) => record(&mut out, &r, names),
            Item::FileToken(f) => {
                token(&mut out, &f.as_token(), names);
                out.push('\n');
            }
            Item::Damage(d) => {
                all.push(d);
                if matches!(
                    d.kind,
                    crate::DamageKind::TruncatedTail { .. } | crate::DamageKind::Skipped
                ) {
                    damage(&mut out, &d);
                }
            }
        }
        w.write_all(out.as_bytes())?;
    }
    w.write_all(b"</audit>\n")?;
    Ok(all)
}
