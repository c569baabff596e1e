//! `earshot trail …`: list trail folders, count what trails hold, print and export
//! records. Exit codes: 0 ok, 1 damage found (all readable data still shown), 2 error.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::output::Output;
use anyhow::{bail, Context, Result};
use audit_control::tables::{ClassTable, EventTable};
use clap::ArgAction;
use earshot_model::format::human_bytes;
use earshot_trail::render::{render_files, Format, RenderError};
use earshot_trail::{
    default_threads, stream_whole, summarise_many, FileDamage, Filter, FilterSpec, Inventory,
    Outcome, StatsReport, StreamEnd, SummaryCache, Tables, Trail, TrailName,
};

#[derive(clap::Subcommand)]
pub enum Args {
    /// List the trail files in audit folders (default /var/audit).
    Ls(LsArgs),
    /// Count records per class, event, hour and outcome in trail files or folders.
    // Boxed: the filter options make these large, and the top-level command enum
    // should not grow to the size of its largest subcommand.
    Stats(Box<StatsArgs>),
    /// Print records like `praudit -ln` (or as JSON / XML).
    Print(Box<PrintArgs>),
    /// Export selected records as NDJSON (or raw BSM, like auditreduce).
    Export(Box<ExportArgs>),
}

#[derive(clap::Args)]
pub struct LsArgs {
    /// Trail folders.
    #[arg(default_value = "/var/audit")]
    dirs: Vec<PathBuf>,
    /// JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// The auditreduce-style selection shared by stats, print and export.
#[derive(clap::Args, Clone, Default)]
pub struct FilterArgs {
    /// Records at or after this UTC time (2024-03-14, 2024-03-14T09:15:00Z, 20240314091500).
    #[arg(long, value_name = "TIME")]
    since: Option<String>,
    /// Records before this UTC time.
    #[arg(long, value_name = "TIME")]
    until: Option<String>,
    /// Classes by name or mask (comma list or repeated): --class lo,aa
    #[arg(long = "class", value_name = "CLASS", action = ArgAction::Append)]
    classes: Vec<String>,
    /// Events by name or number (comma list or repeated): --event AUE_EXECVE,72
    #[arg(long = "event", value_name = "EVENT", action = ArgAction::Append)]
    events: Vec<String>,
    /// Audit user id (auid), as a number or a user name (comma list or repeated);
    /// -1 is the unset auid.
    #[arg(long = "user", value_name = "USER", action = ArgAction::Append, allow_hyphen_values = true)]
    users: Vec<String>,
    /// Only records whose return status is success.
    #[arg(long, conflicts_with = "failure")]
    success: bool,
    /// Only records whose return status is a failure.
    #[arg(long)]
    failure: bool,
}

/// Which audit tables name events and classes.
#[derive(clap::Args, Clone, Default)]
pub struct TableArgs {
    /// audit_event file for event names and classes (default: Apple's, built in).
    #[arg(long = "events", value_name = "FILE")]
    events_file: Option<PathBuf>,
    /// audit_class file (default: Apple's, built in).
    #[arg(long = "classes", value_name = "FILE")]
    classes_file: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct StatsArgs {
    /// Trail files and/or folders of trails.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// JSON instead of text.
    #[arg(long)]
    json: bool,
    /// Where unfiltered per-file summaries are cached (default: the user cache folder,
    /// or $EARSHOT_CACHE_DIR).
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
    /// Read every file even if a cached summary matches.
    #[arg(long)]
    no_cache: bool,
    /// Files read in parallel (default: number of cores).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    #[command(flatten)]
    filter: FilterArgs,
    #[command(flatten)]
    tables: TableArgs,
}

#[derive(clap::Args)]
pub struct PrintArgs {
    /// Trail files and/or folders of trails.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// One JSON object per record (NDJSON).
    #[arg(long, conflicts_with = "xml")]
    json: bool,
    /// XML.
    #[arg(long)]
    xml: bool,
    /// Files rendered in parallel (default: number of cores); output stays in order.
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    #[command(flatten)]
    filter: FilterArgs,
    #[command(flatten)]
    tables: TableArgs,
}

#[derive(clap::Args)]
pub struct ExportArgs {
    /// Trail files and/or folders of trails.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Output file (`-` for standard output).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Write the selected records as a BSM trail instead of NDJSON.
    #[arg(long, conflicts_with = "ocsf")]
    bsm: bool,
    /// Write OCSF 1.9 events (NDJSON, one per record; docs/ocsf.md) instead of
    /// Earshot's record JSON.
    #[arg(long)]
    ocsf: bool,
    #[command(flatten)]
    device: OcsfDeviceArgs,
    /// Files rendered in parallel (default: number of cores); output stays in order.
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    #[command(flatten)]
    filter: FilterArgs,
    #[command(flatten)]
    tables: TableArgs,
}

/// The Mac the OCSF events' `device` describes (`--ocsf` only).
#[derive(clap::Args, Clone, Default)]
pub struct OcsfDeviceArgs {
    /// With --ocsf: the device's host name (default: this machine's).
    #[arg(long, value_name = "NAME", requires = "ocsf")]
    hostname: Option<String>,
    /// With --ocsf: the device's hardware UUID (IOPlatformUUID): `device.uid` and
    /// the host part of every event id (the host name otherwise).
    #[arg(long, value_name = "UUID", requires = "ocsf")]
    host_uid: Option<String>,
    /// With --ocsf: the macOS version the trails were written by (`device.os.version`).
    #[arg(long, value_name = "VERSION", requires = "ocsf")]
    os_version: Option<String>,
    /// With --ocsf: the Mac's model (`sysctl hw.model`), which also gives the
    /// device type (MacBook… → laptop).
    #[arg(long, value_name = "MODEL", requires = "ocsf")]
    model: Option<String>,
    /// With --ocsf: also keep each record's bytes, base64, in `unmapped.bsm.raw`.
    #[arg(long, requires = "ocsf")]
    raw: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    match args {
        Args::Ls(a) => ls(a),
        Args::Stats(a) => stats(*a),
        Args::Print(a) => print(*a),
        Args::Export(a) => export(*a),
    }
}

// ---------------------------------------------------------------- inputs

/// One file to read, and whether auditd may still append to it (its cut-off last
/// record is then not damage).
struct Input {
    path: PathBuf,
    growing: bool,
}

/// Expands folders to their trails (in time order) and keeps files as given.
fn expand(paths: &[PathBuf]) -> Result<Vec<Input>> {
    let mut out = Vec::new();
    for p in paths {
        let meta = fs::metadata(p).with_context(|| format!("cannot read {}", p.display()))?;
        if meta.is_dir() {
            let inv = Inventory::scan(std::slice::from_ref(p))?;
            out.extend(inv.trails.into_iter().map(|t| Input {
                growing: t.is_growing(),
                path: t.path,
            }));
        } else {
            // A file need not carry a trail name (copies, fixtures); when it does,
            // `not_terminated` means it may still grow. Resolve links first so
            // `/var/audit/current` is judged by the trail it points at.
            let real = fs::canonicalize(p).unwrap_or_else(|_| p.clone());
            let growing = real
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| TrailName::parse(n).ok())
                .is_some_and(|n| n.is_not_terminated());
            out.push(Input {
                path: p.clone(),
                growing,
            });
        }
    }
    Ok(out)
}

fn load_tables(args: &TableArgs) -> Result<Tables> {
    let classes = match &args.classes_file {
        Some(p) => ClassTable::parse(
            &fs::read(p).with_context(|| format!("cannot read audit_class {}", p.display()))?,
        ),
        None => ClassTable::apple(),
    };
    let events = match &args.events_file {
        Some(p) => EventTable::parse_with_classes(
            &fs::read(p).with_context(|| format!("cannot read audit_event {}", p.display()))?,
            &classes,
        ),
        // Apple's event → mask map; masks are numbers, so a custom audit_class only
        // changes the names the masks are shown with.
        None => EventTable::apple(),
    };
    Ok(Tables::new(events, classes))
}

fn build_filter(args: &FilterArgs, tables: &Tables) -> Result<Filter> {
    let mut users = Vec::new();
    for item in args.users.iter().flat_map(|s| s.split(',')) {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        users.push(resolve_user(item)?);
    }
    let spec = FilterSpec {
        since: args.since.clone(),
        until: args.until.clone(),
        classes: args.classes.clone(),
        events: args.events.clone(),
        users,
        outcome: match (args.success, args.failure) {
            (true, _) => Outcome::Success,
            (_, true) => Outcome::Failure,
            _ => Outcome::Any,
        },
    };
    Ok(Filter::compile(&spec, tables)?)
}

/// A number is an auid as is. A name is looked up with `id -u`, which asks the
/// system's user directory (Open Directory on a Mac, where /etc/passwd is not
/// the whole story). Note that the lookup describes *this* machine's users.
fn resolve_user(item: &str) -> Result<u32> {
    if let Ok(n) = item.parse::<u32>() {
        return Ok(n);
    }
    if item == "-1" {
        // praudit prints an unset auid (AU_DEFAUDITID) as -1.
        return Ok(u32::MAX);
    }
    let out = std::process::Command::new("id")
        .arg("-u")
        .arg(item)
        .output()
        .with_context(|| format!("--user {item}: cannot run `id -u` to look the name up"))?;
    if !out.status.success() {
        bail!("--user {item}: no such user on this machine (give the numeric auid instead)");
    }
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .with_context(|| format!("--user {item}: `id -u` printed something that is not a uid"))
}

/// Prints damage on stderr in plain words.
fn report_damage(damage: &[FileDamage]) {
    for d in damage {
        eprintln!(
            "earshot: damage in {} at byte {}: {}",
            d.file.display(),
            d.offset,
            d.message
        );
    }
}

fn exit_for(damaged: bool) -> ExitCode {
    if damaged {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn default_cache_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("EARSHOT_CACHE_DIR") {
        return Some(PathBuf::from(d));
    }
    let home = std::env::var_os("HOME").map(PathBuf::from);
    if cfg!(target_os = "macos") {
        return home.map(|h| h.join("Library/Caches/earshot/trails"));
    }
    match std::env::var_os("XDG_CACHE_HOME") {
        Some(x) if !x.is_empty() => Some(PathBuf::from(x).join("earshot/trails")),
        _ => home.map(|h| h.join(".cache/earshot/trails")),
    }
}

// ---------------------------------------------------------------- ls

fn ls(args: LsArgs) -> Result<ExitCode> {
    let inv = Inventory::scan(&args.dirs)?;
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    if args.json {
        serde_json::to_writer_pretty(&mut out, &inv)?;
        writeln!(out)?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    let name_w = inv
        .trails
        .iter()
        .map(|t| display_name(t).len())
        .max()
        .unwrap_or(4)
        .max(4);
    writeln!(
        out,
        "{:<name_w$}  {:<14}  {:>10}  {:<20}  {:<20}",
        "NAME", "STATE", "SIZE", "START (UTC)", "END (UTC)"
    )?;
    for t in &inv.trails {
        let end = match t.end {
            Some(e) => short_time(e),
            None if t.is_current => "(being written)".to_string(),
            None => "-".to_string(),
        };
        writeln!(
            out,
            "{:<name_w$}  {:<14}  {:>10}  {:<20}  {:<20}",
            display_name(t),
            t.state.as_str(),
            human_bytes(t.size),
            short_time(t.start),
            end
        )?;
    }
    writeln!(
        out,
        "{} trail{}, {} in all",
        inv.trails.len(),
        if inv.trails.len() == 1 { "" } else { "s" },
        human_bytes(inv.total_bytes())
    )?;
    for c in &inv.current {
        writeln!(
            out,
            "{} -> {}{}",
            c.link.display(),
            c.target.display(),
            if c.target_exists { "" } else { " (missing)" }
        )?;
    }
    for u in &inv.unknown {
        writeln!(out, "not a trail: {} ({})", u.path.display(), u.reason)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn display_name(t: &Trail) -> String {
    t.path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn short_time(t: earshot_trail::Timestamp) -> String {
    let s = t.to_string();
    // Drop the milliseconds: trail names have whole seconds.
    format!("{}Z", &s[..s.len().saturating_sub(5)])
}

// ---------------------------------------------------------------- stats

fn stats(args: StatsArgs) -> Result<ExitCode> {
    let tables = load_tables(&args.tables)?;
    let filter = build_filter(&args.filter, &tables)?;
    let inputs = expand(&args.paths)?;
    let cache = if args.no_cache {
        None
    } else {
        args.cache_dir
            .clone()
            .or_else(default_cache_dir)
            .map(SummaryCache::new)
    };
    let paths: Vec<PathBuf> = inputs.iter().map(|i| i.path.clone()).collect();
    let threads = args.threads.unwrap_or_else(default_threads);
    let mut summaries = Vec::with_capacity(paths.len());
    for r in summarise_many(&paths, &filter, cache.as_ref(), threads) {
        summaries.push(r?);
    }
    if let Some(c) = &cache {
        // Rotation renames trails and auditd expires them: drop their entries.
        c.prune();
    }
    let growing = |p: &Path| inputs.iter().any(|i| i.path == p && i.growing);
    let report = StatsReport::new(&summaries, growing, &tables);
    report_damage(&report.damage);

    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    if args.json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else {
        write_stats_text(&mut out, &report)?;
    }
    out.flush()?;
    Ok(exit_for(!report.damage.is_empty()))
}

fn write_stats_text(out: &mut impl Write, r: &StatsReport) -> io::Result<()> {
    let time = |t: Option<earshot_trail::Timestamp>| t.map_or("-".into(), |t| t.to_string());
    writeln!(out, "files      {}", r.files.len())?;
    writeln!(
        out,
        "bytes      {} read, {} in counted records",
        r.bytes, r.record_bytes
    )?;
    writeln!(out, "records    {}", r.records)?;
    writeln!(
        out,
        "outcome    {} success, {} failure, {} without a return token",
        r.successes, r.failures, r.without_return
    )?;
    writeln!(out, "first      {}", time(r.first))?;
    writeln!(out, "last       {}", time(r.last))?;
    writeln!(out, "damage     {}", r.damage.len())?;
    let section =
        |out: &mut dyn Write, title: &str, rows: Vec<(&String, &u64)>| -> io::Result<()> {
            if rows.is_empty() {
                return Ok(());
            }
            writeln!(out, "\n{title}")?;
            let w = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
            for (k, v) in rows {
                writeln!(out, "  {k:<w$}  {v:>10}")?;
            }
            Ok(())
        };
    section(out, "by class", by_count(&r.by_class))?;
    section(out, "by event", by_count(&r.by_event))?;
    section(out, "by hour (UTC)", r.by_hour.iter().collect())?;
    Ok(())
}

/// Rows sorted by count, largest first (ties by name).
fn by_count(m: &std::collections::BTreeMap<String, u64>) -> Vec<(&String, &u64)> {
    let mut v: Vec<(&String, &u64)> = m.iter().collect();
    v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    v
}

// ---------------------------------------------------------------- print / export

fn print(args: PrintArgs) -> Result<ExitCode> {
    let tables = load_tables(&args.tables)?;
    let filter = build_filter(&args.filter, &tables)?;
    let inputs = expand(&args.paths)?;
    let format = if args.json {
        Format::Json
    } else if args.xml {
        Format::Xml
    } else {
        Format::Praudit
    };
    let stdout = io::stdout();
    let out = BufWriter::with_capacity(1 << 20, stdout.lock());
    render(out, format, &filter, &tables, &inputs, args.threads)
}

fn export(args: ExportArgs) -> Result<ExitCode> {
    let tables = load_tables(&args.tables)?;
    let filter = build_filter(&args.filter, &tables)?;
    let inputs = expand(&args.paths)?;
    let format = if args.bsm { Format::Bsm } else { Format::Json };
    let ocsf = args.ocsf.then(|| ocsf_mapper(&args.device, &tables));
    if args.out == Path::new("-") {
        let stdout = io::stdout();
        let out = BufWriter::with_capacity(1 << 20, stdout.lock());
        return match &ocsf {
            Some(mapper) => export_ocsf(out, mapper, &filter, &inputs),
            None => render(out, format, &filter, &tables, &inputs, args.threads),
        };
    }
    // A regular file is written beside itself and renamed at the end, so an
    // interrupted export never leaves a plausible-looking partial file under
    // the requested name; a device or a pipe is written as it is.
    let mut output = Output::create(&args.out)?;
    let out = BufWriter::with_capacity(1 << 20, &mut output);
    let result = match &ocsf {
        Some(mapper) => export_ocsf(out, mapper, &filter, &inputs),
        None => render(out, format, &filter, &tables, &inputs, args.threads),
    };
    if result.is_ok() {
        output.commit()?;
    }
    result
}

/// The damage one input's read found, as print and export report it: the cut
/// tail of a growing trail is the record being written, not damage.
fn add_file_damage(damage: &mut Vec<FileDamage>, input: &Input, end: &StreamEnd) {
    let tail: &[_] = if input.growing { &[] } else { &end.tail };
    let unlisted = end.unlisted.note();
    damage.extend(
        end.damage
            .iter()
            .chain(tail)
            .chain(&unlisted)
            .map(|d| FileDamage {
                file: input.path.clone(),
                offset: d.offset,
                len: d.len,
                kind: d.kind.clone(),
                message: d.message.clone(),
            }),
    );
}

fn render<W: Write>(
    out: W,
    format: Format,
    filter: &Filter,
    tables: &Tables,
    inputs: &[Input],
    threads: Option<usize>,
) -> Result<ExitCode> {
    let files: Vec<(PathBuf, bool)> = inputs.iter().map(|i| (i.path.clone(), i.growing)).collect();
    let threads = threads.unwrap_or_else(default_threads);
    let ends = match render_files(&files, format, filter, tables, out, threads) {
        Ok(ends) => ends,
        // `earshot trail print … | head`: the reader went away; that is not an error.
        Err(RenderError::Write(e)) if e.kind() == io::ErrorKind::BrokenPipe => {
            return Ok(ExitCode::SUCCESS);
        }
        Err(e) => return Err(e).context("trail print/export failed"),
    };
    let mut damage = Vec::new();
    for (input, end) in inputs.iter().zip(&ends) {
        add_file_damage(&mut damage, input, end);
    }
    report_damage(&damage);
    Ok(exit_for(!damage.is_empty()))
}

// ---------------------------------------------------------------- export --ocsf

/// The mapper for `--ocsf`: the Mac named by the options (this machine by
/// default) and the event names of the tables in use.
fn ocsf_mapper(args: &OcsfDeviceArgs, tables: &Tables) -> earshot_ocsf::Mapper {
    let hostname = args.hostname.clone().unwrap_or_else(this_hostname);
    let device_type = args
        .model
        .as_deref()
        .map(earshot_ocsf::DeviceType::from_model)
        .unwrap_or_default();
    let host = earshot_ocsf::Host {
        hostname,
        uid: args.host_uid.clone(),
        os_version: args.os_version.clone(),
        os_build: None,
        model: args.model.clone(),
        device_type,
    };
    let options = earshot_ocsf::Options {
        raw_record: args.raw,
        ..Default::default()
    };
    earshot_ocsf::Mapper::with_options(tables.events(), host, options)
}

/// This machine's host name (`hostname`, as on a Mac), or `localhost`.
fn this_hostname() -> String {
    std::process::Command::new("hostname")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_string())
}

/// Output bytes gathered before each write.
const OCSF_BATCH: usize = 1 << 20;

/// One OCSF event per selected record, file after file, streamed in chunks
/// (constant memory). Damage is reported like print/export (stderr, exit 1).
fn export_ocsf<W: Write>(
    mut out: W,
    mapper: &earshot_ocsf::Mapper,
    filter: &Filter,
    inputs: &[Input],
) -> Result<ExitCode> {
    let mut line = Vec::with_capacity(OCSF_BATCH + (64 << 10));
    let mut damage = Vec::new();
    for input in inputs {
        // Event ids come from the trail's own name, not a link's (`current`).
        let real = fs::canonicalize(&input.path).unwrap_or_else(|_| input.path.clone());
        let trail = earshot_ocsf::TrailId::from_path(&real);
        let mut file = fs::File::open(&input.path)
            .with_context(|| format!("cannot read {}", input.path.display()))?;
        let mut write_err: Option<io::Error> = None;
        // The mapper decodes every token and says when one is damaged; only
        // then, or when the filter needs the subject or the return, are they
        // walked again (to report the damage as print and export do).
        let needs_tokens = filter.needs_tokens();
        let end = stream_whole(
            &mut file,
            0,
            |e, s, m| filter.header_passes(e, s, m),
            |rec| {
                if write_err.is_some() {
                    return false;
                }
                if needs_tokens {
                    let (s, damage) = bsm::scan::summarise(&rec);
                    if !filter.matches(s.event, s.sec, s.msec, s.auid, s.status) {
                        return damage.is_some();
                    }
                }
                let damaged = mapper.record(&mut line, &rec, &trail);
                if line.len() >= OCSF_BATCH {
                    if let Err(e) = out.write_all(&line) {
                        write_err = Some(e);
                    }
                    line.clear();
                }
                damaged
            },
        )
        .with_context(|| format!("cannot read {}", input.path.display()))?;
        if let Some(e) = write_err {
            return write_failed(e);
        }
        add_file_damage(&mut damage, input, &end);
    }
    if let Err(e) = out.write_all(&line).and_then(|()| out.flush()) {
        return write_failed(e);
    }
    report_damage(&damage);
    Ok(exit_for(!damage.is_empty()))
}

fn write_failed(e: io::Error) -> Result<ExitCode> {
    // `… | head`: the reader went away; that is not an error.
    if e.kind() == io::ErrorKind::BrokenPipe {
        return Ok(ExitCode::SUCCESS);
    }
    Err(e).context("cannot write the OCSF events")
}
