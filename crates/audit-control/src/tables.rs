//! `audit_class` and `audit_event`, read the way libbsm reads them
//! (`bsm_class.c`, `bsm_event.c`; the macOS 14+ libbsm behaves the same).
//!
//! The important quirk: a line that fails to parse (a blank line, a missing
//! field, an over-long name or description) **ends the enumeration** — every
//! entry after it is invisible to libbsm and auditd. The tables keep only what
//! libbsm would see and report where reading stopped in [`ClassTable::diagnostics`]
//! / [`EventTable::diagnostics`].

use std::collections::HashMap;

use serde::Serialize;

use crate::cstr;
use crate::diag::{Diagnostic, Severity};
use crate::flags::parse_flags;

/// `AU_CLASS_NAME_MAX`: a class name must be shorter than 8 bytes.
pub const AU_CLASS_NAME_MAX: usize = 8;
/// `AU_CLASS_DESC_MAX`: a class description must be shorter than 72 bytes.
pub const AU_CLASS_DESC_MAX: usize = 72;
/// `AU_EVENT_NAME_MAX`: an event name must be shorter than 30 bytes.
pub const AU_EVENT_NAME_MAX: usize = 30;
/// `AU_EVENT_DESC_MAX`: an event description must be shorter than 50 bytes.
pub const AU_EVENT_DESC_MAX: usize = 50;
/// The `res` bit of current macOS (`AU_CLASS_MASK_RESERVED` in xnu): the kernel
/// protects it; whether `/etc/security/audit_class` names it is unverified, so the
/// embedded tables do not define it, but [`ClassTable::names_in`] labels the bit.
pub const RESERVED_CLASS_MASK: u32 = 0x1000_0000;

const APPLE_CLASS: &[u8] = crate::files::apple::AUDIT_CLASS.as_bytes();
const UPSTREAM_CLASS: &[u8] = crate::files::upstream::AUDIT_CLASS.as_bytes();
const APPLE_EVENT: &[u8] = crate::files::apple::AUDIT_EVENT.as_bytes();
const UPSTREAM_EVENT: &[u8] = crate::files::upstream::AUDIT_EVENT.as_bytes();

/// One `audit_class` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Class {
    pub mask: u32,
    pub name: String,
    pub description: String,
}

/// The audit classes libbsm would see in one `audit_class` file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClassTable {
    classes: Vec<Class>,
    diagnostics: Vec<Diagnostic>,
}

