//! SPEC §19: PreSignUp and PostConfirmation as host traits: auto-confirming (no code sent,
//! `email_verified` set), refusing (nothing written), and the confirmation hook seeing the
//! confirmed user.

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use userpool_core::UserStatus;
use userpool_core::triggers::{
    PostConfirmationEvent, PostConfirmationSource, PreSignUpAnswer, PreSignUpEvent,
    PreSignUpSource, Trigger, TriggerError, Triggers,
};

use common::{Env, env_with, fast_settings};

const PASSWORD: &str = "Str0ng-Passw0rd!";

#[derive(Debug)]
struct Hooks {
    pool: String,
    confirmed: Mutex<Vec<(String, BTreeMap<String, String>)>>,
}

impl Triggers for Hooks {
    fn has(&self, pool_id: &str, trigger: Trigger) -> bool {
        pool_id == self.pool && matches!(trigger, Trigger::PreSignUp | Trigger::PostConfirmation)
    }

    fn pre_sign_up(&self, event: &PreSignUpEvent) -> Result<PreSignUpAnswer, TriggerError> {
        assert_eq!(event.source, PreSignUpSource::SignUp);
        let email = event
            .user_attributes
            .get("email")
            .cloned()
            .unwrap_or_default();
        if email.ends_with("@blocked.example") {
            return Err(TriggerError::Refused {
                trigger: Trigger::PreSignUp,
                message: "Invalid email domain".into(),
            });
        }
        let trusted = email.ends_with("@trusted.example");
        Ok(PreSignUpAnswer {
            auto_confirm_user: trusted,
            auto_verify_email: trusted,
            auto_verify_phone: false,
        })
    }

    fn post_confirmation(&self, event: &PostConfirmationEvent) -> Result<(), TriggerError> {
        assert_eq!(event.source, PostConfirmationSource::ConfirmSignUp);
        if let Ok(mut seen) = self.confirmed.lock() {
            seen.push((event.caller.username.clone(), event.user_attributes.clone()));
        }
        Ok(())
    }
}

fn hooked() -> (Env, Arc<Hooks>) {
    let env = env_with(fast_settings(), false, |b| b);
    let hooks = Arc::new(Hooks {
        pool: env.pool_id.clone(),
        confirmed: Mutex::new(Vec::new()),
    });
    let pools = userpool::UserPools::builder(Arc::clone(&env.store))
        .clock(env.clock.clone())
        .delivery(env.delivery.clone())
        .triggers(Arc::clone(&hooks) as Arc<dyn Triggers>)
        .build();
    (Env { pools, ..env }, hooks)
}

#[test]
fn pre_sign_up_auto_confirms_and_verifies_the_email() {
    let (env, hooks) = hooked();
    let result = env
        .pools
        .sign_up(
            &env.client_id,
            "trusted",
            PASSWORD,
            &[("email", "ana@trusted.example")],
        )
        .expect("sign up");
    assert!(result.user_confirmed);
    assert!(result.code_delivery.is_none(), "no code is sent");
    assert!(env.delivery.last_code("trusted").is_none());
    let user = env.record("trusted").expect("created");
    assert_eq!(user.status, UserStatus::Confirmed);
    assert_eq!(user.attributes["email_verified"], "true");
    assert!(user.pending_code.is_none());
    let seen = hooks
        .confirmed
        .lock()
        .map(|s| s.clone())
        .unwrap_or_default();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].0, "trusted");
    assert_eq!(seen[0].1["cognito:user_status"], "CONFIRMED");
    env.pools
        .initiate_auth(&env.client_id, "USER_PASSWORD_AUTH", "trusted", PASSWORD)
        .expect("signs in at once");
}

#[test]
fn pre_sign_up_refusal_is_user_lambda_validation_and_writes_nothing() {
    let (env, hooks) = hooked();
    let e = env
        .pools
        .sign_up(
            &env.client_id,
            "blocked",
            PASSWORD,
            &[("email", "bo@blocked.example")],
        )
        .expect_err("refused");
    assert_eq!(
        (e.code(), e.to_string().as_str()),
        (
            "UserLambdaValidationException",
            "PreSignUp failed with error Invalid email domain."
        )
    );
    assert!(env.record("blocked").is_none());
    assert!(
        hooks
            .confirmed
            .lock()
            .map(|s| s.is_empty())
            .unwrap_or(false)
    );
}

