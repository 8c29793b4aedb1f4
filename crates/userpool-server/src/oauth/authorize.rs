//! `GET /<pool>/oauth2/authorize`: an authorization request, accepted (the sign-in page,
//! or the external provider) or refused.

use std::sync::Arc;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::Response;
use userpool::{AuthorizeRefusal, AuthorizeRequest};
use zeroize::Zeroizing;

use super::federation;
use super::pending::{self, Pending};
use super::sign_in::start_sign_in;
use super::{Fields, get_param, page_error, pool_page_get, redirect, with_query};
use crate::App;

pub(super) async fn authorize(app: Arc<App>, segment: String, request: Request) -> Response {
    pool_page_get(
        &app,
        segment,
        request,
        "Sign-in error",
        move |app, segment, pool, params, peer| match app
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
pub(super) fn authorize_request(params: &Fields) -> AuthorizeRequest<'_> {
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
pub(super) fn authorize_refused(refusal: AuthorizeRefusal) -> Response {
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
