//! Cases on groups and memberships (SPEC §17).

use std::sync::atomic::{AtomicBool, Ordering};

use uuid::Uuid;

use super::*;
use crate::groups::GroupRecord;

/// A group with every field set, times in whole microseconds.
fn group(pool: &UserPoolId, name: &str, precedence: Option<u32>) -> GroupRecord {
    GroupRecord {
        pool_id: pool.clone(),
        name: name.to_owned(),
        description: Some(format!("the {name} group: ünïcödé, 'quotes', \"and\" ; --")),
        precedence,
        role_arn: Some(format!("arn:aws:iam::123456789012:role/{name}")),
        created_at: at(1_733_000_000_000_001),
        modified_at: at(1_733_000_000_000_002),
        version: 0,
    }
}

fn create(f: &Fixture<impl Harness>, g: &GroupRecord) -> GroupRecord {
    let version = ok(f.store.create_group(g), "create_group");
    assert_eq!(version, 1, "SPEC §17: create_group issues version 1");
    GroupRecord {
        version,
        ..g.clone()
    }
}

fn names(groups: &[GroupRecord]) -> Vec<&str> {
    groups.iter().map(|g| g.name.as_str()).collect()
}

fn groups_of(f: &Fixture<impl Harness>, sub: Uuid) -> Vec<String> {
    ok(
        f.store.list_groups_for_user(f.id(), sub, None, 1000),
        "list_groups_for_user",
    )
    .into_iter()
    .map(|g| g.name)
    .collect()
}

fn members(f: &Fixture<impl Harness>, group: &str) -> Vec<String> {
    ok(
        f.store.list_users_in_group(f.id(), group, None, 1000),
        "list_users_in_group",
    )
    .into_iter()
    .map(|u| u.username.as_str().to_owned())
    .collect()
}

/// Every field of a group reads back as written, with and without the optional ones;
/// an update replaces the mutable fields and keeps the name and creation date.
pub fn group_round_trips_every_field(h: &impl Harness) {
    let f = Fixture::new(h, true, &[]);
    let full = create(&f, &group(f.id(), "Ädmins+=,.@-", Some(2_147_483_647)));
    let bare = GroupRecord {
        description: None,
        precedence: None,
        role_arn: None,
        ..group(f.id(), "bare", None)
    };
    let bare = create(&f, &bare);
    let zero = create(&f, &group(f.id(), "zero", Some(0)));
    for g in [&full, &bare, &zero] {
        assert_eq!(
            ok(f.store.get_group(f.id(), &g.name), "get_group").as_ref(),
            Some(g),
            "SPEC §17: round trip of group {}",
            g.name
        );
    }
    assert_eq!(ok(f.store.get_group(f.id(), "missing"), "get_group"), None);
    let changed = GroupRecord {
        description: None,
        precedence: Some(7),
        role_arn: Some("arn:aws:iam::123456789012:role/other".into()),
        modified_at: at(1_733_000_000_999_999),
        ..full.clone()
    };
    let version = ok(f.store.update_group(&changed), "update_group");
    assert_eq!(version, 2, "SPEC §17: an update issues version + 1");
    assert_eq!(
        ok(f.store.get_group(f.id(), &full.name), "get_group"),
        Some(GroupRecord {
            version: 2,
            ..changed
        }),
        "SPEC §17: the update's fields read back"
    );
}

/// Names are unique within a pool (a second create changes nothing), and only within it.
pub fn group_names_are_unique_per_pool(h: &impl Harness) {
    let f = Fixture::new(h, true, &[]);
    let first = create(&f, &group(f.id(), "admins", Some(1)));
    let again = group(f.id(), "admins", Some(9));
    assert_eq!(
        f.store.create_group(&again),
        Err(StoreError::GroupExists),
        "SPEC §17: a group name is unique in its pool"
    );
    assert_eq!(
        ok(f.store.get_group(f.id(), "admins"), "get_group"),
        Some(first),
        "the refused create changed nothing"
    );
    let mut other = pool_record("Kit2", true, &[]);
    other.version = ok(f.store.create_pool(&other), "create_pool");
    let theirs = group(&other.id, "admins", Some(9));
    assert_eq!(
        ok(f.store.create_group(&theirs), "same name in another pool"),
        1
    );
    assert_eq!(
        ok(f.store.list_groups(f.id(), None, 10), "list_groups").len(),
        1,
        "another pool's group is not listed"
    );
}

