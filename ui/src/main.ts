import "./styles.css";

import { tauriBackend } from "./backend";
import { renderDiagnostics } from "./views/diagnostics";
import { mountPopover } from "./views/popover";

// One bundle, two windows: Rust opens index.html?view=dashboard or ?view=popover.
const root = document.getElementById("app");
if (root) {
  const view = new URLSearchParams(window.location.search).get("view");
  document.body.dataset.view = view ?? "dashboard";
  if (view === "popover") void mountPopover(root, window, tauriBackend);
  else void renderDiagnostics(root, tauriBackend);
}
