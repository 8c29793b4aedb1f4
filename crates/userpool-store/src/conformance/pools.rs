//! Cases on pools and app clients.

use super::*;

/// A pool record round-trips every field through create and get.
pub fn pool_create_then_get_round_trips_every_field(h: &impl Harness) {
    let (store, _guard) = h.make();
    let policy = ok(
        PasswordPolicy::builder()
            .minimum_length(11)
            .require_uppercase(false)
            .require_lowercase(true)
            .require_numbers(false)
            .require_symbols(true)
            .password_history_size(24)
            .temporary_password_validity_days(365)
            .maximum_length(200)
            .reject_user_identity(true)
            .refuse_temporary_as_new(true)
            .minimum_strength(3)
            .build(),
        "policy",
    );
    let full = PoolRecord {
        id: pool_id("Full9"),
        name: "Every field — ünïcödé".into(),
        policy,
        hash_params: ok(HashParams::new(12_345, 3, 2), "params"),
        history_mode: HistoryMode::PerUserSalt,
        alias_attributes: vec![AliasAttribute::Email, AliasAttribute::PreferredUsername],
        username_attributes: vec![AliasAttribute::PhoneNumber],
        case_sensitive: false,
        mfa: userpool_core::mfa::PoolMfaConfig {
            mode: userpool_core::mfa::MfaMode::Optional,
            software_token: true,
            sms: true,
            sms_message: Some("Ünïcödé code: {####}".into()),
        },
        schema: rich_schema(),
        settings: rich_settings(),
        created_at: at(123_456_789),
        modified_at: at(987_654_321),
        version: 0,
    };
    let plain = PoolRecord {
        version: 0,
        ..pool_record("Plain1", true, &[])
    };
    for pool in [&full, &plain] {
        let version = ok(store.create_pool(pool), "create_pool");
        assert_eq!(version, 1, "create_pool issues version 1");
        let back = ok(store.get_pool(&pool.id), "get_pool");
        let expected = PoolRecord {
            version: 1,
            ..pool.clone()
        };
        assert_eq!(back, Some(expected), "pool record round trip");
    }
}

/// `update_pool` is compare-and-swap on the pool's version (SPEC §3: compare-and-swap).
pub fn pool_update_is_compare_and_swap(h: &impl Harness) {
    let f = Fixture::new(h, true, &[]);
    let mut changed = f.pool.clone();
    changed.policy = ok(
        PasswordPolicy::builder().minimum_length(20).build(),
        "policy",
    );
    changed.name = "renamed".into();
    changed.mfa = userpool_core::mfa::PoolMfaConfig {
        mode: userpool_core::mfa::MfaMode::On,
        software_token: true,
        sms: false,
        sms_message: None,
    };
    changed.modified_at = at(5_000_001);
    let v2 = ok(f.store.update_pool(&changed), "update_pool");
    assert_eq!(v2, 2, "update_pool issues version + 1");
    let back = ok(f.store.get_pool(f.id()), "get_pool");
    assert_eq!(
        back,
        Some(PoolRecord {
            version: 2,
            ..changed.clone()
        })
    );
    // A writer still holding version 1 loses and changes nothing.
    let mut stale = f.pool.clone();
    stale.name = "stale".into();
    assert!(
        matches!(
            f.store.update_pool(&stale),
            Err(StoreError::Conflict { .. })
        ),
        "a stale pool update must fail with Conflict"
    );
    let back = ok(f.store.get_pool(f.id()), "get_pool");
    assert_eq!(back.map(|p| p.name), Some("renamed".to_owned()));
    let missing = pool_record("Nope1", true, &[]);
    assert!(matches!(
        f.store.update_pool(&missing),
        Err(StoreError::PoolNotFound(_))
    ));
}

