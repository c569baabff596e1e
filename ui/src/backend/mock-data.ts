// Data for the mocked backend: a laptop-like simulated Mac in a few states. Used by the
// unit tests and by the screenshot build (scripts/screenshots), never by the app itself.
// Numbers are in the ranges docs/tuning-guide.md and docs/charts describe.

import type {
  ComplianceReport,
  ConfigReport,
  Glance,
  History,
  Managed,
  Plan,
  Preferences,
  RuleResult,
  SoakStatus,
  StepReview,
  Tailoring,
  TrailRecord,
  Tweak,
} from "./types";

export const NOW = 1_795_000_000; // 2026-11-18T…Z: fixed, so screenshots do not move.
const GB = 1_000_000_000;
const GiB = 1024 ** 3;

export const configChecked: ConfigReport = {
  status: "checked",
  path: "/etc/security/audit_control",
  diagnostics: [
    {
      line: 7,
      column: 14,
      severity: "warning",
      code: "AC-EXPIRE-AFTER-SMALL",
      message: "`10M` keeps ten mebibytes of trails, not ten minutes",
      hint: "Write `60d OR 5G` to keep 60 days, capped at 5 GiB.",
    },
  ],
};

export const glanceOk: Glance = {
  connection: { state: "connected", reason: null },
  health: {
    state: "auditing",
    severity: "ok",
    summary: "Auditing is on and the trail is growing.",
    evidence: [
      { source: "audit -c", observation: "AUC_AUDITING" },
      { source: "/var/audit/current", observation: "20261118090000.not_terminated, 1.2 MB, written 4 s ago" },
      { source: "launchctl print system/com.apple.auditd", observation: "loaded" },
    ],
    fix: null,
  },
  tray: { glyph: "ok", title: null, visible: true },
  headroom: {
    dir: "/var/audit",
    volume_bytes: 494 * GB,
    free_bytes: 181 * GB,
    free_percent: 36.6,
    minfree_percent: 5,
    threshold_percent: 5,
    bytes_above_minfree: 156.3 * GB,
    below_minfree: false,
  },
  forecast: {
    bytes_per_day: 11_900_000,
    minfree: "never",
    minfree_days: null,
    cap_bytes: 5 * GiB,
    retention_secs: 60 * 86_400,
  },
  rates: {
    window: "hour",
    covered_secs: 3600,
    total_eps: 0.061,
    total_bytes_per_s: 11.0,
    by_class: [
      { class: "aa", eps: 0.052, bytes_per_s: 4.9 },
      { class: "ad", eps: 0.007, bytes_per_s: 1.2 },
      { class: "lo", eps: 0.0021, bytes_per_s: 0.31 },
    ],
  },
  warnings: [],
  pending_confirm: null,
  head_revision: 3,
  drift: false,
  soak: null,
  managed: null,
  simulated: false,
  updated_unix: NOW,
};

export const glanceWarning: Glance = {
  ...glanceOk,
  health: {
    state: "low_space",
    severity: "warning",
    summary: "The audit volume is below minfree: 8.1 % free, minfree is 10 %.",
    evidence: [
      { source: "statfs /var/audit", observation: "40.0 GB free of 494 GB (8.1 %)" },
      { source: "audit_control minfree", observation: "10 (kernel fires at 10.0 %)" },
      { source: "audit -c", observation: "AUC_AUDITING" },
    ],
    fix: "Free space on the volume, or lower expire-after so old trails are deleted sooner (Tune Auditing proposes a budget).",
  },
  tray: { glyph: "warning", title: "40 GB", visible: true },
  headroom: {
    dir: "/var/audit",
    volume_bytes: 494 * GB,
    free_bytes: 40 * GB,
    free_percent: 8.1,
    minfree_percent: 10,
    threshold_percent: 10,
    bytes_above_minfree: 0,
    below_minfree: true,
  },
  forecast: {
    bytes_per_day: 2.9 * GiB,
    minfree: "already_below",
    minfree_days: null,
    cap_bytes: null,
    retention_secs: null,
  },
  rates: {
    window: "hour",
    covered_secs: 3600,
    total_eps: 38.4,
    total_bytes_per_s: 6912.0,
    by_class: [
      { class: "fa", eps: 9.1, bytes_per_s: 1820 },
      { class: "fr", eps: 6.2, bytes_per_s: 1180 },
      { class: "ex", eps: 1.4, bytes_per_s: 560 },
      { class: "aa", eps: 0.3, bytes_per_s: 28 },
    ],
  },
  warnings: [
    { id: "below-minfree", level: "error", text: "Below minfree on /var/audit: auditd rotates and expires at every write.", since: NOW - 3_600 },
    { id: "never-expires", level: "warning", text: "expire-after is not set: trails are never deleted.", since: NOW - 86_400 * 3 },
    { id: "drift", level: "warning", text: "audit_control was edited outside Earshot (revision 3).", since: NOW - 86_400 * 5 },
  ],
  pending_confirm: null,
  head_revision: 3,
};

