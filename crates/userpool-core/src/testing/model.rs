//! A reference model of SPEC §3–§6 for one user: small, plain data, obviously correct, to
//! compare a real state machine (this crate's transitions, or a whole service over a store)
//! against.
//!
//! **Test-only.** The model keeps test passwords in plaintext (they are fixed strings or
//! fuzzer bytes, see [`super::ops`]); nothing here hashes, and nothing here belongs in
//! production.
//!
//! What it tracks: whether the user exists, its status and `Enabled` flag, the current
//! password with its kind and expiry, the previous permanent passwords (history), the
//! pending code, the wrong code attempts and codes issued per purpose (SPEC §12), whether a
//! NEW_PASSWORD_REQUIRED session is open, the sign-in lockout, whether the email alias is
//! verified and which name operations address the user by (SPEC §8: the username, the email
//! alias, the `sub`), the pool's policy as it changes mid-sequence, and whether the client
//! prevents user-existence errors.
//! What it delegates: SPEC §1 (is the text a `Password`?) and SPEC §2 (which policy rule
//! breaks first) are asked of [`Password::parse`] and [`PasswordPolicy::first_violation`],
//! which have their own tables of tests; the model decides everything after that.
//!
//! [`Model::step`] predicts an operation's result and moves the model as SPEC says; a
//! harness runs the same operation for real and compares. [`Model::predict`] answers
//! without moving, so a harness can probe "does this password sign in?" or "does history
//! refuse it?" on a copy of the real record.

use chrono::{DateTime, TimeDelta, Utc};

use super::ops::{Guess, Name, Op, USERNAME, VALID_PASSWORDS};
use crate::config::LockoutPolicy;
use crate::error::Error;
use crate::input::Password;
use crate::policy::{PasswordPolicy, PolicySubject};
use crate::user::{CodePurpose, UserStatus};

/// How long a NEW_PASSWORD_REQUIRED session lasts by default (SPEC §6).
pub const SESSION_VALIDITY: TimeDelta = TimeDelta::minutes(3);
/// How long a password-reset code lasts.
pub const RESET_CODE_VALIDITY: TimeDelta = TimeDelta::hours(1);
/// How long a sign-up confirmation code lasts.
pub const SIGN_UP_CODE_VALIDITY: TimeDelta = TimeDelta::hours(24);
/// Wrong codes allowed per user and purpose in any [`CODE_WINDOW`] before
/// `LimitExceededException` (SPEC §12).
pub const CODE_ATTEMPTS: usize = 5;
/// Codes issued per user and purpose in any [`CODE_WINDOW`] before `LimitExceededException`
/// (SPEC §12).
pub const CODES_PER_WINDOW: usize = 5;
/// The rolling window of both code limits (SPEC §12).
pub const CODE_WINDOW: TimeDelta = TimeDelta::hours(1);

/// What a successful operation returns, as far as a caller can see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Success {
    /// Done; nothing to hand back (or nothing the model distinguishes).
    Done,
    /// Signed in: the host issues tokens.
    Authenticated,
    /// The NEW_PASSWORD_REQUIRED challenge, with a session.
    Challenge,
}

/// A predicted error: the Cognito code and, where the model knows it, the exact message
/// (`None` for SPEC §1 validation messages, which depend on field names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// The Cognito exception name.
    pub code: &'static str,
    /// The exact message, when the model predicts one.
    pub message: Option<String>,
}

impl Expected {
    fn new(code: &'static str, message: &str) -> Self {
        Expected {
            code,
            message: Some(message.to_owned()),
        }
    }

    fn not_authorized(message: &str) -> Self {
        Expected::new("NotAuthorizedException", message)
    }

    fn from_error(error: &Error) -> Self {
        Expected {
            code: error.code(),
            message: Some(error.to_string()),
        }
    }

    /// Whether an actual error is this one (code, and message when predicted).
    #[must_use]
    pub fn matches(&self, error: &Error) -> bool {
        self.code == error.code()
            && self
                .message
                .as_ref()
                .is_none_or(|message| *message == error.to_string())
    }
}

