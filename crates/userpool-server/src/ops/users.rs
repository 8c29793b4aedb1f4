//! Admin user operations: AdminCreateUser, AdminGetUser, ListUsers, AdminDeleteUser,
//! AdminSetUserPassword, AdminDisableUser, AdminEnableUser, AdminConfirmSignUp,
//! AdminResetUserPassword, AdminUpdateUserAttributes, AdminUserGlobalSignOut.

use serde::Deserialize;
use serde_json::{Value, json};
use userpool::Caller;
use userpool::inputs::{
    AdminCreateUserInput, AdminDeleteUserAttributesInput, AdminImportUsersInput,
    AdminUpdateUserAttributesInput, AdminUserInput, ImportUserMembers, ListUsersInput,
};
use userpool_core::AdminSetUserPasswordInput;

use super::shapes::{self, Attribute, Secret};
use crate::App;
use crate::error::Error;
use crate::wire::RequestBody;

/// The members most admin user operations share.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct UserInput {
    user_pool_id: Option<String>,
    username: Option<String>,
    temporary_password: Option<Secret>,
    message_action: Option<String>,
    user_attributes: Option<Vec<Attribute>>,
}

impl UserInput {
    /// The pool and the user, both required.
    fn target(&self) -> Result<AdminUserInput, Error> {
        Ok(AdminUserInput::parse(
            self.user_pool_id.as_deref(),
            self.username.as_deref(),
        )?)
    }
}

/// The pool and the user of an admin operation on one user.
fn target(body: RequestBody) -> Result<AdminUserInput, Error> {
    body.parse::<UserInput>()?.target()
}

/// The admin operations that take a pool and a username and answer `{}`.
fn on_user<T>(
    body: RequestBody,
    op: impl FnOnce(&AdminUserInput) -> userpool_core::Result<T>,
) -> Result<Value, Error> {
    op(&target(body)?)?;
    Ok(json!({}))
}

pub fn admin_create_user(app: &App, caller: &Caller, body: RequestBody) -> Result<Value, Error> {
    let wire: UserInput = body.parse()?;
    let attributes = wire.user_attributes.as_deref().unwrap_or_default();
    let input = AdminCreateUserInput::parse(
        wire.user_pool_id.as_deref(),
        wire.username.as_deref(),
        wire.temporary_password.as_deref(),
        &shapes::attribute_pairs(attributes),
        wire.message_action.as_deref(),
    )?;
    let user = app.pools.admin_create_user_input(caller, &input)?;
    Ok(json!({ "User": shapes::user_type(&user) }))
}

/// `Userpool.AdminImportUsers`'s members (SPEC §19).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ImportUsers {
    user_pool_id: Option<String>,
    users: Option<Vec<ImportedUser>>,
}

/// One user of AdminImportUsers; the hash is a credential, held as a secret.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ImportedUser {
    username: Option<String>,
    user_attributes: Option<Vec<Attribute>>,
    password_hash: Option<Secret>,
    enabled: Option<bool>,
}

/// `Userpool.AdminImportUsers` (SPEC §19): `{"UserPoolId", "Users": [{"Username",
/// "UserAttributes", "PasswordHash", "Enabled"?}]}` → `{"Imported": n, "Failed": [{"Username",
/// "Code", "Message"}]}`.
pub fn admin_import_users(app: &App, caller: &Caller, body: RequestBody) -> Result<Value, Error> {
    let wire: ImportUsers = body.parse()?;
    let users = wire.users.unwrap_or_default();
    let attributes: Vec<Vec<(&str, &str)>> = users
        .iter()
        .map(|u| shapes::attribute_pairs(u.user_attributes.as_deref().unwrap_or_default()))
        .collect();
    let members: Vec<ImportUserMembers<'_>> = users
        .iter()
        .zip(&attributes)
        .map(|(user, attributes)| ImportUserMembers {
            username: user.username.as_deref(),
            attributes,
            password_hash: user.password_hash.as_deref(),
            enabled: user.enabled,
        })
        .collect();
    let input = AdminImportUsersInput::parse(wire.user_pool_id.as_deref(), &members)?;
    let report = app.pools.admin_import_users_input(caller, &input)?;
    let failed: Vec<Value> = report
        .failed
        .iter()
        .map(|f| json!({ "Username": f.username, "Code": f.code, "Message": f.message }))
        .collect();
    Ok(json!({ "Imported": report.imported, "Failed": failed }))
}

pub fn admin_get_user(app: &App, caller: &Caller, body: RequestBody) -> Result<Value, Error> {
    let user = app.pools.admin_get_user_input(caller, &target(body)?)?;
    Ok(shapes::admin_get_user(&user))
}

pub fn admin_delete_user(app: &App, caller: &Caller, body: RequestBody) -> Result<Value, Error> {
    on_user(body, |input| {
        app.pools.admin_delete_user_input(caller, input)
    })
}

