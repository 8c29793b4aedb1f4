//! One function per Cognito operation: read the input shape, call the service, write the
//! output shape. Each runs on a blocking thread (see [`call`]).

mod auth;
mod groups;
mod mfa;
mod oauth;
mod pools;
mod settings;
pub mod shapes;
mod users;

use std::collections::BTreeMap;

use serde_json::Value;
use userpool::{Caller, TriggerInput};

use crate::App;
use crate::error::Error;
use crate::operation::Operation;
use crate::wire::RequestBody;

/// Runs `op` on its request body, which the operation parses into its typed input (and
/// wipes). `caller` is the verified SigV4 principal of an admin operation, `None` for a
/// public one; `user_agent` the request's `User-Agent`, for the triggers'
/// `callerContext.awsSdkVersion`.
///
/// # Errors
/// Whatever the operation fails with.
pub fn call(
    app: &App,
    op: Operation,
    caller: Option<&Caller>,
    body: RequestBody,
    user_agent: Option<&str>,
) -> Result<Value, Error> {
    let mut trigger_input = trigger_input(op, &body)?;
    if let Some(sdk) = user_agent.and_then(aws_sdk_version) {
        trigger_input = trigger_input.with_aws_sdk_version(&sdk);
    }
    app.pools
        .with_trigger_input(trigger_input, || dispatch(app, op, caller, body))
}

/// The operations whose Cognito model has `ClientMetadata` (SPEC §19).
const TAKES_CLIENT_METADATA: [Operation; 15] = [
    Operation::AdminCreateUser,
    Operation::SignUp,
    Operation::ConfirmSignUp,
    Operation::AdminConfirmSignUp,
    Operation::ForgotPassword,
    Operation::ConfirmForgotPassword,
    Operation::ResendConfirmationCode,
    Operation::InitiateAuth,
    Operation::AdminInitiateAuth,
    Operation::RespondToAuthChallenge,
    Operation::AdminRespondToAuthChallenge,
    Operation::UpdateUserAttributes,
    Operation::AdminUpdateUserAttributes,
    Operation::AdminResetUserPassword,
    Operation::GetUserAttributeVerificationCode,
];

/// `ClientMetadata` (a map of strings) and `ValidationData` (`[{"Name","Value"}]`, SignUp
/// and AdminCreateUser) of the operations that take them, for their triggers (SPEC §19);
/// InitiateAuth's and AdminInitiateAuth's are routed as Cognito routes a sign-in's.
fn trigger_input(op: Operation, body: &RequestBody) -> Result<TriggerInput, Error> {
    #[derive(serde::Deserialize, Default)]
    #[serde(rename_all = "PascalCase")]
    struct Members {
        client_metadata: Option<BTreeMap<String, String>>,
        validation_data: Option<Vec<shapes::Attribute>>,
    }
    if !TAKES_CLIENT_METADATA.contains(&op) {
        return Ok(TriggerInput::default());
    }
    let members: Members = crate::wire::parse(body.as_bytes())?;
    let validation_data = if matches!(op, Operation::SignUp | Operation::AdminCreateUser) {
        members
            .validation_data
            .unwrap_or_default()
            .into_iter()
            .map(|a| (a.name, a.value.unwrap_or_default()))
            .collect()
    } else {
        BTreeMap::new()
    };
    let input = TriggerInput::new(members.client_metadata.unwrap_or_default(), validation_data)?;
    Ok(match op {
        Operation::InitiateAuth | Operation::AdminInitiateAuth => input.as_sign_in(),
        _ => input,
    })
}

/// Cognito's `awsSdkVersion` (`aws-sdk-<language>-<version>`) from an AWS SDK's
/// `User-Agent`, whose product token is `aws-sdk-<language>/<version>` (`aws-sdk-js/3.454.0`,
/// `aws-sdk-java/2.20.0`, `aws-sdk-rust/1.1.0`). Other agents (botocore, the CLI, browsers)
/// are an unknown SDK **(decision: Cognito documents no mapping for them)**.
fn aws_sdk_version(user_agent: &str) -> Option<String> {
    user_agent.split_ascii_whitespace().find_map(|token| {
        let (product, version) = token.split_once('/')?;
        let language = product.strip_prefix("aws-sdk-")?;
        (!language.is_empty() && !version.is_empty())
            .then(|| format!("aws-sdk-{language}-{version}"))
    })
}