export const glanceMinfreeSoon: Glance = {
  ...glanceOk,
  forecast: { bytes_per_day: 1.3 * GiB, minfree: "reached", minfree_days: 12.4, cap_bytes: null, retention_secs: null },
};

export const glanceUnknown: Glance = {
  connection: {
    state: "unavailable",
    reason: "no helper at /var/run/earshot/helper.sock (is earshot-helper installed and running?)",
  },
  health: {
    state: "unknown",
    severity: "unknown",
    summary: "Status unknown: the privileged helper is not reachable.",
    evidence: [],
    fix: "Install or restart the helper (System Settings → General → Login Items → Earshot).",
  },
  tray: { glyph: "unknown", title: null, visible: true },
  headroom: null,
  forecast: null,
  rates: null,
  warnings: [],
  pending_confirm: null,
  head_revision: null,
  drift: false,
  soak: null,
  managed: null,
  simulated: false,
  updated_unix: NOW,
};

export const glanceOff: Glance = {
  ...glanceUnknown,
  connection: { state: "connected", reason: null },
  health: {
    state: "not_configured",
    severity: "off",
    summary: "Auditing is off: /etc/security/audit_control does not exist (macOS 14+ default).",
    evidence: [{ source: "/etc/security/audit_control", observation: "missing" }],
    fix: "Tune Auditing enables it from audit_control.example, as mSCP does.",
  },
  tray: { glyph: "off", title: null, visible: true },
};

const AUDIT_CONTROL_BEFORE =
  "dir:/var/audit\nflags:lo,aa\nminfree:5\nnaflags:lo,aa\npolicy:cnt,argv\nfilesz:2M\nexpire-after:60d OR 5G\n";
const AUDIT_CONTROL_AD =
  "dir:/var/audit\nflags:lo,aa,ad\nminfree:5\nnaflags:lo,aa\npolicy:cnt,argv\nfilesz:2M\nexpire-after:60d OR 5G\n";
const AUDIT_CONTROL_AHLT = AUDIT_CONTROL_AD.replace("policy:cnt,argv", "policy:ahlt,argv");

function range(typical: number, low = typical * 0.8, high = typical * 1.25) {
  return { low, typical, high };
}

export const planAddAd: Plan = {
  step: "add-flag",
  concern: "flags",
  title: "flags: +ad (administrative actions)",
  why: "CIS Level 2, the STIG and 800-53 require administrative actions: time changes, mounts, changes to the audit configuration itself. It is the next-cheapest class on this Mac.",
  before: AUDIT_CONTROL_BEFORE,
  after: AUDIT_CONTROL_AD,
  diff: [
    {
      key: "flags",
      before: "lo,aa",
      after: "lo,aa,ad",
      meaning: "also record administrative actions (ad) on success and failure",
    },
  ],
  semantic_diff: [{ key: "flags", text: "flags: +ad", risks: [] }],
  risks: [],
  warnings: ["On some Macs sandbox-related mac_syscall events make ad busy; the soak will show it."],
  activation: [
    "the helper writes the file atomically (root:wheel, 0440) and runs `audit -s`",
    "flags apply at the next login: log out and back in",
  ],
  needs_relogin: true,
  prediction: {
    classes: [
      { class: "lo", side: "success", events_per_day: range(38), bytes_per_day: range(5_700), source: "measured", added: false },
      { class: "aa", side: "success", events_per_day: range(4_298), bytes_per_day: range(403_948), source: "measured", added: false },
      { class: "aa", side: "failure", events_per_day: range(191), bytes_per_day: range(17_951), source: "measured", added: false },
      { class: "ad", side: "success", events_per_day: { low: 50, typical: 1_500, high: 40_000 }, bytes_per_day: { low: 8_500, typical: 255_000, high: 6_800_000 }, source: "reference", added: true },
      { class: "ad", side: "failure", events_per_day: { low: 20, typical: 800, high: 30_000 }, bytes_per_day: { low: 3_400, typical: 136_000, high: 5_100_000 }, source: "reference", added: true },
    ],
    events_per_day: { low: 4_397, typical: 6_827, high: 74_527 },
    bytes_per_day: { low: 442_000, typical: 818_600, high: 12_430_000 },
    change_bytes_per_day: { low: 11_900, typical: 391_000, high: 11_900_000 },
    retention_days: { low: 60, typical: 60, high: 60 },
    retention: "expire-after 60d OR 5G keeps about 60 days of history (range 60 days–60 days)",
    time_to_minfree_days: null,
    minfree: "does not reach minfree (5%) at the typical rate: 153.7 GiB of room, and expire-after caps the trails below it",
    uses_reference_figures: true,
    notes: ["ad is not audited yet: its figures are reference figures for one interactive Mac; the first soak replaces them."],
  },
  alternatives: [],
};

