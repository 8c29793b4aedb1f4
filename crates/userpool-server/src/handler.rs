//! The HTTP surface: `POST /` for every operation (SPEC §11), the per-pool JWKS, and a
//! JSON error for anything else.

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::Value;
use userpool_core::UserPoolId;

use crate::error::Error;
use crate::operation::{Access, Operation};
use crate::{App, ops, sigv4, wire};

/// The server's routes over `app`.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", post(operation).fallback(not_found))
        .route("/{pool_id}/.well-known/jwks.json", get(jwks))
        .fallback(not_found)
        // An oversized body is rejected by the `Bytes` extractor, which `run` turns into
        // a JSON `SerializationException`.
        .layer(DefaultBodyLimit::max(wire::MAX_BODY_BYTES))
        .with_state(app)
}

/// `POST /`: frame checks, authentication, then the operation on a blocking thread.
async fn operation(
    State(app): State<Arc<App>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    let started = Instant::now();
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let op = Operation::from_target(target.as_deref()).ok();
    let outcome = run(&app, &method, &uri, &headers, body).await;
    // Milliseconds, to the microsecond.
    let elapsed_ms = (started.elapsed().as_secs_f64() * 1e6).round() / 1e3;
    let operation = op.map_or("-", Operation::name);
    match outcome {
        Ok(output) => {
            tracing::info!(request_id, operation, status = 200, elapsed_ms, "request");
            wire::success(&output, &request_id)
        }
        Err(error) => {
            let status = error.status().as_u16();
            if let Error::Internal { detail } = &error {
                tracing::error!(
                    request_id,
                    operation,
                    status,
                    detail,
                    elapsed_ms,
                    "request failed"
                );
            } else if let Error::Pool(userpool_core::Error::Internal(internal)) = &error {
                tracing::error!(request_id, operation, status, detail = %internal, elapsed_ms, "request failed");
            } else {
                tracing::info!(
                    request_id,
                    operation,
                    status,
                    error = error.code(),
                    elapsed_ms,
                    "request"
                );
            }
            wire::failure(&error, &request_id)
        }
    }
}

async fn run(
    app: &Arc<App>,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Value, Error> {
    let body = wire::body(body)?;
    wire::check_content_type(headers)?;
    let target = headers.get("x-amz-target").and_then(|v| v.to_str().ok());
    let op = Operation::from_target(target)?;
    let caller = match op.access() {
        Access::Admin => Some(sigv4::verify(
            method,
            uri,
            headers,
            &body,
            &app.admin,
            app.clock.now(),
        )?),
        Access::Public => None,
    };
    let input = wire::parse_object(&body)?;
    let app = Arc::clone(app);
    tokio::task::spawn_blocking(move || ops::call(&app, op, caller.as_ref(), input))
        .await
        .map_err(|e| Error::internal(format!("operation task failed: {e}")))?
}

/// `GET /<poolId>/.well-known/jwks.json`: the pool's public signing key, where `iss` +
/// `/.well-known/jwks.json` points (as Cognito's).
async fn jwks(State(app): State<Arc<App>>, Path(pool_id): Path<String>) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    let outcome = match UserPoolId::parse(&pool_id) {
        Ok(id) => {
            let app = Arc::clone(&app);
            tokio::task::spawn_blocking(move || app.tokens.jwks(&id))
                .await
                .unwrap_or_else(|e| Err(Error::internal(format!("jwks task failed: {e}"))))
        }
        Err(e) => Err(Error::from(e)),
    };
    match outcome {
        Ok(keys) => {
            let mut response = (StatusCode::OK, keys.to_string()).into_response();
            response.headers_mut().insert(
                axum::http::header::CONTENT_TYPE,
                axum::http::HeaderValue::from_static("application/json"),
            );
            response
        }
        Err(error) => {
            let mut response = wire::failure(&error, &request_id);
            if error.code() == "ResourceNotFoundException" {
                *response.status_mut() = StatusCode::NOT_FOUND;
            }
            response
        }
    }
}

async fn not_found(method: Method, uri: Uri) -> Response {
    let error = Error::UnknownOperation(format!(
        "No such resource: {method} {}; operations are POST / with X-Amz-Target",
        uri.path().chars().take(128).collect::<String>()
    ));
    let mut response = wire::failure(&error, &uuid::Uuid::new_v4().to_string());
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}
