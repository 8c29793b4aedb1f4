//! SPEC §12: codes and account recovery cannot be brute-forced. Wrong code attempts are
//! counted per user and purpose across reissued codes; five in an hour refuse every check
//! until an hour after the first of them; at most five codes per user and purpose are
//! issued per rolling hour; a correct code resets both counts.
#![cfg(all(feature = "test-util", feature = "proptest"))]

mod common;

use chrono::{DateTime, TimeDelta, Utc};
use common::*;
use proptest::prelude::*;
use userpool_core::{
    CodePurpose, CodeThrottle, ConfirmationCode, Error, PoolRules, Refused, UserRecord, UserStatus,
    transitions,
};

const LIMIT: &str = "LimitExceededException";
const LIMIT_MESSAGE: &str = "Attempt limit exceeded, please try after some time.";
const MISMATCH: &str = "CodeMismatchException";

/// ConfirmForgotPassword with `code`: the record to continue from and the error, if any.
fn confirm_reset(
    user: &UserRecord,
    code: &ConfirmationCode,
    rules: &PoolRules,
    world: &mut World,
) -> (UserRecord, Option<Error>) {
    match confirm_forgot(user, code, PERMANENT, rules, world) {
        Ok((next, _)) => (next, None),
        Err(Refused { error, record }) => {
            (record.map_or_else(|| user.clone(), |r| *r), Some(error))
        }
    }
}

/// A wrong ConfirmForgotPassword that must be a counted CodeMismatch.
#[track_caller]
fn wrong_reset(user: &UserRecord, code: &ConfirmationCode, world: &mut World) -> UserRecord {
    let rules = rules();
    let r = refused(confirm_forgot(
        user,
        &wrong_code(code),
        PERMANENT,
        &rules,
        world,
    ));
    assert_eq!(r.error.code(), MISMATCH);
    *r.record.expect("a wrong code is counted and stored")
}

// SPEC §12: reissuing a code (ForgotPassword, AdminResetUserPassword) never resets the count
// of wrong attempts; after five, even the right fresh code is refused with LimitExceeded.
#[test]
fn wrong_attempts_survive_reissue_and_the_sixth_check_is_refused_even_with_a_fresh_code() {
    let rules = rules();
    let mut world = World::new();
    let mut user = confirmed(&mut world, &rules);
    let mut code;
    let mut counted = 0;
    // Four codes, five wrong attempts among them (two against the first).
    for round in 0..4 {
        // A fresh code each round, by either reissuing operation.
        (user, code) = if round % 2 == 0 {
            forgot(&user, &rules, &mut world)
        } else {
            let (next, event) =
                transitions::admin_reset_user_password(&user, &rules, &mut world.ctx())
                    .expect("reset");
            (next, code_of(&event))
        };
        assert_eq!(
            user.code_throttles.password_reset.failures.len(),
            counted,
            "reissuing kept the count"
        );
        for _ in 0..if round == 0 { 2 } else { 1 } {
            user = wrong_reset(&user, &code, &mut world);
            counted += 1;
        }
        world.advance(TimeDelta::minutes(1));
    }
    assert_eq!(counted, 5);
    // A sixth check: a brand-new code, the right one, is still refused before comparison.
    let (fresh, code) = forgot(&user, &rules, &mut world);
    let r = refused(confirm_forgot(&fresh, &code, PERMANENT, &rules, &mut world));
    assert_error(&r.error, LIMIT, LIMIT_MESSAGE);
    assert!(r.record.is_none(), "a refused check writes nothing");
    // So is a wrong one: nothing is compared and nothing counted.
    let r = refused(confirm_forgot(
        &fresh,
        &wrong_code(&code),
        PERMANENT,
        &rules,
        &mut world,
    ));
    assert_error(&r.error, LIMIT, LIMIT_MESSAGE);
    assert!(r.record.is_none());
}

