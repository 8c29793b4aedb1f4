//! Cases on lookup and uniqueness: username, alias values, `sub` (SPEC §8).

use super::*;

/// An inserted user is found by username, by verified alias and by `sub` (SPEC §8).
pub fn user_insert_then_find_by_username_alias_and_sub(h: &impl Harness) {
    let mut f = Fixture::new(h, true, &AliasAttribute::ALL);
    let alice = f.add(
        "alice",
        &[
            ("email", "alice@example.com"),
            ("email_verified", "true"),
            ("phone_number", "+15550100"),
            ("phone_number_verified", "true"),
            ("preferred_username", "ally"),
        ],
    );
    let found = [
        f.by_name("alice"),
        f.find(UserKey::Alias(AliasAttribute::Email, "alice@example.com")),
        f.find(UserKey::Alias(AliasAttribute::PhoneNumber, "+15550100")),
        f.find(UserKey::Alias(AliasAttribute::PreferredUsername, "ally")),
        f.find(UserKey::Sub(alice.sub)),
    ];
    for (i, user) in found.iter().enumerate() {
        assert_eq!(user.as_ref(), Some(&alice), "SPEC §8: lookup #{i}");
    }
    assert_eq!(f.by_name("bob"), None);
    assert_eq!(f.find(UserKey::Sub(uuid::Uuid::nil())), None);
    // An alias value is looked up under its own attribute only.
    assert_eq!(
        f.find(UserKey::Alias(
            AliasAttribute::PreferredUsername,
            "alice@example.com"
        )),
        None
    );
}

/// Versions are issued by the store: 1 on insert whatever the record says, +1 per update.
pub fn store_issues_versions(h: &impl Harness) {
    let mut f = Fixture::new(h, true, &[]);
    let mut user = f.user("alice", &[]);
    user.version = 42;
    assert_eq!(ok(f.store.insert_user(f.id(), &user), "insert_user"), 1);
    let stored = f.by_name("alice");
    assert_eq!(stored.as_ref().map(|u| u.version), Some(1));
    let mut current = stored.unwrap_or(user);
    for expected in 2..=5 {
        current
            .attributes
            .insert("custom:n".into(), expected.to_string());
        let v = ok(f.update(&current), "update_user");
        assert_eq!(v, expected, "update_user issues version + 1");
        current.version = v;
        f.assert_stored(&current, "an updated user");
    }
}

/// In a case-insensitive pool, usernames and alias values compare folded (SPEC §8).
pub fn username_is_unique_and_folded_in_case_insensitive_pool(h: &impl Harness) {
    let mut f = Fixture::new(h, false, &[AliasAttribute::Email]);
    let ana = f.add(
        "Ana",
        &[("email", "Ana@Example.COM"), ("email_verified", "true")],
    );
    for name in ["Ana", "ana", "ANA"] {
        assert_eq!(f.by_name(name).as_ref(), Some(&ana), "SPEC §8: {name}");
    }
    assert_eq!(
        f.find(UserKey::Alias(AliasAttribute::Email, "ana@example.com"))
            .as_ref(),
        Some(&ana),
        "SPEC §8: alias values fold in a case-insensitive pool"
    );
    assert_eq!(
        ana.username.as_str(),
        "Ana",
        "the username keeps its case as created"
    );
    let other = f.user("aNA", &[]);
    assert_eq!(
        f.store.insert_user(f.id(), &other),
        Err(StoreError::UsernameExists),
        "SPEC §8: usernames differing only in case collide in a case-insensitive pool"
    );
    let clash = f.user(
        "bea",
        &[("email", "ANA@example.com"), ("email_verified", "true")],
    );
    assert_eq!(
        f.store.insert_user(f.id(), &clash),
        Err(StoreError::AliasExists(AliasAttribute::Email))
    );
    ok(f.store.delete_user(f.id(), &ana.username, 1), "delete_user");
    assert_eq!(f.by_name("ana"), None);
}

