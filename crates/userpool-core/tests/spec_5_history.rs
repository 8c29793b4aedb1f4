//! SPEC §5: password history (PasswordHistoryPolicyViolationException) — windows of 0, 1, 3
//! and 24, in both history modes, enforced by every operation that sets a password on an
//! existing user, temporary passwords dropped, lowering the size trims at the next change.

mod common;

use std::collections::BTreeMap;

use common::*;
use userpool_core::{
    Entropy, Error, HashParams, HistoryMode, Internal, PasswordHash, PasswordHasher, PoolRules,
    UserRecord, transitions,
};

const VIOLATION: &str = "PasswordHistoryPolicyViolationException";
const VIOLATION_MESSAGE: &str = "Password has previously been used";
const MODES: [HistoryMode; 2] = [HistoryMode::PerEntrySalt, HistoryMode::PerUserSalt];

/// Sets `password` permanently with AdminSetUserPassword.
fn set(
    user: &UserRecord,
    password: &str,
    rules: &PoolRules,
    world: &mut World,
) -> Result<UserRecord, Error> {
    transitions::admin_set_user_password(user, &pw(password), true, rules, &mut world.ctx())
        .map(|(u, _)| u)
}

/// Sets [`TEMPORARY`] as a temporary password with AdminSetUserPassword.
fn set_temporary(user: &UserRecord, rules: &PoolRules, world: &mut World) -> UserRecord {
    transitions::admin_set_user_password(user, &pw(TEMPORARY), false, rules, &mut world.ctx())
        .expect("temporary")
        .0
}

/// A federated user (no password) who then had `nth(0)..=nth(last)` set, in order.
fn with_passwords(last: usize, rules: &PoolRules, world: &mut World) -> UserRecord {
    let mut user = external(world);
    for i in 0..=last {
        user = set(&user, &nth(i), rules, world).unwrap_or_else(|e| panic!("password {i}: {e}"));
    }
    user
}

#[track_caller]
fn assert_violation(result: Result<impl std::fmt::Debug, Error>) {
    assert_error(&err(result), VIOLATION, VIOLATION_MESSAGE);
}

// SPEC §5: with PasswordHistorySize n, the current password and the n−1 permanent ones
// before it are refused, and the n-th older one is accepted; history keeps n−1 entries.
#[test]
fn history_window_refuses_current_and_n_minus_one_previous() {
    for mode in MODES {
        for n in [0usize, 1, 3, 24] {
            let case = format!("{mode:?}, n={n}");
            let rules = rules_with_history(n as i64, mode);
            let mut world = World::new();
            // Passwords 0..=n were set; n is current.
            let user = with_passwords(n, &rules, &mut world);
            assert_eq!(
                user.history.len(),
                n.saturating_sub(1),
                "{case}: entries kept"
            );
            for i in (1..=n).rev() {
                let result = set(&user, &nth(i), &rules, &mut world);
                assert_error(&err(result), VIOLATION, VIOLATION_MESSAGE);
            }
            // The n-th older password (or, with history off, the current one) is accepted.
            let accepted = set(&user, &nth(0), &rules, &mut world)
                .unwrap_or_else(|e| panic!("{case}: the oldest password is free again: {e}"));
            assert_eq!(
                accepted.history.len(),
                n.saturating_sub(1),
                "{case}: capped"
            );
            if n == 0 {
                set(&user, &nth(0), &rules, &mut world)
                    .expect("history off: the current password is allowed");
            }
        }
    }
}

// SPEC §5: every entry is a salted argon2id PHC string — per entry by default, one salt per
// user in the opt-in mode — and never the plaintext.
#[test]
fn history_entries_are_salted_argon2id_hashes() {
    for mode in MODES {
        let rules = rules_with_history(5, mode);
        let mut world = World::new();
        let user = with_passwords(4, &rules, &mut world);
        assert_eq!(user.history.len(), 4);
        let mut salts = Vec::new();
        for entry in user
            .history
            .iter()
            .chain(user.credential.as_ref().map(|c| &c.hash))
        {
            let phc = entry.as_phc();
            assert!(phc.starts_with("$argon2id$v=19$m=8,t=1,p=1$"), "{phc}");
            assert_eq!(PasswordHash::parse(phc).expect("well formed"), *entry);
            for i in 0..=4 {
                assert!(!phc.contains(&nth(i)));
            }
            salts.push(phc.split('$').nth(4).expect("salt").to_owned());
        }
        salts.sort();
        salts.dedup();
        match mode {
            HistoryMode::PerEntrySalt => assert_eq!(salts.len(), 5, "a salt per entry"),
            HistoryMode::PerUserSalt => {
                assert_eq!(salts.len(), 1, "one salt per user");
                assert!(user.history_salt.is_some());
            }
        }
    }
    // Two users of a per-user-salt pool do not share a salt.
    let rules = rules_with_history(3, HistoryMode::PerUserSalt);
    let a = with_passwords(1, &rules, &mut World::seeded(1));
    let b = with_passwords(1, &rules, &mut World::seeded(2));
    assert_ne!(a.history_salt, b.history_salt);
}

