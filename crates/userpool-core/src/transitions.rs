//! The user lifecycle, one function per operation of SPEC §3.
//!
//! | operation | from | to |
//! |---|---|---|
//! | [`admin_create_user`] | — | FORCE_CHANGE_PASSWORD |
//! | [`resend_invitation`] | FORCE_CHANGE_PASSWORD | FORCE_CHANGE_PASSWORD, new temporary password |
//! | [`sign_up`] | — | UNCONFIRMED |
//! | [`resend_confirmation_code`] | UNCONFIRMED | UNCONFIRMED, new sign-up code |
//! | [`confirm_sign_up`], [`admin_confirm_sign_up`] | UNCONFIRMED | CONFIRMED |
//! | [`admin_set_user_password`] permanent | any | CONFIRMED |
//! | [`admin_set_user_password`] temporary | any | FORCE_CHANGE_PASSWORD |
//! | [`crate::signin::sign_in`] with a temporary password | FORCE_CHANGE_PASSWORD | unchanged, challenge |
//! | [`respond_to_new_password_required`] | FORCE_CHANGE_PASSWORD | CONFIRMED |
//! | [`change_password`] | CONFIRMED | CONFIRMED |
//! | [`admin_reset_user_password`] | CONFIRMED | RESET_REQUIRED |
//! | [`forgot_password`] + [`confirm_forgot_password`] | CONFIRMED, RESET_REQUIRED | CONFIRMED |
//! | [`external_provider_sign_in`] | — | EXTERNAL_PROVIDER |
//! | [`admin_disable_user`], [`admin_enable_user`] | any | same, `Enabled` false / true |
//!
//! Every function borrows the current record and returns a new one with an [`Event`], or an
//! error; the old record is never touched, so a failed operation changes nothing — not the
//! status, the password, the history, nor the version. The only exception is bookkeeping
//! the SPEC requires to persist across a refusal (a wrong confirmation code counts toward
//! its user's attempt limit, SPEC §12): those functions return [`Refused`] carrying the
//! record to write. Codes are issued and checked by [`crate::codes`].

use std::collections::BTreeMap;

use uuid::Uuid;

use crate::codes;
use crate::config::{Context, PoolRules, later};
use crate::entropy;
use crate::error::{Error, NotAuthorized, PolicyViolation, Result};
use crate::generate;
use crate::history;
use crate::input::{ConfirmationCode, Password, Username};
use crate::policy::PolicySubject;
use crate::secret::SecretDigest;
use crate::srp;
use crate::user::{
    AliasAttribute, CodePurpose, CodeThrottles, Credential, CredentialKind, Lockout, UserRecord,
    UserStatus,
};

/// What an operation did, for the host: deliver a code or a temporary password, audit, ...
///
/// Secrets inside (`Password`, `ConfirmationCode`) are redacted in `Debug`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Event {
    /// AdminCreateUser: the user exists with this temporary password (to deliver unless the
    /// host suppresses the message). `generated` says the pool made it up.
    UserCreated {
        /// The temporary password.
        temporary_password: Password,
        /// Whether the pool generated it.
        generated: bool,
    },
    /// AdminCreateUser with RESEND: a new temporary password, the expiry clock restarted.
    InvitationResent {
        /// The temporary password.
        temporary_password: Password,
        /// Whether the pool generated it.
        generated: bool,
    },
    /// A code to deliver to the user (sign-up confirmation or password reset).
    CodeIssued {
        /// What the code is for.
        purpose: CodePurpose,
        /// The code.
        code: ConfirmationCode,
    },
    /// The user is now CONFIRMED through sign-up confirmation.
    Confirmed,
    /// AdminSetUserPassword.
    PasswordSet {
        /// Whether the password is permanent.
        permanent: bool,
    },
    /// The NEW_PASSWORD_REQUIRED challenge was answered; the user is CONFIRMED.
    NewPasswordAccepted,
    /// ChangePassword.
    PasswordChanged,
    /// ConfirmForgotPassword.
    PasswordReset,
    /// A user created by a federated sign-in.
    ExternalUserCreated,
    /// AdminDisableUser.
    Disabled,
    /// AdminEnableUser.
    Enabled,
    /// AdminUpdateUserAttributes.
    AttributesUpdated,
    /// An SMS_MFA challenge opened: the code to send to the user's `phone_number`
    /// (SPEC §18), through the host's delivery like a confirmation code.
    MfaCodeIssued {
        /// The code.
        code: ConfirmationCode,
    },
    /// AdminImportUsers or the UserMigration trigger: the user was brought in from another
    /// system (SPEC §19); nothing to deliver.
    UserImported,
}

