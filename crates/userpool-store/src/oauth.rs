//! What a store keeps for OAuth 2.0 and OpenID Connect (SPEC §21): a pool's domain, its
//! resource servers and their custom scopes, its identity providers, an app client's
//! OAuth settings ([`ClientOAuth`], on [`crate::ClientRecord`]) and the authorization
//! codes the authorize endpoint issues.
//!
//! The records hold what Cognito's operations describe; validation is the service's
//! (with `userpool_core::oauth`), uniqueness and atomicity the store's. An authorization
//! code is kept only as a digest the host computes, as a refresh token is, and is taken
//! out of the store by the one exchange that uses it ([`crate::TokenStore::take_authorization_code`]).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use userpool_core::UserPoolId;
use uuid::Uuid;

#[cfg(doc)]
use crate::store::Store;
use crate::store::StoreError;

/// An app client's OAuth settings, as `CreateUserPoolClient` takes them. Values are
/// stored in the order given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientOAuth {
    /// `AllowedOAuthFlows`: `code`, `implicit`, `client_credentials`.
    pub allowed_flows: Vec<String>,
    /// `AllowedOAuthFlowsUserPoolClient`: whether the client may use the OAuth endpoints.
    pub allowed_flows_user_pool_client: bool,
    /// `AllowedOAuthScopes`: standard scopes and `<resource server>/<scope>` ones.
    pub allowed_scopes: Vec<String>,
    /// `CallbackURLs`: where the authorize endpoint may redirect.
    pub callback_urls: Vec<String>,
    /// `LogoutURLs`: where the logout endpoint may redirect.
    pub logout_urls: Vec<String>,
    /// `DefaultRedirectURI`: one of the callback URLs.
    pub default_redirect_uri: Option<String>,
    /// `SupportedIdentityProviders`: `COGNITO` and provider names.
    pub supported_identity_providers: Vec<String>,
}

/// A pool's domain (Cognito's `DomainDescriptionType`): a prefix, or a custom domain with
/// its certificate. Domain names are unique across pools, and a pool has at most one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainRecord {
    /// The pool the domain serves.
    pub pool_id: UserPoolId,
    /// `Domain`: the prefix or the fully-qualified custom domain.
    pub domain: String,
    /// `CustomDomainConfig.CertificateArn`, for a custom domain.
    pub certificate_arn: Option<String>,
    /// `ManagedLoginVersion`: 1 for the classic hosted UI, 2 for managed login.
    pub managed_login_version: u8,
    /// When the domain was created.
    pub created_at: DateTime<Utc>,
    /// Issued by the store: 1 on creation, +1 per update (compare-and-swap).
    pub version: u64,
}

/// One custom scope of a resource server (`ResourceServerScopeType`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceServerScope {
    /// `ScopeName`; tokens carry `<identifier>/<name>`.
    pub name: String,
    /// `ScopeDescription`.
    pub description: String,
}

/// A resource server of a pool (`ResourceServerType`): an API and the scopes clients may
/// be granted for it. Identifiers are unique per pool (compared exactly).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceServerRecord {
    /// The pool.
    pub pool_id: UserPoolId,
    /// `Identifier`, e.g. `https://api.example.com` or `orders`.
    pub identifier: String,
    /// `Name`.
    pub name: String,
    /// `Scopes`, in the order given (at most 100).
    pub scopes: Vec<ResourceServerScope>,
    /// Issued by the store: 1 on creation, +1 per update (compare-and-swap).
    pub version: u64,
}

/// An identity provider of a pool (`IdentityProviderType`). Names are unique per pool,
/// and so is each of its `IdpIdentifiers` across the pool's providers.
///
/// `provider_details` may hold a secret (`client_secret` of an OIDC provider):
/// [`crate::SealingStore`] seals that entry, and `Debug` redacts it.
#[derive(Clone, PartialEq, Eq)]
pub struct IdentityProviderRecord {
    /// The pool.
    pub pool_id: UserPoolId,
    /// `ProviderName`.
    pub provider_name: String,
    /// `ProviderType`: `OIDC`, `SAML`, `Google`, ...
    pub provider_type: String,
    /// `ProviderDetails`: issuer, client id and secret, scopes, endpoints...
    pub provider_details: BTreeMap<String, String>,
    /// `AttributeMapping`: user-pool attribute → provider claim.
    pub attribute_mapping: BTreeMap<String, String>,
    /// `IdpIdentifiers`, in the order given.
    pub idp_identifiers: Vec<String>,
    /// `CreationDate`.
    pub created_at: DateTime<Utc>,
    /// `LastModifiedDate`.
    pub modified_at: DateTime<Utc>,
    /// Issued by the store: 1 on creation, +1 per update (compare-and-swap).
    pub version: u64,
}

