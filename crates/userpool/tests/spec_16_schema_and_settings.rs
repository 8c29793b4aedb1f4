//! SPEC §16 through the service: the schema on every attribute write, AddCustomAttributes,
//! the settings that change behaviour, and the user and client operations of the section.

mod common;

use common::{Env, env_with, fast_settings, import_failures};
use userpool::{ClientSettings, ClientUpdate, PoolSettings};
use userpool_core::settings::{AccountRecoverySetting, AdminCreateUserConfig, RecoveryOption};
use userpool_core::{AttributeDataType, SchemaAttributeInput, VerifiableAttribute};

const PASSWORD: &str = "Perm-Passw0rd!";

fn with(settings: userpool_core::PoolSettings, schema: Vec<SchemaAttributeInput>) -> Env {
    env_with(
        PoolSettings {
            settings,
            schema,
            ..fast_settings()
        },
        false,
        |b| b,
    )
}

/// A pool that auto-verifies email and holds a change of it until the new address is
/// verified (`AttributesRequireVerificationBeforeUpdate`).
fn email_change_held_env() -> Env {
    with(
        userpool_core::PoolSettings {
            auto_verified_attributes: vec![VerifiableAttribute::Email],
            attributes_require_verification_before_update: vec![VerifiableAttribute::Email],
            ..userpool_core::PoolSettings::default()
        },
        Vec::new(),
    )
}

fn schema_env() -> Env {
    with(
        fast_settings().settings,
        vec![
            SchemaAttributeInput {
                name: "email".into(),
                required: Some(true),
                ..SchemaAttributeInput::default()
            },
            SchemaAttributeInput {
                mutable: Some(false),
                ..SchemaAttributeInput::custom("level", AttributeDataType::Number)
            },
            SchemaAttributeInput {
                developer_only: Some(true),
                ..SchemaAttributeInput::custom("legacy", AttributeDataType::String)
            },
        ],
    )
}

fn err_of<T: std::fmt::Debug>(r: userpool_core::Result<T>) -> (String, String) {
    let e = r.expect_err("expected a refusal");
    (e.code().to_owned(), e.to_string())
}

#[test]
fn create_user_pool_stores_the_schema_and_refuses_a_bad_one() {
    let env = schema_env();
    let pool = env
        .pools
        .describe_user_pool(&env.admin, &env.pool_id)
        .expect("describe");
    assert!(pool.schema.get("email").expect("email").required);
    assert!(pool.schema.get("custom:level").is_some());
    assert!(pool.schema.get("dev:custom:legacy").is_some());
    let bad = PoolSettings {
        schema: vec![SchemaAttributeInput {
            required: Some(true),
            ..SchemaAttributeInput::custom("x", AttributeDataType::String)
        }],
        ..fast_settings()
    };
    let before = env.store.list_pools().expect("list").len();
    assert_eq!(
        err_of(env.pools.create_user_pool(&env.admin, "bad", bad)).1,
        "Required custom attributes are not supported currently."
    );
    assert_eq!(env.store.list_pools().expect("list").len(), before);
}

use userpool::Store;

#[test]
fn admin_create_user_and_sign_up_validate_against_the_schema_and_write_nothing_when_refused() {
    let env = schema_env();
    let cases: &[(&[(&str, &str)], &str)] = &[
        (
            &[("email", "a@example.com"), ("phone_number", "555555555")],
            "Invalid phone number format.",
        ),
        (&[("email", "test@m***")], "Invalid email address format."),
        (
            &[("email", "a@example.com"), ("thing", "x")],
            "Attributes did not conform to the schema: thing: Attribute does not exist in the schema.\n",
        ),
        (
            &[("name", "Ada")],
            "Attributes did not conform to the schema: email: The attribute is required\n",
        ),
    ];
    for (attributes, message) in cases {
        let created =
            env.pools
                .admin_create_user(&env.admin, &env.pool_id, "ada", None, attributes, None);
        assert_eq!(
            err_of(created),
            ("InvalidParameterException".into(), (*message).into())
        );
        let signed_up = env
            .pools
            .sign_up(&env.client_id, "ada", PASSWORD, attributes);
        assert_eq!(
            err_of(signed_up),
            ("InvalidParameterException".into(), (*message).into())
        );
        assert!(env.record("ada").is_none(), "{message}");
    }
    // A user may not write a developer-only attribute; an administrator may.
    let dev = [("email", "a@example.com"), ("dev:custom:legacy", "L1")];
    assert_eq!(
        err_of(env.pools.sign_up(&env.client_id, "ada", PASSWORD, &dev)).0,
        "NotAuthorizedException"
    );
    env.pools
        .admin_create_user(&env.admin, &env.pool_id, "ada", None, &dev, None)
        .expect("administrator");
    assert_eq!(
        env.record("ada")
            .expect("ada")
            .attributes
            .get("dev:custom:legacy")
            .map(String::as_str),
        Some("L1")
    );
}

