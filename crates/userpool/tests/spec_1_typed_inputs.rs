//! SPEC §1 through the library: each operation's typed input (`userpool::inputs`) collects
//! every violated member — missing and malformed together, in Cognito's order — into one
//! `InvalidParameterException`, and the service's `&str` methods go through the same
//! parse, so a host calling the library gets the list a wire client gets. Secrets in an
//! input never show in its `Debug`.
#![cfg(feature = "test-util")]

mod common;

use userpool::inputs::{
    AccessTokenInput, AddCustomAttributesInput, CreateUserPoolClientInput, CreateUserPoolInput,
    ListUserPoolClientsInput, PoolClientInput, PoolInput, SoftwareTokenInput,
    UpdateUserPoolClientInput,
};
use userpool::inputs::{
    AdminCreateUserInput, AdminDeleteUserAttributesInput, AdminListGroupsForUserInput,
    AdminUpdateUserAttributesInput, AdminUserInput, ChangePasswordInput, ClientUserInput,
    ConfirmForgotPasswordInput, ConfirmSignUpInput, DeleteUserAttributesInput, GroupInput,
    GroupWriteInput, ListGroupsInput, ListUsersInGroupInput, ListUsersInput, MembershipInput,
    SignUpInput, UpdateUserAttributesInput, UserAttributeCodeInput,
};
use userpool::inputs::{AdminImportUsersInput, ImportUserMembers};
use userpool::inputs::{
    AdminInitiateAuthInput, AdminRespondToAuthChallengeInput, InitiateAuthInput,
    RespondToAuthChallengeInput,
};
use userpool::{GroupSettings, MessageAction};
use userpool_core::Error;

use common::env;

const USERNAME: &str = r"[\p{L}\p{M}\p{S}\p{N}\p{P}]+";
const PASSWORD: &str = r"^[\S]+.*[\S]+$";
const CLIENT_ID: &str = r"[\w+]+";
const CODE: &str = r"[\S]+";
const POOL_ID: &str = r"[\w-]+_[0-9a-zA-Z]+";

/// A secret no `Debug` may show.
const SENTINEL: &str = "Sentinel-Secret-9";

/// `Value null at '<field>'`.
fn missing(field: &str) -> String {
    format!("Value null at '{field}' failed to satisfy constraint: Member must not be null")
}

/// `Member must satisfy regular expression pattern`.
fn pattern(field: &str, pattern: &str) -> String {
    format!(
        "Value at '{field}' failed to satisfy constraint: Member must satisfy regular expression pattern: {pattern}"
    )
}

/// Cognito's list for `parts`.
fn list(parts: &[String]) -> String {
    let n = parts.len();
    let plural = if n == 1 { "error" } else { "errors" };
    format!("{n} validation {plural} detected: {}", parts.join("; "))
}

/// The error is `InvalidParameterException` with exactly `expected`.
fn assert_list<T: std::fmt::Debug>(result: Result<T, Error>, expected: &[String]) {
    match result {
        Err(e) => {
            assert_eq!(e.code(), "InvalidParameterException", "{e}");
            assert_eq!(e.to_string(), list(expected));
        }
        Ok(v) => panic!("expected a validation list, got {v:?}"),
    }
}

#[test]
fn spec_1_public_inputs_list_missing_and_malformed_members_together() {
    assert_list(
        SignUpInput::parse(None, Some("has space"), Some(" edge"), &[]),
        &[
            missing("clientId"),
            pattern("username", USERNAME),
            pattern("password", PASSWORD),
        ],
    );
    assert_list(
        ConfirmSignUpInput::parse(Some("bad-client"), None, Some("12 34")),
        &[
            pattern("clientId", CLIENT_ID),
            missing("username"),
            pattern("confirmationCode", CODE),
        ],
    );
    assert_list(
        ClientUserInput::parse(None, Some("x y")),
        &[missing("clientId"), pattern("username", USERNAME)],
    );
    assert_list(
        ConfirmForgotPasswordInput::parse(None, Some("ok"), Some("1 2"), Some("x")),
        &[
            missing("clientId"),
            pattern("confirmationCode", CODE),
            pattern("password", PASSWORD),
        ],
    );
}

