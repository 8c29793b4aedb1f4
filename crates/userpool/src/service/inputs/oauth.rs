//! The inputs of the OAuth record operations (SPEC §21): user-pool domains, resource
//! servers and identity providers. The members' rules are the core's
//! (`userpool_core::oauth`); their violations quote the value, as Cognito's do, and land in
//! the same list as the missing members.

use userpool_core::oauth as rules;
use userpool_core::{Constraint, Result, UserPoolId};
use userpool_store::oauth::ResourceServerScope;

use super::{page_size, parse_with};
use crate::service::IdentityProviderSettings;
use crate::validate::{Validator, accepted};

/// The most identifiers one provider has (`IdpIdentifiers`).
const MAX_IDP_IDENTIFIERS: usize = 50;

/// `ManagedLoginVersion`: 1 or 2 when given.
fn managed_login_version(v: &mut Validator, version: Option<i64>) -> Option<Option<u8>> {
    match version {
        None => Some(None),
        Some(n @ (1 | 2)) => u8::try_from(n).ok().map(Some),
        Some(_) => {
            let range = Constraint::OutOfRange { min: 1, max: 2 };
            v.check("managedLoginVersion", Some(range));
            None
        }
    }
}

/// A required member checked by one of the core's OAuth rules.
fn required_ruled(
    v: &mut Validator,
    field: &'static str,
    value: Option<&str>,
    rule: impl FnOnce(&str) -> Result<()>,
) -> Option<String> {
    v.required(field, value, |v, value| {
        v.take(rule(value)).map(|()| value.to_owned())
    })
}

/// **CreateUserPoolDomain**'s and **UpdateUserPoolDomain**'s members, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserPoolDomainInput {
    /// `UserPoolId`.
    pub user_pool_id: UserPoolId,
    /// `Domain`.
    pub domain: String,
    /// `CustomDomainConfig.CertificateArn`: a custom domain's certificate.
    pub certificate_arn: Option<String>,
    /// `ManagedLoginVersion`: 1 or 2, absent keeping the current (1 on create).
    pub managed_login_version: Option<u8>,
}

impl UserPoolDomainInput {
    /// CreateUserPoolDomain's members: the domain checked as a prefix, or as a custom
    /// domain when a certificate is given.
    ///
    /// # Errors
    /// `InvalidParameterException` listing every violated member, missing ones included
    /// (`userPoolId`, `domain`, `managedLoginVersion`); a prefix with a reserved word
    /// alone.
    pub fn parse_create(
        user_pool_id: Option<&str>,
        domain: Option<&str>,
        certificate_arn: Option<&str>,
        managed_login_version: Option<i64>,
    ) -> Result<Self> {
        let custom = certificate_arn.is_some();
        Self::parse_with_rule(
            user_pool_id,
            domain,
            certificate_arn,
            managed_login_version,
            |domain| rules::validate_domain(domain, custom),
        )
    }

    /// UpdateUserPoolDomain's members: the domain names the pool's own, so only its
    /// presence is checked here.
    ///
    /// # Errors
    /// `InvalidParameterException` listing every violated member, missing ones included
    /// (`userPoolId`, `domain`, `managedLoginVersion`).
    pub fn parse_update(
        user_pool_id: Option<&str>,
        domain: Option<&str>,
        certificate_arn: Option<&str>,
        managed_login_version: Option<i64>,
    ) -> Result<Self> {
        Self::parse_with_rule(
            user_pool_id,
            domain,
            certificate_arn,
            managed_login_version,
            |_| Ok(()),
        )
    }

    fn parse_with_rule(
        user_pool_id: Option<&str>,
        domain: Option<&str>,
        certificate_arn: Option<&str>,
        managed_login_version: Option<i64>,
        rule: impl FnOnce(&str) -> Result<()>,
    ) -> Result<Self> {
        parse_with(
            |v| {
                (
                    v.required_pool_id(user_pool_id),
                    required_ruled(v, "domain", domain, rule),
                    self::managed_login_version(v, managed_login_version),
                )
            },
            |(pool, domain, version)| {
                Ok(UserPoolDomainInput {
                    user_pool_id: accepted(pool)?,
                    domain: accepted(domain)?,
                    certificate_arn: certificate_arn.map(str::to_owned),
                    managed_login_version: accepted(version)?,
                })
            },
        )
    }
}

/// **DeleteUserPoolDomain**'s members: a pool and its domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolDomainInput {
    /// `UserPoolId`.
    pub user_pool_id: UserPoolId,
    /// `Domain`.
    pub domain: String,
}

