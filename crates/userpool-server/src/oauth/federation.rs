//! The server as the relying party of a pool's identity providers (SPEC §21): sign-in
//! through an `OIDC` provider or a social one (`Google`, `SignInWithApple`, `Facebook`,
//! `LoginWithAmazon`).
//!
//! `GET /<pool>/oauth2/authorize?identity_provider=<name>` (or `idp_identifier=`, or the
//! provider's button on the sign-in page) holds the accepted request under a fresh
//! `state` and redirects to the provider's authorization endpoint; OpenID Connect
//! providers (OIDC, Google, Apple) also get a fresh `nonce` and a PKCE S256 challenge
//! whose verifier is held with the request. The provider sends the user back to
//! `<issuer>/oauth2/idpresponse` (the pool's issuer: the URL to register at the provider;
//! by GET, or by form POST for Apple's `response_mode=form_post`), where the code is
//! exchanged at the provider's token endpoint. For OpenID Connect providers the id token
//! is verified (signature by the provider's JWKS, `iss`, `aud` = the provider's client id,
//! `exp`, `nonce`), and an OIDC provider's userInfo read; Apple's client secret is a JWT
//! signed here (ES256, its `private_key`). Facebook and Login with Amazon have no id
//! token: their user-info endpoint, read with the access token, names the user by `id` /
//! `user_id`. Then the service signs the identity in, and it ends as a hosted sign-in
//! does: our code and the client's `state` to the client's redirect URI.
//!
//! Bounded: the held requests are the hosted page's [`super::pending`] (5 minutes, capped
//! per process and per address, each `state` taken once), so unauthenticated authorize
//! calls cost no outbound call when the provider's endpoints are configured, and one
//! discovery fetch per provider issuer per [`DISCOVERY_LIFETIME`] otherwise (at most
//! [`MAX_DISCOVERED`] issuers held; a failed discovery is retried after
//! [`DISCOVERY_RETRY`]). The token, JWKS and userInfo calls happen only for
//! a live `state`. Tokens from the provider are neither logged nor kept.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use base64ct::{Base64, Encoding};
use chrono::{DateTime, TimeDelta, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use rustls_pki_types::pem::PemObject;
use serde_json::{Map, Value};
use userpool::{ExternalIdentity, PoolRecord};
use userpool_store::oauth::{
    IdentityProviderRecord, PROVIDER_PRIVATE_KEY_DETAIL, PROVIDER_SECRET_DETAIL,
};
use zeroize::Zeroizing;

use super::pending::{Pending, Upstream};
use super::sign_in::{expired_page, grant_redirect, internal_page};
use super::{
    blocking, cookie_value, get_param, limit_page, page_error, page_query, pairs, random_token,
    redirect, with_query,
};
use crate::App;
use crate::outbound::{self, OutboundError};

/// How long a provider's discovery document is used before it is fetched again.
pub const DISCOVERY_LIFETIME: TimeDelta = TimeDelta::hours(1);

/// How long a failed discovery is remembered, so a provider that is down costs one
/// outbound call a minute, not one per authorize request.
pub const DISCOVERY_RETRY: TimeDelta = TimeDelta::minutes(1);

/// The most providers' discovery documents held.
pub const MAX_DISCOVERED: usize = 256;

/// The endpoints of one provider, from its `ProviderDetails` or its discovery document.
#[derive(Debug, Clone)]
pub struct Endpoints {
    issuer: String,
    authorize: String,
    token: String,
    jwks: String,
    user_info: Option<String>,
    /// The token endpoint wants HTTP Basic rather than the secret in the form.
    basic: bool,
}

impl Endpoints {
    /// These endpoints with those the provider's details name in their place.
    fn overridden_by(mut self, detail: &impl Fn(&str) -> Option<String>) -> Self {
        for (name, slot) in [
            ("authorize_url", &mut self.authorize),
            ("token_url", &mut self.token),
            ("jwks_uri", &mut self.jwks),
        ] {
            if let Some(value) = detail(name) {
                *slot = value;
            }
        }
        if let Some(value) = detail("attributes_url") {
            self.user_info = Some(value);
        }
        self
    }
}

/// What discovery of one issuer found (or why it failed), and until when it holds.
type Discovered = (Result<Endpoints, String>, DateTime<Utc>);

/// The relying party's state: the outbound agent and the discovered endpoints.
pub struct RelyingParty {
    agent: ureq::Agent,
    /// Per issuer: the endpoints (or why discovery failed) and until when they hold.
    discovered: Mutex<HashMap<String, Discovered>>,
}

impl Default for RelyingParty {
    fn default() -> Self {
        RelyingParty {
            agent: outbound::agent(outbound::TIMEOUT),
            discovered: Mutex::new(HashMap::new()),
        }
    }
}

impl std::fmt::Debug for RelyingParty {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelyingParty").finish_non_exhaustive()
    }
}

