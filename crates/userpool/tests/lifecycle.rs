//! The user lifecycle of SPEC §3–§6 driven through the service, end to end, with the
//! codes and temporary passwords read from the recorded deliveries.

mod common;

use chrono::TimeDelta;
use userpool::{AuthResult, MessageAction};
use userpool_core::UserStatus;

use common::{Env, env};

const FLOW: &str = "USER_PASSWORD_AUTH";

fn sign_in(env: &Env, username: &str, password: &str) -> Result<AuthResult, String> {
    env.pools
        .initiate_auth(&env.client_id, FLOW, username, password)
        .map_err(|e| format!("{}: {e}", e.code()))
}

fn status(env: &Env, username: &str) -> UserStatus {
    env.record(username).expect("user").status
}

#[test]
fn admin_created_user_answers_the_challenge_then_changes_and_resets_the_password() {
    let env = env();
    let (admin, pool) = (&env.admin, env.pool_id.as_str());
    env.pools
        .admin_create_user(
            admin,
            pool,
            "erin",
            None,
            &[("email", "erin@example.com")],
            None,
        )
        .expect("create");
    assert_eq!(status(&env, "erin"), UserStatus::ForceChangePassword);
    let temporary = env
        .delivery
        .last_temporary_password("erin")
        .expect("delivered");

    // SPEC §4: a temporary password yields the challenge, never tokens.
    let Ok(AuthResult::NewPasswordRequired { session, user, .. }) =
        sign_in(&env, "erin", temporary.expose())
    else {
        panic!("expected NEW_PASSWORD_REQUIRED");
    };
    assert_eq!(user.username, "erin");
    assert!(
        !format!("{session:?}").contains(session.expose()),
        "session redacted"
    );
    let c = &env.client_id;
    let weak = env
        .pools
        .respond_to_new_password_required(c, "erin", session.expose(), "weak")
        .expect_err("policy");
    assert_eq!(weak.code(), "InvalidPasswordException");
    let done = env
        .pools
        .respond_to_new_password_required(c, "erin", session.expose(), "First-Perm4nent!")
        .expect("answered");
    assert!(matches!(done, AuthResult::Authenticated(ref who) if who.user.username == "erin"));
    assert_eq!(status(&env, "erin"), UserStatus::Confirmed);
    let reused = env
        .pools
        .respond_to_new_password_required(c, "erin", session.expose(), "Second-Perm4nent!")
        .expect_err("single-use session");
    assert_eq!(reused.code(), "NotAuthorizedException");

    // ChangePassword: the old password stops working.
    env.pools
        .change_password(pool, "erin", "First-Perm4nent!", "Second-Perm4nent!")
        .expect("change");
    assert_eq!(
        sign_in(&env, "erin", "First-Perm4nent!").err().as_deref(),
        Some("NotAuthorizedException: Incorrect username or password.")
    );
    assert!(matches!(
        sign_in(&env, "erin", "Second-Perm4nent!"),
        Ok(AuthResult::Authenticated(_))
    ));

    // AdminResetUserPassword → RESET_REQUIRED; the code completes the reset.
    env.pools
        .admin_reset_user_password(admin, pool, "erin")
        .expect("reset");
    assert_eq!(status(&env, "erin"), UserStatus::ResetRequired);
    assert_eq!(
        sign_in(&env, "erin", "Second-Perm4nent!").err().as_deref(),
        Some("PasswordResetRequiredException: Password reset required for the user")
    );
    let code = env.delivery.last_code("erin").expect("reset code");
    let wrong = if code.expose() == "000000" {
        "000001"
    } else {
        "000000"
    };
    let e = env
        .pools
        .confirm_forgot_password(c, "erin", wrong, "Third-Perm4nent!")
        .expect_err("wrong code");
    assert_eq!(e.code(), "CodeMismatchException");
    let counted = env
        .record("erin")
        .and_then(|u| u.pending_code)
        .map(|p| p.failed_attempts);
    assert_eq!(
        counted,
        Some(1),
        "a wrong code is counted and the count stored"
    );
    env.pools
        .confirm_forgot_password(c, "erin", code.expose(), "Third-Perm4nent!")
        .expect("reset with code");
    assert_eq!(status(&env, "erin"), UserStatus::Confirmed);
    assert!(matches!(
        sign_in(&env, "erin", "Third-Perm4nent!"),
        Ok(AuthResult::Authenticated(_))
    ));

    // ForgotPassword from CONFIRMED, too.
    let details = env.pools.forgot_password(c, "erin").expect("forgot");
    assert_eq!(
        (details.delivery_medium, details.destination.as_str()),
        ("EMAIL", "e***@e***")
    );
    let code = env.delivery.last_code("erin").expect("code");
    env.pools
        .confirm_forgot_password(c, "erin", code.expose(), "Fourth-Perm4nent!")
        .expect("confirm forgot");
    assert!(sign_in(&env, "erin", "Fourth-Perm4nent!").is_ok());
}

