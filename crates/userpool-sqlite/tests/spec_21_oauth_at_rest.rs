//! SPEC §21 on SQLite: an identity provider's client secret reaches the database only
//! sealed when the store is wrapped in `SealingStore`, and the whole conformance kit holds
//! through the wrapper over SQLite.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::DateTime;
use common::{contains, database_files, pool, pool_id};
use userpool_sqlite::SqliteStore;
use userpool_store::conformance::Harness;
use userpool_store::seal::{self, Keyring, SealingKey};
use userpool_store::{IdentityProviderRecord, OAuthStore, SealingStore, Store};

/// A distinctive provider secret.
const SECRET: &str = "idp-secret-xqzvkwjplmnbhgtrfdsa-xqzvkwjplmnbhgtrfdsa";

fn keyring() -> Keyring {
    Keyring::new(SealingKey::from_bytes(&[7; seal::KEY_LEN]).expect("32 bytes"))
}

/// Sealing stores over fresh SQLite files.
struct SealedSqlite;

impl Harness for SealedSqlite {
    type Store = SealingStore<SqliteStore>;
    type Guard = tempfile::TempDir;
    fn make(&self) -> (Self::Store, Self::Guard) {
        let dir = tempfile::tempdir().expect("dir");
        let store = SqliteStore::open(dir.path().join("kit.db")).expect("open");
        (SealingStore::new(Arc::new(store), keyring()), dir)
    }
}

mod sealed_sqlite {
    userpool_store::conformance_tests!(super::SealedSqlite);
}

#[test]
fn spec_21_provider_secret_is_sealed_in_the_database_files() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("idp.db");
    let sealed = SealingStore::new(Arc::new(SqliteStore::open(&path).expect("open")), keyring());
    sealed.create_pool(&pool("Idp1", 0, &[])).expect("pool");
    let provider = IdentityProviderRecord {
        pool_id: pool_id("Idp1"),
        provider_name: "Corp".into(),
        provider_type: "OIDC".into(),
        provider_details: BTreeMap::from([
            (
                "client_id".to_owned(),
                "visible-client-id-for-the-check".to_owned(),
            ),
            ("client_secret".to_owned(), SECRET.to_owned()),
        ]),
        attribute_mapping: BTreeMap::new(),
        idp_identifiers: Vec::new(),
        created_at: DateTime::UNIX_EPOCH,
        modified_at: DateTime::UNIX_EPOCH,
        version: 0,
    };
    sealed.create_identity_provider(&provider).expect("create");
    let files = database_files(&path);
    assert!(
        files
            .iter()
            .any(|(_, bytes)| contains(bytes, b"visible-client-id-for-the-check")),
        "the check can fail: the other details are in the files"
    );
    for (name, bytes) in &files {
        assert!(
            !contains(bytes, SECRET.as_bytes()),
            "{name} holds the secret"
        );
    }
    let back = sealed
        .get_identity_provider(&pool_id("Idp1"), "Corp")
        .expect("get")
        .expect("found");
    assert_eq!(back.provider_details["client_secret"], SECRET);
}