/// A refusal that still has bookkeeping to persist (a failed-attempt counter). Status,
/// password, history and version in `record` are those of the input.
#[derive(Debug, Clone)]
pub struct Refused {
    /// The error to return to the caller.
    pub error: Error,
    /// The record to write back, when there is bookkeeping to keep.
    pub record: Option<Box<UserRecord>>,
}

impl From<Error> for Refused {
    fn from(error: Error) -> Self {
        Refused {
            error,
            record: None,
        }
    }
}

/// Whether a new password is temporary (with the pool's validity) or permanent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Permanent,
    Temporary,
}

fn alias_strings(attributes: &BTreeMap<String, String>) -> Vec<&str> {
    AliasAttribute::ALL
        .iter()
        .filter_map(|a| attributes.get(a.as_str()).map(String::as_str))
        .collect()
}

/// Policy, then history, then hash: the core of every operation that sets a password on an
/// existing user. Returns the record with the new credential; the input is untouched.
fn replace_password(
    user: &UserRecord,
    password: &Password,
    kind: Kind,
    answers_temporary: bool,
    rules: &PoolRules,
    ctx: &mut Context<'_>,
) -> Result<UserRecord> {
    let aliases = alias_strings(&user.attributes);
    let subject = PolicySubject {
        username: Some(user.username.as_str()),
        aliases: &aliases,
    };
    rules.policy.check(password, subject)?;
    let n = rules.policy.password_history_size();
    let mut forbidden = history::forbidden(user, n);
    // With history off, Cognito lets the answer to NEW_PASSWORD_REQUIRED repeat the
    // temporary password; a pool that opts out checks the current credential alone and
    // reports a repeat as a policy violation (SPEC §6). One check, so per-user salts still
    // cost one hash.
    let only_the_temporary =
        answers_temporary && forbidden.is_empty() && rules.policy.refuse_temporary_as_new();
    if only_the_temporary && let Some(current) = &user.credential {
        forbidden.push(&current.hash);
    }
    let (hash, history_salt) =
        history::check_then_hash(rules, user.history_salt, password, &forbidden, ctx.entropy)
            .map_err(|e| match e {
                Error::PasswordHistoryPolicyViolation if only_the_temporary => {
                    PolicyViolation::SameAsTemporary.into()
                }
                other => other,
            })?;
    let mut next = user.clone();
    next.history = history::after_replacement(user, n);
    next.history_salt = history_salt;
    next.credential = Some(Credential {
        hash,
        kind: credential_kind(kind, rules, ctx),
        set_at: ctx.now,
    });
    next.srp = srp::verifier_for_write(&user.username, password, rules, ctx.entropy)?;
    next.pending_challenge = None;
    next.pending_code = None;
    // A new password is a fresh start for throttling **(decision)**.
    next.lockout = Lockout::default();
    next.modified_at = ctx.now;
    Ok(next)
}

fn credential_kind(kind: Kind, rules: &PoolRules, ctx: &Context<'_>) -> CredentialKind {
    match kind {
        Kind::Permanent => CredentialKind::Permanent,
        Kind::Temporary => CredentialKind::Temporary {
            expires_at: later(ctx.now, rules.policy.temporary_password_validity()),
        },
    }
}

/// A fresh record with no credential yet.
fn new_record(
    username: Username,
    status: UserStatus,
    attributes: BTreeMap<String, String>,
    ctx: &mut Context<'_>,
) -> Result<UserRecord> {
    let sub: Uuid = uuid::Builder::from_random_bytes(entropy::bytes(ctx.entropy)?).into_uuid();
    Ok(UserRecord {
        username,
        sub,
        status,
        enabled: true,
        attributes,
        credential: None,
        history: Vec::new(),
        history_salt: None,
        lockout: Lockout::default(),
        pending_code: None,
        code_throttles: CodeThrottles::default(),
        pending_challenge: None,
        srp: None,
        mfa: None,
        challenge_client: None,
        created_at: ctx.now,
        modified_at: ctx.now,
        version: 0,
    })
}

