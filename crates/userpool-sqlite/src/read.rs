//! Reading users back: one row of `users` plus its attributes and history, each field
//! parsed by the type that owns it (statuses by `UserStatus::from_str`, hashes by
//! `PasswordHash::parse`, digests by `SecretDigest::from_storage`). A row this crate would
//! never have written is a corrupt-row failure, not a panic.

use std::borrow::Cow;
use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, Row};
use userpool_core::{PasswordHash, UserPoolId, UserRecord};
use userpool_store::{PoolRecord, StoreError, UserKey, keys};

use crate::codec::{self, UserColumns};
use crate::error::{Failure, corrupt};

/// The columns of `users` a record is read from, in the order [`user_from_row`] expects.
const USER_COLUMNS: &str = "username, sub, status, enabled, credential_hash, \
    credential_kind, credential_expires_at, credential_set_at, history_salt, \
    consecutive_failures, last_failure_at, locked_until, code_purpose, code_digest, \
    code_expires_at, code_failed_attempts, challenge_digest, challenge_credential, \
    challenge_expires_at, created_at, modified_at, version, sign_up_code_failures, \
    sign_up_codes_issued, reset_code_failures, reset_codes_issued, srp, mfa, code_held_value, \
    challenge_client";

/// The row id of the user a key designates, if any.
pub(crate) fn user_id(
    conn: &Connection,
    pool: &PoolRecord,
    key: UserKey<'_>,
) -> Result<Option<i64>, Failure> {
    let pool_id = pool.id.as_str();
    let id = match key {
        UserKey::Username(name) => conn
            .prepare_cached("SELECT id FROM users WHERE pool_id = ?1 AND username_key = ?2")?
            .query_row(
                rusqlite::params![pool_id, keys::username_key(pool, name)],
                |r| r.get(0),
            )
            .optional()?,
        UserKey::Alias(attribute, value) => conn
            .prepare_cached(
                "SELECT user_id FROM aliases \
                 WHERE pool_id = ?1 AND attribute = ?2 AND alias_key = ?3",
            )?
            .query_row(
                rusqlite::params![pool_id, attribute.as_str(), keys::alias_key(pool, value)],
                |r| r.get(0),
            )
            .optional()?,
        UserKey::Sub(sub) => conn
            .prepare_cached("SELECT id FROM users WHERE pool_id = ?1 AND sub = ?2")?
            .query_row(rusqlite::params![pool_id, codec::sub_text(sub)], |r| {
                r.get(0)
            })
            .optional()?,
    };
    Ok(id)
}

/// The row id of the user `(provider, subject)` is linked to (SPEC §21), the first in
/// username-key order should several be.
pub(crate) fn linked_user_id(
    conn: &Connection,
    pool: &PoolRecord,
    provider: &str,
    subject: &str,
) -> Result<Option<i64>, Failure> {
    Ok(conn
        .prepare_cached(
            "SELECT l.user_id FROM linked_identities l JOIN users u ON u.id = l.user_id \
             WHERE l.pool_id = ?1 AND l.provider_name = ?2 AND l.provider_user_id = ?3 \
             ORDER BY u.username_key LIMIT 1",
        )?
        .query_row(
            rusqlite::params![pool.id.as_str(), provider, subject],
            |r| r.get(0),
        )
        .optional()?)
}

/// Fails with `NotFound` unless the pool holds a user `sub` (stored text): the user a
/// membership, a session or an authorization code is written for.
pub(crate) fn require_sub(conn: &Connection, pool: &UserPoolId, sub: &str) -> Result<(), Failure> {
    let user: Option<i64> = conn
        .prepare_cached("SELECT 1 FROM users WHERE pool_id = ?1 AND sub = ?2")?
        .query_row([pool.as_str(), sub], |row| row.get(0))
        .optional()?;
    user.map(|_| ()).ok_or_else(|| StoreError::NotFound.into())
}

/// Reads the whole record of the user with row id `id`.
pub(crate) fn user(conn: &Connection, id: i64) -> Result<Option<UserRecord>, Failure> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1");
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query([id])?;
    let Some(row) = rows.next()? else {
        return Ok(None);
    };
    let mut user = user_from_row(row)?;
    user.attributes = attributes(conn, id)?;
    user.history = history(conn, id)?;
    Ok(Some(user))
}

