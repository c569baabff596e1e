//! `earshot sim`: create and run a simulated Mac (see docs/simulated-mac.md).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime};

use anyhow::{bail, Context, Result};
use clap::{Subcommand, ValueEnum};
use earshot_sim::{AuditingSetup, InitOptions, SimAuditd};
use earshot_sim::{Control, SimulatedMac};
use earshot_system::{from_unix, unix_f64, AuditCmd, Command, System, VirtualClock};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Auditing {
    /// audit_control from the profile, auditd enabled and running.
    On,
    /// What Apple ships: on up to macOS 13, off (audit_control.example only) from 14.
    Default,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Action {
    /// `audit -s`: re-read audit_control, rotate, expire.
    Sync,
    /// `audit -n`: rotate and expire.
    Rotate,
    /// `audit -e`: expire only.
    Expire,
    /// `audit -i`: start auditing (recovers a crashed trail).
    Init,
    /// `audit -t`: stop auditing.
    Terminate,
    /// Kill the simulated auditd without closing its trail.
    Crash,
}

#[derive(Debug, Subcommand)]
pub enum Args {
    /// Create a simulated Mac in DIR with N days of trails.
    Init {
        dir: PathBuf,
        /// macOS version to simulate (14 and later ship with auditing off).
        #[arg(long, default_value = "15.1")]
        macos: String,
        /// Days of trail history to generate, ending now.
        #[arg(long, default_value_t = 7.0)]
        days: f64,
        /// Workload profile: laptop, hardened-laptop, build-server.
        #[arg(long, default_value = "laptop")]
        profile: String,
        /// Random seed: the same seed and options give the same trails.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, value_enum, default_value = "on")]
        auditing: Auditing,
        /// End of the history as Unix seconds (default: now).
        #[arg(long)]
        now: Option<u64>,
    },
    /// Run the simulated auditd: append records as time passes and answer commands.
    Run {
        dir: PathBuf,
        /// Simulated seconds per real second.
        #[arg(long, default_value_t = 1.0)]
        speed: f64,
        /// Stop after this many simulated seconds (default: run until killed).
        #[arg(long = "for")]
        duration: Option<f64>,
        /// Real milliseconds between steps.
        #[arg(long, default_value_t = 1000)]
        tick_ms: u64,
    },
    /// Send an audit(8) command (or a crash) to the simulated auditd.
    Ctl { dir: PathBuf, action: Action },
    /// Move the simulated Mac's clock ahead (e.g. `3d`, `12h`); its auditd
    /// writes the time skipped, rotating and expiring as it goes.
    Advance {
        dir: PathBuf,
        /// A duration like 90s, 10m, 12h, 3d.
        by: String,
    },
    /// Every simulated user logs out and back in, so their sessions are
    /// audited with the current flags (what a flags step asks of a real user).
    Relogin { dir: PathBuf },
    /// Scale the simulated workload from now on (1 = the profile as defined;
    /// 3 = three times busier, e.g. to see a step cost more than predicted).
    Workload { dir: PathBuf, factor: f64 },
}

pub fn run(args: Args) -> Result<ExitCode> {
    match args {
        Args::Init {
            dir,
            macos,
            days,
            profile,
            seed,
            auditing,
            now,
        } => {
            let opts = InitOptions {
                macos_version: macos,
                days,
                profile,
                seed,
                auditing: match auditing {
                    Auditing::On => AuditingSetup::On,
                    Auditing::Default => AuditingSetup::AppleDefault,
                },
                now: now.map(from_unix).unwrap_or_else(SystemTime::now),
                audit_control: None,
            };
            let report = earshot_sim::init(&dir, &opts)
                .with_context(|| format!("creating a simulated Mac in {}", dir.display()))?;
            if report.auditing {
                println!(
                    "simulated Mac in {}: {} records, {} bytes written over {} days, {} rotations, {} trails expired",
                    dir.display(),
                    report.records,
                    report.bytes,
                    days,
                    report.rotations,
                    report.expired_files
                );
            } else {
                println!(
                    "simulated Mac in {}: auditing off (as Apple ships macOS {}); try `earshot status --root {}`",
                    dir.display(),
                    opts.macos_version,
                    dir.display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Args::Run {
            dir,
            speed,
            duration,
            tick_ms,
        } => run_daemon(&dir, speed, duration, tick_ms),
        Args::Advance { dir, by } => {
            let secs = earshot_tuning::measure::parse_duration(&by)?;
            if secs == 0 {
                bail!("advance by more than nothing (e.g. 3d)");
            }
            let mac = SimulatedMac::open(&dir)
                .with_context(|| format!("opening simulated Mac {}", dir.display()))?;
            if !mac.queue_for_host(&format!("advance {secs}"))? {
                let mut d = SimAuditd::load(mac.clone())?;
                let target = d.state().sim_time + secs as f64;
                let mut t = d.state().sim_time;
                while t < target {
                    t = (t + 86_400.0).min(target);
                    d.step_to(t)?;
                }
                d.save()?;
            }
            println!("simulated time moves ahead {by}");
            Ok(ExitCode::SUCCESS)
        }
        Args::Relogin { dir } => {
            let mac = SimulatedMac::open(&dir)
                .with_context(|| format!("opening simulated Mac {}", dir.display()))?;
            if !mac.queue_for_host("relogin")? {
                let mut d = SimAuditd::load(mac.clone())?;
                let t = d.state().sim_time;
                d.relogin(t)?;
                d.save()?;
            }
            println!("simulated users logged out and back in: sessions now take the current flags");
            Ok(ExitCode::SUCCESS)
        }
        Args::Workload { dir, factor } => {
            if !(factor.is_finite() && factor > 0.0) {
                bail!("the workload factor must be a positive number (1 = the profile as defined)");
            }
            let mac = SimulatedMac::open(&dir)
                .with_context(|| format!("opening simulated Mac {}", dir.display()))?;
            if !mac.queue_for_host(&format!("workload {factor}"))? {
                let mut d = SimAuditd::load(mac.clone())?;
                d.set_workload(factor);
                d.save()?;
            }
            println!("simulated workload ×{factor} from now on");
            Ok(ExitCode::SUCCESS)
        }
        Args::Ctl { dir, action } => {
            let mac = SimulatedMac::open(&dir)
                .with_context(|| format!("opening simulated Mac {}", dir.display()))?;
            let cmd = match action {
                Action::Sync => AuditCmd::Sync,
                Action::Rotate => AuditCmd::Rotate,
                Action::Expire => AuditCmd::Expire,
                Action::Init => AuditCmd::Init,
                Action::Terminate => AuditCmd::Terminate,
                Action::Crash => return crash(&mac),
            };
            let out = mac
                .run(Command::Audit(cmd))
                .context("running the simulated audit command")?;
            std::io::stdout().write_all(&out.stdout)?;
            std::io::stderr().write_all(&out.stderr)?;
            Ok(if out.success() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}

fn crash(mac: &SimulatedMac) -> Result<ExitCode> {
    let state = mac.load_state()?;
    if state.host_pid.is_some_and(SimulatedMac::process_alive) {
        let path = mac.control_path();
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .with_context(|| format!("opening {}", path.display()))?;
        writeln!(f, "crash")?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut d = SimAuditd::load(mac.clone())?;
    d.crash()?;
    d.save()?;
    Ok(ExitCode::SUCCESS)
}

fn run_daemon(dir: &Path, speed: f64, duration: Option<f64>, tick_ms: u64) -> Result<ExitCode> {
    if !(speed.is_finite() && speed > 0.0) {
        bail!("--speed must be a positive number");
    }
    let mac = SimulatedMac::open(dir)
        .with_context(|| format!("opening simulated Mac {}", dir.display()))?;
    let state = mac.load_state()?;
    // Simulated time continues from wherever the folder's history ends, or from now
    // if that is in the past (the Mac kept running while nobody simulated it).
    let start = unix_f64(SystemTime::now()).max(state.auditd.sim_time);
    let clock = VirtualClock::new(SystemTime::UNIX_EPOCH + Duration::from_secs_f64(start));
    let mac = mac.with_clock(clock.clone());
    let mut d = SimAuditd::load(mac.clone())?;
    d.set_host_pid(Some(std::process::id()));
    if !d.state().running && state.launchd_enabled && state.launchd_loaded {
        // Boot: launchd starts auditd and something issues `audit -i`.
        if let Err(e) = d.command(AuditCmd::Init, clock.now()) {
            eprintln!("earshot: simulated auditd did not start: {e}");
        }
    }
    d.save()?;
    eprintln!(
        "simulated auditd running on {} (speed ×{speed}); stop with Ctrl-C",
        dir.display()
    );
    let wall0 = Instant::now();
    let mut skipped = 0.0;
    loop {
        let elapsed = wall0.elapsed().as_secs_f64() * speed;
        let target = start + skipped + duration.map_or(elapsed, |d| elapsed.min(d));
        clock.set(SystemTime::UNIX_EPOCH + Duration::from_secs_f64(target));
        for line in mac.take_control_lines() {
            match earshot_sim::parse_control(&line) {
                Some(Control::Audit(cmd)) => {
                    if let Err(e) = d.command(cmd, clock.now()) {
                        eprintln!("earshot: simulated audit {}: {e}", cmd.flag());
                    }
                }
                Some(Control::Crash) => {
                    d.crash()?;
                    eprintln!(
                        "simulated auditd crashed; `earshot sim ctl {} init` recovers",
                        dir.display()
                    );
                }
                Some(Control::Workload(scale)) => d.set_workload(scale),
                Some(Control::Relogin) => d.relogin(unix_f64(clock.now()))?,
                Some(Control::Advance(secs)) => {
                    skipped += secs;
                    let target = start + skipped + wall0.elapsed().as_secs_f64() * speed;
                    let mut t = unix_f64(clock.now());
                    // The clock moves only past records already written (a
                    // reader never sees time the trail does not cover yet).
                    while t < target {
                        t = (t + 86_400.0).min(target);
                        d.step_to(t)?;
                        d.flush()?;
                        clock.set(SystemTime::UNIX_EPOCH + Duration::from_secs_f64(t));
                    }
                }
                None => eprintln!("earshot: ignoring unknown control line {line:?}"),
            }
        }
        let report = d.step(clock.now())?;
        for w in d.take_warnings() {
            eprintln!("audit_warn: {w}");
        }
        d.save()?;
        if report.records > 0 {
            eprintln!(
                "+{} records, +{} bytes{}",
                report.records,
                report.bytes,
                if report.rotations > 0 {
                    ", rotated"
                } else {
                    ""
                }
            );
        }
        if duration.is_some_and(|dur| elapsed >= dur) {
            break;
        }
        std::thread::sleep(Duration::from_millis(tick_ms));
    }
    d.set_host_pid(None);
    d.save()?;
    Ok(ExitCode::SUCCESS)
}
