//! SPEC §6: sign-in — the order of checks, the NEW_PASSWORD_REQUIRED session (single-use,
//! expiring, bound to user and credential), the answer's rules, re-hashing on upgrade, and
//! unknown users. Throttling is in `spec_6_lockout.rs`.

mod common;

use chrono::TimeDelta;
use common::*;
use userpool_core::{
    HashParams, HistoryMode, PasswordHasher, PasswordPolicy, SignInOutcome, UserRecord, UserStatus,
    signin, transitions,
};

const NOT_AUTHORIZED: &str = "NotAuthorizedException";
const INCORRECT: &str = "Incorrect username or password.";
const INVALID_SESSION: &str = "Invalid session for the user.";

// SPEC §6: the password is verified before any state is revealed; then disabled, UNCONFIRMED,
// RESET_REQUIRED, expired temporary password, in that order.
#[test]
fn wrong_password_is_reported_before_any_state() {
    let rules = rules();
    // (how to reach the state, right password, error code, message with the right password)
    type Setup = fn(&mut World, &userpool_core::PoolRules) -> UserRecord;
    let disabled: Setup = |w, r| {
        let user = confirmed(w, r);
        transitions::admin_disable_user(&user, &mut w.ctx())
            .expect("disable")
            .0
    };
    let unconfirmed_user: Setup = |w, r| unconfirmed(w, r).0;
    let reset: Setup = |w, r| reset_required(w, r).0;
    let expired: Setup = |w, r| {
        let user = force_change(w, r);
        w.advance(TimeDelta::days(7));
        user
    };
    let disabled_unconfirmed: Setup = |w, r| {
        let user = unconfirmed(w, r).0;
        transitions::admin_disable_user(&user, &mut w.ctx())
            .expect("disable")
            .0
    };
    let disabled_reset: Setup = |w, r| {
        let user = reset_required(w, r).0;
        transitions::admin_disable_user(&user, &mut w.ctx())
            .expect("disable")
            .0
    };
    let cases: [(&str, Setup, &str, &str, &str); 6] = [
        (
            "disabled",
            disabled,
            INITIAL,
            NOT_AUTHORIZED,
            "User is disabled.",
        ),
        (
            "unconfirmed",
            unconfirmed_user,
            INITIAL,
            "UserNotConfirmedException",
            "User is not confirmed.",
        ),
        (
            "reset required",
            reset,
            INITIAL,
            "PasswordResetRequiredException",
            "Password reset required for the user",
        ),
        (
            "expired temporary",
            expired,
            TEMPORARY,
            NOT_AUTHORIZED,
            "Temporary password has expired and must be reset by an administrator.",
        ),
        (
            "disabled before unconfirmed",
            disabled_unconfirmed,
            INITIAL,
            NOT_AUTHORIZED,
            "User is disabled.",
        ),
        (
            "disabled before reset",
            disabled_reset,
            INITIAL,
            NOT_AUTHORIZED,
            "User is disabled.",
        ),
    ];
    for (what, setup, right, code, message) in cases {
        let mut world = World::new();
        let user = setup(&mut world, &rules);
        let wrong = sign_in_refused(&user, OTHER, &rules, &mut world);
        assert_error(&wrong.error, NOT_AUTHORIZED, INCORRECT);
        assert!(wrong.record.is_some(), "{what}: the failure is recorded");
        let right = sign_in_refused(&user, right, &rules, &mut world);
        assert_error(&right.error, code, message);
        assert!(right.record.is_none(), "{what}: nothing to write");
    }
}

// SPEC §6: a permanent password gives success; a temporary one the challenge with a session.
#[test]
fn sign_in_results_are_success_or_challenge() {
    let rules = rules();
    let mut world = World::new();
    let user = confirmed(&mut world, &rules);
    let signed = signin::sign_in(&user, &pw(INITIAL), &rules, &mut world.ctx()).expect("sign in");
    assert_eq!(signed.outcome, SignInOutcome::Authenticated);
    assert!(signed.record.is_none(), "nothing changed, nothing to write");

    let user = force_change(&mut world, &rules);
    let (session, record) = challenge(&user, TEMPORARY, &rules, &mut world);
    assert_eq!(session.len(), 43, "256 bits, unpadded base64url");
    let open = record.pending_challenge.as_ref().expect("challenge stored");
    assert_eq!(open.expires_at, world.now + TimeDelta::minutes(3));
    assert!(
        !format!("{record:?}").contains(&session),
        "only a digest is kept"
    );
    let (other_session, _) = challenge(&user, TEMPORARY, &rules, &mut world);
    assert_ne!(session, other_session, "sessions are random");
}

