//! `earshot compliance`: the audit rules of a baseline, checked on meaning, with what
//! mSCP's literal check would say next to it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use audit_control::ClassTable;
use earshot_compliance::{Baseline, Observed, Report, Status};
use earshot_tuning::facts;

use crate::status::{open_system, root_or_env, status_options};

#[derive(Debug, clap::Parser)]
pub struct Args {
    /// cis-l1, cis-l2, stig (= stig-26), stig-15, 800-53-low, 800-53-moderate,
    /// 800-53-high, or all (every mSCP audit rule, recommended values).
    #[arg(long, default_value = "all")]
    pub baseline: String,
    /// Check this audit_control file only (ownership, service and audit_warn rules
    /// are then reported as unknown).
    #[arg(long, conflicts_with = "root")]
    pub file: Option<PathBuf>,
    /// Read a simulated Mac in DIR instead of this machine (also $EARSHOT_ROOT).
    #[arg(long)]
    pub root: Option<PathBuf>,
    /// The organisation's tailoring from a JSON file
    /// (`{"odv": {"audit_retention_configure": "90d"}, "exemptions": {"audit_failure_halt": "why"}}`)
    /// instead of the configuration profile's.
    #[arg(long, value_name = "FILE")]
    pub tailoring: Option<PathBuf>,
    /// Check the baseline as mSCP publishes it, ignoring any tailoring.
    #[arg(long, conflicts_with = "tailoring")]
    pub no_tailoring: bool,
    #[arg(long)]
    pub json: bool,
}

/// The tailoring to apply: a file's, else (reading a Mac) its profile's.
fn tailoring(args: &Args) -> Result<earshot_compliance::Tailoring> {
    if args.no_tailoring {
        return Ok(Default::default());
    }
    if let Some(path) = &args.tailoring {
        let text = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        let mut t: earshot_compliance::Tailoring =
            serde_json::from_slice(&text).with_context(|| {
                format!(
                    "{}: not a tailoring (expected {{\"odv\": {{…}}, \"exemptions\": {{…}}}})",
                    path.display()
                )
            })?;
        let problems = earshot_compliance::tailoring::validate(&t);
        if !problems.is_empty() {
            let lines: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
            anyhow::bail!("{}:\n{}", path.display(), lines.join("\n"));
        }
        t.source = Some(format!("file:{}", path.display()));
        return Ok(t);
    }
    if args.file.is_some() {
        return Ok(Default::default());
    }
    let (sys, _) = open_system(root_or_env(args.root.clone()).as_deref())?;
    Ok(earshot_fleet::managed::read(sys.as_ref()).tailoring)
}

/// The facts read from a file or a Mac: the same ones the helper plans and
/// checks compliance with for the app (`earshot_tuning::facts`).
pub(crate) use earshot_tuning::facts::Facts;

/// Observed facts: from a file alone, or from a (real or simulated) Mac.
pub(crate) fn observe(file: Option<&Path>, root: Option<PathBuf>) -> Result<Facts> {
    if let Some(f) = file {
        let bytes = std::fs::read(f).with_context(|| format!("reading {}", f.display()))?;
        return Ok(Facts {
            observed: Observed {
                audit_control: Some(bytes),
                ..Observed::default()
            },
            classes: ClassTable::apple(),
            status: None,
            example: None,
        });
    }
    let (sys, kind) = open_system(root_or_env(root).as_deref())?;
    // Health gives the service state (launchd job, kernel condition) and the rates;
    // without it rule 1 is simply unknown.
    Ok(facts::observe(
        sys.as_ref(),
        kind,
        &status_options(None, false),
    )?)
}

