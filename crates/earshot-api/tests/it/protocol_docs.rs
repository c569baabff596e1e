//! docs/protocol.md is the reference for people writing clients: every JSON
//! example in it must be a message this crate reads, and must say exactly what
//! this crate would write (no missing, extra or misspelt fields).

use earshot_api::{ClientFrame, ServerFrame};
use serde_json::Value;

const DOC: &str = include_str!("../../../../docs/protocol.md");

fn json_blocks(doc: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in doc.lines() {
        let trimmed = line.trim();
        match &mut current {
            None if trimmed == "```json" => current = Some(String::new()),
            Some(buf) if trimmed == "```" => {
                blocks.push(std::mem::take(buf));
                current = None;
            }
            Some(buf) => buf.push_str(trimmed),
            None => {}
        }
    }
    blocks
}

#[test]
fn docs_examples_parse() {
    let blocks = json_blocks(DOC);
    assert!(blocks.len() >= 25, "found only {} examples", blocks.len());
    for block in blocks {
        let original: Value =
            serde_json::from_str(&block).unwrap_or_else(|e| panic!("{e}: {block}"));
        let rewritten = if let Ok(frame) = serde_json::from_str::<ClientFrame>(&block) {
            serde_json::to_value(frame).unwrap()
        } else {
            match serde_json::from_str::<ServerFrame>(&block) {
                Ok(frame) => serde_json::to_value(frame).unwrap(),
                Err(e) => panic!("not a frame ({e}): {block}"),
            }
        };
        assert_eq!(
            rewritten, original,
            "the crate would write this differently"
        );
    }
}