// SPEC §12: the checks reopen exactly an hour after the first of the five wrong attempts,
// and then allow one more attempt per attempt that ages out (a rolling hour).
#[test]
fn checks_reopen_an_hour_after_the_first_wrong_attempt() {
    let rules = rules();
    let mut world = World::new();
    let (mut user, code) = forgot(&confirmed(&mut world, &rules), &rules, &mut world);
    let first = world.now;
    for _ in 0..5 {
        user = wrong_reset(&user, &code, &mut world);
        world.advance(TimeDelta::minutes(5));
    }
    // A fresh code (the old one expires after an hour), just before the hour is up.
    world.now = first + TimeDelta::minutes(59);
    let (user, code) = forgot(&user, &rules, &mut world);
    world.now = first + TimeDelta::hours(1) - TimeDelta::seconds(1);
    let (_, e) = confirm_reset(&user, &code, &rules, &mut world);
    assert_eq!(
        e.map(|e| e.code()),
        Some(LIMIT),
        "one second before the hour"
    );
    world.now = first + TimeDelta::hours(1);
    // The first attempt aged out: one check is allowed again, and a wrong one fills the
    // window up once more (the other four are younger than an hour).
    let user = wrong_reset(&user, &code, &mut world);
    let (_, e) = confirm_reset(&user, &code, &rules, &mut world);
    assert_eq!(e.map(|e| e.code()), Some(LIMIT), "the window is full again");
    // Five minutes later the second attempt aged out: the right code works.
    world.now = first + TimeDelta::hours(1) + TimeDelta::minutes(5);
    let (done, e) = confirm_reset(&user, &code, &rules, &mut world);
    assert!(e.is_none(), "the right code after the window: {e:?}");
    assert_eq!(done.status, UserStatus::Confirmed);
}

// SPEC §12: at most five codes per user and purpose per rolling hour; the sixth request is
// LimitExceeded and issues nothing (no record to write, so nothing to deliver).
#[test]
fn sixth_code_in_an_hour_is_refused_and_issues_nothing() {
    let rules = rules();
    let mut world = World::new();
    let mut user = confirmed(&mut world, &rules);
    let first = world.now;
    for i in 0..5 {
        user = if i == 2 {
            transitions::admin_reset_user_password(&user, &rules, &mut world.ctx())
                .expect("admin reset counts as an issuance")
                .0
        } else {
            forgot(&user, &rules, &mut world).0
        };
        world.advance(TimeDelta::minutes(10));
    }
    assert_eq!(user.code_throttles.password_reset.issued.len(), 5);
    let e = err(transitions::forgot_password(
        &user,
        &rules,
        &mut world.ctx(),
    ));
    assert_error(&e, LIMIT, LIMIT_MESSAGE);
    let e = err(transitions::admin_reset_user_password(
        &user,
        &rules,
        &mut world.ctx(),
    ));
    assert_error(&e, LIMIT, LIMIT_MESSAGE);
    // An hour after the first issuance, one more code can be issued.
    world.now = first + TimeDelta::hours(1);
    let (user, _) = forgot(&user, &rules, &mut world);
    let e = err(transitions::forgot_password(
        &user,
        &rules,
        &mut world.ctx(),
    ));
    assert_eq!(e.code(), LIMIT);
}

// SPEC §12: sign-up codes have their own counts: SignUp issues the first, so four
// ResendConfirmationCode calls fit in the hour and the fifth is refused.
#[test]
fn sign_up_and_resend_confirmation_code_share_the_sign_up_issuance_limit() {
    let rules = rules();
    let mut world = World::new();
    let (mut user, _) = unconfirmed(&mut world, &rules);
    for _ in 0..4 {
        user = transitions::resend_confirmation_code(&user, &rules, &mut world.ctx())
            .expect("resend")
            .0;
        world.advance(TimeDelta::minutes(1));
    }
    let e = err(transitions::resend_confirmation_code(
        &user,
        &rules,
        &mut world.ctx(),
    ));
    assert_error(&e, LIMIT, LIMIT_MESSAGE);
    assert!(
        user.code_throttles.password_reset.is_empty(),
        "the purposes are counted apart"
    );
}

