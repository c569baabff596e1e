// The helper connection as a small header badge for the windows: one glance() when the
// window opens, then the pushed glances (no polling). The text is the bare state word
// (`connected`, `connecting`, `unavailable`), which the end-to-end test reads.

import type { Backend, Glance } from "../backend";
import { h } from "../dom";

export class ConnectionBadge {
  readonly element: HTMLElement;
  private dot = h("span", { class: "conn connecting", "aria-hidden": "true" });
  private word = h("span", { "data-testid": "connection-state" }, "connecting");

  constructor(private backend: Backend) {
    this.element = h("span", { class: "connection", title: "Connection to the privileged helper" }, this.dot, this.word);
  }

  show(state: Glance["connection"]["state"], reason?: string | null): void {
    this.dot.className = `conn ${state}`;
    this.word.textContent = state;
    this.element.title = reason ? `Helper ${state}: ${reason}` : `Helper ${state}`;
  }

  async start(): Promise<void> {
    await this.backend.onGlance((g) => this.show(g.connection.state, g.connection.reason)).catch(() => {});
    try {
      const g = await this.backend.glance();
      this.show(g.connection.state, g.connection.reason);
    } catch (err) {
      this.show("unavailable", String(err));
    }
  }
}
