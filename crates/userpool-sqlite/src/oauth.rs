//! OAuth records (SPEC §21), run inside the caller's transaction: an app client's OAuth
//! settings (`client_oauth`, `client_oauth_values`), pool domains (`pool_domains`),
//! resource servers and their scopes, identity providers with their details, attribute
//! mapping and identifiers, and authorization codes.
//!
//! Uniqueness is the keys': a domain is the `pool_domains` primary key and its pool a
//! `UNIQUE` column; an identifier is the `idp_identifiers` primary key within its pool.
//! Child rows cascade with their parent, and codes with their user and pool. Keys compare
//! with `BINARY` collation (byte order, Rust's `str` order), so pages come out as the
//! memory store's do.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, Row, named_params};
use userpool_core::UserPoolId;
use userpool_store::{
    AuthorizationCode, ClientOAuth, DomainRecord, IdentityProviderRecord, ResourceServerRecord,
    ResourceServerScope, StoreError,
};

use crate::codec::{self, micros, time};
use crate::error::{Failure, corrupt, delete_keyed, lost_swap, unless_taken};
use crate::{pools, read};

fn position(i: usize, what: &str) -> Result<i64, Failure> {
    i64::try_from(i).map_err(|_| corrupt(format!("{what}: too many entries")))
}

// ---- app clients ------------------------------------------------------------------------

/// The list kinds of `client_oauth_values`, with the field each fills.
const CLIENT_LISTS: [&str; 5] = ["flow", "scope", "callback", "logout", "provider"];

fn client_list<'a>(oauth: &'a ClientOAuth, kind: &str) -> &'a [String] {
    match kind {
        "flow" => &oauth.allowed_flows,
        "scope" => &oauth.allowed_scopes,
        "callback" => &oauth.callback_urls,
        "logout" => &oauth.logout_urls,
        _ => &oauth.supported_identity_providers,
    }
}

fn client_list_mut<'a>(oauth: &'a mut ClientOAuth, kind: &str) -> Option<&'a mut Vec<String>> {
    match kind {
        "flow" => Some(&mut oauth.allowed_flows),
        "scope" => Some(&mut oauth.allowed_scopes),
        "callback" => Some(&mut oauth.callback_urls),
        "logout" => Some(&mut oauth.logout_urls),
        "provider" => Some(&mut oauth.supported_identity_providers),
        _ => None,
    }
}

/// Writes a new client's OAuth settings (its `clients` row exists).
pub(crate) fn write_client(
    conn: &Connection,
    client_id: &str,
    oauth: &ClientOAuth,
) -> Result<(), Failure> {
    conn.prepare_cached(
        "INSERT INTO client_oauth (client_id, allowed_flows_user_pool_client, \
         default_redirect_uri) VALUES (?1, ?2, ?3)",
    )?
    .execute(rusqlite::params![
        client_id,
        oauth.allowed_flows_user_pool_client,
        oauth.default_redirect_uri
    ])?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO client_oauth_values (client_id, kind, position, value) \
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    for kind in CLIENT_LISTS {
        for (i, value) in client_list(oauth, kind).iter().enumerate() {
            insert.execute(rusqlite::params![
                client_id,
                kind,
                position(i, "client_oauth_values")?,
                value
            ])?;
        }
    }
    Ok(())
}

/// A client's OAuth settings; the defaults for a client stored before they existed.
pub(crate) fn read_client(conn: &Connection, client_id: &str) -> Result<ClientOAuth, Failure> {
    let mut oauth = ClientOAuth::default();
    let row = conn
        .prepare_cached(
            "SELECT allowed_flows_user_pool_client, default_redirect_uri \
             FROM client_oauth WHERE client_id = ?1",
        )?
        .query_row([client_id], |row| {
            Ok((row.get::<_, bool>(0)?, row.get::<_, Option<String>>(1)?))
        })
        .optional()?;
    if let Some((allowed, default_redirect_uri)) = row {
        oauth.allowed_flows_user_pool_client = allowed;
        oauth.default_redirect_uri = default_redirect_uri;
    }
    let mut stmt = conn.prepare_cached(
        "SELECT kind, value FROM client_oauth_values WHERE client_id = ?1 \
         ORDER BY kind, position",
    )?;
    let mut rows = stmt.query([client_id])?;
    while let Some(row) = rows.next()? {
        let kind: String = row.get(0)?;
        let list = client_list_mut(&mut oauth, &kind)
            .ok_or_else(|| corrupt("client_oauth_values.kind: unknown kind"))?;
        list.push(row.get(1)?);
    }
    Ok(oauth)
}

