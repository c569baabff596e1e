//! Compliance baselines: CIS Level 1/2, DISA STIG (macOS 15 and 26), NIST 800-53r5
//! low/moderate/high — the audit rules of mSCP checked on their *meaning*.
//!
//! Every rule is evaluated twice: once by Earshot, on what auditd and the login
//! programs actually do with the file (flags masks applied left to right, `-all`
//! covering `-fr`, `^-fr` removing it, the first `flags` line winning, retention
//! compared as parsed values, file modes as permission bits), and once as the mSCP
//! shell check would literally print ([`mscp`]). The report carries both, and a reason
//! whenever they disagree, so an auditor running the mSCP script is not surprised.

#![forbid(unsafe_code)]

pub mod catalogue;
pub mod facts;
pub mod gather;
pub mod mscp;
pub mod retention;
pub mod tailoring;
pub mod view;

use audit_control::{format_mask, ClassMask, ClassTable, FlagsList, Selector};
pub use earshot_model::compliance::{
    Baseline, Membership, MscpLiteral, Odv, OdvSource, OdvValue, Report, RuleResult, Severity,
    Status, Summary, Tailoring, UnknownBaseline, MSCP_RELEASE, MSCP_RELEASE_DETAIL,
};

pub use catalogue::{Disposition, Rule, RuleKind, RULES};
pub use facts::{DirEntry, DirFacts, FileFacts, FileKind, FileMeta, Observed, ServiceFacts};
pub use retention::{Counterexample, Expiry, Op};
pub use view::{PolicyView, Setting, View};

use facts::FileMeta as Meta;

/// What the catalogue knows of a baseline: which rules it holds, with which
/// severity and organisation-defined value.
pub trait BaselineRules {
    /// Whether `rule` is part of this baseline, and with which severity and ODV.
    fn membership(self, rule: &Rule) -> Option<Membership>;
    /// The rules of this baseline, in table order.
    fn rules(self) -> Vec<(&'static Rule, Membership)>;
    /// The STIG id to show for a rule in this baseline (the 15 ids for `Stig15`).
    fn stig_id(self, rule: &Rule) -> Option<&'static str>;
}

impl BaselineRules for Baseline {
    /// Whether `rule` is part of this baseline, and with which severity and ODV.
    /// Membership and ODVs are mSCP `tahoe_rev3`'s for macOS 26 (and 15 for
    /// `Stig15`), spec/mscp_rules.md §1 and its correction: CIS retention is
    /// `30d` (CIS Apple macOS 26 Tahoe v1.1.0 §3.4), the others `7d`.
    fn membership(self, rule: &Rule) -> Option<Membership> {
        use Baseline::*;
        let cis = matches!(self, CisL1 | CisL2);
        let stig = self.is_stig();
        let n53 = self.is_53();
        let all = self == All;
        let member = match rule.number {
            1 => true,
            2..=5 | 9 | 10 => self == CisL2 || stig || n53 || all,
            6 => stig || n53 || all,
            7 => stig || all,
            8 => self == CisL2 || n53 || all,
            11 => true,
            12 => stig || self == Nist53High || all,
            13 => n53 || self == Stig15 || all,
            14 => stig || n53 || all,
            15..=18 => cis || stig || all,
            19..=26 => cis || stig || n53 || all,
            27..=29 | 32 => all,
            30 | 31 => matches!(self, Nist53Moderate | Nist53High) || all,
            33 => self == Nist53High || all,
            _ => false,
        };
        if !member {
            return None;
        }
        let severity = if stig {
            Some(match rule.number {
                11 | 12 => Severity::Low,
                _ => Severity::Medium,
            })
        } else {
            None
        };
        let odv = match rule.kind {
            RuleKind::Retention => Some(Odv::Retention(if cis { "30d" } else { "7d" }.into())),
            RuleKind::CapacityNotify => Some(Odv::Minfree(25)),
            _ => None,
        };
        Some(Membership { severity, odv })
    }

    /// The rules of this baseline, in table order.
    fn rules(self) -> Vec<(&'static Rule, Membership)> {
        RULES
            .iter()
            .filter_map(|r| self.membership(r).map(|m| (r, m)))
            .collect()
    }

    /// The STIG id to show for a rule in this baseline (the 15 ids for `Stig15`).
    fn stig_id(self, rule: &Rule) -> Option<&'static str> {
        if self == Baseline::Stig15 {
            rule.stig_15
        } else {
            rule.stig_26
        }
    }
}

