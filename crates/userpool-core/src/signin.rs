//! The sign-in decision (SPEC §6): success, the NEW_PASSWORD_REQUIRED challenge, an MFA
//! challenge (SPEC §18, see [`crate::mfa`]), or an error, with per-user throttling and
//! transparent re-hashing.
//!
//! Checks run in this order **(decision: the password is verified before any state is
//! revealed)**: lockout (without verifying), password, `Enabled`, UNCONFIRMED,
//! RESET_REQUIRED, temporary-password expiry. A wrong password is recorded on the user
//! (lockout state lives in the record), so a refusal may still carry a record to write.

use zeroize::Zeroizing;

use crate::config::{Context, LockoutPolicy, PoolRules, later};
use crate::error::{Error, NotAuthorized, Result};
use crate::generate;
use crate::input::Password;
use crate::memory::WorkingMemory;
use crate::secret::SecretDigest;
use crate::transitions::Refused;
use crate::user::{CredentialKind, Lockout, PendingChallenge, UserRecord, UserStatus};

/// An opaque NEW_PASSWORD_REQUIRED session token: 256 random bits, single-use, bound to the
/// user and the credential that produced it. Redacted in `Debug`; no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct ChallengeSession(pub(crate) Zeroizing<String>);

impl ChallengeSession {
    /// The token, to hand to the client.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ChallengeSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChallengeSession(<redacted>)")
    }
}

/// What a successful sign-in leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInOutcome {
    /// The user is authenticated; the host issues tokens.
    Authenticated,
    /// The password was a valid temporary one: the client must answer NEW_PASSWORD_REQUIRED
    /// with this session. Never tokens (SPEC §4).
    NewPasswordRequired {
        /// The session to send back with the new password.
        session: ChallengeSession,
    },
    /// The first factor passed and a second one applies (SPEC §18): the client must
    /// answer this MFA challenge. Never tokens.
    MfaRequired {
        /// The challenge, its session, and for `SMS_MFA` the code to deliver.
        challenge: crate::mfa::MfaChallenge,
    },
}

/// A successful sign-in: the outcome, and the record to write when something changed
/// (lockout cleared, hash upgraded, challenge opened).
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// Authenticated or challenged.
    pub outcome: SignInOutcome,
    /// The record to write back, when it changed.
    pub record: Option<Box<UserRecord>>,
}

fn effective_failures(lockout: &Lockout, policy: &LockoutPolicy, ctx: &Context<'_>) -> u32 {
    match lockout.last_failure_at {
        Some(at) if ctx.now - at < policy.reset_after => lockout.consecutive_failures,
        _ => 0,
    }
}

pub(crate) fn record_failure(
    user: &UserRecord,
    rules: &PoolRules,
    ctx: &Context<'_>,
) -> UserRecord {
    let policy = &rules.lockout;
    let failures = effective_failures(&user.lockout, policy, ctx).saturating_add(1);
    let locked_until = failures
        .checked_sub(policy.free_failures)
        .filter(|&n| n > 0)
        .map(|n| {
            // 1 s, 2 s, 4 s, ... capped at the maximum.
            let doublings = (n - 1).min(30);
            let lockout = policy
                .first_lockout
                .checked_mul(1i32 << doublings)
                .map_or(policy.max_lockout, |l| l.min(policy.max_lockout));
            later(ctx.now, lockout)
        });
    let mut next = user.clone();
    next.lockout = Lockout {
        consecutive_failures: failures,
        last_failure_at: Some(ctx.now),
        locked_until,
    };
    next
}

/// Refuses an attempt inside the user's lockout (SPEC §6): `Password attempts exceeded`,
/// before anything is verified or recorded. The first check of every sign-in path.
pub(crate) fn refuse_inside_lockout(user: &UserRecord, ctx: &Context<'_>) -> Result<(), Refused> {
    if user.lockout.is_locked_at(ctx.now) {
        return Err(Error::from(NotAuthorized::AttemptsExceeded).into());
    }
    Ok(())
}

/// Signs a known user in with a password.
///
/// # Errors
/// A [`Refused`] with, in order of checks: `NotAuthorizedException` `Password attempts
/// exceeded` (inside a lockout, nothing verified); `Incorrect username or password.` (with the
/// failure recorded); `User is disabled.`; `UserNotConfirmedException`;
/// `PasswordResetRequiredException`; `Temporary password has expired and must be reset by an
/// administrator.`; `InternalErrorException` when a stored hash is unusable;
/// `TooManyRequestsException` `Too many requests` when no hashing permit came in time
/// (SPEC §13; nothing is recorded).
pub fn sign_in(
    user: &UserRecord,
    password: &Password,
    rules: &PoolRules,
    ctx: &mut Context<'_>,
) -> Result<SignedIn, Refused> {
    refuse_inside_lockout(user, ctx)?;
    let mut memory = rules.hasher.working_memory()?;
    let verified = match &user.credential {
        Some(credential) => rules
            .hasher
            .verify_in(password, &credential.hash, &mut memory)?,
        None => rules.hasher.verify_dummy(password, &mut memory)?,
    };
    if !verified {
        return Err(Refused {
            error: NotAuthorized::IncorrectCredentials.into(),
            record: Some(Box::new(record_failure(user, rules, ctx))),
        });
    }
    let mut next = user.clone();
    // A user whose password was set before SRP existed gets a verifier now (SPEC §15).
    if next.srp.is_none() && user.credential.is_some() {
        next.srp = crate::srp::verifier_for_write(&user.username, password, rules, ctx.entropy)?;
    }
    conclude(user, next, Some((password, &mut memory)), rules, ctx)
}

