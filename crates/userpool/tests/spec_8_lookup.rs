//! SPEC §8 through the service: unknown pool, unknown user, and how a `Username` resolves
//! (username, then verified alias the pool lists, then `sub`; case folding).

mod common;

use userpool::{AuthResult, Caller, MemoryStore, Store, UserPools};
use userpool_core::{AliasAttribute, PasswordPolicy, UserStatus};

use common::{Env, env, env_with, settings};

const MISSING_POOL: &str = "us-east-1_Missing1";
const PASSWORD: &str = "Str0ng-Passw0rd!";
const NEW_PASSWORD: &str = "An0ther-Passw0rd!";

type Op = fn(&UserPools<MemoryStore>, &Caller, &str, &str) -> Result<(), userpool_core::Error>;

/// Every admin operation that takes a pool and a username, by Cognito name.
fn user_operations() -> Vec<(&'static str, Op)> {
    vec![
        ("AdminSetUserPassword", |s, c, p, u| {
            s.admin_set_user_password(c, p, u, NEW_PASSWORD, Some(true))
                .map(drop)
        }),
        ("AdminGetUser", |s, c, p, u| {
            s.admin_get_user(c, p, u).map(drop)
        }),
        ("AdminDeleteUser", |s, c, p, u| s.admin_delete_user(c, p, u)),
        ("AdminDisableUser", |s, c, p, u| {
            s.admin_disable_user(c, p, u).map(drop)
        }),
        ("AdminEnableUser", |s, c, p, u| {
            s.admin_enable_user(c, p, u).map(drop)
        }),
        ("AdminConfirmSignUp", |s, c, p, u| {
            s.admin_confirm_sign_up(c, p, u).map(drop)
        }),
        ("AdminResetUserPassword", |s, c, p, u| {
            s.admin_reset_user_password(c, p, u).map(drop)
        }),
        ("AdminUpdateUserAttributes", |s, c, p, u| {
            s.admin_update_user_attributes(c, p, u, &[("name", "N")])
                .map(drop)
        }),
        ("AdminCreateUser RESEND", |s, c, p, u| {
            s.admin_create_user(c, p, u, None, &[], Some(userpool::MessageAction::Resend))
                .map(drop)
        }),
        ("ChangePassword", |s, _, p, u| {
            s.change_password(p, u, PASSWORD, NEW_PASSWORD)
        }),
    ]
}

#[test]
fn unknown_pool_is_resource_not_found_for_every_operation() {
    let env = env();
    for (name, op) in user_operations() {
        let e = op(&env.pools, &env.admin, MISSING_POOL, "alice").expect_err(name);
        assert_eq!(e.code(), "ResourceNotFoundException", "{name}");
        assert_eq!(
            e.to_string(),
            "User pool us-east-1_Missing1 does not exist.",
            "{name}"
        );
    }
    let e = env
        .pools
        .list_users(&env.admin, MISSING_POOL, None, None)
        .expect_err("list_users");
    assert_eq!(e.code(), "ResourceNotFoundException");
    let e = env
        .pools
        .admin_create_user(&env.admin, MISSING_POOL, "alice", None, &[], None)
        .expect_err("create");
    assert_eq!(
        e.to_string(),
        "User pool us-east-1_Missing1 does not exist."
    );
    let e = env
        .pools
        .describe_user_pool(&env.admin, MISSING_POOL)
        .expect_err("describe");
    assert_eq!(e.code(), "ResourceNotFoundException");
    let e = env
        .pools
        .delete_user_pool(&env.admin, MISSING_POOL)
        .expect_err("delete");
    assert_eq!(e.code(), "ResourceNotFoundException");
}

#[test]
fn unknown_client_is_resource_not_found_for_public_operations() {
    let env = env();
    let results = [
        env.pools
            .sign_up("nosuchclient", "alice", PASSWORD, &[])
            .map(drop),
        env.pools.confirm_sign_up("nosuchclient", "alice", "123456"),
        env.pools
            .initiate_auth("nosuchclient", "USER_PASSWORD_AUTH", "alice", PASSWORD)
            .map(drop),
        env.pools.forgot_password("nosuchclient", "alice").map(drop),
        env.pools
            .confirm_forgot_password("nosuchclient", "alice", "123456", PASSWORD),
    ];
    for r in results {
        let e = r.expect_err("unknown client");
        assert_eq!(e.code(), "ResourceNotFoundException");
        assert_eq!(
            e.to_string(),
            "User pool client nosuchclient does not exist."
        );
    }
}