/// The user's current password (NFKC-normalised, as the service compares it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Current {
    /// The password text.
    pub password: String,
    /// `Some(instant)` for a temporary password that stops working at that instant.
    pub expires_at: Option<DateTime<Utc>>,
}

/// A pending confirmation or reset code (the harness keeps the code itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeModel {
    /// What the code confirms.
    pub purpose: CodePurpose,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// Wrong codes so far.
    pub attempts: u32,
}

/// When wrong codes were tried and codes were issued, for one purpose (SPEC §12). Every
/// event is kept; the model counts those less than [`CODE_WINDOW`] old.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CodeCounts {
    /// When each wrong code was tried (since the last right one).
    pub failures: Vec<DateTime<Utc>>,
    /// When each code was issued (since the last right one).
    pub issued: Vec<DateTime<Utc>>,
}

impl CodeCounts {
    fn within(events: &[DateTime<Utc>], now: DateTime<Utc>) -> usize {
        events.iter().filter(|&&at| now - at < CODE_WINDOW).count()
    }

    /// Wrong codes tried in the hour up to `now`.
    #[must_use]
    pub fn failures_at(&self, now: DateTime<Utc>) -> usize {
        Self::within(&self.failures, now)
    }

    /// Codes issued in the hour up to `now`.
    #[must_use]
    pub fn issued_at(&self, now: DateTime<Utc>) -> usize {
        Self::within(&self.issued, now)
    }
}

/// One user, as SPEC describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserModel {
    /// The status (SPEC §3).
    pub status: UserStatus,
    /// The `Enabled` flag.
    pub enabled: bool,
    /// The current password; `None` only for a federated user never given one.
    pub current: Option<Current>,
    /// Previous permanent passwords, newest first (SPEC §5).
    pub previous: Vec<String>,
    /// The pending code.
    pub code: Option<CodeModel>,
    /// Sign-up code counts (SPEC §12).
    pub sign_up_codes: CodeCounts,
    /// Password-reset code counts (SPEC §12).
    pub reset_codes: CodeCounts,
    /// Until when the last NEW_PASSWORD_REQUIRED session is usable, if one is open.
    pub session_until: Option<DateTime<Utc>>,
    /// Whether `email_verified` is `true`: the email alias finds the user (SPEC §8).
    pub email_verified: bool,
    /// Consecutive failed sign-ins.
    pub failures: u32,
    /// The last failed sign-in.
    pub last_failure: Option<DateTime<Utc>>,
    /// The end of the current lockout.
    pub locked_until: Option<DateTime<Utc>>,
}

/// The reference model: the pool's policy, the time, and the one user [`USERNAME`].
#[derive(Debug, Clone)]
pub struct Model {
    /// The pool's password policy.
    pub policy: PasswordPolicy,
    /// The sign-in throttling in force.
    pub lockout: LockoutPolicy,
    /// The current time.
    pub now: DateTime<Utc>,
    /// The user, once created.
    pub user: Option<UserModel>,
    /// Whether the app client prevents user-existence errors (`PreventUserExistenceErrors`
    /// = `ENABLED`): the public operations then answer for an unknown user as they would
    /// for a known one with a wrong secret (SPEC §6). Off by default.
    pub prevent_user_existence_errors: bool,
    /// The name operations address the user by ([`Op::UseName`]).
    pub name: Name,
}

fn limit_exceeded() -> Expected {
    Expected::new(
        "LimitExceededException",
        "Attempt limit exceeded, please try after some time.",
    )
}

/// `policy` with `PasswordHistorySize = history_size % 25` and
/// `TemporaryPasswordValidityDays = temporary_validity_days % 8`, every other setting (the
/// blocklist included) as it was: what [`Op::UpdatePolicy`] sets. Harnesses send this
/// policy to the real pool.
#[must_use]
pub fn updated_policy(
    policy: &PasswordPolicy,
    history_size: u8,
    temporary_validity_days: u8,
) -> PasswordPolicy {
    let mut builder = PasswordPolicy::builder()
        .minimum_length(i64::from(policy.minimum_length()))
        .require_uppercase(policy.require_uppercase())
        .require_lowercase(policy.require_lowercase())
        .require_numbers(policy.require_numbers())
        .require_symbols(policy.require_symbols())
        .reject_user_identity(policy.reject_user_identity())
        .refuse_temporary_as_new(policy.refuse_temporary_as_new())
        .password_history_size(i64::from(history_size % 25))
        .temporary_password_validity_days(i64::from(temporary_validity_days % 8));
    if let Some(max) = policy.maximum_length() {
        builder = builder.maximum_length(i64::from(max));
    }
    if let Some(score) = policy.minimum_strength() {
        builder = builder.minimum_strength(i64::from(score));
    }
    builder.build().map_or_else(
        |_| policy.clone(),
        |p| p.with_blocklist(policy.blocklist().cloned()),
    )
}

