//! OAuth record operations (SPEC §21): CreateUserPoolDomain, DescribeUserPoolDomain,
//! UpdateUserPoolDomain, DeleteUserPoolDomain, Create/Describe/List/Update/
//! DeleteResourceServer, Create/Describe/List/Update/DeleteIdentityProvider,
//! GetIdentityProviderByIdentifier, AdminLinkProviderForUser, AdminDisableProviderForUser.
//! Every decision is the service's; this module reads
//! the members and writes Cognito's shapes.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};
use userpool::inputs::{
    CreateIdentityProviderInput, DescribeDomainInput, DisableProviderForUserInput,
    IdentityProviderKeyInput, IdpIdentifierInput, LinkProviderForUserInput, ListOAuthRecordsInput,
    PoolDomainInput, ResourceServerKeyInput, ResourceServerWriteInput, ScopeMembers,
    UpdateIdentityProviderInput, UserPoolDomainInput,
};
use userpool::oauth::{DomainRecord, IdentityProviderRecord, ResourceServerRecord};
use userpool::{Caller, IdentityProviderSettings};

use super::shapes::{self, ACCOUNT_ID};
use crate::App;
use crate::error::Error;
use crate::wire::RequestBody;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CustomDomainConfig {
    certificate_arn: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DomainInput {
    user_pool_id: Option<String>,
    domain: Option<String>,
    custom_domain_config: Option<CustomDomainConfig>,
    managed_login_version: Option<i64>,
}

/// `DomainDescriptionType`.
fn domain_description(domain: &DomainRecord) -> Value {
    let mut out = json!({
        "UserPoolId": domain.pool_id.as_str(),
        "AWSAccountId": ACCOUNT_ID,
        "Domain": domain.domain,
        "S3Bucket": "",
        "CloudFrontDistribution": "",
        "Version": domain.version.to_string(),
        "Status": "ACTIVE",
        "ManagedLoginVersion": domain.managed_login_version,
    });
    if let Some(arn) = &domain.certificate_arn {
        out["CustomDomainConfig"] = json!({ "CertificateArn": arn });
    }
    out
}

fn certificate(input: &DomainInput) -> Option<&str> {
    input
        .custom_domain_config
        .as_ref()
        .and_then(|c| c.certificate_arn.as_deref())
}

/// **CreateUserPoolDomain**: `{"CloudFrontDomain"?, "ManagedLoginVersion"}`.
pub fn create_user_pool_domain(
    app: &App,
    caller: &Caller,
    body: RequestBody,
) -> Result<Value, Error> {
    let wire: DomainInput = body.parse()?;
    let input = UserPoolDomainInput::parse_create(
        wire.user_pool_id.as_deref(),
        wire.domain.as_deref(),
        certificate(&wire),
        wire.managed_login_version,
    )?;
    let created = app.pools.create_user_pool_domain_input(caller, &input)?;
    Ok(domain_output(&created))
}

/// What CreateUserPoolDomain and UpdateUserPoolDomain answer: the managed-login version,
/// and `CloudFrontDomain` for a custom domain (one with a certificate).
fn domain_output(domain: &DomainRecord) -> Value {
    let mut out = json!({ "ManagedLoginVersion": domain.managed_login_version });
    if domain.certificate_arn.is_some() {
        out["CloudFrontDomain"] = json!(domain.domain);
    }
    out
}

/// **DescribeUserPoolDomain**: `{"DomainDescription": DomainDescriptionType}`, empty for
/// an unknown domain.
pub fn describe_user_pool_domain(
    app: &App,
    caller: &Caller,
    body: RequestBody,
) -> Result<Value, Error> {
    let wire: DomainInput = body.parse()?;
    let input = DescribeDomainInput::parse(wire.domain.as_deref())?;
    let found = app.pools.describe_user_pool_domain_input(caller, &input)?;
    Ok(json!({ "DomainDescription": found.as_ref().map_or_else(|| json!({}), domain_description) }))
}

/// **UpdateUserPoolDomain**: `{"CloudFrontDomain"?, "ManagedLoginVersion"}`.
pub fn update_user_pool_domain(
    app: &App,
    caller: &Caller,
    body: RequestBody,
) -> Result<Value, Error> {
    let wire: DomainInput = body.parse()?;
    let input = UserPoolDomainInput::parse_update(
        wire.user_pool_id.as_deref(),
        wire.domain.as_deref(),
        certificate(&wire),
        wire.managed_login_version,
    )?;
    let updated = app.pools.update_user_pool_domain_input(caller, &input)?;
    Ok(domain_output(&updated))
}

/// **DeleteUserPoolDomain**: `{}`.
pub fn delete_user_pool_domain(
    app: &App,
    caller: &Caller,
    body: RequestBody,
) -> Result<Value, Error> {
    let wire: DomainInput = body.parse()?;
    let input = PoolDomainInput::parse(wire.user_pool_id.as_deref(), wire.domain.as_deref())?;
    app.pools.delete_user_pool_domain_input(caller, &input)?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ScopeInput {
    scope_name: Option<String>,
    scope_description: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ResourceServerInput {
    user_pool_id: Option<String>,
    identifier: Option<String>,
    name: Option<String>,
    scopes: Option<Vec<ScopeInput>>,
    max_results: Option<i64>,
    next_token: Option<String>,
}

impl ResourceServerInput {
    /// Pool and identifier, when they are the only members (Describe, Delete).
    fn key(&self) -> Result<ResourceServerKeyInput, Error> {
        Ok(ResourceServerKeyInput::parse(
            self.user_pool_id.as_deref(),
            self.identifier.as_deref(),
        )?)
    }

    /// Every member (Create, Update).
    fn members(&self) -> Result<ResourceServerWriteInput, Error> {
        let scopes: Vec<ScopeMembers<'_>> = self
            .scopes
            .iter()
            .flatten()
            .map(|s| ScopeMembers {
                scope_name: s.scope_name.as_deref(),
                scope_description: s.scope_description.as_deref(),
            })
            .collect();
        Ok(ResourceServerWriteInput::parse(
            self.user_pool_id.as_deref(),
            self.identifier.as_deref(),
            self.name.as_deref(),
            &scopes,
        )?)
    }
}

/// `ResourceServerType`.
fn resource_server_type(server: &ResourceServerRecord) -> Value {
    json!({
        "UserPoolId": server.pool_id.as_str(),
        "Identifier": server.identifier,
        "Name": server.name,
        "Scopes": server.scopes.iter().map(|s| json!({
            "ScopeName": s.name,
            "ScopeDescription": s.description,
        })).collect::<Vec<_>>(),
    })
}

/// `{member: [items], "NextToken"?}`: the page of a List operation.
fn page(member: &str, items: Vec<Value>, next_token: Option<String>) -> Value {
    let mut out = json!({ member: items });
    if let Some(token) = next_token {
        out["NextToken"] = json!(token);
    }
    out
}

/// `{"ResourceServer": ResourceServerType}`: what Create, Describe and Update answer.
fn resource_server_output(server: &ResourceServerRecord) -> Value {
    json!({ "ResourceServer": resource_server_type(server) })
}

/// **CreateResourceServer**: `{"ResourceServer": ResourceServerType}`.
pub fn create_resource_server(
    app: &App,
    caller: &Caller,
    body: RequestBody,
) -> Result<Value, Error> {
    let input = body.parse::<ResourceServerInput>()?.members()?;
    let server = app.pools.create_resource_server_input(caller, &input)?;
    Ok(resource_server_output(&server))
}

/// **DescribeResourceServer**: `{"ResourceServer": ResourceServerType}`.
pub fn describe_resource_server(
    app: &App,
    caller: &Caller,
    body: RequestBody,
) -> Result<Value, Error> {
    let input = body.parse::<ResourceServerInput>()?.key()?;
    let server = app.pools.describe_resource_server_input(caller, &input)?;
    Ok(resource_server_output(&server))
}

/// **ListResourceServers**: `{"ResourceServers": [ResourceServerType], "NextToken"?}`.
pub fn list_resource_servers(
    app: &App,
    caller: &Caller,
    body: RequestBody,
) -> Result<Value, Error> {
    let wire: ResourceServerInput = body.parse()?;
    let input = ListOAuthRecordsInput::parse_resource_servers(
        wire.user_pool_id.as_deref(),
        wire.max_results,
        wire.next_token.as_deref(),
    )?;
    let page_read = app.pools.list_resource_servers_input(caller, &input)?;
    Ok(page(
        "ResourceServers",
        page_read
            .resource_servers
            .iter()
            .map(resource_server_type)
            .collect(),
        page_read.next_token,
    ))
}

/// **UpdateResourceServer**: `{"ResourceServer": ResourceServerType}`.
pub fn update_resource_server(
    app: &App,
    caller: &Caller,
    body: RequestBody,
) -> Result<Value, Error> {
    let input = body.parse::<ResourceServerInput>()?.members()?;
    let server = app.pools.update_resource_server_input(caller, &input)?;
    Ok(resource_server_output(&server))
}

/// **DeleteResourceServer**: `{}`.
pub fn delete_resource_server(
    app: &App,
    caller: &Caller,
    body: RequestBody,
) -> Result<Value, Error> {
    let input = body.parse::<ResourceServerInput>()?.key()?;
    app.pools.delete_resource_server_input(caller, &input)?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ProviderInput {
    user_pool_id: Option<String>,
    provider_name: Option<String>,
    provider_type: Option<String>,
    provider_details: Option<BTreeMap<String, String>>,
    attribute_mapping: Option<BTreeMap<String, String>>,
    idp_identifiers: Option<Vec<String>>,
    idp_identifier: Option<String>,
    max_results: Option<i64>,
    next_token: Option<String>,
}

impl ProviderInput {
    /// Pool and provider name, when they are the only members (Describe, Delete).
    fn key(&self) -> Result<IdentityProviderKeyInput, Error> {
        Ok(IdentityProviderKeyInput::parse(
            self.user_pool_id.as_deref(),
            self.provider_name.as_deref(),
        )?)
    }

    fn settings(&self) -> IdentityProviderSettings {
        IdentityProviderSettings {
            provider_details: self.provider_details.clone(),
            attribute_mapping: self.attribute_mapping.clone(),
            idp_identifiers: self.idp_identifiers.clone(),
        }
    }
}

/// `IdentityProviderType`. The client secret is shown, as Cognito's Describe does; Sign in
/// with Apple's `private_key` is not (Cognito's Describe leaves it out).
fn identity_provider_type(provider: &IdentityProviderRecord) -> Value {
    let details: BTreeMap<&str, &str> = provider
        .provider_details
        .iter()
        .filter(|(k, _)| *k != userpool_store::oauth::PROVIDER_PRIVATE_KEY_DETAIL)
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    json!({
        "UserPoolId": provider.pool_id.as_str(),
        "ProviderName": provider.provider_name,
        "ProviderType": provider.provider_type,
        "ProviderDetails": details,
        "AttributeMapping": provider.attribute_mapping,
        "IdpIdentifiers": provider.idp_identifiers,
        "LastModifiedDate": shapes::epoch(provider.modified_at),
        "CreationDate": shapes::epoch(provider.created_at),
    })
}

/// `{"IdentityProvider": IdentityProviderType}`: what every single-provider operation
/// but Delete answers.
fn identity_provider_output(provider: &IdentityProviderRecord) -> Value {
    json!({ "IdentityProvider": identity_provider_type(provider) })
}

/// **CreateIdentityProvider**: `{"IdentityProvider": IdentityProviderType}`.
pub fn create_identity_provider(
    app: &App,
    caller: &Caller,
    body: RequestBody,
) -> Result<Value, Error> {
    let wire: ProviderInput = body.parse()?;
    let input = CreateIdentityProviderInput::parse(
        wire.user_pool_id.as_deref(),
        wire.provider_name.as_deref(),
        wire.provider_type.as_deref(),
        wire.settings(),
    )?;
    let provider = app.pools.create_identity_provider_input(caller, &input)?;
    Ok(identity_provider_output(&provider))
}

/// **DescribeIdentityProvider**: `{"IdentityProvider": IdentityProviderType}`.
pub fn describe_identity_provider(
    app: &App,
    caller: &Caller,
    body: RequestBody,
) -> Result<Value, Error> {
    let input = body.parse::<ProviderInput>()?.key()?;
    let provider = app.pools.describe_identity_provider_input(caller, &input)?;
    Ok(identity_provider_output(&provider))
}

/// **GetIdentityProviderByIdentifier**: `{"IdentityProvider": IdentityProviderType}`.
pub fn get_identity_provider_by_identifier(
    app: &App,
    caller: &Caller,
    body: RequestBody,
) -> Result<Value, Error> {
    let wire: ProviderInput = body.parse()?;
    let input =
        IdpIdentifierInput::parse(wire.user_pool_id.as_deref(), wire.idp_identifier.as_deref())?;
    let provider = app
        .pools
        .get_identity_provider_by_identifier_input(caller, &input)?;
    Ok(identity_provider_output(&provider))
}

/// **ListIdentityProviders**: `{"Providers": [ProviderDescription], "NextToken"?}`.
pub fn list_identity_providers(
    app: &App,
    caller: &Caller,
    body: RequestBody,
) -> Result<Value, Error> {
    let wire: ProviderInput = body.parse()?;
    let input = ListOAuthRecordsInput::parse_identity_providers(
        wire.user_pool_id.as_deref(),
        wire.max_results,
        wire.next_token.as_deref(),
    )?;
    let page_read = app.pools.list_identity_providers_input(caller, &input)?;
    let providers = page_read.providers.iter().map(|p| {
        json!({
            "ProviderName": p.provider_name,
            "ProviderType": p.provider_type,
            "LastModifiedDate": shapes::epoch(p.modified_at),
            "CreationDate": shapes::epoch(p.created_at),
        })
    });
    Ok(page("Providers", providers.collect(), page_read.next_token))
}

/// **UpdateIdentityProvider**: `{"IdentityProvider": IdentityProviderType}`.
pub fn update_identity_provider(
    app: &App,
    caller: &Caller,
    body: RequestBody,
) -> Result<Value, Error> {
    let wire: ProviderInput = body.parse()?;
    let input = UpdateIdentityProviderInput::parse(
        wire.user_pool_id.as_deref(),
        wire.provider_name.as_deref(),
        wire.settings(),
    )?;
    let provider = app.pools.update_identity_provider_input(caller, &input)?;
    Ok(identity_provider_output(&provider))
}

/// **DeleteIdentityProvider**: `{}`.
pub fn delete_identity_provider(
    app: &App,
    caller: &Caller,
    body: RequestBody,
) -> Result<Value, Error> {
    let input = body.parse::<ProviderInput>()?.key()?;
    app.pools.delete_identity_provider_input(caller, &input)?;
    Ok(json!({}))
}

/// `ProviderUserIdentifierType`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ProviderUserInput {
    provider_name: Option<String>,
    provider_attribute_name: Option<String>,
    provider_attribute_value: Option<String>,
}

impl ProviderUserInput {
    fn as_provider_user(&self) -> userpool::ProviderUser<'_> {
        userpool::ProviderUser {
            provider_name: self.provider_name.as_deref(),
            provider_attribute_name: self.provider_attribute_name.as_deref(),
            provider_attribute_value: self.provider_attribute_value.as_deref(),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct LinkInput {
    user_pool_id: Option<String>,
    destination_user: Option<ProviderUserInput>,
    source_user: Option<ProviderUserInput>,
}

/// **AdminLinkProviderForUser** (SPEC §21): `{}`.
pub fn admin_link_provider_for_user(
    app: &App,
    caller: &Caller,
    body: RequestBody,
) -> Result<Value, Error> {
    let wire: LinkInput = body.parse()?;
    let destination = wire.destination_user.as_ref().map(|u| u.as_provider_user());
    let source = wire.source_user.as_ref().map(|u| u.as_provider_user());
    let input = LinkProviderForUserInput::parse(
        wire.user_pool_id.as_deref(),
        destination.as_ref(),
        source.as_ref(),
    )?;
    app.pools
        .admin_link_provider_for_user_input(caller, &input)?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DisableProviderInput {
    user_pool_id: Option<String>,
    user: Option<ProviderUserInput>,
}

/// **AdminDisableProviderForUser** (SPEC §21): `{}`.
pub fn admin_disable_provider_for_user(
    app: &App,
    caller: &Caller,
    body: RequestBody,
) -> Result<Value, Error> {
    let wire: DisableProviderInput = body.parse()?;
    let user = wire.user.as_ref().map(|u| u.as_provider_user());
    let input = DisableProviderForUserInput::parse(wire.user_pool_id.as_deref(), user.as_ref())?;
    app.pools
        .admin_disable_provider_for_user_input(caller, &input)?;
    Ok(json!({}))
}
