//! Earshot in a fleet, on a simulated Mac with a running helper: the snapshot
//! the helper keeps (and refreshes after a change), `earshot ea` in each MDM's
//! format, a stale snapshot, and a configuration profile that forbids changes,
//! sets a wrong type, tailors a retention ODV and exempts a rule.

use crate::common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{run, sim_init, start_helper, text};
use serde_json::Value;

fn snapshot_path(mac: &Path) -> std::path::PathBuf {
    mac.join("Library/Application Support/Earshot/snapshot.json")
}

fn snapshot(mac: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(snapshot_path(mac)).expect("a snapshot")).unwrap()
}

/// Waits for the helper's snapshot to satisfy `done`.
pub(crate) fn wait_snapshot(mac: &Path, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let t0 = Instant::now();
    loop {
        if let Ok(bytes) = std::fs::read(snapshot_path(mac)) {
            if let Ok(v) = serde_json::from_slice::<Value>(&bytes) {
                if done(&v) {
                    return v;
                }
            }
        }
        assert!(
            t0.elapsed() < Duration::from_secs(30),
            "waited 30 s for {what}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A profile for org.earshot.Earshot, as macOS materialises it.
fn profile(mac: &Path, xml_body: &str) {
    let dir = mac.join("Library/Managed Preferences");
    std::fs::create_dir_all(&dir).unwrap();
    let doc = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n<plist version=\"1.0\"><dict>{xml_body}</dict></plist>\n"
    );
    // Atomically, as a profile install would: the helper never reads half.
    let tmp = dir.join(".org.earshot.Earshot.plist.tmp");
    std::fs::write(&tmp, doc).unwrap();
    std::fs::rename(tmp, dir.join("org.earshot.Earshot.plist")).unwrap();
}

fn ea(home: &Path, root: &str, field: &str, format: &str) -> (String, Option<i32>) {
    let out = run(home, &["ea", field, "--root", root, "--format", format]);
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
    (text(&out.stdout), out.status.code())
}

#[test]
fn the_snapshot_answers_every_mdm_in_its_own_shape_and_follows_changes() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path();
    let mac = sim_init(home, "2");
    let root = mac.to_str().unwrap();
    let _helper = start_helper(&mac);

    // The helper writes it at once: 0640, the default baseline, a failing rule
    // (Apple's expire-after:10M against CIS's 30 days).
    let s = wait_snapshot(&mac, "the first snapshot", |_| true);
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(snapshot_path(&mac))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o640);
    assert_eq!(s["schema"], 1);
    assert_eq!(s["auditing"]["running"], true);
    assert_eq!(s["baseline"]["name"], "cis-l1");
    assert_eq!(s["baseline"]["source"], "default");
    assert_eq!(s["baseline"]["mscp_release"], "tahoe_rev3");
    assert_eq!(s["baseline"]["compliant"], false);
    assert_eq!(
        s["baseline"]["failed_rules"][0],
        "audit_retention_configure"
    );
    let head = s["history"]["head_revision"].as_u64().unwrap();

    // One value per call, one line, in each MDM's shape.
    for (field, jamf, intune) in [
        ("auditing", "<result>Running</result>\n", "Running\n"),
        (
            "compliant",
            "<result>Non-compliant</result>\n",
            "Non-compliant\n",
        ),
        ("failed-count", "<result>1</result>\n", "1\n"),
        (
            "failed-rules",
            "<result>audit_retention_configure</result>\n",
            "audit_retention_configure\n",
        ),
        ("days-to-minfree", "<result>36500</result>\n", "36500\n"),
        ("baseline", "<result>cis-l1</result>\n", "cis-l1\n"),
        ("soaking", "<result>None</result>\n", "None\n"),
    ] {
        assert_eq!(
            ea(home, root, field, "jamf"),
            (jamf.to_string(), Some(0)),
            "{field}"
        );
        assert_eq!(
            ea(home, root, field, "intune"),
            (intune.to_string(), Some(0)),
            "{field}"
        );
    }
    let (date, _) = ea(home, root, "last-write", "jamf");
    let date = date
        .trim()
        .trim_start_matches("<result>")
        .trim_end_matches("</result>");
    assert_eq!(date.len(), "2026-12-06 15:02:20".len(), "{date}");
    assert_eq!(&date[10..11], " ");
    let (iso, _) = ea(home, root, "last-write", "intune");
    assert!(iso.trim().ends_with('Z') && iso.contains('T'), "{iso}");
    // Kandji: one line, exit 1 while the baseline is not met.
    let (line, code) = ea(home, root, "summary", "kandji");
    assert_eq!(line.lines().count(), 1, "{line}");
    assert!(line.contains("NON-COMPLIANT (1 failed)"), "{line}");
    assert_eq!(code, Some(1));
    let (json, code) = ea(home, root, "failed-count", "json");
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        (v["value"].as_u64(), v["stale"].as_bool(), code),
        (Some(1), Some(false), Some(0))
    );
    let out = run(home, &["ea", "nonsense", "--root", root]);
    assert_eq!(out.status.code(), Some(2));

    // A change refreshes it: the retention step fixes the one failing rule.
    let out = run(
        home,
        &["--root", root, "apply", "--plan", "--target", "cis-l1"],
    );
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let s = wait_snapshot(&mac, "the snapshot after the apply", |s| {
        s["history"]["head_revision"].as_u64() > Some(head)
    });
    assert_eq!(s["baseline"]["compliant"], true, "{}", s["baseline"]);
    assert_eq!(s["config"]["expire_after"], "30d");
    assert_eq!(s["soak"]["state"], "soaking");
    assert_eq!(ea(home, root, "compliant", "intune").0, "Compliant\n");
    let (soaking, _) = ea(home, root, "soaking", "intune");
    assert!(
        soaking.starts_with("expire-after: 30d — day 1 of 1"),
        "{soaking}"
    );
    let (line, code) = ea(home, root, "summary", "kandji");
    assert!(line.contains("compliant (0 failed)"), "{line}");
    assert_eq!(code, Some(0));
}

