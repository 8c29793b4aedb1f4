//! OAuth 2.0 records (SPEC §21): user-pool domains, resource servers and identity
//! providers, their management operations, and the checks of an app client's OAuth
//! settings.
//!
//! Each operation validates its members (with `userpool_core::oauth`), asks the host's
//! authoriser for its Cognito action name and takes one request from the pool's rate
//! limit (SPEC §7): reads count as `UserRead`, writes as `UserUpdate` (Cognito's own
//! categories for these records are not modelled, as for groups).
//!
//! List tokens are opaque to clients: hex of `<listing>:<pool>:<last key>`, resuming after
//! that key, refused for another pool or listing.

use std::collections::BTreeMap;

use userpool_core::oauth::{self as rules, OAuthFlow};
use userpool_core::{Error, Result, UserPoolId};

use super::UserPools;
use super::inputs::{
    CreateIdentityProviderInput, DescribeDomainInput, IdentityProviderKeyInput, IdpIdentifierInput,
    ListOAuthRecordsInput, PoolDomainInput, ResourceServerKeyInput, ResourceServerWriteInput,
    ScopeMembers, UpdateIdentityProviderInput, UserPoolDomainInput,
};
use super::paging::truncate_to_page;
use crate::authorize::Caller;
use crate::ratelimit::Category;
use userpool_store::oauth::{
    ClientOAuth, DomainRecord, IdentityProviderRecord, PROVIDER_PRIVATE_KEY_DETAIL,
    ResourceServerRecord, ResourceServerScope,
};
use userpool_store::store::{Store, StoreError};

/// One page of `ListResourceServers`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceServerPage {
    /// The resource servers, by identifier.
    pub resource_servers: Vec<ResourceServerRecord>,
    /// Pass it back for the next page; `None` on the last.
    pub next_token: Option<String>,
}

/// One page of `ListIdentityProviders`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityProviderPage {
    /// The providers, by name.
    pub providers: Vec<IdentityProviderRecord>,
    /// Pass it back for the next page; `None` on the last.
    pub next_token: Option<String>,
}

/// The members of CreateIdentityProvider and UpdateIdentityProvider (in an update, an
/// absent member keeps its value). `Debug` redacts the secret details (`client_secret`,
/// `private_key`), as [`IdentityProviderRecord`]'s does.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct IdentityProviderSettings {
    /// `ProviderDetails`.
    pub provider_details: Option<BTreeMap<String, String>>,
    /// `AttributeMapping`.
    pub attribute_mapping: Option<BTreeMap<String, String>>,
    /// `IdpIdentifiers`.
    pub idp_identifiers: Option<Vec<String>>,
}

impl std::fmt::Debug for IdentityProviderSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use userpool_store::oauth::{PROVIDER_PRIVATE_KEY_DETAIL, PROVIDER_SECRET_DETAIL};
        let details: Option<BTreeMap<&str, &str>> = self.provider_details.as_ref().map(|d| {
            d.iter()
                .map(|(k, v)| {
                    let secret = k == PROVIDER_SECRET_DETAIL || k == PROVIDER_PRIVATE_KEY_DETAIL;
                    (k.as_str(), if secret { "<redacted>" } else { v.as_str() })
                })
                .collect()
        });
        f.debug_struct("IdentityProviderSettings")
            .field("provider_details", &details)
            .field("attribute_mapping", &self.attribute_mapping)
            .field("idp_identifiers", &self.idp_identifiers)
            .finish()
    }
}

fn invalid(message: impl Into<String>) -> Error {
    Error::InvalidParameterMessage(message.into())
}

