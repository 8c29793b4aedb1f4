//! The OAuth 2.0 and OpenID Connect endpoints and the hosted sign-in page (SPEC §21),
//! path-based per pool under the pool's issuer; the pool's domain works in place of its
//! id:
//!
//! | path | |
//! |---|---|
//! | `GET /<pool>/.well-known/openid-configuration` | discovery |
//! | `GET /<pool>/oauth2/authorize` | code flow with PKCE, implicit flow: shows the sign-in page |
//! | `POST /<pool>/login` | the sign-in page's form (and the new-password form) |
//! | `POST /<pool>/mfa` | the MFA code, the choice of factor, a new TOTP's first code |
//! | `GET, POST /<pool>/signup`, `POST /<pool>/confirmUser`, `POST /<pool>/resendCode` | sign-up and its confirmation |
//! | `GET, POST /<pool>/forgotPassword`, `POST /<pool>/confirmForgotPassword` | password reset |
//! | `POST /<pool>/oauth2/token` | `authorization_code`, `refresh_token`, `client_credentials` |
//! | `GET, POST /<pool>/oauth2/userInfo` | the user's claims for a bearer access token |
//! | `POST /<pool>/oauth2/revoke` | revokes a refresh token |
//! | `GET /<pool>/logout` | redirects to a registered logout URL, or shows the sign-in page again |
//! | `GET /<pool>/oauth2/idpresponse` | an external OIDC provider's answer ([`federation`]) |
//!
//! Every decision is the service's ([`userpool::UserPools::oauth_authorize`], ...); this
//! module reads HTTP and writes HTTP. Every endpoint anyone may call takes the
//! per-address limit first (SPEC §13), then the service's pool quota; the sign-in form
//! also the per-username limit and the lockout. Bodies are capped at [`MAX_FORM_BYTES`].

pub mod federation;
pub mod page;
pub mod pending;
mod steps;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use base64ct::{Base64, Base64UrlUnpadded, Encoding};
use serde_json::{Value, json};
use userpool::tokens::Tokens;
use userpool::{AuthorizeGrant, AuthorizeRefusal, AuthorizeRequest, PoolRecord, TokenRefusal};
use userpool_core::oauth::{OAuthError, OAuthFlow};
use userpool_core::{Error as PoolError, NotAuthorized};
use zeroize::Zeroizing;

use crate::App;
use crate::error::Error;
use pending::Pending;
use steps::Post;

/// The most bytes a form the OAuth endpoints read may have.
pub const MAX_FORM_BYTES: usize = 64 * 1024;

/// The most bytes the query of `/oauth2/authorize` and `/logout` may have: what browsers
/// and CDNs carry in a URL. It also bounds what one pending authorization (its `state`
/// and `nonce`) holds, so [`pending::MAX_PENDING`] requests cost a fixed amount of memory.
pub const MAX_QUERY_BYTES: usize = 8 * 1024;

/// The prefix of the cookie that carries a sign-in form's CSRF token; the cookie is named
/// after the pending request (`userpool_csrf_<request>`), so two sign-ins open in one
/// browser do not overwrite each other's token.
const CSRF_COOKIE: &str = "userpool_csrf";

/// The OAuth routes, to be merged into the server's router.
pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route(
            "/{pool_id}/.well-known/openid-configuration",
            get(discovery),
        )
        .route("/{pool_id}/oauth2/authorize", get(authorize))
        .route("/{pool_id}/login", steps::form_route(Post::Login))
        .route("/{pool_id}/mfa", steps::form_route(Post::Mfa))
        .route(
            "/{pool_id}/signup",
            steps::account_route(true).merge(steps::form_route(Post::SignUp)),
        )
        .route(
            "/{pool_id}/confirmUser",
            steps::form_route(Post::ConfirmUser),
        )
        .route("/{pool_id}/resendCode", steps::form_route(Post::ResendCode))
        .route(
            "/{pool_id}/forgotPassword",
            steps::account_route(false).merge(steps::form_route(Post::Forgot)),
        )
        .route(
            "/{pool_id}/confirmForgotPassword",
            steps::form_route(Post::ConfirmForgot),
        )
        .route(
            "/{pool_id}/oauth2/token",
            client_form_route("grant_type", token_grant),
        )
        .route("/{pool_id}/oauth2/userInfo", get(user_info).post(user_info))
        .route(
            "/{pool_id}/oauth2/revoke",
            client_form_route("token", revoke),
        )
        .route("/{pool_id}/logout", get(logout))
        .route(
            "/{pool_id}/oauth2/idpresponse",
            get(federation::idp_response).post(federation::idp_response_post),
        )
}

// ---- plumbing ---------------------------------------------------------------------------

/// The pairs of a query string or form body; a repeated name is refused (RFC 6749 §3.1).
fn pairs(bytes: &[u8]) -> Option<BTreeMap<String, Zeroizing<String>>> {
    let mut out = BTreeMap::new();
    for (name, value) in form_urlencoded::parse(bytes) {
        if out
            .insert(name.into_owned(), Zeroizing::new(value.into_owned()))
            .is_some()
        {
            return None;
        }
    }
    Some(out)
}

