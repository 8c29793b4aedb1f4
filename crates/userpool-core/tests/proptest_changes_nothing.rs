//! SPEC §3 ("a failed operation changes nothing") as a property, with §4–§6 checked along
//! the way: random sequences of operations on one user, time advancing, driven against the
//! public reference model `userpool_core::testing::model` (after proptest-state-machine's
//! shape: the model predicts, the real transition runs, post-conditions compare).
//!
//! At every step:
//! - an `Err` leaves the record we hold exactly as it was, and the model (which moves only
//!   as SPEC says the predicted result moves the user) keeps predicting every later step —
//!   so a half-applied change would show up as a divergence later;
//! - a `Refused` that carries a record changed only bookkeeping (lockout, code attempts):
//!   status, `Enabled`, credential, history, history salt, challenge and version are those
//!   of the input;
//! - the result (success kind, or the Cognito code and exact message) is the one the model
//!   predicts;
//! - the record agrees with the model (status, flag, credential kind and expiry, history
//!   length, lockout, session, code, and the wrong code attempts and codes issued in the
//!   last hour per purpose, SPEC §12), and the version is never moved by a transition.
#![cfg(all(feature = "test-util", feature = "proptest"))]

mod common;

use chrono::TimeDelta;
use common::*;
use proptest::prelude::*;
use userpool_core::testing::model::{Expected, Model, Success};
use userpool_core::testing::ops::{EMAIL, Guess, Name, Op, USERNAME};
use userpool_core::{
    AliasAttribute, CodePurpose, ConfirmationCode, CredentialKind, Error, Event, HistoryMode,
    Password, PoolRules, Refused, SignInOutcome, UserRecord, signin, transitions,
};

/// The attributes the user is created with: the email address the alias lookups use.
fn email() -> std::collections::BTreeMap<String, String> {
    [("email".to_owned(), EMAIL.to_owned())].into()
}

/// The result of one real operation, reduced to what the post-conditions look at.
enum Actual {
    Ok {
        record: Option<Box<UserRecord>>,
        success: Success,
        session: Option<String>,
        code: Option<ConfirmationCode>,
    },
    Err(Error),
    Refused(Refused),
}

fn done(record: UserRecord, event: &Event) -> Actual {
    let code = match event {
        Event::CodeIssued { code, .. } => Some(code.clone()),
        _ => None,
    };
    Actual::Ok {
        record: Some(Box::new(record)),
        success: Success::Done,
        session: None,
        code,
    }
}

fn from_result(result: Result<(UserRecord, Event), Error>) -> Actual {
    match result {
        Ok((record, event)) => done(record, &event),
        Err(e) => Actual::Err(e),
    }
}

fn from_refusable(result: Result<(UserRecord, Event), Refused>) -> Actual {
    match result {
        Ok((record, event)) => done(record, &event),
        Err(r) => Actual::Refused(r),
    }
}

struct Case {
    rules: PoolRules,
    world: World,
    user: Option<UserRecord>,
    model: Model,
    session: Option<String>,
    code: Option<ConfirmationCode>,
}

impl Case {
    fn new(n: usize, mode: HistoryMode, seed: u64) -> Case {
        let rules = rules_with_history(n as i64, mode);
        let world = World::seeded(seed);
        let model = Model::new(rules.policy.clone(), world.now);
        Case {
            rules,
            world,
            user: None,
            model,
            session: None,
            code: None,
        }
    }

    /// Parses what `op` types; the first SPEC §1 failure is the operation's error.
    fn typed(&self, guesses: &[&Guess]) -> Result<Vec<Password>, Error> {
        guesses
            .iter()
            .map(|g| Password::parse(&self.model.resolve(g)))
            .collect()
    }

