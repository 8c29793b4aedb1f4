//! SPEC §3 ("a failed operation changes nothing") as a property, with §4–§6 checked along
//! the way: random sequences of operations on one user, time advancing, driven against a
//! small reference model (after proptest-state-machine's shape: the model predicts, the
//! real transition runs, post-conditions compare).
//!
//! At every step:
//! - an `Err` leaves the record we hold exactly as it was, and the model (which only moves on
//!   success) keeps predicting every later step — so a half-applied change would show up as
//!   a divergence later;
//! - a `Refused` that carries a record changed only bookkeeping (lockout, code attempts):
//!   status, `Enabled`, credential, history, history salt, challenge and version are those
//!   of the input;
//! - the result (success, or the Cognito code and exact message) is the one the model
//!   (`model/mod.rs`) predicts from SPEC;
//! - the record agrees with the model (status, flag, credential kind and expiry, history
//!   length, lockout), and the version is never moved by a transition.
#![cfg(feature = "test-util")]

mod common;
mod model;

use chrono::TimeDelta;
use common::*;
use model::*;
use proptest::prelude::*;
use userpool_core::{
    AdminSetUserPasswordInput, CodePurpose, ConfirmationCode, CredentialKind, Error, Event,
    HistoryMode, PoolRules, Refused, SignInOutcome, UserRecord, UserStatus, signin, transitions,
};

fn op_strategy() -> impl Strategy<Value = Op> {
    let pick = 0..(VALID.len() + WEAK.len());
    let advance = prop_oneof![
        Just(TimeDelta::zero()),
        Just(TimeDelta::seconds(1)),
        Just(TimeDelta::minutes(2)),
        Just(TimeDelta::minutes(4)),
        Just(TimeDelta::minutes(16)),
        Just(TimeDelta::days(1)),
        Just(TimeDelta::days(8)),
    ];
    prop_oneof![
        3 => advance.prop_map(Op::Advance),
        4 => (pick.clone(), any::<bool>()).prop_map(|(password, permanent)| Op::AdminSet { password, permanent }),
        1 => (0..MALFORMED.len()).prop_map(Op::MalformedSet),
        5 => (pick.clone(), prop::bool::weighted(0.6)).prop_map(|(password, use_current)| Op::SignIn { password, use_current }),
        4 => (pick.clone(), prop::bool::weighted(0.15), prop::bool::weighted(0.25))
            .prop_map(|(password, forged, repeat_current)| Op::Respond { password, forged, repeat_current }),
        2 => (pick.clone(), prop::bool::weighted(0.7), pick.clone())
            .prop_map(|(previous, use_current, proposed)| Op::Change { previous, use_current, proposed }),
        1 => Just(Op::AdminReset),
        1 => Just(Op::Forgot),
        2 => (prop::bool::weighted(0.7), pick.clone()).prop_map(|(right_code, password)| Op::ConfirmForgot { right_code, password }),
        1 => Just(Op::AdminConfirm),
        1 => pick.prop_map(|password| Op::Resend { password }),
        1 => Just(Op::Disable),
        1 => Just(Op::Enable),
    ]
}

/// The result of one real operation, reduced to what the post-conditions look at.
enum Actual {
    Ok {
        record: Option<Box<UserRecord>>,
        session: Option<String>,
        code: Option<ConfirmationCode>,
    },
    Err(Error),
    Refused(Refused),
}

fn from_result(result: Result<(UserRecord, Event), Error>) -> Actual {
    match result {
        Ok((record, event)) => {
            let code = match event {
                Event::CodeIssued { code, .. } => Some(code),
                _ => None,
            };
            Actual::Ok {
                record: Some(Box::new(record)),
                session: None,
                code,
            }
        }
        Err(e) => Actual::Err(e),
    }
}

fn from_refusable(result: Result<(UserRecord, Event), Refused>) -> Actual {
    match result {
        Ok(ok) => from_result(Ok(ok)),
        Err(r) => Actual::Refused(r),
    }
}

struct Case {
    rules: PoolRules,
    n: usize,
    world: World,
    user: UserRecord,
    model: Model,
}