fn get_param<'a>(params: &'a BTreeMap<String, Zeroizing<String>>, name: &str) -> Option<&'a str> {
    params
        .get(name)
        .map(|v| v.as_str())
        .filter(|v| !v.is_empty())
}

/// Every answer of these endpoints: never cached (they carry codes, tokens and forms),
/// and never content-sniffed (a JSON answer echoing a value must not be read as HTML).
fn no_store(response: &mut Response) {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    no_store(&mut response);
    response
}

/// `{"error": <code>}` with the error's status.
fn oauth_error(error: OAuthError) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let mut response = json_response(status, &json!({ "error": error.as_str() }));
    if error == OAuthError::InvalidClient {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"oauth2\""),
        );
    }
    response
}

/// A service failure on an OAuth endpoint: the rate limit is 429 `slow_down`-free JSON in
/// Cognito's wire form; anything else is logged and answered `server_error`.
fn failed(error: &PoolError) -> Response {
    if error.kind() == userpool_core::ErrorCode::TooManyRequests {
        return json_response(
            StatusCode::TOO_MANY_REQUESTS,
            &json!({ "error": "too_many_requests" }),
        );
    }
    if error.kind() == userpool_core::ErrorCode::ResourceNotFound {
        return json_response(
            StatusCode::NOT_FOUND,
            &json!({ "error": "invalid_request" }),
        );
    }
    tracing::error!(error = %error, detail = ?std::error::Error::source(error), "oauth endpoint failed");
    oauth_error(OAuthError::ServerError)
}

fn token_refusal(refusal: TokenRefusal) -> Response {
    match refusal {
        TokenRefusal::OAuth(error) => oauth_error(error),
        TokenRefusal::Failed(error) => failed(&error),
    }
}

fn html(status: StatusCode, body: String, cookie: Option<String>) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if let Some(cookie) = cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        headers.insert(header::SET_COOKIE, cookie);
    }
    no_store(&mut response);
    response
}

