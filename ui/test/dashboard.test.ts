import { beforeEach, describe, expect, it, vi } from "vitest";

import { BackendError } from "../src/backend";
import { MockBackend } from "../src/backend/mock";
import { ComplianceView } from "../src/views/compliance";
import { mountDashboard } from "../src/views/dashboard";

let root: HTMLElement;
const q = <T extends HTMLElement = HTMLElement>(sel: string) => root.querySelector<T>(sel);
const text = (sel: string) => q(sel)?.textContent ?? null;

beforeEach(() => {
  document.body.innerHTML = "";
  root = document.createElement("div");
  document.body.append(root);
});

describe("dashboard", () => {
  it("opens on the overview: both charts and the audit_control check", async () => {
    const backend = new MockBackend();
    await mountDashboard(root, backend);
    expect(q("[data-testid=tab-overview]")!.getAttribute("aria-selected")).toBe("true");
    expect(q("[data-testid=chart-rates] svg")).not.toBeNull();
    expect(q("[data-testid=chart-forecast] svg")).not.toBeNull();
    // Charts scale with the window: fixed sizes are dropped, the viewBox stays.
    expect(q("[data-testid=chart-rates] svg")!.getAttribute("width")).toBeNull();
    expect(q("[data-testid=chart-rates] svg")!.getAttribute("viewBox")).toBe("0 0 280 48");
    expect(backend.log.filter((c) => c.method === "chart").map((c) => c.args)).toEqual([
      ["rates", "day", "light"],
      ["forecast", "day", "light"],
    ]);
    // The e2e test reads the diagnostics here, on the default tab.
    expect(q("main[data-state=checked] [data-testid=diagnostic]")).not.toBeNull();
  });

  it("draws the charts for the system appearance and redraws them when it changes", async () => {
    let dark = true;
    const listeners: (() => void)[] = [];
    const media = {
      get matches() {
        return dark;
      },
      addEventListener: (_: string, f: () => void) => listeners.push(f),
    };
    window.matchMedia = (() => media) as unknown as typeof window.matchMedia;
    try {
      const backend = new MockBackend();
      await mountDashboard(root, backend);
      expect(backend.lastArgs("chart")).toEqual(["forecast", "day", "dark"]);
      dark = false;
      for (const f of listeners) f();
      await vi.waitFor(() => expect(backend.count("chart")).toBe(4));
      expect(backend.log.filter((c) => c.method === "chart").slice(2).map((c) => c.args[2])).toEqual(["light", "light"]);
    } finally {
      delete (window as { matchMedia?: unknown }).matchMedia;
    }
  });

  it("redraws the rate chart for another window", async () => {
    const backend = new MockBackend();
    await mountDashboard(root, backend);
    q("[data-testid=window-hour]")!.click();
    await vi.waitFor(() => expect(backend.lastArgs("chart")).toEqual(["rates", "hour", "light"]));
    expect(q("[data-testid=window-hour]")!.getAttribute("aria-pressed")).toBe("true");
    expect(q("[data-testid=window-day]")!.getAttribute("aria-pressed")).toBe("false");
  });

  it("shows a chart failure in place of the chart", async () => {
    await mountDashboard(root, new MockBackend({ failures: { chart: new BackendError("unavailable", "no trails readable") } }));
    expect(text("[data-testid=rates-error]")).toBe("No rates chart: unavailable: no trails readable");
    expect(text("[data-testid=forecast-error]")).toContain("No forecast chart");
  });

  it("drops scripts and handlers from chart SVG", async () => {
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" onload="alert(1)"><script>alert(2)</script>' +
      '<a href="javascript:alert(3)"><rect width="5" height="5" onclick="alert(4)"/></a></svg>';
    await mountDashboard(root, new MockBackend({ charts: { rates: svg, forecast: "not svg" } }));
    const chart = q("[data-testid=chart-rates] svg")!;
    expect(chart.getAttribute("onload")).toBeNull();
    expect(chart.querySelector("script")).toBeNull();
    expect(chart.querySelector("a")!.getAttribute("href")).toBeNull();
    expect(chart.querySelector("rect")!.getAttribute("onclick")).toBeNull();
    expect(text("[data-testid=forecast-error]")).toContain("not valid SVG");
  });

  it("switches tabs with clicks and arrow keys, loading each once", async () => {
    const backend = new MockBackend();
    await mountDashboard(root, backend);
    q("[data-testid=tab-trail]")!.click();
    await vi.waitFor(() => expect(q("[data-testid=record]")).not.toBeNull());
    expect(q<HTMLElement>("[data-testid=panel-overview]")!.hidden).toBe(true);
    expect(q<HTMLElement>("[data-testid=panel-trail]")!.hidden).toBe(false);
    q("[data-testid=tab-trail]")!.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowRight" }));
    await vi.waitFor(() => expect(q("[data-testid=rule]")).not.toBeNull());
    expect(q("[data-testid=tab-compliance]")!.getAttribute("aria-selected")).toBe("true");
    expect(document.activeElement).toBe(q("[data-testid=tab-compliance]"));
    q("[data-testid=tab-trail]")!.click();
    expect(backend.count("trailPage")).toBe(1);
  });

  it("opens on the tab the window asked for", async () => {
    await mountDashboard(root, new MockBackend(), "compliance");
    expect(q<HTMLElement>("[data-testid=panel-compliance]")!.hidden).toBe(false);
    expect(q("[data-testid=rule]")).not.toBeNull();
  });
});

