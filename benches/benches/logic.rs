//! The pure-logic costs, with no real hashing: validation of each input field, policy
//! evaluation, and a whole `admin_set_user_password` transition with the **insecure** fast
//! hasher (m=8 KiB, t=1), so that what is left is our own code. These should be in
//! nanoseconds to low microseconds; a real hash is tens of milliseconds.
//!
//! `cargo bench -p userpool-benches --bench logic`

#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use userpool_core::testing::{epoch, insecure_fast_rules, seeded_entropy};
use userpool_core::{
    AdminSetUserPasswordInput, Blocklist, Context, Password, PasswordPolicy, PolicySubject,
    UserPoolId, Username, transitions,
};

fn validation(c: &mut Criterion) {
    let mut group = c.benchmark_group("validate");
    group
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    group.bench_function("user_pool_id", |b| {
        b.iter(|| UserPoolId::parse(black_box("eu-west-1_AbCdEf123")).expect("valid"));
    });
    group.bench_function("username", |b| {
        b.iter(|| Username::parse(black_box("alice.example+tag@example.com")).expect("valid"));
    });
    group.bench_function("password_ascii_16", |b| {
        b.iter(|| Password::parse(black_box("Correct-Horse-9!")).expect("valid"));
    });
    // NFKC does real work on non-ASCII input (fullwidth forms fold to ASCII).
    group.bench_function("password_fullwidth_16", |b| {
        b.iter(|| Password::parse(black_box("Ｃｏｒｒｅｃｔ－Ｈｏｒｓｅ－９！")).expect("valid"));
    });
    group.bench_function("admin_set_user_password_input", |b| {
        b.iter(|| {
            AdminSetUserPasswordInput::parse(
                black_box(Some("eu-west-1_AbCdEf123")),
                black_box(Some("alice")),
                black_box(Some("Correct-Horse-9!")),
                Some(true),
            )
            .expect("valid")
        });
    });
    group.finish();
}

fn policy(c: &mut Criterion) {
    let mut group = c.benchmark_group("policy_check");
    group
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    let aliases = ["alice@example.com"];
    let subject = PolicySubject {
        username: Some("alice"),
        aliases: &aliases,
    };
    let default = PasswordPolicy::default();
    let password = Password::parse("Correct-Horse-9!").expect("valid");
    group.bench_function("default_policy", |b| {
        b.iter(|| default.check(black_box(&password), subject).expect("ok"));
    });
    // A blocklist the size of a common-passwords list (100 000 entries): the lookup is one
    // case fold and one hash-set probe, whatever the size.
    let blocklist = Blocklist::new((0..100_000).map(|i| format!("common-password-{i}")));
    let nist = PasswordPolicy::nist_800_63b(blocklist).expect("preset");
    let long = Password::parse("correct horse battery staple").expect("valid");
    group.bench_function("nist_800_63b_blocklist_100k", |b| {
        b.iter(|| nist.check(black_box(&long), subject).expect("ok"));
    });
    group.finish();
}

fn transition(c: &mut Criterion) {
    let mut group = c.benchmark_group("transition_insecure_fast_hasher");
    group
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    let rules = insecure_fast_rules(PasswordPolicy::default());
    let mut rng = seeded_entropy(1);
    let mut ctx = Context::new(epoch(), &mut rng);
    let (user, _) = transitions::admin_create_user(
        Username::parse("alice").expect("valid"),
        Default::default(),
        Some(Password::parse("Temporary-Passw0rd!").expect("valid")),
        &rules,
        &mut ctx,
    )
    .expect("created");
    let password = Password::parse("Correct-Horse-9!").expect("valid");
    group.bench_function("admin_set_user_password", |b| {
        b.iter(|| {
            transitions::admin_set_user_password(
                black_box(&user),
                &password,
                true,
                &rules,
                &mut ctx,
            )
            .expect("accepted")
        });
    });
    group.finish();
}

criterion_group!(benches, validation, policy, transition);
criterion_main!(benches);
