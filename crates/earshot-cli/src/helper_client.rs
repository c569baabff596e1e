//! Commands that go through the privileged helper: apply, confirm, rollback,
//! history, rotate, expire, enable, pair.
//!
//! Every one connects to the helper's socket (`/var/run/earshot/helper.sock`, or
//! `DIR/run/earshot/helper.sock` for the simulated Mac given with `--root DIR` or
//! `$EARSHOT_ROOT`) and authenticates with the install secret kept in this user's
//! keyring (Keychain on macOS, a 0600 file store elsewhere).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use earshot_api::{
    paths, ApiError, AppliedReport, BlockingClient, ChangeTerms, ClientError, ErrorCode,
    HistoryReport, KeyStore, Request, RevisionInfo,
};

#[derive(clap::Args)]
pub struct Target {
    /// The simulated Mac whose helper to use (default: $EARSHOT_ROOT, else the real Mac).
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
}

impl Target {
    fn root(&self) -> Option<PathBuf> {
        self.root
            .clone()
            .or_else(|| std::env::var_os("EARSHOT_ROOT").map(PathBuf::from))
    }
}

#[derive(clap::Args)]
pub struct ChangeOpts {
    /// Acknowledge a risky change by its id (repeatable), e.g. --ack drop-cnt.
    #[arg(long = "ack", value_name = "RISK")]
    acks: Vec<String>,
    /// Revert automatically unless `earshot confirm` runs within this many seconds.
    #[arg(long, value_name = "SECS")]
    confirm_within: Option<u64>,
    /// Why (kept in history).
    #[arg(long, default_value = "")]
    reason: String,
    /// Print the helper's answer as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Subcommand)]
pub enum Args {
    /// Validate and apply an audit_control file through the helper (atomic, recorded,
    /// undoable) — or, with --plan, the next step of the tuning ladder.
    Apply {
        /// The new audit_control.
        #[arg(required_unless_present_any = ["plan", "tweak"], conflicts_with_all = ["plan", "tweak"])]
        file: Option<PathBuf>,
        /// Apply the next ladder step (`earshot plan`) and record its prediction
        /// for `earshot plan --review`.
        #[arg(long)]
        plan: bool,
        /// With --plan: where the ladder leads (next, cis-l1, cis-l2, stig, 800-53-moderate, …).
        #[arg(
            long = "target",
            value_name = "TARGET",
            default_value = "next",
            requires = "plan"
        )]
        goal: String,
        /// With --plan: days to soak before the review (default: the rule of
        /// docs/tuning-guide.md for the step, one day to two weeks).
        #[arg(long, value_name = "DAYS", conflicts_with = "file")]
        soak_days: Option<f64>,
        /// With --plan: apply although the previous step is still soaking. Its
        /// review is then skipped (recorded with the new step): you may stack a
        /// second cost on a first you have not measured.
        #[arg(long, conflicts_with = "file")]
        skip_soak: bool,
        /// Apply a tweak the review proposes (`earshot plan --review` lists
        /// them: retention, drop:CLASS): itself a step with its prediction,
        /// soaked in its turn.
        #[arg(long, value_name = "ID", conflicts_with = "plan")]
        tweak: Option<String>,
        #[command(flatten)]
        change: ChangeOpts,
        #[command(flatten)]
        target: Target,
    },
    /// Keep a change applied with --confirm-within (stops its auto-revert).
    Confirm {
        /// The pending revision (default: whatever is pending).
        revision: Option<u64>,
        #[command(flatten)]
        target: Target,
    },
    /// Put back the audit_control of an earlier revision (default: the one before the newest).
    Rollback {
        revision: Option<u64>,
        #[command(flatten)]
        change: ChangeOpts,
        #[command(flatten)]
        target: Target,
    },
    /// Every change to audit_control, newest first, with its hash chain verified.
    History {
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Show what each revision changed.
        #[arg(long)]
        diff: bool,
        /// Show at most this many revisions (default: all of them, fetched a
        /// page at a time).
        #[arg(long)]
        limit: Option<u32>,
        /// Start below this revision number (the `next_before` of a page).
        #[arg(long)]
        before: Option<u64>,
        #[command(flatten)]
        target: Target,
    },
    /// Close the current trail and start a new one (`audit -n`).
    Rotate {
        #[command(flatten)]
        target: Target,
    },
    /// Remove old trails per expire-after (`audit -e`).
    Expire {
        #[command(flatten)]
        target: Target,
    },
    /// Pair this user with the helper: store its install secret in this user's keyring.
    Pair {
        /// Read the secret from standard input (macOS:
        /// `sudo cat /var/db/earshot/secret | earshot pair --stdin`).
        #[arg(long)]
        stdin: bool,
        #[command(flatten)]
        target: Target,
    },
}

