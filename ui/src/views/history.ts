// Every revision of audit_control, newest first: what changed (semantic diff), who,
// when and why; outside edits marked. Any earlier revision is one click (plus a
// confirmation) away; the result is shown — unless the organisation's profile keeps roll
// backs with the administrators (AllowRollback=false): then the buttons stay, disabled,
// and the list says why. A history that does not verify says so before anything else.

import type { Backend, History, Managed, RevisionInfo, Risk } from "../backend";
import { advice, toBackendError } from "../backend";
import { button, h, note } from "../dom";
import { utc } from "../format";
import { MANAGED_LABEL, lockNote, readManaged, rollbackLock, sameManaged } from "../managed";
import { ConnectionBadge } from "./connection";
import { riskChecks } from "./risks";

const SOURCE: Record<string, string> = {
  original: "Original",
  apply: "Applied",
  rollback: "Rollback",
  auto_revert: "Auto-revert",
  external: "Outside edit",
};

export class HistoryView {
  private history: History | null = null;
  private error: string | null = null;
  private confirming: number | null = null;
  /** Risks the helper wants acknowledged before it restores the revision being confirmed. */
  private risks: Risk[] = [];
  private acks = new Set<string>();
  private busy = false;
  private result: { ok: boolean; text: string } | null = null;
  /** What the organisation's profile forces (null: nothing, or not known). */
  private managed: Managed | null = null;
  private managedRead = false;
  readonly connection: ConnectionBadge;

  constructor(
    private root: HTMLElement,
    private backend: Backend,
  ) {
    this.connection = new ConnectionBadge(backend);
  }

  /** The newest revision shown (null before the first answer). */
  head(): number | null {
    return this.history?.revisions[0]?.number ?? null;
  }

  async load(): Promise<void> {
    this.paint();
    // The first time only, beside the history (so no button shows unlocked for a
    // moment); then the pushes keep it current (mountHistory).
    const managed = this.managedRead ? null : readManaged(this.backend);
    this.managedRead = true;
    try {
      this.history = await this.backend.history();
      this.error = null;
    } catch (err) {
      const e = toBackendError(err);
      this.history = null;
      this.error = `${e.message}${advice(e.code) ? ` — ${advice(e.code)}` : ""}`;
    }
    if (managed) this.managed = (await managed).managed;
    this.paint();
  }

  /** A pushed glance's managed state: the roll back buttons follow it. */
  managedChanged(managed: Managed | null): void {
    if (sameManaged(managed, this.managed)) return;
    this.managed = managed;
    if (rollbackLock(managed)) this.confirming = null;
    this.paint();
  }

  /** The next, older page (the helper answers history a page at a time). */
  async loadOlder(before: number): Promise<void> {
    try {
      const page = await this.backend.history(before);
      if (!this.history) return;
      // The newer pages' revisions, then this one's; its next_before (or none).
      this.history = { ...page, revisions: [...this.history.revisions, ...page.revisions] };
    } catch (err) {
      const e = toBackendError(err);
      this.result = { ok: false, text: `Cannot read older revisions: ${e.message}` };
    }
    this.paint();
  }

