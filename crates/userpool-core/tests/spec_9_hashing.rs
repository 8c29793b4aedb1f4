//! SPEC §9: hash storage — argon2id PHC strings with per-pool parameters and a fresh 128-bit
//! salt, constant-time verification, stored parameters as untrusted input (a ceiling), and
//! the host's pepper.

mod common;

use common::*;
use userpool_core::testing::seeded_entropy;
use userpool_core::{
    Error, HashParams, Internal, PasswordHash, PasswordHasher, SignInOutcome, signin, transitions,
};

/// The number of bytes an unpadded base64 field encodes.
fn decode_len(encoded: &str) -> usize {
    encoded.len() * 3 / 4
}

fn fast() -> PasswordHasher {
    PasswordHasher::new(HashParams::insecure_fast_for_tests()).expect("fast hasher")
}

/// The five `$`-separated fields of a PHC string (after the leading empty one).
fn fields(phc: &str) -> Vec<&str> {
    let parts: Vec<&str> = phc.split('$').collect();
    assert_eq!(parts.first(), Some(&""), "{phc}");
    parts[1..].to_vec()
}

// SPEC §9: the default parameters are OWASP's (m=19456 KiB, t=2, p=1) and a real hash is an
// argon2id PHC string with a 128-bit salt that verifies. Few real hashes: they are slow.
#[test]
fn default_parameters_produce_an_argon2id_phc_string_that_verifies() {
    let hasher = PasswordHasher::default();
    assert_eq!(hasher.params(), HashParams::OWASP);
    assert_eq!(
        (
            HashParams::OWASP.m_kib(),
            HashParams::OWASP.t(),
            HashParams::OWASP.p()
        ),
        (19_456, 2, 1)
    );
    assert_eq!(HashParams::default(), HashParams::OWASP);
    let mut rng = rand::rngs::SysRng;
    let hash = hasher.hash(&pw(INITIAL), &mut rng).expect("hash");
    let f = fields(hash.as_phc());
    assert_eq!(&f[..3], ["argon2id", "v=19", "m=19456,t=2,p=1"]);
    assert_eq!(decode_len(f[3]), 16, "128-bit salt");
    assert_eq!(decode_len(f[4]), 32, "256-bit output");
    assert_eq!(hash.params(), Some(HashParams::OWASP));
    assert!(hasher.verify(&pw(INITIAL), &hash).expect("verify"));
    assert!(!hasher.needs_rehash(&hash));
}

// SPEC §9: parameters are per pool and written into the PHC string.
#[test]
fn pool_parameters_are_written_into_the_phc_string() {
    for (m, t, p) in [(8, 1, 1), (64, 3, 2), (32, 1, 4)] {
        let hasher = PasswordHasher::new(HashParams::new(m, t, p).expect("valid")).expect("hasher");
        let hash = hasher
            .hash(&pw(INITIAL), &mut seeded_entropy(1))
            .expect("hash");
        assert_eq!(fields(hash.as_phc())[2], format!("m={m},t={t},p={p}"));
        assert_eq!(
            PasswordHash::parse(hash.as_phc()).expect("parses").params(),
            Some(hasher.params())
        );
        assert!(hasher.verify(&pw(INITIAL), &hash).expect("verify"));
    }
}

// SPEC §9: the same password hashed twice gives two different strings (fresh salts); both
// verify; a wrong password does not.
#[test]
fn same_password_hashes_differently_and_verifies() {
    let hasher = fast();
    let mut rng = seeded_entropy(7);
    let a = hasher.hash(&pw(INITIAL), &mut rng).expect("hash");
    let b = hasher.hash(&pw(INITIAL), &mut rng).expect("hash");
    assert_ne!(a.as_phc(), b.as_phc());
    assert_ne!(
        fields(a.as_phc())[3],
        fields(b.as_phc())[3],
        "different salts"
    );
    for h in [&a, &b] {
        assert!(hasher.verify(&pw(INITIAL), h).expect("verify"));
        assert!(!hasher.verify(&pw(OTHER), h).expect("verify"));
        assert!(!hasher.verify(&pw("Initial-Pass2"), h).expect("verify"));
    }
    // NFKC applies: the fullwidth form verifies against the ASCII hash.
    let ascii = hasher.hash(&pw("Passw0rd!"), &mut rng).expect("hash");
    assert!(
        hasher
            .verify(&pw("Ｐａｓｓｗ０ｒｄ！"), &ascii)
            .expect("verify")
    );
}

