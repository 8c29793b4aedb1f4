//! **AdminImportUsers**' input (SPEC §19).

use userpool_core::{Constraint, Result, UserPoolId};

use super::{SecretText, parse_with};
use crate::service::{ImportUser, MAX_IMPORT_BATCH};
use crate::validate::accepted;

/// One user of an AdminImportUsers request as it came: `None` for a member it left out.
#[derive(Debug, Clone, Copy)]
pub struct ImportUserMembers<'a> {
    /// `Username`.
    pub username: Option<&'a str>,
    /// `UserAttributes`, as (name, value) pairs.
    pub attributes: &'a [(&'a str, &'a str)],
    /// `PasswordHash`.
    pub password_hash: Option<&'a str>,
    /// `Enabled`; absent means true.
    pub enabled: Option<bool>,
}

/// One user to import, its required members present. Each user's values are checked
/// when it is imported: a user that fails is reported, the others imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedUser {
    /// `Username`.
    pub username: String,
    /// `UserAttributes`.
    pub attributes: Vec<(String, String)>,
    /// `PasswordHash` (a credential: zeroizing, redacted).
    pub password_hash: SecretText,
    /// `Enabled`; absent means true.
    pub enabled: Option<bool>,
}

/// **AdminImportUsers**' members, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminImportUsersInput {
    /// `UserPoolId`.
    pub user_pool_id: UserPoolId,
    /// `Users`: 1..=[`MAX_IMPORT_BATCH`] of them.
    pub users: Vec<ImportedUser>,
}

impl AdminImportUsersInput {
    /// Validates the members; `None` is a member the request left out.
    ///
    /// # Errors
    /// `InvalidParameterException` listing every violated member, missing ones included
    /// (`userPoolId`, each user's `users.member.username` and `users.member.passwordHash`,
    /// then `users`: 1 to 1000 of them).
    pub fn parse(user_pool_id: Option<&str>, users: &[ImportUserMembers<'_>]) -> Result<Self> {
        parse_with(
            |v| {
                let pool = v.required_pool_id(user_pool_id);
                let mut present = Vec::with_capacity(users.len());
                for user in users {
                    let username = v.required_text("users.member.username", user.username);
                    let hash = v.required_secret("users.member.passwordHash", user.password_hash);
                    present.push(username.zip(hash).map(|(username, password_hash)| {
                        ImportedUser {
                            username,
                            attributes: user
                                .attributes
                                .iter()
                                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                                .collect(),
                            password_hash,
                            enabled: user.enabled,
                        }
                    }));
                }
                let count = Constraint::Inconsistent("Member must have length between 1 and 1000");
                let out_of_range = users.is_empty() || users.len() > MAX_IMPORT_BATCH;
                v.check("users", out_of_range.then_some(count));
                (pool, present)
            },
            |(pool, present)| {
                Ok(AdminImportUsersInput {
                    user_pool_id: accepted(pool)?,
                    users: present.into_iter().map(accepted).collect::<Result<_>>()?,
                })
            },
        )
    }
}

impl<'a> From<&ImportUser<'a>> for ImportUserMembers<'a> {
    fn from(user: &ImportUser<'a>) -> Self {
        ImportUserMembers {
            username: Some(user.username),
            attributes: user.attributes,
            password_hash: Some(user.password_hash),
            enabled: user.enabled,
        }
    }
}