#[test]
fn disabled_expired_and_locked_out_users_are_refused_in_spec_order() {
    let env = env();
    let (admin, pool) = (&env.admin, env.pool_id.as_str());
    env.confirmed("gus", "Gus-Passw0rd!", &[]);

    env.pools
        .admin_disable_user(admin, pool, "gus")
        .expect("disable");
    assert_eq!(
        sign_in(&env, "gus", "Gus-Passw0rd!").err().as_deref(),
        Some("NotAuthorizedException: User is disabled.")
    );
    // SPEC §3: AdminSetUserPassword works on a disabled user and leaves it disabled.
    let user = env
        .pools
        .admin_set_user_password(admin, pool, "gus", "Temp-Passw0rd!", None)
        .expect("set on disabled");
    assert_eq!(
        (user.status, user.enabled),
        (UserStatus::ForceChangePassword, false)
    );
    env.pools
        .admin_enable_user(admin, pool, "gus")
        .expect("enable");

    // SPEC §4: expires exactly at set_at + 7 days.
    env.clock.advance(TimeDelta::days(7));
    assert_eq!(
        sign_in(&env, "gus", "Temp-Passw0rd!").err().as_deref(),
        Some(
            "NotAuthorizedException: Temporary password has expired and must be reset by an administrator."
        )
    );

    // SPEC §6: five free failures, then lockouts; the correct password is refused inside one.
    env.pools
        .admin_set_user_password(admin, pool, "gus", "Gus-Passw0rd-2!", Some(true))
        .expect("reset by admin");
    for _ in 0..6 {
        let e = sign_in(&env, "gus", "Wrong-Passw0rd!").expect_err("wrong");
        assert!(e.contains("Incorrect username or password."), "{e}");
    }
    assert_eq!(
        sign_in(&env, "gus", "Gus-Passw0rd-2!").err().as_deref(),
        Some("NotAuthorizedException: Password attempts exceeded")
    );
    env.clock.advance(TimeDelta::seconds(1));
    assert!(matches!(
        sign_in(&env, "gus", "Gus-Passw0rd-2!"),
        Ok(AuthResult::Authenticated(_))
    ));
    assert_eq!(
        env.record("gus").map(|u| u.lockout.consecutive_failures),
        Some(0)
    );
}

