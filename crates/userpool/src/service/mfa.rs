//! Multi-factor authentication (SPEC §18): the pool's MFA configuration
//! (SetUserPoolMfaConfig, GetUserPoolMfaConfig), software tokens (AssociateSoftwareToken,
//! VerifySoftwareToken, by access token or by the `MFA_SETUP` session), the user's factors
//! (SetUserMFAPreference, AdminSetUserMFAPreference, the legacy SetUserSettings and
//! AdminSetUserSettings); the answers to the MFA challenges of sign-in
//! (RespondToAuthChallenge, AdminRespondToAuthChallenge) are in `mfa_challenge`, on the
//! sessions this module defines. Every decision is the core's
//! ([`userpool_core::mfa`]); this module finds the user, writes under compare-and-swap and
//! delivers SMS codes.
//!
//! A session handed to a client is `<pool id>.<the core's session>`: AssociateSoftwareToken
//! and VerifySoftwareToken carry nothing else, and the pool id (never a secret) says where
//! to look; the core's part names the user and is checked against the digest on the
//! user's record.

use userpool_core::mfa::{self, FactorPreference, PoolMfaConfig};
use userpool_core::{
    ChallengeSession, Error, Internal, NotAuthorized, Result, UserPoolId, UserRecord, Username,
};
use zeroize::Zeroizing;

use super::UserPools;
use super::auth::session_constraint;
#[cfg(feature = "jwt")]
use super::inputs::{AccessTokenInput, SoftwareTokenInput, TokenOrSession};
use super::inputs::{AdminUserInput, PoolInput, user_code};
use crate::authorize::Caller;
use crate::ratelimit::Category;
use crate::validate::{Validator, accepted};
use userpool_store::pool::PoolRecord;
use userpool_store::store::{Store, StoreError};

/// The client's form of a core session: `<pool id>.<session>`.
pub(super) fn wire_session(pool: &UserPoolId, session: &ChallengeSession) -> ChallengeSessionText {
    ChallengeSessionText(Zeroizing::new(format!(
        "{}.{}",
        pool.as_str(),
        session.expose()
    )))
}

/// A session as handed to the client (redacted in `Debug`).
#[derive(Clone, PartialEq, Eq)]
pub struct ChallengeSessionText(Zeroizing<String>);

impl ChallengeSessionText {
    /// The text to send.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ChallengeSessionText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChallengeSessionText(<redacted>)")
    }
}

/// The pool, the user and the core's session a client's session names; `None` for a
/// session that names none (it is refused as an invalid session).
pub(super) fn split_session(session: &str) -> Option<(UserPoolId, Username, &str)> {
    let (pool, rest) = session.split_once('.')?;
    let pool = UserPoolId::parse(pool).ok()?;
    let user = mfa::session_username(rest)?;
    Some((pool, user, rest))
}

pub(super) fn invalid_session() -> Error {
    NotAuthorized::InvalidSession.into()
}

impl<S: Store + ?Sized> UserPools<S> {
    /// **SetUserPoolMfaConfig**: the pool's `MfaConfiguration` and the factors it offers.
    /// Users who verified a token keep it if TOTP is later withdrawn (the guide's words).
    ///
    /// # Errors
    /// `InvalidParameterException` (ON or OPTIONAL with no factor, an SMS message without
    /// `{####}`), `NotAuthorizedException`, `ResourceNotFoundException`,
    /// `InternalErrorException`.
    pub fn set_user_pool_mfa_config(
        &self,
        caller: &Caller,
        pool_id: &str,
        config: PoolMfaConfig,
    ) -> Result<PoolMfaConfig> {
        self.set_user_pool_mfa_config_input(caller, &PoolInput::parse(Some(pool_id))?, config)
    }

