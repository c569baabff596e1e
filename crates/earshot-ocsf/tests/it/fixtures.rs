//! Every fixture trail, and the mapping per class from the fixtures' real
//! records (the `.ln.txt` beside each trail says what each record is).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::common::*;

const FIXTURES: [&str; 11] = [
    "corrupt_midstream",
    "empty_trail",
    "header_variants",
    "macos_identity_token",
    "macos_login_session",
    "macos_network",
    "macos_process_file",
    "mixed_sample",
    "odd_tokens",
    "truncated",
    "zero_bytes",
];

fn events(fixture: &str) -> Vec<Value> {
    map_file(&mapper(), &bsm_fixture(&format!("{fixture}.bsm")))
        .into_iter()
        .map(|(_, v)| v)
        .collect()
}

#[test]
fn every_fixture_record_is_one_valid_event() {
    let mapper = mapper();
    let mut classes: BTreeMap<u64, usize> = BTreeMap::new();
    for f in FIXTURES {
        let path = bsm_fixture(&format!("{f}.bsm"));
        let bytes = std::fs::read(&path).unwrap();
        let records = bsm::Reader::new(&bytes)
            .filter(|i| matches!(i, bsm::Item::Record(_)))
            .count();
        let evs = map_file(&mapper, &path);
        assert_eq!(evs.len(), records, "{f}: one event per record");
        for (offset, ev) in &evs {
            *classes
                .entry(ev["class_uid"].as_u64().unwrap())
                .or_default() += 1;
            assert_eq!(
                ev["metadata"]["original_event_uid"],
                format!("{f}.bsm:{offset}"),
                "{f}: a file without a trail stamp is known by its name"
            );
            // auid and session are never dropped.
            if let Some(sub) = ev["unmapped"]["bsm"].get("subject") {
                assert!(
                    sub["auid"].is_u64() && sub["session"].is_u64(),
                    "{f}@{offset}"
                );
            }
        }
    }
    for c in [3002, 3003, 3001, 1007, 1001, 4001, 1008, 0] {
        assert!(classes.contains_key(&c), "class {c} appears: {classes:?}");
    }
}

#[test]
fn mixed_sample_maps_by_its_event_names() {
    let mapper = mapper();
    let evs = map_file(&mapper, &bsm_fixture("mixed_sample.bsm"));
    assert_eq!(evs.len(), 400);
    let bytes = std::fs::read(bsm_fixture("mixed_sample.bsm")).unwrap();
    let numbers: Vec<u16> = bsm::Reader::new(&bytes)
        .filter_map(|i| match i {
            bsm::Item::Record(r) => Some(r.header.event),
            _ => None,
        })
        .collect();
    for ((_, ev), number) in evs.iter().zip(numbers) {
        let (class, activity) = mapper.class_of(number);
        let intended = &ev["unmapped"]["earshot"]["intended_class_uid"];
        if intended.is_u64() {
            assert_eq!(ev["class_uid"], 0);
            assert_eq!(intended.as_u64(), Some(u64::from(class)));
        } else if class == 4001 && activity == 1 {
            // A failed connect is Refuse/Reset/Fail (§2.3).
            assert_eq!(ev["class_uid"], 4001);
        } else {
            assert_eq!(ev["class_uid"].as_u64(), Some(u64::from(class)), "{ev}");
            assert_eq!(
                ev["activity_id"].as_u64(),
                Some(u64::from(activity)),
                "{ev}"
            );
        }
    }
}

