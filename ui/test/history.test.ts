import { beforeEach, describe, expect, it, vi } from "vitest";

import { BackendError } from "../src/backend";
import { MockBackend } from "../src/backend/mock";
import * as data from "../src/backend/mock-data";
import { HistoryView, mountHistory } from "../src/views/history";

let root: HTMLElement;
const q = <T extends HTMLElement = HTMLElement>(sel: string) => root.querySelector<T>(sel);
const text = (sel: string) => q(sel)?.textContent ?? null;

beforeEach(() => {
  document.body.innerHTML = "";
  root = document.createElement("div");
  document.body.append(root);
});

async function open(backend: MockBackend): Promise<HistoryView> {
  const v = new HistoryView(root, backend);
  await v.load();
  return v;
}

describe("history", () => {
  it("lists every revision newest first with its diff, author, time, reason and marks", async () => {
    await open(new MockBackend());
    const rows = Array.from(root.querySelectorAll<HTMLElement>("[data-testid^=history-row-]"));
    expect(rows.map((r) => r.dataset.number)).toEqual(["3", "2", "1"]);
    const [external, applied, original] = rows;
    expect(external!.classList.contains("external")).toBe(true);
    expect(external!.querySelector("[data-testid=source]")!.textContent).toBe("Outside edit");
    expect(external!.querySelector("[data-testid=changes]")!.textContent).toBe("minfree: 5 → 10");
    expect(external!.textContent).toContain("current");
    expect(applied!.textContent).toContain("alice · 2026-11-09 11:06 UTC");
    expect(applied!.querySelector("[data-testid=reason]")!.textContent).toBe("retention: 60d OR 5G (CIS)");
    expect(applied!.querySelector("[data-testid=confirmation]")!.textContent).toBe("confirmed");
    expect(original!.textContent).toContain("The file before Earshot's first change.");
    // The current revision cannot be rolled back to; every other one can.
    expect(q("[data-testid=history-rollback-3]")).toBeNull();
    expect(q("[data-testid=history-rollback-2]")).not.toBeNull();
    expect(q("[data-testid=history-rollback-1]")).not.toBeNull();
    expect(q("[data-testid=tamper]")).toBeNull();
  });

  it("pages through a long history with Show older revisions", async () => {
    const backend = new MockBackend();
    backend.historyPage = 2;
    await open(backend);
    const numbers = () => Array.from(root.querySelectorAll<HTMLElement>("[data-testid^=history-row-]")).map((r) => r.dataset.number);
    expect(numbers()).toEqual(["3", "2"]);
    q("[data-testid=history-older]")!.click();
    await vi.waitFor(() => expect(numbers()).toEqual(["3", "2", "1"]));
    expect(backend.lastArgs("history")).toEqual([2]);
    expect(q("[data-testid=history-older]")).toBeNull();
  });

  it("rolls back only after the confirmation, then shows the result and the new revision", async () => {
    const backend = new MockBackend();
    await open(backend);
    q("[data-testid=history-rollback-1]")!.click();
    expect(text("[data-testid=rollback-confirm]")).toContain("Restore revision 1");
    expect(backend.count("rollback")).toBe(0);
    q("[data-testid=history-confirm-rollback]")!.click();
    await vi.waitFor(() =>
      expect(text("[data-testid=history-result]")).toBe("Rolled back to revision 1: recorded as revision 4."),
    );
    expect(backend.lastArgs("rollback")).toEqual([1, []]);
    expect(q("[data-testid=history-row-4]")!.querySelector("[data-testid=source]")!.textContent).toBe("Rollback");
    expect(q("[data-testid=rollback-confirm]")).toBeNull();
  });

  it("Esc cancels the confirmation and Enter confirms it", async () => {
    const backend = new MockBackend();
    await open(backend);
    q("[data-testid=history-rollback-2]")!.click();
    const panel = q("[data-testid=rollback-confirm]")!;
    panel.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    expect(q("[data-testid=rollback-confirm]")).toBeNull();
    expect(backend.count("rollback")).toBe(0);

    q("[data-testid=history-rollback-2]")!.click();
    // The confirm button has focus, so Enter activates it as any default button.
    await vi.waitFor(() => expect(document.activeElement?.getAttribute("data-testid")).toBe("history-confirm-rollback"));
    const confirm = q("[data-testid=rollback-confirm]")!;
    confirm.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    await vi.waitFor(() => expect(backend.lastArgs("rollback")).toEqual([2, []]));
  });

  it("asks for the risks the restored file carries, then sends the acknowledgements", async () => {
    const backend = new MockBackend({ rollbackRisks: { 1: ["no-expire-after"] } });
    await open(backend);
    q("[data-testid=history-rollback-1]")!.click();
    q("[data-testid=history-confirm-rollback]")!.click();
    await vi.waitFor(() => expect(q("[data-testid=history-ack-no-expire-after]")).not.toBeNull());
    expect(text("[data-testid=history-risks]")).toContain("nothing is ever deleted");
    expect(q("[data-testid=history-result]")).toBeNull();
    const go = q<HTMLButtonElement>("[data-testid=history-confirm-rollback]")!;
    expect(go.disabled).toBe(true);
    q("[data-testid=history-ack-no-expire-after]")!.click();
    expect(q<HTMLButtonElement>("[data-testid=history-confirm-rollback]")!.disabled).toBe(false);
    q("[data-testid=history-confirm-rollback]")!.click();
    await vi.waitFor(() => expect(text("[data-testid=history-result]")).toContain("recorded as revision 4"));
    expect(backend.lastArgs("rollback")).toEqual([1, ["no-expire-after"]]);
  });

  it("shows a refused rollback with its code and reason", async () => {
    const backend = new MockBackend({ failures: { rollback: new BackendError("not-found", "no revision 2") } });
    await open(backend);
    q("[data-testid=history-rollback-2]")!.click();
    q("[data-testid=history-confirm-rollback]")!.click();
    await vi.waitFor(() => expect(text("[data-testid=history-error]")).toContain("not-found: no revision 2"));
    expect(text("[data-testid=history-error]")).toContain("refreshed");
  });

  it("warns first when the history does not verify", async () => {
    const backend = new MockBackend({
      history: { ...data.history, chain_intact: false, chain_problem: "revision 2: bytes do not match its hash" },
    });
    await open(backend);
    const tamper = q("[data-testid=tamper]")!;
    expect(tamper.textContent).toContain("does not verify");
    expect(tamper.textContent).toContain("revision 2: bytes do not match its hash");
    expect(root.querySelector("main")!.children[1]).toBe(tamper);
  });

  it("has loading, empty and error states", async () => {
    const hanging = new HistoryView(root, new MockBackend({ hang: { history: true } }));
    void hanging.load();
    expect(text("[data-testid=loading]")).toBe("Reading the history…");

    await open(new MockBackend({ history: { revisions: [], chain_intact: true, chain_problem: null } }));
    expect(text("[data-testid=empty]")).toContain("No revisions yet");

    await open(new MockBackend({ failures: { history: new BackendError("unavailable", "helper not running") } }));
    expect(text("[data-testid=history-error]")).toContain("unavailable: helper not running");
  });

  it("opens at a revision's roll-back confirmation when asked (the tray's roll back with risks)", async () => {
    const backend = new MockBackend();
    await mountHistory(root, backend, 2);
    expect(q("[data-testid=rollback-confirm]")!.getAttribute("aria-label")).toBe("Roll back to revision 2");
    expect(q("[data-testid=history-row-2] [data-testid=rollback-confirm]")).not.toBeNull();
    // Nothing is restored until the user confirms.
    expect(backend.count("rollback")).toBe(0);
    q("[data-testid=history-confirm-rollback]")!.click();
    await vi.waitFor(() => expect(backend.lastArgs("rollback")).toEqual([2, []]));
  });

  it("ignores a roll-back request for the current revision or one it does not list", async () => {
    await mountHistory(root, new MockBackend(), 3);
    expect(q("[data-testid=rollback-confirm]")).toBeNull();
    await mountHistory(root, new MockBackend(), 99);
    expect(q("[data-testid=rollback-confirm]")).toBeNull();
  });

  it("reloads when a new revision is pushed, not on every glance", async () => {
    const backend = new MockBackend();
    await mountHistory(root, backend);
    expect(backend.count("history")).toBe(1);
    backend.push({ ...data.glanceOk, head_revision: 3 });
    expect(backend.count("history")).toBe(1);
    backend.push({ ...data.glanceOk, head_revision: 4 });
    expect(backend.count("history")).toBe(2);
    expect(text("[data-testid=connection-state]")).toBe("connected");
  });
});
