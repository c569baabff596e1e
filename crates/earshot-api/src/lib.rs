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

pub mod auth;
pub mod client;
pub mod error;
pub mod frame;
pub mod keystore;
pub mod message;

pub use client::{BlockingClient, Client, ClientError, Session};
pub use error::{ApiError, ErrorCode};
pub use frame::MAX_FRAME_LEN;
pub use keystore::KeyStore;
pub use message::*;

/// The protocol version this crate speaks.
pub const PROTOCOL_VERSION: u32 = 1;

/// sha256 of `bytes` as lowercase hex: the `hash` / `base_hash` of the protocol.
pub fn content_hash(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}
