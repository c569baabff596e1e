//! Challenge–response over a per-install secret.
//!
//! Peer credentials say *which uid* connected; the secret says the client is
//! one the user set up (its copy lives in the user's keyring, the helper's in a
//! file only the helper can read). Both nonces are fresh per connection and the
//! proof binds the protocol version and the kernel-reported peer uid, so a
//! captured proof is worthless on any other connection.
//!
//! ```text
//! client_proof = HMAC-SHA256(secret, "earshot-client-v1" 0x00 server_nonce client_nonce version_be32 peer_uid_be32)
//! server_proof = HMAC-SHA256(secret, "earshot-server-v1" 0x00 server_nonce client_nonce version_be32 peer_uid_be32)
//! ```
//! (nonces as their 32 raw bytes). The helper verifies in constant time.

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::io::Write;
use std::path::Path;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// Bytes in a secret and in a nonce.
pub const SECRET_LEN: usize = 32;
pub const NONCE_LEN: usize = 32;

type HmacSha256 = Hmac<Sha256>;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("the system random source failed: {0}")]
    Random(String),
    #[error("{what} must be {expected} hex digits")]
    BadHex { what: &'static str, expected: usize },
    #[error("secret file {path}: {source}")]
    SecretFile {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("secret file {path} is readable by others (mode {mode:o}); refusing to use it")]
    SecretFileExposed { path: String, mode: u32 },
    #[error("secret file {path} is not in the expected format")]
    SecretFileFormat { path: String },
}

/// Fill a buffer from the OS random source.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], AuthError> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).map_err(|e| AuthError::Random(e.to_string()))?;
    Ok(buf)
}

/// A 32-byte nonce; on the wire as 64 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Nonce(pub [u8; NONCE_LEN]);

impl Nonce {
    pub fn fresh() -> Result<Nonce, AuthError> {
        Ok(Nonce(random_bytes()?))
    }
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
    pub fn from_hex(s: &str) -> Result<Nonce, AuthError> {
        decode_fixed(s, "nonce").map(Nonce)
    }
}

impl fmt::Debug for Nonce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Nonce({})", self.to_hex())
    }
}

fn decode_fixed<const N: usize>(s: &str, what: &'static str) -> Result<[u8; N], AuthError> {
    let bad = || AuthError::BadHex {
        what,
        expected: N * 2,
    };
    let bytes = hex::decode(s).map_err(|_| bad())?;
    bytes.try_into().map_err(|_| bad())
}

/// The per-install shared secret. `Debug` never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret([u8; SECRET_LEN]);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl Secret {
    pub fn generate() -> Result<Secret, AuthError> {
        Ok(Secret(random_bytes()?))
    }
    pub fn from_bytes(bytes: [u8; SECRET_LEN]) -> Secret {
        Secret(bytes)
    }
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
    pub fn from_hex(s: &str) -> Result<Secret, AuthError> {
        decode_fixed(s.trim(), "secret").map(Secret)
    }

    fn mac(&self, label: &[u8], t: &Transcript) -> HmacSha256 {
        // HMAC accepts keys of any length; 32 bytes cannot fail.
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.0).expect("any key length");
        mac.update(label);
        mac.update(&[0]);
        mac.update(&t.server_nonce.0);
        mac.update(&t.client_nonce.0);
        mac.update(&t.version.to_be_bytes());
        mac.update(&t.peer_uid.to_be_bytes());
        mac
    }

    /// The client's proof (hex).
    pub fn client_proof(&self, t: &Transcript) -> String {
        hex::encode(self.mac(b"earshot-client-v1", t).finalize().into_bytes())
    }

    /// The helper's proof (hex), checked by the client.
    pub fn server_proof(&self, t: &Transcript) -> String {
        hex::encode(self.mac(b"earshot-server-v1", t).finalize().into_bytes())
    }

    /// Constant-time check of a client proof.
    pub fn verify_client(&self, t: &Transcript, proof_hex: &str) -> bool {
        self.verify(b"earshot-client-v1", t, proof_hex)
    }

    /// Constant-time check of a helper proof.
    pub fn verify_server(&self, t: &Transcript, proof_hex: &str) -> bool {
        self.verify(b"earshot-server-v1", t, proof_hex)
    }

    fn verify(&self, label: &[u8], t: &Transcript, proof_hex: &str) -> bool {
        let Ok(proof) = hex::decode(proof_hex) else {
            return false;
        };
        self.mac(label, t).verify_slice(&proof).is_ok()
    }

    /// A short public fingerprint for logs and docs (never the secret).
    pub fn fingerprint(&self) -> String {
        let digest = Sha256::digest([&b"earshot-fingerprint"[..], &self.0].concat());
        hex::encode(&digest[..6])
    }
}