// SPEC §12: wrong sign-up codes count across ResendConfirmationCode too.
#[test]
fn wrong_sign_up_codes_survive_resend_confirmation_code() {
    let rules = rules();
    let mut world = World::new();
    let (mut user, mut code) = unconfirmed(&mut world, &rules);
    for i in 0..5 {
        if i == 3 {
            let (next, event) =
                transitions::resend_confirmation_code(&user, &rules, &mut world.ctx())
                    .expect("resend");
            (user, code) = (next, code_of(&event));
        }
        let r = refused(transitions::confirm_sign_up(
            &user,
            &wrong_code(&code),
            &rules,
            &mut world.ctx(),
        ));
        assert_eq!(r.error.code(), MISMATCH);
        user = *r.record.expect("counted");
    }
    let (user, event) =
        transitions::resend_confirmation_code(&user, &rules, &mut world.ctx()).expect("resend");
    let r = refused(transitions::confirm_sign_up(
        &user,
        &code_of(&event),
        &rules,
        &mut world.ctx(),
    ));
    assert_error(&r.error, LIMIT, LIMIT_MESSAGE);
}

// SPEC §12: a correct code resets both counts of its purpose.
#[test]
fn a_correct_code_resets_both_counts() {
    let rules = rules();
    let mut world = World::new();
    let (mut user, mut code) = forgot(&confirmed(&mut world, &rules), &rules, &mut world);
    for _ in 0..3 {
        (user, code) = forgot(&user, &rules, &mut world);
    }
    for _ in 0..4 {
        user = wrong_reset(&user, &code, &mut world);
    }
    assert_eq!(user.code_throttles.password_reset.failures.len(), 4);
    assert_eq!(user.code_throttles.password_reset.issued.len(), 4);
    let (user, e) = confirm_reset(&user, &code, &rules, &mut world);
    assert!(e.is_none(), "{e:?}");
    assert_eq!(user.code_throttles.password_reset, CodeThrottle::default());
    // Five more codes fit in the same hour.
    let mut user = user;
    for _ in 0..5 {
        user = forgot(&user, &rules, &mut world).0;
    }
    assert_eq!(
        err(transitions::forgot_password(
            &user,
            &rules,
            &mut world.ctx()
        ))
        .code(),
        LIMIT
    );

    // And ConfirmSignUp's right code resets the sign-up counts.
    let mut world = World::new();
    let (user, code) = unconfirmed(&mut world, &rules);
    let r = refused(transitions::confirm_sign_up(
        &user,
        &wrong_code(&code),
        &rules,
        &mut world.ctx(),
    ));
    let user = *r.record.expect("counted");
    let (user, _) =
        transitions::confirm_sign_up(&user, &code, &rules, &mut world.ctx()).expect("confirm");
    assert!(user.code_throttles.sign_up.is_empty());
}

// ResendConfirmationCode: only for UNCONFIRMED users; Cognito answers `User is already
// confirmed.` otherwise. The old code stops working.
#[test]
fn resend_confirmation_code_only_for_unconfirmed_users() {
    let rules = rules();
    let mut world = World::new();
    let (user, old) = unconfirmed(&mut world, &rules);
    let (user, event) =
        transitions::resend_confirmation_code(&user, &rules, &mut world.ctx()).expect("resend");
    assert_eq!(user.status, UserStatus::Unconfirmed);
    let new = code_of(&event);
    if new.expose() != old.expose() {
        let r = refused(transitions::confirm_sign_up(
            &user,
            &old,
            &rules,
            &mut world.ctx(),
        ));
        assert_eq!(r.error.code(), MISMATCH, "the old code stopped working");
    }
    transitions::confirm_sign_up(&user, &new, &rules, &mut world.ctx()).expect("new code");

    for status in [
        UserStatus::Confirmed,
        UserStatus::ForceChangePassword,
        UserStatus::ResetRequired,
        UserStatus::ExternalProvider,
    ] {
        let mut world = World::new();
        let (other, _) = user_in(status, &mut world, &rules);
        let e = err(transitions::resend_confirmation_code(
            &other,
            &rules,
            &mut world.ctx(),
        ));
        assert_error(
            &e,
            "InvalidParameterException",
            "User is already confirmed.",
        );
    }
    let mut world = World::new();
    let (user, _) = unconfirmed(&mut world, &rules);
    let (user, _) = transitions::admin_disable_user(&user, &mut world.ctx()).expect("disable");
    let e = err(transitions::resend_confirmation_code(
        &user,
        &rules,
        &mut world.ctx(),
    ));
    assert_error(&e, "NotAuthorizedException", "User is disabled.");
}

