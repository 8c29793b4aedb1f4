//! What the PostgreSQL tests share: the database they run against, a fresh schema per
//! case, and the rule for when there is none.
//!
//! The tests run against the PostgreSQL named by `USERPOOL_TEST_DATABASE_URL`; `.ci/postgres
//! run CMD` starts a throw-away one and sets it (`.ci/run` does). Without it, a test says
//! loudly that it was skipped and passes, except under CI (`CI=true`), where it fails.

#![allow(dead_code)] // each test file uses a different subset

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use userpool_postgres::{PostgresOptions, PostgresStore};
use userpool_store::conformance::Harness;

/// The environment variable naming the test database.
pub const URL_ENV: &str = "USERPOOL_TEST_DATABASE_URL";

/// The test database's URL, or `None` (after saying so on stderr) when there is none
/// outside CI.
///
/// # Panics
/// Under CI (`CI=true`) without a database: the tests must run there.
pub fn database_url(test: &str) -> Option<String> {
    match std::env::var(URL_ENV) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
            assert!(
                !ci,
                "{test}: {URL_ENV} is not set under CI; the PostgreSQL tests must run \
                 (.ci/run starts a database with .ci/postgres)"
            );
            // Straight to the process's stderr, past the test harness's capture: a skip
            // must be seen even when the test passes.
            let _ = writeln!(
                std::io::stderr(),
                "\n*** SKIPPED {test}: no PostgreSQL ({URL_ENV} is not set). Run \
                 `.ci/postgres run cargo test -p userpool-postgres` to run it. ***\n"
            );
            None
        }
    }
}

/// A schema name no other test, process or earlier run uses.
pub fn fresh_schema(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "{prefix}_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A direct connection to the test database, bypassing the store (for setup, checks and
/// tampering).
pub fn raw(url: &str) -> postgres::Client {
    postgres::Client::connect(url, postgres::NoTls).expect("a raw connection to the test database")
}

/// Drops its schema, with everything in it, when dropped.
pub struct SchemaGuard {
    pub url: String,
    pub schema: String,
}

impl Drop for SchemaGuard {
    fn drop(&mut self) {
        if let Ok(mut client) = postgres::Client::connect(&self.url, postgres::NoTls) {
            let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema));
        }
    }
}

/// Opens a store in a fresh schema, with the guard that drops it.
pub fn fresh_store(url: &str, options: PostgresOptions) -> (PostgresStore, SchemaGuard) {
    let schema = fresh_schema("t");
    let store = PostgresStore::open_with(url, &options.schema(schema.clone()))
        .expect("open a store in a fresh schema");
    (
        store,
        SchemaGuard {
            url: url.to_owned(),
            schema,
        },
    )
}

/// The conformance kit's harness: every case in a fresh schema of the test database.
pub struct Pg {
    pub url: String,
}

impl Harness for Pg {
    type Store = PostgresStore;
    type Guard = SchemaGuard;
    fn make(&self) -> (PostgresStore, SchemaGuard) {
        fresh_store(&self.url, PostgresOptions::default().pool_size(4))
    }
}
