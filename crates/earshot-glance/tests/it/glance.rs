//! The glance and its alerts, from a real `earshot status --json` document of a
//! simulated Mac (tests/data/status-auditing.json, written by
//! `earshot sim init --days 1 --auditing on` + `earshot status --json`).

use earshot_api::{Finding, HealthLevel, PendingConfirm, StatusReport};
use earshot_glance::{
    AlertChange, AlertKind, AlertWatch, Connection, Glance, Inputs, Preferences, Severity,
    TitleContent, WarningLedger,
};
use serde_json::{json, Value};

fn detail() -> Value {
    serde_json::from_str(include_str!("../data/status-auditing.json")).unwrap()
}

fn report(detail: Option<Value>) -> StatusReport {
    // The document as a client receives it: parsed into the model's type.
    let detail = detail.map(|v| Box::new(serde_json::from_value(v).expect("a status document")));
    StatusReport {
        level: HealthLevel::Ok,
        summary: "Auditing is on.".into(),
        findings: vec![],
        config_hash: "h".into(),
        head_revision: Some(3),
        pending: None,
        simulated: true,
        soak: None,
        managed: None,
        export: None,
        detail,
    }
}

fn build(conn: Connection, r: Option<&StatusReport>, prefs: &Preferences, drift: bool) -> Glance {
    earshot_glance::glance::build(
        Inputs {
            connection: conn,
            report: r,
            prefs,
            drift,
            now_unix: 1_000,
        },
        &mut WarningLedger::default(),
    )
}

#[test]
fn healthy_mac_reads_as_ok_with_numbers_from_the_document() {
    let r = report(Some(detail()));
    let g = build(
        Connection::connected(),
        Some(&r),
        &Preferences::default(),
        false,
    );
    assert_eq!(g.health.state, "auditing");
    assert_eq!(g.health.severity, Severity::Ok);
    assert_eq!(g.tray.glyph, Severity::Ok);
    assert_eq!(g.tray.title, None, "no title by default");
    assert!(!g.health.evidence.is_empty());
    let h = g.headroom.unwrap();
    assert_eq!(h.dir, "/var/audit");
    assert_eq!(h.bytes_above_minfree, 164_999_512_064);
    assert!(
        (h.threshold_percent - 5.0).abs() < 0.01,
        "{}",
        h.threshold_percent
    );
    let rates = g.rates.unwrap();
    assert_eq!(rates.window, "minute");
    assert!((rates.total_eps - 0.083_333).abs() < 1e-4);
    assert!(
        rates.by_class.windows(2).all(|w| w[0].eps >= w[1].eps),
        "busiest first"
    );
    let f = g.forecast.unwrap();
    assert_eq!(serde_json::to_value(f.minfree).unwrap(), "never");
    assert_eq!(f.minfree_days, None);
    assert!(f.retention_secs.unwrap() > 1.6e6);
    assert_eq!(g.head_revision, Some(3));
    assert!(g.warnings.is_empty());
    // The serialized shape the UI relies on (docs/app-commands.md).
    let v = serde_json::to_value(build(
        Connection::connected(),
        Some(&r),
        &Preferences::default(),
        false,
    ))
    .unwrap();
    for key in [
        "connection",
        "health",
        "tray",
        "headroom",
        "forecast",
        "rates",
        "warnings",
        "pending_confirm",
        "head_revision",
        "simulated",
        "updated_unix",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["connection"]["state"], "connected");
    assert_eq!(v["tray"]["glyph"], "ok");
}

#[test]
fn no_helper_is_unknown_with_the_reason_never_ok() {
    let g = build(
        Connection::unavailable("no helper at /x.sock: connection refused"),
        None,
        &Preferences::default(),
        false,
    );
    assert_eq!(g.tray.glyph, Severity::Unknown);
    assert_eq!(g.health.severity, Severity::Unknown);
    assert!(
        g.health.summary.contains("connection refused"),
        "{}",
        g.health.summary
    );
    assert!(g.health.fix.is_some());
    let v = serde_json::to_value(&g).unwrap();
    assert_eq!(v["connection"]["state"], "unavailable");
    assert_eq!(v["headroom"], Value::Null);
}

#[test]
fn a_lost_connection_keeps_the_numbers_but_shows_unknown() {
    let r = report(Some(detail()));
    let g = build(
        Connection::connecting(),
        Some(&r),
        &Preferences::default(),
        false,
    );
    assert_eq!(
        g.health.severity,
        Severity::Ok,
        "last known health still shown"
    );
    assert_eq!(
        g.tray.glyph,
        Severity::Unknown,
        "but the glyph does not claim it"
    );
}

