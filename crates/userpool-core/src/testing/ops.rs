//! The operations a model-based test or a fuzz harness applies to one user, and the small
//! set of test passwords they draw from.
//!
//! Test passwords in these values are **not secrets**: they are fixed strings or fuzzer
//! bytes, so [`Op`]'s `Debug` prints them in full, as a ready-to-paste Rust reproducer
//! (`vec![Op::SignIn { password: Guess::from("Alpha-Pass1") }, ...]`). Never build an
//! `Op` from a real user's password.

use std::fmt;

/// The one user every operation targets (a model covers one user; lookups are SPEC §8's).
pub const USERNAME: &str = "alice";

/// The user's email address, given at creation. The model's pool lists `email` as an alias
/// attribute, so the address finds the user only while `email_verified` is `true` (SPEC §8).
pub const EMAIL: &str = "model-user@example.com";

/// The name the following operations address the user by (SPEC §8). Operations that create
/// the user (SignUp, AdminCreateUser, its RESEND, the federated sign-in) always use
/// [`USERNAME`].
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Name {
    /// [`USERNAME`].
    Username,
    /// [`EMAIL`], an alias: found only while verified.
    Email,
    /// The user's `sub` (before the user exists, some other UUID).
    Sub,
}

impl fmt::Debug for Name {
    /// Rust source: `Name::Username`, ...
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Name::Username => "Name::Username",
            Name::Email => "Name::Email",
            Name::Sub => "Name::Sub",
        })
    }
}

/// Passwords that meet Cognito's default policy (SPEC §2). Few, so that history repeats
/// (SPEC §5) are frequent in random sequences.
pub const VALID_PASSWORDS: [&str; 5] = [
    "Alpha-Pass1",
    "Bravo-Pass2",
    "Charlie-Pass3",
    "Delta-Pass4",
    "Echo-Pass5",
];

/// The `n`-th of many distinct passwords meeting Cognito's default policy, for sequences
/// that fill long histories (SPEC §5: up to 24 passwords): `Numbered-Pass00`,
/// `Numbered-Pass01`, ...
#[must_use]
pub fn numbered_password(n: u8) -> String {
    format!("Numbered-Pass{n:02}")
}

/// Passwords that meet SPEC §1 but break the default policy (SPEC §2): no uppercase, too
/// short, no lowercase.
pub const WEAK_PASSWORDS: [&str; 3] = ["weakpass", "Sh0rt!", "NOLOWER-1"];

/// Strings that break SPEC §1 (leading or trailing whitespace, a control character, and
/// one character where `^[\S]+.*[\S]+$` wants two), so never become a `Password`.
pub const MALFORMED_PASSWORDS: [&str; 4] = [" lead", "trail ", "tab\there", "a"];

/// The password an operation types: the user's current one, or a given text.
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum Guess {
    /// The user's current password (the model knows it; with none, the first of
    /// [`VALID_PASSWORDS`]). Lets random sequences reach the states a right password opens.
    Current,
    /// This text, exactly as typed (it may break SPEC §1 or §2 on purpose).
    Text(String),
}

impl From<&str> for Guess {
    fn from(text: &str) -> Self {
        Guess::Text(text.to_owned())
    }
}

impl fmt::Debug for Guess {
    /// Rust source: `Guess::Current` or `Guess::from("...")`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Guess::Current => f.write_str("Guess::Current"),
            Guess::Text(text) => write!(f, "Guess::from({text:?})"),
        }
    }
}