// SPEC §6: the session is single-use.
#[test]
fn challenge_session_is_single_use() {
    let rules = rules();
    let mut world = World::new();
    let user = force_change(&mut world, &rules);
    let (session, challenged) = challenge(&user, TEMPORARY, &rules, &mut world);
    let (confirmed, _) = answer_new_password(&challenged, &session, PERMANENT, &rules, &mut world)
        .expect("first use");
    let e = err(answer_new_password(
        &confirmed, &session, OTHER, &rules, &mut world,
    ));
    assert_error(&e, NOT_AUTHORIZED, INVALID_SESSION);
    // Even replayed against a record that still had the challenge open, a newer sign-in
    // replaced it.
    let (_, rechallenged) = challenge(&challenged, TEMPORARY, &rules, &mut world);
    let e = err(answer_new_password(
        &rechallenged,
        &session,
        OTHER,
        &rules,
        &mut world,
    ));
    assert_error(&e, NOT_AUTHORIZED, INVALID_SESSION);
}

// SPEC §6: the session expires after 3 minutes by default, configurable 3..=15.
#[test]
fn challenge_session_expires_after_three_minutes() {
    let mut rules = rules();
    for (minutes, configure) in [(3, None), (15, Some(15)), (7, Some(7))] {
        if let Some(m) = configure {
            rules.set_challenge_validity_minutes(m).expect("in range");
        }
        let mut world = World::new();
        let user = force_change(&mut world, &rules);
        let (session, challenged) = challenge(&user, TEMPORARY, &rules, &mut world);
        let opened = world.now;
        world.now = opened + TimeDelta::minutes(minutes);
        let e = err(answer_new_password(
            &challenged,
            &session,
            PERMANENT,
            &rules,
            &mut world,
        ));
        assert_error(&e, NOT_AUTHORIZED, INVALID_SESSION);
        world.now = opened + TimeDelta::minutes(minutes) - TimeDelta::nanoseconds(1);
        answer_new_password(&challenged, &session, PERMANENT, &rules, &mut world)
            .unwrap_or_else(|e| panic!("{minutes} min: still valid just before: {e}"));
    }
    for out_of_range in [2, 16, 0, -3] {
        let e = rules
            .set_challenge_validity_minutes(out_of_range)
            .expect_err("out of range");
        assert_error(
            &e,
            "InvalidParameterException",
            "1 validation error detected: Value at 'AuthSessionValidity' failed to satisfy constraint: Member must have value between 3 and 15",
        );
    }
}

// SPEC §6: the session is bound to the credential that produced it: AdminSetUserPassword in
// between voids it, and so would any change of the credential under an open challenge.
#[test]
fn challenge_session_is_bound_to_the_credential() {
    let rules = rules();
    let mut world = World::new();
    let user = force_change(&mut world, &rules);
    let (session, challenged) = challenge(&user, TEMPORARY, &rules, &mut world);
    let (reset, _) = transitions::admin_set_user_password(
        &challenged,
        &pw(OTHER),
        false,
        &rules,
        &mut world.ctx(),
    )
    .expect("admin sets another temporary password");
    let e = err(answer_new_password(
        &reset, &session, PERMANENT, &rules, &mut world,
    ));
    assert_error(&e, NOT_AUTHORIZED, INVALID_SESSION);

    // The binding itself, not only the cleared challenge: keep the open challenge but swap the
    // credential underneath it (as a racing writer might).
    let mut swapped = challenged.clone();
    swapped.credential = reset.credential.clone();
    let e = err(answer_new_password(
        &swapped, &session, PERMANENT, &rules, &mut world,
    ));
    assert_error(&e, NOT_AUTHORIZED, INVALID_SESSION);

    // Disabling the user voids an open session too.
    let (disabled, _) =
        transitions::admin_disable_user(&challenged, &mut world.ctx()).expect("disable");
    let (enabled, _) = transitions::admin_enable_user(&disabled, &mut world.ctx()).expect("enable");
    let e = err(answer_new_password(
        &enabled, &session, PERMANENT, &rules, &mut world,
    ));
    assert_error(&e, NOT_AUTHORIZED, INVALID_SESSION);
}

