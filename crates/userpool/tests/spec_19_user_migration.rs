//! SPEC §19: the UserMigration trigger as a host trait. An embedding server brings users in
//! from its own legacy store at their first sign-in, without Lambda; refusals, failures and
//! unusable answers become Cognito's errors and change nothing.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use userpool::AuthResult;
use userpool_core::UserStatus;
use userpool_core::triggers::{
    MigratedStatus, MigrationSource, Trigger, TriggerError, Triggers, UserMigrationAnswer,
    UserMigrationEvent,
};

use common::{Env, env_with, fast_settings};

/// The legacy system: a user table, and what to do for special names.
#[derive(Debug)]
struct Legacy {
    pool: String,
    calls: AtomicUsize,
}

const LEGACY_PASSWORD: &str = "Legacy-Passw0rd!";

impl Triggers for Legacy {
    fn has(&self, pool_id: &str, trigger: Trigger) -> bool {
        pool_id == self.pool && trigger == Trigger::UserMigration
    }

    fn user_migration(
        &self,
        event: &UserMigrationEvent,
    ) -> Result<Option<UserMigrationAnswer>, TriggerError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        assert_eq!(event.caller.user_pool_id, self.pool);
        if event.source == MigrationSource::ForgotPassword {
            assert!(event.password.is_none());
            return Ok(
                (event.caller.username == "forgetful").then(|| UserMigrationAnswer {
                    user_attributes: [("email", "f@example.com"), ("email_verified", "true")]
                        .iter()
                        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                        .collect(),
                    ..UserMigrationAnswer::default()
                }),
            );
        }
        let password = event.password.as_ref().map(|p| p.expose().to_owned());
        let attributes = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect::<BTreeMap<_, _>>()
        };
        match event.caller.username.as_str() {
            "refused" => Err(TriggerError::Refused {
                trigger: Trigger::UserMigration,
                message: "Bad password".into(),
            }),
            "down" => Err(TriggerError::Unreachable {
                trigger: Trigger::UserMigration,
                reason: "Socket timeout while invoking Lambda function".into(),
            }),
            "garbage" => Ok(Some(UserMigrationAnswer {
                user_attributes: attributes(&[(
                    "a name far longer than thirty-two characters",
                    "x",
                )]),
                ..UserMigrationAnswer::default()
            })),
            "unschemed" => Ok(Some(UserMigrationAnswer {
                user_attributes: attributes(&[("thing", "x")]),
                ..UserMigrationAnswer::default()
            })),
            "forged" => Ok(Some(UserMigrationAnswer {
                user_attributes: attributes(&[("sub", "00000000-0000-4000-8000-000000000000")]),
                ..UserMigrationAnswer::default()
            })),
            "reset" => Ok(Some(UserMigrationAnswer {
                final_user_status: Some(MigratedStatus::ResetRequired),
                ..UserMigrationAnswer::default()
            })),
            "legacy" if password.as_deref() == Some(LEGACY_PASSWORD) => {
                Ok(Some(UserMigrationAnswer {
                    user_attributes: attributes(&[
                        ("email", "legacy@example.com"),
                        ("email_verified", "true"),
                    ]),
                    final_user_status: Some(MigratedStatus::Confirmed),
                    suppress_message: true,
                }))
            }
            _ => Ok(None),
        }
    }
}

fn legacy_env() -> (Env, Arc<Legacy>) {
    let env = env_with(fast_settings(), false, |b| b);
    let legacy = Arc::new(Legacy {
        pool: env.pool_id.clone(),
        calls: AtomicUsize::new(0),
    });
    // The same store, clock and pool, served by a service that has the legacy system.
    let pools = userpool::UserPools::builder(Arc::clone(&env.store))
        .clock(env.clock.clone())
        .delivery(env.delivery.clone())
        .triggers(Arc::clone(&legacy) as Arc<dyn Triggers>)
        .build();
    (Env { pools, ..env }, legacy)
}

fn sign_in(env: &Env, user: &str, password: &str) -> Result<AuthResult, userpool_core::Error> {
    env.pools
        .initiate_auth(&env.client_id, "USER_PASSWORD_AUTH", user, password)
}

#[test]
fn a_legacy_user_is_migrated_at_first_sign_in_and_found_thereafter() {
    let (env, legacy) = legacy_env();
    let result = sign_in(&env, "legacy", LEGACY_PASSWORD).expect("migrated and signed in");
    assert!(matches!(result, AuthResult::Authenticated(_)));
    let user = env.record("legacy").expect("created");
    assert_eq!(user.status, UserStatus::Confirmed);
    assert_eq!(user.attributes["email"], "legacy@example.com");
    let credential = user.credential.expect("credential");
    assert!(credential.hash.as_phc().starts_with("$argon2id$"));
    assert!(credential.hash.imported().is_none());
    assert_eq!(legacy.calls.load(Ordering::SeqCst), 1);
    // Known now: the trigger is not asked again, and a wrong password is an ordinary failure.
    let e = sign_in(&env, "legacy", "Wr0ng-Passw0rd!").expect_err("wrong password");
    assert_eq!(
        (e.code(), e.to_string()),
        (
            "NotAuthorizedException",
            "Incorrect username or password.".to_owned()
        )
    );
    sign_in(&env, "legacy", LEGACY_PASSWORD).expect("signs in");
    assert_eq!(legacy.calls.load(Ordering::SeqCst), 1);
}

