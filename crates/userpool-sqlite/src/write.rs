//! Writing users: insert, compare-and-swap update, delete. Each runs inside the caller's
//! `BEGIN IMMEDIATE` transaction, so the version check, the row, its child rows and its
//! alias keys change together or not at all. Uniqueness is the constraints' job
//! (`UNIQUE (pool_id, username_key)`, `UNIQUE (pool_id, sub)`, the `aliases` primary
//! key); a refused write is told apart by looking, inside the same transaction, at which
//! key is taken — never by parsing SQLite's message.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use rusqlite::{Connection, OptionalExtension, ToSql};
use userpool_core::{UserRecord, Username};
use userpool_store::{PoolRecord, StoreError, keys};

use crate::codec::{self, UserColumns, to_sql_int};
use crate::error::{Failure, corrupt, is_unique_violation, unless_taken};
use crate::read;

/// The columns a write sets from the record, in the order of [`values`].
const FIELDS: [&str; 28] = [
    "status",
    "enabled",
    "credential_hash",
    "credential_kind",
    "credential_expires_at",
    "credential_set_at",
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
    "created_at",
    "modified_at",
    "version",
    "sign_up_code_failures",
    "sign_up_codes_issued",
    "reset_code_failures",
    "reset_codes_issued",
    "srp",
    "mfa",
    "code_held_value",
    "challenge_client",
];

/// `?1..?4` are the keys, then one placeholder per field.
static INSERT_SQL: LazyLock<String> = LazyLock::new(|| {
    let placeholders: Vec<String> = (5..5 + FIELDS.len()).map(|i| format!("?{i}")).collect();
    format!(
        "INSERT INTO users (pool_id, username, username_key, sub, {}) \
         VALUES (?1, ?2, ?3, ?4, {})",
        FIELDS.join(", "),
        placeholders.join(", ")
    )
});

/// One placeholder per field, then the row id and the expected version.
static UPDATE_SQL: LazyLock<String> = LazyLock::new(|| {
    let sets: Vec<String> = FIELDS
        .iter()
        .enumerate()
        .map(|(i, column)| format!("{column} = ?{}", i + 1))
        .collect();
    let n = FIELDS.len();
    format!(
        "UPDATE users SET {} WHERE id = ?{} AND version = ?{}",
        sets.join(", "),
        n + 1,
        n + 2
    )
});

/// A user's column values in [`FIELDS`] order.
fn values<'c>(c: &'c UserColumns<'_>) -> [&'c dyn ToSql; 28] {
    [
        &c.status,
        &c.enabled,
        &c.credential_hash,
        &c.credential_kind,
        &c.credential_expires_at,
        &c.credential_set_at,
        &c.history_salt,
        &c.consecutive_failures,
        &c.last_failure_at,
        &c.locked_until,
        &c.code_purpose,
        &c.code_digest,
        &c.code_expires_at,
        &c.code_failed_attempts,
        &c.challenge_digest,
        &c.challenge_credential,
        &c.challenge_expires_at,
        &c.created_at,
        &c.modified_at,
        &c.version,
        &c.sign_up_code_failures,
        &c.sign_up_codes_issued,
        &c.reset_code_failures,
        &c.reset_codes_issued,
        &c.srp,
        &c.mfa,
        &c.code_held_value,
        &c.challenge_client,
    ]
}

/// Inserts a user at version 1.
pub(crate) fn insert(
    conn: &Connection,
    pool: &PoolRecord,
    user: &UserRecord,
) -> Result<u64, Failure> {
    let username_key = keys::username_key(pool, user.username.as_str());
    let sub = codec::sub_text(user.sub);
    let columns = UserColumns::new(user, 1)?;
    let (pool_id, username) = (pool.id.as_str(), user.username.as_str());
    let keys: [&dyn ToSql; 4] = [&pool_id, &username, &username_key, &sub];
    let params: Vec<&dyn ToSql> = keys.into_iter().chain(values(&columns)).collect();
    if let Err(e) = conn.prepare_cached(&INSERT_SQL)?.execute(&*params) {
        if !is_unique_violation(&e) {
            return Err(e.into());
        }
        // Which key is taken? The username first, as the memory store reports it.
        let taken = |sql: &str, key: &str| -> Result<bool, Failure> {
            Ok(conn
                .prepare_cached(sql)?
                .query_row([pool.id.as_str(), key], |_| Ok(()))
                .optional()?
                .is_some())
        };
        if taken(
            "SELECT 1 FROM users WHERE pool_id = ?1 AND username_key = ?2",
            &username_key,
        )? {
            return Err(StoreError::UsernameExists.into());
        }
        if taken("SELECT 1 FROM users WHERE pool_id = ?1 AND sub = ?2", &sub)? {
            return Err(StoreError::SubExists.into());
        }
        return Err(e.into());
    }
    let id = conn.last_insert_rowid();
    write_children(conn, pool, id, user)?;
    Ok(1)
}

