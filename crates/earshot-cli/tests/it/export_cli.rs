//! The event export end to end with a real shipper: Debian's rsyslog, started
//! here with the repo's own sample (`deploy/shippers/rsyslog-earshot.conf`,
//! `imfile` on the spool, `omfile` out), tails the spool while the simulated
//! auditd writes and rotates its trails and the helper — the follower — is
//! SIGKILLed over twenty times at random moments. Every record of the trails
//! must arrive, none twice.

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{earshot, helper_binary, run, sim_init, start_helper_with, text};

/// A child process killed when the test ends, however it ends.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The helper's export options in these tests. The cap is above what a run
/// writes (~12,000 events of ~1.4 KB, 17 MB): the cap drops the oldest file
/// whether or not a shipper has read it, and these tests are about loss from
/// kills, not from caps. Its files (an eighth, 5 MB) are small enough that a
/// slow run still rotates the spool, which the shipper must follow (one run
/// never filled the 8 MB files of a 64 MB cap).
const EXPORT: &[&str] = &["--export", "--export-max-mb", "40"];

/// A helper started without waiting for it: the kills may land during its
/// start-up too.
fn helper(mac: &Path) -> Proc {
    Proc(
        Command::new(helper_binary())
            .args(["--root", mac.to_str().unwrap()])
            .args(EXPORT)
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    )
}

/// A small deterministic random stream (the kill moments; seeded per run from
/// the clock, printed so a failure can be replayed).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below
    }
}

/// `<stamp>:<offset>` of every record in the trails of `dir`.
fn trail_records(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if earshot_trail::TrailName::parse(&name).is_err() || !e.file_type().unwrap().is_file() {
            continue;
        }
        let bytes = std::fs::read(e.path()).unwrap();
        bsm::scan::scan(&bytes, |r| {
            out.push(format!("{}:{}", &name[..14], r.offset))
        });
    }
    out
}

/// `original_event_uid` of every trail-record event in an NDJSON file, counted.
fn delivered(path: &Path) -> BTreeMap<String, u32> {
    let mut got = BTreeMap::new();
    let Ok(text) = std::fs::read_to_string(path) else {
        return got;
    };
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("a line that is not JSON ({e}): {line:.200}"));
        if v["metadata"]["log_provider"] == "auditd" {
            let id = v["metadata"]["original_event_uid"]
                .as_str()
                .unwrap()
                .to_string();
            *got.entry(id).or_insert(0) += 1;
        }
    }
    got
}

