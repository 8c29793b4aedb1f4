//! Helpers for test suites (feature `test-util`): seeded entropy, a fixed instant, cheap
//! rules. None of this belongs in production; the names say so.

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
