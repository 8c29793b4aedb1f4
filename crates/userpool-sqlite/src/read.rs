//! Reading users back: one row of `users` plus its attributes and history, each field
//! parsed by the type that owns it (statuses by `UserStatus::from_str`, hashes by
//! `PasswordHash::parse`, digests by `SecretDigest::from_storage`). A row this crate would
//! never have written is a corrupt-row failure, not a panic.

use std::collections::BTreeMap;
use std::str::FromStr;

use rusqlite::{Connection, OptionalExtension, Row};
use userpool_core::{
    CodePurpose, CodeThrottle, CodeThrottles, Credential, CredentialKind, Lockout, PasswordHash,
    PendingChallenge, PendingCode, SecretDigest, UserRecord, UserStatus, Username,
};
use userpool_store::{PoolRecord, UserKey, keys};

use crate::codec::{self, from_sql_int, opt_time, parse_time_list, time};
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
    let username: String = row.get("username")?;
    let sub: String = row.get("sub")?;
    let status: String = row.get("status")?;
    Ok(UserRecord {
        username: Username::parse(&username)
            .map_err(|_| corrupt("users.username: not a valid username"))?,
        sub: codec::sub(&sub)?,
        status: UserStatus::from_str(&status)
            .map_err(|_| corrupt("users.status: unknown status"))?,
        enabled: row.get("enabled")?,
        attributes: BTreeMap::new(),
        credential: credential(row)?,
        history: Vec::new(),
        history_salt: history_salt(row)?,
        lockout: Lockout {
            consecutive_failures: from_sql_int(
                row.get("consecutive_failures")?,
                "users.consecutive_failures",
            )?,
            last_failure_at: opt_time(row.get("last_failure_at")?, "users.last_failure_at")?,
            locked_until: opt_time(row.get("locked_until")?, "users.locked_until")?,
        },
        pending_code: pending_code(row)?,
        code_throttles: code_throttles(row)?,
        pending_challenge: pending_challenge(row)?,
        srp: row
            .get::<_, Option<Vec<u8>>>("srp")?
            .map(userpool_core::srp::SrpBlob::from_bytes),
        mfa: row
            .get::<_, Option<Vec<u8>>>("mfa")?
            .map(userpool_core::mfa::MfaBlob::from_bytes),
        challenge_client: row.get("challenge_client")?,
        created_at: time(row.get("created_at")?, "users.created_at")?,
        modified_at: time(row.get("modified_at")?, "users.modified_at")?,
        version: from_sql_int(row.get("version")?, "users.version")?,
    })
}

fn credential(row: &Row<'_>) -> Result<Option<Credential>, Failure> {
    let hash: Option<String> = row.get("credential_hash")?;
    let kind: Option<String> = row.get("credential_kind")?;
    let expires_at: Option<i64> = row.get("credential_expires_at")?;
    let set_at: Option<i64> = row.get("credential_set_at")?;
    let (hash, kind, set_at) = match (hash, kind, set_at) {
        (None, None, None) if expires_at.is_none() => return Ok(None),
        (Some(hash), Some(kind), Some(set_at)) => (hash, kind, set_at),
        _ => return Err(corrupt("users.credential_*: incomplete credential")),
    };
    let kind = match (kind.as_str(), expires_at) {
        ("PERMANENT", None) => CredentialKind::Permanent,
        ("TEMPORARY", Some(at)) => CredentialKind::Temporary {
            expires_at: time(at, "users.credential_expires_at")?,
        },
        _ => return Err(corrupt("users.credential_kind: unknown kind or expiry")),
    };
    Ok(Some(Credential {
        hash: PasswordHash::parse(&hash)
            .map_err(|_| corrupt("users.credential_hash: malformed PHC string"))?,
        kind,
        set_at: time(set_at, "users.credential_set_at")?,
    }))
}

fn history_salt(row: &Row<'_>) -> Result<Option<[u8; 16]>, Failure> {
    let salt: Option<Vec<u8>> = row.get("history_salt")?;
    salt.map(|bytes| {
        <[u8; 16]>::try_from(bytes.as_slice())
            .map_err(|_| corrupt("users.history_salt: not 16 bytes"))
    })
    .transpose()
}

fn digest(text: &str, column: &str) -> Result<SecretDigest, Failure> {
    SecretDigest::from_storage(text).map_err(|_| corrupt(format!("{column}: malformed digest")))
}

fn pending_code(row: &Row<'_>) -> Result<Option<PendingCode>, Failure> {
    let purpose: Option<String> = row.get("code_purpose")?;
    let code_digest: Option<String> = row.get("code_digest")?;
    let expires_at: Option<i64> = row.get("code_expires_at")?;
    let attempts: Option<i64> = row.get("code_failed_attempts")?;
    match (purpose, code_digest, expires_at, attempts) {
        (None, None, None, None) => Ok(None),
        (Some(purpose), Some(code_digest), Some(expires_at), Some(attempts)) => {
            Ok(Some(PendingCode {
                purpose: CodePurpose::from_str(&purpose)
                    .map_err(|_| corrupt("users.code_purpose: unknown purpose"))?,
                digest: digest(&code_digest, "users.code_digest")?,
                expires_at: time(expires_at, "users.code_expires_at")?,
                failed_attempts: from_sql_int(attempts, "users.code_failed_attempts")?,
                held_value: row.get("code_held_value")?,
            }))
        }
        _ => Err(corrupt("users.code_*: incomplete pending code")),
    }
}

fn code_throttles(row: &Row<'_>) -> Result<CodeThrottles, Failure> {
    let list = |column: &str| -> Result<_, Failure> {
        let text: String = row.get(column)?;
        Ok(parse_time_list(&text, &format!("users.{column}"))?)
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

fn pending_challenge(row: &Row<'_>) -> Result<Option<PendingChallenge>, Failure> {
    let session: Option<String> = row.get("challenge_digest")?;
    let credential: Option<String> = row.get("challenge_credential")?;
    let expires_at: Option<i64> = row.get("challenge_expires_at")?;
    match (session, credential, expires_at) {
        (None, None, None) => Ok(None),
        (Some(session), Some(credential), Some(expires_at)) => Ok(Some(PendingChallenge {
            digest: digest(&session, "users.challenge_digest")?,
            credential: digest(&credential, "users.challenge_credential")?,
            expires_at: time(expires_at, "users.challenge_expires_at")?,
        })),
        _ => Err(corrupt("users.challenge_*: incomplete pending challenge")),
    }
}
