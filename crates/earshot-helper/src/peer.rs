//! Who may talk to the helper at all, by the uid the kernel reports.
//!
//! Peer credentials come from the socket (`SO_PEERCRED` on Linux,
//! `LOCAL_PEERCRED`/`getpeereid` on macOS, through tokio's `peer_cred`), so a
//! client cannot claim a uid it does not run as. They are checked before the
//! first byte of the handshake is read.

/// The admission rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerPolicy {
    /// Admit uid 0.
    pub allow_root: bool,
    /// Admit these uids (the configured user).
    pub users: Vec<u32>,
    /// Admit members of this group (`admin`, gid 80, on macOS).
    pub admin_gid: Option<u32>,
}

impl PeerPolicy {
    /// True when `uid` (whose primary gid is `gid`) may connect.
    pub fn admits(&self, uid: u32, gid: u32) -> bool {
        if uid == 0 && self.allow_root {
            return true;
        }
        if self.users.contains(&uid) {
            return true;
        }
        match self.admin_gid {
            Some(admin) => gid == admin || is_listed_member(uid, admin),
            None => false,
        }
    }
}

/// Whether the user named by `uid` is listed in group `gid`'s member list
/// (supplementary membership, which is how macOS records `admin`).
fn is_listed_member(uid: u32, gid: u32) -> bool {
    use nix::unistd::{Gid, Group, Uid, User};
    let Ok(Some(user)) = User::from_uid(Uid::from_raw(uid)) else {
        return false;
    };
    if user.gid.as_raw() == gid {
        return true;
    }
    let Ok(Some(group)) = Group::from_gid(Gid::from_raw(gid)) else {
        return false;
    };
    group.mem.iter().any(|m| m == &user.name)
}

/// Resolve a group name (e.g. `admin`) to its gid.
pub fn gid_of(name: &str) -> Option<u32> {
    nix::unistd::Group::from_name(name)
        .ok()
        .flatten()
        .map(|g| g.gid.as_raw())
}

/// A uid's login name, or the number when it has none.
pub fn user_name(uid: u32) -> String {
    nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(uid))
        .ok()
        .flatten()
        .map_or_else(|| uid.to_string(), |u| u.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_configured_user_and_admins_are_admitted() {
        let p = PeerPolicy {
            allow_root: true,
            users: vec![501],
            admin_gid: Some(80),
        };
        assert!(p.admits(0, 0));
        assert!(p.admits(501, 20));
        assert!(p.admits(777, 80), "primary group admin");
        assert!(!p.admits(502, 20));
    }

    #[test]
    fn root_can_be_refused_when_configured() {
        let p = PeerPolicy {
            allow_root: false,
            users: vec![501],
            admin_gid: None,
        };
        assert!(!p.admits(0, 0));
    }

    #[test]
    fn supplementary_membership_comes_from_the_group_database() {
        // root's own primary group is listed via the passwd entry on any Unix.
        assert!(is_listed_member(0, 0));
        assert!(!is_listed_member(0, 4_000_000));
    }
}
