//! The helper under siege: a legitimate client's time to `status` while 200
//! hostile peers of each kind are held or churned, and the helper's memory
//! after 5,000 requests. The real binary (release when run as a bench) on a
//! simulated Mac, default limits. Prints the figures; asserts nothing.
//!
//!     cargo bench -p earshot-helper --bench siege

#[path = "../tests/it/common/mod.rs"]
#[allow(unused_imports)]
mod common;
#[path = "../tests/it/common/siege.rs"]
mod siege;

use std::sync::Arc;
use std::time::Duration;

use siege::{Attack, Target};

const HOSTILE: usize = 200;
const SAMPLES: usize = 20;

fn vm(pid: u32, key: &str) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(key))
        .map(|l| l[key.len()..].trim().to_string())
        .unwrap_or_else(|| "?".into())
}

async fn sample(target: &Target) -> (Duration, Duration, usize) {
    let mut times = Vec::new();
    let mut refused = 0;
    for _ in 0..SAMPLES {
        match siege::time_to_status(target).await {
            Ok(t) => times.push(t),
            Err(e) => {
                if refused == 0 {
                    println!("  refused: {e}");
                }
                refused += 1
            }
        }
    }
    times.sort();
    let median = times.get(times.len() / 2).copied().unwrap_or_default();
    let max = times.last().copied().unwrap_or_default();
    (median, max, refused)
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        if siege::run_attacker_from_env().await {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        common::simulated_mac(dir.path());
        let (daemon, first) = common::start_daemon(dir.path()).await;
        drop(first);
        let pid = daemon.child.id();
        let target = Arc::new(Target::simulated(dir.path()));
        println!("helper RSS at start: {}", vm(pid, "VmRSS:"));
        let (m, x, r) = sample(&target).await;
        println!(
            "{:<34} median {m:>10.2?}  max {x:>10.2?}  refused {r}",
            "no attack"
        );
        for attack in Attack::ALL {
            // The attackers run in a process of their own, as a hostile
            // program would (this binary again, see siege::AttackerProcess).
            let held = siege::AttackerProcess::spawn(&[], dir.path(), attack, HOSTILE, false);
            let (m, x, r) = sample(&target).await;
            println!(
                "{:<34} median {m:>10.2?}  max {x:>10.2?}  refused {r}",
                format!("{HOSTILE} held {}", attack.name())
            );
            drop(held);
            let churned = siege::AttackerProcess::spawn(&[], dir.path(), attack, HOSTILE, true);
            let (m, x, r) = sample(&target).await;
            drop(churned);
            println!(
                "{:<34} median {m:>10.2?}  max {x:>10.2?}  refused {r}",
                format!("{HOSTILE} churned {}", attack.name())
            );
        }
        // 5,000 status requests from 25 clients at once (within the per-uid
        // cap of 32), then memory.
        let mut tasks = Vec::new();
        for _ in 0..25 {
            let target = target.clone();
            tasks.push(tokio::spawn(async move {
                let secret = target.secret.secret.clone();
                let mut c =
                    earshot_api::Client::connect_with(&target.socket, move |_| Ok(secret.clone()))
                        .await
                        .unwrap();
                for _ in 0..200 {
                    c.status().await.unwrap();
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        println!(
            "helper after 5,000 status requests (25 clients): RSS {}, peak {}, threads {}",
            vm(pid, "VmRSS:"),
            vm(pid, "VmHWM:"),
            vm(pid, "Threads:")
        );
        tokio::time::sleep(Duration::from_secs(12)).await;
        println!(
            "helper 12 s later: RSS {}, threads {}",
            vm(pid, "VmRSS:"),
            vm(pid, "Threads:")
        );
    });
}