#[test]
fn pushed_reports_without_detail_fall_back_to_the_report_level() {
    let mut r = report(None);
    r.level = HealthLevel::Warning;
    r.findings = vec![Finding {
        level: HealthLevel::Warning,
        code: "change-awaiting-confirmation".into(),
        message: "Revision 4 reverts unless confirmed.".into(),
    }];
    r.pending = Some(PendingConfirm {
        revision: 4,
        deadline_unix: 2_000,
    });
    let g = build(
        Connection::connected(),
        Some(&r),
        &Preferences::default(),
        false,
    );
    assert_eq!(g.tray.glyph, Severity::Warning);
    assert_eq!(g.headroom, None);
    assert_eq!(g.rates, None);
    assert_eq!(g.warnings.len(), 1);
    assert_eq!(g.warnings[0].id, "change-awaiting-confirmation");
    assert_eq!(g.pending_confirm.unwrap().revision, 4);
}

#[test]
fn unexpected_severity_words_are_unknown() {
    let mut d = detail();
    d["health"]["severity"] = json!("fine-ish");
    let r = report(Some(d));
    let g = build(
        Connection::connected(),
        Some(&r),
        &Preferences::default(),
        false,
    );
    assert_eq!(g.tray.glyph, Severity::Unknown);
}

#[test]
fn titles_follow_preferences() {
    let r = report(Some(detail()));
    let mut prefs = Preferences {
        title: TitleContent::Events,
        ..Preferences::default()
    };
    let g = build(Connection::connected(), Some(&r), &prefs, false);
    assert_eq!(g.tray.title.as_deref(), Some("\u{2007}0.1 ev/s"));
    prefs.title = TitleContent::Free;
    let g = build(Connection::connected(), Some(&r), &prefs, false);
    assert_eq!(g.tray.title.as_deref(), Some("\u{2007}165 GB free"));
}

#[test]
fn warnings_keep_their_first_seen_time_and_are_redated_after_clearing() {
    let mut d = detail();
    d["forecast"]["warnings"] =
        json!([{"level": "warning", "code": "minfree_soon", "message": "soon"}]);
    let with = report(Some(d));
    let without = report(Some(detail()));
    let prefs = Preferences::default();
    let mut ledger = WarningLedger::default();
    let at = |r: &StatusReport, now: u64, ledger: &mut WarningLedger| {
        earshot_glance::glance::build(
            Inputs {
                connection: Connection::connected(),
                report: Some(r),
                prefs: &prefs,
                drift: false,
                now_unix: now,
            },
            ledger,
        )
    };
    assert_eq!(at(&with, 10, &mut ledger).warnings[0].since, 10);
    let g = at(&with, 20, &mut ledger);
    assert_eq!(
        (g.warnings[0].id.as_str(), g.warnings[0].since),
        ("minfree-soon", 10)
    );
    assert!(at(&without, 30, &mut ledger).warnings.is_empty());
    assert_eq!(at(&with, 40, &mut ledger).warnings[0].since, 40);
}

// ---- alerts -----------------------------------------------------------------

fn glance_with(edit: impl Fn(&mut Value), drift: bool) -> Glance {
    let mut d = detail();
    edit(&mut d);
    let r = report(Some(d));
    build(
        Connection::connected(),
        Some(&r),
        &Preferences::default(),
        drift,
    )
}

fn stalled(d: &mut Value) {
    d["health"]["state"] = json!("stalled");
    d["health"]["severity"] = json!("error");
    d["health"]["summary"] = json!("The trail has been silent for 20 minutes.");
}

#[test]
fn an_alert_needs_consecutive_samples_and_is_raised_once() {
    let prefs = Preferences::default().alerts;
    let mut w = AlertWatch::new(3);
    let bad = glance_with(stalled, false);
    let good = glance_with(|_| {}, false);
    assert!(w.observe(&bad, &prefs).is_empty());
    assert!(w.observe(&bad, &prefs).is_empty());
    assert!(
        w.observe(&good, &prefs).is_empty(),
        "a good sample resets the streak"
    );
    assert!(w.observe(&bad, &prefs).is_empty());
    assert!(w.observe(&bad, &prefs).is_empty());
    let raised = w.observe(&bad, &prefs);
    assert_eq!(raised.len(), 1);
    let AlertChange::Raise(a) = &raised[0] else {
        panic!("{raised:?}")
    };
    assert_eq!(a.kind, AlertKind::AuditingStopped);
    assert!(a.body.contains("silent"), "{}", a.body);
    // The title is the kind's own (what macOS withdraws the notification by).
    assert_eq!(a.title, "Auditing stopped");
    assert_eq!(a.title, a.kind.title());
    for _ in 0..5 {
        assert!(
            w.observe(&bad, &prefs).is_empty(),
            "raised once, not every sample"
        );
    }
    assert_eq!(w.active(), [AlertKind::AuditingStopped]);
    assert!(w.observe(&good, &prefs).is_empty());
    assert!(w.observe(&good, &prefs).is_empty());
    assert_eq!(
        w.observe(&good, &prefs),
        [AlertChange::Clear(AlertKind::AuditingStopped)]
    );
    assert!(w.active().is_empty());
}

