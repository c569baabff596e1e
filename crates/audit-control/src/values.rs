//! Value grammars of `audit_control` that are independent of where the value sits
//! in the file: sizes (`filesz`), `expire-after`, `minfree`, `policy`.
//! Each follows the libbsm/auditd/kernel code path described in
//! spec/audit_control.md §3–§7, quirks included.

use serde::Serialize;

use crate::cstr;

/// `MIN_AUDIT_FILE_SIZE`: the smallest non-zero `filesz` libbsm and the kernel accept.
pub const MIN_AUDIT_FILE_SIZE: u64 = 512 * 1024;

/// `POL_STR_SIZE` / `NA_EVENT_STR_SIZE`: longer `policy` / `naflags` values are rejected.
pub const POLICY_MAX_LEN: usize = 127;
/// See [`POLICY_MAX_LEN`].
pub const NAFLAGS_MAX_LEN: usize = 127;
/// `MAXNAMLEN` buffer in auditd: a `dir` value must be at most 254 bytes.
pub const DIR_MAX_LEN: usize = 254;

/// How a `filesz` value reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SizeValue {
    pub bytes: u64,
    /// The suffix actually used (`B` when none).
    pub unit: u8,
    /// Index just past the suffix; anything after it is ignored by `sscanf`.
    pub end: usize,
    /// A `-` sign was accepted and wrapped the value.
    pub wrapped: bool,
}

/// Why a size did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SizeError {
    #[error("there is no number")]
    NoNumber,
    #[error("`{}` is not a size unit (use B, K, M or G — upper-case, binary)", cstr::show(&[*.0]))]
    BadUnit(u8),
}

fn size_multiplier(unit: u8) -> Option<u64> {
    match unit {
        b'B' | b' ' => Some(1),
        b'K' => Some(1024),
        b'M' => Some(1024 * 1024),
        b'G' => Some(1024 * 1024 * 1024),
        _ => None,
    }
}

/// `sscanf(value, "%ju%c")` + `au_spacetobytes`, after skipping leading blanks as
/// `getacfilesz` does. Multiplication wraps like `size_t` arithmetic.
pub fn parse_size(value: &[u8]) -> Result<SizeValue, SizeError> {
    let start = value
        .iter()
        .position(|&b| b != b' ' && b != b'\t')
        .unwrap_or(value.len());
    let n = cstr::scan_unsigned(value, start).ok_or(SizeError::NoNumber)?;
    let negative = value[start..n.end].contains(&b'-');
    let (unit, end) = match value.get(n.end) {
        Some(&u) => (u, n.end + 1),
        None => (b'B', n.end),
    };
    let mult = size_multiplier(unit).ok_or(SizeError::BadUnit(unit))?;
    Ok(SizeValue {
        bytes: n.value.wrapping_mul(mult),
        unit,
        end,
        wrapped: negative || n.overflow,
    })
}

/// How `auditd` combines two expiry conditions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum ExpireOp {
    And,
    Or,
}

/// A typed `expire-after`. `None` means the dimension is not set (0), so
/// [`ExpireAfter::never`] (both `None`) means trails are never expired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct ExpireAfter {
    pub age_secs: Option<u64>,
    pub size_bytes: Option<u64>,
    pub op: ExpireOp,
}

impl ExpireAfter {
    pub fn never() -> ExpireAfter {
        ExpireAfter {
            age_secs: None,
            size_bytes: None,
            op: ExpireOp::Or,
        }
    }

    /// Whether auditd will ever delete a trail with this setting: never with both
    /// parts 0, and never with AND when either part is 0.
    pub fn deletes_anything(&self) -> bool {
        match self.op {
            ExpireOp::Or => self.age_secs.is_some() || self.size_bytes.is_some(),
            ExpireOp::And => self.age_secs.is_some() && self.size_bytes.is_some(),
        }
    }
}

