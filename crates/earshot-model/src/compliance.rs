//! A Mac against a compliance baseline (CIS Level 1/2, DISA STIG, NIST 800-53r5):
//! one result per mSCP audit rule, Earshot's verdict beside mSCP's literal one.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The baselines Earshot knows, spelled in JSON as on the command line
/// (`Baseline::NAMES`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum Baseline {
    #[serde(rename = "cis-l1")]
    CisL1,
    #[serde(rename = "cis-l2")]
    CisL2,
    /// DISA STIG for macOS 15 Sequoia (still has `audit_failure_halt`, APPL-15-001010).
    #[serde(rename = "stig-15")]
    Stig15,
    /// DISA STIG for macOS 26 Tahoe (no `ahlt` requirement).
    #[serde(rename = "stig-26")]
    Stig26,
    #[serde(rename = "800-53-low")]
    Nist53Low,
    #[serde(rename = "800-53-moderate")]
    Nist53Moderate,
    #[serde(rename = "800-53-high")]
    Nist53High,
    /// Every audit rule with the "recommended" ODVs (mSCP's `all_rules`), including
    /// the manual ones no baseline above contains.
    All,
}

/// The error of an unknown baseline name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown baseline `{0}` (expected one of: {names})", names = Baseline::NAMES.join(", "))]
pub struct UnknownBaseline(pub String);

impl Baseline {
    pub const ALL: [Baseline; 8] = [
        Baseline::CisL1,
        Baseline::CisL2,
        Baseline::Stig15,
        Baseline::Stig26,
        Baseline::Nist53Low,
        Baseline::Nist53Moderate,
        Baseline::Nist53High,
        Baseline::All,
    ];
    pub const NAMES: [&'static str; 8] = [
        "cis-l1",
        "cis-l2",
        "stig-15",
        "stig-26",
        "800-53-low",
        "800-53-moderate",
        "800-53-high",
        "all",
    ];

    /// Short name used on the command line and in JSON.
    pub fn name(self) -> &'static str {
        let i = Baseline::ALL.iter().position(|&b| b == self).unwrap_or(0);
        Baseline::NAMES[i]
    }

    pub fn title(self) -> &'static str {
        match self {
            Baseline::CisL1 => "CIS Apple macOS Benchmark, Level 1",
            Baseline::CisL2 => "CIS Apple macOS Benchmark, Level 2",
            Baseline::Stig15 => "DISA STIG, Apple macOS 15 (Sequoia)",
            Baseline::Stig26 => "DISA STIG, Apple macOS 26 (Tahoe)",
            Baseline::Nist53Low => "NIST SP 800-53 rev. 5, low",
            Baseline::Nist53Moderate => "NIST SP 800-53 rev. 5, moderate",
            Baseline::Nist53High => "NIST SP 800-53 rev. 5, high",
            Baseline::All => "All mSCP audit rules (recommended values)",
        }
    }

    /// Parses a name; `stig` means the newest STIG (macOS 26), `800-53` moderate.
    pub fn parse(name: &str) -> Result<Baseline, UnknownBaseline> {
        let n = name.trim().to_ascii_lowercase().replace('_', "-");
        let b = match n.as_str() {
            "cis-l1" | "cis-lvl1" | "cis1" => Baseline::CisL1,
            "cis-l2" | "cis-lvl2" | "cis2" => Baseline::CisL2,
            "stig" | "stig-26" | "disa-stig" => Baseline::Stig26,
            "stig-15" => Baseline::Stig15,
            // mSCP names its baselines `800-53r5_low` etc. (the `_` became `-` above).
            "800-53-low" | "800-53r5-low" | "53l" => Baseline::Nist53Low,
            "800-53" | "800-53-moderate" | "800-53r5-moderate" | "53m" => Baseline::Nist53Moderate,
            "800-53-high" | "800-53r5-high" | "53h" => Baseline::Nist53High,
            "all" => Baseline::All,
            _ => return Err(UnknownBaseline(name.to_string())),
        };
        Ok(b)
    }

    pub fn is_stig(self) -> bool {
        matches!(self, Baseline::Stig15 | Baseline::Stig26)
    }

    pub fn is_53(self) -> bool {
        matches!(
            self,
            Baseline::Nist53Low | Baseline::Nist53Moderate | Baseline::Nist53High
        )
    }
}

/// STIG category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(rename = "StigSeverity")]
pub enum Severity {
    Low,
    Medium,
    High,
}

/// An organisation-defined value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "value")]
pub enum Odv {
    /// `expire-after` text, e.g. `60d OR 5G`.
    Retention(String),
    /// `minfree` percent.
    Minfree(u32),
}

impl std::fmt::Display for Odv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Odv::Retention(s) => write!(f, "{s}"),
            Odv::Minfree(p) => write!(f, "{p}"),
        }
    }
}

/// The mSCP release the catalogue follows: the `tahoe` branch, tag `tahoe_rev3`
/// (macOS 26; spec/mscp_rules.md, spec/fleet.md §3).
pub const MSCP_RELEASE: &str = "tahoe_rev3";
/// The commit and date of [`MSCP_RELEASE`], for reports.
pub const MSCP_RELEASE_DETAIL: &str = "usnistgov/macos_security tahoe_rev3 (cf656e84, 2026-06-22)";

