import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it } from "vitest";

import { tauriBackend } from "../src/backend";
import { withProblems } from "./fixtures";

afterEach(() => clearMocks());

describe("Tauri backend", () => {
  it("calls the commands the Rust side registers, by their exact names", async () => {
    const calls: string[] = [];
    mockIPC((cmd) => {
      calls.push(cmd);
      return cmd === "config_diagnostics" ? withProblems : null;
    });
    expect(await tauriBackend.configDiagnostics()).toEqual(withProblems);
    await tauriBackend.openDashboard();
    await tauriBackend.closePopover();
    expect(calls).toEqual(["config_diagnostics", "open_dashboard", "close_popover"]);
  });

  it("passes a rejected command on as an error", async () => {
    mockIPC(() => {
      throw new Error("config_diagnostics not allowed");
    });
    await expect(tauriBackend.configDiagnostics()).rejects.toThrow("not allowed");
  });
});