/// The `ProviderDetails` entry that is a secret.
pub const PROVIDER_SECRET_DETAIL: &str = "client_secret";

/// The `ProviderDetails` entry of a `SignInWithApple` provider that is its signing key
/// (a PKCS #8 PEM): secret, sealed at rest, and never shown by DescribeIdentityProvider.
pub const PROVIDER_PRIVATE_KEY_DETAIL: &str = "private_key";

impl std::fmt::Debug for IdentityProviderRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let details: BTreeMap<&str, &str> = self
            .provider_details
            .iter()
            .map(|(k, v)| {
                let shown = if k == PROVIDER_SECRET_DETAIL || k == PROVIDER_PRIVATE_KEY_DETAIL {
                    "<redacted>"
                } else {
                    v.as_str()
                };
                (k.as_str(), shown)
            })
            .collect();
        f.debug_struct("IdentityProviderRecord")
            .field("pool_id", &self.pool_id)
            .field("provider_name", &self.provider_name)
            .field("provider_type", &self.provider_type)
            .field("provider_details", &details)
            .field("attribute_mapping", &self.attribute_mapping)
            .field("idp_identifiers", &self.idp_identifiers)
            .field("created_at", &self.created_at)
            .field("modified_at", &self.modified_at)
            .field("version", &self.version)
            .finish()
    }
}

/// An authorization code the authorize endpoint issued, waiting for its one exchange at
/// the token endpoint. Codes live minutes (Cognito: 5) and are single use.
///
/// The code itself is never stored: `code_digest` is the host's digest of it (unique per
/// pool), so a copy of the store cannot be exchanged. `Debug` redacts the digest.
#[derive(Clone, PartialEq, Eq)]
pub struct AuthorizationCode {
    /// The pool.
    pub pool_id: UserPoolId,
    /// The host's digest of the code.
    pub code_digest: [u8; 32],
    /// The app client the code was issued to; only it may exchange the code.
    pub client_id: String,
    /// The signed-in user's `sub`.
    pub sub: Uuid,
    /// The `redirect_uri` of the authorization request; the exchange must repeat it.
    pub redirect_uri: String,
    /// The scopes granted, in the order requested.
    pub scopes: Vec<String>,
    /// The PKCE S256 challenge, if the request carried one (then the exchange must send
    /// its verifier).
    pub code_challenge: Option<String>,
    /// The `nonce` of the request, echoed in the id token.
    pub nonce: Option<String>,
    /// When the user signed in (`auth_time`).
    pub auth_time: DateTime<Utc>,
    /// When the code was issued.
    pub issued_at: DateTime<Utc>,
    /// When the code stops working.
    pub expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for AuthorizationCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthorizationCode")
            .field("pool_id", &self.pool_id)
            .field("code_digest", &"<redacted>")
            .field("client_id", &self.client_id)
            .field("sub", &self.sub)
            .field("redirect_uri", &self.redirect_uri)
            .field("scopes", &self.scopes)
            .field("code_challenge", &self.code_challenge)
            .field("nonce", &self.nonce)
            .field("auth_time", &self.auth_time)
            .field("issued_at", &self.issued_at)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// The configuration behind the hosted UI and the OAuth endpoints (SPEC §21): a pool's
/// domain ([`DomainRecord`]), its resource servers and their custom scopes
/// ([`ResourceServerRecord`]) and its identity providers ([`IdentityProviderRecord`]).
///
/// A trait of its own, a supertrait of [`Store`], because it is a capability a host may
/// not need: a host serving only Cognito's API never reads a domain or a provider. It is
/// not part of [`crate::TokenStore`] either: this is configuration an administrator writes,
/// while token storage is what every sign-in writes (a store can keep tokens for API
/// sign-ins without hosting the OAuth endpoints). The authorization codes the authorize
/// endpoint issues are token storage ([`crate::TokenStore::insert_authorization_code`]).
///
/// A store that keeps no OAuth configuration says so with an empty impl:
///
/// ```
/// # use userpool_store::{MemoryStore, OAuthStore};
/// struct MyStore(MemoryStore);
/// impl OAuthStore for MyStore {} // no hosted UI, no federation
/// ```
///
/// Every method then answers [`StoreError::Unsupported`] (the OAuth operations answer
/// `InternalErrorException`), and the conformance kit skips its OAuth configuration cases,
/// saying so. All or nothing: a store that implements some of these methods and leaves
/// others to their default fails the kit. A pool's domain, resource servers and providers
/// go with the pool ([`Store::delete_pool`]). Every method is atomic.
pub trait OAuthStore {
    /// Stores a pool's domain at version 1 (SPEC §21).
    ///
    /// # Errors
    /// `PoolNotFound`; `DomainExists` when any pool has the domain; `PoolHasDomain` when
    /// this pool has another; `Backend`, `Unsupported`.
    fn create_domain(&self, domain: &DomainRecord) -> Result<u64, StoreError> {
        let _ = domain;
        Err(StoreError::Unsupported("create_domain"))
    }

