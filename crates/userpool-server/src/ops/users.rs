//! Admin user operations: AdminCreateUser, AdminGetUser, ListUsers, AdminDeleteUser,
//! AdminSetUserPassword, AdminDisableUser, AdminEnableUser, AdminConfirmSignUp,
//! AdminResetUserPassword, AdminUpdateUserAttributes, AdminUserGlobalSignOut.

use serde::Deserialize;
use serde_json::{Map, Value, json};
use userpool_core::{Constraint, Error as PoolError, UserPoolId};
use userpool_store::{Caller, MessageAction, UserDescription};

use super::shapes::{self, Attribute, Required};
use crate::App;
use crate::error::Error;

/// The members most admin user operations share.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UserInput {
    user_pool_id: Option<String>,
    username: Option<String>,
    temporary_password: Option<String>,
    password: Option<String>,
    permanent: Option<bool>,
    message_action: Option<String>,
    user_attributes: Option<Vec<Attribute>>,
}

impl UserInput {
    fn parse(input: Map<String, Value>) -> Result<Self, Error> {
        shapes::input(input)
    }

    /// Pool id and username, both required.
    fn target(&self) -> Result<(&str, &str), Error> {
        let mut required = Required::default();
        let pool = required.take(self.user_pool_id.as_deref(), "userPoolId");
        let name = required.take(self.username.as_deref(), "username");
        required.finish()?;
        Ok((pool, name))
    }
}

