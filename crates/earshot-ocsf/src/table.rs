//! The event name → class table (`data/events.tsv`), read once at first use.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::class::{self, Class};

/// How a record's tokens fill its class: the mapping is keyed on what happened,
/// not on BSM token layouts, so another sensor can reuse the classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// 3002: a login; the target user from the text, else the audit user.
    Logon,
    Logoff,
    /// su, sudo: the target user from the text, else the effective user.
    Switch,
    /// 3003: a Security-server right (`privileges`).
    Authorize,
    /// 3001: the user record named in the text.
    Account,
    /// 3006: the group (and member) named in the text.
    Group,
    /// 1007 Launch, launch_type 3: the subject is the new image.
    Exec,
    /// 1007 Launch, launch_type 1: the child pid from the arg token.
    Spawn,
    /// 1007 Launch, launch_type 2: the child pid from the arg token or return value.
    Fork,
    /// 1007 Terminate: the subject, with its exit code.
    Exit,
    /// 1007 acting on another process (signal, trace, task_for_pid): needs it.
    Target,
    /// 1007 on the subject itself (setuid, chdir, …).
    Process,
    /// 1001: the first path is `file`.
    File,
    /// 4001 by role of the socket address.
    Connect,
    Accept,
    Bind,
    Listen,
    Shutdown,
    Traffic,
    /// 1008 from auditd's records (start, stop, recovery, auditon).
    Log,
    /// 1008 Rotate: the kernel switched trail (the path is the new file).
    Rotate,
    /// 1002 (never produced by macOS BSM).
    Kext,
    /// Base Event.
    Other,
}

impl Kind {
    fn parse(s: &str) -> Option<Kind> {
        Some(match s {
            "logon" => Kind::Logon,
            "logoff" => Kind::Logoff,
            "switch" => Kind::Switch,
            "authorize" => Kind::Authorize,
            "account" => Kind::Account,
            "group" => Kind::Group,
            "exec" => Kind::Exec,
            "spawn" => Kind::Spawn,
            "fork" => Kind::Fork,
            "exit" => Kind::Exit,
            "target" => Kind::Target,
            "process" => Kind::Process,
            "file" => Kind::File,
            "connect" => Kind::Connect,
            "accept" => Kind::Accept,
            "bind" => Kind::Bind,
            "listen" => Kind::Listen,
            "shutdown" => Kind::Shutdown,
            "traffic" => Kind::Traffic,
            "log" => Kind::Log,
            "rotate" => Kind::Rotate,
            "kext" => Kind::Kext,
            "other" => Kind::Other,
            _ => return None,
        })
    }

    /// The class a kind fills.
    pub fn class(self) -> &'static Class {
        match self {
            Kind::Logon | Kind::Logoff | Kind::Switch => &class::AUTHENTICATION,
            Kind::Authorize => &class::AUTHORIZE_SESSION,
            Kind::Account => &class::ACCOUNT_CHANGE,
            Kind::Group => &class::GROUP_MANAGEMENT,
            Kind::Exec | Kind::Spawn | Kind::Fork | Kind::Exit | Kind::Target | Kind::Process => {
                &class::PROCESS_ACTIVITY
            }
            Kind::File => &class::FILE_ACTIVITY,
            Kind::Connect
            | Kind::Accept
            | Kind::Bind
            | Kind::Listen
            | Kind::Shutdown
            | Kind::Traffic => &class::NETWORK_ACTIVITY,
            Kind::Log | Kind::Rotate => &class::EVENT_LOG_ACTIVITY,
            Kind::Kext => &class::KERNEL_EXTENSION_ACTIVITY,
            Kind::Other => &class::BASE_EVENT,
        }
    }
}

/// What `activity_name` says for an activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActivityName {
    /// The activity's caption.
    Caption,
    /// The event's description from audit_event (activity 99).
    Description,
    /// This text (activity 99).
    Text(String),
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub class: &'static Class,
    pub activity_id: u8,
    pub activity_name: ActivityName,
    pub kind: Kind,
    /// `service.name` (3002).
    pub service: Option<String>,
    /// `logon_type_id` (3002).
    pub logon_type: Option<u8>,
    /// `account_switch_type_id` (3002).
    pub switch_type: Option<u8>,
    /// `file.type_id` when no attr token says (1001).
    pub file_type: Option<u8>,
    /// The second path is `file_result` (rename, link, copyfile, …).
    pub result: bool,
}

impl Rule {
    /// Base Event / Other, the rule of every name the table does not list.
    pub fn other() -> Rule {
        Rule {
            class: &class::BASE_EVENT,
            activity_id: 99,
            activity_name: ActivityName::Description,
            kind: Kind::Other,
            service: None,
            logon_type: None,
            switch_type: None,
            file_type: None,
            result: false,
        }
    }
}

/// A malformed line of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableError {
    pub line: usize,
    pub reason: String,
}

impl std::fmt::Display for TableError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "events.tsv line {}: {}", self.line, self.reason)
    }
}

/// The crate's table source.
pub const EVENTS_TSV: &str = include_str!("../data/events.tsv");