    /// The domain of that name, whatever its pool (DescribeUserPoolDomain names only the
    /// domain).
    ///
    /// # Errors
    /// `Backend`, `Unsupported`.
    fn get_domain(&self, domain: &str) -> Result<Option<DomainRecord>, StoreError> {
        let _ = domain;
        Err(StoreError::Unsupported("get_domain"))
    }

    /// The pool's domain, if it has one.
    ///
    /// # Errors
    /// `PoolNotFound`, `Backend`, `Unsupported`.
    fn domain_of_pool(&self, pool: &UserPoolId) -> Result<Option<DomainRecord>, StoreError> {
        let _ = pool;
        Err(StoreError::Unsupported("domain_of_pool"))
    }

    /// Replaces a domain's certificate and managed-login version if its stored version is
    /// still `domain.version`; returns the new version. Name, pool and creation time stay.
    ///
    /// # Errors
    /// `PoolNotFound`; `NotFound` when the pool has no such domain; `Conflict`; `Backend`,
    /// `Unsupported`.
    fn update_domain(&self, domain: &DomainRecord) -> Result<u64, StoreError> {
        let _ = domain;
        Err(StoreError::Unsupported("update_domain"))
    }

    /// Deletes the pool's domain `domain`.
    ///
    /// # Errors
    /// `PoolNotFound`; `NotFound` when the pool has no such domain; `Backend`,
    /// `Unsupported`.
    fn delete_domain(&self, pool: &UserPoolId, domain: &str) -> Result<(), StoreError> {
        let _ = (pool, domain);
        Err(StoreError::Unsupported("delete_domain"))
    }

    /// Stores a resource server at version 1 (SPEC §21).
    ///
    /// # Errors
    /// `PoolNotFound`; `ResourceServerExists` when the pool has one with this identifier
    /// (compared exactly); `Backend`, `Unsupported`.
    fn create_resource_server(&self, server: &ResourceServerRecord) -> Result<u64, StoreError> {
        let _ = server;
        Err(StoreError::Unsupported("create_resource_server"))
    }

    /// A resource server of a pool.
    ///
    /// # Errors
    /// `PoolNotFound`, `Backend`, `Unsupported`.
    fn get_resource_server(
        &self,
        pool: &UserPoolId,
        identifier: &str,
    ) -> Result<Option<ResourceServerRecord>, StoreError> {
        let _ = (pool, identifier);
        Err(StoreError::Unsupported("get_resource_server"))
    }

