//! Pool and app-client management: CreateUserPool, DescribeUserPool, UpdateUserPool,
//! DeleteUserPool, ListUserPools, CreateUserPoolClient, DescribeUserPoolClient.

use serde::Deserialize;
use serde_json::{Map, Value, json};
use userpool::{Caller, ClientSettings, ClientUpdate, PoolSettings, PoolUpdate};
use userpool_core::{AliasAttribute, Error as PoolError, PasswordPolicy};

use super::settings::{SchemaAttributeWire, SettingsWire};
use super::shapes;
use crate::App;
use crate::error::Error;
use crate::wire::RequestBody;
use userpool::inputs::{
    AddCustomAttributesInput, CreateUserPoolClientInput, CreateUserPoolInput,
    ListUserPoolClientsInput, PoolClientInput, PoolInput, UpdateUserPoolClientInput,
};

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
    schema: Option<Vec<SchemaAttributeWire>>,
}

/// The SPEC §16 settings members, shared by CreateUserPool and UpdateUserPool.
const SETTINGS_MEMBERS: &[&str] = &[
    "AutoVerifiedAttributes",
    "AccountRecoverySetting",
    "VerificationMessageTemplate",
    "EmailVerificationMessage",
    "EmailVerificationSubject",
    "SmsVerificationMessage",
    "SmsAuthenticationMessage",
    "AdminCreateUserConfig",
    "EmailConfiguration",
    "SmsConfiguration",
    "LambdaConfig",
    "DeletionProtection",
    "UserAttributeUpdateSettings",
    "UserPoolTags",
    "MfaConfiguration",
    "UserPoolAddOns",
    "DeviceConfiguration",
];

/// Splits the settings members off the request, refusing any member the operation does
/// not know: a setting this service would not honour is refused, never dropped (SPEC §16).
fn split_settings(input: &mut Map<String, Value>, own: &[&str]) -> Result<SettingsWire, Error> {
    if let Some(unknown) = input
        .keys()
        .find(|k| !own.contains(&k.as_str()) && !SETTINGS_MEMBERS.contains(&k.as_str()))
    {
        return Err(PoolError::InvalidParameterMessage(format!(
            "{unknown} is not supported by this service"
        ))
        .into());
    }
    let mut settings = Map::new();
    for member in SETTINGS_MEMBERS {
        if let Some(value) = input.remove(*member) {
            settings.insert((*member).to_owned(), value);
        }
    }
    shapes::input(settings)
}

