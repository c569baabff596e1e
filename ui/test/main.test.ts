import { afterEach, describe, expect, it, vi } from "vitest";

// main.ts picks the view from ?view= and, in the screenshot build, the mocked backend
// from window.__EARSHOT_MOCK__ (the Tauri backend is never touched here).
async function boot(search: string, scenario = "ok"): Promise<HTMLElement> {
  vi.resetModules();
  document.body.innerHTML = '<div id="app"></div>';
  window.history.replaceState({}, "", `/index.html${search}`);
  window.__EARSHOT_MOCK__ = scenario;
  const main = await import("../src/main");
  await main.started;
  return document.getElementById("app")!;
}

afterEach(() => {
  delete window.__EARSHOT_MOCK__;
});

describe("main", () => {
  it.each([
    ["?view=popover", "[data-testid=health-summary]", "popover"],
    ["?view=wizard", "[data-testid=wizard-step-title]", "wizard"],
    ["?view=history", "[data-testid=history-row-3]", "history"],
    ["?view=history&rollback=1", "[data-testid=history-row-1] [data-testid=rollback-confirm]", "history"],
    ["?view=preferences", "[data-testid=preferences]", "preferences"],
    ["?view=dashboard&tab=compliance", "[data-testid=rule]", "dashboard"],
    ["", "[data-testid=chart-rates] svg", "dashboard"],
  ])("%s shows its screen", async (search, selector, view) => {
    const root = await boot(search);
    await vi.waitFor(() => expect(root.querySelector(selector)).not.toBeNull());
    expect(document.body.dataset.view).toBe(view);
  });

  it("popover.html's own entry shows the popover", async () => {
    vi.resetModules();
    document.body.innerHTML = '<div id="app"></div>';
    window.history.replaceState({}, "", "/popover.html");
    window.__EARSHOT_MOCK__ = "warning";
    const entry = await import("../src/popover-main");
    await entry.started;
    const root = document.getElementById("app")!;
    expect(root.querySelector("main")?.dataset.severity).toBe("warning");
    expect(document.body.dataset.view).toBe("popover");
  });

  it("popover.html paints the glance the shell handed over with the page, once", async () => {
    vi.resetModules();
    document.body.innerHTML = '<div id="app"></div>';
    window.history.replaceState({}, "", "/popover.html");
    window.__EARSHOT_MOCK__ = "ok";
    const { glanceUnknown } = await import("../src/backend/mock-data");
    window.__EARSHOT_GLANCE__ = glanceUnknown;
    const root = document.getElementById("app")!;
    const painted: string[] = [];
    const seen = new MutationObserver(() => painted.push(root.querySelector("main")?.dataset.severity ?? "none"));
    seen.observe(root, { childList: true });
    const entry = await import("../src/popover-main");
    await entry.started;
    seen.disconnect();
    // What was handed over (unknown) is painted first; the mock's scenario (ok) is
    // what the backend says once the page listens, so it follows.
    expect(painted[0]).toBe("unknown");
    expect(root.querySelector("main")?.dataset.severity).toBe("ok");
    expect(window.__EARSHOT_GLANCE__).toBeUndefined();
  });

  it.each([
    ["soaking", "?view=wizard", "[data-testid=wizard-soak] [data-testid=soak-chart] svg"],
    ["soak-over", "?view=wizard", "[data-testid=soak-over-budget] [data-testid=tweak-drop-ad]"],
    ["soak-reviewed", "?view=wizard", "[data-testid=wizard-verdict][data-verdict=next-step] ~ section [data-testid=verdict-next]"],
    ["soak-tweak", "?view=wizard", "[data-testid=wizard-verdict][data-verdict=tweak]"],
    ["soaking", "?view=popover", "[data-testid=soak-line][data-state=soaking]"],
    ["soak-over", "?view=popover", "[data-testid=soak-line].warning"],
    ["managed", "?view=wizard", ".apply-bar [data-testid=managed-lock]"],
    ["managed", "?view=preferences", "[data-testid=managed-problems]"],
    ["managed", "?view=dashboard&tab=compliance", "[data-testid=tailoring]"],
    ["managed", "?view=popover", ".footer [data-testid=managed-lock]"],
  ])("scenario %s shows %s as the screenshots do", async (scenario, search, selector) => {
    const root = await boot(search, scenario);
    await vi.waitFor(() => expect(root.querySelector(selector)).not.toBeNull());
  });

  it("uses the named scenario", async () => {
    const root = await boot("?view=popover", "unknown");
    await vi.waitFor(() => expect(root.querySelector("main")?.dataset.severity).toBe("unknown"));
  });
});
