//! The group operations' inputs (SPEC §17): CreateGroup and UpdateGroup, GetGroup and
//! DeleteGroup, ListGroups, AdminAddUserToGroup and AdminRemoveUserFromGroup,
//! AdminListGroupsForUser, ListUsersInGroup.

use userpool_core::{Constraint, Result, UserPoolId, Username};

use super::{AdminUserInput, check_limit, parse_with};
use crate::service::GroupSettings;
use crate::validate::{Validator, accepted};

/// The members of GetGroup and DeleteGroup: a pool and a group name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupInput {
    /// `UserPoolId`.
    pub user_pool_id: UserPoolId,
    /// `GroupName`.
    pub group_name: String,
}

impl GroupInput {
    /// Validates the two members; `None` is a member the request left out.
    ///
    /// # Errors
    /// `InvalidParameterException` listing every violated member, missing ones included
    /// (`userPoolId`, `groupName`).
    pub fn parse(user_pool_id: Option<&str>, group_name: Option<&str>) -> Result<Self> {
        parse_with(
            |v| {
                (
                    v.required_pool_id(user_pool_id),
                    group_name_of(v, group_name),
                )
            },
            |(pool, name)| group(pool, name),
        )
    }
}

/// Builds a [`GroupInput`] from accepted members.
fn group(pool: Option<UserPoolId>, name: Option<String>) -> Result<GroupInput> {
    Ok(GroupInput {
        user_pool_id: accepted(pool)?,
        group_name: accepted(name)?,
    })
}

/// The members of CreateGroup and UpdateGroup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupWriteInput {
    /// The pool and the group.
    pub group: GroupInput,
    /// `Description`: at most 2048 characters.
    pub description: Option<String>,
    /// `RoleArn`: an IAM role ARN.
    pub role_arn: Option<String>,
    /// `Precedence`: 0..=2147483647.
    pub precedence: Option<u32>,
}

impl GroupWriteInput {
    /// Validates the members; `None` is a member the request left out (the pool and the
    /// group name are required, the settings optional).
    ///
    /// # Errors
    /// `InvalidParameterException` listing every violated member, missing ones included
    /// (`userPoolId`, `groupName`, `description`, `roleArn`, `precedence`).
    pub fn parse(
        user_pool_id: Option<&str>,
        group_name: Option<&str>,
        settings: &GroupSettings,
    ) -> Result<Self> {
        parse_with(
            |v| {
                let pool = v.required_pool_id(user_pool_id);
                let name = group_name_of(v, group_name);
                (pool, name, settings_of(v, settings))
            },
            |(pool, name, precedence)| {
                Ok(GroupWriteInput {
                    group: group(pool, name)?,
                    description: settings.description.clone(),
                    role_arn: settings.role_arn.clone(),
                    precedence: accepted(precedence)?,
                })
            },
        )
    }
}

/// The members of ListGroups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListGroupsInput {
    /// `UserPoolId`.
    pub user_pool_id: UserPoolId,
    /// The page size.
    pub limit: usize,
    /// `NextToken`, checked against the listing when the page is read.
    pub next_token: Option<String>,
}

impl ListGroupsInput {
    /// Validates the members; `None` is a member the request left out (only the pool is
    /// required). `limit` is Cognito's `Limit`: 0..=60, 0 or absent meaning 60.
    ///
    /// # Errors
    /// `InvalidParameterException` listing every violated member, missing ones included
    /// (`userPoolId`, `limit`).
    pub fn parse(
        user_pool_id: Option<&str>,
        limit: Option<i64>,
        next_token: Option<&str>,
    ) -> Result<Self> {
        parse_with(
            |v| (v.required_pool_id(user_pool_id), check_limit(v, limit)),
            |(pool, limit)| {
                Ok(ListGroupsInput {
                    user_pool_id: accepted(pool)?,
                    limit: accepted(limit)?,
                    next_token: next_token.map(str::to_owned),
                })
            },
        )
    }
}

/// The members of AdminAddUserToGroup and AdminRemoveUserFromGroup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembershipInput {
    /// `UserPoolId`.
    pub user_pool_id: UserPoolId,
    /// `Username`.
    pub username: Username,
    /// `GroupName`.
    pub group_name: String,
}

