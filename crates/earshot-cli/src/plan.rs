//! `earshot plan`: the next step of the tuning ladder (or the whole way to a target),
//! with why, the diff, the risks to acknowledge and the predicted cost.
//!
//! Applying a step (`earshot apply --plan`) and trial measurements (`earshot measure`)
//! go through the privileged helper and are not part of this command.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use earshot_core::baseline::View;
use earshot_core::plan::cost::days_text;
use earshot_core::plan::{
    self, AhltVariant, Current, Disk, Measurements, Plan, PlanOptions, Range, Side, Source, Target,
};
use earshot_core::rates::WindowSpan;
use serde::Serialize;

use crate::compliance::observe;

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
    #[arg(long)]
    pub json: bool,
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
    let facts = observe(args.file.as_deref(), args.root)?;
    let (observed, classes, status) = (&facts.observed, &facts.classes, &facts.status);
    let mut m = Measurements::default();
    if let Some(st) = &status {
        if let (Some(day), Some(bytes)) = (
            st.rates.iter().find(|w| w.span == WindowSpan::Day),
            observed.audit_control.as_deref(),
        ) {
            m = Measurements::from_rate_window(day, &View::read(bytes, classes), classes);
        }
        if let Some(h) = st.headroom.first() {
            m.disk = Some(Disk {
                total_bytes: h.volume_bytes,
                free_bytes: h.free_bytes,
            });
        }
        m.trail_bytes = st.trails.as_ref().map(|t| t.total_bytes);
    }
    let current = Current {
        audit_control: observed.audit_control.clone(),
        example: facts.example.clone(),
        service: observed.service,
    };
    let opts = PlanOptions {
        ahlt: if args.ahlt_without_cnt {
            AhltVariant::FailStop
        } else {
            AhltVariant::KeepCnt
        },
        want_arge: args.with_arge,
    };
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
    use earshot_core::baseline::{Baseline, ServiceFacts};

    #[test]
    fn the_ahlt_step_shows_risks_alternative_and_cost() {
        let ac = plan::DEFAULT_EXAMPLE
            .replace("flags:lo,aa\n", "flags:lo,aa,ad,-ex,-fd,-fm,-fr,-fw\n")
            .replace("expire-after:10M", "expire-after:7d");
        let current = Current {
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
