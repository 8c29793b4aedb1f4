//! SPEC §21 at the store: the conformance kit run through [`SealingStore`] (every OAuth
//! method forwarded, none lost to a trait default), and an identity provider's client
//! secret sealed at rest, opened on the way back, and refused when moved to another row.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::DateTime;
use userpool_core::{HashParams, HistoryMode, PasswordPolicy, UserPoolId};
use userpool_store::conformance::Harness;
use userpool_store::seal::{self, KEY_LEN, Keyring, SealingKey};
use userpool_store::{
    IdentityProviderRecord, MemoryStore, OAuthStore, PoolRecord, SealingStore, Store, StoreError,
};

fn key(byte: u8) -> SealingKey {
    SealingKey::from_bytes(&[byte; KEY_LEN]).expect("32 bytes")
}

/// Fresh sealing stores over fresh memory stores.
struct Sealed;

impl Harness for Sealed {
    type Store = SealingStore<MemoryStore>;
    type Guard = ();
    fn make(&self) -> (SealingStore<MemoryStore>, ()) {
        (
            SealingStore::new(Arc::new(MemoryStore::new()), Keyring::new(key(9))),
            (),
        )
    }
}

mod sealing_store {
    userpool_store::conformance_tests!(super::Sealed);
}

/// A memory store, a sealing store over it (key 1) and a pool `eu-west-1_<suffix>` in it.
fn sealed_pool(suffix: &str) -> (Arc<MemoryStore>, SealingStore<MemoryStore>, UserPoolId) {
    let memory = Arc::new(MemoryStore::new());
    let sealed = SealingStore::new(memory.clone(), Keyring::new(key(1)));
    let id = pool(&sealed, suffix);
    (memory, sealed, id)
}

/// The provider `Corp` of pool `id`, as `store` reads it back.
fn corp(store: &dyn OAuthStore, id: &UserPoolId) -> IdentityProviderRecord {
    store
        .get_identity_provider(id, "Corp")
        .expect("get")
        .expect("found")
}

fn pool(store: &dyn Store, suffix: &str) -> UserPoolId {
    let id = UserPoolId::parse(&format!("eu-west-1_{suffix}")).expect("pool id");
    store
        .create_pool(&PoolRecord {
            id: id.clone(),
            name: "p".into(),
            policy: PasswordPolicy::default(),
            hash_params: HashParams::insecure_fast_for_tests(),
            history_mode: HistoryMode::PerEntrySalt,
            alias_attributes: Vec::new(),
            username_attributes: Vec::new(),
            case_sensitive: true,
            created_at: DateTime::UNIX_EPOCH,
            modified_at: DateTime::UNIX_EPOCH,
            version: 0,
            mfa: Default::default(),
            schema: userpool_core::Schema::standard(),
            settings: userpool_core::PoolSettings::default(),
        })
        .expect("create_pool");
    id
}

fn provider(pool: &UserPoolId, name: &str, secret: &str) -> IdentityProviderRecord {
    IdentityProviderRecord {
        pool_id: pool.clone(),
        provider_name: name.into(),
        provider_type: "OIDC".into(),
        provider_details: BTreeMap::from([
            ("client_id".to_owned(), "rp-client".to_owned()),
            ("client_secret".to_owned(), secret.to_owned()),
        ]),
        attribute_mapping: BTreeMap::new(),
        idp_identifiers: vec![format!("{name}.example.com")],
        created_at: DateTime::UNIX_EPOCH,
        modified_at: DateTime::UNIX_EPOCH,
        version: 0,
    }
}

#[test]
fn spec_21_provider_secret_is_sealed_at_rest_and_opened_through_the_wrapper() {
    let (memory, sealed, id) = sealed_pool("Seal1");
    sealed
        .create_identity_provider(&provider(&id, "Corp", "idp-s3cret"))
        .expect("create");

    let raw = corp(&*memory, &id);
    let at_rest = &raw.provider_details["client_secret"];
    assert!(seal::is_sealed_text(at_rest), "{at_rest}");
    assert!(!at_rest.contains("idp-s3cret"));
    assert_eq!(raw.provider_details["client_id"], "rp-client");

    for read in [
        sealed.get_identity_provider(&id, "Corp").expect("get"),
        sealed
            .find_identity_provider_by_identifier(&id, "Corp.example.com")
            .expect("find"),
        sealed
            .list_identity_providers(&id, None, 10)
            .expect("list")
            .into_iter()
            .next(),
    ] {
        let read = read.expect("found");
        assert_eq!(read.provider_details["client_secret"], "idp-s3cret");
    }

    // An update seals the new secret too.
    let mut update = corp(&sealed, &id);
    update
        .provider_details
        .insert("client_secret".into(), "rotated-s3cret".into());
    sealed.update_identity_provider(&update).expect("update");
    let raw = corp(&*memory, &id);
    assert!(seal::is_sealed_text(&raw.provider_details["client_secret"]));
    assert_eq!(
        corp(&sealed, &id).provider_details["client_secret"],
        "rotated-s3cret"
    );
}

