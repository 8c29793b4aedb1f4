//! SPEC §17 through the service: the nine group operations, their errors (in Cognito's
//! names and words), pagination, authorisation and rate limits (SPEC §7), and the group
//! claims a member's tokens carry.

mod common;

use std::sync::{Arc, Mutex};

use chrono::TimeDelta;
use userpool::{
    Authorizer, Caller, Category, Clock, GroupClaims, GroupSettings, RateLimiter, RateLimits,
    Store, UserPools,
};
use userpool_core::{Error, UserPoolId};

use common::{Env, env, env_with, fast_settings};

const PASSWORD: &str = "Str0ng-Passw0rd!";

fn settings(description: &str, role: Option<&str>, precedence: Option<i64>) -> GroupSettings {
    GroupSettings {
        description: Some(description.to_owned()),
        role_arn: role.map(str::to_owned),
        precedence,
    }
}

fn role(name: &str) -> String {
    format!("arn:aws:iam::123456789012:role/{name}")
}

fn assert_error(result: Result<impl std::fmt::Debug, Error>, code: &str, message: &str) {
    match result {
        Err(e) => {
            assert_eq!(e.code(), code, "{e}");
            assert_eq!(e.to_string(), message);
        }
        Ok(v) => panic!("expected {code}, got {v:?}"),
    }
}

fn create(env: &Env, name: &str, precedence: Option<i64>, role_name: Option<&str>) {
    let role = role_name.map(role);
    env.pools
        .create_group(
            &env.admin,
            &env.pool_id,
            name,
            &settings(&format!("{name} group"), role.as_deref(), precedence),
        )
        .expect("create_group");
}

fn add(env: &Env, user: &str, group: &str) {
    env.pools
        .admin_add_user_to_group(&env.admin, &env.pool_id, user, group)
        .expect("admin_add_user_to_group");
}

fn groups_of(env: &Env, user: &str) -> Vec<String> {
    env.pools
        .admin_list_groups_for_user(&env.admin, &env.pool_id, user, None, None)
        .expect("admin_list_groups_for_user")
        .groups
        .into_iter()
        .map(|g| g.name)
        .collect()
}

fn members(env: &Env, group: &str) -> Vec<String> {
    env.pools
        .list_users_in_group(&env.admin, &env.pool_id, group, None, None)
        .expect("list_users_in_group")
        .users
        .into_iter()
        .map(|u| u.username)
        .collect()
}

fn pool(env: &Env) -> UserPoolId {
    UserPoolId::parse(&env.pool_id).expect("valid id")
}

fn claims_of(env: &Env, user: &str) -> GroupClaims {
    let sub = env.record(user).expect("user").sub;
    GroupClaims::for_user(env.store.as_ref(), &pool(env), sub).expect("claims")
}

#[test]
fn spec_17_create_then_get_returns_every_field_with_dates() {
    let env = env();
    let created = env
        .pools
        .create_group(
            &env.admin,
            &env.pool_id,
            "admins",
            &settings("The admins", Some(&role("admins")), Some(0)),
        )
        .expect("create_group");
    assert_eq!(created.name, "admins");
    assert_eq!(created.description.as_deref(), Some("The admins"));
    assert_eq!(created.role_arn, Some(role("admins")));
    assert_eq!(created.precedence, Some(0));
    assert_eq!(created.created_at, env.clock.now());
    assert_eq!(created.modified_at, created.created_at);
    let got = env
        .pools
        .get_group(&env.admin, &env.pool_id, "admins")
        .expect("get_group");
    assert_eq!(got, created);
    let bare = env
        .pools
        .create_group(&env.admin, &env.pool_id, "bare", &GroupSettings::default())
        .expect("a group with nothing but a name");
    assert_eq!(
        (bare.description, bare.role_arn, bare.precedence),
        (None, None, None)
    );
}

