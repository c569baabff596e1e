import { beforeEach, describe, expect, it, vi } from "vitest";

import { advice, type Glance, type Managed } from "../src/backend";
import { MockBackend, scenario } from "../src/backend/mock";
import * as data from "../src/backend/mock-data";
import { MANAGED_LABEL } from "../src/managed";
import { ComplianceView, odvText, tailoringText } from "../src/views/compliance";
import { HistoryView, mountHistory } from "../src/views/history";
import { Popover } from "../src/views/popover";
import { mountPreferences } from "../src/views/preferences";
import { Wizard, mountWizard } from "../src/views/wizard";

// What an organisation's configuration profile forces (glance.managed): every control it
// locks stays on screen, disabled, with "Managed by your organisation" and the key beside
// it; the helper (here the mock) refuses the change anyway with the code `managed`.

let root: HTMLElement;
const q = <T extends HTMLElement = HTMLElement>(sel: string) => root.querySelector<T>(sel);
const text = (sel: string) => q(sel)?.textContent ?? null;
const button = (testid: string) => q<HTMLButtonElement>(`[data-testid=${testid}]`)!;
const locks = () => Array.from(root.querySelectorAll<HTMLElement>("[data-testid=managed-lock]"));

const TUNING_SENTENCE =
  "Your organisation's configuration profile (org.earshot.Earshot) sets AllowUserTuning to false: changes to audit_control are made by your Mac administrator.";
const ROLLBACK_SENTENCE =
  "Your organisation's configuration profile (org.earshot.Earshot) sets AllowRollback to false: roll backs are made by your Mac administrator.";

/** A profile that forces nothing but `over`. */
function profile(over: Partial<Managed> = {}): Managed {
  return {
    profile: true,
    enable_menu_item: null,
    allow_user_tuning: null,
    allow_rollback: null,
    baseline: null,
    tailoring: { odv: {}, exemptions: {} },
    snapshot_interval_secs: null,
    event_export_enabled: null,
    event_export_path: null,
    event_export_max_mb: null,
    problems: [],
    ...over,
  };
}

function glanceWith(managed: Managed | null, base: Glance = data.glanceOk): Glance {
  return { ...structuredClone(base), managed };
}

/** A mock in a screenshot scenario, under `managed`. */
function mock(name: string, managed: Managed | null): MockBackend {
  const s = scenario(name);
  return new MockBackend({ ...s, glance: glanceWith(managed, s.glance ?? data.glanceOk) });
}

/** The lock whose control points at it, checked to say why. */
function expectLockFor(control: HTMLElement, sentence: string): void {
  expect(control).toBeDefined();
  expect((control as HTMLButtonElement).disabled).toBe(true);
  const id = control.getAttribute("aria-describedby")!;
  const note = root.querySelector<HTMLElement>(`#${id}`)!;
  expect(note.dataset.testid).toBe("managed-lock");
  expect(note.textContent).toBe(`${MANAGED_LABEL} ${sentence}`);
  expect(note.getAttribute("role")).toBe("note");
}

async function wizard(backend: MockBackend): Promise<Wizard> {
  const w = new Wizard(root, backend, { now: () => data.NOW });
  await w.load();
  return w;
}

beforeEach(() => {
  document.body.innerHTML = "";
  root = document.createElement("div");
  document.body.append(root);
});

