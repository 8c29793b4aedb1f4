//! SPEC §12 through the wire, in process: the reset brute force (ForgotPassword
//! then a guess, over and over, knowing only a client id and a username) gets at most five
//! codes compared an hour; ResendConfirmationCode answers as Cognito does.

mod common;

use axum::http::StatusCode;
use common::{
    JSON, admin_get_user, app, app_with, confirmed_user, create_client, create_pool, error_of,
    error_type, public, request, send,
};
use serde_json::json;

/// A pool, a public client and a CONFIRMED user `diego` with an email address.
async fn pool_client_and_confirmed_user(app: &axum::Router) -> (String, String) {
    let pool = create_pool(
        app,
        json!({ "PoolName": "p12", "AutoVerifiedAttributes": ["email"] }),
    )
    .await;
    let client = create_client(app, json!({ "UserPoolId": pool, "ClientName": "web" })).await;
    confirmed_user(
        app,
        &pool,
        "diego",
        "Before-Pass-1",
        &[("email", "diego@example.com")],
    )
    .await;
    (pool, client)
}

// SPEC §12: 1,000 cycles of ForgotPassword + a guessed code against one user
// within the hour: at most five codes are issued and at most five guesses are compared
// (answered CodeMismatch, or accepted had one been right); every other answer is
// LimitExceededException, and the password is unchanged.
#[tokio::test]
async fn spec_12_reset_brute_force_gets_at_most_five_checks_an_hour() {
    // The code limits alone, without the rate limits of SPEC §13 in front of them.
    let app = app_with(&["--no-rate-limits"]);
    let (pool, client) = pool_client_and_confirmed_user(&app).await;
    let mut issued = 0;
    let mut checked = 0;
    for cycle in 0..1_000 {
        let (status, _) = public(
            &app,
            "ForgotPassword",
            &json!({ "ClientId": client, "Username": "diego" }),
        )
        .await;
        if status == StatusCode::OK {
            issued += 1;
        }
        let (status, body) = public(
            &app,
            "ConfirmForgotPassword",
            &json!({
                "ClientId": client,
                "Username": "diego",
                "ConfirmationCode": format!("{:06}", cycle * 7_919 % 1_000_000),
                "Password": "Attacker-Pass-1",
            }),
        )
        .await;
        match (status, error_type(&body)) {
            (StatusCode::OK, _) | (_, "CodeMismatchException") => checked += 1,
            (_, "LimitExceededException") => {}
            other => panic!("cycle {cycle}: unexpected answer {other:?}: {body}"),
        }
    }
    assert!(issued <= 5, "{issued} codes issued within the hour");
    assert!(checked <= 5, "{checked} guesses compared within the hour");
    assert!(checked >= 1, "the first guesses are compared");
    let (status, body) = public(
        &app,
        "ForgotPassword",
        &json!({ "ClientId": client, "Username": "diego" }),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        error_of(&body),
        (
            "LimitExceededException",
            "Attempt limit exceeded, please try after some time."
        )
    );
    let (status, body) = public(
        &app,
        "InitiateAuth",
        &json!({
            "ClientId": client,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": { "USERNAME": "diego", "PASSWORD": "Attacker-Pass-1" },
        }),
    )
    .await;
    assert_ne!(
        status,
        StatusCode::OK,
        "the attacker's password is not set: {body}"
    );
    let user = admin_get_user(&app, &pool, "diego").await;
    assert_eq!(user["UserStatus"], "CONFIRMED");
}

// ResendConfirmationCode over the wire: an UNCONFIRMED user gets CodeDeliveryDetails; a
// CONFIRMED one gets Cognito's `User is already confirmed.`; the sixth code in an hour is
// LimitExceededException (SignUp's counts).
#[tokio::test]
async fn spec_12_resend_confirmation_code_over_the_wire() {
    let app = app();
    let (_, client) = pool_client_and_confirmed_user(&app).await;
    let (status, body) = public(
        &app,
        "SignUp",
        &json!({
            "ClientId": client,
            "Username": "newbie",
            "Password": "Newbie-Pass-1",
            "UserAttributes": [{ "Name": "email", "Value": "newbie@example.com" }],
        }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let resend = |username: &str| {
        request(
            Some("ResendConfirmationCode"),
            Some(JSON),
            json!({ "ClientId": client, "Username": username }).to_string(),
        )
    };
    for _ in 0..4 {
        let (status, body) = send(&app, resend("newbie")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["CodeDeliveryDetails"]["Destination"], "n***@e***");
        assert_eq!(body["CodeDeliveryDetails"]["DeliveryMedium"], "EMAIL");
    }
    let (status, body) = send(&app, resend("newbie")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_type(&body), "LimitExceededException", "{body}");

    let (status, body) = send(&app, resend("diego")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        error_of(&body),
        ("InvalidParameterException", "User is already confirmed.")
    );
    let (_, body) = send(&app, resend("nobody")).await;
    assert_eq!(error_type(&body), "UserNotFoundException", "{body}");
}

// SPEC §16 over the wire: a pool that auto-verifies nothing refuses ResendConfirmationCode
// with Cognito's error.
#[tokio::test]
async fn spec_16_resend_confirmation_code_without_auto_verified_attributes_over_the_wire() {
    let app = app();
    let pool = create_pool(&app, json!({ "PoolName": "quiet" })).await;
    let client = create_client(&app, json!({ "UserPoolId": pool, "ClientName": "web" })).await;
    let (status, body) = public(
        &app,
        "SignUp",
        &json!({
            "ClientId": client,
            "Username": "quiet",
            "Password": "Quiet-Pass-1",
            "UserAttributes": [{ "Name": "email", "Value": "quiet@example.com" }],
        }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.get("CodeDeliveryDetails").is_none(), "{body}");
    let (status, body) = public(
        &app,
        "ResendConfirmationCode",
        &json!({ "ClientId": client, "Username": "quiet" }),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        error_of(&body),
        (
            "NotAuthorizedException",
            "Cannot resend codes. Auto verification not turned on."
        )
    );
}