impl PoolDomainInput {
    /// Validates the members; `None` is a member the request left out.
    ///
    /// # Errors
    /// `InvalidParameterException` listing every violated member, missing ones included
    /// (`userPoolId`, `domain`).
    pub fn parse(user_pool_id: Option<&str>, domain: Option<&str>) -> Result<Self> {
        parse_with(
            |v| {
                (
                    v.required_pool_id(user_pool_id),
                    v.required_text("domain", domain),
                )
            },
            |(pool, domain)| {
                Ok(PoolDomainInput {
                    user_pool_id: accepted(pool)?,
                    domain: accepted(domain)?,
                })
            },
        )
    }
}

/// **DescribeUserPoolDomain**'s member: a domain, of any pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DescribeDomainInput {
    /// `Domain`.
    pub domain: String,
}

impl DescribeDomainInput {
    /// Validates the member (1..=253 characters); `None` is a member the request left out.
    ///
    /// # Errors
    /// `InvalidParameterException` (`domain` missing or out of length).
    pub fn parse(domain: Option<&str>) -> Result<Self> {
        parse_with(
            |v| {
                v.required("domain", domain, |v, domain| {
                    // Cognito's model says 1..=63 (a prefix); a custom domain is longer.
                    let bad = domain.is_empty() || domain.len() > 253;
                    let length =
                        Constraint::Inconsistent("Member must have length between 1 and 63");
                    v.check("domain", bad.then_some(length))
                        .then(|| domain.to_owned())
                })
            },
            |domain| {
                Ok(DescribeDomainInput {
                    domain: accepted(domain)?,
                })
            },
        )
    }
}

/// The members naming one resource server (DescribeResourceServer, DeleteResourceServer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceServerKeyInput {
    /// `UserPoolId`.
    pub user_pool_id: UserPoolId,
    /// `Identifier`.
    pub identifier: String,
}

impl ResourceServerKeyInput {
    /// Validates the members; `None` is a member the request left out.
    ///
    /// # Errors
    /// `InvalidParameterException` listing every violated member, missing ones included
    /// (`userPoolId`, `identifier`).
    pub fn parse(user_pool_id: Option<&str>, identifier: Option<&str>) -> Result<Self> {
        parse_with(
            |v| Self::members(v, user_pool_id, identifier),
            |(pool, identifier)| {
                Ok(ResourceServerKeyInput {
                    user_pool_id: accepted(pool)?,
                    identifier: accepted(identifier)?,
                })
            },
        )
    }
}

/// One `ResourceServerScopeType` as sent: both members required.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScopeMembers<'a> {
    /// `ScopeName`.
    pub scope_name: Option<&'a str>,
    /// `ScopeDescription`.
    pub scope_description: Option<&'a str>,
}

/// **CreateResourceServer**'s and **UpdateResourceServer**'s members, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceServerWriteInput {
    /// The pool and the identifier.
    pub key: ResourceServerKeyInput,
    /// `Name`.
    pub name: String,
    /// `Scopes` (absent meaning none).
    pub scopes: Vec<ResourceServerScope>,
}

impl ResourceServerWriteInput {
    /// Validates the members; `None` is a member the request left out.
    ///
    /// # Errors
    /// `InvalidParameterException` listing every violated member, missing ones included
    /// (`userPoolId`, `identifier`, `name`, `scopes`, `scopes.member.scopeName`,
    /// `scopes.member.scopeDescription`).
    pub fn parse(
        user_pool_id: Option<&str>,
        identifier: Option<&str>,
        name: Option<&str>,
        scopes: &[ScopeMembers<'_>],
    ) -> Result<Self> {
        parse_with(
            |v| {
                let key = ResourceServerKeyInput::members(v, user_pool_id, identifier);
                let name = required_ruled(v, "name", name, rules::validate_resource_server_name);
                let count = (scopes.len() > rules::MAX_RESOURCE_SERVER_SCOPES).then_some(
                    Constraint::TooLong {
                        max: rules::MAX_RESOURCE_SERVER_SCOPES,
                    },
                );
                let mut all = v.check("scopes", count);
                let mut parsed = Vec::with_capacity(scopes.len());
                for scope in scopes {
                    let name = required_ruled(
                        v,
                        "scopes.member.scopeName",
                        scope.scope_name,
                        rules::validate_scope_name,
                    );
                    let description = required_ruled(
                        v,
                        "scopes.member.scopeDescription",
                        scope.scope_description,
                        rules::validate_scope_description,
                    );
                    match (name, description) {
                        (Some(name), Some(description)) => {
                            parsed.push(ResourceServerScope { name, description });
                        }
                        _ => all = false,
                    }
                }
                (key, name, all.then_some(parsed))
            },
            |((pool, identifier), name, scopes)| {
                Ok(ResourceServerWriteInput {
                    key: ResourceServerKeyInput {
                        user_pool_id: accepted(pool)?,
                        identifier: accepted(identifier)?,
                    },
                    name: accepted(name)?,
                    scopes: accepted(scopes)?,
                })
            },
        )
    }
}

impl ResourceServerKeyInput {
    fn members(
        v: &mut Validator,
        user_pool_id: Option<&str>,
        identifier: Option<&str>,
    ) -> (Option<UserPoolId>, Option<String>) {
        (
            v.required_pool_id(user_pool_id),
            required_ruled(
                v,
                "identifier",
                identifier,
                rules::validate_resource_server_identifier,
            ),
        )
    }
}

/// **ListResourceServers**' and **ListIdentityProviders**' members, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListOAuthRecordsInput {
    /// `UserPoolId`.
    pub user_pool_id: UserPoolId,
    /// `MaxResults`: 1..=50 for resource servers, 1..=60 for providers; absent meaning
    /// the most.
    pub max_results: usize,
    /// `NextToken` (checked against the pool and listing when the page is read).
    pub next_token: Option<String>,
}

