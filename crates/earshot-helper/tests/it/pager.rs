//! Trail paging against an independent count: every record of a simulated Mac's
//! trails read with `bsm::scan` and classified with the audit tables directly.

use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

use earshot_api::{Cursor, OutcomeChoice, TrailQuery, TRAIL_PAGE_BYTES};
use earshot_helper::pager::{self, PageError, ScanLimits, Source};
use earshot_sim::{init, AuditingSetup, InitOptions};
use earshot_trail::Tables;

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

/// Every answer, following `next` to the end, within `limits`.
fn all_answers(
    src: &Source<'_>,
    mut q: TrailQuery,
    limits: ScanLimits,
) -> Vec<earshot_api::TrailPage> {
    let mut answers = Vec::new();
    loop {
        let p = pager::page_with(src, &q, limits).unwrap();
        let next = p.next.clone();
        answers.push(p);
        match next {
            Some(c) => q.cursor = Some(c),
            None => return answers,
        }
        assert!(answers.len() < 100_000, "paging does not end");
    }
}

fn places(answers: &[earshot_api::TrailPage]) -> Vec<(String, u64)> {
    answers
        .iter()
        .flat_map(|p| &p.records)
        .map(|r| {
            (
                r["trail_file"].as_str().unwrap().to_string(),
                r["trail_offset"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// Checks one run under a budget against the unbounded scan; returns the
/// cursors of its partial answers.
fn check_budgeted(
    src: &Source<'_>,
    q: &TrailQuery,
    limits: ScanLimits,
    want: &[(String, u64)],
) -> Vec<Cursor> {
    let answers = all_answers(src, q.clone(), limits);
    assert_eq!(
        places(&answers),
        want,
        "budget {} / chunk {}: the same records in the same order",
        limits.budget,
        limits.chunk
    );
    let size = q.page_size.unwrap_or(100);
    let mut partial_cursors = Vec::new();
    for p in &answers {
        assert!(
            p.scanned_bytes < limits.budget + limits.chunk as u64,
            "scanned {} with budget {} and chunk {}",
            p.scanned_bytes,
            limits.budget,
            limits.chunk
        );
        assert!(p.records.len() <= size);
        if p.partial {
            assert!(p.records.len() < size, "a partial page is not full");
            assert!(p.scanned_bytes >= limits.budget, "stopped on the budget");
            partial_cursors.push(p.next.clone().expect("a partial page says where to go on"));
        } else if p.next.is_some() {
            assert_eq!(p.records.len(), size, "only a full page stops early");
        }
    }
    assert!(!answers.last().unwrap().partial, "the end is not partial");
    partial_cursors
}

#[test]
fn a_scan_budget_splits_a_sparse_search_without_skipping_or_repeating() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = simulated_mac(tmp.path(), 1.0, 11);
    let t = truth(&dir);
    let tables = Tables::apple();
    // A sparse filter (a few records per 100 KB): the class with the fewest
    // records among those present.
    let (class, mask) = ["lo", "ex", "pc", "fc", "fd", "aa"]
        .iter()
        .map(|c| (*c, tables.classes().mask_of(c).unwrap()))
        .filter_map(|(c, m)| {
            let n = t
                .records
                .iter()
                .filter(|r| tables.class_mask(r.2) & m != 0)
                .count();
            (n >= 3).then_some((n, c, m))
        })
        .min()
        .map(|(_, c, m)| (c, m))
        .unwrap();
    let want: Vec<_> = t
        .records
        .iter()
        .filter(|r| tables.class_mask(r.2) & mask != 0)
        .map(|r| (r.0.clone(), r.1))
        .collect();
    // Where an item starts or ends in each file, from the independent scan: a
    // budget cursor must land on one of them (or at a file's start).
    let mut boundaries = std::collections::HashSet::new();
    for f in std::fs::read_dir(&dir).unwrap() {
        let f = f.unwrap().path();
        if f.is_symlink() {
            continue;
        }
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&f).unwrap();
        bsm::scan::scan(&bytes, |rs| {
            boundaries.insert((name.clone(), rs.offset));
            boundaries.insert((name.clone(), rs.offset + u64::from(rs.len)));
        });
    }
    let dirs = vec![dir];
    let src = Source {
        dirs: &dirs,
        tables: &tables,
        user_id: &no_users,
    };
    let q = TrailQuery {
        classes: vec![class.into()],
        page_size: Some(4),
        ..TrailQuery::default()
    };
    let unbounded = all_answers(
        &src,
        q.clone(),
        ScanLimits {
            budget: u64::MAX,
            chunk: 1 << 20,
        },
    );
    assert!(unbounded.iter().all(|p| !p.partial));
    assert_eq!(
        places(&unbounded),
        want,
        "the unbounded scan matches the truth"
    );

    let mut empty_partial = 0;
    for (budget, chunk) in [
        (1, 4096),
        (10_000, 4096),
        (50_000, 16_384),
        (120_000, 65_536),
    ] {
        let limits = ScanLimits { budget, chunk };
        let cursors = check_budgeted(&src, &q, limits, &want);
        assert!(!cursors.is_empty(), "budget {budget} never ran out");
        for c in &cursors {
            assert!(
                c.offset == 0 || boundaries.contains(&(c.file.clone(), c.offset)),
                "cursor {c:?} is not at an item boundary"
            );
        }
        let answers = all_answers(&src, q.clone(), limits);
        for p in answers.iter().filter(|p| p.partial && p.records.is_empty()) {
            assert!(p.next.is_some());
            empty_partial += 1;
        }
    }
    assert!(
        empty_partial > 0,
        "a stretch without matches gives empty partial pages"
    );
}

/// `n` small trail files of `per_file` records each, one in `every` of them an
/// `AUE_lw_login` (class lo), the rest `AUE_execve`.
fn small_trails(dir: &Path, n: u32, per_file: u32, every: u32) -> Vec<(String, u64)> {
    let mut matching = Vec::new();
    let start: u32 = 1_780_000_000;
    for f in 0..n {
        let t0 = start + f * 1000;
        let name = format!("{}.{}", trail_stamp(t0), trail_stamp(t0 + per_file));
        let mut out = Vec::new();
        out.extend(bsm::write::file_token(t0, 0, ""));
        for i in 0..per_file {
            let event = if (f * per_file + i) % every == 0 {
                45021
            } else {
                23
            };
            if event == 45021 {
                matching.push((name.clone(), out.len() as u64));
            }
            let mut r = bsm::write::RecordBuilder::new(event, t0 + i, 0);
            r.text("x").return32(0, 0);
            r.finish_into(&mut out);
        }
        out.extend(bsm::write::file_token(t0 + per_file, 0, &name));
        std::fs::write(dir.join(&name), &out).unwrap();
    }
    matching
}

/// `YYYYMMDDhhmmss` of a Unix time (UTC), as auditd names trails.
fn trail_stamp(t: u32) -> String {
    let secs = t % 86_400;
    let (y, m, d) = bsm::text::civil_from_days(i64::from(t / 86_400));
    format!(
        "{y:04}{m:02}{d:02}{:02}{:02}{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[test]
fn a_budget_spent_at_a_file_boundary_resumes_with_the_next_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("audit");
    std::fs::create_dir_all(&dir).unwrap();
    let want = small_trails(&dir, 6, 200, 450);
    assert!(want.len() >= 2);
    let file_len = std::fs::metadata(dir.join(&want[0].0)).unwrap().len();
    let tables = Tables::apple();
    let dirs = vec![dir.clone()];
    let src = Source {
        dirs: &dirs,
        tables: &tables,
        user_id: &no_users,
    };
    let q = TrailQuery {
        classes: vec!["lo".into()],
        page_size: Some(10),
        ..TrailQuery::default()
    };
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    // A chunk larger than any file reads each file whole; a budget of one file
    // is then spent exactly at the end of each file.
    let limits = ScanLimits {
        budget: file_len,
        chunk: 1 << 20,
    };
    let first = pager::page_with(&src, &q, limits).unwrap();
    assert!(first.partial);
    assert_eq!(first.scanned_bytes, file_len);
    assert_eq!(
        first.next,
        Some(Cursor {
            file: names[1].clone(),
            offset: 0
        }),
        "the next request starts the next file"
    );
    let cursors = check_budgeted(&src, &q, limits, &want);
    let at_file_start: Vec<_> = cursors.iter().filter(|c| c.offset == 0).collect();
    assert_eq!(at_file_start.len(), names.len() - 1, "{cursors:?}");

    // The file a cursor names expired before the next request: paging goes on
    // with the files after it, and nothing from them is lost.
    std::fs::remove_file(dir.join(&names[1])).unwrap();
    let mut q2 = q.clone();
    q2.cursor = first.next.clone();
    let rest = all_answers(&src, q2, limits);
    let rest_want: Vec<_> = want
        .iter()
        .filter(|(f, _)| f.as_str() > names[1].as_str())
        .cloned()
        .collect();
    assert_eq!(places(&rest), rest_want);
}
