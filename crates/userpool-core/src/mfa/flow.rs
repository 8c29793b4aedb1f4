//! The MFA steps, one function each; see the [module table](super).

use base64ct::{Base64UrlUnpadded, Encoding};
use zeroize::Zeroizing;

use super::stored::{MfaState, OpenChallenge, Stage, TotpFactor};
use super::totp::TotpSecret;
use super::{
    FactorPreference, MfaChallenge, MfaChallengeName, MfaFactor, MfaMode, MfaSettings,
    PoolMfaConfig,
};
use crate::config::{Context, PoolRules, later};
use crate::error::{Error, NotAuthorized, Result};
use crate::generate;
use crate::input::Username;
use crate::secret::SecretDigest;
use crate::signin::{self, ChallengeSession};
use crate::transitions::Refused;
use crate::user::{CodeThrottle, Lockout, UserRecord};

/// Wrong answers one MFA session takes before it is void (each also counts toward the
/// sign-in lockout).
pub const MAX_WRONG_ANSWERS: u8 = 3;

const NOT_ASSOCIATED: &str = "Software token MFA has not been associated with the user.";
const NOT_ENABLED_BY_POOL: &str = "Software Token MFA has not been enabled by the userPool.";

fn stage_of(factor: MfaFactor) -> Stage {
    match factor {
        MfaFactor::SoftwareToken => Stage::SoftwareToken,
        MfaFactor::Sms => Stage::Sms,
    }
}

fn name_of(stage: Stage) -> MfaChallengeName {
    match stage {
        Stage::SoftwareToken => MfaChallengeName::SoftwareTokenMfa,
        Stage::Sms => MfaChallengeName::SmsMfa,
        Stage::Select => MfaChallengeName::SelectMfaType,
        Stage::Setup | Stage::SetupVerified => MfaChallengeName::MfaSetup,
    }
}

fn has_phone(user: &UserRecord) -> bool {
    user.attributes
        .get("phone_number")
        .is_some_and(|p| !p.is_empty())
}

/// The factors a sign-in must pass, SMS first as Cognito lists them.
fn active_factors(user: &UserRecord, state: &MfaState, pool: &PoolMfaConfig) -> Vec<MfaFactor> {
    let totp = state
        .totp
        .as_ref()
        .is_some_and(|t| t.enabled || pool.mode == MfaMode::On);
    let sms =
        pool.sms && has_phone(user) && (state.sms_enabled || (pool.mode == MfaMode::On && !totp));
    let mut active = Vec::with_capacity(2);
    if sms {
        active.push(MfaFactor::Sms);
    }
    if totp {
        active.push(MfaFactor::SoftwareToken);
    }
    active
}

/// The factors a user of the pool may set up, SMS first.
fn offered(pool: &PoolMfaConfig) -> Vec<MfaFactor> {
    let mut offered = Vec::with_capacity(2);
    if pool.sms {
        offered.push(MfaFactor::Sms);
    }
    if pool.software_token {
        offered.push(MfaFactor::SoftwareToken);
    }
    offered
}

fn credential_fingerprint(user: &UserRecord) -> SecretDigest {
    let phc = user.credential.as_ref().map_or("", |c| c.hash.as_phc());
    SecretDigest::fingerprint(phc.as_bytes())
}

fn new_session(
    user: &UserRecord,
    ctx: &mut Context<'_>,
) -> Result<(ChallengeSession, SecretDigest)> {
    let token = generate::session_token(ctx.entropy)?;
    let name = Base64UrlUnpadded::encode_string(user.username.as_str().as_bytes());
    let text = Zeroizing::new(format!("{name}.{}", token.as_str()));
    let digest = SecretDigest::new(text.as_bytes(), ctx.entropy)?;
    Ok((ChallengeSession(text), digest))
}

