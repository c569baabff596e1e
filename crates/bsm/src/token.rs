//! Zero-copy decoding of every BSM token Earshot meets on macOS and in the
//! OpenBSM test corpus.
//!
//! Decoded tokens keep variable-length fields as the raw bytes of the file
//! (string fields *with* their NUL terminator, exactly as the length prefix
//! counts them), so that [`crate::write`] can re-encode a decoded token to the
//! identical bytes and display code can decide how to render them.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::wire::{id, Cursor, Short, AU_IPV4, AU_IPV6, TRAILER_LEN};

/// A terminal or host address: the `_ex` tokens carry a type/length word that
/// selects 4 or 16 address bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Addr {
    V4([u8; 4]),
    V6([u8; 16]),
}

impl Addr {
    pub fn to_ip(&self) -> IpAddr {
        match *self {
            Addr::V4(a) => IpAddr::V4(Ipv4Addr::from(a)),
            Addr::V6(a) => IpAddr::V6(Ipv6Addr::from(a)),
        }
    }

    /// The on-disk `AU_IPv4`/`AU_IPv6` type word.
    pub fn type_word(&self) -> u32 {
        match self {
            Addr::V4(_) => AU_IPV4,
            Addr::V6(_) => AU_IPV6,
        }
    }

    pub fn octets(&self) -> &[u8] {
        match self {
            Addr::V4(a) => a,
            Addr::V6(a) => a,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderKind {
    /// 0x14
    Header32,
    /// 0x15, with host address
    Header32Ex,
    /// 0x74, 64-bit seconds and milliseconds
    Header64,
    /// 0x79
    Header64Ex,
}

impl HeaderKind {
    pub fn token_id(self) -> u8 {
        match self {
            HeaderKind::Header32 => id::HEADER32,
            HeaderKind::Header32Ex => id::HEADER32_EX,
            HeaderKind::Header64 => id::HEADER64,
            HeaderKind::Header64Ex => id::HEADER64_EX,
        }
    }

    pub fn is_64(self) -> bool {
        matches!(self, HeaderKind::Header64 | HeaderKind::Header64Ex)
    }
}

/// The record header token (all four forms).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub kind: HeaderKind,
    /// Whole-record length in bytes, header and trailer included.
    pub byte_count: u32,
    pub version: u8,
    pub event: u16,
    pub modifier: u16,
    /// Present only in the `_ex` forms.
    pub host: Option<Addr>,
    pub sec: u64,
    /// Milliseconds; for 64-bit headers the low 32 bits of the stored field.
    pub msec: u32,
    /// The millisecond field exactly as stored (8 bytes wide in 64-bit headers).
    pub msec_field: u64,
}

impl Header {
    /// Length of the encoded header token.
    pub fn encoded_len(&self) -> usize {
        let time = if self.kind.is_64() { 16 } else { 8 };
        let host = self.host.map_or(0, |a| 4 + a.octets().len());
        1 + 4 + 1 + 2 + 2 + host + time
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectKind {
    /// subject32 0x24 / process32 0x26
    S32,
    /// subject64 0x75 / process64 0x77
    S64,
    /// subject32_ex 0x7a / process32_ex 0x7b
    S32Ex,
    /// subject64_ex 0x7c / process64_ex 0x7d
    S64Ex,
}

/// Subject and process tokens share one layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subject {
    pub kind: SubjectKind,
    pub auid: u32,
    pub euid: u32,
    pub egid: u32,
    pub ruid: u32,
    pub rgid: u32,
    pub pid: u32,
    pub sid: u32,
    /// Terminal port (4 bytes in 32-bit forms, 8 in 64-bit forms).
    pub port: u64,
    pub addr: Addr,
}

/// `data` (arbitrary) token. Multi-byte units are copied with `memcpy` by
/// libbsm, i.e. stored in the *writer's* byte order; every Mac since the
/// Intel transition is little-endian, so [`Data::values`] reads them so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Data<'a> {
    /// How to print: 0 binary, 1 octal, 2 decimal, 3 hex, 4 string.
    pub how: u8,
    /// Basic unit: 0 byte, 1 short, 2 int32, 3 int64.
    pub unit: u8,
    pub count: u8,
    pub items: &'a [u8],
}

impl Data<'_> {
    pub fn unit_size(unit: u8) -> Option<usize> {
        match unit {
            0 => Some(1),
            1 => Some(2),
            2 => Some(4),
            3 => Some(8),
            _ => None,
        }
    }

    /// Item values, decoded little-endian (see the type's docs).
    pub fn values(&self) -> impl Iterator<Item = u64> + '_ {
        let size = Self::unit_size(self.unit).unwrap_or(1);
        self.items.chunks_exact(size).map(|c| {
            let mut a = [0u8; 8];
            a[..c.len()].copy_from_slice(c);
            u64::from_le_bytes(a)
        })
    }
}

