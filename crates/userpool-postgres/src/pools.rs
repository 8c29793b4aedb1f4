//! Pools and app clients: the statements, run on the caller's connection (inside its
//! transaction for writes).

use postgres::Row;
use postgres::types::{FromSql, ToSql};
use userpool_core::UserPoolId;
use userpool_store::{ClientOAuth, ClientRecord, PoolRecord, StoreError};

use crate::codec::{self, PoolColumns, from_sql_int, micros, time, to_sql_int};
use crate::connection::Conn;
use crate::error::{Failure, require_row, unless_taken};

/// Reads a column, any failure (a type this crate would not write) a backend failure.
pub(crate) fn get<'a, T: FromSql<'a>>(row: &'a Row, column: &str) -> Result<T, Failure> {
    Ok(row.try_get(column)?)
}

macro_rules! pool_columns {
    () => {
        "id, name, minimum_length, require_uppercase, require_lowercase, require_numbers, \
         require_symbols, password_history_size, temporary_password_validity_days, \
         maximum_length, reject_user_identity, refuse_temporary_as_new, minimum_strength, \
         hash_memory_kib, hash_iterations, hash_parallelism, history_mode, alias_attributes, \
         username_attributes, case_sensitive, created_at, modified_at, version, \
         mfa_configuration, mfa_software_token, mfa_sms, mfa_sms_message, attribute_schema, \
         settings"
    };
}

/// The names of a pool's timestamp and version columns in a row: their own, or the
/// aliases [`pool_user_columns`] gives them beside a user's columns of the same names.
pub(crate) struct Stamps {
    created_at: &'static str,
    modified_at: &'static str,
    version: &'static str,
}

const OWN_STAMPS: Stamps = Stamps {
    created_at: "created_at",
    modified_at: "modified_at",
    version: "version",
};

/// The stamps of a row of [`pool_user_columns`].
pub(crate) const POOL_STAMPS: Stamps = Stamps {
    created_at: "pool_created_at",
    modified_at: "pool_modified_at",
    version: "pool_version",
};

/// A pool's columns (of `pools` named `p`) for a statement that also reads a user's: the
/// timestamps and version, which `users` has too, under the names of [`POOL_STAMPS`].
macro_rules! pool_user_columns {
    () => {
        "p.id, p.name, p.minimum_length, p.require_uppercase, p.require_lowercase, \
         p.require_numbers, p.require_symbols, p.password_history_size, \
         p.temporary_password_validity_days, p.maximum_length, p.reject_user_identity, \
         p.refuse_temporary_as_new, p.minimum_strength, p.hash_memory_kib, \
         p.hash_iterations, p.hash_parallelism, p.history_mode, p.alias_attributes, \
         p.username_attributes, p.case_sensitive, p.created_at AS pool_created_at, \
         p.modified_at AS pool_modified_at, p.version AS pool_version, \
         p.mfa_configuration, p.mfa_software_token, p.mfa_sms, p.mfa_sms_message, \
         p.attribute_schema, p.settings"
    };
}
pub(crate) use pool_user_columns;

fn pool_from_row(row: &Row) -> Result<PoolRecord, Failure> {
    pool_from_row_as(row, &OWN_STAMPS)
}

/// Reads a pool from a row whose timestamp and version columns are named `stamps`.
pub(crate) fn pool_from_row_as(row: &Row, stamps: &Stamps) -> Result<PoolRecord, Failure> {
    let columns = PoolColumns {
        id: get(row, "id")?,
        name: get(row, "name")?,
        minimum_length: get(row, "minimum_length")?,
        require_uppercase: get(row, "require_uppercase")?,
        require_lowercase: get(row, "require_lowercase")?,
        require_numbers: get(row, "require_numbers")?,
        require_symbols: get(row, "require_symbols")?,
        password_history_size: get(row, "password_history_size")?,
        temporary_password_validity_days: get(row, "temporary_password_validity_days")?,
        maximum_length: get(row, "maximum_length")?,
        reject_user_identity: get(row, "reject_user_identity")?,
        refuse_temporary_as_new: get(row, "refuse_temporary_as_new")?,
        minimum_strength: get(row, "minimum_strength")?,
        hash_memory_kib: get(row, "hash_memory_kib")?,
        hash_iterations: get(row, "hash_iterations")?,
        hash_parallelism: get(row, "hash_parallelism")?,
        history_mode: get(row, "history_mode")?,
        alias_attributes: get(row, "alias_attributes")?,
        username_attributes: get(row, "username_attributes")?,
        case_sensitive: get(row, "case_sensitive")?,
        attribute_schema: get(row, "attribute_schema")?,
        settings: get(row, "settings")?,
        created_at: get(row, stamps.created_at)?,
        modified_at: get(row, stamps.modified_at)?,
        version: get(row, stamps.version)?,
        mfa_configuration: get(row, "mfa_configuration")?,
        mfa_software_token: get(row, "mfa_software_token")?,
        mfa_sms: get(row, "mfa_sms")?,
        mfa_sms_message: get(row, "mfa_sms_message")?,
    };
    Ok(columns.into_record()?)
}