#[test]
fn spec_17_duplicate_group_is_group_exists_and_changes_nothing() {
    let env = env();
    create(&env, "admins", Some(1), None);
    let before = env.pools.get_group(&env.admin, &env.pool_id, "admins");
    assert_error(
        env.pools.create_group(
            &env.admin,
            &env.pool_id,
            "admins",
            &settings("again", None, Some(9)),
        ),
        "GroupExistsException",
        "A group with the name already exists.",
    );
    assert_eq!(
        env.pools.get_group(&env.admin, &env.pool_id, "admins"),
        before
    );
}

#[test]
fn spec_17_missing_group_is_resource_not_found_for_every_operation() {
    let env = env();
    env.confirmed("alice", PASSWORD, &[]);
    let (p, a) = (env.pool_id.as_str(), &env.admin);
    let s = &env.pools;
    let expect = |r: Result<(), Error>, what: &str| {
        let e = r.expect_err(what);
        assert_eq!(
            (e.code(), e.to_string().as_str()),
            ("ResourceNotFoundException", "Group not found."),
            "{what}"
        );
    };
    expect(s.get_group(a, p, "ghost").map(drop), "GetGroup");
    expect(
        s.update_group(a, p, "ghost", &GroupSettings::default())
            .map(drop),
        "UpdateGroup",
    );
    expect(s.delete_group(a, p, "ghost"), "DeleteGroup");
    expect(
        s.admin_add_user_to_group(a, p, "alice", "ghost"),
        "AdminAddUserToGroup",
    );
    expect(
        s.admin_remove_user_from_group(a, p, "alice", "ghost"),
        "AdminRemoveUserFromGroup",
    );
    expect(
        s.list_users_in_group(a, p, "ghost", None, None).map(drop),
        "ListUsersInGroup",
    );
}

#[test]
fn spec_17_unknown_pool_and_user_are_reported_in_cognitos_words() {
    let env = env();
    create(&env, "staff", None, None);
    let ghost_pool = "eu-west-1_Nope";
    assert_error(
        env.pools.list_groups(&env.admin, ghost_pool, None, None),
        "ResourceNotFoundException",
        "User pool eu-west-1_Nope does not exist.",
    );
    for result in [
        env.pools
            .admin_add_user_to_group(&env.admin, &env.pool_id, "nobody", "staff"),
        env.pools
            .admin_remove_user_from_group(&env.admin, &env.pool_id, "nobody", "staff"),
        env.pools
            .admin_list_groups_for_user(&env.admin, &env.pool_id, "nobody", None, None)
            .map(drop),
    ] {
        assert_error(result, "UserNotFoundException", "User does not exist.");
    }
}

#[test]
fn spec_17_invalid_members_are_invalid_parameter_and_change_nothing() {
    let env = env();
    let long_name = "g".repeat(129);
    let long_description = "d".repeat(2049);
    let cases: Vec<(&str, GroupSettings, &str)> = vec![
        ("", GroupSettings::default(), "groupName"),
        (&long_name, GroupSettings::default(), "groupName"),
        ("with space", GroupSettings::default(), "groupName"),
        ("tab\there", GroupSettings::default(), "groupName"),
        (
            "ok",
            GroupSettings {
                description: Some(long_description.clone()),
                ..GroupSettings::default()
            },
            "description",
        ),
        (
            "ok",
            GroupSettings {
                precedence: Some(-1),
                ..GroupSettings::default()
            },
            "precedence",
        ),
        (
            "ok",
            GroupSettings {
                precedence: Some(2_147_483_648),
                ..GroupSettings::default()
            },
            "precedence",
        ),
        (
            "ok",
            GroupSettings {
                role_arn: Some("not-an-arn".into()),
                ..GroupSettings::default()
            },
            "roleArn",
        ),
        (
            "ok",
            GroupSettings {
                role_arn: Some("arn:aws:iam::account:role/name".into()),
                ..GroupSettings::default()
            },
            "roleArn",
        ),
    ];
    for (name, settings, field) in &cases {
        let e = env
            .pools
            .create_group(&env.admin, &env.pool_id, name, settings)
            .expect_err("invalid");
        assert_eq!(
            e.code(),
            "InvalidParameterException",
            "{name:?} {settings:?}"
        );
        assert!(
            e.to_string().contains(&format!("'{field}'")),
            "{field}: {e}"
        );
    }
    assert!(
        env.pools
            .list_groups(&env.admin, &env.pool_id, None, None)
            .expect("list")
            .groups
            .is_empty(),
        "no refused create wrote anything"
    );
    // The same checks apply to UpdateGroup, which then changes nothing.
    create(&env, "staff", Some(3), None);
    let before = env.pools.get_group(&env.admin, &env.pool_id, "staff");
    for (_, settings, _) in cases.iter().skip(4) {
        let e = env
            .pools
            .update_group(&env.admin, &env.pool_id, "staff", settings)
            .expect_err("invalid update");
        assert_eq!(e.code(), "InvalidParameterException");
    }
    assert_eq!(
        env.pools.get_group(&env.admin, &env.pool_id, "staff"),
        before
    );
    for limit in [-1, 61] {
        let e = env
            .pools
            .list_groups(&env.admin, &env.pool_id, Some(limit), None)
            .expect_err("limit out of range");
        assert!(e.to_string().contains("'limit'"), "{e}");
    }
}

