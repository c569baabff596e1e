// The popover under the tray item (≈ 340×480): health with its reason and fix, the
// tuning step soaking (or its review waiting) in one line, the headroom bar with the
// minfree mark and the forecast, the per-class rate sparkline, the latest warnings, and
// the three ways onward (wizard, dashboard, roll back; the last disabled, with why,
// while the organisation's profile keeps roll backs with the administrators).
// Content is fetched when shown and updated by pushes; nothing is polled.

import type { Backend, Forecast, Glance, Headroom, HealthSeverity, RevisionInfo, Risk, SoakStatus } from "../backend";
import { advice, toBackendError } from "../backend";
import { button, h, note, svgFrom } from "../dom";
import { binaryBytes, bytes, clock, days, rate, utc } from "../format";
import { lockControl, lockNote, rollbackLock } from "../managed";
import { soakWhen } from "../soak";
import { riskChecks } from "./risks";

const LABEL: Record<HealthSeverity, string> = {
  ok: "Healthy",
  warning: "Warning",
  error: "Needs attention",
  off: "Auditing off",
  unknown: "Unknown",
};

/** Worse last: an unknown state never hides a known problem, and never looks healthy. */
const RANK: HealthSeverity[] = ["ok", "off", "warning", "unknown", "error"];

/**
 * The severity to show: a glance from an unreachable helper is unknown, whatever it says.
 * Otherwise the worse of the trail's health and the tray glyph, which also carries the
 * helper's own findings (a step badly over budget, a history that does not verify): the
 * popover never reads better than the icon it opens from.
 */
export function shownSeverity(g: Glance): HealthSeverity {
  if (g.connection.state !== "connected") return "unknown";
  const health = LABEL[g.health.severity] ? g.health.severity : "unknown";
  const glyph = LABEL[g.tray?.glyph] ? g.tray.glyph : health;
  return RANK.indexOf(glyph) > RANK.indexOf(health) ? glyph : health;
}

/**
 * The popover's line for a step soaking or reviewed (null: none, or its soak ended).
 * The column is narrow: the step's title gives way (ellipsis) before the figures do,
 * so the line shows `lead` and `tail` apart; `full` is the helper's whole sentence.
 */
export function soakText(
  s: SoakStatus | null,
): { lead: string; tail: string; full: string; warning: boolean; state: "soaking" | "reviewed" } | null {
  if (!s || (s.state !== "soaking" && s.state !== "reviewed")) return null;
  const warning = s.over_budget !== null;
  if (s.state === "reviewed") {
    const text = `Review ready: ${s.title}`;
    return { lead: text, tail: "", full: warning ? `${text}. ${s.over_budget}` : `${text}. ${s.summary}`, warning, state: s.state };
  }
  const tail = `${soakWhen(s)} — ${s.ratio === null ? "measuring" : `${s.ratio.toFixed(2)}×`}`;
  return { lead: s.title, tail, full: warning ? `${s.summary}. ${s.over_budget}` : s.summary, warning, state: s.state };
}

/** "Minfree in 12 days", "Minfree: never — expiry caps the folder at 5 GiB", … (null: no forecast). */
export function forecastText(f: Forecast | null): string | null {
  if (!f) return null;
  switch (f.minfree) {
    case "never":
      // The cap is the answer to "how big will it get?": the folder's size once expiry
      // deletes as fast as auditd writes (earshot-core MinfreeOutlook::Never).
      if (typeof f.cap_bytes === "number") return `Minfree: never — expiry caps the folder at ${binaryBytes(f.cap_bytes)}`;
      if (typeof f.retention_secs === "number") {
        return `Minfree: never — expiry caps the folder (about ${days(f.retention_secs / 86_400)} kept)`;
      }
      return "Minfree: never — expiry caps the folder below it";
    case "reached":
      return typeof f.minfree_days === "number" ? `Minfree in ${days(f.minfree_days)} at this rate` : "Minfree will be reached";
    case "already_below":
      return "Already below minfree";
    case "no_growth":
      return "Minfree: never (trails are not growing)";
    default:
      return null;
  }
}

/** Within a week of minfree, or below it: shown in red. */
function forecastBad(f: Forecast | null): boolean {
  return !!f && (f.minfree === "already_below" || (f.minfree === "reached" && (f.minfree_days ?? 0) < 7));
}

