//! The PASSWORD_VERIFIER challenge as a state of the sign-in machine (SPEC §15): opening
//! it on the user's record, answering it, and the simulated challenge for users without
//! a verifier.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use super::challenge::{PasswordVerifierAnswer, PasswordVerifierChallenge, SrpA};
use super::group;
use super::stored::{MAX_PENDING_CHALLENGES, Pending, SrpState};
use super::verifier::SrpVerifier;
use crate::config::{Context, PoolRules};
use crate::error::{Error, NotAuthorized};
use crate::input::{Password, UserPoolId, Username};
use crate::signin::{self, SignedIn};
use crate::transitions::Refused;
use crate::user::UserRecord;

/// What [`start_password_verifier`] opened.
#[derive(Debug)]
pub enum Started {
    /// A challenge on the user's record: write `record`, answer with `challenge`.
    Opened {
        /// The user with the challenge added (expired and surplus ones dropped).
        record: Box<UserRecord>,
        /// The challenge's parameters for the client.
        challenge: Box<PasswordVerifierChallenge>,
    },
    /// The user has no verifier yet (SPEC §15): answer with
    /// [`simulated_challenge`] as for an unknown user; the answer will fail.
    NoVerifier,
}

/// InitiateAuth `USER_SRP_AUTH` for a known user: opens a PASSWORD_VERIFIER challenge for
/// `client_id` and keeps it on the record (single use, expiring after
/// [`PoolRules::challenge_validity`], at most [`super::MAX_PENDING_CHALLENGES`] open).
///
/// The status is not looked at: as for a password, it is revealed only to whoever proves
/// the password (SPEC §6).
///
/// # Errors
/// `NotAuthorizedException` `Password attempts exceeded` inside a lockout (nothing
/// opened); `InternalErrorException` when the stored state is unreadable or entropy fails.
pub fn start_password_verifier(
    pool: &UserPoolId,
    user: &UserRecord,
    client_id: &str,
    a: &SrpA,
    rules: &PoolRules,
    ctx: &mut Context<'_>,
) -> Result<Started, Refused> {
    signin::refuse_inside_lockout(user, ctx)?;
    let Some(blob) = &user.srp else {
        return Ok(Started::NoVerifier);
    };
    let mut state = SrpState::decode(blob, pool, &user.username)?;
    let challenge =
        PasswordVerifierChallenge::start(pool, &user.username, a, &state.verifier, rules, ctx)?;
    state.prune(ctx.now, MAX_PENDING_CHALLENGES - 1);
    state.pending.push(Pending {
        client_id: client_id.to_owned(),
        challenge: challenge.clone(),
    });
    let mut next = user.clone();
    next.srp = Some(state.encode());
    next.modified_at = ctx.now;
    Ok(Started::Opened {
        record: Box::new(next),
        challenge: Box::new(challenge),
    })
}

/// RespondToAuthChallenge `PASSWORD_VERIFIER`: finds the user's open challenge by the
/// answer's secret block (so no Session is needed), consumes it whatever the outcome, checks
/// that it was opened for `client_id` and the proof, then concludes as a password sign-in
/// would (SPEC §6: `Enabled`, status, NEW_PASSWORD_REQUIRED for a temporary password).
///
/// # Errors
/// A [`Refused`], in order: `NotAuthorizedException` `Password attempts exceeded` inside a
/// lockout (nothing checked, nothing written); `Incorrect username or password.` for an
/// answer to no open challenge of this user and client, a stale timestamp or a wrong
/// signature (a failed sign-in, counted toward the lockout); `Invalid session for the
/// user.` for an expired challenge; then the errors of [`crate::signin::sign_in`] after
/// its password check. Every refusal past the lockout carries the record to write (the
/// challenge consumed, the failure counted).
pub fn answer_password_verifier(
    pool: &UserPoolId,
    user: &UserRecord,
    client_id: &str,
    answer: &PasswordVerifierAnswer,
    rules: &PoolRules,
    ctx: &mut Context<'_>,
) -> Result<SignedIn, Refused> {
    signin::refuse_inside_lockout(user, ctx)?;
    let failed = |consumed: &UserRecord, ctx: &Context<'_>| Refused {
        error: NotAuthorized::IncorrectCredentials.into(),
        record: Some(Box::new(signin::record_failure(consumed, rules, ctx))),
    };
    let Some(blob) = &user.srp else {
        spend_check_work(pool, &user.username, None, rules, ctx)?;
        return Err(failed(user, ctx));
    };
    let mut state = SrpState::decode(blob, pool, &user.username)?;
    let Some(index) = state
        .pending
        .iter()
        .position(|p| p.challenge.is_for(answer))
    else {
        // As long as a checked proof takes, so the time does not tell a named challenge
        // from none (nor a user from an unknown one, whose answer spends the same).
        spend_check_work(pool, &user.username, Some(&state.verifier), rules, ctx)?;
        return Err(failed(user, ctx));
    };
    let pending = state.pending.remove(index);
    let mut consumed = user.clone();
    consumed.srp = Some(state.encode());
    consumed.modified_at = ctx.now;
    if pending.client_id != client_id {
        return Err(failed(&consumed, ctx));
    }
    match pending
        .challenge
        .check_answer(answer, &state.verifier, ctx.now)
    {
        Ok(()) => {}
        Err(Error::NotAuthorized(NotAuthorized::IncorrectCredentials)) => {
            return Err(failed(&consumed, ctx));
        }
        Err(error) => {
            return Err(Refused {
                error,
                record: Some(Box::new(consumed)),
            });
        }
    }
    signin::conclude(user, consumed.clone(), None, rules, ctx).map_err(|refused| Refused {
        record: refused.record.or_else(|| Some(Box::new(consumed))),
        error: refused.error,
    })
}

