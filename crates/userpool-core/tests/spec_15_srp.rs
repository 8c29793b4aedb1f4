//! SPEC §15: Cognito's SRP-6a, checked against vectors an independent client produced
//! (`tests/vectors/srp_vectors.json`, written by pycognito's `AWSSRP` through
//! `tests/vectors/srp_vectors.py`, which says how to rerun it), and the refusals.
//!
//! The same file is replayed through amazon-cognito-identity-js by
//! `tests/vectors/srp_vectors_js.cjs`, which finds the same A and signatures.
//!
//! Each vector fixes the pool, the user id, the password, the salt, the server's b and the
//! secret block; the test feeds b and the block to the core through a scripted entropy
//! source (the core draws b first, then the block) and checks v, B, u, S and the key, and
//! that the client's signature is accepted.
#![cfg(feature = "test-util")]

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::Value;
use userpool_core::srp::{
    PasswordVerifierAnswer, PasswordVerifierChallenge, SrpA, SrpVerifier, TIMESTAMP_TOLERANCE,
    pool_name,
};
use userpool_core::{Context, Entropy, Password, PoolRules, Result, UserPoolId, Username};

const VECTORS: &str = include_str!("vectors/srp_vectors.json");

/// RFC 3526's 3072-bit prime, as the clients spell it.
const N_HEX: &str = concat!(
    "ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74",
    "020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f1437",
    "4fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7ed",
    "ee386bfb5a899fa5ae9f24117c4b1fe649286651ece45b3dc2007cb8a163bf05",
    "98da48361c55d39a69163fa8fd24cf5f83655d23dca3ad961c62f356208552bb",
    "9ed529077096966d670c354e4abc9804f1746c08ca18217c32905e462e36ce3b",
    "e39e772c180e86039b2783a2ec07a28fb5c55df06f4c52c9de2bcbf695581718",
    "3995497cea956ae515d2261898fa051015728e5a8aaac42dad33170d04507a33",
    "a85521abdf1cba64ecfb850458dbef0a8aea71575d060c7db3970f85a6e1e4c7",
    "abf5ae8cdb0933d71e8c94e04a25619dcee3d2261ad2ee6bf12ffa06d98a0864",
    "d87602733ec86a64521f2b18177b200cbbe117577a615d6c770988c0bad946e2",
    "08e24fa074e5ab3143db5bfce0fd108e4b82d120a93ad2caffffffffffffffff",
);

/// Hands out fixed bytes in order, then fails (so a test notices an unexpected draw).
struct Scripted(Vec<u8>);

impl Entropy for Scripted {
    fn fill(&mut self, dest: &mut [u8]) -> Result<()> {
        if self.0.len() < dest.len() {
            return Err(userpool_core::Internal::EntropyUnavailable.into());
        }
        let rest = self.0.split_off(dest.len());
        dest.copy_from_slice(&self.0);
        self.0 = rest;
        Ok(())
    }
}

fn hex(text: &str) -> Vec<u8> {
    let padded = if text.len() % 2 == 1 {
        format!("0{text}")
    } else {
        text.to_owned()
    };
    (0..padded.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&padded[i..i + 2], 16).expect("hex in the vectors"))
        .collect()
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64ct::Encoding;
    base64ct::Base64::decode_vec(text).expect("base64 in the vectors")
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64ct::Encoding;
    base64ct::Base64::encode_string(bytes)
}

/// One vector, with the core's values computed from it.
struct Case {
    json: Value,
    verifier: SrpVerifier,
    challenge: PasswordVerifierChallenge,
    now: DateTime<Utc>,
}

impl Case {
    fn field(&self, name: &str) -> &str {
        self.json[name].as_str().expect("string field")
    }

    fn answer(&self) -> PasswordVerifierAnswer {
        PasswordVerifierAnswer::parse(
            self.field("secret_block"),
            self.field("signature"),
            self.field("timestamp"),
        )
        .expect("the client's answer parses")
    }
}

fn cases() -> Vec<Case> {
    cases_with(&PoolRules::default())
}

fn cases_with(rules: &PoolRules) -> Vec<Case> {
    let all: Value = serde_json::from_str(VECTORS).expect("vectors are JSON");
    all["vectors"]
        .as_array()
        .expect("vectors")
        .iter()
        .map(|json| {
            let text = |name: &str| json[name].as_str().expect("string field").to_owned();
            let pool = UserPoolId::parse(&text("pool_id")).expect("pool id");
            let user = Username::parse(&text("user_id")).expect("user id");
            let password = Password::parse(&text("password")).expect("password");
            let salt: [u8; 16] = hex(&text("salt")).try_into().expect("16-byte salt");
            let verifier = SrpVerifier::with_salt(&pool, &user, &password, salt);
            let now: DateTime<Utc> = text("now").parse().expect("now");
            let mut script = hex(&text("b"));
            script.extend(base64_decode(&text("secret_block")));
            let mut entropy = Scripted(script);
            let mut ctx = Context::new(now, &mut entropy);
            let a = SrpA::parse(&text("srp_a")).expect("the client's A parses");
            let challenge =
                PasswordVerifierChallenge::start(&pool, &user, &a, &verifier, rules, &mut ctx)
                    .expect("challenge opens");
            Case {
                json: json.clone(),
                verifier,
                challenge,
                now,
            }
        })
        .collect()
}

