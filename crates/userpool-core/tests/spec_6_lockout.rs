//! SPEC §6: per-user throttling of failed sign-ins — five free failures, then lockouts of
//! 1 s doubling up to 15 minutes, attempts inside a lockout refused without verifying,
//! reset by 15 quiet minutes or a success, state kept in the record.

mod common;

use chrono::TimeDelta;
use common::*;
use userpool_core::{Lockout, PoolRules, SignInOutcome, UserRecord};

const NOT_AUTHORIZED: &str = "NotAuthorizedException";
const INCORRECT: &str = "Incorrect username or password.";
const EXCEEDED: &str = "Password attempts exceeded";

/// A failed sign-in with a wrong password; returns the record with the failure counted and
/// checks that nothing but the lockout bookkeeping changed.
#[track_caller]
fn fail(user: &UserRecord, rules: &PoolRules, world: &mut World) -> UserRecord {
    let r = sign_in_refused(user, OTHER, rules, world);
    assert_error(&r.error, NOT_AUTHORIZED, INCORRECT);
    let next = *r.record.expect("the failure is recorded");
    assert_eq!(next.status, user.status);
    assert_eq!(next.credential, user.credential);
    assert_eq!(next.history, user.history);
    assert_eq!(next.version, user.version);
    assert_eq!(next.enabled, user.enabled);
    assert_eq!(next.lockout.last_failure_at, Some(world.now));
    next
}

/// A sign-in refused by a running lockout: nothing verified, nothing written.
#[track_caller]
fn assert_locked(user: &UserRecord, password: &str, rules: &PoolRules, world: &mut World) {
    let r = sign_in_refused(user, password, rules, world);
    assert_error(&r.error, NOT_AUTHORIZED, EXCEEDED);
    assert!(
        r.record.is_none(),
        "attempts inside a lockout are not counted"
    );
}

// SPEC §6: five failures are free; the sixth starts a one-second lockout during which even
// the right password is refused with `Password attempts exceeded`.
#[test]
fn lockout_starts_after_five_failures() {
    let rules = rules();
    let mut world = World::new();
    let mut user = confirmed(&mut world, &rules);
    for n in 1..=5 {
        user = fail(&user, &rules, &mut world);
        assert_eq!(user.lockout.consecutive_failures, n);
        assert_eq!(user.lockout.locked_until, None, "failure {n} is free");
        world.advance(TimeDelta::milliseconds(10));
    }
    user = fail(&user, &rules, &mut world);
    let until = world.now + TimeDelta::seconds(1);
    assert_eq!(user.lockout.locked_until, Some(until));
    assert_locked(&user, INITIAL, &rules, &mut world);
    assert_locked(&user, OTHER, &rules, &mut world);
    world.now = until - TimeDelta::nanoseconds(1);
    assert_locked(&user, INITIAL, &rules, &mut world);
    // At the instant the lockout ends, the password is verified again, and success resets.
    world.now = until;
    let (outcome, next) = sign_in_ok(&user, INITIAL, &rules, &mut world);
    assert_eq!(outcome, SignInOutcome::Authenticated);
    assert_eq!(next.lockout, Lockout::default());
}

// SPEC §6: each further failure doubles the lockout, capped at about 15 minutes.
#[test]
fn lockout_doubles_and_is_capped_at_fifteen_minutes() {
    let rules = rules();
    let mut world = World::new();
    let mut user = confirmed(&mut world, &rules);
    for _ in 0..5 {
        user = fail(&user, &rules, &mut world);
    }
    let expected = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900];
    for (i, seconds) in expected.into_iter().enumerate() {
        user = fail(&user, &rules, &mut world);
        let until = user.lockout.locked_until.expect("locked");
        assert_eq!(
            until - world.now,
            TimeDelta::seconds(seconds),
            "failure {}",
            i + 6
        );
        assert_locked(&user, INITIAL, &rules, &mut world);
        world.now = until;
    }
    assert_eq!(user.lockout.consecutive_failures, 16);
}

// SPEC §6: about 15 minutes without attempts resets the count.
#[test]
fn fifteen_quiet_minutes_reset_the_count() {
    let rules = rules();
    let mut world = World::new();
    let start = confirmed(&mut world, &rules);
    let mut user = start.clone();
    for _ in 0..5 {
        user = fail(&user, &rules, &mut world);
    }
    let last = world.now;

    world.now = last + TimeDelta::minutes(15) - TimeDelta::seconds(1);
    let still_counted = fail(&user, &rules, &mut world);
    assert_eq!(still_counted.lockout.consecutive_failures, 6);
    assert!(still_counted.lockout.locked_until.is_some());

    world.now = last + TimeDelta::minutes(15);
    let fresh = fail(&user, &rules, &mut world);
    assert_eq!(fresh.lockout.consecutive_failures, 1);
    assert_eq!(fresh.lockout.locked_until, None);
}