/// In a case-sensitive pool, usernames differing in case are different users.
pub fn username_is_case_sensitive_in_case_sensitive_pool(h: &impl Harness) {
    let mut f = Fixture::new(h, true, &[AliasAttribute::Email]);
    let lower = f.add("ana", &[]);
    let upper = f.add("Ana", &[]);
    assert_ne!(lower.sub, upper.sub);
    assert_eq!(f.by_name("ana").as_ref(), Some(&lower));
    assert_eq!(f.by_name("Ana").as_ref(), Some(&upper));
    assert_eq!(
        f.by_name("ANA"),
        None,
        "SPEC §8: no folding when case-sensitive"
    );
    let again = f.user("ana", &[]);
    assert_eq!(
        f.store.insert_user(f.id(), &again),
        Err(StoreError::UsernameExists)
    );
    let c = f.add(
        "carl",
        &[("email", "Carl@example.com"), ("email_verified", "true")],
    );
    assert_eq!(
        f.find(UserKey::Alias(AliasAttribute::Email, "Carl@example.com"))
            .as_ref(),
        Some(&c)
    );
    assert_eq!(
        f.find(UserKey::Alias(AliasAttribute::Email, "carl@example.com")),
        None
    );
}

/// Two users cannot hold the same verified alias value, on insert or on update (SPEC §8).
pub fn verified_alias_is_unique(h: &impl Harness) {
    let mut f = Fixture::new(h, true, &[AliasAttribute::Email]);
    let verified = [("email", "shared@example.com"), ("email_verified", "true")];
    let first = f.add("first", &verified);
    let second = f.user("second", &verified);
    assert_eq!(
        f.store.insert_user(f.id(), &second),
        Err(StoreError::AliasExists(AliasAttribute::Email)),
        "SPEC §8: alias values are unique within a pool"
    );
    assert_eq!(f.by_name("second"), None, "a refused insert stores nothing");
    // The same value, unverified, is no alias and may be shared.
    let third = f.add("third", &[("email", "shared@example.com")]);
    let claim = set(&third, |u| {
        u.attributes.insert("email_verified".into(), "true".into());
    });
    assert_eq!(
        f.update(&claim),
        Err(StoreError::AliasExists(AliasAttribute::Email))
    );
    f.assert_stored(&third, "a user whose alias claim was refused");
    assert_eq!(
        f.find(UserKey::Alias(AliasAttribute::Email, "shared@example.com"))
            .as_ref(),
        Some(&first)
    );
}

/// Only verified values of attributes the pool lists are aliases (SPEC §8).
pub fn alias_is_indexed_only_when_verified_and_listed(h: &impl Harness) {
    let mut f = Fixture::new(h, true, &[AliasAttribute::Email]);
    let u = f.add(
        "unverified",
        &[
            ("email", "u@example.com"),
            ("email_verified", "false"),
            ("preferred_username", "unlisted"),
            ("phone_number", "+15550111"),
            ("phone_number_verified", "true"),
        ],
    );
    assert_eq!(
        f.find(UserKey::Alias(AliasAttribute::Email, "u@example.com")),
        None,
        "SPEC §8: an unverified email is no alias"
    );
    assert_eq!(
        f.find(UserKey::Alias(
            AliasAttribute::PreferredUsername,
            "unlisted"
        )),
        None,
        "SPEC §8: an attribute the pool does not list is no alias"
    );
    assert_eq!(
        f.find(UserKey::Alias(AliasAttribute::PhoneNumber, "+15550111")),
        None,
        "SPEC §8: a verified phone number the pool does not list is no alias"
    );
    let verified = set(&u, |u| {
        u.attributes.insert("email_verified".into(), "true".into());
    });
    let v = ok(f.update(&verified), "verify the email");
    assert_eq!(
        f.find(UserKey::Alias(AliasAttribute::Email, "u@example.com"))
            .map(|u| u.version),
        Some(v),
        "verifying the email makes it an alias"
    );
}

