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

use serde_json::{Map, Value};
use userpool::{Caller, TriggerInput};

use crate::App;
use crate::error::Error;
use crate::operation::Operation;

/// Runs `op` with its parsed input. `caller` is the verified SigV4 principal of an admin
/// operation, `None` for a public one; `user_agent` the request's `User-Agent`, for the
/// triggers' `callerContext.awsSdkVersion`.
///
/// # Errors
/// Whatever the operation fails with.
pub fn call(
    app: &App,
    op: Operation,
    caller: Option<&Caller>,
    input: Map<String, Value>,
    user_agent: Option<&str>,
) -> Result<Value, Error> {
    let mut trigger_input = trigger_input(op, &input)?;
    if let Some(sdk) = user_agent.and_then(aws_sdk_version) {
        trigger_input = trigger_input.with_aws_sdk_version(&sdk);
    }
    app.pools
        .with_trigger_input(trigger_input, || dispatch(app, op, caller, input))
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
fn trigger_input(op: Operation, input: &Map<String, Value>) -> Result<TriggerInput, Error> {
    #[derive(serde::Deserialize, Default)]
    #[serde(rename_all = "PascalCase")]
    struct Members {
        client_metadata: Option<BTreeMap<String, String>>,
        validation_data: Option<Vec<shapes::Attribute>>,
    }
    if !TAKES_CLIENT_METADATA.contains(&op) {
        return Ok(TriggerInput::default());
    }
    let takes_validation_data = matches!(op, Operation::SignUp | Operation::AdminCreateUser);
    let mut members = Map::new();
    for name in ["ClientMetadata", "ValidationData"] {
        if name == "ValidationData" && !takes_validation_data {
            continue;
        }
        if let Some(value) = input.get(name) {
            members.insert(name.to_owned(), value.clone());
        }
    }
    let members: Members = shapes::input(members)?;
    let validation_data = members
        .validation_data
        .unwrap_or_default()
        .into_iter()
        .map(|a| (a.name, a.value.unwrap_or_default()))
        .collect();
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
    input: Map<String, Value>,
) -> Result<Value, Error> {
    use Operation as O;
    let admin = || {
        caller.ok_or_else(|| {
            Error::internal(format!("{} reached without a verified caller", op.name()))
        })
    };
    match op {
        O::AdminImportUsers => users::admin_import_users(app, admin()?, input),
        O::CreateUserPool => pools::create_user_pool(app, admin()?, input),
        O::DescribeUserPool => pools::describe_user_pool(app, admin()?, input),
        O::UpdateUserPool => pools::update_user_pool(app, admin()?, input),
        O::DeleteUserPool => pools::delete_user_pool(app, admin()?, input),
        O::ListUserPools => pools::list_user_pools(app, admin()?, input),
        O::CreateUserPoolClient => pools::create_user_pool_client(app, admin()?, input),
        O::DescribeUserPoolClient => pools::describe_user_pool_client(app, admin()?, input),
        O::ListUserPoolClients => pools::list_user_pool_clients(app, admin()?, input),
        O::UpdateUserPoolClient => pools::update_user_pool_client(app, admin()?, input),
        O::DeleteUserPoolClient => pools::delete_user_pool_client(app, admin()?, input),
        O::AddCustomAttributes => pools::add_custom_attributes(app, admin()?, input),
        O::GetCSVHeader => pools::get_csv_header(app, admin()?, input),
        O::AdminDeleteUserAttributes => users::admin_delete_user_attributes(app, admin()?, input),
        O::AdminCreateUser => users::admin_create_user(app, admin()?, input),
        O::AdminGetUser => users::admin_get_user(app, admin()?, input),
        O::ListUsers => users::list_users(app, admin()?, input),
        O::AdminDeleteUser => users::admin_delete_user(app, admin()?, input),
        O::AdminSetUserPassword => users::admin_set_user_password(app, admin()?, input),
        O::AdminDisableUser => users::admin_disable_user(app, admin()?, input),
        O::AdminEnableUser => users::admin_enable_user(app, admin()?, input),
        O::AdminConfirmSignUp => users::admin_confirm_sign_up(app, admin()?, input),
        O::AdminResetUserPassword => users::admin_reset_user_password(app, admin()?, input),
        O::AdminUpdateUserAttributes => users::admin_update_user_attributes(app, admin()?, input),
        O::AdminUserGlobalSignOut => users::admin_user_global_sign_out(app, admin()?, input),
        O::AdminInitiateAuth => auth::admin_initiate_auth(app, admin()?, input),
        O::AdminRespondToAuthChallenge => {
            auth::admin_respond_to_auth_challenge(app, admin()?, input)
        }
        O::CreateGroup => groups::create_group(app, admin()?, input),
        O::GetGroup => groups::get_group(app, admin()?, input),
        O::ListGroups => groups::list_groups(app, admin()?, input),
        O::UpdateGroup => groups::update_group(app, admin()?, input),
        O::DeleteGroup => groups::delete_group(app, admin()?, input),
        O::AdminAddUserToGroup => groups::admin_add_user_to_group(app, admin()?, input),
        O::AdminRemoveUserFromGroup => groups::admin_remove_user_from_group(app, admin()?, input),
        O::AdminListGroupsForUser => groups::admin_list_groups_for_user(app, admin()?, input),
        O::ListUsersInGroup => groups::list_users_in_group(app, admin()?, input),
        O::CreateUserPoolDomain => oauth::create_user_pool_domain(app, admin()?, input),
        O::DescribeUserPoolDomain => oauth::describe_user_pool_domain(app, admin()?, input),
        O::UpdateUserPoolDomain => oauth::update_user_pool_domain(app, admin()?, input),
        O::DeleteUserPoolDomain => oauth::delete_user_pool_domain(app, admin()?, input),
        O::CreateResourceServer => oauth::create_resource_server(app, admin()?, input),
        O::DescribeResourceServer => oauth::describe_resource_server(app, admin()?, input),
        O::ListResourceServers => oauth::list_resource_servers(app, admin()?, input),
        O::UpdateResourceServer => oauth::update_resource_server(app, admin()?, input),
        O::DeleteResourceServer => oauth::delete_resource_server(app, admin()?, input),
        O::CreateIdentityProvider => oauth::create_identity_provider(app, admin()?, input),
        O::DescribeIdentityProvider => oauth::describe_identity_provider(app, admin()?, input),
        O::ListIdentityProviders => oauth::list_identity_providers(app, admin()?, input),
        O::UpdateIdentityProvider => oauth::update_identity_provider(app, admin()?, input),
        O::DeleteIdentityProvider => oauth::delete_identity_provider(app, admin()?, input),
        O::AdminLinkProviderForUser => oauth::admin_link_provider_for_user(app, admin()?, input),
        O::AdminDisableProviderForUser => {
            oauth::admin_disable_provider_for_user(app, admin()?, input)
        }
        O::GetIdentityProviderByIdentifier => {
            oauth::get_identity_provider_by_identifier(app, admin()?, input)
        }
        O::SignUp => auth::sign_up(app, input),
        O::ConfirmSignUp => auth::confirm_sign_up(app, input),
        O::ForgotPassword => auth::forgot_password(app, input),
        O::ConfirmForgotPassword => auth::confirm_forgot_password(app, input),
        O::ResendConfirmationCode => auth::resend_confirmation_code(app, input),
        O::InitiateAuth => auth::initiate_auth(app, input),
        O::RespondToAuthChallenge => auth::respond_to_auth_challenge(app, input),
        O::ChangePassword => auth::change_password(app, input),
        O::GetUser => auth::get_user(app, input),
        O::UpdateUserAttributes => auth::update_user_attributes(app, input),
        O::DeleteUserAttributes => auth::delete_user_attributes(app, input),
        O::DeleteUser => auth::delete_user(app, input),
        O::GetUserAttributeVerificationCode => {
            auth::get_user_attribute_verification_code(app, input)
        }
        O::VerifyUserAttribute => auth::verify_user_attribute(app, input),
        O::GlobalSignOut => auth::global_sign_out(app, input),
        O::AssociateSoftwareToken => mfa::associate_software_token(app, input),
        O::VerifySoftwareToken => mfa::verify_software_token(app, input),
        O::SetUserMFAPreference => mfa::set_user_mfa_preference(app, input),
        O::SetUserSettings => mfa::set_user_settings(app, input),
        O::AdminSetUserMFAPreference => mfa::admin_set_user_mfa_preference(app, admin()?, input),
        O::AdminSetUserSettings => mfa::admin_set_user_settings(app, admin()?, input),
        O::SetUserPoolMfaConfig => mfa::set_user_pool_mfa_config(app, admin()?, input),
        O::GetUserPoolMfaConfig => mfa::get_user_pool_mfa_config(app, admin()?, input),
    }
}
