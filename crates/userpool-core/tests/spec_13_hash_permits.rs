//! SPEC §13 (first bullet), the core's side: every argon2 path of the core — hash, verify,
//! the unknown-user decoy, sign-in, each password-setting transition and a history check's
//! helper threads — takes a permit from the hasher's [`HashPermits`]; without one it fails
//! with `TooManyRequestsException` `Too many requests` and computes nothing.
#![cfg(feature = "test-util")]

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use common::*;
use userpool_core::{
    Error, HashPermit, HashPermits, HistoryMode, MemoryPool, PoolRules, Result, signin, transitions,
};

/// Counts permits; `free` is how many can be held at once (acquire never waits: it fails at
/// once when none is free, as a host's limiter does at its deadline).
#[derive(Debug, Default)]
struct Counted {
    state: Mutex<(usize, usize)>, // (held, free)
    acquired: AtomicUsize,
    tried: AtomicUsize,
    peak: AtomicUsize,
}

impl Counted {
    fn with_free(free: usize) -> Arc<Self> {
        let counted = Counted::default();
        counted.state.lock().expect("state").1 = free;
        Arc::new(counted)
    }

    fn take(self: &Arc<Self>) -> Option<HashPermit> {
        let mut state = self.state.lock().expect("state");
        if state.1 == 0 {
            return None;
        }
        state.0 += 1;
        state.1 -= 1;
        self.peak.fetch_max(state.0, Ordering::SeqCst);
        let me = Arc::clone(self);
        Some(HashPermit::new(move || {
            let mut state = me.state.lock().expect("state");
            state.0 -= 1;
            state.1 += 1;
        }))
    }

    fn held(&self) -> usize {
        self.state.lock().expect("state").0
    }
}

/// A wrapper so the test keeps its own handle on the counters.
#[derive(Debug)]
struct Permits(Arc<Counted>);

impl HashPermits for Permits {
    fn acquire(&self) -> Result<HashPermit> {
        self.0.acquired.fetch_add(1, Ordering::SeqCst);
        self.0.take().ok_or(Error::HashingBusy)
    }

    fn try_acquire(&self) -> Option<HashPermit> {
        self.0.tried.fetch_add(1, Ordering::SeqCst);
        self.0.take()
    }
}

fn limited(mut rules: PoolRules, counted: &Arc<Counted>) -> PoolRules {
    rules.hasher = rules
        .hasher
        .with_permits(Arc::new(Permits(Arc::clone(counted))));
    rules
}

#[track_caller]
fn busy(error: &Error) {
    assert_error(error, "TooManyRequestsException", "Too many requests");
}

#[test]
fn spec_13_hash_verify_and_the_decoy_each_take_one_permit_and_give_it_back() {
    let counted = Counted::with_free(1);
    let rules = limited(rules(), &counted);
    let mut world = World::new();
    let hash = rules
        .hasher
        .hash(&pw(INITIAL), &mut world.rng)
        .expect("hashed");
    assert!(rules.hasher.verify(&pw(INITIAL), &hash).expect("verified"));
    let unknown = signin::sign_in_unknown_user(&pw(INITIAL), &rules, false);
    assert_eq!(unknown.code(), "UserNotFoundException");
    assert_eq!(counted.acquired.load(Ordering::SeqCst), 3);
    assert_eq!(
        (counted.held(), counted.peak.load(Ordering::SeqCst)),
        (0, 1)
    );
}

#[test]
fn spec_13_without_a_permit_nothing_is_hashed_and_nothing_is_recorded() {
    let counted = Counted::with_free(1);
    let unlimited = rules();
    let mut world = World::new();
    let user = confirmed(&mut world, &unlimited);
    let rules = limited(unlimited, &counted);
    let held = counted.take().expect("the only permit");

    busy(&err(rules.hasher.hash(&pw(INITIAL), &mut world.rng)));
    let stored = &user.credential.as_ref().expect("credential").hash;
    busy(&err(rules.hasher.verify(&pw(INITIAL), stored)));
    busy(&signin::sign_in_unknown_user(&pw(INITIAL), &rules, true));
    // A wrong password that could not be checked records no failure.
    let refusal = refused(signin::sign_in(
        &user,
        &pw("Wrong-Pass1"),
        &rules,
        &mut world.ctx(),
    ));
    busy(&refusal.error);
    assert!(refusal.record.is_none(), "no lockout bookkeeping");
    busy(&err(transitions::admin_set_user_password(
        &user,
        &pw(PERMANENT),
        true,
        &rules,
        &mut world.ctx(),
    )));
    busy(&err(transitions::change_password(
        &user,
        &pw(INITIAL),
        &pw(PERMANENT),
        &rules,
        &mut world.ctx(),
    )));
    assert_eq!(counted.acquired.load(Ordering::SeqCst), 6);
    drop(held);
    assert!(signin::sign_in(&user, &pw(INITIAL), &rules, &mut world.ctx()).is_ok());
}

// SPEC §13 with §5: the helper threads of a parallel history check only try for a permit
// (never wait), one each, and the check is complete with or without them.
#[test]
fn spec_13_history_helpers_only_try_for_permits_and_the_check_is_complete_without_them() {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    for free in [1, 8] {
        let counted = Counted::with_free(free);
        let unlimited = rules_with_history(24, HistoryMode::PerEntrySalt);
        let mut world = World::new();
        let mut user = confirmed(&mut world, &unlimited);
        for n in 0..23 {
            (user, _) = transitions::admin_set_user_password(
                &user,
                &pw(&nth(n)),
                true,
                &unlimited,
                &mut world.ctx(),
            )
            .expect("fill the history");
        }
        let mut rules = limited(unlimited, &counted);
        rules.hasher = rules.hasher.with_memory_pool(MemoryPool::new(8));
        // The oldest entry: every helper runs before it is found.
        let reused = transitions::admin_set_user_password(
            &user,
            &pw(INITIAL),
            true,
            &rules,
            &mut world.ctx(),
        );
        assert_eq!(
            err(reused).code(),
            "PasswordHistoryPolicyViolationException",
            "free {free}"
        );
        assert_eq!(
            counted.acquired.load(Ordering::SeqCst),
            1,
            "one wait, the caller's"
        );
        let helpers = if cfg!(feature = "parallel") {
            cores.min(24) - 1
        } else {
            0
        };
        let tried = counted.tried.load(Ordering::SeqCst);
        assert!(tried <= helpers, "free {free}: tried {tried}");
        let peak = counted.peak.load(Ordering::SeqCst);
        assert_eq!(peak, free.min(helpers + 1), "free {free}");
        assert_eq!(counted.held(), 0);
    }
}
