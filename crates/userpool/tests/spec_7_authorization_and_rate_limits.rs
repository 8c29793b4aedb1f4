//! SPEC §7 through the service: the host's authoriser (NotAuthorizedException) and the
//! per-pool, per-category token buckets (TooManyRequestsException). A refused call
//! changes nothing: the record is compared whole before and after.

mod common;

use std::sync::{Arc, Mutex};

use chrono::TimeDelta;
use userpool::{
    Authorizer, Caller, Category, MemoryStore, MessageAction, PoolSettings, RateLimiter,
    RateLimits, UserPools,
};
use userpool_core::UserPoolId;

use common::{Env, env_with, fast_settings};

const PASSWORD: &str = "Str0ng-Passw0rd!";
const NEW_PASSWORD: &str = "An0ther-Passw0rd!";

/// Allows everyone but the principal `intruder`, and remembers what it was asked.
#[derive(Default)]
struct DenyIntruder(Mutex<Vec<(String, String, String)>>);

impl Authorizer for DenyIntruder {
    fn authorize(&self, caller: &Caller, action: &str, pool: &UserPoolId) -> bool {
        if let Ok(mut asked) = self.0.lock() {
            asked.push((
                caller.principal().into(),
                action.into(),
                pool.as_str().into(),
            ));
        }
        caller.principal() != "intruder"
    }
}

type AdminOp = fn(&UserPools<MemoryStore>, &Caller, &str) -> Result<(), userpool_core::Error>;

/// Every admin operation on the user `alice`, by Cognito action name.
fn admin_operations() -> Vec<(&'static str, AdminOp)> {
    vec![
        ("AdminSetUserPassword", |s, c, p| {
            s.admin_set_user_password(c, p, "alice", NEW_PASSWORD, Some(true))
                .map(drop)
        }),
        ("AdminCreateUser", |s, c, p| {
            s.admin_create_user(c, p, "alice", None, &[], Some(MessageAction::Resend))
                .map(drop)
        }),
        ("AdminGetUser", |s, c, p| {
            s.admin_get_user(c, p, "alice").map(drop)
        }),
        ("AdminDeleteUser", |s, c, p| {
            s.admin_delete_user(c, p, "alice")
        }),
        ("AdminDisableUser", |s, c, p| {
            s.admin_disable_user(c, p, "alice").map(drop)
        }),
        ("AdminEnableUser", |s, c, p| {
            s.admin_enable_user(c, p, "alice").map(drop)
        }),
        ("AdminConfirmSignUp", |s, c, p| {
            s.admin_confirm_sign_up(c, p, "alice").map(drop)
        }),
        ("AdminResetUserPassword", |s, c, p| {
            s.admin_reset_user_password(c, p, "alice").map(drop)
        }),
        ("AdminUpdateUserAttributes", |s, c, p| {
            s.admin_update_user_attributes(c, p, "alice", &[("name", "Mallory")])
                .map(drop)
        }),
        ("ListUsers", |s, c, p| {
            s.list_users(c, p, None, None).map(drop)
        }),
        ("DescribeUserPool", |s, c, p| {
            s.describe_user_pool(c, p).map(drop)
        }),
        ("UpdateUserPool", |s, c, p| {
            s.update_user_pool(c, p, userpool::PoolUpdate::default())
                .map(drop)
        }),
        ("DeleteUserPool", |s, c, p| s.delete_user_pool(c, p)),
        ("CreateUserPoolClient", |s, c, p| {
            s.create_user_pool_client(c, p, "x", userpool::ClientSettings::default())
                .map(drop)
        }),
        ("DescribeUserPoolClient", |s, c, p| {
            s.describe_user_pool_client(c, p, "someclient").map(drop)
        }),
    ]
}

fn guarded() -> (Env, Arc<DenyIntruder>) {
    let authorizer = Arc::new(DenyIntruder::default());
    let env = env_with(fast_settings(), false, |b| b.authorizer(authorizer.clone()));
    env.confirmed("alice", PASSWORD, &[("name", "Alice")]);
    (env, authorizer)
}

#[test]
fn refused_caller_gets_not_authorized_and_nothing_changes() {
    let (env, authorizer) = guarded();
    let intruder = Caller::new("intruder");
    let before = env.record("alice");
    let deliveries = env.delivery.events().len();
    for (action, op) in admin_operations() {
        let e = op(&env.pools, &intruder, &env.pool_id).expect_err(action);
        assert_eq!(e.code(), "NotAuthorizedException", "SPEC §7: {action}");
        assert_eq!(
            e.to_string(),
            format!(
                "User is not authorized to perform: cognito-idp:{action} on resource: userpool/{}",
                env.pool_id
            ),
            "{action}"
        );
        assert_eq!(
            env.record("alice"),
            before,
            "SPEC §7: {action} changed nothing"
        );
        let asked = authorizer.0.lock().expect("lock").last().cloned();
        assert_eq!(
            asked,
            Some(("intruder".into(), action.into(), env.pool_id.clone())),
            "the authoriser is asked with the action and the pool"
        );
    }
    assert_eq!(
        env.delivery.events().len(),
        deliveries,
        "nothing was delivered"
    );
    assert!(
        env.pools
            .describe_user_pool(&env.admin, &env.pool_id)
            .is_ok(),
        "pool still there"
    );
}

