//! The tuning ladder: from the current audit configuration, the *next single step*
//! toward a goal, with why, the new file, its meaning, the risks to acknowledge and
//! the predicted cost.
//!
//! The ladder (each rung is one concern; the first rung not yet satisfied is the next
//! step):
//!
//! 1. enable auditing (macOS 14+: create audit_control from the example, enable and
//!    bootstrap the launchd job, `audit -i`);
//! 2. `flags` covers `lo,aa`; 3. `naflags` usable; 4. `policy:cnt,argv`;
//! 5. rotation (`filesz`), 6. retention (`expire-after`), 7. `minfree` — sized from
//!    the measured (or reference) rate and the volume;
//! 8. `+ad`; 9. `na` in `naflags` (the `next` goal only);
//! 10. the target's remaining classes, cheapest predicted first (`-ex`, `-fd`, `-fm`,
//!     `-fw`, `-fr`, then `fm` for the STIG);
//! 11. `ahlt` for the baselines that want it (800-53, STIG for macOS 15), with the
//!     trade-off and an alternative;
//! 12. `arge` only when asked for, with an acknowledgement;
//! 13. spell out flag tokens mSCP's literal scanner wants (no change in meaning).
//!
//! Storage rungs come before new classes, and are re-checked after every class: a
//! class that multiplies the volume makes the next step a storage tweak. A path to a
//! baseline is the sequence of these steps, never one jump.

pub mod cost;
pub mod edit;
pub mod review;
pub mod soak;

use audit_control::{format_mask, parse_flags, AuditControl, ClassTable, Document, Selector};
use serde::Serialize;

pub use cost::{ClassRates, Disk, Measurements, Prediction, Range, Rate, Side, Source};
use earshot_compliance::{
    mscp, Baseline, BaselineRules, Expiry, RuleKind, ServiceFacts, Setting, View,
};
pub use earshot_model::plan::{Alternative, Change, Plan, Risk, SemanticChange, StepKind};

/// Where the ladder should lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "baseline")]
pub enum Target {
    /// Earshot's general recommendation: `lo,aa,ad` for users, `lo,aa,na` for
    /// daemons, `cnt,argv`, storage sized to the rate and the disk.
    Next,
    Baseline(Baseline),
}

impl Target {
    pub fn parse(s: &str) -> Result<Target, earshot_compliance::UnknownBaseline> {
        if s.trim().eq_ignore_ascii_case("next") {
            Ok(Target::Next)
        } else {
            Baseline::parse(s).map(Target::Baseline)
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Target::Next => "next",
            Target::Baseline(b) => b.name(),
        }
    }
}

/// How to satisfy `audit_failure_halt`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AhltVariant {
    /// `cnt,ahlt,argv`: panic on a trail write error, but a full volume drops records
    /// and suspends auditing instead of panicking. Earshot's default.
    #[default]
    KeepCnt,
    /// `ahlt,argv` (mSCP's fix without its stray blank): fail-stop — a full volume
    /// blocks audited processes and panics too.
    FailStop,
}

/// Choices the user (or the organisation) made up front.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct PlanOptions {
    pub ahlt: AhltVariant,
    /// The user wants `arge` (environment of every exec) — proposed only then.
    pub want_arge: bool,
    /// The organisation's ODVs and exemptions: a path to a baseline writes
    /// the tailored values and takes no step for an exempt rule.
    #[serde(skip)]
    pub tailoring: earshot_compliance::Tailoring,
}

/// The state the planner starts from.
#[derive(Debug, Clone, Default)]
pub struct Current {
    /// `None`: `/etc/security/audit_control` does not exist (macOS 14+ default).
    pub audit_control: Option<Vec<u8>>,
    /// `/etc/security/audit_control.example` (the shipped default is used when `None`).
    pub example: Option<Vec<u8>>,
    pub service: ServiceFacts,
}

/// The `audit_control.example` of macOS 14+ as reproduced by third parties
/// (spec/audit_control.md §8): upstream's eight lines minus `dist`, plus Apple's
/// session-flag lines.
pub const DEFAULT_EXAMPLE: &str = "#\n# $P4: //depot/projects/trustedbsd/openbsm/etc/audit_control#8 $\n#\ndir:/var/audit\nflags:lo,aa\nminfree:5\nnaflags:lo,aa\npolicy:cnt,argv\nfilesz:2M\nexpire-after:10M\nsuperuser-set-sflags-mask:has_authenticated,has_console_access\nsuperuser-clear-sflags-mask:has_authenticated,has_console_access\nmember-set-sflags-mask:\nmember-clear-sflags-mask:has_authenticated\n";

/// The rules of a baseline the organisation has not exempted, with their
/// tailored membership (ODVs).
fn tailored_rules(
    b: earshot_compliance::Baseline,
    t: &earshot_compliance::Tailoring,
) -> Vec<(
    &'static earshot_compliance::Rule,
    earshot_compliance::Membership,
)> {
    earshot_compliance::RULES
        .iter()
        .filter(|r| earshot_compliance::tailoring::exemption(t, r.id).is_none())
        .filter_map(|r| earshot_compliance::tailoring::membership(b, r, t).map(|(m, ..)| (r, m)))
        .collect()
}

/// The flag items a goal wants in `flags`, as written (`lo`, `-fr`, `fm`).
fn goal_flags(target: Target, t: &earshot_compliance::Tailoring) -> Vec<&'static str> {
    match target {
        Target::Next => vec!["lo", "aa", "ad"],
        Target::Baseline(b) => {
            let mut items = vec!["lo", "aa"];
            for (rule, _) in tailored_rules(b, t) {
                if let RuleKind::Flag {
                    class,
                    success,
                    failure,
                    ..
                } = rule.kind
                {
                    let item: &'static str = match (class, success, failure) {
                        ("lo", true, true) => "lo",
                        ("aa", true, true) => "aa",
                        ("ad", true, true) => "ad",
                        ("ex", false, true) => "-ex",
                        ("fd", false, true) => "-fd",
                        ("fm", true, true) => "fm",
                        ("fm", false, true) => "-fm",
                        ("fr", false, true) => "-fr",
                        ("fw", false, true) => "-fw",
                        _ => continue,
                    };
                    if !items.contains(&item) {
                        items.push(item);
                    }
                }
            }
            items
        }
    }
}

/// The target's retention ODV (tailored), unless the rule is exempt.
fn target_odv_retention(target: Target, t: &earshot_compliance::Tailoring) -> Option<String> {
    match target {
        Target::Baseline(b) => {
            tailored_rules(b, t)
                .into_iter()
                .find_map(|(r, m)| match (r.kind, m.odv) {
                    (RuleKind::Retention, Some(earshot_compliance::Odv::Retention(s))) => Some(s),
                    _ => None,
                })
        }
        Target::Next => None,
    }
}

