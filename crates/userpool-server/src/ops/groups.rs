//! Group operations (SPEC §17): CreateGroup, GetGroup, ListGroups, UpdateGroup,
//! DeleteGroup, AdminAddUserToGroup, AdminRemoveUserFromGroup, AdminListGroupsForUser,
//! ListUsersInGroup. Every decision (validation, paging, errors) is the service's; this
//! module reads the members and writes Cognito's `GroupType`.

use serde::Deserialize;
use serde_json::{Value, json};
use userpool::{Caller, GroupPage, GroupRecord, GroupSettings};
use userpool_core::Constraint;

use super::shapes::{self, Required};
use crate::App;
use crate::error::Error;
use crate::wire::RequestBody;

/// The members of the group operations.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GroupInput {
    user_pool_id: Option<String>,
    group_name: Option<String>,
    username: Option<String>,
    description: Option<String>,
    role_arn: Option<String>,
    precedence: Option<i64>,
    limit: Option<i64>,
    next_token: Option<String>,
}

impl GroupInput {
    fn parse(body: RequestBody) -> Result<Self, Error> {
        body.parse()
    }

    fn settings(&self) -> GroupSettings {
        GroupSettings {
            description: self.description.clone(),
            role_arn: self.role_arn.clone(),
            precedence: self.precedence,
        }
    }

    /// `Limit` as the wire model allows it (0..=60, 0 or absent meaning 60), for the
    /// service, which takes 1..=60; out of the model's range, a violation.
    fn limit(&self, required: &mut Required) -> Option<usize> {
        match self.limit {
            None | Some(0) => None,
            Some(n @ 1..=60) => usize::try_from(n).ok(),
            Some(_) => {
                required.violate("limit", Constraint::OutOfRange { min: 0, max: 60 });
                None
            }
        }
    }
}

/// `GroupType`: absent optional members are left out, as Cognito does.
fn group_type(group: &GroupRecord) -> Value {
    let mut out = json!({
        "GroupName": group.name,
        "UserPoolId": group.pool_id.as_str(),
        "LastModifiedDate": shapes::epoch(group.modified_at),
        "CreationDate": shapes::epoch(group.created_at),
    });
    if let Some(description) = &group.description {
        out["Description"] = json!(description);
    }
    if let Some(role) = &group.role_arn {
        out["RoleArn"] = json!(role);
    }
    if let Some(precedence) = group.precedence {
        out["Precedence"] = json!(precedence);
    }
    out
}

fn group_page(page: &GroupPage) -> Value {
    let mut out = json!({ "Groups": page.groups.iter().map(group_type).collect::<Vec<_>>() });
    if let Some(token) = &page.next_token {
        out["NextToken"] = json!(token);
    }
    out
}

/// The members of the operations on one group: pool and group name, both required.
fn pool_and_group(input: &GroupInput) -> Result<(&str, &str), Error> {
    let mut required = Required::default();
    let pool = required.pool_id(input.user_pool_id.as_deref());
    let name = required.take(input.group_name.as_deref(), "groupName");
    required.finish()?;
    Ok((pool, name))
}

/// **CreateGroup**: `{"Group": GroupType}`.
pub fn create_group(app: &App, caller: &Caller, body: RequestBody) -> Result<Value, Error> {
    let input = GroupInput::parse(body)?;
    let (pool, name) = pool_and_group(&input)?;
    let group = app
        .pools
        .create_group(caller, pool, name, &input.settings())?;
    Ok(json!({ "Group": group_type(&group) }))
}

/// **GetGroup**: `{"Group": GroupType}`.
pub fn get_group(app: &App, caller: &Caller, body: RequestBody) -> Result<Value, Error> {
    let input = GroupInput::parse(body)?;
    let (pool, name) = pool_and_group(&input)?;
    let group = app.pools.get_group(caller, pool, name)?;
    Ok(json!({ "Group": group_type(&group) }))
}

