//! BSM error numbers (the status byte of return tokens) and their macOS
//! meaning.
//!
//! The kernel converts errno to the Solaris-derived BSM numbering before
//! writing (`au_errno_to_bsm`), so the byte on disk is *not* a Darwin errno:
//! ECONNREFUSED is 146 on disk and 61 on macOS. The texts are macOS's
//! `strerror()` texts, which is what `praudit` prints on a Mac.

/// One BSM error number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BsmErrno {
    pub bsm: u8,
    /// Symbolic name (`ENOENT`).
    pub name: &'static str,
    /// The Darwin errno it maps to, or `None` for Solaris/Linux/FreeBSD-only
    /// errors that macOS cannot express (praudit on a Mac then prints
    /// `failure: Unknown error: N`).
    pub darwin: Option<i32>,
    /// macOS `strerror()` text (libbsm's own description when there is no
    /// Darwin equivalent).
    pub text: &'static str,
}

macro_rules! e {
    ($b:expr, $n:literal, $d:expr, $t:literal) => {
        BsmErrno {
            bsm: $b,
            name: $n,
            darwin: $d,
            text: $t,
        }
    };
}

/// `sys/bsm/audit_errno.h` × Darwin `errno.h` × Darwin `strerror`.
pub static TABLE: &[BsmErrno] = &[
    e!(0, "ESUCCESS", Some(0), "Success"),
    e!(1, "EPERM", Some(1), "Operation not permitted"),
    e!(2, "ENOENT", Some(2), "No such file or directory"),
    e!(3, "ESRCH", Some(3), "No such process"),
    e!(4, "EINTR", Some(4), "Interrupted system call"),
    e!(5, "EIO", Some(5), "Input/output error"),
    e!(6, "ENXIO", Some(6), "Device not configured"),
    e!(7, "E2BIG", Some(7), "Argument list too long"),
    e!(8, "ENOEXEC", Some(8), "Exec format error"),
    e!(9, "EBADF", Some(9), "Bad file descriptor"),
    e!(10, "ECHILD", Some(10), "No child processes"),
    e!(11, "EAGAIN", Some(35), "Resource temporarily unavailable"),
    e!(12, "ENOMEM", Some(12), "Cannot allocate memory"),
    e!(13, "EACCES", Some(13), "Permission denied"),
    e!(14, "EFAULT", Some(14), "Bad address"),
    e!(15, "ENOTBLK", Some(15), "Block device required"),
    e!(16, "EBUSY", Some(16), "Resource busy"),
    e!(17, "EEXIST", Some(17), "File exists"),
    e!(18, "EXDEV", Some(18), "Cross-device link"),
    e!(19, "ENODEV", Some(19), "Operation not supported by device"),
    e!(20, "ENOTDIR", Some(20), "Not a directory"),
    e!(21, "EISDIR", Some(21), "Is a directory"),
    e!(22, "EINVAL", Some(22), "Invalid argument"),
    e!(23, "ENFILE", Some(23), "Too many open files in system"),
    e!(24, "EMFILE", Some(24), "Too many open files"),
    e!(25, "ENOTTY", Some(25), "Inappropriate ioctl for device"),
    e!(26, "ETXTBSY", Some(26), "Text file busy"),
    e!(27, "EFBIG", Some(27), "File too large"),
    e!(28, "ENOSPC", Some(28), "No space left on device"),
    e!(29, "ESPIPE", Some(29), "Illegal seek"),
    e!(30, "EROFS", Some(30), "Read-only file system"),
    e!(31, "EMLINK", Some(31), "Too many links"),
    e!(32, "EPIPE", Some(32), "Broken pipe"),
    e!(33, "EDOM", Some(33), "Numerical argument out of domain"),
    e!(34, "ERANGE", Some(34), "Result too large"),
    e!(35, "ENOMSG", Some(91), "No message of desired type"),
    e!(36, "EIDRM", Some(90), "Identifier removed"),
    e!(37, "ECHRNG", None, "Channel number out of range"),
    e!(38, "EL2NSYNC", None, "Level 2 not synchronized"),
    e!(39, "EL3HLT", None, "Level 3 halted"),
    e!(40, "EL3RST", None, "Level 3 reset"),
    e!(41, "ELNRNG", None, "Link number out of range"),
    e!(42, "EUNATCH", None, "Protocol driver not attached"),
    e!(43, "ENOCSI", None, "No CSI structure available"),
    e!(44, "EL2HLT", None, "Level 2 halted"),
    e!(45, "EDEADLK", Some(11), "Resource deadlock avoided"),
    e!(46, "ENOLCK", Some(77), "No locks available"),
    e!(47, "ECANCELED", Some(89), "Operation canceled"),
    e!(48, "ENOTSUP", Some(45), "Operation not supported"),
    e!(49, "EDQUOT", Some(69), "Disc quota exceeded"),
    e!(50, "EBADE", None, "Invalid exchange"),
    e!(51, "EBADR", None, "Invalid request descriptor"),
    e!(52, "EXFULL", None, "Exchange full"),
    e!(53, "ENOANO", None, "No anode"),
    e!(54, "EBADRQC", None, "Invalid request descriptor"),
    e!(55, "EBADSLT", None, "Invalid slot"),
    e!(56, "EDEADLOCK", None, "Resource deadlock avoided"),
    e!(57, "EBFONT", None, "Bad font file format"),
    e!(58, "EOWNERDEAD", Some(105), "Previous owner died"),
    e!(59, "ENOTRECOVERABLE", Some(104), "State not recoverable"),
    e!(60, "ENOSTR", Some(99), "Not a STREAM"),
    e!(61, "ENODATA", Some(96), "No message available on STREAM"),
    e!(62, "ETIME", Some(101), "STREAM ioctl timeout"),
    e!(63, "ENOSR", Some(98), "No STREAM resources"),
    e!(64, "ENONET", None, "Machine is not on the network"),
    e!(65, "ENOPKG", None, "Package not installed"),
    e!(66, "EREMOTE", Some(71), "Too many levels of remote in path"),
    e!(67, "ENOLINK", Some(97), "ENOLINK (Reserved)"),
    e!(68, "EADV", None, "Advertise error"),
    e!(69, "ESRMNT", None, "srmount error"),
    e!(70, "ECOMM", None, "Communication error on send"),
    e!(71, "EPROTO", Some(100), "Protocol error"),
    e!(72, "ELOCKUNMAPPED", None, "Locked lock was unmapped"),
    e!(73, "ENOTACTIVE", None, "Facility is not active"),
    e!(74, "EMULTIHOP", Some(95), "EMULTIHOP (Reserved)"),
    e!(77, "EBADMSG", Some(94), "Bad message"),
    e!(78, "ENAMETOOLONG", Some(63), "File name too long"),
    e!(
        79,
        "EOVERFLOW",
        Some(84),
        "Value too large to be stored in data type"
    ),
    e!(80, "ENOTUNIQ", None, "Given log name not unique"),
    e!(81, "EBADFD", None, "Given f.d. invalid for this operation"),
    e!(82, "EREMCHG", None, "Remote address changed"),
    e!(83, "ELIBACC", None, "Can't access a needed shared lib"),
    e!(84, "ELIBBAD", None, "Accessing a corrupted shared lib"),
    e!(85, "ELIBSCN", None, ".lib section in a.out corrupted"),
    e!(86, "ELIBMAX", None, "Attempting to link in too many libs"),
    e!(87, "ELIBEXEC", None, "Attempting to exec a shared library"),
    e!(88, "EILSEQ", Some(92), "Illegal byte sequence"),
    e!(89, "ENOSYS", Some(78), "Function not implemented"),
    e!(90, "ELOOP", Some(62), "Too many levels of symbolic links"),
    e!(91, "ERESTART", None, "Restart syscall"),
    e!(
        92,
        "ESTRPIPE",
        None,
        "If pipe/FIFO, don't sleep in stream head"
    ),
    e!(93, "ENOTEMPTY", Some(66), "Directory not empty"),
    e!(94, "EUSERS", Some(68), "Too many users"),
    e!(95, "ENOTSOCK", Some(38), "Socket operation on non-socket"),
    e!(96, "EDESTADDRREQ", Some(39), "Destination address required"),
    e!(97, "EMSGSIZE", Some(40), "Message too long"),
    e!(98, "EPROTOTYPE", Some(41), "Protocol wrong type for socket"),
    e!(99, "ENOPROTOOPT", Some(42), "Protocol not available"),
    e!(120, "EPROTONOSUPPORT", Some(43), "Protocol not supported"),
    e!(
        121,
        "ESOCKTNOSUPPORT",
        Some(44),
        "Socket type not supported"
    ),
    e!(
        122,
        "EOPNOTSUPP",
        Some(102),
        "Operation not supported on socket"
    ),
    e!(
        123,
        "EPFNOSUPPORT",
        Some(46),
        "Protocol family not supported"
    ),
    e!(
        124,
        "EAFNOSUPPORT",
        Some(47),
        "Address family not supported by protocol family"
    ),
    e!(125, "EADDRINUSE", Some(48), "Address already in use"),
    e!(
        126,
        "EADDRNOTAVAIL",
        Some(49),
        "Can't assign requested address"
    ),
    e!(127, "ENETDOWN", Some(50), "Network is down"),
    e!(128, "ENETUNREACH", Some(51), "Network is unreachable"),
    e!(
        129,
        "ENETRESET",
        Some(52),
        "Network dropped connection on reset"
    ),
    e!(
        130,
        "ECONNABORTED",
        Some(53),
        "Software caused connection abort"
    ),
    e!(131, "ECONNRESET", Some(54), "Connection reset by peer"),
    e!(132, "ENOBUFS", Some(55), "No buffer space available"),
    e!(133, "EISCONN", Some(56), "Socket is already connected"),
    e!(134, "ENOTCONN", Some(57), "Socket is not connected"),
    e!(
        143,
        "ESHUTDOWN",
        Some(58),
        "Can't send after socket shutdown"
    ),
    e!(
        144,
        "ETOOMANYREFS",
        Some(59),
        "Too many references: can't splice"
    ),
    e!(145, "ETIMEDOUT", Some(60), "Operation timed out"),
    e!(146, "ECONNREFUSED", Some(61), "Connection refused"),
    e!(147, "EHOSTDOWN", Some(64), "Host is down"),
    e!(148, "EHOSTUNREACH", Some(65), "No route to host"),
    e!(149, "EALREADY", Some(37), "Operation already in progress"),
    e!(150, "EINPROGRESS", Some(36), "Operation now in progress"),
    e!(151, "ESTALE", Some(70), "Stale NFS file handle"),
    e!(190, "EPROCLIM", Some(67), "Too many processes"),
    e!(191, "EBADRPC", Some(72), "RPC struct is bad"),
    e!(192, "ERPCMISMATCH", Some(73), "RPC version wrong"),
    e!(193, "EPROGUNAVAIL", Some(74), "RPC prog. not avail"),
    e!(194, "EPROGMISMATCH", Some(75), "Program version wrong"),
    e!(195, "EPROCUNAVAIL", Some(76), "Bad procedure for program"),
    e!(196, "EFTYPE", Some(79), "Inappropriate file type or format"),
    e!(197, "EAUTH", Some(80), "Authentication error"),
    e!(198, "ENEEDAUTH", Some(81), "Need authenticator"),
    e!(199, "ENOATTR", Some(93), "Attribute not found"),
    e!(200, "EDOOFUS", None, "Programming error"),
    e!(201, "EJUSTRETURN", None, "Just return"),
    e!(202, "ENOIOCTL", None, "ioctl not handled by this layer"),
    e!(203, "EDIRIOCTL", None, "do direct ioctl in GEOM"),
    e!(204, "EPWROFF", Some(82), "Device power is off"),
    e!(205, "EDEVERR", Some(83), "Device error"),
    e!(
        206,
        "EBADEXEC",
        Some(85),
        "Bad executable (or shared library)"
    ),
    e!(207, "EBADARCH", Some(86), "Bad CPU type in executable"),
    e!(
        208,
        "ESHLIBVERS",
        Some(87),
        "Shared library version mismatch"
    ),
    e!(209, "EBADMACHO", Some(88), "Malformed Mach-o file"),
    e!(210, "EPOLICY", None, "Operation failed by policy"),
    e!(211, "EDOTDOT", None, "RFS specific error"),
    e!(212, "EUCLEAN", None, "Structure needs cleaning"),
    e!(213, "ENOTNAM", None, "Not a XENIX named type file"),
    e!(214, "ENAVAIL", None, "No XENIX semaphores available"),
    e!(215, "EISNAM", None, "Is a named type file"),
    e!(216, "EREMOTEIO", None, "Remote I/O error"),
    e!(217, "ENOMEDIUM", None, "No medium found"),
    e!(218, "EMEDIUMTYPE", None, "Wrong medium type"),
    e!(219, "ENOKEY", None, "Required key not available"),
    e!(220, "EKEYEXPIRED", None, "Key has expired"),
    e!(221, "EKEYREVOKED", None, "Key has been revoked"),
    e!(222, "EKEYREJECTED", None, "Key was rejected by service"),
    e!(223, "ENOTCAPABLE", None, "Capabilities insufficient"),
    e!(224, "ECAPMODE", None, "Not permitted in capability mode"),
];

