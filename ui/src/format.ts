// Numbers as people read them: decimal units for disk (as Finder shows), binary units
// where audit_control speaks binary (filesz, expire-after use MiB/GiB), short rates.

/**
 * Bytes in words: decimal units for disk space (as Finder shows it: "181 GB"), or binary
 * units for sizes that came from audit_control values, which are binary ("5 GiB").
 */
export function bytes(n: number | null | undefined, units: "decimal" | "binary" = "decimal"): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "—";
  const [step, names] =
    units === "binary" ? [1024, ["B", "KiB", "MiB", "GiB", "TiB"]] : [1000, ["B", "kB", "MB", "GB", "TB"]];
  let v = Math.abs(n);
  let i = 0;
  while (v >= step && i < names.length - 1) {
    v /= step;
    i++;
  }
  const text =
    units === "binary"
      ? Number.isInteger(Math.round(v * 10) / 10)
        ? String(Math.round(v))
        : v.toFixed(1)
      : v.toFixed(i === 0 || v >= 100 ? 0 : 1);
  return `${n < 0 ? "-" : ""}${text} ${names[i]}`;
}

/** Sizes from audit_control values ("5 GiB"): [`bytes`] in binary units. */
export const binaryBytes = (n: number): string => bytes(n, "binary");

/** Events per second with two significant digits, as in the tray title. */
export function rate(eps: number): string {
  if (!Number.isFinite(eps)) return "—";
  if (eps === 0) return "0";
  if (eps >= 100) return eps.toFixed(0);
  if (eps < 0.001) return "<0.001";
  return String(Number(eps.toPrecision(2)));
}

/** Counts per day: 1.5k, 40k, 1.2M. */
export function count(n: number): string {
  if (!Number.isFinite(n)) return "—";
  if (n < 1000) return n < 10 && !Number.isInteger(n) ? n.toFixed(1) : Math.round(n).toString();
  if (n < 1e6) return `${(n / 1e3).toFixed(n < 1e4 ? 1 : 0)}k`;
  return `${(n / 1e6).toFixed(n < 1e7 ? 1 : 0)}M`;
}

export function days(d: number): string {
  if (d < 1) return `${Math.max(1, Math.round(d * 24))} hours`;
  const r = Math.round(d);
  return `${r} ${r === 1 ? "day" : "days"}`;
}

/** Unix seconds → "2026-11-18 09:02 UTC" (admins compare with trail names, which are UTC). */
export function utc(unix: number): string {
  return new Date(unix * 1000).toISOString().slice(0, 16).replace("T", " ") + " UTC";
}

/** m:ss for a countdown. */
export function clock(secs: number): string {
  const s = Math.max(0, Math.ceil(secs));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}
