// Every failed command reaches the views as a BackendError: the Rust side rejects with
// `{code, reason}` (helper error codes from docs/protocol.md, plus the shell's own such
// as `unavailable`), but a plain string or an Error must not turn into "[object Object]".

import type { Diagnostic, Risk } from "./types";

export class BackendError extends Error {
  constructor(
    /** Stable code: `ack-required`, `base-changed`, `managed`, `not-found`, `soaking`, `unavailable`, … */
    readonly code: string,
    /** The reason in plain words, as the helper gave it. */
    readonly reason: string,
    readonly missingAcks: Risk[] = [],
    readonly diagnostics: Diagnostic[] = [],
  ) {
    super(code ? `${code}: ${reason}` : reason);
    this.name = "BackendError";
  }
}

/** `missing_acks` as ids (the app shell) or as {id, message} (the helper protocol). */
function risks(v: unknown): Risk[] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((r): Risk[] =>
    typeof r === "string"
      ? [{ id: r, message: "" }]
      : r && typeof r === "object" && typeof (r as Risk).id === "string"
        ? [{ id: (r as Risk).id, message: String((r as Risk).message ?? "") }]
        : [],
  );
}

function fromObject(o: Record<string, unknown>): BackendError | null {
  // The shell wraps helper refusals as `refused` with the helper's own code beside it;
  // the helper's code is the one that says what to do.
  const code =
    typeof o.helper_code === "string" ? o.helper_code : typeof o.code === "string" ? o.code : null;
  const reason =
    typeof o.reason === "string" ? o.reason : typeof o.message === "string" ? o.message : null;
  if (code === null && reason === null) return null;
  return new BackendError(
    code ?? "",
    reason ?? code ?? "",
    risks(o.missing_acks),
    Array.isArray(o.diagnostics) ? (o.diagnostics as Diagnostic[]) : [],
  );
}

/** Normalises whatever a rejected invoke carried. */
export function toBackendError(err: unknown): BackendError {
  if (err instanceof BackendError) return err;
  if (typeof err === "string") {
    // A shell may send the JSON error as a string.
    if (err.startsWith("{")) {
      try {
        const parsed = fromObject(JSON.parse(err) as Record<string, unknown>);
        if (parsed) return parsed;
      } catch {
        // Not JSON after all: the string is the reason.
      }
    }
    return new BackendError("", err);
  }
  if (err instanceof Error) return new BackendError("", err.message);
  if (err && typeof err === "object") {
    const parsed = fromObject(err as Record<string, unknown>);
    if (parsed) return parsed;
  }
  return new BackendError("", String(err));
}

/** What an error code asks the user to do (docs/protocol.md, "Error codes"). */
export function advice(code: string): string | null {
  switch (code) {
    case "base-changed":
    case "stale-base":
      return "audit_control changed since it was read: the plan was refreshed, review it again.";
    case "ack-required":
      return "Acknowledge each risk before applying.";
    case "validation":
      return "The proposed file has errors; nothing was written.";
    case "not-found":
      // Also review_step's "no step applied yet", which the wizard takes as "no soak".
      return "That revision, pending change or tuning step no longer exists: look again once the view is refreshed.";
    case "soaking":
      return "The previous step is still soaking: Tune Auditing shows how long is left. Review it when the soak ends, or skip its soak knowingly.";
    case "busy":
      return "The helper is busy; try again in a moment.";
    case "unauthenticated":
      return "The app could not prove itself to the helper: pair it again.";
    case "wrong-user":
      return "Only administrators may use the helper.";
    case "unsupported":
      return "Not available on this system.";
    case "unavailable":
      return "The privileged helper is not reachable.";
    case "invalid":
    case "invalid-request":
      return "A value was out of range; check the fields.";
    case "timeout":
      return "The helper did not answer in time.";
    case "managed":
      // A configuration profile (org.earshot.Earshot) locks the change; the reason names the key.
      return "Your organisation manages this Mac's auditing: ask your Mac administrator.";
    case "unsafe-config":
      return "audit_control is not a plain file Earshot can trust (a link, a pipe or far too large); the status says how to fix it.";
    default:
      return null;
  }
}
