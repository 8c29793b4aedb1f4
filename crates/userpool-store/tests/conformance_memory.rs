//! The conformance kit on `MemoryStore`, and proof that the kit catches a broken store.

use std::panic::{AssertUnwindSafe, catch_unwind};

use userpool_core::{UserPoolId, UserRecord, Username};
use userpool_store::conformance::{self, Harness, Support};
use userpool_store::{
    ClientRecord, DomainRecord, GroupRecord, MemoryStore, PoolRecord, SigningKey, Store,
    StoreError, TokenStore, UserKey,
};
use uuid::Uuid;

/// Fresh `MemoryStore`s; nothing to keep alive.
struct Memory;

impl Harness for Memory {
    type Store = MemoryStore;
    type Guard = ();
    fn make(&self) -> (MemoryStore, ()) {
        (MemoryStore::new(), ())
    }
}

#[macro_use]
mod delegate;

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
    delegate_find_user!();
});

delegate_all_but!(ReversesHistory, {
    delegate_update_user!();
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

/// A deliberately broken store: it remembers each client with its pool as first read, as
/// a store caching the public prelude's read might, so it misses pool updates and
/// deletions.
struct CachesClientPool(
    MemoryStore,
    std::sync::Mutex<std::collections::HashMap<String, (ClientRecord, PoolRecord)>>,
);

delegate_all_but!(CachesClientPool, {
    delegate_update_user!();
    delegate_find_user!();
    fn find_client_pool(
        &self,
        client_id: &str,
    ) -> Result<Option<(ClientRecord, PoolRecord)>, StoreError> {
        let mut cache = self.1.lock().expect("lock");
        if let Some(found) = cache.get(client_id) {
            return Ok(Some(found.clone()));
        }
        let found = self.0.find_client_pool(client_id)?;
        if let Some(found) = &found {
            cache.insert(client_id.to_owned(), found.clone());
        }
        Ok(found)
    }
});

#[test]
fn kit_catches_a_store_that_caches_a_client_with_its_pool() {
    let broken = Broken(|| CachesClientPool(MemoryStore::new(), Default::default()));
    assert!(fails(|| {
        conformance::find_client_pool_agrees_with_find_client_and_get_pool(&broken)
    }));
    conformance::client_create_then_get(&broken);
}

/// A deliberately broken store: it keeps only the newest wrong code attempt of each purpose,
/// as a store that stored a counter per code instead of the SPEC §12 lists might.
struct ForgetsCodeFailures(MemoryStore);

delegate_all_but!(ForgetsCodeFailures, {
    delegate_update_user!();
    fn find_user(
        &self,
        pool: &UserPoolId,
        key: UserKey<'_>,
    ) -> Result<Option<UserRecord>, StoreError> {
        Ok(self.0.find_user(pool, key)?.map(|mut u| {
            for throttle in [
                &mut u.code_throttles.sign_up,
                &mut u.code_throttles.password_reset,
            ] {
                let keep = throttle.failures.len().saturating_sub(1);
                throttle.failures.drain(..keep);
            }
            u
        }))
    }
});

#[test]
fn kit_catches_a_store_that_forgets_code_failures() {
    let broken = Broken(|| ForgetsCodeFailures(MemoryStore::new()));
    assert!(fails(|| conformance::user_round_trips_code_throttles(
        &broken
    )));
    conformance::user_round_trips_every_status(&broken);
}

/// A deliberately broken store: its signing key is last writer wins, and its other token
/// methods are the trait's defaults (`Unsupported`): half a token store.
struct OverwritesSigningKey(MemoryStore, std::sync::Mutex<Option<SigningKey>>);

delegate_all_but!(OverwritesSigningKey, {
    delegate_update_user!();
    delegate_find_user!();
}, tokens {
    fn signing_key(&self, pool: &UserPoolId) -> Result<Option<SigningKey>, StoreError> {
        self.0.get_pool(pool)?;
        Ok(self.1.lock().expect("lock").clone())
    }
    fn insert_signing_key(
        &self,
        _pool: &UserPoolId,
        key: &SigningKey,
    ) -> Result<SigningKey, StoreError> {
        *self.1.lock().expect("lock") = Some(key.clone());
        Ok(key.clone())
    }
});

#[test]
fn kit_catches_a_store_whose_signing_key_is_last_writer_wins() {
    let broken = Broken(|| OverwritesSigningKey(MemoryStore::new(), Default::default()));
    assert!(fails(|| conformance::signing_key_first_writer_wins(
        &broken
    )));
    assert!(fails(|| {
        conformance::concurrent_signing_key_inserts_agree_on_one(&broken)
    }));
}

#[test]
fn kit_fails_a_store_whose_token_storage_is_half_implemented() {
    // Its signing-key methods answer; its session and code methods are the defaults.
    let store = OverwritesSigningKey(MemoryStore::new(), Default::default());
    assert_eq!(
        conformance::token_storage_support(&store),
        Support::Partial {
            unsupported: vec![
                "insert_token_session",
                "find_token_session",
                "find_token_session_by_refresh",
                "revoke_token_sessions",
                "revoke_token_session",
                "insert_authorization_code",
                "take_authorization_code",
            ]
        }
    );
    let broken = Broken(|| OverwritesSigningKey(MemoryStore::new(), Default::default()));
    // Every token case fails, not only those that call a missing method: half a token
    // store is not a store without tokens.
    for (name, case) in conformance::cases::<Broken<_>>() {
        if TOKEN_CASES.contains(&name) {
            assert!(fails(|| case(&broken)), "{name} passes a half token store");
        }
    }
    assert!(fails(|| conformance::run_all(&broken)));
    let id = UserPoolId::parse("eu-west-1_x").expect("id");
    assert_eq!(
        store.revoke_token_sessions(&id, uuid::Uuid::nil()),
        Err(StoreError::Unsupported("revoke_token_sessions")),
        "a store that does not implement token storage says so"
    );
    let e: userpool_core::Error = StoreError::Unsupported("revoke_token_sessions").into();
    assert_eq!(e.code(), "InternalErrorException");
}

/// The kit's cases that need token storage, as the kit's doc lists them.
const TOKEN_CASES: &[&str] = &[
    "signing_key_first_writer_wins",
    "concurrent_signing_key_inserts_agree_on_one",
    "token_session_round_trips",
    "duplicate_token_session_is_refused",
    "refresh_lookup_is_per_pool",
    "revoke_marks_all_of_a_users_sessions_and_only_theirs",
    "pool_delete_removes_its_signing_key_and_sessions",
    "user_delete_removes_its_sessions",
    "token_session_for_unknown_user_is_refused",
    "token_storage_of_unknown_pool_is_pool_not_found",
    "secret_replacement_is_compare_and_swap",
    "authorization_code_is_taken_once",
    "client_delete_revokes_its_sessions_and_deletes_its_codes",
    "revoke_one_session_leaves_the_users_others",
];

/// The kit's cases that need OAuth configuration storage.
const OAUTH_CASES: &[&str] = &[
    "domain_round_trips_and_is_unique_across_pools",
    "resource_servers_round_trip_page_and_update",
    "identity_providers_round_trip_and_identifiers_are_unique",
    "oauth_storage_of_unknown_pool_is_pool_not_found",
];

/// A store that keeps neither tokens nor OAuth configuration, and says so: its
/// `TokenStore` and `OAuthStore` impls are empty.
struct NoCapabilities(MemoryStore);

delegate_all_but!(NoCapabilities, {
    delegate_update_user!();
    delegate_find_user!();
});

#[test]
fn kit_passes_a_store_that_declares_it_keeps_no_tokens_and_no_oauth_configuration() {
    let store = NoCapabilities(MemoryStore::new());
    assert_eq!(conformance::token_storage_support(&store), Support::Absent);
    assert_eq!(conformance::oauth_storage_support(&store), Support::Absent);
    assert_eq!(
        conformance::token_storage_support(&MemoryStore::new()),
        Support::Full
    );
    assert_eq!(
        conformance::oauth_storage_support(&MemoryStore::new()),
        Support::Full
    );
    conformance::run_all(&Broken(|| NoCapabilities(MemoryStore::new())));
}

/// Runs the kit on [`NoCapabilities`]; [`kit_reports_the_cases_it_skips`] runs it in a
/// child process to read what it prints.
#[test]
#[ignore = "run by kit_reports_the_cases_it_skips, which reads its stderr"]
fn kit_on_a_store_without_capabilities() {
    conformance::run_all(&Broken(|| NoCapabilities(MemoryStore::new())));
}

#[test]
fn kit_reports_the_cases_it_skips() {
    let exe = std::env::current_exe().expect("the test binary");
    let out = std::process::Command::new(exe)
        .args([
            "--exact",
            "kit_on_a_store_without_capabilities",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .output()
        .expect("run the test binary");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the kit failed: {stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("1 passed"),
        "the case did not run: {stdout}"
    );
    for case in TOKEN_CASES {
        let line = if *case == "secret_replacement_is_compare_and_swap" {
            format!("SKIPPED: {case} (its signing key half): the store has no token storage")
        } else {
            format!("SKIPPED: {case}: the store has no token storage")
        };
        assert!(stderr.contains(&line), "missing {line:?} in {stderr}");
    }
    for case in OAUTH_CASES {
        let line = format!("SKIPPED: {case}: the store has no OAuth configuration storage");
        assert!(stderr.contains(&line), "missing {line:?} in {stderr}");
    }
    let skipped = stderr
        .lines()
        .filter(|l| l.starts_with("SKIPPED: "))
        .count();
    assert_eq!(
        skipped,
        TOKEN_CASES.len() + OAUTH_CASES.len(),
        "only the capabilities' cases are skipped: {stderr}"
    );
}

/// A deliberately broken store: it keeps domains, but its resource servers and identity
/// providers are the trait's defaults: half an OAuth configuration store.
struct DomainsOnly(MemoryStore);

delegate_all_but!(DomainsOnly, {
    delegate_update_user!();
    delegate_find_user!();
}, tokens {}, oauth {
    fn create_domain(&self, domain: &DomainRecord) -> Result<u64, StoreError> {
        self.0.create_domain(domain)
    }
    fn get_domain(&self, domain: &str) -> Result<Option<DomainRecord>, StoreError> {
        self.0.get_domain(domain)
    }
    fn domain_of_pool(&self, pool: &UserPoolId) -> Result<Option<DomainRecord>, StoreError> {
        self.0.domain_of_pool(pool)
    }
    fn update_domain(&self, domain: &DomainRecord) -> Result<u64, StoreError> {
        self.0.update_domain(domain)
    }
    fn delete_domain(&self, pool: &UserPoolId, domain: &str) -> Result<(), StoreError> {
        self.0.delete_domain(pool, domain)
    }
});

#[test]
fn kit_fails_a_store_whose_oauth_configuration_is_half_implemented() {
    let store = DomainsOnly(MemoryStore::new());
    let Support::Partial { unsupported } = conformance::oauth_storage_support(&store) else {
        panic!("a store with domains only is a partial OAuth store");
    };
    assert_eq!(unsupported.len(), 11, "{unsupported:?}");
    assert!(!unsupported.contains(&"create_domain"));
    let broken = Broken(|| DomainsOnly(MemoryStore::new()));
    // The domain case itself fails: the capability is all or nothing.
    for name in OAUTH_CASES {
        let (_, case) = conformance::cases::<Broken<_>>()
            .into_iter()
            .find(|(n, _)| n == name)
            .expect("a kit case");
        assert!(fails(|| case(&broken)), "{name} passes a half OAuth store");
    }
}

/// A deliberately broken store for groups: a second create of a name overwrites the first
/// (no uniqueness), and a membership is accepted for a `sub` no user has.
struct LaxGroups(MemoryStore);

delegate_all_but_groups!(LaxGroups, {
    delegate_update_user!();
    delegate_find_user!();
    fn create_group(&self, group: &GroupRecord) -> Result<u64, StoreError> {
        match self.0.delete_group(&group.pool_id, &group.name) {
            Ok(()) | Err(StoreError::GroupNotFound) => self.0.create_group(group),
            Err(e) => Err(e),
        }
    }
    fn get_group(&self, pool: &UserPoolId, name: &str) -> Result<Option<GroupRecord>, StoreError> {
        self.0.get_group(pool, name)
    }
    fn update_group(&self, group: &GroupRecord) -> Result<u64, StoreError> {
        self.0.update_group(group)
    }
    fn delete_group(&self, pool: &UserPoolId, name: &str) -> Result<(), StoreError> {
        self.0.delete_group(pool, name)
    }
    fn list_groups(
        &self,
        pool: &UserPoolId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<GroupRecord>, StoreError> {
        self.0.list_groups(pool, after, limit)
    }
    fn add_user_to_group(
        &self,
        pool: &UserPoolId,
        group: &str,
        sub: Uuid,
    ) -> Result<(), StoreError> {
        match self.0.add_user_to_group(pool, group, sub) {
            Err(StoreError::NotFound) => Ok(()),
            other => other,
        }
    }
    fn remove_user_from_group(
        &self,
        pool: &UserPoolId,
        group: &str,
        sub: Uuid,
    ) -> Result<bool, StoreError> {
        self.0.remove_user_from_group(pool, group, sub)
    }
    fn list_groups_for_user(
        &self,
        pool: &UserPoolId,
        sub: Uuid,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<GroupRecord>, StoreError> {
        self.0.list_groups_for_user(pool, sub, after, limit)
    }
    fn list_users_in_group(
        &self,
        pool: &UserPoolId,
        group: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<UserRecord>, StoreError> {
        self.0.list_users_in_group(pool, group, after, limit)
    }
});

#[test]
fn kit_catches_a_store_with_lax_groups() {
    let broken = Broken(|| LaxGroups(MemoryStore::new()));
    assert!(fails(|| conformance::group_names_are_unique_per_pool(
        &broken
    )));
    assert!(fails(|| conformance::memberships_need_group_and_user(
        &broken
    )));
    // What it does not break still passes.
    conformance::group_round_trips_every_field(&broken);
    conformance::group_delete_removes_its_memberships(&broken);
}

/// A store written before `find_linked_user` existed: it has the trait's default, which
/// pages through `list_users`.
struct ScansForLinks(MemoryStore);

delegate_all_but!(ScansForLinks, {
    delegate_update_user!();
    delegate_find_user!();
});

#[test]
fn spec_21_default_find_linked_user_passes_the_kit() {
    conformance::linked_identity_is_indexed_with_the_user(&Broken(|| {
        ScansForLinks(MemoryStore::new())
    }));
}

/// A deliberately broken store: its link index remembers the first answer for each
/// identity and never forgets it, as an index not written with the user would.
struct StaleLinkIndex(
    MemoryStore,
    std::sync::Mutex<std::collections::HashMap<(String, String), UserRecord>>,
);

delegate_all_but!(StaleLinkIndex, {
    delegate_update_user!();
    delegate_find_user!();
    fn find_linked_user(
        &self,
        pool: &UserPoolId,
        provider: &str,
        subject: &str,
    ) -> Result<Option<UserRecord>, StoreError> {
        let key = (provider.to_owned(), subject.to_owned());
        let mut seen = self.1.lock().expect("the stale index");
        if let Some(user) = seen.get(&key) {
            return Ok(Some(user.clone()));
        }
        let answer = self.0.find_linked_user(pool, provider, subject)?;
        if let Some(user) = &answer {
            seen.insert(key, user.clone());
        }
        Ok(answer)
    }
});

#[test]
fn kit_catches_a_stale_link_index() {
    let broken = Broken(|| StaleLinkIndex(MemoryStore::new(), Default::default()));
    assert!(fails(|| {
        conformance::linked_identity_is_indexed_with_the_user(&broken)
    }));
}
