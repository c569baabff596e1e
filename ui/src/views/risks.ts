// Acknowledgement checkboxes for risks, shared by the rollback confirmations (the
// wizard has its own, fuller card). The app's refusals carry risk ids only, so the
// wording comes from here: docs/protocol.md's risk table, in a user's words.

import type { Risk } from "../backend";
import { h } from "../dom";

export const RISK_TEXT: Record<string, string> = {
  "drop-cnt": "without cnt, processes that generate audit records block when the audit volume is full",
  "add-ahlt": "with ahlt, a trail write error panics the kernel: the Mac reboots",
  "add-arge": "arge records the environment of every exec (often tokens and passwords) and makes exec records several KiB larger",
  "na-in-flags": "the na class in flags records nothing useful: it belongs in naflags",
  "minfree-out-of-range": "minfree outside 5–50: above 50 the low-space warning fires all the time",
  "filesz-zero": "filesz 0 never rotates by size, so old trails are never expired",
  "no-expire-after": "nothing is ever deleted: trails grow until the volume reaches its limits",
  "dir-change": "the trail folder changes: new trails go elsewhere",
  "expire-shortens": "retention gets shorter: older trails are deleted sooner",
};

export function riskText(r: Risk): string {
  return r.message || RISK_TEXT[r.id] || r.id;
}

/** One checkbox per risk; `onChange` runs after `acks` is updated. */
export function riskChecks(prefix: string, risks: Risk[], acks: Set<string>, onChange: () => void): HTMLElement {
  return h(
    "div",
    { class: "risk-checks", "data-testid": `${prefix}-risks` },
    ...risks.map((r) => {
      const id = `${prefix}-ack-${r.id}`;
      const box = h("input", { type: "checkbox", id, "data-testid": id, "data-risk": r.id });
      box.checked = acks.has(r.id);
      box.addEventListener("change", () => {
        if (box.checked) acks.add(r.id);
        else acks.delete(r.id);
        onChange();
      });
      return h(
        "div",
        { class: "risk" },
        box,
        h("label", { for: id }, h("strong", {}, "I understand: "), riskText(r), " ", h("code", { class: "risk-id" }, r.id)),
      );
    }),
  );
}
