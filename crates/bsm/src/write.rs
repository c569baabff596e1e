//! Writing records whose bytes equal libbsm's.
//!
//! Two layers:
//! * [`encode`] turns any decoded [`Token`] back into exactly the bytes it
//!   was decoded from (decoded tokens keep raw fields for this reason);
//! * [`RecordBuilder`] builds records the way libbsm's `au_to_*` constructors
//!   and `au_close` do — string lengths count the terminating NUL, ports and
//!   addresses are copied in network order, the header's byte count covers
//!   header to trailer, and the trailer repeats it.
//!
//! `tests/write.rs` proves both against every fixture record.

use crate::token::{Addr, Attr, Header, HeaderKind, Subject, SubjectKind, Token};
use crate::wire::{id, TRAILER_LEN, TRAILER_MAGIC};

fn u16be(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}

fn u32be(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_be_bytes());
}

fn u64be(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_be_bytes());
}

/// A length-prefixed field stored as-is (already holding its NUL).
fn raw16(out: &mut Vec<u8>, b: &[u8]) {
    u16be(out, b.len().min(usize::from(u16::MAX)) as u16);
    out.extend_from_slice(&b[..b.len().min(usize::from(u16::MAX))]);
}

/// A C string as libbsm stores it: length `strlen + 1`, bytes, NUL.
fn cstr16(out: &mut Vec<u8>, s: &str) {
    // A u16 length caps the string; libbsm would truncate the count the same
    // way (it is an ADD_U_INT16 of a size_t).
    let b = &s.as_bytes()[..s.len().min(usize::from(u16::MAX) - 1)];
    u16be(out, (b.len() + 1) as u16);
    out.extend_from_slice(b);
    out.push(0);
}

fn addr_ex(out: &mut Vec<u8>, a: &Addr) {
    u32be(out, a.type_word());
    out.extend_from_slice(a.octets());
}

fn header(out: &mut Vec<u8>, h: &Header) {
    out.push(h.kind.token_id());
    u32be(out, h.byte_count);
    out.push(h.version);
    u16be(out, h.event);
    u16be(out, h.modifier);
    if let Some(a) = &h.host {
        addr_ex(out, a);
    }
    if h.kind.is_64() {
        u64be(out, h.sec);
        u64be(out, h.msec_field);
    } else {
        u32be(out, h.sec as u32);
        u32be(out, h.msec_field as u32);
    }
}

fn subject(out: &mut Vec<u8>, s: &Subject) {
    for v in [s.auid, s.euid, s.egid, s.ruid, s.rgid, s.pid, s.sid] {
        u32be(out, v);
    }
    match s.kind {
        SubjectKind::S32 | SubjectKind::S32Ex => u32be(out, s.port as u32),
        SubjectKind::S64 | SubjectKind::S64Ex => u64be(out, s.port),
    }
    match s.kind {
        SubjectKind::S32 | SubjectKind::S64 => {
            let b = s.addr.octets();
            out.extend_from_slice(&b[..4.min(b.len())]);
        }
        SubjectKind::S32Ex | SubjectKind::S64Ex => addr_ex(out, &s.addr),
    }
}