/** "Nov 18" (UTC): enough to tell old warnings from new ones in a narrow column. */
function shortDate(unix: number): string {
  return new Date(unix * 1000).toLocaleDateString("en-US", { month: "short", day: "numeric", timeZone: "UTC" });
}

const WINDOW_LABEL: Record<string, string> = { minute: "last minute", hour: "last hour", day: "last 24 h" };

function headroomBar(room: Headroom): HTMLElement {
  const used = Math.min(100, Math.max(0, 100 - room.free_percent));
  const threshold = room.threshold_percent;
  const mark = Math.min(100, Math.max(0, 100 - threshold));
  const fill = h("div", { class: `fill${room.below_minfree ? " low" : ""}` });
  fill.style.width = `${used}%`;
  const minfree = h("div", { class: "minfree-mark", title: `minfree ${threshold}%` });
  minfree.style.left = `${mark}%`;
  const label =
    `${bytes(room.free_bytes)} free of ${bytes(room.volume_bytes)} (${room.free_percent.toFixed(1)} %)` +
    ` · minfree ${room.minfree_percent ?? 20} %`;
  return h(
    "div",
    { class: "headroom" },
    h(
      "div",
      {
        class: "bar",
        role: "meter",
        "aria-label": "Disk used on the trail volume",
        "aria-valuemin": "0",
        "aria-valuemax": "100",
        "aria-valuenow": used.toFixed(0),
        "aria-valuetext": label,
      },
      fill,
      minfree,
    ),
    h("p", { class: "caption", "data-testid": "headroom" }, label),
  );
}

export interface PopoverOptions {
  /** Unix seconds now (tests pin it). */
  now?: () => number;
  /**
   * The glance the shell handed over with the page (popover.html): the first show
   * paints it without asking; every later show asks.
   */
  initial?: Glance | null;
}

interface PopoverState {
  glance: Glance | null;
  error: string | null;
  sparkline: string | null;
  confirming: RevisionInfo[] | null;
  /** Risks the helper wants acknowledged before it restores the previous revision. */
  risks: Risk[];
  result: { ok: boolean; text: string } | null;
  busy: boolean;
}

export class Popover {
  private state: PopoverState = {
    glance: null,
    error: null,
    sparkline: null,
    confirming: null,
    risks: [],
    result: null,
    busy: false,
  };
  private acks = new Set<string>();
  /** The refresh under way: shows that come meanwhile join it. */
  private refreshing: { painted: Set<() => void>; glanceDone: boolean; report: () => void; all: Promise<void> } | null = null;
  private ticker: ReturnType<typeof setInterval> | null = null;
  private initial: Glance | null;
  private now: () => number;

  constructor(
    private root: HTMLElement,
    private backend: Backend,
    options: PopoverOptions = {},
  ) {
    this.now = options.now ?? (() => Date.now() / 1000);
    this.initial = options.initial ?? null;
  }

  /**
   * Fetches everything the popover shows and paints it: the glance as soon as it is
   * here (health, headroom and warnings are what a glance is for), the sparkline when
   * it follows — it needs the trail history, the glance is held in memory. The
   * sparkline's place is kept at its final size meanwhile, so nothing moves.
   * `painted` runs once the glance (or its error) is on screen; the returned promise
   * settles when the sparkline is too. Calls while one runs share it.
   */
  refresh(painted?: () => void): Promise<void> {
    const running = this.refreshing;
    if (running) {
      if (painted) running.painted.add(painted);
      if (painted && running.glanceDone) running.report();
      return running.all;
    }
    if (!this.state.glance && !this.state.error) this.paint();
    const sparkline = this.backend.sparkline("hour").catch(() => null);
    const called = new Set<() => void>();
    const run = {
      painted: new Set<() => void>(painted ? [painted] : []),
      glanceDone: false,
      // Each callback once per refresh, however many shows joined it.
      report: () => {
        for (const f of run.painted) {
          if (!called.has(f)) {
            called.add(f);
            f();
          }
        }
      },
      all: Promise.resolve(),
    };
    this.refreshing = run;
    run.all = (async () => {
      try {
        const handed = this.initial;
        this.initial = null;
        const glance = handed ?? (await this.backend.glance());
        this.state = { ...this.state, glance, error: null };
      } catch (err) {
        this.state = { ...this.state, glance: null, error: toBackendError(err).message };
      }
      this.paint();
      run.glanceDone = true;
      run.report();
      const svg = await sparkline;
      this.state = { ...this.state, sparkline: svg };
      this.paintSparkline();
    })().finally(() => {
      this.refreshing = null;
    });
    return run.all;
  }

