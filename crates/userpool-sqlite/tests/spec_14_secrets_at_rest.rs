//! SPEC §14 on SQLite: private files, `secure_delete`, and sealed secrets — a database
//! copied without its key file yields no secret.

mod common;

use std::path::Path;
use std::sync::Arc;

use common::{contains, database_files, pool, pool_id};
use userpool::{SealingStore, Store, StoreError};
use userpool_core::Error;
use userpool_sqlite::SqliteStore;
use userpool_store::TokenStore;
use userpool_store::conformance::fixtures::{
    SECRET, client_with_secret, key_bytes, keyring, signing_key,
};
use userpool_store::seal::{self, SealError};

/// Which of the database's files hold `needle`.
fn holding(path: &Path, needle: &[u8]) -> Vec<String> {
    database_files(path)
        .into_iter()
        .filter(|(_, bytes)| contains(bytes, needle))
        .map(|(name, _)| name)
        .collect()
}

/// A window of the key bytes long enough to be unique to them.
fn key_window() -> Vec<u8> {
    key_bytes()[100..164].to_vec()
}

#[cfg(unix)]
#[test]
fn spec_14_database_wal_and_shm_are_created_0600() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("modes.db");
    let store = SqliteStore::open(&path).expect("open");
    store.create_pool(&pool("Modes", 0, &[])).expect("a write");
    let mut seen = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let mode = std::fs::metadata(&name)
            .unwrap_or_else(|e| panic!("{}: {e}", name.to_string_lossy()))
            .permissions()
            .mode()
            & 0o777;
        seen.push((suffix, mode));
    }
    assert_eq!(seen, [("", 0o600), ("-wal", 0o600), ("-shm", 0o600)]);
}

#[test]
fn spec_14_a_deleted_pools_signing_key_and_client_secret_leave_no_bytes_after_a_checkpoint() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("deleted.db");
    // The raw store, without sealing: the bytes it is given are the bytes it writes.
    let store = SqliteStore::open(&path).expect("open");
    store.create_pool(&pool("Gone", 0, &[])).expect("pool");
    store
        .create_client(&client_with_secret(pool_id("Gone"), "client-gone", SECRET))
        .expect("client");
    store
        .insert_signing_key(&pool_id("Gone"), &signing_key())
        .expect("key");
    // Another pool, so the file is not simply emptied.
    store.create_pool(&pool("Kept", 0, &[])).expect("pool");
    assert!(
        !holding(&path, &key_window()).is_empty() && !holding(&path, SECRET.as_bytes()).is_empty(),
        "the check can fail: before the delete, the bytes are in the files"
    );
    store.checkpoint().expect("checkpoint");
    assert!(!holding(&path, &key_window()).is_empty());

    store.delete_pool(&pool_id("Gone")).expect("delete");
    store.checkpoint().expect("checkpoint");
    assert_eq!(holding(&path, &key_window()), Vec::<String>::new());
    assert_eq!(holding(&path, SECRET.as_bytes()), Vec::<String>::new());
}

#[test]
fn spec_14_a_database_copied_without_its_key_file_yields_no_secret() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("sealed.db");
    let sqlite = Arc::new(SqliteStore::open(&path).expect("open"));
    let sealed = SealingStore::new(sqlite.clone(), keyring(1));
    sealed.create_pool(&pool("Sealed", 0, &[])).expect("pool");
    sealed
        .create_client(&client_with_secret(
            pool_id("Sealed"),
            "client-sealed",
            SECRET,
        ))
        .expect("client");
    let in_force = sealed
        .insert_signing_key(&pool_id("Sealed"), &signing_key())
        .expect("key");
    assert_eq!(in_force.private_der.as_slice(), key_bytes().as_slice());
    // Through the sealing store: the plaintext, as stored.
    let read = sealed
        .find_client("client-sealed")
        .expect("read")
        .expect("found");
    assert_eq!(read.secret.as_deref(), Some(SECRET));
    // In the files: neither the secret nor any window of the key.
    sqlite.checkpoint().expect("checkpoint");
    assert_eq!(holding(&path, SECRET.as_bytes()), Vec::<String>::new());
    assert_eq!(holding(&path, &key_window()), Vec::<String>::new());
    let raw = sqlite
        .find_client("client-sealed")
        .expect("raw")
        .expect("found");
    assert!(seal::is_sealed_text(
        raw.secret.as_deref().unwrap_or_default()
    ));

    // The copy, opened by a host with another key (its own key file).
    let copy = dir.path().join("copy.db");
    std::fs::copy(&path, &copy).expect("copy");
    let elsewhere = SealingStore::new(
        Arc::new(SqliteStore::open(&copy).expect("open copy")),
        keyring(2),
    );
    let refused = elsewhere.find_client("client-sealed").err();
    assert!(
        matches!(refused, Some(StoreError::Sealed(SealError::UnknownKey(_)))),
        "{refused:?}"
    );
    let refused = elsewhere.signing_key(&pool_id("Sealed")).err();
    assert!(
        matches!(refused, Some(StoreError::Sealed(SealError::UnknownKey(_)))),
        "{refused:?}"
    );
    // Which clients see as InternalErrorException, whose message names nothing.
    let error = Error::from(StoreError::Sealed(SealError::UnknownKey(
        keyring(1).newest_id(),
    )));
    assert_eq!(error.code(), "InternalErrorException");
    assert!(!error.to_string().contains(SECRET));
}

#[test]
fn spec_14_plaintext_rows_of_an_older_database_are_sealed_when_read() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("legacy.db");
    let sqlite = Arc::new(SqliteStore::open(&path).expect("open"));
    // What an older version wrote: plaintext.
    sqlite.create_pool(&pool("Legacy", 0, &[])).expect("pool");
    sqlite
        .create_client(&client_with_secret(
            pool_id("Legacy"),
            "client-legacy",
            SECRET,
        ))
        .expect("client");
    sqlite
        .insert_signing_key(&pool_id("Legacy"), &signing_key())
        .expect("key");

    let sealed = SealingStore::new(sqlite.clone(), keyring(1));
    let read = sealed
        .find_client("client-legacy")
        .expect("read")
        .expect("found");
    assert_eq!(
        read.secret.as_deref(),
        Some(SECRET),
        "existing data keeps working"
    );
    let key = sealed
        .signing_key(&pool_id("Legacy"))
        .expect("read")
        .expect("found");
    assert_eq!(key.private_der.as_slice(), key_bytes().as_slice());
    assert_eq!(key.kid, "kid-1");

    // Sealed in place by that read.
    let raw_client = sqlite
        .find_client("client-legacy")
        .expect("raw")
        .expect("found");
    assert!(seal::is_sealed_text(
        raw_client.secret.as_deref().unwrap_or_default()
    ));
    let raw_key = sqlite
        .signing_key(&pool_id("Legacy"))
        .expect("raw")
        .expect("found");
    assert!(seal::is_sealed(&raw_key.private_der));
    // And the plaintext is gone from the files once checkpointed.
    sqlite.checkpoint().expect("checkpoint");
    assert_eq!(holding(&path, SECRET.as_bytes()), Vec::<String>::new());
    assert_eq!(holding(&path, &key_window()), Vec::<String>::new());
    // Still the same secret and key through the sealing store.
    let again = sealed
        .find_client("client-legacy")
        .expect("read")
        .expect("found");
    assert_eq!(again.secret.as_deref(), Some(SECRET));
}