// SPEC §6: a wrong, forged or other user's session token is refused.
#[test]
fn wrong_session_token_is_refused() {
    let rules = rules();
    let mut world = World::new();
    let user = force_change(&mut world, &rules);
    let (session, challenged) = challenge(&user, TEMPORARY, &rules, &mut world);
    let (_, bob) = {
        let (bob, _) = transitions::admin_create_user(
            name("bob"),
            Default::default(),
            Some(pw(TEMPORARY)),
            &rules,
            &mut world.ctx(),
        )
        .expect("bob");
        challenge(&bob, TEMPORARY, &rules, &mut world)
    };
    let mut flipped = session.clone().into_bytes();
    flipped[0] = if flipped[0] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(flipped).expect("ascii");
    for (what, record, token) in [
        ("empty", &challenged, String::new()),
        ("flipped character", &challenged, flipped),
        ("truncated", &challenged, session[..42].to_owned()),
        ("another user's session", &bob, session.clone()),
        ("no challenge open", &user, session.clone()),
    ] {
        let e = err(answer_new_password(
            record, &token, PERMANENT, &rules, &mut world,
        ));
        assert_eq!(
            (e.code(), e.to_string().as_str()),
            (NOT_AUTHORIZED, INVALID_SESSION),
            "{what}"
        );
    }
}

// SPEC §6 (revised): with history off Cognito accepts an answer equal to the temporary
// password and confirms the user; that is the default.
#[test]
fn answer_equal_to_the_temporary_password_is_accepted_with_history_off() {
    for mode in [HistoryMode::PerEntrySalt, HistoryMode::PerUserSalt] {
        let rules = rules_with_history(0, mode);
        assert!(!rules.policy.refuse_temporary_as_new(), "Cognito's default");
        let mut world = World::new();
        let user = force_change(&mut world, &rules);
        let (session, challenged) = challenge(&user, TEMPORARY, &rules, &mut world);
        let (next, _) = answer_new_password(&challenged, &session, TEMPORARY, &rules, &mut world)
            .expect("SPEC §6: the temporary password may be kept as the permanent one");
        assert_eq!(next.status, UserStatus::Confirmed);
        assert!(!next.has_temporary_password());
    }
}

// SPEC §6: a pool that opts in refuses the repeat with history off as
// InvalidPasswordException; with history on the repeat is always the history violation.
#[test]
fn answer_equal_to_the_temporary_password_is_refused_when_the_pool_opts_in_or_keeps_history() {
    for (size, code, message) in [
        (
            0,
            "InvalidPasswordException",
            "Password does not conform to policy: New password must differ from the temporary password",
        ),
        (
            1,
            "PasswordHistoryPolicyViolationException",
            "Password has previously been used",
        ),
        (
            5,
            "PasswordHistoryPolicyViolationException",
            "Password has previously been used",
        ),
    ] {
        for mode in [HistoryMode::PerEntrySalt, HistoryMode::PerUserSalt] {
            let mut rules = rules_with_history(size, mode);
            if size == 0 {
                rules.policy = PasswordPolicy::builder()
                    .refuse_temporary_as_new(true)
                    .build()
                    .expect("valid policy");
            }
            let mut world = World::new();
            let user = force_change(&mut world, &rules);
            let (session, challenged) = challenge(&user, TEMPORARY, &rules, &mut world);
            let e = err(answer_new_password(
                &challenged,
                &session,
                TEMPORARY,
                &rules,
                &mut world,
            ));
            assert_error(&e, code, message);
            // Policy comes first: a policy-breaking answer reports the policy.
            let e = err(answer_new_password(
                &challenged,
                &session,
                "short",
                &rules,
                &mut world,
            ));
            assert_error(
                &e,
                "InvalidPasswordException",
                "Password does not conform to policy: Password not long enough",
            );
            // The refused answers left the session usable.
            let (next, _) =
                answer_new_password(&challenged, &session, PERMANENT, &rules, &mut world)
                    .expect("a new password");
            assert_eq!(next.status, UserStatus::Confirmed);
        }
    }
}