// SPEC §9: stored parameters above the ceiling are refused with InternalErrorException
// without being computed. m=4194304 KiB would need 4 GiB: computing it would abort the test.
#[test]
fn stored_hash_over_the_ceiling_is_refused_without_computing() {
    let hasher = fast();
    let real = hasher
        .hash(&pw(INITIAL), &mut seeded_entropy(3))
        .expect("hash");
    for (what, params) in [
        ("4 GiB of memory", "m=4194304,t=1,p=1"),
        ("just over the memory ceiling", "m=262145,t=1,p=1"),
        ("too many passes", "m=8,t=11,p=1"),
        ("a billion passes", "m=8,t=1000000000,p=1"),
        ("too many lanes", "m=256,t=1,p=17"),
    ] {
        let tampered = real.as_phc().replace("m=8,t=1,p=1", params);
        let stored = PasswordHash::parse(&tampered).expect("well formed, just expensive");
        let e = hasher.verify(&pw(INITIAL), &stored).expect_err(what);
        assert_eq!(
            e,
            Error::Internal(Internal::StoredHashOverCeiling),
            "{what}"
        );
        assert_eq!(e.code(), "InternalErrorException");
        assert!(
            !e.to_string().contains(&tampered),
            "not logged with the hash"
        );

        // Through sign-in too: an InternalError, no record written.
        let rules = rules();
        let mut world = World::new();
        let mut user = confirmed(&mut world, &rules);
        if let Some(c) = user.credential.as_mut() {
            c.hash = stored.clone();
        }
        let r = sign_in_refused(&user, INITIAL, &rules, &mut world);
        assert_eq!(r.error.code(), "InternalErrorException", "{what}");
        assert!(r.record.is_none());
    }
    // At the ceiling exactly, the hash is computed (and simply does not match).
    let at_ceiling = PasswordHasher::with_ceiling(
        HashParams::insecure_fast_for_tests(),
        HashParams::new(16, 2, 1).expect("valid"),
    )
    .expect("hasher");
    let edge =
        PasswordHash::parse(&real.as_phc().replace("m=8,t=1,p=1", "m=16,t=2,p=1")).expect("parses");
    assert!(!at_ceiling.verify(&pw(INITIAL), &edge).expect("computed"));
    let over =
        PasswordHash::parse(&real.as_phc().replace("m=8,t=1,p=1", "m=24,t=2,p=1")).expect("parses");
    assert_eq!(
        at_ceiling.verify(&pw(INITIAL), &over),
        Err(Error::Internal(Internal::StoredHashOverCeiling))
    );
}

// SPEC §9 and §5: a tampered history entry is refused the same way — the history check
// verifies entries, and an entry over the ceiling is an InternalError, never computed.
#[test]
fn history_entry_over_the_ceiling_is_refused_without_computing() {
    for mode in [
        userpool_core::HistoryMode::PerEntrySalt,
        userpool_core::HistoryMode::PerUserSalt,
    ] {
        let rules = rules_with_history(3, mode);
        let mut world = World::new();
        let user = confirmed(&mut world, &rules);
        let (mut user, _) = userpool_core::transitions::admin_set_user_password(
            &user,
            &pw(PERMANENT),
            true,
            &rules,
            &mut world.ctx(),
        )
        .expect("second password");
        let tampered = user.history[0]
            .as_phc()
            .replace("m=8,t=1,p=1", "m=4194304,t=1,p=1");
        user.history[0] = PasswordHash::parse(&tampered).expect("well formed");
        let e = err(userpool_core::transitions::admin_set_user_password(
            &user,
            &pw(OTHER),
            true,
            &rules,
            &mut world.ctx(),
        ));
        assert_eq!(
            e,
            Error::Internal(Internal::StoredHashOverCeiling),
            "{mode:?}"
        );
    }
}

