//! `earshot measure`: what some classes *would* cost on this Mac, measured without
//! changing audit_control (a trial: auditpipe in local preselection mode on a
//! Mac, the simulator's equivalent on a simulated one).
//!
//! Goes through the helper when one runs for the machine (a real Mac needs root
//! for `/dev/auditpipe`); otherwise works directly on the simulated Mac given
//! with `--root`. The result is also kept (per machine, newest side wins) in the
//! cache folder, where `earshot plan` picks it up and labels those classes
//! `measured`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use earshot_api::{Request, Response};
use earshot_sim::SimulatedMac;
use earshot_tuning::measure::{self, Measurement, Store, Trial};

use crate::status::{root_or_env, status_options};

#[derive(Debug, clap::Parser)]
pub struct Args {
    /// Classes to try for events with an audit user, as in audit_control's
    /// `flags` (e.g. `ad,-fr`).
    // Lists start with `-` (failures only): not an option.
    #[arg(long, value_name = "LIST", allow_hyphen_values = true)]
    pub classes: String,
    /// Classes to try for events without one (as in `naflags`); default none.
    #[arg(
        long,
        value_name = "LIST",
        default_value = "",
        allow_hyphen_values = true
    )]
    pub naflags: String,
    /// How long: 90s, 10m, 1h (at most 1h). On a simulated Mac the trial runs on
    /// simulated time and returns at once.
    #[arg(long = "for", value_name = "DURATION", default_value = "10m")]
    pub duration: String,
    /// The simulated Mac in DIR (also $EARSHOT_ROOT).
    #[arg(long)]
    pub root: Option<PathBuf>,
    /// Do not keep the result for `earshot plan`.
    #[arg(long)]
    pub no_save: bool,
    #[arg(long)]
    pub json: bool,
}

/// The cache key of a machine: `mac`, or the simulated Mac's folder reduced to a
/// stable name (FNV-1a of its canonical path), so two simulated Macs never mix.
pub fn machine_key(root: Option<&Path>) -> String {
    match root {
        None => "mac".to_string(),
        Some(r) => {
            let canon = std::fs::canonicalize(r).unwrap_or_else(|_| r.to_path_buf());
            let mut h: u64 = 0xcbf2_9ce4_8422_2325;
            for b in canon.to_string_lossy().bytes() {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0000_0100_0000_01b3);
            }
            format!("sim-{h:016x}")
        }
    }
}

/// Where `earshot measure` keeps trials for this machine (None without a cache
/// folder).
pub fn store_file(root: Option<&Path>) -> Option<PathBuf> {
    status_options(None, false)
        .cache_dir
        .map(|c| measure::store_path(&c, &machine_key(root)))
}

