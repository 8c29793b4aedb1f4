//! SPEC §20 at the store level: two instances (two stores, each with its own pool of
//! connections) on one database. Read-modify-write loops through both lose no update, and
//! a count kept in the user row (the lockout count) ends at exactly the number of
//! increments acknowledged, whichever instance made them.

mod common;

use std::sync::Barrier;

use userpool_postgres::{PostgresOptions, PostgresStore};
use userpool_store::{Store, StoreError, UserKey};

#[test]
fn two_instances_lose_no_update_and_count_every_increment() {
    let Some(url) = common::database_url("two instances on one database") else {
        return;
    };
    let guard = common::SchemaGuard::fresh(&url, "instances");
    let open = || {
        PostgresStore::open_with(
            &url,
            &PostgresOptions::default()
                .pool_size(3)
                .schema(&guard.schema),
        )
        .expect("an instance")
    };
    let instances = [open(), open()];
    let pool = common::pool("Instances1");
    instances[0].create_pool(&pool).expect("pool");
    let user = common::user("counted", &[], 7);
    instances[1].insert_user(&pool.id, &user).expect("user");

    const THREADS: usize = 6;
    const EACH: u32 = 10;
    let barrier = Barrier::new(THREADS);
    let conflicts: u32 = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let store = &instances[t % 2];
                let (pool, barrier) = (&pool, &barrier);
                scope.spawn(move || {
                    barrier.wait();
                    let mut conflicts = 0;
                    for _ in 0..EACH {
                        loop {
                            let mut current = store
                                .find_user(&pool.id, UserKey::Username("counted"))
                                .expect("read")
                                .expect("the user");
                            current.lockout.consecutive_failures += 1;
                            current
                                .attributes
                                .insert("custom:writer".into(), t.to_string());
                            match store.update_user(&pool.id, &current) {
                                Ok(_) => break,
                                Err(StoreError::Conflict { .. }) => conflicts += 1,
                                Err(e) => panic!("unexpected {e:?}"),
                            }
                        }
                    }
                    conflicts
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("no panic"))
            .sum()
    });
    let total = u32::try_from(THREADS).expect("small") * EACH;
    for store in &instances {
        let end = store
            .find_user(&pool.id, UserKey::Username("counted"))
            .expect("read")
            .expect("the user");
        assert_eq!(
            end.lockout.consecutive_failures, total,
            "every acknowledged increment counted ({conflicts} conflicts retried)"
        );
        assert_eq!(end.version, 1 + u64::from(total));
    }
    assert!(
        conflicts > 0,
        "the writers did race (else the test proves nothing)"
    );
}
