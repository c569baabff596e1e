//! `earshot_api`: the protocol between Earshot's clients (CLI, menu-bar app)
//! and the privileged helper.
//!
//! - [`frame`]: 4-byte big-endian length + JSON, at most [`MAX_FRAME_LEN`] bytes.
//! - [`message`]: every frame, request, response and pushed event.
//! - [`error`]: [`ApiError`] with an [`ErrorCode`] a UI can branch on.
//! - [`auth`]: the HMAC-SHA256 challenge–response over the per-install secret.
//! - [`keystore`]: where a client keeps the secret (Keychain / file / mock).
//! - [`client`]: [`Client`] (tokio) and [`BlockingClient`].
//!
//! The wire format is documented with examples in `docs/protocol.md`.
#![forbid(unsafe_code)]

pub mod auth;
pub mod client;
pub mod frame;
pub mod keystore;
pub mod message;
pub mod verbs;

pub use client::{BlockingClient, Client, ClientError, Session};
pub use earshot_model::error;
pub use earshot_model::error::{quote, ApiError, ErrorCode};
pub use frame::MAX_FRAME_LEN;
pub use keystore::KeyStore;
pub use message::*;
pub use verbs::Call;

/// Where the helper listens and keeps its secret: the fixed system paths on
/// macOS, or under the simulated Mac's folder.
pub mod paths {
    use std::path::{Path, PathBuf};

    /// The macOS socket (its folder is root-owned 0755).
    pub const MAC_SOCKET: &str = "/var/run/earshot/helper.sock";
    /// The macOS state folder (root, 0700).
    pub const MAC_STATE: &str = "/var/db/earshot";

    /// The helper's socket for the simulated Mac in `root`, or the Mac's.
    pub fn socket(root: Option<&Path>) -> PathBuf {
        match root {
            Some(r) => r.join("run/earshot/helper.sock"),
            None => PathBuf::from(MAC_SOCKET),
        }
    }

    /// The helper's state folder.
    pub fn state(root: Option<&Path>) -> PathBuf {
        match root {
            Some(r) => r.join("var/db/earshot"),
            None => PathBuf::from(MAC_STATE),
        }
    }

    /// The helper's copy of the install secret (0600).
    pub fn secret(root: Option<&Path>) -> PathBuf {
        state(root).join("secret")
    }
}

/// The protocol version this crate speaks.
pub const PROTOCOL_VERSION: u32 = 1;

/// sha256 of `bytes` as lowercase hex: the `hash` / `base_hash` of the protocol.
pub fn content_hash(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}