describe("AllowUserTuning=false", () => {
  it.each([
    ["the plan's Apply", "ok", "wizard-apply"],
    ["the review's next step", "soak-reviewed", "verdict-next"],
  ])("locks %s from its first paint, even when the glance comes after the step", async (_, name, testid) => {
    const backend = mock(name, profile({ allow_user_tuning: false }));
    // A glance slower than the plan or the review: they must still wait for it.
    const real = backend.glance.bind(backend);
    backend.glance = async () => {
      await new Promise((r) => setTimeout(r, 20));
      return real();
    };
    // Every such button ever painted: none may be enabled, not even for one frame.
    const painted: boolean[] = [];
    const seen = new MutationObserver((records) => {
      for (const r of records) {
        for (const n of Array.from(r.addedNodes)) {
          if (!(n instanceof Element)) continue;
          for (const b of Array.from(n.querySelectorAll<HTMLButtonElement>(`[data-testid=${testid}]`))) painted.push(b.disabled);
        }
      }
    });
    seen.observe(root, { childList: true, subtree: true });
    await mountWizard(root, backend, { now: () => data.NOW });
    seen.disconnect();
    expect(painted.length).toBeGreaterThan(0);
    expect(painted.every((disabled) => disabled)).toBe(true);
    expectLockFor(button(testid), TUNING_SENTENCE);
  });

  it("shows the step it locks, with why in the apply bar", async () => {
    const backend = mock("ok", profile({ allow_user_tuning: false }));
    await wizard(backend);
    // The step stays readable; only taking it is locked.
    expect(text("[data-testid=wizard-step-title]")).toBe("flags: +ad (administrative actions)");
    expectLockFor(button("wizard-apply"), TUNING_SENTENCE);
    expect(q(".apply-bar [data-testid=managed-lock]")).not.toBeNull();
    expect(q<HTMLInputElement>("[data-testid=wizard-auto-revert]")!.disabled).toBe(true);
    // The risks and the trial measurement are reading, not changing: they stay.
    expect(button("measure").disabled).toBe(false);
  });

  it("keeps Apply locked whatever is acknowledged, and says no ack is missing", async () => {
    await wizard(new MockBackend({ plan: data.planAhlt, glance: glanceWith(profile({ allow_user_tuning: false })) }));
    expect(q("[data-testid=ack-hint]")!.hidden).toBe(true);
    q<HTMLInputElement>("[data-testid=wizard-ack-drop-cnt]")!.click();
    q<HTMLInputElement>("[data-testid=wizard-ack-add-ahlt]")!.click();
    expect(button("wizard-apply").disabled).toBe(true);
    expect(q("[data-testid=ack-hint]")!.hidden).toBe(true);
  });

  it("asks again once the helper answers, when the first glance came while connecting", async () => {
    const backend = mock("ok", profile({ allow_user_tuning: false }));
    const real = backend.glance.bind(backend);
    let calls = 0;
    backend.glance = async () => {
      calls++;
      if (calls === 1) return { ...structuredClone(data.glanceUnknown), connection: { state: "connecting", reason: null } };
      return real();
    };
    await wizard(backend);
    expect(calls).toBe(2);
    expectLockFor(button("wizard-apply"), TUNING_SENTENCE);
  });

  it("follows a pushed profile both ways", async () => {
    const backend = new MockBackend();
    await wizard(backend);
    expect(button("wizard-apply").disabled).toBe(false);
    expect(locks()).toHaveLength(0);
    backend.push(glanceWith(profile({ allow_user_tuning: false })));
    await vi.waitFor(() => expect(button("wizard-apply").disabled).toBe(true));
    expect(locks()).toHaveLength(1);
    // A glance from an unreachable helper knows nothing of the profile: the lock stays.
    backend.push(glanceWith(null, data.glanceUnknown));
    await Promise.resolve();
    expect(button("wizard-apply").disabled).toBe(true);
    backend.push(glanceWith(null));
    await vi.waitFor(() => expect(button("wizard-apply").disabled).toBe(false));
    expect(locks()).toHaveLength(0);
    expect(button("wizard-apply").hasAttribute("aria-describedby")).toBe(false);
  });

  it("locks skipping a soak and the tweaks offered while it runs over budget", async () => {
    await wizard(mock("soak-over", profile({ allow_user_tuning: false })));
    expect(q("main")!.dataset.phase).toBe("soaking");
    const skip = q<HTMLInputElement>("[data-testid=wizard-skip-soak]")!;
    expect(skip.disabled).toBe(true);
    expectLockFor(button("wizard-skip-plan"), TUNING_SENTENCE);
    expect(q("[data-testid=skip-soak] [data-testid=managed-lock]")).not.toBeNull();
    expectLockFor(button("verdict-tweak-drop-ad"), TUNING_SENTENCE);
    expect(q("[data-testid=soak-over-budget] [data-testid=managed-lock]")).not.toBeNull();
  });

  it("locks the review's next step and tweaks, not its roll back", async () => {
    await wizard(mock("soak-reviewed", profile({ allow_user_tuning: false })));
    expectLockFor(button("verdict-next"), TUNING_SENTENCE);
    expect(button("verdict-rollback").disabled).toBe(false);
    expect(locks()).toHaveLength(1);

    await wizard(mock("soak-tweak", profile({ allow_user_tuning: false })));
    expectLockFor(button("verdict-tweak-drop-ad"), TUNING_SENTENCE);
    expect(button("verdict-rollback").disabled).toBe(false);
  });
});

