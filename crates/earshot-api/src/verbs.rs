//! One typed function per request, so no client matches on response variants by
//! hand: each sends its request and returns the answer it expects, or a
//! protocol error naming what came instead.
//!
//! The functions take anything that can [`Call`] the helper: a [`Client`], a
//! `&mut` to one, or an app's own connection keeper (the menu-bar app's
//! reconnecting `Live`). [`Client`] and [`BlockingClient`] have the same verbs
//! as methods.

use std::future::Future;

use crate::client::{BlockingClient, Client, ClientError};
use crate::message::*;

/// Sends one request and waits for its answer.
pub trait Call {
    fn call(
        &mut self,
        request: Request,
    ) -> impl Future<Output = Result<Response, ClientError>> + Send;
}

impl Call for Client {
    fn call(
        &mut self,
        request: Request,
    ) -> impl Future<Output = Result<Response, ClientError>> + Send {
        Client::call(self, request)
    }
}

impl<T: Call + Send + ?Sized> Call for &mut T {
    fn call(
        &mut self,
        request: Request,
    ) -> impl Future<Output = Result<Response, ClientError>> + Send {
        (**self).call(request)
    }
}

fn wrong_kind(wanted: &str, got: &Response) -> ClientError {
    ClientError::Protocol(format!("expected a {wanted} answer, got {got:?}"))
}

/// Declares each verb three times from one line: a free function over any
/// [`Call`], an async method of [`Client`] and a blocking one of
/// [`BlockingClient`].
macro_rules! verbs {
    ($(
        $(#[$doc:meta])*
        $name:ident($($arg:ident: $ty:ty),*) -> $out:ty = $request:expr => $pattern:pat => $value:expr;
    )*) => {
        $(
            $(#[$doc])*
            pub async fn $name<C: Call>(mut c: C $(, $arg: $ty)*) -> Result<$out, ClientError> {
                match c.call($request).await? {
                    $pattern => Ok($value),
                    other => Err(wrong_kind(stringify!($name), &other)),
                }
            }
        )*

        impl Client {
            $(
                $(#[$doc])*
                pub async fn $name(&mut self $(, $arg: $ty)*) -> Result<$out, ClientError> {
                    $name(self $(, $arg)*).await
                }
            )*
        }

        impl BlockingClient {
            $(
                $(#[$doc])*
                pub fn $name(&mut self $(, $arg: $ty)*) -> Result<$out, ClientError> {
                    let (runtime, inner) = self.parts();
                    runtime.block_on($name(inner $(, $arg)*))
                }
            )*
        }
    };
}

verbs! {
    /// Health of auditing on this Mac, with the status document.
    status() -> StatusReport = Request::Status => Response::Status(s) => s;
    /// Receive pushed events on this connection from now on.
    subscribe() -> () = Request::Subscribe => Response::Subscribed => ();
    /// Sizes and record counts of the trail files.
    trail_stats() -> TrailStatsReport = Request::TrailStats => Response::TrailStats(t) => t;
    /// audit_control now, and the hash to send back as `base_hash`.
    read_config() -> ConfigText = Request::ReadConfig => Response::Config(c) => c;
    /// Dry run of a proposed text.
    plan(text: String) -> PlanReport = Request::Plan { text } => Response::Plan(p) => p;
    /// Replace audit_control with `text`.
    apply(text: String, terms: ChangeTerms) -> AppliedReport
        = Request::Apply { text, terms } => Response::Applied(a) => a;
    /// Put back the bytes of a revision.
    rollback(revision: u64, terms: ChangeTerms) -> AppliedReport
        = Request::Rollback { revision, terms } => Response::Applied(a) => a;
    /// The newest page of history.
    history(limit: Option<u32>) -> HistoryReport
        = Request::History { limit, before: None } => Response::History(h) => h;
    /// The page of history older than revision `before` (see `next_before`).
    history_page(limit: Option<u32>, before: Option<u64>) -> HistoryReport
        = Request::History { limit, before } => Response::History(h) => h;
    /// Keep a change applied with `confirm_within_secs`.
    confirm(revision: Option<u64>) -> u64
        = Request::Confirm { revision } => Response::Confirmed { revision } => revision;
    /// Close the current trail and start a new one (`audit -n`).
    rotate() -> () = Request::Rotate => Response::Rotated => ();
    /// Remove trails per `expire-after` (`audit -e`).
    expire() -> () = Request::Expire => Response::Expired => ();
    /// Turn auditing on the way mSCP does it.
    enable_auditing() -> EnableReport
        = Request::EnableAuditing => Response::AuditingEnabled(r) => r;
    /// A trial measurement of class lists.
    measure(flags: String, naflags: String, duration_secs: u64) -> Measurement
        = Request::Measure { flags, naflags, duration_secs } => Response::Measured(m) => m;
    /// The newest steps applied with `apply_step`, newest first.
    applied_steps(limit: Option<u32>) -> Vec<StepRecord>
        = Request::AppliedSteps { limit } => Response::AppliedSteps { steps } => steps;
    /// Events per second per class over `hour` or `day`.
    rate_series(window: String) -> RateSeries
        = Request::RateSeries { window } => Response::RateSeries { series } => series;
    /// The trail folder's size history and forecast.
    forecast_view() -> ForecastView
        = Request::ForecastView {} => Response::ForecastView { view } => view;
    /// One filtered page of trail records.
    trail_page(query: TrailQuery) -> TrailPage
        = Request::TrailPage { query } => Response::TrailPage(p) => p;
    /// This Mac against a compliance baseline.
    compliance(baseline: String) -> ComplianceReport
        = Request::Compliance { baseline } => Response::Compliance { report } => report;
    /// The tuning ladder's next step toward `target`.
    next_step(target: String) -> NextStepReport
        = Request::NextStep { target } => Response::NextStep(s) => *s;
    /// Apply exactly the step `step` names, with its record, in one action.
    apply_step(
        step: StepToken,
        acks: Vec<String>,
        confirm_within_secs: Option<u64>,
        soak_days: Option<f64>,
        skip_soak: bool
    ) -> StepApplied
        = Request::ApplyStep { step, acks, confirm_within_secs, soak_days, skip_soak }
        => Response::StepApplied(s) => *s;
    /// The last step's soak and review, with every action ready to apply.
    review_step() -> StepReview = Request::ReviewStep {} => Response::StepReview(r) => *r;
    /// The last step's trail volume over its soak.
    soak_series() -> SoakSeries = Request::SoakSeries {} => Response::SoakSeries(s) => s;
}
