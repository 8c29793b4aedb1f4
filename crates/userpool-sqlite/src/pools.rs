//! Pools and app clients: the statements, run inside the caller's transaction.

use rusqlite::{Connection, OptionalExtension, Row, ToSql, named_params};
use userpool_core::UserPoolId;
use userpool_store::{ClientRecord, PoolRecord, StoreError};

use crate::codec::{self, PoolColumns, from_sql_int, micros, time, to_sql_int};
use crate::error::{Failure, corrupt, is_unique_violation, unless_taken};

const POOL_COLUMNS: &str = "id, name, minimum_length, require_uppercase, require_lowercase, \
    require_numbers, require_symbols, password_history_size, temporary_password_validity_days, \
    maximum_length, reject_user_identity, refuse_temporary_as_new, minimum_strength, hash_memory_kib, hash_iterations, hash_parallelism, \
    history_mode, alias_attributes, username_attributes, case_sensitive, attribute_schema, \
    settings, created_at, modified_at, version, mfa_configuration, mfa_software_token, mfa_sms, \
    mfa_sms_message";

/// A named parameter per column of [`POOL_COLUMNS`], in its order.
const POOL_PARAMETERS: &str = ":id, :name, :minimum_length, :require_uppercase, \
    :require_lowercase, :require_numbers, :require_symbols, :password_history_size, \
    :temporary_password_validity_days, :maximum_length, :reject_user_identity, \
    :refuse_temporary_as_new, :minimum_strength, :hash_memory_kib, :hash_iterations, \
    :hash_parallelism, :history_mode, :alias_attributes, :username_attributes, :case_sensitive, \
    :attribute_schema, :settings, :created_at, :modified_at, :version, :mfa_configuration, \
    :mfa_software_token, :mfa_sms, :mfa_sms_message";

fn pool_from_row(row: &Row<'_>) -> Result<PoolRecord, Failure> {
    let columns = PoolColumns {
        id: row.get("id")?,
        name: row.get("name")?,
        minimum_length: row.get("minimum_length")?,
        require_uppercase: row.get("require_uppercase")?,
        require_lowercase: row.get("require_lowercase")?,
        require_numbers: row.get("require_numbers")?,
        require_symbols: row.get("require_symbols")?,
        password_history_size: row.get("password_history_size")?,
        temporary_password_validity_days: row.get("temporary_password_validity_days")?,
        maximum_length: row.get("maximum_length")?,
        reject_user_identity: row.get("reject_user_identity")?,
        refuse_temporary_as_new: row.get("refuse_temporary_as_new")?,
        minimum_strength: row.get("minimum_strength")?,
        hash_memory_kib: row.get("hash_memory_kib")?,
        hash_iterations: row.get("hash_iterations")?,
        hash_parallelism: row.get("hash_parallelism")?,
        history_mode: row.get("history_mode")?,
        alias_attributes: row.get("alias_attributes")?,
        username_attributes: row.get("username_attributes")?,
        case_sensitive: row.get("case_sensitive")?,
        attribute_schema: row.get("attribute_schema")?,
        settings: row.get("settings")?,
        created_at: row.get("created_at")?,
        modified_at: row.get("modified_at")?,
        version: row.get("version")?,
        mfa_configuration: row.get("mfa_configuration")?,
        mfa_software_token: row.get("mfa_software_token")?,
        mfa_sms: row.get("mfa_sms")?,
        mfa_sms_message: row.get("mfa_sms_message")?,
    };
    Ok(columns.into_record()?)
}

