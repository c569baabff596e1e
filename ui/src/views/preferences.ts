// Preferences: whether and what the menu-bar item shows, which alerts notify (and at
// what threshold), launch at login. Saved through the backend; the form shows what was
// actually stored. A setting the organisation's profile forces is shown disabled, at
// the forced value, with why (src/managed.ts).

import type { Backend, Managed, Preferences } from "../backend";
import { toBackendError } from "../backend";
import { button, h, note } from "../dom";
import { lockControl, lockNote, menuItemLock, readManaged, sameManaged } from "../managed";
import { ConnectionBadge } from "./connection";

const TITLES: { value: Preferences["title"]; label: string; example: string }[] = [
  { value: "none", label: "Icon only", example: "Recommended: the menu bar is scarce, and macOS hides items behind the notch." },
  { value: "events", label: "Events per second", example: "For example “12 ev/s”." },
  { value: "free", label: "Free space", example: "For example “41 GB”." },
];

export class PreferencesView {
  private prefs: Preferences | null = null;
  /** What the organisation's profile forces (null: nothing, or not known). */
  private managed: Managed | null = null;
  private error: string | null = null;
  private status: { ok: boolean; text: string } | null = null;
  private saving = false;
  readonly connection: ConnectionBadge;

  constructor(
    private root: HTMLElement,
    private backend: Backend,
  ) {
    this.connection = new ConnectionBadge(backend);
  }

  async load(): Promise<void> {
    this.paint();
    // Together, so a forced setting is never painted as the user's for a moment.
    const managed = readManaged(this.backend);
    try {
      this.prefs = await this.backend.getPreferences();
      this.error = null;
    } catch (err) {
      this.error = toBackendError(err).message;
    }
    this.managed = (await managed).managed;
    this.paint();
  }

  /**
   * A pushed glance's managed state. The profile's settings change in place: a repaint
   * would put back what was stored over what the user has changed and not yet saved.
   */
  managedChanged(managed: Managed | null): void {
    if (sameManaged(managed, this.managed)) return;
    this.managed = managed;
    const p = this.prefs;
    const row = this.root.querySelector("[data-testid=menu-item]");
    if (!p || !row) return;
    const shown = this.root.querySelector<HTMLInputElement>("[data-testid=pref-show-menu-item]");
    // Not forced any more: the user's own choice, as the box last showed it.
    const own = shown && !shown.disabled ? !shown.checked : p.hide_menu_item;
    row.replaceWith(this.menuItemRow(own));
    const problems = this.root.querySelector("[data-testid=managed-problems]");
    const next = this.problemsNote();
    if (problems && next) problems.replaceWith(next);
    else if (problems) problems.remove();
    else if (next) this.root.querySelector("[data-testid=general]")?.after(next);
  }

  paint(): void {
    const header = h("header", { class: "screen-header" }, h("h1", {}, "Preferences"), h("div", { class: "header-tools" }, this.connection.element));
    let body: HTMLElement;
    if (this.error !== null && !this.prefs) {
      body = h(
        "div",
        { class: "failure", role: "alert", "data-testid": "error" },
        h("p", { class: "failure-title" }, "Cannot read the preferences"),
        h("p", {}, this.error),
        button("Try Again", {}, () => void this.load()),
      );
    } else if (!this.prefs) {
      body = note("loading", "Reading the preferences…");
    } else {
      body = this.form(this.prefs);
    }
    this.root.replaceChildren(h("main", { class: "screen preferences", "data-state": this.prefs ? "ready" : this.error ? "error" : "loading" }, header, body));
  }

