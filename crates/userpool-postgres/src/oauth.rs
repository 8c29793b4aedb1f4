//! OAuth records (SPEC §21), run inside the caller's transaction: pool domains
//! (`pool_domains`), resource servers (their scopes two arrays in the row), identity
//! providers (details and attribute mapping two arrays each, identifiers an array, each
//! identifier also a row of `idp_identifiers` for its uniqueness) and authorization codes.
//! An app client's OAuth settings are columns of `clients` (see `pools`).
//!
//! Uniqueness is the constraints' (`pool_domains_pkey`, `pool_domains_pool_unique`,
//! `resource_servers_pkey`, `identity_providers_pkey`, `idp_identifiers_pkey`,
//! `authorization_codes_pkey`), told apart by name. Rows cascade with their pool, codes
//! also with their user. Keys whose order is listed are `COLLATE "C"` (byte order, Rust's
//! `str` order), so pages come out as the memory store's do.

use std::collections::BTreeMap;

use postgres::Row;
use postgres::error::SqlState;
use userpool_core::UserPoolId;
use userpool_store::{
    AuthorizationCode, DomainRecord, IdentityProviderRecord, ResourceServerRecord,
    ResourceServerScope, StoreError,
};

use crate::codec::{self, from_sql_int, micros, time, to_sql_int};
use crate::connection::Conn;
use crate::error::{Failure, corrupt, delete_keyed, lost_swap, unique_violation, unless_taken};
use crate::pools::{self, get};

// ---- domains ----------------------------------------------------------------------------

macro_rules! domain_columns {
    () => {
        "domain, pool_id, certificate_arn, managed_login_version, created_at, version"
    };
}

fn domain_from_row(row: &Row) -> Result<DomainRecord, Failure> {
    Ok(DomainRecord {
        pool_id: codec::pool_id(get(row, "pool_id")?, "pool_domains.pool_id")?,
        domain: get(row, "domain")?,
        certificate_arn: get(row, "certificate_arn")?,
        managed_login_version: from_sql_int(
            get(row, "managed_login_version")?,
            "pool_domains.managed_login_version",
        )?,
        created_at: time(get(row, "created_at")?, "pool_domains.created_at")?,
        version: from_sql_int(get(row, "version")?, "pool_domains.version")?,
    })
}

/// Inserts a domain at version 1.
pub(crate) fn create_domain(conn: &mut Conn, domain: &DomainRecord) -> Result<u64, Failure> {
    pools::require_exists(conn, &domain.pool_id)?;
    // Checked in the order the contract gives (a taken name first); the constraints
    // decide between concurrent writers.
    if get_domain(conn, &domain.domain)?.is_some() {
        return Err(StoreError::DomainExists.into());
    }
    if conn
        .query_opt(
            "SELECT 1 FROM pool_domains WHERE pool_id = $1",
            &[&domain.pool_id.as_str()],
        )?
        .is_some()
    {
        return Err(StoreError::PoolHasDomain.into());
    }
    let result = conn.execute_raw(
        concat!(
            "INSERT INTO pool_domains (",
            domain_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, 1)"
        ),
        &[
            &domain.domain,
            &domain.pool_id.as_str(),
            &domain.certificate_arn,
            &i64::from(domain.managed_login_version),
            &micros(domain.created_at),
        ],
    );
    match result {
        Ok(_) => Ok(1),
        Err(e) => Err(match unique_violation(&e) {
            Some("pool_domains_pkey") => StoreError::DomainExists.into(),
            Some("pool_domains_pool_unique") => StoreError::PoolHasDomain.into(),
            _ if e.code() == Some(&SqlState::FOREIGN_KEY_VIOLATION) => {
                StoreError::PoolNotFound(domain.pool_id.as_str().to_owned()).into()
            }
            _ => e.into(),
        }),
    }
}

/// The domain of that name.
pub(crate) fn get_domain(conn: &mut Conn, domain: &str) -> Result<Option<DomainRecord>, Failure> {
    conn.query_opt(
        concat!(
            "SELECT ",
            domain_columns!(),
            " FROM pool_domains WHERE domain = $1"
        ),
        &[&domain],
    )?
    .as_ref()
    .map(domain_from_row)
    .transpose()
}

/// The pool's domain.
pub(crate) fn domain_of_pool(
    conn: &mut Conn,
    pool: &UserPoolId,
) -> Result<Option<DomainRecord>, Failure> {
    pools::require_exists(conn, pool)?;
    conn.query_opt(
        concat!(
            "SELECT ",
            domain_columns!(),
            " FROM pool_domains WHERE pool_id = $1"
        ),
        &[&pool.as_str()],
    )?
    .as_ref()
    .map(domain_from_row)
    .transpose()
}

