//! SPEC §6: a NEW_PASSWORD_REQUIRED session is bound to the app client that opened it.
//! Answered through another client of the pool (either door) it is NotAuthorizedException
//! `Invalid session for the user.`, nothing is written or spent, and the opening client's
//! answer still works. (MFA steps: `spec_18_mfa_service.rs`.)

#![allow(clippy::unwrap_used)]

mod common;

use userpool::{AuthResult, ClientSettings};

const TEMPORARY: &str = "Temporary-Pass-1";
const PERMANENT: &str = "Permanent-Pass-2";

#[test]
fn s6_new_password_session_is_answered_through_its_own_client_only() {
    let env = common::env();
    let other = env
        .pools
        .create_user_pool_client(
            &env.admin,
            &env.pool_id,
            "other",
            ClientSettings {
                explicit_auth_flows: vec![
                    "ALLOW_USER_PASSWORD_AUTH".into(),
                    "ALLOW_ADMIN_USER_PASSWORD_AUTH".into(),
                ],
                ..ClientSettings::default()
            },
        )
        .unwrap();
    env.pools
        .admin_create_user(&env.admin, &env.pool_id, "erin", Some(TEMPORARY), &[], None)
        .unwrap();
    let session = match env
        .pools
        .initiate_auth(&env.client_id, "USER_PASSWORD_AUTH", "erin", TEMPORARY)
        .unwrap()
    {
        AuthResult::NewPasswordRequired { session, .. } => session.expose().to_owned(),
        other => panic!("expected NEW_PASSWORD_REQUIRED, got {other:?}"),
    };
    let before = env.record("erin").unwrap();
    let refusals = [
        env.pools
            .respond_to_new_password_required(&other.client_id, "erin", &session, PERMANENT),
        env.pools.admin_respond_to_new_password_required(
            &env.admin,
            &env.pool_id,
            &other.client_id,
            "erin",
            &session,
            PERMANENT,
        ),
    ];
    for refused in refusals {
        let error = refused.unwrap_err();
        assert_eq!(
            (error.code(), error.to_string().as_str()),
            ("NotAuthorizedException", "Invalid session for the user.")
        );
        assert_eq!(env.record("erin").unwrap(), before, "nothing written");
    }
    let answered = env
        .pools
        .respond_to_new_password_required(&env.client_id, "erin", &session, PERMANENT)
        .unwrap();
    assert!(matches!(answered, AuthResult::Authenticated(_)));
}
