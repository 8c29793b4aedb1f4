//! Cases on pools and app clients.

use super::*;

/// A pool record round-trips every field through create and get.
pub fn pool_create_then_get_round_trips_every_field(h: &impl Harness) {
    let (store, _guard) = h.make();
    let policy = ok(
        PasswordPolicy::builder()
            .minimum_length(11)
            .require_uppercase(false)
            .require_lowercase(true)
            .require_numbers(false)
            .require_symbols(true)
            .password_history_size(24)
            .temporary_password_validity_days(365)
            .maximum_length(200)
            .reject_user_identity(true)
            .refuse_temporary_as_new(true)
            .minimum_strength(3)
            .build(),
        "policy",
    );
    let full = PoolRecord {
        id: pool_id("Full9"),
        name: "Every field — ünïcödé".into(),
        policy,
        hash_params: ok(HashParams::new(12_345, 3, 2), "params"),
        history_mode: HistoryMode::PerUserSalt,
        alias_attributes: vec![AliasAttribute::Email, AliasAttribute::PreferredUsername],
        username_attributes: vec![AliasAttribute::PhoneNumber],
        case_sensitive: false,
        created_at: at(123_456_789),
        modified_at: at(987_654_321),
        version: 0,
    };
    let plain = PoolRecord {
        version: 0,
        ..pool_record("Plain1", true, &[])
    };
    for pool in [&full, &plain] {
        let version = ok(store.create_pool(pool), "create_pool");
        assert_eq!(version, 1, "create_pool issues version 1");
        let back = ok(store.get_pool(&pool.id), "get_pool");
        let expected = PoolRecord {
            version: 1,
            ..pool.clone()
        };
        assert_eq!(back, Some(expected), "pool record round trip");
    }
}

/// `update_pool` is compare-and-swap on the pool's version (SPEC §3: compare-and-swap).
pub fn pool_update_is_compare_and_swap(h: &impl Harness) {
    let f = Fixture::new(h, true, &[]);
    let mut changed = f.pool.clone();
    changed.policy = ok(
        PasswordPolicy::builder().minimum_length(20).build(),
        "policy",
    );
    changed.name = "renamed".into();
    changed.modified_at = at(5_000_001);
    let v2 = ok(f.store.update_pool(&changed), "update_pool");
    assert_eq!(v2, 2, "update_pool issues version + 1");
    let back = ok(f.store.get_pool(f.id()), "get_pool");
    assert_eq!(
        back,
        Some(PoolRecord {
            version: 2,
            ..changed.clone()
        })
    );
    // A writer still holding version 1 loses and changes nothing.
    let mut stale = f.pool.clone();
    stale.name = "stale".into();
    assert!(
        matches!(
            f.store.update_pool(&stale),
            Err(StoreError::Conflict { .. })
        ),
        "a stale pool update must fail with Conflict"
    );
    let back = ok(f.store.get_pool(f.id()), "get_pool");
    assert_eq!(back.map(|p| p.name), Some("renamed".to_owned()));
    let missing = pool_record("Nope1", true, &[]);
    assert!(matches!(
        f.store.update_pool(&missing),
        Err(StoreError::PoolNotFound(_))
    ));
}

/// Deleting a pool removes it, its users and its clients.
pub fn pool_delete_removes_its_users_and_clients(h: &impl Harness) {
    let mut f = Fixture::new(h, true, &[]);
    f.add("alice", &[]);
    ok(
        f.store.create_client(&client(f.id(), "client1")),
        "create_client",
    );
    ok(f.store.delete_pool(f.id()), "delete_pool");
    assert_eq!(ok(f.store.get_pool(f.id()), "get_pool"), None);
    assert_eq!(
        ok(f.store.get_client(f.id(), "client1"), "get_client"),
        None
    );
    assert_eq!(ok(f.store.find_client("client1"), "find_client"), None);
    assert!(matches!(
        f.store.delete_pool(f.id()),
        Err(StoreError::PoolNotFound(_))
    ));
    // A pool re-created with the same id starts empty.
    ok(f.store.create_pool(&f.pool), "re-create");
    assert_eq!(f.by_name("alice"), None, "users of a deleted pool are gone");
}

/// `list_pools` returns every pool, ordered by id.
pub fn pool_list_is_ordered_by_id(h: &impl Harness) {
    let (store, _guard) = h.make();
    for id in ["Ccc1", "Aaa1", "Bbb1"] {
        ok(
            store.create_pool(&pool_record(id, true, &[])),
            "create_pool",
        );
    }
    let ids: Vec<String> = ok(store.list_pools(), "list_pools")
        .into_iter()
        .map(|p| p.id.as_str().to_owned())
        .collect();
    assert_eq!(ids, ["eu-west-1_Aaa1", "eu-west-1_Bbb1", "eu-west-1_Ccc1"]);
}

/// A second pool with an existing id is refused and the first is untouched.
pub fn duplicate_pool_is_refused(h: &impl Harness) {
    let f = Fixture::new(h, true, &[]);
    let mut again = f.pool.clone();
    again.name = "impostor".into();
    assert_eq!(f.store.create_pool(&again), Err(StoreError::PoolExists));
    let back = ok(f.store.get_pool(f.id()), "get_pool");
    assert_eq!(back.map(|p| p.name), Some(f.pool.name.clone()));
}

/// Every user operation on a missing pool fails with `PoolNotFound` (SPEC §8).
pub fn missing_pool_is_reported(h: &impl Harness) {
    let mut f = Fixture::new(h, true, &[]);
    let user = f.user("alice", &[]);
    let missing = pool_id("Missing1");
    let not_found = |r: Result<(), StoreError>, op: &str| {
        assert!(
            matches!(r, Err(StoreError::PoolNotFound(_))),
            "SPEC §8: {op} on a missing pool must fail with PoolNotFound, got {r:?}"
        );
    };
    not_found(
        f.store.insert_user(&missing, &user).map(drop),
        "insert_user",
    );
    not_found(
        f.store.update_user(&missing, &user).map(drop),
        "update_user",
    );
    not_found(
        f.store.delete_user(&missing, &user.username, 1),
        "delete_user",
    );
    not_found(
        f.store
            .find_user(&missing, UserKey::Username("alice"))
            .map(drop),
        "find_user",
    );
    not_found(
        f.store.list_users(&missing, None, 10).map(drop),
        "list_users",
    );
    not_found(f.store.delete_pool(&missing), "delete_pool");
    not_found(
        f.store.create_client(&client(&missing, "client9")),
        "create_client",
    );
    assert_eq!(ok(f.store.get_pool(&missing), "get_pool"), None);
}

/// App clients round-trip and are found by id alone; a duplicate id is refused.
pub fn client_create_then_get(h: &impl Harness) {
    let f = Fixture::new(h, true, &[]);
    let first = client(f.id(), "client1");
    let second = ClientRecord {
        secret: None,
        explicit_auth_flows: Vec::new(),
        prevent_user_existence_errors: false,
        oauth: crate::oauth::ClientOAuth::default(),
        ..client(f.id(), "client2")
    };
    for c in [&first, &second] {
        ok(f.store.create_client(c), "create_client");
        assert_eq!(
            ok(f.store.get_client(f.id(), &c.client_id), "get_client").as_ref(),
            Some(c)
        );
        assert_eq!(
            ok(f.store.find_client(&c.client_id), "find_client").as_ref(),
            Some(c)
        );
    }
    assert_eq!(f.store.create_client(&first), Err(StoreError::ClientExists));
    assert_eq!(ok(f.store.get_client(f.id(), "nope"), "get_client"), None);
}
