//! The meaning of an audit_control file, as the baseline rules and the planner need it.
//!
//! Thin adapter over the `audit_control` crate: `flags`/`naflags`/`dir` are read from
//! the document's libbsm entries with the Apple dialect (the value is the next
//! `:`-token; `flags:` with nothing after it is a lookup error), and each value goes
//! through the audit-control crate's value grammar. Keeping "missing" apart from "invalid" lets
//! the report say *why* a rule fails.

use audit_control::{parse_flags, values, ClassTable, Document, FlagsList};

use super::retention::Expiry;

/// A key's state in the file.
#[derive(Debug, Clone, PartialEq)]
pub enum Setting<T> {
    /// No line with this key.
    Missing,
    /// A line exists but auditd/libbsm cannot use its value (reason given).
    Invalid(String),
    Valid(T),
}

impl<T> Setting<T> {
    pub fn valid(&self) -> Option<&T> {
        match self {
            Setting::Valid(v) => Some(v),
            _ => None,
        }
    }
}

/// Policy words that matter on macOS (the kernel rejects the others).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PolicyView {
    pub cnt: bool,
    pub ahlt: bool,
    pub argv: bool,
    pub arge: bool,
    /// Words libbsm knows but xnu refuses (the whole line is then not applied).
    pub rejected: Vec<String>,
}

/// Everything Earshot reads from one audit_control file.
#[derive(Debug, Clone)]
pub struct View {
    pub document: Document,
    pub flags: Setting<FlagsList>,
    pub naflags: Setting<FlagsList>,
    /// The raw (Apple-dialect) values of `flags` / `naflags` / `policy` / `expire-after`
    /// / `minfree` for display.
    pub raw_flags: Option<String>,
    pub raw_naflags: Option<String>,
    pub raw_policy: Option<String>,
    pub raw_expire_after: Option<String>,
    pub raw_minfree: Option<String>,
    pub raw_filesz: Option<String>,
    pub policy: Setting<PolicyView>,
    pub minfree: Setting<u32>,
    pub filesz: Setting<u64>,
    pub expire_after: Setting<Expiry>,
    /// Every `dir` value in file order, as read (may be relative or carry blanks).
    pub dirs: Vec<String>,
}

/// The Apple-dialect value of the first entry with `key`: `None` = no such line,
/// `Some(None)` = line without a value (Apple's lookup fails with EINVAL).
fn apple_value(doc: &Document, key: &[u8]) -> Option<Option<Vec<u8>>> {
    let entries = doc.entries();
    let e = entries.iter().find(|e| e.key_bytes() == Some(key))?;
    Some(e.rest.and_then(|r| next_token(&e.text[r..])))
}

/// `strtok_r(NULL, ":")`: skip leading colons, take up to the next colon.
fn next_token(s: &[u8]) -> Option<Vec<u8>> {
    let start = s.iter().position(|&b| b != b':')?;
    let rest = &s[start..];
    let end = rest.iter().position(|&b| b == b':').unwrap_or(rest.len());
    Some(rest[..end].to_vec())
}

/// C `atoi`: leading blanks, an optional sign, digits; anything else ends the number
/// (`25%` is 25, `abc` is 0).
fn atoi(v: &[u8]) -> i64 {
    let mut i = 0;
    while i < v.len() && matches!(v[i], b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
        i += 1;
    }
    let neg = match v.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let mut n: i64 = 0;
    while let Some(d) = v.get(i).filter(|b| b.is_ascii_digit()) {
        n = n.saturating_mul(10).saturating_add(i64::from(d - b'0'));
        i += 1;
    }
    if neg {
        -n
    } else {
        n
    }
}

fn lossy(v: &[u8]) -> String {
    String::from_utf8_lossy(v).into_owned()
}

fn flags_setting(
    doc: &Document,
    key: &[u8],
    classes: &ClassTable,
) -> (Setting<FlagsList>, Option<String>) {
    match apple_value(doc, key) {
        None => (Setting::Missing, None),
        Some(None) => (
            Setting::Invalid("the line has no value; macOS's libbsm fails the lookup".into()),
            Some(String::new()),
        ),
        Some(Some(v)) => {
            let raw = lossy(&v);
            match parse_flags(&v, classes) {
                Ok(list) => (Setting::Valid(list), Some(raw)),
                Err(e) => (
                    Setting::Invalid(format!("{e}; one bad item makes the whole list invalid")),
                    Some(raw),
                ),
            }
        }
    }
}

