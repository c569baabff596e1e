import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { BackendError, type SoakStatus } from "../src/backend";
import { MockBackend, scenario } from "../src/backend/mock";
import * as data from "../src/backend/mock-data";
import { SOAK_REFRESH_MS, Wizard, soakLine, verdictHeadline } from "../src/views/wizard";

// The wizard on a step that soaks, then on its review (docs/tuning-guide.md §6). The
// mock holds the next step back while one soaks, as the helper does.

let root: HTMLElement;
const q = <T extends HTMLElement = HTMLElement>(sel: string) => root.querySelector<T>(sel);
const text = (sel: string) => q(sel)?.textContent ?? null;
const phase = () => q("main")?.dataset.phase;
const figure = (key: string) => text(`[data-testid=figure-${key}]`);

/** Whether the document is hidden, as the tests say (jsdom is always visible). */
let hidden = false;

beforeEach(() => {
  document.body.innerHTML = "";
  root = document.createElement("div");
  document.body.append(root);
  hidden = false;
  Object.defineProperty(document, "visibilityState", { configurable: true, get: () => (hidden ? "hidden" : "visible") });
});
afterEach(() => {
  vi.useRealTimers();
  delete (document as { visibilityState?: unknown }).visibilityState;
});

async function open(backend: MockBackend): Promise<Wizard> {
  const w = new Wizard(root, backend, { now: () => data.NOW });
  await w.load();
  return w;
}

/** A mock in one of the screenshot scenarios (the soak's figures, the mock's clock). */
function mock(name: string, over: ConstructorParameters<typeof MockBackend>[0] = {}): MockBackend {
  return new MockBackend({ ...scenario(name), ...over });
}

function setHidden(value: boolean): void {
  hidden = value;
  document.dispatchEvent(new Event("visibilitychange"));
}