    fn run(&mut self, op: &Op) -> Actual {
        let guesses = op.guesses();
        let typed = match self.typed(&guesses) {
            Ok(typed) => typed,
            Err(e) => return Actual::Err(e),
        };
        let first = typed.first();
        let rules = &self.rules;
        let mut ctx = self.world.ctx();
        // The lookup layer (SPEC §8): the username and the `sub` find the user, the email
        // alias only while verified (`UserRecord::alias_values`, as the stores index it).
        let found = self.user.as_ref().filter(|user| {
            !op.by_name()
                || match self.model.name {
                    Name::Username | Name::Sub => true,
                    Name::Email => user
                        .alias_values(&[AliasAttribute::Email])
                        .iter()
                        .any(|(_, value)| *value == EMAIL),
                }
        });
        let Some(user) = found else {
            return match (op, first) {
                (Op::SignUp { .. }, Some(p)) if self.user.is_none() => from_result(
                    transitions::sign_up(name(USERNAME), p, email(), rules, &mut ctx),
                ),
                (Op::AdminCreateUser { .. }, Some(p)) if self.user.is_none() => {
                    from_result(transitions::admin_create_user(
                        name(USERNAME),
                        email(),
                        Some(p.clone()),
                        rules,
                        &mut ctx,
                    ))
                }
                (Op::FederatedSignIn, _) if self.user.is_none() => from_result(
                    transitions::external_provider_sign_in(name(USERNAME), email(), &mut ctx),
                ),
                (Op::AdvanceTime(_) | Op::UpdatePolicy { .. } | Op::UseName(_), _) => Actual::Ok {
                    record: None,
                    success: Success::Done,
                    session: None,
                    code: None,
                },
                _ => Actual::Err(Error::UserNotFound),
            };
        };
        let nothing = Actual::Ok {
            record: None,
            success: Success::Done,
            session: None,
            code: None,
        };
        let pw = |i: usize| typed.get(i).cloned().expect("typed");
        // The lookup layer's answer to creating an existing user, after the transition
        // checked the password (as the service's insert does).
        let exists = |result: Result<(UserRecord, Event), Error>| match result {
            Ok(_) => Actual::Err(Error::UsernameExists),
            Err(e) => Actual::Err(e),
        };
        match op {
            Op::AdvanceTime(_) | Op::FederatedSignIn => nothing,
            Op::SignUp { .. } => exists(transitions::sign_up(
                name(USERNAME),
                &pw(0),
                Default::default(),
                rules,
                &mut ctx,
            )),
            Op::AdminCreateUser { .. } => exists(transitions::admin_create_user(
                name(USERNAME),
                Default::default(),
                Some(pw(0)),
                rules,
                &mut ctx,
            )),
            Op::AdminSetUserPassword { permanent, .. } => from_result(
                transitions::admin_set_user_password(user, &pw(0), *permanent, rules, &mut ctx),
            ),
            Op::SignIn { .. } => match signin::sign_in(user, &pw(0), rules, &mut ctx) {
                Ok(signed) => {
                    let (success, session) = match &signed.outcome {
                        SignInOutcome::NewPasswordRequired { session } => {
                            (Success::Challenge, Some(session.expose().to_owned()))
                        }
                        SignInOutcome::Authenticated => (Success::Authenticated, None),
                        SignInOutcome::MfaRequired { .. } => {
                            unreachable!("these rules leave MFA OFF (SPEC §18)")
                        }
                    };
                    Actual::Ok {
                        record: signed.record,
                        success,
                        session,
                        code: None,
                    }
                }
                Err(r) => Actual::Refused(r),
            },
            Op::RespondToChallenge { forged_session, .. } => {
                let token = match (&self.session, forged_session) {
                    (Some(token), false) => token.clone(),
                    _ => "forged-session-token".to_owned(),
                };
                match transitions::respond_to_new_password_required(
                    user,
                    &token,
                    &pw(0),
                    rules,
                    &mut ctx,
                ) {
                    Ok((record, _)) => Actual::Ok {
                        record: Some(Box::new(record)),
                        success: Success::Authenticated,
                        session: None,
                        code: None,
                    },
                    Err(e) => Actual::Err(e),
                }
            }
            Op::ChangePassword { .. } => from_result(transitions::change_password(
                user,
                &pw(0),
                &pw(1),
                rules,
                &mut ctx,
            )),
            Op::AdminResetUserPassword => from_result(transitions::admin_reset_user_password(
                user, rules, &mut ctx,
            )),
            Op::ForgotPassword => from_result(transitions::forgot_password(user, rules, &mut ctx)),
            Op::ConfirmForgotPassword { right_code, .. } => {
                let code = match &self.code {
                    Some(c) if *right_code => c.clone(),
                    Some(c) => wrong_code(c),
                    None => ConfirmationCode::parse("000000").expect("digits"),
                };
                from_refusable(transitions::confirm_forgot_password(
                    user,
                    &code,
                    &pw(0),
                    rules,
                    &mut ctx,
                ))
            }
            Op::AdminConfirmSignUp => {
                from_result(transitions::admin_confirm_sign_up(user, &mut ctx))
            }
            Op::ConfirmSignUp { right_code } => {
                let code = match &self.code {
                    Some(c) if *right_code => c.clone(),
                    Some(c) => wrong_code(c),
                    None => ConfirmationCode::parse("000000").expect("digits"),
                };
                from_refusable(transitions::confirm_sign_up(user, &code, rules, &mut ctx))
            }
            Op::ResendConfirmationCode => {
                from_result(transitions::resend_confirmation_code(user, rules, &mut ctx))
            }
            Op::ResendInvitation { .. } => from_result(transitions::resend_invitation(
                user,
                Some(pw(0)),
                rules,
                &mut ctx,
            )),
            // The pool's policy changes; the user record is untouched (the model moves its
            // policy in `step`, the harness its rules below).
            Op::UpdatePolicy { .. } | Op::UseName(_) => nothing,
            Op::SetEmailVerified(verified) => {
                let updates = [("email_verified".to_owned(), verified.to_string())].into();
                from_result(transitions::admin_update_user_attributes(
                    user, &updates, &mut ctx,
                ))
            }
            Op::AdminDisableUser => from_result(transitions::admin_disable_user(user, &mut ctx)),
            Op::AdminEnableUser => from_result(transitions::admin_enable_user(user, &mut ctx)),
        }
    }

