import type { ConfigReport, Diagnostic } from "../src/backend";

export const PATH = "/sim/etc/security/audit_control";

export function diag(over: Partial<Diagnostic>): Diagnostic {
  return {
    line: 1,
    column: 1,
    severity: "warning",
    code: "AC-TEST",
    message: "message",
    hint: "hint",
    ...over,
  };
}

export const withProblems: ConfigReport = {
  status: "checked",
  path: PATH,
  diagnostics: [
    diag({
      line: 2,
      column: 7,
      severity: "error",
      code: "AC-FLAGS-UNKNOWN-CLASS",
      message: "“aa # comment” is not a class",
      hint: "Put comments on their own line.",
    }),
    diag({ line: 3, column: 9, severity: "warning", code: "AC-MINFREE-HIGH", hint: "" }),
    diag({ line: 0, column: 0, severity: "info", code: "AC-NO-HOST" }),
  ],
};
