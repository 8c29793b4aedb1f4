//! Model-based checking of the whole service over any [`Store`] (feature `test-util`):
//! sequences of [`Op`]s run through [`UserPools`] with a [`ManualClock`], and after every
//! step the service and the reference model of `userpool_core::testing::model` must agree.
//!
//! After each operation it checks:
//! - the result: success kind (done, tokens, the NEW_PASSWORD_REQUIRED challenge) or the
//!   Cognito code (and the exact message where the model predicts one);
//! - the stored record: status, `Enabled`, `email_verified` (the email alias finds the user
//!   only while verified; operations address the user by username, alias or `sub` as
//!   `Op::UseName` says), the credential's kind and expiry, history length,
//!   lockout, open challenge, pending code, and per purpose the wrong code attempts and
//!   codes issued that still count (SPEC §12);
//! - which passwords sign in, and with which outcome, and which passwords history refuses:
//!   probed for every test password and the current one by running the pure core decisions
//!   on a copy of the record read back from the store (the probes write nothing).
//!
//! The proptest wrapper is a few lines in the caller's test (see `tests/model_based.rs` in
//! this crate and in `userpool-sqlite`), so shrinking gives a short sequence of [`Op`]s
//! whose `Debug` pastes back into a regression test:
//!
//! ```
//! use std::sync::Arc;
//! use userpool_core::PasswordPolicy;
//! use userpool_core::testing::{Guess, Op};
//! use userpool::{MemoryStore, model_check};
//!
//! let ops = vec![
//!     Op::AdminCreateUser { temporary_password: Guess::from("Alpha-Pass1") },
//!     Op::SignIn { password: Guess::Current },
//!     Op::RespondToChallenge { new_password: Guess::from("Bravo-Pass2"), forged_session: false },
//!     Op::AdvanceTime(8 * 86_400),
//!     Op::SignIn { password: Guess::from("Bravo-Pass2") },
//! ];
//! model_check::run(Arc::new(MemoryStore::new()), PasswordPolicy::default(), 7, &ops)
//!     .unwrap_or_else(|d| panic!("{d}"));
//! ```

use std::fmt;
use std::sync::Arc;

use chrono::TimeDelta;
use userpool_core::testing::model::{Expected, Model, Success, updated_policy};
use userpool_core::testing::ops::{EMAIL, Guess, Name, Op, USERNAME, VALID_PASSWORDS};
use userpool_core::testing::{insecure_fast_rules, seeded_entropy};
use userpool_core::{
    AliasAttribute, CodePurpose, Context, CredentialKind, Error, HashParams, Password,
    PasswordPolicy, PoolRules, SignInOutcome, UserPoolId, UserRecord, signin, transitions,
};

use crate::{
    AuthResult, Caller, ClientSettings, ManualClock, MessageAction, PoolSettings, PoolUpdate,
    RecordingDelivery, SeededRandom, Store, UserKey, UserPools,
};

/// The attributes the user is created with: an email address, so that ForgotPassword has
/// somewhere to send its code (the service refuses a reset for a user with neither email
/// nor phone number, as Cognito does; the reference model does not track attributes).
const ATTRIBUTES: &[(&str, &str)] = &[("email", EMAIL)];

/// Where the service and the model parted.
#[derive(Debug, Clone)]
pub struct Divergence {
    /// The index of the step in the sequence (`None`: while setting up).
    pub step: Option<usize>,
    /// The operation.
    pub op: Option<Op>,
    /// What differed.
    pub detail: String,
}

impl fmt::Display for Divergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.step, &self.op) {
            (Some(step), Some(op)) => write!(f, "step {step}, {op:?}: {}", self.detail),
            _ => write!(f, "set-up: {}", self.detail),
        }
    }
}

impl std::error::Error for Divergence {}

/// The service under test beside the model.
pub struct ModelCheck<S: Store + ?Sized> {
    pools: UserPools<S>,
    store: Arc<S>,
    clock: Arc<ManualClock>,
    delivery: Arc<RecordingDelivery>,
    admin: Caller,
    pool_id: UserPoolId,
    client_id: String,
    rules: PoolRules,
    model: Model,
    session: Option<String>,
    steps: usize,
}

const FORGED_SESSION: &str = "forged-session-token-0000";

fn setup(detail: impl fmt::Display) -> Divergence {
    Divergence {
        step: None,
        op: None,
        detail: detail.to_string(),
    }
}