#[test]
fn a_stale_or_missing_snapshot_answers_at_once_never_blocks() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path();
    let mac = sim_init(home, "1");
    let root = mac.to_str().unwrap();
    // No helper ever ran: no snapshot.
    assert_eq!(
        ea(home, root, "auditing", "jamf"),
        ("<result>Error</result>\n".into(), Some(0))
    );
    assert_eq!(
        ea(home, root, "auditing", "intune"),
        ("Error\n".into(), Some(0))
    );
    let (line, code) = ea(home, root, "summary", "kandji");
    assert!(
        line.starts_with("Earshot: Error — no snapshot yet"),
        "{line}"
    );
    assert_eq!(code, Some(1));
    {
        let _helper = start_helper(&mac);
        wait_snapshot(&mac, "a snapshot", |_| true);
    }
    // Three refreshes later with no helper to refresh it: stale.
    let mut s = snapshot(&mac);
    let old = s["generated_unix"].as_u64().unwrap() - 3 * 3600;
    s["generated_unix"] = old.into();
    std::fs::write(snapshot_path(&mac), serde_json::to_vec(&s).unwrap()).unwrap();
    assert_eq!(
        ea(home, root, "compliant", "jamf"),
        ("<result>Stale</result>\n".into(), Some(0))
    );
    assert_eq!(
        ea(home, root, "failed-count", "intune"),
        ("Stale\n".into(), Some(0))
    );
    let (line, code) = ea(home, root, "summary", "kandji");
    assert!(
        line.starts_with("Earshot: Stale — the snapshot is 3.0 h old"),
        "{line}"
    );
    assert_eq!(code, Some(1));
    let (json, _) = ea(home, root, "auditing", "json");
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["stale"], true);
    assert!(v["age_secs"].as_u64().unwrap() >= 3 * 3600);
    // Garbage in the file: Error, not a crash.
    std::fs::write(snapshot_path(&mac), b"{\"schema\": 1, \"trunc").unwrap();
    assert_eq!(
        ea(home, root, "auditing", "intune"),
        ("Error\n".into(), Some(0))
    );
}