/// Deleting a pool removes it, its users and its clients.
pub fn pool_delete_removes_its_users_and_clients(h: &impl Harness) {
    let mut f = Fixture::new(h, true, &[]);
    f.add("alice", &[]);
    ok(
        f.store.create_client(&client(f.id(), "client1")),
        "create_client",
    );
    ok(f.store.delete_pool(f.id()), "delete_pool");
    assert_eq!(ok(f.store.get_pool(f.id()), "get_pool"), None);
    assert_eq!(
        ok(f.store.get_client(f.id(), "client1"), "get_client"),
        None
    );
    assert_eq!(ok(f.store.find_client("client1"), "find_client"), None);
    assert!(matches!(
        f.store.delete_pool(f.id()),
        Err(StoreError::PoolNotFound(_))
    ));
    // A pool re-created with the same id starts empty.
    ok(f.store.create_pool(&f.pool), "re-create");
    assert_eq!(f.by_name("alice"), None, "users of a deleted pool are gone");
}

/// `list_pools` returns every pool, ordered by id.
pub fn pool_list_is_ordered_by_id(h: &impl Harness) {
    let (store, _guard) = h.make();
    for id in ["Ccc1", "Aaa1", "Bbb1"] {
        ok(
            store.create_pool(&pool_record(id, true, &[])),
            "create_pool",
        );
    }
    let ids: Vec<String> = ok(store.list_pools(), "list_pools")
        .into_iter()
        .map(|p| p.id.as_str().to_owned())
        .collect();
    assert_eq!(ids, ["eu-west-1_Aaa1", "eu-west-1_Bbb1", "eu-west-1_Ccc1"]);
}

/// A second pool with an existing id is refused and the first is untouched.
pub fn duplicate_pool_is_refused(h: &impl Harness) {
    let f = Fixture::new(h, true, &[]);
    let mut again = f.pool.clone();
    again.name = "impostor".into();
    assert_eq!(f.store.create_pool(&again), Err(StoreError::PoolExists));
    let back = ok(f.store.get_pool(f.id()), "get_pool");
    assert_eq!(back.map(|p| p.name), Some(f.pool.name.clone()));
}

/// Every user operation on a missing pool fails with `PoolNotFound` (SPEC §8).
pub fn missing_pool_is_reported(h: &impl Harness) {
    let mut f = Fixture::new(h, true, &[]);
    let user = f.user("alice", &[]);
    let missing = pool_id("Missing1");
    let not_found = |r: Result<(), StoreError>, op: &str| {
        assert!(
            matches!(r, Err(StoreError::PoolNotFound(_))),
            "SPEC §8: {op} on a missing pool must fail with PoolNotFound, got {r:?}"
        );
    };
    not_found(
        f.store.insert_user(&missing, &user).map(drop),
        "insert_user",
    );
    not_found(
        f.store.update_user(&missing, &user).map(drop),
        "update_user",
    );
    not_found(
        f.store.delete_user(&missing, &user.username, 1),
        "delete_user",
    );
    not_found(
        f.store
            .find_user(&missing, UserKey::Username("alice"))
            .map(drop),
        "find_user",
    );
    not_found(
        f.store.list_users(&missing, None, 10).map(drop),
        "list_users",
    );
    not_found(f.store.delete_pool(&missing), "delete_pool");
    not_found(
        f.store.create_client(&client(&missing, "client9")),
        "create_client",
    );
    assert_eq!(ok(f.store.get_pool(&missing), "get_pool"), None);
}

/// App clients round-trip and are found by id alone; a duplicate id is refused.
pub fn client_create_then_get(h: &impl Harness) {
    let f = Fixture::new(h, true, &[]);
    let first = client(f.id(), "client1");
    let second = ClientRecord {
        secret: None,
        explicit_auth_flows: Vec::new(),
        prevent_user_existence_errors: false,
        oauth: crate::oauth::ClientOAuth::default(),
        ..client(f.id(), "client2")
    };
    for c in [&first, &second] {
        ok(f.store.create_client(c), "create_client");
        assert_eq!(
            ok(f.store.get_client(f.id(), &c.client_id), "get_client").as_ref(),
            Some(c)
        );
        assert_eq!(
            ok(f.store.find_client(&c.client_id), "find_client").as_ref(),
            Some(c)
        );
    }
    assert_eq!(f.store.create_client(&first), Err(StoreError::ClientExists));
    assert_eq!(ok(f.store.get_client(f.id(), "nope"), "get_client"), None);
}