/// The NFKC form of a text that is a valid password (SPEC §1), else `None`.
fn normalised(text: &str) -> Option<String> {
    Password::parse(text).ok().map(|p| p.expose().to_owned())
}

impl Model {
    /// No user yet, the given policy, Cognito's default lockout, time `now`.
    #[must_use]
    pub fn new(policy: PasswordPolicy, now: DateTime<Utc>) -> Self {
        Model {
            policy,
            lockout: LockoutPolicy::default(),
            now,
            user: None,
            prevent_user_existence_errors: false,
            name: Name::Username,
        }
    }

    /// Whether the current name finds `user` (SPEC §8): the username and the `sub` always,
    /// the email alias while verified.
    fn finds(&self, user: &UserModel) -> bool {
        match self.name {
            Name::Username | Name::Sub => true,
            Name::Email => user.email_verified,
        }
    }

    /// The text a harness types for `guess`: the given text, or the user's current password
    /// (the first of [`VALID_PASSWORDS`] when there is none).
    #[must_use]
    pub fn resolve(&self, guess: &Guess) -> String {
        match guess {
            Guess::Text(text) => text.clone(),
            Guess::Current => self
                .user
                .as_ref()
                .and_then(|u| u.current.as_ref())
                .map_or_else(|| VALID_PASSWORDS[0].to_owned(), |c| c.password.clone()),
        }
    }

    fn history_size(&self) -> usize {
        usize::from(self.policy.password_history_size())
    }

    /// The first SPEC §2 rule `password` breaks, as the error it gives.
    fn policy_refuses(&self, password: &str) -> Option<Expected> {
        let parsed = Password::parse(password).ok()?;
        let subject = PolicySubject {
            username: Some(USERNAME),
            aliases: &[],
        };
        self.policy
            .first_violation(&parsed, subject)
            .map(|v| Expected::from_error(&Error::InvalidPassword(v)))
    }

    /// Policy, then history (SPEC §2, §5): what setting `password` on `user` gives.
    fn sets(&self, user: &UserModel, password: &str) -> Result<Success, Expected> {
        if let Some(refused) = self.policy_refuses(password) {
            return Err(refused);
        }
        let n = self.history_size();
        let password = normalised(password).unwrap_or_default();
        let forbidden = user
            .current
            .iter()
            .map(|c| &c.password)
            .chain(user.previous.iter().take(n.saturating_sub(1)));
        if n > 0 && forbidden.into_iter().any(|p| *p == password) {
            return Err(Expected::new(
                "PasswordHistoryPolicyViolationException",
                "Password has previously been used",
            ));
        }
        Ok(Success::Done)
    }

    /// Whether history (SPEC §5) refuses `password` as the user's next password, assuming
    /// it meets the policy.
    #[must_use]
    pub fn history_refuses(&self, password: &str) -> bool {
        self.user.as_ref().is_some_and(|user| {
            matches!(self.sets(user, password), Err(e) if e.code == "PasswordHistoryPolicyViolationException")
        })
    }

    /// The texts `op` types, each of which must be a valid password (SPEC §1).
    fn typed(&self, op: &Op) -> Vec<String> {
        op.guesses().into_iter().map(|g| self.resolve(g)).collect()
    }

