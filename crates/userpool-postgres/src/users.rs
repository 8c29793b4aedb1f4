//! Users: reading (one statement per record, so READ COMMITTED never mixes two versions of
//! a user), insert, compare-and-swap update, delete.
//!
//! A user is one row of `users` (attributes and password history are arrays in it) plus
//! its alias keys in `aliases`. Uniqueness is the constraints' job
//! (`users_username_unique`, `users_sub_unique`, `aliases_pkey`); a refused write is told
//! apart by the constraint PostgreSQL names, never by its message.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use postgres::Row;
use postgres::error::SqlState;
use postgres::types::ToSql;
use userpool_core::{PasswordHash, UserPoolId, UserRecord, Username};
use userpool_store::{PoolRecord, StoreError, UserKey, keys};

use crate::codec::{self, UserColumns, from_sql_int};
use crate::connection::Conn;
use crate::error::{Failure, corrupt, require_row, unique_violation, unless_taken};
use crate::pools::get;

/// The columns a record is read from, of `users` named `u` in the query.
macro_rules! user_columns {
    () => {
        "u.username, u.sub, u.status, u.enabled, u.attribute_names, u.attribute_values, \
         u.credential_hash, u.credential_kind, u.credential_expires_at, u.credential_set_at, \
         u.password_history, u.history_salt, u.consecutive_failures, u.last_failure_at, \
         u.locked_until, u.code_purpose, u.code_digest, u.code_expires_at, \
         u.code_failed_attempts, u.challenge_digest, u.challenge_credential, \
         u.challenge_expires_at, u.sign_up_code_failures, u.sign_up_codes_issued, \
         u.reset_code_failures, u.reset_codes_issued, u.srp, u.mfa, u.code_held_value, \
         u.challenge_client, u.created_at, u.modified_at, u.version"
    };
}
pub(crate) use user_columns;

/// The columns a write sets from the record, in the order of [`Columns::values`].
const FIELDS: [&str; 31] = [
    "status",
    "enabled",
    "attribute_names",
    "attribute_values",
    "credential_hash",
    "credential_kind",
    "credential_expires_at",
    "credential_set_at",
    "password_history",
    "history_salt",
    "consecutive_failures",
    "last_failure_at",
    "locked_until",
    "code_purpose",
    "code_digest",
    "code_expires_at",
    "code_failed_attempts",
    "challenge_digest",
    "challenge_credential",
    "challenge_expires_at",
    "sign_up_code_failures",
    "sign_up_codes_issued",
    "reset_code_failures",
    "reset_codes_issued",
    "srp",
    "mfa",
    "code_held_value",
    "challenge_client",
    "created_at",
    "modified_at",
    "version",
];

/// `$1..$4` are the pool, username, username key and `sub`, then one per field.
static INSERT_SQL: LazyLock<String> = LazyLock::new(|| {
    let placeholders: Vec<String> = (5..5 + FIELDS.len()).map(|i| format!("${i}")).collect();
    format!(
        "INSERT INTO users (pool_id, username, username_key, sub, {}) \
         VALUES ($1, $2, $3, $4, {}) RETURNING id",
        FIELDS.join(", "),
        placeholders.join(", ")
    )
});

/// One placeholder per field, then the pool, the username key and the expected version.
/// Returns the row id, the `sub`, and the user's alias keys as they were before the write:
/// read by the statement's snapshot, which is consistent with the version matched, since
/// every change of a user's keys bumps its version (a write committed after the snapshot
/// makes the version check fail, and nothing is updated).
static UPDATE_SQL: LazyLock<String> = LazyLock::new(|| {
    let sets: Vec<String> = FIELDS
        .iter()
        .enumerate()
        .map(|(i, column)| format!("{column} = ${}", i + 1))
        .collect();
    let n = FIELDS.len();
    format!(
        "UPDATE users SET {} WHERE pool_id = ${} AND username_key = ${} AND version = ${} \
         RETURNING id, sub, \
         ARRAY(SELECT attribute FROM aliases a WHERE a.user_id = users.id \
               ORDER BY attribute, alias_key) AS alias_attributes, \
         ARRAY(SELECT alias_key FROM aliases a WHERE a.user_id = users.id \
               ORDER BY attribute, alias_key) AS alias_keys, \
         ARRAY(SELECT provider_name FROM linked_identities l WHERE l.user_id = users.id \
               ORDER BY provider_name, provider_user_id) AS link_providers, \
         ARRAY(SELECT provider_user_id FROM linked_identities l WHERE l.user_id = users.id \
               ORDER BY provider_name, provider_user_id) AS link_subjects",
        sets.join(", "),
        n + 1,
        n + 2,
        n + 3
    )
});

