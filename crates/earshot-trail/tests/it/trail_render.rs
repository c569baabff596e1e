//! Rendering many files in parallel gives the bytes of rendering them one by one,
//! and an unreadable file stops output after the files before it.

// In a `trail` module so `cargo test -p earshot-core trail` selects these too.
mod trail {
    use std::path::PathBuf;

    use earshot_trail::render::{render_files, Format, RenderError};
    use earshot_trail::{Filter, Tables};

    fn fixture(name: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/bsm")
            .join(name)
    }

    fn inputs(stems: &[&str]) -> Vec<(PathBuf, bool)> {
        stems
            .iter()
            .map(|s| (fixture(&format!("{s}.bsm")), false))
            .collect()
    }

    const ALL: [&str; 8] = [
        "mixed_sample",
        "truncated",
        "macos_process_file",
        "corrupt_midstream",
        "empty_trail",
        "odd_tokens",
        "zero_bytes",
        "macos_identity_token",
    ];

    #[test]
    fn parallel_equals_sequential_in_every_format() {
        let tables = Tables::apple();
        let filter = Filter::all();
        let files = inputs(&ALL);
        for format in [Format::Praudit, Format::Json, Format::Xml, Format::Bsm] {
            let mut one = Vec::new();
            let ends1 = render_files(&files, format, &filter, &tables, &mut one, 1).unwrap();
            let mut two = Vec::new();
            let ends2 = render_files(&files, format, &filter, &tables, &mut two, 2).unwrap();
            assert_eq!(one, two, "{format:?}");
            assert_eq!(ends1, ends2, "{format:?}");
            assert!(!one.is_empty());
        }
    }

    #[test]
    fn a_failing_file_ends_output_after_the_files_before_it() {
        let tables = Tables::apple();
        let filter = Filter::all();
        let mut files = inputs(&["macos_network", "mixed_sample"]);
        files.insert(1, (PathBuf::from("/nonexistent/trail.bsm"), false));
        for threads in [1, 2] {
            let mut out = Vec::new();
            let r = render_files(&files, Format::Praudit, &filter, &tables, &mut out, threads);
            assert!(matches!(r, Err(RenderError::Read(_))), "{threads}");
            assert_eq!(
                String::from_utf8_lossy(&out).lines().count(),
                12,
                "{threads}"
            );
        }
    }

    #[test]
    fn big_damaged_file_renders_the_same_in_pieces() {
        // Several 1 MiB pieces, with junk and a cut record in the middle, so piece
        // edges fall inside records and inside damage.
        let dir = tempfile::tempdir().unwrap();
        let sample = std::fs::read(fixture("mixed_sample.bsm")).unwrap();
        let mut bytes = Vec::new();
        for i in 0..70 {
            bytes.extend_from_slice(&sample);
            if i == 30 {
                bytes.extend(std::iter::repeat_n(0u8, 3000));
                bytes.extend_from_slice(&sample[..500]);
            }
        }
        let p = dir.path().join("big.bsm");
        std::fs::write(&p, &bytes).unwrap();
        let files = vec![(p, false), (fixture("macos_process_file.bsm"), false)];
        let tables = Tables::apple();
        let lo = Filter::compile(
            &earshot_trail::FilterSpec {
                classes: vec!["lo".into(), "ex".into()],
                ..Default::default()
            },
            &tables,
        )
        .unwrap();
        for filter in [Filter::all(), lo] {
            for format in [Format::Praudit, Format::Json, Format::Xml] {
                let mut one = Vec::new();
                let e1 = render_files(&files, format, &filter, &tables, &mut one, 1).unwrap();
                let mut two = Vec::new();
                let e2 = render_files(&files, format, &filter, &tables, &mut two, 2).unwrap();
                assert!(one == two, "{format:?} {filter:?}: outputs differ");
                assert_eq!(e1, e2);
                // The junk and the cut record, with absolute offsets in the message too.
                assert!(!e1[0].damage.is_empty());
                let first = &e1[0].damage[0];
                assert_eq!((first.offset, first.len), (31 * 52252, 3000));
                assert!(
                    first
                        .message
                        .contains(&format!("at bytes {}..", 31 * 52252)),
                    "{}",
                    first.message
                );
            }
        }
    }
}
