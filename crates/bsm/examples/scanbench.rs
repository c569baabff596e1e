//! Throughput of `bsm::scan` with the trail in memory (the page-cache case).
//!
//! `cargo run --release -p bsm --example scanbench [FILE] [MIB]`
//!
//! Without FILE, the records of tests/fixtures/bsm/mixed_sample.bsm (a
//! macOS-like mix: execve, open, connect, login, ...) are repeated to MIB
//! mebibytes (default 512). Prints bytes, records and GB/s of the best of 5
//! runs on one core.

use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let file = args.next();
    let mib: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(512);
    let buf = match file.as_deref() {
        Some(path) if path != "-" => std::fs::read(path).expect("read trail"),
        _ => {
            let sample = std::fs::read(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../tests/fixtures/bsm/mixed_sample.bsm"
            ))
            .expect("mixed_sample.bsm");
            let mut buf = Vec::with_capacity(mib << 20);
            while buf.len() + sample.len() <= mib << 20 {
                buf.extend_from_slice(&sample);
            }
            buf
        }
    };
    let mut best = f64::MAX;
    let mut records = 0u64;
    let mut failures = 0u64;
    for _ in 0..5 {
        records = 0;
        failures = 0;
        let t = Instant::now();
        let end = bsm::scan(&buf, |s| {
            records += 1;
            failures += u64::from(s.status.is_some_and(|st| st != 0));
        });
        let dt = t.elapsed().as_secs_f64();
        assert_eq!(end.complete_bytes, buf.len() as u64);
        best = best.min(dt);
    }
    println!(
        "scan: {} bytes, {} records ({} failures) in {:.3} s = {:.2} GB/s (best of 5, one core)",
        buf.len(),
        records,
        failures,
        best,
        buf.len() as f64 / best / 1e9
    );
}