/// An organisation's ODV override as written in a profile or a file: text for
/// retention, a number for minfree (a number given as text is read as one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(untagged)]
pub enum OdvValue {
    Number(u32),
    Text(String),
}

impl std::fmt::Display for OdvValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OdvValue::Number(n) => write!(f, "{n}"),
            OdvValue::Text(s) => write!(f, "{s}"),
        }
    }
}

/// How an organisation tailors the baselines: its own ODVs and the rules it
/// exempts (with a reason). Rule ids are mSCP's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Tailoring {
    /// Rule id → the organisation's value (`audit_retention_configure` → `90d`).
    #[serde(default)]
    pub odv: std::collections::BTreeMap<String, OdvValue>,
    /// Rule id → why it is exempt.
    #[serde(default)]
    pub exemptions: std::collections::BTreeMap<String, String>,
    /// Where it came from (`managed:<domain>`, `file:<path>`, `mscp:<plist>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub source: Option<String>,
}

impl Tailoring {
    pub fn is_empty(&self) -> bool {
        self.odv.is_empty() && self.exemptions.is_empty()
    }
}

/// Where a rule's ODV came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum OdvSource {
    /// The mSCP release's value for this baseline.
    Release,
    /// The organisation's tailoring.
    Organisation,
}

/// A rule's place in a baseline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Membership {
    pub severity: Option<Severity>,
    pub odv: Option<Odv>,
}

/// Outcome of one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
#[ts(rename = "RuleStatus")]
pub enum Status {
    Pass,
    Fail,
    /// The rule cannot apply to the inputs (e.g. no trail directory to hold files).
    NotApplicable,
    /// No technical check: an applicable finding the platform cannot meet.
    Manual,
    /// Met by the platform itself.
    Inherent,
    /// The inputs do not contain what the rule needs (service state without root,
    /// file facts not gathered, ACLs not visible).
    Unknown,
    /// The organisation exempted the rule (with a reason): checked and reported
    /// as found, never counted as a pass — as mSCP itself does.
    Exempt,
}

/// What the mSCP check itself prints and concludes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MscpLiteral {
    /// `pass` or `fail`.
    pub verdict: String,
    pub output: String,
    pub expected: String,
}

/// One line of a compliance report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RuleResult {
    pub number: u8,
    pub id: String,
    pub title: String,
    pub cis: Option<String>,
    pub stig: Option<String>,
    pub nist_800_53: Vec<String>,
    pub severity: Option<Severity>,
    pub odv: Option<String>,
    /// Whose value `odv` is; with `Organisation`, `release_odv` is the one it
    /// replaced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub odv_source: Option<OdvSource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub release_odv: Option<String>,
    pub status: Status,
    /// Why the organisation exempted the rule (status `exempt`); the checks
    /// still ran, and `found` / `mscp_literal` say what they saw.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub exempt_reason: Option<String>,
    /// What the checks concluded for an exempt rule (`pass` / `fail` / …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub checked: Option<Status>,
    /// What Earshot found, in words.
    pub found: String,
    /// What the rule wants, in words.
    pub expected: String,
    /// mSCP's literal verdict (`None` when the check cannot be reproduced from the
    /// inputs, or the rule has no check).
    pub mscp_literal: Option<MscpLiteral>,
    /// Why mSCP's literal check and Earshot disagree (only when they do).
    pub disagreement: Option<String>,
    /// The mSCP check command the literal verdict reproduces (empty for manual rules).
    pub mscp_check: String,
    pub fix: String,
}

/// Counts per status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Summary {
    pub pass: usize,
    pub fail: usize,
    pub not_applicable: usize,
    pub manual: usize,
    pub inherent: usize,
    pub unknown: usize,
    /// Rules the organisation exempted (neither passes nor failures).
    #[serde(default)]
    pub exempt: usize,
    /// Rules where mSCP's literal check would say otherwise.
    pub mscp_disagreements: usize,
}

/// A compliance report for one baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(rename = "ComplianceReport")]
pub struct Report {
    pub baseline: Baseline,
    pub title: String,
    /// The mSCP release the rules and their release ODVs follow.
    pub mscp_release: String,
    /// The organisation's tailoring applied (`None`: the release as published).
    pub tailoring: Option<Tailoring>,
    pub results: Vec<RuleResult>,
    pub summary: Summary,
}

impl Report {
    /// No rule failed (unknown/manual do not count as failures).
    pub fn passed(&self) -> bool {
        self.summary.fail == 0
    }

    pub fn result(&self, id: &str) -> Option<&RuleResult> {
        self.results.iter().find(|r| r.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::Baseline;

    #[test]
    fn json_spells_each_baseline_as_the_command_line_does() {
        for b in Baseline::ALL {
            let json = serde_json::to_value(b).unwrap();
            assert_eq!(json, b.name(), "{b:?}");
            assert_eq!(serde_json::from_value::<Baseline>(json).unwrap(), b);
            assert_eq!(Baseline::parse(b.name()).unwrap(), b);
        }
    }
}