/// The row id, version and `sub` of the user stored under `username`'s key.
fn current(
    conn: &Connection,
    pool: &PoolRecord,
    username: &Username,
) -> Result<Option<(i64, u64, String)>, Failure> {
    let key = keys::username_key(pool, username.as_str());
    let row = conn
        .prepare_cached(
            "SELECT id, version, sub FROM users WHERE pool_id = ?1 AND username_key = ?2",
        )?
        .query_row([pool.id.as_str(), key.as_str()], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
            ))
        })
        .optional()?;
    row.map(|(id, version, sub)| Ok((id, codec::from_sql_int(version, "users.version")?, sub)))
        .transpose()
}

/// Replaces a user if its stored version is still `user.version`.
pub(crate) fn update(
    conn: &Connection,
    pool: &PoolRecord,
    user: &UserRecord,
) -> Result<u64, Failure> {
    let (id, stored, sub) = current(conn, pool, &user.username)?.ok_or(StoreError::NotFound)?;
    if stored != user.version {
        return Err(StoreError::Conflict {
            expected: user.version,
            found: Some(stored),
        }
        .into());
    }
    if sub != codec::sub_text(user.sub) {
        return Err(StoreError::Backend("a user's sub never changes".into()).into());
    }
    let next = codec::next_version(user.version, "users.version")?;
    let columns = UserColumns::new(user, next)?;
    let expected = to_sql_int(user.version, "users.version")?;
    let tail: [&dyn ToSql; 2] = [&id, &expected];
    let params: Vec<&dyn ToSql> = values(&columns).into_iter().chain(tail).collect();
    // The compare-and-swap itself: under BEGIN IMMEDIATE nobody can have moved the version
    // since the read above, but the statement does not rely on that.
    let changed = conn.prepare_cached(&UPDATE_SQL)?.execute(&*params)?;
    if changed != 1 {
        return Err(StoreError::Conflict {
            expected: user.version,
            found: current(conn, pool, &user.username)?.map(|(_, v, _)| v),
        }
        .into());
    }
    // Child rows are rewritten only where they changed. Most writes change the users row
    // alone (a sign-in's lockout bookkeeping, a code) or that and the history (a password
    // change), so this saves statements and WAL pages on every such write, and it keeps a
    // failed sign-in's write close in cost to `decoy_write`'s (SPEC §6).
    if read::attributes(conn, id)? != user.attributes {
        conn.prepare_cached("DELETE FROM user_attributes WHERE user_id = ?1")?
            .execute([id])?;
        write_attributes(conn, id, user)?;
        // Links come from an attribute: they can only have moved with the attributes.
        if !same_links(conn, id, user)? {
            conn.prepare_cached("DELETE FROM linked_identities WHERE user_id = ?1")?
                .execute([id])?;
            write_links(conn, pool, id, user)?;
        }
    }
    if !same_history(conn, id, user)? {
        conn.prepare_cached("DELETE FROM password_history WHERE user_id = ?1")?
            .execute([id])?;
        write_history(conn, id, user)?;
    }
    if !same_aliases(conn, pool, id, user)? {
        conn.prepare_cached("DELETE FROM aliases WHERE user_id = ?1")?
            .execute([id])?;
        write_aliases(conn, pool, id, user)?;
    }
    Ok(next)
}