    fn step(&mut self, op: &Op) -> Result<(), TestCaseError> {
        let before = self.user.clone();
        let actual = self.run(op);
        let expected = self.model.step(op);
        if let Op::AdvanceTime(seconds) = op {
            self.world.advance(TimeDelta::seconds(i64::from(*seconds)));
        }
        if let Op::UpdatePolicy { .. } = op {
            // The real pool takes the policy the model now holds (`updated_policy`).
            self.rules.policy = self.model.policy.clone();
        }
        prop_assert_eq!(&self.user, &before, "the input record is never touched");
        let check_error = |error: &Error, expected: &Result<Success, Expected>| {
            prop_assert!(
                matches!(expected, Err(e) if e.matches(error)),
                "{:?}: {}: {} but the model expected {:?}",
                op,
                error.code(),
                error,
                expected
            );
            Ok(())
        };
        match actual {
            Actual::Ok {
                record,
                success,
                session,
                code,
            } => {
                prop_assert_eq!(Ok(success), expected.clone(), "{:?}", op);
                if let Some(record) = record {
                    self.user = Some(*record);
                }
                if session.is_some() {
                    self.session = session;
                }
                if code.is_some() {
                    self.code = code;
                }
            }
            Actual::Err(e) => check_error(&e, &expected)?,
            Actual::Refused(Refused { error, record }) => {
                check_error(&error, &expected)?;
                if let (Some(record), Some(before)) = (record, before) {
                    // Only bookkeeping moved.
                    prop_assert_eq!(record.status, before.status);
                    prop_assert_eq!(record.enabled, before.enabled);
                    prop_assert_eq!(&record.credential, &before.credential);
                    prop_assert_eq!(&record.history, &before.history);
                    prop_assert_eq!(record.history_salt, before.history_salt);
                    prop_assert_eq!(&record.pending_challenge, &before.pending_challenge);
                    prop_assert_eq!(record.version, before.version);
                    prop_assert_eq!(&record.attributes, &before.attributes);
                    prop_assert!(
                        matches!(
                            op,
                            Op::SignIn { .. }
                                | Op::ConfirmForgotPassword { .. }
                                | Op::ConfirmSignUp { .. }
                        ),
                        "{:?} refused with bookkeeping",
                        op
                    );
                    self.user = Some(*record);
                }
            }
        }
        self.check_agreement()
    }

