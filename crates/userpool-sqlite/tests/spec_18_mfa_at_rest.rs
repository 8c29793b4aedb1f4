//! SPEC §18 with §14 on SQLite: a user's MFA state (TOTP secrets) is stored sealed under
//! `SealingStore` — neither the secret's bytes nor its base32 form reach the files — reads
//! back whole through the sealing store, and is useless with another key. The pool's MFA
//! configuration round-trips through a reopen.

mod common;

use std::sync::Arc;

use common::{at, contains, database_files, pool, pool_id, user};
use userpool_core::mfa::{self, MfaMode, PoolMfaConfig};
use userpool_core::testing::{insecure_fast_rules, seeded_entropy};
use userpool_core::{Context, PasswordPolicy};
use userpool_sqlite::SqliteStore;
use userpool_store::seal::{self, Keyring, SealError, SealingKey};
use userpool_store::{SealingStore, Store, StoreError, UserKey};

fn keyring(byte: u8) -> Keyring {
    Keyring::new(SealingKey::from_bytes(&[byte; seal::KEY_LEN]).expect("32 bytes"))
}

fn totp_pool() -> PoolMfaConfig {
    PoolMfaConfig {
        mode: MfaMode::Optional,
        software_token: true,
        sms: false,
        sms_message: None,
    }
}

#[test]
fn spec_18_the_totp_secret_is_sealed_at_rest_and_reads_back_through_the_sealing_store() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("mfa.db");
    let sqlite = Arc::new(SqliteStore::open(&path).expect("open"));
    let sealed = SealingStore::new(sqlite.clone(), keyring(1));
    let mut record = pool("Mfa", 0, &[]);
    record.mfa = totp_pool();
    sealed.create_pool(&record).expect("pool");

    let mut rules = insecure_fast_rules(PasswordPolicy::default());
    rules.mfa = totp_pool();
    let mut rng = seeded_entropy(18);
    let mut ctx = Context::new(at(1_700_000_000_000_000), &mut rng);
    let (with_pending, secret) =
        mfa::associate_software_token(&user("totp", &[], 5), &rules, &mut ctx).expect("associate");
    let code = secret.code_at(ctx.now).expect("code");
    let verified = mfa::verify_software_token(&with_pending, &code, &mut ctx).expect("verify");
    let plain = verified.mfa.clone().expect("an MFA state");
    // The encoding puts the verified secret right after version, flags and preference.
    let secret_bytes = plain.as_bytes()[3..3 + mfa::SECRET_LEN].to_vec();
    let base32 = secret.to_base32();

    sealed
        .insert_user(&pool_id("Mfa"), &verified)
        .expect("insert");
    let back = sealed
        .find_user(&pool_id("Mfa"), UserKey::Username("totp"))
        .expect("read")
        .expect("found");
    assert_eq!(
        back.mfa, verified.mfa,
        "the sealing store opens what it sealed"
    );
    assert!(
        mfa::settings(&back)
            .expect("settings")
            .software_token_verified,
        "the state read back is usable"
    );

    // Underneath: sealed bytes, and neither form of the secret anywhere in the files.
    let raw = sqlite
        .find_user(&pool_id("Mfa"), UserKey::Username("totp"))
        .expect("raw")
        .expect("found");
    let stored = raw.mfa.expect("stored");
    assert!(seal::is_sealed(stored.as_bytes()), "sealed in the row");
    assert!(!contains(stored.as_bytes(), &secret_bytes));
    sqlite.checkpoint().expect("checkpoint");
    for (name, bytes) in database_files(&path) {
        assert!(!contains(&bytes, &secret_bytes), "secret bytes in {name}");
        assert!(
            !contains(&bytes, base32.as_bytes()),
            "base32 secret in {name}"
        );
    }

    // A copy opened with another key yields no secret.
    let copy = dir.path().join("copy.db");
    std::fs::copy(&path, &copy).expect("copy");
    let elsewhere = SealingStore::new(
        Arc::new(SqliteStore::open(&copy).expect("open copy")),
        keyring(2),
    );
    let refused = elsewhere
        .find_user(&pool_id("Mfa"), UserKey::Username("totp"))
        .err();
    assert!(
        matches!(refused, Some(StoreError::Sealed(SealError::UnknownKey(_)))),
        "{refused:?}"
    );
}

#[test]
fn spec_18_the_pools_mfa_configuration_survives_a_reopen() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("pool.db");
    let mut record = pool("MfaCfg", 0, &[]);
    record.mfa = PoolMfaConfig {
        mode: MfaMode::On,
        software_token: true,
        sms: true,
        sms_message: Some("Your code is {####}".into()),
    };
    {
        let store = SqliteStore::open(&path).expect("open");
        store.create_pool(&record).expect("pool");
        let mut changed = store.get_pool(&record.id).expect("read").expect("found");
        changed.mfa.mode = MfaMode::Optional;
        changed.mfa.sms_message = None;
        store.update_pool(&changed).expect("update");
    }
    let store = SqliteStore::open(&path).expect("reopen");
    let back = store.get_pool(&record.id).expect("read").expect("found");
    assert_eq!(
        back.mfa,
        PoolMfaConfig {
            mode: MfaMode::Optional,
            software_token: true,
            sms: true,
            sms_message: None,
        }
    );
}
