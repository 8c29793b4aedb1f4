//! SPEC §11 (tokens) and §7 (who may call), through the service a host links: a sign-in's
//! tokens, REFRESH_TOKEN_AUTH with the client's SECRET_HASH, GetUser, GlobalSignOut, and
//! revocation by AdminDisableUser and AdminUserGlobalSignOut — decided by the library, so
//! a host embedding it needs no server.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::{Arc, Mutex};

use userpool::inputs::InitiateAuthInput;
use userpool::tokens::Tokens;
use userpool::{AuthResult, Authorizer, Caller, ClientSettings, Store};
use userpool_core::UserPoolId;

/// Records every action asked, allows all but `intruder`.
#[derive(Default)]
struct Recording(Mutex<Vec<String>>);

impl Authorizer for Recording {
    fn authorize(&self, caller: &Caller, action: &str, _pool: &UserPoolId) -> bool {
        self.0.lock().unwrap().push(action.to_owned());
        caller.principal() != "intruder"
    }
}

fn with_tokens(authorizer: Arc<Recording>) -> common::Env {
    common::env_with(common::fast_settings(), false, move |builder| {
        builder.authorizer(authorizer)
    })
}

/// A second service over the environment's store and clock, issuing tokens (the
/// environment's own is built before its store can be shared with `Tokens`).
fn service(env: &common::Env, authorizer: Arc<Recording>) -> userpool::UserPools<dyn Store> {
    let store: Arc<dyn Store> = env.store.clone();
    let tokens = Tokens::new(
        Arc::clone(&store),
        env.clock.clone(),
        "http://localhost".into(),
    );
    userpool::UserPools::builder(store)
        .clock(env.clock.clone())
        .authorizer(authorizer)
        .tokens(tokens)
        .build()
}

fn sign_in(pools: &userpool::UserPools<dyn Store>, client_id: &str) -> userpool::tokens::Issued {
    sign_in_with(pools, client_id, None)
}

/// [`sign_in`] through a client with a secret, with the `SECRET_HASH` it needs.
fn sign_in_with(
    pools: &userpool::UserPools<dyn Store>,
    client_id: &str,
    secret_hash: Option<&str>,
) -> userpool::tokens::Issued {
    let input = InitiateAuthInput::parse(Some(client_id), Some("USER_PASSWORD_AUTH"))
        .unwrap()
        .with_secret_hash(secret_hash);
    let AuthResult::Authenticated(who) = pools
        .initiate_auth_input(&input, "diego", "Correct-Horse-9")
        .unwrap()
    else {
        panic!("expected tokens");
    };
    pools.issue_tokens(&who).unwrap()
}

fn refused<T>(result: Result<T, userpool_core::Error>) -> Option<String> {
    result.err().map(|e| e.to_string())
}

#[test]
fn spec_11_refresh_get_user_and_global_sign_out_through_the_service() {
    let authorizer = Arc::new(Recording::default());
    let env = with_tokens(authorizer.clone());
    env.confirmed("diego", "Correct-Horse-9", &[("email", "d@example.com")]);
    let pools = service(&env, authorizer);
    let issued = sign_in(&pools, &env.client_id);
    let refresh = issued.refresh_token.clone().unwrap();

    assert_eq!(
        pools.get_user(&issued.access_token).unwrap().username,
        "diego"
    );
    let client = pools.refresh_client(&env.client_id).unwrap();
    let again = pools.refresh_tokens(&client, &refresh, None).unwrap();
    assert!(
        again.refresh_token.is_none(),
        "a refresh issues no refresh token"
    );

    pools.global_sign_out(&again.access_token).unwrap();
    assert_eq!(
        refused(pools.get_user(&issued.access_token)),
        Some("Access Token has been revoked".into())
    );
    assert_eq!(
        refused(pools.refresh_tokens(&client, &refresh, None)),
        Some("Refresh Token has been revoked".into())
    );
}