/// Compare-and-swap of a domain's certificate and managed-login version.
pub(crate) fn update_domain(conn: &mut Conn, domain: &DomainRecord) -> Result<u64, Failure> {
    pools::require_exists(conn, &domain.pool_id)?;
    let next = codec::next_version(domain.version, "pool_domains.version")?;
    let changed = conn.execute(
        "UPDATE pool_domains SET certificate_arn = $3, managed_login_version = $4, \
         version = $5 WHERE domain = $1 AND pool_id = $2 AND version = $6",
        &[
            &domain.domain,
            &domain.pool_id.as_str(),
            &domain.certificate_arn,
            &i64::from(domain.managed_login_version),
            &to_sql_int(next, "pool_domains.version")?,
            &to_sql_int(domain.version, "pool_domains.version")?,
        ],
    )?;
    if changed == 1 {
        return Ok(next);
    }
    Err(lost_swap(
        conn,
        "SELECT version FROM pool_domains WHERE domain = $1 AND pool_id = $2",
        [&domain.domain, domain.pool_id.as_str()],
        domain.version,
        "pool_domains.version",
        StoreError::NotFound,
    ))
}

/// Deletes the pool's domain `domain`.
pub(crate) fn delete_domain(
    conn: &mut Conn,
    pool: &UserPoolId,
    domain: &str,
) -> Result<(), Failure> {
    pools::require_exists(conn, pool)?;
    delete_keyed(
        conn,
        "DELETE FROM pool_domains WHERE domain = $1 AND pool_id = $2",
        [domain, pool.as_str()],
        StoreError::NotFound,
    )
}

// ---- resource servers -------------------------------------------------------------------

macro_rules! server_columns {
    () => {
        "pool_id, identifier, name, scope_names, scope_descriptions, version"
    };
}

fn server_from_row(row: &Row) -> Result<ResourceServerRecord, Failure> {
    let names: Vec<String> = get(row, "scope_names")?;
    let descriptions: Vec<String> = get(row, "scope_descriptions")?;
    if names.len() != descriptions.len() {
        return Err(corrupt(
            "resource_servers.scope_*: names and descriptions differ in number",
        ));
    }
    Ok(ResourceServerRecord {
        pool_id: codec::pool_id(get(row, "pool_id")?, "resource_servers.pool_id")?,
        identifier: get(row, "identifier")?,
        name: get(row, "name")?,
        scopes: names
            .into_iter()
            .zip(descriptions)
            .map(|(name, description)| ResourceServerScope { name, description })
            .collect(),
        version: from_sql_int(get(row, "version")?, "resource_servers.version")?,
    })
}

fn scope_arrays(server: &ResourceServerRecord) -> (Vec<&str>, Vec<&str>) {
    server
        .scopes
        .iter()
        .map(|s| (s.name.as_str(), s.description.as_str()))
        .unzip()
}

/// Inserts a resource server at version 1 with its scopes.
pub(crate) fn create_resource_server(
    conn: &mut Conn,
    server: &ResourceServerRecord,
) -> Result<u64, Failure> {
    pools::require_exists(conn, &server.pool_id)?;
    let (names, descriptions) = scope_arrays(server);
    let result = conn.execute_raw(
        concat!(
            "INSERT INTO resource_servers (",
            server_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, 1)"
        ),
        &[
            &server.pool_id.as_str(),
            &server.identifier,
            &server.name,
            &names,
            &descriptions,
        ],
    );
    unless_taken(
        result,
        "resource_servers_pkey",
        StoreError::ResourceServerExists,
        Some(StoreError::PoolNotFound(server.pool_id.as_str().to_owned())),
    )?;
    Ok(1)
}

/// A resource server of a pool.
pub(crate) fn get_resource_server(
    conn: &mut Conn,
    pool: &UserPoolId,
    identifier: &str,
) -> Result<Option<ResourceServerRecord>, Failure> {
    pools::require_exists(conn, pool)?;
    conn.query_opt(
        concat!(
            "SELECT ",
            server_columns!(),
            " FROM resource_servers WHERE pool_id = $1 AND identifier = $2"
        ),
        &[&pool.as_str(), &identifier],
    )?
    .as_ref()
    .map(server_from_row)
    .transpose()
}

