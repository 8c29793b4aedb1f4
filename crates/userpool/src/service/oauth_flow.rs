//! The decisions of the OAuth 2.0 endpoints (SPEC §21): which authorization requests are
//! accepted and where a refusal may go, who a token request's client is, what a code or
//! a client-credentials request is granted. The server translates HTTP to these calls and
//! their [`OAuthError`]s back; tokens are signed by [`crate::tokens`].

use chrono::TimeDelta;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use userpool_core::oauth::{self as rules, OAuthError, OAuthFlow};
use userpool_core::{Error, Result, UserPoolId};
use uuid::Uuid;
use zeroize::Zeroizing;

use super::inputs::SecretText;
use super::{AuthResult, UserDescription, UserPools};
use crate::ratelimit::Category;
use crate::secret_hash;
use crate::validate::{Validator, accepted};
use userpool_store::oauth::AuthorizationCode;
use userpool_store::pool::{ClientRecord, PoolRecord};
use userpool_store::store::{Store, UserKey};

/// How long an authorization code works (Cognito: 5 minutes).
pub const AUTHORIZATION_CODE_LIFETIME: TimeDelta = TimeDelta::minutes(5);

/// The parameters of `GET /oauth2/authorize`, as sent.
#[derive(Debug, Clone, Copy, Default)]
pub struct AuthorizeRequest<'a> {
    /// `response_type`.
    pub response_type: Option<&'a str>,
    /// `client_id`.
    pub client_id: Option<&'a str>,
    /// `redirect_uri`.
    pub redirect_uri: Option<&'a str>,
    /// `scope`.
    pub scope: Option<&'a str>,
    /// `state`.
    pub state: Option<&'a str>,
    /// `nonce`.
    pub nonce: Option<&'a str>,
    /// `code_challenge`.
    pub code_challenge: Option<&'a str>,
    /// `code_challenge_method`.
    pub code_challenge_method: Option<&'a str>,
    /// `identity_provider`: sign in through this provider of the client's
    /// `SupportedIdentityProviders` rather than on the page.
    pub identity_provider: Option<&'a str>,
    /// `idp_identifier`: as `identity_provider`, naming the provider by one of its
    /// `IdpIdentifiers`.
    pub idp_identifier: Option<&'a str>,
}

/// An accepted authorization request, waiting for the user to sign in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizeGrant {
    /// The pool.
    pub pool: PoolRecord,
    /// The client.
    pub client_id: String,
    /// The registered redirect URI the request named.
    pub redirect_uri: String,
    /// `response_type`: [`OAuthFlow::Code`] (`code`: a code in the redirect's query) or
    /// [`OAuthFlow::Implicit`] (`token`: access and id tokens in its fragment).
    pub flow: OAuthFlow,
    /// The scopes granted.
    pub scopes: Vec<String>,
    /// The PKCE S256 challenge.
    pub code_challenge: Option<String>,
    /// The OIDC nonce.
    pub nonce: Option<String>,
    /// The client's `state`.
    pub state: Option<String>,
    /// The external provider the request asked to sign in through (`identity_provider`
    /// or `idp_identifier`), one of the client's.
    pub identity_provider: Option<String>,
    /// The client's external providers (its `SupportedIdentityProviders` but `COGNITO`),
    /// for the page to offer.
    pub external_providers: Vec<String>,
    /// Whether the page may take the pool's own users' passwords (`COGNITO` is among the
    /// client's providers).
    pub password_sign_in: bool,
}

/// Why an authorization request was refused, and where the answer goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizeRefusal {
    /// The client or redirect URI cannot be trusted: shown on a page, never redirected
    /// (an unregistered `redirect_uri` must not become an open redirect).
    Page(String),
    /// Sent back to the registered redirect URI as `error` (and `state`).
    Redirect {
        /// The registered redirect URI.
        redirect_uri: String,
        /// The OAuth error.
        error: OAuthError,
        /// The client's `state`, returned untouched.
        state: Option<String>,
    },
    /// The pool is unknown, busy (rate limit) or the store failed.
    Failed(Error),
}

impl From<Error> for AuthorizeRefusal {
    fn from(e: Error) -> Self {
        AuthorizeRefusal::Failed(e)
    }
}

/// What a successful code exchange yields, for the host to issue tokens from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeGrant {
    /// The code as stored (scopes, nonce, `auth_time`).
    pub code: AuthorizationCode,
    /// The user, as stored now.
    pub user: UserDescription,
}