/// The username an MFA session names, so that AssociateSoftwareToken and
/// VerifySoftwareToken (which carry only the session) can find the user. Reveals nothing
/// the client did not send; the session is checked against the user's record after.
#[must_use]
pub fn session_username(session: &str) -> Option<Username> {
    let (name, _) = session.split_once('.')?;
    let bytes = Base64UrlUnpadded::decode_vec(name).ok()?;
    Username::parse(std::str::from_utf8(&bytes).ok()?).ok()
}

/// The user's MFA state and its open challenge, if `session` is that challenge's session,
/// at one of `stages`, for the current credential, unexpired; then the lockout and
/// `Enabled`. Every answer in a session starts here.
fn open_challenge(
    user: &UserRecord,
    session: &str,
    stages: &[Stage],
    ctx: &Context<'_>,
) -> Result<(MfaState, OpenChallenge)> {
    let state = MfaState::read(user.mfa.as_ref())?;
    let invalid = || Error::from(NotAuthorized::InvalidSession);
    let Some(challenge) = &state.challenge else {
        return Err(invalid());
    };
    let valid = challenge.session.matches(session.as_bytes())
        && stages.contains(&challenge.stage)
        && challenge.credential == credential_fingerprint(user);
    if !valid {
        return Err(invalid());
    }
    if ctx.now >= challenge.expires_at {
        return Err(if challenge.stage == Stage::Sms {
            Error::ExpiredCode
        } else {
            invalid()
        });
    }
    if user.lockout.is_locked_at(ctx.now) {
        return Err(NotAuthorized::AttemptsExceeded.into());
    }
    if !user.enabled {
        return Err(NotAuthorized::UserDisabled.into());
    }
    let challenge = challenge.clone();
    Ok((state, challenge))
}

/// A wrong answer: counted on the session (void after [`MAX_WRONG_ANSWERS`]) and, when
/// `lockout`, as a failed sign-in.
fn wrong_answer(
    user: &UserRecord,
    mut state: MfaState,
    error: Error,
    lockout: bool,
    rules: &PoolRules,
    ctx: &Context<'_>,
) -> Refused {
    if let Some(challenge) = state.challenge.as_mut() {
        challenge.wrong_answers = challenge.wrong_answers.saturating_add(1);
        if challenge.wrong_answers >= MAX_WRONG_ANSWERS {
            state.challenge = None;
        }
    }
    let mut next = if lockout {
        signin::record_failure(user, rules, ctx)
    } else {
        user.clone()
    };
    next.mfa = state.write();
    next.modified_at = ctx.now;
    Refused {
        error,
        record: Some(Box::new(next)),
    }
}

/// The sign-in is complete: the challenge spent, the lockout cleared.
fn completed(user: &UserRecord, mut state: MfaState, ctx: &Context<'_>) -> UserRecord {
    state.challenge = None;
    let mut next = user.clone();
    next.mfa = state.write();
    next.lockout = Lockout::default();
    next.modified_at = ctx.now;
    next
}

/// Opens a challenge at `stage` on the record (replacing any open one).
fn open(
    user: &UserRecord,
    mut state: MfaState,
    stage: Stage,
    options: Vec<MfaFactor>,
    rules: &PoolRules,
    ctx: &mut Context<'_>,
) -> Result<(UserRecord, MfaChallenge)> {
    let mut sms_code = None;
    let mut sms_digest = None;
    if stage == Stage::Sms {
        // SPEC §12 bounds codes sent: at most `codes_per_window` a rolling window.
        let limit = usize::try_from(rules.codes_per_window)
            .unwrap_or(CodeThrottle::MAX_TRACKED)
            .min(CodeThrottle::MAX_TRACKED);
        state
            .sms_issued
            .retain(|&at| ctx.now < later(at, rules.code_window));
        if state.sms_issued.len() >= limit {
            return Err(Error::LimitExceeded);
        }
        state.sms_issued.push(ctx.now);
        let code = generate::confirmation_code(ctx.entropy)?;
        sms_digest = Some(SecretDigest::new(code.expose().as_bytes(), ctx.entropy)?);
        sms_code = Some(code);
    }
    let (session, digest) = new_session(user, ctx)?;
    state.challenge = Some(OpenChallenge {
        stage,
        wrong_answers: 0,
        expires_at: later(ctx.now, rules.challenge_validity()),
        session: digest,
        credential: credential_fingerprint(user),
        sms_code: sms_digest,
    });
    let mut next = user.clone();
    next.mfa = state.write();
    next.modified_at = ctx.now;
    Ok((
        next,
        MfaChallenge {
            name: name_of(stage),
            session,
            sms_code,
            options,
        },
    ))
}

