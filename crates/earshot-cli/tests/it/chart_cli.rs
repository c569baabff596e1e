//! `earshot chart` end to end: a simulated Mac with two days of real trails,
//! charted to SVG and PNG.

use std::path::Path;
use std::process::{Command, Output};

fn earshot(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_earshot"))
        .args(args)
        .env_remove("EARSHOT_ROOT")
        .output()
        .expect("run earshot")
}

fn ok(out: &Output) {
    assert!(
        out.status.success(),
        "status {:?}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Width and height from a PNG's IHDR chunk (after the signature, length and type).
fn png_size(path: &Path) -> (u32, u32) {
    let b = std::fs::read(path).unwrap();
    assert_eq!(
        &b[..8],
        b"\x89PNG\r\n\x1a\n",
        "{} is not a PNG",
        path.display()
    );
    assert_eq!(&b[12..16], b"IHDR");
    let be = |i: usize| u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    (be(16), be(20))
}

fn svg(path: &Path) -> String {
    let s = std::fs::read_to_string(path).unwrap();
    assert!(s.starts_with("<svg "), "{}", &s[..s.len().min(80)]);
    assert!(s.trim_end().ends_with("</svg>"));
    s
}

#[test]
fn charts_a_simulated_mac_as_svg_and_png() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("mac");
    let root_s = root.to_str().unwrap();
    ok(&earshot(&["sim", "init", root_s, "--days", "2"]));
    let out = |name: &str| dir.path().join(name);
    let cache = dir.path().join("cache");
    let cache_s = cache.to_str().unwrap();

    let rates_svg = out("rates.svg");
    let o = earshot(&[
        "chart",
        "rates",
        "--root",
        root_s,
        "--out",
        rates_svg.to_str().unwrap(),
        "--cache-dir",
        cache_s,
    ]);
    ok(&o);
    assert!(String::from_utf8_lossy(&o.stdout).contains("960×480 SVG"));
    let s = svg(&rates_svg);
    // Apple's default flags audit lo and aa; a laptop logs aa events all day.
    assert!(s.contains("\naa\n"), "class aa missing");
    assert!(s.contains("Events per second"));
    assert!(s.contains("last 24 hours"));

    let rates_png = out("rates-1h.png");
    ok(&earshot(&[
        "chart",
        "rates",
        "--root",
        root_s,
        "--window",
        "1h",
        "--out",
        rates_png.to_str().unwrap(),
        "--width",
        "1200",
        "--height",
        "600",
        "--cache-dir",
        cache_s,
    ]));
    assert_eq!(png_size(&rates_png), (1200, 600));

    let forecast_svg = out("forecast.svg");
    ok(&earshot(&[
        "chart",
        "forecast",
        "--root",
        root_s,
        "--out",
        forecast_svg.to_str().unwrap(),
        "--no-cache",
    ]));
    let s = svg(&forecast_svg);
    assert!(s.contains("Minfree threshold"));
    // Apple's expire-after:10M caps the folder long before a 500 GB disk fills.
    assert!(s.contains("Minfree never reached"), "headline missing");
    assert!(s.contains("Expiry cap"));

    let forecast_png = out("forecast.png");
    ok(&earshot(&[
        "chart",
        "forecast",
        "--root",
        root_s,
        "--out",
        forecast_png.to_str().unwrap(),
        "--no-cache",
    ]));
    assert_eq!(png_size(&forecast_png), (960, 480));

    let spark = out("spark.svg");
    ok(&earshot(&[
        "chart",
        "sparkline",
        "--root",
        root_s,
        "--window",
        "24h",
        "--out",
        spark.to_str().unwrap(),
        "--no-cache",
    ]));
    let s = svg(&spark);
    assert!(s.starts_with("<svg width=\"280\" height=\"48\""));
    assert!(s.contains("currentColor"));
    let o = earshot(&[
        "chart",
        "sparkline",
        "--root",
        root_s,
        "--out",
        forecast_png.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("SVG only"));

    // The global --root works as well (it sets $EARSHOT_ROOT).
    let via_global = out("global.svg");
    ok(&earshot(&[
        "--root",
        root_s,
        "chart",
        "forecast",
        "--out",
        via_global.to_str().unwrap(),
        "--no-cache",
    ]));
    assert!(std::fs::read(&via_global).unwrap().len() > 1000);
}

#[test]
fn refuses_unknown_formats_and_misplaced_options() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("mac");
    let root_s = root.to_str().unwrap();
    ok(&earshot(&["sim", "init", root_s, "--days", "0.1"]));

    let jpg = dir.path().join("x.jpg");
    let o = earshot(&[
        "chart",
        "rates",
        "--root",
        root_s,
        "--out",
        jpg.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains(".svg or .png"));
    assert!(!jpg.exists());

    let svg_path = dir.path().join("f.svg");
    let o = earshot(&[
        "chart",
        "forecast",
        "--root",
        root_s,
        "--window",
        "1h",
        "--out",
        svg_path.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--window"));

    let o = earshot(&[
        "chart",
        "rates",
        "--root",
        root_s,
        "--window",
        "7d",
        "--out",
        svg_path.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("1h or 24h"));

    let o = earshot(&[
        "chart",
        "rates",
        "--root",
        root_s,
        "--width",
        "0",
        "--out",
        svg_path.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("out of range"));
    assert!(!svg_path.exists());
}
