//! The conformance kit on `MemoryStore`, and proof that the kit catches a broken store.

#![cfg(feature = "conformance")]

use std::panic::{AssertUnwindSafe, catch_unwind};

use userpool_core::{UserPoolId, UserRecord, Username};
use userpool_store::conformance::{self, Harness};
use userpool_store::{ClientRecord, MemoryStore, PoolRecord, Store, StoreError, UserKey};

/// Fresh `MemoryStore`s; nothing to keep alive.
struct Memory;

impl Harness for Memory {
    type Store = MemoryStore;
    type Guard = ();
    fn make(&self) -> (MemoryStore, ()) {
        (MemoryStore::new(), ())
    }
}

mod memory_store {
    userpool_store::conformance_tests!(super::Memory);
}

#[test]
fn run_all_passes_on_memory_store() {
    conformance::run_all(&Memory);
}

#[test]
fn case_list_and_case_names_agree() {
    let names: Vec<&str> = conformance::cases::<Memory>()
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert_eq!(names, conformance::CASE_NAMES);
}

/// A deliberately broken store: it ignores the version on update (last writer wins), the
/// bug compare-and-swap exists to prevent.
struct IgnoresVersions(MemoryStore);

/// A deliberately broken store: it loses the order of password history on the way back.
struct ReversesHistory(MemoryStore);

macro_rules! delegate_all_but {
    ($ty:ident, { $($override:item)* }) => {
        impl Store for $ty {
            fn create_pool(&self, pool: &PoolRecord) -> Result<u64, StoreError> { self.0.create_pool(pool) }
            fn get_pool(&self, id: &UserPoolId) -> Result<Option<PoolRecord>, StoreError> { self.0.get_pool(id) }
            fn update_pool(&self, pool: &PoolRecord) -> Result<u64, StoreError> { self.0.update_pool(pool) }
            fn delete_pool(&self, id: &UserPoolId) -> Result<(), StoreError> { self.0.delete_pool(id) }
            fn list_pools(&self) -> Result<Vec<PoolRecord>, StoreError> { self.0.list_pools() }
            fn create_client(&self, client: &ClientRecord) -> Result<(), StoreError> { self.0.create_client(client) }
            fn get_client(&self, pool: &UserPoolId, id: &str) -> Result<Option<ClientRecord>, StoreError> { self.0.get_client(pool, id) }
            fn insert_user(&self, pool: &UserPoolId, user: &UserRecord) -> Result<u64, StoreError> { self.0.insert_user(pool, user) }
            fn delete_user(&self, pool: &UserPoolId, username: &Username, version: u64) -> Result<(), StoreError> { self.0.delete_user(pool, username, version) }
            fn list_users(&self, pool: &UserPoolId, after: Option<&str>, limit: usize) -> Result<Vec<UserRecord>, StoreError> { self.0.list_users(pool, after, limit) }
            $($override)*
        }
    };
}

delegate_all_but!(IgnoresVersions, {
    fn update_user(&self, pool: &UserPoolId, user: &UserRecord) -> Result<u64, StoreError> {
        let current = self
            .0
            .find_user(pool, UserKey::Username(user.username.as_str()))?
            .ok_or(StoreError::NotFound)?;
        let blind = UserRecord {
            version: current.version,
            ..user.clone()
        };
        self.0.update_user(pool, &blind)
    }
    fn find_user(
        &self,
        pool: &UserPoolId,
        key: UserKey<'_>,
    ) -> Result<Option<UserRecord>, StoreError> {
        self.0.find_user(pool, key)
    }
});

delegate_all_but!(ReversesHistory, {
    fn update_user(&self, pool: &UserPoolId, user: &UserRecord) -> Result<u64, StoreError> {
        self.0.update_user(pool, user)
    }
    fn find_user(
        &self,
        pool: &UserPoolId,
        key: UserKey<'_>,
    ) -> Result<Option<UserRecord>, StoreError> {
        Ok(self.0.find_user(pool, key)?.map(|mut u| {
            u.history.reverse();
            u
        }))
    }
});

struct Broken<F>(F);

impl<S: Store, F: Fn() -> S> Harness for Broken<F> {
    type Store = S;
    type Guard = ();
    fn make(&self) -> (S, ()) {
        ((self.0)(), ())
    }
}

/// Whether a kit case panics (its failure message is printed; that is expected here).
fn fails(case: impl FnOnce()) -> bool {
    catch_unwind(AssertUnwindSafe(case)).is_err()
}

#[test]
fn kit_catches_a_store_that_ignores_versions() {
    let broken = Broken(|| IgnoresVersions(MemoryStore::new()));
    assert!(
        fails(|| conformance::stale_update_conflicts_and_changes_nothing(&broken)),
        "the stale-update case must fail on a store that ignores versions"
    );
    // The concurrent case notices too: versions are no longer one per successful write.
    assert!(fails(|| conformance::concurrent_writers_lose_no_update(
        &broken
    )));
    // ...while the cases that do not involve updates still pass on it.
    conformance::sub_is_unique(&broken);
}

#[test]
fn kit_catches_a_store_that_reorders_history() {
    let broken = Broken(|| ReversesHistory(MemoryStore::new()));
    assert!(fails(|| conformance::user_round_trips_every_field(&broken)));
    conformance::user_insert_then_find_by_username_alias_and_sub(&broken);
}
