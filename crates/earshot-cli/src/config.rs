//! `earshot config …` — check, explain, diff and edit `audit_control` the way
//! macOS reads it, and show what audit classes cover.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use audit_control::{
    audited_events, describe_expire, describe_mask, describe_policy, events_in_class, parse_flags,
    semantic_diff, AuditControl, ClassTable, Diagnostic, Dialect, Document, EffectivePolicy,
    EventTable, LineKind, Selector, Setting, Severity,
};
use serde::Serialize;

/// Where macOS keeps the file.
pub const DEFAULT_FILE: &str = "/etc/security/audit_control";

#[derive(clap::Subcommand)]
pub enum Args {
    /// Report every problem, risk and surprise in audit_control
    /// (exit 0 clean, 1 warnings only, 2 errors).
    Check(CheckArgs),
    /// Explain each line in plain words, as macOS really reads it.
    Explain(ExplainArgs),
    /// What changed in meaning between two audit_control files.
    Diff(DiffArgs),
    /// Set keys (validated, comments and other lines kept byte for byte) and print
    /// the edited file, or write it back with --in-place.
    Set(SetArgs),
    /// Which events an audit class (or a flags list such as `lo,-ex`) records.
    Events(EventsArgs),
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum DialectArg {
    /// macOS's libbsm (the value stops at the next `:`).
    Apple,
    /// Upstream OpenBSM (the value is the rest of the line).
    Upstream,
}

impl From<DialectArg> for Dialect {
    fn from(d: DialectArg) -> Dialect {
        match d {
            DialectArg::Apple => Dialect::Apple,
            DialectArg::Upstream => Dialect::Upstream,
        }
    }
}

#[derive(clap::Args)]
pub struct TableOpts {
    /// The machine's own audit_class (default: Apple's, built in).
    #[arg(long, value_name = "FILE")]
    classes: Option<PathBuf>,
    /// Read the file as this libbsm does.
    #[arg(long, value_enum, default_value = "apple")]
    dialect: DialectArg,
}

#[derive(clap::Args)]
pub struct CheckArgs {
    /// The audit_control file.
    #[arg(default_value = DEFAULT_FILE)]
    file: PathBuf,
    /// Machine-readable output.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    tables: TableOpts,
}

#[derive(clap::Args)]
pub struct ExplainArgs {
    /// The audit_control file.
    #[arg(default_value = DEFAULT_FILE)]
    file: PathBuf,
    /// Machine-readable output: every line with its notes and findings, and the
    /// typed reading.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    tables: TableOpts,
}

#[derive(clap::Args)]
pub struct DiffArgs {
    old: PathBuf,
    new: PathBuf,
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    tables: TableOpts,
}

#[derive(clap::Args)]
pub struct SetArgs {
    /// The audit_control file to edit (never /etc unless you name it).
    file: PathBuf,
    /// KEY=VALUE pairs (keys: flags, naflags, policy, minfree, filesz, expire-after).
    #[arg(value_name = "KEY=VALUE")]
    assignments: Vec<String>,
    /// Remove every line for KEY (repeatable).
    #[arg(long, value_name = "KEY")]
    unset: Vec<String>,
    /// Write the result back to FILE atomically (temp file + rename in the same
    /// folder, same owner and mode) instead of printing it.
    #[arg(long)]
    in_place: bool,
    /// The machine's own audit_class (default: Apple's, built in).
    #[arg(long, value_name = "FILE")]
    classes: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct EventsArgs {
    /// A class name (`lo`) or a flags list (`lo,aa,-ex`).
    #[arg(long, value_name = "CLASS", allow_hyphen_values = true)]
    class: String,
    /// The machine's own audit_event (default: Apple's, built in).
    #[arg(long, value_name = "FILE")]
    events: Option<PathBuf>,
    /// The machine's own audit_class (default: Apple's, built in).
    #[arg(long, value_name = "FILE")]
    classes: Option<PathBuf>,
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let result = match args {
        Args::Check(a) => check(a),
        Args::Explain(a) => explain(a),
        Args::Diff(a) => diff(a),
        Args::Set(a) => set(a),
        Args::Events(a) => events(a),
    };
    // `earshot config explain | head` closes the pipe early; that is not an error.
    match result {
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            Ok(ExitCode::SUCCESS)
        }
        other => other,
    }
}

fn read_file(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| {
        let mut msg = format!("cannot read {}", path.display());
        if path == Path::new(DEFAULT_FILE) {
            msg.push_str(
                " (on macOS 14 and later the file does not exist until audit_control.example is copied to it)",
            );
        }
        msg
    })
}

