//! What the Earshot menu-bar app shows and decides, without any windowing code:
//!
//! - [`glance`]: the helper's status turned into the [`Glance`] every view renders
//!   (tray glyph from health severity, headroom, forecast, rates, warnings).
//! - [`title`]: the fixed-width tray title ("12 ev/s", "4.1 GB free") and the
//!   rule for when the app may tick at all while nothing is visible.
//! - [`alerts`]: debounced notifications for the few states that need action.
//! - [`prefs`]: the persisted [`Preferences`].
//! - [`backoff`]: the reconnect schedule.
//! - [`actions`]: the changes the user asks for (a tuning step, roll backs),
//!   over any connection to the helper.
//!
//! The Tauri shell (`src-tauri`) only wires these to windows, the tray and the
//! helper connection, so the app's behaviour is testable without a display.
//! What the app shows from the Mac's audit files (charts' data, trail pages, the
//! wizard's step, compliance) is read by the privileged helper, which alone may
//! read them (`earshot_helper::views`); the app never opens those files.
#![forbid(unsafe_code)]

pub mod actions;
pub mod alerts;
pub mod backoff;
pub mod error;
pub mod glance;
pub mod prefs;
pub mod report;
pub mod title;

pub use alerts::{Alert, AlertChange, AlertKind, AlertWatch};
pub use backoff::Backoff;
pub use glance::{Connection, ConnectionState, Glance, Inputs, Severity, WarningLedger};
pub use prefs::{AlertPrefs, Preferences, PreferencesFile, PrefsError, TitleContent};