/// A `302 Found` to `location` (a registered URL, validated when it was registered).
/// Its non-ASCII characters (Cognito allows letters of any script in a callback URL) are
/// percent-encoded as UTF-8, which a header value needs and browsers read back (WHATWG
/// URL); a location still unusable as a header is an internal error, never a redirect
/// without `Location`.
fn redirect(location: &str, cookie: Option<String>) -> Response {
    let mut encoded = String::with_capacity(location.len());
    for c in location.chars() {
        if c.is_ascii() {
            encoded.push(c);
        } else {
            let mut buffer = [0u8; 4];
            for byte in c.encode_utf8(&mut buffer).bytes() {
                encoded.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    let Ok(value) = HeaderValue::from_str(&encoded) else {
        tracing::error!("BUG: a registered redirect URL is not a header value");
        return page_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Sign-in error",
            "An internal error occurred.",
        );
    };
    let mut response = StatusCode::FOUND.into_response();
    response.headers_mut().insert(header::LOCATION, value);
    if let Some(cookie) = cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    no_store(&mut response);
    response
}

/// `base` with `params` appended to its query.
fn with_query(base: &str, params: &[(&str, &str)]) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in params {
        query.append_pair(name, value);
    }
    let separator = if base.contains('?') { '&' } else { '?' };
    format!("{base}{separator}{}", query.finish())
}

fn page_error(status: StatusCode, title: &str, message: &str) -> Response {
    html(status, page::refused(title, message), None)
}

/// The pool a page's path names (by id or domain), or the page titled `title` saying it
/// does not exist (404).
fn page_pool(app: &App, segment: &str, title: &str) -> Result<PoolRecord, Box<Response>> {
    app.pools
        .oauth_pool(segment)
        .map_err(|e| Box::new(page_error(StatusCode::NOT_FOUND, title, &e.to_string())))
}

fn random_token(random: &dyn userpool::RandomSource) -> Option<String> {
    let mut bytes = Zeroizing::new([0u8; 32]);
    random.fill(bytes.as_mut_slice()).ok()?;
    Some(Base64UrlUnpadded::encode_string(bytes.as_slice()))
}

fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Whether the request's body is a form (`application/x-www-form-urlencoded`), as the
/// token and revoke endpoints require.
fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

/// Reads a body of at most [`MAX_FORM_BYTES`] within the wire's deadline.
async fn read_form(body: Body) -> Result<crate::wire::RequestBody, Error> {
    let bytes = crate::wire::read_body(body).await?;
    if bytes.len() > MAX_FORM_BYTES {
        return Err(Error::Serialization("The form is too large.".into()));
    }
    Ok(bytes)
}

/// The per-address limit (SPEC §13) of the endpoints anyone may call.
fn limit_address(app: &App, peer: Option<SocketAddr>) -> Result<(), PoolError> {
    match peer {
        Some(peer) => app.pools.limit_address(peer.ip()),
        None => Ok(()),
    }
}

/// The query of a page's request, refused (a page titled `title`) above
/// [`MAX_QUERY_BYTES`] before anything reads or holds it.
fn page_query(request: &Request, title: &str) -> Result<String, Box<Response>> {
    let query = request.uri().query().unwrap_or_default();
    if query.len() > MAX_QUERY_BYTES {
        return Err(Box::new(page_error(
            StatusCode::BAD_REQUEST,
            title,
            "The request is too large.",
        )));
    }
    Ok(query.to_owned())
}

/// The per-address limit (SPEC §13) of a page anyone may open, refused as a page titled
/// `title`.
fn limit_page(app: &App, peer: Option<SocketAddr>, title: &str) -> Result<(), Box<Response>> {
    limit_address(app, peer).map_err(|e| {
        Box::new(page_error(
            StatusCode::TOO_MANY_REQUESTS,
            title,
            &e.to_string(),
        ))
    })
}

/// What a page does first on its blocking thread: the per-address limit, then the pairs
/// of its query or form, `repeated` the refusal of a repeated name (pages titled `title`).
fn page_params(
    app: &App,
    peer: Option<SocketAddr>,
    bytes: &[u8],
    title: &str,
    repeated: &str,
) -> Result<BTreeMap<String, Zeroizing<String>>, Box<Response>> {
    limit_page(app, peer, title)?;
    pairs(bytes).ok_or_else(|| Box::new(page_error(StatusCode::BAD_REQUEST, title, repeated)))
}

/// A page's GET (SPEC §21): its query bounded, then on a blocking thread the per-address
/// limit and the query's pairs, then `f`; each refusal is a page titled `title`.
async fn page_get(
    app: &Arc<App>,
    request: Request,
    title: &'static str,
    f: impl FnOnce(&App, Fields) -> Response + Send + 'static,
) -> Response {
    let peer = crate::serve::peer(request.extensions());
    let query = match page_query(&request, title) {
        Ok(query) => query,
        Err(refused) => return *refused,
    };
    blocking(app, move |app| {
        match page_params(
            app,
            peer,
            query.as_bytes(),
            title,
            "A parameter is repeated.",
        ) {
            Ok(params) => f(app, params),
            Err(refused) => *refused,
        }
    })
    .await
}

/// A page of a pool's GET (`/oauth2/authorize`, `/logout`): as [`page_get`], the pool the
/// path names (by id or domain) read before `f`; an unknown pool is a page titled `title`
/// saying so (404).
async fn pool_page_get(
    app: &Arc<App>,
    segment: String,
    request: Request,
    title: &'static str,
    f: impl FnOnce(&App, &str, PoolRecord, Fields) -> Response + Send + 'static,
) -> Response {
    page_get(app, request, title, move |app, params| {
        match page_pool(app, &segment, title) {
            Ok(pool) => f(app, &segment, pool, params),
            Err(page) => *page,
        }
    })
    .await
}

/// What a client-authenticated endpoint does with its form: the pool, the client, the form
/// and the value of its required member.
type ClientFormAnswer = fn(&App, &PoolRecord, &userpool::ClientRecord, &Fields, &str) -> Response;

/// The route of an endpoint a client calls with its credentials (the token and revoke
/// endpoints): a POST read by [`client_form`], `required` its required member, answered by
/// `answer`.
fn client_form_route(required: &'static str, answer: ClientFormAnswer) -> MethodRouter<Arc<App>> {
    post(
        move |State(app): State<Arc<App>>, Path(segment): Path<String>, request: Request| async move {
            client_form(&app, segment, request, required, answer).await
        },
    )
}

/// The form of the token and revoke endpoints, from a client that authenticates
/// (RFC 6749 §2.3): read within [`MAX_FORM_BYTES`], then on a blocking thread the
/// per-address limit, the form (its content type, no repeated name, `required` present),
/// the pool and the client's credentials; then `f` with the pool, the client, the form and
/// the `required` value. A bad form is `invalid_request`.
async fn client_form(
    app: &Arc<App>,
    segment: String,
    request: Request,
    required: &'static str,
    f: ClientFormAnswer,
) -> Response {
    let (parts, body) = request.into_parts();
    let peer = crate::serve::peer(&parts.extensions);
    let headers = parts.headers;
    let is_form = is_form(&headers);
    let Ok(body) = read_form(body).await else {
        return oauth_error(OAuthError::InvalidRequest);
    };
    blocking(app, move |app| {
        if let Err(e) = limit_address(app, peer) {
            return failed(&e);
        }
        let Some(form) = pairs(&body).filter(|_| is_form) else {
            return oauth_error(OAuthError::InvalidRequest);
        };
        let Some(value) = get_param(&form, required) else {
            return oauth_error(OAuthError::InvalidRequest);
        };
        let pool = match app.pools.oauth_pool(&segment) {
            Ok(pool) => pool,
            Err(e) => return failed(&e),
        };
        let (client_id, secret) = match client_credentials_of(&headers, &form) {
            Ok(credentials) => credentials,
            Err(e) => return oauth_error(e),
        };
        match app
            .pools
            .oauth_client(&pool, &client_id, secret.as_ref().map(|s| s.as_str()))
        {
            Ok(client) => f(app, &pool, &client, &form, value),
            Err(refusal) => token_refusal(refusal),
        }
    })
    .await
}

/// Runs `f` on a blocking thread (it may hash or touch the store).
async fn blocking(app: &Arc<App>, f: impl FnOnce(&App) -> Response + Send + 'static) -> Response {
    let app = Arc::clone(app);
    tokio::task::spawn_blocking(move || f(&app))
        .await
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "BUG: an oauth task failed");
            oauth_error(OAuthError::ServerError)
        })
}

