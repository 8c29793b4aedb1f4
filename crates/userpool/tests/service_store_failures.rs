//! What the service does when the store misbehaves: endless write conflicts end in
//! `InternalErrorException` after the configured attempts, with nothing changed; a backend
//! failure is `InternalErrorException` whose message says nothing of the backend
//! (SPEC §10).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use userpool::{
    Caller, ClientRecord, MemoryStore, PoolRecord, PoolSettings, Store, StoreError, UserKey,
    UserPools,
};
use userpool_core::{HashParams, UserPoolId, UserRecord, Username};

#[macro_use]
// The wrapper-store macro the store crate's own tests use (one home for it).
#[path = "../../userpool-store/tests/delegate/mod.rs"]
mod delegate;

/// Delegates to a `MemoryStore`; while `conflict` is set every user update loses the
/// compare-and-swap, while `broken` is set every update fails in the backend.
#[derive(Default)]
struct Flaky(MemoryStore, AtomicBool, AtomicBool, AtomicU32);

delegate_all_but!(Flaky, {
    fn update_user(&self, pool: &UserPoolId, user: &UserRecord) -> Result<u64, StoreError> {
        self.3.fetch_add(1, Ordering::SeqCst);
        if self.1.load(Ordering::SeqCst) {
            return Err(StoreError::Conflict {
                expected: user.version,
                found: Some(user.version + 1),
            });
        }
        if self.2.load(Ordering::SeqCst) {
            return Err(StoreError::Backend(
                "disk /dev/sda3 on fire at 10.0.0.7".into(),
            ));
        }
        self.0.update_user(pool, user)
    }
    delegate_find_user!();
});

fn set_up() -> (Arc<Flaky>, UserPools<Flaky>, String) {
    let store = Arc::new(Flaky::default());
    let pools = UserPools::builder(Arc::clone(&store))
        .max_attempts(3)
        .build();
    let settings = PoolSettings {
        hash_params: HashParams::insecure_fast_for_tests(),
        ..PoolSettings::default()
    };
    let admin = Caller::new("admin");
    let pool = pools
        .create_user_pool(&admin, "flaky", settings)
        .expect("pool");
    pools
        .admin_create_user(&admin, pool.id.as_str(), "alice", None, &[], None)
        .expect("user");
    (store, pools, pool.id.as_str().to_owned())
}

fn stored(store: &Flaky, pool: &str) -> Option<UserRecord> {
    let id = UserPoolId::parse(pool).expect("id");
    store
        .find_user(&id, UserKey::Username("alice"))
        .expect("store")
}

#[test]
fn endless_conflicts_give_up_after_the_configured_attempts_and_change_nothing() {
    let (store, pools, pool) = set_up();
    let before = stored(&store, &pool);
    store.1.store(true, Ordering::SeqCst);
    let e = pools
        .admin_set_user_password(
            &Caller::new("admin"),
            &pool,
            "alice",
            "Str0ng-Passw0rd!",
            Some(true),
        )
        .expect_err("contention");
    assert_eq!(e.code(), "InternalErrorException");
    assert_eq!(
        e,
        userpool_core::Error::Internal(userpool_core::Internal::ContentionRetriesExhausted)
    );
    assert_eq!(e.to_string(), "An internal error occurred.");
    assert_eq!(
        store.3.load(Ordering::SeqCst),
        3,
        "exactly max_attempts writes were tried"
    );
    assert_eq!(stored(&store, &pool), before);
}

#[test]
fn backend_failure_is_internal_error_whose_cause_reaches_only_the_log() {
    let (store, pools, pool) = set_up();
    store.2.store(true, Ordering::SeqCst);
    let e = pools
        .admin_disable_user(&Caller::new("admin"), &pool, "alice")
        .expect_err("backend");
    assert_eq!(e.code(), "InternalErrorException");
    // The client's message says nothing of the backend...
    assert_eq!(e.to_string(), "An internal error occurred.");
    // ...while the operator's log (the error's source) keeps the backend's own words.
    let cause = std::error::Error::source(&e).map(ToString::to_string);
    assert!(
        cause.as_deref().is_some_and(|c| c.contains("sda3")),
        "{cause:?}"
    );
    assert_eq!(
        store.3.load(Ordering::SeqCst),
        1,
        "a backend failure is not retried"
    );
}
