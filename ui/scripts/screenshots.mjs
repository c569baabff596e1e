// Screenshots of every screen in Debian's chromium, on the mocked backend: the built UI
// (ui/dist) is served through page.route (no server, no network), and an init script
// names the mock scenario (window.__EARSHOT_MOCK__), which main.ts turns into a
// MockBackend. Each shot first waits for the element that proves the screen rendered
// what it should, and the run fails on any page error or console error.
//
//   node ui/scripts/screenshots.mjs OUT_DIR
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, extname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const dist = resolve(here, "../dist");
const out = resolve(process.argv[2] ?? join(here, "../../docs/screenshots"));
mkdirSync(out, { recursive: true });

// The mock's fixed "now" (src/backend/mock-data.ts NOW): countdowns and dates stay put.
const NOW_MS = 1_795_000_000 * 1000;
const ORIGIN = "http://earshot.invalid";
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png" };

const POPOVER = { width: 340, height: 480 };
const WINDOW = { width: 1000, height: 760 };

/** name, scenario, view, viewport, what proves it rendered, optional steps, colour scheme. */
const SHOTS = [
  // The popover paints the glance first and swaps the sparkline in when it comes.
  { name: "popover-ok", scenario: "ok", view: "popover", size: POPOVER, ready: "[data-severity=ok] svg.sparkline" },
  { name: "popover-warning", scenario: "warning", view: "popover", size: POPOVER, ready: "[data-severity=warning] svg.sparkline" },
  { name: "popover-unknown", scenario: "unknown", view: "popover", size: POPOVER, ready: "main[data-severity=unknown][data-state=ready]" },
  { name: "popover-off", scenario: "off", view: "popover", size: POPOVER, ready: "main[data-severity=off][data-state=ready]" },
  { name: "popover-dark", scenario: "ok", view: "popover", size: POPOVER, ready: "[data-severity=ok] svg.sparkline", dark: true },
  { name: "popover-soaking", scenario: "soaking", view: "popover", size: POPOVER, ready: "main:has([data-testid=soak-line]) svg.sparkline" },
  { name: "popover-soak-over", scenario: "soak-over", view: "popover", size: POPOVER, ready: "main:has([data-testid=soak-line].warning) svg.sparkline" },
  {
    name: "popover-rollback-confirm", scenario: "ok", view: "popover", size: POPOVER, ready: "[data-testid=health]",
    steps: async (page) => {
      await page.click("[data-testid=rollback-last]");
      await page.waitForSelector("[data-testid=rollback-confirm]");
    },
  },
  { name: "dashboard-overview", scenario: "ok", view: "dashboard", size: WINDOW, ready: "[data-testid=chart-rates] svg >> nth=0", full: true },
  {
    name: "dashboard-trail", scenario: "ok", view: "dashboard&tab=trail", size: WINDOW, ready: "[data-testid=record]",
    steps: async (page) => {
      await page.fill("[data-testid=f-classes]", "ex,fr");
      await page.click("[data-testid=search]");
      await page.waitForSelector("[data-testid=page-info]");
      await page.click("[data-testid=record] >> nth=0");
      await page.waitForSelector("[data-testid=record-detail]");
    },
    full: true,
  },
  { name: "dashboard-compliance", scenario: "ok", view: "dashboard&tab=compliance", size: WINDOW, ready: "[data-testid=rule]", full: true },
  // A Mac under its organisation's profile: the report tailored (its values, an exemption).
  { name: "dashboard-compliance-tailored", scenario: "managed", view: "dashboard&tab=compliance", size: WINDOW, ready: "[data-testid=tailoring]", full: true },
  { name: "dashboard-dark", scenario: "warning", view: "dashboard", size: WINDOW, ready: "[data-testid=chart-rates] svg", dark: true },
  { name: "wizard", scenario: "ok", view: "wizard", size: WINDOW, ready: "[data-testid=wizard-step-title]", full: true },
  {
    name: "wizard-risks", scenario: "risks", view: "wizard", size: WINDOW, ready: "[data-testid=risks]",
    steps: async (page) => {
      await page.check("[data-testid=wizard-ack-drop-cnt]");
      await page.click("summary:has-text('Trial measurement')");
      await page.fill("[data-testid=trial-classes]", "ad,-fr");
      await page.click("[data-testid=measure]");
      await page.waitForSelector("[data-testid=measurement]");
    },
    full: true,
  },
  {
    name: "wizard-countdown", scenario: "ok", view: "wizard", size: { width: 1000, height: 420 }, ready: "[data-testid=wizard-apply]",
    steps: async (page) => {
      await page.click("[data-testid=wizard-apply]");
      await page.waitForSelector("[data-testid=wizard-countdown]");
    },
  },
  // The profile keeps changes with the administrators: the step readable, Apply locked.
  { name: "wizard-managed", scenario: "managed", view: "wizard", size: WINDOW, ready: "[data-testid=managed-lock]", full: true },
  // A tuning step soaking (as predicted, then badly over budget), then its review
  // (a tweak, the next step); the chart is the last thing drawn.
  { name: "wizard-soaking", scenario: "soaking", view: "wizard", size: WINDOW, ready: "[data-testid=soak-chart] svg", full: true },
  { name: "wizard-soak-over", scenario: "soak-over", view: "wizard", size: WINDOW, ready: "[data-testid=soak-chart] svg", full: true },
  { name: "wizard-verdict", scenario: "soak-tweak", view: "wizard", size: WINDOW, ready: "[data-testid=wizard-verdict] [data-testid=soak-chart] svg", full: true },
  { name: "wizard-verdict-next", scenario: "soak-reviewed", view: "wizard", size: WINDOW, ready: "[data-testid=wizard-verdict] [data-testid=soak-chart] svg", full: true },
  { name: "history", scenario: "ok", view: "history", size: WINDOW, ready: "[data-testid^=history-row-]", full: true },
  {
    name: "history-rollback", scenario: "ok", view: "history", size: WINDOW, ready: "[data-testid^=history-row-]",
    steps: async (page) => {
      await page.click("[data-testid=history-rollback-2]");
      await page.waitForSelector("[data-testid=rollback-confirm]");
      await page.keyboard.press("Enter");
      await page.waitForSelector("[data-testid=history-result]");
    },
    full: true,
  },
  { name: "history-tampered", scenario: "tampered", view: "history", size: WINDOW, ready: "[data-testid=tamper]" },
  { name: "preferences", scenario: "ok", view: "preferences", size: { width: 560, height: 600 }, ready: "[data-testid=preferences]", full: true },
  // EnableMenuItem forced off, and a key the profile sets out of range.
  { name: "preferences-managed", scenario: "managed", view: "preferences", size: { width: 560, height: 600 }, ready: "[data-testid=managed-problems]", full: true },
];