/// A list of NUL-terminated strings (`exec_args`, `exec_env`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Strings<'a> {
    pub count: u32,
    /// All strings with their terminators, as stored.
    pub raw: &'a [u8],
}

impl<'a> Strings<'a> {
    pub fn iter(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        let raw = self.raw;
        let n = self.count as usize;
        raw.split(|&b| b == 0).take(n)
    }
}

/// The `file` token (0x11): at the start and end of every trail file, and
/// occasionally inside a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct File<'a> {
    pub sec: u32,
    pub msec: u32,
    /// Name field as stored (with its NUL).
    pub name: &'a [u8],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpHeader {
    pub version: u8,
    pub tos: u8,
    pub len: u16,
    pub id: u16,
    pub offset: u16,
    pub ttl: u8,
    pub protocol: u8,
    pub checksum: u16,
    pub src: [u8; 4],
    pub dst: [u8; 4],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpcPerm {
    pub uid: u32,
    pub gid: u32,
    pub creator_uid: u32,
    pub creator_gid: u32,
    pub mode: u32,
    pub seq: u32,
    pub key: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attr {
    /// attr64 (0x73) stores an 8-byte device.
    pub wide: bool,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub fsid: u32,
    pub node: u64,
    pub dev: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Identity<'a> {
    pub signer_type: u32,
    /// Signing ID field as stored (length-prefixed, with NUL).
    pub signing_id: &'a [u8],
    pub signing_id_truncated: u8,
    pub team_id: &'a [u8],
    pub team_id_truncated: u8,
    pub cdhash: &'a [u8],
}

/// One decoded token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token<'a> {
    Header(Header),
    Trailer {
        magic: u16,
        count: u32,
    },
    /// arg32 (0x2d) or arg64 (0x71).
    Arg {
        wide: bool,
        num: u8,
        value: u64,
        text: &'a [u8],
    },
    Attr(Attr),
    Data(Data<'a>),
    Exit {
        status: u32,
        ret: u32,
    },
    ExecArgs(Strings<'a>),
    ExecEnv(Strings<'a>),
    File(File<'a>),
    NewGroups {
        /// Group ids, 4 bytes each, big-endian.
        raw: &'a [u8],
    },
    InAddr([u8; 4]),
    InAddrEx(Addr),
    Ip(IpHeader),
    Ipc {
        kind: u8,
        id: u32,
    },
    IpcPerm(IpcPerm),
    /// Raw port bytes; see [`crate::token::iport_value`].
    IPort([u8; 2]),
    Opaque(&'a [u8]),
    Path(&'a [u8]),
    Process(Subject),
    Subject(Subject),
    /// return32 (0x27) or return64 (0x72); status is a BSM errno.
    Return {
        wide: bool,
        status: u8,
        value: u64,
    },
    ArgUuid {
        num: u8,
        uuid: [u8; 16],
        text: &'a [u8],
    },
    RetUuid {
        num: u8,
        uuid: [u8; 16],
        text: &'a [u8],
    },
    Seq(u32),
    /// The old Solaris socket token (0x2e).
    Socket {
        kind: u16,
        lport: [u8; 2],
        laddr: [u8; 4],
        rport: [u8; 2],
        raddr: [u8; 4],
    },
    /// socket-inet (0x80, IPv4) or socket-inet6 (0x81, IPv6). Port bytes raw.
    SockInet {
        family: u16,
        port: [u8; 2],
        addr: Addr,
    },
    /// sock_unix (0x82); path as stored, with its NUL.
    SockUnix {
        family: u16,
        path: &'a [u8],
    },
    /// FreeBSD-style socket_ex (0x7f). Ports raw (network order).
    SocketEx {
        domain: u16,
        kind: u16,
        lport: [u8; 2],
        laddr: Addr,
        rport: [u8; 2],
        raddr: Addr,
    },
    Text(&'a [u8]),
    Zonename(&'a [u8]),
    UPriv {
        success: u8,
        name: &'a [u8],
    },
    PrivSet {
        set: &'a [u8],
        privs: &'a [u8],
    },
    Identity(Identity<'a>),
    /// A token id Earshot does not know: its length is unknowable, so the
    /// rest of the record (up to the trailer) is kept here, after the id byte.
    Unknown {
        id: u8,
        data: &'a [u8],
    },
    /// A known token whose fields overrun the record or hold an impossible
    /// value; the rest of the record (after the id byte) is kept raw.
    Malformed {
        id: u8,
        data: &'a [u8],
    },
}

impl Token<'_> {
    /// The token id byte as stored.
    pub fn id(&self) -> u8 {
        match self {
            Token::Header(h) => h.kind.token_id(),
            Token::Trailer { .. } => id::TRAILER,
            Token::Arg { wide, .. } => {
                if *wide {
                    id::ARG64
                } else {
                    id::ARG32
                }
            }
            Token::Attr(a) => {
                if a.wide {
                    id::ATTR64
                } else {
                    id::ATTR32
                }
            }
            Token::Data(_) => id::DATA,
            Token::Exit { .. } => id::EXIT,
            Token::ExecArgs(_) => id::EXEC_ARGS,
            Token::ExecEnv(_) => id::EXEC_ENV,
            Token::File(_) => id::OTHER_FILE32,
            Token::NewGroups { .. } => id::NEWGROUPS,
            Token::InAddr(_) => id::IN_ADDR,
            Token::InAddrEx(_) => id::IN_ADDR_EX,
            Token::Ip(_) => id::IP,
            Token::Ipc { .. } => id::IPC,
            Token::IpcPerm(_) => id::IPC_PERM,
            Token::IPort(_) => id::IPORT,
            Token::Opaque(_) => id::OPAQUE,
            Token::Path(_) => id::PATH,
            Token::Process(s) => match s.kind {
                SubjectKind::S32 => id::PROCESS32,
                SubjectKind::S64 => id::PROCESS64,
                SubjectKind::S32Ex => id::PROCESS32_EX,
                SubjectKind::S64Ex => id::PROCESS64_EX,
            },
            Token::Subject(s) => match s.kind {
                SubjectKind::S32 => id::SUBJECT32,
                SubjectKind::S64 => id::SUBJECT64,
                SubjectKind::S32Ex => id::SUBJECT32_EX,
                SubjectKind::S64Ex => id::SUBJECT64_EX,
            },
            Token::Return { wide, .. } => {
                if *wide {
                    id::RETURN64
                } else {
                    id::RETURN32
                }
            }
            Token::ArgUuid { .. } => id::ARG_UUID,
            Token::RetUuid { .. } => id::RET_UUID,
            Token::Seq(_) => id::SEQ,
            Token::Socket { .. } => id::SOCKET,
            Token::SockInet { addr, .. } => match addr {
                Addr::V4(_) => id::SOCKINET32,
                Addr::V6(_) => id::SOCKINET128,
            },
            Token::SockUnix { .. } => id::SOCKUNIX,
            Token::SocketEx { .. } => id::SOCKET_EX,
            Token::Text(_) => id::TEXT,
            Token::Zonename(_) => id::ZONENAME,
            Token::UPriv { .. } => id::UPRIV,
            Token::PrivSet { .. } => id::PRIVSET,
            Token::Identity(_) => id::IDENTITY,
            Token::Unknown { id, .. } | Token::Malformed { id, .. } => *id,
        }
    }
}

/// The port of an `iport` token. xnu and libbsm both store the port with
/// `ADD_U_INT16(htons(port))`, i.e. byte-swapped again on little-endian
/// writers, so the real port is the little-endian reading of the two bytes.
pub fn iport_value(raw: [u8; 2]) -> u16 {
    u16::from_le_bytes(raw)
}

/// Why a token could not be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The token id is not one Earshot knows.
    #[error("unknown token id 0x{0:02x}")]
    UnknownId(u8),
    /// A field runs past the end of the input.
    #[error("token runs past the end of its record")]
    Short,
    /// A field holds a value that makes the layout undecidable (e.g. an
    /// address type that is neither 4 nor 16).
    #[error("token field holds an impossible value")]
    BadField,
}

impl From<Short> for DecodeError {
    fn from(_: Short) -> Self {
        DecodeError::Short
    }
}

fn addr_ex(c: &mut Cursor<'_>, ty: u32) -> Result<Addr, DecodeError> {
    match ty {
        AU_IPV4 => Ok(Addr::V4(c.array()?)),
        AU_IPV6 => Ok(Addr::V6(c.array()?)),
        _ => Err(DecodeError::BadField),
    }
}

#[inline]
fn subject(c: &mut Cursor<'_>, kind: SubjectKind) -> Result<Subject, DecodeError> {
    // The seven ids with one length check (a subject is in nearly every record).
    let ids: [u8; 28] = c.array()?;
    let id = |i: usize| u32::from_be_bytes([ids[i], ids[i + 1], ids[i + 2], ids[i + 3]]);
    let (auid, euid, egid, ruid) = (id(0), id(4), id(8), id(12));
    let (rgid, pid, sid) = (id(16), id(20), id(24));
    let port = match kind {
        SubjectKind::S32 | SubjectKind::S32Ex => u64::from(c.u32()?),
        SubjectKind::S64 | SubjectKind::S64Ex => c.u64()?,
    };
    let addr = match kind {
        SubjectKind::S32 | SubjectKind::S64 => Addr::V4(c.array()?),
        SubjectKind::S32Ex | SubjectKind::S64Ex => {
            let ty = c.u32()?;
            addr_ex(c, ty)?
        }
    };
    Ok(Subject {
        kind,
        auid,
        euid,
        egid,
        ruid,
        rgid,
        pid,
        sid,
        port,
        addr,
    })
}

#[inline]
fn header(c: &mut Cursor<'_>, kind: HeaderKind) -> Result<Header, DecodeError> {
    // The fixed part with one length check (every record is framed by it).
    let fixed: [u8; 9] = c.array()?;
    let byte_count = u32::from_be_bytes([fixed[0], fixed[1], fixed[2], fixed[3]]);
    let version = fixed[4];
    let event = u16::from_be_bytes([fixed[5], fixed[6]]);
    let modifier = u16::from_be_bytes([fixed[7], fixed[8]]);
    let host = match kind {
        HeaderKind::Header32Ex | HeaderKind::Header64Ex => {
            let ty = c.u32()?;
            Some(addr_ex(c, ty)?)
        }
        _ => None,
    };
    let (sec, msec_field) = if kind.is_64() {
        (c.u64()?, c.u64()?)
    } else {
        (u64::from(c.u32()?), u64::from(c.u32()?))
    };
    Ok(Header {
        kind,
        byte_count,
        version,
        event,
        modifier,
        host,
        sec,
        msec: msec_field as u32,
        msec_field,
    })
}

/// Decode the header token at the start of `buf` (used by the framer, which
/// must not decode anything else before it trusts the record length).
pub fn decode_header(buf: &[u8]) -> Result<Header, DecodeError> {
    let mut c = Cursor::new(buf);
    let kind = match c.u8()? {
        id::HEADER32 => HeaderKind::Header32,
        id::HEADER32_EX => HeaderKind::Header32Ex,
        id::HEADER64 => HeaderKind::Header64,
        id::HEADER64_EX => HeaderKind::Header64Ex,
        other => return Err(DecodeError::UnknownId(other)),
    };
    header(&mut c, kind)
}

#[inline]
fn len16<'a>(c: &mut Cursor<'a>) -> Result<&'a [u8], DecodeError> {
    let n = c.u16()?;
    Ok(c.bytes(usize::from(n))?)
}

fn strings<'a>(c: &mut Cursor<'a>) -> Result<Strings<'a>, DecodeError> {
    let count = c.u32()?;
    let rest = c.rest();
    // Each string must be NUL-terminated inside the input; walking by memchr
    // keeps a huge bogus count from costing more than one pass over the input.
    let mut at = 0usize;
    for _ in 0..count {
        let n = memchr::memchr(0, &rest[at..]).ok_or(DecodeError::Short)?;
        at += n + 1;
    }
    let raw = c.bytes(at)?;
    Ok(Strings { count, raw })
}

/// Decode one token at the start of `buf`, returning it and its encoded length.
///
/// Inlined into [`Tokens::next`] and its callers: returned through memory, a
/// token written field by field and then copied whole as an `Option` stalls
/// on every token (the wide loads cannot be forwarded from the narrow stores).
#[inline]
pub fn decode(buf: &[u8]) -> Result<(Token<'_>, usize), DecodeError> {
    let mut c = Cursor::new(buf);
    let tid = c.u8()?;
    let tok = match tid {
        id::HEADER32 => Token::Header(header(&mut c, HeaderKind::Header32)?),
        id::HEADER32_EX => Token::Header(header(&mut c, HeaderKind::Header32Ex)?),
        id::HEADER64 => Token::Header(header(&mut c, HeaderKind::Header64)?),
        id::HEADER64_EX => Token::Header(header(&mut c, HeaderKind::Header64Ex)?),
        id::TRAILER => Token::Trailer {
            magic: c.u16()?,
            count: c.u32()?,
        },
        id::ARG32 => Token::Arg {
            wide: false,
            num: c.u8()?,
            value: u64::from(c.u32()?),
            text: len16(&mut c)?,
        },
        id::ARG64 => Token::Arg {
            wide: true,
            num: c.u8()?,
            value: c.u64()?,
            text: len16(&mut c)?,
        },
        id::ATTR32 | id::ATTR64 => {
            let wide = tid == id::ATTR64;
            Token::Attr(Attr {
                wide,
                mode: c.u32()?,
                uid: c.u32()?,
                gid: c.u32()?,
                fsid: c.u32()?,
                node: c.u64()?,
                dev: if wide { c.u64()? } else { u64::from(c.u32()?) },
            })
        }
        id::DATA => {
            let how = c.u8()?;
            let unit = c.u8()?;
            let count = c.u8()?;
            let size = Data::unit_size(unit).ok_or(DecodeError::BadField)?;
            let items = c.bytes(size * usize::from(count))?;
            Token::Data(Data {
                how,
                unit,
                count,
                items,
            })
        }
        id::EXIT => Token::Exit {
            status: c.u32()?,
            ret: c.u32()?,
        },
        id::EXEC_ARGS => Token::ExecArgs(strings(&mut c)?),
        id::EXEC_ENV => Token::ExecEnv(strings(&mut c)?),
        id::OTHER_FILE32 => Token::File(File {
            sec: c.u32()?,
            msec: c.u32()?,
            name: len16(&mut c)?,
        }),
        id::NEWGROUPS => {
            let n = c.u16()?;
            Token::NewGroups {
                raw: c.bytes(usize::from(n) * 4)?,
            }
        }
        id::IN_ADDR => Token::InAddr(c.array()?),
        id::IN_ADDR_EX => {
            let ty = c.u32()?;
            Token::InAddrEx(addr_ex(&mut c, ty)?)
        }
        id::IP => Token::Ip(IpHeader {
            version: c.u8()?,
            tos: c.u8()?,
            len: c.u16()?,
            id: c.u16()?,
            offset: c.u16()?,
            ttl: c.u8()?,
            protocol: c.u8()?,
            checksum: c.u16()?,
            src: c.array()?,
            dst: c.array()?,
        }),
        id::IPC => Token::Ipc {
            kind: c.u8()?,
            id: c.u32()?,
        },
        id::IPC_PERM => Token::IpcPerm(IpcPerm {
            uid: c.u32()?,
            gid: c.u32()?,
            creator_uid: c.u32()?,
            creator_gid: c.u32()?,
            mode: c.u32()?,
            seq: c.u32()?,
            key: c.u32()?,
        }),
        id::IPORT => Token::IPort(c.array()?),
        id::OPAQUE => Token::Opaque(len16(&mut c)?),
        id::PATH => Token::Path(len16(&mut c)?),
        id::SUBJECT32 => Token::Subject(subject(&mut c, SubjectKind::S32)?),
        id::SUBJECT64 => Token::Subject(subject(&mut c, SubjectKind::S64)?),
        id::SUBJECT32_EX => Token::Subject(subject(&mut c, SubjectKind::S32Ex)?),
        id::SUBJECT64_EX => Token::Subject(subject(&mut c, SubjectKind::S64Ex)?),
        id::PROCESS32 => Token::Process(subject(&mut c, SubjectKind::S32)?),
        id::PROCESS64 => Token::Process(subject(&mut c, SubjectKind::S64)?),
        id::PROCESS32_EX => Token::Process(subject(&mut c, SubjectKind::S32Ex)?),
        id::PROCESS64_EX => Token::Process(subject(&mut c, SubjectKind::S64Ex)?),
        id::RETURN32 => Token::Return {
            wide: false,
            status: c.u8()?,
            value: u64::from(c.u32()?),
        },
        id::RETURN64 => Token::Return {
            wide: true,
            status: c.u8()?,
            value: c.u64()?,
        },
        id::ARG_UUID => Token::ArgUuid {
            num: c.u8()?,
            uuid: c.array()?,
            text: len16(&mut c)?,
        },
        id::RET_UUID => Token::RetUuid {
            num: c.u8()?,
            uuid: c.array()?,
            text: len16(&mut c)?,
        },
        id::SEQ => Token::Seq(c.u32()?),
        id::SOCKET => Token::Socket {
            kind: c.u16()?,
            lport: c.array()?,
            laddr: c.array()?,
            rport: c.array()?,
            raddr: c.array()?,
        },
        id::SOCKINET32 => Token::SockInet {
            family: c.u16()?,
            port: c.array()?,
            addr: Addr::V4(c.array()?),
        },
        id::SOCKINET128 => Token::SockInet {
            family: c.u16()?,
            port: c.array()?,
            addr: Addr::V6(c.array()?),
        },
        id::SOCKUNIX => {
            let family = c.u16()?;
            // libbsm reads up to 104 path bytes plus the terminator
            // (sizeof sun_path); an unterminated path takes all 105.
            let rest = c.rest();
            let window = &rest[..rest.len().min(104)];
            let n = memchr::memchr(0, window).map_or(105, |p| p + 1);
            Token::SockUnix {
                family,
                path: c.bytes(n)?,
            }
        }
        id::SOCKET_EX => {
            let domain = c.u16()?;
            let kind = c.u16()?;
            let atype = u32::from(c.u16()?);
            if atype != AU_IPV4 && atype != AU_IPV6 {
                return Err(DecodeError::BadField);
            }
            let lport = c.array()?;
            let laddr = addr_ex(&mut c, atype)?;
            let rport = c.array()?;
            let raddr = addr_ex(&mut c, atype)?;
            Token::SocketEx {
                domain,
                kind,
                lport,
                laddr,
                rport,
                raddr,
            }
        }
        id::TEXT => Token::Text(len16(&mut c)?),
        id::ZONENAME => Token::Zonename(len16(&mut c)?),
        id::UPRIV => Token::UPriv {
            success: c.u8()?,
            name: len16(&mut c)?,
        },
        id::PRIVSET => Token::PrivSet {
            set: len16(&mut c)?,
            privs: len16(&mut c)?,
        },
        id::IDENTITY => Token::Identity(Identity {
            signer_type: c.u32()?,
            signing_id: len16(&mut c)?,
            signing_id_truncated: c.u8()?,
            team_id: len16(&mut c)?,
            team_id_truncated: c.u8()?,
            cdhash: len16(&mut c)?,
        }),
        other => return Err(DecodeError::UnknownId(other)),
    };
    Ok((tok, c.pos()))
}

/// Iterator over the tokens of one framed record (header first, trailer
/// last). Never fails: an undecodable token becomes [`Token::Unknown`] or
/// [`Token::Malformed`] holding the bytes up to the trailer, and iteration
/// resumes at the trailer.
#[derive(Debug, Clone)]
pub struct Tokens<'a> {
    rec: &'a [u8],
    pos: usize,
    /// Where iteration stops: the record's end, or its trailer's start.
    end: usize,
}

impl<'a> Tokens<'a> {
    pub fn new(rec: &'a [u8]) -> Self {
        Tokens {
            rec,
            pos: 0,
            end: rec.len(),
        }
    }

    /// The tokens from byte `pos` of the record on (e.g. after a header the
    /// caller decoded already).
    pub fn at(rec: &'a [u8], pos: usize) -> Self {
        Tokens {
            rec,
            pos: pos.min(rec.len()),
            end: rec.len(),
        }
    }

    /// The tokens from byte `pos` up to the trailer, which is left out: a
    /// token whose length runs into the trailer is [`Token::Malformed`], as
    /// the trail scan (`crate::scan`) finds it, rather than read on into the
    /// trailer's bytes.
    pub fn body(rec: &'a [u8], pos: usize) -> Self {
        let mut t = Tokens::at(rec, pos);
        t.end = t.trailer_start().max(t.pos);
        t
    }

    /// Start of the trailer if the record ends with a plausible one.
    fn trailer_start(&self) -> usize {
        let n = self.rec.len();
        match n.checked_sub(TRAILER_LEN) {
            Some(t) if self.rec[t] == id::TRAILER => t,
            _ => n,
        }
    }
}

impl<'a> Iterator for Tokens<'a> {
    type Item = Token<'a>;

    #[inline]
    fn next(&mut self) -> Option<Token<'a>> {
        let rest = self.rec.get(self.pos..self.end)?;
        if rest.is_empty() {
            return None;
        }
        match decode(rest) {
            Ok((tok, n)) => {
                self.pos += n;
                Some(tok)
            }
            Err(e) => {
                let tid = rest[0];
                let t = self.trailer_start();
                let end = if t > self.pos { t } else { self.end };
                let data = self.rec.get(self.pos + 1..end).unwrap_or(&[]);
                self.pos = end.max(self.pos + 1);
                Some(match e {
                    DecodeError::UnknownId(_) => Token::Unknown { id: tid, data },
                    DecodeError::Short | DecodeError::BadField => {
                        Token::Malformed { id: tid, data }
                    }
                })
            }
        }
    }
}

/// Strip NUL bytes from a stored string field, as praudit's `print_string`
/// does (it prints every byte except NULs).
pub fn without_nuls(s: &[u8]) -> impl Iterator<Item = u8> + '_ {
    s.iter().copied().filter(|&b| b != 0)
}

/// A stored string field up to its first NUL (C string semantics).
pub fn cstr(s: &[u8]) -> &[u8] {
    match memchr::memchr(0, s) {
        Some(n) => &s[..n],
        None => s,
    }
}