#[test]
fn sign_up_delivers_a_code_only_to_an_auto_verified_attribute() {
    let attributes = [("email", "quiet@example.com")];
    let quiet = with(userpool_core::PoolSettings::default(), Vec::new());
    let result = quiet
        .pools
        .sign_up(&quiet.client_id, "quiet", PASSWORD, &attributes)
        .expect("sign up");
    assert_eq!(result.code_delivery, None);
    assert!(
        quiet.delivery.last_code("quiet").is_none(),
        "nothing delivered"
    );

    let loud = with(
        userpool_core::PoolSettings {
            auto_verified_attributes: vec![VerifiableAttribute::Email],
            ..userpool_core::PoolSettings::default()
        },
        Vec::new(),
    );
    let result = loud
        .pools
        .sign_up(&loud.client_id, "loud", PASSWORD, &attributes)
        .expect("sign up");
    assert_eq!(
        result.code_delivery.map(|d| d.attribute_name),
        Some("email")
    );
    let code = loud
        .delivery
        .last_code("loud")
        .expect("a code was delivered");
    loud.pools
        .confirm_sign_up(&loud.client_id, "loud", code.expose())
        .expect("confirmed with the delivered code");
}

#[test]
fn allow_admin_create_user_only_refuses_sign_up() {
    let env = with(
        userpool_core::PoolSettings {
            admin_create_user: AdminCreateUserConfig {
                allow_admin_create_user_only: true,
                ..AdminCreateUserConfig::default()
            },
            ..fast_settings().settings
        },
        Vec::new(),
    );
    assert_eq!(
        err_of(env.pools.sign_up(&env.client_id, "nope", PASSWORD, &[])),
        (
            "NotAuthorizedException".into(),
            "SignUp is not permitted for this user pool".into()
        )
    );
    assert!(env.record("nope").is_none());
}

#[test]
fn account_recovery_decides_where_forgot_password_goes_and_admin_only_refuses_it() {
    let recovery = |mechanisms| userpool_core::PoolSettings {
        account_recovery: Some(AccountRecoverySetting::new(mechanisms).expect("valid")),
        ..fast_settings().settings
    };
    let both = [
        ("email", "ann@example.com"),
        ("email_verified", "true"),
        ("phone_number", "+12065551212"),
        ("phone_number_verified", "true"),
    ];
    let admin_only = with(recovery(vec![(RecoveryOption::AdminOnly, 1)]), Vec::new());
    admin_only.confirmed("ann", PASSWORD, &both);
    assert_eq!(
        err_of(
            admin_only
                .pools
                .forgot_password(&admin_only.client_id, "ann")
        ),
        (
            "NotAuthorizedException".into(),
            "Contact administrator to reset password.".into()
        )
    );
    assert!(admin_only.delivery.last_code("ann").is_none());

    let phone_first = with(
        recovery(vec![
            (RecoveryOption::VerifiedPhoneNumber, 1),
            (RecoveryOption::VerifiedEmail, 2),
        ]),
        Vec::new(),
    );
    phone_first.confirmed("ann", PASSWORD, &both);
    let details = phone_first
        .pools
        .forgot_password(&phone_first.client_id, "ann")
        .expect("code sent");
    assert_eq!(details.attribute_name, "phone_number");

    let email_only = with(
        recovery(vec![(RecoveryOption::VerifiedEmail, 1)]),
        Vec::new(),
    );
    email_only.confirmed("pat", PASSWORD, &[("phone_number", "+12065551212")]);
    assert_eq!(
        err_of(
            email_only
                .pools
                .forgot_password(&email_only.client_id, "pat")
        )
        .0,
        "InvalidParameterException"
    );
}

