//! Pool and app-client management: CreateUserPool, DescribeUserPool, UpdateUserPool,
//! DeleteUserPool, ListUserPools, CreateUserPoolClient, DescribeUserPoolClient.

use serde::Deserialize;
use serde_json::{Map, Value, json};
use userpool::{Caller, ClientSettings, PoolSettings, PoolUpdate};
use userpool_core::{AliasAttribute, Error as PoolError, PasswordPolicy};

use super::shapes::{self, Required};
use crate::App;
use crate::error::Error;

/// `PasswordPolicyType` as sent.
#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct PasswordPolicyInput {
    minimum_length: Option<i64>,
    require_uppercase: Option<bool>,
    require_lowercase: Option<bool>,
    require_numbers: Option<bool>,
    require_symbols: Option<bool>,
    password_history_size: Option<i64>,
    temporary_password_validity_days: Option<i64>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct PoliciesInput {
    password_policy: Option<PasswordPolicyInput>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UsernameConfiguration {
    case_sensitive: Option<bool>,
}

/// The pool's policy from `Policies`: absent means the pool default; inside a given
/// `PasswordPolicy`, an absent `Require*` is `false` and an absent number its default, as
/// the Cognito API (not its console) treats them **(decision)**.
fn policy(policies: Option<PoliciesInput>) -> Result<PasswordPolicy, Error> {
    let Some(given) = policies.and_then(|p| p.password_policy) else {
        return Ok(PasswordPolicy::default());
    };
    let mut builder = PasswordPolicy::builder()
        .require_uppercase(given.require_uppercase.unwrap_or(false))
        .require_lowercase(given.require_lowercase.unwrap_or(false))
        .require_numbers(given.require_numbers.unwrap_or(false))
        .require_symbols(given.require_symbols.unwrap_or(false));
    if let Some(n) = given.minimum_length {
        builder = builder.minimum_length(n);
    }
    if let Some(n) = given.password_history_size {
        builder = builder.password_history_size(n);
    }
    if let Some(n) = given.temporary_password_validity_days {
        builder = builder.temporary_password_validity_days(n);
    }
    Ok(builder.build()?)
}

fn aliases(names: Option<Vec<String>>) -> Result<Vec<AliasAttribute>, Error> {
    names
        .unwrap_or_default()
        .iter()
        .map(|n| n.parse::<AliasAttribute>().map_err(Error::from))
        .collect()
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateUserPool {
    pool_name: Option<String>,
    policies: Option<PoliciesInput>,
    alias_attributes: Option<Vec<String>>,
    username_attributes: Option<Vec<String>>,
    username_configuration: Option<UsernameConfiguration>,
}

pub fn create_user_pool(
    app: &App,
    caller: &Caller,
    input: Map<String, Value>,
) -> Result<Value, Error> {
    let input: CreateUserPool = shapes::input(input)?;
    let mut required = Required::default();
    let name = required.take(input.pool_name.as_deref(), "poolName");
    required.finish()?;
    let settings = PoolSettings {
        policy: policy(input.policies)?,
        hash_params: app.hash_params,
        alias_attributes: aliases(input.alias_attributes)?,
        username_attributes: aliases(input.username_attributes)?,
        case_sensitive: input
            .username_configuration
            .and_then(|c| c.case_sensitive)
            .unwrap_or(true),
        ..PoolSettings::default()
    };
    let pool = app.pools.create_user_pool(caller, name, settings)?;
    Ok(json!({ "UserPool": shapes::user_pool_type(&pool) }))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PoolOnly {
    user_pool_id: Option<String>,
}

fn pool_id(input: Map<String, Value>) -> Result<String, Error> {
    let input: PoolOnly = shapes::input(input)?;
    let mut required = Required::default();
    let id = required
        .take(input.user_pool_id.as_deref(), "userPoolId")
        .to_owned();
    required.finish()?;
    Ok(id)
}

pub fn describe_user_pool(
    app: &App,
    caller: &Caller,
    input: Map<String, Value>,
) -> Result<Value, Error> {
    let pool = app.pools.describe_user_pool(caller, &pool_id(input)?)?;
    Ok(json!({ "UserPool": shapes::user_pool_type(&pool) }))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UpdateUserPool {
    user_pool_id: Option<String>,
    policies: Option<PoliciesInput>,
}

/// UpdateUserPool replaces the policy with the one given, or with the default when
/// `Policies` is absent — Cognito's documented "unspecified settings revert to their
/// defaults" behaviour.
pub fn update_user_pool(
    app: &App,
    caller: &Caller,
    input: Map<String, Value>,
) -> Result<Value, Error> {
    let input: UpdateUserPool = shapes::input(input)?;
    let mut required = Required::default();
    let id = required.take(input.user_pool_id.as_deref(), "userPoolId");
    required.finish()?;
    let update = PoolUpdate {
        policy: Some(policy(input.policies)?),
        ..PoolUpdate::default()
    };
    app.pools.update_user_pool(caller, id, update)?;
    Ok(json!({}))
}

pub fn delete_user_pool(
    app: &App,
    caller: &Caller,
    input: Map<String, Value>,
) -> Result<Value, Error> {
    app.pools.delete_user_pool(caller, &pool_id(input)?)?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListUserPools {
    max_results: Option<i64>,
    next_token: Option<String>,
}

pub fn list_user_pools(
    app: &App,
    caller: &Caller,
    input: Map<String, Value>,
) -> Result<Value, Error> {
    let input: ListUserPools = shapes::input(input)?;
    let Some(max) = input.max_results else {
        return Err(
            PoolError::invalid_parameter("maxResults", userpool_core::Constraint::Missing).into(),
        );
    };
    let max = usize::try_from(max).unwrap_or(0);
    let page = app
        .pools
        .list_user_pools(caller, max, input.next_token.as_deref())?;
    let mut out = json!({
        "UserPools": page.pools.iter().map(shapes::user_pool_description).collect::<Vec<_>>(),
    });
    if let Some(token) = page.next_token {
        out["NextToken"] = json!(token);
    }
    Ok(out)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateUserPoolClient {
    user_pool_id: Option<String>,
    client_name: Option<String>,
    generate_secret: Option<bool>,
    explicit_auth_flows: Option<Vec<String>>,
    prevent_user_existence_errors: Option<String>,
}

pub fn create_user_pool_client(
    app: &App,
    caller: &Caller,
    input: Map<String, Value>,
) -> Result<Value, Error> {
    let input: CreateUserPoolClient = shapes::input(input)?;
    let mut required = Required::default();
    let id = required.take(input.user_pool_id.as_deref(), "userPoolId");
    let name = required.take(input.client_name.as_deref(), "clientName");
    required.finish()?;
    let prevent = match input.prevent_user_existence_errors.as_deref() {
        None | Some("LEGACY") => false,
        Some("ENABLED") => true,
        Some(_) => {
            return Err(PoolError::invalid_parameter(
                "preventUserExistenceErrors",
                userpool_core::Constraint::Pattern("LEGACY|ENABLED"),
            )
            .into());
        }
    };
    let settings = ClientSettings {
        generate_secret: input.generate_secret.unwrap_or(false),
        explicit_auth_flows: input.explicit_auth_flows.unwrap_or_default(),
        prevent_user_existence_errors: prevent,
    };
    let client = app
        .pools
        .create_user_pool_client(caller, id, name, settings)?;
    Ok(json!({ "UserPoolClient": shapes::user_pool_client_type(&client) }))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DescribeUserPoolClient {
    user_pool_id: Option<String>,
    client_id: Option<String>,
}

pub fn describe_user_pool_client(
    app: &App,
    caller: &Caller,
    input: Map<String, Value>,
) -> Result<Value, Error> {
    let input: DescribeUserPoolClient = shapes::input(input)?;
    let mut required = Required::default();
    let id = required.take(input.user_pool_id.as_deref(), "userPoolId");
    let client_id = required.take(input.client_id.as_deref(), "clientId");
    required.finish()?;
    let client = app.pools.describe_user_pool_client(caller, id, client_id)?;
    Ok(json!({ "UserPoolClient": shapes::user_pool_client_type(&client) }))
}
