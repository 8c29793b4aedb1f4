//! [`MemoryStore`]: the in-memory [`Store`], for tests, examples and single-process hosts
//! that accept losing everything on restart.
//!
//! Layout: one `RwLock` over the map of pools, and one `RwLock` per pool over its users,
//! clients and indexes. A user write takes its pool's write lock for the few microseconds it
//! needs to compare the version, check uniqueness and move the index entries; nothing slow
//! (hashing above all) ever runs under a lock, because the service hashes before it calls
//! the store. Writes to different pools never contend.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use userpool_core::{AliasAttribute, UserPoolId, UserRecord, Username};
use uuid::Uuid;

use crate::groups::GroupRecord;
use crate::keys;
use crate::oauth::{
    AuthorizationCode, DomainRecord, IdentityProviderRecord, OAuthStore, ResourceServerRecord,
};
use crate::pool::{ClientRecord, PoolRecord};
use crate::store::{Store, StoreError, UserKey};
use crate::tokens::{SigningKey, TokenSession, TokenStore};

/// The in-memory [`Store`]: correct under any number of threads, O(1) lookups by username,
/// alias value and `sub`, compare-and-swap on every write.
///
/// ```
/// use userpool_store::{MemoryStore, Store};
/// let store = MemoryStore::new();
/// assert!(store.list_pools()?.is_empty());
/// # Ok::<(), userpool_store::StoreError>(())
/// ```
#[derive(Debug, Default)]
pub struct MemoryStore {
    pools: RwLock<BTreeMap<UserPoolId, Arc<RwLock<PoolState>>>>,
    /// Client id → pool, so that a client can be found without its pool (as Cognito's
    /// public operations do).
    clients: RwLock<HashMap<String, UserPoolId>>,
    /// Domain → pool: domains are unique across pools (SPEC §21).
    domains: RwLock<HashMap<String, UserPoolId>>,
}

/// Everything one pool holds, behind the pool's own lock.
#[derive(Debug)]
struct PoolState {
    record: PoolRecord,
    /// Set when the pool is deleted, so a writer that fetched the pool's `Arc` before the
    /// delete cannot write into an orphan and report success.
    deleted: bool,
    clients: BTreeMap<String, ClientRecord>,
    /// Users by username key.
    users: HashMap<String, UserRecord>,
    /// Username keys in order, for `list_users`.
    order: BTreeSet<String>,
    /// (attribute, alias key) → username key.
    aliases: HashMap<(AliasAttribute, String), String>,
    /// `sub` → username key.
    subs: HashMap<Uuid, String>,
    /// (provider name, provider user id) → the username keys of the users it is linked to
    /// ([`keys::linked_identities`]), ordered so the first is the one found.
    links: HashMap<(String, String), BTreeSet<String>>,
    /// The signing key and token sessions.
    tokens: Tokens,
    /// Groups and their members.
    groups: Groups,
    /// Domain, resource servers, identity providers and authorization codes (SPEC §21).
    oauth: OAuthState,
}

/// A pool's OAuth records. `Debug` shows the code count only: digests are lookup keys.
#[derive(Default)]
struct OAuthState {
    domain: Option<DomainRecord>,
    /// Resource servers by identifier (ordered, for `list_resource_servers`).
    resource_servers: BTreeMap<String, ResourceServerRecord>,
    /// Identity providers by name (ordered, for `list_identity_providers`).
    providers: BTreeMap<String, IdentityProviderRecord>,
    /// `IdpIdentifiers` entry → provider name.
    idp_identifiers: HashMap<String, String>,
    /// Authorization codes by digest.
    codes: HashMap<[u8; 32], AuthorizationCode>,
}

impl std::fmt::Debug for OAuthState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthState")
            .field("domain", &self.domain)
            .field("resource_servers", &self.resource_servers.len())
            .field("providers", &self.providers.len())
            .field("codes", &self.codes.len())
            .finish_non_exhaustive()
    }
}

impl OAuthState {
    /// Fails with `IdpIdentifierExists` if an identifier of `provider` belongs to another
    /// provider.
    fn check_identifiers(&self, provider: &IdentityProviderRecord) -> Result<(), StoreError> {
        let mut seen = BTreeSet::new();
        for id in &provider.idp_identifiers {
            let taken = self
                .idp_identifiers
                .get(id)
                .is_some_and(|owner| *owner != provider.provider_name);
            if taken || !seen.insert(id) {
                return Err(StoreError::IdpIdentifierExists);
            }
        }
        Ok(())
    }

    fn index_identifiers(&mut self, provider: &IdentityProviderRecord) {
        for id in &provider.idp_identifiers {
            self.idp_identifiers
                .insert(id.clone(), provider.provider_name.clone());
        }
    }