// SPEC §9: a pool's own parameters must respect the ceiling it is configured with.
#[test]
fn hasher_parameters_above_the_ceiling_are_refused_at_configuration() {
    let e = PasswordHasher::with_ceiling(
        HashParams::OWASP,
        HashParams::new(1024, 1, 1).expect("valid"),
    )
    .expect_err("above the ceiling");
    assert_eq!(e.code(), "InvalidParameterException");
    // `new` raises the default ceiling to the pool's parameters when they exceed it.
    let big = HashParams::new(1 << 20, 1, 1).expect("valid");
    assert_eq!(
        PasswordHasher::new(big).expect("hasher").ceiling().m_kib(),
        1 << 20
    );
    assert_eq!(
        PasswordHasher::default().ceiling(),
        HashParams::DEFAULT_CEILING
    );
}

// SPEC §9: parameters are a validated type.
#[test]
fn hash_parameters_are_validated() {
    let cases = [
        ((8, 1, 0), "p"),
        ((8, 1, 256), "p"),
        ((8, 0, 1), "t"),
        ((7, 1, 1), "m"),
        ((15, 1, 2), "m"),
    ];
    for ((m, t, p), field) in cases {
        let e = HashParams::new(m, t, p).expect_err("out of range");
        assert_eq!(e.code(), "InvalidParameterException");
        assert!(
            e.to_string().contains(&format!("Value at '{field}'")),
            "{e}"
        );
    }
    assert!(HashParams::new(8, 1, 1).is_ok());
    assert!(HashParams::new(16, 1, 2).is_ok());
}

// SPEC §9: a stored hash that is not an argon2id v19 PHC string we wrote is refused with
// InternalErrorException, never a panic.
#[test]
fn malformed_stored_hashes_are_refused() {
    let real = fast()
        .hash(&pw(INITIAL), &mut seeded_entropy(5))
        .expect("hash");
    let phc = real.as_phc().to_owned();
    let f = fields(&phc);
    let (salt, out) = (f[3], f[4]);
    let cases = [
        ("empty", String::new()),
        ("not a PHC string", "not a hash".to_owned()),
        (
            "bcrypt",
            "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW".to_owned(),
        ),
        ("argon2i", phc.replace("$argon2id$", "$argon2i$")),
        ("argon2d", phc.replace("$argon2id$", "$argon2d$")),
        ("version 16", phc.replace("$v=19$", "$v=16$")),
        ("no version", phc.replace("$v=19", "")),
        ("no salt or output", "$argon2id$v=19$m=8,t=1,p=1".to_owned()),
        ("no output", format!("$argon2id$v=19$m=8,t=1,p=1${salt}")),
        ("missing parameter", phc.replace("m=8,t=1,p=1", "m=8,t=1")),
        (
            "extra parameter",
            phc.replace("m=8,t=1,p=1", "m=8,t=1,p=1,keyid=abc"),
        ),
        ("non-numeric parameter", phc.replace("m=8,", "m=eight,")),
        ("negative parameter", phc.replace("m=8,", "m=-8,")),
        ("zero passes", phc.replace("t=1", "t=0")),
        ("zero lanes", phc.replace("p=1", "p=0")),
        (
            "memory below 8 KiB per lane",
            phc.replace("m=8,t=1,p=1", "m=8,t=1,p=2"),
        ),
        (
            "memory overflowing u32",
            phc.replace("m=8,", "m=99999999999,"),
        ),
        ("salt too short", phc.replace(salt, "AAAA")),
        (
            "salt not base64",
            phc.replace(salt, "!!!!!!!!!!!!!!!!!!!!!!"),
        ),
        ("output not base64", phc.replace(out, "!!!!")),
        ("trailing field", format!("{phc}$extra")),
        ("trailing newline", format!("{phc}\n")),
        ("leading space", format!(" {phc}")),
    ];
    for (what, text) in cases {
        let e = PasswordHash::parse(&text).expect_err(what);
        assert_eq!(
            e,
            Error::Internal(Internal::MalformedStoredHash),
            "{what}: {text}"
        );
        assert_eq!(e.code(), "InternalErrorException");
        assert_eq!(e.to_string(), "An internal error occurred.");
    }
    // A well-formed string with an output length other than ours parses but cannot verify.
    let short_out = phc.replace(out, &"A".repeat(22)); // 16 zero bytes
    let parsed = PasswordHash::parse(&short_out).expect("a 16-byte output is well formed");
    assert_eq!(
        fast().verify(&pw(INITIAL), &parsed),
        Err(Error::Internal(Internal::MalformedStoredHash))
    );
}

