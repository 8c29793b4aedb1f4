//! Store operations with 100 000 users in one pool: lookups by username, alias and `sub`,
//! and a read plus compare-and-swap write, on `SqliteStore` (a file, at
//! `synchronous=FULL`, the default, and `NORMAL`), on `MemoryStore`, and on
//! `PostgresStore` when `USERPOOL_TEST_DATABASE_URL` names a PostgreSQL
//! (`.ci/postgres run cargo bench -p userpool-benches --bench store_100k`).
//!
//! All store benches live here (the SQLite crate keeps none of its own), so that
//! `cargo bench -p userpool-benches` runs every bench, with `MemoryStore` beside SQLite.
//!
//! `cargo bench -p userpool-benches --bench store_100k`. Loading takes a few seconds first
//! (one transaction per user on SQLite, as a real service writes them).

#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use chrono::{DateTime, Utc};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main};
use userpool::{MemoryStore, PoolRecord, Store, UserKey};
use userpool_core::testing::{insecure_fast_rules, seeded_entropy};
use userpool_core::{
    AliasAttribute, Context, HashParams, HistoryMode, Password, PasswordPolicy, UserPoolId,
    UserRecord, Username, transitions,
};
use userpool_sqlite::{SqliteOptions, SqliteStore, Synchronous};
use uuid::Uuid;

const USERS: usize = 100_000;
/// Steps through the users in a scattered order (coprime with `USERS`).
const STRIDE: usize = 7_919;

fn now() -> DateTime<Utc> {
    userpool_core::testing::epoch()
}

fn pool_record() -> PoolRecord {
    PoolRecord {
        id: UserPoolId::parse("eu-west-1_Bench1").expect("id"),
        name: "bench".into(),
        policy: PasswordPolicy::default(),
        hash_params: HashParams::insecure_fast_for_tests(),
        history_mode: HistoryMode::PerEntrySalt,
        alias_attributes: vec![AliasAttribute::Email],
        username_attributes: Vec::new(),
        case_sensitive: false,
        mfa: Default::default(),
        schema: userpool_core::Schema::standard(),
        settings: userpool_core::PoolSettings::default(),
        created_at: now(),
        modified_at: now(),
        version: 1,
    }
}

fn sub(i: usize) -> Uuid {
    Uuid::from_u128(0x4000_0000_0000_4000_8000_0000_0000_0000 | i as u128)
}

/// The 100 000 users, built from one real (cheaply hashed) credential: the store neither
/// knows nor cares that they share it.
fn users() -> impl Iterator<Item = UserRecord> {
    let rules = insecure_fast_rules(PasswordPolicy::default());
    let mut rng = seeded_entropy(1);
    let mut ctx = Context::new(now(), &mut rng);
    let template = transitions::admin_create_user(
        Username::parse("template").expect("username"),
        Default::default(),
        Some(Password::parse("Bench-Passw0rd!").expect("password")),
        &rules,
        &mut ctx,
    )
    .expect("a user")
    .0;
    (0..USERS).map(move |i| {
        let mut user = template.clone();
        user.username = Username::parse(&format!("user{i:06}")).expect("username");
        user.sub = sub(i);
        user.attributes = [
            ("email".to_owned(), format!("user{i:06}@example.com")),
            ("email_verified".to_owned(), "true".to_owned()),
            ("name".to_owned(), format!("User Number {i}")),
        ]
        .into_iter()
        .collect();
        user
    })
}

fn load(store: &dyn Store) -> UserPoolId {
    let pool = pool_record();
    store.create_pool(&pool).expect("create_pool");
    for user in users() {
        store.insert_user(&pool.id, &user).expect("insert_user");
    }
    pool.id
}

/// A scattered walk over the users, so lookups do not hit one cached page.
fn walk() -> impl FnMut() -> usize {
    let mut i = 0usize;
    move || {
        i = (i + STRIDE) % USERS;
        i
    }
}