/// Append the encoding of `tok` to `out`.
pub fn encode(out: &mut Vec<u8>, tok: &Token<'_>) {
    if let Token::Header(h) = tok {
        header(out, h);
        return;
    }
    out.push(tok.id());
    match tok {
        Token::Header(_) => {}
        Token::Trailer { magic, count } => {
            u16be(out, *magic);
            u32be(out, *count);
        }
        Token::Arg {
            wide,
            num,
            value,
            text,
        } => {
            out.push(*num);
            if *wide {
                u64be(out, *value);
            } else {
                u32be(out, *value as u32);
            }
            raw16(out, text);
        }
        Token::Attr(a) => {
            for v in [a.mode, a.uid, a.gid, a.fsid] {
                u32be(out, v);
            }
            u64be(out, a.node);
            if a.wide {
                u64be(out, a.dev);
            } else {
                u32be(out, a.dev as u32);
            }
        }
        Token::Data(d) => {
            out.extend_from_slice(&[d.how, d.unit, d.count]);
            out.extend_from_slice(d.items);
        }
        Token::Exit { status, ret } => {
            u32be(out, *status);
            u32be(out, *ret);
        }
        Token::ExecArgs(s) | Token::ExecEnv(s) => {
            u32be(out, s.count);
            out.extend_from_slice(s.raw);
        }
        Token::File(f) => {
            u32be(out, f.sec);
            u32be(out, f.msec);
            raw16(out, f.name);
        }
        Token::NewGroups { raw } => {
            u16be(out, (raw.len() / 4) as u16);
            out.extend_from_slice(raw);
        }
        Token::InAddr(a) => out.extend_from_slice(a),
        Token::InAddrEx(a) => addr_ex(out, a),
        Token::Ip(ip) => {
            out.extend_from_slice(&[ip.version, ip.tos]);
            u16be(out, ip.len);
            u16be(out, ip.id);
            u16be(out, ip.offset);
            out.extend_from_slice(&[ip.ttl, ip.protocol]);
            u16be(out, ip.checksum);
            out.extend_from_slice(&ip.src);
            out.extend_from_slice(&ip.dst);
        }
        Token::Ipc { kind, id } => {
            out.push(*kind);
            u32be(out, *id);
        }
        Token::IpcPerm(p) => {
            for v in [
                p.uid,
                p.gid,
                p.creator_uid,
                p.creator_gid,
                p.mode,
                p.seq,
                p.key,
            ] {
                u32be(out, v);
            }
        }
        Token::IPort(raw) => out.extend_from_slice(raw),
        Token::Opaque(b) | Token::Path(b) | Token::Text(b) | Token::Zonename(b) => raw16(out, b),
        Token::Process(s) | Token::Subject(s) => subject(out, s),
        Token::Return {
            wide,
            status,
            value,
        } => {
            out.push(*status);
            if *wide {
                u64be(out, *value);
            } else {
                u32be(out, *value as u32);
            }
        }
        Token::ArgUuid { num, uuid, text } | Token::RetUuid { num, uuid, text } => {
            out.push(*num);
            out.extend_from_slice(uuid);
            raw16(out, text);
        }
        Token::Seq(n) => u32be(out, *n),
        Token::Socket {
            kind,
            lport,
            laddr,
            rport,
            raddr,
        } => {
            u16be(out, *kind);
            out.extend_from_slice(lport);
            out.extend_from_slice(laddr);
            out.extend_from_slice(rport);
            out.extend_from_slice(raddr);
        }
        Token::SockInet { family, port, addr } => {
            u16be(out, *family);
            out.extend_from_slice(port);
            out.extend_from_slice(addr.octets());
        }
        Token::SockUnix { family, path } => {
            u16be(out, *family);
            out.extend_from_slice(path);
        }
        Token::SocketEx {
            domain,
            kind,
            lport,
            laddr,
            rport,
            raddr,
        } => {
            u16be(out, *domain);
            u16be(out, *kind);
            u16be(out, laddr.type_word() as u16);
            out.extend_from_slice(lport);
            out.extend_from_slice(laddr.octets());
            out.extend_from_slice(rport);
            out.extend_from_slice(raddr.octets());
        }
        Token::UPriv { success, name } => {
            out.push(*success);
            raw16(out, name);
        }
        Token::PrivSet { set, privs } => {
            raw16(out, set);
            raw16(out, privs);
        }
        Token::Identity(i) => {
            u32be(out, i.signer_type);
            raw16(out, i.signing_id);
            out.push(i.signing_id_truncated);
            raw16(out, i.team_id);
            out.push(i.team_id_truncated);
            raw16(out, i.cdhash);
        }
        Token::Unknown { data, .. } | Token::Malformed { data, .. } => out.extend_from_slice(data),
    }
}

