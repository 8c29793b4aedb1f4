//! The SQLite [`Store`] for userpool: pools, app clients and users in one file, on the
//! SQLite that `rusqlite` bundles (nothing to install on the host).
//!
//! # Example
//!
//! ```
//! use userpool_sqlite::SqliteStore;
//! use userpool_store::Store;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! // Created if missing, migrated to the newest schema, switched to WAL.
//! let store = SqliteStore::open(dir.path().join("userpool.db"))?;
//! assert!(store.list_pools()?.is_empty());
//!
//! // Tests and examples can use a private in-memory database instead.
//! let scratch = SqliteStore::open_in_memory()?;
//! assert!(scratch.list_pools()?.is_empty());
//! # Ok(()) }
//! ```
//!
//! # What it guarantees
//!
//! - **Atomic, compare-and-swap writes.** Every [`Store`] method is one transaction.
//!   Writes take the write lock up front (`BEGIN IMMEDIATE`), compare the version column
//!   (`UPDATE ... WHERE version = ?` and a check of the changed rows) and write the row, its
//!   attributes, its history, its alias keys and its linked provider identities (the index
//!   of `find_linked_user`, SPEC §21) together.
//! - **Uniqueness by constraints**, in the writing transaction: `UNIQUE (pool_id,
//!   username_key)`, `UNIQUE (pool_id, sub)` and the `aliases` primary key `(pool_id,
//!   attribute, alias_key)`, with keys computed by [`userpool_store::keys`]. Violations
//!   come back as `UsernameExists`, `SubExists` and `AliasExists(attribute)`.
//! - **Durability.** WAL mode, `synchronous=FULL` by default ([`SqliteOptions`]): a write
//!   acknowledged by `Ok` survives the process being killed, and with `FULL`, a power loss.
//! - **Several threads and processes** on one file: each statement waits up to the busy
//!   timeout for another connection's lock, and a transaction that still meets
//!   `SQLITE_BUSY` is rolled back and retried whole.
//! - **Careful opening.** A file that is not a database, another application's database,
//!   one from a newer version of this crate, or a read-only file is refused with its own
//!   [`Error`] variant, and left byte for byte as it was. Otherwise the schema is migrated
//!   forward ([`schema`]), one transaction per step.
//! - **Secrets at rest (SPEC §14).** Passwords arrive already hashed (argon2id PHC
//!   strings); codes and challenge sessions as salted digests; refresh tokens as the host's
//!   digest. App-client secrets and signing keys are stored as given: wrap the store in
//!   [`userpool_store::SealingStore`] (the server does) and they arrive sealed under a key
//!   kept outside the file. A new database file is created mode `0600` (its `-wal` and
//!   `-shm` take the same mode from it), and every connection runs with
//!   `secure_delete=ON`, so a deleted key or secret is overwritten, not left in free pages
//!   (the WAL keeps old page images until a checkpoint: [`SqliteStore::checkpoint`]). No
//!   error or `Debug` output carries a secret; `Debug` of the store shows its path.
//! - **Groups** (schema version 8, SPEC §17): names unique per pool by primary key;
//!   memberships keyed by the user's `sub` and deleted with their group, user or pool by
//!   foreign keys.
//! - **Both capabilities**: it implements [`TokenStore`] and [`OAuthStore`] in full, so
//!   the conformance kit runs every case on it, skipping none.
//! - **Token storage** (schema version 5): one signing key per pool, first writer wins
//!   (`INSERT ... ON CONFLICT DO NOTHING` in the write transaction, so processes agree);
//!   token sessions unique per pool by `origin_jti` and refresh digest, deleted with their
//!   pool or user by foreign keys.
//! - **Code throttles** (schema version 6, SPEC §12): each user's recent wrong code attempts
//!   and issued codes, per purpose, in four columns of `users` written with every update, so
//!   the counts that stop code guessing survive restarts and are shared by every process.
//!   A value this crate would not write (or more than `CodeThrottle::MAX_TRACKED` entries)
//!   reads back as a corrupt-row error, never as an empty throttle.
//! - **SRP** (schema version 9, SPEC §15): each user's SRP state (verifier and open
//!   PASSWORD_VERIFIER challenges) in one `srp` BLOB of `users`, stored as it is given:
//!   behind `SealingStore` that is the sealed form, so the database never holds v or b in
//!   the clear. Users from before version 9 read with none, and get one at their next
//!   password write or password sign-in.
//!
//! # Times
//!
//! Stored as `INTEGER` microseconds since the Unix epoch (UTC): what the service's clock
//! produces reads back exactly; a sub-microsecond part is truncated.
//!
//! # Performance and connections
//!
//! One `SqliteStore` holds one connection behind a mutex: its operations run one at a time,
//! each a few indexed statements (tens of microseconds; hashing, the slow part, happens in
//! the service before the store is called). That is the simplest correct design and serves
//! a small deployment well. A host that needs parallel reads opens several `SqliteStore`s on
//! the same file (WAL lets readers proceed while one writer commits); writers are
//! serialised by SQLite in any case. While an operation waits for another connection's
//! lock (up to the busy timeout, then its retries), the other operations of the same handle
//! wait behind it.
//!
//! Measured on the 2-core development machine with 100 000 users in the file
//! (`cargo bench -p userpool-sqlite --bench store_100k`): a lookup by username, alias or
//! `sub` takes about 40 µs; a read plus compare-and-swap update about 0.8 ms with
//! `synchronous=FULL` (one `fsync` per commit) and 0.3 ms with `NORMAL`.
//!
//! # Not supported
//!
//! - Changing a pool's alias attributes, username attributes or case sensitivity
//!   (`update_pool` refuses, as Cognito does): the stored keys were computed with them.
//! - Network filesystems: SQLite's locking needs a local filesystem for WAL.
//! - Going back to an older version of this crate after a migration.
//! - Re-indexing users written before username attributes took effect. A pool created
//!   with `UsernameAttributes` by an earlier version has `aliases` rows only for the
//!   *verified* email and phone values of its users (the keys [`userpool_store::keys`]
//!   computed then); an existing user's unverified value is indexed at that user's next
//!   write, which fails with `AliasExists` if another user already holds the value. No
//!   migration rebuilds the rows, since the keys fold case in Rust and migrations are SQL
//!   **(decision: such pools behaved as if `UsernameAttributes` were absent, so their
//!   users still resolve by the usernames they were created with)**.