// ---- discovery --------------------------------------------------------------------------

/// The discovery document (OpenID Connect Discovery 1.0) of `pool`.
fn discovery_document(tokens: &Tokens, pool: &PoolRecord) -> Value {
    let issuer = tokens.issuer(&pool.id);
    json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/oauth2/authorize"),
        "token_endpoint": format!("{issuer}/oauth2/token"),
        "userinfo_endpoint": format!("{issuer}/oauth2/userInfo"),
        "revocation_endpoint": format!("{issuer}/oauth2/revoke"),
        "end_session_endpoint": format!("{issuer}/logout"),
        "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
        "response_types_supported": ["code", "token"],
        "grant_types_supported": ["authorization_code", "implicit", "refresh_token", "client_credentials"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "email", "phone", "profile", "aws.cognito.signin.user.admin"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce",
            "cognito:username", "email", "email_verified", "phone_number",
            "phone_number_verified", "name", "given_name", "family_name"],
    })
}

async fn discovery(
    State(app): State<Arc<App>>,
    Path(segment): Path<String>,
    request: Request,
) -> Response {
    let peer = crate::serve::peer(request.extensions());
    blocking(&app, move |app| {
        // Anyone may ask, and each answer reads the store: the per-address limit first.
        if let Err(e) = limit_address(app, peer) {
            return failed(&e);
        }
        match app.pools.oauth_pool(&segment) {
            Ok(pool) => json_response(StatusCode::OK, &discovery_document(&app.tokens, &pool)),
            Err(e) => failed(&e),
        }
    })
    .await
}

// ---- authorize and the sign-in page -----------------------------------------------------

async fn authorize(
    State(app): State<Arc<App>>,
    Path(segment): Path<String>,
    request: Request,
) -> Response {
    let peer = crate::serve::peer(request.extensions());
    let title = "Sign-in error";
    pool_page_get(
        &app,
        segment,
        request,
        title,
        move |app, segment, pool, params| match app
            .pools
            .oauth_authorize(&pool, &authorize_request(&params))
        {
            Ok(grant) if grant.identity_provider.is_some() => federation::redirect_upstream(
                app,
                Pending {
                    grant,
                    csrf: Zeroizing::new(String::new()),
                    step: pending::Step::SignIn,
                    created_at: app.clock.now(),
                    upstream: None,
                },
                peer,
            ),
            Ok(grant) => start_sign_in(app, segment, grant, peer),
            Err(refusal) => authorize_refused(refusal),
        },
    )
    .await
}

/// The parameters of an authorization request, as `/oauth2/authorize` reads them (and
/// `/logout`, `/signup` and `/forgotPassword` when they carry one).
fn authorize_request(params: &Fields) -> AuthorizeRequest<'_> {
    AuthorizeRequest {
        response_type: get_param(params, "response_type"),
        client_id: get_param(params, "client_id"),
        redirect_uri: get_param(params, "redirect_uri"),
        scope: get_param(params, "scope"),
        state: get_param(params, "state"),
        nonce: get_param(params, "nonce"),
        code_challenge: get_param(params, "code_challenge"),
        code_challenge_method: get_param(params, "code_challenge_method"),
        identity_provider: get_param(params, "identity_provider"),
        idp_identifier: get_param(params, "idp_identifier"),
    }
}

/// A refused authorization request: a page, or the error sent to the client's
/// registered redirect URI in its query (for either response type, as Cognito's
/// documented answers show it).
fn authorize_refused(refusal: AuthorizeRefusal) -> Response {
    match refusal {
        AuthorizeRefusal::Page(message) => {
            page_error(StatusCode::BAD_REQUEST, "Sign-in error", &message)
        }
        AuthorizeRefusal::Redirect {
            redirect_uri,
            error,
            state,
        } => {
            let mut query = vec![("error", error.as_str())];
            if let Some(state) = &state {
                query.push(("state", state.as_str()));
            }
            redirect(&with_query(&redirect_uri, &query), None)
        }
        AuthorizeRefusal::Failed(e) => {
            let status = if e.kind() == userpool_core::ErrorCode::TooManyRequests {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::INTERNAL_SERVER_ERROR
            };
            page_error(status, "Sign-in error", &e.to_string())
        }
    }
}