/// The named parameters of a pool's columns, one per column of [`POOL_COLUMNS`] (`:id`,
/// `:name`, ...), as [`POOL_PARAMETERS`] lists them.
fn pool_params(c: &PoolColumns) -> [(&'static str, &dyn ToSql); 29] {
    [
        (":id", &c.id),
        (":name", &c.name),
        (":minimum_length", &c.minimum_length),
        (":require_uppercase", &c.require_uppercase),
        (":require_lowercase", &c.require_lowercase),
        (":require_numbers", &c.require_numbers),
        (":require_symbols", &c.require_symbols),
        (":password_history_size", &c.password_history_size),
        (
            ":temporary_password_validity_days",
            &c.temporary_password_validity_days,
        ),
        (":maximum_length", &c.maximum_length),
        (":reject_user_identity", &c.reject_user_identity),
        (":refuse_temporary_as_new", &c.refuse_temporary_as_new),
        (":minimum_strength", &c.minimum_strength),
        (":hash_memory_kib", &c.hash_memory_kib),
        (":hash_iterations", &c.hash_iterations),
        (":hash_parallelism", &c.hash_parallelism),
        (":history_mode", &c.history_mode),
        (":alias_attributes", &c.alias_attributes),
        (":username_attributes", &c.username_attributes),
        (":case_sensitive", &c.case_sensitive),
        (":attribute_schema", &c.attribute_schema),
        (":settings", &c.settings),
        (":created_at", &c.created_at),
        (":modified_at", &c.modified_at),
        (":version", &c.version),
        (":mfa_configuration", &c.mfa_configuration),
        (":mfa_software_token", &c.mfa_software_token),
        (":mfa_sms", &c.mfa_sms),
        (":mfa_sms_message", &c.mfa_sms_message),
    ]
}

/// Reads a pool.
pub(crate) fn get(conn: &Connection, id: &UserPoolId) -> Result<Option<PoolRecord>, Failure> {
    let sql = format!("SELECT {POOL_COLUMNS} FROM pools WHERE id = ?1");
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query([id.as_str()])?;
    match rows.next()? {
        Some(row) => Ok(Some(pool_from_row(row)?)),
        None => Ok(None),
    }
}

/// Reads a pool that must exist.
pub(crate) fn require(conn: &Connection, id: &UserPoolId) -> Result<PoolRecord, Failure> {
    get(conn, id)?.ok_or_else(|| StoreError::PoolNotFound(id.as_str().to_owned()).into())
}

/// Every pool, ordered by id.
pub(crate) fn list(conn: &Connection) -> Result<Vec<PoolRecord>, Failure> {
    let sql = format!("SELECT {POOL_COLUMNS} FROM pools ORDER BY id");
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(pool_from_row(row)?);
    }
    Ok(out)
}

/// Inserts a pool at version 1.
pub(crate) fn create(conn: &Connection, pool: &PoolRecord) -> Result<u64, Failure> {
    let columns = PoolColumns::new(pool, 1)?;
    let result = conn
        .prepare_cached(&format!(
            "INSERT INTO pools ({POOL_COLUMNS}) VALUES ({POOL_PARAMETERS})"
        ))?
        .execute(&pool_params(&columns)[..]);
    match result {
        Ok(_) => Ok(1),
        Err(e) if is_unique_violation(&e) && get(conn, &pool.id)?.is_some() => {
            Err(StoreError::PoolExists.into())
        }
        Err(e) => Err(e.into()),
    }
}

/// Compare-and-swap of a pool's settings. Alias attributes, username attributes and case
/// sensitivity are refused (`Backend`): the stored keys were computed with them (the
/// statement writes them back as they are).
pub(crate) fn update(conn: &Connection, pool: &PoolRecord) -> Result<u64, Failure> {
    let current = require(conn, &pool.id)?;
    codec::check_pool_update(&current, pool)?;
    let next = codec::next_version(pool.version, "pools.version")?;
    let columns = PoolColumns::new(pool, next)?;
    let expected = to_sql_int(pool.version, "pools.version")?;
    let mut params = pool_params(&columns).to_vec();
    params.push((":expected", &expected));
    let changed = conn
        .prepare_cached(
            "UPDATE pools SET name = :name, minimum_length = :minimum_length, \
             require_uppercase = :require_uppercase, require_lowercase = :require_lowercase, \
             require_numbers = :require_numbers, require_symbols = :require_symbols, \
             password_history_size = :password_history_size, \
             temporary_password_validity_days = :temporary_password_validity_days, \
             maximum_length = :maximum_length, reject_user_identity = :reject_user_identity, \
             refuse_temporary_as_new = :refuse_temporary_as_new, \
             minimum_strength = :minimum_strength, \
             hash_memory_kib = :hash_memory_kib, hash_iterations = :hash_iterations, \
             hash_parallelism = :hash_parallelism, history_mode = :history_mode, \
             attribute_schema = :attribute_schema, settings = :settings, \
             created_at = :created_at, modified_at = :modified_at, version = :version, \
             mfa_configuration = :mfa_configuration, mfa_software_token = :mfa_software_token, \
             mfa_sms = :mfa_sms, mfa_sms_message = :mfa_sms_message, \
             alias_attributes = :alias_attributes, username_attributes = :username_attributes, \
             case_sensitive = :case_sensitive \
             WHERE id = :id AND version = :expected",
        )?
        .execute(&*params)?;
    if changed != 1 {
        return Err(StoreError::Conflict {
            expected: pool.version,
            found: get(conn, &pool.id)?.map(|p| p.version),
        }
        .into());
    }
    Ok(next)
}