/// [`UPDATE_SQL`] for a write that leaves the user's keys as they are: one statement that
/// PostgreSQL commits on its own. Besides the version it matches the `sub`, and the alias
/// keys and linked identities now stored (each as two arrays, names and values, ordered
/// by the pair in byte order); a write that would change any of them matches no row and
/// goes the transaction's way. The keys read are consistent with the version matched, as
/// for [`UPDATE_SQL`].
static UPDATE_SAME_KEYS_SQL: LazyLock<String> = LazyLock::new(|| {
    let sets: Vec<String> = FIELDS
        .iter()
        .enumerate()
        .map(|(i, column)| format!("{column} = ${}", i + 1))
        .collect();
    let n = FIELDS.len();
    let list = |column: &str, table: &str, order: &str| {
        format!("ARRAY(SELECT {column} FROM {table} t WHERE t.user_id = users.id ORDER BY {order})")
    };
    let alias_order = r#"attribute COLLATE "C", alias_key COLLATE "C""#;
    let link_order = r#"provider_name COLLATE "C", provider_user_id COLLATE "C""#;
    format!(
        "UPDATE users SET {} WHERE pool_id = ${} AND username_key = ${} AND version = ${} \
         AND sub = ${} AND {} = ${}::text[] AND {} = ${}::text[] \
         AND {} = ${}::text[] AND {} = ${}::text[] RETURNING version",
        sets.join(", "),
        n + 1,
        n + 2,
        n + 3,
        n + 4,
        list("attribute", "aliases", alias_order),
        n + 5,
        list("alias_key", "aliases", alias_order),
        n + 6,
        list("provider_name", "linked_identities", link_order),
        n + 7,
        list("provider_user_id", "linked_identities", link_order),
        n + 8,
    )
});

/// Fails with `NotFound` unless the pool holds a user `sub` (stored text): the user a
/// membership or an authorization code is written for.
pub(crate) fn require_sub(conn: &mut Conn, pool: &UserPoolId, sub: &str) -> Result<(), Failure> {
    require_row(
        conn,
        "SELECT 1 FROM users WHERE pool_id = $1 AND sub = $2",
        &[&pool.as_str(), &sub],
        StoreError::NotFound,
    )
}

/// Finds the user a key designates, in one statement.
pub(crate) fn find(
    conn: &mut Conn,
    pool: &PoolRecord,
    key: UserKey<'_>,
) -> Result<Option<UserRecord>, Failure> {
    let pool_id = pool.id.as_str();
    let row = match key {
        UserKey::Username(name) => conn.query_opt(
            concat!(
                "SELECT ",
                user_columns!(),
                " FROM users u WHERE u.pool_id = $1 AND u.username_key = $2"
            ),
            &[&pool_id, &keys::username_key(pool, name)],
        )?,
        UserKey::Alias(attribute, value) => conn.query_opt(
            concat!(
                "SELECT ",
                user_columns!(),
                " FROM aliases a JOIN users u ON u.id = a.user_id \
                 WHERE a.pool_id = $1 AND a.attribute = $2 AND a.alias_key = $3"
            ),
            &[&pool_id, &attribute.as_str(), &keys::alias_key(pool, value)],
        )?,
        UserKey::Sub(sub) => conn.query_opt(
            concat!(
                "SELECT ",
                user_columns!(),
                " FROM users u WHERE u.pool_id = $1 AND u.sub = $2"
            ),
            &[&pool_id, &codec::sub_text(sub)],
        )?,
    };
    row.as_ref().map(user_from_row).transpose()
}

