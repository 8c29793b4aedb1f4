//! The admin user operations' inputs: AdminCreateUser, the operations on one user
//! (AdminGetUser, AdminDeleteUser, AdminDisableUser, AdminEnableUser, AdminConfirmSignUp,
//! AdminResetUserPassword, AdminUserGlobalSignOut), AdminUpdateUserAttributes,
//! AdminDeleteUserAttributes and ListUsers.

use std::collections::BTreeMap;

use userpool_core::{Password, Result, UserPoolId, Username};

use super::{check_limit, parse_with};
use crate::service::MessageAction;
use crate::validate::{Validator, accepted};

/// The members of the admin operations on one user: a pool and a username.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminUserInput {
    /// `UserPoolId`.
    pub user_pool_id: UserPoolId,
    /// `Username` (an alias value or `sub` also finds the user).
    pub username: Username,
}

impl AdminUserInput {
    /// Validates the two members; `None` is a member the request left out.
    ///
    /// # Errors
    /// `InvalidParameterException` listing every violated member, missing ones included
    /// (`userPoolId`, `username`).
    pub fn parse(user_pool_id: Option<&str>, username: Option<&str>) -> Result<Self> {
        parse_with(|v| Self::members(v, user_pool_id, username), Self::build)
    }

    /// Records the two members in `v`, in Cognito's order, for the inputs that start with
    /// them.
    pub(super) fn members(
        v: &mut Validator,
        user_pool_id: Option<&str>,
        username: Option<&str>,
    ) -> UserMembers {
        (
            v.required_pool_id(user_pool_id),
            v.required_username(username),
        )
    }

    /// The input, from members a validator accepted.
    pub(super) fn build((user_pool_id, username): UserMembers) -> Result<Self> {
        Ok(AdminUserInput {
            user_pool_id: accepted(user_pool_id)?,
            username: accepted(username)?,
        })
    }
}

/// A pool and a username as a validator took them.
pub(super) type UserMembers = (Option<UserPoolId>, Option<Username>);

/// **AdminCreateUser**'s members, validated.
#[derive(Debug, Clone)]
pub struct AdminCreateUserInput {
    /// `UserPoolId`.
    pub user_pool_id: UserPoolId,
    /// `Username`.
    pub username: Username,
    /// `TemporaryPassword`, when given (zeroizing, redacted); else one is generated.
    pub temporary_password: Option<Password>,
    /// `UserAttributes` (absent is empty).
    pub attributes: BTreeMap<String, String>,
    /// `MessageAction`.
    pub message_action: Option<MessageAction>,
}

impl AdminCreateUserInput {
    /// Validates AdminCreateUser's members; `None` is a member the request left out
    /// (only the pool and the username are required).
    ///
    /// # Errors
    /// `InvalidParameterException` listing every violated member, missing ones included
    /// (`userPoolId`, `username`, `temporaryPassword`, `messageAction`, then
    /// `userAttributes`).
    pub fn parse(
        user_pool_id: Option<&str>,
        username: Option<&str>,
        temporary_password: Option<&str>,
        attributes: &[(&str, &str)],
        message_action: Option<&str>,
    ) -> Result<Self> {
        parse_with(
            |v| {
                (
                    v.required_pool_id(user_pool_id),
                    v.required_username(username),
                    temporary_password.map(|p| v.password("temporaryPassword", p)),
                    message_action.map(|a| v.take(MessageAction::parse(a))),
                    v.attributes("userAttributes", attributes),
                )
            },
            |(user_pool_id, username, temporary_password, message_action, attributes)| {
                Ok(AdminCreateUserInput {
                    user_pool_id: accepted(user_pool_id)?,
                    username: accepted(username)?,
                    temporary_password: temporary_password.map(accepted).transpose()?,
                    attributes: accepted(attributes)?,
                    message_action: message_action.map(accepted).transpose()?,
                })
            },
        )
    }
}

/// **AdminUpdateUserAttributes**'s members, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminUpdateUserAttributesInput {
    /// The pool and the user.
    pub user: AdminUserInput,
    /// `UserAttributes`: the values to set (an empty value removes the attribute).
    pub attributes: BTreeMap<String, String>,
}

impl AdminUpdateUserAttributesInput {
    /// Validates the members; `None` is a member the request left out (all three are
    /// required).
    ///
    /// # Errors
    /// `InvalidParameterException` listing every violated member, missing ones included
    /// (`userPoolId`, `username`, `userAttributes`).
    pub fn parse(
        user_pool_id: Option<&str>,
        username: Option<&str>,
        attributes: Option<&[(&str, &str)]>,
    ) -> Result<Self> {
        parse_with(
            |v| {
                let user = AdminUserInput::members(v, user_pool_id, username);
                let attributes = v
                    .present("userAttributes", attributes)
                    .and_then(|a| v.attributes("userAttributes", a));
                (user, attributes)
            },
            |(user, attributes)| {
                Ok(AdminUpdateUserAttributesInput {
                    user: AdminUserInput::build(user)?,
                    attributes: accepted(attributes)?,
                })
            },
        )
    }
}

/// **AdminDeleteUserAttributes**'s members, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminDeleteUserAttributesInput {
    /// The pool and the user.
    pub user: AdminUserInput,
    /// `UserAttributeNames`.
    pub names: Vec<String>,
}

impl AdminDeleteUserAttributesInput {
    /// Validates the members; `None` is a member the request left out (all three are
    /// required).
    ///
    /// # Errors
    /// `InvalidParameterException` listing every violated member, missing ones included
    /// (`userPoolId`, `username`, `userAttributeNames`).
    pub fn parse(
        user_pool_id: Option<&str>,
        username: Option<&str>,
        names: Option<&[&str]>,
    ) -> Result<Self> {
        parse_with(
            |v| {
                let user = AdminUserInput::members(v, user_pool_id, username);
                (user, v.present("userAttributeNames", names))
            },
            |(user, names)| {
                Ok(AdminDeleteUserAttributesInput {
                    user: AdminUserInput::build(user)?,
                    names: accepted(names)?.iter().map(|n| (*n).to_owned()).collect(),
                })
            },
        )
    }
}

/// **ListUsers**'s members, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListUsersInput {
    /// `UserPoolId`.
    pub user_pool_id: UserPoolId,
    /// The page size `Limit` asks for (0 or absent is 60).
    pub limit: usize,
    /// `PaginationToken`, checked against the pool when the page is read.
    pub pagination_token: Option<String>,
    /// `Filter`, parsed when the page is read.
    pub filter: Option<String>,
}

impl ListUsersInput {
    /// Validates the members; `None` is a member the request left out (only the pool is
    /// required).
    ///
    /// # Errors
    /// `InvalidParameterException` listing every violated member, missing ones included
    /// (`userPoolId`, `limit`).
    pub fn parse(
        user_pool_id: Option<&str>,
        limit: Option<i64>,
        pagination_token: Option<&str>,
        filter: Option<&str>,
    ) -> Result<Self> {
        parse_with(
            |v| {
                let pool = v.required_pool_id(user_pool_id);
                (pool, check_limit(v, limit))
            },
            |(user_pool_id, limit)| {
                Ok(ListUsersInput {
                    user_pool_id: accepted(user_pool_id)?,
                    limit: accepted(limit)?,
                    pagination_token: pagination_token.map(str::to_owned),
                    filter: filter.map(str::to_owned),
                })
            },
        )
    }
}
