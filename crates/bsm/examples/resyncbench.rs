//! Throughput of framing damaged input: the hostile trails a crash, a full
//! disk or an attacker can leave, each read whole by `bsm::scan` and by the
//! `Reader` (what `trail stats` and `trail print` do per chunk).
//!
//! `cargo run --release -p bsm --example resyncbench [MIB] [--write DIR]`
//!
//! Builds each input at MIB mebibytes (default 64), prints MB/s of the best of
//! 3 runs on one core for both passes, and the slowest figure last. With
//! `--write DIR` the inputs are also written there (`scripts/bench-resync`
//! times `earshot trail stats` and `trail print` on them).

use std::time::Instant;

/// A small deterministic generator (xorshift64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn sample() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/bsm/mixed_sample.bsm"
    ))
    .expect("tests/fixtures/bsm/mixed_sample.bsm")
}

/// The inputs, each `size` bytes: (name, what it attacks, bytes).
fn inputs(size: usize) -> Vec<(&'static str, &'static str, Vec<u8>)> {
    let fill = |f: &mut dyn FnMut(&mut Vec<u8>)| {
        let mut v = Vec::with_capacity(size + 70_000);
        while v.len() < size {
            f(&mut v);
        }
        v.truncate(size);
        v
    };
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let records = sample();
    let mut out = Vec::new();
    out.push((
        "all-0x14",
        "every byte a header32 id claiming 336 MB (was quadratic: 237 s at 4 MiB)",
        vec![0x14u8; size],
    ));
    out.push((
        "all-0x79",
        "every byte a header64_ex id (the ids memchr3 cannot look for)",
        vec![0x79u8; size],
    ));
    out.push((
        "headers-near-claims",
        "a header32 every 5 bytes claiming 1 MiB: each candidate checks a trailer",
        fill(&mut |v| v.extend_from_slice(&[0x14, 0x00, 0x10, 0x00, 0x00])),
    ));
    out.push((
        "headers-random-claims",
        "header ids every 6 bytes claiming random lengths up to 4 MiB: trailer checks all over",
        fill(&mut |v| {
            let r = rng.next();
            let id = [0x14u8, 0x15, 0x74, 0x79][(r & 3) as usize];
            v.extend_from_slice(&[
                id,
                0x00,
                ((r >> 8) & 0x3f) as u8,
                (r >> 16) as u8,
                (r >> 24) as u8,
                11,
            ]);
        }),
    ));
    out.push((
        "misaligned-records",
        "real records, each after one junk byte: one resync per record",
        {
            let mut one = Vec::new();
            for item in bsm::Reader::new(&records) {
                if let bsm::Item::Record(r) = item {
                    one.push(0u8);
                    one.extend_from_slice(r.bytes);
                }
            }
            fill(&mut |v| v.extend_from_slice(&one))
        },
    ));
    out.push((
        "shifted-records",
        "real records cut one byte short (trailer count off by one)",
        {
            let mut one = Vec::new();
            for item in bsm::Reader::new(&records) {
                if let bsm::Item::Record(r) = item {
                    one.extend_from_slice(&r.bytes[..r.bytes.len() - 1]);
                }
            }
            fill(&mut |v| v.extend_from_slice(&one))
        },
    ));
    out.push((
        "file-token-names",
        "file-token candidates every 16 bytes with plausible times and 1 KiB names",
        fill(&mut |v| {
            v.extend_from_slice(&[0x11, 0, 0, 0, 0, 0, 0, 0, 1, 0x04, 0x00]);
            v.extend_from_slice(b"aaaaa");
        }),
    ));
    out.push(("random", "uniformly random bytes", {
        fill(&mut |v| v.extend_from_slice(&rng.next().to_le_bytes()))
    }));
    out
}

fn best_of<F: FnMut() -> u64>(runs: usize, mut f: F) -> (f64, u64) {
    let mut best = f64::MAX;
    let mut n = 0;
    for _ in 0..runs {
        let t = Instant::now();
        n = f();
        best = best.min(t.elapsed().as_secs_f64());
    }
    (best, n)
}

fn main() {
    let mut mib = 64usize;
    let mut write_dir = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--write" => write_dir = args.next(),
            n => mib = n.parse().expect("MIB: a number"),
        }
    }
    let size = mib << 20;
    let mut slowest = (f64::MAX, "");
    for (name, what, buf) in inputs(size) {
        if let Some(dir) = &write_dir {
            std::fs::create_dir_all(dir).expect("create --write DIR");
            std::fs::write(format!("{dir}/{name}.bsm"), &buf).expect("write input");
        }
        let (scan_s, records) = best_of(3, || {
            let mut n = 0u64;
            let end = bsm::scan(&buf, |_| n += 1);
            let _ = end;
            n
        });
        let (read_s, items) = best_of(3, || bsm::Reader::new(&buf).count() as u64);
        let mbs = |s: f64| buf.len() as f64 / s / 1e6;
        println!(
            "{name:<22} scan {:>8.0} MB/s  reader {:>8.0} MB/s  ({records} records, {items} items)  {what}",
            mbs(scan_s),
            mbs(read_s)
        );
        for v in [mbs(scan_s), mbs(read_s)] {
            if v < slowest.0 {
                slowest = (v, name);
            }
        }
    }
    println!(
        "slowest: {:.0} MB/s ({}), {mib} MiB per input, one core",
        slowest.0, slowest.1
    );
}
