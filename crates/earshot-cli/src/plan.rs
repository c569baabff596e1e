//! `earshot plan`: the next step of the tuning ladder (or the whole way to a target),
//! with why, the diff, the risks to acknowledge and the predicted cost.
//!
//! Costs come from the trail (classes already audited), then from trial
//! measurements kept by `earshot measure`, then from reference figures.
//! `earshot plan --review` compares the step last applied with `earshot apply
//! --plan` against what happened since, and proposes the next step, a tweak or a
//! roll-back. Applying goes through the privileged helper (`earshot apply --plan`).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use earshot_api::{ErrorCode, StepReview};
use earshot_core::health::HealthState;
use earshot_trail::rates::WindowSpan;
use earshot_tuning::measure::Store;
use earshot_tuning::plan::cost::days_text;
use earshot_tuning::plan::review::{self, AppliedStep, Observation, Verdict};
use earshot_tuning::plan::{
    self, AhltVariant, Measurements, Plan, PlanOptions, Range, Side, Source, Target,
};
use serde::Serialize;

use crate::compliance::{observe, Facts};
use crate::status::root_or_env;

#[derive(Debug, clap::Parser)]
pub struct Args {
    /// next (Earshot's recommendation), cis-l1, cis-l2, stig (= stig-26), stig-15,
    /// 800-53-low, 800-53-moderate, 800-53-high.
    #[arg(long, default_value = "next")]
    pub target: String,
    /// Plan from this audit_control file (costs from reference figures).
    #[arg(long, conflicts_with = "root")]
    pub file: Option<PathBuf>,
    /// Read a simulated Mac in DIR instead of this machine (also $EARSHOT_ROOT).
    #[arg(long)]
    pub root: Option<PathBuf>,
    /// Print every step to the target, not only the next one.
    #[arg(long)]
    pub all_steps: bool,
    /// For baselines that require ahlt: plan `ahlt,argv` (fail-stop) instead of
    /// `cnt,ahlt,argv`.
    #[arg(long)]
    pub ahlt_without_cnt: bool,
    /// Also plan `arge` (exec environments) — it will need an acknowledgement.
    #[arg(long)]
    pub with_arge: bool,
    /// Review the step last applied with `earshot apply --plan`: what happened
    /// against what was predicted, and what to do next.
    #[arg(long, conflicts_with_all = ["file", "all_steps"])]
    pub review: bool,
    /// Ignore trial measurements kept by `earshot measure`.
    #[arg(long)]
    pub no_trials: bool,
    #[arg(long)]
    pub json: bool,
}

/// What the planner knows about this machine's costs: the trail's 24 h rates,
/// the volume, and trial measurements for class sides the trail cannot show.
pub(crate) fn measurements(
    facts: &Facts,
    root: Option<&std::path::Path>,
    trials: bool,
) -> Result<Measurements> {
    let mut m = earshot_tuning::facts::measurements(facts);
    if trials && facts.status.is_some() {
        if let Some(path) = crate::measure::store_file(root) {
            Store::load(&path)
                .with_context(|| format!("reading trial measurements {}", path.display()))?
                .fill(&mut m);
        }
    }
    Ok(m)
}

pub(crate) fn options(args: &Args) -> PlanOptions {
    PlanOptions {
        ahlt: if args.ahlt_without_cnt {
            AhltVariant::FailStop
        } else {
            AhltVariant::KeepCnt
        },
        want_arge: args.with_arge,
        // A plan to a baseline writes the organisation's values (the Mac's
        // profile), as the helper's plans do.
        tailoring: if args.file.is_some() {
            Default::default()
        } else {
            crate::status::open_system(crate::status::root_or_env(args.root.clone()).as_deref())
                .map(|(sys, _)| earshot_fleet::managed::read(sys.as_ref()).tailoring)
                .unwrap_or_default()
        },
    }
}

