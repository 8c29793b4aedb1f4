//! SPEC §1 and §11: a request with several bad members gets one `InvalidParameterException`
//! listing every one of them — missing and malformed together, in the operation's member
//! order — as Cognito's validation layer does, never just the first. One table per
//! operation family, each case the exact message.

mod common;

use axum::http::StatusCode;
use common::{JSON, app, error_of, request, send, signed};
use serde_json::{Value, json};

/// One expected violation.
enum V {
    /// `Value null at '<field>'`.
    Missing(&'static str),
    /// `Member must satisfy regular expression pattern: <pattern>`.
    Pattern(&'static str, &'static str),
    /// `Member must have length less than or equal to <max>`.
    TooLong(&'static str, usize),
}

const USERNAME: &str = r"[\p{L}\p{M}\p{S}\p{N}\p{P}]+";
const PASSWORD: &str = r"^[\S]+.*[\S]+$";
const POOL_ID: &str = r"[\w-]+_[0-9a-zA-Z]+";
const CLIENT_ID: &str = r"[\w+]+";
const CODE: &str = r"[\S]+";

/// The message Cognito writes for `violations`.
fn message(violations: &[V]) -> String {
    let parts: Vec<String> = violations
        .iter()
        .map(|v| match v {
            V::Missing(field) => format!(
                "Value null at '{field}' failed to satisfy constraint: Member must not be null"
            ),
            V::Pattern(field, pattern) => format!(
                "Value at '{field}' failed to satisfy constraint: Member must satisfy regular expression pattern: {pattern}"
            ),
            V::TooLong(field, max) => format!(
                "Value at '{field}' failed to satisfy constraint: Member must have length less than or equal to {max}"
            ),
        })
        .collect();
    let n = parts.len();
    let plural = if n == 1 { "error" } else { "errors" };
    format!("{n} validation {plural} detected: {}", parts.join("; "))
}

/// Sends each case (public unless `admin`) and checks the whole message.
async fn check(cases: &[(&str, bool, Value, &[V])]) {
    let app = app();
    for (op, admin, body, expected) in cases {
        let req = if *admin {
            signed(&format!("AWSCognitoIdentityProviderService.{op}"), body)
        } else {
            request(Some(op), Some(JSON), body.to_string())
        };
        let (status, answer) = send(&app, req).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{op}: {answer}");
        assert_eq!(
            error_of(&answer),
            ("InvalidParameterException", message(expected).as_str()),
            "{op} {body}: {answer}"
        );
    }
}

#[tokio::test]
async fn spec_1_sign_up_family_lists_missing_and_malformed_members_together() {
    let long_client = "c".repeat(129);
    check(&[
        (
            "SignUp",
            false,
            json!({}),
            &[
                V::Missing("clientId"),
                V::Missing("username"),
                V::Missing("password"),
            ],
        ),
        (
            "SignUp",
            false,
            json!({ "Username": "has space", "Password": " edge" }),
            &[
                V::Missing("clientId"),
                V::Pattern("username", USERNAME),
                V::Pattern("password", PASSWORD),
            ],
        ),
        (
            "ConfirmSignUp",
            false,
            json!({ "ClientId": "bad-client", "ConfirmationCode": "12 34" }),
            &[
                V::Pattern("clientId", CLIENT_ID),
                V::Missing("username"),
                V::Pattern("confirmationCode", CODE),
            ],
        ),
        (
            "ResendConfirmationCode",
            false,
            json!({ "ClientId": long_client, "Username": "a b" }),
            &[
                V::TooLong("clientId", 128),
                V::Pattern("username", USERNAME),
            ],
        ),
        (
            "ForgotPassword",
            false,
            json!({ "Username": "x y" }),
            &[V::Missing("clientId"), V::Pattern("username", USERNAME)],
        ),
        (
            "ConfirmForgotPassword",
            false,
            json!({ "Username": "ok", "ConfirmationCode": "1 2", "Password": "x" }),
            &[
                V::Missing("clientId"),
                V::Pattern("confirmationCode", CODE),
                V::Pattern("password", PASSWORD),
            ],
        ),
    ])
    .await;
}

#[tokio::test]
async fn spec_1_sign_in_family_lists_every_missing_and_malformed_member() {
    check(&[
        (
            "InitiateAuth",
            false,
            json!({}),
            &[V::Missing("clientId"), V::Missing("authFlow")],
        ),
        (
            "InitiateAuth",
            false,
            json!({ "ClientId": "no/slash", "AuthParameters": { "PASSWORD": "x" } }),
            &[V::Pattern("clientId", CLIENT_ID), V::Missing("authFlow")],
        ),
        (
            "AdminInitiateAuth",
            true,
            json!({ "UserPoolId": "nounderscore" }),
            &[
                V::Pattern("userPoolId", POOL_ID),
                V::Missing("clientId"),
                V::Missing("authFlow"),
            ],
        ),
        (
            "RespondToAuthChallenge",
            false,
            json!({ "ChallengeResponses": { "NEW_PASSWORD": "x" } }),
            &[V::Missing("clientId"), V::Missing("challengeName")],
        ),
        (
            "AdminRespondToAuthChallenge",
            true,
            json!({ "Session": "s".repeat(40) }),
            &[
                V::Missing("userPoolId"),
                V::Missing("clientId"),
                V::Missing("challengeName"),
            ],
        ),
    ])
    .await;
}

#[tokio::test]
async fn spec_1_access_token_family_lists_the_token_with_the_other_members() {
    check(&[
        (
            "ChangePassword",
            false,
            json!({}),
            &[
                V::Missing("previousPassword"),
                V::Missing("proposedPassword"),
                V::Missing("accessToken"),
            ],
        ),
        (
            "ChangePassword",
            false,
            json!({ "PreviousPassword": "ok-Password-1", "ProposedPassword": "bad " }),
            &[
                V::Pattern("proposedPassword", PASSWORD),
                V::Missing("accessToken"),
            ],
        ),
        (
            "UpdateUserAttributes",
            false,
            json!({}),
            &[V::Missing("userAttributes"), V::Missing("accessToken")],
        ),
        (
            "DeleteUserAttributes",
            false,
            json!({}),
            &[V::Missing("userAttributeNames"), V::Missing("accessToken")],
        ),
        (
            "VerifyUserAttribute",
            false,
            json!({ "Code": "1 2" }),
            &[
                V::Missing("accessToken"),
                V::Missing("attributeName"),
                V::Pattern("code", CODE),
            ],
        ),
        (
            "GetUserAttributeVerificationCode",
            false,
            json!({}),
            &[V::Missing("accessToken"), V::Missing("attributeName")],
        ),
        (
            "VerifySoftwareToken",
            false,
            json!({}),
            &[V::Missing("accessToken"), V::Missing("userCode")],
        ),
        // The operations that take the token alone.
        ("GetUser", false, json!({}), &[V::Missing("accessToken")]),
        (
            "GlobalSignOut",
            false,
            json!({}),
            &[V::Missing("accessToken")],
        ),
        ("DeleteUser", false, json!({}), &[V::Missing("accessToken")]),
    ])
    .await;
}

#[tokio::test]
async fn spec_1_admin_user_family_lists_every_missing_and_malformed_member() {
    check(&[
        (
            "AdminCreateUser",
            true,
            json!({ "TemporaryPassword": "x" }),
            &[
                V::Missing("userPoolId"),
                V::Missing("username"),
                V::Pattern("temporaryPassword", PASSWORD),
            ],
        ),
        (
            "AdminGetUser",
            true,
            json!({ "UserPoolId": "bad", "Username": "a b" }),
            &[
                V::Pattern("userPoolId", POOL_ID),
                V::Pattern("username", USERNAME),
            ],
        ),
        (
            "AdminSetUserPassword",
            true,
            json!({ "UserPoolId": "bad", "Password": " x" }),
            &[
                V::Pattern("userPoolId", POOL_ID),
                V::Missing("username"),
                V::Pattern("password", PASSWORD),
            ],
        ),
        (
            "AdminDeleteUser",
            true,
            json!({}),
            &[V::Missing("userPoolId"), V::Missing("username")],
        ),
    ])
    .await;
}
