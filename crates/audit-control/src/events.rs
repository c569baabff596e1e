//! Which events a preselection mask audits.
//!
//! The kernel tests an event's class mask against the success or the failure
//! half of the process mask (xnu `au_preselect`): an event is recorded on
//! success when `class & mask.success != 0`, on failure when
//! `class & mask.failure != 0`. Events mapped to class 0 (`no`, unknown class
//! names, lines after a line that ended the table) are never selected.

use serde::Serialize;

use crate::flags::ClassMask;
use crate::tables::{Event, EventTable};

/// An event and whether `mask` records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditedEvent<'a> {
    pub event: &'a Event,
    pub on_success: bool,
    pub on_failure: bool,
}

/// Every event (the kernel's view: one entry per number, the later line wins)
/// that `mask` records on success or on failure, in number order.
pub fn audited_events(mask: ClassMask, events: &EventTable) -> Vec<AuditedEvent<'_>> {
    events
        .effective()
        .filter_map(|e| {
            let on_success = mask.audits_success(e.class_mask);
            let on_failure = mask.audits_failure(e.class_mask);
            (on_success || on_failure).then_some(AuditedEvent {
                event: e,
                on_success,
                on_failure,
            })
        })
        .collect()
}

/// Events whose class mask shares a bit with `class_mask` (what a class covers),
/// in number order. For the zero class (`no`) it lists the events mapped to 0.
pub fn events_in_class(class_mask: u32, events: &EventTable) -> Vec<&Event> {
    events
        .effective()
        .filter(|e| {
            if class_mask == 0 {
                e.class_mask == 0
            } else {
                e.class_mask & class_mask != 0
            }
        })
        .collect()
}