impl<S: Store + ?Sized> ModelCheck<S> {
    /// A new pool in `store` with `policy` and the insecure fast hasher, a client allowing
    /// the password flow, a clock at `userpool_core::testing::epoch()`, randomness from `seed`.
    ///
    /// # Errors
    /// When the pool or client cannot be created.
    pub fn new(store: Arc<S>, policy: PasswordPolicy, seed: u64) -> Result<Self, Divergence> {
        Self::with_prevention(store, policy, seed, false)
    }

    /// [`ModelCheck::new`] with the client's `PreventUserExistenceErrors` set as given (and
    /// the model told so).
    ///
    /// # Errors
    /// When the pool or client cannot be created.
    pub fn with_prevention(
        store: Arc<S>,
        policy: PasswordPolicy,
        seed: u64,
        prevent_user_existence_errors: bool,
    ) -> Result<Self, Divergence> {
        let now = userpool_core::testing::epoch();
        let clock = Arc::new(ManualClock::new(now));
        let delivery = Arc::new(RecordingDelivery::new());
        let pools = UserPools::builder(Arc::clone(&store))
            .clock(clock.clone())
            .random(Arc::new(SeededRandom::new(seed)))
            .delivery(delivery.clone())
            .build();
        let admin = Caller::new("model-check");
        let settings = PoolSettings {
            policy: policy.clone(),
            hash_params: HashParams::insecure_fast_for_tests(),
            alias_attributes: vec![AliasAttribute::Email],
            // Sign-up codes go to the email (SPEC §16: only to an auto-verified attribute).
            settings: userpool_core::PoolSettings {
                auto_verified_attributes: vec![userpool_core::VerifiableAttribute::Email],
                ..userpool_core::PoolSettings::default()
            },
            ..PoolSettings::default()
        };
        let pool = pools
            .create_user_pool(&admin, "model check", settings)
            .map_err(setup)?;
        let client = pools
            .create_user_pool_client(
                &admin,
                pool.id.as_str(),
                "model check",
                ClientSettings {
                    explicit_auth_flows: vec!["ALLOW_USER_PASSWORD_AUTH".into()],
                    prevent_user_existence_errors,
                    ..ClientSettings::default()
                },
            )
            .map_err(setup)?;
        Ok(ModelCheck {
            pools,
            store,
            clock,
            delivery,
            admin,
            pool_id: pool.id,
            client_id: client.client_id,
            rules: insecure_fast_rules(policy.clone()),
            model: Model {
                prevent_user_existence_errors,
                ..Model::new(policy, now)
            },
            session: None,
            steps: 0,
        })
    }

    /// The model, as it stands.
    #[must_use]
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Runs `op` on the service and the model and checks that they agree.
    ///
    /// # Errors
    /// The first difference found.
    pub fn step(&mut self, op: &Op) -> Result<(), Divergence> {
        let step = self.steps;
        self.steps += 1;
        let fail = |detail: String| Divergence {
            step: Some(step),
            op: Some(op.clone()),
            detail,
        };
        let actual = self.run(op);
        let expected = self.model.step(op);
        match (&actual, &expected) {
            (Ok(a), Ok(e)) if a == e => {}
            (Err(a), Err(e)) if e.matches(a) => {}
            (a, e) => {
                let a = a.as_ref().map_err(|e| format!("{}: {e}", e.code()));
                return Err(fail(format!("service gave {a:?}, model expected {e:?}")));
            }
        }
        self.agree().map_err(fail)
    }

    /// The name the model addresses the user by, as text (SPEC §8).
    fn name_text(&self) -> String {
        match self.model.name {
            Name::Username => USERNAME.to_owned(),
            Name::Email => EMAIL.to_owned(),
            Name::Sub => self
                .store
                .find_user(&self.pool_id, UserKey::Username(USERNAME))
                .ok()
                .flatten()
                .map_or_else(
                    || "00000000-0000-4000-8000-000000000000".to_owned(),
                    |u| u.sub.to_string(),
                ),
        }
    }

