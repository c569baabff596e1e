// The dashboard window: Overview (rate and forecast charts from earshot-chart, and the
// audit_control check), Trail (the browser) and Compliance (the baseline report).
// Tabs follow the WAI-ARIA pattern: arrow keys move between them.

import type { Appearance, Backend, ChartKind, ChartWindow } from "../backend";
import { toBackendError } from "../backend";
import { button, chartSvg, h, note } from "../dom";
import { ComplianceView } from "./compliance";
import { renderDiagnostics } from "./diagnostics";
import { TrailBrowser } from "./trail";

export type Tab = "overview" | "trail" | "compliance";
const TABS: { id: Tab; label: string }[] = [
  { id: "overview", label: "Overview" },
  { id: "trail", label: "Trail" },
  { id: "compliance", label: "Compliance" },
];

export function appearance(win: Window = window): Appearance {
  return win.matchMedia?.("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

async function chartInto(slot: HTMLElement, backend: Backend, kind: ChartKind, window: ChartWindow, look: Appearance): Promise<void> {
  slot.replaceChildren(note("loading", "Drawing…"));
  try {
    const svg = chartSvg(await backend.chart(kind, window, look), `${kind} chart`);
    if (!svg) throw new Error("the chart is not valid SVG");
    slot.replaceChildren(svg);
  } catch (err) {
    slot.replaceChildren(note("error", `No ${kind} chart: ${toBackendError(err).message}`, `${kind}-error`));
  }
}

export class Dashboard {
  tab: Tab;
  private panels = new Map<Tab, HTMLElement>();
  private trail: TrailBrowser | null = null;
  private compliance: ComplianceView | null = null;
  private window: ChartWindow = "day";

  constructor(
    private root: HTMLElement,
    private backend: Backend,
    tab: Tab = "overview",
  ) {
    this.tab = tab;
  }

  async mount(): Promise<void> {
    const tablist = h("div", { class: "tabs", role: "tablist", "aria-label": "Dashboard" });
    const buttons = TABS.map((t) => {
      const b = h("button", { type: "button", role: "tab", id: `tab-${t.id}`, "aria-controls": `panel-${t.id}`, "data-testid": `tab-${t.id}` }, t.label);
      b.addEventListener("click", () => void this.show(t.id));
      b.addEventListener("keydown", (e) => {
        const i = TABS.findIndex((x) => x.id === t.id);
        const d = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
        if (d !== 0) {
          const nextTab = TABS[(i + d + TABS.length) % TABS.length]!;
          void this.show(nextTab.id);
          this.root.querySelector<HTMLElement>(`#tab-${nextTab.id}`)?.focus();
        }
      });
      tablist.append(b);
      return b;
    });
    void buttons;
    const main = h("main", { class: "screen dashboard" }, h("header", { class: "screen-header" }, h("h1", {}, "Earshot"), tablist));
    for (const t of TABS) {
      const panel = h("section", { role: "tabpanel", id: `panel-${t.id}`, "aria-labelledby": `tab-${t.id}`, class: "panel", "data-testid": `panel-${t.id}` });
      panel.hidden = true;
      this.panels.set(t.id, panel);
      main.append(panel);
    }
    this.root.replaceChildren(main);
    await this.show(this.tab);
  }

  async show(tab: Tab): Promise<void> {
    this.tab = tab;
    for (const t of TABS) {
      const selected = t.id === tab;
      const b = this.root.querySelector<HTMLElement>(`#tab-${t.id}`)!;
      b.setAttribute("aria-selected", String(selected));
      b.tabIndex = selected ? 0 : -1;
      this.panels.get(t.id)!.hidden = !selected;
    }
    const panel = this.panels.get(tab)!;
    if (panel.dataset.loaded) return;
    panel.dataset.loaded = "1";
    if (tab === "overview") await this.overview(panel);
    else if (tab === "trail") {
      this.trail = new TrailBrowser(panel, this.backend);
      await this.trail.search();
    } else {
      this.compliance = new ComplianceView(panel, this.backend);
      await this.compliance.load();
    }
  }

  private async overview(panel: HTMLElement): Promise<void> {
    const rates = h("div", { class: "chart", "data-testid": "chart-rates" });
    const forecast = h("div", { class: "chart", "data-testid": "chart-forecast" });
    const config = h("div", { class: "config" });
    const windowPicker = h("div", { class: "segmented", role: "group", "aria-label": "Rate window" });
    const draw = () => chartInto(rates, this.backend, "rates", this.window, appearance());
    for (const w of ["hour", "day"] as const) {
      const b = button(w === "hour" ? "Last hour" : "Last 24 hours", { "aria-pressed": String(w === this.window), "data-testid": `window-${w}` }, () => {
        this.window = w;
        for (const x of Array.from(windowPicker.children)) x.setAttribute("aria-pressed", String(x === b));
        void draw();
      });
      windowPicker.append(b);
    }
    panel.replaceChildren(
      h("div", { class: "row" }, h("h2", {}, "Events per second by class"), windowPicker),
      rates,
      h("h2", {}, "Disk forecast"),
      forecast,
      config,
    );
    const drawForecast = () => chartInto(forecast, this.backend, "forecast", "day", appearance());
    // The charts are drawn for one appearance: redraw them when macOS switches.
    window.matchMedia?.("(prefers-color-scheme: dark)").addEventListener("change", () => {
      void draw();
      void drawForecast();
    });
    await Promise.all([draw(), drawForecast(), renderDiagnostics(config, this.backend)]);
  }
}

export async function mountDashboard(root: HTMLElement, backend: Backend, tab: Tab = "overview"): Promise<Dashboard> {
  const d = new Dashboard(root, backend, tab);
  await d.mount();
  return d;
}