    fn unindex_identifiers(&mut self, provider: &IdentityProviderRecord) {
        for id in &provider.idp_identifiers {
            self.idp_identifiers.remove(id);
        }
    }
}

/// `limit` records of `map` after the key `after`.
fn page_after<T: Clone>(map: &BTreeMap<String, T>, after: Option<&str>, limit: usize) -> Vec<T> {
    use std::ops::Bound;
    let start = after.map_or(Bound::Unbounded, |a| Bound::Excluded(a.to_owned()));
    map.range((start, Bound::Unbounded))
        .take(limit)
        .map(|(_, v)| v.clone())
        .collect()
}

/// A pool's groups and memberships, indexed both ways so that deleting a group or a user
/// removes its memberships without a scan of the other side.
#[derive(Debug, Default)]
struct Groups {
    /// Groups by name (ordered, for `list_groups`).
    records: BTreeMap<String, GroupRecord>,
    /// Group name → username keys of its members (ordered, for `list_users_in_group`).
    members: HashMap<String, BTreeSet<String>>,
    /// Username key → names of the user's groups.
    of_user: HashMap<String, BTreeSet<String>>,
}

impl Groups {
    /// Forgets every membership of the user stored under `user_key`.
    fn remove_user(&mut self, user_key: &str) {
        for group in self.of_user.remove(user_key).unwrap_or_default() {
            if let Some(members) = self.members.get_mut(&group) {
                members.remove(user_key);
            }
        }
    }
}

/// A pool's token storage. `Debug` shows counts only: refresh digests are lookup keys.
#[derive(Default)]
struct Tokens {
    signing_key: Option<SigningKey>,
    /// Sessions by `origin_jti`.
    sessions: HashMap<Uuid, TokenSession>,
    /// Refresh digest → `origin_jti`.
    by_refresh: HashMap<[u8; 32], Uuid>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("signing_key", &self.signing_key)
            .field("sessions", &self.sessions.len())
            .finish_non_exhaustive()
    }
}

impl Tokens {
    /// Forgets every session of `sub` (its user was deleted).
    fn remove_sessions_of(&mut self, sub: Uuid) {
        let by_refresh = &mut self.by_refresh;
        self.sessions.retain(|_, session| {
            let keep = session.sub != sub;
            if !keep {
                by_refresh.remove(&session.refresh_digest);
            }
            keep
        });
    }
}

fn poisoned<T>(_: T) -> StoreError {
    StoreError::Backend("a memory store lock was poisoned by a panicking thread".into())
}

impl PoolState {
    fn new(record: PoolRecord) -> Self {
        PoolState {
            record,
            deleted: false,
            clients: BTreeMap::new(),
            users: HashMap::new(),
            order: BTreeSet::new(),
            aliases: HashMap::new(),
            subs: HashMap::new(),
            links: HashMap::new(),
            tokens: Tokens::default(),
            groups: Groups::default(),
            oauth: OAuthState::default(),
        }
    }

    fn live(&self) -> Result<(), StoreError> {
        if self.deleted {
            Err(StoreError::PoolNotFound(self.record.id.as_str().to_owned()))
        } else {
            Ok(())
        }
    }

    /// The alias keys `user` would occupy, refusing any held by another user.
    fn claim_aliases(
        &self,
        user: &UserRecord,
        own_key: &str,
    ) -> Result<Vec<(AliasAttribute, String)>, StoreError> {
        let wanted = keys::alias_keys(&self.record, user);
        for (attribute, key) in &wanted {
            match self.aliases.get(&(*attribute, key.clone())) {
                Some(holder) if holder != own_key => {
                    return Err(StoreError::AliasExists(*attribute));
                }
                _ => {}
            }
        }
        Ok(wanted)
    }

    fn release_aliases(&mut self, user: &UserRecord) {
        for entry in keys::alias_keys(&self.record, user) {
            self.aliases.remove(&entry);
        }
    }

    fn link(&mut self, user: &UserRecord, own_key: &str) {
        for identity in keys::linked_identities(user) {
            self.links
                .entry(identity)
                .or_default()
                .insert(own_key.to_owned());
        }
    }

    fn unlink(&mut self, user: &UserRecord, own_key: &str) {
        for identity in keys::linked_identities(user) {
            if let Some(holders) = self.links.get_mut(&identity) {
                holders.remove(own_key);
                if holders.is_empty() {
                    self.links.remove(&identity);
                }
            }
        }
    }

    fn find(&self, key: UserKey<'_>) -> Option<&UserRecord> {
        let username_key = match key {
            UserKey::Username(name) => keys::username_key(&self.record, name),
            UserKey::Alias(attribute, value) => self
                .aliases
                .get(&(attribute, keys::alias_key(&self.record, value)))?
                .clone(),
            UserKey::Sub(sub) => self.subs.get(&sub)?.clone(),
        };
        self.users.get(&username_key)
    }
}

