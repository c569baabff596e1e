//! `deploy/` is generated from the tables that define the inventory fields and
//! the managed keys, so an upload file can never describe a field or key the
//! code does not have. Regenerate with
//!
//!     EARSHOT_BLESS=1 cargo test -p earshot-fleet --test it deploy
//!
//! and review the diff.

use std::path::PathBuf;

use earshot_fleet::deploy::files;
use earshot_fleet::ea::FIELDS;
use earshot_fleet::managed::KEYS;

fn deploy_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../deploy")
}

#[test]
fn deploy_files_are_what_the_code_generates() {
    let dir = deploy_dir();
    let bless = std::env::var_os("EARSHOT_BLESS").is_some();
    let mut stale = Vec::new();
    for f in files() {
        let path = dir.join(&f.path);
        if bless {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &f.text).unwrap();
            #[cfg(unix)]
            if f.path.ends_with(".sh") {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
            }
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(text) if text == f.text => {}
            _ => stale.push(f.path),
        }
    }
    assert!(
        stale.is_empty(),
        "deploy/ differs from the code for {stale:?}: run EARSHOT_BLESS=1 cargo test -p earshot-fleet --test it deploy and review the diff"
    );
}

#[test]
fn every_field_and_key_has_its_upload_file() {
    let all = files();
    let has = |p: &str| all.iter().any(|f| f.path == p);
    for f in FIELDS {
        assert!(has(&format!("jamf/earshot-{}.xml", f.name)), "{}", f.name);
        assert!(has(&format!("intune/earshot-{}.sh", f.name)), "{}", f.name);
    }
    let profile = all
        .iter()
        .find(|f| f.path.ends_with(".mobileconfig"))
        .unwrap();
    let schema = all
        .iter()
        .find(|f| f.path.ends_with("schema.json"))
        .unwrap();
    // The sample profile is a real property list whose payload sets every key
    // as the parser reads it (no problem reported).
    let v = plist::Value::from_reader_xml(profile.text.as_bytes()).expect("a plist");
    let payload = v.as_dictionary().unwrap()["PayloadContent"]
        .as_array()
        .unwrap()[0]
        .as_dictionary()
        .unwrap()
        .clone();
    let mut keys = plist::Dictionary::new();
    for k in KEYS {
        keys.insert(k.name.to_string(), payload[k.name].clone());
    }
    let m = earshot_fleet::managed::parse(Some(&keys));
    assert!(m.problems.is_empty(), "{:?}", m.problems);
    assert_eq!(m.allow_user_tuning, Some(false));
    let schema: serde_json::Value = serde_json::from_str(&schema.text).unwrap();
    for k in KEYS {
        assert!(schema["properties"][k.name].is_object(), "{}", k.name);
    }
    // Jamf's upload XML is well-formed and carries the script that runs the tool.
    for f in all.iter().filter(|f| f.path.ends_with(".xml")) {
        assert!(f.text.contains("<dataType>"), "{}", f.path);
        assert!(
            f.text.contains("ea ") && f.text.contains("--format jamf"),
            "{}",
            f.path
        );
    }
}
