//! `earshot status --json` field names are a contract (docs/status-json.md): this
//! snapshot lists every key path the status can produce across representative
//! simulated Macs, and checks each one is documented. Renaming or removing a field
//! fails here; adding one means adding it to EXPECTED_KEYS and to the doc.
//!
//! To see the current list after an intentional change:
//! `EARSHOT_BLESS=1 cargo test -p earshot-core --test status_json -- --nocapture`
//! prints it (review it, then paste it into EXPECTED_KEYS).

use std::collections::BTreeSet;
use std::path::Path;

use earshot_core::status::{collect, Status, StatusOptions};
use earshot_sim::SimulatedMac;
use earshot_sim::{AuditingSetup, InitOptions};
use earshot_system::{from_unix, VirtualClock};
use serde_json::Value;

const NOW: u64 = 1_772_409_600;

const EXPECTED_KEYS: &str = "
config
config.dirs
config.dirs[]
config.expire_after
config.expire_after.age_secs
config.expire_after.op
config.expire_after.size_bytes
config.filesz_bytes
config.flags
config.minfree_percent
config.naflags
config.policy
config.policy[]
forecast
forecast.bytes_per_day
forecast.bytes_per_sec
forecast.minfree
forecast.minfree.cap_bytes
forecast.minfree.days
forecast.minfree.kind
forecast.rotation_interval_secs
forecast.steady_state
forecast.steady_state.kind
forecast.steady_state.limited_by
forecast.steady_state.mean_bytes
forecast.steady_state.peak_bytes
forecast.steady_state.reason
forecast.steady_state.retention_secs
forecast.steady_state.trails_kept
forecast.warnings
forecast.warnings[]
forecast.warnings[].code
forecast.warnings[].level
forecast.warnings[].message
generated_at
headroom
headroom[]
headroom[].auditd_threshold_bytes
headroom[].below_hard_limit
headroom[].below_minfree
headroom[].bytes_above_minfree
headroom[].dir
headroom[].file_count
headroom[].folder_bytes
headroom[].free_bytes
headroom[].free_percent
headroom[].kernel_threshold_bytes
headroom[].kernel_threshold_percent
headroom[].minfree_percent
headroom[].trail_count
headroom[].volume_bytes
health
health.evidence
health.evidence[]
health.evidence[].observation
health.evidence[].source
health.fix
health.severity
health.state
health.summary
macos_version
rates
rates[]
rates[].by_class
rates[].by_class.<class>
rates[].by_class.<class>.bytes
rates[].by_class.<class>.bytes_per_sec
rates[].by_class.<class>.events_per_sec
rates[].by_class.<class>.failures
rates[].by_class.<class>.records
rates[].by_class.<class>.successes
rates[].by_event
rates[].by_event.<event>
rates[].by_event.<event>.bytes
rates[].by_event.<event>.bytes_per_sec
rates[].by_event.<event>.events_per_sec
rates[].by_event.<event>.failures
rates[].by_event.<event>.records
rates[].by_event.<event>.successes
rates[].covered_secs
rates[].span
rates[].span_secs
rates[].total
rates[].total.bytes
rates[].total.bytes_per_sec
rates[].total.events_per_sec
rates[].total.failures
rates[].total.records
rates[].total.successes
schema
system
trails
trails.count
trails.crash_recovery_count
trails.current
trails.current.path
trails.current.size_bytes
trails.current.started
trails.oldest_start
trails.total_bytes
";

fn key_paths(v: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                // Class and event names are data, not field names.
                let name = if prefix.ends_with(".by_class") {
                    "<class>"
                } else if prefix.ends_with(".by_event") {
                    "<event>"
                } else {
                    k.as_str()
                };
                let path = if prefix.is_empty() {
                    name.to_string()
                } else {
                    format!("{prefix}.{name}")
                };
                out.insert(path.clone());
                key_paths(child, &path, out);
            }
        }
        Value::Array(items) => {
            let path = format!("{prefix}[]");
            for item in items {
                out.insert(path.clone());
                key_paths(item, &path, out);
            }
        }
        _ => {}
    }
}

