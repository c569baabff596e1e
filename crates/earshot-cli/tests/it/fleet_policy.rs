//! The Fleet policy pack (deploy/fleet) run the way fleetd runs it: the
//! snapshot flattened into a `parse_json` table, each policy's query in a real
//! SQLite, against snapshots a real helper wrote.
//!
//! Built only where the bundled SQLite compiles: the macOS type-check runs on
//! Linux without an Apple toolchain, and the queries do not depend on the OS.

use crate::common::{run, sim_init, start_helper, text};
use crate::fleet_cli::wait_snapshot;

use serde_json::Value;

/// fleetd's `parse_json` rows of a JSON document (orbit/pkg/dataflatten):
/// paths joined with `/`, array items by index, nulls dropped, numbers as Go's
/// `FormatFloat(v, 'f', -1, 64)` prints a float64, booleans `true`/`false`.
fn flatten(v: &Value, path: &mut Vec<String>, rows: &mut Vec<(String, String, String, String)>) {
    let mut leaf = |value: String, path: &[String]| {
        let fullkey = path.join("/");
        let (parent, key) = match path.len() {
            0 => (String::new(), String::new()),
            1 => (String::new(), path[0].clone()),
            n => (path[..n - 1].join("/"), path[n - 1].clone()),
        };
        rows.push((fullkey, parent, key, value));
    };
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                path.push(k.clone());
                flatten(x, path, rows);
                path.pop();
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                path.push(i.to_string());
                flatten(x, path, rows);
                path.pop();
            }
        }
        Value::Null => {}
        Value::Bool(b) => leaf(b.to_string(), path),
        Value::String(s) => leaf(s.clone(), path),
        Value::Number(n) => {
            // JSON numbers decode to float64 in Go; 'f' with -1 precision
            // prints the shortest exact decimal, never an exponent.
            let f = n.as_f64().unwrap();
            let text = if f.fract() == 0.0 && f.abs() < 1e21 {
                format!("{f:.0}")
            } else {
                format!("{f}")
            };
            leaf(text, path)
        }
    }
}

/// Which policies of the pack pass against `snapshot`, as fleetd would run them.
fn fleet_verdicts(snapshot: &Value) -> Vec<(String, bool)> {
    let db = rusqlite::Connection::open_in_memory().unwrap();
    db.execute_batch(
        "CREATE TABLE parse_json (fullkey TEXT, parent TEXT, key TEXT, value TEXT, query TEXT, path TEXT);",
    )
    .unwrap();
    let mut rows = Vec::new();
    flatten(snapshot, &mut Vec::new(), &mut rows);
    for (fullkey, parent, key, value) in rows {
        db.execute(
            "INSERT INTO parse_json VALUES (?1, ?2, ?3, ?4, '*', ?5)",
            rusqlite::params![
                fullkey,
                parent,
                key,
                value,
                earshot_model::snapshot::SNAPSHOT_PATH
            ],
        )
        .unwrap();
    }
    earshot_fleet::deploy::policies()
        .into_iter()
        .map(|p| {
            // Valid SQLite, or the prepare fails here.
            let mut stmt = db
                .prepare(&p.query)
                .unwrap_or_else(|e| panic!("{}: {e}\n{}", p.name, p.query));
            let passes = stmt.exists([]).unwrap();
            (p.name.to_string(), passes)
        })
        .collect()
}

/// The Fleet policy pack against snapshots a real helper wrote: a simulated
/// Mac as Apple ships its defaults fails the compliance policy; after the
/// retention step it passes; a snapshot nobody refreshed fails "current".
#[test]
fn the_fleet_policy_pack_passes_on_a_compliant_mac_and_fails_on_one_that_is_not() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path();
    let mac = sim_init(home, "2");
    let root = mac.to_str().unwrap();
    let _helper = start_helper(&mac);
    let before = wait_snapshot(&mac, "the first snapshot", |_| true);
    let head = before["history"]["head_revision"].as_u64().unwrap();
    let verdict = |v: &[(String, bool)], name: &str| {
        v.iter()
            .find(|(n, _)| n.contains(name))
            .unwrap_or_else(|| panic!("no policy {name}"))
            .1
    };
    let v = fleet_verdicts(&before);
    assert!(verdict(&v, "auditing is running"), "{v:?}");
    assert!(!verdict(&v, "compliant"), "{v:?}");
    assert!(verdict(&v, "above minfree"), "{v:?}");
    assert!(verdict(&v, "history intact"), "{v:?}");
    assert!(verdict(&v, "snapshot is current"), "{v:?}");

    let out = run(
        home,
        &["--root", root, "apply", "--plan", "--target", "cis-l1"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let after = wait_snapshot(&mac, "the snapshot after the step", |s| {
        s["history"]["head_revision"].as_u64() > Some(head)
    });
    let v = fleet_verdicts(&after);
    assert!(v.iter().all(|(_, pass)| *pass), "{v:?}");

    // Non-compliant in other ways: auditing stopped, below minfree, an old snapshot.
    let mut bad = after.clone();
    bad["auditing"]["running"] = false.into();
    bad["headroom"]["below_minfree"] = true.into();
    bad["generated_unix"] = (after["generated_unix"].as_u64().unwrap() - 86_400).into();
    let v = fleet_verdicts(&bad);
    assert!(!verdict(&v, "auditing is running"), "{v:?}");
    assert!(!verdict(&v, "above minfree"), "{v:?}");
    assert!(!verdict(&v, "snapshot is current"), "{v:?}");
    let mut soon = after.clone();
    soon["forecast"]["days_to_minfree"] = 3.5.into();
    assert!(!verdict(&fleet_verdicts(&soon), "above minfree"));
}