// playwright-core gives chromium a fresh, empty --user-data-dir of its own (it refuses
// one passed in args) and removes it on close.
const browser = await chromium.launch({
  executablePath: process.env.EARSHOT_CHROMIUM ?? "/usr/bin/chromium",
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
  ],
});

let failures = 0;
try {
  for (const shot of SHOTS) {
    const context = await browser.newContext({
      viewport: shot.size,
      deviceScaleFactor: 2,
      colorScheme: shot.dark ? "dark" : "light",
    });
    const page = await context.newPage();
    const problems = [];
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
    await page.clock.setFixedTime(new Date(NOW_MS));
    await page.addInitScript((s) => (window.__EARSHOT_MOCK__ = s), shot.scenario);
    await page.route(`${ORIGIN}/**`, (route) => {
      const path = normalize(decodeURIComponent(new URL(route.request().url()).pathname)).replace(/^\/+/, "");
      const file = resolve(dist, path || "index.html");
      if (!file.startsWith(dist)) return route.fulfill({ status: 403 });
      try {
        route.fulfill({ status: 200, contentType: TYPES[extname(file)] ?? "application/octet-stream", body: readFileSync(file) });
      } catch {
        route.fulfill({ status: 404, body: "not found" });
      }
    });
    try {
      // The popover has its own page in the app (popover.html); the windows share index.html.
      await page.goto(shot.view === "popover" ? `${ORIGIN}/popover.html` : `${ORIGIN}/index.html?view=${shot.view}`);
      await page.waitForSelector(shot.ready, { timeout: 10_000 });
      if (shot.steps) await shot.steps(page);
      // Let focus rings and fonts settle.
      await page.evaluate(() => document.fonts.ready);
      if (shot.full) {
        // Grow the window to the content instead of a full-page capture, which would
        // paint sticky bars in the middle of the page.
        const height = await page.evaluate(() => document.documentElement.scrollHeight);
        await page.setViewportSize({ width: shot.size.width, height: Math.max(shot.size.height, height) });
      }
      await page.screenshot({ path: join(out, `${shot.name}.png`) });
      if (problems.length > 0) throw new Error(problems.join("; "));
      console.log(`ok   ${shot.name}.png`);
    } catch (err) {
      failures++;
      console.error(`FAIL ${shot.name}: ${err.message}`);
    }
    await context.close();
  }
} finally {
  await browser.close();
}
console.log(`screenshots: ${SHOTS.length - failures} passed, ${failures} failed (${out})`);
process.exit(failures > 0 ? 1 : 0);