/// A stale update conflicts and changes nothing; an update of a missing group is
/// `GroupNotFound`.
pub fn group_update_is_compare_and_swap(h: &impl Harness) {
    let f = Fixture::new(h, true, &[]);
    let g = create(&f, &group(f.id(), "staff", Some(3)));
    let first = GroupRecord {
        precedence: Some(4),
        ..g.clone()
    };
    ok(f.store.update_group(&first), "first update");
    let stale = GroupRecord {
        precedence: Some(5),
        ..g.clone()
    };
    assert!(
        matches!(
            f.store.update_group(&stale),
            Err(StoreError::Conflict {
                expected: 1,
                found: Some(2)
            })
        ),
        "SPEC §17: an update at an old version conflicts"
    );
    let stored = ok(f.store.get_group(f.id(), "staff"), "get_group");
    assert_eq!(stored.and_then(|g| g.precedence), Some(4));
    let missing = group(f.id(), "ghost", None);
    assert_eq!(
        f.store.update_group(&missing),
        Err(StoreError::GroupNotFound)
    );
}

/// Adding is idempotent; adding needs the group and the user; removing says whether there
/// was a membership.
pub fn memberships_need_group_and_user(h: &impl Harness) {
    let mut f = Fixture::new(h, true, &[]);
    let alice = f.add("alice", &[]);
    create(&f, &group(f.id(), "staff", None));
    ok(f.store.add_user_to_group(f.id(), "staff", alice.sub), "add");
    ok(
        f.store.add_user_to_group(f.id(), "staff", alice.sub),
        "add again",
    );
    assert_eq!(members(&f, "staff"), ["alice"], "one membership, not two");
    assert_eq!(groups_of(&f, alice.sub), ["staff"]);
    assert_eq!(
        f.store.add_user_to_group(f.id(), "nope", alice.sub),
        Err(StoreError::GroupNotFound)
    );
    assert_eq!(
        f.store
            .add_user_to_group(f.id(), "staff", Uuid::from_u128(7)),
        Err(StoreError::NotFound),
        "SPEC §17: only an existing user can be a member"
    );
    assert_eq!(
        f.store.remove_user_from_group(f.id(), "nope", alice.sub),
        Err(StoreError::GroupNotFound)
    );
    assert_eq!(
        f.store.list_users_in_group(f.id(), "nope", None, 10),
        Err(StoreError::GroupNotFound)
    );
    assert!(
        ok(
            f.store.remove_user_from_group(f.id(), "staff", alice.sub),
            "remove"
        ),
        "a membership was removed"
    );
    assert!(
        !ok(
            f.store.remove_user_from_group(f.id(), "staff", alice.sub),
            "remove again"
        ),
        "no membership is left to remove"
    );
    assert!(members(&f, "staff").is_empty());
    assert!(groups_of(&f, alice.sub).is_empty());
    assert!(groups_of(&f, Uuid::from_u128(7)).is_empty(), "unknown sub");
}

/// Deleting a group deletes its memberships and no user; a group created again with the
/// name has no members.
pub fn group_delete_removes_its_memberships(h: &impl Harness) {
    let mut f = Fixture::new(h, true, &[]);
    let alice = f.add("alice", &[]);
    let bob = f.add("bob", &[]);
    let staff = create(&f, &group(f.id(), "staff", Some(1)));
    create(&f, &group(f.id(), "other", Some(2)));
    for sub in [alice.sub, bob.sub] {
        ok(f.store.add_user_to_group(f.id(), "staff", sub), "add");
    }
    ok(f.store.add_user_to_group(f.id(), "other", alice.sub), "add");
    ok(f.store.delete_group(f.id(), "staff"), "delete_group");
    assert_eq!(
        f.store.delete_group(f.id(), "staff"),
        Err(StoreError::GroupNotFound)
    );
    assert_eq!(ok(f.store.get_group(f.id(), "staff"), "get_group"), None);
    assert_eq!(
        groups_of(&f, alice.sub),
        ["other"],
        "SPEC §17: the group's memberships went with it"
    );
    assert!(groups_of(&f, bob.sub).is_empty());
    assert!(f.by_name("alice").is_some() && f.by_name("bob").is_some());
    create(&f, &staff);
    assert!(
        members(&f, "staff").is_empty(),
        "SPEC §17: a group created again has no members"
    );
}

