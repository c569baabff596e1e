//! What the mSCP checks would literally report.
//!
//! mSCP's checks are `awk`/`grep`/`ls` pipelines over text. Auditors run them, so a
//! report must show their verdict too — and say why it differs from the real meaning
//! when it does. This module reproduces each pipeline on the same inputs, byte for
//! byte where it matters: `awk -F:` field splitting (empty fields kept, `$NF` the last
//! one), `tr ',' '\n'`, `grep -c` line counting, `ls` output shapes (headers when
//! several directories are listed), and bash `$(…)` word splitting of `dir` values.

use super::catalogue::{Rule, RuleKind};
use super::facts::{DirFacts, FileFacts, Observed};
use super::Odv;

/// The literal verdict of one mSCP check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Literal {
    pub pass: bool,
    /// What the pipeline prints (trailing newline removed, as bash `$(…)` does).
    pub output: String,
    /// What the check compares the output to.
    pub expected: String,
}

fn verdict(output: String, expected: impl Into<String>) -> Literal {
    let expected = expected.into();
    Literal {
        pass: output == expected,
        output,
        expected,
    }
}

/// Lines of a file as `awk` sees them (split on `\n`; a final newline does not start
/// another record; `\r` stays part of the line).
fn awk_lines(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let mut lines: Vec<String> = text.split('\n').map(str::to_owned).collect();
    if text.ends_with('\n') || text.is_empty() {
        lines.pop();
    }
    lines
}

/// `awk -F: '{print $N}'` for one line: fields split on every `:`, empty fields kept;
/// a missing field prints as empty.
fn awk_field(line: &str, n: usize) -> String {
    line.split(':').nth(n - 1).unwrap_or("").to_string()
}

/// `$NF`: the last `:`-separated field (the whole line when there is no colon).
fn awk_last_field(line: &str) -> String {
    line.rsplit(':').next().unwrap_or("").to_string()
}

/// The tokens mSCP's flag checks look at: for every line *starting* with `flags`
/// (any number of such lines, commented ones excluded only because they start with
/// `#`), the last `:` field split on `,`.
pub fn flag_tokens(audit_control: &[u8]) -> Vec<String> {
    let mut tokens = Vec::new();
    for line in awk_lines(audit_control) {
        if line.starts_with("flags") {
            tokens.extend(awk_last_field(&line).split(',').map(str::to_owned));
        }
    }
    tokens
}

/// Whether a token matches an mSCP flag pattern (`^lo` anchors at the start of the
/// token; others match anywhere, so `^-fr` matches `-fr`).
pub fn pattern_matches(pattern: &str, token: &str) -> bool {
    match pattern.strip_prefix('^') {
        Some(anchored) => token.starts_with(anchored),
        None => token.contains(pattern),
    }
}

/// Tokens of the `flags` lines that an mSCP flag check counts.
pub fn flag_matches(audit_control: &[u8], pattern: &str) -> Vec<String> {
    flag_tokens(audit_control)
        .into_iter()
        .filter(|t| pattern_matches(pattern, t))
        .collect()
}

/// The trail folders a literal `ls` of mSCP's file checks would list: the `dir`
/// values that exist. `None` when the file facts were not gathered or audit_control
/// names no folder — the check's output is then unknown, not a verdict.
fn listed_dirs<'a>(files: &'a FileFacts, audit_control: &[u8]) -> Option<Vec<&'a DirFacts>> {
    if !files.gathered {
        return None;
    }
    let dirs = literal_dirs(audit_control);
    if dirs.is_empty() {
        return None;
    }
    Some(
        dirs.iter()
            .filter_map(|d| files.dirs.get(d).filter(|f| f.meta.is_some()))
            .collect(),
    )
}