describe("AllowRollback=false", () => {
  it("locks the popover's Roll Back Last Change…, with why under it", async () => {
    const p = new Popover(root, new MockBackend({ glance: glanceWith(profile({ allow_rollback: false })) }), { now: () => data.NOW });
    await p.refresh();
    expectLockFor(button("rollback-last"), ROLLBACK_SENTENCE);
    expect(q(".footer [data-testid=managed-lock]")).not.toBeNull();
    // The other ways onward stay open.
    expect(button("open-wizard").disabled).toBe(false);
  });

  it("locks every roll back in History, with the label beside each button and why above the list", async () => {
    const backend = new MockBackend({ glance: glanceWith(profile({ allow_rollback: false })) });
    await mountHistory(root, backend, 1);
    for (const rev of [2, 1]) expectLockFor(button(`history-rollback-${rev}`), ROLLBACK_SENTENCE);
    const labels = Array.from(root.querySelectorAll("[data-testid^=history-row-] [data-testid=managed-lock]"));
    expect(labels.map((l) => l.textContent)).toEqual([MANAGED_LABEL, MANAGED_LABEL]);
    // ?rollback=1 (the tray's way here) does not open a confirmation it could not keep.
    expect(q("[data-testid=rollback-confirm]")).toBeNull();
    button("history-rollback-1").click();
    expect(backend.count("rollback")).toBe(0);
  });

  it("locks the review's roll back, and Revert Now after an apply", async () => {
    await wizard(mock("soak-tweak", profile({ allow_rollback: false })));
    expectLockFor(button("verdict-rollback"), ROLLBACK_SENTENCE);
    expect(q(".action.rollback [data-testid=managed-lock]")).not.toBeNull();
    expect(button("verdict-tweak-drop-ad").disabled).toBe(false);

    const backend = new MockBackend({ glance: glanceWith(profile({ allow_rollback: false })), now: () => data.NOW });
    await wizard(backend);
    button("wizard-apply").click();
    await vi.waitFor(() => expect(q("[data-testid=countdown-panel]")).not.toBeNull());
    expectLockFor(button("wizard-revert"), ROLLBACK_SENTENCE);
    expect(button("wizard-keep").disabled).toBe(false);
  });
});

describe("without a profile", () => {
  it.each([
    ["no profile", null],
    ["a profile that forces none of them", profile({ baseline: "cis-l2", problems: [] })],
  ])("locks nothing with %s", async (_, managed) => {
    const backend = mock("ok", managed);
    await wizard(backend);
    expect(button("wizard-apply").disabled).toBe(false);
    expect(locks()).toHaveLength(0);

    await wizard(mock("soak-tweak", managed));
    expect(button("verdict-tweak-drop-ad").disabled).toBe(false);
    expect(button("verdict-rollback").disabled).toBe(false);
    expect(locks()).toHaveLength(0);

    await wizard(mock("soaking", managed));
    q<HTMLInputElement>("[data-testid=wizard-skip-soak]")!.click();
    expect(button("wizard-skip-plan").disabled).toBe(false);

    const p = new Popover(root, mock("ok", managed));
    await p.refresh();
    expect(button("rollback-last").disabled).toBe(false);

    const h = new HistoryView(root, mock("ok", managed));
    await h.load();
    expect(button("history-rollback-2").disabled).toBe(false);
    expect(locks()).toHaveLength(0);

    await mountPreferences(root, mock("ok", managed));
    expect(q<HTMLInputElement>("[data-testid=pref-show-menu-item]")!.disabled).toBe(false);
    expect(locks()).toHaveLength(0);
    expect(q("[data-testid=managed-problems]")).toBeNull();
  });
});

