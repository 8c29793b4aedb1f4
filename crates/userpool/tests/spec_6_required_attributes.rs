//! SPEC §6, §16: NEW_PASSWORD_REQUIRED lists in `requiredAttributes` the attributes the
//! pool's schema requires and the user lacks (a user stored without one, as an import or a
//! schema written later leaves it), and its answer must give them: an answer that leaves
//! one missing is refused with Cognito's error and changes nothing; the same session then
//! takes a complete answer.

#![allow(clippy::unwrap_used)]

mod common;

use userpool::{AuthResult, PoolSettings, Store};
use userpool_core::{SchemaAttributeInput, UserPoolId, UserStatus};

use common::{Env, env_with, fast_settings};

const TEMPORARY: &str = "Temporary-Pass-1";
const PERMANENT: &str = "Permanent-Pass-2";

/// A pool whose schema requires `values`' attributes, and `erin` stored without them (as an
/// import can leave a user), signed in with her temporary password: the service, the
/// NEW_PASSWORD_REQUIRED session and its `requiredAttributes`.
fn erin_lacking(values: &[(&str, &str)]) -> (Env, String, Vec<String>) {
    let schema = values
        .iter()
        .map(|(name, _)| SchemaAttributeInput {
            name: (*name).into(),
            required: Some(true),
            ..SchemaAttributeInput::default()
        })
        .collect();
    let env = env_with(
        PoolSettings {
            schema,
            ..fast_settings()
        },
        false,
        |b| b,
    );
    env.pools
        .admin_create_user(
            &env.admin,
            &env.pool_id,
            "erin",
            Some(TEMPORARY),
            values,
            None,
        )
        .unwrap();
    let pool_id = UserPoolId::parse(&env.pool_id).unwrap();
    let mut stored = env.record("erin").unwrap();
    for (name, _) in values {
        stored.attributes.remove(*name);
    }
    env.store.update_user(&pool_id, &stored).unwrap();
    let answer = env
        .pools
        .initiate_auth(&env.client_id, "USER_PASSWORD_AUTH", "erin", TEMPORARY)
        .unwrap();
    match answer {
        AuthResult::NewPasswordRequired {
            session,
            required_attributes,
            ..
        } => {
            let session = session.expose().to_owned();
            (env, session, required_attributes)
        }
        other => panic!("expected NEW_PASSWORD_REQUIRED, got {other:?}"),
    }
}

#[test]
fn s6_required_attributes_are_listed_and_enforced_in_the_new_password_answer() {
    let (env, session, required) = erin_lacking(&[("name", "Erin")]);
    assert_eq!(required, ["name"]);
    let before = env.record("erin").unwrap();

    for given in [&[][..], &[("nickname", "E")][..]] {
        let error = env
            .pools
            .respond_to_new_password_required_with_attributes(
                &env.client_id,
                "erin",
                &session,
                PERMANENT,
                given,
            )
            .unwrap_err();
        assert_eq!(
            (error.code(), error.to_string().as_str()),
            (
                "InvalidParameterException",
                "Invalid attributes given, name is missing"
            ),
            "{given:?}"
        );
        assert_eq!(env.record("erin").unwrap(), before, "nothing changed");
    }

    // An empty value deletes, and a required attribute cannot be deleted (SPEC §16).
    let error = env
        .pools
        .respond_to_new_password_required_with_attributes(
            &env.client_id,
            "erin",
            &session,
            PERMANENT,
            &[("name", "")],
        )
        .unwrap_err();
    assert_eq!(error.code(), "InvalidParameterException");
    assert_eq!(env.record("erin").unwrap(), before, "nothing changed");

    let answered = env
        .pools
        .respond_to_new_password_required_with_attributes(
            &env.client_id,
            "erin",
            &session,
            PERMANENT,
            &[("name", "Erin Again")],
        )
        .unwrap();
    assert!(matches!(answered, AuthResult::Authenticated(_)));
    let after = env.record("erin").unwrap();
    assert_eq!(after.status, UserStatus::Confirmed);
    assert_eq!(
        after.attributes.get("name").map(String::as_str),
        Some("Erin Again")
    );
}

#[test]
fn s6_every_missing_required_attribute_is_named_in_the_refusal() {
    let (env, session, required) = erin_lacking(&[("name", "Erin"), ("family_name", "Smith")]);
    assert_eq!(required.len(), 2, "{required:?}");
    let before = env.record("erin").unwrap();
    let answer = |given: &[(&str, &str)]| {
        env.pools
            .respond_to_new_password_required_with_attributes(
                &env.client_id,
                "erin",
                &session,
                PERMANENT,
                given,
            )
            .unwrap_err()
            .to_string()
    };
    let both = answer(&[]);
    assert!(
        both == "Invalid attributes given, name and family_name is missing"
            || both == "Invalid attributes given, family_name and name is missing",
        "{both}"
    );
    assert_eq!(
        answer(&[("name", "Erin")]),
        "Invalid attributes given, family_name is missing"
    );
    assert_eq!(env.record("erin").unwrap(), before, "nothing changed");
}

#[test]
fn s6_a_user_with_every_required_attribute_gets_an_empty_list() {
    let env = common::env();
    env.pools
        .admin_create_user(&env.admin, &env.pool_id, "fay", Some(TEMPORARY), &[], None)
        .unwrap();
    match env
        .pools
        .initiate_auth(&env.client_id, "USER_PASSWORD_AUTH", "fay", TEMPORARY)
        .unwrap()
    {
        AuthResult::NewPasswordRequired {
            required_attributes,
            ..
        } => assert!(required_attributes.is_empty()),
        other => panic!("expected NEW_PASSWORD_REQUIRED, got {other:?}"),
    }
}
