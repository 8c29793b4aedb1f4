//! SPEC §15 on the wire, in process: the shapes of `USER_SRP_AUTH` and PASSWORD_VERIFIER
//! and their refusals (missing members named, a bad SRP_A, an unreadable answer). The
//! whole flow with real clients is in `tests/e2e/test_s15_srp.py`.

mod common;

use axum::http::StatusCode;
use common::{admin_get_user, app, confirmed_user, create_client, create_pool, error_type, public};
use serde_json::{Value, json};

/// A pool, a client allowing USER_SRP_AUTH and a CONFIRMED user `diego`.
async fn pool_client_user(app: &axum::Router) -> (String, String) {
    let pool = create_pool(app, json!({ "PoolName": "p" })).await;
    let client = create_client(
        app,
        json!({ "UserPoolId": pool, "ClientName": "c", "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH"] }),
    )
    .await;
    confirmed_user(app, &pool, "diego", "Correct-Horse-9!", &[]).await;
    (pool, client)
}

#[tokio::test]
async fn spec_15_user_srp_auth_answers_password_verifier_in_cognitos_shape() {
    let app = app();
    let (_, client) = pool_client_user(&app).await;
    let (status, out) = public(
        &app,
        "InitiateAuth",
        &json!({ "ClientId": client, "AuthFlow": "USER_SRP_AUTH",
                 "AuthParameters": { "USERNAME": "diego", "SRP_A": "0ab1" } }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(out["ChallengeName"], "PASSWORD_VERIFIER");
    assert!(out.get("Session").is_none(), "no Session: {out}");
    let params = out["ChallengeParameters"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let mut names: Vec<&str> = params.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "SALT",
            "SECRET_BLOCK",
            "SRP_B",
            "USERNAME",
            "USER_ID_FOR_SRP"
        ]
    );
    assert_eq!(params["USER_ID_FOR_SRP"], "diego");
    assert_eq!(params["USERNAME"], "diego");
    for hex in ["SALT", "SRP_B"] {
        let text = params[hex].as_str().unwrap_or_default();
        assert!(
            !text.is_empty() && text.chars().all(|c| c.is_ascii_hexdigit()),
            "{hex}: {text}"
        );
    }
}

#[tokio::test]
async fn spec_15_refusals_on_the_wire_are_typed() {
    let app = app();
    let (pool, client) = pool_client_user(&app).await;
    let initiate = |params: Value| json!({ "ClientId": client, "AuthFlow": "USER_SRP_AUTH", "AuthParameters": params });
    let cases = [
        (
            initiate(json!({ "USERNAME": "diego" })),
            "InvalidParameterException",
            "Missing required parameter SRP_A",
        ),
        (
            initiate(json!({ "SRP_A": "0ab1" })),
            "InvalidParameterException",
            "Missing required parameter USERNAME",
        ),
        (
            initiate(json!({ "USERNAME": "diego", "SRP_A": "not hex" })),
            "InvalidParameterException",
            "Invalid SRP_A value.",
        ),
    ];
    for (input, code, message) in cases {
        let (status, out) = public(&app, "InitiateAuth", &input).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{out}");
        assert_eq!(
            (error_type(&out), out["message"].as_str()),
            (code, Some(message))
        );
    }
    let respond = |responses: Value| json!({ "ClientId": client, "ChallengeName": "PASSWORD_VERIFIER", "ChallengeResponses": responses });
    let (_, out) = public(
        &app,
        "RespondToAuthChallenge",
        &respond(
            json!({ "USERNAME": "diego", "PASSWORD_CLAIM_SECRET_BLOCK": "AAAA",
                         "PASSWORD_CLAIM_SIGNATURE": "AAAA" }),
        ),
    )
    .await;
    assert_eq!(
        (error_type(&out), out["message"].as_str()),
        (
            "InvalidParameterException",
            Some("Missing required parameter TIMESTAMP")
        )
    );
    // An unreadable answer (extra members ignored): a failed sign-in, the user unchanged
    // but for the count.
    let (status, out) = public(
        &app,
        "RespondToAuthChallenge",
        &respond(json!({ "USERNAME": "diego", "PASSWORD_CLAIM_SECRET_BLOCK": "AAAA",
                         "PASSWORD_CLAIM_SIGNATURE": "short", "TIMESTAMP": "Tue Jan 6 09:05:03 UTC 2026",
                         "SOMETHING_ELSE": "ignored" })),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        (error_type(&out), out["message"].as_str()),
        (
            "NotAuthorizedException",
            Some("Incorrect username or password.")
        )
    );
    let user = admin_get_user(&app, &pool, "diego").await;
    assert_eq!(user["UserStatus"], "CONFIRMED");
}
