//! The PostgreSQL [`Store`] for userpool (SPEC §20): pools (with their MFA configuration,
//! attribute schema and settings), app clients (with their OAuth settings), users (with
//! their MFA and SRP state), groups, token storage, and the OAuth records of SPEC §21
//! (domains, resource servers, identity providers, authorization codes) in a PostgreSQL
//! (14 or newer) database that several server instances share.
//!
//! # Example
//!
//! ```no_run
//! use userpool_postgres::{PostgresOptions, PostgresStore};
//! use userpool_store::Store;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // Connects, migrates the schema to the newest version (once, whoever starts first).
//! let store = PostgresStore::open_with(
//!     "postgres://userpool:secret@db.internal/userpool",
//!     &PostgresOptions::default().pool_size(16).ca_file("/etc/userpool/db-ca.pem"),
//! )?;
//! assert!(store.list_pools()?.is_empty());
//! # Ok(()) }
//! ```
//!
//! # Threads: never on an async worker
//!
//! The maintained `postgres` client is synchronous: each connection owns a small tokio
//! runtime of its own, and blocks on it. Opening a [`PostgresStore`] or calling it on a
//! thread that drives an async runtime panics ("Cannot start a runtime from within a
//! runtime"). An async host opens it before its runtime starts or inside
//! `tokio::task::spawn_blocking`, and calls it from `spawn_blocking` (as it must anyway:
//! the service hashes passwords). Dropping it is safe on any thread: the connections are
//! closed on a thread of their own.
//!
//! # What it guarantees
//!
//! - **Compare-and-swap writes.** Each write is one transaction at `READ COMMITTED`. A
//!   user, pool or group update is `UPDATE ... WHERE version = $expected`: a writer that
//!   waited for a concurrent one re-checks the version on the row that one committed, so
//!   it fails with `Conflict` instead of overwriting. No acknowledged write is lost, and
//!   counters that live in the user row (lockout, code attempts) are global across
//!   instances.
//! - **Few round trips.** A write that is one statement runs without `BEGIN` and `COMMIT`
//!   (PostgreSQL commits a lone statement on its own): a user update that leaves the
//!   user's keys as they are (a password, a sign-in's lockout bookkeeping, a code; the
//!   statement also matches the alias keys and linked identities stored), a token session,
//!   a decoy write. The pool and the user a username names are read by one statement. So
//!   `AdminSetUserPassword` is two round trips, and a password sign-in three reads (client,
//!   pool, user) plus the token session; [`PostgresStore::round_trips`] counts them. Such a
//!   statement on a connection that turns out to be gone (the server restarted while it
//!   sat in the pool) has an unknown outcome; the store settles it by reading what is
//!   stored (the row at the version written, with the content written; the session's
//!   random refresh digest) and writes again only when nothing landed.
//! - **Uniqueness by named constraints**, in the writing transaction
//!   (`users_username_unique`, `users_sub_unique`, `aliases_pkey`, `pools_pkey`,
//!   `clients_pkey`, `pool_groups_pkey`, `token_sessions_pkey`,
//!   `token_sessions_refresh_unique`, `pool_domains_pkey`, `pool_domains_pool_unique`,
//!   `resource_servers_pkey`, `identity_providers_pkey`, `idp_identifiers_pkey`,
//!   `authorization_codes_pkey`): a unique violation comes back as the matching
//!   [`StoreError`] by the constraint's name, never by parsing a message.
//! - **Consistent reads.** A user is read by one statement (its attributes and password
//!   history live in its row), so a read never mixes two versions of it; a page of users
//!   or groups is one statement.
//! - **Retries.** A transaction that fails with a serialization failure (40001) or a
//!   deadlock (40P01), or whose connection is lost before it committed (the server
//!   restarted: PostgreSQL rolled it back), runs again on another connection, up to
//!   [`PostgresOptions::retries`] times. A connection lost *while committing* leaves the
//!   outcome unknown: that write is reported as a backend failure, never repeated.
//! - **Single use.** An authorization code is taken by `DELETE ... RETURNING`: of
//!   instances racing to exchange one code, exactly one gets it.
//! - **Ordering.** Pool ids, username keys, group names, client ids, resource-server
//!   identifiers and identity-provider names are `COLLATE "C"` columns:
//!   pages come in byte order (Rust's `str` order), whatever the database's collation.
//! - **Migrations** ([`schema`]) go forward only, one transaction per step, under
//!   `pg_advisory_xact_lock` on the schema's name: instances starting together migrate
//!   once. A schema with other tables ([`Error::ForeignDatabase`]), one from a newer
//!   version of this crate ([`Error::NewerSchema`]) or a database that is not UTF-8
//!   ([`Error::NotUtf8`]) is refused without a write.
//! - **Connections.** A bounded pool (r2d2) of [`PostgresOptions::pool_size`]
//!   connections, opened on demand, each preparing a statement once and reusing it; an
//!   operation waits at most [`PostgresOptions::checkout_timeout`] for one. TLS through
//!   rustls, verifying the server against a CA file ([`PostgresOptions::ca_file`]).
//! - **Secrets at rest (SPEC §14)** are as in userpool-sqlite: passwords arrive hashed,
//!   codes and challenge sessions as salted digests, refresh tokens and authorization
//!   codes as the host's digests; app-client secrets, signing keys, SRP and MFA state and
//!   identity-provider client secrets arrive sealed when the store is wrapped in
//!   [`userpool_store::SealingStore`], under a key file that every instance shares and the
//!   database never holds; plaintext rows written without it are sealed in
//!   place when first read through it (until `VACUUM` reclaims them, the replaced row
//!   versions stay in the table's pages, as SQLite's WAL keeps old pages until a
//!   checkpoint). Errors and `Debug` never show the URL (it may hold a password) or a
//!   value.
//!
//! # Times
//!
//! Stored as `BIGINT` microseconds since the Unix epoch (UTC), as userpool-sqlite stores
//! them: what the service's clock produces reads back exactly.
//!
//! # Several instances
//!
//! Instances on one database must share the key file (SPEC §14) and the public URL (the
//! token issuer). The rate limits of SPEC §13 are per instance: N instances allow N times
//! the rate.
//!
//! # Not supported
//!
//! - Changing a pool's alias attributes, username attributes or case sensitivity
//!   (refused, as Cognito does).
//! - Text with a NUL character (PostgreSQL's `text` cannot hold one): such a write fails
//!   with a backend error and changes nothing.
//! - TLS over a unix socket (PostgreSQL offers none there); a CA file applies to TCP hosts.
//! - Going back to an older version of this crate after a migration.