impl std::fmt::Display for ExpireAfter {
    /// The value as one would write it (`60d OR 5G`, `10M`, `0`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let op = match self.op {
            ExpireOp::And => "AND",
            ExpireOp::Or => "OR",
        };
        match (self.age_secs, self.size_bytes) {
            (None, None) => f.write_str("0"),
            (Some(a), None) => f.write_str(&format_age(a)),
            (None, Some(s)) => f.write_str(&format_size(s)),
            (Some(a), Some(s)) => write!(f, "{} {op} {}", format_age(a), format_size(s)),
        }
    }
}

/// Seconds in the largest unit that divides them exactly (`d`, `h`, `s`).
/// Years are not used on output because `y` is 364 days plus leap days.
pub fn format_age(secs: u64) -> String {
    if secs != 0 && secs % 86_400 == 0 {
        format!("{}d", secs / 86_400)
    } else if secs != 0 && secs % 3600 == 0 {
        format!("{}h", secs / 3600)
    } else {
        format!("{secs}s")
    }
}

/// Bytes in the largest binary unit that divides them exactly (`G`, `M`, `K`, `B`).
pub fn format_size(bytes: u64) -> String {
    const G: u64 = 1 << 30;
    const M: u64 = 1 << 20;
    const K: u64 = 1 << 10;
    if bytes != 0 && bytes % G == 0 {
        format!("{}G", bytes / G)
    } else if bytes != 0 && bytes % M == 0 {
        format!("{}M", bytes / M)
    } else if bytes != 0 && bytes % K == 0 {
        format!("{}K", bytes / K)
    } else {
        format!("{bytes}B")
    }
}

/// Human size: `2 MiB`, `5 GiB`, `524288 bytes`.
pub fn human_size(bytes: u64) -> String {
    let s = format_size(bytes);
    match s.as_bytes().last() {
        Some(b'G') => format!("{} GiB", &s[..s.len() - 1]),
        Some(b'M') => format!("{} MiB", &s[..s.len() - 1]),
        Some(b'K') => format!("{} KiB", &s[..s.len() - 1]),
        _ => format!("{bytes} bytes"),
    }
}

/// Human duration: `60 days`, `12 hours`, `90 seconds`.
pub fn human_age(secs: u64) -> String {
    if secs != 0 && secs % 86_400 == 0 {
        format!("{} days", secs / 86_400)
    } else if secs != 0 && secs % 3600 == 0 {
        format!("{} hours", secs / 3600)
    } else {
        format!("{secs} seconds")
    }
}

/// The details of reading an `expire-after` value, beyond the typed result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpireParse {
    pub value: ExpireAfter,
    /// `sscanf` field count: 1, 2 or 5.
    pub fields: u8,
    /// Text after the last field that `sscanf` silently ignores (`, 5G` in `60d, 5G`).
    pub ignored_tail: Option<(usize, usize)>,
    /// The second condition overwrote the first (same dimension).
    pub same_dimension: bool,
    /// A size condition used `M` (a frequent "minutes" misreading).
    pub uses_mib: bool,
    /// A number wrapped (sign or overflow).
    pub wrapped: bool,
}

/// Why an `expire-after` value is rejected (auditd logs a parse error and
/// expires nothing).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExpireError {
    #[error("there is no number")]
    NoNumber,
    #[error("the second condition is incomplete ({0} of the 5 parts `NUMBER UNIT SEPARATOR NUMBER UNIT` were read)")]
    Incomplete(u8),
    #[error("the separator `{}` contains neither AND nor OR", cstr::show(.0.as_bytes()))]
    NoAndOr(String),
    #[error("`{}` has no minute unit: lower-case `m` is invalid (upper-case `M` means MiB)", cstr::show(.0.as_bytes()))]
    Minutes(String),
    #[error("`{}` has no week unit: use days (`d`)", cstr::show(.0.as_bytes()))]
    Weeks(String),
    #[error("`{}`: an upper-case unit means a size, and `{}` is not a size unit (B, K, M, G)", cstr::show(.0.as_bytes()), .1)]
    UpperCaseTime(String, char),
    #[error("`{}`: `{}` is not a unit (ages: s, h, d, y; sizes: B, K, M, G)", cstr::show(.0.as_bytes()), .1)]
    BadUnit(String, String),
}

