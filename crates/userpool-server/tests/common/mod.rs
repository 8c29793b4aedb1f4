//! Shared by the in-process tests: an app over MemoryStore with cheap hashing, and requests
//! signed as the AWS CLI signs them (AWS's own `aws-sigv4` signer, client side).

#![allow(dead_code)] // each test file uses a different part

pub mod code_flow;
pub mod net;
pub mod oauth;

use std::sync::Arc;
use std::time::SystemTime;

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;
use userpool_server::config::{DEV_ACCESS_KEY_ID, DEV_SECRET_ACCESS_KEY};
use userpool_server::{router, serve};

pub const JSON: &str = "application/x-amz-json-1.1";

pub fn app() -> Router {
    app_with(&[])
}

/// [`app`] with further command-line flags (e.g. `--no-rate-limits`).
pub fn app_with(extra: &[&str]) -> Router {
    let config = net::config(extra);
    let app = serve::app(&config, config.listen).unwrap_or_else(|e| panic!("{e}"));
    router(Arc::new(app))
}

pub async fn send(app: &Router, request: Request<Body>) -> (StatusCode, Value) {
    let reply = oauth::call(app, request).await;
    (reply.status, reply.json())
}

/// An unsigned request.
pub fn request(
    target: Option<&str>,
    content_type: Option<&str>,
    body: impl Into<Body>,
) -> Request<Body> {
    let mut builder = Request::post("/").header("host", "127.0.0.1:9229");
    if let Some(t) = target {
        builder = builder.header(
            "x-amz-target",
            format!("AWSCognitoIdentityProviderService.{t}"),
        );
    }
    if let Some(c) = content_type {
        builder = builder.header("content-type", c);
    }
    builder.body(body.into()).unwrap_or_else(|e| panic!("{e}"))
}

/// A request signed with `key`/`secret` at `time`, headers as botocore sends them.
pub fn signed_with(
    target: &str,
    body: &Value,
    key: &str,
    secret: &str,
    time: SystemTime,
) -> Request<Body> {
    let body = body.to_string();
    // A bare name is a Cognito operation; a dotted one (`Userpool.AdminImportUsers`) is
    // taken as the whole target.
    let target = if target.contains('.') {
        target.to_owned()
    } else {
        format!("AWSCognitoIdentityProviderService.{target}")
    };
    let identity = Credentials::new(key, secret, None, None, "test").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("cognito-idp")
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
        .into();
    let headers = [
        ("host", "127.0.0.1:9229"),
        ("content-type", JSON),
        ("x-amz-target", target.as_str()),
    ];
    let signable = SignableRequest::new(
        "POST",
        "/",
        headers.into_iter(),
        SignableBody::Bytes(body.as_bytes()),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (instructions, _) = sign(signable, &params)
        .unwrap_or_else(|e| panic!("{e}"))
        .into_parts();
    let mut request = request(None, Some(JSON), body);
    request.headers_mut().insert(
        "x-amz-target",
        target.parse().unwrap_or_else(|e| panic!("{e}")),
    );
    instructions.apply_to_request_http1x(&mut request);
    request
}

/// A request signed with the development credential, now.
pub fn signed(target: &str, body: &Value) -> Request<Body> {
    signed_with(
        target,
        body,
        DEV_ACCESS_KEY_ID,
        DEV_SECRET_ACCESS_KEY,
        SystemTime::now(),
    )
}

pub fn error_type(body: &Value) -> &str {
    body["__type"].as_str().unwrap_or_default()
}

/// Sends a signed admin request that must succeed.
pub async fn admin_ok(app: &Router, target: &str, body: Value) -> Value {
    let (status, out) = send(app, signed(target, &body)).await;
    assert_eq!(status, StatusCode::OK, "{target}: {out}");
    out
}

/// The error an answer carries: its `__type` and its `message`.
pub fn error_of(body: &Value) -> (&str, &str) {
    (
        error_type(body),
        body["message"].as_str().unwrap_or_default(),
    )
}

/// An unsigned call of a public operation (one a client makes with its client id).
pub async fn public(app: &Router, target: &str, body: &Value) -> (StatusCode, Value) {
    send(app, request(Some(target), Some(JSON), body.to_string())).await
}

/// AdminGetUser's answer for `name` in `pool`.
pub async fn admin_get_user(app: &Router, pool: &str, name: &str) -> Value {
    admin_ok(
        app,
        "AdminGetUser",
        serde_json::json!({ "UserPoolId": pool, "Username": name }),
    )
    .await
}

/// CreateUserPool with `input`; the new pool's id.
pub async fn create_pool(app: &Router, input: Value) -> String {
    admin_ok(app, "CreateUserPool", input).await["UserPool"]["Id"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// CreateUserPoolClient with `input`; the new client's id.
pub async fn create_client(app: &Router, input: Value) -> String {
    admin_ok(app, "CreateUserPoolClient", input).await["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// A CONFIRMED user `name` with the permanent `password` (and `attributes`, as name and
/// value), created by an administrator without a message.
pub async fn confirmed_user(
    app: &Router,
    pool: &str,
    name: &str,
    password: &str,
    attributes: &[(&str, &str)],
) {
    let mut create =
        serde_json::json!({ "UserPoolId": pool, "Username": name, "MessageAction": "SUPPRESS" });
    if !attributes.is_empty() {
        create["UserAttributes"] = attributes
            .iter()
            .map(|(name, value)| serde_json::json!({ "Name": name, "Value": value }))
            .collect();
    }
    admin_ok(app, "AdminCreateUser", create).await;
    admin_ok(
        app,
        "AdminSetUserPassword",
        serde_json::json!({ "UserPoolId": pool, "Username": name, "Password": password,
                            "Permanent": true }),
    )
    .await;
}

/// The password and hash of the import fixture (SPEC §19) made by `tool` with `scheme`,
/// for the password `Passw0rd!`.
pub fn import_fixture(tool: &str, scheme: &str) -> (String, String) {
    let text = include_str!("../../../userpool-core/tests/vectors/import/fixtures.json");
    let all: Vec<Value> = serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}"));
    let found = all
        .iter()
        .find(|f| f["tool"] == tool && f["scheme"] == scheme && f["password"] == "Passw0rd!")
        .unwrap_or_else(|| panic!("no {tool} {scheme} fixture"));
    (
        found["password"].as_str().unwrap_or_default().to_owned(),
        found["hash"].as_str().unwrap_or_default().to_owned(),
    )
}
