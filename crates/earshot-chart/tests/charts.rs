//! Rendering tests over fixed inputs: well-formed SVG with the right words in it,
//! PNGs of the right size, byte-identical output for identical input, "No data
//! yet" instead of a panic for empty or hostile data, and golden SVGs (regenerate
//! with `EARSHOT_BLESS=1 cargo test -p earshot-chart`, then review the diff).

use std::path::PathBuf;

use earshot_chart::{
    forecast_chart, rates_chart, soak_chart, sparkline, Appearance, ChartError, ChartOptions,
    ClassSeries, ForecastView, Format, RateSeries, RateSpan, Rendered, SparklineOptions,
};
use earshot_core::forecast::ForecastInput;
use earshot_model::plan::Range;
use earshot_model::soak::SoakSeries;
use earshot_system::{ExpiryOp, ExpiryRule};

const MIB: u64 = 1 << 20;
const GIB: u64 = 1 << 30;
/// 2026-11-29 00:00:00 UTC.
const NOW: u64 = 1_795_910_400;

/// A day of three classes with a daily rhythm, from a fixed formula (no RNG).
fn day_series() -> RateSeries {
    let bucket = 900;
    let start = NOW - 86_400;
    let class = |name: &str, desc: &str, base: f64, amp: f64| ClassSeries {
        name: name.into(),
        description: desc.into(),
        points: (0..96u64)
            .map(|i| {
                let phase = i as f64 / 96.0 * std::f64::consts::TAU;
                (
                    start + i * bucket,
                    base + amp * phase.sin().abs() + (i % 7) as f64 * base * 0.02,
                )
            })
            .collect(),
    };
    RateSeries {
        span: RateSpan::Day,
        start,
        end: NOW,
        bucket_secs: bucket,
        classes: vec![
            class("fa", "file attribute access", 9.0, 6.0),
            class("fr", "file read", 3.5, 2.0),
            class("aa", "authentication and authorization", 0.08, 0.03),
        ],
    }
}

fn view(rule: Option<ExpiryRule>, above: u64) -> ForecastView {
    let rate = 140.0 * MIB as f64 / 86_400.0;
    let folder = 980 * MIB;
    let forecast = earshot_core::forecast::compute(&ForecastInput {
        bytes_per_sec: rate,
        filesz: 2 * MIB,
        expire_after: rule,
        folder_bytes: folder,
        bytes_above_minfree: above,
        below_minfree: false,
        mean_record_bytes: 120.0,
    });
    // Seven days of even growth up to the folder's size now.
    let history = (0..=70u64)
        .map(|i| (NOW - 7 * 86_400 + i * 8640, folder * i / 70))
        .collect();
    ForecastView {
        now: NOW,
        history,
        folder_bytes: folder,
        bytes_above_minfree: above,
        minfree_percent: Some(25),
        forecast: Some(forecast),
    }
}

fn capped_view() -> ForecastView {
    view(
        Some(ExpiryRule {
            age_secs: Some(60 * 86_400),
            size_bytes: Some(5 * GIB),
            op: ExpiryOp::Or,
        }),
        62 * GIB,
    )
}

/// No expire-after, 1.6 GiB above minfree at 140 MiB/day: reached in 12 days.
fn reaching_view() -> ForecastView {
    view(None, 1640 * MIB)
}

fn svg(r: Rendered) -> String {
    match r {
        Rendered::Svg(s) => s,
        Rendered::Png(_) => panic!("asked for SVG, got PNG"),
    }
}

fn svg_opts() -> ChartOptions {
    ChartOptions::default()
}

fn png_opts(width: u32, height: u32) -> ChartOptions {
    ChartOptions {
        width,
        height,
        format: Format::Png,
        ..ChartOptions::default()
    }
}

/// Parses the SVG (panics if it is not well-formed XML) and returns all its text,
/// whitespace-normalised, plus the root's width and height.
fn svg_text(s: &str) -> (String, String, String) {
    let doc = roxmltree::Document::parse(s).expect("well-formed SVG");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    let text: Vec<&str> = doc
        .descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect();
    let joined = text
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    (
        joined,
        root.attribute("width").unwrap_or("").to_string(),
        root.attribute("height").unwrap_or("").to_string(),
    )
}

fn png_size(bytes: &[u8]) -> (u32, u32) {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("one frame");
    (info.width, info.height)
}

