//! `earshot status`: is auditing on, running and writing; headroom; rates; forecast.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Parser;
use earshot_api::{HealthLevel, Request, Response, StatusReport};
use earshot_core::forecast::{human_bytes, human_secs, MinfreeOutlook, SteadyState, WarningLevel};
use earshot_core::health::Severity;
use earshot_core::status::{self, Status, StatusOptions};
use earshot_model::soak::SoakState;
use earshot_sim::SimulatedMac;
use earshot_system::{unix_secs, AuditSettings, MacOs, System};
use earshot_trail::rates::{TrailWatcher, WindowSpan};

#[derive(Debug, Parser)]
pub struct Args {
    /// Read a simulated Mac in DIR instead of this machine (also $EARSHOT_ROOT).
    #[arg(long)]
    pub root: Option<PathBuf>,
    /// Print JSON (fields documented in docs/status-json.md).
    #[arg(long)]
    pub json: bool,
    /// Keep running and update as the trail grows (file-system events, not polling).
    #[arg(long)]
    pub watch: bool,
    /// Where per-trail summaries are cached (default: $XDG_CACHE_HOME/earshot).
    #[arg(long)]
    pub cache_dir: Option<PathBuf>,
    /// Do not read or write the cache.
    #[arg(long)]
    pub no_cache: bool,
}

/// `--root`, else `$EARSHOT_ROOT` (so a demo shell can point every command at one
/// simulated Mac).
pub fn root_or_env(root: Option<PathBuf>) -> Option<PathBuf> {
    root.or_else(|| std::env::var_os("EARSHOT_ROOT").map(PathBuf::from))
}

/// The system to read: a simulated Mac with --root, else the real one.
pub fn open_system(root: Option<&Path>) -> Result<(Box<dyn System>, &'static str)> {
    match root {
        Some(r) => {
            let mac = SimulatedMac::open(r)
                .with_context(|| format!("opening simulated Mac {}", r.display()))?;
            Ok((Box::new(mac), "simulated"))
        }
        None => Ok((Box::new(MacOs::new()), "macos")),
    }
}

pub fn status_options(cache_dir: Option<PathBuf>, no_cache: bool) -> StatusOptions {
    if no_cache {
        return StatusOptions { cache_dir: None };
    }
    let dir = cache_dir.or_else(|| {
        std::env::var_os("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
            .map(|c| c.join("earshot"))
    });
    StatusOptions { cache_dir: dir }
}

pub fn run(args: Args) -> Result<ExitCode> {
    let root = root_or_env(args.root.clone());
    if !args.watch {
        // The helper runs as root: on a real Mac it can read what this user
        // cannot (/var/audit is 0700, `audit -c` needs root).
        if let Some(mut client) = crate::helper_client::try_connect(root.as_deref()) {
            match client.call(Request::Status) {
                Ok(Response::Status(report)) => return via_helper(report, &args, root.as_deref()),
                Ok(other) => eprintln!(
                    "earshot: unexpected answer from the helper ({other:?}); reading directly"
                ),
                Err(e) => {
                    eprintln!("earshot: the helper did not answer status ({e}); reading directly")
                }
            }
        }
    }
    let (sys, kind) = open_system(root.as_deref())?;
    let opts = status_options(args.cache_dir.clone(), args.no_cache);
    if args.watch {
        return watch(sys.as_ref(), kind, &opts, args.json);
    }
    let st = status::collect(sys.as_ref(), kind, &opts).context("collecting status")?;
    print_status(&st, args.json)?;
    Ok(exit_code(&st))
}

/// The status document with where it came from (docs/status-json.md).
#[derive(serde::Serialize)]
struct Sourced<'a> {
    source: &'static str,
    #[serde(flatten)]
    status: &'a Status,
}

