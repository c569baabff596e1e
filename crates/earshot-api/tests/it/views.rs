//! The view requests (rate_series, forecast_view, trail_page, compliance,
//! next_step): their wire form both ways, and what a client may not send.

use earshot_api::ComplianceReport;
use earshot_api::{
    AppliedReport, ClientFrame, Cursor, NextStepReport, OutcomeChoice, Request, Response, Risk,
    ServerFrame, StepApplied, StepToken, TrailPage, TrailQuery,
};
use earshot_model::compliance::{Baseline, Summary};
use earshot_model::plan::{Plan, Prediction, Range, StepKind};
use earshot_model::review::AppliedStep;
use earshot_model::series::{ForecastView, RateSeries, RateSpan};
use serde_json::json;

fn roundtrip_request(r: Request) {
    let frame = ClientFrame::Request { id: 7, request: r };
    let text = serde_json::to_string(&frame).unwrap();
    let back: ClientFrame = serde_json::from_str(&text).unwrap();
    assert_eq!(back, frame, "{text}");
}

fn roundtrip_response(r: Response) {
    let frame = ServerFrame::Response {
        id: 7,
        result: earshot_api::Outcome::Ok(r),
    };
    let text = serde_json::to_string(&frame).unwrap();
    let back: ServerFrame = serde_json::from_str(&text).unwrap();
    assert_eq!(back, frame, "{text}");
}

#[test]
fn every_view_request_and_answer_round_trips() {
    roundtrip_request(Request::RateSeries {
        window: "day".into(),
    });
    roundtrip_request(Request::ForecastView {});
    roundtrip_request(Request::Compliance {
        baseline: "stig".into(),
    });
    roundtrip_request(Request::NextStep {
        target: "next".into(),
    });
    roundtrip_request(Request::TrailPage {
        query: TrailQuery {
            since: Some(1),
            until: Some(2),
            classes: vec!["lo".into()],
            events: vec!["AUE_open_r".into()],
            user: Some("alice".into()),
            outcome: OutcomeChoice::Failure,
            cursor: Some(Cursor {
                file: "20270115080000.not_terminated".into(),
                offset: 93,
            }),
            page_size: Some(10),
        },
    });
    roundtrip_request(Request::TrailPage {
        query: TrailQuery::default(),
    });

    roundtrip_response(Response::RateSeries {
        series: RateSeries::empty(RateSpan::Hour, 7200),
    });
    roundtrip_response(Response::ForecastView {
        view: ForecastView {
            now: 1,
            history: vec![(0, 10), (1, 20)],
            folder_bytes: 20,
            bytes_above_minfree: 1 << 30,
            minfree_percent: Some(5),
            forecast: None,
        },
    });
    roundtrip_response(Response::Compliance {
        report: ComplianceReport {
            baseline: Baseline::CisL1,
            title: "CIS".into(),
            mscp_release: "tahoe_rev3".into(),
            tailoring: Some(earshot_api::Tailoring {
                odv: [(
                    "audit_retention_configure".to_string(),
                    earshot_api::OdvValue::Text("90d".into()),
                )]
                .into(),
                exemptions: [("audit_failure_halt".to_string(), "panics".to_string())].into(),
                source: Some("managed:app.earshot".into()),
            }),
            results: Vec::new(),
            summary: Summary::default(),
        },
    });
    roundtrip_response(Response::TrailPage(TrailPage {
        records: vec![json!({"trail_file": "a", "trail_offset": 0})],
        next: None,
        scanned_bytes: 12,
        partial: true,
    }));
    for token in [
        None,
        Some(StepToken {
            target: "cis-l2".into(),
            base_hash: "absent".into(),
            after_hash: "ab".into(),
        }),
    ] {
        roundtrip_response(Response::NextStep(Box::new(NextStepReport {
            plan: token.as_ref().map(|_| plan()),
            risks: vec![Risk {
                id: "drop-cnt".into(),
                message: "m".into(),
            }],
            token: token.clone(),
        })));
        if let Some(step) = token {
            roundtrip_request(Request::ApplyStep {
                step,
                acks: vec!["drop-cnt".into()],
                confirm_within_secs: Some(120),
                soak_days: Some(7.0),
                skip_soak: true,
            });
        }
    }
    roundtrip_response(Response::StepApplied(Box::new(StepApplied {
        applied: AppliedReport {
            revision: 3,
            hash: "h".into(),
            changes: Vec::new(),
            pending: None,
            unchanged: false,
            reload_warning: None,
            warnings: Vec::new(),
        },
        enabled: None,
        record: AppliedStep::record(&plan(), 1_700_000_000),
    })));
}

