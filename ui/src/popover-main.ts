// The popover's own entry (popover.html): only the popover's code, so the web view that
// opens on the first click parses less than the bundle of every window (index.html).
// The popover is the one view people open many times a day; see docs/performance.md.
import "./styles.css";

import type { Backend } from "./backend";
import { tauriBackend } from "./backend/tauri";
import { mountPopover } from "./views/popover";

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
  return chooseBackend().then((backend) => mountPopover(root, window, backend));
})();
