//! SPEC §11 framing, in process: every malformed request gets a JSON error with the right
//! `__type` and status, and a refused admin request changes nothing.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{JSON, app, error_type, request, send};
use serde_json::json;

const JSON_CT: Option<&str> = Some(JSON);

#[tokio::test]
async fn spec_11_malformed_requests_get_json_errors_never_a_dropped_connection() {
    let app = app();
    let cases: Vec<(Request<Body>, &str)> = vec![
        (
            request(Some("SignUp"), Some("text/plain"), "{}"),
            "SerializationException",
        ),
        (
            request(Some("SignUp"), None, "{}"),
            "SerializationException",
        ),
        (request(None, JSON_CT, "{}"), "UnknownOperationException"),
        (
            request(Some("Frobnicate"), JSON_CT, "{}"),
            "UnknownOperationException",
        ),
        (
            request(Some("AdminForgetDevice"), JSON_CT, "{}"),
            "UnsupportedOperationException",
        ),
        (
            request(Some("SignUp"), JSON_CT, "{not json"),
            "SerializationException",
        ),
        (
            request(Some("SignUp"), JSON_CT, "[1,2]"),
            "SerializationException",
        ),
        (
            request(Some("SignUp"), JSON_CT, r#"{"ClientId": 5}"#),
            "SerializationException",
        ),
        (
            request(Some("SignUp"), JSON_CT, vec![b' '; (1 << 20) + 1]),
            "SerializationException",
        ),
    ];
    for (req, expected) in cases {
        let (status, body) = send(&app, req).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(error_type(&body), expected, "{body}");
        assert!(
            body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{body}"
        );
    }
}

#[tokio::test]
async fn spec_11_unknown_paths_are_json_404s() {
    let app = app();
    let req = Request::get("/nothing/here")
        .body(Body::empty())
        .unwrap_or_else(|e| panic!("{e}"));
    let (status, body) = send(&app, req).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error_type(&body), "UnknownOperationException");
}

#[tokio::test]
async fn spec_11_admin_operations_without_a_signature_are_refused() {
    let app = app();
    for op in [
        "CreateUserPool",
        "AdminSetUserPassword",
        "ListUserPools",
        "AdminInitiateAuth",
        // SPEC §17: the group operations are admin operations too.
        "CreateGroup",
        "AdminAddUserToGroup",
        "ListUsersInGroup",
    ] {
        let (status, body) = send(&app, request(Some(op), JSON_CT, r#"{"PoolName":"p"}"#)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{op}");
        assert_eq!(
            error_type(&body),
            "MissingAuthenticationTokenException",
            "{op}"
        );
    }
}

#[tokio::test]
async fn spec_1_missing_members_are_invalid_parameters_naming_them() {
    let app = app();
    let (status, body) = send(&app, request(Some("SignUp"), JSON_CT, "{}")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_type(&body), "InvalidParameterException");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with("3 validation errors detected"),
        "{message}"
    );
    for member in ["clientId", "username", "password"] {
        assert!(
            message.contains(&format!("Value null at '{member}'")),
            "{message}"
        );
    }
}

#[tokio::test]
async fn spec_8_public_operations_on_an_unknown_client_are_resource_not_found() {
    let app = app();
    let input =
        json!({ "ClientId": "nosuchclient", "Username": "diego", "Password": "Correct-Horse-9" });
    let (status, body) = send(&app, request(Some("SignUp"), JSON_CT, input.to_string())).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_type(&body), "ResourceNotFoundException", "{body}");
}
