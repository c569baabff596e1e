//! Which trail the folder's `current` link resolves to, in the ways the link, the
//! folder argument and the files can name the same trail differently (see
//! `CurrentTarget` in src/trail/inventory.rs: trails are matched by device and
//! inode first, by canonical path only on a match).

// In a `trail` module so `cargo test -p earshot-core trail` selects these too.
mod trail {
    use std::fs;
    use std::os::unix::fs::symlink;
    use std::path::{Component, Path, PathBuf};

    use earshot_trail::{Inventory, TrailState};

    const CLOSED: &str = "20240314091500.20240314101500";
    const ACTIVE: &str = "20240314111500.not_terminated";
    const OTHER: &str = "20240314121500.not_terminated";

    /// A folder with a closed trail and two not-terminated ones of different
    /// content (distinct inodes), and no `current` link yet.
    fn folder(d: &Path) {
        fs::create_dir_all(d).unwrap();
        fs::write(d.join(CLOSED), b"closed").unwrap();
        fs::write(d.join(ACTIVE), b"being written").unwrap();
        fs::write(d.join(OTHER), b"left behind").unwrap();
    }

    /// (file name, state, is_current) of every trail, in the inventory's order.
    fn states(inv: &Inventory) -> Vec<(String, TrailState, bool)> {
        inv.trails
            .iter()
            .map(|t| {
                let name = t.path.file_name().unwrap().to_str().unwrap().to_string();
                (name, t.state, t.is_current)
            })
            .collect()
    }

    /// What a folder whose `current` resolves to ACTIVE must list.
    fn active_is_current() -> Vec<(String, TrailState, bool)> {
        vec![
            (CLOSED.into(), TrailState::Closed, false),
            (ACTIVE.into(), TrailState::Active, true),
            (OTHER.into(), TrailState::NotTerminated, false),
        ]
    }

    /// What a folder without a resolvable `current` must list.
    fn none_is_current() -> Vec<(String, TrailState, bool)> {
        vec![
            (CLOSED.into(), TrailState::Closed, false),
            (ACTIVE.into(), TrailState::NotTerminated, false),
            (OTHER.into(), TrailState::NotTerminated, false),
        ]
    }

    #[test]
    fn relative_current_link_resolves_in_the_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        folder(d);
        symlink(ACTIVE, d.join("current")).unwrap();