/// A class table plus the findings about the file it came from.
struct Classes {
    table: ClassTable,
    source: Option<PathBuf>,
}

fn load_classes(path: &Option<PathBuf>) -> Result<Classes> {
    Ok(match path {
        Some(p) => Classes {
            table: ClassTable::parse(&read_file(p)?),
            source: Some(p.clone()),
        },
        None => Classes {
            table: ClassTable::apple(),
            source: None,
        },
    })
}

fn print_diagnostic(out: &mut impl Write, file: &Path, d: &Diagnostic) -> std::io::Result<()> {
    if d.line == 0 {
        writeln!(
            out,
            "{}: {}[{}]: {}",
            file.display(),
            d.severity,
            d.code,
            d.message
        )?;
    } else {
        writeln!(
            out,
            "{}:{}:{}: {}[{}]: {}",
            file.display(),
            d.line,
            d.column,
            d.severity,
            d.code,
            d.message
        )?;
    }
    writeln!(out, "  hint: {}", d.hint)
}

#[derive(Serialize)]
struct FileDiagnostics<'a> {
    file: String,
    diagnostics: &'a [Diagnostic],
}

#[derive(Serialize)]
struct CheckReport<'a> {
    file: String,
    dialect: Dialect,
    diagnostics: &'a [Diagnostic],
    /// Findings about a `--classes` file, when one was given.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    table_diagnostics: Vec<FileDiagnostics<'a>>,
}

fn exit_for<'a>(diags: impl Iterator<Item = &'a Diagnostic>) -> ExitCode {
    match diags.map(|d| d.severity).max() {
        Some(Severity::Error) => ExitCode::from(2),
        Some(Severity::Warning) => ExitCode::from(1),
        _ => ExitCode::SUCCESS,
    }
}

fn check(a: CheckArgs) -> Result<ExitCode> {
    let bytes = read_file(&a.file)?;
    let classes = load_classes(&a.tables.classes)?;
    let ac = AuditControl::read_with(
        &Document::parse(&bytes),
        &classes.table,
        a.tables.dialect.into(),
    );
    let table_diags = classes.table.diagnostics();
    let mut out = std::io::stdout().lock();
    if a.json {
        let report = CheckReport {
            file: a.file.display().to_string(),
            dialect: ac.dialect(),
            diagnostics: ac.diagnostics(),
            table_diagnostics: classes
                .source
                .iter()
                .filter(|_| !table_diags.is_empty())
                .map(|p| FileDiagnostics {
                    file: p.display().to_string(),
                    diagnostics: table_diags,
                })
                .collect(),
        };
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else {
        if let Some(src) = &classes.source {
            for d in table_diags {
                print_diagnostic(&mut out, src, d)?;
            }
        }
        for d in ac.diagnostics() {
            print_diagnostic(&mut out, &a.file, d)?;
        }
        let count = |s| ac.diagnostics().iter().filter(|d| d.severity == s).count();
        let (e, w, i) = (
            count(Severity::Error),
            count(Severity::Warning),
            count(Severity::Info),
        );
        if e + w + i == 0 {
            writeln!(
                out,
                "{}: no findings — macOS reads every setting as written",
                a.file.display()
            )?;
        } else {
            writeln!(
                out,
                "{}: {e} error(s), {w} warning(s), {i} note(s)",
                a.file.display()
            )?;
        }
    }
    Ok(exit_for(ac.diagnostics().iter().chain(table_diags.iter())))
}

fn setting_words<T>(s: &Setting<T>, f: impl Fn(&T) -> String) -> String {
    match s {
        Setting::Missing => "not set".to_string(),
        Setting::NoValue { line } => format!("no value (line {line})"),
        Setting::Invalid { line, reason, .. } => format!("invalid on line {line}: {reason}"),
        Setting::Valid { line, value, .. } => format!("{} (line {line})", f(value)),
    }
}

#[derive(Serialize)]
struct ExplainedLine<'a> {
    line: u32,
    text: String,
    kind: &'static str,
    notes: Vec<&'a str>,
    diagnostics: Vec<&'a Diagnostic>,
}

#[derive(Serialize)]
struct ExplainReport<'a> {
    file: String,
    lines: Vec<ExplainedLine<'a>>,
    reading: &'a AuditControl,
}

