//! Groups (`pool_groups`) and memberships (`group_members`), run inside the caller's
//! transaction (SPEC §17). Unique names are the primary key's; removal of memberships with
//! their group or user is the foreign keys' `ON DELETE CASCADE`. Names and username keys
//! compare with SQLite's `BINARY` collation, byte order of UTF-8, which is Rust's `str`
//! order: pages come out as the memory store's do.

use rusqlite::{Connection, OptionalExtension, Row, named_params};
use userpool_core::{UserPoolId, UserRecord};
use userpool_store::{GroupRecord, StoreError};
use uuid::Uuid;

use crate::codec::{self, micros, time};
use crate::error::{Failure, delete_keyed, lost_swap, unless_taken};
use crate::{pools, read};

const GROUP_COLUMNS: &str =
    "pool_id, name, description, precedence, role_arn, created_at, modified_at, version";

fn group_from_row(row: &Row<'_>) -> Result<GroupRecord, Failure> {
    let pool_id: String = row.get("pool_id")?;
    let precedence: Option<i64> = row.get("precedence")?;
    Ok(GroupRecord {
        pool_id: codec::pool_id(&pool_id, "pool_groups.pool_id")?,
        name: row.get("name")?,
        description: row.get("description")?,
        precedence: precedence
            .map(|p| codec::from_sql_int(p, "pool_groups.precedence"))
            .transpose()?,
        role_arn: row.get("role_arn")?,
        created_at: time(row.get("created_at")?, "pool_groups.created_at")?,
        modified_at: time(row.get("modified_at")?, "pool_groups.modified_at")?,
        version: codec::from_sql_int(row.get("version")?, "pool_groups.version")?,
    })
}

/// Runs a group query with `params` and reads every row.
fn query_groups(
    conn: &Connection,
    sql: &str,
    params: &[&dyn rusqlite::ToSql],
) -> Result<Vec<GroupRecord>, Failure> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query(params)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(group_from_row(row)?);
    }
    Ok(out)
}

/// Fails with `PoolNotFound` unless the pool exists, then with `GroupNotFound` unless it
/// has the group: what every operation on a group's members checks first.
fn require_group(conn: &Connection, pool: &UserPoolId, name: &str) -> Result<(), Failure> {
    pools::require(conn, pool)?;
    let found: Option<i64> = conn
        .prepare_cached("SELECT 1 FROM pool_groups WHERE pool_id = ?1 AND name = ?2")?
        .query_row([pool.as_str(), name], |row| row.get(0))
        .optional()?;
    found
        .map(|_| ())
        .ok_or_else(|| StoreError::GroupNotFound.into())
}

/// Inserts a group at version 1.
pub(crate) fn create(conn: &Connection, group: &GroupRecord) -> Result<u64, Failure> {
    pools::require(conn, &group.pool_id)?;
    let result = conn
        .prepare_cached(&format!(
            "INSERT INTO pool_groups ({GROUP_COLUMNS}) VALUES (:pool_id, :name, :description, \
             :precedence, :role_arn, :created_at, :modified_at, 1)"
        ))?
        .execute(named_params! {
            ":pool_id": group.pool_id.as_str(),
            ":name": group.name,
            ":description": group.description,
            ":precedence": group.precedence.map(i64::from),
            ":role_arn": group.role_arn,
            ":created_at": micros(group.created_at),
            ":modified_at": micros(group.modified_at),
        });
    unless_taken(result, StoreError::GroupExists)?;
    Ok(1)
}

/// A group of a pool.
pub(crate) fn get(
    conn: &Connection,
    pool: &UserPoolId,
    name: &str,
) -> Result<Option<GroupRecord>, Failure> {
    pools::require(conn, pool)?;
    let sql = format!("SELECT {GROUP_COLUMNS} FROM pool_groups WHERE pool_id = ?1 AND name = ?2");
    Ok(query_groups(conn, &sql, &[&pool.as_str(), &name])?
        .into_iter()
        .next())
}

/// Compare-and-swap of a group's mutable fields.
pub(crate) fn update(conn: &Connection, group: &GroupRecord) -> Result<u64, Failure> {
    pools::require(conn, &group.pool_id)?;
    let version = codec::to_sql_int(group.version, "group version")?;
    let changed = conn
        .prepare_cached(
            "UPDATE pool_groups SET description = :description, precedence = :precedence, \
             role_arn = :role_arn, modified_at = :modified_at, version = version + 1 \
             WHERE pool_id = :pool_id AND name = :name AND version = :version",
        )?
        .execute(named_params! {
            ":pool_id": group.pool_id.as_str(),
            ":name": group.name,
            ":description": group.description,
            ":precedence": group.precedence.map(i64::from),
            ":role_arn": group.role_arn,
            ":modified_at": micros(group.modified_at),
            ":version": version,
        })?;
    if changed == 1 {
        return Ok(group.version + 1);
    }
    Err(lost_swap(
        conn,
        "SELECT version FROM pool_groups WHERE pool_id = ?1 AND name = ?2",
        [group.pool_id.as_str(), &group.name],
        group.version,
        "pool_groups.version",
        StoreError::GroupNotFound,
    ))
}

