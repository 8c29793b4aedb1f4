//! Does an unknown user's sign-in cost what a wrong password costs (SPEC §6)?
//! Measured interleaved: every round signs in once with the right password, once with a
//! wrong one and once as a user that does not exist, over each store, in an order shuffled
//! every round, and takes the difference wrong − unknown within the round. The answer is the
//! median of those differences with its 95 % interval: an interval containing 0 means no
//! difference this many rounds can see. See `userpool_benches::paired` for why criterion's
//! separate runs (`benches/signin.rs`) could not settle it.
//!
//! Default parameters (m=19456 KiB, t=2, p=1); lockout disabled, so every failure verifies.
//!
//! `cargo bench -p userpool-benches --bench signin_parity` (`PAIRED_ROUNDS`, default 100)

#![allow(missing_docs)]

use std::hint::black_box;

use userpool::HostOptions;
use userpool_benches::paired::{self, Op, median_ci, per_round};
use userpool_benches::{Fixture, past_hashes, past_password, stores};
use userpool_core::{LockoutPolicy, PasswordHasher};

const PATHS: [&str; 3] = ["success", "wrong password", "unknown user"];

fn main() {
    if paired::listing_only() {
        return;
    }
    let rounds = paired::rounds(100);
    let current = past_hashes(&PasswordHasher::default(), 1, None);
    let host = HostOptions::default().with_lockout(LockoutPolicy {
        free_failures: u32::MAX,
        ..LockoutPolicy::default()
    });
    let right = past_password(0);
    let stores: Vec<(&str, Fixture)> = stores()
        .into_iter()
        .map(|(name, backend)| (name, Fixture::with_alice(backend, host.clone(), &current)))
        .collect();

    let mut ops = Vec::new();
    for (name, fixture) in &stores {
        let auth = move |username: &str, password: &str| {
            fixture.pools.initiate_auth(
                &fixture.client_id,
                "USER_PASSWORD_AUTH",
                username,
                password,
            )
        };
        let right = right.clone();
        ops.push(Op::new(format!("{name}/{}", PATHS[0]), move || {
            black_box(auth("alice", &right).expect("signed in"));
        }));
        ops.push(Op::new(format!("{name}/{}", PATHS[1]), move || {
            black_box(auth("alice", "Wrong-Passw0rd!").expect_err("refused"));
        }));
        ops.push(Op::new(format!("{name}/{}", PATHS[2]), move || {
            black_box(auth("nobody", "Wrong-Passw0rd!").expect_err("refused"));
        }));
    }

    let samples = paired::interleave(&mut ops, 3, rounds);
    drop(ops);
    println!("{rounds} interleaved rounds; medians with 95 % intervals, in ms\n");
    println!(
        "| store | success | wrong password | unknown user | wrong − unknown, per round | 0 inside? |"
    );
    println!("|---|---|---|---|---|---|");
    for (name, _) in &stores {
        let of = |path: &str| samples.of(&format!("{name}/{path}"));
        let shown = |values: &[f64]| {
            let e = median_ci(values);
            format!("{:.2} [{:.2}, {:.2}]", e.median, e.low, e.high)
        };
        let gap = median_ci(&per_round(of(PATHS[1]), of(PATHS[2]), |a, b| a - b));
        println!(
            "| {name} | {} | {} | {} | {:+.2} [{:+.2}, {:+.2}] | {} |",
            shown(of(PATHS[0])),
            shown(of(PATHS[1])),
            shown(of(PATHS[2])),
            gap.median,
            gap.low,
            gap.high,
            if gap.contains(0.0) { "yes" } else { "**no**" },
        );
    }
}
