//! The public operations' inputs: SignUp, ConfirmSignUp, ResendConfirmationCode,
//! ForgotPassword, ConfirmForgotPassword.

use std::collections::BTreeMap;

use userpool_core::{ConfirmationCode, Password, Result, Username};

use super::{SecretText, parse_with};
use crate::validate::{Validator, accepted};

/// **SignUp**'s members, validated.
#[derive(Debug, Clone)]
pub struct SignUpInput {
    /// `ClientId`.
    pub client_id: String,
    /// `Username`.
    pub username: Username,
    /// `Password` (zeroizing, redacted).
    pub password: Password,
    /// `UserAttributes` (absent is empty).
    pub attributes: BTreeMap<String, String>,
    /// `SecretHash` (zeroizing, redacted), for a client with a secret: checked by the
    /// service right after it reads the client (SPEC §11). `None` until
    /// [`Self::with_secret_hash`] sets it.
    pub secret_hash: Option<SecretText>,
}

impl SignUpInput {
    /// Validates SignUp's members; `None` is a member the request left out.
    ///
    /// # Errors
    /// `InvalidParameterException` listing every violated member, missing ones included
    /// (`clientId`, `username`, `password`, then `userAttributes`).
    pub fn parse(
        client_id: Option<&str>,
        username: Option<&str>,
        password: Option<&str>,
        attributes: &[(&str, &str)],
    ) -> Result<Self> {
        parse_with(
            |v| {
                (
                    v.required_client_id(client_id),
                    v.required_username(username),
                    v.required_password("password", password),
                    v.attributes("userAttributes", attributes),
                )
            },
            |(client_id, username, password, attributes)| {
                Ok(SignUpInput {
                    client_id: accepted(client_id)?,
                    username: accepted(username)?,
                    password: accepted(password)?,
                    attributes: accepted(attributes)?,
                    secret_hash: None,
                })
            },
        )
    }

    /// The request's `SecretHash`, for a client with a secret (SPEC §11); `None` leaves it
    /// out, which such a client refuses.
    #[must_use]
    pub fn with_secret_hash(mut self, secret_hash: Option<&str>) -> Self {
        self.secret_hash = secret_hash.map(SecretText::new);
        self
    }
}

/// **ConfirmSignUp**'s members, validated.
#[derive(Debug, Clone)]
pub struct ConfirmSignUpInput {
    /// `ClientId`.
    pub client_id: String,
    /// `Username`.
    pub username: Username,
    /// `ConfirmationCode` (zeroizing, redacted).
    pub code: ConfirmationCode,
    /// `SecretHash` (zeroizing, redacted), for a client with a secret: checked by the
    /// service right after it reads the client (SPEC §11). `None` until
    /// [`Self::with_secret_hash`] sets it.
    pub secret_hash: Option<SecretText>,
}

impl ConfirmSignUpInput {
    /// Validates ConfirmSignUp's members; `None` is a member the request left out.
    ///
    /// # Errors
    /// `InvalidParameterException` listing every violated member, missing ones included
    /// (`clientId`, `username`, `confirmationCode`).
    pub fn parse(
        client_id: Option<&str>,
        username: Option<&str>,
        code: Option<&str>,
    ) -> Result<Self> {
        parse_with(|v| Self::members(v, client_id, username, code), Self::build)
    }

    /// Records the members in `v`, in Cognito's order (ConfirmForgotPassword starts with
    /// the same three).
    fn members(
        v: &mut Validator,
        client_id: Option<&str>,
        username: Option<&str>,
        code: Option<&str>,
    ) -> CodeMembers {
        (
            v.required_client_id(client_id),
            v.required_username(username),
            v.required_code(ConfirmationCode::FIELD, code),
        )
    }

    fn build((client_id, username, code): CodeMembers) -> Result<Self> {
        Ok(ConfirmSignUpInput {
            client_id: accepted(client_id)?,
            username: accepted(username)?,
            code: accepted(code)?,
            secret_hash: None,
        })
    }

