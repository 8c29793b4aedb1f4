//! Signed admin operations in process: the AWS CLI example's operation end to end, and
//! SigV4 refusals that change nothing (SPEC §3, §7, §11).

mod common;

use std::time::{Duration, SystemTime};

use axum::http::StatusCode;
use common::{JSON, admin_ok, app, create_client, error_type, request, send, signed, signed_with};
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

/// The `(type, message)` of a signed request that must fail with 400.
async fn refused(app: &axum::Router, target: &str, body: Value) -> (String, String) {
    let (status, out) = send(app, signed(target, &body)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{target}: {out}");
    (
        error_type(&out).to_owned(),
        out["message"].as_str().unwrap_or_default().to_owned(),
    )
}

fn usernames(page: &Value) -> Vec<String> {
    page["Users"]
        .as_array()
        .map(|users| {
            users
                .iter()
                .filter_map(|u| u["Username"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// SPEC §11 (ListUsers input): `Limit` is Cognito's 0..=60, 0 meaning 60, and says so in
/// the same words with and without a `Filter`.
#[tokio::test]
async fn spec_11_list_users_limit_is_0_to_60_with_or_without_a_filter() {
    let app = app();
    let pool = pool_with_user(&app).await;
    let range = "1 validation error detected: Value at 'limit' failed to satisfy constraint: Member must have value between 0 and 60";
    for filter in [None, Some(r#"username = "diego""#)] {
        for limit in [61, -1, i64::MAX] {
            let mut input = json!({ "UserPoolId": pool, "Limit": limit });
            if let Some(f) = filter {
                input["Filter"] = json!(f);
            }
            assert_eq!(
                refused(&app, "ListUsers", input).await,
                ("InvalidParameterException".into(), range.into()),
                "Limit {limit}, filter {filter:?}"
            );
        }
        for limit in [0, 1, 60] {
            let mut input = json!({ "UserPoolId": pool, "Limit": limit });
            if let Some(f) = filter {
                input["Filter"] = json!(f);
            }
            let page = admin_ok(&app, "ListUsers", input).await;
            assert_eq!(
                usernames(&page),
                ["diego"],
                "Limit {limit}, filter {filter:?}"
            );
        }
    }
    // Reported together with a missing pool id, as Cognito's validation layer does.
    let (code, message) = refused(&app, "ListUsers", json!({ "Limit": 61 })).await;
    assert_eq!(code, "InvalidParameterException");
    assert!(
        message.starts_with("2 validation errors detected"),
        "{message}"
    );
}

/// SPEC §11 (ListUsers pagination): only a token this server handed out for this pool is
/// taken; anything else is `Invalid pagination token`, not an empty page.
#[tokio::test]
async fn spec_11_list_users_refuses_a_pagination_token_it_did_not_issue() {
    let app = app();
    let pool = pool_with_user(&app).await;
    for name in ["emma", "zoe"] {
        admin_ok(
            &app,
            "AdminCreateUser",
            json!({ "UserPoolId": pool, "Username": name, "MessageAction": "SUPPRESS" }),
        )
        .await;
    }
    let other = pool_with_user(&app).await;
    for filter in [None, Some(r#"username ^= """#)] {
        let with = |mut input: Value| {
            if let Some(f) = filter {
                input["Filter"] = json!(f);
            }
            input
        };
        // Genuine tokens walk the pool: diego, emma | zoe.
        let first = admin_ok(
            &app,
            "ListUsers",
            with(json!({ "UserPoolId": pool, "Limit": 2 })),
        )
        .await;
        assert_eq!(usernames(&first), ["diego", "emma"], "{filter:?}");
        let token = first["PaginationToken"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let second = admin_ok(
            &app,
            "ListUsers",
            with(json!({ "UserPoolId": pool, "Limit": 2, "PaginationToken": token })),
        )
        .await;
        assert_eq!(usernames(&second), ["zoe"], "{filter:?}");
        assert!(second.get("PaginationToken").is_none(), "{second}");
        // The raw store key, garbage, an empty string, a token missing its members and
        // another pool's token are refused.
        let foreign = admin_ok(&app, "ListUsers", json!({ "UserPoolId": pool, "Limit": 1 })).await
            ["PaginationToken"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        for bad in ["emma", "not-a-token", "", "eyJ2IjoxfQ"] {
            assert_eq!(
                refused(
                    &app,
                    "ListUsers",
                    with(json!({ "UserPoolId": pool, "PaginationToken": bad })),
                )
                .await,
                (
                    "InvalidParameterException".into(),
                    "Invalid pagination token".into()
                ),
                "{bad:?} {filter:?}"
            );
        }
        assert_eq!(
            refused(
                &app,
                "ListUsers",
                with(json!({ "UserPoolId": other, "PaginationToken": foreign })),
            )
            .await
            .1,
            "Invalid pagination token",
            "a token of another pool, {filter:?}"
        );
    }
}

/// SPEC §8: in a case-insensitive pool a `username` filter compares as the pool compares
/// usernames; in a case-sensitive one it stays exact.
#[tokio::test]
async fn spec_8_list_users_username_filter_folds_case_in_a_case_insensitive_pool() {
    let app = app();
    for (case_sensitive, expected) in [(false, vec!["Bob"]), (true, vec![])] {
        let out = admin_ok(
            &app,
            "CreateUserPool",
            json!({ "PoolName": "p", "UsernameConfiguration": { "CaseSensitive": case_sensitive } }),
        )
        .await;
        let pool = out["UserPool"]["Id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        for name in ["Bob", "alice"] {
            admin_ok(
                &app,
                "AdminCreateUser",
                json!({ "UserPoolId": pool, "Username": name, "MessageAction": "SUPPRESS" }),
            )
            .await;
        }
        for filter in [
            r#"username = "bob""#,
            r#"username = "BOB""#,
            r#"username ^= "bO""#,
        ] {
            let page = admin_ok(
                &app,
                "ListUsers",
                json!({ "UserPoolId": pool, "Filter": filter }),
            )
            .await;
            assert_eq!(
                usernames(&page),
                expected,
                "{filter}, case_sensitive={case_sensitive}"
            );
        }
        let page = admin_ok(
            &app,
            "ListUsers",
            json!({ "UserPoolId": pool, "Filter": r#"username = "Bob""# }),
        )
        .await;
        assert_eq!(usernames(&page), ["Bob"], "exact case always matches");
    }
}

/// SPEC §3 (ForgotPassword): a user with neither email nor phone number gets Cognito's
/// InvalidParameterException, not a placeholder destination, and nothing changes; with
/// PreventUserExistenceErrors an unknown user still gets the simulated answer.
#[tokio::test]
async fn spec_3_forgot_password_with_nowhere_to_send_the_code_is_refused_and_changes_nothing() {
    let app = app();
    let pool = pool_with_user(&app).await;
    admin_ok(
        &app,
        "AdminSetUserPassword",
        json!({ "UserPoolId": pool, "Username": "diego", "Password": "MyExamplePassword1!", "Permanent": true }),
    )
    .await;
    admin_ok(
        &app,
        "AdminCreateUser",
        json!({ "UserPoolId": pool, "Username": "nomail", "TemporaryPassword": "Temp-Pass-1", "MessageAction": "SUPPRESS" }),
    )
    .await;
    admin_ok(
        &app,
        "AdminSetUserPassword",
        json!({ "UserPoolId": pool, "Username": "nomail", "Password": "MyExamplePassword1!", "Permanent": true }),
    )
    .await;
    for prevent in ["LEGACY", "ENABLED"] {
        let client = create_client(
            &app,
            json!({ "UserPoolId": pool, "ClientName": "c", "PreventUserExistenceErrors": prevent }),
        )
        .await;
        let forgot = |username: &str| {
            request(
                Some("ForgotPassword"),
                Some(JSON),
                json!({ "ClientId": client, "Username": username }).to_string(),
            )
        };
        let get = json!({ "UserPoolId": pool, "Username": "nomail" });
        let before = admin_ok(&app, "AdminGetUser", get.clone()).await;
        let (status, body) = send(&app, forgot("nomail")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{prevent}: {body}");
        assert_eq!(
            (
                error_type(&body),
                body["message"].as_str().unwrap_or_default()
            ),
            (
                "InvalidParameterException",
                "Cannot reset password for the user as there is no registered/verified email or phone_number"
            ),
            "{prevent}"
        );
        assert_eq!(
            admin_ok(&app, "AdminGetUser", get).await,
            before,
            "{prevent}"
        );
        // A user with an email still gets a code, told where it went.
        let (status, body) = send(&app, forgot("diego")).await;
        assert_eq!(status, StatusCode::OK, "{prevent}: {body}");
        assert_eq!(body["CodeDeliveryDetails"]["Destination"], "d***@e***");
        let (status, body) = send(&app, forgot("nobody")).await;
        if prevent == "ENABLED" {
            assert_eq!(status, StatusCode::OK, "{body}");
            assert_eq!(body["CodeDeliveryDetails"]["DeliveryMedium"], "EMAIL");
        } else {
            assert_eq!(error_type(&body), "UserNotFoundException", "{body}");
        }
    }
}
