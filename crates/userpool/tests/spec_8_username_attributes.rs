//! SPEC §8, username attributes (`UsernameAttributes` of CreateUserPool): in a pool listing
//! `email` and/or `phone_number`, users sign up and sign in with an email address or phone
//! number *instead of* a username. The given value becomes the attribute, the user's
//! username is its `sub`, every `Username` parameter finds the user by the value whether
//! or not it is verified, and the value is unique in the pool. Every refusal changes
//! nothing: no new record, no delivery.

mod common;

use userpool::{AuthResult, PoolSettings, UserDescription};
use userpool_core::{AliasAttribute, Error, UserStatus};

use common::{Env, env_with, fast_settings};

const PASSWORD: &str = "Str0ng-Passw0rd!";
const NEW_PASSWORD: &str = "An0ther-Passw0rd!";
const DIEGO: &str = "diego@example.com";

fn pool(username_attributes: &[AliasAttribute], case_sensitive: bool) -> Env {
    env_with(
        PoolSettings {
            username_attributes: username_attributes.to_vec(),
            case_sensitive,
            ..fast_settings()
        },
        false,
        |b| b,
    )
}

fn email_pool() -> Env {
    pool(&[AliasAttribute::Email], true)
}

fn admin_create(
    env: &Env,
    username: &str,
    attributes: &[(&str, &str)],
) -> Result<UserDescription, Error> {
    env.pools
        .admin_create_user(&env.admin, &env.pool_id, username, None, attributes, None)
}

fn user_count(env: &Env) -> usize {
    env.pools
        .list_users(&env.admin, &env.pool_id, Some(60), None)
        .expect("list_users")
        .users
        .len()
}

fn resolves_to(env: &Env, given: &str) -> Option<String> {
    match env.pools.admin_get_user(&env.admin, &env.pool_id, given) {
        Ok(user) => Some(user.username),
        Err(e) if e.code() == "UserNotFoundException" => None,
        Err(e) => panic!("unexpected {e}"),
    }
}

fn signs_in(env: &Env, given: &str, password: &str) -> Result<String, Error> {
    match env
        .pools
        .initiate_auth(&env.client_id, "USER_PASSWORD_AUTH", given, password)?
    {
        AuthResult::Authenticated(who) => Ok(who.user.username),
        AuthResult::NewPasswordRequired { user, .. } => Ok(user.username),
        AuthResult::PasswordVerifier(p) => Ok(p.user_id_for_srp),
    }
}

#[test]
fn admin_create_user_with_an_email_gets_the_sub_as_username_and_the_email_attribute() {
    let env = email_pool();
    let user = admin_create(&env, DIEGO, &[]).expect("created");
    assert_eq!(user.username, user.sub.hyphenated().to_string());
    assert_eq!(
        user.attributes.get("email").map(String::as_str),
        Some(DIEGO)
    );
    assert_eq!(
        user.attributes.get("email_verified"),
        None,
        "not verified by creation"
    );
    assert_eq!(user.status, UserStatus::ForceChangePassword);
    // The invitation goes to the user under its real username.
    assert!(
        env.delivery
            .last_temporary_password(&user.username)
            .is_some()
    );
    assert!(env.record(DIEGO).is_none(), "the email is not a username");
}

#[test]
fn sign_up_with_an_email_gets_the_sub_as_username_and_confirms_by_email() {
    let env = email_pool();
    let result = env
        .pools
        .sign_up(&env.client_id, DIEGO, PASSWORD, &[("name", "Diego")])
        .expect("signed up");
    let username = result.user_sub.hyphenated().to_string();
    let record = env.record(&username).expect("stored under its sub");
    assert_eq!(
        record.attributes.get("email").map(String::as_str),
        Some(DIEGO)
    );
    assert_eq!(record.status, UserStatus::Unconfirmed);
    let code = env.delivery.last_code(&username).expect("code delivered");
    env.pools
        .confirm_sign_up(&env.client_id, DIEGO, code.expose())
        .expect("confirmed by email");
    assert_eq!(
        env.record(&username).expect("stored").status,
        UserStatus::Confirmed
    );
}

