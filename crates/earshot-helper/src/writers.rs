//! Other writers of audit_control. An edit outside Earshot is recorded as a
//! revision either way; this says *what* it changed and, when its shape is a
//! known tool's, *who* probably made it — and notices when edits keep coming,
//! so that a tool fighting Earshot raises one finding instead of a
//! notification per rewrite (spec/fleet.md §4).

use earshot_model::history::Change;

/// Outside rewrites within this window count as "repeated"…
pub const WINDOW_SECS: u64 = 86_400;
/// …from this many on.
pub const REPEATED: usize = 3;

fn value<'a>(changes: &'a [Change], key: &str) -> (Option<&'a str>, Option<&'a str>) {
    changes
        .iter()
        .find(|c| c.key == key)
        .map_or((None, None), |c| (c.old.as_deref(), c.new.as_deref()))
}

fn items(v: Option<&str>) -> Vec<String> {
    v.unwrap_or("")
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn gained(changes: &[Change], key: &str, item: &str) -> bool {
    let (old, new) = value(changes, key);
    !items(old).iter().any(|i| i == item) && items(new).iter().any(|i| i == item)
}

/// The tool an outside edit looks like, from what it changed.
pub fn guess(changes: &[Change]) -> Option<&'static str> {
    // osquery's BSM publisher with --audit_allow_config adds the process
    // classes and exec arguments/environment itself (osquery
    // docs/wiki/deployment/process-auditing.md).
    let osquery = (gained(changes, "flags", "ex") || gained(changes, "flags", "pc"))
        && (gained(changes, "policy", "arge") || gained(changes, "policy", "argv"));
    if osquery {
        return Some("osquery's audit publisher (--audit_allow_config)");
    }
    // mSCP's fix commands set a key to its baseline value exactly.
    let (_, expire) = value(changes, "expire-after");
    let (_, minfree) = value(changes, "minfree");
    let (_, policy) = value(changes, "policy");
    let mscp_expire = matches!(expire, Some("7d" | "30d" | "60d OR 5G"));
    let mscp_minfree = minfree == Some("25");
    let mscp_policy = policy.is_some_and(|p| p.split(',').any(|w| w.trim() == "ahlt"));
    if mscp_expire || mscp_minfree || mscp_policy {
        return Some("an mSCP fix command (a baseline's value written as-is)");
    }
    None
}

/// The reason an outside revision records: what changed, and who it looks
/// like.
pub fn reason(changes: &[Change]) -> String {
    if changes.is_empty() {
        return "edited outside Earshot (no setting changed: comments or layout)".into();
    }
    let what: Vec<&str> = changes.iter().map(|c| c.summary.as_str()).collect();
    let mut r = format!("edited outside Earshot: {}", what.join("; "));
    if let Some(who) = guess(changes) {
        r.push_str(&format!(" — looks like {who}"));
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(key: &str, old: &str, new: &str) -> Change {
        Change {
            key: key.into(),
            old: Some(old.into()),
            new: Some(new.into()),
            summary: format!("{key}: {old} → {new}"),
        }
    }

    #[test]
    fn known_shapes_are_named_and_others_are_not_guessed() {
        let osquery = [
            change("flags", "lo,aa", "lo,aa,ex,pc"),
            change("policy", "cnt,argv", "cnt,argv,arge"),
        ];
        assert_eq!(
            guess(&osquery),
            Some("osquery's audit publisher (--audit_allow_config)")
        );
        assert!(reason(&osquery).contains("flags: lo,aa → lo,aa,ex,pc; policy"));
        let mscp = [change("expire-after", "10M", "30d")];
        assert!(guess(&mscp).unwrap().starts_with("an mSCP fix command"));
        let someone = [change("flags", "lo,aa", "lo")];
        assert_eq!(guess(&someone), None);
        assert_eq!(
            reason(&someone),
            "edited outside Earshot: flags: lo,aa → lo"
        );
        assert!(reason(&[]).contains("comments or layout"));
    }
}