/// Finds the user a key designates in the pool with id `pool_id`, and whether that pool
/// exists, in one statement (one round trip): the key is folded in SQL by the pool's own
/// `case_sensitive`, from both spellings sent along.
pub(crate) fn find_by_id(
    conn: &mut Conn,
    pool_id: &str,
    key: UserKey<'_>,
) -> Result<Option<UserRecord>, Failure> {
    let row = match key {
        UserKey::Username(name) => conn.query_opt(
            concat!(
                "SELECT ",
                user_columns!(),
                " FROM pools p LEFT JOIN users u ON u.pool_id = p.id AND u.username_key = \
                 CASE WHEN p.case_sensitive THEN $2 ELSE $3 END WHERE p.id = $1"
            ),
            &[&pool_id, &name, &userpool_core::fold_case(name)],
        )?,
        UserKey::Alias(attribute, value) => conn.query_opt(
            concat!(
                "SELECT ",
                user_columns!(),
                " FROM pools p LEFT JOIN aliases a ON a.pool_id = p.id AND a.attribute = $4 \
                 AND a.alias_key = CASE WHEN p.case_sensitive THEN $2 ELSE $3 END \
                 LEFT JOIN users u ON u.id = a.user_id WHERE p.id = $1"
            ),
            &[
                &pool_id,
                &value,
                &userpool_core::fold_case(value),
                &attribute.as_str(),
            ],
        )?,
        UserKey::Sub(sub) => conn.query_opt(
            concat!(
                "SELECT ",
                user_columns!(),
                " FROM pools p LEFT JOIN users u ON u.pool_id = p.id AND u.sub = $2 \
                 WHERE p.id = $1"
            ),
            &[&pool_id, &codec::sub_text(sub)],
        )?,
    };
    let Some(row) = row else {
        return Err(StoreError::PoolNotFound(pool_id.to_owned()).into());
    };
    // The pool exists; a NULL username is the outer join finding no user.
    if get::<Option<&str>>(&row, "username")?.is_none() {
        return Ok(None);
    }
    user_from_row(&row).map(Some)
}

/// The pool with id `pool_id` and the user its username `name` designates, in one
/// statement (one round trip, one snapshot): the key is folded in SQL by the pool's own
/// `case_sensitive`, from both spellings sent along. `None` when the pool does not exist.
pub(crate) fn find_pool_and_username(
    conn: &mut Conn,
    pool_id: &str,
    name: &str,
) -> Result<Option<(PoolRecord, Option<UserRecord>)>, Failure> {
    let row = conn.query_opt(
        concat!(
            "SELECT ",
            crate::pools::pool_user_columns!(),
            ", ",
            user_columns!(),
            " FROM pools p LEFT JOIN users u ON u.pool_id = p.id AND u.username_key = \
             CASE WHEN p.case_sensitive THEN $2 ELSE $3 END WHERE p.id = $1"
        ),
        &[&pool_id, &name, &userpool_core::fold_case(name)],
    )?;
    let Some(row) = row else {
        return Ok(None);
    };
    let pool = crate::pools::pool_from_row_as(&row, &crate::pools::POOL_STAMPS)?;
    // A NULL username is the outer join finding no user.
    if get::<Option<&str>>(&row, "username")?.is_none() {
        return Ok(Some((pool, None)));
    }
    Ok(Some((pool, Some(user_from_row(&row)?))))
}

/// Up to `limit` users of a pool in username-key order (`COLLATE "C"`), after `after`.
pub(crate) fn list(
    conn: &mut Conn,
    pool: &PoolRecord,
    after: Option<&str>,
    limit: usize,
) -> Result<Vec<UserRecord>, Failure> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    conn.query(
        concat!(
            "SELECT ",
            user_columns!(),
            " FROM users u WHERE u.pool_id = $1 AND u.username_key > $2 \
             ORDER BY u.username_key LIMIT $3"
        ),
        &[&pool.id.as_str(), &after.unwrap_or(""), &limit],
    )?
    .iter()
    .map(user_from_row)
    .collect()
}

