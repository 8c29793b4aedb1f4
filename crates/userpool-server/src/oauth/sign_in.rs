//! The sign-in page and the pending request behind it: holding an accepted request, the
//! CSRF cookie, the page, and the redirect that ends a sign-in.

use std::net::SocketAddr;

use axum::http::StatusCode;
use axum::response::Response;
use userpool::{AuthorizeGrant, PoolRecord};
use userpool_core::oauth::OAuthFlow;
use userpool_core::{Error as PoolError, NotAuthorized};
use zeroize::Zeroizing;

use super::pending::{self, Pending};
use super::{CSRF_COOKIE, html, page, page_error, random_token, redirect, with_query};
use crate::App;

/// Holds the accepted request and shows the sign-in page, with its CSRF cookie.
pub(super) fn start_sign_in(
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
pub(super) fn hold_sign_in(
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
pub(super) fn cookie(
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

pub(super) fn csrf_cookie(app: &App, segment: &str, id: &str, pending: &Pending) -> String {
    cookie(
        app,
        &pending.grant.pool,
        segment,
        id,
        pending.csrf.as_str(),
        pending::PENDING_LIFETIME.num_seconds(),
    )
}

pub(super) fn page_form<'a>(
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

pub(super) fn sign_in_page(
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
pub(super) fn sign_in_page_with(
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
pub(super) fn sign_in_message(error: &PoolError) -> String {
    match error {
        PoolError::UserNotFound => NotAuthorized::IncorrectCredentials.to_string(),
        PoolError::Internal(_) => "An internal error occurred.".to_owned(),
        other => other.to_string(),
    }
}

pub(super) fn internal_page() -> Response {
    page_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Sign-in error",
        "An internal error occurred.",
    )
}

pub(super) fn expired_page() -> Response {
    page_error(
        StatusCode::BAD_REQUEST,
        "Sign-in error",
        "This sign-in request has expired. Start again from the application.",
    )
}

/// The user signed in: for the code flow a code for the accepted request and the
/// redirect with it in the query; for the implicit flow the tokens in the fragment.
pub(super) fn finish(
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
pub(super) fn grant_redirect(
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
