//! Where events come from: the Mac (`device`) and the trail a record was read
//! from (the stable event id).

use std::path::Path;

/// OCSF `device.type_id` values that fit a Mac.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DeviceType {
    #[default]
    Unknown,
    Server,
    Desktop,
    Laptop,
    Virtual,
}

impl DeviceType {
    pub fn id(self) -> u8 {
        match self {
            DeviceType::Unknown => 0,
            DeviceType::Server => 1,
            DeviceType::Desktop => 2,
            DeviceType::Laptop => 3,
            DeviceType::Virtual => 6,
        }
    }

    pub fn caption(self) -> &'static str {
        match self {
            DeviceType::Unknown => "Unknown",
            DeviceType::Server => "Server",
            DeviceType::Desktop => "Desktop",
            DeviceType::Laptop => "Laptop",
            DeviceType::Virtual => "Virtual",
        }
    }

    /// From the hardware model (`sysctl hw.model`): `MacBook*` is a laptop,
    /// `VirtualMac*` a virtual machine, the other Mac families desktops.
    pub fn from_model(model: &str) -> DeviceType {
        if model.starts_with("MacBook") {
            DeviceType::Laptop
        } else if model.starts_with("VirtualMac") {
            DeviceType::Virtual
        } else if ["iMac", "Macmini", "MacPro", "Mac"]
            .iter()
            .any(|p| model.starts_with(p))
        {
            DeviceType::Desktop
        } else {
            DeviceType::Unknown
        }
    }
}

/// The Mac the events are about, as the caller knows it. Every event's `device`
/// is made from it (OCSF requires `type_id` and one of hostname/uid/…).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Host {
    /// `device.hostname`. An empty name is written as `localhost`.
    pub hostname: String,
    /// `device.uid`: the hardware UUID (IOPlatformUUID). Also the host part of
    /// every `metadata.uid` when set (the hostname otherwise), because it
    /// survives renaming the Mac.
    pub uid: Option<String>,
    /// `device.os.version`, e.g. `15.1`.
    pub os_version: Option<String>,
    /// `device.os.build`, e.g. `24B83`.
    pub os_build: Option<String>,
    /// `device.model`, e.g. `MacBookPro18,3`.
    pub model: Option<String>,
    pub device_type: DeviceType,
}

impl Host {
    /// A host known by name only.
    pub fn named(hostname: impl Into<String>) -> Host {
        Host {
            hostname: hostname.into(),
            ..Host::default()
        }
    }

    /// The host part of event ids: the hardware UUID, else the hostname.
    pub fn id(&self) -> &str {
        match &self.uid {
            Some(u) if !u.is_empty() => u,
            _ => self.hostname_or_default(),
        }
    }

    pub(crate) fn hostname_or_default(&self) -> &str {
        if self.hostname.is_empty() {
            "localhost"
        } else {
            &self.hostname
        }
    }
}

/// The identity of a trail file for event ids: its start stamp, the first 14
/// digits of its name (`20240314091500.not_terminated` → `20240314091500`),
/// which auditd keeps when it renames the file on rotation
/// (`20240314091500.20240314092501`). A file whose name does not start with a
/// stamp (a copy, a fixture) is identified by its whole name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TrailId {
    stamp: String,
}

impl TrailId {
    /// From a file name (not a path).
    pub fn from_name(name: &str) -> TrailId {
        let digits = name.bytes().take_while(u8::is_ascii_digit).count();
        let stamp = if digits >= 14 { &name[..14] } else { name };
        TrailId {
            stamp: stamp.to_string(),
        }
    }

    /// From a path: its file name (`/var/audit/current` should be resolved by
    /// the caller first, since the link's name says nothing).
    pub fn from_path(path: &Path) -> TrailId {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        TrailId::from_name(&name)
    }

    /// The stamp (or the whole name of a file without one).
    pub fn stamp(&self) -> &str {
        &self.stamp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stamp_survives_rotation() {
        let open = TrailId::from_name("20240314091500.not_terminated");
        let closed = TrailId::from_name("20240314091500.20240314092501");
        let crashed = TrailId::from_name("20240314091500.crash_recovery");
        assert_eq!(open, closed);
        assert_eq!(open, crashed);
        assert_eq!(open.stamp(), "20240314091500");
        assert_eq!(
            TrailId::from_name("mixed_sample.bsm").stamp(),
            "mixed_sample.bsm"
        );
        assert_eq!(
            TrailId::from_path(Path::new("/var/audit/20240314091500.not_terminated")).stamp(),
            "20240314091500"
        );
    }

    #[test]
    fn models_give_device_types() {
        assert_eq!(DeviceType::from_model("MacBookPro18,3"), DeviceType::Laptop);
        assert_eq!(DeviceType::from_model("Mac14,13"), DeviceType::Desktop);
        assert_eq!(DeviceType::from_model("VirtualMac2,1"), DeviceType::Virtual);
        assert_eq!(DeviceType::from_model(""), DeviceType::Unknown);
    }

    #[test]
    fn the_host_id_prefers_the_hardware_uuid() {
        let mut h = Host::named("mac.local");
        assert_eq!(h.id(), "mac.local");
        h.uid = Some("0A1B".into());
        assert_eq!(h.id(), "0A1B");
        assert_eq!(Host::default().id(), "localhost");
    }
}