/// The target's minfree ODV (tailored), unless the rule is exempt.
fn target_odv_minfree(target: Target, t: &earshot_compliance::Tailoring) -> Option<u32> {
    match target {
        Target::Baseline(b) => {
            tailored_rules(b, t)
                .into_iter()
                .find_map(|(r, m)| match (r.kind, m.odv) {
                    (RuleKind::CapacityNotify, Some(earshot_compliance::Odv::Minfree(p))) => {
                        Some(p)
                    }
                    _ => None,
                })
        }
        Target::Next => None,
    }
}

/// Whether the target requires `ahlt` (and the organisation has not exempted it).
fn target_wants_ahlt(target: Target, t: &earshot_compliance::Tailoring) -> bool {
    match target {
        Target::Baseline(b) => tailored_rules(b, t)
            .iter()
            .any(|(r, _)| r.kind == RuleKind::FailureHalt),
        Target::Next => false,
    }
}

/// Parses a single flag item (`-fr`) into (class, success, failure).
fn item_parts(item: &str) -> (&str, bool, bool) {
    if let Some(c) = item.strip_prefix('-') {
        (c, false, true)
    } else if let Some(c) = item.strip_prefix('+') {
        (c, true, false)
    } else {
        (item, true, true)
    }
}

fn list_covers(s: &Setting<audit_control::FlagsList>, classes: &ClassTable, item: &str) -> bool {
    let (class, succ, fail) = item_parts(item);
    match (s, classes.mask_of(class)) {
        (Setting::Valid(l), Some(bits)) => earshot_compliance::covers(l.mask, bits, succ, fail),
        _ => false,
    }
}

/// Adds `item` to a flags value: items that *remove* the same class on the same side
/// are dropped first (so `^-fr` cannot cancel the new `-fr`), then `item` is
/// appended. Order of the other items is kept.
pub fn add_flag_item(value: &str, item: &str, classes: &ClassTable) -> String {
    let (class, succ, fail) = item_parts(item);
    let mut kept: Vec<String> = Vec::new();
    if let Ok(list) = parse_flags(value.as_bytes(), classes) {
        for it in &list.items {
            // Items are delimited by ASCII commas, so the range is a char boundary;
            // `get` keeps even a surprise from panicking.
            let Some(raw) = value.get(it.start..it.end) else {
                continue;
            };
            let cancels = it.remove
                && it.class == class
                && match it.selector {
                    Selector::Both => true,
                    Selector::Success => succ,
                    Selector::Failure => fail,
                };
            if !cancels {
                kept.push(raw.to_string());
            }
        }
    }
    kept.push(item.to_string());
    kept.join(",")
}

pub(crate) use earshot_model::format::human_bytes_f64 as human_bytes;

/// The size budget for trails on a volume: 10 % of it, but never more than half the
/// room above minfree; 5 GiB when the volume is unknown (CIS's figure). Rounded down
/// to whole GiB (or 256 MiB steps below 1 GiB), at least 512 MiB.
pub fn trail_budget(disk: Option<Disk>, minfree_pct: u32) -> u64 {
    const G: u64 = 1 << 30;
    const Q: u64 = 256 << 20;
    let Some(d) = disk else {
        return 5 * G;
    };
    let reserve = d.total_bytes / 100 * u64::from(minfree_pct.min(100));
    let room = d.free_bytes.saturating_sub(reserve);
    let budget = (d.total_bytes / 10).min(room / 2);
    let rounded = if budget >= G {
        budget / G * G
    } else {
        budget / Q * Q
    };
    rounded.max(2 * Q)
}

/// `filesz` for a rate: about one file per hour at the typical rate (expiry works
/// on whole files, and hour-sized files keep praudit/auditreduce quick), rounded up to
/// a power of two MiB, between 2 MiB and 512 MiB.
pub fn recommended_filesz(bytes_per_day: f64) -> u64 {
    let per_hour = (bytes_per_day / 24.0).max(0.0);
    let mut size: u64 = 2 << 20;
    while (size as f64) < per_hour && size < (512 << 20) {
        size *= 2;
    }
    size
}

struct Ladder<'a> {
    classes: &'a ClassTable,
    m: &'a Measurements,
    target: Target,
    opts: &'a PlanOptions,
}

/// Proposes the next single step toward `target`, or `None` when the goal is met.
pub fn next_step(
    current: &Current,
    target: Target,
    m: &Measurements,
    classes: &ClassTable,
    opts: &PlanOptions,
) -> Option<Plan> {
    Ladder {
        classes,
        m,
        target,
        opts,
    }
    .next(current)
}

/// The whole sequence of steps toward `target` (each applied to the result of the
/// previous one). Stops when the goal is met, a step would repeat, or after 40 steps.
pub fn path(
    current: &Current,
    target: Target,
    m: &Measurements,
    classes: &ClassTable,
    opts: &PlanOptions,
) -> Vec<Plan> {
    let ladder = Ladder {
        classes,
        m,
        target,
        opts,
    };
    let mut state = current.clone();
    let mut steps: Vec<Plan> = Vec::new();
    while steps.len() < 40 {
        let Some(plan) = ladder.next(&state) else {
            break;
        };
        let repeated = steps
            .iter()
            .any(|p| p.step == plan.step && p.after == plan.after);
        if repeated {
            break;
        }
        state.audit_control = Some(plan.after_bytes().to_vec());
        if matches!(plan.step, StepKind::EnableAuditing | StepKind::StartAuditd) {
            state.service = ServiceFacts {
                launchd_job_loaded: Some(true),
                kernel_auditing: Some(true),
            };
        }
        steps.push(plan);
    }
    steps
}

const ENABLE_COMMANDS: [&str; 3] = [
    "sudo launchctl enable system/com.apple.auditd",
    "sudo launchctl bootstrap system /System/Library/LaunchDaemons/com.apple.auditd.plist",
    "sudo audit -i",
];

