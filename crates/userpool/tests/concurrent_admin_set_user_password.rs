//! 8 threads × 200 concurrent AdminSetUserPassword calls on one user lose no
//! update and never leave a mixed record (SPEC §3, §5; compare-and-swap in the store).

mod common;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Instant;

use userpool::{MemoryStore, OsRandom, UserPools};
use userpool_core::{CredentialKind, ErrorCode, PasswordPolicy, UserStatus};

use common::{env_with, settings, verifies};

const THREADS: usize = 8;
const CALLS: usize = 200;
const HISTORY_SIZE: i64 = 3;

#[test]
fn concurrent_admin_set_user_password_serialises_every_success() {
    let policy = PasswordPolicy::builder()
        .password_history_size(HISTORY_SIZE)
        .build()
        .expect("policy");
    // OS randomness: the seeded source would serialise the threads on its mutex.
    let env = env_with(settings(policy, &[], true), false, |b| {
        b.random(Arc::new(OsRandom))
    });
    env.pools
        .admin_create_user(&env.admin, &env.pool_id, "target", None, &[], None)
        .expect("create");
    assert_eq!(env.record("target").map(|u| u.version), Some(1));

    let pools: &UserPools<MemoryStore> = &env.pools;
    let (admin, pool_id) = (&env.admin, env.pool_id.as_str());
    let started = Instant::now();
    let outcomes: Vec<(String, Result<u64, ErrorCode>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                scope.spawn(move || {
                    (0..CALLS)
                        .map(|i| {
                            let password = format!("Pw-{t}-{i}-Aa1!");
                            let result = pools
                                .admin_set_user_password(
                                    admin,
                                    pool_id,
                                    "target",
                                    &password,
                                    Some(true),
                                )
                                .map(|user| user.version)
                                .map_err(|e| e.kind());
                            (password, result)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("thread"))
            .collect()
    });
    let elapsed = started.elapsed();

    let mut successes: Vec<(u64, &str)> = outcomes
        .iter()
        .filter_map(|(p, r)| r.as_ref().ok().map(|v| (*v, p.as_str())))
        .collect();
    let failures: Vec<ErrorCode> = outcomes.iter().filter_map(|(_, r)| r.err()).collect();
    successes.sort_unstable();
    eprintln!(
        "{THREADS} threads x {CALLS} calls: {} succeeded, {} gave up after retries, {elapsed:?}",
        successes.len(),
        failures.len()
    );
    // Only contention may make a call fail (every password is new, so history never does).
    assert!(
        failures.iter().all(|c| *c == ErrorCode::InternalError),
        "unexpected failures: {failures:?}"
    );
    assert!(
        successes.len() >= HISTORY_SIZE as usize,
        "too few successes to judge history"
    );

    // Each success got its own version: 2, 3, ..., 1 + successes.
    let versions: Vec<u64> = successes.iter().map(|(v, _)| *v).collect();
    let expected: Vec<u64> = (2..=1 + successes.len() as u64).collect();
    assert_eq!(
        versions, expected,
        "one version per successful call, no gaps, no repeats"
    );

    let user = env.record("target").expect("user");
    assert_eq!(
        user.version,
        1 + successes.len() as u64,
        "final version = 1 + successes"
    );
    assert_eq!(user.status, UserStatus::Confirmed);

    // The credential is the last writer's password, permanent.
    let credential = user.credential.as_ref().expect("credential");
    assert_eq!(credential.kind, CredentialKind::Permanent);
    let last = successes.last().expect("a success").1;
    assert!(
        verifies(last, &credential.hash),
        "the last success's password verifies"
    );

    // History: n − 1 entries, the two passwords written just before the last, newest first.
    assert_eq!(user.history.len(), HISTORY_SIZE as usize - 1);
    let previous: Vec<&str> = successes.iter().rev().skip(1).map(|(_, p)| *p).collect();
    for (entry, password) in user.history.iter().zip(&previous) {
        assert!(verifies(password, entry), "history entry is {password}");
    }
    let distinct: HashSet<&str> = user.history.iter().map(|h| h.as_phc()).collect();
    assert_eq!(
        distinct.len(),
        user.history.len(),
        "history entries are distinct"
    );
}