impl MemoryStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        MemoryStore::default()
    }

    fn pool(&self, id: &UserPoolId) -> Result<Arc<RwLock<PoolState>>, StoreError> {
        self.pools
            .read()
            .map_err(poisoned)?
            .get(id)
            .cloned()
            .ok_or_else(|| StoreError::PoolNotFound(id.as_str().to_owned()))
    }

    fn read<T>(
        &self,
        id: &UserPoolId,
        f: impl FnOnce(&PoolState) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let pool = self.pool(id)?;
        let state: RwLockReadGuard<'_, PoolState> = pool.read().map_err(poisoned)?;
        state.live()?;
        f(&state)
    }

    fn write<T>(
        &self,
        id: &UserPoolId,
        f: impl FnOnce(&mut PoolState) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let pool = self.pool(id)?;
        let mut state: RwLockWriteGuard<'_, PoolState> = pool.write().map_err(poisoned)?;
        state.live()?;
        f(&mut state)
    }
}

impl Store for MemoryStore {
    fn create_pool(&self, pool: &PoolRecord) -> Result<u64, StoreError> {
        let mut pools = self.pools.write().map_err(poisoned)?;
        if pools.contains_key(&pool.id) {
            return Err(StoreError::PoolExists);
        }
        let mut record = pool.clone();
        record.version = 1;
        pools.insert(
            pool.id.clone(),
            Arc::new(RwLock::new(PoolState::new(record))),
        );
        Ok(1)
    }

