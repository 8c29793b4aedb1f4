//! SPEC §6: an unknown user costs what a known one costs. A wrong password for a real user
//! commits its lockout count (one durable write, an fsync at `synchronous=FULL`), so an
//! unknown user's sign-in must commit a write too, or timing tells which usernames exist.
//! Time is not asserted (the benches measure it); the commit itself is, through
//! `PRAGMA data_version`, which changes for a connection whenever another one commits.

mod common;

use std::sync::Arc;

use common::raw;
use userpool::{Caller, ClientSettings, PoolSettings, UserPools};
use userpool_core::{HashParams, PasswordPolicy};
use userpool_sqlite::SqliteStore;

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

const CHILDREN: [&str; 3] = ["user_attributes", "password_history", "aliases"];

/// Triggers that log every row deleted from or inserted into a child table (the tables are
/// WITHOUT ROWID, so a rewrite cannot be seen any other way); the test's own schema, not
/// the store's.
fn log_child_writes(conn: &rusqlite::Connection) {
    conn.execute_batch("CREATE TABLE test_child_writes (tbl TEXT NOT NULL)")
        .expect("log table");
    for table in CHILDREN {
        for event in ["DELETE", "INSERT"] {
            conn.execute_batch(&format!(
                "CREATE TRIGGER test_log_{event}_{table} AFTER {event} ON {table} \
                 BEGIN INSERT INTO test_child_writes VALUES ('{table}'); END"
            ))
            .expect("trigger");
        }
    }
}

/// Rows deleted or inserted per child table since the last call.
fn rewritten(conn: &rusqlite::Connection) -> [i64; 3] {
    let counts = CHILDREN.map(|table| {
        conn.query_row(
            "SELECT count(*) FROM test_child_writes WHERE tbl = ?1",
            [table],
            |r| r.get(0),
        )
        .expect("count")
    });
    conn.execute("DELETE FROM test_child_writes", [])
        .expect("reset");
    counts
}

// SPEC §6 (and the cost of every write): an update rewrites a child table only when its rows
// changed. A wrong password's write (lockout bookkeeping) then costs one users-row update, as
// `decoy_write` does, instead of rewriting attributes, history and aliases as well.
#[test]
fn an_update_rewrites_only_the_child_rows_that_changed() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("children.db");
    let pools = UserPools::new(Arc::new(SqliteStore::open(&path).expect("open")));
    let admin = Caller::new("arn:aws:iam::123456789012:user/admin");
    let mut policy = PasswordPolicy::builder();
    policy = policy.password_history_size(3);
    let settings = PoolSettings {
        policy: policy.build().expect("policy"),
        hash_params: HashParams::new(1024, 1, 1).expect("params"),
        alias_attributes: vec![userpool_core::AliasAttribute::Email],
        ..PoolSettings::default()
    };
    let pool = pools
        .create_user_pool(&admin, "children", settings)
        .expect("create_user_pool");
    let pool = pool.id.as_str();
    let client = pools
        .create_user_pool_client(
            &admin,
            pool,
            "web",
            ClientSettings {
                explicit_auth_flows: vec!["ALLOW_USER_PASSWORD_AUTH".into()],
                ..ClientSettings::default()
            },
        )
        .expect("client");
    let attributes = [("email", "sam@example.com"), ("email_verified", "true")];
    pools
        .admin_create_user(&admin, pool, "sam", Some("Temp-Pass-1!"), &attributes, None)
        .expect("admin_create_user");
    pools
        .admin_set_user_password(&admin, pool, "sam", "First-Pass-1!", Some(true))
        .expect("set");
    let observer = raw(&path);
    log_child_writes(&observer);

    // A wrong password: only the users row changes.
    let wrong = pools
        .initiate_auth(
            &client.client_id,
            "USER_PASSWORD_AUTH",
            "sam",
            "Wrong-Guess-1!",
        )
        .expect_err("refused");
    assert_eq!(wrong.code(), "NotAuthorizedException");
    assert_eq!(rewritten(&observer), [0, 0, 0]);

    // A new password: the history is rewritten, attributes and aliases are not.
    pools
        .admin_set_user_password(&admin, pool, "sam", "Second-Pass-2!", Some(true))
        .expect("set");
    let [attributes, history, aliases] = rewritten(&observer);
    assert_eq!((attributes, aliases), (0, 0));
    assert!(history > 0);

    // A new email: attributes and aliases are rewritten, and the alias finds the user.
    pools
        .admin_update_user_attributes(
            &admin,
            pool,
            "sam",
            &[("email", "sam@example.org"), ("email_verified", "true")],
        )
        .expect("update");
    let [attributes, history, aliases] = rewritten(&observer);
    assert!(attributes > 0 && aliases > 0);
    assert_eq!(history, 0);
    let found = pools
        .admin_get_user(&admin, pool, "sam@example.org")
        .expect("found by the new email");
    assert_eq!(found.username, "sam");
    assert_eq!(
        pools
            .admin_get_user(&admin, pool, "sam@example.com")
            .expect_err("old email")
            .code(),
        "UserNotFoundException"
    );
}