#[test]
fn spec_15_vectors_cover_the_edge_cases_of_salt_user_id_password_and_date() {
    let cases = cases();
    let names: Vec<&str> = cases.iter().map(|c| c.field("name")).collect();
    assert_eq!(
        names,
        [
            "salt_top_bit_set",
            "salt_leading_zero_nibble",
            "uuid_user_id",
            "non_ascii_password",
            "one_digit_day"
        ]
    );
    let by_name = |name: &str| cases.iter().find(|c| c.field("name") == name).expect(name);
    assert!(hex(by_name("salt_top_bit_set").field("salt"))[0] >= 0x80);
    assert!(
        by_name("salt_leading_zero_nibble")
            .field("salt")
            .starts_with('0')
    );
    assert!(uuid::Uuid::parse_str(by_name("uuid_user_id").field("user_id")).is_ok());
    assert!(!by_name("non_ascii_password").field("password").is_ascii());
    assert!(by_name("one_digit_day").field("timestamp").contains(" 6 "));
}

#[test]
fn verifier_matches_the_vectors() {
    for case in cases() {
        let v = case.verifier.verifier_bytes();
        let mut expected = vec![0u8; 384 - hex(case.field("v")).len()];
        expected.extend(hex(case.field("v")));
        assert_eq!(*v, expected, "{}", case.field("name"));
        assert_eq!(
            case.verifier.salt_hex(),
            case.field("salt"),
            "{}",
            case.field("name")
        );
    }
}

#[test]
fn challenge_parameters_match_the_vectors() {
    for case in cases() {
        let name = case.field("name");
        assert_eq!(case.challenge.srp_b_hex(), case.field("srp_b"), "{name}");
        assert_eq!(case.challenge.salt_hex(), case.field("salt"), "{name}");
        assert_eq!(
            *case.challenge.secret_block_base64(),
            case.field("secret_block"),
            "{name}"
        );
        assert_eq!(
            case.challenge.user_id_for_srp().as_str(),
            case.field("user_id"),
            "{name}"
        );
        assert_eq!(
            case.challenge.expires_at(),
            case.now + TimeDelta::minutes(3),
            "{name}"
        );
    }
}

#[test]
fn scrambler_premaster_and_key_match_the_client() {
    for case in cases() {
        let name = case.field("name");
        let (u, s, key) = case.challenge.derived_values_for_tests(&case.verifier);
        assert_eq!(u, case.field("u"), "{name}");
        assert_eq!(s, case.field("s"), "{name}");
        assert_eq!(key, case.field("key"), "{name}");
    }
}

#[test]
fn the_clients_signature_is_accepted() {
    for case in cases() {
        let answer = case.answer();
        case.challenge
            .check_answer(&answer, &case.verifier, case.now)
            .unwrap_or_else(|e| panic!("{}: {e}", case.field("name")));
        assert!(case.challenge.is_for(&answer));
    }
}

#[test]
fn pool_name_is_the_part_after_the_underscore() {
    let pool = UserPoolId::parse("us-east-1_AbCdEf123").expect("pool");
    assert_eq!(pool_name(&pool), "AbCdEf123");
}

// --- Refusals -------------------------------------------------------------------------

fn assert_refused(result: Result<impl std::fmt::Debug>, code: &str, message: &str, what: &str) {
    let error = result.expect_err(what);
    assert_eq!(error.code(), code, "{what}");
    assert_eq!(error.to_string(), message, "{what}");
}

const NOT_AUTHORIZED: &str = "NotAuthorizedException";
const INCORRECT: &str = "Incorrect username or password.";
const INVALID_PARAMETER: &str = "InvalidParameterException";
const INVALID_SRP_A: &str = "Invalid SRP_A value.";