export const planAhlt: Plan = {
  ...planAddAd,
  step: "failure-halt",
  concern: "policy",
  title: "policy: ahlt (halt on audit failure, fail-stop)",
  why: "NIST 800-53 high (AU-5) wants the system to stop rather than run unaudited. This variant drops cnt, so a full volume blocks audited processes and the Mac panics.",
  before: AUDIT_CONTROL_AD,
  after: AUDIT_CONTROL_AHLT,
  diff: [
    {
      key: "policy",
      before: "cnt,argv",
      after: "ahlt,argv",
      meaning: "panic on a trail write error; without cnt a full volume blocks audited processes, then panics",
    },
  ],
  semantic_diff: [
    {
      key: "policy",
      text: "policy: cnt,argv → ahlt,argv",
      risks: [
        { id: "drop-cnt", message: "without cnt, processes that generate audit records block when the audit volume is full" },
        { id: "add-ahlt", message: "with ahlt, a trail write error panics the kernel: the Mac reboots" },
      ],
    },
  ],
  risks: [
    { id: "drop-cnt", message: "without cnt, processes that generate audit records block when the audit volume is full" },
    { id: "add-ahlt", message: "with ahlt, a trail write error panics the kernel: the Mac reboots" },
  ],
  warnings: ["Keep minfree and expire-after sized so the volume never fills, and watch the trail volume for I/O errors."],
  alternatives: [
    {
      title: "Keep cnt: policy cnt,ahlt,argv",
      explanation: "A trail write error still panics, but a full volume drops records and suspends auditing instead of blocking the Mac. Satisfies the rule and mSCP's check too.",
      after: AUDIT_CONTROL_AD.replace("policy:cnt,argv", "policy:cnt,ahlt,argv"),
      diff: [{ key: "policy", before: "cnt,argv", after: "cnt,ahlt,argv", meaning: "panic on a trail write error only" }],
      risks: [{ id: "add-ahlt", message: "with ahlt, a trail write error panics the kernel: the Mac reboots" }],
    },
  ],
  activation: ["the helper writes the file atomically (root:wheel, 0440) and runs `audit -s`"],
  needs_relogin: false,
  prediction: {
    ...planAddAd.prediction,
    classes: planAddAd.prediction.classes.map((c) => ({ ...c, added: false, source: "measured" })),
    change_bytes_per_day: { low: 0, typical: 0, high: 0 },
    uses_reference_figures: false,
    notes: [],
  },
};

const AUDIT_CONTROL_EX = AUDIT_CONTROL_AD.replace("flags:lo,aa,ad", "flags:lo,aa,ad,-ex");

/** The rung after `+ad`: failed program executions. */
export const planFailedEx: Plan = {
  ...planAddAd,
  step: "add-flag",
  concern: "flags",
  title: "flags: add -ex",
  why: "CIS Level 1 and the STIG require failed program executions: attempts to run what a user may not. Failures only, so it is cheap.",
  before: AUDIT_CONTROL_AD,
  after: AUDIT_CONTROL_EX,
  diff: [{ key: "flags", before: "lo,aa,ad", after: "lo,aa,ad,-ex", meaning: "also record failed program executions (ex), failures only" }],
  semantic_diff: [{ key: "flags", text: "flags: -ex (failures only)", risks: [] }],
  warnings: [],
  prediction: {
    ...planAddAd.prediction,
    classes: [
      ...planAddAd.prediction.classes.map((c) => ({ ...c, added: false })),
      { class: "ex", side: "failure", events_per_day: { low: 5, typical: 120, high: 3_000 }, bytes_per_day: { low: 1_500, typical: 36_000, high: 900_000 }, source: "reference", added: true },
    ],
    events_per_day: { low: 4_402, typical: 6_947, high: 77_527 },
    bytes_per_day: { low: 443_500, typical: 854_600, high: 13_330_000 },
    change_bytes_per_day: { low: 1_500, typical: 36_000, high: 900_000 },
    notes: ["ex is not audited yet: its figures are reference figures for one interactive Mac; the first soak replaces them."],
  },
};

export const history: History = {
  chain_intact: true,
  chain_problem: null,
  revisions: [
    {
      number: 3,
      time_unix: NOW - 86_400 * 5,
      uid: 0,
      user: "outside Earshot",
      source: "external",
      reason: "edited outside Earshot",
      hash: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
      chain: "80a00f0b51c6d51dc228b0b2b1f4fb3a510da55c0aaef2a956d7c488180d68f9",
      changes: [{ key: "minfree", old: "5", new: "10", summary: "minfree: 5 → 10" }],
      acks: [],
      confirmation: null,
    },
    {
      number: 2,
      time_unix: NOW - 86_400 * 9,
      uid: 501,
      user: "alice",
      source: "apply",
      reason: "retention: 60d OR 5G (CIS)",
      hash: "fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9",
      chain: "9bf8fbf86b1155eaf40ae924ee01d833c5b9ef127bf106804fb65abde2b2edcf",
      changes: [{ key: "expire-after", old: "10M", new: "60d OR 5G", summary: "expire-after: 10M → 60d OR 5G" }],
      acks: [],
      confirmation: "confirmed",
    },
    {
      number: 1,
      time_unix: NOW - 86_400 * 30,
      uid: 0,
      user: "system",
      source: "original",
      reason: "audit_control as found before Earshot's first change",
      hash: "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
      chain: "ea7e662688e5a89f0afb384607d22431431403d1c354b99ff86cff86b64b62c2",
      changes: [],
      acks: [],
      confirmation: null,
    },
  ],
};

