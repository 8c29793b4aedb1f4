//! The sign-in operations' inputs: InitiateAuth, AdminInitiateAuth,
//! RespondToAuthChallenge, AdminRespondToAuthChallenge. Each holds the members Cognito's
//! validation layer lists; the flow's parameters (`AuthParameters`, `ChallengeResponses`)
//! are the flow's to check, and the service's `_input` methods take them beside the input.

use userpool_core::{Constraint, Error, Result, UserPoolId};

use super::{SecretText, parse_with};
use crate::validate::{Validator, accepted};

/// **InitiateAuth**'s members, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitiateAuthInput {
    /// `ClientId`.
    pub client_id: String,
    /// `AuthFlow`, as given (the flows are the service's to accept).
    pub auth_flow: String,
    /// `AuthParameters`' `SECRET_HASH` (zeroizing, redacted), for a client with a secret:
    /// checked by the service right after it reads the client (SPEC §11). `None` until
    /// [`Self::with_secret_hash`] sets it.
    pub secret_hash: Option<SecretText>,
}

impl InitiateAuthInput {
    /// Validates the members; `None` is a member the request left out.
    ///
    /// # Errors
    /// `InvalidParameterException` listing every violated member, missing ones included
    /// (`clientId`, `authFlow`).
    pub fn parse(client_id: Option<&str>, auth_flow: Option<&str>) -> Result<Self> {
        parse_with(|v| Self::members(v, client_id, auth_flow), Self::build)
    }

    /// Records the members in `v`, in Cognito's order.
    fn members(v: &mut Validator, client_id: Option<&str>, auth_flow: Option<&str>) -> Members {
        (
            v.required_client_id(client_id),
            v.required_text("authFlow", auth_flow),
        )
    }

    fn build((client_id, auth_flow): Members) -> Result<Self> {
        Ok(InitiateAuthInput {
            client_id: accepted(client_id)?,
            auth_flow: accepted(auth_flow)?,
            secret_hash: None,
        })
    }

    /// The flow's `SECRET_HASH`, for a client with a secret (SPEC §11); `None` leaves it
    /// out, which such a client refuses.
    #[must_use]
    pub fn with_secret_hash(mut self, secret_hash: Option<&str>) -> Self {
        self.secret_hash = secret_hash.map(SecretText::new);
        self
    }
}

/// A client id and a name (`AuthFlow`, `ChallengeName`) as a validator took them.
type Members = (Option<String>, Option<String>);

/// **AdminInitiateAuth**'s members, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminInitiateAuthInput {
    /// `UserPoolId`.
    pub user_pool_id: UserPoolId,
    /// `ClientId` and `AuthFlow`.
    pub initiate: InitiateAuthInput,
}

impl AdminInitiateAuthInput {
    /// Validates the members; `None` is a member the request left out.
    ///
    /// # Errors
    /// `InvalidParameterException` listing every violated member, missing ones included
    /// (`userPoolId`, `clientId`, `authFlow`).
    pub fn parse(
        user_pool_id: Option<&str>,
        client_id: Option<&str>,
        auth_flow: Option<&str>,
    ) -> Result<Self> {
        parse_with(
            |v| {
                let pool = v.required_pool_id(user_pool_id);
                (pool, InitiateAuthInput::members(v, client_id, auth_flow))
            },
            |(pool, members)| {
                Ok(AdminInitiateAuthInput {
                    user_pool_id: accepted(pool)?,
                    initiate: InitiateAuthInput::build(members)?,
                })
            },
        )
    }

    /// The flow's `SECRET_HASH`, as [`InitiateAuthInput::with_secret_hash`].
    #[must_use]
    pub fn with_secret_hash(mut self, secret_hash: Option<&str>) -> Self {
        self.initiate = self.initiate.with_secret_hash(secret_hash);
        self
    }
}

