//! Admin user operations: AdminCreateUser, AdminGetUser, ListUsers, AdminDeleteUser,
//! AdminSetUserPassword, AdminDisableUser, AdminEnableUser, AdminConfirmSignUp,
//! AdminResetUserPassword, AdminUpdateUserAttributes, AdminUserGlobalSignOut.

use serde::Deserialize;
use serde_json::{Map, Value, json};
use userpool::{Caller, MessageAction, UserDescription};
use userpool_core::{Constraint, Error as PoolError, UserPoolId, fold_case};

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

/// The admin operations that take a pool and a username and answer `{}`.
fn on_user<T>(
    input: Map<String, Value>,
    op: impl FnOnce(&str, &str) -> userpool_core::Result<T>,
) -> Result<Value, Error> {
    let input = UserInput::parse(input)?;
    let (pool, name) = input.target()?;
    op(pool, name)?;
    Ok(json!({}))
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
    on_user(input, |pool, name| {
        app.pools.admin_delete_user(caller, pool, name)
    })
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
    on_user(input, |pool, name| {
        app.pools.admin_enable_user(caller, pool, name)
    })
}

pub fn admin_confirm_sign_up(
    app: &App,
    caller: &Caller,
    input: Map<String, Value>,
) -> Result<Value, Error> {
    on_user(input, |pool, name| {
        app.pools.admin_confirm_sign_up(caller, pool, name)
    })
}