#[test]
fn refusals_failures_and_bad_answers_change_nothing() {
    let (env, _) = legacy_env();
    let cases = [
        (
            "legacy",
            "Wr0ng-Passw0rd!",
            "UserNotFoundException",
            "User does not exist.",
        ),
        (
            "stranger",
            LEGACY_PASSWORD,
            "UserNotFoundException",
            "User does not exist.",
        ),
        (
            "refused",
            LEGACY_PASSWORD,
            "UserLambdaValidationException",
            "UserMigration failed with error Bad password.",
        ),
        (
            "down",
            LEGACY_PASSWORD,
            "UnexpectedLambdaException",
            "UserMigration invocation failed due to error Socket timeout while invoking Lambda function.",
        ),
        (
            "forged",
            LEGACY_PASSWORD,
            "InvalidLambdaResponseException",
            "Unrecognizable lambda output",
        ),
        (
            "garbage",
            LEGACY_PASSWORD,
            "InvalidParameterException",
            "1 validation error detected: Value at 'userAttributes' failed to satisfy constraint: Attribute names must have 1 to 32 characters without whitespace",
        ),
        // The pool's schema (SPEC §16) applies to a migrated user as to any new one.
        (
            "unschemed",
            LEGACY_PASSWORD,
            "InvalidParameterException",
            "Attributes did not conform to the schema: thing: Attribute does not exist in the schema.\n",
        ),
    ];
    for (user, password, code, message) in cases {
        let e = sign_in(&env, user, password).expect_err(user);
        assert_eq!(
            (e.code(), e.to_string().as_str()),
            (code, message),
            "{user}"
        );
        assert!(env.record(user).is_none(), "{user}: nothing written");
    }
}

#[test]
fn a_migration_to_reset_required_creates_the_user_who_must_reset() {
    let (env, _) = legacy_env();
    let e = sign_in(&env, "reset", LEGACY_PASSWORD).expect_err("must reset");
    assert_eq!(e.code(), "PasswordResetRequiredException");
    assert_eq!(
        env.record("reset").expect("created").status,
        UserStatus::ResetRequired
    );
}

#[test]
fn a_pool_without_the_trigger_never_asks_it() {
    let (env, legacy) = legacy_env();
    let other = env
        .pools
        .create_user_pool(&env.admin, "other", fast_settings())
        .expect("pool");
    let client = env
        .pools
        .create_user_pool_client(
            &env.admin,
            other.id.as_str(),
            "app",
            userpool::ClientSettings {
                explicit_auth_flows: vec!["ALLOW_USER_PASSWORD_AUTH".into()],
                ..userpool::ClientSettings::default()
            },
        )
        .expect("client");
    let e = env
        .pools
        .initiate_auth(
            &client.client_id,
            "USER_PASSWORD_AUTH",
            "legacy",
            LEGACY_PASSWORD,
        )
        .expect_err("unknown");
    assert_eq!(e.code(), "UserNotFoundException");
    assert_eq!(legacy.calls.load(Ordering::SeqCst), 0);
}

#[test]
fn forgot_password_migrates_the_user_who_then_resets() {
    let (env, legacy) = legacy_env();
    let delivery = env
        .pools
        .forgot_password(&env.client_id, "forgetful")
        .expect("migrated, code sent");
    assert_eq!(delivery.attribute_name, "email");
    let user = env.record("forgetful").expect("created");
    assert_eq!(user.status, UserStatus::ResetRequired);
    assert!(user.credential.is_none(), "no password until the reset");
    let code = env.delivery.last_code("forgetful").expect("code delivered");
    env.pools
        .confirm_forgot_password(&env.client_id, "forgetful", code.expose(), "New-Passw0rd!")
        .expect("reset");
    assert_eq!(
        env.record("forgetful").expect("user").status,
        UserStatus::Confirmed
    );
    sign_in(&env, "forgetful", "New-Passw0rd!").expect("signs in");
    assert_eq!(legacy.calls.load(Ordering::SeqCst), 1);
    let e = env
        .pools
        .forgot_password(&env.client_id, "stranger")
        .expect_err("unknown");
    assert_eq!(e.code(), "UserNotFoundException");
    assert!(env.record("stranger").is_none());
}
