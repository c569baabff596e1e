//! Semantic diff: what changed in *meaning* between two readings of
//! `audit_control`, in plain words, with stable risk identifiers.

use serde::Serialize;

use crate::flags::{format_mask, ClassMask, FlagsList};
use crate::reading::{describe_expire, AuditControl, EffectivePolicy, Setting};
use crate::tables::ClassTable;
use crate::values::{ExpireAfter, Minfree, Policy};

/// Stable risk identifiers (the helper and the app key on these).
pub mod risk {
    /// `cnt` removed: a full audit disk stops the system (fail-stop).
    pub const DROP_CNT: &str = "drop-cnt";
    /// `ahlt` added: the kernel panics on any audit write error.
    pub const ADD_AHLT: &str = "add-ahlt";
    /// `arge` added: environment variables (often secrets) are recorded.
    pub const ADD_ARGE: &str = "add-arge";
    /// `na` added to `flags` (it belongs in `naflags`).
    pub const NA_IN_FLAGS: &str = "na-in-flags";
    /// `minfree` moved outside 5–50.
    pub const MINFREE_OUT_OF_RANGE: &str = "minfree-out-of-range";
    /// `filesz` set to 0: no size rotation (and so rarely any expiry).
    pub const FILESZ_ZERO: &str = "filesz-zero";
    /// `expire-after` removed, invalid, or never deleting.
    pub const NO_EXPIRE_AFTER: &str = "no-expire-after";
    /// The trail directories changed.
    pub const DIR_CHANGE: &str = "dir-change";
}

/// A risk attached to a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Risk {
    pub id: &'static str,
    pub message: String,
}

/// One change in meaning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub key: String,
    /// e.g. "flags: +ad", "expire-after: 10M → 60d OR 5G".
    pub text: String,
    pub risks: Vec<Risk>,
}

fn show<T>(s: &Setting<T>, f: impl Fn(&T) -> String) -> String {
    match s {
        Setting::Missing => "(not set)".to_string(),
        Setting::NoValue { .. } => "(no value)".to_string(),
        Setting::Invalid { value, .. } => format!("`{}` (invalid)", value.escape_debug()),
        Setting::Valid { value, .. } => f(value),
    }
}

fn class_list(bits: u32, classes: &ClassTable) -> Vec<String> {
    let mut names: Vec<String> = classes
        .names_in(bits)
        .iter()
        .map(|s| (*s).to_string())
        .collect();
    let covered = classes
        .names_in(bits)
        .iter()
        .filter_map(|n| classes.mask_of(n))
        .fold(0u32, |a, b| a | b);
    let rest = bits & !covered & !crate::tables::RESERVED_CLASS_MASK;
    if rest != 0 && bits != u32::MAX {
        names.push(format!("0x{rest:08x}"));
    }
    names
}

/// "+ad, −fr on failure, +lo on success" between two masks.
fn mask_delta(old: ClassMask, new: ClassMask, classes: &ClassTable) -> String {
    let added_s = new.success & !old.success;
    let added_f = new.failure & !old.failure;
    let removed_s = old.success & !new.success;
    let removed_f = old.failure & !new.failure;
    let mut parts = Vec::new();
    let mut emit = |sign: &str, s: u32, f: u32| {
        let both = s & f;
        for n in class_list(both, classes) {
            parts.push(format!("{sign}{n}"));
        }
        for n in class_list(s & !both, classes) {
            parts.push(format!("{sign}{n} on success"));
        }
        for n in class_list(f & !both, classes) {
            parts.push(format!("{sign}{n} on failure"));
        }
    };
    emit("+", added_s, added_f);
    emit("−", removed_s, removed_f);
    parts.join(", ")
}