fn not_found(message: impl Into<String>) -> Error {
    Error::ResourceNotFound(message.into())
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

fn page_token(listing: &str, pool: &UserPoolId, last: &str) -> String {
    hex(format!("{listing}:{}:{last}", pool.as_str()).as_bytes())
}

/// The key a page token resumes after.
fn resume_after(listing: &str, pool: &UserPoolId, token: Option<&str>) -> Result<Option<String>> {
    let Some(token) = token else {
        return Ok(None);
    };
    let text = unhex(token).and_then(|b| String::from_utf8(b).ok());
    let prefix = format!("{listing}:{}:", pool.as_str());
    text.and_then(|t| t.strip_prefix(&prefix).map(str::to_owned))
        .map(Some)
        .ok_or_else(|| invalid("Invalid NextToken."))
}

/// A domain that is not the pool's: Cognito words it as a bad parameter.
fn no_domain() -> Error {
    invalid("User pool domain does not exist.")
}

fn no_resource_server(identifier: &str) -> Error {
    not_found(format!("Resource server {identifier} does not exist."))
}

fn no_provider(provider_name: &str) -> Error {
    not_found(format!("Identity provider {provider_name} does not exist."))
}

/// The refusal of a provider identifier another provider of the pool already has.
fn identifier_in_use() -> Error {
    Error::DuplicateProvider(
        "An identifier of this provider is already used by another provider of this user pool."
            .into(),
    )
}

/// A store error on one OAuth record as Cognito's: `NotFound` as `missing` (each kind of
/// record words it its own way), a provider identifier in use as
/// `DuplicateProviderException`, the rest as any store error.
fn record_error(error: StoreError, missing: impl FnOnce() -> Error) -> Error {
    match error {
        StoreError::NotFound => missing(),
        StoreError::IdpIdentifierExists => identifier_in_use(),
        e => e.into(),
    }
}

/// The first `limit` of `records` (read one past the page) and, when there were more, the
/// token resuming after the last of them.
fn page_of<R>(
    mut records: Vec<R>,
    limit: usize,
    token_after: impl Fn(&R) -> String,
) -> (Vec<R>, Option<String>) {
    let next_token = truncate_to_page(&mut records, limit).map(token_after);
    (records, next_token)
}

impl<S: Store + ?Sized> UserPools<S> {
    /// Reads an OAuth record (`read`; absent is `missing`, which also words a record deleted
    /// in between) and writes `change` of it, re-reading on a version conflict; returns what
    /// was written with the version the store issued.
    fn update_oauth_record<R>(
        &self,
        read: impl Fn() -> std::result::Result<Option<R>, StoreError>,
        change: impl Fn(R) -> R,
        write: impl Fn(&S, &R) -> std::result::Result<u64, StoreError>,
        missing: impl Fn() -> Error,
    ) -> Result<(R, u64)> {
        for attempt in 0..self.max_attempts {
            if attempt > 0 {
                self.back_off(attempt);
            }
            let record = change(read()?.ok_or_else(&missing)?);
            match write(&self.store, &record) {
                Ok(version) => return Ok((record, version)),
                Err(StoreError::Conflict { .. }) => {}
                Err(e) => return Err(record_error(e, &missing)),
            }
        }
        Err(userpool_core::Internal::ContentionRetriesExhausted.into())
    }

    /// The prelude of an OAuth record read: the authoriser asked for `action`, one
    /// `UserRead` from the pool's rate limit, the pool required to exist.
    fn oauth_read(&self, caller: &Caller, action: &str, id: &UserPoolId) -> Result<UserPoolId> {
        self.admin(caller, action, Category::UserRead, id)?;
        Ok(id.clone())
    }

    /// As [`Self::oauth_read`] for a write, counted as `UserUpdate`.
    fn oauth_write(&self, caller: &Caller, action: &str, id: &UserPoolId) -> Result<UserPoolId> {
        self.admin(caller, action, Category::UserUpdate, id)?;
        Ok(id.clone())
    }

    /// One page of a listing (`listing` names it in its tokens): the authoriser asked for
    /// `action`, one `UserRead`, then `limit` records after the token's key (`key` gives a
    /// record's) and the token resuming after the last of them when there are more.
    fn oauth_page<R>(
        &self,
        caller: &Caller,
        action: &str,
        listing: &str,
        input: &ListOAuthRecordsInput,
        list: impl Fn(&S, Option<&str>, usize) -> std::result::Result<Vec<R>, StoreError>,
        key: impl Fn(&R) -> &str,
    ) -> Result<(Vec<R>, Option<String>)> {
        let (id, limit) = (&input.user_pool_id, input.max_results);
        let after = resume_after(listing, id, input.next_token.as_deref())?;
        self.admin(caller, action, Category::UserRead, id)?;
        let records = list(&self.store, after.as_deref(), limit + 1)?;
        Ok(page_of(records, limit, |r| page_token(listing, id, key(r))))
    }

    // ---- domains -----------------------------------------------------------------------

    /// **CreateUserPoolDomain** (SPEC §21): a prefix domain, or a custom one with a
    /// certificate ARN.
    ///
    /// # Errors
    /// `InvalidParameterException` (a bad domain; `Domain already exists.`; `User pool
    /// already has a domain configured.`), `NotAuthorizedException`,
    /// `TooManyRequestsException`, `ResourceNotFoundException`, `InternalErrorException`.
    pub fn create_user_pool_domain(
        &self,
        caller: &Caller,
        pool_id: &str,
        domain: &str,
        certificate_arn: Option<&str>,
        managed_login_version: Option<i64>,
    ) -> Result<DomainRecord> {
        let input = UserPoolDomainInput::parse_create(
            Some(pool_id),
            Some(domain),
            certificate_arn,
            managed_login_version,
        )?;
        self.create_user_pool_domain_input(caller, &input)
    }

    /// **CreateUserPoolDomain** from an input validated once by
    /// [`UserPoolDomainInput::parse_create`].
    ///
    /// # Errors
    /// As [`UserPools::create_user_pool_domain`].
    pub fn create_user_pool_domain_input(
        &self,
        caller: &Caller,
        input: &UserPoolDomainInput,
    ) -> Result<DomainRecord> {
        let id = self.oauth_write(caller, "CreateUserPoolDomain", &input.user_pool_id)?;
        let record = DomainRecord {
            pool_id: id,
            domain: input.domain.clone(),
            certificate_arn: input.certificate_arn.clone(),
            managed_login_version: input.managed_login_version.unwrap_or(1),
            created_at: self.clock.now(),
            version: 0,
        };
        let version = self.store.create_domain(&record)?;
        Ok(DomainRecord { version, ..record })
    }

    /// **DescribeUserPoolDomain** (SPEC §21): `None` for an unknown domain (Cognito answers
    /// an empty description).
    ///
    /// # Errors
    /// `InvalidParameterException`, `NotAuthorizedException`, `InternalErrorException`.
    pub fn describe_user_pool_domain(
        &self,
        caller: &Caller,
        domain: &str,
    ) -> Result<Option<DomainRecord>> {
        let input = DescribeDomainInput::parse(Some(domain))?;
        self.describe_user_pool_domain_input(caller, &input)
    }

    /// **DescribeUserPoolDomain** from an input validated once by
    /// [`DescribeDomainInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::describe_user_pool_domain`].
    pub fn describe_user_pool_domain_input(
        &self,
        caller: &Caller,
        input: &DescribeDomainInput,
    ) -> Result<Option<DomainRecord>> {
        let found = self.store.get_domain(&input.domain)?;
        if let Some(found) = &found {
            self.authorize(caller, "DescribeUserPoolDomain", &found.pool_id)?;
        }
        Ok(found)
    }

    /// The domain of a pool, if it has one (DescribeUserPool's `Domain`).
    ///
    /// # Errors
    /// `ResourceNotFoundException`, `InternalErrorException`.
    pub fn domain_of_pool(&self, pool: &UserPoolId) -> Result<Option<DomainRecord>> {
        Ok(self.store.domain_of_pool(pool)?)
    }

    /// **UpdateUserPoolDomain** (SPEC §21): the certificate and managed-login version.
    ///
    /// # Errors
    /// `InvalidParameterException` (also for a domain that is not the pool's),
    /// `NotAuthorizedException`, `TooManyRequestsException`, `ResourceNotFoundException`,
    /// `InternalErrorException`.
    pub fn update_user_pool_domain(
        &self,
        caller: &Caller,
        pool_id: &str,
        domain: &str,
        certificate_arn: Option<&str>,
        managed_login_version: Option<i64>,
    ) -> Result<DomainRecord> {
        let input = UserPoolDomainInput::parse_update(
            Some(pool_id),
            Some(domain),
            certificate_arn,
            managed_login_version,
        )?;
        self.update_user_pool_domain_input(caller, &input)
    }

    /// **UpdateUserPoolDomain** from an input validated once by
    /// [`UserPoolDomainInput::parse_update`].
    ///
    /// # Errors
    /// As [`UserPools::update_user_pool_domain`].
    pub fn update_user_pool_domain_input(
        &self,
        caller: &Caller,
        input: &UserPoolDomainInput,
    ) -> Result<DomainRecord> {
        let (domain, version) = (&input.domain, input.managed_login_version);
        let certificate_arn = input.certificate_arn.as_deref();
        let id = self.oauth_write(caller, "UpdateUserPoolDomain", &input.user_pool_id)?;
        let (next, version) = self.update_oauth_record(
            || {
                Ok(self
                    .store
                    .domain_of_pool(&id)?
                    .filter(|d| &d.domain == domain))
            },
            |current| DomainRecord {
                certificate_arn: certificate_arn
                    .map(str::to_owned)
                    .or(current.certificate_arn.clone()),
                managed_login_version: version.unwrap_or(current.managed_login_version),
                ..current
            },
            |store, next| store.update_domain(next),
            no_domain,
        )?;
        Ok(DomainRecord { version, ..next })
    }

    /// **DeleteUserPoolDomain** (SPEC §21).
    ///
    /// # Errors
    /// `InvalidParameterException` (a domain that is not the pool's),
    /// `NotAuthorizedException`, `TooManyRequestsException`, `ResourceNotFoundException`,
    /// `InternalErrorException`.
    pub fn delete_user_pool_domain(
        &self,
        caller: &Caller,
        pool_id: &str,
        domain: &str,
    ) -> Result<()> {
        let input = PoolDomainInput::parse(Some(pool_id), Some(domain))?;
        self.delete_user_pool_domain_input(caller, &input)
    }

    /// **DeleteUserPoolDomain** from an input validated once by
    /// [`PoolDomainInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::delete_user_pool_domain`].
    pub fn delete_user_pool_domain_input(
        &self,
        caller: &Caller,
        input: &PoolDomainInput,
    ) -> Result<()> {
        let id = self.oauth_write(caller, "DeleteUserPoolDomain", &input.user_pool_id)?;
        self.store
            .delete_domain(&id, &input.domain)
            .map_err(|e| record_error(e, no_domain))
    }

    // ---- resource servers --------------------------------------------------------------

    /// **CreateResourceServer** (SPEC §21).
    ///
    /// # Errors
    /// `InvalidParameterException` (bad members; an identifier in use),
    /// `NotAuthorizedException`, `TooManyRequestsException`, `ResourceNotFoundException`,
    /// `InternalErrorException`.
    pub fn create_resource_server(
        &self,
        caller: &Caller,
        pool_id: &str,
        identifier: &str,
        name: &str,
        scopes: &[ResourceServerScope],
    ) -> Result<ResourceServerRecord> {
        let input = resource_server_input(pool_id, identifier, name, scopes)?;
        self.create_resource_server_input(caller, &input)
    }

    /// **CreateResourceServer** from an input validated once by
    /// [`ResourceServerWriteInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::create_resource_server`].
    pub fn create_resource_server_input(
        &self,
        caller: &Caller,
        input: &ResourceServerWriteInput,
    ) -> Result<ResourceServerRecord> {
        let id = self.oauth_write(caller, "CreateResourceServer", &input.key.user_pool_id)?;
        let record = ResourceServerRecord {
            pool_id: id,
            identifier: input.key.identifier.clone(),
            name: input.name.clone(),
            scopes: input.scopes.clone(),
            version: 0,
        };
        let version = self.store.create_resource_server(&record)?;
        Ok(ResourceServerRecord { version, ..record })
    }

    /// **DescribeResourceServer** (SPEC §21).
    ///
    /// # Errors
    /// `InvalidParameterException`, `NotAuthorizedException`, `TooManyRequestsException`,
    /// `ResourceNotFoundException` (pool or resource server), `InternalErrorException`.
    pub fn describe_resource_server(
        &self,
        caller: &Caller,
        pool_id: &str,
        identifier: &str,
    ) -> Result<ResourceServerRecord> {
        let input = ResourceServerKeyInput::parse(Some(pool_id), Some(identifier))?;
        self.describe_resource_server_input(caller, &input)
    }

    /// **DescribeResourceServer** from an input validated once by
    /// [`ResourceServerKeyInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::describe_resource_server`].
    pub fn describe_resource_server_input(
        &self,
        caller: &Caller,
        input: &ResourceServerKeyInput,
    ) -> Result<ResourceServerRecord> {
        let identifier = &input.identifier;
        let id = self.oauth_read(caller, "DescribeResourceServer", &input.user_pool_id)?;
        self.store
            .get_resource_server(&id, identifier)?
            .ok_or_else(|| no_resource_server(identifier))
    }

    /// **ListResourceServers** (SPEC §21): by identifier, `max_results` 1..=50.
    ///
    /// # Errors
    /// `InvalidParameterException` (range, a token from elsewhere),
    /// `NotAuthorizedException`, `TooManyRequestsException`, `ResourceNotFoundException`,
    /// `InternalErrorException`.
    pub fn list_resource_servers(
        &self,
        caller: &Caller,
        pool_id: &str,
        max_results: Option<i64>,
        next_token: Option<&str>,
    ) -> Result<ResourceServerPage> {
        let input =
            ListOAuthRecordsInput::parse_resource_servers(Some(pool_id), max_results, next_token)?;
        self.list_resource_servers_input(caller, &input)
    }

    /// **ListResourceServers** from an input validated once by
    /// [`ListOAuthRecordsInput::parse_resource_servers`].
    ///
    /// # Errors
    /// As [`UserPools::list_resource_servers`].
    pub fn list_resource_servers_input(
        &self,
        caller: &Caller,
        input: &ListOAuthRecordsInput,
    ) -> Result<ResourceServerPage> {
        let id = &input.user_pool_id;
        let (resource_servers, next_token) = self.oauth_page(
            caller,
            "ListResourceServers",
            "rs",
            input,
            |store, after, limit| store.list_resource_servers(id, after, limit),
            |s| &s.identifier,
        )?;
        Ok(ResourceServerPage {
            resource_servers,
            next_token,
        })
    }

    /// **UpdateResourceServer** (SPEC §21): replaces name and scopes.
    ///
    /// # Errors
    /// As [`Self::describe_resource_server`], plus the members' `InvalidParameterException`.
    pub fn update_resource_server(
        &self,
        caller: &Caller,
        pool_id: &str,
        identifier: &str,
        name: &str,
        scopes: &[ResourceServerScope],
    ) -> Result<ResourceServerRecord> {
        let input = resource_server_input(pool_id, identifier, name, scopes)?;
        self.update_resource_server_input(caller, &input)
    }

    /// **UpdateResourceServer** from an input validated once by
    /// [`ResourceServerWriteInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::update_resource_server`].
    pub fn update_resource_server_input(
        &self,
        caller: &Caller,
        input: &ResourceServerWriteInput,
    ) -> Result<ResourceServerRecord> {
        let (identifier, name, scopes) = (&input.key.identifier, &input.name, &input.scopes);
        let id = self.oauth_write(caller, "UpdateResourceServer", &input.key.user_pool_id)?;
        let (next, version) = self.update_oauth_record(
            || self.store.get_resource_server(&id, identifier),
            |current| ResourceServerRecord {
                name: name.clone(),
                scopes: scopes.clone(),
                ..current
            },
            |store, next| store.update_resource_server(next),
            || no_resource_server(identifier),
        )?;
        Ok(ResourceServerRecord { version, ..next })
    }

    /// **DeleteResourceServer** (SPEC §21).
    ///
    /// # Errors
    /// As [`Self::describe_resource_server`].
    pub fn delete_resource_server(
        &self,
        caller: &Caller,
        pool_id: &str,
        identifier: &str,
    ) -> Result<()> {
        let input = ResourceServerKeyInput::parse(Some(pool_id), Some(identifier))?;
        self.delete_resource_server_input(caller, &input)
    }

    /// **DeleteResourceServer** from an input validated once by
    /// [`ResourceServerKeyInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::delete_resource_server`].
    pub fn delete_resource_server_input(
        &self,
        caller: &Caller,
        input: &ResourceServerKeyInput,
    ) -> Result<()> {
        let identifier = &input.identifier;
        let id = self.oauth_write(caller, "DeleteResourceServer", &input.user_pool_id)?;
        self.store
            .delete_resource_server(&id, identifier)
            .map_err(|e| record_error(e, || no_resource_server(identifier)))
    }

    // ---- identity providers ------------------------------------------------------------

    /// **CreateIdentityProvider** (SPEC §21).
    ///
    /// # Errors
    /// `InvalidParameterException`, `DuplicateProviderException` (a name or identifier in
    /// use), `NotAuthorizedException`, `TooManyRequestsException`,
    /// `ResourceNotFoundException`, `InternalErrorException`.
    pub fn create_identity_provider(
        &self,
        caller: &Caller,
        pool_id: &str,
        provider_name: &str,
        provider_type: &str,
        settings: IdentityProviderSettings,
    ) -> Result<IdentityProviderRecord> {
        let input = CreateIdentityProviderInput::parse(
            Some(pool_id),
            Some(provider_name),
            Some(provider_type),
            settings,
        )?;
        self.create_identity_provider_input(caller, &input)
    }

    /// **CreateIdentityProvider** from an input validated once by
    /// [`CreateIdentityProviderInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::create_identity_provider`].
    pub fn create_identity_provider_input(
        &self,
        caller: &Caller,
        input: &CreateIdentityProviderInput,
    ) -> Result<IdentityProviderRecord> {
        let (provider_name, provider_type) = (&input.provider_name, &input.provider_type);
        let settings = input.settings.clone();
        let id = self.oauth_write(caller, "CreateIdentityProvider", &input.user_pool_id)?;
        let now = self.clock.now();
        let record = IdentityProviderRecord {
            pool_id: id,
            provider_name: provider_name.clone(),
            provider_type: provider_type.clone(),
            provider_details: with_social_defaults(
                provider_type,
                settings.provider_details.unwrap_or_default(),
                None,
            ),
            attribute_mapping: settings.attribute_mapping.unwrap_or_default(),
            idp_identifiers: settings.idp_identifiers.unwrap_or_default(),
            created_at: now,
            modified_at: now,
            version: 0,
        };
        match self.store.create_identity_provider(&record) {
            Ok(version) => Ok(IdentityProviderRecord { version, ..record }),
            Err(StoreError::IdentityProviderExists) => Err(Error::DuplicateProvider(format!(
                "A provider with the name {provider_name} already exists in this user pool."
            ))),
            Err(StoreError::IdpIdentifierExists) => Err(identifier_in_use()),
            Err(e) => Err(e.into()),
        }
    }

    /// **DescribeIdentityProvider** (SPEC §21).
    ///
    /// # Errors
    /// `InvalidParameterException`, `NotAuthorizedException`, `TooManyRequestsException`,
    /// `ResourceNotFoundException` (pool or provider), `InternalErrorException`.
    pub fn describe_identity_provider(
        &self,
        caller: &Caller,
        pool_id: &str,
        provider_name: &str,
    ) -> Result<IdentityProviderRecord> {
        let input = IdentityProviderKeyInput::parse(Some(pool_id), Some(provider_name))?;
        self.describe_identity_provider_input(caller, &input)
    }

    /// **DescribeIdentityProvider** from an input validated once by
    /// [`IdentityProviderKeyInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::describe_identity_provider`].
    pub fn describe_identity_provider_input(
        &self,
        caller: &Caller,
        input: &IdentityProviderKeyInput,
    ) -> Result<IdentityProviderRecord> {
        let id = self.oauth_read(caller, "DescribeIdentityProvider", &input.user_pool_id)?;
        let provider_name = &input.provider_name;
        self.store
            .get_identity_provider(&id, provider_name)?
            .ok_or_else(|| no_provider(provider_name))
    }

    /// **GetIdentityProviderByIdentifier** (SPEC §21).
    ///
    /// # Errors
    /// As [`Self::describe_identity_provider`].
    pub fn get_identity_provider_by_identifier(
        &self,
        caller: &Caller,
        pool_id: &str,
        identifier: &str,
    ) -> Result<IdentityProviderRecord> {
        let input = IdpIdentifierInput::parse(Some(pool_id), Some(identifier))?;
        self.get_identity_provider_by_identifier_input(caller, &input)
    }

    /// **GetIdentityProviderByIdentifier** from an input validated once by
    /// [`IdpIdentifierInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::get_identity_provider_by_identifier`].
    pub fn get_identity_provider_by_identifier_input(
        &self,
        caller: &Caller,
        input: &IdpIdentifierInput,
    ) -> Result<IdentityProviderRecord> {
        let identifier = &input.idp_identifier;
        let id = self.oauth_read(
            caller,
            "GetIdentityProviderByIdentifier",
            &input.user_pool_id,
        )?;
        self.store
            .find_identity_provider_by_identifier(&id, identifier)?
            .ok_or_else(|| {
                not_found(format!(
                    "Identity provider with identifier {identifier} does not exist."
                ))
            })
    }

    /// **ListIdentityProviders** (SPEC §21): by name, `max_results` 1..=60.
    ///
    /// # Errors
    /// As [`Self::list_resource_servers`].
    pub fn list_identity_providers(
        &self,
        caller: &Caller,
        pool_id: &str,
        max_results: Option<i64>,
        next_token: Option<&str>,
    ) -> Result<IdentityProviderPage> {
        let input = ListOAuthRecordsInput::parse_identity_providers(
            Some(pool_id),
            max_results,
            next_token,
        )?;
        self.list_identity_providers_input(caller, &input)
    }

    /// **ListIdentityProviders** from an input validated once by
    /// [`ListOAuthRecordsInput::parse_identity_providers`].
    ///
    /// # Errors
    /// As [`UserPools::list_identity_providers`].
    pub fn list_identity_providers_input(
        &self,
        caller: &Caller,
        input: &ListOAuthRecordsInput,
    ) -> Result<IdentityProviderPage> {
        let id = &input.user_pool_id;
        let (providers, next_token) = self.oauth_page(
            caller,
            "ListIdentityProviders",
            "idp",
            input,
            |store, after, limit| store.list_identity_providers(id, after, limit),
            |p| &p.provider_name,
        )?;
        Ok(IdentityProviderPage {
            providers,
            next_token,
        })
    }

    /// **UpdateIdentityProvider** (SPEC §21): the members given replace theirs.
    ///
    /// # Errors
    /// As [`Self::create_identity_provider`], and `ResourceNotFoundException` for an unknown
    /// provider.
    pub fn update_identity_provider(
        &self,
        caller: &Caller,
        pool_id: &str,
        provider_name: &str,
        settings: IdentityProviderSettings,
    ) -> Result<IdentityProviderRecord> {
        let input =
            UpdateIdentityProviderInput::parse(Some(pool_id), Some(provider_name), settings)?;
        self.update_identity_provider_input(caller, &input)
    }

    /// **UpdateIdentityProvider** from an input validated once by
    /// [`UpdateIdentityProviderInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::update_identity_provider`].
    pub fn update_identity_provider_input(
        &self,
        caller: &Caller,
        input: &UpdateIdentityProviderInput,
    ) -> Result<IdentityProviderRecord> {
        let (provider_name, settings) = (&input.key.provider_name, &input.settings);
        let id = self.oauth_write(caller, "UpdateIdentityProvider", &input.key.user_pool_id)?;
        let (next, version) = self.update_oauth_record(
            || self.store.get_identity_provider(&id, provider_name),
            |current| {
                let mut details = settings
                    .provider_details
                    .clone()
                    .unwrap_or(current.provider_details.clone());
                // Apple's `private_key` is write-only (Describe leaves it out): details that
                // omit it keep the stored key, so a describe-edit-update round trip does not
                // drop it.
                if let Some(key) = current.provider_details.get(PROVIDER_PRIVATE_KEY_DETAIL) {
                    details
                        .entry(PROVIDER_PRIVATE_KEY_DETAIL.to_owned())
                        .or_insert_with(|| key.clone());
                }
                IdentityProviderRecord {
                    provider_details: with_social_defaults(
                        &current.provider_type,
                        details,
                        Some(&current.provider_details),
                    ),
                    attribute_mapping: settings
                        .attribute_mapping
                        .clone()
                        .unwrap_or(current.attribute_mapping.clone()),
                    idp_identifiers: settings
                        .idp_identifiers
                        .clone()
                        .unwrap_or(current.idp_identifiers.clone()),
                    modified_at: self.clock.now(),
                    ..current
                }
            },
            |store, next| store.update_identity_provider(next),
            || no_provider(provider_name),
        )?;
        Ok(IdentityProviderRecord { version, ..next })
    }

    /// **DeleteIdentityProvider** (SPEC §21).
    ///
    /// # Errors
    /// As [`Self::describe_identity_provider`].
    pub fn delete_identity_provider(
        &self,
        caller: &Caller,
        pool_id: &str,
        provider_name: &str,
    ) -> Result<()> {
        let input = IdentityProviderKeyInput::parse(Some(pool_id), Some(provider_name))?;
        self.delete_identity_provider_input(caller, &input)
    }

    /// **DeleteIdentityProvider** from an input validated once by
    /// [`IdentityProviderKeyInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::delete_identity_provider`].
    pub fn delete_identity_provider_input(
        &self,
        caller: &Caller,
        input: &IdentityProviderKeyInput,
    ) -> Result<()> {
        let provider_name = &input.provider_name;
        let id = self.oauth_write(caller, "DeleteIdentityProvider", &input.user_pool_id)?;
        self.store
            .delete_identity_provider(&id, provider_name)
            .map_err(|e| record_error(e, || no_provider(provider_name)))
    }

    /// Checks an app client's OAuth settings against Cognito's rules and the pool's
    /// resource servers and providers (SPEC §21), for CreateUserPoolClient.
    ///
    /// # Errors
    /// `InvalidParameterException`, `InvalidOAuthFlowException`,
    /// `ScopeDoesNotExistException`, `ResourceNotFoundException` (an unknown provider),
    /// `InternalErrorException`.
    pub(crate) fn check_client_oauth(
        &self,
        pool: &UserPoolId,
        oauth: &ClientOAuth,
        has_secret: bool,
    ) -> Result<()> {
        let flows = oauth
            .allowed_flows
            .iter()
            .map(|f| OAuthFlow::parse(f))
            .collect::<Result<Vec<_>>>()?;
        if oauth.callback_urls.len() > rules::MAX_REDIRECT_URLS
            || oauth.logout_urls.len() > rules::MAX_REDIRECT_URLS
        {
            return Err(invalid(
                "1 validation error detected: Value at 'callbackURLs' failed to satisfy \
                 constraint: Member must have length less than or equal to 100",
            ));
        }
        for url in &oauth.callback_urls {
            rules::validate_redirect_url("callbackURLs", url)?;
        }
        for url in &oauth.logout_urls {
            rules::validate_redirect_url("logoutURLs", url)?;
        }
        if let Some(default) = &oauth.default_redirect_uri {
            rules::validate_redirect_url("defaultRedirectURI", default)?;
            if !oauth.callback_urls.contains(default) {
                return Err(invalid(
                    "DefaultRedirectURI must be one of the CallbackURLs.",
                ));
            }
        }
        if oauth.allowed_scopes.len() > rules::MAX_ALLOWED_SCOPES {
            return Err(invalid(
                "1 validation error detected: Value at 'allowedOAuthScopes' failed to satisfy \
                 constraint: Member must have length less than or equal to 50",
            ));
        }
        for scope in &oauth.allowed_scopes {
            rules::validate_scope(scope)?;
            if rules::is_standard_scope(scope) {
                continue;
            }
            let exists = match rules::split_custom_scope(scope) {
                Some((identifier, name)) => self
                    .store
                    .get_resource_server(pool, identifier)?
                    .is_some_and(|rs| rs.scopes.iter().any(|s| s.name == name)),
                None => false,
            };
            if !exists {
                return Err(Error::ScopeDoesNotExist(format!(
                    "Invalid scope requested: {scope}"
                )));
            }
        }
        if flows.contains(&OAuthFlow::ClientCredentials) {
            if flows.len() > 1 {
                return Err(Error::InvalidOAuthFlow(
                    "client_credentials flow can not be selected along with code flow or implicit flow."
                        .into(),
                ));
            }
            if !has_secret {
                return Err(Error::InvalidOAuthFlow(
                    "client_credentials flow can not be selected if client does not have a client secret."
                        .into(),
                ));
            }
        }
        let interactive = flows
            .iter()
            .any(|f| matches!(f, OAuthFlow::Code | OAuthFlow::Implicit));
        if interactive && oauth.callback_urls.is_empty() {
            return Err(Error::InvalidOAuthFlow(
                "CallbackUrls can not be empty when code flow or implicit flow is selected".into(),
            ));
        }
        for provider in &oauth.supported_identity_providers {
            if provider != "COGNITO" && self.store.get_identity_provider(pool, provider)?.is_none()
            {
                return Err(invalid(format!(
                    "The provider {provider} does not exist for User Pool {}",
                    pool.as_str()
                )));
            }
        }
        Ok(())
    }
}

/// A resource server's members as the `&str` API takes them, validated.
fn resource_server_input(
    pool_id: &str,
    identifier: &str,
    name: &str,
    scopes: &[ResourceServerScope],
) -> Result<ResourceServerWriteInput> {
    let members: Vec<ScopeMembers<'_>> = scopes
        .iter()
        .map(|s| ScopeMembers {
            scope_name: Some(&s.name),
            scope_description: Some(&s.description),
        })
        .collect();
    ResourceServerWriteInput::parse(Some(pool_id), Some(identifier), Some(name), &members)
}

/// `details` with the keys Cognito fills in for a social provider added where absent
/// (SPEC §21: DescribeIdentityProvider shows them; an operator's value stays). On an
/// update (`previous`: the stored details), a value that was the filled-in default of the
/// previous details follows the new ones: a Facebook provider given a new `api_version`
/// gets that version's URLs, unless the operator set its own.
fn with_social_defaults(
    provider_type: &str,
    mut details: BTreeMap<String, String>,
    previous: Option<&BTreeMap<String, String>>,
) -> BTreeMap<String, String> {
    let api_version = details.get("api_version").cloned();
    let before: BTreeMap<&str, String> = previous
        .map(|p| {
            let version = p.get("api_version").map(String::as_str);
            rules::social_provider_defaults(provider_type, version)
                .into_iter()
                .filter(|(key, _)| *key != "api_version")
                .collect()
        })
        .unwrap_or_default();
    for (key, value) in rules::social_provider_defaults(provider_type, api_version.as_deref()) {
        let slot = details.entry(key.to_owned()).or_default();
        if slot.is_empty() || before.get(key) == Some(slot) {
            *slot = value;
        }
    }
    details
}