#![forbid(unsafe_code)]

mod codec;
mod connection;
mod error;
mod groups;
mod oauth;
mod options;
mod pools;
pub mod schema;
mod tokens;
mod users;

use std::fmt;

use userpool_core::{UserPoolId, UserRecord, Username};
use userpool_store::{
    AuthorizationCode, ClientRecord, DomainRecord, GroupRecord, IdentityProviderRecord, OAuthStore,
    PoolRecord, ResourceServerRecord, SigningKey, Store, StoreError, TokenSession, TokenStore,
    UserKey, keys,
};
use uuid::Uuid;

use crate::connection::{Db, Tls};
pub use crate::error::Error;
use crate::error::Failure;
pub use crate::options::PostgresOptions;

/// A write whose outcome a lost connection left unknown, and reading could not settle.
fn outcome_unknown() -> StoreError {
    StoreError::Backend("the connection was lost during a write; its outcome is unknown".into())
}

/// The unique constraints whose violations map to a [`StoreError`].
#[cfg(test)]
const UNIQUE_CONSTRAINTS: &[&str] = &[
    "pools_pkey",
    "clients_pkey",
    "users_username_unique",
    "users_sub_unique",
    "aliases_pkey",
    "pool_groups_pkey",
    "token_sessions_pkey",
    "token_sessions_refresh_unique",
    "pool_domains_pkey",
    "pool_domains_pool_unique",
    "resource_servers_pkey",
    "identity_providers_pkey",
    "idp_identifiers_pkey",
    "authorization_codes_pkey",
];

/// The [`Store`] on a PostgreSQL database, through a bounded connection pool.
///
/// `Send + Sync`: share one in an `Arc` across threads; several processes may open the
/// same database and schema. See the crate documentation for the threads it must not be
/// created, used or dropped on.
pub struct PostgresStore {
    /// `None` only while dropping.
    db: Option<Db>,
    schema: String,
}

impl Drop for PostgresStore {
    /// Closes the pooled connections on a thread of their own: each owns a runtime, which
    /// must not be dropped on an async worker thread, and the last owner of a store in an
    /// async server may well be one.
    fn drop(&mut self) {
        if let Some(db) = self.db.take() {
            let closing = std::thread::Builder::new()
                .name("userpool-postgres-close".into())
                .spawn(move || drop(db));
            // Without a thread (none can be spawned), drop here: right on any thread that
            // may block, which is where the store is documented to live.
            if let Ok(closing) = closing {
                let _ = closing.join();
            }
        }
    }
}

