import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it } from "vitest";

import { BackendError, tauriBackend } from "../src/backend";
import { preferences } from "../src/backend/mock-data";
import { withProblems } from "./fixtures";

afterEach(() => clearMocks());

/** Records every invoke as [command, args without Tauri's own keys]. */
function recordCalls(answer: (cmd: string) => unknown = () => null): [string, unknown][] {
  const calls: [string, unknown][] = [];
  mockIPC((cmd, args) => {
    calls.push([cmd, args ?? {}]);
    return answer(cmd);
  });
  return calls;
}

describe("Tauri backend", () => {
  it("calls the commands of docs/app-commands.md by their exact names and argument names", async () => {
    const calls = recordCalls((cmd) =>
      cmd === "config_diagnostics"
        ? withProblems
        : cmd === "apply_plan" || cmd === "rollback" || cmd === "rollback_last"
          ? { revision: 5, pending: { revision: 5, deadline_unix: 10 } }
          : cmd === "set_preferences"
            ? null
            : null,
    );
    const b = tauriBackend;
    expect(await b.configDiagnostics()).toEqual(withProblems);
    await b.openDashboard();
    await b.closePopover();
    await b.openWindow("history");
    await b.glance();
    await b.sparkline("hour");
    await b.chart("forecast", "day", "dark");
    await b.chart("soak", "day", "light");
    await b.firstPaint("popover");
    await b.trailPage({ since: 1, until: 2, classes: ["lo"], events: [], user: "501", outcome: "failure", cursor: { file: "f", offset: 9 }, pageSize: 50 });
    await b.compliance("cis-l2");
    await b.planNext("stig-26");
    await b.reviewStep();
    await b.measure({ classes: "ad,-fr", seconds: 600 });
    const applied = await b.applyPlan({ target: "next", base_hash: "b", after_hash: "a" }, ["drop-cnt"], 120);
    await b.applyPlan({ target: "tweak:drop:ad", base_hash: "b", after_hash: "c" }, [], null, true);
    await b.confirm();
    await b.history();
    await b.rollback(2, ["drop-cnt"]);
    await b.rollbackLast();
    await b.getPreferences();
    // A shell that answers set_preferences with nothing keeps what was sent.
    expect(await b.setPreferences(preferences)).toEqual(preferences);

    // The helper's `pending` spelling is read as pending_confirm.
    expect(applied.pending_confirm).toEqual({ revision: 5, deadline_unix: 10 });
    expect(calls).toEqual([
      ["config_diagnostics", {}],
      ["open_dashboard", {}],
      ["close_popover", {}],
      ["open_window", { name: "history" }],
      ["glance", {}],
      ["sparkline", { window: "hour" }],
      ["chart", { kind: "forecast", window: "day", appearance: "dark" }],
      ["chart", { kind: "soak", window: "day", appearance: "light" }],
      ["first_paint", { view: "popover" }],
      ["trail_page", { since: 1, until: 2, classes: ["lo"], events: [], user: "501", outcome: "failure", cursor: { file: "f", offset: 9 }, pageSize: 50 }],
      ["compliance", { baseline: "cis-l2" }],
      ["plan_next", { target: "stig-26" }],
      ["review_step", {}],
      ["measure", { classes: "ad,-fr", seconds: 600 }],
      ["apply_plan", { token: { target: "next", base_hash: "b", after_hash: "a" }, acks: ["drop-cnt"], confirmWithin: 120, skipSoak: false }],
      ["apply_plan", { token: { target: "tweak:drop:ad", base_hash: "b", after_hash: "c" }, acks: [], confirmWithin: null, skipSoak: true }],
      ["confirm", {}],
      ["history", {}],
      ["rollback", { revision: 2, acks: ["drop-cnt"] }],
      ["rollback_last", { acks: [] }],
      ["get_preferences", {}],
      ["set_preferences", { prefs: preferences }],
    ]);
  });

  it("turns a refusal into a BackendError with the helper's code, reason and missing acks", async () => {
    mockIPC(() => {
      throw { code: "refused", helper_code: "ack-required", reason: "acknowledge: add-ahlt", missing_acks: ["add-ahlt"] };
    });
    const err = await tauriBackend.applyPlan({ target: "next", base_hash: "b", after_hash: "a" }, [], null).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    const e = err as BackendError;
    expect(e.code).toBe("ack-required");
    expect(e.reason).toBe("acknowledge: add-ahlt");
    expect(e.missingAcks).toEqual([{ id: "add-ahlt", message: "" }]);
    expect(e.message).toBe("ack-required: acknowledge: add-ahlt");
  });

  it("reads review_step's refusal when no step was applied as not-found, and a soaking refusal as soaking", async () => {
    mockIPC((cmd) => {
      throw cmd === "review_step"
        ? { code: "refused", helper_code: "not-found", reason: "no tuning step has been applied yet: apply one, let it soak, then review it" }
        : { code: "refused", helper_code: "soaking", reason: '"flags: add ad" (revision 5) is soaking' };
    });
    const none = (await tauriBackend.reviewStep().catch((e: unknown) => e)) as BackendError;
    expect(none.code).toBe("not-found");
    const held = (await tauriBackend.applyPlan({ target: "next", base_hash: "b", after_hash: "a" }, [], null).catch((e: unknown) => e)) as BackendError;
    expect(held.code).toBe("soaking");
    expect(held.message).toBe('soaking: "flags: add ad" (revision 5) is soaking');
  });

  it("keeps the shell's own codes and plain-string rejections readable", async () => {
    mockIPC(() => {
      throw { code: "unavailable", reason: "no helper at /run/earshot/helper.sock" };
    });
    await expect(tauriBackend.glance()).rejects.toThrow("unavailable: no helper at /run/earshot/helper.sock");
    mockIPC(() => {
      throw "command glance not allowed by the capability";
    });
    await expect(tauriBackend.glance()).rejects.toThrow("command glance not allowed by the capability");
  });
});
