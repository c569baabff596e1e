import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";

import type { Backend } from "./index";
import { toBackendError } from "./error";
import type {
  Applied,
  ComplianceReport,
  ConfigReport,
  Glance,
  History,
  Measurement,
  NextStepReport,
  Preferences,
  StepReview,
  TrailPage,
} from "./types";

// Command names match #[tauri::command] functions in src-tauri and the permissions in
// src-tauri/capabilities; argument names are camelCase as Tauri maps them
// (docs/app-commands.md). Every rejection becomes a BackendError.
async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (err) {
    throw toBackendError(err);
  }
}

/** Normalises the two spellings of a pending confirmation in an apply answer. */
function applied(raw: Applied & { pending?: Applied["pending_confirm"] }): Applied {
  return { ...raw, pending_confirm: raw.pending_confirm ?? raw.pending ?? null };
}

export const tauriBackend: Backend = {
  configDiagnostics: () => call<ConfigReport>("config_diagnostics"),
  openDashboard: () => call<void>("open_dashboard"),
  closePopover: () => call<void>("close_popover"),
  openWindow: (name) => call<void>("open_window", { name }),

  glance: () => call<Glance>("glance"),
  onGlance: (handler) => listen<Glance>("glance-changed", (e) => handler(e.payload)),
  sparkline: (window) => call<string>("sparkline", { window }),
  chart: (kind, window, appearance) => call<string>("chart", { kind, window, appearance }),
  firstPaint: (view) => call<void>("first_paint", { view }),

  trailPage: (query) => call<TrailPage>("trail_page", { ...query }),
  compliance: (baseline) => call<ComplianceReport>("compliance", { baseline }),

  planNext: (target) => call<NextStepReport>("plan_next", { target }),
  reviewStep: () => call<StepReview>("review_step"),
  measure: ({ classes, seconds }) => call<Measurement>("measure", { classes, seconds }),
  applyPlan: async (token, acks, confirmWithin, skipSoak = false) =>
    applied(await call("apply_plan", { token, acks, confirmWithin, skipSoak })),
  confirm: async () => {
    await call<unknown>("confirm");
  },

  history: (before) => call<History>("history", before === undefined ? {} : { before }),
  rollback: async (revision, acks = []) => applied(await call("rollback", { revision, acks })),
  rollbackLast: async (acks = []) => applied(await call("rollback_last", { acks })),

  getPreferences: () => call<Preferences>("get_preferences"),
  setPreferences: async (prefs) =>
    (await call<Preferences | null>("set_preferences", { prefs })) ?? prefs,
};
