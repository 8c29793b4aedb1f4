//! SPEC §19 over the Lambda Invoke API: the server started with `--lambda-endpoint` invokes
//! the functions a pool's `LambdaConfig` names, with Cognito's event JSON, signed with
//! SigV4 for service `lambda`, and applies or refuses their answers. The Lambda is a fake
//! HTTP server in this process that records every request, verifies its signature, and
//! answers as each test says. The boto3 flow is `tests/e2e/test_s19_triggers.py`.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use axum::Router;
use axum::http::StatusCode;
use common::oauth::{self, claims, form};
use common::{
    JSON, admin_ok, confirmed_user, create_client, create_pool, error_type, request, send,
};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use serde_json::{Value, json};
use userpool::Store;
use userpool_core::UserPoolId;
use userpool_server::lambda::LambdaCredentials;
use userpool_server::{router, serve};
use userpool_store::UserKey;

const PASSWORD: &str = "Legacy-Passw0rd!";

/// Every trigger the server invokes, for a pool that names them all.
const ALL_TRIGGERS: [&str; 6] = [
    "UserMigration",
    "PreSignUp",
    "PostConfirmation",
    "PreAuthentication",
    "PostAuthentication",
    "PreTokenGeneration",
];

/// What the fake answers.
enum Reply {
    /// 200 with this JSON.
    Json(Value),
    /// A function error with this message.
    FunctionError(&'static str),
    /// An HTTP error status with Lambda's error type.
    Status(u16, &'static str),
    /// 200 with these bytes.
    Raw(Vec<u8>),
    /// The event back, after this long.
    Slow(Duration),
}

type Answer = Box<dyn Fn(&Value) -> Reply + Send + Sync>;

/// One Invoke request as the fake saw it.
#[derive(Clone, Debug)]
struct Seen {
    function: String,
    invocation_type: String,
    content_type: String,
    /// The service the SigV4 credential scope names.
    signed_service: String,
    /// Whether the signature is right for the credentials the server signs with.
    signature_ok: bool,
    event: Value,
}

#[derive(Clone)]
struct Fake {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    answer: Arc<Mutex<Answer>>,
}

impl Fake {
    /// A fake Lambda on a loopback port, answering every event back unchanged.
    fn start() -> Fake {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let fake = Fake {
            url: format!("http://{}", listener.local_addr().unwrap()),
            seen: Arc::default(),
            answer: Arc::new(Mutex::new(Box::new(|event: &Value| {
                Reply::Json(event.clone())
            }))),
        };
        let state = fake.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                loop {
                    let Ok((stream, _)) = listener.accept().await else {
                        continue;
                    };
                    let state = state.clone();
                    tokio::spawn(async move {
                        let service = hyper::service::service_fn(move |request| {
                            let state = state.clone();
                            async move { Ok::<_, std::convert::Infallible>(state.handle(request).await) }
                        });
                        let _ = hyper::server::conn::http1::Builder::new()
                            .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                            .await;
                    });
                }
            });
        });
        fake
    }

    fn answer(&self, answer: impl Fn(&Value) -> Reply + Send + Sync + 'static) {
        *self.answer.lock().unwrap() = Box::new(answer);
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    async fn handle(
        &self,
        request: hyper::Request<hyper::body::Incoming>,
    ) -> hyper::Response<Full<Bytes>> {
        let (parts, body) = request.into_parts();
        let body = body.collect().await.unwrap().to_bytes();
        let path = parts.uri.path().to_owned();
        let function = path
            .strip_prefix("/2015-03-31/functions/")
            .and_then(|p| p.strip_suffix("/invocations"))
            .map(|f| {
                percent_encoding::percent_decode_str(f)
                    .decode_utf8()
                    .unwrap()
                    .into_owned()
            })
            .unwrap_or_default();
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let (signed_service, signature_ok) = check_signature(&parts, &body);
        let event: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        self.seen.lock().unwrap().push(Seen {
            function,
            invocation_type: header("x-amz-invocation-type"),
            content_type: header("content-type"),
            signed_service,
            signature_ok,
            event: event.clone(),
        });
        let reply = (self.answer.lock().unwrap())(&event);
        let response = hyper::Response::builder();
        match reply {
            Reply::Json(value) => response.body(Full::new(Bytes::from(value.to_string()))),
            Reply::FunctionError(message) => response
                .header("x-amz-function-error", "Unhandled")
                .body(Full::new(Bytes::from(
                    json!({ "errorMessage": message, "errorType": "Error" }).to_string(),
                ))),
            Reply::Status(status, kind) => response
                .status(status)
                .header(
                    "x-amzn-errortype",
                    format!("{kind}:http://internal.amazon.com/"),
                )
                .body(Full::new(Bytes::from(
                    json!({ "Type": "User", "message": "Function not found" }).to_string(),
                ))),
            Reply::Raw(bytes) => response.body(Full::new(Bytes::from(bytes))),
            Reply::Slow(delay) => {
                tokio::time::sleep(delay).await;
                response.body(Full::new(Bytes::from(event.to_string())))
            }
        }
        .unwrap()
    }
}

/// The service the request's SigV4 scope names, and whether its signature is the one the
/// server's credentials give (recomputed with AWS's own signer).
fn check_signature(parts: &hyper::http::request::Parts, body: &[u8]) -> (String, bool) {
    let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
    let Some(authorization) = header("authorization") else {
        return (String::new(), false);
    };
    let field = |name: &str| {
        authorization
            .trim_start_matches("AWS4-HMAC-SHA256 ")
            .split(", ")
            .find_map(|part| part.strip_prefix(name))
            .unwrap_or_default()
    };
    let scope: Vec<&str> = field("Credential=").split('/').collect();
    let [key, _date, region, service, "aws4_request"] = scope[..] else {
        return (String::new(), false);
    };
    let expected = LambdaCredentials::from_env();
    let Some(date) = header("x-amz-date")
        .and_then(|d| chrono::NaiveDateTime::parse_from_str(d, "%Y%m%dT%H%M%SZ").ok())
    else {
        return (service.to_owned(), false);
    };
    let pairs: Vec<(&str, &str)> = field("SignedHeaders=")
        .split(';')
        .map(|name| (name, header(name).unwrap_or_default()))
        .collect();
    let identity = Credentials::new(
        expected.access_key_id.as_str(),
        expected.secret_access_key.as_str(),
        expected
            .session_token
            .as_ref()
            .map(|t| t.as_str().to_owned()),
        None,
        "test",
    )
    .into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(service)
        .time(SystemTime::from(date.and_utc()))
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let signable =
        SignableRequest::new("POST", path, pairs.into_iter(), SignableBody::Bytes(body)).unwrap();
    let signature = sign(signable, &params).unwrap().signature().to_owned();
    let ok =
        key == expected.access_key_id && region == "eu-west-1" && signature == field("Signature=");
    (service.to_owned(), ok)
}