enum Cond {
    Age(i64),
    Size(u64),
}

fn expire_cond(value: u64, mult: u8, text: String) -> Result<Cond, ExpireError> {
    if mult.is_ascii_uppercase() || mult == b' ' {
        match size_multiplier(mult) {
            Some(m) => Ok(Cond::Size(value.wrapping_mul(m))),
            None => {
                if matches!(mult, b'S' | b'H' | b'D' | b'Y') {
                    Err(ExpireError::UpperCaseTime(text, mult as char))
                } else {
                    Err(ExpireError::BadUnit(text, cstr::show(&[mult])))
                }
            }
        }
    } else {
        // time_t arithmetic in au_timetoseconds; wraps like the C code would.
        let v = value as i64;
        let secs = match mult {
            b's' => v,
            b'h' => v.wrapping_mul(3600),
            b'd' => v.wrapping_mul(86_400),
            b'y' => v
                .wrapping_mul(86_400 * 364)
                .wrapping_add((v / 4).wrapping_mul(86_400)),
            b'm' => return Err(ExpireError::Minutes(text)),
            b'w' => return Err(ExpireError::Weeks(text)),
            _ => return Err(ExpireError::BadUnit(text, cstr::show(&[mult]))),
        };
        Ok(Cond::Age(secs))
    }
}

fn is_andor_byte(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'\t' | b'a' | b'd' | b'n' | b'o' | b'r' | b'A' | b'D' | b'N' | b'O' | b'R'
    )
}

/// `getacexpire`: skip leading blanks, then
/// `sscanf("%lu%c%[ \tadnorADNOR]%lu%c")` and the field-count rules of §3.4.
pub fn parse_expire_after(value: &[u8]) -> Result<ExpireParse, ExpireError> {
    let start = value
        .iter()
        .position(|&b| b != b' ' && b != b'\t')
        .unwrap_or(value.len());
    let n1 = cstr::scan_unsigned(value, start).ok_or(ExpireError::NoNumber)?;
    let mut wrapped = n1.overflow || value[start..n1.end].contains(&b'-');
    let mut fields: u8 = 1;
    let mut mult1 = b'B';
    let mut pos = n1.end;
    if let Some(&m) = value.get(pos) {
        mult1 = m;
        fields = 2;
        pos += 1;
    }
    let after_first = pos;
    let mut second = None;
    if fields == 2 {
        let sep_start = pos;
        while pos < value.len() && is_andor_byte(value[pos]) {
            pos += 1;
        }
        if pos > sep_start {
            fields = 3;
            let sep = &value[sep_start..pos];
            if let Some(n2) = cstr::scan_unsigned(value, pos) {
                fields = 4;
                wrapped |= n2.overflow || value[pos..n2.end].contains(&b'-');
                if let Some(&m2) = value.get(n2.end) {
                    fields = 5;
                    second = Some((sep, n2, m2, pos));
                }
            }
        }
    }
    let text1 = String::from_utf8_lossy(&value[start..after_first.min(value.len())]).into_owned();
    let mut age: i64 = 0;
    let mut size: u64 = 0;
    let mut uses_mib = false;
    let mut apply = |c: Cond, mult: u8| match c {
        Cond::Age(a) => {
            age = a;
            false
        }
        Cond::Size(s) => {
            size = s;
            uses_mib |= mult == b'M';
            true
        }
    };
    let mut op = ExpireOp::Or;
    let mut same_dimension = false;
    let ignored_tail;
    match fields {
        1 | 2 => {
            apply(expire_cond(n1.value, mult1, text1)?, mult1);
            ignored_tail = (after_first < value.len()).then_some((after_first, value.len()));
        }
        5 => {
            let Some((sep, n2, m2, n2_start)) = second else {
                return Err(ExpireError::Incomplete(fields));
            };
            let text2 = String::from_utf8_lossy(&value[n2_start..n2.end + 1]).into_owned();
            let c1 = expire_cond(n1.value, mult1, text1)?;
            let c2 = expire_cond(n2.value, m2, text2)?;
            let first_is_size = apply(c1, mult1);
            let second_is_size = apply(c2, m2);
            same_dimension = first_is_size == second_is_size;
            let lower = sep.to_ascii_lowercase();
            op = if lower.windows(3).any(|w| w == b"and") {
                ExpireOp::And
            } else if lower.windows(2).any(|w| w == b"or") {
                ExpireOp::Or
            } else {
                return Err(ExpireError::NoAndOr(
                    String::from_utf8_lossy(sep).into_owned(),
                ));
            };
            ignored_tail = (n2.end + 1 < value.len()).then_some((n2.end + 1, value.len()));
        }
        n => return Err(ExpireError::Incomplete(n)),
    }
    Ok(ExpireParse {
        value: ExpireAfter {
            age_secs: (age != 0).then_some(age as u64),
            size_bytes: (size != 0).then_some(size),
            op,
        },
        fields,
        ignored_tail,
        same_dimension,
        uses_mib,
        wrapped: wrapped || age < 0,
    })
}

