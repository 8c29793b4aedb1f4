//! SPEC §6, user-existence errors prevented: where the app client prevents them, no public
//! answer tells an unknown user from a known one. Sign-in and ForgotPassword are pinned in
//! `spec_8_lookup`; here the code and challenge answers: ConfirmSignUp and
//! ConfirmForgotPassword for an unknown user answer `CodeMismatchException` as a wrong
//! code does, a NEW_PASSWORD_REQUIRED answer (either door) `NotAuthorizedException`
//! `Invalid session for the user.` as a session not the user's does. Without prevention
//! the unknown user stays `UserNotFoundException`. Nothing is written or sent.

mod common;

use userpool::{ClientSettings, Store, UserKey};

use common::{Env, env_with, fast_settings};

const PASSWORD: &str = "Str0ng-Passw0rd!";
const NEW_PASSWORD: &str = "An0ther-Passw0rd!";
/// Well-formed (20..=2048 characters) and nobody's.
const FOREIGN_SESSION: &str = "SSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSS";
const CODE_MISMATCH: (&str, &str) = (
    "CodeMismatchException",
    "Invalid verification code provided, please try again.",
);
const INVALID_SESSION: (&str, &str) = ("NotAuthorizedException", "Invalid session for the user.");

type Call = fn(&Env, &str, &str) -> Result<(), userpool_core::Error>;

/// (operation, call(env, admin client, username), answer to a known user with a wrong code
/// or a foreign session — the answer an unknown user must get when prevented).
fn operations() -> Vec<(&'static str, Call, (&'static str, &'static str))> {
    vec![
        (
            "ConfirmSignUp",
            |env, _, user| {
                let code = wrong_code(env, user);
                env.pools.confirm_sign_up(&env.client_id, user, &code)
            },
            CODE_MISMATCH,
        ),
        (
            "ConfirmForgotPassword",
            |env, _, user| {
                let code = wrong_code(env, user);
                env.pools
                    .confirm_forgot_password(&env.client_id, user, &code, NEW_PASSWORD)
            },
            CODE_MISMATCH,
        ),
        (
            "RespondToAuthChallenge",
            |env, _, user| {
                env.pools
                    .respond_to_new_password_required(
                        &env.client_id,
                        user,
                        FOREIGN_SESSION,
                        NEW_PASSWORD,
                    )
                    .map(drop)
            },
            INVALID_SESSION,
        ),
        (
            "AdminRespondToAuthChallenge",
            |env, admin_client, user| {
                env.pools
                    .admin_respond_to_new_password_required(
                        &env.admin,
                        &env.pool_id,
                        admin_client,
                        user,
                        FOREIGN_SESSION,
                        NEW_PASSWORD,
                    )
                    .map(drop)
            },
            INVALID_SESSION,
        ),
    ]
}

/// A well-formed code that is not the one last sent to `user`.
fn wrong_code(env: &Env, user: &str) -> String {
    match env.delivery.last_code(user) {
        Some(code) if code.expose() == "123456" => "654321".into(),
        _ => "123456".into(),
    }
}

/// An environment whose client prevents existence errors or not, with a second client for
/// the admin door (same setting), and one known user per operation in the state the
/// operation expects: `una` UNCONFIRMED with a code out, `carl` CONFIRMED with a reset code
/// out, `fay` FORCE_CHANGE_PASSWORD.
fn set_up(prevent: bool) -> (Env, String) {
    let env = env_with(fast_settings(), prevent, |b| b);
    let admin_client = env
        .pools
        .create_user_pool_client(
            &env.admin,
            &env.pool_id,
            "back end",
            ClientSettings {
                prevent_user_existence_errors: prevent,
                ..ClientSettings::default()
            },
        )
        .expect("admin client")
        .client_id;
    env.pools
        .sign_up(
            &env.client_id,
            "una",
            PASSWORD,
            &[("email", "una@example.com")],
        )
        .expect("una");
    env.confirmed("carl", PASSWORD, &[("email", "carl@example.com")]);
    env.pools
        .forgot_password(&env.client_id, "carl")
        .expect("carl's reset code");
    env.pools
        .admin_create_user(&env.admin, &env.pool_id, "fay", Some(PASSWORD), &[], None)
        .expect("fay");
    (env, admin_client)
}

fn known_user(operation: &str) -> &'static str {
    match operation {
        "ConfirmSignUp" => "una",
        "ConfirmForgotPassword" => "carl",
        _ => "fay",
    }
}

#[test]
fn an_unknown_user_gets_the_answer_a_wrong_code_or_session_gets_where_prevented() {
    let (env, admin_client) = set_up(true);
    for (operation, call, expected) in operations() {
        let known = call(&env, &admin_client, known_user(operation)).expect_err(operation);
        let sent = env.delivery.events().len();
        let unknown = call(&env, &admin_client, "nobody").expect_err(operation);
        assert_eq!(
            (unknown.code(), unknown.to_string().as_str()),
            expected,
            "SPEC §6: {operation} for an unknown user"
        );
        assert_eq!(
            (known.code(), known.to_string()),
            (unknown.code(), unknown.to_string()),
            "SPEC §6: {operation} tells a known user from an unknown one"
        );
        assert_eq!(
            env.delivery.events().len(),
            sent,
            "{operation}: nothing sent"
        );
        let id = userpool_core::UserPoolId::parse(&env.pool_id).expect("valid id");
        assert_eq!(
            env.store
                .find_user(&id, UserKey::Username("nobody"))
                .expect("store"),
            None,
            "{operation}: nothing created"
        );
    }
}

#[test]
fn an_unknown_user_is_user_not_found_where_not_prevented() {
    let (env, admin_client) = set_up(false);
    for (operation, call, _) in operations() {
        let e = call(&env, &admin_client, "nobody").expect_err(operation);
        assert_eq!(e.code(), "UserNotFoundException", "SPEC §8: {operation}");
        assert_eq!(
            e.to_string(),
            "User does not exist.",
            "SPEC §8: {operation}"
        );
    }
}