#[test]
fn a_profile_locks_changes_tailors_the_baseline_and_its_mistakes_are_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path();
    let mac = sim_init(home, "2");
    let root = mac.to_str().unwrap();
    let _helper = start_helper(&mac);
    // A first change, so there is something to roll back.
    let out = run(home, &["--root", root, "apply", "--plan"]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    profile(
        &mac,
        "<key>AllowUserTuning</key><false/>\
         <key>Baseline</key><string>cis_lvl2</string>\
         <key>ODV</key><dict><key>audit_retention_configure</key><string>90d</string></dict>\
         <key>Exemptions</key><dict><key>audit_flags_ad_configure</key><string>admin events come from the EDR</string></dict>\
         <key>SnapshotIntervalSecs</key><string>fast</string>",
    );

    // Picked up without a restart: the next change is refused with its code,
    // naming the profile's key…
    let out = run(
        home,
        &["--root", root, "apply", "--plan", "--skip-soak", "--json"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let e: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(e["error"]["code"], "managed", "{e}");
    let reason = e["error"]["reason"].as_str().unwrap();
    assert!(reason.contains("AllowUserTuning to false"), "{reason}");
    // …while a roll back still works.
    let out = run(home, &["--root", root, "rollback"]);
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );

    // The wrong-typed key, for the admin.
    let out = run(home, &["managed", "validate", "--root", root, "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let m: Value = serde_json::from_slice(&out.stdout).unwrap();
    let problems = m["problems"].to_string();
    assert!(problems.contains("SnapshotIntervalSecs"), "{problems}");
    assert!(
        problems.contains("must be an integer from 60 to 86400"),
        "{problems}"
    );
    assert_eq!(m["allow_user_tuning"], false);

    // The tailored ODV and the exemption, in the report and the snapshot.
    let r: Value = serde_json::from_slice(
        &run(
            home,
            &[
                "--root",
                root,
                "compliance",
                "--baseline",
                "cis-l2",
                "--json",
            ],
        )
        .stdout,
    )
    .unwrap();
    let rule = |id: &str| {
        r["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == id)
            .cloned()
            .unwrap()
    };
    let retention = rule("audit_retention_configure");
    assert_eq!(retention["odv"], "90d");
    assert_eq!(retention["odv_source"], "organisation");
    assert_eq!(retention["release_odv"], "30d");
    let ad = rule("audit_flags_ad_configure");
    assert_eq!(ad["status"], "exempt");
    assert_eq!(ad["checked"], "fail");
    assert_eq!(ad["exempt_reason"], "admin events come from the EDR");
    assert_eq!(r["tailoring"]["source"], "managed:org.earshot.Earshot");
    let s = wait_snapshot(&mac, "the tailored snapshot", |s| {
        s["baseline"]["name"] == "cis-l2"
    });
    assert_eq!(s["baseline"]["source"], "managed");
    assert_eq!(s["baseline"]["tailored"], true);
    assert_eq!(s["baseline"]["exempt_rules"][0], "audit_flags_ad_configure");
    assert!(!s["baseline"]["failed_rules"]
        .to_string()
        .contains("audit_flags_ad_configure"));
    assert!(s["managed"]["keys"].to_string().contains("AllowUserTuning"));
    assert!(
        s["findings"]
            .to_string()
            .contains("managed-profile-problems"),
        "{}",
        s["findings"]
    );
    assert_eq!(
        ea(home, root, "baseline", "intune").0,
        "cis-l2 (tailored)\n"
    );
}

/// A tailored retention ODV flips the CIS verdict both ways, and the plan to
/// the baseline writes the organisation's value — read from a file here, from
/// the profile on a Mac.
#[test]
fn a_tailored_retention_changes_the_verdict_and_the_plan() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path();
    let file = home.join("audit_control");
    std::fs::write(
        &file,
        "dir:/var/audit\nflags:lo,aa,ad,-ex,-fr,-fw,-fm\nminfree:5\nnaflags:lo,aa\npolicy:cnt,argv\nfilesz:2M\nexpire-after:30d\n",
    )
    .unwrap();
    let tailoring = home.join("tailoring.json");
    std::fs::write(
        &tailoring,
        r#"{"odv": {"audit_retention_configure": "90d"}}"#,
    )
    .unwrap();
    let verdict = |extra: &[&str]| {
        let mut args = vec![
            "compliance",
            "--baseline",
            "cis-l2",
            "--json",
            "--file",
            file.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let r: Value = serde_json::from_slice(&run(home, &args).stdout).unwrap();
        let x = r["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == "audit_retention_configure")
            .cloned()
            .unwrap();
        (
            x["status"].as_str().unwrap().to_string(),
            x["mscp_literal"]["verdict"].as_str().unwrap().to_string(),
        )
    };
    assert_eq!(verdict(&[]), ("pass".to_string(), "pass".to_string()));
    // 30 days no longer keeps what the organisation's 90 days keeps.
    assert_eq!(
        verdict(&["--tailoring", tailoring.to_str().unwrap()]),
        ("fail".to_string(), "fail".to_string())
    );
    // A value auditd or mSCP could never accept is refused, with why.
    std::fs::write(
        &tailoring,
        r#"{"odv": {"audit_retention_configure": "90 days"}}"#,
    )
    .unwrap();
    let out = run(
        home,
        &[
            "compliance",
            "--baseline",
            "cis-l2",
            "--file",
            file.to_str().unwrap(),
            "--tailoring",
            tailoring.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("90 days"),
        "{}",
        text(&out.stderr)
    );

    // The plan to CIS Level 2 writes the tailored value (the profile's, on a Mac).
    let mac = sim_init(home, "1");
    let root = mac.to_str().unwrap();
    profile(
        &mac,
        "<key>ODV</key><dict><key>audit_retention_configure</key><string>90d</string></dict>",
    );
    let plan: Value = serde_json::from_slice(
        &run(
            home,
            &[
                "--root",
                root,
                "plan",
                "--target",
                "cis-l2",
                "--all-steps",
                "--json",
            ],
        )
        .stdout,
    )
    .unwrap();
    let titles: Vec<&str> = plan["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["title"].as_str().unwrap())
        .collect();
    assert!(titles.contains(&"expire-after: 90d"), "{titles:?}");
}
