//! What SRP (SPEC §15) adds, next to the argon2id hash it sits beside, measured interleaved
//! (see `userpool_benches::paired`):
//!
//! - `SrpVerifier::new`: g^x in the 3072-bit group for a 256-bit x (64 multiplications with
//!   the fixed-base table, built once before timing starts), computed on every password
//!   write beside the hash;
//! - `PasswordVerifierChallenge::start` with `SrpA::parse`: InitiateAuth's work (g^b, k·v);
//! - `check_answer`: RespondToAuthChallenge's work (v^u, (A·v^u)^b, HKDF, HMAC), on a
//!   pycognito answer from the SPEC §15 vectors, so the accepting path is what is timed;
//!
//! against the pooled argon2id hash and verify at the default parameters (m=19456 KiB, t=2,
//! p=1), which a password write and a password sign-in cost.
//!
//! `cargo bench -p userpool-benches --bench srp` (`PAIRED_ROUNDS`, default 100)

#![allow(missing_docs)]

use std::hint::black_box;

use base64ct::{Base64, Encoding};
use chrono::DateTime;
use serde_json::Value;
use userpool_benches::paired::{self, Op};
use userpool_core::srp::{PasswordVerifierAnswer, PasswordVerifierChallenge, SrpA, SrpVerifier};
use userpool_core::testing::{epoch, seeded_entropy};
use userpool_core::{
    Context, Entropy, MemoryPool, Password, PasswordHasher, PoolRules, UserPoolId, Username,
};

const VECTORS: &str = include_str!("../../crates/userpool-core/tests/vectors/srp_vectors.json");
const HASH: &str = "argon2id hash (pooled)";
const VERIFY: &str = "argon2id verify (pooled)";

/// Hands out the vector's b and secret block, so the challenge is the vector's.
struct Scripted(Vec<u8>);

impl Entropy for Scripted {
    fn fill(&mut self, dest: &mut [u8]) -> userpool_core::Result<()> {
        let rest = self.0.split_off(dest.len());
        dest.copy_from_slice(&self.0);
        self.0 = rest;
        Ok(())
    }
}

fn main() {
    if paired::listing_only() {
        return;
    }
    let rounds = paired::rounds(100);
    let rules = PoolRules::default();
    let hasher = PasswordHasher::default().with_memory_pool(MemoryPool::new(1));
    let pool = UserPoolId::parse("us-east-1_AbCdEf123").expect("pool");
    let user = Username::parse("alice").expect("user");
    let password = Password::parse("Correct-horse-9").expect("password");
    let stored = hasher
        .hash(&password, &mut seeded_entropy(1))
        .expect("hash");

    // The first vector: its verifier, challenge and the client's answer.
    let all: Value = serde_json::from_str(VECTORS).expect("vectors");
    let vector = &all["vectors"][0];
    let text = |name: &str| vector[name].as_str().expect("field").to_owned();
    let v_pool = UserPoolId::parse(&text("pool_id")).expect("pool");
    let v_user = Username::parse(&text("user_id")).expect("user");
    let salt_hex = text("salt");
    let salt: Vec<u8> = (0..salt_hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&salt_hex[i..i + 2], 16).expect("hex"))
        .collect();
    let v_verifier = SrpVerifier::with_salt(
        &v_pool,
        &v_user,
        &Password::parse(&text("password")).expect("password"),
        salt.try_into().expect("16 bytes"),
    );
    let now: DateTime<chrono::Utc> = text("now").parse().expect("now");
    let b_hex = text("b");
    let mut script: Vec<u8> = (0..b_hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&b_hex[i..i + 2], 16).expect("hex"))
        .collect();
    script.extend(Base64::decode_vec(&text("secret_block")).expect("base64"));
    let mut scripted = Scripted(script);
    let v_a = SrpA::parse(&text("srp_a")).expect("A");
    let v_challenge = PasswordVerifierChallenge::start(
        &v_pool,
        &v_user,
        &v_a,
        &v_verifier,
        &rules,
        &mut Context::new(now, &mut scripted),
    )
    .expect("challenge");
    let answer = PasswordVerifierAnswer::parse(
        &text("secret_block"),
        &text("signature"),
        &text("timestamp"),
    )
    .expect("answer");
    let srp_a = text("srp_a");

    let (mut e1, mut e2, mut e3) = (seeded_entropy(2), seeded_entropy(3), seeded_entropy(4));
    let verifier = SrpVerifier::new(&pool, &user, &password, &mut e2).expect("verifier");
    let mut ops = vec![
        Op::new(HASH, || {
            black_box(hasher.hash(&password, &mut e1).expect("hash"));
        }),
        Op::new(VERIFY, || {
            assert!(hasher.verify(&password, &stored).expect("verify"));
        }),
        Op::new("SrpVerifier::new (g^x)", || {
            black_box(SrpVerifier::new(&pool, &user, &password, &mut e2).expect("verifier"));
        }),
        Op::new(
            "SrpA::parse + PasswordVerifierChallenge::start (g^b)",
            || {
                let a = SrpA::parse(&srp_a).expect("A");
                let mut ctx = Context::new(epoch(), &mut e3);
                black_box(
                    PasswordVerifierChallenge::start(&pool, &user, &a, &verifier, &rules, &mut ctx)
                        .expect("challenge"),
                );
            },
        ),
        Op::new("check_answer, accepted (v^u, (A·v^u)^b)", || {
            v_challenge
                .check_answer(&answer, &v_verifier, now)
                .expect("the client's answer verifies");
        }),
    ];
    let samples = paired::interleave(&mut ops, 3, rounds);
    drop(ops);
    println!("{rounds} interleaved rounds; medians with 95 % intervals; ratios per round");
    paired::ratio_table(&samples, &[HASH, VERIFY]);
}
