//! SPEC §14 through [`SealingStore`] over the in-memory store: what reaches the store is
//! sealed, rotation re-seals lazily, and a sealed value moved to another row is refused.

use std::sync::Arc;

use chrono::DateTime;
use userpool::{
    Caller, ClientRecord, ClientSettings, MemoryStore, PoolSettings, SealingStore, SigningKey,
    Store, StoreError, TokenStore, UserPools,
};
use userpool_core::HashParams;
use userpool_store::seal::{self, KEY_LEN, Keyring, SealError, SealingKey};
use zeroize::Zeroizing;

fn key(byte: u8) -> SealingKey {
    SealingKey::from_bytes(&[byte; KEY_LEN]).expect("32 bytes")
}

fn signing_key(kid: &str, bytes: &[u8]) -> SigningKey {
    SigningKey {
        kid: kid.into(),
        private_der: Zeroizing::new(bytes.to_vec()),
        created_at: DateTime::UNIX_EPOCH,
    }
}

/// A pool with two clients with secrets, made through the service over a sealing store.
fn setup(
    keyring: Keyring,
) -> (
    Arc<MemoryStore>,
    SealingStore<MemoryStore>,
    ClientRecord,
    ClientRecord,
) {
    let memory = Arc::new(MemoryStore::new());
    let sealed = SealingStore::new(memory.clone(), keyring);
    let pools = UserPools::new(Arc::new(SealingStore::new(
        memory.clone(),
        // Same keys: a second handle on the same store, as another process would have.
        Keyring::from_keys([key(1)]).expect("one key"),
    )));
    let admin = Caller::new("admin");
    let settings = PoolSettings {
        hash_params: HashParams::new(1024, 1, 1).expect("params"),
        ..PoolSettings::default()
    };
    let pool = pools.create_user_pool(&admin, "p", settings).expect("pool");
    let with_secret = || ClientSettings {
        generate_secret: true,
        ..ClientSettings::default()
    };
    let a = pools
        .create_user_pool_client(&admin, pool.id.as_str(), "a", with_secret())
        .expect("client a");
    let b = pools
        .create_user_pool_client(&admin, pool.id.as_str(), "b", with_secret())
        .expect("client b");
    (memory, sealed, a, b)
}

#[test]
fn spec_14_the_store_holds_only_sealed_secrets_and_the_service_sees_plaintext() {
    let (memory, sealed, a, _) = setup(Keyring::new(key(1)));
    let secret = a.secret.clone().expect("generated");
    assert_eq!(secret.len(), 52);
    let raw = memory
        .get_client(&a.pool_id, &a.client_id)
        .expect("raw")
        .expect("found")
        .secret
        .expect("stored");
    assert!(seal::is_sealed_text(&raw), "{raw}");
    assert!(!raw.contains(&secret));
    let read = sealed
        .find_client(&a.client_id)
        .expect("read")
        .expect("found");
    assert_eq!(read.secret, Some(secret));
    // Debug of the sealing store names key ids only.
    let shown = format!("{sealed:?}");
    assert!(shown.contains(&key(1).id().to_string()), "{shown}");
}

