//! SPEC §1 on the wire: a member of `AuthParameters` or `ChallengeResponses` that the flow
//! needs and the request left out is `InvalidParameterException` "Missing required
//! parameter <NAME>", the first one missing in the flow's order, at either door. (SRP's
//! members are in `spec_15_srp_wire`.)

mod common;

use axum::http::StatusCode;
use common::{app, create_client, create_pool, error_of, public, send, signed};
use serde_json::{Value, json};

/// A session long enough to pass the member's own check.
const SESSION: &str = "a-session-of-twenty-or-more-characters";

#[tokio::test]
async fn spec_1_a_missing_flow_member_is_named() {
    let app = app();
    let pool = create_pool(&app, json!({ "PoolName": "p" })).await;
    let client = create_client(
        &app,
        json!({ "UserPoolId": pool, "ClientName": "c",
                "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH",
                                      "ALLOW_REFRESH_TOKEN_AUTH"] }),
    )
    .await;
    let initiate = |flow: &str, params: Value| json!({ "UserPoolId": pool, "ClientId": client, "AuthFlow": flow, "AuthParameters": params });
    let respond = |challenge: &str, responses: Value| {
        json!({ "UserPoolId": pool, "ClientId": client, "ChallengeName": challenge,
                "Session": SESSION, "ChallengeResponses": responses })
    };
    let password = |params: Value| initiate("USER_PASSWORD_AUTH", params);
    let admin_password = |params: Value| initiate("ADMIN_USER_PASSWORD_AUTH", params);
    let cases = [
        ("InitiateAuth", password(json!({})), "USERNAME"),
        (
            "InitiateAuth",
            password(json!({ "PASSWORD": "x" })),
            "USERNAME",
        ),
        (
            "InitiateAuth",
            password(json!({ "USERNAME": "u" })),
            "PASSWORD",
        ),
        (
            "InitiateAuth",
            initiate("REFRESH_TOKEN_AUTH", json!({ "USERNAME": "u" })),
            "REFRESH_TOKEN",
        ),
        (
            "AdminInitiateAuth",
            admin_password(json!({ "USERNAME": "u" })),
            "PASSWORD",
        ),
        (
            "AdminInitiateAuth",
            initiate("REFRESH_TOKEN_AUTH", json!({})),
            "REFRESH_TOKEN",
        ),
        (
            "RespondToAuthChallenge",
            respond(
                "SOFTWARE_TOKEN_MFA",
                json!({ "SOFTWARE_TOKEN_MFA_CODE": "123456" }),
            ),
            "USERNAME",
        ),
        (
            "RespondToAuthChallenge",
            respond("SOFTWARE_TOKEN_MFA", json!({ "USERNAME": "u" })),
            "SOFTWARE_TOKEN_MFA_CODE",
        ),
        (
            "RespondToAuthChallenge",
            respond("SMS_MFA", json!({ "USERNAME": "u" })),
            "SMS_MFA_CODE",
        ),
        (
            "AdminRespondToAuthChallenge",
            respond("SELECT_MFA_TYPE", json!({ "USERNAME": "u" })),
            "ANSWER",
        ),
        (
            "AdminRespondToAuthChallenge",
            respond(
                "PASSWORD_VERIFIER",
                json!({ "PASSWORD_CLAIM_SIGNATURE": "AAAA" }),
            ),
            "USERNAME",
        ),
        (
            "AdminRespondToAuthChallenge",
            respond("PASSWORD_VERIFIER", json!({ "USERNAME": "u" })),
            "PASSWORD_CLAIM_SECRET_BLOCK",
        ),
    ];
    for (target, body, member) in cases {
        let (status, out) = if target.starts_with("Admin") {
            send(&app, signed(target, &body)).await
        } else {
            public(&app, target, &body).await
        };
        assert_eq!(status, StatusCode::BAD_REQUEST, "{target} {body}: {out}");
        assert_eq!(
            error_of(&out),
            (
                "InvalidParameterException",
                format!("Missing required parameter {member}").as_str()
            ),
            "{target} {body}"
        );
    }
}
