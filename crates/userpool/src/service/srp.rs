//! SRP sign-in (SPEC §15): `USER_SRP_AUTH` opens a PASSWORD_VERIFIER challenge, its answer
//! signs the user in exactly as a password would (SPEC §6), through either door.
//!
//! The open challenge lives on the user's record in the store (sealed with the verifier
//! behind [`crate::SealingStore`]), so any process sharing the store can take the answer,
//! and the answer is found by its secret block: clients that send no `Session` work.

use userpool_core::srp::{
    self, PasswordVerifierAnswer, PasswordVerifierChallenge, SrpA, Started,
    answer_password_verifier, start_password_verifier,
};
use userpool_core::{Context, Error, NotAuthorized, Result, UserPoolId, Username};

use super::inputs::{
    AdminInitiateAuthInput, AdminRespondToAuthChallengeInput, InitiateAuthInput,
    RespondToAuthChallengeInput,
};
use super::{AuthResult, PasswordVerifierParameters, UserPools, check_secret_hash};
use crate::authorize::Caller;
use crate::ratelimit::Category;
use crate::validate::{Validator, accepted};
use userpool_store::pool::{ClientRecord, PoolRecord};
use userpool_store::random::EntropyOf;
use userpool_store::store::Store;

/// The flow's name in `InitiateAuth` and `AdminInitiateAuth` alike.
pub(crate) const USER_SRP_AUTH: &str = "USER_SRP_AUTH";

impl<S: Store + ?Sized> UserPools<S> {
    /// **InitiateAuth** with `USER_SRP_AUTH` (SPEC §15): `SRP_A` from the client; answers
    /// PASSWORD_VERIFIER (`SALT`, `SRP_B`, `SECRET_BLOCK`, `USER_ID_FOR_SRP`). The client
    /// must allow the flow (`ALLOW_USER_SRP_AUTH`, or only legacy flow names, under which
    /// SRP was always allowed **(decision)**). A username without a verifier (unknown, or
    /// whose password predates SRP) gets a simulated challenge whose answer fails —
    /// unless the user is unknown and the client does not prevent user-existence errors:
    /// then `UserNotFoundException` at once.
    ///
    /// # Errors
    /// `InvalidParameterException` (`Invalid SRP_A value.`, the flow not enabled for the
    /// client, SRP turned off by the host), `ResourceNotFoundException`,
    /// `TooManyRequestsException`, `UserNotFoundException`, `NotAuthorizedException`
    /// (`Password attempts exceeded`), `InternalErrorException`.
    pub fn initiate_srp_auth(
        &self,
        client_id: &str,
        username: &str,
        srp_a: &str,
    ) -> Result<AuthResult> {
        let (client_id, name, a) = self.srp_inputs(Some(client_id), username, srp_a)?;
        let category = Category::UserAuthentication;
        let (client, pool) =
            self.client_for(&accepted(client_id)?, category, name.as_str(), None)?;
        require_srp(&client)?;
        self.open_challenge(&client, &pool, &name, &a)
    }

    /// **InitiateAuth** with `USER_SRP_AUTH` from an input validated once by
    /// [`InitiateAuthInput::parse`], with the flow's `USERNAME` and `SRP_A`.
    ///
    /// # Errors
    /// As [`UserPools::initiate_srp_auth`].
    pub fn initiate_srp_auth_input(
        &self,
        input: &InitiateAuthInput,
        username: &str,
        srp_a: &str,
    ) -> Result<AuthResult> {
        let (_, name, a) = self.srp_inputs(None, username, srp_a)?;
        let (client, pool) = self.client_for(
            &input.client_id,
            Category::UserAuthentication,
            name.as_str(),
            input.secret_hash.as_ref(),
        )?;
        require_srp(&client)?;
        self.open_challenge(&client, &pool, &name, &a)
    }