// ---- domains ----------------------------------------------------------------------------

const DOMAIN_COLUMNS: &str =
    "domain, pool_id, certificate_arn, managed_login_version, created_at, version";

fn domain_from_row(row: &Row<'_>) -> Result<DomainRecord, Failure> {
    Ok(DomainRecord {
        pool_id: codec::pool_id(&row.get::<_, String>("pool_id")?, "pool_domains.pool_id")?,
        domain: row.get("domain")?,
        certificate_arn: row.get("certificate_arn")?,
        managed_login_version: codec::from_sql_int(
            row.get("managed_login_version")?,
            "pool_domains.managed_login_version",
        )?,
        created_at: time(row.get("created_at")?, "pool_domains.created_at")?,
        version: codec::from_sql_int(row.get("version")?, "pool_domains.version")?,
    })
}

fn domain_where(
    conn: &Connection,
    condition: &str,
    value: &str,
) -> Result<Option<DomainRecord>, Failure> {
    let sql = format!("SELECT {DOMAIN_COLUMNS} FROM pool_domains WHERE {condition}");
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query([value])?;
    match rows.next()? {
        Some(row) => Ok(Some(domain_from_row(row)?)),
        None => Ok(None),
    }
}

/// Inserts a domain at version 1.
pub(crate) fn create_domain(conn: &Connection, domain: &DomainRecord) -> Result<u64, Failure> {
    pools::require(conn, &domain.pool_id)?;
    if domain_where(conn, "domain = ?1", &domain.domain)?.is_some() {
        return Err(StoreError::DomainExists.into());
    }
    if domain_where(conn, "pool_id = ?1", domain.pool_id.as_str())?.is_some() {
        return Err(StoreError::PoolHasDomain.into());
    }
    conn.prepare_cached(&format!(
        "INSERT INTO pool_domains ({DOMAIN_COLUMNS}) VALUES (:domain, :pool_id, \
         :certificate_arn, :managed_login_version, :created_at, 1)"
    ))?
    .execute(named_params! {
        ":domain": domain.domain,
        ":pool_id": domain.pool_id.as_str(),
        ":certificate_arn": domain.certificate_arn,
        ":managed_login_version": i64::from(domain.managed_login_version),
        ":created_at": micros(domain.created_at),
    })?;
    Ok(1)
}

/// The domain of that name.
pub(crate) fn get_domain(conn: &Connection, domain: &str) -> Result<Option<DomainRecord>, Failure> {
    domain_where(conn, "domain = ?1", domain)
}

/// The pool's domain.
pub(crate) fn domain_of_pool(
    conn: &Connection,
    pool: &UserPoolId,
) -> Result<Option<DomainRecord>, Failure> {
    pools::require(conn, pool)?;
    domain_where(conn, "pool_id = ?1", pool.as_str())
}

/// Compare-and-swap of a domain's certificate and managed-login version.
pub(crate) fn update_domain(conn: &Connection, domain: &DomainRecord) -> Result<u64, Failure> {
    pools::require(conn, &domain.pool_id)?;
    let version = codec::to_sql_int(domain.version, "domain version")?;
    let changed = conn
        .prepare_cached(
            "UPDATE pool_domains SET certificate_arn = :certificate_arn, \
             managed_login_version = :managed_login_version, version = version + 1 \
             WHERE domain = :domain AND pool_id = :pool_id AND version = :version",
        )?
        .execute(named_params! {
            ":domain": domain.domain,
            ":pool_id": domain.pool_id.as_str(),
            ":certificate_arn": domain.certificate_arn,
            ":managed_login_version": i64::from(domain.managed_login_version),
            ":version": version,
        })?;
    if changed == 1 {
        return Ok(domain.version + 1);
    }
    Err(lost_swap(
        conn,
        "SELECT version FROM pool_domains WHERE domain = ?1 AND pool_id = ?2",
        [&domain.domain, domain.pool_id.as_str()],
        domain.version,
        "pool_domains.version",
        StoreError::NotFound,
    ))
}

