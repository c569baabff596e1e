//! Fleet commands: `earshot ea` (one inventory value for an MDM, read from the
//! helper's snapshot) and `earshot managed` (what a configuration profile
//! forces, and what it sets wrong).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Result};
use clap::{Subcommand, ValueEnum};
use earshot_fleet::ea::{self, Format, FIELDS};
use earshot_model::snapshot::SNAPSHOT_PATH;

use crate::status::{open_system, root_or_env};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    /// `<result>VALUE</result>` (dates `YYYY-MM-DD hh:mm:ss`, UTC).
    Jamf,
    /// The bare value (dates ISO-8601).
    Intune,
    /// One line; exit 0 when healthy, 1 when not.
    Kandji,
    /// `{"field", "value", "stale", "generated_at"}`.
    Json,
}

#[derive(Debug, clap::Parser)]
pub struct EaArgs {
    /// The value to print (`--list` shows them all).
    #[arg(required_unless_present = "list")]
    pub field: Option<String>,
    #[arg(long, value_enum, default_value = "intune")]
    pub format: FormatArg,
    /// Read the snapshot of the simulated Mac in DIR (also $EARSHOT_ROOT).
    #[arg(long)]
    pub root: Option<PathBuf>,
    /// List the fields, their types and what they mean.
    #[arg(long)]
    pub list: bool,
}

/// The snapshot file of `root` (or this Mac's).
fn snapshot_file(root: Option<&Path>) -> PathBuf {
    match root {
        Some(r) => r.join(SNAPSHOT_PATH.trim_start_matches('/')),
        None => PathBuf::from(SNAPSHOT_PATH),
    }
}

fn now_unix(root: Option<&Path>) -> u64 {
    // A simulated Mac runs on its own clock; its snapshot's age is measured
    // on that clock, as the helper writing it sees time.
    if let Some(r) = root {
        if let Ok(sys) = open_system(Some(r)) {
            return earshot_system::unix_secs(sys.0.now());
        }
    }
    earshot_system::unix_secs(std::time::SystemTime::now())
}

/// `earshot ea`: exactly one value, never a wait. Reading fails soft: the MDM
/// gets `Error`/`Stale` and the exit code its format documents.
pub fn run_ea(args: EaArgs) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    if args.list {
        for f in FIELDS {
            writeln!(
                out,
                "{:<16} {:<8} {}",
                f.name,
                f.data_type.jamf(),
                f.description
            )?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let name = args.field.unwrap_or_default();
    let Some(field) = ea::field(&name) else {
        bail!(
            "unknown field {name:?}; one of: {}",
            FIELDS.iter().map(|f| f.name).collect::<Vec<_>>().join(", ")
        );
    };
    let root = root_or_env(args.root);
    let bytes = std::fs::read(snapshot_file(root.as_deref())).ok();
    let now = now_unix(root.as_deref());
    let read = ea::read(bytes.as_deref(), now);
    let format = match args.format {
        FormatArg::Jamf => Format::Jamf,
        FormatArg::Intune => Format::Intune,
        FormatArg::Kandji => Format::Kandji,
        FormatArg::Json => Format::Json,
    };
    let (text, code) = ea::render(field, &read, format, now);
    writeln!(out, "{text}")?;
    Ok(ExitCode::from(code))
}

#[derive(Debug, Subcommand)]
pub enum ManagedArgs {
    /// What the configuration profile for org.earshot.Earshot forces here.
    Show {
        #[arg(long)]
        root: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Every key the profile sets that Earshot cannot take (unknown, wrong
    /// type, out of range, a rule id mSCP does not have); exit 1 when any.
    Validate {
        #[arg(long)]
        root: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
}

pub fn run_managed(args: ManagedArgs) -> Result<ExitCode> {
    let (root, json, validate) = match args {
        ManagedArgs::Show { root, json } => (root, json, false),
        ManagedArgs::Validate { root, json } => (root, json, true),
    };
    let (sys, _) = open_system(root_or_env(root).as_deref())?;
    let managed = if validate {
        earshot_fleet::managed::validate(sys.as_ref())?
    } else {
        earshot_fleet::managed::read(sys.as_ref())
    };
    let mut out = std::io::stdout().lock();
    let code = if validate && !managed.problems.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    };
    if json {
        serde_json::to_writer_pretty(&mut out, &managed)?;
        writeln!(out)?;
        return Ok(code);
    }
    if !managed.profile {
        writeln!(
            out,
            "No configuration profile sets {}: every choice is the user's.",
            earshot_model::managed::DOMAIN
        )?;
        return Ok(code);
    }
    let keys = earshot_fleet::managed::forced_keys(&managed);
    writeln!(
        out,
        "The profile for {} forces: {}",
        earshot_model::managed::DOMAIN,
        if keys.is_empty() {
            "nothing Earshot reads".to_string()
        } else {
            keys.join(", ")
        }
    )?;
    let show = |v: Option<bool>| v.map_or("(not set)".to_string(), |b| b.to_string());
    writeln!(
        out,
        "  EnableMenuItem      {}",
        show(managed.enable_menu_item)
    )?;
    writeln!(
        out,
        "  AllowUserTuning     {}",
        show(managed.allow_user_tuning)
    )?;
    writeln!(
        out,
        "  AllowRollback       {}",
        show(managed.allow_rollback)
    )?;
    writeln!(
        out,
        "  Baseline            {}",
        managed.baseline.map_or("(not set: cis-l1)", |b| b.name())
    )?;
    for (rule, v) in &managed.tailoring.odv {
        writeln!(out, "  ODV {rule} = {v}")?;
    }
    for (rule, why) in &managed.tailoring.exemptions {
        writeln!(out, "  exempt {rule}: {why}")?;
    }
    if managed.problems.is_empty() {
        writeln!(out, "No problems.")?;
    } else {
        writeln!(out, "Ignored:")?;
        for p in &managed.problems {
            writeln!(out, "  {}: {}", p.key, p.message)?;
        }
    }
    Ok(code)
}