  /**
   * Whether what is painted is a state, not a wait: a glance from a connected helper,
   * a helper known to be unreachable, or an error. "Connecting…" is not yet a state.
   */
  settled(): boolean {
    const { glance, error } = this.state;
    if (error !== null) return true;
    return glance !== null && glance.connection.state !== "connecting";
  }

  /** The glance on screen (null while loading or after an error). */
  shown(): Glance | null {
    return this.state.glance;
  }

  /** A glance pushed by the helper. */
  update(glance: Glance): void {
    this.state = { ...this.state, glance, error: null };
    this.paint();
  }

  paint(): void {
    const { glance, error } = this.state;
    let body: HTMLElement[];
    let severity: HealthSeverity = "unknown";
    if (glance) {
      severity = shownSeverity(glance);
      body = this.sections(glance, severity);
    } else if (error !== null) {
      body = [
        this.healthBlock("unknown", "Status unknown", error, null),
        note("error", "Earshot could not read the status; nothing here means healthy."),
      ];
    } else {
      // The same sections as the loaded popover, as neutral placeholders: nothing moves
      // when the answer arrives, and nothing looks like a value before there is one.
      const skeleton = (title: string, height: number) => {
        const block = h("div", { class: "skeleton", "aria-hidden": "true" });
        block.style.height = `${height}px`;
        return h("section", {}, h("h2", {}, title), block);
      };
      body = [
        this.healthBlock("unknown", "Loading…", "Asking the helper for the current state.", null),
        skeleton("Disk headroom", 44),
        skeleton("Events per second", 58),
        skeleton("Latest warnings", 36),
      ];
    }
    this.root.replaceChildren(
      h(
        "main",
        { class: "popover", "data-severity": severity, "data-state": glance ? "ready" : error ? "error" : "loading" },
        h("div", { class: "scroll" }, ...body),
        this.pendingBlock(),
        this.actions(),
      ),
    );
    this.tick();
  }

  private healthBlock(
    severity: HealthSeverity,
    title: string,
    summary: string,
    fix: string | null,
  ): HTMLElement {
    return h(
      "section",
      { class: "health", "data-testid": "health", "data-severity": severity },
      h(
        "div",
        { class: "health-line" },
        h("span", { class: `glyph ${severity}`, "aria-hidden": "true" }),
        h("h1", {}, title),
      ),
      h("p", { class: "summary-text", "data-testid": "health-summary" }, summary),
      fix ? h("p", { class: "fix", "data-testid": "fix" }, h("strong", {}, "Fix: "), fix) : null,
    );
  }

  private sections(g: Glance, severity: HealthSeverity): HTMLElement[] {
    const out: HTMLElement[] = [];
    const unreachable = g.connection.state !== "connected";
    const health = this.healthBlock(
      severity,
      unreachable ? (g.connection.state === "connecting" ? "Connecting…" : "Status unknown") : LABEL[severity],
      unreachable && g.connection.reason ? `The helper is not reachable: ${g.connection.reason}` : g.health.summary,
      g.health.fix,
    );
    if (g.health.evidence.length > 0) {
      health.append(
        h(
          "details",
          { class: "evidence" },
          h("summary", {}, "Evidence"),
          h(
            "ul",
            {},
            ...g.health.evidence.map((e) =>
              h("li", {}, h("code", {}, e.source), " ", e.observation),
            ),
          ),
        ),
      );
    }
    out.push(health);
    const soak = soakText(g.soak);
    if (soak) out.push(this.soakLine(soak));

    // Disk: never drawn without data (an empty bar would read as "plenty of room").
    const disk = h("section", { class: "disk" }, h("h2", {}, "Disk headroom"));
    if (g.headroom) disk.append(headroomBar(g.headroom));
    else disk.append(note("empty", "No headroom data.", "headroom"));
    const forecast = forecastText(g.forecast);
    disk.append(
      h(
        "p",
        { class: `forecast${forecastBad(g.forecast) ? " bad" : ""}`, "data-testid": "forecast" },
        forecast ?? "Forecast unavailable",
      ),
    );
    out.push(disk);

    const rates = h(
      "section",
      { class: "rates" },
      h(
        "h2",
        {},
        "Events per second",
        g.rates ? h("span", { class: "total", "data-testid": "total-eps" }, `${rate(g.rates.total_eps)}/s · ${WINDOW_LABEL[g.rates.window] ?? g.rates.window}`) : null,
      ),
    );
    const spark = this.sparklineElement(g);
    if (spark) rates.append(spark);
    if (g.rates && g.rates.by_class.length > 0) {
      rates.append(
        h(
          "ul",
          { class: "classes", "data-testid": "class-rates" },
          ...g.rates.by_class.slice(0, 5).map((c) =>
            h("li", {}, h("code", {}, c.class), ` ${rate(c.eps)}/s`),
          ),
        ),
      );
    } else {
      rates.append(note("empty", g.rates ? "No audit records in this window." : "No rate data.", "class-rates"));
    }
    out.push(rates);

    const warnings = h("section", { class: "warnings" }, h("h2", {}, "Latest warnings"));
    if (g.warnings.length === 0) {
      warnings.append(note("empty", unreachable ? "Unknown while the helper is unreachable." : "No warnings.", "warnings-empty"));
    } else {
      warnings.append(
        h(
          "ul",
          { "data-testid": "warnings" },
          ...g.warnings.slice(0, 3).map((w) =>
            h(
              "li",
              { class: w.level, "data-testid": "warning" },
              h("span", { class: `dot ${w.level}`, "aria-hidden": "true" }),
              h("span", {}, w.text),
              typeof w.since === "number"
                ? h("time", { class: "since", datetime: new Date(w.since * 1000).toISOString(), title: utc(w.since) }, shortDate(w.since))
                : null,
            ),
          ),
        ),
      );
    }
    out.push(warnings);
    return out;
  }

