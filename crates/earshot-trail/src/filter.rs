//! Record selection shared by `trail stats`, `print` and `export`: the everyday
//! auditreduce selections (`-a/-b` times, `-c` classes, `-m` events, `-u` audit
//! user, success/failure).
//!
//! Everything that depends only on the event number (class and event selection)
//! is folded into one 65536-bit set when the filter is built, so the per-record
//! test is a bit lookup and a few compares — cheap enough for the 1 GB/s scan.

use super::tables::Tables;
use earshot_model::time::{TimeParseError, Timestamp};

/// Which outcomes to keep, read from the return token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Outcome {
    #[default]
    Any,
    /// Return status 0.
    Success,
    /// Return status non-zero. Records without a return token are neither.
    Failure,
}

/// A filter as typed by a person (strings), before resolving names.
#[derive(Debug, Clone, Default)]
pub struct FilterSpec {
    /// Keep records at or after this time.
    pub since: Option<String>,
    /// Keep records strictly before this time (auditreduce `-b` semantics).
    pub until: Option<String>,
    /// Class names (`lo`, `aa`) or masks (`0x1000`); comma lists allowed in each.
    pub classes: Vec<String>,
    /// Event names (`AUE_EXECVE`) or numbers; comma lists allowed.
    pub events: Vec<String>,
    /// Audit user ids (auid).
    pub users: Vec<u32>,
    pub outcome: Outcome,
}

#[derive(Debug, thiserror::Error)]
pub enum FilterError {
    #[error("--since/--until: {0}")]
    Time(#[from] TimeParseError),
    #[error("--class: no class named {0:?} in audit_class")]
    UnknownClass(String),
    #[error("--event: no event named {0:?} in audit_event (numbers are accepted too)")]
    UnknownEvent(String),
    #[error("--since {since} is not before --until {until}: nothing can match")]
    EmptyRange { since: Timestamp, until: Timestamp },
}

/// A compiled filter.
#[derive(Clone)]
pub struct Filter {
    since: Option<u128>,
    until: Option<u128>,
    /// Events to keep, or None for every event.
    events: Option<Box<[u64]>>,
    users: Option<Vec<u32>>,
    outcome: Outcome,
}

impl std::fmt::Debug for Filter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Filter")
            .field("since", &self.since)
            .field("until", &self.until)
            .field(
                "events",
                &self
                    .events
                    .as_ref()
                    .map(|b| b.iter().map(|w| w.count_ones()).sum::<u32>()),
            )
            .field("users", &self.users)
            .field("outcome", &self.outcome)
            .finish()
    }
}

impl Default for Filter {
    fn default() -> Self {
        Filter::all()
    }
}

impl Filter {
    /// Keeps every record.
    pub fn all() -> Filter {
        Filter {
            since: None,
            until: None,
            events: None,
            users: None,
            outcome: Outcome::Any,
        }
    }

    pub fn is_all(&self) -> bool {
        self.since.is_none()
            && self.until.is_none()
            && self.events.is_none()
            && self.users.is_none()
            && self.outcome == Outcome::Any
    }