    fn run(&mut self, op: &Op) -> Result<Success, Error> {
        let who = self.name_text();
        let who = who.as_str();
        let text = |g: &Guess| self.model.resolve(g);
        let (pools, admin, pool, client) = (
            &self.pools,
            &self.admin,
            self.pool_id.as_str(),
            self.client_id.as_str(),
        );
        match op {
            Op::SignUp { password } => {
                done(pools.sign_up(client, USERNAME, &text(password), ATTRIBUTES))
            }
            Op::AdminCreateUser { temporary_password } => done(pools.admin_create_user(
                admin,
                pool,
                USERNAME,
                Some(&text(temporary_password)),
                ATTRIBUTES,
                None,
            )),
            Op::ResendInvitation { temporary_password } => done(pools.admin_create_user(
                admin,
                pool,
                USERNAME,
                Some(&text(temporary_password)),
                &[],
                Some(MessageAction::Resend),
            )),
            Op::FederatedSignIn => done(pools.federated_sign_in(pool, USERNAME, ATTRIBUTES)),
            Op::AdminConfirmSignUp => done(pools.admin_confirm_sign_up(admin, pool, who)),
            Op::ConfirmSignUp { right_code } => {
                let code = self.code_to_send(*right_code);
                done(pools.confirm_sign_up(client, who, &code))
            }
            Op::ResendConfirmationCode => done(pools.resend_confirmation_code(client, who)),
            Op::AdminSetUserPassword {
                password,
                permanent,
            } => done(pools.admin_set_user_password(
                admin,
                pool,
                who,
                &text(password),
                Some(*permanent),
            )),
            Op::SignIn { password } => {
                match pools.initiate_auth(client, "USER_PASSWORD_AUTH", who, &text(password))? {
                    AuthResult::Authenticated(_) => Ok(Success::Authenticated),
                    AuthResult::NewPasswordRequired { session, .. } => {
                        self.session = Some(session.expose().to_owned());
                        Ok(Success::Challenge)
                    }
                    // Challenges the model does not drive (its pools use neither SRP nor MFA).
                    AuthResult::PasswordVerifier(_) | AuthResult::Mfa(_) => Err(
                        userpool_core::Error::Internal(userpool_core::Internal::Storage),
                    ),
                }
            }
            Op::RespondToChallenge {
                new_password,
                forged_session,
            } => {
                let session = match (&self.session, forged_session) {
                    (Some(session), false) => session.as_str(),
                    _ => FORGED_SESSION,
                };
                pools
                    .respond_to_new_password_required(client, who, session, &text(new_password))
                    .map(|_| Success::Authenticated)
            }
            Op::ChangePassword { previous, proposed } => {
                done(pools.change_password(pool, who, &text(previous), &text(proposed)))
            }
            Op::AdminResetUserPassword => done(pools.admin_reset_user_password(admin, pool, who)),
            Op::ForgotPassword => done(pools.forgot_password(client, who)),
            Op::ConfirmForgotPassword {
                right_code,
                password,
            } => {
                let code = self.code_to_send(*right_code);
                done(pools.confirm_forgot_password(client, who, &code, &text(password)))
            }
            Op::AdminDisableUser => done(pools.admin_disable_user(admin, pool, who)),
            Op::AdminEnableUser => done(pools.admin_enable_user(admin, pool, who)),
            Op::UseName(_) => Ok(Success::Done),
            Op::SetEmailVerified(verified) => done(pools.admin_update_user_attributes(
                admin,
                pool,
                who,
                &[("email_verified", if *verified { "true" } else { "false" })],
            )),
            Op::AdvanceTime(seconds) => {
                self.clock.advance(TimeDelta::seconds(i64::from(*seconds)));
                Ok(Success::Done)
            }
            Op::UpdatePolicy {
                history_size,
                temporary_validity_days,
            } => {
                let policy =
                    updated_policy(&self.model.policy, *history_size, *temporary_validity_days);
                let updated = pools.update_user_pool(
                    admin,
                    pool,
                    PoolUpdate {
                        policy: Some(policy.clone()),
                        ..PoolUpdate::default()
                    },
                );
                if updated.is_ok() {
                    self.rules = insecure_fast_rules(policy);
                }
                done(updated)
            }
        }
    }

    /// The last code delivered, or (`right_code` false) a code that differs from it.
    fn code_to_send(&self, right_code: bool) -> String {
        match self.delivery.last_code(USERNAME) {
            Some(code) if right_code => code.expose().to_owned(),
            Some(code) => wrong(code.expose()),
            None => "000000".to_owned(),
        }
    }