#[test]
fn a_failed_su_is_an_account_switch_to_root() {
    let evs = events("macos_login_session");
    let su = evs
        .iter()
        .find(|e| e["metadata"]["event_code"] == "AUE_su")
        .unwrap();
    assert_eq!(su["class_uid"], 3002);
    assert_eq!(su["activity_id"], 7);
    assert_eq!(su["activity_name"], "Account Switch");
    assert_eq!(su["account_switch_type_id"], 1);
    assert_eq!(su["account_switch_type"], "Substitute User");
    assert_eq!(su["status_id"], 2);
    assert_eq!(su["status"], "Failure");
    assert_eq!(su["status_code"], "EPERM");
    assert_eq!(su["status_detail"], "Operation not permitted");
    assert_eq!(su["user"]["name"], "root", "the target user from the text");
    assert_eq!(su["service"]["name"], "su");
    assert_eq!(su["actor"]["user"]["uid"], "501");
    assert_eq!(su["actor"]["process"]["pid"], 2260);
    assert_eq!(su["message"], "bad su alice to root on /dev/ttys001");
    assert_eq!(su["unmapped"]["bsm"]["return"]["value"], -1);
    assert_eq!(su["time"], 1_710_407_795_005_i64);
}

#[test]
fn sshd_logins_name_the_user_and_the_client() {
    let evs = events("macos_login_session");
    let ssh: Vec<&Value> = evs
        .iter()
        .filter(|e| e["metadata"]["event_code"] == "AUE_openssh")
        .collect();
    assert_eq!(ssh.len(), 3);
    let ok = ssh[0];
    assert_eq!(ok["class_uid"], 3002);
    assert_eq!(ok["activity_name"], "Logon");
    assert_eq!(ok["status"], "Success");
    assert_eq!(ok["user"]["name"], "alice");
    assert_eq!(ok["user"]["uid"], "501");
    assert_eq!(ok["service"]["name"], "sshd");
    assert_eq!(ok["logon_type_id"], 10);
    assert_eq!(ok["logon_type"], "Remote Interactive");
    assert_eq!(ok["is_remote"], true);
    assert_eq!(ok["session"]["uid"], "2201");
    assert_eq!(ok["src_endpoint"]["ip"], "192.168.1.23");
    assert_eq!(ok["src_endpoint"]["port"], 54123);
    assert_eq!(ssh[1]["src_endpoint"]["ip"], "2001:db8:85a3::8a2e:370:7334");
    let bad = ssh[2];
    assert_eq!(bad["status"], "Failure");
    assert_eq!(bad["status_code"], "255");
    assert_eq!(bad["status_detail"], "Unknown error: 255");
    assert_eq!(bad["user"]["name"], "admin");
    assert!(bad["user"].get("uid").is_none(), "auid unset: no uid");
    assert!(bad["actor"].get("user").is_none());
    assert_eq!(bad["unmapped"]["bsm"]["subject"]["auid"], 4294967295u64);
    assert_eq!(bad["unmapped"]["bsm"]["return"]["value"], 1);
}

#[test]
fn other_identity_records_fill_their_classes() {
    let evs = events("macos_login_session");
    let by = |code: &str| {
        evs.iter()
            .find(|e| e["metadata"]["event_code"] == code)
            .unwrap_or_else(|| panic!("{code}"))
    };
    let auth = by("AUE_ssauthorize");
    assert_eq!(auth["class_uid"], 3003);
    assert_eq!(
        auth["privileges"],
        serde_json::json!(["system.login.console"])
    );
    assert_eq!(
        auth["actor"]["app_name"],
        "/System/Library/CoreServices/loginwindow.app"
    );
    assert_eq!(auth["user"]["uid"], "0");

    let verify = by("AUE_auth_user");
    assert_eq!(verify["user"]["name"], "alice");
    assert_eq!(verify["service"]["name"], "opendirectoryd");

    let created = by("AUE_create_user");
    assert_eq!(created["class_uid"], 3001);
    assert_eq!(created["activity_name"], "Create");
    assert_eq!(created["user"]["name"], "bob");
    assert_eq!(created["user"]["uid"], "502");
    let pw = by("AUE_modify_password");
    assert_eq!(pw["activity_name"], "Password Change");
    assert_eq!(pw["user"]["name"], "bob");

    let lw = by("AUE_lw_login");
    assert_eq!(lw["logon_type"], "Interactive");
    assert_eq!(lw["user"]["uid"], "501");
    assert_eq!(lw["service"]["name"], "loginwindow");
    assert_eq!(by("AUE_lw_logout")["activity_name"], "Logoff");

    let sudo = by("AUE_sudo");
    assert_eq!(sudo["activity_name"], "Account Switch");
    assert_eq!(
        sudo["user"]["uid"], "0",
        "sudo's target: the effective user"
    );
}

