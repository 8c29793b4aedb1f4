//! SPEC §13 (first bullet): hashing is bounded. Every argon2 computation — sign-in
//! verification, the unknown-user decoy, password hashing, history checks and their helper
//! threads — runs under the host's hash limit, on a buffer from the host's memory pool; a
//! caller waits in FIFO order up to a deadline, then gets `TooManyRequestsException` `Too
//! many requests` and nothing changes.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use common::*;
use userpool::{AuthResult, HashLimiter, HostOptions, PoolSettings};
use userpool_core::{Error, HashParams, HashPermits, PasswordPolicy};

/// Long enough never to expire in a test that expects every caller served.
const GENEROUS: Duration = Duration::from_secs(120);

/// Slow enough that concurrent callers overlap, fast enough for a test: 1 MiB, one pass.
fn overlapping_params() -> HashParams {
    HashParams::new(1024, 1, 1).expect("valid")
}

fn env_limited(settings: PoolSettings, host: &HostOptions) -> Env {
    let host = host.clone();
    env_with(settings, false, move |b| b.host_options(host))
}

fn history_settings(size: i64, params: HashParams) -> PoolSettings {
    PoolSettings {
        policy: PasswordPolicy::builder()
            .password_history_size(size)
            .build()
            .expect("valid policy"),
        hash_params: params,
        ..fast_settings()
    }
}

fn busy(result: Result<impl std::fmt::Debug, Error>) {
    let error = result.expect_err("refused for want of a permit");
    assert_eq!(error.code(), "TooManyRequestsException");
    assert_eq!(error.to_string(), "Too many requests");
}

/// Runs `work` on another thread and fails the test if it has not finished within
/// [`GENEROUS`] (a deadlock fails instead of hanging the suite).
fn finishes<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    let (done, finished) = mpsc::channel();
    thread::spawn(move || {
        let _ = done.send(work());
    });
    finished
        .recv_timeout(GENEROUS)
        .expect("finished in time (no deadlock)")
}

