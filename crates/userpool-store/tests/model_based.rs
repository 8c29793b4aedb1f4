//! SPEC §3–§6 through the service over `MemoryStore`: random sequences of every operation,
//! time advancing across temporary-password expiry, lockouts, sessions and codes, checked
//! after every step against the reference model (`userpool_store::model_check`).

use std::sync::Arc;

use proptest::prelude::*;
use userpool_core::PasswordPolicy;
use userpool_core::testing::{Guess, Op, strategies};
use userpool_store::{MemoryStore, model_check};

/// Cognito's default policy with the given history size and temporary validity.
fn policy(history: i64, validity_days: i64) -> PasswordPolicy {
    PasswordPolicy::builder()
        .password_history_size(history)
        .temporary_password_validity_days(validity_days)
        .build()
        .expect("in range")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn service_over_memory_store_agrees_with_the_model(
        history in prop_oneof![Just(0i64), Just(1), Just(3)],
        validity in prop_oneof![Just(0i64), Just(1)],
        seed in any::<u64>(),
        ops in strategies::ops(30),
    ) {
        let store = Arc::new(MemoryStore::new());
        if let Err(divergence) = model_check::run(store, policy(history, validity), seed, &ops) {
            return Err(TestCaseError::fail(divergence.to_string()));
        }
    }
}

#[test]
fn temporary_password_expires_and_history_refuses_the_current_one() {
    let ops = vec![
        Op::AdminCreateUser {
            temporary_password: Guess::from("Alpha-Pass1"),
        },
        Op::SignIn {
            password: Guess::Current,
        },
        Op::RespondToChallenge {
            new_password: Guess::from("Bravo-Pass2"),
            forged_session: false,
        },
        Op::AdminSetUserPassword {
            password: Guess::Current,
            permanent: false,
        },
        Op::AdvanceTime(86_400),
        Op::SignIn {
            password: Guess::Current,
        },
    ];
    model_check::run(Arc::new(MemoryStore::new()), policy(3, 1), 1, &ops)
        .unwrap_or_else(|d| panic!("{d}"));
}
