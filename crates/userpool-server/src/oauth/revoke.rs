//! `POST /<pool>/oauth2/revoke`: revokes a refresh token.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use userpool_core::oauth::OAuthError;

use super::{ClientRequest, failed, no_store, oauth_error};

/// A revocation's answer: HTTP 200 with an empty body, as Cognito's.
fn revoked() -> Response {
    let mut response = StatusCode::OK.into_response();
    no_store(&mut response);
    response
}

/// `POST /oauth2/revoke`: revokes the refresh token `token` of `client`.
pub(super) fn revoke(request: &ClientRequest<'_>, token: &str) -> Response {
    // Cognito revokes refresh tokens only: an access or id token (a JWS, three
    // dot-separated parts; a refresh token has no dot) is `unsupported_token_type`.
    if token.split('.').count() == 3 {
        return oauth_error(OAuthError::UnsupportedTokenType);
    }
    match request
        .app
        .tokens
        .session_of_refresh_token(&request.pool.id, token)
    {
        // RFC 7009 §2.2: an unknown token is answered as revoked.
        Ok(None) => revoked(),
        Ok(Some(session)) if session.client_id != request.client.client_id => {
            oauth_error(OAuthError::UnauthorizedClient)
        }
        Ok(Some(session)) => match request.app.tokens.revoke_session(&session) {
            Ok(()) => revoked(),
            Err(e) => failed(&e),
        },
        Err(e) => failed(&e),
    }
}
