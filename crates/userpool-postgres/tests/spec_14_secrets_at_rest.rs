//! SPEC §14 on PostgreSQL: behind `SealingStore`, the database holds app-client secrets and
//! signing keys only sealed; another host (another key file) on the same database gets no
//! secret; plaintext rows written without sealing are sealed in place when read. So are a
//! user's MFA state (SPEC §18) and an identity provider's client secret (SPEC §21).

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::DateTime;
use userpool_postgres::{PostgresOptions, PostgresStore};
use userpool_store::conformance::fixtures::{
    SECRET, client_with_secret, key_bytes, keyring, signing_key,
};
use userpool_store::seal::{self, SealError};
use userpool_store::{
    IdentityProviderRecord, OAuthStore, SealingStore, Store, StoreError, TokenStore, UserKey,
};

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
        .create_client(&client_with_secret(
            pool.id.clone(),
            "client-sealed",
            SECRET,
        ))
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
        .create_client(&client_with_secret(
            pool.id.clone(),
            "client-legacy",
            SECRET,
        ))
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

/// A distinctive identity-provider secret.
const PROVIDER_SECRET: &str = "idp-secret-xqzvkwjplmnbhgtrfdsa-xqzvkwjplmnbhgtrfdsa";

#[test]
fn spec_18_21_mfa_state_and_provider_secret_reach_the_database_only_sealed() {
    use userpool_core::mfa::{self, MfaMode, PoolMfaConfig};
    use userpool_core::testing::{insecure_fast_rules, seeded_entropy};

    let Some(url) = common::database_url("sealed MFA state and provider secret on PostgreSQL")
    else {
        return;
    };
    let (store, guard) = common::fresh_store(&url, PostgresOptions::default());
    let store = Arc::new(store);
    let sealed = SealingStore::new(store.clone(), keyring(1));
    let mut pool = common::pool("SealedMfa1");
    pool.mfa = PoolMfaConfig {
        mode: MfaMode::Optional,
        software_token: true,
        sms: false,
        sms_message: None,
    };
    sealed.create_pool(&pool).expect("pool");

    // SPEC §18: a verified TOTP secret.
    let mut rules = insecure_fast_rules(userpool_core::PasswordPolicy::default());
    rules.mfa = pool.mfa.clone();
    let mut rng = seeded_entropy(18);
    let mut ctx = userpool_core::Context::new(common::at(1_700_000_000_000), &mut rng);
    let (pending, secret) =
        mfa::associate_software_token(&common::user("totp", &[], 5), &rules, &mut ctx)
            .expect("associate");
    let code = secret.code_at(ctx.now).expect("code");
    let verified = mfa::verify_software_token(&pending, &code, &mut ctx).expect("verify");
    let plain = verified.mfa.clone().expect("an MFA state");
    // The encoding puts the verified secret right after version, flags and preference.
    let secret_bytes = plain.as_bytes()[3..3 + mfa::SECRET_LEN].to_vec();
    sealed.insert_user(&pool.id, &verified).expect("insert");
    let back = sealed
        .find_user(&pool.id, UserKey::Username("totp"))
        .expect("read")
        .expect("found");
    assert_eq!(
        back.mfa, verified.mfa,
        "the sealing store opens what it sealed"
    );
    let raw_user = store
        .find_user(&pool.id, UserKey::Username("totp"))
        .expect("raw")
        .expect("found");
    assert!(seal::is_sealed(raw_user.mfa.expect("stored").as_bytes()));

    // SPEC §21: an OIDC provider's client secret.
    let provider = IdentityProviderRecord {
        pool_id: pool.id.clone(),
        provider_name: "Corp".into(),
        provider_type: "OIDC".into(),
        provider_details: BTreeMap::from([
            ("client_id".to_owned(), "visible-client-id".to_owned()),
            ("client_secret".to_owned(), PROVIDER_SECRET.to_owned()),
        ]),
        attribute_mapping: BTreeMap::new(),
        idp_identifiers: vec!["corp.example".into()],
        created_at: DateTime::UNIX_EPOCH,
        modified_at: DateTime::UNIX_EPOCH,
        version: 0,
    };
    sealed.create_identity_provider(&provider).expect("create");
    let back = sealed
        .get_identity_provider(&pool.id, "Corp")
        .expect("get")
        .expect("found");
    assert_eq!(back.provider_details["client_secret"], PROVIDER_SECRET);

    // Underneath, in the tables: neither secret, though the rows are there.
    let schema = &guard.schema;
    let mut raw = common::raw(&url);
    let mut count = |sql: String, params: &[&(dyn postgres::types::ToSql + Sync)]| -> i64 {
        raw.query_one(&sql, params).expect("count").get(0)
    };
    let secret_slice = secret_bytes.as_slice();
    assert_eq!(
        count(
            format!("SELECT count(*) FROM {schema}.users WHERE mfa IS NOT NULL"),
            &[]
        ),
        1,
        "the check can fail: the MFA state is stored"
    );
    assert_eq!(
        count(
            format!("SELECT count(*) FROM {schema}.users WHERE position($1::bytea IN mfa) > 0"),
            &[&secret_slice]
        ),
        0,
        "the TOTP secret is in the users table"
    );
    assert_eq!(
        count(
            format!(
                "SELECT count(*) FROM {schema}.identity_providers WHERE $1 = ANY(detail_values)"
            ),
            &[&"visible-client-id"]
        ),
        1,
        "the check can fail: the other details are stored as given"
    );
    assert_eq!(
        count(
            format!(
                "SELECT count(*) FROM {schema}.identity_providers \
                 WHERE array_to_string(detail_values, ' ') LIKE '%' || $1 || '%'"
            ),
            &[&PROVIDER_SECRET]
        ),
        0,
        "the provider secret is in the identity_providers table"
    );
}