/// **UpdateGroup**: `{"Group": GroupType}`; members left out keep their values.
pub fn update_group(app: &App, caller: &Caller, body: RequestBody) -> Result<Value, Error> {
    let input = GroupInput::parse(body)?;
    let (pool, name) = pool_and_group(&input)?;
    let group = app
        .pools
        .update_group(caller, pool, name, &input.settings())?;
    Ok(json!({ "Group": group_type(&group) }))
}

/// **DeleteGroup**: `{}`.
pub fn delete_group(app: &App, caller: &Caller, body: RequestBody) -> Result<Value, Error> {
    let input = GroupInput::parse(body)?;
    let (pool, name) = pool_and_group(&input)?;
    app.pools.delete_group(caller, pool, name)?;
    Ok(json!({}))
}

/// **ListGroups**: `{"Groups": [GroupType], "NextToken"?}`.
pub fn list_groups(app: &App, caller: &Caller, body: RequestBody) -> Result<Value, Error> {
    let input = GroupInput::parse(body)?;
    let mut required = Required::default();
    let pool = required.pool_id(input.user_pool_id.as_deref());
    let limit = input.limit(&mut required);
    required.finish()?;
    let page = app
        .pools
        .list_groups(caller, pool, limit, input.next_token.as_deref())?;
    Ok(group_page(&page))
}

/// The membership operations' members: pool, username and group, all required.
fn membership(input: &GroupInput) -> Result<(&str, &str, &str), Error> {
    let mut required = Required::default();
    let pool = required.pool_id(input.user_pool_id.as_deref());
    let user = required.username(input.username.as_deref());
    let group = required.take(input.group_name.as_deref(), "groupName");
    required.finish()?;
    Ok((pool, user, group))
}

/// **AdminAddUserToGroup**: `{}`.
pub fn admin_add_user_to_group(
    app: &App,
    caller: &Caller,
    body: RequestBody,
) -> Result<Value, Error> {
    let input = GroupInput::parse(body)?;
    let (pool, user, group) = membership(&input)?;
    app.pools
        .admin_add_user_to_group(caller, pool, user, group)?;
    Ok(json!({}))
}

/// **AdminRemoveUserFromGroup**: `{}`.
pub fn admin_remove_user_from_group(
    app: &App,
    caller: &Caller,
    body: RequestBody,
) -> Result<Value, Error> {
    let input = GroupInput::parse(body)?;
    let (pool, user, group) = membership(&input)?;
    app.pools
        .admin_remove_user_from_group(caller, pool, user, group)?;
    Ok(json!({}))
}

/// **AdminListGroupsForUser**: `{"Groups": [GroupType], "NextToken"?}`.
pub fn admin_list_groups_for_user(
    app: &App,
    caller: &Caller,
    body: RequestBody,
) -> Result<Value, Error> {
    let input = GroupInput::parse(body)?;
    let mut required = Required::default();
    let pool = required.pool_id(input.user_pool_id.as_deref());
    let user = required.username(input.username.as_deref());
    let limit = input.limit(&mut required);
    required.finish()?;
    let page = app.pools.admin_list_groups_for_user(
        caller,
        pool,
        user,
        limit,
        input.next_token.as_deref(),
    )?;
    Ok(group_page(&page))
}

/// **ListUsersInGroup**: `{"Users": [UserType], "NextToken"?}`.
pub fn list_users_in_group(app: &App, caller: &Caller, body: RequestBody) -> Result<Value, Error> {
    let input = GroupInput::parse(body)?;
    let mut required = Required::default();
    let pool = required.pool_id(input.user_pool_id.as_deref());
    let group = required.take(input.group_name.as_deref(), "groupName");
    let limit = input.limit(&mut required);
    required.finish()?;
    let page =
        app.pools
            .list_users_in_group(caller, pool, group, limit, input.next_token.as_deref())?;
    let mut out = json!({ "Users": page.users.iter().map(shapes::user_type).collect::<Vec<_>>() });
    if let Some(token) = &page.next_token {
        out["NextToken"] = json!(token);
    }
    Ok(out)
}