/// Deletes a pool; its clients and users (with their child rows) cascade.
/// Counts a decoy write for the pool: a real change (SQLite skips rewriting a row with
/// identical content, so an unchanged `UPDATE` would commit nothing), touching no record.
pub(crate) fn decoy_write(conn: &Connection, id: &UserPoolId) -> Result<(), Failure> {
    require(conn, id)?;
    conn.prepare_cached(
        "INSERT INTO decoy_writes (pool_id, count) VALUES (?1, 1) \
         ON CONFLICT (pool_id) DO UPDATE SET count = count + 1",
    )?
    .execute([id.as_str()])?;
    Ok(())
}

pub(crate) fn delete(conn: &Connection, id: &UserPoolId) -> Result<(), Failure> {
    let changed = conn
        .prepare_cached("DELETE FROM pools WHERE id = ?1")?
        .execute([id.as_str()])?;
    if changed == 0 {
        return Err(StoreError::PoolNotFound(id.as_str().to_owned()).into());
    }
    Ok(())
}

/// Inserts an app client of an existing pool.
pub(crate) fn create_client(conn: &Connection, client: &ClientRecord) -> Result<(), Failure> {
    require(conn, &client.pool_id)?;
    let result = conn
        .prepare_cached(
            "INSERT INTO clients (client_id, pool_id, name, secret, \
             prevent_user_existence_errors, created_at, modified_at) \
             VALUES (:client_id, :pool_id, :name, :secret, :prevent, :created_at, \
             :modified_at)",
        )?
        .execute(named_params! {
            ":client_id": client.client_id,
            ":pool_id": client.pool_id.as_str(),
            ":name": client.name,
            ":secret": client.secret,
            ":prevent": client.prevent_user_existence_errors,
            ":created_at": micros(client.created_at),
            ":modified_at": micros(client.modified_at),
        });
    unless_taken(result, StoreError::ClientExists)?;
    write_client_lists(conn, client)
}

/// Writes a client's auth flows and OAuth settings (none are stored for it).
fn write_client_lists(conn: &Connection, client: &ClientRecord) -> Result<(), Failure> {
    let mut insert = conn.prepare_cached(
        "INSERT INTO client_auth_flows (client_id, position, flow) VALUES (?1, ?2, ?3)",
    )?;
    for (position, flow) in client.explicit_auth_flows.iter().enumerate() {
        let position = i64::try_from(position)
            .map_err(|_| corrupt("client_auth_flows.position: too many flows"))?;
        insert.execute(rusqlite::params![client.client_id, position, flow])?;
    }
    crate::oauth::write_client(conn, &client.client_id, &client.oauth)
}

/// Replaces a client's secret if it is still `expected`; whether it was.
pub(crate) fn replace_client_secret(
    conn: &Connection,
    pool: &UserPoolId,
    client_id: &str,
    expected: &str,
    new: &str,
) -> Result<bool, Failure> {
    let changed = conn
        .prepare_cached(
            "UPDATE clients SET secret = ?4 \
             WHERE client_id = ?1 AND pool_id = ?2 AND secret = ?3",
        )?
        .execute(rusqlite::params![client_id, pool.as_str(), expected, new])?;
    Ok(changed == 1)
}