/// `minfree` as auditd and the kernel read it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Minfree {
    pub percent: u32,
    /// The kernel's low-space trigger threshold: `100 / ⌊100 / p⌋` % because of
    /// integer division in xnu `audit_worker.c`; 0 when the soft limit is off.
    pub kernel_threshold_percent: f64,
}

impl Minfree {
    pub fn new(percent: u32) -> Minfree {
        let kernel_threshold_percent = if percent == 0 {
            0.0
        } else {
            100.0 / f64::from(100 / percent.min(100))
        };
        Minfree {
            percent,
            kernel_threshold_percent,
        }
    }
}

/// The 14 words of libbsm's `au_polstr` table, with their bits.
pub const POLICY_WORDS: &[(&str, u32)] = &[
    ("cnt", 0x0001),
    ("ahlt", 0x0002),
    ("argv", 0x0004),
    ("arge", 0x0008),
    ("seq", 0x0010),
    ("windata", 0x0020),
    ("user", 0x0040),
    ("group", 0x0080),
    ("trail", 0x0100),
    ("path", 0x0200),
    ("scnt", 0x0400),
    ("public", 0x0800),
    ("zonename", 0x1000),
    ("perzone", 0x2000),
];

/// A policy list libbsm can parse. The xnu kernel accepts only cnt/ahlt/argv/arge;
/// any of the other ten words makes it refuse the whole policy.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize)]
pub struct Policy {
    pub cnt: bool,
    pub ahlt: bool,
    pub argv: bool,
    pub arge: bool,
    /// Words libbsm knows but the xnu kernel rejects (seq, group, trail, …).
    pub rejected_words: Vec<String>,
}

impl Policy {
    /// The words, canonical order, as one would write them.
    pub fn words(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (on, w) in [
            (self.cnt, "cnt"),
            (self.ahlt, "ahlt"),
            (self.argv, "argv"),
            (self.arge, "arge"),
        ] {
            if on {
                out.push(w.to_string());
            }
        }
        out.extend(self.rejected_words.iter().cloned());
        out
    }

    /// The kernel-side policy bits.
    pub fn bits(&self) -> u32 {
        let mut bits = 0;
        for w in self.words() {
            if let Some((_, b)) = POLICY_WORDS.iter().find(|(n, _)| *n == w) {
                bits |= b;
            }
        }
        bits
    }

    /// `cnt` alone: what auditd falls back to when the policy cannot be parsed.
    pub fn cnt_only() -> Policy {
        Policy {
            cnt: true,
            ..Policy::default()
        }
    }
}