fn dispatch(
    app: &App,
    op: Operation,
    caller: Option<&Caller>,
    body: RequestBody,
) -> Result<Value, Error> {
    use Operation as O;
    let admin = || {
        caller.ok_or_else(|| {
            Error::internal(format!("{} reached without a verified caller", op.name()))
        })
    };
    match op {
        O::AdminImportUsers => users::admin_import_users(app, admin()?, body),
        O::CreateUserPool => pools::create_user_pool(app, admin()?, body),
        O::DescribeUserPool => pools::describe_user_pool(app, admin()?, body),
        O::UpdateUserPool => pools::update_user_pool(app, admin()?, body),
        O::DeleteUserPool => pools::delete_user_pool(app, admin()?, body),
        O::ListUserPools => pools::list_user_pools(app, admin()?, body),
        O::CreateUserPoolClient => pools::create_user_pool_client(app, admin()?, body),
        O::DescribeUserPoolClient => pools::describe_user_pool_client(app, admin()?, body),
        O::ListUserPoolClients => pools::list_user_pool_clients(app, admin()?, body),
        O::UpdateUserPoolClient => pools::update_user_pool_client(app, admin()?, body),
        O::DeleteUserPoolClient => pools::delete_user_pool_client(app, admin()?, body),
        O::AddCustomAttributes => pools::add_custom_attributes(app, admin()?, body),
        O::GetCSVHeader => pools::get_csv_header(app, admin()?, body),
        O::AdminDeleteUserAttributes => users::admin_delete_user_attributes(app, admin()?, body),
        O::AdminCreateUser => users::admin_create_user(app, admin()?, body),
        O::AdminGetUser => users::admin_get_user(app, admin()?, body),
        O::ListUsers => users::list_users(app, admin()?, body),
        O::AdminDeleteUser => users::admin_delete_user(app, admin()?, body),
        O::AdminSetUserPassword => users::admin_set_user_password(app, admin()?, body),
        O::AdminDisableUser => users::admin_disable_user(app, admin()?, body),
        O::AdminEnableUser => users::admin_enable_user(app, admin()?, body),
        O::AdminConfirmSignUp => users::admin_confirm_sign_up(app, admin()?, body),
        O::AdminResetUserPassword => users::admin_reset_user_password(app, admin()?, body),
        O::AdminUpdateUserAttributes => users::admin_update_user_attributes(app, admin()?, body),
        O::AdminUserGlobalSignOut => users::admin_user_global_sign_out(app, admin()?, body),
        O::AdminInitiateAuth => auth::admin_initiate_auth(app, admin()?, body),
        O::AdminRespondToAuthChallenge => {
            auth::admin_respond_to_auth_challenge(app, admin()?, body)
        }
        O::CreateGroup => groups::create_group(app, admin()?, body),
        O::GetGroup => groups::get_group(app, admin()?, body),
        O::ListGroups => groups::list_groups(app, admin()?, body),
        O::UpdateGroup => groups::update_group(app, admin()?, body),
        O::DeleteGroup => groups::delete_group(app, admin()?, body),
        O::AdminAddUserToGroup => groups::admin_add_user_to_group(app, admin()?, body),
        O::AdminRemoveUserFromGroup => groups::admin_remove_user_from_group(app, admin()?, body),
        O::AdminListGroupsForUser => groups::admin_list_groups_for_user(app, admin()?, body),
        O::ListUsersInGroup => groups::list_users_in_group(app, admin()?, body),
        O::CreateUserPoolDomain => oauth::create_user_pool_domain(app, admin()?, body),
        O::DescribeUserPoolDomain => oauth::describe_user_pool_domain(app, admin()?, body),
        O::UpdateUserPoolDomain => oauth::update_user_pool_domain(app, admin()?, body),
        O::DeleteUserPoolDomain => oauth::delete_user_pool_domain(app, admin()?, body),
        O::CreateResourceServer => oauth::create_resource_server(app, admin()?, body),
        O::DescribeResourceServer => oauth::describe_resource_server(app, admin()?, body),
        O::ListResourceServers => oauth::list_resource_servers(app, admin()?, body),
        O::UpdateResourceServer => oauth::update_resource_server(app, admin()?, body),
        O::DeleteResourceServer => oauth::delete_resource_server(app, admin()?, body),
        O::CreateIdentityProvider => oauth::create_identity_provider(app, admin()?, body),
        O::DescribeIdentityProvider => oauth::describe_identity_provider(app, admin()?, body),
        O::ListIdentityProviders => oauth::list_identity_providers(app, admin()?, body),
        O::UpdateIdentityProvider => oauth::update_identity_provider(app, admin()?, body),
        O::DeleteIdentityProvider => oauth::delete_identity_provider(app, admin()?, body),
        O::AdminLinkProviderForUser => oauth::admin_link_provider_for_user(app, admin()?, body),
        O::AdminDisableProviderForUser => {
            oauth::admin_disable_provider_for_user(app, admin()?, body)
        }
        O::GetIdentityProviderByIdentifier => {
            oauth::get_identity_provider_by_identifier(app, admin()?, body)
        }
        O::SignUp => auth::sign_up(app, body),
        O::ConfirmSignUp => auth::confirm_sign_up(app, body),
        O::ForgotPassword => auth::forgot_password(app, body),
        O::ConfirmForgotPassword => auth::confirm_forgot_password(app, body),
        O::ResendConfirmationCode => auth::resend_confirmation_code(app, body),
        O::InitiateAuth => auth::initiate_auth(app, body),
        O::RespondToAuthChallenge => auth::respond_to_auth_challenge(app, body),
        O::ChangePassword => auth::change_password(app, body),
        O::GetUser => auth::get_user(app, body),
        O::UpdateUserAttributes => auth::update_user_attributes(app, body),
        O::DeleteUserAttributes => auth::delete_user_attributes(app, body),
        O::DeleteUser => auth::delete_user(app, body),
        O::GetUserAttributeVerificationCode => {
            auth::get_user_attribute_verification_code(app, body)
        }
        O::VerifyUserAttribute => auth::verify_user_attribute(app, body),
        O::GlobalSignOut => auth::global_sign_out(app, body),
        O::AssociateSoftwareToken => mfa::associate_software_token(app, body),
        O::VerifySoftwareToken => mfa::verify_software_token(app, body),
        O::SetUserMFAPreference => mfa::set_user_mfa_preference(app, body),
        O::SetUserSettings => mfa::set_user_settings(app, body),
        O::AdminSetUserMFAPreference => mfa::admin_set_user_mfa_preference(app, admin()?, body),
        O::AdminSetUserSettings => mfa::admin_set_user_settings(app, admin()?, body),
        O::SetUserPoolMfaConfig => mfa::set_user_pool_mfa_config(app, admin()?, body),
        O::GetUserPoolMfaConfig => mfa::get_user_pool_mfa_config(app, admin()?, body),
    }
}

