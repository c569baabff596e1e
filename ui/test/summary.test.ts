import { describe, expect, it } from "vitest";

import { countBySeverity, position, summarize } from "../src/summary";
import { withProblems } from "./fixtures";

describe("summary", () => {
  it("counts each severity", () => {
    if (withProblems.status !== "checked") throw new Error("fixture");
    expect(countBySeverity(withProblems.diagnostics)).toEqual({ error: 1, warning: 1, info: 1 });
  });

  it("pluralizes errors and warnings but not info", () => {
    expect(summarize({ error: 1, warning: 0, info: 2 })).toBe("1 error, 0 warnings, 2 info");
    expect(summarize({ error: 2, warning: 1, info: 1 })).toBe("2 errors, 1 warning, 1 info");
  });

  it("shows line:column, a bare line, or 'file' for whole-file findings", () => {
    expect(position({ line: 12, column: 3 })).toBe("12:3");
    expect(position({ line: 12, column: 0 })).toBe("12");
    expect(position({ line: 0, column: 0 })).toBe("file");
  });
});