/// After the first factor (a verified password or SRP proof, a NEW_PASSWORD_REQUIRED
/// answer): the MFA challenge the user must pass, opened on the record, or `None` when the
/// pool and the user's factors ask for none (see [the rules](super#which-challenge)).
///
/// `user` is the record to build on. Its lockout must be the one from before the first
/// factor: only a passed second factor clears it, or a known password would buy fresh MFA
/// guesses at every sign-in.
///
/// # Errors
/// `LimitExceededException` when an SMS code is due and the window's codes are spent
/// (nothing is opened or sent); `InternalErrorException` when the stored state is
/// unreadable or entropy fails.
pub fn challenge_after_first_factor(
    user: &UserRecord,
    rules: &PoolRules,
    ctx: &mut Context<'_>,
) -> Result<Option<(UserRecord, MfaChallenge)>> {
    let pool = &rules.mfa;
    if pool.mode == MfaMode::Off {
        return Ok(None);
    }
    let state = MfaState::read(user.mfa.as_ref())?;
    let active = active_factors(user, &state, pool);
    let (stage, options) = match active.as_slice() {
        [] if pool.mode == MfaMode::On => (Stage::Setup, offered(pool)),
        [] => return Ok(None),
        [only] => (stage_of(*only), Vec::new()),
        _ => match state.preferred.filter(|p| active.contains(p)) {
            Some(preferred) => (stage_of(preferred), Vec::new()),
            None => (Stage::Select, active.clone()),
        },
    };
    open(user, state, stage, options, rules, ctx).map(Some)
}

/// RespondToAuthChallenge `SELECT_MFA_TYPE` with `ANSWER`: opens the chosen factor's
/// challenge with a new session (an SMS code is sent for `SMS_MFA`).
///
/// # Errors
/// `NotAuthorizedException` `Invalid session for the user.` (unknown, spent, expired,
/// another user's or another credential's session), `Password attempts exceeded`, `User is
/// disabled.`; `InvalidParameterException` for an answer that is not one of the factors
/// offered (the session stays); `LimitExceededException` for SMS past the window's codes.
pub fn respond_to_select_mfa_type(
    user: &UserRecord,
    session: &str,
    answer: &str,
    rules: &PoolRules,
    ctx: &mut Context<'_>,
) -> Result<(UserRecord, MfaChallenge), Refused> {
    let (state, _) = open_challenge(user, session, &[Stage::Select], ctx)?;
    let factor: MfaFactor = answer.parse()?;
    if !active_factors(user, &state, &rules.mfa).contains(&factor) {
        return Err(Error::InvalidParameterMessage(format!(
            "{} is not an MFA type offered to the user",
            factor.as_str()
        ))
        .into());
    }
    Ok(open(user, state, stage_of(factor), Vec::new(), rules, ctx)?)
}

/// AssociateSoftwareToken with an access token: a new secret, pending until
/// [`verify_software_token`]; the verified token (if any) stays in use until then.
///
/// # Errors
/// `SoftwareTokenMFANotFoundException` when the pool does not offer TOTP;
/// `InternalErrorException` when entropy fails or the stored state is unreadable.
pub fn associate_software_token(
    user: &UserRecord,
    rules: &PoolRules,
    ctx: &mut Context<'_>,
) -> Result<(UserRecord, TotpSecret)> {
    if !rules.mfa.software_token {
        return Err(Error::SoftwareTokenMfaNotFound(NOT_ENABLED_BY_POOL));
    }
    let mut state = MfaState::read(user.mfa.as_ref())?;
    let secret = TotpSecret::generate(ctx.entropy)?;
    state.pending_totp = Some(secret.clone());
    let mut next = user.clone();
    next.mfa = state.write();
    next.modified_at = ctx.now;
    Ok((next, secret))
}