/// Reads a pool.
pub(crate) fn get_pool(conn: &mut Conn, id: &UserPoolId) -> Result<Option<PoolRecord>, Failure> {
    let row = conn.query_opt(
        concat!("SELECT ", pool_columns!(), " FROM pools WHERE id = $1"),
        &[&id.as_str()],
    )?;
    row.as_ref().map(pool_from_row).transpose()
}

/// Reads a pool that must exist.
pub(crate) fn require(conn: &mut Conn, id: &UserPoolId) -> Result<PoolRecord, Failure> {
    get_pool(conn, id)?.ok_or_else(|| StoreError::PoolNotFound(id.as_str().to_owned()).into())
}

/// Fails with `PoolNotFound` unless the pool exists (without reading its settings).
pub(crate) fn require_exists(conn: &mut Conn, id: &UserPoolId) -> Result<(), Failure> {
    require_row(
        conn,
        "SELECT 1 FROM pools WHERE id = $1",
        &[&id.as_str()],
        StoreError::PoolNotFound(id.as_str().to_owned()),
    )
}

/// Every pool, ordered by id (`COLLATE "C"`: byte order).
pub(crate) fn list(conn: &mut Conn) -> Result<Vec<PoolRecord>, Failure> {
    conn.query(
        concat!("SELECT ", pool_columns!(), " FROM pools ORDER BY id"),
        &[],
    )?
    .iter()
    .map(pool_from_row)
    .collect()
}

/// A pool's column values as parameters `$1..$29`, in [`pool_columns`] order.
fn pool_values(c: &PoolColumns) -> [&(dyn ToSql + Sync); 29] {
    [
        &c.id,
        &c.name,
        &c.minimum_length,
        &c.require_uppercase,
        &c.require_lowercase,
        &c.require_numbers,
        &c.require_symbols,
        &c.password_history_size,
        &c.temporary_password_validity_days,
        &c.maximum_length,
        &c.reject_user_identity,
        &c.refuse_temporary_as_new,
        &c.minimum_strength,
        &c.hash_memory_kib,
        &c.hash_iterations,
        &c.hash_parallelism,
        &c.history_mode,
        &c.alias_attributes,
        &c.username_attributes,
        &c.case_sensitive,
        &c.created_at,
        &c.modified_at,
        &c.version,
        &c.mfa_configuration,
        &c.mfa_software_token,
        &c.mfa_sms,
        &c.mfa_sms_message,
        &c.attribute_schema,
        &c.settings,
    ]
}

/// Inserts a pool at version 1.
pub(crate) fn create(conn: &mut Conn, pool: &PoolRecord) -> Result<u64, Failure> {
    let columns = PoolColumns::new(pool, 1)?;
    let result = conn.execute_raw(
        concat!(
            "INSERT INTO pools (",
            pool_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
             $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29)"
        ),
        &pool_values(&columns),
    );
    unless_taken(result, "pools_pkey", StoreError::PoolExists, None)?;
    Ok(1)
}