#[test]
fn spec_1_public_str_methods_report_every_bad_member_in_one_list() {
    let env = env();
    let pools = &env.pools;
    assert_list(
        pools.sign_up("bad-client", "has space", " edge", &[]),
        &[
            pattern("clientId", CLIENT_ID),
            pattern("username", USERNAME),
            pattern("password", PASSWORD),
        ],
    );
    assert_list(
        pools.confirm_sign_up(&env.client_id, "a b", "12 34"),
        &[
            pattern("username", USERNAME),
            pattern("confirmationCode", CODE),
        ],
    );
    assert_list(
        pools.forgot_password("no/slash", "x y"),
        &[
            pattern("clientId", CLIENT_ID),
            pattern("username", USERNAME),
        ],
    );
    assert_list(
        pools.resend_confirmation_code("no/slash", "x y"),
        &[
            pattern("clientId", CLIENT_ID),
            pattern("username", USERNAME),
        ],
    );
    assert_list(
        pools.confirm_forgot_password(&env.client_id, "ok", "1 2", "x"),
        &[
            pattern("confirmationCode", CODE),
            pattern("password", PASSWORD),
        ],
    );
}

#[test]
fn spec_1_admin_user_inputs_list_missing_and_malformed_members_together() {
    assert_list(
        AdminCreateUserInput::parse(None, None, Some("x"), &[], Some("LOUD")),
        &[
            missing("userPoolId"),
            missing("username"),
            pattern("temporaryPassword", PASSWORD),
            pattern("messageAction", "RESEND|SUPPRESS"),
        ],
    );
    assert_list(
        AdminUserInput::parse(Some("bad"), Some("a b")),
        &[
            pattern("userPoolId", POOL_ID),
            pattern("username", USERNAME),
        ],
    );
    assert_list(
        AdminUpdateUserAttributesInput::parse(Some("bad"), Some("ok"), None),
        &[pattern("userPoolId", POOL_ID), missing("userAttributes")],
    );
    assert_list(
        AdminDeleteUserAttributesInput::parse(None, Some("a b"), None),
        &[
            missing("userPoolId"),
            pattern("username", USERNAME),
            missing("userAttributeNames"),
        ],
    );
    assert_list(
        ListUsersInput::parse(None, Some(61), None, None),
        &[
            missing("userPoolId"),
            "Value at 'limit' failed to satisfy constraint: Member must have value between 0 and 60".to_owned(),
        ],
    );
    let parsed =
        AdminCreateUserInput::parse(Some("us-east-1_a"), Some("u"), None, &[], Some("SUPPRESS"));
    assert_eq!(
        parsed.map(|i| i.message_action).ok(),
        Some(Some(MessageAction::Suppress))
    );
}

#[test]
fn spec_1_admin_user_str_methods_report_every_bad_member_in_one_list() {
    let env = env();
    let (pools, admin) = (&env.pools, &env.admin);
    assert_list(
        pools.admin_create_user(admin, "bad", "a b", Some("x"), &[], None),
        &[
            pattern("userPoolId", POOL_ID),
            pattern("username", USERNAME),
            pattern("temporaryPassword", PASSWORD),
        ],
    );
    assert_list(
        pools.admin_get_user(admin, "bad", "a b"),
        &[
            pattern("userPoolId", POOL_ID),
            pattern("username", USERNAME),
        ],
    );
    assert_list(
        pools.admin_disable_user(admin, "bad", "a b"),
        &[
            pattern("userPoolId", POOL_ID),
            pattern("username", USERNAME),
        ],
    );
    assert_list(
        pools.admin_user_global_sign_out(admin, "bad", "a b"),
        &[
            pattern("userPoolId", POOL_ID),
            pattern("username", USERNAME),
        ],
    );
    assert_list(
        pools.admin_delete_user_attributes(admin, "bad", "a b", &["email"]),
        &[
            pattern("userPoolId", POOL_ID),
            pattern("username", USERNAME),
        ],
    );
    assert_list(
        pools.list_users(admin, "bad", Some(61), None, None),
        &[
            pattern("userPoolId", POOL_ID),
            "Value at 'limit' failed to satisfy constraint: Member must have value between 0 and 60".to_owned(),
        ],
    );
}