impl RelyingParty {
    /// The endpoints of `provider`: those its details name, the rest from its issuer's
    /// discovery document (cached).
    fn endpoints(
        &self,
        provider: &IdentityProviderRecord,
        now: DateTime<Utc>,
    ) -> Result<Endpoints, String> {
        let detail = |name: &str| {
            provider
                .provider_details
                .get(name)
                .filter(|v| !v.is_empty())
                .cloned()
        };
        let issuer = detail("oidc_issuer").ok_or("the provider has no oidc_issuer")?;
        if let (Some(authorize), Some(token), Some(jwks)) = (
            detail("authorize_url"),
            detail("token_url"),
            detail("jwks_uri"),
        ) {
            return Ok(Endpoints {
                issuer,
                authorize,
                token,
                jwks,
                user_info: detail("attributes_url"),
                basic: false,
            });
        }
        if let Ok(held) = self.discovered.lock()
            && let Some((known, until)) = held.get(&issuer)
            && now < *until
        {
            return known.clone().map(|found| found.overridden_by(&detail));
        }
        let discovered = self.discover(&issuer);
        let until = now
            + if discovered.is_ok() {
                DISCOVERY_LIFETIME
            } else {
                DISCOVERY_RETRY
            };
        if let Ok(mut held) = self.discovered.lock() {
            held.retain(|_, (_, until)| now < *until);
            if held.len() >= MAX_DISCOVERED {
                held.clear();
            }
            held.insert(issuer, (discovered.clone(), until));
        }
        discovered.map(|found| found.overridden_by(&detail))
    }

    /// The endpoints `issuer`'s discovery document names.
    fn discover(&self, issuer: &str) -> Result<Endpoints, String> {
        let url = format!(
            "{}/.well-known/openid-configuration",
            issuer.trim_end_matches('/')
        );
        let document = outbound::get_json(&self.agent, &url, None)
            .map_err(|e| format!("discovery at {url}: {e}"))?;
        let field = |name: &str| document[name].as_str().map(str::to_owned);
        let methods = document["token_endpoint_auth_methods_supported"].as_array();
        Ok(Endpoints {
            authorize: field("authorization_endpoint")
                .ok_or("discovery names no authorization_endpoint")?,
            token: field("token_endpoint").ok_or("discovery names no token_endpoint")?,
            jwks: field("jwks_uri").ok_or("discovery names no jwks_uri")?,
            user_info: field("userinfo_endpoint"),
            // Basic only when the provider takes it and not the form (RFC 8414's member).
            basic: methods.is_some_and(|m| {
                m.iter().any(|v| v == "client_secret_basic")
                    && !m.iter().any(|v| v == "client_secret_post")
            }),
            issuer: issuer.to_owned(),
        })
    }
}

/// The URL the provider sends the user back to: `<issuer of the pool>/oauth2/idpresponse`.
fn callback_url(app: &App, pool: &PoolRecord) -> String {
    format!("{}/oauth2/idpresponse", app.tokens.issuer(&pool.id))
}