describe("wizard on a soaking step", () => {
  it("shows where the soak stands, its figures and its chart", async () => {
    const backend = mock("soaking");
    await open(backend);
    expect(phase()).toBe("soaking");
    expect(text("[data-testid=wizard-soak] .eyebrow")).toBe("Step 2 of your plan · soaking");
    expect(text("[data-testid=wizard-soak] h2")).toBe("flags: add ad");
    expect(text("[data-testid=soak-summary]")).toBe("Step 2 of your plan — day 1 of 3 — 0.53× the predicted volume so far");
    expect(figure("predicted")).toBe("808 KiB/day (354.2 KiB–11.9 MiB)");
    expect(figure("measured")).toBe("426.8 KiB/day");
    expect(figure("ratio")).toBe("0.53× the typical prediction");
    expect(figure("soak")).toBe(
      "3 days: it adds +ad,-ad, expected at 70.0 events a day at least: 171 events (the step's volume to ±15 %) take 2.4 days",
    );
    expect(figure("due")).toBe("2026-11-20 20:13 UTC");
    // The chart as the dashboard inserts its own: scaled, an image named by its title.
    const svg = q("[data-testid=soak-chart] svg")!;
    expect(svg.getAttribute("role")).toBe("img");
    expect(svg.getAttribute("aria-label")).toBe("Step volume since it was applied, against its predicted band");
    expect(svg.hasAttribute("width")).toBe(false);
    expect(backend.lastArgs("chart")).toEqual(["soak", "day", "light"]);
    // Nothing planned while it soaks, and no alarm for a step within its budget.
    expect(backend.count("planNext")).toBe(0);
    expect(q("[data-testid=soak-over-budget]")).toBeNull();
    expect(q("[data-testid=wizard-apply]")).toBeNull();
  });

  it("turns to the verdict as soon as the helper pushes that the review is made", async () => {
    const backend = mock("soaking");
    await open(backend);
    expect(phase()).toBe("soaking");
    // The helper reviews the step and pushes a glance saying so; the minute's
    // refresh is far off.
    backend.state.review = structuredClone(data.reviewAdNext);
    backend.push(structuredClone(data.glanceSoakReviewed));
    await vi.waitFor(() => expect(phase()).toBe("verdict"));
    expect(q("[data-testid=wizard-verdict]")!.dataset.verdict).toBe("next-step");
    // A glance that says nothing new does not reload.
    const calls = backend.count("reviewStep");
    backend.push(structuredClone(data.glanceSoakReviewed));
    await Promise.resolve();
    expect(backend.count("reviewStep")).toBe(calls);
  });

  it("says a chart that cannot be drawn, and shows the rest", async () => {
    await open(mock("soaking", { failures: { chart: new BackendError("internal", "no trail covers the soak") } }));
    expect(text("[data-testid=soak-chart-error]")).toBe("No chart of the soak: internal: no trail covers the soak");
    expect(text("[data-testid=soak-summary]")).toContain("day 1 of 3");
  });

  it("counts days, hours and a step not measured yet as the helper's line does", () => {
    const s = data.soakingAd;
    expect(soakLine({ ...s, days_observed: 2.99 })).toBe("Step 2 of your plan — day 3 of 3 — 0.53× the predicted volume so far");
    expect(soakLine({ ...s, days_observed: 3 })).toContain("day 3 of 3");
    expect(soakLine({ ...s, soak_days: 0.5, days_observed: 0.1 })).toContain("— soaking 12 h —");
    expect(soakLine({ ...s, soak_days: 14, days_observed: 0, ratio: null })).toBe(
      "Step 2 of your plan — day 1 of 14 — measuring (under an hour recorded)",
    );
  });

  it("warns when the step is badly over budget and offers its tweak at once", async () => {
    const backend = mock("soak-over");
    await open(backend);
    const panel = q("[data-testid=soak-over-budget]")!;
    expect(panel.getAttribute("role")).toBe("alert");
    expect(panel.textContent).toContain(
      "flags: add ad writes 1.2 MiB/day, above its predicted 340.6 KiB–532.2 KiB: 2.9× the predicted volume",
    );
    expect(text("[data-testid=soak-summary]")).toBe("Step 2 of your plan — day 2 of 3 — 2.94× the predicted volume so far");
    const tweak = q("[data-testid=tweak-drop-ad]")!;
    expect(tweak.textContent).toContain("flags: drop ad");
    expect(tweak.textContent).toContain("flags: lo,aa,ad → lo,aa");
    expect(text("[data-testid=tweak-drop-ad] [data-testid=tweak-predicted]")).toBe("Predicted after the tweak: 417.6 KiB/day");

    // A tweak is a step of its own, and never waits for the soak.
    q("[data-testid=verdict-tweak-drop-ad]")!.click();
    expect(phase()).toBe("plan");
    expect(text("[data-testid=wizard-step-title]")).toBe("flags: drop ad");
    expect(text(".step .eyebrow")).toBe("Tweak · flags");
    expect(text("[data-testid=change-bytes]")).toBe("-854 kB");
    q("[data-testid=wizard-apply]")!.click();
    await vi.waitFor(() => expect(q("[data-testid=wizard-countdown]")).not.toBeNull());
    expect(backend.lastArgs("applyPlan")).toEqual([data.tweakDropAd.token, [], 120, false]);
  });

  it("plans the next step past the soak only once the box naming the risk is ticked, and says so on apply", async () => {
    const backend = mock("soaking");
    await open(backend);
    const box = q<HTMLInputElement>("[data-testid=wizard-skip-soak]")!;
    const go = q<HTMLButtonElement>("[data-testid=wizard-skip-plan]")!;
    expect(text("label[for=skip-soak]")).toBe(
      "Skip the rest of this soak. The next step's cost will stack on one not yet measured, and “flags: add ad” will not be reviewed — Earshot records that you skipped it.",
    );
    expect(go.textContent).toBe("Plan the Next Step Anyway");
    expect(go.disabled).toBe(true);
    box.click();
    expect(go.disabled).toBe(false);
    box.click();
    expect(go.disabled).toBe(true);
    box.click();
    go.click();
    await vi.waitFor(() => expect(phase()).toBe("plan"));
    expect(backend.count("planNext")).toBe(1);
    expect(text("[data-testid=wizard-step-title]")).toBe("flags: add -ex");
    expect(text("[data-testid=skip-soak-note]")).toBe("Applied before “flags: add ad” has soaked: its review is skipped (recorded).");

    q("[data-testid=wizard-apply]")!.click();
    await vi.waitFor(() => expect(q("[data-testid=wizard-countdown]")).not.toBeNull());
    expect(backend.lastArgs("applyPlan")).toEqual([expect.objectContaining({ target: "next" }), [], 120, true]);

    // The step just applied soaks in its turn: the next in the user's plan.
    q("[data-testid=wizard-keep]")!.click();
    await vi.waitFor(() => expect(text("[data-testid=wizard-next]")).toBe("Watch the Soak"));
    q("[data-testid=wizard-next]")!.click();
    await vi.waitFor(() => expect(phase()).toBe("soaking"));
    expect(text("[data-testid=soak-summary]")).toBe("Step 3 of your plan — day 1 of 3 — measuring (under an hour recorded)");
    expect(figure("measured")).toBe("nothing yet (under an hour recorded)");
  });

  it("plans nothing on a new goal while the step soaks, and past the soak toward that goal", async () => {
    const backend = mock("soaking");
    await open(backend);
    const select = q<HTMLSelectElement>("[data-testid=wizard-target]")!;
    select.value = "cis-l2";
    select.dispatchEvent(new Event("change"));
    expect(phase()).toBe("soaking");
    expect(backend.count("reviewStep")).toBe(1);
    expect(backend.count("planNext")).toBe(0);
    q<HTMLInputElement>("[data-testid=wizard-skip-soak]")!.click();
    q("[data-testid=wizard-skip-plan]")!.click();
    await vi.waitFor(() => expect(phase()).toBe("plan"));
    expect(backend.lastArgs("planNext")).toEqual(["cis-l2"]);
  });

  it("goes back to the soak from the plan past it", async () => {
    await open(mock("soaking"));
    q<HTMLInputElement>("[data-testid=wizard-skip-soak]")!.click();
    q("[data-testid=wizard-skip-plan]")!.click();
    await vi.waitFor(() => expect(phase()).toBe("plan"));
    q("[data-testid=wizard-back]")!.click();
    await vi.waitFor(() => expect(phase()).toBe("soaking"));
    expect(q<HTMLInputElement>("[data-testid=wizard-skip-soak]")!.checked).toBe(false);
  });

  it("shows the helper's refusal and what to do when a step began soaking meanwhile", async () => {
    const backend = new MockBackend({ now: () => data.NOW });
    await open(backend);
    expect(phase()).toBe("plan");
    // Another window applied a step since this one planned.
    backend.state.review = structuredClone(data.reviewSoaking);
    q("[data-testid=wizard-apply]")!.click();
    await vi.waitFor(() => expect(q("[data-testid=wizard-error]")).not.toBeNull());
    const error = text("[data-testid=wizard-error]")!;
    expect(error).toContain(
      'soaking: "flags: add ad" (revision 5) is soaking: 15 hours of 3 days observed, 2 days left; so far it writes 426.8 KiB/day, 0.53× the predicted 808.0 KiB/day.',
    );
    expect(error).toContain("The previous step is still soaking: Tune Auditing shows how long is left.");
    expect(backend.state.history.revisions[0]!.number).toBe(3);
    q("[data-testid=wizard-show-soak]")!.click();
    await vi.waitFor(() => expect(phase()).toBe("soaking"));
  });

  it("asks again every minute while visible, not while hidden, and not once it left the soak", async () => {
    vi.useFakeTimers();
    const backend = mock("soaking");
    await open(backend);
    expect(backend.count("reviewStep")).toBe(1);
    const box = q<HTMLInputElement>("[data-testid=wizard-skip-soak]")!;
    box.click();

    // A minute later the step has measured more: the line follows, the ticked box stays.
    backend.state.review = {
      ...structuredClone(data.reviewSoaking),
      soak: { ...data.soakingAd, days_observed: 1.2, ratio: 0.61, measured_bytes_per_day: 504_700 },
    };
    await vi.advanceTimersByTimeAsync(SOAK_REFRESH_MS);
    expect(backend.count("reviewStep")).toBe(2);
    expect(backend.count("chart")).toBe(2);
    expect(text("[data-testid=soak-summary]")).toBe("Step 2 of your plan — day 2 of 3 — 0.61× the predicted volume so far");
    expect(q("[data-testid=wizard-skip-soak]")).toBe(box);
    expect(box.checked).toBe(true);

    setHidden(true);
    await vi.advanceTimersByTimeAsync(SOAK_REFRESH_MS * 5);
    expect(backend.count("reviewStep")).toBe(2);

    // Back in view: at once (what is shown may be old), then every minute.
    setHidden(false);
    await vi.advanceTimersByTimeAsync(0);
    expect(backend.count("reviewStep")).toBe(3);
    await vi.advanceTimersByTimeAsync(SOAK_REFRESH_MS);
    expect(backend.count("reviewStep")).toBe(4);

    // Past the soak (the plan view), nothing more is asked.
    q("[data-testid=wizard-skip-plan]")!.click();
    await vi.advanceTimersByTimeAsync(0);
    expect(phase()).toBe("plan");
    await vi.advanceTimersByTimeAsync(SOAK_REFRESH_MS * 3);
    expect(backend.count("reviewStep")).toBe(4);
    setHidden(true);
    setHidden(false);
    await vi.advanceTimersByTimeAsync(SOAK_REFRESH_MS);
    expect(backend.count("reviewStep")).toBe(4);
  });

  it("turns to the verdict when the review is made while it is shown", async () => {
    vi.useFakeTimers();
    const backend = mock("soaking");
    await open(backend);
    backend.state.review = structuredClone(data.reviewTweak);
    await vi.advanceTimersByTimeAsync(SOAK_REFRESH_MS);
    expect(phase()).toBe("verdict");
    expect(q("[data-testid=wizard-verdict]")!.dataset.verdict).toBe("tweak");
  });
});