/// AdminSetUserPassword's members; the password is zeroized when dropped.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct SetPassword {
    user_pool_id: Option<String>,
    username: Option<String>,
    password: Option<Secret>,
    permanent: Option<bool>,
}

/// **AdminSetUserPassword**: `{}` on success, as Cognito.
pub fn admin_set_user_password(
    app: &App,
    caller: &Caller,
    body: RequestBody,
) -> Result<Value, Error> {
    let input: SetPassword = body.parse()?;
    // One validation of every member, missing ones included, in Cognito's order.
    let input = AdminSetUserPasswordInput::parse(
        input.user_pool_id.as_deref(),
        input.username.as_deref(),
        input.password.as_deref(),
        input.permanent,
    )?;
    app.pools.admin_set_user_password_input(caller, &input)?;
    Ok(json!({}))
}

/// **AdminDisableUser**: the user can no longer sign in, and every token issued to them is
/// revoked, as Cognito documents.
pub fn admin_disable_user(app: &App, caller: &Caller, body: RequestBody) -> Result<Value, Error> {
    on_user(body, |input| {
        app.pools.admin_disable_user_input(caller, input)
    })
}

pub fn admin_enable_user(app: &App, caller: &Caller, body: RequestBody) -> Result<Value, Error> {
    on_user(body, |input| {
        app.pools.admin_enable_user_input(caller, input)
    })
}

pub fn admin_confirm_sign_up(
    app: &App,
    caller: &Caller,
    body: RequestBody,
) -> Result<Value, Error> {
    on_user(body, |input| {
        app.pools.admin_confirm_sign_up_input(caller, input)
    })
}

pub fn admin_reset_user_password(
    app: &App,
    caller: &Caller,
    body: RequestBody,
) -> Result<Value, Error> {
    on_user(body, |input| {
        app.pools.admin_reset_user_password_input(caller, input)
    })
}

pub fn admin_update_user_attributes(
    app: &App,
    caller: &Caller,
    body: RequestBody,
) -> Result<Value, Error> {
    let wire: UserInput = body.parse()?;
    let attributes = wire.user_attributes.as_deref().map(shapes::attribute_pairs);
    let input = AdminUpdateUserAttributesInput::parse(
        wire.user_pool_id.as_deref(),
        wire.username.as_deref(),
        attributes.as_deref(),
    )?;
    app.pools
        .admin_update_user_attributes_input(caller, &input)?;
    Ok(json!({}))
}

/// **AdminUserGlobalSignOut**: revokes every refresh token of the user and the access
/// tokens issued from them.
pub fn admin_user_global_sign_out(
    app: &App,
    caller: &Caller,
    body: RequestBody,
) -> Result<Value, Error> {
    on_user(body, |input| {
        app.pools.admin_user_global_sign_out_input(caller, input)
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListUsers {
    user_pool_id: Option<String>,
    limit: Option<i64>,
    pagination_token: Option<String>,
    filter: Option<String>,
    attributes_to_get: Option<Vec<String>>,
}

/// **ListUsers**: the service pages, filters and authorises; `AttributesToGet` picks the
/// attributes each listed user carries.
pub fn list_users(app: &App, caller: &Caller, body: RequestBody) -> Result<Value, Error> {
    let wire: ListUsers = body.parse()?;
    let input = ListUsersInput::parse(
        wire.user_pool_id.as_deref(),
        wire.limit,
        wire.pagination_token.as_deref(),
        wire.filter.as_deref(),
    )?;
    let page = app.pools.list_users_input(caller, &input)?;
    let mut users = page.users;
    if let Some(wanted) = &wire.attributes_to_get {
        for user in &mut users {
            user.attributes.retain(|name, _| wanted.contains(name));
        }
    }
    let mut out = json!({ "Users": users.iter().map(shapes::user_type).collect::<Vec<_>>() });
    if let Some(token) = page.pagination_token {
        out["PaginationToken"] = json!(token);
    }
    Ok(out)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DeleteAttributesInput {
    user_pool_id: Option<String>,
    username: Option<String>,
    user_attribute_names: Option<Vec<String>>,
}

/// **AdminDeleteUserAttributes**.
pub fn admin_delete_user_attributes(
    app: &App,
    caller: &Caller,
    body: RequestBody,
) -> Result<Value, Error> {
    let wire: DeleteAttributesInput = body.parse()?;
    let names: Option<Vec<&str>> = wire
        .user_attribute_names
        .as_ref()
        .map(|names| names.iter().map(String::as_str).collect());
    let input = AdminDeleteUserAttributesInput::parse(
        wire.user_pool_id.as_deref(),
        wire.username.as_deref(),
        names.as_deref(),
    )?;
    app.pools
        .admin_delete_user_attributes_input(caller, &input)?;
    Ok(json!({}))
}
