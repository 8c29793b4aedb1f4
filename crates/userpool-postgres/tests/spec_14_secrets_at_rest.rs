//! SPEC §14 on PostgreSQL: behind `SealingStore`, the database holds app-client secrets and
//! signing keys only sealed; another host (another key file) on the same database gets no
//! secret; plaintext rows written without sealing are sealed in place when read.

mod common;

use std::sync::Arc;

use chrono::DateTime;
use userpool_postgres::{PostgresOptions, PostgresStore};
use userpool_store::seal::{self, Keyring, SealError, SealingKey};
use userpool_store::{ClientRecord, SealingStore, SigningKey, Store, StoreError};
use zeroize::Zeroizing;

/// A distinctive secret: 52 characters, as the service generates them.
const SECRET: &str = "zqxjkvbwplmnhgfdsazqxjkvbwplmnhgfdsazqxjkvbwplmnhgfd";

fn key_bytes() -> Vec<u8> {
    b"KEY-BYTES-PLUGH-"
        .iter()
        .copied()
        .cycle()
        .take(1200)
        .collect()
}

fn signing_key() -> SigningKey {
    SigningKey {
        kid: "kid-1".into(),
        private_der: Zeroizing::new(key_bytes()),
        created_at: DateTime::UNIX_EPOCH,
    }
}

fn client(pool: &userpool_store::PoolRecord, client_id: &str) -> ClientRecord {
    ClientRecord {
        pool_id: pool.id.clone(),
        client_id: client_id.into(),
        name: "web".into(),
        secret: Some(SECRET.into()),
        explicit_auth_flows: vec!["ALLOW_USER_PASSWORD_AUTH".into()],
        prevent_user_existence_errors: false,
        created_at: DateTime::UNIX_EPOCH,
        oauth: userpool_store::ClientOAuth::default(),
    }
}

fn keyring(byte: u8) -> Keyring {
    Keyring::new(SealingKey::from_bytes(&[byte; seal::KEY_LEN]).expect("32 bytes"))
}

/// Whether any stored client secret or signing key in the schema holds the plaintext.
fn plaintext_in_tables(url: &str, schema: &str) -> bool {
    let mut raw = common::raw(url);
    let secrets: i64 = raw
        .query_one(
            &format!("SELECT count(*) FROM {schema}.clients WHERE strpos(secret, $1) > 0"),
            &[&SECRET],
        )
        .expect("clients")
        .get(0);
    let keys: i64 = raw
        .query_one(
            &format!(
                "SELECT count(*) FROM {schema}.signing_keys WHERE position($1::bytea IN private_der) > 0"
            ),
            &[&&key_bytes()[100..164]],
        )
        .expect("keys")
        .get(0);
    secrets + keys > 0
}

#[test]
fn spec_14_a_database_read_without_the_key_file_yields_no_secret() {
    let Some(url) = common::database_url("sealed secrets on PostgreSQL") else {
        return;
    };
    let (store, guard) = common::fresh_store(&url, PostgresOptions::default());
    let store = Arc::new(store);
    let sealed = SealingStore::new(store.clone(), keyring(1));
    let pool = common::pool("Sealed1");
    sealed.create_pool(&pool).expect("pool");
    sealed
        .create_client(&client(&pool, "client-sealed"))
        .expect("client");
    let in_force = sealed
        .insert_signing_key(&pool.id, &signing_key())
        .expect("key");
    assert_eq!(in_force.private_der.as_slice(), key_bytes().as_slice());
    let read = sealed
        .find_client("client-sealed")
        .expect("read")
        .expect("found");
    assert_eq!(read.secret.as_deref(), Some(SECRET));
    assert!(!plaintext_in_tables(&url, &guard.schema));
    let raw = store
        .find_client("client-sealed")
        .expect("raw")
        .expect("found");
    assert!(seal::is_sealed_text(
        raw.secret.as_deref().unwrap_or_default()
    ));

    // Another host on the same database with another key file.
    let other = PostgresStore::open_with(&url, &PostgresOptions::default().schema(&guard.schema))
        .expect("open");
    let elsewhere = SealingStore::new(Arc::new(other), keyring(2));
    let refused = elsewhere.find_client("client-sealed").err();
    assert!(
        matches!(refused, Some(StoreError::Sealed(SealError::UnknownKey(_)))),
        "{refused:?}"
    );
    let refused = elsewhere.signing_key(&pool.id).err();
    assert!(
        matches!(refused, Some(StoreError::Sealed(SealError::UnknownKey(_)))),
        "{refused:?}"
    );
}

#[test]
fn spec_14_plaintext_rows_are_sealed_in_place_when_read() {
    let Some(url) = common::database_url("sealing legacy rows on PostgreSQL") else {
        return;
    };
    let (store, guard) = common::fresh_store(&url, PostgresOptions::default());
    let store = Arc::new(store);
    let pool = common::pool("Legacy1");
    store.create_pool(&pool).expect("pool");
    store
        .create_client(&client(&pool, "client-legacy"))
        .expect("client");
    store
        .insert_signing_key(&pool.id, &signing_key())
        .expect("key");
    assert!(plaintext_in_tables(&url, &guard.schema), "written plain");

    let sealed = SealingStore::new(store.clone(), keyring(1));
    let read = sealed
        .find_client("client-legacy")
        .expect("read")
        .expect("found");
    assert_eq!(read.secret.as_deref(), Some(SECRET));
    let key = sealed.signing_key(&pool.id).expect("read").expect("found");
    assert_eq!(key.private_der.as_slice(), key_bytes().as_slice());
    assert!(
        !plaintext_in_tables(&url, &guard.schema),
        "sealed in place by the reads (compare-and-swap replacements)"
    );
    let again = sealed
        .find_client("client-legacy")
        .expect("read")
        .expect("found");
    assert_eq!(again.secret.as_deref(), Some(SECRET));
}
