//! SPEC §8, alias values are unique and resolve to their user: a name one user is found by
//! (username, listed alias value, `sub`) finds no other user. Lookup tries usernames
//! first, so without this a new user whose username is someone's alias value would capture
//! every later lookup of it (account shadowing). Every refusal changes nothing: no new
//! record, no delivery, the other user still found by the name.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use userpool::{
    Caller, ClientRecord, ClientSettings, ManualClock, MemoryStore, PoolRecord, RecordingDelivery,
    SeededRandom, Store, StoreError, UserKey, UserPools,
};
use userpool_core::testing::epoch;
use userpool_core::{AliasAttribute, PasswordPolicy, UserPoolId, UserRecord, Username};

use common::{Env, env_with, settings};

#[macro_use]
// The wrapper-store macro the store crate's own tests use (one home for it).
#[path = "../../userpool-store/tests/delegate/mod.rs"]
mod delegate;

const PASSWORD: &str = "Str0ng-Passw0rd!";
const EMAIL_FORMAT: &str =
    "Username cannot be of email format since user pool is configured for email alias.";
const PHONE_FORMAT: &str = concat!(
    "Username cannot be of phone number format ",
    "since user pool is configured for phone number alias."
);

/// A pool listing every alias attribute, with `alice` (verified email and phone,
/// `preferred_username` `ally`) and `bob` (no aliases).
fn aliased(case_sensitive: bool) -> Env {
    let env = env_with(
        settings(
            PasswordPolicy::default(),
            &AliasAttribute::ALL,
            case_sensitive,
        ),
        false,
        |b| b,
    );
    env.confirmed(
        "alice",
        PASSWORD,
        &[
            ("email", "alice@example.com"),
            ("email_verified", "true"),
            ("phone_number", "+15550100"),
            ("phone_number_verified", "true"),
            ("preferred_username", "ally"),
        ],
    );
    env.confirmed("bob", PASSWORD, &[]);
    env
}

fn resolves_to(env: &Env, given: &str) -> Option<String> {
    match env.pools.admin_get_user(&env.admin, &env.pool_id, given) {
        Ok(user) => Some(user.username),
        Err(e) if e.code() == "UserNotFoundException" => None,
        Err(e) => panic!("unexpected {e}"),
    }
}

/// Creates `username` with `attributes` through SignUp or AdminCreateUser.
fn create(
    env: &Env,
    sign_up: bool,
    username: &str,
    attributes: &[(&str, &str)],
) -> Result<(), userpool_core::Error> {
    if sign_up {
        env.pools
            .sign_up(&env.client_id, username, PASSWORD, attributes)
            .map(drop)
    } else {
        env.pools
            .admin_create_user(&env.admin, &env.pool_id, username, None, attributes, None)
            .map(drop)
    }
}

#[test]
fn a_username_in_the_format_of_a_listed_alias_is_invalid_parameter() {
    // (alias attributes, username, expected message; None = accepted) — SPEC §8, Cognito's
    // rule for pools with the email or phone alias.
    let table: &[(&[AliasAttribute], &str, Option<&str>)] = &[
        (
            &[AliasAttribute::Email],
            "mallory@example.com",
            Some(EMAIL_FORMAT),
        ),
        (&[AliasAttribute::Email], "+15550199", None),
        (
            &[AliasAttribute::PhoneNumber],
            "+15550199",
            Some(PHONE_FORMAT),
        ),
        (&[AliasAttribute::PhoneNumber], "mallory@example.com", None),
        (&AliasAttribute::ALL, "m@x", Some(EMAIL_FORMAT)),
        (&AliasAttribute::ALL, "+1", Some(PHONE_FORMAT)),
        (&AliasAttribute::ALL, "+1-555", None),
        (&AliasAttribute::ALL, "mallory@", None),
        (
            &[AliasAttribute::PreferredUsername],
            "mallory@example.com",
            None,
        ),
        (&[], "+15550199", None),
    ];
    for sign_up in [true, false] {
        for (aliases, username, expected) in table {
            let env = env_with(
                settings(PasswordPolicy::default(), aliases, true),
                false,
                |b| b,
            );
            let result = create(&env, sign_up, username, &[]);
            let case = format!("sign_up={sign_up} aliases={aliases:?} username={username:?}");
            match expected {
                Some(message) => {
                    let e = result.expect_err(&case);
                    assert_eq!(e.code(), "InvalidParameterException", "{case}");
                    assert_eq!(e.to_string(), *message, "{case}");
                    assert!(env.record(username).is_none(), "{case}: nothing created");
                    assert!(env.delivery.events().is_empty(), "{case}: nothing sent");
                }
                None => result.expect(&case),
            }
        }
    }
}

