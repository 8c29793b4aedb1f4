//! Signed admin operations in process: the AWS CLI example's operation end to end, and
//! SigV4 refusals that change nothing (SPEC §3, §7, §11).

mod common;

use std::time::{Duration, SystemTime};

use axum::http::StatusCode;
use common::{admin_ok, app, error_type, send, signed, signed_with};
use serde_json::{Value, json};
use userpool_server::config::{DEV_ACCESS_KEY_ID, DEV_SECRET_ACCESS_KEY};

async fn pool_with_user(app: &axum::Router) -> String {
    let out = admin_ok(
        app,
        "CreateUserPool",
        json!({ "PoolName": "p", "AliasAttributes": ["email"] }),
    )
    .await;
    let pool = out["UserPool"]["Id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let user = json!({
        "UserPoolId": pool,
        "Username": "diego",
        "TemporaryPassword": "Temp-Pass-1",
        "UserAttributes": [
            { "Name": "email", "Value": "diego@example.com" },
            { "Name": "email_verified", "Value": "true" },
        ],
        "MessageAction": "SUPPRESS",
    });
    let created = admin_ok(app, "AdminCreateUser", user).await;
    assert_eq!(created["User"]["UserStatus"], "FORCE_CHANGE_PASSWORD");
    pool
}

async fn get_user(app: &axum::Router, pool: &str) -> Value {
    admin_ok(
        app,
        "AdminGetUser",
        json!({ "UserPoolId": pool, "Username": "diego" }),
    )
    .await
}

#[tokio::test]
async fn spec_3_admin_set_user_password_permanent_by_alias_confirms_and_returns_empty() {
    let app = app();
    let pool = pool_with_user(&app).await;
    let input = json!({
        "UserPoolId": pool,
        "Username": "diego@example.com",
        "Password": "MyExamplePassword1!",
        "Permanent": true,
    });
    let out = admin_ok(&app, "AdminSetUserPassword", input).await;
    assert_eq!(out, json!({}));
    let user = get_user(&app, &pool).await;
    assert_eq!(user["UserStatus"], "CONFIRMED");
    assert_eq!(user["Username"], "diego");
    assert!(user["UserCreateDate"].is_f64(), "{user}");
}

#[tokio::test]
async fn spec_11_bad_signatures_are_refused_and_change_nothing() {
    let app = app();
    let pool = pool_with_user(&app).await;
    let before = get_user(&app, &pool).await;
    let input = json!({ "UserPoolId": pool, "Username": "diego", "Password": "MyExamplePassword1!", "Permanent": true });
    let now = SystemTime::now();
    let cases = [
        (
            signed_with(
                "AdminSetUserPassword",
                &input,
                DEV_ACCESS_KEY_ID,
                "wrong-secret",
                now,
            ),
            "InvalidSignatureException",
        ),
        (
            signed_with(
                "AdminSetUserPassword",
                &input,
                "AKIAUNKNOWN",
                DEV_SECRET_ACCESS_KEY,
                now,
            ),
            "UnrecognizedClientException",
        ),
        (
            signed_with(
                "AdminSetUserPassword",
                &input,
                DEV_ACCESS_KEY_ID,
                DEV_SECRET_ACCESS_KEY,
                now - Duration::from_secs(16 * 60),
            ),
            "InvalidSignatureException",
        ),
    ];
    for (request, expected) in cases {
        let (status, body) = send(&app, request).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(error_type(&body), expected, "{body}");
    }
    // A signature over another body does not carry over to this one.
    let mut tampered = signed("AdminSetUserPassword", &input);
    *tampered.body_mut() = json!({ "UserPoolId": pool, "Username": "diego", "Password": "Other-Password-2!", "Permanent": true })
        .to_string()
        .into();
    let (_, body) = send(&app, tampered).await;
    assert_eq!(error_type(&body), "InvalidSignatureException", "{body}");
    assert_eq!(
        get_user(&app, &pool).await,
        before,
        "a refused request changed the user"
    );
}

#[tokio::test]
async fn spec_2_policy_failures_travel_with_their_cognito_type_and_message() {
    let app = app();
    let pool = pool_with_user(&app).await;
    let cases = [
        (
            "Sh0rt!",
            "Password does not conform to policy: Password not long enough",
        ),
        (
            "NOLOWERCASE-1",
            "Password does not conform to policy: Password must have lowercase characters",
        ),
        (
            "nouppercase-1",
            "Password does not conform to policy: Password must have uppercase characters",
        ),
        (
            "No-Numbers-Here",
            "Password does not conform to policy: Password must have numeric characters",
        ),
        (
            "NoSymbols123",
            "Password does not conform to policy: Password must have symbol characters",
        ),
    ];
    for (password, message) in cases {
        let input = json!({ "UserPoolId": pool, "Username": "diego", "Password": password, "Permanent": true });
        let (status, body) = send(&app, signed("AdminSetUserPassword", &input)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(
            (
                error_type(&body),
                body["message"].as_str().unwrap_or_default()
            ),
            ("InvalidPasswordException", message)
        );
    }
    assert_eq!(
        get_user(&app, &pool).await["UserStatus"],
        "FORCE_CHANGE_PASSWORD"
    );
}

#[tokio::test]
async fn spec_8_unknown_pool_and_user_are_told_apart() {
    let app = app();
    let pool = pool_with_user(&app).await;
    let (_, body) = send(
        &app,
        signed(
            "AdminGetUser",
            &json!({ "UserPoolId": "us-east-1_Nope", "Username": "diego" }),
        ),
    )
    .await;
    assert_eq!(
        (
            error_type(&body),
            body["message"].as_str().unwrap_or_default()
        ),
        (
            "ResourceNotFoundException",
            "User pool us-east-1_Nope does not exist."
        )
    );
    let (_, body) = send(
        &app,
        signed(
            "AdminGetUser",
            &json!({ "UserPoolId": pool, "Username": "maria" }),
        ),
    )
    .await;
    assert_eq!(
        (
            error_type(&body),
            body["message"].as_str().unwrap_or_default()
        ),
        ("UserNotFoundException", "User does not exist.")
    );
}
