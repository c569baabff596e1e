// The shapes the Rust side sends and takes. Everything that crosses from Rust is
// generated from the Rust types into ./model.ts (crates/earshot-glance/tests/it/typescript.rs
// checks it is current); this file re-exports those and adds what the UI alone defines:
// its own argument shapes and the trail records (the BSM crate's NDJSON objects, passed
// through the helper untouched — docs/protocol.md "trail_page").

import type * as Model from "./model";

export type * from "./model";

/** Diagnostic severities (`error` blocks an apply). */
export type Severity = Model.DiagnosticSeverity;
/** A page of history (the helper's `history` answer). */
export type History = Model.HistoryReport;
/** What an apply, rollback or enable returned. */
export type Applied = Model.ApplyResult;
export type Outcome = Model.OutcomeChoice;
/** An opaque position in the trails; sent back as it came. */
export type TrailCursor = Model.Cursor;

// ---- trail browser ---------------------------------------------------------------

/** The trail browser's filter as the views build it (sent flat to `trail_page`). */
export interface TrailQuery {
  /** Unix seconds, inclusive; null for unbounded. */
  since: number | null;
  /** Unix seconds, exclusive. */
  until: number | null;
  classes: string[];
  events: string[];
  /** auid as a number or a user name; null for any. */
  user: string | null;
  outcome: Outcome;
  cursor: TrailCursor | null;
  pageSize: number;
}

/** One record as bsm::json renders it. */
export interface TrailRecord {
  type: "record";
  offset: number;
  length: number;
  time: string;
  event: { number: number; name: string | null; description?: string | null; classes: string[] };
  modifier?: number;
  version?: number;
  subject: {
    kind?: string;
    auid: number;
    euid: number;
    egid: number;
    ruid: number;
    rgid: number;
    pid: number;
    session: number;
    terminal?: { port: number; address: string };
  } | null;
  return: {
    status: number;
    success: boolean;
    value: number;
    errno?: string | null;
    error?: string | null;
  } | null;
  paths?: string[];
  args?: { num: number; value: number; text: string }[];
  exec_args?: string[];
  exec_env?: string[];
  text?: string[];
  sockets?: unknown[];
  other?: unknown[];
  /** Trail file and offset the record came from (added by the app's trail_page). */
  trail_file?: string;
  trail_offset?: number;
  /** Set when the record was too large to send: its tokens are left out and this says why. */
  omitted?: string;
}

/** A page of trail records, typed for the browser. */
export type TrailPage = Omit<Model.TrailPage, "records"> & { records: TrailRecord[] };

// ---- arguments the UI builds ----------------------------------------------------------

/** Baseline names `compliance` and `plan_next` take (earshot compliance --help). */
export type BaselineName = Model.Baseline;

export type PlanTarget = "next" | BaselineName;

export interface MeasureRequest {
  classes: string;
  seconds: number;
}

export type WindowName = "popover" | "dashboard" | "wizard" | "history" | "preferences";

/** Time windows the chart commands take. */
export type ChartWindow = "minute" | "hour" | "day";

/** `soak`: the last step's hourly volume against its predicted band (the window is ignored). */
export type ChartKind = "rates" | "forecast" | "soak";
export type Appearance = "light" | "dark";
