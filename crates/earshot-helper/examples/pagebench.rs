//! Benchmark of the trail browser as the app drives it: a real
//! `earshot-helper --root <sim>` is started, and every page is one
//! `trail_page` request over its socket (handshake once, then request →
//! response), so the figures include the helper's listing of the trail
//! folder, the scan, the JSON of the records and the frame round trip.
//!
//! Prints a table (median and best wall time per page of several runs, bytes
//! the helper says it examined, MB/s), a second table for searches followed
//! to the end of the trail as the browser follows partial pages (the helper
//! stops each request at its scan budget), and the helper's peak RSS. Run by
//! `scripts/bench-trail-page`; figures go in docs/performance.md.
//!
//! Usage: pagebench --helper PATH --root SIM [--runs N] [--page-size N]
//!        [--sparse JSON] [--rare JSON] [--nomatch JSON] [--nomatch-header JSON]
//! where JSON is a `TrailQuery` (e.g. `{"classes":["lo"]}`).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Parser;
use earshot_api::auth::InstallSecret;
use earshot_api::{Client, Cursor, Request, Response, TrailPage, TrailQuery};
use earshot_trail::{TrailEnd, TrailName};
use tokio::net::UnixStream;

#[derive(Parser)]
struct Args {
    /// The `earshot-helper` binary to start.
    #[arg(long)]
    helper: PathBuf,
    /// The simulated Mac (`earshot sim init`) it serves.
    #[arg(long)]
    root: PathBuf,
    /// Timed runs per case; median and best are reported.
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Timed runs of each search followed to the end of the trail.
    #[arg(long, default_value_t = 3)]
    full_runs: usize,
    #[arg(long, default_value_t = 100)]
    page_size: usize,
    /// Consecutive pages timed one after another from the middle cursor.
    #[arg(long, default_value_t = 50)]
    walk: usize,
    /// A filter that matches rarely (a page fills only after a long scan).
    #[arg(long, default_value = r#"{"classes":["lo"]}"#)]
    sparse: String,
    /// A filter that matches fewer records than a page in the whole trail.
    #[arg(long, default_value = r#"{"classes":["ad"]}"#)]
    rare: String,
    /// A filter that matches nothing, rejected per record after framing
    /// (the auid is not in the header, so every record's subject is read).
    #[arg(long, default_value = r#"{"user":"4242"}"#)]
    nomatch: String,
    /// A filter that matches nothing, rejected by the header test alone
    /// (an event the trail never holds).
    #[arg(long, default_value = r#"{"events":["AUE_reboot"]}"#)]
    nomatch_header: String,
}

/// The helper process; killed when dropped.
struct Helper {
    child: Child,
}

impl Drop for Helper {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Helper {
    /// (VmRSS, VmHWM) in KiB from /proc (Linux); None elsewhere.
    fn rss_kib(&self) -> Option<(u64, u64)> {
        let text = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let field = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        };
        Some((field("VmRSS:")?, field("VmHWM:")?))
    }

    /// User + system CPU seconds so far (Linux /proc, 100 Hz ticks).
    fn cpu_secs(&self) -> Option<f64> {
        let text = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).ok()?;
        // Fields after the parenthesised command name (which may hold spaces).
        let rest = &text[text.rfind(')')? + 2..];
        let f: Vec<&str> = rest.split(' ').collect();
        let utime: f64 = f.get(11)?.parse().ok()?;
        let stime: f64 = f.get(12)?.parse().ok()?;
        Some((utime + stime) / 100.0)
    }
}

