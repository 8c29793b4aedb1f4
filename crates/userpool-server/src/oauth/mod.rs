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
//! | `GET, POST /<pool>/signup`, `POST /<pool>/confirmUser` | sign-up and its confirmation |
//! | `GET, POST /<pool>/forgotPassword`, `POST /<pool>/confirmForgotPassword` | password reset |
//! | `POST /<pool>/oauth2/token` | `authorization_code`, `refresh_token`, `client_credentials` |
//! | `GET, POST /<pool>/oauth2/userInfo` | the user's claims for a bearer access token |
//! | `POST /<pool>/oauth2/revoke` | revokes a refresh token |
//! | `GET /<pool>/logout` | redirects to a registered logout URL, or shows the sign-in page again |
//!
//! Every decision is the service's ([`userpool::UserPools::oauth_authorize`], ...); this
//! module reads HTTP and writes HTTP. Every endpoint anyone may call takes the
//! per-address limit first (SPEC §13), then the service's pool quota; the sign-in form
//! also the per-username limit and the lockout. Bodies are capped at [`MAX_FORM_BYTES`].

pub mod page;
pub mod pending;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64ct::{Base64, Base64UrlUnpadded, Encoding};
use serde_json::{Value, json};
use userpool::MfaAnswer;
use userpool::tokens::Tokens;
use userpool::{
    AuthResult, AuthorizeGrant, AuthorizeRefusal, AuthorizeRequest, PoolRecord, TokenRefusal,
};
use userpool_core::mfa::{MfaChallengeName, MfaFactor};
use userpool_core::oauth::{OAuthError, OAuthFlow};
use userpool_core::{Error as PoolError, ErrorCode, NotAuthorized};
use zeroize::Zeroizing;

use crate::App;
use crate::error::Error;
use pending::Pending;

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
        .route("/{pool_id}/login", post(login))
        .route("/{pool_id}/mfa", post(mfa_post))
        .route("/{pool_id}/signup", get(sign_up_get).post(sign_up_post))
        .route("/{pool_id}/confirmUser", post(confirm_user_post))
        .route(
            "/{pool_id}/forgotPassword",
            get(forgot_get).post(forgot_post),
        )
        .route(
            "/{pool_id}/confirmForgotPassword",
            post(confirm_forgot_post),
        )
        .route("/{pool_id}/oauth2/token", post(token))
        .route("/{pool_id}/oauth2/userInfo", get(user_info).post(user_info))
        .route("/{pool_id}/oauth2/revoke", post(revoke))
        .route("/{pool_id}/logout", get(logout))
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

