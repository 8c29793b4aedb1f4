//! Writers killed with SIGKILL in the middle of a stream of AdminSetUserPassword writes
//! lose nothing they acknowledged, leave a healthy file, and no half-written record. Four
//! writers in turn, each continuing from what the file holds, each killed at another point.
//!
//! The writer is this test binary itself, running the ignored test `set_password_worker`:
//! it sets password n (`Durable-Passw0rd-n!`) with `transitions::admin_set_user_password`,
//! writes the record with `update_user`, and prints `ACK n` once the commit returned.

mod common;

use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;

use common::{integrity_check, pool, spawn_worker, user, worker_role};
use userpool::{PoolRecord, Store, UserKey};
use userpool_core::testing::{epoch, insecure_fast_rules, seeded_entropy};
use userpool_core::{Context, Password, transitions};
use userpool_sqlite::SqliteStore;

/// History size 4: the current password and 3 previous ones.
const HISTORY: i64 = 4;
/// Writer processes started, each killed mid-stream; each continues where the last died.
const ROUNDS: u64 = 4;
/// The parent kills a writer after reading this many acknowledgements from it (more in
/// later rounds), waiting a little longer each round so the kill lands at other points of
/// the write (hashing, statements, commit).
const KILL_AFTER: u64 = 60;
/// A writer stops by itself after this many writes if nobody kills it (it never should).
const MAX_WRITES: u64 = 100_000;

fn the_pool() -> PoolRecord {
    pool("Durable1", HISTORY, &[])
}

/// Password n is the one set by the n-th write, so a user at version v holds v − 1.
fn password(n: u64) -> Password {
    Password::parse(&format!("Durable-Passw0rd-{n}!")).expect("a valid password")
}

/// The child side: an endless stream of acknowledged password changes, continuing from
/// whatever the file holds.
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
    for _ in 0..MAX_WRITES {
        let current = store
            .find_user(&pool.id, UserKey::Username("durable"))
            .expect("find_user")
            .expect("the user exists");
        let n = current.version; // this write is the n-th
        let mut ctx = Context::new(epoch(), &mut rng);
        let (next, _) =
            transitions::admin_set_user_password(&current, &password(n), true, &rules, &mut ctx)
                .expect("admin_set_user_password");
        store.update_user(&pool.id, &next).expect("update_user");
        // Only now is write n durable; say so.
        println!("ACK {n}");
    }
}

/// Runs one writer, kills it with SIGKILL after `kill_after` acknowledgements and `delay`,
/// and returns the last write it acknowledged.
fn kill_a_writer_mid_stream(
    path: &std::path::Path,
    first: u64,
    kill_after: u64,
    delay: std::time::Duration,
) -> u64 {
    let mut child = spawn_worker("set_password_worker", "set-password", path, &[]);
    let stdout = child.stdout.take().expect("piped stdout");
    let mut lines = BufReader::new(stdout).lines();
    let parse = |line: &str| -> Option<u64> {
        // libtest may print "test set_password_worker ... " on the same line first.
        line.split_once("ACK ")
            .and_then(|(_, n)| n.trim().parse().ok())
    };
    let mut last_ack = first - 1;
    for line in lines.by_ref() {
        if let Some(n) = parse(&line.expect("a line")) {
            assert_eq!(n, last_ack + 1, "acknowledgements arrive in order");
            last_ack = n;
            if n + 1 - first >= kill_after {
                break;
            }
        }
    }
    std::thread::sleep(delay);
    child.kill().expect("SIGKILL the writer");
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
    assert!(
        last_ack + 1 - first >= kill_after,
        "the writer was killed mid-stream"
    );
    last_ack
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
    let rules = insecure_fast_rules(pool.policy.clone());
    let mut figures = Vec::new();
    let mut next_write = 1;
    for round in 0..ROUNDS {
        let delay = std::time::Duration::from_micros(round * 700);
        let last_ack = kill_a_writer_mid_stream(&path, next_write, KILL_AFTER + round * 25, delay);

        // The file is healthy without the writer's help (a new connection recovers the WAL).
        assert_eq!(
            integrity_check(&path),
            ["ok"],
            "PRAGMA integrity_check, round {round}"
        );
        let store = SqliteStore::open(&path).expect("reopen after the kill");
        let found = store
            .find_user(&pool.id, UserKey::Username("durable"))
            .expect("find_user")
            .expect("the user exists");
        let writes = found.version - 1;
        figures.push(format!(
            "round {round}: {last_ack} acknowledged, {writes} found"
        ));
        assert!(
            writes >= last_ack,
            "every acknowledged write is there: {writes} committed < {last_ack} acknowledged"
        );
        assert!(
            writes <= last_ack + 1,
            "at most the one write in flight committed unacknowledged"
        );

        // The record is whole: its credential is the password of its version, and its
        // history the passwords before it, newest first.
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
        next_write = writes + 1;
    }
    eprintln!("durability: {}", figures.join("; "));
}