/// A record's column values, as stored (compared to tell whether a stored row is a given
/// write, at the precision the columns keep): the shared scalar columns, and the
/// attributes and password history as this store's arrays.
#[derive(PartialEq)]
struct Columns<'a> {
    user: UserColumns<'a>,
    attribute_names: Vec<&'a str>,
    attribute_values: Vec<&'a str>,
    password_history: Vec<&'a str>,
}

impl<'a> Columns<'a> {
    fn new(user: &'a UserRecord, version: u64) -> Result<Self, Failure> {
        Ok(Columns {
            user: UserColumns::new(user, version)?,
            attribute_names: user.attributes.keys().map(String::as_str).collect(),
            attribute_values: user.attributes.values().map(String::as_str).collect(),
            password_history: user.history.iter().map(PasswordHash::as_phc).collect(),
        })
    }

    /// The values in [`FIELDS`] order.
    fn values(&self) -> [&(dyn ToSql + Sync); 31] {
        let u = &self.user;
        [
            &u.status,
            &u.enabled,
            &self.attribute_names,
            &self.attribute_values,
            &u.credential_hash,
            &u.credential_kind,
            &u.credential_expires_at,
            &u.credential_set_at,
            &self.password_history,
            &u.history_salt,
            &u.consecutive_failures,
            &u.last_failure_at,
            &u.locked_until,
            &u.code_purpose,
            &u.code_digest,
            &u.code_expires_at,
            &u.code_failed_attempts,
            &u.challenge_digest,
            &u.challenge_credential,
            &u.challenge_expires_at,
            &u.sign_up_code_failures,
            &u.sign_up_codes_issued,
            &u.reset_code_failures,
            &u.reset_codes_issued,
            &u.srp,
            &u.mfa,
            &u.code_held_value,
            &u.challenge_client,
            &u.created_at,
            &u.modified_at,
            &u.version,
        ]
    }
}

/// Inserts a user at version 1, with its alias keys.
pub(crate) fn insert(
    conn: &mut Conn,
    pool: &PoolRecord,
    user: &UserRecord,
) -> Result<u64, Failure> {
    let username_key = keys::username_key(pool, user.username.as_str());
    let sub = codec::sub_text(user.sub);
    let columns = Columns::new(user, 1)?;
    let (pool_id, username) = (pool.id.as_str(), user.username.as_str());
    let keys: [&(dyn ToSql + Sync); 4] = [&pool_id, &username, &username_key, &sub];
    let params: Vec<&(dyn ToSql + Sync)> = keys.into_iter().chain(columns.values()).collect();
    let row = match conn.query_opt_raw(INSERT_SQL.as_str(), &params) {
        Ok(row) => row.ok_or_else(|| corrupt("users: the insert returned no id"))?,
        Err(e) => {
            return Err(match unique_violation(&e) {
                Some("users_username_unique") => StoreError::UsernameExists.into(),
                Some("users_sub_unique") => StoreError::SubExists.into(),
                // The pool was deleted since it was read.
                _ if e.code() == Some(&SqlState::FOREIGN_KEY_VIOLATION) => {
                    StoreError::PoolNotFound(pool_id.to_owned()).into()
                }
                _ => e.into(),
            });
        }
    };
    let id: i64 = get(&row, "id")?;
    for (attribute, key) in keys::alias_keys(pool, user) {
        insert_alias(conn, pool, id, attribute, &key)?;
    }
    for (provider, subject) in keys::linked_identities(user) {
        insert_link(conn, pool, id, &provider, &subject)?;
    }
    Ok(1)
}

/// One row of a user's linked identities (SPEC §21).
fn insert_link(
    conn: &mut Conn,
    pool: &PoolRecord,
    id: i64,
    provider: &str,
    subject: &str,
) -> Result<(), Failure> {
    conn.execute(
        "INSERT INTO linked_identities (pool_id, provider_name, provider_user_id, user_id) \
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        &[&pool.id.as_str(), &provider, &subject, &id],
    )?;
    Ok(())
}