describe("preferences under a profile", () => {
  it("saves the user's choice to hide the menu-bar item when nothing forces it", async () => {
    const backend = new MockBackend();
    await mountPreferences(root, backend);
    const box = q<HTMLInputElement>("[data-testid=pref-show-menu-item]")!;
    expect(box.checked).toBe(true);
    expect(text("label[for=pref-show-menu-item]")).toContain("Show Earshot in the menu bar");
    box.click();
    button("save").click();
    await vi.waitFor(() => expect(text("[data-testid=save-status]")).toBe("Saved."));
    expect((backend.lastArgs("setPreferences")![0] as { hide_menu_item: boolean }).hide_menu_item).toBe(true);
    // The tray follows the user's choice while nothing forces it.
    expect(backend.state.glance.tray.visible).toBe(false);
    await mountPreferences(root, backend);
    expect(q<HTMLInputElement>("[data-testid=pref-show-menu-item]")!.checked).toBe(false);
  });

  it("shows EnableMenuItem's forced value, disabled, with why, and keeps the user's own choice", async () => {
    const backend = new MockBackend({
      glance: glanceWith(profile({ enable_menu_item: false })),
      prefs: { ...data.preferences, hide_menu_item: false },
    });
    await mountPreferences(root, backend);
    const box = q<HTMLInputElement>("[data-testid=pref-show-menu-item]")!;
    expect(box.checked).toBe(false);
    expectLockFor(box, "Your organisation's configuration profile (org.earshot.Earshot) sets EnableMenuItem to false: the menu-bar item stays hidden (Earshot keeps working).");
    // Saving the rest stores the user's choice as it was, not the forced value.
    q<HTMLInputElement>("[data-testid=alert-drift]")!.click();
    button("save").click();
    await vi.waitFor(() => expect(text("[data-testid=save-status]")).toBe("Saved."));
    expect(backend.lastArgs("setPreferences")![0]).toMatchObject({ hide_menu_item: false, alerts: { drift: false } });
    expect(backend.state.glance.tray.visible).toBe(false);

    await mountPreferences(root, new MockBackend({ glance: glanceWith(profile({ enable_menu_item: true })), prefs: { ...data.preferences, hide_menu_item: true } }));
    expect(q<HTMLInputElement>("[data-testid=pref-show-menu-item]")!.checked).toBe(true);
    expect(q<HTMLInputElement>("[data-testid=pref-show-menu-item]")!.disabled).toBe(true);
    expect(text("[data-testid=managed-lock]")).toContain("sets EnableMenuItem to true: the menu-bar item is always shown.");
  });

  it("lists the keys the profile sets that Earshot ignores", async () => {
    await mountPreferences(root, new MockBackend(scenario("managed")));
    expect(text("[data-testid=managed-problems]")).toContain(
      "Your organisation's profile sets keys Earshot ignores:SnapshotIntervalSecs — must be an integer from 60 to 86400; ignored",
    );
    expect(q("[data-testid=managed-problems]")!.getAttribute("role")).toBe("note");
  });

  it("follows a pushed profile in place, keeping what the user changed and not saved", async () => {
    const backend = new MockBackend();
    await mountPreferences(root, backend);
    q<HTMLInputElement>("[data-testid=title-events]")!.click();
    backend.push(glanceWith(profile({ enable_menu_item: false, problems: [{ key: "Baseline", message: "must be a string; ignored" }] })));
    await vi.waitFor(() => expect(q<HTMLInputElement>("[data-testid=pref-show-menu-item]")!.disabled).toBe(true));
    expect(q<HTMLInputElement>("[data-testid=title-events]")!.checked).toBe(true);
    expect(text("[data-testid=managed-problems]")).toContain("Baseline");
    // The box the user unticks before the profile goes comes back as they left it.
    backend.push(glanceWith(null));
    await vi.waitFor(() => expect(q<HTMLInputElement>("[data-testid=pref-show-menu-item]")!.disabled).toBe(false));
    expect(q<HTMLInputElement>("[data-testid=pref-show-menu-item]")!.checked).toBe(true);
    expect(q("[data-testid=managed-problems]")).toBeNull();
    expect(locks()).toHaveLength(0);
  });
});