impl View {
    pub fn read(bytes: &[u8], classes: &ClassTable) -> View {
        let document = Document::parse(bytes);
        let (flags, raw_flags) = flags_setting(&document, b"flags", classes);
        let (naflags, raw_naflags) = flags_setting(&document, b"naflags", classes);
        let value = |k: &[u8]| apple_value(&document, k);
        let raw = |v: &Option<Option<Vec<u8>>>| {
            v.as_ref()
                .map(|v| v.as_deref().map(lossy).unwrap_or_default())
        };
        let (policy_v, expire_v, minfree_v, filesz_v) = (
            value(b"policy"),
            value(b"expire-after"),
            value(b"minfree"),
            value(b"filesz"),
        );
        let no_value = || "the line has no value; macOS's libbsm fails the lookup".to_string();

        let policy = match &policy_v {
            None => Setting::Missing,
            Some(None) => {
                Setting::Invalid(format!("{}; auditd falls back to `cnt` alone", no_value()))
            }
            Some(Some(v)) => match values::parse_policy(v) {
                Ok(p) => Setting::Valid(PolicyView {
                    cnt: p.cnt,
                    ahlt: p.ahlt,
                    argv: p.argv,
                    arge: p.arge,
                    rejected: p.rejected_words,
                }),
                Err(e) => Setting::Invalid(format!("{e}; auditd falls back to `cnt` alone")),
            },
        };
        let minfree = match &minfree_v {
            None => Setting::Missing,
            Some(None) => Setting::Invalid(no_value()),
            Some(Some(v)) => {
                let p = atoi(v);
                if (0..=100).contains(&p) {
                    Setting::Valid(p as u32)
                } else {
                    Setting::Invalid(format!(
                        "{p} is outside 0–100: the kernel refuses it and auditd cannot open a trail"
                    ))
                }
            }
        };
        let filesz = match &filesz_v {
            None => Setting::Missing,
            Some(None) => Setting::Invalid(no_value()),
            Some(Some(v)) => match values::parse_size(v) {
                Ok(s) if s.bytes == 0 || s.bytes >= values::MIN_AUDIT_FILE_SIZE => {
                    Setting::Valid(s.bytes)
                }
                Ok(s) => Setting::Invalid(format!(
                    "{} bytes is below the 512K minimum; libbsm and the kernel reject it",
                    s.bytes
                )),
                Err(e) => Setting::Invalid(e.to_string()),
            },
        };
        let expire_after = match &expire_v {
            None => Setting::Missing,
            Some(None) => Setting::Invalid(no_value()),
            Some(Some(v)) => match values::parse_expire_after(v) {
                Ok(p) => Setting::Valid(Expiry::from_audit_control(&p.value)),
                Err(e) => Setting::Invalid(e.to_string()),
            },
        };
        let dirs = document
            .entries()
            .iter()
            .filter(|e| e.key_bytes() == Some(b"dir"))
            .filter_map(|e| e.rest.and_then(|r| next_token(&e.text[r..])))
            .map(|v| lossy(&v))
            .collect();
        View {
            raw_flags,
            raw_naflags,
            raw_policy: raw(&policy_v),
            raw_expire_after: raw(&expire_v),
            raw_minfree: raw(&minfree_v),
            raw_filesz: raw(&filesz_v),
            document,
            flags,
            naflags,
            policy,
            minfree,
            filesz,
            expire_after,
            dirs,
        }
    }

    /// Directories auditd can actually use: absolute paths only (a leading blank or a
    /// relative path makes `statfs` fail and auditd skips the entry).
    pub fn usable_dirs(&self) -> Vec<String> {
        self.dirs
            .iter()
            .filter(|d| d.starts_with('/'))
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apple_value_stops_at_next_colon() {
        let doc = Document::parse(b"flags:lo:aa\nflags:ad\nnaflags:\n");
        assert_eq!(apple_value(&doc, b"flags"), Some(Some(b"lo".to_vec())));
        assert_eq!(apple_value(&doc, b"naflags"), Some(None));
        assert_eq!(apple_value(&doc, b"policy"), None);
    }
}
