//! Store operations on a file holding 100 000 users: lookups by username, alias and `sub`,
//! and a compare-and-swap write at `synchronous=FULL` (the default) and `NORMAL`.
//!
//! `cargo bench -p userpool-sqlite --bench store_100k`. Loading the file takes a few
//! seconds first (one transaction per user, as a real service writes them).

#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use chrono::{DateTime, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use userpool_core::testing::{insecure_fast_rules, seeded_entropy};
use userpool_core::{
    AliasAttribute, Context, HashParams, HistoryMode, Password, PasswordPolicy, UserPoolId,
    Username, transitions,
};
use userpool_sqlite::{SqliteOptions, SqliteStore, Synchronous};
use userpool_store::{PoolRecord, Store, UserKey};
use uuid::Uuid;

const USERS: usize = 100_000;
/// Steps through the users in a scattered order (coprime with `USERS`).
const STRIDE: usize = 7_919;

fn now() -> DateTime<Utc> {
    userpool_core::testing::epoch()
}

struct Loaded {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    pool: UserPoolId,
    subs: Vec<Uuid>,
}

fn load() -> Loaded {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("bench.db");
    let loader = SqliteStore::open_with(
        &path,
        &SqliteOptions::default().synchronous(Synchronous::Normal),
    )
    .expect("open");
    let pool = PoolRecord {
        id: UserPoolId::parse("eu-west-1_Bench1").expect("id"),
        name: "bench".into(),
        policy: PasswordPolicy::default(),
        hash_params: HashParams::insecure_fast_for_tests(),
        history_mode: HistoryMode::PerEntrySalt,
        alias_attributes: vec![AliasAttribute::Email],
        username_attributes: Vec::new(),
        case_sensitive: false,
        created_at: now(),
        modified_at: now(),
        version: 1,
    };
    loader.create_pool(&pool).expect("create_pool");
    // One real credential, shared: the store neither knows nor cares.
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
    let mut subs = Vec::with_capacity(USERS);
    for i in 0..USERS {
        let mut user = template.clone();
        user.username = Username::parse(&format!("user{i:06}")).expect("username");
        user.sub = Uuid::from_u128(0x4000_0000_0000_4000_8000_0000_0000_0000 | i as u128);
        user.attributes = [
            ("email".to_owned(), format!("user{i:06}@example.com")),
            ("email_verified".to_owned(), "true".to_owned()),
            ("name".to_owned(), format!("User Number {i}")),
        ]
        .into_iter()
        .collect();
        loader.insert_user(&pool.id, &user).expect("insert_user");
        subs.push(user.sub);
    }
    loader.checkpoint().expect("checkpoint");
    Loaded {
        _dir: dir,
        path,
        pool: pool.id,
        subs,
    }
}

fn bench(c: &mut Criterion) {
    let loaded = load();
    let store = SqliteStore::open(&loaded.path).expect("open");
    let pool = &loaded.pool;
    let mut group = c.benchmark_group("sqlite_100k_users");
    group
        .sample_size(30)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));

    let mut i = 0usize;
    let mut next = move || {
        i = (i + STRIDE) % USERS;
        i
    };
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
            let sub = loaded.subs[next()];
            black_box(store.find_user(pool, UserKey::Sub(sub)).expect("find"))
        });
    });
    for (label, level) in [("full", Synchronous::Full), ("normal", Synchronous::Normal)] {
        let writer =
            SqliteStore::open_with(&loaded.path, &SqliteOptions::default().synchronous(level))
                .expect("open");
        group.bench_function(format!("update_user_cas_synchronous_{label}"), |b| {
            b.iter(|| {
                let name = format!("user{:06}", next());
                let mut user = writer
                    .find_user(pool, UserKey::Username(&name))
                    .expect("find")
                    .expect("exists");
                user.enabled = !user.enabled;
                black_box(writer.update_user(pool, &user).expect("update"))
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