/// A page of a pool's resource servers by identifier.
pub(crate) fn list_resource_servers(
    conn: &mut Conn,
    pool: &UserPoolId,
    after: Option<&str>,
    limit: usize,
) -> Result<Vec<ResourceServerRecord>, Failure> {
    pools::require_exists(conn, pool)?;
    conn.query(
        concat!(
            "SELECT ",
            server_columns!(),
            " FROM resource_servers WHERE pool_id = $1 \
             AND ($2::text IS NULL OR identifier > $2) ORDER BY identifier LIMIT $3"
        ),
        &[&pool.as_str(), &after, &codec::sql_limit(limit)],
    )?
    .iter()
    .map(server_from_row)
    .collect()
}

/// Compare-and-swap of a resource server's name and scopes.
pub(crate) fn update_resource_server(
    conn: &mut Conn,
    server: &ResourceServerRecord,
) -> Result<u64, Failure> {
    pools::require_exists(conn, &server.pool_id)?;
    let next = codec::next_version(server.version, "resource_servers.version")?;
    let (names, descriptions) = scope_arrays(server);
    let changed = conn.execute(
        "UPDATE resource_servers SET name = $3, scope_names = $4, scope_descriptions = $5, \
         version = $6 WHERE pool_id = $1 AND identifier = $2 AND version = $7",
        &[
            &server.pool_id.as_str(),
            &server.identifier,
            &server.name,
            &names,
            &descriptions,
            &to_sql_int(next, "resource_servers.version")?,
            &to_sql_int(server.version, "resource_servers.version")?,
        ],
    )?;
    if changed == 1 {
        return Ok(next);
    }
    Err(lost_swap(
        conn,
        "SELECT version FROM resource_servers WHERE pool_id = $1 AND identifier = $2",
        [server.pool_id.as_str(), &server.identifier],
        server.version,
        "resource_servers.version",
        StoreError::NotFound,
    ))
}

/// Deletes a resource server.
pub(crate) fn delete_resource_server(
    conn: &mut Conn,
    pool: &UserPoolId,
    identifier: &str,
) -> Result<(), Failure> {
    pools::require_exists(conn, pool)?;
    delete_keyed(
        conn,
        "DELETE FROM resource_servers WHERE pool_id = $1 AND identifier = $2",
        [pool.as_str(), identifier],
        StoreError::NotFound,
    )
}

// ---- identity providers -----------------------------------------------------------------

macro_rules! provider_columns {
    () => {
        "p.pool_id, p.provider_name, p.provider_type, p.detail_keys, p.detail_values, \
         p.mapping_keys, p.mapping_values, p.idp_identifiers, p.created_at, p.modified_at, \
         p.version"
    };
}

fn map_from(row: &Row, keys: &str, values: &str) -> Result<BTreeMap<String, String>, Failure> {
    let keys: Vec<String> = get(row, keys)?;
    let values: Vec<String> = get(row, values)?;
    if keys.len() != values.len() {
        return Err(corrupt(
            "identity_providers: keys and values differ in number",
        ));
    }
    Ok(keys.into_iter().zip(values).collect())
}

fn provider_from_row(row: &Row) -> Result<IdentityProviderRecord, Failure> {
    Ok(IdentityProviderRecord {
        pool_id: codec::pool_id(get(row, "pool_id")?, "identity_providers.pool_id")?,
        provider_name: get(row, "provider_name")?,
        provider_type: get(row, "provider_type")?,
        provider_details: map_from(row, "detail_keys", "detail_values")?,
        attribute_mapping: map_from(row, "mapping_keys", "mapping_values")?,
        idp_identifiers: get(row, "idp_identifiers")?,
        created_at: time(get(row, "created_at")?, "identity_providers.created_at")?,
        modified_at: time(get(row, "modified_at")?, "identity_providers.modified_at")?,
        version: from_sql_int(get(row, "version")?, "identity_providers.version")?,
    })
}

fn map_arrays(map: &BTreeMap<String, String>) -> (Vec<&str>, Vec<&str>) {
    map.iter().map(|(k, v)| (k.as_str(), v.as_str())).unzip()
}