impl fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresStore")
            .field("schema", &self.schema)
            .finish_non_exhaustive()
    }
}

impl PostgresStore {
    /// Opens the database at `url` (`postgres://user:password@host:port/database`, or
    /// libpq's `key=value` form) with the default [`PostgresOptions`], and migrates it to
    /// the newest schema.
    ///
    /// # Errors
    /// As [`PostgresStore::open_with`].
    pub fn open(url: &str) -> Result<Self, Error> {
        PostgresStore::open_with(url, &PostgresOptions::default())
    }

    /// Opens the database at `url` with `options`, and migrates its schema to the newest
    /// version. Blocks: call it outside any async worker thread.
    ///
    /// # Errors
    /// - [`Error::InvalidUrl`], [`Error::InvalidSchema`], [`Error::Tls`]: bad settings.
    /// - [`Error::Authentication`]: the server refused the user or password.
    /// - [`Error::Unreachable`]: no connection could be made.
    /// - [`Error::ForeignDatabase`], [`Error::NewerSchema`], [`Error::NotUtf8`]: a schema
    ///   or database this build must not touch (it was not modified).
    /// - [`Error::Migration`]: a migration step failed (rolled back).
    /// - [`Error::Postgres`]: anything else.
    pub fn open_with(url: &str, options: &PostgresOptions) -> Result<Self, Error> {
        let mut config: postgres::Config = url
            .parse()
            .map_err(|e: postgres::Error| Error::InvalidUrl(e.to_string()))?;
        config.connect_timeout(options.connect_timeout);
        if config.get_application_name().is_none() {
            config.application_name("userpool");
        }
        let tls = Tls::new(&mut config, options)?;
        let mut client = connection::connect_bare(&config, &tls)?;
        let schema = connection::resolve_schema(&mut client, options.schema.as_deref())?;
        connection::check_encoding(&mut client)?;
        connection::use_schema(&mut client, &schema)?;
        connection::migrate(&mut client, &schema, schema::MIGRATIONS)?;
        drop(client);
        Ok(PostgresStore {
            db: Some(Db::new(config, tls, schema.clone(), options)),
            schema,
        })
    }

    /// The schema holding the store's tables.
    #[must_use]
    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// Round trips to the server since the store was opened, over all its connections:
    /// every statement, the preparation of each statement on each connection, and each
    /// `BEGIN` and `COMMIT`. A counter for an operator's metrics, and for tests that pin
    /// what an operation costs.
    #[must_use]
    pub fn round_trips(&self) -> u64 {
        self.db().round_trips()
    }

    fn db(&self) -> &Db {
        // invariant: `db` is `Some` from construction until `drop` takes it, and nothing
        // runs on a store being dropped.
        self.db.as_ref().expect("the store is open")
    }
}

impl Store for PostgresStore {
    fn create_pool(&self, pool: &PoolRecord) -> Result<u64, StoreError> {
        self.db().write(|c| pools::create(c, pool))
    }

    fn get_pool(&self, id: &UserPoolId) -> Result<Option<PoolRecord>, StoreError> {
        self.db().read(|c| pools::get_pool(c, id))
    }

    /// Refuses (with `Backend`) to change alias attributes, username attributes or case
    /// sensitivity.
    fn update_pool(&self, pool: &PoolRecord) -> Result<u64, StoreError> {
        self.db().write(|c| pools::update(c, pool))
    }

    fn delete_pool(&self, id: &UserPoolId) -> Result<(), StoreError> {
        self.db().write(|c| pools::delete(c, id))
    }

    fn list_pools(&self) -> Result<Vec<PoolRecord>, StoreError> {
        self.db().read(pools::list)
    }

    fn create_client(&self, client: &ClientRecord) -> Result<(), StoreError> {
        self.db().write(|c| pools::create_client(c, client))
    }

    fn get_client(
        &self,
        pool: &UserPoolId,
        client_id: &str,
    ) -> Result<Option<ClientRecord>, StoreError> {
        self.db()
            .read(|c| pools::get_client(c, Some(pool), client_id))
    }

    /// One indexed lookup (client ids are the `clients` primary key).
    fn find_client(&self, client_id: &str) -> Result<Option<ClientRecord>, StoreError> {
        self.db().read(|c| pools::get_client(c, None, client_id))
    }

    /// One statement: the client's indexed lookup joined to its pool's row (one round
    /// trip).
    fn find_client_pool(
        &self,
        client_id: &str,
    ) -> Result<Option<(ClientRecord, PoolRecord)>, StoreError> {
        self.db().read(|c| pools::find_client_pool(c, client_id))
    }

