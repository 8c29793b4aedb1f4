//! Users: reading (one statement per record, so READ COMMITTED never mixes two versions of
//! a user), insert, compare-and-swap update, delete.
//!
//! A user is one row of `users` (attributes and password history are arrays in it) plus
//! its alias keys in `aliases`. Uniqueness is the constraints' job
//! (`users_username_unique`, `users_sub_unique`, `aliases_pkey`); a refused write is told
//! apart by the constraint PostgreSQL names, never by its message.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;
use std::sync::LazyLock;

use postgres::Row;
use postgres::error::SqlState;
use postgres::types::ToSql;
use userpool_core::{
    CodePurpose, CodeThrottle, CodeThrottles, Credential, CredentialKind, Lockout, PasswordHash,
    PendingChallenge, PendingCode, SecretDigest, UserRecord, UserStatus, Username,
};
use userpool_store::{PoolRecord, StoreError, UserKey, keys};

use crate::codec::{self, from_sql_int, micros, opt_time, parse_time_list, time, time_list};
use crate::connection::Conn;
use crate::error::{Failure, corrupt, unique_violation};
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
/// write, at the precision the columns keep).
#[derive(PartialEq)]
struct Columns<'a> {
    status: &'static str,
    enabled: bool,
    attribute_names: Vec<&'a str>,
    attribute_values: Vec<&'a str>,
    credential_hash: Option<&'a str>,
    credential_kind: Option<&'static str>,
    credential_expires_at: Option<i64>,
    credential_set_at: Option<i64>,
    password_history: Vec<&'a str>,
    history_salt: Option<&'a [u8]>,
    consecutive_failures: i64,
    last_failure_at: Option<i64>,
    locked_until: Option<i64>,
    code_purpose: Option<&'static str>,
    code_digest: Option<String>,
    code_expires_at: Option<i64>,
    code_failed_attempts: Option<i64>,
    challenge_digest: Option<String>,
    challenge_credential: Option<String>,
    challenge_expires_at: Option<i64>,
    sign_up_code_failures: String,
    sign_up_codes_issued: String,
    reset_code_failures: String,
    reset_codes_issued: String,
    srp: Option<&'a [u8]>,
    mfa: Option<&'a [u8]>,
    code_held_value: Option<&'a str>,
    challenge_client: Option<&'a str>,
    created_at: i64,
    modified_at: i64,
    version: i64,
}

impl<'a> Columns<'a> {
    fn new(user: &'a UserRecord, version: u64) -> Result<Self, Failure> {
        let credential = user.credential.as_ref();
        let code = user.pending_code.as_ref();
        let challenge = user.pending_challenge.as_ref();
        Ok(Columns {
            status: user.status.as_str(),
            enabled: user.enabled,
            attribute_names: user.attributes.keys().map(String::as_str).collect(),
            attribute_values: user.attributes.values().map(String::as_str).collect(),
            credential_hash: credential.map(|c| c.hash.as_phc()),
            credential_kind: credential.map(|c| match c.kind {
                CredentialKind::Permanent => "PERMANENT",
                CredentialKind::Temporary { .. } => "TEMPORARY",
            }),
            credential_expires_at: credential.and_then(|c| match c.kind {
                CredentialKind::Permanent => None,
                CredentialKind::Temporary { expires_at } => Some(micros(expires_at)),
            }),
            credential_set_at: credential.map(|c| micros(c.set_at)),
            password_history: user.history.iter().map(PasswordHash::as_phc).collect(),
            history_salt: user.history_salt.as_ref().map(<[u8; 16]>::as_slice),
            consecutive_failures: i64::from(user.lockout.consecutive_failures),
            last_failure_at: user.lockout.last_failure_at.map(micros),
            locked_until: user.lockout.locked_until.map(micros),
            code_purpose: code.map(|c| c.purpose.as_str()),
            code_digest: code.map(|c| c.digest.to_storage()),
            code_expires_at: code.map(|c| micros(c.expires_at)),
            code_failed_attempts: code.map(|c| i64::from(c.failed_attempts)),
            challenge_digest: challenge.map(|c| c.digest.to_storage()),
            challenge_credential: challenge.map(|c| c.credential.to_storage()),
            challenge_expires_at: challenge.map(|c| micros(c.expires_at)),
            sign_up_code_failures: time_list(&user.code_throttles.sign_up.failures),
            sign_up_codes_issued: time_list(&user.code_throttles.sign_up.issued),
            reset_code_failures: time_list(&user.code_throttles.password_reset.failures),
            reset_codes_issued: time_list(&user.code_throttles.password_reset.issued),
            srp: user.srp.as_ref().map(userpool_core::srp::SrpBlob::as_bytes),
            mfa: user.mfa.as_ref().map(userpool_core::mfa::MfaBlob::as_bytes),
            code_held_value: code.and_then(|c| c.held_value.as_deref()),
            challenge_client: user.challenge_client.as_deref(),
            created_at: micros(user.created_at),
            modified_at: micros(user.modified_at),
            version: codec::to_sql_int(version, "users.version")?,
        })
    }

