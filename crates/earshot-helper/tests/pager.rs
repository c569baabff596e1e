//! Trail paging against an independent count: every record of a simulated Mac's
//! trails read with `bsm::scan` and classified with the audit tables directly.

use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

use earshot_api::{Cursor, OutcomeChoice, TrailQuery, TRAIL_PAGE_BYTES};
use earshot_core::sim::{init, AuditingSetup, InitOptions};
use earshot_core::trail::Tables;
use earshot_helper::pager::{self, PageError, Source};

const NOW: u64 = 1_780_000_000;

fn simulated_mac(dir: &Path, days: f64, seed: u64) -> PathBuf {
    init(
        dir,
        &InitOptions {
            macos_version: "15.1".into(),
            days,
            profile: "laptop".into(),
            seed,
            auditing: AuditingSetup::On,
            now: UNIX_EPOCH + Duration::from_secs(NOW),
            audit_control: None,
        },
    )
    .unwrap();
    dir.join("var/audit")
}

/// (file name, offset, event, sec, auid, status) of one record.
type Rec = (String, u64, u16, u64, Option<u32>, Option<u8>);

struct Truth {
    /// Every record, oldest file first.
    records: Vec<Rec>,
}

fn truth(dir: &Path) -> Truth {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().len() > 15 && !p.is_symlink())
        .collect();
    files.sort();
    let mut records = Vec::new();
    for f in files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&f).unwrap();
        bsm::scan::scan(&bytes, |rs| {
            records.push((
                name.clone(),
                rs.offset,
                rs.event,
                rs.sec,
                rs.auid,
                rs.status,
            ))
        });
    }
    Truth { records }
}

fn all_pages(src: &Source<'_>, mut q: TrailQuery) -> (Vec<serde_json::Value>, usize) {
    let mut out = Vec::new();
    let mut pages = 0;
    loop {
        let p = pager::page(src, &q).unwrap();
        pages += 1;
        assert!(p.records.len() <= q.page_size.unwrap_or(100));
        out.extend(p.records);
        match p.next {
            Some(c) => q.cursor = Some(c),
            None => return (out, pages),
        }
        assert!(pages < 10_000, "paging does not end");
    }
}

fn no_users(_: &str) -> Option<u32> {
    None
}

#[test]
fn paging_through_everything_yields_every_record_once_in_order() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = simulated_mac(tmp.path(), 1.0, 7);
    let t = truth(&dir);
    assert!(t.records.len() > 1000, "{}", t.records.len());
    let tables = Tables::apple();
    let dirs = vec![dir];
    let src = Source {
        dirs: &dirs,
        tables: &tables,
        user_id: &no_users,
    };
    let (recs, pages) = all_pages(
        &src,
        TrailQuery {
            page_size: Some(97),
            ..TrailQuery::default()
        },
    );
    assert_eq!(recs.len(), t.records.len());
    assert!(pages >= t.records.len() / 97);
    for (got, want) in recs.iter().zip(&t.records) {
        assert_eq!(got["trail_file"], want.0.as_str());
        assert_eq!(got["trail_offset"], want.1);
    }
}

