//! Rows this crate would never write (edited by hand, damaged, from a buggy tool) come back
//! as `StoreError::Backend` naming the column — never a panic, never the stored value.

mod common;

use common::{pool, raw, user};
use userpool::{Store, StoreError, TokenStore, UserKey};
use userpool_core::testing::{epoch, insecure_fast_rules, seeded_entropy};
use userpool_core::{Context, Password, transitions};
use userpool_sqlite::SqliteStore;

/// A store with one pool and one user who has a password; returns the directory too.
fn setup() -> (tempfile::TempDir, std::path::PathBuf, SqliteStore) {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("corrupt.db");
    let store = SqliteStore::open(&path).expect("open");
    let p = pool("Bad1", 0, &[]);
    store.create_pool(&p).expect("create_pool");
    let rules = insecure_fast_rules(p.policy.clone());
    let mut rng = seeded_entropy(1);
    let mut ctx = Context::new(epoch(), &mut rng);
    let (u, _) = transitions::admin_set_user_password(
        &user("victim", &[], 2),
        &Password::parse("Victim-Passw0rd!").expect("password"),
        true,
        &rules,
        &mut ctx,
    )
    .expect("set password");
    store.insert_user(&p.id, &u).expect("insert_user");
    (dir, path, store)
}

/// Applies `sql` behind the store's back and returns what `find_user` says.
fn find_after(sql: &str) -> Result<Option<userpool_core::UserRecord>, StoreError> {
    let (_dir, path, store) = setup();
    raw(&path).execute_batch(sql).expect("tamper");
    store.find_user(&common::pool_id("Bad1"), UserKey::Username("victim"))
}

#[track_caller]
fn assert_backend(result: Result<Option<userpool_core::UserRecord>, StoreError>, column: &str) {
    match result {
        Err(StoreError::Backend(message)) => {
            assert!(message.contains(column), "{message} should name {column}");
        }
        other => panic!("expected Backend naming {column}, got {other:?}"),
    }
}

#[test]
fn unknown_status_is_a_backend_error() {
    assert_backend(
        find_after("UPDATE users SET status = 'SUSPENDED'"),
        "users.status",
    );
}

#[test]
fn malformed_credential_hash_is_a_backend_error_without_the_value() {
    let result =
        find_after("UPDATE users SET credential_hash = '$argon2id$v=19$not-a-real-hash-SECRETISH'");
    if let Err(StoreError::Backend(message)) = &result {
        assert!(
            !message.contains("SECRETISH"),
            "the stored value leaked: {message}"
        );
    }
    assert_backend(result, "users.credential_hash");
}

#[test]
fn malformed_history_entry_is_a_backend_error() {
    assert_backend(
        find_after(
            "INSERT INTO password_history (user_id, position, hash) \
             SELECT id, 0, 'md5:5f4dcc3b5aa765d61d8327deb882cf99' FROM users",
        ),
        "password_history.hash",
    );
}

#[test]
fn malformed_code_digest_is_a_backend_error() {
    assert_backend(
        find_after(
            "UPDATE users SET code_purpose = 'PASSWORD_RESET', code_digest = '123456', \
             code_expires_at = 0, code_failed_attempts = 0",
        ),
        "users.code_digest",
    );
}

#[test]
fn time_out_of_range_is_a_backend_error() {
    assert_backend(
        find_after("UPDATE users SET modified_at = 9223372036854775807"),
        "users.modified_at",
    );
}

#[test]
fn negative_counter_is_a_backend_error() {
    assert_backend(
        find_after(
            "UPDATE users SET code_purpose = 'SIGN_UP', \
             code_digest = 'AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', \
             code_expires_at = 0, code_failed_attempts = -1",
        ),
        "users.code_failed_attempts",
    );
}

// SPEC §12: a code throttle that cannot be read is a typed error naming its column, never
// a panic and never an empty throttle (that would hand an attacker fresh guesses).
#[test]
fn malformed_code_throttle_is_a_backend_error() {
    let too_many = vec!["1"; userpool_core::CodeThrottle::MAX_TRACKED + 1].join(",");
    let huge = "9".repeat(100_000);
    for (column, value) in [
        ("sign_up_code_failures", "12,abc"),
        ("sign_up_codes_issued", "1,,2"),
        ("reset_code_failures", "9223372036854775807"),
        ("reset_codes_issued", too_many.as_str()),
        ("reset_code_failures", huge.as_str()),
        ("reset_code_failures", " 5"),
    ] {
        assert_backend(
            find_after(&format!("UPDATE users SET {column} = '{value}'")),
            &format!("users.{column}"),
        );
    }
}

#[test]
fn invalid_username_is_a_backend_error() {
    assert_backend(
        find_after("UPDATE users SET username = 'has space'"),
        "users.username",
    );
}

#[test]
fn pool_with_out_of_range_policy_is_a_backend_error() {
    let (_dir, path, store) = setup();
    raw(&path)
        .execute_batch("UPDATE pools SET minimum_length = 3")
        .expect("tamper");
    let result = store.get_pool(&common::pool_id("Bad1"));
    assert!(
        matches!(&result, Err(StoreError::Backend(m)) if m.contains("policy")),
        "{result:?}"
    );
    // Every user operation needs the pool, so it reports the same instead of guessing.
    let lookup = store.find_user(&common::pool_id("Bad1"), UserKey::Username("victim"));
    assert!(matches!(lookup, Err(StoreError::Backend(_))), "{lookup:?}");
}

