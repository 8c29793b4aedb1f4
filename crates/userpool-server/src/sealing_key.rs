//! The host's sealing keys (SPEC §14): a key file beside the database, the environment, or
//! (in memory only) a key that dies with the process.
//!
//! A key file is raw bytes: one or more 32-byte keys, oldest first; the last seals, all
//! open ([`userpool_store::seal::Keyring`]). It is created mode `0600` with one random key
//! when missing, and refused when group or others may access it, or when its length is not
//! a positive multiple of 32 — a truncated or foreign file must stop the server, not make
//! it seal under a key nobody will find again.

use std::io::Write;
use std::path::Path;

use base64ct::{Base64, Encoding};
use userpool::OsRandom;
use userpool_store::seal::{KEY_LEN, Keyring, SealingKey};
use zeroize::Zeroizing;

use crate::config::ConfigError;

/// Reads the key file at `path`, creating it (mode `0600`, one random key) when missing.
///
/// # Errors
/// A file accessible by group or others, of a length that is not a positive multiple of
/// 32, or that cannot be read or created.
pub fn load_or_create(path: &Path) -> Result<Keyring, ConfigError> {
    match std::fs::metadata(path) {
        Ok(_) => load(path),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => match create(path) {
            Ok(keyring) => Ok(keyring),
            // Another process created it meanwhile: use theirs.
            Err(CreateError::Exists) => load(path),
            Err(CreateError::Failed(e)) => Err(e),
        },
        Err(e) => Err(ConfigError(format!(
            "cannot read the key file {}: {e}",
            path.display()
        ))),
    }
}

/// Reads an existing key file.
///
/// # Errors
/// As [`load_or_create`], and a missing file.
pub fn load(path: &Path) -> Result<Keyring, ConfigError> {
    let unreadable = |e: std::io::Error| {
        ConfigError(format!("cannot read the key file {}: {e}", path.display()))
    };
    let mut file = std::fs::File::open(path).map_err(unreadable)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = file.metadata().map_err(unreadable)?.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(ConfigError(format!(
                "the key file {} may be accessed by group or others (mode {mode:03o}): \
                 run `chmod 600` on it",
                path.display()
            )));
        }
    }
    let mut bytes = Zeroizing::new(Vec::new());
    std::io::Read::read_to_end(&mut file, &mut bytes).map_err(unreadable)?;
    if bytes.is_empty() || bytes.len() % KEY_LEN != 0 {
        return Err(ConfigError(format!(
            "the key file {} is {} bytes long: it must hold one or more {KEY_LEN}-byte keys",
            path.display(),
            bytes.len()
        )));
    }
    keyring(bytes.chunks(KEY_LEN))
}

enum CreateError {
    Exists,
    Failed(ConfigError),
}

/// Creates a key file holding one random key, mode `0600` from the start (never readable
/// by others, even for a moment).
fn create(path: &Path) -> Result<Keyring, CreateError> {
    let failed = |e: std::io::Error| {
        CreateError::Failed(ConfigError(format!(
            "cannot create the key file {}: {e}",
            path.display()
        )))
    };
    let key = SealingKey::generate(&OsRandom)
        .map_err(|e| CreateError::Failed(ConfigError(format!("cannot generate a key: {e}"))))?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = match options.open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Err(CreateError::Exists),
        Err(e) => return Err(failed(e)),
    };
    file.write_all(key.expose_bytes()).map_err(failed)?;
    file.sync_all().map_err(failed)?;
    tracing::info!(
        key_file = %path.display(),
        key_id = %key.id(),
        "created a new sealing key file: back it up apart from the database"
    );
    Ok(Keyring::new(key))
}

/// Keys from base64 text (`USERPOOL_SEALING_KEY`): 32 bytes each, comma-separated, oldest
/// first.
///
/// # Errors
/// Text that is not base64, or a key that is not 32 bytes.
pub fn from_base64(text: &str) -> Result<Keyring, ConfigError> {
    let mut keys = Vec::new();
    for part in text.split(',').map(str::trim) {
        let bytes =
            Zeroizing::new(Base64::decode_vec(part).map_err(|_| {
                ConfigError("USERPOOL_SEALING_KEY: a key is not base64".to_owned())
            })?);
        keys.push(bytes);
    }
    keyring(keys.iter().map(|k| k.as_slice()))
}

