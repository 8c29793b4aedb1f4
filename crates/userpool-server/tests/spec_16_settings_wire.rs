//! SPEC §16 over the wire, in process: members a client can send that boto3 would not
//! (unknown settings, unknown Lambda triggers) are refused and create nothing; the schema
//! and settings come back from DescribeUserPool in Cognito's shapes.

mod common;

use axum::http::StatusCode;
use common::{admin_ok, app, create_client, create_pool, error_type, send, signed};
use serde_json::{Value, json};

async fn pool_count(app: &axum::Router) -> usize {
    admin_ok(app, "ListUserPools", json!({"MaxResults": 60})).await["UserPools"]
        .as_array()
        .map_or(0, Vec::len)
}

#[tokio::test]
async fn spec_16_settings_that_would_not_be_honoured_are_refused_and_create_nothing() {
    let app = app();
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"PoolName": "p", "UserPoolTier": "PLUS"}),
            "UserPoolTier is not supported by this service",
        ),
        (
            json!({"PoolName": "p", "LambdaConfig": {"PreSignIn": "arn:x"}}),
            "Unknown LambdaConfig trigger: PreSignIn",
        ),
        // SPEC §18: creation can only offer SMS codes, so it needs SMS and phone numbers
        // that verify themselves.
        (
            json!({"PoolName": "p", "MfaConfiguration": "ON"}),
            "SMS configuration and Auto verification for phone_number are required when MFA is required/optional",
        ),
        (
            json!({"PoolName": "p", "MfaConfiguration": "OPTIONAL",
                   "SmsConfiguration": {"SnsCallerArn": "arn:aws:iam::123456789012:role/sms"}}),
            "SMS configuration and Auto verification for phone_number are required when MFA is required/optional",
        ),
        (
            json!({"PoolName": "p", "MfaConfiguration": "SOMETIMES"}),
            "1 validation error detected: Value 'SOMETIMES' at 'mfaConfiguration' failed to satisfy constraint: Member must satisfy enum value set: [OFF, ON, OPTIONAL]",
        ),
        (
            json!({"PoolName": "p", "AutoVerifiedAttributes": ["nickname"]}),
            "Value 'nickname' failed to satisfy constraint: Member must satisfy enum value set: [phone_number, email]",
        ),
        (
            json!({"PoolName": "p", "AccountRecoverySetting": {"RecoveryMechanisms": [
                {"Name": "admin_only", "Priority": 1}, {"Name": "verified_email", "Priority": 2}]}}),
            "admin_only cannot be combined with another recovery mechanism.",
        ),
    ];
    for (body, message) in cases {
        let (status, out) = send(&app, signed("CreateUserPool", &body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {out}");
        assert_eq!(error_type(&out), "InvalidParameterException", "{body}");
        assert_eq!(out["message"], message, "{body}");
    }
    assert_eq!(pool_count(&app).await, 0, "nothing was created");
}

/// SPEC §16 and §18: `MfaConfiguration` at creation, with what it needs, gives a pool that
/// offers SMS codes, as GetUserPoolMfaConfig and DescribeUserPool then say.
#[tokio::test]
async fn spec_18_create_user_pool_with_mfa_offers_sms() {
    let app = app();
    let created = admin_ok(
        &app,
        "CreateUserPool",
        json!({
            "PoolName": "p",
            "MfaConfiguration": "OPTIONAL",
            "AutoVerifiedAttributes": ["phone_number"],
            "SmsAuthenticationMessage": "Your code is {####}",
            "SmsConfiguration": {"SnsCallerArn": "arn:aws:iam::123456789012:role/sms"},
        }),
    )
    .await;
    assert_eq!(created["UserPool"]["MfaConfiguration"], "OPTIONAL");
    let id = created["UserPool"]["Id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let config = admin_ok(&app, "GetUserPoolMfaConfig", json!({"UserPoolId": id})).await;
    assert_eq!(config["MfaConfiguration"], "OPTIONAL");
    assert_eq!(config["SoftwareTokenMfaConfiguration"]["Enabled"], false);
    assert_eq!(
        config["SmsMfaConfiguration"]["SmsAuthenticationMessage"],
        "Your code is {####}"
    );
}

#[tokio::test]
async fn spec_16_describe_user_pool_shapes() {
    let app = app();
    let created = admin_ok(
        &app,
        "CreateUserPool",
        json!({
            "PoolName": "p",
            "Schema": [{"Name": "level", "AttributeDataType": "Number",
                        "NumberAttributeConstraints": {"MinValue": 1}}],
            "AutoVerifiedAttributes": ["email", "email"],
            "SmsVerificationMessage": "{####} is your code",
            "UserPoolTags": {"team": "auth"},
        }),
    )
    .await;
    let id = created["UserPool"]["Id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let pool = &admin_ok(&app, "DescribeUserPool", json!({"UserPoolId": id})).await["UserPool"];
    let level = pool["SchemaAttributes"]
        .as_array()
        .and_then(|list| list.iter().find(|a| a["Name"] == "custom:level"))
        .cloned()
        .unwrap_or_default();
    // A number sent as a JSON number comes back as Cognito's string.
    assert_eq!(
        level["NumberAttributeConstraints"],
        json!({"MinValue": "1"})
    );
    assert_eq!(pool["AutoVerifiedAttributes"], json!(["email"]));
    assert_eq!(pool["SmsVerificationMessage"], "{####} is your code");
    assert_eq!(
        pool["VerificationMessageTemplate"]["SmsMessage"],
        "{####} is your code"
    );
    assert_eq!(pool["UserPoolTags"], json!({"team": "auth"}));
    assert_eq!(pool["EstimatedNumberOfUsers"], 0);
    assert!(
        pool["Policies"]["PasswordPolicy"]
            .get("PasswordHistorySize")
            .is_none()
    );
}

/// SPEC §16 and §18 meet in UpdateUserPool: the `MfaConfiguration` SetUserPoolMfaConfig
/// set (and DescribeUserPool answers) is accepted back, a change is checked as
/// SetUserPoolMfaConfig checks it, and leaving the member out keeps the mode.
#[tokio::test]
async fn spec_18_update_user_pool_takes_the_mfa_mode_as_set_user_pool_mfa_config_does() {
    let app = app();
    let id = create_pool(&app, json!({"PoolName": "p"})).await;
    let mode = |app: axum::Router, id: String| async move {
        admin_ok(&app, "GetUserPoolMfaConfig", json!({"UserPoolId": id})).await["MfaConfiguration"]
            .clone()
    };
    // ON with no factor: refused as SetUserPoolMfaConfig refuses it, nothing changed.
    let (status, out) = send(
        &app,
        signed(
            "UpdateUserPool",
            &json!({"UserPoolId": id, "MfaConfiguration": "ON"}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{out}");
    assert_eq!(
        out["message"],
        "At least one MFA method must be enabled when MFA is ON or OPTIONAL."
    );
    assert_eq!(mode(app.clone(), id.clone()).await, "OFF");

    admin_ok(
        &app,
        "SetUserPoolMfaConfig",
        json!({"UserPoolId": id, "MfaConfiguration": "OPTIONAL",
               "SoftwareTokenMfaConfiguration": {"Enabled": true}}),
    )
    .await;
    let described = admin_ok(&app, "DescribeUserPool", json!({"UserPoolId": id})).await;
    assert_eq!(described["UserPool"]["MfaConfiguration"], "OPTIONAL");
    // Sent back as described: accepted, unchanged.
    admin_ok(
        &app,
        "UpdateUserPool",
        json!({"UserPoolId": id, "MfaConfiguration": "OPTIONAL"}),
    )
    .await;
    assert_eq!(mode(app.clone(), id.clone()).await, "OPTIONAL");
    // Left out: kept.
    admin_ok(&app, "UpdateUserPool", json!({"UserPoolId": id})).await;
    assert_eq!(mode(app.clone(), id.clone()).await, "OPTIONAL");
    // Changed: applied, with the factors kept.
    admin_ok(
        &app,
        "UpdateUserPool",
        json!({"UserPoolId": id, "MfaConfiguration": "ON"}),
    )
    .await;
    let config = admin_ok(&app, "GetUserPoolMfaConfig", json!({"UserPoolId": id})).await;
    assert_eq!(config["MfaConfiguration"], "ON");
    assert_eq!(config["SoftwareTokenMfaConfiguration"]["Enabled"], true);
}

#[tokio::test]
async fn spec_16_update_user_pool_client_moves_last_modified_date_on_the_wire() {
    let app = app();
    let pool_id = create_pool(&app, json!({"PoolName": "p"})).await;
    let client_id = create_client(&app, json!({"UserPoolId": pool_id, "ClientName": "web"})).await;
    let describe = || {
        admin_ok(
            &app,
            "DescribeUserPoolClient",
            json!({"UserPoolId": pool_id, "ClientId": client_id}),
        )
    };
    let before = describe().await["UserPoolClient"].clone();
    assert_eq!(before["LastModifiedDate"], before["CreationDate"]);
    admin_ok(
        &app,
        "UpdateUserPoolClient",
        json!({"UserPoolId": pool_id, "ClientId": client_id, "ClientName": "renamed"}),
    )
    .await;
    let after = describe().await["UserPoolClient"].clone();
    assert_eq!(after["ClientName"], "renamed");
    assert_eq!(after["CreationDate"], before["CreationDate"]);
    let (created_at, modified_at) = (
        after["CreationDate"].as_f64().unwrap_or(f64::MAX),
        after["LastModifiedDate"].as_f64().unwrap_or(0.0),
    );
    assert!(
        modified_at > created_at,
        "LastModifiedDate {modified_at} after CreationDate {created_at}"
    );
}