fn no_store(response: &mut Response) {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
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
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
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
async fn read_form(body: Body) -> Result<Bytes, Error> {
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
    let query = request.uri().query().unwrap_or_default().to_owned();
    if query.len() > MAX_QUERY_BYTES {
        return page_error(
            StatusCode::BAD_REQUEST,
            "Sign-in error",
            "The request is too large.",
        );
    }
    blocking(&app, move |app| {
        if let Err(e) = limit_address(app, peer) {
            return page_error(
                StatusCode::TOO_MANY_REQUESTS,
                "Sign-in error",
                &e.to_string(),
            );
        }
        let Some(params) = pairs(query.as_bytes()) else {
            return page_error(
                StatusCode::BAD_REQUEST,
                "Sign-in error",
                "A parameter is repeated.",
            );
        };
        let pool = match app.pools.oauth_pool(&segment) {
            Ok(pool) => pool,
            Err(e) => return page_error(StatusCode::NOT_FOUND, "Sign-in error", &e.to_string()),
        };
        match app
            .pools
            .oauth_authorize(&pool, &authorize_request(&params))
        {
            Ok(grant) => start_sign_in(app, &segment, grant, peer),
            Err(refusal) => authorize_refused(refusal),
        }
    })
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
    let random = userpool::OsRandom;
    let (Some(id), Some(csrf)) = (random_token(&random), random_token(&random)) else {
        return page_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Sign-in error",
            "An internal error occurred.",
        );
    };
    let pending = Pending {
        grant,
        csrf: Zeroizing::new(csrf),
        step: pending::Step::SignIn,
        created_at: app.clock.now(),
    };
    let response = sign_in_page(app, segment, &id, &pending, None, "", StatusCode::OK);
    app.pending
        .insert(id, pending, app.clock.now(), peer.map(|p| p.ip()));
    response
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
    let page = page::with_notice(page::sign_in(&form, username), notice);
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

/// The page of the pending request's current step (the sign-in page for
/// [`pending::Step::SignIn`]); 400 with an error, 200 without.
fn step_page(
    app: &App,
    segment: &str,
    id: &str,
    pending: &Pending,
    error: Option<&str>,
) -> Response {
    use pending::Step;
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let body = match &pending.step {
        Step::SignIn => {
            return sign_in_page(app, segment, id, pending, error, "", status);
        }
        Step::NewPassword { .. } => {
            let action = format!("/{segment}/login");
            page::new_password(&page_form(pending, &action, id, error))
        }
        Step::Mfa {
            name, destination, ..
        } => {
            let action = format!("/{segment}/mfa");
            let form = page_form(pending, &action, id, error);
            match name {
                MfaChallengeName::SelectMfaType => page::select_mfa(&form, &mfa_choices(pending)),
                MfaChallengeName::SmsMfa => page::mfa_code(&form, destination.as_deref()),
                _ => page::mfa_code(&form, None),
            }
        }
        Step::MfaSetup {
            username, secret, ..
        } => {
            let action = format!("/{segment}/mfa");
            let form = page_form(pending, &action, id, error);
            let uri = Zeroizing::new(otpauth_uri(&pending.grant.pool.name, username, secret));
            let qr = qr_svg(&uri);
            page::mfa_setup(&form, secret, &uri, qr.as_ref().map(|q| q.as_str()))
        }
        Step::ConfirmSignUp { destination, .. } => {
            let action = format!("/{segment}/confirmUser");
            page::confirm_sign_up(
                &page_form(pending, &action, id, error),
                destination.as_deref(),
            )
        }
        Step::ResetPassword { destination, .. } => {
            let action = format!("/{segment}/confirmForgotPassword");
            page::confirm_forgot_password(&page_form(pending, &action, id, error), destination)
        }
    };
    html(status, body, Some(csrf_cookie(app, segment, id, pending)))
}

/// The choices of a SELECT_MFA_TYPE step, as `(value, label)`.
fn mfa_choices(pending: &Pending) -> Vec<(&'static str, &'static str)> {
    let pending::Step::Mfa { options, .. } = &pending.step else {
        return Vec::new();
    };
    options
        .iter()
        .map(|f| match f {
            MfaFactor::SoftwareToken => ("SOFTWARE_TOKEN_MFA", "Authenticator app"),
            MfaFactor::Sms => ("SMS_MFA", "Text message (SMS)"),
        })
        .collect()
}

/// The key URI authenticator apps read (`otpauth://totp/<issuer>:<user>?secret=...`):
/// the pool's name as the issuer, the username as the account.
fn otpauth_uri(issuer: &str, username: &str, secret: &str) -> String {
    let encode = |text: &str| {
        form_urlencoded::byte_serialize(text.as_bytes())
            .collect::<String>()
            .replace('+', "%20")
    };
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("secret", secret)
        .append_pair("issuer", issuer)
        .finish()
        .replace('+', "%20");
    format!(
        "otpauth://totp/{}:{}?{query}",
        encode(issuer),
        encode(username)
    )
}

/// The QR code of `uri` as inline SVG (black modules on white, a quiet zone), for an
/// authenticator app's camera; `None` if the URI is too long for a QR code. It encodes
/// the secret, so it is wiped like the secret.
fn qr_svg(uri: &str) -> Option<Zeroizing<String>> {
    let code = qrcode::QrCode::new(uri.as_bytes()).ok()?;
    let svg = Zeroizing::new(
        code.render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build(),
    );
    // The renderer writes a standalone document: inline in HTML, only the element.
    let start = svg.find("<svg")?;
    Some(Zeroizing::new(svg[start..].to_owned()))
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

/// What the sign-up, confirmation and reset pages say for a refusal: the service's own
/// message (which already follows the client's PreventUserExistenceErrors, as the API's
/// answers do), except an internal error's detail.
fn account_message(error: &PoolError) -> String {
    match error {
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

/// The forms of the hosted pages, each posted to its own path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Post {
    /// `/login`: username and password, or the new password of NEW_PASSWORD_REQUIRED.
    Login,
    /// `/mfa`: an MFA code, the chosen factor, or the first code of a new TOTP.
    Mfa,
    /// `/signup`.
    SignUp,
    /// `/confirmUser`: the sign-up's confirmation code.
    ConfirmUser,
    /// `/forgotPassword`: the username to send a reset code for.
    Forgot,
    /// `/confirmForgotPassword`: the code and the new password.
    ConfirmForgot,
}

async fn login(
    State(app): State<Arc<App>>,
    Path(segment): Path<String>,
    request: Request,
) -> Response {
    step_post(app, segment, request, Post::Login).await
}

async fn mfa_post(
    State(app): State<Arc<App>>,
    Path(segment): Path<String>,
    request: Request,
) -> Response {
    step_post(app, segment, request, Post::Mfa).await
}

async fn sign_up_post(
    State(app): State<Arc<App>>,
    Path(segment): Path<String>,
    request: Request,
) -> Response {
    step_post(app, segment, request, Post::SignUp).await
}

async fn confirm_user_post(
    State(app): State<Arc<App>>,
    Path(segment): Path<String>,
    request: Request,
) -> Response {
    step_post(app, segment, request, Post::ConfirmUser).await
}

async fn forgot_post(
    State(app): State<Arc<App>>,
    Path(segment): Path<String>,
    request: Request,
) -> Response {
    step_post(app, segment, request, Post::Forgot).await
}

async fn confirm_forgot_post(
    State(app): State<Arc<App>>,
    Path(segment): Path<String>,
    request: Request,
) -> Response {
    step_post(app, segment, request, Post::ConfirmForgot).await
}

async fn sign_up_get(
    State(app): State<Arc<App>>,
    Path(segment): Path<String>,
    request: Request,
) -> Response {
    account_page(app, segment, request, true).await
}

async fn forgot_get(
    State(app): State<Arc<App>>,
    Path(segment): Path<String>,
    request: Request,
) -> Response {
    account_page(app, segment, request, false).await
}

/// A post of one of the hosted pages: the per-address limit, the pending request (live,
/// single-use) and its CSRF token (form and cookie) first, then the step.
async fn step_post(app: Arc<App>, segment: String, request: Request, kind: Post) -> Response {
    let (parts, body) = request.into_parts();
    let peer = crate::serve::peer(&parts.extensions);
    let headers = parts.headers;
    let body = match read_form(body).await {
        Ok(body) => body,
        Err(_) => {
            return page_error(
                StatusCode::BAD_REQUEST,
                "Sign-in error",
                "The form is too large.",
            );
        }
    };
    blocking(&app, move |app| {
        if let Err(e) = limit_address(app, peer) {
            return page_error(
                StatusCode::TOO_MANY_REQUESTS,
                "Sign-in error",
                &e.to_string(),
            );
        }
        let Some(form) = pairs(&body) else {
            return page_error(
                StatusCode::BAD_REQUEST,
                "Sign-in error",
                "A field is repeated.",
            );
        };
        let id = get_param(&form, "request").unwrap_or_default().to_owned();
        let now = app.clock.now();
        let Some(pending) = app.pending.get(&id, now) else {
            return expired_page();
        };
        if !pending.csrf_matches(
            get_param(&form, "_csrf").unwrap_or_default(),
            cookie_value(&headers, &format!("{CSRF_COOKIE}_{id}")),
        ) {
            return page_error(
                StatusCode::FORBIDDEN,
                "Sign-in error",
                "The form could not be verified. Start again from the application.",
            );
        }
        let flow = Flow {
            app,
            segment: &segment,
            id: &id,
        };
        match kind {
            Post::Login => flow.login(pending, &form),
            Post::Mfa => flow.mfa(pending, &form),
            Post::SignUp => flow.sign_up(pending, &form),
            Post::ConfirmUser => flow.confirm_user(pending, &form),
            Post::Forgot => flow.forgot(pending, &form),
            Post::ConfirmForgot => flow.confirm_forgot(pending, &form),
        }
    })
    .await
}

fn expired_page() -> Response {
    page_error(
        StatusCode::BAD_REQUEST,
        "Sign-in error",
        "This sign-in request has expired. Start again from the application.",
    )
}

type Fields = BTreeMap<String, Zeroizing<String>>;

/// One post of one pending request.
struct Flow<'a> {
    app: &'a App,
    segment: &'a str,
    id: &'a str,
}

impl Flow<'_> {
    fn client_id(pending: &Pending) -> &str {
        &pending.grant.client_id
    }

    /// Moves the request to `step` and shows its page.
    fn go(&self, mut pending: Pending, step: pending::Step, error: Option<&str>) -> Response {
        pending.step = step;
        self.app.pending.update(self.id, pending.clone());
        step_page(self.app, self.segment, self.id, &pending, error)
    }

    /// Back to the sign-in page, with `error` and the username typed.
    fn back_to_sign_in(&self, mut pending: Pending, error: &str, username: &str) -> Response {
        pending.step = pending::Step::SignIn;
        self.app.pending.update(self.id, pending.clone());
        sign_in_page(
            self.app,
            self.segment,
            self.id,
            &pending,
            Some(error),
            username,
            StatusCode::BAD_REQUEST,
        )
    }

    /// The page for what a sign-in step answered: the code (or tokens), or the next step.
    fn answered(&self, pending: Pending, result: AuthResult) -> Response {
        use pending::Step;
        match result {
            AuthResult::Authenticated(user) => {
                finish(self.app, self.segment, self.id, &pending, &user.user)
            }
            AuthResult::NewPasswordRequired { session, user } => self.go(
                pending,
                Step::NewPassword {
                    username: user.username,
                    session: Zeroizing::new(session.expose().to_owned()),
                },
                None,
            ),
            AuthResult::Mfa(challenge) if challenge.name == MfaChallengeName::MfaSetup => {
                self.set_up_totp(pending, &challenge)
            }
            AuthResult::Mfa(challenge) => self.go(
                pending,
                Step::Mfa {
                    name: challenge.name,
                    username: challenge.user.username,
                    session: Zeroizing::new(challenge.session.expose().to_owned()),
                    destination: challenge.delivery.map(|d| d.destination),
                    options: challenge.options,
                },
                None,
            ),
            AuthResult::PasswordVerifier(_) => internal_page(),
        }
    }

    /// MFA_SETUP: associates a TOTP secret with the challenge's session and shows it.
    fn set_up_totp(&self, pending: Pending, challenge: &userpool::MfaChallengeResult) -> Response {
        let username = challenge.user.username.clone();
        if !challenge.options.contains(&MfaFactor::SoftwareToken) {
            // Cognito's hosted UI sets up only an authenticator app: a user who could set
            // up SMS alone needs a phone number first, which only the API can add.
            return self.back_to_sign_in(
                pending,
                "This account must set up multi-factor authentication by SMS, which this page does not offer. Ask an administrator to add a phone number.",
                &username,
            );
        }
        match self
            .app
            .pools
            .associate_software_token_in_session(challenge.session.expose())
        {
            Ok((secret, session)) => self.go(
                pending,
                pending::Step::MfaSetup {
                    username,
                    session: Zeroizing::new(session.expose().to_owned()),
                    secret,
                },
                None,
            ),
            Err(e) => self.back_to_sign_in(pending, &sign_in_message(&e), &username),
        }
    }

    fn login(&self, pending: Pending, form: &Fields) -> Response {
        let client_id = Self::client_id(&pending).to_owned();
        if let (Some(new_password), pending::Step::NewPassword { username, session }) =
            (get_param(form, "new_password"), pending.step.clone())
        {
            if let Err(e) = self.app.pools.limit_username(&client_id, &username) {
                return step_page(
                    self.app,
                    self.segment,
                    self.id,
                    &pending,
                    Some(&e.to_string()),
                );
            }
            return match self.app.pools.respond_to_new_password_required(
                &client_id,
                &username,
                &session,
                new_password,
            ) {
                // SPEC §18: the new password may be followed by an MFA step.
                Ok(result) => self.answered(pending, result),
                Err(
                    e @ (PoolError::InvalidPassword(_)
                    | PoolError::PasswordHistoryPolicyViolation
                    | PoolError::InvalidParameter(_)),
                ) => step_page(
                    self.app,
                    self.segment,
                    self.id,
                    &pending,
                    Some(&e.to_string()),
                ),
                Err(e) => self.back_to_sign_in(pending, &sign_in_message(&e), &username),
            };
        }
        let username = get_param(form, "username").unwrap_or_default().to_owned();
        let password = get_param(form, "password").unwrap_or_default();
        if let Err(e) = self.app.pools.limit_username(&client_id, &username) {
            return sign_in_page(
                self.app,
                self.segment,
                self.id,
                &pending,
                Some(&e.to_string()),
                &username,
                StatusCode::TOO_MANY_REQUESTS,
            );
        }
        // A sign-in restarts the request's flow, whatever step it had reached.
        let mut pending = pending;
        pending.step = pending::Step::SignIn;
        match self
            .app
            .pools
            .hosted_sign_in(&client_id, &username, password)
        {
            Ok(result) => self.answered(pending, result),
            // Both come only after the password was verified (SPEC §6), so they tell the
            // user nothing a stranger could learn; as Cognito's hosted UI, the page goes
            // on to the step that resolves them.
            Err(PoolError::UserNotConfirmed) => self.unconfirmed(pending, &username),
            Err(PoolError::PasswordResetRequired) => self.reset_required(pending, &username),
            Err(e) => self.back_to_sign_in(pending, &sign_in_message(&e), &username),
        }
    }

    /// An UNCONFIRMED user signed in with the right password: a new confirmation code
    /// (ResendConfirmationCode, §12's issuance limit) and the confirmation page.
    fn unconfirmed(&self, pending: Pending, username: &str) -> Response {
        let client_id = Self::client_id(&pending).to_owned();
        match self
            .app
            .pools
            .resend_confirmation_code(&client_id, username)
        {
            Ok(delivery) => self.go(
                pending,
                pending::Step::ConfirmSignUp {
                    username: username.to_owned(),
                    destination: delivery.map(|d| d.destination),
                },
                None,
            ),
            Err(e) => self.back_to_sign_in(pending, &sign_in_message(&e), username),
        }
    }

    /// A RESET_REQUIRED user signed in with the old password: a reset code
    /// (ForgotPassword, refused where only administrators recover accounts) and the reset
    /// page.
    fn reset_required(&self, pending: Pending, username: &str) -> Response {
        let client_id = Self::client_id(&pending).to_owned();
        match self.app.pools.forgot_password(&client_id, username) {
            Ok(delivery) => self.go(
                pending,
                pending::Step::ResetPassword {
                    username: username.to_owned(),
                    destination: delivery.destination,
                },
                None,
            ),
            Err(e) => self.back_to_sign_in(pending, &sign_in_message(&e), username),
        }
    }

    fn mfa(&self, pending: Pending, form: &Fields) -> Response {
        use pending::Step;
        let client_id = Self::client_id(&pending).to_owned();
        let code = get_param(form, "code").unwrap_or_default();
        let (username, session) = match &pending.step {
            Step::Mfa {
                username, session, ..
            }
            | Step::MfaSetup {
                username, session, ..
            } => (username.clone(), session.clone()),
            _ => return step_page(self.app, self.segment, self.id, &pending, None),
        };
        if let Err(e) = self.app.pools.limit_username(&client_id, &username) {
            return step_page(
                self.app,
                self.segment,
                self.id,
                &pending,
                Some(&e.to_string()),
            );
        }
        let answer = match &pending.step {
            Step::MfaSetup { .. } => {
                match self
                    .app
                    .pools
                    .verify_software_token_in_session(&session, code)
                {
                    Ok(verified) => self.app.pools.respond_to_mfa_challenge(
                        &client_id,
                        &username,
                        verified.expose(),
                        MfaAnswer::Setup,
                    ),
                    Err(e) => Err(e),
                }
            }
            Step::Mfa { name, .. } => {
                let answer = match name {
                    MfaChallengeName::SelectMfaType => MfaAnswer::Select {
                        answer: get_param(form, "mfa_type").unwrap_or_default(),
                    },
                    MfaChallengeName::SmsMfa => MfaAnswer::Sms { code },
                    _ => MfaAnswer::SoftwareToken { code },
                };
                self.app
                    .pools
                    .respond_to_mfa_challenge(&client_id, &username, &session, answer)
            }
            _ => return internal_page(),
        };
        match answer {
            Ok(result) => self.answered(pending, result),
            // A wrong code is counted as the API counts it (SPEC §18) and may be tried
            // again on the same page, until the session is spent.
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorCode::CodeMismatch
                        | ErrorCode::EnableSoftwareTokenMfa
                        | ErrorCode::InvalidParameter
                ) =>
            {
                step_page(
                    self.app,
                    self.segment,
                    self.id,
                    &pending,
                    Some(&e.to_string()),
                )
            }
            Err(e) => self.back_to_sign_in(pending, &sign_in_message(&e), &username),
        }
    }

    fn sign_up(&self, pending: Pending, form: &Fields) -> Response {
        let client_id = Self::client_id(&pending).to_owned();
        let username = get_param(form, "username").unwrap_or_default().to_owned();
        let password = get_param(form, "password").unwrap_or_default();
        let values: Vec<(String, String)> = sign_up_attributes(&pending.grant.pool)
            .into_iter()
            .filter_map(|name| {
                get_param(form, name).map(|value| (name.to_owned(), value.to_owned()))
            })
            .collect();
        let attributes: Vec<(&str, &str)> = values
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let show = |pending: &Pending, error: &str| {
            sign_up_page(self.app, self.segment, self.id, pending, Some(error))
        };
        if let Err(e) = self.app.pools.limit_username(&client_id, &username) {
            return show(&pending, &e.to_string());
        }
        match self
            .app
            .pools
            .sign_up(&client_id, &username, password, &attributes)
        {
            Ok(result) if result.user_confirmed => self.signed_up(pending, &username),
            Ok(result) => self.go(
                pending,
                pending::Step::ConfirmSignUp {
                    username,
                    destination: result.code_delivery.map(|d| d.destination),
                },
                None,
            ),
            Err(e) => show(&pending, &account_message(&e)),
        }
    }

    /// The sign-in page after a finished sign-up, the username filled in.
    fn signed_up(&self, mut pending: Pending, username: &str) -> Response {
        pending.step = pending::Step::SignIn;
        self.app.pending.update(self.id, pending.clone());
        sign_in_page_with(
            self.app,
            self.segment,
            self.id,
            &pending,
            None,
            Some("Your account is confirmed. Sign in."),
            username,
            StatusCode::OK,
        )
    }

    fn confirm_user(&self, pending: Pending, form: &Fields) -> Response {
        let pending::Step::ConfirmSignUp { username, .. } = pending.step.clone() else {
            return step_page(self.app, self.segment, self.id, &pending, None);
        };
        let client_id = Self::client_id(&pending).to_owned();
        if let Err(e) = self.app.pools.limit_username(&client_id, &username) {
            return step_page(
                self.app,
                self.segment,
                self.id,
                &pending,
                Some(&e.to_string()),
            );
        }
        let code = get_param(form, "code").unwrap_or_default();
        match self.app.pools.confirm_sign_up(&client_id, &username, code) {
            Ok(()) => self.signed_up(pending, &username),
            Err(e) => step_page(
                self.app,
                self.segment,
                self.id,
                &pending,
                Some(&account_message(&e)),
            ),
        }
    }

    fn forgot(&self, pending: Pending, form: &Fields) -> Response {
        let client_id = Self::client_id(&pending).to_owned();
        let username = get_param(form, "username").unwrap_or_default().to_owned();
        let show = |pending: &Pending, error: &str| {
            forgot_page(self.app, self.segment, self.id, pending, Some(error))
        };
        if let Err(e) = self.app.pools.limit_username(&client_id, &username) {
            return show(&pending, &e.to_string());
        }
        match self.app.pools.forgot_password(&client_id, &username) {
            Ok(delivery) => self.go(
                pending,
                pending::Step::ResetPassword {
                    username,
                    destination: delivery.destination,
                },
                None,
            ),
            Err(e) => show(&pending, &account_message(&e)),
        }
    }

    fn confirm_forgot(&self, pending: Pending, form: &Fields) -> Response {
        let pending::Step::ResetPassword { username, .. } = pending.step.clone() else {
            return step_page(self.app, self.segment, self.id, &pending, None);
        };
        let client_id = Self::client_id(&pending).to_owned();
        if let Err(e) = self.app.pools.limit_username(&client_id, &username) {
            return step_page(
                self.app,
                self.segment,
                self.id,
                &pending,
                Some(&e.to_string()),
            );
        }
        let code = get_param(form, "code").unwrap_or_default();
        let password = get_param(form, "new_password").unwrap_or_default();
        match self
            .app
            .pools
            .confirm_forgot_password(&client_id, &username, code, password)
        {
            Ok(()) => {
                let mut pending = pending;
                pending.step = pending::Step::SignIn;
                self.app.pending.update(self.id, pending.clone());
                sign_in_page_with(
                    self.app,
                    self.segment,
                    self.id,
                    &pending,
                    None,
                    Some("Your password has been reset. Sign in with the new password."),
                    &username,
                    StatusCode::OK,
                )
            }
            Err(e) => step_page(
                self.app,
                self.segment,
                self.id,
                &pending,
                Some(&account_message(&e)),
            ),
        }
    }
}

