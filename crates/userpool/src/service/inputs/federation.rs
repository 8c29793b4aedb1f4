//! The inputs of the operations linking provider identities to users (SPEC §21):
//! AdminLinkProviderForUser and AdminDisableProviderForUser. The members of each
//! `ProviderUserIdentifierType` are the operation's decisions (which provider may be a
//! source, what names a Cognito user), so only their presence is checked here.

use userpool_core::{Result, UserPoolId};

use super::parse_with;
use crate::service::ProviderUser;
use crate::validate::accepted;

/// One `ProviderUserIdentifierType`, owned: its members are checked by the operation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProviderUserInput {
    /// `ProviderName`.
    pub provider_name: Option<String>,
    /// `ProviderAttributeName`.
    pub provider_attribute_name: Option<String>,
    /// `ProviderAttributeValue`.
    pub provider_attribute_value: Option<String>,
}

impl ProviderUserInput {
    /// The identifier as the operation reads it.
    #[must_use]
    pub fn as_provider_user(&self) -> ProviderUser<'_> {
        ProviderUser {
            provider_name: self.provider_name.as_deref(),
            provider_attribute_name: self.provider_attribute_name.as_deref(),
            provider_attribute_value: self.provider_attribute_value.as_deref(),
        }
    }
}

impl From<&ProviderUser<'_>> for ProviderUserInput {
    fn from(user: &ProviderUser<'_>) -> Self {
        ProviderUserInput {
            provider_name: user.provider_name.map(str::to_owned),
            provider_attribute_name: user.provider_attribute_name.map(str::to_owned),
            provider_attribute_value: user.provider_attribute_value.map(str::to_owned),
        }
    }
}

/// **AdminLinkProviderForUser**'s members, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkProviderForUserInput {
    /// `UserPoolId`.
    pub user_pool_id: UserPoolId,
    /// `DestinationUser`: the pool's user (`Cognito`).
    pub destination_user: ProviderUserInput,
    /// `SourceUser`: the provider identity.
    pub source_user: ProviderUserInput,
}

impl LinkProviderForUserInput {
    /// Validates the members; `None` is a member the request left out (all three are
    /// required).
    ///
    /// # Errors
    /// `InvalidParameterException` listing every violated member, missing ones included
    /// (`userPoolId`, `destinationUser`, `sourceUser`).
    pub fn parse(
        user_pool_id: Option<&str>,
        destination_user: Option<&ProviderUser<'_>>,
        source_user: Option<&ProviderUser<'_>>,
    ) -> Result<Self> {
        parse_with(
            |v| {
                (
                    v.required_pool_id(user_pool_id),
                    v.present("destinationUser", destination_user),
                    v.present("sourceUser", source_user),
                )
            },
            |(pool, destination, source)| {
                Ok(LinkProviderForUserInput {
                    user_pool_id: accepted(pool)?,
                    destination_user: accepted(destination)?.into(),
                    source_user: accepted(source)?.into(),
                })
            },
        )
    }
}

/// **AdminDisableProviderForUser**'s members, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisableProviderForUserInput {
    /// `UserPoolId`.
    pub user_pool_id: UserPoolId,
    /// `User`: the provider identity (or a Cognito user, whose password sign-in is
    /// disabled).
    pub user: ProviderUserInput,
}

impl DisableProviderForUserInput {
    /// Validates the members; `None` is a member the request left out (both are
    /// required).
    ///
    /// # Errors
    /// `InvalidParameterException` listing every violated member, missing ones included
    /// (`userPoolId`, `user`).
    pub fn parse(user_pool_id: Option<&str>, user: Option<&ProviderUser<'_>>) -> Result<Self> {
        parse_with(
            |v| (v.required_pool_id(user_pool_id), v.present("user", user)),
            |(pool, user)| {
                Ok(DisableProviderForUserInput {
                    user_pool_id: accepted(pool)?,
                    user: accepted(user)?.into(),
                })
            },
        )
    }
}