/// AssociateSoftwareToken with an `MFA_SETUP` session: as [`associate_software_token`],
/// spending the session for a new one.
///
/// # Errors
/// The session errors of [`respond_to_select_mfa_type`]; then those of
/// [`associate_software_token`].
pub fn associate_software_token_in_session(
    user: &UserRecord,
    session: &str,
    rules: &PoolRules,
    ctx: &mut Context<'_>,
) -> Result<(UserRecord, TotpSecret, ChallengeSession)> {
    open_challenge(user, session, &[Stage::Setup], ctx)?;
    let (associated, secret) = associate_software_token(user, rules, ctx)?;
    let state = MfaState::read(associated.mfa.as_ref())?;
    let (next, challenge) = open(&associated, state, Stage::Setup, Vec::new(), rules, ctx)?;
    Ok((next, secret, challenge.session))
}

/// Checks `code` against the pending secret; the state with it verified, or `None`.
fn verify_pending(state: &MfaState, code: &str, ctx: &Context<'_>) -> Result<Option<MfaState>> {
    let Some(pending) = &state.pending_totp else {
        return Err(Error::SoftwareTokenMfaNotFound(NOT_ASSOCIATED));
    };
    let Some(step) = pending.accepts(code, ctx.now, None)? else {
        return Ok(None);
    };
    let mut next = state.clone();
    next.totp = Some(TotpFactor {
        secret: pending.clone(),
        enabled: state.totp.as_ref().is_some_and(|t| t.enabled),
        last_step: Some(step),
    });
    next.pending_totp = None;
    Ok(Some(next))
}

/// VerifySoftwareToken with an access token: a right code makes the pending secret the
/// user's verified token (replacing an earlier one, keeping whether TOTP is on); the step
/// it matched is spent.
///
/// # Errors
/// `SoftwareTokenMFANotFoundException` when no secret is pending;
/// `EnableSoftwareTokenMFAException` for a wrong code (nothing changes).
pub fn verify_software_token(
    user: &UserRecord,
    code: &str,
    ctx: &mut Context<'_>,
) -> Result<UserRecord> {
    let state = MfaState::read(user.mfa.as_ref())?;
    let Some(verified) = verify_pending(&state, code, ctx)? else {
        return Err(Error::EnableSoftwareTokenMfa);
    };
    let mut next = user.clone();
    next.mfa = verified.write();
    next.modified_at = ctx.now;
    Ok(next)
}

/// VerifySoftwareToken with the `MFA_SETUP` session: as [`verify_software_token`]; the
/// session is spent for a new one, to answer `MFA_SETUP` with. A wrong code counts on the
/// session.
///
/// # Errors
/// The session errors of [`respond_to_select_mfa_type`]; then those of
/// [`verify_software_token`] (a wrong code with the record to write).
pub fn verify_software_token_in_session(
    user: &UserRecord,
    session: &str,
    code: &str,
    rules: &PoolRules,
    ctx: &mut Context<'_>,
) -> Result<(UserRecord, ChallengeSession), Refused> {
    let (state, _) = open_challenge(user, session, &[Stage::Setup], ctx)?;
    let Some(verified) = verify_pending(&state, code, ctx)? else {
        return Err(wrong_answer(
            user,
            state,
            Error::EnableSoftwareTokenMfa,
            false,
            rules,
            ctx,
        ));
    };
    let (next, challenge) = open(user, verified, Stage::SetupVerified, Vec::new(), rules, ctx)?;
    Ok((next, challenge.session))
}