#[test]
fn spec_13_32_concurrent_sign_ins_never_run_more_hashes_or_hold_more_buffers_than_the_limit() {
    let host = HostOptions::default().with_hash_limit(2, GENEROUS);
    let env = Arc::new(env_limited(
        PoolSettings {
            hash_params: overlapping_params(),
            ..fast_settings()
        },
        &host,
    ));
    for i in 0..8 {
        env.confirmed(&format!("user{i}"), "Passw0rd!", &[]);
    }
    let signed_in = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..32)
        .map(|t| {
            let (env, signed_in) = (Arc::clone(&env), Arc::clone(&signed_in));
            thread::spawn(move || {
                for round in 0..4 {
                    let name = format!("user{}", (t + round) % 8);
                    let result = env.pools.initiate_auth(
                        &env.client_id,
                        "USER_PASSWORD_AUTH",
                        &name,
                        "Passw0rd!",
                    );
                    assert!(
                        matches!(result, Ok(AuthResult::Authenticated(_))),
                        "{result:?}"
                    );
                    signed_in.fetch_add(1, Ordering::Relaxed);
                    let unknown = env.pools.initiate_auth(
                        &env.client_id,
                        "USER_PASSWORD_AUTH",
                        &format!("nobody{t}"),
                        "Passw0rd!",
                    );
                    assert_eq!(
                        unknown.expect_err("unknown").code(),
                        "UserNotFoundException"
                    );
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("signing-in thread");
    }
    assert_eq!(signed_in.load(Ordering::Relaxed), 128);
    let (limiter, memory) = (host.hash_limiter(), host.memory_pool());
    assert!(limiter.peak_in_use() <= 2, "{limiter:?}");
    assert!(memory.peak_lent() <= 2, "hashes at once: {memory:?}");
    assert!(
        memory.peak_buffers() <= 2,
        "buffers: {}",
        memory.peak_buffers()
    );
    assert!(memory.peak_lent() >= 1);
    assert_eq!(
        (limiter.in_use(), memory.lent(), limiter.timed_out()),
        (0, 0, 0)
    );
}

#[test]
fn spec_13_waiters_are_served_in_order_of_arrival() {
    let limiter = Arc::new(HashLimiter::new(1, GENEROUS));
    let held = limiter.acquire().expect("the only permit");
    let order = Arc::new(Mutex::new(Vec::new()));
    let mut waiters = Vec::new();
    for i in 0..8 {
        let (shared, order) = (Arc::clone(&limiter), Arc::clone(&order));
        waiters.push(thread::spawn(move || {
            let permit = shared.acquire().expect("served before the deadline");
            order.lock().expect("order").push(i);
            drop(permit);
        }));
        // The next waiter arrives only once this one is queued.
        let queued = Instant::now();
        while limiter.waiting() < i + 1 {
            assert!(queued.elapsed() < GENEROUS, "waiter {i} never queued");
            thread::yield_now();
        }
    }
    // A newcomer does not jump the queue, even with try_acquire.
    assert!(limiter.try_acquire().is_none());
    drop(held);
    for waiter in waiters {
        waiter.join().expect("waiter");
    }
    assert_eq!(*order.lock().expect("order"), (0..8).collect::<Vec<_>>());
    assert_eq!((limiter.in_use(), limiter.peak_in_use()), (0, 1));
}

// A permit released just as a waiter's deadline passes is either taken by that waiter or
// handed on; it is never lost nor doubled. After a storm of short deadlines, exactly the
// limit's permits are free again.
#[test]
fn spec_13_no_permit_is_lost_or_doubled_when_waiters_time_out() {
    let limiter = Arc::new(HashLimiter::new(3, Duration::from_micros(200)));
    let (served, refused) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let threads: Vec<_> = (0..16)
        .map(|_| {
            let (limiter, served, refused) = (
                Arc::clone(&limiter),
                Arc::clone(&served),
                Arc::clone(&refused),
            );
            thread::spawn(move || {
                for _ in 0..300 {
                    match limiter.acquire() {
                        Ok(permit) => {
                            assert!(limiter.in_use() <= 3);
                            served.fetch_add(1, Ordering::Relaxed);
                            thread::sleep(Duration::from_micros(50));
                            drop(permit);
                        }
                        Err(e) => {
                            assert_eq!(e, Error::HashingBusy);
                            refused.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("thread");
    }
    let (served, refused) = (
        served.load(Ordering::Relaxed),
        refused.load(Ordering::Relaxed),
    );
    assert_eq!(served + refused, 16 * 300);
    assert_eq!(limiter.timed_out(), refused as u64);
    assert_eq!((limiter.in_use(), limiter.waiting()), (0, 0));
    assert!(limiter.peak_in_use() <= 3);
    let free: Vec<_> = (0..4).filter_map(|_| limiter.try_acquire()).collect();
    assert_eq!(free.len(), 3, "exactly the limit's permits are free again");
}

// A caller past its deadline is refused with TooManyRequestsException and the user record —
// status, password, history, lockout, version — is as it was: no failure is recorded for a
// wrong password that was never checked, no password is set.
#[test]
fn spec_13_a_waiter_past_its_deadline_gets_too_many_requests_and_changes_nothing() {
    let deadline = Duration::from_millis(50);
    let host = HostOptions::default().with_hash_limit(1, deadline);
    let env = env_limited(
        history_settings(3, HashParams::insecure_fast_for_tests()),
        &host,
    );
    env.confirmed("alice", "Passw0rd!", &[]);
    env.pools
        .admin_set_user_password(&env.admin, &env.pool_id, "alice", "Passw0rd!2", Some(true))
        .expect("second password");
    let _ = env.pools.initiate_auth(
        &env.client_id,
        "USER_PASSWORD_AUTH",
        "alice",
        "wrong-Passw0rd!",
    );
    let before = env.record("alice").expect("alice");
    assert_eq!(before.lockout.consecutive_failures, 1);

    let held = host.hash_limiter().try_acquire().expect("the only permit");
    let started = Instant::now();
    let auth = |password: &str| {
        env.pools
            .initiate_auth(&env.client_id, "USER_PASSWORD_AUTH", "alice", password)
    };
    busy(auth("wrong-Passw0rd!"));
    assert!(started.elapsed() >= deadline, "it waited for its deadline");
    busy(auth("Passw0rd!2"));
    busy(
        env.pools
            .change_password(&env.pool_id, "alice", "Passw0rd!2", "Passw0rd!3"),
    );
    busy(env.pools.admin_set_user_password(
        &env.admin,
        &env.pool_id,
        "alice",
        "Passw0rd!4",
        Some(true),
    ));
    busy(env.pools.admin_set_user_password(
        &env.admin,
        &env.pool_id,
        "alice",
        "Passw0rd!5",
        Some(false),
    ));
    // The unknown-user decoy takes a permit too, and answers the same way.
    busy(
        env.pools
            .initiate_auth(&env.client_id, "USER_PASSWORD_AUTH", "nobody", "Passw0rd!"),
    );
    // Six refusals, each after its own deadline: bounded, not stuck.
    assert!(started.elapsed() < GENEROUS);
    assert_eq!(
        env.record("alice").expect("alice"),
        before,
        "nothing changed"
    );
    assert_eq!(host.hash_limiter().timed_out(), 6);

    drop(held);
    assert!(matches!(
        auth("Passw0rd!2"),
        Ok(AuthResult::Authenticated(_))
    ));
}

// SPEC §13 with §5: a history check's helper threads take permits (so a single password
// change can reach the limit), and with none to spare the check runs on the caller's own
// permit instead of waiting: it still finds the match.
#[test]
fn spec_13_history_helper_threads_take_permits_and_never_wait_for_them() {
    let cores = thread::available_parallelism().map_or(1, std::num::NonZero::get);
    for limit in [1, 2] {
        let host = HostOptions::default().with_hash_limit(limit, GENEROUS);
        let env = env_limited(
            history_settings(6, HashParams::insecure_fast_for_tests()),
            &host,
        );
        env.confirmed("alice", "Passw0rd!0", &[]);
        for i in 1..6 {
            env.pools
                .admin_set_user_password(
                    &env.admin,
                    &env.pool_id,
                    "alice",
                    &format!("Passw0rd!{i}"),
                    Some(true),
                )
                .expect("new password");
        }
        let reused = finishes({
            let pools = env.pools;
            let (admin, pool_id) = (env.admin.clone(), env.pool_id.clone());
            move || {
                pools
                    .admin_set_user_password(&admin, &pool_id, "alice", "Passw0rd!0", Some(true))
                    .map(|_| ())
            }
        });
        assert_eq!(
            reused.expect_err("in the history").code(),
            "PasswordHistoryPolicyViolationException"
        );
        // userpool-core's default `parallel` feature is on: one thread per core, at most.
        let expected = limit.min(cores);
        assert_eq!(host.hash_limiter().peak_in_use(), expected, "limit {limit}");
        assert_eq!(host.memory_pool().peak_lent(), expected, "limit {limit}");
        assert_eq!(host.hash_limiter().timed_out(), 0);
    }
}

// A waiter being handed a permit while holding none is the only wait there is: with history
// size 24 (23 entries verified in parallel per change), limit 2 and 16 threads changing
// passwords and signing in at once, everything finishes.
#[test]
fn spec_13_history_of_24_under_contention_does_not_deadlock() {
    let host = HostOptions::default().with_hash_limit(2, GENEROUS);
    let env = Arc::new(env_limited(
        history_settings(24, HashParams::new(64, 1, 1).expect("valid")),
        &host,
    ));
    for u in 0..8 {
        let name = format!("user{u}");
        env.confirmed(&name, "Passw0rd!0", &[]);
        for i in 1..24 {
            env.pools
                .admin_set_user_password(
                    &env.admin,
                    &env.pool_id,
                    &name,
                    &format!("Passw0rd!{i}"),
                    Some(true),
                )
                .expect("fill the history");
        }
        assert_eq!(env.record(&name).expect("user").history.len(), 23);
    }
    let env_for_work = Arc::clone(&env);
    finishes(move || {
        let env = env_for_work;
        let threads: Vec<_> = (0..16)
            .map(|t| {
                let env = Arc::clone(&env);
                thread::spawn(move || {
                    let name = format!("user{}", t % 8);
                    for round in 0..3 {
                        if t < 8 {
                            // In the history: refused after verifying up to 24 entries.
                            let reused = env.pools.admin_set_user_password(
                                &env.admin,
                                &env.pool_id,
                                &name,
                                &format!("Passw0rd!{}", round + 1),
                                Some(true),
                            );
                            assert_eq!(
                                reused.expect_err("reused").code(),
                                "PasswordHistoryPolicyViolationException"
                            );
                        } else {
                            let result = env.pools.initiate_auth(
                                &env.client_id,
                                "USER_PASSWORD_AUTH",
                                &name,
                                "Passw0rd!23",
                            );
                            assert!(matches!(result, Ok(AuthResult::Authenticated(_))));
                        }
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().expect("thread");
        }
    });
    assert!(host.hash_limiter().peak_in_use() <= 2);
    assert!(host.memory_pool().peak_buffers() <= 2);
    assert_eq!(host.hash_limiter().timed_out(), 0);
}