pub fn run(args: Args) -> Result<ExitCode> {
    let root = root_or_env(args.root.clone());
    let secs = measure::parse_duration(&args.duration)?;
    let (m, via) = match crate::helper_client::try_connect(root.as_deref()) {
        Some(mut client) => {
            let request = Request::Measure {
                flags: args.classes.clone(),
                naflags: args.naflags.clone(),
                duration_secs: secs,
            };
            if secs > 60 {
                eprintln!(
                    "earshot: measuring through the helper for {} …",
                    args.duration
                );
            }
            match client.call(request) {
                Ok(Response::Measured(r)) => {
                    // The protocol's report has the core type's fields.
                    let m: Measurement = serde_json::from_value(serde_json::to_value(r)?)
                        .context("reading the helper's measurement")?;
                    (m, "helper")
                }
                Ok(other) => bail!("unexpected answer {other:?}"),
                Err(earshot_api::ClientError::Api(e)) => {
                    eprintln!("earshot: the helper refused: {}", e.reason);
                    return Ok(ExitCode::from(1));
                }
                Err(e) => return Err(e.into()),
            }
        }
        None => (direct(root.as_deref(), &args, secs)?, "direct"),
    };
    let mut saved = None;
    if !args.no_save {
        if let Some(path) = store_file(root.as_deref()) {
            let mut store = Store::load(&path)?;
            store.record(&m, std::time::SystemTime::now());
            store.save(&path)?;
            saved = Some(path);
        }
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&m)?);
    } else {
        print!("{}", render(&m, via));
        if let Some(p) = saved {
            println!("(kept for `earshot plan` in {})", p.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// No helper: the simulated Mac in its folder, or (macOS, as root) the pipe.
fn direct(root: Option<&Path>, args: &Args, secs: u64) -> Result<Measurement> {
    match root {
        Some(r) => {
            let mac = SimulatedMac::open(r)
                .with_context(|| format!("opening simulated Mac {}", r.display()))?;
            let (classes, _) = earshot_system::audit_tables(&mac);
            let trial = Trial::parse(&args.classes, &args.naflags, secs, &classes)?;
            Ok(earshot_sim::trial::simulate_mac(&mac, &trial)?)
        }
        None => pipe(args, secs),
    }
}

#[cfg(target_os = "macos")]
fn pipe(args: &Args, secs: u64) -> Result<Measurement> {
    use earshot_tuning::measure::MeasureError;
    let sys = earshot_system::MacOs::new();
    let (classes, events) = earshot_system::audit_tables(&sys);
    let trial = Trial::parse(&args.classes, &args.naflags, secs, &classes)?;
    measure::auditpipe::measure(&trial, &classes, events).map_err(|e| match e {
        // The device is root:wheel 0600 (macos_ops.md §6); other failures (auditing
        // off, a failed ioctl) say what they are without this hint.
        MeasureError::Io { ref source, .. }
            if source.kind() == std::io::ErrorKind::PermissionDenied =>
        {
            anyhow::Error::new(e)
                .context("measuring without the helper needs root (sudo) for /dev/auditpipe")
        }
        e => e.into(),
    })
}

#[cfg(not(target_os = "macos"))]
fn pipe(_args: &Args, _secs: u64) -> Result<Measurement> {
    bail!("no helper is running and this is not a Mac: give --root DIR for a simulated Mac")
}

fn per_day(n: u64, secs: u64) -> f64 {
    n as f64 * 86_400.0 / secs.max(1) as f64
}

/// The trial in words: per class side, counted and per day.
pub fn render(m: &Measurement, via: &str) -> String {
    let mut s = format!(
        "Trial of flags `{}`{} for {} s ({} {}{}): {} records, {} bytes\n\n",
        m.flags,
        if m.naflags.is_empty() {
            String::new()
        } else {
            format!(", naflags `{}`", m.naflags)
        },
        m.duration_secs,
        m.method,
        if m.method == "simulator" {
            "on simulated time, "
        } else {
            ""
        },
        via,
        m.records,
        m.bytes
    );
    s.push_str("  class       events   events/day      MB/day\n");
    for c in &m.classes {
        for (sign, side) in [("+", c.success), ("-", c.failure)] {
            if let Some(n) = side {
                s.push_str(&format!(
                    "  {sign}{:<4} {:>12} {:>12.0} {:>11.2}\n",
                    c.class,
                    n.events,
                    per_day(n.events, m.duration_secs),
                    per_day(n.bytes, m.duration_secs) / 1e6
                ));
            }
        }
    }
    if m.dropped > 0 {
        s.push_str(&format!(
            "\n  the pipe dropped {} records: the figures are a floor\n",
            m.dropped
        ));
    }
    s.push_str("\n  (an event counts toward every class it belongs to)\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn machine_keys_differ_per_folder_and_are_stable() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        assert_eq!(machine_key(None), "mac");
        assert_eq!(machine_key(Some(a.path())), machine_key(Some(a.path())));
        assert_ne!(machine_key(Some(a.path())), machine_key(Some(b.path())));
        assert!(machine_key(Some(a.path())).starts_with("sim-"));
    }
}
