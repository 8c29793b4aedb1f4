//! SPEC §3: the rows of the transition table about confirmation and recovery: SignUp and
//! ConfirmSignUp / AdminConfirmSignUp, ChangePassword, AdminResetUserPassword, ForgotPassword
//! and ConfirmForgotPassword — each from every status it applies to, and refused from the
//! others. AdminSetUserPassword and the other rows are in `spec_3_transitions.rs`.

mod common;

use chrono::TimeDelta;
use common::*;
use userpool_core::{CredentialKind, Event, SignInOutcome, UserRecord, UserStatus, transitions};

const NOT_AUTHORIZED: &str = "NotAuthorizedException";
const CANNOT_RESET: &str = "User password cannot be reset in the current state.";

fn disable(user: &UserRecord, world: &mut World) -> UserRecord {
    transitions::admin_disable_user(user, &mut world.ctx())
        .expect("disable")
        .0
}

// SPEC §3: SignUp → UNCONFIRMED; ConfirmSignUp (code) and AdminConfirmSignUp → CONFIRMED.
#[test]
fn sign_up_is_unconfirmed_until_confirmed_by_code_or_admin() {
    let rules = rules();
    let mut world = World::new();
    let (user, code) = unconfirmed(&mut world, &rules);
    assert!(user.enabled);
    assert_eq!(
        user.credential.as_ref().map(|c| c.kind),
        Some(CredentialKind::Permanent)
    );
    let (by_code, event) =
        transitions::confirm_sign_up(&user, &code, &rules, &mut world.ctx()).expect("confirm");
    assert!(matches!(event, Event::Confirmed));
    assert_eq!(by_code.status, UserStatus::Confirmed);
    assert!(by_code.pending_code.is_none());
    let (outcome, _) = sign_in_ok(&by_code, INITIAL, &rules, &mut world);
    assert_eq!(outcome, SignInOutcome::Authenticated);

    let (by_admin, _) = transitions::admin_confirm_sign_up(&user, &mut world.ctx()).expect("admin");
    assert_eq!(by_admin.status, UserStatus::Confirmed);

    // From every other status, confirmation is refused with the current status named.
    for status in [
        UserStatus::ForceChangePassword,
        UserStatus::Confirmed,
        UserStatus::ResetRequired,
        UserStatus::ExternalProvider,
    ] {
        let mut world = World::new();
        let (other, _) = user_in(status, &mut world, &rules);
        let message = format!("User cannot be confirmed. Current status is {status}");
        let e = err(transitions::admin_confirm_sign_up(&other, &mut world.ctx()));
        assert_error(&e, NOT_AUTHORIZED, &message);
        let r = refused(transitions::confirm_sign_up(
            &other,
            &code,
            &rules,
            &mut world.ctx(),
        ));
        assert_error(&r.error, NOT_AUTHORIZED, &message);
        assert!(r.record.is_none());
    }
}

// SPEC §3: a wrong sign-up code is refused, counted (only the counter changes), and after the
// limit even the right code is refused; an expired code is refused.
#[test]
fn confirm_sign_up_counts_wrong_codes_and_expires() {
    let rules = rules();
    let mut world = World::new();
    let (mut user, code) = unconfirmed(&mut world, &rules);
    for attempt in 1..=5 {
        let r = refused(transitions::confirm_sign_up(
            &user,
            &wrong_code(&code),
            &rules,
            &mut world.ctx(),
        ));
        assert_error(
            &r.error,
            "CodeMismatchException",
            "Invalid verification code provided, please try again.",
        );
        let counted = *r.record.expect("the attempt is persisted");
        assert_eq!(counted.status, user.status);
        assert_eq!(counted.credential, user.credential);
        assert_eq!(counted.history, user.history);
        assert_eq!(counted.version, user.version);
        assert_eq!(
            counted.pending_code.as_ref().map(|p| p.failed_attempts),
            Some(attempt)
        );
        user = counted;
    }
    let r = refused(transitions::confirm_sign_up(
        &user,
        &code,
        &rules,
        &mut world.ctx(),
    ));
    assert_error(
        &r.error,
        "LimitExceededException",
        "Attempt limit exceeded, please try after some time.",
    );

    let mut world = World::new();
    let (user, code) = unconfirmed(&mut world, &rules);
    world.advance(TimeDelta::hours(24));
    let r = refused(transitions::confirm_sign_up(
        &user,
        &code,
        &rules,
        &mut world.ctx(),
    ));
    assert_error(
        &r.error,
        "ExpiredCodeException",
        "Invalid code provided, please request a code again.",
    );
    world.now -= TimeDelta::seconds(1);
    transitions::confirm_sign_up(&user, &code, &rules, &mut world.ctx())
        .expect("one second before expiry");
}