#[test]
fn srp_a_that_is_zero_mod_n_or_not_hex_is_refused() {
    let n = N_HEX.trim_start_matches('0').to_owned();
    let two_n = {
        // 2N < 2^3073 does not fit in 3072 bits: refused as too large, still refused.
        let mut bytes = hex(&n);
        let mut carry = 0u16;
        for byte in bytes.iter_mut().rev() {
            let doubled = u16::from(*byte) * 2 + carry;
            *byte = (doubled & 0xff) as u8;
            carry = doubled >> 8;
        }
        let mut text = String::new();
        if carry > 0 {
            text.push_str(&format!("{carry:x}"));
        }
        for byte in bytes {
            text.push_str(&format!("{byte:02x}"));
        }
        text
    };
    let refused = [
        ("0", "A = 0"),
        ("000000", "A = 0 with leading zeros"),
        (n.as_str(), "A = N"),
        (
            &format!("00{}", n.to_uppercase()),
            "A = N, upper case, padded",
        ),
        (two_n.as_str(), "A = 2N"),
        ("", "empty"),
        ("xyz", "not hex"),
        ("0x1234", "a 0x prefix"),
        ("12 34", "a space"),
        ("-1", "a sign"),
        (&"1".repeat(769), "above 3072 bits"),
        (&"0".repeat(1025), "longer than the bound, even of zeros"),
    ];
    for (text, what) in refused {
        assert_refused(SrpA::parse(text), INVALID_PARAMETER, INVALID_SRP_A, what);
    }
    // A = N + 1 ≡ 1 is a (useless) valid value: only multiples of N are refused.
    let mut n_plus_1 = hex(&n);
    for byte in n_plus_1.iter_mut().rev() {
        let (sum, carry) = byte.overflowing_add(1);
        *byte = sum;
        if !carry {
            break;
        }
    }
    let text: String = n_plus_1.iter().map(|b| format!("{b:02x}")).collect();
    assert!(SrpA::parse(&text).is_ok());
}

#[test]
fn malformed_answers_are_a_failed_sign_in() {
    let case = &cases()[0];
    let block = case.field("secret_block");
    let signature = case.field("signature");
    let timestamp = case.field("timestamp");
    let short_signature = base64_encode(&base64_decode(signature)[..31]);
    let long_signature = base64_encode(&[base64_decode(signature), vec![0]].concat());
    let refused = [
        (
            block,
            short_signature.as_str(),
            timestamp,
            "a 31-byte signature",
        ),
        (
            block,
            long_signature.as_str(),
            timestamp,
            "a 33-byte signature",
        ),
        (
            block,
            "not base64!",
            timestamp,
            "a signature that is not base64",
        ),
        (block, "", timestamp, "an empty signature"),
        (
            "***",
            signature,
            timestamp,
            "a secret block that is not base64",
        ),
        (block, signature, "yesterday", "a timestamp that is not one"),
        (
            block,
            signature,
            "Mon Jan 13 09:05:03 UTC 2026",
            "a timestamp with the wrong weekday",
        ),
    ];
    for (block, signature, timestamp, what) in refused {
        assert_refused(
            PasswordVerifierAnswer::parse(block, signature, timestamp),
            NOT_AUTHORIZED,
            INCORRECT,
            what,
        );
    }
}

#[test]
fn tampered_answers_are_refused() {
    // Sessions of 15 minutes, so that a clock six minutes ahead is still inside one.
    let mut rules = PoolRules::default();
    rules
        .set_challenge_validity_minutes(15)
        .expect("15 minutes");
    for case in cases_with(&rules) {
        let name = case.field("name");
        let check = |block: &str, signature: &str, timestamp: &str, now: DateTime<Utc>| {
            let answer = PasswordVerifierAnswer::parse(block, signature, timestamp)?;
            case.challenge.check_answer(&answer, &case.verifier, now)
        };
        let block = case.field("secret_block");
        let signature = case.field("signature");
        let timestamp = case.field("timestamp");
        assert!(
            check(block, signature, timestamp, case.now).is_ok(),
            "{name}"
        );

        // The seconds changed: the client did not sign that text.
        let tampered = {
            let mut fields: Vec<String> = timestamp.split(' ').map(str::to_owned).collect();
            let seconds: u32 = fields[3][6..].parse().expect("seconds");
            fields[3] = format!("{}{:02}", &fields[3][..6], (seconds + 1) % 60);
            fields.join(" ")
        };
        assert_ne!(tampered, timestamp, "{name}");
        assert_refused(
            check(block, signature, &tampered, case.now),
            NOT_AUTHORIZED,
            INCORRECT,
            &format!("{name}: tampered timestamp"),
        );

        // A one-digit day written padded is another text: it parses, but is not what was signed.
        if timestamp.contains(" 6 ") {
            let padded = timestamp.replace(" 6 ", " 06 ");
            assert!(PasswordVerifierAnswer::parse(block, signature, &padded).is_ok());
            assert_refused(
                check(block, signature, &padded, case.now),
                NOT_AUTHORIZED,
                INCORRECT,
                &format!("{name}: padded day"),
            );
        }

        // The clock six minutes away either way; five minutes is still fine.
        for minutes in [-6, 6] {
            assert_refused(
                check(
                    block,
                    signature,
                    timestamp,
                    case.now + TimeDelta::minutes(minutes),
                ),
                NOT_AUTHORIZED,
                INCORRECT,
                &format!("{name}: clock {minutes} min off"),
            );
        }
        assert!(check(block, signature, timestamp, case.now - TIMESTAMP_TOLERANCE).is_ok());
        assert!(
            check(
                block,
                signature,
                timestamp,
                case.now + TimeDelta::minutes(2)
            )
            .is_ok(),
            "{name}: within the challenge's life and the tolerance"
        );

        // Another secret block, one bit flipped.
        let mut other = base64_decode(block);
        other[0] ^= 1;
        assert_refused(
            check(&base64_encode(&other), signature, timestamp, case.now),
            NOT_AUTHORIZED,
            INCORRECT,
            &format!("{name}: tampered secret block"),
        );

        // A signature with one bit flipped.
        let mut flipped = base64_decode(signature);
        flipped[31] ^= 0x80;
        assert_refused(
            check(block, &base64_encode(&flipped), timestamp, case.now),
            NOT_AUTHORIZED,
            INCORRECT,
            &format!("{name}: tampered signature"),
        );

        // Past the challenge's life, the right answer no longer works.
        assert_refused(
            check(block, signature, timestamp, case.challenge.expires_at()),
            NOT_AUTHORIZED,
            "Invalid session for the user.",
            &format!("{name}: expired"),
        );
    }
}

