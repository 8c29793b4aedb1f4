//! SPEC §6 through the admin door (`AdminInitiateAuth`, `AdminRespondToAuthChallenge`)
//! and SPEC §7 for who may use it; the client flow names of Cognito's
//! `ExplicitAuthFlowsType` (legacy and `ALLOW_`); SPEC §8 for `get_user_by_sub`.
//! A refused call changes nothing: the record is compared whole before and after.

mod common;

use std::sync::Arc;

use userpool::{AuthResult, Authorizer, Caller, ClientSettings, UserDescription};
use userpool_core::{UserPoolId, UserStatus};
use uuid::Uuid;

use common::{Env, env, env_with, fast_settings, refused};

const PASSWORD: &str = "Str0ng-Passw0rd!";
const WRONG: &str = "Wr0ng-Passw0rd!";
const NEW_PASSWORD: &str = "An0ther-Passw0rd!";
const ADMIN_FLOW: &str = "ADMIN_USER_PASSWORD_AUTH";

/// Allows everyone but the principal `intruder`.
struct DenyIntruder;

impl Authorizer for DenyIntruder {
    fn authorize(&self, caller: &Caller, _action: &str, _pool: &UserPoolId) -> bool {
        caller.principal() != "intruder"
    }
}

fn client_with(env: &Env, pool_id: &str, flows: &[&str]) -> Result<String, userpool_core::Error> {
    env.pools
        .create_user_pool_client(
            &env.admin,
            pool_id,
            "back end",
            ClientSettings {
                explicit_auth_flows: flows.iter().map(|f| (*f).to_owned()).collect(),
                ..ClientSettings::default()
            },
        )
        .map(|c| c.client_id)
}

/// An environment with a confirmed `alice`, and a client of its pool allowing the admin
/// password flow.
fn admin_env() -> (Env, String) {
    let env = env_with(fast_settings(), false, |b| {
        b.authorizer(Arc::new(DenyIntruder))
    });
    env.confirmed("alice", PASSWORD, &[]);
    let client =
        client_with(&env, &env.pool_id, &["ALLOW_ADMIN_USER_PASSWORD_AUTH"]).expect("admin client");
    (env, client)
}

fn admin_sign_in(
    env: &Env,
    client: &str,
    flow: &str,
    user: &str,
    password: &str,
) -> Result<AuthResult, userpool_core::Error> {
    env.pools
        .admin_initiate_auth(&env.admin, &env.pool_id, client, flow, user, password)
}

#[test]
fn admin_password_flow_authenticates_under_both_names() {
    let (env, client) = admin_env();
    let sub = env.record("alice").expect("alice").sub;
    for flow in ["ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"] {
        match admin_sign_in(&env, &client, flow, "alice", PASSWORD).expect(flow) {
            AuthResult::Authenticated(who) => {
                assert_eq!(who.user.sub, sub, "{flow}");
                assert_eq!(who.client_id, client, "{flow}");
                assert_eq!(who.pool_id.as_str(), env.pool_id, "{flow}");
                assert_eq!(who.user.username, "alice", "{flow}");
                // The user as the sign-in left it, so the host need not read it again.
                let stored = env.record("alice").expect("alice");
                assert_eq!(who.user, UserDescription::from(&stored), "{flow}");
            }
            other => panic!("SPEC §6: {flow} signs a CONFIRMED user in, got {other:?}"),
        }
    }
}

