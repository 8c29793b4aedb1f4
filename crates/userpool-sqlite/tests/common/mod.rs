//! Helpers shared by the integration tests: records, raw access to the file, and child
//! processes of the test binary itself.

#![allow(dead_code)] // each test file uses a different subset

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use chrono::{DateTime, TimeDelta, Utc};
use userpool::PoolRecord;
use userpool_core::testing::{epoch, seeded_entropy};
use userpool_core::{
    AliasAttribute, Context, HashParams, HistoryMode, PasswordPolicy, UserPoolId, UserRecord,
    Username, transitions,
};

/// The environment variable that turns an ignored `#[test]` into a child worker.
pub const WORKER_ENV: &str = "USERPOOL_SQLITE_WORKER";
/// The database file a child worker opens.
pub const DB_ENV: &str = "USERPOOL_SQLITE_DB";

/// `micros` after the test epoch.
pub fn at(micros: i64) -> DateTime<Utc> {
    epoch() + TimeDelta::microseconds(micros)
}

pub fn pool_id(suffix: &str) -> UserPoolId {
    UserPoolId::parse(&format!("eu-west-1_{suffix}")).expect("a valid pool id")
}

/// A pool with the insecure fast hasher and the given history size.
pub fn pool(suffix: &str, history_size: i64, aliases: &[AliasAttribute]) -> PoolRecord {
    PoolRecord {
        id: pool_id(suffix),
        name: format!("test pool {suffix}"),
        policy: PasswordPolicy::builder()
            .password_history_size(history_size)
            .build()
            .expect("a valid policy"),
        hash_params: HashParams::insecure_fast_for_tests(),
        history_mode: HistoryMode::PerEntrySalt,
        alias_attributes: aliases.to_vec(),
        username_attributes: Vec::new(),
        case_sensitive: true,
        created_at: at(1),
        modified_at: at(2),
        version: 1,
    }
}

/// A password-less user (EXTERNAL_PROVIDER) with attributes; `seed` picks its `sub`.
pub fn user(name: &str, attributes: &[(&str, &str)], seed: u64) -> UserRecord {
    let mut rng = seeded_entropy(seed);
    let mut ctx = Context::new(at(10), &mut rng);
    let attributes: BTreeMap<String, String> = attributes
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let (user, _) = transitions::external_provider_sign_in(
        Username::parse(name).expect("a valid username"),
        attributes,
        &mut ctx,
    )
    .expect("a new user");
    user
}

/// A raw connection to the file, bypassing the store (for pragmas and tampering).
pub fn raw(path: &Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(path).expect("a raw connection");
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .expect("busy timeout");
    conn
}

/// `PRAGMA integrity_check`'s rows ("ok" when healthy).
pub fn integrity_check(path: &Path) -> Vec<String> {
    let conn = raw(path);
    let mut stmt = conn.prepare("PRAGMA integrity_check").expect("prepare");
    stmt.query_map([], |r| r.get::<_, String>(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

/// Runs the ignored test `name` of this very test binary as a child process, with
/// [`WORKER_ENV`] set to `role` and [`DB_ENV`] to `db`; its stdout is piped.
pub fn spawn_worker(name: &str, role: &str, db: &Path, extra: &[(&str, String)]) -> Child {
    let exe = std::env::current_exe().expect("the test binary");
    let mut command = Command::new(exe);
    command
        .args([
            name,
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(WORKER_ENV, role)
        .env(DB_ENV, db)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    for (key, value) in extra {
        command.env(key, value);
    }
    command.spawn().expect("spawn a worker process")
}

/// The worker's role and database, when this process is a worker for `role`.
pub fn worker_role(role: &str) -> Option<std::path::PathBuf> {
    match std::env::var(WORKER_ENV) {
        Ok(r) if r == role => Some(std::env::var_os(DB_ENV).expect("DB_ENV is set").into()),
        _ => None,
    }
}

/// Every file of the database (main, WAL, shared memory) that exists, with its bytes.
pub fn database_files(path: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        if let Ok(bytes) = std::fs::read(&name) {
            out.push((name.to_string_lossy().into_owned(), bytes));
        }
    }
    out
}

/// Whether `needle` occurs in `haystack`.
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
