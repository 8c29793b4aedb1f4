//! Group operations (SPEC §17): CreateGroup, GetGroup, ListGroups, UpdateGroup,
//! DeleteGroup, AdminAddUserToGroup, AdminRemoveUserFromGroup, AdminListGroupsForUser,
//! ListUsersInGroup.
//!
//! Each asks the host's authoriser for its Cognito action name and takes one request from
//! the pool's rate limit (SPEC §7). Cognito counts group operations in quota categories
//! this library does not model (`UserPoolResourceRead`/`Update` for the group records,
//! `UserResourceRead`/`UserUpdate` for memberships); the closest modelled ones are used:
//! reads (GetGroup, ListGroups, AdminListGroupsForUser, ListUsersInGroup) count as
//! `UserRead`, writes (CreateGroup, UpdateGroup, DeleteGroup, AdminAddUserToGroup,
//! AdminRemoveUserFromGroup) as `UserUpdate`.
//!
//! **Pagination.** A page's `next_token` is opaque to clients (hex of a versioned record
//! naming the pool, the listing and the last key returned). The next page starts after that
//! key, not at an offset, so groups or members created or deleted between two pages never
//! make a page repeat or skip an entry that existed throughout. A token from another pool
//! or another listing is refused. Like `ListUsers`' token it is not signed: it grants
//! nothing but a position the same caller reaches by paging.

use chrono::{DateTime, Utc};
use userpool_core::{Internal, Result, UserPoolId};

use super::inputs::{
    AdminListGroupsForUserInput, GroupInput, GroupWriteInput, ListGroupsInput,
    ListUsersInGroupInput, MembershipInput,
};
use super::paging::{PageToken, truncate_to_page};
use super::{UserDescription, UserPools};
use crate::authorize::Caller;
use crate::ratelimit::Category;
use userpool_store::groups::GroupRecord;
use userpool_store::keys;
use userpool_store::store::{Store, StoreError};

/// The optional members of CreateGroup and UpdateGroup, as the client sent them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupSettings {
    /// `Description`: at most 2048 characters.
    pub description: Option<String>,
    /// `RoleArn`: an IAM role ARN, 20..=2048 characters of Cognito's ARN pattern.
    pub role_arn: Option<String>,
    /// `Precedence`: 0..=2147483647.
    pub precedence: Option<i64>,
}

/// One page of `ListGroups` or `AdminListGroupsForUser`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupPage {
    /// The groups, ordered by name.
    pub groups: Vec<GroupRecord>,
    /// Pass it back to get the next page; `None` on the last page.
    pub next_token: Option<String>,
}

/// One page of `ListUsersInGroup`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsersInGroupPage {
    /// The members, in username order.
    pub users: Vec<UserDescription>,
    /// Pass it back to get the next page; `None` on the last page.
    pub next_token: Option<String>,
}

impl<S: Store + ?Sized> UserPools<S> {
    /// **CreateGroup** (SPEC §17): a group named `group_name` in the pool.
    ///
    /// # Errors
    /// `InvalidParameterException` (every violated member listed), `NotAuthorizedException`,
    /// `TooManyRequestsException`, `ResourceNotFoundException` (pool),
    /// `GroupExistsException` `A group with the name already exists.`,
    /// `InternalErrorException`.
    pub fn create_group(
        &self,
        caller: &Caller,
        pool_id: &str,
        group_name: &str,
        settings: &GroupSettings,
    ) -> Result<GroupRecord> {
        let input = GroupWriteInput::parse(Some(pool_id), Some(group_name), settings)?;
        self.create_group_input(caller, &input)
    }

    /// **CreateGroup** from an input validated once by [`GroupWriteInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::create_group`].
    pub fn create_group_input(
        &self,
        caller: &Caller,
        input: &GroupWriteInput,
    ) -> Result<GroupRecord> {
        let id = &input.group.user_pool_id;
        self.admin(caller, "CreateGroup", Category::UserUpdate, id)?;
        let now = self.clock.now();
        let group = GroupRecord {
            pool_id: id.clone(),
            name: input.group.group_name.clone(),
            description: input.description.clone(),
            precedence: input.precedence,
            role_arn: input.role_arn.clone(),
            created_at: now,
            modified_at: now,
            version: 0,
        };
        let version = self.store.create_group(&group)?;
        Ok(GroupRecord { version, ..group })
    }