// SPEC §3: ChangePassword keeps a CONFIRMED user CONFIRMED and needs the current password;
// other statuses and disabled users are refused.
#[test]
fn change_password_is_confirmed_to_confirmed_and_needs_the_current_password() {
    let rules = rules();
    let mut world = World::new();
    let user = confirmed(&mut world, &rules);
    let e = err(transitions::change_password(
        &user,
        &pw(OTHER),
        &pw(PERMANENT),
        &rules,
        &mut world.ctx(),
    ));
    assert_error(&e, NOT_AUTHORIZED, "Incorrect username or password.");
    let (next, event) = transitions::change_password(
        &user,
        &pw(INITIAL),
        &pw(PERMANENT),
        &rules,
        &mut world.ctx(),
    )
    .expect("change");
    assert!(matches!(event, Event::PasswordChanged));
    assert_eq!(next.status, UserStatus::Confirmed);
    assert_eq!(
        sign_in_ok(&next, PERMANENT, &rules, &mut world).0,
        SignInOutcome::Authenticated
    );
    assert_error(
        &sign_in_refused(&next, INITIAL, &rules, &mut world).error,
        NOT_AUTHORIZED,
        "Incorrect username or password.",
    );

    let disabled = disable(&user, &mut world);
    let e = err(transitions::change_password(
        &disabled,
        &pw(INITIAL),
        &pw(PERMANENT),
        &rules,
        &mut world.ctx(),
    ));
    assert_eq!(e.code(), NOT_AUTHORIZED);
    for status in [
        UserStatus::Unconfirmed,
        UserStatus::ForceChangePassword,
        UserStatus::ResetRequired,
        UserStatus::ExternalProvider,
    ] {
        let mut world = World::new();
        let (other, password) = user_in(status, &mut world, &rules);
        let e = err(transitions::change_password(
            &other,
            &pw(password.unwrap_or(INITIAL)),
            &pw(PERMANENT),
            &rules,
            &mut world.ctx(),
        ));
        assert_eq!(e.code(), NOT_AUTHORIZED, "{status}");
    }
}

// SPEC §3: AdminResetUserPassword takes CONFIRMED to RESET_REQUIRED and the password stops
// working; from FORCE_CHANGE_PASSWORD (and, by decision, UNCONFIRMED and EXTERNAL_PROVIDER)
// it is refused with Cognito's message.
#[test]
fn admin_reset_user_password_from_confirmed_only() {
    let rules = rules();
    let mut world = World::new();
    let user = confirmed(&mut world, &rules);
    let (reset, event) =
        transitions::admin_reset_user_password(&user, &rules, &mut world.ctx()).expect("reset");
    assert_eq!(reset.status, UserStatus::ResetRequired);
    assert_eq!(
        reset.credential, user.credential,
        "the hash stays; the status stops it"
    );
    let first_code = code_of(&event);
    let r = sign_in_refused(&reset, INITIAL, &rules, &mut world);
    assert_error(
        &r.error,
        "PasswordResetRequiredException",
        "Password reset required for the user",
    );

    // Repeating it on RESET_REQUIRED issues a new code; the old one stops working.
    let (again, event) =
        transitions::admin_reset_user_password(&reset, &rules, &mut world.ctx()).expect("again");
    assert_eq!(again.status, UserStatus::ResetRequired);
    let second_code = code_of(&event);
    if second_code.expose() != first_code.expose() {
        let r = refused(confirm_forgot(
            &again,
            &first_code,
            PERMANENT,
            &rules,
            &mut world,
        ));
        assert_eq!(r.error.code(), "CodeMismatchException");
    }

    for status in [
        UserStatus::ForceChangePassword,
        UserStatus::Unconfirmed,
        UserStatus::ExternalProvider,
    ] {
        let mut world = World::new();
        let (other, _) = user_in(status, &mut world, &rules);
        let e = err(transitions::admin_reset_user_password(
            &other,
            &rules,
            &mut world.ctx(),
        ));
        assert_error(&e, NOT_AUTHORIZED, CANNOT_RESET);
    }
}

