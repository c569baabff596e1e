//! Token identifiers and a bounds-checked big-endian cursor.
//!
//! BSM is big-endian on disk regardless of the writer's architecture (libbsm's
//! `ADD_U_INT*` macros use `htobe*`), except for the few quirks noted on the
//! individual tokens (data token units, the `iport` token).

/// Token identifier bytes (`<bsm/audit_record.h>`, plus Apple's identity token).
pub mod id {
    pub const OTHER_FILE32: u8 = 0x11;
    pub const TRAILER: u8 = 0x13;
    pub const HEADER32: u8 = 0x14;
    pub const HEADER32_EX: u8 = 0x15;
    pub const DATA: u8 = 0x21;
    pub const IPC: u8 = 0x22;
    pub const PATH: u8 = 0x23;
    pub const SUBJECT32: u8 = 0x24;
    pub const PROCESS32: u8 = 0x26;
    pub const RETURN32: u8 = 0x27;
    pub const TEXT: u8 = 0x28;
    pub const OPAQUE: u8 = 0x29;
    pub const IN_ADDR: u8 = 0x2a;
    pub const IP: u8 = 0x2b;
    pub const IPORT: u8 = 0x2c;
    pub const ARG32: u8 = 0x2d;
    pub const SOCKET: u8 = 0x2e;
    pub const SEQ: u8 = 0x2f;
    pub const IPC_PERM: u8 = 0x32;
    pub const PRIVSET: u8 = 0x38;
    pub const UPRIV: u8 = 0x39;
    pub const NEWGROUPS: u8 = 0x3b;
    pub const EXEC_ARGS: u8 = 0x3c;
    pub const EXEC_ENV: u8 = 0x3d;
    pub const ATTR32: u8 = 0x3e;
    pub const EXIT: u8 = 0x52;
    pub const ZONENAME: u8 = 0x60;
    pub const ARG64: u8 = 0x71;
    pub const RETURN64: u8 = 0x72;
    pub const ATTR64: u8 = 0x73;
    pub const HEADER64: u8 = 0x74;
    pub const SUBJECT64: u8 = 0x75;
    pub const PROCESS64: u8 = 0x77;
    pub const HEADER64_EX: u8 = 0x79;
    pub const SUBJECT32_EX: u8 = 0x7a;
    pub const PROCESS32_EX: u8 = 0x7b;
    pub const SUBJECT64_EX: u8 = 0x7c;
    pub const PROCESS64_EX: u8 = 0x7d;
    pub const IN_ADDR_EX: u8 = 0x7e;
    pub const SOCKET_EX: u8 = 0x7f;
    pub const SOCKINET32: u8 = 0x80;
    pub const SOCKINET128: u8 = 0x81;
    pub const SOCKUNIX: u8 = 0x82;
    pub const ARG_UUID: u8 = 0x84;
    pub const RET_UUID: u8 = 0x85;
    /// macOS 11+ process identity (xnu `au_to_identity`).
    pub const IDENTITY: u8 = 0xed;
}

/// Trailer magic number (`AUT_TRAILER_MAGIC`).
pub const TRAILER_MAGIC: u16 = 0xb105;
/// Size of the trailer token: id, magic, byte count.
pub const TRAILER_LEN: usize = 7;
/// `AU_IPv4` / `AU_IPv6`: the address "type" fields hold the address length.
pub const AU_IPV4: u32 = 4;
pub const AU_IPV6: u32 = 16;

/// Returned when a field would read past the end of the slice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Short;

/// Forward-only reader over a byte slice. Every read is bounds-checked and
/// fails with [`Short`] instead of panicking.
#[derive(Debug, Clone)]
pub struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    #[inline]
    pub fn new(buf: &'a [u8]) -> Self {
        Cursor { buf, pos: 0 }
    }

    #[inline]
    pub fn pos(&self) -> usize {
        self.pos
    }

    #[inline]
    pub fn rest(&self) -> &'a [u8] {
        self.buf.get(self.pos..).unwrap_or(&[])
    }

    #[inline]
    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8], Short> {
        let end = self.pos.checked_add(n).ok_or(Short)?;
        let s = self.buf.get(self.pos..end).ok_or(Short)?;
        self.pos = end;
        Ok(s)
    }

    #[inline]
    pub fn array<const N: usize>(&mut self) -> Result<[u8; N], Short> {
        let s = self.bytes(N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }

    #[inline]
    pub fn u8(&mut self) -> Result<u8, Short> {
        Ok(self.array::<1>()?[0])
    }

    #[inline]
    pub fn u16(&mut self) -> Result<u16, Short> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    #[inline]
    pub fn u32(&mut self) -> Result<u32, Short> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    #[inline]
    pub fn u64(&mut self) -> Result<u64, Short> {
        Ok(u64::from_be_bytes(self.array()?))
    }

    /// A NUL-terminated string, returned without its terminator.
    #[inline]
    pub fn cstr(&mut self) -> Result<&'a [u8], Short> {
        let rest = self.rest();
        let n = memchr::memchr(0, rest).ok_or(Short)?;
        let s = &rest[..n];
        self.pos += n + 1;
        Ok(s)
    }
}

/// Big-endian helpers for hot paths that have already checked the length.
#[inline]
pub fn be16(b: &[u8], at: usize) -> Option<u16> {
    let s = b.get(at..at.checked_add(2)?)?;
    Some(u16::from_be_bytes([s[0], s[1]]))
}

#[inline]
pub fn be32(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

#[inline]
pub fn be64(b: &[u8], at: usize) -> Option<u64> {
    let s = b.get(at..at.checked_add(8)?)?;
    let mut a = [0u8; 8];
    a.copy_from_slice(s);
    Some(u64::from_be_bytes(a))
}
