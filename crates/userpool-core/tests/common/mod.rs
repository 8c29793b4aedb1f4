//! Helpers shared by the SPEC tests: a hand-driven clock with seeded entropy, the fast
//! (insecure) hasher, and ways to bring a user into each status through the transitions
//! themselves.
//!
//! Each test file uses a different subset, hence the `dead_code` allowance.
#![allow(dead_code)]

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};
use rand::rngs::StdRng;
use userpool_core::testing::{epoch, insecure_fast_rules, seeded_entropy};
use userpool_core::{
    CodePurpose, ConfirmationCode, Context, Error, Event, HistoryMode, Password, PasswordPolicy,
    PolicySubject, PoolRules, Refused, SignInOutcome, SignedIn, UserRecord, UserStatus, Username,
    signin, transitions,
};

/// A password that meets the default policy (8+, lower, upper, digit, symbol).
pub const INITIAL: &str = "Initial-Pass1";
/// A temporary password that meets the default policy.
pub const TEMPORARY: &str = "Temporary-Pass1";
/// Another password that meets the default policy.
pub const PERMANENT: &str = "Permanent-Pass1";
/// Yet another.
pub const OTHER: &str = "Other-Pass1";

/// The five statuses SPEC §3 says AdminSetUserPassword applies from.
pub const LIVE_STATUSES: [UserStatus; 5] = [
    UserStatus::Unconfirmed,
    UserStatus::ForceChangePassword,
    UserStatus::Confirmed,
    UserStatus::ResetRequired,
    UserStatus::ExternalProvider,
];

/// Parses a password that is known to meet SPEC §1.
#[track_caller]
pub fn pw(text: &str) -> Password {
    Password::parse(text).expect("test password meets SPEC §1")
}

/// Parses a username that is known to meet SPEC §1.
#[track_caller]
pub fn name(text: &str) -> Username {
    Username::parse(text).expect("test username meets SPEC §1")
}

/// The n-th distinct password meeting the default policy.
pub fn nth(n: usize) -> String {
    format!("History-Pass{n}!")
}

/// Cognito's default policy with the fast hasher.
pub fn rules() -> PoolRules {
    insecure_fast_rules(PasswordPolicy::default())
}

/// The default policy with `PasswordHistorySize = n` and the given history mode.
pub fn rules_with_history(n: i64, mode: HistoryMode) -> PoolRules {
    let policy = PasswordPolicy::builder()
        .password_history_size(n)
        .build()
        .expect("history size in range");
    let mut rules = insecure_fast_rules(policy);
    rules.history_mode = mode;
    rules
}

/// A clock advanced by hand and seeded entropy: everything a [`Context`] needs.
pub struct World {
    pub now: DateTime<Utc>,
    pub rng: StdRng,
}

impl World {
    pub fn new() -> Self {
        World::seeded(1)
    }

    pub fn seeded(seed: u64) -> Self {
        World {
            now: epoch(),
            rng: seeded_entropy(seed),
        }
    }

    pub fn ctx(&mut self) -> Context<'_> {
        Context::new(self.now, &mut self.rng)
    }

    pub fn advance(&mut self, by: TimeDelta) {
        self.now += by;
    }
}

/// The error of a result that must have failed.
#[track_caller]
pub fn err<T: std::fmt::Debug>(result: Result<T, Error>) -> Error {
    match result {
        Ok(value) => panic!("expected an error, got {value:?}"),
        Err(e) => e,
    }
}

/// The refusal of a result that must have failed.
#[track_caller]
pub fn refused<T: std::fmt::Debug>(result: Result<T, Refused>) -> Refused {
    match result {
        Ok(value) => panic!("expected a refusal, got {value:?}"),
        Err(r) => r,
    }
}

/// Asserts an error's Cognito code and exact message.
#[track_caller]
pub fn assert_error(error: &Error, code: &str, message: &str) {
    assert_eq!(error.code(), code, "code of {error:?}");
    assert_eq!(error.to_string(), message, "message of {error:?}");
}