/// Holds the accepted request and shows the sign-in page, with its CSRF cookie.
fn start_sign_in(
    app: &App,
    segment: &str,
    grant: AuthorizeGrant,
    peer: Option<SocketAddr>,
) -> Response {
    match hold_sign_in(app, grant, peer) {
        Ok((id, pending)) => sign_in_page(app, segment, &id, &pending, None, "", StatusCode::OK),
        Err(refused) => *refused,
    }
}

/// Holds the accepted request `grant` as a new pending sign-in of the browser at `peer`:
/// its id and CSRF token drawn here.
fn hold_sign_in(
    app: &App,
    grant: AuthorizeGrant,
    peer: Option<SocketAddr>,
) -> Result<(String, Pending), Box<Response>> {
    let random = userpool::OsRandom;
    let (Some(id), Some(csrf)) = (random_token(&random), random_token(&random)) else {
        return Err(Box::new(internal_page()));
    };
    let pending = Pending {
        grant,
        csrf: Zeroizing::new(csrf),
        step: pending::Step::SignIn,
        created_at: app.clock.now(),
        upstream: None,
    };
    app.pending.insert(
        id.clone(),
        pending.clone(),
        app.clock.now(),
        peer.map(|p| p.ip()),
    );
    Ok((id, pending))
}

/// The `Set-Cookie` value of the CSRF cookie of the pending request `id`: `value` for
/// `max_age` seconds (0 clears it), scoped to the pool's path as the request addressed it,
/// `HttpOnly`, `SameSite=Lax`, and `Secure` when the server is reached over HTTPS (its
/// issuer says so).
fn cookie(
    app: &App,
    pool: &PoolRecord,
    segment: &str,
    id: &str,
    value: &str,
    max_age: i64,
) -> String {
    let secure = if app.tokens.issuer(&pool.id).starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{CSRF_COOKIE}_{id}={value}; Path=/{segment}; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    )
}

fn csrf_cookie(app: &App, segment: &str, id: &str, pending: &Pending) -> String {
    cookie(
        app,
        &pending.grant.pool,
        segment,
        id,
        pending.csrf.as_str(),
        pending::PENDING_LIFETIME.num_seconds(),
    )
}

fn page_form<'a>(
    pending: &'a Pending,
    action: &'a str,
    id: &'a str,
    error: Option<&'a str>,
) -> page::Form<'a> {
    page::Form {
        pool_name: &pending.grant.pool.name,
        action,
        request: id,
        csrf: &pending.csrf,
        error,
    }
}

fn sign_in_page(
    app: &App,
    segment: &str,
    id: &str,
    pending: &Pending,
    error: Option<&str>,
    username: &str,
    status: StatusCode,
) -> Response {
    sign_in_page_with(app, segment, id, pending, error, None, username, status)
}

/// The sign-in page, with a notice (a finished sign-up or reset) and the links to the
/// sign-up and forgotten-password pages the pool allows.
#[allow(clippy::too_many_arguments)] // the page's parts, each distinct
fn sign_in_page_with(
    app: &App,
    segment: &str,
    id: &str,
    pending: &Pending,
    error: Option<&str>,
    notice: Option<&str>,
    username: &str,
    status: StatusCode,
) -> Response {
    let action = format!("/{segment}/login");
    let form = page_form(pending, &action, id, error);
    let providers = &pending.grant.external_providers;
    let sign_in = if !pending.grant.password_sign_in {
        page::choose_provider(&form, providers)
    } else if providers.is_empty() {
        page::sign_in(&form, username)
    } else {
        // The providers' buttons below the password form.
        page::sign_in(&form, username).replacen(
            "</main>",
            &format!("{}</main>", page::provider_buttons(&form, providers)),
            1,
        )
    };
    let page = page::with_notice(sign_in, notice);
    let pool = &pending.grant.pool;
    let sign_up = (!pool.settings.admin_create_user.allow_admin_create_user_only)
        .then(|| with_query(&format!("/{segment}/signup"), &[("request", id)]));
    let forgot = (!pool
        .settings
        .account_recovery
        .as_ref()
        .is_some_and(userpool_core::settings::AccountRecoverySetting::admin_only))
    .then(|| with_query(&format!("/{segment}/forgotPassword"), &[("request", id)]));
    let page = page::with_account_links(page, sign_up.as_deref(), forgot.as_deref());
    html(status, page, Some(csrf_cookie(app, segment, id, pending)))
}

/// What the page says for a refused sign-in: Cognito's message, except that an unknown
/// user reads as a wrong password (the page never tells which usernames exist).
fn sign_in_message(error: &PoolError) -> String {
    match error {
        PoolError::UserNotFound => NotAuthorized::IncorrectCredentials.to_string(),
        PoolError::Internal(_) => "An internal error occurred.".to_owned(),
        other => other.to_string(),
    }
}