#[test]
fn every_username_parameter_finds_the_user_by_its_unverified_email() {
    let env = email_pool();
    let created = admin_create(&env, DIEGO, &[]).expect("created");
    let uuid = created.username.clone();

    // Lookup order: the username (the UUID), then the email, then the sub (here equal).
    assert_eq!(resolves_to(&env, DIEGO), Some(uuid.clone()));
    assert_eq!(resolves_to(&env, &uuid), Some(uuid.clone()));
    assert_eq!(resolves_to(&env, "other@example.com"), None);

    env.pools
        .admin_set_user_password(&env.admin, &env.pool_id, DIEGO, PASSWORD, Some(true))
        .expect("AdminSetUserPassword by email");
    assert_eq!(
        signs_in(&env, DIEGO, PASSWORD).as_deref(),
        Ok(uuid.as_str())
    );
    assert_eq!(
        signs_in(&env, &uuid, PASSWORD).as_deref(),
        Ok(uuid.as_str())
    );
    let wrong = signs_in(&env, DIEGO, "Wr0ng-Passw0rd!").expect_err("wrong password");
    assert_eq!(wrong.code(), "NotAuthorizedException");

    env.pools
        .admin_disable_user(&env.admin, &env.pool_id, DIEGO)
        .expect("disable by email");
    env.pools
        .admin_enable_user(&env.admin, &env.pool_id, DIEGO)
        .expect("enable by email");
    env.pools
        .forgot_password(&env.client_id, DIEGO)
        .expect("ForgotPassword by email");
    let code = env.delivery.last_code(&uuid).expect("reset code");
    env.pools
        .confirm_forgot_password(&env.client_id, DIEGO, code.expose(), NEW_PASSWORD)
        .expect("ConfirmForgotPassword by email");
    assert_eq!(
        signs_in(&env, DIEGO, NEW_PASSWORD).as_deref(),
        Ok(uuid.as_str())
    );

    env.pools
        .admin_delete_user(&env.admin, &env.pool_id, DIEGO)
        .expect("delete by email");
    assert_eq!(resolves_to(&env, &uuid), None);
    assert_eq!(resolves_to(&env, DIEGO), None);
    // The value is free again.
    admin_create(&env, DIEGO, &[]).expect("email reusable after delete");
}

#[test]
fn a_username_not_in_a_listed_format_is_refused_and_changes_nothing() {
    let email = [AliasAttribute::Email];
    let phone = [AliasAttribute::PhoneNumber];
    let both = [AliasAttribute::Email, AliasAttribute::PhoneNumber];
    let table: &[(&[AliasAttribute], &str, &str)] = &[
        (&email, "diego", "Username should be an email."),
        (&email, "+15550100", "Username should be an email."),
        (&phone, "diego", "Username should be a phone number."),
        (&phone, DIEGO, "Username should be a phone number."),
        (&phone, "15550100", "Username should be a phone number."),
        (
            &both,
            "diego",
            "Username should be either an email or a phone number.",
        ),
        (
            &both,
            "@example.com",
            "Username should be either an email or a phone number.",
        ),
    ];
    for &(attributes, username, message) in table {
        let env = pool(attributes, true);
        for sign_up in [false, true] {
            let error = if sign_up {
                env.pools
                    .sign_up(&env.client_id, username, PASSWORD, &[])
                    .map(drop)
                    .expect_err(username)
            } else {
                admin_create(&env, username, &[])
                    .map(drop)
                    .expect_err(username)
            };
            assert_eq!(error.code(), "InvalidParameterException", "{username}");
            assert_eq!(error.to_string(), message, "{username} in {attributes:?}");
        }
        assert_eq!(user_count(&env), 0, "{username}: nothing created");
        assert!(
            env.delivery.events().is_empty(),
            "{username}: nothing delivered"
        );
    }
}

#[test]
fn a_phone_number_becomes_the_phone_number_attribute_in_a_pool_with_both() {
    let env = pool(&[AliasAttribute::Email, AliasAttribute::PhoneNumber], true);
    let phone = admin_create(&env, "+15550100", &[]).expect("phone");
    assert_eq!(phone.username, phone.sub.hyphenated().to_string());
    assert_eq!(
        phone.attributes.get("phone_number").map(String::as_str),
        Some("+15550100")
    );
    assert_eq!(phone.attributes.get("email"), None);
    let email = admin_create(&env, DIEGO, &[]).expect("email");
    assert_eq!(
        email.attributes.get("email").map(String::as_str),
        Some(DIEGO)
    );
    assert_eq!(resolves_to(&env, "+15550100"), Some(phone.username));
    assert_eq!(resolves_to(&env, DIEGO), Some(email.username));
}

#[test]
fn the_attribute_may_repeat_the_username_but_not_differ_from_it() {
    let env = email_pool();
    let error = admin_create(&env, DIEGO, &[("email", "other@example.com")]).expect_err("differs");
    assert_eq!(error.code(), "InvalidParameterException");
    assert_eq!(
        error.to_string(),
        "User email should be empty or same as username, since username attribute is email"
    );
    let error = env
        .pools
        .sign_up(
            &env.client_id,
            DIEGO,
            PASSWORD,
            &[("email", "other@example.com")],
        )
        .expect_err("differs");
    assert_eq!(error.code(), "InvalidParameterException");
    assert_eq!(user_count(&env), 0);
    assert!(env.delivery.events().is_empty());

    let user = admin_create(&env, DIEGO, &[("email", DIEGO), ("email_verified", "true")])
        .expect("same value is fine");
    assert_eq!(
        user.attributes.get("email").map(String::as_str),
        Some(DIEGO)
    );
    assert_eq!(
        user.attributes.get("email_verified").map(String::as_str),
        Some("true")
    );

    let phone = pool(&[AliasAttribute::PhoneNumber], true);
    let error =
        admin_create(&phone, "+15550100", &[("phone_number", "+15550199")]).expect_err("differs");
    assert_eq!(
        error.to_string(),
        "User phone_number should be empty or same as username, since username attribute is phone_number"
    );
}