fn flags_change(
    key: &str,
    old: &Setting<FlagsList>,
    new: &Setting<FlagsList>,
    classes: &ClassTable,
) -> Option<Change> {
    let fmt = |l: &FlagsList| format_mask(l.mask, classes);
    let mut risks = Vec::new();
    let text = match (old.value(), new.value()) {
        (Some(a), Some(b)) if a.mask == b.mask => return None,
        (Some(a), Some(b)) => format!("{key}: {}", mask_delta(a.mask, b.mask, classes)),
        (None, None) if show(old, fmt) == show(new, fmt) => return None,
        _ => {
            let consequence = match (new.value(), key) {
                (None, "flags") => " — login sessions get no audit mask from audit_control",
                (None, _) => " — auditd leaves the kernel's non-attributable mask unchanged",
                _ => "",
            };
            format!(
                "{key}: {} → {}{consequence}",
                show(old, fmt),
                show(new, fmt)
            )
        }
    };
    if key == "flags" {
        let na = classes.mask_of("na").unwrap_or(0x400);
        let had = old
            .value()
            .is_some_and(|l| (l.mask.success | l.mask.failure) & na != 0);
        let has = new
            .value()
            .is_some_and(|l| (l.mask.success | l.mask.failure) & na != 0);
        if has && !had && na != 0 {
            risks.push(Risk {
                id: risk::NA_IN_FLAGS,
                message: "`na` in flags does nothing for user sessions; non-attributable events are selected by naflags".into(),
            });
        }
    }
    Some(Change {
        key: key.to_string(),
        text,
        risks,
    })
}

fn policy_view(ac: &AuditControl) -> (String, Option<Policy>) {
    match ac.effective_policy() {
        EffectivePolicy::Applied { policy } => (policy.words().join(","), Some(policy)),
        EffectivePolicy::KernelKeepsPrevious { policy } => (
            format!(
                "{} (refused by the kernel; previous policy kept)",
                policy.words().join(",")
            ),
            None,
        ),
        EffectivePolicy::ForcedCnt => (
            format!(
                "{} → auditd forces cnt",
                show(ac.policy_setting(), |p| p.words().join(","))
            ),
            Some(Policy::cnt_only()),
        ),
    }
}

fn policy_change(old: &AuditControl, new: &AuditControl) -> Option<Change> {
    let (old_text, old_p) = policy_view(old);
    let (new_text, new_p) = policy_view(new);
    let mut risks = Vec::new();
    let text = match (&old_p, &new_p) {
        (Some(a), Some(b)) => {
            let mut parts = Vec::new();
            let words = [
                ("cnt", a.cnt, b.cnt),
                ("ahlt", a.ahlt, b.ahlt),
                ("argv", a.argv, b.argv),
                ("arge", a.arge, b.arge),
            ];
            for (w, was, is) in words {
                let part = match (w, was, is) {
                    ("cnt", true, false) => {
                        risks.push(Risk { id: risk::DROP_CNT, message: "without cnt a full or failing audit disk blocks audited processes and panics the kernel".into() });
                        "−cnt — a full disk now halts auditing and suspends processes"
                    }
                    ("cnt", false, true) => "+cnt — a full disk no longer stops the system (records are dropped instead)",
                    ("ahlt", false, true) => {
                        risks.push(Risk { id: risk::ADD_AHLT, message: "ahlt makes the kernel panic and the Mac reboot on any audit write error".into() });
                        "+ahlt — any audit write error now panics the kernel"
                    }
                    ("ahlt", true, false) => "−ahlt — audit write errors no longer panic the kernel",
                    ("argv", false, true) => "+argv — command-line arguments are recorded",
                    ("argv", true, false) => "−argv — command-line arguments are no longer recorded",
                    ("arge", false, true) => {
                        risks.push(Risk { id: risk::ADD_ARGE, message: "arge records environment variables, which often hold tokens and passwords".into() });
                        "+arge — environment variables are recorded (they often contain secrets)"
                    }
                    ("arge", true, false) => "−arge — environment variables are no longer recorded",
                    _ => continue,
                };
                parts.push(part);
            }
            if parts.is_empty() {
                if old_text == new_text {
                    return None;
                }
                format!("policy: {old_text} → {new_text} (same effect)")
            } else {
                format!("policy: {}", parts.join("; "))
            }
        }
        _ if old_text == new_text => return None,
        _ => format!("policy: {old_text} → {new_text}"),
    };
    Some(Change {
        key: "policy".into(),
        text,
        risks,
    })
}

fn simple<T: PartialEq>(
    key: &str,
    old: &Setting<T>,
    new: &Setting<T>,
    f: impl Fn(&T) -> String + Copy,
) -> Option<String> {
    let (a, b) = (show(old, f), show(new, f));
    match (old.value(), new.value()) {
        (Some(x), Some(y)) if x == y => None,
        _ if a == b => None,
        _ => Some(format!("{key}: {a} → {b}")),
    }
}

