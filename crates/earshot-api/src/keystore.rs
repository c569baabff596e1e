//! Where a client keeps its copy of the per-install secret.
//!
//! Always an explicitly chosen `keyring_core` store, never the process-wide
//! default: on headless Linux the default lookup fails with `NoDefaultStore`,
//! and a test must never touch the developer's real keychain.
//!
//! - macOS: the user's login Keychain (`apple-native-keyring-store`, keychain module).
//! - Linux (the simulated-Mac demo): [`FileStore`], one 0600 file per entry in a
//!   0700 folder under the user's config dir.
//! - tests: `keyring_core::mock::Store`.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use keyring_core::api::{Credential, CredentialApi, CredentialStoreApi};
use keyring_core::{CredentialStore, Entry};

use crate::auth::Secret;

/// The keyring service name every Earshot secret is filed under; the account
/// is the helper's install id.
pub const KEYRING_SERVICE: &str = "dev.earshot.helper";

#[derive(Debug, thiserror::Error)]
pub enum KeyStoreError {
    #[error("keyring: {0}")]
    Keyring(#[from] keyring_core::Error),
    #[error("the stored secret is damaged: {0}")]
    Damaged(String),
    #[error("cannot pair: {0}")]
    Pairing(String),
    #[error("no config folder to keep the secret in (set HOME or XDG_CONFIG_HOME)")]
    NoConfigDir,
}

/// A handle on the store chosen for this process.
#[derive(Clone, Debug)]
pub struct KeyStore {
    store: Arc<CredentialStore>,
}

impl KeyStore {
    /// Wrap any keyring-core store (the app may bring its own).
    pub fn from_store(store: Arc<CredentialStore>) -> KeyStore {
        KeyStore { store }
    }

    /// An in-memory store for tests.
    pub fn mock() -> Result<KeyStore, KeyStoreError> {
        Ok(KeyStore {
            store: keyring_core::mock::Store::new()?,
        })
    }

    /// A [`FileStore`] in `dir`.
    pub fn file(dir: impl Into<PathBuf>) -> KeyStore {
        KeyStore {
            store: Arc::new(FileStore::new(dir)),
        }
    }

    /// The store for this platform: the login Keychain on macOS, a file store
    /// in `$XDG_CONFIG_HOME/earshot/keyring` (or `~/.config/...`) elsewhere.
    pub fn platform() -> Result<KeyStore, KeyStoreError> {
        #[cfg(target_os = "macos")]
        {
            Ok(KeyStore {
                store: apple_native_keyring_store::keychain::Store::new()?,
            })
        }
        #[cfg(not(target_os = "macos"))]
        {
            let base = std::env::var_os("XDG_CONFIG_HOME")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
                .or_else(|| {
                    std::env::var_os("HOME")
                        .filter(|v| !v.is_empty())
                        .map(|h| PathBuf::from(h).join(".config"))
                })
                .ok_or(KeyStoreError::NoConfigDir)?;
            Ok(KeyStore::file(base.join("earshot").join("keyring")))
        }
    }

    fn entry(&self, install_id: &str) -> Result<Entry, KeyStoreError> {
        Ok(self.store.build(KEYRING_SERVICE, install_id, None)?)
    }

