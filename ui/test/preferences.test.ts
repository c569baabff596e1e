import { beforeEach, describe, expect, it, vi } from "vitest";

import { BackendError } from "../src/backend";
import { MockBackend } from "../src/backend/mock";
import { PreferencesView, mountPreferences } from "../src/views/preferences";

let root: HTMLElement;
const q = <T extends HTMLElement = HTMLElement>(sel: string) => root.querySelector<T>(sel);
const text = (sel: string) => q(sel)?.textContent ?? null;

beforeEach(() => {
  document.body.innerHTML = "";
  root = document.createElement("div");
  document.body.append(root);
});

describe("preferences", () => {
  it("shows the stored preferences", async () => {
    await mountPreferences(root, new MockBackend());
    expect(q<HTMLInputElement>("[data-testid=title-none]")!.checked).toBe(true);
    expect(q<HTMLInputElement>("[data-testid=alert-stopped]")!.checked).toBe(true);
    expect(q<HTMLInputElement>("[data-testid=alert-forecast]")!.checked).toBe(true);
    expect(q<HTMLInputElement>("[data-testid=forecast-days]")!.value).toBe("14");
    expect(q<HTMLInputElement>("[data-testid=launch-at-login]")!.checked).toBe(false);
    await vi.waitFor(() => expect(text("[data-testid=connection-state]")).toBe("connected"));
  });

  it("saves what the form says through the backend", async () => {
    const backend = new MockBackend();
    await mountPreferences(root, backend);
    q<HTMLInputElement>("[data-testid=title-events]")!.click();
    q<HTMLInputElement>("[data-testid=alert-drift]")!.click();
    q<HTMLInputElement>("[data-testid=forecast-days]")!.value = "7";
    q<HTMLInputElement>("[data-testid=launch-at-login]")!.click();
    q<HTMLButtonElement>("[data-testid=save]")!.click();
    await vi.waitFor(() => expect(text("[data-testid=save-status]")).toBe("Saved."));
    expect(backend.lastArgs("setPreferences")).toEqual([
      {
        title: "events",
        alerts: { stopped: true, below_minfree: true, forecast_days_threshold: 7, drift: false, soak: true },
        launch_at_login: true,
        hide_menu_item: false,
      },
    ]);
    expect(backend.count("setPreferences")).toBe(1);
  });

  it("turns the alert for a soak that is over off and on again", async () => {
    const backend = new MockBackend();
    await mountPreferences(root, backend);
    const box = () => q<HTMLInputElement>("[data-testid=alert-soak]")!;
    expect(box().checked).toBe(true);
    expect(text("label[for=alert-soak]")).toBe("A tuning step's soak is over (its review is ready)");
    box().click();
    q<HTMLButtonElement>("[data-testid=save]")!.click();
    await vi.waitFor(() => expect(text("[data-testid=save-status]")).toBe("Saved."));
    expect((backend.lastArgs("setPreferences")![0] as { alerts: { soak: boolean } }).alerts.soak).toBe(false);
    // What was stored is what the form shows when it opens again.
    await mountPreferences(root, backend);
    expect(box().checked).toBe(false);
    box().click();
    q<HTMLButtonElement>("[data-testid=save]")!.click();
    await vi.waitFor(() => expect(backend.count("setPreferences")).toBe(2));
    expect(backend.state.prefs.alerts.soak).toBe(true);
  });

  it("turns the forecast alert off as null, and refuses a threshold out of range", async () => {
    const backend = new MockBackend();
    await mountPreferences(root, backend);
    q<HTMLInputElement>("[data-testid=forecast-days]")!.value = "0";
    q<HTMLButtonElement>("[data-testid=save]")!.click();
    await vi.waitFor(() => expect(text("[data-testid=save-status]")).toContain("1 to 365"));
    expect(backend.count("setPreferences")).toBe(0);

    q<HTMLInputElement>("[data-testid=alert-forecast]")!.click();
    expect(q<HTMLInputElement>("[data-testid=forecast-days]")!.disabled).toBe(true);
    q<HTMLButtonElement>("[data-testid=save]")!.click();
    await vi.waitFor(() => expect(backend.count("setPreferences")).toBe(1));
    expect((backend.lastArgs("setPreferences")![0] as { alerts: { forecast_days_threshold: unknown } }).alerts.forecast_days_threshold).toBeNull();
  });

  it("shows loading, a read error and a save error", async () => {
    const hanging = new PreferencesView(root, new MockBackend({ hang: { getPreferences: true } }));
    void hanging.load();
    expect(text("[data-testid=loading]")).toBe("Reading the preferences…");

    await mountPreferences(root, new MockBackend({ failures: { getPreferences: new BackendError("internal", "preferences.json is not JSON") } }));
    expect(text("[data-testid=error]")).toContain("internal: preferences.json is not JSON");

    await mountPreferences(root, new MockBackend({ failures: { setPreferences: new BackendError("internal", "read-only file system") } }));
    q<HTMLButtonElement>("[data-testid=save]")!.click();
    await vi.waitFor(() => expect(text("[data-testid=save-status]")).toBe("Not saved: internal: read-only file system"));
  });
});