impl Case {
    fn start(start: Start, n: usize, mode: HistoryMode, seed: u64) -> Case {
        let rules = rules_with_history(n as i64, mode);
        let mut world = World::seeded(seed);
        let mut model = Model {
            status: UserStatus::Confirmed,
            enabled: true,
            current: Some((VALID[0], None)),
            previous: Vec::new(),
            code: None,
            session: None,
            failures: 0,
            last_failure: None,
            locked_until: None,
        };
        let user = match start {
            Start::SignUp | Start::Confirmed => {
                let (user, event) = transitions::sign_up(
                    name("alice"),
                    &pw(VALID[0]),
                    Default::default(),
                    &rules,
                    &mut world.ctx(),
                )
                .expect("sign up");
                model.status = UserStatus::Unconfirmed;
                model.code = Some(CodeModel {
                    purpose: CodePurpose::SignUp,
                    code: code_of(&event),
                    expires_at: world.now + TimeDelta::hours(24),
                    attempts: 0,
                });
                if matches!(start, Start::Confirmed) {
                    model.status = UserStatus::Confirmed;
                    model.code = None;
                    transitions::admin_confirm_sign_up(&user, &mut world.ctx())
                        .expect("confirm")
                        .0
                } else {
                    user
                }
            }
            Start::AdminCreate => {
                model.status = UserStatus::ForceChangePassword;
                model.current = Some((VALID[0], Some(world.now + TimeDelta::days(7))));
                transitions::admin_create_user(
                    name("alice"),
                    Default::default(),
                    Some(pw(VALID[0])),
                    &rules,
                    &mut world.ctx(),
                )
                .expect("create")
                .0
            }
            Start::External => {
                model.status = UserStatus::ExternalProvider;
                model.current = None;
                external(&mut world)
            }
        };
        Case {
            rules,
            n,
            world,
            user,
            model,
        }
    }

    fn run(&mut self, op: &Op) -> Actual {
        let rules = &self.rules;
        let user = &self.user;
        let current = self.model.current.map_or(VALID[0], |(p, _)| p);
        let mut ctx = self.world.ctx();
        match *op {
            Op::Advance(_) => Actual::Ok {
                record: None,
                session: None,
                code: None,
            },
            Op::AdminSet {
                password,
                permanent,
            } => from_result(transitions::admin_set_user_password(
                user,
                &pw(candidate(password)),
                permanent,
                rules,
                &mut ctx,
            )),
            Op::MalformedSet(i) => {
                match AdminSetUserPasswordInput::parse(
                    Some("us-east-1_abc"),
                    Some("alice"),
                    Some(MALFORMED[i]),
                    Some(true),
                ) {
                    Ok(input) => panic!("{:?} passed SPEC §1", input.password),
                    Err(e) => Actual::Err(e),
                }
            }
            Op::SignIn {
                password,
                use_current,
            } => {
                let typed = if use_current {
                    current
                } else {
                    candidate(password)
                };
                match signin::sign_in(user, &pw(typed), rules, &mut ctx) {
                    Ok(signed) => {
                        let session = match &signed.outcome {
                            SignInOutcome::NewPasswordRequired { session } => {
                                Some(session.expose().to_owned())
                            }
                            SignInOutcome::Authenticated => None,
                        };
                        Actual::Ok {
                            record: signed.record,
                            session,
                            code: None,
                        }
                    }
                    Err(r) => Actual::Refused(r),
                }
            }
            Op::Respond {
                password,
                forged,
                repeat_current,
            } => {
                let answer = self.model.answer(password, repeat_current);
                let token = match (&self.model.session, forged) {
                    (Some((token, _)), false) => token.clone(),
                    _ => "forged-session-token".to_owned(),
                };
                from_result(transitions::respond_to_new_password_required(
                    user,
                    &token,
                    &pw(answer),
                    rules,
                    &mut ctx,
                ))
            }
            Op::Change {
                previous,
                use_current,
                proposed,
            } => {
                let typed = if use_current {
                    current
                } else {
                    candidate(previous)
                };
                from_result(transitions::change_password(
                    user,
                    &pw(typed),
                    &pw(candidate(proposed)),
                    rules,
                    &mut ctx,
                ))
            }
            Op::AdminReset => from_result(transitions::admin_reset_user_password(
                user, rules, &mut ctx,
            )),
            Op::Forgot => from_result(transitions::forgot_password(user, rules, &mut ctx)),
            Op::ConfirmForgot {
                right_code,
                password,
            } => {
                let code = match &self.model.code {
                    Some(c) if right_code => c.code.clone(),
                    Some(c) => wrong_code(&c.code),
                    None => ConfirmationCode::parse("000000").expect("digits"),
                };
                from_refusable(transitions::confirm_forgot_password(
                    user,
                    &code,
                    &pw(candidate(password)),
                    rules,
                    &mut ctx,
                ))
            }
            Op::AdminConfirm => from_result(transitions::admin_confirm_sign_up(user, &mut ctx)),
            Op::Resend { password } => from_result(transitions::resend_invitation(
                user,
                Some(pw(candidate(password))),
                rules,
                &mut ctx,
            )),
            Op::Disable => from_result(transitions::admin_disable_user(user, &mut ctx)),
            Op::Enable => from_result(transitions::admin_enable_user(user, &mut ctx)),
        }
    }