    /// **AdminInitiateAuth** with `USER_SRP_AUTH`: as [`UserPools::initiate_srp_auth`],
    /// after the authoriser (`AdminInitiateAuth`) and with the client required to be the
    /// pool's.
    ///
    /// # Errors
    /// As [`UserPools::initiate_srp_auth`], plus `NotAuthorizedException` when the
    /// authoriser refuses.
    pub fn admin_initiate_srp_auth(
        &self,
        caller: &Caller,
        pool_id: &str,
        client_id: &str,
        username: &str,
        srp_a: &str,
    ) -> Result<AuthResult> {
        let id = UserPoolId::parse(pool_id)?;
        let (client_id, name, a) = self.srp_inputs(Some(client_id), username, srp_a)?;
        let (action, category) = ("AdminInitiateAuth", Category::UserAuthentication);
        let client_id = accepted(client_id)?;
        let (client, pool) = self.admin_client(caller, action, category, &id, &client_id)?;
        check_secret_hash(&client, name.as_str(), None)?;
        require_srp(&client)?;
        self.open_challenge(&client, &pool, &name, &a)
    }

    /// **AdminInitiateAuth** with `USER_SRP_AUTH` from an input validated once by
    /// [`AdminInitiateAuthInput::parse`], with the flow's `USERNAME` and `SRP_A`.
    ///
    /// # Errors
    /// As [`UserPools::admin_initiate_srp_auth`].
    pub fn admin_initiate_srp_auth_input(
        &self,
        caller: &Caller,
        input: &AdminInitiateAuthInput,
        username: &str,
        srp_a: &str,
    ) -> Result<AuthResult> {
        let (_, name, a) = self.srp_inputs(None, username, srp_a)?;
        let (action, category) = ("AdminInitiateAuth", Category::UserAuthentication);
        let (id, client_id) = (&input.user_pool_id, &input.initiate.client_id);
        let (client, pool) = self.admin_client(caller, action, category, id, client_id)?;
        check_secret_hash(&client, name.as_str(), input.initiate.secret_hash.as_ref())?;
        require_srp(&client)?;
        self.open_challenge(&client, &pool, &name, &a)
    }

    /// **RespondToAuthChallenge** with `PASSWORD_VERIFIER` (SPEC §15): the answer's
    /// `PASSWORD_CLAIM_SECRET_BLOCK`, `PASSWORD_CLAIM_SIGNATURE` and `TIMESTAMP` for the
    /// user named `username` (its `USER_ID_FOR_SRP`). The challenge is found by its secret
    /// block, consumed whatever the outcome, and must have been opened for this client.
    /// Then what a password sign-in gives: authenticated, NEW_PASSWORD_REQUIRED, or its
    /// errors in its order; a failed proof is a failed sign-in (lockout counting).
    ///
    /// # Errors
    /// `InvalidParameterException`, `ResourceNotFoundException`, `TooManyRequestsException`,
    /// `NotAuthorizedException` (`Incorrect username or password.` for a wrong proof, a
    /// replayed or foreign answer, or an unknown user; `Invalid session for the user.` for
    /// an expired challenge; `Password attempts exceeded`; `User is disabled.`),
    /// `UserNotFoundException` (unknown user, unless the client prevents user-existence
    /// errors), `UserNotConfirmedException`, `PasswordResetRequiredException`,
    /// `InternalErrorException`.
    pub fn respond_to_password_verifier(
        &self,
        client_id: &str,
        username: &str,
        secret_block: &str,
        signature: &str,
        timestamp: &str,
    ) -> Result<AuthResult> {
        let mut v = Validator::new();
        let client_id = v.client_id(client_id);
        let name = v.username(username);
        v.finish()?;
        let (client_id, name) = (accepted(client_id)?, accepted(name)?);
        let category = Category::UserAuthentication;
        let (client, pool) = self.client_for(&client_id, category, name.as_str(), None)?;
        require_srp(&client)?;
        self.answer_challenge(&client, &pool, &name, secret_block, signature, timestamp)
    }

    /// **RespondToAuthChallenge** with `PASSWORD_VERIFIER` from an input validated once by
    /// [`RespondToAuthChallengeInput::parse`], with the answer's `USERNAME`,
    /// `PASSWORD_CLAIM_SECRET_BLOCK`, `PASSWORD_CLAIM_SIGNATURE` and `TIMESTAMP`.
    ///
    /// # Errors
    /// As [`UserPools::respond_to_password_verifier`].
    pub fn respond_to_password_verifier_input(
        &self,
        input: &RespondToAuthChallengeInput,
        username: &str,
        secret_block: &str,
        signature: &str,
        timestamp: &str,
    ) -> Result<AuthResult> {
        let name = Username::parse(username)?;
        let (client, pool) = self.client_for(
            &input.client_id,
            Category::UserAuthentication,
            name.as_str(),
            input.secret_hash.as_ref(),
        )?;
        require_srp(&client)?;
        self.answer_challenge(&client, &pool, &name, secret_block, signature, timestamp)
    }