#[test]
fn unknown_user_is_user_not_found_for_every_operation() {
    let env = env();
    for (name, op) in user_operations() {
        let e = op(&env.pools, &env.admin, &env.pool_id, "nobody").expect_err(name);
        assert_eq!(e.code(), "UserNotFoundException", "{name}");
        assert_eq!(e.to_string(), "User does not exist.", "{name}");
    }
    let c = &env.client_id;
    let public = [
        env.pools.confirm_sign_up(c, "nobody", "123456"),
        env.pools
            .initiate_auth(c, "USER_PASSWORD_AUTH", "nobody", PASSWORD)
            .map(drop),
        env.pools.forgot_password(c, "nobody").map(drop),
        env.pools
            .confirm_forgot_password(c, "nobody", "123456", PASSWORD),
        env.pools
            .respond_to_new_password_required(c, "nobody", &"s".repeat(43), PASSWORD)
            .map(drop),
    ];
    for r in public {
        assert_eq!(r.expect_err("unknown user").code(), "UserNotFoundException");
    }
}

#[test]
fn unknown_user_is_incorrect_credentials_where_the_client_prevents_existence_errors() {
    let env = env_with(common::fast_settings(), true, |b| b);
    let e = env
        .pools
        .initiate_auth(&env.client_id, "USER_PASSWORD_AUTH", "nobody", PASSWORD)
        .expect_err("unknown");
    assert_eq!(e.code(), "NotAuthorizedException");
    assert_eq!(e.to_string(), "Incorrect username or password.");
    // ForgotPassword answers as if a code went out, and sends nothing.
    let before = env.delivery.events().len();
    env.pools
        .forgot_password(&env.client_id, "nobody")
        .expect("simulated");
    assert_eq!(env.delivery.events().len(), before);
}

fn alias_env(case_sensitive: bool) -> Env {
    let env = env_with(
        settings(
            PasswordPolicy::default(),
            &[AliasAttribute::Email, AliasAttribute::PhoneNumber],
            case_sensitive,
        ),
        false,
        |b| b,
    );
    env.confirmed(
        "alice",
        PASSWORD,
        &[
            ("email", "Alice@Example.com"),
            ("email_verified", "true"),
            ("phone_number", "+15550100"),
            ("phone_number_verified", "true"),
            ("preferred_username", "ally"),
        ],
    );
    env.confirmed(
        "bob",
        PASSWORD,
        &[("email", "bob@example.com"), ("email_verified", "false")],
    );
    env
}

fn resolves_to(env: &Env, given: &str) -> Option<String> {
    match env.pools.admin_get_user(&env.admin, &env.pool_id, given) {
        Ok(user) => Some(user.username),
        Err(e) if e.code() == "UserNotFoundException" => None,
        Err(e) => panic!("unexpected {e}"),
    }
}

#[test]
fn username_resolves_by_name_verified_listed_alias_and_sub() {
    let env = alias_env(true);
    let sub = env.record("alice").expect("alice").sub.to_string();
    // (given, resolves to) — SPEC §8.
    let table: &[(&str, Option<&str>)] = &[
        ("alice", Some("alice")),
        ("Alice@Example.com", Some("alice")), // verified email, listed
        ("+15550100", Some("alice")),         // verified phone, listed
        (&sub, Some("alice")),                // sub
        ("ally", None),                       // preferred_username: not listed
        ("bob@example.com", None),            // unverified email
        ("Alice", None),                      // case-sensitive pool: no folding
        ("alice@example.com", None),          // nor of alias values
    ];
    for (given, expected) in table {
        assert_eq!(
            resolves_to(&env, given).as_deref(),
            *expected,
            "SPEC §8: {given:?}"
        );
    }
}

#[test]
fn case_insensitive_pool_folds_usernames_and_alias_values() {
    let env = alias_env(false);
    for given in [
        "alice",
        "ALICE",
        "Alice",
        "alice@example.com",
        "ALICE@EXAMPLE.COM",
    ] {
        assert_eq!(
            resolves_to(&env, given).as_deref(),
            Some("alice"),
            "SPEC §8: {given}"
        );
    }
    let e = env
        .pools
        .admin_create_user(&env.admin, &env.pool_id, "ALICE", None, &[], None)
        .expect_err("folded duplicate");
    assert_eq!(e.code(), "UsernameExistsException");
}