/// Why a policy list is unparseable (auditd then forces `cnt` alone).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("the list is empty")]
    Empty,
    #[error("item {0} is empty (a stray comma)")]
    EmptyItem(usize),
    #[error("`{}` starts or ends with a blank", cstr::show(.0.as_bytes()))]
    Blank(String),
    #[error("`{}` ends with an invisible carriage return (CRLF line endings)", cstr::show(.0.as_bytes()))]
    CarriageReturn(String),
    #[error("`{}`: policy words are lower-case", cstr::show(.0.as_bytes()))]
    Case(String),
    #[error("`{}` is not a policy word", cstr::show(.0.as_bytes()))]
    Unknown(String),
}

impl PolicyError {
    /// Byte offset of the offending item inside the value.
    pub fn offset(&self, value: &[u8]) -> usize {
        let mut pos = 0;
        for (i, part) in value.split(|&b| b == b',').enumerate() {
            let hit = match self {
                PolicyError::Empty => true,
                PolicyError::EmptyItem(n) => i == *n,
                PolicyError::Blank(s)
                | PolicyError::CarriageReturn(s)
                | PolicyError::Case(s)
                | PolicyError::Unknown(s) => part == s.as_bytes(),
            };
            if hit {
                return pos;
            }
            pos += part.len() + 1;
        }
        0
    }
}

/// `au_strtopol`: `strsep(",")` (so empty items are errors), each item an exact
/// word of the 14-word table.
pub fn parse_policy(value: &[u8]) -> Result<Policy, PolicyError> {
    if value.is_empty() {
        return Err(PolicyError::Empty);
    }
    let mut p = Policy::default();
    for (i, item) in value.split(|&b| b == b',').enumerate() {
        let s = String::from_utf8_lossy(item).into_owned();
        if item.is_empty() {
            return Err(PolicyError::EmptyItem(i));
        }
        match POLICY_WORDS.iter().find(|(w, _)| w.as_bytes() == item) {
            Some((w, _)) => match *w {
                "cnt" => p.cnt = true,
                "ahlt" => p.ahlt = true,
                "argv" => p.argv = true,
                "arge" => p.arge = true,
                other => {
                    if !p.rejected_words.iter().any(|r| r == other) {
                        p.rejected_words.push(other.to_string());
                    }
                }
            },
            None => {
                let trimmed = item.trim_ascii();
                let lower = item.to_ascii_lowercase();
                return Err(if item.ends_with(b"\r") {
                    PolicyError::CarriageReturn(s)
                } else if trimmed.len() != item.len() {
                    PolicyError::Blank(s)
                } else if POLICY_WORDS.iter().any(|(w, _)| w.as_bytes() == lower) {
                    PolicyError::Case(s)
                } else {
                    PolicyError::Unknown(s)
                });
            }
        }
    }
    Ok(p)
}

/// Session-flag names usable in the `*-sflags-mask` keys (§3.5).
pub const SESSION_FLAGS: &[(&str, u32)] = &[
    ("is_initial", 0x0001),
    ("has_graphic_access", 0x0010),
    ("has_tty", 0x0020),
    ("is_remote", 0x1000),
    ("has_console_access", 0x2000),
    ("has_authenticated", 0x4000),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minfree_quantization() {
        let t = |p| Minfree::new(p).kernel_threshold_percent;
        assert_eq!(t(5), 5.0);
        assert!((t(7) - 100.0 / 14.0).abs() < 1e-9);
        assert_eq!(t(25), 25.0);
        assert!((t(30) - 100.0 / 3.0).abs() < 1e-9);
        assert_eq!(t(40), 50.0);
        assert_eq!(t(51), 100.0);
        assert_eq!(t(100), 100.0);
        assert_eq!(t(0), 0.0);
    }

    #[test]
    fn expire_display() {
        let e = parse_expire_after(b"60d OR 5G").unwrap().value;
        assert_eq!(e.to_string(), "60d OR 5G");
        assert_eq!(ExpireAfter::never().to_string(), "0");
        assert_eq!(parse_expire_after(b"10M").unwrap().value.to_string(), "10M");
    }
}