    /// **AdminRespondToAuthChallenge** with `PASSWORD_VERIFIER` from an input validated once
    /// by [`AdminRespondToAuthChallengeInput::parse`], with the answer's members as
    /// [`UserPools::respond_to_password_verifier_input`] takes them.
    ///
    /// # Errors
    /// As [`UserPools::admin_respond_to_password_verifier`].
    pub fn admin_respond_to_password_verifier_input(
        &self,
        caller: &Caller,
        input: &AdminRespondToAuthChallengeInput,
        username: &str,
        secret_block: &str,
        signature: &str,
        timestamp: &str,
    ) -> Result<AuthResult> {
        let name = Username::parse(username)?;
        let (id, client_id) = (&input.user_pool_id, &input.respond.client_id);
        let (client, pool) = self.admin_challenge_client(caller, id, client_id)?;
        check_secret_hash(&client, name.as_str(), input.respond.secret_hash.as_ref())?;
        require_srp(&client)?;
        self.answer_challenge(&client, &pool, &name, secret_block, signature, timestamp)
    }

    /// **AdminRespondToAuthChallenge** with `PASSWORD_VERIFIER`: as
    /// [`UserPools::respond_to_password_verifier`], after the authoriser
    /// (`AdminRespondToAuthChallenge`) and with the client required to be the pool's.
    ///
    /// # Errors
    /// As [`UserPools::respond_to_password_verifier`], plus `NotAuthorizedException` when
    /// the authoriser refuses.
    #[allow(clippy::too_many_arguments)]
    pub fn admin_respond_to_password_verifier(
        &self,
        caller: &Caller,
        pool_id: &str,
        client_id: &str,
        username: &str,
        secret_block: &str,
        signature: &str,
        timestamp: &str,
    ) -> Result<AuthResult> {
        let mut v = Validator::new();
        let id = v.pool_id(pool_id);
        let client_id = v.client_id(client_id);
        let name = v.username(username);
        v.finish()?;
        let (id, client_id, name) = (accepted(id)?, accepted(client_id)?, accepted(name)?);
        let (client, pool) = self.admin_challenge_client(caller, &id, &client_id)?;
        check_secret_hash(&client, name.as_str(), None)?;
        require_srp(&client)?;
        self.answer_challenge(&client, &pool, &name, secret_block, signature, timestamp)
    }

    /// The SRP sign-in's members: the client's (`None` when an input already validated
    /// it), `USERNAME` and `SRP_A`, once SRP is on.
    fn srp_inputs(
        &self,
        client_id: Option<&str>,
        username: &str,
        srp_a: &str,
    ) -> Result<(Option<String>, Username, SrpA)> {
        if !self.host.srp() {
            return Err(Error::InvalidParameterMessage(format!(
                "Unsupported auth flow: {USER_SRP_AUTH}. SRP is turned off on this host."
            )));
        }
        let mut v = Validator::new();
        let client_id = client_id.map(|c| v.client_id(c));
        let name = v.username(username);
        v.finish()?;
        let a = SrpA::parse(srp_a)?;
        Ok((client_id.flatten(), accepted(name)?, a))
    }

    fn simulation_key(&self) -> &[u8] {
        self.host
            .srp_simulation_key()
            .unwrap_or(self.srp_fallback_key.as_slice())
    }

