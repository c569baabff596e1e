//! NDJSON rendering: one JSON object per line for every record, file token
//! and damaged range.
//!
//! Records carry the fields people query (`time`, `event`, `subject`,
//! `return`, `paths`, `args`, `exec_args`, `exec_env`, `sockets`, `text`,
//! `identity`); tokens without a dedicated field go to `other`, so nothing in
//! the record is lost. Strings are decoded as UTF-8 with invalid bytes
//! replaced (U+FFFD); ids are plain unsigned numbers (auid 4294967295 means
//! "never set").

use std::io::{self, Write};

use std::borrow::Cow;

use serde::Serialize;
use serde_json::{json, Value};

use crate::errno;
use crate::names::EventNames;
use crate::read::{Damage, FileToken, Item, Reader, Record};
use crate::text::{hex, ipv4, ipv6, iso8601};
use crate::token::{self, Addr, HeaderKind, Subject, SubjectKind, Token};

fn s(b: &[u8]) -> String {
    String::from_utf8_lossy(token::cstr(b)).into_owned()
}

fn addr(a: &Addr) -> String {
    match *a {
        Addr::V4(b) => ipv4(b),
        Addr::V6(b) => ipv6(b),
    }
}

fn subject(sub: &Subject) -> Value {
    json!({
        "kind": match sub.kind {
            SubjectKind::S32 => "32",
            SubjectKind::S64 => "64",
            SubjectKind::S32Ex => "32_ex",
            SubjectKind::S64Ex => "64_ex",
        },
        "auid": sub.auid,
        "euid": sub.euid,
        "egid": sub.egid,
        "ruid": sub.ruid,
        "rgid": sub.rgid,
        "pid": sub.pid,
        "session": sub.sid,
        "terminal": { "port": sub.port, "address": addr(&sub.addr) },
    })
}

/// JSON for a token that has no dedicated record field.
pub fn token_value(tok: &Token<'_>) -> Value {
    match tok {
        Token::Header(h) => json!({
            "token": "header",
            "kind": match h.kind {
                HeaderKind::Header32 => "header32",
                HeaderKind::Header32Ex => "header32_ex",
                HeaderKind::Header64 => "header64",
                HeaderKind::Header64Ex => "header64_ex",
            },
            "byte_count": h.byte_count, "version": h.version, "event": h.event,
            "modifier": h.modifier, "host": h.host.as_ref().map(addr),
            "time": iso8601(h.sec, h.msec),
        }),
        Token::Trailer { magic, count } => {
            json!({"token": "trailer", "magic": magic, "count": count})
        }
        Token::Arg {
            num,
            value,
            text,
            wide,
        } => {
            json!({"token": "arg", "wide": wide, "num": num, "value": value, "text": s(text)})
        }
        Token::Attr(a) => json!({
            "token": "attr", "mode": format!("{:o}", a.mode), "uid": a.uid, "gid": a.gid,
            "fsid": a.fsid, "node": a.node, "dev": a.dev,
        }),
        Token::Data(d) => json!({
            "token": "data",
            "format": match d.how { 0 => "binary", 1 => "octal", 2 => "decimal", 3 => "hex", 4 => "string", _ => "unknown" },
            "unit": match d.unit { 0 => "byte", 1 => "short", 2 => "int32", _ => "int64" },
            "values": d.values().collect::<Vec<u64>>(),
        }),
        Token::Exit { status, ret } => json!({"token": "exit", "status": status, "return": ret}),
        Token::ExecArgs(a) => {
            json!({"token": "exec_args", "args": a.iter().map(s).collect::<Vec<_>>()})
        }
        Token::ExecEnv(a) => {
            json!({"token": "exec_env", "env": a.iter().map(s).collect::<Vec<_>>()})
        }
        Token::File(f) => {
            json!({"token": "file", "time": iso8601(u64::from(f.sec), f.msec), "name": s(f.name)})
        }
        Token::NewGroups { raw } => json!({
            "token": "groups",
            "gids": raw.chunks_exact(4).map(|g| u32::from_be_bytes([g[0], g[1], g[2], g[3]])).collect::<Vec<_>>(),
        }),
        Token::InAddr(a) => json!({"token": "in_addr", "address": ipv4(*a)}),
        Token::InAddrEx(a) => json!({"token": "in_addr", "address": addr(a)}),
        Token::Ip(ip) => json!({
            "token": "ip", "version": ip.version, "tos": ip.tos, "len": ip.len, "id": ip.id,
            "offset": ip.offset, "ttl": ip.ttl, "protocol": ip.protocol, "checksum": ip.checksum,
            "src": ipv4(ip.src), "dst": ipv4(ip.dst),
        }),
        Token::Ipc { kind, id } => json!({
            "token": "ipc",
            "type": match kind { 1 => "msg".to_string(), 2 => "sem".to_string(), 3 => "shm".to_string(), k => k.to_string() },
            "id": id,
        }),
        Token::IpcPerm(p) => json!({
            "token": "ipc_perm", "uid": p.uid, "gid": p.gid, "creator_uid": p.creator_uid,
            "creator_gid": p.creator_gid, "mode": format!("{:o}", p.mode), "seq": p.seq, "key": p.key,
        }),
        Token::IPort(raw) => json!({"token": "iport", "port": token::iport_value(*raw)}),
        Token::Opaque(d) => json!({"token": "opaque", "hex": hex(d)}),
        Token::Path(p) => json!({"token": "path", "path": s(p)}),
        Token::Process(p) => {
            let mut v = subject(p);
            v["token"] = json!("process");
            v
        }
        Token::Subject(p) => {
            let mut v = subject(p);
            v["token"] = json!("subject");
            v
        }
        Token::Return {
            wide,
            status,
            value,
        } => json!({
            "token": "return", "wide": wide, "status": status, "value": value,
        }),
        Token::ArgUuid { num, uuid, text } => {
            json!({"token": "arg_uuid", "num": num, "uuid": crate::text::uuid(uuid), "text": s(text)})
        }
        Token::RetUuid { num, uuid, text } => {
            json!({"token": "ret_uuid", "num": num, "uuid": crate::text::uuid(uuid), "text": s(text)})
        }
        Token::Seq(n) => json!({"token": "seq", "seq": n}),
        Token::Socket {
            kind,
            lport,
            laddr,
            rport,
            raddr,
        } => json!({
            "token": "socket", "type": kind,
            "local": {"port": u16::from_be_bytes(*lport), "address": ipv4(*laddr)},
            "remote": {"port": u16::from_be_bytes(*rport), "address": ipv4(*raddr)},
        }),
        Token::SockInet {
            family,
            port,
            addr: a,
        } => json!({
            "token": "socket_inet", "family": family, "port": u16::from_be_bytes(*port), "address": addr(a),
        }),
        Token::SockUnix { family, path } => {
            json!({"token": "socket_unix", "family": family, "path": s(path)})
        }
        Token::SocketEx {
            domain,
            kind,
            lport,
            laddr,
            rport,
            raddr,
        } => json!({
            "token": "socket_ex", "domain": domain, "type": kind,
            "local": {"port": u16::from_be_bytes(*lport), "address": addr(laddr)},
            "remote": {"port": u16::from_be_bytes(*rport), "address": addr(raddr)},
        }),
        Token::Text(t) => json!({"token": "text", "text": s(t)}),
        Token::Zonename(z) => json!({"token": "zonename", "zone": s(z)}),
        Token::UPriv { success, name } => {
            json!({"token": "upriv", "success": *success != 0, "privilege": s(name)})
        }
        Token::PrivSet { set, privs } => {
            json!({"token": "privset", "set": s(set), "privileges": s(privs)})
        }
        Token::Identity(i) => json!({
            "token": "identity",
            "signer_type": i.signer_type,
            "signing_id": s(i.signing_id),
            "signing_id_truncated": i.signing_id_truncated != 0,
            "team_id": s(i.team_id),
            "team_id_truncated": i.team_id_truncated != 0,
            "cdhash": hex(i.cdhash),
        }),
        Token::Unknown { id, data } => json!({"token": "unknown", "id": id, "hex": hex(data)}),
        Token::Malformed { id, data } => json!({"token": "malformed", "id": id, "hex": hex(data)}),
    }
}