  /** One line, the full text in its label: a click opens the wizard on the step. */
  private soakLine(soak: NonNullable<ReturnType<typeof soakText>>): HTMLElement {
    const line = button("", {
      class: `soak-line${soak.warning ? " warning" : ""}`,
      "data-testid": "soak-line",
      "data-state": soak.state,
      title: soak.full,
      "aria-label": `Tuning: ${soak.full}. Opens Tune Auditing.`,
    }, () => void this.backend.openWindow("wizard"));
    line.replaceChildren(
      h("span", { class: "soak-label", "aria-hidden": "true" }, "Tuning"),
      h("span", { class: "soak-text", "aria-hidden": "true" }, soak.lead),
      ...(soak.tail ? [h("span", { class: "soak-tail", "aria-hidden": "true" }, soak.tail)] : []),
      h("span", { class: "chevron", "aria-hidden": "true" }, "›"),
    );
    return line;
  }

  /** The sparkline, its placeholder while it is on its way, or nothing without rates. */
  private sparklineElement(g: Glance): Element | null {
    if (!g.rates) return null;
    const svg = this.state.sparkline ? svgFrom(this.state.sparkline) : null;
    if (!svg) return h("div", { class: "sparkline placeholder" });
    svg.setAttribute("class", "sparkline");
    // Fill the popover's width; the line may stretch, a sparkline has no axes to distort.
    svg.setAttribute("preserveAspectRatio", "none");
    if (!svg.getAttribute("viewBox")) svg.setAttribute("viewBox", `0 0 ${svg.getAttribute("width") ?? 280} ${svg.getAttribute("height") ?? 48}`);
    svg.removeAttribute("width");
    svg.removeAttribute("height");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", svg.querySelector("title")?.textContent ?? "Events per second by class");
    return svg;
  }

  /** Swaps the sparkline in place: no repaint of the rest (focus, scroll, open details stay). */
  private paintSparkline(): void {
    const g = this.state.glance;
    const current = this.root.querySelector(".rates .sparkline");
    if (!g || !current) return;
    const next = this.sparklineElement(g);
    if (next) current.replaceWith(next);
  }

  private pendingBlock(): HTMLElement | null {
    const pending = this.state.glance?.pending_confirm;
    if (!pending) return null;
    const left = pending.deadline_unix - this.now();
    return h(
      "section",
      { class: "pending", role: "status", "data-testid": "pending" },
      h(
        "span",
        {},
        `Revision ${pending.revision} reverts in `,
        h("span", { class: "countdown", "data-testid": "pending-countdown" }, clock(left)),
        " unless kept.",
      ),
      button("Keep", { class: "small", "data-testid": "keep" }, () => void this.keep()),
    );
  }