/// The shipped rsyslog sample pointed at this simulated Mac, as the shipper
/// README says to (only non-comment lines rewritten).
fn rsyslog_conf(mac: &Path, state: &Path, out: &Path) -> String {
    let sample = include_str!("../../../../deploy/shippers/rsyslog-earshot.conf");
    sample
        .lines()
        .map(|l| {
            if l.trim_start().starts_with('#') {
                l.to_string()
            } else {
                l.replace(
                    "/var/log/earshot/events/",
                    &format!("{}/var/log/earshot/events/", mac.display()),
                )
                .replace("/var/lib/rsyslog-earshot", state.to_str().unwrap())
                .replace(
                    "/var/log/earshot-forwarded/events.ndjson",
                    out.to_str().unwrap(),
                )
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn rsyslogd() -> PathBuf {
    let path = PathBuf::from("/usr/sbin/rsyslogd");
    assert!(
        path.exists(),
        "rsyslogd not found: scripts/setup installs Debian's rsyslog package"
    );
    path
}

#[test]
fn rsyslog_receives_every_record_once_while_the_follower_is_killed_again_and_again() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path();
    let mac = sim_init(home, "0");
    let root = mac.to_str().unwrap();
    // Busy enough to matter (failed reads), and no expiry: every record the
    // trails ever held must reach the shipper.
    let control = mac.join("etc/security/audit_control");
    let ac = std::fs::read_to_string(&control).unwrap();
    let ac: String = ac
        .lines()
        .map(|l| {
            if l.starts_with("flags:") {
                "flags:lo,aa,-fr".to_string()
            } else if l.starts_with("expire-after:") {
                "expire-after:10G".to_string()
            } else if l.starts_with("filesz:") {
                "filesz:512K".to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n";
    std::fs::write(&control, ac).unwrap();
    // The simulated auditd runs in a process of its own, so it keeps writing
    // while the helper is killed; relogin gives the sessions the new flags.
    let sim = Proc(
        Command::new(earshot())
            .args(["sim", "run", root, "--speed", "50", "--tick-ms", "100"])
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    std::thread::sleep(Duration::from_millis(500));
    assert!(run(home, &["sim", "ctl", root, "sync"]).status.success());
    assert!(run(home, &["sim", "relogin", root]).status.success());
    assert!(run(home, &["sim", "workload", root, "10"]).status.success());

    let spool = mac.join("var/log/earshot/events");
    let state = home.join("rsyslog-state");
    std::fs::create_dir_all(&state).unwrap();
    let out = home.join("forwarded.ndjson");
    let conf = home.join("rsyslog.conf");
    std::fs::write(&conf, rsyslog_conf(&mac, &state, &out)).unwrap();
    let mut h = helper(&mac);
    // imfile needs the file to exist at start-up to follow it from line one.
    let t0 = Instant::now();
    while !spool.join("events.ndjson").exists() {
        assert!(t0.elapsed() < Duration::from_secs(20), "no spool appeared");
        std::thread::sleep(Duration::from_millis(50));
    }
    let _rsyslog = Proc(
        Command::new(rsyslogd())
            .args(["-n", "-f", conf.to_str().unwrap(), "-i"])
            .arg(home.join("rsyslog.pid"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );

    // The follower (in the helper) killed over and over, at random moments,
    // while auditd writes and rotates.
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    eprintln!("kill schedule seed {seed}");
    let mut rng = Lcg(seed);
    let kills = 22;
    for i in 0..kills {
        std::thread::sleep(Duration::from_millis(100 + rng.next(700)));
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(h.0.id() as i32),
            nix::sys::signal::Signal::SIGKILL,
        )
        .unwrap();
        let _ = h.0.wait();
        if i % 5 == 2 {
            assert!(run(home, &["sim", "ctl", root, "rotate"]).status.success());
        }
        h = helper(&mac);
    }
    // auditd stops writing; the follower catches up; rsyslog drains. (A
    // helper started after the simulator's process ended hosts the simulated
    // auditd itself and goes on writing, as on a Mac where auditd restarts:
    // the trails are read again each time, so they may still grow.)
    drop(sim);
    let trails = mac.join("var/audit");
    let t0 = Instant::now();
    loop {
        let expected = trail_records(&trails);
        let got = delivered(&out);
        let missing = expected.iter().filter(|k| !got.contains_key(*k)).count();
        if missing == 0 {
            assert!(expected.len() > 1000, "only {} records", expected.len());
            break;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(120),
            "{} of {} records delivered after two minutes",
            expected.len() - missing,
            expected.len()
        );
        std::thread::sleep(Duration::from_millis(250));
    }
    // Give a repeat, if any, time to arrive too; then every delivered record
    // must be one the trails hold (read after it arrived: trails only grow).
    std::thread::sleep(Duration::from_secs(2));
    let got = delivered(&out);
    let expected = trail_records(&trails);
    let repeated: Vec<_> = got.iter().filter(|(_, n)| **n > 1).collect();
    assert!(repeated.is_empty(), "delivered twice: {repeated:?}");
    let unknown: Vec<_> = got.keys().filter(|k| !expected.contains(k)).collect();
    assert!(
        unknown.is_empty(),
        "records no trail holds: {unknown:.2000?}\ntrails: {:?}",
        std::fs::read_dir(&trails)
            .unwrap()
            .flatten()
            .map(|e| (e.file_name(), e.metadata().map(|m| m.len()).ok()))
            .collect::<Vec<_>>()
    );
    // The spool rotated (so rsyslog followed renames), and every spool file
    // began with its own first line.
    let rotated: Vec<_> = std::fs::read_dir(&spool)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("events-"))
        .collect();
    assert!(!rotated.is_empty(), "the spool never rotated");
    let mut firsts = std::collections::BTreeSet::new();
    for name in rotated.iter().map(String::as_str).chain(["events.ndjson"]) {
        let text = std::fs::read_to_string(spool.join(name)).unwrap();
        let first = text.lines().next().unwrap().to_string();
        assert!(
            first.contains("\"event_code\":\"earshot.spool_rotated\""),
            "{name}: {first:.200}"
        );
        assert!(firsts.insert(first), "{name} begins like another file");
    }
    eprintln!(
        "{} records delivered, 0 lost, 0 twice, over {kills} kills and {} spool \
         rotations ({} written since, by the helper's own simulated auditd)",
        got.len(),
        rotated.len(),
        expected.len() - got.len()
    );
    let status = run(home, &["--root", root, "status", "--json"]);
    assert!(text(&status.stdout).contains("\"export\""));
    let status = text(&run(home, &["--root", root, "status"]).stdout);
    assert!(
        status.contains("event export: /var/log/earshot/events"),
        "{status}"
    );
}

/// Every line of every spool file, oldest file first, each checked as OCSF.
fn spool_events(spool: &Path) -> Vec<serde_json::Value> {
    let mut names: Vec<String> = std::fs::read_dir(spool)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".ndjson"))
        .collect();
    // events-<stamp>-<seq> sort by time; the active file is the newest.
    names.sort_by_key(|n| (n == "events.ndjson", n.clone()));
    names
        .iter()
        .flat_map(|n| common::ocsf_lines(&std::fs::read(spool.join(n)).unwrap()))
        .collect()
}

/// Earshot's own events in the spool a real helper writes: every revision
/// (an apply, the helper killed at once after it, a roll back) with its
/// number, origin and chain hash as history has them; a trail rotation; the
/// baseline's rule results; each file's first line — and every line of the
/// spool valid OCSF.
#[test]
fn the_spool_carries_every_revision_rotation_and_rule_result_as_valid_ocsf() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path();
    let mac = sim_init(home, "1");
    let root = mac.to_str().unwrap();
    let spool = mac.join("var/log/earshot/events");
    let h = start_helper_with(&mac, EXPORT);
    let out = run(
        home,
        &["--root", root, "apply", "--plan", "--target", "cis-l1"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    // Killed right after the change: the revision still reaches the spool,
    // from history, when the helper is back.
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(h.0.id() as i32),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    drop(h);
    let _helper = start_helper_with(&mac, EXPORT);
    let out = run(home, &["--root", root, "rollback"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(run(home, &["sim", "ctl", root, "rotate"]).status.success());

    let history: serde_json::Value =
        serde_json::from_slice(&run(home, &["--root", root, "history", "--json"]).stdout).unwrap();
    let revisions = history["revisions"].as_array().unwrap().clone();
    assert!(revisions.len() >= 3, "{history}");
    let own = |evs: &[serde_json::Value], code: &str| -> Vec<serde_json::Value> {
        evs.iter()
            .filter(|e| e["metadata"]["event_code"] == code)
            .cloned()
            .collect()
    };
    let config_changes = |evs: &[serde_json::Value]| -> Vec<serde_json::Value> {
        evs.iter()
            .filter(|e| e["class_uid"] == 5019)
            .cloned()
            .collect()
    };
    let t0 = Instant::now();
    let evs = loop {
        let evs = spool_events(&spool);
        let changes = config_changes(&evs);
        let done = revisions.iter().all(|r| {
            changes
                .iter()
                .any(|c| c["unmapped"]["earshot"]["revision"] == r["number"])
        }) && !own(&evs, "earshot.trail_rotated").is_empty()
            && evs.iter().any(|e| e["class_uid"] == 2003);
        if done {
            break evs;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "the spool lacks own events after a minute: {:?}",
            evs.iter()
                .map(|e| e["metadata"]["event_code"].clone())
                .filter(|c| c.as_str().is_some_and(|c| !c.starts_with("AUE_")))
                .collect::<Vec<_>>()
        );
        std::thread::sleep(Duration::from_millis(250));
    };
    let changes = config_changes(&evs);
    for r in &revisions {
        let c = changes
            .iter()
            .find(|c| c["unmapped"]["earshot"]["revision"] == r["number"])
            .unwrap();
        assert_eq!(c["class_uid"], 5019);
        assert_eq!(c["unmapped"]["earshot"]["chain_hash"], r["chain"], "{c}");
        let origin = &c["unmapped"]["earshot"]["origin"];
        if r["source"] == "rollback" {
            assert_eq!(origin, "rollback", "{c}");
        }
    }
    // One event per revision, whatever the kill did (same id if repeated).
    let mut ids: Vec<&str> = changes
        .iter()
        .map(|c| c["metadata"]["uid"].as_str().unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), revisions.len());
    let rotated = &own(&evs, "earshot.trail_rotated")[0];
    assert_eq!(rotated["class_uid"], 1008);
    assert_eq!(rotated["activity_name"], "Rotate");
    let finding = evs.iter().find(|e| e["class_uid"] == 2003).unwrap();
    assert!(
        finding["compliance"]["control"].as_str().is_some(),
        "{finding}"
    );
    assert_eq!(evs[0]["metadata"]["event_code"], "earshot.spool_rotated");
}
