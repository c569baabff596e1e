//! Shared helpers: the fixture trails live at the repository root
//! (tests/fixtures/bsm), copied from the shared reference set.
#![allow(dead_code)]

use std::path::PathBuf;

pub const FIXTURES: &[&str] = &[
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

pub fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/bsm")
}

pub fn read(name: &str) -> Vec<u8> {
    let p = dir().join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

pub fn bsm(stem: &str) -> Vec<u8> {
    read(&format!("{stem}.bsm"))
}

pub fn json(stem: &str) -> serde_json::Value {
    serde_json::from_slice(&read(&format!("{stem}.json"))).expect("fixture json")
}
