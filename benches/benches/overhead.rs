//! What AdminSetUserPassword costs beyond argon2 (the < 2 % criterion), measured
//! interleaved (see `userpool_benches::paired` for why), in two groups run one after the
//! other:
//!
//! 1. **The hash, four ways**: the `argon2` crate's own `hash_password_into` (its
//!    allocation, no wipe), the same plus a wipe (how the reference C implementation counts
//!    a hash: allocate, compute, wipe, free), our hasher with a pooled buffer, and without
//!    one.
//! 2. **The operation against its hash**: our pooled hash and AdminSetUserPassword through
//!    [`UserPools`] over each store, all sharing one pooled buffer, so that the ratio is the
//!    operation's cost beyond the very hash it computes.
//!
//! 3. **Sign-in against its verification**: our pooled verification of the user's hash
//!    and a successful `USER_PASSWORD_AUTH` `InitiateAuth` over each store (no tokens: the
//!    library issues none without a token issuer), sharing one pooled buffer: the sign-in's
//!    cost beyond the argon2 verification it must do.
//!
//! Kept apart because operations that allocate 19 MiB afresh each time perturb the ones
//! that do not (in one mixed run the MemoryStore operation came out 3 % above a pooled hash
//! that it measured 1.001× of on its own). All at the default parameters (m=19456 KiB, t=2,
//! p=1) and history 0, where the floor is one hash.
//!
//! `cargo bench -p userpool-benches --bench overhead` (`PAIRED_ROUNDS`, default 100)

#![allow(missing_docs)]

use std::hint::black_box;

use argon2::{Algorithm, Argon2, Block, Params, Version};
use userpool::HostOptions;
use userpool_benches::paired::{self, Estimate, Op, Samples, median_ci, per_round};
use userpool_benches::{Fixture, past_hashes, past_password, stores};
use userpool_core::testing::seeded_entropy;
use userpool_core::{Password, PasswordHasher};
use zeroize::Zeroizing;

const CRATE: &str = "argon2 crate, hash_password_into";
const REFERENCE: &str = "argon2 crate + wipe (the reference C's definition)";
const POOLED: &str = "ours, PasswordHasher::hash, pooled";

fn main() {
    if paired::listing_only() {
        return;
    }
    let rounds = paired::rounds(100);
    let password = Password::parse("Fresh-Passw0rd-0!").expect("valid");
    println!(
        "{rounds} interleaved rounds per group; medians with 95 % intervals; ratios per round"
    );
    hashes(&password, rounds);
    operations(&password, rounds);
    sign_ins(rounds);
}

fn hashes(password: &Password, rounds: usize) {
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
    let pooled = PasswordHasher::default().with_memory_pool(
        HostOptions::default()
            .with_memory_pool(1)
            .memory_pool()
            .clone(),
    );
    let unpooled = PasswordHasher::default();
    let (mut entropy, mut entropy2) = (seeded_entropy(3), seeded_entropy(4));
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
        Op::new(POOLED, || {
            black_box(pooled.hash(password, &mut entropy).expect("hash"));
        }),
        Op::new("ours, PasswordHasher::hash, no pool", || {
            black_box(unpooled.hash(password, &mut entropy2).expect("hash"));
        }),
    ];
    let samples = paired::interleave(&mut ops, 3, rounds);
    drop(ops);
    table("1. The hash, four ways", &samples, &[CRATE, REFERENCE]);
}

fn operations(password: &Password, rounds: usize) {
    // One buffer shared by our hasher and every store's pool: a buffer's placement in the
    // caches makes it a few per cent faster or slower than another for as long as it lives,
    // so the ratios below compare hashes made in the same memory.
    let host = HostOptions::default().with_memory_pool(1);
    let pooled = PasswordHasher::default().with_memory_pool(host.memory_pool().clone());
    let mut entropy = seeded_entropy(5);
    let current = past_hashes(&PasswordHasher::default(), 1, None);
    let stores: Vec<(&str, Fixture)> = stores()
        .into_iter()
        .map(|(name, backend)| (name, Fixture::with_alice(backend, host.clone(), &current)))
        .collect();
    let mut ops = vec![Op::new(POOLED, || {
        black_box(pooled.hash(password, &mut entropy).expect("hash"));
    })];
    for (name, fixture) in &stores {
        let mut i = 0u64;
        ops.push(Op::new(
            format!("AdminSetUserPassword, {name}"),
            move || {
                i += 1;
                black_box(fixture.set_fresh_password(i));
            },
        ));
    }
    let samples = paired::interleave(&mut ops, 3, rounds);
    drop(ops);
    table(
        "2. The operation against the hash it computes (one shared buffer)",
        &samples,
        &[POOLED],
    );
}

const VERIFY: &str = "ours, PasswordHasher::verify, pooled";

fn sign_ins(rounds: usize) {
    let host = HostOptions::default().with_memory_pool(1);
    let pooled = PasswordHasher::default().with_memory_pool(host.memory_pool().clone());
    let current = past_hashes(&PasswordHasher::default(), 1, None);
    let right = Password::parse(&past_password(0)).expect("valid");
    let stores: Vec<(&str, Fixture)> = stores()
        .into_iter()
        .map(|(name, backend)| (name, Fixture::with_alice(backend, host.clone(), &current)))
        .collect();
    let mut ops = vec![Op::new(VERIFY, || {
        assert!(pooled.verify(&right, &current[0]).expect("verify"));
    })];
    for (name, fixture) in &stores {
        let right = past_password(0);
        ops.push(Op::new(format!("InitiateAuth, {name}"), move || {
            black_box(
                fixture
                    .pools
                    .initiate_auth(&fixture.client_id, "USER_PASSWORD_AUTH", "alice", &right)
                    .expect("signed in"),
            );
        }));
    }
    let samples = paired::interleave(&mut ops, 3, rounds);
    drop(ops);
    table(
        "3. A sign-in against the verification it computes (one shared buffer)",
        &samples,
        &[VERIFY],
    );
}

fn table(title: &str, samples: &Samples, against: &[&str]) {
    let shown = |e: Estimate, digits: usize| {
        format!(
            "{:.digits$} [{:.digits$}, {:.digits$}]",
            e.median, e.low, e.high
        )
    };
    println!("\n{title}\n");
    let header: String = against.iter().map(|a| format!(" ÷ {a} |")).collect();
    println!("| operation | median ms [95 %] |{header}");
    println!("|---|---|{}", "---|".repeat(against.len()));
    for (label, values) in samples.labels.iter().zip(&samples.samples) {
        let ratios: String = against
            .iter()
            .map(|to| {
                let ratio = median_ci(&per_round(values, samples.of(to), |a, b| a / b));
                format!(" {} |", shown(ratio, 3))
            })
            .collect();
        println!("| {label} | {} |{ratios}", shown(median_ci(values), 2));
    }
}