// SPEC §9: a host-held pepper is mixed in; without the right pepper nothing verifies.
#[test]
fn pepper_changes_the_hash_and_a_wrong_pepper_fails_verification() {
    let plain = fast();
    let peppered = fast().with_pepper(b"pepper one").expect("pepper");
    let other = fast().with_pepper(b"pepper two").expect("pepper");
    // Same salt for both, so only the pepper differs.
    let mut memory = userpool_core::WorkingMemory::new();
    let salt = [9u8; 16];
    let with = peppered
        .hash_with_salt(&pw(INITIAL), &salt, &mut memory)
        .expect("hash");
    let without = plain
        .hash_with_salt(&pw(INITIAL), &salt, &mut memory)
        .expect("hash");
    assert_ne!(with.as_phc(), without.as_phc());
    assert!(peppered.verify(&pw(INITIAL), &with).expect("verify"));
    assert!(!other.verify(&pw(INITIAL), &with).expect("verify"));
    assert!(!plain.verify(&pw(INITIAL), &with).expect("verify"));
    assert!(!peppered.verify(&pw(INITIAL), &without).expect("verify"));
    assert!(!with.as_phc().contains("pepper"));
    assert!(!format!("{peppered:?}").contains("pepper one"));
    for bad in [&b""[..], &[0u8; 65][..]] {
        let e = fast().with_pepper(bad).expect_err("length out of range");
        assert_eq!(e.code(), "InvalidParameterException");
    }
    assert!(fast().with_pepper(&[1u8; 64]).is_ok());
}

// SPEC §9: the same salt and parameters give the same output (deterministic), so verification
// compares outputs; the working buffer can be reused across hashes.
#[test]
fn hashing_is_deterministic_given_the_salt_and_reuses_its_buffer() {
    let hasher = fast();
    let mut memory = userpool_core::WorkingMemory::new();
    let a = hasher
        .hash_with_salt(&pw(INITIAL), &[1; 16], &mut memory)
        .expect("hash");
    let b = hasher
        .hash_with_salt(&pw(INITIAL), &[1; 16], &mut memory)
        .expect("hash");
    let c = hasher
        .hash_with_salt(&pw(OTHER), &[1; 16], &mut memory)
        .expect("hash");
    assert_eq!(a.as_phc(), b.as_phc());
    assert_ne!(a.as_phc(), c.as_phc());
    assert!(
        hasher
            .verify_in(&pw(INITIAL), &a, &mut memory)
            .expect("verify")
    );
    assert!(
        !hasher
            .verify_in(&pw(OTHER), &a, &mut memory)
            .expect("verify")
    );
    // The dummy verification used for unknown users always fails.
    assert!(
        !hasher
            .verify_dummy(&pw(INITIAL), &mut memory)
            .expect("dummy")
    );
}