/// The sign-up page: the pool's required attributes besides username and password.
fn sign_up_page(
    app: &App,
    segment: &str,
    id: &str,
    pending: &Pending,
    error: Option<&str>,
) -> Response {
    let pool = &pending.grant.pool;
    let asked = sign_up_attributes(pool);
    let fields: Vec<page::Field<'_>> = asked.iter().map(|name| attribute_field(name)).collect();
    let username_label = username_label(pool);
    let action = format!("/{segment}/signup");
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    html(
        status,
        page::sign_up(
            &page_form(pending, &action, id, error),
            username_label,
            &fields,
        ),
        Some(csrf_cookie(app, segment, id, pending)),
    )
}

fn forgot_page(
    app: &App,
    segment: &str,
    id: &str,
    pending: &Pending,
    error: Option<&str>,
) -> Response {
    let action = format!("/{segment}/forgotPassword");
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    html(
        status,
        page::forgot_password(&page_form(pending, &action, id, error)),
        Some(csrf_cookie(app, segment, id, pending)),
    )
}

/// The attributes the sign-up page asks for: the pool's required ones, and the ones it
/// verifies automatically (where the confirmation code goes) unless the username is that
/// attribute already.
fn sign_up_attributes(pool: &PoolRecord) -> Vec<&str> {
    let mut names: Vec<&str> = pool.schema.required_attributes().collect();
    for attribute in &pool.settings.auto_verified_attributes {
        let name = attribute.as_str();
        let is_username = pool.username_attributes.iter().any(|a| a.as_str() == name);
        if !is_username && !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// What the username field is called in a pool that signs in with an email address or
/// phone number instead of a username.
fn username_label(pool: &PoolRecord) -> &'static str {
    use userpool_core::AliasAttribute;
    let email = pool.username_attributes.contains(&AliasAttribute::Email);
    let phone = pool
        .username_attributes
        .contains(&AliasAttribute::PhoneNumber);
    match (email, phone) {
        (true, true) => "Email or phone number",
        (true, false) => "Email",
        (false, true) => "Phone number",
        (false, false) => "Username",
    }
}

/// The input of a required attribute: `(label, name, type, autocomplete)`.
fn attribute_field(name: &str) -> page::Field<'_> {
    let (label, kind, autocomplete) = match name {
        "email" => ("Email", "email", "email"),
        "phone_number" => ("Phone number", "tel", "tel"),
        "name" => ("Name", "text", "name"),
        "given_name" => ("Given name", "text", "given-name"),
        "family_name" => ("Family name", "text", "family-name"),
        "middle_name" => ("Middle name", "text", "additional-name"),
        "nickname" => ("Nickname", "text", "nickname"),
        "preferred_username" => ("Preferred username", "text", "nickname"),
        "birthdate" => ("Birthdate (YYYY-MM-DD)", "text", "bday"),
        "address" => ("Address", "text", "street-address"),
        "gender" => ("Gender", "text", "sex"),
        "locale" => ("Locale", "text", "language"),
        "zoneinfo" => ("Time zone", "text", "off"),
        "website" => ("Website", "url", "url"),
        "profile" => ("Profile page", "url", "url"),
        "picture" => ("Picture", "url", "photo"),
        other => (other, "text", "off"),
    };
    (label, name, kind, autocomplete)
}