fn strip_token_key(mut v: Value) -> Value {
    if let Value::Object(m) = &mut v {
        m.remove("token");
    }
    v
}

fn cow(b: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(token::cstr(b))
}

#[derive(Serialize)]
struct EventJson<'a> {
    number: u16,
    name: Option<&'a str>,
    description: Option<&'a str>,
    classes: Vec<String>,
}

#[derive(Serialize)]
struct TerminalJson {
    port: u64,
    address: String,
}

#[derive(Serialize)]
struct SubjectJson {
    kind: &'static str,
    auid: u32,
    euid: u32,
    egid: u32,
    ruid: u32,
    rgid: u32,
    pid: u32,
    session: u32,
    terminal: TerminalJson,
}

impl SubjectJson {
    fn new(sub: &Subject) -> SubjectJson {
        SubjectJson {
            kind: match sub.kind {
                SubjectKind::S32 => "32",
                SubjectKind::S64 => "64",
                SubjectKind::S32Ex => "32_ex",
                SubjectKind::S64Ex => "64_ex",
            },
            auid: sub.auid,
            euid: sub.euid,
            egid: sub.egid,
            ruid: sub.ruid,
            rgid: sub.rgid,
            pid: sub.pid,
            session: sub.sid,
            terminal: TerminalJson {
                port: sub.port,
                address: addr(&sub.addr),
            },
        }
    }
}

#[derive(Serialize)]
struct ReturnJson {
    status: u8,
    success: bool,
    value: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    errno: Option<Option<&'static str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Serialize)]
struct ArgJson<'a> {
    num: u8,
    value: u64,
    text: Cow<'a, str>,
}

/// One record as serialized; borrowed strings keep it allocation-light.
#[derive(Serialize)]
struct RecordJson<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    offset: u64,
    length: u32,
    time: String,
    event: EventJson<'a>,
    modifier: u16,
    version: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    host: Option<String>,
    subject: Option<SubjectJson>,
    #[serde(rename = "return")]
    ret: Option<ReturnJson>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    paths: Vec<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    args: Vec<ArgJson<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    exec_args: Vec<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    exec_env: Vec<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    sockets: Vec<Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    text: Vec<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    identity: Option<Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    other: Vec<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    damage: Option<Value>,
}