impl Ladder<'_> {
    fn next(&self, current: &Current) -> Option<Plan> {
        let Some(bytes) = current.audit_control.as_deref() else {
            return Some(self.enable(current));
        };
        let view = View::read(bytes, self.classes);
        if current.service.launchd_job_loaded == Some(false)
            || current.service.kernel_auditing == Some(false)
        {
            return Some(self.start_auditd(bytes, &view));
        }
        self.base_flags(bytes, &view)
            .or_else(|| self.base_naflags(bytes, &view))
            .or_else(|| self.policy(bytes, &view))
            .or_else(|| self.rotation(bytes, &view))
            .or_else(|| self.retention(bytes, &view))
            .or_else(|| self.minfree(bytes, &view))
            .or_else(|| self.add_ad(bytes, &view))
            .or_else(|| self.naflags_na(bytes, &view))
            .or_else(|| self.more_classes(bytes, &view))
            .or_else(|| self.failure_halt(bytes, &view))
            .or_else(|| self.arge(bytes, &view))
            .or_else(|| self.spell_out(bytes, &view))
    }

    /// Builds a plan for `before` → `after`, filling diff, risks, activation and cost.
    #[allow(clippy::too_many_arguments)]
    fn plan(
        &self,
        step: StepKind,
        concern: &'static str,
        title: String,
        why: String,
        before: Option<&[u8]>,
        after: Vec<u8>,
        warnings: Vec<String>,
    ) -> Plan {
        let before_view = before.map(|b| View::read(b, self.classes));
        let after_view = View::read(&after, self.classes);
        let diff = diff(before_view.as_ref(), &after_view, self.classes);
        let mut risks = risks(before_view.as_ref(), &after_view, self.classes);
        let read = |b: &[u8]| AuditControl::read(&Document::parse(b), self.classes);
        let semantic_diff =
            audit_control::semantic_diff(&read(before.unwrap_or(b"")), &read(&after));
        // Creating the file from the example is compared with an empty file, where
        // every key "changes" (e.g. dir-change); those are not risks of enabling.
        let merged = if before.is_some() {
            semantic_diff.as_slice()
        } else {
            &[]
        };
        for r in merged.iter().flat_map(|c| c.risks.iter()) {
            if !risks.iter().any(|x| x.id == r.id) {
                risks.push(Risk {
                    id: r.id.to_string(),
                    message: r.message.clone(),
                });
            }
        }
        let needs_relogin = diff.iter().any(|c| c.key == "flags");
        let mut activation = Vec::new();
        if !diff.is_empty() && before.is_some() {
            activation.push("the helper writes the file atomically (root:wheel, 0440) and runs `audit -s` (re-reads naflags, policy, filesz, minfree, expire-after, then rotates and expires)".to_string());
        }
        if needs_relogin {
            activation.push("flags apply to new login sessions only: `audit -s` does not change running processes — log out and back in (or restart) to audit your own session with the new classes".to_string());
        }
        let prediction = cost::predict(before_view.as_ref(), &after_view, self.classes, self.m);
        Plan {
            step,
            concern: concern.to_string(),
            title,
            why,
            before: before.map(|b| String::from_utf8_lossy(b).into_owned()),
            after: String::from_utf8_lossy(&after).into_owned(),
            after_raw: after,
            diff,
            semantic_diff: semantic_diff.iter().map(semantic_change).collect(),
            risks,
            warnings,
            activation,
            needs_relogin,
            prediction,
            alternatives: Vec::new(),
        }
    }

    // One argument per part of a step; a struct would only rename them.
    #[allow(clippy::too_many_arguments)]
    fn set_plan(
        &self,
        step: StepKind,
        concern: &'static str,
        value: &str,
        title: String,
        why: String,
        bytes: &[u8],
        warnings: Vec<String>,
    ) -> Option<Plan> {
        let after = edit::set(bytes, concern, value, self.classes);
        // A rung whose fix changes nothing is satisfied as far as the planner can go
        // (prevents proposing the same step forever).
        (after != bytes).then(|| self.plan(step, concern, title, why, Some(bytes), after, warnings))
    }

    fn enable(&self, current: &Current) -> Plan {
        let example = current
            .example
            .clone()
            .unwrap_or_else(|| DEFAULT_EXAMPLE.as_bytes().to_vec());
        let mut plan = self.plan(
            StepKind::EnableAuditing,
            "service",
            "Enable auditing (create audit_control from the example, start auditd)".into(),
            "/etc/security/audit_control does not exist: since macOS 14 Sonoma BSM auditing is off by default and every baseline (CIS 3.1, APPL-26-001003, 800-53 AU-12) requires it. The shipped example audits logins/logouts (lo) and authentication/authorisation (aa) — the cheapest useful start.".into(),
            None,
            example,
            vec![
                "Apple has deprecated BSM auditing (since macOS 11) and says it will be removed; EndpointSecurity is its successor. The baselines still require it.".into(),
                "No reboot is needed with bootstrap + `audit -i`; a reboot also works (Apple's man page says to reboot). Processes started before auditing keep an empty audit mask until their user logs in again.".into(),
            ],
        );
        let mut activation = vec![
            "sudo cp /etc/security/audit_control.example /etc/security/audit_control (only if it is missing); then root:wheel, mode 0440".to_string(),
        ];
        activation.extend(ENABLE_COMMANDS.iter().map(|s| s.to_string()));
        activation.push(
            "verify: `sudo audit -c` reports AUC_AUDITING and /var/audit/current points to a trail"
                .into(),
        );
        activation.push(
            "log out and back in (or restart) so your own session gets the lo,aa mask".into(),
        );
        plan.activation = activation;
        plan.needs_relogin = true;
        plan
    }

    fn start_auditd(&self, bytes: &[u8], _view: &View) -> Plan {
        let mut plan = self.plan(
            StepKind::StartAuditd,
            "service",
            "Start auditd (the configuration exists but auditing is off)".into(),
            "audit_control exists, but the com.apple.auditd job is not loaded or the kernel is not auditing (`audit -c` lacks AUC_AUDITING): nothing is recorded.".into(),
            Some(bytes),
            bytes.to_vec(),
            vec![],
        );
        plan.activation = ENABLE_COMMANDS.iter().map(|s| s.to_string()).collect();
        plan.activation
            .push("verify: `sudo audit -c` reports AUC_AUDITING".into());
        plan
    }

    fn base_flags(&self, bytes: &[u8], view: &View) -> Option<Plan> {
        if ["lo", "aa"]
            .iter()
            .all(|i| list_covers(&view.flags, self.classes, i))
        {
            return None;
        }
        let (value, why) = match &view.flags {
            Setting::Valid(_) => {
                let mut v = view.raw_flags.clone().unwrap_or_default();
                for item in ["lo", "aa"] {
                    if !list_covers(&view.flags, self.classes, item) {
                        v = add_flag_item(&v, item, self.classes);
                    }
                }
                (v, "Logins/logouts (lo) and authentication/authorisation (aa) are the base of every audit configuration and of every baseline; they are cheap (tens to hundreds of events a day).".to_string())
            }
            Setting::Missing => ("lo,aa".to_string(), "There is no flags line, so user sessions are not audited at all.".to_string()),
            Setting::Invalid(e) => ("lo,aa".to_string(), format!("The flags line cannot be used ({e}), so login programs compute no mask: user sessions are not audited. Replacing it with the minimal valid list.")),
        };
        self.set_plan(
            StepKind::BaseFlags,
            "flags",
            &value,
            format!("flags: audit logins and authentication ({value})"),
            why,
            bytes,
            vec![],
        )
    }

    fn base_naflags(&self, bytes: &[u8], view: &View) -> Option<Plan> {
        let why = match &view.naflags {
            Setting::Valid(_) => return None,
            Setting::Missing => "There is no naflags line: events of processes without an audit user (launchd daemons, system boot) are not preselected.".to_string(),
            Setting::Invalid(e) => format!("naflags cannot be used ({e}); auditd keeps the previous kernel mask."),
        };
        self.set_plan(
            StepKind::BaseNaflags,
            "naflags",
            "lo,aa",
            "naflags: lo,aa for non-attributable events".into(),
            why,
            bytes,
            vec![],
        )
    }

    fn policy(&self, bytes: &[u8], view: &View) -> Option<Plan> {
        let (ahlt, arge, why) = match &view.policy {
            Setting::Valid(p) => {
                let fail_stop_ok = p.ahlt && !p.cnt && self.opts.ahlt == AhltVariant::FailStop;
                if (p.cnt || fail_stop_ok) && p.argv && p.rejected.is_empty() {
                    return None;
                }
                let mut why = Vec::new();
                if !p.cnt && !fail_stop_ok {
                    why.push("without cnt a full audit volume blocks audited processes and then panics the kernel; cnt drops records and suspends auditing instead".to_string());
                }
                if !p.argv {
                    why.push("argv records the command line of every audited exec — the single most useful detail in an investigation".to_string());
                }
                if !p.rejected.is_empty() {
                    why.push(format!("the macOS kernel refuses the whole policy because of {} (only cnt, ahlt, argv, arge exist on macOS)", p.rejected.join(", ")));
                }
                (p.ahlt, p.arge, why.join("; "))
            }
            Setting::Missing => (false, false, "There is no policy line; auditd runs with cnt only, so exec records carry no command line.".into()),
            Setting::Invalid(e) => (false, false, format!("The policy line cannot be used ({e}).")),
        };
        let mut words = Vec::new();
        if !(ahlt && self.opts.ahlt == AhltVariant::FailStop) {
            words.push("cnt");
        }
        if ahlt {
            words.push("ahlt");
        }
        words.push("argv");
        if arge {
            words.push("arge");
        }
        let value = words.join(",");
        let mut warnings = Vec::new();
        if arge {
            warnings.push("arge is kept because it is already configured: it records the environment of every exec, which often holds tokens and passwords, and makes exec records several KiB larger".into());
        }
        self.set_plan(
            StepKind::Policy,
            "policy",
            &value,
            format!("policy: {value}"),
            capitalise(&why),
            bytes,
            warnings,
        )
    }

    fn current_rate(&self, view: &View) -> Range {
        cost::predict(None, view, self.classes, self.m).bytes_per_day
    }

    /// The configuration the goal ends at (flags only), for sizing storage before
    /// the classes are added.
    fn goal_rate(&self, bytes: &[u8], view: &View) -> Range {
        let mut value = view.raw_flags.clone().unwrap_or_default();
        if !matches!(view.flags, Setting::Valid(_)) {
            value = "lo,aa".into();
        }
        let mut items = goal_flags(self.target, &self.opts.tailoring);
        if self.target == Target::Next {
            items.retain(|i| *i != "na");
        }
        for item in items {
            let v = View::read(&edit::set_lf(bytes, "flags", &value), self.classes);
            if !list_covers(&v.flags, self.classes, item) {
                value = add_flag_item(&value, item, self.classes);
            }
        }
        let goal = View::read(&edit::set_lf(bytes, "flags", &value), self.classes);
        let now = self.current_rate(view);
        let goal = self.current_rate(&goal);
        if goal.typical > now.typical {
            goal
        } else {
            now
        }
    }

    fn rotation(&self, bytes: &[u8], view: &View) -> Option<Plan> {
        let rate = self.goal_rate(bytes, view);
        let rec = recommended_filesz(rate.typical);
        let why = match view.filesz {
            Setting::Valid(0) => "filesz:0 never rotates the trail, and auditd only expires trails at a rotation: expire-after would never run.".to_string(),
            Setting::Valid(v) if (v as f64) < rec as f64 / 4.0 => format!(
                "At about {}/day ({}) a {} trail fills in {}: very frequent rotations and thousands of files; expiry works on whole files, so about one file per hour is enough.",
                human_bytes(rate.typical),
                self.source_label(),
                cost_size(v),
                cost::days_text(v as f64 / rate.typical.max(1.0))
            ),
            Setting::Valid(v) if v as f64 > rec as f64 * 4.0 && v > (64 << 20) => format!(
                "A {} trail holds about {} of events at this rate: expiry can only delete whole files, so retention becomes coarse and the active trail large.",
                cost_size(v),
                cost::days_text(v as f64 / rate.typical.max(1.0))
            ),
            Setting::Valid(_) => return None,
            Setting::Missing => "There is no filesz line: the kernel never rotates by size, so expiry only runs when something else rotates the trail.".to_string(),
            Setting::Invalid(ref e) => format!("filesz cannot be used ({e})."),
        };
        let value = earshot_compliance::retention::format_size(rec);
        self.set_plan(
            StepKind::Rotation,
            "filesz",
            &value,
            format!("filesz: rotate at {value}"),
            why,
            bytes,
            vec![],
        )
    }

    fn source_label(&self) -> &'static str {
        if self.m.classes.is_empty() {
            "reference figures"
        } else {
            "measured where available"
        }
    }

    fn retention(&self, bytes: &[u8], view: &View) -> Option<Plan> {
        if let Some(odv) = target_odv_retention(self.target, &self.opts.tailoring) {
            let odv_exp = earshot_compliance::parse_expiry(&odv)?;
            let ok = matches!(&view.expire_after, Setting::Valid(e) if !e.never_deletes() && e.retains_at_least(&odv_exp).is_ok());
            if ok {
                return None;
            }
            let why = format!(
                "{} requires audit records to be kept at least `{odv}` before deletion (ODV of audit_retention_configure). Written exactly as the ODV so mSCP's literal check passes too.",
                match self.target {
                    Target::Baseline(b) => b.title(),
                    Target::Next => "",
                }
            );
            let mut warnings = Vec::new();
            let rate = self.goal_rate(bytes, view);
            if let Some(h) = odv_exp.history_days(rate.typical) {
                if h < 7.0 {
                    warnings.push(format!(
                        "at about {}/day the size part of `{odv}` keeps only {}",
                        human_bytes(rate.typical),
                        cost::days_text(h)
                    ));
                }
            }
            return self.set_plan(
                StepKind::Retention,
                "expire-after",
                &odv,
                format!("expire-after: {odv}"),
                why,
                bytes,
                warnings,
            );
        }
        let minfree = view.minfree.valid().copied().unwrap_or(5);
        let budget = trail_budget(self.m.disk, minfree);
        let rate = self.goal_rate(bytes, view);
        let rec = Expiry {
            age_secs: Some(60 * 86_400),
            size_bytes: Some(budget),
            op: earshot_compliance::Op::Or,
        };
        let why = match &view.expire_after {
            Setting::Valid(e) if !e.never_deletes() => {
                let h = e.history_days(rate.typical).unwrap_or(f64::INFINITY);
                let h_busy = e.history_days(rate.high).unwrap_or(f64::INFINITY);
                let steady = e.steady_bytes(rate.high).unwrap_or(f64::INFINITY);
                let rec_h = rec.history_days(rate.typical).unwrap_or(0.0);
                let rec_busy = rec.history_days(rate.high).unwrap_or(0.0);
                if h < 7.0 && rec_h > h * 1.5 {
                    format!("expire-after {e} keeps only about {} at about {}/day: too short to investigate anything found a week later.", cost::days_text(h), human_bytes(rate.typical))
                } else if h_busy < 2.0 && rec_busy > h_busy * 1.5 {
                    format!("expire-after {e} keeps about {} on a typical day but only {} on a busy one ({}/day): evidence of an incident on a busy day would be gone by the next morning.", cost::days_text(h), cost::days_text(h_busy), human_bytes(rate.high))
                } else if steady > budget as f64 * 2.0 {
                    format!("expire-after {e} lets trails grow to about {} on a busy day, more than the {} budget for this volume.", human_bytes(steady), cost_size(budget))
                } else {
                    return None;
                }
            }
            Setting::Valid(_) => "expire-after never deletes anything: trails grow until the volume hits minfree, and with cnt auditing then stops recording.".to_string(),
            Setting::Missing => "There is no expire-after line: trails are never deleted and eventually fill the volume.".to_string(),
            Setting::Invalid(e) => format!("expire-after cannot be parsed ({e}): auditd never expires anything."),
        };
        let value = rec.to_string();
        let mut warnings = vec![format!(
            "OR: a trail is deleted once it is older than 60 days or once all trails together exceed {} — whichever comes first. The size budget is {}.",
            cost_size(budget),
            if self.m.disk.is_some() { "10% of the volume, at most half the free room above minfree" } else { "CIS's 5G (volume size unknown)" }
        )];
        if let Some(h) = rec.history_days(rate.typical) {
            if h < 7.0 {
                warnings.push(format!("at about {}/day only {} fit in the budget: consider fewer classes or a larger/dedicated volume", human_bytes(rate.typical), cost::days_text(h)));
            }
        }
        self.set_plan(
            StepKind::Retention,
            "expire-after",
            &value,
            format!("expire-after: {value}"),
            why,
            bytes,
            warnings,
        )
    }

    fn minfree(&self, bytes: &[u8], view: &View) -> Option<Plan> {
        let (value, why) = match (target_odv_minfree(self.target, &self.opts.tailoring), &view.minfree) {
            (Some(odv), Setting::Valid(v)) if *v >= odv && *v <= 50 => return None,
            (Some(odv), _) => (
                odv,
                format!("{} asks for a warning while {odv}% of the volume is still free (audit_configure_capacity_notify, AU-5(1)). At {odv}% the kernel's low-space trigger also fires at exactly {odv}%.", match self.target { Target::Baseline(b) => b.title(), Target::Next => "" }),
            ),
            (None, Setting::Valid(v)) if (1..=50).contains(v) => return None,
            (None, Setting::Valid(0)) => (5, "minfree:0 turns the low-space warning off: the first sign of a full disk would be auditing stopping.".to_string()),
            (None, Setting::Valid(v)) => (5, format!("minfree:{v} is above 50%: the kernel's integer threshold becomes 100% and the low-space trigger fires continuously.")),
            (None, Setting::Missing) => (5, "There is no minfree line: upstream auditd cannot start a trail without it.".to_string()),
            (None, Setting::Invalid(e)) => (5, format!("minfree cannot be used ({e}).")),
        };
        let v = value.to_string();
        self.set_plan(
            StepKind::Minfree,
            "minfree",
            &v,
            format!("minfree: {v}%"),
            why,
            bytes,
            vec![],
        )
    }

    fn add_flag(
        &self,
        bytes: &[u8],
        view: &View,
        item: &str,
        why: String,
        warnings: Vec<String>,
    ) -> Option<Plan> {
        if list_covers(&view.flags, self.classes, item) {
            return None;
        }
        let value = add_flag_item(view.raw_flags.as_deref().unwrap_or(""), item, self.classes);
        self.set_plan(
            StepKind::AddFlag,
            "flags",
            &value,
            format!("flags: add {item}"),
            why,
            bytes,
            warnings,
        )
    }

    fn add_ad(&self, bytes: &[u8], view: &View) -> Option<Plan> {
        if !goal_flags(self.target, &self.opts.tailoring).contains(&"ad") {
            return None;
        }
        self.add_flag(bytes, view, "ad", "Administrative actions (ad): time changes, mounts, audit configuration itself, privileged system calls. Required by CIS Level 2, the STIG and 800-53 (AU-2, AC-6(9)); usually the next-cheapest class after lo,aa, though sandbox-related mac_syscall events can make it busy on some Macs.".into(), vec![])
    }

    fn naflags_na(&self, bytes: &[u8], view: &View) -> Option<Plan> {
        if self.target != Target::Next || list_covers(&view.naflags, self.classes, "na") {
            return None;
        }
        let Setting::Valid(_) = view.naflags else {
            return None;
        };
        let value = add_flag_item(
            view.raw_naflags.as_deref().unwrap_or(""),
            "na",
            self.classes,
        );
        self.set_plan(
            StepKind::NaflagsNa,
            "naflags",
            &value,
            format!("naflags: add na ({value})"),
            "The na class holds the events that never have a user: system boot, inetd connections, mountd mounts/unmounts. They are rare and only naflags (not flags) preselects them.".into(),
            bytes,
            vec![
                "Be careful with naflags beyond lo,aa,na: it applies to every process without an audit user — most launchd daemons — so adding busy classes there (file or process classes) multiplies the volume far more than in flags.".into(),
                "Putting na in flags instead (a common mistake) does nothing useful and is reported as risk na-in-flags.".into(),
            ],
        )
    }

    fn more_classes(&self, bytes: &[u8], view: &View) -> Option<Plan> {
        let missing: Vec<&str> = goal_flags(self.target, &self.opts.tailoring)
            .into_iter()
            .filter(|i| !matches!(*i, "lo" | "aa" | "ad"))
            .filter(|i| !list_covers(&view.flags, self.classes, i))
            .collect();
        // Cheapest first: each soak then learns the most for the least disk.
        let mut costed: Vec<(f64, &str)> = missing
            .iter()
            .map(|item| {
                let v = add_flag_item(view.raw_flags.as_deref().unwrap_or(""), item, self.classes);
                let after = View::read(&edit::set_lf(bytes, "flags", &v), self.classes);
                (self.current_rate(&after).typical, *item)
            })
            .collect();
        costed.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (_, item) = *costed.first()?;
        let (why, warnings) = class_reason(item, self.target);
        self.add_flag(bytes, view, item, why, warnings)
    }

    fn failure_halt(&self, bytes: &[u8], view: &View) -> Option<Plan> {
        if !target_wants_ahlt(self.target, &self.opts.tailoring) {
            return None;
        }
        let (cnt, arge) = match &view.policy {
            Setting::Valid(p) if p.ahlt && p.rejected.is_empty() => return None,
            Setting::Valid(p) => (p.cnt, p.arge),
            _ => (true, false),
        };
        let _ = cnt;
        let with = |keep_cnt: bool| {
            let mut w = Vec::new();
            if keep_cnt {
                w.push("cnt");
            }
            w.push("ahlt");
            w.push("argv");
            if arge {
                w.push("arge");
            }
            w.join(",")
        };
        let (primary, secondary) = match self.opts.ahlt {
            AhltVariant::KeepCnt => (with(true), with(false)),
            AhltVariant::FailStop => (with(false), with(true)),
        };
        let why = format!(
            "{} includes audit_failure_halt (AU-5): the system must stop rather than run unaudited. On macOS `ahlt` makes the kernel PANIC on any error writing the trail (an I/O error, a vanished volume) — the Mac reboots, unsaved work is lost. With `cnt` kept, a full audit volume still only drops records and suspends auditing; without `cnt` a full volume also blocks every audited process and then panics.",
            match self.target {
                Target::Baseline(b) => b.title(),
                Target::Next => "",
            }
        );
        let warnings = vec![
            "mSCP's own fix writes `policy: ahlt,argv` — the blank after the colon makes libbsm reject the list, so auditd falls back to cnt and ahlt is NOT applied, while mSCP's check still passes. Earshot writes a valid list.".to_string(),
            "Keep minfree and expire-after sized so the volume never fills, and watch for I/O errors on the trail volume.".to_string(),
        ];
        let mut plan = self.set_plan(
            StepKind::FailureHalt,
            "policy",
            &primary,
            format!("policy: {primary} (halt on audit failure)"),
            why,
            bytes,
            warnings,
        )?;
        let alt_after = edit::set(bytes, "policy", &secondary, self.classes);
        let before_view = View::read(bytes, self.classes);
        let alt_view = View::read(&alt_after, self.classes);
        plan.alternatives.push(Alternative {
            title: format!("policy: {secondary}"),
            explanation: if secondary.starts_with("cnt") {
                "keeps cnt: a full volume drops records instead of panicking; ahlt still panics on write errors".into()
            } else {
                "fail-stop: without cnt a full audit volume blocks audited processes and panics the kernel — strictly 'no unaudited operation', at the price of availability".into()
            },
            after: String::from_utf8_lossy(&alt_after).into_owned(),
            diff: diff(Some(&before_view), &alt_view, self.classes),
            risks: risks(Some(&before_view), &alt_view, self.classes),
        });
        Some(plan)
    }

    fn arge(&self, bytes: &[u8], view: &View) -> Option<Plan> {
        if !self.opts.want_arge {
            return None;
        }
        let Setting::Valid(p) = &view.policy else {
            return None;
        };
        if p.arge {
            return None;
        }
        let mut words = p.clone();
        words.arge = true;
        let value = policy_words(&words);
        self.set_plan(
            StepKind::Arge,
            "policy",
            &value,
            format!("policy: {value} (record exec environments)"),
            "You asked for the environment of every exec. It shows e.g. DYLD_* injection or proxy variables, but it is the riskiest policy word for privacy.".into(),
            bytes,
            vec![format!("each exec record grows by about {} KiB", cost::ARGE_BYTES / 1024.0)],
        )
    }

    fn spell_out(&self, bytes: &[u8], view: &View) -> Option<Plan> {
        self.spell_out_flags(bytes, view)
            .or_else(|| self.spell_out_value(bytes, view, "expire-after"))
            .or_else(|| self.spell_out_value(bytes, view, "minfree"))
    }

    /// Flags tokens for the auditor's literal scanner: exact duplicates dropped (mSCP
    /// wants each token exactly once) and tokens that `all`/`-all` already cover
    /// spelled out — only when what is audited stays exactly the same.
    fn spell_out_flags(&self, bytes: &[u8], view: &View) -> Option<Plan> {
        let Target::Baseline(b) = self.target else {
            return None;
        };
        let Setting::Valid(list) = &view.flags else {
            return None;
        };
        let raw = view.raw_flags.clone().unwrap_or_default();
        let mut tokens: Vec<String> = Vec::new();
        let mut dropped = Vec::new();
        for it in &list.items {
            // `raw` is the lossy text of the parsed bytes; with invalid UTF-8 the
            // offsets would not match, so give up instead of guessing.
            let t = raw.get(it.start..it.end)?.to_string();
            if tokens.contains(&t) {
                dropped.push(t);
            } else {
                tokens.push(t);
            }
        }
        let mut value = tokens.join(",");
        let mut added = Vec::new();
        for (rule, _) in b.rules() {
            if let RuleKind::Flag {
                pattern,
                class,
                success,
                failure,
            } = rule.kind
            {
                let n = mscp::flag_matches(&edit::set_lf(bytes, "flags", &value), pattern).len();
                if n == 0 {
                    let item = match (success, failure) {
                        (true, true) => class.to_string(),
                        (true, false) => format!("+{class}"),
                        _ => format!("-{class}"),
                    };
                    value = format!("{value},{item}");
                    added.push(item);
                }
            }
        }
        if added.is_empty() && dropped.is_empty() {
            return None;
        }
        let after = edit::set(bytes, "flags", &value, self.classes);
        let after_view = View::read(&after, self.classes);
        // Only when nothing changes in meaning: this is about the auditor's scanner.
        let same = matches!(&after_view.flags, Setting::Valid(l) if l.mask == list.mask);
        if !same {
            return None;
        }
        let mut what = Vec::new();
        if !added.is_empty() {
            what.push(format!("spell out {}", added.join(",")));
        }
        if !dropped.is_empty() {
            what.push(format!("drop the repeated {}", dropped.join(",")));
        }
        Some(self.plan(
            StepKind::SpellOutForMscp,
            "flags",
            format!("flags: {} for mSCP's literal check", what.join(" and ")),
            "What is audited stays exactly the same. mSCP's checks count literal tokens: they do not recognise `all`/`-all` and want every token exactly once, so an auditor running them would see failures that are not real.".into(),
            Some(bytes),
            after,
            vec![],
        ))
    }

    /// `expire-after` / `minfree` that already mean the ODV but are spelled so mSCP's
    /// text comparison fails (a blank after the colon, `25%`, `60d or 5G`): rewrite the
    /// line as the exact ODV text.
    fn spell_out_value(&self, bytes: &[u8], view: &View, key: &'static str) -> Option<Plan> {
        let (odv, same) = match key {
            "expire-after" => {
                let odv = target_odv_retention(self.target, &self.opts.tailoring)?;
                let want = earshot_compliance::parse_expiry(&odv)?;
                (odv.to_string(), view.expire_after.valid() == Some(&want))
            }
            _ => {
                let odv = target_odv_minfree(self.target, &self.opts.tailoring)?;
                (odv.to_string(), view.minfree.valid() == Some(&odv))
            }
        };
        if !same {
            return None;
        }
        let raw = if key == "minfree" {
            view.raw_minfree.clone()
        } else {
            view.raw_expire_after.clone()
        };
        if raw.as_deref() == Some(odv.as_str()) {
            return None;
        }
        self.set_plan(
            StepKind::SpellOutForMscp,
            key,
            &odv,
            format!("{key}: write `{odv}` exactly for mSCP's literal check"),
            format!("`{}` already means `{odv}` to auditd, but mSCP compares the text after the colon with the ODV string, so its check fails. Same meaning, exact spelling.", raw.unwrap_or_default()),
            bytes,
            vec![],
        )
    }
}

