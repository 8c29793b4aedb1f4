//! What AdminSetUserPassword costs beyond argon2 (issue #6's < 2 % criterion), measured
//! interleaved: every round runs one argon2 hash as the `argon2` crate computes it, one as
//! the reference C implementation counts it (with the wipe), our hasher's, and the whole
//! operation through [`UserPools`] over each store, a few milliseconds apart, so the ratios
//! compare operations that saw the same machine. See `userpool_benches::paired` for why,
//! and `benches/README.md` for the figures.
//!
//! All at the default parameters (m=19456 KiB, t=2, p=1), history 0 (the floor is one hash),
//! default `HostOptions` (working memory pooled) unless a label says otherwise.
//!
//! `cargo bench -p userpool-benches --bench overhead` (`PAIRED_ROUNDS`, default 100)

#![allow(missing_docs)]

use std::hint::black_box;

use argon2::{Algorithm, Argon2, Block, Params, Version};
use userpool_benches::paired::{self, Op, median_ci, per_round};
use userpool_benches::{Backend, Fixture, fresh_password, past_hashes, settings};
use userpool_core::testing::seeded_entropy;
use userpool_core::{HistoryMode, MemoryPool, Password, PasswordHasher};
use userpool_sqlite::Synchronous;
use userpool_store::HostOptions;
use zeroize::Zeroizing;

const CRATE: &str = "argon2 crate, hash_password_into";
const REFERENCE: &str = "argon2 crate + wipe (the reference C's definition)";

fn main() {
    if paired::listing_only() {
        return;
    }
    let rounds = paired::rounds(100);
    let password = Password::parse("Fresh-Passw0rd-0!").expect("valid");
    let bytes = password.expose().as_bytes().to_vec();
    let params = Params::new(19_456, 2, 1, Some(32)).expect("params");
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    // A fresh salt per hash, as every real hash has.
    let counter = std::cell::Cell::new(0u64);
    let salt = || {
        counter.set(counter.get() + 1);
        let mut salt = [0x5au8; 16];
        salt[..8].copy_from_slice(&counter.get().to_le_bytes());
        salt
    };

    let pooled = PasswordHasher::default().with_memory_pool(MemoryPool::new(1));
    let unpooled = PasswordHasher::default();
    let mut entropy = seeded_entropy(3);
    let mut entropy2 = seeded_entropy(4);

    let fixture = |backend: Backend, host: HostOptions| {
        let fixture = Fixture::new(backend, settings(0, HistoryMode::PerEntrySalt), host);
        fixture.user_with_past(
            "alice",
            &past_hashes(&PasswordHasher::default(), 1, None),
            None,
        );
        fixture
    };
    let stores = [
        (
            "MemoryStore",
            fixture(Backend::Memory, HostOptions::default()),
        ),
        (
            "SQLite FULL",
            fixture(Backend::Sqlite(Synchronous::Full), HostOptions::default()),
        ),
        (
            "SQLite NORMAL",
            fixture(Backend::Sqlite(Synchronous::Normal), HostOptions::default()),
        ),
        (
            "SQLite FULL, no memory pool",
            fixture(
                Backend::Sqlite(Synchronous::Full),
                HostOptions::default().with_memory_pool(0),
            ),
        ),
    ];

    let mut ops = vec![
        Op::new(CRATE, || {
            let mut out = [0u8; 32];
            argon
                .hash_password_into(&bytes, &salt(), &mut out)
                .expect("hash");
            black_box(out);
        }),
        Op::new(REFERENCE, || {
            // What phc-winner-argon2 does per hash: allocate, compute, wipe
            // (`FLAG_clear_internal_memory`), free.
            let mut blocks = Zeroizing::new(vec![Block::default(); params.block_count()]);
            let mut out = [0u8; 32];
            argon
                .hash_password_into_with_memory(&bytes, &salt(), &mut out, &mut blocks[..])
                .expect("hash");
            black_box(out);
        }),
        Op::new("ours, PasswordHasher::hash, pooled", || {
            black_box(pooled.hash(&password, &mut entropy).expect("hash"));
        }),
        Op::new("ours, PasswordHasher::hash, no pool", || {
            black_box(unpooled.hash(&password, &mut entropy2).expect("hash"));
        }),
    ];
    for (name, fixture) in &stores {
        let mut i = 0u64;
        ops.push(Op::new(
            format!("AdminSetUserPassword, {name}"),
            move || {
                i += 1;
                black_box(
                    fixture
                        .pools
                        .admin_set_user_password(
                            &fixture.caller,
                            &fixture.pool_id,
                            "alice",
                            &fresh_password(i),
                            Some(true),
                        )
                        .expect("a fresh password is accepted"),
                );
            },
        ));
    }

    let samples = paired::interleave(&mut ops, 3, rounds);
    drop(ops);
    println!("{rounds} interleaved rounds; medians with 95 % intervals; ratios are per round\n");
    println!("| operation | median ms [95 %] | ÷ {CRATE} | ÷ reference definition |");
    println!("|---|---|---|---|");
    let crate_ms = samples.of(CRATE);
    let reference_ms = samples.of(REFERENCE);
    for (label, values) in samples.labels.iter().zip(&samples.samples) {
        let own = median_ci(values);
        let to_crate = median_ci(&per_round(values, crate_ms, |a, b| a / b));
        let to_reference = median_ci(&per_round(values, reference_ms, |a, b| a / b));
        println!(
            "| {label} | {:.2} [{:.2}, {:.2}] | {:.3} [{:.3}, {:.3}] | {:.3} [{:.3}, {:.3}] |",
            own.median,
            own.low,
            own.high,
            to_crate.median,
            to_crate.low,
            to_crate.high,
            to_reference.median,
            to_reference.low,
            to_reference.high,
        );
    }
}
