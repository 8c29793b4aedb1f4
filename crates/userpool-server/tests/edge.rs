//! The untrusted edge: a hostile `SignedHeaders` gets a typed error, not a
//! dropped connection; a panic is answered 500 InternalErrorException; plain JSON is
//! accepted.

mod common;

use std::sync::Arc;

use axum::http::StatusCode;
use chrono::Utc;
use common::net::{self, connect, exchange};
use common::{JSON, error_type, request, send, signed};
use serde_json::json;
use userpool_server::config::DEV_ACCESS_KEY_ID;
use userpool_server::wire::INTERNAL_ERROR_MESSAGE;

/// An admin request with the development access key id, a valid date and scope, and
/// `signed_headers` over `extra` raw header lines.
fn hostile_request(signed_headers: &str, extra: &str) -> String {
    let now = Utc::now();
    let (date, day) = (
        now.format("%Y%m%dT%H%M%SZ").to_string(),
        now.format("%Y%m%d").to_string(),
    );
    let body = r#"{"UserPoolId":"us-east-1_abc","Username":"u"}"#;
    format!(
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.1\r\n\
         X-Amz-Target: AWSCognitoIdentityProviderService.AdminGetUser\r\nX-Amz-Date: {date}\r\n\
         Authorization: AWS4-HMAC-SHA256 Credential={DEV_ACCESS_KEY_ID}/{day}/us-east-1/cognito-idp/aws4_request, \
         SignedHeaders={signed_headers}, Signature={sig}\r\n{extra}Content-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len(),
        sig = "0".repeat(64),
    )
}

/// The request that once panicked: `SignedHeaders` naming one header ~270 times over 90 copies of it
/// (1.6 KB in all) made the signer panic ("size overflows MAX_SIZE") and the connection
/// drop. 280 here: 280 × 90 pairs pass the 24,576 (¾ of 32,768) where the signer's header
/// map must grow past its maximum, which panicked (checked against the code before the fix;
/// with the panic layer alone it is a 500). Now a typed 4xx.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_headers_naming_one_header_280_times_over_90_copies_is_a_typed_4xx() {
    let server = net::start(&[]).await;
    let repeated = vec!["x"; 280].join(";");
    let extra = "x: 1\r\n".repeat(90);
    let cases = [
        // The reported request: repeated, so not sorted and unique.
        format!("host;{repeated};x-amz-date"),
        // Sorted and unique, but the 90 copies exceed the cap on signed values.
        "host;x;x-amz-date".to_owned(),
    ];
    for signed_headers in cases {
        let raw = hostile_request(&signed_headers, &extra);
        assert!(raw.len() > 1_000 && raw.len() < 4_000, "{}", raw.len());
        let (status, body) = exchange(connect(server.address, None).await, &raw).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(
            body["__type"].as_str(),
            Some("IncompleteSignatureException"),
            "{body}"
        );
    }
    // The server is still serving.
    let (status, _) = net::post(
        server.address,
        None,
        "SignUp",
        &json!({"ClientId": "nosuchclient", "Username": "u", "Password": "Correct-Horse-9!"}),
    )
    .await;
    assert_eq!(status, 400);
}

/// A clock that panics: the server reads it on the async path (the signature's skew).
struct PanickingClock;

impl userpool::Clock for PanickingClock {
    fn now(&self) -> chrono::DateTime<Utc> {
        panic!("forced panic for the test")
    }
}

/// A panic (a bug) is answered HTTP 500 InternalErrorException with the generic message,
/// and the connection is answered, not dropped.
#[tokio::test]
async fn a_panic_is_answered_500_internal_error() {
    let config = net::config(&[]);
    let mut app =
        userpool_server::serve::app(&config, config.listen).unwrap_or_else(|e| panic!("{e}"));
    app.clock = Arc::new(PanickingClock);
    let router = userpool_server::router(Arc::new(app));
    let (status, body) = send(&router, signed("ListUserPools", &json!({"MaxResults": 1}))).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        body,
        json!({"__type": "InternalErrorException", "message": INTERNAL_ERROR_MESSAGE})
    );
}

/// SPEC §11: AWS's API reference examples send `Content-Type: application/json`.
#[tokio::test]
async fn plain_json_content_type_is_accepted() {
    let router = common::app();
    let input =
        json!({ "ClientId": "nosuchclient", "Username": "diego", "Password": "Correct-Horse-9" });
    for content_type in [JSON, "application/json", "application/json; charset=utf-8"] {
        let (status, body) = send(
            &router,
            request(Some("SignUp"), Some(content_type), input.to_string()),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(error_type(&body), "ResourceNotFoundException", "{body}");
    }
}
