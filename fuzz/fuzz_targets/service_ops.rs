//! SPEC §3–§6: any sequence of operations through `UserPools` over `MemoryStore` (cheap
//! hasher, manual clock) agrees with the reference model after every step: results,
//! the stored record, which passwords sign in and which history refuses.
//! A crash prints the sequence as `Op`s, ready to paste into a regression test.
#![no_main]
#![forbid(unsafe_code)]

use std::sync::Arc;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use userpool_core::PasswordPolicy;
use userpool_core::testing::Op;
use userpool::{MemoryStore, model_check};

#[derive(Debug, Arbitrary)]
struct Input {
    history: u8,
    short_validity: bool,
    seed: u64,
    ops: Vec<Op>,
}

fuzz_target!(|input: Input| {
    if input.ops.len() > 64 {
        return;
    }
    let Ok(policy) = PasswordPolicy::builder()
        .password_history_size(i64::from(input.history % 5))
        .temporary_password_validity_days(if input.short_validity { 1 } else { 0 })
        .build()
    else {
        return;
    };
    if let Err(divergence) =
        model_check::run(Arc::new(MemoryStore::new()), policy, input.seed, &input.ops)
    {
        panic!("{divergence}\nops: {:?}", input.ops);
    }
});