/// One operation on the user [`USERNAME`], by Cognito's name (SPEC §3–§6). Operations the
/// current state does not allow are still valid values: the model predicts their error.
///
/// `Debug` prints Rust source for the value (see the module docs).
#[derive(Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Op {
    /// `SignUp` with a password: a new UNCONFIRMED user.
    SignUp {
        /// The password.
        password: Guess,
    },
    /// `AdminCreateUser` with a temporary password: a new FORCE_CHANGE_PASSWORD user.
    AdminCreateUser {
        /// The temporary password.
        temporary_password: Guess,
    },
    /// `AdminCreateUser` with `MessageAction=RESEND`: a new temporary password.
    ResendInvitation {
        /// The new temporary password.
        temporary_password: Guess,
    },
    /// The host's first federated sign-in: a new EXTERNAL_PROVIDER user, no password.
    FederatedSignIn,
    /// `AdminConfirmSignUp`.
    AdminConfirmSignUp,
    /// `ConfirmSignUp`, with the last code issued (or a wrong one).
    ConfirmSignUp {
        /// Send the last code issued; otherwise a code that differs from it.
        right_code: bool,
    },
    /// `ResendConfirmationCode`: a new sign-up code (SPEC §12).
    ResendConfirmationCode,
    /// `AdminSetUserPassword`.
    AdminSetUserPassword {
        /// The new password.
        password: Guess,
        /// `Permanent`.
        permanent: bool,
    },
    /// `InitiateAuth` with `USER_PASSWORD_AUTH`.
    SignIn {
        /// The password typed.
        password: Guess,
    },
    /// `RespondToAuthChallenge` with `NEW_PASSWORD_REQUIRED`, using the session of the last
    /// challenge (or a forged one).
    RespondToChallenge {
        /// The new password.
        new_password: Guess,
        /// Send a made-up session instead of the last one issued.
        forged_session: bool,
    },
    /// `ChangePassword`.
    ChangePassword {
        /// The password typed as the current one.
        previous: Guess,
        /// The new password.
        proposed: Guess,
    },
    /// `AdminResetUserPassword`.
    AdminResetUserPassword,
    /// `ForgotPassword`.
    ForgotPassword,
    /// `ConfirmForgotPassword`, with the last code issued (or a wrong one).
    ConfirmForgotPassword {
        /// Send the last code issued; otherwise a code that differs from it.
        right_code: bool,
        /// The new password.
        password: Guess,
    },
    /// `UpdateUserPool` with the pool's policy changed mid-sequence: `PasswordHistorySize`
    /// becomes `history_size % 25` and `TemporaryPasswordValidityDays`
    /// `temporary_validity_days % 8`, every other setting as it was (see
    /// [`super::model::updated_policy`]). Lowering the history size trims a user's history
    /// at the next password change (SPEC §5).
    UpdatePolicy {
        /// The new history size, modulo 25.
        history_size: u8,
        /// The new temporary-password validity in days, modulo 8 (0: the default, 7).
        temporary_validity_days: u8,
    },
    /// From now on, address the user by this name (SPEC §8).
    UseName(Name),
    /// `AdminUpdateUserAttributes` setting `email_verified` (`"true"` or `"false"`): the
    /// email alias finds the user only while verified.
    SetEmailVerified(bool),
    /// `AdminDisableUser`.
    AdminDisableUser,
    /// `AdminEnableUser`.
    AdminEnableUser,
    /// Time passes, in seconds.
    AdvanceTime(
        #[cfg_attr(feature = "arbitrary", arbitrary(with = super::arbitrary::seconds))] u32,
    ),
}

impl Op {
    /// Whether the operation addresses the user by the current [`Name`] (every operation
    /// but those that create the user, time and pool-level ones).
    #[must_use]
    pub fn by_name(&self) -> bool {
        !matches!(
            self,
            Op::SignUp { .. }
                | Op::AdminCreateUser { .. }
                | Op::ResendInvitation { .. }
                | Op::FederatedSignIn
                | Op::AdvanceTime(_)
                | Op::UpdatePolicy { .. }
                | Op::UseName(_)
        )
    }

