//! SPEC §6 through the service: the answer to NEW_PASSWORD_REQUIRED may carry attributes
//! (`userAttributes.<name>` on the wire, as Cognito's client libraries send them back). They
//! are written with the new password in one write; a user may not set `sub` or a verified
//! flag, and such an answer changes nothing.

mod common;

use userpool::AuthResult;
use userpool_core::UserStatus;

use common::{Env, env};

const TEMPORARY: &str = "Temporary-Pass-1";
const PERMANENT: &str = "Permanent-Pass-2";

/// A FORCE_CHANGE_PASSWORD user `erin` with an unverified email, and the challenge session.
fn challenged(env: &Env) -> String {
    env.pools
        .admin_create_user(
            &env.admin,
            &env.pool_id,
            "erin",
            Some(TEMPORARY),
            &[("email", "erin@example.com")],
            None,
        )
        .expect("create");
    match env
        .pools
        .initiate_auth(&env.client_id, "USER_PASSWORD_AUTH", "erin", TEMPORARY)
    {
        Ok(AuthResult::NewPasswordRequired { session, .. }) => session.expose().to_owned(),
        other => panic!("SPEC §4: a temporary password answers the challenge, got {other:?}"),
    }
}

/// Erin's answer to the challenge `session`: `password` and `attributes`.
fn answer(
    env: &Env,
    session: &str,
    password: &str,
    attributes: &[(&str, &str)],
) -> Result<AuthResult, userpool_core::Error> {
    env.pools.respond_to_new_password_required_with_attributes(
        &env.client_id,
        "erin",
        session,
        password,
        attributes,
    )
}

#[test]
fn attributes_in_the_answer_are_written_with_the_password() {
    let env = env();
    let session = challenged(&env);
    let result = answer(
        &env,
        &session,
        PERMANENT,
        &[("name", "Erin"), ("email", "erin@example.org")],
    )
    .expect("answered");
    assert!(matches!(result, AuthResult::Authenticated(_)));
    let user = env.record("erin").expect("user");
    assert_eq!(user.status, UserStatus::Confirmed);
    assert_eq!(
        user.attributes.get("name").map(String::as_str),
        Some("Erin")
    );
    assert_eq!(
        user.attributes.get("email").map(String::as_str),
        Some("erin@example.org")
    );
    assert_eq!(
        user.attributes.get("email_verified").map(String::as_str),
        Some("false")
    );
}

#[test]
fn a_user_may_not_set_sub_or_a_verified_flag_and_the_refusal_changes_nothing() {
    for attribute in ["sub", "email_verified", "phone_number_verified"] {
        let env = env();
        let session = challenged(&env);
        let before = env.record("erin").expect("user");
        let e = answer(
            &env,
            &session,
            PERMANENT,
            &[("name", "Erin"), (attribute, "true")],
        )
        .expect_err("not writable by the user");
        assert_eq!(
            (e.code(), e.to_string().as_str()),
            (
                "NotAuthorizedException",
                "A client attempted to write unauthorized attribute"
            ),
            "{attribute}"
        );
        assert_eq!(env.record("erin").expect("user"), before, "{attribute}");
        // The admin door refuses the same.
        let e = env
            .pools
            .admin_respond_to_new_password_required_with_attributes(
                &env.admin,
                &env.pool_id,
                &env.client_id,
                "erin",
                &session,
                PERMANENT,
                &[(attribute, "true")],
            )
            .expect_err("not writable by the user");
        assert_eq!(e.code(), "NotAuthorizedException", "{attribute}");
        assert_eq!(env.record("erin").expect("user"), before, "{attribute}");
    }
}

#[test]
fn a_refused_password_writes_none_of_the_attributes() {
    let env = env();
    let session = challenged(&env);
    let before = env.record("erin").expect("user");
    let e = answer(&env, &session, "weak", &[("name", "Erin")]).expect_err("policy");
    assert_eq!(e.code(), "InvalidPasswordException");
    assert_eq!(env.record("erin").expect("user"), before);
}
