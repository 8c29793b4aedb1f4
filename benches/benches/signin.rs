//! Sign-in (`InitiateAuth`, `USER_PASSWORD_AUTH`) through [`UserPools`] at the default
//! argon2id parameters: success, wrong password, unknown user, over `MemoryStore` and
//! `SqliteStore`.
//!
//! The unknown-user path verifies against a dummy hash so that it costs what a wrong
//! password costs (SPEC §6): the two figures are meant to be read side by side. A wrong
//! password also writes the failure count to the store (the lockout state lives in the
//! record), which the unknown user does not: that write is the one difference, and on
//! SQLite at `synchronous=FULL` it includes an fsync.
//!
//! The lockout policy allows unlimited failures here, since otherwise the sixth wrong
//! password would be refused without verifying and the bench would time the lockout.
//!
//! `cargo bench -p userpool-benches --bench signin`

#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use userpool::HostOptions;
use userpool_benches::{Backend, Fixture, past_hashes, past_password};
use userpool_core::{LockoutPolicy, PasswordHasher};
use userpool_sqlite::Synchronous;

fn bench(c: &mut Criterion) {
    let current = past_hashes(&PasswordHasher::default(), 1, None);
    let host = HostOptions::default().with_lockout(LockoutPolicy {
        free_failures: u32::MAX,
        ..LockoutPolicy::default()
    });
    let right = past_password(0);
    for backend in [
        Backend::Memory,
        Backend::Sqlite(Synchronous::Full),
        Backend::Sqlite(Synchronous::Normal),
    ] {
        let fixture = Fixture::with_alice(backend, host.clone(), &current);
        let mut group = c.benchmark_group(format!("sign_in/{}", backend.label()));
        group
            .sampling_mode(SamplingMode::Flat)
            .sample_size(20)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(3));
        let auth = |username: &str, password: &str| {
            fixture.pools.initiate_auth(
                &fixture.client_id,
                "USER_PASSWORD_AUTH",
                username,
                password,
            )
        };
        group.bench_function("success", |b| {
            b.iter(|| black_box(auth("alice", &right).expect("signed in")));
        });
        group.bench_function("wrong_password", |b| {
            b.iter(|| black_box(auth("alice", "Wrong-Passw0rd!").expect_err("refused")));
        });
        group.bench_function("unknown_user", |b| {
            b.iter(|| black_box(auth("nobody", "Wrong-Passw0rd!").expect_err("refused")));
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