#[cfg(test)]
mod tests {
    //! Secrets are typed from the moment they are parsed (SPEC §14): every input shape that
    //! carries one holds it as a zeroizing, redacted `Secret`, so formatting a parsed input
    //! never shows it. A secret member typed `String` would fail here.

    use super::shapes::Secret;
    use super::*;

    const SENTINEL: &str = "Sentinel-Secret-9";

    /// Parses `body` into `T` and formats it.
    fn debug<T: serde::de::DeserializeOwned + std::fmt::Debug>(body: &str) -> String {
        match RequestBody::from_slice(body.as_bytes()).parse::<T>() {
            Ok(parsed) => format!("{parsed:?}"),
            Err(e) => panic!("{body}: {e}"),
        }
    }

    #[test]
    fn spec_14_no_input_shape_shows_a_secret_in_debug() {
        let s = SENTINEL;
        let cases: Vec<(&str, String)> = vec![
            (
                "SignUp / ConfirmSignUp / ConfirmForgotPassword",
                debug::<auth::PublicInput>(&format!(
                    r#"{{"ClientId":"c","Username":"u","Password":"{s}","SecretHash":"{s}","ConfirmationCode":"{s}"}}"#
                )),
            ),
            (
                "InitiateAuth / AdminInitiateAuth",
                debug::<auth::InitiateAuth>(&format!(
                    r#"{{"AuthFlow":"USER_PASSWORD_AUTH","AuthParameters":{{"USERNAME":"u","PASSWORD":"{s}","SRP_A":"{s}","REFRESH_TOKEN":"{s}","SECRET_HASH":"{s}"}}}}"#
                )),
            ),
            (
                "RespondToAuthChallenge / AdminRespondToAuthChallenge",
                debug::<auth::RespondToAuthChallenge>(&format!(
                    r#"{{"ChallengeName":"SMS_MFA","Session":"{s}","ChallengeResponses":{{"NEW_PASSWORD":"{s}","SMS_MFA_CODE":"{s}","PASSWORD_CLAIM_SIGNATURE":"{s}"}}}}"#
                )),
            ),
            (
                "ChangePassword / GetUser / GlobalSignOut / DeleteUser",
                debug::<auth::WithToken>(&format!(
                    r#"{{"AccessToken":"{s}","PreviousPassword":"{s}","ProposedPassword":"{s}"}}"#
                )),
            ),
            (
                "UpdateUserAttributes / DeleteUserAttributes",
                debug::<auth::AttributesWithToken>(&format!(
                    r#"{{"AccessToken":"{s}","UserAttributeNames":["email"]}}"#
                )),
            ),
            (
                "GetUserAttributeVerificationCode / VerifyUserAttribute",
                debug::<auth::AttributeCode>(&format!(
                    r#"{{"AccessToken":"{s}","AttributeName":"email","Code":"{s}"}}"#
                )),
            ),
            (
                "AssociateSoftwareToken / VerifySoftwareToken",
                debug::<mfa::TokenOrSession>(&format!(
                    r#"{{"AccessToken":"{s}","Session":"{s}","UserCode":"{s}"}}"#
                )),
            ),
            (
                "SetUserMFAPreference",
                debug::<mfa::Preference>(&format!(r#"{{"AccessToken":"{s}"}}"#)),
            ),
            (
                "SetUserSettings",
                debug::<mfa::UserSettings>(&format!(r#"{{"AccessToken":"{s}"}}"#)),
            ),
            (
                "AdminCreateUser",
                debug::<users::UserInput>(&format!(
                    r#"{{"UserPoolId":"p","Username":"u","TemporaryPassword":"{s}"}}"#
                )),
            ),
            (
                "AdminSetUserPassword",
                debug::<users::SetPassword>(&format!(
                    r#"{{"UserPoolId":"p","Username":"u","Password":"{s}","Permanent":true}}"#
                )),
            ),
            (
                "AdminImportUsers",
                debug::<users::ImportUsers>(&format!(
                    r#"{{"UserPoolId":"p","Users":[{{"Username":"u","PasswordHash":"{s}"}}]}}"#
                )),
            ),
        ];
        for (operations, formatted) in cases {
            assert!(!formatted.contains(SENTINEL), "{operations}: {formatted}");
            assert!(
                formatted.contains("<redacted>"),
                "{operations}: {formatted}"
            );
        }
    }

    #[test]
    fn a_secret_reads_back_and_formats_redacted() {
        let parsed: std::collections::BTreeMap<String, Secret> =
            crate::wire::parse(format!(r#"{{"k":"{SENTINEL}"}}"#).as_bytes())
                .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(parsed.get("k").map(Secret::expose), Some(SENTINEL));
        assert_eq!(format!("{parsed:?}"), r#"{"k": Secret(<redacted>)}"#);
    }
}