    /// The stored record against the model, then the sign-in and history probes.
    fn agree(&self) -> Result<(), String> {
        let record = self
            .store
            .find_user(&self.pool_id, UserKey::Username(USERNAME))
            .map_err(|e| format!("store: {e}"))?;
        let (record, user) = match (record, &self.model.user) {
            (None, None) => return Ok(()),
            (Some(r), Some(u)) => (r, u),
            (r, u) => return Err(format!("stored {:?} vs model {u:?}", r.map(|r| r.status))),
        };
        let same = |what: &str, stored: String, model: String| {
            if stored == model {
                Ok(())
            } else {
                Err(format!("{what}: stored {stored}, model {model}"))
            }
        };
        same(
            "status",
            format!("{}", record.status),
            format!("{}", user.status),
        )?;
        same(
            "enabled",
            record.enabled.to_string(),
            user.enabled.to_string(),
        )?;
        same(
            "email verified",
            (record.attributes.get("email_verified").map(String::as_str) == Some("true"))
                .to_string(),
            user.email_verified.to_string(),
        )?;
        let kind = record.credential.as_ref().map(|c| c.kind);
        let model_kind = user.current.as_ref().map(|c| {
            c.expires_at
                .map_or(CredentialKind::Permanent, |expires_at| {
                    CredentialKind::Temporary { expires_at }
                })
        });
        same("credential", format!("{kind:?}"), format!("{model_kind:?}"))?;
        same(
            "history length",
            record.history.len().to_string(),
            user.previous.len().to_string(),
        )?;
        same(
            "lockout",
            format!(
                "{:?}",
                (
                    record.lockout.consecutive_failures,
                    record.lockout.locked_until
                )
            ),
            format!("{:?}", (user.failures, user.locked_until)),
        )?;
        same(
            "open challenge",
            record.pending_challenge.is_some().to_string(),
            user.session_until.is_some().to_string(),
        )?;
        same(
            "pending code",
            format!(
                "{:?}",
                record
                    .pending_code
                    .as_ref()
                    .map(|c| (c.purpose, c.failed_attempts))
            ),
            format!("{:?}", user.code.as_ref().map(|c| (c.purpose, c.attempts))),
        )?;
        // SPEC §12: the wrong attempts and issued codes that still count, per purpose.
        let now = self.clock_now();
        for purpose in [CodePurpose::SignUp, CodePurpose::PasswordReset] {
            let stored = record.code_throttles.get(purpose);
            let counted = |events: &[chrono::DateTime<chrono::Utc>]| {
                events
                    .iter()
                    .filter(|&&at| now - at < self.rules.code_window)
                    .count()
            };
            let model = user.counts(purpose);
            same(
                &format!("{purpose:?} code counts (wrong, issued)"),
                format!("{:?}", (counted(&stored.failures), counted(&stored.issued))),
                format!("{:?}", (model.failures_at(now), model.issued_at(now))),
            )?;
        }
        self.probe(&record)
    }

    /// Which passwords sign in (and how), and which ones history refuses, on copies.
    fn probe(&self, record: &UserRecord) -> Result<(), String> {
        // The probes run on the record itself: no lookup, so predict as by username.
        let model = Model {
            name: Name::Username,
            ..self.model.clone()
        };
        let mut rng = seeded_entropy(0);
        let mut ctx = Context::new(self.clock_now(), &mut rng);
        let current = self.model.resolve(&Guess::Current);
        // The test passwords, the current one and every previous one the model remembers
        // (up to 23, SPEC §5): each must sign in, and be refused by history, as predicted.
        let previous = model
            .user
            .as_ref()
            .map(|u| u.previous.clone())
            .unwrap_or_default();
        let texts = VALID_PASSWORDS
            .iter()
            .copied()
            .chain([current.as_str()])
            .chain(previous.iter().map(String::as_str));
        for text in texts {
            let Ok(password) = Password::parse(text) else {
                continue;
            };
            let guess = Guess::from(text);
            let signed = signin::sign_in(record, &password, &self.rules, &mut ctx)
                .map(|s| match s.outcome {
                    SignInOutcome::Authenticated => Success::Authenticated,
                    SignInOutcome::NewPasswordRequired { .. }
                    | SignInOutcome::MfaRequired { .. } => Success::Challenge,
                })
                .map_err(|r| r.error);
            let expected = model.predict(&Op::SignIn {
                password: guess.clone(),
            });
            agree("sign-in with", text, &signed, &expected)?;
            let set = transitions::admin_set_user_password(
                record,
                &password,
                true,
                &self.rules,
                &mut ctx,
            )
            .map(|_| Success::Done);
            let expected = model.predict(&Op::AdminSetUserPassword {
                password: guess,
                permanent: true,
            });
            agree("history/policy for", text, &set, &expected)?;
        }
        Ok(())
    }

    fn clock_now(&self) -> chrono::DateTime<chrono::Utc> {
        use crate::Clock;
        self.clock.now()
    }
}

fn agree(
    what: &str,
    text: &str,
    actual: &Result<Success, Error>,
    expected: &Result<Success, Expected>,
) -> Result<(), String> {
    match (actual, expected) {
        (Ok(a), Ok(e)) if a == e => Ok(()),
        (Err(a), Err(e)) if e.matches(a) => Ok(()),
        (a, e) => {
            let a = a.as_ref().map_err(|e| format!("{}: {e}", e.code()));
            Err(format!(
                "probe {what} {text:?}: record gives {a:?}, model {e:?}"
            ))
        }
    }
}