/// A random key for this process only (`--memory`: nothing outlives it anyway).
///
/// # Errors
/// No randomness.
pub fn ephemeral() -> Result<Keyring, ConfigError> {
    SealingKey::generate(&OsRandom)
        .map(Keyring::new)
        .map_err(|e| ConfigError(format!("cannot generate a key: {e}")))
}

/// Logs a warning when the file at `path` exists and group or others may access it.
pub fn warn_if_open_to_others(path: &Path, what: &str) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path) {
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                tracing::warn!(
                    file = %path.display(),
                    mode = format!("{mode:03o}"),
                    "the {what} file may be accessed by group or others: consider `chmod 600` \
                     (and on its -wal and -shm)"
                );
            }
        }
    }
    #[cfg(not(unix))]
    let _ = (path, what);
}

fn keyring<'a>(keys: impl Iterator<Item = &'a [u8]>) -> Result<Keyring, ConfigError> {
    let keys = keys
        .map(SealingKey::from_bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ConfigError(format!("sealing key refused: {e}")))?;
    Keyring::from_keys(keys).ok_or_else(|| ConfigError("no sealing key given".to_owned()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    /// SPEC §14: created `0600` on first start, and the same key read back after.
    #[test]
    fn spec_14_a_key_file_is_created_0600_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("userpool.db.key");
        let created = load_or_create(&path).unwrap();
        #[cfg(unix)]
        assert_eq!(mode(&path), 0o600);
        assert_eq!(std::fs::read(&path).unwrap().len(), KEY_LEN);
        let again = load_or_create(&path).unwrap();
        assert_eq!(again.ids(), created.ids());
    }

    /// SPEC §14: a key file others may read is refused, whatever it holds.
    #[cfg(unix)]
    #[test]
    fn spec_14_a_key_file_open_to_group_or_others_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        load_or_create(&path).unwrap();
        for open in [0o640, 0o604, 0o660, 0o644] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(open)).unwrap();
            let refused = load_or_create(&path).err().unwrap();
            assert!(refused.0.contains("chmod 600"), "{open:o}: {}", refused.0);
        }
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o400)).unwrap();
        assert!(load_or_create(&path).is_ok(), "owner-only read is fine");
    }

    /// SPEC §14: a key file of the wrong length is refused; several keys rotate.
    #[cfg(unix)]
    #[test]
    fn spec_14_a_key_file_of_the_wrong_length_is_refused_and_longer_ones_rotate() {
        use std::os::unix::fs::OpenOptionsExt;
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, bytes: &[u8]| {
            let path = dir.path().join(name);
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&path)
                .unwrap();
            file.write_all(bytes).unwrap();
            path
        };
        for (name, len) in [("empty", 0), ("short", 31), ("long", 33), ("odd", 65)] {
            let refused = load(&write(name, &vec![7u8; len])).err().unwrap();
            assert!(refused.0.contains("32-byte keys"), "{name}: {}", refused.0);
        }
        let mut two = vec![1u8; KEY_LEN];
        two.extend_from_slice(&[2u8; KEY_LEN]);
        let ring = load(&write("two", &two)).unwrap();
        let newest = SealingKey::from_bytes(&[2u8; KEY_LEN]).unwrap().id();
        assert_eq!(ring.ids().len(), 2);
        assert_eq!(ring.newest_id(), newest, "the last key seals");
    }

    #[test]
    fn keys_from_the_environment_are_base64_of_32_bytes() {
        let one = Base64::encode_string(&[3u8; KEY_LEN]);
        let two = Base64::encode_string(&[4u8; KEY_LEN]);
        assert_eq!(from_base64(&one).unwrap().ids().len(), 1);
        let ring = from_base64(&format!("{one}, {two}")).unwrap();
        assert_eq!(
            ring.newest_id(),
            SealingKey::from_bytes(&[4u8; KEY_LEN]).unwrap().id()
        );
        assert!(from_base64("not base64!").is_err());
        assert!(from_base64(&Base64::encode_string(&[3u8; 16])).is_err());
        assert!(from_base64("").is_err());
    }
}
