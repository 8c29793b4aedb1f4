//! argon2id through our [`PasswordHasher`] and through the `argon2` crate directly, at the
//! default parameters (OWASP: m=19456 KiB, t=2, p=1) and at RFC 9106's second recommended
//! option (m=65536 KiB, t=3, p=4).
//!
//! The raw figures separate our overhead from argon2's: our hasher adds NFKC'd input
//! handling, a working buffer we own and wipe (`Zeroizing<Vec<Block>>`: filled on
//! allocation, wiped on drop, where the crate's own buffer is `alloc_zeroed` and freed
//! unwiped), PHC encoding and a constant-time comparison. `hash` allocates a fresh buffer
//! per call (a hasher without a pool); `hash_pooled` borrows one from a `MemoryPool` and
//! wipes it after, as a service operation does; `hash_in` reuses one unwiped, isolating the
//! buffer cost.
//!
//! `cargo bench -p userpool-benches --bench argon2`

#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use argon2::{Algorithm, Argon2, Block, Params, Version};
use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use userpool_core::testing::seeded_entropy;
use userpool_core::{HashParams, MemoryPool, Password, PasswordHasher, WorkingMemory};
use zeroize::{Zeroize, Zeroizing};

fn bench(c: &mut Criterion) {
    let password = Password::parse("Correct-Horse-Battery-9").expect("valid");
    let salt = [0x5au8; 16];
    for (label, params) in [
        ("owasp_m19456_t2_p1", HashParams::OWASP),
        ("rfc9106_m65536_t3_p4", HashParams::RFC9106_SECOND),
    ] {
        let mut group = c.benchmark_group(format!("argon2id/{label}"));
        group
            .sampling_mode(SamplingMode::Flat)
            .sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(2));

        let hasher = PasswordHasher::new(params).expect("within the ceiling");
        let mut entropy = seeded_entropy(1);
        group.bench_function("ours_hash", |b| {
            b.iter(|| black_box(hasher.hash(&password, &mut entropy).expect("hash")));
        });
        // As a service operation hashes: a buffer from the host's pool, wiped after.
        let pooled = hasher.clone().with_memory_pool(MemoryPool::new(1));
        group.bench_function("ours_hash_pooled", |b| {
            b.iter(|| black_box(pooled.hash(&password, &mut entropy).expect("hash")));
        });
        let mut memory = WorkingMemory::new();
        group.bench_function("ours_hash_reused_memory", |b| {
            b.iter(|| {
                black_box(
                    hasher
                        .hash_in(&password, &mut entropy, &mut memory)
                        .expect("hash"),
                )
            });
        });
        // The same with the raw benches' fixed salt: separates the salt (and so the memory
        // access pattern argon2id's data-dependent half follows) from our code's cost.
        group.bench_function("ours_hash_fixed_salt_reused_memory", |b| {
            b.iter(|| {
                black_box(
                    hasher
                        .hash_with_salt(&password, &salt, &mut memory)
                        .expect("hash"),
                )
            });
        });
        let stored = hasher.hash(&password, &mut entropy).expect("hash");
        group.bench_function("ours_verify", |b| {
            b.iter(|| black_box(hasher.verify(&password, &stored).expect("verify")));
        });

        let raw = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(params.m_kib(), params.t(), params.p(), Some(32)).expect("params"),
        );
        let bytes = password.expose().as_bytes();
        // A fresh salt per hash, as ours draws one: argon2id's second half follows a
        // data-dependent path, and a constant salt repeats the same one every iteration
        // (see `ours_hash_fixed_salt_reused_memory`).
        let mut counter = 0u64;
        let mut next_salt = move || {
            counter += 1;
            let mut salt = [0x5au8; 16];
            salt[..8].copy_from_slice(&counter.to_le_bytes());
            salt
        };
        group.bench_function("raw_argon2_hash_password_into", |b| {
            b.iter(|| {
                let mut out = [0u8; 32];
                raw.hash_password_into(bytes, &next_salt(), &mut out)
                    .expect("hash");
                black_box(out)
            });
        });
        let mut blocks = vec![Block::default(); raw.params().block_count()];
        group.bench_function("raw_argon2_reused_memory", |b| {
            b.iter(|| {
                let mut out = [0u8; 32];
                raw.hash_password_into_with_memory(bytes, &next_salt(), &mut out, &mut blocks)
                    .expect("hash");
                black_box(out)
            });
        });
        // Our buffer's own cost, as `hash::WorkingMemory` spends it: allocate and fill
        // (`resize` with `Block::default()`), then wipe on drop with `zeroize`'s volatile
        // writes; and the wipe alone, on a buffer already faulted in.
        let count = raw.params().block_count();
        group.bench_function("buffer_alloc_fill_wipe", |b| {
            b.iter(|| {
                let mut buffer = Zeroizing::new(Vec::with_capacity(count));
                buffer.resize(count, Block::default());
                black_box(&mut buffer);
            });
        });
        group.bench_function("buffer_wipe_only", |b| {
            b.iter(|| {
                blocks.iter_mut().for_each(Zeroize::zeroize);
                black_box(&mut blocks);
            });
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