#[test]
fn spec_17_a_zero_limit_is_the_default_page_of_sixty() {
    let env = env();
    for i in 0..61 {
        create(&env, &format!("group-{i:02}"), None, None);
    }
    for limit in [None, Some(0), Some(60)] {
        let page = env
            .pools
            .list_groups(&env.admin, &env.pool_id, limit, None)
            .expect("a page");
        assert_eq!(page.groups.len(), 60, "limit {limit:?}");
        assert!(
            page.next_token.is_some(),
            "limit {limit:?}: the 61st is on the next page"
        );
    }
}

#[test]
fn spec_17_update_sets_given_members_keeps_others_and_advances_the_date() {
    let env = env();
    create(&env, "staff", Some(3), Some("staff"));
    let created = env
        .pools
        .get_group(&env.admin, &env.pool_id, "staff")
        .expect("get");
    env.clock.advance(TimeDelta::seconds(90));
    let updated = env
        .pools
        .update_group(
            &env.admin,
            &env.pool_id,
            "staff",
            &GroupSettings {
                precedence: Some(1),
                ..GroupSettings::default()
            },
        )
        .expect("update_group");
    assert_eq!(updated.precedence, Some(1));
    assert_eq!(updated.description, created.description);
    assert_eq!(updated.role_arn, created.role_arn);
    assert_eq!(updated.created_at, created.created_at);
    assert_eq!(
        updated.modified_at,
        created.created_at + TimeDelta::seconds(90)
    );
    assert_eq!(
        env.pools.get_group(&env.admin, &env.pool_id, "staff"),
        Ok(updated)
    );
}

#[test]
fn spec_17_memberships_list_both_ways_and_adding_twice_is_harmless() {
    let env = env();
    for name in ["carol", "alice", "bob"] {
        env.confirmed(name, PASSWORD, &[]);
    }
    create(&env, "staff", None, None);
    create(&env, "admins", None, None);
    for user in ["carol", "alice", "bob"] {
        add(&env, user, "staff");
    }
    add(&env, "alice", "admins");
    add(&env, "alice", "admins");
    assert_eq!(members(&env, "staff"), ["alice", "bob", "carol"]);
    assert_eq!(members(&env, "admins"), ["alice"]);
    assert_eq!(groups_of(&env, "alice"), ["admins", "staff"]);
    env.pools
        .admin_remove_user_from_group(&env.admin, &env.pool_id, "alice", "staff")
        .expect("remove");
    env.pools
        .admin_remove_user_from_group(&env.admin, &env.pool_id, "alice", "staff")
        .expect("removing a non-member succeeds");
    assert_eq!(members(&env, "staff"), ["bob", "carol"]);
    assert_eq!(groups_of(&env, "alice"), ["admins"]);
}