fn status_of(version: &str, setup: AuditingSetup, control: Option<&str>, days: f64) -> Status {
    let dir = tempfile::tempdir().unwrap();
    let opts = InitOptions {
        macos_version: version.into(),
        days,
        profile: "laptop".into(),
        seed: 1,
        auditing: setup,
        now: from_unix(NOW),
        audit_control: control.map(str::to_string),
    };
    earshot_sim::init(dir.path(), &opts).unwrap();
    let mac = SimulatedMac::open(dir.path())
        .unwrap()
        .with_clock(VirtualClock::at_unix(NOW));
    collect(&mac, "simulated", &StatusOptions::default()).unwrap()
}

fn scenarios() -> Vec<Status> {
    vec![
        status_of("15.1", AuditingSetup::On, None, 2.0),
        status_of("14.5", AuditingSetup::AppleDefault, None, 1.0),
        status_of(
            "15.1",
            AuditingSetup::On,
            Some("dir:/var/audit\nflags:lo,aa,pc\nminfree:5\nnaflags:lo,aa,pc\npolicy:cnt\nfilesz:0\nexpire-after:60d AND 5G\n"),
            0.5,
        ),
    ]
}

#[test]
fn status_json_field_names_are_stable_and_documented() {
    let mut keys = BTreeSet::new();
    for st in scenarios() {
        key_paths(&serde_json::to_value(&st).unwrap(), "", &mut keys);
    }
    let actual: Vec<&str> = keys.iter().map(String::as_str).collect();
    if std::env::var_os("EARSHOT_BLESS").is_some() {
        println!("{}", actual.join("\n"));
    }
    let expected: Vec<&str> = EXPECTED_KEYS.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(actual, expected, "status JSON key paths changed");
    let doc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/status-json.md"),
    )
    .unwrap();
    for k in expected {
        assert!(
            doc.contains(&format!("`{k}`")),
            "docs/status-json.md does not document `{k}`"
        );
    }
}

#[test]
fn status_is_deterministic_for_a_seeded_mac_at_a_fixed_time() {
    let a = serde_json::to_string(&status_of("15.1", AuditingSetup::On, None, 1.0)).unwrap();
    let b = serde_json::to_string(&status_of("15.1", AuditingSetup::On, None, 1.0)).unwrap();
    assert_eq!(a, b);
    let v: Value = serde_json::from_str(&a).unwrap();
    assert_eq!(v["schema"], 1);
    assert_eq!(v["health"]["state"], "auditing");
    assert_eq!(v["health"]["severity"], "ok");
    assert_eq!(v["rates"][2]["span"], "day");
    assert_eq!(v["headroom"][0]["dir"], "/var/audit");
}

#[test]
fn rates_add_up_and_count_events_in_every_class_they_belong_to() {
    let st = status_of(
        "15.1",
        AuditingSetup::On,
        Some("dir:/var/audit\nflags:lo,aa,ex\nminfree:5\nnaflags:lo,aa,ex\npolicy:cnt,argv\nfilesz:2M\nexpire-after:10M\n"),
        1.0,
    );
    let day = st.rates.iter().find(|r| r.span_secs == 86_400).unwrap();
    let by_event: u64 = day.by_event.values().map(|r| r.records).sum();
    assert_eq!(by_event, day.total.records);
    assert!(day.total.successes + day.total.failures <= day.total.records);
    // AUE_EXECVE is in pc and ex: selected by ex, it shows up under both classes.
    let execve = day.by_event["AUE_EXECVE"].records;
    assert!(execve > 0);
    assert!(day.by_class["pc"].records >= execve);
    assert!(day.by_class["ex"].records >= execve);
    // A whole day of history: the day window is fully covered.
    assert_eq!(day.covered_secs, 86_400);
    let hour = st.rates.iter().find(|r| r.span_secs == 3600).unwrap();
    let ratio = hour.total.events_per_sec / day.total.events_per_sec;
    assert!((0.7..1.3).contains(&ratio), "hour vs day rate {ratio}");
}
