//! Host-level options applied when a pool's rules are built (SPEC §2 blocklist, §9
//! ceiling and pepper), and pool settings through the service.

mod common;

use userpool::{HostOptions, PoolSettings, PoolUpdate, Store, UserKey};
use userpool_core::{Blocklist, HashParams, HistoryMode, PasswordPolicy};

use common::{env_with, fast_settings, verifies};

#[test]
fn host_blocklist_applies_to_every_pool_and_is_not_persisted() {
    let host = HostOptions::default().with_blocklist(Blocklist::new(["Password123!"]));
    let env = env_with(fast_settings(), false, |b| b.host_options(host));
    env.confirmed("alice", "Str0ng-Passw0rd!", &[]);
    let e = env
        .pools
        .admin_set_user_password(
            &env.admin,
            &env.pool_id,
            "alice",
            "pASSWORD123!",
            Some(true),
        )
        .expect_err("blocklisted, case-insensitively");
    assert_eq!(e.code(), "InvalidPasswordException");
    assert_eq!(
        e.to_string(),
        "Password does not conform to policy: Password is too common"
    );
    let pool = env
        .pools
        .describe_user_pool(&env.admin, &env.pool_id)
        .expect("pool");
    assert_eq!(
        pool.policy.blocklist(),
        None,
        "the blocklist stays with the host"
    );
}

#[test]
fn pepper_is_mixed_into_every_hash() {
    let host = HostOptions::default()
        .with_pepper(b"kept-in-an-hsm")
        .expect("pepper");
    let env = env_with(fast_settings(), false, |b| b.host_options(host));
    env.confirmed("alice", "Str0ng-Passw0rd!", &[]);
    let hash = env
        .record("alice")
        .and_then(|u| u.credential)
        .expect("credential")
        .hash;
    assert!(
        !verifies("Str0ng-Passw0rd!", &hash),
        "without the pepper it does not verify"
    );
    assert!(
        env.pools
            .initiate_auth(
                &env.client_id,
                "USER_PASSWORD_AUTH",
                "alice",
                "Str0ng-Passw0rd!"
            )
            .is_ok()
    );
}

#[test]
fn pool_hash_parameters_above_the_host_ceiling_are_refused() {
    let host = HostOptions::default().with_ceiling(HashParams::new(4096, 2, 1).expect("params"));
    let env = env_with(fast_settings(), false, |b| b.host_options(host));
    let settings = PoolSettings {
        hash_params: HashParams::new(8192, 1, 1).expect("params"),
        ..PoolSettings::default()
    };
    let e = env
        .pools
        .create_user_pool(&env.admin, "heavy", settings)
        .expect_err("over ceiling");
    assert_eq!(e.code(), "InvalidParameterException");
    let update = PoolUpdate {
        hash_params: Some(HashParams::new(8192, 1, 1).expect("params")),
        ..PoolUpdate::default()
    };
    let e = env
        .pools
        .update_user_pool(&env.admin, &env.pool_id, update)
        .expect_err("over ceiling");
    assert_eq!(e.code(), "InvalidParameterException");
}

#[test]
fn update_user_pool_changes_policy_and_hashing_and_sign_in_upgrades_the_hash() {
    let env = env_with(fast_settings(), false, |b| b);
    env.confirmed("alice", "Str0ng-Passw0rd!", &[]);
    let stronger = HashParams::new(16, 1, 1).expect("params");
    let update = PoolUpdate {
        policy: Some(
            PasswordPolicy::builder()
                .minimum_length(20)
                .build()
                .expect("policy"),
        ),
        hash_params: Some(stronger),
        history_mode: Some(HistoryMode::PerUserSalt),
        settings: None,
        mfa_mode: None,
    };
    let pool = env
        .pools
        .update_user_pool(&env.admin, &env.pool_id, update)
        .expect("update");
    assert_eq!((pool.version, pool.hash_params), (2, stronger));
    let e = env
        .pools
        .admin_set_user_password(
            &env.admin,
            &env.pool_id,
            "alice",
            "Short-Passw0rd!",
            Some(true),
        )
        .expect_err("new minimum length");
    assert_eq!(
        e.to_string(),
        "Password does not conform to policy: Password not long enough"
    );
    // SPEC §6: a successful sign-in re-hashes with the pool's current parameters.
    env.pools
        .initiate_auth(
            &env.client_id,
            "USER_PASSWORD_AUTH",
            "alice",
            "Str0ng-Passw0rd!",
        )
        .expect("sign in");
    let id = userpool_core::UserPoolId::parse(&env.pool_id).expect("id");
    let user = env
        .store
        .find_user(&id, UserKey::Username("alice"))
        .expect("store")
        .expect("user");
    assert_eq!(
        user.credential.expect("credential").hash.params(),
        Some(stronger)
    );
}

#[test]
fn generated_pool_ids_carry_the_host_region() {
    let host = HostOptions::default()
        .with_region("eu-central-1")
        .expect("region");
    let env = env_with(fast_settings(), false, |b| b.host_options(host));
    assert!(env.pool_id.starts_with("eu-central-1_"), "{}", env.pool_id);
    assert_eq!(env.pool_id.len(), "eu-central-1_".len() + 9);
    assert!(HostOptions::default().with_region("no spaces").is_err());
}

#[test]
fn alias_and_username_attributes_cannot_both_be_set() {
    let env = env_with(fast_settings(), false, |b| b);
    let settings = PoolSettings {
        alias_attributes: vec![userpool_core::AliasAttribute::Email],
        username_attributes: vec![userpool_core::AliasAttribute::PhoneNumber],
        ..fast_settings()
    };
    let e = env
        .pools
        .create_user_pool(&env.admin, "both", settings)
        .expect_err("both");
    assert_eq!(e.code(), "InvalidParameterException");
    let page = env
        .pools
        .list_user_pools(&env.admin, 60, None)
        .expect("list");
    assert_eq!(page.pools.len(), 1, "nothing was created");
}
