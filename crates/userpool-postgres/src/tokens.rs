//! Token storage: each pool's signing key (`signing_keys`) and token sessions
//! (`token_sessions`). First writer wins for the key by `INSERT ... ON CONFLICT DO
//! NOTHING`: a racing writer waits for the first one's transaction, then sees its row.
//! Sessions are unique by constraint (`token_sessions_pkey`,
//! `token_sessions_refresh_unique`) and go with their pool or user by foreign keys.

use postgres::Row;
use postgres::error::SqlState;
use userpool_core::UserPoolId;
use userpool_store::{SigningKey, StoreError, TokenSession};
use uuid::Uuid;
use zeroize::Zeroizing;

use crate::codec::{self, micros, time};
use crate::connection::Conn;
use crate::error::{Failure, corrupt, unique_violation};
use crate::pools::{self, get};

/// The pool's signing key.
pub(crate) fn signing_key(
    conn: &mut Conn,
    pool: &UserPoolId,
) -> Result<Option<SigningKey>, Failure> {
    // One statement: the pool's row (to tell a missing pool from a pool without a key)
    // and its key.
    let row = conn
        .query_opt(
            "SELECT k.kid, k.private_der, k.created_at FROM pools p \
             LEFT JOIN signing_keys k ON k.pool_id = p.id WHERE p.id = $1",
            &[&pool.as_str()],
        )?
        .ok_or_else(|| StoreError::PoolNotFound(pool.as_str().to_owned()))?;
    if get::<Option<&str>>(&row, "kid")?.is_none() {
        return Ok(None);
    }
    key_from_row(&row).map(Some)
}

fn read_key(conn: &mut Conn, pool: &UserPoolId) -> Result<Option<SigningKey>, Failure> {
    let row = conn.query_opt(
        "SELECT kid, private_der, created_at FROM signing_keys WHERE pool_id = $1",
        &[&pool.as_str()],
    )?;
    row.as_ref().map(key_from_row).transpose()
}

fn key_from_row(row: &postgres::Row) -> Result<SigningKey, Failure> {
    Ok(SigningKey {
        kid: get(row, "kid")?,
        private_der: Zeroizing::new(get(row, "private_der")?),
        created_at: time(get(row, "created_at")?, "signing_keys.created_at")?,
    })
}

/// Stores `key` unless the pool has one; returns the key in force.
pub(crate) fn insert_signing_key(
    conn: &mut Conn,
    pool: &UserPoolId,
    key: &SigningKey,
) -> Result<SigningKey, Failure> {
    pools::require_exists(conn, pool)?;
    let inserted = conn.execute_raw(
        "INSERT INTO signing_keys (pool_id, kid, private_der, created_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (pool_id) DO NOTHING",
        &[
            &pool.as_str(),
            &key.kid,
            &key.private_der.as_slice(),
            &micros(key.created_at),
        ],
    );
    match inserted {
        Ok(1) => Ok(key.clone()),
        // Another transaction's key: committed before this statement returned, so the next
        // statement (a new snapshot under READ COMMITTED) sees it.
        Ok(_) => {
            read_key(conn, pool)?.ok_or_else(|| corrupt("signing_keys: the key in force is gone"))
        }
        Err(e) if e.code() == Some(&SqlState::FOREIGN_KEY_VIOLATION) => {
            Err(StoreError::PoolNotFound(pool.as_str().to_owned()).into())
        }
        Err(e) => Err(e.into()),
    }
}

/// Replaces the key bytes of `kid` if they are still `expected`; whether they were.
pub(crate) fn replace_signing_key(
    conn: &mut Conn,
    pool: &UserPoolId,
    kid: &str,
    expected: &[u8],
    new: &[u8],
) -> Result<bool, Failure> {
    let changed = conn.execute(
        "UPDATE signing_keys SET private_der = $4 \
         WHERE pool_id = $1 AND kid = $2 AND private_der = $3",
        &[&pool.as_str(), &kid, &expected, &new],
    )?;
    Ok(changed == 1)
}