#[derive(Serialize)]
struct PlanJson<'a> {
    target: &'static str,
    /// Where the cost figures come from.
    measured: bool,
    steps: &'a [Plan],
    done: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let target = Target::parse(&args.target)?;
    let root = if args.file.is_some() {
        None
    } else {
        root_or_env(args.root.clone())
    };
    let facts = observe(args.file.as_deref(), root.clone())?;
    let classes = &facts.classes;
    let m = measurements(&facts, root.as_deref(), !args.no_trials)?;
    if args.review {
        return run_review(&args, target, &facts, &m, root.as_deref());
    }
    let current = earshot_tuning::facts::current(&facts);
    let opts = options(&args);
    let steps: Vec<Plan> = if args.all_steps {
        plan::path(&current, target, &m, classes, &opts)
    } else {
        plan::next_step(&current, target, &m, classes, &opts)
            .into_iter()
            .collect()
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(
            &mut out,
            &PlanJson {
                target: target.name(),
                measured: !m.classes.is_empty(),
                steps: &steps,
                done: steps.is_empty(),
            },
        )?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    if steps.is_empty() {
        writeln!(
            out,
            "Nothing to do for target `{}`: the configuration already meets it.{}",
            target.name(),
            if target == Target::Next {
                " Choose a baseline (--target cis-l2, stig, 800-53-moderate …) to go further."
            } else {
                ""
            }
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    for (i, p) in steps.iter().enumerate() {
        if steps.len() > 1 {
            writeln!(out, "── Step {} of {} ──", i + 1, steps.len())?;
        }
        out.write_all(render(p).as_bytes())?;
        writeln!(out)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The step records the helper keeps with the revisions, newest first:
/// through the helper when one runs, else (simulated Mac) read from its state
/// folder.
pub(crate) fn applied_steps(
    root: Option<&std::path::Path>,
) -> Result<Vec<earshot_api::StepRecord>> {
    if let Some(mut client) = crate::helper_client::try_connect(root) {
        return Ok(client.applied_steps(Some(1))?);
    }
    let Some(root) = root else {
        bail!("reviewing needs the helper (it keeps the applied steps with their revisions); is it running?");
    };
    let state = earshot_api::paths::state(Some(root));
    earshot_helper::history::applied_steps(&state, 1)
        .with_context(|| format!("reading the steps in {}", state.display()))
}

#[derive(Serialize)]
struct ReviewJson<'a> {
    applied: &'a AppliedStep,
    observation: &'a Observation,
    review: &'a review::Review,
    next: Option<&'a Plan>,
}

fn run_review(
    args: &Args,
    target: Target,
    facts: &Facts,
    m: &Measurements,
    root: Option<&std::path::Path>,
) -> Result<ExitCode> {
    // The helper keeps the soak and makes the review; read it there when one
    // runs (a simulated Mac without a helper is reviewed from its history).
    if let Some(mut client) = crate::helper_client::try_connect(root) {
        return match client.review_step() {
            Ok(r) => print_step_review(&r, args.json),
            Err(earshot_api::ClientError::Api(e)) if e.code == ErrorCode::NotFound => {
                if args.json {
                    println!("{}", serde_json::json!({ "error": e }));
                } else {
                    println!("No applied step is recorded yet: apply one with `earshot apply --plan`, then review it after the soak.");
                }
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => Err(e).context("asking the helper for the review"),
        };
    }
    let Some(st) = &facts.status else {
        bail!("reviewing needs the Mac's trails and status");
    };
    let Some(rec) = applied_steps(root)?.into_iter().next() else {
        println!("No applied step is recorded yet: apply one with `earshot apply --plan`, then review it after the soak.");
        return Ok(ExitCode::SUCCESS);
    };
    let applied: AppliedStep = rec.record;
    let day = st.rates.iter().find(|w| w.span == WindowSpan::Day);
    let obs = Observation {
        now: st.generated_at.sec,
        events_per_day: day.map_or(0.0, |w| w.total.events_per_sec * 86_400.0),
        bytes_per_day: day.map_or(0.0, |w| w.total.bytes_per_sec * 86_400.0),
        classes: m.classes.clone(),
        disk: m.disk,
        trail_bytes: m.trail_bytes,
        auditing_suspended: st.health.state == HealthState::StoppedForSpace,
        dropped_records: 0,
    };
    let verdict = review::review(&applied, &obs, &facts.classes);
    let changed_since = facts.observed.audit_control.as_deref() != Some(&applied.config[..]);
    let next = (verdict.verdict == Verdict::NextStep && !changed_since)
        .then(|| {
            let current = earshot_tuning::facts::current(facts);
            plan::next_step(&current, target, m, &facts.classes, &options(args))
        })
        .flatten();
    if args.json {
        serde_json::to_writer_pretty(
            std::io::stdout().lock(),
            &ReviewJson {
                applied: &applied,
                observation: &obs,
                review: &verdict,
                next: next.as_ref(),
            },
        )?;
        println!();
        return Ok(ExitCode::SUCCESS);
    }
    let word = match verdict.verdict {
        Verdict::KeepSoaking => "keep soaking",
        Verdict::NextStep => "take the next step",
        Verdict::Tweak => "tweak",
        Verdict::RollBack => "roll back (`earshot rollback`)",
    };
    println!(
        "Review of revision {}: {}\n  applied {} ago, soak {}\n  predicted {}/day (range {} – {}), measured {}/day{}\n\nVerdict: {word}",
        rec.revision,
        applied.title,
        days_text(verdict.days_observed),
        days_text(applied.soak_days),
        mb(applied.prediction.bytes_per_day.typical),
        mb(applied.prediction.bytes_per_day.low),
        mb(applied.prediction.bytes_per_day.high),
        mb(obs.bytes_per_day),
        verdict
            .ratio
            .map(|r| format!(" ({:+.0} %)", (r - 1.0) * 100.0))
            .unwrap_or_default()
    );
    for r in &verdict.reasons {
        println!("  - {r}");
    }
    if changed_since {
        println!("  (audit_control changed since that step; the review compares with the config then applied)");
    }
    if let Some(p) = next {
        println!("\nNext step:\n");
        print!("{}", render(&p));
    }
    Ok(ExitCode::SUCCESS)
}

/// The helper's review of the last step: the soak, the verdict with its
/// reasons, and each action with the command that takes it.
fn print_step_review(r: &StepReview, json: bool) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, r)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let s = &r.soak;
    writeln!(out, "Review of revision {}: {}", s.revision, s.title)?;
    writeln!(out, "  {}", s.summary)?;
    writeln!(
        out,
        "  soak {} ({})",
        days_text(s.soak_days),
        if s.soak_reason.is_empty() {
            "the default"
        } else {
            &s.soak_reason
        }
    )?;
    writeln!(
        out,
        "  predicted {}/day (range {} – {}), measured {}{}",
        mb(s.predicted.typical),
        mb(s.predicted.low),
        mb(s.predicted.high),
        s.measured_bytes_per_day.map_or(
            "nothing yet (under an hour recorded)".into(),
            |m| format!("{}/day", mb(m))
        ),
        s.ratio
            .map(|x| format!(" ({x:.2}× typical)"))
            .unwrap_or_default()
    )?;
    if let Some(why) = &s.ended_by {
        writeln!(out, "  the soak ended early: {why}")?;
    }
    if let Some(o) = &s.over_budget {
        writeln!(out, "  over budget: {o}")?;
    }
    let word = match r.review.verdict {
        Verdict::KeepSoaking => "keep soaking",
        Verdict::NextStep => "take the next step",
        Verdict::Tweak => "tweak",
        Verdict::RollBack => "roll back",
    };
    writeln!(out, "\nVerdict: {word}")?;
    for reason in &r.review.reasons {
        writeln!(out, "  - {reason}")?;
    }
    if let Some(p) = &r.next {
        writeln!(out, "\nNext step (`earshot apply --plan`):\n")?;
        out.write_all(render(p).as_bytes())?;
    }
    for t in &r.tweaks {
        writeln!(
            out,
            "\nTweak `{}` (`earshot apply --tweak {}`): {}\n  {}\n  predicted after it: {}/day",
            t.id,
            t.id,
            t.title,
            t.why,
            mb(t.plan.prediction.bytes_per_day.typical)
        )?;
        for c in &t.plan.diff {
            writeln!(
                out,
                "    {}: {} → {}",
                c.key,
                c.before.as_deref().unwrap_or("(none)"),
                c.after.as_deref().unwrap_or("(none)")
            )?;
        }
    }
    if let Some(to) = r.rollback_to {
        if matches!(r.review.verdict, Verdict::RollBack | Verdict::Tweak) {
            writeln!(
                out,
                "\nRoll back (`earshot rollback {to}`): restore revision {to}, before the step."
            )?;
        }
    }
    if r.review.verdict == Verdict::KeepSoaking {
        writeln!(
            out,
            "\nThe next step waits for the review; `earshot apply --plan --skip-soak` goes on anyway (recorded)."
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

fn mb(bytes: f64) -> String {
    let m = bytes / (1024.0 * 1024.0);
    if m >= 100.0 {
        format!("{m:.0} MB")
    } else if m >= 1.0 {
        format!("{m:.1} MB")
    } else {
        format!("{:.0} KB", bytes / 1024.0)
    }
}

fn range_mb(r: Range) -> String {
    format!("{} (range {} – {})", mb(r.typical), mb(r.low), mb(r.high))
}

fn count(n: f64) -> String {
    if n >= 10_000.0 {
        format!("{:.0}k", n / 1000.0)
    } else if n >= 10.0 {
        format!("{n:.0}")
    } else {
        format!("{n:.1}")
    }
}

/// A plan in plain words.
pub fn render(p: &Plan) -> String {
    let mut s = format!("{}\n\nWhy: {}\n", p.title, p.why);
    if !p.diff.is_empty() {
        s.push_str("\nChange:\n");
        for c in &p.diff {
            s.push_str(&format!(
                "  {}: {} → {}\n      {}\n",
                c.key,
                c.before.as_deref().unwrap_or("(none)"),
                c.after.as_deref().unwrap_or("(none)"),
                c.meaning
            ));
        }
    }
    if !p.risks.is_empty() {
        s.push_str("\nRisks to acknowledge:\n");
        for r in &p.risks {
            s.push_str(&format!("  [{}] {}\n", r.id, r.message));
        }
    }
    for w in &p.warnings {
        s.push_str(&format!("\nNote: {w}\n"));
    }
    for a in &p.alternatives {
        s.push_str(&format!("\nAlternative: {} — {}\n", a.title, a.explanation));
        for r in &a.risks {
            s.push_str(&format!("  [{}] {}\n", r.id, r.message));
        }
    }
    let pr = &p.prediction;
    s.push_str(&format!(
        "\nPredicted cost after this step: {} events/day, {}/day; change {}/day\n",
        count(pr.events_per_day.typical),
        range_mb(pr.bytes_per_day),
        mb(pr.change_bytes_per_day.typical)
    ));
    for c in &pr.classes {
        s.push_str(&format!(
            "  {}{:<3} {:>8} ev/day {:>10}/day  {}{}\n",
            if c.side == Side::Failure { "-" } else { "+" },
            c.class,
            count(c.events_per_day.typical),
            mb(c.bytes_per_day.typical),
            match c.source {
                Source::Measured => "measured",
                Source::Reference => "reference figure",
                Source::Unknown => "no figure",
            },
            if c.added { "  (new)" } else { "" }
        ));
    }
    s.push_str(&format!("  Retention: {}\n", pr.retention));
    s.push_str(&format!("  Disk: {}\n", pr.minfree));
    if let Some(t) = pr.time_to_minfree_days {
        s.push_str(&format!("        (typical {})\n", days_text(t.typical)));
    }
    for n in &pr.notes {
        s.push_str(&format!("  ({n})\n"));
    }
    if !p.activation.is_empty() {
        s.push_str("\nTo apply:\n");
        for a in &p.activation {
            s.push_str(&format!("  - {a}\n"));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use audit_control::ClassTable;
    use earshot_compliance::{Baseline, ServiceFacts};

    #[test]
    fn the_ahlt_step_shows_risks_alternative_and_cost() {
        let ac = plan::DEFAULT_EXAMPLE
            .replace("flags:lo,aa\n", "flags:lo,aa,ad,-ex,-fd,-fm,-fr,-fw\n")
            .replace("expire-after:10M", "expire-after:7d");
        let current = plan::Current {
            audit_control: Some(ac.into_bytes()),
            example: None,
            service: ServiceFacts {
                launchd_job_loaded: Some(true),
                kernel_auditing: Some(true),
            },
        };
        let p = plan::next_step(
            &current,
            Target::Baseline(Baseline::Nist53Moderate),
            &Measurements::default(),
            &ClassTable::apple(),
            &PlanOptions::default(),
        )
        .unwrap();
        let text = render(&p);
        assert!(text.starts_with("policy: cnt,ahlt,argv (halt on audit failure)"));
        assert!(text.contains("[add-ahlt]"));
        assert!(text.contains("Alternative: policy: ahlt,argv"));
        assert!(text.contains("[drop-cnt]"));
        assert!(text.contains("reference figure"));
        assert!(text.contains("Retention: expire-after 7d keeps about 7 days"));
    }
}