/// The pending request a GET of `/signup` or `/forgotPassword` continues: `request=<id>`
/// (the sign-in page's links), or the parameters of an authorization request, accepted
/// as `/oauth2/authorize` accepts them (Cognito's own links to these pages carry them).
fn pending_for_get(
    app: &App,
    segment: &str,
    params: &Fields,
    peer: Option<SocketAddr>,
) -> Result<(String, Pending), Box<Response>> {
    if let Some(id) = get_param(params, "request") {
        return app
            .pending
            .get(id, app.clock.now())
            .map(|p| (id.to_owned(), p))
            .ok_or_else(|| Box::new(expired_page()));
    }
    let pool = app.pools.oauth_pool(segment).map_err(|e| {
        Box::new(page_error(
            StatusCode::NOT_FOUND,
            "Sign-in error",
            &e.to_string(),
        ))
    })?;
    let grant = app
        .pools
        .oauth_authorize(&pool, &authorize_request(params))
        .map_err(|r| Box::new(authorize_refused(r)))?;
    let random = userpool::OsRandom;
    let (Some(id), Some(csrf)) = (random_token(&random), random_token(&random)) else {
        return Err(Box::new(internal_page()));
    };
    let pending = Pending {
        grant,
        csrf: Zeroizing::new(csrf),
        step: pending::Step::SignIn,
        created_at: app.clock.now(),
    };
    app.pending.insert(
        id.clone(),
        pending.clone(),
        app.clock.now(),
        peer.map(|p| p.ip()),
    );
    Ok((id, pending))
}