fn minfree_text(m: &Minfree) -> String {
    if m.percent > 0 && (m.kernel_threshold_percent - f64::from(m.percent)).abs() > 1e-9 {
        format!(
            "{} (kernel trigger at {:.1} %)",
            m.percent, m.kernel_threshold_percent
        )
    } else {
        m.percent.to_string()
    }
}

fn filesz_text(b: &u64) -> String {
    if *b == 0 {
        "0 (no size-based rotation)".to_string()
    } else {
        crate::values::format_size(*b)
            .replace('B', " bytes")
            .trim()
            .to_string()
    }
}

fn expire_text(x: &ExpireAfter) -> String {
    if x.deletes_anything() {
        x.to_string()
    } else {
        format!("{x} ({})", describe_expire(x))
    }
}

/// What changed in meaning from `old` to `new` (both read the same way, e.g.
/// both Apple dialect). Class names come from `new`'s class table.
pub fn semantic_diff(old: &AuditControl, new: &AuditControl) -> Vec<Change> {
    let classes = new.classes();
    let mut out = Vec::new();

    let (od, nd) = (old.dirs(), new.dirs());
    if od != nd {
        let s = |v: &[String]| {
            if v.is_empty() {
                "(none)".to_string()
            } else {
                v.join(", ")
            }
        };
        out.push(Change {
            key: "dir".into(),
            text: format!("dir: {} → {}", s(&od), s(&nd)),
            risks: vec![Risk {
                id: risk::DIR_CHANGE,
                message: "new trails go to a different place; /var/audit/current stays where it is, and compliance checks assume /var/audit".into(),
            }],
        });
    }
    out.extend(flags_change(
        "flags",
        old.flags_setting(),
        new.flags_setting(),
        classes,
    ));
    out.extend(flags_change(
        "naflags",
        old.naflags_setting(),
        new.naflags_setting(),
        classes,
    ));
    if let Some(text) = simple(
        "minfree",
        old.minfree_setting(),
        new.minfree_setting(),
        minfree_text,
    ) {
        let mut risks = Vec::new();
        if new
            .minfree()
            .is_some_and(|m| !(5..=50).contains(&m.percent))
        {
            risks.push(Risk {
                id: risk::MINFREE_OUT_OF_RANGE,
                message: "minfree outside 5–50 % either warns too late or makes the kernel's low-space trigger fire constantly".into(),
            });
        }
        out.push(Change {
            key: "minfree".into(),
            text,
            risks,
        });
    }
    out.extend(policy_change(old, new));
    if let Some(text) = simple(
        "filesz",
        old.filesz_setting(),
        new.filesz_setting(),
        filesz_text,
    ) {
        let mut risks = Vec::new();
        if new.filesz() == Some(0) {
            risks.push(Risk {
                id: risk::FILESZ_ZERO,
                message: "with filesz 0 the trail never rotates by size, so expire-after rarely runs and one file grows without limit".into(),
            });
        }
        out.push(Change {
            key: "filesz".into(),
            text,
            risks,
        });
    }
    if let Some(mut text) = simple(
        "expire-after",
        old.expire_after_setting(),
        new.expire_after_setting(),
        expire_text,
    ) {
        let mut risks = Vec::new();
        let deletes = |ac: &AuditControl| ac.expire_after().is_some_and(|x| x.deletes_anything());
        if deletes(old) && !deletes(new) {
            text.push_str(" — old trails are no longer deleted");
            risks.push(Risk {
                id: risk::NO_EXPIRE_AFTER,
                message: "without a working expire-after, trails accumulate until the disk is full"
                    .into(),
            });
        }
        out.push(Change {
            key: "expire-after".into(),
            text,
            risks,
        });
    }
    if let Some(text) = simple("host", old.host_setting(), new.host_setting(), |h| {
        h.clone()
    }) {
        out.push(Change {
            key: "host".into(),
            text,
            risks: vec![],
        });
    }
    if let Some(text) = simple("qsize", old.qsize_setting(), new.qsize_setting(), |q| {
        q.to_string()
    }) {
        out.push(Change {
            key: "qsize".into(),
            text,
            risks: vec![],
        });
    }
    if let Some(text) = simple("dist", old.dist_setting(), new.dist_setting(), |d| {
        if *d {
            "on".into()
        } else {
            "off".into()
        }
    }) {
        out.push(Change {
            key: "dist".into(),
            text,
            risks: vec![],
        });
    }
    out
}