  private actions(): HTMLElement {
    const g = this.state.glance;
    const canRollBack = !!g && g.connection.state === "connected" && (g.head_revision ?? 0) > 1;
    const lock = rollbackLock(g?.managed);
    const rollback = button("Roll Back Last Change…", { "data-testid": "rollback-last", ...(canRollBack && !this.state.busy ? {} : { disabled: "" }) }, () =>
      void this.askRollback(),
    );
    lockControl(rollback, lock, "lock-rollback");
    const bar = h(
      "nav",
      { class: "actions" },
      button("Tune Auditing…", { class: "primary", "data-testid": "open-wizard" }, () =>
        void this.backend.openWindow("wizard"),
      ),
      button("Dashboard", { "data-testid": "open-dashboard" }, () => void this.backend.openWindow("dashboard")),
      rollback,
    );
    const wrap = h("div", { class: "footer" });
    if (this.state.confirming) wrap.append(this.confirmBlock(this.state.confirming));
    if (this.state.result) {
      wrap.append(
        h(
          "p",
          { class: `result ${this.state.result.ok ? "ok" : "error"}`, "data-testid": "result", role: "status" },
          this.state.result.text,
        ),
      );
    }
    wrap.append(bar);
    // Right under the button it explains.
    if (lock) wrap.append(lockNote(lock, "lock-rollback"));
    const state = g?.connection.state ?? (this.state.error !== null ? "unavailable" : "connecting");
    wrap.append(
      h(
        "p",
        { class: "connection" },
        h("span", { class: `conn ${state}`, "aria-hidden": "true" }),
        h("span", { "data-testid": "connection-state" }, state),
        g?.simulated ? " · simulated Mac" : "",
        button("History…", { class: "link", "data-testid": "open-history" }, () => void this.backend.openWindow("history")),
        button("Preferences…", { class: "link", "data-testid": "open-preferences" }, () => void this.backend.openWindow("preferences")),
      ),
    );
    return wrap;
  }

  private confirmBlock(revisions: RevisionInfo[]): HTMLElement {
    const [head, previous] = revisions;
    const text = head && previous
      ? `Undo revision ${head.number} (${head.reason}${head.source === "external" ? "" : ` by ${head.user}`}, ${utc(head.time_unix)}) and restore revision ${previous.number}:`
      : "Restore the revision before the last change:";
    const cancel = button("Cancel", { "data-testid": "cancel-rollback" }, () => this.cancel());
    const confirm = button("Roll Back", { class: "primary destructive", "data-testid": "rollback-confirm-go" }, () => void this.rollback());
    // A profile pushed while the confirmation is open locks it too.
    const locked = rollbackLock(this.state.glance?.managed) !== null;
    confirm.disabled = locked || this.state.busy || this.state.risks.some((r) => !this.acks.has(r.id));
    const block = h(
      "div",
      { class: "confirm", role: "alertdialog", "aria-label": "Confirm roll back", "data-testid": "rollback-confirm" },
      h("p", {}, text),
      head && head.changes.length > 0
        ? h(
            "ul",
            { class: "changes" },
            ...head.changes.map((c) =>
              h("li", {}, h("code", {}, `${c.key}: ${c.new ?? "(not set)"} → ${c.old ?? "(not set)"}`)),
            ),
          )
        : null,
      this.state.risks.length > 0
        ? riskChecks("rollback", this.state.risks, this.acks, () => {
            confirm.disabled = locked || this.state.busy || this.state.risks.some((r) => !this.acks.has(r.id));
          })
        : null,
      h("div", { class: "buttons" }, cancel, confirm),
    );
    queueMicrotask(() => {
      if (!confirm.disabled) confirm.focus();
    });
    return block;
  }

  private async askRollback(): Promise<void> {
    this.state.result = null;
    try {
      const history = await this.backend.history();
      if (history.revisions.length < 2) {
        this.state.result = { ok: false, text: "There is no earlier revision to restore." };
      } else {
        this.state.confirming = history.revisions.slice(0, 2);
        this.state.risks = [];
        this.acks.clear();
      }
    } catch (err) {
      this.state.result = { ok: false, text: `Cannot read history: ${toBackendError(err).message}` };
    }
    this.paint();
  }

  private cancel(): void {
    this.state.confirming = null;
    this.state.risks = [];
    this.acks.clear();
    this.paint();
  }

