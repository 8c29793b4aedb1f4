//! SPEC §1, §11 and §21 over the wire: an OAuth record operation (domain, resource server,
//! identity provider) or a provider-link operation with one member missing and another
//! malformed gets one `InvalidParameterException` listing both, in the operation's member
//! order, from the service's one validator — never the missing one first and the
//! malformed one on the next try.

mod common;

use axum::http::StatusCode;
use common::{app, error_of, send, signed};
use serde_json::{Value, json};

const POOL_ID: &str = r"[\w-]+_[0-9a-zA-Z]+";

/// `Value null at '<field>'`.
fn missing(field: &str) -> String {
    format!("Value null at '{field}' failed to satisfy constraint: Member must not be null")
}

/// Cognito's list for `parts`.
fn list(parts: &[String]) -> String {
    let n = parts.len();
    let plural = if n == 1 { "error" } else { "errors" };
    format!("{n} validation {plural} detected: {}", parts.join("; "))
}

/// Sends each admin request and checks the whole message.
async fn check(cases: &[(&str, Value, String)]) {
    let app = app();
    for (op, body, expected) in cases {
        let req = signed(&format!("AWSCognitoIdentityProviderService.{op}"), body);
        let (status, answer) = send(&app, req).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{op}: {answer}");
        assert_eq!(
            error_of(&answer),
            ("InvalidParameterException", expected.as_str()),
            "{op} {body}: {answer}"
        );
    }
}

#[tokio::test]
async fn spec_21_oauth_record_requests_list_missing_and_malformed_members_together() {
    let pool_pattern = format!(
        "Value at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: {POOL_ID}"
    );
    check(&[
        (
            "CreateUserPoolDomain",
            json!({ "Domain": "Bad_Domain" }),
            list(&[
                missing("userPoolId"),
                r"Value 'Bad_Domain' at 'domain' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$, and have length between 1 and 63".to_owned(),
            ]),
        ),
        (
            "UpdateUserPoolDomain",
            json!({ "UserPoolId": "bad pool", "ManagedLoginVersion": 3 }),
            list(&[
                pool_pattern.clone(),
                missing("domain"),
                "Value at 'managedLoginVersion' failed to satisfy constraint: Member must have value between 1 and 2".to_owned(),
            ]),
        ),
        (
            "CreateResourceServer",
            json!({
                "UserPoolId": "us-east-1_abc",
                "Name": "bad|name",
                "Scopes": [{ "ScopeName": "read" }],
            }),
            list(&[
                missing("identifier"),
                r"Value 'bad|name' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w\s+=,.@-]+, and have length between 1 and 256".to_owned(),
                missing("scopes.member.scopeDescription"),
            ]),
        ),
        (
            "DescribeResourceServer",
            json!({ "Identifier": "bad\"id" }),
            list(&[
                missing("userPoolId"),
                r#"Value 'bad"id' at 'identifier' failed to satisfy constraint: Member must satisfy regular expression pattern: [\x21\x23-\x5B\x5D-\x7E]+, and have length between 1 and 256"#.to_owned(),
            ]),
        ),
        (
            "ListResourceServers",
            json!({ "MaxResults": 0 }),
            list(&[
                missing("userPoolId"),
                "Value at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 50".to_owned(),
            ]),
        ),
        (
            "CreateIdentityProvider",
            json!({ "UserPoolId": "us-east-1_abc", "ProviderName": "_bad", "ProviderType": "OIDC" }),
            list(&[
                r"Value '_bad' at 'providerName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^_\p{Z}][\p{L}\p{M}\p{S}\p{N}\p{P}][^_\p{Z}]+, and have length between 1 and 32".to_owned(),
                missing("providerDetails"),
            ]),
        ),
        (
            "GetIdentityProviderByIdentifier",
            json!({ "UserPoolId": "bad pool" }),
            list(&[pool_pattern.clone(), missing("idpIdentifier")]),
        ),
        (
            "AdminLinkProviderForUser",
            json!({
                "UserPoolId": "bad pool",
                "SourceUser": { "ProviderName": "Corp", "ProviderAttributeValue": "sub-1" },
            }),
            list(&[pool_pattern.clone(), missing("destinationUser")]),
        ),
        (
            "AdminDisableProviderForUser",
            json!({ "UserPoolId": "bad pool" }),
            list(&[pool_pattern, missing("user")]),
        ),
    ])
    .await;
}
