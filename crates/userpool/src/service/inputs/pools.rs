//! The inputs of the operations on a pool and its app clients.

use userpool_core::{Result, UserPoolId};

use super::parse_with;
use crate::validate::accepted;

/// The member of the operations on a pool alone (DescribeUserPool, DeleteUserPool,
/// GetCSVHeader, GetUserPoolMfaConfig, SetUserPoolMfaConfig).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolInput {
    /// `UserPoolId`.
    pub user_pool_id: UserPoolId,
}

impl PoolInput {
    /// Validates the member; `None` is a member the request left out.
    ///
    /// # Errors
    /// `InvalidParameterException` (`userPoolId` missing or malformed).
    pub fn parse(user_pool_id: Option<&str>) -> Result<Self> {
        parse_with(
            |v| v.required_pool_id(user_pool_id),
            |pool| {
                Ok(PoolInput {
                    user_pool_id: accepted(pool)?,
                })
            },
        )
    }
}

/// The members of DescribeUserPoolClient and DeleteUserPoolClient: a pool and one of its
/// app clients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolClientInput {
    /// `UserPoolId`.
    pub user_pool_id: UserPoolId,
    /// `ClientId`.
    pub client_id: String,
}

impl PoolClientInput {
    /// Validates the two members; `None` is a member the request left out.
    ///
    /// # Errors
    /// `InvalidParameterException` listing every violated member, missing ones included
    /// (`userPoolId`, `clientId`).
    pub fn parse(user_pool_id: Option<&str>, client_id: Option<&str>) -> Result<Self> {
        parse_with(
            |v| {
                (
                    v.required_pool_id(user_pool_id),
                    v.required_client_id(client_id),
                )
            },
            |(pool, client)| {
                Ok(PoolClientInput {
                    user_pool_id: accepted(pool)?,
                    client_id: accepted(client)?,
                })
            },
        )
    }
}