/// The directories mSCP's folder/file checks pass to `ls`/`stat`:
/// `grep '^dir' | awk -F: '{print $2}'`, then bash word splitting of `$(…)`.
pub fn literal_dirs(audit_control: &[u8]) -> Vec<String> {
    awk_lines(audit_control)
        .iter()
        .filter(|l| l.starts_with("dir"))
        .flat_map(|l| {
            awk_field(l, 2)
                .split_whitespace()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Runs the literal mSCP check for `rule`, or `None` when the inputs do not contain
/// what the check reads (e.g. service state without root, file facts not gathered),
/// or the rule has no check.
pub fn check(rule: &Rule, odv: Option<&Odv>, obs: &Observed) -> Option<Literal> {
    // A missing audit_control makes awk/grep read nothing: every count is 0 and every
    // printed field empty. That is the literal behaviour, so model the file as empty.
    let ac: &[u8] = obs.audit_control.as_deref().unwrap_or(b"");
    let files = &obs.files;
    match rule.kind {
        RuleKind::Manual { .. } => None,
        RuleKind::AuditingEnabled => {
            let loaded = obs.service.launchd_job_loaded?;
            let auditing = obs.service.kernel_auditing?;
            let pass = loaded && auditing && obs.audit_control.is_some();
            Some(verdict(
                if pass { "pass" } else { "fail" }.to_string(),
                "pass",
            ))
        }
        RuleKind::Flag { pattern, .. } => {
            Some(verdict(flag_matches(ac, pattern).len().to_string(), "1"))
        }
        RuleKind::Retention => {
            let odv = match odv {
                Some(Odv::Retention(s)) => s.as_str(),
                _ => return None,
            };
            let out: Vec<String> = awk_lines(ac)
                .iter()
                .filter(|l| l.contains("expire-after"))
                .map(|l| awk_field(l, 2))
                .collect();
            Some(verdict(out.join("\n"), odv))
        }
        RuleKind::CapacityNotify => {
            let odv = match odv {
                Some(Odv::Minfree(p)) => *p,
                _ => return None,
            };
            let out: Vec<String> = awk_lines(ac)
                .iter()
                .filter(|l| l.starts_with("minfree"))
                .map(|l| awk_field(l, 2))
                .collect();
            Some(verdict(out.join("\n"), odv.to_string()))
        }
        RuleKind::FailureHalt => {
            let n: usize = awk_lines(ac)
                .iter()
                .filter(|l| l.starts_with("policy"))
                .map(|l| {
                    awk_last_field(l)
                        .split(',')
                        .filter(|t| t.contains("ahlt"))
                        .count()
                })
                .sum();
            Some(verdict(n.to_string(), "1"))
        }
        RuleKind::FailureNotify => {
            if !obs.audit_warn_known {
                return None;
            }
            let n = obs
                .audit_warn
                .as_deref()
                .map(|w| {
                    awk_lines(w)
                        .iter()
                        .filter(|l| l.contains("logger -s -p"))
                        .count()
                })
                .unwrap_or(0);
            Some(verdict(n.to_string(), "1"))
        }
        RuleKind::ControlOwner | RuleKind::ControlGroup => {
            if !files.gathered {
                return None;
            }
            // `ls -dn` of a missing file prints nothing on stdout.
            let out = files
                .audit_control
                .map(|m| {
                    if rule.kind == RuleKind::ControlOwner {
                        m.uid
                    } else {
                        m.gid
                    }
                    .to_string()
                })
                .unwrap_or_default();
            Some(verdict(out, "0"))
        }
        RuleKind::ControlMode => {
            if !files.gathered {
                return None;
            }
            // `awk '!/-r--[r-]-----|current|total/'` counts lines NOT matching; a
            // missing file gives no line at all, so the check passes.
            let n = match files.audit_control {
                Some(m) => {
                    let s = m.ls_mode_string();
                    let ok = s.starts_with("-r--r-----") || s.starts_with("-r--------");
                    usize::from(!ok)
                }
                None => 0,
            };
            Some(verdict(n.to_string(), "0"))
        }
        RuleKind::ControlAcl => {
            if !files.gathered {
                return None;
            }
            let m = match files.audit_control {
                Some(m) => Some(m.has_acl?),
                None => None,
            };
            Some(verdict(acl_lines(m.unwrap_or(false)).to_string(), "0"))
        }
        RuleKind::FolderOwner | RuleKind::FolderGroup | RuleKind::FolderMode => {
            if !files.gathered {
                return None;
            }
            let dirs = literal_dirs(ac);
            if dirs.is_empty() {
                // `ls -dn` / `stat` with no operand looks at the script's working
                // directory, which we cannot know.
                return None;
            }
            let mut out = Vec::new();
            for d in &dirs {
                // Missing directories print only to stderr.
                if let Some(m) = files.dirs.get(d).and_then(|f| f.meta) {
                    out.push(match rule.kind {
                        RuleKind::FolderOwner => m.uid.to_string(),
                        RuleKind::FolderGroup => m.gid.to_string(),
                        _ => format!("{:o}", m.mode & 0o7777),
                    });
                }
            }
            let expected = if rule.kind == RuleKind::FolderMode {
                "700"
            } else {
                "0"
            };
            Some(verdict(out.join("\n"), expected))
        }
        RuleKind::FolderAcl => {
            if !files.gathered {
                return None;
            }
            // Hard-coded /var/audit, whatever `dir:` says.
            let acl = match files.dirs.get("/var/audit").and_then(|f| f.meta) {
                Some(m) => m.has_acl?,
                None => false,
            };
            Some(verdict(acl_lines(acl).to_string(), "0"))
        }
        RuleKind::FilesOwner | RuleKind::FilesGroup => {
            if !files.gathered {
                return None;
            }
            let dirs = literal_dirs(ac);
            if dirs.is_empty() {
                return None;
            }
            let mut sum: Option<u64> = None;
            for d in &dirs {
                if let Some(f) = files.dirs.get(d).filter(|f| f.meta.is_some()) {
                    // The `total N` line adds 0 but initialises the awk sum.
                    let s = sum.get_or_insert(0);
                    for e in &f.entries {
                        *s += u64::from(if rule.kind == RuleKind::FilesOwner {
                            e.meta.uid
                        } else {
                            e.meta.gid
                        });
                    }
                }
            }
            // awk prints an unset variable as the empty string.
            Some(verdict(sum.map(|s| s.to_string()).unwrap_or_default(), "0"))
        }
        RuleKind::FilesMode => {
            let listed = listed_dirs(files, ac)?;
            let mut n = 0usize;
            if listed.len() > 1 {
                // `ls -l a b` prints an `a:` header per directory and a blank line
                // between them; neither matches the awk pattern, so each counts.
                n += listed.len() + (listed.len() - 1);
            }
            for f in &listed {
                for e in &f.entries {
                    let s = e.meta.ls_mode_string();
                    let skipped = s.contains("-r--r-----")
                        || e.name.contains("current")
                        || e.name.contains("total");
                    if !skipped {
                        n += 1;
                    }
                }
            }
            Some(verdict(n.to_string(), "0"))
        }
        RuleKind::FilesAcl => {
            let listed = listed_dirs(files, ac)?;
            let mut n = 0usize;
            if listed.len() > 1 {
                // The `/var/audit:` headers contain a colon in their first field.
                n += listed.len();
            }
            for f in &listed {
                for e in &f.entries {
                    if e.meta.has_acl? {
                        n += 1;
                    }
                }
            }
            Some(verdict(n.to_string(), "0"))
        }
    }
}

/// `ls -le … | awk '{print $1}' | grep -c ":"` counts one line per ACL entry; we only
/// know presence, so an ACL counts as (at least) one line.
fn acl_lines(has_acl: bool) -> usize {
    usize::from(has_acl)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_tokens_take_last_field_of_every_flags_line() {
        let ac = b"flags:lo:aa\nflags:ad\nnaflags:lo\n#flags:all\n";
        assert_eq!(flag_tokens(ac), vec!["aa", "ad"]);
    }

    #[test]
    fn patterns_anchor_only_with_caret() {
        assert!(pattern_matches("-fr", "^-fr"));
        assert!(!pattern_matches("^lo", "+lo"));
        assert!(pattern_matches("aa", " aa"));
        assert!(pattern_matches("^fm", "fm"));
        assert!(!pattern_matches("^fm", "-fm"));
    }

    #[test]
    fn dirs_are_word_split() {
        let ac = b"dir: /var/audit\ndir:/Volumes/A B/audit\n";
        assert_eq!(
            literal_dirs(ac),
            vec!["/var/audit", "/Volumes/A", "B/audit"]
        );
    }

    #[test]
    fn awk_fields() {
        assert_eq!(awk_field("expire-after: 60d", 2), " 60d");
        assert_eq!(awk_field("expire-after", 2), "");
        assert_eq!(awk_last_field("flags:"), "");
        assert_eq!(awk_last_field("flags"), "flags");
    }
}
