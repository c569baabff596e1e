//! Audit-flags lists (`flags`, `naflags`, audit_user fields, audit_event class
//! lists), parsed exactly like libbsm `getauditflagsbin`.

use serde::Serialize;

use crate::cstr;
use crate::tables::ClassTable;

/// A preselection mask: which class bits are audited on success and on failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub struct ClassMask {
    pub success: u32,
    pub failure: u32,
}

impl ClassMask {
    pub const NONE: ClassMask = ClassMask {
        success: 0,
        failure: 0,
    };

    /// Whether an event in `class_mask` is recorded when it succeeds.
    pub fn audits_success(&self, class_mask: u32) -> bool {
        self.success & class_mask != 0
    }

    /// Whether an event in `class_mask` is recorded when it fails.
    pub fn audits_failure(&self, class_mask: u32) -> bool {
        self.failure & class_mask != 0
    }
}

/// Which half of the mask an item touches (`+` success, `-` failure, none both).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Selector {
    Both,
    Success,
    Failure,
}

/// One valid item of a flags list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlagItem {
    /// Byte range of the item inside the value.
    pub start: usize,
    pub end: usize,
    /// `^` prefix: remove instead of add.
    pub remove: bool,
    pub selector: Selector,
    pub class: String,
    pub class_mask: u32,
}

/// Why an item made the whole list invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FlagsError {
    /// The name is not a class of the audit_class table in use.
    #[error("`{}` is not a class name", cstr::show(item.as_bytes()))]
    UnknownClass { item: String, start: usize },
    /// `^` after `+`/`-`, or `+` and `-` together.
    #[error("`{}`: prefixes must be `^` first, then one of `+` or `-`", cstr::show(item.as_bytes()))]
    BadPrefix { item: String, start: usize },
    /// A prefix with no class name after it.
    #[error("`{}` has a prefix but no class name", cstr::show(item.as_bytes()))]
    MissingClass { item: String, start: usize },
}

impl FlagsError {
    /// Byte offset of the offending item inside the value.
    pub fn start(&self) -> usize {
        match self {
            FlagsError::UnknownClass { start, .. }
            | FlagsError::BadPrefix { start, .. }
            | FlagsError::MissingClass { start, .. } => *start,
        }
    }

    pub fn item(&self) -> &str {
        match self {
            FlagsError::UnknownClass { item, .. }
            | FlagsError::BadPrefix { item, .. }
            | FlagsError::MissingClass { item, .. } => item,
        }
    }
}

/// A parsed flags list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlagsList {
    pub mask: ClassMask,
    pub items: Vec<FlagItem>,
}

/// Parses an audit-flags list: `,`-separated items, empty items skipped, each
/// `[^][+|-]class`, applied left to right to a mask that starts at zero. The first
/// invalid item makes the whole list invalid (libbsm returns EINVAL).
pub fn parse_flags(value: &[u8], classes: &ClassTable) -> Result<FlagsList, FlagsError> {
    let mut mask = ClassMask::NONE;
    let mut items = Vec::new();
    for (start, end) in cstr::strtok_all(value, b",") {
        let raw = &value[start..end];
        let mut i = 0;
        let remove = raw.first() == Some(&b'^');
        if remove {
            i += 1;
        }
        let selector = match raw.get(i) {
            Some(b'+') => {
                i += 1;
                Selector::Success
            }
            Some(b'-') => {
                i += 1;
                Selector::Failure
            }
            _ => Selector::Both,
        };
        let name = &raw[i..];
        let item = String::from_utf8_lossy(raw).into_owned();
        let class_mask = match std::str::from_utf8(name)
            .ok()
            .and_then(|n| classes.mask_of(n))
        {
            Some(m) => m,
            None => {
                // libbsm only reports EINVAL; the distinctions below exist so the
                // message can say *why* the name did not match.
                if name.is_empty() {
                    return Err(FlagsError::MissingClass { item, start });
                }
                if matches!(name.first(), Some(b'^' | b'+' | b'-')) {
                    return Err(FlagsError::BadPrefix { item, start });
                }
                return Err(FlagsError::UnknownClass { item, start });
            }
        };
        let (s, f) = match selector {
            Selector::Both => (true, true),
            Selector::Success => (true, false),
            Selector::Failure => (false, true),
        };
        if remove {
            if s {
                mask.success &= !class_mask;
            }
            if f {
                mask.failure &= !class_mask;
            }
        } else {
            if s {
                mask.success |= class_mask;
            }
            if f {
                mask.failure |= class_mask;
            }
        }
        items.push(FlagItem {
            start,
            end,
            remove,
            selector,
            class: String::from_utf8_lossy(name).into_owned(),
            class_mask,
        });
    }
    Ok(FlagsList { mask, items })
}

/// Renders a mask as the shortest plain flags list naming the classes of `classes`
/// (`lo,aa`, `+ad`, `-fr`, `all`, `no`), for display and for writing.
pub fn format_mask(mask: ClassMask, classes: &ClassTable) -> String {
    if mask == ClassMask::NONE {
        return "no".to_string();
    }
    let mut parts: Vec<String> = Vec::new();
    let all = classes
        .classes()
        .iter()
        .find(|c| c.mask == u32::MAX)
        .map(|c| c.name.clone());
    let both = mask.success & mask.failure;
    let (mut s_only, mut f_only) = (mask.success & !both, mask.failure & !both);
    let mut both_rest = both;
    if both == u32::MAX {
        if let Some(all) = &all {
            parts.push(all.clone());
            both_rest = 0;
        }
    } else if mask.success == u32::MAX {
        if let Some(all) = &all {
            parts.push(format!("+{all}"));
            s_only = 0;
            both_rest = 0;
            f_only = mask.failure;
        }
    } else if mask.failure == u32::MAX {
        if let Some(all) = &all {
            parts.push(format!("-{all}"));
            f_only = 0;
            both_rest = 0;
            s_only = mask.success;
        }
    }
    let emit = |bits: u32, prefix: &str, parts: &mut Vec<String>| {
        let mut rest = bits;
        for c in classes.classes() {
            if c.mask != 0 && c.mask != u32::MAX && c.mask & rest == c.mask {
                parts.push(format!("{prefix}{}", c.name));
                rest &= !c.mask;
            }
        }
        if rest != 0 {
            parts.push(format!("{prefix}0x{rest:08x}"));
        }
    };
    emit(both_rest, "", &mut parts);
    emit(s_only, "+", &mut parts);
    emit(f_only, "-", &mut parts);
    parts.join(",")
}