    fn open_challenge(
        &self,
        client: &ClientRecord,
        pool: &PoolRecord,
        name: &Username,
        a: &SrpA,
    ) -> Result<AuthResult> {
        // SRP's first step is where the sign-in starts: PreAuthentication runs here, as
        // for a password sign-in (SPEC §19).
        self.pre_authentication(client, pool, name)?;
        let rules = self.rules(pool)?;
        let opened = self.mutate(pool, name, |user, ctx| {
            match start_password_verifier(&pool.id, user, &client.client_id, a, &rules, ctx)? {
                Started::Opened { record, challenge } => Ok((Some(*record), Some(*challenge))),
                Started::NoVerifier => Ok((None, None)),
            }
        });
        let (user_id, challenge) = match opened {
            Ok((_, Some(challenge))) => (challenge.user_id_for_srp().clone(), challenge),
            Ok((user, None)) => {
                let challenge = self.simulate(pool, &user.username, a)?;
                (user.username, challenge)
            }
            Err(Error::UserNotFound) if client.prevent_user_existence_errors => {
                let user_id = if pool.username_attributes.is_empty() {
                    name.clone()
                } else {
                    srp::simulated_user_id(self.simulation_key(), &pool.id, name.as_str())
                };
                let challenge = self.simulate(pool, &user_id, a)?;
                // Cost what opening a real challenge costs: a write (see `Store::decoy_write`).
                self.store.decoy_write(&pool.id)?;
                (user_id, challenge)
            }
            Err(e) => return Err(e),
        };
        Ok(AuthResult::PasswordVerifier(PasswordVerifierParameters {
            salt: challenge.salt_hex().to_owned(),
            srp_b: challenge.srp_b_hex(),
            secret_block: challenge.secret_block_base64(),
            user_id_for_srp: user_id.as_str().to_owned(),
        }))
    }

    fn simulate(
        &self,
        pool: &PoolRecord,
        user_id: &Username,
        a: &SrpA,
    ) -> Result<PasswordVerifierChallenge> {
        let rules = self.rules(pool)?;
        let mut entropy = EntropyOf(&*self.random);
        let mut ctx = Context::new(self.clock.now(), &mut entropy);
        srp::simulated_challenge(
            &pool.id,
            user_id,
            a,
            self.simulation_key(),
            &rules,
            &mut ctx,
        )
    }

    fn answer_challenge(
        &self,
        client: &ClientRecord,
        pool: &PoolRecord,
        name: &Username,
        secret_block: &str,
        signature: &str,
        timestamp: &str,
    ) -> Result<AuthResult> {
        let answer = PasswordVerifierAnswer::parse(secret_block, signature, timestamp);
        let rules = self.rules(pool)?;
        let signed = self.mutate(pool, name, |user, ctx| {
            let answer = match &answer {
                Ok(answer) => answer,
                // Unreadable is a failed proof, counted as a wrong one is.
                Err(e) => return Err(srp::refuse_unreadable_answer(user, e.clone(), &rules, ctx)),
            };
            let signed =
                answer_password_verifier(&pool.id, user, &client.client_id, answer, &rules, ctx)?;
            let record = super::auth::bind_challenge(
                user,
                signed.record.map(|r| *r),
                &signed.outcome,
                client,
            );
            Ok((record, signed.outcome))
        });
        match signed {
            Ok((user, outcome)) => self.signed_in(client, pool, &user, outcome),
            Err(Error::UserNotFound) => {
                // Nothing to check against: spend what checking costs, write what a
                // counted failure writes, then the refusal a wrong proof gets.
                let mut entropy = EntropyOf(&*self.random);
                let mut ctx = Context::new(self.clock.now(), &mut entropy);
                srp::spend_answer_work(&pool.id, name, self.simulation_key(), &rules, &mut ctx)?;
                self.store.decoy_write(&pool.id)?;
                Err(if client.prevent_user_existence_errors {
                    NotAuthorized::IncorrectCredentials.into()
                } else {
                    Error::UserNotFound
                })
            }
            Err(e) => Err(e),
        }
    }
}

/// Whether the client may use SRP: `ALLOW_USER_SRP_AUTH`, or a list of legacy names only
/// (none starting `ALLOW_`), under which Cognito always allowed SRP.
fn require_srp(client: &ClientRecord) -> Result<()> {
    let flows = &client.explicit_auth_flows;
    let allowed = flows.iter().any(|f| f == "ALLOW_USER_SRP_AUTH")
        || (!flows.is_empty() && !flows.iter().any(|f| f.starts_with("ALLOW_")));
    if allowed {
        Ok(())
    } else {
        Err(Error::InvalidParameterMessage(
            "Auth flow not enabled for this client".into(),
        ))
    }
}