/// Stores a session of an existing user.
pub(crate) fn insert_session(conn: &mut Conn, session: &TokenSession) -> Result<(), Failure> {
    let sub = codec::sub_text(session.sub);
    // One statement, committed on its own: whether the pool and the user exist, and the
    // row inserted only when both do.
    let result = conn.query_opt_raw(
        "WITH found AS (SELECT EXISTS (SELECT 1 FROM pools WHERE id = $1) AS pool, \
         EXISTS (SELECT 1 FROM users WHERE pool_id = $1 AND sub = $3) AS user_found), \
         inserted AS (INSERT INTO token_sessions (pool_id, origin_jti, sub, client_id, \
         refresh_digest, issued_at, expires_at, revoked, scopes) \
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9 FROM found WHERE pool AND user_found \
         RETURNING 1) \
         SELECT pool, user_found FROM found",
        &[
            &session.pool_id.as_str(),
            &codec::sub_text(session.origin_jti),
            &sub,
            &session.client_id,
            &session.refresh_digest.as_slice(),
            &micros(session.issued_at),
            &micros(session.expires_at),
            &session.revoked,
            &session.scopes,
        ],
    );
    match result {
        Ok(Some(row)) => {
            if !get::<bool>(&row, "pool")? {
                return Err(StoreError::PoolNotFound(session.pool_id.as_str().to_owned()).into());
            }
            if !get::<bool>(&row, "user_found")? {
                return Err(StoreError::NotFound.into());
            }
            Ok(())
        }
        Ok(None) => Err(corrupt("token_sessions: the insert returned no row")),
        Err(e)
            if matches!(
                unique_violation(&e),
                Some("token_sessions_pkey" | "token_sessions_refresh_unique")
            ) =>
        {
            Err(StoreError::TokenSessionExists.into())
        }
        // The user was deleted since it was looked at.
        Err(e) if e.code() == Some(&SqlState::FOREIGN_KEY_VIOLATION) => {
            Err(StoreError::NotFound.into())
        }
        Err(e) => Err(e.into()),
    }
}

fn session_from_row(row: &Row) -> Result<TokenSession, Failure> {
    let pool_id: &str = get(row, "pool_id")?;
    let digest: &[u8] = get(row, "refresh_digest")?;
    Ok(TokenSession {
        pool_id: codec::pool_id(pool_id, "token_sessions.pool_id")?,
        origin_jti: codec::uuid(get(row, "origin_jti")?, "token_sessions.origin_jti")?,
        sub: codec::uuid(get(row, "sub")?, "token_sessions.sub")?,
        client_id: get(row, "client_id")?,
        refresh_digest: <[u8; 32]>::try_from(digest)
            .map_err(|_| corrupt("token_sessions.refresh_digest: not 32 bytes"))?,
        issued_at: time(get(row, "issued_at")?, "token_sessions.issued_at")?,
        expires_at: time(get(row, "expires_at")?, "token_sessions.expires_at")?,
        revoked: get(row, "revoked")?,
        scopes: get(row, "scopes")?,
    })
}

/// The session of a pool with this `origin_jti`.
pub(crate) fn find_session(
    conn: &mut Conn,
    pool: &UserPoolId,
    origin_jti: Uuid,
) -> Result<Option<TokenSession>, Failure> {
    pools::require_exists(conn, pool)?;
    conn.query_opt(
        "SELECT pool_id, origin_jti, sub, client_id, refresh_digest, issued_at, expires_at, \
         revoked, scopes FROM token_sessions WHERE pool_id = $1 AND origin_jti = $2",
        &[&pool.as_str(), &codec::sub_text(origin_jti)],
    )?
    .as_ref()
    .map(session_from_row)
    .transpose()
}

/// The session of a pool with this refresh digest.
pub(crate) fn find_session_by_refresh(
    conn: &mut Conn,
    pool: &UserPoolId,
    refresh_digest: &[u8; 32],
) -> Result<Option<TokenSession>, Failure> {
    pools::require_exists(conn, pool)?;
    conn.query_opt(
        "SELECT pool_id, origin_jti, sub, client_id, refresh_digest, issued_at, expires_at, \
         revoked, scopes FROM token_sessions WHERE pool_id = $1 AND refresh_digest = $2",
        &[&pool.as_str(), &refresh_digest.as_slice()],
    )?
    .as_ref()
    .map(session_from_row)
    .transpose()
}

/// Revokes every live session of `sub`; returns how many.
pub(crate) fn revoke(conn: &mut Conn, pool: &UserPoolId, sub: Uuid) -> Result<u64, Failure> {
    pools::require_exists(conn, pool)?;
    conn.execute(
        "UPDATE token_sessions SET revoked = TRUE \
         WHERE pool_id = $1 AND sub = $2 AND NOT revoked",
        &[&pool.as_str(), &codec::sub_text(sub)],
    )
}

/// Revokes the one session `origin_jti` if live; whether it was.
pub(crate) fn revoke_one(
    conn: &mut Conn,
    pool: &UserPoolId,
    origin_jti: Uuid,
) -> Result<bool, Failure> {
    pools::require_exists(conn, pool)?;
    let changed = conn.execute(
        "UPDATE token_sessions SET revoked = TRUE \
         WHERE pool_id = $1 AND origin_jti = $2 AND NOT revoked",
        &[&pool.as_str(), &codec::sub_text(origin_jti)],
    )?;
    Ok(changed == 1)
}