    fn list_clients(
        &self,
        pool: &UserPoolId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<ClientRecord>, StoreError> {
        self.db()
            .read(|c| pools::list_clients(c, pool, after, limit))
    }

    fn update_client(&self, client: &ClientRecord) -> Result<(), StoreError> {
        self.db().write(|c| pools::update_client(c, client))
    }

    fn delete_client(&self, pool: &UserPoolId, client_id: &str) -> Result<(), StoreError> {
        self.db()
            .write(|c| pools::delete_client(c, pool, client_id))
    }

    /// One `COUNT(*)` over the pool's users.
    fn count_users(&self, pool: &UserPoolId) -> Result<u64, StoreError> {
        self.db().read(|c| pools::count_users(c, pool))
    }

    /// Commits a transaction that bumps the pool's decoy counter: a row write and a WAL
    /// flush at commit, as a recorded sign-in failure costs (SPEC §6).
    fn decoy_write(&self, pool: &UserPoolId) -> Result<(), StoreError> {
        // A lost connection leaves the count unknown, which matters to nobody: the write
        // is there to cost what a recorded failure costs.
        self.db()
            .write_statement(|c| pools::decoy_write(c, pool))
            .map(|_| ())
    }

    fn insert_user(&self, pool: &UserPoolId, user: &UserRecord) -> Result<u64, StoreError> {
        self.db().write(|c| {
            let pool = pools::require(c, pool)?;
            users::insert(c, &pool, user)
        })
    }

    fn update_user(&self, pool: &UserPoolId, user: &UserRecord) -> Result<u64, StoreError> {
        self.db().write(|c| {
            let pool = pools::require(c, pool)?;
            users::update(c, &pool, user)
        })
    }

    fn delete_user(
        &self,
        pool: &UserPoolId,
        username: &Username,
        version: u64,
    ) -> Result<(), StoreError> {
        self.db().write(|c| {
            let pool = pools::require(c, pool)?;
            users::delete(c, &pool, username, version)
        })
    }

    fn find_user(
        &self,
        pool: &UserPoolId,
        key: UserKey<'_>,
    ) -> Result<Option<UserRecord>, StoreError> {
        self.db().read(|c| users::find_by_id(c, pool.as_str(), key))
    }

    /// The pool's row, then one indexed statement on `linked_identities`.
    fn find_linked_user(
        &self,
        pool: &UserPoolId,
        provider: &str,
        subject: &str,
    ) -> Result<Option<UserRecord>, StoreError> {
        self.db().read(|c| {
            let record = pools::require(c, pool)?;
            users::find_linked(c, &record, provider, subject)
        })
    }

    /// One statement for the pool and the user its username designates (the common case:
    /// one round trip); a name that is an alias or a `sub` then takes the lookup's other
    /// statements, with the pool known, each in its own snapshot: the keys depend only on
    /// the pool's immutable settings, and a write made from what this read is a
    /// compare-and-swap on the user's version.
    fn find_pool_user(
        &self,
        pool: &UserPoolId,
        name: &str,
    ) -> Result<(PoolRecord, Option<UserRecord>), StoreError> {
        self.db().read(|c| {
            let Some((record, user)) = users::find_pool_and_username(c, pool.as_str(), name)?
            else {
                return Err(StoreError::PoolNotFound(pool.as_str().to_owned()).into());
            };
            if user.is_some() {
                return Ok((record, user));
            }
            for key in keys::lookup_order(&record, name).into_iter().skip(1) {
                if let Some(user) = users::find(c, &record, key)? {
                    return Ok((record, Some(user)));
                }
            }
            Ok((record, None))
        })
    }

    /// Does not read the pool's row. A write that leaves the user's keys as they are (a
    /// password, a sign-in's bookkeeping, a code) is one statement that commits on its own
    /// (one round trip); any other, or one that statement did not match, is one
    /// transaction: the user's row replaced by compare-and-swap under `pool`'s keys, then
    /// the keys that changed. Only when no row matches does that look at the pool, to
    /// report a deleted one as `PoolNotFound`.
    fn update_user_in(&self, pool: &PoolRecord, user: &UserRecord) -> Result<u64, StoreError> {
        match self
            .db()
            .write_statement(|c| users::update_same_keys(c, pool, user))?
        {
            Some(Some(version)) => return Ok(version),
            // The keys change, or the swap failed: the transaction below tells which.
            Some(None) => {}
            // The connection was lost: what is stored says whether the write landed (a
            // restarted server's stale connection never ran it).
            None => match self
                .db()
                .read(|c| users::settle_lost_update(c, pool, user))?
            {
                users::Settled::Written(version) => return Ok(version),
                users::Settled::NotWritten => {}
                users::Settled::Unknown => return Err(outcome_unknown()),
            },
        }
        self.db().write(|c| match users::update(c, pool, user) {
            Err(Failure::Store(StoreError::NotFound)) => {
                pools::require_exists(c, &pool.id)?;
                Err(StoreError::NotFound.into())
            }
            other => other,
        })
    }

    fn list_users(
        &self,
        pool: &UserPoolId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<UserRecord>, StoreError> {
        self.db().read(|c| {
            let pool = pools::require(c, pool)?;
            users::list(c, &pool, after, limit)
        })
    }

    fn create_group(&self, group: &GroupRecord) -> Result<u64, StoreError> {
        self.db().write(|c| groups::create(c, group))
    }

    fn get_group(&self, pool: &UserPoolId, name: &str) -> Result<Option<GroupRecord>, StoreError> {
        self.db().read(|c| groups::get_group(c, pool, name))
    }

    fn update_group(&self, group: &GroupRecord) -> Result<u64, StoreError> {
        self.db().write(|c| groups::update(c, group))
    }

    /// Memberships go by `ON DELETE CASCADE`, in the same transaction.
    fn delete_group(&self, pool: &UserPoolId, name: &str) -> Result<(), StoreError> {
        self.db().write(|c| groups::delete(c, pool, name))
    }

    fn list_groups(
        &self,
        pool: &UserPoolId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<GroupRecord>, StoreError> {
        self.db().read(|c| groups::list(c, pool, after, limit))
    }

    fn add_user_to_group(
        &self,
        pool: &UserPoolId,
        group: &str,
        sub: Uuid,
    ) -> Result<(), StoreError> {
        self.db().write(|c| groups::add_member(c, pool, group, sub))
    }

    fn remove_user_from_group(
        &self,
        pool: &UserPoolId,
        group: &str,
        sub: Uuid,
    ) -> Result<bool, StoreError> {
        self.db()
            .write(|c| groups::remove_member(c, pool, group, sub))
    }

    fn list_groups_for_user(
        &self,
        pool: &UserPoolId,
        sub: Uuid,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<GroupRecord>, StoreError> {
        self.db()
            .read(|c| groups::list_for_user(c, pool, sub, after, limit))
    }

    fn list_users_in_group(
        &self,
        pool: &UserPoolId,
        group: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<UserRecord>, StoreError> {
        self.db()
            .read(|c| groups::list_members(c, pool, group, after, limit))
    }

    fn replace_client_secret(
        &self,
        pool: &UserPoolId,
        client_id: &str,
        expected: &str,
        new: &str,
    ) -> Result<bool, StoreError> {
        self.db()
            .write(|c| pools::replace_client_secret(c, pool, client_id, expected, new))
    }
}

impl TokenStore for PostgresStore {
    fn signing_key(&self, pool: &UserPoolId) -> Result<Option<SigningKey>, StoreError> {
        self.db().read(|c| tokens::signing_key(c, pool))
    }

    /// `INSERT ... ON CONFLICT DO NOTHING`, then a read of the stored key when another
    /// instance's came first.
    fn insert_signing_key(
        &self,
        pool: &UserPoolId,
        key: &SigningKey,
    ) -> Result<SigningKey, StoreError> {
        self.db()
            .write(|c| tokens::insert_signing_key(c, pool, key))
    }

    fn insert_token_session(&self, session: &TokenSession) -> Result<(), StoreError> {
        for _ in 0..2 {
            let inserted = self
                .db()
                .write_statement(|c| tokens::insert_session(c, session))?;
            if inserted.is_some() {
                return Ok(());
            }
            // The connection was lost: the session's random refresh digest says whether
            // the insert landed; if nothing is stored, it runs once more.
            let pool = &session.pool_id;
            match self
                .db()
                .read(|c| tokens::find_session(c, pool, session.origin_jti))?
            {
                Some(stored) if stored.refresh_digest == session.refresh_digest => return Ok(()),
                Some(_) => return Err(StoreError::TokenSessionExists),
                None => {}
            }
        }
        Err(outcome_unknown())
    }

    fn find_token_session(
        &self,
        pool: &UserPoolId,
        origin_jti: Uuid,
    ) -> Result<Option<TokenSession>, StoreError> {
        self.db()
            .read(|c| tokens::find_session(c, pool, origin_jti))
    }

    fn find_token_session_by_refresh(
        &self,
        pool: &UserPoolId,
        refresh_digest: &[u8; 32],
    ) -> Result<Option<TokenSession>, StoreError> {
        self.db()
            .read(|c| tokens::find_session_by_refresh(c, pool, refresh_digest))
    }

    fn revoke_token_sessions(&self, pool: &UserPoolId, sub: Uuid) -> Result<u64, StoreError> {
        self.db().write(|c| tokens::revoke(c, pool, sub))
    }

    fn revoke_token_session(
        &self,
        pool: &UserPoolId,
        origin_jti: Uuid,
    ) -> Result<bool, StoreError> {
        self.db().write(|c| tokens::revoke_one(c, pool, origin_jti))
    }

    fn replace_signing_key(
        &self,
        pool: &UserPoolId,
        kid: &str,
        expected: &[u8],
        new: &[u8],
    ) -> Result<bool, StoreError> {
        self.db()
            .write(|c| tokens::replace_signing_key(c, pool, kid, expected, new))
    }

    fn insert_authorization_code(&self, code: &AuthorizationCode) -> Result<(), StoreError> {
        self.db().write(|c| oauth::insert_code(c, code))
    }

    /// `DELETE ... RETURNING`: of transactions racing with one code, the first to delete
    /// the row gets it, and the others, re-checking it after that one committed, none.
    fn take_authorization_code(
        &self,
        pool: &UserPoolId,
        code_digest: &[u8; 32],
    ) -> Result<Option<AuthorizationCode>, StoreError> {
        self.db().write(|c| oauth::take_code(c, pool, code_digest))
    }
}

impl OAuthStore for PostgresStore {
    fn create_domain(&self, domain: &DomainRecord) -> Result<u64, StoreError> {
        self.db().write(|c| oauth::create_domain(c, domain))
    }

    fn get_domain(&self, domain: &str) -> Result<Option<DomainRecord>, StoreError> {
        self.db().read(|c| oauth::get_domain(c, domain))
    }

    fn domain_of_pool(&self, pool: &UserPoolId) -> Result<Option<DomainRecord>, StoreError> {
        self.db().read(|c| oauth::domain_of_pool(c, pool))
    }

    fn update_domain(&self, domain: &DomainRecord) -> Result<u64, StoreError> {
        self.db().write(|c| oauth::update_domain(c, domain))
    }

    fn delete_domain(&self, pool: &UserPoolId, domain: &str) -> Result<(), StoreError> {
        self.db().write(|c| oauth::delete_domain(c, pool, domain))
    }

    fn create_resource_server(&self, server: &ResourceServerRecord) -> Result<u64, StoreError> {
        self.db()
            .write(|c| oauth::create_resource_server(c, server))
    }

    fn get_resource_server(
        &self,
        pool: &UserPoolId,
        identifier: &str,
    ) -> Result<Option<ResourceServerRecord>, StoreError> {
        self.db()
            .read(|c| oauth::get_resource_server(c, pool, identifier))
    }

    fn list_resource_servers(
        &self,
        pool: &UserPoolId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<ResourceServerRecord>, StoreError> {
        self.db()
            .read(|c| oauth::list_resource_servers(c, pool, after, limit))
    }

    fn update_resource_server(&self, server: &ResourceServerRecord) -> Result<u64, StoreError> {
        self.db()
            .write(|c| oauth::update_resource_server(c, server))
    }

    fn delete_resource_server(
        &self,
        pool: &UserPoolId,
        identifier: &str,
    ) -> Result<(), StoreError> {
        self.db()
            .write(|c| oauth::delete_resource_server(c, pool, identifier))
    }

    fn create_identity_provider(
        &self,
        provider: &IdentityProviderRecord,
    ) -> Result<u64, StoreError> {
        self.db()
            .write(|c| oauth::create_identity_provider(c, provider))
    }

    fn get_identity_provider(
        &self,
        pool: &UserPoolId,
        provider_name: &str,
    ) -> Result<Option<IdentityProviderRecord>, StoreError> {
        self.db()
            .read(|c| oauth::get_identity_provider(c, pool, provider_name))
    }

    /// One statement: the identifier's row joined to its provider's.
    fn find_identity_provider_by_identifier(
        &self,
        pool: &UserPoolId,
        identifier: &str,
    ) -> Result<Option<IdentityProviderRecord>, StoreError> {
        self.db()
            .read(|c| oauth::find_identity_provider_by_identifier(c, pool, identifier))
    }

    fn list_identity_providers(
        &self,
        pool: &UserPoolId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<IdentityProviderRecord>, StoreError> {
        self.db()
            .read(|c| oauth::list_identity_providers(c, pool, after, limit))
    }

    fn update_identity_provider(
        &self,
        provider: &IdentityProviderRecord,
    ) -> Result<u64, StoreError> {
        self.db()
            .write(|c| oauth::update_identity_provider(c, provider))
    }

    fn delete_identity_provider(
        &self,
        pool: &UserPoolId,
        provider_name: &str,
    ) -> Result<(), StoreError> {
        self.db()
            .write(|c| oauth::delete_identity_provider(c, pool, provider_name))
    }
}

#[cfg(test)]
mod round_trips {
    //! How many round trips to the server an operation costs, counted on the pool's
    //! connections, and what a lost connection does to a one-statement write (SPEC §3,
    //! §20). Needs the test database, as the integration tests do.

    use std::sync::Arc;
    use std::time::{SystemTime, UNIX_EPOCH};

    use userpool::{Caller, ClientSettings, PoolSettings, UserPools};
    use userpool_core::{AliasAttribute, HashParams, UserPoolId, UserStatus};
    use userpool_store::Store;

    use super::{PostgresOptions, PostgresStore};

    /// A service over a store on a fresh schema of the test database, with one connection
    /// (so every statement is prepared once) named `application_name` (so a test can find
    /// it in `pg_stat_activity`), and a pool holding `sam`.
    struct Env {
        store: Arc<PostgresStore>,
        pools: UserPools<PostgresStore>,
        admin: Caller,
        pool: UserPoolId,
        /// The test database's URL, for a connection of the test's own.
        url: String,
    }

    impl Env {
        /// `None`, said loudly, without a database outside CI. The pool hashes cheaply and
        /// lists `aliases`; `sam` is created with `attributes`.
        fn new(
            application_name: &str,
            aliases: &[AliasAttribute],
            attributes: &[(&str, &str)],
        ) -> Option<Env> {
            let url = match std::env::var("USERPOOL_TEST_DATABASE_URL") {
                Ok(url) if !url.is_empty() => url,
                _ => {
                    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
                    assert!(!ci, "USERPOOL_TEST_DATABASE_URL is not set under CI");
                    eprintln!(
                        "\n*** SKIPPED round_trips: no PostgreSQL (run under .ci/postgres) ***\n"
                    );
                    return None;
                }
            };
            let nanos = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos());
            let options = PostgresOptions {
                pool_size: 1,
                schema: Some(format!("trips_{}_{nanos}", std::process::id())),
                ..PostgresOptions::default()
            };
            let separator = if url.contains('?') { '&' } else { '?' };
            let named = format!("{url}{separator}application_name={application_name}");
            let store = Arc::new(PostgresStore::open_with(&named, &options).expect("open"));
            let pools = UserPools::new(Arc::clone(&store));
            let admin = Caller::new("arn:aws:iam::123456789012:user/admin");
            let settings = PoolSettings {
                hash_params: HashParams::new(1024, 1, 1).expect("params"),
                alias_attributes: aliases.to_vec(),
                ..PoolSettings::default()
            };
            let pool = pools
                .create_user_pool(&admin, "round trips", settings)
                .expect("create_user_pool")
                .id;
            pools
                .admin_create_user(&admin, pool.as_str(), "sam", None, attributes, None)
                .expect("admin_create_user");
            Some(Env {
                store,
                pools,
                admin,
                pool,
                url,
            })
        }

        fn set_password(
            &self,
            name: &str,
            password: &str,
            permanent: Option<bool>,
        ) -> userpool_core::Result<userpool::UserDescription> {
            self.pools.admin_set_user_password(
                &self.admin,
                self.pool.as_str(),
                name,
                password,
                permanent,
            )
        }
    }

    #[test]
    fn s20_admin_set_user_password_is_two_round_trips() {
        let Some(env) = Env::new("userpool", &[], &[]) else {
            return;
        };
        let trips = || env.store.round_trips();
        // The first call prepares the statements on the connection.
        env.set_password("sam", "Warm-Pass-0!", Some(true))
            .expect("admin_set_user_password");
        for (password, permanent) in [("Fresh-Pass-1!", Some(true)), ("Other-Pass-2!", None)] {
            let before = trips();
            let user = env
                .set_password("sam", password, permanent)
                .expect("admin_set_user_password");
            assert_eq!(
                trips() - before,
                2,
                "one statement reads the pool and the user, one writes"
            );
            assert_eq!(user.username, "sam");
        }
        let stored = env
            .pools
            .admin_get_user(&env.admin, env.pool.as_str(), "sam")
            .expect("admin_get_user");
        assert_eq!(stored.status, UserStatus::ForceChangePassword);
        // A refusal reads once and writes nothing.
        let before = trips();
        env.set_password("nobody", "Fresh-Pass-3!", None)
            .expect_err("no such user");
        assert_eq!(
            trips() - before,
            1,
            "the read finds no user; nothing is written"
        );
    }

    #[test]
    fn s20_a_write_on_a_connection_the_server_dropped_is_settled_and_lands() {
        let name = format!("settle_{}", std::process::id());
        let Some(env) = Env::new(&name, &[], &[]) else {
            return;
        };
        let mut admin_db = postgres::Client::connect(&env.url, postgres::NoTls).expect("connect");
        let mut end_the_connection = |round: u32| {
            let ended: i64 = admin_db
                .query_one(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
                     WHERE application_name = $1",
                    &[&name],
                )
                .expect("terminate")
                .get(0);
            assert_eq!(ended, 1, "round {round}: the store's one connection");
        };
        for round in 0..3 {
            // Read, then the server ends the store's only connection (as a restart does;
            // the store finds out only when it next uses it), then write: the write's
            // statement fails on the dead connection, the store reads what is stored, sees
            // its write did not land, and writes on a new connection.
            let (record, user) = env
                .store
                .find_pool_user(&env.pool, "sam")
                .expect("find_pool_user");
            let mut user = user.expect("sam");
            user.enabled = round % 2 == 1;
            end_the_connection(round);
            let version = env
                .store
                .update_user_in(&record, &user)
                .expect("the write lands after the connection was dropped");
            assert_eq!(version, user.version + 1);
            let (_, stored) = env
                .store
                .find_pool_user(&env.pool, "sam")
                .expect("read back");
            let stored = stored.expect("sam");
            assert_eq!((stored.version, stored.enabled), (version, round % 2 == 1));
        }
        // And through the service, where the read is the one to find the connection gone.
        end_the_connection(3);
        env.set_password("sam", "Fresh-Pass-1!", Some(true))
            .expect("admin_set_user_password");
    }

    #[test]
    fn s20_sign_in_round_trips() {
        let Some(env) = Env::new("userpool", &[], &[]) else {
            return;
        };
        let client = env
            .pools
            .create_user_pool_client(
                &env.admin,
                env.pool.as_str(),
                "app",
                ClientSettings {
                    explicit_auth_flows: vec![
                        "ALLOW_USER_PASSWORD_AUTH".into(),
                        "ALLOW_REFRESH_TOKEN_AUTH".into(),
                    ],
                    ..ClientSettings::default()
                },
            )
            .expect("create_user_pool_client");
        env.set_password("sam", "Fresh-Pass-1!", Some(true))
            .expect("admin_set_user_password");
        let sign_in = |password: &str| {
            env.pools
                .initiate_auth(&client.client_id, "USER_PASSWORD_AUTH", "sam", password)
        };
        // Warm: every statement prepared once.
        sign_in("Fresh-Pass-1!").expect("sign in");
        sign_in("Wrong-Pass-1!").expect_err("wrong password");
        sign_in("Fresh-Pass-1!").expect("sign in");
        let before = env.store.round_trips();
        sign_in("Fresh-Pass-1!").expect("sign in");
        let ok = env.store.round_trips() - before;
        let before = env.store.round_trips();
        sign_in("Wrong-Pass-1!").expect_err("wrong password");
        let wrong = env.store.round_trips() - before;
        // The client with its pool (one statement), the user; a failure is recorded by one
        // more statement, committed on its own.
        assert_eq!(
            (ok, wrong),
            (2, 3),
            "round trips: (success, wrong password)"
        );
    }

    #[test]
    fn s20_a_write_that_moves_a_key_still_commits_the_keys() {
        let verified = [("email", "one@example.com"), ("email_verified", "true")];
        let Some(env) = Env::new("userpool", &[AliasAttribute::Email], &verified) else {
            return;
        };
        let (admin, id) = (&env.admin, env.pool.as_str());
        env.pools
            .admin_update_user_attributes(admin, id, "sam", &[("email", "two@example.com")])
            .expect("admin_update_user_attributes");
        env.pools
            .admin_update_user_attributes(admin, id, "sam", &[("email_verified", "true")])
            .expect("verify");
        // The alias moved: the old value finds nobody, the new one finds sam, and a
        // password write through the alias (the single-statement path) keeps it.
        env.set_password("two@example.com", "Fresh-Pass-1!", Some(true))
            .expect("set through the new alias");
        env.set_password("one@example.com", "Fresh-Pass-1!", Some(true))
            .expect_err("the old alias is gone");
        let user = env
            .pools
            .admin_get_user(admin, id, "two@example.com")
            .expect("found by the new alias");
        assert_eq!(user.username, "sam");
    }
}