// SPEC §5 (decision): a replaced temporary password is dropped, not kept as a previous
// password; while it is current it counts.
#[test]
fn temporary_passwords_are_dropped_from_history() {
    for mode in MODES {
        let rules = rules_with_history(2, mode);
        let mut world = World::new();
        let user = with_passwords(0, &rules, &mut world); // nth(0) current, permanent
        let temp = set_temporary(&user, &rules, &mut world);
        assert_eq!(temp.history.len(), 1, "the permanent one moved to history");
        // While current, the temporary password counts.
        assert_violation(transitions::admin_set_user_password(
            &temp,
            &pw(TEMPORARY),
            true,
            &rules,
            &mut world.ctx(),
        ));
        let (session, challenged) = challenge(&temp, TEMPORARY, &rules, &mut world);
        assert_violation(answer_new_password(
            &challenged,
            &session,
            &nth(0),
            &rules,
            &mut world,
        ));
        let (after, _) = answer_new_password(&challenged, &session, &nth(1), &rules, &mut world)
            .expect("answer");
        // History keeps nth(0), not the temporary password: with n = 2 the window is
        // {nth(1), nth(0)}, so the old temporary password is free and nth(0) is not.
        assert_eq!(after.history.len(), 1);
        assert_violation(set(&after, &nth(0), &rules, &mut world));
        set(&after, TEMPORARY, &rules, &mut world).expect("the temporary password was dropped");
    }
}

// SPEC §5: lowering the size trims the history at the next change (and immediately narrows
// the window); raising it again does not bring trimmed entries back.
#[test]
fn lowering_history_size_trims_at_the_next_change() {
    for mode in MODES {
        let five = rules_with_history(5, mode);
        let two = rules_with_history(2, mode);
        let mut world = World::new();
        let user = with_passwords(4, &five, &mut world); // nth(4) current, history 3..0
        assert_eq!(user.history.len(), 4);
        // The window follows the pool's current size at once: nth(2) is outside n = 2.
        assert_violation(set(&user, &nth(3), &two, &mut world));
        let (changed, _) =
            transitions::admin_set_user_password(&user, &pw(&nth(2)), true, &two, &mut world.ctx())
                .expect("outside the narrower window");
        assert_eq!(changed.history.len(), 1, "trimmed to n − 1 at the change");
        // Back to five: only nth(2) (current) and nth(4) are remembered.
        assert_violation(set(&changed, &nth(2), &five, &mut world));
        assert_violation(set(&changed, &nth(4), &five, &mut world));
        set(&changed, &nth(3), &five, &mut world).expect("trimmed entries are forgotten");
        set(&changed, &nth(0), &five, &mut world).expect("trimmed entries are forgotten");
    }
}

// SPEC §5: history is enforced by AdminSetUserPassword (both kinds), the NEW_PASSWORD_REQUIRED
// answer, ChangePassword and ConfirmForgotPassword, in both modes.
#[test]
fn every_operation_that_sets_a_password_enforces_history() {
    for mode in MODES {
        let rules = rules_with_history(3, mode);
        let mut world = World::new();
        let user = with_passwords(2, &rules, &mut world); // nth(2) current, nth(1), nth(0) kept
        let previous = pw(&nth(1));
        let current = pw(&nth(2));

        for permanent in [true, false] {
            assert_violation(transitions::admin_set_user_password(
                &user,
                &previous,
                permanent,
                &rules,
                &mut world.ctx(),
            ));
            assert_violation(transitions::admin_set_user_password(
                &user,
                &current,
                permanent,
                &rules,
                &mut world.ctx(),
            ));
        }
        assert_violation(transitions::change_password(
            &user,
            &current,
            &previous,
            &rules,
            &mut world.ctx(),
        ));
        assert_violation(transitions::change_password(
            &user,
            &current,
            &current,
            &rules,
            &mut world.ctx(),
        ));

        let (with_code, code) = forgot(&user, &rules, &mut world);
        for candidate in [&previous, &current] {
            let r = refused(transitions::confirm_forgot_password(
                &with_code,
                &code,
                candidate,
                &rules,
                &mut world.ctx(),
            ));
            assert_error(&r.error, VIOLATION, VIOLATION_MESSAGE);
            assert!(r.record.is_none(), "the code is not consumed by a refusal");
        }
        confirm_forgot(&with_code, &code, OTHER, &rules, &mut world)
            .expect("a fresh password after the refusals");

        let temp = set_temporary(&user, &rules, &mut world);
        let (session, challenged) = challenge(&temp, TEMPORARY, &rules, &mut world);
        for candidate in [&previous, &current] {
            assert_violation(transitions::respond_to_new_password_required(
                &challenged,
                &session,
                candidate,
                &rules,
                &mut world.ctx(),
            ));
        }
        answer_new_password(&challenged, &session, OTHER, &rules, &mut world)
            .expect("the session survives refused answers");
    }
}

