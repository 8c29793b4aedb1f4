//! SPEC §6: an unknown user costs what a known one costs. A wrong password for a real user
//! commits its lockout count (one durable write, an fsync at `synchronous=FULL`), so an
//! unknown user's sign-in must commit a write too, or timing tells which usernames exist.
//! Time is not asserted (the benches measure it); the commit itself is, through
//! `PRAGMA data_version`, which changes for a connection whenever another one commits.

mod common;

use std::sync::Arc;

use common::raw;
use userpool_core::{HashParams, PasswordPolicy};
use userpool_sqlite::SqliteStore;
use userpool_store::{Caller, ClientSettings, PoolSettings, UserPools};

fn data_version(conn: &rusqlite::Connection) -> i64 {
    conn.pragma_query_value(None, "data_version", |r| r.get(0))
        .expect("data_version")
}

#[test]
fn unknown_user_sign_in_commits_a_write_like_a_wrong_password_does() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("parity.db");
    let store = Arc::new(SqliteStore::open(&path).expect("open"));
    let pools = UserPools::new(Arc::clone(&store));
    let admin = Caller::new("arn:aws:iam::123456789012:user/admin");
    let settings = PoolSettings {
        policy: PasswordPolicy::default(),
        hash_params: HashParams::new(1024, 1, 1).expect("params"),
        ..PoolSettings::default()
    };
    let pool = pools
        .create_user_pool(&admin, "parity", settings)
        .expect("create_user_pool");
    let client = pools
        .create_user_pool_client(
            &admin,
            pool.id.as_str(),
            "web",
            ClientSettings {
                explicit_auth_flows: vec!["ALLOW_USER_PASSWORD_AUTH".into()],
                ..ClientSettings::default()
            },
        )
        .expect("client");
    pools
        .admin_create_user(
            &admin,
            pool.id.as_str(),
            "sam",
            Some("Temp-Pass-1!"),
            &[],
            None,
        )
        .expect("admin_create_user");
    let observer = raw(&path);
    let sign_in = |username: &str| {
        pools
            .initiate_auth(
                &client.client_id,
                "USER_PASSWORD_AUTH",
                username,
                "Wrong-Guess-1!",
            )
            .expect_err("refused")
    };

    let before = data_version(&observer);
    let wrong = sign_in("sam");
    assert_eq!(wrong.code(), "NotAuthorizedException");
    let after_wrong = data_version(&observer);
    assert_ne!(
        before, after_wrong,
        "a wrong password commits its lockout count"
    );

    let unknown = sign_in("nobody");
    assert_eq!(unknown.code(), "UserNotFoundException");
    assert_ne!(
        after_wrong,
        data_version(&observer),
        "an unknown user commits a write of the same kind"
    );
}