/// The code an event carries for delivery.
#[track_caller]
pub fn code_of(event: &Event) -> ConfirmationCode {
    match event {
        Event::CodeIssued { code, .. } => code.clone(),
        other => panic!("expected a code, got {other:?}"),
    }
}

/// A code that differs from `code` (same length, digits only).
pub fn wrong_code(code: &ConfirmationCode) -> ConfirmationCode {
    let wrong: String = code
        .expose()
        .chars()
        .map(|c| if c == '0' { '1' } else { '0' })
        .collect();
    ConfirmationCode::parse(&wrong).expect("digits")
}

/// SignUp: UNCONFIRMED with `INITIAL`; returns the record and the sign-up code.
pub fn unconfirmed(world: &mut World, rules: &PoolRules) -> (UserRecord, ConfirmationCode) {
    let (user, event) = transitions::sign_up(
        name("alice"),
        &pw(INITIAL),
        BTreeMap::new(),
        rules,
        &mut world.ctx(),
    )
    .expect("sign up");
    assert_eq!(user.status, UserStatus::Unconfirmed);
    (user, code_of(&event))
}

/// AdminCreateUser: FORCE_CHANGE_PASSWORD with the temporary password `TEMPORARY`.
pub fn force_change(world: &mut World, rules: &PoolRules) -> UserRecord {
    let (user, _) = transitions::admin_create_user(
        name("alice"),
        BTreeMap::new(),
        Some(pw(TEMPORARY)),
        rules,
        &mut world.ctx(),
    )
    .expect("admin create user");
    assert_eq!(user.status, UserStatus::ForceChangePassword);
    user
}

/// SignUp then AdminConfirmSignUp: CONFIRMED with `INITIAL`.
pub fn confirmed(world: &mut World, rules: &PoolRules) -> UserRecord {
    let (user, _) = unconfirmed(world, rules);
    let (user, _) =
        transitions::admin_confirm_sign_up(&user, &mut world.ctx()).expect("admin confirm");
    assert_eq!(user.status, UserStatus::Confirmed);
    user
}

/// CONFIRMED then AdminResetUserPassword: RESET_REQUIRED; returns the reset code too.
pub fn reset_required(world: &mut World, rules: &PoolRules) -> (UserRecord, ConfirmationCode) {
    let user = confirmed(world, rules);
    let (user, event) =
        transitions::admin_reset_user_password(&user, rules, &mut world.ctx()).expect("reset");
    assert_eq!(user.status, UserStatus::ResetRequired);
    (user, code_of(&event))
}

/// A first federated sign-in: EXTERNAL_PROVIDER without a password.
pub fn external(world: &mut World) -> UserRecord {
    let (user, _) =
        transitions::external_provider_sign_in(name("alice"), BTreeMap::new(), &mut world.ctx())
            .expect("federated sign-in");
    assert_eq!(user.status, UserStatus::ExternalProvider);
    user
}

/// A user in `status`, reached through the transitions. The password the user holds (if
/// any) is returned beside the record.
pub fn user_in(
    status: UserStatus,
    world: &mut World,
    rules: &PoolRules,
) -> (UserRecord, Option<&'static str>) {
    match status {
        UserStatus::Unconfirmed => (unconfirmed(world, rules).0, Some(INITIAL)),
        UserStatus::ForceChangePassword => (force_change(world, rules), Some(TEMPORARY)),
        UserStatus::Confirmed => (confirmed(world, rules), Some(INITIAL)),
        UserStatus::ResetRequired => (reset_required(world, rules).0, Some(INITIAL)),
        UserStatus::ExternalProvider => (external(world), None),
        other => panic!("{other} is never produced"),
    }
}

/// Signs in and returns the outcome and the record to continue from.
#[track_caller]
pub fn sign_in_ok(
    user: &UserRecord,
    password: &str,
    rules: &PoolRules,
    world: &mut World,
) -> (SignInOutcome, UserRecord) {
    let signed: SignedIn = signin::sign_in(user, &pw(password), rules, &mut world.ctx())
        .unwrap_or_else(|r| panic!("sign-in refused: {}", r.error));
    let record = signed.record.map_or_else(|| user.clone(), |boxed| *boxed);
    (signed.outcome, record)
}