/// Deleting a user deletes its memberships and only its own.
pub fn user_delete_removes_its_memberships(h: &impl Harness) {
    let mut f = Fixture::new(h, true, &[]);
    let alice = f.add("alice", &[]);
    let bob = f.add("bob", &[]);
    create(&f, &group(f.id(), "staff", None));
    for sub in [alice.sub, bob.sub] {
        ok(f.store.add_user_to_group(f.id(), "staff", sub), "add");
    }
    ok(
        f.store.delete_user(f.id(), &alice.username, alice.version),
        "delete_user",
    );
    assert_eq!(
        members(&f, "staff"),
        ["bob"],
        "SPEC §17: the user's memberships went with it"
    );
    assert!(groups_of(&f, alice.sub).is_empty());
    let again = f.add("alice", &[]);
    assert!(
        groups_of(&f, again.sub).is_empty(),
        "a user created again with the name is in no group"
    );
}

/// Deleting a pool deletes its groups and memberships.
pub fn pool_delete_removes_its_groups(h: &impl Harness) {
    let mut f = Fixture::new(h, true, &[]);
    let alice = f.add("alice", &[]);
    let g = create(&f, &group(f.id(), "staff", None));
    ok(f.store.add_user_to_group(f.id(), "staff", alice.sub), "add");
    ok(f.store.delete_pool(f.id()), "delete_pool");
    ok(f.store.create_pool(&f.pool), "create the pool again");
    assert!(ok(f.store.list_groups(f.id(), None, 10), "list_groups").is_empty());
    create(&f, &g);
    ok(f.store.insert_user(f.id(), &alice), "insert_user");
    assert!(
        members(&f, "staff").is_empty(),
        "nothing of the old pool lingers"
    );
}

/// Pages of groups (and of a group's members, and of a user's groups) come in name (key)
/// order, each after the last of the previous page.
pub fn group_lists_paginate_in_order(h: &impl Harness) {
    let mut f = Fixture::new(h, true, &[]);
    let mut wanted: Vec<String> = ["b", "a", "Z", "é", "a-1", "a_1", "10", "9"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    let mut users = Vec::new();
    for name in ["carol", "alice", "Bob", "dave", "erin"] {
        users.push(f.add(name, &[]));
    }
    for name in &wanted {
        create(&f, &group(f.id(), name, None));
        ok(f.store.add_user_to_group(f.id(), name, users[0].sub), "add");
    }
    for u in &users {
        ok(f.store.add_user_to_group(f.id(), "a", u.sub), "add");
    }
    wanted.sort();
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = ok(
            f.store.list_groups(f.id(), after.as_deref(), 3),
            "list_groups",
        );
        assert!(page.len() <= 3);
        seen.extend(names(&page).into_iter().map(str::to_owned));
        match page.last() {
            Some(last) if page.len() == 3 => after = Some(last.name.clone()),
            _ => break,
        }
    }
    assert_eq!(seen, wanted, "SPEC §17: groups page by name");
    let mut of_user = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = ok(
            f.store
                .list_groups_for_user(f.id(), users[0].sub, after.as_deref(), 2),
            "list_groups_for_user",
        );
        of_user.extend(names(&page).into_iter().map(str::to_owned));
        match page.last() {
            Some(last) if page.len() == 2 => after = Some(last.name.clone()),
            _ => break,
        }
    }
    assert_eq!(of_user, wanted, "a user's groups page by name");
    let mut member_keys = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = ok(
            f.store
                .list_users_in_group(f.id(), "a", after.as_deref(), 2),
            "list_users_in_group",
        );
        let page_keys: Vec<String> = page
            .iter()
            .map(|u| keys::username_key(&f.pool, u.username.as_str()))
            .collect();
        member_keys.extend(page_keys.iter().cloned());
        match page_keys.last() {
            Some(last) if page.len() == 2 => after = Some(last.clone()),
            _ => break,
        }
    }
    let mut expected: Vec<String> = users
        .iter()
        .map(|u| keys::username_key(&f.pool, u.username.as_str()))
        .collect();
    expected.sort();
    assert_eq!(
        member_keys, expected,
        "a group's members page by username key"
    );
}