impl CodeGrant {
    /// The id (`origin_jti`) the session issued for this code must have: derived from the
    /// code, so that a second use of the code, finding it spent, can revoke what the first
    /// issued (RFC 6749 §4.1.2) without the store remembering spent codes.
    #[must_use]
    pub fn session_id(&self) -> Uuid {
        code_session_id(&self.code.code_digest)
    }
}

/// The session id of the code whose digest is `code_digest` (see [`CodeGrant::session_id`]):
/// the first 16 bytes of a domain-separated SHA-256 of the digest, as a version-4 UUID. It
/// reveals nothing of the code (a token's `origin_jti` carries it).
fn code_session_id(code_digest: &[u8; 32]) -> Uuid {
    use sha2::{Digest, Sha256};
    let hash = Sha256::new()
        .chain_update(b"userpool authorization code session\0")
        .chain_update(code_digest)
        .finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&hash[..16]);
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

impl<S: Store + ?Sized> UserPools<S> {
    /// The pool an OAuth endpoint is addressed to: `segment` is a pool id or the pool's
    /// domain (SPEC §21's URL layout).
    ///
    /// # Errors
    /// `ResourceNotFoundException` when neither names a pool; `InternalErrorException`.
    pub fn oauth_pool(&self, segment: &str) -> Result<PoolRecord> {
        let unknown = || Error::ResourceNotFound(format!("User pool {segment} does not exist."));
        if let Ok(id) = UserPoolId::parse(segment) {
            return self.store.get_pool(&id)?.ok_or_else(unknown);
        }
        if segment.is_empty() || segment.len() > 253 {
            return Err(unknown());
        }
        let domain = self.store.get_domain(segment)?.ok_or_else(unknown)?;
        self.store.get_pool(&domain.pool_id)?.ok_or_else(unknown)
    }

    /// **`GET /oauth2/authorize`** (SPEC §21): accepts a request of an OAuth client of
    /// `pool` to one of its callback URLs, with scopes it is allowed: `response_type=code`
    /// for a client allowing the `code` flow (for a client without a secret with a PKCE
    /// S256 challenge), `response_type=token` for one allowing `implicit`. Takes one
    /// request from the pool's `UserAuthentication` quota.
    ///
    /// # Errors
    /// [`AuthorizeRefusal`]: a page for an unknown client or an unregistered (or missing)
    /// redirect URI; a redirect with `unauthorized_client`, `unsupported_response_type`,
    /// `invalid_scope` or `invalid_request` once the redirect URI is known to be the
    /// client's.
    pub fn oauth_authorize(
        &self,
        pool: &PoolRecord,
        request: &AuthorizeRequest<'_>,
    ) -> std::result::Result<AuthorizeGrant, AuthorizeRefusal> {
        self.limit(&pool.id, Category::UserAuthentication)?;
        let client_id = request
            .client_id
            .filter(|c| !c.is_empty())
            .ok_or_else(|| AuthorizeRefusal::Page("client_id is missing.".into()))?;
        let client = self
            .store
            .get_client(&pool.id, client_id)?
            .ok_or_else(|| AuthorizeRefusal::Page("The client does not exist.".into()))?;
        let redirect_uri = request
            .redirect_uri
            .filter(|r| client.oauth.callback_urls.iter().any(|c| c == r))
            .ok_or_else(|| {
                AuthorizeRefusal::Page(
                    "redirect_mismatch: the redirect_uri is not a callback URL of the client."
                        .into(),
                )
            })?;
        // The page offers the client's external providers and, when it lists `COGNITO`,
        // the password form; a client with neither has no way to sign in here, and a
        // provider the client does not list is refused as Cognito's hosted UI refuses it.
        let unavailable = || {
            AuthorizeRefusal::Page("Login option is not available. Please try another one.".into())
        };
        let external_providers: Vec<String> = client
            .oauth
            .supported_identity_providers
            .iter()
            .filter(|p| *p != "COGNITO")
            .cloned()
            .collect();
        let identity_provider = match (request.identity_provider, request.idp_identifier) {
            (Some("COGNITO"), _) | (None, None) => None,
            (Some(name), _) => Some(name.to_owned()),
            (None, Some(identifier)) => Some(
                self.store
                    .find_identity_provider_by_identifier(&pool.id, identifier)?
                    .ok_or_else(unavailable)?
                    .provider_name,
            ),
        };
        if let Some(name) = &identity_provider
            && !external_providers.contains(name)
        {
            return Err(unavailable());
        }
        if identity_provider.is_none()
            && !supports_cognito(&client)
            && external_providers.is_empty()
        {
            return Err(unavailable());
        }
        let refuse = |error| AuthorizeRefusal::Redirect {
            redirect_uri: redirect_uri.to_owned(),
            error,
            state: request.state.map(str::to_owned),
        };
        let flow = match request.response_type {
            Some("code") => OAuthFlow::Code,
            Some("token") => OAuthFlow::Implicit,
            Some(_) => return Err(refuse(OAuthError::UnsupportedResponseType)),
            None => return Err(refuse(OAuthError::InvalidRequest)),
        };
        if !allows(&client, flow) {
            return Err(refuse(OAuthError::UnauthorizedClient));
        }
        let scopes = rules::grant_authorize_scopes(request.scope, &client.oauth.allowed_scopes)
            .map_err(refuse)?;
        // A session without scopes is an API sign-in's, whose access token carries
        // `aws.cognito.signin.user.admin` (`Tokens::verify_user_access`): a grant of nothing
        // (a client allowed no scope) must not become one.
        if scopes.is_empty() {
            return Err(refuse(OAuthError::InvalidScope));
        }
        let code_challenge = match (request.code_challenge, request.code_challenge_method) {
            // The implicit grant has no code to bind a challenge to: one sent is ignored,
            // as Cognito does.
            _ if flow == OAuthFlow::Implicit => None,
            (None, None) if client.secret.is_some() => None,
            (Some(challenge), Some("S256")) if rules::is_s256_challenge(challenge) => {
                Some(challenge.to_owned())
            }
            _ => return Err(refuse(OAuthError::InvalidRequest)),
        };
        let password_sign_in = supports_cognito(&client);
        Ok(AuthorizeGrant {
            pool: pool.clone(),
            client_id: client.client_id,
            redirect_uri: redirect_uri.to_owned(),
            flow,
            scopes,
            code_challenge,
            nonce: request.nonce.map(str::to_owned),
            state: request.state.map(str::to_owned),
            identity_provider,
            external_providers,
            password_sign_in,
        })
    }

