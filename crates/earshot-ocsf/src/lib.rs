//! `earshot-ocsf`: BSM audit records and Earshot's own observations as
//! [OCSF](https://schema.ocsf.io) 1.9 events, one NDJSON line each.
//!
//! * [`Mapper::record`] — one BSM record → one event of the class its event
//!   *name* calls for (`data/events.tsv`, looked up with the Mac's own
//!   audit_event, the kernel's last line for a duplicated number). A record
//!   whose tokens cannot fill that class becomes a Base Event with
//!   `unmapped.earshot.intended_class_uid`. Token fields without an OCSF place
//!   are kept in `unmapped.bsm`; nothing in the record is dropped.
//! * Earshot's own events: [`Mapper::config_change`] (5019),
//!   [`Mapper::health_change`], [`Mapper::trail_change`],
//!   [`Mapper::records_lost`], [`Mapper::spool_start`] (1008) and
//!   [`Mapper::compliance_change`] (2003).
//! * Event ids: `metadata.uid` = `<host id>:<trail stamp>:<offset>` for records
//!   ([`TrailId`]: the stamp survives auditd's renames), so a consumer can
//!   de-duplicate a record sent twice.
//!
//! JSON is written straight into a byte buffer (no value tree), so mapping
//! keeps up with reading trails. docs/ocsf.md documents the mapping.
//!
//! ```
//! use earshot_ocsf::{Host, Mapper, TrailId};
//! let events = audit_control::tables::EventTable::apple();
//! let mapper = Mapper::new(&events, Host::named("mac.local"));
//! let mut b = bsm::write::RecordBuilder::new(45000, 1_710_407_700, 381);
//! b.text("launchctl::Audit startup").return32(0, 0);
//! let bytes = b.finish();
//! let Some(bsm::Item::Record(rec)) = bsm::Reader::new(&bytes).next() else { panic!() };
//! let mut line = Vec::new();
//! mapper.record(&mut line, &rec, &TrailId::from_name("20240314091500.not_terminated"));
//! let v: serde_json::Value = serde_json::from_slice(&line).unwrap();
//! assert_eq!(v["class_uid"], 1008);
//! assert_eq!(v["activity_name"], "Start");
//! assert_eq!(v["time"], 1_710_407_700_381_i64);
//! assert_eq!(v["metadata"]["uid"], "mac.local:20240314091500:0");
//! ```
#![forbid(unsafe_code)]

pub mod class;
mod event;
mod json;
mod own;
mod record;
mod source;
pub mod table;
#[cfg(feature = "validate")]
pub mod validate;

pub use event::{OCSF_VERSION, PRODUCT_VERSION};
pub use own::{
    ChangeOrigin, ComplianceChange, ComplianceStatus, ConfigChange, HealthChange, HealthTransition,
    RecordsLost, Requester, SpoolStart, TrailAction, TrailChange,
};
pub use record::{Mapper, Options};
pub use source::{DeviceType, Host, TrailId};