#[test]
fn a_taken_value_is_username_exists_and_changes_nothing() {
    let env = email_pool();
    let first = admin_create(&env, DIEGO, &[]).expect("first");
    let events = env.delivery.events().len();
    let error = admin_create(&env, DIEGO, &[]).expect_err("taken");
    assert_eq!(error.code(), "UsernameExistsException");
    assert_eq!(error.to_string(), "User account already exists");
    let error = env
        .pools
        .sign_up(&env.client_id, DIEGO, PASSWORD, &[])
        .expect_err("taken");
    assert_eq!(error.code(), "UsernameExistsException");
    assert_eq!(user_count(&env), 1);
    assert_eq!(env.delivery.events().len(), events, "nothing delivered");
    assert_eq!(resolves_to(&env, DIEGO), Some(first.username.clone()));
    assert_eq!(
        env.record(&first.username).expect("first").version,
        first.version,
        "first user untouched"
    );
}

#[test]
fn updating_to_a_taken_value_is_alias_exists_and_changes_nothing() {
    let env = email_pool();
    let diego = admin_create(&env, DIEGO, &[]).expect("diego");
    let erin = admin_create(&env, "erin@example.com", &[]).expect("erin");
    let error = env
        .pools
        .admin_update_user_attributes(
            &env.admin,
            &env.pool_id,
            "erin@example.com",
            &[("email", DIEGO)],
        )
        .expect_err("taken");
    assert_eq!(error.code(), "AliasExistsException");
    assert_eq!(
        error.to_string(),
        "An account with the given email already exists."
    );
    let stored = env.record(&erin.username).expect("erin");
    assert_eq!(stored.version, erin.version, "erin unchanged");
    assert_eq!(resolves_to(&env, DIEGO), Some(diego.username.clone()));

    // A free value moves the user's sign-in name with it.
    env.pools
        .admin_update_user_attributes(
            &env.admin,
            &env.pool_id,
            "erin@example.com",
            &[("email", "erin@example.org")],
        )
        .expect("free value");
    assert_eq!(resolves_to(&env, "erin@example.org"), Some(erin.username));
    assert_eq!(resolves_to(&env, "erin@example.com"), None);
}

#[test]
fn case_insensitive_pools_fold_the_value_case_sensitive_pools_do_not() {
    let folded = pool(&[AliasAttribute::Email], false);
    let user = admin_create(&folded, "Diego@Example.com", &[]).expect("created");
    assert_eq!(
        user.attributes.get("email").map(String::as_str),
        Some("Diego@Example.com"),
        "stored as given"
    );
    assert_eq!(
        resolves_to(&folded, "diego@example.com"),
        Some(user.username.clone())
    );
    assert_eq!(
        resolves_to(&folded, "DIEGO@EXAMPLE.COM"),
        Some(user.username.clone())
    );
    let error = admin_create(&folded, DIEGO, &[]).expect_err("same value, folded");
    assert_eq!(error.code(), "UsernameExistsException");
    assert_eq!(user_count(&folded), 1);

    let exact = pool(&[AliasAttribute::Email], true);
    let upper = admin_create(&exact, "Diego@Example.com", &[]).expect("created");
    assert_eq!(resolves_to(&exact, DIEGO), None);
    let lower = admin_create(&exact, DIEGO, &[]).expect("another user in a case-sensitive pool");
    assert_ne!(upper.username, lower.username);
    assert_eq!(
        resolves_to(&exact, "Diego@Example.com"),
        Some(upper.username)
    );
    assert_eq!(resolves_to(&exact, DIEGO), Some(lower.username));
}

#[test]
fn resend_finds_the_invited_user_by_email() {
    let env = email_pool();
    let user = admin_create(&env, DIEGO, &[]).expect("created");
    let first = env
        .delivery
        .last_temporary_password(&user.username)
        .expect("invitation");
    let resent = env
        .pools
        .admin_create_user(
            &env.admin,
            &env.pool_id,
            DIEGO,
            None,
            &[],
            Some(userpool::MessageAction::Resend),
        )
        .expect("RESEND by email");
    assert_eq!(resent.username, user.username);
    assert_eq!(user_count(&env), 1);
    let second = env
        .delivery
        .last_temporary_password(&user.username)
        .expect("re-sent");
    assert_ne!(first.expose(), second.expose());
}

#[test]
fn pools_without_username_attributes_keep_the_given_username() {
    let env = env_with(fast_settings(), false, |b| b);
    let user = admin_create(&env, DIEGO, &[]).expect("an email is a plain username here");
    assert_eq!(user.username, DIEGO);
    assert_eq!(user.attributes.get("email"), None);
}
