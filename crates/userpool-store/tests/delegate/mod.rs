//! A wrapper store delegates every `Store` method to an inner `MemoryStore` except the ones
//! it overrides: how the tests build deliberately broken or failing stores. Its capabilities
//! (`TokenStore`, `OAuthStore`) are declared absent (empty impls) unless a `tokens { ... }`
//! block gives the `TokenStore` methods it has.

/// The `Store` methods every wrapper delegates to its `MemoryStore`: pools, clients, and
/// the user methods but `update_user` and `find_user`.
macro_rules! delegate_base {
    () => {
        fn create_pool(&self, pool: &PoolRecord) -> Result<u64, StoreError> {
            self.0.create_pool(pool)
        }
        fn get_pool(&self, id: &UserPoolId) -> Result<Option<PoolRecord>, StoreError> {
            self.0.get_pool(id)
        }
        fn update_pool(&self, pool: &PoolRecord) -> Result<u64, StoreError> {
            self.0.update_pool(pool)
        }
        fn delete_pool(&self, id: &UserPoolId) -> Result<(), StoreError> {
            self.0.delete_pool(id)
        }
        fn list_pools(&self) -> Result<Vec<PoolRecord>, StoreError> {
            self.0.list_pools()
        }
        fn create_client(&self, client: &ClientRecord) -> Result<(), StoreError> {
            self.0.create_client(client)
        }
        fn get_client(
            &self,
            pool: &UserPoolId,
            id: &str,
        ) -> Result<Option<ClientRecord>, StoreError> {
            self.0.get_client(pool, id)
        }
        fn list_clients(
            &self,
            pool: &UserPoolId,
            after: Option<&str>,
            limit: usize,
        ) -> Result<Vec<ClientRecord>, StoreError> {
            self.0.list_clients(pool, after, limit)
        }
        fn update_client(&self, client: &ClientRecord) -> Result<(), StoreError> {
            self.0.update_client(client)
        }
        fn delete_client(&self, pool: &UserPoolId, id: &str) -> Result<(), StoreError> {
            self.0.delete_client(pool, id)
        }
        fn insert_user(&self, pool: &UserPoolId, user: &UserRecord) -> Result<u64, StoreError> {
            self.0.insert_user(pool, user)
        }
        fn delete_user(
            &self,
            pool: &UserPoolId,
            username: &Username,
            version: u64,
        ) -> Result<(), StoreError> {
            self.0.delete_user(pool, username, version)
        }
        fn list_users(
            &self,
            pool: &UserPoolId,
            after: Option<&str>,
            limit: usize,
        ) -> Result<Vec<UserRecord>, StoreError> {
            self.0.list_users(pool, after, limit)
        }
    };
}

/// `update_user`, delegated: for a wrapper whose broken part is elsewhere.
#[allow(unused_macros)] // not every file has such a wrapper
macro_rules! delegate_update_user {
    () => {
        fn update_user(&self, pool: &UserPoolId, user: &UserRecord) -> Result<u64, StoreError> {
            self.0.update_user(pool, user)
        }
    };
}

/// `find_user`, delegated: for a wrapper whose broken part is elsewhere.
#[allow(unused_macros)] // not every file has such a wrapper
macro_rules! delegate_find_user {
    () => {
        fn find_user(
            &self,
            pool: &UserPoolId,
            key: UserKey<'_>,
        ) -> Result<Option<UserRecord>, StoreError> {
            self.0.find_user(pool, key)
        }
    };
}

/// `delegate_all_but!(Wrapper, { fn update_user(...) {...} fn find_user(...) {...} })`:
/// implements `Store` for `Wrapper(MemoryStore)`; the block must define `update_user` and
/// `find_user` (or take them as they are with `delegate_update_user!();` and
/// `delegate_find_user!();`). `TokenStore` and `OAuthStore` are empty impls (no token
/// storage, no OAuth configuration), or, with a trailing `tokens { fn signing_key(...)
/// {...} ... }` (and `oauth { ... }`), have exactly the methods those blocks define.
macro_rules! delegate_all_but {
    ($ty:ident, { $($override:item)* }) => {
        delegate_all_but!($ty, { $($override)* }, tokens {}, oauth {});
    };
    ($ty:ident, { $($override:item)* }, tokens { $($token:item)* }) => {
        delegate_all_but!($ty, { $($override)* }, tokens { $($token)* }, oauth {});
    };
    ($ty:ident, { $($override:item)* }, tokens { $($token:item)* }, oauth { $($oauth:item)* }) => {
        impl ::userpool_store::TokenStore for $ty {
            $($token)*
        }
        impl ::userpool_store::OAuthStore for $ty {
            $($oauth)*
        }
        impl Store for $ty {
            delegate_base!();
            fn create_group(&self, group: &::userpool_store::GroupRecord) -> Result<u64, StoreError> { self.0.create_group(group) }
            fn get_group(&self, pool: &UserPoolId, name: &str) -> Result<Option<::userpool_store::GroupRecord>, StoreError> { self.0.get_group(pool, name) }
            fn update_group(&self, group: &::userpool_store::GroupRecord) -> Result<u64, StoreError> { self.0.update_group(group) }
            fn delete_group(&self, pool: &UserPoolId, name: &str) -> Result<(), StoreError> { self.0.delete_group(pool, name) }
            fn list_groups(&self, pool: &UserPoolId, after: Option<&str>, limit: usize) -> Result<Vec<::userpool_store::GroupRecord>, StoreError> { self.0.list_groups(pool, after, limit) }
            fn add_user_to_group(&self, pool: &UserPoolId, group: &str, sub: ::uuid::Uuid) -> Result<(), StoreError> { self.0.add_user_to_group(pool, group, sub) }
            fn remove_user_from_group(&self, pool: &UserPoolId, group: &str, sub: ::uuid::Uuid) -> Result<bool, StoreError> { self.0.remove_user_from_group(pool, group, sub) }
            fn list_groups_for_user(&self, pool: &UserPoolId, sub: ::uuid::Uuid, after: Option<&str>, limit: usize) -> Result<Vec<::userpool_store::GroupRecord>, StoreError> { self.0.list_groups_for_user(pool, sub, after, limit) }
            fn list_users_in_group(&self, pool: &UserPoolId, group: &str, after: Option<&str>, limit: usize) -> Result<Vec<UserRecord>, StoreError> { self.0.list_users_in_group(pool, group, after, limit) }
            $($override)*
        }
    };
}

/// `delegate_all_but_groups!(Wrapper, { ... })`: as [`delegate_all_but!`], but the block
/// must also define the nine group methods (for stores whose groups are broken).
#[allow(unused_macros)] // only the files with a broken group store use it
macro_rules! delegate_all_but_groups {
    ($ty:ident, { $($override:item)* }) => {
        impl ::userpool_store::TokenStore for $ty {}
        impl ::userpool_store::OAuthStore for $ty {}
        impl Store for $ty {
            delegate_base!();
            $($override)*
        }
    };
}