/// `GET /signup` and `GET /forgotPassword`.
async fn account_page(app: Arc<App>, segment: String, request: Request, sign_up: bool) -> Response {
    let peer = crate::serve::peer(request.extensions());
    let query = request.uri().query().unwrap_or_default().to_owned();
    if query.len() > MAX_QUERY_BYTES {
        return page_error(
            StatusCode::BAD_REQUEST,
            "Sign-in error",
            "The request is too large.",
        );
    }
    blocking(&app, move |app| {
        if let Err(e) = limit_address(app, peer) {
            return page_error(
                StatusCode::TOO_MANY_REQUESTS,
                "Sign-in error",
                &e.to_string(),
            );
        }
        let Some(params) = pairs(query.as_bytes()) else {
            return page_error(
                StatusCode::BAD_REQUEST,
                "Sign-in error",
                "A parameter is repeated.",
            );
        };
        let (id, pending) = match pending_for_get(app, &segment, &params, peer) {
            Ok(found) => found,
            Err(response) => return *response,
        };
        let pool = &pending.grant.pool;
        if sign_up {
            if pool.settings.admin_create_user.allow_admin_create_user_only {
                return page_error(
                    StatusCode::BAD_REQUEST,
                    "Sign-up error",
                    &NotAuthorized::SignUpNotPermitted.to_string(),
                );
            }
            sign_up_page(app, &segment, &id, &pending, None)
        } else {
            if pool
                .settings
                .account_recovery
                .as_ref()
                .is_some_and(userpool_core::settings::AccountRecoverySetting::admin_only)
            {
                return page_error(
                    StatusCode::BAD_REQUEST,
                    "Password reset error",
                    &NotAuthorized::AdminOnlyRecovery.to_string(),
                );
            }
            forgot_page(app, &segment, &id, &pending, None)
        }
    })
    .await
}

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
        return redirect(&location, Some(clear));
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
    redirect(&with_query(&grant.redirect_uri, &query), Some(clear))
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