/// The cookie that binds an upstream `state` to the browser that started the sign-in:
/// `value` for `max_age` seconds (0 clears it), scoped to the path of
/// [`callback_url`] (where the provider sends the browser back), `HttpOnly`,
/// `SameSite=Lax` (sent on the provider's top-level redirect back), `Secure` over HTTPS.
/// Without it, an attacker's own finished `idpresponse` URL, opened in a victim's browser,
/// would sign the victim in as the attacker (login CSRF, RFC 6749 §10.12).
fn state_cookie(app: &App, pool: &PoolRecord, state: &str, value: &str, max_age: i64) -> String {
    let callback = callback_url(app, pool);
    // Over HTTPS the cookie is `SameSite=None`: Sign in with Apple answers with a
    // cross-site form POST, which a `Lax` cookie would not reach. That costs no CSRF
    // protection: the cookie's value is this state's own random token, which only the
    // browser that started the sign-in holds. Over plain HTTP (loopback) browsers refuse
    // `None` without `Secure`, so it is `Lax` there.
    let (secure, same_site) = if callback.starts_with("https://") {
        ("; Secure", "None")
    } else {
        ("", "Lax")
    };
    let path = callback
        .split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
        .unwrap_or("/");
    format!(
        "{}_{state}={value}; Path={path}; HttpOnly; SameSite={same_site}; Max-Age={max_age}{secure}",
        super::CSRF_COOKIE
    )
}

/// An error for the client: to its registered redirect URI, with its `state`.
fn to_client(pending: &Pending, error: &str, description: &str) -> Response {
    let mut query = vec![("error", error), ("error_description", description)];
    if let Some(state) = &pending.grant.state {
        query.push(("state", state.as_str()));
    }
    redirect(&with_query(&pending.grant.redirect_uri, &query), None)
}

/// Holds `pending` (whose grant names its provider) under a fresh `state` and redirects
/// the browser to the provider's authorization endpoint.
pub(super) fn redirect_upstream(
    app: &App,
    mut pending: Pending,
    peer: Option<SocketAddr>,
) -> Response {
    let pool = pending.grant.pool.clone();
    let Some(name) = pending.grant.identity_provider.clone() else {
        return to_client(
            &pending,
            "invalid_request",
            "No identity provider was named.",
        );
    };
    let provider = match app.pools.sign_in_provider(&pool, &name) {
        Ok(provider) => provider,
        Err(_) => {
            return to_client(
                &pending,
                "invalid_request",
                "Login option is not available. Please try another one.",
            );
        }
    };
    let flavour = Flavour::of(&provider);
    let authorize = match flavour {
        Flavour::OpenIdConnect => app
            .relying_party
            .endpoints(&provider, app.clock.now())
            .map(|e| e.authorize),
        Flavour::OAuth2 { .. } => detail_of(&provider, "authorize_url")
            .ok_or_else(|| "the provider has no authorize_url".to_owned()),
    };
    let authorize = match authorize {
        Ok(authorize) => authorize,
        Err(cause) => {
            tracing::warn!(provider = %name, %cause, "identity provider unusable");
            return to_client(
                &pending,
                "temporarily_unavailable",
                "The identity provider cannot be reached.",
            );
        }
    };
    let random = userpool::OsRandom;
    let (Some(state), Some(nonce), Some(csrf), Some(verifier)) = (
        random_token(&random),
        random_token(&random),
        random_token(&random),
        random_token(&random),
    ) else {
        return to_client(&pending, "server_error", "An internal error occurred.");
    };
    let client_id = detail_of(&provider, "client_id").unwrap_or_default();
    let scopes = detail_of(&provider, "authorize_scopes").map_or_else(
        || match flavour {
            Flavour::OpenIdConnect => "openid".to_owned(),
            Flavour::OAuth2 { .. } => String::new(),
        },
        |s| {
            s.split([',', ' '])
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        },
    );
    let callback = callback_url(app, &pool);
    let challenge = userpool_core::oauth::s256_challenge(&verifier);
    let mut query = vec![
        ("response_type", "code"),
        ("client_id", client_id.as_str()),
        ("redirect_uri", callback.as_str()),
        ("state", state.as_str()),
    ];
    if !scopes.is_empty() {
        query.push(("scope", scopes.as_str()));
    }
    let oidc = flavour == Flavour::OpenIdConnect;
    if oidc {
        query.extend([
            ("nonce", nonce.as_str()),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ]);
    }
    // Sign in with Apple sends the code by form post when name or email is asked for
    // (its documented requirement); /oauth2/idpresponse takes POST too.
    if provider.provider_type == "SignInWithApple"
        && scopes.split(' ').any(|s| s == "name" || s == "email")
    {
        query.push(("response_mode", "form_post"));
    }
    let location = with_query(&authorize, &query);
    pending.upstream = Some(Upstream {
        provider_name: name,
        nonce: Zeroizing::new(nonce),
        code_verifier: oidc.then(|| Zeroizing::new(verifier)),
    });
    // Never in a page: the sign-in form refuses a request held for a provider. It goes
    // to the browser in the state's cookie only, which `idpresponse` requires.
    let cookie = state_cookie(
        app,
        &pool,
        &state,
        &csrf,
        super::pending::PENDING_LIFETIME.num_seconds(),
    );
    pending.csrf = Zeroizing::new(csrf);
    pending.created_at = app.clock.now();
    app.pending
        .insert(state, pending, app.clock.now(), peer.map(|p| p.ip()));
    redirect(&location, Some(cookie))
}