pub fn run(args: Args) -> Result<ExitCode> {
    let baseline = Baseline::parse(&args.baseline)?;
    let tailoring = tailoring(&args)?;
    let facts = observe(args.file.as_deref(), args.root.clone())?;
    let report = earshot_compliance::evaluate_tailored(
        baseline,
        &facts.observed,
        &facts.classes,
        &tailoring,
    );
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else {
        out.write_all(render(&report).as_bytes())?;
    }
    Ok(if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn status_word(s: Status) -> &'static str {
    match s {
        Status::Pass => "PASS",
        Status::Fail => "FAIL",
        Status::NotApplicable => "N/A ",
        Status::Manual => "MANUAL",
        Status::Inherent => "INHERENT",
        Status::Unknown => "UNKNOWN",
        Status::Exempt => "EXEMPT",
    }
}

/// Plain-text report: one block per rule, failures first.
pub fn render(report: &Report) -> String {
    let s = &report.summary;
    let mut out = format!(
        "{} (mSCP {}) — {} pass, {} fail, {} unknown, {} manual, {} inherent, {} n/a",
        report.title,
        report.mscp_release,
        s.pass,
        s.fail,
        s.unknown,
        s.manual,
        s.inherent,
        s.not_applicable
    );
    if s.exempt > 0 {
        out.push_str(&format!(", {} exempt", s.exempt));
    }
    if let Some(t) = &report.tailoring {
        out.push_str(&format!(
            "\ntailored{}: {} organisation value(s), {} exemption(s)",
            t.source
                .as_deref()
                .map(|src| format!(" by {src}"))
                .unwrap_or_default(),
            t.odv.len(),
            t.exemptions.len()
        ));
    }
    if s.mscp_disagreements > 0 {
        out.push_str(&format!(
            "; mSCP's literal checks disagree on {}",
            s.mscp_disagreements
        ));
    }
    out.push_str("\n\n");
    let order = |st: Status| match st {
        Status::Fail => 0,
        Status::Unknown => 1,
        Status::Pass => 2,
        _ => 3,
    };
    let mut results: Vec<_> = report.results.iter().collect();
    results.sort_by_key(|r| (order(r.status), r.number));
    for r in results {
        let mut ids = Vec::new();
        if let Some(c) = &r.cis {
            ids.push(format!("CIS {c}"));
        }
        if let Some(st) = &r.stig {
            ids.push(st.to_string());
        }
        if !r.nist_800_53.is_empty() {
            ids.push(format!("800-53 {}", r.nist_800_53.join(" ")));
        }
        if let Some(sev) = r.severity {
            ids.push(format!("{sev:?}").to_lowercase());
        }
        out.push_str(&format!(
            "{:<8} {}  [{}]\n",
            status_word(r.status),
            r.id,
            ids.join(", ")
        ));
        out.push_str(&format!("         found: {}\n", r.found));
        if let Some(reason) = &r.exempt_reason {
            out.push_str(&format!(
                "         exempt by the organisation: {reason} (checked: {})\n",
                r.checked.map_or("?", status_word).trim()
            ));
        }
        if let (Some(odv), Some(release)) = (&r.odv, &r.release_odv) {
            out.push_str(&format!(
                "         value: {odv} (the organisation's; mSCP {} says {release})\n",
                report.mscp_release
            ));
        }
        if matches!(r.status, Status::Fail | Status::Unknown) {
            out.push_str(&format!("         wants: {}\n", r.expected));
            if !r.fix.is_empty() {
                out.push_str(&format!("         fix:   {}\n", r.fix));
            }
        }
        if let Some(l) = &r.mscp_literal {
            out.push_str(&format!("         mSCP literal: {}", l.verdict));
            if let Some(d) = &r.disagreement {
                out.push_str(&format!(" — DISAGREES: {d}"));
            }
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_report_puts_failures_first_and_explains_disagreements() {
        let observed = Observed {
            audit_control: Some(b"flags:lo,aa,ad,-all\nexpire-after:30d\n".to_vec()),
            ..Observed::default()
        };
        let report = earshot_compliance::evaluate(Baseline::CisL2, &observed, &ClassTable::apple());
        let text = render(&report);
        assert!(text.starts_with("CIS Apple macOS Benchmark, Level 2 (mSCP tahoe_rev3) — "));
        assert!(text.contains("mSCP's literal checks disagree on 4"));
        let fail = text.find("FAIL ").unwrap_or(usize::MAX);
        let pass = text.find("PASS ").unwrap();
        assert!(fail == usize::MAX || fail < pass);
        assert!(text.contains("DISAGREES: mSCP counts tokens matching `-fr` and found none"));
        assert!(report.passed());
    }
}
