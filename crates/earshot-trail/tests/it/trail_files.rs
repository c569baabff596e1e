//! Inventory, cache, incremental tail and chunk-boundary behaviour on real files
//! built from the fixtures.

// In a `trail` module so `cargo test -p earshot-core trail` selects these too.
mod trail {
    use std::fs;
    use std::io::Write;
    use std::path::{Path, PathBuf};

    use earshot_trail::{
        summarise_file, summarise_many, Filter, Inventory, SummaryCache, TrailState, TrailTail,
        CHUNK,
    };

    fn fixture(name: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/bsm")
            .join(name)
    }

    fn mixed() -> Vec<u8> {
        fs::read(fixture("mixed_sample.bsm")).unwrap()
    }

    fn write(path: &Path, bytes: &[u8]) {
        fs::write(path, bytes).unwrap();
    }

    #[test]
    fn inventory_parses_names_states_and_current() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(&d.join("20240314091500.20240314101500"), &mixed());
        write(&d.join("20240314101500.crash_recovery"), b"");
        write(&d.join("20240314111500.not_terminated"), &[0u8; 10]);
        write(
            &d.join("20240314121500.not_terminated.mac.example.com"),
            b"",
        );
        write(&d.join("README"), b"hello");
        write(&d.join("20241399000000.not_terminated"), b"");
        fs::create_dir(d.join("20240314091500.20240314091501")).unwrap();
        std::os::unix::fs::symlink(d.join("20240314111500.not_terminated"), d.join("current"))
            .unwrap();