/// The user `(provider, subject)` is linked to in `pool`, the first in username-key order
/// should several be (SPEC §21): one statement.
pub(crate) fn find_linked(
    conn: &mut Conn,
    pool: &PoolRecord,
    provider: &str,
    subject: &str,
) -> Result<Option<UserRecord>, Failure> {
    conn.query_opt(
        concat!(
            "SELECT ",
            user_columns!(),
            " FROM linked_identities l JOIN users u ON u.id = l.user_id \
             WHERE l.pool_id = $1 AND l.provider_name = $2 AND l.provider_user_id = $3 \
             ORDER BY u.username_key LIMIT 1"
        ),
        &[&pool.id.as_str(), &provider, &subject],
    )?
    .as_ref()
    .map(user_from_row)
    .transpose()
}

fn insert_alias(
    conn: &mut Conn,
    pool: &PoolRecord,
    id: i64,
    attribute: userpool_core::AliasAttribute,
    key: &str,
) -> Result<(), Failure> {
    let result = conn.execute_raw(
        "INSERT INTO aliases (pool_id, attribute, alias_key, user_id) VALUES ($1, $2, $3, $4)",
        &[&pool.id.as_str(), &attribute.as_str(), &key, &id],
    );
    unless_taken(
        result,
        "aliases_pkey",
        StoreError::AliasExists(attribute),
        None,
    )?;
    Ok(())
}

/// The stored version of the user under `username`'s key.
fn stored_version(
    conn: &mut Conn,
    pool: &PoolRecord,
    username: &Username,
) -> Result<Option<u64>, Failure> {
    let key = keys::username_key(pool, username.as_str());
    conn.query_opt(
        "SELECT version FROM users WHERE pool_id = $1 AND username_key = $2",
        &[&pool.id.as_str(), &key],
    )?
    .map(|row| -> Result<u64, Failure> {
        Ok(from_sql_int(get(&row, "version")?, "users.version")?)
    })
    .transpose()
}

/// Replaces a user if its stored version is still `user.version`: the `UPDATE` is the
/// compare-and-swap (under READ COMMITTED, a writer that waited for another re-checks the
/// version on the row that one committed), then the alias keys that changed.
pub(crate) fn update(
    conn: &mut Conn,
    pool: &PoolRecord,
    user: &UserRecord,
) -> Result<u64, Failure> {
    let next = codec::next_version(user.version, "users.version")?;
    let columns = Columns::new(user, next)?;
    let username_key = keys::username_key(pool, user.username.as_str());
    let pool_id = pool.id.as_str();
    let expected = codec::to_sql_int(user.version, "users.version")?;
    let tail: [&(dyn ToSql + Sync); 3] = [&pool_id, &username_key, &expected];
    let params: Vec<&(dyn ToSql + Sync)> = columns.values().into_iter().chain(tail).collect();
    let Some(row) = conn.query_opt(UPDATE_SQL.as_str(), &params)? else {
        return Err(match stored_version(conn, pool, &user.username)? {
            None => StoreError::NotFound,
            Some(found) => StoreError::Conflict {
                expected: user.version,
                found: Some(found),
            },
        }
        .into());
    };
    let sub: &str = get(&row, "sub")?;
    if sub != codec::sub_text(user.sub) {
        // The transaction rolls back: nothing of this write stays.
        return Err(StoreError::Backend("a user's sub never changes".into()).into());
    }
    let id: i64 = get(&row, "id")?;
    // Only the keys that changed are written: most writes (a sign-in's lockout
    // bookkeeping, a code, a password) change none.
    let attributes: Vec<String> = get(&row, "alias_attributes")?;
    let alias_keys: Vec<String> = get(&row, "alias_keys")?;
    if attributes.len() != alias_keys.len() {
        return Err(corrupt("aliases: attributes and keys differ in number"));
    }
    let stored: BTreeSet<(String, String)> = attributes.into_iter().zip(alias_keys).collect();
    let wanted: BTreeMap<(String, String), userpool_core::AliasAttribute> =
        keys::alias_keys(pool, user)
            .into_iter()
            .map(|(attribute, key)| ((attribute.as_str().to_owned(), key), attribute))
            .collect();
    for (attribute, key) in stored.iter().filter(|k| !wanted.contains_key(*k)) {
        conn.execute(
            "DELETE FROM aliases WHERE pool_id = $1 AND attribute = $2 AND alias_key = $3 \
             AND user_id = $4",
            &[&pool_id, attribute, key, &id],
        )?;
    }
    for ((_, key), attribute) in wanted.iter().filter(|(k, _)| !stored.contains(*k)) {
        insert_alias(conn, pool, id, *attribute, key)?;
    }
    // The same for linked identities (SPEC §21): most writes change none.
    let providers: Vec<String> = get(&row, "link_providers")?;
    let subjects: Vec<String> = get(&row, "link_subjects")?;
    if providers.len() != subjects.len() {
        return Err(corrupt(
            "linked_identities: providers and user ids differ in number",
        ));
    }
    let stored: BTreeSet<(String, String)> = providers.into_iter().zip(subjects).collect();
    let wanted: BTreeSet<(String, String)> = keys::linked_identities(user).into_iter().collect();
    for (provider, subject) in stored.difference(&wanted) {
        conn.execute(
            "DELETE FROM linked_identities WHERE pool_id = $1 AND provider_name = $2 \
             AND provider_user_id = $3 AND user_id = $4",
            &[&pool_id, provider, subject, &id],
        )?;
    }
    for (provider, subject) in wanted.difference(&stored) {
        insert_link(conn, pool, id, provider, subject)?;
    }
    Ok(next)
}

