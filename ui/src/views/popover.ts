// The popover under the tray item: a glance at the configuration and a way to the
// dashboard. (Status, headroom and rates join it with issues 4 and 7.)

import type { Backend, ConfigReport } from "../backend";
import { h } from "../dom";
import { countBySeverity, summarize } from "../summary";

/**
 * Sets the popover up once: Esc closes it, as any macOS popover, and its content is
 * fetched again each time it is shown (the window is hidden, not destroyed, between
 * clicks; nothing is polled while it is hidden).
 */
export function mountPopover(root: HTMLElement, win: Window, backend: Backend): Promise<void> {
  win.document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") void backend.closePopover();
  });
  win.addEventListener("focus", () => void renderPopover(root, backend));
  return renderPopover(root, backend);
}

export async function renderPopover(root: HTMLElement, backend: Backend): Promise<void> {
  let report: ConfigReport | null = null;
  let error: string | null = null;
  try {
    report = await backend.configDiagnostics();
  } catch (err) {
    error = String(err);
  }
  const open = h("button", { type: "button", class: "primary" }, "Open Dashboard");
  open.addEventListener("click", () => void backend.openDashboard());
  root.replaceChildren(
    h(
      "main",
      { class: "popover" },
      h("h1", {}, "Earshot"),
      h("p", { class: "glance", "data-testid": "glance" }, glance(report, error)),
      report && h("p", { class: "path" }, report.path),
      open,
    ),
  );
}

export function glance(report: ConfigReport | null, error: string | null): string {
  if (error !== null || report === null) return `Unknown: ${error ?? "no answer"}`;
  switch (report.status) {
    case "missing":
      return "audit_control not found: auditing is off";
    case "unreadable":
      return `audit_control unreadable: ${report.reason}`;
    case "checked":
      return report.diagnostics.length === 0
        ? "audit_control: no problems found"
        : `audit_control: ${summarize(countBySeverity(report.diagnostics))}`;
  }
}
