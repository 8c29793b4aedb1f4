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
//! - the result's kind (and Cognito code) is the one the model predicts from SPEC;
//! - the record agrees with the model (status, flag, credential kind and expiry, history
//!   length, lockout), and the version is never moved by a transition.
#![cfg(feature = "test-util")]

mod common;

use chrono::{DateTime, TimeDelta, Utc};
use common::*;
use proptest::prelude::*;
use userpool_core::{
    AdminSetUserPasswordInput, CodePurpose, ConfirmationCode, CredentialKind, Error, Event,
    HistoryMode, PoolRules, Refused, SignInOutcome, UserRecord, UserStatus, signin, transitions,
};

/// Passwords that meet the default policy, few so that history repeats are frequent.
const VALID: [&str; 5] = [
    "Alpha-Pass1",
    "Bravo-Pass2",
    "Charlie-Pass3",
    "Delta-Pass4",
    "Echo-Pass5",
];
/// Passwords that break the default policy.
const WEAK: [&str; 3] = ["weakpass", "Sh0rt!", "NOLOWER-1"];
/// Inputs that break SPEC §1 (never become a `Password`).
const MALFORMED: [&str; 4] = [" lead", "trail ", "tab\there", "a"];

fn candidate(i: usize) -> &'static str {
    if i < VALID.len() {
        VALID[i]
    } else {
        WEAK[(i - VALID.len()) % WEAK.len()]
    }
}

/// The policy rule a weak password breaks first (SPEC §2), or `None` for a valid one.
fn weak_rule(password: &str) -> Option<&'static str> {
    match password {
        "weakpass" => Some("Password must have uppercase characters"),
        "Sh0rt!" => Some("Password not long enough"),
        "NOLOWER-1" => Some("Password must have lowercase characters"),
        _ => None,
    }
}

#[derive(Debug, Clone, Copy)]
enum Start {
    SignUp,
    AdminCreate,
    External,
    Confirmed,
}

#[derive(Debug, Clone)]
enum Op {
    Advance(TimeDelta),
    AdminSet {
        password: usize,
        permanent: bool,
    },
    MalformedSet(usize),
    SignIn {
        password: usize,
        use_current: bool,
    },
    Respond {
        password: usize,
        forged: bool,
        repeat_current: bool,
    },
    Change {
        previous: usize,
        use_current: bool,
        proposed: usize,
    },
    AdminReset,
    Forgot,
    ConfirmForgot {
        right_code: bool,
        password: usize,
    },
    AdminConfirm,
    Resend {
        password: usize,
    },
    Disable,
    Enable,
}

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

/// What SPEC says the user is, as far as these operations can tell.
#[derive(Debug, Clone)]
struct Model {
    status: UserStatus,
    enabled: bool,
    /// The current password and, for a temporary one, its expiry.
    current: Option<(&'static str, Option<DateTime<Utc>>)>,
    /// Previous permanent passwords, newest first.
    previous: Vec<&'static str>,
    code: Option<CodeModel>,
    session: Option<(String, DateTime<Utc>)>,
    failures: u32,
    last_failure: Option<DateTime<Utc>>,
    locked_until: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
struct CodeModel {
    purpose: CodePurpose,
    code: ConfirmationCode,
    expires_at: DateTime<Utc>,
    attempts: u32,
}

impl Model {
    /// The answer to NEW_PASSWORD_REQUIRED: a candidate, or the current (temporary) password.
    fn answer(&self, password: usize, repeat_current: bool) -> &'static str {
        match self.current {
            Some((current, _)) if repeat_current => current,
            _ => candidate(password),
        }
    }

    fn forbidden(&self, n: usize) -> Vec<&'static str> {
        if n == 0 {
            return Vec::new();
        }
        self.current
            .iter()
            .map(|(p, _)| *p)
            .chain(self.previous.iter().copied().take(n - 1))
            .collect()
    }

    /// A password replaced by a successful operation (SPEC §5, and the lockout/challenge/code
    /// decisions of the core).
    fn replace(
        &mut self,
        password: &'static str,
        temporary_until: Option<DateTime<Utc>>,
        n: usize,
    ) {
        if let Some((old, None)) = self.current {
            self.previous.insert(0, old);
        }
        self.previous.truncate(n.saturating_sub(1));
        self.current = Some((password, temporary_until));
        self.session = None;
        self.code = None;
        self.clear_lockout();
    }

