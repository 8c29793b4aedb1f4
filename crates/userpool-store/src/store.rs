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
use crate::oauth::OAuthStore;
use crate::pool::{ClientRecord, PoolRecord};
use crate::tokens::TokenStore;

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
/// ([`crate::groups`]), with two capabilities as supertraits: [`TokenStore`] (each pool's
/// signing key, token sessions, authorization codes) and [`OAuthStore`] (domains, resource
/// servers, identity providers).
///
/// The methods without a default are required (the group methods too: every store must
/// hold groups, their claims are in every token of a member). A store implements the two
/// capabilities, or declares it has none with an empty impl (`impl TokenStore for MyStore
/// {}`): the conformance kit then skips their cases, saying so, where it would otherwise
/// fail a store that implements half of one. Bounds stay `S: Store`: the capabilities come
/// with it.
///
/// Every method is atomic. Implementations must pass the conformance kit
/// (`userpool_store::conformance`, feature `conformance`).
pub trait Store: TokenStore + OAuthStore + Send + Sync {
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

    /// Finds an app client by its id alone, with its pool: the prelude of every public
    /// operation (InitiateAuth, SignUp, ForgotPassword, ...), which names only the client
    /// and needs both. A store with one consistent read of the two should override it, so
    /// that the prelude costs one read instead of two.
    ///
    /// `None` when no client has that id (a deleted pool's clients are gone with it). The
    /// default calls [`Store::find_client`] and then [`Store::get_pool`], two reads each
    /// consistent on its own: a pool deleted between them is `PoolNotFound`, as reading
    /// the pool after the client always answered; an override that reads both at once
    /// never sees a client without its pool.
    ///
    /// # Errors
    /// `PoolNotFound` (the default only, as above), `Backend`.
    fn find_client_pool(
        &self,
        client_id: &str,
    ) -> Result<Option<(ClientRecord, PoolRecord)>, StoreError> {
        let Some(client) = self.find_client(client_id)? else {
            return Ok(None);
        };
        let pool = self
            .get_pool(&client.pool_id)?
            .ok_or_else(|| StoreError::PoolNotFound(client.pool_id.as_str().to_owned()))?;
        Ok(Some((client, pool)))
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
}