#![forbid(unsafe_code)]

mod codec;
mod connection;
mod error;
mod groups;
mod oauth;
mod options;
mod pools;
mod read;
pub mod schema;
mod tokens;
mod write;

use std::fmt;
use std::path::{Path, PathBuf};

use userpool_core::{UserPoolId, UserRecord, Username};
use userpool_store::{
    AuthorizationCode, ClientRecord, DomainRecord, GroupRecord, IdentityProviderRecord, OAuthStore,
    PoolRecord, ResourceServerRecord, SigningKey, Store, StoreError, TokenSession, TokenStore,
    UserKey, keys,
};
use uuid::Uuid;

use crate::connection::Db;
pub use crate::error::Error;
use crate::error::Failure;
pub use crate::options::{SqliteOptions, Synchronous};

/// The [`Store`] on an SQLite database file (or a private in-memory database).
///
/// `Send + Sync`: share one in an `Arc` across threads, or open several on one file (in
/// this process or others).
pub struct SqliteStore {
    db: Db,
    path: Option<PathBuf>,
}

impl fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens the database at `path` with the default [`SqliteOptions`], creating it if
    /// missing, and migrates it to the newest schema.
    ///
    /// # Errors
    /// As [`SqliteStore::open_with`].
    pub fn open(path: impl AsRef<Path>) -> Result<Self, Error> {
        SqliteStore::open_with(path, &SqliteOptions::default())
    }

    /// Opens the database at `path` with `options`, and migrates it to the newest schema.
    ///
    /// # Errors
    /// - [`Error::NotADatabase`]: the file is not an SQLite database.
    /// - [`Error::ForeignDatabase`]: an SQLite database of another application.
    /// - [`Error::NewerSchema`]: written by a newer version of this crate.
    /// - [`Error::ReadOnly`]: the file cannot be written.
    /// - [`Error::Migration`]: a migration step failed (rolled back).
    /// - [`Error::Sqlite`], [`Error::Io`]: anything else (a missing directory, a missing
    ///   file with `create: false`, a lock held past the busy timeout...).
    ///
    /// In every error case the file's contents are unchanged.
    pub fn open_with(path: impl AsRef<Path>, options: &SqliteOptions) -> Result<Self, Error> {
        let path = path.as_ref();
        let mut conn = connection::open_file(path, options)?;
        connection::migrate(&mut conn, schema::MIGRATIONS, options.busy_retries)?;
        Ok(SqliteStore {
            db: Db::new(conn, options.busy_retries),
            path: Some(path.to_owned()),
        })
    }

    /// A fresh, private in-memory database (gone when the store is dropped).
    ///
    /// # Errors
    /// [`Error::Sqlite`] if SQLite cannot allocate it.
    pub fn open_in_memory() -> Result<Self, Error> {
        let options = SqliteOptions::default();
        let mut conn = connection::open_memory(&options)?;
        connection::migrate(&mut conn, schema::MIGRATIONS, options.busy_retries)?;
        Ok(SqliteStore {
            db: Db::new(conn, options.busy_retries),
            path: None,
        })
    }

    /// The database file, `None` for an in-memory store.
    #[must_use]
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Copies every committed transaction from the WAL into the database file and empties
    /// the WAL (`PRAGMA wal_checkpoint(TRUNCATE)`). SQLite checkpoints on its own as the
    /// WAL grows; call this before copying the file, or to bound the WAL's size.
    ///
    /// # Errors
    /// [`Error::Sqlite`]; a checkpoint blocked by readers in other connections is not an
    /// error but may leave frames in the WAL.
    pub fn checkpoint(&self) -> Result<(), Error> {
        self.db.with_connection(|conn| {
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
            Ok(())
        })
    }
}