    /// **GetGroup** (SPEC §17).
    ///
    /// # Errors
    /// `InvalidParameterException`, `NotAuthorizedException`, `TooManyRequestsException`,
    /// `ResourceNotFoundException` (pool; or `Group not found.`), `InternalErrorException`.
    pub fn get_group(
        &self,
        caller: &Caller,
        pool_id: &str,
        group_name: &str,
    ) -> Result<GroupRecord> {
        self.get_group_input(caller, &GroupInput::parse(Some(pool_id), Some(group_name))?)
    }

    /// **GetGroup** from an input validated once by [`GroupInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::get_group`].
    pub fn get_group_input(&self, caller: &Caller, input: &GroupInput) -> Result<GroupRecord> {
        self.admin(caller, "GetGroup", Category::UserRead, &input.user_pool_id)?;
        self.group(&input.user_pool_id, &input.group_name)
    }

    /// **UpdateGroup** (SPEC §17): sets the members given; a member left out keeps its
    /// value (as moto and cognito-local do). `LastModifiedDate` becomes now.
    ///
    /// # Errors
    /// `InvalidParameterException`, `NotAuthorizedException`, `TooManyRequestsException`,
    /// `ResourceNotFoundException` (pool; or `Group not found.`), `InternalErrorException`.
    pub fn update_group(
        &self,
        caller: &Caller,
        pool_id: &str,
        group_name: &str,
        settings: &GroupSettings,
    ) -> Result<GroupRecord> {
        let input = GroupWriteInput::parse(Some(pool_id), Some(group_name), settings)?;
        self.update_group_input(caller, &input)
    }

