//! Token storage: each pool's signing key (`signing_keys`) and token sessions
//! (`token_sessions`), run inside the caller's transaction. First-writer-wins for the key
//! is `INSERT ... ON CONFLICT DO NOTHING` then a read, in one `BEGIN IMMEDIATE`
//! transaction, so processes racing on one file agree. Uniqueness of sessions is the
//! constraints' (`PRIMARY KEY (pool_id, origin_jti)`, `UNIQUE (pool_id, refresh_digest)`);
//! deletion with the pool or the user is their foreign keys' `ON DELETE CASCADE`.

use rusqlite::{Connection, OptionalExtension, Row, named_params};
use userpool_core::UserPoolId;
use userpool_store::{SigningKey, StoreError, TokenSession};
use uuid::Uuid;
use zeroize::Zeroizing;

use crate::codec::{self, micros, time};
use crate::error::{Failure, corrupt, unless_taken};
use crate::{pools, read};

/// The pool's signing key.
pub(crate) fn signing_key(
    conn: &Connection,
    pool: &UserPoolId,
) -> Result<Option<SigningKey>, Failure> {
    pools::require(conn, pool)?;
    let mut stmt = conn.prepare_cached(
        "SELECT kid, private_der, created_at FROM signing_keys WHERE pool_id = ?1",
    )?;
    let row = stmt
        .query_row([pool.as_str()], |row| {
            Ok((
                row.get::<_, String>(0)?,
                // Moved, not copied, into the zeroizing wrapper below.
                Zeroizing::new(row.get::<_, Vec<u8>>(1)?),
                row.get::<_, i64>(2)?,
            ))
        })
        .optional()?;
    row.map(|(kid, private_der, created_at)| {
        Ok(SigningKey {
            kid,
            private_der,
            created_at: time(created_at, "signing_keys.created_at")?,
        })
    })
    .transpose()
}

/// Stores `key` unless the pool has one; returns the key in force.
pub(crate) fn insert_signing_key(
    conn: &Connection,
    pool: &UserPoolId,
    key: &SigningKey,
) -> Result<SigningKey, Failure> {
    pools::require(conn, pool)?;
    conn.prepare_cached(
        "INSERT INTO signing_keys (pool_id, kid, private_der, created_at) \
         VALUES (?1, ?2, ?3, ?4) ON CONFLICT (pool_id) DO NOTHING",
    )?
    .execute(rusqlite::params![
        pool.as_str(),
        key.kid,
        key.private_der.as_slice(),
        micros(key.created_at),
    ])?;
    signing_key(conn, pool)?.ok_or_else(|| corrupt("signing_keys: the key just written is gone"))
}

/// Replaces the key bytes of `kid` if they are still `expected`; whether they were.
pub(crate) fn replace_signing_key(
    conn: &Connection,
    pool: &UserPoolId,
    kid: &str,
    expected: &[u8],
    new: &[u8],
) -> Result<bool, Failure> {
    let changed = conn
        .prepare_cached(
            "UPDATE signing_keys SET private_der = ?4 \
             WHERE pool_id = ?1 AND kid = ?2 AND private_der = ?3",
        )?
        .execute(rusqlite::params![pool.as_str(), kid, expected, new])?;
    Ok(changed == 1)
}

/// Stores a session of an existing user.
pub(crate) fn insert_session(conn: &Connection, session: &TokenSession) -> Result<(), Failure> {
    pools::require(conn, &session.pool_id)?;
    read::require_sub(conn, &session.pool_id, &codec::sub_text(session.sub))?;
    let result = conn
        .prepare_cached(
            "INSERT INTO token_sessions (pool_id, origin_jti, sub, client_id, refresh_digest, \
             issued_at, expires_at, revoked, scopes) VALUES (:pool_id, :origin_jti, :sub, \
             :client_id, :refresh_digest, :issued_at, :expires_at, :revoked, :scopes)",
        )?
        .execute(named_params! {
            ":pool_id": session.pool_id.as_str(),
            ":origin_jti": codec::sub_text(session.origin_jti),
            ":sub": codec::sub_text(session.sub),
            ":client_id": session.client_id,
            ":refresh_digest": session.refresh_digest.as_slice(),
            ":issued_at": micros(session.issued_at),
            ":expires_at": micros(session.expires_at),
            ":revoked": session.revoked,
            ":scopes": session.scopes.join(" "),
        });
    unless_taken(result, StoreError::TokenSessionExists)?;
    Ok(())
}

