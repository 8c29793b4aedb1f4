//! SPEC §20, bad input and faults at the store level: wrong credentials, an unreachable
//! server, a malformed URL, a schema from a newer version or of another application,
//! instances migrating at once, and a database that goes away and comes back.

mod common;

use std::sync::Barrier;
use std::time::{Duration, Instant};

use userpool_postgres::{Error, PostgresOptions, PostgresStore, schema};
use userpool_store::{OAuthStore, Store, StoreError, UserKey};

fn options() -> PostgresOptions {
    PostgresOptions::default().schema(common::fresh_schema("t"))
}

#[test]
fn wrong_password_is_an_authentication_error_that_shows_no_password() {
    let Some(url) = common::database_url("wrong password") else {
        return;
    };
    let bad = common::with_password(&url, "not-the-password-4711");
    let err = PostgresStore::open_with(&bad, &options()).expect_err("a wrong password is refused");
    assert!(matches!(err, Error::Authentication(_)), "{err:?}");
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("4711"), "the password leaks: {shown}");
    assert!(
        !shown.contains("userpool-test-only"),
        "the real password leaks: {shown}"
    );
}

#[test]
fn unreachable_server_is_a_typed_error() {
    if common::database_url("unreachable server").is_none() {
        return;
    }
    let url = "postgres://userpool:pw@%2Fnonexistent-userpool-socket-dir/postgres";
    let started = Instant::now();
    let err = PostgresStore::open_with(url, &options()).expect_err("nothing listens there");
    assert!(matches!(err, Error::Unreachable(_)), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn malformed_url_is_refused_without_repeating_it() {
    for url in [
        "postgres://userpool:sekrit-9931@localhost:notaport/db",
        "user=userpool password=sekrit-9931 port=notaport",
        "mysql://userpool:sekrit-9931@localhost/db",
    ] {
        let err = PostgresStore::open_with(url, &options()).expect_err("malformed");
        assert!(matches!(err, Error::InvalidUrl(_)), "{url}: {err:?}");
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("sekrit"), "the password leaks: {shown}");
    }
}

#[test]
fn schema_name_that_is_not_a_plain_identifier_is_refused() {
    let Some(url) = common::database_url("invalid schema name") else {
        return;
    };
    for name in [
        "",
        "1abc",
        "a-b",
        "x; DROP SCHEMA public",
        &"s".repeat(64),
        "é",
    ] {
        let err = PostgresStore::open_with(&url, &PostgresOptions::default().schema(name))
            .expect_err("not a plain identifier");
        assert!(matches!(err, Error::InvalidSchema(_)), "{name:?}: {err:?}");
    }
}

#[test]
fn newer_schema_is_refused_and_left_untouched() {
    let Some(url) = common::database_url("newer schema") else {
        return;
    };
    let (store, guard) = common::fresh_store(&url, PostgresOptions::default());
    drop(store);
    let mut raw = common::raw(&url);
    let newer = schema::VERSION + 1;
    raw.execute(
        &format!("UPDATE {}.userpool_schema SET version = $1", guard.schema),
        &[&newer],
    )
    .expect("pretend a newer version migrated");
    let err = PostgresStore::open_with(&url, &PostgresOptions::default().schema(&guard.schema))
        .expect_err("a newer schema is refused");
    assert!(
        matches!(err, Error::NewerSchema { found, supported } if found == newer && supported == schema::VERSION),
        "{err:?}"
    );
    let version = common::schema_version(&mut raw, &guard.schema);
    assert_eq!(version, newer, "the refused schema was not written");
}

#[test]
fn foreign_schema_is_refused_and_left_untouched() {
    let Some(url) = common::database_url("foreign schema") else {
        return;
    };
    let guard = common::SchemaGuard::fresh(&url, "foreign");
    let mut raw = common::raw(&url);
    raw.batch_execute(&format!(
        "CREATE SCHEMA {0}; CREATE TABLE {0}.accounts (id INTEGER); \
         INSERT INTO {0}.accounts VALUES (7);",
        guard.schema
    ))
    .expect("another application's schema");
    let err = PostgresStore::open_with(&url, &PostgresOptions::default().schema(&guard.schema))
        .expect_err("another application's schema is refused");
    assert!(matches!(err, Error::ForeignDatabase { .. }), "{err:?}");
    let tables: Vec<String> = raw
        .query(
            "SELECT tablename::text FROM pg_tables WHERE schemaname = $1",
            &[&guard.schema],
        )
        .expect("tables")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(tables, ["accounts"], "nothing was created in it");
}

#[test]
fn instances_starting_together_migrate_once_and_share_the_data() {
    let Some(url) = common::database_url("concurrent migrations") else {
        return;
    };
    let guard = common::SchemaGuard::fresh(&url, "together");
    const INSTANCES: usize = 6;
    let barrier = Barrier::new(INSTANCES);
    let stores: Vec<PostgresStore> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..INSTANCES)
            .map(|_| {
                scope.spawn(|| {
                    barrier.wait();
                    PostgresStore::open_with(
                        &url,
                        &PostgresOptions::default()
                            .pool_size(1)
                            .schema(&guard.schema),
                    )
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("no panic").expect("every instance opens"))
            .collect()
    });
    let mut raw = common::raw(&url);
    let version = common::schema_version(&mut raw, &guard.schema);
    assert_eq!(version, schema::VERSION);
    let pool = common::pool("Together1");
    stores[0].create_pool(&pool).expect("create through one");
    for store in &stores[1..] {
        assert_eq!(
            store.get_pool(&pool.id).expect("read").map(|p| p.name),
            Some(pool.name.clone()),
            "every instance sees one database"
        );
    }
}

#[test]
fn a_database_that_goes_away_fails_with_backend_errors_and_loses_nothing_acknowledged() {
    let Some(cluster) = common::PrivateCluster::start("database restart") else {
        return;
    };
    let store = PostgresStore::open_with(
        &cluster.url,
        &PostgresOptions::default()
            .pool_size(2)
            .checkout_timeout(Duration::from_secs(2))
            .connect_timeout(Duration::from_secs(2)),
    )
    .expect("open");
    let pool = common::pool("Restart1");
    store.create_pool(&pool).expect("pool");
    let mut user = common::user("alice", &[("email", "alice@example.com")], 1);
    user.version = store.insert_user(&pool.id, &user).expect("insert");
    for i in 0..5 {
        user.attributes.insert("custom:n".into(), i.to_string());
        user.version = store.update_user(&pool.id, &user).expect("acknowledged");
    }

    // A crash: no shutdown checkpoint; only what was committed (and flushed) survives.
    cluster.crash();
    let started = Instant::now();
    let read = store.find_user(&pool.id, UserKey::Username("alice"));
    assert!(matches!(read, Err(StoreError::Backend(_))), "{read:?}");
    let mut attempt = user.clone();
    attempt.attributes.insert("custom:n".into(), "lost".into());
    let write = store.update_user(&pool.id, &attempt);
    assert!(matches!(write, Err(StoreError::Backend(_))), "{write:?}");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "failures come within the timeouts, took {:?}",
        started.elapsed()
    );

    cluster.up();
    let back = store
        .find_user(&pool.id, UserKey::Username("alice"))
        .expect("the first request after the restart succeeds")
        .expect("the user is there");
    assert_eq!(back.version, 6, "every acknowledged update survived");
    assert_eq!(
        back.attributes.get("custom:n").map(String::as_str),
        Some("4")
    );
    user.attributes.insert("custom:n".into(), "after".into());
    assert_eq!(store.update_user(&pool.id, &user).expect("writes again"), 7);

    // A clean restart between two requests: the pooled connections are dead, and the
    // next request runs again on a fresh one without the caller seeing it.
    cluster.down();
    cluster.up();
    let again = store
        .find_user(&pool.id, UserKey::Sub(user.sub))
        .expect("served after a restart");
    assert_eq!(again.map(|u| u.version), Some(7));
}

