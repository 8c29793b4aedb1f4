//! Cases on compare-and-swap: stale writers, missing users, concurrent writers.

use super::*;

/// An update with a stale version fails with `Conflict` and changes nothing (SPEC §3: compare-and-swap).
pub fn stale_update_conflicts_and_changes_nothing(h: &impl Harness) {
    let mut f = Fixture::new(h, true, &[AliasAttribute::Email]);
    let read = f.add("alice", &[]);
    let winner = set(&read, |u| {
        u.attributes.insert("custom:who".into(), "winner".into());
    });
    let v2 = ok(f.update(&winner), "first writer");
    let loser = set(&read, |u| {
        u.attributes.insert("custom:who".into(), "loser".into());
        u.attributes
            .insert("email".into(), "loser@example.com".into());
        u.attributes.insert("email_verified".into(), "true".into());
        u.enabled = false;
    });
    let refused = f.update(&loser);
    assert!(
        matches!(
            refused,
            Err(StoreError::Conflict {
                expected: 1,
                found: Some(2)
            })
        ),
        "a stale write must fail with Conflict {{ expected: 1, found: Some(2) }}, got {refused:?}"
    );
    f.assert_stored(
        &UserRecord {
            version: v2,
            ..winner
        },
        "the winner's record after a refused stale write",
    );
    assert_eq!(
        f.find(UserKey::Alias(AliasAttribute::Email, "loser@example.com")),
        None,
        "a refused write must not move index entries"
    );
    // A version from the future is as stale as one from the past.
    let future = set(&read, |u| u.version = 99);
    assert!(matches!(
        f.update(&future),
        Err(StoreError::Conflict { .. })
    ));
}

/// A delete with a stale version fails with `Conflict` and keeps the user (SPEC §3: compare-and-swap).
pub fn stale_delete_conflicts_and_changes_nothing(h: &impl Harness) {
    let mut f = Fixture::new(h, true, &[]);
    let read = f.add("alice", &[]);
    let updated = set(&read, |u| {
        u.enabled = false;
    });
    let v2 = ok(f.update(&updated), "update");
    assert!(matches!(
        f.store.delete_user(f.id(), &read.username, 1),
        Err(StoreError::Conflict { .. })
    ));
    f.assert_stored(
        &UserRecord {
            version: v2,
            ..updated
        },
        "a user after a stale delete",
    );
    ok(f.store.delete_user(f.id(), &read.username, v2), "delete");
    assert_eq!(f.by_name("alice"), None);
    assert_eq!(
        f.store.delete_user(f.id(), &read.username, v2),
        Err(StoreError::NotFound)
    );
}

/// Updating a user that does not exist is `NotFound`, and creates nothing.
pub fn update_of_missing_user_is_not_found(h: &impl Harness) {
    let mut f = Fixture::new(h, true, &[]);
    let ghost = set(&f.user("ghost", &[]), |u| u.version = 1);
    assert_eq!(f.update(&ghost), Err(StoreError::NotFound));
    assert_eq!(f.by_name("ghost"), None, "an update must not insert");
}

const WRITERS: usize = 8;
const INCREMENTS: usize = 40;

/// N threads each do read-modify-CAS-retry appends to one user: no update is lost, every
/// successful write got its own version, the final version is 1 + successful writes.
pub fn concurrent_writers_lose_no_update(h: &impl Harness) {
    let mut f = Fixture::new(h, true, &[]);
    let user = f.add("counter", &[]);
    let (store, id) = (&f.store, f.id());
    let versions: Vec<u64> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..WRITERS)
            .map(|t| {
                scope.spawn(move || {
                    let mut mine = Vec::new();
                    for i in 0..INCREMENTS {
                        loop {
                            let found = store.find_user(id, UserKey::Username("counter"));
                            let Some(current) = ok(found, "find_user") else {
                                panic!("the user vanished");
                            };
                            // Between read and write a real writer does work (the
                            // service hashes here); yielding widens the window a store
                            // without compare-and-swap would lose updates in.
                            std::thread::yield_now();
                            let next = set(&current, |u| {
                                let log = u.attributes.entry("custom:log".into()).or_default();
                                log.push_str(&format!("t{t}-{i};"));
                            });
                            match store.update_user(id, &next) {
                                Ok(v) => {
                                    mine.push(v);
                                    break;
                                }
                                Err(StoreError::Conflict { .. }) => {}
                                Err(e) => panic!("unexpected error under contention: {e:?}"),
                            }
                        }
                    }
                    mine
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| match h.join() {
                Ok(v) => v,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    });
    let total = WRITERS * INCREMENTS;
    let mut sorted = versions.clone();
    sorted.sort_unstable();
    let expected: Vec<u64> = (2..=1 + total as u64).collect();
    assert_eq!(
        sorted, expected,
        "every successful write must get its own version, 2..=1+N"
    );
    let Some(last) = f.by_name("counter") else {
        panic!("the user vanished");
    };
    assert_eq!(last.version, 1 + total as u64, "final version = 1 + writes");
    let log = last
        .attributes
        .get("custom:log")
        .cloned()
        .unwrap_or_default();
    for t in 0..WRITERS {
        for i in 0..INCREMENTS {
            let marker = format!("t{t}-{i};");
            assert_eq!(
                log.matches(&marker).count(),
                1,
                "update {marker} lost or duplicated"
            );
        }
    }
    assert_eq!(last.sub, user.sub);
}

/// Threads racing to insert one username: exactly one wins (SPEC §8).
pub fn concurrent_inserts_of_one_username_admit_one(h: &impl Harness) {
    let mut f = Fixture::new(h, false, &[]);
    let racers: Vec<UserRecord> = (0..WRITERS)
        .map(|i| f.user(if i % 2 == 0 { "Racer" } else { "racer" }, &[]))
        .collect();
    let (store, id) = (&f.store, f.id());
    let results: Vec<Result<u64, StoreError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = racers
            .iter()
            .map(|u| scope.spawn(move || store.insert_user(id, u)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or(Err(StoreError::Backend("panic".into()))))
            .collect()
    });
    let winners = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(winners, 1, "exactly one insert wins: {results:?}");
    assert!(
        results
            .iter()
            .all(|r| r.is_ok() || *r == Err(StoreError::UsernameExists))
    );
}

/// Users racing to claim one verified alias value: exactly one wins (SPEC §8).
pub fn concurrent_claims_of_one_alias_admit_one(h: &impl Harness) {
    let mut f = Fixture::new(h, true, &[AliasAttribute::Email]);
    let users: Vec<UserRecord> = (0..WRITERS)
        .map(|i| {
            let u = f.add(&format!("claimant{i}"), &[]);
            set(&u, |u| {
                u.attributes
                    .insert("email".into(), "prize@example.com".into());
                u.attributes.insert("email_verified".into(), "true".into());
            })
        })
        .collect();
    let (store, id) = (&f.store, f.id());
    let results: Vec<Result<u64, StoreError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = users
            .iter()
            .map(|u| scope.spawn(move || store.update_user(id, u)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or(Err(StoreError::Backend("panic".into()))))
            .collect()
    });
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "exactly one claim wins: {results:?}"
    );
    let holder = f.find(UserKey::Alias(AliasAttribute::Email, "prize@example.com"));
    let winner = users
        .iter()
        .zip(&results)
        .find_map(|(u, r)| r.is_ok().then_some(u.sub));
    assert_eq!(holder.map(|u| u.sub), winner);
}
