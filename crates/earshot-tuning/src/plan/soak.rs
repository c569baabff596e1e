//! How long a step soaks, how it is doing meanwhile, and what the review
//! proposes after it (docs/tuning-guide.md, "Soaking").
//!
//! Pure logic over the step's record and what the trails measured; the
//! helper keeps the soak's state and calls these.

use audit_control::ClassTable;
use earshot_compliance::{Setting, View};
use earshot_model::plan::{Plan, StepKind};
use earshot_model::review::{AppliedStep, Review};

use super::cost::{days_text, Measurements, Side};
use super::{edit, human_bytes, Current, Ladder, PlanOptions, Target};

/// Events a soak should see of what a step adds before its rate is known to
/// ±15 % (95 % confidence for a Poisson count: (1.96 / 0.15)² ≈ 171).
pub const EVENTS_TO_MEASURE: f64 = 171.0;
/// The shortest soak: one whole daily cycle (a Mac is busy by day, idle by
/// night, and a step's cost is its daily volume).
pub const MIN_SOAK_DAYS: f64 = 1.0;
/// A step that adds classes soaks at least two days: one daily cycle and a
/// second to see it was not an unusual day.
pub const MIN_CLASS_SOAK_DAYS: f64 = 2.0;
/// The longest soak: two weeks (beyond that the user stops waiting).
pub const MAX_SOAK_DAYS: f64 = 14.0;

/// The rule of docs/tuning-guide.md: how long `plan` should soak, and why in
/// one sentence.
///
/// A step that adds no class (rotation, retention, minfree, policy) soaks one
/// day: its cost is the volume auditd already writes, measured over a whole
/// daily cycle. A step that adds class sides soaks until what it adds, at the
/// *low* end of its predicted rate, has been seen about 171 times (enough to
/// know the step's volume to ±15 %), and at least two days; longer than three
/// days rounds up to whole weeks (7, at most 14), so a weekly cycle (weekdays
/// against the weekend) is seen whole. A busy class is measured in two days, a
/// rare one takes a week or two.
pub fn soak_days(plan: &Plan) -> (f64, String) {
    let added: Vec<_> = plan.prediction.classes.iter().filter(|c| c.added).collect();
    if added.is_empty() {
        return (
            MIN_SOAK_DAYS,
            "adds no class: one daily cycle shows what the change costs".into(),
        );
    }
    let per_day: f64 = added.iter().map(|c| c.events_per_day.low.max(0.0)).sum();
    let mut names: Vec<String> = added
        .iter()
        .map(|c| {
            format!(
                "{}{}",
                if c.side == Side::Failure { "-" } else { "+" },
                c.class
            )
        })
        .collect();
    names.dedup();
    let names = names.join(",");
    let needed = if per_day > 0.0 {
        EVENTS_TO_MEASURE / per_day
    } else {
        f64::INFINITY
    };
    let raw = needed.ceil().max(MIN_CLASS_SOAK_DAYS);
    let days = if raw <= 3.0 {
        raw
    } else if raw <= 7.0 {
        7.0
    } else {
        MAX_SOAK_DAYS
    };
    let why = if per_day > 0.0 {
        format!(
            "it adds {names}, expected at {} events a day at least: {:.0} events (the step's volume to ±15 %) take {}{}",
            count_text(per_day),
            EVENTS_TO_MEASURE,
            if needed >= 1.0 {
                format!("{needed:.1} days")
            } else {
                days_text(needed.max(1.0 / 24.0))
            },
            if days > raw {
                ", rounded up to whole weeks"
            } else if needed < MIN_CLASS_SOAK_DAYS {
                "; at least two daily cycles"
            } else {
                ""
            }
        )
    } else {
        format!("it adds {names}, which may be rare: two weeks give it a chance to show")
    };
    (days, why)
}

fn count_text(n: f64) -> String {
    if n >= 100.0 {
        format!("{:.0}", n)
    } else {
        format!("{:.1}", n)
    }
}

/// [`soak_days`] unless the user asked for another length (clamped to the
/// practice: at least an hour, at most [`MAX_SOAK_DAYS`]).
pub fn chosen_soak_days(plan: &Plan, asked: Option<f64>) -> (f64, String) {
    match asked {
        Some(d) if d.is_finite() && d > 0.0 => {
            let d = d.clamp(1.0 / 24.0, MAX_SOAK_DAYS);
            (d, format!("the user chose {}", days_text(d)))
        }
        _ => soak_days(plan),
    }
}

