// The only door from the UI to Rust. Views receive a Backend and never import Tauri,
// so tests run them against the mock and the app against the Tauri implementation.

import type { ConfigReport } from "./types";

export type { ConfigReport, Diagnostic, Severity } from "./types";

export interface Backend {
  /** Checks the audit_control the app is looking at. */
  configDiagnostics(): Promise<ConfigReport>;
  /** Shows the dashboard window (from the popover). */
  openDashboard(): Promise<void>;
  /** Hides the popover (Esc). */
  closePopover(): Promise<void>;
}

export { tauriBackend } from "./tauri";
export { MockBackend } from "./mock";