async fn token(
    State(app): State<Arc<App>>,
    Path(segment): Path<String>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let peer = crate::serve::peer(&parts.extensions);
    let headers = parts.headers;
    let is_form = is_form(&headers);
    let Ok(body) = read_form(body).await else {
        return oauth_error(OAuthError::InvalidRequest);
    };
    blocking(&app, move |app| {
        if let Err(e) = limit_address(app, peer) {
            return failed(&e);
        }
        let Some(form) = pairs(&body).filter(|_| is_form) else {
            return oauth_error(OAuthError::InvalidRequest);
        };
        let Some(grant_type) = get_param(&form, "grant_type") else {
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
        let client =
            match app
                .pools
                .oauth_client(&pool, &client_id, secret.as_ref().map(|s| s.as_str()))
            {
                Ok(client) => client,
                Err(refusal) => return token_refusal(refusal),
            };
        match grant_type {
            "authorization_code" => authorization_code_grant(app, &pool, &client, &form),
            "refresh_token" => refresh_token_grant(app, &pool, &client, &form),
            "client_credentials" => {
                match app
                    .pools
                    .client_credentials_scopes(&client, get_param(&form, "scope"))
                {
                    Ok(scopes) => {
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
                    Err(refusal) => token_refusal(refusal),
                }
            }
            _ => oauth_error(OAuthError::UnsupportedGrantType),
        }
    })
    .await
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
    match app.tokens.issue_oauth(
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
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| Zeroizing::new(t.trim().to_owned()));
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

async fn revoke(
    State(app): State<Arc<App>>,
    Path(segment): Path<String>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let peer = crate::serve::peer(&parts.extensions);
    let headers = parts.headers;
    let is_form = is_form(&headers);
    let Ok(body) = read_form(body).await else {
        return oauth_error(OAuthError::InvalidRequest);
    };
    blocking(&app, move |app| {
        if let Err(e) = limit_address(app, peer) {
            return failed(&e);
        }
        let Some(form) = pairs(&body).filter(|_| is_form) else {
            return oauth_error(OAuthError::InvalidRequest);
        };
        let Some(token) = get_param(&form, "token") else {
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
        let client =
            match app
                .pools
                .oauth_client(&pool, &client_id, secret.as_ref().map(|s| s.as_str()))
            {
                Ok(client) => client,
                Err(refusal) => return token_refusal(refusal),
            };
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
    })
    .await
}

async fn logout(
    State(app): State<Arc<App>>,
    Path(segment): Path<String>,
    request: Request,
) -> Response {
    let peer = crate::serve::peer(request.extensions());
    let query = request.uri().query().unwrap_or_default().to_owned();
    if query.len() > MAX_QUERY_BYTES {
        return page_error(
            StatusCode::BAD_REQUEST,
            "Sign-out error",
            "The request is too large.",
        );
    }
    blocking(&app, move |app| {
        if let Err(e) = limit_address(app, peer) {
            return page_error(
                StatusCode::TOO_MANY_REQUESTS,
                "Sign-out error",
                &e.to_string(),
            );
        }
        let Some(params) = pairs(query.as_bytes()) else {
            return page_error(
                StatusCode::BAD_REQUEST,
                "Sign-out error",
                "A parameter is repeated.",
            );
        };
        let pool = match app.pools.oauth_pool(&segment) {
            Ok(pool) => pool,
            Err(e) => return page_error(StatusCode::NOT_FOUND, "Sign-out error", &e.to_string()),
        };
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
                Ok(grant) => start_sign_in(app, &segment, grant, peer),
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
    })
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