/// A username-attribute value (`UsernameAttributes`) is in the alias index from the moment
/// it is set, verified or not, and unique there; it moves with its value (SPEC §8).
pub fn username_attribute_is_indexed_unverified_and_unique<H: Harness>(h: &H) {
    let (store, guard) = h.make();
    let mut pool = pool_record("Kit1", true, &[]);
    pool.username_attributes = vec![AliasAttribute::Email];
    pool.version = ok(store.create_pool(&pool), "create_pool");
    let mut f = Fixture::<H> {
        store,
        _guard: guard,
        pool,
        rng: seeded_entropy(0x5eed),
    };
    let diego = f.add("diego-uuid", &[("email", "diego@example.com")]);
    assert_eq!(
        f.find(UserKey::Alias(AliasAttribute::Email, "diego@example.com")),
        Some(diego.clone()),
        "SPEC §8: an unverified username-attribute value finds its user"
    );
    let rival = f.user("rival-uuid", &[("email", "diego@example.com")]);
    assert!(
        matches!(
            f.store.insert_user(f.id(), &rival),
            Err(StoreError::AliasExists(AliasAttribute::Email))
        ),
        "SPEC §8: username-attribute values are unique, verified or not"
    );
    assert_eq!(
        f.by_name("rival-uuid"),
        None,
        "a refused insert stores nothing"
    );
    let moved = set(&diego, |u| {
        u.attributes
            .insert("email".into(), "diego@example.org".into());
    });
    let v = ok(f.update(&moved), "change the email");
    assert_eq!(
        f.find(UserKey::Alias(AliasAttribute::Email, "diego@example.org"))
            .map(|u| u.version),
        Some(v),
        "the new value finds the user"
    );
    assert_eq!(
        f.find(UserKey::Alias(AliasAttribute::Email, "diego@example.com")),
        None,
        "the old value is free"
    );
    f.add("rival-uuid", &[("email", "diego@example.com")]);
}

/// An alias moves with its value: the old value no longer finds the user (SPEC §8).
pub fn alias_moves_when_its_value_changes(h: &impl Harness) {
    let mut f = Fixture::new(h, true, &[AliasAttribute::Email]);
    let u = f.add(
        "mover",
        &[("email", "old@example.com"), ("email_verified", "true")],
    );
    let moved = set(&u, |u| {
        u.attributes
            .insert("email".into(), "new@example.com".into());
    });
    ok(f.update(&moved), "move the alias");
    assert_eq!(
        f.find(UserKey::Alias(AliasAttribute::Email, "old@example.com")),
        None,
        "SPEC §8: the old alias value no longer resolves"
    );
    assert_eq!(
        f.find(UserKey::Alias(AliasAttribute::Email, "new@example.com"))
            .map(|u| u.sub),
        Some(u.sub)
    );
    // The released value can be claimed by another user.
    f.add(
        "taker",
        &[("email", "old@example.com"), ("email_verified", "true")],
    );
    // Dropping the verification drops the alias too.
    let current = f.by_name("mover").unwrap_or(moved);
    let unverified = set(&current, |u| {
        u.attributes.remove("email_verified");
    });
    ok(f.update(&unverified), "unverify");
    assert_eq!(
        f.find(UserKey::Alias(AliasAttribute::Email, "new@example.com")),
        None
    );
}

/// Two users of a pool cannot share a `sub` (SPEC §8).
pub fn sub_is_unique(h: &impl Harness) {
    let mut f = Fixture::new(h, true, &[]);
    let first = f.add("first", &[]);
    let twin = set(&f.user("second", &[]), |u| u.sub = first.sub);
    assert_eq!(
        f.store.insert_user(f.id(), &twin),
        Err(StoreError::SubExists)
    );
    assert_eq!(f.by_name("second"), None);
    assert_eq!(f.find(UserKey::Sub(first.sub)).as_ref(), Some(&first));
}

/// Deleting a user frees its username, alias values and `sub`.
pub fn delete_user_frees_username_alias_and_sub(h: &impl Harness) {
    let mut f = Fixture::new(h, true, &[AliasAttribute::Email]);
    let gone = f.add(
        "gone",
        &[("email", "g@example.com"), ("email_verified", "true")],
    );
    ok(f.store.delete_user(f.id(), &gone.username, 1), "delete");
    assert_eq!(f.find(UserKey::Sub(gone.sub)), None);
    assert_eq!(
        f.find(UserKey::Alias(AliasAttribute::Email, "g@example.com")),
        None
    );
    let reborn = set(
        &f.user(
            "gone",
            &[("email", "g@example.com"), ("email_verified", "true")],
        ),
        |u| {
            u.sub = gone.sub;
        },
    );
    assert_eq!(ok(f.store.insert_user(f.id(), &reborn), "re-insert"), 1);
}

