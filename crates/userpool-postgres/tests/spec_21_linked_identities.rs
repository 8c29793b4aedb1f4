//! SPEC §21 on PostgreSQL: migration 5 indexes the provider identities linked to the users
//! a version-4 schema already holds (from their `identities` attribute), so that
//! `find_linked_user` finds them after the upgrade; the kit covers the index's upkeep.

mod common;

use userpool_postgres::{PostgresOptions, PostgresStore};
use userpool_store::Store;

/// An `identities` value as Cognito writes it, for (provider, user id) pairs.
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

#[test]
fn spec_21_migration_5_indexes_the_links_of_stored_users() {
    let Some(url) = common::database_url("spec_21_migration_5_indexes_the_links_of_stored_users")
    else {
        return;
    };
    let (store, guard) = common::fresh_store(&url, PostgresOptions::default().pool_size(2));
    let pool = common::pool("Links1");
    store.create_pool(&pool).expect("create_pool");
    let alice = common::user(
        "alice",
        &[(
            "identities",
            // A stray entry and one without a user id link nothing.
            &format!(
                r#"[{}, "stray", {{"providerName":"Corp"}}]"#,
                identities(&[("Google", "g-Al"), ("Corp", "c-1")])
                    .trim_start_matches('[')
                    .trim_end_matches(']')
            ),
        )],
        1,
    );
    let own = common::user(
        "Google_g-own",
        &[("identities", &identities(&[("Google", "g-own")]))],
        2,
    );
    let unreadable = common::user("broken", &[("identities", "not json")], 3);
    for user in [&alice, &own, &unreadable] {
        store.insert_user(&pool.id, user).expect("insert_user");
    }
    drop(store);

    // What a version-4 schema held: the same users, no index.
    let mut raw = common::raw(&url);
    raw.batch_execute(&format!(
        "SET search_path TO \"{schema}\"; DROP TABLE linked_identities; \
         UPDATE userpool_schema SET version = 4;",
        schema = guard.schema
    ))
    .expect("roll the schema back to version 4");

    let store = PostgresStore::open_with(
        &url,
        &PostgresOptions::default()
            .pool_size(2)
            .schema(guard.schema.clone()),
    )
    .expect("open migrates to the newest version");
    let found = |provider: &str, subject: &str| {
        store
            .find_linked_user(&pool.id, provider, subject)
            .expect("find_linked_user")
            .map(|user| user.username.as_str().to_owned())
    };
    assert_eq!(found("Google", "g-Al").as_deref(), Some("alice"));
    assert_eq!(found("Corp", "c-1").as_deref(), Some("alice"));
    assert_eq!(found("Google", "g-al"), None, "ids compare exactly");
    assert_eq!(found("Corp", ""), None);
    assert_eq!(found("Google", "g-own"), None, "a user's own identity");
    let version: i64 = raw
        .query_one(
            &format!("SELECT version FROM \"{}\".userpool_schema", guard.schema),
            &[],
        )
        .expect("version")
        .get(0);
    assert_eq!(version, userpool_postgres::schema::VERSION);
    // And the migrated index is kept up by writes: unlinking moves it.
    let mut stored = store
        .find_linked_user(&pool.id, "Corp", "c-1")
        .expect("find")
        .expect("alice");
    stored
        .attributes
        .insert("identities".into(), identities(&[("Corp", "c-1")]));
    store.update_user(&pool.id, &stored).expect("unlink");
    assert_eq!(found("Google", "g-Al"), None);
    assert_eq!(found("Corp", "c-1").as_deref(), Some("alice"));
}
