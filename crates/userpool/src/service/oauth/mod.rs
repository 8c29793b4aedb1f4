//! OAuth 2.0 records (SPEC §21): user-pool domains, resource servers and identity
//! providers, their management operations, and the checks of an app client's OAuth
//! settings.
//!
//! Each operation validates its members (with `userpool_core::oauth`), asks the host's
//! authoriser for its Cognito action name and takes one request from the pool's rate
//! limit (SPEC §7): reads count as `UserRead`, writes as `UserUpdate` (Cognito's own
//! categories for these records are not modelled, as for groups).
//!
//! One module per record (`domains`, `resource_servers`, `identity_providers`); here, what
//! they share (the prelude, the update loop, the listing page, Cognito's wording of a
//! missing record) and the check of an app client's OAuth settings against them.
//!
//! List tokens are opaque to clients: hex of `<listing>:<pool>:<last key>`, resuming after
//! that key, refused for another pool or listing.

use userpool_core::oauth::{self as rules, OAuthFlow};
use userpool_core::{Error, Result, UserPoolId};

use super::UserPools;
use super::inputs::ListOAuthRecordsInput;
use super::paging::{hex, truncate_to_page, unhex};
use crate::authorize::Caller;
use crate::ratelimit::Category;
use userpool_store::oauth::ClientOAuth;
use userpool_store::store::{Store, StoreError};

mod domains;
mod identity_providers;
mod resource_servers;

pub use identity_providers::{IdentityProviderPage, IdentityProviderSettings};
pub use resource_servers::ResourceServerPage;

fn invalid(message: impl Into<String>) -> Error {
    Error::InvalidParameterMessage(message.into())
}

fn not_found(message: impl Into<String>) -> Error {
    Error::ResourceNotFound(message.into())
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