/// Replaces a user whose keys (username, `sub`, alias keys, linked identities) the write
/// leaves as they are, if its stored version is still `user.version`, in one statement
/// outside a transaction ([`UPDATE_SAME_KEYS_SQL`]): most writes (a password, a sign-in's
/// bookkeeping, a code) are such. `None` when no row matched, for any reason (another
/// version, changed keys, no such user or pool); the caller then runs [`update`] in a
/// transaction, which tells those apart.
pub(crate) fn update_same_keys(
    conn: &mut Conn,
    pool: &PoolRecord,
    user: &UserRecord,
) -> Result<Option<u64>, Failure> {
    let next = codec::next_version(user.version, "users.version")?;
    let columns = Columns::new(user, next)?;
    let username_key = keys::username_key(pool, user.username.as_str());
    let pool_id = pool.id.as_str();
    let expected = codec::to_sql_int(user.version, "users.version")?;
    let sub = codec::sub_text(user.sub);
    let (alias_names, alias_values) = sorted_pairs(
        keys::alias_keys(pool, user)
            .into_iter()
            .map(|(attribute, key)| (attribute.as_str().to_owned(), key)),
    );
    let (providers, subjects) = sorted_pairs(keys::linked_identities(user));
    let tail: [&(dyn ToSql + Sync); 8] = [
        &pool_id,
        &username_key,
        &expected,
        &sub,
        &alias_names,
        &alias_values,
        &providers,
        &subjects,
    ];
    let params: Vec<&(dyn ToSql + Sync)> = columns.values().into_iter().chain(tail).collect();
    match conn.query_opt(UPDATE_SAME_KEYS_SQL.as_str(), &params)? {
        None => Ok(None),
        Some(row) => Ok(Some(from_sql_int(get(&row, "version")?, "users.version")?)),
    }
}

/// What a lost connection left of an [`update_same_keys`] write, told from the row now
/// stored under the user's username key.
pub(crate) enum Settled {
    /// The write is stored, at this version.
    Written(u64),
    /// Nothing of it is stored: the row is as the write expected it, or another writer's
    /// (or none is left); the transaction path reports what it finds.
    NotWritten,
    /// The row has moved on past the write's version: whether the write was ever stored
    /// cannot be told.
    Unknown,
}

/// Settles the outcome of an [`update_same_keys`] write whose connection was lost.
pub(crate) fn settle_lost_update(
    conn: &mut Conn,
    pool: &PoolRecord,
    user: &UserRecord,
) -> Result<Settled, Failure> {
    let next = codec::next_version(user.version, "users.version")?;
    let Some(stored) = find(conn, pool, UserKey::Username(user.username.as_str()))? else {
        return Ok(Settled::NotWritten);
    };
    Ok(if stored.version == user.version {
        Settled::NotWritten
    } else if stored.version == next {
        // Only one writer can move the row from the expected version to `next`.
        if Columns::new(&stored, next)? == Columns::new(user, next)? {
            Settled::Written(next)
        } else {
            Settled::NotWritten
        }
    } else {
        Settled::Unknown
    })
}