async fn start(helper: &Path, root: &Path) -> Result<(Helper, Client)> {
    let child = Command::new(helper)
        .arg("--root")
        .arg(root)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {}", helper.display()))?;
    let mut h = Helper { child };
    let socket = root.join("run/earshot/helper.sock");
    // A socket left by an earlier run answers nothing: wait for a handshake.
    for _ in 0..2000 {
        if let Some(status) = h.child.try_wait()? {
            bail!("helper exited: {status}");
        }
        if let Ok(stream) = UnixStream::connect(&socket).await {
            let secret = InstallSecret::read(&root.join("var/db/earshot/secret"))?;
            if let Ok(client) = Client::handshake(stream, move |_| Ok(secret.secret)).await {
                return Ok((h, client));
            }
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    bail!("helper never answered on {}", socket.display())
}

async fn page(c: &mut Client, q: &TrailQuery) -> Result<(Duration, TrailPage)> {
    let t = Instant::now();
    let r = c
        .call(Request::TrailPage { query: q.clone() })
        .await
        .with_context(|| format!("trail_page {q:?}"))?;
    let took = t.elapsed();
    match r {
        Response::TrailPage(p) => Ok((took, p)),
        other => bail!("trail_page answered {other:?}"),
    }
}

/// One row of the table.
struct Row {
    case: String,
    times: Vec<Duration>,
    records: usize,
    scanned: u64,
    cpu: Option<f64>,
}

impl Row {
    fn print(&self) {
        let mut t = self.times.clone();
        t.sort();
        let best = t[0].as_secs_f64();
        let median = t[t.len() / 2].as_secs_f64();
        let mbps = if median > 0.0 {
            format!("{:.0}", self.scanned as f64 / median / 1e6)
        } else {
            "-".into()
        };
        let cpu = self
            .cpu
            .map(|c| format!("{:.2}", c / self.times.len() as f64))
            .unwrap_or_else(|| "-".into());
        println!(
            "| {} | {:.1} | {:.1} | {} | {} | {} | {} |",
            self.case,
            median * 1e3,
            best * 1e3,
            self.records,
            self.scanned,
            mbps,
            cpu
        );
    }
}

/// Times `q` `runs` times (one warm-up first, so every run finds the files
/// in the page cache) and checks that each run answers the same records.
async fn case(
    c: &mut Client,
    h: &Helper,
    name: String,
    q: &TrailQuery,
    runs: usize,
) -> Result<(Row, TrailPage)> {
    let (_, first) = page(c, q).await?;
    let cpu0 = h.cpu_secs();
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        let (took, p) = page(c, q).await?;
        // Records only: the helper's simulated auditd keeps appending to the
        // newest trail, so a scan to the end may examine a few more bytes.
        if p.records != first.records {
            bail!("{name}: the same query answered different records");
        }
        times.push(took);
    }
    let cpu = cpu0.zip(h.cpu_secs()).map(|(a, b)| b - a);
    let row = Row {
        case: name,
        times,
        records: first.records.len(),
        scanned: first.scanned_bytes,
        cpu,
    };
    Ok((row, first))
}

/// A search followed from its first request to the end of the trail.
struct Walk {
    times: Vec<Duration>,
    total: Duration,
    records: usize,
    scanned: u64,
    partial: usize,
}

/// Sends `q`, then its `next` until there is none, as the browser does when
/// it keeps asking after partial answers (and the user pages on).
async fn walk_to_end(c: &mut Client, q: &TrailQuery) -> Result<Walk> {
    let mut q = q.clone();
    let mut w = Walk {
        times: Vec::new(),
        total: Duration::ZERO,
        records: 0,
        scanned: 0,
        partial: 0,
    };
    let t = Instant::now();
    loop {
        let (took, p) = page(c, &q).await?;
        w.times.push(took);
        w.records += p.records.len();
        w.scanned += p.scanned_bytes;
        w.partial += usize::from(p.partial);
        if p.partial && p.next.is_none() {
            bail!("a partial page without a next");
        }
        match p.next {
            Some(n) => q.cursor = Some(n),
            None => break,
        }
        if w.times.len() > 1_000_000 {
            bail!("paging does not end");
        }
    }
    w.total = t.elapsed();
    Ok(w)
}

/// One row of the to-the-end table.
struct EndRow {
    case: String,
    requests: usize,
    partial: usize,
    /// Every request of every timed run.
    per_request: Vec<Duration>,
    totals: Vec<Duration>,
    records: usize,
    scanned: u64,
    cpu: Option<f64>,
}

impl EndRow {
    fn print(&self) {
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        let mut r = self.per_request.clone();
        r.sort();
        let mut t = self.totals.clone();
        t.sort();
        let median = t[t.len() / 2];
        let cpu = self
            .cpu
            .map(|c| format!("{:.2}", c / self.totals.len() as f64))
            .unwrap_or_else(|| "-".into());
        println!(
            "| {} | {} ({} partial) | {:.1} / {:.1} | {:.0} / {:.0} | {} | {} | {:.0} | {} |",
            self.case,
            self.requests,
            self.partial,
            ms(r[r.len() / 2]),
            ms(r[r.len() - 1]),
            ms(median),
            ms(t[0]),
            self.records,
            self.scanned,
            self.scanned as f64 / median.as_secs_f64() / 1e6,
            cpu
        );
    }
}

/// Times following `q` to the end `runs` times, after one warm-up.
async fn to_end_case(
    c: &mut Client,
    h: &Helper,
    case: String,
    q: &TrailQuery,
    runs: usize,
) -> Result<EndRow> {
    let warm = walk_to_end(c, q).await?;
    let cpu0 = h.cpu_secs();
    let mut per_request = Vec::new();
    let mut totals = Vec::new();
    for _ in 0..runs.max(1) {
        let w = walk_to_end(c, q).await?;
        // The simulated auditd may append to the newest trail meanwhile, never remove.
        if w.records < warm.records {
            bail!("{case}: {} records, then {}", warm.records, w.records);
        }
        per_request.extend(w.times);
        totals.push(w.total);
    }
    Ok(EndRow {
        case,
        requests: warm.times.len(),
        partial: warm.partial,
        per_request,
        totals,
        records: warm.records,
        scanned: warm.scanned,
        cpu: cpu0.zip(h.cpu_secs()).map(|(a, b)| b - a),
    })
}

fn query(json: &str, size: usize) -> Result<TrailQuery> {
    let mut q: TrailQuery =
        serde_json::from_str(json).with_context(|| format!("not a TrailQuery: {json}"))?;
    q.page_size = Some(size);
    Ok(q)
}

/// The trail folder's files, in name (= time) order, with their sizes.
fn listing(root: &Path) -> Result<Vec<(String, TrailName, u64)>> {
    let dir = root.join("var/audit");
    let mut out = Vec::new();
    for e in std::fs::read_dir(&dir).with_context(|| format!("listing {}", dir.display()))? {
        let e = e?;
        let name = e.file_name().to_string_lossy().into_owned();
        let meta = e.metadata()?;
        if !meta.is_file() {
            continue;
        }
        if let Ok(t) = TrailName::parse(&name) {
            out.push((name, t, meta.len()));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

fn fmt_ts(sec: u64) -> String {
    // Only for the printout (whole seconds).
    let iso = bsm::text::iso8601(sec, 0);
    format!("{}Z", iso.trim_end_matches(".000Z"))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let a = Args::parse();
    let files = listing(&a.root)?;
    if files.len() < 3 {
        bail!(
            "{} holds {} trail files; make a larger simulated Mac",
            a.root.display(),
            files.len()
        );
    }
    let bytes: u64 = files.iter().map(|f| f.2).sum();
    let last_start = files.last().map(|f| f.1.start.sec).unwrap_or(0);
    let last_end = files
        .iter()
        .filter_map(|f| match f.1.end {
            TrailEnd::Closed(t) => Some(t.sec),
            _ => None,
        })
        .max()
        .unwrap_or(last_start)
        .max(last_start);
    println!(
        "trail folder: {} files, {} bytes, {} .. {}",
        files.len(),
        bytes,
        fmt_ts(files[0].1.start.sec),
        fmt_ts(last_end)
    );

    let (h, mut c) = start(&a.helper, &a.root).await?;
    let rss_start = h.rss_kib();
    let size = a.page_size;
    let mut rows = Vec::new();

    // (1) The browser opening: the oldest records, no filter.
    let q = query("{}", size)?;
    rows.push(
        case(&mut c, &h, "first page, no filter".into(), &q, a.runs)
            .await?
            .0,
    );

    // (2) Deep inside the trail: a cursor in the middle file, first the page
    // from its start (to get a real mid-file cursor), then the page after it.
    let mid = &files[files.len() / 2].0;
    let mut q = query("{}", size)?;
    q.cursor = Some(Cursor {
        file: mid.clone(),
        offset: 0,
    });
    let (_, p) = page(&mut c, &q).await?;
    let deep = p
        .next
        .context("a page in the middle of the trail has a next")?;
    let offset = deep.offset;
    q.cursor = Some(deep);
    rows.push(
        case(
            &mut c,
            &h,
            format!(
                "next page from a cursor in file {} of {} (offset {offset})",
                files.len() / 2 + 1,
                files.len()
            ),
            &q,
            a.runs,
        )
        .await?
        .0,
    );

    // (2b) Paging on from there, one page after another as a user scrolls.
    let mut walk = Vec::with_capacity(a.walk);
    let mut scanned = 0;
    let mut records = 0;
    let cpu0 = h.cpu_secs();
    for _ in 0..a.walk {
        let (took, p) = page(&mut c, &q).await?;
        walk.push(took);
        scanned += p.scanned_bytes;
        records += p.records.len();
        match p.next {
            Some(n) => q.cursor = Some(n),
            None => break,
        }
    }
    let n = walk.len();
    rows.push(Row {
        case: format!("{n} consecutive pages from there (per page; records, bytes: all {n})"),
        times: walk,
        records,
        scanned,
        cpu: cpu0.zip(h.cpu_secs()).map(|(a, b)| b - a),
    });

    // (3) A sparse filter: the first page and the page after it.
    let q = query(&a.sparse, size)?;
    let (row, p) = case(
        &mut c,
        &h,
        format!("sparse `{}`: first page", a.sparse),
        &q,
        a.runs,
    )
    .await?;
    rows.push(row);
    if let Some(next) = p.next {
        let mut q2 = q.clone();
        q2.cursor = Some(next);
        rows.push(
            case(
                &mut c,
                &h,
                format!("sparse `{}`: second page", a.sparse),
                &q2,
                a.runs,
            )
            .await?
            .0,
        );
    }

    // (4) Near the end: every file before the range skipped by name. Measured
    // from the newest file's start (the simulated history ends "now" as of
    // `sim init`, and the helper's simulated auditd may keep writing).
    let mut q = query("{}", size)?;
    q.since = Some(last_start.saturating_sub(3600));
    rows.push(
        case(
            &mut c,
            &h,
            "last hour (`since` = newest file's start − 1 h), no filter".into(),
            &q,
            a.runs,
        )
        .await?
        .0,
    );
    let mut q = query(&a.sparse, size)?;
    q.since = Some(last_start.saturating_sub(86_400));
    rows.push(
        case(
            &mut c,
            &h,
            format!("last day (newest start − 24 h), sparse `{}`", a.sparse),
            &q,
            a.runs,
        )
        .await?
        .0,
    );

    // (5) Nothing matches: one request answers an empty partial page at the
    // helper's scan budget.
    for json in [&a.nomatch_header, &a.nomatch] {
        let q = query(json, size)?;
        let (row, p) = case(
            &mut c,
            &h,
            format!("no match `{json}`: one request"),
            &q,
            a.runs,
        )
        .await?;
        if !p.records.is_empty() {
            bail!(
                "{json} was meant to match nothing but answered {} records",
                p.records.len()
            );
        }
        rows.push(row);
    }

    // (6) Followed to the end of the trail, request after request, as the
    // browser does (it fills a page across partial answers, then pages on).
    let mut ends = Vec::new();
    for (what, json) in [
        ("sparse", &a.sparse),
        ("rare", &a.rare),
        ("no match", &a.nomatch_header),
        ("no match", &a.nomatch),
    ] {
        let q = query(json, size)?;
        let row = to_end_case(
            &mut c,
            &h,
            format!("{what} `{json}`: to the end"),
            &q,
            a.full_runs,
        )
        .await?;
        if what == "no match" && row.records != 0 {
            bail!(
                "{json} was meant to match nothing but found {}",
                row.records
            );
        }
        ends.push(row);
    }
    let rss_end = h.rss_kib();

    println!();
    println!("| case | median ms | best ms | records | bytes scanned | MB/s (median) | helper CPU s/page |");
    println!("|---|---|---|---|---|---|---|");
    for r in &rows {
        r.print();
    }
    println!();
    println!("| followed to the end | requests | per request: median / max ms | to the end: median / best ms | records | bytes scanned | MB/s (median) | helper CPU s/walk |");
    println!("|---|---|---|---|---|---|---|---|");
    for r in &ends {
        r.print();
    }
    println!();
    if let (Some((rss0, _)), Some((rss1, hwm))) = (rss_start, rss_end) {
        println!(
            "helper RSS: {:.1} MiB after the handshake, {:.1} MiB at the end, peak (VmHWM) {:.1} MiB",
            rss0 as f64 / 1024.0,
            rss1 as f64 / 1024.0,
            hwm as f64 / 1024.0
        );
    }
    println!(
        "page size {size}; {} runs per case after one warm-up, {} runs of each walk to the end \
         after one warm-up; MB/s = bytes the helper examined / median wall time",
        a.runs, a.full_runs
    );
    Ok(())
}
