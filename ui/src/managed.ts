// What the organisation's configuration profile forces on Earshot (glance.managed: the
// managed preferences of org.earshot.Earshot, docs/fleet.md), as the windows show it.
// Apple's rule for managed preferences: a control whose key is forced stays where it
// is, disabled, and says who decides and why — it is never hidden, or people look for
// it elsewhere. The helper refuses the change anyway (code `managed`); the lock only
// says so before anyone tries.

import type { Backend, Managed } from "./backend";
import { h } from "./dom";

/** The managed-preferences domain the profile targets (the app's bundle identifier). */
export const DOMAIN = "org.earshot.Earshot";

/** The short label every lock starts with (the e2e test reads it). */
export const MANAGED_LABEL = "Managed by your organisation";

/** A key the profile forces, and what that means for the locked control. */
export interface Lock {
  key: string;
  value: string;
  /** What follows for people at this Mac, after "sets KEY to VALUE: ". */
  effect: string;
}

/** AllowUserTuning=false: apply, tuning steps and turning auditing on are refused. */
export function tuningLock(m: Managed | null | undefined): Lock | null {
  return m?.allow_user_tuning === false
    ? { key: "AllowUserTuning", value: "false", effect: "changes to audit_control are made by your Mac administrator" }
    : null;
}

/** AllowRollback=false: roll backs are refused (an unconfirmed change still reverts itself). */
export function rollbackLock(m: Managed | null | undefined): Lock | null {
  return m?.allow_rollback === false
    ? { key: "AllowRollback", value: "false", effect: "roll backs are made by your Mac administrator" }
    : null;
}

/** EnableMenuItem forced either way: the user's own choice is kept, but not used. */
export function menuItemLock(m: Managed | null | undefined): Lock | null {
  const forced = m?.enable_menu_item;
  if (forced === null || forced === undefined) return null;
  return {
    key: "EnableMenuItem",
    value: String(forced),
    effect: forced ? "the menu-bar item is always shown" : "the menu-bar item stays hidden (Earshot keeps working)",
  };
}

/** "Your organisation's configuration profile (org.earshot.Earshot) sets AllowRollback to false: …." */
export function lockSentence(lock: Lock): string {
  return `Your organisation's configuration profile (${DOMAIN}) sets ${lock.key} to ${lock.value}: ${lock.effect}.`;
}

/**
 * The explanation beside a locked control: the label, then the sentence naming the key.
 * `id` is what the control's aria-describedby points at, so VoiceOver reads the reason
 * with the disabled control.
 */
export function lockNote(lock: Lock, id: string): HTMLElement {
  return h(
    "p",
    { class: "managed-lock", id, role: "note", "data-testid": "managed-lock", "data-key": lock.key },
    h("span", { class: "managed-label" }, MANAGED_LABEL),
    " ",
    h("span", { class: "managed-why" }, lockSentence(lock)),
  );
}

/** Disables `control` under `lock` (no-op without one), described by the note `noteId`. */
export function lockControl(control: HTMLButtonElement | HTMLInputElement, lock: Lock | null, noteId: string): void {
  if (!lock) return;
  control.disabled = true;
  control.setAttribute("aria-describedby", noteId);
}

/**
 * What is forced now, from one glance; null when nothing is or the glance cannot be
 * read (the helper still refuses what a profile locks, with the reason). `connected`
 * says whether the answer came from the helper: before it does, "nothing forced" is
 * not known yet.
 */
export async function readManaged(backend: Backend): Promise<{ managed: Managed | null; connected: boolean }> {
  try {
    const g = await backend.glance();
    return { managed: g.managed ?? null, connected: g.connection.state === "connected" };
  } catch {
    return { managed: null, connected: false };
  }
}

/** Whether two managed states lock the same things (pushes repeat unchanged ones). */
export function sameManaged(a: Managed | null, b: Managed | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