    /// What SPEC says `op` returns now, without moving the model.
    ///
    /// # Errors
    /// The predicted error, as an [`Expected`].
    pub fn predict(&self, op: &Op) -> Result<Success, Expected> {
        let typed = self.typed(op);
        if typed.iter().any(|t| normalised(t).is_none()) {
            return Err(Expected {
                code: "InvalidParameterException",
                message: None,
            });
        }
        let first = typed.first().map(String::as_str).unwrap_or_default();
        // A name that finds no user is the same as no user (SPEC §8).
        let found = self
            .user
            .as_ref()
            .filter(|user| !op.by_name() || self.finds(user));
        let Some(user) = found else {
            return match op {
                Op::SignUp { .. } | Op::AdminCreateUser { .. } => {
                    self.policy_refuses(first).map_or(Ok(Success::Done), Err)
                }
                Op::FederatedSignIn
                | Op::AdvanceTime(_)
                | Op::UpdatePolicy { .. }
                | Op::UseName(_) => Ok(Success::Done),
                // Where the client prevents user-existence errors, the public operations
                // answer as for a user who exists (SPEC §6, §12).
                Op::SignIn { .. } if self.prevent_user_existence_errors => {
                    Err(Expected::not_authorized("Incorrect username or password."))
                }
                Op::RespondToChallenge { .. } if self.prevent_user_existence_errors => {
                    Err(Expected::not_authorized("Invalid session for the user."))
                }
                Op::ForgotPassword | Op::ResendConfirmationCode
                    if self.prevent_user_existence_errors =>
                {
                    Ok(Success::Done)
                }
                Op::ConfirmForgotPassword { .. } | Op::ConfirmSignUp { .. }
                    if self.prevent_user_existence_errors =>
                {
                    Err(Expected::new(
                        "CodeMismatchException",
                        "Invalid verification code provided, please try again.",
                    ))
                }
                _ => Err(Expected::new(
                    "UserNotFoundException",
                    "User does not exist.",
                )),
            };
        };
        let now = self.now;
        let current = user.current.as_ref().map(|c| c.password.as_str());
        let typed_is_current = |text: &str| normalised(text).as_deref() == current;
        match op {
            Op::SignUp { .. } | Op::AdminCreateUser { .. } => match self.policy_refuses(first) {
                Some(refused) => Err(refused),
                // The message names the pool's username configuration; the code is the contract.
                None => Err(Expected {
                    code: "UsernameExistsException",
                    message: None,
                }),
            },
            Op::FederatedSignIn
            | Op::AdvanceTime(_)
            | Op::UpdatePolicy { .. }
            | Op::UseName(_)
            | Op::SetEmailVerified(_)
            | Op::AdminDisableUser
            | Op::AdminEnableUser => Ok(Success::Done),
            Op::AdminSetUserPassword { .. } => self.sets(user, first),
            Op::SignIn { .. } => {
                if user.locked_until.is_some_and(|until| now < until) {
                    Err(Expected::not_authorized("Password attempts exceeded"))
                } else if !typed_is_current(first) {
                    Err(Expected::not_authorized("Incorrect username or password."))
                } else if !user.enabled {
                    Err(Expected::not_authorized("User is disabled."))
                } else if user.status == UserStatus::Unconfirmed {
                    Err(Expected::new(
                        "UserNotConfirmedException",
                        "User is not confirmed.",
                    ))
                } else if user.status == UserStatus::ResetRequired {
                    Err(Expected::new(
                        "PasswordResetRequiredException",
                        "Password reset required for the user",
                    ))
                } else {
                    match user.current.as_ref().and_then(|c| c.expires_at) {
                        Some(expires_at) if now >= expires_at => Err(Expected::not_authorized(
                            "Temporary password has expired and must be reset by an administrator.",
                        )),
                        Some(_) => Ok(Success::Challenge),
                        None => Ok(Success::Authenticated),
                    }
                }
            }
            Op::RespondToChallenge { forged_session, .. } => {
                let open = user.session_until.is_some_and(|until| now < until);
                if *forged_session || !open || user.status != UserStatus::ForceChangePassword {
                    Err(Expected::not_authorized("Invalid session for the user."))
                } else if self.history_size() == 0
                    && self.policy.refuse_temporary_as_new()
                    && self.policy_refuses(first).is_none()
                    && typed_is_current(first)
                {
                    Err(Expected::new(
                        "InvalidPasswordException",
                        "Password does not conform to policy: New password must differ from the temporary password",
                    ))
                } else {
                    self.sets(user, first).map(|_| Success::Authenticated)
                }
            }
            Op::ChangePassword { .. } => {
                let previous_ok = typed.first().is_some_and(|t| typed_is_current(t));
                if user.status != UserStatus::Confirmed || !user.enabled || !previous_ok {
                    Err(Expected::not_authorized("Incorrect username or password."))
                } else {
                    self.sets(user, typed.get(1).map_or("", String::as_str))
                }
            }
            Op::AdminResetUserPassword => match user.status {
                UserStatus::Confirmed | UserStatus::ResetRequired => {
                    user.may_issue(CodePurpose::PasswordReset, now)
                }
                _ => Err(Expected::not_authorized(
                    "User password cannot be reset in the current state.",
                )),
            },
            Op::ForgotPassword => match (user.enabled, user.status) {
                (false, _) => Err(Expected::not_authorized("User is disabled.")),
                (true, UserStatus::Confirmed | UserStatus::ResetRequired) => {
                    user.may_issue(CodePurpose::PasswordReset, now)
                }
                _ => Err(Expected::not_authorized(
                    "User password cannot be reset in the current state.",
                )),
            },
            Op::ResendConfirmationCode => match (user.enabled, user.status) {
                (false, _) => Err(Expected::not_authorized("User is disabled.")),
                (true, UserStatus::Unconfirmed) => user.may_issue(CodePurpose::SignUp, now),
                _ => Err(Expected::new(
                    "InvalidParameterException",
                    "User is already confirmed.",
                )),
            },
            Op::ConfirmSignUp { right_code } => {
                if user.status != UserStatus::Unconfirmed {
                    return Err(Expected::not_authorized(&format!(
                        "User cannot be confirmed. Current status is {}",
                        user.status
                    )));
                }
                user.code_check(CodePurpose::SignUp, *right_code, now)
            }
            Op::ConfirmForgotPassword { right_code, .. } => {
                if !matches!(
                    user.status,
                    UserStatus::Confirmed | UserStatus::ResetRequired
                ) {
                    return Err(Expected::not_authorized(
                        "User password cannot be reset in the current state.",
                    ));
                }
                user.code_check(CodePurpose::PasswordReset, *right_code, now)?;
                self.sets(user, first)
            }
            Op::AdminConfirmSignUp => {
                if user.status == UserStatus::Unconfirmed {
                    Ok(Success::Done)
                } else {
                    Err(Expected::not_authorized(&format!(
                        "User cannot be confirmed. Current status is {}",
                        user.status
                    )))
                }
            }
            Op::ResendInvitation { .. } => {
                if user.status == UserStatus::ForceChangePassword {
                    self.policy_refuses(first).map_or(Ok(Success::Done), Err)
                } else {
                    Err(Expected::new(
                        "UnsupportedUserStateException",
                        &format!(
                            "Resend not possible. {USERNAME} status is not FORCE_CHANGE_PASSWORD"
                        ),
                    ))
                }
            }
        }
    }

