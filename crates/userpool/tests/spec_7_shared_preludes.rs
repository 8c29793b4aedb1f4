//! SPEC §7 for the operations that reach the authoriser and the rate limit through a
//! shared prelude: the OAuth records of SPEC §21 (domains, resource servers, identity
//! providers: reads count as `UserRead`, writes as `UserUpdate`) and the
//! AdminRespondToAuthChallenge doors of SPEC §15 and §18 (PASSWORD_VERIFIER and the MFA
//! answers: `UserAuthentication`). Each asks the host's authoriser for its own Cognito
//! action, on its pool, and takes its request from its own category.

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use userpool::{
    Authorizer, Caller, Category, IdentityProviderSettings, MemoryStore, MfaAnswer, RateLimiter,
    RateLimits, UserPools,
};
use userpool_core::UserPoolId;

use common::{Env, env_with, fast_settings};

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

/// An operation called by `caller` on the pool `pool_id` with its client `client_id`.
type Call = fn(&UserPools<MemoryStore>, &Caller, &str, &str) -> Result<(), userpool_core::Error>;

/// A session long enough to pass the member's own check (20..=2048 characters).
const SESSION: &str = "a-session-of-twenty-or-more-characters";

fn provider_settings() -> IdentityProviderSettings {
    IdentityProviderSettings {
        provider_details: Some(BTreeMap::from(
            [
                ("client_id", "rp"),
                ("client_secret", "rp-secret"),
                ("authorize_scopes", "openid email"),
                ("attributes_request_method", "GET"),
                ("oidc_issuer", "https://idp.example.com"),
            ]
            .map(|(k, v)| (k.to_owned(), v.to_owned())),
        )),
        attribute_mapping: None,
        idp_identifiers: Some(vec!["corp".to_owned()]),
    }
}

/// Every operation of a shared prelude: its Cognito action, its rate category, a call.
fn operations() -> Vec<(&'static str, Category, Call)> {
    use Category::{UserAuthentication, UserRead, UserUpdate};
    vec![
        ("CreateUserPoolDomain", UserUpdate, |s, c, p, _| {
            s.create_user_pool_domain(c, p, "acme-login", None, None)
                .map(drop)
        }),
        ("UpdateUserPoolDomain", UserUpdate, |s, c, p, _| {
            s.update_user_pool_domain(c, p, "acme-login", None, Some(2))
                .map(drop)
        }),
        ("DeleteUserPoolDomain", UserUpdate, |s, c, p, _| {
            s.delete_user_pool_domain(c, p, "acme-login")
        }),
        ("CreateResourceServer", UserUpdate, |s, c, p, _| {
            s.create_resource_server(c, p, "orders", "Orders", &[])
                .map(drop)
        }),
        ("DescribeResourceServer", UserRead, |s, c, p, _| {
            s.describe_resource_server(c, p, "orders").map(drop)
        }),
        ("ListResourceServers", UserRead, |s, c, p, _| {
            s.list_resource_servers(c, p, None, None).map(drop)
        }),
        ("UpdateResourceServer", UserUpdate, |s, c, p, _| {
            s.update_resource_server(c, p, "orders", "Orders", &[])
                .map(drop)
        }),
        ("DeleteResourceServer", UserUpdate, |s, c, p, _| {
            s.delete_resource_server(c, p, "orders")
        }),
        ("CreateIdentityProvider", UserUpdate, |s, c, p, _| {
            s.create_identity_provider(c, p, "Corp", "OIDC", provider_settings())
                .map(drop)
        }),
        ("DescribeIdentityProvider", UserRead, |s, c, p, _| {
            s.describe_identity_provider(c, p, "Corp").map(drop)
        }),
        ("GetIdentityProviderByIdentifier", UserRead, |s, c, p, _| {
            s.get_identity_provider_by_identifier(c, p, "corp")
                .map(drop)
        }),
        ("ListIdentityProviders", UserRead, |s, c, p, _| {
            s.list_identity_providers(c, p, None, None).map(drop)
        }),
        ("UpdateIdentityProvider", UserUpdate, |s, c, p, _| {
            s.update_identity_provider(c, p, "Corp", IdentityProviderSettings::default())
                .map(drop)
        }),
        ("DeleteIdentityProvider", UserUpdate, |s, c, p, _| {
            s.delete_identity_provider(c, p, "Corp")
        }),
        (
            "AdminRespondToAuthChallenge",
            UserAuthentication,
            |s, c, p, client| {
                let answer = MfaAnswer::SoftwareToken { code: "123456" };
                s.admin_respond_to_mfa_challenge(c, p, client, "alice", SESSION, answer)
                    .map(drop)
            },
        ),
        (
            "AdminRespondToAuthChallenge",
            UserAuthentication,
            |s, c, p, client| {
                s.admin_respond_to_password_verifier(
                    c,
                    p,
                    client,
                    "alice",
                    "c2VjcmV0LWJsb2Nr",
                    "c2lnbmF0dXJl",
                    "Mon Jan 5 00:00:00 UTC 2026",
                )
                .map(drop)
            },
        ),
    ]
}

#[test]
fn spec_7_each_shared_prelude_asks_the_authoriser_for_its_own_action() {
    let authorizer = Arc::new(DenyIntruder::default());
    let env = env_with(fast_settings(), false, |b| b.authorizer(authorizer.clone()));
    let intruder = Caller::new("intruder");
    for (action, _, call) in operations() {
        let e = call(&env.pools, &intruder, &env.pool_id, &env.client_id).expect_err(action);
        assert_eq!(e.code(), "NotAuthorizedException", "{action}: {e}");
        assert_eq!(
            e.to_string(),
            format!(
                "User is not authorized to perform: cognito-idp:{action} on resource: userpool/{}",
                env.pool_id
            ),
        );
        let asked = authorizer.0.lock().expect("lock").last().cloned();
        assert_eq!(
            asked,
            Some(("intruder".into(), action.into(), env.pool_id.clone())),
            "{action}: the authoriser is asked with the action and the pool"
        );
    }
}

/// A service over `env`'s store and clock whose `category` allows no request at all.
fn closed(env: &Env, category: Category) -> UserPools<MemoryStore> {
    UserPools::builder(Arc::clone(&env.store))
        .clock(env.clock.clone())
        .delivery(env.delivery.clone())
        .rate_limiter(RateLimiter::new(
            RateLimits::default().with_rate(category, 0),
        ))
        .build()
}

#[test]
fn spec_7_each_shared_prelude_takes_its_request_from_its_own_category() {
    let env = env_with(fast_settings(), false, |b| b);
    for (action, category, call) in operations() {
        let e = call(
            &closed(&env, category),
            &env.admin,
            &env.pool_id,
            &env.client_id,
        )
        .expect_err(action);
        assert_eq!(
            e.code(),
            "TooManyRequestsException",
            "{action} is {}",
            category.as_str()
        );
        for other in Category::ALL.into_iter().filter(|c| *c != category) {
            if let Err(e) = call(
                &closed(&env, other),
                &env.admin,
                &env.pool_id,
                &env.client_id,
            ) {
                assert_ne!(
                    e.code(),
                    "TooManyRequestsException",
                    "{action} throttled as {}",
                    other.as_str()
                );
            }
        }
    }
}