#[test]
fn the_query_defaults_and_its_documented_names() {
    let frame: ClientFrame = serde_json::from_str(
        r#"{"type":"request","id":1,"request":{"op":"trail_page","query":{}}}"#,
    )
    .unwrap();
    let ClientFrame::Request {
        request: Request::TrailPage { query },
        ..
    } = frame
    else {
        panic!("a trail_page request")
    };
    assert_eq!(query, TrailQuery::default());
    assert_eq!(query.outcome, OutcomeChoice::Any);
    let v = serde_json::to_value(TrailQuery {
        page_size: Some(5),
        ..TrailQuery::default()
    })
    .unwrap();
    assert_eq!(v["page_size"], 5);
    assert_eq!(v["outcome"], "any");
}

#[test]
fn unknown_fields_and_missing_ones_are_refused() {
    for bad in [
        // An extra field anywhere in a request.
        r#"{"type":"request","id":1,"request":{"op":"rate_series","window":"hour","path":"/var/audit"}}"#,
        r#"{"type":"request","id":1,"request":{"op":"forecast_view","dir":"/tmp"}}"#,
        r#"{"type":"request","id":1,"request":{"op":"trail_page","query":{"dirs":["/etc"]}}}"#,
        r#"{"type":"request","id":1,"request":{"op":"trail_page","query":{"cursor":{"file":"a","offset":0,"path":"/etc/passwd"}}}}"#,
        r#"{"type":"request","id":1,"request":{"op":"trail_page","query":{"pageSize":5}}}"#,
        r#"{"type":"request","id":1,"request":{"op":"compliance","baseline":"stig","root":"/"}}"#,
        // Missing what the request needs.
        r#"{"type":"request","id":1,"request":{"op":"rate_series"}}"#,
        r#"{"type":"request","id":1,"request":{"op":"trail_page"}}"#,
        r#"{"type":"request","id":1,"request":{"op":"compliance"}}"#,
        r#"{"type":"request","id":1,"request":{"op":"next_step"}}"#,
        // Wrong types.
        r#"{"type":"request","id":1,"request":{"op":"trail_page","query":{"page_size":-1}}}"#,
        r#"{"type":"request","id":1,"request":{"op":"trail_page","query":{"outcome":"maybe"}}}"#,
        r#"{"type":"request","id":1,"request":{"op":"trail_page","query":{"cursor":{"file":"a","offset":-5}}}}"#,
    ] {
        assert!(
            serde_json::from_str::<ClientFrame>(bad).is_err(),
            "accepted {bad}"
        );
    }
}

/// A small plan, every field set.
fn plan() -> Plan {
    let r = Range::new(1.0, 2.0, 3.0);
    Plan {
        step: StepKind::AddFlag,
        concern: "flags".into(),
        title: "t".into(),
        why: "w".into(),
        before: Some("flags:lo\n".into()),
        after: "flags:lo,ad\n".into(),
        after_raw: Vec::new(),
        diff: Vec::new(),
        semantic_diff: Vec::new(),
        risks: Vec::new(),
        warnings: vec!["x".into()],
        activation: Vec::new(),
        needs_relogin: true,
        prediction: Prediction {
            classes: Vec::new(),
            events_per_day: r,
            bytes_per_day: r,
            change_bytes_per_day: r,
            retention_days: None,
            retention: "r".into(),
            time_to_minfree_days: Some(r),
            minfree: "m".into(),
            uses_reference_figures: true,
            notes: Vec::new(),
        },
        alternatives: Vec::new(),
    }
}