pub fn admin_create_user(
    app: &App,
    caller: &Caller,
    input: Map<String, Value>,
) -> Result<Value, Error> {
    let input = UserInput::parse(input)?;
    let (pool, name) = input.target()?;
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

pub fn admin_get_user(
    app: &App,
    caller: &Caller,
    input: Map<String, Value>,
) -> Result<Value, Error> {
    let input = UserInput::parse(input)?;
    let (pool, name) = input.target()?;
    let user = app.pools.admin_get_user(caller, pool, name)?;
    Ok(shapes::admin_get_user(&user))
}

pub fn admin_delete_user(
    app: &App,
    caller: &Caller,
    input: Map<String, Value>,
) -> Result<Value, Error> {
    let input = UserInput::parse(input)?;
    let (pool, name) = input.target()?;
    app.pools.admin_delete_user(caller, pool, name)?;
    Ok(json!({}))
}

/// **AdminSetUserPassword**: `{}` on success, as Cognito.
pub fn admin_set_user_password(
    app: &App,
    caller: &Caller,
    input: Map<String, Value>,
) -> Result<Value, Error> {
    let input = UserInput::parse(input)?;
    let mut required = Required::default();
    let pool = required.take(input.user_pool_id.as_deref(), "userPoolId");
    let name = required.take(input.username.as_deref(), "username");
    let password = required.take(input.password.as_deref(), "password");
    required.finish()?;
    app.pools
        .admin_set_user_password(caller, pool, name, password, input.permanent)?;
    Ok(json!({}))
}

/// **AdminDisableUser**: the user can no longer sign in, and every token issued to them is
/// revoked, as Cognito documents.
pub fn admin_disable_user(
    app: &App,
    caller: &Caller,
    input: Map<String, Value>,
) -> Result<Value, Error> {
    let input = UserInput::parse(input)?;
    let (pool, name) = input.target()?;
    let user = app.pools.admin_disable_user(caller, pool, name)?;
    revoke(app, pool, &user)?;
    Ok(json!({}))
}

pub fn admin_enable_user(
    app: &App,
    caller: &Caller,
    input: Map<String, Value>,
) -> Result<Value, Error> {
    let input = UserInput::parse(input)?;
    let (pool, name) = input.target()?;
    app.pools.admin_enable_user(caller, pool, name)?;
    Ok(json!({}))
}

pub fn admin_confirm_sign_up(
    app: &App,
    caller: &Caller,
    input: Map<String, Value>,
) -> Result<Value, Error> {
    let input = UserInput::parse(input)?;
    let (pool, name) = input.target()?;
    app.pools.admin_confirm_sign_up(caller, pool, name)?;
    Ok(json!({}))
}

pub fn admin_reset_user_password(
    app: &App,
    caller: &Caller,
    input: Map<String, Value>,
) -> Result<Value, Error> {
    let input = UserInput::parse(input)?;
    let (pool, name) = input.target()?;
    app.pools.admin_reset_user_password(caller, pool, name)?;
    Ok(json!({}))
}

pub fn admin_update_user_attributes(
    app: &App,
    caller: &Caller,
    input: Map<String, Value>,
) -> Result<Value, Error> {
    let input = UserInput::parse(input)?;
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
    input: Map<String, Value>,
) -> Result<Value, Error> {
    let input = UserInput::parse(input)?;
    let (pool, name) = input.target()?;
    // AdminGetUser authorises, rate-limits and resolves (username, alias, sub) as every
    // admin operation does.
    let user = app.pools.admin_get_user(caller, pool, name)?;
    revoke(app, pool, &user)?;
    Ok(json!({}))
}

fn revoke(app: &App, pool: &str, user: &UserDescription) -> Result<(), Error> {
    let pool = UserPoolId::parse(pool)?;
    app.tokens.revoke_user(&pool, user.sub)?;
    Ok(())
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

/// **ListUsers**, with Cognito's `Filter` (`name = "value"` or `name ^= "prefix"` on
/// `username`, `email`, `phone_number`, `name`, `given_name`, `family_name`,
/// `preferred_username`, `cognito:user_status`, `status`, `sub`) and `AttributesToGet`.
pub fn list_users(app: &App, caller: &Caller, input: Map<String, Value>) -> Result<Value, Error> {
    let input: ListUsers = shapes::input(input)?;
    let mut required = Required::default();
    let pool = required.take(input.user_pool_id.as_deref(), "userPoolId");
    required.finish()?;
    let limit = match input.limit {
        None | Some(0) => 60,
        Some(n) => usize::try_from(n).unwrap_or(usize::MAX),
    };
    let filter = input.filter.as_deref().map(Filter::parse).transpose()?;
    let (mut users, token) = match &filter {
        None => {
            let page = app.pools.list_users(
                caller,
                pool,
                Some(limit),
                input.pagination_token.as_deref(),
            )?;
            (page.users, page.pagination_token)
        }
        Some(filter) => {
            if !(1..=60).contains(&limit) {
                return Err(PoolError::invalid_parameter(
                    "limit",
                    Constraint::OutOfRange { min: 0, max: 60 },
                )
                .into());
            }
            // Scan page by page from the token, keeping matches, until the page is full.
            let mut matched = Vec::new();
            let mut after = input.pagination_token.clone();
            loop {
                let page = app
                    .pools
                    .list_users(caller, pool, Some(60), after.as_deref())?;
                let mut users = page.users.into_iter();
                for user in users.by_ref() {
                    if filter.matches(&user) {
                        matched.push(user);
                        if matched.len() == limit {
                            break;
                        }
                    }
                }
                if matched.len() == limit {
                    // More may follow: resume after the last user returned.
                    let more = users.next().is_some() || page.pagination_token.is_some();
                    let token = more
                        .then(|| matched.last().map(|u| resume_after(app, caller, pool, u)))
                        .flatten()
                        .transpose()?;
                    break (matched, token);
                }
                match page.pagination_token {
                    Some(next) => after = Some(next),
                    None => break (matched, None),
                }
            }
        }
    };
    if let Some(wanted) = &input.attributes_to_get {
        for user in &mut users {
            user.attributes.retain(|name, _| wanted.contains(name));
        }
    }
    let mut out = json!({ "Users": users.iter().map(shapes::user_type).collect::<Vec<_>>() });
    if let Some(token) = token {
        out["PaginationToken"] = json!(token);
    }
    Ok(out)
}

/// The pagination token that resumes after `user`: the store's key for it, which is what
/// the service's own pages hand out (a one-user page starting before it would be wasteful,
/// so ask for the page of exactly that user's predecessor boundary).
fn resume_after(
    app: &App,
    caller: &Caller,
    pool: &str,
    user: &UserDescription,
) -> Result<String, Error> {
    let id = UserPoolId::parse(pool)?;
    let record = app.pools.describe_user_pool(caller, id.as_str())?;
    Ok(userpool_store::keys::username_key(&record, &user.username))
}

/// A parsed `Filter`.
#[derive(Debug, PartialEq, Eq)]
struct Filter {
    attribute: String,
    prefix: bool,
    value: String,
}

const FILTERABLE: &[&str] = &[
    "username",
    "email",
    "phone_number",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
    "cognito:user_status",
    "status",
    "sub",
];

impl Filter {
    fn parse(text: &str) -> Result<Filter, Error> {
        let invalid = || PoolError::InvalidParameterMessage("Error while parsing filter.".into());
        let (attribute, rest, prefix) = if let Some((a, r)) = text.split_once("^=") {
            (a, r, true)
        } else if let Some((a, r)) = text.split_once('=') {
            (a, r, false)
        } else {
            return Err(invalid().into());
        };
        let attribute = attribute.trim().trim_matches('"');
        let value = rest
            .trim()
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .ok_or_else(invalid)?;
        if !FILTERABLE.contains(&attribute) {
            return Err(PoolError::InvalidParameterMessage(format!(
                "Invalid search attribute: {attribute}"
            ))
            .into());
        }
        Ok(Filter {
            attribute: attribute.to_owned(),
            prefix,
            value: value.to_owned(),
        })
    }

    fn matches(&self, user: &UserDescription) -> bool {
        let status = user.status.to_string();
        let actual = match self.attribute.as_str() {
            "username" => Some(user.username.as_str()),
            "cognito:user_status" => Some(status.as_str()),
            "status" => Some(if user.enabled { "Enabled" } else { "Disabled" }),
            other => user.attributes.get(other).map(String::as_str),
        };
        actual.is_some_and(|v| {
            if self.prefix {
                v.starts_with(&self.value)
            } else {
                v == self.value
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_parse_as_cognito_writes_them() {
        let f = Filter::parse(r#"email = "diego@example.com""#).ok();
        assert_eq!(
            f,
            Some(Filter {
                attribute: "email".into(),
                prefix: false,
                value: "diego@example.com".into()
            })
        );
        let f = Filter::parse(r#"username ^= "di""#).ok();
        assert!(f.is_some_and(|f| f.prefix && f.value == "di"));
        let f = Filter::parse(r#""cognito:user_status" = "FORCE_CHANGE_PASSWORD""#).ok();
        assert!(f.is_some_and(|f| f.attribute == "cognito:user_status"));
        for bad in ["email", r#"email = diego"#, r#"custom:x = "1""#, ""] {
            let err = Filter::parse(bad).err();
            assert_eq!(
                err.map(|e| e.code()),
                Some("InvalidParameterException"),
                "{bad}"
            );
        }
    }
}