    fn get_pool(&self, id: &UserPoolId) -> Result<Option<PoolRecord>, StoreError> {
        match self.read(id, |state| Ok(state.record.clone())) {
            Ok(record) => Ok(Some(record)),
            Err(StoreError::PoolNotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Refuses (with `Backend`) to change alias attributes, username attributes or case
    /// sensitivity: the indexes were built with them, and Cognito makes them immutable too.
    fn update_pool(&self, pool: &PoolRecord) -> Result<u64, StoreError> {
        self.write(&pool.id, |state| {
            if state.record.version != pool.version {
                return Err(StoreError::Conflict {
                    expected: pool.version,
                    found: Some(state.record.version),
                });
            }
            if state.record.alias_attributes != pool.alias_attributes
                || state.record.username_attributes != pool.username_attributes
                || state.record.case_sensitive != pool.case_sensitive
            {
                return Err(StoreError::Backend(
                    "alias attributes, username attributes and case sensitivity are immutable"
                        .into(),
                ));
            }
            let version = pool.version + 1;
            state.record = PoolRecord {
                version,
                ..pool.clone()
            };
            Ok(version)
        })
    }

    fn delete_pool(&self, id: &UserPoolId) -> Result<(), StoreError> {
        let removed = self
            .pools
            .write()
            .map_err(poisoned)?
            .remove(id)
            .ok_or_else(|| StoreError::PoolNotFound(id.as_str().to_owned()))?;
        let mut state = removed.write().map_err(poisoned)?;
        state.deleted = true;
        let mut clients = self.clients.write().map_err(poisoned)?;
        for client_id in state.clients.keys() {
            if clients.get(client_id) == Some(id) {
                clients.remove(client_id);
            }
        }
        if let Some(domain) = &state.oauth.domain {
            let mut domains = self.domains.write().map_err(poisoned)?;
            if domains.get(&domain.domain) == Some(id) {
                domains.remove(&domain.domain);
            }
        }
        Ok(())
    }

    fn list_pools(&self) -> Result<Vec<PoolRecord>, StoreError> {
        let pools: Vec<_> = self
            .pools
            .read()
            .map_err(poisoned)?
            .values()
            .cloned()
            .collect();
        let mut out = Vec::with_capacity(pools.len());
        for pool in pools {
            let state = pool.read().map_err(poisoned)?;
            if !state.deleted {
                out.push(state.record.clone());
            }
        }
        Ok(out)
    }

    fn create_client(&self, client: &ClientRecord) -> Result<(), StoreError> {
        self.write(&client.pool_id, |state| {
            // Lock order: pool, then the client index (delete_pool takes them in that order).
            let mut index = self.clients.write().map_err(poisoned)?;
            if index.contains_key(&client.client_id) {
                return Err(StoreError::ClientExists);
            }
            index.insert(client.client_id.clone(), client.pool_id.clone());
            state
                .clients
                .insert(client.client_id.clone(), client.clone());
            Ok(())
        })
    }

    fn get_client(
        &self,
        pool: &UserPoolId,
        client_id: &str,
    ) -> Result<Option<ClientRecord>, StoreError> {
        match self.read(pool, |state| Ok(state.clients.get(client_id).cloned())) {
            Err(StoreError::PoolNotFound(_)) => Ok(None),
            other => other,
        }
    }

    fn find_client(&self, client_id: &str) -> Result<Option<ClientRecord>, StoreError> {
        let pool = self
            .clients
            .read()
            .map_err(poisoned)?
            .get(client_id)
            .cloned();
        match pool {
            Some(pool) => self.get_client(&pool, client_id),
            None => Ok(None),
        }
    }

    /// The client and its pool under one read lock of the pool.
    fn find_client_pool(
        &self,
        client_id: &str,
    ) -> Result<Option<(ClientRecord, PoolRecord)>, StoreError> {
        let pool = self
            .clients
            .read()
            .map_err(poisoned)?
            .get(client_id)
            .cloned();
        let Some(pool) = pool else {
            return Ok(None);
        };
        let found = self.read(&pool, |state| {
            Ok(state
                .clients
                .get(client_id)
                .map(|client| (client.clone(), state.record.clone())))
        });
        match found {
            Err(StoreError::PoolNotFound(_)) => Ok(None),
            other => other,
        }
    }

    fn list_clients(
        &self,
        pool: &UserPoolId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<ClientRecord>, StoreError> {
        use std::ops::Bound;
        self.read(pool, |state| {
            let start = after.map_or(Bound::Unbounded, Bound::Excluded);
            Ok(state
                .clients
                .range::<str, _>((start, Bound::Unbounded))
                .take(limit)
                .map(|(_, c)| c.clone())
                .collect())
        })
    }

    fn update_client(&self, client: &ClientRecord) -> Result<(), StoreError> {
        self.write(&client.pool_id, |state| {
            let stored = state
                .clients
                .get_mut(&client.client_id)
                .ok_or(StoreError::NotFound)?;
            *stored = ClientRecord {
                pool_id: stored.pool_id.clone(),
                client_id: stored.client_id.clone(),
                secret: stored.secret.clone(),
                created_at: stored.created_at,
                ..client.clone()
            };
            Ok(())
        })
    }

    fn delete_client(&self, pool: &UserPoolId, client_id: &str) -> Result<(), StoreError> {
        self.write(pool, |state| {
            // Lock order: pool, then the client index (as create_client).
            state
                .clients
                .remove(client_id)
                .ok_or(StoreError::NotFound)?;
            self.clients.write().map_err(poisoned)?.remove(client_id);
            // What the client issued ends with it.
            for session in state.tokens.sessions.values_mut() {
                if session.client_id == client_id {
                    session.revoked = true;
                }
            }
            state
                .oauth
                .codes
                .retain(|_, code| code.client_id != client_id);
            Ok(())
        })
    }

    fn count_users(&self, pool: &UserPoolId) -> Result<u64, StoreError> {
        self.read(pool, |state| Ok(state.users.len() as u64))
    }

    fn insert_user(&self, pool: &UserPoolId, user: &UserRecord) -> Result<u64, StoreError> {
        self.write(pool, |state| {
            let key = keys::username_key(&state.record, user.username.as_str());
            if state.users.contains_key(&key) {
                return Err(StoreError::UsernameExists);
            }
            if state.subs.contains_key(&user.sub) {
                return Err(StoreError::SubExists);
            }
            let aliases = state.claim_aliases(user, &key)?;
            for alias in aliases {
                state.aliases.insert(alias, key.clone());
            }
            state.subs.insert(user.sub, key.clone());
            state.link(user, &key);
            state.order.insert(key.clone());
            let mut stored = user.clone();
            stored.version = 1;
            state.users.insert(key, stored);
            Ok(1)
        })
    }

    fn update_user(&self, pool: &UserPoolId, user: &UserRecord) -> Result<u64, StoreError> {
        self.write(pool, |state| {
            let key = keys::username_key(&state.record, user.username.as_str());
            let current = state.users.get(&key).ok_or(StoreError::NotFound)?;
            if current.version != user.version {
                return Err(StoreError::Conflict {
                    expected: user.version,
                    found: Some(current.version),
                });
            }
            if current.sub != user.sub {
                return Err(StoreError::Backend("a user's sub never changes".into()));
            }
            let aliases = state.claim_aliases(user, &key)?;
            let old = state.users.remove(&key).ok_or(StoreError::NotFound)?;
            state.release_aliases(&old);
            for alias in aliases {
                state.aliases.insert(alias, key.clone());
            }
            state.unlink(&old, &key);
            state.link(user, &key);
            let version = user.version + 1;
            let mut stored = user.clone();
            stored.version = version;
            state.users.insert(key, stored);
            Ok(version)
        })
    }

    fn delete_user(
        &self,
        pool: &UserPoolId,
        username: &Username,
        version: u64,
    ) -> Result<(), StoreError> {
        self.write(pool, |state| {
            let key = keys::username_key(&state.record, username.as_str());
            let current = state.users.get(&key).ok_or(StoreError::NotFound)?;
            if current.version != version {
                return Err(StoreError::Conflict {
                    expected: version,
                    found: Some(current.version),
                });
            }
            let old = state.users.remove(&key).ok_or(StoreError::NotFound)?;
            state.release_aliases(&old);
            state.unlink(&old, &key);
            state.subs.remove(&old.sub);
            state.order.remove(&key);
            state.tokens.remove_sessions_of(old.sub);
            state.groups.remove_user(&key);
            state.oauth.codes.retain(|_, code| code.sub != old.sub);
            Ok(())
        })
    }

    fn find_user(
        &self,
        pool: &UserPoolId,
        key: UserKey<'_>,
    ) -> Result<Option<UserRecord>, StoreError> {
        self.read(pool, |state| Ok(state.find(key).cloned()))
    }

    /// Under one read lock of the pool.
    fn find_pool_user(
        &self,
        pool: &UserPoolId,
        name: &str,
    ) -> Result<(PoolRecord, Option<UserRecord>), StoreError> {
        self.read(pool, |state| {
            let user = keys::lookup_order(&state.record, name)
                .into_iter()
                .find_map(|key| state.find(key))
                .cloned();
            Ok((state.record.clone(), user))
        })
    }

    /// One lookup in the pool's link index.
    fn find_linked_user(
        &self,
        pool: &UserPoolId,
        provider: &str,
        subject: &str,
    ) -> Result<Option<UserRecord>, StoreError> {
        self.read(pool, |state| {
            Ok(state
                .links
                .get(&(provider.to_owned(), subject.to_owned()))
                .and_then(|holders| holders.first())
                .and_then(|key| state.users.get(key))
                .cloned())
        })
    }

    fn list_users(
        &self,
        pool: &UserPoolId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<UserRecord>, StoreError> {
        use std::ops::Bound;
        self.read(pool, |state| {
            let start = after.map_or(Bound::Unbounded, |a| Bound::Excluded(a.to_owned()));
            Ok(state
                .order
                .range((start, Bound::Unbounded))
                .take(limit)
                .filter_map(|key| state.users.get(key).cloned())
                .collect())
        })
    }

    fn create_group(&self, group: &GroupRecord) -> Result<u64, StoreError> {
        self.write(&group.pool_id, |state| {
            if state.groups.records.contains_key(&group.name) {
                return Err(StoreError::GroupExists);
            }
            let stored = GroupRecord {
                version: 1,
                ..group.clone()
            };
            state.groups.records.insert(group.name.clone(), stored);
            Ok(1)
        })
    }

    fn get_group(&self, pool: &UserPoolId, name: &str) -> Result<Option<GroupRecord>, StoreError> {
        self.read(pool, |state| Ok(state.groups.records.get(name).cloned()))
    }

    fn update_group(&self, group: &GroupRecord) -> Result<u64, StoreError> {
        self.write(&group.pool_id, |state| {
            let current = state
                .groups
                .records
                .get_mut(&group.name)
                .ok_or(StoreError::GroupNotFound)?;
            if current.version != group.version {
                return Err(StoreError::Conflict {
                    expected: group.version,
                    found: Some(current.version),
                });
            }
            let version = group.version + 1;
            *current = GroupRecord {
                version,
                created_at: current.created_at,
                ..group.clone()
            };
            Ok(version)
        })
    }

    fn delete_group(&self, pool: &UserPoolId, name: &str) -> Result<(), StoreError> {
        self.write(pool, |state| {
            let groups = &mut state.groups;
            groups
                .records
                .remove(name)
                .ok_or(StoreError::GroupNotFound)?;
            for user_key in groups.members.remove(name).unwrap_or_default() {
                if let Some(of_user) = groups.of_user.get_mut(&user_key) {
                    of_user.remove(name);
                }
            }
            Ok(())
        })
    }

    fn list_groups(
        &self,
        pool: &UserPoolId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<GroupRecord>, StoreError> {
        use std::ops::Bound;
        self.read(pool, |state| {
            let start = after.map_or(Bound::Unbounded, Bound::Excluded);
            Ok(state
                .groups
                .records
                .range::<str, _>((start, Bound::Unbounded))
                .take(limit)
                .map(|(_, g)| g.clone())
                .collect())
        })
    }

    fn add_user_to_group(
        &self,
        pool: &UserPoolId,
        group: &str,
        sub: Uuid,
    ) -> Result<(), StoreError> {
        self.write(pool, |state| {
            if !state.groups.records.contains_key(group) {
                return Err(StoreError::GroupNotFound);
            }
            let user_key = state.subs.get(&sub).ok_or(StoreError::NotFound)?.clone();
            let groups = &mut state.groups;
            groups
                .members
                .entry(group.to_owned())
                .or_default()
                .insert(user_key.clone());
            groups
                .of_user
                .entry(user_key)
                .or_default()
                .insert(group.to_owned());
            Ok(())
        })
    }

    fn remove_user_from_group(
        &self,
        pool: &UserPoolId,
        group: &str,
        sub: Uuid,
    ) -> Result<bool, StoreError> {
        self.write(pool, |state| {
            if !state.groups.records.contains_key(group) {
                return Err(StoreError::GroupNotFound);
            }
            let Some(user_key) = state.subs.get(&sub).cloned() else {
                return Ok(false);
            };
            let groups = &mut state.groups;
            let removed = groups
                .members
                .get_mut(group)
                .is_some_and(|members| members.remove(&user_key));
            if let Some(of_user) = groups.of_user.get_mut(&user_key) {
                of_user.remove(group);
            }
            Ok(removed)
        })
    }

    fn list_groups_for_user(
        &self,
        pool: &UserPoolId,
        sub: Uuid,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<GroupRecord>, StoreError> {
        use std::ops::Bound;
        self.read(pool, |state| {
            let Some(names) = state
                .subs
                .get(&sub)
                .and_then(|key| state.groups.of_user.get(key))
            else {
                return Ok(Vec::new());
            };
            let start = after.map_or(Bound::Unbounded, Bound::Excluded);
            Ok(names
                .range::<str, _>((start, Bound::Unbounded))
                .filter_map(|name| state.groups.records.get(name).cloned())
                .take(limit)
                .collect())
        })
    }

    fn list_users_in_group(
        &self,
        pool: &UserPoolId,
        group: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<UserRecord>, StoreError> {
        use std::ops::Bound;
        self.read(pool, |state| {
            if !state.groups.records.contains_key(group) {
                return Err(StoreError::GroupNotFound);
            }
            let Some(members) = state.groups.members.get(group) else {
                return Ok(Vec::new());
            };
            let start = after.map_or(Bound::Unbounded, Bound::Excluded);
            Ok(members
                .range::<str, _>((start, Bound::Unbounded))
                .filter_map(|key| state.users.get(key).cloned())
                .take(limit)
                .collect())
        })
    }

    fn replace_client_secret(
        &self,
        pool: &UserPoolId,
        client_id: &str,
        expected: &str,
        new: &str,
    ) -> Result<bool, StoreError> {
        self.write(pool, |state| match state.clients.get_mut(client_id) {
            Some(client) if client.secret.as_deref() == Some(expected) => {
                client.secret = Some(new.to_owned());
                Ok(true)
            }
            _ => Ok(false),
        })
    }
}

impl TokenStore for MemoryStore {
    fn signing_key(&self, pool: &UserPoolId) -> Result<Option<SigningKey>, StoreError> {
        self.read(pool, |state| Ok(state.tokens.signing_key.clone()))
    }

    fn insert_signing_key(
        &self,
        pool: &UserPoolId,
        key: &SigningKey,
    ) -> Result<SigningKey, StoreError> {
        self.write(pool, |state| {
            Ok(state
                .tokens
                .signing_key
                .get_or_insert_with(|| key.clone())
                .clone())
        })
    }

    fn insert_token_session(&self, session: &TokenSession) -> Result<(), StoreError> {
        self.write(&session.pool_id, |state| {
            if !state.subs.contains_key(&session.sub) {
                return Err(StoreError::NotFound);
            }
            let tokens = &mut state.tokens;
            if tokens.sessions.contains_key(&session.origin_jti)
                || tokens.by_refresh.contains_key(&session.refresh_digest)
            {
                return Err(StoreError::TokenSessionExists);
            }
            tokens
                .by_refresh
                .insert(session.refresh_digest, session.origin_jti);
            tokens.sessions.insert(session.origin_jti, session.clone());
            Ok(())
        })
    }

    fn find_token_session(
        &self,
        pool: &UserPoolId,
        origin_jti: Uuid,
    ) -> Result<Option<TokenSession>, StoreError> {
        self.read(pool, |state| {
            Ok(state.tokens.sessions.get(&origin_jti).cloned())
        })
    }

    fn find_token_session_by_refresh(
        &self,
        pool: &UserPoolId,
        refresh_digest: &[u8; 32],
    ) -> Result<Option<TokenSession>, StoreError> {
        self.read(pool, |state| {
            Ok(state
                .tokens
                .by_refresh
                .get(refresh_digest)
                .and_then(|jti| state.tokens.sessions.get(jti))
                .cloned())
        })
    }

    fn revoke_token_session(
        &self,
        pool: &UserPoolId,
        origin_jti: Uuid,
    ) -> Result<bool, StoreError> {
        self.write(pool, |state| {
            Ok(match state.tokens.sessions.get_mut(&origin_jti) {
                Some(session) if !session.revoked => {
                    session.revoked = true;
                    true
                }
                _ => false,
            })
        })
    }

    fn revoke_token_sessions(&self, pool: &UserPoolId, sub: Uuid) -> Result<u64, StoreError> {
        self.write(pool, |state| {
            let mut revoked = 0;
            for session in state.tokens.sessions.values_mut() {
                if session.sub == sub && !session.revoked {
                    session.revoked = true;
                    revoked += 1;
                }
            }
            Ok(revoked)
        })
    }

    fn replace_signing_key(
        &self,
        pool: &UserPoolId,
        kid: &str,
        expected: &[u8],
        new: &[u8],
    ) -> Result<bool, StoreError> {
        self.write(pool, |state| match &mut state.tokens.signing_key {
            Some(key) if key.kid == kid && key.private_der.as_slice() == expected => {
                key.private_der = zeroize::Zeroizing::new(new.to_vec());
                Ok(true)
            }
            _ => Ok(false),
        })
    }

    fn insert_authorization_code(&self, code: &AuthorizationCode) -> Result<(), StoreError> {
        self.write(&code.pool_id, |state| {
            if !state.subs.contains_key(&code.sub) {
                return Err(StoreError::NotFound);
            }
            let codes = &mut state.oauth.codes;
            codes.retain(|_, stored| stored.expires_at > code.issued_at);
            if codes.contains_key(&code.code_digest) {
                return Err(StoreError::AuthorizationCodeExists);
            }
            codes.insert(code.code_digest, code.clone());
            Ok(())
        })
    }

    fn take_authorization_code(
        &self,
        pool: &UserPoolId,
        code_digest: &[u8; 32],
    ) -> Result<Option<AuthorizationCode>, StoreError> {
        self.write(pool, |state| Ok(state.oauth.codes.remove(code_digest)))
    }
}

impl OAuthStore for MemoryStore {
    fn create_domain(&self, domain: &DomainRecord) -> Result<u64, StoreError> {
        self.write(&domain.pool_id, |state| {
            // Lock order: pool, then the domain index (delete_pool takes them in that order).
            let mut index = self.domains.write().map_err(poisoned)?;
            if index.contains_key(&domain.domain) {
                return Err(StoreError::DomainExists);
            }
            if state.oauth.domain.is_some() {
                return Err(StoreError::PoolHasDomain);
            }
            index.insert(domain.domain.clone(), domain.pool_id.clone());
            state.oauth.domain = Some(DomainRecord {
                version: 1,
                ..domain.clone()
            });
            Ok(1)
        })
    }

    fn get_domain(&self, domain: &str) -> Result<Option<DomainRecord>, StoreError> {
        let pool = self.domains.read().map_err(poisoned)?.get(domain).cloned();
        let Some(pool) = pool else {
            return Ok(None);
        };
        match self.read(&pool, |state| Ok(state.oauth.domain.clone())) {
            Err(StoreError::PoolNotFound(_)) => Ok(None),
            Ok(found) => Ok(found.filter(|d| d.domain == domain)),
            Err(e) => Err(e),
        }
    }

    fn domain_of_pool(&self, pool: &UserPoolId) -> Result<Option<DomainRecord>, StoreError> {
        self.read(pool, |state| Ok(state.oauth.domain.clone()))
    }

    fn update_domain(&self, domain: &DomainRecord) -> Result<u64, StoreError> {
        self.write(&domain.pool_id, |state| {
            let current = state
                .oauth
                .domain
                .as_mut()
                .filter(|d| d.domain == domain.domain)
                .ok_or(StoreError::NotFound)?;
            if current.version != domain.version {
                return Err(StoreError::Conflict {
                    expected: domain.version,
                    found: Some(current.version),
                });
            }
            current.certificate_arn.clone_from(&domain.certificate_arn);
            current.managed_login_version = domain.managed_login_version;
            current.version += 1;
            Ok(current.version)
        })
    }

    fn delete_domain(&self, pool: &UserPoolId, domain: &str) -> Result<(), StoreError> {
        self.write(pool, |state| {
            if state
                .oauth
                .domain
                .as_ref()
                .is_none_or(|d| d.domain != domain)
            {
                return Err(StoreError::NotFound);
            }
            let mut index = self.domains.write().map_err(poisoned)?;
            index.remove(domain);
            state.oauth.domain = None;
            Ok(())
        })
    }

    fn create_resource_server(&self, server: &ResourceServerRecord) -> Result<u64, StoreError> {
        self.write(&server.pool_id, |state| {
            let servers = &mut state.oauth.resource_servers;
            if servers.contains_key(&server.identifier) {
                return Err(StoreError::ResourceServerExists);
            }
            servers.insert(
                server.identifier.clone(),
                ResourceServerRecord {
                    version: 1,
                    ..server.clone()
                },
            );
            Ok(1)
        })
    }

    fn get_resource_server(
        &self,
        pool: &UserPoolId,
        identifier: &str,
    ) -> Result<Option<ResourceServerRecord>, StoreError> {
        self.read(pool, |state| {
            Ok(state.oauth.resource_servers.get(identifier).cloned())
        })
    }

    fn list_resource_servers(
        &self,
        pool: &UserPoolId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<ResourceServerRecord>, StoreError> {
        self.read(pool, |state| {
            Ok(page_after(&state.oauth.resource_servers, after, limit))
        })
    }

    fn update_resource_server(&self, server: &ResourceServerRecord) -> Result<u64, StoreError> {
        self.write(&server.pool_id, |state| {
            let current = state
                .oauth
                .resource_servers
                .get_mut(&server.identifier)
                .ok_or(StoreError::NotFound)?;
            if current.version != server.version {
                return Err(StoreError::Conflict {
                    expected: server.version,
                    found: Some(current.version),
                });
            }
            *current = ResourceServerRecord {
                version: server.version + 1,
                ..server.clone()
            };
            Ok(current.version)
        })
    }

    fn delete_resource_server(
        &self,
        pool: &UserPoolId,
        identifier: &str,
    ) -> Result<(), StoreError> {
        self.write(pool, |state| {
            state
                .oauth
                .resource_servers
                .remove(identifier)
                .map(|_| ())
                .ok_or(StoreError::NotFound)
        })
    }

    fn create_identity_provider(
        &self,
        provider: &IdentityProviderRecord,
    ) -> Result<u64, StoreError> {
        self.write(&provider.pool_id, |state| {
            let oauth = &mut state.oauth;
            if oauth.providers.contains_key(&provider.provider_name) {
                return Err(StoreError::IdentityProviderExists);
            }
            oauth.check_identifiers(provider)?;
            oauth.index_identifiers(provider);
            oauth.providers.insert(
                provider.provider_name.clone(),
                IdentityProviderRecord {
                    version: 1,
                    ..provider.clone()
                },
            );
            Ok(1)
        })
    }

    fn get_identity_provider(
        &self,
        pool: &UserPoolId,
        provider_name: &str,
    ) -> Result<Option<IdentityProviderRecord>, StoreError> {
        self.read(pool, |state| {
            Ok(state.oauth.providers.get(provider_name).cloned())
        })
    }

    fn find_identity_provider_by_identifier(
        &self,
        pool: &UserPoolId,
        identifier: &str,
    ) -> Result<Option<IdentityProviderRecord>, StoreError> {
        self.read(pool, |state| {
            Ok(state
                .oauth
                .idp_identifiers
                .get(identifier)
                .and_then(|name| state.oauth.providers.get(name))
                .cloned())
        })
    }

    fn list_identity_providers(
        &self,
        pool: &UserPoolId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<IdentityProviderRecord>, StoreError> {
        self.read(pool, |state| {
            Ok(page_after(&state.oauth.providers, after, limit))
        })
    }

    fn update_identity_provider(
        &self,
        provider: &IdentityProviderRecord,
    ) -> Result<u64, StoreError> {
        self.write(&provider.pool_id, |state| {
            let oauth = &mut state.oauth;
            let current = oauth
                .providers
                .get(&provider.provider_name)
                .cloned()
                .ok_or(StoreError::NotFound)?;
            if current.version != provider.version {
                return Err(StoreError::Conflict {
                    expected: provider.version,
                    found: Some(current.version),
                });
            }
            oauth.check_identifiers(provider)?;
            oauth.unindex_identifiers(&current);
            oauth.index_identifiers(provider);
            let next = IdentityProviderRecord {
                provider_type: current.provider_type,
                created_at: current.created_at,
                version: provider.version + 1,
                ..provider.clone()
            };
            let version = next.version;
            oauth.providers.insert(provider.provider_name.clone(), next);
            Ok(version)
        })
    }

    fn delete_identity_provider(
        &self,
        pool: &UserPoolId,
        provider_name: &str,
    ) -> Result<(), StoreError> {
        self.write(pool, |state| {
            let oauth = &mut state.oauth;
            let removed = oauth
                .providers
                .remove(provider_name)
                .ok_or(StoreError::NotFound)?;
            oauth.unindex_identifiers(&removed);
            Ok(())
        })
    }
}
