// The popover's own entry (popover.html): only the popover's code, so the web view that
// opens on the first click parses less than the bundle of every window (index.html).
// The popover is the one view people open many times a day; see docs/performance.md.
import "./styles.css";

import type { Backend, Glance } from "./backend";
import { tauriBackend } from "./backend/tauri";
import { mountPopover } from "./views/popover";

declare global {
  interface Window {
    /** The glance the shell hands over with the page (src-tauri windows.rs). */
    __EARSHOT_GLANCE__?: Glance;
  }
}

async function chooseBackend(): Promise<Backend> {
  // As in main.ts: the screenshot run names a mock scenario; the app never loads it.
  const name = window.__EARSHOT_MOCK__;
  if (name === undefined) return tauriBackend;
  const { screenshotBackend } = await import("./mock-entry");
  return screenshotBackend(name);
}

/** Resolves once the popover has rendered (used by tests). */
export const started: Promise<unknown> | null = (() => {
  const root = document.getElementById("app");
  if (!root) return null;
  document.body.dataset.view = "popover";
  const initial = window.__EARSHOT_GLANCE__ ?? null;
  delete window.__EARSHOT_GLANCE__;
  return chooseBackend().then((backend) => mountPopover(root, window, backend, { initial }));
})();
