//! The answers to the MFA challenges of sign-in (SPEC §18): `SOFTWARE_TOKEN_MFA`,
//! `SMS_MFA`, `SELECT_MFA_TYPE` and `MFA_SETUP`, by the user (RespondToAuthChallenge) and
//! by a trusted back end (AdminRespondToAuthChallenge), and the client's view of a
//! challenge a sign-in step opens. Every decision is the core's
//! ([`userpool_core::mfa`]); the sessions are the wire form `mfa` defines.

use userpool_core::mfa::{self, MfaChallenge, MfaChallengeName};
use userpool_core::{Event, Result, SignInOutcome, UserRecord};

use super::auth::session_constraint;
use super::inputs::{AdminRespondToAuthChallengeInput, RespondToAuthChallengeInput};
use super::mfa::{invalid_session, split_session, wire_session};
use super::{AuthResult, MfaChallengeResult, UserPools, check_secret_hash};
use crate::authorize::Caller;
use crate::ratelimit::Category;
use crate::validate::{Validator, accepted};
use userpool_store::pool::{ClientRecord, PoolRecord};
use userpool_store::store::Store;

/// The answer to an MFA challenge (`ChallengeName` and its `ChallengeResponses`).
#[derive(Debug, Clone, Copy)]
pub enum MfaAnswer<'a> {
    /// `SOFTWARE_TOKEN_MFA` with `SOFTWARE_TOKEN_MFA_CODE`.
    SoftwareToken {
        /// The code.
        code: &'a str,
    },
    /// `SMS_MFA` with `SMS_MFA_CODE`.
    Sms {
        /// The code.
        code: &'a str,
    },
    /// `SELECT_MFA_TYPE` with `ANSWER`.
    Select {
        /// `SMS_MFA` or `SOFTWARE_TOKEN_MFA`.
        answer: &'a str,
    },
    /// `MFA_SETUP`, after VerifySoftwareToken with the session.
    Setup,
}

impl<S: Store + ?Sized> UserPools<S> {
    /// **RespondToAuthChallenge** with an MFA challenge (SPEC §18): tokens after a right
    /// answer to `SOFTWARE_TOKEN_MFA`, `SMS_MFA` or `MFA_SETUP`; the chosen factor's
    /// challenge after `SELECT_MFA_TYPE`.
    ///
    /// # Errors
    /// `NotAuthorizedException` (`Invalid session for the user.`, `Password attempts
    /// exceeded`, `User is disabled.`), `CodeMismatchException`, `ExpiredCodeException`,
    /// `InvalidParameterException`, `LimitExceededException`, `ResourceNotFoundException`,
    /// `TooManyRequestsException`, `InternalErrorException`.
    pub fn respond_to_mfa_challenge(
        &self,
        client_id: &str,
        username: &str,
        session: &str,
        answer: MfaAnswer<'_>,
    ) -> Result<AuthResult> {
        let mut v = Validator::new();
        let client_id = v.client_id(client_id);
        v.finish()?;
        let category = Category::UserAuthentication;
        let (client, pool) = self.client_for(&accepted(client_id)?, category, username, None)?;
        self.answer_mfa(&client, &pool, username, session, answer)
    }

    /// **RespondToAuthChallenge** with an MFA challenge from an input validated once by
    /// [`RespondToAuthChallengeInput::parse`] (its `Session` required), with the answer's
    /// `USERNAME` and `answer`.
    ///
    /// # Errors
    /// As [`UserPools::respond_to_mfa_challenge`].
    pub fn respond_to_mfa_challenge_input(
        &self,
        input: &RespondToAuthChallengeInput,
        username: &str,
        answer: MfaAnswer<'_>,
    ) -> Result<AuthResult> {
        let session = input.required_session()?;
        let (client, pool) = self.client_for(
            &input.client_id,
            Category::UserAuthentication,
            username,
            input.secret_hash.as_ref(),
        )?;
        self.answer_mfa(&client, &pool, username, session, answer)
    }