  private form(p: Preferences): HTMLElement {
    const form = h("form", { class: "prefs", "data-testid": "preferences", novalidate: "" });
    const title = h("fieldset", {}, h("legend", {}, "Menu bar title"));
    for (const t of TITLES) {
      const id = `title-${t.value}`;
      const radio = h("input", { type: "radio", name: "title", id, value: t.value, "data-testid": id });
      radio.checked = p.title === t.value;
      title.append(h("div", { class: "check" }, radio, h("label", { for: id }, t.label, h("span", { class: "hint block" }, t.example))));
    }

    const check = (id: string, label: string, checked: boolean, hint?: string) => {
      const box = h("input", { type: "checkbox", id, "data-testid": id });
      box.checked = checked;
      return h("div", { class: "check" }, box, h("label", { for: id }, label, hint ? h("span", { class: "hint block" }, hint) : null));
    };
    const threshold = h("input", {
      type: "number",
      id: "forecast-days",
      min: "1",
      max: "365",
      step: "1",
      value: String(p.alerts.forecast_days_threshold ?? 14),
      "data-testid": "forecast-days",
      "aria-label": "Days before minfree",
    });
    threshold.disabled = p.alerts.forecast_days_threshold === null;
    const forecastBox = h("input", { type: "checkbox", id: "alert-forecast", "data-testid": "alert-forecast" });
    forecastBox.checked = p.alerts.forecast_days_threshold !== null;
    forecastBox.addEventListener("change", () => (threshold.disabled = !forecastBox.checked));

    const alerts = h(
      "fieldset",
      {},
      h("legend", {}, "Notify me when"),
      check("alert-stopped", "Auditing stops", p.alerts.stopped),
      check("alert-minfree", "The trail volume is below minfree", p.alerts.below_minfree),
      h(
        "div",
        { class: "check" },
        forecastBox,
        h("label", { for: "alert-forecast" }, "The forecast reaches minfree within "),
        threshold,
        h("span", {}, " days"),
      ),
      check("alert-drift", "audit_control is changed outside Earshot", p.alerts.drift),
      check("alert-soak", "A tuning step's soak is over (its review is ready)", p.alerts.soak),
      h("p", { class: "hint" }, "Notifications only for states that need action; each clears when the state recovers. The menu-bar icon always shows the state too."),
    );
    const general = h(
      "fieldset",
      { "data-testid": "general" },
      h("legend", {}, "General"),
      this.menuItemRow(p.hide_menu_item),
      check("launch-at-login", "Open Earshot at login", p.launch_at_login, "Listed under System Settings → General → Login Items."),
    );

    const save = h("button", { type: "submit", class: "primary", "data-testid": "save" }, this.saving ? "Saving…" : "Save");
    save.disabled = this.saving;
    const problems = this.problemsNote();
    form.append(
      title,
      alerts,
      general,
      ...(problems ? [problems] : []),
      h(
        "div",
        { class: "row end" },
        this.status
          ? h("span", { class: `status ${this.status.ok ? "ok" : "error"}`, role: "status", "data-testid": "save-status" }, this.status.text)
          : null,
        save,
      ),
    );
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.save(form);
    });
    return form;
  }

  /**
   * "Show Earshot in the menu bar", checked unless `hidden` — or, while the profile
   * forces EnableMenuItem, the forced value, disabled, with why. The user's own choice
   * is kept for when the profile stops forcing it.
   */
  private menuItemRow(hidden: boolean): HTMLElement {
    const lock = menuItemLock(this.managed);
    const box = h("input", { type: "checkbox", id: "pref-show-menu-item", "data-testid": "pref-show-menu-item" });
    box.checked = lock ? this.managed?.enable_menu_item === true : !hidden;
    lockControl(box, lock, "lock-menu-item");
    return h(
      "div",
      { class: "pref-row", "data-testid": "menu-item" },
      h(
        "div",
        { class: "check" },
        box,
        h(
          "label",
          { for: "pref-show-menu-item" },
          "Show Earshot in the menu bar",
          // A hidden item must not be a dead end (UX-CONVENTIONS.md §1.10): the app reopens.
          h("span", { class: "hint block" }, "While it is hidden, open Earshot again from Finder or Spotlight to reach its windows."),
        ),
      ),
      lock ? lockNote(lock, "lock-menu-item") : null,
    );
  }

  /** Keys the profile sets that Earshot ignores (the helper reports them too), or null. */
  private problemsNote(): HTMLElement | null {
    const problems = this.managed?.problems ?? [];
    if (problems.length === 0) return null;
    return h(
      "div",
      { class: "managed-problems", role: "note", "data-testid": "managed-problems" },
      h("p", {}, "Your organisation's profile sets keys Earshot ignores:"),
      h("ul", { class: "plain" }, ...problems.map((x) => h("li", {}, h("code", {}, x.key), ` — ${x.message}`))),
      h("p", { class: "hint" }, "Earshot uses its defaults for them; your Mac administrator can correct the profile."),
    );
  }

  /** Reads the form into preferences; null (with a message) when a value is out of range. */
  read(form: HTMLFormElement): Preferences | string {
    const q = <T extends HTMLElement>(sel: string) => form.querySelector<T>(sel)!;
    const title = (form.querySelector<HTMLInputElement>("input[name=title]:checked")?.value ?? "none") as Preferences["title"];
    const forecastOn = q<HTMLInputElement>("#alert-forecast").checked;
    const daysValue = Number(q<HTMLInputElement>("#forecast-days").value);
    const menuShown = q<HTMLInputElement>("#pref-show-menu-item");
    if (forecastOn && (!Number.isInteger(daysValue) || daysValue < 1 || daysValue > 365)) {
      return "The forecast threshold must be a whole number of days from 1 to 365.";
    }
    return {
      title,
      alerts: {
        stopped: q<HTMLInputElement>("#alert-stopped").checked,
        below_minfree: q<HTMLInputElement>("#alert-minfree").checked,
        forecast_days_threshold: forecastOn ? daysValue : null,
        drift: q<HTMLInputElement>("#alert-drift").checked,
        soak: q<HTMLInputElement>("#alert-soak").checked,
      },
      launch_at_login: q<HTMLInputElement>("#launch-at-login").checked,
      // A box the profile forces shows its value, not the user's: keep what was stored.
      hide_menu_item: menuShown.disabled ? (this.prefs?.hide_menu_item ?? false) : !menuShown.checked,
    };
  }

  private async save(form: HTMLFormElement): Promise<void> {
    const prefs = this.read(form);
    if (typeof prefs === "string") {
      this.status = { ok: false, text: prefs };
      this.paint();
      return;
    }
    this.saving = true;
    this.prefs = prefs;
    this.paint();
    try {
      this.prefs = await this.backend.setPreferences(prefs);
      this.status = { ok: true, text: "Saved." };
    } catch (err) {
      this.status = { ok: false, text: `Not saved: ${toBackendError(err).message}` };
    }
    this.saving = false;
    this.paint();
  }
}

export async function mountPreferences(root: HTMLElement, backend: Backend): Promise<PreferencesView> {
  const view = new PreferencesView(root, backend);
  await view.load();
  await view.connection.start();
  // A profile installed or removed while the window is open applies within a second.
  // Only the helper knows what is forced: a glance without it keeps the last word.
  await backend
    .onGlance((g) => {
      if (g.connection.state === "connected") view.managedChanged(g.managed ?? null);
    })
    .catch(() => {});
  return view;
}
