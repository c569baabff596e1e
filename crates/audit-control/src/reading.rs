//! The typed reading of an `audit_control` document — what macOS (or upstream
//! OpenBSM) actually takes from each line — together with every finding.

use serde::Serialize;

use crate::cstr;
use crate::diag::{self, Diagnostic, Severity};
use crate::document::{Document, Entry};
use crate::flags::{parse_flags, ClassMask, FlagsError, FlagsList};
use crate::tables::ClassTable;
use crate::values::{
    self, human_age, human_size, parse_expire_after, parse_policy, parse_size, ExpireAfter,
    ExpireError, Minfree, Policy, PolicyError, SizeError, DIR_MAX_LEN, MIN_AUDIT_FILE_SIZE,
    NAFLAGS_MAX_LEN, POLICY_MAX_LEN, SESSION_FLAGS,
};

/// Which libbsm reads the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    /// macOS (Apple's libbsm, OpenBSM-21 and the 14+ library): the value is the
    /// next `:`-delimited token; `key:` or `key` alone is a lookup error.
    #[default]
    Apple,
    /// Upstream OpenBSM: the value is the rest of the line after the first `:`.
    Upstream,
}

/// Every key libbsm or auditd look up, in the order of the default file.
pub const KNOWN_KEYS: &[&str] = &[
    "dir",
    "dist",
    "flags",
    "minfree",
    "naflags",
    "policy",
    "filesz",
    "expire-after",
    "host",
    "qsize",
    "superuser-set-sflags-mask",
    "superuser-clear-sflags-mask",
    "member-set-sflags-mask",
    "member-clear-sflags-mask",
];

/// How one single-valued key reads.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Setting<T> {
    /// No line with this key.
    Missing,
    /// The first line with this key yields no value: Apple `key:`/`key` (lookup
    /// error) or, upstream, `key` without a colon for keys that treat that as unset.
    NoValue { line: u32 },
    /// A value libbsm/auditd/the kernel reject; `reason` says why.
    Invalid {
        line: u32,
        value: String,
        reason: String,
    },
    /// Read successfully.
    Valid { line: u32, value: T, text: String },
}

impl<T> Setting<T> {
    pub fn value(&self) -> Option<&T> {
        match self {
            Setting::Valid { value, .. } => Some(value),
            _ => None,
        }
    }

    /// The line the setting was read from.
    pub fn line(&self) -> Option<u32> {
        match self {
            Setting::Missing => None,
            Setting::NoValue { line }
            | Setting::Invalid { line, .. }
            | Setting::Valid { line, .. } => Some(*line),
        }
    }
}

/// One `dir` line auditd will try.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DirEntry {
    pub line: u32,
    /// The path exactly as auditd receives it (may carry a blank or `\r`).
    pub path: String,
    /// `false` when `statfs()` is bound to fail on this exact string (leading
    /// blank, `\r`, empty, relative) so auditd silently skips it.
    pub usable: bool,
}

/// What auditd ends up doing with the `policy` line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum EffectivePolicy {
    /// The kernel takes this policy.
    Applied { policy: Policy },
    /// The list parses but contains words xnu rejects: `A_SETPOLICY` fails and the
    /// previous kernel policy stays in force.
    KernelKeepsPrevious { policy: Policy },
    /// Missing or unparseable: auditd forces `cnt` alone.
    ForcedCnt,
}

/// An `audit_control` file as macOS (or upstream) reads it. Serializes (for the
/// app and `--json` output) as the dialect, every setting with its state, the
/// notes and the diagnostics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditControl {
    dialect: Dialect,
    #[serde(skip)]
    classes: ClassTable,
    dirs: Vec<DirEntry>,
    flags: Setting<FlagsList>,
    naflags: Setting<FlagsList>,
    minfree: Setting<Minfree>,
    policy: Setting<Policy>,
    filesz: Setting<u64>,
    expire_after: Setting<ExpireAfter>,
    host: Setting<String>,
    qsize: Setting<i32>,
    dist: Setting<bool>,
    notes: Vec<(u32, String)>,
    diagnostics: Vec<Diagnostic>,
}

/// A value as (start index in the entry text, bytes).
type Span<'a> = Option<(usize, &'a [u8])>;

/// Where a key's value sits in an entry, in both dialects.
struct Found<'a> {
    entry: Entry<'a>,
    /// (start index in text, bytes) for the dialect in use; `None` = no value.
    value: Option<(usize, &'a [u8])>,
    /// The other dialect's value, to explain colon differences.
    other: Option<(usize, &'a [u8])>,
}

fn upstream_value<'a>(e: &Entry<'a>) -> Option<(usize, &'a [u8])> {
    e.rest.map(|r| (r, &e.text[r..]))
}

fn apple_value<'a>(e: &Entry<'a>) -> Option<(usize, &'a [u8])> {
    let r = e.rest?;
    cstr::strtok(e.text, r, b":").map(|t| (t.start, &e.text[t.start..t.end]))
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn key_text(key: &str) -> String {
    key.to_ascii_uppercase()
}

struct Reader<'a> {
    dialect: Dialect,
    classes: &'a ClassTable,
    entries: Vec<Entry<'a>>,
    diags: Vec<Diagnostic>,
    notes: Vec<(u32, String)>,
}

impl<'a> Reader<'a> {
    fn diag(
        &mut self,
        line: u32,
        column: u32,
        severity: Severity,
        code: &str,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.diags
            .push(Diagnostic::new(line, column, severity, code, message, hint));
    }

    fn note(&mut self, line: u32, text: impl Into<String>) {
        self.notes.push((line, text.into()));
    }

    fn value_of(&self, e: &Entry<'a>) -> (Span<'a>, Span<'a>) {
        match self.dialect {
            Dialect::Apple => (apple_value(e), upstream_value(e)),
            Dialect::Upstream => (upstream_value(e), apple_value(e)),
        }
    }