#[test]
fn spec_14_rotation_opens_old_values_and_reseals_them_under_the_newest_key_when_read() {
    let (memory, _, a, _) = setup(Keyring::new(key(1)));
    let secret = a.secret.clone().expect("generated");
    let pool = a.pool_id.clone();
    let old_key = SealingStore::new(memory.clone(), Keyring::new(key(1)));
    old_key
        .insert_signing_key(&pool, &signing_key("kid", b"private key bytes"))
        .expect("key");

    // The host adds key 2: values sealed under key 1 still read...
    let rotated = SealingStore::new(memory.clone(), Keyring::new(key(1)).with_newest(key(2)));
    let read = rotated
        .find_client(&a.client_id)
        .expect("read")
        .expect("found");
    assert_eq!(read.secret.as_deref(), Some(secret.as_str()));
    let signing = rotated.signing_key(&pool).expect("read").expect("found");
    assert_eq!(signing.private_der.as_slice(), b"private key bytes");

    // ...and that read sealed them again under key 2, so key 2 alone now opens them.
    let only_new = SealingStore::new(memory.clone(), Keyring::new(key(2)));
    let read = only_new
        .find_client(&a.client_id)
        .expect("read")
        .expect("found");
    assert_eq!(read.secret.as_deref(), Some(secret.as_str()));
    let signing = only_new.signing_key(&pool).expect("read").expect("found");
    assert_eq!(signing.private_der.as_slice(), b"private key bytes");
    // And key 1 alone no longer does: typed errors, not the sealed bytes.
    assert!(matches!(
        old_key.find_client(&a.client_id),
        Err(StoreError::Sealed(SealError::UnknownKey(id))) if id == key(2).id()
    ));
    assert!(matches!(
        old_key.signing_key(&pool),
        Err(StoreError::Sealed(SealError::UnknownKey(_)))
    ));
}

#[test]
fn spec_14_a_sealed_value_moved_to_another_row_is_refused() {
    let (memory, sealed, a, b) = setup(Keyring::new(key(1)));
    let raw = |id: &str| {
        memory
            .get_client(&a.pool_id, id)
            .expect("raw")
            .expect("found")
            .secret
            .expect("stored")
    };
    let (raw_a, raw_b) = (raw(&a.client_id), raw(&b.client_id));
    // Someone with write access to the store, but not the key, gives b a's secret.
    assert!(
        memory
            .replace_client_secret(&a.pool_id, &b.client_id, &raw_b, &raw_a)
            .expect("raw write")
    );
    let refused = sealed.find_client(&b.client_id).err();
    assert_eq!(refused, Some(StoreError::Sealed(SealError::Unauthentic)));
    // a's own row still opens.
    assert_eq!(
        sealed
            .find_client(&a.client_id)
            .expect("read")
            .expect("found")
            .secret,
        a.secret
    );

    // A signing key moved to another pool (same kid) is refused too.
    let pools = UserPools::new(Arc::new(SealingStore::new(
        memory.clone(),
        Keyring::new(key(1)),
    )));
    let other = pools
        .create_user_pool(
            &Caller::new("admin"),
            "other",
            PoolSettings {
                hash_params: HashParams::new(1024, 1, 1).expect("params"),
                ..PoolSettings::default()
            },
        )
        .expect("pool");
    sealed
        .insert_signing_key(&a.pool_id, &signing_key("kid", b"pool a's key"))
        .expect("key");
    let stolen = memory.signing_key(&a.pool_id).expect("raw").expect("found");
    memory
        .insert_signing_key(&other.id, &stolen)
        .expect("raw write");
    assert_eq!(
        sealed.signing_key(&other.id).err(),
        Some(StoreError::Sealed(SealError::Unauthentic))
    );
}

#[test]
fn spec_14_replacing_a_secret_through_the_sealing_store_compares_plaintext_and_seals() {
    let (memory, sealed, a, _) = setup(Keyring::new(key(1)));
    let secret = a.secret.clone().expect("generated");
    assert!(
        !sealed
            .replace_client_secret(&a.pool_id, &a.client_id, "not the secret", "new")
            .expect("compare")
    );
    assert!(
        sealed
            .replace_client_secret(&a.pool_id, &a.client_id, &secret, "a-new-secret")
            .expect("swap")
    );
    let raw = memory
        .get_client(&a.pool_id, &a.client_id)
        .expect("raw")
        .expect("found")
        .secret
        .expect("stored");
    assert!(seal::is_sealed_text(&raw) && !raw.contains("a-new-secret"));
    assert_eq!(
        sealed
            .find_client(&a.client_id)
            .expect("read")
            .expect("found")
            .secret
            .as_deref(),
        Some("a-new-secret")
    );
}
