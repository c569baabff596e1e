// A line diff of two small files (audit_control is a dozen lines): longest common
// subsequence, then the changed lines with one line of context around each hunk.

export interface DiffLine {
  kind: "same" | "del" | "add" | "gap";
  text: string;
  /** 1-based line number in the old (del/same) or new (add) file. */
  line: number | null;
}

function lines(text: string | null): string[] {
  if (text === null || text === "") return [];
  const out = text.split("\n");
  if (out[out.length - 1] === "") out.pop();
  return out;
}

export function lineDiff(before: string | null, after: string, context = 1): DiffLine[] {
  const a = lines(before);
  const b = lines(after);
  // lcs[i][j] = LCS length of a[i..] and b[j..].
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const all: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      all.push({ kind: "same", text: a[i]!, line: i + 1 });
      i++;
      j++;
    } else if (i < a.length && (j >= b.length || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      all.push({ kind: "del", text: a[i]!, line: i + 1 });
      i++;
    } else {
      all.push({ kind: "add", text: b[j]!, line: j + 1 });
      j++;
    }
  }
  // Keep changed lines and `context` lines around them; mark skipped runs with a gap.
  const keep = all.map((_line, k) =>
    all.slice(Math.max(0, k - context), k + context + 1).some((m) => m.kind !== "same"),
  );
  const out: DiffLine[] = [];
  all.forEach((l, k) => {
    if (keep[k]) out.push(l);
    else if (out.length === 0 || out[out.length - 1]!.kind !== "gap") out.push({ kind: "gap", text: "…", line: null });
  });
  return out;
}