describe("the compliance tab, tailored", () => {
  it("shows the release, the tailoring, the exempt rule with its reason and the organisation's value", async () => {
    const view = new ComplianceView(root, new MockBackend(scenario("managed")));
    await view.load();
    expect(text("[data-testid=mscp-release]")).toBe("mSCP tahoe_rev3");
    expect(q("[data-testid=tailoring]")!.firstChild!.textContent).toBe(
      "Tailored by your organisation (managed:org.earshot.Earshot): 1 value, 1 exemption",
    );
    expect(text("[data-testid=compliance-summary]")).toBe("4 pass · 1 fail · 1 exempt · 1 unknown · 1 manual/inherent · 1 mSCP disagreement");

    const ad = q("[data-id=audit_flags_ad_configure]")!;
    expect(ad.dataset.status).toBe("exempt");
    expect(ad.querySelector("[data-testid=status]")!.textContent).toBe("Exempt");
    expect(ad.querySelector("[data-testid=exempt-reason]")!.textContent).toBe(
      "Exempt by your organisation: admin events come from the EDRChecked anyway: fail.",
    );
    // What the checks saw stays; a fix for a rule the organisation exempted does not.
    expect(ad.querySelector("[data-testid=found]")!.textContent).toContain("ad is NOT audited");
    expect(ad.querySelector("[data-testid=rule-fix]")).toBeNull();

    const retention = q("[data-id=audit_retention_configure]")!;
    expect(retention.querySelector("[data-testid=odv]")!.textContent).toBe("90d (your organisation's; mSCP tahoe_rev3 says 30d)");
    expect(retention.dataset.status).toBe("fail");
    expect(retention.querySelector("[data-testid=rule-fix]")!.textContent).toContain("expire-after:90d");

    // Work to do is what fails or is unknown: an exempt rule is neither.
    q<HTMLInputElement>("[data-testid=problems-only]")!.click();
    const statuses = Array.from(root.querySelectorAll<HTMLElement>("[data-testid=rule]"), (r) => r.dataset.status);
    expect(statuses).toEqual(["fail", "unknown"]);
  });

  it("opens on the baseline the organisation requires, and still checks the one picked", async () => {
    const backend = new MockBackend(scenario("managed"));
    const view = new ComplianceView(root, backend);
    await view.load();
    expect(backend.lastArgs("compliance")).toEqual(["cis-l2"]);
    const picker = q<HTMLSelectElement>("[data-testid=baseline]")!;
    expect(picker.value).toBe("cis-l2");
    expect(picker.selectedOptions[0]!.textContent).toBe("CIS Level 2 (required by your organisation)");
    picker.value = "stig-26";
    picker.dispatchEvent(new Event("change"));
    await vi.waitFor(() => expect(backend.lastArgs("compliance")).toEqual(["stig-26"]));
    // The organisation's value replaces this baseline's release value too.
    await vi.waitFor(() => expect(text("[data-id=audit_retention_configure] [data-testid=odv]")).toBe("90d (your organisation's; mSCP tahoe_rev3 says 7d)"));
    expect(backend.count("glance")).toBe(1);
  });

  it("never shows an exempt rule as a pass, even when its checks pass", async () => {
    const tailoring = { odv: {}, exemptions: { audit_flags_lo_configure: "logins are audited by the identity provider" } };
    const view = new ComplianceView(root, new MockBackend({ glance: glanceWith(profile({ tailoring })) }));
    await view.load();
    const lo = q("[data-id=audit_flags_lo_configure]")!;
    expect(lo.dataset.status).toBe("exempt");
    expect(lo.querySelector("[data-testid=status]")!.textContent).toBe("Exempt");
    expect(lo.querySelector(".tag.pass")).toBeNull();
    expect(lo.querySelector("[data-testid=exempt-checked]")!.textContent).toBe("Checked anyway: pass.");
    expect(text("[data-testid=compliance-summary]")).toMatch(/^3 pass · 2 fail · 1 exempt/);
    expect(q("[data-testid=tailoring]")!.firstChild!.textContent).toBe("Tailored by your organisation: 1 exemption");
  });

  it("words the tailoring and the values", () => {
    expect(tailoringText({ odv: { a: "90d", b: 15 }, exemptions: {}, source: "file:/etc/earshot/tailoring.plist" })).toBe(
      "Tailored by your organisation (file:/etc/earshot/tailoring.plist): 2 values",
    );
    const r = data.complianceReport("cis-l1").results.find((x) => x.id === "audit_retention_configure")!;
    expect(odvText(r, "tahoe_rev3")).toBe("30d");
    expect(odvText({ ...r, odv: "90d", odv_source: "organisation", release_odv: "30d" }, "tahoe_rev3")).toBe(
      "90d (your organisation's; mSCP tahoe_rev3 says 30d)",
    );
    expect(odvText({ ...r, odv: "90d", odv_source: "organisation" }, "tahoe_rev3")).toBe("90d (your organisation's)");
    expect(odvText({ ...r, odv: null }, "tahoe_rev3")).toBeNull();
  });
});

