//! The view requests (rate_series, forecast_view, trail_page, compliance,
//! next_step): their wire form both ways, and what a client may not send.

use earshot_api::{
    ClientFrame, Cursor, NextStepReport, OutcomeChoice, Request, Response, Risk, ServerFrame,
    StepAction, TrailPage, TrailQuery,
};
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
        series: json!({"span": "hour", "classes": []}),
    });
    roundtrip_response(Response::ForecastView {
        view: json!({"now": 1, "forecast": null}),
    });
    roundtrip_response(Response::Compliance {
        report: json!({"baseline": "cis-l1"}),
    });
    roundtrip_response(Response::TrailPage(TrailPage {
        records: vec![json!({"trail_file": "a", "trail_offset": 0})],
        next: None,
        scanned_bytes: 12,
        partial: true,
    }));
    for action in [
        StepAction::EnableAuditing { read_hash: None },
        StepAction::EnableAuditing {
            read_hash: Some("ab".into()),
        },
        StepAction::Write {
            text: "flags:lo\n".into(),
            base_hash: "cd".into(),
        },
    ] {
        roundtrip_response(Response::NextStep(NextStepReport {
            plan: Some(json!({"title": "t"})),
            action: Some(action),
            risks: vec![Risk {
                id: "drop-cnt".into(),
                message: "m".into(),
            }],
            step_record: Some("{}".into()),
        }));
    }
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