/// `find_client_pool` answers what `find_client` and then `get_pool` answer: each client
/// with its own pool as last written, nothing for an unknown id, and nothing once the pool
/// (and so the client) is deleted.
pub fn find_client_pool_agrees_with_find_client_and_get_pool(h: &impl Harness) {
    let f = Fixture::new(h, true, &[]);
    let mut other = pool_record("Kit2", false, &[AliasAttribute::Email]);
    other.version = ok(f.store.create_pool(&other), "create_pool");
    let clients = [
        client(f.id(), "client1"),
        ClientRecord {
            secret: None,
            explicit_auth_flows: Vec::new(),
            oauth: crate::oauth::ClientOAuth::default(),
            ..client(f.id(), "client2")
        },
        client(&other.id, "client3"),
    ];
    for c in &clients {
        ok(f.store.create_client(c), "create_client");
    }
    let separate = |client_id: &str| {
        ok(f.store.find_client(client_id), "find_client").map(|c| {
            let pool = ok(f.store.get_pool(&c.pool_id), "get_pool");
            (c, pool.expect("a client's pool exists"))
        })
    };
    let together = |client_id: &str| ok(f.store.find_client_pool(client_id), "find_client_pool");
    for c in &clients {
        let (client, pool) = together(&c.client_id).expect("the client and its pool");
        assert_eq!(&client, c, "find_client_pool: the client as created");
        assert_eq!(
            pool.id, c.pool_id,
            "find_client_pool: the client's own pool"
        );
        assert_eq!(Some((client, pool)), separate(&c.client_id));
    }
    // The pool as last written, not as it was when the client was created.
    let mut renamed = other.clone();
    renamed.name = "renamed".into();
    renamed.modified_at = at(5_000_001);
    let version = ok(f.store.update_pool(&renamed), "update_pool");
    let (_, pool) = together("client3").expect("client3 and its pool");
    assert_eq!(pool, PoolRecord { version, ..renamed });
    assert_eq!(together("client3"), separate("client3"));

    assert_eq!(together("nope"), None, "an unknown client");
    assert_eq!(together(""), None, "an empty client id");

    ok(f.store.delete_pool(&other.id), "delete_pool");
    assert_eq!(together("client3"), None, "the deleted pool's client");
    assert_eq!(separate("client3"), None);
    assert_eq!(
        together("client1"),
        separate("client1"),
        "the other pool's client is untouched"
    );
}

/// A schema with a custom attribute of every type, constraints, an immutable and a
/// developer-only attribute, and an overridden standard attribute.
fn rich_schema() -> userpool_core::Schema {
    use userpool_core::schema::{NumberConstraintsInput, StringConstraintsInput};
    use userpool_core::{AttributeDataType, SchemaAttributeInput};
    ok(
        userpool_core::Schema::for_new_pool(&[
            SchemaAttributeInput {
                name: "email".into(),
                required: Some(true),
                mutable: Some(false),
                ..SchemaAttributeInput::default()
            },
            SchemaAttributeInput {
                string_constraints: Some(StringConstraintsInput {
                    min_length: Some("1".into()),
                    max_length: None,
                }),
                ..SchemaAttributeInput::custom("tier", AttributeDataType::String)
            },
            SchemaAttributeInput {
                mutable: Some(false),
                number_constraints: Some(NumberConstraintsInput {
                    min_value: None,
                    max_value: Some("99".into()),
                }),
                ..SchemaAttributeInput::custom("level", AttributeDataType::Number)
            },
            SchemaAttributeInput {
                developer_only: Some(true),
                ..SchemaAttributeInput::custom("legacy_ünï", AttributeDataType::DateTime)
            },
            SchemaAttributeInput::custom("admin", AttributeDataType::Boolean),
        ]),
        "schema",
    )
}