// SPEC §5: AdminCreateUser and SignUp (and AdminCreateUser's RESEND) check no history.
#[test]
fn creation_and_resend_do_not_check_history() {
    let rules = rules_with_history(24, HistoryMode::PerEntrySalt);
    let mut world = World::new();
    let user = force_change(&mut world, &rules);
    let (again, _) =
        transitions::resend_invitation(&user, Some(pw(TEMPORARY)), &rules, &mut world.ctx())
            .expect("RESEND may repeat the temporary password");
    assert!(again.history.is_empty());
    let (signed_up, _) = transitions::sign_up(
        name("bob"),
        &pw(TEMPORARY),
        BTreeMap::new(),
        &rules,
        &mut world.ctx(),
    )
    .expect("sign up");
    assert!(signed_up.history.is_empty());
}

/// An entropy source that always fails: a call that needs randomness then fails with
/// InternalErrorException.
struct NoEntropy;

impl Entropy for NoEntropy {
    fn fill(&mut self, _dest: &mut [u8]) -> userpool_core::Result<()> {
        Err(Internal::EntropyUnavailable.into())
    }
}

// SPEC §5: a match is reported before the new password is hashed (no salt is drawn for a
// password that is going to be refused).
#[test]
fn history_match_is_reported_before_hashing() {
    let rules = rules_with_history(3, HistoryMode::PerEntrySalt);
    let mut world = World::new();
    let user = with_passwords(2, &rules, &mut world);
    let mut none = NoEntropy;
    let mut ctx = userpool_core::Context::new(world.now, &mut none);
    let e = err(transitions::admin_set_user_password(
        &user,
        &pw(&nth(1)),
        true,
        &rules,
        &mut ctx,
    ));
    assert_eq!(
        e.code(),
        VIOLATION,
        "refused before any randomness was needed"
    );
    let e = err(transitions::admin_set_user_password(
        &user,
        &pw(OTHER),
        true,
        &rules,
        &mut ctx,
    ));
    assert_error(&e, "InternalErrorException", "An internal error occurred.");
    assert_eq!(e, Error::Internal(Internal::EntropyUnavailable));
}

// SPEC §5: entries made under another mode or other hashing parameters still count.
#[test]
fn history_survives_mode_and_parameter_changes() {
    let per_entry = rules_with_history(3, HistoryMode::PerEntrySalt);
    let per_user = rules_with_history(3, HistoryMode::PerUserSalt);
    let mut world = World::new();
    let user = with_passwords(2, &per_entry, &mut world);
    assert_violation(set(&user, &nth(1), &per_user, &mut world));
    let switched = set(&user, &nth(3), &per_user, &mut world).expect("new password");
    assert_violation(set(&switched, &nth(2), &per_user, &mut world));
    assert_violation(set(&switched, &nth(2), &per_entry, &mut world));

    let mut stronger = per_user.clone();
    stronger.hasher =
        PasswordHasher::new(HashParams::new(16, 1, 1).expect("params")).expect("hasher");
    assert_violation(set(&switched, &nth(3), &stronger, &mut world));
    assert_violation(set(&switched, &nth(2), &stronger, &mut world));
    let raised = set(&switched, &nth(4), &stronger, &mut world).expect("new password");
    assert_violation(set(&raised, &nth(3), &stronger, &mut world));
}

// SPEC §5: verifying entries in parallel or one by one gives the same answers; a pepper
// does not break either mode.
#[test]
fn sequential_parallel_and_peppered_history_agree() {
    for mode in MODES {
        for parallel in [false, true] {
            for pepper in [None, Some(b"host-held pepper".as_slice())] {
                let mut rules = rules_with_history(4, mode);
                rules.parallel_history = parallel;
                if let Some(pepper) = pepper {
                    rules.hasher = rules.hasher.clone().with_pepper(pepper).expect("pepper");
                }
                let mut world = World::new();
                let user = with_passwords(3, &rules, &mut world);
                for i in 0..=3 {
                    assert_violation(set(&user, &nth(i), &rules, &mut world));
                }
                set(&user, &nth(4), &rules, &mut world).expect("fresh");
            }
        }
    }
}