/// RespondToAuthChallenge `MFA_SETUP` with the session VerifySoftwareToken returned: the
/// sign-in completes, and the new token is on and preferred (unless another factor is
/// preferred).
///
/// # Errors
/// The session errors of [`respond_to_select_mfa_type`] (a session whose token is not
/// verified yet is invalid).
pub fn respond_to_mfa_setup(
    user: &UserRecord,
    session: &str,
    ctx: &mut Context<'_>,
) -> Result<UserRecord, Refused> {
    let (mut state, _) = open_challenge(user, session, &[Stage::SetupVerified], ctx)?;
    let Some(totp) = state.totp.as_mut() else {
        return Err(Error::from(NotAuthorized::InvalidSession).into());
    };
    totp.enabled = true;
    state.preferred = state.preferred.or(Some(MfaFactor::SoftwareToken));
    Ok(completed(user, state, ctx))
}

/// RespondToAuthChallenge `SOFTWARE_TOKEN_MFA` with `SOFTWARE_TOKEN_MFA_CODE`: a code of
/// the verified token at a step not used before completes the sign-in.
///
/// # Errors
/// The session errors of [`respond_to_select_mfa_type`]; `CodeMismatchException` `Invalid
/// code received for user` for a wrong, malformed or replayed code, with the record to
/// write (the failure counted toward the lockout, the session's count advanced).
pub fn respond_to_software_token_mfa(
    user: &UserRecord,
    session: &str,
    code: &str,
    rules: &PoolRules,
    ctx: &mut Context<'_>,
) -> Result<UserRecord, Refused> {
    let (mut state, _) = open_challenge(user, session, &[Stage::SoftwareToken], ctx)?;
    let Some(totp) = state.totp.as_mut() else {
        return Err(Error::from(NotAuthorized::InvalidSession).into());
    };
    let Some(step) = totp.secret.accepts(code, ctx.now, totp.last_step)? else {
        return Err(wrong_answer(
            user,
            state,
            Error::MfaCodeMismatch,
            true,
            rules,
            ctx,
        ));
    };
    totp.last_step = Some(step);
    Ok(completed(user, state, ctx))
}

/// RespondToAuthChallenge `SMS_MFA` with `SMS_MFA_CODE`: the code sent completes the
/// sign-in, and marks the `phone_number` verified (as Cognito does).
///
/// # Errors
/// The session errors of [`respond_to_select_mfa_type`]; `ExpiredCodeException` after
/// the code expired; `CodeMismatchException` as for [`respond_to_software_token_mfa`].
pub fn respond_to_sms_mfa(
    user: &UserRecord,
    session: &str,
    code: &str,
    rules: &PoolRules,
    ctx: &mut Context<'_>,
) -> Result<UserRecord, Refused> {
    let (state, challenge) = open_challenge(user, session, &[Stage::Sms], ctx)?;
    let right = challenge
        .sms_code
        .as_ref()
        .is_some_and(|digest| digest.matches(code.as_bytes()));
    if !right {
        return Err(wrong_answer(
            user,
            state,
            Error::MfaCodeMismatch,
            true,
            rules,
            ctx,
        ));
    }
    let mut next = completed(user, state, ctx);
    // The code reached the phone: Cognito then marks the number verified (its guide: "After
    // users complete the SMS text message MFA verification, Amazon Cognito sets the
    // phone_number_verified attribute to true").
    next.attributes
        .insert("phone_number_verified".into(), "true".into());
    Ok(next)
}