/// How a provider signs its users in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flavour {
    /// OpenID Connect (OIDC, Google, Sign in with Apple): a verified id token names the
    /// user; PKCE and a nonce go with the request.
    OpenIdConnect,
    /// OAuth 2.0 without an id token (Facebook, Login with Amazon): the user-info answer,
    /// read with the access token, names the user by its `id_member`.
    OAuth2 {
        /// The member of the user-info answer that is the user's id.
        id_member: &'static str,
    },
}

impl Flavour {
    fn of(provider: &IdentityProviderRecord) -> Self {
        match provider.provider_type.as_str() {
            "Facebook" => Flavour::OAuth2 { id_member: "id" },
            "LoginWithAmazon" => Flavour::OAuth2 {
                id_member: "user_id",
            },
            _ => Flavour::OpenIdConnect,
        }
    }
}

/// A non-empty `ProviderDetails` entry of `provider`.
fn detail_of(provider: &IdentityProviderRecord, name: &str) -> Option<String> {
    provider
        .provider_details
        .get(name)
        .filter(|v| !v.is_empty())
        .cloned()
}

/// `GET /<pool>/oauth2/idpresponse`: the provider's answer in the query.
pub(super) async fn idp_response(app: Arc<App>, segment: String, request: Request) -> Response {
    let peer = crate::serve::peer(request.extensions());
    let query = match page_query(&request, "Sign-in error") {
        Ok(query) => query,
        Err(refused) => return *refused,
    };
    let headers = request.headers().clone();
    idp_answer(app, segment, query.into_bytes(), headers, peer).await
}

/// `POST /<pool>/oauth2/idpresponse`: the provider's answer as a form (Sign in with
/// Apple's `response_mode=form_post`), read within [`super::MAX_FORM_BYTES`].
pub(super) async fn idp_response_post(
    app: Arc<App>,
    segment: String,
    request: Request,
) -> Response {
    let peer = crate::serve::peer(request.extensions());
    let headers = request.headers().clone();
    match super::read_form(request.into_body()).await {
        Ok(body) => idp_answer(app, segment, body.to_vec(), headers, peer).await,
        Err(_) => too_large(),
    }
}

fn too_large() -> Response {
    page_error(
        StatusCode::BAD_REQUEST,
        "Sign-in error",
        "The request is too large.",
    )
}

