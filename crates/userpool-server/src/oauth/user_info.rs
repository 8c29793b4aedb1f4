//! `GET, POST /<pool>/oauth2/userInfo`: the claims of a bearer access token's user.

use std::sync::Arc;

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};
use userpool_core::Error as PoolError;
use zeroize::Zeroizing;

use super::{blocking, failed, json_response, limit_address};
use crate::App;

pub(super) fn bearer_refused() -> Response {
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
pub(super) fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

pub(super) async fn user_info(app: Arc<App>, segment: String, request: Request) -> Response {
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