#[test]
fn an_ordinary_sign_up_still_needs_its_code_and_post_confirmation_follows_it() {
    let (env, hooks) = hooked();
    let result = env
        .pools
        .sign_up(
            &env.client_id,
            "plain",
            PASSWORD,
            &[("email", "pat@example.com")],
        )
        .expect("sign up");
    assert!(!result.user_confirmed);
    assert!(result.code_delivery.is_some());
    let user = env.record("plain").expect("created");
    assert_eq!(user.status, UserStatus::Unconfirmed);
    assert!(!user.attributes.contains_key("email_verified"));
    let code = env
        .delivery
        .last_code("plain")
        .expect("a code was delivered");
    env.pools
        .confirm_sign_up(&env.client_id, "plain", code.expose())
        .expect("confirmed");
    let seen = hooks
        .confirmed
        .lock()
        .map(|s| s.clone())
        .unwrap_or_default();
    assert_eq!(
        seen.iter().map(|(u, _)| u.as_str()).collect::<Vec<_>>(),
        ["plain"]
    );
}

/// Records PostConfirmation's sources, refusing when told.
#[derive(Debug)]
struct AfterReset {
    pool: String,
    refuse: bool,
    seen: Mutex<Vec<PostConfirmationSource>>,
}

impl Triggers for AfterReset {
    fn has(&self, pool_id: &str, trigger: Trigger) -> bool {
        pool_id == self.pool && trigger == Trigger::PostConfirmation
    }

    fn post_confirmation(&self, event: &PostConfirmationEvent) -> Result<(), TriggerError> {
        if let Ok(mut seen) = self.seen.lock() {
            seen.push(event.source);
        }
        if self.refuse {
            return Err(TriggerError::Refused {
                trigger: Trigger::PostConfirmation,
                message: "Audit log down".into(),
            });
        }
        Ok(())
    }
}

#[test]
fn post_confirmation_follows_confirm_forgot_password() {
    for refuse in [false, true] {
        let env = env_with(fast_settings(), false, |b| b);
        env.pools
            .admin_create_user(
                &env.admin,
                &env.pool_id,
                "reset",
                None,
                &[("email", "r@example.com"), ("email_verified", "true")],
                Some(userpool::MessageAction::Suppress),
            )
            .expect("created");
        let hook = Arc::new(AfterReset {
            pool: env.pool_id.clone(),
            refuse,
            seen: Mutex::new(Vec::new()),
        });
        let pools = userpool::UserPools::builder(Arc::clone(&env.store))
            .clock(env.clock.clone())
            .delivery(env.delivery.clone())
            .triggers(Arc::clone(&hook) as Arc<dyn Triggers>)
            .build();
        let env = Env { pools, ..env };
        env.pools
            .admin_set_user_password(&env.admin, &env.pool_id, "reset", PASSWORD, Some(true))
            .expect("password");
        env.pools
            .forgot_password(&env.client_id, "reset")
            .expect("code sent");
        let code = env.delivery.last_code("reset").expect("a code");
        let result = env.pools.confirm_forgot_password(
            &env.client_id,
            "reset",
            code.expose(),
            "New-Passw0rd!9",
        );
        let seen = hook.seen.lock().map(|s| s.clone()).unwrap_or_default();
        assert_eq!(seen, [PostConfirmationSource::ConfirmForgotPassword]);
        if refuse {
            let e = result.expect_err("refused");
            assert_eq!(e.code(), "UserLambdaValidationException");
            assert_eq!(
                e.to_string(),
                "PostConfirmation failed with error Audit log down."
            );
        } else {
            result.expect("reset");
        }
        // Either way the new password is set (the trigger runs after the write).
        env.pools
            .initiate_auth(
                &env.client_id,
                "USER_PASSWORD_AUTH",
                "reset",
                "New-Passw0rd!9",
            )
            .expect("signs in with the new password");
    }
}