/// Up to `limit` users of a pool in username-key order, after `after`.
pub(crate) fn list(
    conn: &Connection,
    pool: &PoolRecord,
    after: Option<&str>,
    limit: usize,
) -> Result<Vec<UserRecord>, Failure> {
    let limit = codec::sql_limit(limit);
    let ids: Vec<i64> = match after {
        Some(after) => conn
            .prepare_cached(
                "SELECT id FROM users WHERE pool_id = ?1 AND username_key > ?2 \
                 ORDER BY username_key LIMIT ?3",
            )?
            .query_map(rusqlite::params![pool.id.as_str(), after, limit], |r| {
                r.get(0)
            })?
            .collect::<Result<_, _>>()?,
        None => conn
            .prepare_cached(
                "SELECT id FROM users WHERE pool_id = ?1 ORDER BY username_key LIMIT ?2",
            )?
            .query_map(rusqlite::params![pool.id.as_str(), limit], |r| r.get(0))?
            .collect::<Result<_, _>>()?,
    };
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        // Inside one read transaction, a listed row cannot vanish before it is read.
        out.extend(user(conn, id)?);
    }
    Ok(out)
}

pub(crate) fn attributes(conn: &Connection, id: i64) -> Result<BTreeMap<String, String>, Failure> {
    let mut stmt =
        conn.prepare_cached("SELECT name, value FROM user_attributes WHERE user_id = ?1")?;
    let pairs = stmt
        .query_map([id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?
        .collect::<Result<BTreeMap<_, _>, _>>()?;
    Ok(pairs)
}

fn history(conn: &Connection, id: i64) -> Result<Vec<PasswordHash>, Failure> {
    let mut stmt = conn
        .prepare_cached("SELECT hash FROM password_history WHERE user_id = ?1 ORDER BY position")?;
    let phc = stmt
        .query_map([id], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    phc.iter()
        .map(|s| {
            PasswordHash::parse(s)
                .map_err(|_| corrupt("password_history.hash: malformed PHC string"))
        })
        .collect()
}

/// The record's own columns; attributes and history are read separately.
fn user_from_row(row: &Row<'_>) -> Result<UserRecord, Failure> {
    let text = |column: &str| -> Result<Cow<'static, str>, Failure> {
        Ok(Cow::Owned(row.get::<_, String>(column)?))
    };
    let opt_text = |column: &str| -> Result<Option<Cow<'static, str>>, Failure> {
        Ok(row.get::<_, Option<String>>(column)?.map(Cow::Owned))
    };
    let opt_blob = |column: &str| -> Result<Option<Cow<'static, [u8]>>, Failure> {
        Ok(row.get::<_, Option<Vec<u8>>>(column)?.map(Cow::Owned))
    };
    let columns = UserColumns {
        status: text("status")?,
        enabled: row.get("enabled")?,
        credential_hash: opt_text("credential_hash")?,
        credential_kind: opt_text("credential_kind")?,
        credential_expires_at: row.get("credential_expires_at")?,
        credential_set_at: row.get("credential_set_at")?,
        history_salt: opt_blob("history_salt")?,
        consecutive_failures: row.get("consecutive_failures")?,
        last_failure_at: row.get("last_failure_at")?,
        locked_until: row.get("locked_until")?,
        code_purpose: opt_text("code_purpose")?,
        code_digest: opt_text("code_digest")?,
        code_expires_at: row.get("code_expires_at")?,
        code_failed_attempts: row.get("code_failed_attempts")?,
        challenge_digest: opt_text("challenge_digest")?,
        challenge_credential: opt_text("challenge_credential")?,
        challenge_expires_at: row.get("challenge_expires_at")?,
        sign_up_code_failures: text("sign_up_code_failures")?,
        sign_up_codes_issued: text("sign_up_codes_issued")?,
        reset_code_failures: text("reset_code_failures")?,
        reset_codes_issued: text("reset_codes_issued")?,
        srp: opt_blob("srp")?,
        mfa: opt_blob("mfa")?,
        code_held_value: opt_text("code_held_value")?,
        challenge_client: opt_text("challenge_client")?,
        created_at: row.get("created_at")?,
        modified_at: row.get("modified_at")?,
        version: row.get("version")?,
    };
    let username: String = row.get("username")?;
    let sub: String = row.get("sub")?;
    Ok(columns.into_record(&username, &sub)?)
}