/// `Member must have value between <min> and 60` for `limit`.
fn limit_range(min: u8) -> String {
    format!(
        "Value at 'limit' failed to satisfy constraint: Member must have value between {min} and 60"
    )
}

const GROUP_NAME: &str = r"[\p{L}\p{M}\p{S}\p{N}\p{P}]+";

#[test]
fn spec_1_spec_17_group_inputs_list_missing_and_malformed_members_together() {
    assert_list(
        GroupInput::parse(Some("bad"), None),
        &[pattern("userPoolId", POOL_ID), missing("groupName")],
    );
    let settings = GroupSettings {
        precedence: Some(-1),
        ..GroupSettings::default()
    };
    assert_list(
        GroupWriteInput::parse(None, Some("a b"), &settings),
        &[
            missing("userPoolId"),
            pattern("groupName", GROUP_NAME),
            "Value at 'precedence' failed to satisfy constraint: Member must have value between 0 and 2147483647".to_owned(),
        ],
    );
    assert_list(
        ListGroupsInput::parse(None, Some(61), None),
        &[missing("userPoolId"), limit_range(0)],
    );
    assert_eq!(
        ListGroupsInput::parse(Some("us-east-1_a"), Some(0), None)
            .map(|i| i.limit)
            .ok(),
        Some(60),
        "Cognito's Limit 0 is the default page"
    );
    assert_list(
        MembershipInput::parse(Some("us-east-1_a"), None, Some("a b")),
        &[missing("username"), pattern("groupName", GROUP_NAME)],
    );
    assert_list(
        AdminListGroupsForUserInput::parse(None, Some("a b"), Some(-1), None),
        &[
            missing("userPoolId"),
            pattern("username", USERNAME),
            limit_range(0),
        ],
    );
    assert_list(
        ListUsersInGroupInput::parse(Some("bad"), None, Some(99), None),
        &[
            pattern("userPoolId", POOL_ID),
            missing("groupName"),
            limit_range(0),
        ],
    );
}

#[test]
fn spec_1_spec_17_group_str_methods_report_every_bad_member_in_one_list() {
    let env = env();
    let (pools, admin) = (&env.pools, &env.admin);
    assert_list(
        pools.get_group(admin, "bad", "a b"),
        &[
            pattern("userPoolId", POOL_ID),
            pattern("groupName", GROUP_NAME),
        ],
    );
    assert_list(
        pools.admin_add_user_to_group(admin, "bad", "a b", ""),
        &[
            pattern("userPoolId", POOL_ID),
            pattern("username", USERNAME),
            "Value at 'groupName' failed to satisfy constraint: Member must have length greater than or equal to 1".to_owned(),
        ],
    );
    // The library's `limit` is Cognito's `Limit` (0..=60), as on the wire.
    assert_list(
        pools.list_groups(admin, "bad", Some(-1), None),
        &[pattern("userPoolId", POOL_ID), limit_range(0)],
    );
    assert_list(
        pools.list_users_in_group(admin, "bad", "a b", Some(61), None),
        &[
            pattern("userPoolId", POOL_ID),
            pattern("groupName", GROUP_NAME),
            limit_range(0),
        ],
    );
}

#[test]
fn spec_1_access_token_inputs_list_the_token_with_the_other_members() {
    assert_list(
        ChangePasswordInput::parse(Some("ok-Password-1"), Some("bad "), None),
        &[
            pattern("proposedPassword", PASSWORD),
            missing("accessToken"),
        ],
    );
    assert_list(
        UpdateUserAttributesInput::parse(None, None),
        &[missing("userAttributes"), missing("accessToken")],
    );
    assert_list(
        DeleteUserAttributesInput::parse(None, None),
        &[missing("userAttributeNames"), missing("accessToken")],
    );
    assert_list(
        UserAttributeCodeInput::parse_verify(None, None, Some("1 2")),
        &[
            missing("accessToken"),
            missing("attributeName"),
            pattern("code", CODE),
        ],
    );
    assert_list(
        UserAttributeCodeInput::parse_request(None, None),
        &[missing("accessToken"), missing("attributeName")],
    );
}