#[test]
fn deletion_protection_refuses_delete_user_pool() {
    let env = with(
        userpool_core::PoolSettings {
            deletion_protection: true,
            ..fast_settings().settings
        },
        Vec::new(),
    );
    assert_eq!(
        err_of(env.pools.delete_user_pool(&env.admin, &env.pool_id)).0,
        "InvalidParameterException"
    );
    assert!(
        env.pools
            .describe_user_pool(&env.admin, &env.pool_id)
            .is_ok()
    );
}

#[test]
fn add_custom_attributes_extends_the_schema_all_or_nothing() {
    let env = common::env();
    let pool = env
        .pools
        .add_custom_attributes(
            &env.admin,
            &env.pool_id,
            &[SchemaAttributeInput::custom(
                "tier",
                AttributeDataType::String,
            )],
        )
        .expect("added");
    assert!(pool.schema.get("custom:tier").is_some());
    let refused = env.pools.add_custom_attributes(
        &env.admin,
        &env.pool_id,
        &[
            SchemaAttributeInput::custom("fresh", AttributeDataType::String),
            SchemaAttributeInput::custom("tier", AttributeDataType::Number),
        ],
    );
    assert_eq!(
        err_of(refused).1,
        "custom:tier: Existing attribute already has name custom:tier."
    );
    let pool = env
        .pools
        .describe_user_pool(&env.admin, &env.pool_id)
        .expect("describe");
    assert!(pool.schema.get("custom:fresh").is_none());
    env.pools
        .admin_create_user(
            &env.admin,
            &env.pool_id,
            "eve",
            None,
            &[("custom:tier", "gold")],
            None,
        )
        .expect("the new attribute is writable");
}

#[test]
fn attribute_updates_and_deletions_by_administrators_and_users() {
    let env = schema_env();
    env.confirmed(
        "carol",
        PASSWORD,
        &[
            ("email", "carol@example.com"),
            ("email_verified", "true"),
            ("custom:level", "3"),
        ],
    );
    let p = &env.pool_id;
    assert_eq!(
        err_of(env.pools.admin_update_user_attributes(
            &env.admin,
            p,
            "carol",
            &[("custom:level", "4")]
        ))
        .1,
        "user.custom:level: Attribute cannot be updated.\n"
    );
    let before = env.record("carol");
    assert_eq!(
        err_of(
            env.pools
                .update_user_attributes(p, "carol", &[("email_verified", "true")])
        )
        .0,
        "NotAuthorizedException"
    );
    assert_eq!(env.record("carol"), before, "a refusal changes nothing");
    env.pools
        .update_user_attributes(
            p,
            "carol",
            &[("email", "carol2@example.com"), ("name", "Carol")],
        )
        .expect("own update");
    let carol = env.record("carol").expect("carol");
    assert_eq!(
        carol.attributes.get("email_verified").map(String::as_str),
        Some("false")
    );
    assert_eq!(
        carol.attributes.get("name").map(String::as_str),
        Some("Carol")
    );

    assert_eq!(
        err_of(
            env.pools
                .admin_delete_user_attributes(&env.admin, p, "carol", &["email"])
        )
        .1,
        "Invalid user attributes: user.email: The attribute is required\n"
    );
    env.pools
        .delete_user_attributes(p, "carol", &["name"])
        .expect("own delete");
    assert!(
        !env.record("carol")
            .expect("carol")
            .attributes
            .contains_key("name")
    );
    assert_eq!(
        err_of(
            env.pools
                .delete_user_attributes(p, "carol", &["dev:custom:legacy"])
        )
        .0,
        "NotAuthorizedException"
    );
    assert_eq!(
        err_of(
            env.pools
                .admin_delete_user_attributes(&env.admin, p, "nobody", &["name"])
        )
        .0,
        "UserNotFoundException"
    );
}

