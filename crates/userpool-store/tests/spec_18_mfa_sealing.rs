//! SPEC §18 with §14 at the store level: `SealingStore` seals a user's MFA state (the TOTP
//! secrets) bound to its pool and user, opens it on the way back, passes a state stored
//! before sealing through as it is (sealing it at the next write), and refuses a sealed
//! state moved to another user's row.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::DateTime;
use userpool_core::mfa::{self, MfaMode, PoolMfaConfig};
use userpool_core::testing::{insecure_fast_rules, seeded_entropy};
use userpool_core::{
    AliasAttribute, Context, HashParams, HistoryMode, PasswordPolicy, UserPoolId, UserRecord,
    Username, transitions,
};
use userpool_store::seal::{self, KEY_LEN, Keyring, SealError, SealingKey};
use userpool_store::{MemoryStore, PoolRecord, SealingStore, Store, StoreError, UserKey};

fn pool_id() -> UserPoolId {
    UserPoolId::parse("eu-west-1_Mfa18").expect("pool id")
}

fn totp_config() -> PoolMfaConfig {
    PoolMfaConfig {
        mode: MfaMode::Optional,
        software_token: true,
        sms: false,
        sms_message: None,
    }
}

fn pool() -> PoolRecord {
    PoolRecord {
        id: pool_id(),
        name: "mfa".into(),
        policy: PasswordPolicy::default(),
        hash_params: HashParams::insecure_fast_for_tests(),
        history_mode: HistoryMode::PerEntrySalt,
        alias_attributes: Vec::<AliasAttribute>::new(),
        username_attributes: Vec::new(),
        case_sensitive: true,
        mfa: totp_config(),
        schema: userpool_core::Schema::standard(),
        settings: userpool_core::PoolSettings::default(),
        created_at: DateTime::UNIX_EPOCH,
        modified_at: DateTime::UNIX_EPOCH,
        version: 0,
    }
}

/// A user with a pending TOTP secret.
fn user_with_secret(name: &str, seed: u64) -> UserRecord {
    let mut rules = insecure_fast_rules(PasswordPolicy::default());
    rules.mfa = totp_config();
    let mut rng = seeded_entropy(seed);
    let now = DateTime::from_timestamp(1_700_000_000, 0).expect("time");
    let mut ctx = Context::new(now, &mut rng);
    let (user, _) = transitions::external_provider_sign_in(
        Username::parse(name).expect("name"),
        BTreeMap::new(),
        &mut ctx,
    )
    .expect("user");
    mfa::associate_software_token(&user, &rules, &mut ctx)
        .expect("associate")
        .0
}

fn find(store: &dyn Store, name: &str) -> Result<Option<UserRecord>, StoreError> {
    store.find_user(&pool_id(), UserKey::Username(name))
}

#[test]
fn spec_18_the_mfa_state_is_sealed_bound_to_its_user_and_opened_on_read() {
    let inner = Arc::new(MemoryStore::new());
    let key = SealingKey::from_bytes(&[7; KEY_LEN]).expect("key");
    let sealed = SealingStore::new(Arc::clone(&inner), Keyring::new(key));
    sealed.create_pool(&pool()).expect("pool");
    let alice = user_with_secret("alice", 1);
    let bob = user_with_secret("bob", 2);
    sealed.insert_user(&pool_id(), &alice).expect("alice");
    sealed.insert_user(&pool_id(), &bob).expect("bob");

    // Through the sealing store: the plain state, as written.
    let back = find(&sealed, "alice").expect("read").expect("alice");
    assert_eq!(back.mfa, alice.mfa);
    // Underneath: sealed, and not the plain bytes.
    let raw_alice = find(inner.as_ref(), "alice").expect("raw").expect("alice");
    let stored = raw_alice.mfa.clone().expect("a state");
    assert!(seal::is_sealed(stored.as_bytes()));
    assert_ne!(Some(&stored), alice.mfa.as_ref());

    // Alice's sealed state copied into Bob's row does not open there.
    let mut raw_bob = find(inner.as_ref(), "bob").expect("raw").expect("bob");
    raw_bob.mfa = raw_alice.mfa.clone();
    inner.update_user(&pool_id(), &raw_bob).expect("tamper");
    let refused = find(&sealed, "bob").err();
    assert!(
        matches!(refused, Some(StoreError::Sealed(SealError::Unauthentic))),
        "{refused:?}"
    );

    // A state stored in the clear (before sealing existed) reads as it is, and the next
    // write through the sealing store seals it.
    let carol = user_with_secret("carol", 3);
    inner.insert_user(&pool_id(), &carol).expect("plain insert");
    let read = find(&sealed, "carol").expect("read").expect("carol");
    assert_eq!(read.mfa, carol.mfa);
    sealed.update_user(&pool_id(), &read).expect("rewrite");
    let raw = find(inner.as_ref(), "carol").expect("raw").expect("carol");
    assert!(seal::is_sealed(raw.mfa.expect("state").as_bytes()));
}