#[test]
fn spec_1_change_password_with_token_reports_both_passwords_before_the_token() {
    let env = env();
    // Validation comes first: the token (not a real one) is never looked at.
    assert_list(
        env.pools
            .change_password_with_token("not-a-token", " x", "bad "),
        &[
            pattern("previousPassword", PASSWORD),
            pattern("proposedPassword", PASSWORD),
        ],
    );
}

#[test]
fn spec_1_spec_18_mfa_inputs_list_every_missing_and_malformed_member() {
    assert_list(
        SoftwareTokenInput::parse_verify(None, None, None),
        &[missing("accessToken"), missing("userCode")],
    );
    assert_list(
        SoftwareTokenInput::parse_verify(None, None, Some("12a456")),
        &[missing("accessToken"), pattern("userCode", "[0-9]+")],
    );
    assert_list(
        SoftwareTokenInput::parse_associate(None, None),
        &[missing("accessToken")],
    );
    match SoftwareTokenInput::parse_associate(Some("t"), Some("s")) {
        Err(e) => assert_eq!(
            e.to_string(),
            "Only one of AccessToken or Session may be given"
        ),
        Ok(v) => panic!("both a token and a session: {v:?}"),
    }
    assert_list(AccessTokenInput::parse(None), &[missing("accessToken")]);
    assert_list(
        PoolInput::parse(Some("bad")),
        &[pattern("userPoolId", POOL_ID)],
    );
}

#[test]
fn spec_1_spec_18_mfa_str_methods_report_every_bad_member_in_one_list() {
    let env = env();
    let (pools, admin) = (&env.pools, &env.admin);
    let off = userpool_core::mfa::FactorPreference::default();
    assert_list(
        pools.admin_set_user_mfa_preference(admin, "bad", "a b", off, off),
        &[
            pattern("userPoolId", POOL_ID),
            pattern("username", USERNAME),
        ],
    );
    assert_list(
        pools.admin_set_user_settings(admin, "bad", "a b", true),
        &[
            pattern("userPoolId", POOL_ID),
            pattern("username", USERNAME),
        ],
    );
    assert_list(
        pools.get_user_pool_mfa_config(admin, "bad"),
        &[pattern("userPoolId", POOL_ID)],
    );
}