#[test]
fn operations_act_on_the_user_an_alias_or_sub_resolves_to() {
    let env = alias_env(true);
    let before = env.record("alice").expect("alice");
    env.pools
        .admin_set_user_password(
            &env.admin,
            &env.pool_id,
            "Alice@Example.com",
            NEW_PASSWORD,
            Some(false),
        )
        .expect("set by alias");
    let after = env.record("alice").expect("alice");
    assert_eq!(after.version, before.version + 1);
    assert_eq!(after.status, UserStatus::ForceChangePassword);
    env.pools
        .admin_disable_user(&env.admin, &env.pool_id, &before.sub.to_string())
        .expect("disable by sub");
    assert!(!env.record("alice").expect("alice").enabled);
    // Sign-in by a verified alias works too.
    env.pools
        .admin_enable_user(&env.admin, &env.pool_id, "+15550100")
        .expect("enable by phone");
    let signed = env
        .pools
        .initiate_auth(
            &env.client_id,
            "USER_PASSWORD_AUTH",
            "Alice@Example.com",
            NEW_PASSWORD,
        )
        .expect("sign in by alias");
    assert!(
        matches!(signed, AuthResult::NewPasswordRequired { ref user, .. } if user.username == "alice")
    );
}

/// The service no longer lets a username and another user's alias value be equal (see
/// `spec_8_one_name_one_user`), but records written before that rule, or by another
/// writer of the store, may hold such a pair: lookup still tries the username first.
#[test]
fn a_username_wins_over_an_equal_alias_value_written_before_the_rule() {
    let env = env_with(
        settings(
            PasswordPolicy::default(),
            &[AliasAttribute::PreferredUsername],
            true,
        ),
        false,
        |b| b,
    );
    env.confirmed("carol", PASSWORD, &[]);
    env.confirmed("dave", PASSWORD, &[]);
    // Written behind the service's back.
    let id = userpool_core::UserPoolId::parse(&env.pool_id).expect("valid id");
    let mut dave = env.record("dave").expect("dave");
    dave.attributes
        .insert("preferred_username".into(), "carol".into());
    env.store.update_user(&id, &dave).expect("direct write");
    assert_eq!(resolves_to(&env, "carol").as_deref(), Some("carol"));
}

#[test]
fn alias_values_are_unique_within_a_pool() {
    let env = alias_env(false);
    let taken = [("email", "ALICE@example.com"), ("email_verified", "true")];
    let e = env
        .pools
        .admin_create_user(&env.admin, &env.pool_id, "mallory", None, &taken, None)
        .expect_err("taken alias");
    assert_eq!(e.code(), "AliasExistsException");
    assert_eq!(
        e.to_string(),
        "An account with the given email already exists."
    );
    let bob = env.record("bob").expect("bob");
    let e = env
        .pools
        .admin_update_user_attributes(&env.admin, &env.pool_id, "bob", &taken)
        .expect_err("taken alias");
    assert_eq!(e.code(), "AliasExistsException");
    assert_eq!(
        env.record("bob"),
        Some(bob),
        "a refused update changes nothing"
    );
}

#[test]
fn an_updated_alias_moves_and_sub_never_changes() {
    let env = alias_env(true);
    let sub = env.record("alice").expect("alice").sub;
    env.pools
        .admin_update_user_attributes(
            &env.admin,
            &env.pool_id,
            "alice",
            &[("email", "new@example.com"), ("email_verified", "true")],
        )
        .expect("update");
    assert_eq!(
        resolves_to(&env, "Alice@Example.com"),
        None,
        "old alias released"
    );
    assert_eq!(
        resolves_to(&env, "new@example.com").as_deref(),
        Some("alice")
    );
    let e = env
        .pools
        .admin_update_user_attributes(&env.admin, &env.pool_id, "alice", &[("sub", "x")])
        .expect_err("sub is immutable");
    assert_eq!(e.code(), "InvalidParameterException");
    assert_eq!(env.record("alice").expect("alice").sub, sub);
}