/// Maps byte offsets to (1-based line, 1-based column) positions.
pub(crate) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub(crate) fn new(bytes: &[u8]) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(
            bytes
                .iter()
                .enumerate()
                .filter(|(_, &b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { starts }
    }

    pub(crate) fn position(&self, offset: usize) -> (u32, u32) {
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let col = offset - self.starts[line] + 1;
        (
            u32::try_from(line + 1).unwrap_or(u32::MAX),
            u32::try_from(col).unwrap_or(u32::MAX),
        )
    }
}

/// The non-comment `fgets` records of a table file, each as (chunk offset, text
/// with the final newline removed as `strrchr(line, '\n')` does).
fn table_records(bytes: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    cstr::fgets_chunks(bytes).into_iter().filter_map(move |c| {
        let raw = &bytes[c.start..c.end];
        if raw.first() == Some(&b'#') {
            return None;
        }
        let mut text = cstr::c_string(raw);
        if let Some(i) = text.iter().rposition(|&b| b == b'\n') {
            text = &text[..i];
        }
        Some((c.start, text))
    })
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

impl ClassTable {
    /// Reads an `audit_class` file. Never fails: what libbsm cannot read ends the
    /// table, and a diagnostic says where.
    pub fn parse(bytes: &[u8]) -> ClassTable {
        let mut classes: Vec<Class> = Vec::new();
        let mut diagnostics = Vec::new();
        let mut seen: HashMap<String, u32> = HashMap::new();
        let index = LineIndex::new(bytes);
        for (offset, text) in table_records(bytes) {
            let toks = cstr::strtok_all(text, b":");
            let (line, column) = index.position(offset);
            let problem = if toks.len() < 3 {
                Some(if toks.is_empty() {
                    "a blank line".to_string()
                } else {
                    format!(
                        "a line with {} of the 3 fields mask:name:description",
                        toks.len()
                    )
                })
            } else if toks[1].1 - toks[1].0 >= AU_CLASS_NAME_MAX {
                Some(format!(
                    "class name `{}` is {} bytes (libbsm allows at most {})",
                    cstr::show(&text[toks[1].0..toks[1].1]),
                    toks[1].1 - toks[1].0,
                    AU_CLASS_NAME_MAX - 1
                ))
            } else if toks[2].1 - toks[2].0 >= AU_CLASS_DESC_MAX {
                Some(format!(
                    "the description is {} bytes (libbsm allows at most {})",
                    toks[2].1 - toks[2].0,
                    AU_CLASS_DESC_MAX - 1
                ))
            } else {
                None
            };
            if let Some(problem) = problem {
                let hidden = table_records(&bytes[offset..]).count().saturating_sub(1);
                diagnostics.push(Diagnostic::new(
                    line,
                    column,
                    Severity::Error,
                    "CLASS-LINE-ENDS-TABLE",
                    format!(
                        "libbsm stops reading audit_class at {problem}; the {hidden} line(s) after it are invisible, so flags naming those classes are rejected"
                    ),
                    "Remove blank lines and keep every line as mask:name:description (name under 8 bytes, description under 72).",
                ));
                break;
            }
            let name = lossy(&text[toks[1].0..toks[1].1]);
            // au_class_t is 32-bit: strtoul's unsigned long is truncated.
            let mask = cstr::strtoul0(&text[toks[0].0..toks[0].1]) as u32;
            if let Some(first_line) = seen.get(&name) {
                diagnostics.push(Diagnostic::new(
                    line,
                    column,
                    Severity::Warning,
                    "CLASS-DUPLICATE-NAME",
                    format!(
                        "class `{name}` is already defined on line {first_line}; libbsm uses the first definition and ignores this one"
                    ),
                    "Remove the duplicate line.",
                ));
            } else {
                seen.insert(name.clone(), line);
            }
            classes.push(Class {
                mask,
                name,
                description: lossy(&text[toks[2].0..toks[2].1]),
            });
        }
        ClassTable {
            classes,
            diagnostics,
        }
    }

    /// Apple's `audit_class` (OpenBSM-21 as shipped by Apple), embedded.
    pub fn apple() -> ClassTable {
        ClassTable::parse(APPLE_CLASS)
    }

    /// Upstream OpenBSM's `audit_class`, embedded.
    pub fn upstream() -> ClassTable {
        ClassTable::parse(UPSTREAM_CLASS)
    }

    /// The mask of the class named `name` (exact, case-sensitive; first line wins).
    pub fn mask_of(&self, name: &str) -> Option<u32> {
        self.classes.iter().find(|c| c.name == name).map(|c| c.mask)
    }

    /// The class named `name` (first line wins).
    pub fn get(&self, name: &str) -> Option<&Class> {
        self.classes.iter().find(|c| c.name == name)
    }

    /// Every entry libbsm sees, in file order (duplicates included).
    pub fn classes(&self) -> &[Class] {
        &self.classes
    }

    /// Class names covering `mask`, for display: `all` alone for the all-ones mask,
    /// otherwise every named class whose bits are all in `mask` (the zero class and
    /// later duplicates excluded), plus `res` for the reserved bit when no class
    /// names it.
    pub fn names_in(&self, mask: u32) -> Vec<&str> {
        if mask == u32::MAX {
            if let Some(c) = self.classes.iter().find(|c| c.mask == u32::MAX) {
                return vec![c.name.as_str()];
            }
        }
        let mut out: Vec<&str> = Vec::new();
        let mut covered = 0u32;
        for c in &self.classes {
            if c.mask != 0
                && c.mask != u32::MAX
                && c.mask & mask == c.mask
                && !out.contains(&c.name.as_str())
            {
                out.push(c.name.as_str());
                covered |= c.mask;
            }
        }
        if mask & RESERVED_CLASS_MASK != 0 && covered & RESERVED_CLASS_MASK == 0 {
            out.push("res");
        }
        out
    }

    /// Where reading stopped, duplicate names, … (empty for a clean file).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }
}

/// One `audit_event` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    pub number: u16,
    pub name: String,
    pub description: String,
    /// Success half of the class list (libbsm keeps only that); 0 when the list is
    /// missing or invalid.
    pub class_mask: u32,
    /// Class names as written in the class list (prefixes removed).
    pub class_names: Vec<String>,
}

/// The events libbsm would see in one `audit_event` file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EventTable {
    events: Vec<Event>,
    /// number → index of the last entry with that number (the kernel map).
    last: HashMap<u16, usize>,
    /// number → index of the first entry (what libbsm `getauevnum` returns).
    first: HashMap<u16, usize>,
    diagnostics: Vec<Diagnostic>,
}

impl EventTable {
    /// Reads an `audit_event` file, resolving class lists with Apple's embedded
    /// `audit_class`. Never fails.
    pub fn parse(bytes: &[u8]) -> EventTable {
        EventTable::parse_with_classes(bytes, &ClassTable::apple())
    }