    /// **UpdateGroup** from an input validated once by [`GroupWriteInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::update_group`].
    pub fn update_group_input(
        &self,
        caller: &Caller,
        input: &GroupWriteInput,
    ) -> Result<GroupRecord> {
        let (id, name) = (&input.group.user_pool_id, &input.group.group_name);
        self.admin(caller, "UpdateGroup", Category::UserUpdate, id)?;
        for attempt in 0..self.max_attempts {
            if attempt > 0 {
                self.back_off(attempt);
            }
            let current = self.group(id, name)?;
            let next = GroupRecord {
                description: input.description.clone().or(current.description.clone()),
                role_arn: input.role_arn.clone().or(current.role_arn.clone()),
                precedence: input.precedence.or(current.precedence),
                modified_at: later(self.clock.now(), current.modified_at),
                ..current
            };
            match self.store.update_group(&next) {
                Ok(version) => return Ok(GroupRecord { version, ..next }),
                Err(StoreError::Conflict { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Err(Internal::ContentionRetriesExhausted.into())
    }

    /// **DeleteGroup** (SPEC §17): the group and its memberships; its users stay.
    ///
    /// # Errors
    /// `InvalidParameterException`, `NotAuthorizedException`, `TooManyRequestsException`,
    /// `ResourceNotFoundException` (pool; or `Group not found.`), `InternalErrorException`.
    pub fn delete_group(&self, caller: &Caller, pool_id: &str, group_name: &str) -> Result<()> {
        self.delete_group_input(caller, &GroupInput::parse(Some(pool_id), Some(group_name))?)
    }

    /// **DeleteGroup** from an input validated once by [`GroupInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::delete_group`].
    pub fn delete_group_input(&self, caller: &Caller, input: &GroupInput) -> Result<()> {
        let id = &input.user_pool_id;
        self.admin(caller, "DeleteGroup", Category::UserUpdate, id)?;
        Ok(self.store.delete_group(id, &input.group_name)?)
    }

    /// **ListGroups** (SPEC §17): the pool's groups by name, `limit` (Cognito's `Limit`: 0..=60, 0 or absent meaning 60)
    /// at a time.
    ///
    /// # Errors
    /// `InvalidParameterException` (including a token not from this listing),
    /// `NotAuthorizedException`, `TooManyRequestsException`, `ResourceNotFoundException`,
    /// `InternalErrorException`.
    pub fn list_groups(
        &self,
        caller: &Caller,
        pool_id: &str,
        limit: Option<i64>,
        next_token: Option<&str>,
    ) -> Result<GroupPage> {
        let input = ListGroupsInput::parse(Some(pool_id), limit, next_token)?;
        self.list_groups_input(caller, &input)
    }

    /// **ListGroups** from an input validated once by [`ListGroupsInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::list_groups`].
    pub fn list_groups_input(&self, caller: &Caller, input: &ListGroupsInput) -> Result<GroupPage> {
        let (id, limit) = (&input.user_pool_id, input.limit);
        self.admin(caller, "ListGroups", Category::UserRead, id)?;
        let scope = "groups";
        let after = PageToken::resume(id, scope, input.next_token.as_deref())?;
        let groups = self.store.list_groups(id, after.as_deref(), limit + 1)?;
        Ok(group_page(id, scope, groups, limit))
    }

    /// **AdminAddUserToGroup** (SPEC §17): the user (found as every lookup finds one, SPEC
    /// §8) becomes a member; adding a member again changes nothing. Tokens issued from now
    /// on carry the group.
    ///
    /// # Errors
    /// `InvalidParameterException`, `NotAuthorizedException`, `TooManyRequestsException`,
    /// `ResourceNotFoundException` (pool; or `Group not found.`), `UserNotFoundException`,
    /// `InternalErrorException`.
    pub fn admin_add_user_to_group(
        &self,
        caller: &Caller,
        pool_id: &str,
        username: &str,
        group_name: &str,
    ) -> Result<()> {
        let input = MembershipInput::parse(Some(pool_id), Some(username), Some(group_name))?;
        self.admin_add_user_to_group_input(caller, &input)
    }

    /// **AdminAddUserToGroup** from an input validated once by [`MembershipInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::admin_add_user_to_group`].
    pub fn admin_add_user_to_group_input(
        &self,
        caller: &Caller,
        input: &MembershipInput,
    ) -> Result<()> {
        let (pool, user, group) = self.membership(caller, "AdminAddUserToGroup", input)?;
        Ok(self.store.add_user_to_group(&pool, &group, user.sub)?)
    }

    /// **AdminRemoveUserFromGroup** (SPEC §17): ends the membership, if there is one
    /// (removing a non-member succeeds and changes nothing).
    ///
    /// # Errors
    /// `InvalidParameterException`, `NotAuthorizedException`, `TooManyRequestsException`,
    /// `ResourceNotFoundException` (pool; or `Group not found.`), `UserNotFoundException`,
    /// `InternalErrorException`.
    pub fn admin_remove_user_from_group(
        &self,
        caller: &Caller,
        pool_id: &str,
        username: &str,
        group_name: &str,
    ) -> Result<()> {
        let input = MembershipInput::parse(Some(pool_id), Some(username), Some(group_name))?;
        self.admin_remove_user_from_group_input(caller, &input)
    }

    /// **AdminRemoveUserFromGroup** from an input validated once by [`MembershipInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::admin_remove_user_from_group`].
    pub fn admin_remove_user_from_group_input(
        &self,
        caller: &Caller,
        input: &MembershipInput,
    ) -> Result<()> {
        let (pool, user, group) = self.membership(caller, "AdminRemoveUserFromGroup", input)?;
        self.store.remove_user_from_group(&pool, &group, user.sub)?;
        Ok(())
    }

    /// **AdminListGroupsForUser** (SPEC §17): the user's groups by name.
    ///
    /// # Errors
    /// `InvalidParameterException`, `NotAuthorizedException`, `TooManyRequestsException`,
    /// `ResourceNotFoundException`, `UserNotFoundException`, `InternalErrorException`.
    pub fn admin_list_groups_for_user(
        &self,
        caller: &Caller,
        pool_id: &str,
        username: &str,
        limit: Option<i64>,
        next_token: Option<&str>,
    ) -> Result<GroupPage> {
        let input =
            AdminListGroupsForUserInput::parse(Some(pool_id), Some(username), limit, next_token)?;
        self.admin_list_groups_for_user_input(caller, &input)
    }

    /// **AdminListGroupsForUser** from an input validated once by
    /// [`AdminListGroupsForUserInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::admin_list_groups_for_user`].
    pub fn admin_list_groups_for_user_input(
        &self,
        caller: &Caller,
        input: &AdminListGroupsForUserInput,
    ) -> Result<GroupPage> {
        let (id, limit) = (&input.user.user_pool_id, input.limit);
        let pool = self.admin(caller, "AdminListGroupsForUser", Category::UserRead, id)?;
        let user = self.resolve(&pool, &input.user.username)?;
        let scope = format!("user:{}", user.sub);
        let after = PageToken::resume(id, &scope, input.next_token.as_deref())?;
        let groups = self
            .store
            .list_groups_for_user(id, user.sub, after.as_deref(), limit + 1)?;
        Ok(group_page(id, &scope, groups, limit))
    }

    /// **ListUsersInGroup** (SPEC §17): the group's members in username order.
    ///
    /// # Errors
    /// `InvalidParameterException`, `NotAuthorizedException`, `TooManyRequestsException`,
    /// `ResourceNotFoundException` (pool; or `Group not found.`), `InternalErrorException`.
    pub fn list_users_in_group(
        &self,
        caller: &Caller,
        pool_id: &str,
        group_name: &str,
        limit: Option<i64>,
        next_token: Option<&str>,
    ) -> Result<UsersInGroupPage> {
        let input =
            ListUsersInGroupInput::parse(Some(pool_id), Some(group_name), limit, next_token)?;
        self.list_users_in_group_input(caller, &input)
    }

    /// **ListUsersInGroup** from an input validated once by
    /// [`ListUsersInGroupInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::list_users_in_group`].
    pub fn list_users_in_group_input(
        &self,
        caller: &Caller,
        input: &ListUsersInGroupInput,
    ) -> Result<UsersInGroupPage> {
        let (id, name, limit) = (
            &input.group.user_pool_id,
            &input.group.group_name,
            input.limit,
        );
        let pool = self.admin(caller, "ListUsersInGroup", Category::UserRead, id)?;
        let scope = format!("members:{name}");
        let after = PageToken::resume(id, &scope, input.next_token.as_deref())?;
        let mut users = self
            .store
            .list_users_in_group(id, name, after.as_deref(), limit + 1)?;
        let next_token = truncate_to_page(&mut users, limit)
            .map(|u| PageToken::issue(id, &scope, &keys::username_key(&pool, u.username.as_str())));
        Ok(UsersInGroupPage {
            users: users.iter().map(UserDescription::from).collect(),
            next_token,
        })
    }

    /// The prelude of the membership operations: the pool, the group (which must exist),
    /// then the user (which must too), in that order.
    fn membership(
        &self,
        caller: &Caller,
        action: &str,
        input: &MembershipInput,
    ) -> Result<(UserPoolId, userpool_core::UserRecord, String)> {
        let id = &input.user_pool_id;
        let pool = self.admin(caller, action, Category::UserUpdate, id)?;
        self.group(id, &input.group_name)?;
        let user = self.resolve(&pool, &input.username)?;
        Ok((id.clone(), user, input.group_name.clone()))
    }

    fn group(&self, pool: &UserPoolId, name: &str) -> Result<GroupRecord> {
        self.store
            .get_group(pool, name)?
            .ok_or_else(|| StoreError::GroupNotFound.into())
    }
}

/// `now`, unless the clock stepped back before the last modification.
fn later(now: DateTime<Utc>, before: DateTime<Utc>) -> DateTime<Utc> {
    now.max(before)
}

/// The page of at most `limit` groups out of `limit + 1` read, with the token of the next.
fn group_page(
    pool: &UserPoolId,
    scope: &str,
    mut groups: Vec<GroupRecord>,
    limit: usize,
) -> GroupPage {
    let next_token =
        truncate_to_page(&mut groups, limit).map(|g| PageToken::issue(pool, scope, &g.name));
    GroupPage { groups, next_token }
}
