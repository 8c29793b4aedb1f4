//! The user record: status, the `Enabled` flag, attributes, the current credential, password
//! history, lockout state, pending codes and their throttles (SPEC §3–§6, §12).
//!
//! A record is plain data: stores persist every field and read it back. It changes only
//! through the functions of [`crate::transitions`] and [`crate::signin`], which borrow the
//! old record and return a new one, so a failed operation cannot leave it half-changed.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::hash::PasswordHash;
use crate::input::Username;
use crate::secret::SecretDigest;

/// A user's status, as Cognito names it (SPEC §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UserStatus {
    /// Signed up, not yet confirmed.
    Unconfirmed,
    /// Confirmed, with a permanent password (or an external identity and a password).
    Confirmed,
    /// Holds a temporary password that must be replaced at the next sign-in.
    ForceChangePassword,
    /// Created by a federated sign-in; no password of its own.
    ExternalProvider,
    /// An administrator reset the password; the user must complete a password reset.
    ResetRequired,
    /// Accepted when read from storage, never produced.
    Archived,
    /// Accepted when read from storage, never produced.
    Compromised,
    /// Accepted when read from storage, never produced.
    Unknown,
}

impl UserStatus {
    /// Every status, in Cognito's spelling order.
    pub const ALL: [UserStatus; 8] = [
        UserStatus::Unconfirmed,
        UserStatus::Confirmed,
        UserStatus::ForceChangePassword,
        UserStatus::ExternalProvider,
        UserStatus::ResetRequired,
        UserStatus::Archived,
        UserStatus::Compromised,
        UserStatus::Unknown,
    ];

    /// The status as Cognito spells it, e.g. `FORCE_CHANGE_PASSWORD`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            UserStatus::Unconfirmed => "UNCONFIRMED",
            UserStatus::Confirmed => "CONFIRMED",
            UserStatus::ForceChangePassword => "FORCE_CHANGE_PASSWORD",
            UserStatus::ExternalProvider => "EXTERNAL_PROVIDER",
            UserStatus::ResetRequired => "RESET_REQUIRED",
            UserStatus::Archived => "ARCHIVED",
            UserStatus::Compromised => "COMPROMISED",
            UserStatus::Unknown => "UNKNOWN",
        }
    }
}

impl fmt::Display for UserStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for UserStatus {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        UserStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or(Error::Internal(crate::error::Internal::Storage))
    }
}

/// Whether the current password is permanent or temporary, and until when a temporary one
/// is valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialKind {
    /// A permanent password.
    Permanent,
    /// A temporary password; sign-in with it only yields NEW_PASSWORD_REQUIRED (SPEC §4).
    Temporary {
        /// The first instant at which it no longer works: `set_at + validity`.
        expires_at: DateTime<Utc>,
    },
}

/// The user's current password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    /// Its salted argon2id hash.
    pub hash: PasswordHash,
    /// Permanent, or temporary with an expiry.
    pub kind: CredentialKind,
    /// When it was set.
    pub set_at: DateTime<Utc>,
}

impl Credential {
    /// Whether this is a temporary password.
    #[must_use]
    pub fn is_temporary(&self) -> bool {
        matches!(self.kind, CredentialKind::Temporary { .. })
    }
}

/// Failed sign-in bookkeeping (SPEC §6). Part of the record so that it survives restarts
/// and is shared by every process using the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Lockout {
    /// Consecutive failed sign-ins since the last success (or the last quiet period).
    pub consecutive_failures: u32,
    /// When the last failure happened.
    pub last_failure_at: Option<DateTime<Utc>>,
    /// Until when attempts are refused without verifying the password.
    pub locked_until: Option<DateTime<Utc>>,
}

impl Lockout {
    /// Whether attempts at `now` are refused without verifying anything: every sign-in
    /// path (password, SRP, MFA) asks this one question.
    #[must_use]
    pub fn is_locked_at(&self, now: DateTime<Utc>) -> bool {
        self.locked_until.is_some_and(|until| now < until)
    }
}

/// What a one-time code is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodePurpose {
    /// Confirms a sign-up (ConfirmSignUp).
    SignUp,
    /// Completes a password reset (ConfirmForgotPassword).
    PasswordReset,
    /// Verifies the user's email or phone number (VerifyUserAttribute, SPEC §16).
    VerifyAttribute(crate::schema::VerifiableAttribute),
}

impl CodePurpose {
    /// A stable name for storage.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            CodePurpose::SignUp => "SIGN_UP",
            CodePurpose::PasswordReset => "PASSWORD_RESET",
            CodePurpose::VerifyAttribute(crate::schema::VerifiableAttribute::Email) => {
                "VERIFY_EMAIL"
            }
            CodePurpose::VerifyAttribute(crate::schema::VerifiableAttribute::PhoneNumber) => {
                "VERIFY_PHONE_NUMBER"
            }
        }
    }
}

