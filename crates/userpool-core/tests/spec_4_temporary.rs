//! SPEC §4: temporary passwords — expiry at exactly `set_at + validity` under the policy in
//! force when set, checked only after the password verified; they only ever answer the
//! NEW_PASSWORD_REQUIRED challenge; time is an input.

mod common;

use chrono::TimeDelta;
use common::*;
use userpool_core::testing::insecure_fast_rules;
use userpool_core::{
    CredentialKind, PasswordPolicy, PoolRules, SignInOutcome, UserRecord, UserStatus, transitions,
};

const EXPIRED: &str = "Temporary password has expired and must be reset by an administrator.";
const INCORRECT: &str = "Incorrect username or password.";

fn rules_with_validity(days: i64) -> PoolRules {
    insecure_fast_rules(
        PasswordPolicy::builder()
            .temporary_password_validity_days(days)
            .build()
            .expect("validity in range"),
    )
}

fn is_challenge(outcome: &SignInOutcome) -> bool {
    matches!(outcome, SignInOutcome::NewPasswordRequired { .. })
}

/// Whether signing in as `user` with `password` answers NEW_PASSWORD_REQUIRED.
fn sign_in_challenges(
    user: &UserRecord,
    password: &str,
    rules: &PoolRules,
    world: &mut World,
) -> bool {
    is_challenge(&sign_in_ok(user, password, rules, world).0)
}

// SPEC §4: one nanosecond before `set_at + validity` the temporary password still yields the
// challenge; at that instant (and after) it fails with the expiry message.
#[test]
fn temporary_password_expires_at_exact_instant() {
    let rules = rules();
    let mut world = World::new();
    let created_at = world.now;
    let user = force_change(&mut world, &rules);
    let expires_at = created_at + TimeDelta::days(7);
    assert_eq!(
        user.credential.as_ref().map(|c| c.kind),
        Some(CredentialKind::Temporary { expires_at })
    );

    world.now = expires_at - TimeDelta::nanoseconds(1);
    let (outcome, _) = sign_in_ok(&user, TEMPORARY, &rules, &mut world);
    assert!(is_challenge(&outcome), "one nanosecond before expiry");

    for after in [
        TimeDelta::zero(),
        TimeDelta::nanoseconds(1),
        TimeDelta::days(400),
    ] {
        world.now = expires_at + after;
        let r = sign_in_refused(&user, TEMPORARY, &rules, &mut world);
        assert_error(&r.error, "NotAuthorizedException", EXPIRED);
        assert!(
            r.record.is_none(),
            "an expired password is not a failed attempt either"
        );
    }
}

// SPEC §4: expiry is checked only after the password verified, so a guesser at (or after)
// the expiry instant learns nothing — and the wrong guess counts as a failure.
#[test]
fn wrong_password_at_the_expiry_instant_is_just_incorrect() {
    let rules = rules();
    let mut world = World::new();
    let user = force_change(&mut world, &rules);
    world.advance(TimeDelta::days(7));
    let r = sign_in_refused(&user, OTHER, &rules, &mut world);
    assert_error(&r.error, "NotAuthorizedException", INCORRECT);
    let counted = r.record.expect("the failure is recorded");
    assert_eq!(counted.lockout.consecutive_failures, 1);
    // A disabled user with an expired temporary password hears that it is disabled first.
    let disabled = transitions::admin_disable_user(&user, &mut world.ctx())
        .expect("disable")
        .0;
    let r = sign_in_refused(&disabled, TEMPORARY, &rules, &mut world);
    assert_error(&r.error, "NotAuthorizedException", "User is disabled.");
}

// SPEC §2/§4: TemporaryPasswordValidityDays sets the expiry; 0 means the default, 7 days.
#[test]
fn validity_days_set_the_expiry_and_zero_means_seven() {
    for (configured, effective) in [(0, 7), (1, 1), (7, 7), (30, 30), (365, 365)] {
        let rules = rules_with_validity(configured);
        assert_eq!(
            rules.policy.temporary_password_validity(),
            TimeDelta::days(effective)
        );
        let mut world = World::new();
        let user = force_change(&mut world, &rules);
        let expires_at = world.now + TimeDelta::days(effective);
        world.now = expires_at - TimeDelta::seconds(1);
        let (outcome, _) = sign_in_ok(&user, TEMPORARY, &rules, &mut world);
        assert!(
            is_challenge(&outcome),
            "validity {configured}: a second before"
        );
        world.now = expires_at;
        let r = sign_in_refused(&user, TEMPORARY, &rules, &mut world);
        assert_error(&r.error, "NotAuthorizedException", EXPIRED);
    }
}

// SPEC §4: the policy in force when the password was set decides its expiry; changing the
// pool's validity later does not move it.
#[test]
fn expiry_follows_the_policy_in_force_when_set() {
    let short = rules_with_validity(1);
    let long = rules_with_validity(30);

    let mut world = World::new();
    let user = force_change(&mut world, &short);
    world.advance(TimeDelta::days(1));
    let r = sign_in_refused(&user, TEMPORARY, &long, &mut world);
    assert_error(&r.error, "NotAuthorizedException", EXPIRED);

    let mut world = World::new();
    let user = force_change(&mut world, &long);
    world.advance(TimeDelta::days(2));
    let (outcome, _) = sign_in_ok(&user, TEMPORARY, &short, &mut world);
    assert!(is_challenge(&outcome));
}