#[test]
fn spec_1_pool_and_client_inputs_list_every_missing_and_malformed_member() {
    assert_list(PoolInput::parse(None), &[missing("userPoolId")]);
    assert_list(
        PoolClientInput::parse(Some("bad"), None),
        &[pattern("userPoolId", POOL_ID), missing("clientId")],
    );
    let env = env();
    let (pools, admin) = (&env.pools, &env.admin);
    assert_list(
        pools.describe_user_pool_client(admin, "bad", "no/slash"),
        &[
            pattern("userPoolId", POOL_ID),
            pattern("clientId", CLIENT_ID),
        ],
    );
    assert_list(
        pools.delete_user_pool_client(admin, "bad", "no/slash"),
        &[
            pattern("userPoolId", POOL_ID),
            pattern("clientId", CLIENT_ID),
        ],
    );
    assert_list(
        pools.describe_user_pool(admin, "bad"),
        &[pattern("userPoolId", POOL_ID)],
    );
    let max_results = "Value at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 60";
    assert_list(
        ListUserPoolClientsInput::parse(None, Some(0), None),
        &[missing("userPoolId"), max_results.to_owned()],
    );
    assert_list(
        pools.list_user_pool_clients(admin, "bad", Some(61), None),
        &[pattern("userPoolId", POOL_ID), max_results.to_owned()],
    );
    assert_list(
        AddCustomAttributesInput::parse(Some("bad"), None),
        &[pattern("userPoolId", POOL_ID), missing("customAttributes")],
    );
    assert_list(CreateUserPoolInput::parse(None), &[missing("poolName")]);
    let flows = userpool::ClientSettings {
        explicit_auth_flows: vec!["NOT_A_FLOW".into()],
        ..userpool::ClientSettings::default()
    };
    let flow_pattern = |message: String| message.starts_with("Value at 'explicitAuthFlows'");
    match CreateUserPoolClientInput::parse(Some("bad"), None, flows.clone()) {
        Err(e) => {
            let message = e.to_string();
            assert!(
                message.starts_with("3 validation errors detected: "),
                "{message}"
            );
            let parts: Vec<String> = message
                .trim_start_matches("3 validation errors detected: ")
                .split("; ")
                .map(str::to_owned)
                .collect();
            assert_eq!(parts[0], pattern("userPoolId", POOL_ID));
            assert_eq!(parts[1], missing("clientName"));
            assert!(flow_pattern(parts[2].clone()), "{message}");
        }
        Ok(v) => panic!("expected a validation list, got {v:?}"),
    }
    let update = userpool::ClientUpdate {
        client_name: Some(String::new()),
        ..userpool::ClientUpdate::default()
    };
    assert_list(
        UpdateUserPoolClientInput::parse(None, Some("no/slash"), update),
        &[
            missing("userPoolId"),
            pattern("clientId", CLIENT_ID),
            "Value at 'clientName' failed to satisfy constraint: Member must have length greater than or equal to 1".to_owned(),
        ],
    );
    assert_list(
        pools.create_user_pool_client(admin, "bad", "", flows),
        &[
            pattern("userPoolId", POOL_ID),
            "Value at 'clientName' failed to satisfy constraint: Member must have length greater than or equal to 1".to_owned(),
            pattern(
                "explicitAuthFlows",
                "ADMIN_NO_SRP_AUTH|CUSTOM_AUTH_FLOW_ONLY|USER_PASSWORD_AUTH|ALLOW_ADMIN_USER_PASSWORD_AUTH|ALLOW_CUSTOM_AUTH|ALLOW_USER_PASSWORD_AUTH|ALLOW_USER_SRP_AUTH|ALLOW_REFRESH_TOKEN_AUTH|ALLOW_USER_AUTH",
            ),
        ],
    );
}

#[test]
fn spec_1_sign_in_inputs_list_every_missing_and_malformed_member() {
    assert_list(
        InitiateAuthInput::parse(None, None),
        &[missing("clientId"), missing("authFlow")],
    );
    assert_list(
        InitiateAuthInput::parse(Some("no/slash"), None),
        &[pattern("clientId", CLIENT_ID), missing("authFlow")],
    );
    assert_list(
        AdminInitiateAuthInput::parse(Some("nounderscore"), None, None),
        &[
            pattern("userPoolId", POOL_ID),
            missing("clientId"),
            missing("authFlow"),
        ],
    );
    assert_list(
        RespondToAuthChallengeInput::parse(None, None, None),
        &[missing("clientId"), missing("challengeName")],
    );
    assert_list(
        AdminRespondToAuthChallengeInput::parse(None, None, None, Some(SENTINEL)),
        &[
            missing("userPoolId"),
            missing("clientId"),
            missing("challengeName"),
        ],
    );
    let no_session = RespondToAuthChallengeInput::parse(Some("c"), Some("SMS_MFA"), None);
    assert_list(
        no_session.and_then(|i| i.required_session().map(str::to_owned)),
        &[missing("session")],
    );
}