/// `find_pool_user` reads the pool with the user its whole lookup finds: by username
/// (folded), then by alias value, then by `sub`; the username wins over another user's
/// alias value; an unknown name finds the pool and no user (SPEC §8).
pub fn find_pool_user_reads_the_pool_and_the_user_by_every_key(h: &impl Harness) {
    let mut f = Fixture::new(h, false, &[AliasAttribute::Email]);
    let alice = f.add(
        "Alice",
        &[("email", "shared@example.com"), ("email_verified", "true")],
    );
    let named = f.add("shared@example.com", &[]);
    let stored_pool = ok(f.store.get_pool(f.id()), "get_pool");
    let sub = alice.sub.hyphenated().to_string();
    for (name, expected) in [
        ("alice", Some(&alice)),
        ("ALICE", Some(&alice)),
        ("Shared@Example.com", Some(&named)),
        (sub.as_str(), Some(&alice)),
        ("nobody", None),
    ] {
        let (pool, user) = ok(f.store.find_pool_user(f.id(), name), "find_pool_user");
        assert_eq!(Some(&pool), stored_pool.as_ref(), "the pool as stored");
        assert_eq!(user.as_ref(), expected, "SPEC §8: {name}");
    }
    // The alias finds its user once the username that shadowed it is gone.
    ok(
        f.store.delete_user(f.id(), &named.username, named.version),
        "delete_user",
    );
    let (_, user) = ok(
        f.store.find_pool_user(f.id(), "shared@example.com"),
        "find_pool_user",
    );
    assert_eq!(user.as_ref(), Some(&alice), "SPEC §8: by alias");
    let missing = pool_id("Missing");
    assert!(
        matches!(
            f.store.find_pool_user(&missing, "alice"),
            Err(StoreError::PoolNotFound(_))
        ),
        "an unknown pool is PoolNotFound"
    );
}

/// `update_user_in` (a write with the pool as read) is the same compare-and-swap as
/// `update_user`, moves alias values, and fails, writing nothing, once the pool is deleted.
pub fn update_user_in_is_compare_and_swap_and_fails_for_a_deleted_pool(h: &impl Harness) {
    let mut f = Fixture::new(h, false, &[AliasAttribute::Email]);
    let alice = f.add(
        "alice",
        &[("email", "old@example.com"), ("email_verified", "true")],
    );
    let pool = ok(f.store.get_pool(f.id()), "get_pool").unwrap_or_else(|| f.pool.clone());
    let moved = set(&alice, |u| {
        u.attributes
            .insert("email".into(), "New@Example.com".into());
    });
    let version = ok(f.store.update_user_in(&pool, &moved), "update_user_in");
    assert_eq!(version, 2, "update_user_in issues version + 1");
    let moved = UserRecord { version, ..moved };
    f.assert_stored(&moved, "a user written with update_user_in");
    assert_eq!(
        f.find(UserKey::Alias(AliasAttribute::Email, "new@example.com")),
        Some(moved.clone()),
        "SPEC §8: the new alias value finds the user"
    );
    assert_eq!(
        f.find(UserKey::Alias(AliasAttribute::Email, "old@example.com")),
        None,
        "SPEC §8: the old alias value is released"
    );
    let stale = set(&alice, |u| {
        u.attributes.insert("custom:n".into(), "1".into());
    });
    assert!(
        matches!(
            f.store.update_user_in(&pool, &stale),
            Err(StoreError::Conflict {
                expected: 1,
                found: Some(2)
            })
        ),
        "a stale version conflicts"
    );
    f.assert_stored(&moved, "a user after a refused update_user_in");
    ok(f.store.delete_pool(f.id()), "delete_pool");
    let after = set(&moved, |u| {
        u.attributes.insert("custom:n".into(), "2".into());
    });
    assert!(
        matches!(
            f.store.update_user_in(&pool, &after),
            Err(StoreError::PoolNotFound(_))
        ),
        "a write with a pool read before its deletion fails"
    );
    assert_eq!(ok(f.store.get_pool(f.id()), "get_pool"), None);
}