describe("wizard on a reviewed step", () => {
  it("shows a next-step verdict with its reasons, and takes the next step with the review's token", async () => {
    // The retention step of revision 2, the first of the plan, reviewed: on to flags.
    const backend = new MockBackend({ now: () => data.NOW, review: structuredClone(data.reviewNextStep) });
    await open(backend);
    expect(phase()).toBe("verdict");
    const verdict = q("[data-testid=wizard-verdict]")!;
    expect(verdict.dataset.verdict).toBe("next-step");
    expect(text("[data-testid=wizard-verdict] .eyebrow")).toBe("Step 1 of your plan · review");
    expect(text("[data-testid=wizard-verdict] h2")).toBe("expire-after: 60d OR 5G");
    expect(text("[data-testid=verdict-headline]")).toBe("It cost what was predicted: take the next step");
    expect(Array.from(root.querySelectorAll("[data-testid=verdict-reasons] li"), (li) => li.textContent)).toEqual([
      "measured 419.5 KiB/day, predicted 340.4 KiB–531.9 KiB: as predicted (0.99× typical)",
    ]);
    expect(figure("measured")).toBe("419.5 KiB/day");
    expect(figure("ratio")).toBe("0.99× the typical prediction");
    expect(figure("due")).toBe("2026-11-10 11:06 UTC");
    expect(q("[data-testid=soak-chart] svg")).not.toBeNull();
    // A roll back is offered, but not pressed on the user.
    expect(text("[data-testid=verdict-rollback]")).toBe("Roll Back to Revision 1");
    expect(q("[data-testid=verdict-rollback]")!.classList.contains("primary")).toBe(false);
    expect(backend.count("planNext")).toBe(0);

    q("[data-testid=verdict-next]")!.click();
    expect(phase()).toBe("plan");
    expect(text("[data-testid=wizard-step-title]")).toBe("flags: +ad (administrative actions)");
    q<HTMLInputElement>("[data-testid=wizard-auto-revert]")!.click();
    q("[data-testid=wizard-apply]")!.click();
    await vi.waitFor(() => expect(text("[data-testid=wizard-result]")).toBe("Applied as revision 4."));
    expect(backend.lastArgs("applyPlan")).toEqual([data.reviewNextStep.next_token, [], null, false]);
  });

  it("says a step cost less than predicted, and takes the rung after it", async () => {
    const backend = mock("soak-reviewed");
    await open(backend);
    expect(text("[data-testid=wizard-verdict] .eyebrow")).toBe("Step 2 of your plan · review");
    expect(text("[data-testid=verdict-headline]")).toBe("It cost less than predicted: take the next step");
    expect(figure("ratio")).toBe("0.53× the typical prediction");
    q("[data-testid=verdict-next]")!.click();
    expect(text("[data-testid=wizard-step-title]")).toBe("flags: add -ex");
    q("[data-testid=wizard-apply]")!.click();
    await vi.waitFor(() => expect(text("[data-testid=wizard-result]")).toBe("Applied as revision 6."));
    expect(backend.lastArgs("applyPlan")).toEqual([data.reviewAdNext.next_token, [], 120, false]);
  });

  it("takes the next step only once its risks are acknowledged", async () => {
    const next = { ...data.reviewNextStep, next: data.planAhlt, next_risks: data.planAhlt.risks };
    const backend = new MockBackend({ now: () => data.NOW, review: structuredClone(next) });
    await open(backend);
    q("[data-testid=verdict-next]")!.click();
    expect(q<HTMLButtonElement>("[data-testid=wizard-apply]")!.disabled).toBe(true);
    q("[data-testid=wizard-ack-drop-cnt]")!.click();
    q("[data-testid=wizard-ack-add-ahlt]")!.click();
    q("[data-testid=wizard-apply]")!.click();
    await vi.waitFor(() => expect(q("[data-testid=wizard-countdown]")).not.toBeNull());
    expect(backend.lastArgs("applyPlan")).toEqual([data.reviewNextStep.next_token, ["drop-cnt", "add-ahlt"], 120, false]);
  });

  it("says when a step cost less than predicted, or more while storage holds", () => {
    const r = data.reviewNextStep.review;
    expect(verdictHeadline({ ...r, ratio: 0.53 })).toBe("It cost less than predicted: take the next step");
    expect(verdictHeadline({ ...r, ratio: 1.6 })).toBe("It cost more than predicted, but storage holds: take the next step");
    expect(verdictHeadline({ ...r, verdict: "roll-back" })).toBe("Roll it back");
    expect(verdictHeadline({ ...r, verdict: "keep-soaking" })).toBe("Keep soaking");
  });

  it("shows a tweak verdict and applies the tweak with its own token", async () => {
    const backend = mock("soak-tweak");
    await open(backend);
    expect(q("[data-testid=wizard-verdict]")!.dataset.verdict).toBe("tweak");
    expect(text("[data-testid=verdict-headline]")).toBe("Tweak it before the next step");
    expect(root.querySelectorAll("[data-testid=verdict-reasons] li")).toHaveLength(2);
    expect(text("[data-testid=verdict-reasons]")).toContain("2.9× typical");
    expect(q("[data-testid=verdict-next]")).toBeNull();
    expect(text("[data-testid=verdict-rollback]")).toBe("Roll Back to Revision 4");

    q("[data-testid=verdict-tweak-drop-ad]")!.click();
    expect(text("[data-testid=wizard-step-title]")).toBe("flags: drop ad");
    q("[data-testid=wizard-apply]")!.click();
    await vi.waitFor(() => expect(q("[data-testid=wizard-countdown]")).not.toBeNull());
    const [token, acks, , skip] = backend.lastArgs("applyPlan")!;
    expect(token).toEqual({ ...data.tweakDropAd.token, target: "tweak:drop:ad" });
    expect(acks).toEqual([]);
    expect(skip).toBe(false);
    expect(text("[data-testid=wizard-result]")).toBe("Applied as revision 6.");
  });

  it("plans toward another goal past the review, which stays one click back", async () => {
    const backend = mock("soak-tweak");
    await open(backend);
    const select = q<HTMLSelectElement>("[data-testid=wizard-target]")!;
    select.value = "800-53-high";
    select.dispatchEvent(new Event("change"));
    await vi.waitFor(() => expect(phase()).toBe("plan"));
    expect(backend.lastArgs("planNext")).toEqual(["800-53-high"]);
    expect(text("[data-testid=wizard-back]")).toBe("‹ Back to the Review");
    q("[data-testid=wizard-apply]")!.click();
    await vi.waitFor(() => expect(q("[data-testid=wizard-countdown]")).not.toBeNull());
    // A reviewed step holds nothing back.
    expect(backend.lastArgs("applyPlan")![3]).toBe(false);
  });

  it("says when the review has nothing left to offer", async () => {
    const met = { ...data.reviewNextStep, next: null, next_token: null, rollback_to: null };
    await open(new MockBackend({ now: () => data.NOW, review: structuredClone(met) }));
    expect(text("[data-testid=verdict-none]")).toContain("pick another goal above");
  });

  it("goes back to the review from the step it offered", async () => {
    await open(mock("soak-tweak"));
    q("[data-testid=verdict-tweak-drop-ad]")!.click();
    q("[data-testid=wizard-back]")!.click();
    await vi.waitFor(() => expect(phase()).toBe("verdict"));
  });

  it("rolls the step back in one click, shows the result, then plans again with why the soak ended", async () => {
    const backend = mock("soak-tweak");
    await open(backend);
    q("[data-testid=verdict-rollback]")!.click();
    await vi.waitFor(() => expect(text("[data-testid=wizard-result]")).toBe("Rolled back: recorded as revision 6."));
    expect(backend.lastArgs("rollback")).toEqual([4, []]);
    expect(phase()).toBe("rolled-back");
    expect(root.textContent).toContain("flags changes revert at the next login");

    q("[data-testid=wizard-next]")!.click();
    await vi.waitFor(() => expect(phase()).toBe("plan"));
    expect(text("[data-testid=soak-ended]")).toBe(
      "The soak of “flags: add ad” ended early: rolled back to revision 4 (now revision 6).",
    );
  });

  it("asks for the risks the restored file carries before it rolls back", async () => {
    const backend = mock("soak-tweak", { rollbackRisks: { 4: ["drop-cnt"] } });
    await open(backend);
    q("[data-testid=verdict-rollback]")!.click();
    await vi.waitFor(() => expect(q("[data-testid=rollback-ack-drop-cnt]")).not.toBeNull());
    expect(phase()).toBe("verdict");
    expect(text("[data-testid=rollback-risks]")).toContain("without cnt");
    expect(q<HTMLButtonElement>("[data-testid=verdict-rollback]")!.disabled).toBe(true);
    q("[data-testid=rollback-ack-drop-cnt]")!.click();
    expect(q<HTMLButtonElement>("[data-testid=verdict-rollback]")!.disabled).toBe(false);
    q("[data-testid=verdict-rollback]")!.click();
    await vi.waitFor(() => expect(text("[data-testid=wizard-result]")).toBe("Rolled back: recorded as revision 6."));
    expect(backend.lastArgs("rollback")).toEqual([4, ["drop-cnt"]]);
  });

  it("shows why a roll back failed, and stays on the verdict", async () => {
    await open(mock("soak-tweak", { failures: { rollback: new BackendError("busy", "another change is in progress") } }));
    q("[data-testid=verdict-rollback]")!.click();
    await vi.waitFor(() => expect(q("[data-testid=verdict-rollback-error]")).not.toBeNull());
    expect(text("[data-testid=verdict-rollback-error]")).toBe(
      "Roll back failed: busy: another change is in progress — The helper is busy; try again in a moment.",
    );
    expect(phase()).toBe("verdict");
  });

  it("makes the roll back the primary action when the review says so", async () => {
    const rollBack = {
      ...data.reviewTweak,
      review: { ...data.reviewTweak.review, verdict: "roll-back" as const, reasons: ["4 records were dropped since the step: the system cannot keep up with this volume"] },
      tweaks: [],
    };
    await open(mock("soak-tweak", { review: structuredClone(rollBack) }));
    expect(text("[data-testid=verdict-headline]")).toBe("Roll it back");
    expect(q("[data-testid=verdict-rollback]")!.classList.contains("primary")).toBe(true);
  });
});