/// `earshot status` answered by the helper: its health verdict (and, in JSON,
/// the full document it read as root), marked `"source": "helper"`.
fn via_helper(report: StatusReport, args: &Args, root: Option<&Path>) -> Result<ExitCode> {
    let code = match report.level {
        HealthLevel::Ok => ExitCode::SUCCESS,
        HealthLevel::Off | HealthLevel::Warning => ExitCode::from(1),
        HealthLevel::Error => ExitCode::from(3),
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if args.json {
        let mut doc = match report.detail.as_deref().map(serde_json::to_value) {
            Some(Ok(serde_json::Value::Object(map))) => map,
            _ => serde_json::Map::new(),
        };
        doc.insert("source".into(), "helper".into());
        let mut helper = serde_json::to_value(&report)?;
        if let Some(h) = helper.as_object_mut() {
            h.remove("detail");
        }
        doc.insert("helper".into(), helper);
        serde_json::to_writer_pretty(&mut out, &doc)?;
        writeln!(out)?;
        out.flush()?;
        return Ok(code);
    }
    let level = match report.level {
        HealthLevel::Ok => "OK",
        HealthLevel::Off => "OFF",
        HealthLevel::Warning => "WARNING",
        HealthLevel::Error => "ERROR",
    };
    writeln!(out, "[{level}] {} (via the helper)", report.summary)?;
    for f in report.findings.iter().skip(1) {
        writeln!(out, "  · {}", f.message)?;
    }
    if let Some(rev) = report.head_revision {
        writeln!(out, "  audit_control: revision {rev} of Earshot's history")?;
    }
    if let Some(p) = &report.pending {
        writeln!(
            out,
            "  revision {} reverts automatically unless confirmed (`earshot confirm {}`)",
            p.revision, p.revision
        )?;
    }
    if let Some(soak) = report.soak.as_ref() {
        let hint = match soak.state {
            SoakState::Soaking if soak.over_budget.is_some() => {
                " (review it now: `earshot plan --review`)"
            }
            SoakState::Soaking => " (the next step waits for its review)",
            SoakState::Reviewed => " (`earshot plan --review` for the actions)",
            SoakState::Ended => "",
        };
        writeln!(out, "  tuning: {}{hint}", soak.summary)?;
    }
    if let Some(x) = report.export.as_deref() {
        let state = match &x.paused {
            Some(why) => format!("paused ({why})"),
            None => format!(
                "{} events written since the helper started",
                x.events_written
            ),
        };
        writeln!(out, "  event export: {} — {state}", x.dir)?;
        if x.lost_records > 0 || x.lost_trails_uncounted > 0 || x.files_dropped > 0 {
            writeln!(
                out,
                "    lost: {} records from expired trails ({} trails uncounted); \
                 {} spool files ({} bytes) dropped by the cap",
                x.lost_records, x.lost_trails_uncounted, x.files_dropped, x.bytes_dropped
            )?;
        }
    }
    // Details (config, headroom, rates, forecast) as far as this user can read.
    if let Ok((sys, kind)) = open_system(root) {
        let opts = status_options(args.cache_dir.clone(), args.no_cache);
        if let Ok(st) = status::collect(sys.as_ref(), kind, &opts) {
            let text = render(&st);
            // Skip the direct health block: the helper's verdict is above.
            let details = text.split_once("\n\n").map_or("", |(_, rest)| rest);
            if !details.is_empty() {
                writeln!(out, "\n{details}")?;
            }
        }
    }
    out.flush()?;
    Ok(code)
}

/// 0 ok, 1 warning or off, 3 error, 4 unknown — scripts can branch on it.
fn exit_code(st: &Status) -> ExitCode {
    match st.health.severity {
        Severity::Ok => ExitCode::SUCCESS,
        Severity::Off | Severity::Warning => ExitCode::from(1),
        Severity::Error => ExitCode::from(3),
        Severity::Unknown => ExitCode::from(4),
    }
}

fn print_status(st: &Status, json: bool) -> Result<()> {
    // Buffered: pretty JSON is hundreds of lines and stdout is line-buffered.
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if json {
        serde_json::to_writer_pretty(
            &mut out,
            &Sourced {
                source: "direct",
                status: st,
            },
        )?;
        writeln!(out)?;
    } else {
        out.write_all(render(st).as_bytes())?;
    }
    out.flush()?;
    Ok(())
}

fn watch(
    sys: &dyn System,
    kind: &'static str,
    opts: &StatusOptions,
    json: bool,
) -> Result<ExitCode> {
    let settings = AuditSettings::read(sys).ok().flatten();
    let dirs = settings
        .as_ref()
        .map(|s| s.dirs.clone())
        .unwrap_or_else(|| vec!["/var/audit".to_string()]);
    let mut view = status::load_trails(sys, &dirs, opts).context("reading trails")?;
    let link = status::current_link_real(sys)?;
    let mut watcher = TrailWatcher::new(&view.real_dirs, link, view.resume.take())
        .context("watching the trail folder")?;
    let clear = !json && std::io::stdout().is_terminal();
    loop {
        let st = status::assemble(sys, kind, settings.as_ref(), &view);
        if clear {
            print!("\x1b[2J\x1b[H");
        }
        print_status(&st, json)?;
        // Wake on trail changes; every 5 s regardless, so a stall is noticed.
        let samples = watcher.wait(Duration::from_secs(5))?;
        for s in &samples {
            view.windows.add(s);
        }
        view.windows.prune(unix_secs(sys.now()));
    }
}

/// The plain-text form.
pub fn render(st: &Status) -> String {
    let mut s = String::new();
    let sev = match st.health.severity {
        Severity::Ok => "OK",
        Severity::Off => "OFF",
        Severity::Warning => "WARNING",
        Severity::Error => "ERROR",
        Severity::Unknown => "UNKNOWN",
    };
    let what = match st.system.as_str() {
        "simulated" => "simulated Mac",
        _ => "this Mac",
    };
    s += &format!(
        "[{sev}] {} ({what}{})\n",
        st.health.summary,
        st.macos_version
            .as_deref()
            .map(|v| format!(", macOS {v}"))
            .unwrap_or_default()
    );
    for e in &st.health.evidence {
        s += &format!("  · {}: {}\n", e.source, e.observation);
    }
    if let Some(fix) = &st.health.fix {
        s += &format!("  fix: {fix}\n");
    }
    if let Some(c) = &st.config {
        s += &format!(
            "\nconfig: flags {}  naflags {}  policy {}  minfree {}  filesz {}  expire-after {}\n",
            c.flags.as_deref().unwrap_or("(invalid or missing)"),
            c.naflags.as_deref().unwrap_or("(invalid or missing)"),
            if c.policy.is_empty() {
                "-".to_string()
            } else {
                c.policy.join(",")
            },
            c.minfree_percent
                .map(|m| format!("{m}%"))
                .unwrap_or_else(|| "(missing)".into()),
            c.filesz_bytes
                .map(|f| if f == 0 {
                    "0 (no rotation)".into()
                } else {
                    human_bytes(f)
                })
                .unwrap_or_else(|| "(missing)".into()),
            c.expire_after
                .map(|e| {
                    let mut parts = Vec::new();
                    if let Some(a) = e.age_secs {
                        parts.push(human_secs(a as f64));
                    }
                    if let Some(b) = e.size_bytes {
                        parts.push(human_bytes(b));
                    }
                    let sep = match e.op {
                        earshot_system::ExpiryOp::And => " AND ",
                        earshot_system::ExpiryOp::Or => " OR ",
                    };
                    if parts.is_empty() {
                        "never".to_string()
                    } else {
                        parts.join(sep)
                    }
                })
                .unwrap_or_else(|| "(none)".into()),
        );
    }
    for h in &st.headroom {
        s += &format!(
            "headroom {}: {} free of {} ({:.1} %); minfree {} → kernel limit {:.2} %; {} above it{}\n",
            h.dir,
            human_bytes(h.free_bytes),
            human_bytes(h.volume_bytes),
            h.free_percent,
            h.minfree_percent.map(|m| format!("{m} %")).unwrap_or_else(|| "unset (20 %)".into()),
            h.kernel_threshold_percent,
            human_bytes(h.bytes_above_minfree),
            match (h.folder_bytes, h.file_count) {
                (Some(b), Some(n)) => format!("; folder {} in {n} files", human_bytes(b)),
                _ => "; folder not readable".into(),
            }
        );
    }
    if let Some(t) = &st.trails {
        s += &format!(
            "trails: {} ({}), oldest from {}{}\n",
            t.count,
            human_bytes(t.total_bytes),
            t.oldest_start
                .map(|o| o.to_string())
                .unwrap_or_else(|| "-".into()),
            t.current
                .as_ref()
                .map(|c| format!("; writing {} ({})", c.path, human_bytes(c.size_bytes)))
                .unwrap_or_default()
        );
    }
    if !st.rates.is_empty() {
        s += "\nrates          events/s    bytes/s   ok/fail\n";
        for r in &st.rates {
            s += &format!(
                "  {:<4}        {:>9.3} {:>10.1}   {}/{}\n",
                r.span.label(),
                r.total.events_per_sec,
                r.total.bytes_per_sec,
                r.total.successes,
                r.total.failures
            );
        }
        if let Some(day) = st.rates.iter().find(|r| r.span == WindowSpan::Day) {
            let mut classes: Vec<_> = day.by_class.iter().collect();
            classes.sort_by_key(|c| std::cmp::Reverse(c.1.bytes));
            if !classes.is_empty() {
                s += "  by class (24h):";
                for (name, r) in classes.iter().take(8) {
                    s += &format!(" {name} {:.3}/s", r.events_per_sec);
                }
                s += "\n";
            }
        }
    }
    if let Some(f) = &st.forecast {
        s += &render_forecast(f);
    }
    s
}

pub fn render_forecast(f: &earshot_core::forecast::Forecast) -> String {
    let mut s = format!("\nforecast: {}/day", human_bytes(f.bytes_per_day as u64));
    if let Some(t) = f.rotation_interval_secs {
        s += &format!(", a new trail every {}", human_secs(t));
    }
    s += "\n";
    match &f.steady_state {
        SteadyState::Capped {
            peak_bytes,
            trails_kept,
            retention_secs,
            limited_by,
            ..
        } => {
            s += &format!(
                "  folder levels off at {} ({trails_kept} closed trails, {} of history; {limited_by} limit binds)\n",
                human_bytes(*peak_bytes),
                human_secs(*retention_secs)
            );
        }
        SteadyState::Unbounded { reason } => {
            s += &format!("  folder grows without bound: {reason}\n")
        }
        SteadyState::NoGrowth => s += "  no trail growth measured\n",
    }
    match &f.minfree {
        MinfreeOutlook::Never { cap_bytes } => {
            s += &format!(
                "  minfree: never, expiry caps the folder at {}\n",
                human_bytes(*cap_bytes)
            )
        }
        MinfreeOutlook::Reached { days } => {
            s += &format!("  minfree: reached in {}\n", human_secs(days * 86_400.0))
        }
        MinfreeOutlook::AlreadyBelow => s += "  minfree: already below\n",
        MinfreeOutlook::NoGrowth => s += "  minfree: not approaching (no growth)\n",
    }
    for w in &f.warnings {
        let level = match w.level {
            WarningLevel::Info => "note",
            WarningLevel::Warning => "warning",
            WarningLevel::Error => "error",
        };
        s += &format!("  {level}: {}\n", w.message);
    }
    s
}
