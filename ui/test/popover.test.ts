import { describe, expect, it } from "vitest";

import { MockBackend } from "../src/backend";
import { glance, mountPopover, renderPopover } from "../src/views/popover";
import { PATH, withProblems } from "./fixtures";

describe("popover", () => {
  it("gives the configuration at a glance and opens the dashboard", async () => {
    const root = document.createElement("div");
    const backend = new MockBackend(withProblems);
    await renderPopover(root, backend);
    expect(root.querySelector("[data-testid=glance]")?.textContent).toBe(
      "audit_control: 1 error, 1 warning, 1 info",
    );
    root.querySelector<HTMLButtonElement>("button.primary")!.click();
    expect(backend.calls.openDashboard).toBe(1);
  });

  it("closes on Esc and checks again each time it is shown", async () => {
    const root = document.createElement("div");
    document.body.append(root);
    const backend = new MockBackend({ status: "missing", path: PATH });
    await mountPopover(root, window, backend);
    expect(root.querySelector("[data-testid=glance]")?.textContent).toContain("auditing is off");

    document.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter" }));
    expect(backend.calls.closePopover).toBe(0);
    document.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape" }));
    expect(backend.calls.closePopover).toBe(1);

    backend.report = withProblems;
    window.dispatchEvent(new FocusEvent("focus"));
    await expect
      .poll(() => root.querySelector("[data-testid=glance]")?.textContent)
      .toBe("audit_control: 1 error, 1 warning, 1 info");
    expect(backend.calls.configDiagnostics).toBe(2);
  });

  it("never reports an unknown state as healthy", () => {
    expect(glance(null, "timeout")).toBe("Unknown: timeout");
    expect(glance({ status: "missing", path: PATH }, null)).toContain("auditing is off");
    expect(glance({ status: "checked", path: PATH, diagnostics: [] }, null)).toBe(
      "audit_control: no problems found",
    );
  });
});