    fn check_agreement(&self) -> Result<(), TestCaseError> {
        let (u, m) = match (&self.user, &self.model.user) {
            (None, None) => return Ok(()),
            (Some(u), Some(m)) => (u, m),
            (u, m) => return Err(TestCaseError::fail(format!("record {u:?} vs model {m:?}"))),
        };
        prop_assert_eq!(u.status, m.status);
        prop_assert_eq!(u.enabled, m.enabled);
        prop_assert_eq!(
            u.attributes.get("email_verified").map(String::as_str) == Some("true"),
            m.email_verified
        );
        prop_assert_eq!(u.version, 0, "transitions never move the version");
        match (&u.credential, &m.current) {
            (None, None) => {}
            (Some(c), Some(current)) => {
                let kind = current
                    .expires_at
                    .map_or(CredentialKind::Permanent, |expires_at| {
                        CredentialKind::Temporary { expires_at }
                    });
                prop_assert_eq!(c.kind, kind);
            }
            (c, current) => prop_assert!(false, "credential {:?} vs model {:?}", c, current),
        }
        prop_assert_eq!(u.history.len(), m.previous.len());
        // At most n − 1 entries as of the last password change (lowering n trims at the
        // next change, which the model's count above follows), never more than 23.
        prop_assert!(u.history.len() <= 23);
        prop_assert_eq!(u.lockout.consecutive_failures, m.failures);
        prop_assert_eq!(u.lockout.locked_until, m.locked_until);
        prop_assert_eq!(u.pending_challenge.is_some(), m.session_until.is_some());
        prop_assert_eq!(
            u.pending_code
                .as_ref()
                .map(|c| (c.purpose, c.failed_attempts)),
            m.code.as_ref().map(|c| (c.purpose, c.attempts))
        );
        // SPEC §12: the counts that still matter agree, per purpose.
        let now = self.world.now;
        for purpose in [CodePurpose::SignUp, CodePurpose::PasswordReset] {
            let stored = u.code_throttles.get(purpose);
            let counted = |events: &[chrono::DateTime<chrono::Utc>]| {
                events
                    .iter()
                    .filter(|&&at| now - at < self.rules.code_window)
                    .count()
            };
            let model = m.counts(purpose);
            prop_assert_eq!(
                (counted(&stored.failures), counted(&stored.issued)),
                (model.failures_at(now), model.issued_at(now)),
                "{:?} code counts",
                purpose
            );
        }
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    // SPEC §3: a failed operation changes nothing — not the status, the password, the
    // history, nor the version — and the user goes on behaving as SPEC says.
    #[test]
    fn failed_operations_change_nothing(
        n in prop_oneof![Just(0usize), Just(1), Just(3)],
        mode in prop_oneof![Just(HistoryMode::PerEntrySalt), Just(HistoryMode::PerUserSalt)],
        seed in any::<u64>(),
        ops in userpool_core::testing::strategies::ops(48),
    ) {
        let mut case = Case::new(n, mode, seed);
        for op in &ops {
            case.step(op)?;
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    // SPEC §3 and §5 with long histories: more than twelve passwords, history sizes up to
    // 24, and the size changed mid-sequence; a failed operation still changes nothing and
    // history refuses exactly what the model says.
    #[test]
    fn failed_operations_change_nothing_with_long_histories(
        n in prop_oneof![Just(13usize), Just(24)],
        mode in prop_oneof![Just(HistoryMode::PerEntrySalt), Just(HistoryMode::PerUserSalt)],
        seed in any::<u64>(),
        ops in userpool_core::testing::strategies::long_history_ops(64),
    ) {
        let mut case = Case::new(n, mode, seed);
        for op in &ops {
            case.step(op)?;
        }
    }
}

// SPEC §5: 24 remembered passwords (the current one and 23 before it) refuse each of them;
// the 25th-newest is accepted again; lowering the size to 13 trims the history to 12 at the
// next change; the model follows every step.
#[test]
fn twenty_four_passwords_fill_the_history_and_lowering_the_size_trims_it() {
    use userpool_core::testing::ops::numbered_password;
    let mut case = Case::new(24, HistoryMode::PerEntrySalt, 7);
    let set = |n: u8| Op::AdminSetUserPassword {
        password: Guess::Text(numbered_password(n)),
        permanent: true,
    };
    case.step(&Op::FederatedSignIn).expect("created");
    for n in 0..26 {
        case.step(&set(n)).expect("agrees");
    }
    let user = case.user.clone().expect("user");
    assert_eq!(
        user.history.len(),
        23,
        "the current password and 23 before it"
    );
    for n in 3..26 {
        case.step(&set(n)).expect("agrees");
    }
    assert_eq!(case.user.as_ref().map(|u| u.version), Some(0));
    // The refusals left the record as it was; the oldest two are free again.
    assert_eq!(case.user.as_ref(), Some(&user));
    case.step(&set(1)).expect("agrees");
    assert_ne!(
        case.user.as_ref(),
        Some(&user),
        "Numbered-Pass01 was accepted"
    );
    case.step(&Op::UpdatePolicy {
        history_size: 13,
        temporary_validity_days: 7,
    })
    .expect("agrees");
    assert_eq!(case.user.as_ref().map(|u| u.history.len()), Some(23));
    case.step(&set(2)).expect("agrees");
    assert_eq!(case.user.as_ref().map(|u| u.history.len()), Some(12));
}
