import type { Diagnostic, Severity } from "./backend";

export type Counts = Record<Severity, number>;

export function countBySeverity(diagnostics: readonly Diagnostic[]): Counts {
  const counts: Counts = { error: 0, warning: 0, info: 0 };
  for (const d of diagnostics) counts[d.severity] += 1;
  return counts;
}

/** "2 errors, 1 warning, 0 info" — info is a mass noun, it takes no plural. */
export function summarize(counts: Counts): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  return [
    plural(counts.error, "error"),
    plural(counts.warning, "warning"),
    `${counts.info} info`,
  ].join(", ");
}

/** Where a finding is, as people read it: "3:7", or "file" for whole-file findings. */
export function position(d: Pick<Diagnostic, "line" | "column">): string {
  if (d.line === 0) return "file";
  return d.column > 0 ? `${d.line}:${d.column}` : `${d.line}`;
}