/// Connect and authenticate; with a simulated Mac whose secret file this user
/// can read, pair automatically first.
fn connect(root: Option<&Path>) -> Result<BlockingClient> {
    let keys = KeyStore::platform().context("opening the keyring")?;
    BlockingClient::connect_paired(root, &keys).map_err(explain)
}

/// A connection to the helper if one runs for this machine; `None` otherwise
/// (with a note on stderr when a helper answered but could not be used, e.g.
/// this user is not paired).
pub fn try_connect(root: Option<&Path>) -> Option<BlockingClient> {
    let keys = KeyStore::platform().ok()?;
    match BlockingClient::connect_paired(root, &keys) {
        Ok(c) => Some(c),
        // No socket, or a stale one: no helper runs.
        Err(ClientError::Connect { .. }) => None,
        Err(e) => {
            eprintln!("earshot: a helper is running but cannot be used ({e}); reading directly");
            None
        }
    }
}

fn explain(e: ClientError) -> anyhow::Error {
    match &e {
        ClientError::Connect { .. } => anyhow::anyhow!(
            "{e}\n(is the helper running? On Linux: `earshot-helper --root DIR`)"
        ),
        ClientError::NoSecret { .. } => anyhow::anyhow!(
            "{e}\n(run `earshot pair`; on macOS: `sudo cat /var/db/earshot/secret | earshot pair --stdin`)"
        ),
        _ => anyhow::Error::new(e),
    }
}

/// A refusal the user can act on: say what to do and exit 1.
/// What `apply` applies as a tuning step.
enum StepChoice {
    /// The next rung toward this target.
    Ladder(String),
    /// A tweak the review proposes, by id.
    Tweak(String),
}

/// A refusal; with --json also the error object on stdout, for scripts.
fn refused_as(e: &ApiError, json: bool) -> ExitCode {
    if json {
        println!(
            "{}",
            serde_json::json!({ "error": serde_json::to_value(e).unwrap_or_default() })
        );
    }
    refused(e)
}

fn refused(e: &ApiError) -> ExitCode {
    eprintln!("earshot: the helper refused: {}", e.reason);
    match e.code {
        ErrorCode::AckRequired => {
            for r in &e.missing_acks {
                eprintln!("  risk {}: {}", r.id, r.message);
            }
            let flags: Vec<_> = e
                .missing_acks
                .iter()
                .map(|r| format!("--ack {}", r.id))
                .collect();
            eprintln!("  to apply anyway, add: {}", flags.join(" "));
        }
        ErrorCode::Validation => {
            for d in &e.diagnostics {
                eprintln!(
                    "  {}:{}: {}: {} [{}]",
                    d.line, d.column, d.severity, d.message, d.code
                );
            }
        }
        ErrorCode::BaseChanged => {
            eprintln!("  audit_control changed meanwhile; review `earshot history` and try again")
        }
        ErrorCode::Soaking => eprintln!(
            "  review it with `earshot plan --review` when the soak ends, or add --skip-soak to go on anyway"
        ),
        _ => {}
    }
    ExitCode::from(1)
}

/// A helper's answer, with its refusals (which the user can act on) apart
/// from failures to talk to it.
fn answer<T>(r: std::result::Result<T, ClientError>) -> Result<std::result::Result<T, ApiError>> {
    match r {
        Ok(t) => Ok(Ok(t)),
        Err(ClientError::Api(e)) => Ok(Err(e)),
        Err(e) => Err(e.into()),
    }
}

fn terms(base_hash: String, c: &ChangeOpts) -> ChangeTerms {
    ChangeTerms {
        base_hash,
        acks: c.acks.clone(),
        reason: c.reason.clone(),
        confirm_within_secs: c.confirm_within,
    }
}

fn print_applied(r: &AppliedReport, json: bool) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(r)?);
        return Ok(());
    }
    if r.unchanged {
        println!(
            "audit_control already is that; nothing to do (revision {})",
            r.revision
        );
        return Ok(());
    }
    println!("applied: revision {}", r.revision);
    for c in &r.changes {
        println!("  {}", c.summary);
    }
    if let Some(p) = &r.pending {
        println!(
            "reverts automatically at {} unless you run `earshot confirm {}`",
            utc(p.deadline_unix),
            p.revision
        );
    }
    if let Some(w) = &r.reload_warning {
        println!("note: audit -s failed ({w}); the change takes effect when auditd starts");
    }
    Ok(())
}

