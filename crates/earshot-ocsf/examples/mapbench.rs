//! The mapping alone, in memory: every record of a trail → one OCSF line into a
//! reused buffer, repeated. Prints MB/s of trail and events/s on one core.
//! (`scripts/bench-ocsf` measures the whole `earshot trail export --ocsf`.)
//!
//! Usage: cargo run --release -p earshot-ocsf --example mapbench -- TRAIL [ROUNDS]

use std::time::Instant;

use audit_control::tables::EventTable;
use earshot_ocsf::{Host, Mapper, TrailId};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: mapbench TRAIL [ROUNDS]");
        std::process::exit(2);
    };
    let rounds: u32 = args.next().and_then(|r| r.parse().ok()).unwrap_or(3);
    let bytes = std::fs::read(&path).expect("read the trail");
    let records: Vec<bsm::Record<'_>> = bsm::Reader::new(&bytes)
        .filter_map(|i| match i {
            bsm::Item::Record(r) => Some(r),
            _ => None,
        })
        .collect();
    let mapper = Mapper::new(&EventTable::apple(), Host::named("bench-mac.local"));
    let trail = TrailId::from_name("20240314091500.not_terminated");
    let mut out = Vec::with_capacity(2 << 20);
    let mut best = f64::MAX;
    let mut written = 0usize;
    for _ in 0..rounds {
        let start = Instant::now();
        written = 0;
        for rec in &records {
            mapper.record(&mut out, rec, &trail);
            if out.len() > 1 << 20 {
                written += out.len();
                out.clear();
            }
        }
        written += out.len();
        out.clear();
        best = best.min(start.elapsed().as_secs_f64());
    }
    println!(
        "{} records, {} MB of trail -> {} MB of OCSF: {:.0} MB/s of trail, {:.0} events/s ({:.0} ns/event)",
        records.len(),
        bytes.len() / 1_000_000,
        written / 1_000_000,
        bytes.len() as f64 / best / 1e6,
        records.len() as f64 / best,
        best / records.len() as f64 * 1e9
    );
}