impl FromStr for CodePurpose {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "SIGN_UP" => Ok(CodePurpose::SignUp),
            "PASSWORD_RESET" => Ok(CodePurpose::PasswordReset),
            "VERIFY_EMAIL" => Ok(CodePurpose::VerifyAttribute(
                crate::schema::VerifiableAttribute::Email,
            )),
            "VERIFY_PHONE_NUMBER" => Ok(CodePurpose::VerifyAttribute(
                crate::schema::VerifiableAttribute::PhoneNumber,
            )),
            _ => Err(Error::Internal(crate::error::Internal::Storage)),
        }
    }
}

/// A code sent to the user and not yet used; only its salted digest is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingCode {
    /// What the code confirms.
    pub purpose: CodePurpose,
    /// Salted digest of the code.
    pub digest: SecretDigest,
    /// The first instant it no longer works.
    pub expires_at: DateTime<Utc>,
    /// Wrong codes tried against this code. Informational: the limit is counted per user
    /// and purpose across reissued codes, in [`UserRecord::code_throttles`] (SPEC §12).
    pub failed_attempts: u32,
    /// For an attribute verification code: the attribute's new value, held until the code
    /// verifies it (`AttributesRequireVerificationBeforeUpdate`, SPEC §16). The code goes
    /// to this value, not to the attribute's current one. `None` for every other code.
    pub held_value: Option<String>,
}

/// Recent code bookkeeping of one user for one [`CodePurpose`] (SPEC §12): when wrong codes
/// were tried and when codes were issued, each list oldest first.
///
/// The counts are **per user and purpose, across reissued codes**: issuing a new code
/// (ForgotPassword, ResendConfirmationCode, AdminResetUserPassword, SignUp) leaves them as
/// they are, so reissuing buys an attacker no guesses. An instant counts for one hour
/// (`PoolRules::code_window`) after it happened, a rolling window; entries that no longer
/// count are dropped at the next write, and each list keeps at most its limit of entries
/// (never more than [`CodeThrottle::MAX_TRACKED`]). Part of the record, so the counts
/// survive restarts and are shared by every process using the store. A correct code
/// clears both lists.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CodeThrottle {
    /// When each wrong code still counting was tried, oldest first.
    pub failures: Vec<DateTime<Utc>>,
    /// When each code still counting was issued, oldest first.
    pub issued: Vec<DateTime<Utc>>,
}

impl CodeThrottle {
    /// The most entries a list holds, whatever the pool's limits say: the effective limits
    /// are capped at this, and stores may refuse to read back longer lists as corrupt.
    pub const MAX_TRACKED: usize = 64;

    /// Whether both lists are empty (nothing counts against the user).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.failures.is_empty() && self.issued.is_empty()
    }
}

/// The [`CodeThrottle`] of each [`CodePurpose`], kept in the user record (SPEC §12).
///
/// Attribute verification codes count with the sign-up codes **(decision: both prove a
/// contact address, and sharing the count keeps the stored record's shape)**.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CodeThrottles {
    /// Sign-up confirmation codes (SignUp, ResendConfirmationCode, ConfirmSignUp).
    pub sign_up: CodeThrottle,
    /// Password-reset codes (ForgotPassword, AdminResetUserPassword, ConfirmForgotPassword).
    pub password_reset: CodeThrottle,
}

impl CodeThrottles {
    /// The bookkeeping of `purpose`.
    #[must_use]
    pub fn get(&self, purpose: CodePurpose) -> &CodeThrottle {
        match purpose {
            CodePurpose::SignUp | CodePurpose::VerifyAttribute(_) => &self.sign_up,
            CodePurpose::PasswordReset => &self.password_reset,
        }
    }

    /// The bookkeeping of `purpose`, to change.
    pub fn get_mut(&mut self, purpose: CodePurpose) -> &mut CodeThrottle {
        match purpose {
            CodePurpose::SignUp | CodePurpose::VerifyAttribute(_) => &mut self.sign_up,
            CodePurpose::PasswordReset => &mut self.password_reset,
        }
    }
}

/// An open NEW_PASSWORD_REQUIRED challenge; only the digest of its session token is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingChallenge {
    /// Salted digest of the session token handed to the client.
    pub digest: SecretDigest,
    /// Digest of the credential that produced it: a changed credential voids the session.
    pub credential: SecretDigest,
    /// The first instant it no longer works.
    pub expires_at: DateTime<Utc>,
}

/// The attribute names that can serve as aliases (SPEC §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AliasAttribute {
    /// `email`, usable once `email_verified` is `true`.
    Email,
    /// `phone_number`, usable once `phone_number_verified` is `true`.
    PhoneNumber,
    /// `preferred_username`, usable as soon as it is set.
    PreferredUsername,
}

impl AliasAttribute {
    /// Every alias attribute.
    pub const ALL: [AliasAttribute; 3] = [
        AliasAttribute::Email,
        AliasAttribute::PhoneNumber,
        AliasAttribute::PreferredUsername,
    ];