/// Deletes a group; its memberships cascade.
pub(crate) fn delete(conn: &Connection, pool: &UserPoolId, name: &str) -> Result<(), Failure> {
    pools::require(conn, pool)?;
    delete_keyed(
        conn,
        "DELETE FROM pool_groups WHERE pool_id = ?1 AND name = ?2",
        [pool.as_str(), name],
        StoreError::GroupNotFound,
    )
}

/// A pool's groups by name, after `after`.
pub(crate) fn list(
    conn: &Connection,
    pool: &UserPoolId,
    after: Option<&str>,
    limit: usize,
) -> Result<Vec<GroupRecord>, Failure> {
    pools::require(conn, pool)?;
    let sql = format!(
        "SELECT {GROUP_COLUMNS} FROM pool_groups WHERE pool_id = ?1 AND name > ?2 \
         ORDER BY name LIMIT ?3"
    );
    query_groups(
        conn,
        &sql,
        &[
            &pool.as_str(),
            &after.unwrap_or(""),
            &codec::sql_limit(limit),
        ],
    )
}

/// Adds a membership (idempotent).
pub(crate) fn add_member(
    conn: &Connection,
    pool: &UserPoolId,
    group: &str,
    sub: Uuid,
) -> Result<(), Failure> {
    require_group(conn, pool, group)?;
    let sub = codec::sub_text(sub);
    read::require_sub(conn, pool, &sub)?;
    conn.prepare_cached(
        "INSERT INTO group_members (pool_id, group_name, sub) VALUES (?1, ?2, ?3) \
         ON CONFLICT DO NOTHING",
    )?
    .execute([pool.as_str(), group, &sub])?;
    Ok(())
}

/// Removes a membership; whether there was one.
pub(crate) fn remove_member(
    conn: &Connection,
    pool: &UserPoolId,
    group: &str,
    sub: Uuid,
) -> Result<bool, Failure> {
    require_group(conn, pool, group)?;
    let changed = conn
        .prepare_cached(
            "DELETE FROM group_members WHERE pool_id = ?1 AND group_name = ?2 AND sub = ?3",
        )?
        .execute([pool.as_str(), group, &codec::sub_text(sub)])?;
    Ok(changed > 0)
}

/// The groups of the user `sub` by name, after `after`.
pub(crate) fn list_for_user(
    conn: &Connection,
    pool: &UserPoolId,
    sub: Uuid,
    after: Option<&str>,
    limit: usize,
) -> Result<Vec<GroupRecord>, Failure> {
    pools::require(conn, pool)?;
    let columns = GROUP_COLUMNS
        .split(", ")
        .map(|c| format!("g.{c} AS {c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT {columns} FROM group_members m JOIN pool_groups g \
         ON g.pool_id = m.pool_id AND g.name = m.group_name \
         WHERE m.pool_id = ?1 AND m.sub = ?2 AND m.group_name > ?3 \
         ORDER BY m.group_name LIMIT ?4"
    );
    query_groups(
        conn,
        &sql,
        &[
            &pool.as_str(),
            &codec::sub_text(sub),
            &after.unwrap_or(""),
            &codec::sql_limit(limit),
        ],
    )
}

/// The members of `group` by username key, after `after`.
pub(crate) fn list_members(
    conn: &Connection,
    pool: &UserPoolId,
    group: &str,
    after: Option<&str>,
    limit: usize,
) -> Result<Vec<UserRecord>, Failure> {
    require_group(conn, pool, group)?;
    let ids: Vec<i64> = conn
        .prepare_cached(
            "SELECT u.id FROM group_members m JOIN users u \
             ON u.pool_id = m.pool_id AND u.sub = m.sub \
             WHERE m.pool_id = ?1 AND m.group_name = ?2 AND u.username_key > ?3 \
             ORDER BY u.username_key LIMIT ?4",
        )?
        .query_map(
            rusqlite::params![
                pool.as_str(),
                group,
                after.unwrap_or(""),
                codec::sql_limit(limit)
            ],
            |r| r.get(0),
        )?
        .collect::<Result<_, _>>()?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        // Inside one read transaction, a listed row cannot vanish before it is read.
        out.extend(read::user(conn, id)?);
    }
    Ok(out)
}
