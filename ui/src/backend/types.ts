// The shapes the Rust side sends. They mirror src-tauri/src/report.rs, whose serde
// attributes define them (Diagnostic comes from the audit-control crate unchanged).

export type Severity = "error" | "warning" | "info";

export interface Diagnostic {
  /** 1-based; 0 means the finding is about the file as a whole. */
  line: number;
  /** 1-based byte column of the physical line; 0 with line 0. */
  column: number;
  severity: Severity;
  /** Stable identifier such as AC-FLAGS-UNKNOWN-CLASS. */
  code: string;
  message: string;
  hint: string;
}

export type ConfigReport =
  | { status: "checked"; path: string; diagnostics: Diagnostic[] }
  | { status: "missing"; path: string }
  | { status: "unreadable"; path: string; reason: string };