pub fn admin_reset_user_password(
    app: &App,
    caller: &Caller,
    input: Map<String, Value>,
) -> Result<Value, Error> {
    on_user(input, |pool, name| {
        app.pools.admin_reset_user_password(caller, pool, name)
    })
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

/// The most users one ListUsers page holds, and the page size of `Limit` 0 or absent.
const MAX_PAGE: usize = 60;

/// **ListUsers**, with Cognito's `Filter` (`name = "value"` or `name ^= "prefix"` on
/// `username`, `email`, `phone_number`, `name`, `given_name`, `family_name`,
/// `preferred_username`, `cognito:user_status`, `status`, `sub`) and `AttributesToGet`.
///
/// `Limit` is Cognito's 0..=60, 0 or absent meaning 60, with or without a `Filter`. A
/// `PaginationToken` must be one this operation handed out for the same pool
/// ([`PageToken`]); any other is `InvalidParameterException` `Invalid pagination token`.
/// In a case-insensitive pool a `username` filter compares case-folded, as the pool compares
/// usernames (SPEC §8); `status` (`Enabled`/`Disabled`) is case-insensitive, as Cognito
/// documents.
pub fn list_users(app: &App, caller: &Caller, input: Map<String, Value>) -> Result<Value, Error> {
    let input: ListUsers = shapes::input(input)?;
    let mut required = Required::default();
    let pool = required.take(input.user_pool_id.as_deref(), "userPoolId");
    let limit = match input.limit {
        None | Some(0) => MAX_PAGE,
        // invariant: 1..=60 fits every usize.
        Some(n @ 1..=60) => usize::try_from(n).unwrap_or(MAX_PAGE),
        Some(_) => {
            required.violate("limit", Constraint::OutOfRange { min: 0, max: 60 });
            MAX_PAGE
        }
    };
    required.finish()?;
    let filter = input.filter.as_deref().map(Filter::parse).transpose()?;
    let after = input
        .pagination_token
        .as_deref()
        .map(|token| PageToken::read(pool, token))
        .transpose()?;
    let (mut users, next) = match &filter {
        None => {
            let page = app
                .pools
                .list_users(caller, pool, Some(limit), after.as_deref())?;
            (page.users, page.pagination_token)
        }
        Some(filter) => filtered_page(app, caller, pool, filter, limit, after)?,
    };
    if let Some(wanted) = &input.attributes_to_get {
        for user in &mut users {
            user.attributes.retain(|name, _| wanted.contains(name));
        }
    }
    let mut out = json!({ "Users": users.iter().map(shapes::user_type).collect::<Vec<_>>() });
    if let Some(key) = next {
        out["PaginationToken"] = json!(PageToken::issue(pool, &key));
    }
    Ok(out)
}

/// Up to `limit` users matching `filter`, scanning the pool's pages from `after`, and the
/// store key to resume after if more may follow.
fn filtered_page(
    app: &App,
    caller: &Caller,
    pool: &str,
    filter: &Filter,
    limit: usize,
    after: Option<String>,
) -> Result<(Vec<UserDescription>, Option<String>), Error> {
    let mut page = app
        .pools
        .list_users(caller, pool, Some(MAX_PAGE), after.as_deref())?;
    // That call validated the id, authorised the caller and found the pool; its record says
    // how usernames compare and what the store keys them by.
    let record = pool_record(app, pool)?;
    let mut matched = Vec::new();
    loop {
        let mut users = page.users.into_iter();
        for user in users.by_ref() {
            if filter.matches(&user, record.case_sensitive) {
                matched.push(user);
                if matched.len() == limit {
                    break;
                }
            }
        }
        if matched.len() == limit {
            // More may follow: resume after the last user returned, by the key the store
            // orders users by (what its own pages hand out).
            let more = users.next().is_some() || page.pagination_token.is_some();
            let next = more
                .then(|| matched.last())
                .flatten()
                .map(|u| userpool_store::keys::username_key(&record, &u.username));
            return Ok((matched, next));
        }
        match page.pagination_token {
            Some(next) => {
                page = app
                    .pools
                    .list_users(caller, pool, Some(MAX_PAGE), Some(&next))?;
            }
            None => return Ok((matched, None)),
        }
    }
}

/// The pool's record, read after the service has authorised the caller for it.
fn pool_record(app: &App, pool: &str) -> Result<userpool::PoolRecord, Error> {
    let id = UserPoolId::parse(pool)?;
    app.pools
        .store()
        .get_pool(&id)
        .map_err(PoolError::from)?
        .ok_or_else(|| {
            PoolError::UserPoolNotFound {
                pool_id: pool.to_owned(),
            }
            .into()
        })
}

/// The `PaginationToken` ListUsers hands out: base64url (unpadded) of
/// `{"v":1,"pool":"<pool id>","after":"<store key of the last user returned>"}`.
///
/// The service pages by store key, and a bare key is indistinguishable from any other
/// string, so a mistyped or foreign token used to yield a silently empty (or shifted) page
/// where Cognito answers `InvalidParameterException`. The wrapping lets us recognise a
/// token we issued — right format, right version, this pool — and refuse everything else.
///
/// **(decision)** It is not authenticated (no HMAC): a token grants nothing but a position
/// in the pool's username order, which the same caller reaches anyway by paging, so a
/// signature would protect nothing; and it would need a key shared by every process on the
/// store and kept across restarts, since issued tokens must survive both. A hand-made token
/// in this format is therefore accepted, and means what it says.
#[derive(serde::Serialize, Deserialize)]
struct PageToken<'a> {
    v: u8,
    pool: std::borrow::Cow<'a, str>,
    after: std::borrow::Cow<'a, str>,
}