    fn clear_lockout(&mut self) {
        self.failures = 0;
        self.last_failure = None;
        self.locked_until = None;
    }

    fn fail(&mut self, now: DateTime<Utc>) {
        let counted = match self.last_failure {
            Some(at) if now - at < TimeDelta::minutes(15) => self.failures,
            _ => 0,
        };
        self.failures = counted + 1;
        self.last_failure = Some(now);
        self.locked_until = self.failures.checked_sub(6).map(|k| {
            let lockout = TimeDelta::seconds(1i64 << k.min(20));
            now + lockout.min(TimeDelta::minutes(15))
        });
    }
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

    /// The Cognito code and exact message SPEC predicts, or `None` for success.
    fn predict(&self, op: &Op) -> Option<(&'static str, String)> {
        const NOT_AUTHORIZED: &str = "NotAuthorizedException";
        let fail = |code: &'static str, message: &str| Some((code, message.to_owned()));
        let not_authorized = |message: &str| fail(NOT_AUTHORIZED, message);
        let m = &self.model;
        let now = self.world.now;
        let current = m.current.map(|(p, _)| p);
        let sets = |password: &'static str| {
            if let Some(rule) = weak_rule(password) {
                fail(
                    "InvalidPasswordException",
                    &format!("Password does not conform to policy: {rule}"),
                )
            } else if m.forbidden(self.n).contains(&password) {
                fail(
                    "PasswordHistoryPolicyViolationException",
                    "Password has previously been used",
                )
            } else {
                None
            }
        };
        match *op {
            Op::Advance(_) | Op::Disable | Op::Enable => None,
            Op::MalformedSet(_) => fail(
                "InvalidParameterException",
                "1 validation error detected: Value at 'password' failed to satisfy constraint: \
                 Member must satisfy regular expression pattern: ^[\\S]+.*[\\S]+$",
            ),
            Op::AdminSet { password, .. } => sets(candidate(password)),
            Op::SignIn {
                password,
                use_current,
            } => {
                let typed = if use_current {
                    current.unwrap_or(VALID[0])
                } else {
                    candidate(password)
                };
                if m.locked_until.is_some_and(|until| now < until) {
                    not_authorized("Password attempts exceeded")
                } else if current != Some(typed) {
                    not_authorized("Incorrect username or password.")
                } else if !m.enabled {
                    not_authorized("User is disabled.")
                } else {
                    match (m.status, m.current) {
                        (UserStatus::Unconfirmed, _) => {
                            fail("UserNotConfirmedException", "User is not confirmed.")
                        }
                        (UserStatus::ResetRequired, _) => fail(
                            "PasswordResetRequiredException",
                            "Password reset required for the user",
                        ),
                        (_, Some((_, Some(expires_at)))) if now >= expires_at => not_authorized(
                            "Temporary password has expired and must be reset by an administrator.",
                        ),
                        _ => None,
                    }
                }
            }
            Op::Respond {
                password,
                forged,
                repeat_current,
            } => {
                let open = m.session.as_ref().is_some_and(|(_, until)| now < *until);
                let new = m.answer(password, repeat_current);
                if forged || !open || m.status != UserStatus::ForceChangePassword {
                    not_authorized("Invalid session for the user.")
                } else if self.n == 0 && weak_rule(new).is_none() && current == Some(new) {
                    fail(
                        "InvalidPasswordException",
                        "Password does not conform to policy: New password must differ from the temporary password",
                    )
                } else {
                    sets(new)
                }
            }
            Op::Change {
                previous,
                use_current,
                proposed,
            } => {
                let typed = if use_current {
                    current.unwrap_or(VALID[0])
                } else {
                    candidate(previous)
                };
                if m.status != UserStatus::Confirmed || !m.enabled || current != Some(typed) {
                    not_authorized("Incorrect username or password.")
                } else {
                    sets(candidate(proposed))
                }
            }
            Op::AdminReset => match m.status {
                UserStatus::Confirmed | UserStatus::ResetRequired => None,
                _ => not_authorized("User password cannot be reset in the current state."),
            },
            Op::Forgot => match (m.enabled, m.status) {
                (false, _) => not_authorized("User is disabled."),
                (true, UserStatus::Confirmed | UserStatus::ResetRequired) => None,
                _ => not_authorized("User password cannot be reset in the current state."),
            },
            Op::ConfirmForgot {
                right_code,
                password,
            } => {
                if !matches!(m.status, UserStatus::Confirmed | UserStatus::ResetRequired) {
                    return not_authorized("User password cannot be reset in the current state.");
                }
                match &m.code {
                    Some(c) if c.purpose == CodePurpose::PasswordReset && now < c.expires_at => {
                        if c.attempts >= 5 {
                            fail(
                                "LimitExceededException",
                                "Attempt limit exceeded, please try after some time.",
                            )
                        } else if !right_code {
                            fail(
                                "CodeMismatchException",
                                "Invalid verification code provided, please try again.",
                            )
                        } else {
                            sets(candidate(password))
                        }
                    }
                    _ => fail(
                        "ExpiredCodeException",
                        "Invalid code provided, please request a code again.",
                    ),
                }
            }
            Op::AdminConfirm => (m.status != UserStatus::Unconfirmed).then(|| {
                (
                    NOT_AUTHORIZED,
                    format!("User cannot be confirmed. Current status is {}", m.status),
                )
            }),
            Op::Resend { password } => {
                if m.status != UserStatus::ForceChangePassword {
                    fail(
                        "UnsupportedUserStateException",
                        "Resend not possible. alice status is not FORCE_CHANGE_PASSWORD",
                    )
                } else {
                    weak_rule(candidate(password)).and_then(|rule| {
                        fail(
                            "InvalidPasswordException",
                            &format!("Password does not conform to policy: {rule}"),
                        )
                    })
                }
            }
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

    /// Moves the model as SPEC says a successful `op` moves the user.
    fn advance_model(&mut self, op: &Op, session: Option<String>, code: Option<ConfirmationCode>) {
        let now = self.world.now;
        let n = self.n;
        let m = &mut self.model;
        let temporary_until = now + TimeDelta::days(7);
        match *op {
            Op::Advance(_) | Op::MalformedSet(_) => {}
            Op::AdminSet {
                password,
                permanent,
            } => {
                m.replace(
                    candidate(password),
                    (!permanent).then_some(temporary_until),
                    n,
                );
                m.status = if permanent {
                    UserStatus::Confirmed
                } else {
                    UserStatus::ForceChangePassword
                };
            }
            Op::SignIn { .. } => {
                m.clear_lockout();
                if let Some(token) = session {
                    m.session = Some((token, now + TimeDelta::minutes(3)));
                }
            }
            Op::Respond {
                password,
                repeat_current,
                ..
            } => {
                let answer = m.answer(password, repeat_current);
                m.replace(answer, None, n);
                m.status = UserStatus::Confirmed;
            }
            Op::ConfirmForgot { password, .. }
            | Op::Change {
                proposed: password, ..
            } => {
                m.replace(candidate(password), None, n);
                m.status = UserStatus::Confirmed;
            }
            Op::AdminReset | Op::Forgot => {
                if matches!(op, Op::AdminReset) {
                    m.status = UserStatus::ResetRequired;
                    m.session = None;
                }
                m.code = Some(CodeModel {
                    purpose: CodePurpose::PasswordReset,
                    code: code.expect("a reset code is issued"),
                    expires_at: now + TimeDelta::hours(1),
                    attempts: 0,
                });
            }
            Op::AdminConfirm => {
                m.status = UserStatus::Confirmed;
                m.code = None;
            }
            Op::Resend { password } => {
                m.current = Some((candidate(password), Some(temporary_until)));
                m.session = None;
            }
            Op::Disable => {
                m.enabled = false;
                m.session = None;
            }
            Op::Enable => m.enabled = true,
        }
    }

    fn step(&mut self, op: &Op) -> Result<(), TestCaseError> {
        if let Op::Advance(by) = op {
            self.world.advance(*by);
            return Ok(());
        }
        let before = self.user.clone();
        let expected = self.predict(op);
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
                self.advance_model(op, session, code);
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