/// AdminImportUsers (SPEC §19): a user brought in with a password hash made by another
/// system (from [`crate::PasswordHasher::import`], so already checked against the ceilings),
/// CONFIRMED, with the hash as a permanent credential. The first successful sign-in verifies
/// it with its own algorithm and replaces it by the pool's argon2id, adding what a password
/// write adds (the SRP verifier, the history salt). Policy and history apply from the next
/// change; no SRP verifier exists until then, so SRP sign-in fails until a password sign-in.
///
/// The attributes are taken as given: the host validates them (against the pool's schema)
/// and checks the username is free, as for AdminCreateUser.
///
/// # Errors
/// `InternalErrorException` when the entropy source fails (for the `sub`).
pub fn import_user(
    username: Username,
    attributes: BTreeMap<String, String>,
    hash: crate::hash::PasswordHash,
    enabled: bool,
    ctx: &mut Context<'_>,
) -> Result<UserRecord> {
    let mut user = new_record(username, UserStatus::Confirmed, attributes, ctx)?;
    user.enabled = enabled;
    user.credential = Some(Credential {
        hash,
        kind: CredentialKind::Permanent,
        set_at: ctx.now,
    });
    Ok(user)
}

/// A user brought in by the UserMigration trigger (SPEC §19): the attributes the old system
/// answered and, at sign-in, the password just typed as a permanent credential (no policy
/// check: it was the user's password there **(decision, as Cognito)**), CONFIRMED or
/// RESET_REQUIRED as the trigger said, with what a password write computes (SRP verifier,
/// history salt). Without a password (ForgotPassword) the user is RESET_REQUIRED with no
/// credential until the reset sets one.
///
/// # Errors
/// `InternalErrorException` when the entropy source or hashing fails;
/// `TooManyRequestsException` when no hashing permit came in time.
pub fn migrate_user(
    username: Username,
    attributes: BTreeMap<String, String>,
    password: Option<&Password>,
    reset_required: bool,
    rules: &PoolRules,
    ctx: &mut Context<'_>,
) -> Result<UserRecord> {
    let status = if reset_required || password.is_none() {
        UserStatus::ResetRequired
    } else {
        UserStatus::Confirmed
    };
    let mut user = new_record(username, status, attributes, ctx)?;
    if let Some(password) = password {
        first_credential(&mut user, password, Kind::Permanent, rules, ctx)?;
    }
    Ok(user)
}

/// Hashes a first password (no history yet) honouring the pool's history mode.
fn first_credential(
    user: &mut UserRecord,
    password: &Password,
    kind: Kind,
    rules: &PoolRules,
    ctx: &mut Context<'_>,
) -> Result<()> {
    let (hash, salt) =
        history::check_then_hash(rules, user.history_salt, password, &[], ctx.entropy)?;
    user.history_salt = salt;
    user.srp = srp::verifier_for_write(&user.username, password, rules, ctx.entropy)?;
    user.credential = Some(Credential {
        hash,
        kind: credential_kind(kind, rules, ctx),
        set_at: ctx.now,
    });
    Ok(())
}

fn temporary_or_generated(
    given: Option<Password>,
    username: &Username,
    attributes: &BTreeMap<String, String>,
    rules: &PoolRules,
    ctx: &mut Context<'_>,
) -> Result<(Password, bool)> {
    let aliases = alias_strings(attributes);
    let subject = PolicySubject {
        username: Some(username.as_str()),
        aliases: &aliases,
    };
    match given {
        Some(password) => {
            rules.policy.check(&password, subject)?;
            Ok((password, false))
        }
        None => Ok((
            generate::temporary_password(&rules.policy, subject, ctx.entropy)?,
            true,
        )),
    }
}

/// AdminCreateUser: a new FORCE_CHANGE_PASSWORD user whose temporary password (given, or
/// generated to satisfy the policy) expires after `TemporaryPasswordValidityDays`.
/// History does not apply: there is none yet (SPEC §5).
///
/// # Errors
/// `InvalidPasswordException` when the given password breaks the policy;
/// `InternalErrorException` when entropy or hashing fails.
pub fn admin_create_user(
    username: Username,
    attributes: BTreeMap<String, String>,
    temporary_password: Option<Password>,
    rules: &PoolRules,
    ctx: &mut Context<'_>,
) -> Result<(UserRecord, Event)> {
    let (password, generated) =
        temporary_or_generated(temporary_password, &username, &attributes, rules, ctx)?;
    let mut user = new_record(username, UserStatus::ForceChangePassword, attributes, ctx)?;
    first_credential(&mut user, &password, Kind::Temporary, rules, ctx)?;
    Ok((
        user,
        Event::UserCreated {
            temporary_password: password,
            generated,
        },
    ))
}