    /// Resource servers of a pool ordered by identifier (by bytes), after `after`, at most
    /// `limit`.
    ///
    /// # Errors
    /// `PoolNotFound`, `Backend`, `Unsupported`.
    fn list_resource_servers(
        &self,
        pool: &UserPoolId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<ResourceServerRecord>, StoreError> {
        let _ = (pool, after, limit);
        Err(StoreError::Unsupported("list_resource_servers"))
    }

    /// Replaces a resource server's name and scopes if its stored version is still
    /// `server.version`; returns the new version.
    ///
    /// # Errors
    /// `PoolNotFound`; `NotFound`; `Conflict`; `Backend`, `Unsupported`.
    fn update_resource_server(&self, server: &ResourceServerRecord) -> Result<u64, StoreError> {
        let _ = server;
        Err(StoreError::Unsupported("update_resource_server"))
    }

    /// Deletes a resource server.
    ///
    /// # Errors
    /// `PoolNotFound`; `NotFound`; `Backend`, `Unsupported`.
    fn delete_resource_server(
        &self,
        pool: &UserPoolId,
        identifier: &str,
    ) -> Result<(), StoreError> {
        let _ = (pool, identifier);
        Err(StoreError::Unsupported("delete_resource_server"))
    }

    /// Stores an identity provider at version 1 (SPEC §21).
    ///
    /// # Errors
    /// `PoolNotFound`; `IdentityProviderExists` when the pool has one of this name;
    /// `IdpIdentifierExists` when one of its identifiers is another provider's (nothing is
    /// written); `Backend`, `Unsupported`.
    fn create_identity_provider(
        &self,
        provider: &IdentityProviderRecord,
    ) -> Result<u64, StoreError> {
        let _ = provider;
        Err(StoreError::Unsupported("create_identity_provider"))
    }

    /// An identity provider of a pool, by name.
    ///
    /// # Errors
    /// `PoolNotFound`, `Backend`, `Unsupported`.
    fn get_identity_provider(
        &self,
        pool: &UserPoolId,
        provider_name: &str,
    ) -> Result<Option<IdentityProviderRecord>, StoreError> {
        let _ = (pool, provider_name);
        Err(StoreError::Unsupported("get_identity_provider"))
    }

    /// The identity provider of a pool that lists `identifier` in its `IdpIdentifiers`.
    ///
    /// # Errors
    /// `PoolNotFound`, `Backend`, `Unsupported`.
    fn find_identity_provider_by_identifier(
        &self,
        pool: &UserPoolId,
        identifier: &str,
    ) -> Result<Option<IdentityProviderRecord>, StoreError> {
        let _ = (pool, identifier);
        Err(StoreError::Unsupported(
            "find_identity_provider_by_identifier",
        ))
    }

    /// Identity providers of a pool ordered by name (by bytes), after `after`, at most
    /// `limit`.
    ///
    /// # Errors
    /// `PoolNotFound`, `Backend`, `Unsupported`.
    fn list_identity_providers(
        &self,
        pool: &UserPoolId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<IdentityProviderRecord>, StoreError> {
        let _ = (pool, after, limit);
        Err(StoreError::Unsupported("list_identity_providers"))
    }

    /// Replaces a provider's details, attribute mapping, identifiers and modification
    /// time if its stored version is still `provider.version`; returns the new version.
    /// Name, type, pool and creation time stay.
    ///
    /// # Errors
    /// `PoolNotFound`; `NotFound`; `Conflict`; `IdpIdentifierExists`; `Backend`,
    /// `Unsupported`.
    fn update_identity_provider(
        &self,
        provider: &IdentityProviderRecord,
    ) -> Result<u64, StoreError> {
        let _ = provider;
        Err(StoreError::Unsupported("update_identity_provider"))
    }

    /// Deletes an identity provider.
    ///
    /// # Errors
    /// `PoolNotFound`; `NotFound`; `Backend`, `Unsupported`.
    fn delete_identity_provider(
        &self,
        pool: &UserPoolId,
        provider_name: &str,
    ) -> Result<(), StoreError> {
        let _ = (pool, provider_name);
        Err(StoreError::Unsupported("delete_identity_provider"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_the_provider_secret_and_the_code_digest() {
        let provider = IdentityProviderRecord {
            pool_id: UserPoolId::parse("eu-west-1_abc").expect("valid"),
            provider_name: "Corp".into(),
            provider_type: "OIDC".into(),
            provider_details: BTreeMap::from([
                ("client_id".into(), "visible-id".into()),
                (PROVIDER_SECRET_DETAIL.into(), "hidden-secret".into()),
            ]),
            attribute_mapping: BTreeMap::new(),
            idp_identifiers: Vec::new(),
            created_at: DateTime::<Utc>::UNIX_EPOCH,
            modified_at: DateTime::<Utc>::UNIX_EPOCH,
            version: 1,
        };
        let shown = format!("{provider:?}");
        assert!(shown.contains("visible-id"), "{shown}");
        assert!(!shown.contains("hidden-secret"), "{shown}");
        let code = AuthorizationCode {
            pool_id: provider.pool_id.clone(),
            code_digest: [0xEF; 32],
            client_id: "client".into(),
            sub: Uuid::nil(),
            redirect_uri: "https://app/cb".into(),
            scopes: vec!["openid".into()],
            code_challenge: None,
            nonce: None,
            auth_time: DateTime::<Utc>::UNIX_EPOCH,
            issued_at: DateTime::<Utc>::UNIX_EPOCH,
            expires_at: DateTime::<Utc>::UNIX_EPOCH,
        };
        let shown = format!("{code:?}");
        assert!(shown.contains("https://app/cb"), "{shown}");
        assert!(
            !shown.contains("239"),
            "the digest (239 = 0xEF) leaks: {shown}"
        );
    }
}