/// An answer that did not parse ([`PasswordVerifierAnswer::parse`] refused it with
/// `error`): a failed sign-in like a wrong proof, counted toward the lockout; inside a
/// lockout `Password attempts exceeded`, nothing counted.
#[must_use]
pub fn refuse_unreadable_answer(
    user: &UserRecord,
    error: Error,
    rules: &PoolRules,
    ctx: &Context<'_>,
) -> Refused {
    if user.lockout.is_locked_at(ctx.now) {
        return Error::from(NotAuthorized::AttemptsExceeded).into();
    }
    Refused {
        error,
        record: Some(Box::new(signin::record_failure(user, rules, ctx))),
    }
}

/// The challenge for a username without a verifier (unknown, or set before SRP existed),
/// SPEC §15: the same parameters a real one has, at comparable cost, with a salt that is
/// the same for the same pool and `user_id` under the same `host_key` (an HMAC), so that
/// asking twice does not tell it apart from a real user. Its answer always fails.
///
/// # Errors
/// `InternalErrorException` when entropy fails.
pub fn simulated_challenge(
    pool: &UserPoolId,
    user_id: &Username,
    a: &SrpA,
    host_key: &[u8],
    rules: &PoolRules,
    ctx: &mut Context<'_>,
) -> crate::error::Result<PasswordVerifierChallenge> {
    let verifier = simulated_verifier(pool, user_id, host_key)?;
    PasswordVerifierChallenge::start(pool, user_id, a, &verifier, rules, ctx)
}

/// Spends the work of checking a PASSWORD_VERIFIER answer (S = (A·v^u)^b, the HKDF) for a
/// name with nothing to check it against (an unknown user), so that refusing it costs what
/// checking a real answer costs (SPEC §15). The result is thrown away.
///
/// # Errors
/// `InternalErrorException` when entropy fails.
pub fn spend_answer_work(
    pool: &UserPoolId,
    user_id: &Username,
    host_key: &[u8],
    rules: &PoolRules,
    ctx: &mut Context<'_>,
) -> crate::error::Result<()> {
    let verifier = simulated_verifier(pool, user_id, host_key)?;
    // Any valid A: the exponentiations cost the same whatever its value.
    let a = SrpA::parse("02")?;
    let challenge = PasswordVerifierChallenge::start(pool, user_id, &a, &verifier, rules, ctx)?;
    std::hint::black_box(challenge.session_key(&verifier));
    Ok(())
}

/// The exponentiations of checking a proof (a challenge's B, then S and the key), spent
/// when an answer names nothing to check, and thrown away.
fn spend_check_work(
    pool: &UserPoolId,
    user_id: &Username,
    verifier: Option<&SrpVerifier>,
    rules: &PoolRules,
    ctx: &mut Context<'_>,
) -> crate::error::Result<()> {
    let fallback;
    let verifier = match verifier {
        Some(verifier) => verifier,
        None => {
            let password = Password::parse("no verifier to check")?;
            fallback = SrpVerifier::with_salt(pool, user_id, &password, [0; SrpVerifier::SALT_LEN]);
            &fallback
        }
    };
    let a = SrpA::parse("02")?;
    let challenge = PasswordVerifierChallenge::start(pool, user_id, &a, verifier, rules, ctx)?;
    std::hint::black_box(challenge.session_key(verifier));
    Ok(())
}

/// A verifier with a salt derived under `host_key` (the same for the same pool and name)
/// for a password no one knows, costing what a real verifier costs to compute.
fn simulated_verifier(
    pool: &UserPoolId,
    user_id: &Username,
    host_key: &[u8],
) -> crate::error::Result<SrpVerifier> {
    let derived = derive(host_key, b"salt", pool, user_id.as_str());
    let mut salt = [0u8; SrpVerifier::SALT_LEN];
    salt.copy_from_slice(&derived[..SrpVerifier::SALT_LEN]);
    let secret = Zeroizing::new(group::encode_hex(&derived[SrpVerifier::SALT_LEN..]));
    let password = Password::parse(&secret)?;
    Ok(SrpVerifier::with_salt(pool, user_id, &password, salt))
}

/// A stable stand-in for a generated username (a pool with username attributes), so that
/// a simulated `USER_ID_FOR_SRP` looks like a real one: a UUID derived under `host_key`.
#[must_use]
pub fn simulated_user_id(host_key: &[u8], pool: &UserPoolId, name: &str) -> Username {
    let derived = derive(host_key, b"user-id", pool, name);
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&derived[..16]);
    let id = uuid::Builder::from_random_bytes(bytes).into_uuid();
    // invariant: a hyphenated UUID (36 characters of hex and hyphens) is a valid username.
    Username::parse(&id.hyphenated().to_string()).expect("a UUID is a valid username")
}

/// HMAC-SHA256(host_key, label ‖ 0 ‖ pool ‖ 0 ‖ name).
fn derive(host_key: &[u8], label: &[u8], pool: &UserPoolId, name: &str) -> Zeroizing<[u8; 32]> {
    // invariant: HMAC-SHA256 takes a key of any length.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(host_key).expect("any key length");
    mac.update(label);
    mac.update(&[0]);
    mac.update(pool.as_str().as_bytes());
    mac.update(&[0]);
    mac.update(name.as_bytes());
    Zeroizing::new(mac.finalize().into_bytes().into())
}