/// What follows a verified password or SRP proof (SPEC §6): `Enabled`, the status checks,
/// then the challenge for a temporary password or success, with the lockout cleared.
/// `next` is the record as the verification left it (a verifier added, an SRP challenge
/// consumed); `password` is there when the proof was a password, for re-hashing.
pub(crate) fn conclude(
    user: &UserRecord,
    mut next: UserRecord,
    password: Option<(&Password, &mut WorkingMemory)>,
    rules: &PoolRules,
    ctx: &mut Context<'_>,
) -> Result<SignedIn, Refused> {
    // invariant: verification succeeded, so there is a credential.
    let Some(credential) = &user.credential else {
        return Err(Error::from(NotAuthorized::IncorrectCredentials).into());
    };
    if !user.enabled {
        return Err(Error::from(NotAuthorized::UserDisabled).into());
    }
    match user.status {
        UserStatus::Unconfirmed => return Err(Error::UserNotConfirmed.into()),
        UserStatus::ResetRequired => return Err(Error::PasswordResetRequired.into()),
        UserStatus::Archived | UserStatus::Compromised | UserStatus::Unknown => {
            return Err(Error::from(NotAuthorized::IncorrectCredentials).into());
        }
        UserStatus::Confirmed | UserStatus::ForceChangePassword | UserStatus::ExternalProvider => {}
    }
    next.lockout = Lockout::default();
    let outcome = match credential.kind {
        CredentialKind::Temporary { expires_at } => {
            if ctx.now >= expires_at {
                return Err(Error::from(NotAuthorized::TemporaryPasswordExpired).into());
            }
            let token = generate::session_token(ctx.entropy)?;
            next.pending_challenge = Some(PendingChallenge {
                digest: SecretDigest::new(token.as_bytes(), ctx.entropy)?,
                credential: SecretDigest::fingerprint(credential.hash.as_phc().as_bytes()),
                expires_at: later(ctx.now, rules.challenge_validity()),
            });
            SignInOutcome::NewPasswordRequired {
                session: ChallengeSession(token),
            }
        }
        CredentialKind::Permanent => {
            if let Some((password, memory)) = password
                && rules.hasher.needs_rehash(&credential.hash)
            {
                upgrade_hash(&mut next, password, rules, ctx, memory)?;
            }
            // A second factor, if one applies (SPEC §18). The lockout stays as it was
            // until the second factor passes: a known password must not buy fresh
            // guesses at the MFA code with every sign-in.
            let mut first_factor = next.clone();
            first_factor.lockout = user.lockout;
            match crate::mfa::challenge_after_first_factor(&first_factor, rules, ctx)? {
                Some((challenged, challenge)) => {
                    next = challenged;
                    SignInOutcome::MfaRequired { challenge }
                }
                None => SignInOutcome::Authenticated,
            }
        }
    };
    let changed = next != *user;
    if changed {
        next.modified_at = ctx.now;
    }
    Ok(SignedIn {
        outcome,
        record: changed.then(|| Box::new(next)),
    })
}

/// Re-hashes with the pool's current parameters (SPEC §6), or replaces an imported hash by
/// the pool's argon2id (SPEC §19). The credential's kind and time stay; in per-user salt
/// mode the history salt is reused, or drawn as a password write would draw it.
fn upgrade_hash(
    next: &mut UserRecord,
    password: &Password,
    rules: &PoolRules,
    ctx: &mut Context<'_>,
    memory: &mut WorkingMemory,
) -> Result<()> {
    let hash = match rules.history_mode {
        crate::config::HistoryMode::PerUserSalt => {
            let salt = match next.history_salt {
                Some(salt) => salt,
                None => crate::entropy::bytes(ctx.entropy)?,
            };
            next.history_salt = Some(salt);
            rules.hasher.hash_with_salt(password, &salt, memory)?
        }
        crate::config::HistoryMode::PerEntrySalt => {
            rules.hasher.hash_in(password, ctx.entropy, memory)?
        }
    };
    if let Some(credential) = next.credential.as_mut() {
        credential.hash = hash;
    }
    Ok(())
}

/// Signs in a username that resolves to no user: spends one verification's work against a
/// dummy hash, then fails, so that timing does not reveal existence (SPEC §6). The error is
/// `UserNotFoundException`, or `NotAuthorizedException` `Incorrect username or password.`
/// when the client prevents user-existence errors. The decoy hash takes a hashing permit
/// like any other (SPEC §13): without one in time the error is `TooManyRequestsException`.
#[must_use]
pub fn sign_in_unknown_user(
    password: &Password,
    rules: &PoolRules,
    prevent_existence_errors: bool,
) -> Error {
    let decoy = rules
        .hasher
        .working_memory()
        .and_then(|mut memory| rules.hasher.verify_dummy(password, &mut memory));
    if let Err(e) = decoy {
        return e;
    }
    if prevent_existence_errors {
        NotAuthorized::IncorrectCredentials.into()
    } else {
        Error::UserNotFound
    }
}