export const preferences: Preferences = {
  title: "none",
  alerts: { stopped: true, below_minfree: true, forecast_days_threshold: 14, drift: true, soak: true },
  launch_at_login: false,
  hide_menu_item: false,
};

// ---- soaks: a step measured for days after it was applied, then reviewed ------------
// The figures and sentences are the helper's own, from a run on a simulated laptop
// (crates/earshot-cli/tests/it/soak_cli.rs and docs/tuning-guide.md §6, "A worked
// example"): retention soaked a day and cost what was predicted; then `flags: add ad`
// soaks three days, once as predicted and once with the Mac three times busier.

const DAY = 86_400;
const AD_SOAK_REASON =
  "it adds +ad,-ad, expected at 70.0 events a day at least: 171 events (the step's volume to ±15 %) take 2.4 days";
/** Predicted for the laptop of the worked example: 426 KiB/day (340–532). */
const LAPTOP_PREDICTED = { low: 348_569.6, typical: 436_007, high: 544_665.6 };

/** History of the soak scenarios: revision 5 is the step "flags: add ad" (the second of
 * the user's plan, after the retention of revision 2), applied at `applied`. */
export function soakHistory(applied: number): History {
  return {
    ...history,
    revisions: [
      {
        number: 5,
        time_unix: applied,
        uid: 501,
        user: "alice",
        source: "apply",
        reason: "flags: add ad",
        hash: "3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d",
        chain: "2e7d2c03a9507ae265ecf5b5356885a53393a2029d241394997265a1a25aefc6",
        changes: [{ key: "flags", old: "lo,aa", new: "lo,aa,ad", summary: "flags: adds ad (administrative)" }],
        acks: [],
        confirmation: "confirmed",
      },
      {
        number: 4,
        time_unix: NOW - DAY * 4,
        uid: 501,
        user: "alice",
        source: "rollback",
        reason: "roll back to revision 2",
        hash: "fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9",
        chain: "18ac3e7343f016890c510e93f935261169d9e3f565436429830faf0934f4f8e4",
        changes: [{ key: "minfree", old: "10", new: "5", summary: "minfree: 10 → 5" }],
        acks: [],
        confirmation: null,
      },
      ...structuredClone(history.revisions),
    ],
  };
}

const AD_STARTED = NOW - Math.round(0.62 * DAY);

/** Day 1 of 3 of `flags: add ad`, writing about half what was predicted so far. */
export const soakingAd: SoakStatus = {
  revision: 5,
  number: 2,
  step: "add-flag",
  title: "flags: add ad",
  started_unix: AD_STARTED,
  ends_unix: AD_STARTED + 3 * DAY,
  soak_days: 3,
  soak_reason: AD_SOAK_REASON,
  days_observed: 0.62,
  state: "soaking",
  ended_by: null,
  predicted: { low: 362_700, typical: 827_400, high: 12_477_000 },
  measured_bytes_per_day: 437_000,
  ratio: 0.53,
  over_budget: null,
  review: null,
  summary: "flags: add ad — day 1 of 3 — 0.53× the predicted volume so far",
};

export const reviewSoaking: StepReview = {
  soak: soakingAd,
  review: {
    verdict: "keep-soaking",
    reasons: ["soaking: 15 hours of 3 days observed", "so far 0.53× the predicted typical volume"],
    days_observed: 0.62,
    ratio: 0.53,
  },
  next: null,
  next_risks: [],
  next_token: null,
  tweaks: [],
  rollback_to: 4,
};

/** `flags` without ad again: the drop the review proposes when ad costs far too much. */
export const planDropAd: Plan = {
  ...planAddAd,
  step: "add-flag",
  concern: "flags",
  title: "flags: drop ad",
  why: "the step's new class ad costs more than predicted; stop auditing it and keep the rest",
  before: AUDIT_CONTROL_AD,
  after: AUDIT_CONTROL_BEFORE,
  diff: [{ key: "flags", before: "lo,aa,ad", after: "lo,aa", meaning: "stop recording administrative actions (ad)" }],
  semantic_diff: [{ key: "flags", text: "flags: lo,aa,ad → lo,aa", risks: [] }],
  risks: [],
  warnings: [],
  prediction: {
    ...planAddAd.prediction,
    classes: planAddAd.prediction.classes.filter((c) => c.class !== "ad"),
    events_per_day: { low: 3_622, typical: 4_527, high: 5_659 },
    bytes_per_day: { low: 342_079, typical: 427_599, high: 534_499 },
    // Against the 1.2 MiB/day measured during the soak.
    change_bytes_per_day: { low: -853_618, typical: -853_618, high: -853_618 },
    uses_reference_figures: false,
    notes: ["lo and aa figures are measured on this Mac; ad's 1.2 MiB/day less is what the soak measured."],
  },
};