#[test]
fn class_user_outcome_and_time_filters_match_an_independent_count() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = simulated_mac(tmp.path(), 1.0, 3);
    let t = truth(&dir);
    let tables = Tables::apple();
    let since = t.records[t.records.len() / 3].3;
    let until = t.records[2 * t.records.len() / 3].3 + 1;
    let in_window = |r: &&Rec| {
        r.3 >= since && r.3 < until && r.5 == Some(0) && r.4.is_some_and(|a| a != u32::MAX)
    };
    // The busiest class among a real user's successful records in the window.
    let (class, lo) = ["aa", "lo", "ex", "fr", "fc", "pc", "fa", "fm"]
        .iter()
        .map(|c| (*c, tables.classes().mask_of(c).unwrap()))
        .max_by_key(|(_, m)| {
            t.records
                .iter()
                .filter(in_window)
                .filter(|r| tables.class_mask(r.2) & m != 0)
                .count()
        })
        .unwrap();
    let auid = t
        .records
        .iter()
        .filter(in_window)
        .find_map(|r| r.4)
        .unwrap();
    let want: Vec<_> = t
        .records
        .iter()
        .filter(|r| tables.class_mask(r.2) & lo != 0)
        .filter(|r| r.3 >= since && r.3 < until)
        .filter(|r| r.4 == Some(auid))
        .filter(|r| r.5 == Some(0))
        .map(|r| (r.0.clone(), r.1))
        .collect();
    assert!(!want.is_empty());
    let dirs = vec![dir];
    let name_of = move |n: &str| (n == "alice").then_some(auid);
    let src = Source {
        dirs: &dirs,
        tables: &tables,
        user_id: &name_of,
    };
    let q = TrailQuery {
        since: Some(since),
        until: Some(until),
        classes: vec![class.into()],
        user: Some("alice".into()),
        outcome: OutcomeChoice::Success,
        page_size: Some(5),
        ..TrailQuery::default()
    };
    let (recs, _) = all_pages(&src, q);
    let got: Vec<_> = recs
        .iter()
        .map(|r| {
            (
                r["trail_file"].as_str().unwrap().to_string(),
                r["trail_offset"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, want);
}

#[test]
fn a_full_page_stops_early_and_the_cursor_resumes_exactly() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = simulated_mac(tmp.path(), 1.0, 5);
    let t = truth(&dir);
    let tables = Tables::apple();
    let dirs = vec![dir.clone()];
    let src = Source {
        dirs: &dirs,
        tables: &tables,
        user_id: &no_users,
    };
    let p = pager::page(
        &src,
        &TrailQuery {
            page_size: Some(10),
            ..TrailQuery::default()
        },
    )
    .unwrap();
    let next = p.next.clone().unwrap();
    assert_eq!(
        next,
        Cursor {
            file: t.records[10].0.clone(),
            offset: t.records[10].1
        }
    );
    // Stopped at the record after the page, not at the end of the file.
    let total: u64 = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();
    assert!(p.scanned_bytes <= next.offset && p.scanned_bytes < total / 2);
    let p2 = pager::page(
        &src,
        &TrailQuery {
            page_size: Some(1),
            cursor: Some(next),
            ..TrailQuery::default()
        },
    )
    .unwrap();
    assert_eq!(p2.records[0]["trail_offset"], t.records[10].1);
}

#[test]
fn a_range_before_every_trail_reads_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = simulated_mac(tmp.path(), 1.0, 2);
    let tables = Tables::apple();
    let dirs = vec![dir];
    let src = Source {
        dirs: &dirs,
        tables: &tables,
        user_id: &no_users,
    };
    let p = pager::page(
        &src,
        &TrailQuery {
            since: Some(1_000),
            until: Some(2_000),
            ..TrailQuery::default()
        },
    )
    .unwrap();
    assert!(p.records.is_empty() && p.next.is_none());
    assert_eq!(p.scanned_bytes, 0, "files outside the range are not opened");
}

#[test]
fn bad_queries_are_errors() {
    let tables = Tables::apple();
    let dirs: Vec<PathBuf> = vec![];
    let src = Source {
        dirs: &dirs,
        tables: &tables,
        user_id: &no_users,
    };
    let q = |f: fn(&mut TrailQuery)| {
        let mut q = TrailQuery::default();
        f(&mut q);
        pager::page(&src, &q)
    };
    assert!(matches!(
        q(|q| q.page_size = Some(0)),
        Err(PageError::PageSize(0))
    ));
    assert!(matches!(
        q(|q| q.page_size = Some(5000)),
        Err(PageError::PageSize(5000))
    ));
    assert!(matches!(
        q(|q| q.user = Some("nobody-here".into())),
        Err(PageError::UnknownUser(_))
    ));
    assert!(matches!(
        q(|q| {
            q.since = Some(5);
            q.until = Some(5);
        }),
        Err(PageError::EmptyRange { .. })
    ));
    assert!(matches!(
        q(|q| q.classes = vec!["nope".into()]),
        Err(PageError::Filter(_))
    ));
}