#[test]
fn the_schema_refuses_a_half_written_credential() {
    let (_dir, path, _store) = setup();
    let refused = raw(&path).execute_batch("UPDATE users SET credential_kind = NULL");
    assert!(
        refused.is_err(),
        "CHECK constraints keep the credential whole"
    );
    let refused = raw(&path).execute_batch("UPDATE users SET credential_kind = 'TEMPORARY'");
    assert!(refused.is_err(), "a temporary credential needs its expiry");
}

/// A token session or signing key row this crate would not write is a `Backend` error
/// naming the column, never the value, never a panic.
#[test]
fn corrupt_token_rows_are_backend_errors_naming_the_column() {
    let (_dir, path, store) = setup();
    let id = common::pool_id("Bad1");
    let victim = store
        .find_user(&id, UserKey::Username("victim"))
        .expect("find_user")
        .expect("victim");
    let session = userpool::TokenSession {
        pool_id: id.clone(),
        origin_jti: uuid::Uuid::from_u128(1),
        sub: victim.sub,
        client_id: "c".into(),
        refresh_digest: [7; 32],
        issued_at: epoch(),
        expires_at: epoch(),
        revoked: false,
        scopes: Vec::new(),
    };
    store.insert_token_session(&session).expect("insert");
    let key = userpool::SigningKey {
        kid: "kid".into(),
        private_der: zeroize::Zeroizing::new(b"PRIVATE-KEY-BYTES".to_vec()),
        created_at: epoch(),
    };
    store.insert_signing_key(&id, &key).expect("insert key");
    raw(&path)
        .execute_batch(
            "UPDATE token_sessions SET origin_jti = 'not-a-uuid-secretish'; \
             UPDATE signing_keys SET created_at = 9223372036854775807;",
        )
        .expect("tamper");
    for (result, column) in [
        (
            store.find_token_session_by_refresh(&id, &[7; 32]).map(drop),
            "token_sessions.origin_jti",
        ),
        (store.signing_key(&id).map(drop), "signing_keys.created_at"),
    ] {
        match result {
            Err(StoreError::Backend(message)) => {
                assert!(message.contains(column), "{message} should name {column}");
                assert!(!message.contains("secretish"), "{message}");
                assert!(!message.contains("PRIVATE-KEY"), "{message}");
            }
            other => panic!("expected Backend naming {column}, got {other:?}"),
        }
    }
}

#[test]
fn corrupt_group_rows_are_backend_errors_naming_the_column() {
    let (_dir, path, store) = setup();
    let id = common::pool_id("Bad1");
    let group = userpool::GroupRecord {
        pool_id: id.clone(),
        name: "staff".into(),
        description: None,
        precedence: Some(1),
        role_arn: None,
        created_at: epoch(),
        modified_at: epoch(),
        version: 0,
    };
    store.create_group(&group).expect("create_group");
    raw(&path)
        .execute_batch("UPDATE pool_groups SET created_at = 9223372036854775807")
        .expect("tamper");
    match store.get_group(&id, "staff") {
        Err(StoreError::Backend(message)) => {
            assert!(message.contains("pool_groups.created_at"), "{message}");
        }
        other => panic!("expected Backend, got {other:?}"),
    }
    match store.list_groups(&id, None, 10) {
        Err(StoreError::Backend(message)) => {
            assert!(message.contains("pool_groups.created_at"), "{message}");
        }
        other => panic!("expected Backend, got {other:?}"),
    }
}

/// Applies `sql` behind the store's back and returns what `get_pool` says.
fn pool_after(sql: &str) -> Result<Option<userpool_store::PoolRecord>, StoreError> {
    let (_dir, path, store) = setup();
    raw(&path).execute_batch(sql).expect("tamper");
    store.get_pool(&common::pool_id("Bad1"))
}

#[track_caller]
fn assert_pool_backend(
    result: Result<Option<userpool_store::PoolRecord>, StoreError>,
    column: &str,
) {
    match result {
        Err(StoreError::Backend(message)) => {
            assert!(message.contains(column), "{message} should name {column}");
        }
        other => panic!("expected Backend naming {column}, got {other:?}"),
    }
}

#[test]
fn a_schema_that_is_not_json_or_not_a_valid_schema_is_a_backend_error() {
    assert_pool_backend(
        pool_after("UPDATE pools SET attribute_schema = 'not json'"),
        "pools.attribute_schema",
    );
    // Valid JSON, but a schema without the standard attributes could never be created.
    assert_pool_backend(
        pool_after("UPDATE pools SET attribute_schema = '[]'"),
        "pools.attribute_schema",
    );
}

#[test]
fn settings_that_are_not_json_are_a_backend_error() {
    assert_pool_backend(
        pool_after("UPDATE pools SET settings = '{\"auto_verified_attributes\": [\"Nickname\"]}'"),
        "pools.settings",
    );
}