/// First letter upper-case, a full stop at the end (once).
fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => {
            let mut out = format!("{}{}", f.to_uppercase(), c.as_str());
            if !out.ends_with('.') {
                out.push('.');
            }
            out
        }
        None => String::new(),
    }
}

fn cost_size(b: u64) -> String {
    earshot_compliance::retention::format_size(b)
}

fn policy_words(p: &earshot_compliance::PolicyView) -> String {
    let mut w = Vec::new();
    for (on, n) in [
        (p.cnt, "cnt"),
        (p.ahlt, "ahlt"),
        (p.argv, "argv"),
        (p.arge, "arge"),
    ] {
        if on {
            w.push(n);
        }
    }
    w.join(",")
}

/// Why a class is worth its cost, and what to watch.
fn class_reason(item: &str, target: Target) -> (String, Vec<String>) {
    let who = match target {
        Target::Baseline(b) => format!("Required by {}.", b.title()),
        Target::Next => String::new(),
    };
    let (what, warn): (&str, Vec<String>) = match item {
        "-ex" => ("Failed program executions (-ex): attempts to run something the user may not run. Rare on a healthy Mac.", vec!["-ex does not cover posix_spawn (class pc only in the shipped audit_event), which most macOS launches use.".into()]),
        "-fr" => ("Failed file reads (-fr): permission-denied opens — probing for secrets shows up here. Busier than it sounds: apps probe many files they cannot read.", vec![]),
        "-fw" => ("Failed file writes (-fw): denied writes and truncations, e.g. tampering attempts on protected files.", vec![]),
        "-fm" => ("Failed attribute changes (-fm): denied chmod/chown/xattr changes.", vec![]),
        "-fd" => ("Failed deletions (-fd): denied unlink/rmdir.", vec![]),
        "fm" => ("All attribute changes (fm, success and failure), as the STIG requires: chmod, chown, utimes, xattrs.", vec!["fm records every successful attribute change — Spotlight, backups and sync clients make this the most expensive step of the STIG (mSCP switched 800-53 to -fm for this reason, issue #73).".into()]),
        _ => ("Additional class required by the target.", vec![]),
    };
    (format!("{what} {who}").trim().to_string(), warn)
}

