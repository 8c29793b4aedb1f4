//! SPEC §19: a hash offered for import is untrusted. Importing any string never panics and
//! gives a hash or InvalidParameterException; an accepted hash is within the ceilings, reads
//! back from its stored form as the same hash, and verifies (true or false) without panicking
//! and without computing above the ceilings.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use userpool_core::{
    HashParams, ImportCeiling, ImportedScheme, Password, PasswordHash, PasswordHasher,
};

// Ceilings low enough that every accepted input verifies in a millisecond or so.
const CEILING: ImportCeiling = ImportCeiling {
    bcrypt_cost: 5,
    pbkdf2_iterations: 2_000,
    scrypt_memory_kib: 64,
    scrypt_p: 2,
};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (Ok(fast), Ok(argon2_ceiling)) = (HashParams::new(8, 1, 1), HashParams::new(64, 2, 2))
    else {
        return;
    };
    let Ok(hasher) = PasswordHasher::with_ceiling(fast, argon2_ceiling) else {
        return;
    };
    let hasher = hasher.with_import_ceiling(CEILING);
    let stored = match hasher.import(text) {
        Ok(stored) => stored,
        Err(e) => {
            assert_eq!(e.code(), "InvalidParameterException");
            return;
        }
    };
    let scheme = stored.imported().expect("an import is an imported hash");
    let within = match scheme {
        ImportedScheme::Argon2 { params, .. } => params.within(&argon2_ceiling),
        ImportedScheme::Bcrypt { cost } => cost <= CEILING.bcrypt_cost,
        ImportedScheme::Scrypt { log_n, r, p } => {
            let n = 1u128.checked_shl(u32::from(log_n)).unwrap_or(u128::MAX);
            p <= CEILING.scrypt_p
                && n.saturating_add(u128::from(p)).saturating_mul(u128::from(r)) / 8 <= 64
        }
        ImportedScheme::Pbkdf2 { iterations, .. } => iterations <= CEILING.pbkdf2_iterations,
        _ => false,
    };
    assert!(within, "accepted above the ceiling: {scheme:?}");
    let back = PasswordHash::parse(stored.as_phc()).expect("the stored form reads back");
    assert_eq!(back, stored);
    let Ok(password) = Password::parse("Fuzz-Pass1") else {
        return;
    };
    if let Err(e) = hasher.verify(&password, &stored) {
        panic!("an accepted hash failed to verify: {e:?}");
    }
});