#[test]
fn another_password_or_user_does_not_verify() {
    let case = &cases()[0];
    let pool = UserPoolId::parse(case.field("pool_id")).expect("pool");
    let salt: [u8; 16] = hex(case.field("salt")).try_into().expect("salt");
    let wrong_password = SrpVerifier::with_salt(
        &pool,
        &Username::parse(case.field("user_id")).expect("user"),
        &Password::parse("Not-the-password-1").expect("password"),
        salt,
    );
    assert_refused(
        case.challenge
            .check_answer(&case.answer(), &wrong_password, case.now),
        NOT_AUTHORIZED,
        INCORRECT,
        "a changed password",
    );
    let other_user = SrpVerifier::with_salt(
        &pool,
        &Username::parse("mallory").expect("user"),
        &Password::parse(case.field("password")).expect("password"),
        salt,
    );
    assert_refused(
        case.challenge
            .check_answer(&case.answer(), &other_user, case.now),
        NOT_AUTHORIZED,
        INCORRECT,
        "another user's verifier",
    );
}

#[test]
fn b_is_fresh_per_attempt_and_secrets_stay_out_of_debug() {
    let pool = UserPoolId::parse("us-east-1_AbCdEf123").expect("pool");
    let user = Username::parse("alice").expect("user");
    let password = Password::parse("Correct-horse-9").expect("password");
    let mut entropy = userpool_core::testing::seeded_entropy(15);
    let now = userpool_core::testing::epoch();
    let mut ctx = Context::new(now, &mut entropy);
    let verifier = SrpVerifier::new(&pool, &user, &password, ctx.entropy).expect("verifier");
    let a = SrpA::parse("02").expect("A");
    let rules = PoolRules::default();
    let first = PasswordVerifierChallenge::start(&pool, &user, &a, &verifier, &rules, &mut ctx)
        .expect("first");
    let second = PasswordVerifierChallenge::start(&pool, &user, &a, &verifier, &rules, &mut ctx)
        .expect("second");
    assert_ne!(first.srp_b_hex(), second.srp_b_hex());
    assert_ne!(first.secret_block_base64(), second.secret_block_base64());
    let shown = format!("{first:?} {verifier:?}");
    assert!(
        !shown.contains(first.secret_block_base64().as_str()),
        "{shown}"
    );
    assert!(!shown.contains(&first.srp_b_hex()[..16]), "{shown}");
    assert_eq!(format!("{verifier:?}"), "SrpVerifier(<redacted>)");
}

#[test]
fn an_entropy_source_of_only_zeros_is_an_error_not_a_hang() {
    let pool = UserPoolId::parse("us-east-1_AbCdEf123").expect("pool");
    let user = Username::parse("alice").expect("user");
    let password = Password::parse("Correct-horse-9").expect("password");
    let verifier = SrpVerifier::with_salt(&pool, &user, &password, [1; 16]);
    let mut zeros = Scripted(vec![0; 64 * 100]);
    let mut ctx = Context::new(userpool_core::testing::epoch(), &mut zeros);
    let a = SrpA::parse("02").expect("A");
    let error = PasswordVerifierChallenge::start(
        &pool,
        &user,
        &a,
        &verifier,
        &PoolRules::default(),
        &mut ctx,
    )
    .expect_err("b = 0 every time");
    assert_eq!(error.code(), "InternalErrorException");
}
