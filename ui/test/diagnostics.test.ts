import { beforeEach, describe, expect, it } from "vitest";

import { MockBackend } from "../src/backend/mock";
import { renderDiagnostics } from "../src/views/diagnostics";
import { PATH, diag, withProblems } from "./fixtures";

let root: HTMLElement;

beforeEach(() => {
  document.body.innerHTML = "";
  root = document.createElement("div");
  document.body.append(root);
});

const rows = () => Array.from(root.querySelectorAll<HTMLElement>("[data-testid=diagnostic]"));
const field = (row: HTMLElement, name: string) =>
  row.querySelector(`[data-field=${name}]`)?.textContent;

describe("diagnostics screen", () => {
  it("lists every diagnostic with position, severity, code, message and hint", async () => {
    await renderDiagnostics(root, new MockBackend({ report: withProblems }));

    expect(root.querySelector("[data-testid=config-path]")?.textContent).toBe(PATH);
    expect(root.querySelector("[data-testid=summary]")?.textContent).toBe(
      "1 error, 1 warning, 1 info",
    );
    const shown = rows().map((r) => [field(r, "position"), field(r, "severity"), field(r, "code")]);
    expect(shown).toEqual([
      ["2:7", "error", "AC-FLAGS-UNKNOWN-CLASS"],
      ["3:9", "warning", "AC-MINFREE-HIGH"],
      ["file", "info", "AC-NO-HOST"],
    ]);
    const first = rows()[0]!;
    expect(field(first, "message")).toBe("“aa # comment” is not a class");
    expect(field(first, "hint")).toBe("Put comments on their own line.");
    // An empty hint leaves no empty paragraph behind.
    expect(rows()[1]!.querySelector("[data-field=hint]")).toBeNull();
    expect(root.querySelector("[data-testid=empty]")).toBeNull();
  });

  it("says 'No problems found' for a clean file", async () => {
    await renderDiagnostics(
      root,
      new MockBackend({ report: { status: "checked", path: PATH, diagnostics: [] } }),
    );
    expect(root.querySelector("[data-testid=empty]")?.textContent).toContain("No problems found");
    expect(root.querySelector("[data-testid=summary]")?.textContent).toBe(
      "0 errors, 0 warnings, 0 info",
    );
    expect(rows()).toHaveLength(0);
  });

  it("explains a missing file instead of showing an empty list", async () => {
    await renderDiagnostics(root, new MockBackend({ report: { status: "missing", path: PATH } }));
    const failure = root.querySelector("[data-testid=failure]")?.textContent ?? "";
    expect(failure).toContain("audit_control not found");
    expect(failure).toContain("macOS 14");
    expect(failure).toContain("audit_control.example");
    expect(root.querySelector("[data-testid=config-path]")?.textContent).toBe(PATH);
    expect(rows()).toHaveLength(0);
  });

  it("shows why an unreadable file could not be read", async () => {
    await renderDiagnostics(
      root,
      new MockBackend({
        report: { status: "unreadable", path: PATH, reason: "Permission denied (os error 13)" },
      }),
    );
    expect(root.querySelector("[data-testid=failure]")?.textContent).toContain(
      "Permission denied (os error 13)",
    );
  });

  it("shows a backend failure rather than a blank window", async () => {
    await renderDiagnostics(root, new MockBackend({ failures: { configDiagnostics: new Error("command config_diagnostics not allowed") } }));
    expect(root.querySelector("[data-testid=failure]")?.textContent).toContain("not allowed");
  });

  it("renders file content as text, never as markup", async () => {
    const hostile = diag({ message: "<img src=x onerror=alert(1)>", code: "<b>X</b>" });
    await renderDiagnostics(
      root,
      new MockBackend({ report: { status: "checked", path: PATH, diagnostics: [hostile] } }),
    );
    expect(root.querySelector("img")).toBeNull();
    expect(root.querySelector("td.code b")).toBeNull();
    expect(field(rows()[0]!, "message")).toBe("<img src=x onerror=alert(1)>");
  });

  it("shows `quoted` file content as code and keeps stray backquotes", async () => {
    const quoted = diag({ message: "`M` means MiB: `10M` is a size", hint: "a ` alone" });
    await renderDiagnostics(
      root,
      new MockBackend({ report: { status: "checked", path: PATH, diagnostics: [quoted] } }),
    );
    const row = rows()[0]!;
    expect(field(row, "message")).toBe("M means MiB: 10M is a size");
    expect(
      Array.from(row.querySelectorAll("[data-field=message] code")).map((c) => c.textContent),
    ).toEqual(["M", "10M"]);
    expect(field(row, "hint")).toBe("a ` alone");
  });

  it("checks again when asked", async () => {
    const backend = new MockBackend({ report: { status: "missing", path: PATH } });
    await renderDiagnostics(root, backend);
    backend.state.report = withProblems;
    root.querySelector<HTMLButtonElement>("button.refresh")!.click();
    await expect.poll(() => rows().length).toBe(3);
    expect(backend.count("configDiagnostics")).toBe(2);
  });
});