#[test]
fn authorisation_comes_before_pool_resolution_and_after_validation() {
    let (env, _) = guarded();
    let intruder = Caller::new("intruder");
    // An unknown pool does not reveal itself to a refused caller.
    let e = env
        .pools
        .admin_get_user(&intruder, "us-east-1_Missing1", "alice")
        .expect_err("refused");
    assert_eq!(e.code(), "NotAuthorizedException");
    // Input is checked before anything else (SPEC §1).
    let e = env
        .pools
        .admin_set_user_password(&intruder, &env.pool_id, "alice", " padded ", None)
        .expect_err("invalid");
    assert_eq!(e.code(), "InvalidParameterException");
}

#[test]
fn a_closure_authoriser_denies_account_level_actions_unless_it_says_otherwise() {
    let env = env_with(fast_settings(), false, |b| {
        b.authorizer(Arc::new(|c: &Caller, _: &str, _: &UserPoolId| {
            c.principal() == "admin"
        }))
    });
    let e = env
        .pools
        .list_user_pools(&env.admin, 10, None)
        .expect_err("account-level");
    assert_eq!(e.code(), "NotAuthorizedException");
    let e = env
        .pools
        .create_user_pool(&Caller::new("someone"), "p", PoolSettings::default())
        .expect_err("refused");
    assert_eq!(e.code(), "NotAuthorizedException");
}

#[test]
fn default_rates_are_cognitos_quotas() {
    let limits = RateLimits::cognito_defaults();
    let table = [
        (Category::UserAccountRecovery, 30),
        (Category::UserAuthentication, 120),
        (Category::UserCreation, 50),
        (Category::UserRead, 120),
        (Category::UserUpdate, 25),
    ];
    for (category, rate) in table {
        assert_eq!(
            limits.rate(category),
            rate,
            "SPEC §7: {}",
            category.as_str()
        );
    }
}

fn limited(category: Category, rate: u32) -> Env {
    let limiter = RateLimiter::new(RateLimits::default().with_rate(category, rate));
    let env = env_with(fast_settings(), false, |b| b);
    // Users are made without a limiter; the limited service shares the store and clock.
    env.confirmed("alice", PASSWORD, &[("email", "a@example.com")]);
    let pools = UserPools::builder(Arc::clone(&env.store))
        .clock(env.clock.clone())
        .delivery(env.delivery.clone())
        .rate_limiter(limiter)
        .build();
    Env { pools, ..env }
}

#[test]
fn throttled_admin_set_user_password_is_too_many_requests_and_changes_nothing() {
    let env = limited(Category::UserAccountRecovery, 2);
    for i in 0..2 {
        env.pools
            .admin_set_user_password(
                &env.admin,
                &env.pool_id,
                "alice",
                &format!("Fresh-Passw0rd-{i}"),
                Some(true),
            )
            .expect("within the rate");
    }
    let before = env.record("alice");
    let e = env
        .pools
        .admin_set_user_password(&env.admin, &env.pool_id, "alice", NEW_PASSWORD, Some(false))
        .expect_err("throttled");
    assert_eq!(e.code(), "TooManyRequestsException", "SPEC §7");
    assert_eq!(e.to_string(), "Rate exceeded");
    assert_eq!(
        env.record("alice"),
        before,
        "SPEC §7: a throttled call changes nothing"
    );
    // Other categories have their own buckets.
    env.pools
        .admin_get_user(&env.admin, &env.pool_id, "alice")
        .expect("UserRead is separate");
    // Half a second refills one token at 2/s.
    env.clock.advance(TimeDelta::milliseconds(500));
    env.pools
        .admin_set_user_password(&env.admin, &env.pool_id, "alice", NEW_PASSWORD, Some(true))
        .expect("refilled");
}

#[test]
fn throttled_sign_in_does_not_count_toward_the_lockout() {
    let env = limited(Category::UserAuthentication, 1);
    let wrong = env
        .pools
        .initiate_auth(
            &env.client_id,
            "USER_PASSWORD_AUTH",
            "alice",
            "Wr0ng-Passw0rd!",
        )
        .expect_err("wrong password");
    assert_eq!(wrong.code(), "NotAuthorizedException");
    let before = env.record("alice");
    assert_eq!(
        before.as_ref().map(|u| u.lockout.consecutive_failures),
        Some(1)
    );
    let e = env
        .pools
        .initiate_auth(
            &env.client_id,
            "USER_PASSWORD_AUTH",
            "alice",
            "Wr0ng-Passw0rd!",
        )
        .expect_err("throttled");
    assert_eq!(e.code(), "TooManyRequestsException");
    assert_eq!(
        env.record("alice"),
        before,
        "the lockout count did not move"
    );
}

