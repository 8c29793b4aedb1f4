//! The MFA operations' inputs (SPEC §18): AssociateSoftwareToken, VerifySoftwareToken, and
//! the operations a user calls with only an access token (SetUserMFAPreference,
//! SetUserSettings).

use userpool_core::{Constraint, Error, Result};

use super::{SecretText, parse_with};
use crate::validate::accepted;

/// Who AssociateSoftwareToken and VerifySoftwareToken act for: the user of an access token,
/// or the user an `MFA_SETUP` session names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenOrSession {
    /// `AccessToken`.
    AccessToken(SecretText),
    /// `Session`.
    Session(SecretText),
}

/// The members of AssociateSoftwareToken and VerifySoftwareToken, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoftwareTokenInput {
    /// `AccessToken` or `Session`.
    pub credential: TokenOrSession,
    /// `UserCode`: VerifySoftwareToken's six digits; `None` for AssociateSoftwareToken.
    pub user_code: Option<SecretText>,
}

impl SoftwareTokenInput {
    /// AssociateSoftwareToken's members; `None` is a member the request left out.
    ///
    /// # Errors
    /// `InvalidParameterException`: `Only one of AccessToken or Session may be given` when
    /// both are; else the list of violated members (`accessToken` when neither is given).
    pub fn parse_associate(access_token: Option<&str>, session: Option<&str>) -> Result<Self> {
        Self::parse(access_token, session, None)
    }

    /// VerifySoftwareToken's members; `None` is a member the request left out.
    ///
    /// # Errors
    /// As [`Self::parse_associate`], with `userCode` (required, six digits) in the list.
    pub fn parse_verify(
        access_token: Option<&str>,
        session: Option<&str>,
        user_code: Option<&str>,
    ) -> Result<Self> {
        Self::parse(access_token, session, Some(user_code))
    }

    fn parse(
        access_token: Option<&str>,
        session: Option<&str>,
        user_code: Option<Option<&str>>,
    ) -> Result<Self> {
        if access_token.is_some() && session.is_some() {
            return Err(Error::InvalidParameterMessage(
                "Only one of AccessToken or Session may be given".into(),
            ));
        }
        parse_with(
            |v| {
                let credential = match session {
                    Some(session) => Some(TokenOrSession::Session(SecretText::new(session))),
                    None => v
                        .required_secret("accessToken", access_token)
                        .map(TokenOrSession::AccessToken),
                };
                let code = user_code.map(|code| {
                    v.required("userCode", code, |v, code| {
                        v.check("userCode", user_code_constraint(code))
                            .then(|| SecretText::new(code))
                    })
                });
                (credential, code)
            },
            |(credential, code)| {
                Ok(SoftwareTokenInput {
                    credential: accepted(credential)?,
                    user_code: code.map(accepted).transpose()?,
                })
            },
        )
    }
}

/// What a `UserCode` breaks, if anything: six digits.
fn user_code_constraint(code: &str) -> Option<Constraint> {
    let n = code.chars().count();
    if n < 6 {
        Some(Constraint::TooShort { min: 6 })
    } else if n > 6 {
        Some(Constraint::TooLong { max: 6 })
    } else if !code.bytes().all(|b| b.is_ascii_digit()) {
        Some(Constraint::Pattern("[0-9]+"))
    } else {
        None
    }
}

/// The member of the operations a user calls with only an access token
/// (SetUserMFAPreference, SetUserSettings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessTokenInput {
    /// `AccessToken`, verified when the operation runs.
    pub access_token: SecretText,
}

impl AccessTokenInput {
    /// Validates the member; `None` is a member the request left out.
    ///
    /// # Errors
    /// `InvalidParameterException` (`accessToken` missing).
    pub fn parse(access_token: Option<&str>) -> Result<Self> {
        parse_with(
            |v| v.required_secret("accessToken", access_token),
            |token| {
                Ok(AccessTokenInput {
                    access_token: accepted(token)?,
                })
            },
        )
    }
}

/// Checks a `UserCode` given on its own (the service's `&str` methods).
pub(crate) fn user_code(code: &str) -> Result<SecretText> {
    match user_code_constraint(code) {
        Some(constraint) => Err(Error::invalid_parameter("userCode", constraint)),
        None => Ok(SecretText::new(code)),
    }
}