fn internal_page() -> Response {
    page_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Sign-in error",
        "An internal error occurred.",
    )
}

fn expired_page() -> Response {
    page_error(
        StatusCode::BAD_REQUEST,
        "Sign-in error",
        "This sign-in request has expired. Start again from the application.",
    )
}

type Fields = BTreeMap<String, Zeroizing<String>>;

/// The user signed in: for the code flow a code for the accepted request and the
/// redirect with it in the query; for the implicit flow the tokens in the fragment.
fn finish(
    app: &App,
    segment: &str,
    id: &str,
    pending: &Pending,
    user: &userpool::UserDescription,
) -> Response {
    // Taken before anything is issued: two concurrent posts of one request get one code.
    if app.pending.take(id).is_none() {
        return expired_page();
    }
    // The path the cookie was set with: the pool's domain when the request named it.
    let clear = cookie(app, &pending.grant.pool, segment, id, "", 0);
    grant_redirect(app, pending, user, Some(clear))
}

/// The redirect that ends `pending`'s request signed in as `user`: for the code flow a
/// code in the query, for the implicit flow the tokens in the fragment (with the
/// client's `state` either way). `cookie` is set with it (the CSRF cookie's clearing).
fn grant_redirect(
    app: &App,
    pending: &Pending,
    user: &userpool::UserDescription,
    cookie: Option<String>,
) -> Response {
    let grant = &pending.grant;
    if grant.flow == OAuthFlow::Implicit {
        let issued = match app.tokens.issue_implicit(
            &grant.pool.id,
            &grant.client_id,
            user,
            &grant.scopes,
            grant.nonce.as_deref(),
        ) {
            Ok(issued) => issued,
            Err(e) => {
                tracing::error!(error = %e, "cannot issue the implicit grant's tokens");
                return internal_page();
            }
        };
        let expires_in = issued.expires_in.to_string();
        let mut fragment = form_urlencoded::Serializer::new(String::new());
        fragment.append_pair("access_token", &issued.access_token);
        if grant.scopes.iter().any(|s| s == "openid") {
            fragment.append_pair("id_token", &issued.id_token);
        }
        fragment.append_pair("token_type", "Bearer");
        fragment.append_pair("expires_in", &expires_in);
        if let Some(state) = &grant.state {
            fragment.append_pair("state", state);
        }
        let location = Zeroizing::new(format!("{}#{}", grant.redirect_uri, fragment.finish()));
        return redirect(&location, cookie);
    }
    let saved = app
        .tokens
        .new_authorization_code()
        .and_then(|(code, digest)| {
            app.pools
                .save_authorization_code(grant, user.sub, digest)
                .map(|()| code)
        });
    let code = match saved {
        Ok(code) => code,
        Err(e) => {
            tracing::error!(error = %e, "cannot issue an authorization code");
            return internal_page();
        }
    };
    let mut query = vec![("code", code.as_str())];
    if let Some(state) = &grant.state {
        query.push(("state", state.as_str()));
    }
    redirect(&with_query(&grant.redirect_uri, &query), cookie)
}

// ---- the token endpoint -----------------------------------------------------------------