#[test]
fn rates_svg_names_every_class_with_units_and_utc_axis() {
    let s = svg(rates_chart(&day_series(), &svg_opts()).unwrap());
    let (text, w, h) = svg_text(&s);
    assert_eq!((w.as_str(), h.as_str()), ("960", "480"));
    for word in [
        "fa",
        "fr",
        "aa",
        "file attribute access",
        "Events per second",
        "Time (UTC)",
    ] {
        assert!(text.contains(word), "{word:?} missing from {text}");
    }
    // Six-hourly UTC ticks at this width, and the date at midnight.
    for tick in [
        "Nov 28",
        "06:00",
        "12:00",
        "18:00",
        "Nov 29",
        "2026-11-28 00:00 – 2026-11-29 00:00 UTC",
    ] {
        assert!(text.contains(tick), "tick {tick} missing from {text}");
    }
    assert!(s.contains("<title>Audit events per second by class, last 24 hours</title>"));
}

#[test]
fn hour_window_ticks_every_ten_minutes() {
    let mut s = day_series();
    s.span = RateSpan::Hour;
    s.bucket_secs = 60;
    s.start = NOW - 3600;
    for c in &mut s.classes {
        c.points = (0..60)
            .map(|i| (s.start + i * 60, 1.0 + (i % 5) as f64))
            .collect();
    }
    let (text, _, _) = svg_text(&svg(rates_chart(&s, &svg_opts()).unwrap()));
    for tick in ["23:10", "23:30", "23:50", "One-minute buckets"] {
        assert!(text.contains(tick), "{tick} missing from {text}");
    }
}

#[test]
fn forecast_svg_shows_minfree_and_when_it_is_reached() {
    let (text, _, _) = svg_text(&svg(forecast_chart(&reaching_view(), &svg_opts()).unwrap()));
    for word in [
        "Minfree reached in 12 days",
        "minfree 25 % reached",
        "Minfree threshold",
        "History",
        "Forecast",
        // 1640 MiB at 140 MiB/day: 11.7 days after Nov 29.
        "Dec 10",
        "Trail folder size",
    ] {
        assert!(text.contains(word), "{word:?} missing from {text}");
    }
    assert!(
        !text.contains("Expiry cap"),
        "no expire-after, no cap: {text}"
    );
}

#[test]
fn forecast_svg_shows_the_expiry_cap_and_says_minfree_is_never_reached() {
    let (text, _, _) = svg_text(&svg(forecast_chart(&capped_view(), &svg_opts()).unwrap()));
    for word in [
        "Minfree never reached: expiry caps the folder at",
        "Expiry cap",
        "expire-after cap",
        "Minfree threshold",
        "off the scale",
        "The volume reaches minfree only after 62.0 GiB more of trails.",
    ] {
        assert!(text.contains(word), "{word:?} missing from {text}");
    }
}

#[test]
fn pngs_decode_at_the_requested_size() {
    for (w, h) in [(960, 480), (1920, 960), (320, 160), (333, 777)] {
        let r = rates_chart(&day_series(), &png_opts(w, h)).unwrap();
        assert_eq!(r.format(), Format::Png);
        assert_eq!(png_size(r.as_bytes()), (w, h));
    }
    let r = forecast_chart(&reaching_view(), &png_opts(1200, 700)).unwrap();
    assert_eq!(png_size(r.as_bytes()), (1200, 700));
}

#[test]
fn same_input_gives_the_same_bytes() {
    for format in [Format::Svg, Format::Png] {
        let opts = ChartOptions {
            format,
            ..ChartOptions::default()
        };
        assert_eq!(
            rates_chart(&day_series(), &opts).unwrap(),
            rates_chart(&day_series(), &opts).unwrap()
        );
        assert_eq!(
            forecast_chart(&capped_view(), &opts).unwrap(),
            forecast_chart(&capped_view(), &opts).unwrap()
        );
    }
    let o = SparklineOptions::default();
    assert_eq!(
        sparkline(&day_series(), &o).unwrap(),
        sparkline(&day_series(), &o).unwrap()
    );
}

#[test]
fn empty_data_says_no_data_yet() {
    let empty = RateSeries::empty(RateSpan::Hour, NOW);
    let (text, _, _) = svg_text(&svg(rates_chart(&empty, &svg_opts()).unwrap()));
    assert!(text.contains("No data yet"), "{text}");
    assert!(text.contains("No audit records were written in the last hour."));

    // Classes present but every rate zero: still no data.
    let mut zero = day_series();
    for c in &mut zero.classes {
        for p in &mut c.points {
            p.1 = 0.0;
        }
    }
    let (text, _, _) = svg_text(&svg(rates_chart(&zero, &svg_opts()).unwrap()));
    assert!(text.contains("No data yet"), "{text}");

    let nothing = ForecastView {
        now: NOW,
        history: Vec::new(),
        folder_bytes: 0,
        bytes_above_minfree: 0,
        minfree_percent: None,
        forecast: None,
    };
    let (text, _, _) = svg_text(&svg(forecast_chart(&nothing, &svg_opts()).unwrap()));
    assert!(text.contains("No data yet"), "{text}");

    let spark = sparkline(&empty, &SparklineOptions::default()).unwrap();
    let (text, _, _) = svg_text(&spark);
    assert!(text.contains("No data yet"), "{text}");
    assert_eq!(
        png_size(rates_chart(&empty, &png_opts(400, 200)).unwrap().as_bytes()),
        (400, 200)
    );
}