#[test]
fn buckets_are_per_pool() {
    let env = limited(Category::UserRead, 1);
    let other = env
        .pools
        .create_user_pool(&env.admin, "other", fast_settings())
        .expect("pool");
    env.pools
        .list_users(&env.admin, &env.pool_id, None, None)
        .expect("first");
    assert!(
        env.pools
            .list_users(&env.admin, &env.pool_id, None, None)
            .is_err()
    );
    env.pools
        .list_users(&env.admin, other.id.as_str(), None, None)
        .expect("another pool has its own bucket");
}

type Call = fn(&Env) -> Result<(), userpool_core::Error>;

#[test]
fn every_operation_is_limited_in_its_cognito_category() {
    let table: Vec<(Category, &str, Call)> = vec![
        (Category::UserAccountRecovery, "AdminSetUserPassword", |e| {
            e.pools
                .admin_set_user_password(&e.admin, &e.pool_id, "alice", NEW_PASSWORD, None)
                .map(drop)
        }),
        (Category::UserAccountRecovery, "ChangePassword", |e| {
            e.pools
                .change_password(&e.pool_id, "alice", PASSWORD, NEW_PASSWORD)
        }),
        (
            Category::UserAccountRecovery,
            "AdminResetUserPassword",
            |e| {
                e.pools
                    .admin_reset_user_password(&e.admin, &e.pool_id, "alice")
                    .map(drop)
            },
        ),
        (Category::UserAccountRecovery, "ForgotPassword", |e| {
            e.pools.forgot_password(&e.client_id, "alice").map(drop)
        }),
        (
            Category::UserAccountRecovery,
            "ConfirmForgotPassword",
            |e| {
                e.pools
                    .confirm_forgot_password(&e.client_id, "alice", "000000", NEW_PASSWORD)
            },
        ),
        (Category::UserAuthentication, "InitiateAuth", |e| {
            e.pools
                .initiate_auth(&e.client_id, "USER_PASSWORD_AUTH", "alice", PASSWORD)
                .map(drop)
        }),
        (
            Category::UserAuthentication,
            "RespondToAuthChallenge",
            |e| {
                e.pools
                    .respond_to_new_password_required(
                        &e.client_id,
                        "alice",
                        &"s".repeat(43),
                        NEW_PASSWORD,
                    )
                    .map(drop)
            },
        ),
        (Category::UserCreation, "AdminCreateUser", |e| {
            e.pools
                .admin_create_user(&e.admin, &e.pool_id, "newbie", None, &[], None)
                .map(drop)
        }),
        (Category::UserCreation, "SignUp", |e| {
            e.pools
                .sign_up(&e.client_id, "newbie", PASSWORD, &[])
                .map(drop)
        }),
        (Category::UserCreation, "ConfirmSignUp", |e| {
            e.pools.confirm_sign_up(&e.client_id, "alice", "000000")
        }),
        (Category::UserCreation, "AdminConfirmSignUp", |e| {
            e.pools
                .admin_confirm_sign_up(&e.admin, &e.pool_id, "alice")
                .map(drop)
        }),
        (Category::UserRead, "AdminGetUser", |e| {
            e.pools
                .admin_get_user(&e.admin, &e.pool_id, "alice")
                .map(drop)
        }),
        (Category::UserRead, "ListUsers", |e| {
            e.pools
                .list_users(&e.admin, &e.pool_id, None, None)
                .map(drop)
        }),
        (Category::UserUpdate, "AdminDeleteUser", |e| {
            e.pools.admin_delete_user(&e.admin, &e.pool_id, "alice")
        }),
        (Category::UserUpdate, "AdminDisableUser", |e| {
            e.pools
                .admin_disable_user(&e.admin, &e.pool_id, "alice")
                .map(drop)
        }),
        (Category::UserUpdate, "AdminEnableUser", |e| {
            e.pools
                .admin_enable_user(&e.admin, &e.pool_id, "alice")
                .map(drop)
        }),
        (Category::UserUpdate, "AdminUpdateUserAttributes", |e| {
            e.pools
                .admin_update_user_attributes(&e.admin, &e.pool_id, "alice", &[("name", "A")])
                .map(drop)
        }),
    ];
    for (category, action, call) in table {
        let env = limited(category, 0);
        let before = env.record("alice");
        let e = call(&env).expect_err(action);
        assert_eq!(
            e.code(),
            "TooManyRequestsException",
            "SPEC §7: {action} is {}",
            category.as_str()
        );
        assert_eq!(env.record("alice"), before, "{action} changed nothing");
        assert!(env.record("newbie").is_none(), "{action} created nothing");
        // And with that category open, the call is not throttled.
        let open = limited(
            Category::ALL
                .into_iter()
                .find(|c| *c != category)
                .unwrap_or(category),
            0,
        );
        if let Err(e) = call(&open) {
            assert_ne!(
                e.code(),
                "TooManyRequestsException",
                "{action} throttled in the wrong category"
            );
        }
    }
}
