// The only door from the UI to Rust. Views receive a Backend and never import Tauri,
// so tests run them against the mock and the app against the Tauri implementation.

import type {
  Appearance,
  Applied,
  ChartKind,
  ChartWindow,
  ComplianceReport,
  ConfigReport,
  Glance,
  History,
  Measurement,
  MeasureRequest,
  NextStepReport,
  PlanTarget,
  StepReview,
  StepToken,
  Preferences,
  TrailPage,
  TrailQuery,
  WindowName,
} from "./types";

export type * from "./types";
export { BackendError, advice, toBackendError } from "./error";

export interface Backend {
  /** Checks the audit_control the app is looking at. */
  configDiagnostics(): Promise<ConfigReport>;
  /** Shows the dashboard window (from the popover). */
  openDashboard(): Promise<void>;
  /** Hides the popover (Esc). */
  closePopover(): Promise<void>;
  /** Shows one of the app's windows. */
  openWindow(name: WindowName): Promise<void>;

  /** Health, headroom, forecast, rates and warnings in one answer. */
  glance(): Promise<Glance>;
  /** Pushed glances (the helper's subscription); returns the unsubscribe function. */
  onGlance(handler: (glance: Glance) => void): Promise<() => void>;
  /** Per-class events/s sparkline, SVG drawn in currentColor. */
  sparkline(window: ChartWindow): Promise<string>;
  chart(kind: ChartKind, window: ChartWindow, appearance: Appearance): Promise<string>;
  /** Tells the shell the popover has painted its content (it measures open → paint). */
  firstPaint(view: string): Promise<void>;

  trailPage(query: TrailQuery): Promise<TrailPage>;
  compliance(baseline: string): Promise<ComplianceReport>;

  /** The next step toward the target (`plan` null when there is nothing left to do),
   *  with the token that applies exactly it. */
  planNext(target: PlanTarget): Promise<NextStepReport>;
  /** The last step's soak, its review (so far, or made when the soak ended) and every
   *  action it offers with its token; rejects with `not-found` when no step was applied. */
  reviewStep(): Promise<StepReview>;
  measure(request: MeasureRequest): Promise<Measurement>;
  /** Applies the step `token` names (from planNext, or a review's next_token or tweak
   *  token) as one helper action. While the previous step soaks the helper refuses with
   *  `soaking` unless `skipSoak` (the user chose to skip it; the helper records that). */
  applyPlan(token: StepToken, acks: string[], confirmWithin: number | null, skipSoak?: boolean): Promise<Applied>;
  /** Keeps the change awaiting confirmation. */
  confirm(): Promise<void>;

  /** One page of history, newest first; `before` continues at a page's `next_before`. */
  history(before?: number): Promise<History>;
  /** Restores the bytes of a revision; risks the restored file carries need `acks`. */
  rollback(revision: number, acks?: string[]): Promise<Applied>;
  rollbackLast(acks?: string[]): Promise<Applied>;

  getPreferences(): Promise<Preferences>;
  setPreferences(prefs: Preferences): Promise<Preferences>;
}

export { tauriBackend } from "./tauri";