export const tweakDropAd: Tweak = {
  id: "drop:ad",
  title: "flags: drop ad",
  why: "the step's new class ad costs more than predicted; stop auditing it and keep the rest",
  plan: planDropAd,
  risks: [],
  token: {
    target: "tweak:drop:ad",
    base_hash: "3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d",
    after_hash: "fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9",
  },
};

const AD_OVER_STARTED = NOW - Math.round(1.4 * DAY);

/** Day 2 of 3, the Mac three times busier: badly over budget, the tray warns. */
export const soakingAdOver: SoakStatus = {
  ...soakingAd,
  started_unix: AD_OVER_STARTED,
  ends_unix: AD_OVER_STARTED + 3 * DAY,
  days_observed: 1.4,
  predicted: { low: 348_805.6, typical: 436_007, high: 545_008.75 },
  measured_bytes_per_day: 1_281_217,
  ratio: 2.94,
  over_budget: "flags: add ad writes 1.2 MiB/day, above its predicted 340.6 KiB–532.2 KiB: 2.9× the predicted volume",
  summary: "flags: add ad — day 2 of 3 — 2.94× the predicted volume so far",
};

export const reviewSoakingOver: StepReview = {
  soak: soakingAdOver,
  review: {
    verdict: "keep-soaking",
    reasons: ["soaking: 34 hours of 3 days observed", "so far 2.94× the predicted typical volume"],
    days_observed: 1.4,
    ratio: 2.94,
  },
  next: null,
  next_risks: [],
  next_token: null,
  tweaks: [tweakDropAd],
  rollback_to: 4,
};

/** The retention step (revision 2), soaked a day: it cost what was predicted. */
export const reviewedRetention: SoakStatus = {
  revision: 2,
  number: 1,
  step: "retention",
  title: "expire-after: 60d OR 5G",
  started_unix: NOW - DAY * 9,
  ends_unix: NOW - DAY * 8,
  soak_days: 1,
  soak_reason: "adds no class: one daily cycle shows what the change costs",
  days_observed: 1,
  state: "reviewed",
  ended_by: null,
  predicted: LAPTOP_PREDICTED,
  measured_bytes_per_day: 429_568,
  ratio: 429_568 / LAPTOP_PREDICTED.typical,
  over_budget: null,
  review: {
    verdict: "next-step",
    reasons: ["measured 419.5 KiB/day, predicted 340.4 KiB–531.9 KiB: as predicted (0.99× typical)"],
    days_observed: 1,
    ratio: 429_568 / LAPTOP_PREDICTED.typical,
  },
  summary: "expire-after: 60d OR 5G — soaked 24 hours: review says take the next step",
};

export const reviewNextStep: StepReview = {
  soak: reviewedRetention,
  review: reviewedRetention.review!,
  next: planAddAd,
  next_risks: [],
  next_token: {
    target: "next",
    base_hash: "fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9",
    after_hash: "3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d",
  },
  tweaks: [],
  rollback_to: 1,
};

const AD_REVIEWED_STARTED = NOW - Math.round(3.2 * DAY);

/** `flags: add ad` soaked its three days at 2.9× the prediction: tweak it. */
export const reviewedAdTweak: SoakStatus = {
  ...soakingAd,
  started_unix: AD_REVIEWED_STARTED,
  ends_unix: AD_REVIEWED_STARTED + 3 * DAY,
  days_observed: 3,
  state: "reviewed",
  predicted: LAPTOP_PREDICTED,
  measured_bytes_per_day: 1_281_217,
  ratio: 1_281_217 / LAPTOP_PREDICTED.typical,
  over_budget: "flags: add ad writes 1.2 MiB/day, above its predicted 340.4 KiB–531.9 KiB: 2.9× the predicted volume",
  review: {
    verdict: "tweak",
    reasons: [
      "measured 1.2 MiB/day is above the predicted range (up to 531.9 KiB): 2.9× typical",
      "at 2.9× the prediction the step costs far more than planned: drop the class it added, or size retention for the measured volume, before stacking another step on it",
    ],
    days_observed: 3,
    ratio: 1_281_217 / LAPTOP_PREDICTED.typical,
  },
  summary: "flags: add ad — soaked 3 days: review says tweak",
};

export const reviewTweak: StepReview = {
  soak: reviewedAdTweak,
  review: reviewedAdTweak.review!,
  next: null,
  next_risks: [],
  next_token: null,
  tweaks: [tweakDropAd],
  rollback_to: 4,
};

/** The finding the helper adds while a step is badly over budget (glance warning). */
function overBudgetWarning(s: SoakStatus): Glance["warnings"][number] {
  return {
    id: "soak-over-budget",
    level: "warning",
    text: `${s.over_budget}: review the step (Tune Auditing) before it costs more`,
    since: s.started_unix + Math.round(0.9 * DAY),
  };
}

/** `flags: add ad` soaked its three days at about half the prediction: within its
 * (wide, reference) range, so on to the next rung. What docs/charts'
 * laptop-soak-as-predicted.svg draws. */