/// Replaces the `idp_identifiers` rows of a provider (its row exists). A violation of
/// `idp_identifiers_pkey` (another provider's identifier, or one listed twice) aborts
/// the transaction: nothing of the write stays.
fn write_identifiers(conn: &mut Conn, provider: &IdentityProviderRecord) -> Result<(), Failure> {
    let (pool, name) = (provider.pool_id.as_str(), provider.provider_name.as_str());
    conn.execute(
        "DELETE FROM idp_identifiers WHERE pool_id = $1 AND provider_name = $2",
        &[&pool, &name],
    )?;
    for identifier in &provider.idp_identifiers {
        let result = conn.execute_raw(
            "INSERT INTO idp_identifiers (pool_id, identifier, provider_name) \
             VALUES ($1, $2, $3)",
            &[&pool, identifier, &name],
        );
        unless_taken(
            result,
            "idp_identifiers_pkey",
            StoreError::IdpIdentifierExists,
            None,
        )?;
    }
    Ok(())
}

/// Inserts an identity provider at version 1 with its identifiers.
pub(crate) fn create_identity_provider(
    conn: &mut Conn,
    provider: &IdentityProviderRecord,
) -> Result<u64, Failure> {
    pools::require_exists(conn, &provider.pool_id)?;
    let (detail_keys, detail_values) = map_arrays(&provider.provider_details);
    let (mapping_keys, mapping_values) = map_arrays(&provider.attribute_mapping);
    let result = conn.execute_raw(
        "INSERT INTO identity_providers (pool_id, provider_name, provider_type, detail_keys, \
         detail_values, mapping_keys, mapping_values, idp_identifiers, created_at, \
         modified_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1)",
        &[
            &provider.pool_id.as_str(),
            &provider.provider_name,
            &provider.provider_type,
            &detail_keys,
            &detail_values,
            &mapping_keys,
            &mapping_values,
            &provider.idp_identifiers,
            &micros(provider.created_at),
            &micros(provider.modified_at),
        ],
    );
    unless_taken(
        result,
        "identity_providers_pkey",
        StoreError::IdentityProviderExists,
        Some(StoreError::PoolNotFound(
            provider.pool_id.as_str().to_owned(),
        )),
    )?;
    write_identifiers(conn, provider)?;
    Ok(1)
}

/// An identity provider by name.
pub(crate) fn get_identity_provider(
    conn: &mut Conn,
    pool: &UserPoolId,
    name: &str,
) -> Result<Option<IdentityProviderRecord>, Failure> {
    pools::require_exists(conn, pool)?;
    conn.query_opt(
        concat!(
            "SELECT ",
            provider_columns!(),
            " FROM identity_providers p WHERE p.pool_id = $1 AND p.provider_name = $2"
        ),
        &[&pool.as_str(), &name],
    )?
    .as_ref()
    .map(provider_from_row)
    .transpose()
}

/// The identity provider owning `identifier`, in one statement.
pub(crate) fn find_identity_provider_by_identifier(
    conn: &mut Conn,
    pool: &UserPoolId,
    identifier: &str,
) -> Result<Option<IdentityProviderRecord>, Failure> {
    pools::require_exists(conn, pool)?;
    conn.query_opt(
        concat!(
            "SELECT ",
            provider_columns!(),
            " FROM idp_identifiers i JOIN identity_providers p \
             ON p.pool_id = i.pool_id AND p.provider_name = i.provider_name \
             WHERE i.pool_id = $1 AND i.identifier = $2"
        ),
        &[&pool.as_str(), &identifier],
    )?
    .as_ref()
    .map(provider_from_row)
    .transpose()
}

/// A page of a pool's identity providers by name.
pub(crate) fn list_identity_providers(
    conn: &mut Conn,
    pool: &UserPoolId,
    after: Option<&str>,
    limit: usize,
) -> Result<Vec<IdentityProviderRecord>, Failure> {
    pools::require_exists(conn, pool)?;
    conn.query(
        concat!(
            "SELECT ",
            provider_columns!(),
            " FROM identity_providers p WHERE p.pool_id = $1 \
             AND ($2::text IS NULL OR p.provider_name > $2) ORDER BY p.provider_name LIMIT $3"
        ),
        &[&pool.as_str(), &after, &codec::sql_limit(limit)],
    )?
    .iter()
    .map(provider_from_row)
    .collect()
}

