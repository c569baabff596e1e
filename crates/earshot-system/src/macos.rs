//! The real Mac: real paths, real commands, and parsers for what those commands print.
//!
//! This is ordinary Rust compiled everywhere; on Linux it is exercised through its
//! parsers against recorded outputs in `testdata/macos/`. It is only *selected* at run
//! time on macOS.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use super::{
    real_list_dir, real_metadata, real_statvfs, write_atomically_at, Command, CommandOutput,
    DirEntry, FileMeta, System, SystemError, VolumeStats,
};

/// The running Mac. Stateless: every call asks the OS.
#[derive(Debug, Clone, Copy, Default)]
pub struct MacOs;

impl MacOs {
    pub fn new() -> Self {
        MacOs
    }
}

fn absolute(mac_path: &Path) -> Result<PathBuf, SystemError> {
    if mac_path.is_absolute() {
        Ok(mac_path.to_path_buf())
    } else {
        Err(SystemError::NotAbsolute {
            path: mac_path.to_path_buf(),
        })
    }
}

impl System for MacOs {
    fn resolve(&self, mac_path: &Path) -> Result<PathBuf, SystemError> {
        absolute(mac_path)
    }

    #[cfg(target_os = "macos")]
    fn managed_preferences(
        &self,
        domain: &str,
        keys: &[&str],
    ) -> Result<Option<plist::Dictionary>, SystemError> {
        Ok(cf_preferences::forced(domain, keys))
    }

    fn statvfs(&self, mac_path: &Path) -> Result<VolumeStats, SystemError> {
        let p = absolute(mac_path)?;
        real_statvfs(&p).map_err(|e| SystemError::io(p, e))
    }

    fn metadata(&self, mac_path: &Path) -> Result<FileMeta, SystemError> {
        let p = absolute(mac_path)?;
        real_metadata(&p).map_err(|e| SystemError::io(p, e))
    }

    fn read_file(&self, mac_path: &Path) -> Result<Vec<u8>, SystemError> {
        let p = absolute(mac_path)?;
        super::read_regular(&p).map_err(|e| SystemError::io(p, e))
    }

    fn read_link(&self, mac_path: &Path) -> Result<PathBuf, SystemError> {
        let p = absolute(mac_path)?;
        std::fs::read_link(&p).map_err(|e| SystemError::io(p, e))
    }

    fn list_dir(&self, mac_path: &Path) -> Result<Vec<DirEntry>, SystemError> {
        let p = absolute(mac_path)?;
        real_list_dir(&p).map_err(|e| SystemError::io(p, e))
    }

    fn write_file_atomically(
        &self,
        mac_path: &Path,
        bytes: &[u8],
        mode: u32,
    ) -> Result<(), SystemError> {
        let p = absolute(mac_path)?;
        write_atomically_at(&p, bytes, mode)
    }