/// Everything a proof covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transcript {
    pub server_nonce: Nonce,
    pub client_nonce: Nonce,
    pub version: u32,
    pub peer_uid: u32,
}

/// Remembers recent nonces so a repeated one is refused with `replay`.
///
/// Nonces are random, so an honest repeat is out of the question; a repeat
/// means someone is replaying a captured exchange. The ledger is bounded (the
/// oldest entries are forgotten first) so a flood cannot grow it without limit;
/// a replay of a forgotten nonce still fails, with `unauthenticated`, because the
/// helper's own nonce is fresh and the old proof cannot match it.
#[derive(Debug)]
pub struct NonceLedger {
    seen: HashSet<Nonce>,
    order: VecDeque<Nonce>,
    capacity: usize,
}

impl NonceLedger {
    pub fn new(capacity: usize) -> NonceLedger {
        NonceLedger {
            seen: HashSet::new(),
            order: VecDeque::new(),
            capacity: capacity.max(1),
        }
    }

    /// Record `nonce`; false if it was already recorded.
    pub fn record(&mut self, nonce: Nonce) -> bool {
        if !self.seen.insert(nonce) {
            return false;
        }
        self.order.push_back(nonce);
        while self.order.len() > self.capacity {
            if let Some(old) = self.order.pop_front() {
                self.seen.remove(&old);
            }
        }
        true
    }
}

/// The helper's copy of the secret, with the id that names it in client keyrings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstallSecret {
    pub install_id: String,
    pub secret: Secret,
}

impl InstallSecret {
    pub fn generate() -> Result<InstallSecret, AuthError> {
        let id: [u8; 8] = random_bytes()?;
        Ok(InstallSecret {
            install_id: hex::encode(id),
            secret: Secret::generate()?,
        })
    }

