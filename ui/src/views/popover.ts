// The popover under the tray item: a glance at the configuration and a way to the
// dashboard. (Status, headroom and rates join it with issues 4 and 7.)

import type { Backend, ConfigReport } from "../backend";
import { h } from "../dom";
import { countBySeverity, summarize } from "../summary";

export async function renderPopover(root: HTMLElement, backend: Backend): Promise<void> {
  // Esc closes the popover, as it does any macOS popover.
  root.ownerDocument.addEventListener("keydown", (event) => {
    if (event.key === "Escape") void backend.closePopover();
  });
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