    /// Predicts `op`'s result (see [`Model::predict`]) and moves the model as SPEC says
    /// that result moves the user. The harness compares the real result with the returned one.
    ///
    /// # Errors
    /// The predicted error, as an [`Expected`].
    pub fn step(&mut self, op: &Op) -> Result<Success, Expected> {
        let result = self.predict(op);
        let typed = self.typed(op);
        let first = typed
            .first()
            .and_then(|t| normalised(t))
            .unwrap_or_default();
        let now = self.now;
        let n = self.history_size();
        let temporary_until = now + self.policy.temporary_password_validity();
        if let Op::AdvanceTime(seconds) = op {
            self.now += TimeDelta::seconds(i64::from(*seconds));
            return result;
        }
        if let Op::UpdatePolicy {
            history_size,
            temporary_validity_days,
        } = op
        {
            self.policy = updated_policy(&self.policy, *history_size, *temporary_validity_days);
            return result;
        }
        if let Op::UseName(name) = op {
            self.name = *name;
            return result;
        }
        if self.user.is_none() {
            if result.is_ok() {
                self.user = self.created(op, first, temporary_until);
            }
            return result;
        }
        // Addressed by a name that finds no one: nothing moves (an answer prevented from
        // saying so is not the user's bookkeeping either).
        if op.by_name() && !self.user.as_ref().is_some_and(|u| self.finds(u)) {
            return result;
        }
        let lockout = self.lockout;
        let Some(user) = self.user.as_mut() else {
            return result;
        };
        let Ok(success) = &result else {
            match (op, &result) {
                (Op::SignIn { .. }, Err(e))
                    if e.message.as_deref() == Some("Incorrect username or password.") =>
                {
                    user.fail(now, &lockout);
                }
                (Op::ConfirmForgotPassword { .. } | Op::ConfirmSignUp { .. }, Err(e))
                    if e.code == "CodeMismatchException" =>
                {
                    if let Some(code) = user.code.as_mut() {
                        code.attempts += 1;
                        let purpose = code.purpose;
                        user.counts_mut(purpose).failures.push(now);
                    }
                }
                _ => {}
            }
            return result;
        };
        match op {
            Op::AdminSetUserPassword { permanent, .. } => {
                user.replace(first, (!permanent).then_some(temporary_until), n);
                user.status = if *permanent {
                    UserStatus::Confirmed
                } else {
                    UserStatus::ForceChangePassword
                };
            }
            Op::SignIn { .. } => {
                user.clear_lockout();
                if *success == Success::Challenge {
                    user.session_until = Some(now + SESSION_VALIDITY);
                }
            }
            Op::RespondToChallenge { .. } => {
                user.replace(first, None, n);
                user.status = UserStatus::Confirmed;
            }
            Op::ConfirmForgotPassword { .. } => {
                user.replace(first, None, n);
                user.status = UserStatus::Confirmed;
                user.reset_codes = CodeCounts::default();
            }
            Op::ConfirmSignUp { .. } => {
                user.status = UserStatus::Confirmed;
                user.code = None;
                user.sign_up_codes = CodeCounts::default();
            }
            Op::ResendConfirmationCode => {
                user.code = Some(CodeModel {
                    purpose: CodePurpose::SignUp,
                    expires_at: now + SIGN_UP_CODE_VALIDITY,
                    attempts: 0,
                });
                user.sign_up_codes.issued.push(now);
            }
            Op::ChangePassword { .. } => {
                let proposed = typed.get(1).and_then(|t| normalised(t)).unwrap_or_default();
                user.replace(proposed, None, n);
            }
            Op::AdminResetUserPassword | Op::ForgotPassword => {
                if matches!(op, Op::AdminResetUserPassword) {
                    user.status = UserStatus::ResetRequired;
                    user.session_until = None;
                }
                user.code = Some(CodeModel {
                    purpose: CodePurpose::PasswordReset,
                    expires_at: now + RESET_CODE_VALIDITY,
                    attempts: 0,
                });
                user.reset_codes.issued.push(now);
            }
            Op::AdminConfirmSignUp => {
                user.status = UserStatus::Confirmed;
                user.code = None;
            }
            Op::ResendInvitation { .. } => {
                user.current = Some(Current {
                    password: first,
                    expires_at: Some(temporary_until),
                });
                user.session_until = None;
            }
            Op::AdminDisableUser => {
                user.enabled = false;
                user.session_until = None;
            }
            Op::AdminEnableUser => user.enabled = true,
            Op::SetEmailVerified(verified) => user.email_verified = *verified,
            Op::SignUp { .. }
            | Op::AdminCreateUser { .. }
            | Op::FederatedSignIn
            | Op::UpdatePolicy { .. }
            | Op::UseName(_)
            | Op::AdvanceTime(_) => {}
        }
        result
    }