#[test]
fn admin_auth_refused_by_the_authoriser_changes_nothing() {
    let (env, client) = admin_env();
    let intruder = Caller::new("intruder");
    let before = env.record("alice");
    // A wrong password that got through would count toward the lockout and bump the version.
    let e = env
        .pools
        .admin_initiate_auth(&intruder, &env.pool_id, &client, ADMIN_FLOW, "alice", WRONG)
        .expect_err("refused");
    assert_eq!(e.code(), "NotAuthorizedException", "SPEC §7");
    assert_eq!(
        e.to_string(),
        format!(
            "User is not authorized to perform: cognito-idp:AdminInitiateAuth on resource: userpool/{}",
            env.pool_id
        )
    );
    assert_eq!(env.record("alice"), before, "SPEC §7: nothing changed");
    // An unknown pool does not reveal itself to a refused caller.
    let e = env
        .pools
        .admin_initiate_auth(
            &intruder,
            "us-east-1_Missing1",
            &client,
            ADMIN_FLOW,
            "alice",
            PASSWORD,
        )
        .expect_err("refused");
    assert_eq!(e.code(), "NotAuthorizedException");
}

#[test]
fn admin_respond_refused_by_the_authoriser_changes_nothing() {
    let (env, client) = admin_env();
    env.pools
        .admin_set_user_password(&env.admin, &env.pool_id, "alice", PASSWORD, Some(false))
        .expect("temporary");
    let AuthResult::NewPasswordRequired { session, .. } =
        admin_sign_in(&env, &client, ADMIN_FLOW, "alice", PASSWORD).expect("challenge")
    else {
        panic!("SPEC §6: a temporary password yields the challenge");
    };
    let before = env.record("alice");
    let e = env
        .pools
        .admin_respond_to_new_password_required(
            &Caller::new("intruder"),
            &env.pool_id,
            &client,
            "alice",
            session.expose(),
            NEW_PASSWORD,
        )
        .expect_err("refused");
    assert_eq!(e.code(), "NotAuthorizedException");
    assert!(
        e.to_string()
            .contains("cognito-idp:AdminRespondToAuthChallenge"),
        "{e}"
    );
    assert_eq!(env.record("alice"), before, "SPEC §7: nothing changed");
    // The session was not consumed: the allowed caller can still answer with it.
    let answered = env
        .pools
        .admin_respond_to_new_password_required(
            &env.admin,
            &env.pool_id,
            &client,
            "alice",
            session.expose(),
            NEW_PASSWORD,
        )
        .expect("answer");
    assert!(matches!(answered, AuthResult::Authenticated(_)));
    assert_eq!(
        env.record("alice").expect("alice").status,
        UserStatus::Confirmed,
        "SPEC §3: the answer confirms the user"
    );
}

#[test]
fn admin_auth_with_a_client_of_another_pool_is_resource_not_found() {
    let (env, _) = admin_env();
    let other = env
        .pools
        .create_user_pool(&env.admin, "other pool", fast_settings())
        .expect("pool");
    let foreign = client_with(&env, other.id.as_str(), &["ALLOW_ADMIN_USER_PASSWORD_AUTH"])
        .expect("client of the other pool");
    let before = env.record("alice");
    for client in [foreign.as_str(), "nosuchclient"] {
        let (code, message) = refused(admin_sign_in(&env, client, ADMIN_FLOW, "alice", WRONG));
        assert_eq!(code, "ResourceNotFoundException", "{client}");
        assert_eq!(
            message,
            format!("User pool client {client} does not exist.")
        );
        let e = env
            .pools
            .admin_respond_to_new_password_required(
                &env.admin,
                &env.pool_id,
                client,
                "alice",
                &"x".repeat(40),
                NEW_PASSWORD,
            )
            .expect_err("foreign client");
        assert_eq!(e.code(), "ResourceNotFoundException", "{client}");
    }
    assert_eq!(env.record("alice"), before, "nothing changed");
}