#[test]
fn query_json_uses_the_protocols_snake_case_names_and_refuses_unknown_fields() {
    let q: TrailQuery = serde_json::from_str(
        r#"{"since":1,"until":null,"classes":["lo"],"events":[],"user":null,"outcome":"failure",
            "cursor":{"file":"a","offset":3},"page_size":50}"#,
    )
    .unwrap();
    assert_eq!(q.page_size, Some(50));
    assert_eq!(q.outcome, OutcomeChoice::Failure);
    assert_eq!(
        q.cursor,
        Some(Cursor {
            file: "a".into(),
            offset: 3
        })
    );
    assert!(serde_json::from_str::<TrailQuery>(r#"{"pageSize":50}"#).is_err());
    assert!(serde_json::from_str::<TrailQuery>(
        r#"{"cursor":{"file":"a","offset":3,"path":"/etc"}}"#
    )
    .is_err());
}

#[test]
fn a_cursor_is_a_trail_name_never_a_path() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = simulated_mac(tmp.path(), 0.05, 4);
    let tables = Tables::apple();
    let dirs = vec![dir];
    let src = Source {
        dirs: &dirs,
        tables: &tables,
        user_id: &no_users,
    };
    for file in [
        "../x",
        "/etc/passwd",
        "../../etc/master.passwd",
        "20261124090000.not_terminated/../../etc/passwd",
        "sub/20261124090000.20261124100000",
        "current",
        "",
    ] {
        let q = TrailQuery {
            cursor: Some(Cursor {
                file: file.into(),
                offset: 0,
            }),
            ..TrailQuery::default()
        };
        assert!(
            matches!(pager::page(&src, &q), Err(PageError::Cursor(_))),
            "{file:?} was accepted"
        );
    }
}

/// A trail of `n` records, each carrying `text_len` bytes of text.
fn huge_trail(dir: &Path, n: usize, text_len: usize) -> String {
    let start: u32 = 1_780_000_000;
    let name = "20260528202640.20260528212640";
    let mut out = Vec::new();
    out.extend(bsm::write::file_token(start, 0, ""));
    let text = "x".repeat(text_len);
    for i in 0..n {
        let mut r = bsm::write::RecordBuilder::new(6152, start + i as u32, 0);
        r.text(&text).return32(0, 0);
        r.finish_into(&mut out);
    }
    out.extend(bsm::write::file_token(start + n as u32, 0, name));
    std::fs::write(dir.join(name), &out).unwrap();
    name.to_string()
}

#[test]
fn a_page_of_huge_records_stays_under_the_frame_bound_and_continues() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("audit");
    std::fs::create_dir_all(&dir).unwrap();
    // 200 records of ~30 KiB of JSON each: 6 MB, far more than one frame.
    let n = 200;
    huge_trail(&dir, n, 30_000);
    let tables = Tables::apple();
    let dirs = vec![dir];
    let src = Source {
        dirs: &dirs,
        tables: &tables,
        user_id: &no_users,
    };
    let mut q = TrailQuery {
        page_size: Some(pager::MAX_PAGE),
        ..TrailQuery::default()
    };
    let mut offsets = Vec::new();
    let mut pages = 0;
    loop {
        let p = pager::page(&src, &q).unwrap();
        pages += 1;
        let encoded = serde_json::to_vec(&p).unwrap().len();
        assert!(
            encoded <= TRAIL_PAGE_BYTES + 1024,
            "page {pages} encodes to {encoded} bytes"
        );
        assert!(!p.records.is_empty() || p.next.is_none());
        for r in &p.records {
            assert_eq!(r["trail_file"], "20260528202640.20260528212640");
            offsets.push(r["trail_offset"].as_u64().unwrap());
        }
        if let (Some(next), Some(last)) = (&p.next, p.records.last()) {
            assert!(next.offset > last["trail_offset"].as_u64().unwrap());
        }
        match p.next {
            Some(c) => q.cursor = Some(c),
            None => break,
        }
        assert!(pages < 100, "paging does not end");
    }
    assert!(pages >= 6, "{pages} pages for ~6 MB");
    assert_eq!(offsets.len(), n, "every record exactly once");
    assert!(offsets.windows(2).all(|w| w[0] < w[1]));
}
