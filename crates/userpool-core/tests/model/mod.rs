//! The reference model of `proptest_changes_nothing.rs`: what SPEC says one user is, and
//! what each operation must return and do to it. It moves only on success, so a real
//! operation that half-applied a change would diverge from it at a later step.
#![allow(dead_code)]

use chrono::{DateTime, TimeDelta, Utc};
use userpool_core::{CodePurpose, ConfirmationCode, UserStatus};

/// Passwords that meet the default policy, few so that history repeats are frequent.
pub const VALID: [&str; 5] = [
    "Alpha-Pass1",
    "Bravo-Pass2",
    "Charlie-Pass3",
    "Delta-Pass4",
    "Echo-Pass5",
];
/// Passwords that break the default policy.
pub const WEAK: [&str; 3] = ["weakpass", "Sh0rt!", "NOLOWER-1"];
/// Inputs that break SPEC §1 (never become a `Password`).
pub const MALFORMED: [&str; 4] = [" lead", "trail ", "tab\there", "a"];

pub fn candidate(i: usize) -> &'static str {
    if i < VALID.len() {
        VALID[i]
    } else {
        WEAK[(i - VALID.len()) % WEAK.len()]
    }
}

/// The policy rule a weak password breaks first (SPEC §2), or `None` for a valid one.
pub fn weak_rule(password: &str) -> Option<&'static str> {
    match password {
        "weakpass" => Some("Password must have uppercase characters"),
        "Sh0rt!" => Some("Password not long enough"),
        "NOLOWER-1" => Some("Password must have lowercase characters"),
        _ => None,
    }
}

#[derive(Debug, Clone, Copy)]
pub enum Start {
    SignUp,
    AdminCreate,
    External,
    Confirmed,
}

#[derive(Debug, Clone)]
pub enum Op {
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

/// What SPEC says the user is, as far as these operations can tell.
#[derive(Debug, Clone)]
pub struct Model {
    pub status: UserStatus,
    pub enabled: bool,
    /// The current password and, for a temporary one, its expiry.
    pub current: Option<(&'static str, Option<DateTime<Utc>>)>,
    /// Previous permanent passwords, newest first.
    pub previous: Vec<&'static str>,
    pub code: Option<CodeModel>,
    pub session: Option<(String, DateTime<Utc>)>,
    pub failures: u32,
    pub last_failure: Option<DateTime<Utc>>,
    pub locked_until: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct CodeModel {
    pub purpose: CodePurpose,
    pub code: ConfirmationCode,
    pub expires_at: DateTime<Utc>,
    pub attempts: u32,
}

impl Model {
    /// The answer to NEW_PASSWORD_REQUIRED: a candidate, or the current (temporary) password.
    pub fn answer(&self, password: usize, repeat_current: bool) -> &'static str {
        match self.current {
            Some((current, _)) if repeat_current => current,
            _ => candidate(password),
        }
    }

    pub fn forbidden(&self, n: usize) -> Vec<&'static str> {
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
    pub fn replace(
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

    pub fn clear_lockout(&mut self) {
        self.failures = 0;
        self.last_failure = None;
        self.locked_until = None;
    }

    pub fn fail(&mut self, now: DateTime<Utc>) {
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

    /// The Cognito code and exact message SPEC predicts, or `None` for success.
    pub fn predict(&self, op: &Op, n: usize, now: DateTime<Utc>) -> Option<(&'static str, String)> {
        const NOT_AUTHORIZED: &str = "NotAuthorizedException";
        let fail = |code: &'static str, message: &str| Some((code, message.to_owned()));
        let not_authorized = |message: &str| fail(NOT_AUTHORIZED, message);
        let m = self;
        let current = m.current.map(|(p, _)| p);
        let sets = |password: &'static str| {
            if let Some(rule) = weak_rule(password) {
                fail(
                    "InvalidPasswordException",
                    &format!("Password does not conform to policy: {rule}"),
                )
            } else if m.forbidden(n).contains(&password) {
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
                } else if n == 0 && weak_rule(new).is_none() && current == Some(new) {
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

    /// Moves the model as SPEC says a successful `op` moves the user.
    pub fn advance(
        &mut self,
        op: &Op,
        n: usize,
        now: DateTime<Utc>,
        session: Option<String>,
        code: Option<ConfirmationCode>,
    ) {
        let m = self;
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
}