#[test]
fn hostile_numbers_never_panic() {
    let mut s = day_series();
    s.classes[0].points[3].1 = f64::NAN;
    s.classes[0].points[4].1 = f64::INFINITY;
    s.classes[1].points[5].1 = -5.0;
    s.classes[2].points.clear();
    rates_chart(&s, &svg_opts()).unwrap();
    sparkline(&s, &SparklineOptions::default()).unwrap();

    // A window of no length and a zero bucket.
    let mut s = day_series();
    s.end = s.start;
    s.bucket_secs = 0;
    rates_chart(&s, &png_opts(300, 150)).unwrap();
    sparkline(&s, &SparklineOptions::default()).unwrap();

    // Far-future times and sizes near u64::MAX.
    let mut v = reaching_view();
    v.now = u64::MAX / 2;
    v.folder_bytes = u64::MAX;
    v.bytes_above_minfree = u64::MAX;
    v.history = vec![(0, 0), (u64::MAX / 2, u64::MAX)];
    forecast_chart(&v, &svg_opts()).unwrap();

    // A NaN rate in the forecast, history in the future.
    let mut v = capped_view();
    if let Some(f) = &mut v.forecast {
        f.bytes_per_sec = f64::NAN;
    }
    v.history.push((NOW + 86_400, 1));
    forecast_chart(&v, &png_opts(640, 320)).unwrap();
}

#[test]
fn impossible_sizes_are_errors() {
    for (w, h) in [(0, 480), (960, 0), (100_000, 10)] {
        let opts = ChartOptions {
            width: w,
            height: h,
            format: Format::Png,
            ..ChartOptions::default()
        };
        assert!(matches!(
            rates_chart(&day_series(), &opts),
            Err(ChartError::Size { .. })
        ));
    }
    let o = SparklineOptions {
        width: 0,
        ..SparklineOptions::default()
    };
    assert!(matches!(
        sparkline(&day_series(), &o),
        Err(ChartError::Size { .. })
    ));
}

#[test]
fn sparkline_follows_the_text_colour() {
    let s = sparkline(&day_series(), &SparklineOptions::default()).unwrap();
    let (_, w, h) = svg_text(&s);
    assert_eq!((w.as_str(), h.as_str()), ("280", "48"));
    assert!(s.contains("currentColor"));
    assert!(!s.contains("#010203"), "the placeholder colour leaked");
    // No background rectangle: the popover's own background shows through.
    assert!(!s.contains("#FFFFFF"));
    assert!(s.contains("<title>Events per second over the last 24h: fa, fr, aa</title>"));
}

#[test]
fn dark_appearance_uses_the_dark_window_colours() {
    let dark = ChartOptions {
        appearance: Appearance::Dark,
        ..ChartOptions::default()
    };
    for s in [
        svg(rates_chart(&day_series(), &dark).unwrap()),
        svg(forecast_chart(&reaching_view(), &dark).unwrap()),
    ] {
        svg_text(&s);
        // windowBackgroundColor and labelColor of dark mode, no white anywhere.
        assert!(s.contains("fill=\"#1E1E1E\""));
        assert!(s.contains("fill=\"#F5F5F7\""));
        assert!(!s.contains("#FFFFFF"));
    }
    let light = svg(rates_chart(&day_series(), &svg_opts()).unwrap());
    assert!(light.contains("fill=\"#FFFFFF\""));
}

#[test]
fn every_outlook_has_a_headline() {
    let mut below = reaching_view();
    if let Some(f) = &mut below.forecast {
        f.minfree = earshot_core::forecast::MinfreeOutlook::AlreadyBelow;
    }
    let (text, _, _) = svg_text(&svg(forecast_chart(&below, &svg_opts()).unwrap()));
    assert!(text.contains("Already below minfree"), "{text}");

    let mut flat = capped_view();
    flat.forecast = Some(earshot_core::forecast::compute(&ForecastInput {
        bytes_per_sec: 0.0,
        filesz: 2 * MIB,
        expire_after: None,
        folder_bytes: flat.folder_bytes,
        bytes_above_minfree: flat.bytes_above_minfree,
        below_minfree: false,
        mean_record_bytes: 0.0,
    }));
    let (text, _, _) = svg_text(&svg(forecast_chart(&flat, &svg_opts()).unwrap()));
    assert!(text.contains("No trail growth measured"), "{text}");
}