/// Reads an app client by id, optionally only within one pool.
pub(crate) fn get_client(
    conn: &Connection,
    pool: Option<&UserPoolId>,
    client_id: &str,
) -> Result<Option<ClientRecord>, Failure> {
    let mut stmt = conn.prepare_cached(
        "SELECT pool_id, name, secret, prevent_user_existence_errors, created_at, \
         modified_at FROM clients WHERE client_id = ?1 AND (?2 IS NULL OR pool_id = ?2)",
    )?;
    let row = stmt
        .query_row(
            rusqlite::params![client_id, pool.map(UserPoolId::as_str)],
            |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, Option<String>>(2)?,
                    row.get::<_, bool>(3)?,
                    row.get::<_, i64>(4)?,
                    row.get::<_, i64>(5)?,
                ))
            },
        )
        .optional()?;
    let Some((pool_id, name, secret, prevent, created_at, modified_at)) = row else {
        return Ok(None);
    };
    let mut flows = conn.prepare_cached(
        "SELECT flow FROM client_auth_flows WHERE client_id = ?1 ORDER BY position",
    )?;
    let explicit_auth_flows = flows
        .query_map([client_id], |row| row.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(ClientRecord {
        pool_id: codec::pool_id(&pool_id, "clients.pool_id")?,
        client_id: client_id.to_owned(),
        name,
        secret,
        explicit_auth_flows,
        prevent_user_existence_errors: prevent,
        created_at: time(created_at, "clients.created_at")?,
        modified_at: time(modified_at, "clients.modified_at")?,
        oauth: crate::oauth::read_client(conn, client_id)?,
    }))
}

/// App clients of a pool in client-id order, after `after`, at most `limit`.
pub(crate) fn list_clients(
    conn: &Connection,
    pool: &UserPoolId,
    after: Option<&str>,
    limit: usize,
) -> Result<Vec<ClientRecord>, Failure> {
    require(conn, pool)?;
    let limit = codec::sql_limit(limit);
    let ids = conn
        .prepare_cached(
            "SELECT client_id FROM clients WHERE pool_id = ?1 \
             AND (?2 IS NULL OR client_id > ?2) ORDER BY client_id LIMIT ?3",
        )?
        .query_map(rusqlite::params![pool.as_str(), after, limit], |row| {
            row.get::<_, String>(0)
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(client) = get_client(conn, Some(pool), &id)? {
            out.push(client);
        }
    }
    Ok(out)
}

/// Replaces a client's name, flows, flags and modification time; its id, pool, secret and
/// creation time stay.
pub(crate) fn update_client(conn: &Connection, client: &ClientRecord) -> Result<(), Failure> {
    require(conn, &client.pool_id)?;
    let changed = conn
        .prepare_cached(
            "UPDATE clients SET name = :name, prevent_user_existence_errors = :prevent, \
             modified_at = :modified_at WHERE client_id = :client_id AND pool_id = :pool_id",
        )?
        .execute(named_params! {
            ":client_id": client.client_id,
            ":pool_id": client.pool_id.as_str(),
            ":name": client.name,
            ":prevent": client.prevent_user_existence_errors,
            ":modified_at": micros(client.modified_at),
        })?;
    if changed != 1 {
        return Err(StoreError::NotFound.into());
    }
    // The flows and the OAuth settings are replaced whole.
    conn.prepare_cached("DELETE FROM client_auth_flows WHERE client_id = ?1")?
        .execute([&client.client_id])?;
    conn.prepare_cached("DELETE FROM client_oauth WHERE client_id = ?1")?
        .execute([&client.client_id])?;
    conn.prepare_cached("DELETE FROM client_oauth_values WHERE client_id = ?1")?
        .execute([&client.client_id])?;
    write_client_lists(conn, client)
}

/// Deletes a client (its flows cascade).
pub(crate) fn delete_client(
    conn: &Connection,
    pool: &UserPoolId,
    client_id: &str,
) -> Result<(), Failure> {
    require(conn, pool)?;
    let changed = conn
        .prepare_cached("DELETE FROM clients WHERE client_id = ?1 AND pool_id = ?2")?
        .execute(rusqlite::params![client_id, pool.as_str()])?;
    if changed != 1 {
        return Err(StoreError::NotFound.into());
    }
    // What the client issued ends with it, in the same transaction.
    conn.prepare_cached(
        "UPDATE token_sessions SET revoked = 1 WHERE pool_id = ?1 AND client_id = ?2",
    )?
    .execute(rusqlite::params![pool.as_str(), client_id])?;
    conn.prepare_cached("DELETE FROM authorization_codes WHERE pool_id = ?1 AND client_id = ?2")?
        .execute(rusqlite::params![pool.as_str(), client_id])?;
    Ok(())
}

/// How many users the pool has.
pub(crate) fn count_users(conn: &Connection, pool: &UserPoolId) -> Result<u64, Failure> {
    require(conn, pool)?;
    let n: i64 = conn
        .prepare_cached("SELECT COUNT(*) FROM users WHERE pool_id = ?1")?
        .query_row([pool.as_str()], |row| row.get(0))?;
    Ok(from_sql_int(n, "users: count")?)
}
