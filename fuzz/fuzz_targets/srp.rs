//! SPEC §15: the SRP inputs an unauthenticated client controls — `SRP_A`, the answer's
//! secret block, signature and timestamp — and the SRP state read back from a store parse
//! totally (a value or a typed error, never a panic), and no forged answer is accepted.
//!
//! Input: fields separated by U+001F — SRP_A, PASSWORD_CLAIM_SECRET_BLOCK,
//! PASSWORD_CLAIM_SIGNATURE, TIMESTAMP; the whole input is also read as a stored SRP blob.
#![no_main]
#![forbid(unsafe_code)]

use std::sync::OnceLock;

use chrono::{DateTime, TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use userpool_core::srp::{
    PasswordVerifierAnswer, PasswordVerifierChallenge, SrpA, SrpBlob, SrpVerifier,
    blob_is_readable,
};
use userpool_core::testing::{insecure_fast_rules, seeded_entropy};
use userpool_core::{Context, Password, PasswordPolicy, UserPoolId, Username};

struct Fixture {
    pool: UserPoolId,
    user: Username,
    verifier: SrpVerifier,
    challenge: PasswordVerifierChallenge,
    now: DateTime<Utc>,
}

/// One real challenge, opened once: its secret block and b are unknown to the input.
fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let pool = UserPoolId::parse("us-east-1_Fuzz1").expect("valid pool id");
        let user = Username::parse("alice").expect("valid username");
        let password = Password::parse("Correct-Horse-9").expect("valid password");
        let verifier = SrpVerifier::with_salt(&pool, &user, &password, [0x8f; 16]);
        let now = Utc
            .with_ymd_and_hms(2026, 1, 6, 9, 5, 3)
            .single()
            .expect("valid time");
        let rules = insecure_fast_rules(PasswordPolicy::default());
        let mut entropy = seeded_entropy(7);
        let mut ctx = Context::new(now, &mut entropy);
        let a = SrpA::parse("02").expect("2 is a valid A");
        let challenge = PasswordVerifierChallenge::start(&pool, &user, &a, &verifier, &rules, &mut ctx)
            .expect("entropy works");
        Fixture {
            pool,
            user,
            verifier,
            challenge,
            now,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let f = fixture();
    let blob = SrpBlob::from_bytes(data.to_vec());
    let _ = blob_is_readable(&blob, &f.pool, &f.user);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut fields = text.split('\u{1f}');
    let (a, block, signature, timestamp) = (
        fields.next().unwrap_or_default(),
        fields.next().unwrap_or_default(),
        fields.next().unwrap_or_default(),
        fields.next().unwrap_or_default(),
    );
    match SrpA::parse(a) {
        Ok(parsed) => assert_eq!(
            SrpA::parse(&parsed.to_hex()).ok().as_ref(),
            Some(&parsed),
            "an accepted SRP_A round-trips"
        ),
        Err(e) => assert_eq!(e.code(), "InvalidParameterException"),
    }
    match PasswordVerifierAnswer::parse(block, signature, timestamp) {
        Ok(answer) => {
            // Nobody but the client holding the password and the secret block can sign.
            let checked = f.challenge.check_answer(&answer, &f.verifier, f.now);
            assert!(checked.is_err(), "a forged answer was accepted");
        }
        Err(e) => assert!(
            matches!(e.code(), "NotAuthorizedException" | "InvalidParameterException"),
            "unexpected {}",
            e.code()
        ),
    }
});