impl Store for SqliteStore {
    fn create_pool(&self, pool: &PoolRecord) -> Result<u64, StoreError> {
        self.db.write(|tx| pools::create(tx, pool))
    }

    fn get_pool(&self, id: &UserPoolId) -> Result<Option<PoolRecord>, StoreError> {
        self.db.read(|tx| pools::get(tx, id))
    }

    /// Refuses (with `Backend`) to change alias attributes, username attributes or case sensitivity.
    fn update_pool(&self, pool: &PoolRecord) -> Result<u64, StoreError> {
        self.db.write(|tx| pools::update(tx, pool))
    }

    /// Commits a write transaction that bumps the pool's decoy counter: the same
    /// `BEGIN IMMEDIATE`, WAL append and (at `synchronous=FULL`) fsync as a user update, so
    /// an unknown user's sign-in costs what a recorded failure costs (SPEC §6).
    fn decoy_write(&self, pool: &UserPoolId) -> Result<(), StoreError> {
        self.db.write(|tx| pools::decoy_write(tx, pool))
    }

    fn delete_pool(&self, id: &UserPoolId) -> Result<(), StoreError> {
        self.db.write(|tx| pools::delete(tx, id))
    }

    fn list_pools(&self) -> Result<Vec<PoolRecord>, StoreError> {
        self.db.read(|tx| pools::list(tx))
    }

    fn create_client(&self, client: &ClientRecord) -> Result<(), StoreError> {
        self.db.write(|tx| pools::create_client(tx, client))
    }

    fn get_client(
        &self,
        pool: &UserPoolId,
        client_id: &str,
    ) -> Result<Option<ClientRecord>, StoreError> {
        self.db
            .read(|tx| pools::get_client(tx, Some(pool), client_id))
    }

    /// One indexed lookup (client ids are the `clients` primary key).
    fn find_client(&self, client_id: &str) -> Result<Option<ClientRecord>, StoreError> {
        self.db.read(|tx| pools::get_client(tx, None, client_id))
    }

    /// One read transaction: the client's indexed lookup, then its pool's row (which the
    /// foreign key guarantees while the client exists).
    fn find_client_pool(
        &self,
        client_id: &str,
    ) -> Result<Option<(ClientRecord, PoolRecord)>, StoreError> {
        self.db.read(|tx| {
            let Some(client) = pools::get_client(tx, None, client_id)? else {
                return Ok(None);
            };
            let pool = pools::require(tx, &client.pool_id)?;
            Ok(Some((client, pool)))
        })
    }