        let inv = Inventory::scan(&[d]).unwrap();
        assert_eq!(states(&inv), active_is_current());
        assert_eq!(inv.current.len(), 1);
        assert_eq!(inv.current[0].target, d.join(ACTIVE));
        assert!(inv.current[0].target_exists);
    }

    #[test]
    fn absolute_link_through_a_symlinked_parent_matches_either_spelling() {
        // macOS: /var is a link to /private/var and auditd writes `current` as
        // /var/audit/…, while the folder may be given as either spelling.
        let tmp = tempfile::tempdir().unwrap();
        let private = tmp.path().join("private/var");
        let real = private.join("audit");
        folder(&real);
        let alias_var = tmp.path().join("var");
        symlink(&private, &alias_var).unwrap();
        let alias = alias_var.join("audit");
        symlink(alias.join(ACTIVE), real.join("current")).unwrap();

        for dir in [&real, &alias] {
            let inv = Inventory::scan(&[dir]).unwrap();
            assert_eq!(states(&inv), active_is_current(), "scanning {dir:?}");
            assert_eq!(inv.current[0].target, alias.join(ACTIVE));
            assert!(inv.current[0].target_exists);
            // Trails keep the folder's spelling: the link's is not imposed on them.
            assert!(inv.trails.iter().all(|t| t.path.parent() == Some(dir)));
        }
    }

    #[test]
    fn relative_folder_argument_matches_an_absolute_link() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path().canonicalize().unwrap();
        folder(&d);
        symlink(d.join(ACTIVE), d.join("current")).unwrap();

        // The same folder spelled relative to the working directory (read, never
        // changed: tests share the process).
        let cwd = std::env::current_dir().unwrap();
        let mut rel = PathBuf::new();
        for c in cwd.components() {
            if matches!(c, Component::Normal(_)) {
                rel.push("..");
            }
        }
        rel.push(d.strip_prefix("/").unwrap());
        assert!(rel.is_relative());

        let inv = Inventory::scan(&[&rel]).unwrap();
        assert_eq!(states(&inv), active_is_current());
    }

    #[test]
    fn dangling_current_makes_no_trail_current() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        folder(d);
        // Points at a name the folder holds, but in a folder that does not exist:
        // matching by file name would wrongly pick ACTIVE.
        symlink(tmp.path().join("gone").join(ACTIVE), d.join("current")).unwrap();

        let inv = Inventory::scan(&[d]).unwrap();
        assert_eq!(states(&inv), none_is_current());
        assert_eq!(inv.current.len(), 1);
        assert!(!inv.current[0].target_exists);
    }

    #[test]
    fn current_pointing_at_a_removed_trail_of_the_folder_makes_no_trail_current() {
        // auditd crashed and the file was cleaned up: the link names a trail that
        // is no longer in the folder.
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        folder(d);
        symlink(d.join(ACTIVE), d.join("current")).unwrap();
        fs::remove_file(d.join(ACTIVE)).unwrap();

        let inv = Inventory::scan(&[d]).unwrap();
        let s = states(&inv);
        assert_eq!(
            s,
            [
                (CLOSED.to_string(), TrailState::Closed, false),
                (OTHER.to_string(), TrailState::NotTerminated, false),
            ]
        );
        assert!(!inv.current[0].target_exists);
    }

    #[test]
    fn same_name_in_another_folder_is_not_current() {
        // The link resolves to a file outside the folder whose name the folder
        // also holds: a different file (another inode), so not current.
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path().join("audit");
        let elsewhere = tmp.path().join("elsewhere");
        folder(&d);
        folder(&elsewhere);
        symlink(elsewhere.join(ACTIVE), d.join("current")).unwrap();

        let inv = Inventory::scan(&[&d]).unwrap();
        assert_eq!(states(&inv), none_is_current());
        assert!(inv.current[0].target_exists);

        // Scanning both folders: a folder's link speaks for that folder's trails
        // only, and `elsewhere` has no link of its own, so still none is current.
        let inv = Inventory::scan(&[&d, &elsewhere]).unwrap();
        assert_eq!(inv.trails.len(), 6);
        assert!(inv.trails.iter().all(|t| !t.is_current));
    }

    #[test]
    fn hard_link_to_the_current_trail_is_not_current() {
        // A hard link is the same file (same device and inode) under a second name.
        // The choice: only the name `current` points at is current — auditd writes
        // through that name and renames it at rotation; the other name is shown
        // with the state its own name gives (here a closed name: Closed, not
        // Active). This is how the inventory behaved when it compared canonical
        // paths, and matching by inode alone would silently change it.
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        folder(d);
        let twin = "20240314111500.20240314113000";
        fs::hard_link(d.join(ACTIVE), d.join(twin)).unwrap();
        symlink(d.join(ACTIVE), d.join("current")).unwrap();

        let inv = Inventory::scan(&[d]).unwrap();
        let s = states(&inv);
        assert_eq!(
            s,
            [
                (CLOSED.to_string(), TrailState::Closed, false),
                (twin.to_string(), TrailState::Closed, false),
                (ACTIVE.to_string(), TrailState::Active, true),
                (OTHER.to_string(), TrailState::NotTerminated, false),
            ]
        );
        // Same file: the sizes agree.
        assert_eq!(inv.trails[1].size, inv.trails[2].size);

        // And the other way round: `current` names the second name.
        fs::remove_file(d.join("current")).unwrap();
        symlink(twin, d.join("current")).unwrap();
        let inv = Inventory::scan(&[d]).unwrap();
        let current: Vec<String> = states(&inv)
            .into_iter()
            .filter(|(_, _, c)| *c)
            .map(|(n, _, _)| n)
            .collect();
        assert_eq!(current, [twin]);
        assert_eq!(inv.trails[2].state, TrailState::NotTerminated);
    }

    #[test]
    fn trail_symlinked_into_the_folder_resolves_to_the_current_file() {
        // A trail that is itself a link to the file `current` resolves to is that
        // file (its path canonicalizes to the target), so it is current too.
        let tmp = tempfile::tempdir().unwrap();
        let store = tmp.path().join("store");
        let d = tmp.path().join("audit");
        fs::create_dir_all(&store).unwrap();
        fs::create_dir_all(&d).unwrap();
        fs::write(store.join(ACTIVE), b"being written").unwrap();
        fs::write(d.join(OTHER), b"left behind").unwrap();
        symlink(store.join(ACTIVE), d.join(ACTIVE)).unwrap();
        symlink(ACTIVE, d.join("current")).unwrap();

        let inv = Inventory::scan(&[&d]).unwrap();
        assert_eq!(
            states(&inv),
            [
                (ACTIVE.to_string(), TrailState::Active, true),
                (OTHER.to_string(), TrailState::NotTerminated, false),
            ]
        );
        assert_eq!(inv.trails[0].path, d.join(ACTIVE));
    }
}
