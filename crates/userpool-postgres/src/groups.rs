//! Groups (`pool_groups`) and memberships (`group_members`), SPEC §17. Unique names are the
//! primary key's (`pool_groups_pkey`); memberships go with their group or user by
//! `ON DELETE CASCADE`. Names and username keys are `COLLATE "C"` columns: pages come out
//! in byte order, as the memory store's do.

use postgres::Row;
use postgres::error::SqlState;
use userpool_core::{UserPoolId, UserRecord};
use userpool_store::{GroupRecord, StoreError};
use uuid::Uuid;

use crate::codec::{self, micros, time};
use crate::connection::Conn;
use crate::error::{Failure, delete_keyed, lost_swap, require_row, unless_taken};
use crate::pools::{self, get};
use crate::users::{self, user_columns};

macro_rules! group_columns {
    () => {
        "g.pool_id, g.name, g.description, g.precedence, g.role_arn, g.created_at, \
         g.modified_at, g.version"
    };
}

fn group_from_row(row: &Row) -> Result<GroupRecord, Failure> {
    let pool_id: &str = get(row, "pool_id")?;
    let precedence: Option<i64> = get(row, "precedence")?;
    Ok(GroupRecord {
        pool_id: codec::pool_id(pool_id, "pool_groups.pool_id")?,
        name: get(row, "name")?,
        description: get(row, "description")?,
        precedence: precedence
            .map(|p| codec::from_sql_int(p, "pool_groups.precedence"))
            .transpose()?,
        role_arn: get(row, "role_arn")?,
        created_at: time(get(row, "created_at")?, "pool_groups.created_at")?,
        modified_at: time(get(row, "modified_at")?, "pool_groups.modified_at")?,
        version: codec::from_sql_int(get(row, "version")?, "pool_groups.version")?,
    })
}

/// Fails with `PoolNotFound` unless the pool exists, then with `GroupNotFound` unless it
/// has the group: what every operation on a group's members checks first.
fn require_group(conn: &mut Conn, pool: &UserPoolId, name: &str) -> Result<(), Failure> {
    pools::require_exists(conn, pool)?;
    require_row(
        conn,
        "SELECT 1 FROM pool_groups WHERE pool_id = $1 AND name = $2",
        &[&pool.as_str(), &name],
        StoreError::GroupNotFound,
    )
}

/// Inserts a group at version 1.
pub(crate) fn create(conn: &mut Conn, group: &GroupRecord) -> Result<u64, Failure> {
    pools::require_exists(conn, &group.pool_id)?;
    let result = conn.execute_raw(
        "INSERT INTO pool_groups (pool_id, name, description, precedence, role_arn, \
         created_at, modified_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, 1)",
        &[
            &group.pool_id.as_str(),
            &group.name,
            &group.description,
            &group.precedence.map(i64::from),
            &group.role_arn,
            &micros(group.created_at),
            &micros(group.modified_at),
        ],
    );
    unless_taken(
        result,
        "pool_groups_pkey",
        StoreError::GroupExists,
        Some(StoreError::PoolNotFound(group.pool_id.as_str().to_owned())),
    )?;
    Ok(1)
}

/// A group of a pool.
pub(crate) fn get_group(
    conn: &mut Conn,
    pool: &UserPoolId,
    name: &str,
) -> Result<Option<GroupRecord>, Failure> {
    pools::require_exists(conn, pool)?;
    conn.query_opt(
        concat!(
            "SELECT ",
            group_columns!(),
            " FROM pool_groups g WHERE g.pool_id = $1 AND g.name = $2"
        ),
        &[&pool.as_str(), &name],
    )?
    .as_ref()
    .map(group_from_row)
    .transpose()
}

/// Compare-and-swap of a group's mutable fields.
pub(crate) fn update(conn: &mut Conn, group: &GroupRecord) -> Result<u64, Failure> {
    pools::require_exists(conn, &group.pool_id)?;
    let version = codec::to_sql_int(group.version, "group version")?;
    let changed = conn.execute(
        "UPDATE pool_groups SET description = $3, precedence = $4, role_arn = $5, \
         modified_at = $6, version = version + 1 \
         WHERE pool_id = $1 AND name = $2 AND version = $7",
        &[
            &group.pool_id.as_str(),
            &group.name,
            &group.description,
            &group.precedence.map(i64::from),
            &group.role_arn,
            &micros(group.modified_at),
            &version,
        ],
    )?;
    if changed == 1 {
        return Ok(group.version + 1);
    }
    Err(lost_swap(
        conn,
        "SELECT version FROM pool_groups WHERE pool_id = $1 AND name = $2",
        [group.pool_id.as_str(), &group.name],
        group.version,
        "pool_groups.version",
        StoreError::GroupNotFound,
    ))
}

