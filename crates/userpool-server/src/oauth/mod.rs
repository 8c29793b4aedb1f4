//! The OAuth 2.0 and OpenID Connect endpoints and the hosted sign-in page (SPEC §21),
//! path-based per pool under the pool's issuer; the pool's domain works in place of its
//! id:
//!
//! | path | | module |
//! |---|---|---|
//! | `GET /<pool>/.well-known/openid-configuration` | discovery | `discovery` |
//! | `GET /<pool>/oauth2/authorize` | code flow with PKCE, implicit flow: shows the sign-in page | `authorize`, `sign_in` |
//! | `POST /<pool>/login` | the sign-in page's form (and the new-password form) | `steps` |
//! | `POST /<pool>/mfa` | the MFA code, the choice of factor, a new TOTP's first code | `steps` |
//! | `GET, POST /<pool>/signup`, `POST /<pool>/confirmUser`, `POST /<pool>/resendCode` | sign-up and its confirmation | `steps` |
//! | `GET, POST /<pool>/forgotPassword`, `POST /<pool>/confirmForgotPassword` | password reset | `steps` |
//! | `POST /<pool>/oauth2/token` | `authorization_code`, `refresh_token`, `client_credentials` | `token` |
//! | `GET, POST /<pool>/oauth2/userInfo` | the user's claims for a bearer access token | `user_info` |
//! | `POST /<pool>/oauth2/revoke` | revokes a refresh token | `revoke` |
//! | `GET /<pool>/logout` | redirects to a registered logout URL, or shows the sign-in page again | `logout` |
//! | `GET /<pool>/oauth2/idpresponse` | an external OIDC provider's answer | [`federation`] |
//!
//! This module holds the routes and what the endpoints share: reading queries and forms,
//! the limits, the JSON and HTML answers, and the client authentication of the token and
//! revoke endpoints.
//!
//! Every decision is the service's ([`userpool::UserPools::oauth_authorize`], ...); this
//! module reads HTTP and writes HTTP. Every endpoint anyone may call takes the
//! per-address limit first (SPEC §13), then the service's pool quota; the sign-in form
//! also the per-username limit and the lockout. Bodies are capped at [`MAX_FORM_BYTES`].

mod authorize;
mod discovery;
pub mod federation;
mod logout;
pub mod page;
pub mod pending;
mod revoke;
mod sign_in;
mod steps;
mod token;
mod user_info;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter, on};
use base64ct::{Base64, Base64UrlUnpadded, Encoding};
use serde_json::{Value, json};
use userpool::{PoolRecord, TokenRefusal};
use userpool_core::Error as PoolError;
use userpool_core::oauth::OAuthError;
use zeroize::Zeroizing;

use crate::App;
use crate::error::Error;
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
            pool_route(MethodFilter::GET, discovery::discovery),
        )
        .route(
            "/{pool_id}/oauth2/authorize",
            pool_route(MethodFilter::GET, authorize::authorize),
        )
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
            client_form_route("grant_type", token::token_grant),
        )
        .route(
            "/{pool_id}/oauth2/userInfo",
            pool_route(
                MethodFilter::GET.or(MethodFilter::POST),
                user_info::user_info,
            ),
        )
        .route(
            "/{pool_id}/oauth2/revoke",
            client_form_route("token", revoke::revoke),
        )
        .route(
            "/{pool_id}/logout",
            pool_route(MethodFilter::GET, logout::logout),
        )
        .route(
            "/{pool_id}/oauth2/idpresponse",
            pool_route(MethodFilter::GET, federation::idp_response).merge(pool_route(
                MethodFilter::POST,
                federation::idp_response_post,
            )),
        )
}

// ---- plumbing ---------------------------------------------------------------------------

/// The route of an endpoint under a pool's path answering `methods`: `handler` with the
/// app, the path's pool segment (the pool's id or domain) and the request.
fn pool_route<F, Answer>(methods: MethodFilter, handler: F) -> MethodRouter<Arc<App>>
where
    F: Fn(Arc<App>, String, Request) -> Answer + Clone + Send + Sync + 'static,
    Answer: Future<Output = Response> + Send + 'static,
{
    on(
        methods,
        move |State(app): State<Arc<App>>, Path(segment): Path<String>, request: Request| {
            handler(app, segment, request)
        },
    )
}

/// The pairs of a query string or a form.
type Fields = BTreeMap<String, Zeroizing<String>>;

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
    f: impl FnOnce(&App, Fields, Option<SocketAddr>) -> Response + Send + 'static,
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
            Ok(params) => f(app, params, peer),
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
    f: impl FnOnce(&App, &str, PoolRecord, Fields, Option<SocketAddr>) -> Response + Send + 'static,
) -> Response {
    page_get(
        app,
        request,
        title,
        move |app, params, peer| match page_pool(app, &segment, title) {
            Ok(pool) => f(app, &segment, pool, params, peer),
            Err(page) => *page,
        },
    )
    .await
}

/// A request to the token or revoke endpoint from a client that authenticated: the pool
/// its path names, the client, and the form.
struct ClientRequest<'a> {
    app: &'a App,
    pool: &'a PoolRecord,
    client: &'a userpool::ClientRecord,
    form: &'a Fields,
}

/// What a client-authenticated endpoint does with its request and the value of its
/// required member.
type ClientFormAnswer = fn(&ClientRequest<'_>, &str) -> Response;

/// The route of an endpoint a client calls with its credentials (the token and revoke
/// endpoints): a POST read by [`client_form`], `required` its required member, answered by
/// `answer`.
fn client_form_route(required: &'static str, answer: ClientFormAnswer) -> MethodRouter<Arc<App>> {
    pool_route(
        MethodFilter::POST,
        move |app, segment, request| async move {
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
            Ok(client) => {
                let request = ClientRequest {
                    app,
                    pool: &pool,
                    client: &client,
                    form: &form,
                };
                f(&request, value)
            }
            Err(refusal) => token_refusal(refusal),
        }
    })
    .await
}

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