/// How a soak is doing: measured volume against the prediction, and — when it
/// is far enough outside the band to matter — the sentence saying so.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    pub days_observed: f64,
    pub measured_bytes_per_day: Option<f64>,
    pub ratio: Option<f64>,
    pub over_budget: Option<String>,
}

/// The measured volume is "badly" out of band when it is above the predicted
/// high and at least this ratio of the typical figure, or when, at the
/// measured rate, expiry keeps less history than a week
/// ([`super::review::MIN_HISTORY_DAYS`]) or minfree is reached within a month.
pub use super::review::{
    MIN_HISTORY_DAYS as OVER_BUDGET_HISTORY_DAYS, OVER_BUDGET_MINFREE_DAYS, OVER_BUDGET_RATIO,
};

/// Progress of `applied` at `now`, from the bytes a day measured over the
/// trails since the step (`None` when less than an hour is covered) and the
/// room left above minfree on the trail volume (`None` when unknown).
pub fn progress(
    applied: &AppliedStep,
    now: u64,
    measured: Option<f64>,
    room_above_minfree: Option<u64>,
    classes: &ClassTable,
) -> Progress {
    let days = (now.saturating_sub(applied.applied_at) as f64 / 86_400.0).min(applied.soak_days);
    let days = (days * 100.0).floor() / 100.0;
    let predicted = applied.prediction.bytes_per_day;
    let ratio = measured
        .filter(|_| predicted.typical > 0.0)
        .map(|m| m / predicted.typical);
    Progress {
        days_observed: days,
        measured_bytes_per_day: measured,
        ratio,
        over_budget: measured.and_then(|m| over_budget(applied, m, room_above_minfree, classes)),
    }
}

/// The rule of "badly" (docs/tuning-guide.md): above the predicted range (with
/// the review's 15 % tolerance) *and* a consequence that matters — at least
/// twice the typical prediction, or, at the measured rate, expiry keeping
/// under a week of history, or minfree reached within a month.
pub fn over_budget(
    applied: &AppliedStep,
    measured: f64,
    room_above_minfree: Option<u64>,
    classes: &ClassTable,
) -> Option<String> {
    let predicted = applied.prediction.bytes_per_day;
    if measured <= predicted.high * (1.0 + super::review::TOLERANCE) {
        return None;
    }
    let ratio = (predicted.typical > 0.0).then(|| measured / predicted.typical);
    let view = View::read(&applied.config, classes);
    let mut consequences = Vec::new();
    if let Some(r) = ratio.filter(|r| *r >= OVER_BUDGET_RATIO) {
        consequences.push(format!("{r:.1}× the predicted volume"));
    }
    if let Setting::Valid(e) = &view.expire_after {
        if let Some(h) = e.history_days(measured) {
            if h < OVER_BUDGET_HISTORY_DAYS {
                consequences.push(format!("expire-after {e} now keeps only {}", days_text(h)));
            }
        }
    }
    if let Some(room) = room_above_minfree {
        let days = room as f64 / measured;
        if days < OVER_BUDGET_MINFREE_DAYS {
            consequences.push(format!("minfree in {} at this rate", days_text(days)));
        }
    }
    (!consequences.is_empty()).then(|| {
        format!(
            "{} writes {}/day, above its predicted {}–{}: {}",
            applied.title,
            human_bytes(measured),
            human_bytes(predicted.low),
            human_bytes(predicted.high),
            consequences.join("; ")
        )
    })
}

/// One line for the popover: "flags: add ad — day 1 of 3 — 1.04× the predicted
/// volume so far".
pub fn summary(applied: &AppliedStep, p: &Progress) -> String {
    let day = (p.days_observed.floor() as u64 + 1).min(applied.soak_days.ceil().max(1.0) as u64);
    let of = applied.soak_days.ceil().max(1.0) as u64;
    let so_far = match p.ratio {
        Some(r) => format!("{r:.2}× the predicted volume so far"),
        None => "measuring (under an hour recorded)".into(),
    };
    if applied.soak_days < 1.0 {
        format!(
            "{} — soaking {} — {so_far}",
            applied.title,
            days_text(applied.soak_days)
        )
    } else {
        format!("{} — day {day} of {of} — {so_far}", applied.title)
    }
}