impl ListOAuthRecordsInput {
    /// ListResourceServers' members (`MaxResults` 1..=50).
    ///
    /// # Errors
    /// `InvalidParameterException` listing every violated member, missing ones included
    /// (`userPoolId`, `maxResults`).
    pub fn parse_resource_servers(
        user_pool_id: Option<&str>,
        max_results: Option<i64>,
        next_token: Option<&str>,
    ) -> Result<Self> {
        Self::parse(user_pool_id, max_results, 50, next_token)
    }

    /// ListIdentityProviders' members (`MaxResults` 1..=60).
    ///
    /// # Errors
    /// `InvalidParameterException` listing every violated member, missing ones included
    /// (`userPoolId`, `maxResults`).
    pub fn parse_identity_providers(
        user_pool_id: Option<&str>,
        max_results: Option<i64>,
        next_token: Option<&str>,
    ) -> Result<Self> {
        Self::parse(user_pool_id, max_results, 60, next_token)
    }

    fn parse(
        user_pool_id: Option<&str>,
        max_results: Option<i64>,
        max: usize,
        next_token: Option<&str>,
    ) -> Result<Self> {
        parse_with(
            |v| {
                (
                    v.required_pool_id(user_pool_id),
                    page_size(v, max_results, max),
                )
            },
            |(pool, size)| {
                Ok(ListOAuthRecordsInput {
                    user_pool_id: accepted(pool)?,
                    max_results: accepted(size)?,
                    next_token: next_token.map(str::to_owned),
                })
            },
        )
    }
}

/// The members naming one identity provider (DescribeIdentityProvider,
/// DeleteIdentityProvider): the name is only looked up, so only its presence is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityProviderKeyInput {
    /// `UserPoolId`.
    pub user_pool_id: UserPoolId,
    /// `ProviderName`.
    pub provider_name: String,
}

impl IdentityProviderKeyInput {
    /// Validates the members; `None` is a member the request left out.
    ///
    /// # Errors
    /// `InvalidParameterException` listing every violated member, missing ones included
    /// (`userPoolId`, `providerName`).
    pub fn parse(user_pool_id: Option<&str>, provider_name: Option<&str>) -> Result<Self> {
        parse_with(
            |v| {
                (
                    v.required_pool_id(user_pool_id),
                    v.required_text("providerName", provider_name),
                )
            },
            |(pool, name)| {
                Ok(IdentityProviderKeyInput {
                    user_pool_id: accepted(pool)?,
                    provider_name: accepted(name)?,
                })
            },
        )
    }
}

/// **GetIdentityProviderByIdentifier**'s members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdpIdentifierInput {
    /// `UserPoolId`.
    pub user_pool_id: UserPoolId,
    /// `IdpIdentifier`.
    pub idp_identifier: String,
}

impl IdpIdentifierInput {
    /// Validates the members; `None` is a member the request left out.
    ///
    /// # Errors
    /// `InvalidParameterException` listing every violated member, missing ones included
    /// (`userPoolId`, `idpIdentifier`).
    pub fn parse(user_pool_id: Option<&str>, idp_identifier: Option<&str>) -> Result<Self> {
        parse_with(
            |v| {
                (
                    v.required_pool_id(user_pool_id),
                    v.required_text("idpIdentifier", idp_identifier),
                )
            },
            |(pool, identifier)| {
                Ok(IdpIdentifierInput {
                    user_pool_id: accepted(pool)?,
                    idp_identifier: accepted(identifier)?,
                })
            },
        )
    }
}

