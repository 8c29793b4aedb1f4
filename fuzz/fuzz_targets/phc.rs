//! SPEC §9: a PHC string read back from a store is untrusted. Parsing any bytes never
//! panics; verifying against a parsed hash with a low ceiling never panics and never
//! computes (so never allocates) above the ceiling: over it, the hash is refused.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use userpool_core::{HashParams, ImportCeiling, Password, PasswordHash, PasswordHasher};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(stored) = PasswordHash::parse(text) else {
        return;
    };
    // A ceiling of 64 KiB, t=2, p=1: the most work one input may cost.
    let (Ok(fast), Ok(ceiling)) = (HashParams::new(8, 1, 1), HashParams::new(64, 2, 1)) else {
        return;
    };
    let Ok(hasher) = PasswordHasher::with_ceiling(fast, ceiling) else {
        return;
    };
    // Stored imported hashes (SPEC §19) under ceilings of the same order of work.
    let hasher = hasher.with_import_ceiling(ImportCeiling {
        bcrypt_cost: 5,
        pbkdf2_iterations: 2_000,
        scrypt_memory_kib: 64,
        scrypt_p: 1,
    });
    let Ok(password) = Password::parse("Fuzz-Pass1") else {
        return;
    };
    match hasher.verify(&password, &stored) {
        Ok(_) => assert!(
            stored.params().is_none_or(|p| p.within(&ceiling)),
            "computed above the ceiling"
        ),
        Err(e) => assert_eq!(e.code(), "InternalErrorException"),
    }
});