describe("wizard without a soak to show", () => {
  it("plans as before when no step was ever applied", async () => {
    const backend = new MockBackend();
    await open(backend);
    expect(backend.count("reviewStep")).toBe(1);
    expect(phase()).toBe("plan");
    expect(q("[data-testid=soak-ended]")).toBeNull();
    expect(q("[data-testid=soak-error]")).toBeNull();
    expect(q("[data-testid=skip-soak-note]")).toBeNull();
    expect(q("[data-testid=wizard-back]")).toBeNull();
  });

  it("says why the last soak ended early above the plan", async () => {
    const ended: SoakStatus = {
      ...data.soakingAd,
      state: "ended",
      ended_by: "a change through Earshot (revision 6) changed what is audited",
    };
    await open(new MockBackend({ review: { ...structuredClone(data.reviewSoaking), soak: ended } }));
    expect(phase()).toBe("plan");
    expect(text("[data-testid=soak-ended]")).toBe(
      "The soak of “flags: add ad” ended early: a change through Earshot (revision 6) changed what is audited.",
    );
  });

  it("still plans when the soak cannot be read, and says so", async () => {
    await open(new MockBackend({ failures: { reviewStep: new BackendError("internal", "soak.json is not JSON") } }));
    expect(phase()).toBe("plan");
    expect(text("[data-testid=soak-error]")).toBe("Could not read the last step's soak: internal: soak.json is not JSON");
  });
});
