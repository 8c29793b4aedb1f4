//! Several `SqliteStore` handles on one file — in threads of this process and in separate
//! processes — doing compare-and-swap increments: none is lost.
//!
//! The child processes are this test binary itself, running the ignored test
//! `increment_worker` with an environment variable that makes it a worker.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;

use common::{pool, spawn_worker, user, worker_role};
use userpool::{Store, StoreError, TokenStore, UserKey};
use userpool_core::UserPoolId;
use userpool_sqlite::SqliteStore;

const COUNTER: &str = "custom:count";

/// Adds one to the user's counter with read, modify, compare-and-swap, retrying on conflict.
/// Returns how many conflicts it met.
fn increment(store: &SqliteStore, pool: &UserPoolId) -> u64 {
    let mut conflicts = 0;
    loop {
        let current = store
            .find_user(pool, UserKey::Username("counter"))
            .expect("find_user")
            .expect("the counter user exists");
        let n: u64 = current
            .attributes
            .get(COUNTER)
            .map_or(0, |v| v.parse().expect("a number"));
        let mut next = current.clone();
        next.attributes.insert(COUNTER.into(), (n + 1).to_string());
        match store.update_user(pool, &next) {
            Ok(_) => return conflicts,
            Err(StoreError::Conflict { .. }) => conflicts += 1,
            Err(e) => panic!("unexpected error under contention: {e:?}"),
        }
    }
}

/// A database with one pool and the counter user at 0; returns the pool id.
fn setup(path: &Path) -> UserPoolId {
    let store = SqliteStore::open(path).expect("open");
    let p = pool("Race1", 0, &[]);
    store.create_pool(&p).expect("create_pool");
    store
        .insert_user(&p.id, &user("counter", &[(COUNTER, "0")], 1))
        .expect("insert_user");
    p.id
}

/// The counter's value and the user's version.
fn read_counter(path: &Path, pool: &UserPoolId) -> (u64, u64) {
    let store = SqliteStore::open(path).expect("open");
    let u = store
        .find_user(pool, UserKey::Username("counter"))
        .expect("find_user")
        .expect("the counter user exists");
    let n = u
        .attributes
        .get(COUNTER)
        .map_or(0, |v| v.parse().expect("a number"));
    (n, u.version)
}

#[test]
fn threads_with_separate_handles_lose_no_increment() {
    const THREADS: u64 = 4;
    const EACH: u64 = 50;
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("threads.db");
    let pool = setup(&path);
    let conflicts: u64 = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..THREADS)
            .map(|_| {
                scope.spawn(|| {
                    // Each thread has its own store, so its own connection and locks.
                    let store = SqliteStore::open(&path).expect("open in a thread");
                    (0..EACH).map(|_| increment(&store, &pool)).sum::<u64>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a thread"))
            .sum()
    });
    let (count, version) = read_counter(&path, &pool);
    assert_eq!(count, THREADS * EACH, "no increment lost");
    assert_eq!(
        version,
        1 + THREADS * EACH,
        "one version per successful write"
    );
    eprintln!(
        "threads: {} increments, {conflicts} compare-and-swap conflicts retried",
        THREADS * EACH
    );
}

#[test]
fn threads_inserting_different_users_at_once_all_succeed() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("inserts.db");
    let pool = setup(&path);
    std::thread::scope(|scope| {
        for t in 0..4u64 {
            let (path, pool) = (&path, &pool);
            scope.spawn(move || {
                let store = SqliteStore::open(path).expect("open in a thread");
                for i in 0..25u64 {
                    let u = user(&format!("user-{t}-{i}"), &[], 1000 + t * 100 + i);
                    assert_eq!(store.insert_user(pool, &u).expect("insert_user"), 1);
                }
            });
        }
    });
    let store = SqliteStore::open(&path).expect("open");
    let all = store.list_users(&pool, None, 1000).expect("list_users");
    assert_eq!(all.len(), 1 + 4 * 25);
}

/// The child side of `processes_sharing_one_file_lose_no_increment`.
#[test]
#[ignore = "a child worker: run by processes_sharing_one_file_lose_no_increment"]
fn increment_worker() {
    let Some(path) = worker_role("increment") else {
        return;
    };
    let each: u64 = std::env::var("INCREMENTS")
        .expect("INCREMENTS")
        .parse()
        .expect("a number");
    let store = SqliteStore::open(&path).expect("open in the worker");
    let pool = common::pool_id("Race1");
    let conflicts: u64 = (0..each).map(|_| increment(&store, &pool)).sum();
    println!("DONE {each} {conflicts}");
}