impl PageToken<'_> {
    const VERSION: u8 = 1;

    /// The token that resumes `pool`'s listing after the user stored under `key`.
    fn issue(pool: &str, key: &str) -> String {
        use base64ct::{Base64UrlUnpadded, Encoding};
        let token = PageToken {
            v: Self::VERSION,
            pool: pool.into(),
            after: key.into(),
        };
        // invariant: a struct of strings and an integer always serialises.
        let json = serde_json::to_vec(&token).unwrap_or_default();
        Base64UrlUnpadded::encode_string(&json)
    }

    /// The store key a token issued for `pool` resumes after.
    ///
    /// # Errors
    /// `InvalidParameterException` `Invalid pagination token` for anything [`Self::issue`]
    /// did not produce for this pool.
    fn read(pool: &str, token: &str) -> Result<String, Error> {
        use base64ct::{Base64UrlUnpadded, Encoding};
        let invalid = || {
            Error::from(PoolError::InvalidParameterMessage(
                "Invalid pagination token".into(),
            ))
        };
        let json = Base64UrlUnpadded::decode_vec(token).map_err(|_| invalid())?;
        let token: PageToken<'_> = serde_json::from_slice(&json).map_err(|_| invalid())?;
        if token.v != Self::VERSION || token.pool != pool || token.after.is_empty() {
            return Err(invalid());
        }
        Ok(token.after.into_owned())
    }
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

    /// Whether `user` matches, comparing a `username` as the pool compares usernames
    /// (case-folded unless `case_sensitive`, SPEC §8) and `status` ignoring case (Cognito
    /// documents it as case-insensitive); every other attribute compares exactly.
    fn matches(&self, user: &UserDescription, case_sensitive: bool) -> bool {
        let status = user.status.to_string();
        let (actual, wanted) = match self.attribute.as_str() {
            "username" if !case_sensitive => {
                (Some(fold_case(&user.username)), fold_case(&self.value))
            }
            "status" => (
                Some(if user.enabled { "enabled" } else { "disabled" }.to_owned()),
                self.value.to_lowercase(),
            ),
            attribute => {
                let actual = match attribute {
                    "username" => Some(user.username.as_str()),
                    "cognito:user_status" => Some(status.as_str()),
                    other => user.attributes.get(other).map(String::as_str),
                };
                (actual.map(str::to_owned), self.value.clone())
            }
        };
        actual.is_some_and(|v| {
            if self.prefix {
                v.starts_with(&wanted)
            } else {
                v == wanted
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

    /// SPEC §11 (ListUsers pagination): a token round-trips for its own pool only, and
    /// nothing else is taken for one.
    #[test]
    fn page_tokens_are_recognised_only_for_the_pool_they_were_issued_for() {
        let token = PageToken::issue("us-east-1_Abc", "bob");
        assert_eq!(
            PageToken::read("us-east-1_Abc", &token).ok(),
            Some("bob".into())
        );
        let foreign = PageToken::issue("us-east-1_Other", "bob");
        let empty_key = PageToken::issue("us-east-1_Abc", "");
        let next_version = {
            use base64ct::{Base64UrlUnpadded, Encoding};
            Base64UrlUnpadded::encode_string(br#"{"v":2,"pool":"us-east-1_Abc","after":"bob"}"#)
        };
        for bad in [
            "bob",
            "",
            "!!!",
            foreign.as_str(),
            empty_key.as_str(),
            next_version.as_str(),
        ] {
            let err = PageToken::read("us-east-1_Abc", bad).err();
            assert_eq!(
                err.map(|e| (e.code(), e.to_string())),
                Some((
                    "InvalidParameterException",
                    "Invalid pagination token".to_owned()
                )),
                "{bad:?}"
            );
        }
    }

    /// SPEC §8: a `username` filter compares as the pool compares usernames.
    #[test]
    fn username_filters_fold_case_only_in_case_insensitive_pools_and_status_never_cares() {
        let user = UserDescription {
            username: "Bob".into(),
            sub: uuid::Uuid::nil(),
            attributes: std::collections::BTreeMap::new(),
            status: userpool_core::UserStatus::Confirmed,
            enabled: true,
            created_at: chrono::DateTime::UNIX_EPOCH,
            modified_at: chrono::DateTime::UNIX_EPOCH,
            version: 0,
        };
        let exact = |text: &str| Filter::parse(text).ok();
        for (text, case_sensitive, expected) in [
            (r#"username = "bob""#, false, true),
            (r#"username = "BOB""#, false, true),
            (r#"username ^= "bO""#, false, true),
            (r#"username = "bob""#, true, false),
            (r#"username = "Bob""#, true, true),
            (r#"username = "bobby""#, false, false),
            // `status` is case-insensitive in every pool, as Cognito documents it.
            (r#"status = "enabled""#, true, true),
            (r#"status = "ENABLED""#, true, true),
            (r#"status = "Disabled""#, true, false),
        ] {
            let filter = exact(text);
            assert_eq!(
                filter.map(|f| f.matches(&user, case_sensitive)),
                Some(expected),
                "{text} case_sensitive={case_sensitive}"
            );
        }
    }
}