#[test]
fn spec_1_sign_in_str_methods_and_inputs_report_the_same_members() {
    let env = env();
    let pools = &env.pools;
    // The `&str` method lists the client with the flow's parameters.
    assert_list(
        pools.initiate_auth("no/slash", "USER_PASSWORD_AUTH", "a b", " x"),
        &[
            pattern("clientId", CLIENT_ID),
            pattern("username", USERNAME),
            pattern("password", PASSWORD),
        ],
    );
    assert_list(
        pools.respond_to_new_password_required("no/slash", "a b", "short", " x"),
        &[
            pattern("clientId", CLIENT_ID),
            pattern("username", USERNAME),
            pattern("NEW_PASSWORD", PASSWORD),
            "Value at 'session' failed to satisfy constraint: Member must have length greater than or equal to 20".to_owned(),
        ],
    );
    // Through a parsed input, the parameters alone: the client was validated once.
    let input = InitiateAuthInput::parse(Some(&env.client_id), Some("USER_PASSWORD_AUTH"));
    let input = input.unwrap_or_else(|e| panic!("{e}"));
    assert_list(
        pools.initiate_auth_input(&input, "a b", " x"),
        &[pattern("username", USERNAME), pattern("password", PASSWORD)],
    );
}

#[test]
fn spec_1_spec_19_import_input_lists_every_user_s_missing_members() {
    let user = |username, password_hash| ImportUserMembers {
        username,
        attributes: &[],
        password_hash,
        enabled: None,
    };
    assert_list(
        AdminImportUsersInput::parse(Some("bad"), &[user(None, Some("h")), user(Some("u"), None)]),
        &[
            pattern("userPoolId", POOL_ID),
            missing("users.member.username"),
            missing("users.member.passwordHash"),
        ],
    );
    assert_list(
        AdminImportUsersInput::parse(None, &[]),
        &[
            missing("userPoolId"),
            "Value at 'users' failed to satisfy constraint: Member must have length between 1 and 1000".to_owned(),
        ],
    );
    let env = env();
    assert_list(
        env.pools.admin_import_users(&env.admin, "bad", &[]),
        &[
            pattern("userPoolId", POOL_ID),
            "Value at 'users' failed to satisfy constraint: Member must have length between 1 and 1000".to_owned(),
        ],
    );
}

#[test]
fn spec_14_inputs_never_show_a_secret_in_debug() {
    let s = SENTINEL;
    let formatted = [
        format!(
            "{:?}",
            SignUpInput::parse(Some("c"), Some("u"), Some(s), &[])
        ),
        format!(
            "{:?}",
            ConfirmSignUpInput::parse(Some("c"), Some("u"), Some(s))
        ),
        format!(
            "{:?}",
            ConfirmForgotPasswordInput::parse(Some("c"), Some("u"), Some(s), Some(s))
        ),
        format!(
            "{:?}",
            AdminCreateUserInput::parse(Some("us-east-1_a"), Some("u"), Some(s), &[], None)
        ),
        format!(
            "{:?}",
            ChangePasswordInput::parse(Some(s), Some(s), Some(s))
        ),
        format!("{:?}", UpdateUserAttributesInput::parse(Some(&[]), Some(s))),
        format!("{:?}", DeleteUserAttributesInput::parse(Some(&[]), Some(s))),
        format!(
            "{:?}",
            UserAttributeCodeInput::parse_verify(Some(s), Some("email"), Some(s))
        ),
        format!("{:?}", SoftwareTokenInput::parse_associate(Some(s), None)),
        format!(
            "{:?}",
            SoftwareTokenInput::parse_verify(None, Some(s), Some("123456"))
        ),
        format!("{:?}", AccessTokenInput::parse(Some(s))),
        format!(
            "{:?}",
            RespondToAuthChallengeInput::parse(Some("c"), Some("SMS_MFA"), Some(s))
        ),
        format!(
            "{:?}",
            AdminImportUsersInput::parse(
                Some("us-east-1_a"),
                &[ImportUserMembers {
                    username: Some("u"),
                    attributes: &[],
                    password_hash: Some(s),
                    enabled: None,
                }],
            )
        ),
    ];
    for text in formatted {
        assert!(text.starts_with("Ok("), "{text}");
        assert!(!text.contains(SENTINEL), "{text}");
        assert!(text.contains("<redacted>"), "{text}");
    }
}
