//! Support for test suites, property-based tests and fuzzing harnesses — ours and the
//! host's. None of this belongs in production; the names say so.
//!
//! | part | feature | what |
//! |---|---|---|
//! | [`seeded_entropy`], [`epoch`], [`insecure_fast_rules`] | `test-util` | replayable randomness, a fixed instant, cheap hashing |
//! | [`ops`], [`model`] | any of `test-util`, `proptest`, `arbitrary` | the operation enum [`Op`] and the reference model of SPEC §3–§6 |
//! | [`strategies`] | `proptest` | proptest strategies for every input, policies and operation sequences |
//! | `Arbitrary` impls | `arbitrary` | valid-only [`UserPoolId`](crate::UserPoolId), [`Username`](crate::Username), [`Password`](crate::Password), [`PasswordPolicy`](crate::PasswordPolicy); [`Op`] and [`Guess`] |
//!
//! Test passwords in [`Op`] values are not secrets: `Op`'s `Debug` prints them in full, as
//! a ready-to-paste Rust reproducer. Real passwords never go into an `Op`.
//!
//! # Example: a host's own store, property-tested with the exported strategies
//!
//! A host that persists users itself checks that what it writes and reads back still
//! behaves: any password meeting the pool's policy signs in after a round trip, and a
//! password breaking exactly one rule is refused with that rule.
//!
//! ```
//! # #[cfg(all(feature = "proptest", feature = "test-util"))] {
//! use std::collections::HashMap;
//! use proptest::prelude::*;
//! use userpool_core::testing::{epoch, insecure_fast_rules, seeded_entropy, strategies};
//! use userpool_core::{signin, transitions, Context, PolicyViolation, SignInOutcome, UserRecord};
//!
//! /// The host's store (a map here; a database in real life).
//! #[derive(Default)]
//! struct HostStore(HashMap<String, UserRecord>);
//!
//! // A policy, a password it accepts and one that is one character too short for it.
//! let cases = strategies::policy().prop_flat_map(|policy| {
//!     let too_short = strategies::password_violating(&policy, PolicyViolation::TooShort)
//!         .expect("every Cognito policy can be too short");
//!     (Just(policy.clone()), strategies::password_for(&policy), too_short)
//! });
//!
//! proptest!(ProptestConfig::with_cases(8), |(
//!     (policy, password, too_short) in cases,
//!     name in strategies::username(),
//!     seed in any::<u64>(),
//! )| {
//!     let rules = insecure_fast_rules(policy);
//!     let mut rng = seeded_entropy(seed);
//!     let mut ctx = Context::new(epoch(), &mut rng);
//!     let mut store = HostStore::default();
//!     let (user, _) = transitions::external_provider_sign_in(name.clone(), Default::default(), &mut ctx)?;
//!     let (user, _) = transitions::admin_set_user_password(&user, &password, true, &rules, &mut ctx)?;
//!     store.0.insert(name.as_str().to_owned(), user);
//!
//!     // Read back from the host's store, the password still signs in...
//!     let stored = &store.0[name.as_str()];
//!     let signed = signin::sign_in(stored, &password, &rules, &mut ctx).map_err(|r| r.error)?;
//!     prop_assert_eq!(signed.outcome, SignInOutcome::Authenticated);
//!     // ...and the policy still refuses a password breaking exactly one rule.
//!     let refused = transitions::admin_set_user_password(stored, &too_short, true, &rules, &mut ctx);
//!     prop_assert_eq!(refused.err().map(|e| e.code()), Some("InvalidPasswordException"));
//! });
//! # }
//! ```
//!
//! For whole-service sequences against a reference model, see [`model`] and, in
//! `userpool-store`, `userpool_store::model_check`.

#[cfg(feature = "arbitrary")]
mod arbitrary;
pub mod model;
pub mod ops;
#[cfg(feature = "proptest")]
pub mod strategies;

pub use model::{Expected, Model, Success, UserModel};
pub use ops::{Guess, Name, Op};

#[cfg(any(test, feature = "test-util"))]
mod helpers {
    use chrono::{DateTime, Utc};
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use crate::config::PoolRules;
    use crate::hash::{HashParams, PasswordHasher};
    use crate::policy::PasswordPolicy;

    /// A deterministic, seeded cryptographic generator (ChaCha12): the same seed gives the same
    /// salts, codes and `sub`s, so a failing test replays exactly.
    #[must_use]
    pub fn seeded_entropy(seed: u64) -> StdRng {
        StdRng::seed_from_u64(seed)
    }

    /// A fixed instant (2024-01-01T00:00:00Z) to start test clocks from.
    #[must_use]
    pub fn epoch() -> DateTime<Utc> {
        // invariant: a constant, valid timestamp.
        DateTime::from_timestamp(1_704_067_200, 0).unwrap_or_default()
    }

    /// Pool rules with the given policy and the **insecure** fast hasher
    /// ([`HashParams::insecure_fast_for_tests`]): thousands of hashes per second, for tests only.
    #[must_use]
    pub fn insecure_fast_rules(policy: PasswordPolicy) -> PoolRules {
        // invariant: the fast preset is far below the default ceiling.
        let hasher = PasswordHasher::new(HashParams::insecure_fast_for_tests())
            .unwrap_or_else(|_| PasswordHasher::default());
        PoolRules::new(policy, hasher)
    }
}

#[cfg(any(test, feature = "test-util"))]
pub use helpers::{epoch, insecure_fast_rules, seeded_entropy};