    /// **`GET /logout`** (SPEC §21): where a sign-out of `client_id` may go. The hosted
    /// page keeps no session, so this only decides the redirect: `logout_uri` when it is
    /// exactly one of the client's `LogoutURLs`, none (a signed-out page) when it is
    /// absent.
    ///
    /// # Errors
    /// [`AuthorizeRefusal::Page`] for a missing or unknown client or an unregistered
    /// `logout_uri` (never redirected to); [`AuthorizeRefusal::Failed`] for the store.
    pub fn oauth_logout(
        &self,
        pool: &PoolRecord,
        client_id: Option<&str>,
        logout_uri: Option<&str>,
    ) -> std::result::Result<Option<String>, AuthorizeRefusal> {
        let unknown = || AuthorizeRefusal::Page("The client does not exist.".into());
        let client_id = client_id.filter(|c| !c.is_empty()).ok_or_else(unknown)?;
        let client = self
            .store
            .get_client(&pool.id, client_id)?
            .ok_or_else(unknown)?;
        match logout_uri {
            None => Ok(None),
            Some(uri) if client.oauth.logout_urls.iter().any(|u| u == uri) => {
                Ok(Some(uri.to_owned()))
            }
            Some(_) => Err(AuthorizeRefusal::Page(
                "The logout_uri is not a sign-out URL of the client.".into(),
            )),
        }
    }

    /// The hosted sign-in page's password sign-in (SPEC §21): [`UserPools::initiate_auth`]'s
    /// sign-in (the same checks, lockout and unknown-user decoy) for a client the authorize
    /// endpoint accepted, whatever its `ExplicitAuthFlows` (as Cognito's hosted UI).
    ///
    /// # Errors
    /// As [`UserPools::initiate_auth`], and `NotAuthorizedException` for a client that
    /// allows neither the code nor the implicit flow or does not list `COGNITO` among its identity
    /// providers.
    pub fn hosted_sign_in(
        &self,
        client_id: &str,
        username: &str,
        password: &str,
    ) -> Result<AuthResult> {
        let mut v = Validator::new();
        let client_id = v.client_id(client_id);
        let name = v.username(username);
        let password = v.password("password", password);
        v.finish()?;
        let (client_id, name, password) =
            (accepted(client_id)?, accepted(name)?, accepted(password)?);
        let (client, pool) = self.client(&client_id, Category::UserAuthentication)?;
        let hosted = allows(&client, OAuthFlow::Code) || allows(&client, OAuthFlow::Implicit);
        if !hosted || !supports_cognito(&client) {
            return Err(Error::NotAuthorized(
                userpool_core::NotAuthorized::IncorrectCredentials,
            ));
        }
        self.sign_in(&client, &pool, &name, &password)
    }