    fn created(
        &self,
        op: &Op,
        password: String,
        temporary_until: DateTime<Utc>,
    ) -> Option<UserModel> {
        let (status, current, code) = match op {
            Op::SignUp { .. } => (
                UserStatus::Unconfirmed,
                Some(Current {
                    password,
                    expires_at: None,
                }),
                Some(CodeModel {
                    purpose: CodePurpose::SignUp,
                    expires_at: self.now + SIGN_UP_CODE_VALIDITY,
                    attempts: 0,
                }),
            ),
            Op::AdminCreateUser { .. } => (
                UserStatus::ForceChangePassword,
                Some(Current {
                    password,
                    expires_at: Some(temporary_until),
                }),
                None,
            ),
            Op::FederatedSignIn => (UserStatus::ExternalProvider, None, None),
            _ => return None,
        };
        let sign_up_codes = CodeCounts {
            failures: Vec::new(),
            issued: code.iter().map(|_| self.now).collect(),
        };
        Some(UserModel {
            status,
            enabled: true,
            current,
            previous: Vec::new(),
            code,
            sign_up_codes,
            reset_codes: CodeCounts::default(),
            email_verified: false,
            session_until: None,
            failures: 0,
            last_failure: None,
            locked_until: None,
        })
    }
}

impl UserModel {
    /// The code counts of `purpose`.
    #[must_use]
    pub fn counts(&self, purpose: CodePurpose) -> &CodeCounts {
        match purpose {
            CodePurpose::SignUp | CodePurpose::VerifyAttribute(_) => &self.sign_up_codes,
            CodePurpose::PasswordReset => &self.reset_codes,
        }
    }

