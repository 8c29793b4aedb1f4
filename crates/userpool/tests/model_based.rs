//! SPEC §3–§6 through the service over `MemoryStore`: random sequences of every operation,
//! time advancing across temporary-password expiry, lockouts, sessions and codes, checked
//! after every step against the reference model (`userpool::model_check`).

use std::sync::Arc;

use proptest::prelude::*;
use userpool::{MemoryStore, model_check};
use userpool_core::PasswordPolicy;
use userpool_core::testing::{Guess, Op, strategies};

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

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    // The same with a client that prevents user-existence errors (SPEC §6, §12): the
    // public operations on a user not yet created answer as for a known user.
    #[test]
    fn service_with_prevented_user_existence_errors_agrees_with_the_model(
        history in prop_oneof![Just(0i64), Just(3)],
        seed in any::<u64>(),
        ops in strategies::ops(30),
    ) {
        let store = Arc::new(MemoryStore::new());
        if let Err(divergence) =
            model_check::run_with_prevention(store, policy(history, 7), seed, true, &ops)
        {
            return Err(TestCaseError::fail(divergence.to_string()));
        }
    }
}

// SPEC §5 with long histories: more than twelve passwords, sizes 13 and 24, the size
// changed mid-sequence, every remembered password probed after every step.
#[test]
fn service_with_long_histories_agrees_with_the_model() {
    model_check::check_random_long_histories(24, 48, || Arc::new(MemoryStore::new()))
        .unwrap_or_else(|report| panic!("{report}"));
}

// SPEC §12 through the model: the sixth reset code in an hour and the sixth wrong code
// across reissues are LimitExceeded, in the service and in the model alike.
#[test]
fn reissued_codes_keep_the_wrong_attempt_count_in_service_and_model() {
    let mut ops = vec![Op::AdminCreateUser {
        temporary_password: Guess::from("Alpha-Pass1"),
    }];
    ops.push(Op::AdminSetUserPassword {
        password: Guess::from("Bravo-Pass2"),
        permanent: true,
    });
    for _ in 0..3 {
        ops.push(Op::ForgotPassword);
        for _ in 0..2 {
            ops.push(Op::ConfirmForgotPassword {
                right_code: false,
                password: Guess::from("Charlie-Pass3"),
            });
        }
        ops.push(Op::AdvanceTime(240));
    }
    ops.extend([
        Op::ForgotPassword,
        Op::ForgotPassword,
        Op::ForgotPassword,
        Op::ConfirmForgotPassword {
            right_code: true,
            password: Guess::from("Charlie-Pass3"),
        },
        Op::AdvanceTime(3_599),
        Op::ConfirmForgotPassword {
            right_code: true,
            password: Guess::from("Charlie-Pass3"),
        },
    ]);
    let mut check = model_check::ModelCheck::new(Arc::new(MemoryStore::new()), policy(3, 7), 3)
        .expect("set up");
    let mut limited = 0;
    for op in &ops {
        if check
            .model()
            .predict(op)
            .is_err_and(|e| e.code == "LimitExceededException")
        {
            limited += 1;
        }
        check.step(op).unwrap_or_else(|d| panic!("{d}"));
    }
    // The sixth wrong code, the sixth code issued, the right code inside the window.
    assert_eq!(limited, 3);
    let user = check.model().user.as_ref().expect("created");
    assert_eq!(
        user.current.as_ref().map(|c| c.password.as_str()),
        Some("Charlie-Pass3"),
        "the right code after the window reset the password"
    );
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

// SPEC §8 through the model: the email alias finds the user only while verified, the `sub`
// always; an unverified alias is an unknown user, answered as such (or, where the client
// prevents user-existence errors, as a wrong password, with no lockout counted).
#[test]
fn aliases_and_subs_find_the_user_as_the_model_says() {
    use userpool_core::testing::Name;
    let set_up = [
        Op::AdminCreateUser {
            temporary_password: Guess::from("Alpha-Pass1"),
        },
        Op::AdminSetUserPassword {
            password: Guess::from("Bravo-Pass2"),
            permanent: true,
        },
    ];
    let sign_in = Op::SignIn {
        password: Guess::Current,
    };
    let wrong = Op::SignIn {
        password: Guess::from("Echo-Pass5"),
    };
    for prevent in [false, true] {
        let mut check = model_check::ModelCheck::with_prevention(
            Arc::new(MemoryStore::new()),
            policy(0, 7),
            5,
            prevent,
        )
        .expect("set up");
        let mut answers = Vec::new();
        let ops = set_up
            .iter()
            .cloned()
            .chain([
                Op::UseName(Name::Email),
                sign_in.clone(),
                wrong.clone(),
                Op::SetEmailVerified(true),
                Op::UseName(Name::Username),
                Op::SetEmailVerified(true),
                Op::UseName(Name::Email),
                sign_in.clone(),
                Op::UseName(Name::Sub),
                sign_in.clone(),
                Op::SetEmailVerified(false),
                Op::UseName(Name::Email),
                sign_in.clone(),
            ])
            .collect::<Vec<_>>();
        for op in &ops {
            answers.push(check.model().predict(op).map_err(|e| e.code));
            check.step(op).unwrap_or_else(|d| panic!("{d}"));
        }
        let unknown = if prevent {
            "NotAuthorizedException"
        } else {
            "UserNotFoundException"
        };
        use userpool_core::testing::Success::{Authenticated, Done};
        assert_eq!(
            answers[2..],
            [
                Ok(Done),
                Err(unknown),
                Err(unknown),
                Err("UserNotFoundException"),
                Ok(Done),
                Ok(Done),
                Ok(Done),
                Ok(Authenticated),
                Ok(Done),
                Ok(Authenticated),
                Ok(Done),
                Ok(Done),
                Err(unknown),
            ],
            "prevent = {prevent}"
        );
        let user = check.model().user.as_ref().expect("created");
        assert_eq!(user.failures, 0, "no lockout counted for an unknown name");
    }
}