// SPEC §6: a successful sign-in resets the count.
#[test]
fn successful_sign_in_resets_the_count() {
    let rules = rules();
    let mut world = World::new();
    let mut user = confirmed(&mut world, &rules);
    for _ in 0..4 {
        user = fail(&user, &rules, &mut world);
    }
    let (outcome, next) = sign_in_ok(&user, INITIAL, &rules, &mut world);
    assert_eq!(outcome, SignInOutcome::Authenticated);
    assert_eq!(next.lockout, Lockout::default());
    let mut user = next;
    for _ in 0..5 {
        user = fail(&user, &rules, &mut world);
    }
    assert_eq!(user.lockout.consecutive_failures, 5);
    assert_eq!(
        user.lockout.locked_until, None,
        "only five since the success"
    );
    // The challenge for a temporary password is a success too.
    let mut world = World::new();
    let mut user = force_change(&mut world, &rules);
    for _ in 0..4 {
        user = fail(&user, &rules, &mut world);
    }
    let (_, next) = challenge(&user, TEMPORARY, &rules, &mut world);
    assert_eq!(next.lockout, Lockout::default());
}

// SPEC §6: the lockout state is part of the record, so whoever reads it back (another process,
// after a restart) is refused too.
#[test]
fn lockout_state_lives_in_the_record() {
    let rules = rules();
    let mut world = World::new();
    let mut user = confirmed(&mut world, &rules);
    for _ in 0..6 {
        user = fail(&user, &rules, &mut world);
    }
    // The stored record, read back by another process with its own entropy.
    let read_back = user.clone();
    let mut elsewhere = World {
        now: world.now,
        rng: userpool_core::testing::seeded_entropy(99),
    };
    assert_locked(&read_back, INITIAL, &rules, &mut elsewhere);
    // A new password from an administrator is a fresh start **(decision)**.
    let (reset, _) = userpool_core::transitions::admin_set_user_password(
        &user,
        &pw(PERMANENT),
        true,
        &rules,
        &mut world.ctx(),
    )
    .expect("admin set");
    assert_eq!(reset.lockout, Lockout::default());
    assert_eq!(
        sign_in_ok(&reset, PERMANENT, &rules, &mut world).0,
        SignInOutcome::Authenticated
    );
}

// SPEC §6: throttling is per user: one user's failures do not lock another.
#[test]
fn lockout_is_per_user() {
    let rules = rules();
    let mut world = World::new();
    let alice = confirmed(&mut world, &rules);
    let bob = confirmed(&mut world, &rules);
    let mut locked = alice.clone();
    for _ in 0..6 {
        locked = fail(&locked, &rules, &mut world);
    }
    assert_locked(&locked, INITIAL, &rules, &mut world);
    assert_eq!(
        sign_in_ok(&bob, INITIAL, &rules, &mut world).0,
        SignInOutcome::Authenticated
    );
}

// SPEC §6: inside a lockout the password is not even verified. Proof: a stored hash that
// cannot be verified (over the ceiling) still yields `Password attempts exceeded` while
// locked, and InternalErrorException once the lockout is over.
#[test]
fn attempts_inside_a_lockout_are_refused_without_verifying() {
    let rules = rules();
    let mut world = World::new();
    let mut user = confirmed(&mut world, &rules);
    for _ in 0..6 {
        user = fail(&user, &rules, &mut world);
    }
    let until = user.lockout.locked_until.expect("locked");
    let tampered = user
        .credential
        .as_ref()
        .expect("credential")
        .hash
        .as_phc()
        .replace("m=8,t=1,p=1", "m=4194304,t=1,p=1");
    if let Some(c) = user.credential.as_mut() {
        c.hash = userpool_core::PasswordHash::parse(&tampered).expect("well formed");
    }
    assert_locked(&user, INITIAL, &rules, &mut world);
    world.now = until;
    let r = sign_in_refused(&user, INITIAL, &rules, &mut world);
    assert_eq!(r.error.code(), "InternalErrorException");
}

// SPEC §6 with host settings at their extremes: a huge first lockout and a clock near the end
// of time saturate instead of overflowing — bad configuration never panics.
#[test]
fn extreme_lockout_settings_and_clock_saturate_without_panicking() {
    let mut rules = rules();
    rules.lockout.first_lockout = TimeDelta::days(365 * 1000);
    rules.lockout.max_lockout = TimeDelta::MAX;
    let mut world = World::new();
    let mut user = confirmed(&mut world, &rules);
    world.now = chrono::DateTime::<chrono::Utc>::MAX_UTC - TimeDelta::days(1);
    for _ in 0..8 {
        let r = sign_in_refused(&user, OTHER, &rules, &mut world);
        if let Some(record) = r.record {
            user = *record;
        }
    }
    assert!(user.lockout.locked_until.is_some());
}