export const reviewedAd: SoakStatus = {
  ...soakingAd,
  started_unix: AD_REVIEWED_STARTED,
  ends_unix: AD_REVIEWED_STARTED + 3 * DAY,
  days_observed: 3,
  state: "reviewed",
  measured_bytes_per_day: 437_146,
  ratio: 437_146 / soakingAd.predicted.typical,
  review: {
    verdict: "next-step",
    reasons: ["measured 426.9 KiB/day, predicted 354.2 KiB–11.9 MiB: as predicted (0.53× typical)"],
    days_observed: 3,
    ratio: 437_146 / soakingAd.predicted.typical,
  },
  summary: "flags: add ad — soaked 3 days: review says take the next step",
};

export const reviewAdNext: StepReview = {
  soak: reviewedAd,
  review: reviewedAd.review!,
  next: planFailedEx,
  next_risks: [],
  next_token: {
    target: "next",
    base_hash: "3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d",
    after_hash: "5b0a1a8c3fd7ef6bb7b2a1f7b59c8a6e08c2d6a1c4f1a3e4b7d0c9e8f6a5b4c3",
  },
  tweaks: [],
  rollback_to: 4,
};

export const glanceSoaking: Glance = { ...glanceOk, soak: soakingAd, head_revision: 5 };

// The trail itself is fine (health ok); the helper's verdict is a warning, and the tray
// shows the worse of the two (earshot-glance glance.rs).
export const glanceSoakOver: Glance = {
  ...glanceOk,
  tray: { glyph: "warning", title: null, visible: true },
  warnings: [overBudgetWarning(soakingAdOver)],
  soak: soakingAdOver,
  head_revision: 5,
};

export const glanceSoakReviewed: Glance = { ...glanceOk, soak: reviewedAd, head_revision: 5 };

export const glanceSoakTweak: Glance = {
  ...glanceOk,
  tray: { glyph: "warning", title: null, visible: true },
  warnings: [overBudgetWarning(reviewedAdTweak)],
  soak: reviewedAdTweak,
  head_revision: 5,
};

// ---- trail records: a deterministic day on a laptop with lo,aa,ad,-ex,-fr ----------

const EVENTS = [
  { number: 45021, name: "AUE_lw_login", description: "loginwindow login", classes: ["lo"] },
  { number: 45025, name: "AUE_ssauthorize", description: "SecSrvr AuthEngine", classes: ["aa"] },
  { number: 45028, name: "AUE_sudo", description: "sudo(1)", classes: ["aa"] },
  { number: 23, name: "AUE_EXECVE", description: "execve(2)", classes: ["pc", "ex"] },
  { number: 72, name: "AUE_OPEN_R", description: "open(2) - read", classes: ["fr"] },
  { number: 45000, name: "AUE_audit_startup", description: "audit startup", classes: ["ad"] },
  { number: 43127, name: "AUE_MAC_SYSCALL", description: "mac_syscall(2)", classes: ["ad"] },
] as const;

const USERS: [number, string][] = [
  [501, "alice"],
  [502, "bob"],
  [4294967295, "(unset)"],
];

export function userName(auid: number): string {
  return USERS.find(([id]) => id === auid)?.[1] ?? String(auid);
}

export function trailRecords(count = 240): TrailRecord[] {
  const out: TrailRecord[] = [];
  let offset = 0;
  const start = Date.UTC(2026, 10, 18, 0, 0, 0);
  // A fixed linear congruential sequence: varied, and the same on every run.
  const weights = [1, 6, 2, 5, 4, 0, 2];
  const total = weights.reduce((a, b) => a + b, 0);
  let seed = 12345;
  for (let i = 0; i < count; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    let pick = (seed >>> 8) % total;
    let e = 0;
    while (pick >= weights[e]!) pick -= weights[e++]!;
    const ev = i === 0 ? EVENTS[5] : EVENTS[e]!;
    const auid = USERS[i % 5 === 0 ? 2 : i % 3 === 0 ? 1 : 0]![0];
    const failed = ev.name === "AUE_OPEN_R" || (ev.name === "AUE_sudo" && i % 4 === 0) || (i % 11 === 0 && ev.name === "AUE_EXECVE");
    const length = 90 + ((i * 37) % 180);
    const rec: TrailRecord = {
      type: "record",
      offset,
      length,
      time: new Date(start + i * 6 * 60_000 + (i % 60) * 1000 + 397).toISOString(),
      event: { ...ev, classes: [...ev.classes] },
      modifier: 0,
      version: 11,
      subject: {
        kind: "32_ex",
        auid,
        euid: ev.name === "AUE_sudo" && !failed ? 0 : auid === 4294967295 ? 0 : auid,
        egid: 20,
        ruid: auid === 4294967295 ? 0 : auid,
        rgid: 20,
        pid: 400 + ((i * 131) % 60_000),
        session: auid === 4294967295 ? 0 : 100_001,
        terminal: { port: 0, address: "0.0.0.0" },
      },
      return: failed
        ? { status: 13, success: false, value: -1, errno: "EACCES", error: "Permission denied" }
        : { status: 0, success: true, value: 0 },
      trail_file: "20261118000000.20261119000000",
      trail_offset: offset,
    };
    if (ev.name === "AUE_EXECVE") {
      rec.paths = ["/usr/bin/git", "/usr/bin/git"];
      rec.exec_args = ["git", "-C", "/Users/alice/src/earshot", "status", "--short"];
      rec.args = [];
    } else if (ev.name === "AUE_OPEN_R") {
      rec.paths = [`/Users/bob/Library/Keychains/login.keychain-db`];
      rec.args = [{ num: 2, value: 0, text: "flags" }];
    } else if (ev.name === "AUE_sudo") {
      rec.text = ["sudo: command=/usr/sbin/audit -s"];
    } else if (ev.name === "AUE_ssauthorize") {
      rec.text = ["system.privilege.admin"];
    } else if (ev.name === "AUE_MAC_SYSCALL") {
      rec.args = [{ num: 1, value: 0x5, text: "call" }];
      rec.text = ["Sandbox"];
    } else {
      rec.text = [ev.description];
    }
    out.push(rec);
    offset += length;
  }
  return out;
}

