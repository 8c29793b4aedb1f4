//! The inputs of the operations on a pool and its app clients.

use userpool_core::{Result, SchemaAttributeInput, UserPoolId};

use super::{page_size, parse_with};
use crate::service::pools::check_auth_flows;
use crate::service::{ClientSettings, ClientUpdate};
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

/// **ListUserPoolClients**' members, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListUserPoolClientsInput {
    /// `UserPoolId`.
    pub user_pool_id: UserPoolId,
    /// `MaxResults`: 1..=60, absent meaning 60.
    pub max_results: usize,
    /// `NextToken`.
    pub next_token: Option<String>,
}

impl ListUserPoolClientsInput {
    /// Validates the members; `None` is a member the request left out (only the pool is
    /// required).
    ///
    /// # Errors
    /// `InvalidParameterException` listing every violated member, missing ones included
    /// (`userPoolId`, `maxResults`).
    pub fn parse(
        user_pool_id: Option<&str>,
        max_results: Option<i64>,
        next_token: Option<&str>,
    ) -> Result<Self> {
        parse_with(
            |v| {
                let pool = v.required_pool_id(user_pool_id);
                (pool, page_size(v, max_results, 60))
            },
            |(pool, max)| {
                Ok(ListUserPoolClientsInput {
                    user_pool_id: accepted(pool)?,
                    max_results: accepted(max)?,
                    next_token: next_token.map(str::to_owned),
                })
            },
        )
    }
}

/// **AddCustomAttributes**' members, validated (the attributes themselves are checked
/// against the pool's schema when they are added).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddCustomAttributesInput {
    /// `UserPoolId`.
    pub user_pool_id: UserPoolId,
    /// `CustomAttributes`.
    pub attributes: Vec<SchemaAttributeInput>,
}

impl AddCustomAttributesInput {
    /// Validates the members; `None` is a member the request left out (both are
    /// required).
    ///
    /// # Errors
    /// `InvalidParameterException` listing every violated member, missing ones included
    /// (`userPoolId`, `customAttributes`).
    pub fn parse(
        user_pool_id: Option<&str>,
        attributes: Option<&[SchemaAttributeInput]>,
    ) -> Result<Self> {
        parse_with(
            |v| {
                (
                    v.required_pool_id(user_pool_id),
                    v.present("customAttributes", attributes),
                )
            },
            |(pool, attributes)| {
                Ok(AddCustomAttributesInput {
                    user_pool_id: accepted(pool)?,
                    attributes: accepted(attributes)?.to_vec(),
                })
            },
        )
    }
}

/// **CreateUserPool**'s name, validated (the settings are checked against the host's
/// limits when the pool is created).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateUserPoolInput {
    /// `PoolName`.
    pub pool_name: String,
}

impl CreateUserPoolInput {
    /// Validates the member; `None` is a member the request left out.
    ///
    /// # Errors
    /// `InvalidParameterException` (`poolName` missing or malformed).
    pub fn parse(pool_name: Option<&str>) -> Result<Self> {
        parse_with(
            |v| v.required("poolName", pool_name, |v, name| v.name("poolName", name)),
            |name| {
                Ok(CreateUserPoolInput {
                    pool_name: accepted(name)?,
                })
            },
        )
    }
}

/// **CreateUserPoolClient**'s members, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateUserPoolClientInput {
    /// `UserPoolId`.
    pub user_pool_id: UserPoolId,
    /// `ClientName`.
    pub client_name: String,
    /// The client's settings (`ExplicitAuthFlows` checked here; the OAuth settings against
    /// the pool when the client is created).
    pub settings: ClientSettings,
}

impl CreateUserPoolClientInput {
    /// Validates the members; `None` is a member the request left out.
    ///
    /// # Errors
    /// `InvalidParameterException` listing every violated member, missing ones included
    /// (`userPoolId`, `clientName`, `explicitAuthFlows`).
    pub fn parse(
        user_pool_id: Option<&str>,
        client_name: Option<&str>,
        settings: ClientSettings,
    ) -> Result<Self> {
        parse_with(
            move |v| {
                let pool = v.required_pool_id(user_pool_id);
                let name = v.required("clientName", client_name, |v, n| v.name("clientName", n));
                check_auth_flows(v, &settings.explicit_auth_flows);
                (pool, name, settings)
            },
            |(pool, name, settings)| {
                Ok(CreateUserPoolClientInput {
                    user_pool_id: accepted(pool)?,
                    client_name: accepted(name)?,
                    settings,
                })
            },
        )
    }
}

/// **UpdateUserPoolClient**'s members, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateUserPoolClientInput {
    /// The pool and the client.
    pub client: PoolClientInput,
    /// The settings that replace the client's (`ClientName` and `ExplicitAuthFlows`
    /// checked here).
    pub update: ClientUpdate,
}

impl UpdateUserPoolClientInput {
    /// Validates the members; `None` is a member the request left out.
    ///
    /// # Errors
    /// `InvalidParameterException` listing every violated member, missing ones included
    /// (`userPoolId`, `clientId`, `clientName`, `explicitAuthFlows`).
    pub fn parse(
        user_pool_id: Option<&str>,
        client_id: Option<&str>,
        update: ClientUpdate,
    ) -> Result<Self> {
        parse_with(
            move |v| {
                let pool = v.required_pool_id(user_pool_id);
                let client = v.required_client_id(client_id);
                if let Some(name) = &update.client_name {
                    v.name("clientName", name);
                }
                check_auth_flows(v, &update.explicit_auth_flows);
                (pool, client, update)
            },
            |(pool, client, update)| {
                Ok(UpdateUserPoolClientInput {
                    client: PoolClientInput {
                        user_pool_id: accepted(pool)?,
                        client_id: accepted(client)?,
                    },
                    update,
                })
            },
        )
    }
}