const SESSION_COLUMNS: &str = "pool_id, origin_jti, sub, client_id, refresh_digest, issued_at, \
     expires_at, revoked, scopes";

fn session_from_row(row: &Row<'_>) -> Result<TokenSession, Failure> {
    let pool_id: String = row.get("pool_id")?;
    let origin_jti: String = row.get("origin_jti")?;
    let sub: String = row.get("sub")?;
    let digest: Vec<u8> = row.get("refresh_digest")?;
    Ok(TokenSession {
        pool_id: codec::pool_id(&pool_id, "token_sessions.pool_id")?,
        origin_jti: codec::uuid(&origin_jti, "token_sessions.origin_jti")?,
        sub: codec::uuid(&sub, "token_sessions.sub")?,
        client_id: row.get("client_id")?,
        refresh_digest: <[u8; 32]>::try_from(digest.as_slice())
            .map_err(|_| corrupt("token_sessions.refresh_digest: not 32 bytes"))?,
        issued_at: time(row.get("issued_at")?, "token_sessions.issued_at")?,
        expires_at: time(row.get("expires_at")?, "token_sessions.expires_at")?,
        revoked: row.get("revoked")?,
        scopes: row
            .get::<_, String>("scopes")?
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
    })
}

fn find_where(
    conn: &Connection,
    pool: &UserPoolId,
    condition: &str,
    value: &dyn rusqlite::ToSql,
) -> Result<Option<TokenSession>, Failure> {
    pools::require(conn, pool)?;
    let sql =
        format!("SELECT {SESSION_COLUMNS} FROM token_sessions WHERE pool_id = ?1 AND {condition}");
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(rusqlite::params![pool.as_str(), value])?;
    match rows.next()? {
        Some(row) => Ok(Some(session_from_row(row)?)),
        None => Ok(None),
    }
}

/// The session of a pool with this `origin_jti`.
pub(crate) fn find_session(
    conn: &Connection,
    pool: &UserPoolId,
    origin_jti: Uuid,
) -> Result<Option<TokenSession>, Failure> {
    find_where(conn, pool, "origin_jti = ?2", &codec::sub_text(origin_jti))
}

/// The session of a pool with this refresh digest.
pub(crate) fn find_session_by_refresh(
    conn: &Connection,
    pool: &UserPoolId,
    refresh_digest: &[u8; 32],
) -> Result<Option<TokenSession>, Failure> {
    find_where(
        conn,
        pool,
        "refresh_digest = ?2",
        &refresh_digest.as_slice(),
    )
}

/// Revokes the pool's live sessions whose `column` (`origin_jti`, `sub`) is `key`; returns
/// how many.
fn revoke_live(
    conn: &Connection,
    pool: &UserPoolId,
    column: &str,
    key: Uuid,
) -> Result<usize, Failure> {
    pools::require(conn, pool)?;
    Ok(conn
        .prepare_cached(&format!(
            "UPDATE token_sessions SET revoked = 1 \
             WHERE pool_id = ?1 AND {column} = ?2 AND revoked = 0"
        ))?
        .execute([pool.as_str(), &codec::sub_text(key)])?)
}

/// Revokes the session `origin_jti` if live; whether it was.
pub(crate) fn revoke_one(
    conn: &Connection,
    pool: &UserPoolId,
    origin_jti: Uuid,
) -> Result<bool, Failure> {
    Ok(revoke_live(conn, pool, "origin_jti", origin_jti)? == 1)
}

/// Revokes every live session of `sub`; returns how many.
pub(crate) fn revoke(conn: &Connection, pool: &UserPoolId, sub: Uuid) -> Result<u64, Failure> {
    let changed = revoke_live(conn, pool, "sub", sub)?;
    u64::try_from(changed).map_err(|_| corrupt("token_sessions: revoked count out of range"))
}