  paint(): void {
    const refresh = button("Refresh", { class: "refresh", "data-testid": "refresh" }, () => void this.load());
    const header = h(
      "header",
      { class: "screen-header" },
      h("div", {}, h("h1", {}, "History"), h("p", { class: "subtitle" }, "Every version of /etc/security/audit_control Earshot has seen.")),
      h("div", { class: "header-tools" }, this.connection.element, refresh),
    );
    const body: (HTMLElement | null)[] = [];
    if (this.result) {
      body.push(
        h("div", { class: `result-panel ${this.result.ok ? "ok" : "error"}`, role: "status", "data-testid": this.result.ok ? "history-result" : "history-error" }, this.result.text),
      );
    }
    if (this.error !== null) {
      body.push(
        h(
          "div",
          { class: "failure", role: "alert", "data-testid": "history-error" },
          h("p", { class: "failure-title" }, "Cannot read the history"),
          h("p", {}, this.error),
        ),
      );
    } else if (!this.history) {
      body.push(note("loading", "Reading the history…"));
    } else {
      const hist = this.history;
      if (!hist.chain_intact) {
        body.push(
          h(
            "div",
            { class: "failure tamper", role: "alert", "data-testid": "tamper" },
            h("p", { class: "failure-title" }, "The history does not verify"),
            h("p", {}, hist.chain_problem ?? "A stored revision or its bytes were altered, removed or re-linked."),
            h("p", {}, "Someone with root changed Earshot's records. Treat the revisions below as unverified; compare them with your backups before rolling back."),
          ),
        );
      }
      if (hist.revisions.length === 0) {
        body.push(
          h(
            "div",
            { class: "empty", "data-testid": "empty" },
            h("p", { class: "empty-title" }, "No revisions yet"),
            h("p", {}, "The first change made with Earshot records the file as it was found, then the change."),
          ),
        );
      } else {
        // Once for the list; each disabled button points at it.
        const lock = hist.revisions.length > 1 ? rollbackLock(this.managed) : null;
        if (lock) body.push(lockNote(lock, "lock-rollback"));
        body.push(h("ol", { class: "revisions" }, ...hist.revisions.map((r, i) => this.revision(r, i === 0))));
        const before = hist.next_before;
        if (before !== undefined && before !== null) {
          body.push(
            button("Show older revisions", { class: "older", "data-testid": "history-older" }, () => void this.loadOlder(before)),
          );
        }
      }
    }
    this.root.replaceChildren(h("main", { class: "screen history", "data-state": this.error ? "error" : this.history ? "ready" : "loading" }, header, ...body));
  }

  private revision(r: RevisionInfo, head: boolean): HTMLElement {
    const badges = h(
      "span",
      { class: "badges" },
      h("span", { class: `tag source-${r.source}`, "data-testid": "source" }, SOURCE[r.source] ?? r.source),
      head ? h("span", { class: "tag current" }, "current") : null,
      r.confirmation ? h("span", { class: `tag confirmation-${r.confirmation}`, "data-testid": "confirmation" }, r.confirmation) : null,
    );
    const li = h(
      "li",
      { class: `revision${r.source === "external" ? " external" : ""}`, "data-testid": `history-row-${r.number}`, "data-number": String(r.number) },
      h(
        "div",
        { class: "revision-head" },
        h("span", { class: "number" }, `#${r.number}`),
        badges,
        h("span", { class: "who" }, `${r.user} · ${utc(r.time_unix)}`),
      ),
      h("p", { class: "reason", "data-testid": "reason" }, r.reason),
      r.changes.length > 0
        ? h("ul", { class: "semantic", "data-testid": "changes" }, ...r.changes.map((c) => h("li", {}, h("code", {}, c.summary))))
        : h("p", { class: "hint" }, r.source === "original" ? "The file before Earshot's first change." : "No setting changed."),
      r.acks.length > 0 ? h("p", { class: "hint" }, "Acknowledged: ", ...r.acks.map((a) => h("code", { class: "risk-id" }, a))) : null,
    );
    const lock = rollbackLock(this.managed);
    if (!head && lock) {
      const rb = button("Roll Back to This…", { "data-testid": `history-rollback-${r.number}`, "aria-describedby": "lock-rollback" }, () => {});
      rb.disabled = true;
      // The label beside the button; the sentence naming the key is above the list.
      li.append(h("div", { class: "row end" }, h("span", { class: "managed-label", "data-testid": "managed-lock" }, MANAGED_LABEL), rb));
    } else if (!head) {
      if (this.confirming === r.number) li.append(this.confirm(r));
      else {
        const rb = button("Roll Back to This…", { "data-testid": `history-rollback-${r.number}` }, () => {
          this.confirming = r.number;
          this.risks = [];
          this.acks.clear();
          this.result = null;
          this.paint();
        });
        rb.disabled = this.busy;
        li.append(h("div", { class: "row end" }, rb));
      }
    }
    return li;
  }

  /**
   * Opens the roll-back confirmation of `revision`, as its "Roll Back to This…" button
   * would. The tray's "Roll Back Last Change" lands here when the helper wants the
   * revision's risks acknowledged, which a menu item cannot ask. The current revision
   * and unknown ones are ignored.
   */
  ask(revision: number): void {
    const known = this.history?.revisions.some((r, i) => i > 0 && r.number === revision) ?? false;
    if (!known || rollbackLock(this.managed)) return;
    this.confirming = revision;
    this.risks = [];
    this.acks.clear();
    this.result = null;
    this.paint();
  }