    /// The values in [`FIELDS`] order.
    fn values(&self) -> [&(dyn ToSql + Sync); 31] {
        [
            &self.status,
            &self.enabled,
            &self.attribute_names,
            &self.attribute_values,
            &self.credential_hash,
            &self.credential_kind,
            &self.credential_expires_at,
            &self.credential_set_at,
            &self.password_history,
            &self.history_salt,
            &self.consecutive_failures,
            &self.last_failure_at,
            &self.locked_until,
            &self.code_purpose,
            &self.code_digest,
            &self.code_expires_at,
            &self.code_failed_attempts,
            &self.challenge_digest,
            &self.challenge_credential,
            &self.challenge_expires_at,
            &self.sign_up_code_failures,
            &self.sign_up_codes_issued,
            &self.reset_code_failures,
            &self.reset_codes_issued,
            &self.srp,
            &self.mfa,
            &self.code_held_value,
            &self.challenge_client,
            &self.created_at,
            &self.modified_at,
            &self.version,
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
    match conn.execute_raw(
        "INSERT INTO aliases (pool_id, attribute, alias_key, user_id) VALUES ($1, $2, $3, $4)",
        &[&pool.id.as_str(), &attribute.as_str(), &key, &id],
    ) {
        Ok(_) => Ok(()),
        Err(e) if unique_violation(&e) == Some("aliases_pkey") => {
            Err(StoreError::AliasExists(attribute).into())
        }
        Err(e) => Err(e.into()),
    }
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
    let username: &str = get(row, "username")?;
    let sub: &str = get(row, "sub")?;
    let status: &str = get(row, "status")?;
    let names: Vec<String> = get(row, "attribute_names")?;
    let values: Vec<String> = get(row, "attribute_values")?;
    if names.len() != values.len() {
        return Err(corrupt(
            "users.attribute_*: names and values differ in number",
        ));
    }
    let history: Vec<&str> = get(row, "password_history")?;
    Ok(UserRecord {
        username: Username::parse(username)
            .map_err(|_| corrupt("users.username: not a valid username"))?,
        sub: codec::sub(sub)?,
        status: UserStatus::from_str(status)
            .map_err(|_| corrupt("users.status: unknown status"))?,
        enabled: get(row, "enabled")?,
        attributes: names.into_iter().zip(values).collect(),
        credential: credential(row)?,
        history: history
            .into_iter()
            .map(|phc| {
                PasswordHash::parse(phc)
                    .map_err(|_| corrupt("users.password_history: malformed PHC string"))
            })
            .collect::<Result<_, _>>()?,
        history_salt: history_salt(row)?,
        lockout: Lockout {
            consecutive_failures: from_sql_int(
                get(row, "consecutive_failures")?,
                "users.consecutive_failures",
            )?,
            last_failure_at: opt_time(get(row, "last_failure_at")?, "users.last_failure_at")?,
            locked_until: opt_time(get(row, "locked_until")?, "users.locked_until")?,
        },
        pending_code: pending_code(row)?,
        code_throttles: code_throttles(row)?,
        pending_challenge: pending_challenge(row)?,
        srp: get::<Option<Vec<u8>>>(row, "srp")?.map(userpool_core::srp::SrpBlob::from_bytes),
        mfa: get::<Option<Vec<u8>>>(row, "mfa")?.map(userpool_core::mfa::MfaBlob::from_bytes),
        challenge_client: get(row, "challenge_client")?,
        created_at: time(get(row, "created_at")?, "users.created_at")?,
        modified_at: time(get(row, "modified_at")?, "users.modified_at")?,
        version: from_sql_int(get(row, "version")?, "users.version")?,
    })
}

fn credential(row: &Row) -> Result<Option<Credential>, Failure> {
    let hash: Option<&str> = get(row, "credential_hash")?;
    let kind: Option<&str> = get(row, "credential_kind")?;
    let expires_at: Option<i64> = get(row, "credential_expires_at")?;
    let set_at: Option<i64> = get(row, "credential_set_at")?;
    let (hash, kind, set_at) = match (hash, kind, set_at) {
        (None, None, None) if expires_at.is_none() => return Ok(None),
        (Some(hash), Some(kind), Some(set_at)) => (hash, kind, set_at),
        _ => return Err(corrupt("users.credential_*: incomplete credential")),
    };
    let kind = match (kind, expires_at) {
        ("PERMANENT", None) => CredentialKind::Permanent,
        ("TEMPORARY", Some(at)) => CredentialKind::Temporary {
            expires_at: time(at, "users.credential_expires_at")?,
        },
        _ => return Err(corrupt("users.credential_kind: unknown kind or expiry")),
    };
    Ok(Some(Credential {
        hash: PasswordHash::parse(hash)
            .map_err(|_| corrupt("users.credential_hash: malformed PHC string"))?,
        kind,
        set_at: time(set_at, "users.credential_set_at")?,
    }))
}

fn history_salt(row: &Row) -> Result<Option<[u8; 16]>, Failure> {
    let salt: Option<&[u8]> = get(row, "history_salt")?;
    salt.map(|bytes| {
        <[u8; 16]>::try_from(bytes).map_err(|_| corrupt("users.history_salt: not 16 bytes"))
    })
    .transpose()
}

fn digest(text: &str, column: &str) -> Result<SecretDigest, Failure> {
    SecretDigest::from_storage(text).map_err(|_| corrupt(format!("{column}: malformed digest")))
}

fn pending_code(row: &Row) -> Result<Option<PendingCode>, Failure> {
    let purpose: Option<&str> = get(row, "code_purpose")?;
    let code_digest: Option<&str> = get(row, "code_digest")?;
    let expires_at: Option<i64> = get(row, "code_expires_at")?;
    let attempts: Option<i64> = get(row, "code_failed_attempts")?;
    match (purpose, code_digest, expires_at, attempts) {
        (None, None, None, None) => Ok(None),
        (Some(purpose), Some(code_digest), Some(expires_at), Some(attempts)) => {
            Ok(Some(PendingCode {
                purpose: CodePurpose::from_str(purpose)
                    .map_err(|_| corrupt("users.code_purpose: unknown purpose"))?,
                digest: digest(code_digest, "users.code_digest")?,
                expires_at: time(expires_at, "users.code_expires_at")?,
                failed_attempts: from_sql_int(attempts, "users.code_failed_attempts")?,
                held_value: get(row, "code_held_value")?,
            }))
        }
        _ => Err(corrupt("users.code_*: incomplete pending code")),
    }
}

fn code_throttles(row: &Row) -> Result<CodeThrottles, Failure> {
    let list = |column: &str| -> Result<_, Failure> {
        let text: &str = get(row, column)?;
        Ok(parse_time_list(text, &format!("users.{column}"))?)
    };
    Ok(CodeThrottles {
        sign_up: CodeThrottle {
            failures: list("sign_up_code_failures")?,
            issued: list("sign_up_codes_issued")?,
        },
        password_reset: CodeThrottle {
            failures: list("reset_code_failures")?,
            issued: list("reset_codes_issued")?,
        },
    })
}

fn pending_challenge(row: &Row) -> Result<Option<PendingChallenge>, Failure> {
    let session: Option<&str> = get(row, "challenge_digest")?;
    let credential: Option<&str> = get(row, "challenge_credential")?;
    let expires_at: Option<i64> = get(row, "challenge_expires_at")?;
    match (session, credential, expires_at) {
        (None, None, None) => Ok(None),
        (Some(session), Some(credential), Some(expires_at)) => Ok(Some(PendingChallenge {
            digest: digest(session, "users.challenge_digest")?,
            credential: digest(credential, "users.challenge_credential")?,
            expires_at: time(expires_at, "users.challenge_expires_at")?,
        })),
        _ => Err(corrupt("users.challenge_*: incomplete pending challenge")),
    }
}
