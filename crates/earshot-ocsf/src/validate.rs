//! The check every emitted event must pass (for tests, and for anyone who
//! wants to check a spool): its class's JSON Schema (draft 2020-12, offline,
//! from the OCSF tree the events claim), no nulls outside `unmapped`,
//! `type_uid`, `metadata.version`, and every caption beside an id
//! (`activity_name`, `class_name`, `category_name`, `type_name`, `severity`,
//! `status`, and the siblings inside objects) against `captions.json`,
//! generated from the compiled OCSF schema. The schemas enforce none of the
//! last four (docs/ocsf.md, F9), so they are checked here.
//!
//! Behind the `validate` feature: it needs `jsonschema`, which the mapping
//! itself does not.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

/// The class schemas and captions of one OCSF tree (`tests/fixtures/ocsf/<version>`).
pub struct Schemas {
    classes: HashMap<u64, (Value, jsonschema::Validator)>,
    pub captions: Value,
}

impl Schemas {
    /// Loads `dir/captions.json` and `dir/classes/<name>.schema.json` for every
    /// class the captions list.
    pub fn load(dir: &Path) -> Result<Schemas, String> {
        let read = |p: &Path| -> Result<Value, String> {
            let bytes = std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()))?;
            serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", p.display()))
        };
        let captions = read(&dir.join("captions.json"))?;
        let mut classes = HashMap::new();
        let listed = captions["classes"]
            .as_object()
            .ok_or("captions.json has no classes")?;
        for (uid, c) in listed {
            let name = c["name"].as_str().ok_or("a class without a name")?;
            let path = dir.join(format!("classes/{name}.schema.json"));
            let schema = read(&path)?;
            let v = jsonschema::draft202012::new(&schema)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            let uid: u64 = uid.parse().map_err(|_| format!("class uid {uid}"))?;
            classes.insert(uid, (schema, v));
        }
        Ok(Schemas { classes, captions })
    }

    /// How many classes were loaded.
    pub fn len(&self) -> usize {
        self.classes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.classes.is_empty()
    }

    /// Parses one emitted line (exactly one event, newline-terminated) and
    /// checks it.
    pub fn check_line(&self, line: &[u8]) -> Result<Value, String> {
        let Some((b'\n', body)) = line.split_last() else {
            return Err("a line must end in a newline".into());
        };
        if body.contains(&b'\n') {
            return Err("more than one line".into());
        }
        let v: Value = serde_json::from_slice(body).map_err(|e| format!("not JSON: {e}"))?;
        self.check(&v)?;
        Ok(v)
    }

    /// Every check, all problems in one message.
    pub fn check(&self, ev: &Value) -> Result<(), String> {
        let mut problems = Vec::new();
        let uid = ev["class_uid"].as_u64().ok_or("no class_uid")?;
        let (schema, validator) = self
            .classes
            .get(&uid)
            .ok_or_else(|| format!("class {uid} is not one Earshot emits"))?;
        for e in validator.iter_errors(ev) {
            problems.push(format!("schema: {e} at {}", e.instance_path()));
        }
        for (k, v) in ev.as_object().into_iter().flatten() {
            if k != "unmapped" {
                nulls(v, k, &mut problems);
            }
        }
        let activity = ev["activity_id"].as_u64().unwrap_or(1000);
        if ev["type_uid"].as_u64() != Some(uid * 100 + activity) {
            problems.push(format!(
                "type_uid {} is not class_uid*100 + activity_id",
                ev["type_uid"]
            ));
        }
        let class = &self.captions["classes"][uid.to_string()];
        for (field, want) in [
            ("class_name", &class["caption"]),
            ("category_uid", &class["category_uid"]),
            ("category_name", &class["category_name"]),
        ] {
            if &ev[field] != want {
                problems.push(format!("{field} {} is not {want}", ev[field]));
            }
        }
        let activity_caption = class["attributes"]["activity_id"][activity.to_string()]
            .as_str()
            .unwrap_or("?");
        let type_name = format!(
            "{}: {activity_caption}",
            class["caption"].as_str().unwrap_or("?")
        );
        if ev["type_name"] != type_name.as_str() {
            problems.push(format!(
                "type_name {} is not {type_name:?}",
                ev["type_name"]
            ));
        }
        for must in ["activity_name", "severity"] {
            if ev.get(must).is_none() {
                problems.push(format!("no {must}"));
            }
        }
        if ev.get("status_id").is_some() && ev.get("status").is_none() {
            problems.push("status_id without status".into());
        }
        if ev["metadata"]["version"] != crate::OCSF_VERSION {
            problems.push("metadata.version".into());
        }
        self.siblings(ev, &class["attributes"], schema, schema, "", &mut problems);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("\n"))
        }
    }

    /// Sibling captions of `obj` (whose enums are `enums`), then of every
    /// object inside it, found through the schema's `$ref`s.
    fn siblings(
        &self,
        obj: &Value,
        enums: &Value,
        schema: &Value,
        root: &Value,
        at: &str,
        problems: &mut Vec<String>,
    ) {
        let Some(map) = obj.as_object() else { return };
        for (k, v) in map {
            if k == "unmapped" || k.ends_with("xattributes") {
                continue;
            }
            if let (Some(sib), Some(id)) = (self.captions["siblings"][k].as_str(), v.as_u64()) {
                if let Some(cap) = enums[k][id.to_string()].as_str() {
                    match map.get(sib) {
                        None if matches!(
                            k.as_str(),
                            "activity_id" | "severity_id" | "status_id"
                        ) =>
                        {
                            problems.push(format!("{at}{k} without {sib}"))
                        }
                        Some(s) if id != 99 && s != cap => {
                            problems.push(format!("{at}{sib} {s} is not {cap:?} (id {id})"))
                        }
                        Some(s) if id == 99 && s.as_str().is_none_or(str::is_empty) => {
                            problems.push(format!("{at}{sib} of id 99 is empty"))
                        }
                        _ => {}
                    }
                } else if enums.get(k).is_some() {
                    problems.push(format!("{at}{k} {id} is not an enum value"));
                }
            }
            let Some(prop) = schema["properties"].get(k) else {
                continue;
            };
            let items = |v: &Value| -> Vec<Value> {
                match v {
                    Value::Array(a) => a.clone(),
                    other => vec![other.clone()],
                }
            };
            let reference = prop["$ref"]
                .as_str()
                .or_else(|| prop["items"]["$ref"].as_str());
            let Some(name) = reference.and_then(|r| r.strip_prefix("#/$defs/")) else {
                continue;
            };
            let sub = &root["$defs"][name];
            let sub_enums = &self.captions["objects"][name];
            for item in items(v) {
                self.siblings(&item, sub_enums, sub, root, &format!("{at}{k}."), problems);
            }
        }
    }
}

fn nulls(v: &Value, at: &str, problems: &mut Vec<String>) {
    match v {
        Value::Null => problems.push(format!("null at {at}")),
        Value::Array(a) => a.iter().for_each(|x| nulls(x, at, problems)),
        Value::Object(m) => m
            .iter()
            .for_each(|(k, x)| nulls(x, &format!("{at}.{k}"), problems)),
        _ => {}
    }
}
