//! The commands' error shape is earshot-glance's (one definition, its TypeScript
//! generated with the rest); tauri's own failures are the app's internal ones.

pub use earshot_glance::error::{CmdResult, CommandError};

pub fn tauri_error(e: tauri::Error) -> CommandError {
    CommandError::internal(e.to_string())
}