        let inv = Inventory::scan(&[d]).unwrap();
        let names: Vec<String> = inv.trails.iter().map(|t| t.name.to_string()).collect();
        assert_eq!(
            names,
            [
                "20240314091500.20240314101500",
                "20240314101500.crash_recovery",
                "20240314111500.not_terminated",
                "20240314121500.not_terminated.mac.example.com",
            ]
        );
        let states: Vec<TrailState> = inv.trails.iter().map(|t| t.state).collect();
        assert_eq!(
            states,
            [
                TrailState::Closed,
                TrailState::CrashRecovery,
                TrailState::Active,
                TrailState::NotTerminated
            ]
        );
        assert_eq!(inv.trails[0].size, 52252);
        assert_eq!(
            inv.trails[0].end.unwrap().sec - inv.trails[0].start.sec,
            3600
        );
        assert_eq!(inv.trails[3].name.host.as_deref(), Some("mac.example.com"));
        assert!(inv.trails[2].is_current && inv.trails[2].is_growing());
        assert_eq!(inv.current.len(), 1);
        assert!(inv.current[0].target_exists);
        // README, the impossible month 13 and the directory are reported, with reasons.
        assert_eq!(inv.unknown.len(), 3, "{:?}", inv.unknown);
        assert!(inv
            .unknown
            .iter()
            .any(|u| u.reason.contains("not a real UTC date")));
        assert!(inv
            .unknown
            .iter()
            .any(|u| u.reason.contains("not a regular file")));
        // A folder that does not exist is an error, not an empty inventory.
        assert!(Inventory::scan(&[d.join("nope")]).is_err());
    }

    #[test]
    fn dangling_current_link_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(
            "/nonexistent/20240314111500.not_terminated",
            dir.path().join("current"),
        )
        .unwrap();
        let inv = Inventory::scan(&[dir.path()]).unwrap();
        assert!(inv.trails.is_empty());
        assert!(!inv.current[0].target_exists);
    }

    #[test]
    fn records_straddling_chunks_are_all_counted() {
        let dir = tempfile::tempdir().unwrap();
        let one = mixed();
        let copies = CHUNK / one.len() * 2 + 3;
        let big: Vec<u8> = one
            .iter()
            .copied()
            .cycle()
            .take(one.len() * copies)
            .collect();
        let p = dir.path().join("big.bsm");
        write(&p, &big);
        let s = summarise_file(&p, &Filter::all()).unwrap();
        assert_eq!(s.tally.records, 400 * copies as u64);
        assert!(s.end.damage.is_empty() && s.end.tail.is_empty());
        assert_eq!(s.end.complete_bytes, big.len() as u64);
    }

    #[test]
    fn megabytes_of_junk_are_one_skipped_region() {
        // The zero-filled blocks a crash can leave: bigger than a chunk, so the reader
        // must settle them without buffering them whole.
        let dir = tempfile::tempdir().unwrap();
        let one = mixed();
        let junk = CHUNK * 2 + 12345;
        let mut bytes = one.clone();
        bytes.extend(std::iter::repeat_n(0u8, junk));
        bytes.extend(&one);
        let p = dir.path().join("junk.bsm");
        write(&p, &bytes);
        let s = summarise_file(&p, &Filter::all()).unwrap();
        assert_eq!(s.tally.records, 800);
        assert_eq!(s.end.damage.len(), 1, "{:?}", s.end.damage);
        let d = &s.end.damage[0];
        assert_eq!(
            (d.offset, d.len, d.kind.as_str()),
            (one.len() as u64, junk as u64, "skipped")
        );
        assert!(d.message.contains("skipped"));
    }

    #[test]
    fn impossible_record_length_does_not_swallow_the_rest() {
        // A header claiming 100 MB in the middle: what follows must still be read.
        let dir = tempfile::tempdir().unwrap();
        let one = mixed();
        let mut bytes = one.clone();
        bytes.extend([
            0x14, 0x06, 0, 0, 0, 11, 0, 23, 0, 0, 0x65, 0xf2, 0xc0, 0x14, 0, 0, 0, 0,
        ]);
        bytes.extend(&one);
        let p = dir.path().join("badlen.bsm");
        write(&p, &bytes);
        let s = summarise_file(&p, &Filter::all()).unwrap();
        assert_eq!(s.tally.records, 800);
        assert_eq!(s.end.damage.len(), 1, "{:?}", s.end.damage);
        assert_eq!(
            (s.end.damage[0].offset, s.end.damage[0].len),
            (one.len() as u64, 18)
        );
    }

    #[test]
    fn a_header_claiming_more_than_a_chunk_then_junk_is_resolved_by_what_follows() {
        // A header claiming exactly the longest record bsm reads (4 MiB, as long
        // as a read chunk), then zeros.
        let dir = tempfile::tempdir().unwrap();
        let one = mixed();
        let claimed = bsm::MAX_RECORD_LEN as u32;
        let mut bad = vec![0x14];
        bad.extend(claimed.to_be_bytes());
        bad.extend([11, 0, 23, 0, 0, 0x65, 0xf2, 0xc0, 0x14, 0, 0, 0, 0]);
        let junk = CHUNK / 2 + 777;
        let mut body = one.clone();
        body.extend_from_slice(&bad);
        body.extend(std::iter::repeat_n(0u8, junk));

        // More than it claims follows, records among it: the header was junk,
        // one skipped range up to them.
        let mut bytes = body.clone();
        bytes.extend(std::iter::repeat_n(0u8, CHUNK));
        bytes.extend_from_slice(&one);
        let p = dir.path().join("then-records.bsm");
        write(&p, &bytes);
        let s = summarise_file(&p, &Filter::all()).unwrap();
        assert_eq!(s.tally.records, 800);
        assert_eq!(s.end.damage.len(), 1, "{:?}", s.end.damage);
        let d = &s.end.damage[0];
        assert_eq!(
            (d.offset, d.len, d.kind.as_str()),
            (
                one.len() as u64,
                (bad.len() + junk + CHUNK) as u64,
                "skipped"
            )
        );
        assert!(s.end.tail.is_empty());

        // The file ends first: a truncated tail from the header on (it needs
        // more bytes than remain), and an incremental reader would resume at
        // the header.
        let p = dir.path().join("then-eof.bsm");
        write(&p, &body);
        let s = summarise_file(&p, &Filter::all()).unwrap();
        assert_eq!(s.tally.records, 400);
        assert!(s.end.damage.is_empty(), "{:?}", s.end.damage);
        assert_eq!(s.end.tail.len(), 1);
        let t = &s.end.tail[0];
        assert_eq!(
            (t.offset, t.len, t.kind.as_str()),
            (
                one.len() as u64,
                (bad.len() + junk) as u64,
                "truncated_tail"
            )
        );
        assert!(
            t.message.contains(&format!(
                "needs {claimed} bytes but only {} bytes remain",
                bad.len() + junk
            )),
            "{}",
            t.message
        );
        assert_eq!(s.end.complete_bytes, one.len() as u64);
    }

    #[test]
    fn a_header_claiming_more_than_any_record_is_oversized_whether_records_or_eof_follow() {
        // A header claiming ~336 MB, then more zeros than a read chunk holds.
        let dir = tempfile::tempdir().unwrap();
        let one = mixed();
        let bad = [
            0x14, 0x14, 0x14, 0x14, 0x14, 11, 0, 23, 0, 0, 0x65, 0xf2, 0xc0, 0x14, 0, 0, 0, 0,
        ];
        let junk = CHUNK * 2 + 777;
        let mut body = one.clone();
        body.extend_from_slice(&bad);
        body.extend(std::iter::repeat_n(0u8, junk));
        let mut then_records = body.clone();
        then_records.extend_from_slice(&one);
        for (name, bytes, records) in [("records", then_records, 800), ("eof", body, 400)] {
            let p = dir.path().join(name);
            write(&p, &bytes);
            let s = summarise_file(&p, &Filter::all()).unwrap();
            assert_eq!(s.tally.records, records, "{name}");
            assert_eq!(s.end.damage.len(), 1, "{name}: {:?}", s.end.damage);
            assert!(s.end.tail.is_empty(), "{name}: {:?}", s.end.tail);
            let d = &s.end.damage[0];
            assert_eq!(
                (d.offset, d.len, d.kind.as_str(), d.claimed),
                (
                    one.len() as u64,
                    (bad.len() + junk) as u64,
                    "oversized",
                    Some(0x1414_1414)
                ),
                "{name}"
            );
            // One honest sentence: what was claimed, and the limit.
            assert!(
                d.message.contains(
                    "the record header there claims 336860180 bytes, more than the 4194304 bytes"
                ),
                "{}",
                d.message
            );
            assert!(!d.message.contains("remain"), "{}", d.message);
        }
    }

    #[test]
    fn cache_hits_recomputes_on_change_and_survives_corruption() {
        let dir = tempfile::tempdir().unwrap();
        let cache_dir = dir.path().join("cache");
        let cache = SummaryCache::new(&cache_dir);
        let p = dir.path().join("20240314091500.20240314101500");
        write(&p, &mixed());
        let a = cache.summary(&p).unwrap();
        assert!(!a.from_cache);
        let b = cache.summary(&p).unwrap();
        assert!(b.from_cache);
        assert_eq!(a.tally, b.tally);

        // Corrupt every entry: the next lookup recomputes instead of failing.
        for e in fs::read_dir(&cache_dir).unwrap() {
            fs::write(e.unwrap().path(), b"{not json").unwrap();
        }
        let c = cache.summary(&p).unwrap();
        assert!(!c.from_cache);
        assert_eq!(c.tally, a.tally);

        // A changed closed trail is read again from the start.
        let mut f = fs::OpenOptions::new().append(true).open(&p).unwrap();
        f.write_all(&mixed()[..88]).unwrap();
        drop(f);
        let d = cache.summary(&p).unwrap();
        assert!(!d.from_cache);
        assert_eq!(d.tally.records, 401);

        // Entries of trails that are gone are pruned; live ones stay.
        let gone = dir.path().join("20240314101500.not_terminated");
        write(&gone, &mixed());
        cache.summary(&gone).unwrap();
        fs::remove_file(&gone).unwrap();
        assert_eq!(cache.prune(), 1);
        assert!(cache.summary(&p).unwrap().from_cache);
        assert_eq!(cache.prune(), 0);

        // An unusable cache folder is not an error either.
        let blocked = SummaryCache::new(dir.path().join("20240314091500.20240314101500/sub"));
        assert_eq!(blocked.summary(&p).unwrap().tally.records, 401);
    }

    #[test]
    fn growing_trail_is_read_incrementally_through_the_cache() {
        let dir = tempfile::tempdir().unwrap();
        let cache = SummaryCache::new(dir.path().join("cache"));
        let p = dir.path().join("20240314091500.not_terminated");
        let all = mixed();
        // Cut in the middle of record 3 (offset 368 starts it).
        write(&p, &all[..400]);
        let a = cache.summary(&p).unwrap();
        assert_eq!(a.tally.records, 3);
        assert_eq!(a.end.complete_bytes, 368);
        assert!(
            a.damage(true).is_empty(),
            "a record being written is not damage"
        );

        let mut f = fs::OpenOptions::new().append(true).open(&p).unwrap();
        f.write_all(&all[400..]).unwrap();
        drop(f);
        let b = cache.summary(&p).unwrap();
        assert!(
            b.from_cache,
            "grown trail should resume from the saved offset"
        );
        let full = summarise_file(&p, &Filter::all()).unwrap();
        assert_eq!(b.tally, full.tally);
        assert_eq!(b.end, full.end);
    }

    #[test]
    fn tail_polls_leave_partial_records_for_later() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("20240314091500.not_terminated");
        let all = mixed();
        write(&p, &all[..1000]);
        let mut tail = TrailTail::open(&p).unwrap();
        let first = tail.poll().unwrap();
        // Records end at 88, 201, 368, 493, 579, 679, 870; the one at 870 is cut.
        assert_eq!(first.records.len(), 7);
        assert_eq!(tail.offset(), 870);
        assert_eq!(first.pending_bytes, 130);
        assert!(first.damage.is_empty());
        assert!(tail.poll().unwrap().records.is_empty());

        let mut f = fs::OpenOptions::new().append(true).open(&p).unwrap();
        f.write_all(&all[1000..]).unwrap();
        drop(f);
        let second = tail.poll().unwrap();
        assert_eq!(second.records.len(), 393);
        assert_eq!(second.records[0].offset, 870);
        assert_eq!(tail.offset(), all.len() as u64);

        // Resuming from the saved offset reads nothing twice.
        let mut again = TrailTail::resume(&p, tail.offset()).unwrap();
        assert!(again.poll().unwrap().records.is_empty());

        // A file replaced by a shorter one is an error, not garbage.
        let mut short = TrailTail::resume(&p, all.len() as u64 + 10).unwrap();
        assert!(short.poll().is_err());
    }

    #[test]
    fn many_files_in_parallel_keep_order_and_errors() {
        let dir = tempfile::tempdir().unwrap();
        let mut paths = Vec::new();
        for (i, stem) in ["mixed_sample", "truncated", "macos_network", "empty_trail"]
            .iter()
            .enumerate()
        {
            let p = dir.path().join(format!("{i}.bsm"));
            fs::copy(fixture(&format!("{stem}.bsm")), &p).unwrap();
            paths.push(p);
        }
        paths.push(dir.path().join("missing.bsm"));
        let got = summarise_many(&paths, &Filter::all(), None, 2);
        let counts: Vec<Option<u64>> = got
            .iter()
            .map(|r| r.as_ref().ok().map(|s| s.tally.records))
            .collect();
        assert_eq!(counts, [Some(400), Some(7), Some(12), Some(0), None]);
    }
}
