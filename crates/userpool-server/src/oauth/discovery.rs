//! `GET /<pool>/.well-known/openid-configuration`: the discovery document.

use std::sync::Arc;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};
use userpool::PoolRecord;
use userpool::tokens::Tokens;

use super::{blocking, failed, json_response, limit_address};
use crate::App;

/// The discovery document (OpenID Connect Discovery 1.0) of `pool`.
pub(super) fn discovery_document(tokens: &Tokens, pool: &PoolRecord) -> Value {
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

pub(super) async fn discovery(app: Arc<App>, segment: String, request: Request) -> Response {
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