    /// **AdminRespondToAuthChallenge** with an MFA challenge from an input validated once by
    /// [`AdminRespondToAuthChallengeInput::parse`], as
    /// [`UserPools::respond_to_mfa_challenge_input`].
    ///
    /// # Errors
    /// As [`UserPools::admin_respond_to_mfa_challenge`].
    pub fn admin_respond_to_mfa_challenge_input(
        &self,
        caller: &Caller,
        input: &AdminRespondToAuthChallengeInput,
        username: &str,
        answer: MfaAnswer<'_>,
    ) -> Result<AuthResult> {
        let session = input.respond.required_session()?;
        let (id, client_id) = (&input.user_pool_id, &input.respond.client_id);
        let (client, pool) = self.admin_challenge_client(caller, id, client_id)?;
        check_secret_hash(&client, username, input.respond.secret_hash.as_ref())?;
        self.answer_mfa(&client, &pool, username, session, answer)
    }

    /// **AdminRespondToAuthChallenge** with an MFA challenge: as
    /// [`UserPools::respond_to_mfa_challenge`] for a client of the named pool.
    ///
    /// # Errors
    /// As [`UserPools::respond_to_mfa_challenge`], plus the authoriser's refusal.
    pub fn admin_respond_to_mfa_challenge(
        &self,
        caller: &Caller,
        pool_id: &str,
        client_id: &str,
        username: &str,
        session: &str,
        answer: MfaAnswer<'_>,
    ) -> Result<AuthResult> {
        let mut v = Validator::new();
        let id = v.pool_id(pool_id);
        let client_id = v.client_id(client_id);
        v.finish()?;
        let (id, client_id) = (accepted(id)?, accepted(client_id)?);
        let (client, pool) = self.admin_challenge_client(caller, &id, &client_id)?;
        check_secret_hash(&client, username, None)?;
        self.answer_mfa(&client, &pool, username, session, answer)
    }

    fn answer_mfa(
        &self,
        client: &ClientRecord,
        pool: &PoolRecord,
        username: &str,
        session: &str,
        answer: MfaAnswer<'_>,
    ) -> Result<AuthResult> {
        let mut v = Validator::new();
        let name = v.username(username);
        v.check("session", session_constraint(session));
        v.finish()?;
        let name = accepted(name)?;
        // The session must be of this client's pool and name the user answering.
        let Some((session_pool, session_user, core)) = split_session(session) else {
            return Err(invalid_session());
        };
        if session_pool != pool.id {
            return Err(invalid_session());
        }
        let rules = self.rules(pool)?;
        let result = self.on_session_user(pool, &name, |user, ctx| {
            if user.username != session_user {
                return Err(invalid_session().into());
            }
            super::auth::refuse_other_client(user, client)?;
            match answer {
                MfaAnswer::SoftwareToken { code } => {
                    let next = mfa::respond_to_software_token_mfa(user, core, code, &rules, ctx)?;
                    Ok((Some(next), None))
                }
                MfaAnswer::Sms { code } => {
                    let next = mfa::respond_to_sms_mfa(user, core, code, &rules, ctx)?;
                    Ok((Some(next), None))
                }
                MfaAnswer::Setup => Ok((Some(mfa::respond_to_mfa_setup(user, core, ctx)?), None)),
                MfaAnswer::Select { answer } => {
                    let (mut next, challenge) =
                        mfa::respond_to_select_mfa_type(user, core, answer, &rules, ctx)?;
                    next.challenge_client = Some(client.client_id.clone());
                    Ok((Some(next), Some(challenge)))
                }
            }
        });
        let (user, challenge) = result?;
        let outcome = match challenge {
            Some(challenge) => SignInOutcome::MfaRequired { challenge },
            None => SignInOutcome::Authenticated,
        };
        self.signed_in(client, pool, &user, outcome)
    }

    /// The client's view of an opened MFA challenge; an SMS code goes to the delivery.
    pub(super) fn mfa_result(
        &self,
        pool: &PoolRecord,
        user: &UserRecord,
        challenge: MfaChallenge,
    ) -> AuthResult {
        let delivery = if challenge.name == MfaChallengeName::SmsMfa {
            super::CodeDeliveryDetails::sms_for_user(user)
        } else {
            None
        };
        if let Some(code) = challenge.sms_code {
            self.delivery
                .deliver(&pool.id, user, &Event::MfaCodeIssued { code });
        }
        AuthResult::Mfa(MfaChallengeResult {
            name: challenge.name,
            session: wire_session(&pool.id, &challenge.session),
            user: super::UserDescription::from(user),
            delivery,
            options: challenge.options,
        })
    }
}