#[test]
fn spec_11_a_client_with_a_secret_needs_secret_hash_to_refresh() {
    let authorizer = Arc::new(Recording::default());
    let env = with_tokens(authorizer.clone());
    env.confirmed("diego", "Correct-Horse-9", &[]);
    let pools = service(&env, authorizer);
    let client = pools
        .create_user_pool_client(
            &env.admin,
            &env.pool_id,
            "confidential",
            ClientSettings {
                explicit_auth_flows: vec!["ALLOW_USER_PASSWORD_AUTH".into()],
                generate_secret: true,
                ..ClientSettings::default()
            },
        )
        .unwrap();
    let id = &client.client_id;
    let secret = client.secret.clone().unwrap();
    let hash = userpool::secret_hash::compute(&secret, "diego", id);
    let issued = sign_in_with(&pools, id, Some(&hash));
    let refresh = issued.refresh_token.unwrap();
    let record = pools.refresh_client(id).unwrap();
    assert_eq!(
        pools
            .refresh_tokens(&record, &refresh, None)
            .err()
            .map(|e| e.to_string()),
        Some(format!(
            "Client {id} is configured for secret but secret was not received"
        ))
    );
    // A hash is for one user: another user's is refused.
    let other = userpool::secret_hash::compute(&secret, "maria", id);
    assert_eq!(
        pools
            .refresh_tokens(&record, &refresh, Some(&other))
            .err()
            .map(|e| e.to_string()),
        Some(format!("Unable to verify secret hash for client {id}"))
    );
    assert!(pools.refresh_tokens(&record, &refresh, Some(&hash)).is_ok());
}

#[test]
fn spec_7_admin_revocations_are_authorised_as_themselves_and_revoke() {
    let authorizer = Arc::new(Recording::default());
    let env = with_tokens(authorizer.clone());
    env.confirmed("diego", "Correct-Horse-9", &[]);
    let pools = service(&env, authorizer.clone());
    let issued = sign_in(&pools, &env.client_id);

    let intruder = Caller::new("intruder");
    assert!(
        pools
            .admin_user_global_sign_out(&intruder, &env.pool_id, "diego")
            .is_err()
    );
    assert!(
        pools.get_user(&issued.access_token).is_ok(),
        "nothing revoked"
    );
    assert!(
        authorizer
            .0
            .lock()
            .unwrap()
            .contains(&"AdminUserGlobalSignOut".to_owned()),
        "asked under its own name"
    );

    pools
        .admin_user_global_sign_out(&env.admin, &env.pool_id, "diego")
        .unwrap();
    assert!(pools.get_user(&issued.access_token).is_err());

    let issued = sign_in(&pools, &env.client_id);
    pools
        .admin_disable_user(&env.admin, &env.pool_id, "diego")
        .unwrap();
    assert_eq!(
        pools
            .get_user(&issued.access_token)
            .err()
            .map(|e| e.to_string()),
        Some("Access Token has been revoked".into()),
        "a disabled user's tokens stop at once"
    );
}

/// Deleting an app client ends what it issued: its access tokens are refused by GetUser
/// and the other operations of the user's own as a revoked token is, its refresh tokens
/// and its sign-ins stop with it; another client's tokens are untouched.
#[test]
fn spec_11_deleting_an_app_client_revokes_its_tokens() {
    let authorizer = Arc::new(Recording::default());
    let env = with_tokens(authorizer.clone());
    env.confirmed("diego", "Correct-Horse-9", &[]);
    let pools = service(&env, authorizer);
    let other = pools
        .create_user_pool_client(
            &env.admin,
            &env.pool_id,
            "other",
            ClientSettings {
                explicit_auth_flows: vec![
                    "ALLOW_USER_PASSWORD_AUTH".into(),
                    "ALLOW_REFRESH_TOKEN_AUTH".into(),
                ],
                ..ClientSettings::default()
            },
        )
        .unwrap();
    let doomed = sign_in(&pools, &env.client_id);
    let kept = sign_in(&pools, &other.client_id);
    let client = pools.refresh_client(&env.client_id).unwrap();
    pools
        .delete_user_pool_client(&env.admin, &env.pool_id, &env.client_id)
        .unwrap();

    let revoked = Some("Access Token has been revoked".to_owned());
    let error = pools.get_user(&doomed.access_token).unwrap_err();
    assert_eq!(error.code(), "NotAuthorizedException");
    assert_eq!(Some(error.to_string()), revoked);
    assert_eq!(
        refused(pools.change_password_with_token(
            &doomed.access_token,
            "Correct-Horse-9",
            "Other-Horse-10"
        )),
        revoked
    );
    assert_eq!(
        refused(pools.global_sign_out(&doomed.access_token)),
        revoked
    );
    assert_eq!(
        refused(pools.refresh_tokens(&client, doomed.refresh_token.as_deref().unwrap(), None)),
        Some("Refresh Token has been revoked".into())
    );
    assert!(pools.refresh_client(&env.client_id).is_err());
    assert!(
        pools
            .initiate_auth(
                &env.client_id,
                "USER_PASSWORD_AUTH",
                "diego",
                "Correct-Horse-9"
            )
            .is_err()
    );
    assert_eq!(
        pools.get_user(&kept.access_token).unwrap().username,
        "diego",
        "another client's tokens are untouched"
    );
}