#[test]
fn a_version_1_schema_with_data_migrates_forward_and_keeps_it() {
    let Some(url) = common::database_url("migration from version 1") else {
        return;
    };
    let guard = common::SchemaGuard::fresh(&url, "upgrade");
    // A schema as the first release of this crate left it: migration 1 only, with a pool
    // and an app client written before MFA, schemas, settings and OAuth existed.
    let old = common::pool("upgrade");
    let mut raw = common::raw(&url);
    raw.batch_execute(&format!(
        "CREATE SCHEMA {0}; SET search_path TO {0}; {1} \
         UPDATE userpool_schema SET version = 1;",
        guard.schema,
        schema::MIGRATIONS[0].sql
    ))
    .expect("a version-1 schema");
    let (m, t, p) = (
        i64::from(old.hash_params.m_kib()),
        i64::from(old.hash_params.t()),
        i64::from(old.hash_params.p()),
    );
    raw.execute(
        "INSERT INTO pools VALUES ($1, 'old pool', 8, TRUE, TRUE, TRUE, TRUE, 0, 7, NULL, \
         FALSE, FALSE, NULL, $2, $3, $4, 'PER_ENTRY_SALT', 'email', '', FALSE, 1, 2, 1)",
        &[&old.id.as_str(), &m, &t, &p],
    )
    .expect("a version-1 pool");
    raw.execute(
        "INSERT INTO clients VALUES ('oldclient', $1, 'web', NULL, \
         ARRAY['ALLOW_REFRESH_TOKEN_AUTH'], TRUE, 3)",
        &[&old.id.as_str()],
    )
    .expect("a version-1 client");

    let store = PostgresStore::open_with(&url, &PostgresOptions::default().schema(&guard.schema))
        .expect("a version-1 schema is migrated");
    let version = common::schema_version(&mut raw, &guard.schema);
    assert_eq!(version, schema::VERSION);
    let pool = store
        .get_pool(&old.id)
        .expect("get_pool")
        .expect("the old pool is kept");
    assert_eq!(pool.name, "old pool");
    assert_eq!(pool.mfa, userpool_core::mfa::PoolMfaConfig::default());
    assert_eq!(pool.schema, userpool_core::Schema::standard());
    assert_eq!(pool.settings, userpool_core::PoolSettings::default());
    let client = store
        .find_client("oldclient")
        .expect("find_client")
        .expect("the old client is kept");
    assert_eq!(client.explicit_auth_flows, ["ALLOW_REFRESH_TOKEN_AUTH"]);
    assert!(client.prevent_user_existence_errors);
    assert_eq!(client.oauth, userpool_store::ClientOAuth::default());
    assert_eq!(
        store.domain_of_pool(&old.id).expect("the new tables exist"),
        None
    );
}