/// Evaluates every rule of `baseline` against `observed`, with the class table the
/// machine uses (`ClassTable::apple()` when unknown), as the mSCP release
/// publishes it.
pub fn evaluate(baseline: Baseline, observed: &Observed, classes: &ClassTable) -> Report {
    evaluate_tailored(baseline, observed, classes, &Tailoring::default())
}

/// [`evaluate`] with an organisation's tailoring: its ODVs feed both Earshot's
/// check and mSCP's literal one (mSCP's generated script checks the custom
/// value too), and an exempt rule is still checked but reported `exempt`.
pub fn evaluate_tailored(
    baseline: Baseline,
    observed: &Observed,
    classes: &ClassTable,
    t: &Tailoring,
) -> Report {
    let view = observed
        .audit_control
        .as_deref()
        .map(|b| View::read(b, classes));
    let ctx = Ctx {
        obs: observed,
        classes,
        view: view.as_ref(),
    };
    let mut results = Vec::new();
    let mut summary = Summary::default();
    for (rule, m, odv_source, release_odv) in RULES
        .iter()
        .filter_map(|r| tailoring::membership(baseline, r, t).map(|(m, s, rel)| (r, m, s, rel)))
    {
        let (checked, found, expected) = ctx.semantic(rule, m.odv.as_ref());
        let exempt_reason = tailoring::exemption(t, rule.id);
        let status = if exempt_reason.is_some() {
            Status::Exempt
        } else {
            checked
        };
        let literal = mscp::check(rule, m.odv.as_ref(), observed);
        let disagreement = literal.as_ref().and_then(|l| {
            let sem_pass = match checked {
                Status::Pass => true,
                Status::Fail => false,
                _ => return None,
            };
            (sem_pass != l.pass).then(|| ctx.explain(rule, m.odv.as_ref(), sem_pass, l))
        });
        match status {
            Status::Pass => summary.pass += 1,
            Status::Fail => summary.fail += 1,
            Status::NotApplicable => summary.not_applicable += 1,
            Status::Manual => summary.manual += 1,
            Status::Inherent => summary.inherent += 1,
            Status::Unknown => summary.unknown += 1,
            Status::Exempt => summary.exempt += 1,
        }
        if disagreement.is_some() {
            summary.mscp_disagreements += 1;
        }
        results.push(RuleResult {
            number: rule.number,
            id: rule.id.to_string(),
            title: rule.title.to_string(),
            cis: rule.cis.map(str::to_string),
            stig: baseline.stig_id(rule).map(str::to_string),
            nist_800_53: rule.nist_800_53.iter().map(|s| s.to_string()).collect(),
            severity: m.severity,
            odv: m.odv.as_ref().map(|o| o.to_string()),
            odv_source: m.odv.as_ref().map(|_| odv_source),
            release_odv: release_odv.map(|o| o.to_string()),
            status,
            exempt_reason: exempt_reason.map(str::to_string),
            checked: exempt_reason.map(|_| checked),
            found,
            expected,
            mscp_literal: literal.map(|l| MscpLiteral {
                verdict: if l.pass { "pass" } else { "fail" }.to_string(),
                output: l.output,
                expected: l.expected,
            }),
            disagreement,
            mscp_check: match rule.kind {
                // The flag checks share one command; mSCP escapes the leading `-`.
                RuleKind::Flag { pattern, .. } => rule
                    .mscp_check
                    .replace("<pattern>", &pattern.replacen('-', "\\-", 1)),
                _ => rule.mscp_check.to_string(),
            },
            fix: rule.fix.to_string(),
        });
    }
    Report {
        baseline,
        title: baseline.title().to_string(),
        mscp_release: MSCP_RELEASE.to_string(),
        tailoring: (!t.is_empty()).then(|| t.clone()),
        results,
        summary,
    }
}

struct Ctx<'a> {
    obs: &'a Observed,
    classes: &'a ClassTable,
    view: Option<&'a View>,
}

const NO_FILE: &str = "/etc/security/audit_control does not exist (auditing is not configured; the macOS 14+ default)";

/// Whether `mask` audits all of `bits` on the requested sides.
pub fn covers(mask: ClassMask, bits: u32, success: bool, failure: bool) -> bool {
    (!success || mask.success & bits == bits) && (!failure || mask.failure & bits == bits)
}

fn side_words(success: bool, failure: bool) -> &'static str {
    match (success, failure) {
        (true, true) => "on success and failure",
        (true, false) => "on success",
        _ => "on failure",
    }
}