/// The provider's answer (`state` and `code`, or `error`), from the query or the form.
async fn idp_answer(
    app: Arc<App>,
    segment: String,
    answer: Vec<u8>,
    headers: HeaderMap,
    peer: Option<SocketAddr>,
) -> Response {
    blocking(&app, move |app| {
        if let Err(refused) = limit_page(app, peer, "Sign-in error") {
            return *refused;
        }
        let Some(params) = pairs(&answer) else {
            return expired_page();
        };
        let state = get_param(&params, "state").unwrap_or_default();
        // Live, through a provider, for this pool, and taken: each state answers once.
        let live = app.pending.get(state, app.clock.now()).filter(|p| {
            p.upstream.is_some()
                && app
                    .pools
                    .oauth_pool(&segment)
                    .is_ok_and(|pool| pool.id == p.grant.pool.id)
        });
        let Some(live) = live else {
            return expired_page();
        };
        // Only the browser that started this sign-in may end it (its state's cookie): a
        // finished provider answer replayed into another browser is refused, and the
        // state stays for its own browser.
        let cookie = cookie_value(&headers, &format!("{}_{state}", super::CSRF_COOKIE));
        if !live.csrf_matches(cookie.unwrap_or_default(), cookie) {
            return page_error(
                StatusCode::FORBIDDEN,
                "Sign-in error",
                "The request could not be verified. Start again from the application.",
            );
        }
        let Some(pending) = app.pending.take(state) else {
            return expired_page();
        };
        let clear = state_cookie(app, &pending.grant.pool, state, "", 0);
        // The client may have been deleted while its user was at the provider (deleting it
        // ended what it issued), or no longer list this provider or allow this grant: then
        // nothing is issued for it now (nor a user created).
        let still_allowed = |client: &userpool::ClientRecord| {
            let oauth = &client.oauth;
            let provider = pending.upstream.as_ref().map(|u| u.provider_name.as_str());
            oauth.allowed_flows_user_pool_client
                && oauth.allowed_flows.iter().any(|f| {
                    userpool_core::oauth::OAuthFlow::parse(f).is_ok_and(|f| f == pending.grant.flow)
                })
                && provider
                    .is_some_and(|p| oauth.supported_identity_providers.iter().any(|s| s == p))
        };
        match app
            .pools
            .store()
            .get_client(&pending.grant.pool.id, &pending.grant.client_id)
        {
            Ok(Some(client)) if still_allowed(&client) => {}
            Ok(_) => {
                return page_error(
                    StatusCode::BAD_REQUEST,
                    "Sign-in error",
                    "Login option is not available. Please try another one.",
                );
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot read the client of a federated sign-in");
                return internal_page();
            }
        }
        if let Some(error) = get_param(&params, "error") {
            let error = if error.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
                error
            } else {
                "access_denied"
            };
            return to_client(
                &pending,
                error,
                "The identity provider refused the sign-in.",
            );
        }
        let Some(code) = get_param(&params, "code") else {
            return to_client(
                &pending,
                "invalid_request",
                "The identity provider sent no code.",
            );
        };
        let apple_user = get_param(&params, "user");
        match federated_user(app, &pending, code, apple_user) {
            Ok(user) => grant_redirect(app, &pending, &user, Some(clear)),
            Err((error, description)) => to_client(&pending, error, &description),
        }
    })
    .await
}