/// Distinct `(name, value)` pairs in byte order (`COLLATE "C"`'s), as two arrays.
fn sorted_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> (Vec<String>, Vec<String>) {
    let sorted: BTreeSet<(String, String)> = pairs.into_iter().collect();
    sorted.into_iter().unzip()
}

/// Deletes a user if its stored version is still `version`; its alias keys, sessions and
/// memberships cascade.
pub(crate) fn delete(
    conn: &mut Conn,
    pool: &PoolRecord,
    username: &Username,
    version: u64,
) -> Result<(), Failure> {
    let key = keys::username_key(pool, username.as_str());
    let expected = codec::to_sql_int(version, "users.version")?;
    let changed = conn.execute(
        "DELETE FROM users WHERE pool_id = $1 AND username_key = $2 AND version = $3",
        &[&pool.id.as_str(), &key, &expected],
    )?;
    if changed == 1 {
        return Ok(());
    }
    Err(match stored_version(conn, pool, username)? {
        None => StoreError::NotFound,
        Some(found) => StoreError::Conflict {
            expected: version,
            found: Some(found),
        },
    }
    .into())
}

/// Reads a whole record from a row of [`user_columns`].
pub(crate) fn user_from_row(row: &Row) -> Result<UserRecord, Failure> {
    let names: Vec<String> = get(row, "attribute_names")?;
    let values: Vec<String> = get(row, "attribute_values")?;
    if names.len() != values.len() {
        return Err(corrupt(
            "users.attribute_*: names and values differ in number",
        ));
    }
    let history: Vec<&str> = get(row, "password_history")?;
    let blob = |column: &str| -> Result<Option<Cow<'_, [u8]>>, Failure> {
        Ok(get::<Option<&[u8]>>(row, column)?.map(Cow::Borrowed))
    };
    let columns = UserColumns {
        status: get(row, "status")?,
        enabled: get(row, "enabled")?,
        credential_hash: get(row, "credential_hash")?,
        credential_kind: get(row, "credential_kind")?,
        credential_expires_at: get(row, "credential_expires_at")?,
        credential_set_at: get(row, "credential_set_at")?,
        history_salt: blob("history_salt")?,
        consecutive_failures: get(row, "consecutive_failures")?,
        last_failure_at: get(row, "last_failure_at")?,
        locked_until: get(row, "locked_until")?,
        code_purpose: get(row, "code_purpose")?,
        code_digest: get(row, "code_digest")?,
        code_expires_at: get(row, "code_expires_at")?,
        code_failed_attempts: get(row, "code_failed_attempts")?,
        challenge_digest: get(row, "challenge_digest")?,
        challenge_credential: get(row, "challenge_credential")?,
        challenge_expires_at: get(row, "challenge_expires_at")?,
        sign_up_code_failures: get(row, "sign_up_code_failures")?,
        sign_up_codes_issued: get(row, "sign_up_codes_issued")?,
        reset_code_failures: get(row, "reset_code_failures")?,
        reset_codes_issued: get(row, "reset_codes_issued")?,
        srp: blob("srp")?,
        mfa: blob("mfa")?,
        code_held_value: get(row, "code_held_value")?,
        challenge_client: get(row, "challenge_client")?,
        created_at: get(row, "created_at")?,
        modified_at: get(row, "modified_at")?,
        version: get(row, "version")?,
    };
    let mut user = columns.into_record(get(row, "username")?, get(row, "sub")?)?;
    user.attributes = names.into_iter().zip(values).collect();
    user.history = history
        .into_iter()
        .map(|phc| {
            PasswordHash::parse(phc)
                .map_err(|_| corrupt("users.password_history: malformed PHC string"))
        })
        .collect::<Result<_, _>>()?;
    Ok(user)
}
