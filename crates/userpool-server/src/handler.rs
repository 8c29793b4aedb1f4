//! The HTTP surface: `POST /` for every operation (SPEC §11), the per-pool JWKS, the OAuth
//! endpoints and hosted sign-in page of SPEC §21 (`crate::oauth`), and a JSON error for
//! anything else.

use std::any::Any;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::Value;
use tower_http::catch_panic::CatchPanicLayer;
use userpool_core::UserPoolId;

use crate::error::Error;
use crate::operation::{Access, Operation};
use crate::{App, ops, sigv4, wire};

/// The server's routes over `app`.
///
/// A panic anywhere in a request (a bug) is caught and answered HTTP 500
/// `InternalErrorException` with Cognito's generic message, and logged as a bug; the
/// connection stays usable. Bodies are read within [`wire::BODY_READ_TIMEOUT`] and up to
/// [`wire::MAX_BODY_BYTES`]. The per-address rate limit needs the peer address as axum's
/// `ConnectInfo<SocketAddr>` (the server's own loop provides it; a host mounting the router
/// gets it from `into_make_service_with_connect_info::<SocketAddr>`); without it, that
/// one limit is skipped.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", post(operation).fallback(not_found))
        .route("/{pool_id}/.well-known/jwks.json", get(jwks))
        .merge(crate::oauth::routes())
        .fallback(not_found)
        .with_state(app)
        .layer(CatchPanicLayer::custom(panic_response))
}

/// The answer to a panic: a bug, logged as one (the panic's own message, never the
/// request, which may hold secrets), answered as any internal error.
fn panic_response(payload: Box<dyn Any + Send + 'static>) -> Response {
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    let message: String = message.chars().take(256).collect();
    let request_id = uuid::Uuid::new_v4().to_string();
    tracing::error!(
        request_id,
        panic = message,
        status = 500,
        "BUG: a request panicked; answered InternalErrorException"
    );
    wire::failure(&Error::internal(format!("panic: {message}")), &request_id)
}

/// `POST /`: frame checks, authentication, then the operation on a blocking thread.
async fn operation(State(app): State<Arc<App>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let (method, uri, headers) = (parts.method, parts.uri, parts.headers);
    let peer = crate::serve::peer(&parts.extensions);
    let request_id = uuid::Uuid::new_v4().to_string();
    let started = Instant::now();
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let op = Operation::from_target(target.as_deref()).ok();
    let outcome = run(&app, &method, &uri, &headers, peer, body).await;
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
    peer: Option<SocketAddr>,
    body: Body,
) -> Result<Value, Error> {
    let body = wire::read_body(body).await?;
    wire::check_content_type(headers)?;
    let target = headers.get("x-amz-target").and_then(|v| v.to_str().ok());
    let op = Operation::from_target(target)?;
    // SPEC §13: the per-address limit of the operations anyone may call, before any work
    // that scales with the request.
    if let (Access::Public, Some(peer)) = (op.access(), peer) {
        app.pools.limit_address(peer.ip())?;
    }
    let caller = match op.access() {
        Access::Admin => Some(sigv4::verify(
            method,
            uri,
            headers,
            body.as_bytes(),
            &app.admin,
            app.clock.now(),
        )?),
        Access::Public => None,
    };
    if op.access() == Access::Public {
        limit_username(app, body.as_bytes())?;
    }
    let user_agent = headers
        .get(hyper::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let app = Arc::clone(app);
    tokio::task::spawn_blocking(move || {
        ops::call(&app, op, caller.as_ref(), body, user_agent.as_deref())
    })
    .await
    .map_err(|e| Error::internal(format!("operation task failed: {e}")))?
}

/// SPEC §13: the per-username limit of the unauthenticated operations, for the username a
/// request names with its client: `Username` (SignUp, ConfirmSignUp, ForgotPassword,
/// ConfirmForgotPassword, ResendConfirmationCode), `AuthParameters.USERNAME`
/// (InitiateAuth), `ChallengeResponses.USERNAME` (RespondToAuthChallenge). A token
/// refresh names no username; it is limited by the token's user (see `ops`).
///
/// Only the names are read (every other member is skipped unparsed, secrets included), and
/// every name the body carries is counted, not only the one its operation reads: a decoy
/// `Username` beside InitiateAuth's `AuthParameters.USERNAME` must not stand in for it. A
/// member of another type, or repeated, is read past rather than failing the read (the
/// operation ignores members it does not take, so such a decoy would otherwise skip the
/// limit). A body that is not JSON is left to the operation, which refuses it.
fn limit_username(app: &App, body: &[u8]) -> Result<(), Error> {
    let Ok(Names {
        client_id: Some(client_id),
        mut usernames,
    }) = wire::parse::<Names>(body)
    else {
        return Ok(());
    };
    usernames.sort();
    usernames.dedup();
    for username in &usernames {
        app.pools.limit_username(&client_id, username)?;
    }
    Ok(())
}

/// The `ClientId` and every username of a public request (see [`limit_username`]).
#[derive(Default)]
struct Names {
    client_id: Option<String>,
    usernames: Vec<String>,
}

impl<'de> serde::Deserialize<'de> for Names {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Members;
        impl<'de> serde::de::Visitor<'de> for Members {
            type Value = Names;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a request object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Names, A::Error> {
                let mut names = Names::default();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "ClientId" => names.client_id = map.next_value::<Text>()?.0,
                        "Username" => names.usernames.extend(map.next_value::<Text>()?.0),
                        "AuthParameters" | "ChallengeResponses" => {
                            names.usernames.extend(map.next_value::<NestedName>()?.0);
                        }
                        _ => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                        }
                    }
                }
                Ok(names)
            }
        }
        d.deserialize_map(Members)
    }
}