#[test]
fn spec_17_a_member_is_found_by_alias_and_sub_as_every_lookup() {
    let env = env_with(
        common::settings(
            userpool_core::PasswordPolicy::default(),
            &[userpool_core::AliasAttribute::Email],
            true,
        ),
        false,
        |b| b,
    );
    env.confirmed(
        "alice",
        PASSWORD,
        &[("email", "alice@example.com"), ("email_verified", "true")],
    );
    create(&env, "staff", None, None);
    add(&env, "alice@example.com", "staff");
    let sub = env.record("alice").expect("alice").sub.to_string();
    assert_eq!(groups_of(&env, &sub), ["staff"]);
    assert_eq!(members(&env, "staff"), ["alice"]);
}

#[test]
fn spec_17_deleting_a_group_or_a_user_removes_the_memberships() {
    let env = env();
    env.confirmed("alice", PASSWORD, &[]);
    env.confirmed("bob", PASSWORD, &[]);
    create(&env, "staff", None, None);
    create(&env, "admins", None, None);
    add(&env, "alice", "staff");
    add(&env, "alice", "admins");
    add(&env, "bob", "staff");
    env.pools
        .delete_group(&env.admin, &env.pool_id, "admins")
        .expect("delete_group");
    assert_eq!(groups_of(&env, "alice"), ["staff"]);
    assert!(env.record("alice").is_some(), "the users stay");
    env.pools
        .admin_delete_user(&env.admin, &env.pool_id, "alice")
        .expect("admin_delete_user");
    assert_eq!(members(&env, "staff"), ["bob"]);
    create(&env, "admins", None, None);
    assert!(members(&env, "admins").is_empty());
    env.confirmed("alice", PASSWORD, &[]);
    assert!(
        groups_of(&env, "alice").is_empty(),
        "a new alice is in no group"
    );
}

#[test]
fn spec_17_pages_are_opaque_stable_and_cover_every_group_once() {
    let env = env();
    let mut names: Vec<String> = (0..25).map(|i| format!("group-{i:02}")).collect();
    for name in &names {
        create(&env, name, None, None);
    }
    let first = env
        .pools
        .list_groups(&env.admin, &env.pool_id, Some(10), None)
        .expect("page 1");
    assert_eq!(first.groups.len(), 10);
    let token = first.next_token.clone().expect("more follow");
    assert!(
        !token.contains("group-09"),
        "the token does not show the name it resumes after: {token}"
    );
    // Writes between pages: one before the cursor, one after, one deleted after it.
    create(&env, "group-00a", None, None);
    create(&env, "group-20a", None, None);
    env.pools
        .delete_group(&env.admin, &env.pool_id, "group-15")
        .expect("delete");
    let mut seen: Vec<String> = first.groups.into_iter().map(|g| g.name).collect();
    let mut next = Some(token);
    while let Some(token) = next {
        let page = env
            .pools
            .list_groups(&env.admin, &env.pool_id, Some(10), Some(&token))
            .expect("next page");
        seen.extend(page.groups.into_iter().map(|g| g.name));
        next = page.next_token;
    }
    names.retain(|n| n != "group-15");
    names.push("group-20a".into());
    names.sort();
    assert_eq!(
        seen, names,
        "no repeat, no skip, the new group after the cursor"
    );
    // A token is bound to its pool and its listing.
    let page = env
        .pools
        .list_groups(&env.admin, &env.pool_id, Some(1), None)
        .expect("page");
    let token = page.next_token.expect("more");
    for result in [
        env.pools
            .list_users_in_group(&env.admin, &env.pool_id, "group-00", None, Some(&token))
            .map(drop),
        env.pools
            .list_groups(&env.admin, &env.pool_id, None, Some("not-a-token"))
            .map(drop),
    ] {
        assert_error(
            result,
            "InvalidParameterException",
            "Invalid pagination token",
        );
    }
}