#[test]
fn delete_user_removes_the_user() {
    let env = common::env();
    env.confirmed("gone", PASSWORD, &[]);
    env.pools
        .delete_user(&env.pool_id, "gone")
        .expect("deleted");
    assert!(env.record("gone").is_none());
    assert_eq!(
        err_of(env.pools.delete_user(&env.pool_id, "gone")).0,
        "UserNotFoundException"
    );
}

#[test]
fn estimated_number_of_users_counts_the_pools_users() {
    let env = common::env();
    let id = userpool_core::UserPoolId::parse(&env.pool_id).expect("id");
    assert_eq!(env.pools.estimated_number_of_users(&id).expect("count"), 0);
    env.confirmed("a", PASSWORD, &[]);
    env.confirmed("b", PASSWORD, &[]);
    assert_eq!(env.pools.estimated_number_of_users(&id).expect("count"), 2);
}

#[test]
fn clients_list_in_pages_update_and_delete() {
    let env = common::env();
    for name in ["b", "c"] {
        env.pools
            .create_user_pool_client(&env.admin, &env.pool_id, name, ClientSettings::default())
            .expect("client");
    }
    let first = env
        .pools
        .list_user_pool_clients(&env.admin, &env.pool_id, Some(2), None)
        .expect("page");
    assert_eq!(first.clients.len(), 2);
    let token = first.next_token.clone().expect("more");
    let rest = env
        .pools
        .list_user_pool_clients(&env.admin, &env.pool_id, Some(2), Some(&token))
        .expect("page");
    assert_eq!((rest.clients.len(), rest.next_token), (1, None));
    assert_eq!(
        err_of(
            env.pools
                .list_user_pool_clients(&env.admin, &env.pool_id, Some(61), None)
        )
        .0,
        "InvalidParameterException"
    );

    let updated = env
        .pools
        .update_user_pool_client(
            &env.admin,
            &env.pool_id,
            &env.client_id,
            ClientUpdate {
                client_name: Some("renamed".into()),
                explicit_auth_flows: vec!["ALLOW_REFRESH_TOKEN_AUTH".into()],
                prevent_user_existence_errors: true,
                ..ClientUpdate::default()
            },
        )
        .expect("updated");
    let described = env
        .pools
        .describe_user_pool_client(&env.admin, &env.pool_id, &env.client_id)
        .expect("described");
    assert_eq!(described, updated);
    assert_eq!(described.name, "renamed");
    assert!(described.prevent_user_existence_errors);

    env.pools
        .delete_user_pool_client(&env.admin, &env.pool_id, &env.client_id)
        .expect("deleted");
    for result in [
        env.pools
            .describe_user_pool_client(&env.admin, &env.pool_id, &env.client_id)
            .map(drop),
        env.pools
            .delete_user_pool_client(&env.admin, &env.pool_id, &env.client_id),
        env.pools
            .update_user_pool_client(
                &env.admin,
                &env.pool_id,
                &env.client_id,
                ClientUpdate::default(),
            )
            .map(drop),
    ] {
        assert_eq!(err_of(result).0, "ResourceNotFoundException");
    }
}

#[test]
fn csv_header_lists_the_importable_columns_then_the_custom_ones() {
    let env = schema_env();
    let header = env
        .pools
        .get_csv_header(&env.admin, &env.pool_id)
        .expect("header");
    assert_eq!(&header[..2], ["name", "given_name"]);
    assert!(header.contains(&"cognito:username".to_owned()));
    assert!(!header.contains(&"sub".to_owned()));
    assert_eq!(
        &header[header.len() - 2..],
        ["custom:level", "dev:custom:legacy"]
    );
}

