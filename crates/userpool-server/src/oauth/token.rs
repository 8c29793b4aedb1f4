//! `POST /<pool>/oauth2/token`: the `authorization_code`, `refresh_token` and
//! `client_credentials` grants, for a client `client_form` authenticated.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;
use userpool::tokens::{Issued, Tokens};
use userpool_core::Error as PoolError;
use userpool_core::oauth::OAuthError;

use super::{ClientRequest, failed, get_param, json_response, oauth_error, token_refusal};

/// `POST /oauth2/token`: the grant its `grant_type` names.
pub(super) fn token_grant(request: &ClientRequest<'_>, grant_type: &str) -> Response {
    match grant_type {
        "authorization_code" => authorization_code_grant(request),
        "refresh_token" => refresh_token_grant(request),
        "client_credentials" => client_credentials_grant(request),
        _ => oauth_error(OAuthError::UnsupportedGrantType),
    }
}

fn client_credentials_grant(request: &ClientRequest<'_>) -> Response {
    let scopes = match request
        .app
        .pools
        .client_credentials_scopes(request.client, get_param(request.form, "scope"))
    {
        Ok(scopes) => scopes,
        Err(refusal) => return token_refusal(refusal),
    };
    match request.app.tokens.client_credentials(
        &request.pool.id,
        &request.client.client_id,
        &scopes,
    ) {
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

fn authorization_code_grant(request: &ClientRequest<'_>) -> Response {
    let digest = get_param(request.form, "code").map(Tokens::authorization_code_digest);
    let grant = match request.app.pools.exchange_authorization_code(
        request.client,
        digest,
        get_param(request.form, "redirect_uri"),
        get_param(request.form, "code_verifier"),
    ) {
        Ok(grant) => grant,
        Err(refusal) => return token_refusal(refusal),
    };
    let code = &grant.code;
    match request.app.tokens.issue_oauth_session(
        grant.session_id(),
        &request.pool.id,
        &request.client.client_id,
        &grant.user,
        &code.scopes,
        code.nonce.as_deref(),
        code.auth_time,
    ) {
        Ok(issued) => {
            let with_id_token = code.scopes.iter().any(|s| s == "openid");
            tokens_response(&issued, issued.refresh_token.as_deref(), with_id_token)
        }
        Err(e) => failed(&e),
    }
}

fn refresh_token_grant(request: &ClientRequest<'_>) -> Response {
    let Some(refresh_token) = get_param(request.form, "refresh_token") else {
        return oauth_error(OAuthError::InvalidRequest);
    };
    let session = match request.app.tokens.session_for_refresh(
        &request.pool.id,
        &request.client.client_id,
        refresh_token,
    ) {
        Ok(session) => session,
        Err(PoolError::NotAuthorized(_)) => return oauth_error(OAuthError::InvalidGrant),
        Err(e) => return failed(&e),
    };
    if let Err(e) = request
        .app
        .pools
        .limit_username(&request.client.client_id, &session.sub.to_string())
    {
        return failed(&e);
    }
    let user = match request
        .app
        .pools
        .oauth_refresh_user(&request.pool.id, session.sub)
    {
        Ok(user) => user,
        Err(refusal) => return token_refusal(refusal),
    };
    match request.app.tokens.reissue(&session, &user) {
        Ok(issued) => {
            let with_id_token =
                session.scopes.is_empty() || session.scopes.iter().any(|s| s == "openid");
            // A refreshed session keeps its refresh token: none is sent back.
            tokens_response(&issued, None, with_id_token)
        }
        Err(e) => failed(&e),
    }
}

/// The token endpoint's answer (RFC 6749 §5.1) for `issued`: its access token, then
/// `refresh_token` when given and the id token when the grant's scopes allow it.
fn tokens_response(issued: &Issued, refresh_token: Option<&str>, with_id_token: bool) -> Response {
    let mut body = json!({
        "access_token": issued.access_token,
        "expires_in": issued.expires_in,
        "token_type": issued.token_type,
    });
    if let Some(refresh_token) = refresh_token {
        body["refresh_token"] = json!(refresh_token);
    }
    if with_id_token {
        body["id_token"] = json!(issued.id_token);
    }
    json_response(StatusCode::OK, &body)
}