/// A mode is "as or less permissive" than `allowed` when it sets no other bit.
fn within(mode: u32, allowed: u32) -> bool {
    mode & 0o7777 & !allowed == 0
}

impl Ctx<'_> {
    fn semantic(&self, rule: &Rule, odv: Option<&Odv>) -> (Status, String, String) {
        match rule.kind {
            RuleKind::Manual { disposition } => (
                match disposition {
                    Disposition::Inherent => Status::Inherent,
                    Disposition::Permanent => Status::Manual,
                },
                rule.fix.to_string(),
                "no technical check".to_string(),
            ),
            RuleKind::AuditingEnabled => self.auditing_enabled(),
            RuleKind::Flag {
                class,
                success,
                failure,
                ..
            } => self.flag(class, success, failure),
            RuleKind::Retention => self.retention(odv),
            RuleKind::CapacityNotify => self.capacity(odv),
            RuleKind::FailureHalt => self.failure_halt(),
            RuleKind::FailureNotify => self.failure_notify(),
            RuleKind::ControlOwner
            | RuleKind::ControlGroup
            | RuleKind::ControlMode
            | RuleKind::ControlAcl => self.control_file(rule.kind),
            RuleKind::FolderOwner
            | RuleKind::FolderGroup
            | RuleKind::FolderMode
            | RuleKind::FolderAcl => self.folders(rule.kind),
            RuleKind::FilesOwner
            | RuleKind::FilesGroup
            | RuleKind::FilesMode
            | RuleKind::FilesAcl => self.trail_files(rule.kind),
        }
    }

    fn auditing_enabled(&self) -> (Status, String, String) {
        let expected = "com.apple.auditd loaded in launchd, audit_control present, kernel auditing on (AUC_AUDITING)".to_string();
        if self.obs.audit_control.is_none() {
            return (Status::Fail, NO_FILE.to_string(), expected);
        }
        let s = self.obs.service;
        match (s.launchd_job_loaded, s.kernel_auditing) {
            (Some(true), Some(true)) => (
                Status::Pass,
                "auditd job loaded, audit_control present, kernel auditing on".into(),
                expected,
            ),
            (Some(false), _) => (
                Status::Fail,
                "com.apple.auditd is not loaded in launchd (disabled by default since macOS 14)".into(),
                expected,
            ),
            (_, Some(false)) => (
                Status::Fail,
                "kernel auditing is off or suspended (audit -c does not report AUC_AUDITING)".into(),
                expected,
            ),
            _ => (
                Status::Unknown,
                "audit_control present; the service state needs root (launchctl print system, audit -c) — run through the helper".into(),
                expected,
            ),
        }
    }

    fn flag(&self, class: &str, success: bool, failure: bool) -> (Status, String, String) {
        let sign = match (success, failure) {
            (true, true) => "",
            (true, false) => "+",
            _ => "-",
        };
        let expected = format!(
            "`{sign}{class}`: {class} events audited {}",
            side_words(success, failure)
        );
        let Some(view) = self.view else {
            return (Status::Fail, NO_FILE.to_string(), expected);
        };
        let Some(bits) = self.classes.mask_of(class) else {
            return (
                Status::Fail,
                format!("class `{class}` is not defined in the audit_class table"),
                expected,
            );
        };
        match &view.flags {
            Setting::Missing => (
                Status::Fail,
                "no `flags` line: login sessions are not preselected for any class".into(),
                expected,
            ),
            Setting::Invalid(why) => (
                Status::Fail,
                format!(
                    "flags:{} is invalid ({why}); login programs cannot compute a mask from it",
                    view.raw_flags.as_deref().unwrap_or("")
                ),
                expected,
            ),
            Setting::Valid(list) => {
                let ok = covers(list.mask, bits, success, failure);
                let found = format!(
                    "flags:{} → effective {}; {class} {} {}",
                    view.raw_flags.as_deref().unwrap_or(""),
                    format_mask(list.mask, self.classes),
                    if ok { "is audited" } else { "is NOT audited" },
                    side_words(success, failure),
                );
                (
                    if ok { Status::Pass } else { Status::Fail },
                    found,
                    expected,
                )
            }
        }
    }

    fn retention(&self, odv: Option<&Odv>) -> (Status, String, String) {
        let Some(Odv::Retention(odv_text)) = odv else {
            return (Status::NotApplicable, "no ODV".into(), String::new());
        };
        let expected = format!(
            "expire-after keeps at least what `{odv_text}` keeps (never deletes a trail the ODV would keep)"
        );
        let Some(view) = self.view else {
            return (Status::Fail, NO_FILE.to_string(), expected);
        };
        let Some(odv_exp) = parse_expiry(odv_text) else {
            return (
                Status::Unknown,
                format!("ODV `{odv_text}` does not parse"),
                expected,
            );
        };
        let rotation_note = match view.filesz {
            Setting::Valid(0) => {
                " (note: filesz:0 never rotates, and expiry only runs at rotation)"
            }
            _ => "",
        };
        match &view.expire_after {
            Setting::Missing => (
                Status::Fail,
                "no expire-after line: trails are kept until the disk fills, then (with cnt) new events are dropped".into(),
                expected,
            ),
            Setting::Invalid(why) => (
                Status::Fail,
                format!("expire-after is invalid: {why}; auditd never expires trails"),
                expected,
            ),
            Setting::Valid(e) if e.never_deletes() => (
                Status::Fail,
                format!(
                    "expire-after:{} never deletes anything: retention is left to the disk filling up",
                    view.raw_expire_after.as_deref().unwrap_or("")
                ),
                expected,
            ),
            Setting::Valid(e) => match e.retains_at_least(&odv_exp) {
                Ok(()) => (
                    Status::Pass,
                    format!("expire-after {e} keeps at least as much as {odv_exp}{rotation_note}"),
                    expected,
                ),
                Err(ce) => (
                    Status::Fail,
                    format!(
                        "expire-after {e} deletes {} once all trails total more than {}, which `{odv_text}` would keep{rotation_note}",
                        if ce.age_secs == 0 {
                            "even the newest closed trail".to_string()
                        } else {
                            format!("a trail {} old", human_age(ce.age_secs))
                        },
                        human_size(ce.total_bytes)
                    ),
                    expected,
                ),
            },
        }
    }

    fn capacity(&self, odv: Option<&Odv>) -> (Status, String, String) {
        let Some(Odv::Minfree(p)) = odv else {
            return (Status::NotApplicable, "no ODV".into(), String::new());
        };
        let expected = format!(
            "minfree at least {p}% (warn while a quarter of the volume is still free), at most 50%"
        );
        let Some(view) = self.view else {
            return (Status::Fail, NO_FILE.to_string(), expected);
        };
        match &view.minfree {
            Setting::Missing => (
                Status::Fail,
                "no minfree line (upstream auditd cannot start without it)".into(),
                expected,
            ),
            Setting::Invalid(why) => (Status::Fail, format!("minfree invalid: {why}"), expected),
            Setting::Valid(v) => {
                let kernel = kernel_threshold(*v);
                let found = format!(
                    "minfree {v}% (auditd warns below {v}% free; the kernel's low-space trigger fires below {kernel:.1}%)"
                );
                if *v > 50 {
                    (
                        Status::Fail,
                        format!("{found}: above 50% the kernel threshold becomes 100% and the low-space trigger fires continuously"),
                        expected,
                    )
                } else if *v >= *p {
                    (Status::Pass, found, expected)
                } else {
                    (Status::Fail, found, expected)
                }
            }
        }
    }

    fn failure_halt(&self) -> (Status, String, String) {
        let expected = "policy includes ahlt (the kernel halts — panics — when it cannot write an audit record)".to_string();
        let Some(view) = self.view else {
            return (Status::Fail, NO_FILE.to_string(), expected);
        };
        let raw = view.raw_policy.clone().unwrap_or_default();
        match &view.policy {
            Setting::Missing => (
                Status::Fail,
                "no policy line: the kernel runs with cnt only".into(),
                expected,
            ),
            Setting::Invalid(why) => (Status::Fail, format!("policy:{raw} — {why}; ahlt is not applied"), expected),
            Setting::Valid(p) if !p.rejected.is_empty() => (
                Status::Fail,
                format!(
                    "policy:{raw} contains words the macOS kernel rejects ({}); the whole policy is refused and the previous kernel policy stays",
                    p.rejected.join(", ")
                ),
                expected,
            ),
            Setting::Valid(p) if p.ahlt => (
                Status::Pass,
                format!(
                    "policy:{raw} — ahlt on{}",
                    if p.cnt {
                        ", cnt kept (a full disk drops records instead of panicking)"
                    } else {
                        ", WITHOUT cnt (a full audit volume also panics the kernel)"
                    }
                ),
                expected,
            ),
            Setting::Valid(_) => (Status::Fail, format!("policy:{raw} — ahlt not set"), expected),
        }
    }

    fn failure_notify(&self) -> (Status, String, String) {
        let expected = "every logger call in /etc/security/audit_warn uses -s (message also to stderr/console)".to_string();
        if !self.obs.audit_warn_known {
            return (Status::Unknown, "audit_warn was not read".into(), expected);
        }
        let Some(text) = self.obs.audit_warn.as_deref() else {
            return (
                Status::Fail,
                "/etc/security/audit_warn does not exist: auditd warnings go nowhere".into(),
                expected,
            );
        };
        let text = String::from_utf8_lossy(text);
        let mut calls = 0;
        let mut without_s = 0;
        for line in text.lines().filter(|l| !l.trim_start().starts_with('#')) {
            let words: Vec<&str> = line.split_whitespace().collect();
            if let Some(i) = words
                .iter()
                .position(|w| *w == "logger" || w.ends_with("/logger"))
            {
                calls += 1;
                // Options are the `-x` words right after the command; `-s` may be
                // combined with others (`-is`).
                // `-p`, `-t` and `-f` take an argument (which may be the next word).
                let mut has_s = false;
                let mut rest = words[i + 1..].iter();
                while let Some(w) = rest.next() {
                    let Some(opts) = w
                        .strip_prefix('-')
                        .filter(|o| !o.is_empty() && !o.starts_with('-'))
                    else {
                        break;
                    };
                    for (k, c) in opts.char_indices() {
                        if c == 's' {
                            has_s = true;
                        }
                        if matches!(c, 'p' | 't' | 'f') {
                            if k + 1 == opts.len() {
                                rest.next();
                            }
                            break;
                        }
                    }
                }
                if !has_s {
                    without_s += 1;
                }
            }
        }
        match (calls, without_s) {
            (0, _) => (
                Status::Fail,
                "audit_warn never calls logger".into(),
                expected,
            ),
            (n, 0) => (
                Status::Pass,
                format!("{n} logger call(s), all with -s"),
                expected,
            ),
            (n, m) => (
                Status::Fail,
                format!("{m} of {n} logger call(s) lack -s (messages only reach the system log)"),
                expected,
            ),
        }
    }

    fn control_file(&self, kind: RuleKind) -> (Status, String, String) {
        let expected = match kind {
            RuleKind::ControlOwner => "owner root (uid 0)",
            RuleKind::ControlGroup => "group wheel (gid 0)",
            RuleKind::ControlMode => "mode 0440 or less permissive (0400)",
            _ => "no ACL",
        }
        .to_string();
        let files = &self.obs.files;
        if !files.gathered {
            return (
                Status::Unknown,
                "file facts were not gathered".into(),
                expected,
            );
        }
        let Some(m) = files.audit_control else {
            return (Status::Fail, NO_FILE.to_string(), expected);
        };
        let (ok, found) = match kind {
            RuleKind::ControlOwner => (Some(m.uid == 0), format!("uid {}", m.uid)),
            RuleKind::ControlGroup => (Some(m.gid == 0), format!("gid {}", m.gid)),
            RuleKind::ControlMode => (
                Some(m.kind == FileKind::File && within(m.mode, 0o440)),
                format!("mode {:04o} ({})", m.mode & 0o7777, m.ls_mode_string()),
            ),
            _ => (
                m.has_acl.map(|a| !a),
                match m.has_acl {
                    Some(true) => "an ACL is attached".into(),
                    Some(false) => "no ACL".into(),
                    None => "ACL presence not visible to this gatherer".into(),
                },
            ),
        };
        (
            status_of(ok),
            format!("/etc/security/audit_control: {found}"),
            expected,
        )
    }

    /// The trail directories auditd uses, plus `/var/audit` (home of the `current`
    /// link whatever `dir:` says).
    fn audit_dirs(&self) -> Vec<String> {
        let mut dirs = self.view.map(View::usable_dirs).unwrap_or_default();
        if !dirs.iter().any(|d| d.trim_end_matches('/') == "/var/audit") {
            dirs.push("/var/audit".to_string());
        }
        dirs
    }

    fn folders(&self, kind: RuleKind) -> (Status, String, String) {
        let expected = match kind {
            RuleKind::FolderOwner => "every trail folder owned by root (uid 0)",
            RuleKind::FolderGroup => "every trail folder group wheel (gid 0)",
            RuleKind::FolderMode => "every trail folder mode 0700 or less permissive",
            _ => "no ACL on any trail folder",
        }
        .to_string();
        let files = &self.obs.files;
        if !files.gathered {
            return (
                Status::Unknown,
                "file facts were not gathered".into(),
                expected,
            );
        }
        let mut bad = Vec::new();
        let mut unknown = false;
        let mut seen = Vec::new();
        for d in self.audit_dirs() {
            let Some(m) = files.dirs.get(&d).and_then(|f| f.meta) else {
                bad.push(format!("{d} does not exist"));
                continue;
            };
            let ok = match kind {
                RuleKind::FolderOwner => Some(m.uid == 0),
                RuleKind::FolderGroup => Some(m.gid == 0),
                RuleKind::FolderMode => Some(m.kind == FileKind::Dir && within(m.mode, 0o700)),
                _ => m.has_acl.map(|a| !a),
            };
            let desc = describe(&d, &m, kind);
            match ok {
                Some(true) => seen.push(desc),
                Some(false) => bad.push(desc),
                None => unknown = true,
            }
        }
        // `dir` values auditd cannot use are not checked (auditd never writes there),
        // but say so: they are usually a typo such as `dir: /var/audit`.
        let skipped: Vec<String> = self
            .view
            .map(|v| {
                v.dirs
                    .iter()
                    .filter(|d| !d.starts_with('/'))
                    .map(|d| format!("`dir:{d}` is not an absolute path, so auditd skips it"))
                    .collect()
            })
            .unwrap_or_default();
        let note = if skipped.is_empty() {
            String::new()
        } else {
            format!(" ({})", skipped.join("; "))
        };
        if !bad.is_empty() {
            (Status::Fail, format!("{}{note}", bad.join("; ")), expected)
        } else if unknown {
            (
                Status::Unknown,
                "ACL presence not visible to this gatherer".into(),
                expected,
            )
        } else {
            (Status::Pass, format!("{}{note}", seen.join("; ")), expected)
        }
    }

    fn trail_files(&self, kind: RuleKind) -> (Status, String, String) {
        let expected = match kind {
            RuleKind::FilesOwner => "every file in the trail folders owned by root (uid 0)",
            RuleKind::FilesGroup => "every file in the trail folders group wheel (gid 0)",
            RuleKind::FilesMode => "every file in the trail folders mode 0440 or less permissive",
            _ => "no ACL on any file in the trail folders",
        }
        .to_string();
        let files = &self.obs.files;
        if !files.gathered {
            return (
                Status::Unknown,
                "file facts were not gathered".into(),
                expected,
            );
        }
        let mut bad = Vec::new();
        let mut count = 0usize;
        let mut unknown = false;
        let mut any_dir = false;
        for d in self.audit_dirs() {
            let Some(f) = files.dirs.get(&d).filter(|f| f.meta.is_some()) else {
                continue;
            };
            any_dir = true;
            // The `current` symlink is auditd's pointer to the active trail; the trail
            // itself is checked, the link's own bits mean nothing.
            for e in f
                .entries
                .iter()
                .filter(|e| e.meta.kind != FileKind::Symlink)
            {
                count += 1;
                let m = e.meta;
                let ok = match kind {
                    RuleKind::FilesOwner => Some(m.uid == 0),
                    RuleKind::FilesGroup => Some(m.gid == 0),
                    RuleKind::FilesMode => Some(within(m.mode, 0o440)),
                    _ => m.has_acl.map(|a| !a),
                };
                match ok {
                    Some(false) => bad.push(describe(
                        &format!("{}/{}", d.trim_end_matches('/'), e.name),
                        &m,
                        kind,
                    )),
                    None => unknown = true,
                    Some(true) => {}
                }
            }
        }
        if !any_dir {
            return (
                Status::NotApplicable,
                "no trail folder exists".into(),
                expected,
            );
        }
        if !bad.is_empty() {
            let n = bad.len();
            let mut shown: Vec<String> = bad.into_iter().take(5).collect();
            if n > 5 {
                shown.push(format!("… and {} more", n - 5));
            }
            let hint = if kind == RuleKind::FilesGroup {
                " (auditd gives new trails the `audit` group when that group exists)"
            } else {
                ""
            };
            (
                Status::Fail,
                format!("{n} of {count} file(s) fail: {}{hint}", shown.join("; ")),
                expected,
            )
        } else if unknown {
            (
                Status::Unknown,
                "ACL presence not visible to this gatherer".into(),
                expected,
            )
        } else {
            (Status::Pass, format!("{count} file(s) checked"), expected)
        }
    }

    /// Why mSCP's literal check disagrees with Earshot.
    fn explain(
        &self,
        rule: &Rule,
        odv: Option<&Odv>,
        sem_pass: bool,
        lit: &mscp::Literal,
    ) -> String {
        let ac = self.obs.audit_control.as_deref().unwrap_or(b"");
        match rule.kind {
            RuleKind::Flag {
                class,
                success,
                failure,
                pattern,
            } => {
                let matched = mscp::flag_matches(ac, pattern);
                let list = self.view.and_then(|v| v.flags.valid());
                explain_flag(class, success, failure, pattern, &matched, list, self.view)
            }
            RuleKind::Retention => {
                let odv = odv.map(|o| o.to_string()).unwrap_or_default();
                if sem_pass {
                    let lines = lit.output.lines().count();
                    if lines > 1 {
                        format!("mSCP prints field 2 of every line containing `expire-after` (comments too) and got {lines} lines; it needs exactly `{odv}`")
                    } else if lit.output.starts_with([' ', '\t']) || lit.output.ends_with([' ', '\t']) {
                        format!("mSCP compares the text after the colon exactly: `{}` has a blank auditd ignores", lit.output)
                    } else {
                        format!("mSCP compares text, not meaning: `{}` keeps at least as much as `{odv}` but is spelled differently", lit.output)
                    }
                } else {
                    format!("the text matches `{odv}` but auditd does not use it that way (e.g. a later duplicate line, or an earlier line wins)")
                }
            }
            RuleKind::CapacityNotify => {
                if sem_pass {
                    format!("mSCP compares the text `{}` with `{}`; auditd reads the number with atoi (blanks, `%`, larger values are fine)", lit.output, lit.expected)
                } else {
                    "the text matches, but auditd reads the first minfree line only / the value is unusable".into()
                }
            }
            RuleKind::FailureHalt => {
                if sem_pass {
                    "mSCP counts `ahlt` tokens on every policy line and needs exactly one".into()
                } else {
                    format!(
                        "mSCP counts the token containing `ahlt` in `{}` but auditd does not apply it: {}",
                        policy_lines(ac),
                        self.view
                            .map(|v| match &v.policy {
                                Setting::Invalid(w) => w.clone(),
                                Setting::Valid(p) if !p.rejected.is_empty() => "the kernel rejects the policy line".into(),
                                _ => "the first policy line does not set ahlt".into(),
                            })
                            .unwrap_or_default()
                    )
                }
            }
            RuleKind::FailureNotify => {
                "mSCP counts lines containing exactly `logger -s -p` (comments included) and needs exactly one".into()
            }
            RuleKind::ControlMode | RuleKind::FilesMode | RuleKind::FolderMode if sem_pass => {
                match rule.kind {
                    RuleKind::FilesMode => "mSCP accepts only the exact mode string -r--r----- (0440); 0400 is less permissive and passes the rule's own title, and several trail folders add `ls` header lines it counts as failures".into(),
                    RuleKind::FolderMode => "mSCP wants `stat -f %A` to print exactly 700 (one folder); a stricter mode or a second `dir:` line fails it".into(),
                    _ => "mSCP pattern-matches the ls mode string".into(),
                }
            }
            RuleKind::ControlMode => "mSCP counts `ls -l` lines not matching -r--[r-]-----; a missing file prints no line and passes".into(),
            RuleKind::ControlAcl | RuleKind::ControlOwner | RuleKind::ControlGroup => {
                if self.obs.files.audit_control.is_none() {
                    "the file does not exist: `ls` prints no line, and mSCP's count of 0 passes".into()
                } else {
                    format!("mSCP prints `{}`, expects `{}`", lit.output, lit.expected)
                }
            }
            RuleKind::FolderOwner | RuleKind::FolderGroup | RuleKind::FilesOwner | RuleKind::FilesGroup | RuleKind::FilesAcl | RuleKind::FolderAcl => {
                "mSCP reads `dir:` lines with grep/awk (any line starting `dir`, shell word splitting, several folders printing several lines) and hard-codes /var/audit in places, while auditd uses the absolute paths it can statfs plus /var/audit for the `current` link".into()
            }
            _ => format!("mSCP prints `{}`, expects `{}`", lit.output, lit.expected),
        }
    }
}