// ---- a Mac managed by its organisation ---------------------------------------------
// A fleet Mac whose configuration profile (deploy/profiles/org.earshot.Earshot.mobileconfig,
// docs/fleet.md) keeps audit_control and its roll backs with the administrators, hides
// the menu-bar item, requires CIS Level 2 with its own retention and one exemption, and
// sets one key out of range (which the helper reports and ignores).

export const managedProfile: Managed = {
  profile: true,
  enable_menu_item: false,
  allow_user_tuning: false,
  allow_rollback: false,
  baseline: "cis-l2",
  tailoring: {
    odv: { audit_retention_configure: "90d" },
    exemptions: { audit_flags_ad_configure: "admin events come from the EDR" },
    source: "managed:org.earshot.Earshot",
  },
  snapshot_interval_secs: null,
  event_export_enabled: true,
  event_export_path: "/var/log/earshot",
  event_export_max_mb: 512,
  problems: [{ key: "SnapshotIntervalSecs", message: "must be an integer from 60 to 86400; ignored" }],
};

export const glanceManaged: Glance = {
  ...glanceOk,
  // EnableMenuItem=false wins over the user's choice, and the ignored key is a finding
  // of the helper's: the glyph is the worse of it and the trail's health (earshot-glance
  // glance.rs).
  tray: { glyph: "warning", title: null, visible: false },
  warnings: [
    {
      id: "managed-profile-problems",
      level: "warning",
      text: "the configuration profile for org.earshot.Earshot sets keys Earshot ignores (SnapshotIntervalSecs); `earshot managed validate` lists them",
      since: NOW - 86_400 * 2,
    },
  ],
  managed: managedProfile,
};

/** The helper's refusal under a lock (earshot_model::managed::Managed::locked_reason). */
export function lockedReason(key: string, value: string): string {
  return `Managed by your organisation: the configuration profile for org.earshot.Earshot sets ${key} to ${value}. Ask your Mac administrator.`;
}

// ---- compliance -------------------------------------------------------------------
// The catalogue follows mSCP tahoe_rev3 (docs/fleet.md): its CIS retention value is 30d,
// 7d elsewhere. This Mac keeps `60d OR 5G`, which the size cap lets fall short of both.

export const MSCP_RELEASE = "tahoe_rev3";

const EXPIRE_AFTER = "60d OR 5G";

function rule(over: Partial<RuleResult> & Pick<RuleResult, "number" | "id" | "title" | "status">): RuleResult {
  return {
    cis: "3.2",
    stig: null,
    nist_800_53: ["AU-2", "AU-12"],
    severity: null,
    odv: null,
    found: "",
    expected: "",
    mscp_literal: { verdict: over.status === "fail" ? "fail" : "pass", output: "1", expected: "1" },
    disagreement: null,
    mscp_check: "/usr/bin/awk -F':' '/^flags/ { print $NF }' /etc/security/audit_control",
    fix: "add the flag to the flags line; takes effect at the next login (audit -s does not change running sessions)",
    ...over,
  };
}

/** audit_retention_configure against `odv` (the release's, or the organisation's). */
function retention(odv: string): RuleResult {
  const days = /^(\d+)d$/.exec(odv);
  // Past 60 days the age limit deletes what the ODV keeps; below it, the 5 GiB cap does.
  const found =
    days && Number(days[1]) > 60
      ? `expire-after ${EXPIRE_AFTER} deletes a trail 60 days old, which \`${odv}\` would keep`
      : `expire-after ${EXPIRE_AFTER} deletes even the newest closed trail once all trails total more than 5 GiB, which \`${odv}\` would keep`;
  return rule({
    number: 11,
    id: "audit_retention_configure",
    title: "Configure audit retention (expire-after)",
    status: "fail",
    cis: "3.4",
    stig: "APPL-26-001029",
    nist_800_53: ["AU-11", "AU-4"],
    odv,
    odv_source: "release",
    found,
    expected: `expire-after keeps at least what \`${odv}\` keeps (never deletes a trail the ODV would keep)`,
    mscp_literal: { verdict: "fail", output: EXPIRE_AFTER, expected: odv },
    mscp_check: "/usr/bin/awk -F: '/expire-after/{print $2}' /etc/security/audit_control",
    fix: `set the expire-after line to expire-after:${odv}; audit -s`,
  });
}