impl MembershipInput {
    /// Validates the three members; `None` is a member the request left out.
    ///
    /// # Errors
    /// `InvalidParameterException` listing every violated member, missing ones included
    /// (`userPoolId`, `username`, `groupName`).
    pub fn parse(
        user_pool_id: Option<&str>,
        username: Option<&str>,
        group_name: Option<&str>,
    ) -> Result<Self> {
        parse_with(
            |v| {
                (
                    v.required_pool_id(user_pool_id),
                    v.required_username(username),
                    group_name_of(v, group_name),
                )
            },
            |(pool, username, name)| {
                Ok(MembershipInput {
                    user_pool_id: accepted(pool)?,
                    username: accepted(username)?,
                    group_name: accepted(name)?,
                })
            },
        )
    }
}

/// The members of AdminListGroupsForUser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminListGroupsForUserInput {
    /// The pool and the user.
    pub user: AdminUserInput,
    /// The page size.
    pub limit: usize,
    /// `NextToken`.
    pub next_token: Option<String>,
}

impl AdminListGroupsForUserInput {
    /// Validates the members; `None` is a member the request left out. `limit` is
    /// Cognito's `Limit`: 0..=60, 0 or absent meaning 60.
    ///
    /// # Errors
    /// `InvalidParameterException` listing every violated member, missing ones included
    /// (`userPoolId`, `username`, `limit`).
    pub fn parse(
        user_pool_id: Option<&str>,
        username: Option<&str>,
        limit: Option<i64>,
        next_token: Option<&str>,
    ) -> Result<Self> {
        parse_with(
            |v| {
                let user = AdminUserInput::members(v, user_pool_id, username);
                (user, check_limit(v, limit))
            },
            |(user, limit)| {
                Ok(AdminListGroupsForUserInput {
                    user: AdminUserInput::build(user)?,
                    limit: accepted(limit)?,
                    next_token: next_token.map(str::to_owned),
                })
            },
        )
    }
}

/// The members of ListUsersInGroup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListUsersInGroupInput {
    /// The pool and the group.
    pub group: GroupInput,
    /// The page size.
    pub limit: usize,
    /// `NextToken`.
    pub next_token: Option<String>,
}

impl ListUsersInGroupInput {
    /// Validates the members; `None` is a member the request left out. `limit` is
    /// Cognito's `Limit`: 0..=60, 0 or absent meaning 60.
    ///
    /// # Errors
    /// `InvalidParameterException` listing every violated member, missing ones included
    /// (`userPoolId`, `groupName`, `limit`).
    pub fn parse(
        user_pool_id: Option<&str>,
        group_name: Option<&str>,
        limit: Option<i64>,
        next_token: Option<&str>,
    ) -> Result<Self> {
        parse_with(
            |v| {
                (
                    v.required_pool_id(user_pool_id),
                    group_name_of(v, group_name),
                    check_limit(v, limit),
                )
            },
            |(pool, name, limit)| {
                Ok(ListUsersInGroupInput {
                    group: group(pool, name)?,
                    limit: accepted(limit)?,
                    next_token: next_token.map(str::to_owned),
                })
            },
        )
    }
}

/// `GroupName`, required: 1..=128 characters of `[\p{L}\p{M}\p{S}\p{N}\p{P}]+` — letters,
/// marks, symbols, numbers and punctuation. Without Unicode category tables, the check
/// refuses what falls outside those classes in practice: whitespace and separators,
/// control characters, the common format characters (zero-width and bidirectional
/// controls, the byte-order mark) and private-use characters.
fn group_name_of(v: &mut Validator, name: Option<&str>) -> Option<String> {
    v.required("groupName", name, |v, name| {
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
    })
}

fn is_group_name_char(c: char) -> bool {
    let format = matches!(c,
        '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{206F}'
        | '\u{FEFF}' | '\u{E000}'..='\u{F8FF}' | '\u{FFF0}'..='\u{FFFB}');
    !c.is_whitespace() && !c.is_control() && !format
}

/// The optional members of CreateGroup and UpdateGroup; `Some` (the precedence, if any)
/// when they are valid.
fn settings_of(v: &mut Validator, settings: &GroupSettings) -> Option<Option<u32>> {
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
    ok.then_some(precedence)
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
}