    fn counts_mut(&mut self, purpose: CodePurpose) -> &mut CodeCounts {
        match purpose {
            CodePurpose::SignUp | CodePurpose::VerifyAttribute(_) => &mut self.sign_up_codes,
            CodePurpose::PasswordReset => &mut self.reset_codes,
        }
    }

    /// SPEC §12: a code of `purpose` may be issued unless five were in the last hour.
    fn may_issue(&self, purpose: CodePurpose, now: DateTime<Utc>) -> Result<Success, Expected> {
        if self.counts(purpose).issued_at(now) >= CODES_PER_WINDOW {
            Err(limit_exceeded())
        } else {
            Ok(Success::Done)
        }
    }

    /// SPEC §12, then the code itself: five wrong codes in the last hour refuse every check
    /// before the code is looked at; then a missing or expired code; then the comparison.
    fn code_check(
        &self,
        purpose: CodePurpose,
        right_code: bool,
        now: DateTime<Utc>,
    ) -> Result<Success, Expected> {
        if self.counts(purpose).failures_at(now) >= CODE_ATTEMPTS {
            return Err(limit_exceeded());
        }
        match &self.code {
            Some(c) if c.purpose == purpose && now < c.expires_at => {
                if right_code {
                    Ok(Success::Done)
                } else {
                    Err(Expected::new(
                        "CodeMismatchException",
                        "Invalid verification code provided, please try again.",
                    ))
                }
            }
            _ => Err(Expected::new(
                "ExpiredCodeException",
                "Invalid code provided, please request a code again.",
            )),
        }
    }

    /// A successful password change (SPEC §5): a permanent current password joins the
    /// history, a temporary one is dropped; history keeps `n - 1` entries; the session,
    /// the code and the lockout end.
    fn replace(&mut self, password: String, expires_at: Option<DateTime<Utc>>, n: usize) {
        if let Some(old) = self.current.take()
            && old.expires_at.is_none()
        {
            self.previous.insert(0, old.password);
        }
        self.previous.truncate(n.saturating_sub(1));
        self.current = Some(Current {
            password,
            expires_at,
        });
        self.session_until = None;
        self.code = None;
        self.clear_lockout();
    }

    fn clear_lockout(&mut self) {
        self.failures = 0;
        self.last_failure = None;
        self.locked_until = None;
    }

    /// A wrong password at `now` (SPEC §6): the count restarts after a quiet period; past
    /// the free failures each one locks for 1 s, 2 s, 4 s... up to the maximum.
    fn fail(&mut self, now: DateTime<Utc>, policy: &LockoutPolicy) {
        let counted = match self.last_failure {
            Some(at) if now - at < policy.reset_after => self.failures,
            _ => 0,
        };
        self.failures = counted + 1;
        self.last_failure = Some(now);
        self.locked_until = self
            .failures
            .checked_sub(policy.free_failures)
            .filter(|&k| k > 0)
            .map(|k| {
                let lockout = policy
                    .first_lockout
                    .checked_mul(1 << (k - 1).min(30))
                    .map_or(policy.max_lockout, |l| l.min(policy.max_lockout));
                now + lockout
            });
    }
}