/// SetUserMFAPreference / AdminSetUserMFAPreference: turns factors on or off and picks the
/// preferred one. A factor turned off stops being preferred.
///
/// # Errors
/// `InvalidParameterException` when both are asked to be preferred, when TOTP is turned on
/// or preferred without a verified token, when SMS is turned on or preferred without a
/// `phone_number`, or when a factor is preferred and not on. Nothing changes.
pub fn set_user_mfa_preference(
    user: &UserRecord,
    software_token: FactorPreference,
    sms: FactorPreference,
    ctx: &mut Context<'_>,
) -> Result<UserRecord> {
    let invalid = |message: &str| Error::InvalidParameterMessage(message.to_owned());
    if software_token.preferred == Some(true) && sms.preferred == Some(true) {
        return Err(invalid("Only one MFA type can be preferred."));
    }
    let mut state = MfaState::read(user.mfa.as_ref())?;
    if let Some(enabled) = software_token.enabled {
        match state.totp.as_mut() {
            Some(totp) => totp.enabled = enabled,
            // A token associated and not yet verified, or none at all: Cognito words them
            // apart.
            None if enabled && state.pending_totp.is_some() => {
                return Err(invalid("User has not verified software token mfa"));
            }
            None if enabled => {
                return Err(invalid(
                    "User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA",
                ));
            }
            None => {}
        }
    }
    if let Some(enabled) = sms.enabled {
        if enabled && !has_phone(user) {
            return Err(invalid(
                "User does not have delivery config set to turn on SMS_MFA",
            ));
        }
        state.sms_enabled = enabled;
    }
    for (factor, preference) in [
        (MfaFactor::SoftwareToken, software_token),
        (MfaFactor::Sms, sms),
    ] {
        match preference.preferred {
            Some(true) => state.preferred = Some(factor),
            Some(false) if state.preferred == Some(factor) => state.preferred = None,
            _ => {}
        }
    }
    let on = |factor| match factor {
        MfaFactor::SoftwareToken => state.totp.as_ref().is_some_and(|t| t.enabled),
        MfaFactor::Sms => state.sms_enabled,
    };
    if let Some(preferred) = state.preferred
        && !on(preferred)
    {
        let asked = match preferred {
            MfaFactor::SoftwareToken => software_token.preferred,
            MfaFactor::Sms => sms.preferred,
        };
        if asked == Some(true) {
            return Err(invalid("The preferred MFA type must be enabled."));
        }
        state.preferred = None;
    }
    let mut next = user.clone();
    next.mfa = state.write();
    next.modified_at = ctx.now;
    Ok(next)
}

/// SetUserSettings / AdminSetUserSettings (legacy): `MFAOptions` naming SMS to
/// `phone_number` turns SMS MFA on; an empty list turns it off.
///
/// # Errors
/// As [`set_user_mfa_preference`].
pub fn set_sms_mfa(user: &UserRecord, enabled: bool, ctx: &mut Context<'_>) -> Result<UserRecord> {
    set_user_mfa_preference(
        user,
        FactorPreference::default(),
        FactorPreference {
            enabled: Some(enabled),
            preferred: None,
        },
        ctx,
    )
}

/// Whether SMS is a factor `user`'s sign-in must pass in a pool configured as `pool`
/// (SPEC §18): turned on for the user, or the factor an MFA-ON pool falls back to. What
/// deleting the user's `phone_number` would silently switch off, so the service refuses
/// that deletion while this holds.
///
/// # Errors
/// `InternalErrorException` when the stored state is unreadable.
pub fn sms_factor_active(user: &UserRecord, pool: &PoolMfaConfig) -> Result<bool> {
    if pool.mode == MfaMode::Off {
        return Ok(false);
    }
    let state = MfaState::read(user.mfa.as_ref())?;
    Ok(active_factors(user, &state, pool).contains(&MfaFactor::Sms))
}

/// What GetUser reports: the factors turned on, the preferred one.
///
/// # Errors
/// `InternalErrorException` when the stored state is unreadable.
pub fn settings(user: &UserRecord) -> Result<MfaSettings> {
    let state = MfaState::read(user.mfa.as_ref())?;
    let mut enabled = Vec::new();
    if state.sms_enabled {
        enabled.push(MfaFactor::Sms);
    }
    if state.totp.as_ref().is_some_and(|t| t.enabled) {
        enabled.push(MfaFactor::SoftwareToken);
    }
    Ok(MfaSettings {
        enabled,
        preferred: state.preferred,
        software_token_verified: state.totp.is_some(),
    })
}
