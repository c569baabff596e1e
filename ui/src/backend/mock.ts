import type { Backend } from "./index";
import type { ConfigReport } from "./types";

/** A scripted backend for tests: answers with the report it was given, counts calls. */
export class MockBackend implements Backend {
  calls = { configDiagnostics: 0, openDashboard: 0, closePopover: 0 };

  constructor(public report: ConfigReport | Error) {}

  async configDiagnostics(): Promise<ConfigReport> {
    this.calls.configDiagnostics += 1;
    if (this.report instanceof Error) throw this.report;
    return structuredClone(this.report);
  }

  async openDashboard(): Promise<void> {
    this.calls.openDashboard += 1;
  }

  async closePopover(): Promise<void> {
    this.calls.closePopover += 1;
  }
}