#[test]
fn unreachable_helper_neither_raises_nor_clears() {
    let prefs = Preferences::default().alerts;
    let mut w = AlertWatch::new(1);
    w.observe(&glance_with(stalled, false), &prefs);
    assert_eq!(w.active(), [AlertKind::AuditingStopped]);
    let gone = build(
        Connection::unavailable("gone"),
        None,
        &Preferences::default(),
        false,
    );
    for _ in 0..5 {
        assert!(w.observe(&gone, &prefs).is_empty());
    }
    assert_eq!(w.active(), [AlertKind::AuditingStopped]);
}

#[test]
fn only_action_states_alert_and_off_is_not_one() {
    let prefs = Preferences::default().alerts;
    let mut w = AlertWatch::new(1);
    // Auditing off is the macOS 14+ default, a choice, not an emergency.
    let off = glance_with(
        |d| {
            d["health"]["state"] = json!("not_configured");
            d["health"]["severity"] = json!("off");
        },
        false,
    );
    assert!(w.observe(&off, &prefs).is_empty());
    let below = glance_with(|d| d["headroom"][0]["below_minfree"] = json!(true), false);
    assert!(
        matches!(&w.observe(&below, &prefs)[..], [AlertChange::Raise(a)] if a.kind == AlertKind::BelowMinfree)
    );
}

#[test]
fn forecast_alert_uses_the_threshold() {
    let soon = |days: f64| {
        glance_with(
            move |d| d["forecast"]["minfree"] = json!({"kind": "reached", "days": days}),
            false,
        )
    };
    let mut prefs = Preferences::default().alerts;
    prefs.forecast_days_threshold = Some(7);
    let mut w = AlertWatch::new(1);
    assert!(w.observe(&soon(30.0), &prefs).is_empty());
    let c = w.observe(&soon(2.5), &prefs);
    assert!(
        matches!(&c[..], [AlertChange::Raise(a)] if a.kind == AlertKind::MinfreeSoon && a.body.contains("2.5 days")),
        "{c:?}"
    );
    // Turning the alert off withdraws it immediately.
    prefs.forecast_days_threshold = None;
    assert_eq!(
        w.observe(&soon(2.5), &prefs),
        [AlertChange::Clear(AlertKind::MinfreeSoon)]
    );
    assert!(w.observe(&soon(2.5), &prefs).is_empty());
}

#[test]
fn drift_alerts_and_clears_on_recovery() {
    let prefs = Preferences::default().alerts;
    let mut w = AlertWatch::new(2);
    let drifted = glance_with(|_| {}, true);
    assert!(drifted.warnings.iter().any(|x| x.id == "drift"));
    assert!(w.observe(&drifted, &prefs).is_empty());
    assert!(
        matches!(&w.observe(&drifted, &prefs)[..], [AlertChange::Raise(a)] if a.kind == AlertKind::Drift)
    );
    let fine = glance_with(|_| {}, false);
    w.observe(&fine, &prefs);
    assert_eq!(
        w.observe(&fine, &prefs),
        [AlertChange::Clear(AlertKind::Drift)]
    );
}

/// A soak as the helper reports it (`status`'s `soak`).
fn soak(
    state: &str,
    ratio: Option<f64>,
    over_budget: Option<&str>,
) -> earshot_model::soak::SoakStatus {
    serde_json::from_value(json!({
        "revision": 5,
        "number": 2,
        "step": "add-flag",
        "title": "flags: add ad",
        "started_unix": 700,
        "ends_unix": 700 + 3 * 86_400,
        "soak_days": 3.0,
        "soak_reason": "it adds +ad,-ad",
        "days_observed": 1.2,
        "state": state,
        "ended_by": null,
        "predicted": {"low": 348805.6, "typical": 436007.0, "high": 545008.75},
        "measured_bytes_per_day": ratio.map(|r| r * 436007.0),
        "ratio": ratio,
        "over_budget": over_budget,
        "review": null,
        "summary": "flags: add ad — day 2 of 3 — 2.94× the predicted volume so far",
    }))
    .expect("a soak")
}