    /// The passwords this operation types, in the order it types them (ChangePassword: the
    /// previous one, then the proposed one). Each must be a valid password (SPEC §1).
    #[must_use]
    pub fn guesses(&self) -> Vec<&Guess> {
        match self {
            Op::SignUp { password }
            | Op::SignIn { password }
            | Op::AdminSetUserPassword { password, .. }
            | Op::ConfirmForgotPassword { password, .. } => vec![password],
            Op::AdminCreateUser { temporary_password }
            | Op::ResendInvitation { temporary_password } => vec![temporary_password],
            Op::RespondToChallenge { new_password, .. } => vec![new_password],
            Op::ChangePassword { previous, proposed } => vec![previous, proposed],
            _ => Vec::new(),
        }
    }
}

impl fmt::Debug for Op {
    /// Rust source for the value, e.g.
    /// `Op::AdminSetUserPassword { password: Guess::from("Alpha-Pass1"), permanent: true }`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::SignUp { password } => write!(f, "Op::SignUp {{ password: {password:?} }}"),
            Op::AdminCreateUser { temporary_password } => write!(
                f,
                "Op::AdminCreateUser {{ temporary_password: {temporary_password:?} }}"
            ),
            Op::ResendInvitation { temporary_password } => write!(
                f,
                "Op::ResendInvitation {{ temporary_password: {temporary_password:?} }}"
            ),
            Op::FederatedSignIn => f.write_str("Op::FederatedSignIn"),
            Op::AdminConfirmSignUp => f.write_str("Op::AdminConfirmSignUp"),
            Op::ConfirmSignUp { right_code } => {
                write!(f, "Op::ConfirmSignUp {{ right_code: {right_code} }}")
            }
            Op::ResendConfirmationCode => f.write_str("Op::ResendConfirmationCode"),
            Op::AdminSetUserPassword {
                password,
                permanent,
            } => write!(
                f,
                "Op::AdminSetUserPassword {{ password: {password:?}, permanent: {permanent} }}"
            ),
            Op::SignIn { password } => write!(f, "Op::SignIn {{ password: {password:?} }}"),
            Op::RespondToChallenge {
                new_password,
                forged_session,
            } => write!(
                f,
                "Op::RespondToChallenge {{ new_password: {new_password:?}, forged_session: {forged_session} }}"
            ),
            Op::ChangePassword { previous, proposed } => write!(
                f,
                "Op::ChangePassword {{ previous: {previous:?}, proposed: {proposed:?} }}"
            ),
            Op::AdminResetUserPassword => f.write_str("Op::AdminResetUserPassword"),
            Op::ForgotPassword => f.write_str("Op::ForgotPassword"),
            Op::ConfirmForgotPassword {
                right_code,
                password,
            } => write!(
                f,
                "Op::ConfirmForgotPassword {{ right_code: {right_code}, password: {password:?} }}"
            ),
            Op::UpdatePolicy {
                history_size,
                temporary_validity_days,
            } => write!(
                f,
                "Op::UpdatePolicy {{ history_size: {history_size}, temporary_validity_days: {temporary_validity_days} }}"
            ),
            Op::UseName(name) => write!(f, "Op::UseName({name:?})"),
            Op::SetEmailVerified(verified) => write!(f, "Op::SetEmailVerified({verified})"),
            Op::AdminDisableUser => f.write_str("Op::AdminDisableUser"),
            Op::AdminEnableUser => f.write_str("Op::AdminEnableUser"),
            Op::AdvanceTime(seconds) => write!(f, "Op::AdvanceTime({seconds})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_prints_a_rust_reproducer_with_escapes() {
        let ops = vec![
            Op::AdminSetUserPassword {
                password: Guess::from("tab\there"),
                permanent: true,
            },
            Op::SignIn {
                password: Guess::Current,
            },
            Op::AdvanceTime(60),
        ];
        assert_eq!(
            format!("{ops:?}"),
            "[Op::AdminSetUserPassword { password: Guess::from(\"tab\\there\"), permanent: true }, \
             Op::SignIn { password: Guess::Current }, Op::AdvanceTime(60)]"
        );
    }
}