/// Key-level changes with their meaning.
pub fn diff(before: Option<&View>, after: &View, classes: &ClassTable) -> Vec<Change> {
    let mut out = Vec::new();
    let b = before;
    let raw = |v: Option<&View>, k: &str| -> Option<String> {
        let v = v?;
        match k {
            "flags" => v.raw_flags.clone(),
            "naflags" => v.raw_naflags.clone(),
            "policy" => v.raw_policy.clone(),
            "minfree" => v.raw_minfree.clone(),
            "filesz" => v.raw_filesz.clone(),
            "expire-after" => v.raw_expire_after.clone(),
            "dir" => (!v.dirs.is_empty()).then(|| v.dirs.join(", ")),
            _ => None,
        }
    };
    for key in [
        "dir",
        "flags",
        "naflags",
        "policy",
        "filesz",
        "expire-after",
        "minfree",
    ] {
        let (old, new) = (raw(b, key), raw(Some(after), key));
        if old == new && b.is_some() {
            continue;
        }
        if b.is_none() && new.is_none() {
            continue;
        }
        let meaning = match key {
            "flags" | "naflags" => {
                let mask = |v: Option<&View>| {
                    v.and_then(|v| {
                        if key == "flags" {
                            v.flags.valid()
                        } else {
                            v.naflags.valid()
                        }
                    })
                    .map(|l| l.mask)
                };
                let (m0, m1) = (mask(b), mask(Some(after)));
                match m1 {
                    Some(m1) => {
                        let added = audit_control::ClassMask {
                            success: m1.success & !m0.map(|m| m.success).unwrap_or(0),
                            failure: m1.failure & !m0.map(|m| m.failure).unwrap_or(0),
                        };
                        let removed = audit_control::ClassMask {
                            success: m0.map(|m| m.success).unwrap_or(0) & !m1.success,
                            failure: m0.map(|m| m.failure).unwrap_or(0) & !m1.failure,
                        };
                        let mut parts = vec![format!("now audits {}", format_mask(m1, classes))];
                        if added != audit_control::ClassMask::NONE {
                            parts.push(format!("adds {}", format_mask(added, classes)));
                        }
                        if removed != audit_control::ClassMask::NONE {
                            parts.push(format!("removes {}", format_mask(removed, classes)));
                        }
                        if key == "flags" {
                            parts.push("for sessions that start after the change".into());
                        } else {
                            parts.push("for processes without an audit user, at `audit -s`".into());
                        }
                        parts.join("; ")
                    }
                    None => "the new value is not usable".into(),
                }
            }
            "policy" => match after.policy.valid() {
                Some(p) => {
                    let mut s = vec![format!("policy {}", policy_words(p))];
                    if !p.cnt {
                        s.push(
                            "fail-stop: a full volume blocks audited processes and panics".into(),
                        );
                    }
                    if p.ahlt {
                        s.push("panics on trail write errors".into());
                    }
                    if p.argv {
                        s.push("exec command lines recorded".into());
                    }
                    if p.arge {
                        s.push("exec environments recorded".into());
                    }
                    s.join("; ")
                }
                None => "not usable: auditd forces cnt".into(),
            },
            "filesz" => match after.filesz.valid() {
                Some(0) => "never rotate by size".into(),
                Some(v) => format!("rotate the trail at {}", cost_size(*v)),
                None => "not usable".into(),
            },
            "expire-after" => match after.expire_after.valid() {
                Some(e) if e.never_deletes() => "never expire trails".into(),
                Some(e) => format!("delete closed trails when {}", expiry_words(e)),
                None => "not usable: nothing expires".into(),
            },
            "minfree" => match after.minfree.valid() {
                Some(p) => format!(
                    "warn (audit_warn soft) below {p}% free; kernel low-space trigger below {:.1}%",
                    earshot_compliance::kernel_threshold(*p)
                ),
                None => "not usable".into(),
            },
            _ => "trail folders change (the next trail opens in the first usable one)".into(),
        };
        out.push(Change {
            key: key.to_string(),
            before: old,
            after: new,
            meaning,
        });
    }
    out
}