/// Every §16 setting set to something other than its default.
fn rich_settings() -> userpool_core::PoolSettings {
    use userpool_core::VerifiableAttribute::{Email, PhoneNumber};
    use userpool_core::settings::{
        AccountRecoverySetting, AdminCreateUserConfig, DefaultEmailOption, EmailConfiguration,
        InviteMessageTemplate, LambdaConfig, RecoveryOption, SmsConfiguration,
        VerificationMessages,
    };
    userpool_core::PoolSettings {
        auto_verified_attributes: vec![PhoneNumber, Email],
        account_recovery: Some(ok(
            AccountRecoverySetting::new(vec![
                (RecoveryOption::VerifiedPhoneNumber, 1),
                (RecoveryOption::VerifiedEmail, 2),
            ]),
            "recovery",
        )),
        verification_messages: VerificationMessages {
            sms_message: Some("Code: {####}".into()),
            email_message: Some("Ihr Code — {####}".into()),
            email_subject: Some("Subject".into()),
            email_message_by_link: Some("Click {##here##}".into()),
            email_subject_by_link: Some("Link".into()),
            default_email_option: Some(DefaultEmailOption::ConfirmWithLink),
            sms_authentication_message: Some("Auth {####}".into()),
        },
        admin_create_user: AdminCreateUserConfig {
            allow_admin_create_user_only: true,
            unused_account_validity_days: Some(30),
            invite_message_template: Some(InviteMessageTemplate {
                sms_message: Some("{username} {####}".into()),
                email_message: Some("Hi {username}, {####}".into()),
                email_subject: Some("Welcome".into()),
            }),
        },
        email_configuration: Some(EmailConfiguration {
            source_arn: Some("arn:aws:ses:us-east-1:123456789012:identity/a@example.com".into()),
            reply_to_email_address: Some("help@example.com".into()),
            email_sending_account: Some("DEVELOPER".into()),
            from: Some("Team <a@example.com>".into()),
            configuration_set: Some("set".into()),
        }),
        sms_configuration: Some(SmsConfiguration {
            sns_caller_arn: "arn:aws:iam::123456789012:role/sns".into(),
            external_id: Some("ext".into()),
            sns_region: Some("us-east-1".into()),
        }),
        lambda_config: LambdaConfig {
            triggers: [
                (
                    "PreSignUp".to_owned(),
                    "arn:aws:lambda:us-east-1:1:function:a".to_owned(),
                ),
                (
                    "UserMigration".to_owned(),
                    "arn:aws:lambda:us-east-1:1:function:b".to_owned(),
                ),
            ]
            .into(),
            versioned: [(
                "CustomEmailSender".to_owned(),
                (
                    "V1_0".to_owned(),
                    "arn:aws:lambda:us-east-1:1:function:c".to_owned(),
                ),
            )]
            .into(),
        },
        deletion_protection: true,
        attributes_require_verification_before_update: vec![Email],
        tags: [("team".to_owned(), "auth ✓".to_owned())].into(),
    }
}

/// SPEC §16: a pool's schema and settings round-trip whole, and `update_pool` replaces
/// them (AddCustomAttributes and UpdateUserPool write them that way).
pub fn pool_schema_and_settings_round_trip_and_update(h: &impl Harness) {
    let f = Fixture::new(h, true, &[]);
    assert_eq!(f.pool.schema, userpool_core::Schema::standard());
    let mut changed = f.pool.clone();
    changed.schema = rich_schema();
    changed.settings = rich_settings();
    let v2 = ok(f.store.update_pool(&changed), "update_pool");
    let back = ok(f.store.get_pool(f.id()), "get_pool");
    assert_eq!(
        back,
        Some(PoolRecord {
            version: v2,
            ..changed.clone()
        }),
        "schema and settings written by update_pool read back whole"
    );
    let mut cleared = changed.clone();
    cleared.version = v2;
    cleared.settings = userpool_core::PoolSettings::default();
    let v3 = ok(f.store.update_pool(&cleared), "update_pool");
    let back = ok(f.store.get_pool(f.id()), "get_pool").map(|p| p.settings);
    assert_eq!(back, Some(userpool_core::PoolSettings::default()), "v{v3}");
}

