//! SPEC §2: any settings build a policy or fail with `InvalidParameterException`; checking
//! any password never panics; a password the policy accepts satisfies every enabled rule.
#![no_main]
#![forbid(unsafe_code)]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use unicode_segmentation::UnicodeSegmentation;
use userpool_core::{Password, PasswordPolicy, PolicySubject};

/// Raw settings, in or out of Cognito's ranges.
#[derive(Debug, Arbitrary)]
struct Input {
    minimum_length: i64,
    require: [bool; 4],
    history: i64,
    validity: i64,
    maximum_length: Option<i64>,
    reject_user_identity: bool,
    username: String,
    password: String,
}

const SYMBOLS: &str = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ";

fuzz_target!(|input: Input| {
    let mut builder = PasswordPolicy::builder()
        .minimum_length(input.minimum_length)
        .require_uppercase(input.require[0])
        .require_lowercase(input.require[1])
        .require_numbers(input.require[2])
        .require_symbols(input.require[3])
        .password_history_size(input.history)
        .temporary_password_validity_days(input.validity)
        .reject_user_identity(input.reject_user_identity);
    if let Some(max) = input.maximum_length {
        builder = builder.maximum_length(max);
    }
    let policy = match builder.build() {
        Ok(policy) => policy,
        Err(e) => {
            assert_eq!(e.code(), "InvalidParameterException");
            return;
        }
    };
    let Ok(password) = Password::parse(&input.password) else {
        return;
    };
    let subject = PolicySubject {
        username: Some(&input.username),
        aliases: &[],
    };
    if policy.check(&password, subject).is_ok() {
        let text = password.expose();
        let length = text.graphemes(true).count();
        assert!(length >= usize::from(policy.minimum_length()));
        if let Some(max) = policy.maximum_length() {
            assert!(length <= usize::from(max));
        }
        assert!(!policy.require_lowercase() || text.bytes().any(|b| b.is_ascii_lowercase()));
        assert!(!policy.require_uppercase() || text.bytes().any(|b| b.is_ascii_uppercase()));
        assert!(!policy.require_numbers() || text.bytes().any(|b| b.is_ascii_digit()));
        assert!(!policy.require_symbols() || text.chars().any(|c| SYMBOLS.contains(c)));
    }
});
