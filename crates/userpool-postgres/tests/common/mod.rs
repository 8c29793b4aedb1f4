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

/// The version the schema `schema` records in its `userpool_schema` table.
pub fn schema_version(raw: &mut postgres::Client, schema: &str) -> i64 {
    raw.query_one(
        &format!("SELECT version FROM {schema}.userpool_schema"),
        &[],
    )
    .expect("version")
    .get(0)
}

/// Drops its schema, with everything in it, when dropped.
pub struct SchemaGuard {
    pub url: String,
    pub schema: String,
}

impl SchemaGuard {
    /// A guard for a fresh schema name (see [`fresh_schema`]) in the database at `url`.
    pub fn fresh(url: &str, prefix: &str) -> SchemaGuard {
        SchemaGuard {
            url: url.to_owned(),
            schema: fresh_schema(prefix),
        }
    }
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
    let guard = SchemaGuard::fresh(url, "t");
    let store = PostgresStore::open_with(url, &options.schema(guard.schema.clone()))
        .expect("open a store in a fresh schema");
    (store, guard)
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

/// The throw-away cluster script of the repository.
const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../.ci/postgres");

/// A PostgreSQL cluster of one test's own (for tests that stop or reconfigure the server,
/// which must not disturb the shared test database), removed when dropped.
pub struct PrivateCluster {
    pub dir: std::path::PathBuf,
    pub url: String,
}

impl PrivateCluster {
    /// Starts one, when the machine can (the same rule as [`database_url`]: where the
    /// shared test database was started, this one can be too).
    pub fn start(test: &str) -> Option<PrivateCluster> {
        database_url(test)?;
        let dir = std::env::temp_dir().join(fresh_schema("userpool-pg-private"));
        let out = std::process::Command::new(SCRIPT)
            .arg("start")
            .arg(&dir)
            .output()
            .expect("run .ci/postgres start");
        assert!(
            out.status.success(),
            "start a private cluster: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let url = String::from_utf8(out.stdout)
            .expect("a URL")
            .trim()
            .to_owned();
        Some(PrivateCluster { dir, url })
    }

    fn script(&self, command: &str, env: &[(&str, &str)]) {
        let mut cmd = std::process::Command::new(SCRIPT);
        cmd.arg(command).arg(&self.dir);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("run .ci/postgres");
        assert!(
            out.status.success(),
            ".ci/postgres {command}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Stops the server as a crash would (`pg_ctl stop -m immediate`), keeping its data.
    pub fn crash(&self) {
        self.script("down", &[("PG_STOP_MODE", "immediate")]);
    }

    /// Stops the server cleanly, keeping its data.
    pub fn down(&self) {
        self.script("down", &[]);
    }

    /// Starts the server again, with extra server options (`-c name=value ...`).
    pub fn up_with(&self, options: &str) {
        self.script("up", &[("PG_EXTRA_OPTIONS", options)]);
    }

    /// Starts the server again.
    pub fn up(&self) {
        self.up_with("");
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        let _ = std::process::Command::new(SCRIPT)
            .arg("stop")
            .arg(&self.dir)
            .output();
    }
}

/// `url` with another password (the URL form `.ci/postgres` prints).
pub fn with_password(url: &str, password: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL");
    let (userinfo, host) = rest.split_once('@').expect("a URL with credentials");
    let user = userinfo.split(':').next().expect("a user");
    format!("{scheme}://{user}:{password}@{host}")
}

/// `micros` after the test epoch.
pub fn at(micros: i64) -> chrono::DateTime<chrono::Utc> {
    userpool_core::testing::epoch() + chrono::TimeDelta::microseconds(micros)
}

/// A pool with the insecure fast hasher.
pub fn pool(suffix: &str) -> userpool_store::PoolRecord {
    userpool_store::PoolRecord {
        id: userpool_core::UserPoolId::parse(&format!("eu-west-1_{suffix}"))
            .expect("a valid pool id"),
        name: format!("test pool {suffix}"),
        policy: userpool_core::PasswordPolicy::default(),
        hash_params: userpool_core::HashParams::insecure_fast_for_tests(),
        history_mode: userpool_core::HistoryMode::PerEntrySalt,
        alias_attributes: vec![userpool_core::AliasAttribute::Email],
        username_attributes: Vec::new(),
        case_sensitive: false,
        mfa: userpool_core::mfa::PoolMfaConfig::default(),
        schema: userpool_core::Schema::standard(),
        settings: userpool_core::PoolSettings::default(),
        created_at: at(1),
        modified_at: at(2),
        version: 1,
    }
}

/// A password-less user (EXTERNAL_PROVIDER) with attributes; `seed` picks its `sub`.
pub fn user(name: &str, attributes: &[(&str, &str)], seed: u64) -> userpool_core::UserRecord {
    let mut rng = userpool_core::testing::seeded_entropy(seed);
    let mut ctx = userpool_core::Context::new(at(10), &mut rng);
    let attributes = attributes
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let (user, _) = userpool_core::transitions::external_provider_sign_in(
        userpool_core::Username::parse(name).expect("a valid username"),
        attributes,
        &mut ctx,
    )
    .expect("a new user");
    user
}