fn done<T>(result: Result<T, Error>) -> Result<Success, Error> {
    result.map(|_| Success::Done)
}

/// A code that differs from `code` in its last digit.
fn wrong(code: &str) -> String {
    let mut chars: Vec<char> = code.chars().collect();
    if let Some(last) = chars.last_mut() {
        *last = match last.to_digit(10) {
            Some(d) => char::from_digit((d + 1) % 10, 10).unwrap_or('0'),
            None => '0',
        };
    }
    chars.into_iter().collect()
}

/// Runs `ops` from a fresh pool in `store` (see [`ModelCheck::new`]) and checks every step.
///
/// # Errors
/// The first [`Divergence`].
pub fn run<S: Store + ?Sized>(
    store: Arc<S>,
    policy: PasswordPolicy,
    seed: u64,
    ops: &[Op],
) -> Result<(), Divergence> {
    run_with_prevention(store, policy, seed, false, ops)
}

/// [`run`] with the client's `PreventUserExistenceErrors` as given.
///
/// # Errors
/// The first [`Divergence`].
pub fn run_with_prevention<S: Store + ?Sized>(
    store: Arc<S>,
    policy: PasswordPolicy,
    seed: u64,
    prevent_user_existence_errors: bool,
    ops: &[Op],
) -> Result<(), Divergence> {
    let mut check =
        ModelCheck::with_prevention(store, policy, seed, prevent_user_existence_errors)?;
    for op in ops {
        check.step(op)?;
    }
    Ok(())
}

/// Cognito's default policy with the given history size and temporary validity (days).
fn policy_with(history: i64, validity_days: i64) -> PasswordPolicy {
    PasswordPolicy::builder()
        .password_history_size(history)
        .temporary_password_validity_days(validity_days)
        .build()
        .unwrap_or_default()
}

/// A proptest runner for `cases` random sequences that writes no regression file: the
/// stores under test are the host's, and a failure is reported as text instead.
fn runner(cases: u32) -> proptest::test_runner::TestRunner {
    proptest::test_runner::TestRunner::new(proptest::test_runner::Config {
        cases,
        failure_persistence: None,
        ..proptest::test_runner::Config::default()
    })
}

/// Runs `cases` random sequences of up to `max_steps` operations (from
/// `userpool_core::testing::strategies::ops`), each on a fresh store from `make_store`, with
/// history sizes 0, 1 and 3, temporary validity 1 or 7 days, and a client that prevents
/// user-existence errors or not; on a divergence, shrinks the sequence and returns
/// proptest's report (the minimal input, printed as `Op`s).
///
/// # Errors
/// The shrunk failing case, as text.
pub fn check_random<S, F>(cases: u32, max_steps: usize, make_store: F) -> Result<(), String>
where
    S: Store + ?Sized,
    F: Fn() -> Arc<S>,
{
    use proptest::prelude::*;
    use proptest::test_runner::TestCaseError;

    let mut runner = runner(cases);
    let strategy = (
        prop_oneof![Just(0i64), Just(1), Just(3)],
        prop_oneof![Just(0i64), Just(1)],
        any::<u64>(),
        any::<bool>(),
        userpool_core::testing::strategies::ops(max_steps),
    );
    runner
        .run(&strategy, |(history, validity, seed, prevent, ops)| {
            run_with_prevention(
                make_store(),
                policy_with(history, validity),
                seed,
                prevent,
                &ops,
            )
            .map_err(|d| TestCaseError::fail(d.to_string()))
        })
        .map_err(|e| e.to_string())
}

/// Like [`check_random`] for long histories (SPEC §5): sequences from
/// `userpool_core::testing::strategies::long_history_ops` (more than twelve distinct
/// passwords, the history size changed mid-sequence) starting from history sizes 13 and
/// 24, every remembered password probed after every step.
///
/// # Errors
/// The shrunk failing case, as text.
pub fn check_random_long_histories<S, F>(
    cases: u32,
    max_steps: usize,
    make_store: F,
) -> Result<(), String>
where
    S: Store + ?Sized,
    F: Fn() -> Arc<S>,
{
    use proptest::prelude::*;
    use proptest::test_runner::TestCaseError;

    let mut runner = runner(cases);
    let strategy = (
        prop_oneof![Just(13i64), Just(24)],
        any::<u64>(),
        userpool_core::testing::strategies::long_history_ops(max_steps),
    );
    runner
        .run(&strategy, |(history, seed, ops)| {
            run(make_store(), policy_with(history, 7), seed, &ops)
                .map_err(|d| TestCaseError::fail(d.to_string()))
        })
        .map_err(|e| e.to_string())
}