    fn list_clients(
        &self,
        pool: &UserPoolId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<ClientRecord>, StoreError> {
        self.db
            .read(|tx| pools::list_clients(tx, pool, after, limit))
    }

    fn update_client(&self, client: &ClientRecord) -> Result<(), StoreError> {
        self.db.write(|tx| pools::update_client(tx, client))
    }

    fn delete_client(&self, pool: &UserPoolId, client_id: &str) -> Result<(), StoreError> {
        self.db
            .write(|tx| pools::delete_client(tx, pool, client_id))
    }

    /// One `COUNT(*)` over the users of the pool.
    fn count_users(&self, pool: &UserPoolId) -> Result<u64, StoreError> {
        self.db.read(|tx| pools::count_users(tx, pool))
    }

    fn insert_user(&self, pool: &UserPoolId, user: &UserRecord) -> Result<u64, StoreError> {
        self.db.write(|tx| {
            let pool = pools::require(tx, pool)?;
            write::insert(tx, &pool, user)
        })
    }

    fn update_user(&self, pool: &UserPoolId, user: &UserRecord) -> Result<u64, StoreError> {
        self.db.write(|tx| {
            let pool = pools::require(tx, pool)?;
            write::update(tx, &pool, user)
        })
    }

    fn delete_user(
        &self,
        pool: &UserPoolId,
        username: &Username,
        version: u64,
    ) -> Result<(), StoreError> {
        self.db.write(|tx| {
            let pool = pools::require(tx, pool)?;
            write::delete(tx, &pool, username, version)
        })
    }

    fn find_user(
        &self,
        pool: &UserPoolId,
        key: UserKey<'_>,
    ) -> Result<Option<UserRecord>, StoreError> {
        self.db.read(|tx| {
            let pool = pools::require(tx, pool)?;
            match read::user_id(tx, &pool, key)? {
                Some(id) => read::user(tx, id),
                None => Ok(None),
            }
        })
    }

    /// One read transaction: the pool's row, then one lookup in `linked_identities`.
    fn find_linked_user(
        &self,
        pool: &UserPoolId,
        provider: &str,
        subject: &str,
    ) -> Result<Option<UserRecord>, StoreError> {
        self.db.read(|tx| {
            let pool = pools::require(tx, pool)?;
            match read::linked_user_id(tx, &pool, provider, subject)? {
                Some(id) => read::user(tx, id),
                None => Ok(None),
            }
        })
    }

    /// One read transaction: the pool's row, then the lookup's indexed reads.
    fn find_pool_user(
        &self,
        pool: &UserPoolId,
        name: &str,
    ) -> Result<(PoolRecord, Option<UserRecord>), StoreError> {
        self.db.read(|tx| {
            let record = pools::require(tx, pool)?;
            for key in keys::lookup_order(&record, name) {
                if let Some(id) = read::user_id(tx, &record, key)? {
                    let user = read::user(tx, id)?;
                    return Ok((record, user));
                }
            }
            Ok((record, None))
        })
    }

    /// One write transaction that does not read the pool's row: the user's row is found
    /// under `pool`'s keys and replaced by compare-and-swap. Only when that fails does it
    /// look at the pool, to report a deleted one as `PoolNotFound`.
    fn update_user_in(&self, pool: &PoolRecord, user: &UserRecord) -> Result<u64, StoreError> {
        self.db.write(|tx| match write::update(tx, pool, user) {
            Err(Failure::Store(StoreError::NotFound)) if pools::get(tx, &pool.id)?.is_none() => {
                Err(StoreError::PoolNotFound(pool.id.as_str().to_owned()).into())
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
        self.db.read(|tx| {
            let pool = pools::require(tx, pool)?;
            read::list(tx, &pool, after, limit)
        })
    }

    fn create_group(&self, group: &GroupRecord) -> Result<u64, StoreError> {
        self.db.write(|tx| groups::create(tx, group))
    }

    fn get_group(&self, pool: &UserPoolId, name: &str) -> Result<Option<GroupRecord>, StoreError> {
        self.db.read(|tx| groups::get(tx, pool, name))
    }

    fn update_group(&self, group: &GroupRecord) -> Result<u64, StoreError> {
        self.db.write(|tx| groups::update(tx, group))
    }

    /// Memberships go by `ON DELETE CASCADE`, in the same transaction.
    fn delete_group(&self, pool: &UserPoolId, name: &str) -> Result<(), StoreError> {
        self.db.write(|tx| groups::delete(tx, pool, name))
    }

    fn list_groups(
        &self,
        pool: &UserPoolId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<GroupRecord>, StoreError> {
        self.db.read(|tx| groups::list(tx, pool, after, limit))
    }

    fn add_user_to_group(
        &self,
        pool: &UserPoolId,
        group: &str,
        sub: Uuid,
    ) -> Result<(), StoreError> {
        self.db.write(|tx| groups::add_member(tx, pool, group, sub))
    }

    fn remove_user_from_group(
        &self,
        pool: &UserPoolId,
        group: &str,
        sub: Uuid,
    ) -> Result<bool, StoreError> {
        self.db
            .write(|tx| groups::remove_member(tx, pool, group, sub))
    }

    fn list_groups_for_user(
        &self,
        pool: &UserPoolId,
        sub: Uuid,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<GroupRecord>, StoreError> {
        self.db
            .read(|tx| groups::list_for_user(tx, pool, sub, after, limit))
    }

    fn list_users_in_group(
        &self,
        pool: &UserPoolId,
        group: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<UserRecord>, StoreError> {
        self.db
            .read(|tx| groups::list_members(tx, pool, group, after, limit))
    }

    fn replace_client_secret(
        &self,
        pool: &UserPoolId,
        client_id: &str,
        expected: &str,
        new: &str,
    ) -> Result<bool, StoreError> {
        self.db
            .write(|tx| pools::replace_client_secret(tx, pool, client_id, expected, new))
    }
}

impl TokenStore for SqliteStore {
    fn signing_key(&self, pool: &UserPoolId) -> Result<Option<SigningKey>, StoreError> {
        self.db.read(|tx| tokens::signing_key(tx, pool))
    }

    /// `INSERT ... ON CONFLICT DO NOTHING` and a read back, in one write transaction: of
    /// connections racing on one file, the first to commit wins and the others read its key.
    fn insert_signing_key(
        &self,
        pool: &UserPoolId,
        key: &SigningKey,
    ) -> Result<SigningKey, StoreError> {
        self.db
            .write(|tx| tokens::insert_signing_key(tx, pool, key))
    }

    fn insert_token_session(&self, session: &TokenSession) -> Result<(), StoreError> {
        self.db.write(|tx| tokens::insert_session(tx, session))
    }

    fn find_token_session(
        &self,
        pool: &UserPoolId,
        origin_jti: Uuid,
    ) -> Result<Option<TokenSession>, StoreError> {
        self.db
            .read(|tx| tokens::find_session(tx, pool, origin_jti))
    }

    fn find_token_session_by_refresh(
        &self,
        pool: &UserPoolId,
        refresh_digest: &[u8; 32],
    ) -> Result<Option<TokenSession>, StoreError> {
        self.db
            .read(|tx| tokens::find_session_by_refresh(tx, pool, refresh_digest))
    }

    fn revoke_token_session(
        &self,
        pool: &UserPoolId,
        origin_jti: Uuid,
    ) -> Result<bool, StoreError> {
        self.db.write(|tx| tokens::revoke_one(tx, pool, origin_jti))
    }

    fn revoke_token_sessions(&self, pool: &UserPoolId, sub: Uuid) -> Result<u64, StoreError> {
        self.db.write(|tx| tokens::revoke(tx, pool, sub))
    }

    fn replace_signing_key(
        &self,
        pool: &UserPoolId,
        kid: &str,
        expected: &[u8],
        new: &[u8],
    ) -> Result<bool, StoreError> {
        self.db
            .write(|tx| tokens::replace_signing_key(tx, pool, kid, expected, new))
    }

    fn insert_authorization_code(&self, code: &AuthorizationCode) -> Result<(), StoreError> {
        self.db.write(|tx| oauth::insert_code(tx, code))
    }

    /// `DELETE ... RETURNING` in one write transaction: of connections racing with one
    /// code, the first to commit gets the row and the others find none.
    fn take_authorization_code(
        &self,
        pool: &UserPoolId,
        code_digest: &[u8; 32],
    ) -> Result<Option<AuthorizationCode>, StoreError> {
        self.db.write(|tx| oauth::take_code(tx, pool, code_digest))
    }
}

impl OAuthStore for SqliteStore {
    fn create_domain(&self, domain: &DomainRecord) -> Result<u64, StoreError> {
        self.db.write(|tx| oauth::create_domain(tx, domain))
    }

    fn get_domain(&self, domain: &str) -> Result<Option<DomainRecord>, StoreError> {
        self.db.read(|tx| oauth::get_domain(tx, domain))
    }

    fn domain_of_pool(&self, pool: &UserPoolId) -> Result<Option<DomainRecord>, StoreError> {
        self.db.read(|tx| oauth::domain_of_pool(tx, pool))
    }

    fn update_domain(&self, domain: &DomainRecord) -> Result<u64, StoreError> {
        self.db.write(|tx| oauth::update_domain(tx, domain))
    }

    fn delete_domain(&self, pool: &UserPoolId, domain: &str) -> Result<(), StoreError> {
        self.db.write(|tx| oauth::delete_domain(tx, pool, domain))
    }

    fn create_resource_server(&self, server: &ResourceServerRecord) -> Result<u64, StoreError> {
        self.db
            .write(|tx| oauth::create_resource_server(tx, server))
    }

    fn get_resource_server(
        &self,
        pool: &UserPoolId,
        identifier: &str,
    ) -> Result<Option<ResourceServerRecord>, StoreError> {
        self.db
            .read(|tx| oauth::get_resource_server(tx, pool, identifier))
    }

    fn list_resource_servers(
        &self,
        pool: &UserPoolId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<ResourceServerRecord>, StoreError> {
        self.db
            .read(|tx| oauth::list_resource_servers(tx, pool, after, limit))
    }

    fn update_resource_server(&self, server: &ResourceServerRecord) -> Result<u64, StoreError> {
        self.db
            .write(|tx| oauth::update_resource_server(tx, server))
    }

    fn delete_resource_server(
        &self,
        pool: &UserPoolId,
        identifier: &str,
    ) -> Result<(), StoreError> {
        self.db
            .write(|tx| oauth::delete_resource_server(tx, pool, identifier))
    }

    fn create_identity_provider(
        &self,
        provider: &IdentityProviderRecord,
    ) -> Result<u64, StoreError> {
        self.db
            .write(|tx| oauth::create_identity_provider(tx, provider))
    }

    fn get_identity_provider(
        &self,
        pool: &UserPoolId,
        provider_name: &str,
    ) -> Result<Option<IdentityProviderRecord>, StoreError> {
        self.db
            .read(|tx| oauth::get_identity_provider(tx, pool, provider_name))
    }

    fn find_identity_provider_by_identifier(
        &self,
        pool: &UserPoolId,
        identifier: &str,
    ) -> Result<Option<IdentityProviderRecord>, StoreError> {
        self.db
            .read(|tx| oauth::find_identity_provider_by_identifier(tx, pool, identifier))
    }

    fn list_identity_providers(
        &self,
        pool: &UserPoolId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<IdentityProviderRecord>, StoreError> {
        self.db
            .read(|tx| oauth::list_identity_providers(tx, pool, after, limit))
    }

    fn update_identity_provider(
        &self,
        provider: &IdentityProviderRecord,
    ) -> Result<u64, StoreError> {
        self.db
            .write(|tx| oauth::update_identity_provider(tx, provider))
    }

    fn delete_identity_provider(
        &self,
        pool: &UserPoolId,
        provider_name: &str,
    ) -> Result<(), StoreError> {
        self.db
            .write(|tx| oauth::delete_identity_provider(tx, pool, provider_name))
    }
}

#[cfg(test)]
mod round_trips {
    //! How many transactions an operation costs, counted where they begin (SPEC §3, §8).

    use std::sync::Arc;
    use std::sync::atomic::Ordering;

    use userpool::{Caller, ClientSettings, PoolSettings, UserPools};
    use userpool_core::{HashParams, PasswordPolicy};

    use super::SqliteStore;

    fn begun(store: &SqliteStore) -> (u64, u64) {
        (
            store.db.begun.0.load(Ordering::Relaxed),
            store.db.begun.1.load(Ordering::Relaxed),
        )
    }

    #[test]
    fn s3_admin_set_user_password_is_one_read_and_one_write() {
        let store = Arc::new(SqliteStore::open_in_memory().expect("open"));
        let pools = UserPools::new(Arc::clone(&store));
        let admin = Caller::new("arn:aws:iam::123456789012:user/admin");
        let settings = PoolSettings {
            policy: PasswordPolicy::default(),
            hash_params: HashParams::new(1024, 1, 1).expect("params"),
            ..PoolSettings::default()
        };
        let pool = pools
            .create_user_pool(&admin, "round trips", settings)
            .expect("create_user_pool");
        pools
            .admin_create_user(&admin, pool.id.as_str(), "sam", None, &[], None)
            .expect("admin_create_user");
        for (password, permanent) in [("Fresh-Pass-1!", Some(true)), ("Other-Pass-2!", None)] {
            let before = begun(&store);
            let user = pools
                .admin_set_user_password(&admin, pool.id.as_str(), "sam", password, permanent)
                .expect("admin_set_user_password");
            let after = begun(&store);
            assert_eq!(
                (after.0 - before.0, after.1 - before.1),
                (1, 1),
                "one read transaction (pool and user) and one write"
            );
            assert_eq!(user.username, "sam");
        }
        // A refusal reads once and writes nothing.
        let before = begun(&store);
        pools
            .admin_set_user_password(&admin, pool.id.as_str(), "nobody", "Fresh-Pass-1!", None)
            .expect_err("no such user");
        let after = begun(&store);
        assert_eq!((after.0 - before.0, after.1 - before.1), (1, 0));
    }

    #[test]
    fn s3_password_sign_in_reads_the_client_with_its_pool_then_the_user() {
        let store = Arc::new(SqliteStore::open_in_memory().expect("open"));
        let pools = UserPools::new(Arc::clone(&store));
        let admin = Caller::new("arn:aws:iam::123456789012:user/admin");
        let settings = PoolSettings {
            hash_params: HashParams::new(1024, 1, 1).expect("params"),
            ..PoolSettings::default()
        };
        let pool = pools
            .create_user_pool(&admin, "round trips", settings)
            .expect("create_user_pool");
        let client = pools
            .create_user_pool_client(
                &admin,
                pool.id.as_str(),
                "app",
                ClientSettings {
                    explicit_auth_flows: vec!["ALLOW_USER_PASSWORD_AUTH".into()],
                    ..ClientSettings::default()
                },
            )
            .expect("create_user_pool_client");
        pools
            .admin_create_user(&admin, pool.id.as_str(), "sam", None, &[], None)
            .expect("admin_create_user");
        pools
            .admin_set_user_password(&admin, pool.id.as_str(), "sam", "Fresh-Pass-1!", Some(true))
            .expect("admin_set_user_password");
        let sign_in = |password: &str| {
            let before = begun(&store);
            let outcome =
                pools.initiate_auth(&client.client_id, "USER_PASSWORD_AUTH", "sam", password);
            let after = begun(&store);
            (outcome, (after.0 - before.0, after.1 - before.1))
        };
        let (outcome, trips) = sign_in("Fresh-Pass-1!");
        outcome.expect("sign in");
        assert_eq!(trips, (2, 0), "the client with its pool, then the user");
        let (outcome, trips) = sign_in("Wrong-Pass-1!");
        outcome.expect_err("wrong password");
        assert_eq!(trips, (2, 1), "the same reads, and the failure recorded");
        let before = begun(&store);
        pools
            .initiate_auth("nosuchclient", "USER_PASSWORD_AUTH", "sam", "Fresh-Pass-1!")
            .expect_err("no such client");
        let after = begun(&store);
        assert_eq!(
            (after.0 - before.0, after.1 - before.1),
            (1, 0),
            "an unknown client is one read"
        );
    }
}
