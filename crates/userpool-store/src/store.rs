//! The storage trait hosts implement for their own database (SPEC §3, §8).
//!
//! Writes are compare-and-swap on a version the store issues: `insert_*` fails if the
//! record exists, `update_*` fails unless the stored version equals the one the record was
//! read with. Uniqueness of username, alias values and `sub` within a pool is the store's
//! to enforce, atomically with the write. Lookup keys are computed by [`crate::keys`], so
//! every implementation folds case and picks alias values the same way.
//!
//! The trait is synchronous and object-safe (`Arc<dyn Store>` works). An async host calls
//! it from `tokio::task::spawn_blocking` (the service hashes passwords anyway, which must
//! not run on an async worker thread).

use userpool_core::{AliasAttribute, UserPoolId, UserRecord, Username};
use uuid::Uuid;

use crate::groups::GroupRecord;
use crate::oauth::{AuthorizationCode, DomainRecord, IdentityProviderRecord, ResourceServerRecord};
use crate::pool::{ClientRecord, PoolRecord};
use crate::tokens::{SigningKey, TokenSession};

/// What a store can fail with. Backend details stay in [`StoreError::Backend`] for the
/// host's logs; clients only ever see `InternalErrorException`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The pool does not exist.
    #[error("user pool {0} does not exist")]
    PoolNotFound(String),
    /// The user (or client) does not exist.
    #[error("record not found")]
    NotFound,
    /// The record changed since it was read (compare-and-swap failed).
    #[error("version conflict: expected {expected}, found {found:?}")]
    Conflict {
        /// The version the writer read.
        expected: u64,
        /// The version in the store (`None` if the record is gone).
        found: Option<u64>,
    },
    /// A pool with this id exists.
    #[error("user pool already exists")]
    PoolExists,
    /// The username is taken in this pool (after case folding, if the pool folds).
    #[error("username already exists")]
    UsernameExists,
    /// The alias value belongs to another user of this pool.
    #[error("alias value already exists: {0:?}")]
    AliasExists(AliasAttribute),
    /// The `sub` belongs to another user of this pool.
    #[error("sub already exists")]
    SubExists,
    /// An app client with this id exists.
    #[error("client already exists")]
    ClientExists,
    /// A token session with this `origin_jti` or refresh digest exists in the pool. Both
    /// are random, so this is a host bug (or a broken random source), never a user error.
    #[error("token session already exists")]
    TokenSessionExists,
    /// A group with this name exists in the pool (SPEC §17).
    #[error("group already exists")]
    GroupExists,
    /// The group does not exist in the pool (SPEC §17).
    #[error("group not found")]
    GroupNotFound,
    /// The domain is taken, by this pool or another (SPEC §21).
    #[error("domain already exists")]
    DomainExists,
    /// The pool already has a domain (SPEC §21).
    #[error("user pool already has a domain")]
    PoolHasDomain,
    /// The pool has a resource server with this identifier (SPEC §21).
    #[error("resource server already exists")]
    ResourceServerExists,
    /// The pool has an identity provider with this name (SPEC §21).
    #[error("identity provider already exists")]
    IdentityProviderExists,
    /// One of the provider's `IdpIdentifiers` belongs to another provider of the pool
    /// (SPEC §21).
    #[error("identity provider identifier already exists")]
    IdpIdentifierExists,
    /// An authorization code with this digest exists in the pool: codes are random, so
    /// this is a host bug (or a broken random source), never a user error.
    #[error("authorization code already exists")]
    AuthorizationCodeExists,
    /// The store does not implement this method (a host store written before the method
    /// existed keeps compiling through the trait's default). The text names the method.
    #[error("not supported by this store: {0}")]
    Unsupported(&'static str),
    /// The backend failed (I/O, corruption, a newer schema...). The text is for logs.
    #[error("storage backend failure: {0}")]
    Backend(String),
    /// A sealed secret does not open: sealed under a key this host does not hold (a
    /// database copied without its key file), altered, or moved to another row (SPEC §14;
    /// see [`crate::seal`]).
    #[error("sealed secret unusable: {0}")]
    Sealed(#[from] crate::seal::SealError),
}

impl From<StoreError> for userpool_core::Error {
    fn from(e: StoreError) -> Self {
        use userpool_core::{Cause, Error, Internal};
        match e {
            StoreError::PoolNotFound(pool_id) => Error::UserPoolNotFound { pool_id },
            StoreError::NotFound => Error::UserNotFound,
            StoreError::UsernameExists | StoreError::SubExists => Error::UsernameExists,
            StoreError::AliasExists(a) => Error::AliasExists {
                attribute: a.as_str().to_owned(),
            },
            StoreError::PoolExists | StoreError::ClientExists => {
                Error::InvalidParameterMessage("The resource already exists.".into())
            }
            StoreError::GroupExists => Error::GroupExists,
            StoreError::GroupNotFound => Error::ResourceNotFound("Group not found.".into()),
            StoreError::DomainExists => {
                Error::InvalidParameterMessage("Domain already exists.".into())
            }
            StoreError::PoolHasDomain => {
                Error::InvalidParameterMessage("User pool already has a domain configured.".into())
            }
            StoreError::ResourceServerExists => Error::InvalidParameterMessage(
                "A resource server with this identifier already exists in this user pool.".into(),
            ),
            StoreError::IdentityProviderExists | StoreError::IdpIdentifierExists => {
                Error::InvalidParameterMessage(
                    "A provider with this name or identifier already exists in this user pool."
                        .into(),
                )
            }
            StoreError::Conflict { .. } => Error::Internal(Internal::ContentionRetriesExhausted),
            // Session ids and codes are random: a collision is a broken random source or
            // a bug.
            StoreError::TokenSessionExists | StoreError::AuthorizationCodeExists => {
                Error::Internal(Internal::Bug(Cause::new(e)))
            }
            StoreError::Unsupported(_) | StoreError::Backend(_) | StoreError::Sealed(_) => {
                Error::Internal(Internal::Backend(Cause::new(e)))
            }
        }
    }
}

/// How to find a user (SPEC §8). The service tries username, then username-attribute
/// value, then alias, then `sub`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserKey<'a> {
    /// By username; the store folds case if the pool is case-insensitive.
    Username(&'a str),
    /// By a value of an attribute the pool lists as username attribute (verified or
    /// not), or a verified alias value of one it lists as alias: the alias index holds
    /// both, as [`crate::keys::alias_keys`] says.
    Alias(AliasAttribute, &'a str),
    /// By the immutable `sub`.
    Sub(Uuid),
}

/// Persistence for pools, app clients, users, groups and their members
/// ([`crate::groups`]), and the token storage of [`crate::tokens`] (each pool's signing key
/// and its token sessions).
///
/// The group methods are required (every store must hold groups: their claims are in every
/// token of a member); the token methods have `Unsupported` defaults for stores written
/// before token storage existed.
///
/// Every method is atomic. Implementations must pass the conformance kit
/// (`userpool_store::conformance`, feature `conformance`).
pub trait Store: Send + Sync {
    /// Creates a pool; its version becomes 1.
    ///
    /// # Errors
    /// `PoolExists`, `Backend`.
    fn create_pool(&self, pool: &PoolRecord) -> Result<u64, StoreError>;

    /// Reads a pool.
    ///
    /// # Errors
    /// `Backend`.
    fn get_pool(&self, id: &UserPoolId) -> Result<Option<PoolRecord>, StoreError>;

    /// Replaces a pool's settings if its version is still `pool.version`; returns the new
    /// version. Alias attributes and case sensitivity are immutable after creation (as in
    /// Cognito); a store may refuse to change them.
    ///
    /// # Errors
    /// `PoolNotFound`, `Conflict`, `Backend`.
    fn update_pool(&self, pool: &PoolRecord) -> Result<u64, StoreError>;

    /// Deletes a pool with all its users and clients, its signing key and its token
    /// sessions.
    ///
    /// # Errors
    /// `PoolNotFound`, `Backend`.
    fn delete_pool(&self, id: &UserPoolId) -> Result<(), StoreError>;

    /// Every pool, ordered by id.
    ///
    /// # Errors
    /// `Backend`.
    fn list_pools(&self) -> Result<Vec<PoolRecord>, StoreError>;

    /// Creates an app client.
    ///
    /// # Errors
    /// `PoolNotFound`, `ClientExists`, `Backend`.
    fn create_client(&self, client: &ClientRecord) -> Result<(), StoreError>;

    /// Reads an app client of a pool.
    ///
    /// # Errors
    /// `Backend`.
    fn get_client(
        &self,
        pool: &UserPoolId,
        client_id: &str,
    ) -> Result<Option<ClientRecord>, StoreError>;

    /// Finds an app client by its id alone, whatever its pool (Cognito's public operations
    /// name only the client). Client ids are random and unique across pools.
    ///
    /// The default scans [`Store::list_pools`]; a store with an index on client ids should
    /// override it.
    ///
    /// # Errors
    /// `Backend`.
    fn find_client(&self, client_id: &str) -> Result<Option<ClientRecord>, StoreError> {
        for pool in self.list_pools()? {
            if let Some(client) = self.get_client(&pool.id, client_id)? {
                return Ok(Some(client));
            }
        }
        Ok(None)
    }

    /// App clients of a pool ordered by client id, starting after `after`, at most
    /// `limit` (ListUserPoolClients).
    ///
    /// The default returns `Unsupported`, so stores written before it existed keep
    /// compiling.
    ///
    /// # Errors
    /// `PoolNotFound`, `Backend`, `Unsupported`.
    fn list_clients(
        &self,
        pool: &UserPoolId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<ClientRecord>, StoreError> {
        let _ = (pool, after, limit);
        Err(StoreError::Unsupported("list_clients"))
    }

    /// Replaces an app client's settings (UpdateUserPoolClient), its `modified_at`
    /// included: everything but its pool, id, secret and creation time, which stay as
    /// stored.
    ///
    /// # Errors
    /// `PoolNotFound`; `NotFound` when the pool has no such client; `Backend`,
    /// `Unsupported`.
    fn update_client(&self, client: &ClientRecord) -> Result<(), StoreError> {
        let _ = client;
        Err(StoreError::Unsupported("update_client"))
    }

    /// Deletes an app client (DeleteUserPoolClient) and, atomically with it, ends what it
    /// issued: its token sessions are revoked (their refresh tokens stop working, their
    /// access tokens stop verifying) and its pending authorization codes are deleted.
    ///
    /// # Errors
    /// `PoolNotFound`; `NotFound` when the pool has no such client; `Backend`,
    /// `Unsupported`.
    fn delete_client(&self, pool: &UserPoolId, client_id: &str) -> Result<(), StoreError> {
        let _ = (pool, client_id);
        Err(StoreError::Unsupported("delete_client"))
    }

    /// How many users the pool has (DescribeUserPool's `EstimatedNumberOfUsers`).
    ///
    /// The default pages through [`Store::list_users`], which every store has; a store
    /// that can count directly should override it.
    ///
    /// # Errors
    /// `PoolNotFound`, `Backend`.
    fn count_users(&self, pool: &UserPoolId) -> Result<u64, StoreError> {
        const PAGE: usize = 1000;
        let record = self
            .get_pool(pool)?
            .ok_or_else(|| StoreError::PoolNotFound(pool.as_str().to_owned()))?;
        let mut count = 0u64;
        let mut after: Option<String> = None;
        loop {
            let page = self.list_users(pool, after.as_deref(), PAGE)?;
            count += page.len() as u64;
            if page.len() < PAGE {
                return Ok(count);
            }
            after = page
                .last()
                .map(|u| crate::keys::username_key(&record, u.username.as_str()));
        }
    }

    /// A durable write that changes nothing, costing what a user update costs.
    ///
    /// The service calls it when a sign-in names no user: a wrong password for a real user
    /// writes the lockout count (SPEC §6), so without a write of the same cost an unknown
    /// username would answer measurably faster on a store whose commits wait for the disk,
    /// and an attacker could enumerate users by timing. The default does nothing, which is
    /// right for stores whose writes cost next to nothing (in memory); a store that fsyncs
    /// should commit a transaction of the same durability as [`Store::update_user`].
    ///
    /// # Errors
    /// `Backend`.
    fn decoy_write(&self, pool: &UserPoolId) -> Result<(), StoreError> {
        let _ = pool;
        Ok(())
    }

    /// Inserts a new user; its version becomes 1 (returned). Fails if the username, an
    /// alias value or the `sub` is taken in the pool.
    ///
    /// # Errors
    /// `PoolNotFound`, `UsernameExists`, `AliasExists`, `SubExists`, `Backend`.
    fn insert_user(&self, pool: &UserPoolId, user: &UserRecord) -> Result<u64, StoreError>;

    /// Replaces a user if the stored version is still `user.version`; returns the new
    /// version (`user.version + 1`). Username and `sub` never change.
    ///
    /// # Errors
    /// `PoolNotFound`, `NotFound`, `Conflict`, `AliasExists`, `Backend`.
    fn update_user(&self, pool: &UserPoolId, user: &UserRecord) -> Result<u64, StoreError>;

    /// Deletes a user, with its token sessions, if the stored version is still `version`.
    ///
    /// # Errors
    /// `PoolNotFound`, `NotFound`, `Conflict`, `Backend`.
    fn delete_user(
        &self,
        pool: &UserPoolId,
        username: &Username,
        version: u64,
    ) -> Result<(), StoreError>;

    /// Finds a user by one key, with the version it was stored at in `version`.
    ///
    /// # Errors
    /// `PoolNotFound`, `Backend`.
    fn find_user(
        &self,
        pool: &UserPoolId,
        key: UserKey<'_>,
    ) -> Result<Option<UserRecord>, StoreError>;

    /// Reads a pool and the user `name` finds in it, in one consistent read: the whole
    /// lookup of SPEC §8 ([`crate::keys::lookup_order`]: username, username-attribute and
    /// alias values, `sub`), first match wins. A write path reads here once and writes
    /// with [`Store::update_user_in`], so that an operation on a user costs the store one
    /// read and one write.
    ///
    /// The default calls [`Store::get_pool`] and then [`Store::find_user`] per key (several
    /// reads, each consistent on its own); a store with transactions should override it.
    ///
    /// # Errors
    /// `PoolNotFound`, `Backend`.
    fn find_pool_user(
        &self,
        pool: &UserPoolId,
        name: &str,
    ) -> Result<(PoolRecord, Option<UserRecord>), StoreError> {
        let record = self
            .get_pool(pool)?
            .ok_or_else(|| StoreError::PoolNotFound(pool.as_str().to_owned()))?;
        for key in crate::keys::lookup_order(&record, name) {
            if let Some(user) = self.find_user(pool, key)? {
                return Ok((record, Some(user)));
            }
        }
        Ok((record, None))
    }

    /// [`Store::update_user`] with the pool as the caller read it: the store may compute
    /// the user's keys from `pool`'s immutable settings (case sensitivity, username and
    /// alias attributes) instead of reading the pool again. The compare-and-swap on the
    /// user's version is what keeps this safe: a pool deleted since it was read has no
    /// users left, so the write fails (`PoolNotFound`) and writes nothing.
    ///
    /// The default calls [`Store::update_user`].
    ///
    /// # Errors
    /// As [`Store::update_user`].
    fn update_user_in(&self, pool: &PoolRecord, user: &UserRecord) -> Result<u64, StoreError> {
        self.update_user(&pool.id, user)
    }

    /// Users of a pool ordered by username key, starting after `after`, at most `limit`.
    ///
    /// # Errors
    /// `PoolNotFound`, `Backend`.
    fn list_users(
        &self,
        pool: &UserPoolId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<UserRecord>, StoreError>;

    /// The user a provider identity is linked to (AdminLinkProviderForUser, SPEC §21): one
    /// whose [`crate::keys::linked_identities`] hold `(provider, subject)`, compared
    /// exactly; the first in username-key order should several.
    ///
    /// A federated sign-in asks this for every new provider identity, and anyone with a
    /// social account can make new identities, so a store should keep an index of
    /// [`crate::keys::linked_identities`] written with the user, as it does aliases. The
    /// default pages through [`Store::list_users`], which every store has, so stores
    /// written before it existed keep working, at the cost of reading the whole pool.
    ///
    /// # Errors
    /// `PoolNotFound`, `Backend`.
    fn find_linked_user(
        &self,
        pool: &UserPoolId,
        provider: &str,
        subject: &str,
    ) -> Result<Option<UserRecord>, StoreError> {
        const PAGE: usize = 60;
        let record = self
            .get_pool(pool)?
            .ok_or_else(|| StoreError::PoolNotFound(pool.as_str().to_owned()))?;
        let mut after: Option<String> = None;
        loop {
            let page = self.list_users(pool, after.as_deref(), PAGE)?;
            let found = page.iter().find(|user| {
                crate::keys::linked_identities(user)
                    .iter()
                    .any(|(p, s)| p == provider && s == subject)
            });
            if let Some(user) = found {
                return Ok(Some(user.clone()));
            }
            if page.len() < PAGE {
                return Ok(None);
            }
            after = page
                .last()
                .map(|u| crate::keys::username_key(&record, u.username.as_str()));
        }
    }

    /// Creates a group in `group.pool_id`; its version becomes 1 (returned).
    ///
    /// # Errors
    /// `PoolNotFound`; `GroupExists` when the pool has a group of that name (compared
    /// exactly; nothing is written); `Backend`.
    fn create_group(&self, group: &GroupRecord) -> Result<u64, StoreError>;

    /// Reads a group of a pool.
    ///
    /// # Errors
    /// `PoolNotFound`, `Backend`.
    fn get_group(&self, pool: &UserPoolId, name: &str) -> Result<Option<GroupRecord>, StoreError>;

    /// Replaces a group's description, precedence, role and modification date if its
    /// stored version is still `group.version`; returns the new version. Name, pool and
    /// creation date never change.
    ///
    /// # Errors
    /// `PoolNotFound`, `GroupNotFound`, `Conflict`, `Backend`.
    fn update_group(&self, group: &GroupRecord) -> Result<u64, StoreError>;

    /// Deletes a group with its memberships (its users stay).
    ///
    /// # Errors
    /// `PoolNotFound`, `GroupNotFound`, `Backend`.
    fn delete_group(&self, pool: &UserPoolId, name: &str) -> Result<(), StoreError>;

    /// Groups of a pool ordered by name (by bytes), starting after `after`, at most
    /// `limit`. A group created or deleted meanwhile never makes a later page repeat or
    /// skip another group.
    ///
    /// # Errors
    /// `PoolNotFound`, `Backend`.
    fn list_groups(
        &self,
        pool: &UserPoolId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<GroupRecord>, StoreError>;

    /// Makes the user `sub` a member of the group `group`; a member already is one, and
    /// adding again changes nothing (as Cognito's AdminAddUserToGroup).
    ///
    /// # Errors
    /// `PoolNotFound`; `GroupNotFound`; `NotFound` when no user of the pool has `sub`;
    /// `Backend`.
    fn add_user_to_group(
        &self,
        pool: &UserPoolId,
        group: &str,
        sub: Uuid,
    ) -> Result<(), StoreError>;

    /// Ends the membership of `sub` in `group`; returns whether there was one.
    ///
    /// # Errors
    /// `PoolNotFound`, `GroupNotFound`, `Backend`.
    fn remove_user_from_group(
        &self,
        pool: &UserPoolId,
        group: &str,
        sub: Uuid,
    ) -> Result<bool, StoreError>;

    /// The groups the user `sub` is a member of, ordered by name, after `after`, at most
    /// `limit` (none for an unknown `sub`).
    ///
    /// # Errors
    /// `PoolNotFound`, `Backend`.
    fn list_groups_for_user(
        &self,
        pool: &UserPoolId,
        sub: Uuid,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<GroupRecord>, StoreError>;

    /// The members of `group`, ordered by username key (as [`Store::list_users`]), after
    /// the username key `after`, at most `limit`.
    ///
    /// # Errors
    /// `PoolNotFound`, `GroupNotFound`, `Backend`.
    fn list_users_in_group(
        &self,
        pool: &UserPoolId,
        group: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<UserRecord>, StoreError>;

    /// The pool's token-signing key, if one was stored.
    ///
    /// The default returns `Unsupported`, so stores written before token storage existed
    /// keep compiling; a host that serves tokens needs a store that overrides all seven token
    /// methods (the conformance kit checks them).
    ///
    /// # Errors
    /// `PoolNotFound`, `Backend`, `Unsupported`.
    fn signing_key(&self, pool: &UserPoolId) -> Result<Option<SigningKey>, StoreError> {
        let _ = pool;
        Err(StoreError::Unsupported("signing_key"))
    }

    /// Stores `key` unless the pool already has one, and returns the key in force: `key`
    /// if this call stored it, else the one stored first. Atomic, so processes racing to
    /// create a pool's first key all end up signing with the same one.
    ///
    /// # Errors
    /// `PoolNotFound`, `Backend`, `Unsupported`.
    fn insert_signing_key(
        &self,
        pool: &UserPoolId,
        key: &SigningKey,
    ) -> Result<SigningKey, StoreError> {
        let _ = (pool, key);
        Err(StoreError::Unsupported("insert_signing_key"))
    }

    /// Stores a new token session in `session.pool_id`. The user (`session.sub`) must
    /// exist: a session is deleted with its user, so one for a user deleted meanwhile is
    /// refused rather than left behind.
    ///
    /// # Errors
    /// `PoolNotFound`; `NotFound` when no user of the pool has `session.sub`;
    /// `TokenSessionExists` when the pool has a session with the same `origin_jti` or
    /// refresh digest (nothing is written); `Backend`, `Unsupported`.
    fn insert_token_session(&self, session: &TokenSession) -> Result<(), StoreError> {
        let _ = session;
        Err(StoreError::Unsupported("insert_token_session"))
    }

    /// The session of a pool with this `origin_jti`.
    ///
    /// # Errors
    /// `PoolNotFound`, `Backend`, `Unsupported`.
    fn find_token_session(
        &self,
        pool: &UserPoolId,
        origin_jti: Uuid,
    ) -> Result<Option<TokenSession>, StoreError> {
        let _ = (pool, origin_jti);
        Err(StoreError::Unsupported("find_token_session"))
    }

    /// The session of a pool whose refresh token has this digest (a refresh token of
    /// another pool is not found, even with the same digest).
    ///
    /// # Errors
    /// `PoolNotFound`, `Backend`, `Unsupported`.
    fn find_token_session_by_refresh(
        &self,
        pool: &UserPoolId,
        refresh_digest: &[u8; 32],
    ) -> Result<Option<TokenSession>, StoreError> {
        let _ = (pool, refresh_digest);
        Err(StoreError::Unsupported("find_token_session_by_refresh"))
    }

    /// Marks every session of the user `sub` in the pool revoked (a global sign-out);
    /// returns how many were newly revoked (already revoked ones are not counted). Other
    /// users' sessions are untouched.
    ///
    /// # Errors
    /// `PoolNotFound`, `Backend`, `Unsupported`.
    fn revoke_token_sessions(&self, pool: &UserPoolId, sub: Uuid) -> Result<u64, StoreError> {
        let _ = (pool, sub);
        Err(StoreError::Unsupported("revoke_token_sessions"))
    }

    /// Marks the one session `origin_jti` of the pool revoked (RFC 7009 revocation of its
    /// refresh token, SPEC §21); returns whether it was newly revoked. Other sessions of
    /// the same user are untouched.
    ///
    /// # Errors
    /// `PoolNotFound`, `Backend`, `Unsupported`.
    fn revoke_token_session(
        &self,
        pool: &UserPoolId,
        origin_jti: Uuid,
    ) -> Result<bool, StoreError> {
        let _ = (pool, origin_jti);
        Err(StoreError::Unsupported("revoke_token_session"))
    }

    /// Replaces an app client's stored secret with `new` if it is still `expected`
    /// (compare-and-swap on the stored text); returns whether it was replaced. Nothing
    /// else about the client changes.
    ///
    /// [`crate::SealingStore`] calls it to seal a legacy plaintext secret, or to seal one
    /// again under the newest key after a rotation, when it reads the client (SPEC §14).
    /// A store that does not implement it (the default, `Unsupported`) keeps working: such
    /// values are then opened as they are on every read, and never rewritten.
    ///
    /// # Errors
    /// `Backend`, `Unsupported`.
    fn replace_client_secret(
        &self,
        pool: &UserPoolId,
        client_id: &str,
        expected: &str,
        new: &str,
    ) -> Result<bool, StoreError> {
        let _ = (pool, client_id, expected, new);
        Err(StoreError::Unsupported("replace_client_secret"))
    }

    /// Replaces the bytes of the pool's signing key `kid` with `new` if they are still
    /// `expected` (compare-and-swap); returns whether they were replaced. The `kid` and
    /// creation time stay. Used, and optional, as [`Store::replace_client_secret`] is.
    ///
    /// # Errors
    /// `Backend`, `Unsupported`.
    fn replace_signing_key(
        &self,
        pool: &UserPoolId,
        kid: &str,
        expected: &[u8],
        new: &[u8],
    ) -> Result<bool, StoreError> {
        let _ = (pool, kid, expected, new);
        Err(StoreError::Unsupported("replace_signing_key"))
    }

    /// Stores a pool's domain at version 1 (SPEC §21).
    ///
    /// # Errors
    /// `PoolNotFound`; `DomainExists` when any pool has the domain; `PoolHasDomain` when
    /// this pool has another; `Backend`, `Unsupported`.
    fn create_domain(&self, domain: &DomainRecord) -> Result<u64, StoreError> {
        let _ = domain;
        Err(StoreError::Unsupported("create_domain"))
    }

    /// The domain of that name, whatever its pool (DescribeUserPoolDomain names only the
    /// domain).
    ///
    /// # Errors
    /// `Backend`, `Unsupported`.
    fn get_domain(&self, domain: &str) -> Result<Option<DomainRecord>, StoreError> {
        let _ = domain;
        Err(StoreError::Unsupported("get_domain"))
    }

    /// The pool's domain, if it has one.
    ///
    /// # Errors
    /// `PoolNotFound`, `Backend`, `Unsupported`.
    fn domain_of_pool(&self, pool: &UserPoolId) -> Result<Option<DomainRecord>, StoreError> {
        let _ = pool;
        Err(StoreError::Unsupported("domain_of_pool"))
    }

    /// Replaces a domain's certificate and managed-login version if its stored version is
    /// still `domain.version`; returns the new version. Name, pool and creation time stay.
    ///
    /// # Errors
    /// `PoolNotFound`; `NotFound` when the pool has no such domain; `Conflict`; `Backend`,
    /// `Unsupported`.
    fn update_domain(&self, domain: &DomainRecord) -> Result<u64, StoreError> {
        let _ = domain;
        Err(StoreError::Unsupported("update_domain"))
    }

    /// Deletes the pool's domain `domain`.
    ///
    /// # Errors
    /// `PoolNotFound`; `NotFound` when the pool has no such domain; `Backend`,
    /// `Unsupported`.
    fn delete_domain(&self, pool: &UserPoolId, domain: &str) -> Result<(), StoreError> {
        let _ = (pool, domain);
        Err(StoreError::Unsupported("delete_domain"))
    }

    /// Stores a resource server at version 1 (SPEC §21).
    ///
    /// # Errors
    /// `PoolNotFound`; `ResourceServerExists` when the pool has one with this identifier
    /// (compared exactly); `Backend`, `Unsupported`.
    fn create_resource_server(&self, server: &ResourceServerRecord) -> Result<u64, StoreError> {
        let _ = server;
        Err(StoreError::Unsupported("create_resource_server"))
    }

    /// A resource server of a pool.
    ///
    /// # Errors
    /// `PoolNotFound`, `Backend`, `Unsupported`.
    fn get_resource_server(
        &self,
        pool: &UserPoolId,
        identifier: &str,
    ) -> Result<Option<ResourceServerRecord>, StoreError> {
        let _ = (pool, identifier);
        Err(StoreError::Unsupported("get_resource_server"))
    }

    /// Resource servers of a pool ordered by identifier (by bytes), after `after`, at most
    /// `limit`.
    ///
    /// # Errors
    /// `PoolNotFound`, `Backend`, `Unsupported`.
    fn list_resource_servers(
        &self,
        pool: &UserPoolId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<ResourceServerRecord>, StoreError> {
        let _ = (pool, after, limit);
        Err(StoreError::Unsupported("list_resource_servers"))
    }

    /// Replaces a resource server's name and scopes if its stored version is still
    /// `server.version`; returns the new version.
    ///
    /// # Errors
    /// `PoolNotFound`; `NotFound`; `Conflict`; `Backend`, `Unsupported`.
    fn update_resource_server(&self, server: &ResourceServerRecord) -> Result<u64, StoreError> {
        let _ = server;
        Err(StoreError::Unsupported("update_resource_server"))
    }

    /// Deletes a resource server.
    ///
    /// # Errors
    /// `PoolNotFound`; `NotFound`; `Backend`, `Unsupported`.
    fn delete_resource_server(
        &self,
        pool: &UserPoolId,
        identifier: &str,
    ) -> Result<(), StoreError> {
        let _ = (pool, identifier);
        Err(StoreError::Unsupported("delete_resource_server"))
    }

    /// Stores an identity provider at version 1 (SPEC §21).
    ///
    /// # Errors
    /// `PoolNotFound`; `IdentityProviderExists` when the pool has one of this name;
    /// `IdpIdentifierExists` when one of its identifiers is another provider's (nothing is
    /// written); `Backend`, `Unsupported`.
    fn create_identity_provider(
        &self,
        provider: &IdentityProviderRecord,
    ) -> Result<u64, StoreError> {
        let _ = provider;
        Err(StoreError::Unsupported("create_identity_provider"))
    }

    /// An identity provider of a pool, by name.
    ///
    /// # Errors
    /// `PoolNotFound`, `Backend`, `Unsupported`.
    fn get_identity_provider(
        &self,
        pool: &UserPoolId,
        provider_name: &str,
    ) -> Result<Option<IdentityProviderRecord>, StoreError> {
        let _ = (pool, provider_name);
        Err(StoreError::Unsupported("get_identity_provider"))
    }

    /// The identity provider of a pool that lists `identifier` in its `IdpIdentifiers`.
    ///
    /// # Errors
    /// `PoolNotFound`, `Backend`, `Unsupported`.
    fn find_identity_provider_by_identifier(
        &self,
        pool: &UserPoolId,
        identifier: &str,
    ) -> Result<Option<IdentityProviderRecord>, StoreError> {
        let _ = (pool, identifier);
        Err(StoreError::Unsupported(
            "find_identity_provider_by_identifier",
        ))
    }

    /// Identity providers of a pool ordered by name (by bytes), after `after`, at most
    /// `limit`.
    ///
    /// # Errors
    /// `PoolNotFound`, `Backend`, `Unsupported`.
    fn list_identity_providers(
        &self,
        pool: &UserPoolId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<IdentityProviderRecord>, StoreError> {
        let _ = (pool, after, limit);
        Err(StoreError::Unsupported("list_identity_providers"))
    }

    /// Replaces a provider's details, attribute mapping, identifiers and modification
    /// time if its stored version is still `provider.version`; returns the new version.
    /// Name, type, pool and creation time stay.
    ///
    /// # Errors
    /// `PoolNotFound`; `NotFound`; `Conflict`; `IdpIdentifierExists`; `Backend`,
    /// `Unsupported`.
    fn update_identity_provider(
        &self,
        provider: &IdentityProviderRecord,
    ) -> Result<u64, StoreError> {
        let _ = provider;
        Err(StoreError::Unsupported("update_identity_provider"))
    }

    /// Deletes an identity provider.
    ///
    /// # Errors
    /// `PoolNotFound`; `NotFound`; `Backend`, `Unsupported`.
    fn delete_identity_provider(
        &self,
        pool: &UserPoolId,
        provider_name: &str,
    ) -> Result<(), StoreError> {
        let _ = (pool, provider_name);
        Err(StoreError::Unsupported("delete_identity_provider"))
    }

    /// Stores an authorization code, and forgets the pool's codes that expired at or
    /// before `code.issued_at` (so the codes a store holds are bounded by the issue rate
    /// times their lifetime). The user (`code.sub`) must exist; its codes go with it.
    ///
    /// # Errors
    /// `PoolNotFound`; `NotFound` when no user of the pool has `code.sub`;
    /// `AuthorizationCodeExists`; `Backend`, `Unsupported`.
    fn insert_authorization_code(&self, code: &AuthorizationCode) -> Result<(), StoreError> {
        let _ = code;
        Err(StoreError::Unsupported("insert_authorization_code"))
    }

    /// Removes and returns the pool's code with this digest, atomically: of callers racing
    /// with one code, one gets it and the others `None`. An expired code is returned too
    /// (and gone): the caller decides, by `expires_at`, that it no longer works.
    ///
    /// # Errors
    /// `PoolNotFound`, `Backend`, `Unsupported`.
    fn take_authorization_code(
        &self,
        pool: &UserPoolId,
        code_digest: &[u8; 32],
    ) -> Result<Option<AuthorizationCode>, StoreError> {
        let _ = (pool, code_digest);
        Err(StoreError::Unsupported("take_authorization_code"))
    }
}