/// **RespondToAuthChallenge**'s members, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RespondToAuthChallengeInput {
    /// `ClientId`.
    pub client_id: String,
    /// `ChallengeName`, as given.
    pub challenge_name: String,
    /// `Session` (zeroizing, redacted); the challenges that need one check it.
    pub session: Option<SecretText>,
    /// `ChallengeResponses`' `SECRET_HASH` (zeroizing, redacted), for a client with a
    /// secret: checked by the service right after it reads the client (SPEC §11). `None`
    /// until [`Self::with_secret_hash`] sets it.
    pub secret_hash: Option<SecretText>,
}

impl RespondToAuthChallengeInput {
    /// Validates the members; `None` is a member the request left out.
    ///
    /// # Errors
    /// `InvalidParameterException` listing every violated member, missing ones included
    /// (`clientId`, `challengeName`).
    pub fn parse(
        client_id: Option<&str>,
        challenge_name: Option<&str>,
        session: Option<&str>,
    ) -> Result<Self> {
        parse_with(
            |v| Self::members(v, client_id, challenge_name),
            |members| Self::build(members, session),
        )
    }

    /// Records the members in `v`, in Cognito's order.
    fn members(
        v: &mut Validator,
        client_id: Option<&str>,
        challenge_name: Option<&str>,
    ) -> Members {
        (
            v.required_client_id(client_id),
            v.required_text("challengeName", challenge_name),
        )
    }

    fn build((client_id, challenge_name): Members, session: Option<&str>) -> Result<Self> {
        Ok(RespondToAuthChallengeInput {
            client_id: accepted(client_id)?,
            challenge_name: accepted(challenge_name)?,
            session: session.map(SecretText::new),
            secret_hash: None,
        })
    }

    /// The answer's `SECRET_HASH`, for a client with a secret (SPEC §11); `None` leaves it
    /// out, which such a client refuses.
    #[must_use]
    pub fn with_secret_hash(mut self, secret_hash: Option<&str>) -> Self {
        self.secret_hash = secret_hash.map(SecretText::new);
        self
    }

    /// The session's text; `""` when the request had none (which the challenges that need
    /// one refuse by its length).
    #[must_use]
    pub fn session_text(&self) -> &str {
        self.session.as_ref().map_or("", SecretText::expose)
    }

    /// The session of an answer to an MFA challenge, which requires one.
    ///
    /// # Errors
    /// `InvalidParameterException` (`session` missing).
    pub fn required_session(&self) -> Result<&str> {
        self.session
            .as_ref()
            .map(SecretText::expose)
            .ok_or_else(|| Error::invalid_parameter("session", Constraint::Missing))
    }
}

/// **AdminRespondToAuthChallenge**'s members, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminRespondToAuthChallengeInput {
    /// `UserPoolId`.
    pub user_pool_id: UserPoolId,
    /// `ClientId`, `ChallengeName` and `Session`.
    pub respond: RespondToAuthChallengeInput,
}

impl AdminRespondToAuthChallengeInput {
    /// Validates the members; `None` is a member the request left out.
    ///
    /// # Errors
    /// `InvalidParameterException` listing every violated member, missing ones included
    /// (`userPoolId`, `clientId`, `challengeName`).
    pub fn parse(
        user_pool_id: Option<&str>,
        client_id: Option<&str>,
        challenge_name: Option<&str>,
        session: Option<&str>,
    ) -> Result<Self> {
        parse_with(
            |v| {
                let pool = v.required_pool_id(user_pool_id);
                let members = RespondToAuthChallengeInput::members(v, client_id, challenge_name);
                (pool, members)
            },
            |(pool, members)| {
                Ok(AdminRespondToAuthChallengeInput {
                    user_pool_id: accepted(pool)?,
                    respond: RespondToAuthChallengeInput::build(members, session)?,
                })
            },
        )
    }

    /// The answer's `SECRET_HASH`, as [`RespondToAuthChallengeInput::with_secret_hash`].
    #[must_use]
    pub fn with_secret_hash(mut self, secret_hash: Option<&str>) -> Self {
        self.respond = self.respond.with_secret_hash(secret_hash);
        self
    }
}