/// Compare-and-swap of a pool's settings. Alias attributes, username attributes and case
/// sensitivity are refused (`Backend`): the stored keys were computed with them (the
/// statement writes them back as they are).
pub(crate) fn update(conn: &mut Conn, pool: &PoolRecord) -> Result<u64, Failure> {
    let row = conn.query_opt(
        concat!(
            "SELECT ",
            pool_columns!(),
            " FROM pools WHERE id = $1 FOR UPDATE"
        ),
        &[&pool.id.as_str()],
    )?;
    let current = match row {
        Some(row) => pool_from_row(&row)?,
        None => return Err(StoreError::PoolNotFound(pool.id.as_str().to_owned()).into()),
    };
    codec::check_pool_update(&current, pool)?;
    let next = codec::next_version(pool.version, "pools.version")?;
    let columns = PoolColumns::new(pool, next)?;
    let expected = to_sql_int(pool.version, "pools.version")?;
    let mut params = pool_values(&columns).to_vec();
    params.push(&expected);
    let changed = conn.execute(
        "UPDATE pools SET name = $2, minimum_length = $3, require_uppercase = $4, \
         require_lowercase = $5, require_numbers = $6, require_symbols = $7, \
         password_history_size = $8, temporary_password_validity_days = $9, \
         maximum_length = $10, reject_user_identity = $11, refuse_temporary_as_new = $12, \
         minimum_strength = $13, hash_memory_kib = $14, hash_iterations = $15, \
         hash_parallelism = $16, history_mode = $17, alias_attributes = $18, \
         username_attributes = $19, case_sensitive = $20, created_at = $21, \
         modified_at = $22, version = $23, mfa_configuration = $24, \
         mfa_software_token = $25, mfa_sms = $26, mfa_sms_message = $27, \
         attribute_schema = $28, settings = $29 \
         WHERE id = $1 AND version = $30",
        &params,
    )?;
    if changed != 1 {
        // Unreachable under the row lock taken above; kept as the compare-and-swap's own
        // guarantee rather than the lock's.
        return Err(StoreError::Conflict {
            expected: pool.version,
            found: None,
        }
        .into());
    }
    Ok(next)
}

/// Counts a decoy write for the pool: a real row change and commit, touching no record.
pub(crate) fn decoy_write(conn: &mut Conn, id: &UserPoolId) -> Result<(), Failure> {
    // One statement, committed on its own; a missing pool fails its foreign key.
    match conn.execute_raw(
        "INSERT INTO decoy_writes (pool_id, count) VALUES ($1, 1) \
         ON CONFLICT (pool_id) DO UPDATE SET count = decoy_writes.count + 1",
        &[&id.as_str()],
    ) {
        Ok(_) => Ok(()),
        Err(e) if e.code() == Some(&postgres::error::SqlState::FOREIGN_KEY_VIOLATION) => {
            Err(StoreError::PoolNotFound(id.as_str().to_owned()).into())
        }
        Err(e) => Err(e.into()),
    }
}

/// Deletes a pool; everything of it cascades.
pub(crate) fn delete(conn: &mut Conn, id: &UserPoolId) -> Result<(), Failure> {
    let changed = conn.execute("DELETE FROM pools WHERE id = $1", &[&id.as_str()])?;
    if changed == 0 {
        return Err(StoreError::PoolNotFound(id.as_str().to_owned()).into());
    }
    Ok(())
}

/// The columns a client is read from.
macro_rules! client_columns {
    () => {
        "client_id, pool_id, name, secret, explicit_auth_flows, prevent_user_existence_errors, \
         created_at, oauth_flows, oauth_flows_user_pool_client, oauth_scopes, callback_urls, \
         logout_urls, default_redirect_uri, supported_identity_providers, modified_at"
    };
}

/// A client's columns (of `clients` named `c`) for a statement that also reads its pool's
/// ([`pool_user_columns`], whose timestamps are renamed): the name, which `pools` has too,
/// as `client_name`.
macro_rules! client_pool_columns {
    () => {
        "c.client_id, c.pool_id, c.name AS client_name, c.secret, c.explicit_auth_flows, \
         c.prevent_user_existence_errors, c.created_at, c.oauth_flows, \
         c.oauth_flows_user_pool_client, c.oauth_scopes, c.callback_urls, c.logout_urls, \
         c.default_redirect_uri, c.supported_identity_providers, c.modified_at"
    };
}

fn client_from_row(row: &Row) -> Result<ClientRecord, Failure> {
    client_from_row_as(row, "name")
}