/// The policy line(s) mSCP's literal check reads, for an explanation.
fn policy_lines(ac: &[u8]) -> String {
    String::from_utf8_lossy(ac)
        .lines()
        .filter(|l| l.starts_with("policy"))
        .collect::<Vec<_>>()
        .join(" | ")
}

fn explain_flag(
    class: &str,
    success: bool,
    failure: bool,
    pattern: &str,
    matched: &[String],
    list: Option<&FlagsList>,
    view: Option<&View>,
) -> String {
    let n = matched.len();
    let quoted = matched
        .iter()
        .map(|t| format!("`{t}`"))
        .collect::<Vec<_>>()
        .join(", ");
    match (n, list) {
        (0, Some(list)) => {
            let via_all = list.items.iter().any(|i| i.class == "all" && !i.remove);
            let why = if via_all {
                "`all`/`-all` covers it, but mSCP does not recognise `all`".to_string()
            } else {
                let covering: Vec<String> = list
                    .items
                    .iter()
                    .filter(|i| !i.remove && i.class == class)
                    .map(|i| {
                        let p = match i.selector {
                            Selector::Both => "",
                            Selector::Success => "+",
                            Selector::Failure => "-",
                        };
                        format!("`{p}{}`", i.class)
                    })
                    .collect();
                if covering.is_empty() {
                    "the effective mask covers it".to_string()
                } else {
                    format!("{} covers it", covering.join(", "))
                }
            };
            format!(
                "mSCP counts tokens matching `{pattern}` and found none; {why} ({class} {} is audited)",
                side_words(success, failure)
            )
        }
        (n, _) if n > 1 => format!(
            "mSCP needs exactly one token matching `{pattern}` and found {n} ({quoted}); duplicates or extra prefixed forms are harmless to auditd, which applies the items left to right"
        ),
        (1, _) => {
            let t = &matched[0];
            let reason = if t.starts_with('^') {
                format!("`{t}` REMOVES {class} — mSCP counts prefixed forms loosely")
            } else if t.contains(char::is_whitespace) {
                format!("`{t}` contains a blank, which makes libbsm reject the whole flags list")
            } else if t.starts_with('+') && failure {
                format!("`{t}` audits successes only")
            } else if t.starts_with('-') && success {
                format!("`{t}` audits failures only")
            } else {
                match view.map(|v| &v.flags) {
                    Some(Setting::Invalid(why)) => format!("the flags list is invalid for auditd: {why}"),
                    Some(Setting::Missing) => "auditd has no usable flags line".into(),
                    _ => "auditd reads only the first flags line (Apple: up to the next colon), where the class is not (or no longer) audited".into(),
                }
            };
            format!("mSCP counted {quoted} for `{pattern}`, but {reason}")
        }
        _ => "the flags list is not usable by auditd, so nothing is audited".into(),
    }
}