/// A string member, or `None` for a member of any other type (read past).
struct Text(Option<String>);

impl<'de> serde::Deserialize<'de> for Text {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Any;
        impl<'de> serde::de::Visitor<'de> for Any {
            type Value = Text;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("any value")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text(Some(v.to_owned())))
            }
            fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Text, E> {
                Ok(Text(None))
            }
            fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Text, E> {
                Ok(Text(None))
            }
            fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Text, E> {
                Ok(Text(None))
            }
            fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Text, E> {
                Ok(Text(None))
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Text, E> {
                Ok(Text(None))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Text, A::Error> {
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(Text(None))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Text, A::Error> {
                while map
                    .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(Text(None))
            }
        }
        d.deserialize_any(Any)
    }
}

/// Every `USERNAME` of a parameter map (`AuthParameters`, `ChallengeResponses`); none for
/// a member of another type. The other parameters (passwords, secrets) are read past.
struct NestedName(Vec<String>);

impl<'de> serde::Deserialize<'de> for NestedName {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Parameters;
        impl<'de> serde::de::Visitor<'de> for Parameters {
            type Value = NestedName;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("any value")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<NestedName, A::Error> {
                let mut names = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    if key == "USERNAME" {
                        names.extend(map.next_value::<Text>()?.0);
                    } else {
                        map.next_value::<serde::de::IgnoredAny>()?;
                    }
                }
                Ok(NestedName(names))
            }
            fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<NestedName, E> {
                Ok(NestedName(Vec::new()))
            }
            fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<NestedName, E> {
                Ok(NestedName(Vec::new()))
            }
            fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<NestedName, E> {
                Ok(NestedName(Vec::new()))
            }
            fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<NestedName, E> {
                Ok(NestedName(Vec::new()))
            }
            fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<NestedName, E> {
                Ok(NestedName(Vec::new()))
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<NestedName, E> {
                Ok(NestedName(Vec::new()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<NestedName, A::Error> {
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(NestedName(Vec::new()))
            }
        }
        d.deserialize_any(Parameters)
    }
}

/// `GET /<poolId>/.well-known/jwks.json`: the pool's public signing key, where `iss` +
/// `/.well-known/jwks.json` points (as Cognito's).
async fn jwks(State(app): State<Arc<App>>, Path(pool_id): Path<String>) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    let outcome = match UserPoolId::parse(&pool_id) {
        Ok(id) => {
            let app = Arc::clone(&app);
            tokio::task::spawn_blocking(move || {
                app.pools
                    .tokens()
                    .and_then(|t| t.jwks(&id))
                    .map_err(Error::from)
            })
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
            if error.is(userpool_core::ErrorCode::ResourceNotFound) {
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
