//! What every event starts with: classification, time, `metadata` and `device`.

use crate::class::{self, Class};
use crate::json::{self, key, lit};
use crate::source::Host;

/// `metadata.version`: the schemas the events are validated against (the
/// 1.9.0 tree a week before its release; see tests/fixtures/ocsf/1.9.0-dev/README.md).
pub const OCSF_VERSION: &str = "1.9.0-dev";

/// `metadata.product.version`.
pub const PRODUCT_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Writes `{` and the classification members: class, category, activity,
/// type and severity, then `"time":` (the caller writes the value).
/// `activity_name` replaces the caption (activity 99 only; the caption otherwise).
pub(crate) fn head(
    out: &mut Vec<u8>,
    class: &Class,
    activity_id: u8,
    activity_name: Option<&str>,
    severity_id: u8,
) {
    let caption = class.activity_caption(activity_id).unwrap_or("Unknown");
    out.push(b'{');
    key!(out, "class_uid");
    json::u64(out, u64::from(class.uid));
    key!(out, "class_name");
    json::str(out, class.name);
    key!(out, "category_uid");
    json::u64(out, u64::from(class.category_uid));
    key!(out, "category_name");
    json::str(out, class.category_name);
    key!(out, "activity_id");
    json::u64(out, u64::from(activity_id));
    key!(out, "activity_name");
    match activity_name {
        Some(n) if activity_id == 99 => json::str(out, n),
        _ => json::str(out, caption),
    }
    key!(out, "type_uid");
    json::u64(out, u64::from(class.uid) * 100 + u64::from(activity_id));
    key!(out, "type_name");
    out.push(b'"');
    json::escaped(out, class.name.as_bytes());
    out.extend_from_slice(b": ");
    json::escaped(out, caption.as_bytes());
    out.push(b'"');
    key!(out, "severity_id");
    json::u64(out, u64::from(severity_id));
    key!(out, "severity");
    json::str(out, class::severity_caption(severity_id));
    key!(out, "time");
}

/// The parts of every event that depend only on the host, rendered once.
#[derive(Debug, Clone)]
pub(crate) struct Fixed {
    /// `"metadata":{"version":…,"product":{…},"profiles":[…]` — still open.
    pub metadata: Vec<u8>,
    /// `"device":{…` — still open, so a record's host address can join it.
    pub device: Vec<u8>,
    /// The host id, escaped, without quotes.
    pub host_id: Vec<u8>,
}

impl Fixed {
    pub fn new(host: &Host) -> Fixed {
        let mut metadata = Vec::with_capacity(160);
        // A leading `{` makes the first member skip its comma; it is dropped below.
        metadata.push(b'{');
        key!(&mut metadata, "metadata");
        metadata.push(b'{');
        key!(&mut metadata, "version");
        json::str(&mut metadata, OCSF_VERSION);
        key!(&mut metadata, "product");
        metadata.push(b'{');
        lit!(&mut metadata, "name", "Earshot");
        lit!(&mut metadata, "vendor_name", "Earshot");
        key!(&mut metadata, "version");
        json::str(&mut metadata, PRODUCT_VERSION);
        metadata.push(b'}');
        key!(&mut metadata, "profiles");
        metadata.extend_from_slice(br#"["host","macos/macos_users"]"#);
        metadata.remove(0);

        let mut device = Vec::with_capacity(200);
        device.push(b'{');
        key!(&mut device, "device");
        device.push(b'{');
        key!(&mut device, "type_id");
        json::u64(&mut device, u64::from(host.device_type.id()));
        key!(&mut device, "type");
        json::str(&mut device, host.device_type.caption());
        key!(&mut device, "hostname");
        json::str(&mut device, host.hostname_or_default());
        if let Some(uid) = host.uid.as_deref().filter(|u| !u.is_empty()) {
            key!(&mut device, "uid");
            json::str(&mut device, uid);
        }
        if let Some(model) = host.model.as_deref().filter(|m| !m.is_empty()) {
            key!(&mut device, "model");
            json::str(&mut device, model);
        }
        key!(&mut device, "os");
        device.push(b'{');
        lit!(&mut device, "name", "macOS");
        key!(&mut device, "type_id");
        device.extend_from_slice(b"300");
        lit!(&mut device, "type", "macOS");
        if let Some(v) = host.os_version.as_deref().filter(|v| !v.is_empty()) {
            key!(&mut device, "version");
            json::str(&mut device, v);
        }
        if let Some(b) = host.os_build.as_deref().filter(|b| !b.is_empty()) {
            key!(&mut device, "build");
            json::str(&mut device, b);
        }
        device.push(b'}');
        device.remove(0);

        let mut host_id = Vec::new();
        json::escaped(&mut host_id, host.id().as_bytes());
        Fixed {
            metadata,
            device,
            host_id,
        }
    }

    /// `,"metadata":{…` (open: the caller adds its members and the `}`).
    /// It always follows `time`.
    pub fn open_metadata(&self, out: &mut Vec<u8>) {
        out.push(b',');
        out.extend_from_slice(&self.metadata);
    }

    /// `,"device":{…}`. It always follows `metadata`.
    pub fn device(&self, out: &mut Vec<u8>) {
        out.push(b',');
        out.extend_from_slice(&self.device);
        out.push(b'}');
    }
}

/// Milliseconds since the epoch of a `SystemTime` (negative before 1970).
pub(crate) fn millis(t: std::time::SystemTime) -> i64 {
    match t.duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_millis()).unwrap_or(i64::MAX),
    }
}
