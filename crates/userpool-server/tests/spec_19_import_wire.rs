//! SPEC §19 on the wire, in process: `Userpool.AdminImportUsers` (SigV4 admin, JSON 1.1)
//! imports users with hashes made by independent tools, answers `{"Imported", "Failed"}`,
//! and an imported user signs in with `InitiateAuth`. The boto3 flow, which also shows the
//! stored credential becoming argon2id, is in `tests/e2e/test_s19_import.py`.

mod common;

use axum::http::StatusCode;
use common::{
    JSON, admin_get_user, admin_ok, app, create_client, create_pool, error_type, import_fixture,
    public, request, send, signed,
};
use serde_json::{Value, json};

const TARGET: &str = "Userpool.AdminImportUsers";

async fn pool_and_client(app: &axum::Router) -> (String, String) {
    let pool = create_pool(app, json!({ "PoolName": "p" })).await;
    let client = create_client(
        app,
        json!({ "UserPoolId": pool, "ClientName": "c", "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH"] }),
    )
    .await;
    (pool, client)
}

async fn sign_in(
    app: &axum::Router,
    client: &str,
    user: &str,
    password: &str,
) -> (StatusCode, Value) {
    let body = json!({ "ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH",
                       "AuthParameters": { "USERNAME": user, "PASSWORD": password } });
    public(app, "InitiateAuth", &body).await
}

#[tokio::test]
async fn spec_19_imported_users_sign_in_over_the_wire() {
    let app = app();
    let (pool, client) = pool_and_client(&app).await;
    let sources = [
        ("python bcrypt", "bcrypt"),
        ("passlib", "pbkdf2-sha256"),
        ("hashlib (Django's layout)", "pbkdf2-sha256"),
        ("hashlib", "scrypt"),
        ("argon2-cffi", "argon2id"),
        ("argon2 CLI", "argon2i"),
    ];
    let users: Vec<Value> = sources
        .iter()
        .enumerate()
        .map(|(i, (tool, scheme))| {
            json!({ "Username": format!("user{i}"), "PasswordHash": import_fixture(tool, scheme).1,
                    "UserAttributes": [{ "Name": "email", "Value": format!("u{i}@example.com") }] })
        })
        .collect();
    let out = admin_ok(&app, TARGET, json!({ "UserPoolId": pool, "Users": users })).await;
    assert_eq!(out, json!({ "Imported": sources.len(), "Failed": [] }));
    for (i, (tool, scheme)) in sources.iter().enumerate() {
        let user = format!("user{i}");
        let (status, out) = sign_in(&app, &client, &user, "Wr0ng-Passw0rd!").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{tool} {scheme}: {out}");
        assert_eq!(error_type(&out), "NotAuthorizedException");
        let (status, out) = sign_in(&app, &client, &user, &import_fixture(tool, scheme).0).await;
        assert_eq!(status, StatusCode::OK, "{tool} {scheme}: {out}");
        assert!(
            out["AuthenticationResult"]["AccessToken"].is_string(),
            "{out}"
        );
        let got = admin_get_user(&app, &pool, &user).await;
        assert_eq!(got["UserStatus"], "CONFIRMED");
    }
}

#[tokio::test]
async fn spec_19_failures_are_listed_per_user() {
    let app = app();
    let (pool, _) = pool_and_client(&app).await;
    let (_, good) = import_fixture("python bcrypt", "bcrypt");
    let body = json!({ "UserPoolId": pool, "Users": [
        { "Username": "ok", "PasswordHash": good, "Enabled": false },
        { "Username": "bad", "PasswordHash": "$2b$04$short" },
        { "Username": "ok", "PasswordHash": good },
    ]});
    let out = admin_ok(&app, TARGET, body).await;
    assert_eq!(out["Imported"], 1);
    assert_eq!(
        out["Failed"],
        json!([
            { "Username": "bad", "Code": "InvalidParameterException",
              "Message": "Invalid password hash: the bcrypt password hash is malformed: length." },
            { "Username": "ok", "Code": "UsernameExistsException",
              "Message": "User account already exists" },
        ])
    );
    let got = admin_get_user(&app, &pool, "ok").await;
    assert_eq!(got["Enabled"], false);
}

#[tokio::test]
async fn spec_19_the_extension_needs_a_signature_and_its_members() {
    let app = app();
    let (pool, _) = pool_and_client(&app).await;
    // Unsigned: refused before anything is read.
    let mut unsigned = request(
        None,
        Some(JSON),
        json!({ "UserPoolId": pool, "Users": [] }).to_string(),
    );
    unsigned.headers_mut().insert(
        "x-amz-target",
        TARGET.parse().unwrap_or_else(|e| panic!("{e}")),
    );
    let (status, out) = send(&app, unsigned).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{out}");
    assert_ne!(error_type(&out), "");
    // Missing members are named.
    let (status, out) = send(
        &app,
        signed(TARGET, &json!({ "Users": [{ "Username": "x" }] })),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_type(&out), "InvalidParameterException");
    let message = out["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("userPoolId") && message.contains("passwordHash"),
        "{message}"
    );
    // Under Cognito's prefix the extension does not exist.
    let (status, out) = send(
        &app,
        signed(
            "AdminImportUsers",
            &json!({ "UserPoolId": pool, "Users": [] }),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_type(&out), "UnknownOperationException");
}
