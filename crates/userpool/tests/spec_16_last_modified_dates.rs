//! SPEC §16: the pool's and an app client's `LastModifiedDate` move when their settings
//! change (UpdateUserPool, SetUserPoolMfaConfig, AddCustomAttributes,
//! UpdateUserPoolClient) and stay when they are only read; `CreationDate` never moves.

#![allow(clippy::unwrap_used)]

mod common;

use chrono::TimeDelta;
use userpool::{ClientUpdate, PoolUpdate};
use userpool_core::mfa::{MfaMode, PoolMfaConfig};
use userpool_core::{AttributeDataType, SchemaAttributeInput};

#[test]
fn spec_16_update_user_pool_client_moves_its_last_modified_date() {
    let env = common::env();
    let created = env
        .pools
        .describe_user_pool_client(&env.admin, &env.pool_id, &env.client_id)
        .unwrap();
    assert_eq!(
        created.modified_at, created.created_at,
        "a new client was last modified when created"
    );
    env.clock.advance(TimeDelta::seconds(90));
    let updated = env
        .pools
        .update_user_pool_client(
            &env.admin,
            &env.pool_id,
            &env.client_id,
            ClientUpdate {
                client_name: Some("renamed".into()),
                explicit_auth_flows: vec!["ALLOW_USER_PASSWORD_AUTH".into()],
                ..ClientUpdate::default()
            },
        )
        .unwrap();
    let described = env
        .pools
        .describe_user_pool_client(&env.admin, &env.pool_id, &env.client_id)
        .unwrap();
    assert_eq!(described, updated, "the update as stored");
    assert_eq!(
        described.modified_at,
        created.created_at + TimeDelta::seconds(90)
    );
    assert_eq!(described.created_at, created.created_at);
    env.clock.advance(TimeDelta::seconds(5));
    let listed = env
        .pools
        .list_user_pool_clients(&env.admin, &env.pool_id, None, None)
        .unwrap();
    assert_eq!(
        listed.clients[0].modified_at, described.modified_at,
        "reading changes nothing"
    );
}

#[test]
fn spec_16_pool_settings_writes_move_its_last_modified_date() {
    let env = common::env();
    let describe = || {
        env.pools
            .describe_user_pool(&env.admin, &env.pool_id)
            .unwrap()
    };
    let created = describe();
    assert_eq!(created.modified_at, created.created_at);
    let mut expected = created.created_at;
    let writes: [(&str, &dyn Fn()); 3] = [
        ("UpdateUserPool", &|| {
            env.pools
                .update_user_pool(&env.admin, &env.pool_id, PoolUpdate::default())
                .unwrap();
        }),
        ("SetUserPoolMfaConfig", &|| {
            env.pools
                .set_user_pool_mfa_config(
                    &env.admin,
                    &env.pool_id,
                    PoolMfaConfig {
                        mode: MfaMode::Optional,
                        software_token: true,
                        ..PoolMfaConfig::default()
                    },
                )
                .unwrap();
        }),
        ("AddCustomAttributes", &|| {
            env.pools
                .add_custom_attributes(
                    &env.admin,
                    &env.pool_id,
                    &[SchemaAttributeInput::custom(
                        "tier",
                        AttributeDataType::String,
                    )],
                )
                .unwrap();
        }),
    ];
    for (operation, write) in writes {
        env.clock.advance(TimeDelta::seconds(60));
        expected += TimeDelta::seconds(60);
        write();
        let pool = describe();
        assert_eq!(pool.modified_at, expected, "{operation}");
        assert_eq!(pool.created_at, created.created_at, "{operation}");
    }
}
