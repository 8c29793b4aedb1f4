//! AdminSetUserPassword end to end through [`UserPools`] at the default argon2id parameters
//! (m=19456 KiB, t=2, p=1), over `MemoryStore` and `SqliteStore` (a temporary file), with the
//! user's password history full of distinct passwords at sizes 0, 1, 8 and 24.
//!
//! The floor is the hashing the operation cannot avoid: the new password's hash plus the
//! history verifications. With per-entry salts (the default) those run newest first on
//! every core: 1 entry is one sequential verification, n > 1 entries on 2 cores take about
//! ceil(n/2) hash-times; with a per-user salt the check is the new hash itself (~1
//! hash-time whatever n). `one_hash` in the same group is the unit, measured in the same
//! run, so the ratios in `benches/README.md` do not mix runs.
//!
//! `cargo bench -p userpool-benches --bench set_password`

#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use argon2::{Algorithm, Argon2, Params, Version};
use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use userpool::HostOptions;
use userpool_benches::{Backend, Fixture, past_hashes, settings};
use userpool_core::testing::seeded_entropy;
use userpool_core::{HashParams, HistoryMode, MemoryPool, Password, PasswordHasher};
use userpool_sqlite::Synchronous;

const SIZES: [u8; 4] = [0, 1, 8, 24];
const USER_SALT: [u8; 16] = [0x42; 16];

fn bench(c: &mut Criterion) {
    let hasher = PasswordHasher::default();
    // Hashed once, shared by every fixture: 24 real hashes per mode.
    let per_entry = past_hashes(&hasher, 24, None);
    let per_user = past_hashes(&hasher, 24, Some(USER_SALT));

    let mut group = c.benchmark_group("admin_set_user_password");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));

    // The unit of the floor: one hash of a new password, as the service computes it (fresh
    // salt, working memory from the host's pool and wiped after, PHC encoding).
    let mut entropy = seeded_entropy(3);
    let password = Password::parse("Fresh-Passw0rd-0!").expect("valid");
    let pooled = hasher.clone().with_memory_pool(MemoryPool::new(1));
    group.bench_function("one_hash", |b| {
        b.iter(|| black_box(pooled.hash(&password, &mut entropy).expect("hash")));
    });
    // argon2 alone (the crate's own allocation, no wipe, no encoding): what "outside
    // argon2" is measured against.
    let raw = Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(19_456, 2, 1, Some(32)).expect("params"),
    );
    let mut salt = [0x5au8; 16];
    let mut counter = 0u64;
    group.bench_function("one_raw_argon2", |b| {
        b.iter(|| {
            // A fresh salt each time, as every real hash has.
            counter += 1;
            salt[..8].copy_from_slice(&counter.to_le_bytes());
            let mut out = [0u8; 32];
            raw.hash_password_into(password.expose().as_bytes(), &salt, &mut out)
                .expect("hash");
            black_box(out)
        });
    });

    let backends = [
        Backend::Memory,
        Backend::Sqlite(Synchronous::Full),
        Backend::Sqlite(Synchronous::Normal),
    ];
    for backend in backends {
        let mut cases: Vec<(String, u8, HistoryMode)> = SIZES
            .iter()
            .map(|&n| (format!("history_{n}"), n, HistoryMode::PerEntrySalt))
            .collect();
        cases.push((
            "history_24_per_user_salt".to_owned(),
            24,
            HistoryMode::PerUserSalt,
        ));
        if backend == Backend::Sqlite(Synchronous::Normal) {
            // Only to price the fsync in the overhead figure; history adds nothing store-side.
            cases.truncate(1);
        }
        for (label, n, mode) in cases {
            let fixture = Fixture::new(backend, settings(n, mode), HostOptions::default());
            let count = usize::from(n.max(1));
            match mode {
                HistoryMode::PerUserSalt => {
                    fixture.user_with_past("alice", &per_user[..count], Some(USER_SALT));
                }
                _ => fixture.user_with_past("alice", &per_entry[..count], None),
            }
            let mut i = 0u64;
            group.bench_function(format!("{}/{label}", backend.label()), |b| {
                b.iter(|| {
                    i += 1;
                    black_box(fixture.set_fresh_password(i))
                });
            });
        }
    }
    group.finish();

    // The service and store cost alone: the same operation with the insecure 8 KiB hasher,
    // whose hash takes microseconds. What remains is validation, the rules cache, the
    // store's read and compare-and-swap write (with its fsync on SQLite FULL), and copies.
    let mut group = c.benchmark_group("admin_set_user_password_fast_hasher");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    let fast = PasswordHasher::new(HashParams::insecure_fast_for_tests()).expect("fast");
    let fast_past = past_hashes(&fast, 1, None);
    group.bench_function("one_hash", |b| {
        b.iter(|| black_box(fast.hash(&password, &mut entropy).expect("hash")));
    });
    // Every store here, PostgreSQL too when the test database is set (SPEC §20): the store's
    // own cost per write, which the paired `overhead` bench shows only as a ratio.
    for (_, backend) in userpool_benches::stores() {
        let mut fast_settings = settings(0, HistoryMode::PerEntrySalt);
        fast_settings.hash_params = HashParams::insecure_fast_for_tests();
        let fixture = Fixture::new(backend, fast_settings, HostOptions::default());
        fixture.user_with_past("alice", &fast_past, None);
        let mut i = 0u64;
        group.bench_function(format!("{}/history_0", backend.label()), |b| {
            b.iter(|| {
                i += 1;
                black_box(fixture.set_fresh_password(i))
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