/// App clients list in client-id order, page by page; `update_client` replaces the
/// settings but never the id, pool, secret or creation time; `delete_client` removes it
/// (and its id can no longer be found); both report a missing client as `NotFound`.
pub fn client_list_update_delete(h: &impl Harness) {
    let f = Fixture::new(h, true, &[]);
    for id in ["c3", "c1", "c2"] {
        ok(f.store.create_client(&client(f.id(), id)), "create_client");
    }
    let ids = |list: Vec<ClientRecord>| list.into_iter().map(|c| c.client_id).collect::<Vec<_>>();
    assert_eq!(
        ids(ok(f.store.list_clients(f.id(), None, 10), "list")),
        ["c1", "c2", "c3"]
    );
    assert_eq!(
        ids(ok(f.store.list_clients(f.id(), None, 2), "list")),
        ["c1", "c2"]
    );
    assert_eq!(
        ids(ok(f.store.list_clients(f.id(), Some("c2"), 2), "list")),
        ["c3"]
    );
    let listed = ok(f.store.list_clients(f.id(), Some("c1"), 1), "list");
    assert_eq!(
        listed,
        [client(f.id(), "c2")],
        "listed clients carry every field"
    );

    let update = ClientRecord {
        name: "renamed ✓".into(),
        secret: Some("not-the-secret".into()),
        explicit_auth_flows: vec!["ALLOW_REFRESH_TOKEN_AUTH".into()],
        prevent_user_existence_errors: false,
        created_at: at(1),
        modified_at: at(999_999),
        // The OAuth settings are replaced whole (SPEC §21).
        oauth: crate::oauth::ClientOAuth {
            allowed_flows: vec!["code".into()],
            allowed_scopes: vec!["openid".into()],
            callback_urls: vec!["https://renamed.example/cb".into()],
            ..crate::oauth::ClientOAuth::default()
        },
        ..client(f.id(), "c2")
    };
    ok(f.store.update_client(&update), "update_client");
    let back = ok(f.store.get_client(f.id(), "c2"), "get_client");
    assert_eq!(
        back,
        Some(ClientRecord {
            secret: client(f.id(), "c2").secret,
            created_at: client(f.id(), "c2").created_at,
            ..update.clone()
        })
    );
    let ghost = ClientRecord {
        client_id: "ghost".into(),
        ..update
    };
    assert_eq!(f.store.update_client(&ghost), Err(StoreError::NotFound));

    ok(f.store.delete_client(f.id(), "c2"), "delete_client");
    assert_eq!(ok(f.store.get_client(f.id(), "c2"), "get_client"), None);
    assert_eq!(ok(f.store.find_client("c2"), "find_client"), None);
    assert_eq!(
        f.store.delete_client(f.id(), "c2"),
        Err(StoreError::NotFound)
    );
    assert_eq!(
        ids(ok(f.store.list_clients(f.id(), None, 10), "list")),
        ["c1", "c3"]
    );
    let missing = pool_id("Missing7");
    assert!(matches!(
        f.store.list_clients(&missing, None, 10),
        Err(StoreError::PoolNotFound(_))
    ));
    assert!(matches!(
        f.store.delete_client(&missing, "c1"),
        Err(StoreError::PoolNotFound(_))
    ));
}

/// `count_users` counts the pool's users and no other pool's (SPEC §16's
/// `EstimatedNumberOfUsers`).
pub fn count_users_counts_the_pools_users(h: &impl Harness) {
    let mut f = Fixture::new(h, true, &[]);
    assert_eq!(ok(f.store.count_users(f.id()), "count_users"), 0);
    let other = pool_record("Other5", true, &[]);
    ok(f.store.create_pool(&other), "create_pool");
    for name in ["ann", "bob", "cy"] {
        let user = f.user(name, &[]);
        f.insert(&user);
    }
    let dee = f.user("dee", &[]);
    ok(
        f.store.insert_user(&other.id, &dee),
        "insert_user into the other pool",
    );
    assert_eq!(ok(f.store.count_users(f.id()), "count_users"), 3);
    assert_eq!(ok(f.store.count_users(&other.id), "count_users"), 1);
    assert!(matches!(
        f.store.count_users(&pool_id("Missing7")),
        Err(StoreError::PoolNotFound(_))
    ));
}