/// Look up a BSM error number.
pub fn lookup(bsm: u8) -> Option<&'static BsmErrno> {
    TABLE.iter().find(|e| e.bsm == bsm)
}

/// What `praudit` on a Mac prints for a return status: `success`,
/// `failure : <strerror>` or, for numbers macOS cannot map (including the
/// 255 that Apple's own daemons write), `failure: Unknown error: N` — the
/// missing space is libbsm's.
pub fn praudit_status(bsm: u8) -> String {
    match lookup(bsm) {
        Some(e) if e.darwin == Some(0) => "success".to_string(),
        Some(e) if e.darwin.is_some() => format!("failure : {}", e.text),
        _ => format!("failure: Unknown error: {bsm}"),
    }
}

/// Human text for a status (for JSON/XML): the macOS strerror text, libbsm's
/// description for errors macOS lacks, `Unknown error: N` otherwise.
pub fn text(bsm: u8) -> String {
    match lookup(bsm) {
        Some(e) => e.text.to_string(),
        None => format!("Unknown error: {bsm}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_unique() {
        assert!(TABLE.windows(2).all(|w| w[0].bsm < w[1].bsm));
    }

    #[test]
    fn praudit_forms() {
        assert_eq!(praudit_status(0), "success");
        assert_eq!(praudit_status(2), "failure : No such file or directory");
        assert_eq!(praudit_status(146), "failure : Connection refused");
        assert_eq!(praudit_status(255), "failure: Unknown error: 255");
        assert_eq!(praudit_status(37), "failure: Unknown error: 37");
    }
}