fn lookups(group: &mut BenchmarkGroup<'_, WallTime>, store: &dyn Store, pool: &UserPoolId) {
    let mut next = walk();
    group.bench_function("find_user_by_username", |b| {
        b.iter(|| {
            let name = format!("USER{:06}", next()); // folded: the pool is case-insensitive
            black_box(
                store
                    .find_user(pool, UserKey::Username(&name))
                    .expect("find"),
            )
        });
    });
    group.bench_function("find_user_by_alias", |b| {
        b.iter(|| {
            let email = format!("user{:06}@example.com", next());
            let key = UserKey::Alias(AliasAttribute::Email, &email);
            black_box(store.find_user(pool, key).expect("find"))
        });
    });
    group.bench_function("find_user_by_sub", |b| {
        b.iter(|| {
            black_box(
                store
                    .find_user(pool, UserKey::Sub(sub(next())))
                    .expect("find"),
            )
        });
    });
}

fn cas_write(
    group: &mut BenchmarkGroup<'_, WallTime>,
    label: &str,
    store: &dyn Store,
    pool: &UserPoolId,
) {
    let mut next = walk();
    group.bench_function(format!("find_then_update_user_cas{label}"), |b| {
        b.iter(|| {
            let name = format!("user{:06}", next());
            let mut user = store
                .find_user(pool, UserKey::Username(&name))
                .expect("find")
                .expect("exists");
            user.enabled = !user.enabled;
            black_box(store.update_user(pool, &user).expect("update"))
        });
    });
}

fn configure(group: &mut BenchmarkGroup<'_, WallTime>) {
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(500));
}

fn sqlite(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("bench.db");
    let pool = {
        let loader = SqliteStore::open_with(
            &path,
            &SqliteOptions::default().synchronous(Synchronous::Normal),
        )
        .expect("open");
        let pool = load(&loader);
        loader.checkpoint().expect("checkpoint");
        pool
    };
    let store = SqliteStore::open(&path).expect("open");
    let mut group = c.benchmark_group("store_100k_users/sqlite");
    configure(&mut group);
    lookups(&mut group, &store, &pool);
    for (label, level) in [
        ("_full", Synchronous::Full),
        ("_normal", Synchronous::Normal),
    ] {
        let writer = SqliteStore::open_with(&path, &SqliteOptions::default().synchronous(level))
            .expect("open");
        cas_write(&mut group, &format!("_synchronous{label}"), &writer, &pool);
    }
    group.finish();
}

fn memory(c: &mut Criterion) {
    let store = MemoryStore::new();
    let pool = load(&store);
    let mut group = c.benchmark_group("store_100k_users/memory");
    configure(&mut group);
    lookups(&mut group, &store, &pool);
    cas_write(&mut group, "", &store, &pool);
    group.finish();
}

fn postgres(c: &mut Criterion) {
    let Some(url) = userpool_benches::database_url() else {
        eprintln!("store_100k_users/postgres: skipped (USERPOOL_TEST_DATABASE_URL is not set)");
        return;
    };
    // Loaded without waiting for each commit's flush (a bulk load, not the measurement).
    let separator = if url.contains('?') { '&' } else { '?' };
    let bulk = format!("{url}{separator}options=-c%20synchronous_commit%3Doff");
    let schema = {
        let loader = userpool_benches::postgres_store("store100k");
        let schema = loader.schema().to_owned();
        drop(loader);
        let loader = userpool_postgres::PostgresStore::open_with(
            &bulk,
            &userpool_postgres::PostgresOptions::default().schema(&schema),
        )
        .expect("open the loader");
        load(&loader);
        schema
    };
    let store = userpool_postgres::PostgresStore::open_with(
        &url,
        &userpool_postgres::PostgresOptions::default().schema(&schema),
    )
    .expect("open");
    let pool = pool_record().id;
    let mut group = c.benchmark_group("store_100k_users/postgres");
    configure(&mut group);
    lookups(&mut group, &store, &pool);
    cas_write(&mut group, "_synchronous_commit_on", &store, &pool);
    group.finish();
}

criterion_group!(benches, memory, sqlite, postgres);
criterion_main!(benches);
