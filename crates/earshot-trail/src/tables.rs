//! The audit_event / audit_class tables as the trail engine uses them: event
//! number → class mask and name, class name → mask, and per-class counts.

use std::collections::BTreeMap;

use audit_control::tables::{ClassTable, EventTable};

use super::tally::Tally;

/// Event and class tables plus a dense event → class-mask map for the hot path.
pub struct Tables {
    events: EventTable,
    classes: ClassTable,
    /// `masks[n]` is event n's class mask; `known[n]` whether audit_event lists it.
    masks: Box<[u32]>,
    known: Box<[bool]>,
}

/// Class name used for events that audit_event does not list: they cannot be
/// preselected by class, so counting them under a real class would mislead.
pub const UNLISTED_EVENT_CLASS: &str = "(event not in audit_event)";

impl Tables {
    pub fn new(events: EventTable, classes: ClassTable) -> Tables {
        let mut masks = vec![0u32; 1 << 16].into_boxed_slice();
        let mut known = vec![false; 1 << 16].into_boxed_slice();
        for n in 0..=u16::MAX {
            if let Some(e) = events.get(n) {
                masks[usize::from(n)] = e.class_mask;
                known[usize::from(n)] = true;
            }
        }
        Tables {
            events,
            classes,
            masks,
            known,
        }
    }

    /// The tables of the Mac behind `sys` (see [`earshot_system::audit_tables`]).
    pub fn of_system(sys: &dyn earshot_system::System) -> Tables {
        let (classes, events) = earshot_system::audit_tables(sys);
        Tables::new(events, classes)
    }

    /// Apple's tables, as on a Mac that has not edited them.
    pub fn apple() -> Tables {
        Tables::new(EventTable::apple(), ClassTable::apple())
    }

    pub fn events(&self) -> &EventTable {
        &self.events
    }

    pub fn classes(&self) -> &ClassTable {
        &self.classes
    }

    /// The event's class mask (0 for unlisted events).
    #[inline]
    pub fn class_mask(&self, event: u16) -> u32 {
        self.masks[usize::from(event)]
    }

    pub fn is_listed(&self, event: u16) -> bool {
        self.known[usize::from(event)]
    }

    /// `AUE_…` name, or the number as text when audit_event does not list it
    /// (as praudit does). Like praudit (libbsm `getauevnum`), the *first* line for
    /// a number names it, so stats and printed records agree; classes follow the
    /// kernel's map, where the last line wins.
    pub fn event_name(&self, event: u16) -> String {
        match self.events.get_first(event) {
            Some(e) => e.name.clone(),
            None => event.to_string(),
        }
    }

    /// Class names an event belongs to. A class counts when all its bits are in
    /// the event's mask, so `all` (every bit) never matches an ordinary event and
    /// `no` (mask 0) matches exactly the events mapped to no class.
    pub fn class_names_of(&self, event: u16) -> Vec<String> {
        if !self.is_listed(event) {
            return vec![UNLISTED_EVENT_CLASS.to_string()];
        }
        let mask = self.class_mask(event);
        let mut out: Vec<String> = Vec::new();
        for c in self.classes.classes() {
            let hit = if c.mask == 0 {
                mask == 0
            } else {
                mask & c.mask == c.mask
            };
            // First name wins for duplicate masks/names, as in libbsm lookups.
            if hit && !out.contains(&c.name) {
                out.push(c.name.clone());
            }
        }
        if out.is_empty() {
            // Bits no class names (e.g. a local audit_event using an undefined class).
            out.push(format!("0x{mask:08x}"));
        }
        out
    }

    /// Records per class: each event's count is added to every class it is in.
    pub fn class_counts(&self, tally: &Tally) -> BTreeMap<String, u64> {
        let mut out = BTreeMap::new();
        for (&event, &n) in &tally.by_event {
            for c in self.class_names_of(event) {
                *out.entry(c).or_default() += n;
            }
        }
        out
    }

    /// Records per event name (numbers for unlisted events). Two numbers sharing a
    /// name (audit_event has such duplicates) are added together.
    pub fn event_counts(&self, tally: &Tally) -> BTreeMap<String, u64> {
        let mut out = BTreeMap::new();
        for (&event, &n) in &tally.by_event {
            *out.entry(self.event_name(event)).or_default() += n;
        }
        out
    }
}