/// AdminCreateUser with `MessageAction=RESEND`: a new temporary password for a
/// FORCE_CHANGE_PASSWORD user; the expiry clock restarts.
///
/// # Errors
/// `UnsupportedUserStateException` from any other status; `InvalidPasswordException` when
/// the given password breaks the policy; `InternalErrorException` when hashing fails.
pub fn resend_invitation(
    user: &UserRecord,
    temporary_password: Option<Password>,
    rules: &PoolRules,
    ctx: &mut Context<'_>,
) -> Result<(UserRecord, Event)> {
    if user.status != UserStatus::ForceChangePassword {
        return Err(Error::UnsupportedUserState(format!(
            "Resend not possible. {} status is not FORCE_CHANGE_PASSWORD",
            user.username
        )));
    }
    let (password, generated) = temporary_or_generated(
        temporary_password,
        &user.username,
        &user.attributes,
        rules,
        ctx,
    )?;
    let mut next = user.clone();
    first_credential(&mut next, &password, Kind::Temporary, rules, ctx)?;
    next.pending_challenge = None;
    next.modified_at = ctx.now;
    Ok((
        next,
        Event::InvitationResent {
            temporary_password: password,
            generated,
        },
    ))
}

/// SignUp: a new UNCONFIRMED user with a permanent password and a confirmation code.
///
/// # Errors
/// `InvalidPasswordException` when the password breaks the policy;
/// `InternalErrorException` when entropy or hashing fails.
pub fn sign_up(
    username: Username,
    password: &Password,
    attributes: BTreeMap<String, String>,
    rules: &PoolRules,
    ctx: &mut Context<'_>,
) -> Result<(UserRecord, Event)> {
    let aliases = alias_strings(&attributes);
    rules.policy.check(
        password,
        PolicySubject {
            username: Some(username.as_str()),
            aliases: &aliases,
        },
    )?;
    let mut user = new_record(username, UserStatus::Unconfirmed, attributes, ctx)?;
    first_credential(&mut user, password, Kind::Permanent, rules, ctx)?;
    with_new_code(None, user, CodePurpose::SignUp, rules, ctx)
}

/// `next` (the user after the operation) with a new code of `purpose` pending, and the
/// event that delivers it: the old code stops working, and the purpose's throttle carries
/// on from `issued_to` (the user as read; `None` for a new user), so reissuing buys no
/// guesses (SPEC §12). Reset codes live `reset_code_validity`, the others
/// `sign_up_code_validity`.
fn with_new_code(
    issued_to: Option<&UserRecord>,
    mut next: UserRecord,
    purpose: CodePurpose,
    rules: &PoolRules,
    ctx: &mut Context<'_>,
) -> Result<(UserRecord, Event)> {
    let validity = match purpose {
        CodePurpose::PasswordReset => rules.reset_code_validity,
        CodePurpose::SignUp | CodePurpose::VerifyAttribute(_) => rules.sign_up_code_validity,
    };
    let (pending, code, throttle) = codes::issue(issued_to, purpose, validity, rules, ctx)?;
    next.pending_code = Some(pending);
    *next.code_throttles.get_mut(purpose) = throttle;
    Ok((next, Event::CodeIssued { purpose, code }))
}

/// A new code of `purpose` for `user`, nothing else changed (ResendConfirmationCode,
/// ForgotPassword).
fn reissue_code(
    user: &UserRecord,
    purpose: CodePurpose,
    rules: &PoolRules,
    ctx: &mut Context<'_>,
) -> Result<(UserRecord, Event)> {
    let mut next = user.clone();
    next.modified_at = ctx.now;
    with_new_code(Some(user), next, purpose, rules, ctx)
}

