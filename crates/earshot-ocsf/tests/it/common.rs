//! What every test checks of an emitted event ([`Schemas::check`]: its
//! class's JSON Schema, no nulls, `type_uid` and every caption), with the
//! repo's copy of the OCSF tree, and the mapping helpers the tests share.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use audit_control::tables::EventTable;
use earshot_ocsf::validate::Schemas;
use earshot_ocsf::{Host, Mapper, TrailId};
use serde_json::Value;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn ocsf_dir() -> PathBuf {
    root().join("tests/fixtures/ocsf/1.9.0-dev")
}

pub fn bsm_fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures/bsm").join(name)
}

/// The compiled schemas, loaded once for all tests.
pub fn ocsf() -> &'static Schemas {
    static OCSF: OnceLock<Schemas> = OnceLock::new();
    OCSF.get_or_init(|| {
        let s = Schemas::load(&ocsf_dir()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.len(), 12, "the 12 classes Earshot emits");
        s
    })
}

/// Parses one emitted line (exactly one, newline-terminated) and checks it.
pub fn parse_checked(line: &[u8]) -> Value {
    ocsf()
        .check_line(line)
        .unwrap_or_else(|p| panic!("{p}\nin {}", String::from_utf8_lossy(line)))
}

pub fn host() -> Host {
    Host {
        hostname: "alice-mbp.local".into(),
        uid: Some("4C4C4544-0000-1000-8000-B1C04F4D4E31".into()),
        os_version: Some("15.1".into()),
        os_build: Some("24B83".into()),
        model: Some("MacBookPro18,3".into()),
        device_type: earshot_ocsf::DeviceType::Laptop,
    }
}

pub fn mapper() -> Mapper {
    Mapper::new(&EventTable::apple(), host())
}

/// Every record of a trail file, mapped and checked, with its offset.
pub fn map_file(mapper: &Mapper, path: &Path) -> Vec<(u64, Value)> {
    let bytes = std::fs::read(path).unwrap();
    map_bytes(mapper, &bytes, &TrailId::from_path(path))
}

pub fn map_bytes(mapper: &Mapper, bytes: &[u8], trail: &TrailId) -> Vec<(u64, Value)> {
    let mut out = Vec::new();
    let mut line = Vec::new();
    for item in bsm::Reader::new(bytes) {
        if let bsm::Item::Record(rec) = item {
            line.clear();
            mapper.record(&mut line, &rec, trail);
            out.push((rec.offset, parse_checked(&line)));
        }
    }
    out
}

/// A one-record trail written with the repo's libbsm-exact writer.
pub fn one_record(build: impl FnOnce(&mut bsm::write::RecordBuilder), event: u16) -> Value {
    let mut b = bsm::write::RecordBuilder::new(event, 1_710_407_700, 250);
    build(&mut b);
    let bytes = b.finish();
    let events = map_bytes(
        &mapper(),
        &bytes,
        &TrailId::from_name("20240314091500.not_terminated"),
    );
    assert_eq!(events.len(), 1);
    events.into_iter().next().unwrap().1
}

/// The number Apple's audit_event gives a name (the kernel's, last line).
pub fn apple_number(name: &str) -> u16 {
    EventTable::apple()
        .effective()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("{name} not in Apple's audit_event"))
        .number
}

pub fn subject(auid: u32, uid: u32, pid: u32) -> bsm::write::SubjectInfo {
    bsm::write::SubjectInfo {
        auid,
        euid: uid,
        egid: 20,
        ruid: uid,
        rgid: 20,
        pid,
        sid: 100_004,
        port: 0,
        addr: bsm::token::Addr::V4([0, 0, 0, 0]),
    }
}