fn explain(a: ExplainArgs) -> Result<ExitCode> {
    let bytes = read_file(&a.file)?;
    let classes = load_classes(&a.tables.classes)?;
    let doc = Document::parse(&bytes);
    let ac = AuditControl::read_with(&doc, &classes.table, a.tables.dialect.into());
    let mut out = std::io::stdout().lock();
    if a.json {
        let lines = (0..doc.lines().len())
            .map(|i| {
                let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
                ExplainedLine {
                    line: n,
                    text: String::from_utf8_lossy(doc.lines()[i].content()).into_owned(),
                    kind: match doc.line_kind(i) {
                        Some(LineKind::Comment) => "comment",
                        Some(LineKind::Blank) => "blank",
                        _ => "setting",
                    },
                    notes: ac.notes_for(n),
                    diagnostics: ac.diagnostics().iter().filter(|d| d.line == n).collect(),
                }
            })
            .collect();
        serde_json::to_writer_pretty(
            &mut out,
            &ExplainReport {
                file: a.file.display().to_string(),
                lines,
                reading: &ac,
            },
        )?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "{} — read as {} does:",
        a.file.display(),
        match ac.dialect() {
            Dialect::Apple => "macOS",
            Dialect::Upstream => "upstream OpenBSM",
        }
    )?;
    for (i, line) in doc.lines().iter().enumerate() {
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let text = String::from_utf8_lossy(line.content());
        writeln!(out)?;
        writeln!(out, "{n:>4} | {}", text.escape_debug())?;
        let notes = ac.notes_for(n);
        match doc.line_kind(i) {
            Some(LineKind::Comment) if line.content().len() <= 255 => {
                writeln!(out, "     = comment (ignored)")?;
            }
            Some(LineKind::Blank) => writeln!(out, "     = blank line (ignored)")?,
            _ if notes.is_empty() => {
                let ignored = ac
                    .diagnostics()
                    .iter()
                    .any(|d| d.line == n && d.code == "AC-KEY-DUPLICATE");
                if ignored {
                    writeln!(out, "     = ignored: an earlier line already sets this key")?;
                } else if line.content().first() == Some(&b'#') {
                    writeln!(out, "     = comment (ignored), but see below")?;
                } else {
                    writeln!(out, "     = not used by macOS")?;
                }
            }
            _ => {
                for note in notes {
                    writeln!(out, "     = {note}")?;
                }
            }
        }
        for d in ac.diagnostics().iter().filter(|d| d.line == n) {
            writeln!(out, "     {} [{}] {}", d.severity, d.code, d.message)?;
            writeln!(out, "       hint: {}", d.hint)?;
        }
    }
    let c = &classes.table;
    writeln!(out)?;
    writeln!(out, "In effect:")?;
    let dirs: Vec<String> = ac
        .dir_entries()
        .iter()
        .map(|d| {
            format!(
                "{}{}",
                d.path.escape_debug(),
                if d.usable { "" } else { " (skipped)" }
            )
        })
        .collect();
    writeln!(
        out,
        "  trail directories: {}",
        if dirs.is_empty() {
            "none".into()
        } else {
            dirs.join(", ")
        }
    )?;
    writeln!(
        out,
        "  flags (users, at login): {}",
        setting_words(ac.flags_setting(), |l| describe_mask(l.mask, c))
    )?;
    writeln!(
        out,
        "  naflags (daemons): {}",
        setting_words(ac.naflags_setting(), |l| describe_mask(l.mask, c))
    )?;
    writeln!(
        out,
        "  minfree: {}",
        setting_words(ac.minfree_setting(), |m| format!(
            "{} % (kernel trigger {:.1} %)",
            m.percent, m.kernel_threshold_percent
        ))
    )?;
    let policy = match ac.effective_policy() {
        EffectivePolicy::Applied { policy } => describe_policy(&policy),
        EffectivePolicy::KernelKeepsPrevious { .. } => {
            "refused by the kernel; whatever policy was set before stays".to_string()
        }
        EffectivePolicy::ForcedCnt => "missing or invalid, so auditd uses `cnt` alone".to_string(),
    };
    writeln!(out, "  policy: {policy}")?;
    writeln!(
        out,
        "  filesz: {}",
        setting_words(ac.filesz_setting(), |b| if *b == 0 {
            "0 — no size rotation".into()
        } else {
            audit_control::values::human_size(*b)
        })
    )?;
    writeln!(
        out,
        "  expire-after: {}",
        setting_words(ac.expire_after_setting(), describe_expire)
    )?;
    if !matches!(ac.host_setting(), Setting::Missing) {
        writeln!(
            out,
            "  host: {}",
            setting_words(ac.host_setting(), |h| h.clone())
        )?;
    }
    let file_level: Vec<&Diagnostic> = ac.diagnostics().iter().filter(|d| d.line == 0).collect();
    for d in file_level {
        writeln!(out, "  {} [{}] {}", d.severity, d.code, d.message)?;
        writeln!(out, "    hint: {}", d.hint)?;
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct DiffReport {
    old: String,
    new: String,
    changes: Vec<audit_control::Change>,
}

fn diff(a: DiffArgs) -> Result<ExitCode> {
    let classes = load_classes(&a.tables.classes)?;
    let dialect: Dialect = a.tables.dialect.into();
    let old = AuditControl::read_with(
        &Document::parse(&read_file(&a.old)?),
        &classes.table,
        dialect,
    );
    let new = AuditControl::read_with(
        &Document::parse(&read_file(&a.new)?),
        &classes.table,
        dialect,
    );
    let changes = semantic_diff(&old, &new);
    let mut out = std::io::stdout().lock();
    if a.json {
        serde_json::to_writer_pretty(
            &mut out,
            &DiffReport {
                old: a.old.display().to_string(),
                new: a.new.display().to_string(),
                changes,
            },
        )?;
        writeln!(out)?;
    } else if changes.is_empty() {
        writeln!(out, "No change in meaning.")?;
    } else {
        for c in &changes {
            writeln!(out, "{}", c.text)?;
            for r in &c.risks {
                writeln!(out, "  risk[{}]: {}", r.id, r.message)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn set(a: SetArgs) -> Result<ExitCode> {
    if a.assignments.is_empty() && a.unset.is_empty() {
        bail!("nothing to do: give KEY=VALUE pairs or --unset KEY");
    }
    let bytes = read_file(&a.file)?;
    let classes = load_classes(&a.classes)?;
    let before = Document::parse(&bytes);
    let mut doc = before.clone();
    for assignment in &a.assignments {
        let Some((key, value)) = assignment.split_once('=') else {
            bail!("`{assignment}` is not KEY=VALUE");
        };
        doc.set(key.trim(), value, &classes.table)
            .with_context(|| format!("{}: cannot set {}", a.file.display(), key.trim()))?;
    }
    for key in &a.unset {
        doc.remove(key)
            .with_context(|| format!("{}: cannot unset {key}", a.file.display()))?;
    }
    let changes = semantic_diff(
        &AuditControl::read(&before, &classes.table),
        &AuditControl::read(&doc, &classes.table),
    );
    let summary: Vec<String> = changes
        .iter()
        .flat_map(|c| {
            std::iter::once(c.text.clone()).chain(
                c.risks
                    .iter()
                    .map(|r| format!("  risk[{}]: {}", r.id, r.message)),
            )
        })
        .collect();
    let out_bytes = doc.to_bytes();
    if a.in_place {
        if out_bytes == bytes {
            println!("{}: unchanged", a.file.display());
        } else {
            write_atomically(&a.file, &out_bytes)?;
            println!("{}: updated", a.file.display());
            for s in &summary {
                println!("{s}");
            }
            println!(
                "macOS applies most settings after `sudo audit -s`; `flags` applies to new logins."
            );
        }
    } else {
        std::io::stdout().lock().write_all(&out_bytes)?;
        for s in &summary {
            eprintln!("{s}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Replaces `path` by a new file with `bytes`: temp file in the same folder,
/// same mode and owner, fsync, then rename(2) — libbsm re-opens the file when
/// its ctime changes, so readers see either the old or the new file, never half.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let meta = std::fs::symlink_metadata(path)
        .with_context(|| format!("cannot stat {}", path.display()))?;
    if meta.file_type().is_symlink() {
        bail!(
            "{} is a symbolic link; name the real file to edit it in place",
            path.display()
        );
    }
    if !meta.is_file() {
        bail!("{} is not a regular file", path.display());
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.earshot-{}.tmp", std::process::id()));
    let result = (|| -> Result<()> {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .with_context(|| format!("cannot create {}", tmp.display()))?;
        f.write_all(bytes)
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        f.set_permissions(std::fs::Permissions::from_mode(meta.mode() & 0o7777))
            .with_context(|| format!("cannot set the mode of {}", tmp.display()))?;
        let tmeta = f.metadata()?;
        if tmeta.uid() != meta.uid() || tmeta.gid() != meta.gid() {
            std::os::unix::fs::fchown(&f, Some(meta.uid()), Some(meta.gid())).with_context(
                || {
                    format!(
                        "cannot give the new file the owner {}:{} of {}",
                        meta.uid(),
                        meta.gid(),
                        path.display()
                    )
                },
            )?;
        }
        f.sync_all()
            .with_context(|| format!("cannot sync {}", tmp.display()))?;
        std::fs::rename(&tmp, path)
            .with_context(|| format!("cannot replace {}", path.display()))?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[derive(Serialize)]
struct EventRow<'a> {
    number: u16,
    name: &'a str,
    description: &'a str,
    classes: &'a [String],
    on_success: bool,
    on_failure: bool,
}

#[derive(Serialize)]
struct EventsReport<'a> {
    class: &'a str,
    mask: audit_control::ClassMask,
    events: Vec<EventRow<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    table_diagnostics: Vec<FileDiagnostics<'a>>,
}

fn events(a: EventsArgs) -> Result<ExitCode> {
    let classes = load_classes(&a.classes)?;
    let table = match &a.events {
        Some(p) => EventTable::parse_with_classes(&read_file(p)?, &classes.table),
        None => EventTable::apple(),
    };
    let list = parse_flags(a.class.as_bytes(), &classes.table).map_err(|e| {
        let known: Vec<&str> = classes
            .table
            .classes()
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        anyhow::anyhow!("--class {}: {e} (classes: {})", a.class, known.join(", "))
    })?;
    let rows: Vec<EventRow> = if list.mask.success == 0 && list.mask.failure == 0 {
        // `no` (or a list that cancels out): show the events that can never be selected.
        let zero = list.items.len() == 1
            && list.items[0].class_mask == 0
            && list.items[0].selector == Selector::Both;
        if zero {
            events_in_class(0, &table)
                .into_iter()
                .map(|e| EventRow {
                    number: e.number,
                    name: &e.name,
                    description: &e.description,
                    classes: &e.class_names,
                    on_success: false,
                    on_failure: false,
                })
                .collect()
        } else {
            Vec::new()
        }
    } else {
        audited_events(list.mask, &table)
            .into_iter()
            .map(|x| EventRow {
                number: x.event.number,
                name: &x.event.name,
                description: &x.event.description,
                classes: &x.event.class_names,
                on_success: x.on_success,
                on_failure: x.on_failure,
            })
            .collect()
    };
    let mut table_diagnostics = Vec::new();
    if let Some(p) = &classes.source {
        if !classes.table.diagnostics().is_empty() {
            table_diagnostics.push(FileDiagnostics {
                file: p.display().to_string(),
                diagnostics: classes.table.diagnostics(),
            });
        }
    }
    if let Some(p) = &a.events {
        if !table.diagnostics().is_empty() {
            table_diagnostics.push(FileDiagnostics {
                file: p.display().to_string(),
                diagnostics: table.diagnostics(),
            });
        }
    }
    let mut out = std::io::stdout().lock();
    if a.json {
        serde_json::to_writer_pretty(
            &mut out,
            &EventsReport {
                class: &a.class,
                mask: list.mask,
                events: rows,
                table_diagnostics,
            },
        )?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    for fd in &table_diagnostics {
        for d in fd.diagnostics {
            print_diagnostic(&mut out, Path::new(&fd.file), d)?;
        }
    }
    writeln!(
        out,
        "{}: {}",
        a.class,
        describe_mask(list.mask, &classes.table)
    )?;
    if list.mask.success == 0 && list.mask.failure == 0 {
        writeln!(
            out,
            "{} event(s) are mapped to class 0 and are never audited:",
            rows.len()
        )?;
    } else {
        writeln!(out, "{} event(s) audited:", rows.len())?;
    }
    for r in &rows {
        let when = match (r.on_success, r.on_failure) {
            (true, true) => "success+failure",
            (true, false) => "success",
            (false, true) => "failure",
            (false, false) => "never",
        };
        writeln!(
            out,
            "{:>6}  {:<28} {:<16} {} [{}]",
            r.number,
            r.name,
            when,
            r.description,
            r.classes.join(",")
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
