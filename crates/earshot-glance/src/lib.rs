//! What the Earshot menu-bar app shows and decides, without any windowing code:
//!
//! - [`glance`]: the helper's status turned into the [`Glance`] every view renders
//!   (tray glyph from health severity, headroom, forecast, rates, warnings).
//! - [`title`]: the fixed-width tray title ("12 ev/s", "4.1 GB free") and the
//!   rule for when the app may tick at all while nothing is visible.
//! - [`alerts`]: debounced notifications for the few states that need action.
//! - [`prefs`]: the persisted [`Preferences`].
//! - [`pager`]: the trail browser's paged, filtered reading of trail files.
//! - [`backoff`]: the reconnect schedule.
//!
//! The Tauri shell (`src-tauri`) only wires these to windows, the tray and the
//! helper connection, so the app's behaviour is testable without a display.

pub mod alerts;
pub mod backoff;
pub mod glance;
pub mod pager;
pub mod prefs;
pub mod title;
pub mod wizard;

pub use alerts::{Alert, AlertChange, AlertKind, AlertWatch};
pub use backoff::Backoff;
pub use glance::{Connection, ConnectionState, Glance, Inputs, Severity, WarningLedger};
pub use pager::{Cursor, PageError, TrailPage, TrailQuery};
pub use prefs::{AlertPrefs, Preferences, PrefsError, TitleContent};