    /// **SetUserPoolMfaConfig** from an input validated once by [`PoolInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::set_user_pool_mfa_config`].
    pub fn set_user_pool_mfa_config_input(
        &self,
        caller: &Caller,
        input: &PoolInput,
        config: PoolMfaConfig,
    ) -> Result<PoolMfaConfig> {
        let id = &input.user_pool_id;
        self.authorize(caller, "SetUserPoolMfaConfig", id)?;
        config.validate()?;
        for _ in 0..self.max_attempts {
            let mut record = self.pool(id)?;
            record.mfa = config.clone();
            record.modified_at = self.clock.now();
            match self.store.update_pool(&record) {
                Ok(_) => {
                    self.forget_rules(id);
                    return Ok(config);
                }
                Err(StoreError::Conflict { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Err(Internal::ContentionRetriesExhausted.into())
    }

    /// **GetUserPoolMfaConfig**.
    ///
    /// # Errors
    /// `InvalidParameterException`, `NotAuthorizedException`, `ResourceNotFoundException`.
    pub fn get_user_pool_mfa_config(
        &self,
        caller: &Caller,
        pool_id: &str,
    ) -> Result<PoolMfaConfig> {
        self.get_user_pool_mfa_config_input(caller, &PoolInput::parse(Some(pool_id))?)
    }

    /// **GetUserPoolMfaConfig** from an input validated once by [`PoolInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::get_user_pool_mfa_config`].
    pub fn get_user_pool_mfa_config_input(
        &self,
        caller: &Caller,
        input: &PoolInput,
    ) -> Result<PoolMfaConfig> {
        let id = &input.user_pool_id;
        self.authorize(caller, "GetUserPoolMfaConfig", id)?;
        Ok(self.pool(id)?.mfa)
    }

    /// The pool and user named by an access token's claims (the host verified the token).
    fn token_user(
        &self,
        pool_id: &str,
        username: &str,
        category: Category,
    ) -> Result<(PoolRecord, Username)> {
        let mut v = Validator::new();
        let id = v.pool_id(pool_id);
        let name = v.username(username);
        v.finish()?;
        let (id, name) = (accepted(id)?, accepted(name)?);
        self.limit(&id, category)?;
        Ok((self.pool(&id)?, name))
    }

    /// The pool and user a session names, rate-limited as a sign-in step.
    fn session_user(&self, session: &str) -> Result<(PoolRecord, Username, String)> {
        if let Some(c) = session_constraint(session) {
            return Err(Error::invalid_parameter("session", c));
        }
        let (id, name, core) = split_session(session).ok_or_else(invalid_session)?;
        self.limit(&id, Category::UserAuthentication)?;
        let pool = match self.pool(&id) {
            Ok(pool) => pool,
            Err(Error::UserPoolNotFound { .. }) => return Err(invalid_session()),
            Err(e) => return Err(e),
        };
        Ok((pool, name, core.to_owned()))
    }

    /// Runs a session step on the user a session names; an unknown user is an invalid
    /// session (a session names only a user it was made for).
    pub(super) fn on_session_user<T>(
        &self,
        pool: &PoolRecord,
        name: &Username,
        step: impl FnMut(&UserRecord, &mut userpool_core::Context<'_>) -> super::Step<T>,
    ) -> Result<(UserRecord, T)> {
        match self.mutate(pool, name, step) {
            Err(Error::UserNotFound) => Err(invalid_session()),
            other => other,
        }
    }

    /// **AssociateSoftwareToken** with an access token: a new TOTP secret for the token's
    /// user, pending until verified. Returns `SecretCode` (base32).
    ///
    /// # Errors
    /// `SoftwareTokenMFANotFoundException` when the pool offers no TOTP;
    /// `InvalidParameterException`, `ResourceNotFoundException`, `UserNotFoundException`,
    /// `TooManyRequestsException`, `InternalErrorException`.
    pub fn associate_software_token(
        &self,
        pool_id: &str,
        username: &str,
    ) -> Result<Zeroizing<String>> {
        let (pool, name) = self.token_user(pool_id, username, Category::UserUpdate)?;
        let rules = self.rules(&pool)?;
        let (_, secret) = self.mutate(&pool, &name, |user, ctx| {
            let (next, secret) = mfa::associate_software_token(user, &rules, ctx)?;
            Ok((Some(next), secret))
        })?;
        Ok(secret.to_base32())
    }

    /// **AssociateSoftwareToken** with an `MFA_SETUP` session: the secret and the session
    /// to verify with (the given one is spent).
    ///
    /// # Errors
    /// `NotAuthorizedException` `Invalid session for the user.`, then as
    /// [`UserPools::associate_software_token`].
    pub fn associate_software_token_in_session(
        &self,
        session: &str,
    ) -> Result<(Zeroizing<String>, ChallengeSessionText)> {
        let (pool, name, core) = self.session_user(session)?;
        let rules = self.rules(&pool)?;
        let (_, (secret, next_session)) = self.on_session_user(&pool, &name, |user, ctx| {
            let (next, secret, session) =
                mfa::associate_software_token_in_session(user, &core, &rules, ctx)?;
            Ok((Some(next), (secret, session)))
        })?;
        Ok((secret.to_base32(), wire_session(&pool.id, &next_session)))
    }

    /// **VerifySoftwareToken** with an access token: a right code makes the pending secret
    /// the user's token.
    ///
    /// # Errors
    /// `EnableSoftwareTokenMFAException` (wrong code), `SoftwareTokenMFANotFoundException`
    /// (nothing associated), `InvalidParameterException`, `ResourceNotFoundException`,
    /// `UserNotFoundException`, `TooManyRequestsException`, `InternalErrorException`.
    pub fn verify_software_token(&self, pool_id: &str, username: &str, code: &str) -> Result<()> {
        let code = user_code(code)?;
        let (pool, name) = self.token_user(pool_id, username, Category::UserUpdate)?;
        self.mutate(&pool, &name, |user, ctx| {
            Ok((
                Some(mfa::verify_software_token(user, code.expose(), ctx)?),
                (),
            ))
        })?;
        Ok(())
    }

    /// **VerifySoftwareToken** with the `MFA_SETUP` session: as
    /// [`UserPools::verify_software_token`]; returns the session to answer `MFA_SETUP`
    /// with.
    ///
    /// # Errors
    /// `NotAuthorizedException` `Invalid session for the user.`, then as
    /// [`UserPools::verify_software_token`].
    pub fn verify_software_token_in_session(
        &self,
        session: &str,
        code: &str,
    ) -> Result<ChallengeSessionText> {
        let code = user_code(code)?;
        let (pool, name, core) = self.session_user(session)?;
        let rules = self.rules(&pool)?;
        let (_, next_session) = self.on_session_user(&pool, &name, |user, ctx| {
            let (next, session) =
                mfa::verify_software_token_in_session(user, &core, code.expose(), &rules, ctx)?;
            Ok((Some(next), session))
        })?;
        Ok(wire_session(&pool.id, &next_session))
    }

    /// **AssociateSoftwareToken** from an input validated once by
    /// [`SoftwareTokenInput::parse_associate`]: the secret, and with a session the session
    /// to verify with.
    ///
    /// # Errors
    /// As [`UserPools::verify_access_token`] (with a token),
    /// [`UserPools::associate_software_token`] and
    /// [`UserPools::associate_software_token_in_session`].
    #[cfg(feature = "jwt")]
    pub fn associate_software_token_input(
        &self,
        input: &SoftwareTokenInput,
    ) -> Result<(Zeroizing<String>, Option<ChallengeSessionText>)> {
        match &input.credential {
            TokenOrSession::Session(session) => {
                let (secret, session) =
                    self.associate_software_token_in_session(session.expose())?;
                Ok((secret, Some(session)))
            }
            TokenOrSession::AccessToken(token) => {
                let claims = self.verify_access_token(token.expose())?;
                let secret =
                    self.associate_software_token(claims.pool_id.as_str(), &claims.username)?;
                Ok((secret, None))
            }
        }
    }

    /// **VerifySoftwareToken** from an input validated once by
    /// [`SoftwareTokenInput::parse_verify`]: with a session, the session to answer
    /// `MFA_SETUP` with.
    ///
    /// # Errors
    /// As [`UserPools::verify_access_token`] (with a token),
    /// [`UserPools::verify_software_token`] and
    /// [`UserPools::verify_software_token_in_session`]; `InvalidParameterException` for an
    /// input without a `userCode`.
    #[cfg(feature = "jwt")]
    pub fn verify_software_token_input(
        &self,
        input: &SoftwareTokenInput,
    ) -> Result<Option<ChallengeSessionText>> {
        let Some(code) = &input.user_code else {
            return Err(Error::invalid_parameter(
                "userCode",
                userpool_core::Constraint::Missing,
            ));
        };
        match &input.credential {
            TokenOrSession::Session(session) => Ok(Some(
                self.verify_software_token_in_session(session.expose(), code.expose())?,
            )),
            TokenOrSession::AccessToken(token) => {
                let claims = self.verify_access_token(token.expose())?;
                let (pool, user) = (claims.pool_id.as_str(), &claims.username);
                self.verify_software_token(pool, user, code.expose())?;
                Ok(None)
            }
        }
    }

    /// **SetUserMFAPreference** from an input validated once by
    /// [`AccessTokenInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::verify_access_token`] and [`UserPools::set_user_mfa_preference`].
    #[cfg(feature = "jwt")]
    pub fn set_user_mfa_preference_input(
        &self,
        input: &AccessTokenInput,
        software_token: FactorPreference,
        sms: FactorPreference,
    ) -> Result<()> {
        let claims = self.verify_access_token(input.access_token.expose())?;
        let (pool, user) = (claims.pool_id.as_str(), &claims.username);
        self.set_user_mfa_preference(pool, user, software_token, sms)
    }

    /// **SetUserSettings** from an input validated once by [`AccessTokenInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::verify_access_token`] and [`UserPools::set_user_settings`].
    #[cfg(feature = "jwt")]
    pub fn set_user_settings_input(&self, input: &AccessTokenInput, sms: bool) -> Result<()> {
        let claims = self.verify_access_token(input.access_token.expose())?;
        self.set_user_settings(claims.pool_id.as_str(), &claims.username, sms)
    }

    /// **AdminSetUserMFAPreference** from an input validated once by
    /// [`AdminUserInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::admin_set_user_mfa_preference`].
    pub fn admin_set_user_mfa_preference_input(
        &self,
        caller: &Caller,
        input: &AdminUserInput,
        software_token: FactorPreference,
        sms: FactorPreference,
    ) -> Result<()> {
        let (action, category) = ("AdminSetUserMFAPreference", Category::UserUpdate);
        let pool = self.admin_user(caller, action, category, input)?;
        self.write_preference(&pool, &input.username, software_token, sms)
    }

    /// **AdminSetUserSettings** from an input validated once by [`AdminUserInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::admin_set_user_settings`].
    pub fn admin_set_user_settings_input(
        &self,
        caller: &Caller,
        input: &AdminUserInput,
        sms: bool,
    ) -> Result<()> {
        let (action, category) = ("AdminSetUserSettings", Category::UserUpdate);
        let pool = self.admin_user(caller, action, category, input)?;
        let preference = (FactorPreference::default(), sms_only(sms));
        self.write_preference(&pool, &input.username, preference.0, preference.1)
    }

    /// **SetUserMFAPreference** for the access token's user.
    ///
    /// # Errors
    /// `InvalidParameterException` (see [`mfa::set_user_mfa_preference`]),
    /// `ResourceNotFoundException`, `UserNotFoundException`, `TooManyRequestsException`,
    /// `InternalErrorException`.
    pub fn set_user_mfa_preference(
        &self,
        pool_id: &str,
        username: &str,
        software_token: FactorPreference,
        sms: FactorPreference,
    ) -> Result<()> {
        let (pool, name) = self.token_user(pool_id, username, Category::UserUpdate)?;
        self.write_preference(&pool, &name, software_token, sms)
    }

    /// **AdminSetUserMFAPreference**.
    ///
    /// # Errors
    /// As [`UserPools::set_user_mfa_preference`], plus `NotAuthorizedException` from the
    /// authoriser.
    pub fn admin_set_user_mfa_preference(
        &self,
        caller: &Caller,
        pool_id: &str,
        username: &str,
        software_token: FactorPreference,
        sms: FactorPreference,
    ) -> Result<()> {
        let input = AdminUserInput::parse(Some(pool_id), Some(username))?;
        self.admin_set_user_mfa_preference_input(caller, &input, software_token, sms)
    }

    /// **SetUserSettings** (legacy) for the access token's user: `MFAOptions` naming SMS to
    /// `phone_number` turns SMS MFA on, an empty list off.
    ///
    /// # Errors
    /// As [`UserPools::set_user_mfa_preference`].
    pub fn set_user_settings(&self, pool_id: &str, username: &str, sms: bool) -> Result<()> {
        let (pool, name) = self.token_user(pool_id, username, Category::UserUpdate)?;
        self.write_preference(&pool, &name, FactorPreference::default(), sms_only(sms))
    }

    /// **AdminSetUserSettings** (legacy).
    ///
    /// # Errors
    /// As [`UserPools::admin_set_user_mfa_preference`].
    pub fn admin_set_user_settings(
        &self,
        caller: &Caller,
        pool_id: &str,
        username: &str,
        sms: bool,
    ) -> Result<()> {
        let input = AdminUserInput::parse(Some(pool_id), Some(username))?;
        self.admin_set_user_settings_input(caller, &input, sms)
    }

    fn write_preference(
        &self,
        pool: &PoolRecord,
        name: &Username,
        software_token: FactorPreference,
        sms: FactorPreference,
    ) -> Result<()> {
        self.mutate(pool, name, |user, ctx| {
            Ok((
                Some(mfa::set_user_mfa_preference(
                    user,
                    software_token,
                    sms,
                    ctx,
                )?),
                (),
            ))
        })?;
        Ok(())
    }
}

/// `SMSMfaSettings` of a legacy `MFAOptions` list.
fn sms_only(enabled: bool) -> FactorPreference {
    FactorPreference {
        enabled: Some(enabled),
        preferred: None,
    }
}