/// An `identities` value listing the given (provider, user id) pairs, as Cognito writes it.
fn identities(links: &[(&str, &str)]) -> String {
    let entries: Vec<String> = links
        .iter()
        .map(|(provider, id)| {
            format!(
                r#"{{"userId":"{id}","providerName":"{provider}","providerType":"OIDC","issuer":null,"primary":false,"dateCreated":1}}"#
            )
        })
        .collect();
    format!("[{}]", entries.join(","))
}

/// `find_linked_user` finds the user an identity is linked to through its `identities`
/// (SPEC §21): linking, unlinking and deleting the user move the index with the write;
/// two users' links stay apart; provider ids compare exactly; a federated user is not
/// linked to its own identity; a pool without users or a missing pool answers as usual.
pub fn linked_identity_is_indexed_with_the_user(h: &impl Harness) {
    let mut f = Fixture::new(h, false, &[]);
    fn linked<H: Harness>(f: &Fixture<H>, provider: &str, id: &str) -> Option<UserRecord> {
        ok(
            f.store.find_linked_user(f.id(), provider, id),
            "find_linked_user",
        )
    }
    assert_eq!(linked(&f, "Google", "g-1"), None, "an empty pool");
    // A federated user lists its own identity: it is not linked to itself.
    f.add(
        "Google_g-1",
        &[("identities", &identities(&[("Google", "g-1")]))],
    );
    assert_eq!(linked(&f, "Google", "g-1"), None, "SPEC §21: own identity");

    let alice = f.add("alice", &[]);
    let bob = f.add("bob", &[("identities", &identities(&[("Corp", "B-1")]))]);
    assert_eq!(linked(&f, "Corp", "B-1").as_ref(), Some(&bob), "inserted");
    assert_eq!(
        linked(&f, "Corp", "b-1"),
        None,
        "SPEC §21: ids are case-sensitive"
    );
    assert_eq!(
        linked(&f, "corp", "B-1"),
        None,
        "provider names compare exactly"
    );

    // Link two identities to alice.
    let alice = set(&alice, |u| {
        u.attributes.insert(
            "identities".into(),
            identities(&[("Google", "g-1"), ("Corp", "A-1")]),
        );
    });
    let v = ok(f.update(&alice), "link");
    let alice = set(&alice, |u| u.version = v);
    assert_eq!(linked(&f, "Google", "g-1").as_ref(), Some(&alice), "linked");
    assert_eq!(linked(&f, "Corp", "A-1").as_ref(), Some(&alice), "linked");
    assert_eq!(linked(&f, "Corp", "B-1").as_ref(), Some(&bob), "two users");

    // Unlink one: the other stays.
    let alice = set(&alice, |u| {
        u.attributes
            .insert("identities".into(), identities(&[("Corp", "A-1")]));
    });
    let v = ok(f.update(&alice), "unlink");
    let alice = set(&alice, |u| u.version = v);
    assert_eq!(linked(&f, "Google", "g-1"), None, "unlinked");
    assert_eq!(linked(&f, "Corp", "A-1").as_ref(), Some(&alice), "kept");

    // An unreadable value links nothing; removing the attribute unlinks all.
    let alice = set(&alice, |u| {
        u.attributes.insert("identities".into(), "not json".into());
    });
    let v = ok(f.update(&alice), "unreadable identities");
    let alice = set(&alice, |u| u.version = v);
    assert_eq!(linked(&f, "Corp", "A-1"), None, "unreadable");
    let alice = set(&alice, |u| {
        u.attributes
            .insert("identities".into(), identities(&[("Corp", "A-1")]));
    });
    let v = ok(f.update(&alice), "relink");
    assert_eq!(linked(&f, "Corp", "A-1").map(|u| u.version), Some(v));

    // Deleting a user removes its links, and only its.
    ok(f.store.delete_user(f.id(), &bob.username, 1), "delete bob");
    assert_eq!(linked(&f, "Corp", "B-1"), None, "deleted user");
    assert_eq!(
        linked(&f, "Corp", "A-1").map(|u| u.username),
        Some(alice.username.clone())
    );
    assert!(matches!(
        f.store.find_linked_user(&pool_id("Nope"), "Corp", "A-1"),
        Err(StoreError::PoolNotFound(_))
    ));
}