#[test]
fn a_new_username_cannot_take_another_users_alias_value_or_sub() {
    for case_sensitive in [true, false] {
        let env = aliased(case_sensitive);
        let sub = env.record("alice").expect("alice").sub.to_string();
        // Names alice is found by that are not in email or phone format.
        let mut taken = vec!["ally".to_owned(), sub.clone(), sub.to_uppercase()];
        if !case_sensitive {
            taken.push("ALLY".to_owned());
        }
        for sign_up in [true, false] {
            for name in &taken {
                let case = format!("case_sensitive={case_sensitive} sign_up={sign_up} {name:?}");
                let sent = env.delivery.events().len();
                let e = create(&env, sign_up, name, &[]).expect_err(&case);
                assert_eq!(e.code(), "UsernameExistsException", "{case}");
                assert_eq!(e.to_string(), "User account already exists", "{case}");
                assert!(env.record(name).is_none(), "{case}: nothing created");
                assert_eq!(env.delivery.events().len(), sent, "{case}: nothing sent");
                assert_eq!(resolves_to(&env, name).as_deref(), Some("alice"), "{case}");
            }
        }
        // A case-sensitive pool compares exactly: `ALLY` finds nobody, so it is free.
        if case_sensitive {
            create(&env, true, "ALLY", &[]).expect("a different name");
            assert_eq!(resolves_to(&env, "ally").as_deref(), Some("alice"));
            assert_eq!(resolves_to(&env, "ALLY").as_deref(), Some("ALLY"));
        }
    }
}

// SPEC §8 and §3 (first federated sign-in): the host's federated identity name is matched
// only as a username. Before, it was resolved like a sign-in name, so an identity whose name
// equalled alice's `preferred_username` or `sub` signed in as alice.
#[test]
fn a_federated_identity_never_signs_in_through_another_users_alias_or_sub() {
    for case_sensitive in [true, false] {
        let env = aliased(case_sensitive);
        let alice = env.record("alice").expect("alice");
        let sub = alice.sub.to_string();
        for name in ["ally", sub.as_str(), "alice@example.com", "+15550100"] {
            let case = format!("case_sensitive={case_sensitive} {name:?}");
            let e = env
                .pools
                .federated_sign_in(&env.pool_id, name, &[])
                .expect_err(&case);
            assert_eq!(e.code(), "UsernameExistsException", "{case}");
            assert!(env.record(name).is_none(), "{case}: nothing created");
            assert_eq!(
                env.record("alice").as_ref(),
                Some(&alice),
                "{case}: alice unchanged"
            );
        }
        // A provider-style name is created once, then found by that name alone.
        let first = env
            .pools
            .federated_sign_in(&env.pool_id, "Google_1234567890", &[])
            .expect("first sign-in");
        assert!(first.created);
        let again = env
            .pools
            .federated_sign_in(&env.pool_id, "Google_1234567890", &[])
            .expect("second sign-in");
        assert!(!again.created);
        assert_eq!(again.user.sub, first.user.sub);
        assert_eq!(env.record("alice").as_ref(), Some(&alice));
    }
}

#[test]
fn an_alias_value_cannot_take_another_users_name() {
    for case_sensitive in [true, false] {
        let env = aliased(case_sensitive);
        let alice_sub = env.record("alice").expect("alice").sub.to_string();
        // (attributes bob sets, attribute named in the refusal): another user's username,
        // another user's alias value of another attribute, another user's sub.
        let table: Vec<(Vec<(&str, &str)>, &str)> = vec![
            (vec![("preferred_username", "alice")], "preferred_username"),
            (
                vec![("preferred_username", "alice@example.com")],
                "preferred_username",
            ),
            (
                vec![("preferred_username", &alice_sub)],
                "preferred_username",
            ),
        ];
        for (attributes, attribute) in &table {
            let case = format!("case_sensitive={case_sensitive} {attributes:?}");
            let message = format!("An account with the given {attribute} already exists.");
            // AdminUpdateUserAttributes on an existing user.
            let bob = env.record("bob").expect("bob");
            let e = env
                .pools
                .admin_update_user_attributes(&env.admin, &env.pool_id, "bob", attributes)
                .expect_err(&case);
            assert_eq!(e.code(), "AliasExistsException", "{case}");
            assert_eq!(e.to_string(), message, "{case}");
            assert_eq!(env.record("bob"), Some(bob), "{case}: bob unchanged");
            // SignUp and AdminCreateUser of a new user holding the value.
            for sign_up in [true, false] {
                let e = create(&env, sign_up, "carol", attributes).expect_err(&case);
                assert_eq!(e.code(), "AliasExistsException", "{case} sign_up={sign_up}");
                assert_eq!(e.to_string(), message, "{case} sign_up={sign_up}");
                assert!(env.record("carol").is_none(), "{case}: nothing created");
            }
            // Every value in the table is one of alice's names, and still finds her.
            let (_, value) = attributes[0];
            assert_eq!(resolves_to(&env, value).as_deref(), Some("alice"), "{case}");
        }
    }
}