fn expiry_words(e: &Expiry) -> String {
    let age = e.age_secs.map(|a| {
        format!(
            "older than {}",
            earshot_compliance::retention::format_age(a)
        )
    });
    let size = e
        .size_bytes
        .map(|s| format!("all trails together exceed {}", cost_size(s)));
    match (age, size) {
        (Some(a), Some(s)) => match e.op {
            earshot_compliance::Op::Or => format!("{a} OR {s} (whichever first)"),
            earshot_compliance::Op::And => format!("{a} AND {s} (both)"),
        },
        (Some(a), None) => a,
        (None, Some(s)) => s,
        (None, None) => "never".into(),
    }
}

/// Risks of going from `before` to `after` that need an acknowledgement.
pub fn risks(before: Option<&View>, after: &View, classes: &ClassTable) -> Vec<Risk> {
    let mut out = Vec::new();
    // Effective policy: an unusable list means cnt alone.
    let eff = |v: Option<&View>| -> earshot_compliance::PolicyView {
        match v.map(|v| &v.policy) {
            Some(Setting::Valid(p)) => p.clone(),
            _ => earshot_compliance::PolicyView {
                cnt: true,
                ..Default::default()
            },
        }
    };
    let (p0, p1) = (eff(before), eff(Some(after)));
    if p0.cnt && !p1.cnt {
        out.push(Risk { id: "drop-cnt".into(), message: "without cnt, a full audit volume blocks every audited process and then panics the kernel".into() });
    }
    if !p0.ahlt && p1.ahlt {
        out.push(Risk { id: "add-ahlt".into(), message: "ahlt: any error writing the audit trail panics the kernel (the Mac reboots, unsaved work is lost)".into() });
    }
    if !p0.arge && p1.arge {
        out.push(Risk { id: "add-arge".into(), message: "arge records every exec's environment — often tokens and passwords — and enlarges exec records by kilobytes".into() });
    }
    let na = classes.mask_of("na").unwrap_or(0);
    let has_na = |v: Option<&View>| {
        v.and_then(|v| v.flags.valid())
            .map(|l| (l.mask.success | l.mask.failure) & na != 0)
            .unwrap_or(false)
    };
    if na != 0 && !has_na(before) && has_na(Some(after)) {
        out.push(Risk { id: "na-in-flags".into(), message: "na in flags has no useful effect (non-attributable events are preselected by naflags)".into() });
    }
    if let Setting::Valid(p) = after.minfree {
        if p > 50 {
            out.push(Risk {
                id: "minfree-out-of-range".into(),
                message: format!(
                    "minfree {p}% makes the kernel's low-space trigger fire continuously"
                ),
            });
        }
    } else if matches!(after.minfree, Setting::Invalid(_)) {
        out.push(Risk {
            id: "minfree-out-of-range".into(),
            message: "minfree is not usable: auditd may not open a trail".into(),
        });
    }
    if after.filesz.valid() == Some(&0) && before.and_then(|b| b.filesz.valid()) != Some(&0) {
        out.push(Risk {
            id: "filesz-zero".into(),
            message: "filesz:0 never rotates, so expire-after never runs".into(),
        });
    }
    let deletes = |v: Option<&View>| {
        v.and_then(|v| v.expire_after.valid())
            .map(|e| !e.never_deletes())
            .unwrap_or(false)
    };
    if before.is_some() && deletes(before) && !deletes(Some(after)) {
        out.push(Risk {
            id: "no-expire-after".into(),
            message: "trails will no longer be expired: they grow until the volume reaches minfree"
                .into(),
        });
    }
    if let (Some(b), Some(e1)) = (before, after.expire_after.valid()) {
        // Only when the new setting is strictly more aggressive (everything the old
        // one deleted, plus more): that is when trails kept so far disappear.
        let never = Expiry {
            age_secs: None,
            size_bytes: None,
            op: earshot_compliance::Op::Or,
        };
        let e0 = b.expire_after.valid().copied().unwrap_or(never);
        if !e1.never_deletes()
            && e0.retains_at_least(e1).is_ok()
            && e1.retains_at_least(&e0).is_err()
        {
            out.push(Risk { id: "expire-shortens".into(), message: format!("at the next rotation auditd deletes trails the old setting kept (new: {e1}); deleted trails cannot be recovered — export them first if they matter") });
        }
    }
    if let Some(b) = before {
        if b.dirs != after.dirs {
            out.push(Risk { id: "dir-change".into(), message: "trail folders change: check the new folder exists, is root:wheel 0700 and has room".into() });
        }
    }
    out
}

/// audit-control's wording of a change, as the model carries it.
pub fn semantic_change(c: &audit_control::Change) -> SemanticChange {
    SemanticChange {
        key: c.key.clone(),
        text: c.text.clone(),
        risks: c
            .risks
            .iter()
            .map(|r| Risk {
                id: r.id.to_string(),
                message: r.message.clone(),
            })
            .collect(),
    }
}
