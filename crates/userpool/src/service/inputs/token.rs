//! The inputs of the operations a user calls with their access token: ChangePassword,
//! UpdateUserAttributes, DeleteUserAttributes, GetUserAttributeVerificationCode,
//! VerifyUserAttribute.

use std::collections::BTreeMap;

use userpool_core::{ConfirmationCode, Password, Result};
use zeroize::Zeroizing;

use super::parse_with;
use crate::validate::accepted;

/// A secret member held as text (an access token, a session): wiped on drop, redacted in
/// `Debug`, with no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretText(Zeroizing<String>);

impl SecretText {
    /// Holds `value`.
    #[must_use]
    pub fn new(value: &str) -> Self {
        SecretText(Zeroizing::new(value.to_owned()))
    }

    /// The text. Every call is a place a secret is read: keep them few.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SecretText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretText(<redacted>)")
    }
}

/// **ChangePassword**'s members, validated.
#[derive(Debug, Clone)]
pub struct ChangePasswordInput {
    /// `PreviousPassword`.
    pub previous_password: Password,
    /// `ProposedPassword`.
    pub proposed_password: Password,
    /// `AccessToken`, verified when the operation runs.
    pub access_token: SecretText,
}

impl ChangePasswordInput {
    /// Validates the members; `None` is a member the request left out.
    ///
    /// # Errors
    /// `InvalidParameterException` listing every violated member, missing ones included
    /// (`previousPassword`, `proposedPassword`, `accessToken`).
    pub fn parse(
        previous_password: Option<&str>,
        proposed_password: Option<&str>,
        access_token: Option<&str>,
    ) -> Result<Self> {
        parse_with(
            |v| {
                (
                    v.required_password("previousPassword", previous_password),
                    v.required_password("proposedPassword", proposed_password),
                    v.required_secret("accessToken", access_token),
                )
            },
            |(previous, proposed, token)| {
                Ok(ChangePasswordInput {
                    previous_password: accepted(previous)?,
                    proposed_password: accepted(proposed)?,
                    access_token: accepted(token)?,
                })
            },
        )
    }
}

/// **UpdateUserAttributes**' members, validated.
#[derive(Debug, Clone)]
pub struct UpdateUserAttributesInput {
    /// `UserAttributes`.
    pub attributes: BTreeMap<String, String>,
    /// `AccessToken`, verified when the operation runs.
    pub access_token: SecretText,
}

impl UpdateUserAttributesInput {
    /// Validates the members; `None` is a member the request left out.
    ///
    /// # Errors
    /// `InvalidParameterException` listing every violated member, missing ones included
    /// (`userAttributes`, `accessToken`).
    pub fn parse(attributes: Option<&[(&str, &str)]>, access_token: Option<&str>) -> Result<Self> {
        parse_with(
            |v| {
                let attributes = v
                    .present("userAttributes", attributes)
                    .and_then(|a| v.attributes("userAttributes", a));
                (attributes, v.required_secret("accessToken", access_token))
            },
            |(attributes, token)| {
                Ok(UpdateUserAttributesInput {
                    attributes: accepted(attributes)?,
                    access_token: accepted(token)?,
                })
            },
        )
    }
}

/// **DeleteUserAttributes**' members, validated.
#[derive(Debug, Clone)]
pub struct DeleteUserAttributesInput {
    /// `UserAttributeNames`.
    pub names: Vec<String>,
    /// `AccessToken`, verified when the operation runs.
    pub access_token: SecretText,
}

impl DeleteUserAttributesInput {
    /// Validates the members; `None` is a member the request left out.
    ///
    /// # Errors
    /// `InvalidParameterException` listing every violated member, missing ones included
    /// (`userAttributeNames`, `accessToken`).
    pub fn parse(names: Option<&[&str]>, access_token: Option<&str>) -> Result<Self> {
        parse_with(
            |v| {
                (
                    v.present("userAttributeNames", names),
                    v.required_secret("accessToken", access_token),
                )
            },
            |(names, token)| {
                Ok(DeleteUserAttributesInput {
                    names: accepted(names)?.iter().map(|n| (*n).to_owned()).collect(),
                    access_token: accepted(token)?,
                })
            },
        )
    }
}

/// The members of GetUserAttributeVerificationCode and VerifyUserAttribute.
#[derive(Debug, Clone)]
pub struct UserAttributeCodeInput {
    /// `AccessToken`, verified when the operation runs.
    pub access_token: SecretText,
    /// `AttributeName` (`email` or `phone_number`, checked when the operation runs).
    pub attribute_name: String,
    /// `Code`: VerifyUserAttribute's, absent for GetUserAttributeVerificationCode.
    pub code: Option<ConfirmationCode>,
}

impl UserAttributeCodeInput {
    /// GetUserAttributeVerificationCode's members; `None` is a member the request left
    /// out.
    ///
    /// # Errors
    /// `InvalidParameterException` listing every violated member, missing ones included
    /// (`accessToken`, `attributeName`).
    pub fn parse_request(access_token: Option<&str>, attribute_name: Option<&str>) -> Result<Self> {
        Self::parse(access_token, attribute_name, None)
    }

    /// VerifyUserAttribute's members; `None` is a member the request left out.
    ///
    /// # Errors
    /// `InvalidParameterException` listing every violated member, missing ones included
    /// (`accessToken`, `attributeName`, `code`).
    pub fn parse_verify(
        access_token: Option<&str>,
        attribute_name: Option<&str>,
        code: Option<&str>,
    ) -> Result<Self> {
        Self::parse(access_token, attribute_name, Some(code))
    }

    fn parse(
        access_token: Option<&str>,
        attribute_name: Option<&str>,
        code: Option<Option<&str>>,
    ) -> Result<Self> {
        parse_with(
            |v| {
                (
                    v.required_secret("accessToken", access_token),
                    v.required_text("attributeName", attribute_name),
                    code.map(|code| v.required_code("code", code)),
                )
            },
            |(token, attribute, code)| {
                Ok(UserAttributeCodeInput {
                    access_token: accepted(token)?,
                    attribute_name: accepted(attribute)?,
                    code: code.map(accepted).transpose()?,
                })
            },
        )
    }
}
