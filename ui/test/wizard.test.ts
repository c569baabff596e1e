import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { BackendError } from "../src/backend";
import { MockBackend } from "../src/backend/mock";
import * as data from "../src/backend/mock-data";
import { CONFIRM_WITHIN, Wizard, addedClasses, mountWizard } from "../src/views/wizard";

let root: HTMLElement;
const q = <T extends HTMLElement = HTMLElement>(sel: string) => root.querySelector<T>(sel);
const text = (sel: string) => q(sel)?.textContent ?? null;
const apply = () => q<HTMLButtonElement>("[data-testid=wizard-apply]")!;

beforeEach(() => {
  document.body.innerHTML = "";
  root = document.createElement("div");
  document.body.append(root);
});
afterEach(() => vi.useRealTimers());

async function open(backend: MockBackend, now = () => data.NOW): Promise<Wizard> {
  const w = new Wizard(root, backend, { now });
  await w.load();
  return w;
}

function tick(id: string): void {
  const box = q<HTMLInputElement>(`[data-testid=wizard-ack-${id}]`)!;
  box.click();
}

describe("wizard", () => {
  it("shows the step, why, the diff of the file and the semantic diff", async () => {
    await open(new MockBackend());
    expect(text("[data-testid=wizard-step-title]")).toBe("flags: +ad (administrative actions)");
    expect(text("[data-testid=why]")).toContain("CIS Level 2");
    const lines = Array.from(root.querySelectorAll<HTMLElement>("[data-testid=wizard-diff] .line"));
    expect(lines.filter((l) => l.dataset.kind === "del").map((l) => l.textContent)).toEqual(["− flags:lo,aa\n"]);
    expect(lines.filter((l) => l.dataset.kind === "add").map((l) => l.textContent)).toEqual(["+ flags:lo,aa,ad\n"]);
    expect(text("[data-testid=semantic-diff]")).toContain("flags: +ad");
  });

  it("shows the predicted cost per class with ranges and where each figure comes from", async () => {
    await open(new MockBackend());
    const rows = Array.from(root.querySelectorAll("[data-testid=cost-row]"));
    expect(rows).toHaveLength(5);
    const ad = rows[3]!;
    expect(ad.textContent).toContain("+adnew");
    expect(ad.querySelector("[data-testid=source]")!.textContent).toBe("reference");
    expect(ad.children[1]!.textContent).toBe("1.5k (50–40k)");
    expect(ad.children[2]!.textContent).toBe("255 kB (8.5 kB–6.8 MB)");
    expect(rows[1]!.querySelector("[data-testid=source]")!.textContent).toBe("measured");
    expect(text("[data-testid=retention]")).toContain("60 days");
    expect(text("[data-testid=minfree]")).toContain("does not reach minfree");
    expect(text("[data-testid=change-bytes]")).toBe("+391 kB (11.9 kB–11.9 MB)");
  });

  it("keeps Apply disabled until every risk is acknowledged, and sends the acks", async () => {
    const backend = new MockBackend({ plan: data.planAhlt });
    await open(backend);
    const boxes = Array.from(root.querySelectorAll<HTMLInputElement>("input[data-testid^=wizard-ack-]"));
    expect(boxes).toHaveLength(2);
    expect(apply().disabled).toBe(true);
    expect(text("[data-testid=ack-hint]")).toBe("Acknowledge 2 risks to apply");
    tick("drop-cnt");
    expect(apply().disabled).toBe(true);
    expect(text("[data-testid=ack-hint]")).toBe("Acknowledge 1 risk to apply");
    tick("add-ahlt");
    expect(apply().disabled).toBe(false);
    expect(q("[data-testid=ack-hint]")!.hidden).toBe(true);
    // Ticking updates in place: the boxes found before are still the ones on screen
    // (a WebDriver test clicks them one after the other).
    expect(boxes.every((b) => b.isConnected && b.checked)).toBe(true);
    tick("add-ahlt");
    expect(apply().disabled).toBe(true);
    tick("add-ahlt");
    apply().click();
    await vi.waitFor(() => expect(q("[data-testid=wizard-countdown]")).not.toBeNull());
    expect(backend.lastArgs("applyPlan")).toEqual([
      expect.objectContaining({ target: "next" }),
      ["drop-cnt", "add-ahlt"],
      CONFIRM_WITHIN,
      false,
    ]);
  });

  it("shows a refused apply with its code, reason and the risks still to acknowledge", async () => {
    const backend = new MockBackend({
      plan: data.planAhlt,
      failures: {
        applyPlan: new BackendError("ack-required", "acknowledge: add-ahlt", [{ id: "add-ahlt", message: "" }]),
      },
    });
    await open(backend);
    tick("drop-cnt");
    tick("add-ahlt");
    apply().click();
    await vi.waitFor(() => expect(q("[data-testid=wizard-error]")).not.toBeNull());
    expect(text("[data-testid=wizard-error]")).toContain("ack-required: acknowledge: add-ahlt");
    expect(text("[data-testid=wizard-error]")).toContain("Acknowledge each risk");
    expect(q<HTMLInputElement>("[data-testid=wizard-ack-add-ahlt]")!.checked).toBe(false);
    expect(q<HTMLInputElement>("[data-testid=wizard-ack-drop-cnt]")!.checked).toBe(true);
    expect(q(".risk.missing")?.textContent).toContain("add-ahlt");
  });

  it("shows the other ways to take a step", async () => {
    await open(new MockBackend({ plan: data.planAhlt }));
    const alt = text("[data-testid=alternatives]")!;
    expect(alt).toContain("Keep cnt: policy cnt,ahlt,argv");
    expect(alt).toContain("policy: cnt,argv → cnt,ahlt,argv");
    expect(alt).toContain("add-ahlt");
    await open(new MockBackend());
    expect(q("[data-testid=alternatives]")).toBeNull();
  });

  it("lists the diagnostics of a proposed file the helper refused as invalid", async () => {
    const diag = { line: 2, column: 7, severity: "error" as const, code: "AC-FLAGS-UNKNOWN-CLASS", message: "`zz` is not a class", hint: "see audit_class" };
    await open(new MockBackend({ failures: { applyPlan: new BackendError("validation", "the proposed audit_control has errors", [], [diag]) } }));
    apply().click();
    await vi.waitFor(() => expect(q("[data-testid=apply-diagnostics]")).not.toBeNull());
    expect(text("[data-testid=apply-diagnostics]")).toBe("2:7 AC-FLAGS-UNKNOWN-CLASS zz is not a classsee audit_class");
    expect(text("[data-testid=wizard-error]")).toContain("nothing was written");
  });

  it("plans again when the file changed under it, and says so", async () => {
    const backend = new MockBackend({
      failures: { applyPlan: new BackendError("base-changed", "audit_control changed since it was read") },
    });
    await open(backend);
    apply().click();
    await vi.waitFor(() => expect(backend.count("planNext")).toBe(2));
    await vi.waitFor(() => expect(text("[data-testid=wizard-error]")).toContain("base-changed"));
    expect(text("[data-testid=wizard-error]")).toContain("review it again");
  });

  it("counts down after apply, and Keep confirms the change", async () => {
    vi.useFakeTimers();
    let now = data.NOW;
    const backend = new MockBackend({ now: () => now });
    await open(backend, () => now);
    apply().click();
    await vi.waitFor(() => expect(text("[data-testid=wizard-countdown]")).toBe("2:00"));
    expect(text("[data-testid=wizard-result]")).toBe("Applied as revision 4.");
    expect(backend.state.history.revisions[0]!.confirmation).toBe("pending");
    now += 45;
    vi.advanceTimersByTime(1000);
    expect(text("[data-testid=wizard-countdown]")).toBe("1:15");
    q("[data-testid=wizard-keep]")!.click();
    await vi.waitFor(() => expect(text("[data-testid=wizard-result]")).toBe("Kept: revision 4 stays."));
    expect(backend.count("confirm")).toBe(1);
    expect(backend.state.history.revisions[0]!.confirmation).toBe("confirmed");
    expect(text("[data-testid=wizard-result]")).not.toBeNull();
    expect(root.textContent).toContain("log out and back in");
    expect(q("[data-testid=wizard-next]")).not.toBeNull();
  });

  it("says the change was reverted when the countdown runs out", async () => {
    vi.useFakeTimers();
    let now = data.NOW;
    const backend = new MockBackend({ now: () => now });
    await open(backend, () => now);
    apply().click();
    await vi.waitFor(() => expect(q("[data-testid=wizard-countdown]")).not.toBeNull());
    now += CONFIRM_WITHIN;
    vi.advanceTimersByTime(1000);
    expect(text("[data-testid=wizard-result]")).toBe("Not kept in time: the helper reverted revision 4.");
    expect(backend.count("confirm")).toBe(0);
  });

  it("Revert Now rolls the change back", async () => {
    const backend = new MockBackend();
    await open(backend);
    apply().click();
    await vi.waitFor(() => expect(q("[data-testid=wizard-revert]")).not.toBeNull());
    q("[data-testid=wizard-revert]")!.click();
    await vi.waitFor(() => expect(text("[data-testid=wizard-result]")).toBe("Reverted: recorded as revision 5."));
    expect(backend.count("rollbackLast")).toBe(1);
  });

  it("applies without a countdown when auto-revert is off", async () => {
    const backend = new MockBackend();
    await open(backend);
    q<HTMLInputElement>("[data-testid=wizard-auto-revert]")!.click();
    apply().click();
    await vi.waitFor(() => expect(text("[data-testid=wizard-result]")).toBe("Applied as revision 4."));
    expect(q("[data-testid=wizard-countdown]")).toBeNull();
    expect(backend.lastArgs("applyPlan")).toEqual([expect.objectContaining({ target: "next" }), [], null, false]);
    // The step now soaks: the button watches it (a reload lands on the soak).
    expect(root.textContent).toContain("It now soaks");
    expect(text("[data-testid=wizard-next]")).toBe("Watch the Soak");
    q("[data-testid=wizard-next]")!.click();
    await vi.waitFor(() => expect(q("main")?.dataset.phase).toBe("soaking"));
    expect(backend.count("reviewStep")).toBe(2);
    expect(backend.count("planNext")).toBe(1);
    expect(text("[data-testid=wizard-soak-title]")).toBe("flags: +ad (administrative actions)");
  });

  it("asks for the plan of the chosen goal", async () => {
    const backend = new MockBackend();
    await open(backend);
    const select = q<HTMLSelectElement>("[data-testid=wizard-target]")!;
    select.value = "800-53-high";
    select.dispatchEvent(new Event("change"));
    await vi.waitFor(() => expect(backend.lastArgs("planNext")).toEqual(["800-53-high"]));
  });

  it("says when nothing is left to do, and shows a planning error with its reason", async () => {
    await open(new MockBackend({ plan: null }));
    expect(text("[data-testid=wizard-done]")).toContain("Nothing left to do");

    await open(new MockBackend({ failures: { planNext: new BackendError("unavailable", "no helper at /run/earshot/helper.sock") } }));
    expect(text("[data-testid=wizard-error]")).toContain("unavailable: no helper at /run/earshot/helper.sock");
    expect(text("[data-testid=wizard-error]")).toContain("not reachable");
  });

  it("shows loading while the plan is computed", async () => {
    const w = new Wizard(root, new MockBackend({ hang: { planNext: true } }));
    void w.load();
    expect(q("main")?.dataset.phase).toBe("loading");
    expect(text("[data-testid=loading]")).toBe("Planning the next step…");
  });

  it("runs a trial measurement of the classes the step adds", async () => {
    const backend = new MockBackend();
    await open(backend);
    expect(q<HTMLInputElement>("[data-testid=trial-classes]")!.value).toBe("ad");
    const dur = q<HTMLSelectElement>("[data-testid=trial-duration]")!;
    dur.value = "60";
    dur.dispatchEvent(new Event("change"));
    q("[data-testid=measure]")!.click();
    await vi.waitFor(() => expect(q("[data-testid=measurement]")).not.toBeNull());
    expect(backend.lastArgs("measure")).toEqual([{ classes: "ad", seconds: 60 }]);
    expect(root.querySelectorAll("[data-testid=measurement] tbody tr")).toHaveLength(2);
  });

  it("shows why a trial measurement was refused", async () => {
    const backend = new MockBackend({ failures: { measure: new BackendError("unsupported", "auditing is off") } });
    await open(backend);
    q("[data-testid=measure]")!.click();
    await vi.waitFor(() => expect(text("[data-testid=measure-error]")).toContain("unsupported: auditing is off"));
  });

  it("lists the classes a plan adds as flags items", () => {
    expect(addedClasses(data.planAddAd)).toBe("ad");
    expect(addedClasses(data.planAhlt)).toBe("");
  });

  it("shows the helper connection in its header", async () => {
    await mountWizard(root, new MockBackend({ glance: data.glanceUnknown }));
    await vi.waitFor(() => expect(text("[data-testid=connection-state]")).toBe("unavailable"));
  });
});
