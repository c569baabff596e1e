import "./styles.css";

import type { Backend } from "./backend";
import { tauriBackend } from "./backend";
import { mountDashboard, type Tab } from "./views/dashboard";
import { mountHistory } from "./views/history";
import { mountPopover } from "./views/popover";
import { mountPreferences } from "./views/preferences";
import { mountWizard } from "./views/wizard";

declare global {
  interface Window {
    /** Set by scripts/screenshots (Playwright addInitScript): run on the mocked backend. */
    __EARSHOT_MOCK__?: string;
  }
}

/**
 * The screenshot run has no Rust behind it: it names a mock scenario, and the mock (a
 * separate chunk, never loaded by the app) answers every command.
 */
async function chooseBackend(): Promise<Backend> {
  const name = window.__EARSHOT_MOCK__;
  if (name === undefined) return tauriBackend;
  const { screenshotBackend } = await import("./mock-entry");
  return screenshotBackend(name);
}

/** A positive revision number from the URL, else null. */
function revisionParam(v: string | null): number | null {
  const n = v === null ? NaN : Number(v);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

// One bundle, five windows: Rust opens index.html?view=<window label>.
async function start(root: HTMLElement): Promise<void> {
  const params = new URLSearchParams(window.location.search);
  const view = params.get("view") ?? "dashboard";
  document.body.dataset.view = view;
  const backend = await chooseBackend();
  switch (view) {
    case "popover":
      await mountPopover(root, window, backend);
      break;
    case "wizard":
      await mountWizard(root, backend);
      break;
    case "history":
      await mountHistory(root, backend, revisionParam(params.get("rollback")));
      break;
    case "preferences":
      await mountPreferences(root, backend);
      break;
    default:
      await mountDashboard(root, backend, (params.get("tab") as Tab | null) ?? "overview");
  }
  // The popover reports each of its paints itself; the windows report their first one.
  if (view !== "popover") {
    requestAnimationFrame(() => requestAnimationFrame(() => void backend.firstPaint(view).catch(() => {})));
  }
}

/** Resolves once the view named in the URL has rendered (used by tests). */
export const started: Promise<void> | null = (() => {
  const root = document.getElementById("app");
  return root ? start(root) : null;
})();