describe("a refusal with the code managed", () => {
  const REASON = data.lockedReason("AllowUserTuning", "false");
  const ADVICE = "Your organisation manages this Mac's auditing: ask your Mac administrator.";

  it("has its advice", () => {
    expect(advice("managed")).toBe(ADVICE);
    expect(REASON).toBe(
      "Managed by your organisation: the configuration profile for org.earshot.Earshot sets AllowUserTuning to false. Ask your Mac administrator.",
    );
  });

  it("is what the mock answers in the managed scenario", async () => {
    const backend = new MockBackend(scenario("managed"));
    const token = { target: "next" as const, base_hash: "mock-base", after_hash: "x" };
    await expect(backend.applyPlan(token, [], null)).rejects.toMatchObject({ code: "managed", reason: REASON });
    await expect(backend.rollback(1)).rejects.toMatchObject({ code: "managed", reason: data.lockedReason("AllowRollback", "false") });
    await expect(backend.rollbackLast()).rejects.toMatchObject({ code: "managed" });
    expect(backend.state.history.revisions[0]!.number).toBe(3);
  });

  it("shows the reason and the advice in the wizard, then the lock", async () => {
    const backend = new MockBackend();
    await wizard(backend);
    // The profile arrives after the plan was shown, with no push: the helper refuses.
    backend.state.glance = glanceWith(profile({ allow_user_tuning: false }));
    button("wizard-apply").click();
    await vi.waitFor(() => expect(q("[data-testid=wizard-error]")).not.toBeNull());
    expect(text("[data-testid=error-code]")).toBe(`managed: ${REASON}`);
    expect(text("[data-testid=wizard-error]")).toContain(ADVICE);
    expectLockFor(button("wizard-apply"), TUNING_SENTENCE);
  });

  it("shows the reason and the advice in History and the popover", async () => {
    const backend = new MockBackend();
    const view = new HistoryView(root, backend);
    await view.load();
    backend.state.glance = glanceWith(profile({ allow_rollback: false }));
    button("history-rollback-2").click();
    button("history-confirm-rollback").click();
    await vi.waitFor(() => expect(q("[data-testid=history-error]")).not.toBeNull());
    expect(text("[data-testid=history-error]")).toBe(
      `Roll back failed: managed: ${data.lockedReason("AllowRollback", "false")} — ${ADVICE}`,
    );
    expectLockFor(button("history-rollback-2"), ROLLBACK_SENTENCE);

    const popoverBackend = new MockBackend();
    const p = new Popover(root, popoverBackend);
    await p.refresh();
    button("rollback-last").click();
    await vi.waitFor(() => expect(q("[data-testid=rollback-confirm]")).not.toBeNull());
    popoverBackend.state.glance = glanceWith(profile({ allow_rollback: false }));
    button("rollback-confirm-go").click();
    await vi.waitFor(() => expect(text("[data-testid=result]")).toContain("Roll back failed"));
    expect(text("[data-testid=result]")).toBe(`Roll back failed: managed: ${data.lockedReason("AllowRollback", "false")} — ${ADVICE}`);
    // The refresh after it brings the lock.
    await vi.waitFor(() => expect(button("rollback-last").disabled).toBe(true));
    expect(q("[data-testid=managed-lock]")).not.toBeNull();
  });

  it("shows the reason and the advice for the review's roll back", async () => {
    const backend = mock("soak-tweak", null);
    await wizard(backend);
    backend.state.glance = glanceWith(profile({ allow_rollback: false }));
    button("verdict-rollback").click();
    await vi.waitFor(() => expect(q("[data-testid=verdict-rollback-error]")).not.toBeNull());
    expect(text("[data-testid=verdict-rollback-error]")).toBe(
      `Roll back failed: managed: ${data.lockedReason("AllowRollback", "false")} — ${ADVICE}`,
    );
    expectLockFor(button("verdict-rollback"), ROLLBACK_SENTENCE);
  });
});

describe("the managed scenario", () => {
  it("is a Mac whose profile locks changes and roll backs, hides the item and tailors CIS Level 2", () => {
    const g = scenario("managed").glance!;
    expect(g.managed).toMatchObject({
      profile: true,
      allow_user_tuning: false,
      allow_rollback: false,
      enable_menu_item: false,
      baseline: "cis-l2",
      tailoring: { odv: { audit_retention_configure: "90d" }, source: "managed:org.earshot.Earshot" },
    });
    expect(g.tray.visible).toBe(false);
  });
});