    /// The request's `SecretHash`, for a client with a secret (SPEC §11); `None` leaves it
    /// out, which such a client refuses.
    #[must_use]
    pub fn with_secret_hash(mut self, secret_hash: Option<&str>) -> Self {
        self.secret_hash = secret_hash.map(SecretText::new);
        self
    }
}

/// A client, a user and a code as a validator took them.
type CodeMembers = (Option<String>, Option<Username>, Option<ConfirmationCode>);

/// The members of ResendConfirmationCode and ForgotPassword: an app client and a user.
#[derive(Debug, Clone)]
pub struct ClientUserInput {
    /// `ClientId`.
    pub client_id: String,
    /// `Username`.
    pub username: Username,
    /// `SecretHash` (zeroizing, redacted), for a client with a secret: checked by the
    /// service right after it reads the client (SPEC §11). `None` until
    /// [`Self::with_secret_hash`] sets it.
    pub secret_hash: Option<SecretText>,
}

impl ClientUserInput {
    /// Validates the two members; `None` is a member the request left out.
    ///
    /// # Errors
    /// `InvalidParameterException` listing every violated member, missing ones included
    /// (`clientId`, `username`).
    pub fn parse(client_id: Option<&str>, username: Option<&str>) -> Result<Self> {
        parse_with(
            |v| {
                (
                    v.required_client_id(client_id),
                    v.required_username(username),
                )
            },
            |(client_id, username)| {
                Ok(ClientUserInput {
                    client_id: accepted(client_id)?,
                    username: accepted(username)?,
                    secret_hash: None,
                })
            },
        )
    }

    /// The request's `SecretHash`, for a client with a secret (SPEC §11); `None` leaves it
    /// out, which such a client refuses.
    #[must_use]
    pub fn with_secret_hash(mut self, secret_hash: Option<&str>) -> Self {
        self.secret_hash = secret_hash.map(SecretText::new);
        self
    }
}

/// **ConfirmForgotPassword**'s members, validated.
#[derive(Debug, Clone)]
pub struct ConfirmForgotPasswordInput {
    /// `ClientId`.
    pub client_id: String,
    /// `Username`.
    pub username: Username,
    /// `ConfirmationCode` (zeroizing, redacted).
    pub code: ConfirmationCode,
    /// `Password`, the new one (zeroizing, redacted).
    pub password: Password,
    /// `SecretHash` (zeroizing, redacted), for a client with a secret: checked by the
    /// service right after it reads the client (SPEC §11). `None` until
    /// [`Self::with_secret_hash`] sets it.
    pub secret_hash: Option<SecretText>,
}

impl ConfirmForgotPasswordInput {
    /// Validates ConfirmForgotPassword's members; `None` is a member the request left out.
    ///
    /// # Errors
    /// `InvalidParameterException` listing every violated member, missing ones included
    /// (`clientId`, `username`, `confirmationCode`, `password`).
    pub fn parse(
        client_id: Option<&str>,
        username: Option<&str>,
        code: Option<&str>,
        password: Option<&str>,
    ) -> Result<Self> {
        parse_with(
            |v| {
                let members = ConfirmSignUpInput::members(v, client_id, username, code);
                (members, v.required_password("password", password))
            },
            |(members, password)| {
                let confirm = ConfirmSignUpInput::build(members)?;
                Ok(ConfirmForgotPasswordInput {
                    client_id: confirm.client_id,
                    username: confirm.username,
                    code: confirm.code,
                    password: accepted(password)?,
                    secret_hash: None,
                })
            },
        )
    }

    /// The request's `SecretHash`, for a client with a secret (SPEC §11); `None` leaves it
    /// out, which such a client refuses.
    #[must_use]
    pub fn with_secret_hash(mut self, secret_hash: Option<&str>) -> Self {
        self.secret_hash = secret_hash.map(SecretText::new);
        self
    }
}