    /// Read a secret file (`install_id` line, then the secret in hex). Refuses a
    /// file group- or world-accessible: a readable secret is a leaked secret.
    pub fn read(path: &Path) -> Result<InstallSecret, AuthError> {
        use std::os::unix::fs::MetadataExt;
        let shown = path.display().to_string();
        let io = |source| AuthError::SecretFile {
            path: shown.clone(),
            source,
        };
        let meta = std::fs::symlink_metadata(path).map_err(io)?;
        if !meta.file_type().is_file() {
            return Err(AuthError::SecretFileFormat { path: shown });
        }
        let mode = meta.mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(AuthError::SecretFileExposed { path: shown, mode });
        }
        let text = std::fs::read_to_string(path).map_err(io)?;
        InstallSecret::parse(&text).ok_or(AuthError::SecretFileFormat { path: shown })
    }

    /// Parse the file format: the install id line, then the secret in hex.
    pub fn parse(text: &str) -> Option<InstallSecret> {
        let mut lines = text.lines();
        let id = lines.next()?.trim();
        let secret = Secret::from_hex(lines.next()?).ok()?;
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        Some(InstallSecret {
            install_id: id.to_string(),
            secret,
        })
    }

    /// Write the file with mode 0600, created exclusively so an existing file
    /// (or a planted symlink) is never overwritten.
    pub fn write_new(&self, path: &Path) -> Result<(), AuthError> {
        use std::os::unix::fs::OpenOptionsExt;
        let io = |source| AuthError::SecretFile {
            path: path.display().to_string(),
            source,
        };
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(path)
            .map_err(io)?;
        writeln!(file, "{}\n{}", self.install_id, self.secret.to_hex()).map_err(io)?;
        file.sync_all().map_err(io)
    }

    /// Read the file at `path`, or create it with a fresh secret if absent.
    pub fn load_or_create(path: &Path) -> Result<InstallSecret, AuthError> {
        match InstallSecret::read(path) {
            Err(AuthError::SecretFile { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound =>
            {
                let fresh = InstallSecret::generate()?;
                match fresh.write_new(path) {
                    Ok(()) => Ok(fresh),
                    // Lost a race with another starter: use theirs.
                    Err(AuthError::SecretFile { source, .. })
                        if source.kind() == std::io::ErrorKind::AlreadyExists =>
                    {
                        InstallSecret::read(path)
                    }
                    Err(e) => Err(e),
                }
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transcript() -> Transcript {
        Transcript {
            server_nonce: Nonce([1; 32]),
            client_nonce: Nonce([2; 32]),
            version: 1,
            peer_uid: 501,
        }
    }

    #[test]
    fn proof_is_hmac_sha256_over_the_documented_transcript() {
        // Independent computation of the documented layout with the RFC 2104
        // construction spelled out, so the docs and the code cannot drift.
        let key = [7u8; 32];
        let mut msg = b"earshot-client-v1\0".to_vec();
        msg.extend_from_slice(&[1; 32]);
        msg.extend_from_slice(&[2; 32]);
        msg.extend_from_slice(&1u32.to_be_bytes());
        msg.extend_from_slice(&501u32.to_be_bytes());
        let mut ipad = [0x36u8; 64];
        let mut opad = [0x5cu8; 64];
        for i in 0..32 {
            ipad[i] ^= key[i];
            opad[i] ^= key[i];
        }
        let inner = Sha256::digest([&ipad[..], &msg].concat());
        let outer = Sha256::digest([&opad[..], &inner[..]].concat());
        assert_eq!(
            Secret::from_bytes(key).client_proof(&transcript()),
            hex::encode(outer)
        );
    }

    #[test]
    fn a_proof_verifies_only_for_its_own_transcript_and_secret() {
        let secret = Secret::from_bytes([7; 32]);
        let t = transcript();
        let proof = secret.client_proof(&t);
        assert!(secret.verify_client(&t, &proof));
        assert!(
            !Secret::from_bytes([8; 32]).verify_client(&t, &proof),
            "wrong secret"
        );
        for changed in [
            Transcript {
                server_nonce: Nonce([9; 32]),
                ..t
            },
            Transcript {
                client_nonce: Nonce([9; 32]),
                ..t
            },
            Transcript { version: 2, ..t },
            Transcript { peer_uid: 0, ..t },
        ] {
            assert!(!secret.verify_client(&changed, &proof), "{changed:?}");
        }
        assert!(
            !secret.verify_server(&t, &proof),
            "client proof is not a server proof"
        );
        assert!(!secret.verify_client(&t, "zz"), "not hex");
        assert!(!secret.verify_client(&t, ""), "empty");
    }

    #[test]
    fn ledger_refuses_repeats_and_stays_bounded() {
        let mut ledger = NonceLedger::new(2);
        assert!(ledger.record(Nonce([1; 32])));
        assert!(!ledger.record(Nonce([1; 32])));
        assert!(ledger.record(Nonce([2; 32])));
        assert!(ledger.record(Nonce([3; 32])));
        assert_eq!(ledger.seen.len(), 2);
        assert!(ledger.record(Nonce([1; 32])), "forgotten after capacity");
    }

    #[test]
    fn fresh_nonces_differ() {
        assert_ne!(Nonce::fresh().unwrap(), Nonce::fresh().unwrap());
    }

    #[test]
    fn secret_file_is_0600_and_round_trips() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret");
        let made = InstallSecret::load_or_create(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(InstallSecret::load_or_create(&path).unwrap(), made);
        assert!(!format!("{made:?}").contains(&made.secret.to_hex()));
    }

    #[test]
    fn exposed_secret_file_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret");
        InstallSecret::generate().unwrap().write_new(&path).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(matches!(
            InstallSecret::read(&path),
            Err(AuthError::SecretFileExposed { mode: 0o644, .. })
        ));
    }

    #[test]
    fn write_new_never_follows_or_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        std::fs::write(&target, "keep").unwrap();
        let link = dir.path().join("secret");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(InstallSecret::generate().unwrap().write_new(&link).is_err());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
    }
}