/// ResendConfirmationCode: a new sign-up code for an UNCONFIRMED user. The old code stops
/// working; the wrong attempts counted so far stay counted, and the code counts toward the
/// issuance limit (SPEC §12).
///
/// # Errors
/// `NotAuthorizedException` (`User is disabled.`) for a disabled user **(decision, as
/// ForgotPassword)**; `InvalidParameterException` (`User is already confirmed.`, Cognito's
/// answer for a CONFIRMED user) from any status but UNCONFIRMED **(decision for the
/// statuses other than CONFIRMED: none of them takes a sign-up code)**;
/// `LimitExceededException` past the issuance limit; `InternalErrorException` when entropy
/// fails.
pub fn resend_confirmation_code(
    user: &UserRecord,
    rules: &PoolRules,
    ctx: &mut Context<'_>,
) -> Result<(UserRecord, Event)> {
    if !user.enabled {
        return Err(NotAuthorized::UserDisabled.into());
    }
    if user.status != UserStatus::Unconfirmed {
        return Err(Error::InvalidParameterMessage(
            "User is already confirmed.".into(),
        ));
    }
    reissue_code(user, CodePurpose::SignUp, rules, ctx)
}

/// ConfirmSignUp: UNCONFIRMED → CONFIRMED with the code sent at sign-up.
///
/// Wrong codes are counted per user across reissued codes (SPEC §12, see [`crate::codes`]);
/// the right code clears the count.
///
/// # Errors
/// `NotAuthorizedException` (`User cannot be confirmed. Current status is ...`) from any
/// other status; `CodeMismatchException` (with the attempt counted), `ExpiredCodeException`,
/// `LimitExceededException` (while the wrong attempts of the last hour are at the limit).
pub fn confirm_sign_up(
    user: &UserRecord,
    code: &ConfirmationCode,
    rules: &PoolRules,
    ctx: &mut Context<'_>,
) -> Result<(UserRecord, Event), Refused> {
    if user.status != UserStatus::Unconfirmed {
        return Err(Error::from(NotAuthorized::CannotConfirm {
            status: user.status,
        })
        .into());
    }
    codes::check(user, CodePurpose::SignUp, code, rules, ctx)?;
    let (mut next, event) = admin_confirm_sign_up(user, ctx)?;
    codes::reset(&mut next, CodePurpose::SignUp);
    Ok((next, event))
}

/// AdminConfirmSignUp: UNCONFIRMED → CONFIRMED without a code.
///
/// # Errors
/// `NotAuthorizedException` (`User cannot be confirmed. Current status is ...`) from any
/// other status.
pub fn admin_confirm_sign_up(
    user: &UserRecord,
    ctx: &mut Context<'_>,
) -> Result<(UserRecord, Event)> {
    if user.status != UserStatus::Unconfirmed {
        return Err(NotAuthorized::CannotConfirm {
            status: user.status,
        }
        .into());
    }
    let mut next = user.clone();
    next.status = UserStatus::Confirmed;
    next.pending_code = None;
    next.modified_at = ctx.now;
    Ok((next, Event::Confirmed))
}

/// **AdminSetUserPassword.** From any status: `permanent` → CONFIRMED; otherwise
/// FORCE_CHANGE_PASSWORD with a new expiry. Works on disabled users and leaves `Enabled`
/// as it is **(decision)**; on UNCONFIRMED users it behaves as on any other status
/// **(decision, as reported of the service)**. Policy is checked, then history (both kinds
/// of password count), then the password is hashed.
///
/// # Errors
/// `InvalidPasswordException`, `PasswordHistoryPolicyViolationException`,
/// `InternalErrorException`.
pub fn admin_set_user_password(
    user: &UserRecord,
    password: &Password,
    permanent: bool,
    rules: &PoolRules,
    ctx: &mut Context<'_>,
) -> Result<(UserRecord, Event)> {
    let kind = if permanent {
        Kind::Permanent
    } else {
        Kind::Temporary
    };
    let mut next = replace_password(user, password, kind, false, rules, ctx)?;
    next.status = if permanent {
        UserStatus::Confirmed
    } else {
        UserStatus::ForceChangePassword
    };
    Ok((next, Event::PasswordSet { permanent }))
}