/// Whether a change from `from` to `to` leaves what is audited as it was (the
/// same attributable and non-attributable class sides, the same argv/arge):
/// a soak survives it (an outside edit of retention, a comment), otherwise its
/// measurement no longer describes the step.
pub fn keeps_audited_set(from: &[u8], to: &[u8], classes: &ClassTable) -> bool {
    let (a, b) = (View::read(from, classes), View::read(to, classes));
    let sides = |v: &View| {
        let mask = |s: &Setting<audit_control::FlagsList>| match s {
            Setting::Valid(l) => Some((l.mask.success, l.mask.failure)),
            _ => None,
        };
        (mask(&v.flags), mask(&v.naflags))
    };
    let policy = |v: &View| match &v.policy {
        Setting::Valid(p) => Some((p.argv, p.arge)),
        _ => None,
    };
    sides(&a) == sides(&b) && policy(&a) == policy(&b)
}

/// A tweak the review proposes: a planned step with its cost.
#[derive(Debug, Clone, PartialEq)]
pub struct ProposedTweak {
    /// `retention` or `drop:<class>`.
    pub id: String,
    pub title: String,
    pub why: String,
    pub plan: Plan,
}

/// What the review proposes besides the next step: each a planned step with
/// its cost. Only when the step measured above its
/// predicted range (with the review's tolerance): retention sized for the
/// measured volume, and dropping each class the step added. A step that costs
/// what was predicted needs no tweak; one whose classes stay silent needs the
/// user to log in again, not a config change.
pub fn tweaks(
    current: &Current,
    applied: &AppliedStep,
    review: &Review,
    m: &Measurements,
    classes: &ClassTable,
) -> Vec<ProposedTweak> {
    let Some(bytes) = current.audit_control.as_deref() else {
        return Vec::new();
    };
    let predicted = applied.prediction.bytes_per_day;
    let over_band = review
        .ratio
        .is_some_and(|r| r * predicted.typical > predicted.high * (1.0 + super::review::TOLERANCE));
    if !over_band {
        return Vec::new();
    }
    let opts = PlanOptions::default();
    let ladder = Ladder {
        classes,
        m,
        target: Target::Next,
        opts: &opts,
    };
    let view = View::read(bytes, classes);
    let mut out = Vec::new();
    if let Some(p) = ladder.retention(bytes, &view) {
        out.push(ProposedTweak {
            id: "retention".to_string(),
            title: format!("Size retention for the measured volume: {}", p.title),
            why: "expire-after sized from the volume measured during the soak, so the folder keeps what it can without reaching minfree".to_string(),
            plan: p,
        });
    }
    for c in applied.prediction.classes.iter().filter(|c| c.added) {
        let key = match applied.step {
            StepKind::NaflagsNa => "naflags",
            _ => "flags",
        };
        let value = match key {
            "naflags" => view.raw_naflags.clone(),
            _ => view.raw_flags.clone(),
        };
        let Some(value) = value else { continue };
        let kept = edit::remove_class(&value, &c.class);
        if kept == value {
            continue;
        }
        let after = edit::set(bytes, key, &kept, classes);
        if after == bytes || out.iter().any(|t| t.id == format!("drop:{}", c.class)) {
            continue;
        }
        let title = format!("{key}: drop {}", c.class);
        let why = format!(
            "the step's new class {} costs more than predicted; stop auditing it and keep the rest",
            c.class
        );
        let plan = ladder.plan(
            applied.step,
            if key == "naflags" { "naflags" } else { "flags" },
            title.clone(),
            why.clone(),
            Some(bytes),
            after,
            Vec::new(),
        );
        // Only a drop that saves a tenth of what the Mac writes now is worth a
        // step: when the whole Mac got busier, dropping a quiet class the step
        // added changes nothing.
        let measured = review.ratio.unwrap_or(0.0) * predicted.typical;
        let saves = measured - plan.prediction.bytes_per_day.typical;
        if saves < measured * MIN_DROP_SAVING {
            continue;
        }
        out.push(ProposedTweak {
            id: format!("drop:{}", c.class),
            title,
            why,
            plan,
        });
    }
    out
}

/// A `drop:<class>` tweak is proposed only when it saves at least this share
/// of the measured volume.
pub const MIN_DROP_SAVING: f64 = 0.10;