/// A stand-alone file token (`au_to_file`), as auditd writes at the start
/// ("name" = the trail's own name) and end (the next trail's name) of a file.
pub fn file_token(sec: u32, msec: u32, name: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(12 + name.len());
    out.push(id::OTHER_FILE32);
    u32be(&mut out, sec);
    u32be(&mut out, msec);
    cstr16(&mut out, name);
    out
}

/// The process identity a subject token records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubjectInfo {
    pub auid: u32,
    pub euid: u32,
    pub egid: u32,
    pub ruid: u32,
    pub rgid: u32,
    pub pid: u32,
    pub sid: u32,
    /// Terminal port (`at_port`).
    pub port: u32,
    /// Terminal address; subject32 can only hold IPv4.
    pub addr: Addr,
}

/// Builds one record token by token, like libbsm's `au_open`/`au_write`/
/// `au_close`: the header (with the final byte count) and trailer are added
/// by [`RecordBuilder::finish`].
#[derive(Debug, Clone)]
pub struct RecordBuilder {
    kind: HeaderKind,
    version: u8,
    event: u16,
    modifier: u16,
    host: Option<Addr>,
    sec: u64,
    msec: u32,
    body: Vec<u8>,
}

/// `AUDIT_HEADER_VERSION_OPENBSM`, what macOS writes.
pub const HEADER_VERSION: u8 = 11;

impl RecordBuilder {
    /// A header32 record for `event` at `sec`.`msec`.
    pub fn new(event: u16, sec: u32, msec: u32) -> RecordBuilder {
        RecordBuilder {
            kind: HeaderKind::Header32,
            version: HEADER_VERSION,
            event,
            modifier: 0,
            host: None,
            sec: u64::from(sec),
            msec,
            body: Vec::with_capacity(160),
        }
    }

    /// Use header32_ex with this host address (`au_to_header32_ex`).
    pub fn host(mut self, host: Addr) -> RecordBuilder {
        self.kind = HeaderKind::Header32Ex;
        self.host = Some(host);
        self
    }

    /// Use a 64-bit header (8-byte seconds and milliseconds).
    pub fn header64(mut self, sec: u64) -> RecordBuilder {
        self.kind = if self.host.is_some() {
            HeaderKind::Header64Ex
        } else {
            HeaderKind::Header64
        };
        self.sec = sec;
        self
    }

    pub fn modifier(mut self, modifier: u16) -> RecordBuilder {
        self.modifier = modifier;
        self
    }

    pub fn version(mut self, version: u8) -> RecordBuilder {
        self.version = version;
        self
    }

    /// Append any token (e.g. one decoded from another trail).
    pub fn token(&mut self, tok: &Token<'_>) -> &mut Self {
        encode(&mut self.body, tok);
        self
    }

    /// `au_to_subject32` (IPv4 terminal address only; an IPv6 address is
    /// written as `au_to_subject32_ex`, which is what libbsm's
    /// `au_to_subject32_ex` would be used for).
    pub fn subject32(&mut self, s: &SubjectInfo) -> &mut Self {
        let kind = match s.addr {
            Addr::V4(_) => SubjectKind::S32,
            Addr::V6(_) => SubjectKind::S32Ex,
        };
        self.subject_kind(s, kind)
    }

    /// `au_to_subject32_ex`.
    pub fn subject32_ex(&mut self, s: &SubjectInfo) -> &mut Self {
        self.subject_kind(s, SubjectKind::S32Ex)
    }

    fn subject_kind(&mut self, s: &SubjectInfo, kind: SubjectKind) -> &mut Self {
        self.token(&Token::Subject(Subject {
            kind,
            auid: s.auid,
            euid: s.euid,
            egid: s.egid,
            ruid: s.ruid,
            rgid: s.rgid,
            pid: s.pid,
            sid: s.sid,
            port: u64::from(s.port),
            addr: s.addr,
        }))
    }