/// The answer to NEW_PASSWORD_REQUIRED: FORCE_CHANGE_PASSWORD → CONFIRMED.
///
/// The session must be the one issued for the current credential, unused and unexpired.
/// With history on, the new password may not repeat the temporary one (the temporary
/// password is the current one, so that is the history rule). With history off Cognito
/// accepts the repeat, and so do we unless the pool's policy sets
/// [`refuse_temporary_as_new`](crate::PasswordPolicyBuilder::refuse_temporary_as_new):
/// then it is `InvalidPasswordException` **(decision: Cognito's behaviour by default, the
/// OWASP ASVS 5 §6.4.1 rule as a per-pool option)**.
///
/// # Errors
/// `NotAuthorizedException` (`Invalid session for the user.`), `InvalidPasswordException`,
/// `PasswordHistoryPolicyViolationException`, `InternalErrorException`.
pub fn respond_to_new_password_required(
    user: &UserRecord,
    session: &str,
    new_password: &Password,
    rules: &PoolRules,
    ctx: &mut Context<'_>,
) -> Result<(UserRecord, Event)> {
    let invalid = || Error::from(NotAuthorized::InvalidSession);
    let (Some(challenge), Some(credential)) = (&user.pending_challenge, &user.credential) else {
        return Err(invalid());
    };
    let session_ok = challenge.digest.matches(session.as_bytes())
        && ctx.now < challenge.expires_at
        && challenge.credential == SecretDigest::fingerprint(credential.hash.as_phc().as_bytes())
        && user.status == UserStatus::ForceChangePassword;
    if !session_ok {
        return Err(invalid());
    }
    // A session outlives neither the user's access nor the temporary password it answers.
    if !user.enabled {
        return Err(NotAuthorized::UserDisabled.into());
    }
    if let CredentialKind::Temporary { expires_at } = credential.kind
        && ctx.now >= expires_at
    {
        return Err(NotAuthorized::TemporaryPasswordExpired.into());
    }
    let mut next = replace_password(user, new_password, Kind::Permanent, true, rules, ctx)?;
    next.status = UserStatus::Confirmed;
    Ok((next, Event::NewPasswordAccepted))
}

/// ChangePassword: a CONFIRMED user who knows the current password sets a new one.
///
/// # Errors
/// `NotAuthorizedException` (`Incorrect username or password.`) when the previous password
/// is wrong or the user is not CONFIRMED; `InvalidPasswordException`,
/// `PasswordHistoryPolicyViolationException`, `InternalErrorException`.
pub fn change_password(
    user: &UserRecord,
    previous: &Password,
    proposed: &Password,
    rules: &PoolRules,
    ctx: &mut Context<'_>,
) -> Result<(UserRecord, Event)> {
    let wrong = || Error::from(NotAuthorized::IncorrectCredentials);
    let Some(credential) = &user.credential else {
        return Err(wrong());
    };
    if user.status != UserStatus::Confirmed || !user.enabled {
        return Err(wrong());
    }
    if !rules.hasher.verify(previous, &credential.hash)? {
        return Err(wrong());
    }
    let next = replace_password(user, proposed, Kind::Permanent, false, rules, ctx)?;
    Ok((next, Event::PasswordChanged))
}

/// AdminResetUserPassword: CONFIRMED → RESET_REQUIRED, the password stops working and a
/// reset code is issued. Repeating it on RESET_REQUIRED issues a new code.
///
/// The code counts toward the issuance limit, and the wrong attempts counted so far stay
/// counted (SPEC §12).
///
/// # Errors
/// `NotAuthorizedException` (`User password cannot be reset in the current state.`) from
/// FORCE_CHANGE_PASSWORD, UNCONFIRMED, EXTERNAL_PROVIDER without a password, and the
/// read-only statuses **(decision for all but FORCE_CHANGE_PASSWORD)**;
/// `LimitExceededException` past the issuance limit (nothing changes);
/// `InternalErrorException` when entropy fails.
pub fn admin_reset_user_password(
    user: &UserRecord,
    rules: &PoolRules,
    ctx: &mut Context<'_>,
) -> Result<(UserRecord, Event)> {
    if !matches!(
        user.status,
        UserStatus::Confirmed | UserStatus::ResetRequired
    ) {
        return Err(NotAuthorized::CannotResetInCurrentState.into());
    }
    let mut next = user.clone();
    next.status = UserStatus::ResetRequired;
    next.pending_challenge = None;
    next.modified_at = ctx.now;
    with_new_code(Some(user), next, CodePurpose::PasswordReset, rules, ctx)
}