/// Parses a table in the `events.tsv` format.
pub fn parse(text: &str) -> Result<HashMap<String, Rule>, TableError> {
    let mut map = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let err = |reason: String| TableError { line: n, reason };
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let [name, class_uid, activity, activity_name, kind, options] = cols[..] else {
            return Err(err(format!("{} columns, want 6", cols.len())));
        };
        let kind = Kind::parse(kind).ok_or_else(|| err(format!("unknown kind {kind:?}")))?;
        let class_uid: u32 = class_uid
            .parse()
            .map_err(|_| err(format!("class {class_uid:?} is not a number")))?;
        let class = kind.class();
        if class.uid != class_uid {
            return Err(err(format!(
                "kind {kind:?} fills class {}, not {class_uid}",
                class.uid
            )));
        }
        let activity_id: u8 = activity
            .parse()
            .map_err(|_| err(format!("activity {activity:?} is not a number")))?;
        if class.activity_caption(activity_id).is_none() {
            return Err(err(format!(
                "class {} has no activity {activity_id}",
                class.uid
            )));
        }
        let activity_name = match activity_name {
            "-" => ActivityName::Caption,
            "*" => ActivityName::Description,
            t => ActivityName::Text(t.to_string()),
        };
        if activity_id != 99 && activity_name != ActivityName::Caption {
            return Err(err(
                "only activity 99 (Other) carries its own activity_name".into(),
            ));
        }
        let mut rule = Rule {
            class,
            activity_id,
            activity_name,
            kind,
            service: None,
            logon_type: None,
            switch_type: None,
            file_type: None,
            result: false,
        };
        if options != "-" {
            for opt in options.split(',') {
                let (k, v) = opt.split_once('=').unwrap_or((opt, ""));
                let num = || {
                    v.parse::<u8>()
                        .map_err(|_| err(format!("option {opt:?} needs a number")))
                };
                let fits = match k {
                    "service" => {
                        rule.service = Some(v.to_string());
                        class.uid == 3002
                    }
                    "logon" => {
                        rule.logon_type = Some(num()?);
                        class.uid == 3002
                    }
                    "switch" => {
                        rule.switch_type = Some(num()?);
                        class.uid == 3002
                    }
                    "type" => {
                        rule.file_type = Some(num()?);
                        class.uid == 1001
                    }
                    "result" => {
                        rule.result = true;
                        class.uid == 1001
                    }
                    _ => return Err(err(format!("unknown option {opt:?}"))),
                };
                if !fits {
                    return Err(err(format!(
                        "option {opt:?} does not apply to class {}",
                        class.uid
                    )));
                }
            }
        }
        if map.insert(name.to_string(), rule).is_some() {
            return Err(err(format!("{name} is listed twice")));
        }
    }
    Ok(map)
}

/// The crate's table, parsed at first use. The table ships inside the crate and
/// its tests parse it, so a failure here is a build defect: it panics.
pub fn rules() -> &'static HashMap<String, Rule> {
    static RULES: OnceLock<HashMap<String, Rule>> = OnceLock::new();
    RULES.get_or_init(|| match parse(EVENTS_TSV) {
        Ok(m) => m,
        Err(e) => panic!("earshot-ocsf: {e}"),
    })
}

/// Kernel events newer than Apple's audit_event (xnu `audit_kevents.h`): named
/// when the Mac's own table does not know the number.
pub const XNU_EVENTS: &[(u16, &str, &str)] = &[
    (362, "AUE_TRACKERACTION", "tracker action"),
    (44901, "AUE_SESSION_START", "session start"),
    (44902, "AUE_SESSION_UPDATE", "session update"),
    (44903, "AUE_SESSION_END", "session end"),
    (44904, "AUE_SESSION_CLOSE", "session close"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_table_parses() {
        let r = parse(EVENTS_TSV).unwrap();
        assert!(r.len() > 480, "{} rows", r.len());
        assert_eq!(r["AUE_openssh"].kind, Kind::Logon);
        assert_eq!(r["AUE_openssh"].service.as_deref(), Some("sshd"));
        assert_eq!(r["AUE_openssh"].logon_type, Some(10));
        assert_eq!(r["AUE_RENAME"].activity_id, 5);
        assert!(r["AUE_RENAME"].result);
        assert_eq!(
            r["AUE_KILL"].activity_name,
            ActivityName::Text("Signal".into())
        );
    }

    #[test]
    fn bad_rows_are_refused_with_their_line() {
        for (row, want) in [
            ("AUE_X\t1001\t14\t-\tlogon\t-", "fills class 3002"),
            ("AUE_X\t1001\t15\t-\tfile\t-", "no activity 15"),
            ("AUE_X\t1001\t14\tOpenish\tfile\t-", "only activity 99"),
            ("AUE_X\t1001\t14\t-\tfile\tservice=x", "does not apply"),
            ("AUE_X\t1001\t14\t-\tfile", "columns"),
        ] {
            let e = parse(&format!("# c\n{row}\n")).unwrap_err();
            assert_eq!(e.line, 2);
            assert!(e.reason.contains(want), "{row}: {}", e.reason);
        }
    }
}
