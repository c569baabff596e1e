//! What the app shows, served by the real daemon over a simulated Mac: each
//! answer equals what computing it locally on the same Mac gives, hostile or
//! out-of-range requests are refused with a code, and a page of huge records
//! stays within one frame and continues exactly.
//!
//! The test process claims the simulated auditd (its pid in the Mac's state),
//! so the helper does not host it and the trails stay as `sim init` wrote them:
//! the helper and the local computation then read the same files.

use crate::common;

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::start_daemon;
use earshot_api::{
    Cursor, ErrorCode, NextStepReport, Request, Response, StepToken, TrailQuery, MAX_FRAME_LEN,
};
use earshot_core::series::{source, ForecastView, RateSeries, RateSpan};
use earshot_core::status::StatusOptions;
use earshot_helper::pager::{self, Source};
use earshot_sim::SimulatedMac;
use earshot_sim::{AuditingSetup, InitOptions, SimAuditd};
use earshot_system::{unix_secs, VirtualClock};
use earshot_tuning::facts;
use earshot_tuning::plan::PlanOptions;

/// A simulated Mac whose trails ended two hours ago, its auditd held by this
/// test process (so nothing writes to the trails while the test runs).
fn frozen_mac(root: &Path) -> u64 {
    let now = SystemTime::now() - Duration::from_secs(7200);
    earshot_sim::init(
        root,
        &InitOptions {
            macos_version: "15.1".into(),
            days: 0.2,
            profile: "laptop".into(),
            seed: 11,
            auditing: AuditingSetup::On,
            now,
            audit_control: None,
        },
    )
    .unwrap();
    let mut d = SimAuditd::load(SimulatedMac::open(root).unwrap()).unwrap();
    d.set_host_pid(Some(std::process::id()));
    d.save().unwrap();
    unix_secs(now)
}

fn no_cache() -> StatusOptions {
    StatusOptions { cache_dir: None }
}