pub fn create_user_pool(app: &App, caller: &Caller, body: RequestBody) -> Result<Value, Error> {
    // Pool settings carry no secret: read member by member from the generic object.
    let mut input = body.object()?;
    let settings_wire = split_settings(
        &mut input,
        &[
            "PoolName",
            "Policies",
            "AliasAttributes",
            "UsernameAttributes",
            "UsernameConfiguration",
            "Schema",
        ],
    )?;
    let mut settings_wire = settings_wire;
    let input: CreateUserPool = shapes::input(input)?;
    let name = CreateUserPoolInput::parse(input.pool_name.as_deref())?;
    let mfa_mode = settings_wire.take_mfa_mode()?.unwrap_or_default();
    let settings = PoolSettings {
        mfa_mode,
        schema: input
            .schema
            .unwrap_or_default()
            .into_iter()
            .map(SchemaAttributeWire::into_input)
            .collect(),
        settings: settings_wire.into_settings()?,
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
    let pool = app.pools.create_user_pool_input(caller, &name, settings)?;
    let mut described = shapes::user_pool_type(&pool);
    described["EstimatedNumberOfUsers"] = json!(0);
    Ok(json!({ "UserPool": described }))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PoolOnly {
    user_pool_id: Option<String>,
}

fn pool_id(body: RequestBody) -> Result<PoolInput, Error> {
    let input: PoolOnly = body.parse()?;
    Ok(PoolInput::parse(input.user_pool_id.as_deref())?)
}

pub fn describe_user_pool(app: &App, caller: &Caller, body: RequestBody) -> Result<Value, Error> {
    let pool = app
        .pools
        .describe_user_pool_input(caller, &pool_id(body)?)?;
    let mut described = shapes::user_pool_type(&pool);
    described["EstimatedNumberOfUsers"] = json!(app.pools.estimated_number_of_users(&pool.id)?);
    if let Some(domain) = app.pools.domain_of_pool(&pool.id)? {
        described["Domain"] = json!(domain.domain);
    }
    Ok(json!({ "UserPool": described }))
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
pub fn update_user_pool(app: &App, caller: &Caller, body: RequestBody) -> Result<Value, Error> {
    let mut input = body.object()?;
    let mut settings_wire = split_settings(&mut input, &["UserPoolId", "Policies"])?;
    let input: UpdateUserPool = shapes::input(input)?;
    let pool = PoolInput::parse(input.user_pool_id.as_deref())?;
    // The mode SetUserPoolMfaConfig set is what DescribeUserPool answers; a client that
    // sends it back (or changes it) is honoured as SetUserPoolMfaConfig would be.
    let mfa_mode = settings_wire.take_mfa_mode()?;
    let update = PoolUpdate {
        policy: Some(policy(input.policies)?),
        settings: Some(settings_wire.into_settings()?),
        mfa_mode,
        ..PoolUpdate::default()
    };
    app.pools.update_user_pool_input(caller, &pool, update)?;
    Ok(json!({}))
}

pub fn delete_user_pool(app: &App, caller: &Caller, body: RequestBody) -> Result<Value, Error> {
    app.pools.delete_user_pool_input(caller, &pool_id(body)?)?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListUserPools {
    max_results: Option<i64>,
    next_token: Option<String>,
}

pub fn list_user_pools(app: &App, caller: &Caller, body: RequestBody) -> Result<Value, Error> {
    let input: ListUserPools = body.parse()?;
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
    #[serde(flatten)]
    oauth: ClientOAuthMembers,
}

/// A client's OAuth members (SPEC §21), as CreateUserPoolClient and UpdateUserPoolClient
/// take them; a member left out is its default, as Cognito documents for both.
#[derive(Deserialize)]
struct ClientOAuthMembers {
    #[serde(rename = "AllowedOAuthFlows")]
    allowed_oauth_flows: Option<Vec<String>>,
    #[serde(rename = "AllowedOAuthFlowsUserPoolClient")]
    allowed_oauth_flows_user_pool_client: Option<bool>,
    #[serde(rename = "AllowedOAuthScopes")]
    allowed_oauth_scopes: Option<Vec<String>>,
    #[serde(rename = "CallbackURLs")]
    callback_urls: Option<Vec<String>>,
    #[serde(rename = "LogoutURLs")]
    logout_urls: Option<Vec<String>>,
    #[serde(rename = "DefaultRedirectURI")]
    default_redirect_uri: Option<String>,
    #[serde(rename = "SupportedIdentityProviders")]
    supported_identity_providers: Option<Vec<String>>,
}

/// The OAuth members' names, for the operations that refuse members they do not know.
const CLIENT_OAUTH_MEMBERS: &[&str] = &[
    "AllowedOAuthFlows",
    "AllowedOAuthFlowsUserPoolClient",
    "AllowedOAuthScopes",
    "CallbackURLs",
    "LogoutURLs",
    "DefaultRedirectURI",
    "SupportedIdentityProviders",
];

impl ClientOAuthMembers {
    fn settings(self) -> userpool::ClientOAuth {
        userpool::ClientOAuth {
            allowed_flows: self.allowed_oauth_flows.unwrap_or_default(),
            allowed_flows_user_pool_client: self
                .allowed_oauth_flows_user_pool_client
                .unwrap_or(false),
            allowed_scopes: self.allowed_oauth_scopes.unwrap_or_default(),
            callback_urls: self.callback_urls.unwrap_or_default(),
            logout_urls: self.logout_urls.unwrap_or_default(),
            default_redirect_uri: self.default_redirect_uri,
            supported_identity_providers: self.supported_identity_providers.unwrap_or_default(),
        }
    }
}

pub fn create_user_pool_client(
    app: &App,
    caller: &Caller,
    body: RequestBody,
) -> Result<Value, Error> {
    let wire: CreateUserPoolClient = body.parse()?;
    // Refused after the members Cognito's validation layer lists, as before.
    let prevent = prevent_flag(wire.prevent_user_existence_errors.as_deref());
    let settings = ClientSettings {
        generate_secret: wire.generate_secret.unwrap_or(false),
        explicit_auth_flows: wire.explicit_auth_flows.unwrap_or_default(),
        prevent_user_existence_errors: *prevent.as_ref().unwrap_or(&false),
        oauth: wire.oauth.settings(),
    };
    let input = CreateUserPoolClientInput::parse(
        wire.user_pool_id.as_deref(),
        wire.client_name.as_deref(),
        settings,
    )?;
    prevent?;
    let client = app.pools.create_user_pool_client_input(caller, input)?;
    Ok(json!({ "UserPoolClient": shapes::user_pool_client_type(&client) }))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DescribeUserPoolClient {
    user_pool_id: Option<String>,
    client_id: Option<String>,
}

/// The pool and the app client of DescribeUserPoolClient and DeleteUserPoolClient.
fn pool_client(body: RequestBody) -> Result<PoolClientInput, Error> {
    let input: DescribeUserPoolClient = body.parse()?;
    Ok(PoolClientInput::parse(
        input.user_pool_id.as_deref(),
        input.client_id.as_deref(),
    )?)
}

pub fn describe_user_pool_client(
    app: &App,
    caller: &Caller,
    body: RequestBody,
) -> Result<Value, Error> {
    let client = app
        .pools
        .describe_user_pool_client_input(caller, &pool_client(body)?)?;
    Ok(json!({ "UserPoolClient": shapes::user_pool_client_type(&client) }))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListUserPoolClients {
    user_pool_id: Option<String>,
    max_results: Option<i64>,
    next_token: Option<String>,
}

/// **ListUserPoolClients**: `UserPoolClientDescription`s, `MaxResults` 1..=60, `NextToken`.
pub fn list_user_pool_clients(
    app: &App,
    caller: &Caller,
    body: RequestBody,
) -> Result<Value, Error> {
    let wire: ListUserPoolClients = body.parse()?;
    let input = ListUserPoolClientsInput::parse(
        wire.user_pool_id.as_deref(),
        wire.max_results,
        wire.next_token.as_deref(),
    )?;
    let page = app.pools.list_user_pool_clients_input(caller, &input)?;
    let mut out = json!({
        "UserPoolClients": page.clients.iter().map(|c| json!({
            "ClientId": c.client_id,
            "UserPoolId": c.pool_id.as_str(),
            "ClientName": c.name,
        })).collect::<Vec<_>>(),
    });
    if let Some(token) = page.next_token {
        out["NextToken"] = json!(token);
    }
    Ok(out)
}

/// The client settings this service stores; any other member of UpdateUserPoolClient is
/// refused rather than dropped (SPEC §16).
const UPDATE_CLIENT_MEMBERS: &[&str] = &[
    "UserPoolId",
    "ClientId",
    "ClientName",
    "ExplicitAuthFlows",
    "PreventUserExistenceErrors",
];

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UpdateUserPoolClient {
    user_pool_id: Option<String>,
    client_id: Option<String>,
    client_name: Option<String>,
    explicit_auth_flows: Option<Vec<String>>,
    prevent_user_existence_errors: Option<String>,
    #[serde(flatten)]
    oauth: ClientOAuthMembers,
}

fn prevent_flag(value: Option<&str>) -> Result<bool, Error> {
    match value {
        None | Some("LEGACY") => Ok(false),
        Some("ENABLED") => Ok(true),
        Some(_) => Err(PoolError::invalid_parameter(
            "preventUserExistenceErrors",
            userpool_core::Constraint::Pattern("LEGACY|ENABLED"),
        )
        .into()),
    }
}

/// **UpdateUserPoolClient**.
pub fn update_user_pool_client(
    app: &App,
    caller: &Caller,
    body: RequestBody,
) -> Result<Value, Error> {
    let input = body.object()?;
    if let Some(unknown) = input.keys().find(|k| {
        !UPDATE_CLIENT_MEMBERS.contains(&k.as_str()) && !CLIENT_OAUTH_MEMBERS.contains(&k.as_str())
    }) {
        return Err(PoolError::InvalidParameterMessage(format!(
            "{unknown} is not supported by this service"
        ))
        .into());
    }
    let wire: UpdateUserPoolClient = shapes::input(input)?;
    // Refused after the members Cognito's validation layer lists, as before.
    let prevent = prevent_flag(wire.prevent_user_existence_errors.as_deref());
    let update = ClientUpdate {
        client_name: wire.client_name,
        explicit_auth_flows: wire.explicit_auth_flows.unwrap_or_default(),
        prevent_user_existence_errors: *prevent.as_ref().unwrap_or(&false),
        oauth: wire.oauth.settings(),
    };
    let input = UpdateUserPoolClientInput::parse(
        wire.user_pool_id.as_deref(),
        wire.client_id.as_deref(),
        update,
    )?;
    prevent?;
    let client = app.pools.update_user_pool_client_input(caller, input)?;
    Ok(json!({ "UserPoolClient": shapes::user_pool_client_type(&client) }))
}

/// **DeleteUserPoolClient**.
pub fn delete_user_pool_client(
    app: &App,
    caller: &Caller,
    body: RequestBody,
) -> Result<Value, Error> {
    app.pools
        .delete_user_pool_client_input(caller, &pool_client(body)?)?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AddCustomAttributes {
    user_pool_id: Option<String>,
    custom_attributes: Option<Vec<SchemaAttributeWire>>,
}

/// **AddCustomAttributes**.
pub fn add_custom_attributes(
    app: &App,
    caller: &Caller,
    body: RequestBody,
) -> Result<Value, Error> {
    let wire: AddCustomAttributes = body.parse()?;
    let attributes: Option<Vec<_>> = wire.custom_attributes.map(|list| {
        list.into_iter()
            .map(SchemaAttributeWire::into_input)
            .collect()
    });
    let input =
        AddCustomAttributesInput::parse(wire.user_pool_id.as_deref(), attributes.as_deref())?;
    app.pools.add_custom_attributes_input(caller, &input)?;
    Ok(json!({}))
}

/// **GetCSVHeader**.
pub fn get_csv_header(app: &App, caller: &Caller, body: RequestBody) -> Result<Value, Error> {
    let input = pool_id(body)?;
    let header = app.pools.get_csv_header_input(caller, &input)?;
    Ok(json!({ "UserPoolId": input.user_pool_id.as_str(), "CSVHeader": header }))
}