#[test]
fn a_changed_auto_verified_email_gets_a_code_that_verifies_it() {
    let env = common::env();
    env.confirmed(
        "vera",
        PASSWORD,
        &[("email", "vera@example.com"), ("email_verified", "true")],
    );
    let p = &env.pool_id;
    let sent = env
        .pools
        .update_user_attributes(p, "vera", &[("email", "vera2@example.com")])
        .expect("updated");
    assert_eq!(
        sent.iter().map(|d| d.attribute_name).collect::<Vec<_>>(),
        ["email"]
    );
    let flag = |env: &Env| {
        env.record("vera")
            .expect("vera")
            .attributes
            .get("email_verified")
            .cloned()
    };
    assert_eq!(flag(&env).as_deref(), Some("false"));
    let code = env.delivery.last_code("vera").expect("a code");
    let wrong = if code.expose() == "000000" {
        "111111"
    } else {
        "000000"
    };
    assert_eq!(
        err_of(env.pools.verify_user_attribute(p, "vera", "email", wrong)).0,
        "CodeMismatchException"
    );
    assert_eq!(
        err_of(
            env.pools
                .verify_user_attribute(p, "vera", "phone_number", code.expose())
        )
        .0,
        "ExpiredCodeException",
        "a code verifies only the attribute it was issued for"
    );
    env.pools
        .verify_user_attribute(p, "vera", "email", code.expose())
        .expect("verified");
    assert_eq!(flag(&env).as_deref(), Some("true"));
    // A verified email is a new code's target again; a missing phone number is not.
    assert!(
        env.pools
            .get_user_attribute_verification_code(p, "vera", "email")
            .expect("code")
            .is_some()
    );
    assert_eq!(
        err_of(
            env.pools
                .get_user_attribute_verification_code(p, "vera", "phone_number")
        )
        .0,
        "InvalidParameterException"
    );
}

#[test]
fn a_held_email_change_keeps_the_verified_email_until_the_new_one_is_verified() {
    let env = email_change_held_env();
    env.confirmed(
        "kim",
        PASSWORD,
        &[("email", "kim@example.com"), ("email_verified", "true")],
    );
    let p = &env.pool_id;
    let email = |env: &Env| {
        let kim = env.record("kim").expect("kim");
        (
            kim.attributes.get("email").cloned(),
            kim.attributes.get("email_verified").cloned(),
        )
    };
    let sent = env
        .pools
        .update_user_attributes(p, "kim", &[("email", "lee@example.org")])
        .expect("held");
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].destination, "l***@e***");
    let held = (Some("kim@example.com".to_owned()), Some("true".to_owned()));
    assert_eq!(email(&env), held, "the verified email stays meanwhile");
    // The old email still finds the user; a new code keeps the held value.
    env.pools
        .get_user_attribute_verification_code(p, "kim", "email")
        .expect("another code");
    assert_eq!(email(&env), held);
    let code = env.delivery.last_code("kim").expect("a code");
    env.pools
        .verify_user_attribute(p, "kim", "email", code.expose())
        .expect("verified");
    assert_eq!(
        email(&env),
        (Some("lee@example.org".to_owned()), Some("true".to_owned()))
    );
    // An administrator who marks the new value verified changes it at once.
    env.pools
        .admin_update_user_attributes(
            &env.admin,
            p,
            "kim",
            &[("email", "kim2@example.com"), ("email_verified", "true")],
        )
        .expect("admin");
    assert_eq!(
        email(&env),
        (Some("kim2@example.com".to_owned()), Some("true".to_owned()))
    );
}

/// SPEC §16 with §8: an administrator who names the user by an alias and, in the same
/// AdminUpdateUserAttributes, changes that alias and an email the pool holds until
/// verified: the alias changes, the email change is held with a code sent to the new
/// address. The held change is looked up by the user's username, not by the alias the
/// request named (which the write before it had just changed).
#[test]
fn an_admin_update_named_by_an_alias_it_changes_still_holds_the_email_change() {
    let env = env_with(
        PoolSettings {
            alias_attributes: vec![userpool_core::AliasAttribute::PreferredUsername],
            settings: userpool_core::PoolSettings {
                auto_verified_attributes: vec![VerifiableAttribute::Email],
                attributes_require_verification_before_update: vec![VerifiableAttribute::Email],
                ..userpool_core::PoolSettings::default()
            },
            ..fast_settings()
        },
        false,
        |b| b,
    );
    env.confirmed(
        "kim",
        PASSWORD,
        &[
            ("email", "kim@example.com"),
            ("email_verified", "true"),
            ("preferred_username", "kimmy"),
        ],
    );
    let p = &env.pool_id;
    let kim = env
        .pools
        .admin_update_user_attributes(
            &env.admin,
            p,
            "kimmy",
            &[
                ("preferred_username", "kimberly"),
                ("email", "lee@example.org"),
            ],
        )
        .expect("updated");
    assert_eq!(kim.username, "kim");
    let stored = env.record("kim").expect("kim");
    assert_eq!(stored.attributes["preferred_username"], "kimberly");
    assert_eq!(stored.attributes["email"], "kim@example.com", "held");
    assert_eq!(stored.attributes["email_verified"], "true");
    let code = env
        .delivery
        .last_code("kim")
        .expect("a code for the held email");
    env.pools
        .verify_user_attribute(p, "kimberly", "email", code.expose())
        .expect("the code verifies the held email");
    assert_eq!(
        env.record("kim").expect("kim").attributes["email"],
        "lee@example.org"
    );
}