fn record_json<'a>(rec: &Record<'a>, names: &'a dyn EventNames) -> RecordJson<'a> {
    let h = &rec.header;
    let mut o = RecordJson {
        kind: "record",
        offset: rec.offset,
        length: h.byte_count,
        time: iso8601(h.sec, h.msec),
        event: EventJson {
            number: h.event,
            name: names.event_name(h.event),
            description: names.event_desc(h.event),
            classes: names
                .event_classes(h.event)
                .map(|m| names.class_names(m))
                .unwrap_or_default(),
        },
        modifier: h.modifier,
        version: h.version,
        host: h.host.as_ref().map(addr),
        subject: None,
        ret: None,
        paths: vec![],
        args: vec![],
        exec_args: vec![],
        exec_env: vec![],
        sockets: vec![],
        text: vec![],
        identity: None,
        other: vec![],
        damage: None,
    };
    for t in rec.tokens() {
        match &t {
            Token::Header(_) | Token::Trailer { .. } => {}
            Token::Subject(sub) if o.subject.is_none() => o.subject = Some(SubjectJson::new(sub)),
            Token::Return {
                status,
                value,
                wide,
            } if o.ret.is_none() => {
                // return32 values are unsigned 32-bit on disk but syscalls
                // return -1 on failure; show them signed like the syscall did.
                let signed = if *wide {
                    *value as i64
                } else {
                    i64::from(*value as u32 as i32)
                };
                let failed = *status != 0;
                o.ret = Some(ReturnJson {
                    status: *status,
                    success: !failed,
                    value: signed,
                    errno: failed.then(|| errno::lookup(*status).map(|e| e.name)),
                    error: failed.then(|| errno::text(*status)),
                });
            }
            Token::Path(p) => o.paths.push(cow(p)),
            Token::Arg {
                num, value, text, ..
            } => o.args.push(ArgJson {
                num: *num,
                value: *value,
                text: cow(text),
            }),
            Token::ExecArgs(a) => o.exec_args.extend(a.iter().map(cow)),
            Token::ExecEnv(a) => o.exec_env.extend(a.iter().map(cow)),
            Token::SockInet { .. }
            | Token::SockUnix { .. }
            | Token::SocketEx { .. }
            | Token::Socket { .. } => o.sockets.push(token_value(&t)),
            Token::Text(x) => o.text.push(cow(x)),
            Token::Identity(_) if o.identity.is_none() => {
                o.identity = Some(strip_token_key(token_value(&t)))
            }
            _ => o.other.push(token_value(&t)),
        }
    }
    o.damage = rec.damage().map(|d| damage_value(&d));
    o
}

/// The JSON object for one record.
pub fn record_value(rec: &Record<'_>, names: &dyn EventNames) -> Value {
    serde_json::to_value(record_json(rec, names)).unwrap_or(Value::Null)
}

/// Append one record as a JSON object (no newline) to `out` — the same
/// object as [`record_value`], serialized without building a `Value`.
pub fn write_record(out: &mut Vec<u8>, rec: &Record<'_>, names: &dyn EventNames) {
    // Serializing plain structs into a Vec cannot fail.
    let _ = serde_json::to_writer(out, &record_json(rec, names));
}

pub fn file_token_value(f: &FileToken<'_>) -> Value {
    json!({
        "type": "file",
        "offset": f.offset,
        "time": iso8601(u64::from(f.sec), f.msec),
        "name": f.name_lossy(),
    })
}

pub fn damage_value(d: &Damage) -> Value {
    let mut v = serde_json::to_value(d).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        m.insert("message".into(), json!(d.to_string()));
    }
    v
}

/// Write a whole trail as NDJSON: records, file tokens and damage
/// (`"type":"damage"`) in file order. Damage is also returned.
pub fn print_trail(
    buf: &[u8],
    names: &dyn EventNames,
    w: &mut impl Write,
) -> io::Result<Vec<Damage>> {
    let mut damage = Vec::new();
    let mut line = Vec::with_capacity(2048);
    for item in Reader::new(buf) {
        let v = match item {
            Item::Record(r) => {
                line.clear();
                write_record(&mut line, &r, names);
                line.push(b'\n');
                w.write_all(&line)?;
                continue;
            }
            Item::FileToken(f) => file_token_value(&f),
            Item::Damage(d) => {
                damage.push(d);
                // Token damage is already inside its record's object.
                if matches!(
                    d.kind,
                    crate::DamageKind::UnknownToken { .. }
                        | crate::DamageKind::MalformedToken { .. }
                ) {
                    continue;
                }
                let mut v = damage_value(&d);
                if let Value::Object(m) = &mut v {
                    m.insert("type".into(), json!("damage"));
                }
                v
            }
        };
        serde_json::to_writer(&mut *w, &v)?;
        w.write_all(b"\n")?;
    }
    Ok(damage)
}