#[test]
fn a_step_badly_over_budget_turns_the_tray_to_warning_while_it_soaks() {
    let over = "flags: add ad writes 1.2 MiB/day, above its predicted 340.6 KiB–532.2 KiB: 2.9× the predicted volume";
    let mut r = report(Some(detail()));
    r.level = HealthLevel::Warning;
    r.findings.push(Finding {
        level: HealthLevel::Warning,
        code: "soak-over-budget".into(),
        message: format!("{over}: review the step (Tune Auditing) before it costs more"),
    });
    r.soak = Some(Box::new(soak("soaking", Some(2.94), Some(over))));
    let g = build(
        Connection::connected(),
        Some(&r),
        &Preferences::default(),
        false,
    );
    // The trail itself is healthy; the helper's verdict is not.
    assert_eq!(g.health.severity, Severity::Ok);
    assert_eq!(g.tray.glyph, Severity::Warning);
    let w = g
        .warnings
        .iter()
        .find(|w| w.id == "soak-over-budget")
        .unwrap();
    assert!(w.text.contains("2.9× the predicted volume"), "{}", w.text);
    assert_eq!(g.soak.as_ref().unwrap().over_budget.as_deref(), Some(over));

    // In band: the soak shows, the tray stays ok.
    let mut r = report(Some(detail()));
    r.soak = Some(Box::new(soak("soaking", Some(1.04), None)));
    let g = build(
        Connection::connected(),
        Some(&r),
        &Preferences::default(),
        false,
    );
    assert_eq!(g.tray.glyph, Severity::Ok);
    assert!(g.soak.is_some());
    // A helper error (say, a broken history chain) is never hidden by a
    // healthy trail either; a lost connection stays unknown.
    let mut r = report(Some(detail()));
    r.level = HealthLevel::Error;
    let g = build(
        Connection::connected(),
        Some(&r),
        &Preferences::default(),
        false,
    );
    assert_eq!(g.tray.glyph, Severity::Error);
    let g = build(
        Connection::unavailable("no socket"),
        Some(&r),
        &Preferences::default(),
        false,
    );
    assert_eq!(g.tray.glyph, Severity::Unknown);
}

#[test]
fn the_end_of_a_soak_notifies_once_and_the_click_opens_its_review() {
    let prefs = Preferences::default().alerts;
    let mut w = AlertWatch::new(2);
    let with = |state: &str| {
        let mut r = report(Some(detail()));
        r.soak = Some(Box::new(soak(state, Some(1.1), None)));
        build(
            Connection::connected(),
            Some(&r),
            &Preferences::default(),
            false,
        )
    };
    assert!(w.observe(&with("soaking"), &prefs).is_empty());
    assert!(w.observe(&with("reviewed"), &prefs).is_empty());
    let raised = w.observe(&with("reviewed"), &prefs);
    let [AlertChange::Raise(a)] = &raised[..] else {
        panic!("{raised:?}")
    };
    assert_eq!(a.kind, AlertKind::SoakReviewed);
    assert_eq!(
        a.body,
        "Review the change to flags: it cost 1.1× what was predicted."
    );
    assert!(w.observe(&with("reviewed"), &prefs).is_empty(), "once");
    // Acting on the review (the next step soaks) withdraws it.
    w.observe(&with("soaking"), &prefs);
    assert_eq!(
        w.observe(&with("soaking"), &prefs),
        [AlertChange::Clear(AlertKind::SoakReviewed)]
    );
    // Turned off in preferences: never raised.
    let off = earshot_glance::AlertPrefs {
        soak: false,
        ..prefs.clone()
    };
    let mut w = AlertWatch::new(1);
    assert!(w.observe(&with("reviewed"), &off).is_empty());
}

#[test]
fn a_profile_hides_the_menu_item_whatever_the_user_chose_and_otherwise_the_user_decides() {
    let managed = |enable: Option<bool>| earshot_model::managed::Managed {
        profile: true,
        enable_menu_item: enable,
        allow_user_tuning: Some(false),
        ..Default::default()
    };
    let visible = |m: Option<earshot_model::managed::Managed>, hide: bool| {
        let mut r = report(Some(detail()));
        r.managed = m.map(Box::new);
        let prefs = Preferences {
            hide_menu_item: hide,
            ..Preferences::default()
        };
        let g = build(Connection::connected(), Some(&r), &prefs, false);
        (g.tray.visible, g.managed.is_some())
    };
    assert_eq!(visible(None, false), (true, false));
    assert_eq!(visible(None, true), (false, false));
    assert_eq!(visible(Some(managed(None)), true), (false, true));
    assert_eq!(visible(Some(managed(Some(false))), false), (false, true));
    assert_eq!(visible(Some(managed(Some(true))), true), (true, true));
}