    /// The `SECRET_HASH` the hosted page (SPEC §21) presents for `username` on its account
    /// steps (sign-up and its code, the password reset, the challenge answers), which go
    /// through the public operations and their SECRET_HASH check (SPEC §11). Cognito's
    /// hosted UI asks the browser for no client secret: the page serves a client the
    /// authorize endpoint accepted and proves it as a back end would, with the client's
    /// own secret. `None` for a client without a secret, or one deleted since the grant
    /// (the operation then reports it).
    ///
    /// # Errors
    /// `InternalErrorException` (the store).
    pub fn hosted_secret_hash(
        &self,
        grant: &AuthorizeGrant,
        username: &str,
    ) -> Result<Option<SecretText>> {
        let client = self.store.get_client(&grant.pool.id, &grant.client_id)?;
        Ok(client.and_then(|client| {
            let secret = client.secret.as_deref()?;
            let hash = Zeroizing::new(secret_hash::compute(secret, username, &client.client_id));
            Some(SecretText::new(&hash))
        }))
    }

    /// Stores the authorization code whose digest is `code_digest`, for `grant` and the
    /// user `sub` who signed in at `auth_time`; it works [`AUTHORIZATION_CODE_LIFETIME`].
    ///
    /// # Errors
    /// `ResourceNotFoundException`, `UserNotFoundException` (deleted meanwhile),
    /// `InternalErrorException`.
    pub fn save_authorization_code(
        &self,
        grant: &AuthorizeGrant,
        sub: Uuid,
        code_digest: [u8; 32],
    ) -> Result<()> {
        let now = self.clock.now();
        let code = AuthorizationCode {
            pool_id: grant.pool.id.clone(),
            code_digest,
            client_id: grant.client_id.clone(),
            sub,
            redirect_uri: grant.redirect_uri.clone(),
            scopes: grant.scopes.clone(),
            code_challenge: grant.code_challenge.clone(),
            nonce: grant.nonce.clone(),
            auth_time: now,
            issued_at: now,
            expires_at: now + AUTHORIZATION_CODE_LIFETIME,
        };
        Ok(self.store.insert_authorization_code(&code)?)
    }

    /// The token endpoint's client authentication (SPEC §21): the client must be one of
    /// `pool`'s; a client with a secret must present it (compared in constant time), a
    /// client without one must not present any. Takes one request from the pool's
    /// `UserAuthentication` quota.
    ///
    /// # Errors
    /// `invalid_client`; [`TokenRefusal::Failed`] for the rate limit or the store.
    pub fn oauth_client(
        &self,
        pool: &PoolRecord,
        client_id: &str,
        secret: Option<&str>,
    ) -> std::result::Result<ClientRecord, TokenRefusal> {
        self.limit(&pool.id, Category::UserAuthentication)?;
        let client = self
            .store
            .get_client(&pool.id, client_id)?
            .ok_or(TokenRefusal::OAuth(OAuthError::InvalidClient))?;
        let authenticated = match (&client.secret, secret) {
            // Digests of equal length compared in constant time: a plain comparison of
            // the secrets would stop early at a length that differs, telling the length.
            (Some(expected), Some(given)) => {
                bool::from(Sha256::digest(expected.as_bytes()).ct_eq(&Sha256::digest(given)))
            }
            (None, None) => true,
            _ => false,
        };
        if !authenticated {
            return Err(TokenRefusal::OAuth(OAuthError::InvalidClient));
        }
        Ok(client)
    }