// SPEC §3/§4: AdminSetUserPassword temporary sets a new expiry counted from its own instant.
#[test]
fn admin_set_temporary_password_expires_validity_after_it_was_set() {
    let rules = rules();
    let mut world = World::new();
    let user = confirmed(&mut world, &rules);
    world.advance(TimeDelta::days(10));
    let set_at = world.now;
    let (user, _) = transitions::admin_set_user_password(
        &user,
        &pw(TEMPORARY),
        false,
        &rules,
        &mut world.ctx(),
    )
    .expect("set temporary");
    let credential = user.credential.as_ref().expect("credential");
    assert_eq!(credential.set_at, set_at);
    assert_eq!(
        credential.kind,
        CredentialKind::Temporary {
            expires_at: set_at + TimeDelta::days(7)
        }
    );
    world.now = set_at + TimeDelta::days(7) - TimeDelta::nanoseconds(1);
    assert!(sign_in_challenges(&user, TEMPORARY, &rules, &mut world));
    world.now = set_at + TimeDelta::days(7);
    let r = sign_in_refused(&user, TEMPORARY, &rules, &mut world);
    assert_error(&r.error, "NotAuthorizedException", EXPIRED);

    // The administrator's remedy: a new temporary password, which works again.
    let (user, _) =
        transitions::admin_set_user_password(&user, &pw(OTHER), false, &rules, &mut world.ctx())
            .expect("set again");
    assert!(sign_in_challenges(&user, OTHER, &rules, &mut world));
}

// SPEC §3/§4: RESEND restarts the expiry clock, also for an already expired invitation.
#[test]
fn resend_restarts_the_expiry_clock() {
    let rules = rules();
    let mut world = World::new();
    let user = force_change(&mut world, &rules);
    world.advance(TimeDelta::days(6));
    let resent_at = world.now;
    let (user, _) =
        transitions::resend_invitation(&user, Some(pw(OTHER)), &rules, &mut world.ctx())
            .expect("resend");
    world.advance(TimeDelta::days(2)); // 8 days after creation, 2 after the resend
    assert!(sign_in_challenges(&user, OTHER, &rules, &mut world));
    world.now = resent_at + TimeDelta::days(7);
    let r = sign_in_refused(&user, OTHER, &rules, &mut world);
    assert_error(&r.error, "NotAuthorizedException", EXPIRED);

    let (user, _) =
        transitions::resend_invitation(&user, Some(pw(PERMANENT)), &rules, &mut world.ctx())
            .expect("resend after expiry");
    assert!(sign_in_challenges(&user, PERMANENT, &rules, &mut world));
}

// SPEC §4: a temporary password answers only NEW_PASSWORD_REQUIRED: never tokens, not
// ChangePassword, and every sign-in with it is a fresh challenge.
#[test]
fn temporary_password_only_ever_yields_the_challenge() {
    let rules = rules();
    let mut world = World::new();
    let user = force_change(&mut world, &rules);
    let mut record = user.clone();
    for _ in 0..3 {
        let (outcome, next) = sign_in_ok(&record, TEMPORARY, &rules, &mut world);
        assert!(is_challenge(&outcome));
        assert_eq!(next.status, UserStatus::ForceChangePassword);
        assert!(next.pending_challenge.is_some());
        record = next;
        world.advance(TimeDelta::minutes(1));
    }
    let e = err(transitions::change_password(
        &record,
        &pw(TEMPORARY),
        &pw(PERMANENT),
        &rules,
        &mut world.ctx(),
    ));
    assert_error(&e, "NotAuthorizedException", INCORRECT);

    // Also a temporary password set by an administrator on a CONFIRMED user.
    let mut world = World::new();
    let user = confirmed(&mut world, &rules);
    let (user, _) = transitions::admin_set_user_password(
        &user,
        &pw(TEMPORARY),
        false,
        &rules,
        &mut world.ctx(),
    )
    .expect("set temporary");
    assert!(sign_in_challenges(&user, TEMPORARY, &rules, &mut world));
}

// SPEC §4: time is an input — the domain crate reads no clock and does no I/O.
#[test]
fn the_core_reads_no_clock_and_does_no_io() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let forbidden = [
        "Utc::now",
        "Local::now",
        "SystemTime",
        "Instant::now",
        "std::fs",
        "std::net",
        "std::env",
        "thread_rng",
        "OsRng",
    ];
    let mut files = 0;
    for entry in std::fs::read_dir(&src).expect("src dir") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "rs") {
            files += 1;
            let text = std::fs::read_to_string(&path).expect("source");
            for word in forbidden {
                assert!(!text.contains(word), "{} mentions {word}", path.display());
            }
        }
    }
    assert!(files >= 10, "found the sources");
}