#[test]
fn processes_sharing_one_file_lose_no_increment() {
    const PROCESSES: u64 = 4;
    const EACH: u64 = 40;
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("processes.db");
    let pool = setup(&path);
    let children: Vec<_> = (0..PROCESSES)
        .map(|_| {
            spawn_worker(
                "increment_worker",
                "increment",
                &path,
                &[("INCREMENTS", EACH.to_string())],
            )
        })
        .collect();
    let mut done = 0;
    let mut conflicts = 0u64;
    for mut child in children {
        let stdout = child.stdout.take().expect("piped stdout");
        for line in BufReader::new(stdout).lines() {
            let line = line.expect("a line");
            // libtest may print "test increment_worker ... " on the same line first.
            if let Some((_, rest)) = line.split_once("DONE ") {
                let mut parts = rest.split(' ');
                assert_eq!(parts.next(), Some(EACH.to_string().as_str()));
                conflicts += parts
                    .next()
                    .and_then(|c| c.parse::<u64>().ok())
                    .unwrap_or(0);
                done += 1;
            }
        }
        let status = child.wait().expect("wait");
        assert!(status.success(), "a worker failed: {status}");
    }
    assert_eq!(done, PROCESSES, "every worker reported");
    let (count, version) = read_counter(&path, &pool);
    assert_eq!(
        count,
        PROCESSES * EACH,
        "no increment lost across processes"
    );
    assert_eq!(version, 1 + PROCESSES * EACH);
    eprintln!(
        "processes: {} increments, {conflicts} compare-and-swap conflicts retried",
        PROCESSES * EACH
    );
    assert_eq!(common::integrity_check(&path), ["ok"]);
}

/// Holds the write lock of `path` from another connection for `hold`, then releases it.
fn hold_write_lock(path: &Path, hold: std::time::Duration) -> std::thread::JoinHandle<()> {
    let conn = common::raw(path);
    conn.execute_batch("BEGIN IMMEDIATE")
        .expect("take the write lock");
    std::thread::spawn(move || {
        std::thread::sleep(hold);
        conn.execute_batch("COMMIT")
            .expect("release the write lock");
    })
}

#[test]
fn write_outlasts_a_lock_longer_than_the_busy_timeout_by_retrying() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("busy.db");
    let pool = setup(&path);
    // One statement waits 30 ms; the lock is held ~10 times that, so only the
    // transaction-level retries (with their pauses) get the write through.
    let options = userpool_sqlite::SqliteOptions::default()
        .busy_timeout(std::time::Duration::from_millis(30))
        .busy_retries(8);
    let store = SqliteStore::open_with(&path, &options).expect("open");
    let holder = hold_write_lock(&path, std::time::Duration::from_millis(300));
    assert_eq!(increment(&store, &pool), 0);
    holder.join().expect("holder");
    assert_eq!(read_counter(&path, &pool), (1, 2));
}

#[test]
fn write_fails_with_a_backend_error_when_the_lock_outlasts_every_retry() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("busy.db");
    let pool = setup(&path);
    let options = userpool_sqlite::SqliteOptions::default()
        .busy_timeout(std::time::Duration::from_millis(10))
        .busy_retries(1);
    let store = SqliteStore::open_with(&path, &options).expect("open");
    let before = store
        .find_user(&pool, UserKey::Username("counter"))
        .expect("find_user")
        .expect("exists");
    let holder = hold_write_lock(&path, std::time::Duration::from_millis(1500));
    let mut next = before.clone();
    next.enabled = false;
    let refused = store.update_user(&pool, &next);
    assert!(
        matches!(&refused, Err(StoreError::Backend(m)) if m.contains("locked") || m.contains("busy")),
        "{refused:?}"
    );
    holder.join().expect("holder");
    // Nothing was written, and the same write goes through once the lock is gone.
    assert_eq!(read_counter(&path, &pool), (0, 1));
    assert_eq!(store.update_user(&pool, &next).expect("update"), 2);
}

#[test]
fn many_handles_opening_one_new_file_at_once_all_succeed() {
    for round in 0..5 {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join(format!("fresh{round}.db"));
        let barrier = std::sync::Barrier::new(6);
        std::thread::scope(|scope| {
            for _ in 0..6 {
                scope.spawn(|| {
                    barrier.wait();
                    let store = SqliteStore::open(&path)
                        .unwrap_or_else(|e| panic!("round {round}: concurrent open: {e}"));
                    store.list_pools().expect("list_pools");
                });
            }
        });
        let version: i64 = common::raw(&path)
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .expect("user_version");
        assert_eq!(version, userpool_sqlite::schema::VERSION);
    }
}

/// Handles racing to store a pool's first signing key, each on its own connection to one
/// file, all get the same key back: the one that is stored (first writer wins across
/// connections, not only behind one handle's mutex).
#[test]
fn handles_racing_for_the_first_signing_key_agree_on_one() {
    use std::sync::Barrier;
    use userpool::SigningKey;

    const HANDLES: usize = 6;
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("keys.db");
    let pool = setup(&path);
    let barrier = Barrier::new(HANDLES);
    let stores: Vec<SqliteStore> = (0..HANDLES)
        .map(|_| SqliteStore::open(&path).expect("open"))
        .collect();
    let (barrier, pool) = (&barrier, &pool);
    let got: Vec<SigningKey> = std::thread::scope(|scope| {
        let handles: Vec<_> = stores
            .iter()
            .enumerate()
            .map(|(i, store)| {
                scope.spawn(move || {
                    let mine = SigningKey {
                        kid: format!("kid-{i}"),
                        private_der: zeroize::Zeroizing::new(vec![
                            u8::try_from(i).expect("small");
                            64
                        ]),
                        created_at: common::at(i64::try_from(i).expect("small")),
                    };
                    barrier.wait();
                    store
                        .insert_signing_key(pool, &mine)
                        .expect("insert_signing_key")
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("no panic"))
            .collect()
    });
    let stored = SqliteStore::open(&path)
        .expect("open")
        .signing_key(pool)
        .expect("signing_key")
        .expect("a key is stored");
    assert!(
        got.iter().all(|k| *k == stored),
        "every handle got the stored key back"
    );
}