/// Reads a client from a row whose name column is `name`.
fn client_from_row_as(row: &Row, name: &str) -> Result<ClientRecord, Failure> {
    let pool_id: &str = get(row, "pool_id")?;
    Ok(ClientRecord {
        pool_id: codec::pool_id(pool_id, "clients.pool_id")?,
        client_id: get(row, "client_id")?,
        name: get(row, name)?,
        secret: get(row, "secret")?,
        explicit_auth_flows: get(row, "explicit_auth_flows")?,
        prevent_user_existence_errors: get(row, "prevent_user_existence_errors")?,
        created_at: time(get(row, "created_at")?, "clients.created_at")?,
        modified_at: time(get(row, "modified_at")?, "clients.modified_at")?,
        oauth: ClientOAuth {
            allowed_flows: get(row, "oauth_flows")?,
            allowed_flows_user_pool_client: get(row, "oauth_flows_user_pool_client")?,
            allowed_scopes: get(row, "oauth_scopes")?,
            callback_urls: get(row, "callback_urls")?,
            logout_urls: get(row, "logout_urls")?,
            default_redirect_uri: get(row, "default_redirect_uri")?,
            supported_identity_providers: get(row, "supported_identity_providers")?,
        },
    })
}

/// A client's keys and the settings an update replaces, as `$1..$13`: its id, its pool,
/// its name, flows, existence-error setting, OAuth settings and modification time (an
/// insert adds the secret and the creation time).
fn client_settings<'a>(
    client: &'a ClientRecord,
    pool_id: &'a &'a str,
    modified_at: &'a i64,
) -> [&'a (dyn ToSql + Sync); 13] {
    let oauth = &client.oauth;
    [
        &client.client_id,
        pool_id,
        &client.name,
        &client.explicit_auth_flows,
        &client.prevent_user_existence_errors,
        &oauth.allowed_flows,
        &oauth.allowed_flows_user_pool_client,
        &oauth.allowed_scopes,
        &oauth.callback_urls,
        &oauth.logout_urls,
        &oauth.default_redirect_uri,
        &oauth.supported_identity_providers,
        modified_at,
    ]
}

/// Inserts an app client of an existing pool.
pub(crate) fn create_client(conn: &mut Conn, client: &ClientRecord) -> Result<(), Failure> {
    // Locks the pool row against a concurrent delete until this transaction ends (the
    // foreign key would refuse the insert anyway, as a backend error instead of
    // `PoolNotFound`).
    let found = conn.query_opt(
        "SELECT 1 FROM pools WHERE id = $1 FOR KEY SHARE",
        &[&client.pool_id.as_str()],
    )?;
    if found.is_none() {
        return Err(StoreError::PoolNotFound(client.pool_id.as_str().to_owned()).into());
    }
    let (pool_id, modified_at) = (client.pool_id.as_str(), micros(client.modified_at));
    let created_at = micros(client.created_at);
    let mut params = client_settings(client, &pool_id, &modified_at).to_vec();
    params.extend([&client.secret as &(dyn ToSql + Sync), &created_at]);
    let result = conn.execute_raw(
        "INSERT INTO clients (client_id, pool_id, name, explicit_auth_flows, \
         prevent_user_existence_errors, oauth_flows, oauth_flows_user_pool_client, \
         oauth_scopes, callback_urls, logout_urls, default_redirect_uri, \
         supported_identity_providers, modified_at, secret, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        &params,
    );
    unless_taken(result, "clients_pkey", StoreError::ClientExists, None)?;
    Ok(())
}

/// App clients of a pool in client-id order (`COLLATE "C"`), after `after`, at most
/// `limit`.
pub(crate) fn list_clients(
    conn: &mut Conn,
    pool: &UserPoolId,
    after: Option<&str>,
    limit: usize,
) -> Result<Vec<ClientRecord>, Failure> {
    require_exists(conn, pool)?;
    let limit = codec::sql_limit(limit);
    conn.query(
        concat!(
            "SELECT ",
            client_columns!(),
            " FROM clients WHERE pool_id = $1 AND ($2::text IS NULL OR client_id > $2) \
             ORDER BY client_id LIMIT $3"
        ),
        &[&pool.as_str(), &after, &limit],
    )?
    .iter()
    .map(client_from_row)
    .collect()
}