/// ForgotPassword: issues a reset code to a CONFIRMED or RESET_REQUIRED user; the status
/// and the current password stay as they are until the code is used.
///
/// The code counts toward the issuance limit, and the wrong attempts counted so far stay
/// counted: reissuing buys no guesses (SPEC §12).
///
/// # Errors
/// `NotAuthorizedException` (`User password cannot be reset in the current state.`) from any
/// other status, and `User is disabled.` for a disabled user; `LimitExceededException` past
/// the issuance limit (nothing changes); `InternalErrorException` when entropy fails.
pub fn forgot_password(
    user: &UserRecord,
    rules: &PoolRules,
    ctx: &mut Context<'_>,
) -> Result<(UserRecord, Event)> {
    if !user.enabled {
        return Err(NotAuthorized::UserDisabled.into());
    }
    if !matches!(
        user.status,
        UserStatus::Confirmed | UserStatus::ResetRequired
    ) {
        return Err(NotAuthorized::CannotResetInCurrentState.into());
    }
    reissue_code(user, CodePurpose::PasswordReset, rules, ctx)
}

/// ConfirmForgotPassword: with the reset code, CONFIRMED or RESET_REQUIRED → CONFIRMED with
/// the new password (policy and history apply).
///
/// Wrong codes are counted per user across reissued codes (SPEC §12, see [`crate::codes`]);
/// the right code clears the count.
///
/// # Errors
/// `CodeMismatchException` (attempt counted), `ExpiredCodeException`,
/// `LimitExceededException` (while the wrong attempts of the last hour are at the limit),
/// `InvalidPasswordException`,
/// `PasswordHistoryPolicyViolationException`, `InternalErrorException`.
pub fn confirm_forgot_password(
    user: &UserRecord,
    code: &ConfirmationCode,
    password: &Password,
    rules: &PoolRules,
    ctx: &mut Context<'_>,
) -> Result<(UserRecord, Event), Refused> {
    if !matches!(
        user.status,
        UserStatus::Confirmed | UserStatus::ResetRequired
    ) {
        return Err(Error::from(NotAuthorized::CannotResetInCurrentState).into());
    }
    codes::check(user, CodePurpose::PasswordReset, code, rules, ctx)?;
    let mut next = replace_password(user, password, Kind::Permanent, false, rules, ctx)?;
    next.status = UserStatus::Confirmed;
    codes::reset(&mut next, CodePurpose::PasswordReset);
    Ok((next, Event::PasswordReset))
}

/// The first federated sign-in: the host reports an external identity and a new
/// EXTERNAL_PROVIDER user without a password is created.
///
/// # Errors
/// `InternalErrorException` when entropy fails.
pub fn external_provider_sign_in(
    username: Username,
    attributes: BTreeMap<String, String>,
    ctx: &mut Context<'_>,
) -> Result<(UserRecord, Event)> {
    let user = new_record(username, UserStatus::ExternalProvider, attributes, ctx)?;
    Ok((user, Event::ExternalUserCreated))
}

/// AdminDisableUser: `Enabled` false; the status stays.
///
/// # Errors
/// None today; the `Result` keeps every transition's shape.
pub fn admin_disable_user(user: &UserRecord, ctx: &mut Context<'_>) -> Result<(UserRecord, Event)> {
    let mut next = user.clone();
    next.enabled = false;
    next.pending_challenge = None;
    next.modified_at = ctx.now;
    Ok((next, Event::Disabled))
}

/// AdminEnableUser: `Enabled` true; the status stays.
///
/// # Errors
/// None today; the `Result` keeps every transition's shape.
pub fn admin_enable_user(user: &UserRecord, ctx: &mut Context<'_>) -> Result<(UserRecord, Event)> {
    let mut next = user.clone();
    next.enabled = true;
    next.modified_at = ctx.now;
    Ok((next, Event::Enabled))
}

/// AdminUpdateUserAttributes: sets (or, with an empty value, removes) attributes. A changed
/// email or phone number loses its verified flag unless the update sets it too.
///
/// # Errors
/// `InvalidParameterException` when asked to change `sub`.
pub fn admin_update_user_attributes(
    user: &UserRecord,
    updates: &BTreeMap<String, String>,
    ctx: &mut Context<'_>,
) -> Result<(UserRecord, Event)> {
    if updates.contains_key("sub") {
        return Err(Error::InvalidParameterMessage(
            "Cannot modify an immutable attribute: sub".into(),
        ));
    }
    let mut next = user.clone();
    for (name, value) in updates {
        let flag = AliasAttribute::ALL
            .iter()
            .find(|a| a.as_str() == name)
            .and_then(|a| a.verified_flag());
        if let Some(flag) = flag
            && next.attributes.get(name) != Some(value)
            && !updates.contains_key(flag)
        {
            next.attributes.remove(flag);
        }
        if value.is_empty() {
            next.attributes.remove(name);
        } else {
            next.attributes.insert(name.clone(), value.clone());
        }
    }
    next.modified_at = ctx.now;
    Ok((next, Event::AttributesUpdated))
}