/// While other threads create and delete groups, a reader paging through the groups sees
/// every group that exists throughout exactly once, in order (a page resumes after a
/// name, not at an offset).
pub fn group_pagination_is_stable_under_concurrent_writes(h: &impl Harness) {
    let f = Fixture::new(h, true, &[]);
    let stable: Vec<String> = (0..40).map(|i| format!("g{i:03}")).collect();
    for name in &stable {
        create(&f, &group(f.id(), name, None));
    }
    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        for writer in 0..2 {
            let (store, id, done) = (&f.store, f.id(), &done);
            scope.spawn(move || {
                let mut i = 0u32;
                while !done.load(Ordering::Relaxed) && i < 2_000 {
                    // Names that sort before, between and after the stable ones.
                    let name = match i % 3 {
                        0 => format!("a{writer}-{i}"),
                        1 => format!("g{:03}-{writer}-{i}", i % 40),
                        _ => format!("z{writer}-{i}"),
                    };
                    ok(store.create_group(&group(id, &name, None)), "writer create");
                    ok(store.delete_group(id, &name), "writer delete");
                    i += 1;
                }
            });
        }
        for _round in 0..5 {
            let mut seen = Vec::new();
            let mut after: Option<String> = None;
            loop {
                let page = ok(
                    f.store.list_groups(f.id(), after.as_deref(), 7),
                    "list_groups",
                );
                let Some(last) = page.last() else { break };
                after = Some(last.name.clone());
                let full = page.len() == 7;
                seen.extend(page.into_iter().map(|g| g.name));
                if !full {
                    break;
                }
            }
            assert!(
                seen.windows(2).all(|w| w[0] < w[1]),
                "SPEC §17: pages never repeat or reorder a group"
            );
            let stable_seen: Vec<&String> = seen.iter().filter(|n| stable.contains(n)).collect();
            assert_eq!(
                stable_seen.len(),
                stable.len(),
                "SPEC §17: no group that existed throughout was skipped"
            );
        }
        done.store(true, Ordering::Relaxed);
    });
}

/// Every group method answers `PoolNotFound` for an unknown pool.
pub fn group_storage_of_unknown_pool_is_pool_not_found(h: &impl Harness) {
    let f = Fixture::new(h, true, &[]);
    let ghost = pool_id("Ghost1");
    let g = group(&ghost, "staff", None);
    let sub = Uuid::from_u128(1);
    let is_missing = |e: Option<StoreError>, what: &str| {
        assert!(
            matches!(e, Some(StoreError::PoolNotFound(_))),
            "{what}: expected PoolNotFound, got {e:?}"
        );
    };
    is_missing(f.store.create_group(&g).err(), "create_group");
    is_missing(f.store.get_group(&ghost, "staff").err(), "get_group");
    is_missing(f.store.update_group(&g).err(), "update_group");
    is_missing(f.store.delete_group(&ghost, "staff").err(), "delete_group");
    is_missing(f.store.list_groups(&ghost, None, 5).err(), "list_groups");
    is_missing(
        f.store.add_user_to_group(&ghost, "staff", sub).err(),
        "add_user_to_group",
    );
    is_missing(
        f.store.remove_user_from_group(&ghost, "staff", sub).err(),
        "remove_user_from_group",
    );
    is_missing(
        f.store.list_groups_for_user(&ghost, sub, None, 5).err(),
        "list_groups_for_user",
    );
    is_missing(
        f.store.list_users_in_group(&ghost, "staff", None, 5).err(),
        "list_users_in_group",
    );
}