  private async rollback(): Promise<void> {
    this.state.busy = true;
    this.paint();
    try {
      const applied = await this.backend.rollbackLast([...this.acks]);
      this.state.result = { ok: true, text: `Rolled back: recorded as revision ${applied.revision}.` };
    } catch (err) {
      const e = toBackendError(err);
      if (e.code === "ack-required" && e.missingAcks.length > 0) {
        // Stay in the confirmation and ask for exactly what the helper wants.
        this.state.risks = e.missingAcks;
        for (const r of e.missingAcks) this.acks.delete(r.id);
        this.state.busy = false;
        this.paint();
        return;
      }
      // A profile's refusal also says who decides (the refresh below then shows the lock);
      // other codes' advice speaks of the wizard's plan, not of this one click.
      const why = e.code === "managed" ? advice(e.code) : null;
      this.state.result = { ok: false, text: `Roll back failed: ${e.message}${why ? ` — ${why}` : ""}` };
    }
    this.state.confirming = null;
    this.state.risks = [];
    this.acks.clear();
    this.state.busy = false;
    await this.refresh();
  }

  private async keep(): Promise<void> {
    try {
      await this.backend.confirm();
      this.state.result = { ok: true, text: "Change kept." };
    } catch (err) {
      this.state.result = { ok: false, text: `Keep failed: ${toBackendError(err).message}` };
    }
    await this.refresh();
  }

  /** Updates the pending countdown once a second while a change is pending. */
  private tick(): void {
    const pending = this.state.glance?.pending_confirm;
    if (pending && !this.ticker) {
      this.ticker = setInterval(() => {
        const el = this.root.querySelector("[data-testid=pending-countdown]");
        const p = this.state.glance?.pending_confirm;
        if (el && p) el.textContent = clock(p.deadline_unix - this.now());
      }, 1000);
    } else if (!pending && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = null;
    }
  }

  /** Esc cancels a confirmation first, then closes the popover. */
  escape(): void {
    if (this.state.confirming) {
      this.cancel();
    } else {
      void this.backend.closePopover();
    }
  }
}

/**
 * Sets the popover up once: Esc closes it, as any macOS popover; its content is fetched
 * again each time it is shown (the window is hidden, not destroyed, between clicks) and
 * updated by the helper's pushes. After each show, once the glance is painted, the
 * shell is told, so it can measure open → paint (docs/performance.md).
 */
export async function mountPopover(
  root: HTMLElement,
  win: Window,
  backend: Backend,
  options: PopoverOptions = {},
): Promise<Popover> {
  const popover = new Popover(root, backend, options);
  win.document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") popover.escape();
  });
  // Two frames: the first runs before layout, the second after the content is painted.
  const frames = () =>
    win.requestAnimationFrame(() =>
      win.requestAnimationFrame(() => void backend.firstPaint("popover").catch(() => {})),
    );
  // The first paint that counts shows the health state: while the app is still
  // connecting to the helper (a popover opened as the app starts), the report waits
  // for the pushed glance that ends the wait.
  let waiting = false;
  const report = () => {
    waiting = !popover.settled();
    if (!waiting) frames();
  };
  // A show is seen as the page becoming visible (WebKit hides the page with its
  // window) or as the window taking focus; one show may bring both, and they must
  // not fetch and repaint twice (the second repaint would land in the frames the
  // first paint is waiting for). So a show is over when the window loses focus (the
  // popover hides then) or the page is hidden; the first sign of the next show
  // refreshes, the others for the same show do nothing.
  let showing = true; // the load is the first show
  const ended = () => {
    showing = false;
  };
  const began = () => {
    if (showing) return;
    showing = true;
    void popover.refresh(report);
  };
  win.addEventListener("blur", ended);
  win.addEventListener("focus", began);
  win.document.addEventListener("visibilitychange", () => {
    if (win.document.visibilityState === "visible") began();
    else ended();
  });
  const pushed = (g: Glance) => {
    popover.update(g);
    if (waiting && popover.settled()) {
      waiting = false;
      frames();
    }
  };
  const listening = backend.onGlance(pushed).catch(() => {});
  await popover.refresh(report);
  await listening;
  // A glance handed over with the page is from when the window was made: a push sent
  // before the listener was in place is lost (at app start, the one that ends
  // "Connecting…"). Ask once, now that pushes are heard, and repaint only on news.
  if (options.initial) {
    const now = await backend.glance().catch(() => null);
    if (now && JSON.stringify(now) !== JSON.stringify(popover.shown())) pushed(now);
  }
  return popover;
}
