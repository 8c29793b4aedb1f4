//! Admin user operations: AdminCreateUser, AdminGetUser, ListUsers, AdminDeleteUser,
//! AdminSetUserPassword, AdminDisableUser, AdminEnableUser, AdminConfirmSignUp,
//! AdminResetUserPassword, AdminUpdateUserAttributes, AdminUserGlobalSignOut.

use serde::Deserialize;
use serde_json::{Value, json};
use userpool::{Caller, MessageAction, Store, UserPools};
use userpool_core::{AdminSetUserPasswordInput, Constraint, Error as PoolError};

use super::shapes::{self, Attribute, Required, Secret};
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
    fn parse(body: RequestBody) -> Result<Self, Error> {
        body.parse()
    }

    /// Pool id and username, both required.
    fn target(&self) -> Result<(&str, &str), Error> {
        let mut required = Required::default();
        let pool = required.pool_id(self.user_pool_id.as_deref());
        let name = required.username(self.username.as_deref());
        required.finish()?;
        Ok((pool, name))
    }
}

/// The admin operations that take a pool and a username and answer `{}`.
fn on_user<T>(
    body: RequestBody,
    op: impl FnOnce(&str, &str) -> userpool_core::Result<T>,
) -> Result<Value, Error> {
    let input = UserInput::parse(body)?;
    let (pool, name) = input.target()?;
    op(pool, name)?;
    Ok(json!({}))
}

pub fn admin_create_user(app: &App, caller: &Caller, body: RequestBody) -> Result<Value, Error> {
    let input = UserInput::parse(body)?;
    let mut required = Required::default();
    let pool = required.pool_id(input.user_pool_id.as_deref());
    let name = required.username(input.username.as_deref());
    if let Some(password) = input.temporary_password.as_deref() {
        required.password(Some(password), "temporaryPassword");
    }
    required.finish()?;
    let action = input
        .message_action
        .as_deref()
        .map(MessageAction::parse)
        .transpose()?;
    let attributes = input.user_attributes.as_deref().unwrap_or_default();
    let user = app.pools.admin_create_user(
        caller,
        pool,
        name,
        input.temporary_password.as_deref(),
        &shapes::attribute_pairs(attributes),
        action,
    )?;
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
    let input: ImportUsers = body.parse()?;
    let mut required = Required::default();
    let pool = required.pool_id(input.user_pool_id.as_deref());
    let users = input.users.unwrap_or_default();
    for user in &users {
        required.take(user.username.as_deref(), "users.member.username");
        required.take(user.password_hash.as_deref(), "users.member.passwordHash");
    }
    required.finish()?;
    let attributes: Vec<Vec<(&str, &str)>> = users
        .iter()
        .map(|u| shapes::attribute_pairs(u.user_attributes.as_deref().unwrap_or_default()))
        .collect();
    let batch: Vec<userpool::ImportUser<'_>> = users
        .iter()
        .zip(&attributes)
        .map(|(user, attributes)| userpool::ImportUser {
            username: user.username.as_deref().unwrap_or_default(),
            attributes,
            password_hash: user.password_hash.as_deref().unwrap_or_default(),
            enabled: user.enabled,
        })
        .collect();
    let report = app.pools.admin_import_users(caller, pool, &batch)?;
    let failed: Vec<Value> = report
        .failed
        .iter()
        .map(|f| json!({ "Username": f.username, "Code": f.code, "Message": f.message }))
        .collect();
    Ok(json!({ "Imported": report.imported, "Failed": failed }))
}

pub fn admin_get_user(app: &App, caller: &Caller, body: RequestBody) -> Result<Value, Error> {
    let input = UserInput::parse(body)?;
    let (pool, name) = input.target()?;
    let user = app.pools.admin_get_user(caller, pool, name)?;
    Ok(shapes::admin_get_user(&user))
}

pub fn admin_delete_user(app: &App, caller: &Caller, body: RequestBody) -> Result<Value, Error> {
    on_user(body, |pool, name| {
        app.pools.admin_delete_user(caller, pool, name)
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
    let input = UserInput::parse(body)?;
    let (pool, name) = input.target()?;
    app.pools.admin_disable_user(caller, pool, name)?;
    Ok(json!({}))
}

pub fn admin_enable_user(app: &App, caller: &Caller, body: RequestBody) -> Result<Value, Error> {
    on_user(body, |pool, name| {
        app.pools.admin_enable_user(caller, pool, name)
    })
}

pub fn admin_confirm_sign_up(
    app: &App,
    caller: &Caller,
    body: RequestBody,
) -> Result<Value, Error> {
    on_user(body, |pool, name| {
        app.pools.admin_confirm_sign_up(caller, pool, name)
    })
}

pub fn admin_reset_user_password(
    app: &App,
    caller: &Caller,
    body: RequestBody,
) -> Result<Value, Error> {
    on_user(body, |pool, name| {
        app.pools.admin_reset_user_password(caller, pool, name)
    })
}

pub fn admin_update_user_attributes(
    app: &App,
    caller: &Caller,
    body: RequestBody,
) -> Result<Value, Error> {
    let input = UserInput::parse(body)?;
    let (pool, name) = input.target()?;
    let Some(attributes) = input.user_attributes.as_deref() else {
        return Err(PoolError::invalid_parameter("userAttributes", Constraint::Missing).into());
    };
    app.pools.admin_update_user_attributes(
        caller,
        pool,
        name,
        &shapes::attribute_pairs(attributes),
    )?;
    Ok(json!({}))
}

/// **AdminUserGlobalSignOut**: revokes every refresh token of the user and the access
/// tokens issued from them.
pub fn admin_user_global_sign_out(
    app: &App,
    caller: &Caller,
    body: RequestBody,
) -> Result<Value, Error> {
    let input = UserInput::parse(body)?;
    let (pool, name) = input.target()?;
    app.pools.admin_user_global_sign_out(caller, pool, name)?;
    Ok(json!({}))
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
    let input: ListUsers = body.parse()?;
    let mut required = Required::default();
    let pool = required.pool_id(input.user_pool_id.as_deref());
    if let Err(broken) = UserPools::<dyn Store>::list_users_limit(input.limit) {
        required.violate("limit", broken);
    }
    required.finish()?;
    let page = app.pools.list_users(
        caller,
        pool,
        input.limit,
        input.pagination_token.as_deref(),
        input.filter.as_deref(),
    )?;
    let mut users = page.users;
    if let Some(wanted) = &input.attributes_to_get {
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
    let input: DeleteAttributesInput = body.parse()?;
    let mut required = Required::default();
    let pool = required.pool_id(input.user_pool_id.as_deref());
    let name = required.username(input.username.as_deref());
    if input.user_attribute_names.is_none() {
        required.violate("userAttributeNames", Constraint::Missing);
    }
    required.finish()?;
    let names: Vec<&str> = input
        .user_attribute_names
        .iter()
        .flatten()
        .map(String::as_str)
        .collect();
    app.pools
        .admin_delete_user_attributes(caller, pool, name, &names)?;
    Ok(json!({}))
}