#[test]
fn spec_21_a_provider_secret_moved_to_another_provider_does_not_open() {
    let (memory, sealed, id) = sealed_pool("Seal2");
    sealed
        .create_identity_provider(&provider(&id, "Corp", "corp-secret"))
        .expect("create");
    let stolen = corp(&*memory, &id).provider_details["client_secret"].clone();
    // Written straight into the inner store, as someone with write access to the
    // database could: the sealed value is bound to the provider it was sealed for.
    let mut moved = provider(&id, "Other", "x");
    moved
        .provider_details
        .insert("client_secret".into(), stolen);
    memory.create_identity_provider(&moved).expect("raw create");
    assert!(matches!(
        sealed.get_identity_provider(&id, "Other"),
        Err(StoreError::Sealed(_))
    ));
}

#[test]
fn spec_21_a_legacy_plaintext_provider_secret_reads_as_it_is() {
    let memory = Arc::new(MemoryStore::new());
    let id = pool(&*memory, "Seal3");
    memory
        .create_identity_provider(&provider(&id, "Corp", "plain-old"))
        .expect("raw create");
    let sealed = SealingStore::new(memory.clone(), Keyring::new(key(1)));
    assert_eq!(
        corp(&sealed, &id).provider_details["client_secret"],
        "plain-old"
    );
}

#[test]
fn spec_21_apple_private_key_is_sealed_at_rest_apart_from_the_client_secret() {
    let (memory, sealed, id) = sealed_pool("Seal3");
    let mut apple = provider(&id, "Apple", "unused");
    apple.provider_type = "SignInWithApple".into();
    apple.provider_details.insert(
        "private_key".into(),
        "-----BEGIN PRIVATE KEY-----apple-key".into(),
    );
    sealed.create_identity_provider(&apple).expect("create");
    let raw = memory
        .get_identity_provider(&id, "Apple")
        .expect("get")
        .expect("stored");
    let at_rest = &raw.provider_details["private_key"];
    assert!(seal::is_sealed_text(at_rest), "{at_rest}");
    assert!(!at_rest.contains("apple-key"));
    let read = sealed
        .get_identity_provider(&id, "Apple")
        .expect("get")
        .expect("found");
    assert_eq!(
        read.provider_details["private_key"],
        "-----BEGIN PRIVATE KEY-----apple-key"
    );
    assert_eq!(read.provider_details["client_secret"], "unused");
    assert!(!format!("{read:?}").contains("apple-key"));
}

/// Apple's sealed `private_key` moved into the `client_secret` of a provider whose name is
/// `<Apple's name>/private_key` (a valid ProviderName) does not open there: otherwise
/// DescribeIdentityProvider, which shows a client secret, would show the key to whoever
/// can write the database and call the admin API.
#[test]
fn spec_21_apple_private_key_moved_to_a_look_alike_providers_secret_does_not_open() {
    let (memory, sealed, id) = sealed_pool("Seal4");
    let mut apple = provider(&id, "Apple", "unused");
    apple.provider_type = "SignInWithApple".into();
    apple
        .provider_details
        .insert("private_key".into(), "apple-key".into());
    sealed.create_identity_provider(&apple).expect("create");
    let stolen = memory
        .get_identity_provider(&id, "Apple")
        .expect("get")
        .expect("stored")
        .provider_details["private_key"]
        .clone();
    let mut look_alike = provider(&id, "Apple/private_key", "x");
    look_alike
        .provider_details
        .insert("client_secret".into(), stolen);
    memory
        .create_identity_provider(&look_alike)
        .expect("raw create");
    assert!(matches!(
        sealed.get_identity_provider(&id, "Apple/private_key"),
        Err(StoreError::Sealed(_))
    ));
}

/// The kit skips the cases of a capability a store declares absent, so a wrapper that
/// dropped its forwards would pass it silently: the sealing store has both capabilities of
/// the store it wraps.
#[test]
fn sealing_store_forwards_both_capabilities_so_the_kit_skips_nothing() {
    use userpool_store::conformance::{Support, oauth_storage_support, token_storage_support};
    let (sealed, ()) = Sealed.make();
    assert_eq!(token_storage_support(&sealed), Support::Full);
    assert_eq!(oauth_storage_support(&sealed), Support::Full);
}
