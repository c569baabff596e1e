// The dashboard's first screen: what audit_control::check says about the file the app
// is looking at.

import type { Backend, ConfigReport, Diagnostic } from "../backend";
import { toBackendError } from "../backend";
import { h, withCode } from "../dom";
import { countBySeverity, position, summarize } from "../summary";

export async function renderDiagnostics(root: HTMLElement, backend: Backend): Promise<void> {
  root.replaceChildren(h("p", { class: "loading" }, "Checking audit_control…"));
  let report: ConfigReport;
  try {
    report = await backend.configDiagnostics();
  } catch (err) {
    root.replaceChildren(
      failure("Could not ask Earshot for the diagnostics", toBackendError(err).message, null),
    );
    return;
  }
  root.replaceChildren(diagnosticsScreen(report, () => renderDiagnostics(root, backend)));
}

export function diagnosticsScreen(report: ConfigReport, refresh: () => void): HTMLElement {
  const header = h(
    "header",
    { class: "screen-header" },
    h(
      "div",
      {},
      h("h1", {}, "audit_control"),
      h("p", { class: "path", "data-testid": "config-path" }, report.path),
    ),
    refreshButton(refresh),
  );

  if (report.status === "missing") {
    return h(
      "main",
      { class: "screen", "data-state": "missing" },
      header,
      failure(
        "audit_control not found",
        "On macOS 14 and later auditing is off by default and the file does not exist.",
        "To turn auditing on, copy /etc/security/audit_control.example to " +
          "/etc/security/audit_control, then run “sudo launchctl enable " +
          "system/com.apple.auditd” and restart the Mac (see audit_control(5)).",
      ),
    );
  }
  if (report.status === "unreadable") {
    return h(
      "main",
      { class: "screen", "data-state": "unreadable" },
      header,
      failure(
        "audit_control could not be read",
        report.reason,
        "On macOS the file belongs to root and is readable only by root (mode 0400).",
      ),
    );
  }

  const counts = countBySeverity(report.diagnostics);
  const summary = h(
    "p",
    { class: "summary", "data-testid": "summary" },
    h("span", { class: "count error" }, `${counts.error}`),
    counts.error === 1 ? " error, " : " errors, ",
    h("span", { class: "count warning" }, `${counts.warning}`),
    counts.warning === 1 ? " warning, " : " warnings, ",
    h("span", { class: "count info" }, `${counts.info}`),
    " info",
  );
  summary.setAttribute("aria-label", summarize(counts));

  const body =
    report.diagnostics.length === 0
      ? h(
          "div",
          { class: "empty", "data-testid": "empty" },
          h("p", { class: "empty-title" }, "No problems found"),
          h("p", {}, "macOS will read this file the way it is written."),
        )
      : diagnosticsTable(report.diagnostics);

  return h("main", { class: "screen", "data-state": "checked" }, header, summary, body);
}

function diagnosticsTable(diagnostics: readonly Diagnostic[]): HTMLElement {
  const rows = diagnostics.map((d) =>
    h(
      "tr",
      { class: `diagnostic ${d.severity}`, "data-testid": "diagnostic" },
      h("td", { class: "where", "data-field": "position" }, position(d)),
      h(
        "td",
        { class: "severity" },
        h("span", { class: `badge ${d.severity}`, "data-field": "severity" }, d.severity),
      ),
      h("td", { class: "code", "data-field": "code" }, h("code", {}, d.code)),
      h(
        "td",
        { class: "text" },
        h("p", { class: "message", "data-field": "message" }, withCode(d.message)),
        d.hint && h("p", { class: "hint", "data-field": "hint" }, withCode(d.hint)),
      ),
    ),
  );
  return h(
    "table",
    { class: "diagnostics", "data-testid": "diagnostics" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { scope: "col" }, "Line"),
        h("th", { scope: "col" }, "Severity"),
        h("th", { scope: "col" }, "Code"),
        h("th", { scope: "col" }, "Problem and fix"),
      ),
    ),
    h("tbody", {}, ...rows),
  );
}

function failure(title: string, detail: string, hint: string | null): HTMLElement {
  return h(
    "div",
    { class: "failure", role: "alert", "data-testid": "failure" },
    h("p", { class: "failure-title" }, title),
    h("p", {}, detail),
    hint && h("p", { class: "hint" }, hint),
  );
}

function refreshButton(refresh: () => void): HTMLElement {
  const button = h("button", { type: "button", class: "refresh" }, "Check again");
  button.addEventListener("click", refresh);
  return button;
}
