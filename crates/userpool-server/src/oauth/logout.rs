//! `GET /<pool>/logout`: signs out to a registered logout URL, or shows the sign-in page
//! of a new authorization request.

use std::sync::Arc;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::Response;
use userpool::AuthorizeRefusal;

use super::authorize::{authorize_refused, authorize_request};
use super::sign_in::start_sign_in;
use super::{get_param, html, page, page_error, pool_page_get, redirect};
use crate::App;

pub(super) async fn logout(app: Arc<App>, segment: String, request: Request) -> Response {
    pool_page_get(
        &app,
        segment,
        request,
        "Sign-out error",
        move |app, segment, pool, params, peer| {
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

pub(super) fn logout_refused(refusal: AuthorizeRefusal) -> Response {
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