/// Deletes the pool's domain `domain`.
pub(crate) fn delete_domain(
    conn: &Connection,
    pool: &UserPoolId,
    domain: &str,
) -> Result<(), Failure> {
    pools::require(conn, pool)?;
    delete_keyed(
        conn,
        "DELETE FROM pool_domains WHERE domain = ?1 AND pool_id = ?2",
        [domain, pool.as_str()],
        StoreError::NotFound,
    )
}

// ---- resource servers -------------------------------------------------------------------

fn scopes_of(
    conn: &Connection,
    pool: &UserPoolId,
    identifier: &str,
) -> Result<Vec<ResourceServerScope>, Failure> {
    let mut stmt = conn.prepare_cached(
        "SELECT name, description FROM resource_server_scopes \
         WHERE pool_id = ?1 AND identifier = ?2 ORDER BY position",
    )?;
    let scopes = stmt
        .query_map([pool.as_str(), identifier], |row| {
            Ok(ResourceServerScope {
                name: row.get(0)?,
                description: row.get(1)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(scopes)
}

fn write_scopes(conn: &Connection, server: &ResourceServerRecord) -> Result<(), Failure> {
    conn.prepare_cached(
        "DELETE FROM resource_server_scopes WHERE pool_id = ?1 AND identifier = ?2",
    )?
    .execute([server.pool_id.as_str(), &server.identifier])?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO resource_server_scopes (pool_id, identifier, position, name, description) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (i, scope) in server.scopes.iter().enumerate() {
        insert.execute(rusqlite::params![
            server.pool_id.as_str(),
            server.identifier,
            position(i, "resource_server_scopes")?,
            scope.name,
            scope.description
        ])?;
    }
    Ok(())
}

fn servers_where(
    conn: &Connection,
    pool: &UserPoolId,
    condition: &str,
    params: &[&dyn rusqlite::ToSql],
) -> Result<Vec<ResourceServerRecord>, Failure> {
    let sql = format!(
        "SELECT identifier, name, version FROM resource_servers WHERE pool_id = ?1 AND \
         {condition}"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params)?;
    let mut found = Vec::new();
    while let Some(row) = rows.next()? {
        found.push((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, i64>(2)?,
        ));
    }
    found
        .into_iter()
        .map(|(identifier, name, version)| {
            Ok(ResourceServerRecord {
                pool_id: pool.clone(),
                scopes: scopes_of(conn, pool, &identifier)?,
                identifier,
                name,
                version: codec::from_sql_int(version, "resource_servers.version")?,
            })
        })
        .collect()
}

/// Inserts a resource server at version 1 with its scopes.
pub(crate) fn create_resource_server(
    conn: &Connection,
    server: &ResourceServerRecord,
) -> Result<u64, Failure> {
    pools::require(conn, &server.pool_id)?;
    let result = conn
        .prepare_cached(
            "INSERT INTO resource_servers (pool_id, identifier, name, version) \
             VALUES (?1, ?2, ?3, 1)",
        )?
        .execute(rusqlite::params![
            server.pool_id.as_str(),
            server.identifier,
            server.name
        ]);
    unless_taken(result, StoreError::ResourceServerExists)?;
    write_scopes(conn, server)?;
    Ok(1)
}

/// A resource server of a pool.
pub(crate) fn get_resource_server(
    conn: &Connection,
    pool: &UserPoolId,
    identifier: &str,
) -> Result<Option<ResourceServerRecord>, Failure> {
    pools::require(conn, pool)?;
    Ok(servers_where(
        conn,
        pool,
        "identifier = ?2",
        &[&pool.as_str(), &identifier],
    )?
    .into_iter()
    .next())
}

/// A page of a pool's resource servers by identifier.
pub(crate) fn list_resource_servers(
    conn: &Connection,
    pool: &UserPoolId,
    after: Option<&str>,
    limit: usize,
) -> Result<Vec<ResourceServerRecord>, Failure> {
    pools::require(conn, pool)?;
    servers_where(
        conn,
        pool,
        "(?2 IS NULL OR identifier > ?2) ORDER BY identifier LIMIT ?3",
        &[&pool.as_str(), &after, &codec::sql_limit(limit)],
    )
}

/// Compare-and-swap of a resource server's name and scopes.
pub(crate) fn update_resource_server(
    conn: &Connection,
    server: &ResourceServerRecord,
) -> Result<u64, Failure> {
    pools::require(conn, &server.pool_id)?;
    let version = codec::to_sql_int(server.version, "resource server version")?;
    let changed = conn
        .prepare_cached(
            "UPDATE resource_servers SET name = ?4, version = version + 1 \
             WHERE pool_id = ?1 AND identifier = ?2 AND version = ?3",
        )?
        .execute(rusqlite::params![
            server.pool_id.as_str(),
            server.identifier,
            version,
            server.name
        ])?;
    if changed == 1 {
        write_scopes(conn, server)?;
        return Ok(server.version + 1);
    }
    Err(lost_swap(
        conn,
        "SELECT version FROM resource_servers WHERE pool_id = ?1 AND identifier = ?2",
        [server.pool_id.as_str(), &server.identifier],
        server.version,
        "resource_servers.version",
        StoreError::NotFound,
    ))
}

/// Deletes a resource server (its scopes cascade).
pub(crate) fn delete_resource_server(
    conn: &Connection,
    pool: &UserPoolId,
    identifier: &str,
) -> Result<(), Failure> {
    pools::require(conn, pool)?;
    delete_keyed(
        conn,
        "DELETE FROM resource_servers WHERE pool_id = ?1 AND identifier = ?2",
        [pool.as_str(), identifier],
        StoreError::NotFound,
    )
}

// ---- identity providers -----------------------------------------------------------------

/// A provider's details, attribute mapping and identifiers.
type ProviderEntries = (
    BTreeMap<String, String>,
    BTreeMap<String, String>,
    Vec<String>,
);

fn provider_entries(
    conn: &Connection,
    pool: &UserPoolId,
    name: &str,
) -> Result<ProviderEntries, Failure> {
    let mut details = BTreeMap::new();
    let mut mapping = BTreeMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT kind, key, value FROM identity_provider_entries \
         WHERE pool_id = ?1 AND provider_name = ?2",
    )?;
    let mut rows = stmt.query([pool.as_str(), name])?;
    while let Some(row) = rows.next()? {
        let kind: String = row.get(0)?;
        let target = match kind.as_str() {
            "detail" => &mut details,
            "mapping" => &mut mapping,
            _ => return Err(corrupt("identity_provider_entries.kind: unknown kind")),
        };
        target.insert(row.get(1)?, row.get(2)?);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT identifier FROM idp_identifiers WHERE pool_id = ?1 AND provider_name = ?2 \
         ORDER BY position",
    )?;
    let identifiers = stmt
        .query_map([pool.as_str(), name], |row| row.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok((details, mapping, identifiers))
}

/// Replaces a provider's details, mapping and identifiers.
fn write_provider_entries(
    conn: &Connection,
    provider: &IdentityProviderRecord,
) -> Result<(), Failure> {
    let (pool, name) = (provider.pool_id.as_str(), provider.provider_name.as_str());
    conn.prepare_cached(
        "DELETE FROM identity_provider_entries WHERE pool_id = ?1 AND provider_name = ?2",
    )?
    .execute([pool, name])?;
    conn.prepare_cached("DELETE FROM idp_identifiers WHERE pool_id = ?1 AND provider_name = ?2")?
        .execute([pool, name])?;
    let mut entry = conn.prepare_cached(
        "INSERT INTO identity_provider_entries (pool_id, provider_name, kind, key, value) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (kind, map) in [
        ("detail", &provider.provider_details),
        ("mapping", &provider.attribute_mapping),
    ] {
        for (key, value) in map {
            entry.execute(rusqlite::params![pool, name, kind, key, value])?;
        }
    }
    let mut identifier = conn.prepare_cached(
        "INSERT INTO idp_identifiers (pool_id, identifier, provider_name, position) \
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (i, id) in provider.idp_identifiers.iter().enumerate() {
        let result = identifier.execute(rusqlite::params![
            pool,
            id,
            name,
            position(i, "idp_identifiers")?
        ]);
        unless_taken(result, StoreError::IdpIdentifierExists)?;
    }
    Ok(())
}

fn providers_where(
    conn: &Connection,
    pool: &UserPoolId,
    condition: &str,
    params: &[&dyn rusqlite::ToSql],
) -> Result<Vec<IdentityProviderRecord>, Failure> {
    let sql = format!(
        "SELECT provider_name, provider_type, created_at, modified_at, version \
         FROM identity_providers WHERE pool_id = ?1 AND {condition}"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params)?;
    let mut found = Vec::new();
    while let Some(row) = rows.next()? {
        found.push((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, i64>(2)?,
            row.get::<_, i64>(3)?,
            row.get::<_, i64>(4)?,
        ));
    }
    found
        .into_iter()
        .map(|(name, provider_type, created, modified, version)| {
            let (provider_details, attribute_mapping, idp_identifiers) =
                provider_entries(conn, pool, &name)?;
            Ok(IdentityProviderRecord {
                pool_id: pool.clone(),
                provider_name: name,
                provider_type,
                provider_details,
                attribute_mapping,
                idp_identifiers,
                created_at: time(created, "identity_providers.created_at")?,
                modified_at: time(modified, "identity_providers.modified_at")?,
                version: codec::from_sql_int(version, "identity_providers.version")?,
            })
        })
        .collect()
}

/// Inserts an identity provider at version 1 with its entries. The caller's transaction
/// rolls back on any error, so a refused identifier leaves nothing behind.
pub(crate) fn create_identity_provider(
    conn: &Connection,
    provider: &IdentityProviderRecord,
) -> Result<u64, Failure> {
    pools::require(conn, &provider.pool_id)?;
    let result = conn
        .prepare_cached(
            "INSERT INTO identity_providers (pool_id, provider_name, provider_type, \
             created_at, modified_at, version) VALUES (?1, ?2, ?3, ?4, ?5, 1)",
        )?
        .execute(rusqlite::params![
            provider.pool_id.as_str(),
            provider.provider_name,
            provider.provider_type,
            micros(provider.created_at),
            micros(provider.modified_at)
        ]);
    unless_taken(result, StoreError::IdentityProviderExists)?;
    write_provider_entries(conn, provider)?;
    Ok(1)
}

/// An identity provider by name.
pub(crate) fn get_identity_provider(
    conn: &Connection,
    pool: &UserPoolId,
    name: &str,
) -> Result<Option<IdentityProviderRecord>, Failure> {
    pools::require(conn, pool)?;
    Ok(
        providers_where(conn, pool, "provider_name = ?2", &[&pool.as_str(), &name])?
            .into_iter()
            .next(),
    )
}

/// The identity provider owning `identifier`.
pub(crate) fn find_identity_provider_by_identifier(
    conn: &Connection,
    pool: &UserPoolId,
    identifier: &str,
) -> Result<Option<IdentityProviderRecord>, Failure> {
    pools::require(conn, pool)?;
    Ok(providers_where(
        conn,
        pool,
        "provider_name = (SELECT provider_name FROM idp_identifiers \
         WHERE pool_id = ?1 AND identifier = ?2)",
        &[&pool.as_str(), &identifier],
    )?
    .into_iter()
    .next())
}

/// A page of a pool's identity providers by name.
pub(crate) fn list_identity_providers(
    conn: &Connection,
    pool: &UserPoolId,
    after: Option<&str>,
    limit: usize,
) -> Result<Vec<IdentityProviderRecord>, Failure> {
    pools::require(conn, pool)?;
    providers_where(
        conn,
        pool,
        "(?2 IS NULL OR provider_name > ?2) ORDER BY provider_name LIMIT ?3",
        &[&pool.as_str(), &after, &codec::sql_limit(limit)],
    )
}

/// Compare-and-swap of a provider's entries and modification time.
pub(crate) fn update_identity_provider(
    conn: &Connection,
    provider: &IdentityProviderRecord,
) -> Result<u64, Failure> {
    pools::require(conn, &provider.pool_id)?;
    let version = codec::to_sql_int(provider.version, "identity provider version")?;
    let changed = conn
        .prepare_cached(
            "UPDATE identity_providers SET modified_at = ?4, version = version + 1 \
             WHERE pool_id = ?1 AND provider_name = ?2 AND version = ?3",
        )?
        .execute(rusqlite::params![
            provider.pool_id.as_str(),
            provider.provider_name,
            version,
            micros(provider.modified_at)
        ])?;
    if changed == 1 {
        write_provider_entries(conn, provider)?;
        return Ok(provider.version + 1);
    }
    Err(lost_swap(
        conn,
        "SELECT version FROM identity_providers WHERE pool_id = ?1 AND provider_name = ?2",
        [provider.pool_id.as_str(), &provider.provider_name],
        provider.version,
        "identity_providers.version",
        StoreError::NotFound,
    ))
}

/// Deletes an identity provider (its entries and identifiers cascade).
pub(crate) fn delete_identity_provider(
    conn: &Connection,
    pool: &UserPoolId,
    name: &str,
) -> Result<(), Failure> {
    pools::require(conn, pool)?;
    delete_keyed(
        conn,
        "DELETE FROM identity_providers WHERE pool_id = ?1 AND provider_name = ?2",
        [pool.as_str(), name],
        StoreError::NotFound,
    )
}

// ---- authorization codes ----------------------------------------------------------------

/// Inserts a code after forgetting the pool's expired ones. Scopes are stored joined by
/// spaces: an OAuth scope token never contains one (RFC 6749 §3.3).
pub(crate) fn insert_code(conn: &Connection, code: &AuthorizationCode) -> Result<(), Failure> {
    pools::require(conn, &code.pool_id)?;
    let sub = codec::sub_text(code.sub);
    read::require_sub(conn, &code.pool_id, &sub)?;
    conn.prepare_cached("DELETE FROM authorization_codes WHERE pool_id = ?1 AND expires_at <= ?2")?
        .execute(rusqlite::params![
            code.pool_id.as_str(),
            micros(code.issued_at)
        ])?;
    let result = conn
        .prepare_cached(
            "INSERT INTO authorization_codes (pool_id, code_digest, client_id, sub, \
             redirect_uri, scopes, code_challenge, nonce, auth_time, issued_at, expires_at) \
             VALUES (:pool_id, :code_digest, :client_id, :sub, :redirect_uri, :scopes, \
             :code_challenge, :nonce, :auth_time, :issued_at, :expires_at)",
        )?
        .execute(named_params! {
            ":pool_id": code.pool_id.as_str(),
            ":code_digest": code.code_digest.as_slice(),
            ":client_id": code.client_id,
            ":sub": sub,
            ":redirect_uri": code.redirect_uri,
            ":scopes": code.scopes.join(" "),
            ":code_challenge": code.code_challenge,
            ":nonce": code.nonce,
            ":auth_time": micros(code.auth_time),
            ":issued_at": micros(code.issued_at),
            ":expires_at": micros(code.expires_at),
        });
    unless_taken(result, StoreError::AuthorizationCodeExists)?;
    Ok(())
}

/// Reads and deletes a code, in the caller's write transaction.
pub(crate) fn take_code(
    conn: &Connection,
    pool: &UserPoolId,
    digest: &[u8; 32],
) -> Result<Option<AuthorizationCode>, Failure> {
    pools::require(conn, pool)?;
    let mut stmt = conn.prepare_cached(
        "DELETE FROM authorization_codes WHERE pool_id = ?1 AND code_digest = ?2 \
         RETURNING client_id, sub, redirect_uri, scopes, code_challenge, nonce, auth_time, \
         issued_at, expires_at",
    )?;
    let mut rows = stmt.query(rusqlite::params![pool.as_str(), digest.as_slice()])?;
    let Some(row) = rows.next()? else {
        return Ok(None);
    };
    let scopes: String = row.get(3)?;
    let sub: String = row.get(1)?;
    let code = AuthorizationCode {
        pool_id: pool.clone(),
        code_digest: *digest,
        client_id: row.get(0)?,
        sub: codec::uuid(&sub, "authorization_codes.sub")?,
        redirect_uri: row.get(2)?,
        scopes: scopes
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        code_challenge: row.get(4)?,
        nonce: row.get(5)?,
        auth_time: time(row.get(6)?, "authorization_codes.auth_time")?,
        issued_at: time(row.get(7)?, "authorization_codes.issued_at")?,
        expires_at: time(row.get(8)?, "authorization_codes.expires_at")?,
    };
    drop(rows);
    Ok(Some(code))
}