#[test]
fn spec_17_members_and_a_users_groups_paginate() {
    let env = env();
    create(&env, "staff", None, None);
    let mut users: Vec<String> = (0..7).map(|i| format!("user{i}")).collect();
    for user in &users {
        env.pools
            .admin_create_user(&env.admin, &env.pool_id, user, None, &[], None)
            .expect("create user");
        add(&env, user, "staff");
    }
    for i in 0..5 {
        let name = format!("g{i}");
        create(&env, &name, None, None);
        add(&env, "user0", &name);
    }
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = env
            .pools
            .list_users_in_group(&env.admin, &env.pool_id, "staff", Some(3), token.as_deref())
            .expect("page");
        assert!(page.users.len() <= 3);
        seen.extend(page.users.into_iter().map(|u| u.username));
        match page.next_token {
            Some(t) => token = Some(t),
            None => break,
        }
    }
    users.sort();
    assert_eq!(seen, users);
    let mut groups = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = env
            .pools
            .admin_list_groups_for_user(
                &env.admin,
                &env.pool_id,
                "user0",
                Some(2),
                token.as_deref(),
            )
            .expect("page");
        groups.extend(page.groups.into_iter().map(|g| g.name));
        match page.next_token {
            Some(t) => token = Some(t),
            None => break,
        }
    }
    assert_eq!(groups, ["g0", "g1", "g2", "g3", "g4", "staff"]);
}

#[test]
fn spec_17_token_claims_follow_memberships_at_each_read() {
    let env = env();
    env.confirmed("alice", PASSWORD, &[]);
    assert!(claims_of(&env, "alice").is_empty(), "no group, no claims");
    create(&env, "readers", Some(5), Some("readers"));
    create(&env, "admins", Some(1), Some("admins"));
    create(&env, "misc", None, None);
    create(&env, "beta", Some(5), None);
    for g in ["readers", "admins", "misc", "beta"] {
        add(&env, "alice", g);
    }
    let claims = claims_of(&env, "alice");
    assert_eq!(claims.groups, ["admins", "beta", "readers", "misc"]);
    assert_eq!(claims.roles, [role("admins"), role("readers")]);
    assert_eq!(claims.preferred_role, Some(role("admins")));
    env.pools
        .admin_remove_user_from_group(&env.admin, &env.pool_id, "alice", "admins")
        .expect("remove");
    let claims = claims_of(&env, "alice");
    assert_eq!(claims.groups, ["beta", "readers", "misc"]);
    assert_eq!(claims.preferred_role, Some(role("readers")));
    env.pools
        .update_group(
            &env.admin,
            &env.pool_id,
            "misc",
            &GroupSettings {
                precedence: Some(0),
                ..GroupSettings::default()
            },
        )
        .expect("update");
    assert_eq!(claims_of(&env, "alice").groups[0], "misc");
    for g in ["readers", "misc", "beta"] {
        env.pools
            .delete_group(&env.admin, &env.pool_id, g)
            .expect("delete");
    }
    assert!(claims_of(&env, "alice").is_empty());
}

/// Allows everyone but the principal `intruder`, and remembers the actions asked.
#[derive(Default)]
struct DenyIntruder(Mutex<Vec<String>>);

impl Authorizer for DenyIntruder {
    fn authorize(&self, caller: &Caller, action: &str, _: &UserPoolId) -> bool {
        if let Ok(mut asked) = self.0.lock() {
            asked.push(action.to_owned());
        }
        caller.principal() != "intruder"
    }
}

type GroupOp = fn(&UserPools<userpool::MemoryStore>, &Caller, &str) -> Result<(), Error>;

