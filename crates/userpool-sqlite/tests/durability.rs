//! A writer killed with SIGKILL in the middle of a stream of AdminSetUserPassword writes
//! loses nothing it acknowledged, leaves a healthy file, and no half-written record.
//!
//! The writer is this test binary itself, running the ignored test `set_password_worker`:
//! it sets password n (`Durable-Passw0rd-n!`) with `transitions::admin_set_user_password`,
//! writes the record with `update_user`, and prints `ACK n` once the commit returned.

mod common;

use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;

use common::{integrity_check, pool, spawn_worker, user, worker_role};
use userpool_core::testing::{epoch, insecure_fast_rules, seeded_entropy};
use userpool_core::{Context, Password, transitions};
use userpool_sqlite::SqliteStore;
use userpool_store::{PoolRecord, Store, UserKey};

/// History size 4: the current password and 3 previous ones.
const HISTORY: i64 = 4;
/// The parent kills the writer after reading this many acknowledgements.
const KILL_AFTER: u64 = 150;
/// The writer stops by itself here if nobody kills it (it should never get there).
const MAX_WRITES: u64 = 100_000;

fn the_pool() -> PoolRecord {
    pool("Durable1", HISTORY, &[])
}

fn password(n: u64) -> Password {
    Password::parse(&format!("Durable-Passw0rd-{n}!")).expect("a valid password")
}

/// The child side: an endless stream of acknowledged password changes.
#[test]
#[ignore = "a child worker: run by acknowledged_writes_survive_sigkill_of_the_writer"]
fn set_password_worker() {
    let Some(path) = worker_role("set-password") else {
        return;
    };
    let pool = the_pool();
    let rules = insecure_fast_rules(pool.policy.clone());
    let store = SqliteStore::open(&path).expect("open in the worker");
    let mut rng = seeded_entropy(42);
    for n in 1..=MAX_WRITES {
        let current = store
            .find_user(&pool.id, UserKey::Username("durable"))
            .expect("find_user")
            .expect("the user exists");
        let mut ctx = Context::new(epoch(), &mut rng);
        let (next, _) =
            transitions::admin_set_user_password(&current, &password(n), true, &rules, &mut ctx)
                .expect("admin_set_user_password");
        store.update_user(&pool.id, &next).expect("update_user");
        // Only now is write n durable; say so.
        println!("ACK {n}");
    }
}

#[test]
fn acknowledged_writes_survive_sigkill_of_the_writer() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("durable.db");
    let pool = the_pool();
    {
        let store = SqliteStore::open(&path).expect("open");
        store.create_pool(&pool).expect("create_pool");
        store
            .insert_user(&pool.id, &user("durable", &[], 3))
            .expect("insert_user");
    }

    let mut child = spawn_worker("set_password_worker", "set-password", &path, &[]);
    let stdout = child.stdout.take().expect("piped stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut last_ack = 0u64;
    let parse = |line: &str| -> Option<u64> {
        // libtest may print "test set_password_worker ... " on the same line first.
        line.split_once("ACK ")
            .and_then(|(_, n)| n.trim().parse().ok())
    };
    for line in lines.by_ref() {
        if let Some(n) = parse(&line.expect("a line")) {
            assert_eq!(n, last_ack + 1, "acknowledgements arrive in order");
            last_ack = n;
            if n >= KILL_AFTER {
                break;
            }
        }
    }
    // SIGKILL, mid-stream: the writer is busy with write KILL_AFTER + 1 or later.
    child.kill().expect("SIGKILL the writer");
    let acked_at_kill = last_ack;
    // Acknowledgements printed before the kill landed are still in the pipe.
    for line in lines {
        let Ok(line) = line else { break };
        if let Some(n) = parse(&line) {
            assert_eq!(n, last_ack + 1);
            last_ack = n;
        }
    }
    let status = child.wait().expect("wait");
    assert_eq!(
        status.signal(),
        Some(9),
        "the writer died of SIGKILL: {status}"
    );
    assert!(last_ack >= KILL_AFTER, "the writer was killed mid-stream");

    // The file is healthy, without the writer's help (a fresh connection recovers the WAL).
    assert_eq!(integrity_check(&path), ["ok"], "PRAGMA integrity_check");
    let store = SqliteStore::open(&path).expect("reopen after the kill");
    let found = store
        .find_user(&pool.id, UserKey::Username("durable"))
        .expect("find_user")
        .expect("the user exists");
    let writes = found.version - 1;
    eprintln!(
        "durability: {acked_at_kill} acknowledged when killed, {last_ack} acknowledged in all, \
         {writes} found committed"
    );
    assert!(
        writes >= last_ack,
        "every acknowledged write is there: {writes} committed < {last_ack} acknowledged"
    );
    assert!(
        writes <= last_ack + 1,
        "at most the one write in flight committed unacknowledged"
    );

    // The record is whole: its credential is the password of its version, and its history
    // the passwords before it, newest first.
    let rules = insecure_fast_rules(pool.policy.clone());
    let credential = found.credential.as_ref().expect("a credential");
    assert!(
        rules
            .hasher
            .verify(&password(writes), &credential.hash)
            .expect("verify"),
        "the stored credential is password {writes}"
    );
    let expected_history = usize::try_from(HISTORY - 1).expect("small");
    assert_eq!(found.history.len(), expected_history);
    for (i, hash) in found.history.iter().enumerate() {
        let n = writes - 1 - u64::try_from(i).expect("small");
        assert!(
            rules.hasher.verify(&password(n), hash).expect("verify"),
            "history entry {i} is password {n}"
        );
    }
    // And the store takes the next write.
    let mut rng = seeded_entropy(7);
    let mut ctx = Context::new(epoch(), &mut rng);
    let (next, _) =
        transitions::admin_set_user_password(&found, &password(writes + 1), true, &rules, &mut ctx)
            .expect("set password");
    assert_eq!(
        store.update_user(&pool.id, &next).expect("update_user"),
        found.version + 1
    );
}