/// An attacker's step: reissue or guess, or wait.
#[derive(Debug, Clone)]
enum Attack {
    ForgotPassword,
    AdminResetUserPassword,
    ResendConfirmationCode,
    ConfirmForgotPassword,
    ConfirmSignUp,
    AdminConfirmSignUp,
    Wait(i64),
}

fn attack() -> impl Strategy<Value = Attack> {
    prop_oneof![
        3 => Just(Attack::ForgotPassword),
        1 => Just(Attack::AdminResetUserPassword),
        2 => Just(Attack::ResendConfirmationCode),
        6 => Just(Attack::ConfirmForgotPassword),
        3 => Just(Attack::ConfirmSignUp),
        1 => Just(Attack::AdminConfirmSignUp),
        3 => (0i64..5_000).prop_map(Attack::Wait),
    ]
}

/// No six of `events` (in time order) fall within one hour.
fn at_most_five_per_rolling_hour(events: &[DateTime<Utc>]) -> bool {
    events
        .windows(6)
        .all(|w| w[5] - w[0] >= TimeDelta::hours(1))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    // SPEC §12: whatever sequence of reissues and wrong guesses, with time advancing by
    // random steps, at most five wrong codes per user and purpose are actually compared in
    // any rolling hour, and at most five codes are issued.
    #[test]
    fn at_most_five_wrong_checks_and_five_codes_per_rolling_hour(
        seed in any::<u64>(),
        attacks in proptest::collection::vec(attack(), 1..200),
    ) {
        let rules = rules();
        let mut world = World::seeded(seed);
        let (mut user, first_code) = unconfirmed(&mut world, &rules);
        let mut code = Some(first_code);
        let mut checked = [Vec::new(), Vec::new()];
        let mut issued = [vec![world.now], Vec::new()];
        let index = |p: CodePurpose| usize::from(p == CodePurpose::PasswordReset);
        for a in &attacks {
            let guess = code
                .as_ref()
                .map_or_else(|| ConfirmationCode::parse("000000").expect("digits"), wrong_code);
            let (purpose, result) = match a {
                Attack::Wait(seconds) => {
                    world.advance(TimeDelta::seconds(*seconds));
                    continue;
                }
                Attack::ForgotPassword => (
                    CodePurpose::PasswordReset,
                    transitions::forgot_password(&user, &rules, &mut world.ctx())
                        .map_err(Refused::from),
                ),
                Attack::AdminResetUserPassword => (
                    CodePurpose::PasswordReset,
                    transitions::admin_reset_user_password(&user, &rules, &mut world.ctx())
                        .map_err(Refused::from),
                ),
                Attack::ResendConfirmationCode => (
                    CodePurpose::SignUp,
                    transitions::resend_confirmation_code(&user, &rules, &mut world.ctx())
                        .map_err(Refused::from),
                ),
                Attack::ConfirmForgotPassword => (
                    CodePurpose::PasswordReset,
                    confirm_forgot(&user, &guess, PERMANENT, &rules, &mut world),
                ),
                Attack::ConfirmSignUp => (
                    CodePurpose::SignUp,
                    transitions::confirm_sign_up(&user, &guess, &rules, &mut world.ctx()),
                ),
                Attack::AdminConfirmSignUp => (
                    CodePurpose::SignUp,
                    transitions::admin_confirm_sign_up(&user, &mut world.ctx())
                        .map_err(Refused::from),
                ),
            };
            match result {
                Ok((next, event)) => {
                    if let userpool_core::Event::CodeIssued { code: c, .. } = &event {
                        issued[index(purpose)].push(world.now);
                        code = Some(c.clone());
                    }
                    prop_assert!(
                        !matches!(a, Attack::ConfirmForgotPassword | Attack::ConfirmSignUp),
                        "a wrong code was accepted"
                    );
                    user = next;
                }
                Err(Refused { error, record }) => {
                    if error.code() == MISMATCH {
                        checked[index(purpose)].push(world.now);
                    }
                    if let Some(record) = record {
                        user = *record;
                    }
                }
            }
        }
        for (events, what) in [
            (&checked[0], "sign-up checks"),
            (&checked[1], "reset checks"),
            (&issued[0], "sign-up codes"),
            (&issued[1], "reset codes"),
        ] {
            prop_assert!(at_most_five_per_rolling_hour(events), "{}: {:?}", what, events);
        }
    }
}