#[test]
fn audit_startup_and_shutdown_are_event_log_start_and_stop() {
    let evs = events("macos_login_session");
    let start = &evs[1];
    assert_eq!(start["metadata"]["event_code"], "AUE_audit_startup");
    assert_eq!(start["class_uid"], 1008);
    assert_eq!(start["activity_name"], "Start");
    assert_eq!(start["log_provider"], "auditd");
    assert_eq!(start["message"], "launchctl::Audit startup");
    assert_eq!(evs[0]["activity_name"], "Restart", "audit crash recovery");
    let stop = evs.last().unwrap();
    assert_eq!(stop["activity_name"], "Stop");
    assert_eq!(stop["status"], "Success");
}

#[test]
fn a_kernel_rotation_names_the_new_trail() {
    let number = apple_number("AUE_AUDITCTL");
    let ev = one_record(
        |b| {
            b.path("/var/audit/20240314092501.not_terminated");
            b.subject32(&subject(u32::MAX, 0, 98));
            b.return32(0, 0);
        },
        number,
    );
    assert_eq!(ev["class_uid"], 1008);
    assert_eq!(ev["activity_id"], 5);
    assert_eq!(ev["activity_name"], "Rotate");
    assert_eq!(
        ev["file"]["path"],
        "/var/audit/20240314092501.not_terminated"
    );
    assert_eq!(ev["file"]["name"], "20240314092501.not_terminated");
    assert_eq!(ev["file"]["parent_folder"], "/var/audit");
    assert_eq!(ev["actor"]["process"]["pid"], 98);
    assert!(ev["actor"].get("user").is_none(), "auid unset");
}

#[test]
fn an_execve_with_arguments_is_a_launch_of_the_new_image() {
    let evs = events("macos_process_file");
    let exec = &evs[1];
    assert_eq!(exec["class_uid"], 1007);
    assert_eq!(exec["activity_name"], "Launch");
    assert_eq!(exec["launch_type_id"], 3);
    assert_eq!(exec["launch_type"], "Exec");
    let p = &exec["process"];
    assert_eq!(p["pid"], 2402);
    assert_eq!(p["name"], "ls");
    assert_eq!(p["path"], "/bin/ls");
    assert_eq!(p["cmd_line"], "/bin/ls -la /Users/alice/Documents");
    assert_eq!(p["file"]["type_id"], 1);
    assert_eq!(p["file"]["parent_folder"], "/bin");
    assert_eq!(p["file"]["owner"]["uid"], "0");
    assert_eq!(p["file"]["uid"], "1152921500312090448");
    assert_eq!(p["environment_variables"][1]["name"], "HOME");
    assert_eq!(p["environment_variables"][1]["value"], "/Users/alice");
    assert_eq!(exec["actor"]["user"]["uid"], "501");
    assert_eq!(exec["actor"]["session"]["uid"], "100004");
    let u = &exec["unmapped"]["bsm"];
    assert_eq!(
        u["exec_args"],
        serde_json::json!(["/bin/ls", "-la", "/Users/alice/Documents"])
    );
    assert!(u.get("paths").is_none(), "both identical paths are placed");
    assert_eq!(u["attr"]["mode"], "100755");
    assert_eq!(u["subject"]["auid"], 501);

    let fork = &evs[0];
    assert_eq!(fork["launch_type"], "Fork");
    assert_eq!(fork["process"]["pid"], 0x962, "the child PID argument");

    let failed = &evs[3];
    assert_eq!(failed["status_code"], "ENOENT");
    assert_eq!(failed["process"]["path"], "/usr/local/bin/nonexistent-tool");
    assert_eq!(
        failed["process"]["file"]["type_id"], 0,
        "no attr: unknown type"
    );
}

