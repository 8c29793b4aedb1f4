//! Group operations (SPEC §17): CreateGroup, GetGroup, ListGroups, UpdateGroup,
//! DeleteGroup, AdminAddUserToGroup, AdminRemoveUserFromGroup, AdminListGroupsForUser,
//! ListUsersInGroup. Every decision (validation, paging, errors) is the service's; this
//! module reads the members and writes Cognito's `GroupType`.

use serde::Deserialize;
use serde_json::{Value, json};
use userpool::inputs::{
    AdminListGroupsForUserInput, GroupWriteInput, ListGroupsInput, ListUsersInGroupInput,
    MembershipInput,
};
use userpool::{Caller, GroupPage, GroupRecord, GroupSettings};

use super::shapes;
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

    /// The pool and the group, both required.
    fn group(&self) -> Result<userpool::inputs::GroupInput, Error> {
        Ok(userpool::inputs::GroupInput::parse(
            self.user_pool_id.as_deref(),
            self.group_name.as_deref(),
        )?)
    }

    /// The members of CreateGroup and UpdateGroup.
    fn write(&self) -> Result<GroupWriteInput, Error> {
        Ok(GroupWriteInput::parse(
            self.user_pool_id.as_deref(),
            self.group_name.as_deref(),
            &self.settings(),
        )?)
    }

    /// The members of AdminAddUserToGroup and AdminRemoveUserFromGroup.
    fn membership(&self) -> Result<MembershipInput, Error> {
        Ok(MembershipInput::parse(
            self.user_pool_id.as_deref(),
            self.username.as_deref(),
            self.group_name.as_deref(),
        )?)
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

/// **CreateGroup**: `{"Group": GroupType}`.
pub fn create_group(app: &App, caller: &Caller, body: RequestBody) -> Result<Value, Error> {
    let input = GroupInput::parse(body)?.write()?;
    let group = app.pools.create_group_input(caller, &input)?;
    Ok(json!({ "Group": group_type(&group) }))
}

/// **GetGroup**: `{"Group": GroupType}`.
pub fn get_group(app: &App, caller: &Caller, body: RequestBody) -> Result<Value, Error> {
    let input = GroupInput::parse(body)?.group()?;
    let group = app.pools.get_group_input(caller, &input)?;
    Ok(json!({ "Group": group_type(&group) }))
}

/// **UpdateGroup**: `{"Group": GroupType}`; members left out keep their values.
pub fn update_group(app: &App, caller: &Caller, body: RequestBody) -> Result<Value, Error> {
    let input = GroupInput::parse(body)?.write()?;
    let group = app.pools.update_group_input(caller, &input)?;
    Ok(json!({ "Group": group_type(&group) }))
}

/// **DeleteGroup**: `{}`.
pub fn delete_group(app: &App, caller: &Caller, body: RequestBody) -> Result<Value, Error> {
    let input = GroupInput::parse(body)?.group()?;
    app.pools.delete_group_input(caller, &input)?;
    Ok(json!({}))
}

/// **ListGroups**: `{"Groups": [GroupType], "NextToken"?}`.
pub fn list_groups(app: &App, caller: &Caller, body: RequestBody) -> Result<Value, Error> {
    let wire = GroupInput::parse(body)?;
    let input = ListGroupsInput::parse(
        wire.user_pool_id.as_deref(),
        wire.limit,
        wire.next_token.as_deref(),
    )?;
    let page = app.pools.list_groups_input(caller, &input)?;
    Ok(group_page(&page))
}

/// **AdminAddUserToGroup**: `{}`.
pub fn admin_add_user_to_group(
    app: &App,
    caller: &Caller,
    body: RequestBody,
) -> Result<Value, Error> {
    let input = GroupInput::parse(body)?.membership()?;
    app.pools.admin_add_user_to_group_input(caller, &input)?;
    Ok(json!({}))
}

/// **AdminRemoveUserFromGroup**: `{}`.
pub fn admin_remove_user_from_group(
    app: &App,
    caller: &Caller,
    body: RequestBody,
) -> Result<Value, Error> {
    let input = GroupInput::parse(body)?.membership()?;
    app.pools
        .admin_remove_user_from_group_input(caller, &input)?;
    Ok(json!({}))
}

/// **AdminListGroupsForUser**: `{"Groups": [GroupType], "NextToken"?}`.
pub fn admin_list_groups_for_user(
    app: &App,
    caller: &Caller,
    body: RequestBody,
) -> Result<Value, Error> {
    let wire = GroupInput::parse(body)?;
    let input = AdminListGroupsForUserInput::parse(
        wire.user_pool_id.as_deref(),
        wire.username.as_deref(),
        wire.limit,
        wire.next_token.as_deref(),
    )?;
    let page = app.pools.admin_list_groups_for_user_input(caller, &input)?;
    Ok(group_page(&page))
}

/// **ListUsersInGroup**: `{"Users": [UserType], "NextToken"?}`.
pub fn list_users_in_group(app: &App, caller: &Caller, body: RequestBody) -> Result<Value, Error> {
    let wire = GroupInput::parse(body)?;
    let input = ListUsersInGroupInput::parse(
        wire.user_pool_id.as_deref(),
        wire.group_name.as_deref(),
        wire.limit,
        wire.next_token.as_deref(),
    )?;
    let page = app.pools.list_users_in_group_input(caller, &input)?;
    let mut out = json!({ "Users": page.users.iter().map(shapes::user_type).collect::<Vec<_>>() });
    if let Some(token) = &page.next_token {
        out["NextToken"] = json!(token);
    }
    Ok(out)
}