    /// Reads an `audit_event` file, resolving class lists with `classes` (libbsm
    /// uses the machine's own audit_class for this).
    pub fn parse_with_classes(bytes: &[u8], classes: &ClassTable) -> EventTable {
        let mut table = EventTable::default();
        let index = LineIndex::new(bytes);
        for (offset, text) in table_records(bytes) {
            let toks = cstr::strtok_all(text, b":");
            let (line, column) = index.position(offset);
            let field = |i: usize| toks.get(i).map(|&(s, e)| &text[s..e]);
            let problem = match (field(0), field(1), field(2)) {
                (None, _, _) => Some("a blank line".to_string()),
                (Some(_), None, _) => Some("a line without an event name".to_string()),
                (_, Some(name), _) if name.len() >= AU_EVENT_NAME_MAX => Some(format!(
                    "event name `{}` of {} bytes (libbsm allows at most {})",
                    cstr::show(name),
                    name.len(),
                    AU_EVENT_NAME_MAX - 1
                )),
                (_, _, Some(desc)) if desc.len() >= AU_EVENT_DESC_MAX => Some(format!(
                    "a description of {} bytes (libbsm allows at most {})",
                    desc.len(),
                    AU_EVENT_DESC_MAX - 1
                )),
                _ => None,
            };
            if let Some(problem) = problem {
                let hidden = table_records(&bytes[offset..]).count().saturating_sub(1);
                table.diagnostics.push(Diagnostic::new(
                    line,
                    column,
                    Severity::Error,
                    "EVENT-LINE-ENDS-TABLE",
                    format!(
                        "libbsm stops reading audit_event at {problem}; the {hidden} line(s) after it are never loaded, so those events keep class 0 in the kernel and are never audited"
                    ),
                    "Remove blank lines and keep every line as number:name:description:classes (name under 30 bytes, description under 50).",
                ));
                break;
            }
            let (Some(num), Some(name)) = (field(0), field(1)) else {
                break;
            };
            // ae_number is a 16-bit au_event_t filled from atoi().
            let number = cstr::atoi(num) as u16;
            let mut class_mask = 0;
            let mut class_names = Vec::new();
            if let Some(list) = field(3) {
                class_names = cstr::strtok_all(list, b",")
                    .into_iter()
                    .map(|(s, e)| {
                        let item = &list[s..e];
                        let item = item.strip_prefix(b"^").unwrap_or(item);
                        let item = item
                            .strip_prefix(b"+")
                            .or_else(|| item.strip_prefix(b"-"))
                            .unwrap_or(item);
                        lossy(item)
                    })
                    .collect();
                match parse_flags(list, classes) {
                    Ok(parsed) => class_mask = parsed.mask.success,
                    Err(err) => table.diagnostics.push(Diagnostic::new(
                        line,
                        column,
                        Severity::Warning,
                        "EVENT-CLASS-INVALID",
                        format!(
                            "event {number} ({}): {err}, so libbsm gives it class 0 and it can never be preselected",
                            lossy(name)
                        ),
                        "Use class names defined in audit_class.",
                    )),
                }
            }
            let idx = table.events.len();
            table.first.entry(number).or_insert(idx);
            table.last.insert(number, idx);
            table.events.push(Event {
                number,
                name: lossy(name),
                description: field(2).map(lossy).unwrap_or_default(),
                class_mask,
                class_names,
            });
        }
        table
    }

    /// Apple's `audit_event` (OpenBSM-21 as shipped by Apple), embedded, with
    /// Apple's classes.
    pub fn apple() -> EventTable {
        EventTable::parse_with_classes(APPLE_EVENT, &ClassTable::apple())
    }

    /// Upstream OpenBSM's `audit_event`, embedded, with upstream's classes.
    /// Never install it on macOS: numbers 43201–43218 and others differ.
    pub fn upstream() -> EventTable {
        EventTable::parse_with_classes(UPSTREAM_EVENT, &ClassTable::upstream())
    }

    /// The entry the kernel uses for `number`: a later line for the same number
    /// replaces the earlier mapping (xnu `au_evclassmap_insert`).
    pub fn get(&self, number: u16) -> Option<&Event> {
        self.last.get(&number).map(|&i| &self.events[i])
    }

    /// The entry libbsm's `getauevnum()` returns for `number` (the *first* line),
    /// which is the name `praudit` prints.
    pub fn get_first(&self, number: u16) -> Option<&Event> {
        self.first.get(&number).map(|&i| &self.events[i])
    }

    /// The first entry named `name` (libbsm `getauevnam`).
    pub fn by_name(&self, name: &str) -> Option<&Event> {
        self.events.iter().find(|e| e.name == name)
    }

    /// Every entry libbsm reads, in file order, duplicates included.
    pub fn events(&self) -> impl Iterator<Item = &Event> {
        self.events.iter()
    }

    /// One entry per number — the one the kernel uses — in ascending number order.
    pub fn effective(&self) -> impl Iterator<Item = &Event> {
        let mut idx: Vec<usize> = self.last.values().copied().collect();
        idx.sort_by_key(|&i| self.events[i].number);
        idx.into_iter().map(move |i| &self.events[i])
    }

    /// Number of entries read (duplicates included).
    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Where reading stopped, class lists that fell back to class 0, … .
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }
}