fn status_of(ok: Option<bool>) -> Status {
    match ok {
        Some(true) => Status::Pass,
        Some(false) => Status::Fail,
        None => Status::Unknown,
    }
}

fn describe(path: &str, m: &Meta, kind: RuleKind) -> String {
    match kind {
        RuleKind::FolderOwner | RuleKind::FilesOwner => format!("{path} uid {}", m.uid),
        RuleKind::FolderGroup | RuleKind::FilesGroup => format!("{path} gid {}", m.gid),
        RuleKind::FolderMode | RuleKind::FilesMode => {
            format!("{path} mode {:04o}", m.mode & 0o7777)
        }
        _ => format!(
            "{path} {}",
            match m.has_acl {
                Some(true) => "has an ACL",
                Some(false) => "no ACL",
                None => "ACL unknown",
            }
        ),
    }
}

/// The kernel's effective low-space threshold for `minfree` (integer division in
/// xnu's `audit_worker.c`: 100 / ⌊100 / p⌋ percent).
pub fn kernel_threshold(percent: u32) -> f64 {
    if percent == 0 {
        return 0.0;
    }
    let div = 100 / percent.min(100);
    if div == 0 {
        100.0
    } else {
        100.0 / f64::from(div)
    }
}

/// Parses an `expire-after` value the way auditd does (audit-control's parser).
pub fn parse_expiry(text: &str) -> Option<Expiry> {
    audit_control::values::parse_expire_after(text.as_bytes())
        .ok()
        .map(|p| Expiry::from_audit_control(&p.value))
}

fn human_age(secs: u64) -> String {
    if secs == u64::MAX {
        "arbitrarily".into()
    } else {
        earshot_model::format::human_secs(secs as f64)
    }
}

fn human_size(bytes: u64) -> String {
    if bytes == u64::MAX {
        "arbitrarily much".into()
    } else {
        earshot_model::format::human_bytes(bytes)
    }
}