    /// `au_to_return32`: `status` is a BSM error number (0 = success; see
    /// [`crate::errno`]), `value` the syscall's return value.
    pub fn return32(&mut self, status: u8, value: u32) -> &mut Self {
        self.token(&Token::Return {
            wide: false,
            status,
            value: u64::from(value),
        })
    }

    /// `au_to_text`.
    pub fn text(&mut self, text: &str) -> &mut Self {
        self.body.push(id::TEXT);
        cstr16(&mut self.body, text);
        self
    }

    /// `au_to_path`.
    pub fn path(&mut self, path: &str) -> &mut Self {
        self.body.push(id::PATH);
        cstr16(&mut self.body, path);
        self
    }

    /// `au_to_arg32`.
    pub fn arg32(&mut self, num: u8, value: u32, text: &str) -> &mut Self {
        self.body.push(id::ARG32);
        self.body.push(num);
        u32be(&mut self.body, value);
        cstr16(&mut self.body, text);
        self
    }

    fn string_list(&mut self, tid: u8, items: &[&str]) -> &mut Self {
        self.body.push(tid);
        u32be(&mut self.body, items.len() as u32);
        for s in items {
            // An interior NUL would split the string on reading; libbsm
            // copies up to strlen, so cut there too.
            let b = s.as_bytes();
            let b = &b[..memchr::memchr(0, b).unwrap_or(b.len())];
            self.body.extend_from_slice(b);
            self.body.push(0);
        }
        self
    }

    /// `au_to_exec_args`.
    pub fn exec_args(&mut self, args: &[&str]) -> &mut Self {
        self.string_list(id::EXEC_ARGS, args)
    }

    /// `au_to_exec_env`.
    pub fn exec_env(&mut self, env: &[&str]) -> &mut Self {
        self.string_list(id::EXEC_ENV, env)
    }

    /// `au_to_attr32`: mode (type and permission bits), owner, group, file
    /// system id, inode, device.
    pub fn attr32(
        &mut self,
        mode: u32,
        uid: u32,
        gid: u32,
        fsid: u32,
        node: u64,
        dev: u32,
    ) -> &mut Self {
        self.token(&Token::Attr(Attr {
            wide: false,
            mode,
            uid,
            gid,
            fsid,
            node,
            dev: u64::from(dev),
        }))
    }

    /// `au_to_sock_inet32` / `au_to_sock_inet128`: `family` is the BSM
    /// socket domain (2 = inet, 26 = inet6), `port` in host order.
    pub fn socket_inet(&mut self, family: u16, port: u16, addr: Addr) -> &mut Self {
        self.token(&Token::SockInet {
            family,
            port: port.to_be_bytes(),
            addr,
        })
    }

    /// Bytes the finished record will have.
    pub fn encoded_len(&self) -> usize {
        self.header_struct(0).encoded_len() + self.body.len() + TRAILER_LEN
    }

    fn header_struct(&self, byte_count: u32) -> Header {
        Header {
            kind: self.kind,
            byte_count,
            version: self.version,
            event: self.event,
            modifier: self.modifier,
            host: self.host,
            sec: self.sec,
            msec: self.msec,
            msec_field: u64::from(self.msec),
        }
    }

    /// Append the finished record (header, tokens, trailer) to `out`.
    pub fn finish_into(&self, out: &mut Vec<u8>) {
        let total = self.encoded_len() as u32;
        header(out, &self.header_struct(total));
        out.extend_from_slice(&self.body);
        out.push(id::TRAILER);
        u16be(out, TRAILER_MAGIC);
        u32be(out, total);
    }

    /// The finished record.
    pub fn finish(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.encoded_len());
        self.finish_into(&mut out);
        out
    }
}