/// The server, with its store (to look at what was written), invoking `fake`.
fn server(fake: &Fake, extra: &[&str]) -> (Router, Arc<dyn Store>) {
    let mut args = vec![
        "--lambda-endpoint",
        fake.url.as_str(),
        "--lambda-region",
        "eu-west-1",
        "--no-rate-limits",
    ];
    args.extend_from_slice(extra);
    let config = common::net::config(&args);
    let app = serve::app(&config, config.listen).unwrap();
    let store = Arc::clone(app.pools.store());
    (router(Arc::new(app)), store)
}

/// A function's ARN for `trigger`, with the characters a URL path must escape.
fn arn(trigger: &str) -> String {
    format!("arn:aws:lambda:eu-west-1:123456789012:function:{trigger}")
}

/// A pool whose LambdaConfig names `triggers`, and an app client with password sign-in.
async fn pool(app: &Router, triggers: &[&str]) -> (String, String) {
    let config: serde_json::Map<String, Value> = triggers
        .iter()
        .map(|t| ((*t).to_owned(), Value::String(arn(t))))
        .collect();
    let pool = create_pool(
        app,
        json!({ "PoolName": "p", "LambdaConfig": config, "AutoVerifiedAttributes": ["email"] }),
    )
    .await;
    let client = create_client(
        app,
        json!({ "UserPoolId": pool, "ClientName": "c",
                "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"] }),
    )
    .await;
    (pool, client)
}

async fn call(app: &Router, target: &str, body: Value) -> (StatusCode, Value) {
    send(app, request(Some(target), Some(JSON), body.to_string())).await
}

async fn sign_in(app: &Router, client: &str, user: &str, password: &str) -> (StatusCode, Value) {
    call(
        app,
        "InitiateAuth",
        json!({ "ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": { "USERNAME": user, "PASSWORD": password } }),
    )
    .await
}

async fn sign_up(app: &Router, client: &str, user: &str) -> (StatusCode, Value) {
    call(
        app,
        "SignUp",
        json!({ "ClientId": client, "Username": user, "Password": PASSWORD,
                "UserAttributes": [{ "Name": "email", "Value": format!("{user}@example.com") }] }),
    )
    .await
}

fn user(store: &Arc<dyn Store>, pool: &str, name: &str) -> Option<userpool_core::UserRecord> {
    let pool = UserPoolId::parse(pool).unwrap();
    store.find_user(&pool, UserKey::Username(name)).unwrap()
}

/// The event with `response` replaced.
fn answering(event: &Value, response: Value) -> Value {
    let mut event = event.clone();
    event["response"] = response;
    event
}

/// Answers a migration for `legacy*` users (with their e-mail), and every other event back.
fn migrating(event: &Value) -> Reply {
    if event["triggerSource"]
        .as_str()
        .is_some_and(|s| s.starts_with("UserMigration_"))
    {
        let name = event["userName"].as_str().unwrap_or_default();
        let status = if event["triggerSource"] == "UserMigration_Authentication" {
            "CONFIRMED"
        } else {
            "RESET_REQUIRED"
        };
        return Reply::Json(answering(
            event,
            json!({ "userAttributes": { "email": format!("{name}@old.example"), "email_verified": "true" },
                    "finalUserStatus": status, "messageAction": "SUPPRESS" }),
        ));
    }
    if event["triggerSource"] == "PreSignUp_SignUp" {
        return Reply::Json(answering(
            event,
            json!({ "autoConfirmUser": true, "autoVerifyEmail": true, "autoVerifyPhone": false }),
        ));
    }
    Reply::Json(event.clone())
}

fn keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    keys.sort_unstable();
    keys
}