    /// The attribute name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            AliasAttribute::Email => "email",
            AliasAttribute::PhoneNumber => "phone_number",
            AliasAttribute::PreferredUsername => "preferred_username",
        }
    }

    /// The attribute that must be `"true"` for the value to serve as an alias.
    #[must_use]
    pub const fn verified_flag(self) -> Option<&'static str> {
        match self {
            AliasAttribute::Email => Some("email_verified"),
            AliasAttribute::PhoneNumber => Some("phone_number_verified"),
            AliasAttribute::PreferredUsername => None,
        }
    }
}

impl FromStr for AliasAttribute {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        AliasAttribute::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| Error::InvalidParameterMessage(format!("Invalid alias attribute: {s}")))
    }
}

/// One user of one pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    /// The username, as created (case preserved).
    pub username: Username,
    /// The immutable random UUID v4 given at creation (SPEC §8).
    pub sub: Uuid,
    /// The status (SPEC §3).
    pub status: UserStatus,
    /// The `Enabled` flag, beside the status.
    pub enabled: bool,
    /// User attributes by name (`email`, `email_verified`, `custom:tier`, ...). `sub` is not
    /// kept here; it is the field above.
    pub attributes: BTreeMap<String, String>,
    /// The current password; `None` only for EXTERNAL_PROVIDER users who never set one.
    pub credential: Option<Credential>,
    /// Previous permanent passwords, newest first, at most `PasswordHistorySize − 1`.
    pub history: Vec<PasswordHash>,
    /// The salt shared by all of this user's hashes when the pool uses per-user history
    /// salts (see [`crate::HistoryMode::PerUserSalt`]).
    pub history_salt: Option<[u8; 16]>,
    /// Failed sign-in bookkeeping.
    pub lockout: Lockout,
    /// A confirmation or reset code waiting to be used.
    pub pending_code: Option<PendingCode>,
    /// Wrong code attempts and codes issued in the last hour, per purpose (SPEC §12).
    pub code_throttles: CodeThrottles,
    /// An open NEW_PASSWORD_REQUIRED challenge.
    pub pending_challenge: Option<PendingChallenge>,
    /// The SRP verifier and the open PASSWORD_VERIFIER challenges (SPEC §15), `None` until
    /// a password is written with SRP on. Opaque to stores, which persist it as bytes (a
    /// sealing layer seals it).
    pub srp: Option<crate::srp::SrpBlob>,
    /// The MFA state (SPEC §18): the TOTP secrets (verified and pending), the last accepted
    /// TOTP step, the enabled and preferred factors, SMS codes sent, the open MFA challenge.
    /// `None` for a user who never touched MFA. Opaque to stores, which persist it as bytes
    /// (a sealing layer seals it, SPEC §14).
    pub mfa: Option<crate::mfa::MfaBlob>,
    /// The app client that opened the user's current sign-in challenge (NEW_PASSWORD_REQUIRED
    /// or an MFA step): its session is answered through that client only, any other gets
    /// an invalid session. Set by the service when a sign-in through a client leaves a
    /// challenge open; `None` before any.
    pub challenge_client: Option<String>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last modification time.
    pub modified_at: DateTime<Utc>,
    /// Issued by the store; every successful write advances it. Transitions leave it as it
    /// was read: the store compares it to detect concurrent writers.
    pub version: u64,
}

impl UserRecord {
    /// The values through which this user can be found besides the username: the pool's
    /// alias attributes that are set (and verified, for email and phone number).
    #[must_use]
    pub fn alias_values(&self, aliases: &[AliasAttribute]) -> Vec<(AliasAttribute, &str)> {
        aliases
            .iter()
            .filter_map(|&alias| {
                let value = self.attributes.get(alias.as_str())?;
                let verified = alias
                    .verified_flag()
                    .is_none_or(|flag| self.attributes.get(flag).is_some_and(|v| v == "true"));
                verified.then_some((alias, value.as_str()))
            })
            .collect()
    }

    /// Whether the user's current password is temporary.
    #[must_use]
    pub fn has_temporary_password(&self) -> bool {
        self.credential
            .as_ref()
            .is_some_and(Credential::is_temporary)
    }
}

#[cfg(test)]
mod tests {
    use super::Lockout;
    use chrono::TimeDelta;

    #[test]
    fn a_lockout_refuses_until_its_exact_end() {
        let start = crate::testing::epoch();
        let end = start + TimeDelta::minutes(15);
        let lockout = Lockout {
            locked_until: Some(end),
            ..Lockout::default()
        };
        assert!(lockout.is_locked_at(start));
        assert!(lockout.is_locked_at(end - TimeDelta::microseconds(1)));
        assert!(!lockout.is_locked_at(end));
        assert!(!Lockout::default().is_locked_at(start));
    }
}
