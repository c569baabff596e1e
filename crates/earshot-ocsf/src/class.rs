//! The OCSF classes Earshot emits, with the captions the events carry beside
//! each id (`class_name`, `category_name`, `activity_name`, `type_name`). The
//! JSON Schemas do not check captions; the crate's tests compare these with
//! the compiled schema's (tests/fixtures/ocsf/1.9.0-dev/captions.json).

/// One OCSF event class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Class {
    pub uid: u32,
    pub name: &'static str,
    pub category_uid: u32,
    pub category_name: &'static str,
    /// `activity_id` → caption, apart from 0 Unknown and 99 Other (every class has those).
    pub activities: &'static [(u8, &'static str)],
}

impl Class {
    /// The caption of `activity_id` (`"Other"` for 99, `"Unknown"` for 0).
    pub fn activity_caption(&self, id: u8) -> Option<&'static str> {
        match id {
            0 => Some("Unknown"),
            99 => Some("Other"),
            _ => self
                .activities
                .iter()
                .find(|(a, _)| *a == id)
                .map(|(_, n)| *n),
        }
    }
}

pub const ACCOUNT_CHANGE: Class = Class {
    uid: 3001,
    name: "Account Change",
    category_uid: 3,
    category_name: "Identity & Access Management",
    activities: &[
        (1, "Create"),
        (2, "Enable"),
        (3, "Password Change"),
        (4, "Password Reset"),
        (5, "Disable"),
        (6, "Delete"),
        (7, "Attach Policy"),
        (8, "Detach Policy"),
        (9, "Lock"),
        (10, "MFA Factor Enable"),
        (11, "MFA Factor Disable"),
        (12, "Unlock"),
    ],
};

pub const AUTHENTICATION: Class = Class {
    uid: 3002,
    name: "Authentication",
    category_uid: 3,
    category_name: "Identity & Access Management",
    activities: &[
        (1, "Logon"),
        (2, "Logoff"),
        (3, "Authentication Ticket"),
        (4, "Service Ticket Request"),
        (5, "Service Ticket Renew"),
        (6, "Preauth"),
        (7, "Account Switch"),
    ],
};

pub const AUTHORIZE_SESSION: Class = Class {
    uid: 3003,
    name: "Authorize Session",
    category_uid: 3,
    category_name: "Identity & Access Management",
    activities: &[
        (1, "Assign Privileges"),
        (2, "Assign Groups"),
        (3, "Assign Roles"),
    ],
};

pub const GROUP_MANAGEMENT: Class = Class {
    uid: 3006,
    name: "Group Management",
    category_uid: 3,
    category_name: "Identity & Access Management",
    activities: &[
        (1, "Assign Privileges"),
        (2, "Revoke Privileges"),
        (3, "Add User"),
        (4, "Remove User"),
        (5, "Delete"),
        (6, "Create"),
        (7, "Add Subgroup"),
        (8, "Remove Subgroup"),
        (9, "Update"),
        (10, "Attach Policies"),
        (11, "Detach Policies"),
        (12, "Assign Roles"),
        (13, "Remove Roles"),
    ],
};

pub const FILE_ACTIVITY: Class = Class {
    uid: 1001,
    name: "File System Activity",
    category_uid: 1,
    category_name: "System Activity",
    activities: &[
        (1, "Create"),
        (2, "Read"),
        (3, "Update"),
        (4, "Delete"),
        (5, "Rename"),
        (6, "Set Attributes"),
        (7, "Set Security"),
        (8, "Get Attributes"),
        (9, "Get Security"),
        (10, "Encrypt"),
        (11, "Decrypt"),
        (12, "Mount"),
        (13, "Unmount"),
        (14, "Open"),
    ],
};

pub const KERNEL_EXTENSION_ACTIVITY: Class = Class {
    uid: 1002,
    name: "Kernel Extension Activity",
    category_uid: 1,
    category_name: "System Activity",
    activities: &[(1, "Load"), (2, "Unload")],
};

