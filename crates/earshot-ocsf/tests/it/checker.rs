//! The check itself can fail: an event that is valid as emitted is refused
//! once it gains an unknown key (at the top or inside an object), a null, a
//! wrong `type_uid`, or a caption that is not its id's.

use crate::common::{bsm_fixture, map_file, mapper, ocsf};
use serde_json::{json, Value};

fn valid_login() -> Value {
    let events = map_file(&mapper(), &bsm_fixture("mixed_sample.bsm"));
    events
        .into_iter()
        .map(|(_, v)| v)
        .find(|v| v["class_uid"] == 3002 && v["actor"]["user"].is_object())
        .expect("an authentication event with an actor user")
}

fn refused(v: &Value, what: &str) -> String {
    match ocsf().check(v) {
        Ok(()) => panic!("{what}: accepted\n{v}"),
        Err(e) => e,
    }
}

#[test]
fn the_check_refuses_unknown_keys_nulls_and_wrong_captions() {
    let ok = valid_login();
    ocsf().check(&ok).unwrap();

    let mut v = ok.clone();
    v["surprise"] = json!(1);
    assert!(refused(&v, "unknown top-level key").contains("schema"));

    let mut v = ok.clone();
    v["actor"]["user"]["nickname"] = json!("x");
    assert!(refused(&v, "unknown nested key").contains("schema"));

    let mut v = ok.clone();
    v["actor"]["user"]["name"] = Value::Null;
    assert!(refused(&v, "a null").contains("null at actor.user.name"));

    let mut v = ok.clone();
    v["type_uid"] = json!(300299);
    assert!(refused(&v, "wrong type_uid").contains("type_uid"));

    let mut v = ok.clone();
    v["activity_name"] = json!("Not the caption");
    refused(&v, "wrong activity_name");

    let mut v = ok;
    v["class_name"] = json!("Authorization");
    assert!(refused(&v, "wrong class_name").contains("class_name"));
}