/// Replaces a client's settings and modification time; its id, pool, secret and creation
/// time stay.
pub(crate) fn update_client(conn: &mut Conn, client: &ClientRecord) -> Result<(), Failure> {
    require_exists(conn, &client.pool_id)?;
    let (pool_id, modified_at) = (client.pool_id.as_str(), micros(client.modified_at));
    let changed = conn.execute(
        "UPDATE clients SET name = $3, explicit_auth_flows = $4, \
         prevent_user_existence_errors = $5, oauth_flows = $6, \
         oauth_flows_user_pool_client = $7, oauth_scopes = $8, callback_urls = $9, \
         logout_urls = $10, default_redirect_uri = $11, supported_identity_providers = $12, \
         modified_at = $13 WHERE client_id = $1 AND pool_id = $2",
        &client_settings(client, &pool_id, &modified_at),
    )?;
    if changed != 1 {
        return Err(StoreError::NotFound.into());
    }
    Ok(())
}

/// Deletes a client.
pub(crate) fn delete_client(
    conn: &mut Conn,
    pool: &UserPoolId,
    client_id: &str,
) -> Result<(), Failure> {
    require_exists(conn, pool)?;
    let changed = conn.execute(
        "DELETE FROM clients WHERE client_id = $1 AND pool_id = $2",
        &[&client_id, &pool.as_str()],
    )?;
    if changed != 1 {
        return Err(StoreError::NotFound.into());
    }
    // What the client issued ends with it, in the same transaction.
    conn.execute(
        "UPDATE token_sessions SET revoked = TRUE WHERE pool_id = $1 AND client_id = $2",
        &[&pool.as_str(), &client_id],
    )?;
    conn.execute(
        "DELETE FROM authorization_codes WHERE pool_id = $1 AND client_id = $2",
        &[&pool.as_str(), &client_id],
    )?;
    Ok(())
}

/// How many users the pool has: one `COUNT(*)` over its index.
pub(crate) fn count_users(conn: &mut Conn, pool: &UserPoolId) -> Result<u64, Failure> {
    require_exists(conn, pool)?;
    let row = conn.query_opt(
        "SELECT COUNT(*) AS n FROM users WHERE pool_id = $1",
        &[&pool.as_str()],
    )?;
    let n: i64 = match row {
        Some(row) => get(&row, "n")?,
        None => 0,
    };
    Ok(from_sql_int(n, "users: count")?)
}

/// Replaces a client's secret if it is still `expected`; whether it was.
pub(crate) fn replace_client_secret(
    conn: &mut Conn,
    pool: &UserPoolId,
    client_id: &str,
    expected: &str,
    new: &str,
) -> Result<bool, Failure> {
    let changed = conn.execute(
        "UPDATE clients SET secret = $4 WHERE client_id = $1 AND pool_id = $2 AND secret = $3",
        &[&client_id, &pool.as_str(), &expected, &new],
    )?;
    Ok(changed == 1)
}

/// Reads an app client by id, optionally only within one pool.
pub(crate) fn get_client(
    conn: &mut Conn,
    pool: Option<&UserPoolId>,
    client_id: &str,
) -> Result<Option<ClientRecord>, Failure> {
    let row = conn.query_opt(
        concat!(
            "SELECT ",
            client_columns!(),
            " FROM clients WHERE client_id = $1 AND ($2::text IS NULL OR pool_id = $2)"
        ),
        &[&client_id, &pool.map(UserPoolId::as_str)],
    )?;
    row.as_ref().map(client_from_row).transpose()
}

/// Reads an app client by id with its pool: one statement, a join on the pool the foreign
/// key guarantees while the client exists.
pub(crate) fn find_client_pool(
    conn: &mut Conn,
    client_id: &str,
) -> Result<Option<(ClientRecord, PoolRecord)>, Failure> {
    let row = conn.query_opt(
        concat!(
            "SELECT ",
            client_pool_columns!(),
            ", ",
            pool_user_columns!(),
            " FROM clients c JOIN pools p ON p.id = c.pool_id WHERE c.client_id = $1"
        ),
        &[&client_id],
    )?;
    let Some(row) = row else {
        return Ok(None);
    };
    let client = client_from_row_as(&row, "client_name")?;
    let pool = pool_from_row_as(&row, &POOL_STAMPS)?;
    Ok(Some((client, pool)))
}