/// AdminImportUsers (SPEC §19) creates users: the schema applies to them as to
/// AdminCreateUser's, and a user it refuses is listed as failed with nothing written.
#[test]
fn imported_users_validate_against_the_schema() {
    let env = schema_env();
    let hash = "$2b$04$NINSo2uKS5Qs4Py.jwwdd.YJOna3Ywe0IpdGicXRvevJdWveeQiEW";
    let users = [
        userpool::ImportUser {
            username: "unknown",
            attributes: &[("email", "u@example.com"), ("thing", "x")],
            password_hash: hash,
            enabled: None,
        },
        userpool::ImportUser {
            username: "noemail",
            attributes: &[("name", "Ada")],
            password_hash: hash,
            enabled: None,
        },
        userpool::ImportUser {
            username: "fine",
            attributes: &[("email", "f@example.com")],
            password_hash: hash,
            enabled: None,
        },
    ];
    let report = env.import(&users);
    assert_eq!(report.imported, 1);
    assert_eq!(
        import_failures(&report),
        [
            (
                "unknown",
                "InvalidParameterException",
                "Attributes did not conform to the schema: thing: Attribute does not exist in the schema.\n"
            ),
            (
                "noemail",
                "InvalidParameterException",
                "Attributes did not conform to the schema: email: The attribute is required\n"
            ),
        ]
    );
    assert!(env.record("unknown").is_none());
    assert!(env.record("noemail").is_none());
    assert!(env.record("fine").is_some());
}

/// The NEW_PASSWORD_REQUIRED answer's attributes are an update like any other (SPEC §16):
/// a verified email the pool holds until verified is held there too, with a code sent to
/// the new value, rather than silently dropped.
#[test]
fn a_held_email_change_in_the_new_password_answer_is_held_with_a_code() {
    let env = email_change_held_env();
    env.pools
        .admin_create_user(
            &env.admin,
            &env.pool_id,
            "kim",
            Some("Temp-Passw0rd!1"),
            &[("email", "kim@example.com"), ("email_verified", "true")],
            Some(userpool::MessageAction::Suppress),
        )
        .expect("create");
    let session = match env
        .pools
        .initiate_auth(
            &env.client_id,
            "USER_PASSWORD_AUTH",
            "kim",
            "Temp-Passw0rd!1",
        )
        .expect("challenge")
    {
        userpool::AuthResult::NewPasswordRequired { session, .. } => session,
        other => panic!("expected NEW_PASSWORD_REQUIRED, got {other:?}"),
    };
    env.pools
        .respond_to_new_password_required_with_attributes(
            &env.client_id,
            "kim",
            session.expose(),
            PASSWORD,
            &[("email", "lee@example.org")],
        )
        .expect("signed in");
    let kim = env.record("kim").expect("kim");
    assert_eq!(
        kim.attributes["email"], "kim@example.com",
        "the verified email stays"
    );
    assert_eq!(
        kim.pending_code.and_then(|p| p.held_value).as_deref(),
        Some("lee@example.org"),
        "the new value is held"
    );
    let code = env
        .delivery
        .last_code("kim")
        .expect("a code for the new value");
    env.pools
        .verify_user_attribute(&env.pool_id, "kim", "email", code.expose())
        .expect("verified");
    assert_eq!(
        env.record("kim").expect("kim").attributes["email"],
        "lee@example.org"
    );
}