#[test]
fn file_records_name_the_file_and_its_owner() {
    let evs = events("macos_process_file");
    let open = &evs[4];
    assert_eq!(open["metadata"]["event_code"], "AUE_OPEN_R");
    assert_eq!(open["class_uid"], 1001);
    assert_eq!(open["activity_name"], "Open");
    let f = &open["file"];
    assert_eq!(f["name"], "hosts");
    assert_eq!(f["path"], "/etc/hosts");
    assert_eq!(f["parent_folder"], "/etc");
    assert_eq!(f["type"], "Regular File");
    assert_eq!(f["uid"], "12348081");
    assert_eq!(f["owner"]["uid"], "501");
    assert_eq!(open["unmapped"]["bsm"]["args"][0]["text"], "flags");
    assert_eq!(evs[5]["activity_name"], "Read");
    assert_eq!(evs[6]["activity_name"], "Close", "close: 1001/99");
    let denied = &evs[10];
    assert_eq!(denied["status_code"], "EACCES");
    assert_eq!(denied["file"]["type_id"], 0);

    let rename = evs
        .iter()
        .find(|e| e["metadata"]["event_code"] == "AUE_RENAME")
        .unwrap();
    assert_eq!(rename["activity_name"], "Rename");
    assert!(rename["file_result"]["path"].is_string());
    assert_ne!(rename["file"]["path"], rename["file_result"]["path"]);
    let chmod = evs
        .iter()
        .find(|e| e["metadata"]["event_code"] == "AUE_CHMOD")
        .unwrap();
    assert_eq!(chmod["activity_name"], "Set Security");
}

#[test]
fn a_refused_connect_is_network_refuse() {
    let evs = events("macos_network");
    let refused = &evs[2];
    assert_eq!(refused["class_uid"], 4001);
    assert_eq!(refused["activity_id"], 5);
    assert_eq!(refused["activity_name"], "Refuse");
    assert_eq!(refused["status"], "Failure");
    assert_eq!(refused["status_code"], "ECONNREFUSED");
    assert_eq!(refused["dst_endpoint"]["ip"], "127.0.0.1");
    assert_eq!(refused["dst_endpoint"]["port"], 5432);
    assert_eq!(refused["connection_info"]["direction"], "Local");

    let ok = &evs[1];
    assert_eq!(ok["activity_name"], "Open");
    assert_eq!(ok["dst_endpoint"]["ip"], "93.184.216.34");
    assert_eq!(ok["dst_endpoint"]["port"], 443);
    assert_eq!(ok["connection_info"]["direction_id"], 2);
    assert_eq!(ok["connection_info"]["protocol_ver_id"], 4);

    // F5: xnu stores the inet6 port byte-swapped (record 6); libbsm does not (record 5).
    assert_eq!(evs[5]["dst_endpoint"]["port"], 443, "xnu-written record");
    assert_eq!(
        evs[4]["dst_endpoint"]["port"], 47873,
        "libbsm-written record"
    );
    let libbsm = earshot_ocsf::Mapper::with_options(
        &audit_control::tables::EventTable::apple(),
        host(),
        earshot_ocsf::Options {
            xnu_inet6_port: false,
            ..Default::default()
        },
    );
    let other = map_file(&libbsm, &bsm_fixture("macos_network.bsm"));
    assert_eq!(other[4].1["dst_endpoint"]["port"], 443);

    let accept = &evs[6];
    assert_eq!(accept["activity_name"], "Open");
    assert_eq!(accept["src_endpoint"]["ip"], "198.51.100.7", "the peer");
    assert_eq!(accept["connection_info"]["direction"], "Inbound");

    let bind = &evs[8];
    assert_eq!(bind["activity_id"], 99);
    assert_eq!(bind["activity_name"], "Bind");
    assert_eq!(bind["src_endpoint"]["name"], "/var/run/mDNSResponder");

    let socket_ex = &evs[9];
    assert_eq!(socket_ex["src_endpoint"]["ip"], "10.0.0.5");
    assert_eq!(socket_ex["dst_endpoint"]["ip"], "10.0.0.1");
    assert_eq!(socket_ex["dst_endpoint"]["port"], 80);

    let sendto = &evs[11];
    assert_eq!(sendto["activity_name"], "Traffic");
    assert_eq!(sendto["dst_endpoint"]["ip"], "192.0.2.53");
    assert_eq!(sendto["dst_endpoint"]["port"], 53);
    assert_eq!(
        sendto["unmapped"]["bsm"]["sockets"][0]["address"], "2001:db8::53",
        "the second address has no place"
    );

    let socket = &evs[0];
    assert_eq!(socket["class_uid"], 0, "socket(2): Base Event by the table");
    assert_eq!(socket["activity_name"], "socket(2)");
    assert!(socket["unmapped"]["earshot"]
        .get("intended_class_uid")
        .is_none());
}