#[test]
fn format_follows_the_extension() {
    assert_eq!(Format::from_path("a/b.SVG".as_ref()), Some(Format::Svg));
    assert_eq!(Format::from_path("x.png".as_ref()), Some(Format::Png));
    assert_eq!(Format::from_path("x.jpg".as_ref()), None);
    assert_eq!(Format::from_path("png".as_ref()), None);
}

fn golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("EARSHOT_BLESS").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with EARSHOT_BLESS=1 to create)",
            path.display()
        )
    });
    assert!(
        expected == actual,
        "{} differs from the rendered chart; if the change is intended, rerun with EARSHOT_BLESS=1 and review the diff",
        path.display()
    );
}

#[test]
fn golden_svgs() {
    golden(
        "rates-24h.svg",
        &svg(rates_chart(&day_series(), &svg_opts()).unwrap()),
    );
    golden(
        "forecast-reaching.svg",
        &svg(forecast_chart(&reaching_view(), &svg_opts()).unwrap()),
    );
    golden(
        "forecast-capped.svg",
        &svg(forecast_chart(&capped_view(), &svg_opts()).unwrap()),
    );
    golden(
        "soak-over.svg",
        &svg(soak_chart(&soak_series(3.0), &svg_opts()).unwrap()),
    );
    golden(
        "sparkline.svg",
        &sparkline(&day_series(), &SparklineOptions::default()).unwrap(),
    );
}

/// Two days of a step that writes `scale` × its typical prediction of
/// 420 KiB/day, hourly, with a daily rhythm (a fixed formula, no RNG).
fn soak_series(scale: f64) -> SoakSeries {
    let start = NOW - 2 * 86_400;
    let typical = 420.0 * 1024.0;
    SoakSeries {
        start,
        end: NOW,
        bucket_secs: 3600,
        points: (0..48u64)
            .map(|i| {
                let phase = (i % 24) as f64 / 24.0 * std::f64::consts::TAU;
                (
                    start + i * 3600,
                    typical * scale * (1.0 + 0.3 * phase.sin()),
                )
            })
            .collect(),
        predicted: Range {
            low: typical * 0.8,
            typical,
            high: typical * 1.25,
        },
    }
}

#[test]
fn soak_chart_says_how_the_step_compares_with_its_prediction() {
    let (text, _, _) = svg_text(&svg(soak_chart(&soak_series(1.0), &svg_opts()).unwrap()));
    for word in [
        "Soaking step: measured against predicted",
        "1.00× the prediction: within its range",
        "Measured",
        "Predicted",
        "420.0 KiB/day",
        "2 days since the step",
    ] {
        assert!(text.contains(word), "{word:?} missing from {text}");
    }
    let over = svg(soak_chart(&soak_series(3.0), &svg_opts()).unwrap());
    let (text, _, _) = svg_text(&over);
    assert!(
        text.contains("3.0× the prediction: above its range"),
        "{text}"
    );
    // Every bucket above the band is marked.
    assert!(over.matches("<circle").count() >= 40, "{over}");
    let (text, _, _) = svg_text(&svg(soak_chart(&soak_series(0.3), &svg_opts()).unwrap()));
    assert!(text.contains("cheaper than planned"), "{text}");
}

#[test]
fn a_soak_without_a_measured_hour_says_so_and_hostile_numbers_never_panic() {
    let mut s = soak_series(1.0);
    s.points.clear();
    s.end = s.start + 600;
    let (text, _, _) = svg_text(&svg(soak_chart(&s, &svg_opts()).unwrap()));
    assert!(text.contains("nothing to compare yet"), "{text}");
    assert!(text.contains("Measuring"), "{text}");
    for bad in [f64::NAN, f64::INFINITY, -1.0, 1e300] {
        let mut s = soak_series(1.0);
        s.points[3].1 = bad;
        s.predicted.high = bad;
        let _ = soak_chart(&s, &svg_opts());
        let _ = soak_chart(&s, &png_opts(320, 160));
    }
    let mut s = soak_series(1.0);
    s.end = 0;
    let _ = soak_chart(&s, &svg_opts());
}

#[test]
fn a_wide_reference_band_does_not_flatten_the_measured_line() {
    let mut s = soak_series(1.0);
    s.predicted.high = s.predicted.typical * 30.0;
    let (text, _, _) = svg_text(&svg(soak_chart(&s, &svg_opts()).unwrap()));
    assert!(
        text.contains("The predicted range reaches 12.3 MiB/day: off the scale."),
        "{text}"
    );
    // The axis stops near twice the data (about 1.1 MiB/day at its peak).
    assert!(!text.contains("10 MiB"), "{text}");
}