/// GetUserAttributeVerificationCode (SPEC §16): a code to verify the user's `attribute`.
/// It replaces any other pending code (one code is pending at a time) and counts toward
/// the sign-up codes' issuance limit (SPEC §12).
///
/// # Errors
/// `NotAuthorizedException` (`User is disabled.`); `InvalidParameterException` when the
/// user has no value for `attribute`; `LimitExceededException` past the issuance limit.
pub fn get_user_attribute_verification_code(
    user: &UserRecord,
    attribute: crate::schema::VerifiableAttribute,
    rules: &PoolRules,
    ctx: &mut Context<'_>,
) -> Result<(UserRecord, Event)> {
    if !user.enabled {
        return Err(NotAuthorized::UserDisabled.into());
    }
    if user
        .attributes
        .get(attribute.as_str())
        .is_none_or(String::is_empty)
    {
        return Err(Error::InvalidParameterMessage(format!(
            "User has no value for the attribute {attribute}."
        )));
    }
    // A held change waiting for this attribute's code stays held: the new code verifies it.
    let held = user
        .pending_code
        .as_ref()
        .filter(|p| p.purpose == CodePurpose::VerifyAttribute(attribute))
        .and_then(|p| p.held_value.clone());
    issue_attribute_code(user, attribute, held, rules, ctx)
}

/// A verified email or phone number changed where the pool requires verification before
/// update (SPEC §16): the current value and its flag stay; `value` is held with a new code
/// sent to it, and becomes the attribute's value when VerifyUserAttribute verifies it.
///
/// # Errors
/// `NotAuthorizedException` (`User is disabled.`); `LimitExceededException` past the
/// issuance limit.
pub fn hold_attribute_update(
    user: &UserRecord,
    attribute: crate::schema::VerifiableAttribute,
    value: String,
    rules: &PoolRules,
    ctx: &mut Context<'_>,
) -> Result<(UserRecord, Event)> {
    if !user.enabled {
        return Err(NotAuthorized::UserDisabled.into());
    }
    issue_attribute_code(user, attribute, Some(value), rules, ctx)
}

fn issue_attribute_code(
    user: &UserRecord,
    attribute: crate::schema::VerifiableAttribute,
    held_value: Option<String>,
    rules: &PoolRules,
    ctx: &mut Context<'_>,
) -> Result<(UserRecord, Event)> {
    let mut next = user.clone();
    next.modified_at = ctx.now;
    let purpose = CodePurpose::VerifyAttribute(attribute);
    let (mut next, event) = with_new_code(Some(user), next, purpose, rules, ctx)?;
    if let Some(pending) = &mut next.pending_code {
        pending.held_value = held_value;
    }
    Ok((next, event))
}

/// VerifyUserAttribute (SPEC §16): with the code, the attribute's verified flag becomes
/// `true` (and a held new value becomes the attribute's value) and the code is spent. Wrong codes count as any code's do (SPEC §12).
///
/// # Errors
/// `CodeMismatchException` (the attempt counted), `ExpiredCodeException` (no code of this
/// purpose pending, or expired), `LimitExceededException`.
pub fn verify_user_attribute(
    user: &UserRecord,
    attribute: crate::schema::VerifiableAttribute,
    code: &ConfirmationCode,
    rules: &PoolRules,
    ctx: &mut Context<'_>,
) -> Result<(UserRecord, Event), Refused> {
    let purpose = CodePurpose::VerifyAttribute(attribute);
    codes::check(user, purpose, code, rules, ctx)?;
    let mut next = user.clone();
    if let Some(held) = user
        .pending_code
        .as_ref()
        .and_then(|p| p.held_value.clone())
    {
        next.attributes.insert(attribute.as_str().to_owned(), held);
    }
    next.attributes
        .insert(attribute.verified_flag().to_owned(), "true".to_owned());
    next.pending_code = None;
    codes::reset(&mut next, purpose);
    next.modified_at = ctx.now;
    Ok((next, Event::AttributesUpdated))
}