/// The client's credentials: HTTP Basic, or `client_id` (and `client_secret`) in the form;
/// both at once is `invalid_request` (RFC 6749 §2.3).
fn client_credentials_of(
    headers: &HeaderMap,
    form: &BTreeMap<String, Zeroizing<String>>,
) -> Result<(String, Option<Zeroizing<String>>), OAuthError> {
    // The scheme's name is case-insensitive (RFC 9110 §11.1).
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"))
        .map(|(_, credentials)| credentials);
    if let Some(encoded) = basic {
        if form.contains_key("client_secret") {
            return Err(OAuthError::InvalidRequest);
        }
        let decoded = Zeroizing::new(
            Base64::decode_vec(encoded.trim()).map_err(|_| OAuthError::InvalidClient)?,
        );
        let text = std::str::from_utf8(&decoded).map_err(|_| OAuthError::InvalidClient)?;
        let (id, secret) = text.split_once(':').ok_or(OAuthError::InvalidClient)?;
        let decode = |s: &str| -> String {
            form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        if let Some(form_id) = get_param(form, "client_id")
            && form_id != decode(id)
        {
            return Err(OAuthError::InvalidClient);
        }
        // An empty password is no secret: a public client may authenticate as `id:`.
        let secret = Zeroizing::new(decode(secret));
        return Ok((decode(id), (!secret.is_empty()).then_some(secret)));
    }
    let id = get_param(form, "client_id").ok_or(OAuthError::InvalidClient)?;
    let secret = get_param(form, "client_secret").map(|s| Zeroizing::new(s.to_owned()));
    Ok((id.to_owned(), secret))
}

/// `POST /oauth2/token`: the grant its `grant_type` names.
fn token_grant(
    app: &App,
    pool: &PoolRecord,
    client: &userpool::ClientRecord,
    form: &Fields,
    grant_type: &str,
) -> Response {
    match grant_type {
        "authorization_code" => authorization_code_grant(app, pool, client, form),
        "refresh_token" => refresh_token_grant(app, pool, client, form),
        "client_credentials" => client_credentials_grant(app, pool, client, form),
        _ => oauth_error(OAuthError::UnsupportedGrantType),
    }
}

fn client_credentials_grant(
    app: &App,
    pool: &PoolRecord,
    client: &userpool::ClientRecord,
    form: &Fields,
) -> Response {
    let scopes = match app
        .pools
        .client_credentials_scopes(client, get_param(form, "scope"))
    {
        Ok(scopes) => scopes,
        Err(refusal) => return token_refusal(refusal),
    };
    match app
        .tokens
        .client_credentials(&pool.id, &client.client_id, &scopes)
    {
        Ok(token) => json_response(
            StatusCode::OK,
            &json!({
                "access_token": token.access_token,
                "expires_in": token.expires_in,
                "token_type": "Bearer",
            }),
        ),
        Err(e) => failed(&e),
    }
}

fn authorization_code_grant(
    app: &App,
    pool: &PoolRecord,
    client: &userpool::ClientRecord,
    form: &BTreeMap<String, Zeroizing<String>>,
) -> Response {
    let digest = get_param(form, "code").map(Tokens::authorization_code_digest);
    let grant = match app.pools.exchange_authorization_code(
        client,
        digest,
        get_param(form, "redirect_uri"),
        get_param(form, "code_verifier"),
    ) {
        Ok(grant) => grant,
        Err(refusal) => return token_refusal(refusal),
    };
    let code = &grant.code;
    match app.tokens.issue_oauth_session(
        grant.session_id(),
        &pool.id,
        &client.client_id,
        &grant.user,
        &code.scopes,
        code.nonce.as_deref(),
        code.auth_time,
    ) {
        Ok(issued) => {
            let mut body = json!({
                "access_token": issued.access_token,
                "refresh_token": issued.refresh_token,
                "expires_in": issued.expires_in,
                "token_type": issued.token_type,
            });
            if code.scopes.iter().any(|s| s == "openid") {
                body["id_token"] = json!(issued.id_token);
            }
            json_response(StatusCode::OK, &body)
        }
        Err(e) => failed(&e),
    }
}

fn refresh_token_grant(
    app: &App,
    pool: &PoolRecord,
    client: &userpool::ClientRecord,
    form: &BTreeMap<String, Zeroizing<String>>,
) -> Response {
    let Some(refresh_token) = get_param(form, "refresh_token") else {
        return oauth_error(OAuthError::InvalidRequest);
    };
    let session = match app
        .tokens
        .session_for_refresh(&pool.id, &client.client_id, refresh_token)
    {
        Ok(session) => session,
        Err(PoolError::NotAuthorized(_)) => return oauth_error(OAuthError::InvalidGrant),
        Err(e) => return failed(&e),
    };
    if let Err(e) = app
        .pools
        .limit_username(&client.client_id, &session.sub.to_string())
    {
        return failed(&e);
    }
    let user = match app.pools.oauth_refresh_user(&pool.id, session.sub) {
        Ok(user) => user,
        Err(refusal) => return token_refusal(refusal),
    };
    match app.tokens.reissue(&session, &user) {
        Ok(issued) => {
            let mut body = json!({
                "access_token": issued.access_token,
                "expires_in": issued.expires_in,
                "token_type": issued.token_type,
            });
            if session.scopes.is_empty() || session.scopes.iter().any(|s| s == "openid") {
                body["id_token"] = json!(issued.id_token);
            }
            json_response(StatusCode::OK, &body)
        }
        Err(e) => failed(&e),
    }
}

// ---- userInfo, revoke, logout -----------------------------------------------------------

fn bearer_refused() -> Response {
    let mut response = json_response(
        StatusCode::UNAUTHORIZED,
        &json!({ "error": "invalid_token", "error_description": "Access token is not valid" }),
    );
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer error=\"invalid_token\""),
    );
    response
}

/// The token of an `Authorization: Bearer <token>` value. The scheme's name is
/// case-insensitive (RFC 7235 §2.1, which RFC 6750 follows), so `bearer` is as good.
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

