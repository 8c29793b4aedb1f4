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
use userpool_core::{Constraint, Error, Internal, Result, UserPoolId};

use super::{UserDescription, UserPools};
use crate::authorize::Caller;
use crate::ratelimit::Category;
use crate::validate::{Validator, accepted};
use userpool_store::groups::GroupRecord;
use userpool_store::keys;
use userpool_store::store::{Store, StoreError};

/// The largest page, and the default: Cognito's `Limit` range is 1..=60 (0 and absent mean
/// 60 on the wire).
const MAX_PAGE: usize = 60;

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

/// The settings once validated.
struct Valid {
    description: Option<String>,
    role_arn: Option<String>,
    precedence: Option<u32>,
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
        let (id, name, settings) =
            self.admin_group_write(caller, "CreateGroup", pool_id, group_name, settings)?;
        let now = self.clock.now();
        let group = GroupRecord {
            pool_id: id,
            name,
            description: settings.description,
            precedence: settings.precedence,
            role_arn: settings.role_arn,
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
        let (id, name) =
            self.admin_group(caller, "GetGroup", Category::UserRead, pool_id, group_name)?;
        self.group(&id, &name)
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
        let (id, name, valid) =
            self.admin_group_write(caller, "UpdateGroup", pool_id, group_name, settings)?;
        for attempt in 0..self.max_attempts {
            if attempt > 0 {
                self.back_off(attempt);
            }
            let current = self.group(&id, &name)?;
            let next = GroupRecord {
                description: valid.description.clone().or(current.description.clone()),
                role_arn: valid.role_arn.clone().or(current.role_arn.clone()),
                precedence: valid.precedence.or(current.precedence),
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
        let (id, name) = self.admin_group(
            caller,
            "DeleteGroup",
            Category::UserUpdate,
            pool_id,
            group_name,
        )?;
        Ok(self.store.delete_group(&id, &name)?)
    }

    /// **ListGroups** (SPEC §17): the pool's groups by name, `limit` (1..=60, default 60)
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
        limit: Option<usize>,
        next_token: Option<&str>,
    ) -> Result<GroupPage> {
        let mut v = Validator::new();
        let id = v.pool_id(pool_id);
        let limit = limit_of(&mut v, limit);
        v.finish()?;
        let id = accepted(id)?;
        self.admin(caller, "ListGroups", Category::UserRead, &id)?;
        let scope = "groups";
        let after = next_token
            .map(|t| PageToken::read(&id, scope, t))
            .transpose()?;
        let groups = self.store.list_groups(&id, after.as_deref(), limit + 1)?;
        Ok(group_page(&id, scope, groups, limit))
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
        let (pool, user, group) = self.membership(
            caller,
            "AdminAddUserToGroup",
            Category::UserUpdate,
            pool_id,
            username,
            group_name,
        )?;
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
        let (pool, user, group) = self.membership(
            caller,
            "AdminRemoveUserFromGroup",
            Category::UserUpdate,
            pool_id,
            username,
            group_name,
        )?;
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
        limit: Option<usize>,
        next_token: Option<&str>,
    ) -> Result<GroupPage> {
        let mut v = Validator::new();
        let id = v.pool_id(pool_id);
        let name = v.username(username);
        let limit = limit_of(&mut v, limit);
        v.finish()?;
        let (id, name) = (accepted(id)?, accepted(name)?);
        let pool = self.admin(caller, "AdminListGroupsForUser", Category::UserRead, &id)?;
        let user = self.resolve(&pool, &name)?;
        let scope = format!("user:{}", user.sub);
        let after = next_token
            .map(|t| PageToken::read(&id, &scope, t))
            .transpose()?;
        let groups = self
            .store
            .list_groups_for_user(&id, user.sub, after.as_deref(), limit + 1)?;
        Ok(group_page(&id, &scope, groups, limit))
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
        limit: Option<usize>,
        next_token: Option<&str>,
    ) -> Result<UsersInGroupPage> {
        let mut v = Validator::new();
        let id = v.pool_id(pool_id);
        let name = group_name_of(&mut v, group_name);
        let limit = limit_of(&mut v, limit);
        v.finish()?;
        let (id, name) = (accepted(id)?, accepted(name)?);
        let pool = self.admin(caller, "ListUsersInGroup", Category::UserRead, &id)?;
        let scope = format!("members:{name}");
        let after = next_token
            .map(|t| PageToken::read(&id, &scope, t))
            .transpose()?;
        let mut users = self
            .store
            .list_users_in_group(&id, &name, after.as_deref(), limit + 1)?;
        let next_token = truncate_to_page(&mut users, limit).map(|u| {
            PageToken::issue(&id, &scope, &keys::username_key(&pool, u.username.as_str()))
        });
        Ok(UsersInGroupPage {
            users: users.iter().map(UserDescription::from).collect(),
            next_token,
        })
    }

    /// The prelude of the operations on one group: validate, authorise, rate-limit, find
    /// the pool.
    fn admin_group(
        &self,
        caller: &Caller,
        action: &str,
        category: Category,
        pool_id: &str,
        group_name: &str,
    ) -> Result<(UserPoolId, String)> {
        let mut v = Validator::new();
        let id = v.pool_id(pool_id);
        let name = group_name_of(&mut v, group_name);
        v.finish()?;
        let (id, name) = (accepted(id)?, accepted(name)?);
        self.admin(caller, action, category, &id)?;
        Ok((id, name))
    }

    /// The prelude of CreateGroup and UpdateGroup: [`Self::admin_group`] with the settings
    /// validated too (every violated member listed at once).
    fn admin_group_write(
        &self,
        caller: &Caller,
        action: &str,
        pool_id: &str,
        group_name: &str,
        settings: &GroupSettings,
    ) -> Result<(UserPoolId, String, Valid)> {
        let mut v = Validator::new();
        let id = v.pool_id(pool_id);
        let name = group_name_of(&mut v, group_name);
        let settings = settings_of(&mut v, settings);
        v.finish()?;
        let (id, name, settings) = (accepted(id)?, accepted(name)?, accepted(settings)?);
        self.admin(caller, action, Category::UserUpdate, &id)?;
        Ok((id, name, settings))
    }

    /// The prelude of the membership operations: the pool, the group (which must exist),
    /// then the user (which must too), in that order.
    fn membership(
        &self,
        caller: &Caller,
        action: &str,
        category: Category,
        pool_id: &str,
        username: &str,
        group_name: &str,
    ) -> Result<(UserPoolId, userpool_core::UserRecord, String)> {
        let mut v = Validator::new();
        let id = v.pool_id(pool_id);
        let name = v.username(username);
        let group = group_name_of(&mut v, group_name);
        v.finish()?;
        let (id, name, group) = (accepted(id)?, accepted(name)?, accepted(group)?);
        let pool = self.admin(caller, action, category, &id)?;
        self.group(&id, &group)?;
        let user = self.resolve(&pool, &name)?;
        Ok((id, user, group))
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

/// Keeps the first `limit` of the `limit + 1` entries read; the last one kept, when there
/// was one more, is where the next page starts after.
fn truncate_to_page<T>(entries: &mut Vec<T>, limit: usize) -> Option<&T> {
    let more = entries.len() > limit;
    entries.truncate(limit);
    if more { entries.last() } else { None }
}

/// `Limit`: 1..=60, absent means 60.
fn limit_of(v: &mut Validator, limit: Option<usize>) -> usize {
    let limit = limit.unwrap_or(MAX_PAGE);
    v.check(
        "limit",
        (!(1..=MAX_PAGE).contains(&limit)).then_some(Constraint::OutOfRange { min: 1, max: 60 }),
    );
    limit.clamp(1, MAX_PAGE)
}

/// `GroupName`: 1..=128 characters of `[\p{L}\p{M}\p{S}\p{N}\p{P}]+` — letters, marks,
/// symbols, numbers and punctuation. Without Unicode category tables, the check refuses
/// what falls outside those classes in practice: whitespace and separators, control
/// characters, the common format characters (zero-width and bidirectional controls, the
/// byte-order mark) and private-use characters.
fn group_name_of(v: &mut Validator, name: &str) -> Option<String> {
    let n = name.chars().count();
    let constraint = if n == 0 {
        Some(Constraint::TooShort { min: 1 })
    } else if n > 128 {
        Some(Constraint::TooLong { max: 128 })
    } else if !name.chars().all(is_group_name_char) {
        Some(Constraint::Pattern(r"[\p{L}\p{M}\p{S}\p{N}\p{P}]+"))
    } else {
        None
    };
    v.check("groupName", constraint).then(|| name.to_owned())
}

fn is_group_name_char(c: char) -> bool {
    let format = matches!(c,
        '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{206F}'
        | '\u{FEFF}' | '\u{E000}'..='\u{F8FF}' | '\u{FFF0}'..='\u{FFFB}');
    !c.is_whitespace() && !c.is_control() && !format
}

/// The optional members of CreateGroup and UpdateGroup.
fn settings_of(v: &mut Validator, settings: &GroupSettings) -> Option<Valid> {
    let mut ok = true;
    if let Some(description) = &settings.description {
        ok &= v.check(
            "description",
            (description.chars().count() > 2048).then_some(Constraint::TooLong { max: 2048 }),
        );
    }
    if let Some(arn) = &settings.role_arn {
        let n = arn.chars().count();
        let constraint = if n < 20 {
            Some(Constraint::TooShort { min: 20 })
        } else if n > 2048 {
            Some(Constraint::TooLong { max: 2048 })
        } else if !is_role_arn(arn) {
            Some(Constraint::Pattern(ROLE_ARN_PATTERN))
        } else {
            None
        };
        ok &= v.check("roleArn", constraint);
    }
    let precedence = match settings.precedence {
        None => None,
        Some(p) => match u32::try_from(p) {
            Ok(p) if i32::try_from(p).is_ok() => Some(p),
            _ => {
                v.check(
                    "precedence",
                    Some(Constraint::OutOfRange {
                        min: 0,
                        max: i64::from(i32::MAX),
                    }),
                );
                ok = false;
                None
            }
        },
    };
    ok.then(|| Valid {
        description: settings.description.clone(),
        role_arn: settings.role_arn.clone(),
        precedence,
    })
}

/// Cognito's `RoleArn` pattern.
const ROLE_ARN_PATTERN: &str = r"arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?";

/// Whether `arn` matches [`ROLE_ARN_PATTERN`] (with `\w` the ASCII word characters, as in
/// the AWS model's Java regular expressions): `arn`, partition, service, an optional
/// region, an account id of digits, then one to three resource parts.
fn is_role_arn(arn: &str) -> bool {
    let word = |s: &str| {
        s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+=/,.@-".contains(c))
    };
    let parts: Vec<&str> = arn.split(':').collect();
    if !(6..=8).contains(&parts.len()) || parts[0] != "arn" {
        return false;
    }
    let nonempty_word = |s: &&str| !s.is_empty() && word(s);
    nonempty_word(&parts[1])
        && nonempty_word(&parts[2])
        && word(parts[3])
        && !parts[4].is_empty()
        && parts[4].chars().all(|c| c.is_ascii_digit())
        && parts[5..].iter().all(nonempty_word)
}

/// The opaque page token: hex of `v1`, the pool, the listing and the key to resume after,
/// separated by NUL (which none of them can contain).
struct PageToken;

impl PageToken {
    fn issue(pool: &UserPoolId, scope: &str, after: &str) -> String {
        let plain = format!("v1\0{}\0{scope}\0{after}", pool.as_str());
        plain.bytes().map(|b| format!("{b:02x}")).collect()
    }

    fn read(pool: &UserPoolId, scope: &str, token: &str) -> Result<String> {
        let invalid = || Error::InvalidParameterMessage("Invalid pagination token".into());
        if !token.len().is_multiple_of(2) || token.len() > 2 * 4096 {
            return Err(invalid());
        }
        let bytes = (0..token.len())
            .step_by(2)
            .map(|i| {
                token
                    .get(i..i + 2)
                    .and_then(|pair| u8::from_str_radix(pair, 16).ok())
            })
            .collect::<Option<Vec<u8>>>()
            .ok_or_else(invalid)?;
        let plain = String::from_utf8(bytes).map_err(|_| invalid())?;
        let mut parts = plain.splitn(4, '\0');
        match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some("v1"), Some(p), Some(s), Some(after))
                if p == pool.as_str() && s == scope && !after.is_empty() =>
            {
                Ok(after.to_owned())
            }
            _ => Err(invalid()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns_as_cognito_accepts_them() {
        for good in [
            "arn:aws:iam::123456789012:role/admins",
            "arn:aws-cn:iam::123456789012:role/path/to/role",
            "arn:aws:iam:eu-west-1:123456789012:role/x:y:z",
        ] {
            assert!(is_role_arn(good), "{good}");
        }
        for bad in [
            "arn:aws:iam::notdigits:role/admins",
            "arx:aws:iam::123456789012:role/admins",
            "arn:aws:iam::123456789012",
            "arn:aws:iam::123456789012:",
            "arn:aws:iam::123456789012:role/a:b:c:d",
            "arn:aws:iam::123456789012:role/with space",
            "arn::iam::123456789012:role/admins",
        ] {
            assert!(!is_role_arn(bad), "{bad}");
        }
    }

    #[test]
    fn group_names_refuse_separators_and_controls_only() {
        for good in ["admins", "Ädmins+=,.@-", "日本語", "a/b\\c", "😀"] {
            assert!(good.chars().all(is_group_name_char), "{good}");
        }
        for bad in ["a b", "a\tb", "a\u{0}b", "a\u{200B}b", "a\u{FEFF}"] {
            assert!(!bad.chars().all(is_group_name_char), "{bad:?}");
        }
    }

    #[test]
    fn page_tokens_round_trip_only_for_their_pool_and_listing() {
        let pool = UserPoolId::parse("eu-west-1_abc").expect("valid");
        let other = UserPoolId::parse("eu-west-1_def").expect("valid");
        let token = PageToken::issue(&pool, "groups", "ädmins");
        assert_eq!(
            PageToken::read(&pool, "groups", &token).ok().as_deref(),
            Some("ädmins")
        );
        assert!(PageToken::read(&other, "groups", &token).is_err());
        assert!(PageToken::read(&pool, "members:x", &token).is_err());
        for garbage in ["", "0", "zz", "76310061", &"ab".repeat(5000)] {
            assert!(
                PageToken::read(&pool, "groups", garbage).is_err(),
                "{garbage}"
            );
        }
    }
}