#[test]
fn an_email_alias_can_never_equal_a_username() {
    // In a pool with the email alias a username cannot be an email address (SPEC §8), and
    // an email must be one (SPEC §16): an email equal to another user's username is
    // refused for its format before any alias rule is reached, and changes nothing.
    let env = aliased(true);
    let bob = env.record("bob").expect("bob");
    let e = env
        .pools
        .admin_update_user_attributes(
            &env.admin,
            &env.pool_id,
            "bob",
            &[("email", "alice"), ("email_verified", "true")],
        )
        .expect_err("not an email address");
    assert_eq!(e.code(), "InvalidParameterException");
    assert_eq!(e.to_string(), "Invalid email address format.");
    assert_eq!(env.record("bob"), Some(bob));
    assert_eq!(resolves_to(&env, "alice").as_deref(), Some("alice"));
}

#[test]
fn a_user_may_hold_its_own_names_and_keep_aliases_it_already_holds() {
    let env = aliased(false);
    // Its own username as its preferred_username.
    env.pools
        .admin_update_user_attributes(
            &env.admin,
            &env.pool_id,
            "bob",
            &[("preferred_username", "BOB")],
        )
        .expect("own username");
    // Alice's unrelated updates keep her aliases (they are not new claims).
    env.pools
        .admin_update_user_attributes(&env.admin, &env.pool_id, "alice", &[("name", "Alice")])
        .expect("unrelated update");
    // A new user with its own username as an alias value.
    env.pools
        .sign_up(
            &env.client_id,
            "carol",
            PASSWORD,
            &[("preferred_username", "carol")],
        )
        .expect("own username as alias");
    for (given, expected) in [
        ("ally", "alice"),
        ("alice@example.com", "alice"),
        ("bob", "bob"),
        ("carol", "carol"),
    ] {
        assert_eq!(
            resolves_to(&env, given).as_deref(),
            Some(expected),
            "{given}"
        );
    }
}

/// Delegates to a `MemoryStore`. Armed, it answers the first lookup of
/// `preferred_username` `ally` (the creation's check), then, before the creation can
/// insert, lets a racing writer give that value to `alice`.
#[derive(Default)]
struct Racing(MemoryStore, AtomicBool);

delegate_all_but!(Racing, {
    delegate_update_user!();
    fn find_user(
        &self,
        pool: &UserPoolId,
        key: UserKey<'_>,
    ) -> Result<Option<UserRecord>, StoreError> {
        let found = self.0.find_user(pool, key)?;
        if key == UserKey::Alias(AliasAttribute::PreferredUsername, "ally")
            && self.1.swap(false, Ordering::SeqCst)
        {
            let mut alice = self
                .0
                .find_user(pool, UserKey::Username("alice"))?
                .ok_or(StoreError::NotFound)?;
            alice
                .attributes
                .insert("preferred_username".into(), "ally".into());
            self.0.update_user(pool, &alice)?;
        }
        Ok(found)
    }
});

#[test]
fn a_creation_that_loses_a_race_for_its_name_is_undone() {
    let store = Arc::new(Racing::default());
    let delivery = Arc::new(RecordingDelivery::new());
    let pools = UserPools::builder(Arc::clone(&store))
        .clock(Arc::new(ManualClock::new(epoch())))
        .random(Arc::new(SeededRandom::new(7)))
        .delivery(delivery.clone())
        .build();
    let admin = Caller::new("admin");
    let pool = pools
        .create_user_pool(
            &admin,
            "race",
            settings(
                PasswordPolicy::default(),
                &[AliasAttribute::PreferredUsername],
                true,
            ),
        )
        .expect("pool");
    let client = pools
        .create_user_pool_client(&admin, pool.id.as_str(), "app", ClientSettings::default())
        .expect("client");
    pools
        .admin_create_user(&admin, pool.id.as_str(), "alice", None, &[], None)
        .expect("alice");
    let sent = delivery.events().len();

    store.1.store(true, Ordering::SeqCst);
    let e = pools
        .sign_up(&client.client_id, "ally", PASSWORD, &[])
        .expect_err("the racing alias won");
    assert!(!store.1.load(Ordering::SeqCst), "the race happened");
    assert_eq!(e.code(), "UsernameExistsException");
    assert_eq!(
        store
            .find_user(&pool.id, UserKey::Username("ally"))
            .expect("store"),
        None,
        "the inserted user is deleted again"
    );
    assert_eq!(delivery.events().len(), sent, "no code went out");
    let found = pools
        .admin_get_user(&admin, pool.id.as_str(), "ally")
        .expect("the alias resolves");
    assert_eq!(found.username, "alice");
}
