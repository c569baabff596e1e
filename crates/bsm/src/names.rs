//! Event and class names for rendering, behind small traits so printers do
//! not care where the tables come from.

use audit_control::{ClassTable, EventTable};

/// Event names as praudit looks them up.
pub trait EventNames {
    /// `AUE_*` name.
    fn event_name(&self, number: u16) -> Option<&str>;
    /// Description (what `praudit -l` prints, e.g. `open(2) - read`).
    fn event_desc(&self, number: u16) -> Option<&str>;
    /// Class mask of the event (success half), for JSON.
    fn event_classes(&self, _number: u16) -> Option<u32> {
        None
    }
    /// Class names for a mask, for JSON.
    fn class_names(&self, _mask: u32) -> Vec<String> {
        Vec::new()
    }
}

/// praudit resolves numbers with libbsm's `getauevnum()`, which returns the
/// *first* line for a number — hence `get_first`, not the kernel's `get`.
impl EventNames for EventTable {
    fn event_name(&self, number: u16) -> Option<&str> {
        self.get_first(number).map(|e| e.name.as_str())
    }

    fn event_desc(&self, number: u16) -> Option<&str> {
        self.get_first(number).map(|e| e.description.as_str())
    }

    fn event_classes(&self, number: u16) -> Option<u32> {
        // Preselection uses the kernel map: the *last* line wins there.
        self.get(number).map(|e| e.class_mask)
    }
}

/// An event table together with the class table its masks refer to.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub events: EventTable,
    pub classes: ClassTable,
}

impl Catalog {
    /// Apple's tables (what a Mac has in /etc/security).
    pub fn apple() -> Catalog {
        Catalog {
            events: EventTable::apple(),
            classes: ClassTable::apple(),
        }
    }

    /// Upstream OpenBSM's tables (the ones the praudit fixtures were printed with).
    pub fn upstream() -> Catalog {
        Catalog {
            events: EventTable::upstream(),
            classes: ClassTable::upstream(),
        }
    }
}

impl EventNames for Catalog {
    fn event_name(&self, number: u16) -> Option<&str> {
        self.events.event_name(number)
    }

    fn event_desc(&self, number: u16) -> Option<&str> {
        self.events.event_desc(number)
    }

    fn event_classes(&self, number: u16) -> Option<u32> {
        self.events.event_classes(number)
    }

    fn class_names(&self, mask: u32) -> Vec<String> {
        self.classes
            .names_in(mask)
            .into_iter()
            .map(str::to_string)
            .collect()
    }
}

/// No tables at all: every event prints as its number.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoNames;

impl EventNames for NoNames {
    fn event_name(&self, _: u16) -> Option<&str> {
        None
    }
    fn event_desc(&self, _: u16) -> Option<&str> {
        None
    }
}