    fn run(&self, command: Command) -> Result<CommandOutput, SystemError> {
        let args = command.args();
        // Fixed argv, absolute program path, empty environment apart from a fixed
        // PATH and C locale so output is in the format the parsers expect.
        let out = std::process::Command::new(args[0])
            .args(&args[1..])
            .env_clear()
            .env("PATH", "/usr/bin:/bin:/usr/sbin:/sbin")
            .env("LC_ALL", "C")
            .stdin(Stdio::null())
            .output()
            .map_err(|source| SystemError::Spawn {
                command: command.to_string(),
                source,
            })?;
        Ok(CommandOutput {
            status: out.status.code(),
            stdout: out.stdout,
            stderr: out.stderr,
        })
    }

    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// State of a launchd job as `launchctl print` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "loaded", rename_all = "snake_case")]
pub enum LaunchdJob {
    /// launchd does not know the service in the system domain (it was never
    /// bootstrapped, or was booted out).
    NotLoaded,
    /// Loaded; `running` is whether a process currently exists. auditd is on-demand
    /// (plist `TimeOut`), so "not running" is normal and does not mean auditing is off.
    Loaded {
        running: bool,
        state: String,
        pid: Option<u32>,
        program: Option<String>,
    },
    /// launchctl answered something we could not interpret (permission, new format).
    Unreadable { reason: String },
}

/// `launchctl print system/com.apple.auditd`. Documented shape (launchctl(1)):
///
/// ```text
/// system/com.apple.auditd = {
///     active count = 0
///     path = /System/Library/LaunchDaemons/com.apple.auditd.plist
///     state = not running
///     program = /usr/sbin/auditd
///     ...
/// }
/// ```
/// and, for an unknown service, exit status 113 with
/// `Could not find service "com.apple.auditd" in domain for system` on stderr.
pub fn parse_launchctl_print(out: &CommandOutput) -> LaunchdJob {
    let stdout = out.stdout_text();
    let stderr = out.stderr_text();
    if stderr.contains("Could not find service") || stdout.contains("Could not find service") {
        return LaunchdJob::NotLoaded;
    }
    if !out.success() {
        let reason = first_line(&stderr)
            .or_else(|| first_line(&stdout))
            .unwrap_or_else(|| format!("launchctl exited with status {:?}", out.status));
        return LaunchdJob::Unreadable { reason };
    }
    let header = stdout
        .lines()
        .any(|l| l.trim_start().starts_with("system/com.apple.auditd") && l.contains('{'));
    if !header {
        return LaunchdJob::Unreadable {
            reason: "launchctl print output has no system/com.apple.auditd block".into(),
        };
    }
    let mut state = None;
    let mut pid = None;
    let mut program = None;
    // Only top-level `key = value` lines (one tab/level of indentation) describe the
    // job itself; nested blocks (endpoints, environment) have their own keys.
    let mut depth = 0usize;
    for line in stdout.lines() {
        let t = line.trim();
        if t.ends_with('{') {
            depth += 1;
            continue;
        }
        if t == "}" {
            depth = depth.saturating_sub(1);
            continue;
        }
        if depth != 1 {
            continue;
        }
        if let Some((k, v)) = t.split_once(" = ") {
            match k.trim() {
                "state" => state = Some(v.trim().to_string()),
                "pid" => pid = v.trim().parse().ok(),
                "program" => program = Some(v.trim().to_string()),
                _ => {}
            }
        }
    }
    match state {
        Some(state) => LaunchdJob::Loaded {
            running: state == "running",
            state,
            pid,
            program,
        },
        None => LaunchdJob::Unreadable {
            reason: "launchctl print output has no `state =` line".into(),
        },
    }
}

/// `launchctl print-disabled system`: `Some(true)` if com.apple.auditd is listed as
/// disabled, `Some(false)` if listed as enabled, `None` if not listed (launchd then
/// uses the plist's own `Disabled` key, which we cannot see here).
///
/// Current launchctl prints `"label" => disabled|enabled`; older releases printed
/// `"label" => true|false` (true = disabled). Both are accepted.
pub fn parse_print_disabled(text: &str) -> Option<bool> {
    for line in text.lines() {
        let Some((label, value)) = line.trim().split_once("=>") else {
            continue;
        };
        if label.trim().trim_matches('"') != super::AUDITD_LABEL {
            continue;
        }
        return match value.trim().trim_end_matches(',') {
            "disabled" | "true" => Some(true),
            "enabled" | "false" => Some(false),
            _ => None,
        };
    }
    None
}

/// The macOS release, from `sw_vers`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MacOsVersion {
    pub product_name: String,
    /// As printed, e.g. `14.5` or `10.15.7`.
    pub product_version: String,
    pub build: Option<String>,
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

impl MacOsVersion {
    /// Parses a dotted version (`14`, `14.5`, `10.15.7`).
    pub fn parse(product_version: &str) -> Option<MacOsVersion> {
        let mut parts = product_version.trim().split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = match parts.next() {
            Some(p) => p.parse().ok()?,
            None => 0,
        };
        let patch = match parts.next() {
            Some(p) => p.parse().ok()?,
            None => 0,
        };
        if parts.next().is_some() {
            return None;
        }
        Some(MacOsVersion {
            product_name: "macOS".into(),
            product_version: product_version.trim().to_string(),
            build: None,
            major,
            minor,
            patch,
        })
    }