async fn user_info(
    State(app): State<Arc<App>>,
    Path(segment): Path<String>,
    request: Request,
) -> Response {
    let peer = crate::serve::peer(request.extensions());
    let token = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token)
        .map(|t| Zeroizing::new(t.to_owned()));
    blocking(&app, move |app| {
        if let Err(e) = limit_address(app, peer) {
            return failed(&e);
        }
        let Some(token) = token else {
            return bearer_refused();
        };
        let pool = match app.pools.oauth_pool(&segment) {
            Ok(pool) => pool,
            Err(e) => return failed(&e),
        };
        let claims = match app.tokens.verify_access(&token) {
            Ok(claims) if claims.pool_id == pool.id => claims,
            Ok(_) | Err(PoolError::NotAuthorized(_)) => return bearer_refused(),
            Err(e) => return failed(&e),
        };
        // Cognito's userInfo needs `openid` among the token's scopes: an access token of
        // the API (InitiateAuth), whose only scope is `aws.cognito.signin.user.admin`, or
        // one of the token endpoint without `openid`, reads nothing.
        if !claims.scopes.iter().any(|s| s == "openid") {
            return bearer_refused();
        }
        let user = match app.pools.get_user_by_sub(pool.id.as_str(), claims.sub) {
            Ok(user) if user.enabled => user,
            Ok(_) | Err(PoolError::UserNotFound) => return bearer_refused(),
            Err(e) => return failed(&e),
        };
        let mut body = serde_json::Map::new();
        let answered = user
            .attributes
            .iter()
            .filter(|(name, _)| userpool_core::oauth::user_info_allows(&claims.scopes, name));
        // Every value as the string the pool stores, the verified flags included
        // (`"email_verified": "true"`): Cognito's documented answer, which OIDC clients
        // written against Cognito expect.
        for (name, value) in answered {
            body.insert(name.clone(), json!(value));
        }
        body.insert("sub".into(), json!(user.sub.to_string()));
        body.insert("username".into(), json!(user.username));
        json_response(StatusCode::OK, &Value::Object(body))
    })
    .await
}

/// A revocation's answer: HTTP 200 with an empty body, as Cognito's.
fn revoked() -> Response {
    let mut response = StatusCode::OK.into_response();
    no_store(&mut response);
    response
}

/// `POST /oauth2/revoke`: revokes the refresh token `token` of `client`.
fn revoke(
    app: &App,
    pool: &PoolRecord,
    client: &userpool::ClientRecord,
    _form: &Fields,
    token: &str,
) -> Response {
    // Cognito revokes refresh tokens only: an access or id token (a JWS, three
    // dot-separated parts; a refresh token has no dot) is `unsupported_token_type`.
    if token.split('.').count() == 3 {
        return oauth_error(OAuthError::UnsupportedTokenType);
    }
    match app.tokens.session_of_refresh_token(&pool.id, token) {
        // RFC 7009 §2.2: an unknown token is answered as revoked.
        Ok(None) => revoked(),
        Ok(Some(session)) if session.client_id != client.client_id => {
            oauth_error(OAuthError::UnauthorizedClient)
        }
        Ok(Some(session)) => match app.tokens.revoke_session(&session) {
            Ok(()) => revoked(),
            Err(e) => failed(&e),
        },
        Err(e) => failed(&e),
    }
}

async fn logout(
    State(app): State<Arc<App>>,
    Path(segment): Path<String>,
    request: Request,
) -> Response {
    let peer = crate::serve::peer(request.extensions());
    let title = "Sign-out error";
    pool_page_get(
        &app,
        segment,
        request,
        title,
        move |app, segment, pool, params| {
            // Cognito's second form: `redirect_uri` and `response_type` (no `logout_uri`)
            // sign out and show the sign-in page of that authorization request, accepted
            // (or refused) as `/oauth2/authorize` would.
            if get_param(&params, "logout_uri").is_none()
                && get_param(&params, "redirect_uri").is_some()
            {
                if let Err(refusal) =
                    app.pools
                        .oauth_logout(&pool, get_param(&params, "client_id"), None)
                {
                    return logout_refused(refusal);
                }
                return match app
                    .pools
                    .oauth_authorize(&pool, &authorize_request(&params))
                {
                    Ok(grant) => start_sign_in(app, segment, grant, peer),
                    Err(refusal) => authorize_refused(refusal),
                };
            }
            // The hosted page keeps no sign-in session, so there is no cookie to end.
            match app.pools.oauth_logout(
                &pool,
                get_param(&params, "client_id"),
                get_param(&params, "logout_uri"),
            ) {
                Ok(Some(uri)) => redirect(&uri, None),
                Ok(None) => html(StatusCode::OK, page::signed_out(&pool.name), None),
                Err(refusal) => logout_refused(refusal),
            }
        },
    )
    .await
}

fn logout_refused(refusal: AuthorizeRefusal) -> Response {
    match refusal {
        AuthorizeRefusal::Page(message) => {
            page_error(StatusCode::BAD_REQUEST, "Sign-out error", &message)
        }
        // oauth_logout never sends a refusal to a client's URL; were it to, the page is
        // the safe answer.
        AuthorizeRefusal::Redirect { .. } => page_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Sign-out error",
            "An internal error occurred.",
        ),
        AuthorizeRefusal::Failed(e) => {
            tracing::error!(error = %e, detail = ?std::error::Error::source(&e), "logout failed");
            page_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Sign-out error",
                "An internal error occurred.",
            )
        }
    }
}