// SPEC §3: ForgotPassword + ConfirmForgotPassword take CONFIRMED and RESET_REQUIRED to
// CONFIRMED with the new password; ForgotPassword alone changes neither status nor password.
#[test]
fn forgot_and_confirm_forgot_password_from_confirmed_and_reset_required() {
    let rules = rules();
    for status in [UserStatus::Confirmed, UserStatus::ResetRequired] {
        let mut world = World::new();
        let (user, _) = user_in(status, &mut world, &rules);
        let (with_code, code) = forgot(&user, &rules, &mut world);
        assert_eq!(with_code.status, status);
        assert_eq!(with_code.credential, user.credential);
        if status == UserStatus::Confirmed {
            let (outcome, _) = sign_in_ok(&with_code, INITIAL, &rules, &mut world);
            assert_eq!(
                outcome,
                SignInOutcome::Authenticated,
                "the old password still works"
            );
        }
        let (next, event) = confirm_forgot(&with_code, &code, PERMANENT, &rules, &mut world)
            .expect("confirm forgot password");
        assert!(matches!(event, Event::PasswordReset));
        assert_eq!(next.status, UserStatus::Confirmed, "from {status}");
        assert!(next.pending_code.is_none(), "the code is used up");
        assert_eq!(
            sign_in_ok(&next, PERMANENT, &rules, &mut world).0,
            SignInOutcome::Authenticated
        );
        assert_error(
            &sign_in_refused(&next, INITIAL, &rules, &mut world).error,
            NOT_AUTHORIZED,
            "Incorrect username or password.",
        );
        let r = refused(confirm_forgot(&next, &code, OTHER, &rules, &mut world));
        assert_eq!(r.error.code(), "ExpiredCodeException", "a code works once");
    }

    for status in [
        UserStatus::Unconfirmed,
        UserStatus::ForceChangePassword,
        UserStatus::ExternalProvider,
    ] {
        let mut world = World::new();
        let (other, _) = user_in(status, &mut world, &rules);
        let e = err(transitions::forgot_password(
            &other,
            &rules,
            &mut world.ctx(),
        ));
        assert_error(&e, NOT_AUTHORIZED, CANNOT_RESET);
    }
    let mut world = World::new();
    let user = disable(&confirmed(&mut world, &rules), &mut world);
    let e = err(transitions::forgot_password(
        &user,
        &rules,
        &mut world.ctx(),
    ));
    assert_error(&e, NOT_AUTHORIZED, "User is disabled.");
}

// SPEC §3: a reset code expires after an hour and counts wrong attempts.
#[test]
fn reset_code_expires_and_counts_wrong_attempts() {
    let rules = rules();
    let mut world = World::new();
    let (user, code) = reset_required(&mut world, &rules);
    let r = refused(confirm_forgot(
        &user,
        &wrong_code(&code),
        PERMANENT,
        &rules,
        &mut world,
    ));
    assert_eq!(r.error.code(), "CodeMismatchException");
    let counted = r.record.expect("counted");
    assert_eq!(
        counted.pending_code.as_ref().map(|p| p.failed_attempts),
        Some(1)
    );
    assert_eq!(counted.status, UserStatus::ResetRequired);
    world.advance(TimeDelta::hours(1));
    let r = refused(confirm_forgot(
        &counted, &code, PERMANENT, &rules, &mut world,
    ));
    assert_eq!(r.error.code(), "ExpiredCodeException");
}