  private confirm(r: RevisionInfo): HTMLElement {
    const cancel = button("Cancel", { "data-testid": "cancel-rollback" }, () => this.cancel());
    const go = button(this.busy ? "Rolling Back…" : "Roll Back", { class: "primary destructive", "data-testid": "history-confirm-rollback" }, () =>
      void this.rollback(r.number),
    );
    go.disabled = this.busy || this.risks.some((x) => !this.acks.has(x.id));
    const panel = h(
      "div",
      { class: "confirm", role: "alertdialog", "aria-label": `Roll back to revision ${r.number}`, "data-testid": "rollback-confirm" },
      h(
        "p",
        {},
        `Restore revision ${r.number} from ${utc(r.time_unix)}? The helper writes its exact bytes to audit_control and runs audit -s; this is recorded as a new revision, so it can be undone too.`,
      ),
      h("p", { class: "hint" }, "flags changes apply at the next login."),
      this.risks.length > 0
        ? h("p", { class: "warning-text" }, `The file of revision ${r.number} carries ${this.risks.length === 1 ? "a risk" : "risks"}: acknowledge to restore it.`)
        : null,
      this.risks.length > 0
        ? riskChecks("history", this.risks, this.acks, () => {
            go.disabled = this.busy || this.risks.some((x) => !this.acks.has(x.id));
          })
        : null,
      h("div", { class: "buttons" }, cancel, go),
    );
    panel.addEventListener("keydown", (e) => {
      if (e.key === "Escape") {
        e.stopPropagation();
        this.cancel();
      } else if (e.key === "Enter" && e.target === panel && !go.disabled) {
        void this.rollback(r.number);
      }
    });
    queueMicrotask(() => go.focus());
    return panel;
  }

  private cancel(): void {
    this.confirming = null;
    this.risks = [];
    this.acks.clear();
    this.paint();
  }

  private async rollback(revision: number): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.paint();
    try {
      const applied = await this.backend.rollback(revision, [...this.acks]);
      this.result = {
        ok: true,
        text: applied.unchanged
          ? `audit_control already matches revision ${revision}: nothing was written.`
          : `Rolled back to revision ${revision}: recorded as revision ${applied.revision}.` +
            (applied.reload_warning ? ` ${applied.reload_warning}` : ""),
      };
    } catch (err) {
      const e = toBackendError(err);
      if (e.code === "ack-required" && e.missingAcks.length > 0) {
        // Keep the confirmation open and ask for exactly what the helper wants.
        this.risks = e.missingAcks;
        for (const r of e.missingAcks) this.acks.delete(r.id);
        this.busy = false;
        this.paint();
        return;
      }
      this.result = { ok: false, text: `Roll back failed: ${e.message}${advice(e.code) ? ` — ${advice(e.code)}` : ""}` };
      // A profile the view did not know of yet: lock the buttons from now on.
      if (e.code === "managed") {
        const now = await readManaged(this.backend);
        if (now.connected) this.managed = now.managed;
      }
    }
    this.busy = false;
    this.confirming = null;
    this.risks = [];
    this.acks.clear();
    await this.load();
  }
}

/** `rollback`: a revision whose roll-back confirmation opens at once (`?rollback=N`). */
export async function mountHistory(root: HTMLElement, backend: Backend, rollback: number | null = null): Promise<HistoryView> {
  const view = new HistoryView(root, backend);
  await view.load();
  if (rollback !== null) view.ask(rollback);
  await view.connection.start();
  // The helper pushes a glance after every new revision: the list follows it.
  let head = view.head();
  await backend
    .onGlance((g) => {
      // Only the helper knows what is forced: a glance without it keeps the last word.
      if (g.connection.state === "connected") view.managedChanged(g.managed ?? null);
      if (g.head_revision !== null && g.head_revision !== head) {
        head = g.head_revision;
        void view.load();
      }
    })
    .catch(() => {});
  return view;
}