/// Deletes a group; its memberships cascade.
pub(crate) fn delete(conn: &mut Conn, pool: &UserPoolId, name: &str) -> Result<(), Failure> {
    pools::require_exists(conn, pool)?;
    delete_keyed(
        conn,
        "DELETE FROM pool_groups WHERE pool_id = $1 AND name = $2",
        [pool.as_str(), name],
        StoreError::GroupNotFound,
    )
}

/// A pool's groups by name, after `after`.
pub(crate) fn list(
    conn: &mut Conn,
    pool: &UserPoolId,
    after: Option<&str>,
    limit: usize,
) -> Result<Vec<GroupRecord>, Failure> {
    pools::require_exists(conn, pool)?;
    conn.query(
        concat!(
            "SELECT ",
            group_columns!(),
            " FROM pool_groups g WHERE g.pool_id = $1 AND g.name > $2 ORDER BY g.name LIMIT $3"
        ),
        &[
            &pool.as_str(),
            &after.unwrap_or(""),
            &codec::sql_limit(limit),
        ],
    )?
    .iter()
    .map(group_from_row)
    .collect()
}

/// Adds a membership (idempotent).
pub(crate) fn add_member(
    conn: &mut Conn,
    pool: &UserPoolId,
    group: &str,
    sub: Uuid,
) -> Result<(), Failure> {
    require_group(conn, pool, group)?;
    let sub = codec::sub_text(sub);
    users::require_sub(conn, pool, &sub)?;
    let result = conn.execute_raw(
        "INSERT INTO group_members (pool_id, group_name, sub) VALUES ($1, $2, $3) \
         ON CONFLICT DO NOTHING",
        &[&pool.as_str(), &group, &sub],
    );
    match result {
        Ok(_) => Ok(()),
        // The group or the user was deleted since it was looked at.
        Err(e) if e.code() == Some(&SqlState::FOREIGN_KEY_VIOLATION) => {
            match e.as_db_error().and_then(|db| db.constraint()) {
                Some("group_members_group_fkey") => Err(StoreError::GroupNotFound.into()),
                _ => Err(StoreError::NotFound.into()),
            }
        }
        Err(e) => Err(e.into()),
    }
}

/// Removes a membership; whether there was one.
pub(crate) fn remove_member(
    conn: &mut Conn,
    pool: &UserPoolId,
    group: &str,
    sub: Uuid,
) -> Result<bool, Failure> {
    require_group(conn, pool, group)?;
    let changed = conn.execute(
        "DELETE FROM group_members WHERE pool_id = $1 AND group_name = $2 AND sub = $3",
        &[&pool.as_str(), &group, &codec::sub_text(sub)],
    )?;
    Ok(changed > 0)
}

/// The groups of the user `sub` by name, after `after`.
pub(crate) fn list_for_user(
    conn: &mut Conn,
    pool: &UserPoolId,
    sub: Uuid,
    after: Option<&str>,
    limit: usize,
) -> Result<Vec<GroupRecord>, Failure> {
    pools::require_exists(conn, pool)?;
    conn.query(
        concat!(
            "SELECT ",
            group_columns!(),
            " FROM group_members m JOIN pool_groups g \
             ON g.pool_id = m.pool_id AND g.name = m.group_name \
             WHERE m.pool_id = $1 AND m.sub = $2 AND m.group_name > $3 \
             ORDER BY m.group_name LIMIT $4"
        ),
        &[
            &pool.as_str(),
            &codec::sub_text(sub),
            &after.unwrap_or(""),
            &codec::sql_limit(limit),
        ],
    )?
    .iter()
    .map(group_from_row)
    .collect()
}

/// The members of `group` by username key, after `after`: one statement, so each record
/// is read whole.
pub(crate) fn list_members(
    conn: &mut Conn,
    pool: &UserPoolId,
    group: &str,
    after: Option<&str>,
    limit: usize,
) -> Result<Vec<UserRecord>, Failure> {
    require_group(conn, pool, group)?;
    conn.query(
        concat!(
            "SELECT ",
            user_columns!(),
            " FROM group_members m JOIN users u ON u.pool_id = m.pool_id AND u.sub = m.sub \
             WHERE m.pool_id = $1 AND m.group_name = $2 AND u.username_key > $3 \
             ORDER BY u.username_key LIMIT $4"
        ),
        &[
            &pool.as_str(),
            &group,
            &after.unwrap_or(""),
            &codec::sql_limit(limit),
        ],
    )?
    .iter()
    .map(users::user_from_row)
    .collect()
}
