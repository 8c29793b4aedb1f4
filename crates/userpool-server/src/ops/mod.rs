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

use serde_json::Value;
use userpool::Caller;

use crate::App;
use crate::error::Error;
use crate::operation::Operation;
use crate::wire::RequestBody;

/// Runs `op` on its request body, which the operation parses into its typed input (and
/// wipes). `caller` is the verified SigV4 principal of an admin
/// operation, `None` for a public one.
///
/// # Errors
/// Whatever the operation fails with.
pub fn call(
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