/// The same Mac, its clock stopped at `unix`.
fn mac_at(root: &Path, unix: u64) -> SimulatedMac {
    SimulatedMac::open(root)
        .unwrap()
        .with_clock(VirtualClock::new(UNIX_EPOCH + Duration::from_secs(unix)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_view_equals_computing_it_locally_on_the_same_mac() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let ended = frozen_mac(root);
    let (_daemon, mut c) = start_daemon(root).await;

    // Rates: the series ends at a bucket boundary, so the same Mac with its
    // clock there computes the same window.
    for (window, span) in [("hour", RateSpan::Hour), ("day", RateSpan::Day)] {
        let Response::RateSeries { series } = c
            .call(Request::RateSeries {
                window: window.into(),
            })
            .await
            .unwrap()
        else {
            panic!("rate_series expected")
        };
        let got: RateSeries = series;
        let local = source::rate_series(&mac_at(root, got.end), span, &no_cache()).unwrap();
        assert_eq!(got, local, "{window}");
        if span == RateSpan::Day {
            assert!(got.has_data(), "the day holds the trails");
            assert!(got.end > ended);
        }
    }

    let Response::ForecastView { view } = c.call(Request::ForecastView {}).await.unwrap() else {
        panic!("forecast_view expected")
    };
    let got: ForecastView = view;
    let local = source::forecast_view(&mac_at(root, got.now), "simulated", &no_cache()).unwrap();
    assert_eq!(got.history, local.history);
    assert_eq!(got.folder_bytes, local.folder_bytes);
    assert_eq!(got.minfree_percent, local.minfree_percent);
    assert!(got.folder_bytes > 0);
    assert_eq!(
        got.forecast.as_ref().map(|f| &f.steady_state),
        local.forecast.as_ref().map(|f| &f.steady_state)
    );

    // Compliance and the next step depend on the files, not the clock.
    let local_mac = SimulatedMac::open(root).unwrap();
    let facts = facts::observe(&local_mac, "simulated", &no_cache()).unwrap();
    for baseline in ["cis-lvl1", "800-53-moderate", "stig"] {
        let Response::Compliance { report } = c
            .call(Request::Compliance {
                baseline: baseline.into(),
            })
            .await
            .unwrap()
        else {
            panic!("compliance expected")
        };
        let local = facts::compliance(&facts, baseline).unwrap();
        assert_eq!(report, local, "{baseline}");
    }

    let Response::NextStep(step) = c
        .call(Request::NextStep {
            target: "next".into(),
        })
        .await
        .unwrap()
    else {
        panic!("next_step expected")
    };
    let local = facts::next_step(
        &facts,
        facts::parse_target("next").unwrap(),
        &PlanOptions::default(),
    )
    .expect("the default file is not at `next` yet");
    let NextStepReport { plan, risks, token } = *step;
    let plan = plan.expect("a step");
    assert_eq!(plan.title, local.title);
    assert_eq!(plan.after, local.after);
    assert_eq!(plan.step, local.step);
    let ids: Vec<&str> = risks.iter().map(|r| r.id.as_str()).collect();
    let local_ids: Vec<&str> = local.risks.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, local_ids);
    let on_disk = std::fs::read(root.join("etc/security/audit_control")).unwrap();
    assert_eq!(
        token,
        Some(StepToken {
            target: "next".into(),
            base_hash: earshot_api::content_hash(&on_disk),
            after_hash: earshot_api::content_hash(local.after_bytes()),
        })
    );

    // Trail pages: the same records as the pager run locally, page by page.
    let dirs = facts::trail_dirs(&local_mac);
    let tables = facts::machine_tables(&local_mac);
    let no_users = |_: &str| None;
    let src = Source {
        dirs: &dirs,
        tables: &tables,
        user_id: &no_users,
    };
    for (first, want_pages) in [
        (
            TrailQuery {
                page_size: Some(50),
                ..TrailQuery::default()
            },
            5,
        ),
        (
            TrailQuery {
                classes: vec!["lo".into()],
                outcome: earshot_api::OutcomeChoice::Success,
                page_size: Some(7),
                ..TrailQuery::default()
            },
            1,
        ),
    ] {
        let mut q = first;
        let mut pages = 0;
        loop {
            let Response::TrailPage(got) = c
                .call(Request::TrailPage { query: q.clone() })
                .await
                .unwrap()
            else {
                panic!("trail_page expected")
            };
            let local = pager::page(&src, &q).unwrap();
            assert_eq!(got, local, "page {pages} of {q:?}");
            assert!(!got.records.is_empty());
            pages += 1;
            match got.next {
                Some(next) if pages < 5 => q.cursor = Some(next),
                _ => break,
            }
        }
        assert!(pages >= want_pages, "{pages} pages");
    }
}

/// A trail of `n` records, each carrying `text_len` bytes of text, starting at
/// 2020-09-13 12:26:40 (long before the simulated trails).
fn huge_trail(dir: &Path, n: u32, text_len: usize) -> (u64, u64) {
    let start: u32 = 1_600_000_000;
    let name = "20200913122640.20200913123000";
    let mut out = bsm::write::file_token(start, 0, "");
    let text = "y".repeat(text_len);
    for i in 0..n {
        let mut r = bsm::write::RecordBuilder::new(6152, start + i, 0);
        r.text(&text).return32(0, 0);
        r.finish_into(&mut out);
    }
    out.extend(bsm::write::file_token(start + n, 0, name));
    std::fs::write(dir.join(name), &out).unwrap();
    (u64::from(start), u64::from(start + n + 1))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_and_out_of_range_requests_are_refused_and_big_pages_fit_a_frame() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    frozen_mac(root);
    let n = 150;
    let (since, until) = huge_trail(&root.join("var/audit"), n, 30_000);
    let (_daemon, mut c) = start_daemon(root).await;

    let refused = |r: Result<Response, earshot_api::ClientError>| match r {
        Err(e) => (e.code(), e.to_string()),
        Ok(other) => panic!("expected a refusal, got {other:?}"),
    };
    let (code, reason) = refused(
        c.call(Request::RateSeries {
            window: "week".into(),
        })
        .await,
    );
    assert_eq!(code, Some(ErrorCode::InvalidRequest));
    assert!(
        reason.contains("hour") && reason.contains("day"),
        "{reason}"
    );
    let (code, reason) = refused(
        c.call(Request::Compliance {
            baseline: "nope".into(),
        })
        .await,
    );
    assert_eq!(code, Some(ErrorCode::InvalidRequest));
    assert!(reason.contains("cis-l1"), "{reason}");
    let (code, reason) = refused(
        c.call(Request::NextStep {
            target: "everything".into(),
        })
        .await,
    );
    assert_eq!(code, Some(ErrorCode::InvalidRequest));
    assert!(reason.contains("next"), "{reason}");
    for file in ["../x", "/etc/passwd", "../../var/db/earshot/secret"] {
        let query = TrailQuery {
            cursor: Some(Cursor {
                file: file.into(),
                offset: 0,
            }),
            ..TrailQuery::default()
        };
        let (code, _) = refused(c.call(Request::TrailPage { query }).await);
        assert_eq!(code, Some(ErrorCode::InvalidRequest), "{file}");
    }
    for query in [
        TrailQuery {
            page_size: Some(0),
            ..TrailQuery::default()
        },
        TrailQuery {
            page_size: Some(1001),
            ..TrailQuery::default()
        },
        TrailQuery {
            since: Some(10),
            until: Some(10),
            ..TrailQuery::default()
        },
        TrailQuery {
            user: Some("nobody-on-this-mac".into()),
            ..TrailQuery::default()
        },
        TrailQuery {
            classes: vec!["zz".into()],
            ..TrailQuery::default()
        },
    ] {
        let (code, reason) = refused(
            c.call(Request::TrailPage {
                query: query.clone(),
            })
            .await,
        );
        assert_eq!(code, Some(ErrorCode::InvalidRequest), "{query:?}: {reason}");
    }
    // The connection is still good after the refusals.
    assert!(c.status().await.is_ok());

    // 150 records of ~30 KB of JSON each (4.5 MB) asked for in one page of 1000.
    let mut q = TrailQuery {
        since: Some(since),
        until: Some(until),
        page_size: Some(1000),
        ..TrailQuery::default()
    };
    let mut offsets = Vec::new();
    let mut pages = 0;
    loop {
        let Response::TrailPage(page) = c
            .call(Request::TrailPage { query: q.clone() })
            .await
            .unwrap()
        else {
            panic!("trail_page expected")
        };
        pages += 1;
        let encoded = serde_json::to_vec(&page).unwrap().len();
        assert!(encoded < MAX_FRAME_LEN, "page {pages}: {encoded} bytes");
        for r in &page.records {
            assert!(r.get("omitted").is_none(), "a 30 KB record fits a page");
            offsets.push(r["trail_offset"].as_u64().unwrap());
        }
        match page.next {
            Some(next) => q.cursor = Some(next),
            None => break,
        }
        assert!(pages < 50, "paging does not end");
    }
    assert!(pages >= 5, "{pages} pages for 4.5 MB");
    assert_eq!(offsets.len(), n as usize, "every record exactly once");
    assert!(offsets.windows(2).all(|w| w[0] < w[1]), "in order");
}