/// `YYYY-MM-DD HH:MM:SSZ` (UTC) for a unix time, via the civil-from-days
/// algorithm (H. Hinnant), so history reads without a date library.
fn utc(unix: u64) -> String {
    let secs = unix % 86_400;
    // unix / 86 400 < 2^48: exact as i64.
    let (year, month, day) = bsm::text::civil_from_days((unix / 86_400) as i64);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

fn source_word(r: &RevisionInfo) -> String {
    serde_json::to_value(r.source)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn print_history(h: &HistoryReport, diff: bool) {
    for r in &h.revisions {
        let confirmation = r
            .confirmation
            .and_then(|c| serde_json::to_value(c).ok())
            .and_then(|v| v.as_str().map(|s| format!(" [{s}]")))
            .unwrap_or_default();
        println!(
            "{:>4}  {}  {:<12} {:<16} {}{}",
            r.number,
            utc(r.time_unix),
            source_word(r),
            r.user,
            r.reason,
            confirmation
        );
        if diff {
            for c in &r.changes {
                println!("        {}", c.summary);
            }
            if !r.acks.is_empty() {
                println!("        acknowledged: {}", r.acks.join(", "));
            }
        }
    }
    match &h.chain_problem {
        None => println!("history chain: intact"),
        Some(p) => println!("history chain: BROKEN: {p}"),
    }
}

pub fn run(args: Args) -> Result<ExitCode> {
    match args {
        Args::Apply {
            file: None,
            goal,
            soak_days,
            skip_soak,
            tweak,
            change,
            target,
            ..
        } => {
            let what = match tweak {
                Some(id) => StepChoice::Tweak(id),
                None => StepChoice::Ladder(goal),
            };
            apply_plan(
                target.root().as_deref(),
                &what,
                soak_days,
                skip_soak,
                &change,
            )
        }
        Args::Apply {
            file: Some(file),
            change,
            target,
            ..
        } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let mut client = connect(target.root().as_deref())?;
            let current = client.read_config()?;
            match answer(client.apply(text, terms(current.hash, &change)))? {
                Ok(r) => {
                    print_applied(&r, change.json)?;
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => Ok(refused(&e)),
            }
        }
        Args::Confirm { revision, target } => {
            let mut client = connect(target.root().as_deref())?;
            match answer(client.confirm(revision))? {
                Ok(revision) => {
                    println!("confirmed: revision {revision} stays");
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => Ok(refused(&e)),
            }
        }
        Args::Rollback {
            revision,
            change,
            target,
        } => {
            let mut client = connect(target.root().as_deref())?;
            let h = client.history(Some(2))?;
            let revision = match revision {
                Some(r) => r,
                None => match h.revisions.get(1) {
                    Some(r) => r.number,
                    None => bail!("there is no earlier revision to roll back to"),
                },
            };
            let current = client.read_config()?;
            match answer(client.rollback(revision, terms(current.hash, &change)))? {
                Ok(r) => {
                    print_applied(&r, change.json)?;
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => Ok(refused(&e)),
            }
        }
        Args::History {
            json,
            diff,
            limit,
            before,
            target,
        } => {
            let mut client = connect(target.root().as_deref())?;
            // The helper answers a page at a time (each fits one frame); put
            // the pages together until the limit or the oldest revision.
            let mut before = before;
            let mut h: Option<earshot_api::HistoryReport> = None;
            loop {
                let want = limit.map(|l| {
                    let have = h.as_ref().map_or(0, |h| h.revisions.len());
                    (l as usize).saturating_sub(have) as u32
                });
                if want == Some(0) {
                    break;
                }
                let page = client
                    .history_page(want.map(|w| w.min(earshot_api::MAX_HISTORY_PAGE)), before)?;
                before = page.next_before;
                match &mut h {
                    None => h = Some(page),
                    Some(all) => {
                        all.revisions.extend(page.revisions);
                        all.next_before = page.next_before;
                    }
                }
                if before.is_none() {
                    break;
                }
            }
            let Some(h) = h else {
                bail!("--limit 0 asks for nothing");
            };
            if json {
                println!("{}", serde_json::to_string_pretty(&h)?);
            } else {
                print_history(&h, diff);
            }
            Ok(if h.chain_intact {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Args::Rotate { target } => {
            simple(target, Request::Rotate, "rotated: a new trail was started")
        }
        Args::Expire { target } => simple(
            target,
            Request::Expire,
            "expired old trails per expire-after",
        ),
        Args::Pair { stdin, target } => {
            let keys = KeyStore::platform().context("opening the keyring")?;
            let install_id = if stdin {
                let mut text = String::new();
                std::io::stdin()
                    .read_to_string(&mut text)
                    .context("reading the secret from standard input")?;
                keys.import_text(&text)?
            } else {
                let root = target.root();
                let file = paths::secret(root.as_deref());
                keys.import(&file).with_context(|| {
                    format!(
                        "reading {} (on macOS use --stdin with sudo cat)",
                        file.display()
                    )
                })?
            };
            println!("paired with helper install {install_id}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `earshot apply --plan`: the ladder's next step as the helper plans it on
/// the Mac as it is now, shown, then applied by the helper as one action (it
/// plans again under its lock and refuses if that is no longer the step shown),
/// with its prediction kept in the new revision for `earshot plan --review`.
fn apply_plan(
    root: Option<&Path>,
    what: &StepChoice,
    soak_days: Option<f64>,
    skip_soak: bool,
    change: &ChangeOpts,
) -> Result<ExitCode> {
    let mut client = connect(root)?;
    let (plan, token, risks) = match what {
        StepChoice::Ladder(goal) => {
            let step = match answer(client.next_step(goal.to_string()))? {
                Ok(s) => s,
                Err(e) => return Ok(refused_as(&e, change.json)),
            };
            let (Some(plan), Some(token)) = (step.plan, step.token) else {
                if change.json {
                    println!("{}", serde_json::json!({ "done": true, "target": goal }));
                } else {
                    println!("Nothing to apply: the configuration already meets target `{goal}`.");
                }
                return Ok(ExitCode::SUCCESS);
            };
            (plan, token, step.risks)
        }
        StepChoice::Tweak(id) => {
            let review = match answer(client.review_step())? {
                Ok(r) => r,
                Err(e) => return Ok(refused_as(&e, change.json)),
            };
            let Some(t) = review.tweaks.into_iter().find(|t| t.id == *id) else {
                bail!(
                    "the review proposes no tweak {id:?}; `earshot plan --review` lists the tweaks it proposes"
                );
            };
            (t.plan, t.token, t.risks)
        }
    };
    if !change.json {
        println!("Step: {}", plan.title);
    }
    let missing: Vec<_> = risks
        .iter()
        .filter(|r| !change.acks.contains(&r.id))
        .collect();
    if !missing.is_empty() {
        eprintln!("earshot: this step has risks to acknowledge:");
        for r in &missing {
            eprintln!("  risk {}: {}", r.id, r.message);
        }
        let flags: Vec<_> = missing.iter().map(|r| format!("--ack {}", r.id)).collect();
        eprintln!("  to apply anyway, add: {}", flags.join(" "));
        return Ok(ExitCode::from(1));
    }
    let done = match answer(client.apply_step(
        token,
        change.acks.clone(),
        change.confirm_within,
        soak_days,
        skip_soak,
    ))? {
        Ok(done) => done,
        Err(e) => return Ok(refused_as(&e, change.json)),
    };
    if change.json {
        println!("{}", serde_json::to_string_pretty(&done)?);
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(r) = &done.enabled {
        for s in &r.steps {
            println!("  done: {s}");
        }
        for f in &r.findings {
            println!("  health: {}", f.message);
        }
        for n in &r.notes {
            println!("  note: {n}");
        }
    } else {
        print_applied(&done.applied, change.json)?;
        if done.applied.unchanged {
            return Ok(ExitCode::SUCCESS);
        }
    }
    if plan.needs_relogin {
        println!("Log out and back in (or restart) so your session is audited with the new flags.");
    }
    println!(
        "Prediction recorded with revision {}. It soaks {} ({}); then review it with `earshot plan --review`.",
        done.applied.revision,
        earshot_tuning::plan::cost::days_text(done.record.soak_days),
        done.record.soak_reason
    );
    Ok(ExitCode::SUCCESS)
}

fn simple(target: Target, request: Request, done: &str) -> Result<ExitCode> {
    let mut client = connect(target.root().as_deref())?;
    // rotate and expire answer only that they were done (`rotated`, `expired`).
    match answer(client.call(request))? {
        Ok(_) => {
            println!("{done}");
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => Ok(refused(&e)),
    }
}

#[cfg(test)]
mod tests {
    use super::utc;

    #[test]
    fn utc_matches_known_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00:00Z");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00Z");
        assert_eq!(utc(1_800_000_000), "2027-01-15 08:00:00Z");
    }
}