/// Whether the stored history is `user`'s, entry for entry.
fn same_history(conn: &Connection, id: i64, user: &UserRecord) -> Result<bool, Failure> {
    let mut stmt = conn
        .prepare_cached("SELECT hash FROM password_history WHERE user_id = ?1 ORDER BY position")?;
    let stored = stmt
        .query_map([id], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(stored.len() == user.history.len()
        && stored
            .iter()
            .zip(&user.history)
            .all(|(phc, hash)| phc == hash.as_phc()))
}

/// Whether the stored alias keys are the ones `user` has in `pool`.
fn same_aliases(
    conn: &Connection,
    pool: &PoolRecord,
    id: i64,
    user: &UserRecord,
) -> Result<bool, Failure> {
    let mut stmt =
        conn.prepare_cached("SELECT attribute, alias_key FROM aliases WHERE user_id = ?1")?;
    let stored = stmt
        .query_map([id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?
        .collect::<Result<BTreeSet<_>, _>>()?;
    let wanted: BTreeSet<(String, String)> = keys::alias_keys(pool, user)
        .into_iter()
        .map(|(attribute, key)| (attribute.as_str().to_owned(), key))
        .collect();
    Ok(stored == wanted)
}

/// Whether the stored linked identities are the ones `user`'s `identities` give.
fn same_links(conn: &Connection, id: i64, user: &UserRecord) -> Result<bool, Failure> {
    let mut stmt = conn.prepare_cached(
        "SELECT provider_name, provider_user_id FROM linked_identities WHERE user_id = ?1",
    )?;
    let stored = stmt
        .query_map([id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?
        .collect::<Result<BTreeSet<_>, _>>()?;
    let wanted: BTreeSet<(String, String)> = keys::linked_identities(user).into_iter().collect();
    Ok(stored == wanted)
}

/// Deletes a user if its stored version is still `version`; child rows cascade.
pub(crate) fn delete(
    conn: &Connection,
    pool: &PoolRecord,
    username: &Username,
    version: u64,
) -> Result<(), Failure> {
    let (id, stored, _) = current(conn, pool, username)?.ok_or(StoreError::NotFound)?;
    if stored != version {
        return Err(StoreError::Conflict {
            expected: version,
            found: Some(stored),
        }
        .into());
    }
    let expected = to_sql_int(version, "users.version")?;
    let changed = conn
        .prepare_cached("DELETE FROM users WHERE id = ?1 AND version = ?2")?
        .execute([id, expected])?;
    if changed != 1 {
        return Err(StoreError::Conflict {
            expected: version,
            found: current(conn, pool, username)?.map(|(_, v, _)| v),
        }
        .into());
    }
    Ok(())
}

/// Attributes, history (position 0 = newest), alias keys and linked identities of the user
/// with row id `id`.
fn write_children(
    conn: &Connection,
    pool: &PoolRecord,
    id: i64,
    user: &UserRecord,
) -> Result<(), Failure> {
    write_attributes(conn, id, user)?;
    write_history(conn, id, user)?;
    write_aliases(conn, pool, id, user)?;
    write_links(conn, pool, id, user)
}

/// The rows of `user`'s linked identities ([`keys::linked_identities`], SPEC §21).
fn write_links(
    conn: &Connection,
    pool: &PoolRecord,
    id: i64,
    user: &UserRecord,
) -> Result<(), Failure> {
    let mut link = conn.prepare_cached(
        "INSERT INTO linked_identities (pool_id, provider_name, provider_user_id, user_id) \
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (provider, subject) in keys::linked_identities(user) {
        link.execute(rusqlite::params![pool.id.as_str(), provider, subject, id])?;
    }
    Ok(())
}

fn write_attributes(conn: &Connection, id: i64, user: &UserRecord) -> Result<(), Failure> {
    let mut attribute = conn
        .prepare_cached("INSERT INTO user_attributes (user_id, name, value) VALUES (?1, ?2, ?3)")?;
    for (name, value) in &user.attributes {
        attribute.execute(rusqlite::params![id, name, value])?;
    }
    Ok(())
}

fn write_history(conn: &Connection, id: i64, user: &UserRecord) -> Result<(), Failure> {
    let mut history = conn.prepare_cached(
        "INSERT INTO password_history (user_id, position, hash) VALUES (?1, ?2, ?3)",
    )?;
    for (position, hash) in user.history.iter().enumerate() {
        let position = i64::try_from(position)
            .map_err(|_| corrupt("password_history.position: too many entries"))?;
        history.execute(rusqlite::params![id, position, hash.as_phc()])?;
    }
    Ok(())
}

fn write_aliases(
    conn: &Connection,
    pool: &PoolRecord,
    id: i64,
    user: &UserRecord,
) -> Result<(), Failure> {
    let mut alias = conn.prepare_cached(
        "INSERT INTO aliases (pool_id, attribute, alias_key, user_id) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (attribute, key) in keys::alias_keys(pool, user) {
        let result = alias.execute(rusqlite::params![
            pool.id.as_str(),
            attribute.as_str(),
            key,
            id
        ]);
        unless_taken(result, StoreError::AliasExists(attribute))?;
    }
    Ok(())
}