#[test]
fn admin_auth_needs_the_admin_flow_enabled_on_the_client() {
    let (env, _) = admin_env();
    let before = env.record("alice");
    // The public env client allows ALLOW_USER_PASSWORD_AUTH only.
    let (code, message) = refused(admin_sign_in(
        &env,
        &env.client_id,
        ADMIN_FLOW,
        "alice",
        WRONG,
    ));
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(message, "Auth flow not enabled for this client");
    assert_eq!(env.record("alice"), before, "nothing changed");
    // The legacy client setting enables it too.
    let legacy = client_with(&env, &env.pool_id, &["ADMIN_NO_SRP_AUTH"]).expect("legacy client");
    assert!(matches!(
        admin_sign_in(&env, &legacy, ADMIN_FLOW, "alice", PASSWORD),
        Ok(AuthResult::Authenticated(_))
    ));
    // A flow the admin door does not implement is refused before the authoriser is asked.
    let e = env
        .pools
        .admin_initiate_auth(
            &Caller::new("intruder"),
            &env.pool_id,
            &legacy,
            "USER_SRP_AUTH",
            "alice",
            PASSWORD,
        )
        .expect_err("unsupported flow");
    assert_eq!(e.code(), "InvalidParameterException");
}

#[test]
fn public_auth_accepts_the_legacy_client_flow_name_and_not_the_admin_one() {
    let env = env();
    env.confirmed("alice", PASSWORD, &[]);
    let legacy = client_with(&env, &env.pool_id, &["USER_PASSWORD_AUTH"]).expect("legacy");
    assert!(matches!(
        env.pools
            .initiate_auth(&legacy, "USER_PASSWORD_AUTH", "alice", PASSWORD),
        Ok(AuthResult::Authenticated(_))
    ));
    let admin_only =
        client_with(&env, &env.pool_id, &["ALLOW_ADMIN_USER_PASSWORD_AUTH"]).expect("admin");
    let e = env
        .pools
        .initiate_auth(&admin_only, "USER_PASSWORD_AUTH", "alice", PASSWORD)
        .expect_err("admin flow does not enable the public one");
    assert_eq!(
        (e.code(), e.to_string().as_str()),
        (
            "InvalidParameterException",
            "Auth flow not enabled for this client"
        )
    );
}