describe("compliance", () => {
  it("shows pass/fail per rule with ids, what was found, mSCP's verdict, the disagreement and the fix", async () => {
    const view = new ComplianceView(root, new MockBackend());
    await view.load();
    expect(text("[data-testid=compliance-summary]")).toBe("4 pass · 2 fail · 1 unknown · 1 manual/inherent · 1 mSCP disagreement");
    // The release the rules and values follow; no tailoring without a profile.
    expect(text("[data-testid=mscp-release]")).toBe("mSCP tahoe_rev3");
    expect(q("[data-testid=tailoring]")).toBeNull();
    expect(q("[data-testid=exempt-reason]")).toBeNull();
    const ad = q("[data-id=audit_flags_ad_configure]")!;
    expect(ad.dataset.status).toBe("fail");
    expect(ad.querySelector("[data-testid=status]")!.textContent).toBe("Fail");
    expect(ad.textContent).toContain("CIS 3.2");
    expect(ad.querySelector("[data-testid=found]")!.textContent).toContain("ad is NOT audited");
    expect(ad.querySelector("[data-testid=rule-fix]")!.textContent).toMatch(/^Fix: add the flag/);
    const ex = q("[data-id=audit_flags_ex_configure]")!;
    expect(ex.dataset.status).toBe("pass");
    expect(ex.querySelector("[data-testid=mscp]")!.textContent).toBe("mSCP's check: fail (prints “0”, wants “1”)");
    expect(ex.querySelector("[data-testid=disagreement]")!.textContent).toContain("does not recognise `all`".replace(/`/g, ""));
    // A passing rule needs no fix line.
    expect(ex.querySelector("[data-testid=rule-fix]")).toBeNull();
    expect(q("[data-id=audit_acls_files_configure]")!.dataset.status).toBe("unknown");
    // The release's value is just the value.
    const retention = q("[data-id=audit_retention_configure]")!;
    expect(retention.querySelector("[data-testid=odv]")!.textContent).toBe("30d");
    expect(retention.querySelector(".ids")!.textContent).toContain(" · value 30d");
  });

  it("can show only the rules that need work", async () => {
    const view = new ComplianceView(root, new MockBackend());
    await view.load();
    expect(root.querySelectorAll("[data-testid=rule]")).toHaveLength(8);
    q<HTMLInputElement>("[data-testid=problems-only]")!.click();
    const statuses = Array.from(root.querySelectorAll<HTMLElement>("[data-testid=rule]"), (r) => r.dataset.status);
    expect(statuses).toEqual(["fail", "fail", "unknown"]);
    expect(document.activeElement).toBe(q("[data-testid=problems-only]"));
  });

  it("asks for the baseline picked", async () => {
    const backend = new MockBackend();
    const view = new ComplianceView(root, backend);
    await view.load();
    const picker = q<HTMLSelectElement>("[data-testid=baseline]")!;
    expect(Array.from(picker.options, (o) => o.value)).toEqual(["cis-l1", "cis-l2", "stig-26", "800-53-moderate", "800-53-high"]);
    picker.value = "800-53-high";
    picker.dispatchEvent(new Event("change"));
    await vi.waitFor(() => expect(backend.lastArgs("compliance")).toEqual(["800-53-high"]));
    await vi.waitFor(() => expect(text(".report-title")).toBe("NIST SP 800-53 rev. 5, high"));
  });

  it("shows loading and errors with their reason", async () => {
    const hanging = new ComplianceView(root, new MockBackend({ hang: { compliance: true } }));
    void hanging.load();
    expect(text("[data-testid=loading]")).toBe("Checking the rules…");
    const failing = new ComplianceView(root, new MockBackend({ failures: { compliance: new BackendError("invalid", "unknown baseline cis-l9") } }));
    await failing.load();
    expect(text("[data-testid=error]")).toContain("invalid: unknown baseline cis-l9");
  });
});