    fn step(&mut self, op: &Op) -> Result<(), TestCaseError> {
        if let Op::Advance(by) = op {
            self.world.advance(*by);
            return Ok(());
        }
        let before = self.user.clone();
        let expected = self.model.predict(op, self.n, self.world.now);
        let actual = self.run(op);
        prop_assert_eq!(&self.user, &before, "the input record is never touched");
        match actual {
            Actual::Ok {
                record,
                session,
                code,
            } => {
                prop_assert!(
                    expected.is_none(),
                    "{:?}: succeeded, model expected {:?}",
                    op,
                    expected
                );
                self.model
                    .advance(op, self.n, self.world.now, session, code);
                if let Some(record) = record {
                    self.user = *record;
                }
            }
            Actual::Err(e) => {
                prop_assert_eq!(Some((e.code(), e.to_string())), expected, "{:?}", op);
            }
            Actual::Refused(Refused { error, record }) => {
                prop_assert_eq!(
                    Some((error.code(), error.to_string())),
                    expected.clone(),
                    "{:?}",
                    op
                );
                if let Some(record) = record {
                    // Only bookkeeping moved.
                    prop_assert_eq!(record.status, before.status);
                    prop_assert_eq!(record.enabled, before.enabled);
                    prop_assert_eq!(&record.credential, &before.credential);
                    prop_assert_eq!(&record.history, &before.history);
                    prop_assert_eq!(record.history_salt, before.history_salt);
                    prop_assert_eq!(&record.pending_challenge, &before.pending_challenge);
                    prop_assert_eq!(record.version, before.version);
                    prop_assert_eq!(&record.attributes, &before.attributes);
                    match op {
                        Op::SignIn { .. } => self.model.fail(self.world.now),
                        Op::ConfirmForgot { .. } => {
                            if let Some(c) = self.model.code.as_mut() {
                                c.attempts += 1;
                            }
                        }
                        other => prop_assert!(false, "{:?} refused with bookkeeping", other),
                    }
                    self.user = *record;
                }
            }
        }
        self.check_agreement()
    }

    fn check_agreement(&self) -> Result<(), TestCaseError> {
        let (u, m) = (&self.user, &self.model);
        prop_assert_eq!(u.status, m.status);
        prop_assert_eq!(u.enabled, m.enabled);
        prop_assert_eq!(u.version, 0, "transitions never move the version");
        match (&u.credential, m.current) {
            (None, None) => {}
            (Some(c), Some((_, expiry))) => {
                let kind = expiry.map_or(CredentialKind::Permanent, |expires_at| {
                    CredentialKind::Temporary { expires_at }
                });
                prop_assert_eq!(c.kind, kind);
            }
            (c, current) => prop_assert!(false, "credential {:?} vs model {:?}", c, current),
        }
        prop_assert_eq!(u.history.len(), m.previous.len());
        prop_assert!(u.history.len() <= self.n.saturating_sub(1));
        prop_assert_eq!(u.lockout.consecutive_failures, m.failures);
        prop_assert_eq!(u.lockout.locked_until, m.locked_until);
        prop_assert_eq!(u.pending_challenge.is_some(), m.session.is_some());
        prop_assert_eq!(
            u.pending_code
                .as_ref()
                .map(|c| (c.purpose, c.failed_attempts)),
            m.code.as_ref().map(|c| (c.purpose, c.attempts))
        );
        Ok(())
    }
}

fn start_strategy() -> impl Strategy<Value = Start> {
    prop_oneof![
        Just(Start::SignUp),
        Just(Start::AdminCreate),
        Just(Start::External),
        Just(Start::Confirmed)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    // SPEC §3: a failed operation changes nothing — not the status, the password, the
    // history, nor the version — and the user goes on behaving as SPEC says.
    #[test]
    fn failed_operations_change_nothing(
        start in start_strategy(),
        n in prop_oneof![Just(0usize), Just(1), Just(3)],
        mode in prop_oneof![Just(HistoryMode::PerEntrySalt), Just(HistoryMode::PerUserSalt)],
        seed in any::<u64>(),
        ops in prop::collection::vec(op_strategy(), 1..48),
    ) {
        let mut case = Case::start(start, n, mode, seed);
        case.check_agreement()?;
        for op in &ops {
            case.step(op)?;
        }
    }
}