    /// `getstrfromtype_locked`: the first entry whose key is `key`.
    fn lookup(&mut self, key: &str) -> Option<Found<'a>> {
        let all: Vec<Entry<'a>> = self
            .entries
            .iter()
            .filter(|e| e.key_bytes() == Some(key.as_bytes()))
            .copied()
            .collect();
        let mut matches = all.into_iter();
        let first = matches.next()?;
        if key != "dir" {
            for dup in matches {
                let first_line = first.line();
                self.diag(
                    dup.line(),
                    dup.column_of(dup.key.map_or(0, |k| k.0)),
                    Severity::Warning,
                    "AC-KEY-DUPLICATE",
                    format!("`{key}` is already set on line {first_line}; macOS uses the first `{key}` line and ignores this one"),
                    format!("Delete this line, or move its value to line {first_line}."),
                );
            }
        }
        let (value, other) = self.value_of(&first);
        let found = Found {
            entry: first,
            value,
            other,
        };
        self.colon_note(key, &found);
        Some(found)
    }

    /// Explains a value whose meaning depends on the dialect because it contains
    /// a `:` (Apple stops at the next colon, upstream keeps the rest).
    fn colon_note(&mut self, key: &str, f: &Found<'a>) {
        let (Some((vs, v)), Some((_, o))) = (f.value, f.other) else {
            return;
        };
        if v == o {
            return;
        }
        let e = &f.entry;
        let (apple, upstream) = match self.dialect {
            Dialect::Apple => (v, o),
            Dialect::Upstream => (o, v),
        };
        // macOS loses data only when text follows the value; extra colons before
        // it (`flags::lo`) are merely skipped.
        let apple_start = match self.dialect {
            Dialect::Apple => vs,
            Dialect::Upstream => f.other.map_or(0, |(s, _)| s),
        };
        let apple_drops_tail = e
            .text
            .get(apple_start + apple.len()..)
            .is_some_and(|tail| tail.iter().any(|&b| b != b':'));
        let sev =
            if apple_drops_tail && matches!(key, "dir" | "host" | "flags" | "naflags" | "policy") {
                Severity::Error
            } else {
                Severity::Warning
            };
        self.diag(
            e.line(),
            e.column_of(vs),
            sev,
            "AC-VALUE-COLON",
            format!(
                "the `{key}` value contains `:`; macOS reads only `{}` (up to the next colon) while upstream OpenBSM reads `{}`",
                cstr::show(apple),
                cstr::show(upstream)
            ),
            format!("Write `{key}:` followed by the value with no further colons."),
        );
    }

    /// Reports a value-less first line; returns its line.
    fn no_value(&mut self, key: &str, f: &Found<'a>, consequence: &str) -> u32 {
        let e = &f.entry;
        let line = e.line();
        let (code, what) = match self.dialect {
            Dialect::Apple => (
                "AC-VALUE-MISSING",
                format!(
                    "`{key}` has no value; macOS's libbsm treats this as a lookup error (EINVAL)"
                ),
            ),
            Dialect::Upstream => (
                "AC-VALUE-MISSING",
                format!("`{key}` has no colon and no value; upstream libbsm treats it as not set"),
            ),
        };
        self.diag(
            line,
            e.column_of(e.text.len()),
            Severity::Error,
            code,
            format!("{what}: {consequence}"),
            format!(
                "Give it a value, e.g. `{}`, or delete the line.",
                default_line(key)
            ),
        );
        line
    }

    fn missing(&mut self, key: &str, severity: Severity, consequence: &str) {
        self.diag(
            0,
            0,
            severity,
            "AC-KEY-MISSING",
            format!("there is no `{key}` line: {consequence}"),
            format!("Add `{}`.", default_line(key)),
        );
    }

    fn mscp_leading_blank(&mut self, key: &str, e: &Entry<'a>, vs: usize, v: &[u8]) {
        if matches!(v.first(), Some(b' ' | b'\t')) {
            let trimmed = lossy(v.trim_ascii_start());
            self.diag(
                e.line(),
                e.column_of(vs),
                Severity::Warning,
                "AC-MSCP-LEADING-BLANK",
                format!("a blank after `{key}:` is accepted by auditd, but compliance checks (mSCP/CIS) compare the text literally and will fail"),
                format!("Write `{key}:{trimmed}` with no blank after the colon."),
            );
        }
    }

    // ---------------------------------------------------------------- dir

    fn read_dirs(&mut self) -> Vec<DirEntry> {
        let entries: Vec<Entry<'a>> = self
            .entries
            .iter()
            .filter(|e| e.key_bytes() == Some(b"dir"))
            .copied()
            .collect();
        let mut dirs = Vec::new();
        let mut stopped_at: Option<u32> = None;
        for e in entries {
            if let Some(stop) = stopped_at {
                self.diag(
                    e.line(),
                    1,
                    Severity::Error,
                    "AC-DIR-UNREACHED",
                    format!("auditd never sees this `dir` line: reading the directory list stopped at line {stop}"),
                    format!("Fix or delete line {stop}."),
                );
                continue;
            }
            let (value, other) = self.value_of(&e);
            let found = Found {
                entry: e,
                value,
                other,
            };
            self.colon_note("dir", &found);
            let Some((vs, v)) = value else {
                let consequence = match self.dialect {
                    Dialect::Apple => "getacdir() fails and auditd stops reading the directory list here",
                    Dialect::Upstream => "getacdir() reports \"no more entries\", so later `dir` lines are never seen",
                };
                self.no_value("dir", &found, consequence);
                stopped_at = Some(e.line());
                continue;
            };
            if v.len() > DIR_MAX_LEN {
                self.diag(
                    e.line(),
                    e.column_of(vs),
                    Severity::Error,
                    "AC-VALUE-TOO-LONG",
                    format!("the `dir` path is {} bytes; auditd accepts at most {DIR_MAX_LEN} and stops reading the directory list here", v.len()),
                    "Use a shorter path (a symlink works).",
                );
                stopped_at = Some(e.line());
                continue;
            }
            let col = e.column_of(vs);
            let mut usable = true;
            if v.is_empty() {
                usable = false;
                self.diag(
                    e.line(),
                    col,
                    Severity::Error,
                    "AC-DIR-EMPTY",
                    "`dir:` names no directory; auditd skips it",
                    "Write `dir:/var/audit`.",
                );
            } else if matches!(v.first(), Some(b' ' | b'\t')) {
                usable = false;
                self.diag(e.line(), col, Severity::Error, "AC-DIR-BLANK",
                    format!("the directory `{}` starts with a blank, which auditd keeps; statfs() fails and auditd silently skips it", cstr::show(v)),
                    format!("Write `dir:{}` with no blank after the colon.", lossy(v.trim_ascii_start())));
            } else if v.contains(&b'\r') {
                usable = false;
                self.diag(e.line(), col, Severity::Error, "AC-DIR-CR",
                    format!("the directory `{}` ends with an invisible carriage return (CRLF line endings); statfs() fails and auditd silently skips it", cstr::show(v)),
                    "Convert the file to LF (Unix) line endings.");
            } else if v.first() != Some(&b'/') {
                usable = false;
                self.diag(e.line(), col, Severity::Error, "AC-DIR-RELATIVE",
                    format!("`{}` is not an absolute path; auditd resolves it against its own working directory", cstr::show(v)),
                    "Use an absolute path such as `/var/audit`.");
            }
            if usable && v != b"/var/audit" {
                self.diag(e.line(), col, Severity::Info, "AC-DIR-NOT-DEFAULT",
                    format!("trails go to `{}`; the `current` link stays /var/audit/current, and several compliance checks and fixes assume /var/audit", cstr::show(v)),
                    "Make sure /var/audit exists too, and that the directory is root:wheel, mode 700.");
            }
            self.note(
                e.line(),
                if usable {
                    format!("trail directory `{}` (auditd uses the first one that has room, in file order)", cstr::show(v))
                } else {
                    format!("trail directory `{}` — auditd will skip it", cstr::show(v))
                },
            );
            dirs.push(DirEntry {
                line: e.line(),
                path: lossy(v),
                usable,
            });
        }
        if dirs.iter().all(|d| !d.usable) {
            let msg = if dirs.is_empty() && stopped_at.is_none() {
                "there is no `dir` line: auditd has no trail directory and cannot start a trail"
                    .to_string()
            } else {
                "no `dir` line gives a usable directory: auditd reports \"all audit log directories over hard limit\" and cannot open a trail".to_string()
            };
            self.diag(
                0,
                0,
                Severity::Error,
                "AC-DIR-NONE",
                msg,
                "Add `dir:/var/audit`.",
            );
        }
        dirs
    }

    // ---------------------------------------------------------------- flags

    fn flags_error(&mut self, key: &str, e: &Entry<'a>, vs: usize, err: &FlagsError) {
        let item = err.item();
        let shown = cstr::show(item.as_bytes());
        let code_key = key_text(key);
        let consequence = if key == "flags" {
            "so the whole flags list is invalid and login sessions get no audit mask from it"
        } else {
            "so the whole naflags list is invalid: auditd logs a parse error and leaves the kernel's non-attributable mask unchanged"
        };
        let name = item.trim_start_matches('^').trim_start_matches(['+', '-']);
        let (code, what, hint) = if item.contains('\r') {
            (
                "CR",
                format!("item `{shown}` ends with an invisible carriage return (the file has CRLF line endings)"),
                "Convert the file to LF (Unix) line endings.".to_string(),
            )
        } else if item.contains('#') {
            (
                "INLINE-COMMENT",
                format!("item `{shown}` contains `#`: there are no inline comments, the text is part of the value"),
                "Move the comment to its own line starting with `#` in column 1.".to_string(),
            )
        } else if item.starts_with([' ', '\t']) || item.ends_with([' ', '\t']) {
            (
                "BLANK",
                format!(
                    "item `{shown}` contains a blank, which libbsm keeps as part of the class name"
                ),
                format!("Remove the blanks: `{key}:lo,aa` style, no spaces after `:` or `,`."),
            )
        } else if matches!(
            err,
            FlagsError::BadPrefix { .. } | FlagsError::MissingClass { .. }
        ) {
            (
                "BAD-PREFIX",
                format!("item `{shown}`: {err}"),
                "Write prefixes as `^`, `+`, `-`, `^+` or `^-` directly before the class name."
                    .to_string(),
            )
        } else if self.classes.mask_of(&name.to_ascii_lowercase()).is_some() {
            (
                "CASE",
                format!("item `{shown}`: class names are case-sensitive"),
                format!("Write `{}`.", item.to_ascii_lowercase()),
            )
        } else {
            let known: Vec<&str> = self
                .classes
                .classes()
                .iter()
                .map(|c| c.name.as_str())
                .collect();
            (
                "UNKNOWN-CLASS",
                format!("item `{shown}` is not a class in audit_class"),
                format!("Known classes: {}.", known.join(", ")),
            )
        };
        self.diag(
            e.line(),
            e.column_of(vs + err.start()),
            Severity::Error,
            &format!("AC-{code_key}-{code}"),
            format!("{what}, {consequence}"),
            hint,
        );
    }

    fn read_flags(&mut self, key: &str) -> Setting<FlagsList> {
        let Some(f) = self.lookup(key) else {
            let consequence = if key == "flags" {
                "login sessions get no default audit mask from audit_control"
            } else {
                "auditd does not set the kernel's mask for non-attributable events (daemons without an audit user)"
            };
            self.missing(key, Severity::Warning, consequence);
            return Setting::Missing;
        };
        let e = f.entry;
        let line = e.line();
        let (vs, v) = match (f.value, self.dialect) {
            (Some(v), _) => v,
            // Upstream: a line without a colon gives NULL, which is read as an
            // empty list (spec §9 #12).
            (None, Dialect::Upstream) => (e.text.len(), &e.text[e.text.len()..]),
            (None, Dialect::Apple) => {
                let consequence = if key == "flags" {
                    "login sessions get no audit mask from it"
                } else {
                    "auditd leaves the kernel's non-attributable mask unchanged"
                };
                self.no_value(key, &f, consequence);
                return Setting::NoValue { line };
            }
        };
        if key == "naflags" && v.len() > NAFLAGS_MAX_LEN {
            self.diag(line, e.column_of(vs), Severity::Error, "AC-VALUE-TOO-LONG",
                format!("the naflags value is {} bytes; auditd accepts at most {NAFLAGS_MAX_LEN} and rejects it", v.len()),
                "Shorten the list (`all` or fewer classes).");
            return Setting::Invalid {
                line,
                value: lossy(v),
                reason: "too long".into(),
            };
        }
        match parse_flags(v, self.classes) {
            Err(err) => {
                self.flags_error(key, &e, vs, &err);
                self.note(
                    line,
                    format!("{key}: invalid list — {err}; macOS throws the whole list away"),
                );
                Setting::Invalid {
                    line,
                    value: lossy(v),
                    reason: err.to_string(),
                }
            }
            Ok(list) => {
                self.flags_findings(key, &e, vs, v, &list);
                let who = if key == "flags" {
                    "processes of logged-in users (set at login)"
                } else {
                    "processes without an audit user, e.g. most launchd daemons (applied by `audit -s`)"
                };
                self.note(
                    line,
                    format!(
                        "{key}: for {who}: {}",
                        describe_mask(list.mask, self.classes)
                    ),
                );
                Setting::Valid {
                    line,
                    value: list,
                    text: lossy(v),
                }
            }
        }
    }

    fn flags_findings(&mut self, key: &str, e: &Entry<'a>, vs: usize, v: &[u8], list: &FlagsList) {
        let line = e.line();
        let code_key = key_text(key);
        if v.is_empty() {
            self.diag(
                line,
                e.column_of(vs),
                Severity::Info,
                &format!("AC-{code_key}-EMPTY"),
                format!("`{key}` is empty (upstream reading): the mask is 0, nothing is selected"),
                format!("Write `{key}:no` to say so explicitly."),
            );
        }
        for item in &list.items {
            let col = e.column_of(vs + item.start);
            if item.class == "all" && !item.remove {
                self.diag(line, col, Severity::Warning, &format!("AC-{code_key}-ALL"),
                    format!("`{}` selects every class, including file reads and writes: extreme record volume that can fill the disk within hours", lossy(&v[item.start..item.end])),
                    "Select the classes you need (e.g. `lo,aa,ad,-fr,-fw`).");
            }
            if key == "flags" && item.class == "na" && !item.remove {
                self.diag(line, col, Severity::Warning, "AC-FLAGS-NA",
                    "`na` (non attributable) in `flags` has no use: those events have no user session; they are selected by `naflags`",
                    "Remove `na` from flags; put it in naflags if you want it.");
            }
        }
        if key == "flags" {
            let names: Vec<&str> = list.items.iter().map(|i| i.class.as_str()).collect();
            if names.contains(&"ex") && !names.contains(&"pc") {
                self.diag(line, e.column_of(vs), Severity::Info, "AC-FLAGS-EX-NO-SPAWN",
                    "`ex` covers execve but not posix_spawn (class `pc` only in audit_event), and most macOS programs start via posix_spawn",
                    "Add `pc` (or `-pc`) if you need every program launch.");
            }
            let bare_ex = list.items.iter().any(|i| {
                i.class == "ex" && i.selector == crate::flags::Selector::Both && !i.remove
            });
            if bare_ex {
                self.diag(line, e.column_of(vs), Severity::Info, "AC-MSCP-LITERAL-FLAGS",
                    "compliance checks (mSCP/CIS) look for the literal token `-ex`; `ex` audits the same failures and more, but the check will not count it",
                    "Write `-ex` if you are audited against mSCP.");
            } else if list.items.iter().any(|i| i.class == "all") {
                self.diag(line, e.column_of(vs), Severity::Info, "AC-MSCP-LITERAL-FLAGS",
                    "compliance checks (mSCP/CIS) do not recognise `all`/`-all`; they look for each class token",
                    "List the classes the baseline names (e.g. `-fr,-fw,-fd,-fm,-ex,lo,aa,ad`).");
            }
        }
    }

    // ---------------------------------------------------------------- minfree

    fn read_minfree(&mut self) -> Setting<Minfree> {
        let Some(f) = self.lookup("minfree") else {
            self.missing("minfree", Severity::Error,
                "upstream auditd treats this as a parse error and cannot open a trail (unverified for Apple's auditd)");
            return Setting::Missing;
        };
        let e = f.entry;
        let line = e.line();
        let Some((vs, v)) = f.value else {
            self.no_value(
                "minfree",
                &f,
                "auditd cannot set the free-space limit and (upstream logic) cannot open a trail",
            );
            return Setting::NoValue { line };
        };
        let col = e.column_of(vs);
        self.mscp_leading_blank("minfree", &e, vs, v);
        let n = cstr::atoi(v);
        let body = v.trim_ascii_start();
        let digits_start = usize::from(matches!(body.first(), Some(b'+' | b'-')));
        let digits = body[digits_start.min(body.len())..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if digits == 0 {
            self.diag(line, col, Severity::Error, "AC-MINFREE-NOT-NUMBER",
                format!("`{}` is not a number; atoi() reads it as 0, which turns the low-space warning off", cstr::show(v)),
                "Write a whole percentage, e.g. `minfree:5`.");
        } else if digits_start + digits < body.len() {
            self.diag(
                line,
                col,
                Severity::Info,
                "AC-MINFREE-TRAILING",
                format!(
                    "`{}` is read as {n}; the text after the number is ignored",
                    cstr::show(v)
                ),
                format!("Write `minfree:{n}`."),
            );
        }
        if !(0..=100).contains(&n) {
            self.diag(line, col, Severity::Error, "AC-MINFREE-RANGE",
                format!("minfree {n} is outside 0–100: the kernel rejects it (EINVAL) and, in upstream auditd logic, auditd cannot start a trail"),
                "Use a percentage between 5 and 50.");
            self.note(line, format!("minfree: {n} % — rejected by the kernel"));
            return Setting::Invalid {
                line,
                value: lossy(v),
                reason: format!("{n} is outside 0–100"),
            };
        }
        let m = Minfree::new(n as u32);
        if n == 0 && digits > 0 {
            self.diag(line, col, Severity::Warning, "AC-MINFREE-RISK",
                "minfree 0 turns the low-space limit off: no `audit_warn soft` warning and no early rotation before the disk is full",
                "Use a value between 5 and 50 (the default is 5).");
        } else if !(5..=50).contains(&n) {
            let why = if n < 5 {
                "leaves little room: by the time auditd warns, the volume is almost full"
            } else {
                "is higher than 50 %: the kernel's low-space trigger then fires continuously (its threshold rounds to 100 %)"
            };
            self.diag(
                line,
                col,
                Severity::Warning,
                "AC-MINFREE-RISK",
                format!("minfree {n} {why}"),
                "Use a value between 5 and 50.",
            );
        }
        if n > 0 && (m.kernel_threshold_percent - f64::from(n)).abs() > 1e-9 {
            self.diag(line, col, Severity::Info, "AC-MINFREE-QUANTIZED",
                format!("auditd warns below {n} % free, but the kernel's integer division makes its low-space trigger fire below {:.1} %", m.kernel_threshold_percent),
                "Values that divide 100 (5, 10, 20, 25, 50) give the same threshold in both.");
        }
        self.note(line, if n == 0 {
            "minfree: 0 — no low-space limit".to_string()
        } else {
            format!("minfree: warn and rotate when free space drops below {n} % (kernel trigger at {:.1} %)", m.kernel_threshold_percent)
        });
        Setting::Valid {
            line,
            value: m,
            text: lossy(v),
        }
    }

    // ---------------------------------------------------------------- policy

    fn read_policy(&mut self) -> Setting<Policy> {
        let Some(f) = self.lookup("policy") else {
            self.missing(
                "policy",
                Severity::Warning,
                "auditd sets the policy to `cnt` alone (argv is not recorded)",
            );
            return Setting::Missing;
        };
        let e = f.entry;
        let line = e.line();
        let v = match (f.value, self.dialect) {
            (Some(v), _) => Some(v),
            (None, Dialect::Upstream) => None,
            (None, Dialect::Apple) => {
                self.no_value("policy", &f, "auditd forces the policy to `cnt` alone");
                self.note(line, "policy: no value — auditd uses `cnt` alone");
                return Setting::NoValue { line };
            }
        };
        let Some((vs, v)) = v else {
            self.diag(
                line,
                e.column_of(e.text.len()),
                Severity::Error,
                "AC-POLICY-INVALID",
                "`policy` has no colon and no value: auditd forces the policy to `cnt` alone",
                "Write `policy:cnt,argv`.",
            );
            self.note(line, "policy: no value — auditd uses `cnt` alone");
            return Setting::NoValue { line };
        };
        let col = e.column_of(vs);
        if v.len() > POLICY_MAX_LEN {
            self.diag(line, col, Severity::Error, "AC-VALUE-TOO-LONG",
                format!("the policy value is {} bytes; auditd accepts at most {POLICY_MAX_LEN} and forces `cnt` alone", v.len()),
                "Use only cnt, ahlt, argv, arge.");
            return Setting::Invalid {
                line,
                value: lossy(v),
                reason: "too long".into(),
            };
        }
        match parse_policy(v) {
            Err(err) => {
                let lost = match parse_policy(
                    &v.iter()
                        .copied()
                        .filter(|b| !b.is_ascii_whitespace())
                        .collect::<Vec<u8>>()
                        .to_ascii_lowercase(),
                ) {
                    Ok(p) if p.words() != vec!["cnt".to_string()] => format!(
                        " (so {} is not applied)",
                        p.words()
                            .iter()
                            .filter(|w| *w != "cnt")
                            .map(|w| format!("`{w}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    _ => String::new(),
                };
                let hint = match &err {
                    PolicyError::Blank(_) => {
                        "Remove the blanks: `policy:cnt,argv` — no spaces after `:` or `,`."
                            .to_string()
                    }
                    PolicyError::CarriageReturn(_) => {
                        "Convert the file to LF (Unix) line endings.".to_string()
                    }
                    PolicyError::Case(s) => format!("Write `{}`.", s.to_ascii_lowercase()),
                    PolicyError::Empty | PolicyError::EmptyItem(_) => {
                        "Remove the stray comma; write e.g. `policy:cnt,argv`.".to_string()
                    }
                    PolicyError::Unknown(_) => {
                        "Use only cnt, ahlt, argv and arge on macOS.".to_string()
                    }
                };
                self.diag(line, e.column_of(vs + err.offset(v)), Severity::Error, "AC-POLICY-INVALID",
                    format!("policy list is invalid: {err}; auditd ignores the whole line and forces the policy to `cnt` alone{lost}"),
                    hint);
                self.note(
                    line,
                    format!("policy: invalid ({err}) — auditd uses `cnt` alone"),
                );
                Setting::Invalid {
                    line,
                    value: lossy(v),
                    reason: err.to_string(),
                }
            }
            Ok(p) => {
                if !p.rejected_words.is_empty() {
                    self.diag(line, col, Severity::Error, "AC-POLICY-KERNEL-REJECTS",
                        format!("the macOS kernel rejects {} (it accepts only cnt, ahlt, argv, arge): setting the policy fails with EINVAL and the previous kernel policy stays in force", p.rejected_words.iter().map(|w| format!("`{w}`")).collect::<Vec<_>>().join(", ")),
                        "Remove the words the kernel does not support.");
                    self.note(
                        line,
                        format!(
                            "policy: `{}` — refused by the kernel, previous policy kept",
                            lossy(v)
                        ),
                    );
                } else {
                    self.policy_risks(&e, vs, &p);
                    self.note(line, format!("policy: {}", describe_policy(&p)));
                }
                Setting::Valid {
                    line,
                    value: p,
                    text: lossy(v),
                }
            }
        }
    }

    fn policy_risks(&mut self, e: &Entry<'a>, vs: usize, p: &Policy) {
        let (line, col) = (e.line(), e.column_of(vs));
        if !p.cnt {
            self.diag(line, col, Severity::Warning, "AC-POLICY-NO-CNT",
                "without `cnt`, a full or failing audit disk stops the system: audited processes block and the kernel panics (fail-stop)",
                "Keep `cnt` unless fail-stop is a deliberate requirement: `policy:cnt,argv`.");
        }
        if p.ahlt {
            self.diag(line, col, Severity::Warning, "AC-POLICY-AHLT",
                "`ahlt` makes the kernel panic (and the Mac reboot) on any audit write error",
                "Remove `ahlt` unless halting on audit failure is required (e.g. a STIG control), and keep `cnt` beside it.");
        }
        if p.arge {
            self.diag(line, col, Severity::Warning, "AC-POLICY-ARGE",
                "`arge` records every program's environment variables, which often contain tokens and passwords, and makes records much larger",
                "Remove `arge` unless you need it; `argv` records command lines.");
        }
    }

    // ---------------------------------------------------------------- filesz

    fn read_filesz(&mut self) -> Setting<u64> {
        let Some(f) = self.lookup("filesz") else {
            self.missing("filesz", Severity::Warning,
                "the kernel keeps its current trail size limit (0 = unlimited at boot): trails are not rotated by size, so `expire-after` rarely runs");
            return Setting::Missing;
        };
        let e = f.entry;
        let line = e.line();
        let Some((vs, v)) = f.value else {
            self.no_value(
                "filesz",
                &f,
                "auditd logs a parse error and the kernel keeps its current size limit",
            );
            return Setting::NoValue { line };
        };
        let col = e.column_of(vs);
        self.mscp_leading_blank("filesz", &e, vs, v);
        match parse_size(v) {
            Err(err) => {
                let hint = match err {
                    SizeError::BadUnit(u) if u.is_ascii_lowercase() => format!(
                        "Units are upper-case: write `filesz:{}`.",
                        lossy(v).trim().to_ascii_uppercase()
                    ),
                    SizeError::BadUnit(b'.') => {
                        "No decimals: write e.g. `filesz:1536M` instead of `1.5G`.".to_string()
                    }
                    _ => "Write a size such as `filesz:2M` (B, K, M, G; binary units).".to_string(),
                };
                self.diag(line, col, Severity::Error, "AC-FILESZ-INVALID",
                    format!("filesz `{}` is invalid: {err}; auditd logs a parse error and the kernel keeps its current size limit", cstr::show(v)),
                    hint);
                self.note(line, "filesz: invalid — not applied");
                Setting::Invalid {
                    line,
                    value: lossy(v),
                    reason: err.to_string(),
                }
            }
            Ok(s) => {
                if s.wrapped {
                    self.diag(line, col, Severity::Warning, "AC-FILESZ-WRAPS",
                        format!("`{}` wraps around to {} bytes: trails effectively never rotate by size", cstr::show(v), s.bytes),
                        "Write a positive size such as `filesz:2M`, or `0` for no size rotation.");
                }
                if s.end < v.len() {
                    self.diag(
                        line,
                        e.column_of(vs + s.end),
                        Severity::Info,
                        "AC-FILESZ-TRAILING",
                        format!(
                            "`{}` is read as {}; the text after the unit is ignored",
                            cstr::show(v),
                            human_size(s.bytes)
                        ),
                        format!("Write `filesz:{}`.", values::format_size(s.bytes)),
                    );
                }
                if s.bytes == 0 {
                    self.diag(line, col, Severity::Warning, "AC-FILESZ-ZERO",
                        "filesz 0 means trails are never rotated by size: one trail grows without limit and `expire-after` only runs on a manual rotation",
                        "Use e.g. `filesz:2M` (any value ≥ 512K).");
                    self.note(line, "filesz: 0 — no size-based rotation");
                    Setting::Valid {
                        line,
                        value: 0,
                        text: lossy(v),
                    }
                } else if s.bytes < MIN_AUDIT_FILE_SIZE {
                    let extra = if s.unit == b' ' {
                        " (the blank ends the number, so the unit after it is not read)"
                    } else {
                        ""
                    };
                    self.diag(line, col, Severity::Error, "AC-FILESZ-TOO-SMALL",
                        format!("filesz `{}` is {}{extra}; libbsm and the kernel reject sizes between 1 byte and 512K, so the limit is not changed", cstr::show(v), human_size(s.bytes)),
                        "Use 0 (no rotation) or at least `512K`.");
                    self.note(
                        line,
                        format!("filesz: {} — rejected (minimum 512K)", human_size(s.bytes)),
                    );
                    Setting::Invalid {
                        line,
                        value: lossy(v),
                        reason: format!("{} is below 512K", human_size(s.bytes)),
                    }
                } else {
                    self.note(
                        line,
                        format!(
                            "filesz: start a new trail when the current one reaches {}",
                            human_size(s.bytes)
                        ),
                    );
                    Setting::Valid {
                        line,
                        value: s.bytes,
                        text: lossy(v),
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- expire-after

    fn read_expire(&mut self) -> Setting<ExpireAfter> {
        let Some(f) = self.lookup("expire-after") else {
            self.diag(0, 0, Severity::Warning, "AC-EXPIRE-MISSING",
                "there is no `expire-after` line: old trails are never deleted and will keep filling the disk",
                "Add e.g. `expire-after:60d OR 5G`.");
            return Setting::Missing;
        };
        let e = f.entry;
        let line = e.line();
        let (vs, v) = match (f.value, self.dialect) {
            (Some(v), _) => v,
            (None, Dialect::Upstream) => {
                self.diag(line, e.column_of(e.text.len()), Severity::Warning, "AC-EXPIRE-MISSING",
                    "`expire-after` has no colon and no value: upstream libbsm reads it as not set, so old trails are never deleted",
                    "Write e.g. `expire-after:60d OR 5G`.");
                return Setting::NoValue { line };
            }
            (None, Dialect::Apple) => {
                self.no_value(
                    "expire-after",
                    &f,
                    "auditd logs a parse error and never deletes old trails",
                );
                return Setting::NoValue { line };
            }
        };
        let col = e.column_of(vs);
        self.mscp_leading_blank("expire-after", &e, vs, v);
        match parse_expire_after(v) {
            Err(err) => {
                let hint = match &err {
                    ExpireError::Minutes(_) => "Use hours or days (`h`, `d`); `M` would mean MiB.",
                    ExpireError::Weeks(_) => "Use days: e.g. `14d`.",
                    ExpireError::UpperCaseTime(..) => "Age units are lower-case: `60d`.",
                    ExpireError::Incomplete(_) => "Write one condition (`60d`) or two joined by AND/OR (`60d OR 5G`); comments must be on their own line.",
                    ExpireError::NoAndOr(_) => "Join the two conditions with AND or OR: `60d OR 5G`.",
                    _ => "Write e.g. `expire-after:60d OR 5G` (ages s/h/d/y lower-case, sizes B/K/M/G upper-case).",
                };
                self.diag(line, col, Severity::Error, "AC-EXPIRE-INVALID",
                    format!("expire-after `{}` is invalid: {err}; auditd logs a parse error and never deletes old trails", cstr::show(v)),
                    hint);
                self.note(line, "expire-after: invalid — old trails are never deleted");
                Setting::Invalid {
                    line,
                    value: lossy(v),
                    reason: err.to_string(),
                }
            }
            Ok(p) => {
                let x = p.value;
                if let Some((s, end)) = p.ignored_tail {
                    let tail = &v[s..end];
                    if tail != b"\r" {
                        self.diag(line, e.column_of(vs + s), Severity::Warning, "AC-EXPIRE-IGNORED-TAIL",
                            format!("`{}` is silently ignored; auditd uses only `{x}`", cstr::show(tail)),
                            "Join two conditions with AND or OR (`60d OR 5G`) and put comments on their own line.");
                    }
                }
                if p.same_dimension {
                    self.diag(line, col, Severity::Warning, "AC-EXPIRE-SAME-DIMENSION",
                        format!("both conditions are {}; the second silently replaces the first, leaving `{x}`",
                            if x.age_secs.is_some() || x.size_bytes.is_none() { "ages" } else { "sizes (a number without unit is bytes)" }),
                        "Combine one age (s, h, d, y) with one size (B, K, M, G).");
                }
                if p.wrapped {
                    self.diag(line, col, Severity::Warning, "AC-EXPIRE-WRAPS",
                        "a number is negative or too large and wraps around; auditd's result is not what the text says",
                        "Use plain positive numbers.");
                }
                if !x.deletes_anything() {
                    if x.age_secs.is_none() && x.size_bytes.is_none() {
                        self.diag(
                            line,
                            col,
                            Severity::Info,
                            "AC-EXPIRE-NEVER",
                            "expire-after 0 means old trails are never deleted",
                            "Set a limit such as `60d OR 5G` unless trails are archived elsewhere.",
                        );
                    } else {
                        self.diag(line, col, Severity::Warning, "AC-EXPIRE-AND-NEVER",
                            format!("`{}` joins conditions with AND but leaves {} unset (0), so nothing is ever deleted", cstr::show(v), if x.age_secs.is_none() { "the age" } else { "the size" }),
                            "Give both an age and a size (`60d AND 5G`), or use OR.");
                    }
                }
                if p.uses_mib {
                    self.diag(line, col, Severity::Info, "AC-EXPIRE-MIB",
                        format!("`M` means MiB: `{x}` limits the total size of all trails, it is not minutes"),
                        "Ages use lower-case units: s, h, d, y.");
                }
                self.note(line, format!("expire-after: {}", describe_expire(&x)));
                Setting::Valid {
                    line,
                    value: x,
                    text: lossy(v),
                }
            }
        }
    }

    // ---------------------------------------------------------------- host

    fn read_host(&mut self) -> Setting<String> {
        let Some(f) = self.lookup("host") else {
            return Setting::Missing;
        };
        let e = f.entry;
        let line = e.line();
        let Some((vs, v)) = f.value else {
            if self.dialect == Dialect::Apple {
                self.no_value("host", &f, "auditd cannot set the host information");
            }
            return Setting::NoValue { line };
        };
        let col = e.column_of(vs);
        if matches!(v.first(), Some(b' ' | b'\t')) || v.contains(&b'\r') {
            self.diag(line, col, Severity::Error, "AC-HOST-INVALID",
                format!("host `{}` carries a blank or carriage return that libbsm keeps; name resolution fails", cstr::show(v)),
                format!("Write `host:{}`.", lossy(v.trim_ascii())));
            return Setting::Invalid {
                line,
                value: lossy(v),
                reason: "blank or CR in host name".into(),
            };
        }
        self.diag(line, col, Severity::Info, "AC-HOST-DNS",
            format!("`{}` is resolved with getaddrinfo() (possibly DNS) whenever auditd applies settings, and trail names gain `.{}`", cstr::show(v), cstr::show(v)),
            "List the name in /etc/hosts so auditd does not depend on DNS.");
        self.note(
            line,
            format!(
                "host: record host information for `{}` and append it to trail names",
                cstr::show(v)
            ),
        );
        Setting::Valid {
            line,
            value: lossy(v),
            text: lossy(v),
        }
    }

    // ---------------------------------------------------------------- upstream-only and inert keys

    fn read_qsize(&mut self) -> Setting<i32> {
        let Some(f) = self.lookup("qsize") else {
            return Setting::Missing;
        };
        let e = f.entry;
        let line = e.line();
        let Some((vs, v)) = f.value else {
            return Setting::NoValue { line };
        };
        let col = e.column_of(vs);
        if self.dialect == Dialect::Apple {
            self.diag(line, col, Severity::Info, "AC-QSIZE-IGNORED",
                "`qsize` is an upstream OpenBSM key; macOS's libbsm has no reader for it, so it is presumably ignored",
                "Leave it or remove it; it does not change macOS behaviour.");
            self.note(line, "qsize: upstream-only — ignored on macOS");
        }
        let trimmed = v.trim_ascii_start();
        if !trimmed
            .first()
            .is_some_and(|b| b.is_ascii_digit() || *b == b'-' || *b == b'+')
        {
            if self.dialect == Dialect::Upstream {
                self.diag(
                    line,
                    col,
                    Severity::Error,
                    "AC-QSIZE-INVALID",
                    format!("qsize `{}` is not a number", cstr::show(v)),
                    "Write e.g. `qsize:100`.",
                );
            }
            return Setting::Invalid {
                line,
                value: lossy(v),
                reason: "not a number".into(),
            };
        }
        let n = cstr::atoi(trimmed);
        if n <= 10 {
            if self.dialect == Dialect::Upstream {
                self.diag(line, col, Severity::Error, "AC-QSIZE-INVALID",
                    format!("qsize {n} is not above the kernel's low-water mark (10), so the kernel rejects it"),
                    "Use a value above 10, e.g. `qsize:100`.");
            }
            return Setting::Invalid {
                line,
                value: lossy(v),
                reason: format!("{n} ≤ 10"),
            };
        }
        if self.dialect == Dialect::Upstream {
            self.note(
                line,
                format!("qsize: kernel audit queue holds up to {n} records"),
            );
        }
        Setting::Valid {
            line,
            value: n,
            text: lossy(v),
        }
    }

    fn read_dist(&mut self) -> Setting<bool> {
        let Some(f) = self.lookup("dist") else {
            return Setting::Missing;
        };
        let e = f.entry;
        let line = e.line();
        let v = f.value.map_or(&b""[..], |(_, v)| v);
        let on = v.eq_ignore_ascii_case(b"on") || v.eq_ignore_ascii_case(b"yes");
        if self.dialect == Dialect::Apple {
            self.diag(
                line,
                1,
                Severity::Info,
                "AC-DIST-IGNORED",
                "`dist` is for FreeBSD's auditdistd; macOS ignores it",
                "Leave it or remove it; it does not change macOS behaviour.",
            );
            self.note(line, "dist: FreeBSD only — ignored on macOS");
        } else {
            self.note(
                line,
                format!(
                    "dist: trail distribution links {}",
                    if on { "on" } else { "off" }
                ),
            );
        }
        Setting::Valid {
            line,
            value: on,
            text: lossy(v),
        }
    }

    fn read_sflags(&mut self) {
        for key in &KNOWN_KEYS[10..] {
            let lines: Vec<Entry<'a>> = self
                .entries
                .iter()
                .filter(|e| e.key_bytes() == Some(key.as_bytes()))
                .copied()
                .collect();
            for e in lines {
                let v = upstream_value(&e).map_or(&b""[..], |(_, v)| v);
                self.diag(e.line(), 1, Severity::Info, "AC-SFLAGS-INERT",
                    format!("`{key}` has no effect on macOS 14 and later (the kernel uses fixed masks); it only mattered up to macOS 13"),
                    "Leave the line as it is; Earshot preserves it byte for byte.");
                for (s, end) in cstr::strtok_all(v, b",") {
                    let name = &v[s..end];
                    if !SESSION_FLAGS.iter().any(|(n, _)| n.as_bytes() == name) {
                        let vs = e.rest.unwrap_or(0);
                        self.diag(
                            e.line(),
                            e.column_of(vs + s),
                            Severity::Info,
                            "AC-SFLAGS-UNKNOWN-NAME",
                            format!("`{}` is not a session-flag name", cstr::show(name)),
                            format!(
                                "Known names: {}.",
                                SESSION_FLAGS
                                    .iter()
                                    .map(|(n, _)| *n)
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        );
                    }
                }
                self.note(
                    e.line(),
                    format!(
                        "{key}: session-flag mask `{}` — no effect on macOS 14+",
                        cstr::show(v)
                    ),
                );
            }
        }
    }

    // ---------------------------------------------------------------- lines nothing reads

    fn unknown_keys(&mut self, doc: &Document) {
        let entries = self.entries.clone();
        for e in entries {
            let Some((ks, ke)) = e.key else { continue };
            let key = &e.text[ks..ke];
            if KNOWN_KEYS.iter().any(|k| k.as_bytes() == key) {
                if ks > 0 {
                    self.diag(
                        e.line(),
                        e.column_of(0),
                        Severity::Info,
                        "AC-KEY-LEADING-COLON",
                        format!(
                            "the leading colon is skipped: this line sets `{}`",
                            cstr::show(key)
                        ),
                        format!("Remove the leading colon: `{}`.", cstr::show(&e.text[ks..])),
                    );
                }
                continue;
            }
            // A key made only of invisible whitespace (`\r` of a blank CRLF line,
            // form feeds) can match nothing and hides nothing: stay quiet.
            if key.iter().all(|&b| cstr::is_c_space(b)) {
                continue;
            }
            if e.is_continuation() {
                self.diag(e.line(), e.column_of(0), Severity::Warning, "AC-LINE-TAIL",
                    format!("libbsm reads the part of this over-long line from column {} as a separate line (key `{}`), which it ignores", e.column_of(0), cstr::show(key)),
                    "Keep every line under 256 bytes.");
                continue;
            }
            let shown = cstr::show(key);
            let trimmed = key.trim_ascii();
            let lower = trimmed.to_ascii_lowercase();
            if trimmed.first() == Some(&b'#') {
                let hash = key.iter().position(|&b| b == b'#').unwrap_or(0);
                self.diag(e.line(), e.column_of(ks + hash), Severity::Warning, "AC-KEY-NOT-COMMENT",
                    "this is not a comment: `#` only starts a comment in column 1; macOS reads it as an unknown key and ignores it",
                    "Move `#` to the first column.");
                self.note(
                    e.line(),
                    "not a comment (`#` not in column 1): unknown key, ignored",
                );
                continue;
            }
            let near = KNOWN_KEYS.iter().find(|k| k.as_bytes() == lower);
            let (msg, hint) = match near {
                Some(k) if trimmed != key => (
                    format!("`{shown}` is not `{k}`: blanks around a key are part of it, so macOS ignores this line"),
                    format!("Write `{k}:` at the start of the line, with no blanks."),
                ),
                Some(k) => (
                    format!("`{shown}` is not `{k}`: keys are case-sensitive, so macOS ignores this line"),
                    format!("Write `{k}` in lower case."),
                ),
                None => (
                    format!("unknown key `{shown}`: macOS ignores this line"),
                    format!("Known keys: {}.", KNOWN_KEYS.join(", ")),
                ),
            };
            self.diag(
                e.line(),
                e.column_of(ks),
                Severity::Warning,
                "AC-KEY-UNKNOWN",
                msg,
                hint,
            );
            self.note(e.line(), format!("unknown key `{shown}` — ignored"));
        }
        for (i, line) in doc.lines().iter().enumerate() {
            let content = line.content();
            let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
            if content.len() > 255 {
                let comment = content.first() == Some(&b'#');
                self.diag(
                    n,
                    256,
                    if comment {
                        Severity::Warning
                    } else {
                        Severity::Error
                    },
                    "AC-LINE-TOO-LONG",
                    format!(
                        "this line is {} bytes; libbsm reads lines in 255-byte pieces, so {}",
                        content.len(),
                        if comment {
                            "the text from column 256 on is read as a separate, non-comment line"
                        } else {
                            "the value is cut at column 255 and the rest is read as a separate line"
                        }
                    ),
                    "Keep every line under 256 bytes.",
                );
            }
        }
        // One finding for the whole file: every CRLF line has the same cause.
        let crlf: Vec<usize> = doc
            .lines()
            .iter()
            .enumerate()
            .filter(|(_, l)| {
                l.ending() == crate::document::LineEnding::CrLf
                    && !l.content().is_empty()
                    && l.content().first() != Some(&b'#')
            })
            .map(|(i, _)| i)
            .collect();
        if let Some(&first) = crlf.first() {
            let content_len = doc.lines()[first].content().len();
            self.diag(
                u32::try_from(first + 1).unwrap_or(u32::MAX),
                u32::try_from(content_len + 1).unwrap_or(u32::MAX),
                Severity::Warning,
                "AC-LINE-CRLF",
                format!(
                    "{} setting line(s) end with CRLF (Windows line endings); libbsm keeps the carriage return as part of each value, which breaks flags, policy, dir and host",
                    crlf.len()
                ),
                "Convert the file to LF (Unix) line endings, e.g. `tr -d '\\r'`.",
            );
        }
    }

    fn cross_checks(&mut self, filesz: &Setting<u64>, expire: &Setting<ExpireAfter>) {
        if let (Some(0), Some(x)) = (filesz.value(), expire.value()) {
            if x.deletes_anything() {
                self.diag(expire.line().unwrap_or(0), 1, Severity::Warning, "AC-EXPIRE-NO-ROTATION",
                    "auditd only expires trails after a rotation, and `filesz:0` never rotates: old trails are deleted only when someone runs `audit -n`/`-s`/`-e`",
                    "Set `filesz` (e.g. `filesz:2M`) so rotation, and with it expiry, happens on its own.");
            }
        }
    }
}

fn default_line(key: &str) -> &'static str {
    match key {
        "dir" => "dir:/var/audit",
        "flags" => "flags:lo,aa",
        "minfree" => "minfree:5",
        "naflags" => "naflags:lo,aa",
        "policy" => "policy:cnt,argv",
        "filesz" => "filesz:2M",
        "expire-after" => "expire-after:60d OR 5G",
        "host" => "host:localhost",
        _ => "key:value",
    }
}

/// "lo (login_logout) and aa (…) on success and failure; +ad on success only".
pub fn describe_mask(mask: ClassMask, classes: &ClassTable) -> String {
    if mask == ClassMask::NONE {
        return "nothing (mask 0)".to_string();
    }
    let both = mask.success & mask.failure;
    let s_only = mask.success & !both;
    let f_only = mask.failure & !both;
    let names = |m: u32| -> String {
        let mut parts: Vec<String> = classes
            .names_in(m)
            .iter()
            .map(|n| match classes.get(n) {
                Some(c) if !c.description.is_empty() => format!("{n} ({})", c.description),
                _ => (*n).to_string(),
            })
            .collect();
        let covered = classes
            .names_in(m)
            .iter()
            .filter_map(|n| classes.mask_of(n))
            .fold(0u32, |a, b| a | b);
        let rest = m & !covered & !crate::tables::RESERVED_CLASS_MASK;
        if rest != 0 && m != u32::MAX {
            parts.push(format!("unnamed bits 0x{rest:08x}"));
        }
        parts.join(", ")
    };
    let mut out = Vec::new();
    if both != 0 {
        out.push(format!("{} — on success and failure", names(both)));
    }
    if s_only != 0 {
        out.push(format!("{} — on success only", names(s_only)));
    }
    if f_only != 0 {
        out.push(format!("{} — on failure only", names(f_only)));
    }
    out.join("; ")
}

/// Plain words for a policy.
pub fn describe_policy(p: &Policy) -> String {
    let mut parts = Vec::new();
    parts.push(if p.cnt {
        "keep running when the audit disk is full (records are dropped)".to_string()
    } else {
        "FAIL-STOP: a full audit disk blocks audited processes and panics the kernel".to_string()
    });
    if p.ahlt {
        parts.push("panic on any audit write error".into());
    }
    if p.argv {
        parts.push("record command-line arguments".into());
    }
    if p.arge {
        parts.push("record environment variables".into());
    }
    parts.join("; ")
}

/// Plain words for an expire-after value.
pub fn describe_expire(x: &ExpireAfter) -> String {
    if !x.deletes_anything() {
        return "old trails are never deleted".to_string();
    }
    let age = x.age_secs.map(|a| format!("older than {}", human_age(a)));
    let size = x
        .size_bytes
        .map(|s| format!("while all trails together exceed {}", human_size(s)));
    match (age, size, x.op) {
        (Some(a), Some(s), values::ExpireOp::Or) => {
            format!("after each rotation, delete the oldest trails {a}, and also {s}")
        }
        (Some(a), Some(s), values::ExpireOp::And) => {
            format!("after each rotation, delete the oldest trails only if {a} AND {s}")
        }
        (Some(a), None, _) => format!("after each rotation, delete trails {a}"),
        (None, Some(s), _) => format!("after each rotation, delete the oldest trails {s}"),
        (None, None, _) => "old trails are never deleted".to_string(),
    }
}

impl AuditControl {
    /// Reads `doc` the way macOS does.
    pub fn read(doc: &Document, classes: &ClassTable) -> AuditControl {
        AuditControl::read_with(doc, classes, Dialect::Apple)
    }

    /// Reads `doc` the way the given libbsm does.
    pub fn read_with(doc: &Document, classes: &ClassTable, dialect: Dialect) -> AuditControl {
        let mut r = Reader {
            dialect,
            classes,
            entries: doc.entries(),
            diags: Vec::new(),
            notes: Vec::new(),
        };
        let dirs = r.read_dirs();
        let flags = r.read_flags("flags");
        let naflags = r.read_flags("naflags");
        let minfree = r.read_minfree();
        let policy = r.read_policy();
        let filesz = r.read_filesz();
        let expire_after = r.read_expire();
        let host = r.read_host();
        let qsize = r.read_qsize();
        let dist = r.read_dist();
        r.read_sflags();
        r.unknown_keys(doc);
        r.cross_checks(&filesz, &expire_after);
        let mut diagnostics = r.diags;
        diag::sort(&mut diagnostics);
        AuditControl {
            dialect,
            classes: classes.clone(),
            dirs,
            flags,
            naflags,
            minfree,
            policy,
            filesz,
            expire_after,
            host,
            qsize,
            dist,
            notes: r.notes,
            diagnostics,
        }
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The class table the file was read with.
    pub fn classes(&self) -> &ClassTable {
        &self.classes
    }

    /// The `dir` values auditd receives, in order (unusable ones included, see
    /// [`AuditControl::dir_entries`]).
    pub fn dirs(&self) -> Vec<String> {
        self.dirs.iter().map(|d| d.path.clone()).collect()
    }

    pub fn dir_entries(&self) -> &[DirEntry] {
        &self.dirs
    }

    /// `flags` mask; `None` if missing or invalid. Upstream reads `flags:` as 0.
    pub fn flags(&self) -> Option<ClassMask> {
        self.flags.value().map(|l| l.mask)
    }

    pub fn naflags(&self) -> Option<ClassMask> {
        self.naflags.value().map(|l| l.mask)
    }

    pub fn minfree(&self) -> Option<Minfree> {
        self.minfree.value().copied()
    }

    /// The parsed policy list (kernel-rejected words included); `None` when
    /// missing or unparseable. See [`AuditControl::effective_policy`].
    pub fn policy(&self) -> Option<Policy> {
        self.policy.value().cloned()
    }

    /// `filesz` in bytes (0 = no size rotation); `None` if missing or rejected.
    pub fn filesz(&self) -> Option<u64> {
        self.filesz.value().copied()
    }

    /// `None` if missing or invalid; `Some(ExpireAfter::never())` for `0`.
    pub fn expire_after(&self) -> Option<ExpireAfter> {
        self.expire_after.value().copied()
    }

    pub fn host(&self) -> Option<String> {
        self.host.value().cloned()
    }

    /// Upstream `qsize` (presumably ignored on macOS).
    pub fn qsize(&self) -> Option<i32> {
        self.qsize.value().copied()
    }

    /// Upstream/FreeBSD `dist` (ignored on macOS).
    pub fn dist(&self) -> Option<bool> {
        self.dist.value().copied()
    }

    pub fn flags_setting(&self) -> &Setting<FlagsList> {
        &self.flags
    }
    pub fn naflags_setting(&self) -> &Setting<FlagsList> {
        &self.naflags
    }
    pub fn minfree_setting(&self) -> &Setting<Minfree> {
        &self.minfree
    }
    pub fn policy_setting(&self) -> &Setting<Policy> {
        &self.policy
    }
    pub fn filesz_setting(&self) -> &Setting<u64> {
        &self.filesz
    }
    pub fn expire_after_setting(&self) -> &Setting<ExpireAfter> {
        &self.expire_after
    }
    pub fn host_setting(&self) -> &Setting<String> {
        &self.host
    }
    pub fn qsize_setting(&self) -> &Setting<i32> {
        &self.qsize
    }
    pub fn dist_setting(&self) -> &Setting<bool> {
        &self.dist
    }

    /// What auditd does with the policy line.
    pub fn effective_policy(&self) -> EffectivePolicy {
        match self.policy.value() {
            Some(p) if !p.rejected_words.is_empty() => {
                EffectivePolicy::KernelKeepsPrevious { policy: p.clone() }
            }
            Some(p) => EffectivePolicy::Applied { policy: p.clone() },
            None => EffectivePolicy::ForcedCnt,
        }
    }

    /// Every finding, sorted by position.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// Plain-language notes on how each line is read, by 1-based line number.
    pub fn notes_for(&self, line: u32) -> Vec<&str> {
        self.notes
            .iter()
            .filter(|(l, _)| *l == line)
            .map(|(_, t)| t.as_str())
            .collect()
    }
}

/// Every finding for an `audit_control` file as macOS reads it, with `classes`
/// used to validate class names.
pub fn check(bytes: &[u8], classes: &ClassTable) -> Vec<Diagnostic> {
    AuditControl::read(&Document::parse(bytes), classes).diagnostics
}