type Refusal = (&'static str, String);

/// Exchanges the provider's `code`, learns who signed in (a verified id token, or the
/// user-info answer of an OAuth 2.0 provider), and signs the identity in; returns the
/// user. `apple_user` is the `user` member Sign in with Apple posts with the code.
fn federated_user(
    app: &App,
    pending: &Pending,
    code: &str,
    apple_user: Option<&str>,
) -> Result<userpool::UserDescription, Refusal> {
    let pool = &pending.grant.pool;
    // invariant: idp_response takes only requests with an upstream.
    let Some(upstream) = &pending.upstream else {
        return Err(("server_error", "An internal error occurred.".into()));
    };
    let unusable = |cause: String| {
        tracing::warn!(provider = %upstream.provider_name, %cause, "federated sign-in refused");
        (
            "invalid_request",
            "Invalid identity provider response.".to_owned(),
        )
    };
    let unreachable = |cause: OutboundError| {
        tracing::warn!(provider = %upstream.provider_name, %cause, "identity provider failed");
        (
            "temporarily_unavailable",
            "The identity provider cannot be reached.".to_owned(),
        )
    };
    let provider = app
        .pools
        .sign_in_provider(pool, &upstream.provider_name)
        .map_err(|e| unusable(e.to_string()))?;
    let flavour = Flavour::of(&provider);
    let endpoints = match flavour {
        Flavour::OpenIdConnect => Some(
            app.relying_party
                .endpoints(&provider, app.clock.now())
                .map_err(unusable)?,
        ),
        Flavour::OAuth2 { .. } => None,
    };
    let detail = |name: &str| detail_of(&provider, name).unwrap_or_default();
    let client_id = detail("client_id");
    let token_url = match &endpoints {
        Some(endpoints) => endpoints.token.clone(),
        None => detail_of(&provider, "token_url").ok_or_else(|| unusable("no token_url".into()))?,
    };
    let secret = if provider.provider_type == "SignInWithApple" {
        apple_client_secret(&provider, app.clock.now()).map_err(unusable)?
    } else {
        Zeroizing::new(detail(PROVIDER_SECRET_DETAIL))
    };
    let callback = callback_url(app, pool);
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", callback.as_str()),
        ("client_id", client_id.as_str()),
    ];
    if let Some(verifier) = &upstream.code_verifier {
        form.push(("code_verifier", verifier.as_str()));
    }
    let basic = endpoints.as_ref().is_some_and(|e| e.basic) && !secret.is_empty();
    let credentials = Zeroizing::new(Base64::encode_string(
        format!("{}:{}", form_escape(&client_id), form_escape(&secret)).as_bytes(),
    ));
    if !basic && !secret.is_empty() {
        form.push(("client_secret", secret.as_str()));
    }
    let agent = &app.relying_party.agent;
    let answer = if detail("token_request_method").eq_ignore_ascii_case("GET") {
        // Facebook's token endpoint is read by GET with the form in the query.
        outbound::get_json(agent, &with_query(&token_url, &form), None)
    } else {
        outbound::post_form(
            agent,
            &token_url,
            &form,
            basic.then_some(credentials.as_str()),
        )
    }
    .map_err(unreachable)?;
    let access_token = answer["access_token"]
        .as_str()
        .map(|t| Zeroizing::new(t.to_owned()));
    let claims = match (flavour, &endpoints) {
        (Flavour::OpenIdConnect, Some(endpoints)) => {
            let id_token = Zeroizing::new(
                answer["id_token"]
                    .as_str()
                    .ok_or_else(|| unusable("the token answer has no id_token".into()))?
                    .to_owned(),
            );
            let jwks = outbound::get_json(agent, &endpoints.jwks, None).map_err(unreachable)?;
            let mut claims = verify_id_token(&id_token, &jwks, &endpoints.issuer, &client_id)
                .map_err(unusable)?;
            if claims.get("nonce").and_then(Value::as_str) != Some(upstream.nonce.as_str()) {
                return Err(unusable("the id token's nonce is not the request's".into()));
            }
            // userInfo completes an OIDC provider's claims. Google's attributes_url is the
            // People API, whose answer is not claims; its id token carries them.
            if provider.provider_type == "OIDC"
                && let (Some(url), Some(token)) = (&endpoints.user_info, &access_token)
            {
                // `attributes_request_method`: GET unless the provider says POST.
                let info = if detail("attributes_request_method").eq_ignore_ascii_case("POST") {
                    outbound::post_bearer(agent, url, token)
                } else {
                    outbound::get_json(agent, url, Some(token))
                }
                .map_err(unreachable)?;
                // userInfo's claims complete the id token's, for the same subject only
                // (OIDC Core §5.3.2).
                if info.get("sub") == claims.get("sub")
                    && let Value::Object(info) = info
                {
                    for (name, value) in info {
                        claims.entry(name).or_insert(value);
                    }
                }
            }
            claims
        }
        (Flavour::OAuth2 { id_member }, _) => {
            let token = access_token
                .ok_or_else(|| unusable("the token answer has no access_token".into()))?;
            let url = detail_of(&provider, "attributes_url")
                .ok_or_else(|| unusable("no attributes_url".into()))?;
            let url = if detail("attributes_url_add_attributes") == "true" {
                format!("{url}{}", requested_fields(&provider, id_member))
            } else {
                url
            };
            let info = outbound::get_json(agent, &url, Some(&token)).map_err(unreachable)?;
            let Value::Object(mut info) = info else {
                return Err(unusable("the user-info answer is not an object".into()));
            };
            let id = match info.get(id_member) {
                Some(Value::String(id)) if !id.is_empty() => id.clone(),
                Some(Value::Number(id)) => id.to_string(),
                _ => return Err(unusable(format!("the user-info answer has no {id_member}"))),
            };
            // The user's name is `<ProviderName>_<id>`: the id stands as the subject.
            info.insert("sub".to_owned(), Value::String(id));
            info
        }
        (Flavour::OpenIdConnect, None) => {
            return Err(("server_error", "An internal error occurred.".into()));
        }
    };
    let mut claims = claims;
    if provider.provider_type == "SignInWithApple"
        && let Some(user) = apple_user
    {
        for (name, value) in apple_name(user) {
            claims.entry(name).or_insert(Value::String(value));
        }
    }
    let identity = ExternalIdentity {
        claims: claims
            .into_iter()
            .map(|(name, value)| {
                let text = match value {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                (name, text)
            })
            .collect::<BTreeMap<_, _>>(),
    };
    let user = app
        .pools
        .external_sign_in(pool, &provider, &identity)
        .map_err(|e| {
            let message = match e {
                userpool_core::Error::Internal(_) => "An internal error occurred.".to_owned(),
                other => other.to_string(),
            };
            ("invalid_request", message)
        })?;
    Ok(user)
}

/// The fields an OAuth 2.0 provider's `attributes_url` asks for when Cognito appends them
/// (`attributes_url_add_attributes`): the id member and every attribute the mapping reads,
/// comma-separated (Facebook's `fields=`).
fn requested_fields(provider: &IdentityProviderRecord, id_member: &str) -> String {
    let mut fields = vec![id_member];
    for claim in provider.attribute_mapping.values() {
        if !fields.contains(&claim.as_str()) {
            fields.push(claim);
        }
    }
    fields
        .iter()
        .map(|f| form_escape(f))
        .collect::<Vec<_>>()
        .join(",")
}

/// The name Sign in with Apple posts (its `user` member, sent on a user's first sign-in
/// only, and not signed: it completes the id token's claims, never replaces one) as
/// `firstName`, `lastName` and `name` (both, space-separated).
fn apple_name(user: &str) -> Vec<(String, String)> {
    let Ok(user) = serde_json::from_str::<Value>(user) else {
        return Vec::new();
    };
    let part = |name: &str| {
        user["name"][name]
            .as_str()
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let (first, last) = (part("firstName"), part("lastName"));
    let full = [first.as_deref(), last.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let mut out = Vec::new();
    if let Some(first) = first {
        out.push(("firstName".to_owned(), first));
    }
    if let Some(last) = last {
        out.push(("lastName".to_owned(), last));
    }
    if !full.is_empty() {
        out.push(("name".to_owned(), full));
    }
    out
}

/// How long the client-secret JWT signed for Sign in with Apple is valid.
pub const APPLE_SECRET_LIFETIME: TimeDelta = TimeDelta::minutes(5);

/// Sign in with Apple's client secret: a JWT the relying party signs with ES256 and the
/// provider's `private_key` (PKCS #8 PEM), naming `key_id` in its header, `team_id` as
/// issuer, the client id as subject and the provider's issuer as audience.
fn apple_client_secret(
    provider: &IdentityProviderRecord,
    now: DateTime<Utc>,
) -> Result<Zeroizing<String>, String> {
    let detail =
        |name: &str| detail_of(provider, name).ok_or_else(|| format!("the provider has no {name}"));
    let key = Zeroizing::new(detail(PROVIDER_PRIVATE_KEY_DETAIL)?);
    let mut der = <rustls_pki_types::PrivatePkcs8KeyDer<'static> as PemObject>::from_pem_slice(
        key.as_bytes(),
    )
    .map_err(|e| format!("private_key: {e}"))?;
    // The encoding key zeroizes its copy on drop; the decoded DER is wiped here.
    let key = jsonwebtoken::EncodingKey::from_ec_der(der.secret_pkcs8_der());
    zeroize::Zeroize::zeroize(&mut der);
    let mut header = jsonwebtoken::Header::new(Algorithm::ES256);
    header.kid = Some(detail("key_id")?);
    let claims = serde_json::json!({
        "iss": detail("team_id")?,
        "iat": now.timestamp(),
        "exp": (now + APPLE_SECRET_LIFETIME).timestamp(),
        "aud": detail("oidc_issuer")?,
        "sub": detail("client_id")?,
    });
    jsonwebtoken::encode(&header, &claims, &key)
        .map(Zeroizing::new)
        .map_err(|e| format!("client secret: {e}"))
}

/// `application/x-www-form-urlencoded` of one value (RFC 6749 §2.3.1's Basic encoding).
fn form_escape(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// The claims of `token`, verified: signed by a key of `jwks` (asymmetric algorithms
/// only), issued by `issuer` for `audience`, unexpired.
fn verify_id_token(
    token: &str,
    jwks: &Value,
    issuer: &str,
    audience: &str,
) -> Result<Map<String, Value>, String> {
    let header = jsonwebtoken::decode_header(token).map_err(|e| format!("id token: {e}"))?;
    let allowed = [
        Algorithm::RS256,
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::PS256,
        Algorithm::PS384,
        Algorithm::PS512,
        Algorithm::ES256,
        Algorithm::ES384,
    ];
    if !allowed.contains(&header.alg) {
        return Err(format!("id token algorithm {:?} refused", header.alg));
    }
    let set: jsonwebtoken::jwk::JwkSet =
        serde_json::from_value(jwks.clone()).map_err(|e| format!("JWKS: {e}"))?;
    let jwk = match &header.kid {
        Some(kid) => set.find(kid),
        None if set.keys.len() == 1 => set.keys.first(),
        None => None,
    }
    .ok_or("no key of the provider's JWKS signed the id token")?;
    let key = DecodingKey::from_jwk(jwk).map_err(|e| format!("JWK: {e}"))?;
    let mut validation = Validation::new(header.alg);
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[audience]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    let data = jsonwebtoken::decode::<Map<String, Value>>(token, &key, &validation)
        .map_err(|e| format!("id token: {e}"))?;
    Ok(data.claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provider(details: &[(&str, &str)]) -> IdentityProviderRecord {
        IdentityProviderRecord {
            pool_id: userpool_core::UserPoolId::parse("us-east-1_Fed").expect("pool id"),
            provider_name: "Corp".into(),
            provider_type: "OIDC".into(),
            provider_details: details
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            attribute_mapping: BTreeMap::new(),
            idp_identifiers: Vec::new(),
            created_at: DateTime::<Utc>::UNIX_EPOCH,
            modified_at: DateTime::<Utc>::UNIX_EPOCH,
            version: 1,
        }
    }

    #[test]
    fn configured_endpoints_need_no_discovery() {
        let party = RelyingParty::default();
        let found = party
            .endpoints(
                &provider(&[
                    ("oidc_issuer", "http://127.0.0.1:1"),
                    ("authorize_url", "http://a/authorize"),
                    ("token_url", "http://a/token"),
                    ("jwks_uri", "http://a/jwks"),
                ]),
                DateTime::<Utc>::UNIX_EPOCH,
            )
            .expect("configured");
        assert_eq!(found.token, "http://a/token");
        assert!(party.discovered.lock().expect("lock").is_empty());
    }

    #[test]
    fn a_failed_discovery_is_remembered_for_a_minute() {
        let party = RelyingParty::default();
        let corp = provider(&[("oidc_issuer", "http://127.0.0.1:1")]);
        let t0 = DateTime::<Utc>::UNIX_EPOCH;
        assert!(party.endpoints(&corp, t0).is_err());
        let until =
            |party: &RelyingParty| party.discovered.lock().expect("lock")["http://127.0.0.1:1"].1;
        assert_eq!(until(&party), t0 + DISCOVERY_RETRY);
        // Within the minute the remembered failure answers (no new attempt)...
        assert!(party.endpoints(&corp, t0 + TimeDelta::seconds(30)).is_err());
        assert_eq!(until(&party), t0 + DISCOVERY_RETRY);
        // ...after it, discovery is tried again.
        let later = t0 + DISCOVERY_RETRY + TimeDelta::seconds(1);
        assert!(party.endpoints(&corp, later).is_err());
        assert_eq!(until(&party), later + DISCOVERY_RETRY);
    }

    #[test]
    fn details_win_over_discovery() {
        let discovered = Endpoints {
            issuer: "https://idp".into(),
            authorize: "https://idp/authorize".into(),
            token: "https://idp/token".into(),
            jwks: "https://idp/jwks".into(),
            user_info: None,
            basic: true,
        };
        let details = |name: &str| (name == "token_url").then(|| "https://proxy/token".to_owned());
        let merged = discovered.overridden_by(&details);
        assert_eq!(merged.token, "https://proxy/token");
        assert_eq!(merged.authorize, "https://idp/authorize");
    }
}