pub const PROCESS_ACTIVITY: Class = Class {
    uid: 1007,
    name: "Process Activity",
    category_uid: 1,
    category_name: "System Activity",
    activities: &[
        (1, "Launch"),
        (2, "Terminate"),
        (3, "Open"),
        (4, "Inject"),
        (5, "Set User ID"),
    ],
};

pub const EVENT_LOG_ACTIVITY: Class = Class {
    uid: 1008,
    name: "Event Log Activity",
    category_uid: 1,
    category_name: "System Activity",
    activities: &[
        (1, "Clear"),
        (2, "Delete"),
        (3, "Export"),
        (4, "Archive"),
        (5, "Rotate"),
        (6, "Start"),
        (7, "Stop"),
        (8, "Restart"),
        (9, "Enable"),
        (10, "Disable"),
    ],
};

pub const COMPLIANCE_FINDING: Class = Class {
    uid: 2003,
    name: "Compliance Finding",
    category_uid: 2,
    category_name: "Findings",
    activities: &[(1, "Create"), (2, "Update"), (3, "Close")],
};

pub const NETWORK_ACTIVITY: Class = Class {
    uid: 4001,
    name: "Network Activity",
    category_uid: 4,
    category_name: "Network Activity",
    activities: &[
        (1, "Open"),
        (2, "Close"),
        (3, "Reset"),
        (4, "Fail"),
        (5, "Refuse"),
        (6, "Traffic"),
        (7, "Listen"),
    ],
};

pub const DEVICE_CONFIG_STATE_CHANGE: Class = Class {
    uid: 5019,
    name: "Device Config State Change",
    category_uid: 5,
    category_name: "Discovery",
    activities: &[(1, "Log"), (2, "Collect")],
};

pub const BASE_EVENT: Class = Class {
    uid: 0,
    name: "Base Event",
    category_uid: 0,
    category_name: "Uncategorized",
    activities: &[],
};

/// Every class Earshot emits.
pub const ALL: [&Class; 12] = [
    &ACCOUNT_CHANGE,
    &AUTHENTICATION,
    &AUTHORIZE_SESSION,
    &GROUP_MANAGEMENT,
    &FILE_ACTIVITY,
    &KERNEL_EXTENSION_ACTIVITY,
    &PROCESS_ACTIVITY,
    &EVENT_LOG_ACTIVITY,
    &COMPLIANCE_FINDING,
    &NETWORK_ACTIVITY,
    &DEVICE_CONFIG_STATE_CHANGE,
    &BASE_EVENT,
];

/// `severity_id` captions.
pub fn severity_caption(id: u8) -> &'static str {
    match id {
        1 => "Informational",
        2 => "Low",
        3 => "Medium",
        4 => "High",
        5 => "Critical",
        6 => "Fatal",
        99 => "Other",
        _ => "Unknown",
    }
}

/// `file.type_id` captions.
pub fn file_type_caption(id: u8) -> &'static str {
    match id {
        1 => "Regular File",
        2 => "Folder",
        3 => "Character Device",
        4 => "Block Device",
        5 => "Local Socket",
        6 => "Named Pipe",
        7 => "Symbolic Link",
        8 => "Executable File",
        99 => "Other",
        _ => "Unknown",
    }
}

/// `logon_type_id` captions (the ones Earshot uses).
pub fn logon_type_caption(id: u8) -> &'static str {
    match id {
        1 => "System",
        2 => "Interactive",
        3 => "Network",
        10 => "Remote Interactive",
        99 => "Other",
        _ => "Unknown",
    }
}

/// `account_switch_type_id` captions.
pub fn account_switch_caption(id: u8) -> &'static str {
    match id {
        1 => "Substitute User",
        2 => "Impersonate",
        99 => "Other",
        _ => "Unknown",
    }
}

/// `launch_type_id` captions.
pub fn launch_type_caption(id: u8) -> &'static str {
    match id {
        1 => "Spawn",
        2 => "Fork",
        3 => "Exec",
        99 => "Other",
        _ => "Unknown",
    }
}