#[test]
fn sign_up_confirm_federate_resend_suppress_list_and_delete() {
    let env = env();
    let (admin, pool, c) = (&env.admin, env.pool_id.as_str(), env.client_id.as_str());

    let signed_up = env
        .pools
        .sign_up(
            c,
            "frank",
            "Frank-Passw0rd!",
            &[("phone_number", "+15550123")],
        )
        .expect("sign up");
    assert!(!signed_up.user_confirmed);
    assert_eq!(
        signed_up.code_delivery.map(|d| d.destination),
        Some("+*******0123".into())
    );
    assert_eq!(
        sign_in(&env, "frank", "Frank-Passw0rd!").err().as_deref(),
        Some("UserNotConfirmedException: User is not confirmed.")
    );
    let code = env.delivery.last_code("frank").expect("code");
    env.pools
        .confirm_sign_up(c, "frank", code.expose())
        .expect("confirm");
    assert_eq!(status(&env, "frank"), UserStatus::Confirmed);
    assert!(sign_in(&env, "frank", "Frank-Passw0rd!").is_ok());
    let again = env
        .pools
        .sign_up(c, "frank", "Frank-Passw0rd!", &[])
        .expect_err("taken");
    assert_eq!(again.code(), "UsernameExistsException");

    // A federated user: created once, then found; a password makes it a native user.
    let first = env
        .pools
        .federated_sign_in(pool, "google_123", &[])
        .expect("first");
    assert!(first.created);
    assert_eq!(first.user.status, UserStatus::ExternalProvider);
    assert!(
        !env.pools
            .federated_sign_in(pool, "google_123", &[])
            .expect("again")
            .created
    );
    env.pools
        .admin_set_user_password(admin, pool, "google_123", "Native-Passw0rd!", Some(true))
        .expect("set");
    assert_eq!(status(&env, "google_123"), UserStatus::Confirmed);
    assert!(sign_in(&env, "google_123", "Native-Passw0rd!").is_ok());

    // RESEND replaces the temporary password; SUPPRESS sends nothing.
    env.pools
        .admin_create_user(admin, pool, "hana", Some("First-Temp0rary!"), &[], None)
        .expect("create");
    env.pools
        .admin_create_user(admin, pool, "hana", None, &[], Some(MessageAction::Resend))
        .expect("resend");
    let resent = env
        .delivery
        .last_temporary_password("hana")
        .expect("resent");
    assert_ne!(resent.expose(), "First-Temp0rary!");
    assert!(sign_in(&env, "hana", "First-Temp0rary!").is_err());
    assert!(matches!(
        sign_in(&env, "hana", resent.expose()),
        Ok(AuthResult::NewPasswordRequired { .. })
    ));
    let e = env
        .pools
        .admin_create_user(admin, pool, "frank", None, &[], Some(MessageAction::Resend))
        .expect_err("not FORCE_CHANGE_PASSWORD");
    assert_eq!(e.code(), "UnsupportedUserStateException");
    env.pools
        .admin_create_user(
            admin,
            pool,
            "ivan",
            None,
            &[],
            Some(MessageAction::Suppress),
        )
        .expect("suppressed");
    assert!(env.delivery.last_temporary_password("ivan").is_none());

    // ListUsers pages in username order.
    let first = env
        .pools
        .list_users(admin, pool, Some(2), None, None)
        .expect("page 1");
    let names: Vec<&str> = first.users.iter().map(|u| u.username.as_str()).collect();
    assert_eq!(names, ["frank", "google_123"]);
    let rest = env
        .pools
        .list_users(
            admin,
            pool,
            Some(60),
            first.pagination_token.as_deref(),
            None,
        )
        .expect("page 2");
    let names: Vec<&str> = rest.users.iter().map(|u| u.username.as_str()).collect();
    assert_eq!(names, ["hana", "ivan"]);
    assert!(rest.pagination_token.is_none());

    env.pools
        .admin_delete_user(admin, pool, "frank")
        .expect("delete");
    assert_eq!(
        env.pools
            .admin_get_user(admin, pool, "frank")
            .map(drop)
            .map_err(|e| e.code()),
        Err("UserNotFoundException")
    );
}

#[test]
fn invalid_input_lists_every_violated_member_before_any_lookup() {
    let env = env();
    let e = env
        .pools
        .admin_set_user_password(&env.admin, "bad id", "has space", "x", None)
        .expect_err("invalid");
    assert_eq!(e.code(), "InvalidParameterException");
    assert!(
        e.to_string().starts_with("3 validation errors detected: "),
        "{e}"
    );
    let e = env
        .pools
        .sign_up("bad client!", "ok", " padded ", &[])
        .expect_err("invalid");
    assert!(
        e.to_string().starts_with("2 validation errors detected: "),
        "{e}"
    );
}