fn group_operations() -> Vec<(&'static str, Category, GroupOp)> {
    vec![
        ("CreateGroup", Category::UserUpdate, |s, c, p| {
            s.create_group(c, p, "new", &GroupSettings::default())
                .map(drop)
        }),
        ("GetGroup", Category::UserRead, |s, c, p| {
            s.get_group(c, p, "staff").map(drop)
        }),
        ("ListGroups", Category::UserRead, |s, c, p| {
            s.list_groups(c, p, None, None).map(drop)
        }),
        ("UpdateGroup", Category::UserUpdate, |s, c, p| {
            s.update_group(c, p, "staff", &settings("changed", None, Some(4)))
                .map(drop)
        }),
        ("DeleteGroup", Category::UserUpdate, |s, c, p| {
            s.delete_group(c, p, "staff")
        }),
        ("AdminAddUserToGroup", Category::UserUpdate, |s, c, p| {
            s.admin_add_user_to_group(c, p, "bob", "staff")
        }),
        (
            "AdminRemoveUserFromGroup",
            Category::UserUpdate,
            |s, c, p| s.admin_remove_user_from_group(c, p, "alice", "staff"),
        ),
        ("AdminListGroupsForUser", Category::UserRead, |s, c, p| {
            s.admin_list_groups_for_user(c, p, "alice", None, None)
                .map(drop)
        }),
        ("ListUsersInGroup", Category::UserRead, |s, c, p| {
            s.list_users_in_group(c, p, "staff", None, None).map(drop)
        }),
    ]
}

/// What the group operations can change: every group and every membership.
fn snapshot(env: &Env) -> (Vec<userpool::GroupRecord>, Vec<String>, Vec<String>) {
    let id = pool(env);
    let groups = env.store.list_groups(&id, None, 100).expect("groups");
    let sub = |u: &str| env.record(u).expect("user").sub;
    let of = |u: &str| {
        env.store
            .list_groups_for_user(&id, sub(u), None, 100)
            .expect("of user")
            .into_iter()
            .map(|g| g.name)
            .collect()
    };
    (groups, of("alice"), of("bob"))
}

fn seeded(env: &Env) {
    env.confirmed("alice", PASSWORD, &[]);
    env.confirmed("bob", PASSWORD, &[]);
    create(env, "staff", Some(2), Some("staff"));
    add(env, "alice", "staff");
}

#[test]
fn spec_17_spec_7_refused_caller_is_not_authorized_for_every_group_operation() {
    let authorizer = Arc::new(DenyIntruder::default());
    let env = env_with(fast_settings(), false, |b| b.authorizer(authorizer.clone()));
    seeded(&env);
    let intruder = Caller::new("intruder");
    for (action, _, op) in group_operations() {
        let before = snapshot(&env);
        let e = op(&env.pools, &intruder, &env.pool_id).expect_err(action);
        assert_eq!(e.code(), "NotAuthorizedException", "{action}");
        assert_eq!(snapshot(&env), before, "{action} changed something");
        let asked = authorizer.0.lock().expect("lock").last().cloned();
        assert_eq!(asked.as_deref(), Some(action), "asked by Cognito's name");
    }
}

#[test]
fn spec_17_spec_7_every_group_operation_is_rate_limited_in_its_category() {
    for (action, category, op) in group_operations() {
        let env = env();
        seeded(&env);
        // A limited service over the same store: one request per second in the category.
        let limiter = RateLimiter::new(RateLimits::default().with_rate(category, 1));
        let pools = UserPools::builder(Arc::clone(&env.store))
            .clock(env.clock.clone())
            .rate_limiter(limiter)
            .build();
        let other = if category == Category::UserRead {
            Category::UserUpdate
        } else {
            Category::UserRead
        };
        // Drain the bucket with another operation of the same category...
        let drain = group_operations()
            .into_iter()
            .find(|(name, c, _)| *c == category && *name != action)
            .expect("another operation in the category");
        let _ = (drain.2)(&pools, &env.admin, &env.pool_id);
        let before = snapshot(&env);
        let e = op(&pools, &env.admin, &env.pool_id).expect_err(action);
        assert_eq!(e.code(), "TooManyRequestsException", "{action}");
        assert_eq!(snapshot(&env), before, "{action} changed something");
        // ...while the other category still has its own bucket.
        let other_op = group_operations()
            .into_iter()
            .find(|(_, c, _)| *c == other)
            .expect("an operation in the other category");
        let r = (other_op.2)(&pools, &env.admin, &env.pool_id);
        assert!(
            !matches!(r, Err(Error::TooManyRequests)),
            "{action}: {} is in another bucket",
            other_op.0
        );
    }
}
