// A soaking step's progress in words, the same in the wizard and the popover, counted as
// the helper's own summary counts it (earshot-tuning plan/soak.rs `summary`).

import type { SoakStatus } from "./backend";

/** "day 2 of 3" (the day under way, never past the last), or "soaking 12 h" for a soak
 *  under a day. */
export function soakWhen(s: Pick<SoakStatus, "soak_days" | "days_observed">): string {
  if (s.soak_days < 1) return `soaking ${Math.max(1, Math.round(s.soak_days * 24))} h`;
  const of = Math.max(1, Math.ceil(s.soak_days));
  const day = Math.min(Math.floor(s.days_observed) + 1, of);
  return `day ${day} of ${of}`;
}