// SPEC §9 with a memory pool: a pooled hasher computes exactly what an unpooled one does
// (the lent buffer was wiped, and a wiped buffer is as good as a fresh one), a whole
// transition's buffers all come back, and the sign-in of an unknown user borrows too.
#[test]
fn a_pooled_hasher_hashes_as_an_unpooled_one_and_gives_its_buffers_back() {
    let pool = userpool_core::MemoryPool::new(2);
    let pooled = fast().with_memory_pool(pool.clone());
    let plain = fast();
    let salt = [3u8; 16];
    for password in [INITIAL, OTHER, INITIAL] {
        let a = pooled
            .hash_with_salt(
                &pw(password),
                &salt,
                &mut pooled.working_memory().expect("no limit"),
            )
            .expect("hash");
        let b = plain
            .hash_with_salt(
                &pw(password),
                &salt,
                &mut plain.working_memory().expect("no limit"),
            )
            .expect("hash");
        assert_eq!(a.as_phc(), b.as_phc());
        assert!(pooled.verify(&pw(password), &b).expect("verify"));
        assert_eq!(pool.idle(), 1, "one buffer, lent and returned each time");
    }
    let mut rules =
        userpool_core::testing::insecure_fast_rules(userpool_core::PasswordPolicy::default());
    rules.hasher = pooled;
    let mut world = World::new();
    let user = confirmed(&mut world, &rules);
    let (user, _) =
        transitions::admin_set_user_password(&user, &pw(PERMANENT), true, &rules, &mut world.ctx())
            .expect("set");
    assert_eq!(pool.idle(), 1);
    assert!(signin::sign_in(&user, &pw(PERMANENT), &rules, &mut world.ctx()).is_ok());
    assert_eq!(pool.idle(), 1);
    let _ = signin::sign_in_unknown_user(&pw(INITIAL), &rules, false);
    assert_eq!(pool.idle(), 1);
    assert_eq!(
        plain.working_memory().expect("no limit").kib(),
        0,
        "no pool: a fresh buffer each time"
    );
}

// SPEC §9 with real parameters end to end: a pool on OWASP's defaults creates, challenges and
// confirms a user (two real hashes and two real verifications).
#[test]
fn default_rules_work_end_to_end() {
    let rules = userpool_core::PoolRules::default();
    let mut world = World::new();
    let user = force_change(&mut world, &rules);
    let (session, challenged) = challenge(&user, TEMPORARY, &rules, &mut world);
    let (user, _) =
        answer_new_password(&challenged, &session, PERMANENT, &rules, &mut world).expect("answer");
    assert!(
        user.credential
            .as_ref()
            .is_some_and(|c| c.hash.as_phc().contains("$m=19456,t=2,p=1$"))
    );
    let signed = signin::sign_in(&user, &pw(PERMANENT), &rules, &mut world.ctx()).expect("sign in");
    assert_eq!(signed.outcome, SignInOutcome::Authenticated);
}

// SPEC §9: stored hashes are untrusted input — any string, and any one-character mutation of
// a real PHC string, parses or is refused as InternalError; verifying what parses never panics.
proptest::proptest! {
    #[test]
    fn parsing_stored_hashes_is_total(text in proptest::prelude::any::<String>()) {
        if let Err(e) = PasswordHash::parse(&text) {
            proptest::prop_assert_eq!(e.code(), "InternalErrorException");
        }
    }

    #[test]
    fn mutated_phc_strings_are_refused_or_verified_safely(
        position in 0usize..100,
        replacement in proptest::prelude::any::<char>(),
    ) {
        let hasher = fast();
        let real = hasher.hash(&pw(INITIAL), &mut seeded_entropy(11)).expect("hash");
        let mut chars: Vec<char> = real.as_phc().chars().collect();
        let i = position % chars.len();
        chars[i] = replacement;
        let mutated: String = chars.into_iter().collect();
        match PasswordHash::parse(&mutated) {
            Err(e) => proptest::prop_assert_eq!(e.code(), "InternalErrorException"),
            Ok(parsed) => {
                if let Err(e) = hasher.verify(&pw(INITIAL), &parsed) {
                    proptest::prop_assert_eq!(e.code(), "InternalErrorException");
                }
            }
        }
    }
}