#[test]
fn connect_failures_follow_the_errno_rules() {
    let connect = apple_number("AUE_CONNECT");
    let with = |status: u8| {
        one_record(
            |b| {
                b.arg32(1, 5, "fd");
                b.socket_inet(2, 443, bsm::token::Addr::V4([93, 184, 216, 34]));
                b.subject32(&subject(501, 501, 3001));
                b.return32(status, u32::MAX);
            },
            connect,
        )
    };
    let pending = with(150);
    assert_eq!(
        pending["activity_name"], "Open",
        "EINPROGRESS is no failure"
    );
    assert_eq!(pending["status_id"], 99);
    assert_eq!(pending["status"], "In Progress");
    assert_eq!(pending["status_code"], "EINPROGRESS");
    assert_eq!(with(131)["activity_name"], "Reset");
    assert_eq!(with(145)["activity_name"], "Fail");
    assert_eq!(with(145)["status_code"], "ETIMEDOUT");
}

#[test]
fn the_identity_token_signs_the_executable() {
    let evs = events("macos_identity_token");
    assert_eq!(evs[0]["actor"]["app_uid"], "com.apple.nc");
    assert_eq!(evs[0]["unmapped"]["bsm"]["identity"]["signer_type"], 1);
    let exec = evs
        .iter()
        .find(|e| e["metadata"]["event_code"] == "AUE_EXECVE")
        .unwrap();
    let sig = &exec["process"]["file"]["signatures"][0];
    assert_eq!(sig["algorithm"], "Code Signing");
    assert_eq!(sig["developer_uid"], "ABCDE12345");
    assert_eq!(sig["digest"]["algorithm"], "CDHash");
    // The same cdhash as Earshot's record JSON shows.
    let bytes = std::fs::read(bsm_fixture("macos_identity_token.bsm")).unwrap();
    let rec = bsm::Reader::new(&bytes)
        .find_map(|i| match i {
            bsm::Item::Record(r) if r.header.event == 23 => Some(r),
            _ => None,
        })
        .unwrap();
    let json = bsm::json::record_value(&rec, &bsm::names::NoNames);
    assert_eq!(sig["digest"]["value"], json["identity"]["cdhash"]);
    assert!(
        exec["unmapped"]["bsm"]["identity"].get("cdhash").is_none(),
        "placed"
    );
    assert_eq!(exec["actor"]["app_uid"], "com.example.tool");
    assert_eq!(exec["process"]["cmd_line"], "nc -z 10.10.10.10 15234");
}