    /// The `authorization_code` grant (SPEC §21): takes the code out of the store (so it
    /// is spent whatever follows; a code already spent revokes the session its first use
    /// got, [`CodeGrant::session_id`]), then requires it to be `client`'s, for `redirect_uri`,
    /// unexpired, answered by `code_verifier` when it has a PKCE challenge (and no
    /// verifier when it has none), and its user to exist and be enabled.
    ///
    /// # Errors
    /// `unauthorized_client` (the client does not allow the code flow), `invalid_request`
    /// (a member missing), `invalid_grant`; [`TokenRefusal::Failed`] for the store.
    pub fn exchange_authorization_code(
        &self,
        client: &ClientRecord,
        code_digest: Option<[u8; 32]>,
        redirect_uri: Option<&str>,
        code_verifier: Option<&str>,
    ) -> std::result::Result<CodeGrant, TokenRefusal> {
        if !allows(client, OAuthFlow::Code) {
            return Err(TokenRefusal::OAuth(OAuthError::UnauthorizedClient));
        }
        let (Some(digest), Some(redirect_uri)) = (code_digest, redirect_uri) else {
            return Err(TokenRefusal::OAuth(OAuthError::InvalidRequest));
        };
        let invalid = || TokenRefusal::OAuth(OAuthError::InvalidGrant);
        let Some(code) = self
            .store
            .take_authorization_code(&client.pool_id, &digest)?
        else {
            // Spent (or never issued): a replay revokes what the first use issued, its
            // refresh token and its access tokens (RFC 6749 §4.1.2); for a code never
            // issued there is no such session and nothing changes.
            self.store
                .revoke_token_session(&client.pool_id, code_session_id(&digest))?;
            return Err(invalid());
        };
        if code.client_id != client.client_id
            || code.redirect_uri != redirect_uri
            || self.clock.now() >= code.expires_at
        {
            return Err(invalid());
        }
        match (&code.code_challenge, code_verifier) {
            (Some(challenge), Some(verifier)) if rules::verify_s256(verifier, challenge) => {}
            // A verifier for a code requested without a challenge means the challenge was
            // stripped from the authorization request: a PKCE downgrade (RFC 9700 §4.8.2).
            (Some(_), _) | (None, Some(_)) => return Err(invalid()),
            (None, None) => {}
        }
        let user = self
            .store
            .find_user(&client.pool_id, UserKey::Sub(code.sub))?
            .map(|u| UserDescription::from(&u))
            .filter(|u| u.enabled)
            .ok_or_else(invalid)?;
        Ok(CodeGrant { code, user })
    }

    /// The `client_credentials` grant (SPEC §21): for a client with a secret that allows
    /// the flow; the scopes granted.
    ///
    /// # Errors
    /// `unauthorized_client`, `invalid_scope`.
    pub fn client_credentials_scopes(
        &self,
        client: &ClientRecord,
        scope: Option<&str>,
    ) -> std::result::Result<Vec<String>, TokenRefusal> {
        if client.secret.is_none() || !allows(client, OAuthFlow::ClientCredentials) {
            return Err(TokenRefusal::OAuth(OAuthError::UnauthorizedClient));
        }
        rules::grant_client_credentials_scopes(scope, &client.oauth.allowed_scopes)
            .map_err(TokenRefusal::OAuth)
    }

    /// The user a token-endpoint refresh issues for: the session's user, enabled.
    ///
    /// # Errors
    /// `invalid_grant`; [`TokenRefusal::Failed`] for the store.
    pub fn oauth_refresh_user(
        &self,
        pool: &UserPoolId,
        sub: Uuid,
    ) -> std::result::Result<UserDescription, TokenRefusal> {
        self.store
            .find_user(pool, UserKey::Sub(sub))?
            .map(|u| UserDescription::from(&u))
            .filter(|u| u.enabled)
            .ok_or(TokenRefusal::OAuth(OAuthError::InvalidGrant))
    }
}

/// Why a token-endpoint request was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenRefusal {
    /// An OAuth error, answered as `{"error": ...}`.
    OAuth(OAuthError),
    /// A service failure (rate limit, store): answered as the service error.
    Failed(Error),
}

impl From<Error> for TokenRefusal {
    fn from(e: Error) -> Self {
        TokenRefusal::Failed(e)
    }
}

impl From<userpool_store::StoreError> for TokenRefusal {
    fn from(e: userpool_store::StoreError) -> Self {
        TokenRefusal::Failed(e.into())
    }
}

impl From<userpool_store::StoreError> for AuthorizeRefusal {
    fn from(e: userpool_store::StoreError) -> Self {
        AuthorizeRefusal::Failed(e.into())
    }
}

/// Whether `client`'s users may sign in with the pool's own passwords on the hosted page
/// (`SupportedIdentityProviders` lists `COGNITO`).
fn supports_cognito(client: &ClientRecord) -> bool {
    client
        .oauth
        .supported_identity_providers
        .iter()
        .any(|p| p == "COGNITO")
}

/// Whether `client` may use the OAuth endpoints with `flow`.
fn allows(client: &ClientRecord, flow: OAuthFlow) -> bool {
    client.oauth.allowed_flows_user_pool_client
        && client
            .oauth
            .allowed_flows
            .iter()
            .any(|f| OAuthFlow::parse(f).is_ok_and(|f| f == flow))
}