#[tokio::test(flavor = "multi_thread")]
async fn spec_19_every_trigger_gets_cognitos_event_json_signed_for_lambda() {
    let fake = Fake::start();
    fake.answer(migrating);
    let (app, _store) = server(&fake, &[]);
    let (pool, client) = pool(&app, &ALL_TRIGGERS).await;
    admin_ok(
        &app,
        "CreateGroup",
        json!({ "UserPoolId": pool, "GroupName": "readers" }),
    )
    .await;

    let (status, out) = sign_up(&app, &client, "bob").await;
    assert_eq!(status, StatusCode::OK, "{out}");
    admin_ok(
        &app,
        "AdminAddUserToGroup",
        json!({ "UserPoolId": pool, "Username": "bob", "GroupName": "readers" }),
    )
    .await;
    let (status, out) = sign_in(&app, &client, "bob", PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{out}");
    let refresh = out["AuthenticationResult"]["RefreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, out) = call(
        &app,
        "InitiateAuth",
        json!({ "ClientId": client, "AuthFlow": "REFRESH_TOKEN_AUTH",
                "AuthParameters": { "REFRESH_TOKEN": refresh } }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    let (status, out) = sign_in(&app, &client, "legacy", PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{out}");
    let (status, out) = call(
        &app,
        "ForgotPassword",
        json!({ "ClientId": client, "Username": "legacy2" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{out}");

    let seen = fake.seen();
    let sources: Vec<&str> = seen
        .iter()
        .map(|s| s.event["triggerSource"].as_str().unwrap_or_default())
        .collect();
    for expected in [
        "PreSignUp_SignUp",
        "PostConfirmation_ConfirmSignUp",
        "PreAuthentication_Authentication",
        "PostAuthentication_Authentication",
        "TokenGeneration_Authentication",
        "TokenGeneration_RefreshTokens",
        "UserMigration_Authentication",
        "UserMigration_ForgotPassword",
    ] {
        assert!(sources.contains(&expected), "{expected} not in {sources:?}");
    }
    for s in &seen {
        let source = s.event["triggerSource"].as_str().unwrap_or_default();
        let trigger = match source.split('_').next().unwrap_or_default() {
            "TokenGeneration" => "PreTokenGeneration",
            other => other,
        };
        assert_eq!(s.function, arn(trigger), "{source}");
        assert_eq!(s.invocation_type, "RequestResponse", "{source}");
        assert_eq!(s.content_type, "application/json", "{source}");
        assert_eq!(s.signed_service, "lambda", "{source}");
        assert!(
            s.signature_ok,
            "{source}: the SigV4 signature does not verify"
        );
        let e = &s.event;
        assert_eq!(
            keys(e),
            [
                "callerContext",
                "region",
                "request",
                "response",
                "triggerSource",
                "userName",
                "userPoolId",
                "version"
            ],
            "{source}"
        );
        assert_eq!(e["version"], "1", "{source}");
        assert_eq!(e["region"], "eu-west-1", "{source}");
        assert_eq!(e["userPoolId"], pool.as_str(), "{source}");
        assert_eq!(e["callerContext"]["clientId"], client.as_str(), "{source}");
        assert!(e["callerContext"]["awsSdkVersion"].is_string(), "{source}");
        let (request, response): (&[&str], Value) = match source {
            "PreSignUp_SignUp" => (
                &["clientMetadata", "userAttributes", "validationData"],
                json!({ "autoConfirmUser": false, "autoVerifyEmail": false, "autoVerifyPhone": false }),
            ),
            "PostConfirmation_ConfirmSignUp" => (&["clientMetadata", "userAttributes"], json!({})),
            "PreAuthentication_Authentication" => (
                &["userAttributes", "userNotFound", "validationData"],
                json!({}),
            ),
            "PostAuthentication_Authentication" => (
                &["clientMetadata", "newDeviceUsed", "userAttributes"],
                json!({}),
            ),
            "TokenGeneration_Authentication" | "TokenGeneration_RefreshTokens" => (
                &["clientMetadata", "groupConfiguration", "userAttributes"],
                json!({ "claimsOverrideDetails": null }),
            ),
            "UserMigration_Authentication" => (
                &["clientMetadata", "password", "validationData"],
                json!({ "userAttributes": null, "finalUserStatus": null, "messageAction": null,
                        "desiredDeliveryMediums": null, "forceAliasCreation": null, "enableSMSMFA": null }),
            ),
            "UserMigration_ForgotPassword" => (
                &["clientMetadata", "validationData"],
                json!({ "userAttributes": null, "finalUserStatus": null, "messageAction": null,
                        "desiredDeliveryMediums": null, "forceAliasCreation": null, "enableSMSMFA": null }),
            ),
            other => panic!("unexpected trigger source {other}"),
        };
        assert_eq!(keys(&e["request"]), request, "{source}");
        assert_eq!(e["response"], response, "{source}");
        // (The migrated user's sign-in runs the others too; bob's events are checked.)
        if e["userName"] != "bob" {
            continue;
        }
        let attributes = &e["request"]["userAttributes"];
        assert_eq!(attributes["email"], "bob@example.com", "{source}");
        if source != "PreSignUp_SignUp" {
            assert!(attributes["sub"].is_string(), "{source}: {attributes}");
            assert_eq!(attributes["cognito:user_status"], "CONFIRMED", "{source}");
        }
        if source.starts_with("TokenGeneration_") {
            let groups = &e["request"]["groupConfiguration"];
            assert_eq!(groups["groupsToOverride"], json!(["readers"]), "{source}");
            assert_eq!(groups["iamRolesToOverride"], json!([]), "{source}");
        }
    }
    let migration = seen
        .iter()
        .find(|s| s.event["triggerSource"] == "UserMigration_Authentication")
        .unwrap();
    assert_eq!(migration.event["userName"], "legacy");
    assert_eq!(migration.event["request"]["password"], PASSWORD);
}

#[tokio::test(flavor = "multi_thread")]
async fn spec_19_user_migration_at_sign_in_stores_the_pools_argon2id() {
    let fake = Fake::start();
    fake.answer(migrating);
    let (app, store) = server(&fake, &[]);
    let (pool, client) = pool(&app, &["UserMigration"]).await;

    let (status, out) = sign_in(&app, &client, "legacy", PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{out}");
    let id = claims(out["AuthenticationResult"]["IdToken"].as_str().unwrap());
    assert_eq!(id["email"], "legacy@old.example");
    let migrated = user(&store, &pool, "legacy").unwrap();
    assert_eq!(migrated.status.to_string(), "CONFIRMED");
    let hash = migrated.credential.unwrap().hash;
    assert!(hash.as_phc().starts_with("$argon2id$"), "{}", hash.as_phc());
    // Known now: the next sign-in asks no function, and a wrong password is refused.
    let (status, _) = sign_in(&app, &client, "legacy", PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    let (status, out) = sign_in(&app, &client, "legacy", "Wrong-Passw0rd!").await;
    assert_eq!(
        (status, error_type(&out)),
        (StatusCode::BAD_REQUEST, "NotAuthorizedException")
    );
    assert_eq!(fake.seen().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn spec_19_user_migration_on_forgot_password_creates_a_reset_required_user() {
    let fake = Fake::start();
    fake.answer(migrating);
    let (app, store) = server(&fake, &[]);
    let (pool, client) = pool(&app, &["UserMigration"]).await;

    let (status, out) = call(
        &app,
        "ForgotPassword",
        json!({ "ClientId": client, "Username": "legacy" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(
        out["CodeDeliveryDetails"]["AttributeName"], "email",
        "{out}"
    );
    let migrated = user(&store, &pool, "legacy").unwrap();
    assert_eq!(migrated.status.to_string(), "RESET_REQUIRED");
    assert!(migrated.credential.is_none());
    assert_eq!(migrated.attributes["email"], "legacy@old.example");

    // A function that does not know the user (userAttributes left null) creates nothing.
    fake.answer(|event: &Value| Reply::Json(event.clone()));
    let (status, out) = call(
        &app,
        "ForgotPassword",
        json!({ "ClientId": client, "Username": "stranger" }),
    )
    .await;
    assert_eq!(
        (status, error_type(&out)),
        (StatusCode::BAD_REQUEST, "UserNotFoundException")
    );
    assert!(user(&store, &pool, "stranger").is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn spec_19_pre_sign_up_auto_confirms_and_verifies_the_email() {
    let fake = Fake::start();
    fake.answer(migrating);
    let (app, store) = server(&fake, &[]);
    let (pool, client) = pool(&app, &["PreSignUp"]).await;

    let (status, out) = sign_up(&app, &client, "carol").await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(out["UserConfirmed"], true, "{out}");
    let carol = user(&store, &pool, "carol").unwrap();
    assert_eq!(carol.status.to_string(), "CONFIRMED");
    assert_eq!(carol.attributes["email_verified"], "true");

    // The same function answering nothing: the user waits for a code, as without it.
    fake.answer(|event: &Value| Reply::Json(event.clone()));
    let (status, out) = sign_up(&app, &client, "dave").await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(out["UserConfirmed"], false, "{out}");
    assert_eq!(
        user(&store, &pool, "dave").unwrap().status.to_string(),
        "UNCONFIRMED"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn spec_19_pre_authentication_refusal_counts_no_failed_attempt() {
    let fake = Fake::start();
    let (app, store) = server(&fake, &[]);
    let (pool, client) = pool(&app, &["PreAuthentication"]).await;
    confirmed_user(&app, &pool, "erin", PASSWORD, &[]).await;
    let before = user(&store, &pool, "erin").unwrap();
    fake.answer(|_: &Value| Reply::FunctionError("Not today"));
    for password in [PASSWORD, "Wrong-Passw0rd!"] {
        let (status, out) = sign_in(&app, &client, "erin", password).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{out}");
        assert_eq!(error_type(&out), "UserLambdaValidationException", "{out}");
        assert_eq!(
            out["message"],
            "PreAuthentication failed with error Not today."
        );
    }
    assert_eq!(user(&store, &pool, "erin").unwrap(), before);
    assert_eq!(fake.seen().len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn spec_19_pre_token_generation_adds_suppresses_claims_and_overrides_groups() {
    let fake = Fake::start();
    fake.answer(|event: &Value| {
        Reply::Json(answering(
            event,
            json!({ "claimsOverrideDetails": {
                "claimsToAddOrOverride": { "tier": "gold", "email": "shown@example.com" },
                "claimsToSuppress": ["email_verified"],
                "groupOverrideDetails": { "groupsToOverride": ["admins"] } } }),
        ))
    });
    let (app, _store) = server(&fake, &[]);
    let (pool, client) = pool(&app, &["PreTokenGeneration"]).await;
    confirmed_user(
        &app,
        &pool,
        "fay",
        PASSWORD,
        &[("email", "fay@example.com"), ("email_verified", "true")],
    )
    .await;
    let (status, out) = sign_in(&app, &client, "fay", PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{out}");
    let id = claims(out["AuthenticationResult"]["IdToken"].as_str().unwrap());
    assert_eq!(id["tier"], "gold", "{id}");
    assert_eq!(id["email"], "shown@example.com", "{id}");
    assert!(id.get("email_verified").is_none(), "{id}");
    assert_eq!(id["cognito:groups"], json!(["admins"]), "{id}");
    let access = claims(out["AuthenticationResult"]["AccessToken"].as_str().unwrap());
    assert_eq!(access["cognito:groups"], json!(["admins"]), "{access}");
    assert!(
        access.get("tier").is_none(),
        "V1 shapes the id token only: {access}"
    );

    // An answer touching a claim the token rests on is refused: no tokens.
    fake.answer(|event: &Value| {
        Reply::Json(answering(
            event,
            json!({ "claimsOverrideDetails": { "claimsToSuppress": ["sub"] } }),
        ))
    });
    let (status, out) = sign_in(&app, &client, "fay", PASSWORD).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{out}");
    assert_eq!(error_type(&out), "InvalidLambdaResponseException", "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn spec_19_failing_functions_are_cognitos_errors_and_change_nothing() {
    let fake = Fake::start();
    let (app, store) = server(&fake, &["--lambda-timeout", "1"]);
    let (pool, client) = pool(&app, &["PreSignUp"]).await;
    let timeout =
        "PreSignUp invocation failed due to error Socket timeout while invoking Lambda function.";
    let cases: Vec<(&str, Answer, &str, &str)> = vec![
        (
            "function error",
            Box::new(|_: &Value| Reply::FunctionError("Bad email")),
            "UserLambdaValidationException",
            "PreSignUp failed with error Bad email.",
        ),
        (
            "timeout",
            Box::new(|_: &Value| Reply::Slow(Duration::from_secs(3))),
            "UnexpectedLambdaException",
            timeout,
        ),
        (
            "garbage",
            Box::new(|_: &Value| Reply::Raw(b"<html>oops</html>".to_vec())),
            "InvalidLambdaResponseException",
            "Unrecognizable lambda output",
        ),
        (
            "wrong types",
            Box::new(|event: &Value| {
                Reply::Json(answering(event, json!({ "autoConfirmUser": "yes" })))
            }),
            "InvalidLambdaResponseException",
            "Unrecognizable lambda output",
        ),
        (
            "404",
            Box::new(|_: &Value| Reply::Status(404, "ResourceNotFoundException")),
            "UnexpectedLambdaException",
            "PreSignUp invocation failed due to error ResourceNotFoundException.",
        ),
        (
            "500",
            Box::new(|_: &Value| Reply::Status(500, "ServiceException")),
            "UnexpectedLambdaException",
            "PreSignUp invocation failed due to error ServiceException.",
        ),
        (
            "oversized",
            Box::new(|event: &Value| {
                let mut big = event.clone();
                big["padding"] = Value::String("x".repeat(2 * 1024 * 1024));
                Reply::Json(big)
            }),
            "InvalidLambdaResponseException",
            "Unrecognizable lambda output",
        ),
    ];
    for (name, answer, kind, message) in cases {
        fake.answer(answer);
        let started = Instant::now();
        let (status, out) = sign_up(&app, &client, "gus").await;
        let took = started.elapsed();
        assert_eq!(status, StatusCode::BAD_REQUEST, "{name}: {out}");
        assert_eq!(error_type(&out), kind, "{name}: {out}");
        assert_eq!(out["message"], message, "{name}: {out}");
        assert!(
            user(&store, &pool, "gus").is_none(),
            "{name}: a user was written"
        );
        if name == "timeout" {
            assert!(
                took < Duration::from_millis(2500),
                "{name}: answered after {took:?}"
            );
        }
    }
    assert_eq!(fake.seen().len(), 7);
}

#[tokio::test(flavor = "multi_thread")]
async fn spec_19_an_unreachable_endpoint_is_unexpected_lambda_exception() {
    // A port nothing listens on: bound, then closed.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let fake = Fake {
        url,
        seen: Arc::default(),
        answer: Arc::new(Mutex::new(Box::new(|e: &Value| Reply::Json(e.clone())))),
    };
    let (app, store) = server(&fake, &[]);
    let (pool, client) = pool(&app, &["UserMigration"]).await;
    let (status, out) = sign_in(&app, &client, "legacy", PASSWORD).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{out}");
    assert_eq!(error_type(&out), "UnexpectedLambdaException", "{out}");
    assert!(
        out["message"]
            .as_str()
            .unwrap()
            .starts_with("UserMigration invocation failed due to error "),
        "{out}"
    );
    assert!(user(&store, &pool, "legacy").is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn spec_19_a_pool_without_lambda_config_invokes_nothing() {
    let fake = Fake::start();
    let (app, store) = server(&fake, &[]);
    let (pool, client) = pool(&app, &[]).await;
    let (status, out) = sign_up(&app, &client, "hal").await;
    assert_eq!(status, StatusCode::OK, "{out}");
    let (status, out) = sign_in(&app, &client, "nobody", PASSWORD).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{out}");
    assert!(user(&store, &pool, "hal").is_some());
    assert!(fake.seen().is_empty(), "{:?}", fake.seen());
}

#[tokio::test(flavor = "multi_thread")]
async fn spec_19_calls_beyond_the_concurrency_limit_fail_at_once() {
    let fake = Fake::start();
    fake.answer(|_: &Value| Reply::Slow(Duration::from_millis(1500)));
    let (app, store) = server(
        &fake,
        &["--lambda-max-concurrent", "1", "--lambda-timeout", "5"],
    );
    let (pool, client) = pool(&app, &["PreSignUp"]).await;
    let slow = {
        let (app, client) = (app.clone(), client.clone());
        tokio::spawn(async move { sign_up(&app, &client, "first").await })
    };
    // Wait until the first call is at the function, then try a second.
    let started = Instant::now();
    while fake.seen().is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the first call never arrived"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let started = Instant::now();
    let (status, out) = sign_up(&app, &client, "second").await;
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "it waited for the slot"
    );
    assert_eq!(status, StatusCode::BAD_REQUEST, "{out}");
    assert_eq!(error_type(&out), "UnexpectedLambdaException", "{out}");
    assert_eq!(
        out["message"],
        "PreSignUp invocation failed due to error TooManyRequestsException."
    );
    assert!(user(&store, &pool, "second").is_none());
    let (status, out) = slow.await.unwrap();
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(fake.seen().len(), 1);
    // The slot is free again.
    fake.answer(|event: &Value| Reply::Json(event.clone()));
    let (status, out) = sign_up(&app, &client, "third").await;
    assert_eq!(status, StatusCode::OK, "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn spec_19_admin_create_user_runs_pre_sign_up_without_a_client() {
    let fake = Fake::start();
    let (app, store) = server(&fake, &[]);
    let (pool, _client) = pool(&app, &["PreSignUp"]).await;
    let create = |name: &str| {
        json!({ "UserPoolId": pool, "Username": name, "MessageAction": "SUPPRESS",
                "UserAttributes": [{ "Name": "email", "Value": format!("{name}@example.com") }] })
    };
    admin_ok(&app, "AdminCreateUser", create("ivy")).await;
    let seen = fake.seen();
    assert_eq!(seen.len(), 1);
    let event = &seen[0].event;
    assert_eq!(event["triggerSource"], "PreSignUp_AdminCreateUser");
    assert_eq!(event["userName"], "ivy");
    assert_eq!(
        event["callerContext"]["clientId"],
        "CLIENT_ID_NOT_APPLICABLE"
    );
    assert_eq!(
        event["request"]["userAttributes"]["email"],
        "ivy@example.com"
    );
    assert_eq!(
        user(&store, &pool, "ivy").unwrap().status.to_string(),
        "FORCE_CHANGE_PASSWORD"
    );

    fake.answer(|_: &Value| Reply::FunctionError("Invitations are closed"));
    let (status, out) = send(&app, common::signed("AdminCreateUser", &create("jo"))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{out}");
    assert_eq!(error_type(&out), "UserLambdaValidationException", "{out}");
    assert_eq!(
        out["message"],
        "PreSignUp failed with error Invitations are closed."
    );
    assert!(user(&store, &pool, "jo").is_none());
}

/// The request of the first event the fake saw with `source`.
fn request_of(seen: &[Seen], source: &str) -> Value {
    seen.iter()
        .find(|s| s.event["triggerSource"] == source)
        .unwrap_or_else(|| panic!("no {source} event"))
        .event["request"]
        .clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn spec_19_client_metadata_and_validation_data_reach_the_triggers_cognito_routes_them_to() {
    let fake = Fake::start();
    fake.answer(migrating);
    let (app, _store) = server(&fake, &[]);
    let (_pool, client) = pool(&app, &ALL_TRIGGERS).await;

    // SignUp: ValidationData and ClientMetadata to PreSignUp; ClientMetadata to the
    // PostConfirmation its auto-confirmation runs.
    let (status, out) = call(
        &app,
        "SignUp",
        json!({ "ClientId": client, "Username": "bob", "Password": PASSWORD,
                "UserAttributes": [{ "Name": "email", "Value": "bob@example.com" }],
                "ValidationData": [{ "Name": "captcha", "Value": "solved" }],
                "ClientMetadata": { "step": "sign-up" } }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    // InitiateAuth: its ClientMetadata is PreAuthentication's and UserMigration's
    // validationData, and no trigger's clientMetadata.
    let sign_in_with = |user: &'static str| {
        json!({ "ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": { "USERNAME": user, "PASSWORD": PASSWORD },
                "ClientMetadata": { "step": "sign-in" } })
    };
    let (status, out) = call(&app, "InitiateAuth", sign_in_with("bob")).await;
    assert_eq!(status, StatusCode::OK, "{out}");
    let (status, out) = call(&app, "InitiateAuth", sign_in_with("legacy")).await;
    assert_eq!(status, StatusCode::OK, "{out}");
    // ForgotPassword: its ClientMetadata is UserMigration's clientMetadata.
    let (status, out) = call(
        &app,
        "ForgotPassword",
        json!({ "ClientId": client, "Username": "legacy2",
                "ClientMetadata": { "step": "forgot" } }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{out}");

    let seen = fake.seen();
    let bob: Vec<Seen> = seen
        .iter()
        .filter(|s| s.event["request"]["userAttributes"]["email"] == "bob@example.com")
        .cloned()
        .collect();
    let pre_sign_up = request_of(&bob, "PreSignUp_SignUp");
    assert_eq!(
        pre_sign_up["validationData"],
        json!({ "captcha": "solved" })
    );
    assert_eq!(pre_sign_up["clientMetadata"], json!({ "step": "sign-up" }));
    let confirmation = request_of(&bob, "PostConfirmation_ConfirmSignUp");
    assert_eq!(confirmation["clientMetadata"], json!({ "step": "sign-up" }));
    let pre_authentication = request_of(&bob, "PreAuthentication_Authentication");
    assert_eq!(
        pre_authentication["validationData"],
        json!({ "step": "sign-in" })
    );
    let post_authentication = request_of(&bob, "PostAuthentication_Authentication");
    assert_eq!(post_authentication["clientMetadata"], json!({}));
    let tokens = request_of(&bob, "TokenGeneration_Authentication");
    assert_eq!(tokens["clientMetadata"], json!({}));

    let migration = request_of(&seen, "UserMigration_Authentication");
    assert_eq!(migration["validationData"], json!({ "step": "sign-in" }));
    assert_eq!(migration["clientMetadata"], json!({}));
    let forgot = request_of(&seen, "UserMigration_ForgotPassword");
    assert_eq!(forgot["clientMetadata"], json!({ "step": "forgot" }));
    assert_eq!(forgot["validationData"], json!({}));
}

#[tokio::test(flavor = "multi_thread")]
async fn spec_19_respond_to_auth_challenge_passes_its_client_metadata_to_post_auth_and_tokens() {
    let fake = Fake::start();
    let (app, _store) = server(&fake, &[]);
    let (pool, client) = pool(
        &app,
        &[
            "PostAuthentication",
            "PreTokenGeneration",
            "PostConfirmation",
        ],
    )
    .await;
    admin_ok(
        &app,
        "AdminCreateUser",
        json!({ "UserPoolId": pool, "Username": "kim", "TemporaryPassword": PASSWORD,
                "MessageAction": "SUPPRESS" }),
    )
    .await;
    let (status, out) = call(
        &app,
        "InitiateAuth",
        json!({ "ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": { "USERNAME": "kim", "PASSWORD": PASSWORD },
                "ClientMetadata": { "step": "sign-in" } }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(out["ChallengeName"], "NEW_PASSWORD_REQUIRED", "{out}");
    let (status, out) = call(
        &app,
        "RespondToAuthChallenge",
        json!({ "ClientId": client, "ChallengeName": "NEW_PASSWORD_REQUIRED",
                "Session": out["Session"],
                "ChallengeResponses": { "USERNAME": "kim", "NEW_PASSWORD": "Brand-New-Passw0rd!" },
                "ClientMetadata": { "step": "new-password" } }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert!(out["AuthenticationResult"]["IdToken"].is_string(), "{out}");

    let seen = fake.seen();
    let tokens = request_of(&seen, "TokenGeneration_NewPasswordChallenge");
    assert_eq!(tokens["clientMetadata"], json!({ "step": "new-password" }));
    let post_authentication = request_of(&seen, "PostAuthentication_Authentication");
    assert_eq!(
        post_authentication["clientMetadata"],
        json!({ "step": "new-password" })
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn spec_19_admin_confirm_sign_up_runs_post_confirmation_with_its_client_metadata() {
    let fake = Fake::start();
    let (app, _store) = server(&fake, &[]);
    let (pool, client) = pool(&app, &["PostConfirmation"]).await;
    let (status, out) = sign_up(&app, &client, "lee").await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert!(fake.seen().is_empty(), "sign-up alone confirms nobody");
    admin_ok(
        &app,
        "AdminConfirmSignUp",
        json!({ "UserPoolId": pool, "Username": "lee", "ClientMetadata": { "by": "admin" } }),
    )
    .await;
    let seen = fake.seen();
    assert_eq!(seen.len(), 1);
    let event = &seen[0].event;
    assert_eq!(event["triggerSource"], "PostConfirmation_ConfirmSignUp");
    assert_eq!(event["userName"], "lee");
    assert_eq!(
        event["callerContext"]["clientId"],
        "CLIENT_ID_NOT_APPLICABLE"
    );
    assert_eq!(event["request"]["clientMetadata"], json!({ "by": "admin" }));
    assert_eq!(
        event["request"]["userAttributes"]["cognito:user_status"],
        "CONFIRMED"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn spec_19_bad_client_metadata_is_refused_before_any_trigger_or_write() {
    let fake = Fake::start();
    let (app, store) = server(&fake, &[]);
    let (pool, client) = pool(&app, &["PreSignUp"]).await;
    let sign_up_with = |name: &str, metadata: Value| {
        json!({ "ClientId": client, "Username": name, "Password": PASSWORD,
                "UserAttributes": [{ "Name": "email", "Value": "x@example.com" }],
                "ClientMetadata": metadata })
    };
    // Not a map of strings: the protocol's SerializationException.
    let (status, out) = call(&app, "SignUp", sign_up_with("amy", json!({ "n": 1 }))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{out}");
    assert_eq!(error_type(&out), "SerializationException", "{out}");
    let (status, out) = call(&app, "SignUp", sign_up_with("amy", json!(["a"]))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{out}");
    assert_eq!(error_type(&out), "SerializationException", "{out}");
    // Over the bound (a body the wire still accepts): InvalidParameterException.
    let big = "v".repeat(userpool::MAX_TRIGGER_DATA_BYTES);
    let (status, out) = call(&app, "SignUp", sign_up_with("amy", json!({ "k": big }))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{out}");
    assert_eq!(error_type(&out), "InvalidParameterException", "{out}");
    assert!(
        out["message"]
            .as_str()
            .unwrap()
            .contains("'clientMetadata'"),
        "{out}"
    );
    let validation = json!({ "ClientId": client, "Username": "amy", "Password": PASSWORD,
        "ValidationData": [{ "Name": "k", "Value": "v".repeat(userpool::MAX_TRIGGER_DATA_BYTES) }] });
    let (status, out) = call(&app, "SignUp", validation).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{out}");
    assert_eq!(error_type(&out), "InvalidParameterException", "{out}");
    // 10 MB never reaches the parser: the wire reads at most 1 MiB of body.
    let huge = "v".repeat(10 * 1024 * 1024);
    let (status, out) = call(&app, "SignUp", sign_up_with("amy", json!({ "k": huge }))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{out}");
    assert_eq!(error_type(&out), "SerializationException", "{out}");
    assert!(fake.seen().is_empty(), "no trigger ran");
    assert!(user(&store, &pool, "amy").is_none());
    // Exactly at the bound is accepted.
    let at_bound = "v".repeat(userpool::MAX_TRIGGER_DATA_BYTES - 1);
    let (status, out) = call(
        &app,
        "SignUp",
        sign_up_with("amy", json!({ "k": at_bound })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(fake.seen().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn spec_19_pre_sign_up_of_an_email_username_pool_names_the_generated_username() {
    let fake = Fake::start();
    let (app, store) = server(&fake, &[]);
    let pool = create_pool(
        &app,
        json!({ "PoolName": "p", "UsernameAttributes": ["email"],
                "LambdaConfig": { "PreSignUp": arn("PreSignUp") } }),
    )
    .await;
    let client = create_client(&app, json!({ "UserPoolId": pool, "ClientName": "c" })).await;
    let (status, out) = call(
        &app,
        "SignUp",
        json!({ "ClientId": client, "Username": "eve@example.com", "Password": PASSWORD }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    let sub = out["UserSub"].as_str().unwrap().to_owned();
    admin_ok(
        &app,
        "AdminCreateUser",
        json!({ "UserPoolId": pool, "Username": "fay@example.com", "MessageAction": "SUPPRESS" }),
    )
    .await;

    let seen = fake.seen();
    assert_eq!(seen.len(), 2);
    let sign_up = &seen[0].event;
    assert_eq!(sign_up["triggerSource"], "PreSignUp_SignUp");
    assert_eq!(sign_up["userName"], sub.as_str(), "the generated username");
    assert_eq!(
        sign_up["request"]["userAttributes"]["email"],
        "eve@example.com"
    );
    let stored = user(&store, &pool, &sub).unwrap();
    assert_eq!(stored.sub.to_string(), sub);
    let created = &seen[1].event;
    assert_eq!(created["triggerSource"], "PreSignUp_AdminCreateUser");
    let name = created["userName"].as_str().unwrap();
    assert!(uuid::Uuid::parse_str(name).is_ok(), "{name}");
    let stored = user(&store, &pool, name).unwrap();
    assert_eq!(stored.sub.to_string(), name);
    assert_eq!(stored.attributes["email"], "fay@example.com");
}

/// [`server`] whose service delivers into a recorder (codes read in-process), with the
/// same Lambda triggers for the service and the tokens.
fn server_recording(fake: &Fake) -> (Router, Arc<userpool::RecordingDelivery>) {
    use userpool_server::lambda::{LambdaOptions, LambdaTriggers};
    let args = [
        "--lambda-endpoint",
        fake.url.as_str(),
        "--lambda-region",
        "eu-west-1",
        "--no-rate-limits",
    ];
    let config = common::net::config(&args);
    let mut app = serve::app(&config, config.listen).unwrap();
    let store = Arc::clone(app.pools.store());
    let triggers: Arc<dyn userpool_core::Triggers> = Arc::new(
        LambdaTriggers::new(LambdaOptions {
            endpoint: fake.url.clone(),
            region: "eu-west-1".into(),
            timeout: Duration::from_secs(5),
            max_concurrent: 4,
            credentials: LambdaCredentials::from_env(),
        })
        .unwrap(),
    );
    let tokens = Arc::new(
        userpool::tokens::Tokens::new(
            Arc::clone(&store),
            Arc::clone(&app.clock),
            "http://localhost:9229".into(),
        )
        .with_triggers(Arc::clone(&triggers)),
    );
    let delivery = Arc::new(userpool::RecordingDelivery::new());
    app.pools = userpool::UserPools::builder(store)
        .clock(Arc::clone(&app.clock))
        .delivery(Arc::clone(&delivery) as Arc<dyn userpool::Delivery>)
        .triggers(triggers)
        .tokens(Arc::clone(&tokens))
        .build();
    app.tokens = tokens;
    (router(Arc::new(app)), delivery)
}

#[tokio::test(flavor = "multi_thread")]
async fn spec_19_confirm_forgot_password_runs_post_confirmation_with_its_client_metadata() {
    let fake = Fake::start();
    let (app, delivery) = server_recording(&fake);
    let (pool, client) = pool(&app, &["PostConfirmation"]).await;
    confirmed_user(
        &app,
        &pool,
        "max",
        PASSWORD,
        &[("email", "max@example.com"), ("email_verified", "true")],
    )
    .await;
    let (status, out) = call(
        &app,
        "ForgotPassword",
        json!({ "ClientId": client, "Username": "max" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    let code = delivery
        .last_code("max")
        .expect("a reset code")
        .expose()
        .to_owned();
    let (status, out) = call(
        &app,
        "ConfirmForgotPassword",
        json!({ "ClientId": client, "Username": "max", "ConfirmationCode": code,
                "Password": "Brand-New-Passw0rd!", "ClientMetadata": { "step": "reset" } }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{out}");

    let seen = fake.seen();
    assert_eq!(seen.len(), 1, "only PostConfirmation is configured");
    let event = &seen[0].event;
    assert_eq!(
        event["triggerSource"],
        "PostConfirmation_ConfirmForgotPassword"
    );
    assert_eq!(event["userName"], "max");
    assert_eq!(event["callerContext"]["clientId"], client.as_str());
    assert_eq!(
        event["request"]["clientMetadata"],
        json!({ "step": "reset" })
    );
    assert_eq!(
        event["request"]["userAttributes"]["email"],
        "max@example.com"
    );
    let (status, out) = sign_in(&app, &client, "max", "Brand-New-Passw0rd!").await;
    assert_eq!(status, StatusCode::OK, "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn spec_19_hosted_page_sign_in_is_token_generation_hosted_auth() {
    const CALLBACK: &str = "http://localhost:8000/callback";
    const VERIFIER: &str = "pkce-verifier-of-the-s19-hosted-test-0123456789-abcdefghijklmnop";
    let fake = Fake::start();
    let (app, _store) = server(&fake, &[]);
    let pool = create_pool(
        &app,
        json!({ "PoolName": "p",
                "LambdaConfig": { "PreTokenGeneration": arn("PreTokenGeneration") } }),
    )
    .await;
    let client = create_client(
        &app,
        json!({ "UserPoolId": pool, "ClientName": "web",
                "AllowedOAuthFlows": ["code"], "AllowedOAuthFlowsUserPoolClient": true,
                "AllowedOAuthScopes": ["openid"], "CallbackURLs": [CALLBACK],
                "SupportedIdentityProviders": ["COGNITO"] }),
    )
    .await;
    confirmed_user(&app, &pool, "hal", PASSWORD, &[]).await;
    fake.answer(|event: &Value| {
        Reply::Json(answering(
            event,
            json!({ "claimsOverrideDetails": { "claimsToAddOrOverride": { "tier": "gold" } } }),
        ))
    });

    let query = form(&[
        ("response_type", "code"),
        ("client_id", &client),
        ("redirect_uri", CALLBACK),
        ("scope", "openid"),
        ("state", "s"),
        (
            "code_challenge",
            &userpool_core::oauth::s256_challenge(VERIFIER),
        ),
        ("code_challenge_method", "S256"),
    ]);
    let page = oauth::call(
        &app,
        oauth::get(&format!("/{pool}/oauth2/authorize?{query}")),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let login = form(&[
        ("request", &page.hidden("request")),
        ("_csrf", &page.hidden("_csrf")),
        ("username", "hal"),
        ("password", PASSWORD),
    ]);
    let signed_in = oauth::call(
        &app,
        oauth::post_form(
            &format!("/{pool}/login"),
            &login,
            &[("cookie", &page.cookie())],
        ),
    )
    .await;
    assert_eq!(signed_in.status, StatusCode::FOUND, "{}", signed_in.body);
    let location = signed_in.location();
    let code = form_urlencoded::parse(location.split_once('?').unwrap().1.as_bytes())
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let exchange = form(&[
        ("grant_type", "authorization_code"),
        ("client_id", &client),
        ("code", &code),
        ("redirect_uri", CALLBACK),
        ("code_verifier", VERIFIER),
    ]);
    let answer = oauth::call(
        &app,
        oauth::post_form(&format!("/{pool}/oauth2/token"), &exchange, &[]),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let tokens = answer.json();
    assert_eq!(claims(tokens["id_token"].as_str().unwrap())["tier"], "gold");

    let seen = fake.seen();
    assert_eq!(seen.len(), 1, "one token issue");
    let event = &seen[0].event;
    assert_eq!(event["triggerSource"], "TokenGeneration_HostedAuth");
    assert_eq!(event["userName"], "hal");
    assert_eq!(event["callerContext"]["clientId"], client.as_str());
    assert_eq!(event["request"]["clientMetadata"], json!({}));
}

#[tokio::test(flavor = "multi_thread")]
async fn spec_19_caller_context_names_the_callers_aws_sdk() {
    let fake = Fake::start();
    fake.answer(migrating);
    let (app, _store) = server(&fake, &[]);
    let (_pool, client) = pool(&app, &["PreSignUp"]).await;
    let cases = [
        (
            Some("aws-sdk-js/3.454.0 ua/2.0 os/linux lang/js md/nodejs#20"),
            "aws-sdk-js-3.454.0",
        ),
        (
            Some("aws-sdk-java/2.20.0 Linux/6.1 OpenJDK_64-Bit_Server_VM/17"),
            "aws-sdk-java-2.20.0",
        ),
        (
            Some("Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 lang/python#3.12"),
            "aws-sdk-unknown-unknown",
        ),
        (Some("aws-sdk-evil/<script>"), "aws-sdk-unknown-unknown"),
        (None, "aws-sdk-unknown-unknown"),
    ];
    for (i, (agent, expected)) in cases.into_iter().enumerate() {
        let body = json!({ "ClientId": client, "Username": format!("u{i}"), "Password": PASSWORD });
        let mut request = request(Some("SignUp"), Some(JSON), body.to_string());
        if let Some(agent) = agent {
            request
                .headers_mut()
                .insert("user-agent", agent.parse().unwrap());
        }
        let (status, out) = send(&app, request).await;
        assert_eq!(status, StatusCode::OK, "{out}");
        let seen = fake.seen();
        let event = &seen.last().unwrap().event;
        assert_eq!(event["userName"], format!("u{i}"));
        assert_eq!(
            event["callerContext"]["awsSdkVersion"], expected,
            "{agent:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn spec_19_admin_initiate_auth_metadata_is_pre_authentications_validation_data() {
    let fake = Fake::start();
    let (app, _store) = server(&fake, &[]);
    let (pool, _) = pool(&app, &["PreAuthentication", "PostAuthentication"]).await;
    let client = create_client(
        &app,
        json!({ "UserPoolId": pool, "ClientName": "admin",
                "ExplicitAuthFlows": ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"] }),
    )
    .await;
    confirmed_user(&app, &pool, "ned", PASSWORD, &[]).await;
    let out = admin_ok(
        &app,
        "AdminInitiateAuth",
        json!({ "UserPoolId": pool, "ClientId": client, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
                "AuthParameters": { "USERNAME": "ned", "PASSWORD": PASSWORD },
                "ClientMetadata": { "step": "admin-sign-in" } }),
    )
    .await;
    assert!(out["AuthenticationResult"]["IdToken"].is_string(), "{out}");
    let seen = fake.seen();
    let pre = request_of(&seen, "PreAuthentication_Authentication");
    assert_eq!(pre["validationData"], json!({ "step": "admin-sign-in" }));
    let post = request_of(&seen, "PostAuthentication_Authentication");
    assert_eq!(post["clientMetadata"], json!({}));
    for s in &seen {
        assert_eq!(s.event["callerContext"]["clientId"], client.as_str());
    }
}
