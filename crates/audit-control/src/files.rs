//! The `/etc/security` files as macOS and upstream OpenBSM ship them: the
//! repo's one copy (`data/`), which the built-in tables read, the simulated Mac
//! lays out, and the tests compare against.

/// Apple's files (macOS 26).
pub mod apple {
    pub const AUDIT_CLASS: &str = include_str!("../data/apple/audit_class");
    pub const AUDIT_EVENT: &str = include_str!("../data/apple/audit_event");
    pub const AUDIT_CONTROL: &str = include_str!("../data/apple/audit_control");
    pub const AUDIT_USER: &str = include_str!("../data/apple/audit_user");
    pub const AUDIT_WARN: &str = include_str!("../data/apple/audit_warn");
}

/// Upstream OpenBSM's files.
pub mod upstream {
    pub const AUDIT_CLASS: &str = include_str!("../data/upstream/audit_class");
    pub const AUDIT_EVENT: &str = include_str!("../data/upstream/audit_event");
    pub const AUDIT_CONTROL: &str = include_str!("../data/upstream/audit_control");
}
