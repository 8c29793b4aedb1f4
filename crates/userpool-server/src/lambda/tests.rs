#![allow(clippy::unwrap_used)]

use super::*;

fn caller(function: Option<&str>) -> userpool_core::triggers::TriggerCaller {
    userpool_core::triggers::TriggerCaller {
        user_pool_id: "us-east-1_abc".into(),
        client_id: None,
        username: "alice".into(),
        function: function.map(str::to_owned),
        aws_sdk_version: None,
    }
}

#[test]
fn the_body_buffer_is_exactly_the_events_size() {
    let event = userpool_core::triggers::UserMigrationEvent {
        caller: caller(Some("f")),
        source: userpool_core::triggers::MigrationSource::Authentication,
        password: Some(userpool_core::Password::parse("Correct-Horse-9").unwrap()),
        validation_data: std::collections::BTreeMap::new(),
        client_metadata: std::collections::BTreeMap::new(),
    };
    let envelope = events::user_migration("eu-west-1", &event);
    let body = body(&envelope).unwrap();
    assert_eq!(body.len(), body.capacity());
    let json: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(json["request"]["password"], "Correct-Horse-9");
    assert_eq!(
        json["callerContext"]["clientId"],
        "CLIENT_ID_NOT_APPLICABLE"
    );
    assert_eq!(json["region"], "eu-west-1");
}

#[test]
fn credentials_debug_shows_no_secret() {
    let credentials = LambdaCredentials {
        access_key_id: "AKIDEXAMPLE".into(),
        secret_access_key: Zeroizing::new("wJalrXUtnFEMI".into()),
        session_token: Some(Zeroizing::new("FQoGZXIvYXdz".into())),
    };
    let shown = format!("{credentials:?}");
    assert!(shown.contains("AKIDEXAMPLE"), "{shown}");
    assert!(
        !shown.contains("wJalrXUtnFEMI") && !shown.contains("FQoGZXIvYXdz"),
        "{shown}"
    );
}

#[test]
fn a_function_errors_message_is_its_error_message_else_its_type() {
    let cases: [(&[u8], &str); 4] = [
        (
            br#"{"errorMessage":"No way","errorType":"Error"}"#,
            "No way",
        ),
        (br#"{"errorType":"Runtime.ExitError"}"#, "Runtime.ExitError"),
        (b"not json", "Unhandled"),
        (br#"{"errorMessage":7}"#, "Unhandled"),
    ];
    for (body, message) in cases {
        assert_eq!(function_error_message(body), message);
    }
}

#[test]
fn endpoints_must_be_http_urls_with_a_host() {
    let options = |endpoint: &str| LambdaOptions {
        endpoint: endpoint.into(),
        region: "us-east-1".into(),
        timeout: DEFAULT_TIMEOUT,
        max_concurrent: 1,
        credentials: LambdaCredentials::local(),
    };
    for good in [
        "http://127.0.0.1:3001",
        "https://lambda.eu-west-1.amazonaws.com/",
    ] {
        assert!(LambdaTriggers::new(options(good)).is_ok(), "{good}");
    }
    for bad in [
        "127.0.0.1:3001",
        "ftp://host",
        "http://",
        "http://h/?q=1",
        "http://h/#x",
        "",
    ] {
        assert!(LambdaTriggers::new(options(bad)).is_err(), "{bad}");
    }
}

#[test]
fn answers_of_the_wrong_shape_are_unusable() {
    use serde_json::json;
    let unusable = [
        json!("a string"),
        json!({"userAttributes": {"email": 5}}),
        json!({"userAttributes": {}, "finalUserStatus": "ENABLED"}),
        json!({"userAttributes": {}, "messageAction": "SHOUT"}),
    ];
    for response in unusable {
        assert!(
            events::user_migration_answer(response.clone()).is_err(),
            "{response}"
        );
    }
    assert!(
        events::user_migration_answer(json!(null))
            .unwrap()
            .is_none()
    );
    assert!(events::pre_sign_up_answer(json!({"autoConfirmUser": "yes"})).is_err());
    let claims = json!({"claimsOverrideDetails": {"claimsToAddOrOverride": {"n": 1}}});
    assert!(events::pre_token_generation_answer(claims).is_err());
    let groups =
        json!({"claimsOverrideDetails": {"groupOverrideDetails": {"groupsToOverride": ["a"]}}});
    let answer = events::pre_token_generation_answer(groups).unwrap();
    assert_eq!(answer.groups_to_override, Some(vec!["a".to_owned()]));
}

#[test]
fn a_slot_is_refused_past_the_limit_and_given_back_on_drop() {
    let triggers = LambdaTriggers::new(LambdaOptions {
        endpoint: "http://127.0.0.1:1".into(),
        region: "us-east-1".into(),
        timeout: DEFAULT_TIMEOUT,
        max_concurrent: 2,
        credentials: LambdaCredentials::local(),
    })
    .unwrap();
    let first = triggers.slot().unwrap();
    let _second = triggers.slot().unwrap();
    assert!(triggers.slot().is_none());
    drop(first);
    assert!(triggers.slot().is_some());
}