/** A result once the organisation's tailoring applies, as evaluate_tailored reports it:
 *  its value in place of the release's, and an exempt rule checked but never a pass. */
function tailored(r: RuleResult, t: Tailoring): RuleResult {
  let out = r;
  const value = t.odv[r.id];
  if (value !== undefined && r.odv !== null && r.id === "audit_retention_configure") {
    out = { ...retention(String(value)), odv_source: "organisation", release_odv: r.odv };
  }
  const reason = t.exemptions[r.id];
  if (reason !== undefined) out = { ...out, status: "exempt", checked: out.status, exempt_reason: reason };
  return out;
}

/** The report for `baseline`, tailored by `tailoring` (null or empty: as the release publishes it). */
export function complianceReport(baseline: string, tailoring: Tailoring | null = null): ComplianceReport {
  const titles: Record<string, string> = {
    "cis-l1": "CIS Apple macOS Benchmark, Level 1",
    "cis-l2": "CIS Apple macOS Benchmark, Level 2",
    "stig-26": "DISA STIG, Apple macOS 26 (Tahoe)",
    "800-53-moderate": "NIST SP 800-53 rev. 5, moderate",
    "800-53-high": "NIST SP 800-53 rev. 5, high",
  };
  const release = baseline.startsWith("cis") ? "30d" : "7d";
  const t = tailoring && (Object.keys(tailoring.odv).length > 0 || Object.keys(tailoring.exemptions).length > 0) ? tailoring : null;
  const results: RuleResult[] = [
    rule({ number: 1, id: "audit_auditd_enabled", title: "Enable security auditing", status: "pass", cis: "3.1", stig: "APPL-26-001003", found: "auditd job loaded, audit_control present, kernel auditing on", expected: "com.apple.auditd loaded, audit_control present, AUC_AUDITING", fix: "launchctl enable system/com.apple.auditd; launchctl bootstrap …; audit -i" }),
    rule({ number: 2, id: "audit_flags_lo_configure", title: "Audit all log in and log out events (lo)", status: "pass", found: "flags:lo,aa → effective lo,aa; lo is audited on success and failure", expected: "`lo`: lo events audited on success and failure" }),
    rule({ number: 4, id: "audit_flags_ad_configure", title: "Audit all administrative action events (ad)", status: "fail", found: "flags:lo,aa → effective lo,aa; ad is NOT audited on success and failure", expected: "`ad`: ad events audited on success and failure", mscp_literal: { verdict: "fail", output: "0", expected: "1" } }),
    rule({ number: 5, id: "audit_flags_ex_configure", title: "Audit all failed program execution (-ex)", status: "pass", found: "flags:lo,aa,-all → -ex is covered by -all", expected: "`-ex`: ex events audited on failure", mscp_literal: { verdict: "fail", output: "0", expected: "1" }, disagreement: "-all covers failed executions; mSCP's check does not recognise `all` and looks for the literal `-ex` token" }),
    retention(release),
    rule({ number: 18, id: "audit_acls_files_configure", title: "Configure audit log files to not contain access control lists", status: "unknown", found: "ACLs are not visible without the helper", expected: "no ACL on any trail file", mscp_literal: null, fix: "chmod -N /var/audit/*" }),
    rule({ number: 21, id: "audit_folder_owner_configure", title: "Configure audit log folders to be owned by root", status: "pass", found: "/var/audit: root:wheel 0700", expected: "owner root", mscp_literal: { verdict: "pass", output: "0", expected: "0" }, fix: "chown root /var/audit" }),
    rule({ number: 27, id: "audit_offload_records", title: "Off-load audit records", status: "manual", found: "no technical check", expected: "records off-loaded to a separate system", mscp_literal: null, mscp_check: "", fix: "forward trails with your log pipeline (the technology does not support it natively)" }),
  ].map((r) => (t ? tailored(r, t) : r));
  const count = (s: string) => results.filter((r) => r.status === s).length;
  return {
    baseline: baseline as ComplianceReport["baseline"],
    title: titles[baseline] ?? baseline,
    mscp_release: MSCP_RELEASE,
    tailoring: t ? structuredClone(t) : null,
    results,
    summary: {
      pass: count("pass"),
      fail: count("fail"),
      not_applicable: count("not-applicable"),
      manual: count("manual"),
      inherent: count("inherent"),
      unknown: count("unknown"),
      exempt: count("exempt"),
      mscp_disagreements: results.filter((r) => r.disagreement).length,
    },
  };
}