    /// Resolves names against the tables. Classes and events combine as
    /// auditreduce does: a record must satisfy every option given; within one
    /// option any listed value matches.
    pub fn compile(spec: &FilterSpec, tables: &Tables) -> Result<Filter, FilterError> {
        let since = spec.since.as_deref().map(Timestamp::parse).transpose()?;
        let until = spec.until.as_deref().map(Timestamp::parse).transpose()?;
        if let (Some(s), Some(u)) = (since, until) {
            if s >= u {
                return Err(FilterError::EmptyRange { since: s, until: u });
            }
        }

        let mut set: Option<Box<[u64]>> = None;
        let class_items = split_list(&spec.classes);
        if !class_items.is_empty() {
            let mut mask = 0u32;
            let mut want_no_class = false;
            for item in class_items {
                let m = match tables.classes().mask_of(item) {
                    Some(m) => m,
                    None => parse_number(item)
                        .and_then(|v| u32::try_from(v).ok())
                        .ok_or_else(|| FilterError::UnknownClass(item.to_string()))?,
                };
                // Class `no` (mask 0) selects events mapped to no class; any other
                // mask selects events sharing a bit with it (libbsm's preselection test).
                if m == 0 {
                    want_no_class = true;
                }
                mask |= m;
            }
            let mut bits = empty_set();
            for e in 0..=u16::MAX {
                let em = tables.class_mask(e);
                if em & mask != 0 || (want_no_class && em == 0 && tables.is_listed(e)) {
                    set_bit(&mut bits, e);
                }
            }
            set = Some(bits);
        }

        let event_items = split_list(&spec.events);
        if !event_items.is_empty() {
            let mut bits = empty_set();
            for item in event_items {
                let n = match parse_number(item).and_then(|v| u16::try_from(v).ok()) {
                    Some(n) => n,
                    None => tables
                        .events()
                        .events()
                        .find(|e| e.name == item)
                        .map(|e| e.number)
                        .ok_or_else(|| FilterError::UnknownEvent(item.to_string()))?,
                };
                set_bit(&mut bits, n);
                // audit_event has duplicate names for some numbers' aliases; keep all.
                for e in tables.events().events().filter(|e| e.name == item) {
                    set_bit(&mut bits, e.number);
                }
            }
            set = Some(match set {
                // Both given: the record must satisfy both (intersection).
                Some(mut c) => {
                    for (a, b) in c.iter_mut().zip(bits.iter()) {
                        *a &= *b;
                    }
                    c
                }
                None => bits,
            });
        }

        Ok(Filter {
            since: since.map(Timestamp::as_millis),
            until: until.map(Timestamp::as_millis),
            events: set,
            users: (!spec.users.is_empty()).then(|| spec.users.clone()),
            outcome: spec.outcome,
        })
    }

    /// Whether the event number passes the class/event part (for callers that
    /// can skip records before decoding the rest of the header).
    #[inline]
    pub fn event_passes(&self, event: u16) -> bool {
        match &self.events {
            None => true,
            Some(bits) => bits[usize::from(event >> 6)] >> (event & 63) & 1 == 1,
        }
    }

    /// The part of the test that needs only the header (event, class, time): records
    /// failing it need not have their tokens walked at all.
    #[inline]
    /// Whether [`Filter::matches`] needs more than the header: the audit user
    /// (subject token) or the outcome (return token).
    pub fn needs_tokens(&self) -> bool {
        self.users.is_some() || self.outcome != Outcome::Any
    }

    pub fn header_passes(&self, event: u16, sec: u64, msec: u32) -> bool {
        if !self.event_passes(event) {
            return false;
        }
        if self.since.is_some() || self.until.is_some() {
            let t = u128::from(sec) * 1000 + u128::from(msec);
            if self.since.is_some_and(|s| t < s) || self.until.is_some_and(|u| t >= u) {
                return false;
            }
        }
        true
    }

    /// The full test for one record.
    #[inline]
    pub fn matches(
        &self,
        event: u16,
        sec: u64,
        msec: u32,
        auid: Option<u32>,
        status: Option<u8>,
    ) -> bool {
        if !self.header_passes(event, sec, msec) {
            return false;
        }
        if let Some(users) = &self.users {
            match auid {
                Some(a) if users.contains(&a) => {}
                _ => return false,
            }
        }
        match self.outcome {
            Outcome::Any => true,
            Outcome::Success => status == Some(0),
            Outcome::Failure => matches!(status, Some(s) if s != 0),
        }
    }
}

fn split_list(items: &[String]) -> Vec<&str> {
    items
        .iter()
        .flat_map(|s| s.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// Decimal or `0x` hex.
fn parse_number(s: &str) -> Option<u64> {
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) => u64::from_str_radix(h, 16).ok(),
        None => s.parse().ok(),
    }
}

fn empty_set() -> Box<[u64]> {
    vec![0u64; (1 << 16) / 64].into_boxed_slice()
}

fn set_bit(bits: &mut [u64], e: u16) {
    bits[usize::from(e >> 6)] |= 1 << (e & 63);
}