    /// The secret for `install_id`, if one was saved.
    pub fn load(&self, install_id: &str) -> Result<Option<Secret>, KeyStoreError> {
        match self.entry(install_id)?.get_password() {
            Ok(hex) => Secret::from_hex(&hex)
                .map(Some)
                .map_err(|e| KeyStoreError::Damaged(e.to_string())),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    pub fn save(&self, install_id: &str, secret: &Secret) -> Result<(), KeyStoreError> {
        Ok(self.entry(install_id)?.set_password(&secret.to_hex())?)
    }

    /// Pair with a helper by copying its secret file into this store; returns
    /// the install id. Only possible for a user who can read the helper's
    /// 0600 file: the same user for the simulated Mac, root (via the installer)
    /// on macOS.
    pub fn import(&self, secret_file: &Path) -> Result<String, KeyStoreError> {
        let install = crate::auth::InstallSecret::read(secret_file)
            .map_err(|e| KeyStoreError::Pairing(e.to_string()))?;
        self.save(&install.install_id, &install.secret)?;
        Ok(install.install_id)
    }

    /// Pair from the secret file's text (e.g. piped from `sudo cat` on macOS,
    /// where the file is root-only); returns the install id.
    pub fn import_text(&self, text: &str) -> Result<String, KeyStoreError> {
        let install = crate::auth::InstallSecret::parse(text).ok_or_else(|| {
            KeyStoreError::Pairing(
                "not an Earshot helper secret (install id line, then 64 hex digits)".into(),
            )
        })?;
        self.save(&install.install_id, &install.secret)?;
        Ok(install.install_id)
    }

    /// Remove the secret (after an uninstall).
    pub fn forget(&self, install_id: &str) -> Result<(), KeyStoreError> {
        match self.entry(install_id)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

/// A keyring-core store keeping each credential in its own 0600 file.
///
/// For the Linux demo only (there is no Keychain there and no D-Bus secret
/// service on a headless machine). The folder is created 0700; file names are
/// the hex of `service NUL user`, so no service or user string can name a
/// path outside the folder.
#[derive(Debug)]
pub struct FileStore {
    dir: PathBuf,
}

impl FileStore {
    pub fn new(dir: impl Into<PathBuf>) -> FileStore {
        FileStore { dir: dir.into() }
    }
}

impl CredentialStoreApi for FileStore {
    fn vendor(&self) -> String {
        "Earshot file store (0600 files)".to_string()
    }

    fn id(&self) -> String {
        self.dir.display().to_string()
    }

    fn build(
        &self,
        service: &str,
        user: &str,
        modifiers: Option<&HashMap<&str, &str>>,
    ) -> keyring_core::Result<Entry> {
        if modifiers.is_some_and(|m| !m.is_empty()) {
            return Err(keyring_core::Error::NotSupportedByStore(
                "the file store takes no modifiers".to_string(),
            ));
        }
        let name = hex::encode(format!("{service}\0{user}"));
        Ok(Entry::new_with_credential(Arc::new(FileCred {
            dir: self.dir.clone(),
            path: self.dir.join(name),
            service: service.to_string(),
            user: user.to_string(),
        })))
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

#[derive(Debug)]
struct FileCred {
    dir: PathBuf,
    path: PathBuf,
    service: String,
    user: String,
}

fn platform_err(e: std::io::Error) -> keyring_core::Error {
    keyring_core::Error::PlatformFailure(Box::new(e))
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    // An existing folder may have been created with a looser umask.
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
}

impl CredentialApi for FileCred {
    fn set_secret(&self, secret: &[u8]) -> keyring_core::Result<()> {
        use std::os::unix::fs::OpenOptionsExt;
        create_private_dir(&self.dir).map_err(platform_err)?;
        let tmp = self
            .path
            .with_extension(format!("tmp{}", std::process::id()));
        let _ = std::fs::remove_file(&tmp);
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&tmp)
            .map_err(platform_err)?;
        file.write_all(secret)
            .and_then(|()| file.sync_all())
            .map_err(platform_err)?;
        std::fs::rename(&tmp, &self.path).map_err(platform_err)
    }

    fn get_secret(&self) -> keyring_core::Result<Vec<u8>> {
        match std::fs::read(&self.path) {
            Ok(bytes) => Ok(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(keyring_core::Error::NoEntry),
            Err(e) => Err(platform_err(e)),
        }
    }

    fn delete_credential(&self) -> keyring_core::Result<()> {
        match std::fs::remove_file(&self.path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(keyring_core::Error::NoEntry),
            Err(e) => Err(platform_err(e)),
        }
    }

    fn get_credential(&self) -> keyring_core::Result<Option<Arc<Credential>>> {
        self.get_secret().map(|_| None)
    }

    fn get_specifiers(&self) -> Option<(String, String)> {
        Some((self.service.clone(), self.user.clone()))
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn mock_store_round_trips() {
        let store = KeyStore::mock().unwrap();
        assert_eq!(store.load("abc").unwrap(), None);
        let secret = Secret::from_bytes([3; 32]);
        store.save("abc", &secret).unwrap();
        assert_eq!(store.load("abc").unwrap(), Some(secret));
        store.forget("abc").unwrap();
        assert_eq!(store.load("abc").unwrap(), None);
    }

    #[test]
    fn file_store_keeps_secrets_private_and_persistent() {
        let home = tempfile::tempdir().unwrap();
        let dir = home.path().join("earshot/keyring");
        let secret = Secret::from_bytes([5; 32]);
        KeyStore::file(&dir).save("0123", &secret).unwrap();
        // A second handle (a later process) sees it.
        assert_eq!(KeyStore::file(&dir).load("0123").unwrap(), Some(secret));
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        let files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(files.len(), 1, "no temp files left behind: {files:?}");
        assert_eq!(mode(&files[0]), 0o600);
        KeyStore::file(&dir).forget("0123").unwrap();
        assert_eq!(KeyStore::file(&dir).load("0123").unwrap(), None);
    }

    #[test]
    fn hostile_account_names_stay_inside_the_folder() {
        let home = tempfile::tempdir().unwrap();
        let dir = home.path().join("ks");
        KeyStore::file(&dir)
            .save("../../escape", &Secret::from_bytes([1; 32]))
            .unwrap();
        assert_eq!(std::fs::read_dir(home.path()).unwrap().count(), 1);
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    }

    #[test]
    fn pairing_imports_the_helpers_secret_file_or_its_text() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("secret");
        let install = crate::auth::InstallSecret::load_or_create(&file).unwrap();
        let store = KeyStore::mock().unwrap();
        assert_eq!(store.import(&file).unwrap(), install.install_id);
        assert_eq!(
            store.load(&install.install_id).unwrap(),
            Some(install.secret.clone())
        );

        let other = KeyStore::mock().unwrap();
        let text = std::fs::read_to_string(&file).unwrap();
        assert_eq!(other.import_text(&text).unwrap(), install.install_id);
        assert_eq!(
            other.load(&install.install_id).unwrap(),
            Some(install.secret)
        );
        assert!(matches!(
            other.import_text("not a secret"),
            Err(KeyStoreError::Pairing(_))
        ));
    }

    #[test]
    fn damaged_entries_are_reported_not_used() {
        let store = KeyStore::mock().unwrap();
        store.entry("x").unwrap().set_password("not hex").unwrap();
        assert!(matches!(store.load("x"), Err(KeyStoreError::Damaged(_))));
    }
}