#[test]
fn a_record_that_cannot_fill_its_class_is_a_base_event() {
    let evs = events("header_variants");
    let fallback: Vec<&Value> = evs
        .iter()
        .filter(|e| e["unmapped"]["earshot"]["intended_class_uid"].is_u64())
        .collect();
    assert!(!fallback.is_empty());
    for e in fallback {
        assert_eq!(e["class_uid"], 0);
        assert_eq!(e["activity_id"], 99);
        assert_eq!(e["type_name"], "Base Event: Other");
    }
    let unknown = evs
        .iter()
        .find(|e| e["unmapped"]["bsm"]["event"]["number"] == 65535)
        .unwrap();
    assert_eq!(unknown["class_uid"], 0);
    assert_eq!(unknown["activity_name"], "event 65535");
    assert_eq!(unknown["metadata"]["event_code"], "65535");
    let session = evs
        .iter()
        .find(|e| e["unmapped"]["bsm"]["event"]["number"] == 44903)
        .unwrap();
    assert_eq!(
        session["metadata"]["event_code"], "AUE_SESSION_END",
        "xnu's name"
    );
    // header_ex: the recorded host address joins the device.
    assert!(evs.iter().any(|e| e["device"]["ip"].is_string()));
    assert!(evs
        .iter()
        .all(|e| e["device"]["hostname"] == "alice-mbp.local"));
}

#[test]
fn damaged_records_are_marked_and_keep_their_bytes() {
    let evs = events("corrupt_midstream");
    let damaged: Vec<&Value> = evs
        .iter()
        .filter(|e| e["metadata"]["is_truncated"] == true)
        .collect();
    assert_eq!(
        damaged.len(),
        2,
        "the overrunning text and the unknown token"
    );
    for e in damaged {
        let u = &e["unmapped"]["bsm"];
        assert!(u["damage"]["kind"].is_string(), "{u}");
        assert!(u["other"][0]["hex"].is_string(), "{u}");
    }
}

#[test]
fn odd_tokens_all_land_in_unmapped() {
    let evs = events("odd_tokens");
    let text = serde_json::to_string(&evs).unwrap();
    for token in [
        "zonename", "ipc_perm", "arg_uuid", "ret_uuid", "upriv", "privset", "groups", "opaque",
        "data", "ip",
    ] {
        assert!(
            text.contains(&format!("\"token\":\"{token}\"")),
            "{token} kept in unmapped"
        );
    }
    // kill(2) with four process tokens: the first is the target, the rest stay whole.
    let kill = &evs[0];
    assert_eq!(kill["activity_name"], "Signal");
    assert!(kill["process"]["pid"].is_u64());
    assert_eq!(kill["unmapped"]["bsm"]["process"]["auid"], 501);
    let others = kill["unmapped"]["bsm"]["other"].as_array().unwrap();
    assert!(others.iter().filter(|t| t["token"] == "process").count() >= 3);
}

#[test]
fn six_one_seven_one_is_audit_startup_on_a_mac() {
    // F8: Apple's file lists 6171 twice; the kernel (and Earshot) use the last line.
    let ev = one_record(
        |b| {
            b.text("auditd::Audit startup");
            b.return32(0, 0);
        },
        6171,
    );
    assert_eq!(ev["metadata"]["event_code"], "AUE_DARWIN_audit_startup");
    assert_eq!(ev["class_uid"], 1008);
    assert_eq!(ev["activity_name"], "Start");
    assert_eq!(
        ev["unmapped"]["bsm"]["event"]["praudit_name"],
        "AUE_ftpd_logout"
    );
}

#[test]
fn group_records_name_the_group_and_member() {
    let number = apple_number("AUE_add_to_group");
    let ev = one_record(
        |b| {
            b.subject32_ex(&subject(501, 0, 2300));
            b.text("Add user 'bob' to group 'admin' in node '/Local/Default'");
            b.return32(0, 0);
        },
        number,
    );
    assert_eq!(ev["class_uid"], 3006);
    assert_eq!(ev["activity_name"], "Add User");
    assert_eq!(ev["group"]["name"], "admin");
    assert_eq!(ev["user"]["name"], "bob");
}
