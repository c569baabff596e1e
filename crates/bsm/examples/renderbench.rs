//! Throughput of the renderers (praudit -l lines, NDJSON, XML) into a sink.
//!
//! `cargo run --release -p bsm --example renderbench [MIB]`
//!
//! Uses the records of tests/fixtures/bsm/mixed_sample.bsm repeated to MIB
//! mebibytes (default 64) and upstream's event table, one core.

use std::io::{self, Write};
use std::time::Instant;

use bsm::names::Catalog;

/// Counts bytes, discards them: measures rendering, not the terminal.
struct Sink(u64);

impl Write for Sink {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.0 += b.len() as u64;
        Ok(b.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

type Render = fn(&[u8], &Catalog, &mut Sink) -> io::Result<Vec<bsm::Damage>>;

fn main() {
    let mib: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(64);
    let sample = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/bsm/mixed_sample.bsm"
    ))
    .expect("mixed_sample.bsm");
    let mut buf = Vec::with_capacity(mib << 20);
    while buf.len() + sample.len() <= mib << 20 {
        buf.extend_from_slice(&sample);
    }
    let cat = Catalog::upstream();
    let renders: [(&str, Render); 3] = [
        ("praudit -l", |b, c, w| bsm::praudit::print_trail(b, c, w)),
        ("ndjson", |b, c, w| bsm::json::print_trail(b, c, w)),
        ("xml", |b, c, w| bsm::xml::print_trail(b, c, w)),
    ];
    for (name, f) in renders {
        let mut best = f64::MAX;
        let mut out = 0;
        for _ in 0..3 {
            let mut sink = Sink(0);
            let t = Instant::now();
            f(&buf, &cat, &mut sink).expect("render");
            best = best.min(t.elapsed().as_secs_f64());
            out = sink.0;
        }
        println!(
            "{name}: {} input bytes -> {} output bytes in {:.3} s = {:.1} MB/s of trail (best of 3, one core)",
            buf.len(),
            out,
            best,
            buf.len() as f64 / best / 1e6
        );
    }
}