// SPEC §6: when the stored hash's parameters differ from the pool's, a successful sign-in
// re-hashes the password; the PHC string then carries the new parameters.
#[test]
fn sign_in_rehashes_when_pool_parameters_changed() {
    for mode in [HistoryMode::PerEntrySalt, HistoryMode::PerUserSalt] {
        let old = rules_with_history(3, mode);
        let mut world = World::new();
        let user = confirmed(&mut world, &old);
        let stored = user.credential.as_ref().expect("credential").clone();
        assert!(stored.hash.as_phc().contains("$m=8,t=1,p=1$"));

        let mut upgraded = old.clone();
        upgraded.hasher =
            PasswordHasher::new(HashParams::new(32, 2, 1).expect("params")).expect("hasher");
        assert!(upgraded.hasher.needs_rehash(&stored.hash));
        world.advance(TimeDelta::minutes(1));
        let signed =
            signin::sign_in(&user, &pw(INITIAL), &upgraded, &mut world.ctx()).expect("sign in");
        assert_eq!(signed.outcome, SignInOutcome::Authenticated);
        let next = *signed.record.expect("re-hashed record to write");
        let credential = next.credential.as_ref().expect("credential");
        assert!(
            credential.hash.as_phc().contains("$m=32,t=2,p=1$"),
            "{:?}",
            credential.hash
        );
        assert_eq!(credential.hash.params(), Some(upgraded.hasher.params()));
        assert_eq!(
            (credential.kind, credential.set_at),
            (stored.kind, stored.set_at)
        );
        assert_eq!(next.status, user.status);
        assert_eq!(next.history, user.history);
        assert_eq!(next.modified_at, world.now);
        // The new hash works, and no further re-hash is needed.
        let again =
            signin::sign_in(&next, &pw(INITIAL), &upgraded, &mut world.ctx()).expect("sign in");
        assert_eq!(again.outcome, SignInOutcome::Authenticated);
        assert!(again.record.is_none());
        // A wrong password does not re-hash anything.
        let r = sign_in_refused(&user, OTHER, &upgraded, &mut world);
        let counted = r.record.expect("failure recorded");
        assert_eq!(counted.credential, user.credential);
        // History still refuses the password that was re-hashed.
        let e = err(transitions::admin_set_user_password(
            &next,
            &pw(INITIAL),
            true,
            &upgraded,
            &mut world.ctx(),
        ));
        assert_eq!(e.code(), "PasswordHistoryPolicyViolationException");
    }
}

// SPEC §6: an unknown user is UserNotFoundException, or `Incorrect username or password.`
// where the client prevents user-existence errors.
#[test]
fn unknown_user_is_not_found_or_incorrect_when_existence_is_hidden() {
    let rules = rules();
    let e = signin::sign_in_unknown_user(&pw(INITIAL), &rules, false);
    assert_error(&e, "UserNotFoundException", "User does not exist.");
    let e = signin::sign_in_unknown_user(&pw(INITIAL), &rules, true);
    assert_error(&e, NOT_AUTHORIZED, INCORRECT);
    // Same answer as a known user with a wrong password.
    let mut world = World::new();
    let user = confirmed(&mut world, &rules);
    let known = sign_in_refused(&user, OTHER, &rules, &mut world).error;
    assert_eq!((known.code(), known.to_string()), (e.code(), e.to_string()));
    // An EXTERNAL_PROVIDER user (no password) is refused the same way.
    let external_user = external(&mut world);
    let r = sign_in_refused(&external_user, INITIAL, &rules, &mut world);
    assert_error(&r.error, NOT_AUTHORIZED, INCORRECT);
}

// SPEC §6: only a hash *weaker* than the pool's parameters is upgraded; lowering the pool's
// cost never rewrites a stronger stored hash.
#[test]
fn sign_in_does_not_rehash_a_stronger_hash_after_the_cost_is_lowered() {
    let mut strong = rules();
    strong.hasher =
        PasswordHasher::new(HashParams::new(32, 2, 1).expect("params")).expect("hasher");
    let mut world = World::new();
    let user = confirmed(&mut world, &strong);
    let weak = rules();
    let stored = &user.credential.as_ref().expect("credential").hash;
    assert!(!weak.hasher.needs_rehash(stored));
    let signed = signin::sign_in(&user, &pw(INITIAL), &weak, &mut world.ctx()).expect("sign in");
    assert_eq!(signed.outcome, SignInOutcome::Authenticated);
    assert!(
        signed.record.is_none(),
        "nothing to write: the hash stays as strong as it was"
    );
}

// SPEC §4 and §6: a challenge session does not outlive the temporary password it answers,
// nor the user's access (a disabled user cannot complete it).
#[test]
fn challenge_cannot_be_answered_after_the_temporary_password_expired_or_the_user_was_disabled() {
    let rules = rules();
    let mut world = World::new();
    let user = force_change(&mut world, &rules);
    // Sign in one minute before the temporary password expires, answer two minutes later.
    world.advance(rules.policy.temporary_password_validity() - TimeDelta::minutes(1));
    let (session, user) = challenge(&user, TEMPORARY, &rules, &mut world);
    world.advance(TimeDelta::minutes(2));
    let e = err(answer_new_password(
        &user, &session, PERMANENT, &rules, &mut world,
    ));
    assert_error(
        &e,
        NOT_AUTHORIZED,
        "Temporary password has expired and must be reset by an administrator.",
    );

    // A disabled flag set on the record (as a store might hold it) refuses the answer.
    let mut world = World::new();
    let fresh = force_change(&mut world, &rules);
    let (session, mut user) = challenge(&fresh, TEMPORARY, &rules, &mut world);
    user.enabled = false;
    let e = err(answer_new_password(
        &user, &session, PERMANENT, &rules, &mut world,
    ));
    assert_error(&e, NOT_AUTHORIZED, "User is disabled.");
}