#[test]
fn client_flows_take_cognitos_whole_enum_but_not_a_mix_of_legacy_and_allow() {
    let env = env();
    for flow in [
        "ADMIN_NO_SRP_AUTH",
        "CUSTOM_AUTH_FLOW_ONLY",
        "USER_PASSWORD_AUTH",
        "ALLOW_ADMIN_USER_PASSWORD_AUTH",
        "ALLOW_CUSTOM_AUTH",
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
        "ALLOW_USER_AUTH",
    ] {
        assert!(client_with(&env, &env.pool_id, &[flow]).is_ok(), "{flow}");
    }
    let mixed = [
        vec!["USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        vec!["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"],
        vec!["ALLOW_USER_PASSWORD_AUTH", "NOT_A_FLOW"],
        vec!["allow_user_password_auth"],
    ];
    for flows in mixed {
        let e = client_with(&env, &env.pool_id, &flows).expect_err("refused");
        assert_eq!(e.code(), "InvalidParameterException", "{flows:?}");
        assert!(e.to_string().contains("explicitAuthFlows"), "{e}");
    }
    assert!(
        client_with(
            &env,
            &env.pool_id,
            &["USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"]
        )
        .is_ok(),
        "legacy names together are fine"
    );
}

#[test]
fn lockout_counts_failures_through_both_doors_and_applies_to_admin_auth() {
    let (env, client) = admin_env();
    // SPEC §6: five consecutive failures, mixing doors, then each further failure locks.
    for i in 0..6 {
        let result = if i % 2 == 0 {
            admin_sign_in(&env, &client, ADMIN_FLOW, "alice", WRONG)
        } else {
            env.pools
                .initiate_auth(&env.client_id, "USER_PASSWORD_AUTH", "alice", WRONG)
        };
        assert_eq!(
            refused(result),
            (
                "NotAuthorizedException",
                "Incorrect username or password.".into()
            ),
            "failure {i}"
        );
    }
    let locked = env.record("alice").expect("alice");
    assert_eq!(locked.lockout.consecutive_failures, 6);
    assert!(locked.lockout.locked_until.is_some(), "SPEC §6: locked out");
    // Inside the lockout even the right password fails, through the admin door, unverified.
    assert_eq!(
        refused(admin_sign_in(&env, &client, ADMIN_FLOW, "alice", PASSWORD)),
        (
            "NotAuthorizedException",
            "Password attempts exceeded".into()
        )
    );
    // After the lockout, a success through the admin door resets the count.
    env.clock.advance(chrono::TimeDelta::seconds(2));
    assert!(matches!(
        admin_sign_in(&env, &client, ADMIN_FLOW, "alice", PASSWORD),
        Ok(AuthResult::Authenticated(_))
    ));
    assert_eq!(
        env.record("alice")
            .expect("alice")
            .lockout
            .consecutive_failures,
        0,
        "SPEC §6: a successful sign-in resets the count"
    );
}

#[test]
fn admin_auth_follows_the_sign_in_order_of_checks() {
    let (env, client) = admin_env();
    // Unknown user: UserNotFoundException (the client does not prevent existence errors).
    assert_eq!(
        refused(admin_sign_in(&env, &client, ADMIN_FLOW, "nobody", PASSWORD)).0,
        "UserNotFoundException"
    );
    // Disabled, with the right password.
    env.pools
        .admin_disable_user(&env.admin, &env.pool_id, "alice")
        .expect("disable");
    assert_eq!(
        refused(admin_sign_in(&env, &client, ADMIN_FLOW, "alice", PASSWORD)),
        ("NotAuthorizedException", "User is disabled.".into())
    );
    // Wrong password is reported before the state (SPEC §6).
    assert_eq!(
        refused(admin_sign_in(&env, &client, ADMIN_FLOW, "alice", WRONG)).1,
        "Incorrect username or password."
    );
}

#[test]
fn admin_auth_hides_unknown_users_where_the_client_prevents_existence_errors() {
    let (env, _) = admin_env();
    let client = env
        .pools
        .create_user_pool_client(
            &env.admin,
            &env.pool_id,
            "private",
            ClientSettings {
                explicit_auth_flows: vec!["ALLOW_ADMIN_USER_PASSWORD_AUTH".into()],
                prevent_user_existence_errors: true,
                ..ClientSettings::default()
            },
        )
        .expect("client")
        .client_id;
    assert_eq!(
        refused(admin_sign_in(&env, &client, ADMIN_FLOW, "nobody", PASSWORD)),
        (
            "NotAuthorizedException",
            "Incorrect username or password.".into()
        )
    );
}

#[test]
fn admin_challenge_answer_confirms_and_shares_the_public_rules() {
    let (env, client) = admin_env();
    env.pools
        .admin_set_user_password(&env.admin, &env.pool_id, "alice", PASSWORD, Some(false))
        .expect("temporary");
    let AuthResult::NewPasswordRequired { session, user, .. } =
        admin_sign_in(&env, &client, ADMIN_FLOW, "alice", PASSWORD).expect("challenge")
    else {
        panic!("SPEC §4: a temporary password answers only the challenge");
    };
    assert_eq!(user.username, "alice");
    let before = env.record("alice");
    // An answer the policy refuses (SPEC §2) is refused as in the public flow.
    let e = env
        .pools
        .admin_respond_to_new_password_required(
            &env.admin,
            &env.pool_id,
            &client,
            "alice",
            session.expose(),
            "weak",
        )
        .expect_err("policy");
    assert_eq!(e.code(), "InvalidPasswordException");
    assert_eq!(
        env.record("alice"),
        before,
        "a refused answer changes nothing"
    );
    // A forged session is refused.
    let e = env
        .pools
        .admin_respond_to_new_password_required(
            &env.admin,
            &env.pool_id,
            &client,
            "alice",
            &"f".repeat(40),
            NEW_PASSWORD,
        )
        .expect_err("forged");
    assert_eq!(
        (e.code(), e.to_string().as_str()),
        ("NotAuthorizedException", "Invalid session for the user.")
    );
    // A session shorter than Cognito's minimum is an input error.
    let e = env
        .pools
        .admin_respond_to_new_password_required(
            &env.admin,
            &env.pool_id,
            &client,
            "alice",
            "short",
            NEW_PASSWORD,
        )
        .expect_err("short session");
    assert_eq!(e.code(), "InvalidParameterException");
    // Not through another client of the pool: the session is its client's (SPEC §6).
    let e = env
        .pools
        .respond_to_new_password_required(&env.client_id, "alice", session.expose(), NEW_PASSWORD)
        .expect_err("another client");
    assert_eq!(e.to_string(), "Invalid session for the user.");
    assert_eq!(env.record("alice"), before, "nothing written");
    // A session from the admin door answers at the public door too, through its client
    // (single use).
    let answered = env
        .pools
        .respond_to_new_password_required(&client, "alice", session.expose(), NEW_PASSWORD)
        .expect("answer");
    assert!(matches!(answered, AuthResult::Authenticated(_)));
    let e = env
        .pools
        .admin_respond_to_new_password_required(
            &env.admin,
            &env.pool_id,
            &client,
            "alice",
            session.expose(),
            "Y3t-An0ther-Passw0rd!",
        )
        .expect_err("single use");
    assert_eq!(e.code(), "NotAuthorizedException");
    assert!(common::verifies(
        NEW_PASSWORD,
        &env.record("alice")
            .expect("alice")
            .credential
            .expect("credential")
            .hash
    ));
}

#[test]
fn get_user_by_sub_finds_the_user_until_it_is_deleted() {
    let env = env();
    env.confirmed("alice", PASSWORD, &[("name", "Alice")]);
    let sub = env.record("alice").expect("alice").sub;
    let user = env.pools.get_user_by_sub(&env.pool_id, sub).expect("found");
    assert_eq!(user.username, "alice");
    assert_eq!(user.sub, sub);
    assert_eq!(
        user.attributes.get("name").map(String::as_str),
        Some("Alice")
    );
    let e = env
        .pools
        .get_user_by_sub(
            &env.pool_id,
            Uuid::from_u128(0x0123_4567_89ab_4cde_8f01_2345_6789_abcd),
        )
        .expect_err("no such sub");
    assert_eq!(e.code(), "UserNotFoundException", "SPEC §8");
    let e = env
        .pools
        .get_user_by_sub("us-east-1_Missing1", sub)
        .expect_err("no such pool");
    assert_eq!(e.code(), "ResourceNotFoundException", "SPEC §8");
    let e = env
        .pools
        .get_user_by_sub("not a pool id", sub)
        .expect_err("invalid");
    assert_eq!(e.code(), "InvalidParameterException", "SPEC §1");
    env.pools
        .admin_delete_user(&env.admin, &env.pool_id, "alice")
        .expect("delete");
    let e = env
        .pools
        .get_user_by_sub(&env.pool_id, sub)
        .expect_err("deleted");
    assert_eq!(e.code(), "UserNotFoundException");
}

#[test]
fn get_user_by_sub_is_rate_limited_as_a_user_read() {
    use userpool::{Category, RateLimiter, RateLimits};
    let limits = RateLimits::cognito_defaults().with_rate(Category::UserRead, 1);
    let env = env_with(fast_settings(), false, |b| {
        b.rate_limiter(RateLimiter::new(limits))
    });
    env.confirmed("alice", PASSWORD, &[]);
    let sub = env.record("alice").expect("alice").sub;
    env.pools.get_user_by_sub(&env.pool_id, sub).expect("first");
    let e = env
        .pools
        .get_user_by_sub(&env.pool_id, sub)
        .expect_err("second within the second");
    assert_eq!(e.code(), "TooManyRequestsException", "SPEC §7");
}
