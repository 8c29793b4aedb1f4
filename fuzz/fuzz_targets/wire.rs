//! SPEC §11: any request — any target, content type, authorization header and body — gets
//! a well-formed answer from the server's router: HTTP 200, or 400/500 with a JSON body
//! `{"__type", "message"}` whose type matches the status. Never a panic, never a dropped
//! request. Bodies may name the pre-made pool and client by the placeholders `POOL` and
//! `CLIENT`, so the fuzzer reaches the operations behind the framing.
#![no_main]
#![forbid(unsafe_code)]

use std::sync::{Arc, OnceLock};

use arbitrary::Arbitrary;
use axum::body::Body;
use axum::http::Request;
use clap::Parser;
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt;
use userpool_server::operation::Operation;
use userpool_server::{Config, router, serve};

const CONTENT_TYPES: [&str; 4] = [
    "application/x-amz-json-1.1",
    "application/json",
    "application/x-amz-json-1.1; charset=utf-8",
    "text/plain",
];

#[derive(Debug, Arbitrary)]
struct Input {
    /// An implemented operation by index, or a raw target when out of range.
    operation: u8,
    raw_target: String,
    content_type: u8,
    authorization: Option<String>,
    body: String,
}

struct Harness {
    runtime: tokio::runtime::Runtime,
    router: axum::Router,
    pool: String,
    client: String,
}

fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| {
        let config = Config::try_parse_from([
            "userpool-server",
            "--memory",
            "--hash-memory-kib",
            "64",
            "--hash-iterations",
            "1",
        ])
        .expect("config");
        let app = serve::app(&config, config.listen).expect("app");
        let admin = userpool_store::Caller::new("fuzz");
        let pool = app
            .pools
            .create_user_pool(&admin, "fuzz", userpool_store::PoolSettings {
                hash_params: app.hash_params,
                ..Default::default()
            })
            .expect("pool");
        let client = app
            .pools
            .create_user_pool_client(&admin, pool.id.as_str(), "fuzz", userpool_store::ClientSettings {
                explicit_auth_flows: vec!["ALLOW_USER_PASSWORD_AUTH".into(), "ALLOW_REFRESH_TOKEN_AUTH".into()],
                ..Default::default()
            })
            .expect("client");
        Harness {
            runtime: tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime"),
            router: router(Arc::new(app)),
            pool: pool.id.as_str().to_owned(),
            client: client.client_id,
        }
    })
}

fuzz_target!(|input: Input| {
    let h = harness();
    let target = match Operation::ALL.get(usize::from(input.operation)) {
        Some(op) => format!("AWSCognitoIdentityProviderService.{}", op.name()),
        None => input.raw_target.clone(),
    };
    let body = input.body.replace("POOL", &h.pool).replace("CLIENT", &h.client);
    let mut request = Request::post("/")
        .header("host", "127.0.0.1:9229")
        .header("content-type", CONTENT_TYPES[usize::from(input.content_type) % CONTENT_TYPES.len()]);
    if let Ok(value) = axum::http::HeaderValue::from_str(&target) {
        request = request.header("x-amz-target", value);
    }
    if let Some(auth) = input.authorization.as_deref().and_then(|a| axum::http::HeaderValue::from_str(a).ok()) {
        request = request.header("authorization", auth);
    }
    let Ok(request) = request.body(Body::from(body)) else { return };
    let (status, bytes) = h.runtime.block_on(async {
        let response = h.router.clone().oneshot(request).await.expect("infallible");
        let status = response.status();
        (status, axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("body"))
    });
    let json: serde_json::Value = serde_json::from_slice(&bytes).expect("every answer is JSON");
    match status.as_u16() {
        200 => assert!(json.is_object(), "{json}"),
        400 => {
            let kind = json["__type"].as_str().expect("__type");
            assert_ne!(kind, "InternalErrorException", "{json}");
            assert!(json["message"].is_string(), "{json}");
        }
        500 => assert_eq!(json["__type"], "InternalErrorException", "{json}"),
        other => panic!("unexpected status {other}: {json}"),
    }
});