    /// Apple disabled BSM auditing by default from macOS 14 Sonoma on.
    pub fn audit_disabled_by_default(&self) -> bool {
        self.major >= 14
    }
}

/// `sw_vers` output: `ProductName:\tmacOS` / `ProductVersion:\t14.5` /
/// `BuildVersion:\t23F79` (tabs or spaces after the colon).
pub fn parse_sw_vers(text: &str) -> Option<MacOsVersion> {
    let mut name = None;
    let mut version = None;
    let mut build = None;
    for line in text.lines() {
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        let v = v.trim().to_string();
        match k.trim() {
            "ProductName" => name = Some(v),
            "ProductVersion" => version = Some(v),
            "BuildVersion" => build = Some(v),
            _ => {}
        }
    }
    let mut parsed = MacOsVersion::parse(&version?)?;
    if let Some(n) = name {
        parsed.product_name = n;
    }
    parsed.build = build;
    Some(parsed)
}

/// The kernel audit condition as `audit -c` reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "condition", rename_all = "snake_case")]
pub enum AuditCondition {
    /// `AUC_AUDITING`: a trail is open and auditing is not suspended.
    Auditing,
    /// `AUC_NOAUDIT`: no trail, or suspended (e.g. after running out of space with `cnt`).
    NoAudit,
    /// `AUC_DISABLED`.
    Disabled,
    /// `audit` refused: not root ("audit requires root privileges").
    PermissionDenied,
    /// Output we could not interpret; the text is kept as evidence.
    Unrecognized { output: String },
}

/// `audit -c`: audit(8) says it "exit[s] successfully only if auditing is enabled in
/// the kernel"; mSCP greps its output for `AUC_AUDITING`. The printed form seen in the
/// wild is either the bare constant or `audit condition: AUC_...`; both are accepted,
/// and the exit status breaks ties when nothing is printed.
pub fn parse_audit_condition(out: &CommandOutput) -> AuditCondition {
    let text = format!("{}\n{}", out.stdout_text(), out.stderr_text());
    if text.contains("requires root") || text.contains("Operation not permitted") {
        return AuditCondition::PermissionDenied;
    }
    for word in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
        match word {
            "AUC_AUDITING" => return AuditCondition::Auditing,
            "AUC_NOAUDIT" => return AuditCondition::NoAudit,
            "AUC_DISABLED" => return AuditCondition::Disabled,
            _ => {}
        }
    }
    if text.trim().is_empty() {
        return match out.status {
            Some(0) => AuditCondition::Auditing,
            Some(_) => AuditCondition::NoAudit,
            None => AuditCondition::Unrecognized {
                output: "audit -c was killed by a signal".into(),
            },
        };
    }
    AuditCondition::Unrecognized {
        output: text.trim().chars().take(200).collect(),
    }
}

fn first_line(s: &str) -> Option<String> {
    s.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(str::to_string)
}

/// Managed preferences through CFPreferences (macOS only): the forced value of
/// each known key, checked forced before and after copying it, since
/// `CFPreferencesCopyAppValue` also searches the user's own defaults and a
/// profile can be removed in between.
#[cfg(target_os = "macos")]
mod cf_preferences {
    use objc2_core_foundation::{
        CFPreferencesAppValueIsForced, CFPreferencesCopyAppValue, CFPropertyListCreateData,
        CFPropertyListFormat, CFString,
    };

    pub fn forced(domain: &str, keys: &[&str]) -> Option<plist::Dictionary> {
        let app = CFString::from_str(domain);
        let mut out = plist::Dictionary::new();
        for key in keys {
            let k = CFString::from_str(key);
            if !CFPreferencesAppValueIsForced(&k, &app) {
                continue;
            }
            let Some(value) = CFPreferencesCopyAppValue(&k, &app) else {
                continue;
            };
            if !CFPreferencesAppValueIsForced(&k, &app) {
                continue;
            }
            // SAFETY: `value` is the property list CFPreferences just returned
            // (retained by us); a null error pointer asks for no error object.
            let data = unsafe {
                CFPropertyListCreateData(
                    None,
                    Some(&value),
                    CFPropertyListFormat::BinaryFormat_v1_0,
                    0,
                    std::ptr::null_mut(),
                )
            };
            let Some(data) = data else { continue };
            if let Ok(v) = plist::Value::from_reader(std::io::Cursor::new(data.to_vec())) {
                out.insert((*key).to_string(), v);
            }
        }
        (!out.is_empty()).then_some(out)
    }
}