/// Compare-and-swap of a provider's details, mapping, identifiers and modification time.
pub(crate) fn update_identity_provider(
    conn: &mut Conn,
    provider: &IdentityProviderRecord,
) -> Result<u64, Failure> {
    pools::require_exists(conn, &provider.pool_id)?;
    let next = codec::next_version(provider.version, "identity_providers.version")?;
    let (detail_keys, detail_values) = map_arrays(&provider.provider_details);
    let (mapping_keys, mapping_values) = map_arrays(&provider.attribute_mapping);
    let changed = conn.execute(
        "UPDATE identity_providers SET detail_keys = $3, detail_values = $4, \
         mapping_keys = $5, mapping_values = $6, idp_identifiers = $7, modified_at = $8, \
         version = $9 WHERE pool_id = $1 AND provider_name = $2 AND version = $10",
        &[
            &provider.pool_id.as_str(),
            &provider.provider_name,
            &detail_keys,
            &detail_values,
            &mapping_keys,
            &mapping_values,
            &provider.idp_identifiers,
            &micros(provider.modified_at),
            &to_sql_int(next, "identity_providers.version")?,
            &to_sql_int(provider.version, "identity_providers.version")?,
        ],
    )?;
    if changed == 1 {
        write_identifiers(conn, provider)?;
        return Ok(next);
    }
    Err(lost_swap(
        conn,
        "SELECT version FROM identity_providers WHERE pool_id = $1 AND provider_name = $2",
        [provider.pool_id.as_str(), &provider.provider_name],
        provider.version,
        "identity_providers.version",
        StoreError::NotFound,
    ))
}

/// Deletes an identity provider (its identifiers cascade).
pub(crate) fn delete_identity_provider(
    conn: &mut Conn,
    pool: &UserPoolId,
    name: &str,
) -> Result<(), Failure> {
    pools::require_exists(conn, pool)?;
    delete_keyed(
        conn,
        "DELETE FROM identity_providers WHERE pool_id = $1 AND provider_name = $2",
        [pool.as_str(), name],
        StoreError::NotFound,
    )
}

// ---- authorization codes ----------------------------------------------------------------

/// Inserts a code after forgetting the pool's codes expired at its issue time.
pub(crate) fn insert_code(conn: &mut Conn, code: &AuthorizationCode) -> Result<(), Failure> {
    pools::require_exists(conn, &code.pool_id)?;
    let pool = code.pool_id.as_str();
    let sub = codec::sub_text(code.sub);
    crate::users::require_sub(conn, &code.pool_id, &sub)?;
    conn.execute(
        "DELETE FROM authorization_codes WHERE pool_id = $1 AND expires_at <= $2",
        &[&pool, &micros(code.issued_at)],
    )?;
    let result = conn.execute_raw(
        "INSERT INTO authorization_codes (pool_id, code_digest, client_id, sub, redirect_uri, \
         scopes, code_challenge, nonce, auth_time, issued_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        &[
            &pool,
            &code.code_digest.as_slice(),
            &code.client_id,
            &sub,
            &code.redirect_uri,
            &code.scopes,
            &code.code_challenge,
            &code.nonce,
            &micros(code.auth_time),
            &micros(code.issued_at),
            &micros(code.expires_at),
        ],
    );
    // A foreign-key violation: the user was deleted since it was looked at.
    unless_taken(
        result,
        "authorization_codes_pkey",
        StoreError::AuthorizationCodeExists,
        Some(StoreError::NotFound),
    )?;
    Ok(())
}

/// Removes and returns a code: `DELETE ... RETURNING` takes the row lock, so of
/// transactions racing with one code, one deletes it and the others (re-checking the row
/// after it committed) find none.
pub(crate) fn take_code(
    conn: &mut Conn,
    pool: &UserPoolId,
    digest: &[u8; 32],
) -> Result<Option<AuthorizationCode>, Failure> {
    pools::require_exists(conn, pool)?;
    let Some(row) = conn.query_opt(
        "DELETE FROM authorization_codes WHERE pool_id = $1 AND code_digest = $2 \
         RETURNING client_id, sub, redirect_uri, scopes, code_challenge, nonce, auth_time, \
         issued_at, expires_at",
        &[&pool.as_str(), &digest.as_slice()],
    )?
    else {
        return Ok(None);
    };
    Ok(Some(AuthorizationCode {
        pool_id: pool.clone(),
        code_digest: *digest,
        client_id: get(&row, "client_id")?,
        sub: codec::uuid(get(&row, "sub")?, "authorization_codes.sub")?,
        redirect_uri: get(&row, "redirect_uri")?,
        scopes: get(&row, "scopes")?,
        code_challenge: get(&row, "code_challenge")?,
        nonce: get(&row, "nonce")?,
        auth_time: time(get(&row, "auth_time")?, "authorization_codes.auth_time")?,
        issued_at: time(get(&row, "issued_at")?, "authorization_codes.issued_at")?,
        expires_at: time(get(&row, "expires_at")?, "authorization_codes.expires_at")?,
    }))
}