/// The settings' own rules: details and mapping entries, identifiers' count and pattern.
fn settings_rules(settings: &IdentityProviderSettings) -> Result<()> {
    let invalid = |message: &str| userpool_core::Error::InvalidParameterMessage(message.into());
    let text_ok = |s: &str| !s.is_empty() && s.chars().count() <= 131_072;
    if let Some(details) = &settings.provider_details
        && details
            .iter()
            .any(|(k, v)| k.is_empty() || !text_ok(v) && !v.is_empty())
    {
        return Err(invalid("Invalid ProviderDetails."));
    }
    if let Some(mapping) = &settings.attribute_mapping
        && mapping.iter().any(|(k, v)| {
            k.is_empty() || k.chars().count() > 32 || v.is_empty() || v.chars().count() > 131_072
        })
    {
        return Err(invalid("Invalid AttributeMapping."));
    }
    Ok(())
}

/// `IdpIdentifiers`: at most 50, each 1..=40 characters without whitespace.
fn check_identifiers(v: &mut Validator, settings: &IdentityProviderSettings) -> bool {
    let Some(ids) = &settings.idp_identifiers else {
        return true;
    };
    let count = (ids.len() > MAX_IDP_IDENTIFIERS).then_some(Constraint::TooLong {
        max: MAX_IDP_IDENTIFIERS,
    });
    if !v.check("idpIdentifiers", count) {
        return false;
    }
    let bad = ids
        .iter()
        .any(|i| i.is_empty() || i.chars().count() > 40 || i.chars().any(char::is_whitespace));
    v.check(
        "idpIdentifiers",
        bad.then_some(Constraint::Pattern("[\\w\\s+=.@-]+")),
    )
}

/// Checks the settings in the order Cognito reports them: details, mapping, identifiers.
fn check_settings(v: &mut Validator, settings: &IdentityProviderSettings) -> bool {
    v.take(settings_rules(settings)).is_some() && check_identifiers(v, settings)
}

/// **CreateIdentityProvider**'s members, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateIdentityProviderInput {
    /// `UserPoolId`.
    pub user_pool_id: UserPoolId,
    /// `ProviderName`.
    pub provider_name: String,
    /// `ProviderType`.
    pub provider_type: String,
    /// `ProviderDetails` (required), `AttributeMapping`, `IdpIdentifiers`.
    pub settings: IdentityProviderSettings,
}

impl CreateIdentityProviderInput {
    /// Validates the members; `None` is a member the request left out (`ProviderDetails`
    /// is required: `settings.provider_details` `None` is reported missing).
    ///
    /// # Errors
    /// `InvalidParameterException` listing every violated member, missing ones included
    /// (`userPoolId`, `providerName`, `providerType`, `providerDetails`,
    /// `idpIdentifiers`); `Invalid ProviderDetails.` / `Invalid AttributeMapping.` alone.
    pub fn parse(
        user_pool_id: Option<&str>,
        provider_name: Option<&str>,
        provider_type: Option<&str>,
        settings: IdentityProviderSettings,
    ) -> Result<Self> {
        parse_with(
            move |v| {
                let pool = v.required_pool_id(user_pool_id);
                let name = required_ruled(
                    v,
                    "providerName",
                    provider_name,
                    rules::validate_provider_name,
                );
                let kind = required_ruled(
                    v,
                    "providerType",
                    provider_type,
                    rules::validate_provider_type,
                );
                v.present("providerDetails", settings.provider_details.as_ref());
                let ok = check_settings(v, &settings);
                (pool, name, kind, ok.then_some(settings))
            },
            |(pool, name, kind, settings)| {
                Ok(CreateIdentityProviderInput {
                    user_pool_id: accepted(pool)?,
                    provider_name: accepted(name)?,
                    provider_type: accepted(kind)?,
                    settings: accepted(settings)?,
                })
            },
        )
    }
}

/// **UpdateIdentityProvider**'s members, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateIdentityProviderInput {
    /// The pool and the provider.
    pub key: IdentityProviderKeyInput,
    /// The members given, replacing theirs.
    pub settings: IdentityProviderSettings,
}

impl UpdateIdentityProviderInput {
    /// Validates the members; `None` is a member the request left out.
    ///
    /// # Errors
    /// `InvalidParameterException` listing every violated member, missing ones included
    /// (`userPoolId`, `providerName`, `idpIdentifiers`); `Invalid ProviderDetails.` /
    /// `Invalid AttributeMapping.` alone.
    pub fn parse(
        user_pool_id: Option<&str>,
        provider_name: Option<&str>,
        settings: IdentityProviderSettings,
    ) -> Result<Self> {
        parse_with(
            move |v| {
                let pool = v.required_pool_id(user_pool_id);
                let name = v.required_text("providerName", provider_name);
                let ok = check_settings(v, &settings);
                (pool, name, ok.then_some(settings))
            },
            |(pool, name, settings)| {
                Ok(UpdateIdentityProviderInput {
                    key: IdentityProviderKeyInput {
                        user_pool_id: accepted(pool)?,
                        provider_name: accepted(name)?,
                    },
                    settings: accepted(settings)?,
                })
            },
        )
    }
}