/// Signs in with a temporary password and returns the session token and the record
/// holding the open challenge.
#[track_caller]
pub fn challenge(
    user: &UserRecord,
    password: &str,
    rules: &PoolRules,
    world: &mut World,
) -> (String, UserRecord) {
    match sign_in_ok(user, password, rules, world) {
        (SignInOutcome::NewPasswordRequired { session }, record) => {
            (session.expose().to_owned(), record)
        }
        (other, _) => panic!("expected NEW_PASSWORD_REQUIRED, got {other:?}"),
    }
}

/// RespondToAuthChallenge `NEW_PASSWORD_REQUIRED`: answers `session` on `user` with
/// `password`, at the world's time.
pub fn answer_new_password(
    user: &UserRecord,
    session: &str,
    password: &str,
    rules: &PoolRules,
    world: &mut World,
) -> userpool_core::Result<(UserRecord, userpool_core::Event)> {
    userpool_core::transitions::respond_to_new_password_required(
        user,
        session,
        &pw(password),
        rules,
        &mut world.ctx(),
    )
}

/// The sign-in error (and bookkeeping record, if any) of a sign-in that must fail.
#[track_caller]
pub fn sign_in_refused(
    user: &UserRecord,
    password: &str,
    rules: &PoolRules,
    world: &mut World,
) -> Refused {
    match signin::sign_in(user, &pw(password), rules, &mut world.ctx()) {
        Ok(signed) => panic!("expected a refusal, got {:?}", signed.outcome),
        Err(r) => r,
    }
}

/// The password-reset code of a ForgotPassword call.
pub fn forgot(
    user: &UserRecord,
    rules: &PoolRules,
    world: &mut World,
) -> (UserRecord, ConfirmationCode) {
    let (user, event) =
        transitions::forgot_password(user, rules, &mut world.ctx()).expect("forgot password");
    match &event {
        Event::CodeIssued { purpose, .. } => assert_eq!(*purpose, CodePurpose::PasswordReset),
        other => panic!("expected a reset code, got {other:?}"),
    }
    (user, code_of(&event))
}

/// ConfirmForgotPassword: `code` and the new `password` on `user`, at the world's time.
pub fn confirm_forgot(
    user: &UserRecord,
    code: &ConfirmationCode,
    password: &str,
    rules: &PoolRules,
    world: &mut World,
) -> userpool_core::Result<(UserRecord, Event), userpool_core::Refused> {
    transitions::confirm_forgot_password(user, code, &pw(password), rules, &mut world.ctx())
}

/// Messages of the policy rules (SPEC §2), after the common prefix.
pub const INVALID_PASSWORD: &str = "InvalidPasswordException";
pub const PREFIX: &str = "Password does not conform to policy: ";
pub const NOT_LONG_ENOUGH: &str = "Password not long enough";
pub const LOWERCASE: &str = "Password must have lowercase characters";
pub const UPPERCASE: &str = "Password must have uppercase characters";
pub const NUMERIC: &str = "Password must have numeric characters";
pub const SYMBOL: &str = "Password must have symbol characters";

/// Checks each (description, password, `None` or the rule's message) against `policy`.
#[track_caller]
pub fn run_policy_table(
    policy: &PasswordPolicy,
    subject: PolicySubject<'_>,
    cases: &[(&str, &str, Option<&str>)],
) {
    for (what, password, expected) in cases {
        let result = policy.check(&pw(password), subject);
        match (result, expected) {
            (Ok(()), None) => {}
            (Ok(()), Some(rule)) => panic!("{what}: `{password}` accepted, expected `{rule}`"),
            (Err(e), None) => panic!("{what}: `{password}` refused with `{e}`"),
            (Err(e), Some(rule)) => {
                assert_eq!(e.code(), INVALID_PASSWORD, "{what}");
                assert_eq!(e.to_string(), format!("{PREFIX}{rule}"), "{what}");
            }
        }
    }
}
